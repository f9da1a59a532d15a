"""Grades exported for Canvas (and nbgrader's grades.csv) from a gradebook with a roster.

The gradebook is filled through nbgrader's API with the course's real exercises and
chosen scores (no grading runs); the exports are real ``nbgrader export`` runs, and the
Canvas file is read back with Canvas's own import rules (tests/canvas_import.py).
"""

import csv
import os
import shutil

import canvas_import
import pytest
from nbgrader_course import ROOT, nbgrader

from autograder.exercises import EXERCISES
from autograder.roster import Roster, Student
from autograder.roster.gradebook import course_db_url, import_roster

pytestmark = [
    pytest.mark.slow,
    # nbgrader's own Gradebook.add_submission trips SQLAlchemy's autoflush warnings
    pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning"),
]

ROSTER = Roster(
    [
        Student("alee", "Ann Marie", "Lee-Kim", "ann@example.org", "12345"),
        Student("bkim", "Bo", "Kim", "bo@example.org"),  # no Canvas id: matched by name
        Student("cyu", "Cy", "Yu", "", "34567"),  # did not submit
    ]
)
FAILED = {"alee": {"softmax", "bptt_tanh"}, "bkim": set()}
BKIM_NOTEBOOKS = {"01_building_blocks"}  # bkim answered only notebook 1
LATE_PENALTY = 2.0  # bkim, on notebook 1


def expected_scores(student):
    out = {}
    for ex in EXERCISES.values():
        passed = ex.id not in FAILED[student] and (
            student != "bkim" or ex.notebook in BKIM_NOTEBOOKS
        )
        out[f"rnn: {ex.title}"] = float(ex.points) if passed else 0.0
    raw = sum(out.values())
    out["rnn: total"] = raw - (LATE_PENALTY if student == "bkim" else 0.0)
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from nbgrader.api import Gradebook

    course = tmp_path_factory.mktemp("export") / "course"
    course.mkdir()
    shutil.copy(os.path.join(ROOT, "nbgrader_config.py"), course)
    import_roster(str(course), ROSTER)
    with Gradebook(course_db_url(str(course))) as gb:
        gb.update_or_create_assignment("rnn", duedate="2026-03-01 23:59:00 UTC")
        for ex in EXERCISES.values():
            try:
                gb.find_notebook(ex.notebook, "rnn")
            except Exception:
                gb.add_notebook(ex.notebook, "rnn")
            gb.add_grade_cell(
                f"test_{ex.id}", ex.notebook, "rnn", max_score=ex.points, cell_type="code"
            )
        for student in FAILED:
            gb.add_submission("rnn", student)
            for ex in EXERCISES.values():
                grade = gb.find_grade(f"test_{ex.id}", ex.notebook, "rnn", student)
                grade.auto_score = expected_scores(student)[f"rnn: {ex.title}"]
        gb.find_submission_notebook(
            "01_building_blocks", "rnn", "bkim"
        ).late_submission_penalty = LATE_PENALTY
        gb.db.commit()
    return str(course)


def test_canvas_csv_parses_back_to_the_gradebooks_scores(course):
    nbgrader(
        course,
        "export",
        "--exporter=autograder.lms_export.canvas.CanvasExportPlugin",
        "--to=canvas.csv",
        "--CanvasExportPlugin.section=RNN 2026",
    )
    imported = canvas_import.read(os.path.join(course, "canvas.csv"))
    titles = [f"rnn: {ex.title}" for ex in EXERCISES.values()] + ["rnn: total"]
    assert imported.assignments == [(t, None) for t in titles]  # course order, total last
    assert imported.points == {
        **{f"rnn: {ex.title}": float(ex.points) for ex in EXERCISES.values()},
        "rnn: total": float(sum(ex.points for ex in EXERCISES.values())),
    }
    assert imported.students[12345]["name"] == "Lee-Kim, Ann Marie"
    assert imported.students[12345]["scores"] == expected_scores("alee")
    assert imported.students["Kim, Bo"]["scores"] == expected_scores("bkim")
    assert imported.students[34567]["scores"] == {t: None for t in titles}  # no change
    assert imported.students[12345]["section"] == "RNN 2026"


def test_only_the_total_mapped_onto_an_existing_canvas_assignment(course):
    from nbgrader.api import Gradebook

    from autograder.lms_export.canvas import CanvasExportPlugin

    plugin = CanvasExportPlugin(
        to=os.path.join(course, "total.csv"),
        columns="total",
        assignment_ids={"rnn: total": "4321"},
        student_id_column="SIS Login ID",
    )
    with Gradebook(course_db_url(course)) as gb:
        plugin.export(gb)
    imported = canvas_import.read(os.path.join(course, "total.csv"))
    assert imported.assignments == [("rnn: total", 4321)]
    assert imported.students[12345]["scores"] == {
        "rnn: total": expected_scores("alee")["rnn: total"]
    }
    with open(os.path.join(course, "total.csv"), newline="") as f:
        bkim = [row for row in csv.reader(f) if row[0] == "Kim, Bo"][0]
    assert bkim[3] == "bkim"  # SIS Login ID


def test_nbgraders_grades_csv_has_the_roster_names(course):
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin  # what `nbgrader export` runs

    with Gradebook(course_db_url(course)) as gb:
        CsvExportPlugin(to=os.path.join(course, "grades.csv")).export(gb)
    with open(os.path.join(course, "grades.csv"), newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert (rows["alee"]["first_name"], rows["alee"]["last_name"]) == ("Ann Marie", "Lee-Kim")
    assert rows["bkim"]["email"] == "bo@example.org"
    assert float(rows["bkim"]["score"]) == expected_scores("bkim")["rnn: total"]
