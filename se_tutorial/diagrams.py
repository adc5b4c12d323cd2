"""Diagrams of the SE block and of where it sits (matplotlib). Every function returns a new ``Figure``.

The shapes written in the diagrams come from real modules: give the block you built and the
shape of what it receives, and the diagram states that block's C, H, W, r and hidden width h.

    se_block_diagram(block, input_shape)       X → F_tr → U → F_sq → F_ex → F_scale → X̃ (the paper's Fig. 1)
    se_residual_diagram(block, input_shape)    SE inside a residual block (the paper's Fig. 3)
    residual_variants_diagram()                the four places of SE in a residual block (the journal's Table 14)

Shapes follow the course's notation (``docs/notation.md``): a feature map is C×H×W, a vector
of C numbers (one per channel) is 1×1×C, as in the paper's figures.
"""

from __future__ import annotations

import copy

import torch
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle
from torch import nn

from .se_block import SEBlock

__all__ = ["se_block_diagram", "se_residual_diagram", "residual_variants_diagram", "VARIANT_TITLES"]

#: The four SE placements of :func:`residual_variants_diagram` (``BasicBlock(se=...)``) → their names.
VARIANT_TITLES = {"standard": "standard SE", "pre": "SE-PRE", "post": "SE-POST", "identity": "SE-Identity"}

_SE_COLOR, _CONV_COLOR, _OP_COLOR, _MAP_COLOR = "#f4a261", "#a8dadc", "#e9ecef", "#d9d9d9"
_MAX_STRIPES = 16  # at most this many coloured stripes (one per channel, or per group of channels)


def _new_figure(**kwargs) -> Figure:
    from .figures import new_figure  # figures re-exports this module: import it late

    return new_figure(**kwargs)


# --------------------------------------------------------------------------- checks


def _check_se_block(block, who: str) -> SEBlock:
    if not isinstance(block, SEBlock):
        raise TypeError(
            f"{who} needs an se_tutorial.SEBlock (e.g. se.SEBlock(64, reduction=4)); got {type(block).__name__}."
        )
    return block


def _check_shape(shape, who: str, name: str = "input_shape") -> tuple[int, int, int]:
    """``shape`` as (C, H, W) positive ints; an (N, C, H, W) shape or a tensor loses its N."""
    if isinstance(shape, torch.Tensor):
        shape = tuple(shape.shape)
    if isinstance(shape, torch.Size):
        shape = tuple(shape)
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{who}: {name} must be a shape (C, H, W) of three positive ints; got {shape!r}.") from None
    if len(shape) == 4:
        shape = shape[1:]
    if len(shape) != 3 or not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ValueError(
            f"{who}: {name} must be a shape (C, H, W) of three positive ints (or (N, C, H, W)); got {shape!r}."
        )
    return shape


def _times(*dims) -> str:
    return "×".join(str(d) for d in dims)


# --------------------------------------------------------------------------- drawing helpers


def _arrow(ax, start, end, *, rad: float = 0.0, lw: float = 1.2) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=11,
            linewidth=lw,
            color="black",
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=0,
            shrinkB=0,
        )
    )


def _stripe_colors(n: int) -> list:
    import matplotlib

    cmap = matplotlib.colormaps["tab20"]
    hues = [i for i in range(20) if i not in (14, 15)]  # tab20 without its two grays
    return [cmap(hues[i % len(hues)]) for i in range(n)]


def _cuboid(ax, x: float, y: float, width: float, height: float, depth: float, colors=None) -> None:
    """A box seen from the front-right: front face ``width`` (along C) × ``height`` (along H) at (x, y),
    with its third side (along W) drawn as an oblique offset of ``depth``. ``colors``: stripes along C."""
    dx, dy = 0.6 * depth, 0.5 * depth
    n = len(colors) if colors else 1
    step = width / n
    for i in range(n):
        face = colors[i] if colors else _MAP_COLOR
        x0 = x + i * step
        ax.add_patch(Rectangle((x0, y), step, height, facecolor=face, edgecolor="black", linewidth=0.4))
        ax.add_patch(
            Polygon(
                [
                    (x0, y + height),
                    (x0 + step, y + height),
                    (x0 + step + dx, y + height + dy),
                    (x0 + dx, y + height + dy),
                ],
                closed=True,
                facecolor=face,
                edgecolor="black",
                linewidth=0.4,
            )
        )
    side = colors[-1] if colors else _MAP_COLOR
    ax.add_patch(
        Polygon(
            [(x + width, y), (x + width + dx, y + dy), (x + width + dx, y + height + dy), (x + width, y + height)],
            closed=True,
            facecolor=side,
            edgecolor="black",
            linewidth=0.6,
        )
    )
    ax.add_patch(Rectangle((x, y), width, height, facecolor="none", edgecolor="black", linewidth=0.8))


