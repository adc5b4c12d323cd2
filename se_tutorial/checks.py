"""Checks for your own code: they say in words what is wrong, or that all is well.

Each ``check_*`` function runs your function or class on small inputs, compares it
with this package's reference implementation, and either prints a line that says
what passed or raises :class:`CheckFailed` (an ``AssertionError``) whose message
says what came, what was expected and where to look::

    >>> from se_tutorial import checks
    >>> checks.check_squeeze(my_squeeze)
    CheckFailed: your squeeze returned shape (2, 8, 1, 1); expected (2, 8) ...

The checks need nothing but this package: use them in the notebooks, in the
assignments (where the graded tests call them), or in your own scripts.
"""
from __future__ import annotations

import inspect

import torch
from torch import nn

from . import analysis, cost
from .excitation import Excitation, excitation_params
from .models import BasicBlock
from .scale import scale as _scale
from .se_block import SEBlock
from .squeeze import squeeze as _squeeze

#: Feature-map shapes every check uses: ordinary, batch 1, 1×1 maps, non-square, odd sizes.
SHAPES = ((2, 8, 5, 7), (1, 8, 4, 4), (3, 6, 1, 1), (2, 16, 3, 9))
ATOL = 1e-5


class CheckFailed(AssertionError):
    """Raised by a check: the message says what is wrong and how to look for the cause."""


def _fail(message: str) -> None:
    raise CheckFailed(message)


def _shape(t) -> str:
    return str(tuple(t.shape))


def _inputs(shape, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g)


def _call(fn, who: str, *args):
    """Call the student's ``fn``; turn a crash into a message that names the call."""
    try:
        return fn(*args)
    except NotImplementedError:
        _fail(f"{who} is not written yet (it raises NotImplementedError): replace `raise NotImplementedError()` with your code.")
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001 - any crash becomes a readable message
        shapes = ", ".join(_shape(a) if isinstance(a, torch.Tensor) else repr(a) for a in args)
        _fail(f"{who}({shapes}) raised {type(e).__name__}: {e}")


def _tensor(out, who: str, expected_shape) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        _fail(f"{who} returned {type(out).__name__}; expected a torch.Tensor of shape {tuple(expected_shape)}.")
    if tuple(out.shape) != tuple(expected_shape):
        _fail(f"{who} returned shape {_shape(out)}; expected {tuple(expected_shape)}.")
    return out


def _close(got: torch.Tensor, want: torch.Tensor, who: str, hint: str) -> None:
    diff = (got.detach().double() - want.detach().double()).abs().max().item()
    if not diff <= ATOL:
        _fail(f"{who} has the right shape but wrong values: largest difference {diff:.3g} from the expected. {hint}")


def _passed(name: str, n: int) -> str:
    message = f"✓ {name}: all {n} checks passed" if n > 1 else f"✓ {name}: the check passed"
    print(message)
    return message


# ------------------------------------------------------------------ assignment A: the SE block


def check_squeeze(fn) -> str:
    """Check ``fn(x) -> z``: global average pooling, (N, C, H, W) → (N, C).

    Runs ``fn`` on several shapes (batch 1, 1×1 maps, non-square maps), compares with
    :func:`se_tutorial.squeeze`, and checks that ``x`` is left unchanged.
    """
    for i, shape in enumerate(SHAPES):
        x = _inputs(shape, i)
        before = x.clone()
        z = _tensor(_call(fn, "your squeeze", x), "your squeeze", shape[:2])
        if not torch.equal(x, before):
            _fail("your squeeze changed its input x in place; compute a new tensor instead (avoid x.mean_ style in-place ops).")
        _close(z, _squeeze(x), f"your squeeze on shape {shape}",
               "Squeeze averages each channel over its H×W positions: mean over dims (2, 3).")
    return _passed("squeeze", len(SHAPES))


def check_scale(fn) -> str:
    """Check ``fn(x, s) -> x * s`` per channel: (N, C, H, W) and (N, C) → (N, C, H, W)."""
    for i, shape in enumerate(SHAPES):
        x, s = _inputs(shape, i), torch.rand(shape[:2], generator=torch.Generator().manual_seed(100 + i))
        out = _tensor(_call(fn, "your scale", x, s), "your scale", shape)
        _close(out, _scale(x, s), f"your scale on shape {shape}",
               "Channel c of image n must be multiplied by s[n, c]: reshape s to (N, C, 1, 1) so it broadcasts over H and W.")
    return _passed("scale", len(SHAPES))


