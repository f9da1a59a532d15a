"""The README's course table, generated from the exercise registry.

Between the markers ``<!-- course table -->`` and ``<!-- end of course table -->`` the
README lists every graded notebook, its exercises with their points, and the total;
``make notebooks`` rewrites it and the build's check fails if it is out of date.
"""

import os
import re

from .exercises import EXERCISES, notebooks
from .paths import ROOT

README = os.path.join(ROOT, "README.md")
START, END = "<!-- course table -->", "<!-- end of course table -->"


def course_table():
    """The Markdown table: notebook, its exercises (points each), its points."""
    rows = ["| notebook | graded exercises (points) | points |", "|---|---|---|"]
    for notebook in notebooks():
        exercises = [e for e in EXERCISES.values() if e.notebook == notebook]
        listed = ", ".join(f"`{e.title}` ({e.points})" for e in exercises)
        rows.append(f"| `{notebook}` | {listed} | {sum(e.points for e in exercises)} |")
    total = sum(e.points for e in EXERCISES.values())
    rows.append(f"| **total** | {len(EXERCISES)} exercises | **{total}** |")
    return "\n".join(rows)


def readme_with_table(text):
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise ValueError(f"README.md has no {START} ... {END} section")
    return pattern.sub(lambda _: f"{START}\n{course_table()}\n{END}", text)


def update_readme(path=README):
    """Rewrite the table in README.md; True if it changed."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    new = readme_with_table(text)
    if new != text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(new)
    return new != text


def readme_is_current(path=README):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return readme_with_table(text) == text
