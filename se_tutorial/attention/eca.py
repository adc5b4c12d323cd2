"""ECA (Wang et al., CVPR 2020): SE's excitation replaced by one small 1-D convolution, no reduction.

    z = AvgPool(x)                         (N, C, H, W) → (N, C)     the squeeze of SE
    s = σ(Conv1D_k(z))                     (N, C) → (N, C)           each channel sees its k neighbours
    y = s ⊙ x                              the scale of SE

All channels share the same k weights; the convolution has no bias and is padded
with ``k // 2`` zeros at both ends, so s has C entries (k is odd).

Kernel size. The paper (Eq. 12) sets k = ψ(C) = |log₂(C)/γ + b/γ|_odd, "the nearest odd
number", with γ = 2, b = 1. At C = 128 and C = 2048 the value is an even integer (4, 6)
and two odd numbers are equally near. We follow the authors' own code (the paper's
Fig. 3): ``t = int(|(log₂ C + b) / γ|)``, ``k = t if t is odd else t + 1``. That is the
nearest odd number with ties going up:

    C    16  32  64  128  256  512  1024  2048
    k     3   3   3    5    5    5     5     7

For C < 8 the rule gives k = 1 (each channel sees only itself); unlike timm we do not
raise it to 3. The released ECA-ResNets did not use the rule at all: k was set by hand
per stage (3, 5, 5, 7 for ECA-ResNet-50); the rule on the channels the ECA layer sees
(256 … 2048) gives 5, 5, 5, 7. Pass ``kernel_size`` to choose k yourself.

Where it sits: where SE sits (residual branch, after the last BN, before the sum).

Parameters: k (no bias), whatever C is.
"""

from __future__ import annotations

import math
import numbers

import torch
from torch import nn

from .._validate import check_feature_map, check_positive_int, param_dtype
from ..scale import scale
from ..squeeze import squeeze
from .spatial import check_odd_kernel


def eca_kernel_size(channels: int, gamma: float = 2, b: float = 1) -> int:
    """ECA's adaptive kernel size: ``(log₂ C + b) / γ`` rounded to the nearest odd number, ties up.

    Computed as in the authors' code: ``t = int(|(log₂ C + b) / γ|)``; ``k = t`` if t is
    odd, else ``t + 1``. γ = 2, b = 1 give k = 3 for C = 16 … 64, 5 for 128 … 1024, 7 for 2048.
    """
    channels = check_positive_int("channels", channels)
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or gamma <= 0:
        raise ValueError(f"gamma must be a positive number (the paper uses 2); got {gamma!r}.")
    if not isinstance(b, numbers.Real) or isinstance(b, bool):
        raise ValueError(f"b must be a number (the paper uses 1); got {b!r}.")
    t = int(abs((math.log2(channels) + b) / gamma))
    return t if t % 2 else t + 1


def eca_params(channels: int, kernel_size: int | None = None) -> int:
    """Parameters of :class:`ECA`: k, the kernel size (``eca_kernel_size(C)`` unless given)."""
    return eca_kernel_size(channels) if kernel_size is None else check_odd_kernel(kernel_size, "ECA")


class ECA(nn.Module):
    """Efficient Channel Attention: a k-tap 1-D convolution across the squeezed vector. Output shape = input shape.

    Args:
        channels: C.
        kernel_size: k, odd; ``None`` picks ``eca_kernel_size(C, gamma, b)``.
        gamma, b: the constants of the kernel-size rule (2 and 1 in the paper).

    Attributes:
        conv: ``nn.Conv1d(1, 1, k, padding=k // 2, bias=False)``; sees z as (N, 1, C).
        gate: ``nn.Sigmoid``; its output is the channel weights s, shape (N, 1, C).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).
    """

    def __init__(self, channels: int, kernel_size: int | None = None, *, gamma: float = 2, b: float = 1) -> None:
        super().__init__()
        channels = check_positive_int("channels", channels)
        k = eca_kernel_size(channels, gamma, b) if kernel_size is None else check_odd_kernel(kernel_size, "ECA")
        self.channels = channels
        self.kernel_size = k
        self.conv = nn.Conv1d(1, 1, k, padding=k // 2, bias=False)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_feature_map(x, "ECA", self.channels, param_dtype(self))
        z = squeeze(x)  # (N, C)
        s = self.gate(self.conv(z[:, None, :]))[:, 0]  # (N, 1, C) → (N, C)
        return scale(x, s)

    def extra_repr(self) -> str:
        return f"channels={self.channels}, kernel_size={self.kernel_size}"
