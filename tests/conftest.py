import glob
import re
import socket
from functools import cache
from urllib.parse import urlsplit

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


# Awkward shapes: batch 1, 1×1 maps, non-square maps, C not divisible by r, C < r.
AWKWARD = [
    # (N, C, H, W, r)
    (1, 16, 1, 1, 16),
    (1, 24, 5, 3, 16),
    (3, 10, 1, 7, 4),
    (2, 7, 4, 4, 16),
    (4, 64, 9, 2, 8),
]


def pytest_configure(config):
    config.addinivalue_line("markers", "registry: needs a package registry (Debian's archive); skipped offline")
    config.addinivalue_line("markers", "classroom: grades submissions with nbgrader end to end (minutes)")


@cache
def _registry_problem() -> str | None:
    """Why none of apt's configured archives can be reached now; None when one can."""
    uris = []
    for path in ["/etc/apt/sources.list", *glob.glob("/etc/apt/sources.list.d/*")]:
        try:
            text = open(path).read()
        except OSError:
            continue
        uris += re.findall(r"^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)", text, re.M)
        uris += [u for line in re.findall(r"^URIs:\s*(.+)$", text, re.M) for u in line.split()]
    hosts = [(u.hostname, u.port or (443 if u.scheme == "https" else 80)) for u in map(urlsplit, uris) if u.hostname]
    if not hosts:
        return "no apt source is configured on this machine"
    problems = []
    for host, port in dict.fromkeys(hosts):
        try:
            socket.create_connection((host, port), timeout=5).close()
            return None
        except OSError as e:
            problems.append(f"{type(e).__name__}: {e}")
    return f"none of apt's {len(problems)} configured archives can be reached ({problems[-1]})"


def pytest_runtest_setup(item):
    if item.get_closest_marker("registry") and (problem := _registry_problem()):
        pytest.skip(f"needs a package registry: {problem}")