def _box(ax, x, y, text, color, *, width=1.0, height=0.34, fontsize=9.0) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.02",
            facecolor=color,
            edgecolor="black",
            linewidth=1,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


# --------------------------------------------------------------------------- Fig. 1


def se_block_diagram(
    block: SEBlock | None = None, input_shape=None, *, x_shape=None, title: str | None = None, figsize=(11.5, 4.6)
) -> Figure:
    """The SE block as the paper's Fig. 1 draws it, with the sizes of a real block.

    Drawn from left to right: the input ``X`` (C′×H′×W′, or ``x_shape`` when given) → ``F_tr``
    → ``U`` (C×H×W, a slab) → ``F_sq`` (global average pooling) → the squeeze ``z`` (1×1×C) →
    ``F_ex`` (FC C→h, ReLU, FC h→C, sigmoid; written out as "1×1×C → 1×1×h → 1×1×C" with the
    numbers) → the weights ``s`` (1×1×C) → ``F_scale`` (x̃_c = s_c·u_c, fed by ``s`` and by ``U``)
    → the output ``X̃`` (C×H×W). A last line states C, H, W, r and h = max(1, ⌊C/r⌋).
    Coloured stripes stand for channels (one per channel, or per group when C > 16); every
    number is also written as text.

    Args:
        block: an :class:`~se_tutorial.SEBlock` (default ``SEBlock(64, reduction=4)``).
        input_shape: the shape of ``U``, the feature map the block receives: (C, H, W), or
            (N, C, H, W), or a tensor of that shape (default (C, 14, 14)). C must equal
            ``block.channels``.
        x_shape: optional (C′, H′, W′) of ``X``, the input of ``F_tr``; unknown by default.
        title: a title (default: says the sizes).

    Returns:
        A closed Figure (show it as a cell's last expression, or ``fig.savefig(...)``).

    Raises:
        TypeError: ``block`` is not an SEBlock. ValueError: a shape is not three positive ints,
        or its C differs from the block's channels.
    """
    block = SEBlock(64, reduction=4) if block is None else _check_se_block(block, "se_block_diagram")
    ex = block.excitation
    C, h = ex.channels, ex.hidden
    if input_shape is None:
        input_shape = (C, 14, 14)
    C_in, H, W = _check_shape(input_shape, "se_block_diagram")
    if C_in != C:
        raise ValueError(
            f"se_block_diagram: input_shape {(C_in, H, W)} has {C_in} channels, but the block "
            f"expects C = {C} (block.channels); give the shape of U, the map the block receives."
        )
    x_text = "C′×H′×W′" if x_shape is None else _times(*_check_shape(x_shape, "se_block_diagram", "x_shape"))
    r_text = f"r = {ex.reduction}" if ex.reduction is not None else "hidden width set directly"

    fig = _new_figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    ax.set(xlim=(0, 23), ylim=(0, 8.8), aspect="equal")
    ax.axis("off")
    colors = _stripe_colors(min(C, _MAX_STRIPES))

    # X, a plain box; U and X̃, slabs of the same size; z and s, thin rods of C cells
    _cuboid(ax, 0.3, 3.0, 1.4, 2.2, 1.4)
    _cuboid(ax, 4.0, 3.0, 2.4, 2.2, 1.4)
    _cuboid(ax, 9.4, 4.0, 2.4, 0.3, 0.3, [_MAP_COLOR] * len(colors))
    _cuboid(ax, 14.1, 4.0, 2.4, 0.3, 0.3, colors)
    _cuboid(ax, 19.2, 3.0, 2.4, 2.2, 1.4, colors)

    big = dict(ha="center", va="bottom", fontsize=13)
    ax.text(1.4, 6.2, "$X$", **big)
    ax.text(5.6, 6.2, "$U$", **big)
    ax.text(10.75, 4.6, r"$\mathbf{z}$", **big)
    ax.text(15.45, 4.6, r"$\mathbf{s}$", **big)
    ax.text(20.8, 6.2, r"$\tilde{X}$", **big)

    small = dict(ha="center", va="top", fontsize=9)
    ax.text(1.4, 2.7, x_text, **small)
    ax.text(5.6, 2.7, f"C×H×W\n= {_times(C, H, W)}", **small)
    ax.text(10.75, 3.7, f"1×1×C\n= {_times(1, 1, C)}", **small)
    ax.text(15.45, 3.7, f"1×1×C\n= {_times(1, 1, C)}", **small)
    ax.text(20.8, 2.7, f"C×H×W\n= {_times(C, H, W)}", **small)

    op = dict(ha="center", va="bottom", fontsize=10)
    _arrow(ax, (2.9, 4.1), (3.9, 4.1))
    ax.text(3.4, 4.25, r"$F_{tr}$", **op)
    _arrow(ax, (7.5, 4.15), (9.3, 4.15))
    ax.text(8.4, 4.3, r"$F_{sq}$", **op)
    ax.text(8.4, 3.95, "average\nover H×W", ha="center", va="top", fontsize=8)
    _arrow(ax, (12.1, 4.15), (14.0, 4.15))
    ax.text(13.05, 4.3, r"$F_{ex}$", **op)
    _arrow(ax, (16.8, 4.15), (19.1, 4.15))
    ax.text(17.95, 4.3, r"$F_{scale}$", **op)
    # U also feeds the scale: an arc over the top, from U to X̃
    _arrow(ax, (5.9, 6.9), (20.5, 6.9), rad=-0.12)
    ax.text(
        13.2,
        8.0,
        r"$F_{scale}$: $\tilde x_c = s_c \cdot u_c$, each channel of $U$ times its weight",
        ha="center",
        va="bottom",
        fontsize=9.5,
    )

    ex_text = (
        f"$F_{{ex}}$: FC {C}→{h}, ReLU, FC {h}→{C}, sigmoid\n"
        f"{_times(1, 1, C)} → {_times(1, 1, h)} → {_times(1, 1, C)}, weights in (0, 1)"
    )
    ax.text(13.05, 2.3, ex_text, ha="center", va="top", fontsize=9)
    ax.text(
        11.5,
        0.2,
        f"C = {C}, H = {H}, W = {W};  {r_text};  hidden width h = max(1, ⌊C/r⌋) = {h}"
        if ex.reduction is not None
        else f"C = {C}, H = {H}, W = {W};  {r_text}: h = {h}",
        ha="center",
        va="bottom",
        fontsize=10,
    )
    ax.set_title(title or f"An SE block on a {_times(C, H, W)} map (C = {C}, h = {h})", fontsize=11)
    return fig


