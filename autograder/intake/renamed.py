"""Which of the assignment's notebooks a notebook under another name is.

A student who renames "02_rnn_forward.ipynb" to "homework.ipynb" still hands in that
notebook: its nbgrader cells keep their grade ids ("test_rnn_forward"), and the exercise
registry says which notebook each test belongs to. The file is not graded under a name
that is not the assignment's (nbgrader matches notebooks by name), but the reason says
which notebook it is, so the instructor (and the student's page) can act on it.
"""

import json

from course.exercises import EXERCISES

MAX_BYTES = 50 * 2**20  # a notebook larger than this is not looked into


def _grade_ids(path):
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            return set()
        cells = json.loads(data).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return set()
    ids = set()
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}
        if isinstance(meta, dict) and isinstance(meta.get("grade_id"), str):
            ids.add(meta["grade_id"])
    return ids


def renamed_from(path, notebooks):
    """The assignment notebook (name without .ipynb, one of ``notebooks``) whose test cells
    the notebook at ``path`` holds, or None."""
    ids = _grade_ids(path)
    found = {ex.notebook for ex in EXERCISES.values() if f"test_{ex.id}" in ids}
    found &= set(notebooks)
    return found.pop() if len(found) == 1 else None
