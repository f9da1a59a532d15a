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
column CREATES a new Canvas assignment, with the Points Possible as its maximum. A blank
cell changes nothing in Canvas.

Columns written: one per exercise, "<assignment>: <exercise title>", in course order,
then "<assignment>: total" (net of late penalties); ``--CanvasExportPlugin.columns=total``
or ``exercises`` for only those. Map columns onto existing Canvas assignments with
``--CanvasExportPlugin.assignment_ids="{'rnn: total': '4321'}"``.
"""

import csv

from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Enum, Unicode

from .scores import columns, format_score, student_scores

STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


class CanvasExportPlugin(ExportPlugin):
    """nbgrader export plugin writing Canvas's gradebook import CSV (see module doc)."""

    columns = Enum(
        ["both", "total", "exercises"], "both", help="Which score columns to write."
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
        "", help="Cell value for students without a submission ('' leaves Canvas unchanged)."
    ).tag(config=True)

    def _title(self, assignment, col):
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

    def export(self, gradebook):
        dest = self.to or "canvas_grades.csv"
        assignments = [a.name for a in gradebook.assignments]
        assignments = [a for a in assignments if not self.assignment or a in self.assignment]
        layout = [(a, self._wanted(columns(gradebook, a))) for a in assignments]
        header = STUDENT_COLUMNS + [self._title(a, c) for a, cols in layout for c in cols]
        points = ["Points Possible"] + [""] * (len(STUDENT_COLUMNS) - 1)
        points += [format_score(c.max_score) for _, cols in layout for c in cols]
        with open(dest, "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerow(points)
            for student in gradebook.students:
                if self.student and student.id not in self.student:
                    continue
                row = self._student_cells(student)
                for a, cols in layout:
                    scores = student_scores(gradebook, a, student.id, cols)
                    row += [
                        self.not_submitted if scores is None else format_score(scores[c.exercise])
                        for c in cols
                    ]
                writer.writerow(row)
        self.log.info("Wrote %s (Canvas gradebook import)", dest)
