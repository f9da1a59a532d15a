"""Read a CSV the way Canvas's gradebook importer does, to check what it would import.

Rules from instructure/canvas-lms lib/gradebook_importer.rb: the header row starts with
"Student", "ID" (row_has_student_headers?); "SIS User ID" + "SIS Login ID" (or only "SIS
Login ID") may follow, then the last student column must be "Section"
(update_column_count); every later column is an assignment, "<title> (<id>)" or a bare
title (Assignment.title_and_id), except the computed ones (NON_ASSIGNMENT_COLUMN_HEADERS);
a row whose first cell contains "Points Possible" gives the maxima (process_pp), and a
column whose cell there says "read only" is not imported (readonly_assignment?); student
rows are matched by the ID column (row[1]) as an integer (process_student); a blank or
"-" (None here) over an existing score CLEARS it (no_change_to_value?), a student not in
the file is left alone.
"""

import csv
import re
from dataclasses import dataclass, field

NON_ASSIGNMENT = {
    "Current Score",
    "Current Points",
    "Current Grade",
    "Final Score",
    "Final Points",
    "Final Grade",
    "Override Score",
    "Override Grade",
    "Override Status",
}


def title_and_id(text):
    m = re.fullmatch(r"(.*)\s\((\d+)\)", text)
    return (m[1], int(m[2])) if m else (text, None)


@dataclass
class CanvasImport:
    assignments: list = field(default_factory=list)  # [(title, canvas id or None)]
    points: dict = field(default_factory=dict)  # title -> points possible
    students: dict = field(default_factory=dict)  # Canvas user id (int) or name -> row


def _student_columns(header):
    if not ("Student" in header[0] and "ID" in header[1]):
        raise ValueError(f"not a Canvas gradebook header: {header[:3]}")
    n = 3
    if re.search(r"SIS\s+Login\s+ID", header[n - 1]):
        n += 1
    elif re.search(r"SIS\s+User\s+ID", header[n - 1]) and re.search(r"SIS\s+Login\s+ID", header[n]):
        n += 2
    if "Section" not in header[n - 1]:
        raise ValueError("the last student column must be Section")
    return n


def _value(cell):
    cell = cell.strip()
    return None if cell in ("", "-") else float(cell.replace(",", "."))


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    n = _student_columns(rows[0])
    out = CanvasImport()
    pp = next((r for r in rows[1:] if "Points Possible" in r[0]), [])
    index = {
        i: title_and_id(h)
        for i, h in enumerate(rows[0])
        if i >= n
        and h not in NON_ASSIGNMENT
        and not re.search(r"read\s+only", pp[i] if i < len(pp) else "")
    }
    out.assignments = list(index.values())
    for row in rows[1:]:
        if "Points Possible" in row[0]:
            out.points = {index[i][0]: _value(row[i]) for i in index}
            continue
        key = int(row[1]) if row[1].strip() else row[0]
        out.students[key] = {
            "name": row[0],
            "section": row[n - 1],
            "scores": {index[i][0]: _value(row[i]) for i in index},
        }
    return out
