"""Coordinate attention (Hou, Zhou, Feng; CVPR 2021): SE's squeeze split into a row pooling and a column pooling.

    p_h = mean over the width of x           (N, C, H, 1)   one value per channel and row
    p_w = mean over the height of x          (N, C, 1, W)   one value per channel and column
    f   = h_swish(BN(Conv_1×1,C→m([p_h; p_wᵀ])))            (N, m, H + W, 1), shared by both directions
    a_h = σ(Conv_1×1,m→C(f_h))               (N, C, H, 1)
    a_w = σ(Conv_1×1,m→C(f_wᵀ))              (N, C, 1, W)
    y   = x ⊙ a_h ⊙ a_w                      weight of channel c at (i, j) = a_h[c, i] · a_w[c, j]

with m = max(8, C // r), r = 32 (the authors' code). Unlike SE, the weights keep
*where*: a channel can be strong in some rows and columns and weak in others.

Where it sits: the paper puts it in MobileNetV2's inverted residual, after the
depthwise 3×3 convolution; in our ResNets, where SE sits.

Parameters: ``C·m + m`` (shared convolution) ``+ 2·m`` (BN) ``+ 2·(m·C + C)`` (the two
heads) ``= 3·C·m + 3·m + 2·C``. Because of the floor m ≥ 8, on narrow networks it costs
more than SE (C = 64: 1,688 against SE's 580 at r = 16 with biases).

BatchNorm: kept, as in the authors' code. It sees N·(H + W) ≥ 2 values per channel
(the row and the column strips side by side), so it works even for a batch of one
1×1 map in training mode (where BN on an (N, C, 1, 1) tensor fails).
"""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_feature_map, check_positive_int, param_dtype


def coord_mid(channels: int, reduction: int = 32, min_mid: int = 8) -> int:
    """Width m of the shared layer: ``max(min_mid, C // reduction)``."""
    channels = check_positive_int("channels", channels)
    reduction = check_positive_int("reduction", reduction, "The paper uses r = 32.")
    min_mid = check_positive_int("min_mid", min_mid)
    return max(min_mid, channels // reduction)


def coord_params(channels: int, reduction: int = 32, min_mid: int = 8) -> int:
    """Parameters of :class:`CoordAttention`: ``3·C·m + 3·m + 2·C`` with ``m = max(min_mid, C // r)``."""
    m = coord_mid(channels, reduction, min_mid)
    channels = check_positive_int("channels", channels)
    return 3 * channels * m + 3 * m + 2 * channels


class CoordAttention(nn.Module):
    """Coordinate attention: per-channel weights along rows and along columns. Output shape = input shape.

    Args:
        channels: C.
        reduction: r; the shared layer has ``m = max(min_mid, C // r)`` channels.
        min_mid: the floor of m (8 in the authors' code).

    Attributes:
        conv1, bn, act: the shared 1×1 convolution C → m, its BatchNorm and ``nn.Hardswish``.
        conv_h, conv_w: 1×1 convolutions m → C, one per direction.
        gate_h, gate_w: ``nn.Sigmoid``; outputs a_h (N, C, H, 1) and a_w (N, C, 1, W).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 32, *, min_mid: int = 8) -> None:
        super().__init__()
        mid = coord_mid(channels, reduction, min_mid)
        channels = check_positive_int("channels", channels)
        self.channels, self.mid = channels, mid
        self.conv1 = nn.Conv2d(channels, mid, 1)
        self.bn = nn.BatchNorm2d(mid)
        self.act = nn.Hardswish()
        self.conv_h = nn.Conv2d(mid, channels, 1)
        self.conv_w = nn.Conv2d(mid, channels, 1)
        self.gate_h = nn.Sigmoid()
        self.gate_w = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_feature_map(x, "CoordAttention", self.channels, param_dtype(self))
        h, w = x.shape[2:]
        p_h = x.mean(3, keepdim=True)  # (N, C, H, 1)
        p_w = x.mean(2, keepdim=True).transpose(2, 3)  # (N, C, W, 1)
        f = self.act(self.bn(self.conv1(torch.cat([p_h, p_w], dim=2))))  # (N, m, H + W, 1)
        f_h, f_w = f.split([h, w], dim=2)
        a_h = self.gate_h(self.conv_h(f_h))  # (N, C, H, 1)
        a_w = self.gate_w(self.conv_w(f_w.transpose(2, 3)))  # (N, C, 1, W)
        return x * a_h * a_w

    def extra_repr(self) -> str:
        return f"channels={self.channels}, mid={self.mid}"
