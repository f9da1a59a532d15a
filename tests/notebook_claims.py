"""nbval's run of each source notebook also recomputes its claims and checks its tests.

nbval executes every cell of source/rnn/NN.ipynb in one kernel, as pytest items
(``source/rnn/NN.ipynb::Cell k``); training a notebook's model is most of the suite's
notebook time, so that run is the only one. Around the notebook's own cells, in the same
kernel, two items are added at collection (tests/conftest.py):

- ``::as Validate runs it``, first: sets what nbgrader's Validate button sets while it
  runs a notebook (NBGRADER_VALIDATING, NBGRADER_EXECUTION: progress bars off);
- ``::claims``, last: evaluates the notebook's claims (authoring/claims/notebook_runs.py)
  in the notebook's namespace, saves the figures it showed to test-artifacts/plots/, and
  fails when a claim drifted from the value the text was rendered from, when a comparison
  the text makes is false, or when a test cell failed as nbgrader would fail it (an error,
  or anything on stderr: nbval itself passes a cell that wrote to stderr).

The cells run are source/rnn's, which tests/test_course_build.py keeps equal to what the
course text builds. (``pytest source/rnn/NN.ipynb`` alone loads no tests/conftest.py and
runs nbval only; name any path under tests/ with it, as ``make test`` does, for both.)
"""

import copy
import os
from collections import defaultdict

import nbformat
from nbval.plugin import IPyNbCell, NbCellError

from authoring import claims
from authoring.claims import notebook_runs
from course.paths import ROOT

ARTIFACTS = os.path.join(ROOT, "test-artifacts", "plots")
SOURCE = os.path.join(ROOT, "source", "rnn")
# What nbgrader's Validate button sets while it runs a notebook (progress bars off).
VALIDATING = {"NBGRADER_VALIDATING": "1", "NBGRADER_EXECUTION": "validate"}


def failed_test_cells(nb):
    """The grade ids of the test cells of an executed notebook that nbgrader's Validator
    fails (its own check: an error, or anything on stderr)."""
    from nbgrader.validator import Validator

    return [c.metadata["nbgrader"]["grade_id"] for c in Validator()._get_failed_cells(nb)]


class AddedCell(IPyNbCell):
    """A code cell that is not in the notebook, run by nbval in the notebook's kernel."""

    @classmethod
    def added(cls, notebook_file, name, source, **kwargs):
        cell = nbformat.v4.new_code_cell(source)
        options = defaultdict(bool, check=False)  # as nbval's own: run it, compare nothing
        item = cls.from_parent(notebook_file, name=name, cell_num=-1, cell=cell, options=options)
        for key, value in kwargs.items():
            setattr(item, key, value)
        return item

    def reportinfo(self):
        return self.path, 0, self.nodeid

    def repr_failure(self, excinfo):
        """nbval's report for a cell that failed to run; the message of a failed check."""
        if isinstance(excinfo.value, NbCellError):
            return super().repr_failure(excinfo)
        return f"{self.nodeid}: {excinfo.value}"


class ClaimsCell(AddedCell):
    """The last item of a source notebook: its claims, figures and test cells."""

    notebook = ""
    cells = ()  # the notebook's own nbval items, in order

    def runtest(self):
        os.makedirs(ARTIFACTS, exist_ok=True)
        super().runtest()
        fresh = notebook_runs.printed_claims(self.test_outputs)
        executed = self._executed()
        notebook_runs.save_figures(executed, self.notebook, ARTIFACTS)
        failed = failed_test_cells(executed)
        if failed:
            raise AssertionError(f"test cells nbgrader would give 0 (error or stderr): {failed}")
        stored = claims.load()["claims"]
        drifted = claims.drifted(stored, fresh)
        if drifted:
            raise AssertionError(f"claims drifted (name, stored, fresh): {drifted}")
        broken = claims.broken(dict(stored, **fresh))
        if broken:
            raise AssertionError(f"what the text says no longer holds: {broken}")

    def _executed(self):
        """The notebook (as nbval read it) with the outputs nbval's run gave each of its
        code cells."""
        nb = copy.deepcopy(self.parent.nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if len(code) != len(self.cells):
            raise AssertionError(f"nbval ran {len(self.cells)} of {len(code)} code cells")
        for cell, item in zip(code, self.cells, strict=True):
            ran = item.test_outputs is not None
            cell.outputs = item.test_outputs if ran else [_did_not_run()]
        return nb


def _did_not_run():
    return nbformat.v4.new_output("error", ename="NotRun", evalue="nbval did not run it")


def add_claims_items(items):
    """Insert the two added items around each source notebook's nbval cells in
    ``items`` (pytest's collected items, in place)."""
    for notebook, wanted in notebook_runs.CLAIMS.items():
        prefix = os.path.relpath(os.path.join(SOURCE, notebook + ".ipynb"), ROOT) + "::"
        cells = [i for i in items if i.nodeid.startswith(prefix) and isinstance(i, IPyNbCell)]
        if not cells:  # this notebook is not part of the run
            continue
        notebook_file = cells[0].parent
        setup = f"__import__('os').environ.update({VALIDATING!r})"
        first = AddedCell.added(notebook_file, "as Validate runs it", setup)
        report = notebook_runs.claims_code(notebook, wanted, figures_dir=ARTIFACTS)
        last = ClaimsCell.added(notebook_file, "claims", report, notebook=notebook, cells=cells)
        start = items.index(cells[0])
        items.insert(start, first)
        items.insert(items.index(cells[-1]) + 1, last)
