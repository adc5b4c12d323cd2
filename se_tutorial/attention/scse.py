"""scSE (Roy, Navab, Wachinger; MICCAI 2018 / TMI 2019): channel SE and a spatial SE, side by side.

    cSE(x) = σ(W2 δ(W1 AvgPool(x))) ⊙ x        SE itself: one weight per channel
    sSE(x) = σ(Conv_1×1,C→1(x)) ⊙ x             one weight per position, from a weighted sum of the channels
    scSE(x) = max(cSE(x), sSE(x))               element-wise ("max-out")

The combination: the authors' released code takes the element-wise maximum, and their
journal version (TMI 2019), which compared ways to combine the two, favoured it; adding
them is the other common reading. We take the maximum by default (``combine="max"``);
``"add"`` gives the sum.

Where it sits: after a convolutional block (the paper puts it after the encoder and
decoder blocks of U-Net-like segmentation networks); in our ResNets, where SE sits.

Parameters, with h = max(1, C // r): ``2·C·h + h + C`` (cSE, with biases) ``+ C + 1`` (sSE).
The authors' code uses r = 2 by default; SE's r = 16 is common elsewhere.
"""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_choice, check_feature_map, check_positive_int, param_dtype
from ..excitation import excitation_params
from ..se_block import SEBlock

SCSE_COMBINE = ("max", "add")


def sse_params(channels: int) -> int:
    """Parameters of :class:`SpatialSE`: ``C + 1`` (a 1×1 convolution C → 1 with bias)."""
    return check_positive_int("channels", channels) + 1


def scse_params(channels: int, reduction: int = 2) -> int:
    """Parameters of :class:`SCSE`: ``2·C·h + h + C + C + 1`` with ``h = max(1, C // r)``."""
    return excitation_params(channels, reduction) + sse_params(channels)


class SpatialSE(nn.Module):
    """sSE: one weight per position from a 1×1 convolution over the channels. Output shape = input shape.

    Attributes:
        conv: ``nn.Conv2d(C, 1, 1)`` with bias.
        gate: ``nn.Sigmoid``; its output is the spatial map, shape (N, 1, H, W).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        channels = check_positive_int("channels", channels)
        self.channels = channels
        self.conv = nn.Conv2d(channels, 1, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_feature_map(x, "SpatialSE", self.channels, param_dtype(self))
        return x * self.gate(self.conv(x))


class SCSE(nn.Module):
    """Concurrent spatial and channel SE. Output shape = input shape.

    Args:
        channels: C.
        reduction: r of the channel SE (the authors' default is 2).
        combine: ``"max"`` (element-wise maximum, the authors' code) or ``"add"`` (the sum).

    Attributes:
        cse: an :class:`~se_tutorial.SEBlock` (channel weights s, as for SE).
        sse: a :class:`SpatialSE` (a spatial map, shape (N, 1, H, W)).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 2, *, combine: str = "max") -> None:
        super().__init__()
        self.combine = check_choice("scSE combine", combine, SCSE_COMBINE)
        self.cse = SEBlock(channels, reduction)
        self.sse = SpatialSE(channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c, s = self.cse(x), self.sse(x)
        return torch.maximum(c, s) if self.combine == "max" else c + s

    def extra_repr(self) -> str:
        return f"combine={self.combine!r}"
