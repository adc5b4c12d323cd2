"""Real data that installed packages ship: photographs from scikit-image and matplotlib.

Nothing here downloads and nothing is copied into the course's repository: each photo
is loaded from the package that ships it, and carries its source and licence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass(frozen=True)
class Photo:
    """A real photograph with its provenance.

    Attributes:
        name: short name, e.g. ``"chelsea"``.
        image: RGB array, shape (H, W, 3), dtype uint8.
        title: what the photo shows.
        source: where it comes from (package and original source).
        license: its licence or copyright status, as the shipping package states it.
    """

    name: str
    image: np.ndarray = field(repr=False)
    title: str
    source: str
    license: str


def _skimage(name: str):
    def load() -> np.ndarray:
        from skimage import data

        if name == "motorcycle":
            return data.stereo_motorcycle()[0]
        return getattr(data, name)()

    return load


def _grace_hopper() -> np.ndarray:
    from matplotlib import cbook
    from PIL import Image

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        return np.asarray(Image.open(f).convert("RGB"))


#: name → (loader, title, source, licence); the licences are those the shipping packages state.
_CATALOGUE = {
    "astronaut": (_skimage("astronaut"), "Astronaut Eileen Collins",
                  "scikit-image data.astronaut (NASA Great Images database)", "public domain (NASA)"),
    "chelsea": (_skimage("chelsea"), "Chelsea the cat",
                "scikit-image data.chelsea (photo: Stefan van der Walt)", "CC0"),
    "coffee": (_skimage("coffee"), "A cup of coffee",
               "scikit-image data.coffee (photo: Rachel Michetti, Pikolo Espresso Bar)", "CC0"),
    "rocket": (_skimage("rocket"), "Falcon 9 launching DSCOVR",
               "scikit-image data.rocket (SpaceX Photos on Flickr)", "public domain (SpaceX)"),
    "motorcycle": (_skimage("motorcycle"), "A motorcycle (left view of a stereo pair)",
                   "scikit-image data.stereo_motorcycle (Middlebury 2014 stereo benchmark, Scharstein et al.)",
                   "Middlebury stereo datasets, distributed with scikit-image; cite Scharstein et al., GCPR 2014"),
    "grace_hopper": (_grace_hopper, "Rear Admiral Grace Hopper",
                     "matplotlib sample data grace_hopper.jpg (U.S. Navy photograph)", "public domain (U.S. Navy)"),
}

PHOTO_NAMES = tuple(_CATALOGUE)


def photo(name: str) -> Photo:
    """Load one photo by name; see :data:`PHOTO_NAMES`.

    Returns:
        A :class:`Photo` whose ``image`` has shape (H, W, 3), dtype uint8.
    """
    if name not in _CATALOGUE:
        raise ValueError(f"unknown photo {name!r}; expected one of {', '.join(PHOTO_NAMES)}.")
    load, title, source, license_ = _CATALOGUE[name]
    image = np.ascontiguousarray(load())
    return Photo(name=name, image=image, title=title, source=source, license=license_)


def photos(names=None) -> dict[str, Photo]:
    """Load several photos (all of them by default), as a dict name → :class:`Photo`."""
    return {n: photo(n) for n in (PHOTO_NAMES if names is None else names)}


def image_to_tensor(image: np.ndarray, size: int | tuple[int, int] | None = None) -> torch.Tensor:
    """Turn an RGB uint8 image into a float batch of one.

    Args:
        image: array of shape (H, W, 3), uint8 in [0, 255].
        size: optional output size (h, w), or one int for a square; resized
            with bilinear interpolation (antialiased).

    Returns:
        Tensor of shape (1, 3, h, w), float32 in [0, 1].
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image_to_tensor expects an RGB array of shape (H, W, 3); got shape {image.shape}.")
    x = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None].float() / 255.0
    if size is not None:
        size = (size, size) if isinstance(size, int) else tuple(size)
        x = torch.nn.functional.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
    return x
