"""Checks for your own code: they say in words what is wrong, or that all is well.

Each ``check_*`` function runs your function or class on small inputs, compares it
with this package's reference implementation, and either prints one line that says
what passed or raises :class:`CheckFailed` (an ``AssertionError``) whose message
says what came and where to look::

    >>> from se_tutorial import checks
    >>> checks.check_squeeze(my_squeeze)
    CheckFailed: your squeeze returned shape (2, 8, 1, 1); expected (2, 8) ...

The checks need nothing but this package: use them in the notebooks, in the
assignments (where the graded tests call them), or in your own scripts. They are
written for fair grading:

- **Your own code only.** A check refuses the package's own code for the part it
  checks (``from se_tutorial import SEBlock`` passed as your block, or a function that
  calls it), and it refuses to run when code in the session has replaced functions of
  torch or of this package.
- **One part at a time.** Where a part builds on earlier ones (the SE block on squeeze,
  excitation and scale), the check puts the package's versions of the earlier parts in
  place of yours while it runs, so one mistake costs only its own part.
- **No answers in messages.** A failure says what is wrong (a shape, a formula, how far
  off), not the number your code should have returned.
- **Quiet about warnings.** A warning or text on stderr from your code is reported in
  words after the result, never left to look like an error.
- The graded tests run the same checks again on inputs you do not see (``shapes=``,
  ``cases=``, ``seed=``, ``quiet=True``), so make your code right for every input.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import inspect
import io
import linecache
import os
import site
import sys
import traceback
import types
import warnings

import torch
import torchvision
from torch import nn

from . import analysis, cost
from ._validate import shape_str
from .excitation import Excitation, excitation_params, hidden_size
from .models import BasicBlock, small_resnet
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


def _inputs(shape, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g)


# ------------------------------------------------------------------ what a check trusts

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_TRUSTED_DIRS = tuple(
    os.path.realpath(d) + os.sep
    for d in {_PACKAGE_DIR, sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
)


@functools.cache
def _trusted_file(filename: str) -> bool:
    """Code from the package, the Python installation or an installed library (not a notebook cell)."""
    if filename.startswith("<"):  # "<frozen ...>": Python's own; "<stdin>", "<string>": typed or exec'd
        return filename.startswith("<frozen ")
    return os.path.realpath(filename).startswith(_TRUSTED_DIRS)


def _foreign(obj) -> bool:
    """True for a function or class defined outside the trusted code (in a notebook, say)."""
    if isinstance(obj, (staticmethod, classmethod, types.MethodType)):
        obj = obj.__func__
    if isinstance(obj, types.FunctionType):
        return not _trusted_file(obj.__code__.co_filename)
    if isinstance(obj, type):
        if obj.__module__ == "__main__":
            return True
        path = getattr(sys.modules.get(obj.__module__), "__file__", None)
        return isinstance(path, str) and not _trusted_file(path)
    return False


def _replaced() -> list[str]:
    """Functions of torch, Python's builtins and this package that code in this session replaced."""
    owners = {
        "torch": torch,
        "torch.Tensor": torch.Tensor,
        "torch.nn.Module": nn.Module,
        "torch.nn.functional": nn.functional,
        "torch.testing": torch.testing,
        "builtins": builtins,
    }
    owners.update(
        {
            name: module
            for name, module in list(sys.modules.items())
            if name == "se_tutorial" or name.startswith("se_tutorial.")
        }
    )
    found = []
    for where, owner in owners.items():
        for name, obj in list(vars(owner).items()):
            if _foreign(obj):
                found.append(f"{where}.{name}")
    return found


def _package_object(obj) -> bool:
    """True for this package's own function or class (or a class built on one, or an instance of one)."""
    kinds = obj.__mro__ if isinstance(obj, type) else (obj, type(obj))
    return any((getattr(k, "__module__", None) or "").startswith("se_tutorial") for k in kinds)


def _codes(*objs) -> dict:
    """Code objects of functions and of the methods of classes → a readable name."""
    out = {}
    for obj in objs:
        if isinstance(obj, type):
            for attr in vars(obj).values():
                if inspect.isfunction(attr):
                    out[attr.__code__] = f"{obj.__module__}.{obj.__qualname__}"
        else:
            out[obj.__code__] = f"{obj.__module__}.{obj.__qualname__}"
    return out


