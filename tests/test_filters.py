"""Tests for se_tutorial.filters: the fixed, named filter bank."""

import pytest
import torch
from torch import nn

from se_tutorial import filters

C = len(filters.FILTER_NAMES)
ATOL = 1e-6


def channel(u: torch.Tensor, name: str) -> torch.Tensor:
    return u[:, filters.FILTER_NAMES.index(name)]


def solid(r: float, g: float, b: float, size: int = 8) -> torch.Tensor:
    return torch.tensor([r, g, b], dtype=torch.float32).view(1, 3, 1, 1).expand(1, 3, size, size).clone()


def step(direction: str, size: int = 12) -> torch.Tensor:
    """Gray image: dark left / bright right ("vertical" edge) or dark top / bright bottom ("horizontal")."""
    x = torch.zeros(1, 3, size, size)
    if direction == "vertical":
        x[..., :, size // 2 :] = 1.0
    else:
        x[..., size // 2 :, :] = 1.0
    return x


def test_names_and_descriptions_match():
    assert len(set(filters.FILTER_NAMES)) == C
    assert set(filters.FILTER_DESCRIPTIONS) == set(filters.FILTER_NAMES)
    assert filters.SIGNED <= set(filters.FILTER_NAMES)


def test_filter_bank_is_one_fixed_conv():
    bank = filters.filter_bank()
    assert isinstance(bank, nn.Conv2d)
    assert (bank.in_channels, bank.out_channels) == (3, C)
    assert bank.weight.shape == (C, 3, filters.KERNEL_SIZE, filters.KERNEL_SIZE)
    assert bank.bias is None
    assert not any(p.requires_grad for p in bank.parameters())
    assert torch.equal(bank.weight, filters.filter_bank().weight)  # deterministic


def test_shapes_dtype_device_kept():
    x = torch.rand(2, 3, 17, 23, dtype=torch.float64)
    u = filters.feature_maps(x)
    assert u.shape == (2, C, 17, 23)
    assert u.dtype == torch.float64 and u.device == x.device


def test_feature_maps_equals_the_bank():
    torch.manual_seed(0)
    x = torch.rand(3, 3, 16, 16)
    assert torch.allclose(filters.feature_maps(x), filters.filter_bank()(x))


def test_pure_red_image():
    u = filters.feature_maps(solid(1, 0, 0))
    assert torch.allclose(channel(u, "red"), torch.ones(1, 8, 8))
    assert torch.allclose(channel(u, "green"), torch.zeros(1, 8, 8))
    assert torch.allclose(channel(u, "blue"), torch.zeros(1, 8, 8))
    assert torch.allclose(channel(u, "gray"), torch.full((1, 8, 8), 0.299))
    assert torch.allclose(channel(u, "red_green"), torch.ones(1, 8, 8))
    assert torch.allclose(channel(u, "yellow_blue"), torch.full((1, 8, 8), 0.5))


def test_pure_blue_image_is_negative_on_yellow_blue():
    u = filters.feature_maps(solid(0, 0, 1))
    assert torch.allclose(channel(u, "blue"), torch.ones(1, 8, 8))
    assert torch.allclose(channel(u, "yellow_blue"), -torch.ones(1, 8, 8))


@pytest.mark.parametrize("rgb", [(0.3, 0.6, 0.9), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)])
def test_constant_image_blur_preserves_and_edges_vanish(rgb):
    x = solid(*rgb)
    u = filters.feature_maps(x)
    gray = sum(w * v for w, v in zip(filters.GRAY_WEIGHTS, rgb))
    assert torch.allclose(channel(u, "blur"), torch.full((1, 8, 8), gray), atol=ATOL)
    assert torch.allclose(channel(u, "gray"), torch.full((1, 8, 8), gray), atol=ATOL)
    for name in ("edge_x", "edge_y", "centre_surround"):
        assert channel(u, name).abs().max() < ATOL, name  # also at the border (replicate padding)


def test_edge_x_responds_to_vertical_edge_only():
    u = filters.feature_maps(step("vertical"))
    ex, ey = channel(u, "edge_x"), channel(u, "edge_y")
    assert ex.max() == pytest.approx(1.0, abs=ATOL)  # sharp 0 → 1 step: response 1 next to it
    assert ex.min() > -ATOL  # dark → bright to the right: positive only
    assert ey.abs().max() < ATOL
    # Only the two columns that touch the edge respond.
    assert torch.allclose(ex[0, :, 5:7], torch.ones(12, 2), atol=ATOL)
    assert ex[0, :, :5].abs().max() < ATOL and ex[0, :, 7:].abs().max() < ATOL


def test_edge_y_responds_to_horizontal_edge_only():
    u = filters.feature_maps(step("horizontal"))
    ex, ey = channel(u, "edge_x"), channel(u, "edge_y")
    assert ey.max() == pytest.approx(1.0, abs=ATOL)
    assert ey.min() > -ATOL  # brighter below: positive
    assert ex.abs().max() < ATOL


def test_edge_sign_flips_with_the_edge():
    x = step("vertical")
    ex_up = channel(filters.feature_maps(x), "edge_x")
    ex_down = channel(filters.feature_maps(1 - x), "edge_x")
    assert torch.allclose(ex_down, -ex_up, atol=ATOL)


def test_centre_surround_bright_spot():
    x = torch.zeros(1, 3, 9, 9)
    x[..., 4, 4] = 1.0
    cs = channel(filters.feature_maps(x), "centre_surround")[0]
    assert cs[4, 4] == pytest.approx(1 - 36 / 256, abs=ATOL)  # centre weight of the 5x5 binomial is 36/256
    assert cs.argmax() == 4 * 9 + 4
    assert cs.sum() == pytest.approx(0.0, abs=1e-5)  # kernel sums to 0, spot far from the border


def test_absolute_takes_abs_of_signed_channels_only():
    torch.manual_seed(0)
    x = torch.rand(2, 3, 10, 10)
    u, a = filters.feature_maps(x), filters.feature_maps(x, absolute=True)
    for c, name in enumerate(filters.FILTER_NAMES):
        expected = u[:, c].abs() if name in filters.SIGNED else u[:, c]
        assert torch.equal(a[:, c], expected), name
    assert (a >= -ATOL).all()
    assert (u[:, [filters.FILTER_NAMES.index(n) for n in filters.SIGNED]] < 0).any()


def test_unsigned_channels_are_non_negative_on_images_in_unit_range():
    torch.manual_seed(1)
    u = filters.feature_maps(torch.rand(2, 3, 12, 12))
    for c, name in enumerate(filters.FILTER_NAMES):
        if name not in filters.SIGNED:
            assert u[:, c].min() >= -ATOL, name


def test_gradients_flow_to_the_input():
    x = torch.rand(1, 3, 8, 8, requires_grad=True)
    filters.feature_maps(x).sum().backward()
    assert x.grad is not None and x.grad.shape == x.shape


@pytest.mark.parametrize(
    "bad, match",
    [
        (torch.rand(3, 8, 8), "4-D"),
        (torch.rand(8, 8), "4-D"),
        (torch.rand(1, 1, 8, 8), "3 colour channels"),
        (torch.rand(1, 8, 8, 3), "3 colour channels"),
        (torch.zeros(1, 3, 8, 8, dtype=torch.uint8), "floating-point"),
        ([[0.0]], "torch.Tensor"),
    ],
)
def test_bad_input_raises_clear_value_error(bad, match):
    with pytest.raises(ValueError, match=match):
        filters.feature_maps(bad)
