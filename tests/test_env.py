from importlib import metadata

from se_tutorial import env


def test_this_environment_passes():
    rows = env.check_environment()
    names = [r[0] for r in rows]
    assert names[0] == "python" and "torch" in names and "torchvision" in names and "timm" in names
    assert all(ok for *_, ok in rows), rows


def test_missing_and_too_old_are_reported(monkeypatch):
    monkeypatch.setattr(metadata, "requires", lambda name: ["torch>=99", "no-such-package-xyz>=1", "tqdm>=4"])
    rows = {r[0]: r for r in env.check_environment()}
    assert rows["torch"][3] is False and rows["torch"][1] == ">=99"
    assert rows["no-such-package-xyz"][2] == "missing" and rows["no-such-package-xyz"][3] is False
    assert rows["tqdm"][3] is True


def test_extras_are_not_required(monkeypatch):
    monkeypatch.setattr(metadata, "requires", lambda name: ["tqdm>=4", 'pytest>=7; extra == "test"'])
    assert [r[0] for r in env.check_environment()] == ["python", "tqdm"]


def test_python_is_checked_against_requires_python(monkeypatch):
    import platform

    assert env.check_environment()[0][1] == metadata.metadata("se-tutorial")["Requires-Python"] == ">=3.11"
    monkeypatch.setattr(platform, "python_version", lambda: "3.10.13")
    assert env.check_environment()[0] == ("python", ">=3.11", "3.10.13", False)


def test_packaging_is_declared():
    """env imports packaging: the package must declare it (pyproject.toml), not rely on its being there."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert any(d.split(">")[0].split("=")[0].strip() == "packaging" for d in project["dependencies"])


def test_machine_provenance(monkeypatch):
    assert isinstance(env.cpu_name(), str) and env.cpu_name()
    load = env.load_average()
    assert load is None or (len(load) == 3 and all(v >= 0 for v in load))
    import os

    monkeypatch.delattr(os, "getloadavg")
    assert env.load_average() is None
