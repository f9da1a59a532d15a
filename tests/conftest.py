import os
import sys

# tests/ helpers (nbgrader_course.py) import as top-level modules.
sys.path.insert(0, os.path.dirname(__file__))

# Fixture submissions are data for the grading tests, not notebooks to execute.
collect_ignore_glob = ["fixtures/*"]

# One headless Chromium per test process, for tests/browser and tests/hub alike.
from chromium import browser  # noqa: E402, F401
