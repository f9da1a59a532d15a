"""summary.md, rendered from templates/summary.md.j2."""

import os
import statistics

import jinja2

from course.exercises import notebooks as course_notebooks

from . import stats

TEMPLATES = os.path.join(os.path.dirname(__file__), "templates")
MAX_FAILURES = 3  # most common failure messages shown per exercise


def _num(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


def _pct(count, total):
    return f"{count} ({100 * count / total:.0f} %)" if total else "0"


def _md(text):
    """One line of Markdown: newlines (a message and its hint) become " / "."""
    return " / ".join(line.strip() for line in str(text).splitlines() if line.strip())


def _cell(text):
    return _md(text).replace("|", "\\|")


def students_in(intake):
    return intake.students if intake else {}


# Files every download has that say nothing about the student's work.
QUIET_CODES = ("system file", "submission time")


def intake_notes(intake, student):
    """What the record says of a student: its notes (late marks, corrected times, how a
    time was read) and each of their files that was not graded, with the reason (a
    renamed notebook, an identical copy, an unreadable file), so that their section shows
    why a notebook counts as not submitted."""
    if not intake:
        return []
    notes = list(intake.students[student].notes) if student in intake.students else []
    return notes + [
        f"not graded: `{s.file}`: {s.reason}"
        for s in intake.skipped
        if s.student == student and s.code not in QUIET_CODES
    ]


def environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(num=_num, pct=_pct, md=_md, cell=_cell)
    return env


def render(
    results,
    problems,
    seconds=None,
    workers=None,
    names=None,
    intake=None,
    release_changes=None,
    graded=None,
    stale=None,
    due=None,
):
    """The text of summary.md for ``results`` (any set of students) and ``problems``
    ({student: why not graded}); ``names``: {student: name}; ``intake``: IntakeResult;
    ``release_changes``: {notebook: [cell ids]} changed since some student's release;
    ``graded``: how many of them this run graded; ``stale``: lines naming grades and
    bundles of an earlier release; ``due``: the due date with its zone."""
    names = names or {}
    results = sorted(results, key=lambda r: r["student"])
    totals = [r.get("total", 0) or 0 for r in results]
    top = stats.max_points(results)
    return (
        environment()
        .get_template("summary.md.j2")
        .render(
            results=results,
            seconds=seconds,
            workers=workers,
            problems=problems or {},
            intake=intake,
            release_changes=release_changes or {},
            top=top,
            mean=round(statistics.fmean(totals), 1) if totals else 0,
            median=statistics.median(totals) if totals else 0,
            full=sum(t >= top for t in totals),
            zero=sum(t == 0 for t in totals),
            exercises=stats.exercise_stats(results),
            max_failures=MAX_FAILURES,
            histogram=stats.histogram(totals, top),
            notebooks=course_notebooks(),
            students=[stats.student_report(r, names) for r in results],
            name_of=lambda s: f" ({names[s]})" if s in names else "",
            intake_notes=lambda s: intake_notes(intake, s),
            graded=graded,
            stale=stale or [],
            due=due,
        )
    )
