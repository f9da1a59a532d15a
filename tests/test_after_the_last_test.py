"""Grading does not run the code cells after a notebook's last test cell (notebook 7
trains its language model there): they cannot change a score. Cells a later notebook
imports (answers, setup and given code) still run, wherever they are."""

import os
import subprocess
import sys

import nbclient
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_builder import graded, release

from autograder.grading.execute import after_the_last_test, is_test
from course.paths import SOURCE_DIR, tool_env
from helpers.notebooks import CARRIED_TAG


def with_cells(*cells):
    nb = release()
    nb.cells += list(cells)
    return nb


def test_a_demo_after_the_last_test_is_not_run():
    nb = with_cells(new_code_cell("train(model, n_steps=400)"), new_markdown_cell("Samples:"))
    assert after_the_last_test(nb) == [4]


def test_every_cell_before_the_last_test_runs():
    nb = release()  # intro, answer, check, test: the test is last
    assert after_the_last_test(nb) == []
    demo_then_test = with_cells(
        new_code_cell("plot(losses)"),
        graded(new_code_cell("hidden_check('x', globals())"), "test_x", grade=True, points=1),
    )
    assert after_the_last_test(demo_then_test) == []


def test_cells_a_later_notebook_imports_still_run():
    setup = new_code_cell("def helper(): ...")
    setup.metadata["tags"] = [CARRIED_TAG]
    answer = graded(new_code_cell("def late_answer(): ..."), "late", solution=True)
    nb = with_cells(setup, answer, new_code_cell("demo()"), new_code_cell("   "))
    assert after_the_last_test(nb) == [6]  # the demo; not the setup, answer or blank cell


def test_a_notebook_without_a_test_cell_runs_whole():
    nb = release()
    nb.cells = [c for c in nb.cells if not c.metadata["nbgrader"].get("grade")]
    nb.cells.append(new_code_cell("demo()"))
    assert after_the_last_test(nb) == []


def test_a_test_cell_is_what_nbgrader_calls_a_grade_cell():
    from nbgrader.utils import is_grade

    cells = [new_code_cell("x"), new_markdown_cell("y")]
    for grade in (True, False, None):
        for cell in (new_code_cell("x"), new_markdown_cell("y")):
            cell.metadata["nbgrader"] = {"grade_id": "g", "solution": True}
            if grade is not None:
                cell.metadata["nbgrader"]["grade"] = grade
            cells.append(cell)
    assert [is_test(c) for c in cells] == [bool(is_grade(c)) for c in cells]
    assert sum(map(is_test, cells)) == 2


def test_a_grading_worker_does_not_import_nbgrader():
    """It runs no nbgrader code; importing it cost each worker process 0.84 CPU-s."""
    code = "import sys, autograder.grading.backends; print('nbgrader' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "False\n", out.stderr


# Notebooks whose plots all come after their last test: their graded kernels draw
# nothing, so they should not pay for importing matplotlib (0.4 CPU-s per kernel,
# measured; helpers/plotting.py imports it when a plot is drawn).
DRAW_ONLY_AFTER_THEIR_TESTS = ["05_memorization.ipynb", "06_gated_cells.ipynb", "07_char_lm.ipynb"]


@pytest.mark.slow  # a kernel per notebook
@pytest.mark.parametrize("name", DRAW_ONLY_AFTER_THEIR_TESTS)
def test_the_cells_grading_runs_import_no_plotting_library(name):
    nb = nbformat.read(os.path.join(SOURCE_DIR, name), as_version=4)
    skipped = set(after_the_last_test(nb))
    nb.cells = [c for i, c in enumerate(nb.cells) if i not in skipped]
    nb.cells.append(new_code_cell("import sys\nprint('matplotlib' in sys.modules)"))
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": SOURCE_DIR}}
    )
    client.execute(env=tool_env())
    assert nb.cells[-1].outputs[0]["text"] == "False\n", (
        f"a cell of {name} that grading runs imports matplotlib: import it in the cell "
        f"that draws (after the last test), as helpers/plotting.py does"
    )
