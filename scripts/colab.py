"""Write the Colab badge and the Colab set-up cell of every notebook from one setting.

The setting is ``[tool.se_tutorial]`` in ``pyproject.toml``: ``repository`` (the
GitHub URL) and ``ref``, the branch or tag that Colab opens and installs: the default
branch ``main`` until a release tag is pushed, then that tag, ``v`` + the package's
version (a test checks that ``ref`` is one of the two and exists in git).

    python scripts/colab.py            # rewrite every notebook, assignment and the README's badges
    python scripts/colab.py --check    # exit 1 if any of them is out of date
    python scripts/colab.py notebooks/01_squeeze.ipynb   # only these

The notebooks are ``notebooks/*.ipynb``, their solutions ``notebooks/solutions/*.ipynb``, and the assignments' sources
``assignments/source/NAME/NAME.ipynb``. An assignment's badge opens its student
version, ``assignments/release/NAME/NAME.ipynb`` (``make assignments`` copies the
badge and the set-up cell there).

Each notebook's first cell is markdown that starts with its ``# title``; the badge
is the line after the title. The set-up cell is the first code cell tagged
``colab-setup`` (inserted as the second cell when missing); it is also tagged ``remove-cell``,
which hides it on the course's site (``make html``: the site's pages have a Colab launch button, and
drop the badge line too). On Colab it clones the
repository at ``ref`` into /content/se-tutorial (``$SE_TUTORIAL_COLAB_DIR`` moves it;
``make test-colab`` does) unless that folder exists, installs the package unless it
is installed, and prints nothing; a failed step raises one ``RuntimeError`` that says
what failed, the last lines git or pip wrote, and what to try. Elsewhere it does nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BADGE_IMG = "https://colab.research.google.com/assets/colab-badge.svg"
SETUP_TAG = "colab-setup"
HIDDEN_TAG = "remove-cell"  # myst-nb leaves a cell with this tag out of the site's page


def settings(root: Path = ROOT) -> dict:
    """The ``[tool.se_tutorial]`` table of pyproject.toml: repository, ref."""
    with open(root / "pyproject.toml", "rb") as f:
        cfg = tomllib.load(f)["tool"]["se_tutorial"]
    cfg["repository"] = cfg["repository"].rstrip("/")
    return cfg


def github_path(repository: str) -> str:
    m = re.fullmatch(r"https://github\.com/([^/]+/[^/]+?)(\.git)?", repository)
    if not m:
        raise ValueError(f"[tool.se_tutorial] repository must be https://github.com/OWNER/NAME; got {repository!r}")
    return m.group(1)


def colab_url(rel_path: str, cfg: dict) -> str:
    """The Colab address that opens ``rel_path`` (relative to the repository root)."""
    return f"https://colab.research.google.com/github/{github_path(cfg['repository'])}/blob/{cfg['ref']}/{rel_path}"


def badge(rel_path: str, cfg: dict) -> str:
    return f"[![Open In Colab]({BADGE_IMG})]({colab_url(rel_path, cfg)})"


def setup_source(cfg: dict) -> str:
    """The set-up cell: on Colab, fetch the repository (package and data) and install the package."""
    return f"""\
# Set-up for Google Colab only: fetch the course (package and data) and install it. Elsewhere this cell does nothing.
import sys

if "google.colab" in sys.modules:
    import importlib.util, os, subprocess

    repository, ref = "{cfg["repository"]}", "{cfg["ref"]}"
    folder = os.environ.get("SE_TUTORIAL_COLAB_DIR", "/content/se-tutorial")

    def run(step, *command):  # quiet when it works; one readable error when it does not
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            said = "\\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
            raise RuntimeError(f"Colab set-up: {{step}} failed:\\n{{said}}\\nWhat to try: check that the runtime is online "
                               "and run this cell again (Runtime > Disconnect and delete runtime starts afresh); "
                               f"if it keeps failing, tell us at {{repository}}/issues")

    if not os.path.isdir(folder):
        run(f"fetching the course ({{repository}} at {{ref}})", "git", "-c", "advice.detachedHead=false",
            "clone", "--quiet", "--depth", "1", "--branch", ref, repository, folder)
    if importlib.util.find_spec("se_tutorial") is None:
        run("installing the package (pip install -e)", sys.executable, "-m", "pip", "install", "--quiet", "-e", folder)
    sys.path.insert(0, folder)"""  # noqa: E501 - the cell as students see it, where {{ }} are single braces


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def update(nb: dict, rel_path: str, cfg: dict) -> dict:
    """Return ``nb`` with its badge and set-up cell written from ``cfg``."""
    cells = nb["cells"]
    first = cells[0]
    lines = _source(first).splitlines()
    if first["cell_type"] != "markdown" or not lines or not lines[0].startswith("# "):
        raise ValueError(f"{rel_path}: the first cell must be markdown starting with '# Title'")
    rest = [ln for ln in lines[1:] if "colab.research.google.com" not in ln]
    while rest and not rest[0].strip():
        rest.pop(0)
    first["source"] = _lines("\n".join([lines[0], "", badge(opened_path(rel_path), cfg), "", *rest]).rstrip("\n"))

    setup = next(
        (c for c in cells if c["cell_type"] == "code" and SETUP_TAG in c.get("metadata", {}).get("tags", [])), None
    )
    if setup is None:
        setup = {
            "cell_type": "code",
            "execution_count": None,
            "id": SETUP_TAG,
            "metadata": {"tags": [SETUP_TAG]},
            "outputs": [],
            "source": [],
        }
        cells.insert(1, setup)
    tags = setup["metadata"]["tags"]
    if HIDDEN_TAG not in tags:
        tags.append(HIDDEN_TAG)
    setup["source"] = _lines(setup_source(cfg))
    return nb


COLAB_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^/\s)]+/[^/\s)]+/blob/[^/\s)]+/((?:notebooks|assignments/release)/[^\s)]+\.ipynb)"
)


def update_readme(text: str, cfg: dict) -> str:
    """Point every Colab link in the README at the configured repository and ref."""
    return COLAB_LINK.sub(lambda m: colab_url(m.group(1), cfg), text)


def notebooks(root: Path = ROOT) -> list[Path]:
    """The course's notebooks, their solution notebooks, then the assignments' source notebooks."""
    return (
        sorted((root / "notebooks").glob("*.ipynb"))
        + sorted((root / "notebooks" / "solutions").glob("*.ipynb"))
        + sorted((root / "assignments" / "source").glob("*/*.ipynb"))
    )


def opened_path(rel_path: str) -> str:
    """What a notebook's badge opens: the notebook itself, or an assignment's student version."""
    if rel_path.startswith("assignments/source/"):
        return "assignments/release/" + rel_path[len("assignments/source/") :]
    return rel_path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook is out of date")
    args = ap.parse_args(argv)
    cfg = settings()
    stale = []
    for path in [p.resolve() for p in args.paths] or notebooks():
        rel = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        nb = update(json.loads(text), rel, cfg)
        new = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"  # as nbformat writes
        if new != text:
            stale.append(rel)
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if not args.paths:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        new = update_readme(text, cfg)
        if new != text:
            stale.append("README.md")
            if not args.check:
                readme.write_text(new, encoding="utf-8")
    if args.check and stale:
        print("out of date (run `python scripts/colab.py`):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
