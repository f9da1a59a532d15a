"""Import the class list into the gradebook; list the students it holds.

    python -m autograder.roster import students.csv [--course DIR]
    python -m autograder.roster list [--course DIR]
    python -m autograder.roster remove ID [--force] [--reason TEXT] [--course DIR]
    make roster ROSTER=students.csv

The CSV has a header row with id (required), first_name, last_name, email, lms_user_id
(see autograder/roster/model.py). Importing again updates: changed values are replaced,
a blank cell keeps the gradebook's value, and nobody is removed. Canvas's gradebook
export and Moodle's participants download are taken as they come (lms_formats.py).
``remove`` takes a student out (removal.py: their folders are moved aside, not deleted);
every import and removal is a line of grading/roster.log.
"""

import argparse
import sys

from course.paths import ROOT

from ..lms_export.canvas import save_known_assignments
from .gradebook import course_db_url, has_gradebook, import_roster
from .model import Roster, RosterError
from .removal import record, remove_student


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="add or update the students of a CSV file")
    imp.add_argument("csv")
    imp.add_argument("--course", default=ROOT, help="the nbgrader course folder")
    lst = sub.add_parser("list", help="the students in the gradebook")
    lst.add_argument("--course", default=ROOT, help="the nbgrader course folder")
    rm = sub.add_parser("remove", help="take a student out of the course (kept on record)")
    rm.add_argument("student")
    rm.add_argument("--force", action="store_true", help="even if they have grades")
    rm.add_argument("--reason", default="", help="why (kept in grading/roster.log)")
    rm.add_argument("--course", default=ROOT, help="the nbgrader course folder")
    args = p.parse_args(argv)
    try:
        if args.command == "import":
            roster = Roster.read_csv(args.csv)
            report = import_roster(args.course, roster)
            print("\n".join(report.lines()))
            if roster.lms_assignments:
                save_known_assignments(args.course, roster.lms_assignments)
                known = ", ".join(roster.lms_assignments)
                print(f"  Canvas assignments (for make canvas-export): {known}")
            record(args.course, action="imported", file=args.csv, **report.as_dict())
        elif args.command == "remove":
            dest, moved = remove_student(args.course, args.student, args.force, args.reason)
            print(f"removed {args.student} from the gradebook")
            if moved:
                print(f"  moved {', '.join(moved)} to {dest}")
        else:
            db_url = course_db_url(args.course)
            roster = Roster.from_gradebook(db_url) if has_gradebook(db_url) else Roster()
            for s in sorted(roster.students.values(), key=lambda s: s.id):
                print(f"{s.id}\t{s.full_name}\t{s.email}\t{s.lms_user_id}")
            print(f"{len(roster)} student(s)", file=sys.stderr)
    except RosterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
