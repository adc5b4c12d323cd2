"""Scale: multiply every channel by its weight (paper, Eq. 4).

x̃_c = s_c · u_c
"""

from __future__ import annotations

import torch

from ._validate import autocast_on, check_feature_map, conversion, shape_str


def scale(x: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Multiply channel ``c`` of every image by its weight ``s[n, c]``.

    Args:
        x: feature map, shape (N, C, H, W).
        s: channel weights, shape (N, C).

    Returns:
        Tensor of shape (N, C, H, W): ``out[n, c] = s[n, c] * x[n, c]``.
        ``s`` is broadcast over H and W; nothing is copied.

    Raises:
        ValueError: ``x`` is not a floating-point 4-D tensor, or ``s`` is not (N, C) for the
            same N and C, or ``s``'s dtype is not ``x``'s.
    """
    check_feature_map(x, "scale")
    if not isinstance(s, torch.Tensor) or s.dim() != 2 or tuple(s.shape) != tuple(x.shape[:2]):
        got = shape_str(s) if isinstance(s, torch.Tensor) else type(s).__name__
        raise ValueError(
            f"scale expects weights s of shape (N, C) = ({x.shape[0]}, {x.shape[1]}) to match x of shape "
            f"{shape_str(x)}; got {got}."
        )
    if s.dtype != x.dtype and not autocast_on(x.device.type):
        raise ValueError(
            f"scale expects weights s of x's dtype ({x.dtype}); got {s.dtype}. "
            f"Convert them with {conversion('s', x.dtype)}."
        )
    return x * s[:, :, None, None]
