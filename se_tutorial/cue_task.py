"""A task built for SE's mechanism: two garments overlaid, and a cue saying which one to classify.

Each example has two input channels: channel 0 holds garment A (image ``i`` of the source) and
channel 1 garment B (image ``partner[i]``, paired by a seeded permutation, of another class
wherever the pairing can manage it). Rows 0-1 and 26-27 of both channels are cleared and hold
the cue, a bright bar along the top and the bottom edge:

- a **solid** bar (every pixel 1.0): the target is garment A (``cue`` 0, ``y`` = A's class);
- a **dashed** bar (columns with ``(col // 2) % 2 == 0`` at 1.0, the others 0): the target is
  garment B (``cue`` 1, ``y`` = B's class).

Why a pattern and not a position (bar at the top for A, at the bottom for B): convolutions are
translation-equivariant and SE's squeeze is a global average, so a bar at the top and the same
bar at the bottom give almost the same squeezed vector; solid and dashed give different ones (a
channel tuned to dashes averages higher). Bars at both edges survive training's random 2-pixel
shifts (one edge's rows may leave the image, never both), and horizontal flips keep each pattern.

Why SE fits it: the answer is "A's class" or "B's class", chosen per image by a property of the
whole image that lies far from the garments' centre. SE does exactly this: its squeeze averages
each channel over the image, so the cue reaches every position at once, and its excitation
multiplies each channel by a weight computed from that summary, so the channels that carry
garment A's features can be opened and B's closed (or the reverse) per image. A plain ResNet has
no such product: the cue must travel through its convolutions' receptive field (25 pixels at the
last stage of the small ResNet: the middle row of its 7×7 map sees neither bar) and be combined with
the garment's features by its convolutions before the global pooling, because the linear classifier
after it can only add pooled features, not switch between them.
"""

from __future__ import annotations

import torch

from ._validate import check_int

#: The rows holding the cue (both channels); garment pixels there are cleared.
CUE_ROWS = (0, 1, 26, 27)


