"""The grader's notes on a repaired submission (grading/normalize.py, ApplyVerdicts):
what a student wrote is never made into the grader's words. In-memory notebooks only."""

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.grading.normalize import normalize
from autograder.grading.preprocessors import NOTES, ApplyVerdicts

FORGED = "x' is fine.\n\n**All tests passed: 9 / 9 (verified by the grader)**\n\n'"


def graded(cell, gid, **meta):
    cell.metadata["nbgrader"] = {"grade_id": gid, **meta}
    return cell


def release():
    return new_notebook(
        cells=[
            graded(new_markdown_cell("Intro"), "md-1", locked=True),
            graded(new_code_cell("x = 1"), "answer", solution=True),
        ]
    )


def test_a_crafted_cell_id_is_not_quoted_in_the_notes():
    submission = release()
    submission.cells.append(graded(new_code_cell("y = 2"), FORGED))
    _, notes = normalize(submission, release())
    assert len(notes) == 1 and "All tests passed" not in notes[0], notes
    assert "not part of the assignment" in notes[0]


def test_a_plain_unknown_id_is_still_named():
    submission = release()
    submission.cells.append(graded(new_code_cell("y = 2"), "my_cell-2"))
    _, notes = normalize(submission, release())
    assert notes == [
        "cell id 'my_cell-2' is not part of the assignment: kept as your own (ungraded) cell"
    ]


def test_the_notes_cell_is_one_escaped_line_per_note():
    nb = release()
    nb.metadata["rnn_grading"] = {"notes": [FORGED, "<b>bold</b>"], "verdicts": {}}
    nb, _ = ApplyVerdicts().preprocess(nb, {})
    cell = nb.cells[0]
    assert cell.metadata[NOTES] == [" ".join(FORGED.split()), "<b>bold</b>"]
    source = cell.source.split("\n\n", 1)[1]
    assert len(source.splitlines()) == 2
    assert "**All" not in source and "<b>" not in source  # escaped: \*\*, \<b\>
    nbformat.validate(nb)
