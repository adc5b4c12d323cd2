"""se_tutorial.checks: correct code passes, each typical mistake gets a message that names it (without the
answer), the package's own code is refused, replaced functions are found, each part is checked on its own,
and warnings are reported in words."""

import warnings

import pytest
import torch
from torch import nn

import se_tutorial as se
from se_tutorial import analysis, checks, cost
from se_tutorial.models import BasicBlock, small_resnet


def fails(check, *args, match, **kwargs):
    with pytest.raises(checks.CheckFailed, match=match):
        check(*args, **kwargs)


# ---------------------------------------------------------------- a student's correct code, written afresh


def squeeze(x):
    return x.sum(dim=3).sum(dim=2) / (x.shape[2] * x.shape[3])


def scale(x, s):
    return torch.einsum("nchw,nc->nchw", x, s)


class Excitation(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        h = max(1, channels // reduction)
        self.fc1, self.fc2 = nn.Linear(channels, h), nn.Linear(h, channels)

    def forward(self, z):
        return 1 / (1 + torch.exp(-self.fc2(self.fc1(z).clamp(min=0))))


class Block(nn.Module):
    def __init__(self, channels, reduction):
        super().__init__()
        self.excitation = Excitation(channels, reduction)

    def forward(self, x):
        return scale(x, self.excitation(squeeze(x)))


class Residual(nn.Module):
    def __init__(self, c, r, variant):
        super().__init__()
        self.variant = variant
        self.conv1, self.bn1 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.conv2, self.bn2 = nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c)
        self.se = Block(c, r)

    def forward(self, x):
        f = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(x + self.se(f)) if self.variant == "standard" else self.se(torch.relu(x + f))


def se_params(c, r):
    h = max(1, c // r)
    return 2 * c * h + h + c


def count_macs(model, shape):
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(shape))
    return counter.get_total_flops() // 2


def se_cost(plain, with_se, shape):
    n = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    return n(with_se) - n(plain), count_macs(with_se, shape) - count_macs(plain, shape)


def record_excitations(model, images):
    with se.capture(model) as rec:
        model(images)
    return rec.excitations


def class_means(s, y, k):
    onehot = nn.functional.one_hot(y, k).to(s.dtype)
    return onehot.T @ s / onehot.sum(0)[:, None]


def class_specificity(s, y, k):
    s = s.double()
    m, mu, n = s.mean(0), class_means(s, y, k), torch.bincount(y, minlength=k).double()
    between, total = (n[:, None] / len(y) * (mu - m) ** 2).sum(), ((s - m) ** 2).mean(0).sum()
    return float(between / total) if total > 0 else 0.0


def test_correct_code_passes_every_check_and_prints_one_line_each(capsys):
    results = [
        checks.check_squeeze(squeeze),
        checks.check_scale(scale),
        checks.check_excitation(Excitation),
        checks.check_se_block(Block),
        checks.check_residual_block(Residual, "standard"),
        checks.check_residual_block(Residual, "post"),
        checks.check_se_params(se_params),
        checks.check_count_macs(count_macs),
        checks.check_se_cost(se_cost),
        checks.check_record(record_excitations),
        checks.check_class_means(class_means),
        checks.check_class_specificity(class_specificity),
        checks.check_value("an answer", 0.5, 0.5),
    ]
    model = small_resnet(se="standard").eval()
    images = torch.rand(6, 1, 28, 28)
    results.append(checks.check_recorded(record_excitations(model, images), model, images))
    out = capsys.readouterr().out
    assert out.count("✓") == 14 and len(out.splitlines()) == 14, out
    assert results == [None] * 14, (
        "a check returns nothing, so a notebook shows its line once (and nbgrader reads no score)"
    )


def test_a_check_leaves_the_students_random_state_as_it_was():
    torch.manual_seed(123)
    want = torch.rand(3)
    torch.manual_seed(123)
    checks.check_residual_block(Residual, "standard", quiet=True)  # seeds torch inside
    checks.check_record(record_excitations, quiet=True)
    assert torch.equal(torch.rand(3), want)


def test_hidden_cases_and_quiet(capsys):
    checks.check_squeeze(squeeze, shapes=[(5, 12, 3, 10)], seed=2718, quiet=True)
    checks.check_excitation(Excitation, cases=[(12, 5), (3, 8)], quiet=True)
    assert capsys.readouterr().out == ""


def test_checkfailed_is_an_assertion_error():
    assert issubclass(checks.CheckFailed, AssertionError)


# ---------------------------------------------------------------- the package's own code is refused


@pytest.mark.parametrize(
    "check, reference, own",
    [
        (checks.check_squeeze, se.squeeze, squeeze),
        (checks.check_scale, se.scale, scale),
        (checks.check_excitation, se.Excitation, Excitation),
        (checks.check_se_block, se.SEBlock, Block),
        (checks.check_se_params, se.excitation_params, se_params),
        (checks.check_count_macs, cost.macs, count_macs),
        (checks.check_class_means, analysis.class_means, class_means),
        (checks.check_class_specificity, analysis.class_specificity, class_specificity),
    ],
)
def test_the_packages_own_code_is_refused_directly_wrapped_or_inherited(check, reference, own):
    check(own, quiet=True)
    fails(check, reference, match="the package's own")
    if isinstance(reference, type):
        fails(check, type("Mine", (reference,), {}), match="the package's own")
        fails(check, lambda *a: reference(*a), match="runs the package's own")
    else:
        fails(check, lambda *a: reference(*a), match=r"runs the package's own .* your own code")


def test_record_and_residual_block_refuse_the_packages_versions():
    fails(
        checks.check_record,
        lambda m, x: analysis.record(m, x)[0],
        match="runs the package's own se_tutorial.analysis.record",
    )
    fails(
        checks.check_residual_block,
        lambda c, r, v: BasicBlock(c, c, se=v, reduction=r),
        "post",
        match="runs the package's own se_tutorial.models.BasicBlock",
    )
    fails(
        checks.check_se_cost,
        lambda a, b, s: (cost.params(b) - cost.params(a), cost.macs(b, s) - cost.macs(a, s)),
        match="runs the package's own se_tutorial.cost",
    )


def test_replaced_functions_are_found_and_put_back(monkeypatch):
    checks.check_squeeze(squeeze, quiet=True)
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    fails(checks.check_squeeze, squeeze, match=r"replaced torch\.allclose.*restart the kernel")
    monkeypatch.undo()
    monkeypatch.setattr(torch.Tensor, "abs", lambda self: self * 0)
    fails(checks.check_scale, scale, match=r"replaced torch\.Tensor\.abs")
    monkeypatch.undo()
    monkeypatch.setattr(analysis, "class_means", class_means)
    fails(checks.check_class_means, class_means, match=r"replaced se_tutorial\.analysis\.class_means")
    monkeypatch.undo()
    monkeypatch.setattr(checks, "check_squeeze", lambda *a, **k: None)
    import importlib

    fresh = importlib.reload(checks)  # what a graded test cell does: the checks as shipped
    with pytest.raises(fresh.CheckFailed, match="wrong values"):
        fresh.check_squeeze(lambda x: x.amax((2, 3)))
    monkeypatch.undo()


# ---------------------------------------------------------------- each part on its own


def test_a_block_is_checked_with_the_packages_squeeze_scale_and_excitation(capsys):
    scope = Block.forward.__globals__
    wrong = {
        "squeeze": lambda x: x.mean((2, 3), keepdim=True),
        "scale": lambda x, s: x,
        "Excitation": lambda c, r: nn.Identity(),
    }
    saved = {k: scope[k] for k in wrong}
    scope.update(wrong)
    try:
        checks.check_se_block(Block)  # the assembly is right: full marks for this part, and a note
        out = capsys.readouterr().out.splitlines()
        assert out[0] == "✓ SE block: all 8 checks passed"
        assert out[1].startswith(
            "  note: with your own Excitation, scale, squeeze in place of the course's, it does not pass yet"
        )
        fails(checks.check_squeeze, scope["squeeze"], match=r"shape \(2, 8, 1, 1\)")
        assert scope["scale"] is wrong["scale"], "the student's names are put back after the check"
    finally:
        scope.update(saved)


def test_se_cost_and_class_specificity_are_checked_with_the_packages_earlier_parts():
    scope = se_cost.__globals__
    saved = scope["count_macs"], scope["class_means"]
    scope["count_macs"] = lambda m, s: 0
    scope["class_means"] = lambda s, y, k: s[:k]
    try:
        checks.check_se_cost(se_cost, quiet=True)
        checks.check_class_specificity(class_specificity, quiet=True)
    finally:
        scope["count_macs"], scope["class_means"] = saved


# ---------------------------------------------------------------- messages: what is wrong, never the answer


def test_squeeze_mistakes():
    fails(
        checks.check_squeeze,
        lambda x: x.mean((2, 3), keepdim=True),
        match=r"your squeeze returned shape \(2, 8, 1, 1\); expected \(2, 8\)",
    )
    fails(checks.check_squeeze, lambda x: x.amax((2, 3)), match="wrong values.*mean over dims")
    fails(checks.check_squeeze, lambda x: x.sum((2, 3)).numpy(), match="returned ndarray; expected a torch.Tensor")

    def zeroing(x):
        z = x.mean((2, 3))
        x.zero_()
        return z

    fails(checks.check_squeeze, zeroing, match="changed its input x in place")


def test_not_written_yet_and_crashes_name_the_students_line():
    def stub(x):
        raise NotImplementedError()

    fails(checks.check_squeeze, stub, match="not written yet")

    def bad_scale(x, s):
        out = x * s
        return out

    fails(
        checks.check_scale,
        bad_scale,
        match=r"your scale\(\(2, 8, 5, 7\), \(2, 8\)\) raised RuntimeError at your line `out = x \* s`"
        r".*Hint: .*\(N, C, 1, 1\)",
    )


class Swapped(Excitation):
    def forward(self, z):
        return torch.sigmoid(self.fc1(torch.relu(self.fc2(z))))


class NoSigmoid(Excitation):
    def forward(self, z):
        return self.fc2(torch.relu(self.fc1(z)))


class Ceil(nn.Module):
    def __init__(self, c, r):
        super().__init__()
        h = -(-c // r)
        self.fc1, self.fc2 = nn.Linear(c, h), nn.Linear(h, c)

    def forward(self, z):
        return torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))