class _Part:
    """What one check forbids (the package's code for this part) and lends (its code for earlier parts)."""

    def __init__(self, title: str, forbid=(), lend=None):
        self.title, self.forbid, self.lend = title, _codes(*forbid), dict(lend or {})


def _ref_count_macs(model, input_shape) -> int:
    """count_macs as the assignment asks for it (cost.macs, which this part forbids, runs on meta tensors)."""
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(input_shape))
    return counter.get_total_flops() // 2


_PARTS = {
    "squeeze": _Part("squeeze", forbid=[_squeeze]),
    "excitation": _Part("Excitation", forbid=[Excitation]),
    "scale": _Part("scale", forbid=[_scale]),
    "se_block": _Part(
        "SE block",
        forbid=[SEBlock, torchvision.ops.SqueezeExcitation],
        lend={"squeeze": _squeeze, "scale": _scale, "Excitation": Excitation},
    ),
    "residual_block": _Part("residual block", forbid=[BasicBlock]),
    "se_params": _Part("se_params", forbid=[excitation_params, hidden_size]),
    "count_macs": _Part("count_macs", forbid=[cost.macs, cost._forward]),
    "se_cost": _Part(
        "se_cost",
        forbid=[cost.macs, cost._forward],
        lend={"count_macs": _ref_count_macs, "se_params": excitation_params},
    ),
    "record": _Part("record_excitations", forbid=[analysis.record]),
    "class_means": _Part("class_means", forbid=[analysis.class_means]),
    "class_specificity": _Part(
        "class_specificity",
        forbid=[analysis.class_specificity, analysis.class_spread],
        lend={"class_means": analysis.class_means},
    ),
    "value": _Part("value"),
}


class _Run:
    """The state of the check that is running: its part, the warnings and stderr text of the student's code."""

    part: _Part = _PARTS["value"]
    notes: list = []


def _student_line(tb) -> str:
    """' at your line `...`' for the deepest frame of a traceback that is the student's own code."""
    frames = [f for f in traceback.extract_tb(tb) if not _trusted_file(f.filename)]
    if not frames:
        return ""
    line = " ".join((frames[-1].line or linecache.getline(frames[-1].filename, frames[-1].lineno)).split())
    return f" at your line `{line}`" if line else ""


#: Hints for torch errors that students meet often, keyed by a piece of the error message.
_HINTS = {
    "shapes cannot be multiplied": "a layer got an input of the wrong width: check the order of the layers "
    "(fc1 maps C → h, fc2 maps h → C) and that their input has shape (N, features)",
    "must match the size of tensor": "two tensors do not broadcast: "
    "give s two trailing dimensions of size 1, (N, C, 1, 1)",
    "Expected 4D": "this layer needs a 4-D input (N, C, H, W)",
    "zero-element": "a layer has 0 units: the hidden width must be at least 1",
}


def _call(fn, who: str, *args):
    """Call the student's ``fn``: a crash becomes a message naming the call and the student's line; the
    package's own code for the part being checked is refused; warnings and stderr are kept as notes."""
    part, hits = _Run.part, set()

    def watch(frame, event, arg):
        if event == "call" and frame.f_code in part.forbid:
            hits.add(part.forbid[frame.f_code])

    err = io.StringIO()
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err):
            warnings.simplefilter("always")
            sys.setprofile(watch if part.forbid else None)
            try:
                out = fn(*args)
            finally:
                sys.setprofile(None)
    except NotImplementedError:
        _fail(
            f"{who} is not written yet (it raises NotImplementedError): "
            "replace `raise NotImplementedError()` with your code."
        )
    except CheckFailed:
        raise
    except Exception as e:  # noqa: BLE001 - any crash becomes a readable message
        shapes = ", ".join(
            shape_str(a) if isinstance(a, torch.Tensor) else type(a).__name__ if isinstance(a, nn.Module) else repr(a)
            for a in args
        )
        hint = next((f" Hint: {h}." for key, h in _HINTS.items() if key in str(e)), "")
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        _fail(f"{who}({shapes}) raised {type(e).__name__}{_student_line(e.__traceback__)}: {first}.{hint}")
    if hits:
        _fail(
            f"{who} runs the package's own {', '.join(sorted(hits))}: this part asks for your own code. "
            "Write it from the formula (the checks accept any correct code of yours)."
        )
    for w in caught:
        _Run.notes.append(f"{w.category.__name__}: {str(w.message).strip().splitlines()[0]}")
    if err.getvalue().strip():
        _Run.notes.append("text on stderr: " + err.getvalue().strip().splitlines()[0])
    return out


