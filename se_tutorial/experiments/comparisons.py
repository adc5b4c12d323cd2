"""Statistics on stored results: per-seed paired differences and families of comparisons.

The formulas live in :mod:`se_tutorial.stats`; this room only pairs the stored runs of two
designs by seed and hands their differences over.
"""

from __future__ import annotations

from .. import stats


def differences(a: dict, b: dict, outcome: str = "test_accuracy") -> dict[int, float]:
    """Seed → ``a``'s outcome minus ``b``'s, for two designs trained at the same budget.

    Args:
        a, b: sections from :func:`~se_tutorial.experiments.load_results` (their ``runs``).
        outcome: a key of every run: ``"test_accuracy"`` (points), ``"test_loss"``, ``"train_loss"``;
            or ``"epoch1_train_loss"``, the training loss of the first epoch (runs with curves).

    Returns:
        dict seed → difference, over the seeds both designs have (at least 2), in seed order.
    """
    va, vb = _outcome(a, outcome), _outcome(b, outcome)
    seeds = sorted(set(va) & set(vb))
    if len(seeds) < 2:
        raise ValueError(
            f"the two designs share {len(seeds)} seed(s) ({seeds}); a paired comparison needs at "
            f"least 2. Run the missing seeds (python -m se_tutorial.experiments --resume ...)."
        )
    return stats.paired_differences({s: va[s] for s in seeds}, {s: vb[s] for s in seeds})


def _outcome(section: dict, outcome: str) -> dict[int, float]:
    if outcome == "epoch1_train_loss":
        missing = [r["seed"] for r in section["runs"] if not r.get("curves")]
        if missing:
            raise ValueError(f"seeds {missing} have no learning curves; they need a budget with a held-out part.")
        return {r["seed"]: r["curves"][0]["train_loss"] for r in section["runs"]}
    if any(outcome not in r for r in section["runs"]):
        raise ValueError(
            f"unknown outcome {outcome!r}; expected 'test_accuracy', 'test_loss', 'train_loss' or 'epoch1_train_loss'."
        )
    return {r["seed"]: r[outcome] for r in section["runs"]}


def compare(results: dict, pairs, *, outcome: str = "test_accuracy", alpha: float = 0.05) -> dict:
    """A family of paired comparisons with Holm's correction.

    Args:
        results: name → section, as :func:`~se_tutorial.experiments.load_results` returns.
        pairs: ``(a, b)`` name pairs; each compares ``a − b``.
        outcome: see :func:`differences`.
        alpha: the family-wise error rate.

    Returns:
        dict ``"a − b"`` → :class:`se_tutorial.stats.Comparison` (interval at its Holm level,
        t and sign-flip p-values with their Holm-adjusted values, verdict ``"clear"``/``"unclear"``),
        in the order of ``pairs``. One pair gives the plain 95% interval.
    """
    pairs = [tuple(p) for p in pairs]
    missing = sorted({n for p in pairs for n in p if n not in results})
    if missing:
        raise ValueError(f"no stored results for {missing}; stored: {sorted(results)}.")
    named = {f"{a} − {b}": differences(results[a], results[b], outcome) for a, b in pairs}
    return stats.holm_intervals(named, alpha)
