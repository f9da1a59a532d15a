"""README.md's generated parts, rendered from templates next to this file.

README.md marks each part with ``<!-- NAME -->`` and ``<!-- end of NAME -->``; the part
between them is ``NAME.md.j2`` rendered with the exercise registry, the computed claims
and the measured figures. ``make notebooks`` rewrites them; the build's check fails when
one is out of date, so the README cannot state a figure the code does not produce.
"""

import os
import re

from autograder.grading.sandbox import Limits
from autograder.grading.timing import TimeLimits
from course.exercises import EXERCISES, notebooks
from course.paths import ROOT

from .. import house
from ..render import render

README = os.path.join(ROOT, "README.md")
TEMPLATES = os.path.dirname(__file__)
PARTS = ("intro", "course table", "house", "grading limits", "benchmarks")


def context(text_context):
    by_notebook = {nb: [e for e in EXERCISES.values() if e.notebook == nb] for nb in notebooks()}
    return dict(
        text_context,
        by_notebook=by_notebook,
        total_exercises=len(EXERCISES),
        total_points=sum(e.points for e in EXERCISES.values()),
        limits=TimeLimits(),
        sandbox=Limits(),
        house=house.mermaid(),
    )


def rendered_part(name, values):
    with open(os.path.join(TEMPLATES, name.replace(" ", "_") + ".md.j2")) as f:
        return render(f.read(), values).strip("\n")


def with_parts(text, values):
    """``text`` (README.md) with every generated part rendered afresh."""
    for name in PARTS:
        start, end = f"<!-- {name} -->", f"<!-- end of {name} -->"
        pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md has no {start} ... {end} part")
        replacement = f"{start}\n{rendered_part(name, values)}\n{end}"
        text = pattern.sub(lambda _, r=replacement: r, text)
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
