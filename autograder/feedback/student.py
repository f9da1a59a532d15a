"""The feedback pages of one student, and only theirs: the one path that makes them, for
the grading pipeline (after each student's autograde) and for ``python -m
autograder.feedback`` (again, from the last grading run) alike.

nbgrader's GenerateFeedback runs in this process with the configuration it is given:
the grading run's own (``GradingCourse.config()``: the course's nbgrader_config.py, its root,
assignment and gradebook, ``--db-url`` included) or, from the command line, the course's
nbgrader_config.py alone. Not ``nbgrader generate_feedback`` in a subprocess: that one
also reads every Jupyter config directory (~/.jupyter, {sys.prefix}/etc/jupyter,
JUPYTER_CONFIG_DIR), so whatever the course's file does not set (a template, an
exporter's or a preprocessor's option: clean.py is what keeps a script a student wrote or
displayed out of the page) could come from elsewhere, and its gradebook is not the one
the run named with --db-url. In this process it is one configuration, one gradebook
reader after nbgrader's single writer (record.py), and no nbgrader start-up per student.
"""

import logging
import os

from nbgrader.converters import GenerateFeedback
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from .pages import write_problem_pages


class FeedbackError(RuntimeError):
    """nbgrader could not make a student's pages; the message has its errors."""


class _Errors(logging.Handler):
    """nbgrader's error messages of one GenerateFeedback, for FeedbackError."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def course_config(course_dir, assignment):
    """The course's nbgrader_config.py (none: nbgrader's defaults), with its root and
    assignment fixed."""
    if os.path.exists(os.path.join(course_dir, "nbgrader_config.py")):
        config = PyFileConfigLoader("nbgrader_config.py", path=course_dir).load_config()
    else:
        config = Config()
    config.CourseDirectory.root = os.path.abspath(course_dir)
    config.CourseDirectory.assignment_id = assignment
    return config


def notebook_pages(coursedir, config):
    """nbgrader's GenerateFeedback for ``coursedir``'s one student (its student_id):
    the pages of their autograded notebooks, with the course's template and
    preprocessors. FeedbackError with nbgrader's errors if it fails."""
    log = logging.getLogger(f"rnn-feedback.{coursedir.student_id}")
    log.setLevel(logging.ERROR)  # nbgrader's info and warnings are its usual chatter
    log.propagate = False
    errors = _Errors()
    log.addHandler(errors)
    conv = GenerateFeedback(coursedir=coursedir, config=config, log=log)
    conv.force = True  # it replaces that student's folder only
    try:
        conv.start()
    except NbGraderException:
        lines = [ln for msg in errors.lines for ln in msg.splitlines() if ln.strip()]
        raise FeedbackError(
            f"nbgrader generate_feedback --student {coursedir.student_id}:\n"
            + "\n".join(lines[-20:])
        ) from None
    finally:
        log.removeHandler(errors)


def regenerate(course_dir, result, assignment="rnn", received=(), config=None, strict=True):
    """Make the feedback pages (``feedback/<student>/<assignment>/*.html``) of the student
    of ``result``.

    1. nbgrader's GenerateFeedback (notebook_pages) if the student has autograded
       notebooks: the notebook pages, with the course's template;
    2. a page for every notebook nbgrader had nothing to make a page from (not
       submitted, unreadable, not run to the end), with ``received`` (the student's
       files the intake could not use) on the page of a missing notebook.

    ``result`` is the student's result dict (grading/summary.json "results");
    ``config``: the nbgrader configuration (default: course_config); ``strict=False``:
    a page nbgrader could not make is left to step 2 instead of raising FeedbackError.
    Returns the paths of the pages. Other students' pages are never touched.
    """
    student = result["student"]
    config = config if config is not None else course_config(course_dir, assignment)
    coursedir = CourseDirectory(
        config=config,
        root=os.path.abspath(course_dir),
        assignment_id=assignment,
        student_id=student,
    )
    autograded = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    feedback = coursedir.format_path(coursedir.feedback_directory, student, assignment)
    if os.path.isdir(autograded):
        try:
            notebook_pages(coursedir, config)
        except FeedbackError:
            if strict:
                raise
    write_problem_pages(feedback, result, received)
    return (
        sorted(os.path.join(feedback, f) for f in os.listdir(feedback) if f.endswith(".html"))
        if os.path.isdir(feedback)
        else []
    )
