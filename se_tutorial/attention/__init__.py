"""Attention modules that followed SE, one idea per file, each a drop-in with output shape = input shape.

    SpatialAttention(k=7)              squeeze the channels, one weight per position (SE's dual)
    CBAM(C, r=16, k=7)                 channel gate from avg- and max-pooling, then a spatial gate
    ECA(C, k=None)                     SE's MLP replaced by a k-tap 1-D convolution, k from C
    SCSE(C, r=2, combine="max")        channel SE and a 1×1-convolution spatial gate, combined
    CoordAttention(C, r=32)            SE's squeeze split into row and column poolings

``make(name, C, reduction=...)`` builds any of them (or SE itself) by name; ``params(name, C, ...)``
gives its parameter count from the formula in its docstring.
"""
from __future__ import annotations

from torch import nn

from .._validate import check_choice
from ..excitation import excitation_params
from ..se_block import SEBlock
from .cbam import CBAM, ChannelAttention, cbam_params
from .coord import CoordAttention, coord_mid, coord_params
from .eca import ECA, eca_kernel_size, eca_params
from .scse import SCSE, SCSE_COMBINE, SpatialSE, scse_params, sse_params
from .spatial import SpatialAttention, channel_pool, spatial_params

#: The modules :func:`make` builds, by name.
ATTENTIONS = ("se", "spatial", "cbam", "eca", "scse", "coord")


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
    """
    check_choice("attention", name, ATTENTIONS)
    if name == "se":
        return SEBlock(channels, reduction)
    if name == "spatial":
        return SpatialAttention()
    if name == "cbam":
        return CBAM(channels, reduction)
    if name == "eca":
        return ECA(channels)
    if name == "scse":
        return SCSE(channels, reduction)
    return CoordAttention(channels)


def params(name: str, channels: int, *, reduction: int = 16) -> int:
    """Parameters of ``make(name, channels, reduction=reduction)``, from the formulas (nothing is built)."""
    check_choice("attention", name, ATTENTIONS)
    return {"se": lambda: excitation_params(channels, reduction),
            "spatial": lambda: spatial_params(),
            "cbam": lambda: cbam_params(channels, reduction),
            "eca": lambda: eca_params(channels),
            "scse": lambda: scse_params(channels, reduction),
            "coord": lambda: coord_params(channels)}[name]()


__all__ = ["ATTENTIONS", "make", "params", "SpatialAttention", "channel_pool", "spatial_params", "CBAM",
           "ChannelAttention", "cbam_params", "ECA", "eca_kernel_size", "eca_params", "SCSE", "SpatialSE",
           "SCSE_COMBINE", "scse_params", "sse_params", "CoordAttention", "coord_mid", "coord_params"]
