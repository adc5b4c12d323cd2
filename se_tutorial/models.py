"""Networks with SE blocks: small ResNets for 28×28 images, and ResNet-50 / SE-ResNet-50.

SE modules get stable, readable names: ``stage3.0.se`` is the SE block of the first
residual block of the third stage. The attention modules that followed SE
(:mod:`se_tutorial.attention`) go where SE goes, named ``stage3.0.attn``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from torch import nn
from torchvision.models import resnet as tv_resnet

from . import attention as _attention
from ._validate import check_bool, check_choice, check_dtype, check_positive_int, param_dtype
from .se_block import SEBlock

#: Where SE sits in a residual block (the paper's Table 14).
SE_VARIANTS = (None, "standard", "pre", "post", "identity")

#: Fashion-MNIST's pixel mean and standard deviation (training set, pixels in [0, 1]).
FASHION_MNIST_MEAN, FASHION_MNIST_STD = 0.2860, 0.3530


class Normalize(nn.Module):
    """Input preprocessing carried inside the model: ``(x - mean) / std``.

    Shapes: (N, C, H, W) → (N, C, H, W).
    """

    def __init__(self, mean: float, std: float) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class BasicBlock(nn.Module):
    """A residual block (two 3×3 convolutions) with an optional SE block.

    ``se`` places it (the paper's integration variants):

    - ``"standard"``: on the residual branch, before the sum: ``relu(x + SE(F(x)))``
    - ``"pre"``: at the start of the residual branch: ``relu(x + F(SE(x)))``
    - ``"post"``: after the sum: ``SE(relu(x + F(x)))``
    - ``"identity"``: on the identity path, parallel to the branch: ``relu(SE(x) + F(x))``
    - ``None``: no SE.

    ``attention`` names another module of :mod:`se_tutorial.attention` (``"spatial"``,
    ``"cbam"``, ``"eca"``, ``"scse"``, ``"coord"``) to put in SE's place, as ``self.attn``
    (``None`` or ``"se"``: an :class:`~se_tutorial.SEBlock`, as ``self.se``). Without ``se``
    it goes to the standard position.

    Shapes: (N, C_in, H, W) → (N, C_out, H / stride, W / stride).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        *,
        se=None,
        reduction: int = 4,
        squeeze: str = "avg",
        gate: str = "sigmoid",
        attention: str | None = None,
    ) -> None:
        super().__init__()
        check_choice("se variant", se, SE_VARIANTS)
        attention = _check_attention(attention)
        in_channels = check_positive_int("in_channels", in_channels)
        out_channels = check_positive_int("out_channels", out_channels)
        stride = check_positive_int("stride", stride)
        if attention is not None and se is None:
            se = "standard"
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, stride, bias=False), nn.BatchNorm2d(out_channels)
            )
        self.variant, self.attention = None, None
        if se is not None:
            add_gate(self, se, reduction=reduction, squeeze=squeeze, gate=gate, attention=attention)

    def _gate(self, x: torch.Tensor) -> torch.Tensor:
        return self.se(x) if getattr(self, "attention", None) is None else self.attn(x)

    def _branch(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v = self.variant
        identity = self.shortcut(x)
        if v == "pre":
            out = identity + self._branch(self._gate(x))
        elif v == "standard":
            out = identity + self._gate(self._branch(x))
        elif v == "identity":
            out = self._gate(identity) + self._branch(x)
        else:
            out = identity + self._branch(x)
        out = self.relu(out)
        return self._gate(out) if v == "post" else out


def add_gate(
    block: BasicBlock,
    se: str = "standard",
    *,
    reduction: int = 4,
    squeeze: str = "avg",
    gate: str = "sigmoid",
    attention: str | None = None,
    gate_start: float | None = None,
) -> BasicBlock:
    """Put SE (or another attention module) into a residual block: the one place where this is done.

    Args:
        block: a :class:`BasicBlock` without a gate.
        se: where the gate sits: ``"standard"``, ``"pre"``, ``"post"`` or ``"identity"``
            (see :class:`BasicBlock`). It sees ``C_in`` channels at ``"pre"``, else ``C_out``.
        reduction, squeeze, gate: the :class:`~se_tutorial.SEBlock`'s settings (``reduction``
            also shapes the other modules).
        attention: ``None`` for SE (as ``block.se``), or a module of :mod:`se_tutorial.attention`
            (as ``block.attn``).
        gate_start: ``None`` for SE's usual start (weights near 0.5 with a sigmoid gate), or the
            value every SE weight should start near: ``fc2``'s bias is set to
            ``log(gate_start / (1 - gate_start))``. No random numbers are drawn for this.

    Returns:
        ``block``, changed in place. The new module's parameters are drawn from torch's global
        generator now, after the block's own: so a network whose plain blocks were all built
        first keeps the plain network's weights (see :func:`add_gates`).
    """
    check_choice("se variant", se, SE_VARIANTS[1:])
    attention = _check_attention(attention)
    if getattr(block, "variant", None) is not None:
        raise ValueError(f"this block already has a gate at position {block.variant!r}; build it with se=None.")
    channels = block.conv1.in_channels if se == "pre" else block.conv1.out_channels
    if attention is None:
        block.se = SEBlock(channels, reduction, squeeze=squeeze, gate=gate)
    else:
        block.attn = _attention.make(attention, channels, reduction=reduction)
    if gate_start is not None:
        if attention is not None or gate != "sigmoid" or not 0 < gate_start < 1:
            raise ValueError(f"gate_start={gate_start!r} needs SE with a sigmoid gate and a value in (0, 1).")
        with torch.no_grad():
            block.se.excitation.fc2.bias.fill_(math.log(gate_start / (1 - gate_start)))
    block.variant, block.attention = se, attention
    return block


def add_gates(model: SmallResNet, se: str = "standard", *, stages=(1, 2, 3), **kwargs) -> SmallResNet:
    """Put a gate into every residual block of ``stages`` of a plain :class:`SmallResNet`.

    ``small_resnet(se=...)`` builds the plain network first and then calls this, so for one
    ``torch.manual_seed`` the network with SE and the one without have the same convolution
    and classifier weights (weight-paired); the experiments build their variants the same way.

    Args:
        model: a :class:`SmallResNet` built with ``se=None``.
        se: the position (see :func:`add_gate`).
        stages: which of the stages 1, 2, 3 get gates.
        **kwargs: ``reduction``, ``squeeze``, ``gate``, ``attention``, ``gate_start`` of :func:`add_gate`.

    Returns:
        ``model``, changed in place.
    """
    stages = tuple(stages)
    for s in stages:
        check_choice("stage", s, (1, 2, 3))
    for s in sorted(set(stages)):
        for block in getattr(model, f"stage{s}"):
            add_gate(block, se, **kwargs)
    return model


def _check_attention(attention):
    """``None`` for SE itself (``None`` or ``"se"``), else a name of :data:`se_tutorial.attention.ATTENTIONS`."""
    if attention is None or attention == "se":
        return None
    return check_choice("attention", attention, _attention.ATTENTIONS)


class SmallResNet(nn.Module):
    """A small ResNet for 28×28 single-channel images (built by :func:`small_resnet`).

    Layout: ``normalize`` → ``stem`` (3×3 conv) → ``stage1`` (28×28) → ``stage2``
    (14×14) → ``stage3`` (7×7) → global average pool → ``fc``.

    Shapes: (N, in_channels, 28, 28), floats in [0, 1] → logits (N, num_classes).
    """

    def __init__(
        self,
        num_classes: int = 10,
        in_channels: int = 1,
        widths=(16, 32, 64),
        blocks=(1, 1, 1),
        se=None,
        reduction: int = 4,
        squeeze: str = "avg",
        gate: str = "sigmoid",
        mean: float = FASHION_MNIST_MEAN,
        std: float = FASHION_MNIST_STD,
        *,
        attention: str | None = None,
    ) -> None:
        super().__init__()
        check_choice("se variant", se, SE_VARIANTS)
        attention = _check_attention(attention)
        widths, blocks = tuple(widths), tuple(blocks)
        if len(widths) != 3 or len(blocks) != 3:
            raise ValueError(
                f"small_resnet has 3 stages: give 3 widths and 3 block counts; got widths={widths}, blocks={blocks}."
            )
        widths = tuple(check_positive_int("each width", w) for w in widths)
        blocks = tuple(check_positive_int("each block count", b) for b in blocks)
        num_classes = check_positive_int("num_classes", num_classes)
        in_channels = check_positive_int("in_channels", in_channels)
        self.normalize = Normalize(mean, std)
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, widths[0], 3, 1, 1, bias=False), nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)
        )
        c_in = widths[0]
        for i, (w, n) in enumerate(zip(widths, blocks)):
            layers = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                layers.append(BasicBlock(c_in, w, stride))
                c_in = w
            self.add_module(f"stage{i + 1}", nn.Sequential(*layers))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(c_in, num_classes)
        if attention is not None and se is None:
            se = "standard"
        if se is not None:  # after every plain weight: the same seed gives the same plain weights
            add_gates(self, se, reduction=reduction, squeeze=squeeze, gate=gate, attention=attention)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, in_channels, 28, 28) → the last stage's map (N, widths[-1], 7, 7)."""
        if x.dim() != 4:
            raise ValueError(f"SmallResNet expects images of shape (N, C, H, W); got shape {tuple(x.shape)}.")
        check_dtype(
            x, "SmallResNet", param_dtype(self), hint="Pixels are expected in [0, 1]: x.float() / 255 for uint8 images."
        )
        x = self.stem(self.normalize(x))
        return self.stage3(self.stage2(self.stage1(x)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.pool(self.features(x)).flatten(1))


def small_resnet(
    num_classes: int = 10,
    in_channels: int = 1,
    widths=(16, 32, 64),
    blocks=(1, 1, 1),
    se=None,
    reduction: int = 4,
    squeeze: str = "avg",
    gate: str = "sigmoid",
    *,
    attention: str | None = None,
) -> SmallResNet:
    """A small ResNet for 28×28 images, with or without SE (or another attention module in its place).

    Args:
        num_classes: number of output classes.
        in_channels: channels of the input images (1 for Fashion-MNIST).
        widths: channels of the three stages.
        blocks: residual blocks per stage.
        se: where SE sits: ``None`` (no SE), ``"standard"``, ``"pre"``, ``"post"`` or ``"identity"``.
        reduction: the SE ratio r (hidden width ``max(1, C // r)``); 4 by default, since
            these networks are narrow (r = 16 would leave 1 hidden unit for 16 channels).
        squeeze, gate: passed to every :class:`~se_tutorial.SEBlock`.
        attention: ``None`` (SE, when ``se`` is given) or a module of :mod:`se_tutorial.attention`
            to put where SE goes: ``"spatial"``, ``"cbam"``, ``"eca"``, ``"scse"`` or ``"coord"``
            (built by ``se_tutorial.attention.make(name, C, reduction=reduction)``, named
            ``stageK.0.attn``). With ``se=None`` it sits at the standard position.

    Returns:
        A :class:`SmallResNet`; input (N, in_channels, 28, 28) in [0, 1] → logits (N, num_classes).
        The model normalises its input itself. The gates are added after the plain network is
        built (:func:`add_gates`): after the same ``torch.manual_seed``, ``small_resnet()`` and
        ``small_resnet(se="standard")`` share their convolution and classifier weights.
    """
    return SmallResNet(num_classes, in_channels, widths, blocks, se, reduction, squeeze, gate, attention=attention)


# --------------------------------------------------------------------------- a multi-scale head


class SEPyramidClassifier(nn.Module):
    """Notebook 04, Section 5.3: SE on each level of a feature pyramid, as a detector's neck would use it.

    The small ResNet's three stages A_1 (N, 16, 28, 28), A_2 (N, 32, 14, 14) and A_3 (N, 64, 7, 7)
    become levels of ``width`` channels: ``P3 = lateral(A_3)``, ``P2 = lateral(A_2) + up(P3)``,
    ``P1 = lateral(A_1) + up(P2)`` (1×1 convolutions, nearest-neighbour upsampling by 2), then one
    SE block per level; the classifier reads the three levels' average-pooled vectors.

    Args:
        width: channels of every level.
        reduction: the SE blocks' reduction ratio r.
        se: ``"standard"`` (an SE block on each level) or ``None`` (no SE: the same network, with
            identities in place of the blocks).
        num_classes: outputs of the classifier.

    Shapes: (N, 1, 28, 28), floats in [0, 1] → logits (N, num_classes); :meth:`levels` gives
    [(N, width, 28, 28), (N, width, 14, 14), (N, width, 7, 7)].
    """

    def __init__(self, width: int = 32, reduction: int = 4, se: str | None = "standard", num_classes: int = 10):
        super().__init__()
        width = check_positive_int("width", width)
        check_choice("se", se, ("standard", None))
        self.backbone = small_resnet()
        self.lateral = nn.ModuleList(nn.Conv2d(c, width, 1) for c in (16, 32, 64))
        self.se = nn.ModuleList(SEBlock(width, reduction) if se else nn.Identity() for _ in range(3))
        self.fc = nn.Linear(3 * width, num_classes)

    def levels(self, x: torch.Tensor) -> list[torch.Tensor]:
        """The three levels after their SE blocks: (N, 1, 28, 28) → [P1, P2, P3], each (N, width, h, w)."""
        b = self.backbone
        a1 = b.stage1(b.stem(b.normalize(x)))
        a2 = b.stage2(a1)
        a3 = b.stage3(a2)
        p3 = self.lateral[2](a3)
        p2 = self.lateral[1](a2) + nn.functional.interpolate(p3, scale_factor=2, mode="nearest")
        p1 = self.lateral[0](a1) + nn.functional.interpolate(p2, scale_factor=2, mode="nearest")
        return [block(p) for block, p in zip(self.se, (p1, p2, p3), strict=True)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pooled = [p.mean(dim=(2, 3)) for p in self.levels(x)]
        return self.fc(torch.cat(pooled, dim=1))


# --------------------------------------------------------------------------- ResNet-50


class _Bottleneck(tv_resnet.Bottleneck):
    """torchvision's bottleneck, with an optional SE after ``bn3`` and a choice of where the stride sits."""

    reduction: int | None = None
    stride_in_1x1: bool = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.stride_in_1x1 and self.stride != 1:  # the original (Caffe) layout
            self.conv1.stride, self.conv2.stride = self.conv2.stride, (1, 1)
        if self.reduction is not None:
            self.se = SEBlock(self.conv3.out_channels, self.reduction)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.reduction is not None:
            out = self.se(out)
        return self.relu(out + identity)


def resnet50(
    *, se: str | None = None, reduction: int = 16, stride_in_1x1: bool = False, num_classes: int = 1000
) -> tv_resnet.ResNet:
    """ImageNet ResNet-50, or SE-ResNet-50 with ``se="standard"`` (random weights).

    Args:
        se: where SE sits, as in :func:`small_resnet`: ``None`` (no SE) or ``"standard"``,
            an :class:`~se_tutorial.SEBlock` after the last BN of every bottleneck, before
            the sum with the identity (as in the paper and timm's ``seresnet50``). The other
            positions are not built for ResNet-50. (``True``/``False`` still mean
            ``"standard"``/``None``, with a DeprecationWarning.)
        reduction: SE's r (16 in the paper).
        stride_in_1x1: ``False``: torchvision's layout (stride in the 3×3 convolution);
            ``True``: the original layout the paper measured (stride in the first 1×1).

    Returns:
        A torchvision ``ResNet``; (N, 3, 224, 224) → logits (N, num_classes).
        Parameters: 25,557,032 without SE; 28,088,024 with SE at r = 16.
        SE modules are named like ``layer4.2.se``.
    """
    if isinstance(se, (bool, np.bool_)):
        warnings.warn(
            f"resnet50(se={bool(se)!r}) is deprecated; use se={'standard' if se else None!r}, "
            "the position names of small_resnet.",
            DeprecationWarning,
            stacklevel=2,
        )
        se = "standard" if se else None
    if se not in (None, "standard"):
        raise ValueError(
            f"resnet50 builds se=None or se='standard' (SE after the last BN of every bottleneck); "
            f"got se={se!r}. The positions 'pre', 'post' and 'identity' exist for small_resnet."
        )
    stride_in_1x1 = check_bool("stride_in_1x1", stride_in_1x1)
    num_classes = check_positive_int("num_classes", num_classes)
    if se is not None:
        reduction = check_positive_int("reduction", reduction)
    block = type(
        "Bottleneck", (_Bottleneck,), {"reduction": None if se is None else reduction, "stride_in_1x1": stride_in_1x1}
    )
    return tv_resnet.ResNet(block, [3, 4, 6, 3], num_classes=num_classes)
