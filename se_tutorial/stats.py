"""Statistics for comparing two network designs trained with paired seeds.

At each seed, design A and design B start from the same weights and see the same data,
so the seed's difference ``a_i − b_i`` cancels most of the seed-to-seed luck. Every
statistic here works on those per-seed differences:

    paired_differences(a, b)            → the per-seed differences a_i − b_i
    t_interval(d, confidence=0.95)      → Interval(mean, low, high, confidence, n, sd): mean ± t · s/√n
    t_test(d)                           → two-sided p of the paired t-test (H0: mean difference 0)
    sign_flip_test(d)                   → exact two-sided sign-flip p (no normality assumed)
    holm(p_values, alpha=0.05)          → Holm–Bonferroni adjusted p-values and rejections
    holm_intervals(named_d, alpha=0.05) → per comparison: interval at its Holm level, p-values, verdict
    verdict(interval)                   → "clear" or "unclear" (see VERDICTS)
    paired_power(effect, sd, n)         → power of the two-sided paired t-test
    detectable_effect(sd, n)            → smallest true mean difference found with the given power
    seeds_needed(effect, sd)            → smallest number of seeds that finds ``effect`` with that power

A verdict sets the mean paired difference against the uncertainty of that mean (its
interval), never against the standard deviation of single runs: that ignores the
pairing, which is what makes paired seeds worth having.

Worked example: test accuracy (%) of a plain network and its SE version at five seeds.

>>> from se_tutorial import stats
>>> plain = {0: 88.1, 1: 87.6, 2: 88.4, 3: 87.9, 4: 88.0}
>>> se    = {0: 88.9, 1: 88.0, 2: 89.1, 3: 88.6, 4: 88.3}
>>> d = stats.paired_differences(se, plain)        # seed → SE minus plain
>>> [round(x, 2) for x in d.values()]
[0.8, 0.4, 0.7, 0.7, 0.3]
>>> iv = stats.t_interval(d)
>>> print(iv)
+0.58 [+0.31, +0.85] (95% CI, n=5)
>>> stats.verdict(iv)
'clear'

The single runs vary by about 0.3 points (plain) and 0.4 (SE), yet every seed favours
SE: the pairing removes the luck the two share (setting 0.58 against the single-run standard deviation
instead would call it merely "suggestive"). The sign-flip test needs no normality,
but with 5 seeds its smallest possible p is 2/2⁵:

>>> stats.sign_flip_test(d)
0.0625

How small a true difference could 5 seeds with this standard deviation of differences find (80% power)?

>>> round(stats.detectable_effect(iv.sd, n=5), 2)
0.36
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = [
    "VERDICTS",
    "MAX_EXACT_SIGN_FLIP",
    "MAX_SEEDS",
    "Interval",
    "HolmResult",
    "Comparison",
    "paired_differences",
    "t_interval",
    "t_test",
    "sign_flip_test",
    "holm",
    "holm_intervals",
    "verdict",
    "paired_power",
    "detectable_effect",
    "seeds_needed",
]

#: The verdict words, each with its one-line meaning.
VERDICTS = {
    "clear": "the (corrected) confidence interval of the mean paired difference excludes zero: its sign is settled",
    "unclear": "the interval contains zero: these seeds cannot tell which design is better",
}

#: The largest number of differences :func:`sign_flip_test` enumerates (2**20 sign patterns).
MAX_EXACT_SIGN_FLIP = 20

#: :func:`seeds_needed` gives up beyond this many seeds.
MAX_SEEDS = 2**24


# --------------------------------------------------------------------------- input checks


def _values(name: str, values) -> np.ndarray:
    """``values`` (a sequence, 1-D array or dict → its values) as a 1-D float array of finite numbers."""
    if isinstance(values, Mapping):
        values = list(values.values())
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a sequence of numbers; got the string {values!r}.")
    if hasattr(values, "__array__"):  # NumPy arrays, CPU tensors
        arr = np.asarray(values)
        if arr.ndim != 1 or arr.dtype.kind not in "iuf":
            raise ValueError(f"{name} must be 1-D and of a real number type; got shape {arr.shape}, dtype {arr.dtype}.")
    else:
        try:
            values = list(values)
        except TypeError:
            raise ValueError(f"{name} must be a sequence of numbers; got {values!r}.") from None
        bad = [v for v in values if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real)]
        if bad:
            raise ValueError(f"{name} must hold real numbers; got {bad[0]!r} ({type(bad[0]).__name__}).")
        arr = np.asarray(values, dtype=float)
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite; got {arr.tolist()} (NaN or inf: a failed run?).")
    return arr


def _differences(differences, minimum: int = 2) -> np.ndarray:
    d = _values("differences", differences)
    if len(d) < minimum:
        raise ValueError(
            f"need at least {minimum} paired differences (one per seed) to measure their standard "
            f"deviation; got {len(d)}."
        )
    return d


def _probability(name: str, value) -> float:
    """``value`` as a float strictly between 0 and 1, else a ValueError."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and 0 < value < 1
    if not ok:
        raise ValueError(f"{name} must be a number strictly between 0 and 1; got {value!r}.")
    return float(value)


