"""Checks of the repository itself: dependency lists agree, notebooks are well formed, Colab links are right."""
import importlib.util
import inspect
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

import se_tutorial as se

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
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


def test_colab_opens_and_installs_the_release_tag_of_this_version():
    cfg, version = _colab().settings(), _pyproject()["project"]["version"]
    assert cfg["ref"] == f"v{version}", "[tool.se_tutorial] ref must be the release tag of this version"
    assert se.__version__ == version


def _opened(path: Path) -> str:
    """What the badge of ``path`` opens: the notebook, or for an assignment its student version."""
    rel = path.relative_to(ROOT).as_posix()
    return rel.replace("assignments/source/", "assignments/release/")


@pytest.mark.parametrize("path", NOTEBOOKS + ASSIGNMENT_SOURCES + STUDENT_VERSIONS, ids=lambda p: p.name + "-" + p.parent.parent.name)
def test_colab_badge_and_setup_cell(path):
    colab = _colab()
    cfg = colab.settings()
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    links = re.findall(r"\]\((https://colab\.research\.google\.com/github/[^)]*)\)", first)
    assert links == [colab.colab_url(_opened(path), cfg)], "the badge must open this very notebook (or its student version)"
    assert links[0].endswith(f"/blob/{cfg['ref']}/{_opened(path)}")
    setup = [c for c in nb["cells"] if "colab-setup" in c.get("metadata", {}).get("tags", [])]
    assert len(setup) == 1 and nb["cells"][1] is setup[0]
    source = "".join(setup[0]["source"])
    assert source == colab.setup_source(cfg)
    assert 'if "google.colab" in sys.modules:' in source and cfg["repository"] in source
    assert f"--branch {cfg['ref']} " in source, "Colab installs the package at the release tag"
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
    for path in NOTEBOOKS + ASSIGNMENT_SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        nb = colab.update(json.loads(path.read_text(encoding="utf-8")), rel, cfg)
        text = "".join(nb["cells"][0]["source"]) + "".join(nb["cells"][1]["source"])
        assert "se-tutorial/se-tutorial" not in text
        assert f"github/someone/fork/blob/v1.2/{_opened(path)}" in text
        assert "--branch v1.2 https://github.com/someone/fork /content/se-tutorial" in text


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
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "run it top to bottom in a fresh kernel"
    assert path.stat().st_size < 2_000_000
    assert not any("execution" in c.get("metadata", {}) for c in code), "no timing clutter: use `make execute`"


@pytest.mark.parametrize("name", se.__all__)
def test_public_api_is_documented(name):
    obj = getattr(se, name)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        doc = inspect.getdoc(obj)
        assert doc and len(doc) > 40
        if name in {"squeeze", "scale", "Excitation", "SEBlock"}:
            assert "(N, C" in doc, f"{name}'s docstring must state tensor shapes"
