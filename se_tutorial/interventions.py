"""Interventions: replace what SE blocks compute, and measure what the network loses.

Every known SE module has a sub-module whose output is the channel weights s
(:func:`se_tutorial.recording.excitation_output`). A forward hook on it that returns a
tensor replaces s; :func:`override_excitation` installs such hooks for the time of
a ``with`` block and removes them afterwards:

    with override_excitation(model, constant(0.5)) as ctx:
        logits = model(images)                 # every SE block now scales by 0.5

A replacement is a function ``fn(block, s, ctx) -> new s``: ``block`` is the SE
block's name, ``s`` its weights (N, C), ``ctx`` an :class:`InterventionContext` whose
``labels`` hold the classes of the current batch when the caller gives them
(:func:`measure_accuracy` does, batch by batch). The replacements of the course:

    own()                     s itself (changes nothing; a check)
    class_mean(means)         every image gets the mean weights of its class (needs labels)
    dataset_mean(means)       every image gets the mean weights over the whole dataset
    constant(0.5)             every weight is 0.5
    constant(1.0)             every weight is 1: the SE blocks pass their input through (SE removed)
    switch_off(channels)      the weights of the chosen channels are set to 0
"""

from __future__ import annotations

import copy
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
from torch import nn

from ._modes import evaluating
from ._validate import check_positive_int, shape_str
from .recording import excitation_output, se_modules


@dataclass
class InterventionContext:
    """What a replacement may know about the current batch.

    Attributes:
        labels: (N,) classes of the images in the current forward pass, or None.
        calls: block name → how many times its weights were replaced (a check that the hooks ran).
    """

    labels: torch.Tensor | None = None
    calls: dict = field(default_factory=dict)


def _select(model: nn.Module, blocks) -> dict[str, nn.Module]:
    modules = se_modules(model)
    if not modules:
        raise ValueError(f"{type(model).__name__} has no SE module that se_tutorial knows; nothing to intervene on.")
    if blocks is None:
        return modules
    blocks = [blocks] if isinstance(blocks, str) else list(blocks)
    unknown = [b for b in blocks if b not in modules]
    if unknown:
        raise ValueError(f"unknown SE block(s) {unknown}; the model has {', '.join(modules)}.")
    return {b: modules[b] for b in blocks}


@contextmanager
def override_excitation(model: nn.Module, fn, blocks=None):
    """Replace the channel weights s of SE blocks while in the ``with`` block.

    Args:
        model: a network with known SE modules.
        fn: ``fn(block, s, ctx) -> new_s``; ``s`` is (N, C) and ``new_s`` must be (N, C)
            too (or broadcastable to it, e.g. (C,)). It may not change ``s`` in place.
        blocks: a block name, a list of names, or None for every SE block.

    Yields:
        The :class:`InterventionContext` passed to ``fn``; set ``ctx.labels`` before a
        forward pass if ``fn`` needs the classes of the batch.

    The hooks are removed when the block ends, also after an error.
    """
    if not callable(fn):
        raise ValueError(f"fn must be a function fn(block, s, ctx) -> new s; got {type(fn).__name__}.")
    ctx = InterventionContext()
    handles = []
    for name, module in _select(model, blocks).items():

        def hook(_module, _args, out, _name=name):
            s = out.flatten(1)  # (N, C), also for (N, C, 1, 1) outputs
            new = fn(_name, s, ctx)
            if not isinstance(new, torch.Tensor):
                raise ValueError(f"the replacement for {_name} must return a tensor; got {type(new).__name__}.")
            try:
                new = torch.broadcast_to(new.to(s.dtype), s.shape)
            except RuntimeError:
                raise ValueError(
                    f"the replacement for {_name} returned shape {shape_str(new)}; expected (N, C) = "
                    f"{shape_str(s)} or (C,)."
                ) from None
            ctx.calls[_name] = ctx.calls.get(_name, 0) + 1
            return new.reshape(out.shape)

        handles.append(excitation_output(module).register_forward_hook(hook))
    try:
        yield ctx
    finally:
        for h in handles:
            h.remove()


# --------------------------------------------------------------------------- replacements


def own():
    """The block's own weights (a check: the network's output must not change)."""

    def fn(block, s, ctx):
        return s

    return fn


def constant(value: float):
    """Every weight of every image becomes ``value`` (1.0: the SE blocks do nothing)."""
    value = float(value)

    def fn(block, s, ctx):
        return torch.full_like(s, value)

    return fn


def dataset_mean(means: dict):
    """Every image gets the same weights: the block's mean over a dataset.

    Args:
        means: block name → (C,) mean weights (e.g. ``s.mean(0)`` of recorded weights).
    """

    def fn(block, s, ctx):
        if block not in means:
            raise ValueError(f"dataset_mean has no mean weights for block {block!r}; it has {', '.join(means)}.")
        return means[block].to(s.dtype).expand_as(s)

    return fn


