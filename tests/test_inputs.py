"""Inputs of the wrong kind get a ValueError that says what came and how to convert it.

Tensors: integer, bool and complex tensors are refused; a module takes the dtype of its
parameters, the parameter-free functions any floating dtype. Sizes: ints, NumPy integers
and 0-d integer tensors, converted to int; bools and floats refused. Flags: real bools.
Conversions from torchvision and timm recognise the gate by its class.
"""

import numpy as np
import pytest
import timm
import torch
from timm.layers import SEModule
from timm.layers import activations as timm_act
from torch import nn
from torchvision.ops import SqueezeExcitation

import se_tutorial as se
from se_tutorial import attention as A
from se_tutorial import cost
from se_tutorial.models import BasicBlock, resnet50, small_resnet

X = torch.randn(2, 16, 5, 4)  # (N, C, H, W)

# --------------------------------------------------------------------------- tensor dtypes


@pytest.mark.parametrize("dtype", [torch.int64, torch.uint8, torch.bool, torch.complex64])
def test_squeeze_and_scale_refuse_non_float_tensors(dtype):
    x = X.to(dtype)
    for fn in (lambda: se.squeeze(x), lambda: se.scale(x, torch.rand(2, 16))):
        with pytest.raises(
            ValueError,
            match=rf"expects a floating-point tensor; got x of dtype {dtype}\. "
            r"Convert it first, e\.g\. x\.float\(\)",
        ):
            fn()


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float64])
def test_squeeze_and_scale_take_any_float_dtype(dtype):
    x = X.to(dtype)
    for mode in ("avg", "max"):
        assert se.squeeze(x, mode).dtype == dtype
    assert se.scale(x, torch.rand(2, 16, dtype=dtype)).dtype == dtype