def _scope(obj):
    """The module namespace (a notebook's, say) where the student's ``obj`` was defined, or None."""
    funcs = [obj] if not isinstance(obj, type) else [a for k in obj.__mro__ for a in vars(k).values()]
    for f in funcs:
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is not None and not _trusted_file(code.co_filename):
            return f.__globals__
    return None


@contextlib.contextmanager
def _lent(obj, lend: dict):
    """Put the package's versions of earlier parts in place of the student's, in ``obj``'s module namespace."""
    scope = _scope(obj) if lend else None
    saved = {name: scope[name] for name in lend if scope is not None and name in scope}
    try:
        if saved:
            scope.update({name: lend[name] for name in saved})
        yield sorted(saved)
    finally:
        if saved:
            scope.update(saved)


def _check(part: str):
    """Make a public check: trust nothing replaced, refuse the package's own code, lend earlier parts,
    report warnings, print one line, and fail with a short traceback."""

    def wrap(check):
        @functools.wraps(check)
        def run(obj, *args, quiet: bool = False, **kwargs):
            __tracebackhide__ = True  # noqa: F841 - IPython shows the check's message, not its insides
            message = None
            previous, _Run.part, _Run.notes = (_Run.part, _Run.notes), _PARTS[part], []
            try:
                replaced = _replaced()
                if replaced:
                    _fail(
                        f"code in this session replaced {', '.join(replaced[:3])}"
                        f"{' and more' if len(replaced) > 3 else ''}; "
                        "the checks cannot trust what they would measure. "
                        "Remove that code, restart the kernel and run all cells."
                    )
                if part != "value" and _package_object(obj):
                    _fail(
                        f"this is the package's own {getattr(obj, '__qualname__', type(obj).__qualname__)} from "
                        f"{getattr(obj, '__module__', '')}; this part asks for your own {_PARTS[part].title}."
                    )
                with _lent(obj, _PARTS[part].lend) as lent, torch.random.fork_rng(devices=[]):
                    n, name = check(obj, *args, **kwargs)  # (the student's random state is left as it was)
                notes = list(dict.fromkeys(_Run.notes))
                if lent:  # graded with the package's earlier parts; and with the student's own?
                    try:
                        with torch.random.fork_rng(devices=[]):
                            check(obj, *args, **kwargs)
                    except CheckFailed as e:
                        notes.append(
                            f"with your own {', '.join(lent)} in place of the course's, it does not pass yet "
                            f"({e}). This part counts as done; fix the earlier part."
                        )
            except CheckFailed as e:
                message = str(e)
            finally:
                _Run.part, _Run.notes = previous
            if message is not None:
                raise CheckFailed(message) from None
            if not quiet:
                print(f"✓ {name}: all {n} checks passed" if n > 1 else f"✓ {name}: the check passed")
                for note in notes:
                    print(
                        f"  note: {note}"
                        if note.startswith("with your own")
                        else f"  note: your code gave a warning, which costs nothing but may be worth a look: {note}"
                    )
            return None

        return run

    return wrap


def _tensor(out, who: str, expected_shape) -> torch.Tensor:
    if not isinstance(out, torch.Tensor):
        _fail(f"{who} returned {type(out).__name__}; expected a torch.Tensor of shape {tuple(expected_shape)}.")
    if tuple(out.shape) != tuple(expected_shape):
        _fail(f"{who} returned shape {shape_str(out)}; expected {tuple(expected_shape)}.")
    return out


def _close(got: torch.Tensor, want: torch.Tensor, who: str, hint: str) -> None:
    diff = (got.detach().double() - want.detach().double()).abs().max().item()
    if not diff <= ATOL:
        _fail(f"{who} has the right shape but wrong values: largest difference {diff:.3g} from the right ones. {hint}")


# ------------------------------------------------------------------ assignment A: the SE block


