"""Figures of what SE blocks do (matplotlib). Every function returns a new ``Figure``.

Each figure is closed in ``pyplot`` before it is returned, so nothing is left open and
nothing is shown twice: in a notebook, make the figure the last expression of a cell
(or call ``display(fig)``) to show it; elsewhere, ``fig.savefig("name.png")``.

    excitation_bars(s, block)                     one image's weight per channel
    before_after(image, u, s, block)              maps of the most and least excited channels, before and after scaling
    class_heatmaps(means, class_names)            per-class mean weights, one heat map per block
    class_deviations(means, overall, class_names) class mean minus all-image mean, each block on its own scale
    class_curves(means, overall, class_names)     per-class mean weight curves and the all-class mean (paper's Fig. 6)
    specificity_by_depth(scores, spread=...)      class specificity (and class spread) against depth
    weight_histograms(excitations)                histogram of the weights of every block
    spatial_overlay(image, maps)                  spatial attention maps drawn over the input image

Diagrams (from :mod:`se_tutorial.diagrams`, re-exported here):

    se_block_diagram(block, input_shape)          the SE block with a real block's sizes (the paper's Fig. 1)
    se_residual_diagram(block, input_shape)       SE inside a residual block, with real sizes (the paper's Fig. 3)
    residual_variants_diagram()                   the four places of SE in a residual block (standard ... identity)
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ._validate import as_int
from .diagrams import VARIANT_TITLES, residual_variants_diagram, se_block_diagram, se_residual_diagram  # noqa: F401


def new_figure(**kwargs) -> Figure:
    """A new matplotlib Figure (``kwargs`` as for ``plt.figure``), already closed in pyplot.

    Closing keeps ``pyplot`` from showing it a second time at the end of a notebook
    cell, and from holding on to it; the figure still draws and saves as usual.
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(**kwargs)
    plt.close(fig)
    return fig


def _array(x, ndim: int, who: str, expected: str, hint: str = "") -> np.ndarray:
    """``x`` (tensor or array) as a float numpy array of ``ndim`` dims, or a clear ValueError."""
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    x = np.asarray(x, dtype=float)
    if x.ndim != ndim or x.size == 0:
        raise ValueError(f"{who} must {expected}; got shape {x.shape}.{hint}")
    return x


def _vector(s, who: str) -> np.ndarray:
    return _array(s, 1, who, "be one image's weights, shape (C,)", " Take a row: s[i].")


def _matrix(m, who: str) -> np.ndarray:
    return _array(m, 2, who, "have shape (K, C)")


def _check_blocks(d, who: str) -> dict:
    if not isinstance(d, dict) or not d:
        raise ValueError(f"{who} must be a non-empty dict: block name → tensor, in depth order.")
    return d


def _image_2d(image) -> np.ndarray:
    """(C, H, W) or (H, W) image in [0, 1] → (H, W) gray or (H, W, 3) RGB array."""
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu().numpy()
    image = np.asarray(image, dtype=float)
    if image.ndim == 4 and image.shape[0] == 1:
        image = image[0]
    if image.ndim == 3 and image.shape[0] in (1, 3):
        image = image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0)
    if image.ndim not in (2, 3):
        raise ValueError(f"image must have shape (C, H, W) or (H, W); got {image.shape}.")
    return image.clip(0, 1)


BAR_COLOUR = "#1f77b4"
MARK_COLOUR = "#d62728"


def mark_bar(ax, bar) -> None:
    """Mark one bar of a bar chart so that it stands out with or without colour: red, hatched,
    with a black edge and a ▼ just above it."""
    bar.set(facecolor=MARK_COLOUR, edgecolor="black", hatch="///", linewidth=0.8)
    x = bar.get_x() + bar.get_width() / 2
    ax.annotate(
        "▼",
        (x, bar.get_height()),
        xytext=(0, 1),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=9,
        annotation_clip=False,
    )


