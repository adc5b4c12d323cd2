"""Statistics of SE excitations: per-class means, class specificity, saturation.

The paper (its Fig. 6) asks how the channel weights ``s`` of an SE block depend on
the class of the image, and how that changes with depth. These functions turn the
weights that :func:`se_tutorial.capture` records, one (N, C) tensor per SE block,
into the numbers that answer it:

    record(model, images)                 → {block: (N, C)} weights, and the logits
    class_means(s, labels, K)             → (K, C): the mean weight of every channel, per class
    class_specificity(s, labels, K)       → a float in [0, 1]: how much of the spread of s is explained by the class
    class_spread(s, labels, K)            → how far the class-mean curves lie from the all-class mean, in weight units
    saturation(s)                         → shares of weights above 0.9 and below 0.1
    block_input(model, block, images)     → the feature map u that an SE block scales, and its s
"""

from __future__ import annotations

import torch
from torch import nn

from ._modes import evaluating
from ._validate import as_int, check_positive_int, shape_str
from .recording import capture, se_modules

# --------------------------------------------------------------------------- input checks


def _check_excitations(s, who: str = "s") -> torch.Tensor:
    if not isinstance(s, torch.Tensor):
        raise ValueError(f"{who} must be a torch.Tensor of shape (N, C); got {type(s).__name__}.")
    if s.dim() != 2:
        raise ValueError(
            f"{who} must have shape (N, C), one row of channel weights per image; got shape {shape_str(s)}. "
            "Take one block's weights, e.g. rec.excitations['stage3.0.se']."
        )
    if s.shape[0] == 0 or s.shape[1] == 0:
        raise ValueError(f"{who} is empty (shape {shape_str(s)}); record the weights of at least one image.")
    s = s.detach()
    return s if s.dtype in (torch.float32, torch.float64) else s.float()


def _check_labels(labels, n: int, num_classes: int) -> torch.Tensor:
    num_classes = check_positive_int("num_classes", num_classes)
    if not isinstance(labels, torch.Tensor):
        raise ValueError(f"labels must be a torch.Tensor of shape (N,); got {type(labels).__name__}.")
    if labels.dim() != 1 or labels.shape[0] != n:
        raise ValueError(
            f"labels must have shape (N,) = ({n},), one class per row of the weights; got shape {shape_str(labels)}."
        )
    if labels.dtype.is_floating_point or labels.dtype == torch.bool or labels.is_complex():
        raise ValueError(f"labels must be integers (e.g. torch.long); got dtype {labels.dtype}.")
    low, high = int(labels.min()), int(labels.max())
    if low < 0 or high >= num_classes:
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1} for num_classes={num_classes}; got values from {low} to {high}. "
            "Pass the right num_classes, or map the labels to 0..K-1 first."
        )
    return labels.long()


# --------------------------------------------------------------------------- recording


@torch.no_grad()
def record(model: nn.Module, images: torch.Tensor, batch_size: int = 1000) -> tuple[dict, torch.Tensor]:
    """Run ``model`` over ``images`` in batches and record every SE block's weights.

    Args:
        model: a network with SE modules that :func:`se_tutorial.capture` knows; it is
            run in eval mode (and put back in its mode afterwards).
        images: (N, ...) input batch, e.g. (N, 1, 28, 28).
        batch_size: images per forward pass.

    Returns:
        ``(excitations, logits)``: ``excitations`` maps each SE block's name, in forward
        (depth) order, to an (N, C) tensor of weights; ``logits`` is the model's (N, K) output.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(images, torch.Tensor) or images.dim() < 2 or len(images) == 0:
        got = shape_str(images) if isinstance(images, torch.Tensor) else type(images).__name__
        raise ValueError(f"images must be a non-empty batch tensor (N, ...); got {got}.")
    outputs = []
    with evaluating(model), capture(model) as rec:
        for i in range(0, len(images), batch_size):
            outputs.append(model(images[i : i + batch_size]))
    return rec.excitations, torch.cat(outputs)


@torch.no_grad()
def block_input(model: nn.Module, block: str, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The feature map an SE block receives and the channel weights it computes from it.

    Args:
        model: a network with SE modules (see :func:`se_tutorial.se_modules`).
        block: the SE block's name, e.g. ``"stage3.0.se"``.
        images: (N, ...) input batch.

    Returns:
        ``(u, s)``: ``u`` is the block's input (N, C, H, W), ``s`` its weights (N, C).
        The block's output is ``s[:, :, None, None] * u`` (the paper's Eq. 4).
    """
    modules = se_modules(model)
    if block not in modules:
        known = ", ".join(modules) or "(none: the model has no SE)"
        raise ValueError(f"unknown SE block {block!r}; expected one of {known}.")
    seen = {}

    def keep_input(_module, args):
        seen["u"] = args[0].detach()

    handle = modules[block].register_forward_pre_hook(keep_input)
    try:
        with evaluating(model), capture(model) as rec:
            model(images)
    finally:
        handle.remove()
    return seen["u"], rec.excitations[block]


