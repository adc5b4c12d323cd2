"""The course's shipped checkpoints: small SE-ResNets trained on Fashion-MNIST.

Each checkpoint lies in the repository's ``data/checkpoints/`` (``$SE_TUTORIAL_DATA`` does
not move it) and is listed in its ``manifest.json`` with its sha256, test accuracy and the
exact command that made it. Loading checks the sha256 first and then reads the file with
``torch.load(..., weights_only=True)``. Files are written atomically: to a temporary file
beside the target, then renamed over it.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import torch

from .data import shipped_root
from .models import small_resnet


class CheckpointError(RuntimeError):
    """A checkpoint is missing, altered or unreadable; the message says how to re-create it."""


#: What every manifest entry must have.
MANIFEST_KEYS = ("file", "sha256", "command")
_RESTORE_MANIFEST = (
    "Restore it with `git checkout data/checkpoints/manifest.json`, or re-create the "
    "checkpoints with `make checkpoints`."
)


def checkpoint_dir(root=None) -> Path:
    """``root/checkpoints``; by default the shipped ones, ``se_tutorial.data.shipped_root()/checkpoints``,
    whatever ``$SE_TUTORIAL_DATA`` says."""
    return (shipped_root() if root is None else Path(root)) / "checkpoints"


@contextmanager
def atomic_path(path):
    """A temporary path beside ``path``, to write to; when the block ends without an error it
    replaces ``path`` (``os.replace``), otherwise it is removed and ``path`` stays as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sha256(path) -> str:
    """The sha256 of a file, as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path) -> dict:
    """Read and check a ``manifest.json``: name → entry, each entry with :data:`MANIFEST_KEYS`.

    Raises:
        CheckpointError: the file is missing, is not JSON, or an entry lacks a key; the message
            says how to restore it.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint manifest at {path}; run `make checkpoints` to train and list them.")
    try:
        entries = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"the checkpoint manifest {path} is not valid JSON ({e}). {_RESTORE_MANIFEST}") from e
    if not isinstance(entries, dict):
        raise CheckpointError(
            f"the checkpoint manifest {path} holds a {type(entries).__name__}, not an object "
            f"name → entry. {_RESTORE_MANIFEST}"
        )
    for name, entry in entries.items():
        lacks = [k for k in MANIFEST_KEYS if not isinstance(entry, dict) or k not in entry]
        if lacks:
            raise CheckpointError(
                f"the checkpoint manifest {path} is damaged: entry {name!r} lacks "
                f"{', '.join(lacks)}. {_RESTORE_MANIFEST}"
            )
    return entries


def manifest(root=None) -> dict:
    """The checkpoints' manifest (``checkpoint_dir(root)/manifest.json``): name → entry
    (file, sha256, test_accuracy, params, command, ...). See :func:`read_manifest`."""
    return read_manifest(checkpoint_dir(root) / "manifest.json")


def save_checkpoint(model, config: dict, path) -> str:
    """Save ``{"config": config, "state_dict": ...}`` to ``path`` (atomically); return its sha256.

    ``config`` holds the keyword arguments of :func:`~se_tutorial.models.small_resnet`.
    """
    state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    with atomic_path(path) as tmp:
        torch.save({"config": dict(config), "state_dict": state}, tmp)
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
                f"damaged or was changed.{fix}"
            )
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        model = small_resnet(**blob["config"])
        model.load_state_dict(blob["state_dict"])
    except Exception as e:  # unpickling errors, missing keys, wrong shapes
        raise CheckpointError(f"checkpoint {path} could not be loaded ({type(e).__name__}: {e}).{fix}") from e
    return model.eval()


def pretrained(name: str, root=None):
    """A shipped, trained model by name (see ``manifest()``), in eval mode.

    ``root`` defaults to the shipped checkpoints (see :func:`checkpoint_dir`).

    The model takes (N, 1, 28, 28) float images in [0, 1] (it normalises them itself)
    and returns logits (N, 10) over ``se_tutorial.data.FASHION_MNIST_CLASSES``.

    Raises:
        ValueError: unknown name.
        CheckpointError: the file is missing or its sha256 differs from the manifest, or the
            manifest is damaged.
    """
    entries = manifest(root)
    if name not in entries:
        raise ValueError(f"unknown checkpoint {name!r}; expected one of {', '.join(entries)}.")
    entry = entries[name]
    return load_checkpoint(
        checkpoint_dir(root) / entry["file"],
        entry["sha256"],
        how_to_fix="Restore it with `git checkout data/checkpoints`, or re-create it with "
        f"`make checkpoints` (command: {entry['command']}).",
    )
