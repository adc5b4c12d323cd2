"""What the grading tests share: a temporary course, nbgrader, notebooks handed in, a teacher's lab.

course = new_course(tmp_path)                     # source notebooks, nbgrader_config.py and its plugins
nbgrader(course, "generate_assignment", NAME)
nb = hand_in(release, source, {"squeeze": REF})   # the student version with some answers written
with lab(course) as url:                          # JupyterLab (and its formgrader) in the course folder
    urllib.request.urlopen(url("/formgrader"))
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "assignments"
REF = "REF"  # in hand_in's answers: the reference solution
DELIMITER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION\n?", re.M)


def read_nb(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def grader(cell) -> dict:
    """A cell's nbgrader metadata ({} for a cell nbgrader does not know)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def env_with_venv(**extra) -> dict:
    """The environment, with this Python's bin/ first on PATH (where nbgrader and jupyter are)."""
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **extra)


def nbgrader(course: Path, *args: str, wait: bool = True, timeout: int = 900):
    """Run ``nbgrader ARGS`` in ``course``: the finished process, or (wait=False) the running one."""
    command = [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"]
    if not wait:
        return subprocess.Popen(
            command, cwd=course, env=env_with_venv(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(command, cwd=course, env=env_with_venv(), capture_output=True, text=True, timeout=timeout)


def new_course(root: Path, names=None) -> Path:
    """A teacher's course folder at ``root``: the source notebooks (of ``names``, default all),
    nbgrader_config.py and the plugins it imports."""
    for name in names or [p.name for p in (COURSE / "source").iterdir() if p.is_dir()]:
        shutil.copytree(COURSE / "source" / name, root / "source" / name)
    for f in COURSE.glob("*.py"):
        shutil.copy(f, root)
    return root


def reference_answers(nb: dict) -> dict:
    """grade id → the reference solution of every solution cell, without the solution markers."""
    return {grader(c)["grade_id"]: DELIMITER.sub("", source(c)) for c in nb["cells"] if grader(c).get("solution")}


def hand_in(release: dict, source_nb: dict, answers: dict) -> dict:
    """A student's notebook: the student version with the solution cells named in ``answers`` written
    (``REF``: as in the reference solution); the others stay as handed out."""
    reference = reference_answers(source_nb)
    nb = json.loads(json.dumps(release))
    for cell in nb["cells"]:
        gid = grader(cell).get("grade_id")
        if grader(cell).get("solution") and gid in answers:
            cell["source"] = reference[gid] if answers[gid] == REF else answers[gid]
    return nb


@contextlib.contextmanager
def lab(cwd: Path, runtime: Path, env: dict | None = None, args=(), wait: float = 90):
    """JupyterLab in ``cwd`` (with ``args``; by default the teacher's lab: nbgrader's extensions as
    installed), until the block ends.

    Yields ``url(path)``, the address of a page with the server's token; raises if the server does
    not answer within ``wait`` seconds.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            f"--IdentityProvider.token={token}",
            "--ServerApp.port_retries=0",
            "--allow-root",
            *args,
        ],
        cwd=cwd,
        env={**(env or env_with_venv()), "JUPYTER_RUNTIME_DIR": str(runtime)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def url(path: str) -> str:
        return f"http://127.0.0.1:{port}{path}{'&' if '?' in path else '?'}token={token}"

    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(url("/api/status"), timeout=5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab in {cwd} did not answer within {wait:.0f} s") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
