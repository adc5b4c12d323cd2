"""The diagrams of se_tutorial.diagrams: the shapes they write come from the real block, and no text overlaps."""

import itertools

import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from torch import nn

import se_tutorial as se
from se_tutorial import diagrams, figures
from se_tutorial.models import BasicBlock


def _texts(fig) -> list:
    """Every visible, non-empty text the figure draws: its texts and titles (the axes are off)."""
    texts = list(fig.texts)  # the suptitle is one of them
    for ax in fig.axes:
        texts += [*ax.texts, ax.title]
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def _all_text(fig) -> str:
    return "\n".join(t.get_text() for t in _texts(fig))


def _assert_no_overlap(fig) -> None:
    canvas = FigureCanvasAgg(fig)  # the figure is closed in pyplot: give it a canvas that can draw
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer).shrunk(0.97, 0.9)) for t in _texts(fig)]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"texts overlap: {a!r} and {b!r}"


def test_figures_re_exports_the_diagrams():
    for name in ("se_block_diagram", "se_residual_diagram", "residual_variants_diagram", "VARIANT_TITLES"):
        assert getattr(figures, name) is getattr(diagrams, name)
        assert name == "VARIANT_TITLES" or name in figures.__doc__


# ------------------------------------------------------------------ Fig. 1


def test_se_block_diagram_writes_the_blocks_sizes():
    fig = diagrams.se_block_diagram(se.SEBlock(64, reduction=4), (64, 14, 14))
    assert isinstance(fig, Figure)
    text = _all_text(fig)
    for label in (
        "1×1×64 → 1×1×16 → 1×1×64",
        "FC 64→16, ReLU, FC 16→64, sigmoid",
        "C×H×W\n= 64×14×14",
        "1×1×C\n= 1×1×64",
        "C = 64, H = 14, W = 14",
        "r = 4",
        "h = max(1, ⌊C/r⌋) = 16",
        "$F_{tr}$",
        "$F_{sq}$",
        "$F_{ex}$",
        "$F_{scale}$",
        "$U$",
        r"$\tilde{X}$",
        "C′×H′×W′",
    ):
        assert label in text, label


def test_se_block_diagram_defaults_and_other_sizes():
    text = _all_text(diagrams.se_block_diagram())
    assert "1×1×64 → 1×1×16 → 1×1×64" in text and "64×14×14" in text
    # an (N, C, H, W) shape loses N; a width that is not a whole C/r is rounded down
    text = _all_text(diagrams.se_block_diagram(se.SEBlock(100, reduction=16), (8, 100, 7, 5), x_shape=(3, 14, 10)))
    assert "1×1×100 → 1×1×6 → 1×1×100" in text and "100×7×5" in text and "3×14×10" in text
    assert "C = 100, H = 7, W = 5" in text and "r = 16" in text and "= 6" in text
    # a tensor gives its shape; a width set directly is said so
    text = _all_text(diagrams.se_block_diagram(se.SEBlock(32, hidden=3), torch.zeros(1, 32, 4, 4)))
    assert "1×1×32 → 1×1×3 → 1×1×32" in text and "hidden width set directly" in text


def test_se_block_diagram_rejects_bad_input():
    with pytest.raises(TypeError, match="needs an se_tutorial.SEBlock"):
        diagrams.se_block_diagram(nn.Conv2d(3, 3, 1))
    with pytest.raises(ValueError, match=r"has 32 channels, but the block expects C = 64"):
        diagrams.se_block_diagram(se.SEBlock(64), (32, 8, 8))
    with pytest.raises(ValueError, match=r"shape \(C, H, W\) of three positive ints"):
        diagrams.se_block_diagram(se.SEBlock(64), (64, 8))
    with pytest.raises(ValueError, match="three positive ints"):
        diagrams.se_block_diagram(se.SEBlock(64), (64, 0, 8))
    with pytest.raises(TypeError, match="must be a shape"):
        diagrams.se_block_diagram(se.SEBlock(64), 64)


def test_se_block_diagram_text_does_not_overlap():
    _assert_no_overlap(diagrams.se_block_diagram())
    _assert_no_overlap(diagrams.se_block_diagram(se.SEBlock(2048, reduction=16), (2048, 112, 112)))


# ------------------------------------------------------------------ Fig. 3


