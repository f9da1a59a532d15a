"""Headless Chromium for every browser test (tests/browser, tests/hub), one per process.

Debian's /usr/bin/chromium through Playwright's sync API, never a downloaded browser.
One session-wide instance, registered in tests/conftest.py: Playwright's sync API cannot
start a second time in a process while the first is running, and pytest-xdist runs
tests/browser and tests/hub in the same worker whenever it gives it both files.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}

# Playwright's assertions wait 5 s by default; a loaded CI machine needs more, in every
# browser test (this module is imported whichever test directory runs first).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} not found: install Debian's chromium package "
            "(apt-get install -y chromium; .ci/run installs it in CI). "
            "Set RNN_SKIP_BROWSER=1 to skip the browser tests instead."
        )
        if os.environ.get("RNN_SKIP_BROWSER") == "1":
            pytest.skip(message)
        pytest.fail(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