def _positive(name: str, value) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and 0 < value < math.inf
    if not ok:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")
    return float(value)


def _seeds(n) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n (the number of seeds) must be an integer >= 2; got {n!r}.")
    return int(n)


# --------------------------------------------------------------------------- differences and intervals


def paired_differences(a, b) -> list[float] | dict:
    """The per-seed differences ``a_i − b_i`` of two paired designs.

    Args:
        a, b: the results (e.g. test accuracies) of designs A and B, either as two
            equal-length sequences (paired by position) or as two dicts seed → value
            (paired by seed; both must have the same seeds). At least 2 pairs.

    Returns:
        A list of floats for sequences; for dicts, a dict seed → difference in ``a``'s order.
    """
    if isinstance(a, Mapping) != isinstance(b, Mapping):
        raise ValueError(
            "a and b must both be dicts seed → value or both be sequences; got "
            f"{type(a).__name__} and {type(b).__name__}."
        )
    if isinstance(a, Mapping):
        only_a, only_b = [s for s in a if s not in b], [s for s in b if s not in a]
        if only_a or only_b:
            raise ValueError(
                f"a and b must have the same seeds to be paired; seeds only in a: {only_a}, only in b: {only_b}."
            )
        seeds = list(a)
        va, vb = _values("a", [a[s] for s in seeds]), _values("b", [b[s] for s in seeds])
    else:
        va, vb = _values("a", a), _values("b", b)
        if len(va) != len(vb):
            raise ValueError(f"a and b must have equal lengths (one value per seed); got {len(va)} and {len(vb)}.")
    if len(va) < 2:
        raise ValueError(f"need at least 2 pairs (seeds) to compare two designs; got {len(va)}.")
    d = (va - vb).tolist()
    return dict(zip(seeds, d)) if isinstance(a, Mapping) else d


@dataclass(frozen=True)
class Interval:
    """A mean paired difference with its two-sided confidence interval ``[low, high]``.

    ``sd`` is the sample standard deviation of the ``n`` differences (ddof 1).
    """

    mean: float
    low: float
    high: float
    confidence: float
    n: int
    sd: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0

    def __str__(self) -> str:
        return f"{self.mean:+.2f} [{self.low:+.2f}, {self.high:+.2f}] ({100 * self.confidence:.4g}% CI, n={self.n})"


def _mean_sd(d: np.ndarray) -> tuple[float, float]:
    """Mean and sample sd; exactly (value, 0) when all differences are equal (no rounding noise)."""
    if np.all(d == d[0]):
        return float(d[0]), 0.0
    return float(np.mean(d)), float(np.std(d, ddof=1))