def excitation_bars(
    s, block: str, *, title: str | None = None, highlight: int | None = None, figsize=(8, 2.8)
) -> Figure:
    """Bar chart of one image's channel weights in one SE block.

    Args:
        s: (C,) weights of one image.
        block: the block's name (for the title).
        title: a title (default: the block's name).
        highlight: a channel to mark: in red, hatched, with a ▼ above it (it reads without colour).

    Returns:
        A Figure: channel index on x, weight in [0, 1] on y; dashed lines at 0.1 and 0.9.
    """
    s = _vector(s, "s")
    fig = new_figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    if highlight is not None and not 0 <= highlight < len(s):
        raise ValueError(f"highlight must be a channel in 0..{len(s) - 1}; got {highlight}.")
    bars = ax.bar(np.arange(len(s)), s, color=BAR_COLOUR, width=0.8)
    if highlight is not None:
        mark_bar(ax, bars[highlight])
    for level in (0.1, 0.9):
        ax.axhline(level, color="gray", lw=0.8, ls="--")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(
        xlim=(-0.7, len(s) - 0.3),
        ylim=(0, 1.02),
        xlabel="channel c",
        ylabel="weight $s_c$",
        title=title or f"{block}: channel weights of one image",
    )
    return fig


def before_after(image, u, s, block: str, *, k: int = 3, title: str | None = None) -> Figure:
    """Feature maps of the ``k`` most and ``k`` least excited channels, before and after scaling.

    Args:
        image: the input image, (C_in, H, W) or (H, W), values in [0, 1].
        u: (C, h, w) the SE block's input for this image.
        s: (C,) the block's weights for this image.
        block: the block's name (for the title).
        k: channels to show at each end.

    Returns:
        A Figure with the image on the left and two rows of 2k maps: top row the
        block's input ``u_c``, bottom row the scaled map ``s_c · u_c``. Each column shares
        one colour scale, so a weight near 0 shows as a faded map.
    """
    s = _vector(s, "s")
    if isinstance(u, torch.Tensor):
        u = u.detach().cpu().numpy()
    u = np.asarray(u, dtype=float)
    if u.ndim != 3 or u.shape[0] != len(s):
        raise ValueError(f"u must have shape (C, h, w) with C = {len(s)} (the length of s); got {u.shape}.")
    k_ = as_int(k)
    if k_ is None or not 1 <= 2 * k_ <= len(s):
        raise ValueError(f"k must be an integer with 1 <= 2k <= C = {len(s)}; got {k!r}.")
    k = k_
    order = np.argsort(-s, kind="stable")
    channels = list(order[:k]) + list(order[-k:])
    fig = new_figure(figsize=(2.0 + 1.5 * 2 * k, 3.6), layout="constrained")
    grid = fig.add_gridspec(2, 2 * k + 1, width_ratios=[1.6] + [1] * (2 * k))
    ax = fig.add_subplot(grid[:, 0])
    img = _image_2d(image)
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
    ax.set_title("input image")
    ax.axis("off")
    for j, c in enumerate(channels):
        vmax = max(float(np.abs(u[c]).max()), 1e-8)
        for row, (m, label) in enumerate([(u[c], "$u_c$"), (s[c] * u[c], r"$s_c\,u_c$")]):
            a = fig.add_subplot(grid[row, j + 1])
            a.imshow(m, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            a.set_xticks([])
            a.set_yticks([])
            if row == 0:
                a.set_title(f"{'top' if j < k else 'bottom'} c={c}\n$s_c$={s[c]:.2f}", fontsize=9)
            if j == 0:
                a.set_ylabel("before: " + label if row == 0 else "after: " + label)
    fig.suptitle(title or f"{block}: most (left) and least (right) excited channels, before and after scaling")
    return fig


def class_heatmaps(means: dict, class_names, *, title: str | None = None) -> Figure:
    """Per-class mean weights as heat maps, one panel per block in depth order.

    Args:
        means: block name → (K, C) class means.
        class_names: K names (rows).

    Returns:
        A Figure; rows are classes, columns channels, colour the mean weight in [0, 1].
    """
    means = _check_blocks(means, "means")
    class_names = list(class_names)
    fig = new_figure(figsize=(3.2 * len(means) + 1.2, 3.4), layout="constrained")
    axes = fig.subplots(1, len(means), squeeze=False)[0]
    im = None
    for ax, (name, m) in zip(axes, means.items()):
        m = _matrix(m, f"means[{name!r}]")
        if m.shape[0] != len(class_names):
            raise ValueError(f"means[{name!r}] has {m.shape[0]} rows but {len(class_names)} class names were given.")
        im = ax.imshow(m, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"{name} ({m.shape[1]} channels)")
        ax.set_xlabel("channel c")
        ax.set_yticks(range(len(class_names)), class_names if ax is axes[0] else [""] * len(class_names))
    fig.colorbar(im, ax=list(axes), label="mean weight", shrink=0.9)
    fig.suptitle(title or "Mean channel weight per class, by depth (shallow → deep)")
    return fig


def class_deviations(means: dict, overall: dict, class_names, *, title: str | None = None) -> Figure:
    """What the class changes in each block's weights: μ[k, c] − m[c], one heat map per block.

    Each class's mean weight minus the channel's mean over all images. Every block has its own
    colour scale, symmetric around 0 (± the largest deviation in that block), so a block whose
    weights move little still shows its pattern; the range is in the panel's title. These
    deviations are what the class explains: η² (:func:`se_tutorial.analysis.class_specificity`)
    is the sum of their squares, each class weighted by its share of the images, divided by the
    total variance of the weights.

    Args:
        means: block name → (K, C) class means, in depth order.
        overall: block name → (C,) mean weights over all images.
        class_names: K names (rows).

    Returns:
        A Figure; rows are classes, columns channels, colour the deviation (red above the
        channel's mean, blue below).
    """
    means, overall = _check_blocks(means, "means"), _check_blocks(overall, "overall")
    class_names = list(class_names)
    if list(overall) != list(means):
        raise ValueError(f"overall has the blocks {list(overall)}; expected the blocks of means, {list(means)}.")
    fig = new_figure(figsize=(3.4 * len(means) + 0.6, 3.6), layout="constrained")
    axes = fig.subplots(1, len(means), squeeze=False)[0]
    for ax, (name, m) in zip(axes, means.items()):
        m = _matrix(m, f"means[{name!r}]")
        if m.shape[0] != len(class_names):
            raise ValueError(f"means[{name!r}] has {m.shape[0]} rows but {len(class_names)} class names were given.")
        o = _array(overall[name], 1, f"overall[{name!r}]", "have shape (C,)")
        if o.shape[0] != m.shape[1]:
            raise ValueError(f"overall[{name!r}] has {o.shape[0]} channels; means[{name!r}] has {m.shape[1]}.")
        d = m - o[None, :]
        span = float(np.abs(d).max()) or 1.0
        im = ax.imshow(d, aspect="auto", cmap="RdBu_r", vmin=-span, vmax=span, interpolation="nearest")
        ax.set_title(f"{name}\ncolour range ±{span:.2f}")
        ax.set_xlabel("channel c")
        ax.set_yticks(range(len(class_names)), class_names if ax is axes[0] else [""] * len(class_names))
        fig.colorbar(im, ax=ax, shrink=0.85, label="μ[k, c] − m[c]" if ax is axes[-1] else None)
    fig.suptitle(title or "Class mean minus all-image mean, each block on its own scale")
    return fig


def class_curves(
    means: dict,
    overall: dict,
    class_names,
    *,
    classes=None,
    sort: bool = True,
    gaps: bool = True,
    title: str | None = None,
) -> Figure:
    """The paper's Fig. 6 as small multiples: one panel per block (row) and class (column).

    Each panel draws one class's mean weights (solid line) over the all-class mean (dashed
    line), with the gap between them shaded, so the figure reads without colour: look along a
    row to compare classes in one block, down a column to follow one class with depth.

    Args:
        means: block name → (K, C) class means, in depth order.
        overall: block name → (C,) mean weights over all images.
        class_names: K names.
        classes: which classes to draw (indices; default all).
        sort: order the channels by their all-class mean (makes departures from it easy
            to see); otherwise by index, as in the paper.
        gaps: write in each panel the class's mean gap, the mean of |class mean − all-class
            mean| over the channels (its average over a row is the block's class spread,
            :func:`se_tutorial.analysis.class_spread`).

    Returns:
        A Figure with ``len(means) × len(classes)`` panels; channel on x, mean weight on y.
    """
    means = _check_blocks(means, "means")
    class_names = list(class_names)
    given = list(range(len(class_names))) if classes is None else list(classes)
    classes = [as_int(k) for k in given]
    if not classes or any(k is None or not 0 <= k < len(class_names) for k in classes):
        raise ValueError(f"classes must be class indices in 0..{len(class_names) - 1}; got {given}.")
    rows, cols = len(means), len(classes)
    width, height = 0.9 + 1.0 * cols, 0.95 + 1.15 * rows  # inches; fixed margins draw faster than a layout engine
    fig = new_figure(figsize=(width, height))
    axes = fig.subplots(
        rows,
        cols,
        squeeze=False,
        sharey=True,
        gridspec_kw=dict(
            left=0.75 / width,
            right=1 - 0.1 / width,
            bottom=0.4 / height,
            top=1 - 0.55 / height,
            wspace=0.12,
            hspace=0.15,
        ),
    )
    for r, (name, m) in enumerate(means.items()):
        m = _matrix(m, f"means[{name!r}]")
        if m.shape[0] != len(class_names):
            raise ValueError(f"means[{name!r}] has {m.shape[0]} rows but {len(class_names)} class names were given.")
        if name not in overall:
            raise ValueError(f"overall has no mean weights for block {name!r}.")
        o = _vector(overall[name], f"overall[{name!r}]")
        if len(o) != m.shape[1]:
            raise ValueError(f"overall[{name!r}] has {len(o)} channels but means[{name!r}] has {m.shape[1]}.")
        order = np.argsort(o, kind="stable") if sort else np.arange(len(o))
        x = np.arange(len(o))
        for j, (ax, k) in enumerate(zip(axes[r], classes)):
            ax.fill_between(x, o[order], m[k, order], color="#9ecae1", alpha=0.6, lw=0)
            ax.plot(x, o[order], color="#555555", ls="--", lw=1.1, label="all classes")
            ax.plot(x, m[k, order], color="#08306b", ls="-", lw=1.5, label="this class")
            if gaps:
                ax.text(
                    0.96,
                    0.05,
                    f"{np.abs(m[k] - o).mean():.2f}",
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize=8.5,
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8),
                )
            ax.set(xlim=(0, len(o) - 1), ylim=(0, 1.02), xticks=[])
            ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
            ax.tick_params(labelsize=8.5, length=2)
            if r == 0:
                ax.set_title(class_names[k], fontsize=9)
            if j == 0:
                ax.set_ylabel(f"{name}\n({len(o)} channels)", fontsize=9)
    order_words = "sorted by their all-class mean" if sort else "in index order"
    fig.supxlabel(
        f"channels of the block, {order_words}; y: mean weight" + ("; number: the class's mean gap" if gaps else ""),
        fontsize=9,
        y=0.05 / height,
        va="bottom",
    )
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles[::-1],
        ["this class (solid)", "all classes (dashed)"],
        loc="upper right",
        ncols=2,
        fontsize=9,
        frameon=False,
        bbox_to_anchor=(1 - 0.05 / width, 1 - 0.02 / height),
    )
    fig.suptitle(
        title or "Mean channel weight per class (columns), by depth (rows: shallow → deep)",
        fontsize=10,
        x=0.1 / width,
        y=1 - 0.1 / height,
        ha="left",
        va="top",
    )
    return fig


