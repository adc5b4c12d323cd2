"""docs/teaching.md works as written: every command of its "Step by step" section, in order, on a
temporary course.

The test reads the guide's ```bash and ```python blocks and runs them as a teacher would: `make`
from the repository (with COURSE= the temporary course), `cd assignments` into the course, `nbgrader`
there, `jupyter lab` started until the formgrader answers, and the Python block in the course folder.
Between the steps it plays the students: before `zip_collect` it puts a Moodle archive of two
submissions into downloaded/. Then it checks what the guide promises: the notebooks collected, the
grades, the report, the feedback and the per-cell export with the changed score.
"""

import csv
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from classroom import REF, ROOT, hand_in, lab, new_course, read_nb, reference_answers

pytestmark = pytest.mark.classroom
GUIDE = ROOT / "docs" / "teaching.md"
NAME = "A_build_se"


def guide_steps() -> list[tuple[str, str]]:
    """(language, code) of every fenced block of the guide's "Step by step" section, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("\n## Step by step") : text.index("\n### How we know the grading works")]
    return re.findall(r"^```(bash|python)\n(.*?)^```", section, re.S | re.M)


def _env(course: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["COURSE"] = str(course)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _student_archive(course: Path) -> None:
    """Two students' hand-ins as Moodle's "download all submissions" writes them."""
    source = read_nb(course / "source" / NAME / f"{NAME}.ipynb")
    release = read_nb(course / "release" / NAME / f"{NAME}.ipynb")
    every = {gid: REF for gid in reference_answers(source)}
    archive = course / "downloaded" / NAME / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "moodle.zip", "w") as z:
        z.writestr(f"Ada Lovelace_1001_assignsubmission_file/{NAME}.ipynb", json.dumps(hand_in(release, source, every)))
        z.writestr(
            f"Alan Turing_1002_assignsubmission_file/Copy of {NAME}.ipynb",
            json.dumps(hand_in(release, source, {"squeeze": REF, "scale": REF})),
        )


def _formgrader_answers(cwd: Path, env: dict, runtime: Path) -> None:
    """`jupyter lab` in the course folder: start it until its formgrader page answers, then stop it."""
    with lab(cwd, runtime, env) as url:
        with urllib.request.urlopen(url("/formgrader"), timeout=30) as r:
            assert r.status == 200 and "formgrader" in r.read().decode().lower()


def test_the_guide_shows_each_step():
    steps = guide_steps()
    commands = [line for lang, code in steps if lang == "bash" for line in code.splitlines()]
    for needed in (
        "make assignments",
        f"nbgrader zip_collect {NAME}",
        "make data",
        f"make grade A={NAME}",
        "jupyter lab",
        f"nbgrader generate_feedback {NAME}",
        "nbgrader export --to=grades.csv",
    ):
        assert needed in commands, f"the guide's steps lack `{needed}`"
    assert "nbgrader formgrader" not in GUIDE.read_text(encoding="utf-8"), (
        "the formgrader is a JupyterLab extension now"
    )
    assert [lang for lang, _ in steps].count("python") == 1


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="make grade needs bubblewrap (apt-get install bubblewrap)")
def test_the_guide_walked_in_order_on_a_temporary_course(tmp_path):
    course = new_course(tmp_path / "course")
    env, cwd, ran = _env(course), ROOT, []
    for lang, code in guide_steps():
        if lang == "python":
            done = subprocess.run(
                [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
            )
            assert done.returncode == 0, f"the guide's Python block failed in {cwd}:\n{done.stderr[-2000:]}"
            ran.append("python")
            continue
        for line in code.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            words = shlex.split(line, comments=True)
            if words[0] == "cd":
                assert words[1] in ("assignments", "..") and (cwd == ROOT) == (words[1] == "assignments"), (
                    f"`{line}` from {cwd}: the guide must say where each command runs"
                )
                cwd = course if words[1] == "assignments" else ROOT
            elif words[:2] == ["jupyter", "lab"]:
                _formgrader_answers(cwd, env, tmp_path / "runtime")
            else:
                if words[:2] == ["nbgrader", "zip_collect"]:
                    _student_archive(course)
                done = subprocess.run(words, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
                assert done.returncode == 0, f"`{line}` failed in {cwd}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            ran.append(line.strip())
    assert cwd == ROOT, "the guide's steps come back to the repository"
    assert (ROOT / "assignments" / "release").is_dir() and not (course / "source" / "gradebook.db").exists()

    # What the guide promises.
    for student in ("ada-lovelace", "alan-turing"):
        assert (course / "submitted" / student / NAME / f"{NAME}.ipynb").is_file(), (
            f"zip_collect did not collect {student}"
        )
        assert (course / "feedback" / student / NAME / f"{NAME}.html").is_file()
    report = (course / "reports" / f"{NAME}.txt").read_text(encoding="utf-8")
    assert "ada-lovelace" in report and "alan-turing" in report
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == NAME}
    cells = [f"{NAME}:test_squeeze", f"{NAME}:test_excitation", f"{NAME}:test_scale", f"{NAME}:test_se_block"]
    assert [float(rows["ada-lovelace"][c]) for c in cells] == [1.0, 3.0, 2.0, 3.0], "the changed score is exported"
    assert float(rows["ada-lovelace"]["score"]) == 9.0
    assert [float(rows["alan-turing"][c]) for c in cells] == [2.0, 0.0, 2.0, 0.0]
    assert float(rows["alan-turing"]["score"]) == 4.0
    feedback = (course / "feedback" / "ada-lovelace" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    assert "9.0 / 10.0" in " ".join(re.sub(r"<[^>]+>", " ", feedback).split())
