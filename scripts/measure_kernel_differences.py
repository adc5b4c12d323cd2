"""How far the tiny budget's results move between CPU kernels: the measurements behind
``se_tutorial.experiments.TOLERANCE``.

Each run trains plain and SE at the tiny budget for seeds 0 … N-1 under this process's CPU kernels
(ATen's capability and oneDNN's instruction set, chosen by environment variables before torch starts)
and stores each seed's results in data/results/kernels.json (at once: interrupted, run it again to go on)
under a label that names the CPU and the kernels.
``--report`` compares every pair of labels seed by seed (and the stored tiny-budget results, seeds 0-2)
and prints the spread of the differences, next to the tolerances.

    python scripts/measure_kernel_differences.py --seeds 30                      # this machine's own kernels
    ATEN_CPU_CAPABILITY=default DNNL_MAX_CPU_ISA=SSE41 python scripts/measure_kernel_differences.py --seeds 30
    python scripts/measure_kernel_differences.py --report

About 3 s per run on one core with this machine's own kernels, several times longer with SSE4.1's.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

import torch

import se_tutorial.experiments as E
from se_tutorial.env import cpu_name

ROOT = Path(__file__).resolve().parent.parent
KERNELS = ROOT / "data" / "results" / "kernels.json"
NAMES = ("plain", "se")


def label() -> str:
    """The CPU and the kernels this process computes with, e.g. 'AMD EPYC | aten default | onednn SSE41'."""
    isa = os.environ.get("DNNL_MAX_CPU_ISA", "native")
    return f"{cpu_name()} | aten {torch.backends.cpu.get_cpu_capability().lower()} | onednn {isa}"


def measure(seeds: range) -> None:
    """Train plain and SE at the tiny budget for ``seeds`` under this process's kernels; each seed's
    results are stored as soon as they exist (run it again to go on: seeds already stored are skipped)."""
    budget = E.BUDGETS["tiny"]
    here = label()
    for seed in seeds:
        data = _load()
        if data and data["budget"] != json.loads(json.dumps(asdict(budget))):
            sys.exit(f"{KERNELS} was measured at another tiny budget; remove it to measure again")
        if all(str(seed) in data.get("runs", {}).get(here, {}).get(name, {}) for name in NAMES):
            continue
        results = {}
        for name in NAMES:
            r = E.run_one(name, seed, budget)
            results[name] = {"test_accuracy": r["test_accuracy"], "train_loss": r["train_loss"]}
            print(f"{name} seed {seed}: {r['test_accuracy']:.2f}%, training loss {r['train_loss']:.4f}", flush=True)
        data = _load()  # another process may have written meanwhile
        data.update(budget=asdict(budget), torch=torch.__version__)
        for name in NAMES:
            data.setdefault("runs", {}).setdefault(here, {}).setdefault(name, {})[str(seed)] = results[name]
        KERNELS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"stored under {here!r} in {KERNELS}")


def _load() -> dict:
    return json.loads(KERNELS.read_text()) if KERNELS.is_file() else {}


def differences(measured: dict, stored: dict | None = None) -> list[dict]:
    """Every seed measured under two labels: ``{"pair", "name", "seed", "accuracy" (points),
    "loss" (relative)}``, one dict per pair of labels, name and seed. ``stored``: the tiny-budget
    results (:func:`se_tutorial.experiments.load_results`), compared as one more label."""
    runs = dict(measured["runs"])
    if stored is not None:
        runs["stored results"] = {
            name: {str(r["seed"]): r for r in stored[name]["runs"]} for name in NAMES if name in stored
        }
    out = []
    for a, b in itertools.combinations(sorted(runs), 2):
        for name in NAMES:
            for seed in sorted(set(runs[a].get(name, {})) & set(runs[b].get(name, {})), key=int):
                x, y = runs[a][name][seed], runs[b][name][seed]
                out.append(
                    {
                        "pair": (a, b),
                        "name": name,
                        "seed": int(seed),
                        "accuracy": x["test_accuracy"] - y["test_accuracy"],
                        "loss": x["train_loss"] / y["train_loss"] - 1,
                    }
                )
    return out


def mean_differences(diffs: list[dict], group: int = 3) -> list[float]:
    """Differences of the mean accuracy over consecutive groups of ``group`` seeds (0-2, 3-5, ...),
    as the stored mean over the tiny budget's 3 seeds is compared."""
    out = []
    for _pair_and_name, items in itertools.groupby(diffs, key=lambda d: (d["pair"], d["name"])):
        by_seed = {d["seed"]: d["accuracy"] for d in items}
        for start in range(0, max(by_seed) + 1, group):
            chunk = [by_seed.get(s) for s in range(start, start + group)]
            if None not in chunk:
                out.append(statistics.fmean(chunk))
    return out


def report() -> None:
    measured = json.loads(KERNELS.read_text())
    diffs = differences(measured, E.load_results(ROOT / "data" / "results", "tiny"))
    t = E.TOLERANCE
    print(f"tiny budget, torch {measured['torch']}; tolerances: {t}")
    for pair in sorted({d["pair"] for d in diffs}):
        ds = [d for d in diffs if d["pair"] == pair]
        acc, loss = [d["accuracy"] for d in ds], [d["loss"] for d in ds]
        print(f"\n{pair[0]}\n  vs {pair[1]}: {len(ds)} seed-by-seed comparisons")
        sd = statistics.stdev(acc) if len(acc) > 1 else float("nan")
        print(f"  accuracy: sd {sd:.2f} points, largest {max(map(abs, acc)):.2f} (tolerance {t.seed_points})")
        print(f"  training loss: largest {100 * max(map(abs, loss)):.2f} % (tolerance {100 * t.loss_relative:.0f} %)")
        means = mean_differences(ds)
        if means:
            print(f"  mean over 3 seeds: largest {max(map(abs, means)):.2f} points (tolerance {t.mean_points})")
    acc = [d["accuracy"] for d in diffs]
    largest = max(map(abs, acc))
    print(f"\nall pairs: {len(acc)} comparisons, accuracy sd {statistics.stdev(acc):.2f}, largest {largest:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=30, help="measure seeds 0 … N-1 (default 30)")
    parser.add_argument("--first", type=int, default=0, help="start at this seed (default 0)")
    parser.add_argument("--report", action="store_true", help="compare the stored measurements")
    args = parser.parse_args(argv)
    if args.report:
        report()
    else:
        measure(range(args.first, args.seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
