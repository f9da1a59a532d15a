"""A whole term in a scratch course, through the instructor's commands only.

1. The class list is imported (``python -m autograder.roster import``).
2. The first batch is one folder mixing a Canvas bulk download, a Moodle one, a student
   folder in nbgrader's layout and a student's own zip with "(1)" names, plus files that
   are nobody's: ``python -m autograder.grade downloads``.
3. Canvas is downloaded again after two students resubmitted late: only those two are
   graded; nobody else's files change.
4. ``--student`` re-runs one student; then the instructor fixes a sentence of the release
   and re-runs another: no tampering is reported, the change is listed once.
5. Every score is what the submission deserves (derived from the exercise registry), the
   roster's names are in grades.csv, the gradebook, the summary and the Canvas export,
   and the Canvas export reads back (with Canvas's import rules) to the same scores.

The run's summary.md is kept in test-artifacts/term/ (the closing note shows it).
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import canvas_import
import grading_fixtures as fx
import pytest
from nbgrader_course import ROOT, env, nbgrader, scratch_course

from course.exercises import EXERCISES

pytestmark = pytest.mark.slow

NB1, NB2, NB3 = fx.NB1, fx.NB2, fx.NB3
ARTIFACTS = os.path.join(ROOT, "test-artifacts", "term")
ROSTER = """\ufeffid,First Name,Last Name,Email,LMS User ID
alee,Ann,Lee,alee@uni.example,12345
pobrien,Pat,OBrien,pobrien@uni.example,23456
skim,Sam,Kim,skim@uni.example,5555555
jdoe,Jo,Doe,jdoe@uni.example,
mroe,Mary,Roe,mroe@uni.example,
tchen,Tao,Chen,tchen@uni.example,
"""
NAMES = {
    "alee": "Ann Lee",
    "pobrien": "Pat OBrien",
    "skim": "Sam Kim",
    "jdoe": "Jo Doe",
    "mroe": "Mary Roe",
    "tchen": "Tao Chen",
}


def notebook_points(notebook):
    return sum(e.points for e in EXERCISES.values() if e.notebook == notebook[:-6])


def lost(*exercise_ids):
    return sum(EXERCISES[e].points for e in exercise_ids)


def deserved(notebooks, *failed):
    """Points a submission of ``notebooks`` (all correct but ``failed``) deserves."""
    return sum(notebook_points(n) for n in notebooks) - lost(*failed)


def text(nb):
    return json.dumps(nb)


def softmax_bug():
    return fx.bug_softmax_overflow()[NB1]


def bptt_bug():
    return fx.bug_bptt_sign()[NB3]


# ------------------------------------------------------------------ the downloads


def canvas_zip(path, resubmitted=False):
    """Canvas's "Download Submissions": <name>[_LATE]_<user id>_<attachment id>_<file>."""
    members = {
        f"leeann_12345_900001_{NB1}": text(fx.student_notebook(NB1)),
        # a re-upload: Canvas renamed it "-1" in the download
        "leeann_12345_900002_02_rnn_forward-1.ipynb": text(fx.student_notebook(NB2)),
        "leeann_12345_900003_notes.txt": "my notes",
        f"obrienpat_LATE_23456_900004_{NB1}": text(softmax_bug()),
        f"obrienpat_LATE_23456_900005_{NB2}": text(fx.student_notebook(NB2)),
        f"strangerx_99999_900006_{NB1}": text(fx.student_notebook(NB1)),
    }
    if resubmitted:  # the latest submission of each student, new attachment ids
        members[f"leeann_LATE_12345_900011_{NB3}"] = text(fx.student_notebook(NB3))
        del members[f"obrienpat_LATE_23456_900004_{NB1}"]
        members[f"obrienpat_LATE_23456_900012_{NB1}"] = text(fx.student_notebook(NB1))
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def moodle_zip(path):
    """Moodle's "Download all submissions": <Full Name>_<participant>_assignsubmission_file_/."""
    sam, jo = "Sam Kim_5555555_assignsubmission_file_", "Jo Doe_7777777_assignsubmission_file_"
    members = {
        f"{sam}/{NB1}": text(fx.untouched(NB1)),  # uploaded first, then again:
        f"{sam}/01_building_blocks (1).ipynb": text(fx.student_notebook(NB1)),
        f"{sam}/{NB2}": text(fx.student_notebook(NB2)),
        f"{jo}/{NB1}": text(fx.student_notebook(NB1)),
        f"{jo}/{NB2}": text(fx.student_notebook(NB2)),
        f"{jo}/{NB3}": text(bptt_bug()),
        "Jo Doe_7777777_assignsubmission_onlinetext_onlinetext.html": "<p>see attached</p>",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)


