"""Excitation: a bottleneck MLP turns the squeezed vector into channel weights (paper, Eq. 3).

s = σ(W2 · δ(W1 · z)),   W1: C → C/r,   δ = ReLU,   W2: C/r → C,   σ = gate
"""

from __future__ import annotations

import torch
from torch import nn

from ._validate import check_bool, check_choice, check_positive_int, check_vector, param_dtype

#: The gates of the paper's excitation ablation (Table 12), plus the hard sigmoid of MobileNetV3.
GATES = {
    "sigmoid": nn.Sigmoid,
    "hardsigmoid": nn.Hardsigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


def hidden_size(channels: int, reduction: int, min_hidden: int = 1) -> int:
    """Width of the bottleneck: ``max(min_hidden, channels // reduction)``.

    The floor keeps the bottleneck alive when ``channels < reduction``
    (``channels // reduction`` would be 0, a layer with no units).
    Sizes may be ints, NumPy integers or 0-d integer tensors; the result is an int.
    """
    channels = check_positive_int("channels", channels)
    reduction = check_positive_int("reduction", reduction, "The paper uses r = 16.")
    min_hidden = check_positive_int("min_hidden", min_hidden)
    return max(min_hidden, channels // reduction)


class Excitation(nn.Module):
    """The excitation MLP: (N, C) squeezed vectors → (N, C) channel weights.

    Args:
        channels: C, the number of channels.
        reduction: r, the bottleneck ratio; the hidden layer has
            ``max(min_hidden, C // r)`` units.
        gate: the last activation: ``"sigmoid"`` (the paper's, weights in (0, 1)),
            ``"hardsigmoid"`` (weights in [0, 1]), ``"tanh"`` (in (-1, 1)) or
            ``"relu"`` (in [0, ∞)).
        bias: whether ``fc1`` and ``fc2`` have biases.
        min_hidden: the smallest allowed hidden width.
        hidden: set the hidden width directly (overrides ``reduction``); used to
            copy blocks from other libraries whose width is not ``C // r``.

    Attributes:
        fc1: ``nn.Linear(C, hidden)``, the paper's W1.
        act: ``nn.ReLU``, the paper's δ.
        fc2: ``nn.Linear(hidden, C)``, the paper's W2.
        gate: the gate module, the paper's σ.

    Shapes:
        input z: (N, C) → output s: (N, C).
    """

    def __init__(
        self,
        channels: int,
        reduction: int = 16,
        *,
        gate: str = "sigmoid",
        bias: bool = True,
        min_hidden: int = 1,
        hidden: int | None = None,
    ) -> None:
        super().__init__()
        check_choice("gate", gate, tuple(GATES))
        bias = check_bool("bias", bias)
        channels = check_positive_int("channels", channels)
        if hidden is None:
            hidden = hidden_size(channels, reduction, min_hidden)
            self.reduction = check_positive_int("reduction", reduction)
        else:
            hidden = check_positive_int("hidden", hidden)
            self.reduction = None  # the width was set directly
        self.channels = channels
        self.hidden = hidden
        self.gate_name = gate
        self.fc1 = nn.Linear(channels, hidden, bias=bias)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(hidden, channels, bias=bias)
        self.gate = GATES[gate]()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        check_vector(z, "Excitation", self.channels, param_dtype(self))
        return self.gate(self.fc2(self.act(self.fc1(z))))

    def extra_repr(self) -> str:
        return f"channels={self.channels}, hidden={self.hidden}, gate={self.gate_name!r}"


def excitation_params(channels: int, reduction: int = 16, *, bias: bool = True, min_hidden: int = 1) -> int:
    """Parameters of one excitation MLP: ``2·C·h`` weights (+ ``h + C`` biases), ``h = max(min_hidden, C // r)``.

    When r divides C this is the paper's ``2C²/r`` (Eq. 5, for one block).
    """
    h = hidden_size(channels, reduction, min_hidden)
    channels, bias = check_positive_int("channels", channels), check_bool("bias", bias)
    return 2 * channels * h + ((h + channels) if bias else 0)
