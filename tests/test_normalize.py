"""Unit tests of grading/normalize.py: a submission rebuilt on the released skeleton.

In-memory notebooks only (tests/notebook_builder.py). Each test names, in a comment, the
bug planted in normalize.py that makes it fail (each was tried).
"""

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from notebook_builder import ANSWER, CHECK, INTRO, cell_of, grade_ids, release, submission

from autograder.grading.normalize import MAX_CELLS, InvalidNotebook, check_cells, normalize

RELEASED = ["intro", "softmax", "check", "test_softmax"]


def test_an_untouched_submission_is_the_release_with_the_answer_and_no_notes():
    # Catches: any repair reported for a clean submission (e.g. comparing sources as lists).
    nb, notes = normalize(submission(), release())
    assert notes == []
    assert grade_ids(nb) == RELEASED
    assert cell_of(nb, "softmax").source == "def softmax(z):\n    return z"
    nbformat.validate(nb)


def test_the_answer_keeps_the_students_source_and_the_released_metadata():
    # Catches: rc.source = _source(cell) dropped (the released stub graded instead), or the
    # student's metadata kept (a student who sets "points": 100 on their answer).
    sub = submission()
    cell_of(sub, "softmax").metadata["nbgrader"]["points"] = 100
    cell_of(sub, "softmax").metadata["nbgrader"]["grade"] = True
    nb, _ = normalize(sub, release())
    answer = cell_of(nb, "softmax")
    assert answer.source == "def softmax(z):\n    return z"
    assert answer.metadata["nbgrader"] == cell_of(release(), "softmax").metadata["nbgrader"]


def test_no_output_comes_through_from_the_student_or_the_release():
    # Catches: `rc.outputs, rc.execution_count = [], None` removed (a release saved with the
    # output of its check cell would show that output as if the student's code had run), or
    # the student's outputs copied onto the released cell (a forged "passed" output).
    given = release()
    cell_of(given, "check").outputs = [new_output("stream", name="stdout", text="passed\n")]
    cell_of(given, "check").execution_count = 1
    nb, _ = normalize(submission(), given)
    for gid in ("softmax", "check", "test_softmax"):
        assert cell_of(nb, gid).outputs == [] and cell_of(nb, gid).execution_count is None


def test_an_edited_read_only_cell_is_restored_and_reported():
    # Catches: the locked source kept as the student wrote it, or the note left out.
    sub = submission()
    cell_of(sub, "check").source = "pass  # check_softmax(softmax)"
    cell_of(sub, "intro").source = "I changed the text"
    nb, notes = normalize(sub, release())
    assert cell_of(nb, "check").source == CHECK and cell_of(nb, "intro").source == INTRO
    assert notes == [
        "read-only cell 'intro' had been changed: restored",
        "read-only cell 'check' had been changed: restored",
    ]


def test_the_instructors_later_edit_is_applied_silently():
    # Catches: comparing with the current release instead of ``received`` (the version the
    # student worked on): every earlier submission would look tampered with.
    given = release()
    current = release()
    cell_of(current, "intro").source = INTRO + " (typo fixed)"
    nb, notes = normalize(submission(), current, received=given)
    assert notes == []
    assert cell_of(nb, "intro").source == INTRO + " (typo fixed)"


def test_an_answer_turned_into_markdown_is_restored_as_code():
    # Catches: the cell-type check removed (no note), or the released type not used.
    sub = submission()
    i = grade_ids(sub).index("softmax")
    md = new_markdown_cell("def softmax(z): return z")
    md.metadata = copy.deepcopy(sub.cells[i].metadata)
    sub.cells[i] = md
    nb, notes = normalize(sub, release())
    assert cell_of(nb, "softmax").cell_type == "code"
    assert cell_of(nb, "softmax").source == "def softmax(z): return z"
    assert notes == ["answer cell 'softmax' had been turned into a markdown cell: restored as code"]


def test_a_second_copy_of_a_cell_is_the_students_own_ungraded_cell():
    # Catches: the ``used`` set ignored (two graded cells with one grade id: nbgrader
    # aborts the whole batch), or the copy dropped instead of kept in place.
    sub = submission()
    sub.cells.insert(2, copy.deepcopy(cell_of(sub, "softmax")))
    nb, notes = normalize(sub, release())
    assert grade_ids(nb) == ["intro", "softmax", None, "check", "test_softmax"]
    assert nb.cells[2].source == "def softmax(z):\n    return z" and nb.cells[2].id == "student-2"
    assert notes == ["a second copy of cell 'softmax' is kept as your own (ungraded) cell"]


def test_a_renamed_cell_is_kept_ungraded_and_the_released_one_put_back():
    # Catches: a cell with an unknown grade id kept with its metadata (graded under a name
    # the gradebook does not know), or the missing released cell not restored.
    sub = submission()
    cell_of(sub, "softmax").metadata["nbgrader"]["grade_id"] = "my_softmax"
    nb, notes = normalize(sub, release())
    # restored right after its predecessor, without the answer; the student's copy follows
    assert grade_ids(nb) == ["intro", "softmax", None, "check", "test_softmax"]
    assert cell_of(nb, "softmax").source == ANSWER
    assert nb.cells[2].source == "def softmax(z):\n    return z"
    assert notes == [
        "cell id 'my_softmax' is not part of the assignment: kept as your own (ungraded) cell",
        "answer cell 'softmax' was missing: restored from the assignment (without your answer)",
    ]


@pytest.mark.parametrize(
    "deleted, kind",
    [("test_softmax", "test"), ("check", "read-only"), ("intro", "read-only")],
)
def test_a_deleted_cell_is_restored_right_after_its_predecessor(deleted, kind):
    # Catches: restored cells appended at the end or put first (a test cell before the
    # answer it tests), and "where = 0" for the first cell changed.
    sub = submission()
    sub.cells = [c for c in sub.cells if c.metadata["nbgrader"]["grade_id"] != deleted]
    nb, notes = normalize(sub, release())
    assert grade_ids(nb) == RELEASED
    assert notes == [f"{kind} cell '{deleted}' was missing: restored from the assignment"]


def test_cells_the_student_added_stay_where_they_are_and_run():
    # Catches: student cells dropped, moved to the end, or given nbgrader metadata.
    sub = submission()
    sub.cells.insert(2, new_code_cell("print(softmax(1))"))
    sub.cells.append(new_markdown_cell("my notes"))
    nb, notes = normalize(sub, release())
    assert grade_ids(nb) == ["intro", "softmax", None, "check", "test_softmax", None]
    assert [nb.cells[2].source, nb.cells[5].source] == ["print(softmax(1))", "my notes"]
    assert "nbgrader" not in nb.cells[2].metadata
    assert notes == []


def test_the_notebook_metadata_is_the_releases():
    # Catches: the student's notebook metadata kept (their kernelspec would run the tests).
    nb, _ = normalize(submission(), release())
    assert nb.metadata["kernelspec"]["name"] == "python3"


def test_the_cell_limit_is_inclusive():
    # Catches: ``>`` turned into ``>=`` (a notebook at the limit refused), or no check.
    check_cells([{}] * MAX_CELLS)
    with pytest.raises(InvalidNotebook, match=f"more than the {MAX_CELLS} cells limit"):
        check_cells([{}] * (MAX_CELLS + 1))
