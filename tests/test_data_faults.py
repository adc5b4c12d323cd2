"""Faults in the data and in the downloads: damaged files, failing sources, unwritable folders, silent proxies.

No test here reaches the network: the downloads go to a proxy on 127.0.0.1 that accepts connections and
never answers, and the `local_only` fixture refuses any other address.
"""

import gzip
import os
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
import torch
import torchvision
from test_fashion_mnist import N_FAKE, offline, write_fake  # noqa: F401  (offline is a fixture)

import se_tutorial as se
from se_tutorial import data

RAW = ("FashionMNIST", "raw")


def _root_with_fake(tmp_path):
    root = tmp_path / "root"
    write_fake(root.joinpath(*RAW), compressed=False)
    return root


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- damaged files in the data root


def _damage_and_expect(tmp_path, name, damage, match):
    root = _root_with_fake(tmp_path)
    path = root.joinpath(*RAW, name)
    path.write_bytes(damage(path.read_bytes()))
    before = _snapshot(root)
    with pytest.raises(data.DataError, match=match) as info:
        data.fashion_mnist(True, root=root)
    assert str(path) in str(info.value)
    assert f"Delete it, then run `python -m se_tutorial.data --root {root}`" in str(info.value)
    assert _snapshot(root) == before, "a damaged file must be reported, not deleted or replaced"


@pytest.mark.usefixtures("offline")
def test_truncated_images_name_the_file(tmp_path):
    _damage_and_expect(
        tmp_path,
        "train-images-idx3-ubyte",
        lambda b: b[:-100],
        r"has 9,324 bytes, but its header announces 12 images, which take 9,424 bytes \(truncated",
    )


@pytest.mark.usefixtures("offline")
def test_wrong_magic(tmp_path):
    _damage_and_expect(
        tmp_path,
        "train-labels-idx1-ubyte",
        lambda b: (2051).to_bytes(4, "big") + b[4:],
        r"magic number is 2051, not 2049 \(IDX labels\)",
    )
    _damage_and_expect(tmp_path / "gz", "t10k-images-idx3-ubyte", gzip.compress, "still gzip-compressed")


@pytest.mark.usefixtures("offline")
def test_labels_out_of_range(tmp_path):
    _damage_and_expect(
        tmp_path,
        "train-labels-idx1-ubyte",
        lambda b: b[: 8 + 3] + bytes([10]) + b[8 + 4 :],
        r"label 3 is 10; Fashion-MNIST's labels are 0\.\.9",
    )


@pytest.mark.usefixtures("offline")
def test_image_and_label_counts_must_match(tmp_path):
    root = _root_with_fake(tmp_path)
    labels = root.joinpath(*RAW, "train-labels-idx1-ubyte")
    blob = labels.read_bytes()
    labels.write_bytes(blob[:4] + (11).to_bytes(4, "big") + blob[8:-1])
    with pytest.raises(data.DataError, match="12 images but 11 labels. Delete both"):
        data.fashion_mnist(True, root=root)


def test_shipped_data_passes_the_checks():
    assert data.check_fashion_mnist() == data.data_root()
    assert all(data.idx_problem(data.data_root().joinpath(*RAW, f)) is None for f in data.FASHION_MNIST_FILES)


# --------------------------------------------------------------------------- sources fall through


def _fake_torchvision_download(monkeypatch):
    calls = []

    def download(self):
        calls.append(self.raw_folder)
        write_fake(Path(self.raw_folder), compressed=False)

    monkeypatch.setattr(torchvision.datasets.FashionMNIST, "download", download)
    return calls


@pytest.mark.usefixtures("offline")
def test_corrupt_debian_gz_falls_through_and_leaves_no_part(monkeypatch, tmp_path, capsys):
    debian = tmp_path / "debian"
    write_fake(debian, compressed=True)
    gz = debian / "train-labels-idx1-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-12])  # a truncated gzip stream
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    calls = _fake_torchvision_download(monkeypatch)
    root = tmp_path / "root"
    data.prepare_fashion_mnist(root, verbose=True)
    assert len(calls) == 1, "torchvision's download must be tried after the damaged Debian file"
    said = capsys.readouterr().out
    assert f"Debian's installed package failed: a file in {debian} is damaged (EOFError" in said
    assert sorted(p.name for p in root.joinpath(*RAW).iterdir()) == sorted(data.FASHION_MNIST_FILES)
    assert sorted(p.name for p in root.joinpath(RAW[0]).iterdir()) == ["raw"]