def mixed_folder(folder):
    """A student folder in nbgrader's layout, a student's own zip with "(1)" names, and a
    notebook that is nobody's, beside the LMS downloads in ``folder``."""
    mroe = os.path.join(folder, "mroe", "rnn")
    os.makedirs(os.path.join(mroe, ".ipynb_checkpoints"))
    for name in (NB1, NB2, NB3):
        with open(os.path.join(mroe, name), "w") as f:
            json.dump(fx.student_notebook(name), f)
    with open(os.path.join(mroe, ".ipynb_checkpoints", "03_bptt-checkpoint.ipynb"), "w") as f:
        json.dump(fx.untouched(NB3), f)
    with zipfile.ZipFile(os.path.join(folder, "tchen.zip"), "w") as z:
        z.writestr(NB2, text(fx.untouched(NB2)))  # the older download
        z.writestr("02_rnn_forward (1).ipynb", text(fx.student_notebook(NB2)))
        z.writestr("01_building_blocks (1).ipynb", text(fx.student_notebook(NB1)))
    with open(os.path.join(folder, "Untitled.ipynb"), "w") as f:
        json.dump(fx.untouched(NB1), f)


DESERVED_FIRST = {
    "alee": deserved([NB1, NB2]),
    "pobrien": deserved([NB1, NB2], "softmax"),
    "skim": deserved([NB1, NB2]),
    "jdoe": deserved([NB1, NB2, NB3], "bptt_tanh", "bptt_relu"),
    "mroe": deserved([NB1, NB2, NB3]),
    "tchen": deserved([NB1, NB2]),
}
DESERVED_FINAL = DESERVED_FIRST | {
    "alee": deserved([NB1, NB2, NB3]),
    "pobrien": deserved([NB1, NB2]),
}
SKIPPED_FIRST = {  # file (as the run lists it) -> reason code
    "canvas.zip/leeann_12345_900003_notes.txt": "not a notebook",
    "canvas.zip/strangerx_99999_900006_01_building_blocks.ipynb": "unknown student",
    "moodle.zip/Sam Kim_5555555_assignsubmission_file_/01_building_blocks.ipynb": (
        "older duplicate"
    ),
    "moodle.zip/Jo Doe_7777777_assignsubmission_onlinetext_onlinetext.html": "not a notebook",
    "mroe/rnn/.ipynb_checkpoints/03_bptt-checkpoint.ipynb": "system file",
    "tchen.zip/02_rnn_forward.ipynb": "older duplicate",
    "Untitled.ipynb": "no student",
}


# ------------------------------------------------------------------ running the commands