@_check("squeeze")
def check_squeeze(fn, *, shapes=SHAPES, seed: int = 0):
    """Check ``fn(x) -> z``: global average pooling, (N, C, H, W) → (N, C).

    Runs ``fn`` on several shapes (batch 1, 1×1 maps, non-square maps), compares with
    :func:`se_tutorial.squeeze`, and checks that ``x`` is left unchanged. Prints one line
    (none with ``quiet=True``) or raises :class:`CheckFailed`.
    """
    for i, shape in enumerate(shapes):
        x = _inputs(shape, seed + i)
        before = x.clone()
        z = _tensor(_call(fn, "your squeeze", x), "your squeeze", shape[:2])
        if not torch.equal(x, before):
            _fail(
                "your squeeze changed its input x in place; "
                "compute a new tensor instead (avoid x.mean_ style in-place ops)."
            )
        _close(
            z,
            _squeeze(x),
            f"your squeeze on shape {tuple(shape)}",
            "Squeeze averages each channel over its H×W positions: mean over dims (2, 3).",
        )
    return len(shapes), "squeeze"


@_check("scale")
def check_scale(fn, *, shapes=SHAPES, seed: int = 0):
    """Check ``fn(x, s) -> x * s`` per channel: (N, C, H, W) and (N, C) → (N, C, H, W)."""
    for i, shape in enumerate(shapes):
        x, s = (
            _inputs(shape, seed + i),
            torch.rand(tuple(shape[:2]), generator=torch.Generator().manual_seed(seed + 100 + i)),
        )
        out = _tensor(_call(fn, "your scale", x, s), "your scale", shape)
        _close(
            out,
            _scale(x, s),
            f"your scale on shape {tuple(shape)}",
            "Channel c of image n must be multiplied by s[n, c]: "
            "reshape s to (N, C, 1, 1) so it broadcasts over H and W.",
        )
    return len(shapes), "scale"


