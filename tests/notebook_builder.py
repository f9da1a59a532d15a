"""In-memory notebooks for the grading core's unit tests (nbgrader's style: notebooks
built with nbformat, no files unless the code under test reads them, no kernel).

``release()`` is a small released notebook with one cell of every nbgrader kind, in the
order the course's notebooks have them: read-only prose, an answer cell, a read-only code
cell that calls the check, and a test cell worth 2 points.
"""

import copy

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

INTRO = "## Softmax\n\nNormalize each row."
ANSWER = "def softmax(z):\n    # YOUR CODE HERE\n    raise NotImplementedError()"
CHECK = "from helpers.checks import check_softmax\ncheck_softmax(softmax)"
TEST = "hidden_check('softmax', globals())"
POINTS = 2


def graded(cell, grade_id, solution=False, grade=False, locked=False, points=None):
    """``cell`` with nbgrader metadata of schema 3 (what nbgrader's validator accepts)."""
    meta = {
        "grade_id": grade_id,
        "schema_version": 3,
        "solution": solution,
        "grade": grade,
        "locked": locked,
    }
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = grade_id
    return cell


def release():
    """A released notebook: intro (read-only), softmax (answer), check (read-only),
    test_softmax (test, POINTS points)."""
    nb = new_notebook(
        cells=[
            graded(new_markdown_cell(INTRO), "intro", locked=True),
            graded(new_code_cell(ANSWER), "softmax", solution=True),
            graded(new_code_cell(CHECK), "check", locked=True),
            graded(new_code_cell(TEST), "test_softmax", grade=True, locked=True, points=POINTS),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def submission(answer="def softmax(z):\n    return z"):
    """The release as a student hands it in: the answer written, outputs from their run."""
    nb = copy.deepcopy(release())
    nb.metadata["kernelspec"] = {
        "name": "student-env",
        "display_name": "Mine",
        "language": "python",
    }
    cell = cell_of(nb, "softmax")
    cell.source = answer
    cell.outputs = [new_output("stream", name="stdout", text="ran\n")]
    cell.execution_count = 3
    return nb


def cell_of(nb, grade_id):
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def grade_ids(nb):
    """The grade ids of ``nb``'s cells in order (None for an ungraded cell)."""
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
