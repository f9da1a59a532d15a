"""Grades exported for Canvas (and nbgrader's grades.csv) from a gradebook with a roster.

The gradebook is filled through nbgrader's API with the course's real exercises and
chosen scores (no grading runs); the exports are real ``nbgrader export`` runs, and the
Canvas file is read back with Canvas's own import rules (tests/canvas_import.py).
"""

import csv
import os

import canvas_import
import pytest
from nbgrader_course import nbgrader, scratch_course

from autograder.roster import Roster, Student
from autograder.roster.gradebook import course_db_url, import_roster
from course.exercises import EXERCISES

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

    course = scratch_course(tmp_path_factory.mktemp("export"), folders=())
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


def export(course, *options, name="canvas.csv"):
    nbgrader(
        course,
        "export",
        "--exporter=autograder.lms_export.canvas.CanvasExportPlugin",
        f"--to={name}",
        *options,
    )
    return os.path.join(course, name)


def rows_of(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))


def test_canvas_csv_per_exercise_on_request_parses_back_to_the_gradebooks_scores(course):
    path = export(
        course, "--CanvasExportPlugin.section=RNN 2026", "--CanvasExportPlugin.columns=both"
    )
    imported = canvas_import.read(path)
    titles = [f"rnn: {ex.title}" for ex in EXERCISES.values()] + ["rnn"]
    assert imported.assignments == [(t, None) for t in titles]  # course order, total last
    assert imported.points == {
        **{f"rnn: {ex.title}": float(ex.points) for ex in EXERCISES.values()},
        "rnn": float(sum(ex.points for ex in EXERCISES.values())),
    }
    total = {"rnn": expected_scores("alee").pop("rnn: total")}
    assert imported.students[12345]["name"] == "Lee-Kim, Ann Marie"
    assert imported.students[12345]["scores"] == {
        **{k: v for k, v in expected_scores("alee").items() if k != "rnn: total"},
        **total,
    }
    assert imported.students[12345]["section"] == "RNN 2026"
    # cyu did not submit: left out, so Canvas keeps what it has (a blank would clear it)
    assert 34567 not in imported.students


def test_by_default_only_the_total_goes_into_the_existing_canvas_assignment(course, tmp_path):
    import lms_fixtures as lf

    from autograder.lms_export.canvas import save_known_assignments

    export_csv = tmp_path / "canvas-gradebook.csv"
    export_csv.write_text(lf.CANVAS_GRADEBOOK_EXPORT, encoding="utf-8")
    learnt = Roster.read_csv(str(export_csv)).lms_assignments  # as `roster import` keeps it
    assert learnt == ["RNN (4321)"]
    save_known_assignments(course, learnt)
    try:
        imported = canvas_import.read(export(course, name="default.csv"))
    finally:
        os.remove(os.path.join(course, "grading", "canvas_assignments.json"))
    assert imported.assignments == [("RNN", 4321)]  # one column, no new assignment
    assert imported.students[12345]["scores"] == {"RNN": expected_scores("alee")["rnn: total"]}
    assert imported.students["Kim, Bo"]["scores"] == {"RNN": expected_scores("bkim")["rnn: total"]}


def test_the_total_mapped_by_id_and_the_late_mark_shown_not_imported(course):
    import json

    os.makedirs(os.path.join(course, "grading"), exist_ok=True)
    record = {"students": {"bkim": {"notes": ["Canvas marked the submission late"]}}}
    with open(os.path.join(course, "grading", "intake.json"), "w") as f:
        json.dump(record, f)
    try:
        path = export(
            course,
            "--CanvasExportPlugin.canvas_assignment=4321",
            "--CanvasExportPlugin.student_id_column=SIS Login ID",
            name="total.csv",
        )
    finally:
        os.remove(os.path.join(course, "grading", "intake.json"))
    imported = canvas_import.read(path)
    assert imported.assignments == [("rnn", 4321)]
    rows = rows_of(path)
    assert rows[0][-1] == "rnn: late (shown, not imported)" and rows[1][-1] == "(read only)"
    bkim = [row for row in rows if row[0] == "Kim, Bo"][0]
    assert bkim[3] == "bkim" and bkim[-1] == "LATE (Canvas)"  # SIS Login ID, the mark
    assert [row for row in rows if row[1] == "12345"][0][-1] == ""


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
