"""The capstone's hook (se_tutorial.experiments.custom): a student's own block, checked, trained and
compared like SE."""

import pytest
import torch
from torch import nn

import se_tutorial as se
from se_tutorial import experiments as E
from se_tutorial.checks import CheckFailed

# Small enough for a unit test: 2 steps of training, 100 test images.
MINI = E.Budget("mini", train_size=128, epochs=1, test_size=100, seeds=(0, 1), batch_size=64, lr=0.05)


class ZGate(nn.Module):
    """A parameter-free gate: s = σ(standardised z)."""

    def __init__(self, channels):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        z = self.pool(x)
        return x * self.gate((z - z.mean(1, keepdim=True)) / (z.std(1, keepdim=True) + 1e-5))


def test_build_custom_with_se_is_the_se_design_weight_for_weight():
    built = E.build_custom(lambda c: se.SEBlock(c, 4), seed=3)
    reference = E.build(E.CONFIGS["se"], 3)
    ours, theirs = built.state_dict(), reference.state_dict()
    assert list(ours) == [k.replace(".se.", ".attn.") for k in theirs]
    for (k1, v1), v2 in zip(ours.items(), theirs.values()):
        assert torch.equal(v1, v2), k1
    x = torch.rand(4, 1, 28, 28)
    assert torch.equal(built.eval()(x), reference.eval()(x))


def test_build_custom_is_weight_paired_with_plain_and_names_its_blocks():
    plain = E.build(E.CONFIGS["plain"], 5).state_dict()
    model = E.build_custom(ZGate, seed=5)
    for name, value in plain.items():
        assert torch.equal(value, model.state_dict()[name]), name
    assert [n for n, m in model.named_modules() if isinstance(m, ZGate)] == [
        "stage1.0.attn",
        "stage2.0.attn",
        "stage3.0.attn",
    ]
    only3 = E.build_custom(ZGate, seed=5, stages=(3,), position="post")
    assert [n for n, m in only3.named_modules() if isinstance(m, ZGate)] == ["stage3.0.attn"]
    assert only3.stage3[0].variant == "post" and only3(torch.rand(2, 1, 28, 28)).shape == (2, 10)
    pre = E.build_custom(lambda c: se.SEBlock(c, 4), seed=0, position="pre")
    assert pre.stage2[0].attn.excitation.channels == 16  # "pre" sees the block's input channels


def test_the_block_changes_the_output():
    x = torch.rand(2, 1, 28, 28)
    plain, mine = E.build(E.CONFIGS["plain"], 0).eval(), E.build_custom(ZGate, seed=0).eval()
    assert not torch.allclose(plain(x), mine(x))


def test_check_block_passes_good_blocks(capsys):
    assert E.check_block(ZGate).startswith("✓ check_block")
    E.check_block(lambda c: se.SEBlock(c, 4))
    E.check_block(lambda c: se.attention.make("cbam", c, reduction=4))
    assert "C = 16, 32, 64" in capsys.readouterr().out


class _Shrink(nn.Module):
    def forward(self, x):
        return x[:, :-1]


class _Detached(nn.Module):
    def forward(self, x):
        return x.detach() * 2


class _Unused(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x * torch.sigmoid(x.mean((2, 3), keepdim=True))


class _Crash(nn.Module):
    def forward(self, x):
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    "module, words",
    [(_Shrink, "keep the shape"), (_Detached, "no usable gradient"), (_Unused, "'w'"), (_Crash, "boom")],
)
def test_check_block_says_what_is_wrong(module, words):
    with pytest.raises(CheckFailed, match=words):
        E.check_block(lambda c: module())


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="block maker"):
        E.build_custom(ZGate(16), seed=0)
    with pytest.raises(ValueError, match="nn.Module"):
        E.build_custom(lambda c: 3, seed=0)
    with pytest.raises(ValueError, match="position"):
        E.build_custom(ZGate, seed=0, position="middle")
    with pytest.raises(ValueError, match="seed"):
        E.build_custom(ZGate, seed=-1)
    with pytest.raises(ValueError, match="unknown configuration"):
        E.run_design("nonsense", MINI)
    with pytest.raises(ValueError, match="Fashion-MNIST"):
        E.run_design("cue_se", MINI)


@pytest.mark.parametrize("holdout", [0, 64])
def test_run_custom_with_se_repeats_run_one_bit_for_bit(holdout):
    """Also at a budget with held-out images (such as the stored secondary runs): they change nothing."""
    budget = E.Budget("mini", train_size=128, epochs=1, test_size=100, seeds=(0,), batch_size=64, holdout=holdout)
    mine = E.run_custom(lambda c: se.SEBlock(c, 4), 0, budget)
    theirs = E.run_one("se", 0, budget)
    for key in ("test_accuracy", "test_loss", "train_loss"):
        assert mine[key] == theirs[key], key
    assert ("curves" in theirs) == bool(holdout) and "curves" not in mine


def test_run_design_gives_sections_that_the_statistics_read():
    mine, base = E.run_design(ZGate, MINI), E.run_design("se", MINI)
    for section in (mine, base):
        assert section["seeds"] == [0, 1] and len(section["runs"]) == 2
        assert section["test_accuracy"] == [r["test_accuracy"] for r in section["runs"]]
        assert section["budget"]["name"] == "mini"
    d = E.differences(mine, base)
    assert list(d) == [0, 1]
    assert d[0] == pytest.approx(mine["runs"][0]["test_accuracy"] - base["runs"][0]["test_accuracy"])
    family = E.compare({"mine": mine, "se": base}, [("mine", "se")])
    assert family["mine − se"].verdict in ("clear", "unclear")
    assert E.run_design(ZGate, MINI, seeds=[1])["seeds"] == [1]


def test_capture_records_a_registered_block():
    se.recording.register(ZGate, squeeze="pool", squeeze_side="output", excitation="gate")
    model = E.build_custom(ZGate, seed=0).eval()
    with torch.no_grad(), se.capture(model) as rec:
        model(torch.rand(3, 1, 28, 28))
    assert {k: tuple(v.shape) for k, v in rec.excitations.items()} == {
        "stage1.0.attn": (3, 16),
        "stage2.0.attn": (3, 32),
        "stage3.0.attn": (3, 64),
    }
    assert {k: tuple(v.shape) for k, v in rec.squeezes.items()}["stage3.0.attn"] == (3, 64)


def test_run_design_keeps_the_trained_networks_when_asked():
    section = E.run_design(ZGate, MINI, seeds=[0], keep_models=True)
    model = section["models"][0]
    assert isinstance(model.stage1[0].attn, ZGate) and not model.training
    with pytest.raises(ValueError, match="keep_models"):
        E.run_design("se", MINI, keep_models=True)
