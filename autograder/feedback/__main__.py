"""Make the feedback pages again, for some or all students, from the last grading run.

    python -m autograder.feedback [--student ID ...] [--course DIR]

Reads <course>/grading/summary.json (written by ``python -m autograder.grade``) and the
record of every file taken in (grading/intake.json), and, for each student, runs
nbgrader's GenerateFeedback with the course's nbgrader_config.py and writes the pages of
notebooks nbgrader has none for (student.regenerate, the grading pipeline's own path).
Only those students' folders in <course>/feedback/ change.
"""

import argparse
import json
import os
import sys

from course.paths import ASSIGNMENT, ROOT

from .student import FeedbackError, regenerate


def _record(course, summary):
    """The class's record of every file taken in: grading/intake.json (kept by make
    collect and make grade alike), else the one the last grading run saw."""
    try:
        with open(os.path.join(course, "grading", "intake.json"), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return summary.get("intake", {})


def _received(record, student):
    skipped = record.get("skipped", [])
    return [(s["file"], s["reason"]) for s in skipped if s.get("student") == student]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--course", default=ROOT, help="the nbgrader course folder")
    args = p.parse_args(argv)
    path = os.path.join(args.course, "grading", "summary.json")
    try:
        with open(path, encoding="utf-8") as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        print(f"error: cannot read {path} ({e}): grade first", file=sys.stderr)
        return 2
    results = {r["student"]: r for r in summary.get("results", [])}
    unknown = sorted(set(args.student or ()) - set(results))
    if unknown:
        print(f"error: not in the last grading run: {', '.join(unknown)}", file=sys.stderr)
        return 2
    status, record = 0, _record(args.course, summary)
    for student in args.student or sorted(results):
        try:
            pages = regenerate(
                args.course, results[student], ASSIGNMENT, _received(record, student)
            )
            print(f"{student}: {len(pages)} page(s)")
        except FeedbackError as e:
            print(f"error: {e}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
