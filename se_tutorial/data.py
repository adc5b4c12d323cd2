"""Real data: photographs that installed packages ship (scikit-image, matplotlib), and Fashion-MNIST.

No photo is downloaded or copied into the course's repository: each one is loaded from
the package that ships it, and carries its source and licence. Fashion-MNIST is checked
file by file and, when missing, taken from Debian's package or torchvision's download,
each download with a timeout (:data:`DOWNLOAD_TIMEOUT`). :func:`dataset_tensors` turns a
dataset into two tensors, images (N, 1, H, W) and labels (N,).
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import zlib
from contextlib import contextmanager
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
    "astronaut": (
        _skimage("astronaut"),
        "Astronaut Eileen Collins",
        "scikit-image data.astronaut (NASA Great Images database)",
        "public domain (NASA)",
    ),
    "chelsea": (
        _skimage("chelsea"),
        "Chelsea the cat",
        "scikit-image data.chelsea (photo: Stefan van der Walt)",
        "CC0",
    ),
    "coffee": (
        _skimage("coffee"),
        "A cup of coffee",
        "scikit-image data.coffee (photo: Rachel Michetti, Pikolo Espresso Bar)",
        "CC0",
    ),
    "rocket": (
        _skimage("rocket"),
        "Falcon 9 launching DSCOVR",
        "scikit-image data.rocket (SpaceX Photos on Flickr)",
        "public domain (SpaceX)",
    ),
    "motorcycle": (
        _skimage("motorcycle"),
        "A motorcycle (left view of a stereo pair)",
        "scikit-image data.stereo_motorcycle (Middlebury 2014 stereo benchmark, Scharstein et al.)",
        "Middlebury stereo datasets, distributed with scikit-image; cite Scharstein et al., GCPR 2014",
    ),
    "grace_hopper": (
        _grace_hopper,
        "Rear Admiral Grace Hopper",
        "matplotlib sample data grace_hopper.jpg (U.S. Navy photograph)",
        "public domain (U.S. Navy)",
    ),
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
FASHION_MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


#: Seconds a download may wait without receiving anything (per connection, per read);
#: ``$SE_TUTORIAL_TIMEOUT`` or a ``timeout=`` argument overrides it.
DOWNLOAD_TIMEOUT = 60.0


class DataError(ValueError):
    """A data file is damaged or is not what its name says; the message names it and says how to fix it."""


def download_timeout(timeout: float | None = None) -> float:
    """The download timeout in seconds: ``timeout`` if given, else ``$SE_TUTORIAL_TIMEOUT``, else
    :data:`DOWNLOAD_TIMEOUT`."""
    value = timeout if timeout is not None else os.environ.get("SE_TUTORIAL_TIMEOUT") or DOWNLOAD_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ValueError(
            f"the download timeout must be a positive number of seconds; got {value!r} "
            "(from timeout= or $SE_TUTORIAL_TIMEOUT)."
        )
    return seconds


@contextmanager
def socket_timeout(seconds: float):
    """Within the block, sockets that set no timeout of their own (urllib's, so torchvision's and
    torch.hub's downloads) give up after ``seconds`` without progress."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def shipped_root() -> Path:
    """The repository's ``data/`` folder, which holds the shipped ``checkpoints/`` and ``results/``.

    ``$SE_TUTORIAL_DATA`` does not move it. When the package does not run from a clone,
    ``~/.cache/se-tutorial``.
    """
    repo_data = Path(__file__).resolve().parent.parent / "data"
    if (repo_data / "README.md").is_file():
        return repo_data
    return Path.home() / ".cache" / "se-tutorial"


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The folder that holds Fashion-MNIST (``FashionMNIST/raw/``), in this order:

    ``root`` if given; else ``$SE_TUTORIAL_DATA``; else :func:`shipped_root` (the repository's
    ``data/`` when the package runs from a clone, else ``~/.cache/se-tutorial``).
    """
    if root is not None:
        return Path(root)
    if os.environ.get("SE_TUTORIAL_DATA"):
        return Path(os.environ["SE_TUTORIAL_DATA"])
    return shipped_root()


def _raw_dir(root: Path) -> Path:
    return root / "FashionMNIST" / "raw"


def _fix(root: Path) -> str:
    """The command that obtains the files again for this root."""
    if root == shipped_root():
        return "`make data` (or `python -m se_tutorial.data`)"
    return f"`python -m se_tutorial.data --root {root}`"


def idx_problem(path, name: str | None = None) -> str | None:
    """What is wrong with one Fashion-MNIST IDX file, or None if it is sound.

    Checks the magic number (2051 images, 2049 labels), the header's sizes (count, 28, 28),
    the exact file size, and that labels are 0..9. ``name`` (the file's usual name) says
    which kind it is; by default the path's own name.
    """
    path = Path(path)
    labels = "labels" in (name or path.name)
    magic, header, item, kind = (2049, 8, 1, "labels") if labels else (2051, 16, 28 * 28, "images")
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(header)
    if head[:2] == b"\x1f\x8b":
        return "it is still gzip-compressed"
    if size < header:
        return f"it has {size} bytes, fewer than its {header}-byte header"
    found, count, *dims = struct.unpack(f">{header // 4}I", head)
    if found != magic:
        return f"its magic number is {found}, not {magic} (IDX {kind})"
    if dims and dims != [28, 28]:
        return f"its header says {dims[0]}×{dims[1]} images, not 28×28"
    if size != header + count * item:
        return (
            f"it has {size:,} bytes, but its header announces {count:,} {kind}, which take "
            f"{header + count * item:,} bytes (truncated or padded)"
        )
    if labels and count:
        values = np.fromfile(path, np.uint8, offset=header)
        bad = int(np.argmax(values >= 10))
        if values[bad] >= 10:
            return f"label {bad} is {values[bad]}; Fashion-MNIST's labels are 0..9"
    return None


def _count(path: Path) -> int:
    with open(path, "rb") as f:
        return struct.unpack(">II", f.read(8))[1]


def check_fashion_mnist(root: str | os.PathLike | None = None, names=FASHION_MNIST_FILES) -> Path:
    """Check Fashion-MNIST's files in ``data_root(root)/FashionMNIST/raw`` (see :func:`idx_problem`),
    and that images and labels of a split have the same count. Missing files are not checked.

    Returns:
        The data root.

    Raises:
        DataError: a file is damaged; the message names it, says what is wrong and how to fix it.
    """
    root = data_root(root)
    raw = _raw_dir(root)
    present = [n for n in names if (raw / n).is_file()]
    for n in present:
        problem = idx_problem(raw / n, n)
        if problem:
            raise DataError(
                f"the Fashion-MNIST file {raw / n} is damaged: {problem}. Delete it, then run "
                f"{_fix(root)} to obtain it again."
            )
    for split in ("train", "t10k"):
        images, labels = raw / f"{split}-images-idx3-ubyte", raw / f"{split}-labels-idx1-ubyte"
        if images.name in present and labels.name in present and _count(images) != _count(labels):
            raise DataError(
                f"the Fashion-MNIST files {images} and {labels} do not match: {_count(images):,} "
                f"images but {_count(labels):,} labels. Delete both, then run {_fix(root)} "
                "to obtain them again."
            )
    return root


def _check_writable(raw: Path) -> None:
    """Create ``raw`` and a file in it, or raise a PermissionError that says what to do."""
    try:
        raw.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=raw, prefix=".write-test-")
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise PermissionError(
            f"Fashion-MNIST cannot be written into {raw} ({type(e).__name__}: {e}). Set $SE_TUTORIAL_DATA "
            "(or pass root=) to a folder you can write, or put the four files there yourself."
        ) from e


def _install(open_file, names, raw: Path) -> None:
    """Copy each ``open_file(name)`` to ``raw/name.part``, check them all, then rename them into place.

    The ``.part`` files are removed whatever happens; files already in ``raw`` are not touched.
    """
    parts = {n: raw / f"{n}.part" for n in names}
    try:
        for n, part in parts.items():
            with open_file(n) as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst)
            problem = idx_problem(part, n)
            if problem:
                raise DataError(f"{n}: {problem}")
        for n, part in parts.items():
            os.replace(part, raw / n)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)


def _from_gz_folder(folder: Path, raw: Path, names) -> None:
    """Decompress ``folder/NAME.gz`` (Debian's layout) into ``raw``."""
    missing = [f"{n}.gz" for n in names if not (folder / f"{n}.gz").is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} has no {', '.join(missing)}")
    try:
        _install(lambda n: gzip.open(folder / f"{n}.gz", "rb"), names, raw)
    except (gzip.BadGzipFile, EOFError, zlib.error, DataError) as e:
        raise DataError(f"a file in {folder} is damaged ({type(e).__name__}: {e})") from e


def _from_debian_installed(raw: Path, names, timeout: float) -> None:
    """Debian's or Ubuntu's installed package ``dataset-fashion-mnist``."""
    if not DEBIAN_DIR.is_dir():
        raise FileNotFoundError(f"{DEBIAN_DIR} does not exist (package {DEBIAN_PACKAGE} not installed)")
    _from_gz_folder(DEBIAN_DIR, raw, names)


def _from_debian_download(raw: Path, names, timeout: float) -> None:
    """``apt-get download`` Debian's package and unpack it with ``dpkg -x``: no root needed.

    apt gives up after ``timeout`` seconds without progress, and the whole download after ten times that.
    """
    if not (shutil.which("apt-get") and shutil.which("dpkg")):
        raise FileNotFoundError("apt-get and dpkg not found (not Debian or Ubuntu)")
    apt = [
        "apt-get",
        "download",
        "-q",
        "-o",
        f"Acquire::http::Timeout={timeout:g}",
        "-o",
        f"Acquire::https::Timeout={timeout:g}",
        "-o",
        "Acquire::Retries=0",
        DEBIAN_PACKAGE,
    ]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(apt, cwd=tmp, check=True, capture_output=True, text=True, timeout=10 * timeout)
            deb = next(Path(tmp).glob(f"{DEBIAN_PACKAGE}_*.deb"))
            subprocess.run(
                ["dpkg", "-x", str(deb), str(Path(tmp) / "x")],
                check=True,
                capture_output=True,
                text=True,
                timeout=10 * timeout,
            )
        except subprocess.CalledProcessError as e:
            said = (e.stderr or "").strip().splitlines()
            raise RuntimeError(f"{e.cmd[0]} failed: {said[-1] if said else f'exit status {e.returncode}'}") from e
        except subprocess.TimeoutExpired as e:
            raise TimeoutError(f"{e.cmd[0]} did not finish within {e.timeout:g} s") from e
        except StopIteration:
            raise FileNotFoundError(f"apt-get download left no {DEBIAN_PACKAGE}_*.deb") from None
        _from_gz_folder(Path(tmp) / "x" / _DEBIAN_FILES_IN_PACKAGE, raw, names)


def _from_torchvision_download(raw: Path, names, timeout: float) -> None:
    """torchvision's own download (needs internet), into a temporary folder beside ``raw``."""
    from torchvision.datasets import FashionMNIST

    with tempfile.TemporaryDirectory(dir=raw.parent, prefix=".download-") as tmp:
        try:
            with socket_timeout(timeout):
                FashionMNIST(tmp, train=False, download=True)
        except (OSError, RuntimeError) as e:  # no network, a silent proxy, a server error, a bad checksum
            if isinstance(e, TimeoutError) or "timed out" in str(e):
                raise TimeoutError(
                    f"no answer within {timeout:g} s ({type(e).__name__}: {e}); $SE_TUTORIAL_TIMEOUT sets the limit"
                ) from e
            raise
        _install(lambda n: open(Path(tmp) / "FashionMNIST" / "raw" / n, "rb"), names, raw)


#: The ways to obtain Fashion-MNIST, tried in this order.
SOURCES = (
    ("Debian's installed package", _from_debian_installed),
    ("Debian's package via apt-get download", _from_debian_download),
    ("torchvision's download", _from_torchvision_download),
)


def prepare_fashion_mnist(
    root: str | os.PathLike | None = None, *, verbose: bool = False, timeout: float | None = None
) -> Path:
    """Make sure Fashion-MNIST's four files are in ``data_root(root)/FashionMNIST/raw``, and sound.

    Files already there are checked (:func:`check_fashion_mnist`), never replaced. Missing
    ones are obtained from the first of :data:`SOURCES` that works: Debian's installed package
    (``/usr/share/datasets/fashion-mnist``); Debian's package fetched with ``apt-get download``
    and unpacked with ``dpkg -x`` (no root needed); torchvision's download. A source that fails
    leaves nothing behind, and the next one is tried.

    Args:
        root: the data root (see :func:`data_root`).
        verbose: say which source is tried and why one failed.
        timeout: seconds a download may wait without progress (see :func:`download_timeout`).

    Returns:
        The data root.

    Raises:
        DataError: a file in the data root is damaged (it is left there; the message says what to do).
        NotADirectoryError: the data root is a file.
        PermissionError: files are missing and the folder cannot be written.
        FileNotFoundError: files are missing and no source worked; the message says what each one said.
    """
    root = data_root(root)
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(
            f"the data root {root} is a file, not a folder. Set $SE_TUTORIAL_DATA "
            "(or pass root=) to a folder, or leave it unset to use the repository's data/."
        )
    raw = _raw_dir(root)
    check_fashion_mnist(root)
    missing = [n for n in FASHION_MNIST_FILES if not (raw / n).is_file()]
    if not missing:
        return root
    _check_writable(raw)
    for n in missing:  # left by an interrupted run of this package
        (raw / f"{n}.part").unlink(missing_ok=True)
    timeout = download_timeout(timeout)
    failures = []
    for name, source in SOURCES:
        if verbose:
            print(f"Fashion-MNIST: trying {name} ...")
        try:
            source(raw, missing, timeout)
        except Exception as e:  # any failure means "not this way"; say why and try the next
            failures.append(f"  - {name}: {' '.join(str(e).split())}")
            if verbose:
                print(f"Fashion-MNIST: {name} failed: {e}")
            continue
        if verbose:
            print(f"Fashion-MNIST: ready in {raw}")
        return check_fashion_mnist(root)
    raise FileNotFoundError(
        f"Fashion-MNIST is not complete in {raw} (missing: {', '.join(missing)}) and no source worked:\n"
        + "\n".join(failures)
        + "\nAny one of these works:\n"
        f"  1. put the four files ({', '.join(FASHION_MNIST_FILES)}) in {raw}, "
        "or point $SE_TUTORIAL_DATA (or root=) at a folder that has FashionMNIST/raw/;\n"
        f"  2. install Debian's or Ubuntu's package: sudo apt-get install {DEBIAN_PACKAGE} "
        f"(files in {DEBIAN_DIR}), then run {_fix(root)};\n"
        f"  3. connect to the internet (behind a proxy: set https_proxy and http_proxy) and run {_fix(root)}, "
        "so that torchvision can download it."
    )


def fashion_mnist(train: bool = True, root: str | os.PathLike | None = None, *, timeout: float | None = None):
    """Fashion-MNIST (Zalando, MIT licence) as a torchvision ``FashionMNIST`` dataset.

    Args:
        train: the 60,000 training images, or the 10,000 test images.
        root: the data root (see :func:`data_root`); the files are checked, and obtained
            as :func:`prepare_fashion_mnist` describes.
        timeout: seconds a download may wait without progress (see :func:`download_timeout`).

    Returns:
        ``torchvision.datasets.FashionMNIST`` whose items are (PIL image 28×28, label);
        ``.data`` is a uint8 tensor (N, 28, 28), ``.targets`` a long tensor (N,),
        ``.classes`` the 10 class names.

    Raises:
        FileNotFoundError: the data is not there and cannot be obtained.
        DataError: a file is damaged.
        PermissionError, NotADirectoryError: the data root cannot be written, or is a file.
    """
    from torchvision.datasets import FashionMNIST

    root = prepare_fashion_mnist(root, timeout=timeout)
    return FashionMNIST(str(root), train=train, download=False)


def dataset_tensors(dataset) -> tuple[torch.Tensor, torch.Tensor]:
    """Images and labels of a dataset as two tensors.

    Accepts a torchvision MNIST-style dataset (``.data`` uint8 (N, H, W),
    ``.targets``), a ``torch.utils.data.Subset`` of one, a ``TensorDataset``, or a
    pair ``(x, y)``.

    Returns:
        x: float32 (N, 1, H, W) in [0, 1] (or the TensorDataset's own images), y: int64 (N,).
    """
    from torch.utils.data import Subset, TensorDataset

    if isinstance(dataset, (tuple, list)) and len(dataset) == 2:
        return dataset[0], dataset[1].long()
    if isinstance(dataset, TensorDataset):
        return dataset.tensors[0], dataset.tensors[1].long()
    if isinstance(dataset, Subset):
        x, y = dataset_tensors(dataset.dataset)
        idx = torch.as_tensor(dataset.indices)
        return x[idx], y[idx]
    if hasattr(dataset, "data") and hasattr(dataset, "targets"):
        x = torch.as_tensor(dataset.data)
        if x.dim() == 3:
            x = x[:, None]
        return x.float().div(255.0), torch.as_tensor(dataset.targets).long()
    raise ValueError(
        f"expected a dataset with .data and .targets (torchvision MNIST-style), a Subset or TensorDataset of one, "
        f"or a pair (x, y); got {type(dataset).__name__}."
    )


def main(argv=None) -> int:
    """``python -m se_tutorial.data``: prepare Fashion-MNIST and print what is there (``make data``)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m se_tutorial.data", description=main.__doc__)
    ap.add_argument("--root", default=None, help="data root (default: $SE_TUTORIAL_DATA, else the repository's data/)")
    ap.add_argument(
        "--timeout",
        type=float,
        default=None,
        help=f"seconds a download may wait without progress (default: $SE_TUTORIAL_TIMEOUT or {DOWNLOAD_TIMEOUT:g})",
    )
    args = ap.parse_args(argv)
    root = prepare_fashion_mnist(args.root, verbose=True, timeout=args.timeout)
    for train in (True, False):
        ds = fashion_mnist(train, root)
        print(
            f"{'train' if train else 'test '}: {len(ds):,} images of shape {tuple(ds.data.shape[1:])}, "
            f"{len(ds.classes)} classes"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
