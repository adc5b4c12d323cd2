"""The cue task (se_tutorial.cue_task): two garments in two channels, a cue naming the target; and its experiments."""

import pytest
import torch

from se_tutorial import capture
from se_tutorial import experiments as E
from se_tutorial.cue_task import CUE_ROWS, cue_task, dash_pattern, make_cue_task
from se_tutorial.data import fashion_mnist

N = 300
INNER = [r for r in range(28) if r not in CUE_ROWS]


@pytest.fixture(scope="module")
def source():
    ds = fashion_mnist(train=True)
    return ds.data[:N], ds.targets[:N]


@pytest.fixture(scope="module")
def task(source):
    return make_cue_task(*source, seed=0)


def test_shapes_dtypes_and_range(task):
    x, y, cue = task
    assert x.shape == (N, 2, 28, 28) and x.dtype == torch.float32
    assert y.shape == cue.shape == (N,) and y.dtype == cue.dtype == torch.int64
    assert 0 <= x.min() and x.max() <= 1
    assert set(cue.tolist()) == {0, 1} and set(y.tolist()) <= set(range(10))


def _source_of_b(x, images):
    """For each example, the index of the source image whose inner rows equal channel 1's."""
    flat = images[:, INNER].float().div(255).flatten(1)
    b = x[:, 1, INNER].flatten(1)
    match = (b[:, None, :] == flat[None, :, :]).all(-1)  # (N, N)
    assert (match.sum(1) >= 1).all()
    return match.float().argmax(1)


def test_channels_hold_the_garments_and_the_label_is_the_target_class(source, task):
    images, labels = source
    x, y, cue = task
    assert torch.equal(x[:, 0, INNER], images[:, INNER].float() / 255)  # garment A: image i, untouched
    b = _source_of_b(x, images)
    assert sorted(b.tolist()) == list(range(N))  # B: a permutation of the sources
    assert (labels[b] != labels).all()  # of another class (easy at N = 300)
    assert torch.equal(y, torch.where(cue == 1, labels[b], labels))
    assert not torch.equal(x[:, 0], x[:, 1])


def test_cue_bars_are_solid_for_a_and_dashed_for_b_in_both_channels(task):
    x, _, cue = task
    bars = x[:, :, list(CUE_ROWS)]  # (N, 2, 4, 28): nothing but the cue in those rows
    assert torch.equal(bars[cue == 0], torch.ones_like(bars[cue == 0]))
    assert torch.equal(bars[cue == 1], dash_pattern(28).expand_as(bars[cue == 1]))
    assert dash_pattern(8).tolist() == [1, 1, 0, 0, 1, 1, 0, 0]
    assert 0.3 < cue.float().mean() < 0.7


def test_deterministic_by_seed_and_different_across_seeds(source, task):
    again = make_cue_task(*source, seed=0)
    assert all(torch.equal(a, b) for a, b in zip(task, again))
    other = make_cue_task(*source, seed=1)
    assert not torch.equal(task[0], other[0]) and not torch.equal(task[2], other[2])
    state = torch.get_rng_state()
    make_cue_task(*source, seed=3)
    assert torch.equal(state, torch.get_rng_state())  # the global generator is untouched


def test_float_images_give_the_same_task(source, task):
    images, labels = source
    x, y, cue = make_cue_task(images.float() / 255, labels, seed=0)
    assert torch.equal(x, task[0]) and torch.equal(y, task[1]) and torch.equal(cue, task[2])


def test_bad_inputs_are_refused(source):
    images, labels = source
    with pytest.raises(ValueError, match="seed"):
        make_cue_task(images, labels, seed=-1)
    with pytest.raises(ValueError, match="seed"):
        make_cue_task(images, labels, seed=1.5)
    with pytest.raises(ValueError, match="shape"):
        make_cue_task(images[:, :20], labels, seed=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        make_cue_task(images.float(), labels, seed=0)
    with pytest.raises(ValueError, match="labels"):
        make_cue_task(images, labels[:10], seed=0)
    with pytest.raises(ValueError, match="labels"):
        make_cue_task(images, labels.float(), seed=0)
    with pytest.raises(ValueError, match="at least 2"):
        make_cue_task(images[:1], labels[:1], seed=0)
    with pytest.raises(ValueError, match="uint8 or floats"):
        make_cue_task(images.int(), labels, seed=0)
    with pytest.raises(ValueError, match="size"):
        cue_task(False, 10_001)
    with pytest.raises(ValueError, match="train"):
        cue_task("yes", 10)


def test_cue_task_loads_fashion_mnist(source):
    x, y, cue = cue_task(train=True, size=N, seed=0)
    assert torch.equal(x, make_cue_task(*source, seed=0)[0])


# --------------------------------------------------------------------------- the experiments


def test_cue_configurations_take_two_channels_and_share_the_plain_weights():
    plain, se = E.build(E.CONFIGS["cue_plain"], 0), E.build(E.CONFIGS["cue_se"], 0)
    for key, p in plain.state_dict().items():
        assert torch.equal(p, se.state_dict()[key]), key
    assert se.stem[0].in_channels == 2
    x = torch.rand(3, 2, 28, 28)
    se.eval()
    with capture(se) as rec:
        assert se(x).shape == (3, 10)
    assert rec.excitations["stage3.0.se"].shape == (3, 64)
    with pytest.raises(ValueError, match="task"):
        E.build(E.Config(task="mnist"), 0)
    assert E.SUITES["cue"] == ("cue_plain", "cue_se")


def test_the_cue_budget_is_as_declared():
    b = E.BUDGETS["cue"]
    assert b.train_size == 60_000 and b.test_size == 10_000 and len(b.seeds) >= 5 and b.holdout == 0
    primary = E.BUDGETS["primary"]
    assert b.train_size * b.epochs <= primary.train_size * primary.epochs  # no more training than a primary run


def test_task_data_is_fixed_and_a_tiny_cue_run_works():
    x, y = E.task_data("cue", True, 256)
    assert x.shape == (256, 2, 28, 28)
    source_x, source_y = E.running._data(True, 256)
    assert torch.equal(x, make_cue_task(source_x, source_y, seed=E.CUE_SEEDS["train"])[0])
    small = E.Budget("cue_small", train_size=256, epochs=1, test_size=100, seeds=(0,), batch_size=64, lr=0.05)
    run = E.run_one("cue_se", 0, small)
    assert 0 <= run["test_accuracy"] <= 100 and run["train_loss"] > 0
    assert E.task_data("cue", True, 256)[0] is x  # cached: the same task whatever the run's seed


def test_cue_report_on_a_tiny_run():
    from se_tutorial import experiments as E

    small = E.Budget("small", train_size=256, epochs=1, test_size=200, seeds=(0,), batch_size=64, lr=0.05)
    run = E.run_one("cue_se", 0, small)
    report = run["cue"]
    assert set(report["accuracy_by_cue"]) == {"0", "1"} and 0 <= report["errors_naming_other"] <= 1
    assert set(report["excitation_gap"]) == {"stage1.0.se", "stage2.0.se", "stage3.0.se"}
    for gap in report["excitation_gap"].values():
        assert gap["random_gap"] >= 0 and 0 <= gap["channel"] < 64
    assert "excitation_gap" not in E.run_one("cue_plain", 0, small)["cue"]
    x, y, cue, other = E.running._CUE_DATA[(False, 200)]
    assert (other != y).float().mean() > 0.9  # the other garment is, nearly always, of another class
