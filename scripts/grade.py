"""Grade an assignment with nbgrader, each student's code locked in a sandbox.

    python scripts/grade.py A_build_se                   # every student in assignments/submitted/
    python scripts/grade.py A_build_se --student alice   # only these students
    make grade A=A_build_se                              # the same, after setting up .venv

nbgrader runs a student's notebook with the grader's rights: a notebook could read the
hidden tests (source/, gradebook.db), change any score in the gradebook, or rewrite
nbgrader_config.py. Here each student is graded on their own (``nbgrader autograde
ASSIGNMENT --student S``), and the notebook's kernel runs in bubblewrap (``bwrap``, install
it with ``apt-get install bubblewrap``). Inside it sees, read-only, only what Python
needs: /usr, a few files of /etc, Python's own folder, the virtual environment, the
se_tutorial package and the repository's data/. It writes only to its own folder
(autograded/S/ASSIGNMENT, its working directory; nbgrader's copies of the notebooks there
cannot be read, as they hold the hidden tests) and to a private /tmp. It has no network
and runs as user 65534 (nobody) without any capability; it talks to nbgrader through unix
sockets in a private folder (jupyter's ``ipc`` transport).

What the sandbox does not do: limit memory or CPU (use a machine or a container of its
own for large classes), or stop a student from fooling the tests of their own notebook
(their code runs in the same Python as the tests; read the solution cells).

nbgrader finds the sandbox as a kernel, ``se-sandbox``, whose spec this script writes into a
temporary folder (on JUPYTER_PATH): the kernel runs this script with ``--kernel``, which
starts ``bwrap ... python -c START -f CONNECTION_FILE``. START caps what a cell prints
at OUTPUT_LIMIT characters (nbgrader's own limit counts lines, so one long line would pass),
then starts ipykernel.

Limits: ``--timeout`` seconds per cell (nbgrader stops the cell and goes on), and
``--student-timeout`` seconds per student (the student is then not graded). The report,
one line per student with the score and the problems found, is printed and written to
COURSE/reports/ASSIGNMENT.txt; the end of nbgrader's log for each student goes to
COURSE/reports/ASSIGNMENT.log. Exit status: 0 when every student was graded, else 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "se-sandbox"
OUTPUT_LIMIT = 100_000  # characters a cell may print (stdout and stderr together)
OUTPUT_CUT = "[output cut: this cell printed more than {:,} characters]"
TRUNCATED = "... Output truncated ..."  # nbgrader's LimitOutput, over 1000 lines
LARGE_NOTEBOOK = 20_000_000  # bytes of an autograded notebook that the report points out
TMP_SIZE = 1 << 30  # bytes of the sandbox's /tmp (kept in memory)
LOG_TAIL = 4000  # characters of nbgrader's log kept per student
INSTALL_BWRAP = "install it with `apt-get install bubblewrap` (Debian, Ubuntu) or `dnf install bubblewrap`"

# Run by the sandboxed Python before ipykernel starts: every write to sys.stdout or sys.stderr
# (and to file descriptors 1 and 2, which ipykernel routes through the same streams) counts
# towards the cell's budget; past it, one line says so and the rest is dropped.
START = f"""
import ipykernel.iostream, ipykernel.kernelapp
_write, _used = ipykernel.iostream.OutStream.write, {{}}
def write(self, text):
    cell = (self.parent_header.get("header") or {{}}).get("msg_id")
    if cell not in _used:
        _used.clear()
        _used[cell] = 0
    left = {OUTPUT_LIMIT} - _used[cell]
    _used[cell] += len(text)
    if 0 < left < len(text):
        _write(self, text[:left] + "\\n" + {OUTPUT_CUT.format(OUTPUT_LIMIT)!r} + "\\n")
    elif left >= len(text):
        _write(self, text)
    return len(text)
