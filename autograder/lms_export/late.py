"""Which submissions are late: the LMS's own mark (Canvas's "LATE" in its download names,
kept in the intake record grading/intake.json) or nbgrader's (its timestamp.txt after the
due date). Every export shows it: grades.csv's "late" column, the Canvas CSV's read-only
one."""

import json
import os

CANVAS_LATE_NOTE = "Canvas marked the submission late"  # intake/lms/canvas.py writes it


def lms_late(course_root):
    """{student} whose latest download an LMS marked late (from grading/intake.json)."""
    try:
        with open(os.path.join(course_root, "grading", "intake.json"), encoding="utf-8") as f:
            students = json.load(f).get("students", {})
    except (OSError, ValueError):
        return set()
    return {s for s, sub in students.items() if CANVAS_LATE_NOTE in sub.get("notes", [])}


def late_mark(submission, marked):
    """ "LATE (Canvas)", "LATE (<n> min after the due date)" or "" for an nbgrader
    SubmittedAssignment (None: not submitted) and the LMS-marked students."""
    if submission is None:
        return ""
    marks = []
    if submission.student_id in marked:
        marks.append("Canvas")
    seconds = submission.total_seconds_late or 0
    if seconds > 0:
        marks.append(f"{seconds / 60:.0f} min after the due date")
    return f"LATE ({'; '.join(marks)})" if marks else ""


def add_late_column(path, gradebook, course_root):
    """Append a "late" column to nbgrader's grades.csv at ``path``, and give its due
    date and timestamp their zone (UTC, in which nbgrader keeps them).

    nbgrader's CsvExportPlugin does not quote its cells (a comma in a name shifts that
    row), so its lines are extended as text; the first four cells (assignment, duedate,
    timestamp, student_id) never hold a comma.
    """
    marked = lms_late(course_root)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    out = [lines[0] + ",late"] if lines else []
    for line in lines[1:]:
        assignment, due, stamp, student, rest = line.split(",", 4)
        try:
            submission = gradebook.find_submission(assignment, student)
        except Exception:  # MissingEntry: not submitted
            submission = None
        # nbgrader keeps both times in UTC without saying so
        due, stamp = (f"{t} UTC" if t else t for t in (due, stamp))
        out.append(f"{assignment},{due},{stamp},{student},{rest},{late_mark(submission, marked)}")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    os.replace(path + ".tmp", path)
