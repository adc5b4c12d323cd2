"""Render the executed notebooks into a static site: one page per notebook and the course map.

    python scripts/build_html.py [--out build/html]        # or: make html

Every notebooks/*.ipynb becomes OUT/NAME.html through nbconvert's HTMLExporter ("lab"
template), from the outputs stored in the notebook: nothing is executed. Each page gets
links to the previous and next notebook and to OUT/index.html, the course map (titles from
each notebook's first heading, questions from the README's course table). The solution notebooks
become OUT/solutions/NAME.html and docs/*.md (notation, references, ...) OUT/docs/NAME.html; links
between them are pointed at their pages, and links to other files of the repository at GitHub.

Figures stay inside the pages as PNG data URIs. A widget (notebook 06's explorer) cannot run
without a kernel: its page shows the figure the widget showed when the notebook was saved.
From the internet the pages load only MathJax (from a CDN, to typeset the formulas) and the
Colab badge image; offline, formulas show as LaTeX source and the badge as its text.
"""
from __future__ import annotations

import argparse
import html
import posixpath
import re
import tomllib
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

# nbconvert's lab template, without require.js (no output here needs it; it would come from a CDN),
# with a navigation bar above and below the notebook.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block extra_css %}<style type="text/css">
nav.course { display: flex; justify-content: space-between; gap: 1em; max-width: 1100px; margin: 0.8em auto;
  padding: 0.5em 1em; font-family: var(--jp-ui-font-family); font-size: 14px; background: #f3f5f7;
  border-radius: 4px; }
nav.course a { text-decoration: none; color: #1a62b0; }
nav.course span { flex: 1; }
nav.course .up { text-align: center; }
nav.course .next { text-align: right; }
</style>{% endblock extra_css %}
{%- block body_header -%}{{ super() }}{{ resources.nav }}{%- endblock body_header -%}
{% block body_footer %}{{ resources.nav }}{{ super() }}{% endblock body_footer %}
"""

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style type="text/css">
body {{ font-family: system-ui, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em; color: #222;
  line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ text-align: left; padding: 0.5em; border-bottom: 1px solid #ddd; vertical-align: top; }}
a {{ color: #1a62b0; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{intro}</p>
<table>
<tr><th>notebook</th><th>the question it answers</th></tr>
{rows}
</table>
<p>These pages show each notebook with the outputs stored in it. To run the notebooks, change them and use
the interactive explorer, open them in JupyterLab (<code>make lab</code>) or on Colab (the badge at the top
of each page).</p>
</body>
</html>
"""


def title(nb) -> str:
    """The text of the notebook's first '# ' heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("a notebook of the course must start with a '# title' heading")


def readme_questions(readme: Path = ROOT / "README.md") -> dict[str, str]:
    """Notebook file name → 'the question it answers', from the README's course table."""
    rows = re.findall(r"\]\(notebooks/([\w.-]+\.ipynb)\) \| ([^|\n]+) \|", readme.read_text(encoding="utf-8"))
    return {name: question.strip() for name, question in rows}


def freeze_widgets(nb) -> None:
    """Replace each widget view by what its Output widgets showed when the notebook was saved.

    The saved widget state lives in the notebook's metadata; a static page has no kernel to
    run the widget, so it gets the stored figures (PNG) instead, and no widget scripts.
    """
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})

    def pngs(model_id: str) -> list[str]:
        model = state.get(model_id, {}).get("state", {})
        found = [o["data"]["image/png"] for o in model.get("outputs", []) if "image/png" in o.get("data", {})]
        for child in model.get("children", []):
            found += pngs(child.removeprefix("IPY_MODEL_"))
        return found

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).pop(WIDGET_VIEW, None)
            if view is not None:
                images = "".join(f'<img src="data:image/png;base64,{png}" alt="widget figure">'
                                 for png in pngs(view["model_id"]))
                note = "<p><em>An interactive widget: run the notebook to use it.</em></p>"
                output["data"]["text/html"] = images + note


def nav(pages: list[tuple[str, str]], i: int) -> str:
    """The navigation bar of page i: previous, the course map, next; pages are (name, title)."""
    def link(j: int, text: str) -> str:
        return f'<a href="{pages[j][0]}.html">{text}</a>' if 0 <= j < len(pages) else ""
    prev = link(i - 1, f"&larr; {html.escape(pages[i - 1][1])}") if i > 0 else ""
    nxt = link(i + 1, f"{html.escape(pages[i + 1][1])} &rarr;") if i + 1 < len(pages) else ""
    return (f'<nav class="course"><span class="prev">{prev}</span>'
            f'<span class="up"><a href="index.html">Course map</a></span>'
            f'<span class="next">{nxt}</span></nav>')


