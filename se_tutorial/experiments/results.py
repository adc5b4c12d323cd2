"""Results files: one JSON file per design, one section per budget; reading them back; tolerances."""

from __future__ import annotations

import json
import os
import platform
import statistics
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import torch

from .configs import CONFIGS, Budget, Config, _config

# --------------------------------------------------------------------------- results


def machine() -> dict:
    """The CPU, its core count and the library versions: what a result depends on."""
    from .. import __version__
    from ..env import cpu_name

    cpu = cpu_name()
    import torchvision

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.system(),
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "se_tutorial": __version__,
        },
    }


def seed_summary(budget: Budget, runs: list[dict]) -> dict:
    """One design's runs at one budget, read over seeds: ``budget``, ``seeds``, ``test_accuracy``
    (per seed), ``mean`` and ``std`` (over seeds, n − 1 in the denominator), and the ``runs``."""
    runs = sorted(runs, key=lambda r: r["seed"])
    acc = [r["test_accuracy"] for r in runs]
    return {
        "budget": asdict(budget),
        "seeds": [r["seed"] for r in runs],
        "test_accuracy": acc,
        "mean": round(statistics.fmean(acc), 4),
        "std": round(statistics.stdev(acc), 4) if len(acc) > 1 else 0.0,
        "runs": runs,
    }


def summarize(name: str, budget: Budget, runs: list[dict], *, jobs: int, command: str) -> dict:
    """The record of one configuration at one budget: :func:`seed_summary` and where it came from.

    ``run_seconds`` is the time its runs took, added up (training and testing).
    """
    info = machine()
    return {
        **seed_summary(budget, runs),
        "run_seconds": round(sum(r["seconds"] for r in runs), 1),
        "parallel_jobs": jobs,
        "machine": {k: v for k, v in info.items() if k != "versions"},
        "versions": info["versions"],
        "command": command,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def result_path(out, name: str) -> Path:
    """``out/<name>.json``."""
    return Path(out) / f"{name}.json"


@contextmanager
def _locked(folder: Path):
    """Hold ``folder/.lock`` while a results file is read, changed and written back, so that two
    commands running at once (e.g. two budgets) do not overwrite each other's sections.
    Where the system has no ``fcntl`` (Windows) there is no lock: run one command at a time there."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(folder / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_json(path: Path, data) -> None:
    """Write atomically: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)


def write_result(out, name: str, record: dict) -> Path:
    """Write ``record`` as the ``record["budget"]["name"]`` section of ``out/<name>.json``.

    The file holds the configuration and one section per budget; other budgets'
    sections are kept, also when another command writes the same file at the same time.
    """
    path = result_path(out, name)
    with _locked(path.parent):
        data = json.loads(path.read_text()) if path.is_file() else {}
        data["name"] = name
        data["config"] = asdict(CONFIGS[name])
        budgets = data.setdefault("budgets", {})
        budgets[record["budget"]["name"]] = record
        data["budgets"] = dict(sorted(budgets.items()))
        _write_json(path, data)
    return path


def load_results(out="data/results", budget: str = "short", names=None) -> dict[str, dict]:
    """Read every ``out/<name>.json`` that has a ``budget`` section: name → that section.

    ``names`` limits the reading to those configurations (e.g. ``SUITES["05"]``); by
    default every configuration of :data:`CONFIGS` is looked for.

    Each section has ``seeds``, ``test_accuracy`` (per seed), ``mean``, ``std``,
    ``runs``, ``budget``, ``machine``, ``versions``, ``command``, ``run_seconds``.
    """
    results = {}
    for name in CONFIGS if names is None else names:
        _config(name)
        path = result_path(out, name)
        if path.is_file():
            section = json.loads(path.read_text()).get("budgets", {}).get(budget)
            if section is not None:
                results[name] = section
    return results


def _normal(obj):
    """``obj`` as JSON would give it back (tuples become lists)."""
    return json.loads(json.dumps(obj))


def _stored_config(config: dict | None) -> dict | None:
    """A stored configuration, with the fields added to :class:`Config` since it was stored at their defaults."""
    if config is None:
        return None
    return {**_normal(asdict(Config())), **config}