def dash_pattern(width: int = 28) -> torch.Tensor:
    """The dashed bar's row (cue 1): float32 (width,), 1.0 where ``(col // 2) % 2 == 0``, else 0."""
    return ((torch.arange(width) // 2) % 2 == 0).float()


def _as_images(images) -> torch.Tensor:
    """uint8 (N, 28, 28) (scaled by 1/255) or floats in [0, 1] (N, 28, 28) or (N, 1, 28, 28) → float32 (N, 28, 28)."""
    images = torch.as_tensor(images)
    if images.dim() == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.dim() != 3 or tuple(images.shape[1:]) != (28, 28):
        raise ValueError(f"images must be (N, 28, 28) or (N, 1, 28, 28); got shape {tuple(images.shape)}.")
    if images.dtype == torch.uint8:
        return images.float() / 255.0
    if not images.is_floating_point():
        raise ValueError(f"images must be uint8 or floats in [0, 1]; got {images.dtype}.")
    if images.numel() and (images.min() < 0 or images.max() > 1):
        raise ValueError("float images must lie in [0, 1] (uint8 images are scaled by 1/255).")
    return images.float()


def _partners(labels: torch.Tensor, generator: torch.Generator, rounds: int = 30) -> torch.Tensor:
    """A permutation ``p`` of range(N) with ``labels[p] != labels`` wherever random swaps achieve it."""
    n = len(labels)
    p = torch.randperm(n, generator=generator).tolist()
    for _ in range(rounds):
        clash = (labels[torch.tensor(p)] == labels).nonzero().flatten().tolist()
        if not clash:
            break
        for i, j in zip(clash, torch.randint(0, n, (len(clash),), generator=generator).tolist()):
            p[i], p[j] = p[j], p[i]
    return torch.tensor(p)


def pairing(labels, *, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The partner of every image and its cue, as :func:`make_cue_task` draws them.

    Returns:
        partner: int64 (N,), the index of garment B for each example; cue: int64 (N,), 0 or 1.
        The other garment's class is ``torch.where(cue == 1, labels, labels[partner])``.
    """
    labels = torch.as_tensor(labels).long()
    g = torch.Generator().manual_seed(check_int("seed", seed, minimum=0))
    partner = _partners(labels, g)
    return partner, torch.randint(0, 2, (len(labels),), generator=g)


@torch.no_grad()
def cue_report(
    model,
    x: torch.Tensor,
    y: torch.Tensor,
    cue: torch.Tensor,
    other: torch.Tensor,
    *,
    seed: int = 0,
    batch_size: int = 1000,
) -> dict:
    """How a trained network uses the cue, on examples (N, 2, 28, 28) with labels, cues and the
    other garment's class (N,).

    Returns:
        ``accuracy_by_cue``: percent correct on the examples with cue 0 (A) and cue 1 (B);
        ``errors_naming_other``: the share of wrong answers that give the other garment's class;
        ``excitation_gap`` (models with SE blocks): per block, the largest difference between the
        mean weight of a channel over cue-B and over cue-A examples (``gap``, with its ``channel``),
        and the same statistic for a random split of the examples into groups of the same sizes
        (``random_gap``, the noise floor; the split is drawn with ``seed``).
    """
    from contextlib import nullcontext

    from ._modes import evaluating
    from .recording import capture, se_modules

    has_se = bool(se_modules(model))
    predictions, weights = [], {}
    with evaluating(model):
        for i in range(0, len(x), batch_size):
            with capture(model) if has_se else nullcontext() as rec:
                predictions.append(model(x[i : i + batch_size]).argmax(1))
            for name, s in rec.excitations.items() if has_se else ():
                weights.setdefault(name, []).append(s)
    pred = torch.cat(predictions)
    wrong = pred != y
    report = {
        "accuracy_by_cue": {
            str(c): round(100 * (pred[cue == c] == y[cue == c]).double().mean().item(), 4) for c in (0, 1)
        },
        "errors_naming_other": round((pred[wrong] == other[wrong]).double().mean().item(), 4) if wrong.any() else 0.0,
    }
    shuffled = cue[torch.randperm(len(cue), generator=torch.Generator().manual_seed(seed))]
    gaps = {}
    for name, parts in weights.items():
        s = torch.cat(parts)

        def gap(groups: torch.Tensor, s: torch.Tensor = s) -> torch.Tensor:
            """Mean weight over group 1 minus over group 0, per channel: (C,)."""
            return s[groups == 1].mean(0) - s[groups == 0].mean(0)

        real, noise = gap(cue), gap(shuffled)
        channel = int(real.abs().argmax())
        gaps[name] = {
            "gap": round(real[channel].item(), 5),
            "channel": channel,
            "random_gap": round(noise.abs().max().item(), 5),
        }
    if gaps:
        report["excitation_gap"] = gaps
    return report


def make_cue_task(images, labels, *, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Overlay pairs of garments in two channels and add the cue that names the target.

    Args:
        images: (N, 28, 28) uint8 (Fashion-MNIST's ``.data``) or floats in [0, 1]; N >= 2.
        labels: (N,) integer classes.
        seed: seeds the pairing and the cues (a local ``torch.Generator``; the global RNG is untouched).

    Returns:
        x: float32 (N, 2, 28, 28) in [0, 1]: garment A (image i) in channel 0, garment B
        (its partner) in channel 1, and in rows :data:`CUE_ROWS` of both channels the cue only.
        y: int64 (N,): the class of the target garment (A's if ``cue`` is 0, B's if 1).
        cue: int64 (N,): 0 (solid bars, target A) or 1 (dashed bars, target B).
    """
    seed = check_int("seed", seed, minimum=0)
    x = _as_images(images)
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or len(labels) != len(x) or labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(f"labels must be integers of shape ({len(x)},); got {labels.dtype} {tuple(labels.shape)}.")
    if len(x) < 2:
        raise ValueError(f"the cue task pairs images, so it needs at least 2; got {len(x)}.")
    partner, cue = pairing(labels, seed=seed)
    labels = labels.long()
    out = torch.stack([x, x[partner]], dim=1)
    rows = list(CUE_ROWS)
    bar = torch.where(cue[:, None] == 1, dash_pattern(28), torch.ones(28))  # (N, 28)
    out[:, :, rows, :] = bar[:, None, None, :]
    y = torch.where(cue == 1, labels[partner], labels)
    return out, y, cue


def cue_task(train: bool = True, size: int | None = None, seed: int = 0):
    """The cue task built from Fashion-MNIST's training or test set (its first ``size`` images; all by default).

    Returns ``(x, y, cue)`` as :func:`make_cue_task`: (size, 2, 28, 28), (size,), (size,).
    """
    from .data import fashion_mnist

    if not isinstance(train, bool):
        raise ValueError(f"train must be True or False; got {train!r}.")
    ds = fashion_mnist(train=train)
    n = len(ds.data) if size is None else check_int("size", size, minimum=2)
    if n > len(ds.data):
        raise ValueError(f"size={n} exceeds the {len(ds.data)} images of the {'training' if train else 'test'} set.")
    return make_cue_task(ds.data[:n], ds.targets[:n], seed=seed)
