"""The environment: are the libraries the course needs installed, in versions it supports?
And on what machine do results come out (:func:`cpu_name`, :func:`load_average`, stored with them)?"""

from __future__ import annotations

import os
import platform
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
        "missing", ok). The first row checks Python against the package's ``Requires-Python``.
    """
    from packaging.specifiers import SpecifierSet

    python = SpecifierSet(metadata.metadata("se-tutorial")["Requires-Python"] or "")
    rows = [("python", str(python), platform.python_version(), python.contains(platform.python_version()))]
    for req in requirements():
        try:
            version = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            rows.append((req.name, str(req.specifier), "missing", False))
            continue
        rows.append((req.name, str(req.specifier), version, req.specifier.contains(version, prereleases=True)))
    return rows


def cpu_name() -> str:
    """The processor's model name (from /proc/cpuinfo where there is one)."""
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def load_average() -> list[float] | None:
    """The 1-, 5- and 15-minute load averages: how busy the machine was (None where the system does not say)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None