def _linear(module: nn.Module, name: str, who: str, in_f: int, out_f: int) -> nn.Linear:
    layer = getattr(module, name, None)
    if not isinstance(layer, nn.Linear):
        _fail(f"{who} has no nn.Linear called `{name}`; make the two layers attributes called self.fc1 (C → h) and "
              "self.fc2 (h → C), with h = max(1, C // r).")
    if (layer.in_features, layer.out_features) != (in_f, out_f):
        _fail(f"{who}.{name} maps {layer.in_features} → {layer.out_features} features; expected {in_f} → {out_f} "
              "(the hidden width is h = max(1, C // r)).")
    return layer


def check_excitation(cls) -> str:
    """Check an excitation class: ``cls(channels, reduction)`` maps (N, C) → (N, C) weights in (0, 1).

    The module must have ``fc1 = nn.Linear(C, h)`` and ``fc2 = nn.Linear(h, C)``,
    ``h = max(1, C // r)``; its output must equal ``sigmoid(fc2(relu(fc1(z))))``.
    """
    cases = ((8, 2), (16, 4), (6, 16), (32, 16))
    for i, (c, r) in enumerate(cases):
        h = max(1, c // r)
        who = f"your Excitation({c}, {r})"
        mine = _call(cls, who, c, r)
        if not isinstance(mine, nn.Module):
            _fail(f"{who} is a {type(mine).__name__}; make it a subclass of nn.Module.")
        _linear(mine, "fc1", who, c, h)
        _linear(mine, "fc2", who, h, c)
        n = sum(p.numel() for p in mine.parameters())
        if n != excitation_params(c, r):
            _fail(f"{who} has {n} parameters; expected {excitation_params(c, r)} = 2·C·h + h + C with h = {h}.")
        ref = Excitation(c, r)
        ref.load_state_dict({k: v for k, v in mine.state_dict().items() if k.split(".")[0] in ("fc1", "fc2")})
        z = _inputs((3, c), 200 + i)
        s = _tensor(_call(mine, who, z), who, (3, c))
        if s.min() < 0 or s.max() > 1:
            _fail(f"{who} returned weights from {s.min().item():.3g} to {s.max().item():.3g}; they must lie in (0, 1): end with a sigmoid.")
        _close(s, ref(z), who, "Expected sigmoid(fc2(relu(fc1(z)))): check the order and the activations.")
    return _passed("Excitation", len(cases))


def check_se_block(cls) -> str:
    """Check an SE block class: ``cls(channels, reduction)``, (N, C, H, W) → same shape.

    It must keep its excitation MLP as ``self.excitation`` (with ``fc1`` and ``fc2``);
    its output must equal :class:`se_tutorial.SEBlock`'s and torchvision's
    ``SqueezeExcitation`` with the same weights.
    """
    n = 0
    for i, shape in enumerate(SHAPES):
        c, r = shape[1], 4
        who = f"your SE block({c}, {r})"
        mine = _call(cls, who, c, r)
        exc = getattr(mine, "excitation", None)
        if exc is None:
            _fail(f"{who} has no attribute `excitation`; keep the MLP as self.excitation = Excitation(channels, reduction).")
        h = max(1, c // r)
        _linear(exc, "fc1", f"{who}.excitation", c, h)
        _linear(exc, "fc2", f"{who}.excitation", h, c)
        ref = SEBlock(c, r)
        ref.excitation.load_state_dict({k: v for k, v in exc.state_dict().items() if k.split(".")[0] in ("fc1", "fc2")})
        x = _inputs(shape, 300 + i)
        out = _tensor(_call(mine, who, x), who, shape)
        _close(out, ref(x), f"{who} on shape {shape}",
               "Expected x * s[:, :, None, None] with s = excitation(squeeze(x)).")
        _close(out, ref.to_torchvision()(x), f"{who} against torchvision's SqueezeExcitation", "")
        n += 2
    return _passed("SE block", n)


# ------------------------------------------------------------------ assignment B: SE in a residual block


#: What each integration variant computes (the paper's Table 14), F being the residual branch.
VARIANT_FORMULAS = {"standard": "relu(x + SE(F(x)))", "pre": "relu(x + F(SE(x)))",
                    "post": "SE(relu(x + F(x)))", "identity": "relu(SE(x) + F(x))"}


def _variant_outputs(block: BasicBlock, x: torch.Tensor) -> dict:
    """What each integration variant computes with ``block``'s weights (all need an SE on C channels)."""
    f = block._branch
    se, relu = block.se, nn.functional.relu
    return {
        "standard": relu(x + se(f(x))),
        "pre": relu(x + f(se(x))),
        "post": se(relu(x + f(x))),
        "identity": relu(se(x) + f(x)),
        "no SE": relu(x + f(x)),
    }


def check_residual_block(cls, variant: str) -> str:
    """Check ``cls(channels, reduction, variant)``: a residual block with SE placed as ``variant``.

    The block must have the layers ``conv1, bn1, conv2, bn2, se`` named as in
    :class:`se_tutorial.models.BasicBlock`; with the same weights its output must equal
    that block's, in training and in evaluation mode. Shapes: (N, C, H, W) → (N, C, H, W).
    """
    if variant not in VARIANT_FORMULAS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(map(repr, VARIANT_FORMULAS))}.")
    c, r = 8, 2
    who = f"your block({c}, {r}, {variant!r})"
    mine = _call(cls, who, c, r, variant)
    torch.manual_seed(0)
    ref = BasicBlock(c, c, se=variant, reduction=r)
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as e:
        _fail(f"{who} does not have the layers conv1, bn1, conv2, bn2 and se of se_tutorial.models.BasicBlock: {e}")
    n = 0
    for mode in ("train", "eval"):
        x = _inputs((2, c, 6, 5), 400)
        mine.train(mode == "train")
        ref.train(mode == "train")
        got = _tensor(_call(mine, who, x), who, x.shape)
        want = ref(x)
        diff = (got - want).abs().max().item()
        if diff > ATOL:
            with torch.no_grad():
                matches = [k for k, v in _variant_outputs(ref, x).items() if (v - got).abs().max() <= ATOL]
            where = f" It computes the {matches[0]!r} variant instead." if matches else ""
            if mode == "eval" and not matches:
                where = (" It was right in training mode, so the formula is probably right: does your forward run a "
                         "layer twice (e.g. self.branch(x) two times)? BatchNorm updates its running statistics at "
                         "every call in training mode. Compute F(x) once and reuse it.")
            _fail(f"{who} in {mode} mode differs from the {variant!r} variant by up to {diff:.3g}.{where} "
                  f"Expected {VARIANT_FORMULAS[variant]}, with F(x) = bn2(conv2(relu(bn1(conv1(x))))).")
        n += 1
    return _passed(f"residual block, {variant!r} variant", n)


def check_se_params(fn) -> str:
    """Check ``fn(channels, reduction) -> int``: the parameters one SE block adds (with biases)."""
    cases = ((64, 16), (256, 16), (2048, 16), (16, 32), (10, 3))
    for c, r in cases:
        got = _call(fn, "your se_params", c, r)
        want = excitation_params(c, r)
        if got != want:
            h = max(1, c // r)
            _fail(f"your se_params({c}, {r}) returned {got!r}; expected {want} = 2·C·h + h + C with "
                  f"h = max(1, C // r) = {h} (two weight matrices and two bias vectors).")
    return _passed("se_params", len(cases))


def check_count_macs(fn) -> str:
    """Check ``fn(model, input_shape) -> int``: multiply-accumulates of one forward pass.

    Compared with :func:`se_tutorial.cost.macs` on a small convolutional network.
    """
    torch.manual_seed(0)
    nets = {"a 3×3 convolution": nn.Conv2d(3, 8, 3, padding=1),
            "a conv + SE network": nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), SEBlock(16, 4), nn.Flatten(), nn.LazyLinear(5))}
    nets["a conv + SE network"](torch.zeros(1, 3, 10, 10))  # materialise the lazy layer
    for name, net in nets.items():
        shape = (1, 3, 10, 10)
        got = _call(fn, "your count_macs", net, shape)
        want = cost.macs(net, shape)
        if got == 0:
            _fail(f"your count_macs on {name} returned 0; expected {want}. Run the model inside the "
                  "`with FlopCounterMode(display=False) as counter:` block, then read counter.get_total_flops().")
        if got != want:
            ratio = f" (that is {got / want:.2f}× the expected)" if isinstance(got, (int, float)) and want else ""
            _fail(f"your count_macs on {name} returned {got!r}; expected {want}{ratio}. torch.utils.flop_counter "
                  "counts FLOPs, and one multiply-accumulate is 2 FLOPs.")
    return _passed("count_macs", len(nets))


