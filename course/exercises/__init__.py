"""Every graded exercise of the course, each declared once.

An exercise is declared in the module of its notebook (building_blocks.py, ...) with its
id, title, points, the reference object it is judged against, how the tests call it (a
runner from ``helpers.checks``), its visible and hidden cases, hints and typical
mistakes. Everything else is derived from these declarations:

  - the visible tests students run (``helpers/checks/visible_tests.json``, written by
    ``authoring.build``), hence every ``check_<id>`` function;
  - the test cells of the notebooks, their grade ids and points (``authoring.build``);
  - the judge's reference table and hidden cases (``course.judge``);
  - the earlier exercises that stand in as reference ("collaborators") while a later one
    is graded, so a mistake is graded once;
  - the course tables of the README and the start-here notebook.

Adding an exercise: write the reference function (course/reference/), its section in
the course text (course/text/NN_*.md: a ``solution`` cell and an ``exercise`` cell),
and its declaration here. See "Adding an exercise" in the README.
"""

import inspect
from dataclasses import replace

from . import (
    bptt,
    building_blocks,
    char_lm,
    exploding_vanishing,
    gated_cells,
    memorization,
    rnn_forward,
)
from .exercise import Exercise, Mistake, planted

__all__ = ["EXERCISES", "Exercise", "Mistake", "collaborators", "notebooks", "planted"]

NOTEBOOK_MODULES = (
    building_blocks,
    rnn_forward,
    bptt,
    exploding_vanishing,
    memorization,
    gated_cells,
    char_lm,
)


def _collect():
    out = {}
    for module in NOTEBOOK_MODULES:
        for exercise in module.DECLARED:
            if exercise.id in out:
                raise ValueError(f"exercise {exercise.id!r} is declared twice")
            out[exercise.id] = replace(exercise, notebook=module.NOTEBOOK)
    return out


EXERCISES = _collect()  # id -> Exercise, in course order


def notebooks():
    """The graded notebooks, in order."""
    return list(dict.fromkeys(e.notebook for e in EXERCISES.values()))


def collaborators(exercise_id):
    """Ids of the earlier exercises the student writes as plain functions.

    Code that calls them (the loss inside a training step, clipping inside the explosion
    experiment) is graded with the reference in their place, so their mistakes cost
    points once, in their own exercise.
    """
    out = []
    for other in EXERCISES.values():
        if other.id == exercise_id:
            return out
        if inspect.isfunction(other.reference):
            out.append(other.id)
    raise KeyError(exercise_id)
