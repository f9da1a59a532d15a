"""Unit tests of grading/preprocessors.py, one section per preprocessor, on in-memory
notebooks (nbgrader's style). NormalizeSubmission reads the release from a temporary
course directory; SandboxedExecute is given its worker's record (no sandbox, no kernel).
Each test names, in a comment, the bug planted in preprocessors.py that makes it fail
(each was tried).
"""

import copy
import logging
import types

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output
from nbgrader.utils import determine_grade
from notebook_builder import INTRO, POINTS, cell_of, grade_ids, release, submission
from traitlets.config import Config

from autograder.grading import preprocessors as pp
from autograder.grading.preprocessors import (
    META,
    NOTES,
    RUN,
    ApplyVerdicts,
    NormalizeSubmission,
    QuietOverwriteCells,
    SandboxedExecute,
)

# ----------------------------------------------------------------- ApplyVerdicts


def ran(outputs, verdict=None, status="graded", notes=()):
    """The release after its run: the test cell with ``outputs``, the judge's verdict."""
    nb = release()
    cell_of(nb, "test_softmax").outputs = outputs
    verdicts = {} if verdict is None else {"softmax": verdict}
    nb.metadata[META] = {"verdicts": verdicts, "status": status, "notes": list(notes)}
    return nb


def score(nb):
    """What nbgrader's SaveAutoGrades would record for the test cell."""
    return determine_grade(cell_of(nb, "test_softmax"))[0]


ERROR = new_output("error", ename="AssertionError", evalue="x", traceback=["AssertionError"])
STDERR = new_output("stream", name="stderr", text="warning\n")
STDOUT = new_output("stream", name="stdout", text="3 tests passed\n")


def test_a_passed_verdict_scores_full_points_whatever_the_kernel_printed():
    # Catches: _passed_note not called, or stderr / execute_result kept (nbgrader scores
    # an error or stderr 0, an execute_result as partial credit).
    result = new_output("execute_result", data={"text/plain": "0.0"}, execution_count=1)
    nb, _ = ApplyVerdicts().preprocess(ran([STDOUT, ERROR, STDERR, result], {"passed": True}), {})
    assert score(nb) == POINTS
    texts = [o.get("text") for o in cell_of(nb, "test_softmax").outputs]
    assert texts == [
        "3 tests passed\n",
        "Graded as passed: the grader's trusted run of these tests passed.\n",
    ]


def test_a_failed_verdict_scores_zero_with_the_judges_message_even_without_an_error():
    # Catches: the GradingError not added when the kernel showed no error (a student who
    # swallows the assertion would keep the points).
    nb, _ = ApplyVerdicts().preprocess(ran([STDOUT], {"passed": False, "message": "dz"}), {})
    assert score(nb) == 0
    (error,) = [o for o in cell_of(nb, "test_softmax").outputs if o.output_type == "error"]
    assert (error.ename, error.evalue) == ("GradingError", "dz")


def test_a_failed_verdict_with_the_kernels_error_shows_one_error():
    # Catches: ``if not any(...)`` dropped (two tracebacks on the feedback page).
    nb, _ = ApplyVerdicts().preprocess(ran([ERROR], {"passed": False, "message": "dz"}), {})
    assert [o.output_type for o in cell_of(nb, "test_softmax").outputs] == ["error"]


def test_no_verdict_means_the_hidden_tests_did_not_run_and_zero_points():
    # Catches: a missing verdict taken as passed, or the lookup by the full grade id (the
    # judge names an exercise "softmax", its test cell is "test_softmax").
    nb, _ = ApplyVerdicts().preprocess(ran([STDOUT]), {})
    assert score(nb) == 0
    assert cell_of(nb, "test_softmax").outputs[-1].evalue == "the hidden tests did not run"
    nb, _ = ApplyVerdicts().preprocess(ran([STDOUT], {"passed": True}), {})
    assert score(nb) == POINTS


def test_cells_that_are_not_test_cells_are_left_alone():
    # Catches: the is_grade filter removed (a GradingError in the answer cell or the check).
    nb = ran([], {"passed": True})
    cell_of(nb, "check").outputs = [STDERR]
    nb, _ = ApplyVerdicts().preprocess(nb, {})
    assert cell_of(nb, "check").outputs == [STDERR] and cell_of(nb, "softmax").outputs == []


def test_the_notes_and_a_status_other_than_graded_come_first():
    # Catches: the status not added to the notes, or the notes cell not inserted first.
    nb = ran([], {"passed": True}, status="timed out after 10 s", notes=["cell restored"])
    nb, _ = ApplyVerdicts().preprocess(nb, {})
    assert nb.cells[0].metadata[NOTES] == ["cell restored", "timed out after 10 s"]
    assert grade_ids(nb)[1:] == grade_ids(release())
    nb, _ = ApplyVerdicts().preprocess(ran([], {"passed": True}), {})
    assert grade_ids(nb) == grade_ids(release())  # no notes, no notes cell
    nbformat.validate(nb)


# ----------------------------------------------------------------- NormalizeSubmission