def t_interval(differences, confidence: float = 0.95) -> Interval:
    """The mean paired difference and its two-sided t-interval.

        mean ± t_{1−α/2, n−1} · sd / √n,     α = 1 − confidence

    Args:
        differences: per-seed differences (sequence, 1-D array, or dict seed → difference), n >= 2.
        confidence: in (0, 1).

    Returns:
        :class:`Interval`. When all differences are equal (sd = 0) the interval is the
        point ``[mean, mean]``: the data show no variation to widen it (with few seeds,
        :func:`sign_flip_test` is then the more cautious check).
    """
    from scipy import stats

    d = _differences(differences)
    confidence = _probability("confidence", confidence)
    n = len(d)
    mean, sd = _mean_sd(d)
    half = float(stats.t.ppf(1 - (1 - confidence) / 2, n - 1)) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, confidence, n, sd)


def t_test(differences) -> float:
    """Two-sided p-value of the paired t-test, H0: the true mean difference is 0.

    ``p < alpha`` exactly when ``t_interval(differences, 1 − alpha)`` excludes zero. With
    sd = 0, p is 0 if the mean is not 0, else 1.
    """
    from scipy import stats

    d = _differences(differences)
    n = len(d)
    mean, sd = _mean_sd(d)
    if sd == 0:
        return 0.0 if mean != 0 else 1.0
    return float(2 * stats.t.sf(abs(mean) / (sd / math.sqrt(n)), n - 1))


def sign_flip_test(differences) -> float:
    """Exact two-sided sign-flip (paired permutation) p-value.

    Under H0 (no difference between the designs) each difference is as likely to be
    positive as negative. The test enumerates all 2**n sign patterns and returns the share
    whose |mean| is at least the observed |mean| (with a relative tolerance of 1e-9 of
    ``sum(|d|)``, so that floating ties count as ties).

    The observed pattern and its full flip always count, so **p >= 2 / 2**n**: with n seeds
    a design can never reach p < 2/2**n (n = 5: 0.0625, so never p < 0.05; n = 6: 0.03125).

    Args:
        differences: per-seed differences, 2 <= n <= MAX_EXACT_SIGN_FLIP (20).

    Raises:
        ValueError: for n > 20 (more than a million patterns); use a Monte Carlo
            sign-flip test then, e.g. ``scipy.stats.permutation_test((d,), np.mean,
            permutation_type='samples', n_resamples=100_000, rng=0)``.
    """
    d = _differences(differences)
    n = len(d)
    if n > MAX_EXACT_SIGN_FLIP:
        raise ValueError(
            f"the exact sign-flip test enumerates 2**n sign patterns; n = {n} is more than "
            f"{MAX_EXACT_SIGN_FLIP}. Use a Monte Carlo sign-flip test instead, e.g. "
            "scipy.stats.permutation_test((d,), np.mean, permutation_type='samples', "
            "n_resamples=100_000, rng=0)."
        )
    sums = np.zeros(1)
    for x in d:  # the sums of all 2**n sign patterns, built one difference at a time
        sums = np.concatenate([sums + x, sums - x])
    tol = 1e-9 * float(np.sum(np.abs(d)))
    return float(np.mean(np.abs(sums) >= abs(float(np.sum(d))) - tol))


# --------------------------------------------------------------------------- several comparisons


@dataclass(frozen=True)
class HolmResult:
    """One hypothesis in a Holm–Bonferroni procedure.

    ``rank`` 1 is the smallest p; ``level = alpha / (m − rank + 1)`` is Holm's threshold
    for it, and ``1 − level`` the matching confidence level of its interval.
    """

    p: float
    p_adjusted: float
    rank: int
    level: float
    rejected: bool

    @property
    def confidence(self) -> float:
        return 1 - self.level


