"""Small input checks shared by the SE building blocks.

Every check raises ``ValueError`` with a message that says what was expected,
what came, and how to fix it.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch


def shape_str(t: torch.Tensor) -> str:
    return str(tuple(t.shape))


# --------------------------------------------------------------------------- numbers and flags


def as_int(value) -> int | None:
    """``value`` as a plain int if it is an integer (int, NumPy integer, 0-d integer tensor), else None.

    Bools are not integers here: ``True`` as a channel count is a mistake.
    """
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, torch.Tensor):
        ok = value.dim() == 0 and not (value.is_floating_point() or value.is_complex() or value.dtype == torch.bool)
        return int(value) if ok else None
    return int(value) if isinstance(value, numbers.Integral) else None


def _what(value) -> str:
    """``repr(value)``, and what is wrong with it when its type is the problem."""
    if isinstance(value, (bool, np.bool_)):
        return f"{value!r} (a bool)"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral) and float(value).is_integer():
        return f"{value!r} (a float; pass the int {int(value)})"
    if isinstance(value, torch.Tensor):
        return f"{value!r} (a tensor of dtype {value.dtype} and shape {shape_str(value)}; pass an int)"
    return repr(value)


def check_int(name: str, value, *, minimum: int = 1, hint: str = "") -> int:
    """``value`` as a plain int if it is an integer >= ``minimum``, else a ValueError.

    Accepted: Python ints, NumPy integers (``np.int64(16)``) and 0-d integer tensors
    (``torch.tensor(16)``). Refused: bools, floats (even ``16.0``), anything else.
    """
    n = as_int(value)
    if n is None or n < minimum:
        kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{name} must be {kind}; got {_what(value)}.{(' ' + hint) if hint else ''}")
    return n


def check_positive_int(name: str, value, hint: str = "") -> int:
    """``value`` as a plain int if it is an integer > 0 (see :func:`check_int`), else a ValueError."""
    return check_int(name, value, minimum=1, hint=hint)


def check_bool(name: str, value) -> bool:
    """``value`` as a plain bool if it is one (``True``, ``False``, ``np.bool_``), else a ValueError.

    Strings such as ``"no"`` and numbers such as 0 are refused: they are a mistake, not a flag.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")
    return bool(value)


def check_choice(name: str, value, choices) -> str:
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise ValueError(f"unknown {name} {value!r}; expected one of {options}.")
    return value


# --------------------------------------------------------------------------- tensors


_METHODS = {torch.float32: "float", torch.float64: "double", torch.float16: "half", torch.bfloat16: "bfloat16"}


def conversion(name: str, dtype: torch.dtype) -> str:
    """How to convert ``name`` to ``dtype``: ``"x.float()"``, or ``"x.to(torch.float8_e4m3fn)"``."""
    return f"{name}.{_METHODS[dtype]}()" if dtype in _METHODS else f"{name}.to({dtype})"


def param_dtype(module: torch.nn.Module) -> torch.dtype | None:
    """The dtype of ``module``'s first parameter, or None for a module without parameters."""
    p = next(module.parameters(), None)
    return None if p is None else p.dtype


def autocast_on(device_type: str) -> bool:
    try:
        return torch.is_autocast_enabled(device_type)
    except RuntimeError:  # a device type without autocast, such as "meta"
        return False


def check_dtype(
    x: torch.Tensor, who: str, dtype: torch.dtype | None = None, *, name: str = "x", hint: str = ""
) -> None:
    """Check that ``x`` is a floating-point tensor, of ``dtype`` if given (the dtype of ``who``'s parameters).

    Under ``torch.autocast`` any floating dtype is accepted: there the layers convert it themselves.
    """
    if not x.is_floating_point():
        want = conversion(name, dtype or torch.float32)
        raise ValueError(
            f"{who} expects a floating-point tensor; got {name} of dtype {x.dtype}. "
            f"Convert it first, e.g. {want}.{(' ' + hint) if hint else ''}"
        )
    if dtype is not None and x.dtype != dtype and not autocast_on(x.device.type):
        raise ValueError(
            f"{who}'s parameters are {dtype} but {name} is {x.dtype}. Convert the input with "
            f"{conversion(name, dtype)}, or the module with {conversion('module', x.dtype)}."
        )


def check_feature_map(x, who: str, channels: int | None = None, dtype: torch.dtype | None = None) -> None:
    """Check that ``x`` is a floating-point (N, C, H, W) tensor, with ``channels`` channels and ``dtype`` if given."""
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
    check_dtype(x, who, dtype)


def check_vector(z, who: str, channels: int, dtype: torch.dtype | None = None) -> None:
    """Check that ``z`` is a floating-point (N, C) tensor with ``channels`` channels, and ``dtype`` if given."""
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
    check_dtype(z, who, dtype, name="z")
