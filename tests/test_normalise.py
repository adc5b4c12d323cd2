"""scripts/normalise_notebooks.py: the course's kernel, no timing metadata, outputs kept."""

import importlib.util
import subprocess
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("normalise_notebooks", ROOT / "scripts" / "normalise_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _executed_elsewhere() -> nbformat.NotebookNode:
    """A notebook as another Jupyter leaves it: kernel "Python 3", timing metadata on its cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    cell = nbformat.v4.new_code_cell(
        "print(1)", execution_count=1, outputs=[nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    )
    cell.metadata["execution"] = {"iopub.execute_input": "2026-11-30T10:00:00.000Z"}
    cell.metadata["ExecuteTime"] = {"end_time": "2026-11-30T10:00:01.000Z"}
    cell.metadata["tags"] = ["nbval-ignore-output"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    return nb


def test_normalise_sets_the_kernel_and_drops_timing_but_keeps_outputs_and_tags():
    nb = _script().normalise(_executed_elsewhere())
    assert nb.metadata.kernelspec == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    assert nb.metadata.language_info["version"] == "3.11.7", "the Python it ran with is kept"
    assert nb.metadata.language_info["pygments_lexer"] == "ipython3", "missing fields are filled in"
    code = nb.cells[1]
    assert dict(code.metadata) == {"tags": ["nbval-ignore-output"]}
    assert code.outputs[0].text == "1\n" and code.execution_count == 1


def test_check_reports_and_leaves_files_then_the_fix_is_idempotent(tmp_path, capsys):
    script = _script()
    path = tmp_path / "nb.ipynb"
    nbformat.write(_executed_elsewhere(), path)
    before = path.read_bytes()
    assert script.main(["--check", str(path)]) == 1
    assert path.read_bytes() == before
    assert "would normalise" in capsys.readouterr().out
    assert script.main([str(path)]) == 0
    fixed = path.read_bytes()
    assert fixed != before and b"ExecuteTime" not in fixed and b'"execution"' not in fixed
    assert script.main(["--check", str(path)]) == 0
    assert script.main([str(path)]) == 0 and path.read_bytes() == fixed


def test_the_course_notebooks_are_every_notebook_in_the_repository():
    tracked = subprocess.run(["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert set(_script().course_notebooks()) == {ROOT / line for line in tracked.stdout.split()}


def test_the_language_info_filled_in_is_what_ipykernel_reports():
    from ipykernel.ipkernel import IPythonKernel

    assert _script()._language_info() == IPythonKernel.language_info
