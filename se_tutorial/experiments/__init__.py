"""Does SE help? The experiments of ``docs/experiments.md``, at a scale a laptop can afford.

Every experiment trains the course's small ResNet (widths 16-32-64, one basic block per
stage) on Fashion-MNIST, once per seed, at a named budget (:data:`BUDGETS`: images, epochs,
seeds), and tests it once on the test images. Named configurations (:data:`CONFIGS`) change
one thing at a time against the SE baseline (``"se"``: SE in every block, standard position,
r = 4, average squeeze, sigmoid gate). Suites (:data:`SUITES`) group them:

- ``"primary"``: plain, SE and SE starting open, the declared primary comparison;
- ``"cue"``: plain and SE on the two-garment cue task of :mod:`se_tutorial.cue_task`;
- ``"secondary"``: the paper's ablations and notebook 07's modules, compared under Holm's
  correction (:data:`SECONDARY_COMPARISONS`);
- ``"05"`` and ``"07"``: the designs of the older short budget (the speed of early training).

Command line (results go to ``data/results/<name>.json``, one file per configuration with one
section per budget; each command also appends what it ran and its wall time to
``data/results/runs.json``):

    python -m se_tutorial.experiments --suite primary --budget primary --out data/results/
    python -m se_tutorial.experiments --suite 05 --budget tiny --out data/results/   # seconds: the code runs
    python -m se_tutorial.experiments --only plain,se --budget short --out data/results/
    python -m se_tutorial.experiments --suite 07 --resume --costs --budget short --out data/results/
    python -m se_tutorial.experiments --resume ...   # keep stored seeds, run only missing ones
    python -m se_tutorial.experiments --list

Paired seeds: for a given seed, every configuration starts from the same convolution
weights (SE modules are added after the plain network is built) and sees the same
images in the same order with the same augmentation. Differences between two
configurations at one seed are therefore due to the configuration, plus the chaos of
training; the standard deviation over seeds measures the latter.

Reproducible: each run uses ``budget.threads`` torch threads (1 by default) and fixed
seeds, so the same machine gives the same accuracy, bit for bit. Several runs go in
parallel processes (``--jobs``), which does not change any result.

The package has one room per job:

- :mod:`~se_tutorial.experiments.configs`: configurations, suites, budgets, :func:`build`;
- :mod:`~se_tutorial.experiments.running`: :func:`run_one` and :func:`run` (parallel, resumable);
- :mod:`~se_tutorial.experiments.results`: the results files, :func:`load_results`, tolerances;
- :mod:`~se_tutorial.experiments.comparisons`: paired differences and Holm families on stored results;
- :mod:`~se_tutorial.experiments.costs`: parameters, MACs and latency;
- :mod:`~se_tutorial.experiments.custom`: a block of your own in the same experiments (notebook 08);
- :mod:`~se_tutorial.experiments.cli`: ``python -m se_tutorial.experiments``.
"""

from .cli import main
from .comparisons import compare, differences
from .configs import ABLATIONS, BUDGETS, CONFIGS, CUE_SEEDS, SECONDARY_COMPARISONS, SUITES, TASKS, Budget, Config, build
from .costs import COSTS_FILE, load_costs, measure_costs
from .custom import build_custom, check_block, run_custom, run_design
from .results import (
    TOLERANCE,
    Tolerance,
    agrees,
    load_results,
    log_invocation,
    machine,
    result_path,
    stored_runs,
    summarize,
    write_result,
)
from .running import cue_examples, run, run_one, task_data

__all__ = [
    "ABLATIONS",
    "BUDGETS",
    "CONFIGS",
    "CUE_SEEDS",
    "SECONDARY_COMPARISONS",
    "SUITES",
    "TASKS",
    "Budget",
    "Config",
    "build",
    "cue_examples",
    "run",
    "run_one",
    "task_data",
    "TOLERANCE",
    "Tolerance",
    "agrees",
    "load_results",
    "log_invocation",
    "machine",
    "result_path",
    "stored_runs",
    "summarize",
    "write_result",
    "compare",
    "differences",
    "COSTS_FILE",
    "load_costs",
    "measure_costs",
    "main",
    "build_custom",
    "check_block",
    "run_custom",
    "run_design",
]