# ------------------------------------------------------------------ assignment C: analysing excitations


def _labelled(seed: int, c: int = 5):
    """Weights (60, C) and labels (60,) of 3 classes of unequal sizes (10, 20, 30 images), shuffled."""
    g = torch.Generator().manual_seed(seed)
    y = torch.repeat_interleave(torch.arange(3), torch.tensor([10, 20, 30]))
    y = y[torch.randperm(len(y), generator=g)]
    s = torch.rand(len(y), c, generator=g) * 0.5 + y[:, None] * 0.15
    return s, y, 3


def check_class_means(fn) -> str:
    """Check ``fn(s, labels, num_classes) -> mu``: (N, C), (N,) → (K, C) per-class mean weights."""
    for seed in range(3):
        s, y, k = _labelled(seed)
        got = _call(fn, "your class_means", s, y, k)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (s.shape[1], k):
            _fail(f"your class_means returned shape {_shape(got)}; expected ({k}, {s.shape[1]}): it looks transposed "
                  "(one row per class, one column per channel).")
        got = _tensor(got, "your class_means", (k, s.shape[1]))
        _close(got, analysis.class_means(s, y, k), "your class_means",
               "Row k must be the mean of s over the images whose label is k.")
    return _passed("class_means", 3)


def check_class_specificity(fn) -> str:
    """Check ``fn(s, labels, num_classes) -> float``: the share of the weights' variance that the class explains."""
    s, y, k = _labelled(0)
    constant_per_class = analysis.class_means(s, y, k)[y]     # weights decided by the class alone
    cases = {"random weights": s, "weights that depend on the class only": constant_per_class,
             "the same weights for every image": torch.rand(1, 4, generator=torch.Generator().manual_seed(7)).expand(len(y), 4)}
    for name, x in cases.items():
        got = _call(fn, "your class_specificity", x, y, k)
        want = analysis.class_specificity(x, y, k)
        try:
            ok = abs(float(got) - want) <= 1e-4
        except (TypeError, ValueError):
            _fail(f"your class_specificity returned {type(got).__name__}; expected a float in [0, 1].")
        if not ok:
            _fail(f"your class_specificity on {name} returned {float(got):.4f}; expected {want:.4f}. "
                  "It is between / total, with between = Σ_c Σ_k (n_k/N)(mu[k,c] − m[c])² (each class weighted by "
                  "its share n_k/N of the images; classes differ in size) and "
                  "total = Σ_c (1/N) Σ_n (s[n,c] − m[c])² (0 when total is 0).")
    return _passed("class_specificity", len(cases))


