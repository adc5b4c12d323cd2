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
from . import analysis, checks, data, figures, filters, interventions, models
from . import attention
from .capture import capture, register as capture_register, register_spatial as capture_register_spatial, \
    se_modules, spatial_modules
from .checkpoints import pretrained
from .explorer import Explorer, explore
from .imagenet import WeightsUnavailableError, imagenet_model
from .excitation import GATES, Excitation, excitation_params, hidden_size
from .scale import scale
from .se_block import SEBlock
from .squeeze import SQUEEZE_MODES, squeeze

__version__ = "0.1.0"

__all__ = ["analysis", "checks", "data", "figures", "filters", "interventions", "models", "pretrained", "capture",
           "capture_register", "se_modules", "explore", "Explorer", "attention", "capture_register_spatial",
           "spatial_modules",
           "imagenet_model", "WeightsUnavailableError", "squeeze", "Excitation", "scale", "SEBlock", "hidden_size", "excitation_params", "GATES", "SQUEEZE_MODES"]
