"""ImageNet-trained SE networks from torchvision, when their weights can be had.

torchvision keeps downloaded weights in ``torch.hub.get_dir()/checkpoints``
(``$TORCH_HOME/hub/checkpoints``, by default ``~/.cache/torch/hub/checkpoints``).
:func:`imagenet_model` uses that cache, or downloads into it; offline and without
the cache it raises :class:`WeightsUnavailableError`, which says how to get them. A download
gives up after ``se_tutorial.data.DOWNLOAD_TIMEOUT`` seconds without progress
(``$SE_TUTORIAL_TIMEOUT`` or ``timeout=`` changes it).
"""

from __future__ import annotations

import urllib.error
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from .data import download_timeout, socket_timeout

#: torchvision architectures that contain SE blocks (``torchvision.ops.SqueezeExcitation``).
SE_ARCHS = (
    "regnet_y_400mf",
    "regnet_y_800mf",
    "regnet_y_1_6gf",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "efficientnet_b1",
    "efficientnet_b2",
)


class WeightsUnavailableError(RuntimeError):
    """The pretrained weights are neither in torchvision's cache nor downloadable now."""


@dataclass
class ImageNetModel:
    """A pretrained torchvision SE network and what it needs.

    Attributes:
        model: the network in eval mode; (N, 3, 224, 224) normalised images → logits (N, 1000).
        transforms: torchvision's preprocessing for it (PIL image or (3, H, W) uint8/float
            tensor → (3, 224, 224) normalised float tensor).
        categories: the 1000 ImageNet class names.
        weights: the torchvision weights enum entry (URL, accuracy, ...).
        path: where the weights file lies.
    """

    model: nn.Module
    transforms: object
    categories: list
    weights: object
    path: Path


def weights_path(arch: str = "regnet_y_400mf"):
    """The default weights of ``arch`` and the cache file torchvision loads them from."""
    from torchvision.models import get_model_weights

    if arch not in SE_ARCHS:
        raise ValueError(f"unknown or SE-free architecture {arch!r}; expected one of {', '.join(SE_ARCHS)}.")
    weights = get_model_weights(arch).DEFAULT
    return weights, Path(torch.hub.get_dir()) / "checkpoints" / Path(weights.url).name


def imagenet_model(
    arch: str = "regnet_y_400mf", *, download: bool = True, timeout: float | None = None
) -> ImageNetModel:
    """A torchvision SE network with its ImageNet weights, transforms and class names.

    Args:
        arch: one of :data:`SE_ARCHS` (RegNetY, MobileNetV3 and EfficientNet contain SE).
        download: allow torchvision to download the weights when they are not cached.
        timeout: seconds the download may wait without progress (see
            :func:`se_tutorial.data.download_timeout`; 60 by default).

    Returns:
        An :class:`ImageNetModel`.

    Raises:
        ValueError: ``arch`` is unknown or has no SE blocks.
        WeightsUnavailableError: the weights are not cached and cannot be downloaded (no network,
            a proxy that does not answer within the timeout, a server error).
    """
    from torchvision.models import get_model

    weights, path = weights_path(arch)
    timeout = download_timeout(timeout)
    how = (
        f"Download {weights.url} on a machine with internet and put it at {path} "
        f"(or set TORCH_HOME), or run once with internet: se_tutorial.imagenet_model({arch!r})."
    )
    if not path.is_file() and not download:
        raise WeightsUnavailableError(f"the ImageNet weights of {arch} are not in torchvision's cache ({path}). {how}")
    try:
        with socket_timeout(timeout):
            model = get_model(arch, weights=weights)
    except (urllib.error.URLError, OSError) as e:  # no network, a silent proxy (TimeoutError), a server error
        raise WeightsUnavailableError(
            f"the ImageNet weights of {arch} are unavailable: not in torchvision's cache ({path}) and the "
            f"download failed ({type(e).__name__}: {e}; a download gives up after {timeout:g} s without progress, "
            f"$SE_TUTORIAL_TIMEOUT changes it). {how}"
        ) from e
    return ImageNetModel(model.eval(), weights.transforms(), list(weights.meta["categories"]), weights, path)