ipykernel.iostream.OutStream.write = write
ipykernel.kernelapp.launch_new_instance()
"""


# --------------------------------------------------------------------------- the sandbox


def _python_folders() -> list[Path]:
    """Python's installation (only this version's folder), the virtual environment and the
    folder of the se_tutorial package, each once."""
    folders = [Path(sys.base_prefix), Path(sys.prefix)]
    spec = importlib.util.find_spec("se_tutorial")
    if spec and spec.submodule_search_locations:
        folders += [Path(p) for p in spec.submodule_search_locations]
    return list(dict.fromkeys(f.resolve() for f in folders))


def _data_folders(package: Path) -> list[Path]:
    """What se_tutorial.data reads: the repository's data/ (next to the package; it holds
    Fashion-MNIST and the checkpoints) and $SE_TUTORIAL_DATA when set. Debian's copy of
    Fashion-MNIST lies under /usr, which is bound anyway."""
    folders = [package.parent / "data"]
    if os.environ.get("SE_TUTORIAL_DATA"):
        folders.append(Path(os.environ["SE_TUTORIAL_DATA"]))
    return [f.resolve() for f in folders if f.is_dir()]


def sandbox_command(connection_file: str, workdir: Path) -> list[str]:
    """The bwrap command line that runs a kernel for ``connection_file`` in ``workdir``."""
    ro = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):  # links into /usr, or folders
        path = Path("/") / name
        if path.is_symlink():
            ro += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            ro += ["--ro-bind", str(path), str(path)]
    for name in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "fonts", "alternatives"):
        ro += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]  # not all of /etc: shadow, keys...
    folders = _python_folders()
    package = next((f for f in folders if f.name == "se_tutorial"), ROOT / "se_tutorial")
    for folder in folders + _data_folders(package):
        ro += ["--ro-bind", str(folder), str(folder)]
    sockets = Path(connection_file).resolve().parent  # private: this kernel's connection file and sockets
    hidden = []
    for notebook in sorted(workdir.rglob("*.ipynb")):  # nbgrader's copy, with the hidden tests
        hidden += ["--ro-bind", "/dev/null", str(notebook)]
    env = {
        "HOME": "/tmp",
        "USER": "nobody",
        "LOGNAME": "nobody",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }
    for name in ("LC_ALL", "TZ", "NBGRADER_EXECUTION", "SE_TUTORIAL_DATA", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if name in os.environ:
            env[name] = os.environ[name]
    return [
        "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--disable-userns",
        "--hostname",
        "sandbox",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        # the private /tmp first: the folders bound next may lie under /tmp (a course or a clone there)
        "--size",
        str(TMP_SIZE),
        "--tmpfs",
        "/tmp",
        *ro,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMP_SIZE // 4),
        "--tmpfs",
        "/dev/shm",
        "--bind",
        str(workdir),
        str(workdir),
        *hidden,
        "--bind",
        str(sockets),
        str(sockets),
        "--remount-ro",
        "/",
        "--chdir",
        str(workdir),
        "--clearenv",
        *[arg for name, value in env.items() for arg in ("--setenv", name, value)],
        "--",
        sys.executable,
        "-c",
        START,
        "-f",
        connection_file,
        "--HistoryManager.hist_file=:memory:",
    ]


def kernel_main(connection_file: str) -> None:
    """Started by nbgrader (through the kernel spec) in the student's autograded folder:
    replace this process with the sandboxed kernel. Its output to the terminal is dropped
    (ipykernel sends everything a cell prints to nbgrader); its error output is kept."""
    command = sandbox_command(connection_file, Path.cwd())
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 1)
    os.execvp(command[0], command)


def write_kernel_spec(folder: Path) -> Path:
    """Write the ``se-sandbox`` kernel spec under ``folder`` (a JUPYTER_PATH entry); return its file.
    ``interrupt_mode: message``: nbgrader stops a cell that runs too long with a message,
    since a signal cannot reach a process in the sandbox's own session."""
    spec = {
        "argv": [sys.executable, str(Path(__file__).resolve()), "--kernel", "{connection_file}"],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
        "interrupt_mode": "message",
    }
    path = folder / "kernels" / KERNEL_NAME / "kernel.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return path


def check_bwrap() -> None:
    """Stop with a clear message when bwrap is missing or cannot make its namespaces here."""
    if shutil.which("bwrap") is None:
        sys.exit(
            f"grade.py: bubblewrap (bwrap) is not installed; {INSTALL_BWRAP}.\n"
            "It keeps each student's code away from the hidden tests, the gradebook and your files. "
            "(--no-sandbox grades without it, with your rights: only for notebooks you trust.)"
        )
    test = ["bwrap", "--unshare-all", "--unshare-user", "--uid", "65534", "--ro-bind", "/", "/", "true"]
    done = subprocess.run(test, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(
            f"grade.py: bwrap cannot create its sandbox on this machine: {done.stderr.strip()}\n"
            "It needs user namespaces (sysctl kernel.unprivileged_userns_clone=1; on Ubuntu 24.04 "
            "also kernel.apparmor_restrict_unprivileged_userns=0), or run it as root."
        )


# --------------------------------------------------------------------------- grading and the report


@dataclass
class Result:
    """One student's grading: the score (None when not graded) and the problems, in words."""

    student: str
    score: float | None = None
    max_score: float | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self, width: int) -> str:
        """The student's line of the report."""
        score = "not graded" if self.score is None else f"{self.score:g} / {self.max_score:g}"
        return f"{self.student:<{width}}  {score:<12}  {'; '.join(self.problems) or 'ok'}".rstrip()


