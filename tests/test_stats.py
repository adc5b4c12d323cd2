import dataclasses
import doctest
import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
import torch
from scipy import stats as sps

from se_tutorial import stats

# --------------------------------------------------------------------------- paired_differences


def test_paired_differences_sequences_arrays_and_dicts():
    assert stats.paired_differences([3, 5, 4], [1, 2, 4]) == [2.0, 3.0, 0.0]
    assert stats.paired_differences(np.array([1.5, 2.5]), torch.tensor([0.5, 0.5])) == [1.0, 2.0]
    # Dicts are paired by seed, not by position; the result follows a's order.
    got = stats.paired_differences({4: 90.0, 0: 88.0, 2: 89.0}, {0: 87.0, 2: 89.5, 4: 88.0})
    assert list(got) == [4, 0, 2]
    assert got == {4: 2.0, 0: 1.0, 2: -0.5}


def test_paired_differences_bad_input():
    with pytest.raises(ValueError, match="equal lengths.*got 3 and 2"):
        stats.paired_differences([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 2 pairs.*got 1"):
        stats.paired_differences([1], [2])
    with pytest.raises(ValueError, match="at least 2 pairs.*got 1"):
        stats.paired_differences({0: 1.0}, {0: 2.0})
    with pytest.raises(ValueError, match=r"same seeds.*only in a: \[3\], only in b: \[7\]"):
        stats.paired_differences({0: 1, 3: 2}, {0: 1, 7: 2})
    with pytest.raises(ValueError, match="both be dicts"):
        stats.paired_differences({0: 1, 1: 2}, [1, 2])
    with pytest.raises(ValueError, match="finite"):
        stats.paired_differences([1, float("nan")], [1, 2])
    with pytest.raises(ValueError, match="finite"):
        stats.paired_differences([1, 2], np.array([1, np.inf]))
    with pytest.raises(ValueError, match="real numbers.*str"):
        stats.paired_differences(["1", "2"], [1, 2])
    with pytest.raises(ValueError, match="real numbers.*bool"):
        stats.paired_differences([True, False], [1, 2])
    with pytest.raises(ValueError, match="1-D"):
        stats.paired_differences(np.ones((2, 2)), np.ones((2, 2)))


# --------------------------------------------------------------------------- t_interval and t_test


def test_t_interval_hand_computed():
    # d = [1, 2, 3, 4, 5]: mean 3; squared deviations 4+1+0+1+4 = 10, sd = √(10/4) = √2.5 = 1.5811388;
    # t_{0.975, 4} = 2.7764451; half-width = 2.7764451 · √2.5 / √5 = 2.7764451 · √0.5 = 1.9632432.
    iv = stats.t_interval([1, 2, 3, 4, 5])
    assert iv.mean == 3 and iv.n == 5 and iv.confidence == 0.95
    assert iv.sd == pytest.approx(math.sqrt(2.5), rel=1e-12)
    assert iv.half_width == pytest.approx(1.9632432, abs=1e-6)
    assert (iv.low, iv.high) == pytest.approx((3 - 1.9632432, 3 + 1.9632432), abs=1e-6)
    # 90%: t_{0.95, 4} = 2.1318468, half-width 2.1318468 · √0.5 = 1.5074433.
    assert stats.t_interval([1, 2, 3, 4, 5], 0.90).half_width == pytest.approx(1.5074433, abs=1e-6)
    assert str(iv) == "+3.00 [+1.04, +4.96] (95% CI, n=5)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        iv.mean = 0


@pytest.mark.parametrize("n", [2, 3, 5, 10])
@pytest.mark.parametrize("confidence", [0.8, 0.95, 0.99])
def test_t_interval_and_t_test_match_scipy(n, confidence):
    rng = np.random.default_rng(n)
    a, b = rng.normal(90, 1, n), rng.normal(89.7, 1, n)
    d = stats.paired_differences(a, b)
    iv = stats.t_interval(d, confidence)
    ci = sps.ttest_1samp(d, 0).confidence_interval(confidence)
    assert (iv.low, iv.high) == pytest.approx((ci.low, ci.high), rel=1e-10)
    assert iv.mean == pytest.approx(np.mean(a - b), rel=1e-12)
    assert stats.t_test(d) == pytest.approx(sps.ttest_rel(a, b).pvalue, rel=1e-10)
    # The interval excludes zero exactly when the test rejects at 1 − confidence.
    assert iv.excludes_zero == (stats.t_test(d) < 1 - confidence)


def test_all_differences_equal_give_a_point():
    iv = stats.t_interval([0.1, 0.1, 0.1])
    assert (iv.mean, iv.low, iv.high, iv.sd) == (0.1, 0.1, 0.1, 0.0)  # exact: no rounding noise
    assert stats.verdict(iv) == "clear" and stats.t_test([0.1, 0.1, 0.1]) == 0.0
    zero = stats.t_interval({0: 0.0, 1: 0.0})
    assert (zero.low, zero.high) == (0.0, 0.0)
    assert stats.verdict(zero) == "unclear" and stats.t_test([0.0, 0.0]) == 1.0


def test_t_interval_bad_input():
    with pytest.raises(ValueError, match="at least 2 paired differences.*got 1"):
        stats.t_interval([0.5])
    with pytest.raises(ValueError, match="finite"):
        stats.t_interval([0.5, float("inf")])
    for bad in (0, 1, 1.5, -0.1, True, "0.95"):
        with pytest.raises(ValueError, match="confidence must be a number strictly between 0 and 1"):
            stats.t_interval([1, 2], bad)


# --------------------------------------------------------------------------- sign_flip_test


def test_sign_flip_hand_computed():
    # All 5 positive: only the observed pattern and its full flip reach |sum| = 15 → 2/32.
    assert stats.sign_flip_test([1, 2, 3, 4, 5]) == 0.0625
    # [1, −1]: sums ±1±1 ∈ {2, 0, 0, −2}; observed |sum| = 0, every pattern counts → 1.
    assert stats.sign_flip_test([1, -1]) == 1.0
    # Ties: [1, 1, 1, −1], observed sum 2. The sum of ±1 × 4 is 2·(#plus) − 4:
    # #plus 0..4 → −4, −2, 0, 2, 4 with counts 1, 4, 6, 4, 1; |sum| >= 2 in 1+4+4+1 = 10 of 16.
    assert stats.sign_flip_test([1, 1, 1, -1]) == 10 / 16
    # Mixed, with floating ties: [0.1, 0.2, 0.3, −0.4], observed sum 0.2. The 16 sums of ±.1±.2±.3±.4 are
    # ±1.0, ±0.2 (+.1+.2+.3−.4), ±0.4 (+.1+.2−.3+.4), ±0.4 (+.1+.2−.3−.4), ±0.6, ±0.2 (+.1−.2+.3−.4),
    # 0.0 (+.1−.2−.3+.4), ±0.8, 0.0 (−.1+.2+.3−.4): all but the two zeros have |sum| >= 0.2 → 14/16.
    assert stats.sign_flip_test([0.1, 0.2, 0.3, -0.4]) == 14 / 16
    # [0.3, −0.1, −0.2] sums to about −2.8e-17 in floats: a tie with 0, so p = 1.
    assert stats.sign_flip_test([0.3, -0.1, -0.2]) == 1.0
    # [1, 2, 3]: sums 6, 0, 2, −4, 4, −2, 0, −6; only ±6 reach 6 → 2/8.
    assert stats.sign_flip_test({0: 1, 1: 2, 2: 3}) == 0.25


@pytest.mark.parametrize("n", range(2, 13))
def test_sign_flip_floor_is_two_over_two_to_the_n(n):
    assert stats.sign_flip_test(np.arange(1, n + 1) * 0.1) == 2 / 2**n


def _brute_force_sign_flip(d):
    obs = abs(sum(d))
    sums = [abs(sum(s * x for s, x in zip(signs, d))) for signs in itertools.product((1, -1), repeat=len(d))]
    return sum(s >= obs - 1e-9 for s in sums) / len(sums)


@pytest.mark.parametrize("seed", range(8))
def test_sign_flip_matches_scipy_permutation_test(seed):
    rng = np.random.default_rng(seed)
    n = 2 + seed
    d = rng.normal(0.3, 1, n).round(2)  # rounding makes ties likely
    # Exact (2**n <= n_resamples). By the symmetry of sign flips, scipy's two-sided p
    # 2·min(P(T >= t), P(T <= t)) equals P(|T| >= |t|).
    ref = sps.permutation_test(
        (d,),
        lambda x, axis: np.mean(x, axis=axis),
        vectorized=True,
        permutation_type="samples",
        n_resamples=np.inf,
        alternative="two-sided",
    )
    p = stats.sign_flip_test(d)
    assert p == pytest.approx(ref.pvalue, abs=1e-12)
    assert p == pytest.approx(_brute_force_sign_flip(d.tolist()), abs=1e-12)


def test_sign_flip_size_limit():
    assert stats.sign_flip_test(np.ones(20)) == 2 / 2**20
    with pytest.raises(ValueError, match="n = 21 is more than 20.*Monte Carlo"):
        stats.sign_flip_test(np.ones(21))
    with pytest.raises(ValueError, match="at least 2"):
        stats.sign_flip_test([1.0])


# --------------------------------------------------------------------------- holm


def test_holm_hand_computed():
    # m = 4. Sorted: 0.005 (×4 = 0.02), 0.01 (×3 = 0.03), 0.03 (×2 = 0.06), 0.04 (×1 = 0.04 → max so far 0.06).
    # In input order: [0.03, 0.06, 0.06, 0.02]; rejected at 0.05: [yes, no, no, yes].
    got = stats.holm([0.01, 0.04, 0.03, 0.005])
    assert [r.p_adjusted for r in got] == pytest.approx([0.03, 0.06, 0.06, 0.02], abs=1e-15)
    assert [r.rejected for r in got] == [True, False, False, True]
    assert [r.rank for r in got] == [2, 4, 3, 1]
    assert [r.level for r in got] == pytest.approx([0.05 / 3, 0.05, 0.05 / 2, 0.05 / 4])
    assert got[3].confidence == pytest.approx(1 - 0.0125)


def test_holm_dict_order_step_down_and_cap():
    got = stats.holm({"se": 0.04, "cbam": 0.03})
    assert list(got) == ["se", "cbam"]
    # 0.03 > 0.05/2 stops Holm, so 0.04 is not rejected although 0.04 <= 0.05/1: adjusted 0.06, 0.06.
    assert [r.p_adjusted for r in got.values()] == pytest.approx([0.06, 0.06])
    assert not any(r.rejected for r in got.values())
    assert [r.p_adjusted for r in stats.holm([0.5, 0.6, 0.7])] == [1.0, 1.0, 1.0]
    assert stats.holm([0.01])[0].p_adjusted == 0.01  # one test: no correction


@pytest.mark.parametrize("seed", range(20))
def test_holm_monotone_and_equal_to_the_step_down_rule(seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 9))
    p = rng.uniform(0, 0.1, m) ** rng.uniform(0.5, 2)
    got = stats.holm(p.tolist(), alpha=0.05)
    adj = np.array([r.p_adjusted for r in got])
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(adj[order]) >= 0) and np.all(adj >= p) and np.all(adj <= 1)
    # The step-down rule itself: reject in order while p_(k) <= alpha / (m - k + 1).
    rejected = np.zeros(m, bool)
    for k, i in enumerate(order, start=1):
        if p[i] > 0.05 / (m - k + 1):
            break
        rejected[i] = True
    assert [r.rejected for r in got] == rejected.tolist()


