import pytest
import torch
from conftest import AWKWARD
from timm.layers import SEModule
from torch import nn
from torchvision.ops import SqueezeExcitation

import se_tutorial as se

TOL = dict(atol=1e-5, rtol=1e-5)


def paper(x, block):
    """Eqs. 2-4 written out with plain tensor operations."""
    ex = block.excitation
    z = x.sum(dim=(2, 3)) / (x.shape[2] * x.shape[3])
    s = torch.sigmoid(torch.relu(z @ ex.fc1.weight.T + ex.fc1.bias) @ ex.fc2.weight.T + ex.fc2.bias)
    return x * s[:, :, None, None]


@pytest.mark.parametrize("n, c, h, w, r", AWKWARD)
def test_matches_the_paper(n, c, h, w, r):
    block = se.SEBlock(c, r)
    x = torch.randn(n, c, h, w)
    out = block(x)
    assert out.shape == x.shape
    torch.testing.assert_close(out, paper(x, block), **TOL)
    torch.testing.assert_close(out, se.scale(x, block.excitation(se.squeeze(x))))


@pytest.mark.parametrize("n, c, h, w, r", AWKWARD)
@pytest.mark.parametrize("gate", ["sigmoid", "hardsigmoid"])
def test_equals_torchvision(n, c, h, w, r, gate):
    x = torch.randn(n, c, h, w)
    block = se.SEBlock(c, r, gate=gate)
    tv = block.to_torchvision()
    assert isinstance(tv, SqueezeExcitation)
    torch.testing.assert_close(tv(x), block(x), **TOL)
    # and from a torchvision module made by torchvision itself
    scale_act = {"sigmoid": nn.Sigmoid, "hardsigmoid": nn.Hardsigmoid}[gate]
    theirs = SqueezeExcitation(c, max(1, c // r), scale_activation=scale_act)
    ours = se.SEBlock.from_torchvision(theirs)
    assert ours.excitation.gate_name == gate
    torch.testing.assert_close(ours(x), theirs(x), **TOL)


@pytest.mark.parametrize("n, c, h, w, r", AWKWARD)
@pytest.mark.parametrize("bias", [True, False])
def test_equals_timm(n, c, h, w, r, bias):
    x = torch.randn(n, c, h, w)
    theirs = SEModule(c, rd_ratio=1 / r, bias=bias)  # timm's own width: at least 8
    ours = se.SEBlock.from_timm(theirs)
    assert ours.excitation.hidden == theirs.fc1.out_channels
    torch.testing.assert_close(ours(x), theirs(x), **TOL)
    block = se.SEBlock(c, r, bias=bias)
    torch.testing.assert_close(block.to_timm()(x), block(x), **TOL)


def test_timm_default_width_differs():
    # timm rounds the hidden width up to a multiple of 8: 64 / 16 = 4 becomes 8.
    assert SEModule(64).fc1.out_channels == 8
    assert se.SEBlock(64).excitation.hidden == 4


@pytest.mark.parametrize("gate", list(se.GATES))
@pytest.mark.parametrize("bias", [True, False])
def test_round_trips(gate, bias):
    block = se.SEBlock(20, 4, gate=gate, bias=bias)
    x = torch.randn(2, 20, 3, 5)
    back = se.SEBlock.from_torchvision(block.to_torchvision())
    torch.testing.assert_close(back(x), block(x), **TOL)
    assert back.excitation.gate_name == gate and back.excitation.hidden == block.excitation.hidden
    back = se.SEBlock.from_timm(block.to_timm())
    torch.testing.assert_close(back(x), block(x), **TOL)
    for key, value in block.state_dict().items():
        torch.testing.assert_close(back.state_dict()[key], value)


def test_bias_free_block_to_torchvision_has_zero_biases():
    tv = se.SEBlock(16, 4, bias=False).to_torchvision()
    assert torch.count_nonzero(tv.fc1.bias) == 0 and torch.count_nonzero(tv.fc2.bias) == 0


def test_torchvision_mobilenet_se_converts():
    from torchvision.models import mobilenet_v3_small

    tv = next(m for m in mobilenet_v3_small().modules() if isinstance(m, SqueezeExcitation))
    ours = se.SEBlock.from_torchvision(tv)
    x = torch.randn(2, tv.fc1.in_channels, 5, 5)
    assert ours.excitation.gate_name == "hardsigmoid"
    torch.testing.assert_close(ours(x), tv(x), **TOL)


def test_max_squeeze_block():
    block = se.SEBlock(8, 2, squeeze="max")
    x = torch.randn(2, 8, 3, 3)
    torch.testing.assert_close(block(x), se.scale(x, block.excitation(x.amax(dim=(2, 3)))))
    with pytest.raises(ValueError, match="always squeezes by average"):
        block.to_torchvision()
    with pytest.raises(ValueError, match="squeezes by average"):
        block.to_timm()


def test_gradients_flow_and_shape_kept():
    block = se.SEBlock(12, 4)
    x = torch.randn(3, 12, 6, 6, requires_grad=True)
    block(x).square().sum().backward()
    assert x.grad.shape == x.shape
    for p in block.parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0


def test_conversion_errors():
    with pytest.raises(ValueError, match="from_torchvision expects a torchvision.ops.SqueezeExcitation; got Linear"):
        se.SEBlock.from_torchvision(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="from_timm expects a timm.layers.SEModule; got SqueezeExcitation"):
        se.SEBlock.from_timm(SqueezeExcitation(8, 2))
    with pytest.raises(ValueError, match="uses SiLU between its two layers; SEBlock uses ReLU"):
        se.SEBlock.from_torchvision(SqueezeExcitation(8, 2, activation=nn.SiLU))
    with pytest.raises(ValueError, match="has a gate of type GELU; SEBlock supports sigmoid, hardsigmoid, tanh, relu"):
        se.SEBlock.from_torchvision(SqueezeExcitation(8, 2, scale_activation=nn.GELU))
    with pytest.raises(ValueError, match="add_maxpool=True"):
        se.SEBlock.from_timm(SEModule(16, add_maxpool=True))
    with pytest.raises(ValueError, match="has a norm layer"):
        se.SEBlock.from_timm(SEModule(16, norm_layer=nn.BatchNorm2d))


def test_input_errors():
    block = se.SEBlock(16)
    with pytest.raises(
        ValueError, match=r"SEBlock expects a 4-D tensor of shape \(N, C, H, W\); got shape \(16, 7, 7\) with 3 dims"
    ):
        block(torch.zeros(16, 7, 7))
    with pytest.raises(
        ValueError,
        match=r"SEBlock was built for 16 channels but the input has 32 \(shape \(1, 32, 7, 7\)\)\. "
        r"Build it with channels=32",
    ):
        block(torch.zeros(1, 32, 7, 7))
    with pytest.raises(ValueError, match="unknown squeeze mode 'sum'"):
        se.SEBlock(16, squeeze="sum")
    with pytest.raises(ValueError, match="unknown gate 'swish'"):
        se.SEBlock(16, gate="swish")
    with pytest.raises(ValueError, match="channels must be a positive integer; got 0"):
        se.SEBlock(0)
    with pytest.raises(ValueError, match="reduction must be a positive integer; got -1"):
        se.SEBlock(16, reduction=-1)


def test_repr_names_the_parts():
    text = repr(se.SEBlock(32, 8, gate="tanh"))
    assert "squeeze='avg'" in text and "channels=32, hidden=4, gate='tanh'" in text