def students_of(course: Path, assignment: str) -> list[str]:
    """The students with a folder COURSE/submitted/S/ASSIGNMENT."""
    return sorted(p.parent.name for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())


def why_not_graded(log: str) -> str:
    """nbgrader's failure in one line, from the end of its log."""
    if "DeadKernelError" in log or "Kernel died" in log:
        return "the kernel died (the notebook ended or crashed the Python process)"
    if "CellTimeoutError" in log:
        return "a cell ran past the time limit and did not stop when interrupted"
    if "Kernel didn't respond" in log:
        return "the sandboxed kernel did not start (see the log next to the report)"
    if "No submitted file" in log or "No notebooks found" in log:
        return "no notebook of this assignment in the submission"
    errors = [ln for ln in log.splitlines() if ln.strip() and not ln.startswith(" ")]
    return f"nbgrader failed: {errors[-1].strip() if errors else 'no message'}"


def notebook_problems(folder: Path, timeout: int) -> list[str]:
    """From the autograded notebooks in ``folder``: cells stopped at the time limit, cut outputs,
    errors in the student's own cells (the solution cells; a failed test is no problem here) and
    notebooks still too large (output that went around the limit)."""
    stopped, cut, errors, large = [], [], [], []
    for path in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            return [f"cannot read the autograded notebook {path.name}: {e}"]
        for number, cell in enumerate(nb.get("cells", []), 1):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            name = meta.get("grade_id") or f"cell {number}"
            outputs = cell.get("outputs", [])
            timed_out = any(out.get("ename") == "CellTimeoutError" for out in outputs)
            stopped += [name] if timed_out else []
            for out in outputs:
                text = out.get("text", "")
                if TRUNCATED in "".join(text) or OUTPUT_CUT.split(":")[0] in "".join(text):
                    cut.append(name)
                if out.get("output_type") == "error" and meta.get("solution") and not timed_out:
                    errors.append(f"{name} ({out.get('ename')}: {str(out.get('evalue'))[:80]})")
        if path.stat().st_size > LARGE_NOTEBOOK:
            large.append(f"{path.name} is {path.stat().st_size / 1e6:.0f} MB")
    problems = []
    if stopped:
        problems.append(f"stopped at the time limit ({timeout} s a cell): {', '.join(dict.fromkeys(stopped))}")
    if cut:
        problems.append(f"output cut: {', '.join(dict.fromkeys(cut))}")
    if errors:
        problems.append(f"error in {', '.join(errors)}")
    if large:
        problems.append(f"large output: {', '.join(large)}")
    return problems


def scores(course: Path, assignment: str, student: str) -> tuple[float, float, bool]:
    """The student's score, the maximum score and whether written answers wait for a teacher."""
    from nbgrader.api import Gradebook  # the `teach` extra

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission(assignment, student)
        return sub.score, sub.max_score, sub.needs_manual_grade