class ZeroHidden(Ceil):
    def __init__(self, c, r):
        nn.Module.__init__(self)
        self.fc1, self.fc2 = nn.Linear(c, c // r), nn.Linear(c // r, c)


@pytest.mark.filterwarnings("ignore:Initializing zero-element tensors")
def test_excitation_mistakes():
    fails(checks.check_excitation, NoSigmoid, match=r"must lie in \(0, 1\): end with a sigmoid")
    fails(checks.check_excitation, Swapped, match=r"raised RuntimeError at your line .*Hint: .*fc1 maps C → h")
    fails(checks.check_excitation, Ceil, match=r"Excitation\(10, 4\)\.fc1 maps 10 → 3 .*round down")
    fails(checks.check_excitation, Ceil, cases=[(12, 5)], match=r"12 → 3 .*round down")
    fails(checks.check_excitation, ZeroHidden, match=r"Excitation\(6, 16\)\.fc1 maps 6 → 0 .*at least 1")


def test_se_block_mistakes():
    class NoExcitation(nn.Module):
        def __init__(self, c, r):
            super().__init__()
            self.mlp = Excitation(c, r)

    fails(checks.check_se_block, NoExcitation, match="no attribute `excitation`")

    class Softmax(Block):
        def forward(self, x):
            s = torch.softmax(self.excitation.fc2(torch.relu(self.excitation.fc1(squeeze(x)))), 1)
            return x * s[:, :, None, None]

    fails(checks.check_se_block, Softmax, match="wrong values")


def test_residual_block_names_the_variant_it_computes():
    class Standard(Residual):
        def __init__(self, c, r, v):
            super().__init__(c, r, "standard")

    fails(
        checks.check_residual_block,
        Standard,
        "post",
        match=r"computes the 'standard' variant instead\. Expected SE\(relu\(x \+ F\(x\)\)\)",
    )
    fails(
        checks.check_residual_block,
        lambda c, r, v: nn.Conv2d(c, c, 1),
        "standard",
        match="does not have the layers conv1, bn1, conv2, bn2 and se",
    )
    with pytest.raises(ValueError, match="unknown variant 'middle'"):
        checks.check_residual_block(Residual, "middle")


@pytest.mark.parametrize(
    "wrong, slip",
    [
        (lambda c, r: 2 * c * max(1, c // r), "bias vectors .* missing"),
        (lambda c, r: 2 * c * (c // r) + c // r + c, "at least 1"),
        (lambda c, r: 2 * c * -(-c // r) + -(-c // r) + c, "round down"),
        (lambda c, r: 7, "count two weight matrices"),
    ],
)
def test_se_params_messages_name_the_slip_not_the_answer(wrong, slip):
    with pytest.raises(checks.CheckFailed, match=slip) as e:
        checks.check_se_params(wrong)
    c, r = map(int, str(e.value).split("se_params(")[1].split(")")[0].split(", "))
    assert str(se.excitation_params(c, r)) not in str(e.value), "the message must not give the answer away"


def test_cost_mistakes_without_the_answer():
    fails(checks.check_count_macs, lambda m, s: 2 * count_macs(m, s), match="twice the right count.*2 FLOPs")
    fails(checks.check_count_macs, lambda m, s: 0, match="returned 0")
    with pytest.raises(checks.CheckFailed, match="extra_params is 123, which is not what SE adds") as e:
        checks.check_se_cost(lambda a, b, s: (123, 99))
    assert str(cost.params(small_resnet(se="standard")) - cost.params(small_resnet())) not in str(e.value)


def test_typed_in_numbers_fail_on_networks_the_student_never_saw():
    plain, with_se = small_resnet(), small_resnet(se="standard")
    typed = (
        cost.params(with_se) - cost.params(plain),
        count_macs(with_se, (1, 1, 28, 28)) - count_macs(plain, (1, 1, 28, 28)),
    )
    checks.check_se_cost(lambda a, b, s: typed, quiet=True)  # the visible check alone cannot tell
    fails(
        checks.check_se_cost,
        lambda a, b, s: typed,
        widths=(8, 24, 40),
        reduction=8,
        match=r"widths=\(8, 24, 40\).*extra_params",
    )
    checks.check_se_cost(se_cost, widths=(8, 24, 40), blocks=(2, 1, 1), reduction=8, quiet=True)
    checks.check_count_macs(count_macs, widths=(6, 10), input_shape=(2, 3, 13, 11), quiet=True)


def test_analysis_mistakes():
    fails(checks.check_class_means, lambda s, y, k: class_means(s, y, k).T, match="looks transposed")
    fails(checks.check_class_means, lambda s, y, k: s[:k], match="wrong values")
    fails(checks.check_class_specificity, lambda s, y, k: "high", match="expected a float")
    with pytest.raises(checks.CheckFailed, match="returned 0.5000, which is not between / total") as e:
        checks.check_class_specificity(lambda s, y, k: 0.5)
    assert "expected 0." not in str(e.value)
    fails(checks.check_record, lambda m, x: list(record_excitations(m, x).values()), match="expected a dict")
    fails(
        checks.check_record,
        lambda m, x: dict(list(record_excitations(m, x).items())[:2]),
        match="every SE block, in depth order",
    )
    fails(checks.check_record, lambda m, x: record_excitations(m, x[:5]), match="one row per image")
    fails(
        checks.check_record,
        lambda m, x: {k: v * 0.5 for k, v in record_excitations(m, x).items()},
        match="after the sigmoid",
    )
    model = small_resnet(se="standard").eval()
    images = torch.rand(4, 1, 28, 28)
    fails(
        checks.check_recorded, list(record_excitations(model, images).values()), model, images, match="expected a dict"
    )
    fails(checks.check_value, "the answer", 3, 4, match="the answer is 3; expected 4")
    fails(checks.check_value, "the answer", None, 4, match="expected a number")


def test_class_specificity_must_weight_classes_by_their_size():
    def unweighted(s, y, k):  # a common slip: every class counts the same, whatever its size
        mu, m = class_means(s.double(), y, k), s.double().mean(0)
        total = ((s.double() - m) ** 2).mean(0).sum()
        return float(((mu - m) ** 2).mean(0).sum() / total)

    fails(checks.check_class_specificity, unweighted, match="share n_k/N")


# ---------------------------------------------------------------- warnings and stderr are words, not errors


def test_warnings_and_stderr_become_a_note_after_the_pass(capsys):
    def noisy(x):
        warnings.warn("this way is deprecated", FutureWarning, stacklevel=2)
        import sys

        print("some text on stderr", file=sys.stderr)
        return squeeze(x)

    checks.check_squeeze(noisy)
    captured = capsys.readouterr()
    assert captured.err == "", "nothing reaches stderr (nbgrader gives 0 to a cell with stderr output)"
    lines = captured.out.splitlines()
    assert lines[0] == "✓ squeeze: all 4 checks passed"
    assert lines[1:] == [
        "  note: your code gave a warning, which costs nothing but may be worth a look: "
        "FutureWarning: this way is deprecated",
        "  note: your code gave a warning, which costs nothing but may be worth a look: "
        "text on stderr: some text on stderr",
    ]


def test_flop_counter_called_the_old_way_passes_with_a_note(capsys):
    from torch.utils.flop_counter import FlopCounterMode

    def old_way(model, shape):
        counter = FlopCounterMode(model, display=False)
        with counter, torch.no_grad():
            model(torch.zeros(shape))
        return counter.get_total_flops() // 2

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning that escaped the check would fail this test
        checks.check_count_macs(old_way)
    assert capsys.readouterr().out.startswith("✓ count_macs: all 2 checks passed\n  note:")
