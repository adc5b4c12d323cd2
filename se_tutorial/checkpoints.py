"""The course's shipped checkpoints: small SE-ResNets trained on Fashion-MNIST.

Each checkpoint lies in ``data/checkpoints/`` and is listed in its ``manifest.json``
with its sha256, test accuracy and the exact command that made it. Loading checks
the sha256 first and then reads the file with ``torch.load(..., weights_only=True)``.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import torch

from .data import data_root
from .models import small_resnet


class CheckpointError(RuntimeError):
    """A checkpoint is missing, altered or unreadable; the message says how to re-create it."""


def checkpoint_dir(root=None) -> Path:
    """``data_root(root)/checkpoints``."""
    return data_root(root) / "checkpoints"


def sha256(path) -> str:
    """The sha256 of a file, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest(root=None) -> dict:
    """The checkpoints' manifest: name → entry (file, sha256, test_accuracy, params, command, ...)."""
    path = checkpoint_dir(root) / "manifest.json"
    if not path.is_file():
        raise CheckpointError(f"no checkpoint manifest at {path}; run `make checkpoints` to train and list them.")
    return json.loads(path.read_text())


def save_checkpoint(model, config: dict, path) -> str:
    """Save ``{"config": config, "state_dict": ...}`` to ``path``; return its sha256.

    ``config`` holds the keyword arguments of :func:`~se_tutorial.models.small_resnet`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    torch.save({"config": dict(config), "state_dict": state}, path)
    return sha256(path)


def load_checkpoint(path, expected_sha256: str | None = None, *, how_to_fix: str = ""):
    """Load a checkpoint written by :func:`save_checkpoint` into a model in eval mode.

    Args:
        path: the ``.pt`` file.
        expected_sha256: if given, the file must have this sha256.

    Raises:
        CheckpointError: the file is missing, its sha256 differs, or it is not a checkpoint.
    """
    path = Path(path)
    fix = f" {how_to_fix}" if how_to_fix else ""
    if not path.is_file():
        raise CheckpointError(f"checkpoint {path} is missing.{fix}")
    if expected_sha256 is not None:
        actual = sha256(path)
        if actual != expected_sha256:
            raise CheckpointError(
                f"checkpoint {path} has sha256 {actual}, but {expected_sha256} was expected: the file is "
                f"damaged or was changed.{fix}")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model = small_resnet(**blob["config"])
        model.load_state_dict(blob["state_dict"])
    except Exception as e:  # unpickling errors, missing keys, wrong shapes
        raise CheckpointError(f"checkpoint {path} could not be loaded ({type(e).__name__}: {e}).{fix}") from e
    return model.eval()


def pretrained(name: str, root=None):
    """A shipped, trained model by name (see ``manifest()``), in eval mode.

    The model takes (N, 1, 28, 28) float images in [0, 1] (it normalises them itself)
    and returns logits (N, 10) over ``se_tutorial.data.FASHION_MNIST_CLASSES``.

    Raises:
        ValueError: unknown name.
        CheckpointError: the file is missing or its sha256 differs from the manifest.
    """
    entries = manifest(root)
    if name not in entries:
        raise ValueError(f"unknown checkpoint {name!r}; expected one of {', '.join(entries)}.")
    entry = entries[name]
    return load_checkpoint(checkpoint_dir(root) / entry["file"], entry["sha256"],
                           how_to_fix="Restore it with `git checkout data/checkpoints`, or re-create it with "
                                      f"`make checkpoints` (command: {entry['command']}).")
