import pytest
import torch
from torch import nn

import se_tutorial as se


def test_is_the_papers_eq3():
    ex = se.Excitation(32, 4)
    z = torch.randn(5, 32)
    w1, b1, w2, b2 = ex.fc1.weight, ex.fc1.bias, ex.fc2.weight, ex.fc2.bias
    assert w1.shape == (8, 32) and w2.shape == (32, 8)
    manual = torch.sigmoid(w2 @ torch.relu(w1 @ z.T + b1[:, None]) + b2[:, None]).T
    torch.testing.assert_close(ex(z), manual)


def test_layers_and_hidden():
    ex = se.Excitation(64)
    assert isinstance(ex.fc1, nn.Linear) and isinstance(ex.fc2, nn.Linear)
    assert (ex.fc1.in_features, ex.fc1.out_features, ex.fc2.out_features) == (64, 4, 64)
    assert se.Excitation(64, 16, min_hidden=8).hidden == 8
    assert se.Excitation(10, 3).hidden == 3
    assert se.Excitation(10, hidden=5).hidden == 5


def test_small_channel_counts_work():
    ex = se.Excitation(8, 16)  # 8 // 16 == 0 would be an empty layer
    assert ex.hidden == 1
    s = ex(torch.randn(3, 8))
    assert s.shape == (3, 8)
    # not a constant gate: different inputs give different weights
    assert not torch.allclose(s[0], s[1])


@pytest.mark.parametrize(
    "gate, lo, hi",
    [("sigmoid", 0.0, 1.0), ("hardsigmoid", 0.0, 1.0), ("tanh", -1.0, 1.0), ("relu", 0.0, float("inf"))],
)
def test_gate_ranges(gate, lo, hi):
    ex = se.Excitation(16, 2, gate=gate)
    s = ex(torch.randn(200, 16) * 10)
    assert s.shape == (200, 16)
    assert s.min() >= lo and s.max() <= hi
    assert ex.gate_name == gate and isinstance(ex.gate, se.GATES[gate])


def test_bias_false():
    ex = se.Excitation(16, 4, bias=False)
    assert ex.fc1.bias is None and ex.fc2.bias is None
    torch.testing.assert_close(ex(torch.zeros(2, 16)), torch.full((2, 16), 0.5))


@pytest.mark.parametrize("c, r, bias", [(64, 16, True), (64, 16, False), (256, 4, True), (10, 3, True), (8, 16, False)])
def test_params_formula(c, r, bias):
    ex = se.Excitation(c, r, bias=bias)
    assert se.excitation_params(c, r, bias=bias) == sum(p.numel() for p in ex.parameters())
    if c % r == 0:
        assert se.excitation_params(c, r, bias=False) == 2 * c * c // r


def test_seresnet50_eq5():
    # The paper's Eq. 5: (2/r) Σ N_s C_s², r = 16, 3/4/6/3 blocks of 256/512/1024/2048 channels.
    stages = [(3, 256), (4, 512), (6, 1024), (3, 2048)]
    no_bias = sum(n * se.excitation_params(c, 16, bias=False) for n, c in stages)
    with_bias = sum(n * se.excitation_params(c, 16) for n, c in stages)
    assert no_bias == 2_514_944
    assert with_bias - no_bias == 16_048


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(channels=0), r"channels must be a positive integer; got 0"),
        (dict(channels=-4), r"channels must be a positive integer; got -4"),
        (dict(channels=16, reduction=0), r"reduction must be a positive integer; got 0\. The paper uses r = 16\."),
        (dict(channels=16, reduction=2.5), r"reduction must be a positive integer; got 2\.5"),
        (
            dict(channels=16, gate="softmax"),
            r"unknown gate 'softmax'; expected one of 'sigmoid', 'hardsigmoid', 'tanh', 'relu'",
        ),
        (dict(channels=16, min_hidden=0), r"min_hidden must be a positive integer; got 0"),
        (dict(channels=16, hidden=0), r"hidden must be a positive integer; got 0"),
    ],
)
def test_construction_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        se.Excitation(**kwargs)


def test_input_errors():
    ex = se.Excitation(16)
    with pytest.raises(ValueError, match=r"expects a 2-D tensor of shape \(N, C\).*got shape \(2, 16, 1, 1\)"):
        ex(torch.zeros(2, 16, 1, 1))
    with pytest.raises(ValueError, match=r"built for 16 channels but the input has 8 \(shape \(2, 8\)\)"):
        ex(torch.zeros(2, 8))
