"""Your own attention block in the course's experiments: check it, train it, compare it with SE.

A *block maker* is any function ``make(C) -> nn.Module`` whose module maps (N, C, H, W) to
(N, C, H, W), such as ``lambda c: MyGate(c)``. The functions here put ``make(C)`` where SE goes
in the course's small ResNet and run it exactly as :func:`~se_tutorial.experiments.run_one`
runs a named configuration, so that the statistics of notebook 05 read it unchanged:

    E.check_block(make)                        # keeps the shape, passes gradients, works for 1 image
    model = E.build_custom(make, seed=0)       # weight-paired with E.build(E.CONFIGS["se"], 0)
    mine = E.run_design(make, budget)          # one run per seed: a section like load_results' ones
    base = E.run_design("se", budget)          # a named configuration, run the same way
    E.differences(mine, base)                  # seed → your accuracy minus SE's
    E.compare({"mine": mine, "se": base, ...}, [("mine", "se"), ...])   # several, with Holm's correction

The blocks are attached as ``stageK.0.attn`` (as the modules of :mod:`se_tutorial.attention`);
:func:`se_tutorial.capture` records them once their type is registered with
:func:`se_tutorial.recording.register`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from .._validate import check_choice
from ..checks import CheckFailed
from ..models import SE_VARIANTS, SmallResNet, small_resnet
from .configs import CONFIGS, TASKS, Budget, _budget
from .results import seed_summary
from .running import run_one, train_and_test


def _make(make_block, channels: int, who: str) -> nn.Module:
    if isinstance(make_block, nn.Module):
        raise ValueError(
            f"{who} needs a block maker, a function C → nn.Module, so that every residual block gets a "
            f"module of its own; got a {type(make_block).__name__} module. Pass its class or a "
            f"function, e.g. lambda c: {type(make_block).__name__}(c)."
        )
    if not callable(make_block):
        raise ValueError(
            f"{who} needs a block maker, a function C → nn.Module (e.g. lambda c: MyGate(c)); "
            f"got {type(make_block).__name__}."
        )
    module = make_block(channels)
    if not isinstance(module, nn.Module):
        raise ValueError(
            f"the block maker returned {type(module).__name__} for C = {channels}; it must return an nn.Module."
        )
    return module


def check_block(make_block: Callable[[int], nn.Module], channels=(16, 32, 64), size=(7, 5)) -> str:
    """Check that ``make_block(C)`` can go where SE goes: the checks of the capstone's checklist.

    For every C of ``channels``, on a random (2, C, H, W) input (``size`` = (H, W)) in training
    mode, and again on a single image (1, C, H, W) (batch norm over a batch of one can fail in training):

    - the output is a tensor of the input's shape, with finite values;
    - gradients pass: the input and every parameter get a finite gradient, not all zero for
      the input.

    Returns:
        A one-line message (also printed) when every check passes.

    Raises:
        se_tutorial.checks.CheckFailed: with a message saying which check failed and for which shape.
    """
    n_checks = 0
    for c in channels:
        for shape in [(2, c, *size), (1, c, *size)]:
            block = _make(make_block, c, "check_block").train()
            g = torch.Generator().manual_seed(0)
            x = torch.randn(*shape, generator=g).requires_grad_(True)
            try:
                out = block(x)
            except Exception as e:  # noqa: BLE001 - any crash becomes a readable message
                raise CheckFailed(
                    f"the block for C = {c} failed on an input of shape {shape}: {type(e).__name__}: {e}"
                ) from e
            if not isinstance(out, torch.Tensor) or tuple(out.shape) != shape:
                got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
                raise CheckFailed(
                    f"the block for C = {c} returned {got} for an input of shape {shape}; "
                    "it must keep the shape (N, C, H, W)."
                )
            if not torch.isfinite(out).all():
                raise CheckFailed(
                    f"the block for C = {c} returned values that are not finite (NaN or inf) "
                    f"for an input of shape {shape}."
                )
            # A weighted sum, so that a block which only rescales its input still gets a gradient that depends on it.
            weights = torch.linspace(-1, 1, out.numel()).view(shape)
            try:
                (out * weights).sum().backward()
            except RuntimeError as e:
                raise CheckFailed(
                    f"no usable gradient reaches the input of the block for C = {c} (shape {shape}): "
                    f"{e}. Is something detached (.detach(), torch.no_grad()) inside forward?"
                ) from e
            if x.grad is None or not torch.isfinite(x.grad).all() or not x.grad.abs().sum() > 0:
                raise CheckFailed(
                    f"no usable gradient reaches the input of the block for C = {c} (shape {shape}): "
                    "is something detached (.detach(), .item(), torch.no_grad()) inside forward?"
                )
            for name, p in block.named_parameters():
                if p.requires_grad and (p.grad is None or not torch.isfinite(p.grad).all()):
                    raise CheckFailed(
                        f"the parameter {name!r} of the block for C = {c} gets no finite gradient "
                        f"(shape {shape}): is it used in forward?"
                    )
            n_checks += 1
    message = (
        f"✓ check_block: shape kept and gradients pass for C = {', '.join(map(str, channels))} ({n_checks} inputs)"
    )
    print(message)
    return message


def build_custom(
    make_block: Callable[[int], nn.Module],
    seed: int,
    *,
    position: str = "standard",
    stages=(1, 2, 3),
    task: str = "fashion",
) -> SmallResNet:
    """The course's small ResNet with ``make_block(C)`` where SE goes, weight-paired with the named designs.

    As :func:`~se_tutorial.experiments.build` does, the plain network is built first after
    ``torch.manual_seed(seed)``, then one block per residual block of ``stages`` is made, in
    stage order: at one seed the network shares its convolution and classifier weights with
    ``E.build(E.CONFIGS["plain"], seed)``, ``E.build(E.CONFIGS["se"], seed)`` and every other design.

    Args:
        make_block: a function C → nn.Module, (N, C, H, W) → (N, C, H, W).
        seed: an integer >= 0.
        position: where the block sits in each residual block: ``"standard"`` (on the residual
            branch, before the sum; SE's place), ``"pre"``, ``"post"`` or ``"identity"``.
        stages: the stages (1, 2, 3) whose blocks get one.
        task: ``"fashion"`` or ``"cue"`` (2 input channels).

    Returns:
        A :class:`~se_tutorial.models.SmallResNet`, (N, 1, 28, 28) → (N, 10); the blocks are
        named ``stage1.0.attn``, ``stage2.0.attn``, ...
    """
    check_choice("position", position, SE_VARIANTS[1:])
    check_choice("task", task, tuple(TASKS))
    stages = tuple(stages)
    for s in stages:
        check_choice("stage", s, (1, 2, 3))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0; got {seed!r}.")
    torch.manual_seed(seed)
    model = small_resnet(in_channels=TASKS[task])
    for s in sorted(set(stages)):
        for block in getattr(model, f"stage{s}"):
            channels = block.conv1.in_channels if position == "pre" else block.conv1.out_channels
            # What models.add_gate does for the package's modules, for a module of your own.
            block.attn = _make(make_block, channels, "build_custom")
            block.variant, block.attention = position, "custom"
    return model


def run_custom(
    make_block: Callable[[int], nn.Module],
    seed: int,
    budget: Budget | str = "tiny",
    *,
    position: str = "standard",
    stages=(1, 2, 3),
) -> dict:
    """Train :func:`build_custom`'s network with one seed at ``budget`` and test it, as ``run_one`` does.

    The same images in the same order, the same augmentation, optimiser and thread count as
    :func:`~se_tutorial.experiments.run_one` gives a named configuration at this seed and budget:
    the runs are paired, also with the stored runs of ``data/results/`` (on the machine that made
    them). A budget's held-out images are never trained on; no learning curves are recorded.

    Returns:
        ``{"seed", "test_accuracy" (percent), "test_loss", "train_loss" (last epoch), "seconds"}``.
    """
    return _run_custom(make_block, seed, budget, position, stages)[0]


def _run_custom(make_block, seed, budget, position, stages) -> tuple[dict, nn.Module]:
    budget = _budget(budget)
    result, model, _ = train_and_test(
        lambda: build_custom(make_block, seed, position=position, stages=stages), "fashion", seed, budget
    )
    return result, model


def run_design(
    design, budget: Budget | str, seeds=None, *, position: str = "standard", stages=(1, 2, 3), keep_models: bool = False
) -> dict:
    """Run one design at every seed of ``budget``: a named configuration or your own block.

    Args:
        design: a name of :data:`~se_tutorial.experiments.CONFIGS` (run by ``run_one``), or a
            block maker C → nn.Module (run by :func:`run_custom` with ``position`` and ``stages``).
        budget: a :class:`~se_tutorial.experiments.Budget` or the name of one.
        seeds: the seeds to run; by default the budget's.
        keep_models: for a block maker, also keep the trained networks (in eval mode), to look
            inside them with :func:`se_tutorial.capture`.

    Returns:
        A section as :func:`~se_tutorial.experiments.load_results` gives one: ``budget``,
        ``seeds``, ``test_accuracy`` (per seed), ``mean``, ``std`` (over seeds, n − 1) and
        ``runs``; so :func:`~se_tutorial.experiments.differences` and
        :func:`~se_tutorial.experiments.compare` read it as they read stored results. With
        ``keep_models``, also ``models``: seed → trained network.
    """
    budget = _budget(budget)
    seeds = list(budget.seeds if seeds is None else seeds)
    if not seeds:
        raise ValueError("give at least one seed.")
    if isinstance(design, str):
        if design not in CONFIGS:
            raise ValueError(
                f"unknown configuration {design!r}; expected one of {', '.join(CONFIGS)} "
                "or a block maker C → nn.Module."
            )
        if CONFIGS[design].task != "fashion":
            raise ValueError(
                f"run_design compares designs on Fashion-MNIST; {design!r} is a {CONFIGS[design].task!r} design."
            )
        if keep_models:
            raise ValueError(
                "keep_models works for a block maker; build a named design with E.build and train it "
                "with se_tutorial.train.fit to look inside it."
            )
        runs, models = [run_one(design, s, budget) for s in seeds], {}
    else:
        done = [_run_custom(design, s, budget, position, stages) for s in seeds]
        runs, models = [r for r, _ in done], {r["seed"]: m for r, m in done}
    section = seed_summary(budget, runs)
    if keep_models:
        section["models"] = {s: models[s] for s in section["seeds"]}
    return section
