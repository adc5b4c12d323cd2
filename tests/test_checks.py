"""se_tutorial.checks: correct code passes, each typical mistake gets a message that names it."""
import pytest
import torch
from torch import nn

import se_tutorial as se
from se_tutorial import analysis, checks, cost
from se_tutorial.models import BasicBlock


def fails(check, *args, match):
    with pytest.raises(checks.CheckFailed, match=match):
        check(*args)


def test_correct_code_passes_every_check(capsys):
    checks.check_squeeze(lambda x: x.mean((2, 3)))
    checks.check_scale(lambda x, s: x * s[:, :, None, None])
    checks.check_excitation(se.Excitation)
    checks.check_se_block(se.SEBlock)
    for v in ("standard", "pre", "post", "identity"):
        checks.check_residual_block(lambda c, r, v: BasicBlock(c, c, se=v, reduction=r), v)
    checks.check_se_params(se.excitation_params)
    checks.check_count_macs(cost.macs)
    checks.check_class_means(analysis.class_means)
    checks.check_class_specificity(analysis.class_specificity)
    model = se.models.small_resnet(se="standard").eval()
    images = torch.rand(6, 1, 28, 28)
    checks.check_recorded(analysis.record(model, images)[0], model, images)
    checks.check_value("an answer", 0.5, 0.5)
    assert capsys.readouterr().out.count("✓") == 14


def test_checkfailed_is_an_assertion_error():
    assert issubclass(checks.CheckFailed, AssertionError)


def test_squeeze_mistakes():
    fails(checks.check_squeeze, lambda x: x.mean((2, 3), keepdim=True),
          match=r"your squeeze returned shape \(2, 8, 1, 1\); expected \(2, 8\)")
    fails(checks.check_squeeze, lambda x: x.amax((2, 3)), match="wrong values.*mean over dims")
    fails(checks.check_squeeze, lambda x: x.sum((2, 3)).numpy(), match="returned ndarray; expected a torch.Tensor")
    fails(checks.check_squeeze, lambda x: x.mean(2).mean(2) if x.shape[-1] == x.shape[-2] else x[:, :, 0, 0],
          match=r"on shape \(2, 8, 5, 7\)")

    def zeroing(x):
        z = x.mean((2, 3))
        x.zero_()
        return z
    fails(checks.check_squeeze, zeroing, match="changed its input x in place")


def test_not_written_yet_and_crashes_are_named():
    def stub(x):
        raise NotImplementedError()
    fails(checks.check_squeeze, stub, match="not written yet")
    fails(checks.check_scale, lambda x, s: x * s, match=r"your scale\(\(2, 8, 5, 7\), \(2, 8\)\) raised RuntimeError")


def test_scale_mistakes():
    fails(checks.check_scale, lambda x, s: x * s[:, :, None, None].mean(0), match="wrong values.*reshape s")