@pytest.fixture
def course(tmp_path):
    """A course root with the release of assignment "rnn", notebook "01_blocks"."""
    folder = tmp_path / "release" / "rnn"
    folder.mkdir(parents=True)
    nbformat.write(release(), str(folder / "01_blocks.ipynb"))
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    resources = {"nbgrader": {"assignment": "rnn", "notebook": "01_blocks"}}
    return tmp_path, config, resources


def test_normalize_submission_repairs_and_records_its_notes(course):
    # Catches: the notes, the unanswered list or the release changes not written to the
    # notebook's metadata (the feedback page would not tell the student).
    root, config, resources = course
    sub = submission()
    cell_of(sub, "check").source = "pass"
    nb, _ = NormalizeSubmission(config=config).preprocess(sub, resources)
    assert nb.metadata[META] == {
        "notes": ["read-only cell 'check' had been changed: restored"],
        "release_changes": [],
        "unanswered": [],
    }
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert len(list((root / "grading" / "releases" / "01_blocks").iterdir())) == 1
    blank, _ = NormalizeSubmission(config=config).preprocess(release(), resources)
    assert blank.metadata[META]["unanswered"] == ["softmax"]


def test_normalize_submission_compares_with_the_release_the_student_received(course):
    # Catches: ``normalize(nb, current, current)`` (an earlier student's untouched intro
    # reported as their change), or the release changes left out.
    root, config, resources = course
    NormalizeSubmission(config=config).preprocess(submission(), resources)  # snapshot v1
    fixed = release()
    cell_of(fixed, "intro").source = INTRO + " (typo fixed)"
    nbformat.write(fixed, str(root / "release" / "rnn" / "01_blocks.ipynb"))
    nb, _ = NormalizeSubmission(config=config).preprocess(submission(), resources)
    assert nb.metadata[META]["notes"] == [] and nb.metadata[META]["release_changes"] == ["intro"]
    assert cell_of(nb, "intro").source == INTRO + " (typo fixed)"


# ----------------------------------------------------------------- QuietOverwriteCells


class Recorder(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append((record.levelno, record.getMessage()))


@pytest.mark.parametrize("hidden, warned", [(True, False), (False, True)])
def test_only_the_expected_checksum_change_of_a_hidden_test_is_quiet(hidden, warned):
    # Catches: every checksum warning silenced (a real change of a test cell unreported),
    # or the hidden-tests one still shown (one warning per cell per student).
    pre = QuietOverwriteCells()
    log = logging.getLogger("test_quiet_overwrite")
    log.setLevel(logging.DEBUG)
    recorder = Recorder()
    log.addHandler(recorder)
    source = "assert check_softmax(softmax)\n" + (
        "### BEGIN HIDDEN TESTS\nhidden_check()\n### END HIDDEN TESTS\n" if hidden else ""
    )
    cells = {("test_softmax", "01_building_blocks", "rnn"): types.SimpleNamespace(source=source)}
    pre.gradebook = types.SimpleNamespace(find_source_cell=lambda *key: cells[key])
    pre.notebook_id, pre.assignment_id = "01_building_blocks", "rnn"
    pre.log = log
    pre.report_change("test_softmax", "checksum", "a", "b")
    pre.report_change("test_softmax", "points", 2, 3)  # never quiet
    warnings = [m for level, m in recorder.messages if level == logging.WARNING]
    assert any("checksum" in m for m in warnings) == warned
    assert any("points" in m for m in warnings)


# ----------------------------------------------------------------- SandboxedExecute


def record_of(nb):
    """The grading worker's record of a run of ``nb``: its outputs and the verdicts."""
    executed = copy.deepcopy(nb)
    cell_of(executed, "softmax").outputs = [STDOUT]
    cell_of(executed, "softmax").execution_count = 1
    return {
        "notebook": executed,
        "status": "graded",
        "verdicts": {"softmax": {"passed": True}},
        "stopped": {"#5": "timed out", "check": "timed out"},
    }


def test_the_workers_outputs_and_verdicts_are_used_when_the_cells_are_the_ones_that_ran(
    monkeypatch,
):
    # Catches: the record ignored (the notebook run a second time), or the verdicts, the
    # status or the unfinished cells not handed to ApplyVerdicts.
    monkeypatch.setattr(SandboxedExecute, "_execute_here", lambda *a: pytest.fail("ran again"))
    nb = submission()
    nb, _ = SandboxedExecute().preprocess(nb, {RUN: record_of(nb)})
    assert cell_of(nb, "softmax").outputs == [STDOUT]
    assert nb.metadata[META] == {
        "status": "graded",
        "verdicts": {"softmax": {"passed": True}},
        "unavailable": {"check": "timed out"},
    }


def test_a_record_of_other_cells_is_not_trusted(monkeypatch):
    # Catches: _cells_match dropped (the outputs of another notebook's run, e.g. before the
    # repairs, shown against these cells).
    calls = []

    def here(self, nb, resources):
        calls.append(nb)
        return record_of(nb)

    monkeypatch.setattr(SandboxedExecute, "_execute_here", here)
    nb = submission()
    stale = record_of(release())
    SandboxedExecute().preprocess(nb, {RUN: stale})
    assert len(calls) == 1
    extra = submission()
    extra.cells.append(new_code_cell("x = 1"))
    assert not pp._cells_match(nbformat.from_dict(record_of(submission())["notebook"]), extra)
