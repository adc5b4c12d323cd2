"""The graded assignments, end to end with nbgrader.

In a temporary course folder: generate the student versions from assignments/source,
hand in three kinds of submission, autograde them, and read the scores from the gradebook:
- the reference solutions get every automatic point (written answers wait for a teacher);
- the unmodified student versions get 0 without crashing the grader;
- a partly solved notebook gets exactly the points of the parts it solves.
Also: the student versions hold no line of a solution or a hidden test, the committed
ones in assignments/release are what `make assignments` writes today, and the feedback a
student gets (`nbgrader generate_feedback`) states the score and shows no hidden test.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbgrader.api import Gradebook  # the `teach` extra, which `make test` installs

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "assignments"
NAMES = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)^[ \t]*### END \1\n?", re.S | re.M)
DELIMITER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\n?", re.M)

# Which solution cells a partly correct student fills in, and the points that earns.
PARTIAL = {
    "A_build_se": ({"squeeze", "scale"}, 4.0),
    "B_se_in_resnet": ({"se_params", "count_macs"}, 4.0),
    "C_analyse_excitations": ({"record", "class_means"}, 5.0),
}


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def _grader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


def hand_in(release: dict, source: dict, solved: set | None) -> dict:
    """A student's notebook: the student version with the cells in ``solved`` (all if None) written
    as in the reference solution, without the solution markers."""
    reference = {_grader(c).get("grade_id"): c for c in source["cells"] if _grader(c).get("solution")}
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = _grader(cell).get("grade_id")
        if _grader(cell).get("solution") and (solved is None or gid in solved):
            cell["source"] = DELIMITER.sub("", _src(reference[gid]))
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with generated student versions and three autograded students."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(COURSE / "source", root / "source")
    shutil.copy(COURSE / "nbgrader_config.py", root)
    for name in NAMES:
        done = nbgrader(root, "generate_assignment", name)
        assert done.returncode == 0, done.stderr
    for name in NAMES:
        release = _nb(root / "release" / name / f"{name}.ipynb")
        source = _nb(root / "source" / name / f"{name}.ipynb")
        for student, solved in {"reference": None, "blank": set(), "partial": PARTIAL[name][0]}.items():
            folder = root / "submitted" / student / name
            folder.mkdir(parents=True)
            (folder / f"{name}.ipynb").write_text(json.dumps(hand_in(release, source, solved)), encoding="utf-8")
        graded = nbgrader(root, "autograde", name)
        assert graded.returncode == 0, f"the grader crashed on {name}:\n{graded.stderr[-3000:]}"
    return root


def scores(course: Path, name: str, student: str):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(name, student)
        grades = {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for nb in sub.notebooks for g in nb.grades}
        return sub.code_score, sub.max_code_score, grades


def test_the_three_assignments_are_there():
    assert NAMES == ["A_build_se", "B_se_in_resnet", "C_analyse_excitations"]


@pytest.mark.parametrize("name", NAMES)
def test_source_has_solutions_hidden_tests_and_points(name):
    nb = _nb(COURSE / "source" / name / f"{name}.ipynb")
    text = "\n".join(_src(c) for c in nb["cells"])
    assert "### BEGIN SOLUTION" in text and "### BEGIN HIDDEN TESTS" in text or name == "C_analyse_excitations"
    tests = [c for c in nb["cells"] if _grader(c).get("grade") and c["cell_type"] == "code"]
    assert tests and all(_grader(c)["points"] > 0 and _grader(c)["locked"] for c in tests)
    for cell in tests:
        assert "checks.check_" in _src(cell), "every test cell gives the student feedback in words"


def test_assignment_c_has_written_answers_graded_by_hand():
    nb = _nb(COURSE / "source" / "C_analyse_excitations" / "C_analyse_excitations.ipynb")
    written = [c for c in nb["cells"] if c["cell_type"] == "markdown" and _grader(c).get("grade")]
    assert [_grader(c)["grade_id"] for c in written] == ["answer_depth", "answer_control"]
    assert all(_grader(c)["solution"] and _grader(c)["points"] == 2 for c in written)


def _hidden_lines(nb: dict) -> set[str]:
    lines = set()
    for cell in nb["cells"]:
        for m in REGION.finditer(_src(cell)):
            lines |= {ln.strip() for ln in m.group(2).splitlines() if ln.strip()}
    return lines


@pytest.mark.parametrize("name", NAMES)
def test_student_versions_hold_no_solution_or_hidden_test_line(name, course):
    hidden = _hidden_lines(_nb(COURSE / "source" / name / f"{name}.ipynb"))
    assert len(hidden) >= 5
    for release in (COURSE / "release" / name / f"{name}.ipynb", course / "release" / name / f"{name}.ipynb"):
        nb = _nb(release)
        shown = {ln.strip() for c in nb["cells"] for ln in _src(c).splitlines()}
        leaked = sorted(hidden & shown)
        assert not leaked, f"{release} shows lines of a solution or hidden test: {leaked}"
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


@pytest.mark.parametrize("name", NAMES)
def test_committed_student_versions_are_up_to_date(name, course):
    committed = (COURSE / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    fresh = (course / "release" / name / f"{name}.ipynb").read_text(encoding="utf-8")
    assert committed == fresh, "run `make assignments` and commit assignments/release/"


@pytest.mark.parametrize("name", NAMES)
def test_reference_solutions_get_every_automatic_point(name, course):
    got, most, grades = scores(course, name, "reference")
    assert most > 0 and got == most, grades
    manual = {g for g, (_, _, needs) in grades.items() if needs}
    assert manual == ({"answer_depth", "answer_control"} if name.startswith("C_") else set())


@pytest.mark.parametrize("name", NAMES)
def test_unmodified_student_versions_get_zero_without_crashing_the_grader(name, course):
    got, most, grades = scores(course, name, "blank")
    assert most > 0 and got == 0, grades
    assert len(grades) == len(scores(course, name, "reference")[2]), "every graded cell was graded"


@pytest.mark.parametrize("name", NAMES)
def test_partly_solved_notebooks_get_partial_marks(name, course):
    got, most, grades = scores(course, name, "partial")
    assert got == PARTIAL[name][1] and 0 < got < most, grades


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


WITH_HIDDEN_TESTS = [n for n in NAMES if _hidden_test_lines(_nb(COURSE / "source" / n / f"{n}.ipynb"))]


@pytest.mark.parametrize("name", WITH_HIDDEN_TESTS)
def test_feedback_shows_scores_and_no_hidden_test_line(name, course):
    done = nbgrader(course, "generate_feedback", name, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    hidden = _hidden_test_lines(_nb(COURSE / "source" / name / f"{name}.ipynb"))
    assert len(hidden) >= 3
    for student in ("reference", "blank", "partial"):
        page = _Text((course / "feedback" / student / name / f"{name}.html").read_text(encoding="utf-8"))
        leaked = sorted(hidden & page.lines())
        assert not leaked, f"{student}'s feedback on {name} shows hidden tests: {leaked}"
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            sub = gb.find_submission(name, student)
            got, most = sub.score, sub.max_score          # written answers count, ungraded as 0
        assert f"Score: {got:.1f} / {most:.1f}" in " ".join(" ".join(page.parts).split()), "the feedback states the score"
