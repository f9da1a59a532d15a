"""The class summary (summary.md, summary.png, summary.json) from fabricated results."""

import json
import re

import pytest
import result_fixtures as rf

from autograder.grading import summary
from autograder.intake import IntakeResult, Skip
from autograder.reports import figure, stats
from course.exercises import EXERCISES, notebooks

NB = notebooks()
BPTT_MESSAGE = "BasicRNNCell.backward (tanh), test 'T = 1': dW_hh is wrong: largest difference 0.5"
DIED = "could not be run to the end: DeadKernelError: Kernel died"


def class_results():
    return [
        rf.result("perfect"),
        rf.result("alee", failed={"softmax": rf.SOFTMAX_NAN.format(i=1)}),
        rf.result(
            "bkim",
            failed={"softmax": rf.SOFTMAX_NAN.format(i=3), "bptt_tanh": BPTT_MESSAGE},
            not_attempted={"run_training", "run_memory_test"},
        ),
        rf.result("cyu", missing=NB[2:], late={NB[0]: 1.5}),
        rf.result(
            "dan",
            status={NB[1]: DIED},
            notes={NB[0]: ["test cell 'test_softmax' was missing: restored"]},
            extra=["numpy.py"],
        ),
        rf.result("untouched", not_attempted=set(EXERCISES)),
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("summary")
    intake = IntakeResult(
        "downloads",
        skipped=[
            Skip("eve.zip", "unreadable", "not a readable archive (File is not a zip file)"),
            Skip("alee/rnn/notes.txt", "not a notebook", "notes.txt is not a notebook", "alee"),
        ],
    )
    names = {"alee": "Ann Lee", "bkim": "Bo Kim"}
    problems = {"eve": "no notebook could be read"}
    text = summary.write(
        str(tmp_path), class_results(), problems, 12.3, 2, names=names, intake=intake
    )
    return tmp_path, text


def section(text, title):
    return text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_exercises_in_course_order_with_passed_failed_not_attempted(written):
    _, text = written
    rows = [r for r in section(text, "Exercises").splitlines() if r.startswith("| 0")]
    assert [r.split(" | ")[1] for r in rows] == [e.title for e in EXERCISES.values()]
    softmax = rows[0].split(" | ")
    assert softmax[3:] == ["3 (50 %)", "2 (33 %)", "1 (17 %) |"]
    bptt_tanh = next(r for r in rows if "backward (tanh)" in r).split(" | ")
    assert bptt_tanh[3:] == ["3 (50 %)", "1 (17 %)", "2 (33 %) |"]  # cyu did not submit it


def test_most_common_failures_counted_across_students(written):
    _, text = written
    failures = section(text, "Most common failures")
    # the same mistake with different numbers (index (0, 1, 2) and (0, 3, 2)) is one
    assert (
        "- 2 student(s): softmax, test 'large logits': probs contains nan at index (#, #, #)"
        in (failures)
    )
    assert f"- 1 student(s): 02_rnn_forward: {DIED}" in failures


def test_every_students_reasons_and_names(written):
    _, text = written
    students = section(text, "Students")
    full = sum(e.points for e in EXERCISES.values())
    bkim = students.split(f"### bkim (Bo Kim): {full - 10} / {full}\n", 1)[1].split("###", 1)[0]
    assert (
        "- **softmax** failed: softmax, test 'large logits': probs contains nan at index (0, 3, 2)"
        in bkim
    )
    assert f"- **BasicRNNCell.backward (tanh)** failed: {BPTT_MESSAGE}" in bkim
    assert "- not attempted: run_training, run_memory_test" in bkim
    cyu = students.split(f"### cyu: 12.5 / {full}\n", 1)[1].split("###", 1)[0]
    assert "not submitted: " + ", ".join(notebooks()[2:]) in cyu
    assert "01_building_blocks: late penalty -1.5" in cyu
    dan = students.split(f"### dan: {full - 5} / {full}\n", 1)[1].split("###", 1)[0]
    assert "was missing: restored" in dan and "files ignored: numpy.py" in dan
    assert f"### perfect: {full} / {full}\n\n- everything passed" in students
    assert f"| alee | Ann Lee | {full - 1} |" in section(text, "Scores")


def test_not_graded_students_and_files_are_listed(written):
    _, text = written
    assert "- eve: no notebook could be read" in text
    files = section(text, "Files not graded")
    assert "- `eve.zip`: not a readable archive (File is not a zip file)" in files
    assert "**not a notebook** (1)" in files


def test_text_histogram_counts_every_student(written):
    _, text = written
    block = section(text, "Scores").split("```")[1]
    counts = [int(line.split()[-1]) for line in block.strip().splitlines()]
    assert sum(counts) == 6 and len(counts) <= 11


def test_summary_json_and_png(written):
    out, _ = written
    data = json.loads((out / "summary.json").read_text())
    assert [r["student"] for r in data["results"]][:2] == ["perfect", "alee"]
    assert data["not_graded"] == {"eve": "no notebook could be read"}
    assert data["intake"]["skipped"][0]["file"] == "eve.zip"
    assert (out / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "summary.png").stat().st_size > 10_000


def test_chart_axes_count_whole_students_and_scores():
    fig = figure.figure(class_results())
    hist, bars = fig.axes
    for ticks in (hist.get_xticks(), hist.get_yticks(), bars.get_xticks()):
        assert all(float(t).is_integer() for t in ticks)
    labels = [t.get_text() for t in bars.get_yticklabels()]
    assert labels == [f"{e.notebook[:2]}  {e.title}" for e in EXERCISES.values()]


@pytest.mark.slow  # renders a whole class's report and chart (3.3 s)
def test_a_partial_run_renders_whatever_students_it_is_given(tmp_path):
    text = summary.write(str(tmp_path), [rf.result("alee")], {}, 1.0, 1)
    assert "1 student(s) graded" in text and "No exercise failed." in text
    empty = summary.write(str(tmp_path), [], {"bob": "not a valid student id"}, 0.1, 1)
    assert "0 student(s) graded" in empty and "- bob: not a valid student id" in empty


def test_failure_messages_are_grouped_without_their_numbers():
    a = stats.failure_key("x, test 'batch 1': y is wrong: largest difference 0.25 (yours 1e-3)")
    b = stats.failure_key("x, test 'batch 1': y is wrong: largest difference 3.5 (yours -2)")
    assert a == b == "x, test 'batch 1': y is wrong: largest difference # (yours #)"
    assert re.search(r"'batch 1'", a)


def test_the_bar_of_full_marks_is_drawn_whole():
    hist, _ = figure.figure([rf.result("perfect"), rf.result("also")]).axes
    right = max(p.get_x() + p.get_width() for p in hist.patches if p.get_height())
    full = sum(ex.points for ex in EXERCISES.values())
    assert right == full + 0.5 and right < hist.get_xlim()[1]  # inside the frame, not on it


def test_a_corrupt_notebook_is_failed_with_its_reason_not_unattempted():
    corrupt = f"not graded: invalid notebook ({NB[0]} is not valid JSON)"
    result = rf.result("eve", status={NB[0]: corrupt})
    for verdict in result["notebooks"][NB[0]]["verdicts"].values():
        verdict["attempted"] = False  # as results.notebook_entry records an unreadable one
    report = stats.student_report(result)
    titles = ", ".join(e.title for e in EXERCISES.values() if e.notebook == NB[0])
    assert report.failed == [(titles, "the notebook was not graded")]  # one line for all
    assert f"{NB[0]}: {corrupt}" in report.notes  # with the reason
    assert report.failed_count == len(titles.split(", "))
    assert "softmax" not in report.not_attempted


def test_the_answers_own_error_is_the_failure_message():
    import nbformat

    from autograder.grading.intake import Prepared
    from autograder.grading.results import notebook_entry
    from course.paths import ROOT

    release = nbformat.read(f"{ROOT}/release/rnn/{NB[0]}.ipynb", as_version=4)
    answer = next(
        c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax"
    )
    executed = {"cells": [{**answer, "outputs": [
        {"output_type": "error", "ename": "IndentationError", "evalue": "unexpected indent (3)"}
    ]}]}  # fmt: skip
    run = {
        "notebook": executed,
        "status": "graded",
        "stopped": {},
        "verdicts": {
            "softmax": {"passed": False, "message": "NameError: name 'softmax' is not defined"}
        },
    }
    prep = Prepared("eve")
    prep.valid = [NB[0]]
    entry = notebook_entry(NB[0], prep, run, {}, {NB[0]: release})
    message = entry["verdicts"]["softmax"]["message"]
    assert message.startswith("your answer cell 'softmax' raised IndentationError: unexpected")
    assert "NameError" in message  # the test's consequence, after the cause


def test_a_students_section_says_which_of_their_files_were_not_graded(written):
    _, text = written
    alee = text.split("### alee")[1].split("###")[0]
    assert "- not graded: `alee/rnn/notes.txt`: notes.txt is not a notebook" in alee


def test_the_due_date_is_shown_with_its_zone(tmp_path):
    from datetime import datetime

    from autograder.grading.pipeline import due_text

    due = due_text(datetime(2026, 3, 2, 22, 59), "Europe/Berlin")
    assert due == "2026-03-02 22:59 UTC (2026-03-02 23:59 CET, Europe/Berlin)"
    assert due_text(datetime(2026, 3, 2, 22, 59)) == "2026-03-02 22:59 UTC"
    text = summary.write(str(tmp_path), [rf.result("a")], {}, 1.0, 1, due=due)
    assert f"Due {due}." in text