def _linear(module: nn.Module, name: str, who: str, in_f: int, out_f: int, c: int, r: int) -> nn.Linear:
    layer = getattr(module, name, None)
    if not isinstance(layer, nn.Linear):
        _fail(
            f"{who} has no nn.Linear called `{name}`; make the two layers attributes called self.fc1 (C → h) and "
            "self.fc2 (h → C), with h = max(1, ⌊C / r⌋)."
        )
    if layer.in_features != in_f and layer.out_features == in_f and name == "fc1":
        _fail(
            f"{who}.fc1 maps {layer.in_features} → {layer.out_features} features: fc1 and fc2 look swapped "
            "(fc1 maps C → h, fc2 maps h → C)."
        )
    if (layer.in_features, layer.out_features) != (in_f, out_f):
        width = layer.out_features if name == "fc1" else layer.in_features
        why = (
            "round down: ⌊C / r⌋ is C // r, not C / r rounded up"
            if width == -(-c // r) and c % r
            else "it must be at least 1, even when C < r"
            if width == c // r == 0
            else "h = max(1, ⌊C / r⌋)"
        )
        _fail(
            f"{who}.{name} maps {layer.in_features} → {layer.out_features} features; for C = {c} and r = {r} that "
            f"hidden width is wrong: {why}."
        )
    return layer


@_check("excitation")
def check_excitation(cls, *, cases=((8, 2), (16, 4), (6, 16), (32, 16), (10, 4)), seed: int = 200):
    """Check an excitation class: ``cls(channels, reduction)`` maps (N, C) → (N, C) weights in (0, 1).

    The module must have ``fc1 = nn.Linear(C, h)`` and ``fc2 = nn.Linear(h, C)``,
    ``h = max(1, C // r)``; its output must equal ``sigmoid(fc2(relu(fc1(z))))``.
    """
    for i, (c, r) in enumerate(cases):
        h = hidden_size(c, r)
        who = f"your Excitation({c}, {r})"
        mine = _call(cls, who, c, r)
        if not isinstance(mine, nn.Module):
            _fail(f"{who} is a {type(mine).__name__}; make it a subclass of nn.Module.")
        _linear(mine, "fc1", who, c, h, c, r)
        _linear(mine, "fc2", who, h, c, c, r)
        n = sum(p.numel() for p in mine.parameters())
        if n != excitation_params(c, r):
            _fail(
                f"{who} has {n} parameters; an excitation has two weight matrices and two bias vectors "
                "(2·C·h + h + C) and nothing else."
            )
        ref = Excitation(c, r)
        ref.load_state_dict({k: v for k, v in mine.state_dict().items() if k.split(".")[0] in ("fc1", "fc2")})
        z = _inputs((3, c), seed + i)
        s = _tensor(_call(mine, who, z), who, (3, c))
        if s.min() < 0 or s.max() > 1:
            _fail(
                f"{who} returned weights from {s.min().item():.3g} to {s.max().item():.3g}; "
                "they must lie in (0, 1): end with a sigmoid."
            )
        _close(s, ref(z), who, "Expected sigmoid(fc2(relu(fc1(z)))): check the order and the activations.")
    return len(cases), "Excitation"


@_check("se_block")
def check_se_block(cls, *, shapes=SHAPES, reduction: int = 4, seed: int = 300):
    """Check an SE block class: ``cls(channels, reduction)``, (N, C, H, W) → same shape.

    It must keep its excitation MLP as ``self.excitation`` (with ``fc1`` and ``fc2``);
    its output must equal :class:`se_tutorial.SEBlock`'s and torchvision's
    ``SqueezeExcitation`` with the same weights. While it runs, the names ``squeeze``,
    ``scale`` and ``Excitation`` of your notebook mean the package's versions, so that
    this part is checked on its own: how you put the three steps together.
    """
    n = 0
    for i, shape in enumerate(shapes):
        c, r = shape[1], reduction
        who = f"your SEBlock({c}, {r})"
        mine = _call(cls, who, c, r)
        exc = getattr(mine, "excitation", None)
        if exc is None:
            _fail(
                f"{who} has no attribute `excitation`; "
                "keep the MLP as self.excitation = Excitation(channels, reduction)."
            )
        h = hidden_size(c, r)
        _linear(exc, "fc1", f"{who}.excitation", c, h, c, r)
        _linear(exc, "fc2", f"{who}.excitation", h, c, c, r)
        ref = SEBlock(c, r)
        ref.excitation.load_state_dict({k: v for k, v in exc.state_dict().items() if k.split(".")[0] in ("fc1", "fc2")})
        x = _inputs(shape, seed + i)
        out = _tensor(_call(mine, who, x), who, shape)
        _close(
            out,
            ref(x),
            f"{who} on shape {tuple(shape)}",
            "Expected scale(x, excitation(squeeze(x))): x * s[:, :, None, None] with s = excitation(squeeze(x)).",
        )
        _close(out, ref.to_torchvision()(x), f"{who} against torchvision's SqueezeExcitation", "")
        n += 2
    return n, "SE block"


# ------------------------------------------------------------------ assignment B: SE in a residual block


#: What each integration variant computes (the paper's Table 14), F being the residual branch.
VARIANT_FORMULAS = {
    "standard": "relu(x + SE(F(x)))",
    "pre": "relu(x + F(SE(x)))",
    "post": "SE(relu(x + F(x)))",
    "identity": "relu(SE(x) + F(x))",
}


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


@_check("residual_block")
def check_residual_block(cls, variant: str, *, channels: int = 8, reduction: int = 2, shape=(2, 6, 5), seed: int = 400):
    """Check ``cls(channels, reduction, variant)``: a residual block with SE placed as ``variant``.

    The block must have the layers ``conv1, bn1, conv2, bn2, se`` named as in
    :class:`se_tutorial.models.BasicBlock`; with the same weights its output must equal
    that block's, in training and in evaluation mode. Shapes: (N, C, H, W) → (N, C, H, W).
    """
    if variant not in VARIANT_FORMULAS:
        raise ValueError(f"unknown variant {variant!r}; expected one of {', '.join(map(repr, VARIANT_FORMULAS))}.")
    c, r = channels, reduction
    who = f"your block({c}, {r}, {variant!r})"
    mine = _call(cls, who, c, r, variant)
    if not isinstance(mine, nn.Module):
        _fail(f"{who} is a {type(mine).__name__}; make it a subclass of nn.Module.")
    torch.manual_seed(seed)
    ref = BasicBlock(c, c, se=variant, reduction=r)
    try:
        mine.load_state_dict(ref.state_dict())
    except RuntimeError as e:
        _fail(
            f"{who} does not have the layers conv1, bn1, conv2, bn2 and se of se_tutorial.models.BasicBlock: "
            f"{str(e).splitlines()[0]}"
        )
    n = 0
    for mode in ("train", "eval"):
        x = _inputs((shape[0], c, *shape[1:]), seed)
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
                where = (
                    " It was right in training mode, so the formula is probably right: does your forward run a "
                    "layer twice (e.g. self.branch(x) two times)? BatchNorm updates its running statistics at "
                    "every call in training mode. Compute F(x) once and reuse it."
                )
            _fail(
                f"{who} in {mode} mode differs from the {variant!r} variant by up to {diff:.3g}.{where} "
                f"Expected {VARIANT_FORMULAS[variant]}, with F(x) = bn2(conv2(relu(bn1(conv1(x)))))."
            )
        n += 1
    return n, f"residual block, {variant!r} variant"


def _se_params_slip(c: int, r: int, got) -> str:
    """Name a common slip in counting SE's parameters, if ``got`` matches one."""
    h, floor = hidden_size(c, r), c // r
    slips = {
        2 * c * h: "the two bias vectors (h and C numbers) are missing",
        2 * c * h + h: "the bias of the second layer (C numbers) is missing",
        2 * c * h + c: "the bias of the first layer (h numbers) is missing",
        c * h + h + c: "only one weight matrix is counted; there are two (h×C and C×h)",
        2 * c * floor + floor + c: "the hidden width must be at least 1: h = max(1, ⌊C / r⌋)",
        2 * c * -(-c // r) + -(-c // r) + c: "round down: h = max(1, ⌊C / r⌋) uses C // r",
    }
    return slips.get(
        got, "count two weight matrices (h×C and C×h) and two bias vectors (h and C), with h = max(1, ⌊C / r⌋)"
    )


@_check("se_params")
def check_se_params(fn, *, cases=((64, 16), (256, 16), (2048, 16), (16, 32), (10, 3), (10, 4))):
    """Check ``fn(channels, reduction) -> int``: the parameters one SE block adds (with biases)."""
    for c, r in cases:
        got = _call(fn, "your se_params", c, r)
        if not isinstance(got, int) and not (isinstance(got, torch.Tensor) and got.numel() == 1):
            _fail(f"your se_params({c}, {r}) returned {type(got).__name__}; expected an int.")
        if int(got) != excitation_params(c, r):
            _fail(
                f"your se_params({c}, {r}) returned {int(got)}, which is not the count: "
                f"{_se_params_slip(c, r, int(got))}."
            )
    return len(cases), "se_params"


def _conv_se_net(widths=(16,), reduction: int = 4, classes: int = 5, in_channels: int = 3) -> nn.Module:
    layers, c_in = [], in_channels
    for w in widths:
        layers += [nn.Conv2d(c_in, w, 3), nn.ReLU(), SEBlock(w, reduction)]
        c_in = w
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, classes))


