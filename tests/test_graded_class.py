"""The hidden grading figures, on the suite's one class graded over every notebook
(graded_class.py): the reference gets full marks, the untouched release 0, and a hang
in one answer costs that exercise only (no cascade into the notebooks that import it).
Attacks gaining nothing and bugs costing exactly their points: test_grading_pipeline.py."""

import nbformat
import pytest
from graded_class import feedback_never_shows_hidden_tests, gradebook_and_grades_csv_agree

from course.exercises import EXERCISES, notebooks

pytestmark = pytest.mark.slow

FULL = sum(e.points for e in EXERCISES.values())


def total(run, student):
    return run["results"][student]["total"]


def failed_checks(run, student):
    return sorted(
        c
        for e in run["results"][student]["notebooks"].values()
        for c, v in e["verdicts"].items()
        if not v["passed"]
    )


def test_every_notebook_of_the_assignment_is_graded(graded_class):
    for student, result in graded_class["results"].items():
        assert sorted(result["notebooks"]) == notebooks(), student
        assert all(e["status"] == "graded" for e in result["notebooks"].values()), student


def test_reference_gets_full_marks_and_release_gets_zero(graded_class):
    assert total(graded_class, "perfect") == FULL
    assert failed_checks(graded_class, "perfect") == []
    assert total(graded_class, "untouched") == 0


def test_a_hang_in_one_answer_costs_that_exercise_only(graded_class):
    # notebook 1 hangs once; the later notebooks import it without running that cell again
    assert total(graded_class, "hang_in_softmax") == FULL - EXERCISES["softmax"].points
    assert failed_checks(graded_class, "hang_in_softmax") == ["softmax"]
    notes = graded_class["results"]["hang_in_softmax"]["notebooks"][notebooks()[0]]["notes"]
    assert any("'softmax' stopped after" in n for n in notes), notes


def test_gradebook_and_grades_csv_agree_with_the_judge(graded_class):
    gradebook_and_grades_csv_agree(graded_class)


def test_feedback_never_shows_hidden_tests(graded_class):
    feedback_never_shows_hidden_tests(graded_class)


def test_the_cells_after_the_last_test_are_not_run_and_say_so(graded_class):
    """Notebook 7 trains its model after its last test: grading does not (a note instead)."""
    import os

    from autograder.grading.execute import NOT_RUN, after_the_last_test

    last = notebooks()[-1]
    path = os.path.join(graded_class["course"], "autograded", "perfect", "rnn", last + ".ipynb")
    with open(path) as f:
        nb = nbformat.reads(f.read(), as_version=4)
    skipped = after_the_last_test(nb)
    assert any("train_char_model(" in nb.cells[i].source for i in skipped), last
    for i in skipped:
        assert [o.get("text") for o in nb.cells[i].outputs] == [NOT_RUN], i
    ran = [c for c in nb.cells[: skipped[0]] if c.cell_type == "code" and c.source.strip()]
    assert all(c.outputs or c.execution_count for c in ran)
