"""Feedback pages for the notebooks nbgrader makes no page for: not submitted, not a
readable notebook, not run to the end (or not graded for another reason).

Rendered with Jinja2 (templates/pages/*.html.j2, escaped) and the same stylesheet as the
notebook pages; each says what happened, the full error, and what to do about it.
"""

import os

import jinja2
from markupsafe import Markup

from course.exercises import EXERCISES

from . import TEMPLATES

GRADED, NOT_SUBMITTED = "graded", "not submitted"
INVALID = "not graded: invalid notebook"
NOT_RUN = "could not be run to the end"


def _num(value):
    return f"{float(value):g}"


def _environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(TEMPLATES, "pages")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    return env


def _css():
    with open(os.path.join(TEMPLATES, "feedback", "feedback.css"), encoding="utf-8") as f:
        return Markup(f.read())


def page_kind(status):
    """(template, detail) for a notebook's status; (None, "") if nbgrader's page is it."""
    if status == GRADED:
        return None, ""
    if status == NOT_SUBMITTED:
        return "missing.html.j2", ""
    if status.startswith(INVALID):
        return "unreadable.html.j2", status[len(INVALID) :].strip().removeprefix("(")[:-1]
    if status.startswith(NOT_RUN):
        return "not_run.html.j2", status
    return "not_graded.html.j2", status


def _exercises(notebook, entry):
    out = []
    for ex in EXERCISES.values():
        if ex.notebook != notebook:
            continue
        v = entry.get("verdicts", {}).get(ex.id, {})
        status = "not submitted" if entry.get("status") == NOT_SUBMITTED else "not graded"
        points = v.get("points") or 0.0
        max_points = v.get("max_points", ex.points)
        out.append(
            {"title": ex.title, "status": status, "points": points, "max_points": max_points}
        )
    return out


def render(student, notebook, entry, received=()):
    """The HTML page of one notebook that nbgrader has no page for."""
    template, detail = page_kind(entry.get("status", GRADED))
    if template is None:  # graded, but nbgrader made no page
        template, detail = "not_graded.html.j2", "no feedback page could be made for it"
    exercises = _exercises(notebook, entry)
    return (
        _environment()
        .get_template(template)
        .render(
            css=_css(),
            student=student,
            notebook=notebook,
            detail=detail,
            exercises=exercises,
            score=sum(e["points"] for e in exercises),
            max_score=sum(e["max_points"] for e in exercises),
            notes=entry.get("notes", []),
            received=list(received),
        )
    )


def write_problem_pages(feedback_dir, result, received=()):
    """Write ``<notebook>.html`` into ``feedback_dir`` for every notebook of ``result``
    (a per-student result dict) that has no page yet; return the paths written.

    ``received``: (file, reason) pairs of the student's files the intake could not use
    (``IntakeResult.skipped_for(student)``), listed on the page of a missing notebook.
    A page nbgrader made (graded notebooks) is never replaced.
    """
    written = []
    for notebook, entry in result.get("notebooks", {}).items():
        path = os.path.join(feedback_dir, notebook + ".html")
        if os.path.exists(path):
            continue
        os.makedirs(feedback_dir, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(render(result["student"], notebook, entry, received))
        written.append(path)
    return written
