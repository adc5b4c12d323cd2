"""An interactive explorer of SE weights: pick an image, an SE block and a channel.

    se_tutorial.explore(model, images, labels, class_names)     # in a notebook: the last line of a cell

It is built from ipywidgets' core widgets (two ``Dropdown``, an ``IntSlider``, an
``Output``) and a matplotlib figure drawn as a PNG into the ``Output`` widget, so it
works in JupyterLab, Jupyter Notebook and Colab without extra extensions, with
ipywidgets 7 (Colab's 7.7.1) and 8. On Colab with ipywidgets 8 it switches on Colab's
custom widget manager, which Colab needs for ipywidgets 8.

Where widgets cannot be shown (ipywidgets missing, or failing to build or display
its widgets) the explorer shows a static figure instead, and ``interactive`` is False
with ``problem`` saying why: set ``explorer.image.value`` (or ``block``, ``channel``)
and show the explorer again to see another view.

All the work happens in :meth:`Explorer.update`, which reads the widgets' values,
stores what it drew in attributes (``state``, ``figure``) and needs no browser: tests
set the widgets' values and check those attributes.
"""

from __future__ import annotations

import base64
import html
import io
import sys

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch import nn

from ._validate import shape_str
from .analysis import block_input, record
from .figures import BAR_COLOUR, _image_2d, mark_bar, new_figure


class Explorer:
    """The state and widgets of :func:`explore`.

    Attributes:
        excitations: block name → (N, C) weights of all given images (recorded once).
        predictions: (N,) predicted classes.
        image, block, channel: the ``Dropdown``, ``Dropdown`` and ``IntSlider`` widgets.
        output: the ``Output`` widget that shows the figure.
        widget: the whole explorer (a ``VBox``); display it, or the explorer itself.
            ``None`` when widgets cannot be shown (then the controls are plain stand-ins).
        interactive: whether the explorer shows widgets (else a static figure).
        problem: why it does not (``None`` when it does).
        state: what the last :meth:`update` showed: ``image``, ``block``, ``channel`` (ints
            and the block name), ``s`` (C,) the image's weights in that block, ``weight``
            = ``s[channel]``, ``u`` (h, w) the channel's input map, ``scaled`` (h, w) = ``weight · u``.
        figure: the last matplotlib Figure drawn.
        updates: how many times the figure was drawn.
    """

    def __init__(self, model: nn.Module, images: torch.Tensor, labels=None, class_names=None, *, dpi: int = 80):
        if not isinstance(images, torch.Tensor) or images.dim() != 4 or len(images) == 0:
            got = shape_str(images) if isinstance(images, torch.Tensor) else type(images).__name__
            raise ValueError(
                f"explore expects images of shape (N, C, H, W) with N >= 1; got {got}. "
                "Pass a few dozen images, e.g. x[:30]."
            )
        if labels is not None:
            labels = torch.as_tensor(labels)
            if labels.shape != (len(images),):
                raise ValueError(f"labels must have shape (N,) = ({len(images)},); got {shape_str(labels)}.")
        self.model, self.images, self.labels, self.dpi = model, images, labels, dpi
        self.excitations, logits = record(model, images)
        self.predictions = logits.argmax(1) if logits.dim() == 2 else None
        self.class_names = list(class_names) if class_names is not None else None
        if self.class_names is not None and logits.dim() == 2 and len(self.class_names) < logits.shape[1]:
            raise ValueError(
                f"class_names has {len(self.class_names)} names but the model has {logits.shape[1]} outputs."
            )
        self.problem: str | None = None
        try:
            self._build(_ipywidgets())
        except Exception as e:  # noqa: BLE001 - no widgets: the same controls as plain stand-ins, a static figure
            self.problem = f"widgets cannot be shown ({type(e).__name__}: {e})"
            self._build(_StandIns)
        else:
            _enable_colab_widgets()
        self.state: dict = {}
        self.figure: Figure | None = None
        self.updates = 0
        self._busy = False
        for control in (self.image, self.block, self.channel):
            control.observe(self._on_change, names="value")
        self.update()

    def _build(self, w) -> None:
        blocks = list(self.excitations)
        self.image = w.Dropdown(
            options=[(self._image_label(i), i) for i in range(len(self.images))], value=0, description="image"
        )
        self.block = w.Dropdown(options=blocks, value=blocks[0], description="SE block")
        self.channel = w.IntSlider(
            value=0, min=0, max=self.excitations[blocks[0]].shape[1] - 1, description="channel", continuous_update=False
        )
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.image, self.block]), self.channel, self.output])
        if w is _StandIns:
            self.widget = None

    @property
    def interactive(self) -> bool:
        return self.widget is not None

    # ------------------------------------------------------------------ labels
    def _name(self, k: int) -> str:
        return self.class_names[k] if self.class_names is not None else str(k)

    def _image_label(self, i: int) -> str:
        parts = [f"#{i}"]
        if self.labels is not None:
            parts.append(f"{self._name(int(self.labels[i]))}")
        if self.predictions is not None:
            parts.append(f"(predicted {self._name(int(self.predictions[i]))})")
        return " ".join(parts)

    # ------------------------------------------------------------------ callbacks
    def _on_change(self, change) -> None:
        if not self._busy:
            self.update()

    def update(self) -> None:
        """Read the widgets, compute the selected block's input and weights, redraw."""
        self._busy = True
        try:
            i, block = int(self.image.value), self.block.value
            channels = self.excitations[block].shape[1]
            if self.channel.max != channels - 1:  # a block with another width: clamp the slider
                self.channel.value = min(self.channel.value, channels - 1)
                self.channel.max = channels - 1
            c = int(self.channel.value)
            u, s = block_input(self.model, block, self.images[i : i + 1])
            u, s = u[0], s[0]
            self.state = {
                "image": i,
                "block": block,
                "channel": c,
                "s": s,
                "weight": float(s[c]),
                "u": u[c],
                "scaled": s[c] * u[c],
            }
            self.figure = self._draw()
            self._show(self.figure)
            self.updates += 1
        finally:
            self._busy = False

    # ------------------------------------------------------------------ drawing
    def _draw(self) -> Figure:
        st = self.state
        s = st["s"].numpy()
        fig = new_figure(figsize=(11, 2.8), dpi=self.dpi, layout="constrained")
        grid = fig.add_gridspec(1, 4, width_ratios=[1, 3.2, 1, 1])
        ax = fig.add_subplot(grid[0, 0])
        img = _image_2d(self.images[st["image"]])
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1)
        ax.set_title(self._image_label(st["image"]).replace(" (", "\n("), fontsize=9)
        ax.axis("off")
        ax = fig.add_subplot(grid[0, 1])
        bars = ax.bar(np.arange(len(s)), s, color=BAR_COLOUR)
        mark_bar(ax, bars[st["channel"]])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(
            ylim=(0, 1.02),
            xlim=(-0.7, len(s) - 0.3),
            xlabel="channel c",
            ylabel="weight $s_c$",
            title=f"{st['block']}: weights of this image (▼: channel {st['channel']})",
        )
        vmax = max(float(st["u"].abs().max()), 1e-8)
        maps = [(st["u"], "before: $u_c$"), (st["scaled"], f"after: {st['weight']:.2f}·$u_c$")]
        for j, (m, label) in enumerate(maps):
            ax = fig.add_subplot(grid[0, 2 + j])
            ax.imshow(m.numpy(), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.set_title(label, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
        return fig

    def _show(self, fig: Figure) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=self.dpi)
        png = base64.b64encode(buf.getvalue()).decode("ascii")
        text = f"<Figure: image {self.state['image']}, {self.state['block']}, channel {self.state['channel']}>"
        self.output.outputs = (
            {"output_type": "display_data", "data": {"image/png": png, "text/plain": text}, "metadata": {}},
        )

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        return f"Explorer({len(self.images)} images, {len(self.excitations)} SE blocks: {', '.join(self.excitations)})"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        """The widgets' view (ipywidgets 7 or 8), or the last figure as a PNG when widgets cannot be shown."""
        bundle = self._widget_bundle() if self.widget is not None else None
        if bundle is None:
            (shown,) = self.output.outputs
            png = shown["data"]["image/png"]
            note = (
                f"A static figure: {self.problem}. To see another view, set explorer.image.value, "
                "explorer.block.value or explorer.channel.value and show the explorer again."
            )
            bundle = {
                "image/png": png,
                "text/html": f'<img src="data:image/png;base64,{png}"><p><em>{html.escape(note)}</em></p>',
            }
        bundle["text/plain"] = repr(self)
        return bundle

    def _widget_bundle(self) -> dict | None:
        try:
            if hasattr(self.widget, "_repr_mimebundle_"):  # ipywidgets 8
                bundle = dict(self.widget._repr_mimebundle_() or {})
            else:  # ipywidgets 7 shows itself in _ipython_display_
                bundle = {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}}
                getattr(self.widget, "_handle_displayed", lambda: None)()
        except Exception as e:  # noqa: BLE001 - e.g. a closed widget: show the figure instead
            self.problem = f"widgets cannot be shown ({type(e).__name__}: {e})"
            return None
        if WIDGET_VIEW not in bundle:
            self.problem = "widgets cannot be shown (the widget has no view)"
            return None
        return {WIDGET_VIEW: bundle[WIDGET_VIEW]}


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _ipywidgets():
    import ipywidgets

    return ipywidgets