@pytest.mark.usefixtures("offline")
def test_every_failing_source_is_listed(monkeypatch, tmp_path):
    debian = tmp_path / "debian"
    write_fake(debian, compressed=True)
    (debian / "t10k-images-idx3-ubyte.gz").write_bytes(b"not gzip at all")
    monkeypatch.setattr(data, "DEBIAN_DIR", debian)
    monkeypatch.setattr(data.shutil, "which", lambda name: f"/usr/bin/{name}")
    commands = []

    def apt_fails(cmd, **kwargs):
        commands.append((cmd, kwargs["timeout"]))
        raise subprocess.CalledProcessError(100, cmd, stderr="E: Failed to fetch http://deb.debian.org/...  404\n")

    monkeypatch.setattr(data.subprocess, "run", apt_fails)
    with pytest.raises(FileNotFoundError) as info:
        data.fashion_mnist(False, root=tmp_path / "root", timeout=3)
    message = str(info.value)
    assert f"Debian's installed package: a file in {debian} is damaged (BadGzipFile" in message
    assert "Debian's package via apt-get download: apt-get failed: E: Failed to fetch" in message
    assert "torchvision's download: <urlopen error no network>" in message
    assert commands == [
        (
            [
                "apt-get",
                "download",
                "-q",
                "-o",
                "Acquire::http::Timeout=3",
                "-o",
                "Acquire::https::Timeout=3",
                "-o",
                "Acquire::Retries=0",
                "dataset-fashion-mnist",
            ],
            30,
        )
    ]
    assert not list((tmp_path / "root").rglob("*.part"))


@pytest.mark.usefixtures("offline")
def test_apt_that_hangs_is_stopped(monkeypatch, tmp_path):
    monkeypatch.setattr(data.shutil, "which", lambda name: f"/usr/bin/{name}")

    def hangs(cmd, timeout, **kwargs):
        raise subprocess.TimeoutExpired(cmd, timeout)

    monkeypatch.setattr(data.subprocess, "run", hangs)
    with pytest.raises(FileNotFoundError, match=r"apt-get download: apt-get did not finish within 10 s"):
        data.prepare_fashion_mnist(tmp_path / "root", timeout=1)


@pytest.mark.usefixtures("offline")
def test_partial_file_from_an_interrupted_run_is_removed(monkeypatch, tmp_path):
    root = tmp_path / "root"
    raw = root.joinpath(*RAW)
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte.part").write_bytes(b"half")
    _fake_torchvision_download(monkeypatch)
    data.prepare_fashion_mnist(root)
    assert not list(raw.glob("*.part"))


# --------------------------------------------------------------------------- folders that cannot be used


@pytest.mark.usefixtures("offline")
def test_read_only_data_folder_is_reported_as_such(monkeypatch, tmp_path):
    """A real 0o555 folder; as root, where modes do not stop writes, mkstemp refuses as the kernel would."""
    root = tmp_path / "read-only"
    root.mkdir()
    root.chmod(0o555)
    if os.geteuid() == 0:
        real = data.tempfile.mkstemp

        def refuse(*args, dir=None, **kwargs):
            if Path(dir).is_relative_to(root):
                raise PermissionError(13, "Permission denied", str(dir))
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(data.tempfile, "mkstemp", refuse)
    monkeypatch.setattr(data, "SOURCES", (("any", lambda *a: pytest.fail("no source may be tried")),))
    monkeypatch.setenv("SE_TUTORIAL_DATA", str(root))
    try:
        with pytest.raises(PermissionError) as info:
            data.fashion_mnist()
    finally:
        root.chmod(0o755)
    message = str(info.value)
    assert f"Fashion-MNIST cannot be written into {root.joinpath(*RAW)} (PermissionError" in message
    assert "Set $SE_TUTORIAL_DATA (or pass root=) to a folder you can write" in message
    assert "internet" not in message