def stored_runs(out, name: str, budget: Budget) -> list[dict]:
    """The runs already in ``out/<name>.json`` for this configuration and budget settings.

    Only runs made with the same configuration and the same budget settings (apart
    from the list of seeds) count; others are ignored.
    """
    path = result_path(out, name)
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    section = data.get("budgets", {}).get(budget.name)
    if section is None or _stored_config(data.get("config")) != _normal(asdict(CONFIGS[name])):
        return []

    def settings(b: dict) -> dict:
        return {k: v for k, v in _normal(b).items() if k != "seeds"}

    if settings(section["budget"]) != settings(asdict(budget)):
        return []
    return [r for r in section["runs"] if r["seed"] in budget.seeds]


@dataclass(frozen=True)
class Tolerance:
    """How far a re-run may land from a stored result made on another machine.

    The same seed on the same machine gives the same weights bit for bit, but another
    CPU (AVX-512 or AVX2 kernels), another thread count or oneDNN add the same numbers in
    another order, and training amplifies those last-digit differences. Measured at the tiny
    budget for seeds 0-29 under three sets of CPU kernels (AVX-512, AVX2, and no AVX with oneDNN
    limited to SSE4.1; data/results/kernels.json, scripts/measure_kernel_differences.py), 180
    seed-by-seed comparisons: accuracy differences with a standard deviation of 1.2 points and
    the largest 5.3; means over 3 seeds up to 2.0 points apart; training losses up to 7 % apart
    (a few runs of the plain network diverge more than the rest). Each tolerance is about 1.4
    times the largest difference measured; tests/test_experiments.py checks that every measured
    pair agrees within it.

    Attributes:
        seed_points: one seed's test accuracy, in points.
        mean_points: the mean accuracy over the budget's seeds, in points.
        loss_relative: one seed's final training loss, as a fraction of the stored one.
    """

    seed_points: float = 7.5
    mean_points: float = 3.0
    loss_relative: float = 0.10


TOLERANCE = Tolerance()


def agrees(live: list[dict], stored: dict, tolerance: Tolerance = TOLERANCE) -> list[str]:
    """Compare re-runs with a stored record, within ``tolerance``; return the disagreements.

    Args:
        live: runs as :func:`run_one` returns them (any subset of the stored seeds).
        stored: one configuration's record at one budget (see :func:`load_results`).

    Returns:
        One sentence per value outside its tolerance; an empty list when all agree.
        The mean is compared only when every stored seed was re-run.
    """
    by_seed = {r["seed"]: r for r in stored["runs"]}
    problems = []
    for run in live:
        if run["seed"] not in by_seed:
            raise ValueError(f"seed {run['seed']} is not stored; stored seeds: {sorted(by_seed)}.")
        ref = by_seed[run["seed"]]
        gap = run["test_accuracy"] - ref["test_accuracy"]
        if abs(gap) > tolerance.seed_points:
            problems.append(
                f"seed {run['seed']}: accuracy {run['test_accuracy']:.2f}% vs {ref['test_accuracy']:.2f}% "
                f"stored ({gap:+.2f} points; tolerance {tolerance.seed_points})"
            )
        loss_gap = run["train_loss"] / ref["train_loss"] - 1
        if abs(loss_gap) > tolerance.loss_relative:
            problems.append(
                f"seed {run['seed']}: training loss {run['train_loss']:.4f} vs {ref['train_loss']:.4f} "
                f"stored ({100 * loss_gap:+.1f} %; tolerance {100 * tolerance.loss_relative:.0f} %)"
            )
    if live and sorted(r["seed"] for r in live) == sorted(by_seed):
        gap = statistics.fmean(r["test_accuracy"] for r in live) - stored["mean"]
        if abs(gap) > tolerance.mean_points:
            problems.append(
                f"mean accuracy {gap:+.2f} points from the stored {stored['mean']:.2f}% "
                f"(tolerance {tolerance.mean_points})"
            )
    return problems


def log_invocation(out, entry: dict) -> Path:
    """Append ``entry`` (what one command ran, and its wall time) to ``out/runs.json``."""
    path = Path(out) / "runs.json"
    with _locked(path.parent):
        entries = json.loads(path.read_text()) if path.is_file() else []
        entries.append(entry)
        _write_json(path, entries)
    return path