def _enable_colab_widgets() -> None:
    """On Colab, ipywidgets 8 needs Colab's custom widget manager (7, Colab's own, does not)."""
    import ipywidgets

    colab = sys.modules.get("google.colab")
    if colab is None or int(ipywidgets.__version__.split(".")[0]) < 8:
        return
    try:
        from google.colab import output

        output.enable_custom_widget_manager()
    except Exception:  # noqa: BLE001 - an older or newer Colab: its default manager may still show them
        pass


class _Control:
    """A stand-in for a widget when ipywidgets cannot be used: it holds values and calls observers on a change."""

    def __init__(self, *children, **traits):
        self.__dict__["_observers"] = []
        self.__dict__["children"] = children[0] if children else ()
        self.__dict__["outputs"] = ()
        self.__dict__.update(traits)

    def observe(self, handler, names="value") -> None:
        self._observers.append(handler)

    def __setattr__(self, name, value) -> None:
        old = self.__dict__.get(name)
        self.__dict__[name] = value
        if name == "value" and value != old:
            for handler in self._observers:
                handler({"name": name, "old": old, "new": value, "owner": self})


class _StandIns:
    Dropdown = IntSlider = Output = VBox = HBox = _Control


def explore(model: nn.Module, images: torch.Tensor, labels=None, class_names=None) -> Explorer:
    """An interactive view of SE weights: pick an image, an SE block and a channel.

    Args:
        model: a network with SE modules that :func:`se_tutorial.capture` knows.
        images: (N, C, H, W) images in the model's input range (a few dozen is plenty).
        labels: optional (N,) true classes, shown in the image menu.
        class_names: optional names of the classes.

    Returns:
        An :class:`Explorer`; as the last expression of a notebook cell it shows the
        widgets: the image, the block's weights per channel (the chosen channel red, hatched and marked ▼),
        and that channel's feature map before and after scaling by its weight.
    """
    return Explorer(model, images, labels, class_names)
