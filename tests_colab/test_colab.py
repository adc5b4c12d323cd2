"""`make test-colab`: the course as a student meets it on Colab, in Colab's runtime rebuilt on this machine.

It runs in the environment that `make test-colab` builds from `colab-requirements.txt` (Python 3.13,
Colab's torch, torchvision, ipywidgets 7.7.1, IPython 7.34 ...), in which the course is *not* installed.
Each notebook runs in a fresh kernel, as on a fresh Colab runtime:

- a stand-in ``google.colab`` is imported at kernel start (as Colab does), so the set-up cell believes it
  is on Colab; it clones the configured repository, which git's ``url.<local>.insteadOf`` turns into a
  local copy of this working tree (tracked and untracked files that git does not ignore), at ``ref``;
  its folder (``$SE_TUTORIAL_COLAB_DIR``, /content/se-tutorial on Colab) is a temporary one, a new one per
  notebook; the first set-up cell installs the package with pip, the others find it installed;
- every course notebook and every assignment's reference solution runs top to bottom without an error,
  and every set-up cell prints nothing;
- every student version runs until its first unanswered part, which stops it with the course's own
  message (the student's ``raise NotImplementedError()``, or a check's CheckFailed saying so);
- afterwards pip has left Colab's packages as they were, and the package is uninstalled again.

Fashion-MNIST comes from ``$SE_TUTORIAL_DATA`` or this repository's data/ (``make data``): nothing is
downloaded but the set-up cell's build requirement (setuptools) from the package index. Nothing is left
behind: the temporary folder goes, and so does the package's installation.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The solution notebooks use the package as the notebooks do; here only their set-up cells are checked
# (they run in `make test` and, under other CPU kernels, in `make test-kernels`), which keeps this pass short.
WORKED_ANSWERS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))
STUDENT_VERSIONS = sorted((ROOT / "assignments" / "release").glob("*/*.ipynb"))
CELL_TIMEOUT = 600
KERNEL = "colab-test"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# nbgrader's student versions have cells without ids; nbformat adds them (it only warns)
pytestmark = pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId")


def _pins() -> dict[str, str]:
    """Colab's versions as colab-requirements.txt pins them: name -> version (or prefix for ``==X.*``)."""
    pins = {}
    for line in (Path(__file__).parent / "colab-requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip().rstrip("*").rstrip(".")
    return pins


def _git(*args, cwd=ROOT, env=None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def _stand_in_repository(tmp: Path, ref: str, git_env: dict) -> Path:
    """A bare repository whose ``ref`` holds this working tree as it is now (what a push would publish)."""
    remote = tmp / "remote.git"
    _git("init", "--quiet", "--bare", str(remote), env=git_env)
    files = [
        f
        for f in _git("ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
        if f and (ROOT / f).is_file()
    ]
    git = ["--git-dir", str(remote), "--work-tree", str(ROOT)]
    subprocess.run(
        ["git", *git, "update-index", "--add", "-z", "--stdin"],
        input="\0".join(files),
        text=True,
        check=True,
        cwd=ROOT,
        env=git_env,
    )
    tree = _git(*git, "write-tree", env=git_env).strip()
    commit = _git(*git, "commit-tree", tree, "-m", "the working tree, for make test-colab", env=git_env).strip()
    is_tag = (
        subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}"], cwd=ROOT, capture_output=True
        ).returncode
        == 0
    )
    _git(*git, "update-ref", f"refs/{'tags' if is_tag else 'heads'}/{ref}", commit, env=git_env)
    return remote


class Colab:
    """The temporary stand-ins: repository, git configuration, google.colab, IPython profile, kernel."""

    def __init__(self, tmp: Path):
        with open(ROOT / "pyproject.toml", "rb") as f:
            cfg = tomllib.load(f)["tool"]["se_tutorial"]
        self.tmp, self.repository, self.ref = tmp, cfg["repository"].rstrip("/"), cfg["ref"]
        gitconfig = tmp / "gitconfig"
        gitconfig.write_text("[user]\n\tname = make test-colab\n\temail = test-colab@example.org\n")
        self.git_env = {**os.environ, "GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"}
        remote = _stand_in_repository(tmp, self.ref, self.git_env)
        with open(gitconfig, "a") as f:
            f.write(f'[url "{remote.as_uri()}"]\n\tinsteadOf = {self.repository}\n')

        fake = tmp / "fake-colab"  # google.colab, imported at kernel start as on Colab
        (fake / "google" / "colab").mkdir(parents=True)
        (fake / "google" / "colab" / "__init__.py").write_text(
            '"""A stand-in for Colab\'s google.colab (make test-colab)."""\nfrom . import output\n'
        )
        (fake / "google" / "colab" / "output.py").write_text(
            "widget_manager_enabled = []\n\n\ndef enable_custom_widget_manager():\n"
            "    widget_manager_enabled.append(True)\n"
        )
        startup = tmp / "ipython" / "profile_default" / "startup"
        startup.mkdir(parents=True)
        (startup / "00-colab.py").write_text("import google.colab\n")
        spec = tmp / "jupyter" / "kernels" / KERNEL
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(
            json.dumps(
                {
                    "argv": [
                        sys.executable,
                        "-Xfrozen_modules=off",
                        "-m",
                        "ipykernel_launcher",
                        "-f",
                        "{connection_file}",
                    ],
                    "display_name": "Colab's Python (make test-colab)",
                    "language": "python",
                }
            )
        )
        os.environ["JUPYTER_PATH"] = str(tmp / "jupyter")  # this process only: where nbclient finds KERNEL

        data = Path(os.environ.get("SE_TUTORIAL_DATA") or ROOT / "data")
        if not (data / "FashionMNIST" / "raw").is_dir():
            pytest.exit(f"Fashion-MNIST is not in {data}/FashionMNIST/raw: run `make data` first", returncode=2)
        self.kernel_env = {
            **self.git_env,
            "PYTHONPATH": str(fake),
            "IPYTHONDIR": str(tmp / "ipython"),
            "SE_TUTORIAL_DATA": str(data),
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "MPLCONFIGDIR": str(tmp / "matplotlib"),
        }
        self.content = tmp / "content"  # the kernels' working folder, as /content on Colab
        self.content.mkdir()
        self.runs = 0

    def execute(self, path: Path) -> nbformat.NotebookNode:
        """Run ``path`` in a fresh kernel, with a fresh clone folder; raises CellExecutionError at an error."""
        nb = nbformat.read(path, as_version=4)
        if _setup_cell(nb).source != _expected_setup_cell():  # an old cell may write to /content itself
            pytest.fail(
                f"{path.relative_to(ROOT)}: its set-up cell is not the one scripts/colab.py writes: "
                "run `make colab` (and `make assignments`); not run"
            )
        self.runs += 1
        env = {**self.kernel_env, "SE_TUTORIAL_COLAB_DIR": str(self.content / f"se-tutorial-{self.runs}")}
        client = NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=CELL_TIMEOUT,
            record_timing=False,
            resources={"metadata": {"path": str(self.content)}},
        )
        try:
            client.execute(env=env)
        except CellExecutionError as e:
            e.notebook = nb  # as far as it ran: the failed cell holds the error
            raise
        finally:
            shutil.rmtree(self.content / f"se-tutorial-{self.runs}", ignore_errors=True)
        return nb