def test_se_residual_diagram_follows_the_shapes_through_the_block():
    torch.manual_seed(0)
    block = BasicBlock(16, 32, stride=2, se="standard", reduction=4)
    before = block.bn1.running_mean.clone()
    fig = diagrams.se_residual_diagram(block, (16, 28, 28))
    text = _all_text(fig)
    for label in (
        "$X$: 16×28×28",
        "$U$: C×H×W = 32×14×14",
        "1×1×C = 1×1×32",
        "1×1×h = 1×1×8",
        "FC  32 → 8",
        "FC  8 → 32",
        "global pooling",
        "sigmoid",
        "scale",
        "$\\tilde X$: C×H×W = 32×14×14",
        "$Y$: 32×14×14",  # the SE block's output, the residual block's
        "projection: 1×1 conv (stride 2), BN",
        "3×3 conv (stride 2), BN, ReLU",
        "C = 32, H = 14, W = 14",
        "r = 4, h = max(1, ⌊C/r⌋) = 8",
    ):
        assert label in text, label
    # drawing ran a copy: the block's BN statistics and mode are untouched
    assert torch.equal(block.bn1.running_mean, before) and block.training


def test_se_residual_diagram_of_a_bare_se_block_and_of_a_bottleneck():
    text = _all_text(diagrams.se_residual_diagram())
    assert "identity" in text and "FC  64 → 16" in text and "$X$: 64×14×14" in text
    text = _all_text(diagrams.se_residual_diagram(se.SEBlock(48, reduction=16), (48, 9, 9)))
    assert "residual branch" in text and "1×1×h = 1×1×3" in text and "$\\tilde X$: C×H×W = 48×9×9" in text
    assert "$Y$: 48×9×9" in text
    bottleneck = se.models.resnet50(se="standard").layer2[0]
    text = _all_text(diagrams.se_residual_diagram(bottleneck, (256, 56, 56)))
    assert "$U$: C×H×W = 512×28×28" in text and "FC  512 → 32" in text and "1×1 conv, BN" in text


def test_se_residual_diagram_rejects_bad_input():
    with pytest.raises(TypeError, match=r"residual block with an SE block in its \.se"):
        diagrams.se_residual_diagram(BasicBlock(16, 16))
    with pytest.raises(TypeError, match="residual block"):
        diagrams.se_residual_diagram(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="residual_variants_diagram"):
        diagrams.se_residual_diagram(BasicBlock(16, 16, se="post"))
    with pytest.raises(ValueError, match="first convolution expects 16"):
        diagrams.se_residual_diagram(BasicBlock(16, 16, se="standard"), (3, 28, 28))
    with pytest.raises(ValueError, match="X and U have the same shape"):
        diagrams.se_residual_diagram(se.SEBlock(16), (8, 28, 28))


def test_se_residual_diagram_text_does_not_overlap():
    _assert_no_overlap(diagrams.se_residual_diagram())
    _assert_no_overlap(diagrams.se_residual_diagram(BasicBlock(64, 128, stride=2, se="standard"), (64, 56, 56)))


# ------------------------------------------------------------------ Table 14's variants


def test_residual_variants_diagram_moves_only_the_se_box():
    fig = diagrams.residual_variants_diagram()
    assert [ax.get_title() for ax in fig.axes] == ["standard SE", "SE-PRE", "SE-POST", "SE-Identity"]

    def where(ax, label):
        return [t.get_position() for t in ax.texts if t.get_text() == label]

    for ax in fig.axes:
        assert len(where(ax, "SE")) == 1 and len(where(ax, "ReLU")) == 1 and len(where(ax, "+")) == 1
        assert len(where(ax, "conv 3×3, BN, ReLU")) == 1 and len(where(ax, "conv 3×3, BN")) == 1
    standard, pre, post, identity = fig.axes
    ((se_x, se_y),) = where(standard, "SE")
    assert se_y < where(standard, "conv 3×3, BN")[0][1]  # after the convolutions
    assert where(pre, "SE")[0][1] > where(pre, "conv 3×3, BN, ReLU")[0][1]  # before them
    assert where(post, "SE")[0][1] < where(post, "ReLU")[0][1]  # after the sum's ReLU
    assert where(identity, "SE")[0][0] > where(identity, "conv 3×3, BN")[0][0]  # beside the branch
    assert "identity" in [t.get_text() for t in standard.texts]
    assert "identity" not in [t.get_text() for t in identity.texts]


def test_residual_variants_diagram_subsets_and_errors():
    assert [ax.get_title() for ax in diagrams.residual_variants_diagram(("post", "pre")).axes] == ["SE-POST", "SE-PRE"]
    assert len(diagrams.residual_variants_diagram("identity").axes) == 1
    with pytest.raises(ValueError, match="variants must be some of"):
        diagrams.residual_variants_diagram(("standard", "after"))
    with pytest.raises(ValueError, match="variants must be some of"):
        diagrams.residual_variants_diagram(())


def test_residual_variants_diagram_text_does_not_overlap():
    _assert_no_overlap(diagrams.residual_variants_diagram())
