"""Environment check: are the libraries the course needs installed, in versions it supports?"""
from __future__ import annotations

import platform
import sys
from importlib import metadata

from packaging.requirements import Requirement


def requirements() -> list[Requirement]:
    """The package's declared run-time requirements (from its installed metadata)."""
    reqs = [Requirement(r) for r in metadata.requires("se-tutorial") or []]
    return [r for r in reqs if r.marker is None]


def check_environment() -> list[tuple[str, str, str, bool]]:
    """Check every declared requirement against what is installed.

    Returns:
        One row per requirement: (name, wanted range, installed version or
        "missing", ok). Also checks that Python is 3.10 or newer.
    """
    rows = [("python", ">=3.10", platform.python_version(), sys.version_info >= (3, 10))]
    for req in requirements():
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            rows.append((req.name, str(req.specifier), "missing", False))
            continue
        rows.append((req.name, str(req.specifier), version, req.specifier.contains(version, prereleases=True)))
    return rows
