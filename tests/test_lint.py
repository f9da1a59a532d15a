"""The code base is ruff-clean and ruff-formatted (configuration in pyproject.toml), and
no function is more complex than ruff's C901 allows (max-complexity = 10)."""

import os
import subprocess
import sys

import pytest

from course.paths import ROOT

RUFF = os.path.join(os.path.dirname(sys.executable), "ruff")


CHECK = ["check", "--output-format", "concise"]


@pytest.mark.parametrize("command", [CHECK, ["format", "--check"]], ids=["check", "format"])
def test_ruff(command):
    result = subprocess.run([RUFF, *command, "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