def page_of(rel: str) -> str | None:
    """The page (relative to the site's root) that shows the repository file ``rel``, or None."""
    if rel == "README.md":
        return "index.html"
    m = re.fullmatch(r"notebooks/([\w.-]+)\.ipynb", rel) or re.fullmatch(r"notebooks/(solutions/[\w.-]+)\.ipynb", rel) \
        or re.fullmatch(r"(docs/[\w.-]+)\.md", rel)
    return f"{m[1]}.html" if m else None


def rewrite_links(page: str, source: str, names: set[str] | None = None) -> str:
    """Point the relative links of the page made from repository file ``source`` at the site's pages.

    A link to a notebook, a solution notebook, a docs/ page or the README becomes a link to its
    page (anchors kept); a link to another file of the repository goes to that file on GitHub.
    """
    here = posixpath.dirname(source)
    page_dir = posixpath.dirname(page_of(source) or "")

    def swap(m: re.Match) -> str:
        href = m[1]
        if re.match(r"^[a-z]+:", href) or href.startswith("#") or href.partition("#")[0].endswith(".html"):
            return m[0]                      # another site, an anchor, or one of the site's own pages (navigation)
        target, hash_, anchor = href.partition("#")
        rel = posixpath.normpath(posixpath.join(here, target))
        if rel.startswith(".."):
            return m[0]
        dest = page_of(rel)
        if dest is None or (names is not None and dest not in names):
            return f'href="{github_url(rel)}{hash_}{anchor}"'
        if rel == "README.md":
            hash_ = anchor = ""
        return f'href="{posixpath.relpath(dest, page_dir or ".")}{hash_}{anchor}"'
    return re.sub(r'href="([^"]*)"', swap, page)


def github_url(rel: str) -> str:
    """The repository file ``rel`` on GitHub, at the ref the Colab badges use ([tool.se_tutorial])."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        cfg = tomllib.load(f)["tool"]["se_tutorial"]
    return f"{cfg['repository'].rstrip('/')}/blob/{cfg['ref']}/{rel}"


def markdown_notebook(path: Path):
    """A docs/*.md file as a one-cell notebook, so that it renders with the same template."""
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(path.read_text(encoding="utf-8"))])


def build(out: Path, notebooks: list[Path] | None = None) -> list[Path]:
    """Write out/index.html, out/NAME.html for every notebook, out/solutions/NAME.html for every
    solution notebook and out/docs/NAME.html for every docs/*.md; returns the pages written."""
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb")) if notebooks is None else list(notebooks)
    if not notebooks:
        raise ValueError("no notebooks to render: expected notebooks/*.ipynb")
    out.mkdir(parents=True, exist_ok=True)
    books = [(path, nbformat.read(path, as_version=4)) for path in notebooks]
    pages = [(path.stem, title(nb)) for path, nb in books]
    extra = [(path, nbformat.read(path, as_version=4)) for path in sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))]
    extra += [(path, markdown_notebook(path)) for path in sorted((ROOT / "docs").glob("*.md"))]
    rel = {path: path.relative_to(ROOT).as_posix() for path, _ in books + extra}
    names = {"index.html"} | {page_of(rel[path]) for path, _ in books + extra}
    exporter = HTMLExporter(template_name="lab", raw_template=TEMPLATE)
    written = []
    for i, (path, nb) in enumerate(books + extra):
        freeze_widgets(nb)
        dest = page_of(rel[path])
        up = posixpath.relpath("index.html", posixpath.dirname(dest) or ".")
        navigation = nav(pages, i) if i < len(books) else (
            f'<nav class="course"><span class="up"><a href="{up}">Course map</a></span></nav>')
        name = pages[i][1] if i < len(books) else (title(nb) if path.suffix == ".ipynb" else path.stem.capitalize())
        resources = {"metadata": {"name": name}, "nav": navigation}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        target = out / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(rewrite_links(body, rel[path], names), encoding="utf-8")
        written.append(target)
    questions = readme_questions()
    rows = "\n".join(f'<tr><td><a href="{name}.html">{html.escape(text)}</a></td>'
                     f'<td>{html.escape(questions.get(path.name, ""))}</td></tr>'
                     for (name, text), (path, _) in zip(pages, books))
    index = out / "index.html"
    index.write_text(INDEX.format(
        title="se-tutorial: learn Squeeze-and-Excitation, step by step",
        intro="An open course on the Squeeze-and-Excitation (SE) block, one idea per notebook, in this order.",
        rows=rows), encoding="utf-8")
    return [index] + written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "html", help="folder of the site")
    args = parser.parse_args(argv)
    pages = build(args.out)
    print(f"{len(pages)} pages in {args.out} (open {args.out / 'index.html'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
