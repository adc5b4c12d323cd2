"""The attention modules beyond SE: shapes, parameter counts, ECA's kernel rule, hand-computed examples, errors."""

import math
import re

import pytest
import torch

from se_tutorial import attention as A
from se_tutorial.cost import params

sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731  the sigmoid, on plain numbers
NAMES = ["spatial", "cbam", "eca", "scse", "coord"]


def _set(param, values):
    with torch.no_grad():
        param.copy_(torch.as_tensor(values, dtype=param.dtype).reshape(param.shape))


# --------------------------------------------------------------------------- shapes


@pytest.mark.parametrize("name", ["se", *NAMES])
@pytest.mark.parametrize("channels", [1, 2, 3, 16, 64])
@pytest.mark.parametrize("shape", [(1, 1, 1), (2, 5, 3), (1, 3, 8), (4, 7, 7)])
@pytest.mark.parametrize("train", [True, False])
def test_output_shape_equals_input_shape(name, channels, shape, train):
    """Also batch 1 with a 1×1 map in training mode (where BatchNorm on (N, C, 1, 1) would fail)."""
    torch.manual_seed(0)
    n, h, w = shape
    module = A.make(name, channels, reduction=4).train(train)
    x = torch.randn(n, channels, h, w, requires_grad=True)
    y = module(x)
    assert y.shape == x.shape and torch.isfinite(y).all()
    y.sum().backward()
    assert x.grad.shape == x.shape and torch.isfinite(x.grad).all()


def test_cbam_paper_shapes_and_coordinate_attention_batch_one_in_training():
    x = torch.randn(2, 256, 14, 14)
    assert A.CBAM(256)(x).shape == x.shape and A.ECA(256)(x).shape == x.shape
    ca = A.CoordAttention(64).train()
    y = ca(torch.randn(1, 64, 1, 1))  # BN sees the row and the column strip: 2 values per channel
    assert y.shape == (1, 64, 1, 1) and torch.isfinite(y).all()


# --------------------------------------------------------------------------- parameter counts


