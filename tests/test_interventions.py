import pytest
import torch
from torch import nn

from se_tutorial import analysis
from se_tutorial import interventions as iv
from se_tutorial.models import small_resnet
from se_tutorial.recording import excitation_output, se_modules


@pytest.fixture()
def model():
    torch.manual_seed(0)
    m = small_resnet(se="standard", widths=(4, 8, 8)).eval()
    # untrained SE weights are all near 0.5; spread them so that interventions change something
    with torch.no_grad():
        for block in se_modules(m).values():
            block.excitation.fc2.bias.normal_(0, 2)
    return m


@pytest.fixture()
def data():
    g = torch.Generator().manual_seed(0)
    return torch.rand(24, 1, 28, 28, generator=g), torch.arange(24) % 3


def _hooks(model):
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def test_own_weights_change_nothing_and_hooks_are_removed(model, data):
    x, _ = data
    before = _hooks(model)
    with torch.no_grad():
        expected = model(x)
        with iv.override_excitation(model, iv.own()) as ctx:
            assert _hooks(model) == before + 3
            got = model(x)
    assert torch.equal(got, expected)
    assert ctx.calls == {"stage1.0.se": 1, "stage2.0.se": 1, "stage3.0.se": 1}
    assert _hooks(model) == before


def test_hooks_are_removed_after_an_error(model, data):
    before = _hooks(model)
    with pytest.raises(RuntimeError, match="boom"):
        with iv.override_excitation(model, iv.constant(0.5)):
            raise RuntimeError("boom")
    assert _hooks(model) == before


def test_ones_equal_a_model_without_se(model, data):
    x, y = data
    plain = iv.without_se(model)
    assert not se_modules(plain) and se_modules(model)  # the original keeps its SE blocks
    assert all(isinstance(b.se, nn.Identity) for stage in (plain.stage1, plain.stage2, plain.stage3) for b in stage)
    with torch.no_grad():
        with iv.override_excitation(model, iv.constant(1.0)):
            ones = model(x)
        assert torch.equal(ones, plain(x))
        assert not torch.allclose(ones, model(x))  # SE did something before
    assert iv.measure_accuracy(model, x, y, iv.constant(1.0)).predictions.tolist() == plain(x).argmax(1).tolist()


def test_the_replacement_reaches_the_scale_step(model):
    u = torch.rand(2, 8, 3, 3)
    with torch.no_grad(), iv.override_excitation(model, iv.constant(0.25), blocks="stage3.0.se"):
        out = model.stage3[0].se(u)
        untouched = model.stage2[0].se(u)
    assert torch.equal(out, 0.25 * u)
    assert not torch.equal(untouched, 0.25 * u)  # only the named block is changed


def test_class_mean_uses_the_labels_of_each_batch(model, data):
    x, y = data
    excitations, _ = analysis.record(model, x)
    means = {k: analysis.class_means(s, y, 3) for k, s in excitations.items()}
    seen = []
    fn = iv.class_mean(means)

    def spy(block, s, ctx):
        new = fn(block, s, ctx)
        if block == "stage3.0.se":
            seen.append(new)
        return new

    result = iv.measure_accuracy(model, x, y, spy, batch_size=5, num_classes=3)
    assert len(seen) == 5  # 24 images in batches of 5
    torch.testing.assert_close(torch.cat(seen), means["stage3.0.se"][y])
    assert result.per_class.shape == (3,)
    per_class = iv.measure_accuracy(model, x, y).per_class  # default: one entry per logit
    assert per_class.shape == (10,) and per_class[3:].isnan().all()
    with pytest.raises(ValueError, match="needs the classes of the batch"):
        with torch.no_grad(), iv.override_excitation(model, fn):
            model(x)


def test_dataset_mean_and_constant(model, data):
    x, y = data
    excitations, _ = analysis.record(model, x)
    means = {k: s.mean(0) for k, s in excitations.items()}
    got = []
    with torch.no_grad(), iv.override_excitation(model, iv.dataset_mean(means)):
        with iv.override_excitation(model, lambda b, s, ctx: got.append((b, s)) or s):
            model(x)
    for block, s in got:
        torch.testing.assert_close(s, means[block].expand(24, -1))


def test_switch_off_sets_chosen_channels_to_zero(model, data):
    x, y = data
    recorded = []
    off = iv.switch_off({"stage2.0.se": torch.tensor([1, 5])})
    with torch.no_grad(), iv.override_excitation(model, off):
        with iv.override_excitation(model, lambda b, s, ctx: recorded.append((b, s.clone())) or s):
            model(x)
    got = dict(recorded)
    assert (got["stage2.0.se"][:, [1, 5]] == 0).all() and (got["stage2.0.se"][:, [0, 2, 3, 4, 6, 7]] > 0).all()
    assert (got["stage1.0.se"] > 0).all()


def test_measure_accuracy_counts_correctly(model, data):
    x, y = data
    with torch.no_grad():
        pred = model(x).argmax(1)
    result = iv.measure_accuracy(model, x, y, batch_size=7)
    assert result.predictions.tolist() == pred.tolist()
    assert result.accuracy == pytest.approx(100 * (pred == y).float().mean().item())
    for c in range(3):
        assert result.per_class[c].item() == pytest.approx(100 * (pred[y == c] == c).float().mean().item())


def test_measure_accuracy_restores_the_mode_and_the_old_name_warns(model, data):
    x, y = data
    model.train()
    result = iv.measure_accuracy(model, x, y, iv.constant(0.5))
    assert model.training and all(m.training for m in model.modules())
    with pytest.warns(DeprecationWarning, match="use interventions.measure_accuracy"):
        old = iv.evaluate(model, x, y, iv.constant(0.5))
    assert old.accuracy == result.accuracy and torch.equal(old.predictions, result.predictions)


def test_bad_replacements_and_blocks(model, data):
    x, y = data
    with pytest.raises(ValueError, match=r"expected \(N, C\)"):
        with torch.no_grad(), iv.override_excitation(model, lambda b, s, ctx: s[:, :2]):
            model(x)
    with pytest.raises(ValueError, match="unknown SE block"):
        with iv.override_excitation(model, iv.own(), blocks=["nope"]):
            pass
    with pytest.raises(ValueError, match="has no SE module"):
        with iv.override_excitation(small_resnet(), iv.own()):
            pass
    with pytest.raises(ValueError, match="same N"):
        iv.measure_accuracy(model, x, y[:3])


def test_works_on_torchvision_se_modules():
    from torchvision.ops import SqueezeExcitation

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 8, 3), SqueezeExcitation(8, 2), nn.Conv2d(8, 4, 1))
    x = torch.rand(2, 3, 9, 9)
    assert excitation_output(net[1]) is net[1].scale_activation
    with torch.no_grad():
        with iv.override_excitation(net, iv.constant(1.0)):
            ones = net(x)
        assert torch.equal(ones, iv.without_se(net)(x))
