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
from .grading.grading_course import GradingCourse
from .grading.sandbox import SandboxUnavailable
from .grading.settings import Grading, GradingSandbox, GradingTimes, MiB


def _help(options, name, shown=None):
    """The option's help from its trait, with the course's value and where it is set."""
    value = getattr(options, name) if shown is None else shown
    where = f"c.{type(options).__name__}.{name}"
    return f"{options.trait_metadata(name, 'help')} (default: {value}; {where})"


def parser(config):
    """The command line; every limit's default is the course's option (``config``: the
    course's nbgrader config, see grading/settings.py), which a flag overrides."""
    grading, times, sandbox = (
        cls(config=config) for cls in (Grading, GradingTimes, GradingSandbox)
    )
    derived = "derived from the reference's run"
    p = argparse.ArgumentParser(description="Grade every submission of the course.")
    p.add_argument(
        "submissions", nargs="?", default=None, help="folder of submissions (default: submitted/)"
    )
    p.add_argument("--course", metavar="DIR", default=ROOT, help="nbgrader course directory")
    p.add_argument(
        "--workers",
        metavar="N",
        type=int,
        default=grading.workers or os.cpu_count() or 1,
        help=_help(grading, "workers", grading.workers or "one per core"),
    )
    p.add_argument(
        "--student", metavar="ID", action="append", help="grade only this student (repeatable)"
    )
    p.add_argument("--all", action="store_true", help="grade everyone, changed or not")
    p.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="execute on a Dask cluster (its scheduler, e.g. tcp://host:8786) instead of "
        "local workers",
    )
    p.add_argument(
        "--db-url",
        metavar="URL",
        help="the gradebook (default: c.CourseDirectory.db_url, else gradebook.db)",
    )
    p.add_argument(
        "--lms-timezone",
        metavar="ZONE",
        help="zone of Blackboard's file times where no receipt states one (default: the "
        "course's c.LmsCollector.lms_timezone; unset: UTC, with a warning)",
    )
    for name in ("cell_seconds", "notebook_seconds"):
        p.add_argument(
            "--" + name.replace("_", "-"),
            metavar="S",
            type=float,
            default=getattr(times, name),
            help=_help(times, name, getattr(times, name) or derived),
        )
    p.add_argument(
        "--memory-mb",
        metavar="MIB",
        type=int,
        default=sandbox.memory_mb,
        help=_help(sandbox, "memory_mb"),
    )
    return p


def parse(argv):
    """The arguments, with the defaults of the course --course names."""
    first = argparse.ArgumentParser(add_help=False)
    first.add_argument("--course", default=ROOT)
    known, _ = first.parse_known_args(argv)
    try:
        config = GradingCourse(known.course).config()
    except FileNotFoundError as e:  # said once, as argparse says a usage error
        parser(None).error(str(e))
    return parser(config).parse_args(argv)


def main(argv=None):
    args = parse(argv)
    course = GradingCourse(args.course, db_url=args.db_url)
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
        limits=course.limits(memory_bytes=args.memory_mb * MiB),
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
        f"grades: {course.path('grades.csv')}\nfeedback: {course.folder('feedback')}\n"
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