class NoSigmoid(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(c, max(1, c // r)), nn.Linear(max(1, c // r), c)

    def forward(self, z):
        return self.fc2(torch.relu(self.fc1(z)))


class ZeroHidden(nn.Module):
    """The seed article's bug: C // r hidden units, 0 when C < r."""

    def __init__(self, c, r):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(c, c // r), nn.Linear(c // r, c)

    def forward(self, z):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))


class Unnamed(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(c, c // r), nn.ReLU(), nn.Linear(c // r, c), nn.Sigmoid())


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_excitation_mistakes():
    fails(checks.check_excitation, NoSigmoid, match=r"must lie in \(0, 1\): end with a sigmoid")
    fails(checks.check_excitation, ZeroHidden, match=r"fc1 maps 6 → 0 features; expected 6 → 1")
    fails(checks.check_excitation, Unnamed, match="no nn.Linear called `fc1`")


class BlockWithoutExcitation(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        self.mlp = se.Excitation(c, r)


class BlockSoftmax(se.SEBlock):
    def forward(self, x):
        s = torch.softmax(self.excitation.fc2(torch.relu(self.excitation.fc1(x.mean((2, 3))))), 1)
        return x * s[:, :, None, None]


def test_se_block_mistakes():
    fails(checks.check_se_block, BlockWithoutExcitation, match="no attribute `excitation`")
    fails(checks.check_se_block, BlockSoftmax, match="wrong values")


def test_residual_block_names_the_variant_it_computes():
    fails(checks.check_residual_block, lambda c, r, v: BasicBlock(c, c, se="standard", reduction=r), "post",
          match=r"computes the 'standard' variant instead\. Expected SE\(relu\(x \+ F\(x\)\)\)")
    fails(checks.check_residual_block, lambda c, r, v: nn.Conv2d(c, c, 1), "standard",
          match="does not have the layers conv1, bn1, conv2, bn2 and se")
    with pytest.raises(ValueError, match="unknown variant 'middle'"):
        checks.check_residual_block(lambda c, r, v: None, "middle")


def test_cost_mistakes():
    fails(checks.check_se_params, lambda c, r: 2 * c * (c // r), match=r"se_params\(64, 16\) returned 512; expected 580")
    fails(checks.check_se_params, lambda c, r: 2 * c * (c // r) + c // r + c, match=r"se_params\(16, 32\) returned 16; expected 49")
    fails(checks.check_count_macs, lambda m, s: 2 * cost.macs(m, s), match=r"2\.00× the expected.*2 FLOPs")


def test_analysis_mistakes():
    fails(checks.check_class_means, lambda s, y, k: analysis.class_means(s, y, k).T, match="looks transposed")
    fails(checks.check_class_means, lambda s, y, k: s[:k], match="wrong values")
    fails(checks.check_class_specificity, lambda s, y, k: "high", match="expected a float")
    fails(checks.check_class_specificity, lambda s, y, k: 0.5, match="returned 0.5000; expected")
    model = se.models.small_resnet(se="standard").eval()
    images = torch.rand(4, 1, 28, 28)
    recorded, _ = analysis.record(model, images)
    fails(checks.check_recorded, list(recorded.values()), model, images, match="expected a dict")
    fails(checks.check_recorded, dict(list(recorded.items())[:2]), model, images, match="every SE block, in depth order")
    wrong = {k: v * 0.5 for k, v in recorded.items()}
    fails(checks.check_recorded, wrong, model, images, match="after the sigmoid")
    fails(checks.check_value, "the answer", 3, 4, match="the answer is 3; expected 4")
    fails(checks.check_value, "the answer", None, 4, match="expected a number")


def test_class_specificity_must_weight_classes_by_their_size():
    def unweighted(s, y, k):   # a common slip: every class counts the same, whatever its size
        mu, m = analysis.class_means(s, y, k).double(), s.double().mean(0)
        total = ((s.double() - m) ** 2).mean(0).sum()
        return float(((mu - m) ** 2).mean(0).sum() / total)
    fails(checks.check_class_specificity, unweighted, match="weighted by its share n_k/N")


def test_messages_for_layers_run_twice_and_for_an_empty_count():
    class TwiceBranch(BasicBlock):
        def forward(self, x):
            self._branch(x)                      # runs BatchNorm once too often
            return self.se(nn.functional.relu(x + self._branch(x)))
    fails(checks.check_residual_block, lambda c, r, v: TwiceBranch(c, c, se=v, reduction=r), "post",
          match="right in training mode.*run a layer twice")
    fails(checks.check_count_macs, lambda m, s: 0, match="returned 0; expected .* inside the")
    model = se.models.small_resnet(se="standard").eval()
    images = torch.rand(4, 1, 28, 28)
    twice = {k: torch.cat([v, v]) for k, v in analysis.record(model, images)[0].items()}
    fails(checks.check_recorded, twice, model, images, match=r"one row per image: run the model once, on all 4 images")