def test_scale_weights_must_have_the_dtype_of_x():
    with pytest.raises(
        ValueError,
        match=r"scale expects weights s of x's dtype \(torch.float32\); got torch.float64\. "
        r"Convert them with s\.float\(\)",
    ):
        se.scale(X, torch.rand(2, 16, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"of x's dtype \(torch.float16\); got torch.int64\. .*s\.half\(\)"):
        se.scale(X.half(), torch.ones(2, 16, dtype=torch.int64))


def test_se_block_refuses_integer_and_bool_inputs():
    block = se.SEBlock(16)
    for dtype in (torch.int32, torch.bool):
        with pytest.raises(
            ValueError,
            match=rf"SEBlock expects a floating-point tensor; got x of dtype {dtype}\. "
            r"Convert it first, e\.g\. x\.float\(\)",
        ):
            block(X.to(dtype))
    with pytest.raises(ValueError, match=r"got x of dtype torch.int64\. Convert it first, e\.g\. x\.double\(\)"):
        block.double()(X.long())


@pytest.mark.parametrize(
    "dtype, method", [(torch.float16, "half"), (torch.float64, "double"), (torch.bfloat16, "bfloat16")]
)
def test_se_block_refuses_a_float_dtype_other_than_its_parameters(dtype, method):
    with pytest.raises(
        ValueError,
        match=rf"SEBlock's parameters are torch.float32 but x is {dtype}\. Convert the input "
        rf"with x\.float\(\), or the module with module\.{method}\(\)\.",
    ):
        se.SEBlock(16)(X.to(dtype))


def test_se_block_in_double_and_under_autocast():
    block = se.SEBlock(16).double()
    assert block(X.double()).dtype == torch.float64
    with pytest.raises(ValueError, match=r"parameters are torch.float64 but x is torch.float32\. .*x\.double\(\)"):
        block(X)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # autocast converts inside the layers
        assert se.SEBlock(16)(X.bfloat16()).shape == X.shape


def test_excitation_dtypes():
    ex = se.Excitation(16)
    with pytest.raises(
        ValueError,
        match=r"Excitation expects a floating-point tensor; got z of dtype torch.int64\. "
        r"Convert it first, e\.g\. z\.float\(\)",
    ):
        ex(torch.ones(2, 16, dtype=torch.int64))
    with pytest.raises(
        ValueError,
        match=r"Excitation's parameters are torch.float32 but z is torch.float16\. "
        r"Convert the input with z\.float\(\), or the module with module\.half\(\)",
    ):
        ex(torch.ones(2, 16, dtype=torch.float16))


@pytest.mark.parametrize("name", A.ATTENTIONS)
def test_attention_modules_check_dtypes(name):
    module = A.make(name, 16)
    with pytest.raises(
        ValueError, match=r"expects a floating-point tensor; got x of dtype torch.int64\. .*x\.float\(\)"
    ):
        module(X.long())
    with pytest.raises(
        ValueError,
        match=r"'s parameters are torch.float32 but x is torch.float64\. "
        r"Convert the input with x\.float\(\), or the module with module\.double\(\)",
    ):
        module(X.double())
    assert module.double()(X.double()).dtype == torch.float64


def test_small_resnet_refuses_uint8_images():
    with pytest.raises(
        ValueError,
        match=r"SmallResNet expects a floating-point tensor; got x of dtype torch.uint8\. "
        r".*x\.float\(\) / 255 for uint8 images",
    ):
        small_resnet()(torch.zeros(1, 1, 28, 28, dtype=torch.uint8))


# --------------------------------------------------------------------------- sizes

SIZES = [np.int64(16), np.int32(16), torch.tensor(16), torch.tensor(16, dtype=torch.int32)]


@pytest.mark.parametrize("c", SIZES, ids=repr)
def test_numpy_and_tensor_integers_are_sizes(c):
    r = type(c)(4) if isinstance(c, np.integer) else torch.tensor(4)
    for module in (
        se.Excitation(c, r),
        se.SEBlock(c, r).excitation,
        se.Excitation(c, hidden=r),
        A.ChannelAttention(c, r),
        A.ECA(c),
        A.SpatialSE(c),
        A.CoordAttention(c, r),
    ):
        assert type(module.channels) is int and module.channels == 16
    assert type(se.Excitation(c, r).reduction) is int and type(se.Excitation(c, r).hidden) is int
    assert type(se.hidden_size(c, r)) is int and se.hidden_size(c, r) == 4
    assert type(se.excitation_params(c, r)) is int and se.excitation_params(c, r) == se.excitation_params(16, 4)
    assert type(A.coord_mid(c, r)) is int and type(A.coord_params(c)) is int and type(A.eca_kernel_size(c)) is int
    assert A.formula_params("cbam", c, reduction=r) == A.formula_params("cbam", 16, reduction=4)
    assert A.ECA(c, kernel_size=np.int64(5)).kernel_size == 5
    assert type(A.SpatialAttention(torch.tensor(7)).kernel_size) is int
    assert A.spatial_params(np.int64(7)) == 99
    assert se.SEBlock(c, r)(X).shape == X.shape


def test_numpy_integers_in_models_and_cost():
    model = small_resnet(
        widths=np.array([8, 16, 32]),
        blocks=(np.int64(1),) * 3,
        num_classes=np.int64(3),
        se="standard",
        reduction=np.int64(4),
    )
    assert model(torch.rand(2, 1, 28, 28)).shape == (2, 3)
    assert BasicBlock(np.int64(8), torch.tensor(8), np.int64(1)).conv1.stride == (1, 1)
    assert cost.macs(nn.Linear(3, 2, bias=False), (np.int64(4), torch.tensor(3))) == 24
    assert cost.latency(nn.Identity(), X, repeats=np.int64(2), warmup=np.int64(0)).repeats == 2


@pytest.mark.parametrize(
    "value, shown",
    [
        (16.0, r"16\.0 \(a float; pass the int 16\)"),
        (np.float64(16.0), r"np\.float64\(16\.0\) \(a float; pass the int 16\)"),
        (2.5, r"2\.5"),
        (True, r"True \(a bool\)"),
        (np.bool_(True), r"np\.True_ \(a bool\)"),
        (torch.tensor(16.0), r"tensor\(16\.\) \(a tensor of dtype torch.float32 and shape \(\); pass an int\)"),
        (torch.tensor([16]), r"tensor\(\[16\]\) \(a tensor of dtype torch.int64 and shape \(1,\); pass an int\)"),
        ("16", r"'16'"),
    ],
)
def test_sizes_that_are_not_integers_are_refused(value, shown):
    with pytest.raises(ValueError, match=rf"^channels must be a positive integer; got {shown}\.$"):
        se.SEBlock(value)
    with pytest.raises(
        ValueError, match=rf"^reduction must be a positive integer; got {shown}\. The paper uses r = 16\.$"
    ):
        se.Excitation(16, value)
    with pytest.raises(ValueError, match=rf"^hidden must be a positive integer; got {shown}\.$"):
        se.Excitation(16, hidden=value)
    with pytest.raises(ValueError, match=rf"^SpatialAttention kernel_size must be a positive integer; got {shown}\.$"):
        A.SpatialAttention(value)
    with pytest.raises(ValueError, match=rf"^each width must be a positive integer; got {shown}\.$"):
        small_resnet(widths=(value, 16, 16))
    with pytest.raises(ValueError, match=rf"^warmup must be an integer >= 0; got {shown}\.$"):
        cost.latency(nn.Identity(), X, warmup=value)


def test_more_size_arguments_are_checked():
    with pytest.raises(ValueError, match=r"num_classes must be a positive integer; got 10\.0 \(a float"):
        small_resnet(num_classes=10.0)
    with pytest.raises(ValueError, match=r"in_channels must be a positive integer; got True \(a bool\)"):
        small_resnet(in_channels=True)
    with pytest.raises(ValueError, match=r"stride must be a positive integer; got 2\.0 \(a float"):
        BasicBlock(8, 8, 2.0)
    with pytest.raises(ValueError, match=r"num_classes must be a positive integer; got 0"):
        resnet50(num_classes=0)
    with pytest.raises(ValueError, match=r"reduction must be a positive integer; got 16\.0 \(a float"):
        resnet50(se="standard", reduction=16.0)
    with pytest.raises(ValueError, match=r"each entry of input_shape must be a positive integer; got 3\.0"):
        cost.macs(nn.Identity(), (1, 3.0, 4, 4))


# --------------------------------------------------------------------------- flags


@pytest.mark.parametrize("value", ["no", "False", 0, 1, None, torch.tensor(True)], ids=repr)
def test_flags_must_be_bools(value):
    with pytest.raises(ValueError, match=rf"^bias must be True or False; got .* \({type(value).__name__}\)\.$"):
        se.SEBlock(16, bias=value)
    with pytest.raises(ValueError, match=r"^bias must be True or False"):
        se.Excitation(16, bias=value)
    with pytest.raises(ValueError, match=r"^bias must be True or False"):
        se.excitation_params(16, bias=value)
    with pytest.raises(ValueError, match=r"^zero_init must be True or False"):
        A.SpatialAttention(zero_init=value)
    with pytest.raises(ValueError, match=r"^stride_in_1x1 must be True or False"):
        resnet50(stride_in_1x1=value)
    with pytest.raises(ValueError, match=r"^trainable_only must be True or False"):
        cost.params(nn.Identity(), trainable_only=value)
    with pytest.raises(ValueError, match=r"^include_elementwise must be True or False"):
        cost.macs(nn.Identity(), (1, 2), include_elementwise=value)


def test_bias_no_message_and_numpy_bools():
    with pytest.raises(ValueError, match=r"^bias must be True or False; got 'no' \(str\)\.$"):
        se.SEBlock(16, bias="no")
    block = se.SEBlock(16, bias=np.bool_(False))
    assert block.excitation.fc1.bias is None and block.excitation.fc2.bias is None
    assert se.excitation_params(16, 4, bias=np.bool_(False)) == 2 * 16 * 4
    assert isinstance(A.SpatialAttention(zero_init=np.bool_(True)), A.SpatialAttention)


# --------------------------------------------------------------------------- conversions: the gate by type


class Sigmoid(nn.Module):
    """Named like torch's sigmoid, computes something else: not a gate SEBlock can copy."""

    def forward(self, x):
        return 2 * x


class MySigmoid(nn.Sigmoid):
    """A subclass of torch's sigmoid: still a sigmoid."""


def test_gate_is_recognised_by_type_not_by_name():
    with pytest.raises(
        ValueError,
        match=r"has a gate of type Sigmoid; SEBlock supports sigmoid, hardsigmoid, tanh, relu, "
        r"recognised by class .* and test_inputs\.Sigmoid is none of them",
    ):
        se.SEBlock.from_torchvision(SqueezeExcitation(8, 2, scale_activation=Sigmoid))
    timm_module = SEModule(8)
    timm_module.gate = Sigmoid()
    with pytest.raises(ValueError, match=r"this SEModule has a gate of type Sigmoid; .*test_inputs\.Sigmoid is none"):
        se.SEBlock.from_timm(timm_module)
    m = SqueezeExcitation(8, 2, scale_activation=MySigmoid)
    assert se.SEBlock.from_torchvision(m).excitation.gate_name == "sigmoid"


@pytest.mark.parametrize(
    "gate, name",
    [
        (timm_act.Sigmoid, "sigmoid"),
        (timm_act.Tanh, "tanh"),
        (timm_act.HardSigmoid, "hardsigmoid"),
        ("hard_sigmoid", "hardsigmoid"),
        (nn.ReLU, "relu"),
    ],
)
def test_timm_gates_are_recognised(gate, name):
    m = SEModule(16, rd_channels=4, gate_layer=gate).eval()
    block = se.SEBlock.from_timm(m)
    assert block.excitation.gate_name == name
    x = torch.randn(2, 16, 3, 3)
    torch.testing.assert_close(block(x), m(x))


def test_unsupported_timm_gate():
    with pytest.raises(ValueError, match=r"this SEModule has a gate of type GELU; SEBlock supports"):
        se.SEBlock.from_timm(SEModule(16, gate_layer=nn.GELU))
    assert timm.__version__  # timm's classes are the ones checked above
