"""``import se_tutorial`` stays cheap: heavy optional libraries load where they are used.

Checked in fresh interpreters through sys.modules, a deterministic stand-in for the time
budget (benchmarks/import_time.py measures the time itself).
"""

import subprocess
import sys

import se_tutorial as se

HEAVY = ("matplotlib", "timm", "skimage", "scipy", "ipywidgets")


def _fresh(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_import_loads_no_heavy_library():
    loaded = _fresh(f"import sys, se_tutorial; print(*[m for m in {HEAVY!r} if m in sys.modules])")
    assert loaded == ""


def test_lazy_names_load_on_use_and_capture_knows_timm_once_imported():
    out = _fresh(
        "import sys, se_tutorial as se\n"
        "assert se.data.photo and se.figures.new_figure and se.explore and se.Explorer and se.pretrained\n"
        "assert se.imagenet_model and issubclass(se.WeightsUnavailableError, Exception)\n"
        "assert callable(se.capture) and 'matplotlib' in sys.modules\n"
        "import timm.layers, torch\n"
        "print(list(se.se_modules(torch.nn.Sequential(timm.layers.SEModule(8)))))\n"
    )
    assert out == "['0']"


def test_public_names_are_listed_and_reachable():
    assert set(se.__all__) <= set(dir(se))
    for name in se.__all__:
        assert getattr(se, name) is not None
    assert callable(se.capture) and callable(se.squeeze) and callable(se.scale)  # functions, not the modules
    assert se.cost.params and se.checkpoints.pretrained is se.pretrained
