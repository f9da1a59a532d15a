"""The point totals the tests assert, derived from the registry (course.exercises.EXERCISES).

No test states a total as a number: a total is the sum of the points of the exercises it
counts, so that adding an exercise (README, "Adding an exercise") changes no test.
"""

from course.exercises import EXERCISES


def points(*notebooks):
    """The points of the exercises of ``notebooks`` (names without .ipynb); of the whole
    course if none is given."""
    return sum(e.points for e in EXERCISES.values() if not notebooks or e.notebook in notebooks)


def points_of(*exercise_ids):
    """The points of the exercises ``exercise_ids``."""
    return sum(EXERCISES[i].points for i in exercise_ids)
