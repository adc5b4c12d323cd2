"""The course's notebooks and README as the site shows them (a Sphinx extension, used by docs/conf.py).

- ``read_notebook``: each notebook as stored, without its Colab badge (the page has a launch button)
  and with each widget replaced by the figure it showed when the notebook was saved (a static page
  has no kernel to run it, and loads no widget scripts).
- The home page (docs/index.md) gets the README's course tables, without their badge column.
- ``<a id="name"></a>`` anchors in the text become link targets, so that ``notation.md#costs`` resolves.
- A link to the README opens the home page (docs/index.md holds its anchors); a link to any other file of
  the repository opens it on GitHub.
- ``jupyter_slug``: heading anchors as JupyterLab makes them ("#6.-What-SE-costs:-parameters").
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from docutils import nodes
from sphinx import addnodes

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from colab import settings  # noqa: E402  [tool.se_tutorial] of pyproject.toml, as the Colab badges read it

HOME = "docs/index"
COURSE_MAP = "<!-- the course map -->"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\s*$", re.MULTILINE)
ANCHOR = re.compile(r'<a id="([^"]+)">')


def github_url(rel: str, cfg: dict) -> str:
    """The repository file ``rel`` (a path from the repository's root) on GitHub, at ``ref``."""
    return f"{cfg['repository']}/blob/{cfg['ref']}/{rel}"


def jupyter_slug(title: str) -> str:
    """A heading's anchor as JupyterLab writes it: the text with each space made a '-'."""
    return title.strip().replace(" ", "-")


def _widget_pngs(state: dict, model_id: str) -> list[str]:
    """The PNG figures (base64) that the Output widgets inside widget ``model_id`` showed."""
    model = state.get(model_id, {}).get("state", {})
    found = [o["data"]["image/png"] for o in model.get("outputs", []) if "image/png" in o.get("data", {})]
    for child in model.get("children", []):
        found += _widget_pngs(state, child.removeprefix("IPY_MODEL_"))
    return found


def read_notebook(text: str) -> nbformat.NotebookNode:
    """A stored notebook (JSON text) as the site shows it: no Colab badge, widgets frozen to figures."""
    nb = nbformat.reads(text, as_version=4)
    first = nb.cells[0]
    if first.cell_type == "markdown":
        first.source = re.sub(r"\n{3,}", "\n\n", BADGE.sub("", first.source))
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        outputs = []
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                outputs.append(output)
                continue
            described = output["data"].get("text/plain", "an interactive widget")
            for png in _widget_pngs(state, view["model_id"]):
                outputs.append(nbformat.v4.new_output("display_data", {"image/png": png}))
                image = cell.metadata.setdefault("mystnb", {}).setdefault("image", {})
                image.setdefault("alt", f"The figure of {described} as it was when the notebook was saved.")
            note = "*An interactive widget: open the notebook (Colab or JupyterLab) and run it to use it.*"
            outputs.append(nbformat.v4.new_output("display_data", {"text/markdown": note}))
        cell["outputs"] = outputs
    return nb


def course_tables(readme: str) -> str:
    """The README's tables of notebooks and assignments, without the badge column, linking from docs/."""
    out, in_table = [], False
    for line in readme.splitlines():
        if line.startswith(("| | notebook |", "| | assignment |")):
            anchor, heading = (
                ("the-notebooks", "The notebooks")
                if "notebook" in line
                else ("graded-assignments", "Graded assignments")
            )
            out += ["", f"({anchor})=", f"## {heading}", ""]
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        if in_table:
            cells = line.strip().removeprefix("|").removesuffix("|").split("|")
            row = "|" + "|".join(cells[1:]) + "|"
            out.append(row.replace("](notebooks/", "](/notebooks/").replace("](assignments/", "](/assignments/"))
    return "\n".join(out)


def on_source_read(app, docname: str, source: list[str]) -> None:
    if docname == HOME:
        path = Path(app.srcdir) / "README.md"
        app.env.note_dependency(str(path))  # a changed README rebuilds the home page
        readme = path.read_text(encoding="utf-8")
        source[0] = source[0].replace(COURSE_MAP, course_tables(readme))


def on_doctree_read(app, doctree) -> None:
    """Register the text's ``<a id>`` anchors; point links to repository files at the home page or GitHub."""
    env = app.env
    std = env.domains.standard_domain
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split():
            for anchor in ANCHOR.findall(raw.astext()):
                std.anonlabels.setdefault(anchor, (env.docname, anchor))
    for ref in doctree.findall(addnodes.pending_xref):
        if ref.get("reftype") == "myst" and ref.get("reftarget") == "README":
            ref["reftarget"] = HOME
    cfg = settings(Path(app.srcdir))
    for ref in list(doctree.findall(addnodes.download_reference)):
        rel, _ = env.relfn2path(ref["reftarget"], env.docname)
        ref.replace_self(nodes.reference("", "", *ref.children, refuri=github_url(rel, cfg)))


def setup(app):
    app.connect("source-read", on_source_read)
    app.connect("doctree-read", on_doctree_read, priority=400)  # before Sphinx collects the downloads
    return {"parallel_read_safe": True, "parallel_write_safe": True}
