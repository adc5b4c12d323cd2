"""Attention modules that followed SE, one idea per file, each a drop-in with output shape = input shape.

    SpatialAttention(k=7)              squeeze the channels, one weight per position (SE's dual)
    CBAM(C, r=16, k=7)                 channel gate from avg- and max-pooling, then a spatial gate
    ECA(C, k=None)                     SE's MLP replaced by a k-tap 1-D convolution, k from C
    SCSE(C, r=2, combine="max")        channel SE and a 1×1-convolution spatial gate, combined
    CoordAttention(C, r=32)            SE's squeeze split into row and column poolings

``make(name, C, reduction=...)`` builds any of them (or SE itself) by name; ``formula_params(name, C, ...)``
gives its parameter count from the formula in its docstring. One registry serves both.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from ..excitation import excitation_params
from ..se_block import SEBlock
from .cbam import CBAM, ChannelAttention, cbam_params
from .coord import CoordAttention, coord_mid, coord_params
from .eca import ECA, eca_kernel_size, eca_params
from .scse import SCSE, SCSE_COMBINE, SpatialSE, scse_params, sse_params
from .spatial import SpatialAttention, channel_pool, spatial_params


@dataclass(frozen=True)
class _Design:
    """How to build one attention module, and how many parameters it has (from its formula)."""

    build: Callable[[int, int], nn.Module]  # (channels C, reduction r) → module
    params: Callable[[int, int], int]  # (channels C, reduction r) → parameter count


#: The registry behind :func:`make` and :func:`formula_params`: name → how to build it and count it.
_DESIGNS = {
    "se": _Design(SEBlock, excitation_params),
    "spatial": _Design(lambda c, r: SpatialAttention(), lambda c, r: spatial_params()),
    "cbam": _Design(CBAM, cbam_params),
    "eca": _Design(lambda c, r: ECA(c), lambda c, r: eca_params(c)),
    "scse": _Design(SCSE, scse_params),
    "coord": _Design(lambda c, r: CoordAttention(c), lambda c, r: coord_params(c)),
}

#: The modules :func:`make` builds, by name.
ATTENTIONS = tuple(_DESIGNS)


def _design(name: str) -> _Design:
    """The registry's entry for ``name``; a ValueError naming the known modules for any other name."""
    if not isinstance(name, str) or name not in _DESIGNS:
        raise ValueError(f"unknown attention {name!r}; expected one of {', '.join(map(repr, ATTENTIONS))}.")
    return _DESIGNS[name]


def make(name: str, channels: int, *, reduction: int = 16) -> nn.Module:
    """Build the attention module ``name`` for a feature map with ``channels`` channels.

    Args:
        name: one of :data:`ATTENTIONS`.
        channels: C.
        reduction: r, for the modules with a bottleneck MLP (``"se"``, ``"cbam"``, ``"scse"``);
            the others keep their papers' settings (ECA: k from C; coordinate attention:
            m = max(8, C // 32); spatial: a 7×7 kernel).

    Returns:
        An ``nn.Module``; (N, C, H, W) → (N, C, H, W).

    Raises:
        ValueError: ``name`` is not one of :data:`ATTENTIONS`.
    """
    return _design(name).build(channels, reduction)


def formula_params(name: str, channels: int, *, reduction: int = 16) -> int:
    """Parameters of ``make(name, channels, reduction=reduction)``, from the formulas (nothing is built).

    (:func:`se_tutorial.cost.params` counts the parameters of a module that is built.)

    Raises:
        ValueError: ``name`` is not one of :data:`ATTENTIONS`.
    """
    return _design(name).params(channels, reduction)


def params(name: str, channels: int, *, reduction: int = 16) -> int:
    """Deprecated name of :func:`formula_params`."""
    warnings.warn(
        "se_tutorial.attention.params is deprecated; use se_tutorial.attention.formula_params "
        "(se_tutorial.cost.params counts a built module).",
        DeprecationWarning,
        stacklevel=2,
    )
    return formula_params(name, channels, reduction=reduction)


__all__ = [
    "ATTENTIONS",
    "make",
    "formula_params",
    "SpatialAttention",
    "channel_pool",
    "spatial_params",
    "CBAM",
    "ChannelAttention",
    "cbam_params",
    "ECA",
    "eca_kernel_size",
    "eca_params",
    "SCSE",
    "SpatialSE",
    "SCSE_COMBINE",
    "scse_params",
    "sse_params",
    "CoordAttention",
    "coord_mid",
    "coord_params",
]