def class_mean(means: dict):
    """Every image gets the mean weights of its own class (needs the labels of the batch).

    Args:
        means: block name → (K, C) class means (:func:`se_tutorial.analysis.class_means`).

    The classes are read from ``ctx.labels``; :func:`measure_accuracy` sets them batch by batch.
    """

    def fn(block, s, ctx):
        if ctx.labels is None:
            raise ValueError(
                "class_mean needs the classes of the batch: run it through "
                "interventions.measure_accuracy(model, images, labels, fn), "
                "or set ctx.labels before the forward pass."
            )
        if block not in means:
            raise ValueError(f"class_mean has no class means for block {block!r}; it has {', '.join(means)}.")
        if len(ctx.labels) != len(s):
            raise ValueError(f"ctx.labels has {len(ctx.labels)} entries but the batch has {len(s)} images.")
        return means[block].to(s.dtype)[ctx.labels]

    return fn


def switch_off(channels: dict):
    """Set the weights of chosen channels to 0 (those channels are switched off).

    Args:
        channels: block name → (k,) indices of the channels to switch off. Blocks
            not named keep their weights.
    """

    def fn(block, s, ctx):
        if block not in channels:
            return s
        out = s.clone()
        out[:, channels[block]] = 0.0
        return out

    return fn


# --------------------------------------------------------------------------- measuring


@dataclass
class Accuracy:
    """Accuracy of a network on labelled images.

    Attributes:
        accuracy: percent of images classified correctly.
        per_class: (K,) percent correct within each class (NaN for a class with no image).
        predictions: (N,) predicted classes.
    """

    accuracy: float
    per_class: torch.Tensor
    predictions: torch.Tensor


@torch.no_grad()
def measure_accuracy(
    model: nn.Module,
    images: torch.Tensor,
    labels: torch.Tensor,
    fn=None,
    *,
    blocks=None,
    batch_size: int = 1000,
    num_classes: int | None = None,
) -> Accuracy:
    """Accuracy of ``model`` with the SE weights replaced by ``fn`` (unchanged when ``fn`` is None).

    Args:
        model: a classifier with known SE modules, run in eval mode.
        images: (N, ...) inputs; labels: (N,) integer classes.
        fn: a replacement (see :func:`override_excitation`); it sees ``ctx.labels``
            = the classes of the current batch.
        blocks: which SE blocks to intervene on (None: all).
        batch_size: images per forward pass.
        num_classes: K (default: the number of logits, i.e. the model's output width).

    Returns:
        An :class:`Accuracy`.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    if (
        not isinstance(labels, torch.Tensor)
        or labels.dim() != 1
        or not isinstance(images, torch.Tensor)
        or len(images) != len(labels)
        or len(labels) == 0
    ):
        raise ValueError(
            "measure_accuracy needs images (N, ...) and labels (N,) with the same N > 0; got "
            f"{shape_str(images) if isinstance(images, torch.Tensor) else type(images).__name__} and "
            f"{shape_str(labels) if isinstance(labels, torch.Tensor) else type(labels).__name__}."
        )
    logits = []
    with evaluating(model):
        if fn is None:
            for i in range(0, len(images), batch_size):
                logits.append(model(images[i : i + batch_size]))
        else:
            with override_excitation(model, fn, blocks) as ctx:
                for i in range(0, len(images), batch_size):
                    ctx.labels = labels[i : i + batch_size]
                    logits.append(model(images[i : i + batch_size]))
    logits = torch.cat(logits)
    pred = logits.argmax(1)
    k = num_classes or logits.shape[1]
    if int(labels.min()) < 0 or int(labels.max()) >= k:
        raise ValueError(f"labels must lie in 0..{k - 1}; got values from {int(labels.min())} to {int(labels.max())}.")
    correct = (pred == labels).double()
    counts = torch.bincount(labels, minlength=k).double()
    per_class = 100.0 * torch.zeros(k, dtype=torch.float64).index_add_(0, labels, correct) / counts
    return Accuracy(100.0 * float(correct.mean()), per_class, pred)


def evaluate(*args, **kwargs) -> Accuracy:
    """Deprecated name of :func:`measure_accuracy` (same arguments, same :class:`Accuracy`)."""
    warnings.warn(
        "interventions.evaluate is deprecated; use interventions.measure_accuracy, which returns the same Accuracy.",
        DeprecationWarning,
        stacklevel=2,
    )
    return measure_accuracy(*args, **kwargs)


def without_se(model: nn.Module) -> nn.Module:
    """A copy of ``model`` in which every known SE module is replaced by ``nn.Identity``.

    For SE blocks that scale their input (``x̃ = s · u``) this is the same network as
    one whose weights are all 1: ``measure_accuracy(model, x, y, constant(1.0))``.
    """
    clone = copy.deepcopy(model)
    for name in list(se_modules(clone)):
        parent_name, _, child = name.rpartition(".")
        parent = clone.get_submodule(parent_name) if parent_name else clone
        setattr(parent, child, nn.Identity())
    return clone
