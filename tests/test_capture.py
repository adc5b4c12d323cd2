import pytest
import timm
import torch
from timm.layers import SEModule
from torch import nn
from torchvision import models as tvm
from torchvision.ops import SqueezeExcitation

import se_tutorial as se
from se_tutorial.models import small_resnet


def _own_recomputation(module, x):
    """z and s of one SE module, computed from its own layers and its input x (N, C, H, W)."""
    if isinstance(module, se.SEBlock):
        z = se.squeeze(x, module.squeeze_mode)
        return z, module.excitation(z)
    if isinstance(module, SqueezeExcitation):
        z = module.avgpool(x)
        return z.flatten(1), module.scale_activation(module.fc2(module.activation(module.fc1(z)))).flatten(1)
    if isinstance(module, SEModule):
        z = x.mean((2, 3), keepdim=True)
        return z.flatten(1), module.gate(module.fc2(module.act(module.bn(module.fc1(z))))).flatten(1)
    raise AssertionError(type(module))


def _check_model(model, x, expected_type, expected_count):
    model.eval()
    inputs = {}
    handles = [
        m.register_forward_pre_hook(lambda mod, args, name=name: inputs.__setitem__(name, args[0].detach()))
        for name, m in se.se_modules(model).items()
    ]
    with torch.no_grad(), se.capture(model) as rec:
        model(x)
    for h in handles:
        h.remove()
    modules = se.se_modules(model)
    assert len(modules) == expected_count
    assert all(isinstance(m, expected_type) for m in modules.values())
    assert list(rec.excitations) == list(rec.squeezes) == list(inputs), "one entry per SE module, in forward order"
    for name, m in modules.items():
        z, s = _own_recomputation(m, inputs[name])
        c = inputs[name].shape[1]
        assert rec.squeezes[name].shape == rec.excitations[name].shape == (len(x), c)
        assert not rec.excitations[name].requires_grad and rec.excitations[name].device.type == "cpu"
        torch.testing.assert_close(rec.squeezes[name], z.detach())
        torch.testing.assert_close(rec.excitations[name], s.detach())
    return rec


def test_package_small_resnet():
    torch.manual_seed(0)
    rec = _check_model(small_resnet(se="standard", blocks=(2, 1, 1)), torch.rand(3, 1, 28, 28), se.SEBlock, 4)
    assert list(rec.excitations) == ["stage1.0.se", "stage1.1.se", "stage2.0.se", "stage3.0.se"]


@pytest.mark.parametrize("variant", ["pre", "post", "identity"])
def test_package_variants(variant):
    torch.manual_seed(0)
    _check_model(small_resnet(se=variant), torch.rand(2, 1, 28, 28), se.SEBlock, 3)


def test_package_resnet50():
    torch.manual_seed(0)
    _check_model(se.models.resnet50(se="standard"), torch.randn(1, 3, 64, 64), se.SEBlock, 16)


@pytest.mark.parametrize("arch, count", [("mobilenet_v3_small", 9), ("efficientnet_b0", 16), ("regnet_y_400mf", 16)])
def test_torchvision_models(arch, count):
    torch.manual_seed(0)
    _check_model(tvm.get_model(arch, weights=None), torch.randn(2, 3, 64, 64), SqueezeExcitation, count)


def test_timm_seresnet50():
    torch.manual_seed(0)
    _check_model(timm.create_model("seresnet50"), torch.randn(2, 3, 64, 64), SEModule, 16)


def test_batches_accumulate_along_n():
    torch.manual_seed(0)
    model = small_resnet(se="standard").eval()
    x = torch.rand(7, 1, 28, 28)
    with torch.no_grad():
        with se.capture(model) as whole:
            model(x)
        with se.capture(model) as parts:
            model(x[:3])
            model(x[3:5])
            model(x[5:])
    for name in whole.excitations:
        assert parts.excitations[name].shape[0] == 7
        torch.testing.assert_close(parts.excitations[name], whole.excitations[name])
        torch.testing.assert_close(parts.squeezes[name], whole.squeezes[name])
    assert "7 images" in repr(parts)
    parts.clear()
    assert parts.excitations == {}


def test_hooks_are_removed_afterwards():
    model = small_resnet(se="standard")
    with se.capture(model) as rec:
        model(torch.rand(1, 1, 28, 28))
    model(torch.rand(4, 1, 28, 28))
    assert rec.excitations["stage1.0.se"].shape == (1, 16)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_model_without_se():
    with pytest.raises(
        ValueError,
        match=r"SmallResNet has no SE module that capture knows; looked for: .*SEBlock.*SqueezeExcitation.*SEModule",
    ):
        with se.capture(small_resnet()):
            pass
    with pytest.raises(ValueError, match="has no SE module"):
        with se.capture(tvm.resnet18()):
            pass


