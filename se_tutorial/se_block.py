"""The Squeeze-and-Excitation block: squeeze, excitation, scale.

z = squeeze(u)                  (N, C, H, W) → (N, C)
s = σ(W2 · δ(W1 · z))           (N, C) → (N, C)
x̃ = s · u  (per channel)        (N, C, H, W) → (N, C, H, W)
"""

from __future__ import annotations

import sys

import torch
from torch import nn

from ._validate import check_choice, check_feature_map, param_dtype
from .excitation import GATES, Excitation
from .scale import scale
from .squeeze import SQUEEZE_MODES, squeeze


def _gate_types() -> dict[type, str]:
    """The gate classes SEBlock can copy, class → name in ``GATES``: torch's, and timm's when timm is loaded."""
    types = {cls: name for name, cls in GATES.items()}
    timm_act = sys.modules.get("timm.layers.activations")  # a timm gate exists only once timm is imported
    if timm_act is not None:
        types.update({timm_act.Sigmoid: "sigmoid", timm_act.HardSigmoid: "hardsigmoid", timm_act.Tanh: "tanh"})
    return types


def _gate_name(module: nn.Module, who: str) -> str:
    """Map a gate module (torch's or timm's) to one of ``GATES``'s names, by its type."""
    for cls, name in _gate_types().items():
        if isinstance(module, cls):
            return name
    kind = type(module)
    raise ValueError(
        f"{who} has a gate of type {kind.__name__}; SEBlock supports {', '.join(GATES)}, recognised by class "
        f"(torch.nn.Sigmoid, Hardsigmoid, Tanh, ReLU, or timm's Sigmoid, HardSigmoid, Tanh), and "
        f"{kind.__module__}.{kind.__qualname__} is none of them (nor a subclass of one)."
    )


def _check_relu(module: nn.Module, who: str) -> None:
    if not isinstance(module, nn.ReLU):
        raise ValueError(
            f"{who} uses {type(module).__name__} between its two layers; SEBlock uses ReLU there, as the paper does."
        )


def _conv_to_linear(conv: nn.Conv2d, linear: nn.Linear) -> None:
    with torch.no_grad():
        linear.weight.copy_(conv.weight.flatten(1))
        if linear.bias is not None:
            linear.bias.copy_(conv.bias)


def _linear_to_conv(linear: nn.Linear, conv: nn.Conv2d) -> None:
    with torch.no_grad():
        conv.weight.copy_(linear.weight[:, :, None, None])
        if conv.bias is not None:
            if linear.bias is None:
                conv.bias.zero_()
            else:
                conv.bias.copy_(linear.bias)


