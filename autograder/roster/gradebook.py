"""Import a roster into a course's gradebook with nbgrader's own ``db student import``.

nbgrader's import has two traps (see the research notes, §3c): a byte-order mark in the
header makes it fail ("must contain a column for 'id'"), and a blank cell ERASES the
value the gradebook had. So the roster is read here (BOM, encoding, headers, duplicates:
see model.py), every blank cell is filled with the value the gradebook already holds,
and nbgrader imports that clean file: a blank cell never erases anything, and students
missing from the roster are kept. nbgrader's import also adds the students to the course
on JupyterHub when the course uses its JupyterHubAuthPlugin.
"""

import csv
import os
import subprocess
import tempfile
from dataclasses import dataclass, field

from course.paths import tool_env, venv_bin

from .model import COLUMNS, Roster, RosterError


@dataclass
class ImportReport:
    added: list = field(default_factory=list)  # ids
    updated: dict = field(default_factory=dict)  # id -> [changed columns]
    unchanged: list = field(default_factory=list)
    not_on_roster: list = field(default_factory=list)  # in the gradebook, kept
    warnings: list = field(default_factory=list)

    def as_dict(self):
        """What the roster log keeps of an import."""
        return {
            "added": self.added,
            "updated": self.updated,
            "kept": self.not_on_roster,
            "warnings": self.warnings,
        }

    def lines(self):
        out = [
            f"added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)} student(s)"
        ]
        out += [f"  updated {sid}: {', '.join(cols)}" for sid, cols in self.updated.items()]
        if self.not_on_roster:
            out.append(
                f"  kept (in the gradebook, not on this roster): {', '.join(self.not_on_roster)}"
            )
        out += [f"  warning: {w}" for w in self.warnings]
        return out


def course_db_url(course_dir):
    """The gradebook URL the course's nbgrader_config.py sets (default: gradebook.db)."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = None
    if os.path.exists(os.path.join(course_dir, "nbgrader_config.py")):
        config = PyFileConfigLoader("nbgrader_config.py", path=course_dir).load_config()
    return CourseDirectory(config=config, root=os.path.abspath(course_dir)).db_url


def class_list(db_url):
    """The gradebook's students as a Roster, if a class list was imported, else None.

    ``nbgrader autograde`` adds every student it grades to the gradebook, without names;
    those alone are not a class list (with them as the roster, every new student of the
    next download would be "unknown"). A class list is there once a student has a name,
    an email or an LMS number.
    """
    if not has_gradebook(db_url):
        return None
    roster = Roster.from_gradebook(db_url)
    listed = any(
        s.first_name or s.last_name or s.email or s.lms_user_id for s in roster.students.values()
    )
    return roster if listed else None


def has_gradebook(db_url):
    if db_url.startswith("sqlite:///"):
        return os.path.exists(db_url[len("sqlite:///") :])
    return True


def merge(roster, existing):
    """(rows for nbgrader, ImportReport): blanks filled from ``existing``."""
    report = ImportReport(warnings=list(roster.warnings))
    rows = []
    for student in roster.students.values():
        old = existing.get(student.id)
        row = {c: getattr(student, c) or (getattr(old, c) if old else "") for c in COLUMNS}
        if old is None:
            report.added.append(student.id)
        else:
            changed = [c for c in COLUMNS if row[c] != getattr(old, c)]
            if changed:
                report.updated[student.id] = changed
            else:
                report.unchanged.append(student.id)
        rows.append(row)
    report.not_on_roster = sorted(set(existing.students) - set(roster.students))
    _check_lms_ids(rows, existing, report)
    commas = [r["id"] for r in rows if any("," in r[c] for c in COLUMNS)]
    if commas:
        report.warnings.append(
            f"commas in names or emails of {', '.join(commas)}: nbgrader's grades.csv does "
            "not quote them, so its columns shift on those rows (the LMS export quotes)"
        )
    return rows, report


def _check_lms_ids(rows, existing, report):
    """An lms_user_id already used by a student who is not on this roster is an error."""
    ids = {r["id"] for r in rows}
    taken = {
        s.lms_user_id: s.id for s in existing.students.values() if s.lms_user_id and s.id not in ids
    }
    clashes = [
        f"lms_user_id {r['lms_user_id']} of {r['id']} already belongs to {taken[r['lms_user_id']]}"
        for r in rows
        if r["lms_user_id"] in taken
    ]
    if clashes:
        raise RosterError("; ".join(clashes))


def import_roster(course_dir, roster, db_url=None):
    """Add or update ``roster``'s students in the gradebook; return the ImportReport.

    Runs ``nbgrader db student import`` in ``course_dir`` (so the course's own
    configuration applies), then reads the gradebook back to check every value.
    """
    db_url = db_url or course_db_url(course_dir)
    existing = Roster.from_gradebook(db_url) if has_gradebook(db_url) else Roster()
    rows, report = merge(roster, existing)
    with tempfile.TemporaryDirectory(prefix="rnn-roster-") as tmp:
        clean = os.path.join(tmp, "students.csv")
        with open(clean, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        result = subprocess.run(
            [os.path.join(venv_bin(), "nbgrader"), "db", "student", "import", clean],
            cwd=course_dir,
            env=tool_env({"PYTHONUTF8": "1"}),
            capture_output=True,
            text=True,
        )
    if result.returncode != 0:
        raise RosterError(f"nbgrader db student import failed:\n{result.stderr[-3000:]}")
    _verify(Roster.from_gradebook(db_url), rows)
    return report


def _verify(imported, rows):
    wrong = [
        r["id"]
        for r in rows
        if imported.get(r["id"]) is None or imported.get(r["id"]).values() != r
    ]
    if wrong:
        raise RosterError(f"the gradebook does not hold what was imported for: {wrong}")
