"""`make validate` / `python -m helpers.selfcheck`: the students' terminal check.

Unlike `nbgrader validate`, it exits with status 1 when a test fails, and prints each
failing test with its message.
"""

import os
import subprocess
import sys

import pytest

from course.paths import RELEASE_DIR, SOURCE_DIR

pytestmark = pytest.mark.slow


def selfcheck(*paths):
    return subprocess.run(
        [sys.executable, "-m", "helpers.selfcheck", *paths],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_an_unanswered_notebook_fails_with_its_tests_named():
    result = selfcheck(os.path.join(RELEASE_DIR, "03_bptt.ipynb"))
    assert result.returncode == 1
    assert "assert check_bptt_tanh(BasicRNNCell)" in result.stdout
    assert "not answered yet" in result.stdout
    assert "0 of 1 notebooks pass" in result.stdout


def test_a_correct_notebook_passes():
    result = selfcheck(os.path.join(SOURCE_DIR, "01_building_blocks.ipynb"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 of 1 notebooks pass" in result.stdout
