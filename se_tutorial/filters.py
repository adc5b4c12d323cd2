"""A bank of fixed, hand-made filters whose output channels have names.

A trained convolution layer gives channels that nobody named. This bank gives
channels a student can name ("red", "edges in x", "blur", ...), so that the
squeeze of each channel (one number per channel) can be read and checked.

The bank is ONE ``nn.Conv2d(3, C, 5)`` with hand-set weights, no bias, and
replicate padding (so the output keeps the input's height and width, and a
constant image has no edges, even at its border):

==================  =====================================================
channel             what it computes at each pixel (gray = Y of RGB)
==================  =====================================================
``red``             R
``green``           G
``blue``            B
``gray``            0.299 R + 0.587 G + 0.114 B  (brightness)
``edge_x``          Sobel in x on gray: > 0 where it gets brighter to the right
``edge_y``          Sobel in y on gray: > 0 where it gets brighter downwards
``blur``            5×5 binomial (Gaussian-like) average of gray
``centre_surround`` gray minus its 5×5 blur: > 0 on a spot brighter than around it
``red_green``       R − G   (colour opponent: > 0 red, < 0 green)
``yellow_blue``     (R + G)/2 − B  (colour opponent: > 0 yellow, < 0 blue)
==================  =====================================================

``edge_x``, ``edge_y``, ``centre_surround``, ``red_green`` and ``yellow_blue``
are signed (see :data:`SIGNED`). ``feature_maps(x, absolute=True)`` takes their
absolute value, like the non-linearity that follows a convolution in a network:
edge strength, contrast and "colourfulness" along each opponent axis.
"""

from __future__ import annotations

import torch
from torch import nn

from ._validate import shape_str

#: The names of the bank's output channels, in order.
FILTER_NAMES = (
    "red",
    "green",
    "blue",
    "gray",
    "edge_x",
    "edge_y",
    "blur",
    "centre_surround",
    "red_green",
    "yellow_blue",
)

#: One line per channel: what it responds to.
FILTER_DESCRIPTIONS = {
    "red": "red intensity R",
    "green": "green intensity G",
    "blue": "blue intensity B",
    "gray": "brightness 0.299R + 0.587G + 0.114B",
    "edge_x": "Sobel x: brighter to the right (> 0) or left (< 0); vertical edges",
    "edge_y": "Sobel y: brighter below (> 0) or above (< 0); horizontal edges",
    "blur": "5x5 binomial blur of brightness",
    "centre_surround": "brightness minus its blur: spots and fine detail",
    "red_green": "R - G: red (> 0) versus green (< 0)",
    "yellow_blue": "(R + G)/2 - B: yellow (> 0) versus blue (< 0)",
}

#: Channels whose response can be negative.
SIGNED = frozenset({"edge_x", "edge_y", "centre_surround", "red_green", "yellow_blue"})

#: Side of the square kernels.
KERNEL_SIZE = 5

#: RGB → brightness (ITU-R BT.601 luma weights).
GRAY_WEIGHTS = (0.299, 0.587, 0.114)


def _kernels() -> torch.Tensor:
    """The bank's weights, shape (C, 3, 5, 5), C = len(FILTER_NAMES)."""
    k = KERNEL_SIZE
    gray = torch.tensor(GRAY_WEIGHTS, dtype=torch.float64)
    point = torch.zeros(k, k, dtype=torch.float64)
    point[k // 2, k // 2] = 1.0  # the centre pixel alone
    # Sobel: smooth [1, 2, 1] across, difference [-1, 0, 1] along; /4 so that a
    # sharp 0 → 1 step gives a response of 1 at the pixels next to it.
    sobel_x = torch.zeros(k, k, dtype=torch.float64)
    sobel_x[1:4, 1:4] = torch.outer(torch.tensor([1.0, 2.0, 1.0]), torch.tensor([-1.0, 0.0, 1.0])) / 4
    binomial = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], dtype=torch.float64)
    blur = torch.outer(binomial, binomial) / binomial.sum() ** 2  # sums to 1

    def on_gray(kernel: torch.Tensor) -> torch.Tensor:  # (5, 5) → (3, 5, 5)
        return gray[:, None, None] * kernel

    def colour(r: float, g: float, b: float) -> torch.Tensor:
        return torch.tensor([r, g, b], dtype=torch.float64)[:, None, None] * point

    weights = {
        "red": colour(1, 0, 0),
        "green": colour(0, 1, 0),
        "blue": colour(0, 0, 1),
        "gray": on_gray(point),
        "edge_x": on_gray(sobel_x),
        "edge_y": on_gray(sobel_x.T),
        "blur": on_gray(blur),
        "centre_surround": on_gray(point - blur),
        "red_green": colour(1, -1, 0),
        "yellow_blue": colour(0.5, 0.5, -1),
    }
    return torch.stack([weights[name] for name in FILTER_NAMES]).float()


