"""Normalise the notebooks' metadata, keeping their outputs.

    python scripts/normalise_notebooks.py [--check] [NOTEBOOK ...]   # default: every notebook of the course

Every notebook gets the kernel JupyterLab starts for it (``python3``, shown as "Python 3 (ipykernel)") and
the kernel's full ``language_info`` (missing fields are filled in, the version from the running Python; the
Python version it has is kept), so that opening it does not mark it modified. Timing metadata that Jupyter
and nbconvert may add to cells (``execution``, ``ExecuteTime``), which changes at every run, is removed.
Outputs, execution counts and every other key stay as they are. ``--check`` changes nothing and exits with 1
when a notebook would change (``make lint`` and the pre-commit hook run it).
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
TIMING_KEYS = ("execution", "ExecuteTime")


def course_notebooks() -> list[Path]:
    """The notebooks of the course: lessons, solutions and the assignments (teacher's and student's)."""
    patterns = (
        "notebooks/*.ipynb",
        "notebooks/solutions/*.ipynb",
        "assignments/source/*/*.ipynb",
        "assignments/release/*/*.ipynb",
    )
    return sorted(path for pattern in patterns for path in ROOT.glob(pattern))


def _language_info() -> dict:
    """What an IPython kernel reports about its language, which JupyterLab writes into a notebook it opens
    (ipykernel's ``IPythonKernel.language_info``; tests/test_lab.py checks that the two agree)."""
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": platform.python_version(),
    }


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` with the course's kernel and no timing metadata (changed in place, and returned)."""
    nb.metadata["kernelspec"] = nbformat.from_dict(KERNELSPEC)
    nb.metadata["language_info"] = nbformat.from_dict({**_language_info(), **nb.metadata.get("language_info", {})})
    for cell in nb.cells:
        for key in TIMING_KEYS:
            cell.metadata.pop(key, None)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to normalise (default: the course's)")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    changed = []
    for path in args.notebooks or course_notebooks():
        before = path.read_text(encoding="utf-8")
        after = nbformat.writes(normalise(nbformat.reads(before, as_version=4))) + "\n"
        if after != before:
            changed.append(path)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    for path in changed:
        print(f"{'would normalise' if args.check else 'normalised'} {path}")
    if changed and args.check:
        print("run: python scripts/normalise_notebooks.py  (kernel python3, no timing metadata)")
    return 1 if changed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
