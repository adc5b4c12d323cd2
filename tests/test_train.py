import json

import pytest
import torch
from torch.utils.data import Subset

import se_tutorial as se
from se_tutorial import train
from se_tutorial.data import dataset_tensors
from se_tutorial.models import small_resnet
from se_tutorial.train import augment, fit, loss_and_accuracy


@pytest.fixture(scope="module")
def fmnist():
    return se.data.fashion_mnist(True), se.data.fashion_mnist(False)


def _train(seed, train_set, test_set):
    torch.manual_seed(seed)
    model = small_resnet(se="standard")
    history = fit(model, train_set, test_set, epochs=2, batch_size=64, seed=seed, progress=False)
    return model, history


def test_same_seed_same_weights_bit_for_bit(fmnist):
    train = Subset(fmnist[0], range(512))
    test = Subset(fmnist[1], range(256))
    a, history_a = _train(0, train, test)
    b, history_b = _train(0, train, test)
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(pa, pb), name
    assert [h["train_loss"] for h in history_a] == [h["train_loss"] for h in history_b]
    c, _ = _train(1, train, test)
    assert not torch.equal(a.fc.weight, c.fc.weight), "another seed must give other weights"


def test_history_and_learning(fmnist):
    torch.manual_seed(0)
    model = small_resnet()
    before = loss_and_accuracy(model, Subset(fmnist[1], range(500)))["accuracy"]
    history = fit(model, Subset(fmnist[0], range(2048)), Subset(fmnist[1], range(500)), epochs=3, progress=False)
    assert [h["epoch"] for h in history] == [1, 2, 3]
    assert set(history[0]) == {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"}
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["test_accuracy"] > before + 20  # chance is 10%
    assert not model.training


def test_channels_last_changes_the_order_of_additions_not_the_result(fmnist):
    """fit trains in channels-last by default and hands the model back in the usual layout."""
    train_set = Subset(fmnist[0], range(512))
    models = {}
    for layout in (True, False):
        torch.manual_seed(0)
        models[layout] = small_resnet(se="standard")
        history = fit(models[layout], train_set, epochs=1, batch_size=64, progress=False, channels_last=layout)
        models[layout].history = history
    for p in models[True].parameters():
        assert p.is_contiguous(), "the trained model comes back in the contiguous layout"
    fast, usual = models[True].history[0]["train_loss"], models[False].history[0]["train_loss"]
    assert fast == pytest.approx(usual, rel=0.03)  # one epoch: rounding differences stay small
    x = dataset_tensors(Subset(fmnist[1], range(64)))[0]
    with torch.no_grad():
        agree = (models[True](x).argmax(1) == models[False](x).argmax(1)).float().mean()
    assert agree > 0.9


def test_loss_and_accuracy_restores_the_mode_and_the_old_names_warn(fmnist):
    model = small_resnet().train()
    test = Subset(fmnist[1], range(100))
    result = loss_and_accuracy(model, test)
    assert set(result) == {"loss", "accuracy"} and 0 <= result["accuracy"] <= 100 and result["loss"] > 0
    assert model.training
    with pytest.warns(DeprecationWarning, match="use train.loss_and_accuracy"):
        assert train.evaluate(model, test) == result
    with pytest.warns(DeprecationWarning, match="use se_tutorial.data.dataset_tensors"):
        from se_tutorial.train import dataset_tensors as old
    assert old is dataset_tensors
    assert not hasattr(train, "cpu_name")  # the provenance helpers live in se_tutorial.env


def test_augment_shifts_and_flips():
    g = torch.Generator().manual_seed(0)
    x = torch.arange(2 * 28 * 28, dtype=torch.float32).view(2, 1, 28, 28)
    out = augment(x, g)
    assert out.shape == x.shape
    for i in range(2):  # every output is a shifted (and maybe flipped) copy: its inner part occurs in x
        inner = out[i, 0, 2:-2, 2:-2]
        candidates = [x[i, 0], x[i, 0].flip(1)]
        assert any(
            torch.equal(inner, c[2 + dy : 26 + dy, 2 + dx : 26 + dx])
            for c in candidates
            for dy in range(-2, 3)
            for dx in range(-2, 3)
        )


def test_fit_errors(fmnist):
    with pytest.raises(ValueError, match="epochs must be at least 1; got 0"):
        fit(small_resnet(), Subset(fmnist[0], range(8)), epochs=0, progress=False)


def _fake_fit(model, train_set, test_set, *, epochs, **kwargs):
    return [
        {"epoch": e, "train_loss": 1.0, "train_accuracy": 50.0, "test_loss": 1.0, "test_accuracy": 50.0, "seconds": 0.0}
        for e in range(1, epochs + 1)
    ]


def _cli(folder, *extra):
    return train.main(
        [
            "--widths",
            "4,4,4",
            "--epochs",
            "1",
            "--subset",
            "64",
            "--no-progress",
            "--out",
            str(folder / "m.pt"),
            "--name",
            "m",
            *extra,
        ]
    )


def test_cli_needs_force_to_replace_a_listed_checkpoint(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(train, "fit", _fake_fit)
    assert _cli(tmp_path) == 0
    listed = json.loads((tmp_path / "manifest.json").read_text())["m"]
    before = (tmp_path / "m.pt").read_bytes()
    with pytest.raises(SystemExit) as info:
        _cli(tmp_path, "--seed", "1")
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'manifest.json'} lists 'm' (file m.pt): this run would overwrite it. Add --force" in err
    assert (tmp_path / "m.pt").read_bytes() == before
    assert _cli(tmp_path, "--seed", "1", "--force") == 0
    entries = json.loads((tmp_path / "manifest.json").read_text())
    assert entries["m"]["seed"] == 1 and entries["m"]["sha256"] != listed["sha256"]
    assert entries["m"]["command"].endswith("--seed 1 --force")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.pt", "manifest.json"], "no temporary file"


def test_cli_refuses_a_corrupt_manifest(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(train, "fit", lambda *a, **k: pytest.fail("must stop before training"))
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(SystemExit):
        _cli(tmp_path)
    assert "is not valid JSON" in capsys.readouterr().err and not (tmp_path / "m.pt").exists()
