"""Scores per exercise and in total, read from nbgrader's gradebook, in course order."""

from dataclasses import dataclass

from nbgrader.api import MissingEntry

from course.exercises import EXERCISES


@dataclass(frozen=True)
class Column:
    exercise: str  # exercise id ("" for the total)
    title: str  # its title in the registry ("total" for the total)
    notebook: str
    max_score: float


def columns(gradebook, assignment):
    """One Column per graded exercise of ``assignment``, in course order, then the total.

    Exercises are the registry's (course/exercises); their maximum is the gradebook's
    (what ``nbgrader generate_assignment`` recorded from the notebooks).
    """
    out = []
    for ex in EXERCISES.values():
        try:
            cell = gradebook.find_grade_cell(f"test_{ex.id}", ex.notebook, assignment)
        except MissingEntry:
            continue
        out.append(Column(ex.id, ex.title, ex.notebook, cell.max_score))
    total = gradebook.find_assignment(assignment).max_score
    return out + [Column("", "total", "", total)]


def student_scores(gradebook, assignment, student_id, cols):
    """{exercise id (or "" for the total): score}, or None if the student did not submit.

    Exercise scores are nbgrader's cell scores (manual score if a grader set one, else
    the autograder's). The total is nbgrader's: the sum minus the late penalty, at least
    0 (as in ``nbgrader export``); a late penalty is per notebook, so it is in the total
    only.
    """
    try:
        submission = gradebook.find_submission(assignment, student_id)
    except MissingEntry:
        return None
    scores = {}
    for col in cols:
        if col.exercise:
            name = f"test_{col.exercise}"
            scores[col.exercise] = gradebook.find_grade(
                name, col.notebook, assignment, student_id
            ).score
    scores[""] = max(0.0, submission.score - submission.late_submission_penalty)
    return scores


def format_score(value):
    """Canvas compares scores to two decimals; no trailing zeros."""
    return f"{round(value, 2):g}"
