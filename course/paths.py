"""Where the course lives, and the environment its tools need. Defined once, here."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSIGNMENT = "rnn"
COURSE_TEXT = os.path.join(ROOT, "course", "text")
REFERENCE_DIR = os.path.join(ROOT, "course", "reference")
SOURCE_DIR = os.path.join(ROOT, "source", ASSIGNMENT)
RELEASE_DIR = os.path.join(ROOT, "release", ASSIGNMENT)


def venv_bin():
    """The directory of this Python's scripts (nbgrader, jupyter, alembic, ...)."""
    return os.path.dirname(sys.executable)


def tool_env(extra=None):
    """``os.environ`` for running the course's tools in a subprocess.

    The venv's bin directory comes first on PATH: nbgrader runs ``alembic`` by name, and
    a tool started from a shell without the venv activated must still find it.
    """
    env = dict(os.environ)
    env["PATH"] = venv_bin() + os.pathsep + env.get("PATH", "")
    env.update(extra or {})
    return env
