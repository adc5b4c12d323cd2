"""Running: train one configuration at one budget and seed, or many in parallel processes."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import torch

from .._validate import check_choice, check_positive_int
from .configs import CUE_SEEDS, TASKS, Budget, _budget, _config, build
from .results import log_invocation, machine, stored_runs, summarize, write_result

_DATA: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}


def _data(train: bool, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``size`` images (N, 1, 28, 28) in [0, 1] and labels (N,) of a split (cached);
    a negative ``size`` gives the last ``-size`` images."""
    from ..data import dataset_tensors, fashion_mnist

    key = "train" if train else "test"
    if key not in _DATA:
        _DATA[key] = dataset_tensors(fashion_mnist(train=train))
    x, y = _DATA[key]
    if abs(size) > len(x):
        raise ValueError(f"the {key} set has {len(x)} images; a budget asked for {abs(size)}.")
    return (x[:size], y[:size]) if size >= 0 else (x[size:], y[size:])


_CUE_DATA: dict[tuple[bool, int], tuple[torch.Tensor, ...]] = {}  # (train, size) → x, y, cue, other garment's class


def task_data(task: str, train: bool, size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The images and labels of ``task`` for a split, as :func:`_data` selects them (cached).

    ``"fashion"``: :func:`_data`'s (N, 1, 28, 28) images. ``"cue"``: the same images made into the
    cue task (:func:`se_tutorial.cue_task.make_cue_task`, (N, 2, 28, 28)), pairing only images of the
    selection, with the fixed generator seed :data:`CUE_SEEDS` of the split: the task does not
    change with a run's seed.
    """
    check_choice("task", task, tuple(TASKS))
    if task == "fashion":
        return _data(train, size)
    if (train, size) not in _CUE_DATA:
        from ..cue_task import make_cue_task, pairing

        x, y = _data(train, size)
        seed = CUE_SEEDS["train" if train else "test"]
        partner, _ = pairing(y, seed=seed)  # the pairing make_cue_task draws: for the other garment's class
        x, target, cue = make_cue_task(x, y, seed=seed)
        other = torch.where(cue == 1, y, y[partner])
        y = target
        _CUE_DATA[(train, size)] = (x, y, cue, other)
    return _CUE_DATA[(train, size)][:2]


def cue_examples(train: bool, size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The cue task of a split as :func:`task_data` makes it, with what :func:`~se_tutorial.cue_task.cue_report` needs.

    Returns:
        ``x`` (N, 2, 28, 28), ``y`` (N,) the target garment's class, ``cue`` (N,) 0 (solid bar:
        garment A) or 1 (dashed: garment B), ``other`` (N,) the class of the garment not asked for.
    """
    task_data("cue", train, size)
    return _CUE_DATA[(train, size)]


def train_and_test(make_model, task: str, seed: int, budget: Budget, *, holdout: bool = False):
    """Build a network, train it at ``budget`` and test it once: the one recipe every run follows.

    Args:
        make_model: a function of no arguments that builds the network (seeded by the caller's
            builder, e.g. ``lambda: build(config, seed)``).
        task: ``"fashion"`` or ``"cue"`` (the data of :func:`task_data`).
        seed: seeds the training's shuffling and augmentation.
        budget: its images, epochs, batch size, learning rate and threads.
        holdout: also follow the budget's held-out images epoch by epoch (learning curves).

    Returns:
        ``(result, model, history)``: ``result`` as :func:`run_one` returns it (without
        ``"curves"``), the trained model, and ``fit``'s per-epoch history.
    """
    from ..train import fit, loss_and_accuracy

    threads = torch.get_num_threads()
    torch.set_num_threads(budget.threads)
    try:
        train = task_data(task, True, budget.train_size)
        test = task_data(task, False, budget.test_size)
        held = task_data(task, True, -budget.holdout) if holdout and budget.holdout else None
        start = time.perf_counter()
        model = make_model()
        history = fit(
            model,
            train,
            held,
            epochs=budget.epochs,
            batch_size=budget.batch_size,
            lr=budget.lr,
            seed=seed,
            progress=False,
        )
        metrics = loss_and_accuracy(model, test)
        seconds = time.perf_counter() - start
    finally:
        torch.set_num_threads(threads)
    result = {
        "seed": seed,
        "test_accuracy": round(metrics["accuracy"], 4),
        "test_loss": metrics["loss"],
        "train_loss": history[-1]["train_loss"],
        "seconds": round(seconds, 2),
    }
    return result, model, history


def run_one(name: str, seed: int, budget: Budget | str = "tiny") -> dict:
    """Train configuration ``name`` with one seed at ``budget`` and test it.

    Returns:
        ``{"seed", "test_accuracy" (percent), "test_loss", "train_loss" (last epoch),
        "seconds"}``, and with a ``budget.holdout`` its ``"curves"``: one dict per epoch
        (``epoch``, ``train_loss``, ``train_accuracy``, ``holdout_loss``, ``holdout_accuracy``,
        ``seconds``). The test set is used once, at the end. The torch thread count is set to
        ``budget.threads`` during the run and restored afterwards.
    """
    config = _config(name)
    budget = _budget(budget)
    if budget.holdout:
        task_data(config.task, True, budget.train_size)
        if budget.train_size + budget.holdout > len(_DATA["train"][0]):
            raise ValueError(
                f"budget {budget.name!r}: {budget.train_size} training and {budget.holdout} held-out "
                f"images overlap; the training set has {len(_DATA['train'][0])}."
            )
    result, model, history = train_and_test(
        lambda: build(config, seed), config.task, seed, budget, holdout=bool(budget.holdout)
    )
    if budget.holdout:
        result["curves"] = [
            {
                "epoch": h["epoch"],
                "train_loss": h["train_loss"],
                "train_accuracy": h["train_accuracy"],
                "holdout_loss": h["test_loss"],
                "holdout_accuracy": h["test_accuracy"],
                "seconds": round(h["seconds"], 2),
            }
            for h in history
        ]
    if config.task == "cue":  # how the network uses the cue (docs/experiments.md, section 3)
        from ..cue_task import cue_report

        x, y, cue, other = cue_examples(False, budget.test_size)
        result["cue"] = cue_report(model, x, y, cue, other, seed=seed)
    return result


# --------------------------------------------------------------------------- command line


def _task(args):
    name, seed, budget = args
    return name, run_one(name, seed, budget)


def run(
    names,
    budget: Budget | str,
    out,
    *,
    jobs: int = 1,
    command: str = "",
    resume: bool = False,
    log=None,
    progress: bool = True,
) -> dict[str, dict]:
    """Run configurations ``names`` × the budget's seeds and write one JSON file per configuration.

    ``jobs`` > 1 runs that many processes in parallel (each with ``budget.threads``
    threads). With ``resume``, seeds already stored with the same settings are kept and
    only the missing ones run (e.g. after adding seeds to a budget). ``progress`` shows a
    tqdm bar over the runs; ``log`` (default: printed above the bar) gets one line per finished
    run. Returns name → the written record.
    """
    from tqdm.auto import tqdm

    budget = _budget(budget)
    names = [n for n in names]
    for n in names:
        _config(n)
    check_positive_int("jobs", jobs)
    pending = {n: (stored_runs(out, n, budget) if resume else []) for n in names}
    tasks = [(n, s, budget) for n in names for s in budget.seeds if s not in {r["seed"] for r in pending[n]}]
    records = {}
    new_seconds = 0.0
    start = time.perf_counter()
    bar = tqdm(total=len(tasks), desc=f"{budget.name} runs", unit="run", disable=not progress or not tasks)
    log = log or bar.write

    def finish(name):
        records[name] = summarize(name, budget, pending[name], jobs=jobs, command=command)
        write_result(out, name, records[name])

    def done(name, result, k):
        nonlocal new_seconds
        new_seconds += result["seconds"]
        pending[name].append(result)
        bar.update(1)
        log(
            f"[{k}/{len(tasks)}] {name:<12} seed {result['seed']}: {result['test_accuracy']:.2f}% "
            f"({result['seconds']:.0f} s; {time.perf_counter() - start:.0f} s so far)"
        )
        finish(name)  # after every seed, so that an interrupted command resumes where it stopped

    for n in names:
        if len(pending[n]) == len(budget.seeds):
            log(f"{n}: all {len(budget.seeds)} seeds already stored")
            finish(n)
    if jobs == 1:
        for k, t in enumerate(tasks, 1):
            done(*_task(t), k)
    elif tasks:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as pool:
            futures = [pool.submit(_task, t) for t in tasks]
            for k, f in enumerate(as_completed(futures), 1):
                done(*f.result(), k)
    bar.close()
    wall = time.perf_counter() - start
    log(
        f"{len(tasks)} runs of {len(names)} configurations at budget {budget.name!r}: "
        f"{wall:.0f} s wall time with {jobs} parallel jobs"
    )
    log_invocation(
        out,
        {
            "command": command,
            "budget": budget.name,
            "configurations": names,
            "runs": len(tasks),
            "parallel_jobs": jobs,
            "wall_seconds": round(wall, 1),
            "run_seconds": round(new_seconds, 1),
            "finished": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": {k: v for k, v in machine().items() if k != "versions"},
        },
    )
    return records
