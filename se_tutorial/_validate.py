"""Small input checks shared by the SE building blocks.

Every check raises ``ValueError`` with a message that says what was expected,
what came, and how to fix it.
"""
from __future__ import annotations

import torch


def shape_str(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


def check_positive_int(name: str, value, hint: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.{(' ' + hint) if hint else ''}")
    return value


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; expected one of {options}.")
    return value


def check_feature_map(x, who: str, channels: int | None = None) -> None:
    """Check that ``x`` is a (N, C, H, W) tensor, with ``channels`` channels if given."""
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"{who} expects a torch.Tensor of shape (N, C, H, W); got {type(x).__name__}.")
    if x.dim() != 4:
        raise ValueError(
            f"{who} expects a 4-D tensor of shape (N, C, H, W); got shape {shape_str(x)} with {x.dim()} dims. "
            "Add missing dims, e.g. x.unsqueeze(0) for a single (C, H, W) image."
        )
    if channels is not None and x.shape[1] != channels:
        raise ValueError(
            f"{who} was built for {channels} channels but the input has {x.shape[1]} "
            f"(shape {shape_str(x)}). Build it with channels={x.shape[1]}, or check the layer before it."
        )


def check_vector(z, who: str, channels: int) -> None:
    """Check that ``z`` is a (N, C) tensor with ``channels`` channels."""
    if not isinstance(z, torch.Tensor):
        raise ValueError(f"{who} expects a torch.Tensor of shape (N, C); got {type(z).__name__}.")
    if z.dim() != 2:
        raise ValueError(
            f"{who} expects a 2-D tensor of shape (N, C), one squeezed vector per image; got shape "
            f"{shape_str(z)} with {z.dim()} dims. Squeeze a (N, C, H, W) map first with se_tutorial.squeeze(x)."
        )
    if z.shape[1] != channels:
        raise ValueError(
            f"{who} was built for {channels} channels but the input has {z.shape[1]} "
            f"(shape {shape_str(z)}). Build it with channels={z.shape[1]}, or check the layer before it."
        )
