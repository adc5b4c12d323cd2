"""A small, deterministic training loop for the course's networks, with progress bars.

Same seed, same machine, same thread count → the same weights, bit for bit.

Command line (writes a checkpoint, its metrics, and optionally a manifest entry, each atomically;
replacing a checkpoint that the manifest beside it lists needs ``--force``):

    python -m se_tutorial.train --se standard --seed 0 --epochs 15 --out data/checkpoints/se.pt
"""

from __future__ import annotations

import argparse
import json
import platform
import shlex
import sys
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from ._modes import evaluating
from .data import dataset_tensors as _dataset_tensors
from .env import cpu_name as _cpu_name
from .env import load_average as _load_average


def augment(x: torch.Tensor, generator: torch.Generator, pad: int = 2) -> torch.Tensor:
    """Random shifts (pad by ``pad`` and crop back) and random horizontal flips.

    Shapes: (N, C, H, W) → (N, C, H, W).
    """
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None].expand(n, x.shape[1], h, w + 2 * pad)
    out = padded.gather(2, rows)
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :].expand(n, x.shape[1], h, w)
    out = out.gather(3, cols)
    flip = torch.rand(n, generator=generator) < 0.5
    return torch.where(flip[:, None, None, None], out.flip(3), out)


@torch.no_grad()
def loss_and_accuracy(model: nn.Module, dataset, batch_size: int = 1000) -> dict:
    """``{"loss": mean cross-entropy, "accuracy": percent correct}`` of ``model`` on a dataset.

    The dataset is any form :func:`se_tutorial.data.dataset_tensors` accepts (images
    (N, C, H, W) in [0, 1], labels (N,)). The model runs in eval mode; its modes are restored.
    """
    x, y = _dataset_tensors(dataset)
    loss, correct = 0.0, 0
    with evaluating(model):
        for i in range(0, len(x), batch_size):
            logits = model(x[i : i + batch_size])
            loss += F.cross_entropy(logits, y[i : i + batch_size], reduction="sum").item()
            correct += (logits.argmax(1) == y[i : i + batch_size]).sum().item()
    return {"loss": loss / len(x), "accuracy": 100.0 * correct / len(x)}


def evaluate(model: nn.Module, dataset, batch_size: int = 1000) -> dict:
    """Deprecated name of :func:`loss_and_accuracy`."""
    warnings.warn(
        "train.evaluate is deprecated; use train.loss_and_accuracy, which returns the same dict.",
        DeprecationWarning,
        stacklevel=2,
    )
    return loss_and_accuracy(model, dataset, batch_size)


def __getattr__(name: str):
    if name == "dataset_tensors":  # its old home; it lives in se_tutorial.data
        warnings.warn(
            "se_tutorial.train.dataset_tensors is deprecated; use se_tutorial.data.dataset_tensors.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _dataset_tensors
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def fit(
    model: nn.Module,
    train_set,
    test_set=None,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 0.1,
    weight_decay: float = 5e-4,
    label_smoothing: float = 0.0,
    augment_data: bool = True,
    seed: int = 0,
    progress: bool = True,
    channels_last: bool = True,
) -> list[dict]:
    """Train ``model`` with SGD (Nesterov momentum) and a one-cycle learning rate.

    The one-cycle schedule (``torch.optim.lr_scheduler.OneCycleLR``) warms the learning rate up
    for a quarter of the steps and anneals it to nearly 0; it also cycles the momentum from 0.95
    down to 0.85 and back (the optimiser's ``momentum=0.9`` is only its starting setting).
    Weight decay applies to weights, not to biases and batch-norm parameters. Notebook 05
    (section 3.1) writes this loop out and checks that it gives the same weights.

    Args:
        model: a classifier, images (N, C, H, W) in [0, 1] → logits (N, K).
        train_set, test_set: datasets (see :func:`se_tutorial.data.dataset_tensors`); ``test_set`` may be None.
        epochs: passes over the training set.
        batch_size, lr, weight_decay, label_smoothing: the usual; ``lr`` is the peak.
        augment_data: random 2-pixel shifts and horizontal flips.
        seed: seeds the shuffling and the augmentation; seed the model's
            initialisation yourself (``torch.manual_seed``) before building it.
        progress: show tqdm progress bars (they render in notebooks and terminals).
        channels_last: train in the channels-last memory format (each pixel's channels side by
            side in memory), which convolutions on CPUs run faster (about 1.2× for these networks on a 2-core Xeon,
            ``benchmarks/train_throughput.py``); the same
            arithmetic, only the order of additions differs. The model is returned in the usual
            (contiguous) format either way.

    Returns:
        The history, one dict per epoch: ``epoch``, ``train_loss``, ``train_accuracy``,
        ``test_loss``, ``test_accuracy`` (percent; None without a test set), ``seconds``.
    """
    from tqdm.auto import tqdm

    if epochs < 1:
        raise ValueError(f"epochs must be at least 1; got {epochs}.")
    x, y = _dataset_tensors(train_set)
    if len(x) == 0:
        raise ValueError("the training set is empty.")
    generator = torch.Generator().manual_seed(seed)
    steps_per_epoch = (len(x) + batch_size - 1) // batch_size
    decay, no_decay = [], []
    for p in model.parameters():
        (no_decay if p.dim() <= 1 else decay).append(p)
    optimizer = torch.optim.SGD(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr,
        momentum=0.9,
        nesterov=True,
    )
    total_steps = epochs * steps_per_epoch
    if total_steps >= 4:  # warm up for a quarter of the steps (at least 2), then anneal
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=lr, total_steps=total_steps, pct_start=max(0.25, 2 / total_steps)
        )
    else:  # too few steps for a schedule: a constant learning rate
        schedule = torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0)
    history = []
    memory_format = torch.channels_last if channels_last else torch.contiguous_format
    model.to(memory_format=memory_format)
    model.train()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        order = torch.randperm(len(x), generator=generator)
        total_loss, correct = 0.0, 0
        bar = tqdm(range(steps_per_epoch), desc=f"epoch {epoch}/{epochs}", disable=not progress, leave=True)
        for step in bar:
            idx = order[step * batch_size : (step + 1) * batch_size]
            xb, yb = x[idx], y[idx]
            if augment_data:
                xb = augment(xb, generator)
            xb = xb.contiguous(memory_format=memory_format)
            logits = model(xb)
            loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total_loss += loss.item() * len(idx)
            correct += (logits.argmax(1) == yb).sum().item()
            if step % 20 == 0:
                bar.set_postfix(loss=f"{loss.item():.3f}")
        row = {
            "epoch": epoch,
            "train_loss": total_loss / len(x),
            "train_accuracy": 100.0 * correct / len(x),
            "test_loss": None,
            "test_accuracy": None,
        }
        if test_set is not None:
            metrics = loss_and_accuracy(model, test_set)
            row.update(test_loss=metrics["loss"], test_accuracy=metrics["accuracy"])
            bar.set_postfix(test_accuracy=f"{metrics['accuracy']:.2f}%")
        row["seconds"] = time.perf_counter() - start
        bar.close()
        history.append(row)
    model.to(memory_format=torch.contiguous_format)
    model.eval()
    return history


