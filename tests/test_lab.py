"""`make lab` opens JupyterLab on notebooks/: start the same server and ask its contents API.

`make lab` is the student's lab: it adds jupyter/student/ to Jupyter's configuration path, which
turns off nbgrader's menus and server pages (the teacher's tools, installed by `make test`) and
JupyterLab's news pop-up. The tests start the server the way the Makefile does.
"""
import importlib.util
import json
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _lab_command() -> tuple[list[str], dict]:
    """The environment `make lab` adds: read from the Makefile, so that the test follows it."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^STUDENT_LAB\s*=\s*JUPYTER_CONFIG_PATH=\$\(CURDIR\)/([\w/.-]+)", makefile, re.M)
    assert m, "the Makefile's STUDENT_LAB sets JUPYTER_CONFIG_PATH"
    assert re.search(r"^lab:.*\n\t\$\(STUDENT_LAB\) \$\(BIN\)/jupyter lab", makefile, re.M), "make lab uses STUDENT_LAB"
    return {"JUPYTER_CONFIG_PATH": str(ROOT / m.group(1))}


def test_lab_serves_every_notebook(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--notebook-dir={ROOT / 'notebooks'}",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", f"--IdentityProvider.token={token}",
           "--ServerApp.port_retries=0", "--allow-root"]
    env = {"HOME": str(tmp_path), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "PATH": "/usr/bin:/bin",
           **_lab_command()}
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/api/contents/?token={token}"
        deadline, listing = time.monotonic() + 60, None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    listing = json.load(r)
                break
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer within 60 s"
        served = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        assert served == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={token}", timeout=10) as r:
            page = r.read().decode()
            assert r.status == 200 and "JupyterLab" in page
        # The teacher's tools are installed (make test) but not in the student's lab.
        assert importlib.util.find_spec("nbgrader"), "make test installs nbgrader: this test needs it to mean anything"
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page, re.S).group(1))
        assert "@jupyter/nbgrader" in config["disabledExtensions"], "nbgrader's menus are off"
        assert config["news"] == {"disabled": True}, "no news pop-up"
        for page_name in ("formgrader", "assignments", "courses"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/{page_name}?token={token}", timeout=10)
                raise AssertionError(f"/{page_name} is served: nbgrader's server extension is on")
            except urllib.error.HTTPError as e:
                assert e.code == 404
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
