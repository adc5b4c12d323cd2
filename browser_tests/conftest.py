"""What the browser tests share: Debian's chromium, started headless and quiet on a machine without network."""

import os

import pytest

# CHROMIUM=/path/to/chromium for another build (make test-browser passes it on).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking switches chromium tries to reach Google's hosts at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> dict:
    """Keyword arguments for playwright's ``p.chromium.launch(**chromium)``."""
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}
