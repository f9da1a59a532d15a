"""Grade a whole class with one command.

    python -m autograder.grade [SUBMISSIONS] [--course DIR] [--workers N]
    make grade SUBMISSIONS=path/to/downloads

SUBMISSIONS is nbgrader's layout (<student>/rnn/*.ipynb; default: the course's
submitted/ folder) or a folder of LMS zip downloads named <student>.zip. The result:
autograded/ notebooks, gradebook.db scores, feedback/<student>/rnn/*.html (without
hidden tests), grades.csv (nbgrader export), and grading/summary.{md,png,json}.

Student code runs in a bubblewrap sandbox (no network, no access to source/, the
reference or gradebook.db, limits on memory, CPU and time), and scores come from a
judge outside it (see autograder/grading/). Safe to run again: every run re-grades
from the archived originals in grading/originals/.
"""

import argparse
import os
import sys
import time

from .grading import intake, run, summary
from .grading.course import Course
from .grading.sandbox import Limits, SandboxUnavailable, check_available
from .paths import ROOT


def main(argv=None):
    p = argparse.ArgumentParser(description="Grade every submission of the course.")
    p.add_argument(
        "submissions",
        nargs="?",
        default=None,
        help="folder of submissions (default: <course>/submitted)",
    )
    p.add_argument("--course", default=ROOT, help="nbgrader course directory")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument(
        "--notebook-seconds",
        type=int,
        default=Limits.wall_seconds,
        help="wall-clock limit of one notebook",
    )
    p.add_argument(
        "--cell-seconds", type=int, default=Limits.cell_seconds, help="time limit of one cell"
    )
    p.add_argument(
        "--memory-mb",
        type=int,
        default=Limits.memory_bytes // 2**20,
        help="memory limit of one kernel",
    )
    args = p.parse_args(argv)

    try:
        check_available()
    except SandboxUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    course = Course(args.course)
    t0 = time.perf_counter()
    if course.ensure_assignment():
        print(f"added assignment '{course.assignment}' to the gradebook")
    source = args.submissions or course.submitted()
    if not os.path.isdir(source):
        print(f"error: {source} is not a folder", file=sys.stderr)
        return 2
    students, problems = intake.collect(course, source)
    if args.student:
        students = [s for s in students if s in args.student]
    print(f"grading {len(students)} submissions with {args.workers} worker(s)")
    prepared = {s: intake.prepare(course, s) for s in students}
    limits = Limits(
        wall_seconds=args.notebook_seconds,
        cell_seconds=args.cell_seconds,
        memory_bytes=args.memory_mb * 2**20,
    )
    results = run.grade_all(course, students, prepared, workers=args.workers, limits=limits)

    fb = course.nbgrader("generate_feedback", course.assignment, "--force")
    if fb.returncode != 0:
        print(f"warning: nbgrader generate_feedback reported problems:\n{fb.stderr[-2000:]}")
    for result in results:
        if result["notebooks"]:
            run.write_failure_feedback(course, result)
    export = course.nbgrader("export")
    if export.returncode != 0:
        print(f"error: nbgrader export failed:\n{export.stderr[-2000:]}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - t0
    text = summary.write(course.work, results, problems, seconds, args.workers)
    print(text)
    print(
        f"grades: {course.path('grades.csv')}\nfeedback: {course.path('feedback')}\n"
        f"summary: {os.path.join(course.work, 'summary.md')} (and summary.png)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
