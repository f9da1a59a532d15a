"""The class summary: grading/summary.md, summary.png and summary.json.

    write(out_dir, results, problems, seconds, workers, *, names=None, intake=None,
          release_changes=None, graded=None)

``results``: the per-student result dicts (any set of students: a partial run passes the
merged class); ``problems``: {student: why not graded}; ``release_changes``: {notebook:
[cell ids]} the instructor changed since some student's release (listed once, not as
tampering); ``names``: {student: name} from the roster; ``intake``: the IntakeResult of
what was taken in (its skipped files are listed); ``graded``: how many students this
run graded. The text and the chart are made in
autograder/reports/.
"""

import json
import os

from ..reports import figure, markdown


def write(
    out_dir,
    results,
    problems,
    seconds,
    workers,
    *,
    names=None,
    intake=None,
    release_changes=None,
    graded=None,
    stale=None,
    due=None,
):
    """Write summary.md, summary.json and summary.png into ``out_dir``; return the text.
    ``stale``: lines naming the grades and bundles of an earlier release (stale.py);
    ``due``: the due date as text, with its zone."""
    os.makedirs(out_dir, exist_ok=True)
    text = markdown.render(
        results, problems, seconds, workers, names, intake, release_changes, graded, stale, due
    )
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as f:
        f.write(text)
    data = {"seconds": seconds, "workers": workers, "results": results, "not_graded": problems}
    if names:
        data["names"] = names
    if intake is not None:
        data["intake"] = intake.as_dict()
    if release_changes:
        data["release_changes"] = release_changes
    if stale:
        data["stale"] = stale
    if due:
        data["due"] = due
    with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1)
    figure.figure(results).savefig(os.path.join(out_dir, "summary.png"), dpi=90)
    return text
