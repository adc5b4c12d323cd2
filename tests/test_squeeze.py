import pytest
import torch
import torch.nn.functional as F

import se_tutorial as se


def test_avg_is_the_papers_eq2():
    x = torch.randn(2, 5, 3, 4)
    h, w = x.shape[2:]
    manual = torch.stack([torch.stack([x[n, c].sum() / (h * w) for c in range(5)]) for n in range(2)])
    torch.testing.assert_close(se.squeeze(x), manual)
    torch.testing.assert_close(se.squeeze(x, "avg"), F.adaptive_avg_pool2d(x, 1).flatten(1))


def test_max():
    x = torch.randn(3, 4, 2, 6)
    torch.testing.assert_close(se.squeeze(x, "max"), F.adaptive_max_pool2d(x, 1).flatten(1))


def test_shapes_and_one_pixel():
    x = torch.randn(1, 3, 1, 1)
    for mode in se.SQUEEZE_MODES:
        z = se.squeeze(x, mode)
        assert z.shape == (1, 3)
        torch.testing.assert_close(z, x[:, :, 0, 0])


def test_avg_and_max_disagree_on_a_spot():
    x = torch.zeros(1, 1, 10, 10)
    x[0, 0, 4, 4] = 1.0
    assert se.squeeze(x, "max").item() == 1.0
    assert se.squeeze(x, "avg").item() == pytest.approx(0.01)


@pytest.mark.parametrize("shape", [(3, 4, 5), (2, 3), (1, 2, 3, 4, 5)])
def test_rank_error(shape):
    with pytest.raises(ValueError, match=r"expects a 4-D tensor of shape \(N, C, H, W\); got shape"):
        se.squeeze(torch.zeros(shape))


def test_unknown_mode():
    with pytest.raises(ValueError, match=r"unknown squeeze mode 'median'; expected one of 'avg', 'max'"):
        se.squeeze(torch.zeros(1, 2, 3, 3), "median")


def test_not_a_tensor():
    with pytest.raises(ValueError, match="expects a torch.Tensor"):
        se.squeeze([[1.0]])
