"""Show what a folder of submissions holds, and optionally put it into the course.

    python -m autograder.collect PATH [--course DIR] [--roster FILE.csv] [--write]

Prints every file found: to be graded (per student) or skipped, with the reason. The
roster is FILE.csv, else the class list imported into the gradebook (``python -m
autograder.roster import``), if any; --no-roster: none (LMS numbers and folder names are
the student ids). --write copies
the accepted notebooks into <course>/submitted/<student>/<assignment>/ (nothing there is
deleted; see write_submitted) and keeps the record of every file in
<course>/grading/intake.json (as ``make grade`` does). Without --write nothing is changed.
"""

import argparse
import os
import shutil
import sys
import tempfile

from course.paths import ROOT

from .grading.grading_course import GradingCourse
from .grading.intake import record_intake
from .intake import collect, write_submitted
from .intake.receipts import course_timezone
from .roster.gradebook import class_list, course_db_url
from .roster.model import Roster, RosterError


def _roster(args):
    if args.no_roster:
        return None
    if args.roster:
        return Roster.read_csv(args.roster)
    return class_list(course_db_url(args.course))


def _notebooks(course):
    release = course.release_dir()
    if not os.path.isdir(release):
        raise FileNotFoundError(f"{release} does not exist: is {course.root} the course folder?")
    return sorted(n for n in os.listdir(release) if n.endswith(".ipynb"))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("path", help="folder of submissions (LMS downloads, zips, folders)")
    p.add_argument("--course", default=ROOT, help="the nbgrader course folder")
    p.add_argument("--roster", help="CSV of students (default: the class list imported)")
    p.add_argument(
        "--no-roster", action="store_true", help="no roster: LMS numbers, folder names are the ids"
    )
    p.add_argument(
        "--lms-timezone",
        help="zone of Blackboard's file times where no receipt states one (default: the "
        "course's c.LmsCollector.lms_timezone; unset: UTC, with a warning)",
    )
    p.add_argument("--write", action="store_true", help="copy into <course>/submitted")
    args = p.parse_args(argv)
    unpack = tempfile.mkdtemp(prefix="rnn-intake-")
    try:
        course = GradingCourse(args.course)
        result = collect(
            args.path,
            _notebooks(course),
            _roster(args),
            unpack_to=unpack,
            lms_timezone=args.lms_timezone or course_timezone(args.course),
        )
        report = None
        if args.write:
            report = write_submitted(result, course.submitted(), course.assignment)
            record_intake(course, result, report)
        print(result.report())
        for student, sub in sorted(result.students.items()):
            when = f", submitted {sub.timestamp_text()}" if sub.timestamp else ""
            print(f"  {student}: {', '.join(sorted(sub.files))}{when}")
        if report:
            print(f"written: {len(report.written)} student(s), unchanged: {len(report.unchanged)}")
            for student, why in report.kept_newer.items():
                print(f"  not replaced: {student}: {why}")
            for student, how in report.retimed.items():
                print(f"  {student}: {how}")
            print(f"record: {os.path.join(args.course, 'grading', 'intake.json')}")
    except (RosterError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(unpack, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