def specificity_by_depth(
    scores: dict, *, spread: dict | None = None, reference: float | None = None, title: str | None = None
) -> Figure:
    """Class specificity against depth, and optionally the class spread beside it.

    Args:
        scores: block name → class specificity η² (:func:`se_tutorial.analysis.class_specificity`), in depth order.
        spread: block name → class spread (:func:`se_tutorial.analysis.class_spread`); drawn in a second panel.
        reference: a dashed horizontal line in the first panel (e.g. η² with shuffled labels).

    Returns:
        A Figure with the blocks on x and the scores on y, each point labelled with its value.
    """
    scores = _check_blocks(scores, "scores")
    panels = [(scores, "class specificity η²", "Share of the variance of s\nexplained by the class")]
    if spread is not None:
        spread = _check_blocks(spread, "spread")
        if list(spread) != list(scores):
            raise ValueError(f"spread must name the same blocks as scores, in the same order; got {list(spread)}.")
        panels.append((spread, "class spread", "Mean gap between class curves\nand the all-class curve"))
    fig = new_figure(figsize=(4.6 * len(panels), 3.2), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    names = list(scores)
    for j, (ax, (values, ylabel, panel_title)) in enumerate(zip(axes, panels)):
        values = [float(v) for v in values.values()]
        ax.plot(range(len(names)), values, "o-", color="#1f77b4")
        for i, v in enumerate(values):
            ax.annotate(
                f"{v:.2f}" if j == 0 else f"{v:.3f}",
                (i, v),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=9,
            )
        if j == 0 and reference is not None:
            ax.axhline(reference, color="gray", ls="--", lw=1, label=f"shuffled labels ({reference:.3f})")
            ax.legend(fontsize=8, loc="lower right")
        top = 1.0 if j == 0 else max(values) * 1.25
        ax.set_xticks(range(len(names)), names)
        ax.set(
            ylim=(0, top),
            xlim=(-0.4, len(names) - 0.6),
            xlabel="SE block (shallow → deep)",
            ylabel=ylabel,
            title=panel_title,
        )
    if title:
        fig.suptitle(title)
    return fig


def weight_histograms(excitations: dict, *, bins: int = 40, title: str | None = None) -> Figure:
    """Histogram of all weights of every block, with the shares below 0.1 and above 0.9.

    Args:
        excitations: block name → (N, C) weights, in depth order.

    Returns:
        A Figure with one panel per block; dashed lines at 0.1 and 0.9.
    """
    excitations = _check_blocks(excitations, "excitations")
    fig = new_figure(figsize=(3.4 * len(excitations), 2.9), layout="constrained")
    axes = fig.subplots(1, len(excitations), squeeze=False)[0]
    for ax, (name, s) in zip(axes, excitations.items()):
        v = (s.detach().cpu().numpy() if isinstance(s, torch.Tensor) else np.asarray(s)).ravel()
        if v.size == 0:
            raise ValueError(f"excitations[{name!r}] is empty.")
        ax.hist(v, bins=bins, range=(0, 1), color="#1f77b4", weights=np.full(v.size, 100.0 / v.size))
        for level in (0.1, 0.9):
            ax.axvline(level, color="gray", ls="--", lw=0.8)
        ax.set(
            xlim=(0, 1),
            xlabel="weight $s_c$",
            ylabel="% of weights" if ax is axes[0] else None,
            title=f"{name}\n<0.1: {100 * (v < 0.1).mean():.0f}%   >0.9: {100 * (v > 0.9).mean():.0f}%",
        )
    fig.suptitle(title or "Distribution of the channel weights, by depth")
    return fig


def spatial_overlay(
    image,
    maps: dict,
    *,
    alpha: float = 0.55,
    cmap: str = "inferno",
    shared_scale: bool = False,
    title: str | None = None,
) -> Figure:
    """Spatial attention maps drawn over the input image, one panel per gate.

    Args:
        image: the input image, (C_in, H, W) or (H, W), values in [0, 1].
        maps: gate name → (h, w) weights of this image (e.g. ``rec.spatial_maps[name][i]``),
            in depth order. Each map is stretched over the whole image (a 7×7 map on a
            28×28 image: each cell covers 4×4 pixels) and drawn with bilinear smoothing.
        alpha: opacity of the maps.
        cmap: the maps' colour map.
        shared_scale: one colour scale for all maps (their joint min and max); by
            default each map uses its own min and max, printed in its title.
        title: a title for the figure.

    Returns:
        A Figure: the image alone, then one panel per map with its colour bar.
    """
    maps = _check_blocks(maps, "maps")
    img = _image_2d(image)
    arrays = {
        name: _array(m, 2, f"maps[{name!r}]", "be one image's map, shape (h, w)", " Take one image: m[i].")
        for name, m in maps.items()
    }
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be in [0, 1]; got {alpha!r}.")
    lo = min(float(a.min()) for a in arrays.values())
    hi = max(float(a.max()) for a in arrays.values())
    height, width = img.shape[:2]
    extent = (-0.5, width - 0.5, height - 0.5, -0.5)
    fig = new_figure(figsize=(2.6 * (len(arrays) + 1) + 0.6, 3.0), layout="constrained")
    axes = fig.subplots(1, len(arrays) + 1, squeeze=False)[0]
    for ax in axes:
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_title("input image")
    for ax, (name, a) in zip(axes[1:], arrays.items()):
        vmin, vmax = (lo, hi) if shared_scale else (float(a.min()), float(a.max()))
        if vmax - vmin < 1e-6:  # a flat map: any scale shows one colour
            vmin, vmax = vmin - 0.5e-6, vmax + 0.5e-6
        im = ax.imshow(a, cmap=cmap, alpha=alpha, extent=extent, interpolation="bilinear", vmin=vmin, vmax=vmax)
        fig.colorbar(im, ax=ax, shrink=0.8)
        ax.set_title(f"{name}\n{a.shape[0]}×{a.shape[1]}, {float(a.min()):.2f} to {float(a.max()):.2f}", fontsize=9)
    fig.suptitle(title or "Spatial attention over the input image (bright: weighted up)")
    return fig