def filter_bank() -> nn.Conv2d:
    """Build the fixed filter bank: one ``nn.Conv2d(3, C, 5)``, C = ``len(FILTER_NAMES)``.

    The weights, shape (C, 3, 5, 5), are set by hand (see the module's table);
    there is no bias, padding is 2 with ``padding_mode="replicate"``, and the
    weights do not require gradients (the bank is not meant to be trained).

    Shapes:
        input: (N, 3, H, W) RGB in [0, 1] → output: (N, C, H, W), channel ``c``
        named ``FILTER_NAMES[c]``.
    """
    conv = nn.Conv2d(3, len(FILTER_NAMES), KERNEL_SIZE, padding=KERNEL_SIZE // 2, padding_mode="replicate", bias=False)
    with torch.no_grad():
        conv.weight.copy_(_kernels())
    conv.weight.requires_grad_(False)
    return conv


def _check_images(x) -> None:
    if not isinstance(x, torch.Tensor):
        raise ValueError(f"feature_maps expects a torch.Tensor of shape (N, 3, H, W); got {type(x).__name__}.")
    if x.dim() != 4:
        raise ValueError(
            f"feature_maps expects a 4-D tensor of shape (N, 3, H, W); got shape {shape_str(x)} with {x.dim()} dims. "
            "For a single (3, H, W) image use x.unsqueeze(0); for an (H, W, 3) array use "
            "se_tutorial.data.image_to_tensor(image)."
        )
    if x.shape[1] != 3:
        raise ValueError(
            f"feature_maps expects 3 colour channels (RGB) in dim 1, shape (N, 3, H, W); got shape {shape_str(x)}. "
            "Channels-last images (N, H, W, 3) need x.permute(0, 3, 1, 2)."
        )
    if not x.is_floating_point():
        raise ValueError(
            f"feature_maps expects a floating-point tensor with values in [0, 1]; got dtype {x.dtype}. "
            "Convert uint8 images with x.float() / 255 or se_tutorial.data.image_to_tensor(image)."
        )


def feature_maps(x: torch.Tensor, absolute: bool = False) -> torch.Tensor:
    """Pass RGB images through the fixed filter bank.

    Args:
        x: images, shape (N, 3, H, W), floating point, RGB in [0, 1].
        absolute: if True, return the absolute value of the signed channels
            (:data:`SIGNED`): edge strength, local contrast, and colourfulness
            along the red-green and yellow-blue axes. The other channels are
            non-negative for inputs in [0, 1] and are returned as they are.

    Returns:
        Tensor of shape (N, C, H, W), C = ``len(FILTER_NAMES)``; channel ``c``
        is named ``FILTER_NAMES[c]``. Same dtype and device as ``x``.

    Raises:
        ValueError: ``x`` is not a tensor, not 4-D, has not 3 channels in
            dim 1, or is not floating point.
    """
    _check_images(x)
    bank = filter_bank().to(device=x.device, dtype=x.dtype)
    u = bank(x)
    if absolute:
        signed = torch.tensor([name in SIGNED for name in FILTER_NAMES], device=x.device)
        u = torch.where(signed[None, :, None, None], u.abs(), u)
    return u
