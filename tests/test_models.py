import pytest
import timm
import torch
import torchvision

import se_tutorial as se
from se_tutorial.models import SE_VARIANTS, resnet50, small_resnet


def n_params(model):
    return sum(p.numel() for p in model.parameters())


def test_resnet50_parameter_counts():
    assert n_params(resnet50()) == 25_557_032 == n_params(torchvision.models.resnet50())
    assert n_params(resnet50(se="standard")) == 28_088_024 == n_params(timm.create_model("seresnet50"))
    assert n_params(resnet50(se="standard", stride_in_1x1=True)) == 28_088_024
    # SE adds the paper's Eq. 5 (2/r)·Σ N_s·C_s² = 2,514,944 weights plus 16,048 biases
    assert n_params(resnet50(se="standard")) - n_params(resnet50()) == 2_514_944 + 16_048


def test_resnet50_se_names_and_places():
    model = resnet50(se="standard")
    names = [n for n, m in model.named_modules() if isinstance(m, se.SEBlock)]
    assert len(names) == 16 and names[0] == "layer1.0.se" and names[-1] == "layer4.2.se"
    assert [model.get_submodule(n).channels for n in ("layer1.0.se", "layer2.0.se", "layer3.0.se", "layer4.0.se")] == [
        256,
        512,
        1024,
        2048,
    ]
    assert not any(isinstance(m, se.SEBlock) for m in resnet50().modules())


def test_resnet50_se_means_what_it_means_in_small_resnet():
    """``se`` names a position or is None, in resnet50 as in small_resnet; the old bools still work, with a warning."""
    with pytest.warns(DeprecationWarning, match=r"resnet50\(se=True\) is deprecated; use se='standard'"):
        with_se = resnet50(se=True)
    with pytest.warns(DeprecationWarning, match=r"resnet50\(se=False\) is deprecated; use se=None"):
        without = resnet50(se=False)
    assert n_params(with_se) == n_params(resnet50(se="standard")) and n_params(without) == n_params(resnet50())
    for position in ("pre", "post", "identity", "yes", 1):
        with pytest.raises(ValueError, match=r"resnet50 builds se=None or se='standard'"):
            resnet50(se=position)


def test_resnet50_stride_placement():
    tv = resnet50()
    caffe = resnet50(stride_in_1x1=True)
    assert tv.layer2[0].conv1.stride == (1, 1) and tv.layer2[0].conv2.stride == (2, 2)
    assert caffe.layer2[0].conv1.stride == (2, 2) and caffe.layer2[0].conv2.stride == (1, 1)
    assert caffe.layer1[0].conv1.stride == (1, 1)  # stage 1 does not downsample
    x = torch.randn(1, 3, 64, 64)
    assert caffe.eval()(x).shape == tv.eval()(x).shape == (1, 1000)


def test_resnet50_with_se_equals_timm_layout():
    # Same function as timm's seresnet50 once weights are copied (SE after bn3, before the sum).
    ours, theirs = resnet50(se="standard").eval(), timm.create_model("seresnet50").eval()
    ours_sd = ours.state_dict()
    theirs_sd = theirs.state_dict()
    mapped = {}
    for key, value in theirs_sd.items():
        k = key.replace(".se.fc1.weight", ".se.excitation.fc1.weight").replace(
            ".se.fc2.weight", ".se.excitation.fc2.weight"
        )
        k = k.replace(".se.fc1.bias", ".se.excitation.fc1.bias").replace(".se.fc2.bias", ".se.excitation.fc2.bias")
        mapped[k] = value.flatten(1) if ".se.excitation." in k and value.dim() == 4 else value
    assert set(mapped) == set(ours_sd)
    ours.load_state_dict(mapped)
    x = torch.randn(1, 3, 64, 64)
    torch.testing.assert_close(ours(x), theirs(x), atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("variant", SE_VARIANTS)
def test_small_resnet_variants(variant):
    torch.manual_seed(0)
    model = small_resnet(se=variant, blocks=(2, 1, 1))
    x = torch.rand(3, 1, 28, 28)
    assert model(x).shape == (3, 10)
    names = [n for n, m in model.named_modules() if isinstance(m, se.SEBlock)]
    if variant is None:
        assert names == []
    else:
        assert names == ["stage1.0.se", "stage1.1.se", "stage2.0.se", "stage3.0.se"]
        first = model.get_submodule("stage2.0.se").channels
        assert first == (16 if variant == "pre" else 32)  # SE-PRE sees the block's input


def test_small_resnet_variants_compute_what_they_say():
    torch.manual_seed(0)
    x = torch.randn(2, 16, 8, 8)
    for variant in ("standard", "pre", "post", "identity"):
        block = se.models.BasicBlock(16, 16, se=variant).eval()

        def branch(t, block=block):
            return block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(t)))))

        expected = {
            "standard": torch.relu(x + block.se(branch(x))),
            "pre": torch.relu(x + branch(block.se(x))),
            "post": block.se(torch.relu(x + branch(x))),
            "identity": torch.relu(block.se(x) + branch(x)),
        }[variant]
        torch.testing.assert_close(block(x), expected)


def test_small_resnet_sizes_and_options():
    assert n_params(small_resnet()) == 77_754
    assert n_params(small_resnet(se="standard")) - n_params(small_resnet()) == sum(
        se.excitation_params(c, 4) for c in (16, 32, 64)
    )
    model = small_resnet(se="standard", gate="tanh", squeeze="max", reduction=8, num_classes=3, in_channels=3)
    assert model(torch.rand(2, 3, 28, 28)).shape == (2, 3)
    block = model.get_submodule("stage3.0.se")
    assert block.squeeze_mode == "max" and block.excitation.gate_name == "tanh" and block.excitation.hidden == 8


