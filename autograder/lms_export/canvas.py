"""Grades as a CSV file Canvas's gradebook imports (Grades > Import).

    nbgrader export --exporter=autograder.lms_export.canvas.CanvasExportPlugin --to canvas.csv
    make canvas-export

The format is the one Canvas's importer reads (instructure/canvas-lms,
lib/gradebook_importer.rb): a header row "Student", "ID", "SIS User ID", "SIS Login ID",
"Section", then one column per assignment; a "Points Possible" row (first cell "Points
Possible"); then one row per student. Canvas finds the student by "ID" (its numeric user
id: the roster's lms_user_id), else by SIS User ID, SIS Login ID, then by name
("Student": "Last, First"). A column is matched to an existing Canvas assignment by
"<title> (<assignment id>)" (Assignment.title_and_id), else by its exact title; any other
column CREATES a new Canvas assignment (and a total beside exercise columns would count
twice). A column whose Points Possible cell says "(read only)" is not imported
(readonly_assignment?). A BLANK cell over an existing Canvas score is a change
(no_change_to_value?: it clears the score); a student not in the file is left alone.

Written by default: the total (net of late penalties) into the EXISTING Canvas assignment
-- ``--CanvasExportPlugin.canvas_assignment="RNN (4321)"`` (the column title of Canvas's
own gradebook export, or the id in the assignment's URL), else the Canvas assignment whose
title is the nbgrader assignment's, as learnt from a Canvas gradebook export imported as
the roster (grading/canvas_assignments.json); then a read-only "late" column (Canvas's
LATE mark and nbgrader's lateness, shown, not imported). Students without a submission
are left out (Canvas keeps what it has) unless ``not_submitted`` gives a value.
``--CanvasExportPlugin.columns=exercises`` or ``both`` adds one column per exercise,
"<assignment>: <exercise title>", mapped with ``assignment_ids`` onto existing ones.
"""

import csv
import json
import os
import re

from nbgrader.plugins import ExportPlugin
from traitlets import Bool, Dict, Enum, Unicode

from .late import late_mark, lms_late
from .scores import columns, format_score, student_scores

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
READ_ONLY = "(read only)"  # Canvas's own exporter's text; its importer skips such columns
KNOWN_ASSIGNMENTS = os.path.join("grading", "canvas_assignments.json")
TITLE_AND_ID = re.compile(r"(?P<title>.*)\s\((?P<id>\d+)\)")  # Assignment.title_and_id


