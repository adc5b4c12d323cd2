"""Record what every SE module of a network computes: its squeeze z and its excitation s.

    with se_tutorial.capture(model) as rec:
        model(images)                  # (N, ...) → whatever the model returns
    rec.squeezes["stage3.0.se"]        # (N, C): the squeezed vector z of that block
    rec.excitations["stage3.0.se"]     # (N, C): its channel weights s

Known SE modules: the course's :class:`~se_tutorial.SEBlock`, torchvision's
``SqueezeExcitation`` (in MobileNetV3, EfficientNet, RegNetY) and timm's ``SEModule``
(plus timm's EfficientNet ``SqueezeExcite`` and legacy SENet ``SEModule``).

Other modules take part with :func:`register` (``se_tutorial.recording.register``): name the
sub-module whose input (or output) is the squeezed vector and the sub-module whose output is
the channel weights.

This module is named ``recording``, not ``capture``, so that ``se_tutorial.capture`` is the
function and ``se_tutorial.recording`` the module that holds it and its helpers.

The attention modules of :mod:`se_tutorial.attention` take part too. Their channel
weights are recorded as SE's (ECA; CBAM's channel gate ``*.channel``; scSE's ``*.cse``,
an SEBlock), and their spatial weights as maps, one per image:

    rec.spatial_maps["stage1.0.attn.spatial"]   # (N, H, W): CBAM's spatial gate, weights in (0, 1)

Spatial gates: :class:`~se_tutorial.attention.SpatialAttention` and scSE's
:class:`~se_tutorial.attention.SpatialSE` ((N, 1, H, W) maps), and coordinate
attention, whose weight of channel c at (i, j) is ``a_h[c, i] · a_w[c, j]``; its map is
that product averaged over the channels. :func:`register_spatial` adds other modules.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from .se_block import SEBlock


@dataclass(frozen=True)
class _Points:
    squeeze: str  # attribute path of the sub-module that sees z
    squeeze_side: str  # "input" or "output": z is that sub-module's first input, or its output
    excitation: str  # attribute path of the sub-module whose output is s


_REGISTRY: dict[type, _Points] = {}

#: Spatial gates: module type → the sub-module whose output is the (N, 1 or C, H, W) map,
#: or a pair (row gate, column gate) whose outputs are (N, C, H, 1) and (N, C, 1, W).
_SPATIAL: dict[type, str | tuple[str, str]] = {}


def register(module_type: type, *, squeeze: str, excitation: str, squeeze_side: str = "input") -> None:
    """Let :func:`capture` record modules of ``module_type``.

    Args:
        module_type: the class of your attention module.
        squeeze: name of the sub-module whose first input (``squeeze_side="input"``)
            or output (``"output"``) is the squeezed vector z, shaped (N, C) or (N, C, 1, 1).
        excitation: name of the sub-module whose output is the channel weights s,
            shaped (N, C) or (N, C, 1, 1).

    Example (a module with ``self.pool``, ``self.mlp`` and ``self.gate``)::

        se_tutorial.recording.register(MySE, squeeze="pool", squeeze_side="output", excitation="gate")
    """
    if squeeze_side not in ("input", "output"):
        raise ValueError(f"squeeze_side must be 'input' or 'output'; got {squeeze_side!r}.")
    _REGISTRY[module_type] = _Points(squeeze, squeeze_side, excitation)


def register_spatial(module_type: type, *, gate: str | tuple[str, str]) -> None:
    """Let :func:`capture` record the spatial weights of modules of ``module_type``.

    Args:
        module_type: the class of your attention module.
        gate: name of the sub-module whose output is the spatial weights, shaped
            (N, 1, H, W) or (N, C, H, W) (averaged over C); or a pair of names
            ``(row, column)`` whose outputs a_h (N, C, H, 1) and a_w (N, C, 1, W)
            multiply to the weights (coordinate attention).
    """
    pair = isinstance(gate, tuple)
    if not (isinstance(gate, str) or (pair and len(gate) == 2 and all(isinstance(g, str) for g in gate))):
        raise ValueError(f"gate must be a sub-module name or a pair (row gate, column gate) of names; got {gate!r}.")
    _SPATIAL[module_type] = gate


def _register_known() -> None:
    register(SEBlock, squeeze="excitation", excitation="excitation")
    from .attention import ECA, ChannelAttention, CoordAttention, SpatialAttention, SpatialSE

    register(ECA, squeeze="conv", excitation="gate")
    register(ChannelAttention, squeeze="avg_pool", squeeze_side="output", excitation="gate")
    register_spatial(SpatialAttention, gate="gate")
    register_spatial(SpatialSE, gate="gate")
    register_spatial(CoordAttention, gate=("gate_h", "gate_w"))
    try:
        from torchvision.ops import SqueezeExcitation

        register(SqueezeExcitation, squeeze="avgpool", squeeze_side="output", excitation="scale_activation")
    except ImportError:  # pragma: no cover - torchvision is a dependency
        pass


_register_known()
_timm_known = False


def _register_timm() -> None:
    """Register timm's SE modules, once timm is imported (only then can a model hold them).

    Importing timm here ourselves would make ``import se_tutorial`` a second slower. A type
    the user registered already keeps the user's points.
    """
    global _timm_known
    if _timm_known or "timm" not in sys.modules:
        return
    _timm_known = True
    try:
        from timm.layers import SEModule
        from timm.models._efficientnet_blocks import SqueezeExcite
        from timm.models.senet import SEModule as LegacySEModule
    except ImportError:  # timm reorganised: its modules are simply not known
        return
    for module_type, points in [
        (SEModule, dict(squeeze="fc1", excitation="gate")),
        (SqueezeExcite, dict(squeeze="conv_reduce", excitation="gate")),
        (LegacySEModule, dict(squeeze="fc1", excitation="sigmoid")),
    ]:
        if module_type not in _REGISTRY:
            register(module_type, **points)


def se_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The SE modules of ``model`` that :func:`capture` knows, name → module, in registration order.

    "SE modules" are those with channel weights (SE, ECA, CBAM's channel gate, ...).
    """
    _register_timm()
    return {name: m for name, m in model.named_modules() if type(m) in _REGISTRY}