class SEBlock(nn.Module):
    """Squeeze-and-Excitation block (Hu et al., CVPR 2018): output shape = input shape.

    Args:
        channels: C, the number of channels of the feature map.
        reduction: r, the bottleneck ratio (hidden width ``max(1, C // r)``).
        squeeze: ``"avg"`` (the paper's) or ``"max"``.
        gate: ``"sigmoid"`` (the paper's), ``"hardsigmoid"``, ``"tanh"`` or ``"relu"``.
        bias: whether the two excitation layers have biases.
        hidden: set the hidden width directly (overrides ``reduction``).

    Attributes:
        excitation: the :class:`Excitation` MLP (``excitation.fc1`` is W1,
            ``excitation.fc2`` is W2).

    Shapes:
        input x: (N, C, H, W) → output: (N, C, H, W).

    Example:
        >>> block = SEBlock(64, reduction=16)
        >>> block(torch.randn(2, 64, 7, 7)).shape
        torch.Size([2, 64, 7, 7])
    """

    def __init__(
        self,
        channels: int,
        reduction: int = 16,
        *,
        squeeze: str = "avg",
        gate: str = "sigmoid",
        bias: bool = True,
        hidden: int | None = None,
    ) -> None:
        super().__init__()
        self.squeeze_mode = check_choice("squeeze mode", squeeze, SQUEEZE_MODES)
        self.excitation = Excitation(channels, reduction, gate=gate, bias=bias, hidden=hidden)
        self.channels = self.excitation.channels  # a plain int

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_feature_map(x, "SEBlock", self.channels, param_dtype(self))
        z = squeeze(x, self.squeeze_mode)
        s = self.excitation(z)
        return scale(x, s)

    def extra_repr(self) -> str:
        return f"squeeze={self.squeeze_mode!r}"

    # ------------------------------------------------------------------ conversions
    @property
    def _bias(self) -> bool:
        return self.excitation.fc1.bias is not None

    @classmethod
    def from_torchvision(cls, m: nn.Module) -> SEBlock:
        """Copy a ``torchvision.ops.SqueezeExcitation`` into an equal ``SEBlock``.

        The 1×1 convolutions ``fc1`` (weight (C/r, C, 1, 1)) and ``fc2`` become
        linear layers (weight (C/r, C)); the result computes the same function.
        """
        from torchvision.ops import SqueezeExcitation

        if not isinstance(m, SqueezeExcitation):
            raise ValueError(f"from_torchvision expects a torchvision.ops.SqueezeExcitation; got {type(m).__name__}.")
        _check_relu(m.activation, "this SqueezeExcitation")
        gate = _gate_name(m.scale_activation, "this SqueezeExcitation")
        block = cls(m.fc1.in_channels, gate=gate, bias=True, hidden=m.fc1.out_channels)
        _conv_to_linear(m.fc1, block.excitation.fc1)
        _conv_to_linear(m.fc2, block.excitation.fc2)
        return block.to(m.fc1.weight.device, m.fc1.weight.dtype)

    def to_torchvision(self) -> nn.Module:
        """Return an equal ``torchvision.ops.SqueezeExcitation`` (needs ``squeeze="avg"``).

        Without biases here, the copy's biases are set to zero.
        """
        from torchvision.ops import SqueezeExcitation

        if self.squeeze_mode != "avg":
            raise ValueError("torchvision's SqueezeExcitation always squeezes by average; this block uses 'max'.")
        ex = self.excitation
        m = SqueezeExcitation(ex.channels, ex.hidden, activation=nn.ReLU, scale_activation=GATES[ex.gate_name])
        _linear_to_conv(ex.fc1, m.fc1)
        _linear_to_conv(ex.fc2, m.fc2)
        return m.to(ex.fc1.weight.device, ex.fc1.weight.dtype)

    @classmethod
    def from_timm(cls, m: nn.Module) -> SEBlock:
        """Copy a timm ``SEModule`` (``timm.layers.SEModule``) into an equal ``SEBlock``."""
        from timm.layers import SEModule

        if not isinstance(m, SEModule):
            raise ValueError(f"from_timm expects a timm.layers.SEModule; got {type(m).__name__}.")
        if getattr(m, "add_maxpool", False):
            raise ValueError(
                "this SEModule mixes average and max pooling (add_maxpool=True); SEBlock uses one of them."
            )
        if not isinstance(m.bn, nn.Identity):
            raise ValueError("this SEModule has a norm layer between fc1 and fc2; SEBlock has none.")
        _check_relu(m.act, "this SEModule")
        gate = _gate_name(m.gate, "this SEModule")
        bias = m.fc1.bias is not None
        block = cls(m.fc1.in_channels, gate=gate, bias=bias, hidden=m.fc1.out_channels)
        _conv_to_linear(m.fc1, block.excitation.fc1)
        _conv_to_linear(m.fc2, block.excitation.fc2)
        return block.to(m.fc1.weight.device, m.fc1.weight.dtype)

    def to_timm(self) -> nn.Module:
        """Return an equal timm ``SEModule`` (needs ``squeeze="avg"``)."""
        from timm.layers import SEModule

        if self.squeeze_mode != "avg":
            raise ValueError("timm's SEModule squeezes by average (or avg+max); this block uses 'max' alone.")
        ex = self.excitation
        gate = {"hardsigmoid": "hard_sigmoid"}.get(ex.gate_name, ex.gate_name)
        m = SEModule(ex.channels, rd_channels=ex.hidden, bias=self._bias, gate_layer=gate)
        _linear_to_conv(ex.fc1, m.fc1)
        _linear_to_conv(ex.fc2, m.fc2)
        return m.to(ex.fc1.weight.device, ex.fc1.weight.dtype)
