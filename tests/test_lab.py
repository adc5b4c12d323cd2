"""`make lab` opens JupyterLab on notebooks/: start the same server and ask its contents API.

`make lab` is the student's lab: it adds jupyter/student/ to Jupyter's configuration path, which
turns off nbgrader's menus and server pages (the teacher's tools, installed by `make test`) and
JupyterLab's news pop-up. The tests start the server the way the Makefile does.
"""

import importlib.util
import json
import re
import urllib.error
import urllib.request
from pathlib import Path

from classroom import lab

ROOT = Path(__file__).resolve().parent.parent


def _lab_command() -> tuple[list[str], dict]:
    """The environment `make lab` adds: read from the Makefile, so that the test follows it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^STUDENT_LAB\s*=\s*JUPYTER_CONFIG_PATH=\$\(CURDIR\)/([\w/.-]+)", makefile, re.M)
    assert m, "the Makefile's STUDENT_LAB sets JUPYTER_CONFIG_PATH"
    assert re.search(r"^lab:.*\n\t\$\(STUDENT_LAB\) \$\(BIN\)/jupyter lab", makefile, re.M), "make lab uses STUDENT_LAB"
    return {"JUPYTER_CONFIG_PATH": str(ROOT / m.group(1))}


def test_lab_serves_every_notebook(tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", **_lab_command()}
    with lab(ROOT, tmp_path / "runtime", env, args=[f"--notebook-dir={ROOT / 'notebooks'}"]) as url:
        with urllib.request.urlopen(url("/api/contents/"), timeout=10) as r:
            listing = json.load(r)
        served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        assert served == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        with urllib.request.urlopen(url("/lab"), timeout=10) as r:
            page = r.read().decode()
            assert r.status == 200 and "JupyterLab" in page
        # The teacher's tools are installed (make test) but not in the student's lab.
        assert importlib.util.find_spec("nbgrader"), "make test installs nbgrader: this test needs it to mean anything"
        config = json.loads(
            re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1)
        )
        assert "@jupyter/nbgrader" in config["disabledExtensions"], "nbgrader's menus are off"
        assert config["news"] == {"disabled": True}, "no news pop-up"
        for page_name in ("formgrader", "assignments", "courses"):
            try:
                urllib.request.urlopen(url(f"/{page_name}"), timeout=10)
                raise AssertionError(f"/{page_name} is served: nbgrader's server extension is on")
            except urllib.error.HTTPError as e:
                assert e.code == 404


def _request(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def test_opening_and_saving_a_notebook_in_the_lab_leaves_it_unchanged(tmp_path):
    """Every notebook, opened the way JupyterLab opens it and saved through the server's contents API,
    is the same file: JupyterLab writes the kernel it starts (its name, display name and language) and the
    kernel's language_info into the notebook, so the stored ones must already be those."""
    from ipykernel.ipkernel import IPythonKernel

    course = tmp_path / "course"
    notebooks = sorted(
        p.relative_to(ROOT)
        for pattern in ("notebooks/*.ipynb", "notebooks/solutions/*.ipynb", "assignments/release/*/*.ipynb")
        for p in ROOT.glob(pattern)
    )
    assert len(notebooks) >= 20
    for rel in notebooks:
        (course / rel).parent.mkdir(parents=True, exist_ok=True)
        (course / rel).write_bytes((ROOT / rel).read_bytes())
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", **_lab_command()}
    with lab(ROOT, tmp_path / "runtime", env, args=[f"--notebook-dir={course}"]) as url:
        specs = _request(url("/api/kernelspecs"))["kernelspecs"]
        for rel in notebooks:
            model = _request(url(f"/api/contents/{rel.as_posix()}?content=1&type=notebook"))
            metadata = model["content"]["metadata"]
            spec = specs[metadata["kernelspec"]["name"]]["spec"]
            metadata["kernelspec"] = {
                "display_name": spec["display_name"],
                "language": spec["language"],
                "name": metadata["kernelspec"]["name"],
            }
            # The kernel's language_info, except its Python version: the notebooks keep the version they
            # were run with, which JupyterLab changes on a student's machine with another Python.
            language = dict(IPythonKernel.language_info, version=metadata["language_info"]["version"])
            metadata["language_info"] = json.loads(json.dumps(language))
            _request(
                url(f"/api/contents/{rel.as_posix()}"),
                "PUT",
                {"type": "notebook", "format": "json", "content": model["content"]},
            )
            assert (course / rel).read_bytes() == (ROOT / rel).read_bytes(), f"saving {rel} in the lab changes it"
