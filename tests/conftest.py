import os
import sys

import pytest

# tests/ helpers (nbgrader_course.py) import as top-level modules.
sys.path.insert(0, os.path.dirname(__file__))

# One BLAS thread in every test process and what it starts (xdist's workers inherit this
# environment): the suite runs several processes on 2 cores, and more BLAS threads would
# only compete with them. Tests of the thread settings set their kernels' own.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

# Fixture submissions are data for the grading tests, not notebooks to execute.
collect_ignore_glob = ["fixtures/*"]

# One headless Chromium per test process, for tests/browser and tests/hub alike.
from chromium import browser  # noqa: E402, F401

# The suite's one class graded over every notebook (tests/graded_class.py), once per session.
from graded_class import graded_class  # noqa: E402, F401

# nbval's run of each source notebook also checks its claims and tests (notebook_claims.py).
from notebook_claims import add_claims_items  # noqa: E402

# Work units (test files) for `-n 3 --dist loadfile`, heaviest first (per-file seconds with
# -n 3 on a quiet machine, before the last cuts: the scale class ~270, the batch ~210, the
# hub story with the isolation test ~190, the term ~120, the graded class ~100, nbval's
# run of notebook 7 ~50): xdist hands the units out in this order and the many light
# ones fill in behind, so that the workers finish together.
HEAVIEST_FIRST = [
    "tests/test_grading_scale.py",
    "tests/test_grading_pipeline.py",
    "tests/hub/test_hub_e2e.py",
    "tests/test_term.py",
    "tests/test_graded_class.py",
    "source/rnn/07_char_lm.ipynb",
    "tests/test_claims_experiments.py",
    "tests/test_nbgrader_course.py",
    "tests/test_adding_an_exercise.py",
    "tests/test_hostile_class.py",
]


def pytest_collection_modifyitems(config, items):
    """The heaviest files first (xdist's loadfile keeps this order with
    --no-loadscope-reorder); nbval's notebooks marked slow.

    (Files, not xdist groups: --dist loadgroup did not keep a group on one worker with
    pytest-xdist 3.8.0 here, measured; only test_graded_class.py uses the graded class, so
    it is graded once per run.)"""
    add_claims_items(items)
    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb"):
            # seconds per cell: slow, so that `make test-fast` is the tests of tests/ that
            # take under a few seconds each.
            item.add_marker(pytest.mark.slow)

    def rank(item):
        name = item.location[0]
        return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=rank)  # stable: within a file and among the rest, collection order
