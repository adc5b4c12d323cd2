"""CBAM (Woo et al., ECCV 2018): a channel gate, then a spatial gate, one after the other.

Channel gate (SE with two squeezes and one shared MLP):

    M_c = σ(MLP(AvgPool(x)) + MLP(MaxPool(x))),   MLP(z) = W1 δ(W0 z),   W0: C → C/r, W1: C/r → C
    x' = M_c ⊙ x                                   (one weight per channel)

Spatial gate (:class:`~se_tutorial.attention.SpatialAttention`):

    M_s = σ(Conv_7×7([mean_c(x'); max_c(x')]))
    y = M_s ⊙ x'                                   (one weight per position)

Where it sits: where SE sits (residual branch, after the last BN, before the sum);
channel first, then spatial, as the paper found best.

Parameters, with h = max(1, C // r) and a k×k spatial kernel:
``2·C·h + h + C`` (the shared MLP, with biases) ``+ 2·k² + 1`` (the spatial convolution).
For r = 16, k = 7 that is ``2C²/16 + C/16 + C + 99`` when 16 divides C: about SE's count.

As in the official code, both pooled vectors pass through the same MLP, biases
included, so fc2's bias enters the sum twice. The spatial gate has no BatchNorm and
starts at 0.5 everywhere (see :mod:`se_tutorial.attention.spatial`).
"""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_feature_map, check_positive_int, param_dtype
from ..excitation import excitation_params, hidden_size
from ..scale import scale
from .spatial import SpatialAttention, spatial_params


def cbam_params(channels: int, reduction: int = 16, kernel_size: int = 7) -> int:
    """Parameters of :class:`CBAM`: ``2·C·h + h + C + 2·k² + 1`` with ``h = max(1, C // r)``."""
    return excitation_params(channels, reduction) + spatial_params(kernel_size)


class ChannelAttention(nn.Module):
    """CBAM's channel gate: σ(MLP(avg) + MLP(max)) per channel. Output shape = input shape.

    Args:
        channels: C.
        reduction: r; the MLP's hidden width is ``max(1, C // r)``.

    Attributes:
        avg_pool, max_pool: the two squeezes, each (N, C, H, W) → (N, C, 1, 1).
        mlp: ``Linear(C, h)`` → ReLU → ``Linear(h, C)``, shared by both squeezes.
        gate: ``nn.Sigmoid``; its output is the channel weights s, shape (N, C).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 16) -> None:
        super().__init__()
        channels = check_positive_int("channels", channels)
        hidden = hidden_size(channels, reduction)
        self.channels = channels
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.max_pool = nn.AdaptiveMaxPool2d(1)
        self.mlp = nn.Sequential(nn.Linear(channels, hidden), nn.ReLU(), nn.Linear(hidden, channels))
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_feature_map(x, type(self).__name__, self.channels, param_dtype(self))
        z_avg = self.avg_pool(x).flatten(1)
        z_max = self.max_pool(x).flatten(1)
        s = self.gate(self.mlp(z_avg) + self.mlp(z_max))
        return scale(x, s)


class CBAM(nn.Module):
    """Convolutional Block Attention Module: channel gate, then spatial gate. Output shape = input shape.

    Args:
        channels: C.
        reduction: r of the channel MLP (16 in the paper).
        kernel_size: k of the spatial gate (7 in the paper).

    Attributes:
        channel: :class:`ChannelAttention`.
        spatial: :class:`~se_tutorial.attention.SpatialAttention`.

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int, reduction: int = 16, kernel_size: int = 7) -> None:
        super().__init__()
        self.channel = ChannelAttention(channels, reduction)
        self.spatial = SpatialAttention(kernel_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.spatial(self.channel(x))
