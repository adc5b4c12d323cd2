"""ImageNet-pretrained SE networks: from torchvision's cache, or a clear error offline."""

import urllib.error

import pytest
import torch
import torch.hub
from torchvision.models import get_model

import se_tutorial as se
from se_tutorial.imagenet import weights_path


@pytest.fixture
def torch_home(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(torch.hub, "_hub_dir", None)  # let TORCH_HOME decide, as in a fresh process

    def no_network(url, dst, *args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    return tmp_path / "torch"


def test_cache_file_is_torchvisions_own(torch_home):
    weights, path = weights_path("regnet_y_400mf")
    assert path == torch_home / "hub" / "checkpoints" / "regnet_y_400mf-e6988f5f.pth"
    assert weights.url.endswith("/regnet_y_400mf-e6988f5f.pth")


def test_offline_without_cache_raises_the_package_error(torch_home):
    with pytest.raises(
        se.WeightsUnavailableError,
        match=r"unavailable: not in torchvision's cache.*regnet_y_400mf-e6988f5f\.pth"
        r".*download failed \(URLError.*gives up after 60 s.*TORCH_HOME",
    ):
        se.imagenet_model("regnet_y_400mf")
    with pytest.raises(se.WeightsUnavailableError, match="not in torchvision's cache"):
        se.imagenet_model("regnet_y_400mf", download=False)


@pytest.mark.parametrize("arch", ["regnet_y_400mf", "mobilenet_v3_small"])
def test_cached_weights_are_used(torch_home, arch):
    weights, path = weights_path(arch)
    torch.manual_seed(0)
    fake = get_model(arch, weights=None).state_dict()  # random weights under torchvision's exact file name
    path.parent.mkdir(parents=True)
    torch.save(fake, path)
    result = se.imagenet_model(arch)
    assert not result.model.training
    assert len(result.categories) == 1000 and result.categories[0] == "tench"
    for key, value in fake.items():
        torch.testing.assert_close(result.model.state_dict()[key], value)
    image = torch.randint(0, 256, (3, 300, 400), dtype=torch.uint8)
    x = result.transforms(image)
    assert x.shape == (3, 224, 224)
    with torch.no_grad(), se.capture(result.model) as rec:
        assert result.model(x[None]).shape == (1, 1000)
    assert len(rec.excitations) >= 9


def test_architecture_without_se():
    with pytest.raises(ValueError, match="unknown or SE-free architecture 'resnet50'"):
        se.imagenet_model("resnet50")