def _macs_slip(got, want) -> str:
    if not isinstance(got, (int, float)) or isinstance(got, bool):
        return f"it returned {type(got).__name__}; expected an int"
    if got == 0:
        return (
            "it returned 0: run the model inside the `with FlopCounterMode(display=False) as counter:` block, "
            "then read counter.get_total_flops()"
        )
    if got == 2 * want:
        return (
            "it returned twice the right count: torch.utils.flop_counter counts FLOPs, "
            "and one multiply-accumulate is 2 FLOPs"
        )
    return (
        f"it returned {got}, {'more' if got > want else 'less'} than the model computes: "
        "count one forward pass, in FLOPs / 2"
    )


@_check("count_macs")
def check_count_macs(fn, *, widths=(16,), reduction: int = 4, input_shape=(1, 3, 10, 10)):
    """Check ``fn(model, input_shape) -> int``: multiply-accumulates of one forward pass.

    Compared with :func:`se_tutorial.cost.macs` on a 3×3 convolution and on a small network of
    convolutions of ``widths`` channels, each followed by an SE block.
    """
    torch.manual_seed(0)
    nets = {
        "a 3×3 convolution": nn.Conv2d(input_shape[1], 8, 3, padding=1),
        "a conv + SE network": _conv_se_net(widths, reduction, in_channels=input_shape[1]),
    }
    for name, net in nets.items():
        want = cost.macs(net, input_shape)
        got = _call(fn, "your count_macs", net, input_shape)
        if got != want:
            _fail(f"your count_macs on {name}, input shape {tuple(input_shape)}: {_macs_slip(got, want)}.")
    return len(nets), "count_macs"