@pytest.mark.parametrize("channels", [1, 3, 16, 64, 100, 256, 2048])
@pytest.mark.parametrize("r", [2, 4, 16])
def test_parameter_counts_equal_the_documented_formulas(channels, r):
    c = channels
    h = max(1, c // r)
    m = max(8, c // 32)
    expected = {
        "se": 2 * c * h + h + c,
        "spatial": 2 * 7 * 7 + 1,
        "cbam": 2 * c * h + h + c + 2 * 7 * 7 + 1,
        "scse": 2 * c * h + h + c + c + 1,
        "coord": 3 * c * m + 3 * m + 2 * c,
    }
    for name, count in expected.items():
        assert params(A.make(name, c, reduction=r)) == count == A.formula_params(name, c, reduction=r), name
    assert params(A.ECA(c)) == A.eca_kernel_size(c) == A.formula_params("eca", c)
    assert params(A.SpatialAttention(3)) == 2 * 9 + 1 == A.spatial_params(3)
    assert params(A.ECA(c, kernel_size=9)) == 9 == A.eca_params(c, 9)


def test_parameter_counts_for_c_256_by_hand():
    assert A.formula_params("se", 256) == 8_464  # 2·256·16 + 16 + 256
    assert A.formula_params("cbam", 256) == 8_563  # + 2·49 + 1
    assert A.formula_params("eca", 256) == 5  # k = 5, no bias
    assert A.formula_params("scse", 256, reduction=2) == 66_177  # 2·256·128 + 128 + 256 + 257
    assert A.formula_params("coord", 256) == 6_680  # 3·256·8 + 3·8 + 2·256
    assert A.formula_params("spatial", 256) == 99


# --------------------------------------------------------------------------- ECA's kernel size


#: k by hand: (log2(C) + 1) / 2, then the nearest odd number; exact ties (C = 8, 128, 2048, ...) go up.
ECA_K_BY_HAND = {
    1: 1,  # 0.5
    2: 1,  # 1.0
    4: 1,  # 1.5
    7: 1,  # 1.90
    8: 3,  # 2.0, tie 1|3
    16: 3,  # 2.5
    24: 3,  # 2.79
    32: 3,  # 3.0
    64: 3,  # 3.5
    100: 3,  # 3.82
    128: 5,  # 4.0, tie 3|5
    200: 5,  # 4.32
    256: 5,  # 4.5
    512: 5,  # 5.0
    1000: 5,  # 5.48
    1024: 5,  # 5.5
    2048: 7,  # 6.0, tie 5|7
    4096: 7,  # 6.5
}


@pytest.mark.parametrize("channels,k", ECA_K_BY_HAND.items())
def test_eca_kernel_size_table(channels, k):
    assert A.eca_kernel_size(channels) == k
    assert A.ECA(channels).conv.kernel_size == (k,)


def test_eca_kernel_size_is_the_nearest_odd_number_ties_up():
    for c in range(16, 2049):
        v = (math.log2(c) + 1) / 2
        odd = [o for o in range(1, 12, 2)]
        best = min(abs(v - o) for o in odd)
        nearest = [o for o in odd if abs(abs(v - o) - best) < 1e-12]
        assert A.eca_kernel_size(c) == max(nearest), c


def test_eca_rule_against_the_released_kernel_sizes():
    """The released ECA-ResNet-50 used k = 3, 5, 5, 7 by stage; the rule on what the layer sees gives 5, 5, 5, 7."""
    assert [A.eca_kernel_size(c) for c in (256, 512, 1024, 2048)] == [5, 5, 5, 7]
    assert [A.eca_kernel_size(c) for c in (64, 128, 256, 512)] == [3, 5, 5, 5]  # on the bottleneck width
    assert A.eca_kernel_size(64, gamma=1, b=0) == 7  # log2(64) = 6 → 7


# --------------------------------------------------------------------------- hand-computed examples

# The running example: one image, two channels, a 1×2 map.  channel 0: [1, 3]; channel 1: [3, -1].
X = torch.tensor([[[[1.0, 3.0]], [[3.0, -1.0]]]])
# mean over channels: [2, 1]; max over channels: [3, 3]; average per channel: [2, 1]; max per channel: [3, 3].


def test_spatial_attention_by_hand():
    sa = A.SpatialAttention(3)
    assert torch.equal(sa(X), 0.5 * X)  # zero initialisation: 0.5 everywhere
    w = torch.zeros(1, 2, 3, 3)
    w[0, 0, 1, 1], w[0, 1, 1, 1] = 0.5, -1.0  # centre taps: 0.5·mean − max
    w[0, 0, 1, 2] = 1.0  # plus the mean of the right-hand neighbour
    _set(sa.conv.weight, w)
    _set(sa.conv.bias, [0.25])
    a = [sig(0.5 * 2 - 3 + 1 * 1 + 0.25), sig(0.5 * 1 - 3 + 0 + 0.25)]  # the right edge sees zero padding
    expected = torch.tensor([[[[1 * a[0], 3 * a[1]]], [[3 * a[0], -1 * a[1]]]]])
    torch.testing.assert_close(sa(X), expected)
    torch.testing.assert_close(sa.attention_map(X), torch.tensor(a).reshape(1, 1, 1, 2))


def test_cbam_by_hand():
    cbam = A.CBAM(2, reduction=2, kernel_size=3)
    fc1, fc2 = cbam.channel.mlp[0], cbam.channel.mlp[2]
    _set(fc1.weight, [[1.0, -1.0]])
    _set(fc1.bias, [0.0])
    _set(fc2.weight, [[2.0], [-1.0]])
    _set(fc2.bias, [0.5, 0.0])
    # MLP(avg = [2, 1]) = [2·1 + 0.5, -1·1] = [2.5, -1];  MLP(max = [3, 3]) = relu(0) → [0.5, 0]
    s = [sig(2.5 + 0.5), sig(-1 + 0)]
    xc = torch.tensor([[[[1 * s[0], 3 * s[0]]], [[3 * s[1], -1 * s[1]]]]])
    torch.testing.assert_close(cbam.channel(X), xc)
    torch.testing.assert_close(cbam(X), 0.5 * xc)  # the spatial gate starts at 0.5
    _set(cbam.spatial.conv.bias, [math.log(3)])  # σ(ln 3) = 3/4 everywhere
    torch.testing.assert_close(cbam(X), 0.75 * xc)


def test_eca_by_hand():
    eca = A.ECA(4, kernel_size=3)
    _set(eca.conv.weight, [0.5, 1.0, -1.0])  # out_i = 0.5 z_{i-1} + z_i - z_{i+1}, zero padding
    z = [1.0, 2.0, 3.0, 4.0]
    x = torch.tensor([[[[zc + 1], [zc - 1]] for zc in z]])  # (1, 4, 2, 1): channel c averages to z_c
    logits = [0 + 1 - 2, 0.5 + 2 - 3, 1 + 3 - 4, 1.5 + 4 - 0]
    expected = torch.tensor([[[[(zc + 1) * sig(logit)], [(zc - 1) * sig(logit)]] for zc, logit in zip(z, logits)]])
    torch.testing.assert_close(eca(x), expected)
    assert eca.conv.bias is None


@pytest.mark.parametrize("combine", ["max", "add"])
def test_scse_by_hand(combine):
    scse = A.SCSE(2, reduction=2, combine=combine)
    _set(scse.cse.excitation.fc1.weight, [[1.0, -1.0]])
    _set(scse.cse.excitation.fc1.bias, [0.0])
    _set(scse.cse.excitation.fc2.weight, [[1.0], [-1.0]])
    _set(scse.cse.excitation.fc2.bias, [0.0, 0.0])
    _set(scse.sse.conv.weight, [1.0, -1.0])
    _set(scse.sse.conv.bias, [0.0])
    s = [sig(1.0), sig(-1.0)]  # z = [2, 1] → fc1: 1 → fc2: [1, -1]
    a = [sig(1 - 3), sig(3 - (-1))]  # position j: x0 - x1
    x = [[1.0, 3.0], [3.0, -1.0]]
    c = [[x[k][j] * s[k] for j in range(2)] for k in range(2)]
    p = [[x[k][j] * a[j] for j in range(2)] for k in range(2)]
    combined = [
        [(max if combine == "max" else lambda u, v: u + v)(c[k][j], p[k][j]) for j in range(2)] for k in range(2)
    ]
    torch.testing.assert_close(scse(X), torch.tensor(combined).reshape(1, 2, 1, 2))


def test_coordinate_attention_by_hand():
    ca = A.CoordAttention(2, reduction=2, min_mid=1).eval()  # m = 1; BN with fresh statistics: v / sqrt(1 + eps)
    assert ca.mid == 1
    _set(ca.conv1.weight, [1.0, 1.0])
    _set(ca.conv1.bias, [0.0])
    _set(ca.conv_h.weight, [1.0, -1.0])
    _set(ca.conv_h.bias, [0.0, 0.5])
    _set(ca.conv_w.weight, [2.0, 0.0])
    _set(ca.conv_w.bias, [0.0, 1.0])
    x = [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0], [2.0, -2.0]]]
    row_mean = [[sum(r) / 2 for r in ch] for ch in x]  # [[1.5, 3.5], [0, 0]]
    col_mean = [[(ch[0][j] + ch[1][j]) / 2 for j in range(2)] for ch in x]  # [[2, 3], [1, -1]]
    hswish = lambda v: v * min(max(v + 3, 0), 6) / 6  # noqa: E731
    f = lambda v: hswish(v / math.sqrt(1 + 1e-5))  # noqa: E731
    f_h = [f(row_mean[0][i] + row_mean[1][i]) for i in range(2)]
    f_w = [f(col_mean[0][j] + col_mean[1][j]) for j in range(2)]
    a_h = [[sig(f_h[i]) for i in range(2)], [sig(-f_h[i] + 0.5) for i in range(2)]]
    a_w = [[sig(2 * f_w[j]) for j in range(2)], [sig(1.0) for _ in range(2)]]
    expected = [[[x[c][i][j] * a_h[c][i] * a_w[c][j] for j in range(2)] for i in range(2)] for c in range(2)]
    torch.testing.assert_close(ca(torch.tensor([x])), torch.tensor([expected]))


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["se", *NAMES])
def test_bad_input_is_refused_clearly(name):
    module = A.make(name, 8, reduction=4)
    with pytest.raises(ValueError, match=r"4-D tensor of shape \(N, C, H, W\)"):
        module(torch.randn(8, 5, 5))
    with pytest.raises(ValueError, match="torch.Tensor"):
        module([[1.0]])
    if name != "spatial":  # the spatial gate works for any number of channels
        with pytest.raises(ValueError, match="built for 8 channels but the input has 6"):
            module(torch.randn(2, 6, 5, 5))


