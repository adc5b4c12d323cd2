"""The course text: navigation, sources, notation, answers to every exercise, figures described.

Each notebook opens with its reading time, prerequisites and the notation page; ends with
Summary, "Check your understanding" (answers in collapsed blocks), Exercises (each linking its
worked answer in notebooks/solutions/) and links to its neighbours; links the bibliography entry
of every work it mentions; describes every figure in one sentence and in its alt text; and stores its figures at
twice the pixels of their displayed size.
"""

import base64
import json
import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
DOCS = ROOT / "docs"

# Bibliography key -> what a mention of that work looks like in a notebook's prose.
MENTIONS = {
    "hu2018": r"CVPR 2018",
    "hu2020": r"TPAMI|journal version|Table 1[0-6]\b|Eq\. 5\b|Fig\. 6\b",
    "seed": r"article this course grew from|source article|seed article|SE 注意力模块",
    "he2016": r"He et al\.",
    "woo2018": r"\bCBAM\b",
    "wang2020": r"\bECA\b",
    "roy2018": r"\bscSE\b",
    "hou2021": r"(?i)coordinate attention",
    "li2019": r"SK-Net",
    "fu2019": r"DANet",
    "xiao2017": r"Fashion-MNIST",
    "smith2019": r"one-cycle",
    "holm1979": r"\bHolm",
    "fisher1935": r"sign-flip",
    "torchvision": r"torchvision",
    "timm": r"\btimm\b",
    "skimage": r"scikit-image",
    "howard2019": r"MobileNetV3|hard sigmoid",
    "tan2019": r"EfficientNet",
}
# Sentences the course once got wrong; none may come back.
WRONG = {
    r"Table 1[0-6][^.\n]{0,80}CVPR 2018|CVPR 2018[^.\n]{0,40}Table 1[0-6]": (
        "Tables 10-16 are the journal version's (hu2020)"
    ),
    r"se\.train\.fit": "`se.train` is not an attribute of the package: `from se_tutorial.train import fit`",
    r"picture of words": "the SE block is drawn (se_tutorial.figures.se_block_diagram)",
}


def _nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _src(cell) -> str:
    return "".join(cell["source"])


def _markdown(nb) -> str:
    return "\n\n".join(_src(c) for c in nb["cells"] if c["cell_type"] == "markdown")


def _ids(md: Path) -> set[str]:
    return set(re.findall(r'<a id="([^"]+)"></a>', md.read_text(encoding="utf-8")))


