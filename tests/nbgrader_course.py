"""Helpers for tests that run the real nbgrader on a scratch copy of the course."""

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
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


def scratch_course(
    tmp, name="course", folders=("source", "release"), notebooks=None, gradebook=False
):
    """The one scratch course of the tests: ``tmp/name`` with the course's
    nbgrader_config.py and a copy of ``folders`` (of source/ and release/), no gradebook.

    ``notebooks``: only these notebook file names (and figures/) in each folder, for a
    test that needs a short assignment. ``gradebook``: with a copy of a gradebook that
    already holds the assignment, as the first grading run leaves it (for the tests of
    what happens after that run: nbgrader generate_assignment costs each new course
    seconds; tests/test_assignment_setup.py is the first run's). Returns the course's
    path (str).
    """
    course = os.path.join(str(tmp), name)
    os.makedirs(course)
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    for folder in folders:
        src, dest = os.path.join(ROOT, folder), os.path.join(course, folder)
        if notebooks is None:
            shutil.copytree(src, dest)
            continue
        for assignment in os.listdir(src):
            os.makedirs(os.path.join(dest, assignment))
            for entry in ("figures", *notebooks):
                path = os.path.join(src, assignment, entry)
                copy = shutil.copytree if os.path.isdir(path) else shutil.copy
                copy(path, os.path.join(dest, assignment, entry))
    if gradebook:
        assert notebooks is None and set(folders) == {"source", "release"}, "the whole course"
        template = _assignment_generated()
        os.makedirs(os.path.join(course, "grading"))
        for entry in ("gradebook.db", os.path.join("grading", "generated.json")):
            shutil.copy(os.path.join(template, entry), os.path.join(course, entry))
    return course


@functools.cache
def _assignment_generated():
    """A scratch course (once per test process) whose gradebook the grading pipeline's own
    first step (GradingCourse.ensure_assignment) gave the assignment."""
    from autograder.grading.grading_course import GradingCourse

    tmp = tempfile.mkdtemp(prefix="rnn-template-")
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    course = scratch_course(tmp)
    assert GradingCourse(course).ensure_assignment() == "added"
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