def test_model_normalises_its_own_input():
    model = small_resnet()
    assert model.normalize(torch.full((1, 1, 2, 2), 0.2860)).abs().max() < 1e-6


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(se="after"), "unknown se variant 'after'"),
        (dict(widths=(16, 32)), "give 3 widths and 3 block counts"),
        (dict(blocks=(1, 0, 1)), "each block count must be a positive integer; got 0"),
        (dict(se="standard", reduction=0), "reduction must be a positive integer"),
    ],
)
def test_small_resnet_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_resnet(**kwargs)


def test_small_resnet_rank_error():
    with pytest.raises(ValueError, match=r"expects images of shape \(N, C, H, W\); got shape \(1, 28, 28\)"):
        small_resnet()(torch.rand(1, 28, 28))


@pytest.mark.parametrize("attention", ["spatial", "cbam", "eca", "scse", "coord"])
def test_small_resnet_puts_other_attention_modules_where_se_goes(attention):
    from se_tutorial import attention as A

    torch.manual_seed(0)
    model = small_resnet(attention=attention)
    assert model(torch.rand(1, 1, 28, 28)).shape == (1, 10)
    names = [n for n, _ in model.named_children()]
    modules = {n: m for n, m in model.named_modules() if n.endswith(".attn")}
    assert list(modules) == ["stage1.0.attn", "stage2.0.attn", "stage3.0.attn"]
    assert not any(isinstance(m, se.SEBlock) and n.endswith(".se") for n, m in model.named_modules())
    added = sum(A.formula_params(attention, c, reduction=4) for c in (16, 32, 64))
    assert n_params(model) - n_params(small_resnet()) == added
    assert names[:2] == ["normalize", "stem"]
    # standard position: relu(x + attn(F(x)))
    block = se.models.BasicBlock(16, 16, attention=attention).eval()
    x = torch.randn(2, 16, 8, 8)
    branch = block.bn2(block.conv2(torch.relu(block.bn1(block.conv1(x)))))
    torch.testing.assert_close(block(x), torch.relu(x + block.attn(branch)))
    pre = se.models.BasicBlock(16, 32, 2, se="pre", attention=attention).eval()
    assert pre(torch.randn(2, 16, 8, 8)).shape == (2, 32, 4, 4)


def test_attention_se_is_the_se_block_and_unknown_names_are_refused():
    torch.manual_seed(0)
    a = small_resnet(se="standard")
    torch.manual_seed(0)
    b = small_resnet(se="standard", attention="se")
    assert list(a.state_dict()) == list(b.state_dict())
    with pytest.raises(ValueError, match="unknown attention 'bam'"):
        small_resnet(attention="bam")


def test_add_gate_is_the_one_place_gates_are_put():
    from se_tutorial.models import BasicBlock, add_gate, add_gates

    block = add_gate(BasicBlock(8, 16, 2), "pre", reduction=2)
    assert block.se.excitation.fc1.in_features == 8 and block.variant == "pre"  # "pre" sees C_in
    with pytest.raises(ValueError, match="already has a gate"):
        add_gate(block, "standard")
    with pytest.raises(ValueError, match="se variant"):
        add_gate(BasicBlock(8, 8), None)
    opened = add_gate(BasicBlock(8, 8), gate_start=0.95)
    assert torch.allclose(torch.sigmoid(opened.se.excitation.fc2.bias), torch.tensor(0.95))
    with pytest.raises(ValueError, match="gate_start"):
        add_gate(BasicBlock(8, 8), gate="tanh", gate_start=0.9)
    model = add_gates(small_resnet(), "standard", stages=(3,), attention="eca")
    assert [n for n, _ in model.named_modules() if n.endswith(".attn")] == ["stage3.0.attn"]
    with pytest.raises(ValueError, match="stage"):
        add_gates(small_resnet(), stages=(4,))


# --------------------------------------------------------------------------- notebook 04's multi-scale head


def test_se_pyramid_classifier_shapes_and_what_se_adds():
    from se_tutorial.excitation import excitation_params
    from se_tutorial.models import SEPyramidClassifier

    x = torch.rand(2, 1, 28, 28)
    torch.manual_seed(0)
    with_se = SEPyramidClassifier(width=24, reduction=4)
    torch.manual_seed(0)
    without = SEPyramidClassifier(width=24, reduction=4, se=None)
    assert [tuple(p.shape) for p in with_se.levels(x)] == [(2, 24, 28, 28), (2, 24, 14, 14), (2, 24, 7, 7)]
    assert with_se(x).shape == (2, 10) and SEPyramidClassifier(num_classes=3)(x).shape == (2, 3)
    n = sum(p.numel() for p in with_se.parameters()) - sum(p.numel() for p in without.parameters())
    assert n == 3 * excitation_params(24, 4)
    assert all(isinstance(m, torch.nn.Identity) for m in without.se)
    # the same seed gives the same backbone and lateral convolutions (the classifier is made after the blocks)
    shared = {k: v for k, v in with_se.named_parameters() if k.startswith(("backbone.", "lateral."))}
    assert len(shared) > 10
    assert all(torch.equal(v, dict(without.named_parameters())[k]) for k, v in shared.items())


def test_se_pyramid_classifier_refuses_bad_arguments():
    from se_tutorial.models import SEPyramidClassifier

    with pytest.raises(ValueError, match=r"unknown se True; expected one of 'standard', None"):
        SEPyramidClassifier(se=True)
    with pytest.raises(ValueError, match="width"):
        SEPyramidClassifier(width=0)
