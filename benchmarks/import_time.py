"""How long ``import se_tutorial`` takes next to ``import torch, torchvision`` (budget: at most 0.3 s more).

Each import runs in fresh interpreters, alternately, several times; the figures are the
medians of the wall times (interpreter start included, the same for both). The last line,
less sensitive to a loaded machine, times ``import se_tutorial`` alone in interpreters that
have imported torch and torchvision already.

    python benchmarks/import_time.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

STATEMENTS = {"torch, torchvision": "import torch, torchvision", "se_tutorial": "import se_tutorial"}


def wall_time(statement: str) -> float:
    """Seconds for a fresh ``python -c statement``."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True)
    return time.perf_counter() - start


def extra_time() -> float:
    """Seconds for ``import se_tutorial`` in a fresh interpreter that has imported torch and torchvision."""
    code = (
        "import time, torch, torchvision; t = time.perf_counter(); import se_tutorial; print(time.perf_counter() - t)"
    )
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh interpreters per statement")
    args = ap.parse_args()
    wall_time(STATEMENTS["se_tutorial"])  # warm the file cache once
    times = {label: [] for label in STATEMENTS}
    for _ in range(args.repeats):
        for label, statement in STATEMENTS.items():
            times[label].append(wall_time(statement))
    extra = statistics.median(extra_time() for _ in range(args.repeats))
    medians = {label: statistics.median(t) for label, t in times.items()}
    print(f"median wall time of {args.repeats} fresh interpreters each ({sys.executable})")
    for label, median in medians.items():
        spread = f"{min(times[label]):.2f}-{max(times[label]):.2f}"
        print(f"  import {label:<20} {median:6.2f} s   (range {spread} s)")
    print(f"  difference                  {medians['se_tutorial'] - medians['torch, torchvision']:+6.2f} s")
    print(f"  import se_tutorial after torch, torchvision, in one interpreter: {extra:.3f} s")


if __name__ == "__main__":
    main()