def check_recorded(excitations: dict, model: nn.Module, images: torch.Tensor) -> str:
    """Check a dict ``block name → (N, C) weights`` recorded from ``model`` on ``images``.

    Compared with :func:`se_tutorial.analysis.record` (every SE block, in depth order).
    """
    if not isinstance(excitations, dict):
        _fail(f"expected a dict from block name to a (N, C) tensor; got {type(excitations).__name__}.")
    want, _ = analysis.record(model, images)
    if list(excitations) != list(want):
        _fail(f"your dict has the blocks {list(excitations)}; expected {list(want)} (every SE block, in depth order).")
    for name, s in want.items():
        got = excitations[name]
        if isinstance(got, torch.Tensor) and got.dim() == 2 and got.shape[0] != s.shape[0]:
            _fail(f"the weights of {name!r} have shape {_shape(got)}; expected {tuple(s.shape)}, one row per image: "
                  f"run the model once, on all {s.shape[0]} images, inside the `with` block.")
        got = _tensor(got, f"the weights of {name!r}", s.shape)
        _close(got, s, f"the weights of {name!r}", "Record the output of each block's excitation (after the sigmoid), in eval mode.")
    return _passed("recorded excitations", len(want))


def check_value(name: str, got, expected, *, tol: float = 1e-6) -> str:
    """Check a single number you computed (``got``) against the expected value."""
    try:
        ok = abs(float(got) - float(expected)) <= tol * max(1.0, abs(float(expected)))
    except (TypeError, ValueError):
        _fail(f"{name} is {got!r}; expected a number.")
    if not ok:
        _fail(f"{name} is {got!r}; expected {expected!r}.")
    return _passed(name, 1)


__all__ = [name for name, obj in dict(globals()).items()
           if (name.startswith("check_") and inspect.isfunction(obj)) or name == "CheckFailed"]