@pytest.mark.usefixtures("offline")
def test_folder_under_a_file_cannot_be_written(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(
        PermissionError,
        match=r"cannot be written into .*a-file/data/FashionMNIST/raw "
        r"\((NotADirectoryError|FileExistsError).*SE_TUTORIAL_DATA",
    ):
        data.fashion_mnist(root=tmp_path / "a-file" / "data")


@pytest.mark.usefixtures("offline")
def test_file_as_data_root(monkeypatch, tmp_path):
    (tmp_path / "data.tar").write_text("x")
    monkeypatch.setenv("SE_TUTORIAL_DATA", str(tmp_path / "data.tar"))
    with pytest.raises(
        NotADirectoryError,
        match=r"the data root .*data\.tar is a file, not a folder\. "
        r"Set \$SE_TUTORIAL_DATA",
    ):
        data.fashion_mnist()
    assert (tmp_path / "data.tar").read_text() == "x"


# --------------------------------------------------------------------------- timeouts


def test_timeout_default_argument_and_environment(monkeypatch):
    monkeypatch.delenv("SE_TUTORIAL_TIMEOUT", raising=False)
    assert data.download_timeout() == data.DOWNLOAD_TIMEOUT == 60
    monkeypatch.setenv("SE_TUTORIAL_TIMEOUT", "2.5")
    assert data.download_timeout() == 2.5 and data.download_timeout(7) == 7
    monkeypatch.setenv("SE_TUTORIAL_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="positive number of seconds; got 'soon'"):
        data.download_timeout()
    before = socket.getdefaulttimeout()
    with data.socket_timeout(3):
        assert socket.getdefaulttimeout() == 3
    assert socket.getdefaulttimeout() == before


@pytest.fixture
def local_only(monkeypatch):
    """Refuse every address but 127.0.0.1, so that a test cannot reach the network by mistake."""

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            raise AssertionError(f"a test tried to resolve {host!r}")
        return real_getaddrinfo("127.0.0.1", *args, **kwargs)

    def connect(self, address):
        if isinstance(address, tuple) and address[0] != "127.0.0.1":
            raise AssertionError(f"a test tried to connect to {address}")
        return real_connect(self, address)

    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture
def silent_proxy(monkeypatch, local_only):
    """An HTTP(S) proxy on 127.0.0.1 that accepts connections, reads the request and never answers."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    requests, held, stop = [], [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            held.append(conn)
            conn.settimeout(5)
            try:
                requests.append(conn.recv(4096).decode("latin-1"))
            except OSError:
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.setenv(var, url)
    for var in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)  # urlopen builds its opener (and reads the proxy) anew
    yield requests
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_fashion_mnist_download_behind_a_silent_proxy_times_out(silent_proxy, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "DEBIAN_DIR", tmp_path / "no-debian-here")
    monkeypatch.setattr(data.shutil, "which", lambda name: None)
    monkeypatch.setenv("SE_TUTORIAL_TIMEOUT", "1")
    root = tmp_path / "root"
    write_fake(root.joinpath(*RAW), compressed=False)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"):
        root.joinpath(*RAW, name).unlink()  # the test files stay: valid, they must survive untouched
    before = _snapshot(root)
    start = time.monotonic()
    with pytest.raises(FileNotFoundError) as info:
        data.fashion_mnist(True, root=root)
    assert time.monotonic() - start < 10
    assert "torchvision's download: no answer within 1 s" in str(info.value)
    assert "timed out" in str(info.value)
    assert silent_proxy and "fashion-mnist.s3-website.eu-central-1.amazonaws.com" in silent_proxy[0]
    assert _snapshot(root) == before, "nothing may be deleted, overwritten or left behind"
    assert sorted(p.name for p in root.joinpath(RAW[0]).iterdir()) == ["raw"]


def test_imagenet_weights_behind_a_silent_proxy_time_out(silent_proxy, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    _, path = se.imagenet.weights_path("regnet_y_400mf")
    _, other = se.imagenet.weights_path("mobilenet_v3_small")
    other.parent.mkdir(parents=True)
    other.write_bytes(b"another model's cached weights")
    start = time.monotonic()
    with pytest.raises(se.WeightsUnavailableError) as info:
        se.imagenet_model("regnet_y_400mf", timeout=1)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert "download failed" in message and "timed out" in message and "gives up after 1 s" in message
    assert str(path) in message and "TORCH_HOME" in message
    assert silent_proxy and silent_proxy[0].startswith("CONNECT download.pytorch.org:443")
    assert sorted(p.name for p in other.parent.iterdir()) == [other.name], "no partial download is left"
    assert other.read_bytes() == b"another model's cached weights"
