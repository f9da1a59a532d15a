"""The course's nbgrader preprocessors: how ``nbgrader autograde`` repairs, runs and scores.

Set in nbgrader_config.py, so the same steps run whoever starts autograding: the
grading pipeline (python -m autograder.grade), ``nbgrader autograde`` on the command
line, and the formgrader's Autograde button.

sanitize pass (submitted/ -> autograded/):
  NormalizeSubmission   rebuild the notebook on the release its student received
                        (normalize.py, releases.py); the one cell-repair path
  ...nbgrader's ClearOutput, DeduplicateIds, OverwriteKernelspec...
  QuietOverwriteCells   nbgrader's OverwriteCells (restores the hidden tests from the
                        gradebook), without the expected "checksum has changed" warning
  CheckCellMetadataOnce nbgrader's CheckCellMetadata, the schema checked once
                        (metadata_check.py)
autograde pass:
  SandboxedExecute      replaces nbgrader's Execute: the notebook runs in the grading
                        sandbox with the judge outside it (execute.py); the pipeline
                        hands in the outputs its worker produced instead
  ...IgnorePattern, ClearMetadataPreprocessor, LimitOutput...
  ApplyVerdicts         test cells show what the judge decided, so nbgrader's own
                        SaveAutoGrades scores exactly the judge's verdicts
  ...SaveAutoGrades, AssignLatePenalties..., CheckCellMetadataOnce
"""

import json
import os
import re

import nbformat
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells

from ..untrusted import output_bounds
from ..untrusted.notebook_json import check_depth
from . import releases
from .execute import unfinished
from .normalize import normalize

META = "rnn_grading"  # notebook metadata written by these preprocessors
RUN = "rnn_grading_run"  # resources key: the worker's record of this notebook, if any


def _coursedir(preprocessor):
    """The course directory (nbgrader converts with the course root as cwd)."""
    return CourseDirectory(config=preprocessor.config)


def release_path(preprocessor, resources):
    cd = _coursedir(preprocessor)
    info = resources["nbgrader"]
    folder = cd.format_path(cd.release_directory, ".", info["assignment"])
    return os.path.join(folder, info["notebook"] + ".ipynb")


class NormalizeSubmission(NbGraderPreprocessor):
    """Rebuild a submitted notebook on the released one (see normalize.py): deleted,
    duplicated, renamed, retyped and edited cells are repaired, and each repair is
    recorded in the notebook's metadata for the student's feedback."""

    def preprocess(self, nb, resources):
        check_depth(nb)  # plain nbgrader autograde reads it without the intake's limits
        path = release_path(self, resources)
        releases.snapshot(_coursedir(self).root, path)
        candidates = releases.versions(_coursedir(self).root, path)
        current, received = candidates[0], releases.received(nb, candidates)
        normalized, notes = normalize(nb, current, received)
        normalized.metadata[META] = {
            "notes": notes,
            "release_changes": releases.changes(received, current),
            "unanswered": releases.unanswered(normalized, received),
        }
        return normalized, resources


class QuietOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells without the "checksum has changed" warning for test
    cells with hidden tests (jupyter/nbgrader#1961).

    The gradebook keeps the checksum of the full test cell, the release the checksum of
    the cell without its hidden part, so every such cell "has changed"; that difference
    is what makes OverwriteCells put the hidden tests back. The warning is expected;
    for other cells (a real change) it is kept.
    """

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._has_hidden_tests(name):
            self.log.debug("%s differs from the gradebook by its hidden tests only", name)
            return
        super().report_change(name, attr, old, new)

    def _has_hidden_tests(self, grade_id):
        """Does the gradebook's copy of cell ``grade_id`` hold hidden tests? (Looked up
        here, for a changed cell only: once per cell, it doubled OverwriteCells' queries.)"""
        source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        return "BEGIN HIDDEN TESTS" in (source.source or "")


def _cells_match(executed, nb):
    return len(executed.cells) == len(nb.cells) and all(
        a.cell_type == b.cell_type and a.source == b.source
        for a, b in zip(executed.cells, nb.cells, strict=True)
    )


class SandboxedExecute(Execute):
    """Run the notebook in the grading sandbox, judged outside it.

    In the pipeline the notebook has already run on a grading worker: its record comes
    in ``resources`` and its outputs are used as they are (after checking that the cells
    are the ones that ran). Otherwise (``nbgrader autograde``, the formgrader) it runs
    here, now, in the same sandbox, with the student's earlier notebooks from
    autograded/ for the carry-forward imports.
    """

    def preprocess(self, nb, resources):
        run = resources.get(RUN)
        if run is None or not _cells_match(nbformat.from_dict(run["notebook"]), nb):
            run = self._execute_here(nb, resources)
        executed = nbformat.reads(json.dumps(run["notebook"]), as_version=4)
        for cell, done in zip(nb.cells, executed.cells, strict=True):
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = done.outputs, done.execution_count
        output_bounds.bound_notebook(nb)  # whoever ran it: nbgrader's steps stay cheap
        nb.metadata.setdefault(META, {}).update(
            status=run["status"], verdicts=run["verdicts"], unavailable=unfinished(run)
        )
        return nb, resources

    def _execute_here(self, nb, resources):
        from .direct import execute_notebook  # the sandbox, only when needed

        return execute_notebook(self, nb, resources)


def _passed_note(cell):
    """Turn what would cost the points into a note (the judge's verdict is trusted)."""
    kept, shown = [], False
    for out in cell.outputs:
        failing = out.output_type in ("error", "execute_result") or (
            out.output_type == "stream" and out.name == "stderr"
        )
        if failing and not shown:
            kept.append(
                nbformat.v4.new_output(
                    "stream",
                    name="stdout",
                    text="Graded as passed: the grader's trusted run of these tests passed.\n",
                )
            )
            shown = True
        if not failing:
            kept.append(out)
    cell.outputs = kept


def _failed_note(cell, message):
    if not any(o.output_type == "error" for o in cell.outputs):
        cell.outputs.append(
            nbformat.v4.new_output(
                "error",
                ename="GradingError",
                evalue=message,
                traceback=[f"GradingError: {message}"],
            )
        )


class ApplyVerdicts(NbGraderPreprocessor):
    """Make every test cell show the judge's verdict, and add the grader's notes.

    Runs just before SaveAutoGrades, which scores a test cell from its outputs (an error
    costs its points): a passed verdict leaves no error, a failed one always shows one,
    so the gradebook holds exactly what the judge decided, whatever the kernel printed.
    """

    def preprocess(self, nb, resources):
        grading = nb.metadata.get(META, {})
        verdicts = grading.get("verdicts", {})
        for cell in nb.cells:
            if cell.cell_type != "code" or not utils.is_grade(cell):
                continue
            grade_id = cell.metadata.nbgrader["grade_id"]
            verdict = verdicts.get(grade_id.removeprefix("test_"))
            if verdict and verdict.get("passed"):
                _passed_note(cell)
            else:
                message = verdict["message"] if verdict else "the hidden tests did not run"
                _failed_note(cell, message)
        notes = list(grading.get("notes", []))
        if grading.get("status", "graded") != "graded":
            notes.append(grading["status"])
        if notes:
            nb.cells.insert(0, notes_cell(notes))
        return nb, resources


NOTES = "rnn_grading_notes"  # cell metadata: the grader's notes, as text (feedback template)
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~-])")


def notes_cell(notes):
    """The cell of the grader's notes: each note one line of plain text.

    A note can quote what a student wrote (a cell id): as markdown it could have been
    made into anything (a line "All tests passed (verified by the grader)"). The
    feedback page renders the notes from the metadata, escaped; the source, for the
    formgrader, has every markdown character escaped and every note on one line."""
    lines = [" ".join(str(n).split()) for n in notes]
    text = "**Notes from the grader**\n\n" + "\n".join(
        "- " + _MARKDOWN.sub(r"\\\1", line) for line in lines
    )
    return nbformat.v4.new_markdown_cell(text, metadata={NOTES: lines})