@_check("se_cost")
def check_se_cost(fn, *, widths=(16, 32, 64), blocks=(1, 1, 1), reduction: int = 4, input_shape=(1, 1, 28, 28)):
    """Check ``fn(plain, with_se, input_shape) -> (extra_params, extra_macs)``: what SE adds to a network.

    Runs ``fn`` on the small ResNet of ``widths``/``blocks`` without and with SE (ratio ``reduction``)
    and compares with :mod:`se_tutorial.cost`. While it runs, the names ``count_macs`` and
    ``se_params`` of your notebook mean the package's versions, so that this part is checked on its own.
    """
    torch.manual_seed(0)
    plain = small_resnet(widths=widths, blocks=blocks)
    with_se = small_resnet(widths=widths, blocks=blocks, se="standard", reduction=reduction)
    name = f"small_resnet(widths={tuple(widths)}, blocks={tuple(blocks)}) with SE at r = {reduction}"
    want = (cost.params(with_se) - cost.params(plain), cost.macs(with_se, input_shape) - cost.macs(plain, input_shape))
    got = _call(fn, "your se_cost", plain, with_se, input_shape)
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        _fail(f"your se_cost returned {type(got).__name__}; expected a pair (extra_params, extra_macs).")
    for what, g, w in zip(("extra_params", "extra_macs"), got, want):
        if g != w:
            how = (
                "count the parameters of both networks and subtract; widths and r differ from one network to the next, "
                "so do not write them into your code"
                if what == "extra_params"
                else "count the MACs of both networks with count_macs and subtract"
            )
            _fail(f"your se_cost on {name}: {what} is {g!r}, which is not what SE adds: {how}.")
    return 2, "se_cost"


# ------------------------------------------------------------------ assignment C: analysing excitations


def _labelled(seed: int, c: int = 5, sizes=(10, 20, 30)):
    """Weights (N, C) and labels (N,) of K classes of unequal sizes, shuffled."""
    g = torch.Generator().manual_seed(seed)
    k = len(sizes)
    y = torch.repeat_interleave(torch.arange(k), torch.tensor(sizes))
    y = y[torch.randperm(len(y), generator=g)]
    s = torch.rand(len(y), c, generator=g) * 0.5 + y[:, None] * (0.45 / k)
    return s, y, k


@_check("class_means")
def check_class_means(fn, *, seeds=(0, 1, 2), channels: int = 5, sizes=(10, 20, 30)):
    """Check ``fn(s, labels, num_classes) -> mu``: (N, C), (N,) → (K, C) per-class mean weights."""
    for seed in seeds:
        s, y, k = _labelled(seed, channels, sizes)
        got = _call(fn, "your class_means", s, y, k)
        if isinstance(got, torch.Tensor) and tuple(got.shape) == (s.shape[1], k) and k != s.shape[1]:
            _fail(
                f"your class_means returned shape {shape_str(got)}; expected ({k}, {s.shape[1]}): "
                "it looks transposed (one row per class, one column per channel)."
            )
        got = _tensor(got, "your class_means", (k, s.shape[1]))
        _close(
            got,
            analysis.class_means(s, y, k),
            "your class_means",
            "Row k must be the mean of s over the images whose label is k.",
        )
    return len(seeds), "class_means"


def _unweighted_eta2(s, y, k) -> float:
    s = s.double()
    mu, m = analysis.class_means(s, y, k), s.mean(0)
    total = ((s - m) ** 2).mean(0).sum()
    return float(((mu - m) ** 2).mean(0).sum() / total)


