"""The course's nbgrader plugins (assignments/nbgrader_plugins.py), with assignment A_build_se.

- zip_collect: the names Moodle and Canvas give to handed-in files (in folders, flat, late, handed in
  again, renamed notebooks, other files) give the expected student ids and A_build_se.ipynb; end to end,
  `nbgrader zip_collect` puts each notebook of a Moodle and a Canvas archive in
  submitted/STUDENT/A_build_se/A_build_se.ipynb, where nbgrader's own collector puts none.
- export: after autograding a complete and a partial notebook, `nbgrader export` writes one column per
  graded cell, each equal to the gradebook and to the points expected; a teacher's score wins over the
  automatic one, and a cell with no score yet is empty.
"""

import csv
import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from classroom import COURSE, REF, nbgrader, new_course
from classroom import grader as _grader
from classroom import hand_in as _hand_in
from classroom import read_nb as _nb
from nbgrader.api import Gradebook  # the `teach` extra, which `make test` installs

pytestmark = pytest.mark.classroom
sys.path.insert(0, str(COURSE))
from nbgrader_plugins import CourseCollector, PerCellExport  # noqa: E402

NAME = "A_build_se"

# (path inside downloaded/A_build_se/extracted/, student id or None when nothing is collected).
# The first folder is the archive: moodle.zip with "Download submissions in folders" (Moodle's default),
# moodle_flat.zip without it, canvas.zip.
HANDED_IN = [
    ("moodle/Ada Lovelace_101_assignsubmission_file/A_build_se.ipynb", "ada-lovelace"),
    ("moodle/Ada Lovelace_101_assignsubmission_file/se_diagram.png", None),
    ("moodle/Ada Lovelace_101_assignsubmission_onlinetext/onlinetext.html", None),
    ("moodle/José Núñez_102_assignsubmission_file/Copy of A_build_se.ipynb", "jose-nunez"),
    ("moodle/Grace Hopper_103_assignsubmission_file_/A_build_se (1).ipynb", "grace-hopper"),  # before Moodle 4.1
    ("moodle/Katherine Johnson_105_assignsubmission_file/homework.ipynb", "katherine-johnson"),
    ("moodle/Barbara Liskov_107_assignsubmission_file/week 2/A_build_se.ipynb", "barbara-liskov"),
    ("moodle/Participant_106_assignsubmission_file/A_build_se.ipynb", "participant-106"),  # blind marking
    ("moodle_flat/Alan Turing_104_assignsubmission_file_A_build_se.ipynb", "alan-turing"),
    ("moodle_flat/Alan Turing_104_assignsubmission_file_scratch.ipynb", None),  # a second notebook
    ("moodle_flat/Alan Turing_104_assignsubmission_onlinetext_onlinetext.html", None),
    ("canvas/lovelaceada_2001_90001_A_build_se.ipynb", "2001"),
    ("canvas/hoppergrace_LATE_2002_90002_A_build_se-1.ipynb", "2002"),  # late, handed in again
    ("canvas/turingalan_2003_90003_Copy of A_build_se.ipynb", "2003"),
    ("canvas/turingalan_2003_90004_A_build_se_notes.pdf", None),
    ("canvas/turingalan_2003_text.html", None),  # Canvas's page for a text entry
    ("canvas/johnson--katherine-late_2004_90005_A_build_se (2).ipynb", "2004"),  # older Canvas versions
    ("canvas/liskovbarbara_2005_90007_hw_1_2_A_build_se.ipynb", "2005"),
    ("canvas/LATE_anon_x7Kp2_90008_A_build_se.ipynb", "anon-x7Kp2"),  # anonymous grading
    ("canvas/notes.txt", None),
    ("canvas/A_build_se.ipynb", None),  # no platform's name: whose is it?
]


