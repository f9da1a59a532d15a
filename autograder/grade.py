"""Grade a whole class with one command.

    python -m autograder.grade [SUBMISSIONS] [--course DIR] [--workers N] [--student ID]
                               [--all] [--dask tcp://scheduler:8786] [--db-url URL]
    make grade SUBMISSIONS=path/to/downloads

SUBMISSIONS (default: the course's submitted/ folder) is any folder of submissions:
LMS bulk downloads (Canvas, Moodle, Blackboard), per-student zips or folders, nbgrader's
<student>/rnn/*.ipynb, in any mix; its notebooks are collected into submitted/ first
(autograder/intake/: every other file is listed with its reason). By default a run
grades the submissions that are new or changed since they were last graded (--all:
everyone; --student: these). The result: autograded/ notebooks and gradebook scores
(nbgrader's own autograde, late penalties included), feedback/<student>/rnn/*.html for
the students graded (without hidden tests), grades.csv (nbgrader export), and
grading/summary.{md,png,json} for the whole class, merged from grading/results/.

Student code runs in a bubblewrap sandbox (no network, no access to source/, the
reference or the gradebook, limits on memory, CPU, processes, disk and time), on local
worker processes or on a Dask cluster (--dask); scores come from a judge outside the
sandbox, and only this process writes the gradebook (see autograder/grading/).
"""

import argparse
import os
import sys
import time

from course.paths import ROOT

from .grading import isolation, pipeline
from .grading.course import Course
from .grading.sandbox import Limits, SandboxUnavailable


def parse(argv):
    p = argparse.ArgumentParser(description="Grade every submission of the course.")
    p.add_argument(
        "submissions", nargs="?", default=None, help="folder of submissions (default: submitted/)"
    )
    p.add_argument("--course", default=ROOT, help="nbgrader course directory")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="local workers")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--all", action="store_true", help="grade everyone, changed or not")
    p.add_argument("--dask", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://host:8786")
    p.add_argument("--db-url", help="gradebook URL (default: the course's, or gradebook.db)")
    p.add_argument(
        "--lms-timezone",
        help="zone of Blackboard's file times where no receipt states one (default: the "
        "course's c.LmsCollector.lms_timezone; unset: UTC, with a warning)",
    )
    p.add_argument("--cell-seconds", type=float, help="flat limit of every cell")
    p.add_argument("--notebook-seconds", type=float, help="flat limit of every notebook")
    p.add_argument(
        "--memory-mb", type=int, default=Limits.memory_bytes // 2**20, help="memory of a kernel"
    )
    return p.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    course = Course(args.course, db_url=args.db_url)
    source = args.submissions or course.submitted()
    if not os.path.isdir(source):
        print(f"error: {source} is not a folder", file=sys.stderr)
        return 2
    options = pipeline.Options(
        workers=max(1, args.workers),
        students=args.student or [],
        everyone=args.all,
        dask=args.dask,
        cell_seconds=args.cell_seconds,
        notebook_seconds=args.notebook_seconds,
        limits=Limits(memory_bytes=args.memory_mb * 2**20),
        lms_timezone=args.lms_timezone,
    )
    if not args.dask:
        print(isolation.describe(options.limits))
    t0 = time.perf_counter()
    try:
        run = pipeline.Coordinator(course, options).grade(source)
    except SandboxUnavailable as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - t0
    workers = args.dask or args.workers
    print(pipeline.write_summary(course, run, seconds, workers))
    pipeline.write_timings(course, run, seconds)
    print(
        f"graded {len(run.graded)} submission(s) in {seconds:.1f} s\n"
        f"grades: {course.path('grades.csv')}\nfeedback: {course.path('feedback')}\n"
        f"summary: {os.path.join(course.work, 'summary.md')} (and summary.png)"
    )
    return report_failures(run.failed, len(run.graded))


def report_failures(failed, graded):
    """Exit status: 1 if grading failed for every student of the run (a setup problem,
    not a submission's), else 0; students whose grading failed are named either way."""
    if not failed:
        return 0
    print(
        f"warning: grading failed for {len(failed)} of {graded} student(s): "
        f"{', '.join(sorted(failed))} (reasons in grading/summary.md; once fixed, "
        f"re-run them with --student)",
        file=sys.stderr,
    )
    return 1 if len(failed) == graded else 0


if __name__ == "__main__":
    sys.exit(main())