def grade_student(course: Path, assignment: str, student: str, args, jupyter: Path) -> tuple[Result, str]:
    """Autograde one student; return the result and the end of nbgrader's log."""
    result, started = Result(student), time.monotonic()
    command = [
        sys.executable,
        "-m",
        "nbgrader",
        "autograde",
        assignment,
        "--student",
        student,
        "--force",
        f"--Execute.timeout={args.timeout}",
    ]
    with tempfile.TemporaryDirectory(prefix="grade-") as private:
        runtime = Path(private) / "runtime"  # the kernel's connection file and unix sockets
        runtime.mkdir(mode=0o700)
        if not args.no_sandbox:
            command += [
                f"--Execute.kernel_name={KERNEL_NAME}",
                "--KernelManager.transport=ipc",
                f"--KernelManager.connection_file={runtime / 'kernel.json'}",
            ]
        paths = [str(jupyter), *filter(None, os.environ.get("JUPYTER_PATH", "").split(os.pathsep))]
        env = dict(
            os.environ,
            JUPYTER_PATH=os.pathsep.join(paths),
            JUPYTER_RUNTIME_DIR=str(runtime),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        log_path = Path(private) / "nbgrader.log"
        with open(log_path, "wb") as log:  # a file: a student's output cannot fill the grader's memory
            process = subprocess.Popen(
                command,
                cwd=course,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                process.wait(timeout=args.student_timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # bwrap --die-with-parent ends the kernel
                process.wait()
                result.problems.append(
                    f"stopped after {args.student_timeout} s, the time limit per student (--student-timeout)"
                )
        with open(log_path, "rb") as log:
            log.seek(max(0, log_path.stat().st_size - LOG_TAIL))
            tail = log.read().decode(errors="replace")
    result.seconds = time.monotonic() - started
    if process.returncode != 0:
        if not result.problems:
            result.problems.append(why_not_graded(tail))
        return result, tail
    result.score, result.max_score, manual = scores(course, assignment, student)
    result.problems += notebook_problems(course / "autograded" / student / assignment, args.timeout)
    if manual:
        result.problems.append("written answers wait for grading by hand")
    return result, tail


def main(argv=None) -> int:
    """Grade the students; print and write the report; 0 when every student was graded."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--kernel"]:  # started by nbgrader through the kernel spec
        kernel_main(argv[1])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("assignment", help="the assignment's name, e.g. A_build_se")
    ap.add_argument(
        "--course",
        default=str(ROOT / "assignments"),
        help="the course folder, where nbgrader_config.py lives (default: assignments/)",
    )
    ap.add_argument("--student", nargs="+", help="grade only these students (default: every submission)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default: 120)")
    ap.add_argument(
        "--student-timeout",
        type=int,
        default=None,
        help="seconds one student's grading may take (default: 10 times --timeout)",
    )
    ap.add_argument(
        "--no-sandbox", action="store_true", help="run plain nbgrader: the students' code runs with your rights"
    )
    args = ap.parse_args(argv)
    args.student_timeout = args.student_timeout or 10 * args.timeout
    course = Path(args.course).resolve()
    if not (course / "nbgrader_config.py").is_file():
        sys.exit(f"grade.py: no nbgrader_config.py in {course}; pass --course, the folder that holds it.")
    students = args.student or students_of(course, args.assignment)
    missing = [s for s in students if not (course / "submitted" / s / args.assignment).is_dir()]
    if not students or missing:
        sys.exit(
            f"grade.py: no submission {course}/submitted/{'|'.join(missing) or '*'}/{args.assignment}/; "
            "nbgrader expects each student's notebook in submitted/STUDENT/ASSIGNMENT/."
        )
    if args.no_sandbox:
        print(
            "=" * 78 + "\nWARNING: --no-sandbox: the students' code runs with YOUR rights. It can read the hidden\n"
            "tests, change the gradebook and your files. Use it only for notebooks you trust.\n" + "=" * 78,
            file=sys.stderr,
        )
    else:
        check_bwrap()

    results, logs = [], []
    with tempfile.TemporaryDirectory(prefix="grade-kernels-") as jupyter:
        write_kernel_spec(Path(jupyter))
        for student in students:
            print(f"grading {student} ...", end=" ", flush=True)
            result, tail = grade_student(course, args.assignment, student, args, Path(jupyter))
            print(f"{result.seconds:.0f} s", flush=True)
            results.append(result)
            logs.append(f"===== {student} (the last {LOG_TAIL} characters of nbgrader's log)\n{tail}\n")

    width = max(len(r.student) for r in results)
    sandbox = "no sandbox (--no-sandbox)" if args.no_sandbox else "sandboxed (bwrap)"
    report = [
        f"{args.assignment}: {len(results)} students, {sandbox}, {args.timeout} s a cell, "
        f"{args.student_timeout} s a student"
    ] + [r.line(width) for r in results]
    print("\n".join(report))
    reports = course / "reports"
    reports.mkdir(exist_ok=True)
    (reports / f"{args.assignment}.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    (reports / f"{args.assignment}.log").write_text("".join(logs), encoding="utf-8")
    return 0 if all(r.score is not None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