# --------------------------------------------------------------------------- statistics


def class_means(excitations: torch.Tensor, labels: torch.Tensor, num_classes: int) -> torch.Tensor:
    """The mean channel weight of every class: ``mu[k, c] = mean of s[n, c] over images n of class k``.

    Args:
        excitations: (N, C) channel weights of one SE block.
        labels: (N,) integer classes in ``0..num_classes-1``.
        num_classes: K.

    Returns:
        (K, C) float tensor. Every class must have at least one image.

    Raises:
        ValueError: shapes do not match, labels are out of range, the input is empty,
            or a class has no image.
    """
    s = _check_excitations(excitations, "excitations")
    y = _check_labels(labels, s.shape[0], num_classes)
    counts = torch.bincount(y, minlength=num_classes)
    if (counts == 0).any():
        missing = torch.nonzero(counts == 0).flatten().tolist()
        raise ValueError(
            f"class(es) {missing} have no image among the {len(y)} given, so their mean is undefined; "
            "use more images (or a subset that contains every class)."
        )
    sums = torch.zeros(num_classes, s.shape[1], dtype=s.dtype).index_add_(0, y, s)
    return sums / counts[:, None].to(s.dtype)


def class_specificity(excitations: torch.Tensor, labels: torch.Tensor, num_classes: int) -> float:
    """How class-specific a block's weights are: the share of their variance that the class explains.

    With ``mu[k, c]`` the class means, ``m[c]`` the mean over all N images and ``n_k``
    the number of images of class k,

        between = Σ_c Σ_k (n_k / N) · (mu[k, c] − m[c])²      (spread of the class means)
        total   = Σ_c (1 / N) Σ_n (s[n, c] − m[c])²           (spread of all weights)
        score   = between / total                              (0 when total is 0)

    This is the correlation ratio η² (the R² of predicting s from the class alone),
    pooled over the block's channels.

    Why this score: it is 0 exactly when every class has the same mean weights
    (a class-agnostic block, the paper's early layers), 1 when the weights depend on
    the class only (every image of a class gets the same weights), and it does not
    depend on the scale of the weights. A raw distance between class-mean curves
    would shrink for a block whose weights barely vary at all (all near 1, say) even
    if what little variation there is follows the class; dividing by the total
    variance asks the question the paper asks: does the class decide the weights,
    or do they vary from image to image regardless of class? Pooling over channels
    (rather than averaging per-channel ratios) keeps channels that never change
    (variance ≈ 0) from adding noise.

    Args:
        excitations: (N, C) channel weights of one SE block.
        labels: (N,) integer classes in ``0..num_classes-1``, every class present.
        num_classes: K.

    Returns:
        A float in [0, 1]. With random labels it is about (K − 1) / N, not 0.
    """
    s = _check_excitations(excitations, "excitations").double()
    y = _check_labels(labels, s.shape[0], num_classes)
    mu = class_means(s, y, num_classes)  # (K, C)
    m = s.mean(0)  # (C,)
    share = torch.bincount(y, minlength=num_classes).double() / len(y)  # (K,)
    between = (share[:, None] * (mu - m) ** 2).sum()
    total = ((s - m) ** 2).mean(0).sum()
    if total <= 0:
        return 0.0
    return float((between / total).clamp(0.0, 1.0))