def _pip(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)


@pytest.fixture(scope="session")
def colab():
    _pip("uninstall", "--yes", "--quiet", "se-tutorial")  # the set-up cell finds a fresh runtime
    before = {name: importlib.metadata.version(name) for name in _pins()}
    with tempfile.TemporaryDirectory(prefix="se-tutorial-colab-") as tmp:
        env = Colab(Path(tmp))
        env.versions_before = before
        yield env
        _pip("uninstall", "--yes", "--quiet", "se-tutorial")


def _setup_cell(nb):
    (cell,) = [c for c in nb.cells if "colab-setup" in c.metadata.get("tags", [])]
    return cell


def _check_ran_clean(nb) -> None:
    assert _setup_cell(nb).outputs == [], "on Colab the set-up cell prints nothing when it works"
    explorers = [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if out.get("data", {}).get("text/plain", "").startswith("Explorer(")
    ]
    if any(re.search(r"^explorer\s*$", cell.source, re.M) for cell in nb.cells if cell.cell_type == "code"):
        assert explorers, "the explorer was shown"
    for out in explorers:  # as widgets with Colab's ipywidgets 7.7.1, not as the static fallback
        assert WIDGET_VIEW in out["data"] and "image/png" not in out["data"], out["data"]


def _expected_setup_cell() -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("colab_script", ROOT / "scripts" / "colab.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script.setup_source(script.settings())


def test_the_set_up_cell_is_the_one_colab_py_writes():
    """What runs below is the cell that scripts/colab.py writes from pyproject.toml (else the test is moot)."""
    expected = _expected_setup_cell()
    for path in NOTEBOOKS + WORKED_ANSWERS + SOLUTIONS + STUDENT_VERSIONS:
        cell = _setup_cell(nbformat.read(path, as_version=4))
        assert cell.source == expected, f"{path.relative_to(ROOT)}: run `make colab` (and `make assignments`)"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(colab, path):
    _check_ran_clean(colab.execute(path))


def _first_unanswered(nb) -> tuple[int, int]:
    """The first solution cell a student must write, and the first graded cell after it."""
    grading = [c.metadata.get("nbgrader", {}) for c in nb.cells]
    answer = next(i for i, g in enumerate(grading) if g.get("solution"))
    check = next(i for i, g in enumerate(grading) if i > answer and g.get("grade"))
    return answer, check


@pytest.mark.parametrize("path", STUDENT_VERSIONS, ids=lambda p: p.stem)
def test_student_version_stops_at_its_first_unanswered_part(colab, path):
    with pytest.raises(CellExecutionError) as stopped:
        colab.execute(path)
    error, nb = stopped.value, stopped.value.notebook
    assert _setup_cell(nb).outputs == [], "on Colab the set-up cell prints nothing when it works"
    answer, check = _first_unanswered(nb)
    (failed,) = [i for i, c in enumerate(nb.cells) if any(out.output_type == "error" for out in c.get("outputs", []))]
    assert failed in (answer, check), f"stopped before the first unanswered part (cell {failed}):\n{error}"
    if error.ename == "NotImplementedError":  # the student's own cell: `raise NotImplementedError()`
        assert failed == answer and "raise NotImplementedError()" in nb.cells[answer].source
    else:  # the check of that part says it is not written yet
        assert error.ename == "CheckFailed" and failed == check, error
        assert re.search(r"is not written yet \(it raises NotImplementedError\)", error.evalue), error.evalue


def test_pip_left_colabs_packages_as_they_were(colab):
    if colab.runs == 0:
        pytest.skip("no notebook ran in this session")
    assert _pip("show", "--quiet", "se-tutorial").returncode == 0, "the set-up cells installed the package"
    after = {name: importlib.metadata.version(name) for name in _pins()}
    assert after == colab.versions_before
    for name, pinned in _pins().items():
        assert after[name].startswith(pinned), f"{name} {after[name]} is not Colab's {pinned}"
