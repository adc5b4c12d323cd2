import numpy as np
import pytest
import torch

import se_tutorial as se


def test_all_photos_load_with_attribution():
    photos = se.data.photos()
    assert set(photos) == set(se.data.PHOTO_NAMES)
    assert {"astronaut", "chelsea", "coffee", "rocket", "motorcycle", "grace_hopper"} <= set(photos)
    for name, p in photos.items():
        assert p.name == name
        assert p.image.ndim == 3 and p.image.shape[2] == 3 and p.image.dtype == np.uint8
        assert min(p.image.shape[:2]) >= 256
        assert p.title and p.source and p.license
    assert "matplotlib" in photos["grace_hopper"].source
    assert "scikit-image" in photos["chelsea"].source and photos["chelsea"].license == "CC0"


def test_unknown_photo():
    with pytest.raises(ValueError, match="unknown photo 'lena'; expected one of astronaut"):
        se.data.photo("lena")


def test_image_to_tensor():
    img = np.zeros((4, 6, 3), np.uint8)
    img[..., 0] = 255
    x = se.data.image_to_tensor(img)
    assert x.shape == (1, 3, 4, 6) and x.dtype == torch.float32
    assert x[0, 0].eq(1).all() and x[0, 1:].eq(0).all()
    assert se.data.image_to_tensor(se.data.photo("coffee").image, 32).shape == (1, 3, 32, 32)
    assert se.data.image_to_tensor(img, (2, 3)).shape == (1, 3, 2, 3)
    with pytest.raises(ValueError, match=r"expects an RGB array of shape \(H, W, 3\); got shape \(4, 6\)"):
        se.data.image_to_tensor(img[..., 0])


def test_dataset_tensors_forms():
    from torch.utils.data import Subset, TensorDataset

    test = se.data.fashion_mnist(train=False)
    x, y = se.data.dataset_tensors(Subset(test, [3, 1]))
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32 and 0 <= x.min() and x.max() <= 1
    assert y.tolist() == test.targets[[3, 1]].tolist()
    x2, y2 = se.data.dataset_tensors(TensorDataset(x, y))
    assert torch.equal(x2, x) and torch.equal(y2, y)
    x3, y3 = se.data.dataset_tensors((x, y.int()))
    assert x3 is x and y3.dtype == torch.int64
    with pytest.raises(ValueError, match="expected a dataset with .data and .targets"):
        se.data.dataset_tensors([1, 2, 3])
