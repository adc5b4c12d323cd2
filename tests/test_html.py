"""`make html`: the course's site (Sphinx, myst-nb, the book theme; docs/conf.py), built once into a temporary folder.

The build runs as `make html` does, warnings as errors, from the outputs stored in the notebooks.
browser_tests/test_site.py opens the built site in a real browser.
"""

import base64
import importlib.util
import json
import posixpath
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("myst_nb", reason="the site needs the docs extra: make html (or make unit) installs it")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import course_site  # noqa: E402
from classroom import source  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
STUDENT_VERSIONS = sorted((ROOT / "assignments" / "release").glob("*/*.ipynb"))
DOCS = [ROOT / "docs" / f"{name}.md" for name in ("teaching", "notation", "references", "experiments")]
SOURCES = NOTEBOOKS + SOLUTIONS + STUDENT_VERSIONS + DOCS
HOME = "docs/index.html"
NO_ALT = "No description has been provided for this image"
SETUP_LINE = "# Set-up for Google Colab only"


def _page_of(path: Path) -> str:
    """The page (relative to the site's root) of a repository file."""
    return path.relative_to(ROOT).with_suffix(".html").as_posix()


def _colab():
    spec = importlib.util.spec_from_file_location("colab_script", ROOT / "scripts" / "colab.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Page(HTMLParser):
    """What a test needs of one page: links, ids, images, scripts and styles, the sidebar's links,
    the text outside code and formulas, and the formulas."""

    SKIP = {"pre", "code", "script", "style", "textarea"}

    def __init__(self, text: str):
        super().__init__()
        self.hrefs, self.ids, self.images, self.loads, self.sidebar, self.launch = [], set(), [], [], [], []
        self.text, self.maths, self._skip, self._math, self._nav = [], 0, [], [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href") is not None:
            self.hrefs.append(a["href"])
            if self._nav and "reference" in classes:
                self.sidebar.append(a["href"])
            if a.get("title", "").startswith("Launch on"):
                self.launch.append(a["href"])
        if tag == "img":
            self.images.append(a)
        if tag == "script" and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") in ("stylesheet", "preload", "icon", "modulepreload"):
            self.loads.append(a["href"])
        if tag == "nav":
            self._nav += "bd-docs-nav" in classes or bool(self._nav)
        if tag in self.SKIP:
            self._skip.append(tag)
        if tag in ("span", "div") and "math" in classes:
            self.maths += 1
            self._math.append(tag)
        elif tag in ("span", "div") and self._math:
            self._math.append(tag)

    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag in ("span", "div") and self._math:
            self._math.pop()
        if tag == "nav" and self._nav:
            self._nav -= 1

    def handle_data(self, data):
        if not self._skip and not self._math:
            self.text.append(data)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Build the site as `make html` does; returns its folder and {page: _Page} for every page."""
    out = tmp_path_factory.mktemp("site")
    cmd = [
        sys.executable,
        "-m",
        "sphinx",
        "-b",
        "html",
        "-c",
        "docs",
        "-W",
        "--keep-going",
        "-q",
        "-d",
        str(out / "doctrees"),
        ".",
        str(out / "html"),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"the site does not build:\n{done.stderr[-3000:]}"
    html = out / "html"
    names = (p.relative_to(html).as_posix() for p in html.rglob("*.html"))
    skipped = ("_static/",)  # the theme's template snippets
    pages = {name: _Page((html / name).read_text(encoding="utf-8")) for name in names if not name.startswith(skipped)}
    return html, pages


def test_a_page_for_every_notebook_solution_student_version_and_doc(site):
    _, pages = site
    expected = {"index.html", HOME, "search.html", "genindex.html"} | {_page_of(p) for p in SOURCES}
    assert set(pages) == expected
    assert len(NOTEBOOKS) == len(SOLUTIONS) == 9 and len(STUDENT_VERSIONS) >= 3


def test_the_site_root_opens_the_home_page(site):
    html, _ = site
    assert 'http-equiv="refresh" content="0; url=docs/index.html"' in (html / "index.html").read_text()


def test_the_sidebar_is_the_course_map_in_course_order(site):
    _, pages = site
    here = posixpath.dirname(HOME)
    expected = [posixpath.relpath(_page_of(p), here) for p in SOURCES]
    for name in (HOME, _page_of(NOTEBOOKS[3]), _page_of(DOCS[1])):
        links = [
            name if h.startswith("#") else posixpath.normpath(posixpath.join(posixpath.dirname(name), h))
            for h in pages[name].sidebar
        ]  # "#": the page's link to itself
        links = [posixpath.relpath(link, here) for link in links]
        assert [link for link in links if link != "index.html"] == expected, f"the sidebar of {name}"


@pytest.mark.parametrize("path", NOTEBOOKS + DOCS[:1], ids=lambda p: p.name)
def test_every_page_has_a_contents_list_of_its_sections(site, path):
    """The right-hand "Contents" of a page lists its ## sections in order, each linking to its heading."""
    html, pages = site
    text = (html / _page_of(path)).read_text(encoding="utf-8")
    toc = re.search(r'<nav id="pst-page-toc-nav" class="page-toc".*?</nav>', text, re.S)
    assert toc, f"{_page_of(path)} has no contents list"
    entries = re.findall(r'<li class="toc-h2[^"]*"><a class="reference internal nav-link" href="#([^"]+)">', toc[0])
    if path.suffix == ".ipynb":
        markdown = "\n".join(source(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "markdown")
    else:
        markdown = path.read_text(encoding="utf-8")
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.S | re.M)  # no "## " inside code blocks
    sections = re.findall(r"^## ", markdown, re.M)
    assert len(entries) == len(sections) > 1, f"{_page_of(path)}: {len(entries)} entries for {len(sections)} sections"
    assert all(anchor in pages[_page_of(path)].ids for anchor in entries)


def test_the_home_page_is_the_readme_course_table(site):
    _, pages = site
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    home = pages[HOME]
    content = [h for h in home.hrefs if h.startswith("../notebooks/") and "solutions" not in h]
    assert content[: len(NOTEBOOKS)] == [f"../{_page_of(p)}" for p in NOTEBOOKS]
    text = " ".join(" ".join(home.text).split()).translate(str.maketrans("“”‘’", "\"\"''"))  # Sphinx's smart quotes
    for question in re.findall(r"\]\(notebooks/[\w.-]+\.ipynb\) \| ([^|\n]+) \|", readme):
        assert question.strip() in text
    html_text = (site[0] / HOME).read_text(encoding="utf-8")
    rows = len(re.findall(r"<tr\b", html_text))
    assert html_text.count("<table") == 2 and rows == 2 + len(NOTEBOOKS) + len(STUDENT_VERSIONS), "two tables"
    assert {"the-notebooks", "graded-assignments"} <= home.ids  # the README's anchors, which notebooks link to


def test_internal_links_and_images_resolve(site):
    html, pages = site
    for name, page in pages.items():
        for href in page.hrefs:
            if re.match(r"^[a-z]+:", href):  # https:, mailto: ... leave the site
                continue
            assert ".ipynb" not in href or "_sources/" in href, f"{name} links a notebook, not its page: {href!r}"
            target, _, anchor = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            assert (html / target).exists(), f"{name}: link to a missing file {href!r}"
            if anchor and target.endswith(".html"):
                assert anchor in pages[target].ids, f"{name}: link to a missing anchor {href!r}"
        for img in page.images:
            src = img.get("src", "")
            if not src.startswith("data:"):
                assert (html / posixpath.normpath(posixpath.join(posixpath.dirname(name), src))).is_file(), (
                    f"{name}: missing image {src!r}"
                )


def test_nothing_is_loaded_from_outside_the_site(site):
    for name, page in site[1].items():
        outside = [u for u in page.loads + [i.get("src", "") for i in page.images] if re.match(r"^(https?:)?//", u)]
        assert not outside, f"{name} loads {outside}"


def test_formulas_are_typeset_by_the_site_s_own_mathjax(site):
    html, pages = site
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    for path in SOURCES:
        name = _page_of(path)
        page = pages[name]
        assert "../" * name.count("/") + "_static/mathjax/tex-chtml.js" in page.loads or page.maths == 0
        text = "".join(page.text)
        stray = [m.group() for m in re.finditer(r".{0,30}\$.{0,30}", text)]
        assert not stray, f"{name}: a '$' outside formulas and code, unparsed LaTeX? {stray[:3]}"
        if "$" in re.sub(r"```.*?```|`[^`]*`", "", path.read_text(encoding="utf-8"), flags=re.S):
            assert page.maths > 0, f"{name}: the source has formulas, the page none"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS + STUDENT_VERSIONS, ids=lambda p: p.name)
def test_every_stored_figure_is_on_the_page_with_its_description(site, path):
    _, pages = site
    nb = json.loads(path.read_text(encoding="utf-8"))
    stored = sum(
        "image/png" in out.get("data", {})
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for out in cell["outputs"]
    )
    figures = [img for img in pages[_page_of(path)].images if "/_images/" in img.get("src", "")]
    widget = "widget-view+json" in path.read_text(encoding="utf-8")
    assert len(figures) == stored + widget, f"{len(figures)} figures on the page, {stored} stored (+{widget} widget)"
    for img in figures:
        alt = img.get("alt", "")
        assert alt and NO_ALT not in alt and not alt.endswith(".png"), f"{img['src']}: no description: {alt!r}"


def test_the_explorer_shows_its_stored_figure_and_loads_no_widget_code(site):
    html, pages = site
    name = "notebooks/06_what_does_se_attend_to.html"
    text = (html / name).read_text(encoding="utf-8")
    assert "widget-view+json" not in text and "widget-state+json" not in text
    assert "An interactive widget: open the notebook" in text
    assert not [src for src in pages[name].loads if "widget" in src]


def test_set_up_cell_and_badge_hidden_on_the_pages_but_kept_in_the_notebooks(site):
    html, pages = site
    for path in NOTEBOOKS + SOLUTIONS + STUDENT_VERSIONS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        setup = [c for c in nb["cells"] if "colab-setup" in c["metadata"].get("tags", [])]
        assert len(setup) == 1 and "remove-cell" in setup[0]["metadata"]["tags"], path.name
        assert SETUP_LINE in "".join(setup[0]["source"]) and "colab-badge.svg" in "".join(nb["cells"][0]["source"])
        text = (html / _page_of(path)).read_text(encoding="utf-8")
        assert SETUP_LINE not in text and "colab-badge.svg" not in text, f"{path.name}: the set-up cell or badge shows"


def test_launch_buttons_open_the_same_notebook_on_colab(site):
    _, pages = site
    colab = _colab()
    cfg = colab.settings()
    for path in NOTEBOOKS + SOLUTIONS + STUDENT_VERSIONS:
        rel = path.relative_to(ROOT).as_posix()
        assert pages[_page_of(path)].launch == [colab.colab_url(rel, cfg)], path.name
    assert pages[_page_of(DOCS[0])].launch == []


def test_reader_drops_the_badge_and_freezes_widgets():
    png = base64.b64encode(b"png bytes").decode()
    state = {
        "v": {"state": {"children": ["IPY_MODEL_o"]}},
        "o": {"state": {"outputs": [{"output_type": "display_data", "data": {"image/png": png}, "metadata": {}}]}},
    }
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"widgets": {course_site.WIDGET_STATE: {"state": state}}},
        "cells": [
            {
                "cell_type": "markdown",
                "id": "a",
                "metadata": {},
                "source": "# Title\n\n[![Open In Colab](https://x/badge.svg)](https://x/nb.ipynb)\n\nText.",
            },
            {
                "cell_type": "code",
                "id": "b",
                "metadata": {},
                "execution_count": 1,
                "source": "w",
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {course_site.WIDGET_VIEW: {"model_id": "v"}, "text/plain": "W()"},
                    }
                ],
            },
        ],
    }
    read = course_site.read_notebook(json.dumps(nb))
    assert read.cells[0].source == "# Title\n\nText."
    assert "widgets" not in read.metadata
    outputs = read.cells[1].outputs
    assert outputs[0].data == {"image/png": png} and "W()" in read.cells[1].metadata["mystnb"]["image"]["alt"]
    assert "text/markdown" in outputs[1].data and len(outputs) == 2


def test_links_to_other_files_go_to_github_and_anchors_match_jupyterlab():
    cfg = {"repository": "https://github.com/o/r", "ref": "v1"}
    assert (
        course_site.github_url("se_tutorial/checks.py", cfg) == "https://github.com/o/r/blob/v1/se_tutorial/checks.py"
    )
    assert course_site.jupyter_slug("6. What SE costs: parameters") == "6.-What-SE-costs:-parameters"
    tables = course_site.course_tables((ROOT / "README.md").read_text(encoding="utf-8"))
    assert "colab" not in tables and tables.count("](/notebooks/") == len(NOTEBOOKS)
