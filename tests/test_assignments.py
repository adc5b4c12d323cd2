"""The graded assignments, end to end with nbgrader.

For each assignment, in its own temporary course folder: generate the student version from
assignments/source, hand in the submissions below, autograde them, and read every graded
cell's score from the gradebook:
- reference: the reference solutions, every automatic point;
- different: correct solutions written differently from the reference, every automatic point;
- mistakes: typical mistakes in some parts; each costs only the points of its own part;
- partial: some parts solved, the others untouched: the points of the solved parts;
- blank: the unmodified student version: 0, without crashing the grader;
- gaming: the package's own code passed off as the student's, numbers typed in from the
  messages, ceil(C/r), or the checks and torch.allclose replaced by always-pass functions:
  no point for a part that is not the student's own correct work.
Also: the student versions hold no line of a solution or a hidden test, the committed ones in
assignments/release are what `make assignments` writes today, and the feedback a student gets
(`nbgrader generate_feedback`) states the score and shows no hidden test.
"""

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from classroom import COURSE, hand_in, lab, nbgrader, new_course
from classroom import grader as _grader
from classroom import read_nb as _nb
from classroom import source as _src
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbgrader.api import Gradebook  # the `teach` extra, which `make test` installs

pytestmark = pytest.mark.classroom
NAMES = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)^[ \t]*### END \1\n?", re.S | re.M)

# ----------------------------------------------------------------------------- the submissions
# Each one gives the source of some solution cells (by grade id); "REF" means the reference
# solution, a missing cell stays as handed out. Its expected score per test cell follows.

REPLACED = """
import torch as _t, se_tutorial.checks as _c
for _name in dir(_c):
    if _name.startswith("check_"):
        setattr(_c, _name, lambda *a, **k: None)
_t.allclose = lambda *a, **k: True
"""

