"""``python -m se_tutorial.experiments``: the command line."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from .configs import BUDGETS, CONFIGS, SUITES, _config
from .costs import measure_costs
from .running import run


def main(argv=None) -> int:
    """``python -m se_tutorial.experiments``: train the named configurations × seeds and save the results."""
    ap = argparse.ArgumentParser(prog="python -m se_tutorial.experiments", description=main.__doc__)
    ap.add_argument("--budget", default="short", choices=list(BUDGETS))
    ap.add_argument("--only", default=None, help="comma-separated configuration names (default: all)")
    ap.add_argument(
        "--suite",
        default=None,
        choices=list(SUITES),
        help="a group of configurations: primary, cue, secondary (docs/experiments.md), 05 or 07 (short budget)",
    )
    ap.add_argument(
        "--costs",
        action="store_true",
        help="after training, measure parameters, MACs and CPU latency of these configurations "
        "into <out>/costs.json (one process, one thread; run it on a quiet machine)",
    )
    ap.add_argument("--no-train", action="store_true", help="skip training (with --costs: only measure costs)")
    ap.add_argument("--out", default="data/results", help="folder for <name>.json (default data/results)")
    ap.add_argument("--jobs", type=int, default=None, help="parallel processes (default: cores / threads per run)")
    ap.add_argument(
        "--resume",
        action="store_true",
        help="keep runs already stored with the same settings; run only the missing seeds",
    )
    ap.add_argument("--no-progress", action="store_true", help="no progress bar (one line per finished run)")
    ap.add_argument("--list", action="store_true", help="list the configurations and budgets, then stop")
    args = ap.parse_args(argv)
    budget = BUDGETS[args.budget]
    if args.list:
        for name, cfg in CONFIGS.items():
            print(f"{name:<12} {cfg}")
        for b in BUDGETS.values():
            print(b)
        return 0
    if args.only is not None and args.suite is not None:
        ap.error("give --only or --suite, not both.")
    names = list(CONFIGS) if args.only is None else [n.strip() for n in args.only.split(",") if n.strip()]
    if args.suite is not None:
        names = list(SUITES[args.suite])
    try:
        for n in names:
            _config(n)
    except ValueError as e:
        ap.error(str(e))
    jobs = args.jobs or max(1, min((os.cpu_count() or 1) // budget.threads, len(names) * len(budget.seeds)))
    command = "python -m se_tutorial.experiments " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    if not args.no_train:
        run(names, budget, args.out, jobs=jobs, command=command, resume=args.resume, progress=not args.no_progress)
    if args.costs:
        measure_costs(names, args.out)
    return 0
