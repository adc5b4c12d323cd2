"""Checks of the repository itself: dependency lists agree, notebooks are well formed, Colab links are right."""

import importlib.util
import inspect
import json
import os
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest
import yaml

import se_tutorial as se

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
ASSIGNMENT_SOURCES = sorted((ROOT / "assignments" / "source").glob("*/*.ipynb"))
STUDENT_VERSIONS = sorted((ROOT / "assignments" / "release").glob("*/*.ipynb"))


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;@]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    with open(ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def _colab():
    spec = importlib.util.spec_from_file_location("colab_script", ROOT / "scripts" / "colab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    declared = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "python=3.11" in env["dependencies"] and "pip" in env["dependencies"]
    pip_list = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = [d for d in pip_list if not d.startswith("-e")]
    assert sorted(listed) == sorted(declared), "environment.yml and pyproject.toml must list the same requirements"
    assert "-e ." in pip_list


def test_constraints_pin_everything_declared():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower().replace("_", "-")] = version
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    project = _pyproject()["project"]
    declared = list(project["dependencies"]) + [d for extra in project["optional-dependencies"].values() for d in extra]
    missing = [d for d in declared if _name(d) not in pins]
    assert not missing, f"constraints.txt does not pin {missing}"


def test_there_are_notebooks():
    names = [p.stem for p in NOTEBOOKS]
    for expected in ["00_welcome", "01_squeeze", "02_excitation", "03_scale_and_the_se_block"]:
        assert expected in names


def test_colab_opens_and_installs_the_default_branch_or_the_release_tag_of_this_version():
    cfg, version = _colab().settings(), _pyproject()["project"]["version"]
    assert cfg["ref"] in {"main", f"v{version}"}, (
        "[tool.se_tutorial] ref must be the default branch (main) or, once it is pushed, this version's tag"
    )
    assert se.__version__ == version


def _git(*args, cwd=ROOT, check=True, env=None):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=check, env=env)


def test_colab_ref_exists_in_git():
    """Badges and set-up cells name a branch or tag that this repository has (else every Colab link is dead)."""
    if _git("rev-parse", "--git-dir", check=False).returncode != 0:
        pytest.skip("not a git checkout")
    ref = _colab().settings()["ref"]
    found = _git(
        "for-each-ref", "--format=%(refname)", f"refs/heads/{ref}", f"refs/tags/{ref}", f"refs/remotes/*/{ref}"
    ).stdout.split()
    assert found, f"[tool.se_tutorial] ref {ref!r} is neither a branch (local or remote-tracking) nor a tag here"
    assert _git("rev-parse", "--verify", "--quiet", f"{found[0]}^{{commit}}", check=False).returncode == 0


def test_python_versions_stated_alike():
    """requires-python, the README and environment.yml agree on what is tested: 3.11 and newer."""
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "Python 3.11, 3.12 or 3.13" in readme
    assert "python=3.11" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def _opened(path: Path) -> str:
    """What the badge of ``path`` opens: the notebook, or for an assignment its student version."""
    rel = path.relative_to(ROOT).as_posix()
    return rel.replace("assignments/source/", "assignments/release/")


@pytest.mark.parametrize(
    "path",
    NOTEBOOKS + SOLUTIONS + ASSIGNMENT_SOURCES + STUDENT_VERSIONS,
    ids=lambda p: p.name + "-" + p.parent.parent.name,
)
def test_colab_badge_and_setup_cell(path):
    colab = _colab()
    cfg = colab.settings()
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    links = re.findall(r"\]\((https://colab\.research\.google\.com/github/[^)]*)\)", first)
    assert links == [colab.colab_url(_opened(path), cfg)], (
        "the badge must open this very notebook (or its student version)"
    )
    assert links[0].endswith(f"/blob/{cfg['ref']}/{_opened(path)}")
    setup = [c for c in nb["cells"] if "colab-setup" in c.get("metadata", {}).get("tags", [])]
    assert len(setup) == 1 and nb["cells"][1] is setup[0]
    assert "remove-cell" in setup[0]["metadata"]["tags"], "the site hides the set-up cell (make colab tags it)"
    source = "".join(setup[0]["source"])
    assert source == colab.setup_source(cfg)
    assert 'if "google.colab" in sys.modules:' in source
    assert f'repository, ref = "{cfg["repository"]}", "{cfg["ref"]}"' in source, "Colab installs the package at ref"
    assert setup[0]["outputs"] == [], "outside Colab the set-up cell prints nothing"