SUBMISSIONS = {
    "A_build_se": {
        "reference": (
            {"squeeze": "REF", "excitation": "REF", "scale": "REF", "se_block": "REF"},
            {"test_squeeze": 2, "test_excitation": 3, "test_scale": 2, "test_se_block": 3},
        ),
        "different": (
            {
                "squeeze": "def squeeze(x):\n    return nn.functional.adaptive_avg_pool2d(x, 1).flatten(start_dim=1)",
                "excitation": (
                    "class Excitation(nn.Module):\n"
                    "    def __init__(self, channels, reduction=16):\n"
                    "        super().__init__()\n"
                    "        hidden = channels // reduction if channels >= reduction else 1\n"
                    "        self.fc1, self.fc2 = nn.Linear(channels, hidden), nn.Linear(hidden, channels)\n"
                    "    def forward(self, z):\n"
                    "        return self.fc2(nn.functional.relu(self.fc1(z))).sigmoid()"
                ),
                "scale": "def scale(x, s):\n    return x * s[..., None, None]",
                "se_block": (
                    "class SEBlock(nn.Module):\n"
                    "    def __init__(self, channels, reduction=16):\n"
                    "        super().__init__()\n"
                    "        self.excitation = Excitation(channels, reduction)\n"
                    "    def forward(self, x):\n"
                    "        return scale(x, self.excitation(squeeze(x)))"
                ),
            },
            {"test_squeeze": 2, "test_excitation": 3, "test_scale": 2, "test_se_block": 3},
        ),
        "mistakes": (
            {  # keeps the pooled dims; rounds C/r up; the block itself is right
                "squeeze": "def squeeze(x):\n    return x.mean(dim=(2, 3), keepdim=True)",
                "excitation": (
                    "import math\n"
                    "class Excitation(nn.Module):\n"
                    "    def __init__(self, channels, reduction=16):\n"
                    "        super().__init__()\n"
                    "        h = math.ceil(channels / reduction)\n"
                    "        self.fc1, self.fc2 = nn.Linear(channels, h), nn.Linear(h, channels)\n"
                    "    def forward(self, z):\n"
                    "        return torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))"
                ),
                "scale": "REF",
                "se_block": "REF",
            },
            {"test_squeeze": 0, "test_excitation": 0, "test_scale": 2, "test_se_block": 3},
        ),
        "partial": (
            {"squeeze": "REF", "scale": "REF"},
            {"test_squeeze": 2, "test_excitation": 0, "test_scale": 2, "test_se_block": 0},
        ),
        "blank": ({}, {"test_squeeze": 0, "test_excitation": 0, "test_scale": 0, "test_se_block": 0}),
        "gaming": (
            {  # the package's code, one import per part
                "squeeze": "from se_tutorial import squeeze",
                "excitation": "from se_tutorial import Excitation",
                "scale": "from se_tutorial import scale",
                "se_block": "from se_tutorial import SEBlock",
            },
            {"test_squeeze": 0, "test_excitation": 0, "test_scale": 0, "test_se_block": 0},
        ),
        "wrapping": (
            {  # the package's code behind the student's own names, or inherited
                "squeeze": "import se_tutorial\ndef squeeze(x):\n    return se_tutorial.squeeze(x)",
                "excitation": "REF",
                "scale": "REF",
                "se_block": "import se_tutorial\nclass SEBlock(se_tutorial.SEBlock):\n    pass",
            },
            {"test_squeeze": 0, "test_excitation": 3, "test_scale": 2, "test_se_block": 0},
        ),
        "replacing": (
            {  # wrong code, with the checks and torch.allclose made to always pass
                "squeeze": "def squeeze(x):\n    return x[:, :, 0, 0]\n" + REPLACED,
                "excitation": "REF",
                "scale": "REF",
                "se_block": "REF",
            },
            {"test_squeeze": 0, "test_excitation": 0, "test_scale": 0, "test_se_block": 0},
        ),
    },
    "B_se_in_resnet": {
        "reference": (
            {"residual_block": "REF", "se_params": "REF", "count_macs": "REF", "se_cost": "REF"},
            {"test_standard": 3, "test_post": 3, "test_se_params": 2, "test_count_macs": 2, "test_se_cost": 2},
        ),
        "different": (
            {
                "residual_block": (
                    "class SEResidualBlock(ResidualLayers):\n"
                    "    def forward(self, x):\n"
                    "        out = self.branch(x)\n"
                    "        if self.variant == 'standard':\n"
                    "            return nn.functional.relu(self.se(out) + x)\n"
                    "        if self.variant == 'post':\n"
                    "            out = nn.functional.relu(out + x)\n"
                    "            return self.se(out)\n"
                    "        raise ValueError(self.variant)"
                ),
                "se_params": (
                    "def se_params(channels, reduction):\n"
                    "    h = channels // reduction or 1\n"
                    "    return (channels + 1) * h + (h + 1) * channels"
                ),
                "count_macs": (
                    "def count_macs(model, input_shape):\n"  # the old call, which torch warns about
                    "    flops = FlopCounterMode(model, display=False)\n"
                    "    with torch.no_grad(), flops:\n"
                    "        model(torch.zeros(*input_shape))\n"
                    "    return int(flops.get_total_flops() / 2)"
                ),
                "se_cost": (
                    "def se_cost(plain, with_se, input_shape):\n"
                    "    n = [sum(p.numel() for p in m.parameters() if p.requires_grad) for m in (plain, with_se)]\n"
                    "    macs = [count_macs(m, input_shape) for m in (plain, with_se)]\n"
                    "    return n[1] - n[0], macs[1] - macs[0]"
                ),
            },
            {"test_standard": 3, "test_post": 3, "test_se_params": 2, "test_count_macs": 2, "test_se_cost": 2},
        ),
        "mistakes": (
            {  # post computes the standard variant; FLOPs instead of MACs; the rest right
                "residual_block": (
                    "class SEResidualBlock(ResidualLayers):\n"
                    "    def forward(self, x):\n"
                    "        return torch.relu(x + self.se(self.branch(x)))"
                ),
                "se_params": "REF",
                "count_macs": (
                    "def count_macs(model, input_shape):\n"
                    "    counter = FlopCounterMode(display=False)\n"
                    "    with counter, torch.no_grad():\n"
                    "        model(torch.zeros(input_shape))\n"
                    "    return counter.get_total_flops()"
                ),
                "se_cost": "REF",
            },
            {"test_standard": 3, "test_post": 0, "test_se_params": 2, "test_count_macs": 0, "test_se_cost": 2},
        ),
        "partial": (
            {"se_params": "REF", "count_macs": "REF"},
            {"test_standard": 0, "test_post": 0, "test_se_params": 2, "test_count_macs": 2, "test_se_cost": 0},
        ),
        "blank": (
            {},
            {"test_standard": 0, "test_post": 0, "test_se_params": 0, "test_count_macs": 0, "test_se_cost": 0},
        ),
        "gaming": (
            {  # the package's formula and counter; numbers typed in from what the notebook printed
                "residual_block": "REF",
                "se_params": "from se_tutorial import excitation_params as se_params",
                "count_macs": "count_macs = cost.macs",
                "se_cost": "def se_cost(plain, with_se, input_shape):\n    return 2828, 2688",
            },  # right for the visible check only
            {"test_standard": 3, "test_post": 3, "test_se_params": 0, "test_count_macs": 0, "test_se_cost": 0},
        ),
    },
    "C_analyse_excitations": {
        "reference": (
            {
                "record": "REF",
                "class_means": "REF",
                "class_specificity": "REF",
                "answer_depth": "REF",
                "answer_control": "REF",
            },
            {"test_record": 2, "test_class_means": 3, "test_class_specificity": 3},
        ),
        "different": (
            {
                "record": (
                    "def record_excitations(model, images):\n"
                    "    with se.capture(model) as rec:\n"
                    "        _ = model(images)\n"
                    "    return dict(rec.excitations)"
                ),
                "class_means": (
                    "def class_means(s, labels, num_classes):\n"
                    "    out = torch.zeros(num_classes, s.shape[1], dtype=s.dtype)\n"
                    "    out.index_add_(0, labels, s)\n"
                    "    return out / torch.bincount(labels, minlength=num_classes)[:, None]"
                ),
                "class_specificity": (
                    "def class_specificity(s, labels, num_classes):\n"
                    "    s = s.double()\n"
                    "    m = s.mean(0)\n"
                    "    total = ((s - m) ** 2).sum() / len(s)\n"
                    "    between = 0.0\n"
                    "    for k in range(num_classes):\n"
                    "        rows = s[labels == k]\n"
                    "        between += len(rows) / len(s) * ((rows.mean(0) - m) ** 2).sum()\n"
                    "    return 0.0 if total == 0 else float(between / total)"
                ),
            },
            {"test_record": 2, "test_class_means": 3, "test_class_specificity": 3},
        ),
        "mistakes": (
            {  # records the squeezes; every class counts the same in η²; class_means right
                "record": (
                    "def record_excitations(model, images):\n"
                    "    with se.capture(model) as recorder:\n"
                    "        model(images)\n"
                    "    return recorder.squeezes"
                ),
                "class_means": "REF",
                "class_specificity": (
                    "def class_specificity(s, labels, num_classes):\n"
                    "    s = s.double()\n"
                    "    m = s.mean(0)\n"
                    "    mu = class_means(s, labels, num_classes)\n"
                    "    total = ((s - m) ** 2).mean(0).sum()\n"
                    "    return float(((mu - m) ** 2).mean(0).sum() / total)"
                ),
            },
            {"test_record": 0, "test_class_means": 3, "test_class_specificity": 0},
        ),
        "partial": (
            {"record": "REF", "class_means": "REF"},
            {"test_record": 2, "test_class_means": 3, "test_class_specificity": 0},
        ),
        "later_parts_only": (
            {"class_means": "REF", "class_specificity": "REF"},  # Part 1 left undone
            {"test_record": 0, "test_class_means": 3, "test_class_specificity": 3},
        ),
        "blank": ({}, {"test_record": 0, "test_class_means": 0, "test_class_specificity": 0}),
        "gaming": (
            {
                "record": "def record_excitations(model, images):\n    return se.analysis.record(model, images)[0]",
                "class_means": "class_means = se.analysis.class_means",
                "class_specificity": (
                    "def class_specificity(s, labels, num_classes):\n"
                    "    return se.analysis.class_specificity(s, labels, num_classes)"
                ),
            },
            {"test_record": 0, "test_class_means": 0, "test_class_specificity": 0},
        ),
    },
}


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """One course folder per assignment (its own gradebook), with every submission above autograded;
    the three assignments are graded side by side."""
    roots, running = {}, {}
    for name in NAMES:
        root = roots[name] = new_course(tmp_path_factory.mktemp(name))
        done = nbgrader(root, "generate_assignment", name)
        assert done.returncode == 0, done.stderr
        release = _nb(root / "release" / name / f"{name}.ipynb")
        source = _nb(root / "source" / name / f"{name}.ipynb")
        for student, (answers, _) in SUBMISSIONS[name].items():
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            (folder / f"{name}.ipynb").write_text(json.dumps(hand_in(release, source, answers)), encoding="utf-8")
        running[name] = nbgrader(root, "autograde", name, wait=False)
    for name, process in running.items():
        _, err = process.communicate(timeout=900)
        assert process.returncode == 0, f"the grader crashed on {name}:\n{err[-3000:]}"
    return roots


