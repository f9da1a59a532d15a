"""Real nbgrader on the course: validation of the release, and an autograde round trip.

The source notebooks pass nbgrader's validation in nbval's run of each of them
(notebook_claims.py: that one run also recomputes its claims, and fails on any failing
test cell, stderr included).

The round trip grades notebooks 1-3 (a carry-forward import, a feedback page): the
figures for every notebook (reference full marks, blanks 0) are test_graded_class.py's,
on the suite's one class graded over every notebook.
"""

import json
import os

import pytest
from nbgrader.validator import Validator
from nbgrader_course import ROOT, nbgrader, scores, scratch_course, submit, timed

from course.exercises import EXERCISES
from course.paths import ASSIGNMENT

SOURCE = os.path.join(ROOT, "source", "rnn")
RELEASE = os.path.join(ROOT, "release", "rnn")
NOTEBOOKS = sorted(n for n in os.listdir(SOURCE) if n.endswith(".ipynb"))

pytestmark = pytest.mark.slow


def grade_cells(path):
    with open(path) as f:
        nb = json.load(f)
    return [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_untouched_release_notebook_fails_every_test(name):
    # One run: every test cell among the failed is no test cell passing (what
    # ``Validator(invert=True)`` would check in a second run).
    path = os.path.join(RELEASE, name)
    failed = Validator().validate(path).get("failed", [])
    assert len(failed) == len(grade_cells(path)) > 0


ROUND_TRIP = NOTEBOOKS[:3]


def test_autograde_round_trip(tmp_path):
    course = scratch_course(tmp_path, folders=("source",), notebooks=ROUND_TRIP)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    submit(course, "solution", SOURCE, ROUND_TRIP)  # the instructor notebooks, as if submitted
    submit(course, "untouched", os.path.join(course, "release", "rnn"))
    _, seconds = timed(nbgrader, course, "autograde", "rnn", "--student", "solution")
    print(f"\nautograding one complete submission took {seconds:.1f} s")
    nbgrader(course, "autograde", "rnn", "--student", "untouched")

    per_nb, per_cell = scores(course, "solution")
    assert set(per_nb) == {n[:-6] for n in ROUND_TRIP}
    assert all(score == maximum for score, maximum in per_nb.values()), per_nb
    assert sum(m for _, m in per_nb.values()) == sum(
        e.points for e in EXERCISES.values() if e.notebook + ".ipynb" in ROUND_TRIP
    )

    per_nb, per_cell = scores(course, "untouched")
    assert sum(s for s, _ in per_nb.values()) == 0, per_cell

    nbgrader(course, "generate_feedback", "rnn")
    feedback = os.path.join(course, "feedback", "solution", "rnn", "03_bptt.html")
    with open(feedback) as f:
        html = f.read()
    assert "hidden_check" not in html and "HIDDEN TESTS" not in html
    assert "hidden tests passed" in html  # the result is shown, not the code
    nbgrader(course, "export")
    with open(os.path.join(course, "grades.csv")) as f:
        rows = f.read().splitlines()
    assert len(rows) == 3 and rows[0].startswith("assignment,")
