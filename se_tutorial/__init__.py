"""se_tutorial: the Squeeze-and-Excitation block, derived step by step.

The three steps and the block they make:

>>> import torch, se_tutorial as se
>>> x = torch.randn(2, 32, 8, 8)                 # (N, C, H, W)
>>> z = se.squeeze(x)                             # (N, C)
>>> s = se.Excitation(32, reduction=16)(z)        # (N, C), weights in (0, 1)
>>> se.scale(x, s).shape                          # (N, C, H, W)
torch.Size([2, 32, 8, 8])
>>> se.SEBlock(32)(x).shape
torch.Size([2, 32, 8, 8])
"""

from __future__ import annotations

import importlib

from .excitation import GATES, Excitation, excitation_params, hidden_size
from .recording import capture, se_modules, spatial_modules
from .scale import scale
from .se_block import SEBlock
from .squeeze import SQUEEZE_MODES, squeeze

# The rest loads on first use (PEP 562), so that ``import se_tutorial`` costs little more than
# ``import torch, torchvision``: figures and the explorer need matplotlib, the explorer ipywidgets.
_SUBMODULES = (
    "analysis",
    "attention",
    "checkpoints",
    "checks",
    "cost",
    "data",
    "env",
    "experiments",
    "explorer",
    "figures",
    "filters",
    "imagenet",
    "interventions",
    "models",
    "stats",
    "train",
)
_LAZY = {  # name → (submodule, attribute)
    "pretrained": ("checkpoints", "pretrained"),
    "Explorer": ("explorer", "Explorer"),
    "explore": ("explorer", "explore"),
    "WeightsUnavailableError": ("imagenet", "WeightsUnavailableError"),
    "imagenet_model": ("imagenet", "imagenet_model"),
}
_REMOVED = {  # old name → where it lives now: the error says so
    "capture_register": "se_tutorial.recording.register",
    "capture_register_spatial": "se_tutorial.recording.register_spatial",
}


def __getattr__(name: str):
    if name in _REMOVED:
        raise AttributeError(f"se_tutorial.{name} was removed; use {_REMOVED[name]} (the same function).")
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SUBMODULES, *_LAZY})


__version__ = "0.1.0"

__all__ = [
    "analysis",
    "checks",
    "data",
    "figures",
    "filters",
    "interventions",
    "models",
    "pretrained",
    "capture",
    "recording",
    "se_modules",
    "explore",
    "Explorer",
    "attention",
    "spatial_modules",
    "imagenet_model",
    "WeightsUnavailableError",
    "squeeze",
    "Excitation",
    "scale",
    "SEBlock",
    "hidden_size",
    "excitation_params",
    "GATES",
    "SQUEEZE_MODES",
    "stats",
]