def grades(root: Path, name: str, student: str) -> dict:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(name, student)
        return {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for nb in sub.notebooks for g in nb.grades}


def test_the_three_assignments_are_there():
    assert NAMES == ["A_build_se", "B_se_in_resnet", "C_analyse_excitations"]
    assert sorted(SUBMISSIONS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_source_has_solutions_hidden_tests_and_points(name):
    nb = _nb(COURSE / "source" / name / f"{name}.ipynb")
    tests = [c for c in nb["cells"] if _grader(c).get("grade") and c["cell_type"] == "code"]
    assert tests and all(_grader(c)["points"] > 0 and _grader(c)["locked"] for c in tests)
    for cell in tests:
        text = _src(cell)
        assert "importlib.reload(se_tutorial.checks)" in text, "every test cell uses the checks as shipped"
        visible, hidden = text.split("### BEGIN HIDDEN TESTS")
        assert "check.check_" in visible, "every test cell gives the student feedback in words"
        assert "check.check_" in hidden and "quiet=True" in hidden, (
            "the grader checks again, on inputs the student never sees"
        )


@pytest.mark.parametrize("name", NAMES)
def test_every_graded_part_is_tried_by_every_kind_of_submission(name):
    nb = _nb(COURSE / "source" / name / f"{name}.ipynb")
    tests = {_grader(c)["grade_id"] for c in nb["cells"] if _grader(c).get("grade") and c["cell_type"] == "code"}
    for student, (_, expected) in SUBMISSIONS[name].items():
        assert set(expected) == tests, student


def test_assignment_c_has_written_answers_graded_by_hand_with_a_marking_guide():
    nb = _nb(COURSE / "source" / "C_analyse_excitations" / "C_analyse_excitations.ipynb")
    cells = nb["cells"]
    written = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and _grader(c).get("grade")]
    assert [_grader(cells[i])["grade_id"] for i in written] == ["answer_depth", "answer_control"]
    for i in written:
        assert _grader(cells[i])["solution"] and _grader(cells[i])["points"] == 2
        guide = cells[i + 1]
        assert _grader(guide).get("locked") and _src(guide).startswith("**Marking guide for Question")
        assert re.findall(r"\*\*(\d) points?\*\*", _src(guide)), "partial-credit rules: what earns which points"