def holm(p_values, alpha: float = 0.05) -> list[HolmResult] | dict[str, HolmResult]:
    """Holm–Bonferroni step-down correction for m tests.

    Sort the p-values, p_(1) <= … <= p_(m). The adjusted p-values are

        p̃_(k) = min(1, max_{j <= k} (m − j + 1) · p_(j))

    (monotone in k, capped at 1), and hypothesis k is rejected when p̃_(k) <= alpha, which
    is Holm's rule: reject while p_(k) <= alpha / (m − k + 1), stop at the first that is not.
    This controls the family-wise error rate at ``alpha``. (``scipy.stats.false_discovery_control``
    is Benjamini–Hochberg, which controls a different error.)

    Args:
        p_values: a sequence of p-values or a dict name → p.
        alpha: the family-wise error rate, in (0, 1).

    Returns:
        :class:`HolmResult` per p-value, in the input order: a list, or a dict name → result.
        Ties in p are ranked in input order.
    """
    alpha = _probability("alpha", alpha)
    names = list(p_values) if isinstance(p_values, Mapping) else None
    p = _values("p_values", p_values)
    if len(p) == 0:
        raise ValueError("p_values is empty.")
    if np.any((p < 0) | (p > 1)):
        raise ValueError(f"p-values must lie in [0, 1]; got {p.tolist()}.")
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    results = [None] * m
    for k, (i, adj) in enumerate(zip(order, adjusted), start=1):
        results[i] = HolmResult(float(p[i]), float(adj), k, alpha / (m - k + 1), bool(adj <= alpha))
    return dict(zip(names, results)) if names is not None else results


@dataclass(frozen=True)
class Comparison:
    """One comparison in :func:`holm_intervals`.

    ``interval`` is the t-interval at the comparison's Holm confidence level; ``p_t`` the
    paired t-test p and ``p_holm`` its Holm-adjusted value (the verdict's test);
    ``p_sign_flip`` the exact sign-flip p and ``p_sign_flip_holm`` its Holm-adjusted value
    (a check that assumes no normality).
    """

    interval: Interval
    rank: int
    p_t: float
    p_holm: float
    p_sign_flip: float
    p_sign_flip_holm: float
    verdict: str


def holm_intervals(named_differences: Mapping, alpha: float = 0.05) -> dict[str, Comparison]:
    """Several paired comparisons at once, each with its interval at its Holm level.

    The comparisons are ranked by their paired t-test p (rank 1 = smallest p). Of m
    comparisons, the one of rank k gets the t-interval at confidence
    ``1 − alpha / (m − k + 1)``: the interval excludes zero exactly when Holm's test at
    that rank rejects. A comparison is "clear" when its interval and those of all
    smaller ranks exclude zero (Holm stops at the first that does not), i.e. when
    ``p_holm <= alpha``; otherwise "unclear". With one comparison this is the plain
    ``1 − alpha`` interval.

    These intervals match Holm's decisions; they are not simultaneous intervals for all
    m means (for that, use confidence ``1 − alpha / m`` for every one: Bonferroni).

    Args:
        named_differences: dict name → per-seed differences (each as for :func:`t_interval`).
        alpha: the family-wise error rate, in (0, 1).

    Returns:
        dict name → :class:`Comparison`, in the input order.
    """
    alpha = _probability("alpha", alpha)
    if not isinstance(named_differences, Mapping) or not named_differences:
        raise ValueError(
            f"named_differences must be a non-empty dict name → per-seed differences; got {named_differences!r}."
        )
    d = {name: _differences(v) for name, v in named_differences.items()}
    by_t = holm({name: t_test(v) for name, v in d.items()}, alpha)
    by_sign = holm({name: sign_flip_test(v) for name, v in d.items()}, alpha)
    intervals = {name: t_interval(d[name], by_t[name].confidence) for name in d}
    clear, result = True, {}
    for name in sorted(d, key=lambda name: by_t[name].rank):
        clear = clear and intervals[name].excludes_zero
        result[name] = Comparison(
            intervals[name],
            by_t[name].rank,
            by_t[name].p,
            by_t[name].p_adjusted,
            by_sign[name].p,
            by_sign[name].p_adjusted,
            "clear" if clear else "unclear",
        )
    return {name: result[name] for name in d}


def verdict(interval: Interval) -> str:
    """``"clear"`` if the interval excludes zero, else ``"unclear"`` (see :data:`VERDICTS`).

    For several comparisons, pass intervals at corrected levels (:func:`holm_intervals`).
    """
    if not isinstance(interval, Interval):
        raise ValueError(f"verdict needs an Interval (from t_interval); got {type(interval).__name__}.")
    return "clear" if interval.excludes_zero else "unclear"