# --------------------------------------------------------------------------- Fig. 3


def _residual_parts(block, input_shape, who: str):
    """(se, x_shape, u_shape, out_shape, branch text, shortcut text) of ``block``."""
    if isinstance(block, SEBlock):
        shape = _check_shape(input_shape if input_shape is not None else (block.channels, 14, 14), who)
        if shape[0] != block.channels:
            raise ValueError(
                f"{who}: input_shape {shape} has {shape[0]} channels, but the SE block expects "
                f"C = {block.channels}: with a bare SEBlock, X and U have the same shape."
            )
        return block, shape, shape, shape, "residual branch", "identity"
    if not isinstance(block, nn.Module) or not isinstance(getattr(block, "se", None), SEBlock):
        raise TypeError(
            f"{who} needs a residual block with an SE block in its .se (se.models.BasicBlock(..., "
            f"se='standard') or an SE-ResNet-50 bottleneck), or an SEBlock; got {type(block).__name__}."
        )
    variant = getattr(block, "variant", "standard")
    if variant != "standard" or getattr(block, "attention", None) is not None:
        raise ValueError(
            f"{who} draws SE in its standard place (on the branch, before the sum); this block "
            f"has variant {variant!r}. residual_variants_diagram draws the other placements."
        )
    conv1 = getattr(block, "conv1", None)
    if not isinstance(conv1, nn.Conv2d):
        raise TypeError(f"{who} needs a residual block whose first convolution is .conv1; got {type(block).__name__}.")
    c_in = conv1.in_channels
    shape = _check_shape(input_shape if input_shape is not None else (c_in, 14, 14), who)
    if shape[0] != c_in:
        raise ValueError(
            f"{who}: input_shape {shape} has {shape[0]} channels, but the block's first "
            f"convolution expects {c_in}; give the shape of X, the block's input."
        )
    seen = {}
    probe = copy.deepcopy(block).eval()  # a copy in eval mode: the real block's BN statistics stay as they are

    def hook(module, inputs, output):  # returns None: the output is left as it is
        seen["u"] = tuple(inputs[0].shape[1:])

    probe.se.register_forward_hook(hook)
    with torch.no_grad():
        out_shape = tuple(probe(torch.zeros(1, *shape, dtype=conv1.weight.dtype)).shape[1:])
    convs = [m for name, m in block.named_children() if name.startswith("conv") and isinstance(m, nn.Conv2d)]
    parts = []
    for m in convs:
        k, s = m.kernel_size[0], m.stride[0]
        parts.append(f"{k}×{k} conv" + (f" (stride {s})" if s != 1 else "") + ", BN")
    branch = ", ReLU\n".join(parts)
    shortcut = getattr(block, "shortcut", getattr(block, "downsample", None))
    projection = shortcut is not None and not isinstance(shortcut, nn.Identity)
    if projection:
        conv = next(m for m in shortcut.modules() if isinstance(m, nn.Conv2d))
        k, s = conv.kernel_size[0], conv.stride[0]
        shortcut = f"projection: {k}×{k} conv" + (f" (stride {s})" if s != 1 else "") + ", BN"
    return block.se, shape, seen["u"], out_shape, branch, (shortcut if projection else "identity")


