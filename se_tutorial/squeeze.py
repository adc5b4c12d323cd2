"""Squeeze: one number per channel, the channel's global context (paper, Eq. 2).

z_c = 1/(H·W) · Σ_i Σ_j u_c(i, j)          ("avg", the paper's choice)
z_c = max_{i,j} u_c(i, j)                  ("max", the paper's Table 11 ablation)
"""

from __future__ import annotations

import torch

from ._validate import check_choice, check_feature_map

SQUEEZE_MODES = ("avg", "max")


def squeeze(x: torch.Tensor, mode: str = "avg") -> torch.Tensor:
    """Pool each channel of a feature map to a single number.

    Args:
        x: feature map, shape (N, C, H, W).
        mode: ``"avg"`` (global average pooling, the paper's squeeze) or
            ``"max"`` (global max pooling).

    Returns:
        z, shape (N, C): ``z[n, c]`` summarises channel ``c`` of image ``n``.

    Raises:
        ValueError: ``x`` is not a floating-point 4-D tensor (any float dtype), or ``mode`` is unknown.
    """
    check_choice("squeeze mode", mode, SQUEEZE_MODES)
    check_feature_map(x, "squeeze")
    if mode == "avg":
        return x.mean(dim=(2, 3))
    return x.amax(dim=(2, 3))
