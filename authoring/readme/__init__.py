"""README.md's generated parts, rendered from templates next to this file.

README.md marks each part with ``<!-- NAME -->`` and ``<!-- end of NAME -->``; the part
between them is a comment saying so (authoring/generated.py), then ``NAME.md.j2`` rendered
with the exercise registry, the computed claims and the measured figures. ``make notebooks``
rewrites them; the build's check fails when one is out of date, so the README cannot state
a figure the code does not produce.
"""

import os
import re

from autograder.grade import parser
from autograder.grading import settings
from autograder.grading.grading_course import GradingCourse
from autograder.grading.sandbox import Limits
from autograder.grading.timing import TimeLimits
from course.exercises import EXERCISES, notebooks
from course.paths import ROOT

from .. import generated, house
from ..render import render

README = os.path.join(ROOT, "README.md")
TEMPLATES = os.path.dirname(__file__)
PARTS = ("intro", "course table", "house", "grading options", "grading limits", "benchmarks")
OPTION_NAME = re.compile(r"\b(c\.\w+\.\w+)")


def _code(text):
    """Option names (c.Section.name) as code."""
    return OPTION_NAME.sub(r"`\1`", text)


def grade_options(config):
    """[(flags, help)] of python -m autograder.grade, with the course's defaults."""
    rows = []
    for action in parser(config)._actions:
        if action.option_strings and action.dest != "help":
            flag = action.option_strings[-1]
            rows.append((f"{flag} {action.metavar}" if action.metavar else flag, action.help))
    return [(flags, _code(text)) for flags, text in rows]


def grading_settings(config):
    """The grading system's options (settings.py): the course's value and the help."""
    rows = []
    for section, name, value, default, text in settings.options(config):
        shown = (
            _shown(value) if value == default else f"{_shown(value)} (default {_shown(default)})"
        )
        rows.append(dict(name=f"c.{section}.{name}", value=shown, help=text))
    return rows


def _shown(value):
    return "unset" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def context(text_context, root=ROOT):
    """The values the README's parts are rendered with; the grading limits and options
    are those of the course at ``root`` (its nbgrader_config.py)."""
    by_notebook = {nb: [e for e in EXERCISES.values() if e.notebook == nb] for nb in notebooks()}
    config = GradingCourse(root).config()
    return dict(
        text_context,
        by_notebook=by_notebook,
        total_exercises=len(EXERCISES),
        total_points=sum(e.points for e in EXERCISES.values()),
        limits=TimeLimits.configured(config),
        sandbox=Limits.configured(config),
        grade_options=grade_options(config),
        grading_settings=grading_settings(config),
        house=house.mermaid(),
    )


def template(name):
    """The template file of the part ``name``."""
    return name.replace(" ", "_") + ".md.j2"


def rendered_part(name, values):
    with open(os.path.join(TEMPLATES, template(name))) as f:
        return render(f.read(), values).strip("\n")


def _indented(text, indent):
    return "\n".join(indent + line if line else line for line in text.split("\n"))


def with_parts(text, values):
    """``text`` (README.md) with every generated part rendered afresh; a part whose start
    marker is indented (inside a list item) is indented as much."""
    for name in PARTS:
        start, end = f"<!-- {name} -->", f"<!-- end of {name} -->"
        pattern = re.compile(r"^([ \t]*)" + re.escape(start) + r".*?" + re.escape(end), re.S | re.M)
        if not pattern.search(text):
            raise ValueError(f"README.md has no {start} ... {end} part")
        note = generated.readme_part(template(name))
        part = f"{start}\n{note}\n{rendered_part(name, values)}\n{end}"
        text = pattern.sub(lambda m, p=part: _indented(p, m.group(1)), text)
    return text


def update(text_context, path=README):
    """Rewrite README.md's generated parts; True if anything changed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = with_parts(text, context(text_context))
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return new != text


def is_current(text_context, path=README):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return with_parts(text, context(text_context)) == text
