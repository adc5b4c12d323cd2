"""`make grade`: the students' code runs in a sandbox while nbgrader grades it.

In a temporary course with assignment A_build_se, one honest student and seven attackers
hand in the student version; each attacker's first solution cell starts with an attack:
read the hidden tests (the teacher's notebooks and the gradebook), set every grade in the
gradebook to 0, append a line to nbgrader_config.py, loop forever, end the Python process,
print 50 MB, connect to a port that this test opens on the machine. `make grade` grades
them all (TIMEOUT seconds a cell); then nothing outside the attackers' own folders has
changed, no output shows a hidden test, the gradebook holds what each notebook earned,
the connection never arrived, the honest student gets every point, and the report names
each attacker's problem. The sandbox needs bubblewrap; without it these tests skip.
"""

import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from classroom import ROOT, hand_in, nbgrader, new_course, reference_answers
from classroom import grader as _grader
from classroom import read_nb as _nb
from classroom import source as _src
from nbgrader.api import Gradebook  # the `teach` extra, which `make test` installs

pytestmark = pytest.mark.classroom
NAME = "A_build_se"
TIMEOUT = 15  # seconds a cell may run: the endless loop costs this much (importing torch: 4-10 s)
CANARY = "hidden-test-canary-7d1f"  # written into a hidden test of the temporary course
REGION = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS\n(.*?)^[ \t]*### END HIDDEN TESTS\n?", re.S | re.M)

ATTACKS = {
    "read_tests": """
import glob, sqlite3
found = glob.glob("../../../source/**/*.ipynb", recursive=True) + glob.glob("*.ipynb")
print("found", found)
for path in found:
    print(open(path).read())
gradebook = sqlite3.connect("file:../../../gradebook.db?mode=ro", uri=True)
for (text,) in gradebook.execute("SELECT source FROM source_cell"):
    print(text)
""",
    "zero_gradebook": """
import sqlite3
gradebook = sqlite3.connect("../../../gradebook.db")
gradebook.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
gradebook.commit()
""",
    "edit_config": """
with open("../../../nbgrader_config.py", "a") as config:
    config.write("\\nc.Execute.timeout = 1  # a student was here\\n")
""",
    "endless_loop": "while True:\n    pass",
    "exit_python": "import os\nos._exit(0)",
    "print_50mb": 'print("x" * 50_000_000)',
    "network": """
import socket
socket.create_connection(("127.0.0.1", {port}), timeout=5).close()
print("connected")
""",
}


def _hidden_lines(nb: dict) -> set[str]:
    """Lines that only the hidden tests hold (not also written elsewhere in the notebook)."""
    hidden, elsewhere = set(), set()
    for cell in nb["cells"]:
        hidden |= {ln.strip() for m in REGION.finditer(_src(cell)) for ln in m.group(1).splitlines() if ln.strip()}
        elsewhere |= {ln.strip() for ln in REGION.sub("", _src(cell)).splitlines()}
    return hidden - elsewhere


def _output_text(out: dict) -> str:
    parts = [out.get("text", ""), out.get("evalue", ""), *out.get("traceback", []), *out.get("data", {}).values()]
    return "\n".join("".join(p) if isinstance(p, list) else str(p) for p in parts)


