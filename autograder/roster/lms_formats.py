"""Class lists as the LMSs export them, read as they come (model.py's columns from theirs).

Canvas, Grades > Export (instructure/canvas-lms lib/gradebook_exporter.rb, csv_data):
  header "Student" (the sortable name "Last, First"; or "LastName", "FirstName" when the
  gradebook shows them split), "ID" (the Canvas user id), "SIS User ID" (only with SIS
  access), "SIS Login ID" (the login), ["Integration ID"], ["Root Account"], "Section",
  custom columns, one column per assignment, then totals. Rows that are no student: the
  "    Points Possible" row (leading spaces), and a first row with blank names when an
  assignment is muted or posted manually. The student view's "Test Student" (sortable
  name "Student, Test") is exported last (enrollments_for_csv puts StudentViewEnrollment
  after the others).
  -> id: SIS Login ID, else SIS User ID; lms_user_id: ID (what Canvas's downloads and
     grade import name students by); names from "Student"; the assignment columns are
     kept, for the export into the same assignment.

Moodle, Participants > select all > "Download table data as" CSV (moodle/moodle
user/action_redir.php, operation download_participants; "courseid_<id>_participants.csv"):
  columns get_string('firstname') "First name", get_string('lastname') "Last name"
  ("Surname" before Moodle 3.11), then the site's identity fields (showuseridentity:
  "Email address" by default; "Username", "ID number" if shown).
  -> id: Username, else ID number, else the email address; no lms_user_id (Moodle's
     downloads name a per-assignment participant number, not in this export: its files
     are matched by the full name, see intake/lms/moodle.py).
"""

import re

CANVAS_TEST_STUDENT = ("Student, Test", "Test Student")
TITLE_WITH_ID = re.compile(r".*\s\(\d+\)")  # Assignment#title_with_id: "RNN (4321)"
POINTS_POSSIBLE = "Points Possible"


def _norm(header):
    return " ".join(header.strip().lstrip("\ufeff").split()).casefold()


def kind(header):
    """ "canvas", "moodle" or None (our own columns) for a header row."""
    cols = {_norm(h) for h in header}
    if "id" in cols and "sis login id" in cols and ({"student"} & cols or "lastname" in cols):
        return "canvas"
    if "id" not in cols and "first name" in cols and cols & {"last name", "surname"}:
        return "moodle"
    return None


def canvas_assignments(header):
    """The assignment columns of a Canvas gradebook export ("RNN (4321)"), so that the
    grades go back into those assignments (lms_export/canvas.py)."""
    return [h.strip() for h in header if TITLE_WITH_ID.fullmatch(h.strip())]


def translate(header, rows):
    """(rows as {column: value} of model.COLUMNS, [warnings]) for an LMS's export."""
    which = kind(header)
    cols = [_norm(h) for h in header]
    records = [
        {c: (row[i].strip() if i < len(row) else "") for i, c in enumerate(cols)} for row in rows
    ]
    return (_canvas if which == "canvas" else _moodle)(records)


def _canvas(records):
    out, warnings, test_students = [], [], 0
    for r in records:
        name = r.get("student", "")
        if name.strip() == POINTS_POSSIBLE or not (name or r.get("lastname") or r.get("id")):
            continue  # the points row, the "hidden assignments" row: nobody
        if name in CANVAS_TEST_STUDENT:
            test_students += 1
            continue
        if "lastname" in r:
            last, first = r.get("lastname", ""), r.get("firstname", "")
        else:
            last, _, first = name.partition(", ")
        student_id = r.get("sis login id") or r.get("sis user id") or ""
        out.append(
            {
                "id": student_id,
                "first_name": first.strip(),
                "last_name": last.strip(),
                "email": student_id if "@" in student_id else "",
                "lms_user_id": r.get("id", ""),
            }
        )
    if test_students:
        warnings.append("left out Canvas's Test Student (the student view's account)")
    return out, warnings


def _moodle(records):
    out = []
    for r in records:
        email = r.get("email address", "")
        student_id = r.get("username") or r.get("id number") or email.lower()
        out.append(
            {
                "id": student_id,
                "first_name": r.get("first name", ""),
                "last_name": r.get("last name") or r.get("surname", ""),
                "email": email,
                "lms_user_id": "",
            }
        )
    return out, []