def class_spread(excitations: torch.Tensor, labels: torch.Tensor, num_classes: int) -> float:
    """How far, on average, a class's mean weight lies from the all-class mean weight.

        spread = (1 / (K · C)) Σ_k Σ_c |mu[k, c] − m[c]|

    with ``mu`` the class means (:func:`class_means`) and ``m`` the mean over all images.
    It is in the units of the weights (0 to 1): the average vertical gap between a
    class's curve and the all-class curve in :func:`se_tutorial.figures.class_curves`.
    It complements :func:`class_specificity`, which is scale-free: a block can have a
    high specificity (what little its weights vary follows the class) and yet a small
    spread (its class curves lie close together).

    Args:
        excitations: (N, C) channel weights of one SE block.
        labels: (N,) integer classes in ``0..num_classes-1``, every class present.
        num_classes: K.

    Returns:
        A float >= 0; 0 when every class has the same mean weights.
    """
    s = _check_excitations(excitations, "excitations").double()
    mu = class_means(s, labels, num_classes)
    return float((mu - s.mean(0)).abs().mean())


def saturation(excitations: torch.Tensor, high: float = 0.9, low: float = 0.1) -> dict:
    """Shares of channel weights near the ends of (0, 1).

    Args:
        excitations: (N, C) channel weights of one SE block (any shape works; all entries count).
        high, low: thresholds, ``0 <= low < high <= 1``.

    Returns:
        ``{"above": share of weights > high, "below": share < low}``, floats in [0, 1].
        A block whose weights are all above ``high`` nearly passes its input through unchanged.
    """
    s = _check_excitations(excitations, "excitations")
    if not (0.0 <= low < high <= 1.0):
        raise ValueError(f"saturation needs 0 <= low < high <= 1; got low={low}, high={high}.")
    return {"above": float((s > high).double().mean()), "below": float((s < low).double().mean())}


def summary(excitations: dict, labels: torch.Tensor, num_classes: int) -> list[dict]:
    """One row per SE block (in the dict's order, i.e. depth order for :func:`record`).

    Args:
        excitations: block name → (N, C) weights, all for the same N images.
        labels: (N,) classes of those images.
        num_classes: K.

    Returns:
        A list of dicts with keys ``block``, ``channels``, ``mean`` (mean weight),
        ``specificity`` (:func:`class_specificity`), ``spread`` (:func:`class_spread`),
        ``above`` and ``below`` (:func:`saturation`).
    """
    if not isinstance(excitations, dict) or not excitations:
        raise ValueError("excitations must be a non-empty dict: block name → (N, C) weights (e.g. rec.excitations).")
    rows = []
    for name, s in excitations.items():
        sat = saturation(s)
        rows.append(
            {
                "block": name,
                "channels": int(s.shape[1]),
                "mean": float(s.float().mean()),
                "specificity": class_specificity(s, labels, num_classes),
                "spread": class_spread(s, labels, num_classes),
                **sat,
            }
        )
    return rows


def top_channels(means: torch.Tensor, cls: int, k: int, *, relative: bool = False) -> torch.Tensor:
    """The ``k`` channels that class ``cls`` excites most.

    Args:
        means: (K, C) class means (:func:`class_means`).
        cls: the class, in ``0..K-1``.
        k: how many channels, ``1 <= k <= C``.
        relative: rank by ``means[cls] − means.mean(0)`` (what this class excites more
            than the average class does) instead of by ``means[cls]`` itself.

    Returns:
        (k,) long tensor of channel indices, most excited first.
    """
    if not isinstance(means, torch.Tensor) or means.dim() != 2:
        raise ValueError("means must be a (K, C) tensor of class means, from class_means(...).")
    num_classes, channels = means.shape
    cls_, k_ = as_int(cls), as_int(k)
    if cls_ is None or not 0 <= cls_ < num_classes:
        raise ValueError(f"cls must be a class index in 0..{num_classes - 1}; got {cls!r}.")
    if k_ is None or not 1 <= k_ <= channels:
        raise ValueError(f"k must be an integer in 1..{channels} (the block's channels); got {k!r}.")
    cls, k = cls_, k_
    score = means[cls] - means.mean(0) if relative else means[cls]
    return torch.argsort(score, descending=True, stable=True)[:k]
