import os
import sys

import pytest

# tests/ helpers (nbgrader_course.py) import as top-level modules.
sys.path.insert(0, os.path.dirname(__file__))

# Fixture submissions are data for the grading tests, not notebooks to execute.
collect_ignore_glob = ["fixtures/*"]

# One headless Chromium per test process, for tests/browser and tests/hub alike.
from chromium import browser  # noqa: E402, F401


def pytest_collection_modifyitems(items):
    """The notebooks nbval runs (source/rnn, notebooks/) take seconds per cell: slow, so
    that `make test-fast` is the tests of tests/ that take under a few seconds each."""
    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb"):
            item.add_marker(pytest.mark.slow)
