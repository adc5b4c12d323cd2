"""Parameters, MACs and latency: hand-computed small layers, and the SE paper's ResNet-50 figures."""

import pytest
import torch
from torch import nn

import se_tutorial as se
from se_tutorial import cost
from se_tutorial.models import resnet50, small_resnet

# --------------------------------------------------------------------------- params


def test_params_of_small_layers():
    assert cost.params(nn.Linear(10, 4)) == 10 * 4 + 4
    assert cost.params(nn.Conv2d(3, 8, 3, bias=False)) == 8 * 3 * 3 * 3
    assert cost.params(nn.BatchNorm2d(5)) == 10  # weight and bias; running stats are buffers
    block = se.SEBlock(16, 4)  # hidden 4: W1 (4, 16) + b1 (4,) + W2 (16, 4) + b2 (16,)
    assert cost.params(block) == 2 * 16 * 4 + 4 + 16 == se.excitation_params(16, 4)
    assert cost.params(se.SEBlock(16, 4, bias=False)) == 2 * 16 * 4


def test_params_trainable_only():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    m[0].requires_grad_(False)
    assert cost.params(m) == 8 + 3
    assert cost.params(m, trainable_only=True) == 3


# --------------------------------------------------------------------------- macs


def test_macs_of_a_convolution():
    # C_out · H_out · W_out outputs, each a sum of C_in · k · k products; bias not counted
    assert cost.macs(nn.Conv2d(3, 8, 3, padding=1, bias=False), (1, 3, 5, 5)) == 8 * 5 * 5 * 3 * 3 * 3
    assert cost.macs(nn.Conv2d(3, 8, 3, padding=1), (1, 3, 5, 5)) == 5400
    assert cost.macs(nn.Conv2d(3, 8, 3, padding=1), (2, 3, 5, 5)) == 2 * 5400  # linear in the batch
    assert cost.macs(nn.Conv2d(3, 8, 3, stride=2, padding=1), (1, 3, 5, 5)) == 8 * 3 * 3 * 27
    assert cost.macs(nn.Conv2d(8, 8, 3, padding=1, groups=4), (1, 8, 5, 5)) == 8 * 5 * 5 * (8 // 4) * 9


def test_macs_of_a_linear_layer():
    assert cost.macs(nn.Linear(10, 4), (3, 10)) == 3 * 10 * 4
    assert cost.macs(nn.Linear(10, 4, bias=False), (3, 10)) == 120


def test_macs_of_an_se_block():
    n, c, h, w, r = 2, 16, 5, 5, 4
    block = se.SEBlock(c, r)
    fc = n * (c * (c // r) + (c // r) * c)  # W1 and W2, per image
    assert cost.macs(block, (n, c, h, w)) == fc == 256
    assert cost.elementwise_ops(block, (n, c, h, w)) == 2 * n * c * h * w  # pooling adds + scaling multiplies
    assert cost.macs(block, (n, c, h, w), include_elementwise=True) == fc + 2 * n * c * h * w == 1856


def test_elementwise_counts_only_se_modules():
    assert cost.elementwise_ops(small_resnet(), (1, 1, 28, 28)) == 0
    model = small_resnet(se="standard")  # SE on 16×28×28, 32×14×14, 64×7×7
    assert cost.elementwise_ops(model, (1, 1, 28, 28)) == 2 * (16 * 28 * 28 + 32 * 14 * 14 + 64 * 7 * 7)
    plain = cost.macs(small_resnet(), (1, 1, 28, 28))
    fc = sum(2 * ch * (ch // 4) for ch in (16, 32, 64))
    assert cost.macs(model, (1, 1, 28, 28)) == plain + fc


class _MakesItsOwnTensor(nn.Module):
    """Cannot run on meta tensors (its forward looks at the data): macs runs it for real."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return self.fc(x) if x.sum().item() >= 0 else -self.fc(x)


def test_macs_of_a_model_that_needs_real_tensors():
    assert cost.macs(_MakesItsOwnTensor(), (2, 4)) == 2 * 4 * 3


def test_macs_restores_training_mode_and_checks_its_input():
    model = small_resnet()
    model.train()
    cost.macs(model, (1, 1, 28, 28))
    assert model.training
    for bad in [(0, 1, 28, 28), (1,), "1x1x28x28", (1, 1, 28.0, 28)]:
        with pytest.raises(ValueError, match="input_shape|each entry"):
            cost.macs(model, bad)
    with pytest.raises(ValueError, match="nn.Module"):
        cost.macs(lambda x: x, (1, 3))
    with pytest.raises(ValueError, match="nn.Module"):
        cost.params([nn.Linear(2, 2)])


# --------------------------------------------------------------------------- the paper's ResNet-50


def _se_biases(model) -> int:
    return sum(m.excitation.fc1.bias.numel() + m.excitation.fc2.bias.numel() for m in se.se_modules(model).values())


def test_resnet50_parameters_match_the_paper():
    plain, with_se = resnet50(), resnet50(se="standard")
    assert cost.params(plain) == 25_557_032
    assert cost.params(with_se) == 28_088_024
    assert cost.params(with_se) - _se_biases(with_se) == 28_071_976
    stages = [(3, 256), (4, 512), (6, 1024), (3, 2048)]  # (N_s, C_s)
    assert (
        cost.params(with_se) - _se_biases(with_se) - cost.params(plain) == 2 * sum(n * c * c for n, c in stages) // 16
    )


def test_resnet50_macs_match_the_paper():
    shape = (1, 3, 224, 224)
    original = cost.macs(resnet50(stride_in_1x1=True), shape)
    torchvision_layout = cost.macs(resnet50(), shape)
    assert abs(original / 3.858e9 - 1) < 0.005  # the paper's 3.86 GFLOPs
    assert abs(torchvision_layout / 4.089e9 - 1) < 0.005
    with_se = resnet50(se="standard", stride_in_1x1=True)
    stages = [(3, 256, 56), (4, 512, 28), (6, 1024, 14), (3, 2048, 7)]  # (N_s, C_s, H_s = W_s)
    assert cost.macs(with_se, shape) - original == 2 * sum(n * c * c for n, c, _ in stages) // 16  # the FC layers
    assert cost.elementwise_ops(with_se, shape) == 2 * sum(n * c * h * h for n, c, h in stages) == 11_038_720


# --------------------------------------------------------------------------- latency


def test_latency_is_sane():
    model = small_resnet(se="standard")
    model.train()
    result = cost.latency(model, torch.rand(4, 1, 28, 28), repeats=5, warmup=1)
    assert 0 < result.min <= result.q25 <= result.median <= result.q75 < 10
    assert result.iqr >= 0
    assert result.repeats == 5 and result.warmup == 1
    assert result.threads == torch.get_num_threads() >= 1
    assert model.training
    assert "ms median" in str(result)
    one = cost.latency(model, torch.rand(1, 1, 28, 28), repeats=1, warmup=0)
    assert one.median == one.min == one.q25 == one.q75 > 0


def test_latency_spread_is_the_deprecated_name_of_iqr():
    result = cost.Latency(median=2.0, q25=1.0, q75=4.0, min=0.5, repeats=3, warmup=0, threads=1)
    with pytest.warns(DeprecationWarning, match=r"Latency\.spread is deprecated; use Latency\.iqr"):
        assert result.spread == result.iqr == 3.0


def test_latency_checks_its_input():
    model = small_resnet()
    with pytest.raises(ValueError, match="repeats"):
        cost.latency(model, torch.rand(1, 1, 28, 28), repeats=0)
    with pytest.raises(ValueError, match="warmup"):
        cost.latency(model, torch.rand(1, 1, 28, 28), warmup=-1)
    with pytest.raises(ValueError, match="torch.Tensor"):
        cost.latency(model, [1, 2, 3])
