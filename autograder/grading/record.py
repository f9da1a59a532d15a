"""nbgrader, in the coordinator's process: the only place the pipeline writes grades.

Everything that touches the gradebook and autograded/ goes through nbgrader's
own converters, configured by the course's nbgrader_config.py (preprocessors.py), one
student at a time, from one thread: there is exactly one writer, so SQLite never meets
"database is locked", and PostgreSQL works the same way.

  sanitize()        nbgrader's sanitize pass only, writing nothing: the notebooks a
                    worker will execute (repaired, hidden tests restored)
  autograde()       nbgrader's whole autograde for one student, with the worker's
                    executed notebooks handed to SandboxedExecute: gradebook scores,
                    autograded/ notebooks and late penalties come from nbgrader itself
  export()          nbgrader's CSV export (grades.csv)
"""

import contextlib
import json
import logging
import os
import warnings

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.converters.base import NbGraderException
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins.export import CsvExportPlugin

from ..lms_export.late import add_late_column
from .preprocessors import META, RUN


class _Captured(logging.Handler):
    """nbgrader's error messages of the current call, for the student's result."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


CAPTURED = _Captured()
LOG = logging.getLogger("rnn-grading.nbgrader")
LOG.setLevel(logging.ERROR)  # nbgrader's info and warnings are its usual chatter
LOG.propagate = False
LOG.addHandler(CAPTURED)


def _errors():
    """The last errors nbgrader logged (a traceback's last line is the telling one)."""
    lines = [ln for msg in CAPTURED.lines for ln in msg.splitlines() if ln.strip()]
    return " / ".join(lines[-3:])


with contextlib.suppress(ImportError):  # nbgrader's own ORM use is noisy, not wrong
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


def _coursedir(course, config, student):
    return CourseDirectory(
        config=config, root=course.root, assignment_id=course.assignment, student_id=student
    )


class PipelineAutograde(Autograde):
    """nbgrader's Autograde for one student: the notebooks the pipeline found valid,
    each with the record of its execution on a worker (None: execute here)."""

    def __init__(self, wanted, runs, invalid, **kwargs):
        super().__init__(**kwargs)
        self.wanted, self.runs, self.invalid = set(wanted), runs, invalid

    def init_notebooks(self):
        super().init_notebooks()
        for folder, paths in self.assignments.items():
            self.assignments[folder] = [p for p in paths if os.path.basename(p)[:-6] in self.wanted]
        self.assignments = {k: v for k, v in self.assignments.items() if v}
        if not self.assignments:
            raise NbGraderException("no notebook to autograde")

    def init_single_notebook_resources(self, notebook_filename):
        resources = super().init_single_notebook_resources(notebook_filename)
        run = self.runs.get(resources["nbgrader"]["notebook"])
        if run is not None:
            resources[RUN] = run
        return resources

    def init_assignment(self, assignment_id, student_id):
        super().init_assignment(assignment_id, student_id)
        # nbgrader gives 0 to notebooks not submitted; one we could not read counts the same
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            for name in self.invalid:
                for grade in gb.find_submission_notebook(name, assignment_id, student_id).grades:
                    grade.auto_score = 0
                    grade.needs_manual_grade = False
            gb.db.commit()


def sanitize(course, config, student, names):
    """{name: (sanitized notebook JSON text, its rnn_grading metadata)}; writes nothing."""
    conv = PipelineAutograde(
        names, {}, [], coursedir=_coursedir(course, config, student), config=config, log=LOG
    )
    conv.exporter = conv.exporter_class(parent=conv, config=conv.config)
    conv._sanitizing = True
    conv._init_preprocessors()
    out = {}
    for name in names:
        path = os.path.join(course.submitted(student), name + ".ipynb")
        resources = conv.init_single_notebook_resources(path)
        text, _ = conv.exporter.from_filename(path, resources=resources)
        out[name] = (text, json.loads(text).get("metadata", {}).get(META, {}))
    return out


def autograde(course, config, student, names, runs, invalid):
    """nbgrader's autograde of ``student`` (raises NbGraderException if it failed)."""
    conv = PipelineAutograde(
        names,
        runs,
        invalid,
        coursedir=_coursedir(course, config, student),
        config=config,
        log=LOG,
    )
    conv.force = True
    CAPTURED.lines.clear()
    try:
        conv.start()
    except NbGraderException as e:
        raise NbGraderException(f"nbgrader autograde failed: {_errors() or e}") from None


def ensure_submission(course, student):
    """A submission with nothing gradable still gets its (zero) row in the gradebook."""
    with Gradebook(course.db_url) as gb:
        gb.update_or_create_student(student)
        gb.update_or_create_submission(course.assignment, student)


def scores(course, student):
    """{notebook: {"grades": {grade id: (score, max)}, "late_penalty": float or None}}."""
    out = {}
    with Gradebook(course.db_url) as gb:
        try:
            submission = gb.find_submission(course.assignment, student)
        except MissingEntry:
            return out
        for nb in submission.notebooks:
            out[nb.name] = {
                "grades": {g.name: (g.score, g.max_score) for g in nb.grades},
                "late_penalty": nb.late_submission_penalty,
            }
    return out


def due_date(course):
    """The assignment's due date as nbgrader keeps it (naive, UTC), or None."""
    with Gradebook(course.db_url) as gb:
        try:
            return gb.find_assignment(course.assignment).duedate
        except MissingEntry:
            return None


def export(course, path):
    """grades.csv: nbgrader's CSV export of the whole gradebook, with a "late" column
    (Canvas's LATE mark, nbgrader's lateness: lms_export/late.py)."""
    with Gradebook(course.db_url) as gb:
        CsvExportPlugin(to=path).export(gb)
        add_late_column(path, gb, course.root)