class GatedPool(nn.Module):
    """A home-made attention module: it takes part through se_tutorial.recording.register."""

    def __init__(self, c):
        super().__init__()
        self.pool = nn.AdaptiveMaxPool2d(1)
        self.mlp = nn.Conv2d(c, c, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        return x * self.gate(self.mlp(self.pool(x)))


def test_other_modules_take_part_by_registering():
    model = nn.Sequential(nn.Conv2d(3, 6, 3), GatedPool(6))
    with pytest.raises(ValueError):
        with se.capture(model):
            pass
    se.recording.register(GatedPool, squeeze="pool", squeeze_side="output", excitation="gate")
    try:
        x = torch.randn(2, 3, 8, 8)
        with se.capture(model) as rec:
            model(x)
        u = model[0](x)
        torch.testing.assert_close(rec.squeezes["1"], u.amax((2, 3)).detach())
        torch.testing.assert_close(
            rec.excitations["1"], torch.sigmoid(model[1].mlp(u.amax((2, 3), keepdim=True))).flatten(1).detach()
        )
    finally:
        from se_tutorial.recording import _REGISTRY

        _REGISTRY.pop(GatedPool)
    with pytest.raises(ValueError, match="squeeze_side must be 'input' or 'output'"):
        se.recording.register(GatedPool, squeeze="pool", excitation="gate", squeeze_side="left")


# --------------------------------------------------------------------------- the modules beyond SE


def test_attention_modules_channel_weights_and_spatial_maps():
    from se_tutorial import attention as A

    torch.manual_seed(0)
    expected = {
        "spatial": ([], ["attn"]),
        "cbam": (["attn.channel"], ["attn.spatial"]),
        "eca": (["attn"], []),
        "scse": (["attn.cse"], ["attn.sse"]),
        "coord": ([], ["attn"]),
    }
    x = torch.rand(2, 1, 28, 28)
    for name, (channel, spatial) in expected.items():
        model = small_resnet(attention=name).eval()
        inputs = {}
        watched = {**se.se_modules(model), **se.spatial_modules(model)}
        handles = [
            m.register_forward_pre_hook(lambda mod, args, n=n, inputs=inputs: inputs.__setitem__(n, args[0].detach()))
            for n, m in watched.items()
        ]
        with torch.no_grad(), se.capture(model) as rec:
            model(x)
        for h in handles:
            h.remove()
        stages = [f"stage{k}.0." for k in (1, 2, 3)]
        assert list(rec.excitations) == [s + c for s in stages for c in channel], name
        assert list(rec.spatial_maps) == rec.spatial_names == [s + c for s in stages for c in spatial], name
        for n, s in rec.excitations.items():
            u = inputs[n]
            m = model.get_submodule(n)
            torch.testing.assert_close(rec.squeezes[n], u.mean((2, 3)))
            if isinstance(m, A.ECA):
                want = torch.sigmoid(m.conv(u.mean((2, 3))[:, None]))[:, 0]
            elif isinstance(m, A.ChannelAttention):
                want = torch.sigmoid(m.mlp(u.mean((2, 3))) + m.mlp(u.amax((2, 3))))
            else:
                want = m.excitation(u.mean((2, 3)))
            torch.testing.assert_close(s, want)
        for n, maps in rec.spatial_maps.items():
            u, m = inputs[n], model.get_submodule(n)
            assert maps.shape == (2, *u.shape[2:])
            if isinstance(m, A.CoordAttention):  # the weight of channel c at (i, j), averaged over c
                want = (m(u) / u).mean(1)
            elif isinstance(m, A.SpatialSE):
                want = torch.sigmoid(m.conv(u))[:, 0]
            else:
                want = m.attention_map(u)[:, 0]
            torch.testing.assert_close(maps, want, rtol=1e-4, atol=1e-5)
        assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_spatial_maps_accumulate_and_clear():
    model = small_resnet(attention="coord").eval()
    with se.capture(model) as rec:
        model(torch.rand(1, 1, 28, 28))
        model(torch.rand(3, 1, 28, 28))
    assert rec.spatial_maps["stage3.0.attn"].shape == (4, 7, 7)
    assert "3 spatial gates, 4 images" in repr(rec)
    rec.clear()
    assert rec.spatial_maps == {}
    with pytest.raises(ValueError, match="gate must be a sub-module name or a pair"):
        se.recording.register_spatial(GatedPool, gate=("a", "b", "c"))


# --------------------------------------------------------------------------- where the recorder lives


def test_the_recorder_module_is_not_shadowed_by_the_function():
    import importlib

    from se_tutorial import recording

    assert callable(se.capture) and se.capture is recording.capture  # se.capture stays the function
    assert se.recording is recording and se.recording.Recorder.__name__ == "Recorder"
    assert se.recording.register and se.recording.register_spatial and se.recording.excitation_output
    assert se.se_modules is recording.se_modules and se.spatial_modules is recording.spatial_modules
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("se_tutorial.capture")  # no module of the function's name to shadow


@pytest.mark.parametrize(
    "old, new", [("capture_register", "register"), ("capture_register_spatial", "register_spatial")]
)
def test_the_old_register_names_are_gone_and_say_where_to(old, new):
    with pytest.raises(AttributeError, match=rf"se_tutorial\.{old} was removed; use se_tutorial\.recording\.{new} "):
        getattr(se, old)
    assert not hasattr(se, old) and old not in se.__all__ and old not in dir(se)
