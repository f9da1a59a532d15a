"""nbgrader GenerateFeedback preprocessors of the course (set in nbgrader_config.py).

HideHiddenTests   keeps hidden tests out of the pages students receive
FeedbackContext   names each test cell's exercise and points, and marks what the student
                  has not attempted, for the template (templates/feedback/index.html.j2)
"""

from nbgrader import utils
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor

from course.exercises import EXERCISES

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
STUB_ERROR = "NotImplementedError"


class HideHiddenTests(ClearHiddenTests):
    """Remove the hidden-test region from grade cells and shorten their tracebacks.

    nbgrader's feedback shows every cell's source and outputs, hidden tests included
    (jupyter/nbgrader#917). The region between the markers is removed; an error in a
    test cell is reduced to its last line ("AssertionError: <what is wrong>"), because
    a full traceback quotes the lines of the hidden test it went through.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type == "code" and utils.is_grade(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [
                        f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                    ]
        return cell, resources


def _normalized(source):
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


class FeedbackContext(NbGraderPreprocessor):
    """Adds, for the feedback template:

    - ``cell.metadata.feedback`` of a test cell: exercise id, title (from the registry),
      score, points, status (passed / failed / not attempted), anchor;
    - ``cell.metadata.feedback.attempted`` of an answer cell: False while its source is
      the released stub (the gradebook keeps the released answer cells);
    - ``resources["feedback"]``: the exercises in notebook order and whether anything was
      attempted (if not, the template shows one line per exercise and no cells).

    An exercise's answer cells are the answer cells since the previous test cell (or,
    if there are none, the same as the previous exercise's). An error raised by a stub
    (NotImplementedError) in a demo cell is reduced to one line.
    """

    def _stubs(self, resources):
        """{grade id: released source} of the notebook's answer cells."""
        info = resources.get("nbgrader", {})
        stubs = {}
        try:
            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_notebook(info["notebook"], info["assignment"])
                for cell in notebook.source_cells:
                    stubs[cell.name] = cell.source
        except (KeyError, MissingEntry):
            pass
        return stubs

    def preprocess(self, nb, resources):
        stubs = self._stubs(resources)
        exercises, pending, previous = [], [], []
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "")
            if meta.get("solution"):
                released = stubs.get(gid)
                attempted = released is None or _normalized(cell.source) != _normalized(released)
                cell.metadata["feedback"] = {"attempted": attempted}
                pending.append(attempted)
            elif meta.get("grade") and gid.startswith("test_"):
                group = pending or previous
                previous, pending = group, []
                exercises.append(self._exercise(cell, gid, any(group) if group else True))
            elif cell.cell_type == "code":
                _shorten_stub_errors(cell)
        resources["feedback"] = {
            "exercises": exercises,
            "attempted": any(e["status"] != NOT_ATTEMPTED for e in exercises),
        }
        return nb, resources

    def _exercise(self, cell, gid, attempted):
        meta = cell.metadata["nbgrader"]
        score, points = meta.get("score") or 0.0, meta.get("points") or 0.0
        exercise = EXERCISES.get(gid[len("test_") :])
        status = NOT_ATTEMPTED if not attempted else PASSED if score >= points else FAILED
        info = {
            "id": gid,
            "title": exercise.title if exercise else gid,
            "score": score,
            "points": points,
            "status": status,
        }
        cell.metadata["feedback"] = info
        return info


def _shorten_stub_errors(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") == STUB_ERROR:
            evalue = output.get("evalue") or ""
            output["traceback"] = [
                f"{STUB_ERROR}{': ' + evalue if evalue else ''} (this cell uses an answer "
                "you have not written yet)"
            ]