def write_files(folder: Path, names) -> None:
    """Each file holds its own name, to tell afterwards which one was collected."""
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(json.dumps({"handed_in_as": name}), encoding="utf-8")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A course folder, as the teacher's, with the student version of A_build_se generated."""
    root = new_course(tmp_path_factory.mktemp("course"), [NAME])
    done = nbgrader(root, "generate_assignment", NAME)
    assert done.returncode == 0, done.stderr
    return root


def copy_of(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "course")
    return tmp_path / "course"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("downloaded") / NAME / "extracted"
    write_files(folder, [name for name, _ in HANDED_IN])
    return folder


@pytest.mark.parametrize("name, student", HANDED_IN, ids=[n for n, _ in HANDED_IN])
def test_collector_reads_moodle_and_canvas_names(name, student, extracted):
    got = CourseCollector().collect(str(extracted / name))
    assert got == (None if student is None else {"student_id": student, "file_id": f"{NAME}.ipynb"})


def test_collector_stops_when_two_moodle_students_share_a_name(tmp_path):
    folder = tmp_path / NAME / "extracted"
    write_files(
        folder,
        [
            "Ada Lovelace_101_assignsubmission_file/A_build_se.ipynb",
            "Ada Lovelace_108_assignsubmission_file/A_build_se.ipynb",
        ],
    )
    collector = CourseCollector()
    collector.collect(str(folder / "Ada Lovelace_101_assignsubmission_file/A_build_se.ipynb"))
    with pytest.raises(ValueError, match=r"Two Moodle participants \(101 and 108\) have the name 'Ada Lovelace'"):
        collector.collect(str(folder / "Ada Lovelace_108_assignsubmission_file/A_build_se.ipynb"))


def test_collector_stops_when_two_notebooks_are_named_like_the_assignment(tmp_path):
    folder = tmp_path / NAME / "extracted"
    write_files(folder, ["lovelaceada_2001_90001_A_build_se.ipynb", "lovelaceada_2001_90002_Copy of A_build_se.ipynb"])
    with pytest.raises(ValueError, match=r"2001 handed in 2 notebooks named like A_build_se.ipynb.*--force"):
        CourseCollector().collect(str(folder / "lovelaceada_2001_90001_A_build_se.ipynb"))