def run(course, *args, module="autograder.grade"):
    result = subprocess.run(
        [sys.executable, "-m", module, *args, "--course", course],
        cwd=ROOT, env=env(), capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout


def grade(course, *args):
    limits = ("--workers", "2", "--cell-seconds", "60", "--notebook-seconds", "300")
    return run(course, *args, *limits)


def summary(course):
    with open(os.path.join(course, "grading", "summary.json")) as f:
        return json.load(f)


def totals(course):
    return {r["student"]: r["total"] for r in summary(course)["results"]}


def files_of(course, student):
    """{path: bytes} of everything kept for ``student``: what a partial run must not touch."""
    out = {}
    for top in ("submitted", "autograded", "feedback"):
        base = os.path.join(course, top, student)
        for d, _, names in os.walk(base):
            for name in names:
                with open(os.path.join(d, name), "rb") as f:
                    out[os.path.join(d, name)] = f.read()
    result = os.path.join(course, "grading", "results", student + ".json")
    if os.path.exists(result):
        with open(result, "rb") as f:
            out[result] = f.read()
    return out


def everyone_but(course, *students):
    return {s: files_of(course, s) for s in NAMES if s not in students}


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("term")
    course = scratch_course(tmp, gradebook=True)  # the first run's setup: test_assignment_setup
    with open(os.path.join(str(tmp), "students.csv"), "w", encoding="utf-8") as f:
        f.write(ROSTER)
    steps = {"roster": run(course, "import", str(tmp / "students.csv"), module="autograder.roster")}

    first = tmp / "downloads"
    os.makedirs(first)
    canvas_zip(first / "canvas.zip")
    moodle_zip(first / "moodle.zip")
    mixed_folder(str(first))
    steps["first"] = grade(course, str(first))
    steps["first totals"] = totals(course)
    steps["first summary"] = summary(course)

    again = tmp / "canvas-again"
    again.mkdir()
    canvas_zip(again / "canvas.zip", resubmitted=True)
    untouched = everyone_but(course, "alee", "pobrien")
    steps["late"] = grade(course, str(again))
    steps["late untouched"] = (untouched, everyone_but(course, "alee", "pobrien"))

    untouched = everyone_but(course, "skim")
    steps["student"] = grade(course, "--student", "skim")
    steps["student untouched"] = (untouched, everyone_but(course, "skim"))

    steps["prose cell"] = fix_a_sentence(os.path.join(course, "release", "rnn", NB1))
    untouched = everyone_but(course, "jdoe")
    steps["prose fix"] = grade(course, "--student", "jdoe")
    steps["prose fix untouched"] = (untouched, everyone_but(course, "jdoe"))

    os.makedirs(ARTIFACTS, exist_ok=True)
    shutil.copy(os.path.join(course, "grading", "summary.md"), ARTIFACTS)
    return course, steps


def fix_a_sentence(path):
    with open(path) as f:
        nb = json.load(f)
    prose = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    prose["source"] = "".join(prose["source"]) + "\n(A typo fixed.)"
    with open(path, "w") as f:
        json.dump(nb, f)
    return prose["metadata"]["nbgrader"]["grade_id"]


# ------------------------------------------------------------------ the first batch


def test_the_roster_is_imported(term):
    _, steps = term
    assert "added 6" in steps["roster"]


def test_every_file_of_the_first_batch_is_graded_or_listed_with_its_reason(term):
    _, steps = term
    intake = steps["first summary"]["intake"]
    skipped = {s["file"]: s["code"] for s in intake["skipped"]}
    assert skipped == SKIPPED_FIRST
    assert intake["found"] == intake["graded"] + len(intake["skipped"])
    assert intake["graded"] == 14  # alee 2, pobrien 2, skim 2, jdoe 3, mroe 3, tchen 2
    assert f"found {intake['found']} file(s)" in steps["first"]
    assert (
        f"{intake['graded']} to grade (6 student(s)), {len(SKIPPED_FIRST)} skipped"
        in (steps["first"])
    )


def test_the_first_batch_gets_what_it_deserves(term):
    _, steps = term
    assert steps["first totals"] == DESERVED_FIRST


def test_the_newest_copy_is_graded(term):
    _, steps = term
    sources = steps["first summary"]["intake"]["students"]
    assert sources["skim"]["sources"][NB1].endswith("01_building_blocks (1).ipynb")
    assert sources["tchen"]["sources"][NB2] == "tchen.zip/02_rnn_forward (1).ipynb"
    assert sources["alee"]["sources"][NB2].endswith("02_rnn_forward-1.ipynb")


# ------------------------------------------------------------------ later runs


def test_late_resubmissions_are_graded_alone(term):
    _, steps = term
    assert "grading 2 of the submissions" in steps["late"]
    before, after = steps["late untouched"]
    assert after == before


def test_a_student_rerun_touches_nobody_else(term):
    _, steps = term
    assert "grading 1 of the submissions" in steps["student"]
    before, after = steps["student untouched"]
    assert after == before


def test_an_instructor_prose_fix_is_listed_once_and_is_not_tampering(term):
    course, steps = term
    before, after = steps["prose fix untouched"]
    assert after == before
    notes = summary(course)["results"]
    for result in notes:
        for entry in result["notebooks"].values():
            assert not any("had been changed" in n for n in entry["notes"]), result["student"]
    with open(os.path.join(course, "grading", "summary.md")) as f:
        text = f.read()
    changes = text.split("## Changes to the released notebooks")[1]
    assert changes.count(steps["prose cell"]) == 1
    assert text.split("## Students")[1].split("## Changes")[0].count(steps["prose cell"]) == 0


def test_the_grades_of_the_earlier_release_are_named_stale(term):
    _, steps = term
    out = steps["prose fix"]
    assert "WARNING: the release changed since 5 student(s) were graded" in out
    assert "alee, mroe, pobrien, skim, tchen" in out
    assert f"01_building_blocks: text: {steps['prose cell']}" in out
    assert "make grade GRADE_OPTIONS=--all" in out


def test_the_final_summary_keeps_what_every_download_did_not_grade(term):
    course, _ = term
    with open(os.path.join(course, "grading", "summary.md")) as f:
        text = f.read()
    assert "6 student(s) graded; this run graded 1 in" in text
    assert "## Files not graded" in text
    for file in ("onlinetext.html", "notes.txt", "03_bptt-checkpoint.ipynb"):
        assert file in text, file  # the Moodle, Canvas and folder downloads' own
    pobrien = text.split("### pobrien")[1].split("###")[0]
    assert "Canvas marked the submission late" in pobrien


def test_every_score_is_what_the_submission_deserves(term):
    course, _ = term
    assert totals(course) == DESERVED_FINAL


# ------------------------------------------------------------------ names and exports


def test_roster_names_are_in_the_gradebook_grades_csv_and_summary(term):
    from nbgrader.api import Gradebook

    course, _ = term
    with Gradebook(f"sqlite:///{os.path.join(course, 'gradebook.db')}") as gb:
        names = {s.id: f"{s.first_name} {s.last_name}" for s in gb.students}
    assert names == NAMES
    with open(os.path.join(course, "grades.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["student_id"]: f"{r['first_name']} {r['last_name']}" for r in rows} == NAMES
    assert {r["student_id"]: float(r["score"]) for r in rows} == DESERVED_FINAL
    with open(os.path.join(course, "grading", "summary.md")) as f:
        text = f.read()
    for student, name in NAMES.items():
        assert f"### {student} ({name}): " in text


def test_the_canvas_export_parses_back_to_the_same_scores(term):
    course, _ = term
    nbgrader(
        course,
        "export",
        "--exporter=autograder.lms_export.canvas.CanvasExportPlugin",
        "--to=canvas_grades.csv",
        "--CanvasExportPlugin.columns=both",
    )
    imported = canvas_import.read(os.path.join(course, "canvas_grades.csv"))
    by_key = {"alee": 12345, "pobrien": 23456, "skim": 5555555}
    results = {r["student"]: r for r in summary(course)["results"]}
    for student, name in NAMES.items():
        first, last = name.split()
        row = imported.students[by_key.get(student, f"{last}, {first}")]
        assert row["scores"]["rnn"] == DESERVED_FINAL[student], student
        for ex in EXERCISES.values():
            verdict = results[student]["notebooks"][ex.notebook]["verdicts"].get(ex.id, {})
            assert row["scores"][f"rnn: {ex.title}"] == verdict.get("points", 0.0), (student, ex)
    with open(os.path.join(course, "canvas_grades.csv"), newline="") as f:
        late = {r[1] or r[0]: r[-1] for r in csv.reader(f)}
    assert late["23456"] == "LATE (Canvas)" and late["12345"] == "LATE (Canvas)"
    assert late["5555555"] == ""


def test_canvas_late_marks_reach_grades_csv(term):
    course, _ = term
    with open(os.path.join(course, "grades.csv"), newline="") as f:
        rows = {r["student_id"]: r["late"] for r in csv.DictReader(f)}
    assert rows == {s: "LATE (Canvas)" if s in ("alee", "pobrien") else "" for s in NAMES}


# ------------------------------------------------------------------ Blackboard's zone


def test_an_on_time_blackboard_student_gets_full_marks_first_time_and_after_a_recollect(
    tmp_path,
):
    """Due 23:59 Europe/Berlin, submitted 23:30 server time, late penalty "zero": jdoe's
    receipt states CET (full marks at once); mroe's states no zone and the course sets
    none (read as UTC, warned, 0), then re-collected with the zone: the corrected time
    replaces the wrong one, she is graded again and gets full marks, and the record says so."""
    import lms_fixtures as lf

    course = scratch_course(tmp_path)
    with open(os.path.join(course, "nbgrader_config.py"), "a") as f:
        f.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    nbgrader(
        course, "db", "assignment", "add", "rnn", "--duedate=2026-03-02 23:59:00 Europe/Berlin"
    )
    # Notebook 1 only: the lateness does not depend on what is graded, and each later
    # notebook would be graded three times here (notebook 5's training, 6's: minutes).
    submitted = fx.NOTEBOOKS[:1]
    notebooks = {n: text(fx.student_notebook(n)) for n in submitted}
    full = sum(e.points for e in EXERCISES.values() if e.notebook + ".ipynb" in submitted)
    downloads = tmp_path / "downloads"
    lf.blackboard_attempt(downloads, notebooks)
    mroe = ("mroe", "Mary Roe")
    lf.blackboard_attempt(downloads, notebooks, lf.NO_ZONE_DATE, user=mroe, zip_name="mroe.zip")
    first = grade(course, str(downloads))
    assert totals(course) == {"jdoe": full, "mroe": 0}
    assert "WARNING: Blackboard's times of mroe were read as UTC" in first
    with open(os.path.join(course, "grades.csv"), newline="") as f:
        rows = {r["student_id"]: r for r in csv.DictReader(f)}
    assert rows["jdoe"]["duedate"] == "2026-03-02 22:59:00 UTC"  # 23:59 in Berlin
    assert rows["jdoe"]["timestamp"] == "2026-03-02 22:30:00 UTC" and rows["jdoe"]["late"] == ""
    assert rows["mroe"]["late"] == "LATE (31 min after the due date)"
    # nbgrader's own penalty ("zero": the whole raw score), in the summary and grades.csv
    late = next(r for r in summary(course)["results"] if r["student"] == "mroe")
    assert late["notebooks"][NB1[:-6]]["late_penalty"] == full
    assert (
        float(rows["mroe"]["raw_score"]) == full == float(rows["mroe"]["late_submission_penalty"])
    )
    assert float(rows["mroe"]["score"]) == 0
    with open(os.path.join(course, "grading", "summary.md")) as f:
        assert "Due 2026-03-02 22:59 UTC." in f.read()
    again = grade(course, str(downloads), "--lms-timezone", "Europe/Berlin")
    assert "mroe: submission time corrected from 2026-03-02 23:30:00 UTC" in again
    assert "grading 1 of the submissions" in again
    assert totals(course) == {"jdoe": full, "mroe": full}
    notes = summary(course)["intake"]["students"]["mroe"]["notes"]
    assert any("submission time corrected" in n for n in notes), notes
    os.makedirs(ARTIFACTS, exist_ok=True)  # the closing note shows it
    shutil.copy(
        os.path.join(course, "grading", "summary.md"),
        os.path.join(ARTIFACTS, "blackboard-summary.md"),
    )