def se_residual_diagram(block=None, input_shape=None, *, title: str | None = None, figsize=(6.6, 8.2)) -> Figure:
    """SE inside a residual block, as the paper's Fig. 3 (the SE-ResNet module) draws it, with real sizes.

    Drawn from top to bottom: the input ``X`` → the residual branch (its convolutions, named)
    → ``U`` (C×H×W) → global pooling (1×1×C) → FC C→h (1×1×h) → ReLU → FC h→C (1×1×C) →
    sigmoid (1×1×C) → scale (``X̃``, the SE block's output, C×H×W; ``U`` reaches it by a side
    path) → + (the identity path, or the 1×1 projection when the block changes shape, comes in
    from the left) → ReLU → ``Y``, the residual block's output: Y = ReLU(X + X̃), with the
    projection of X in place of X when there is one. Each arrow is labelled with the shape that
    travels along it, and a last line states C, H, W, r and h = max(1, ⌊C/r⌋).

    Args:
        block: a residual block with SE in the standard place: ``se.models.BasicBlock(C_in, C,
            se="standard")`` or a bottleneck of ``se.models.resnet50(se="standard")``; or a bare
            :class:`~se_tutorial.SEBlock` (then the branch is drawn generically and X has the
            shape of U). Default: ``BasicBlock(64, 64, se="standard", reduction=4)``.
        input_shape: the shape of ``X``, the block's input: (C_in, H, W), (N, C_in, H, W) or a
            tensor (default (C_in, 14, 14)). The shapes after it are computed by running a copy
            of the block (in eval mode) on zeros; the block itself is not changed.
        title: a title (default: says the sizes).

    Returns:
        A closed Figure.

    Raises:
        TypeError: ``block`` holds no SEBlock in ``.se``. ValueError: SE is not in the standard
        place, or ``input_shape`` is not three positive ints, or its channels do not match the block.
    """
    if block is None:
        from .models import BasicBlock

        torch.manual_seed(0)
        block = BasicBlock(64, 64, se="standard", reduction=4)
    se, x_shape, u_shape, out_shape, branch, shortcut = _residual_parts(block, input_shape, "se_residual_diagram")
    ex = se.excitation
    C, h = ex.channels, ex.hidden
    _, H, W = u_shape
    vec, hid = _times(1, 1, C), _times(1, 1, h)
    branch_lines = branch.count("\n") + 1

    fig = _new_figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    ax.axis("off")
    x0, width, gap = 0.0, 3.3, 0.78  # the main column's centre, its boxes' width, the distance between boxes
    steps = [  # (label, colour, box height, what leaves the box)
        (
            f"residual branch $F_{{tr}}$:\n{branch}",
            _CONV_COLOR,
            0.3 + 0.24 * (branch_lines + 1),
            f"$U$: C×H×W = {_times(*u_shape)}",
        ),
        ("global pooling ($F_{sq}$)", _SE_COLOR, 0.36, f"$\\mathbf{{z}}$: 1×1×C = {vec}"),
        (f"FC  {C} → {h}", _SE_COLOR, 0.36, f"1×1×h = {hid}"),
        ("ReLU", _SE_COLOR, 0.36, f"1×1×h = {hid}"),
        (f"FC  {h} → {C}", _SE_COLOR, 0.36, f"1×1×C = {vec}"),
        ("sigmoid", _SE_COLOR, 0.36, f"$\\mathbf{{s}}$: 1×1×C = {vec}"),
        ("scale ($F_{scale}$): $s_c \\cdot u_c$", _SE_COLOR, 0.36, f"$\\tilde X$: C×H×W = {_times(*u_shape)}"),
    ]
    y_x = 0.0  # the input's label; y grows downwards here and is flipped by the axis limits
    y_split = y_x + 0.35  # where the identity path leaves
    tops, bottoms, y = [], [], y_split + 0.3
    for label, color, height, _ in steps:
        tops.append(y)
        bottoms.append(y + height)
        _box(ax, x0, y + height / 2, label, color, width=width, height=height, fontsize=9)
        y += height + gap
    ax.text(x0, y_x, f"$X$: {_times(*x_shape)}", ha="center", va="center", fontsize=10)
    _arrow(ax, (x0, y_x + 0.18), (x0, tops[0]))
    for i in range(len(steps)):
        end = tops[i + 1] if i + 1 < len(steps) else bottoms[-1] + gap
        _arrow(ax, (x0, bottoms[i]), (x0, end))
        ax.text(x0 + 0.12, (bottoms[i] + end) / 2, steps[i][3], ha="left", va="center", fontsize=8.5)
    radius = 0.17
    y_sum = bottoms[-1] + gap + radius
    ax.add_patch(Circle((x0, y_sum), radius, facecolor="white", edgecolor="black"))
    ax.text(x0, y_sum, "+", ha="center", va="center", fontsize=11)
    y_relu = y_sum + radius + 0.45
    _box(ax, x0, y_relu + 0.18, "ReLU", _OP_COLOR, width=1.2, height=0.36)
    _arrow(ax, (x0, y_sum + radius), (x0, y_relu))
    _arrow(ax, (x0, y_relu + 0.36), (x0, y_relu + 0.36 + 0.45))
    y_out = y_relu + 0.36 + 0.45 + 0.2
    ax.text(x0, y_out, f"$Y$: {_times(*out_shape)}", ha="center", va="center", fontsize=10)

    # U's side path to the scale, and the identity (or projection) path to the sum, on the left
    xu = x0 - width / 2 - 0.35
    y_u = bottoms[0] + 0.25
    y_scale = (tops[-1] + bottoms[-1]) / 2
    ax.plot([x0, xu, xu], [y_u, y_u, y_scale], color="black", linewidth=1.1)
    _arrow(ax, (xu, y_scale), (x0 - width / 2, y_scale))
    xi = xu - 0.55
    ax.plot([x0, xi, xi], [y_split, y_split, y_sum], color="black", linewidth=1.1)
    _arrow(ax, (xi, y_sum), (x0 - radius, y_sum))
    ax.text(xi - 0.08, (tops[2] + bottoms[4]) / 2, shortcut, rotation=90, ha="right", va="center", fontsize=9)
    ax.text(xu + 0.08, (tops[2] + bottoms[4]) / 2, "$U$", ha="left", va="center", fontsize=9)

    r_text = f"r = {ex.reduction}, h = max(1, ⌊C/r⌋) = {h}" if ex.reduction is not None else f"h = {h} (set directly)"
    y_caption = y_out + 0.55
    ax.text(x0 + 0.4, y_caption, f"C = {C}, H = {H}, W = {W}; {r_text}", ha="center", va="center", fontsize=9.5)
    ax.set(xlim=(xi - 0.6, x0 + width / 2 + 1.9), ylim=(y_caption + 0.3, y_x - 0.3), aspect="equal")
    ax.set_title(title or f"SE in a residual block: {_times(*x_shape)} → {_times(*out_shape)}", fontsize=11)
    return fig


