import base64

import pytest
import torch

from se_tutorial import analysis
from se_tutorial import Explorer, explore
from se_tutorial.models import small_resnet


@pytest.fixture(scope="module")
def explorer():
    torch.manual_seed(0)
    model = small_resnet(se="standard", widths=(4, 8, 12)).eval()
    x = torch.rand(5, 1, 28, 28)
    names = [f"class {k}" for k in range(10)]
    return explore(model, x, labels=torch.tensor([0, 1, 2, 3, 4]), class_names=names)


def _png(ex):
    (out,) = ex.output.outputs
    return base64.b64decode(out["data"]["image/png"])


def test_initial_view(explorer):
    ex = explorer
    assert isinstance(ex, Explorer) and ex.updates == 1
    assert ex.state["image"] == 0 and ex.state["block"] == "stage1.0.se" and ex.state["channel"] == 0
    assert list(ex.block.options) == ["stage1.0.se", "stage2.0.se", "stage3.0.se"]
    assert ex.channel.max == 3
    assert _png(ex).startswith(b"\x89PNG")
    assert ex.image.options[1][0].startswith("#1 class 1 (predicted class ")
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"].startswith("Explorer(5 images, 3 SE blocks")


def test_changing_the_widgets_updates_state_and_figure(explorer):
    ex = explorer
    before, png = ex.updates, _png(ex)
    ex.image.value = 3
    assert ex.updates == before + 1 and ex.state["image"] == 3
    torch.testing.assert_close(ex.state["s"], ex.excitations["stage1.0.se"][3])
    assert _png(ex) != png

    ex.block.value = "stage3.0.se"
    assert ex.channel.max == 11 and ex.state["block"] == "stage3.0.se"
    ex.channel.value = 10
    st = ex.state
    assert st["channel"] == 10 and st["weight"] == pytest.approx(float(ex.excitations["stage3.0.se"][3, 10]))
    u, s = analysis.block_input(ex.model, "stage3.0.se", ex.images[3:4])
    torch.testing.assert_close(st["u"], u[0, 10])
    torch.testing.assert_close(st["scaled"], s[0, 10] * u[0, 10])
    # the bar of the chosen channel is drawn in another colour
    bars = ex.figure.axes[1].patches
    assert len(bars) == 12 and bars[10].get_facecolor() != bars[0].get_facecolor()

    ex.block.value = "stage2.0.se"                  # 8 channels: the slider is clamped
    assert ex.channel.max == 7 and ex.channel.value == 7 and ex.state["channel"] == 7
    assert len(ex.figure.axes[1].patches) == 8


def test_bad_input():
    model = small_resnet(se="standard", widths=(4, 8, 8))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        explore(model, torch.rand(1, 28, 28))
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(2,\)"):
        explore(model, torch.rand(2, 1, 28, 28), labels=torch.tensor([1, 2, 3]))


def _tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


def test_only_core_ipywidgets_so_that_colab_renders_it(explorer):
    import ipywidgets

    widgets = list(_tree(explorer.widget))
    assert len(widgets) == 6  # VBox, HBox, two Dropdowns, IntSlider, Output
    for w in widgets:
        assert type(w).__module__.startswith("ipywidgets.widgets."), type(w)
        assert (w._model_module, w._view_module) in {("@jupyter-widgets/controls", "@jupyter-widgets/controls"),
                                                     ("@jupyter-widgets/output", "@jupyter-widgets/output")}
        assert getattr(ipywidgets, type(w).__name__) is type(w)
    out = explorer.output.outputs[0]["data"]
    assert set(out) >= {"image/png"}, "the figure is a plain PNG, not an interactive matplotlib backend"
