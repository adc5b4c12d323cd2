"""Spatial attention: the dual of SE. Squeeze the channels, weight each position (CBAM's spatial gate).

    d = [mean_c(x); max_c(x)]            (N, C, H, W) → (N, 2, H, W)   squeeze the channels
    a = σ(Conv_k×k(d))                   (N, 2, H, W) → (N, 1, H, W)   one weight per position
    y = a ⊙ x                            broadcast over the C channels

Where it sits: in a residual block, where SE sits (on the residual branch, after the
last BN, before the sum), alone or after a channel gate (CBAM).

Parameters: ``2·k² + 1`` (the k×k convolution's weights and its bias), independent
of C: 99 for k = 7.

Choices, against the pitfalls of public code:

- no BatchNorm after the convolution (the official CBAM code has one): on a 1×1 map
  with a batch of one, BN has a single value per channel and fails in training mode;
  a bias does its job here;
- zero initialisation (weights and bias 0, so ``a = σ(0) = 0.5`` everywhere at the
  start): the official CBAM code gets the same start by setting that BN's weight to 0;
  the gate starts with no preference for any position and learns one;
- an odd kernel with padding ``k // 2``, so the map keeps its size (an even k would
  shift it by one).
"""

from __future__ import annotations

import torch
from torch import nn

from .._validate import check_bool, check_feature_map, check_positive_int, param_dtype


def check_odd_kernel(kernel_size, who: str) -> int:
    """``kernel_size`` if it is a positive odd integer, else a ValueError that says why it must be odd."""
    kernel_size = check_positive_int(f"{who} kernel_size", kernel_size)
    if kernel_size % 2 == 0:
        raise ValueError(
            f"{who} kernel_size must be odd so that padding k // 2 keeps the size of the map; got {kernel_size}. "
            f"Use {kernel_size - 1} or {kernel_size + 1}."
        )
    return kernel_size


def spatial_params(kernel_size: int = 7) -> int:
    """Parameters of :class:`SpatialAttention`: ``2·k² + 1`` (any number of channels)."""
    kernel_size = check_odd_kernel(kernel_size, "SpatialAttention")
    return 2 * kernel_size**2 + 1


def channel_pool(x: torch.Tensor) -> torch.Tensor:
    """Squeeze the channels: (N, C, H, W) → (N, 2, H, W), the mean and the max over C at every position."""
    return torch.cat([x.mean(1, keepdim=True), x.amax(1, keepdim=True)], dim=1)


class SpatialAttention(nn.Module):
    """One weight in (0, 1) per position, shared by all channels: output shape = input shape.

    Args:
        kernel_size: k, odd; 7 as in CBAM.
        zero_init: start with weights and bias 0 (the gate is 0.5 everywhere).

    Attributes:
        conv: ``nn.Conv2d(2, 1, k, padding=k // 2)``, with bias.
        gate: ``nn.Sigmoid``; its output is the spatial map a, shape (N, 1, H, W).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, kernel_size: int = 7, *, zero_init: bool = True) -> None:
        super().__init__()
        kernel_size = self.kernel_size = check_odd_kernel(kernel_size, "SpatialAttention")
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=True)
        self.gate = nn.Sigmoid()
        if check_bool("zero_init", zero_init):
            nn.init.zeros_(self.conv.weight)
            nn.init.zeros_(self.conv.bias)

    def attention_map(self, x: torch.Tensor) -> torch.Tensor:
        """The spatial weights a: (N, C, H, W) → (N, 1, H, W), values in (0, 1)."""
        check_feature_map(x, type(self).__name__, dtype=param_dtype(self))
        return self.gate(self.conv(channel_pool(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.attention_map(x)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}"