def known_assignments(course_root):
    """Canvas's assignment columns ("RNN (4321)") learnt from its gradebook export."""
    try:
        with open(os.path.join(course_root, KNOWN_ASSIGNMENTS), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def save_known_assignments(course_root, titles):
    """Keep the assignment columns of a Canvas gradebook export (roster import)."""
    path = os.path.join(course_root, KNOWN_ASSIGNMENTS)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(sorted(set(titles)), f, indent=1)


class CanvasExportPlugin(ExportPlugin):
    """nbgrader export plugin writing Canvas's gradebook import CSV (see module doc)."""

    columns = Enum(
        ["total", "exercises", "both"],
        "total",
        help="Which score columns: the total (default), per exercise, or both.",
    ).tag(config=True)
    canvas_assignment = Unicode(
        "",
        help="The Canvas assignment the total goes into: its column title in Canvas's "
        "gradebook export ('RNN (4321)') or its id ('4321'). Default: the one learnt from a "
        "Canvas gradebook export imported as the roster.",
    ).tag(config=True)
    assignment_ids = Dict(
        {}, help="Column title -> Canvas assignment id (the column becomes 'title (id)')."
    ).tag(config=True)
    section = Unicode("", help="Value of the Section column.").tag(config=True)
    student_id_column = Enum(
        ["", "SIS User ID", "SIS Login ID"],
        "",
        help="Also write nbgrader's student id in this column (if your ids are Canvas's SIS "
        "ids or logins: Canvas then matches students without an lms_user_id).",
    ).tag(config=True)
    not_submitted = Unicode(
        "",
        help="Score for students without a submission; '' (default) leaves them out of the "
        "file, so Canvas keeps what it has (a blank cell would clear a Canvas score).",
    ).tag(config=True)
    late_column = Bool(True, help="Write the read-only late column.").tag(config=True)

    def _root(self):
        coursedir = getattr(self.parent, "coursedir", None)
        return coursedir.root if coursedir is not None else os.getcwd()

    def _total_title(self, assignment):
        """The header of the total: an existing Canvas assignment's whenever known."""
        chosen = self.canvas_assignment.strip()
        if chosen.isdigit():
            return f"{assignment} ({chosen})"
        if chosen:
            return chosen
        known = [t for t in known_assignments(self._root()) if TITLE_AND_ID.fullmatch(t)]
        same = [t for t in known if TITLE_AND_ID.fullmatch(t)["title"].casefold() == assignment]
        if len(same) == 1 or len(known) == 1:
            return (same or known)[0]
        self.log.warning(
            "No Canvas assignment given for %s: Canvas matches the column '%s' by title or "
            "CREATES a new assignment. Set --CanvasExportPlugin.canvas_assignment='<title> "
            "(<id>)' (the column of Canvas's gradebook export); known: %s",
            assignment,
            assignment,
            ", ".join(known) or "none",
        )
        return assignment

    def _title(self, assignment, col):
        if not col.exercise:
            return self._total_title(assignment)
        title = f"{assignment}: {col.title}"
        cid = self.assignment_ids.get(title)
        return f"{title} ({cid})" if cid else title

    def _wanted(self, cols):
        if self.columns == "total":
            return [c for c in cols if not c.exercise]
        if self.columns == "exercises":
            return [c for c in cols if c.exercise]
        return cols

    def _student_cells(self, student):
        cells = {
            "Student": ", ".join(p for p in (student.last_name, student.first_name) if p),
            "ID": student.lms_user_id or "",
            "SIS User ID": "",
            "SIS Login ID": "",
            "Section": self.section,
        }
        if self.student_id_column:
            cells[self.student_id_column] = student.id
        if not cells["ID"] and not self.student_id_column:
            self.log.warning("%s has no lms_user_id: Canvas will match it by name", student.id)
        return [cells[c] for c in STUDENT_COLUMNS]

    def _submission(self, gradebook, assignment, student):
        try:
            return gradebook.find_submission(assignment, student)
        except Exception:  # MissingEntry: not submitted
            return None

    def export(self, gradebook):
        dest = self.to or "canvas_grades.csv"
        assignments = [a.name for a in gradebook.assignments]
        assignments = [a for a in assignments if not self.assignment or a in self.assignment]
        layout = [(a, self._wanted(columns(gradebook, a))) for a in assignments]
        header = STUDENT_COLUMNS + [self._title(a, c) for a, cols in layout for c in cols]
        points = ["Points Possible"] + [""] * (len(STUDENT_COLUMNS) - 1)
        points += [format_score(c.max_score) for _, cols in layout for c in cols]
        if self.late_column:
            header += [f"{a}: late (shown, not imported)" for a in assignments]
            points += [READ_ONLY] * len(assignments)
        marked = lms_late(self._root())
        with open(dest, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerow(points)
            for student in gradebook.students:
                if self.student and student.id not in self.student:
                    continue
                row, submitted, late = self._student_cells(student), False, []
                for a, cols in layout:
                    scores = student_scores(gradebook, a, student.id, cols)
                    submitted |= scores is not None
                    row += [
                        self.not_submitted if scores is None else format_score(scores[c.exercise])
                        for c in cols
                    ]
                    late.append(late_mark(self._submission(gradebook, a, student.id), marked))
                if not submitted and not self.not_submitted:
                    continue  # a blank would clear what Canvas has
                writer.writerow(row + (late if self.late_column else []))
        self.log.info("Wrote %s (Canvas gradebook import)", dest)
