import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from se_tutorial import figures

CLASSES = ["a", "b", "c"]


def _means():
    g = torch.Generator().manual_seed(0)
    return {"stage1.0.se": torch.rand(3, 4, generator=g), "stage2.0.se": torch.rand(3, 6, generator=g)}


def test_excitation_bars_draws_one_bar_per_channel():
    s = torch.tensor([0.1, 0.5, 0.95, 0.3])
    fig = figures.excitation_bars(s, "stage3.0.se", highlight=2)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights, s.numpy(), rtol=1e-6)
    assert ax.patches[2].get_facecolor() != ax.patches[0].get_facecolor()
    # ...and by shape, for readers who do not see the colour: hatched, with a ▼ above it
    assert ax.patches[2].get_hatch() and not ax.patches[0].get_hatch()
    (marker,) = [t for t in ax.texts if t.get_text() == "▼"]
    assert marker.xy == pytest.approx((2.0, 0.95))
    with pytest.raises(ValueError, match=r"highlight must be a channel in 0\.\.3; got 4"):
        figures.excitation_bars(s, "x", highlight=4)
    assert "stage3.0.se" in ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    with pytest.raises(ValueError, match=r"shape \(C,\)"):
        figures.excitation_bars(torch.rand(2, 4), "x")


def test_before_after_shows_scaled_maps_of_top_and_bottom_channels():
    s = torch.tensor([0.2, 0.9, 0.05, 0.6, 0.99, 0.4])
    u = torch.randn(6, 5, 5)
    fig = figures.before_after(torch.rand(1, 28, 28), u, s, "blk", k=2)
    maps = [ax for ax in fig.axes if ax.images and ax.images[0].get_array().shape == (5, 5)]
    assert len(maps) == 8  # 2k channels × (before, after)
    titles = " ".join(ax.get_title() for ax in maps)
    for c in (4, 1, 0, 2):  # the 2 most and the 2 least excited
        assert f"c={c}" in titles
    # the "after" map of the first column is s_c · u_c
    after = [ax for ax in maps if ax.get_ylabel().startswith("after")][0]
    np.testing.assert_allclose(after.images[0].get_array(), (0.99 * u[4]).numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="C = 6"):
        figures.before_after(torch.rand(1, 28, 28), u[:3], s, "blk")


def test_class_figures_have_one_panel_per_block():
    means = _means()
    heat = figures.class_heatmaps(means, CLASSES)
    assert [ax.get_title().split(" ")[0] for ax in heat.axes[:2]] == list(means)
    with pytest.raises(ValueError, match="2 class names"):
        figures.class_heatmaps(means, CLASSES[:2])


def test_class_deviations_show_each_blocks_departures_on_its_own_scale():
    means = _means()
    overall = {k: m.mean(0) for k, m in means.items()}
    means[list(means)[0]] = overall[list(means)[0]] + 0.01 * (means[list(means)[0]] - overall[list(means)[0]])
    fig = figures.class_deviations(means, overall, CLASSES)
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title().split("\n")[0] for ax in panels] == list(means)
    for ax, (name, m) in zip(panels, means.items()):
        d = (m - overall[name]).numpy()
        np.testing.assert_allclose(ax.images[0].get_array(), d, rtol=1e-5)
        lo, hi = ax.images[0].get_clim()
        assert hi == -lo == pytest.approx(np.abs(d).max()), "each block on its own scale, symmetric around 0"
    with pytest.raises(ValueError, match="overall has the blocks"):
        figures.class_deviations(means, {"x": overall[list(means)[0]]}, CLASSES)