def _hidden_lines(nb: dict) -> set[str]:
    lines = set()
    for cell in nb["cells"]:
        for m in REGION.finditer(_src(cell)):
            lines |= {ln.strip() for ln in m.group(2).splitlines() if ln.strip()}
    return lines


@pytest.mark.parametrize("name", NAMES)
def test_student_versions_hold_no_solution_or_hidden_test_line(name, courses):
    hidden = _hidden_lines(_nb(COURSE / "source" / name / f"{name}.ipynb"))
    assert len(hidden) >= 5
    for release in (COURSE / "release" / name / f"{name}.ipynb", courses[name] / "release" / name / f"{name}.ipynb"):
        nb = _nb(release)
        shown = {ln.strip() for c in nb["cells"] for ln in _src(c).splitlines()}
        leaked = sorted(hidden & shown)
        assert not leaked, f"{release} shows lines of a solution or hidden test: {leaked}"
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NAMES)
def test_committed_student_versions_are_up_to_date(name, courses):
    committed = (COURSE / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    fresh = (courses[name] / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    assert committed == fresh, "run `make assignments` and commit assignments/release/"


CASES = [(name, student) for name in NAMES for student in SUBMISSIONS[name]]


@pytest.mark.parametrize("name, student", CASES, ids=[f"{n[0]}-{s}" for n, s in CASES])
def test_each_part_is_graded_on_its_own(name, student, courses):
    got = grades(courses[name], name, student)
    expected = SUBMISSIONS[name][student][1]
    scores = {g: auto for g, (auto, _, _) in got.items() if g in expected}
    assert scores == {g: float(p) for g, p in expected.items()}, f"{student} on {name}"
    manual = {g for g, (_, _, needs) in got.items() if needs}
    written = {"answer_depth", "answer_control"} if name.startswith("C_") else set()
    answered = written & set(SUBMISSIONS[name][student][0])
    assert manual == answered, "written answers wait for the teacher; unanswered ones get 0 at once"


def _autograded(root: Path, name: str, student: str) -> dict:
    return _nb(root / "autograded" / student / name / f"{name}.ipynb")


def _shown(outputs: list[dict]) -> list[dict]:
    """The outputs as a reader sees them: nbconvert joins consecutive pieces of one stream (a busy kernel may
    send one print in two messages)."""
    cell = nbformat.from_dict({"cell_type": "code", "source": "", "outputs": copy.deepcopy(outputs)})
    return CoalesceStreamsPreprocessor().preprocess_cell(cell, {}, 0)[0]["outputs"]


def test_shown_joins_pieces_of_one_stream_only():
    out = lambda name, text: {"output_type": "stream", "name": name, "text": text}  # noqa: E731
    assert _shown([out("stdout", "✓ a"), out("stdout", "\n")]) == [out("stdout", "✓ a\n")]
    assert len(_shown([out("stdout", "✓ a\n"), out("stderr", "warning\n")])) == 2


@pytest.mark.parametrize("name", NAMES)
def test_graded_cells_print_one_line_and_nothing_nbgrader_misreads(name, courses):
    for cell in _autograded(courses[name], name, "reference")["cells"]:
        if _grader(cell).get("grade") and cell["cell_type"] == "code":
            shown = _shown(cell["outputs"])
            kinds = [(o["output_type"], o.get("name")) for o in shown]
            assert kinds == [("stream", "stdout")], (_grader(cell)["grade_id"], kinds)
            text = _src({"source": shown[0]["text"]})
            assert text.count("✓") == 1 and text.startswith("✓"), text


def test_a_warning_in_a_correct_answer_costs_nothing_and_is_reported(courses):
    name = "B_se_in_resnet"
    cell = next(
        c
        for c in _autograded(courses[name], name, "different")["cells"]
        if _grader(c).get("grade_id") == "test_count_macs"
    )
    assert [(o["output_type"], o.get("name")) for o in cell["outputs"]] == [("stream", "stdout")], (
        "no stderr: nbgrader would give 0"
    )
    lines = _src({"source": cell["outputs"][0]["text"]}).splitlines()
    assert lines[0] == "✓ count_macs: all 2 checks passed" and "note: your code gave a warning" in lines[1], lines
    assert grades(courses[name], name, "different")["test_count_macs"][0] == 2


def test_failures_say_what_is_wrong_without_the_answer_and_with_a_short_traceback(courses):
    name = "A_build_se"
    cells = {_grader(c).get("grade_id"): c for c in _autograded(courses[name], name, "mistakes")["cells"]}
    error = cells["test_squeeze"]["outputs"][-1]
    assert error["output_type"] == "error" and error["ename"] == "CheckFailed"
    assert "your squeeze returned shape (2, 8, 1, 1); expected (2, 8)" in error["evalue"]
    frames = error["traceback"][2:-1]  # after the banner and before the message
    assert len(frames) <= 2, "the traceback shows the test cell and the check's last line, not the check's insides"
    error = cells["test_excitation"]["outputs"][-1]
    assert "round down" in error["evalue"]
    block = cells["test_se_block"]["outputs"]
    text = _src({"source": block[0]["text"]})
    assert text.startswith("✓ SE block") and "with your own Excitation, scale, squeeze" in text
    name = "B_se_in_resnet"
    cells = {_grader(c).get("grade_id"): c for c in _autograded(courses[name], name, "gaming")["cells"]}
    assert "this is the package's own macs from se_tutorial.cost" in cells["test_count_macs"]["outputs"][-1]["evalue"]
    visible, hidden = cells["test_se_cost"]["outputs"]  # the typed-in numbers pass the visible check ...
    assert _src({"source": visible["text"]}).startswith("✓ se_cost")
    assert hidden["output_type"] == "error" and "widths=(8, 24, 40)" in hidden["evalue"]  # ... not the hidden one
    assert (
        "extra_params is 2828, which is not what SE adds" in hidden["evalue"]
        and "do not write them into your code" in hidden["evalue"]
    )


def _hidden_test_lines(nb: dict) -> set[str]:
    """Lines that only the hidden tests hold (not also written elsewhere in the notebook)."""
    hidden, elsewhere = set(), set()
    for cell in nb["cells"]:
        text = _src(cell)
        for m in REGION.finditer(text):
            if m.group(1) == "HIDDEN TESTS":
                hidden |= {ln.strip() for ln in m.group(2).splitlines() if ln.strip()}
        visible = REGION.sub(lambda m: "" if m.group(1) == "HIDDEN TESTS" else m.group(0), text)
        elsewhere |= {ln.strip() for ln in visible.splitlines()}
    return hidden - elsewhere


class _Text(HTMLParser):
    """The text a browser shows for an HTML page (code highlighting spans joined up)."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    def lines(self) -> set[str]:
        return {ln.strip() for ln in "".join(self.parts).splitlines() if ln.strip()}


@pytest.mark.parametrize("name", NAMES)
def test_feedback_shows_scores_and_no_hidden_test_line(name, courses):
    root = courses[name]
    done = nbgrader(root, "generate_feedback", name, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    hidden = _hidden_test_lines(_nb(COURSE / "source" / name / f"{name}.ipynb"))
    assert len(hidden) >= 3
    for student in SUBMISSIONS[name]:
        page = _Text((root / "feedback" / student / name / f"{name}.html").read_text(encoding="utf-8"))
        leaked = sorted(hidden & page.lines())
        assert not leaked, f"{student}'s feedback on {name} shows hidden tests: {leaked}"
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            sub = gb.find_submission(name, student)
            got, most = sub.score, sub.max_score  # written answers count, ungraded as 0
        assert f"Score: {got:.1f} / {most:.1f}" in " ".join(" ".join(page.parts).split()), (
            "the feedback states the score"
        )


def test_the_formgrader_shows_each_written_answer_with_its_marking_guide(courses, tmp_path):
    """What a teacher sees in the formgrader's manual grading page of a C submission."""
    import urllib.request

    root, name = courses["C_analyse_excitations"], "C_analyse_excitations"
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        notebook_id = gb.find_submission_notebook(name, name, "reference").id
    with lab(root, tmp_path / "runtime") as url:
        with urllib.request.urlopen(url(f"/formgrader/submissions/{notebook_id}/"), timeout=30) as r:
            page = r.read().decode()
    text = " ".join(" ".join(_Text(page).parts).split())
    for question in ("1", "2"):
        assert f"Marking guide for Question {question} (2 points)" in text
    assert (
        text.index("Question 1 (2 points)")
        < text.index("Marking guide for Question 1")
        < text.index("Question 2 (2 points)")
    )
