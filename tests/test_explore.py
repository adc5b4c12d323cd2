import base64
import sys
import types

import pytest
import torch

from se_tutorial import Explorer, analysis, explore
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
    # the bar of the chosen channel is drawn in another colour, hatched, with a ▼ above it
    bars = ex.figure.axes[1].patches
    assert len(bars) == 12 and bars[10].get_facecolor() != bars[0].get_facecolor()
    assert bars[10].get_hatch() and not any(b.get_hatch() for i, b in enumerate(bars) if i != 10)
    (marker,) = [t for t in ex.figure.axes[1].texts if t.get_text() == "▼"]
    assert marker.xy[0] == pytest.approx(10) and "▼: channel 10" in ex.figure.axes[1].get_title()

    ex.block.value = "stage2.0.se"  # 8 channels: the slider is clamped
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
        assert (w._model_module, w._view_module) in {
            ("@jupyter-widgets/controls", "@jupyter-widgets/controls"),
            ("@jupyter-widgets/output", "@jupyter-widgets/output"),
        }
        assert getattr(ipywidgets, type(w).__name__) is type(w)
    out = explorer.output.outputs[0]["data"]
    assert set(out) >= {"image/png"}, "the figure is a plain PNG, not an interactive matplotlib backend"


# ---------------------------------------------------------------- display: ipywidgets 8, 7, none

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _small_explorer():
    torch.manual_seed(0)
    model = small_resnet(se="standard", widths=(4, 8, 8)).eval()
    return explore(model, torch.rand(3, 1, 28, 28))


def _shown(ex):
    """What IPython shows for ``ex`` as the last expression of a cell."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(ex)
    return data


def test_ipython_shows_the_widgets_with_ipywidgets_8():
    ex = _small_explorer()
    data = _shown(ex)
    assert ex.interactive and ex.problem is None
    assert data[WIDGET_VIEW]["model_id"] == ex.widget.model_id
    assert data["text/plain"].startswith("Explorer(3 images")
    assert "image/png" not in data


def test_ipython_shows_the_widgets_with_the_ipywidgets_7_api(monkeypatch):
    """ipywidgets 7 (Colab's 7.7.1) widgets have no _repr_mimebundle_: they show themselves in _ipython_display_."""
    import ipywidgets

    displayed = []
    monkeypatch.setattr(ipywidgets, "__version__", "7.7.1")
    monkeypatch.delattr(ipywidgets.Widget, "_repr_mimebundle_")
    monkeypatch.setattr(
        ipywidgets.Widget, "_handle_displayed", lambda self, **kw: displayed.append(self), raising=False
    )
    ex = _small_explorer()
    assert not hasattr(ex.widget, "_repr_mimebundle_")
    data = _shown(ex)
    assert data[WIDGET_VIEW] == {"version_major": 2, "version_minor": 0, "model_id": ex.widget.model_id}
    assert data["text/plain"].startswith("Explorer(3 images") and displayed == [ex.widget]
    ex.channel.value = 2
    assert ex.state["channel"] == 2 and ex.updates == 2


def test_a_static_figure_without_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # import ipywidgets raises ImportError
    ex = _small_explorer()
    assert not ex.interactive and ex.widget is None and "ModuleNotFoundError" in ex.problem
    data = _shown(ex)
    assert WIDGET_VIEW not in data and data["text/plain"].startswith("Explorer(3 images")
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and png == _png(ex)
    assert data["image/png"] in data["text/html"] and "A static figure: widgets cannot be shown" in data["text/html"]
    # the controls still work: set one and show the explorer again
    ex.image.value, ex.block.value = 2, "stage3.0.se"
    assert ex.state["image"] == 2 and ex.state["block"] == "stage3.0.se" and ex.updates == 3
    assert base64.b64decode(_shown(ex)["image/png"]) != png


def test_a_static_figure_when_the_widgets_fail_to_show(monkeypatch):
    import ipywidgets

    def broken(self, **kwargs):
        raise RuntimeError("no front end")

    ex = _small_explorer()
    monkeypatch.setattr(ipywidgets.Widget, "_repr_mimebundle_", broken)
    data = _shown(ex)
    assert WIDGET_VIEW not in data and base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "no front end" in ex.problem


@pytest.mark.parametrize("version, enabled", [("8.1.5", 1), ("7.7.1", 0)])
def test_on_colab_ipywidgets_8_gets_the_custom_widget_manager(monkeypatch, version, enabled):
    import ipywidgets

    calls = []
    google, colab, output = (types.ModuleType(n) for n in ("google", "google.colab", "google.colab.output"))
    output.enable_custom_widget_manager = lambda: calls.append(1)
    google.colab, colab.output = colab, output
    for module in (google, colab, output):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(ipywidgets, "__version__", version)
    ex = _small_explorer()
    assert ex.interactive and len(calls) == enabled


def test_off_colab_no_widget_manager_is_touched(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert _small_explorer().interactive
