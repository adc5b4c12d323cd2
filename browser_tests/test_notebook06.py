"""A student's view of notebook 06: JupyterLab in a real browser, the explorer at the end.

Starts JupyterLab on 127.0.0.1 in a temporary folder, opens the notebook in Debian's
headless chromium (driven by playwright), runs all cells from the Run menu, then changes
the explorer's image, SE block and channel and checks that its figure is redrawn each time.
Screenshots go to build/screenshots/<test name>/.   Run it with:  make test-browser
"""

import json
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright  # make test-browser installs it (the "browser" extra)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06_what_does_se_attend_to.ipynb"
RUN_ALL_TIMEOUT_MS = 240_000  # the notebook runs in about a minute here; leave room on a busy machine
REDRAW_TIMEOUT_MS = 60_000


# The Colab badge in each notebook's first cell is an image on colab.research.google.com. Offline
# it would fail to load (a console error); the test serves a stand-in and fails on any other
# request that leaves the machine.
COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20"><rect width="117" height="20" '
    'rx="3" fill="#555"/><text x="8" y="14" fill="#fff" font-size="11">Open in Colab</text></svg>'
)


def _outside(route, outside: list) -> None:
    if route.request.url == COLAB_BADGE:
        route.fulfill(status=200, content_type="image/svg+xml", body=BADGE_SVG)
    else:
        outside.append(route.request.url)
        route.abort()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server on a copy of notebook 06 in tmp_path; yields the notebook's address and
    its number of code cells."""
    work = tmp_path / "work"
    work.mkdir()
    # Without its stored outputs (and saved widget state), so that all the test sees comes from this run.
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    nb["metadata"].pop("widgets", None)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (work / NOTEBOOK.name).write_text(json.dumps(nb, indent=1), encoding="utf-8")
    # A fresh home: no settings, workspaces or caches of this machine's user leak in. Offline, the
    # news and update check would only fetch from the internet (and ask about it in a pop-up).
    settings = tmp_path / "home" / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}')
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        f"--notebook-dir={work}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        "--ServerApp.port_retries=0",
        "--allow-root",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    env = {
        "HOME": str(tmp_path / "home"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
    }
    log = open(tmp_path / "lab.log", "wb")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start within 60 s; see {tmp_path / 'lab.log'}")
        n_code = sum(cell["cell_type"] == "code" for cell in nb["cells"])
        yield f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}?token={token}&reset", n_code
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture
def shots(request):
    """build/screenshots/<test name>/, emptied; returns a function that saves one screenshot."""
    folder = ROOT / "build" / "screenshots" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"\nscreenshots: {folder}")
    count = iter(range(1, 100))

    def shot(page, name: str) -> Path:
        path = folder / f"{next(count):02d}_{name}.png"
        page.screenshot(path=path)
        return path

    return shot


def test_explorer_redraws_in_jupyterlab(lab, shots, chromium):
    console_errors, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.on("console", lambda m: m.type == "error" and console_errors.append(f"console: {m.text}"))
            page.on("pageerror", lambda e: console_errors.append(f"page error: {e}"))
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: _outside(route, outside))
            url, n_code = lab
            page.goto(url)

            notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
            expect(notebook.locator(".jp-Cell").first).to_be_visible(timeout=60_000)
            prompts = notebook.locator(".jp-CodeCell .jp-InputArea-prompt")
            # JupyterLab renders a long notebook's cells a few at a time; on a busy machine that takes seconds.
            expect(prompts).to_have_text(["[ ]:"] * n_code, timeout=60_000)
            expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1, timeout=60_000)
            shots(page, "opened")

            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()

            # The explorer is the last widget of the notebook; it appears when its cell has run.
            explorer = notebook.locator(".jp-OutputArea-output .widget-vbox").last
            figure = explorer.locator(".widget-output img")
            expect(figure).to_have_attribute("src", re.compile("^data:image/png"), timeout=RUN_ALL_TIMEOUT_MS)
            # ...and the run is over when every code cell has its number, in order, and the kernel is idle.
            expect(prompts).to_have_text([f"[{i}]:" for i in range(1, n_code + 1)], timeout=RUN_ALL_TIMEOUT_MS)
            expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")).to_have_count(1)

            stderr = notebook.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
            assert stderr.count() == 0, f"a cell shows an error or a warning: {stderr.all_text_contents()}"

            explorer.scroll_into_view_if_needed()
            shots(page, "ran_all_cells")
            seen = [figure.get_attribute("src")]

            def expect_redrawn(what: str) -> None:
                try:
                    expect(figure).not_to_have_attribute("src", seen[-1], timeout=REDRAW_TIMEOUT_MS)
                except AssertionError:  # playwright's message would quote the whole PNG
                    raise AssertionError(
                        f"{what}: the figure was not redrawn within {REDRAW_TIMEOUT_MS // 1000} s"
                    ) from None
                src = figure.get_attribute("src")
                assert src.startswith("data:image/png") and src not in seen, f"{what}: the figure did not change"
                seen.append(src)
                explorer.scroll_into_view_if_needed()
                shots(page, what)

            image, block = explorer.locator(".widget-dropdown select").all()
            image.select_option(index=3)
            expect_redrawn("image_3")

            block.select_option("stage3.0.se")
            expect_redrawn("block_stage3")

            readout = explorer.locator(".widget-slider .widget-readout")
            readout.click()
            page.keyboard.press("ControlOrMeta+a")
            page.keyboard.type("40")
            page.keyboard.press("Enter")
            expect(readout).to_have_text("40")
            expect_redrawn("channel_40")

            assert stderr.count() == 0, f"a cell shows an error or a warning: {stderr.all_text_contents()}"
        except Exception:
            shots(page, "failure")  # what the page showed when the test failed
            raise
        finally:
            browser.close()
    assert not outside, f"the page asked the internet for more than the Colab badge: {outside}"
    assert not console_errors, "the browser console shows errors:\n" + "\n".join(console_errors)