def _headings(nb) -> set[str]:
    """Anchors of a notebook: its headings as JupyterLab and nbconvert make them (spaces to hyphens),
    and explicit ``<a id="..."></a>`` anchors."""
    markdown = [_src(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
    return {
        line.lstrip("#").strip().replace(" ", "-")
        for text in markdown
        for line in text.splitlines()
        if line.startswith("#")
    } | {a for text in markdown for a in re.findall(r'<a id="([^"]+)"></a>', text)}


def _links(text: str) -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", text) + re.findall(r'href="([^"]+)"', text)


def _solution(path: Path) -> Path:
    return ROOT / "notebooks" / "solutions" / f"{path.stem}_solutions.ipynb"


def _section(nb, heading: str):
    found = [c for c in nb["cells"] if c["cell_type"] == "markdown" and _src(c).lstrip().lower().startswith(heading)]
    assert len(found) == 1, f"expected one markdown cell starting with {heading!r}, found {len(found)}"
    return found[0]


def test_every_notebook_has_solutions_and_no_solutions_without_a_notebook():
    assert len(NOTEBOOKS) >= 9
    assert sorted(p.name for p in SOLUTIONS) == sorted(_solution(p).name for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_reading_time_prerequisites_and_notation(path):
    first = _src(_nb(path)["cells"][0])
    assert re.search(r"\*\*Reading time:?\*\*:? about \d+ minutes", first), (
        "cell 0: '**Reading time:** about N minutes'"
    )
    assert "**Prerequisites:**" in first or "**Prerequisites**" in first
    assert "](../docs/notation.md" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_summary_questions_exercises_and_neighbours(path):
    nb = _nb(path)
    cells = nb["cells"]
    summary, questions, exercises = (
        _section(nb, h) for h in ("## summary", "## check your understanding", "## exercises")
    )
    assert cells.index(summary) < cells.index(questions) < cells.index(exercises) == len(cells) - 2

    text = _src(questions)
    numbered = re.findall(r"^\d+\. ", text, flags=re.M)
    assert 2 <= len(numbered) <= 4, "two to four questions"
    assert text.count("<details>") == text.count("</details>") == text.count("<summary>") == len(numbered), (
        "each question has its answer in one collapsed <details> block"
    )

    last = _src(cells[-1])
    i = NOTEBOOKS.index(path)
    if i > 0:
        assert f"]({NOTEBOOKS[i - 1].name})" in last, "the last cell links the previous notebook"
    if i + 1 < len(NOTEBOOKS):
        assert f"]({NOTEBOOKS[i + 1].name})" in last, "the last cell links the next notebook"
    assert "](../docs/notation.md)" in last and "](../docs/references.md)" in last


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_exercise_links_its_worked_answer(path):
    nb = _nb(path)
    items = re.split(r"^(?=\d+\. )", _src(_section(nb, "## exercises")), flags=re.M)[1:]
    assert items, "no numbered exercises"
    solution = _solution(path)
    assert solution.is_file(), f"missing {solution.relative_to(ROOT)}"
    answers = _headings(_nb(solution))
    for k, item in enumerate(items, start=1):
        assert item.startswith(f"{k}. ")
        link = f"solutions/{solution.name}#Exercise-{k}"
        assert f"]({link})" in item, f"exercise {k} must link its answer: {link}"
        assert f"Exercise-{k}" in answers, f"{solution.name} has no '## Exercise {k}'"
    assert len([a for a in answers if re.fullmatch(r"Exercise-\d+", a)]) == len(items), "an answer without an exercise"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_links_the_bibliography_entry_of_every_work_it_mentions(path):
    text = _markdown(_nb(path))
    prose = re.sub(r"\]\([^)]*\)", "]", text)  # mentions, not link targets
    prose = re.sub(r"`[^`]*`", "", prose)  # code names (timm.layers ...) are not citations
    entries = _ids(DOCS / "references.md")
    linked = set(re.findall(r"references\.md#([\w-]+)", text))
    assert linked <= entries, f"links to missing entries: {sorted(linked - entries)}"
    unlinked = [key for key, pattern in MENTIONS.items() if re.search(pattern, prose) and key not in linked]
    assert not unlinked, f"mentions without a link to docs/references.md#KEY: {unlinked}"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_relative_links_resolve(path):
    nb = _nb(path)
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for href in _links(_src(cell)):
            if re.match(r"^[a-z]+:", href) or href.startswith("#"):
                continue
            target, _, anchor = href.partition("#")
            file = (path.parent / target).resolve()
            assert file.is_file(), f"{path.name}: link to a missing file {href!r}"
            if anchor and file.suffix == ".md" and file.parent == DOCS:
                assert anchor in _ids(file), f"{path.name}: {href!r} has no <a id=...> anchor"
            if anchor and file.suffix == ".ipynb":
                assert anchor in _headings(_nb(file)), f"{path.name}: {href!r} has no such heading"


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_every_figure_is_described_in_one_sentence_after_it(path):
    cells = _nb(path)["cells"]
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            after = _src(cells[i + 1]) if i + 1 < len(cells) else ""
            assert cells[i + 1]["cell_type"] == "markdown" and re.match(r"\*\*Figures?\.\*\* \S", after), (
                f"cell {i} shows a figure: the next cell must start with '**Figure.** <one sentence>'"
            )


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_every_figure_has_alt_text_for_the_site(path):
    for i, cell in enumerate(_nb(path)["cells"]):
        if cell["cell_type"] == "code" and any("image/png" in o.get("data", {}) for o in cell["outputs"]):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) >= 40, f"cell {i} shows a figure: describe it in its metadata, mystnb.image.alt"
            assert not re.search(r"[$`*]", alt), f"cell {i}: alt text is plain text (no LaTeX, code or markdown)"


def _png_width(data: str) -> int:
    head = base64.b64decode(data[:64])
    return struct.unpack(">I", head[16:20])[0]


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_figures_are_stored_at_twice_their_displayed_size(path):
    for cell in _nb(path)["cells"]:
        for out in cell.get("outputs", []):
            if "image/png" in out.get("data", {}):
                shown = out.get("metadata", {}).get("image/png", {}).get("width")
                assert shown, "figures are stored as 'retina' PNGs (their metadata gives the displayed width)"
                assert _png_width(out["data"]["image/png"]) in (2 * shown, 2 * shown + 1)


@pytest.mark.parametrize("path", NOTEBOOKS + SOLUTIONS, ids=lambda p: p.name)
def test_no_known_wrong_sentence(path):
    text = "\n".join(_src(c) for c in _nb(path)["cells"])
    for pattern, why in WRONG.items():
        assert not re.search(pattern, text), why


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_name_their_notebook_and_lead_back(path):
    cells = _nb(path)["cells"]
    first, last = _src(cells[0]), _src(cells[-1])
    notebook = path.name.replace("_solutions", "")
    number = notebook[:2]
    assert first.startswith(f"# {number} · Solutions")
    assert f"](../{notebook}" in first and f"](../{notebook})" in last
    code = [c for c in cells if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), (
        "run it top to bottom in a fresh kernel"
    )
    assert path.stat().st_size < 2_000_000


def test_notation_page_and_bibliography():
    notation = (DOCS / "notation.md").read_text(encoding="utf-8")
    for symbol in [
        "$U",
        "u_c",
        "z_c",
        "s_c",
        "W_1",
        "b_1",
        "W_2",
        "b_2",
        "$r$",
        "$h",
        "conv2_x",
        "conv5_x",
        "layer1",
        "MACs",
        "eta^2",
        "Saturation",
        "**clear**",
        "**unclear**",
        "Holm",
    ]:
        assert symbol in notation, symbol
    refs = (DOCS / "references.md").read_text(encoding="utf-8")
    for key in MENTIONS:
        assert f'<a id="{key}"></a>' in refs, key
    for block in refs.split('<a id="')[1:]:
        assert re.search(r"\]\(https?://", block), f"entry {block.split(chr(34))[0]} has no link"
    assert "SE 注意力模块 原理分析与代码实现" in refs
