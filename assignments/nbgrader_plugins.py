"""The course's nbgrader plugins, loaded by nbgrader_config.py.

- CourseCollector: `nbgrader zip_collect ASSIGNMENT` reads the file names of the "download all
  submissions" archives of Moodle and Canvas.
- PerCellExport: `nbgrader export` writes one column per graded cell, next to nbgrader's usual columns.
"""

import csv
import json
import os
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin, FileNameCollectorPlugin

# Moodle (mod/assign): "Full Name_<participant id>_assignsubmission_<plugin>" is a folder that holds the
# student's files as they uploaded them (the default since Moodle 3.1; until Moodle's 2022 rewrite the
# folder's name ended with "_"), or the start of each file's name when the teacher unticks "Download
# submissions in folders".
# Moodle turns "_" in names into spaces; the participant id is drawn anew for each assignment.
MOODLE = r"(?P<name>[^_/]+)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z0-9]+)"
MOODLE_FOLDER = re.compile(MOODLE + r"_?")
MOODLE_FILE = re.compile(MOODLE + r"_(?P<original>.+)")
# Canvas: "<sortable name, lower case, no punctuation>[_LATE]_<user id>_<file id>_<original name>"; older Canvas
# versions wrote "<name>-late_<user id>_..." in lower case; with anonymous grading "anon_<id>" replaces
# the name and the user id. A file handed in again gets "-1", "-2" before its extension.
CANVAS = re.compile(r"(?P<name>[\w-]*?)(?:[_-](?P<late>late))?_(?P<user>\d+)_(?P<file>\d+)_(?P<original>.+)", re.I)
CANVAS_ANONYMOUS = re.compile(r"(?:(?P<late>LATE)_)?anon_(?P<anonymous>[A-Za-z0-9]+)_(?P<file>\d+)_(?P<original>.+)")


class HandedIn(NamedTuple):
    """What a platform's file name says: who handed the file in, its name on the student's computer,
    whether the platform marks it late, and the student's folder (Moodle's folder layout) if any."""

    student_id: str
    original: str
    late: bool
    folder: Path | None


