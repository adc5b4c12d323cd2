"""Configurations (what network to train) and budgets (how much training each run gets).

A :class:`Config` names one design: SE's position, its settings, or another module in its
place, and the task. :func:`build` makes its network, weight-paired with the plain network at
each seed: the plain network is built first, then :func:`se_tutorial.models.add_gates` adds the
gates. A :class:`Budget` fixes the images, epochs, optimiser settings and seeds of every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .. import attention as _attention
from .._validate import check_choice
from ..models import SE_VARIANTS, add_gates, small_resnet

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
    "05": (
        "plain",
        "se",
        "r2",
        "r8",
        "r16",
        "squeeze_max",
        "gate_tanh",
        "gate_relu",
        "stage1",
        "stage2",
        "stage3",
        "pre",
        "post",
        "identity",
    ),
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
    ("squeeze_max", "se"),
    ("stage3", "se"),
    ("pre", "se"),
    ("post", "se"),
    ("identity", "se"),
    ("spatial", "se"),
    ("cbam", "se"),
    ("eca", "se"),
    ("cbam", "spatial"),
)

#: The ablations, each mirroring one of the paper's tables: (label, configuration name) rows.
ABLATIONS: dict[str, dict] = {
    "reduction": {
        "table": 10,
        "title": "reduction ratio r",
        "rows": [("r = 2", "r2"), ("r = 4", "se"), ("r = 8", "r8"), ("r = 16", "r16"), ("no SE", "plain")],
    },
    "squeeze": {"table": 11, "title": "squeeze operator", "rows": [("max", "squeeze_max"), ("avg", "se")]},
    "gate": {
        "table": 12,
        "title": "excitation gate",
        "rows": [("ReLU", "gate_relu"), ("tanh", "gate_tanh"), ("sigmoid", "se")],
    },
    "stages": {
        "table": 13,
        "title": "stages with SE",
        "rows": [
            ("no SE", "plain"),
            ("stage 1", "stage1"),
            ("stage 2", "stage2"),
            ("stage 3", "stage3"),
            ("all", "se"),
        ],
    },
    "integration": {
        "table": 14,
        "title": "integration variant",
        "rows": [("SE (standard)", "se"), ("SE-PRE", "pre"), ("SE-POST", "post"), ("SE-Identity", "identity")],
    },
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
            raise ValueError(
                f"a configuration with attention={config.attention!r} needs a position: se='standard', ..."
            )
    for s in config.stages:
        check_choice("stage", s, tuple(range(1, len(config.widths) + 1)))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}.")
    torch.manual_seed(seed)
    model = small_resnet(in_channels=TASKS[config.task], widths=config.widths, blocks=config.blocks)
    if config.se is None:
        return model
    return add_gates(
        model,
        config.se,
        stages=config.stages,
        reduction=config.reduction,
        squeeze=config.squeeze,
        gate=config.gate,
        attention=config.attention,
        gate_start=config.gate_start,
    )


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
    "short": Budget(
        "short", train_size=15_000, epochs=3, test_size=10_000, seeds=(0, 1, 2, 3, 4), batch_size=64, lr=0.05
    ),
    "tiny": Budget("tiny", train_size=2_048, epochs=2, test_size=1_000, seeds=(0, 1, 2), batch_size=64, lr=0.05),
    # The primary comparison, declared in docs/experiments.md before it ran: 55,000 images trained on and
    # 5,000 held out for the learning curves (together the 60,000 of the training set), 5 epochs, 6 seeds.
    "primary": Budget(
        "primary",
        train_size=55_000,
        epochs=5,
        test_size=10_000,
        seeds=(0, 1, 2, 3, 4, 5),
        batch_size=128,
        lr=0.1,
        holdout=5_000,
    ),
    # The cue task, declared in docs/experiments.md (section 3) before it ran: 60,000 cue examples (one per
    # training image), 4 epochs (240,000 images seen: less than a primary run's 275,000), 5 seeds.
    "cue": Budget("cue", train_size=60_000, epochs=4, test_size=10_000, seeds=(0, 1, 2, 3, 4), batch_size=128, lr=0.1),
    # The secondary arms, declared in docs/experiments.md (section 4) before they ran: 30,000 images trained on,
    # 5,000 held out, 3 epochs (90,000 images seen), 5 seeds.
    "secondary": Budget(
        "secondary",
        train_size=30_000,
        epochs=3,
        test_size=10_000,
        seeds=(0, 1, 2, 3, 4),
        batch_size=128,
        lr=0.1,
        holdout=5_000,
    ),
}

#: The cue task's generator seeds: fixed, so the task is the same for every run and every seed.
CUE_SEEDS = {"train": 1000, "test": 2000}


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
