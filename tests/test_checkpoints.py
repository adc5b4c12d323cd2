import shutil
from pathlib import Path

import pytest
import torch

import se_tutorial as se
from se_tutorial.checkpoints import CheckpointError, checkpoint_dir, load_checkpoint, manifest, save_checkpoint, sha256
from se_tutorial.data import data_root, shipped_root
from se_tutorial.models import small_resnet
from se_tutorial.train import loss_and_accuracy

SHIPPED = ("plain_small_resnet", "se_small_resnet")


def test_manifest_lists_both_checkpoints_with_everything():
    entries = manifest()
    assert set(SHIPPED) <= set(entries)
    for name in SHIPPED:
        e = entries[name]
        for key in (
            "file",
            "sha256",
            "test_accuracy",
            "params",
            "command",
            "seed",
            "versions",
            "training_seconds",
            "machine",
        ):
            assert key in e, f"{name} lacks {key}"
        path = checkpoint_dir() / e["file"]
        assert path.stat().st_size <= 2_000_000
        assert sha256(path) == e["sha256"]
        assert e["command"].startswith("python -m se_tutorial.train ")
    plain, with_se = entries["plain_small_resnet"]["config"], entries["se_small_resnet"]["config"]
    assert {k: v for k, v in plain.items() if k != "se"} == {k: v for k, v in with_se.items() if k != "se"}, (
        "the plain and the SE model must share the backbone"
    )
    assert plain["se"] is None and with_se["se"] == "standard"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_accuracy_matches_manifest(name):
    model = se.pretrained(name)
    assert not model.training
    assert sum(p.numel() for p in model.parameters()) == manifest()[name]["params"]
    accuracy = loss_and_accuracy(model, se.data.fashion_mnist(train=False))["accuracy"]
    assert accuracy == pytest.approx(manifest()[name]["test_accuracy"], abs=0.1)


def test_se_checkpoint_has_se_blocks():
    names = [n for n, m in se.pretrained("se_small_resnet").named_modules() if isinstance(m, se.SEBlock)]
    assert names and all(n.endswith(".se") for n in names)


def _copy_shipped(tmp_path):
    shutil.copytree(checkpoint_dir(), tmp_path / "checkpoints")
    return tmp_path


def test_tampered_checkpoint_is_rejected(tmp_path):
    root = _copy_shipped(tmp_path)
    path = root / "checkpoints" / manifest()["se_small_resnet"]["file"]
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(
        CheckpointError, match=r"has sha256 [0-9a-f]{64}, but [0-9a-f]{64} was expected.*make checkpoints"
    ):
        se.pretrained("se_small_resnet", root=root)


def test_missing_checkpoint_says_how_to_recreate(tmp_path):
    root = _copy_shipped(tmp_path)
    (root / "checkpoints" / manifest()["plain_small_resnet"]["file"]).unlink()
    with pytest.raises(CheckpointError, match=r"is missing\..*make checkpoints.*python -m se_tutorial.train"):
        se.pretrained("plain_small_resnet", root=root)


def test_missing_manifest_and_unknown_name(tmp_path):
    with pytest.raises(CheckpointError, match="no checkpoint manifest.*make checkpoints"):
        se.pretrained("se_small_resnet", root=tmp_path)
    with pytest.raises(ValueError, match="unknown checkpoint 'resnet9000'; expected one of"):
        se.pretrained("resnet9000")


def test_save_and_load_round_trip(tmp_path):
    torch.manual_seed(0)
    config = {"widths": (8, 8, 16), "blocks": (1, 1, 1), "se": "pre", "reduction": 2}
    model = small_resnet(**config).eval()
    digest = save_checkpoint(model, config, tmp_path / "m.pt")
    loaded = load_checkpoint(tmp_path / "m.pt", digest)
    x = torch.rand(2, 1, 28, 28)
    torch.testing.assert_close(loaded(x), model(x))


def test_corrupt_or_unsafe_file_is_refused(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="could not be loaded"):
        load_checkpoint(tmp_path / "junk.pt")
    # A pickle that would build an arbitrary object is refused by weights_only=True.
    torch.save({"config": {}, "state_dict": {}, "payload": shutil.rmtree}, tmp_path / "evil.pt")
    with pytest.raises(CheckpointError, match="could not be loaded"):
        load_checkpoint(tmp_path / "evil.pt")


def test_shipped_checkpoints_ignore_se_tutorial_data(monkeypatch, tmp_path):
    monkeypatch.setenv("SE_TUTORIAL_DATA", str(tmp_path / "fashion-mnist-elsewhere"))
    assert data_root() == tmp_path / "fashion-mnist-elsewhere"
    assert checkpoint_dir() == shipped_root() / "checkpoints" and (shipped_root() / "results").is_dir()
    assert set(SHIPPED) <= set(manifest())
    assert isinstance(se.pretrained("se_small_resnet"), torch.nn.Module)
    assert checkpoint_dir(tmp_path) == tmp_path / "checkpoints"  # an explicit root still counts


@pytest.mark.parametrize(
    "text, match",
    [
        ('{"se_small_resnet": {"file": ', r"is not valid JSON \(Expecting value"),
        ('["se_small_resnet"]', "holds a list, not an object name → entry"),
        (
            '{"se_small_resnet": {"file": "se_small_resnet.pt", "command": "python -m se_tutorial.train"}}',
            "is damaged: entry 'se_small_resnet' lacks sha256",
        ),
    ],
)
def test_corrupt_manifest_says_how_to_restore(tmp_path, text, match):
    root = _copy_shipped(tmp_path)
    (root / "checkpoints" / "manifest.json").write_text(text)
    with pytest.raises(CheckpointError, match=match) as info:
        se.pretrained("se_small_resnet", root=root)
    assert str(root / "checkpoints" / "manifest.json") in str(info.value)
    assert "git checkout data/checkpoints/manifest.json" in str(info.value)


def test_save_is_atomic(monkeypatch, tmp_path):
    config = {"widths": (4, 4, 4), "blocks": (1, 1, 1), "se": None, "reduction": 2}
    model = small_resnet(**config)
    digest = save_checkpoint(model, config, tmp_path / "m.pt")

    def crash(obj, f):
        Path(f).write_bytes(b"half a checkpoint")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError, match="No space left"):
        save_checkpoint(model, config, tmp_path / "m.pt")
    assert sha256(tmp_path / "m.pt") == digest, "the old checkpoint must survive a failed save"
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"], "no temporary file is left"
