"""Does SE help? The paper's ablations (Tables 10–14), and the modules that followed SE, at a scale a laptop can afford.

Every experiment trains the course's small ResNet (widths 16-32-64, one basic block
per stage) on a fixed part of Fashion-MNIST (the first 15,000 training images, 3 epochs),
once per seed, and measures its accuracy on the 10,000 test images. Named configurations change one thing at a time against the SE baseline
(``"se"``: SE in every block, standard position, r = 4, average squeeze, sigmoid gate).
Notebook 05 uses the suite ``"05"`` (the ablations); notebook 07 the suite ``"07"``: the
plain network, SE, and the modules of :mod:`se_tutorial.attention` each in SE's place. The suite
``"cue"`` trains plain and SE on the two-garment cue task of :mod:`se_tutorial.cue_task`
(``Config.task``), where which features matter depends on a cue elsewhere in the image.

Command line (results go to ``data/results/<name>.json``, one file per configuration; each
command also appends what it ran and its wall time to ``data/results/runs.json``):

    python -m se_tutorial.experiments --budget short --out data/results/     # all of them (~65 min on 2 quiet cores)
    python -m se_tutorial.experiments --budget tiny --out data/results/     # seconds: checks that the code runs
    python -m se_tutorial.experiments --only plain,se --budget short --out data/results/
    python -m se_tutorial.experiments --suite 07 --resume --costs --budget short --out data/results/
    python -m se_tutorial.experiments --resume ...   # keep stored seeds, run only missing ones
    python -m se_tutorial.experiments --list

Paired seeds: for a given seed, every configuration starts from the same convolution
weights (SE modules are added after the plain network is built) and sees the same
images in the same order with the same augmentation. Differences between two
configurations at one seed are therefore due to the configuration, plus the chaos of
training; the spread over seeds measures the latter.

Reproducible: each run uses ``budget.threads`` torch threads (1 by default) and fixed
seeds, so the same machine gives the same accuracy, bit for bit. Several runs go in
parallel processes (``--jobs``), which does not change any result.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import torch

from ._validate import check_choice, check_positive_int
from . import attention as _attention
from .models import SE_VARIANTS, add_gates, small_resnet

# --------------------------------------------------------------------------- configurations


@dataclass(frozen=True)
class Config:
    """One network to train: a small ResNet with SE placed and shaped as given.

    Attributes:
        se: where SE sits in each residual block: ``None`` (plain network),
            ``"standard"``, ``"pre"``, ``"post"`` or ``"identity"`` (the paper's Table 14).
        reduction: SE's ratio r (hidden width ``max(1, C // r)``).
        squeeze: ``"avg"`` or ``"max"`` (Table 11).
        gate: ``"sigmoid"``, ``"tanh"`` or ``"relu"`` (Table 12).
        stages: the stages (1, 2, 3) whose blocks get SE (Table 13).
        widths, blocks: the small ResNet's stage widths and blocks per stage.
        attention: ``None`` for SE itself, or a module of :mod:`se_tutorial.attention`
            (``"spatial"``, ``"cbam"``, ``"eca"``, ``"scse"``, ``"coord"``) put where SE goes,
            built with ``reduction`` (``squeeze`` and ``gate`` apply to SE only).
        gate_start: ``None`` for SE's usual start (every weight near 0.5 with a sigmoid
            gate), or the value every SE weight starts near: ``fc2``'s bias is set to
            ``logit(gate_start)`` (its weights are left as they are), so SE starts almost open.
        task: ``"fashion"`` (Fashion-MNIST, 1 input channel) or ``"cue"`` (the two-garment cue task
            of :mod:`se_tutorial.cue_task`, 2 input channels; see :func:`task_data`).
    """

    se: str | None = "standard"
    reduction: int = 4
    squeeze: str = "avg"
    gate: str = "sigmoid"
    stages: tuple[int, ...] = (1, 2, 3)
    widths: tuple[int, ...] = (16, 32, 64)
    blocks: tuple[int, ...] = (1, 1, 1)
    attention: str | None = None
    gate_start: float | None = None
    task: str = "fashion"


#: The tasks a configuration can train on, and their input channels.
TASKS: dict[str, int] = {"fashion": 1, "cue": 2}

#: The named configurations. ``"se"`` is the SE baseline; each other SE entry changes one setting.
CONFIGS: dict[str, Config] = {
    "plain": Config(se=None),
    "se": Config(),
    "r2": Config(reduction=2),
    "r8": Config(reduction=8),
    "r16": Config(reduction=16),
    "squeeze_max": Config(squeeze="max"),
    "gate_tanh": Config(gate="tanh"),
    "gate_relu": Config(gate="relu"),
    "stage1": Config(stages=(1,)),
    "stage2": Config(stages=(2,)),
    "stage3": Config(stages=(3,)),
    "pre": Config(se="pre"),
    "post": Config(se="post"),
    "identity": Config(se="identity"),
    "spatial": Config(attention="spatial"),
    "cbam": Config(attention="cbam"),
    "eca": Config(attention="eca"),
    "scse": Config(attention="scse"),
    "coord": Config(attention="coord"),
    "se_open": Config(gate_start=0.95),
    # The cue task (docs/experiments.md, section 3): plain vs SE, each against the other.
    "cue_plain": Config(se=None, task="cue"),
    "cue_se": Config(task="cue"),
}

#: Which configurations each notebook reads: ``--suite 05`` or ``--suite 07`` runs just those.
SUITES: dict[str, tuple[str, ...]] = {
    "05": ("plain", "se", "r2", "r8", "r16", "squeeze_max", "gate_tanh", "gate_relu", "stage1", "stage2", "stage3",
           "pre", "post", "identity"),
    "07": ("plain", "se", "spatial", "cbam", "eca", "scse", "coord"),
    # The primary comparison (plain vs SE) and its declared diagnostic arm (SE starting open): see
    # docs/experiments.md, written before they ran.
    "primary": ("plain", "se", "se_open"),
    # When SE's mechanism is needed: the cue task, declared in docs/experiments.md (section 3).
    "cue": ("cue_plain", "cue_se"),
    # The paper's ablations and notebook 07's modules at the secondary budget, declared in docs/experiments.md
    # (section 4): one family of comparisons with Holm's correction (SECONDARY_COMPARISONS).
    "secondary": ("plain", "se", "squeeze_max", "stage3", "pre", "post", "identity", "spatial", "cbam", "eca"),
}

#: The declared comparisons of the secondary arms (docs/experiments.md, section 4): (a, b) means a − b.
SECONDARY_COMPARISONS: tuple[tuple[str, str], ...] = (
    ("se", "plain"),
    ("squeeze_max", "se"), ("stage3", "se"), ("pre", "se"), ("post", "se"), ("identity", "se"),
    ("spatial", "se"), ("cbam", "se"), ("eca", "se"),
    ("cbam", "spatial"),
)

#: The ablations, each mirroring one of the paper's tables: (label, configuration name) rows.
ABLATIONS: dict[str, dict] = {
    "reduction": {"table": 10, "title": "reduction ratio r",
                  "rows": [("r = 2", "r2"), ("r = 4", "se"), ("r = 8", "r8"), ("r = 16", "r16"), ("no SE", "plain")]},
    "squeeze": {"table": 11, "title": "squeeze operator",
                "rows": [("max", "squeeze_max"), ("avg", "se")]},
    "gate": {"table": 12, "title": "excitation gate",
             "rows": [("ReLU", "gate_relu"), ("tanh", "gate_tanh"), ("sigmoid", "se")]},
    "stages": {"table": 13, "title": "stages with SE",
               "rows": [("no SE", "plain"), ("stage 1", "stage1"), ("stage 2", "stage2"), ("stage 3", "stage3"),
                        ("all", "se")]},
    "integration": {"table": 14, "title": "integration variant",
                    "rows": [("SE (standard)", "se"), ("SE-PRE", "pre"), ("SE-POST", "post"),
                             ("SE-Identity", "identity")]},
}


def build(config: Config, seed: int) -> torch.nn.Module:
    """Build the network of ``config`` with seeded initial weights.

    The plain network is built first (``torch.manual_seed(seed)``), then SE modules
    (or ``config.attention``'s modules) are added to the blocks of ``config.stages``.
    So, for one seed, every configuration has the same convolution and classifier weights.

    Returns:
        A :class:`~se_tutorial.models.SmallResNet`: (N, 1, 28, 28) → (N, 10) ((N, 2, 28, 28)
        for ``task="cue"``). With all
        three stages, its modules and parameter shapes equal
        ``small_resnet(se=config.se, reduction=..., squeeze=..., gate=..., attention=...)``'s.
    """
    if not isinstance(config, Config):
        raise ValueError(f"build expects an experiments.Config; got {type(config).__name__}.")
    check_choice("se variant", config.se, SE_VARIANTS)
    check_choice("task", config.task, tuple(TASKS))
    if config.attention is not None:
        check_choice("attention", config.attention, _attention.ATTENTIONS[1:])
        if config.se is None:
            raise ValueError(f"a configuration with attention={config.attention!r} needs a position: se='standard', ...")
    for s in config.stages:
        check_choice("stage", s, tuple(range(1, len(config.widths) + 1)))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}.")
    torch.manual_seed(seed)
    model = small_resnet(in_channels=TASKS[config.task], widths=config.widths, blocks=config.blocks)
    if config.se is None:
        return model
    return add_gates(model, config.se, stages=config.stages, reduction=config.reduction, squeeze=config.squeeze,
                     gate=config.gate, attention=config.attention, gate_start=config.gate_start)


# --------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class Budget:
    """How much training each run gets.

    Attributes:
        name: a key of :data:`BUDGETS`.
        train_size: the first ``train_size`` images of Fashion-MNIST's training set.
        epochs, batch_size, lr: passed to :func:`se_tutorial.train.fit` (one-cycle SGD).
        test_size: the first ``test_size`` images of the test set (10,000 = all of it).
        seeds: one run per seed.
        threads: torch threads per run (fixed, so results repeat bit for bit).
        holdout: the last ``holdout`` images of the training set, never trained on; with
            ``holdout`` > 0 each run also stores its learning curves: after every epoch the
            training loss and accuracy and the loss and accuracy on these held-out images.
    """

    name: str
    train_size: int
    epochs: int
    test_size: int
    seeds: tuple[int, ...]
    batch_size: int = 128
    lr: float = 0.1
    threads: int = 1
    holdout: int = 0


BUDGETS: dict[str, Budget] = {
    # The old short budget: it ranks designs by how fast they start learning (docs/experiments.md, section 4).
    "short": Budget("short", train_size=15_000, epochs=3, test_size=10_000, seeds=(0, 1, 2, 3, 4), batch_size=64,
                   lr=0.05),
    "tiny": Budget("tiny", train_size=2_048, epochs=2, test_size=1_000, seeds=(0, 1, 2), batch_size=64, lr=0.05),
    # The primary comparison, declared in docs/experiments.md before it ran: 55,000 images trained on and
    # 5,000 held out for the learning curves (together the 60,000 of the training set), 5 epochs, 6 seeds.
    "primary": Budget("primary", train_size=55_000, epochs=5, test_size=10_000, seeds=(0, 1, 2, 3, 4, 5),
                      batch_size=128, lr=0.1, holdout=5_000),
    # The cue task, declared in docs/experiments.md (section 3) before it ran: 60,000 cue examples (one per
    # training image), 4 epochs (240,000 images seen: less than a primary run's 275,000), 5 seeds.
    "cue": Budget("cue", train_size=60_000, epochs=4, test_size=10_000, seeds=(0, 1, 2, 3, 4), batch_size=128,
                  lr=0.1),
    # The secondary arms, declared in docs/experiments.md (section 4) before they ran: 30,000 images trained on,
    # 5,000 held out, 3 epochs (90,000 images seen), 5 seeds.
    "secondary": Budget("secondary", train_size=30_000, epochs=3, test_size=10_000, seeds=(0, 1, 2, 3, 4),
                        batch_size=128, lr=0.1, holdout=5_000),
}

#: The cue task's generator seeds: fixed, so the task is the same for every run and every seed.
CUE_SEEDS = {"train": 1000, "test": 2000}

_DATA: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}


def _data(train: bool, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``size`` images (N, 1, 28, 28) in [0, 1] and labels (N,) of a split (cached);
    a negative ``size`` gives the last ``-size`` images."""
    from .data import fashion_mnist
    from .train import dataset_tensors

    key = "train" if train else "test"
    if key not in _DATA:
        _DATA[key] = dataset_tensors(fashion_mnist(train=train))
    x, y = _DATA[key]
    if abs(size) > len(x):
        raise ValueError(f"the {key} set has {len(x)} images; a budget asked for {abs(size)}.")
    return (x[:size], y[:size]) if size >= 0 else (x[size:], y[size:])


_CUE_DATA: dict[tuple[bool, int], tuple[torch.Tensor, ...]] = {}  # (train, size) → x, y, cue, other garment's class


def task_data(task: str, train: bool, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The images and labels of ``task`` for a split, as :func:`_data` selects them (cached).

    ``"fashion"``: :func:`_data`'s (N, 1, 28, 28) images. ``"cue"``: the same images made into the
    cue task (:func:`se_tutorial.cue_task.make_cue_task`, (N, 2, 28, 28)), pairing only images of the
    selection, with the fixed generator seed :data:`CUE_SEEDS` of the split: the task does not
    change with a run's seed.
    """
    check_choice("task", task, tuple(TASKS))
    if task == "fashion":
        return _data(train, size)
    if (train, size) not in _CUE_DATA:
        from .cue_task import make_cue_task, pairing

        x, y = _data(train, size)
        seed = CUE_SEEDS["train" if train else "test"]
        partner, _ = pairing(y, seed=seed)  # the pairing make_cue_task draws: for the other garment's class
        x, target, cue = make_cue_task(x, y, seed=seed)
        other = torch.where(cue == 1, y, y[partner])
        y = target
        _CUE_DATA[(train, size)] = (x, y, cue, other)
    return _CUE_DATA[(train, size)][:2]


def run_one(name: str, seed: int, budget: Budget | str = "tiny") -> dict:
    """Train configuration ``name`` with one seed at ``budget`` and test it.

    Returns:
        ``{"seed", "test_accuracy" (percent), "test_loss", "train_loss" (last epoch),
        "seconds"}``, and with a ``budget.holdout`` its ``"curves"``: one dict per epoch
        (``epoch``, ``train_loss``, ``train_accuracy``, ``holdout_loss``, ``holdout_accuracy``,
        ``seconds``). The test set is used once, at the end. The torch thread count is set to
        ``budget.threads`` during the run and restored afterwards.
    """
    from .train import evaluate, fit

    config = _config(name)
    budget = _budget(budget)
    threads = torch.get_num_threads()
    torch.set_num_threads(budget.threads)
    try:
        train = task_data(config.task, True, budget.train_size)
        test = task_data(config.task, False, budget.test_size)
        holdout = task_data(config.task, True, -budget.holdout) if budget.holdout else None
        if budget.holdout and budget.train_size + budget.holdout > len(_DATA["train"][0]):
            raise ValueError(f"budget {budget.name!r}: {budget.train_size} training and {budget.holdout} held-out "
                             f"images overlap; the training set has {len(_DATA['train'][0])}.")
        start = time.perf_counter()
        model = build(config, seed)
        history = fit(model, train, holdout, epochs=budget.epochs, batch_size=budget.batch_size, lr=budget.lr,
                      seed=seed, progress=False)
        metrics = evaluate(model, test)
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    result = {"seed": seed, "test_accuracy": round(metrics["accuracy"], 4), "test_loss": metrics["loss"],
              "train_loss": history[-1]["train_loss"], "seconds": round(seconds, 2)}
    if holdout is not None:
        result["curves"] = [{"epoch": h["epoch"], "train_loss": h["train_loss"], "train_accuracy": h["train_accuracy"],
                             "holdout_loss": h["test_loss"], "holdout_accuracy": h["test_accuracy"],
                             "seconds": round(h["seconds"], 2)} for h in history]
    if config.task == "cue":  # how the network uses the cue (docs/experiments.md, section 3)
        from .cue_task import cue_report

        x, y, cue, other = _CUE_DATA[(False, budget.test_size)]
        result["cue"] = cue_report(model, x, y, cue, other, seed=seed)
    return result


@dataclass(frozen=True)
class Tolerance:
    """How far a re-run may land from a stored result made on another machine.

    The same seed on the same machine gives the same weights bit for bit, but another
    CPU (AVX-512 or AVX2 kernels), another thread count or oneDNN add the same numbers in
    another order, and training amplifies those last-digit differences. Measured at the tiny
    budget over 12 seed-by-seed comparisons (an Intel and an AMD machine; AVX-512 against AVX2
    and against no AVX at all): accuracy differences with a standard deviation of 0.7 points
    (the largest 1.6), means over 3 seeds up to 0.7 points apart, training losses within 1 %.
    Each tolerance is about 3.5 standard deviations of what was measured.

    Attributes:
        seed_points: one seed's test accuracy, in points.
        mean_points: the mean accuracy over the budget's seeds, in points.
        loss_relative: one seed's final training loss, as a fraction of the stored one.
    """

    seed_points: float = 2.5
    mean_points: float = 1.5
    loss_relative: float = 0.03


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
            problems.append(f"seed {run['seed']}: accuracy {run['test_accuracy']:.2f}% vs {ref['test_accuracy']:.2f}% "
                            f"stored ({gap:+.2f} points; tolerance {tolerance.seed_points})")
        loss_gap = run["train_loss"] / ref["train_loss"] - 1
        if abs(loss_gap) > tolerance.loss_relative:
            problems.append(f"seed {run['seed']}: training loss {run['train_loss']:.4f} vs {ref['train_loss']:.4f} "
                            f"stored ({100 * loss_gap:+.1f} %; tolerance {100 * tolerance.loss_relative:.0f} %)")
    if live and sorted(r["seed"] for r in live) == sorted(by_seed):
        gap = statistics.fmean(r["test_accuracy"] for r in live) - stored["mean"]
        if abs(gap) > tolerance.mean_points:
            problems.append(f"mean accuracy {gap:+.2f} points from the stored {stored['mean']:.2f}% "
                            f"(tolerance {tolerance.mean_points})")
    return problems


def _config(name: str) -> Config:
    if name not in CONFIGS:
        raise ValueError(f"unknown configuration {name!r}; expected one of {', '.join(CONFIGS)}.")
    return CONFIGS[name]


def _budget(budget: Budget | str) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if budget not in BUDGETS:
        raise ValueError(f"unknown budget {budget!r}; expected one of {', '.join(BUDGETS)}.")
    return BUDGETS[budget]


# --------------------------------------------------------------------------- results


def machine() -> dict:
    """The CPU, its core count and the library versions: what a result depends on."""
    from . import __version__

    from .train import cpu_name

    cpu = cpu_name()
    import torchvision

    return {"cpu": cpu, "cores": os.cpu_count(), "system": platform.system(),
            "versions": {"python": platform.python_version(), "torch": torch.__version__,
                         "torchvision": torchvision.__version__, "se_tutorial": __version__}}


def summarize(name: str, budget: Budget, runs: list[dict], *, jobs: int, command: str) -> dict:
    """The record of one configuration at one budget: per-seed results, mean and standard deviation.

    ``std`` is the sample standard deviation over seeds (n − 1 in the denominator);
    ``run_seconds`` the time its runs took, added up (training and testing).
    """
    runs = sorted(runs, key=lambda r: r["seed"])
    acc = [r["test_accuracy"] for r in runs]
    info = machine()
    return {
        "budget": asdict(budget),
        "seeds": [r["seed"] for r in runs],
        "test_accuracy": acc,
        "mean": round(statistics.fmean(acc), 4),
        "std": round(statistics.stdev(acc), 4) if len(acc) > 1 else 0.0,
        "runs": runs,
        "run_seconds": round(sum(r["seconds"] for r in runs), 1),
        "parallel_jobs": jobs,
        "machine": {k: v for k, v in info.items() if k != "versions"},
        "versions": info["versions"],
        "command": command,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def result_path(out, name: str) -> Path:
    """``out/<name>.json``."""
    return Path(out) / f"{name}.json"


def write_result(out, name: str, record: dict) -> Path:
    """Write ``record`` as the ``record["budget"]["name"]`` section of ``out/<name>.json``.

    The file holds the configuration and one section per budget; other budgets'
    sections are kept.
    """
    path = result_path(out, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.is_file() else {}
    data["name"] = name
    data["config"] = asdict(CONFIGS[name])
    budgets = data.setdefault("budgets", {})
    budgets[record["budget"]["name"]] = record
    data["budgets"] = dict(sorted(budgets.items()))
    tmp = path.with_suffix(".json.part")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    tmp.replace(path)
    return path


def load_results(out="data/results", budget: str = "short", names=None) -> dict[str, dict]:
    """Read every ``out/<name>.json`` that has a ``budget`` section: name → that section.

    ``names`` limits the reading to those configurations (e.g. ``SUITES["05"]``); by
    default every configuration of :data:`CONFIGS` is looked for.

    Each section has ``seeds``, ``test_accuracy`` (per seed), ``mean``, ``std``,
    ``runs``, ``budget``, ``machine``, ``versions``, ``command``, ``run_seconds``.
    """
    results = {}
    for name in (CONFIGS if names is None else names):
        _config(name)
        path = result_path(out, name)
        if path.is_file():
            section = json.loads(path.read_text()).get("budgets", {}).get(budget)
            if section is not None:
                results[name] = section
    return results


def paired_difference(a: dict, b: dict) -> tuple[float, float]:
    """Mean and sample standard deviation over seeds of ``a``'s accuracy minus ``b``'s.

    ``a`` and ``b`` are sections from :func:`load_results`; only seeds both have are used.
    """
    ra = {r["seed"]: r["test_accuracy"] for r in a["runs"]}
    rb = {r["seed"]: r["test_accuracy"] for r in b["runs"]}
    diffs = [ra[s] - rb[s] for s in sorted(set(ra) & set(rb))]
    if not diffs:
        raise ValueError("the two results share no seed.")
    return statistics.fmean(diffs), (statistics.stdev(diffs) if len(diffs) > 1 else 0.0)


#: What :func:`compare` says, by the size of a difference relative to the seed-to-seed spread.
VERDICTS = {
    "within noise": "smaller than the seed-to-seed spread",
    "suggestive": "between one and two times the seed-to-seed spread",
    "clear": "more than twice the seed-to-seed spread",
}


def compare(a: dict, b: dict) -> dict:
    """Set the accuracy difference of ``a`` over ``b`` against the seed-to-seed spread.

    Args:
        a, b: sections from :func:`load_results`.

    Returns:
        ``difference``: mean over seeds of a's accuracy minus b's (percentage points);
        ``difference_std``: standard deviation of those per-seed differences;
        ``spread``: the typical seed-to-seed standard deviation, ``sqrt((std_a² + std_b²) / 2)``;
        ``verdict``: ``"within noise"`` when ``|difference| <= spread``, ``"suggestive"``
        up to ``2 · spread``, ``"clear"`` beyond (see :data:`VERDICTS`).
    """
    diff, diff_std = paired_difference(a, b)
    spread = ((a["std"] ** 2 + b["std"] ** 2) / 2) ** 0.5
    if abs(diff) <= spread:
        verdict = "within noise"
    elif abs(diff) <= 2 * spread:
        verdict = "suggestive"
    else:
        verdict = "clear"
    return {"difference": diff, "difference_std": diff_std, "spread": spread, "verdict": verdict}


# --------------------------------------------------------------------------- command line


def _task(args):
    name, seed, budget = args
    return name, run_one(name, seed, budget)


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
    settings = lambda b: {k: v for k, v in _normal(b).items() if k != "seeds"}
    if settings(section["budget"]) != settings(asdict(budget)):
        return []
    return [r for r in section["runs"] if r["seed"] in budget.seeds]


def run(names, budget: Budget | str, out, *, jobs: int = 1, command: str = "", resume: bool = False,
        log=print) -> dict[str, dict]:
    """Run configurations ``names`` × the budget's seeds and write one JSON file per configuration.

    ``jobs`` > 1 runs that many processes in parallel (each with ``budget.threads``
    threads). With ``resume``, seeds already stored with the same settings are kept and
    only the missing ones run (e.g. after adding seeds to a budget). Returns name → the
    written record.
    """
    budget = _budget(budget)
    names = [n for n in names]
    for n in names:
        _config(n)
    check_positive_int("jobs", jobs)
    pending = {n: (stored_runs(out, n, budget) if resume else []) for n in names}
    tasks = [(n, s, budget) for n in names for s in budget.seeds if s not in {r["seed"] for r in pending[n]}]
    records = {}
    new_seconds = 0.0
    start = time.perf_counter()

    def finish(name):
        records[name] = summarize(name, budget, pending[name], jobs=jobs, command=command)
        write_result(out, name, records[name])

    def done(name, result, k):
        nonlocal new_seconds
        new_seconds += result["seconds"]
        pending[name].append(result)
        log(f"[{k}/{len(tasks)}] {name:<12} seed {result['seed']}: {result['test_accuracy']:.2f}% "
            f"({result['seconds']:.0f} s; {time.perf_counter() - start:.0f} s so far)")
        finish(name)  # after every seed, so that an interrupted command resumes where it stopped

    for n in names:
        if len(pending[n]) == len(budget.seeds):
            log(f"{n}: all {len(budget.seeds)} seeds already stored")
            finish(n)
    if jobs == 1:
        for k, t in enumerate(tasks, 1):
            done(*_task(t), k)
    elif tasks:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_task, t) for t in tasks]
            for k, f in enumerate(as_completed(futures), 1):
                done(*f.result(), k)
    wall = time.perf_counter() - start
    log(f"{len(tasks)} runs of {len(names)} configurations at budget {budget.name!r}: "
        f"{wall:.0f} s wall time with {jobs} parallel jobs")
    log_invocation(out, {"command": command, "budget": budget.name, "configurations": names, "runs": len(tasks),
                         "parallel_jobs": jobs, "wall_seconds": round(wall, 1), "run_seconds": round(new_seconds, 1),
                         "finished": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "machine": {k: v for k, v in machine().items() if k != "versions"}})
    return records


# --------------------------------------------------------------------------- cost: parameters, MACs, latency

COSTS_FILE = "costs.json"


def measure_costs(names, out, *, batch_sizes=(1, 128), rounds: int = 5, repeats: int = 20, threads: int = 1,
                  log=print) -> dict:
    """Parameters, MACs and CPU latency of each configuration's network; written to ``out/costs.json``.

    Every network is built with seed 0 and measured in eval mode with ``threads`` torch
    threads on inputs (B, C, 28, 28) for each B in ``batch_sizes`` (C: 1, or 2 for the cue task).
    Latency: the networks take turns, ``rounds`` times, each turn timing ``repeats`` forward passes
    (:func:`se_tutorial.cost.latency`); the stored figure is the median of the turns'
    medians, so a burst of load from other programs hits every network alike. The
    load average before and after is stored with them: timings made on a busy machine
    say so. The file is rewritten whole: latencies compare only within one measurement.

    Returns:
        ``{"configs": {name: {"params", "attention_params", "macs" (batch 1), "latency_ms":
        {B: median ms}, "latency_iqr_ms": {B: spread of the turns' medians}}}, "threads",
        "rounds", "repeats", "load_before", "load_after", "machine", "versions", "date"}``.
    """
    from .cost import latency, macs, params

    names = list(names)
    for n in names:
        _config(n)
    check_positive_int("rounds", rounds)
    check_positive_int("repeats", repeats)
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    load_before = _load()
    try:
        models = {n: build(CONFIGS[n], 0).eval() for n in names}
        plain_params = {t: params(build(Config(se=None, task=t), 0)) for t in {CONFIGS[n].task for n in names}}
        channels = {n: TASKS[CONFIGS[n].task] for n in names}
        inputs = {(b, c): torch.rand(b, c, 28, 28, generator=torch.Generator().manual_seed(b))
                  for b in batch_sizes for c in set(channels.values())}
        turns = {n: {b: [] for b in batch_sizes} for n in names}
        for _ in range(rounds):
            for b in batch_sizes:
                for n, m in models.items():
                    turns[n][b].append(latency(m, inputs[b, channels[n]], repeats=repeats, warmup=2).median * 1e3)
    finally:
        torch.set_num_threads(old_threads)
    configs = {}
    for n, m in models.items():
        quart = {b: statistics.quantiles(t, n=4, method="inclusive") for b, t in turns[n].items()}
        configs[n] = {"params": params(m), "attention_params": params(m) - plain_params[CONFIGS[n].task],
                      "macs": macs(m, (1, channels[n], 28, 28)),
                      "latency_ms": {str(b): round(statistics.median(t), 4) for b, t in turns[n].items()},
                      "latency_iqr_ms": {str(b): round(q[2] - q[0], 4) for b, q in quart.items()}}
        log(f"{n:<8} params {configs[n]['params']:>7,}  MACs {configs[n]['macs']:>11,}  "
            + "  ".join(f"B={b}: {configs[n]['latency_ms'][str(b)]:.3f} ms" for b in batch_sizes))
    info = machine()
    record = {"configs": configs, "batch_sizes": list(batch_sizes), "threads": threads, "rounds": rounds,
              "repeats": repeats, "load_before": load_before, "load_after": _load(),
              "machine": {k: v for k, v in info.items() if k != "versions"}, "versions": info["versions"],
              "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    path = Path(out) / COSTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def load_costs(out="data/results") -> dict:
    """The record :func:`measure_costs` wrote to ``out/costs.json``."""
    path = Path(out) / COSTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; run `python -m se_tutorial.experiments --suite 07 --costs`.")
    return json.loads(path.read_text())


def _load() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages (None where the system does not say)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def log_invocation(out, entry: dict) -> Path:
    """Append ``entry`` (what one command ran, and its wall time) to ``out/runs.json``."""
    path = Path(out) / "runs.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = json.loads(path.read_text()) if path.is_file() else []
    entries.append(entry)
    path.write_text(json.dumps(entries, indent=1) + "\n")
    return path


def main(argv=None) -> int:
    """``python -m se_tutorial.experiments``: train the named configurations × seeds and save the results."""
    ap = argparse.ArgumentParser(prog="python -m se_tutorial.experiments", description=main.__doc__)
    ap.add_argument("--budget", default="short", choices=list(BUDGETS))
    ap.add_argument("--only", default=None, help="comma-separated configuration names (default: all)")
    ap.add_argument("--suite", default=None, choices=list(SUITES),
                    help="the configurations of one notebook: 05 (SE's ablations) or 07 (beyond SE)")
    ap.add_argument("--costs", action="store_true",
                    help="after training, measure parameters, MACs and CPU latency of these configurations "
                         "into <out>/costs.json (one process, one thread; run it on a quiet machine)")
    ap.add_argument("--no-train", action="store_true", help="skip training (with --costs: only measure costs)")
    ap.add_argument("--out", default="data/results", help="folder for <name>.json (default data/results)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel processes (default: cores / threads per run)")
    ap.add_argument("--resume", action="store_true",
                    help="keep runs already stored with the same settings; run only the missing seeds")
    ap.add_argument("--list", action="store_true", help="list the configurations and budgets, then stop")
    args = ap.parse_args(argv)
    budget = BUDGETS[args.budget]
    if args.list:
        for name, cfg in CONFIGS.items():
            print(f"{name:<12} {cfg}")
        for b in BUDGETS.values():
            print(b)
        return 0
    if args.only is not None and args.suite is not None:
        ap.error("give --only or --suite, not both.")
    names = list(CONFIGS) if args.only is None else [n.strip() for n in args.only.split(",") if n.strip()]
    if args.suite is not None:
        names = list(SUITES[args.suite])
    try:
        for n in names:
            _config(n)
    except ValueError as e:
        ap.error(str(e))
    jobs = args.jobs or max(1, min((os.cpu_count() or 1) // budget.threads, len(names) * len(budget.seeds)))
    command = "python -m se_tutorial.experiments " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    if not args.no_train:
        run(names, budget, args.out, jobs=jobs, command=command, resume=args.resume)
    if args.costs:
        measure_costs(names, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