def test_zip_collect_puts_each_notebook_where_autograde_reads_it(generated, tmp_path):
    course = copy_of(generated, tmp_path)
    archive = course / "downloaded" / NAME / "archive"
    archive.mkdir(parents=True)
    for platform in sorted({name.split("/")[0] for name, _ in HANDED_IN}):
        with zipfile.ZipFile(archive / f"{platform}.zip", "w") as zf:
            for name, _ in HANDED_IN:
                if name.split("/")[0] == platform:
                    zf.writestr(name.split("/", 1)[1], json.dumps({"handed_in_as": name}))

    # The course's earlier setting, nbgrader's own collector, collects none of them.
    default = "--ZipCollectApp.collector_plugin=nbgrader.plugins.FileNameCollectorPlugin"
    done = nbgrader(course, "zip_collect", NAME, default)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not list(course.glob("submitted/**/*.ipynb"))

    done = nbgrader(course, "zip_collect", NAME, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    expected = {student: name for name, student in HANDED_IN if student}
    collected = {p.parent.parent.name: p for p in course.glob(f"submitted/*/{NAME}/{NAME}.ipynb")}
    assert sorted(collected) == sorted(expected)
    for student, path in collected.items():
        assert _nb(path) == {"handed_in_as": expected[student]}, f"{student}: the wrong file was collected"
    assert sorted(p.name for p in course.glob("submitted/*/*/*")) == [f"{NAME}.ipynb"] * len(expected)
    assert "Canvas marks 2002's notebook late" in done.stderr
    assert "Skipped scratch.ipynb: alan-turing handed in several notebooks" in done.stderr


# The partial student solves these solution cells; a test cell passes when the nearest solution cell
# above it is solved (A_build_se: test_squeeze and test_scale, 4 points, as in tests/test_assignments.py).
PARTIAL = {"squeeze", "scale"}


def hand_in(release: dict, source: dict, solved: set | None) -> dict:
    """The student version with the solution cells in ``solved`` (all if None) written as in the reference."""
    cells = [_grader(c)["grade_id"] for c in source["cells"] if _grader(c).get("solution")]
    return _hand_in(release, source, {gid: REF for gid in cells if solved is None or gid in solved})


def expected_points(source: dict, solved: set | None) -> dict:
    """Points each graded cell should get: all its points when the solution cell above it is solved."""
    points, last_solution = {}, None
    for cell in source["cells"]:
        g = _grader(cell)
        if g.get("solution") and not g.get("grade"):
            last_solution = g["grade_id"]
        if g.get("grade"):
            points[g["grade_id"]] = float(g["points"]) if solved is None or last_solution in solved else 0.0
    return points


def read_csv(path: Path) -> tuple[list, dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fh.seek(0)
        header = next(csv.reader(fh))
    return header, {row["student_id"]: row for row in rows}


def test_export_writes_one_column_per_graded_cell(generated, tmp_path):
    course = copy_of(generated, tmp_path)
    release = _nb(course / "release" / NAME / f"{NAME}.ipynb")
    source = _nb(course / "source" / NAME / f"{NAME}.ipynb")
    solved = {"complete": None, "partial": PARTIAL}
    for student, cells in solved.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(json.dumps(hand_in(release, source, cells)), encoding="utf-8")
    graded = nbgrader(course, "autograde", NAME)
    assert graded.returncode == 0, graded.stderr[-3000:]
    expected = {student: expected_points(source, cells) for student, cells in solved.items()}
    cells = list(expected["complete"])  # in the notebook's order
    db = f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(db) as gb:
        for student in solved:
            sub = gb.find_submission(NAME, student)
            assert {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades} == expected[student]
        gb.add_student("absent")  # in the class list, handed nothing in
        # The teacher lowers a passing cell by hand, and a cell waits for the teacher (no automatic
        # score, as nbgrader stores a written answer): the first shows the teacher's score, the second is empty.
        passed = [cell for cell in cells if expected["partial"][cell] > 0]
        failed = [cell for cell in cells if expected["partial"][cell] == 0]
        gb.find_grade(passed[0], NAME, NAME, "partial").manual_score = 0.5
        waiting = gb.find_grade(failed[0], NAME, NAME, "partial")
        waiting.auto_score, waiting.needs_manual_grade = None, True
        gb.db.commit()
    expected["partial"].update({passed[0]: 0.5, failed[0]: ""})

    done = nbgrader(course, "export", "--to=per_cell.csv")
    assert done.returncode == 0, done.stderr[-3000:]
    header, rows = read_csv(course / "per_cell.csv")
    columns = [f"{NAME}:{cell}" for cell in cells]
    assert header == PerCellExport.BASE + columns
    assert sorted(rows) == ["absent", "complete", "partial"]
    with Gradebook(db) as gb:
        for student in solved:
            sub = gb.find_submission(NAME, student)
            scores = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
            for cell, column in zip(cells, columns):
                want = expected[student][cell]
                got = rows[student][column]
                assert got == "" if want == "" else float(got) == want == scores[cell], (student, cell, got)
            assert float(rows[student]["raw_score"]) == sub.score == sum(v or 0 for v in expected[student].values())
            assert float(rows[student]["max_score"]) == sub.max_score == sum(expected_points(source, None).values())
    assert rows["partial"]["needs_manual_grade"] == "True" and rows["complete"]["needs_manual_grade"] == "False"
    assert all(rows["absent"][column] == "" for column in columns) and float(rows["absent"]["score"]) == 0

    # --student and --assignment choose rows, as with nbgrader's own CSV export.
    with Gradebook(db) as gb:
        PerCellExport(to=str(tmp_path / "one.csv"), student=["partial"], assignment=[NAME]).export(gb)
    _, rows = read_csv(tmp_path / "one.csv")
    assert list(rows) == ["partial"]