def test_holm_bad_input():
    for bad in (0, 1, -0.05, 1.2, True, None):
        with pytest.raises(ValueError, match="alpha must be a number strictly between 0 and 1"):
            stats.holm([0.01, 0.02], alpha=bad)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\]"):
        stats.holm([0.01, 1.2])
    with pytest.raises(ValueError, match="empty"):
        stats.holm([])
    with pytest.raises(ValueError, match="finite"):
        stats.holm([0.01, float("nan")])


# --------------------------------------------------------------------------- holm_intervals and verdicts


def _with_t_p(p: float, n: int = 5) -> np.ndarray:
    """Differences whose paired t-test p is ``p``: z has mean 0 and sd √2.5, shifted to t = t_{1−p/2}."""
    z = np.arange(n) - (n - 1) / 2
    return z + sps.t.isf(p / 2, n - 1) * np.std(z, ddof=1) / math.sqrt(n)


def test_holm_intervals_levels_and_step_down():
    named = {"se": _with_t_p(0.04), "cbam": _with_t_p(0.03), "big": _with_t_p(1e-4)}
    got = stats.holm_intervals(named)
    assert list(got) == ["se", "cbam", "big"]
    assert [got[k].rank for k in named] == [3, 2, 1]
    assert [got[k].p_t for k in named] == pytest.approx([0.04, 0.03, 1e-4], rel=1e-9)
    # Holm levels alpha / (m − rank + 1) = 0.05/1, 0.05/2, 0.05/3.
    for name, level in [("se", 0.05), ("cbam", 0.025), ("big", 0.05 / 3)]:
        c = got[name]
        assert c.interval.confidence == pytest.approx(1 - level)
        assert c.interval == stats.t_interval(named[name], 1 - level)
        assert c.p_sign_flip == stats.sign_flip_test(named[name])
    assert got["big"].verdict == "clear" and got["big"].interval.excludes_zero
    # cbam: p 0.03 > 0.025, its 97.5% interval holds 0 → unclear, and Holm stops there:
    # se's 95% interval excludes 0 (p 0.04 < 0.05), yet se is unclear too.
    assert not got["cbam"].interval.excludes_zero and got["cbam"].verdict == "unclear"
    assert got["se"].interval.excludes_zero and got["se"].verdict == "unclear"
    assert [got[k].p_holm for k in named] == pytest.approx([0.06, 0.06, 3e-4], rel=1e-9)
    # With 5 seeds the sign-flip p is at least 0.0625 (× 3 after Holm, capped at 1).
    assert all(c.p_sign_flip >= 0.0625 for c in got.values())
    sign_holm = stats.holm({k: c.p_sign_flip for k, c in got.items()})
    assert [c.p_sign_flip_holm for c in got.values()] == [r.p_adjusted for r in sign_holm.values()]