def test_readme_badges_open_every_notebook_and_student_version():
    colab = _colab()
    cfg = colab.settings()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((https://colab\.research\.google\.com/github/[^)]*)\)", readme)
    opened = [f"notebooks/{p.name}" for p in NOTEBOOKS] + [_opened(p) for p in STUDENT_VERSIONS]
    assert links == [colab.colab_url(rel, cfg) for rel in opened]
    assert len(STUDENT_VERSIONS) == len(ASSIGNMENT_SOURCES) >= 3
    moved = colab.update_readme(readme, {"repository": "https://github.com/someone/fork", "ref": "v2"})
    assert moved.count("github/someone/fork/blob/v2/") == len(opened)


def test_colab_script_check_passes():
    assert _colab().main(["--check"]) == 0


def test_colab_setting_change_reaches_every_notebook(tmp_path):
    colab = _colab()
    cfg = {"repository": "https://github.com/someone/fork", "ref": "v1.2"}
    for path in NOTEBOOKS + SOLUTIONS + ASSIGNMENT_SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        nb = colab.update(json.loads(path.read_text(encoding="utf-8")), rel, cfg)
        text = "".join(nb["cells"][0]["source"]) + "".join(nb["cells"][1]["source"])
        assert "se-tutorial/se-tutorial" not in text
        assert f"github/someone/fork/blob/v1.2/{_opened(path)}" in text
        assert 'repository, ref = "https://github.com/someone/fork", "v1.2"' in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    markdown = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert markdown[0].startswith("# ")
    assert "what you will learn" in markdown[0].lower()
    assert any(m.lstrip().lower().startswith("## summary") for m in markdown)
    assert any(m.lstrip().lower().startswith("## exercises") for m in markdown)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), (
        "run it top to bottom in a fresh kernel"
    )
    assert path.stat().st_size < 2_000_000
    assert not any("execution" in c.get("metadata", {}) for c in code), "no timing clutter: use `make execute`"


def test_every_subpackage_is_installed():
    """A wheel (Colab's pip install) holds only the packages pyproject lists: each folder with an __init__.py."""
    folders = sorted(".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "se_tutorial").rglob("__init__.py"))
    assert sorted(_pyproject()["tool"]["setuptools"]["packages"]) == folders


@pytest.mark.parametrize("name", se.__all__)
def test_public_api_is_documented(name):
    obj = getattr(se, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        doc = inspect.getdoc(obj)
        assert doc and len(doc) > 40
        if name in {"squeeze", "scale", "Excitation", "SEBlock"}:
            assert "(N, C" in doc, f"{name}'s docstring must state tensor shapes"


# ------------------------------------------------------------ the set-up cell itself (make test-colab runs it for real)


@pytest.fixture()
def fake_remote(tmp_path, monkeypatch):
    """A local git repository stands in for the configured one; the set-up cell believes it runs on Colab."""
    remote = tmp_path / "remote.git"
    work = tmp_path / "work"
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")}
    (tmp_path / "gitconfig").write_text("[user]\n\tname = test\n\temail = test@example.org\n")
    _git("init", "--quiet", "--initial-branch=main", str(work), env=env)
    (work / "README.md").write_text("not a Python project\n")
    _git("add", "README.md", cwd=work, env=env)
    _git("commit", "--quiet", "-m", "one", cwd=work, env=env)
    _git("clone", "--quiet", "--bare", str(work), str(remote), env=env)
    with open(tmp_path / "gitconfig", "a") as f:
        f.write(f'[url "{remote.as_uri()}"]\n\tinsteadOf = https://github.com/someone/fork\n')
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("SE_TUTORIAL_COLAB_DIR", str(tmp_path / "content" / "se-tutorial"))
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(sys, "path", list(sys.path))
    return tmp_path / "content" / "se-tutorial"


def _run_setup_cell(ref):
    source = _colab().setup_source({"repository": "https://github.com/someone/fork", "ref": ref})
    exec(compile(source, "colab-setup", "exec"), {})


def test_setup_cell_does_nothing_outside_colab(capfd, monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    before = list(sys.path)
    _run_setup_cell("main")
    assert sys.path == before and capfd.readouterr() == ("", "")


def test_setup_cell_clones_quietly(fake_remote, capfd):
    _run_setup_cell("main")  # se_tutorial is installed here, so the cell only clones
    assert (fake_remote / "README.md").is_file() and sys.path[0] == str(fake_remote)
    assert capfd.readouterr() == ("", "")


def test_setup_cell_says_what_failed_when_the_ref_is_missing(fake_remote, capfd):
    with pytest.raises(RuntimeError) as failed:
        _run_setup_cell("v9.9.9")
    message = str(failed.value)
    assert message.startswith("Colab set-up: fetching the course (https://github.com/someone/fork at v9.9.9) failed:")
    assert "v9.9.9 not found" in message and "What to try:" in message
    assert len(message.splitlines()) <= 7 and not fake_remote.exists()
    assert capfd.readouterr() == ("", "")


def test_setup_cell_says_what_failed_when_pip_fails(fake_remote, capfd, monkeypatch):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)  # as on a fresh Colab runtime
    with pytest.raises(
        RuntimeError,
        match=r"(?s)^Colab set-up: installing the package \(pip install -e\) failed:\n"
        r".*Python project.*What to try:",
    ):
        _run_setup_cell("main")
    assert capfd.readouterr() == ("", "")


def test_make_help_names_every_target():
    """`make help` lists every target a reader may type (the .PHONY ones), each once."""
    makefile = (ROOT / "Makefile").read_text()
    phony = {t for line in re.findall(r"^\.PHONY:(.*)$", makefile, re.M) for t in line.split()}
    shown = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True)
    listed = re.findall(r"^make (\S+)", shown.stdout, re.M)
    assert sorted(set(listed)) == sorted(listed), "a target is listed twice"
    assert phony - set(listed) - {"help"} == set(), "make help omits these targets; add a line for each"
    assert set(listed) - phony == set(), "make help lists targets that are not .PHONY targets of the Makefile"