def slug(name: str) -> str:
    """A student id made from a full name: "José Núñez" -> "jose-nunez"."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "-", plain.casefold()).strip("-")


def _squash(name: str) -> str:
    return re.sub(r"[\W_]+", "", Path(name).stem.casefold())


class CourseCollector(FileNameCollectorPlugin):
    """Finds the student and the notebook in the file names of Moodle's and Canvas's archives.

    Student ids (the folder names under submitted/, the same for every assignment):
    - Canvas: the user id ("2001"), the ID column of Canvas's gradebook export. With anonymous
      grading Canvas shows only "anon_<id>", which changes from one assignment to the next: "anon-<id>".
    - Moodle: the participant id in the names changes from one assignment to the next, so the id is
      the full name made plain: "Ada Lovelace" -> "ada-lovelace". Two students with the same name
      stop the collection with an error. Blind marking hides names: "participant-<participant id>".

    Every notebook a student hands in becomes ASSIGNMENT.ipynb, whatever its name ("Copy of
    A_build_se.ipynb", "A_build_se (1).ipynb", "homework.ipynb"). A student with several notebooks:
    the one named like the assignment counts and the others are skipped; none or two named like it
    stop with a message. Other files (pictures, Moodle's online text, Canvas's text and link pages)
    are skipped, as are files the platforms did not name.

    The names carry no time of submission, so no timestamp is returned and nbgrader computes no late
    penalty. Canvas marks late work in the name: the collector warns about each late file, and the
    platform's own late policy stays the place to deduct points.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._participants = {}  # Moodle student id -> participant id, to catch two students with one name

    def collect(self, submitted_file: str) -> dict | None:
        """The student id and ``ASSIGNMENT.ipynb`` for a handed-in notebook, None for anything else."""
        found = self.read_name(submitted_file)
        if found is None or not found.original.lower().endswith(".ipynb"):
            self.log.debug("Not a notebook handed in through Moodle or Canvas: %s", submitted_file)
            return None
        assignment = self._assignment(submitted_file)
        if not self._is_the_notebook(submitted_file, found, assignment):
            return None
        if found.late:
            self.log.warning(
                "Canvas marks %s's notebook late (%s): apply the late policy in Canvas.",
                found.student_id,
                found.original,
            )
        return {"student_id": found.student_id, "file_id": f"{assignment}.ipynb"}

    def read_name(self, path: str) -> HandedIn | None:
        """What the platform's name of ``path`` (or of its Moodle folder) says, None if it names nothing."""
        parts = Path(path).parts
        for depth in range(len(parts) - 2, -1, -1):
            m = MOODLE_FOLDER.fullmatch(parts[depth])
            if m:
                folder = Path(*parts[: depth + 1])
                return self._moodle(m, parts[-1], folder) if m["plugin"] == "file" else None
        m = MOODLE_FILE.fullmatch(parts[-1])
        if m:
            return self._moodle(m, m["original"], None) if m["plugin"] == "file" else None
        m = CANVAS_ANONYMOUS.fullmatch(parts[-1])
        if m:
            return HandedIn(f"anon-{m['anonymous']}", m["original"], bool(m["late"]), None)
        m = CANVAS.fullmatch(parts[-1])
        if m:
            return HandedIn(m["user"], m["original"], bool(m["late"]), None)
        return None

    def _moodle(self, m: re.Match, original: str, folder: Path | None) -> HandedIn:
        student = slug(m["name"])
        if student in ("", "participant"):
            student = f"participant-{m['participant']}"
        first = self._participants.setdefault(student, m["participant"])
        if first != m["participant"]:
            raise ValueError(
                f"Two Moodle participants ({first} and {m['participant']}) have the name {m['name']!r}, so the "
                f"student id {student!r} would mix their work. Take one of them out of the archive, run "
                f"zip_collect again with --force, and copy that notebook by hand to "
                f"submitted/<another student id>/ASSIGNMENT/ASSIGNMENT.ipynb."
            )
        return HandedIn(student, original, False, folder)

    def _assignment(self, path: str) -> str:
        """The assignment being collected: zip_collect's, or the folder above ``extracted/``."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is not None and coursedir.assignment_id:
            return coursedir.assignment_id
        parts = Path(path).parts
        below = [i for i, part in enumerate(parts) if part == "extracted" and i > 0]
        if below:
            return parts[below[-1] - 1]
        raise ValueError(f"Cannot tell the assignment from {path}: expected downloaded/ASSIGNMENT/extracted/...")

    def _is_the_notebook(self, path: str, found: HandedIn, assignment: str) -> bool:
        """Whether ``path`` is the student's notebook for the assignment, among all they handed in."""
        if found.folder is not None:
            files = [Path(root, f) for root, _, names in os.walk(found.folder) for f in names]
        else:
            files = [p for p in Path(path).parent.iterdir() if p.is_file()]
        notebooks = {}
        for other in files:
            theirs = self.read_name(str(other))
            if theirs and theirs.student_id == found.student_id and theirs.original.lower().endswith(".ipynb"):
                notebooks[other] = theirs.original
        named = [p for p, original in notebooks.items() if _squash(assignment) in _squash(original)]
        if len(named) > 1:
            raise ValueError(
                f"{found.student_id} handed in {len(named)} notebooks named like {assignment}.ipynb: "
                f"{sorted(notebooks[p] for p in named)}. Keep the one to grade in the archive "
                f"(downloaded/{assignment}/archive/) and run `nbgrader zip_collect {assignment} --force` again."
            )
        if Path(path) in named or (not named and len(notebooks) == 1):
            return True
        self.log.warning(
            "Skipped %s: %s handed in several notebooks (%s) and %s. Keep the one to grade in the archive and "
            "run zip_collect again with --force.",
            found.original,
            found.student_id,
            sorted(notebooks.values()),
            f"the one named like {assignment}.ipynb counts" if named else f"none is named like {assignment}.ipynb",
        )
        return False


class PerCellExport(ExportPlugin):
    """Writes nbgrader's grades CSV (default grades.csv, or ``--to``) with one column per graded cell.

    One row per student and assignment, with nbgrader's usual columns first (assignment, duedate,
    timestamp, student_id, last_name, first_name, email, raw_score, late_submission_penalty, score,
    max_score), then needs_manual_grade, then one column "ASSIGNMENT:CELL" per graded cell
    ("ASSIGNMENT:NOTEBOOK:CELL" when the notebook is not named like the assignment), in the order of
    the notebook. A cell's number is nbgrader's score: the teacher's manual score if there is one,
    else the automatic one, plus any extra credit. A cell with no score yet (a written answer that
    waits for the teacher), a student who handed nothing in, and the columns of other assignments
    are empty. ``--assignment=NAME`` and ``--student=ID`` (repeat them for several) choose rows as
    with nbgrader's CSV export; with one assignment the file holds the columns of that one only.
    """

    BASE = [
        "assignment",
        "duedate",
        "timestamp",
        "student_id",
        "last_name",
        "first_name",
        "email",
        "raw_score",
        "late_submission_penalty",
        "score",
        "max_score",
        "needs_manual_grade",
    ]

    def export(self, gradebook: Gradebook) -> None:
        """Write the CSV file."""
        dest = self.to or "grades.csv"
        wanted_students = [str(s) for s in self.student]
        wanted = [str(a) for a in self.assignment]
        assignments = [a for a in gradebook.assignments if not wanted or a.name in wanted]
        names = [a.name for a in gradebook.assignments]
        if set(wanted) - set(names):
            self.log.warning("No assignment %s in the gradebook (it has %s)", sorted(set(wanted) - set(names)), names)
        missing = sorted(set(wanted_students) - {s.id for s in gradebook.students})
        if missing:
            self.log.warning("No student %s in the gradebook", missing)
        cells = {a.name: self._graded_cells(a) for a in assignments}
        header = self.BASE + [column for a in assignments for column, _, _ in cells[a.name]]
        self.log.info("Exporting grades, one column per graded cell, to %s", dest)
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, header, restval="")
            writer.writeheader()
            for assignment in assignments:
                for student in gradebook.students:
                    if not wanted_students or student.id in wanted_students:
                        writer.writerow(self._row(gradebook, assignment, student, cells[assignment.name]))

    def _graded_cells(self, assignment) -> list:
        """(column, notebook, cell) for each graded cell of the assignment, in the notebook's order."""
        found = []
        for nb in assignment.notebooks:
            order = self._cell_order(assignment.name, nb.name)
            names = sorted(
                (c.name for c in nb.grade_cells + nb.task_cells),
                key=lambda name: (order.index(name) if name in order else len(order), name),
            )
            prefix = assignment.name if nb.name == assignment.name else f"{assignment.name}:{nb.name}"
            found += [(f"{prefix}:{name}", nb.name, name) for name in names]
        return found

    def _cell_order(self, assignment: str, notebook: str) -> list:
        """The grade ids in the order of the teacher's (or else the student's) version of the notebook."""
        coursedir = getattr(self.parent, "coursedir", None)
        if coursedir is None:
            return []
        for step in (coursedir.source_directory, coursedir.release_directory):
            path = Path(coursedir.format_path(step, ".", assignment), f"{notebook}.ipynb")
            if path.is_file():
                cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
                return [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in cells]
        return []

    def _row(self, gradebook: Gradebook, assignment, student, cells: list) -> dict:
        row = {
            "assignment": assignment.name,
            "duedate": assignment.duedate,
            "student_id": student.id,
            "last_name": student.last_name,
            "first_name": student.first_name,
            "email": student.email,
            "max_score": assignment.max_score,
        }
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:  # nothing handed in: 0 points, as nbgrader's CSV export says
            return {**row, "raw_score": 0.0, "late_submission_penalty": 0.0, "score": 0.0}
        grades = {(nb.name, g.name): g for nb in submission.notebooks for g in nb.grades}
        for column, notebook, cell in cells:
            grade = grades.get((notebook, cell))
            scored = grade is not None and (grade.auto_score is not None or grade.manual_score is not None)
            row[column] = grade.score if scored else None
        penalty = submission.late_submission_penalty
        return {
            **row,
            "timestamp": submission.timestamp,
            "raw_score": submission.score,
            "late_submission_penalty": penalty,
            "score": max(0.0, submission.score - penalty),
            "needs_manual_grade": submission.needs_manual_grade,
        }
