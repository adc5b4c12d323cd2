"""Costs: parameters, multiply-accumulates and CPU latency of each configuration's network."""

from __future__ import annotations

import json
import statistics
from datetime import UTC, datetime
from pathlib import Path

import torch

from .._validate import check_positive_int
from ..env import load_average
from .configs import CONFIGS, TASKS, Config, _config, build
from .results import machine

# --------------------------------------------------------------------------- cost: parameters, MACs, latency

COSTS_FILE = "costs.json"


def measure_costs(
    names, out, *, batch_sizes=(1, 128), rounds: int = 5, repeats: int = 20, threads: int = 1, log=print
) -> dict:
    """Parameters, MACs and CPU latency of each configuration's network; written to ``out/costs.json``.

    Every network is built with seed 0 and measured in eval mode with ``threads`` torch
    threads on inputs (B, C, 28, 28) for each B in ``batch_sizes`` (C: 1, or 2 for the cue task).
    Latency: the networks take turns, ``rounds`` times, each turn timing ``repeats`` forward passes
    (:func:`se_tutorial.cost.latency`); the stored figure is the median of the turns'
    medians, so a burst of load from other programs hits every network alike. The
    load average before and after is stored with them: timings made on a busy machine
    say so. The file is rewritten whole: latencies compare only within one measurement.

    Returns:
        ``{"configs": {name: {"params", "attention_params", "macs" (batch 1), "latency_ms":
        {B: median ms}, "latency_iqr_ms": {B: interquartile range of the turns' medians}}}, "threads",
        "rounds", "repeats", "load_before", "load_after", "machine", "versions", "date"}``.
    """
    from ..cost import latency, macs, params

    names = list(names)
    for n in names:
        _config(n)
    check_positive_int("rounds", rounds)
    check_positive_int("repeats", repeats)
    old_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    load_before = load_average()
    try:
        models = {n: build(CONFIGS[n], 0).eval() for n in names}
        plain_params = {t: params(build(Config(se=None, task=t), 0)) for t in {CONFIGS[n].task for n in names}}
        channels = {n: TASKS[CONFIGS[n].task] for n in names}
        inputs = {
            (b, c): torch.rand(b, c, 28, 28, generator=torch.Generator().manual_seed(b))
            for b in batch_sizes
            for c in set(channels.values())
        }
        turns = {n: {b: [] for b in batch_sizes} for n in names}
        for _ in range(rounds):
            for b in batch_sizes:
                for n, m in models.items():
                    turns[n][b].append(latency(m, inputs[b, channels[n]], repeats=repeats, warmup=2).median * 1e3)
    finally:
        torch.set_num_threads(old_threads)
    configs = {}
    for n, m in models.items():
        quart = {b: statistics.quantiles(t, n=4, method="inclusive") for b, t in turns[n].items()}
        configs[n] = {
            "params": params(m),
            "attention_params": params(m) - plain_params[CONFIGS[n].task],
            "macs": macs(m, (1, channels[n], 28, 28)),
            "latency_ms": {str(b): round(statistics.median(t), 4) for b, t in turns[n].items()},
            "latency_iqr_ms": {str(b): round(q[2] - q[0], 4) for b, q in quart.items()},
        }
        log(
            f"{n:<8} params {configs[n]['params']:>7,}  MACs {configs[n]['macs']:>11,}  "
            + "  ".join(f"B={b}: {configs[n]['latency_ms'][str(b)]:.3f} ms" for b in batch_sizes)
        )
    info = machine()
    record = {
        "configs": configs,
        "batch_sizes": list(batch_sizes),
        "threads": threads,
        "rounds": rounds,
        "repeats": repeats,
        "load_before": load_before,
        "load_after": load_average(),
        "machine": {k: v for k, v in info.items() if k != "versions"},
        "versions": info["versions"],
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    path = Path(out) / COSTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
    return record


def load_costs(out="data/results") -> dict:
    """The record :func:`measure_costs` wrote to ``out/costs.json``."""
    path = Path(out) / COSTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist; run `python -m se_tutorial.experiments --suite 07 --costs`.")
    return json.loads(path.read_text())