def spatial_modules(model: nn.Module) -> dict[str, nn.Module]:
    """The spatial gates of ``model`` that :func:`capture` records (see :func:`register_spatial`), name → module."""
    return {name: m for name, m in model.named_modules() if type(m) in _SPATIAL}


def excitation_output(module: nn.Module) -> nn.Module:
    """The sub-module of a known SE module whose output is its channel weights s.

    A forward hook on it that returns a new tensor (same shape) replaces s: this is
    how interventions (``se_tutorial.interventions``) change what SE does.
    """
    _register_timm()
    if type(module) not in _REGISTRY:
        raise ValueError(f"{type(module).__name__} is not a known SE module; see se_tutorial.recording.register.")
    return module.get_submodule(_REGISTRY[type(module)].excitation)


def _as_vectors(t: torch.Tensor) -> torch.Tensor:
    return t.detach().flatten(1).cpu()


class Recorder:
    """What :func:`capture` recorded.

    Attributes:
        squeezes: module name → (N, C) tensor of squeezed vectors z.
        excitations: module name → (N, C) tensor of channel weights s.
        spatial_maps: module name → (N, H, W) tensor of spatial weights (spatial gates).
        All are in forward order, detached, on the CPU; several forward calls
        are concatenated along N.
        names, spatial_names: the recorded modules with channel weights, and the spatial gates.
    """

    def __init__(self, names, spatial_names=()) -> None:
        self.names = list(names)
        self.spatial_names = list(spatial_names)
        self._z: dict[str, list[torch.Tensor]] = {}
        self._s: dict[str, list[torch.Tensor]] = {}
        self._maps: dict[str, list[torch.Tensor]] = {}
        self._rows: dict[str, list[torch.Tensor]] = {}  # coordinate attention's a_h, until a_w comes

    @staticmethod
    def _cat(parts: dict[str, list[torch.Tensor]]) -> dict[str, torch.Tensor]:
        return {k: (v[0] if len(v) == 1 else torch.cat(v)) for k, v in parts.items()}

    @property
    def squeezes(self) -> dict[str, torch.Tensor]:
        return self._cat(self._z)

    @property
    def excitations(self) -> dict[str, torch.Tensor]:
        return self._cat(self._s)

    @property
    def spatial_maps(self) -> dict[str, torch.Tensor]:
        return self._cat(self._maps)

    def _add_map(self, name: str, out: torch.Tensor) -> None:
        """Record a gate's (N, 1 or C, H, W) output as an (N, H, W) map (mean over the channels)."""
        self._maps.setdefault(name, []).append(out.detach().float().mean(1).cpu())

    def clear(self) -> None:
        """Forget everything recorded so far."""
        for d in (self._z, self._s, self._maps, self._rows):
            d.clear()

    def __repr__(self) -> str:
        n = next((sum(len(t) for t in v) for d in (self._s, self._maps) for v in d.values()), 0)
        spatial = f", {len(self.spatial_names)} spatial gates" if self.spatial_names else ""
        return f"Recorder({len(self.names)} SE modules{spatial}, {n} images recorded)"