@_check("class_specificity")
def check_class_specificity(fn, *, seed: int = 0, channels: int = 5, sizes=(10, 20, 30)):
    """Check ``fn(s, labels, num_classes) -> float``: the share of the weights' variance that the class explains.

    While it runs, the name ``class_means`` of your notebook means the package's version,
    so that this part is checked on its own.
    """
    s, y, k = _labelled(seed, channels, sizes)
    constant_per_class = analysis.class_means(s, y, k)[y]  # weights decided by the class alone
    cases = {
        "random weights": s,
        "weights that depend on the class only": constant_per_class,
        "the same weights for every image": torch.rand(1, 4, generator=torch.Generator().manual_seed(seed + 7)).expand(
            len(y), 4
        ),
    }
    for name, x in cases.items():
        got = _call(fn, "your class_specificity", x, y, k)
        want = analysis.class_specificity(x, y, k)
        try:
            value = float(got)
        except (TypeError, ValueError):
            _fail(f"your class_specificity returned {type(got).__name__}; expected a float in [0, 1].")
        if not abs(value - want) <= 1e-4:
            slip = (
                "each class must count by its share n_k/N of the images (the classes differ in size)"
                if abs(value - _unweighted_eta2(x, y, k)) <= 1e-4 and name == "random weights"
                else "when every image has the same weights, total is 0 and the answer is 0"
                if name.startswith("the same")
                else "between = Σ_c Σ_k (n_k/N)(μ[k,c] − m[c])² and total = Σ_c (1/N) Σ_n (s[n,c] − m[c])²"
            )
            _fail(f"your class_specificity on {name} returned {value:.4f}, which is not between / total: {slip}.")
    return len(cases), "class_specificity"


@_check("record")
def check_record(fn, *, widths=(8, 16, 32), blocks=(1, 1, 1), n_images: int = 12, seed: int = 500):
    """Check ``fn(model, images) -> dict``: block name → (N, C) channel weights of every SE block, in depth order.

    Runs ``fn`` on a small SE network with random weights (eval mode) and random images and
    compares with :func:`se_tutorial.analysis.record`.
    """
    torch.manual_seed(seed)
    model = small_resnet(widths=widths, blocks=blocks, se="standard").eval()
    images = torch.rand(n_images, 1, 28, 28, generator=torch.Generator().manual_seed(seed))
    want, _ = analysis.record(model, images)
    got = _call(fn, "your record_excitations", model, images)
    _compare_recorded(got, want)
    return len(want), "record_excitations"


def _compare_recorded(got, want: dict) -> None:
    if not isinstance(got, dict):
        _fail(f"expected a dict from block name to a (N, C) tensor; got {type(got).__name__}.")
    if list(got) != list(want):
        _fail(f"your dict has the blocks {list(got)}; expected {list(want)} (every SE block, in depth order).")
    for name, s in want.items():
        g = got[name]
        if isinstance(g, torch.Tensor) and g.dim() == 2 and g.shape[0] != s.shape[0]:
            _fail(
                f"the weights of {name!r} have shape {shape_str(g)}; expected {tuple(s.shape)}, one row per image: "
                f"run the model once, on all {s.shape[0]} images, inside the `with` block."
            )
        g = _tensor(g, f"the weights of {name!r}", s.shape)
        _close(
            g,
            s,
            f"the weights of {name!r}",
            "Record the output of each block's excitation (after the sigmoid), in eval mode.",
        )


@_check("value")
def check_recorded(excitations: dict, model: nn.Module, images: torch.Tensor):
    """Check a dict ``block name → (N, C) weights`` recorded from ``model`` on ``images``.

    Compared with :func:`se_tutorial.analysis.record` (every SE block, in depth order).
    """
    want, _ = analysis.record(model, images)
    _compare_recorded(excitations, want)
    return len(want), "recorded excitations"


@_check("value")
def check_value(name: str, got, expected, *, tol: float = 1e-6):
    """Check a single number you computed (``got``) against the expected value (a notebook's own exercise)."""
    try:
        ok = abs(float(got) - float(expected)) <= tol * max(1.0, abs(float(expected)))
    except (TypeError, ValueError):
        _fail(f"{name} is {got!r}; expected a number.")
    if not ok:
        _fail(f"{name} is {got!r}; expected {expected!r}.")
    return 1, name


__all__ = [
    name
    for name, obj in dict(globals()).items()
    if (name.startswith("check_") and callable(obj)) or name == "CheckFailed"
]