def _snapshot(course: Path) -> dict:
    """Every file of the course but those grading writes (autograded/, reports/, the gradebook): path → hash."""
    skip = ("autograded", "reports", "gradebook.db")
    return {
        str(p.relative_to(course)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(course.rglob("*"))
        if p.is_file() and p.relative_to(course).parts[0] not in skip
    }


def _hand_in(release: dict, source: dict, attack: str = "") -> dict:
    """The reference solution in the student version, ``attack`` at the top of the first solution cell."""
    answers = reference_answers(source)
    first = next(
        _grader(c)["grade_id"] for c in release["cells"] if _grader(c).get("solution") and c["cell_type"] == "code"
    )
    answers[first] = attack.strip() + "\n\n" + answers[first]
    return hand_in(release, source, answers)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The course after `make grade`: its folder, make's output and exit status, the snapshot
    taken before, whether a connection arrived, and the seconds make took."""
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
    course = new_course(tmp_path_factory.mktemp("course"))
    teacher = course / "source" / NAME / f"{NAME}.ipynb"
    nb = _nb(teacher)
    first_test = next(c for c in nb["cells"] if _grader(c).get("grade") and c["cell_type"] == "code")
    first_test["source"] = _src(first_test).rstrip("\n") + (
        f"\n### BEGIN HIDDEN TESTS\nassert {CANARY!r}\n### END HIDDEN TESTS\n"
    )
    teacher.write_text(json.dumps(nb), encoding="utf-8")
    done = nbgrader(course, "generate_assignment", NAME, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    release, source = _nb(course / "release" / NAME / f"{NAME}.ipynb"), _nb(teacher)
    students = {"honest": "", **{k: v.format(port=listener.getsockname()[1]) for k, v in ATTACKS.items()}}
    for student, attack in students.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(json.dumps(_hand_in(release, source, attack)), encoding="utf-8")
    before = _snapshot(course)

    started = time.monotonic()
    make = subprocess.run(
        [
            "make",
            "-C",
            str(ROOT),
            "grade",
            f"A={NAME}",
            f"COURSE={course}",
            f"TIMEOUT={TIMEOUT}",
            f"VENV={Path(sys.prefix)}",
            "GRADE_ARGS=",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    seconds = time.monotonic() - started
    print(make.stdout[-3000:], f"\nmake grade: {seconds:.0f} s")
    try:
        listener.accept()[0].close()
        connected = True
    except BlockingIOError:
        connected = False
    listener.close()
    assert (course / "reports" / f"{NAME}.txt").is_file(), (
        f"make grade wrote no report:\n{make.stdout[-3000:]}\n{make.stderr[-3000:]}"
    )
    return dict(course=course, make=make, before=before, connected=connected, seconds=seconds)


def report_line(graded, student: str) -> str:
    report = (graded["course"] / "reports" / f"{NAME}.txt").read_text(encoding="utf-8")
    lines = [ln for ln in report.splitlines() if ln.split()[:1] == [student]]
    assert len(lines) == 1, (
        f"the report has no line for {student}:\n{report}\nmake said:\n{graded['make'].stderr[-3000:]}"
    )
    return lines[0]


def test_the_report_has_a_line_per_student_and_make_fails_when_one_is_not_graded(graded):
    make, course = graded["make"], graded["course"]
    report = (course / "reports" / f"{NAME}.txt").read_text(encoding="utf-8")
    assert report.strip() in make.stdout, "make grade prints the report it writes"
    assert len(report.strip().splitlines()) == 1 + 1 + len(ATTACKS)
    assert make.returncode != 0, "exit_python is not graded, so make grade fails"


def test_the_honest_student_gets_every_point(graded):
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        sub = gb.find_submission(NAME, "honest")
        assert sub.max_score > 0 and sub.score == sub.max_score
    assert re.search(r"honest\s+(\S+) / \1\s+ok$", report_line(graded, "honest"))


def test_nothing_outside_the_graded_folders_changes(graded):
    after = _snapshot(graded["course"])
    changed = sorted(p for p in set(after) | set(graded["before"]) if after.get(p) != graded["before"].get(p))
    assert not changed, f"student code changed the course's files: {changed}"


def test_the_gradebook_holds_what_each_notebook_earned(graded):
    """Every grade cell scores its points when it shows no error, else 0: nobody changed the gradebook."""
    course = graded["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in ["honest", *ATTACKS]:
            path = course / "autograded" / student / NAME / f"{NAME}.ipynb"
            if not path.exists():
                continue  # not graded
            grades = {g.name: g.score for g in gb.find_submission_notebook(NAME, NAME, student).grades}
            for cell in _nb(path)["cells"]:
                if _grader(cell).get("grade") and cell["cell_type"] == "code":
                    failed = any(o["output_type"] == "error" for o in cell.get("outputs", []))
                    expected = 0 if failed else _grader(cell)["points"]
                    assert grades[_grader(cell)["grade_id"]] == expected, (student, _grader(cell)["grade_id"], grades)


def test_no_output_shows_a_hidden_test(graded):
    hidden = _hidden_lines(_nb(graded["course"] / "source" / NAME / f"{NAME}.ipynb"))
    assert f"assert {CANARY!r}" in hidden
    for path in (graded["course"] / "autograded").glob(f"*/{NAME}/{NAME}.ipynb"):
        shown = "\n".join(_output_text(o) for c in _nb(path)["cells"] for o in c.get("outputs", []))
        lines = {ln.strip() for ln in shown.splitlines()}
        leaked = sorted(h for h in hidden if h in lines or len(h) >= 16 and h in shown)  # also inside quotes
        assert not leaked and CANARY not in shown, f"{path.parts[-3]}'s notebook shows hidden tests: {leaked}"


def test_reading_the_tests_and_writing_the_gradebook_fail(graded):
    assert "error in" in report_line(graded, "read_tests")
    assert "error in" in report_line(graded, "zero_gradebook")


def test_an_endless_loop_is_stopped_at_the_time_limit(graded):
    line = report_line(graded, "endless_loop")
    assert "stopped at the time limit" in line and "not graded" not in line


def test_ending_the_python_process_is_reported(graded):
    assert "not graded" in report_line(graded, "exit_python") and "kernel died" in report_line(graded, "exit_python")


def test_50_mb_of_output_is_cut(graded):
    assert "output cut" in report_line(graded, "print_50mb")
    notebook = graded["course"] / "autograded" / "print_50mb" / NAME / f"{NAME}.ipynb"
    assert notebook.stat().st_size < 1_000_000
    assert (graded["course"] / "gradebook.db").stat().st_size < 5_000_000


def test_the_network_is_out_of_reach(graded):
    assert not graded["connected"], "student code opened a connection to this machine"
    assert "error in" in report_line(graded, "network")


def test_the_private_tmp_comes_before_the_folders_bound_into_it(tmp_path):
    """The repository or the course may lie under /tmp (a clone there, a test's folder): the sandbox's own
    /tmp must be mounted first, or it would hide them."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("grade", ROOT / "scripts" / "grade.py")
    grade = importlib.util.module_from_spec(spec)
    sys.modules["grade"] = grade  # (its dataclass looks itself up there)
    spec.loader.exec_module(grade)
    command = grade.sandbox_command(str(tmp_path / "runtime" / "kernel.json"), tmp_path / "work")
    tmp = next(i for i in range(len(command) - 1) if command[i : i + 2] == ["--tmpfs", "/tmp"])
    binds = [i for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind", "--ro-bind-try")]
    assert binds and all(i > tmp for i in binds), "every folder is bound after /tmp is mounted"