@contextmanager
def capture(model: nn.Module):
    """Record the squeeze and excitation of every SE module of ``model`` while in the ``with`` block.

    Yields:
        a :class:`Recorder`; its ``squeezes`` and ``excitations`` map each SE module's
        name (as in ``model.named_modules()``) to an (N, C) tensor, and its
        ``spatial_maps`` each spatial gate's name to an (N, H, W) tensor.

    Raises:
        ValueError: the model has no SE module (nor spatial gate) of a known type.

    Note:
        Inside ``se_tutorial.interventions.override_excitation`` the recorded s is the
        one the model really used (the replacement), when ``capture`` is entered *after*
        the override; entered before it, capture sees the original s.
    """
    modules = se_modules(model)
    spatial = spatial_modules(model)
    if not modules and not spatial:
        known = ", ".join(f"{t.__module__}.{t.__qualname__}" for t in [*_REGISTRY, *_SPATIAL])
        raise ValueError(
            f"{type(model).__name__} has no SE module that capture knows; looked for: {known}. "
            "Build the model with SE (e.g. small_resnet(se='standard')), or register your own module type "
            "with se_tutorial.recording.register(...)."
        )
    rec = Recorder(modules, spatial)
    handles = []
    for name, m in modules.items():
        points = _REGISTRY[type(m)]
        zmod, smod = m.get_submodule(points.squeeze), m.get_submodule(points.excitation)

        def on_z_input(_mod, args, _name=name):
            rec._z.setdefault(_name, []).append(_as_vectors(args[0]))

        def on_z_output(_mod, _args, out, _name=name):
            rec._z.setdefault(_name, []).append(_as_vectors(out))

        def on_s(_mod, _args, out, _name=name):
            rec._s.setdefault(_name, []).append(_as_vectors(out))

        if points.squeeze_side == "input":
            handles.append(zmod.register_forward_pre_hook(on_z_input))
        else:
            handles.append(zmod.register_forward_hook(on_z_output))
        handles.append(smod.register_forward_hook(on_s))
    for name, m in spatial.items():
        gate = _SPATIAL[type(m)]
        if isinstance(gate, str):

            def on_map(_mod, _args, out, _name=name):
                rec._add_map(_name, out)

            handles.append(m.get_submodule(gate).register_forward_hook(on_map))
        else:

            def on_rows(_mod, _args, out, _name=name):
                rec._rows.setdefault(_name, []).append(out.detach())

            def on_cols(_mod, _args, out, _name=name):
                rec._add_map(_name, rec._rows[_name].pop() * out.detach())  # (N, C, H, 1) · (N, C, 1, W)

            handles.append(m.get_submodule(gate[0]).register_forward_hook(on_rows))
            handles.append(m.get_submodule(gate[1]).register_forward_hook(on_cols))
    try:
        yield rec
    finally:
        for h in handles:
            h.remove()