# --------------------------------------------------------------------------- Table 14's variants


def _draw_variant(ax, variant: str) -> None:
    """One basic residual block with SE at ``variant``: the branch at x = 0, the identity path at x = 1.1."""
    ax.text(0.55, 5.0, "input", ha="center", fontsize=9)
    branch = ["conv 3×3, BN, ReLU", "conv 3×3, BN"]
    if variant == "pre":
        branch = ["SE"] + branch
    if variant == "standard":
        branch = branch + ["SE"]
    ys = [4.3 - 0.75 * i for i in range(len(branch))]
    _arrow(ax, (0.45, 4.85), (0.05, ys[0] + 0.19), lw=1)
    for i, (label, y) in enumerate(zip(branch, ys)):
        _box(ax, 0, y, label, _SE_COLOR if label == "SE" else _CONV_COLOR, width=1.1, fontsize=8)
        if i:
            _arrow(ax, (0, ys[i - 1] - 0.19), (0, y + 0.19), lw=1)
    y_sum = 1.3
    if variant == "identity":
        _box(ax, 1.1, 3.2, "SE", _SE_COLOR, width=0.6, fontsize=8)
        _arrow(ax, (0.65, 4.85), (1.08, 3.4), lw=1)
        _arrow(ax, (1.1, 3.0), (0.65, y_sum + 0.05), lw=1)
    else:
        _arrow(ax, (0.65, 4.85), (1.1, 3.6), lw=1)
        ax.plot([1.1, 1.1], [3.6, 2.0], color="black", linewidth=1)
        ax.text(1.18, 2.8, "identity", fontsize=8, rotation=90, va="center")
        _arrow(ax, (1.1, 2.0), (0.65, y_sum + 0.05), lw=1)
    _arrow(ax, (0, ys[-1] - 0.19), (0.45, y_sum + 0.05), lw=1)
    ax.add_patch(Circle((0.55, y_sum), 0.12, facecolor="white", edgecolor="black"))
    ax.text(0.55, y_sum, "+", ha="center", va="center", fontsize=10)
    _box(ax, 0.55, 0.6, "ReLU", _OP_COLOR, width=0.8, fontsize=8)
    _arrow(ax, (0.55, y_sum - 0.12), (0.55, 0.79), lw=1)
    last = 0.6
    if variant == "post":
        _box(ax, 0.55, -0.1, "SE", _SE_COLOR, width=0.6, fontsize=8)
        _arrow(ax, (0.55, 0.41), (0.55, 0.09), lw=1)
        last = -0.1
    _arrow(ax, (0.55, last - 0.19), (0.55, last - 0.55), lw=1)
    ax.text(0.55, last - 0.72, "output", ha="center", fontsize=9)
    ax.set_xlim(-0.7, 1.7)
    ax.set_ylim(-1.2, 5.3)
    ax.axis("off")


