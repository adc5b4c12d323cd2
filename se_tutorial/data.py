"""Real data: photographs that installed packages ship (scikit-image, matplotlib), and Fashion-MNIST.

Nothing here downloads and nothing is copied into the course's repository: each photo
is loaded from the package that ships it, and carries its source and licence.
"""
from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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
        return np.array(Image.open(f).convert("RGB"))  # a writable copy


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
    x = torch.tensor(image).permute(2, 0, 1)[None].float() / 255.0  # torch.tensor copies
    if size is not None:
        size = (size, size) if isinstance(size, int) else tuple(size)
        x = torch.nn.functional.interpolate(x, size=size, mode="bilinear", antialias=True, align_corners=False)
        x = x.clamp_(0.0, 1.0)  # bilinear resizing can overshoot by a few ulps
    return x


# --------------------------------------------------------------------------- Fashion-MNIST

#: Where Debian's and Ubuntu's package ``dataset-fashion-mnist`` puts the files.
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
_DEBIAN_FILES_IN_PACKAGE = "usr/share/datasets/fashion-mnist"
DEBIAN_PACKAGE = "dataset-fashion-mnist"
FASHION_MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                       "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds the course's data, in this order:

    ``root`` if given; else ``$SE_TUTORIAL_DATA``; else the repository's ``data/``
    (when the package runs from a clone); else ``~/.cache/se-tutorial``.
    """
    if root is not None:
        return Path(root)
    if os.environ.get("SE_TUTORIAL_DATA"):
        return Path(os.environ["SE_TUTORIAL_DATA"])
    repo_data = Path(__file__).resolve().parent.parent / "data"
    if (repo_data / "README.md").is_file():
        return repo_data
    return Path.home() / ".cache" / "se-tutorial"


def _raw_dir(root: Path) -> Path:
    return root / "FashionMNIST" / "raw"


def _has_raw(root: Path) -> bool:
    return all((_raw_dir(root) / f).is_file() for f in FASHION_MNIST_FILES)


def _decompress_from(folder: Path, root: Path) -> bool:
    """Decompress ``folder/*.gz`` (Debian's layout) into ``root/FashionMNIST/raw``."""
    if not all((folder / f"{f}.gz").is_file() for f in FASHION_MNIST_FILES):
        return False
    raw = _raw_dir(root)
    raw.mkdir(parents=True, exist_ok=True)
    for f in FASHION_MNIST_FILES:
        tmp = raw / f"{f}.part"
        with gzip.open(folder / f"{f}.gz", "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst)
        tmp.replace(raw / f)
    return True


def _from_debian_download(root: Path) -> bool:
    """``apt-get download`` Debian's package and unpack it with ``dpkg -x``: no root needed."""
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(["apt-get", "download", "-q", DEBIAN_PACKAGE], cwd=tmp, check=True,
                           capture_output=True, timeout=300)
            deb = next(Path(tmp).glob(f"{DEBIAN_PACKAGE}_*.deb"))
            subprocess.run(["dpkg", "-x", str(deb), str(Path(tmp) / "x")], check=True, capture_output=True)
        except (subprocess.SubprocessError, OSError, StopIteration):
            return False
        return _decompress_from(Path(tmp) / "x" / _DEBIAN_FILES_IN_PACKAGE, root)


def _from_torchvision_download(root: Path) -> bool:
    """torchvision's own download (needs internet)."""
    from torchvision.datasets import FashionMNIST

    try:
        FashionMNIST(str(root), train=True, download=True)
    except Exception:  # no network, a proxy, a server error: all mean "not this way"
        return False
    return _has_raw(root)


def prepare_fashion_mnist(root: str | os.PathLike | None = None, *, verbose: bool = False) -> Path:
    """Make sure Fashion-MNIST's four files are in ``data_root(root)/FashionMNIST/raw``.

    Tries, in order: the files already there; Debian's installed package
    (``/usr/share/datasets/fashion-mnist``); Debian's package fetched with
    ``apt-get download`` and unpacked with ``dpkg -x`` (no root needed);
    torchvision's download.

    Returns:
        The data root.

    Raises:
        FileNotFoundError: none of the ways worked; the message names all of them.
    """
    root = data_root(root)
    if _has_raw(root):
        return root
    ways = [("Debian's installed package", lambda: _decompress_from(DEBIAN_DIR, root)),
            ("Debian's package via apt-get download", lambda: _from_debian_download(root)),
            ("torchvision's download", lambda: _from_torchvision_download(root))]
    for name, way in ways:
        if verbose:
            print(f"Fashion-MNIST: trying {name} ...")
        if way():
            if verbose:
                print(f"Fashion-MNIST: ready in {_raw_dir(root)}")
            return root
    raise FileNotFoundError(
        f"Fashion-MNIST was not found in {_raw_dir(root)} and could not be obtained. Any one of these works:\n"
        f"  1. put the four files ({', '.join(FASHION_MNIST_FILES)}) in {_raw_dir(root)}, "
        "or point $SE_TUTORIAL_DATA (or root=) at a folder that has FashionMNIST/raw/;\n"
        f"  2. install Debian's or Ubuntu's package: sudo apt-get install {DEBIAN_PACKAGE} "
        f"(files in {DEBIAN_DIR}), or run `make data`;\n"
        "  3. connect to the internet once, so that torchvision can download it."
    )


def fashion_mnist(train: bool = True, root: str | os.PathLike | None = None):
    """Fashion-MNIST (Zalando, MIT licence) as a torchvision ``FashionMNIST`` dataset.

    Args:
        train: the 60,000 training images, or the 10,000 test images.
        root: the data root (see :func:`data_root`); the files are obtained
            as :func:`prepare_fashion_mnist` describes.

    Returns:
        ``torchvision.datasets.FashionMNIST`` whose items are (PIL image 28×28, label);
        ``.data`` is a uint8 tensor (N, 28, 28), ``.targets`` a long tensor (N,),
        ``.classes`` the 10 class names.

    Raises:
        FileNotFoundError: the data is not there and cannot be obtained.
    """
    from torchvision.datasets import FashionMNIST

    root = prepare_fashion_mnist(root)
    return FashionMNIST(str(root), train=train, download=False)


def main() -> None:
    """Prepare Fashion-MNIST and print what is there (``make data``)."""
    root = prepare_fashion_mnist(verbose=True)
    for train in (True, False):
        ds = fashion_mnist(train, root)
        print(f"{'train' if train else 'test '}: {len(ds):,} images of shape {tuple(ds.data.shape[1:])}, {len(ds.classes)} classes")

