"""`make html`: the static site of the course (scripts/build_html.py), built into a temporary folder."""
import importlib.util
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
DOCS = sorted((ROOT / "docs").glob("*.md"))
MATHJAX_CDN = "https://cdnjs.cloudflare.com/ajax/libs/mathjax/"


def _script():
    spec = importlib.util.spec_from_file_location("build_html", ROOT / "scripts" / "build_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Page(HTMLParser):
    """Links, anchors, images and scripts of one page."""

    def __init__(self, text: str):
        super().__init__()
        self.hrefs, self.ids, self.images, self.scripts = [], set(), [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href") is not None:
            self.hrefs.append(attrs["href"])
        if tag == "img":
            self.images.append(re.sub(r"\s", "", attrs.get("src", "")))
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])


def _stored_pngs(nb: dict) -> list[str]:
    return [re.sub(r"\s", "", "".join(out["data"]["image/png"]))
            for cell in nb["cells"] if cell["cell_type"] == "code"
            for out in cell["outputs"] if "image/png" in out.get("data", {})]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("html")
    written = _script().build(out)
    pages = {path.relative_to(out).as_posix(): _Page(path.read_text(encoding="utf-8")) for path in out.rglob("*.html")}
    return out, written, pages


def test_one_page_per_notebook_solution_and_doc_and_the_course_map(site):
    out, written, pages = site
    assert sorted(pages) == sorted(["index.html"] + [f"{p.stem}.html" for p in NOTEBOOKS]
                                   + [f"solutions/{p.stem}.html" for p in SOLUTIONS] + [f"docs/{p.stem}.html" for p in DOCS])
    assert sorted(written) == sorted(out / name for name in pages)


def test_index_links_every_notebook_in_course_order_with_its_title(site):
    out, _, pages = site
    assert pages["index.html"].hrefs == [f"{p.stem}.html" for p in NOTEBOOKS]
    index = (out / "index.html").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        first = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        heading = first.source.splitlines()[0].removeprefix("# ")
        assert f">{heading}</a>" in index.replace("&#x27;", "'").replace("&quot;", '"')


def test_internal_links_resolve(site):
    out, _, pages = site
    for name, page in pages.items():
        for href in page.hrefs:
            if re.match(r"^[a-z]+:", href):      # https:, mailto: ... leave the site
                continue
            assert ".ipynb" not in href, f"{name} links a notebook, not its page: {href!r}"
            target, _, anchor = href.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), target)) if target else name
            assert (out / target).is_file(), f"{name}: link to a missing page {href!r}"
            if anchor:
                assert anchor in pages[target].ids, f"{name}: link to a missing anchor {href!r}"


def test_previous_next_and_index_navigation(site):
    _, _, pages = site
    names = [f"{p.stem}.html" for p in NOTEBOOKS]
    for i, name in enumerate(names):
        links = set(pages[name].hrefs)
        assert "index.html" in links
        if i > 0:
            assert names[i - 1] in links
        if i + 1 < len(names):
            assert names[i + 1] in links


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_stored_figure_is_on_the_page(site, path):
    _, _, pages = site
    nb = json.loads(path.read_text(encoding="utf-8"))
    images = set(pages[f"{path.stem}.html"].images)
    stored = _stored_pngs(nb)
    missing = [i for i, png in enumerate(stored) if f"data:image/png;base64,{png}" not in images]
    assert not missing, f"figures {missing} of {len(stored)} are not on the page"
    # A widget has no kernel on a static page: its stored figures stand in for it.
    state = nb["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in state.get("state", {}).values():
        for png in _stored_pngs({"cells": [{"cell_type": "code", "outputs": model["state"].get("outputs", [])}]}):
            assert f"data:image/png;base64,{png}" in images


def test_pages_are_not_executed_and_load_no_scripts_but_mathjax(site):
    out, _, pages = site
    for name, page in pages.items():
        assert all(src.startswith(MATHJAX_CDN) for src in page.scripts), f"{name} loads {page.scripts}"
        assert "widget-view+json" not in (out / name).read_text(encoding="utf-8")
    page = (out / f"{NOTEBOOKS[0].stem}.html").read_text(encoding="utf-8")
    code = [c for c in json.loads(NOTEBOOKS[0].read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert f"In\xa0[{code[-1]['execution_count']}]:" in page   # the stored execution counts


def test_bad_input_says_what_is_wrong(tmp_path):
    build_html = _script()
    with pytest.raises(ValueError, match="no notebooks"):
        build_html.build(tmp_path, notebooks=[])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no heading here")])
    with pytest.raises(ValueError, match="'# title' heading"):
        build_html.title(nb)
