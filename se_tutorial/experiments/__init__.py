"""Does SE help? The paper's ablations (Tables 10–14), and the modules that followed SE, at a scale a laptop can afford.

Every experiment trains the course's small ResNet (widths 16-32-64, one basic block
per stage) on a fixed part of Fashion-MNIST (the first 15,000 training images, 3 epochs),
once per seed, and measures its accuracy on the 10,000 test images. Named configurations change one thing at a time against the SE baseline
(``"se"``: SE in every block, standard position, r = 4, average squeeze, sigmoid gate).
Notebook 05 uses the suite ``"05"`` (the ablations); notebook 07 the suite ``"07"``: the
plain network, SE, and the modules of :mod:`se_tutorial.attention` each in SE's place. The suite
``"cue"`` trains plain and SE on the two-garment cue task of :mod:`se_tutorial.cue_task`
(``Config.task``), where which features matter depends on a cue elsewhere in the image.

Command line (results go to ``data/results/<name>.json``, one file per configuration; each
command also appends what it ran and its wall time to ``data/results/runs.json``):

    python -m se_tutorial.experiments --budget short --out data/results/     # all of them (~65 min on 2 quiet cores)
    python -m se_tutorial.experiments --budget tiny --out data/results/     # seconds: checks that the code runs
    python -m se_tutorial.experiments --only plain,se --budget short --out data/results/
    python -m se_tutorial.experiments --suite 07 --resume --costs --budget short --out data/results/
    python -m se_tutorial.experiments --resume ...   # keep stored seeds, run only missing ones
    python -m se_tutorial.experiments --list

Paired seeds: for a given seed, every configuration starts from the same convolution
weights (SE modules are added after the plain network is built) and sees the same
images in the same order with the same augmentation. Differences between two
configurations at one seed are therefore due to the configuration, plus the chaos of
training; the spread over seeds measures the latter.

Reproducible: each run uses ``budget.threads`` torch threads (1 by default) and fixed
seeds, so the same machine gives the same accuracy, bit for bit. Several runs go in
parallel processes (``--jobs``), which does not change any result.

The package has one room per job:

- :mod:`~se_tutorial.experiments.configs`: configurations, suites, budgets, :func:`build`;
- :mod:`~se_tutorial.experiments.running`: :func:`run_one` and :func:`run` (parallel, resumable);
- :mod:`~se_tutorial.experiments.results`: the results files, :func:`load_results`, tolerances;
- :mod:`~se_tutorial.experiments.comparisons`: paired differences and Holm families on stored results;
- :mod:`~se_tutorial.experiments.costs`: parameters, MACs and latency;
- :mod:`~se_tutorial.experiments.cli`: ``python -m se_tutorial.experiments``.
"""
from .configs import (ABLATIONS, BUDGETS, CONFIGS, CUE_SEEDS, SECONDARY_COMPARISONS, SUITES, TASKS, Budget, Config,
                      build)
from .running import _CUE_DATA, _DATA, _data, cue_examples, run, run_one, task_data
from .results import (TOLERANCE, Tolerance, agrees, load_results, log_invocation, machine, result_path, stored_runs,
                      summarize, write_result)
from .comparisons import compare, differences
from .costs import COSTS_FILE, load_costs, measure_costs
from .cli import main

__all__ = ["ABLATIONS", "BUDGETS", "CONFIGS", "CUE_SEEDS", "SECONDARY_COMPARISONS", "SUITES", "TASKS", "Budget",
           "Config", "build", "cue_examples", "run", "run_one", "task_data", "TOLERANCE", "Tolerance", "agrees", "load_results",
           "log_invocation", "machine", "result_path", "stored_runs", "summarize", "write_result", "compare",
           "differences", "COSTS_FILE", "load_costs", "measure_costs", "main"]
