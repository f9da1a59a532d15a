"""The class list: who the students are, what they are called, and their LMS numbers.

A roster is read from a CSV file (one row per student) or from the gradebook. Columns:

  id            required: the student's id in nbgrader (folder names, the gradebook)
  first_name, last_name, email
  lms_user_id   the number the LMS names the student by in its downloads and grade
                imports: Canvas's user id (the "ID" column of Canvas's gradebook export);
                for Moodle, the participant number of this assignment ("Participant N" in
                the "Identifier" column of its grading worksheet)

Headers are matched without regard to case, spaces or a byte-order mark ("First Name"
is first_name). Canvas's gradebook export and Moodle's participants download are read as
they come (lms_formats.py: Canvas's ID is the lms_user_id, its Test Student left out).
The file must be UTF-8 (Excel: "CSV UTF-8"); commas or semicolons.
"""

import csv
import io
import re
from dataclasses import dataclass, fields

from . import lms_formats

# nbgrader makes folders of student ids: letters, digits and _.@+- only, no "/" or "..".
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id")


class RosterError(ValueError):
    """The roster file cannot be used; the message lists every problem found."""


@dataclass(frozen=True)
class Student:
    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""

    @property
    def full_name(self):
        """First and last name, as Moodle writes it in file names and the summary shows it."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def values(self):
        return {f.name: getattr(self, f.name) for f in fields(self)}


class Roster:
    """Students by id, with look-ups by LMS number and by name."""

    def __init__(self, students=(), warnings=()):
        self.students = {s.id: s for s in students}
        self.warnings = list(warnings)
        self.lms_assignments = []  # a Canvas gradebook export's assignment columns
        self._lms = {s.lms_user_id: s for s in self.students.values() if s.lms_user_id}

    def __contains__(self, student_id):
        return student_id in self.students

    def __len__(self):
        return len(self.students)

    def get(self, student_id):
        return self.students.get(student_id)

    def by_lms_user_id(self, number):
        return self._lms.get(number)

    def matching(self, predicate):
        """The students for whom ``predicate(student)`` is true."""
        return [s for s in self.students.values() if predicate(s)]

    def names(self):
        """{id: "First Last"} of the students who have a name."""
        return {s.id: s.full_name for s in self.students.values() if s.full_name}

    @classmethod
    def read_csv(cls, path):
        return parse_csv(path)

    @classmethod
    def from_gradebook(cls, db_url):
        """The students nbgrader's gradebook knows (empty if there is no gradebook yet)."""
        from nbgrader.api import Gradebook

        with Gradebook(db_url) as gb:
            students = [Student(**{c: getattr(s, c) or "" for c in COLUMNS}) for s in gb.students]
        return cls(students)


def _column(header):
    return re.sub(r"[\s-]+", "_", header.strip().lstrip("\ufeff").strip().lower())


def _read_rows(path):
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            text = f.read()
    except FileNotFoundError:
        raise RosterError(f"{path}: no such file") from None
    except UnicodeDecodeError as e:
        raise RosterError(
            f"{path}: not UTF-8 text ({e.reason} at byte {e.start}); save it as "
            "'CSV UTF-8' (Excel) or with UTF-8 encoding"
        ) from None
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise RosterError(f"{path}: the first line (the column names) is empty")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def parse_csv(path):
    """The Roster in ``path``; RosterError listing every problem if it cannot be used."""
    rows = _read_rows(path)
    if lms_formats.kind(rows[0]):
        records, warnings = lms_formats.translate(rows[0], rows[1:])
        roster = _roster(path, [[r[c] for c in COLUMNS] for r in records], COLUMNS, warnings)
        roster.lms_assignments = lms_formats.canvas_assignments(rows[0])
        return roster
    header = [_column(h) for h in rows[0]]
    if "id" not in header:
        raise RosterError(
            f"{path}: no 'id' column (found: {', '.join(rows[0]) or 'nothing'}); the "
            f"columns are {', '.join(COLUMNS)} (only id is required)"
        )
    warnings = []
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        warnings.append(f"ignored column(s): {', '.join(unknown)}")
    return _roster(path, rows[1:], header, warnings)


def _roster(path, rows, header, warnings):
    """The Roster of ``rows`` (lists in the order of ``header``), or RosterError."""
    students, errors = [], []
    seen, seen_lms = {}, {}
    for line, row in enumerate(rows, start=2):
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        if not any(cells.values()):
            continue
        student = Student(**{c: cells.get(c, "") for c in COLUMNS})
        problem = _row_problem(student, line, seen, seen_lms)
        if problem:
            errors.append(problem)
            continue
        seen[student.id] = line
        if student.lms_user_id:
            seen_lms[student.lms_user_id] = line
        students.append(student)
    if errors:
        raise RosterError(f"{path}:\n  " + "\n  ".join(errors))
    return Roster(students, warnings)


def _row_problem(student, line, seen, seen_lms):
    if not student.id:
        return f"line {line}: the id is blank"
    if not STUDENT_ID.fullmatch(student.id):
        return (
            f"line {line}: {student.id!r} is not a usable id (letters, digits and _.@+- "
            "only, at most 64, starting with a letter or digit)"
        )
    if student.id in seen:
        return f"line {line}: id {student.id!r} is already on line {seen[student.id]}"
    if student.lms_user_id in seen_lms:
        return (
            f"line {line}: lms_user_id {student.lms_user_id!r} is already on line "
            f"{seen_lms[student.lms_user_id]}"
        )
    return None