# --------------------------------------------------------------------------- planning: power and seeds


def paired_power(effect: float, sd: float, n: int, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test at level ``alpha`` with n seeds.

    With true mean difference ``effect`` and per-seed difference standard deviation ``sd``,
    the t statistic follows a noncentral t with n − 1 degrees of freedom and noncentrality
    ``effect · √n / sd``; power = P(|T| > t_{1−α/2, n−1}).
    """
    from scipy import stats

    if isinstance(effect, (bool, np.bool_)) or not isinstance(effect, numbers.Real) or not math.isfinite(effect):
        raise ValueError(f"effect must be a finite number; got {effect!r}.")
    sd, n, alpha = _positive("sd", sd), _seeds(n), _probability("alpha", alpha)
    df, nc = n - 1, abs(effect) * math.sqrt(n) / sd
    crit = stats.t.ppf(1 - alpha / 2, df)
    # The lower tail P(T < −crit) as sf(crit, df, −nc): SciPy's nct.cdf returns NaN far in that tail.
    return float(stats.nct.sf(crit, df, nc) + stats.nct.sf(crit, df, -nc))


def detectable_effect(sd: float, n: int, alpha: float = 0.05, power: float = 0.8) -> float:
    """The smallest true mean difference that n paired seeds detect with the given power.

    Solves ``paired_power(effect, sd, n, alpha) = power`` (exact noncentral-t power) for
    ``effect`` (in the units of ``sd``). A simpler approximation, which comes out a little
    smaller for few seeds, is

        (t_{1−α/2, n−1} + t_{power, n−1}) · sd / √n

    (n = 6, sd = 1: exact 1.43, approximation 1.42).

    Args:
        sd: standard deviation of the per-seed differences (> 0), e.g. ``t_interval(d).sd``.
        n: number of seeds (>= 2).
        alpha: two-sided significance level, in (0, 1).
        power: in (alpha, 1): the power at effect 0 is alpha.
    """
    from scipy import optimize

    sd, n, alpha = _positive("sd", sd), _seeds(n), _probability("alpha", alpha)
    power = _probability("power", power)
    if power <= alpha:
        raise ValueError(f"power must exceed alpha ({alpha}): a test has power alpha at effect 0; got {power}.")
    high = sd
    while paired_power(high, sd, n, alpha) < power:
        high *= 2
    return float(optimize.brentq(lambda e: paired_power(e, sd, n, alpha) - power, 0.0, high, xtol=1e-12 * high))


def seeds_needed(effect: float, sd: float, alpha: float = 0.05, power: float = 0.8) -> int:
    """The smallest number of seeds n (>= 2) whose paired t-test detects ``effect`` with ``power``.

    Args:
        effect: the true mean difference to detect (≠ 0; its sign does not matter).
        sd: standard deviation of the per-seed differences (> 0).
        alpha, power: as for :func:`detectable_effect`.
    """
    sd, alpha, power = _positive("sd", sd), _probability("alpha", alpha), _probability("power", power)
    if (
        isinstance(effect, (bool, np.bool_))
        or not isinstance(effect, numbers.Real)
        or not effect
        or not math.isfinite(effect)
    ):
        raise ValueError(f"effect must be a finite number ≠ 0; got {effect!r}.")
    if power <= alpha:
        raise ValueError(f"power must exceed alpha ({alpha}): a test has power alpha at effect 0; got {power}.")

    def ok(n: int) -> bool:
        return paired_power(effect, sd, n, alpha) >= power

    low, high = 1, 2  # power grows with n: double until enough, then bisect (ok(low) is False or low = 1)
    while not ok(high):
        if high >= MAX_SEEDS:
            raise ValueError(f"effect {effect!r} is too small against sd {sd!r}: more than {MAX_SEEDS:,} seeds needed.")
        low, high = high, 2 * high
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if ok(mid) else (mid, high)
    return high