def test_holm_intervals_single_comparison_is_the_plain_interval():
    d = [0.8, 0.4, 0.7, 0.7, 0.3]
    c = stats.holm_intervals({"se": d})["se"]
    assert c.interval == stats.t_interval(d, 0.95) and c.p_holm == c.p_t and c.verdict == "clear"


def test_holm_intervals_bad_input():
    with pytest.raises(ValueError, match="non-empty dict"):
        stats.holm_intervals({})
    with pytest.raises(ValueError, match="non-empty dict"):
        stats.holm_intervals([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="at least 2"):
        stats.holm_intervals({"se": [1.0]})
    with pytest.raises(ValueError, match="alpha"):
        stats.holm_intervals({"se": [1.0, 2.0]}, alpha=1.0)


def test_verdicts_use_the_pairing_not_the_single_run_spread():
    assert set(stats.VERDICTS) == {"clear", "unclear"}
    # Single runs spread by 1.6 points, but SE beats plain by about 0.3 at every seed. (Setting 0.3
    # against the single-run spread would call it noise.)
    plain = np.array([86.0, 89.5, 87.2, 90.1, 88.4])
    se = plain + np.array([0.32, 0.27, 0.35, 0.25, 0.31])
    assert np.std(plain, ddof=1) > 1.5 and np.std(se, ddof=1) > 1.5
    assert stats.verdict(stats.t_interval(stats.paired_differences(se, plain))) == "clear"
    # The same accuracies, unpaired (seeds shuffled), show no clear difference.
    shuffled = stats.paired_differences(se, plain[[1, 2, 3, 4, 0]])
    assert stats.verdict(stats.t_interval(shuffled)) == "unclear"
    with pytest.raises(ValueError, match="needs an Interval"):
        stats.verdict(0.3)


# --------------------------------------------------------------------------- power and seeds


def test_detectable_effect_n6():
    effect = stats.detectable_effect(1.0, 6)
    assert effect == pytest.approx(1.4345, abs=5e-4)
    assert stats.paired_power(effect, 1.0, 6) == pytest.approx(0.8, abs=1e-9)
    # The approximation (t_{0.975,5} + t_{0.8,5}) / √6 = (2.5706 + 0.9195) / 2.4495 = 1.4248: slightly smaller.
    approx = (sps.t.ppf(0.975, 5) + sps.t.ppf(0.8, 5)) / math.sqrt(6)
    assert approx == pytest.approx(1.4248, abs=1e-4) and approx < effect < 1.03 * approx
    # Scales with sd.
    assert stats.detectable_effect(0.25, 6) == pytest.approx(0.25 * effect, rel=1e-9)


def test_detectable_effect_by_simulation():
    # Simulate the paired t-test at the detectable effect: it must reject in about 80% of experiments.
    n, sd = 6, 0.4
    effect = stats.detectable_effect(sd, n)
    rng = np.random.default_rng(1)
    d = rng.normal(effect, sd, size=(40_000, n))
    t = d.mean(1) / (d.std(1, ddof=1) / math.sqrt(n))
    rate = np.mean(np.abs(t) > sps.t.ppf(0.975, n - 1))
    assert rate == pytest.approx(0.8, abs=0.01)  # binomial sd 0.002
    # And at effect 0 the test rejects in about alpha of them.
    d0 = d - effect
    t0 = d0.mean(1) / (d0.std(1, ddof=1) / math.sqrt(n))
    assert np.mean(np.abs(t0) > sps.t.ppf(0.975, n - 1)) == pytest.approx(0.05, abs=0.006)
    assert stats.paired_power(0.0, sd, n) == pytest.approx(0.05, abs=1e-12)


def test_seeds_needed_known_table_values():
    # Standard one-sample / paired t-test table (e.g. G*Power), alpha 0.05 two-sided, power 0.8:
    # effect/sd 0.5 → 34, 1.0 → 10.
    assert stats.seeds_needed(0.5, 1.0) == 34
    assert stats.seeds_needed(1.0, 1.0) == 10
    assert stats.seeds_needed(-0.2, 0.4) == 34
    assert stats.seeds_needed(100.0, 1.0) == 2
    for effect, sd in [(0.3, 0.5), (1.0, 0.7), (0.05, 0.1)]:
        n = stats.seeds_needed(effect, sd)
        assert stats.paired_power(effect, sd, n) >= 0.8 > stats.paired_power(effect, sd, n - 1)
        assert stats.detectable_effect(sd, n) <= effect < stats.detectable_effect(sd, n - 1)


def test_power_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        stats.detectable_effect(1.0, 6, alpha=0)
    with pytest.raises(ValueError, match="alpha"):
        stats.seeds_needed(1.0, 1.0, alpha=1.0)
    with pytest.raises(ValueError, match="power must exceed alpha"):
        stats.detectable_effect(1.0, 6, alpha=0.05, power=0.05)
    with pytest.raises(ValueError, match="power must be a number strictly between 0 and 1"):
        stats.detectable_effect(1.0, 6, power=1.0)
    with pytest.raises(ValueError, match="sd must be a finite number > 0"):
        stats.detectable_effect(0.0, 6)
    with pytest.raises(ValueError, match="integer >= 2"):
        stats.detectable_effect(1.0, 1)
    with pytest.raises(ValueError, match="integer >= 2"):
        stats.paired_power(1.0, 1.0, 5.0)
    with pytest.raises(ValueError, match="effect must be a finite number ≠ 0"):
        stats.seeds_needed(0.0, 1.0)
    with pytest.raises(ValueError, match="too small"):
        stats.seeds_needed(1e-5, 1.0)


# --------------------------------------------------------------------------- module


def test_module_docstring_example():
    assert doctest.testmod(stats).failed == 0


def test_import_does_not_load_scipy():
    code = "import sys, se_tutorial.stats; print('scipy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