def test_bad_settings_are_refused_clearly():
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        A.ECA(16, kernel_size=4)
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        A.SpatialAttention(6)
    with pytest.raises(ValueError, match="kernel_size must be a positive integer"):
        A.CBAM(16, kernel_size=0)
    with pytest.raises(ValueError, match="channels must be a positive integer"):
        A.ECA(0)
    with pytest.raises(ValueError, match="channels must be a positive integer"):
        A.CoordAttention(-4)
    with pytest.raises(ValueError, match="reduction must be a positive integer"):
        A.CBAM(16, reduction=0)
    with pytest.raises(ValueError, match="gamma must be a positive number"):
        A.eca_kernel_size(16, gamma=0)
    with pytest.raises(ValueError, match=r"unknown scSE combine 'mean'; expected one of 'max', 'add'"):
        A.SCSE(16, combine="mean")
    with pytest.raises(ValueError, match="unknown attention 'bam'"):
        A.make("bam", 16)


@pytest.mark.parametrize("name", ["bam", "SE", "", None, ["se"]], ids=repr)
def test_one_registry_refuses_unknown_names_in_make_and_formula_params(name):
    known = "expected one of 'se', 'spatial', 'cbam', 'eca', 'scse', 'coord'"
    with pytest.raises(ValueError, match=f"^unknown attention {re.escape(repr(name))}; {known}\\.$"):
        A.make(name, 16)
    with pytest.raises(ValueError, match=f"^unknown attention {re.escape(repr(name))}; {known}\\.$"):
        A.formula_params(name, 16)


def test_make_and_formula_params_know_the_same_modules():
    assert A.ATTENTIONS == ("se", "spatial", "cbam", "eca", "scse", "coord")
    for name in A.ATTENTIONS:  # every name builds, and its count is the built module's
        assert params(A.make(name, 32, reduction=8)) == A.formula_params(name, 32, reduction=8), name


def test_the_old_name_params_warns_and_still_counts():
    with pytest.warns(DeprecationWarning, match="use se_tutorial.attention.formula_params"):
        assert A.params("cbam", 256) == A.formula_params("cbam", 256)
