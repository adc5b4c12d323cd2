import pytest
import torch

import se_tutorial as se
from se_tutorial import analysis
from se_tutorial.models import small_resnet


def _loop_class_means(s, y, k):
    return torch.stack([s[y == c].mean(0) for c in range(k)])


def test_class_means_equal_a_plain_loop():
    s = torch.rand(50, 7)
    y = torch.arange(50) % 4
    got = analysis.class_means(s, y, 4)
    assert got.shape == (4, 7)
    torch.testing.assert_close(got, _loop_class_means(s, y, 4))


def test_class_means_bad_input():
    s, y = torch.rand(10, 3), torch.arange(10) % 2
    with pytest.raises(ValueError, match=r"shape \(N,\) = \(10,\)"):
        analysis.class_means(s, y[:9], 2)
    with pytest.raises(ValueError, match="must lie in 0..1"):
        analysis.class_means(s, y + 1, 2)
    with pytest.raises(ValueError, match="must lie in 0..2"):
        analysis.class_means(s, y - 1, 3)
    with pytest.raises(ValueError, match="empty"):
        analysis.class_means(torch.rand(0, 3), torch.zeros(0, dtype=torch.long), 2)
    with pytest.raises(ValueError, match=r"shape \(N, C\)"):
        analysis.class_means(torch.rand(10), y, 2)
    with pytest.raises(ValueError, match="integers"):
        analysis.class_means(s, y.float(), 2)
    with pytest.raises(ValueError, match=r"class\(es\) \[2\] have no image"):
        analysis.class_means(s, y, 3)
    with pytest.raises(ValueError, match="num_classes"):
        analysis.class_means(s, y, 0)


def test_specificity_is_zero_when_classes_have_identical_means():
    base = torch.rand(10, 6)
    s = base.repeat(3, 1)  # every class sees the same 10 rows
    y = torch.arange(3).repeat_interleave(10)
    assert analysis.class_specificity(s, y, 3) == pytest.approx(0.0, abs=1e-12)
    constant = torch.full((12, 4), 0.7)  # no variance at all
    assert analysis.class_specificity(constant, torch.arange(12) % 3, 3) == 0.0


def test_specificity_is_one_when_the_class_decides_the_weights():
    y = torch.arange(40) % 4
    per_class = torch.rand(4, 5)
    assert analysis.class_specificity(per_class[y], y, 4) == pytest.approx(1.0)


def test_specificity_equals_eta_squared_and_grows_with_class_signal():
    g = torch.Generator().manual_seed(1)
    y = torch.randint(0, 3, (300,), generator=g)
    noise = torch.rand(300, 8, generator=g)
    offsets = torch.rand(3, 8, generator=g)
    scores = [analysis.class_specificity(noise + a * offsets[y], y, 3) for a in (0.0, 0.5, 2.0)]
    assert scores[0] < 0.05 < scores[1] < scores[2] < 1
    # the definition, written out per channel and pooled
    s = noise + 0.5 * offsets[y]
    m = s.mean(0)
    mu = _loop_class_means(s, y, 3)
    n_k = torch.bincount(y, minlength=3).float()
    between = ((n_k[:, None] / 300) * (mu - m) ** 2).sum()
    total = ((s - m) ** 2).mean(0).sum()
    assert scores[1] == pytest.approx(float(between / total), rel=1e-5)
    # invariant to the scale and offset of the weights
    assert analysis.class_specificity(0.1 * s + 0.3, y, 3) == pytest.approx(scores[1], rel=1e-6)


def test_class_spread():
    y = torch.tensor([0, 0, 1, 1])
    s = torch.tensor([[0.2, 0.5], [0.4, 0.5], [0.6, 0.5], [0.8, 0.5]])
    # class means (0.3, 0.5) and (0.7, 0.5); all-class mean (0.5, 0.5): gaps 0.2, 0, 0.2, 0
    assert analysis.class_spread(s, y, 2) == pytest.approx(0.1)
    same = torch.rand(5, 3).repeat(2, 1)
    assert analysis.class_spread(same, torch.arange(2).repeat_interleave(5), 2) == pytest.approx(0.0, abs=1e-12)
    # scale-dependent, unlike the specificity
    assert analysis.class_spread(0.5 * s, y, 2) == pytest.approx(0.05)
    assert analysis.class_specificity(0.5 * s, y, 2) == pytest.approx(analysis.class_specificity(s, y, 2))


def test_saturation_shares():
    s = torch.tensor([[0.05, 0.5, 0.95, 0.99], [0.0, 0.12, 0.91, 0.2]])
    assert analysis.saturation(s) == {"above": pytest.approx(3 / 8), "below": pytest.approx(2 / 8)}
    assert analysis.saturation(s, high=0.4, low=0.3) == {"above": pytest.approx(4 / 8), "below": pytest.approx(4 / 8)}
    with pytest.raises(ValueError, match="0 <= low < high <= 1"):
        analysis.saturation(s, high=0.1, low=0.9)
    with pytest.raises(ValueError, match="empty"):
        analysis.saturation(torch.rand(0, 4))


def test_top_channels():
    means = torch.tensor([[0.9, 0.2, 0.8, 0.5], [0.9, 0.6, 0.1, 0.5]])
    assert analysis.top_channels(means, 0, 2).tolist() == [0, 2]
    assert analysis.top_channels(means, 1, 2).tolist() == [0, 1]
    assert analysis.top_channels(means, 1, 1, relative=True).tolist() == [1]  # 0.6 − 0.4 is the largest excess
    with pytest.raises(ValueError, match="k must be"):
        analysis.top_channels(means, 0, 5)
    with pytest.raises(ValueError, match="cls must be"):
        analysis.top_channels(means, 2, 1)


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    model = small_resnet(se="standard", widths=(4, 8, 8)).eval()
    return model, torch.rand(7, 1, 28, 28)


def test_record_matches_capture_and_model(tiny):
    model, x = tiny
    excitations, logits = analysis.record(model, x, batch_size=3)
    assert list(excitations) == ["stage1.0.se", "stage2.0.se", "stage3.0.se"]
    with se.capture(model) as rec, torch.no_grad():
        expected = model(x)
    torch.testing.assert_close(logits, expected)
    for name, s in excitations.items():
        assert s.shape == (7, model.get_submodule(name).channels)
        torch.testing.assert_close(s, rec.excitations[name])


def test_block_input_gives_what_the_block_scales(tiny):
    model, x = tiny
    u, s = analysis.block_input(model, "stage2.0.se", x)
    assert u.shape == (7, 8, 14, 14) and s.shape == (7, 8)
    with torch.no_grad():
        torch.testing.assert_close(model.stage2[0].se(u), s[:, :, None, None] * u)
    with pytest.raises(ValueError, match="unknown SE block 'stage9.se'"):
        analysis.block_input(model, "stage9.se", x)


def test_summary_rows(tiny):
    model, x = tiny
    excitations, _ = analysis.record(model, x)
    y = torch.tensor([0, 1, 0, 1, 0, 1, 1])
    rows = analysis.summary(excitations, y, 2)
    assert [r["block"] for r in rows] == list(excitations)
    for r, s in zip(rows, excitations.values()):
        assert r["specificity"] == analysis.class_specificity(s, y, 2)
        assert r["spread"] == analysis.class_spread(s, y, 2)
        assert 0 <= r["above"] <= 1 and 0 <= r["below"] <= 1 and r["channels"] == s.shape[1]
