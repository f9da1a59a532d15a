"""The one class graded over every notebook of the assignment, once per test session.

Grading a notebook with a training cell (notebook 6's LSTM, and any notebook added later)
costs the suite tens of seconds each time, so only this class has every notebook: the
reference (every answer from source/: full marks), the untouched release (blanks: 0) and
a hang (a wait) at the top of notebook 1's softmax answer (it costs that exercise only: no
cascade into the notebooks that import notebook 1). The notebooks come from
grading_fixtures.NOTEBOOKS, every release notebook: a new notebook is graded here, once,
without an edit. Every other grading fixture grades only the notebooks its bugs, attacks
and broken files touch (1-5).

Tests read it through the session fixture ``graded_class``; they all sit in one file,
tests/test_graded_class.py (xdist hands out whole files), so that one worker grades it, once.
"""

import html
import json
import os
import re
import subprocess
import sys

import grading_fixtures as fx
import pytest
from nbgrader_course import ROOT, env, scratch_course

CELL_SECONDS, NOTEBOOK_SECONDS = 12, 40  # short: the batch tests the limits themselves
# The graded class's flat limits: the training cells come after their notebook's last test
# and are not run while grading (execute.after_the_last_test), so the reference's slowest
# cell takes about a second on a quiet machine (all 7 notebooks: ~10 s); 30 s leave room
# for a load of 20 on 2 cores, and the hang costs one cell's 30 s once, beside the
# reference's run. (Limits derived from the reference's times would cost a reference run
# of every notebook first.)
CLASS_LIMITS = (30, 300)

STUDENTS = {
    "perfect": fx.full,
    "untouched": lambda: {n: fx.untouched(n) for n in fx.NOTEBOOKS},
    "hang_in_softmax": fx.hang_in_softmax,
}


def write_submission(base, student, files):
    """``files`` ({name: notebook JSON or text}) as ``base/student/rnn/``."""
    dest = os.path.join(base, student, "rnn")
    os.makedirs(dest)
    for name, content in files.items():
        with open(os.path.join(dest, name), "w") as f:
            f.write(content if isinstance(content, str) else json.dumps(content))


def run_grader(course, *args, limits=(CELL_SECONDS, NOTEBOOK_SECONDS)):
    """``python -m autograder.grade`` on ``course`` with 2 workers and flat ``limits``
    (seconds of a cell, of a notebook)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder.grade",
            *args,
            "--course",
            course,
            "--workers",
            "2",
            "--cell-seconds",
            str(limits[0]),
            "--notebook-seconds",
            str(limits[1]),
        ],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=1500,
    )


def grade_class(course, students, limits=(CELL_SECONDS, NOTEBOOK_SECONDS)):
    """Grade ``students`` ({student: files}) in the scratch course ``course`` (one run,
    limits as run_grader's): {"course", "summary", "results" ({student: result}), "stdout"}."""
    incoming = course + "-incoming"
    for student, files in students.items():
        write_submission(incoming, student, files)
    result = run_grader(course, incoming, limits=limits)
    print(result.stdout[-6000:], result.stderr[-3000:])
    assert result.returncode == 0, result.stderr[-5000:]
    with open(os.path.join(course, "grading", "summary.json")) as f:
        summary = json.load(f)
    return {
        "course": course,
        "summary": summary,
        "results": {r["student"]: r for r in summary["results"]},
        "stdout": result.stdout,
    }


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    course = scratch_course(tmp_path_factory.mktemp("graded-class"), gradebook=True)
    students = {s: make() for s, make in STUDENTS.items()}
    return grade_class(course, students, limits=CLASS_LIMITS)


# ------------------------------------------------------------------ what every graded run holds


def gradebook_and_grades_csv_agree(run):
    """The gradebook's and grades.csv's totals are the pipeline's (summary.json)."""
    from nbgrader.api import Gradebook

    course = run["course"]
    with Gradebook(f"sqlite:///{os.path.join(course, 'gradebook.db')}") as gb:
        for student, result in run["results"].items():
            assert gb.find_submission("rnn", student).score == pytest.approx(result["total"])
    with open(os.path.join(course, "grades.csv")) as f:
        rows = {line.split(",")[3]: float(line.split(",")[9]) for line in f.read().splitlines()[1:]}
    assert rows == {s: r["total"] for s, r in run["results"].items()}


def feedback_never_shows_hidden_tests(run):
    """No feedback page of the run shows the code of a hidden test."""
    feedback = os.path.join(run["course"], "feedback")
    pages = [
        os.path.join(d, f)
        for d, _, files in os.walk(feedback)
        for f in files
        if f.endswith(".html")
    ]
    assert len(pages) >= len(run["results"])
    for page in pages:
        with open(page) as f:
            text = f.read()
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        # Attackers write "hidden_check" and "autograder" in their own cells: look for what
        # only the hidden tests contain.
        assert not re.search(r'hidden_check\("\w+", globals\(\)\)', plain), page
        assert "HIDDEN TESTS" not in plain and "harness import hidden_check" not in plain, page
