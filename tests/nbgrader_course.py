"""Helpers for tests that run the real nbgrader on a scratch copy of the course."""

import os
import shutil
import subprocess
import time

from course.paths import ASSIGNMENT, ROOT, tool_env, venv_bin

BIN = venv_bin()


def env():
    e = tool_env()
    e.setdefault("OPENBLAS_NUM_THREADS", "1")
    return e


def nbgrader(course, *args, check=True):
    """Run an nbgrader command in ``course``; return the CompletedProcess (output captured)."""
    result = subprocess.run(
        [os.path.join(BIN, "nbgrader"), *args],
        cwd=course,
        env=env(),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-6000:]}"
        )
    return result


def copy_course(tmp):
    """A scratch course without a gradebook: nbgrader_config.py, source/ and release/."""
    course = os.path.join(str(tmp), "course")
    os.makedirs(course)
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    for folder in ("source", "release"):
        shutil.copytree(os.path.join(ROOT, folder), os.path.join(course, folder))
    return course


def make_course(tmp):
    """A scratch course: nbgrader_config.py, source/ and a generated gradebook + release."""
    course = os.path.join(str(tmp), "course")
    os.makedirs(course)
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    shutil.copytree(os.path.join(ROOT, "source"), os.path.join(course, "source"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def submit(course, student, notebook_dir, names=None):
    """Copy notebooks from ``notebook_dir`` as ``student``'s submission."""
    dest = os.path.join(course, "submitted", student, ASSIGNMENT)
    os.makedirs(dest, exist_ok=True)
    for name in sorted(os.listdir(notebook_dir)):
        if name.endswith(".ipynb") and (names is None or name in names):
            shutil.copy(os.path.join(notebook_dir, name), dest)
    with open(os.path.join(dest, "timestamp.txt"), "w") as f:
        f.write("2026-11-28 12:00:00.000000 UTC")
    return dest


def scores(course, student):
    """{notebook: (score, max_score)} and per-cell {grade_id: score} from the gradebook."""
    from nbgrader.api import Gradebook

    per_nb, per_cell = {}, {}
    with Gradebook(f"sqlite:///{os.path.join(course, 'gradebook.db')}") as gb:
        sub = gb.find_submission(ASSIGNMENT, student)
        for nb in sub.notebooks:
            per_nb[nb.name] = (nb.score, nb.max_score)
            for g in nb.grades:
                per_cell[g.name] = g.score
    return per_nb, per_cell


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0
