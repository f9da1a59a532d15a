"""Repair a submitted notebook against the released one: the first step of nbgrader's
sanitize pass (preprocessors.NormalizeSubmission), in the pipeline and in plain
``nbgrader autograde`` alike.

nbgrader 0.9.6 aborts a whole batch on a duplicated test cell, fails a submission
whose cell ids were renamed, and scores 0 for a deleted test cell unless told
otherwise. Students do all of these by accident. Every submitted notebook is
therefore rebuilt on the released notebook's skeleton:

  - a released cell found by its nbgrader id takes the released metadata; for an
    answer cell the student's source is kept, for every other (locked) cell the
    released source is used (nbgrader restores hidden tests from its gradebook);
  - a second copy of a released cell, and any cell with an unknown id, become the
    student's own ungraded cells (they still run, in place);
  - a released cell that is missing is put back where it belongs;
  - cells the student added are kept where they are.

Every repair is reported, so the summary can tell the student and the instructor.
"""

import copy
import re

import nbformat

from ..untrusted.notebook_json import InvalidNotebook, load_json
from .cells import grade_id, source_of

# The course's notebooks have < 100 cells each; 100,000 (tiny) cells took nbgrader 163 s.
MAX_CELLS = 2000


def read_submission(path):
    """Parse a submitted .ipynb, or raise InvalidNotebook with a readable reason."""
    data = load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise InvalidNotebook("JSON without a list of cells: not a Jupyter notebook")
    check_cells(data["cells"])
    try:
        nb = nbformat.from_dict(data)
        if nb.get("nbformat", 0) < 4:
            nb = nbformat.convert(nb, 4)
    except Exception as e:
        raise InvalidNotebook(f"not a readable notebook ({type(e).__name__}: {e})") from None
    return nb


def check_cells(cells):
    """Raise InvalidNotebook if there are more than MAX_CELLS ``cells``."""
    if len(cells) > MAX_CELLS:
        raise InvalidNotebook(
            f"the notebook has {len(cells)} cells, more than the {MAX_CELLS} cells limit"
        )


def _student_cell(cell, index):
    """A plain, ungraded cell with the student's content."""
    kind = cell.get("cell_type")
    source = source_of(cell)
    new = (
        nbformat.v4.new_markdown_cell(source)
        if kind in ("markdown", "raw")
        else nbformat.v4.new_code_cell(source)
    )
    new.id = f"student-{index}"
    return new


def _kind(cell):
    meta = cell.metadata["nbgrader"]
    return "answer" if meta.get("solution") else "test" if meta.get("grade") else "read-only"


def _released_copy(cell, rc, received, notes):
    """The released cell ``rc`` in place of the student's ``cell`` (same grade id)."""
    gid = grade_id(rc)
    rc = copy.deepcopy(rc)
    if rc.metadata["nbgrader"].get("solution"):
        if cell.get("cell_type") != rc.cell_type:
            notes.append(
                f"answer cell '{gid}' had been turned into a "
                f"{cell.get('cell_type')} cell: restored as code"
            )
        rc.source = source_of(cell)
    else:
        original = received.get(gid, rc)  # what this student was given
        if source_of(cell) != source_of(original) or cell.get("cell_type") != original.cell_type:
            notes.append(f"read-only cell '{gid}' had been changed: restored")
    if rc.cell_type == "code":
        rc.outputs, rc.execution_count = [], None
    return rc


SHOWN_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def _shown_id(gid):
    """A cell id as the notes quote it: only a plain one (what the student wrote ends up
    in the grader's notes, where anything else could pose as the grader's words)."""
    return f"'{gid}'" if isinstance(gid, str) and SHOWN_ID.fullmatch(gid) else "(not shown)"


def _student_copy(cell, index, by_id, notes):
    gid = grade_id(cell)
    if gid in by_id:
        notes.append(f"a second copy of cell '{gid}' is kept as your own (ungraded) cell")
    elif gid is not None:
        notes.append(
            f"cell id {_shown_id(gid)} is not part of the assignment: "
            "kept as your own (ungraded) cell"
        )
    return _student_cell(cell, index)


def _restore_missing(cells, order, by_id, notes):
    """Put back every released cell that is missing, right after its predecessor."""
    present = {grade_id(c) for c in cells}
    for pos, gid in enumerate(order):
        if gid is None or gid in present:
            continue
        where = 0
        for prev in reversed(order[:pos]):
            idx = next((k for k, c in enumerate(cells) if grade_id(c) == prev), None)
            if idx is not None:
                where = idx + 1
                break
        rc = copy.deepcopy(by_id[gid])
        cells.insert(where, rc)
        present.add(gid)
        kind = _kind(rc)
        notes.append(
            f"{kind} cell '{gid}' was missing: restored from the assignment"
            + (" (without your answer)" if kind == "answer" else "")
        )


def normalize(submission, release, received=None):
    """Rebuild ``submission`` on the skeleton of ``release``; return (notebook, notes).

    ``received`` is the version of the release the student worked on (default: the
    current one): a read-only cell that matches it is not the student's change, even
    where the current release differs (the instructor's edit, applied silently).
    """
    check_cells(submission.cells)  # plain `nbgrader autograde` skips read_submission
    by_id = {grade_id(c): c for c in release.cells if grade_id(c)}
    order = [grade_id(c) for c in release.cells]
    received_by_id = {grade_id(c): c for c in (received or release).cells if grade_id(c)}
    used, notes, cells = set(), [], []
    for i, cell in enumerate(submission.cells):
        gid = grade_id(cell)
        if gid in by_id and gid not in used:
            used.add(gid)
            cells.append(_released_copy(cell, by_id[gid], received_by_id, notes))
        else:
            cells.append(_student_copy(cell, i, by_id, notes))
    _restore_missing(cells, order, by_id, notes)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(release.metadata))
    nbformat.validate(nb)
    return nb, notes
