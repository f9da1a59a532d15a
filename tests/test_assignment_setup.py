"""The grading pipeline completes an assignment the instructor added without notebooks
(`nbgrader db assignment add rnn --duedate=...`, the README's way of setting a due date
before the first grading run): otherwise autograde fails for every student."""

import pytest
from nbgrader.api import Gradebook
from nbgrader_course import nbgrader, scratch_course

from autograder.grading.grading_course import GradingCourse
from course.exercises import notebooks


def notebooks_known(course):
    with Gradebook(course.db_url) as gb:
        assignment = gb.find_assignment(course.assignment)
        return sorted(nb.name for nb in assignment.notebooks), assignment.duedate


@pytest.mark.slow  # runs nbgrader generate_assignment on every notebook
def test_an_assignment_added_with_only_a_due_date_gets_its_notebooks(tmp_path):
    root = scratch_course(tmp_path)
    nbgrader(root, "db", "assignment", "add", "rnn", "--duedate=2027-03-01 23:59:00 Europe/Berlin")
    course = GradingCourse(root)
    assert notebooks_known(course)[0] == []

    assert course.ensure_assignment() == "added"
    names, duedate = notebooks_known(course)
    assert names == course.notebooks() and len(names) == len(notebooks())
    assert duedate is not None  # the instructor's due date survives
    assert course.ensure_assignment() is False  # nothing more to do
