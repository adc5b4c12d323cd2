"""Where Fashion-MNIST comes from: the data root, Debian's package, torchvision's download, or a clear error."""

import gzip
import shutil
import struct
import urllib.error
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision

from se_tutorial import data

N_FAKE = {"train": 12, "t10k": 5}


def _idx_files(n: int, seed: int):
    rng = np.random.default_rng(seed)
    images = struct.pack(">IIII", 2051, n, 28, 28) + rng.integers(0, 256, (n, 28, 28), dtype=np.uint8).tobytes()
    labels = struct.pack(">II", 2049, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes()
    return images, labels


def write_fake(folder, compressed: bool):
    folder.mkdir(parents=True, exist_ok=True)
    for split, n in N_FAKE.items():
        images, labels = _idx_files(n, seed=n)
        for kind, blob in (("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels)):
            name = f"{split}-{kind}"
            if compressed:
                with gzip.open(folder / f"{name}.gz", "wb") as f:
                    f.write(blob)
            else:
                (folder / name).write_bytes(blob)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No Debian files, no apt-get, no network: every way out is closed unless a test opens one."""
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian-here")
    monkeypatch.setattr(data.shutil, "which", lambda name: None)

    def no_network(self):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", no_network)
    monkeypatch.delenv("SE_TUTORIAL_DATA", raising=False)


def test_root_resolution_order(monkeypatch, tmp_path):
    monkeypatch.setenv("SE_TUTORIAL_DATA", str(tmp_path / "env"))
    assert data.data_root(tmp_path / "arg") == tmp_path / "arg"
    assert data.data_root() == tmp_path / "env"
    assert data.shipped_root().name == "data" and (data.shipped_root() / "checkpoints").is_dir()
    monkeypatch.delenv("SE_TUTORIAL_DATA")
    assert data.data_root() == data.shipped_root()


def test_files_in_the_data_root_are_used_first(offline, monkeypatch, tmp_path):
    write_fake(tmp_path / "root" / "FashionMNIST" / "raw", compressed=False)
    monkeypatch.setattr(data, "SOURCES", (("any", lambda *a: pytest.fail("no source may be tried")),))
    train = data.fashion_mnist(True, root=tmp_path / "root")
    test = data.fashion_mnist(False, root=tmp_path / "root")
    assert len(train) == N_FAKE["train"] and len(test) == N_FAKE["t10k"]
    assert train.data.shape == (12, 28, 28) and train.classes[0] == "T-shirt/top"


def test_env_variable_root(offline, monkeypatch, tmp_path):
    write_fake(tmp_path / "env" / "FashionMNIST" / "raw", compressed=False)
    monkeypatch.setenv("SE_TUTORIAL_DATA", str(tmp_path / "env"))
    assert len(data.fashion_mnist(False)) == N_FAKE["t10k"]


def test_only_debian_files(offline, monkeypatch, tmp_path):
    debian = tmp_path / "usr-share-datasets-fashion-mnist"
    write_fake(debian, compressed=True)
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    ds = data.fashion_mnist(True, root=tmp_path / "root")
    assert len(ds) == N_FAKE["train"]
    assert (tmp_path / "root" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte").is_file()
    images, _ = _idx_files(N_FAKE["train"], seed=N_FAKE["train"])
    expected = torch.frombuffer(bytearray(images[16:]), dtype=torch.uint8).view(-1, 28, 28)
    assert torch.equal(ds.data, expected)


def test_neither_and_no_network_gives_the_clear_error(offline, tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        data.fashion_mnist(True, root=tmp_path / "empty")
    message = str(info.value)
    assert str(tmp_path / "empty" / "FashionMNIST" / "raw") in message
    assert "SE_TUTORIAL_DATA" in message
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "internet" in message and "torchvision" in message


def test_torchvision_download_is_the_last_way(offline, monkeypatch, tmp_path):
    calls = []

    def fake_download(self):
        calls.append(self.root)
        write_fake(Path(self.raw_folder), compressed=False)

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", fake_download)
    assert len(data.fashion_mnist(False, root=tmp_path / "root")) == N_FAKE["t10k"]
    assert len(calls) == 1
    assert sorted(p.name for p in (tmp_path / "root" / "FashionMNIST").iterdir()) == ["raw"], "no staging folder left"


@pytest.mark.registry
@pytest.mark.skipif(
    shutil.which("apt-get") is None or shutil.which("dpkg") is None, reason="needs Debian's apt-get and dpkg"
)
def test_debian_package_fetched_without_root(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "not-installed")
    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", lambda self: pytest.fail("no download"))
    ds = data.fashion_mnist(False, root=tmp_path / "root")
    assert len(ds) == 10_000 and ds.data.shape == (10_000, 28, 28)
    assert torch.bincount(ds.targets).tolist() == [1000] * 10
