import os
import sys

import pytest

# tests/ helpers (nbgrader_course.py) import as top-level modules.
sys.path.insert(0, os.path.dirname(__file__))

# Fixture submissions are data for the grading tests, not notebooks to execute.
collect_ignore_glob = ["fixtures/*"]

# One headless Chromium per test process, for tests/browser and tests/hub alike.
from chromium import browser  # noqa: E402, F401

# The suite's one class graded over every notebook (tests/graded_class.py), once per session.
from graded_class import GROUP, graded_class  # noqa: E402, F401

# Work units for `-n 2 --dist loadgroup`, heaviest first (from CI's `--durations`: the
# scale fixture ~240 s, the hub story ~216 s, the batch ~200 s, the term ~160 s, the
# graded class a reference of every notebook): xdist hands the units out in this order
# and the many light ones fill in behind, so that the two workers finish together.
HEAVIEST_FIRST = [
    "tests/test_grading_scale.py",
    "tests/hub/test_hub_e2e.py",
    "tests/test_grading_pipeline.py",
    "tests/test_term.py",
    GROUP,
    "tests/test_nbgrader_course.py",
    "tests/test_adding_an_exercise.py",
    "tests/test_hostile_class.py",
]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """One work unit per test file (a notebook's cells share one kernel; a module's
    fixture is made once), except that every test of the graded class is in its group;
    the heaviest units first. Runs before xdist names the units after the groups."""
    for item in items:
        if item.nodeid.split("::")[0].endswith(".ipynb"):
            # nbval's notebooks take seconds per cell: slow, so that `make test-fast` is
            # the tests of tests/ that take under a few seconds each.
            item.add_marker(pytest.mark.slow)
        if not any(item.iter_markers("xdist_group")):
            uses_class = "graded_class" in getattr(item, "fixturenames", ())  # nbval: none
            group = GROUP if uses_class else item.location[0]
            item.add_marker(pytest.mark.xdist_group(group))

    def unit(item):
        return next(item.iter_markers("xdist_group")).args[0]

    def rank(item):
        name = unit(item)
        return HEAVIEST_FIRST.index(name) if name in HEAVIEST_FIRST else len(HEAVIEST_FIRST)

    items.sort(key=rank)  # stable: within a unit and among the rest, collection order