def residual_variants_diagram(variants=tuple(VARIANT_TITLES), *, title: str | None = None, figsize=(11, 4.4)) -> Figure:
    """The places of SE in a basic residual block (the journal version's Table 14), side by side.

    Each panel draws the same block, top to bottom: the input, the residual branch (two
    "conv 3×3" boxes) on the left, the identity path on the right, their sum (+), a ReLU and
    the output. Only the box labelled "SE" moves (drawn orange, but named in text):

    - ``"standard"``: on the branch after the convolutions, ``relu(x + SE(F(x)))``;
    - ``"pre"`` (SE-PRE): on the branch before them, ``relu(x + F(SE(x)))``;
    - ``"post"`` (SE-POST): after the sum and the ReLU, ``SE(relu(x + F(x)))``;
    - ``"identity"`` (SE-Identity): on the identity path, ``relu(SE(x) + F(x))``.

    These are ``se.models.BasicBlock(..., se=variant)``'s four variants.

    Args:
        variants: which panels, in order (names of :data:`VARIANT_TITLES`).
        title: the figure's title (default: says what the orange box is).

    Returns:
        A closed Figure with one panel per variant, titled by :data:`VARIANT_TITLES`.

    Raises:
        ValueError: an unknown variant name, or no variants.
    """
    if isinstance(variants, str):
        variants = (variants,)
    variants = tuple(variants)
    unknown = [v for v in variants if v not in VARIANT_TITLES]
    if unknown or not variants:
        raise ValueError(
            f"residual_variants_diagram: variants must be some of {tuple(VARIANT_TITLES)}; got {variants!r}."
        )
    fig = _new_figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(variants), squeeze=False)[0]
    for ax, variant in zip(axes, variants):
        _draw_variant(ax, variant)
        ax.set_title(VARIANT_TITLES[variant], fontsize=10)
    fig.suptitle(title or "Where the SE block (the orange box labelled SE) sits in a basic residual block", fontsize=11)
    return fig
