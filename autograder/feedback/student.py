"""(Re)generate the feedback pages of one student, and only theirs."""

import os
import subprocess

from course.paths import tool_env, venv_bin

from ..coursedir import student_folder
from .pages import write_problem_pages


class FeedbackError(RuntimeError):
    """nbgrader could not make a student's pages; the message has its error output."""


def regenerate(course_dir, result, assignment="rnn", received=(), timeout=600):
    """Make ``feedback/<student>/<assignment>/*.html`` for the student of ``result`` (the
    folders named as the course's CourseDirectory names them).

    1. ``nbgrader generate_feedback <assignment> --student <student> --force`` in the
       course folder (it replaces that student's folder only) if the student has
       autograded notebooks: the notebook pages, with the course's template;
    2. a page for every notebook nbgrader had nothing to make a page from (not
       submitted, unreadable, not run to the end), with ``received`` (the student's
       files the intake could not use) on the page of a missing notebook.

    ``result`` is the student's result dict (grading/summary.json "results"). Returns
    the paths of the pages. Other students' pages are never touched.
    """
    student = result["student"]
    autograded = student_folder(course_dir, "autograded", student, assignment)
    feedback = student_folder(course_dir, "feedback", student, assignment)
    if os.path.isdir(autograded):
        proc = subprocess.run(
            [
                os.path.join(venv_bin(), "nbgrader"),
                "generate_feedback",
                assignment,
                "--student",
                student,
                "--force",
            ],
            cwd=course_dir,
            env=tool_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            raise FeedbackError(f"nbgrader generate_feedback --student {student}:\n{proc.stderr}")
    write_problem_pages(feedback, result, received)
    return (
        sorted(os.path.join(feedback, f) for f in os.listdir(feedback) if f.endswith(".html"))
        if os.path.isdir(feedback)
        else []
    )