def _machine() -> str:
    import os

    return f"{_cpu_name()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, {platform.system()}"


def main(argv=None) -> int:
    """``python -m se_tutorial.train``: train a small ResNet on Fashion-MNIST and save it."""
    from . import __version__
    from .checkpoints import CheckpointError, atomic_path, read_manifest, save_checkpoint
    from .data import fashion_mnist
    from .models import SE_VARIANTS, small_resnet

    ap = argparse.ArgumentParser(prog="python -m se_tutorial.train", description=main.__doc__)
    ap.add_argument("--model", default="small_resnet", choices=["small_resnet"])
    ap.add_argument("--se", default="none", choices=["none"] + [v for v in SE_VARIANTS if v])
    ap.add_argument("--reduction", type=int, default=4)
    ap.add_argument("--widths", default="16,32,64", help="three stage widths, e.g. 16,32,64")
    ap.add_argument("--blocks", default="1,1,1", help="blocks per stage, e.g. 1,1,1")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument(
        "--label-smoothing",
        type=float,
        default=0.0,
        help="spread this much of each target's probability over all classes (0 = none)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subset", type=int, default=None, help="train on the first N training images only")
    ap.add_argument("--out", required=True, help="checkpoint path (.pt); metrics go beside it as .json")
    ap.add_argument("--name", default=None, help="also list the checkpoint under this name in the manifest beside it")
    ap.add_argument("--force", action="store_true", help="replace a checkpoint that the manifest beside --out lists")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)
    out = Path(args.out)
    manifest_path = out.parent / "manifest.json"
    try:
        entries = read_manifest(manifest_path) if manifest_path.exists() else {}
    except CheckpointError as e:
        ap.error(str(e))
    listed = [n for n, e in entries.items() if e["file"] == out.name or n == args.name]
    if listed and not args.force:
        what = ", ".join(f"{n!r} (file {entries[n]['file']})" for n in listed)
        ap.error(
            f"{manifest_path} lists {what}: this run would overwrite it. Add --force to replace it, "
            f"or choose another --out{' and --name' if args.name else ''}."
        )

    config = {
        "widths": tuple(int(w) for w in args.widths.split(",")),
        "blocks": tuple(int(b) for b in args.blocks.split(",")),
        "se": None if args.se == "none" else args.se,
        "reduction": args.reduction,
    }
    torch.manual_seed(args.seed)
    model = small_resnet(**config)
    train_set, test_set = fashion_mnist(train=True), fashion_mnist(train=False)
    if args.subset:
        train_set = torch.utils.data.Subset(train_set, range(args.subset))
    load_before = _load_average()
    start = time.perf_counter()
    # The test set is used once, at the end: its accuracy is not watched during training.
    history = fit(
        model,
        train_set,
        None,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        label_smoothing=args.label_smoothing,
        seed=args.seed,
        progress=not args.no_progress,
    )
    final = loss_and_accuracy(model, test_set)
    history[-1].update(test_loss=final["loss"], test_accuracy=final["accuracy"])
    seconds = time.perf_counter() - start
    digest = save_checkpoint(model, config, out)

    import torchvision

    record = {
        "name": args.name or out.stem,
        "file": out.name,
        "sha256": digest,
        "test_accuracy": round(history[-1]["test_accuracy"], 2),
        "params": sum(p.numel() for p in model.parameters()),
        "config": config,
        "command": "python -m se_tutorial.train " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
        "seed": args.seed,
        "epochs": args.epochs,
        "label_smoothing": args.label_smoothing,
        "training_seconds": round(seconds, 1),
        "machine": _machine(),
        "load_average": {"before": load_before, "after": _load_average()},
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "se_tutorial": __version__,
        },
    }
    with atomic_path(out.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps({**record, "history": history}, indent=2) + "\n")
    if args.name:
        entries = read_manifest(manifest_path) if manifest_path.exists() else {}
        entries[args.name] = record
        with atomic_path(manifest_path) as tmp:
            tmp.write_text(json.dumps(entries, indent=2) + "\n")
    print(
        f"saved {out} (sha256 {digest[:12]}…): test accuracy {record['test_accuracy']:.2f}% "
        f"after {args.epochs} epochs, {seconds:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