def test_class_curves_are_small_multiples_readable_without_colour():
    means = _means()
    overall = {k: m.mean(0) for k, m in means.items()}
    fig = figures.class_curves(means, overall, CLASSES)
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 2 * 3  # one panel per block (row) and class (column)
    for p, ax in enumerate(panels):
        block, k = list(means)[p // 3], p % 3
        everyone, this_class = ax.lines  # the all-class mean, then the class's mean
        order = np.argsort(overall[block].numpy(), kind="stable")
        np.testing.assert_allclose(this_class.get_ydata(), means[block][k, order].numpy(), rtol=1e-6)
        assert np.all(np.diff(everyone.get_ydata()) >= 0)  # sorted by the all-class mean: it rises
        assert everyone.get_linestyle() != this_class.get_linestyle(), "told apart by line style, not colour"
        gap = float((means[block][k] - overall[block]).abs().mean())
        assert [t.get_text() for t in ax.texts] == [f"{gap:.2f}"]
    assert [ax.get_title() for ax in panels[:3]] == CLASSES  # class names head the columns
    assert panels[0].get_ylabel().startswith("stage1.0.se") and panels[3].get_ylabel().startswith("stage2.0.se")
    texts = [t for ax in fig.axes for t in (*ax.texts, ax.title, ax.yaxis.label, *ax.get_yticklabels())]
    texts += [t for legend in fig.legends for t in legend.get_texts()]
    assert min(t.get_fontsize() for t in texts if t.get_text()) >= 8, "legible text: at least 8 pt"
    unsorted = figures.class_curves(means, overall, CLASSES, classes=[2], sort=False, gaps=False)
    one = [ax for ax in unsorted.axes if ax.lines]
    assert len(one) == 2 and not one[0].texts
    np.testing.assert_allclose(one[1].lines[1].get_ydata(), means["stage2.0.se"][2].numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="class indices in 0..2"):
        figures.class_curves(means, overall, CLASSES, classes=[3])
    with pytest.raises(ValueError, match="no mean weights for block 'stage2.0.se'"):
        figures.class_curves(means, {"stage1.0.se": overall["stage1.0.se"]}, CLASSES)
    with pytest.raises(ValueError, match="2 class names"):
        figures.class_curves(means, overall, CLASSES[:2])


def test_specificity_and_histograms():
    fig = figures.specificity_by_depth(
        {"a": 0.1, "b": 0.4, "c": 0.7}, spread={"a": 0.01, "b": 0.02, "c": 0.1}, reference=0.01
    )
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.1, 0.4, 0.7])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), [0.01, 0.02, 0.1])
    assert len(figures.specificity_by_depth({"a": 0.1}).axes) == 1
    with pytest.raises(ValueError, match="same blocks"):
        figures.specificity_by_depth({"a": 0.1}, spread={"b": 0.1})
    s = {"x": torch.tensor([[0.05, 0.95], [0.5, 0.97]]), "y": torch.rand(10, 3)}
    hist = figures.weight_histograms(s, bins=10)
    assert len(hist.axes) == 2
    assert "<0.1: 25%" in hist.axes[0].get_title() and ">0.9: 50%" in hist.axes[0].get_title()
    assert sum(p.get_height() for p in hist.axes[0].patches) == pytest.approx(100.0)
    with pytest.raises(ValueError, match="non-empty dict"):
        figures.weight_histograms({})


def test_spatial_overlay_draws_each_map_over_the_whole_image():
    image = torch.rand(1, 28, 28)
    maps = {"stage1.0.attn": torch.rand(28, 28), "stage3.0.attn": torch.tensor([[0.2, 0.8], [0.5, 0.4]])}
    fig = figures.spatial_overlay(image, maps)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 3  # the image, then one panel per map
    assert panels[0].get_title() == "input image" and len(panels[0].images) == 1
    for ax, (name, m) in zip(panels[1:], maps.items()):
        base, over = ax.images
        np.testing.assert_allclose(base.get_array(), image[0].numpy())
        np.testing.assert_allclose(over.get_array(), m.numpy(), rtol=1e-6)
        assert over.get_extent() == [-0.5, 27.5, 27.5, -0.5]  # stretched over the image
        assert name in ax.get_title()
    assert "0.20 to 0.80" in panels[2].get_title()
    assert panels[2].images[1].get_clim() == pytest.approx((0.2, 0.8))
    shared = figures.spatial_overlay(image, maps, shared_scale=True)
    lo, hi = float(maps["stage1.0.attn"].min().clamp(max=0.2)), float(maps["stage1.0.attn"].max().clamp(min=0.8))
    assert [ax for ax in shared.axes if ax.images][2].images[1].get_clim() == pytest.approx((lo, hi))
    flat = figures.spatial_overlay(image, {"a": torch.full((7, 7), 0.5)})
    assert np.isfinite([ax for ax in flat.axes if ax.images][1].images[1].get_clim()).all()
    with pytest.raises(ValueError, match=r"shape \(h, w\)"):
        figures.spatial_overlay(image, {"a": torch.rand(2, 7, 7)})
    with pytest.raises(ValueError, match="non-empty dict"):
        figures.spatial_overlay(image, {})
