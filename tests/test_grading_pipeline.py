"""End to end: one real batch through `python -m autograder.grade`, with fixture students.

The batch mixes typical bugs, valid alternative implementations, attacks on the grader
and broken submissions, in notebooks 1-5 (what they touch); the tests below read the
outcome of that one run. Attacks start from unanswered notebooks, so any point they get
is a point gained by attacking. The perfect submission, the untouched release and the
hang in softmax have every notebook: they are the suite's one class graded over every
notebook (graded_class.py), which the tests of the hidden grading figures read.
"""

import json
import os
import socket
import threading

import grading_fixtures as fx
import pytest
from graded_class import (
    CELL_SECONDS,
    NOTEBOOK_SECONDS,
    feedback_never_shows_hidden_tests,
    grade_class,
    gradebook_and_grades_csv_agree,
    run_grader,
)
from nbgrader_course import ROOT, scratch_course
from points import points, points_of

pytestmark = pytest.mark.slow


class Listener:
    """A loopback TCP server that records whether anyone connected."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture(scope="session")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    course = scratch_course(tmp, gradebook=True)
    listener = Listener()
    secrets = [
        os.path.join(course, "gradebook.db"),
        os.path.join(course, "source"),
        os.path.join(course, "source", "rnn", "01_building_blocks.ipynb"),
        os.path.join(course, "grading", "secret"),
        os.path.join(course, "grading", "results"),
        os.path.join(course, "submitted", "alternatives", "rnn"),  # another student's
        os.path.join(course, "autograded", "alternatives", "rnn"),
        os.path.join(ROOT, "course", "reference", "common.py"),
        os.path.join(ROOT, "course", "judge.py"),
        "../../../gradebook.db",
        "../../../source/rnn/01_building_blocks.ipynb",
        "../../alternatives/rnn/01_building_blocks.ipynb",
        "/root/.ssh",
        "/etc/shadow",
    ]
    targets = [
        os.path.join(course, "gradebook.db"),
        os.path.join(course, "grades.csv"),
        os.path.join(course, "grading", "state.json"),
        "01_building_blocks.ipynb",
        os.path.join(ROOT, "helpers", "__init__.py"),
        os.path.join(course, "source", "rnn", "01_building_blocks.ipynb"),
    ]
    students = {
        "bug_softmax_overflow": fx.bug_softmax_overflow(),
        "bug_bptt_sign": fx.bug_bptt_sign(),
        "bug_missing_tanh_derivative": fx.bug_missing_tanh_derivative(),
        "bug_clipping_direction": fx.bug_clipping_changes_direction(),
        "alternatives": fx.alternatives(),
        "attack_numpy": fx.attack_monkeypatch_numpy(),
        "attack_builtins": fx.attack_monkeypatch_builtins(),
        "attack_input_transformer": fx.attack_input_transformer(),
        "attack_ast_transformer": fx.attack_ast_transformer(),
        "attack_event_hooks": fx.attack_event_hooks(),
        "attack_fake_harness": fx.attack_fake_harness(),
        "attack_edit_tests": fx.attack_edit_test_cells(),
        "attack_import_reference": fx.attack_import_reference(),
        "attack_probe_judge": fx.attack_probe_judge(),
        "attack_other_notebooks_judge": fx.attack_judge_of_another_notebook(),
        "attack_read": fx.attack_read_secrets(secrets),
        "attack_write": fx.attack_write_files(targets),
        "attack_network": fx.attack_network(listener.port),
        "broken_kernel_exit": fx.broken_kernel_exit(),
        "broken_segfault": fx.broken_segfault(),
        "broken_infinite_loop": fx.broken_infinite_loop(),
        "broken_slow_notebook": fx.broken_slow_notebook(CELL_SECONDS),
        "broken_memory_bomb": fx.broken_memory_bomb(),
        "broken_huge_output": fx.broken_huge_output(),
        "broken_display_flood": fx.broken_display_flood(),
        "broken_invalid_json": fx.broken_invalid_json(),
        "broken_structure": fx.broken_structure(),
        "broken_missing_and_extra": fx.broken_missing_and_extra(),
    }
    # Notebooks 1-5 only: the notebooks after them are graded once, in graded_class.py.
    submitted = {name for files in students.values() for name in files if name.endswith(".ipynb")}
    assert submitted <= set(fx.NOTEBOOKS[:5]), submitted
    return grade_class(course, students) | {"listener": listener}


def total(batch, student):
    return batch["results"][student]["total"]


def nb_points(batch, student, nb):
    entry = batch["results"][student]["notebooks"][nb]
    return sum(v["points"] for v in entry["verdicts"].values())


def failed_checks(batch, student):
    return sorted(
        c
        for e in batch["results"][student]["notebooks"].values()
        for c, v in e["verdicts"].items()
        if not v["passed"]
    )


def cell_output(batch, student, notebook, marker):
    path = os.path.join(batch["course"], "autograded", student, "rnn", notebook + ".ipynb")
    with open(path) as f:
        nb = json.load(f)
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", ""))
            if marker in text:
                return text
    raise AssertionError(f"no output containing {marker!r} in {student}/{notebook}")


NB = [n[:-6] for n in fx.NOTEBOOKS]


def test_gradebook_and_grades_csv_agree_with_the_judge(batch):
    gradebook_and_grades_csv_agree(batch)


@pytest.mark.parametrize(
    "student,failed",
    [
        ("bug_softmax_overflow", ["softmax"]),
        ("bug_bptt_sign", ["bptt_relu", "bptt_tanh"]),
        ("bug_missing_tanh_derivative", ["bptt_tanh"]),
        ("bug_clipping_direction", ["clip_global_norm"]),
    ],
)
def test_typical_bugs_lose_exactly_their_exercises_points(batch, student, failed):
    lost = points_of(*failed)
    result = batch["results"][student]
    submitted = [nb for nb, e in result["notebooks"].items() if e["status"] == "graded"]
    available = sum(
        v["max_points"] for nb in submitted for v in result["notebooks"][nb]["verdicts"].values()
    )
    assert result["total"] == available - lost
    assert [
        c
        for c in failed_checks(batch, student)
        if any(c in result["notebooks"][nb]["verdicts"] for nb in submitted)
    ] == failed


def test_valid_alternatives_get_full_marks(batch):
    for nb in NB[:4]:
        assert nb_points(batch, "alternatives", nb) == points(nb), nb


@pytest.mark.parametrize(
    "student",
    [
        "attack_numpy",
        "attack_builtins",
        "attack_input_transformer",
        "attack_ast_transformer",
        "attack_event_hooks",
        "attack_fake_harness",
        "attack_edit_tests",
        "attack_import_reference",
        "attack_probe_judge",
        "attack_other_notebooks_judge",
        "attack_read",
        "attack_write",
        "attack_network",
    ],
)
def test_attacks_gain_nothing(batch, student):
    assert total(batch, student) == 0


def test_reference_cannot_be_imported(batch):
    out = cell_output(batch, "attack_import_reference", NB[0], "blocked")
    assert "IMPORTED THE REFERENCE" not in out


def test_judge_cannot_be_probed_or_used_as_an_oracle(batch):
    second = cell_output(batch, "attack_probe_judge", NB[0], "second attempt")
    assert "refused" in second and "ALLOWED" not in second
    oracle = cell_output(batch, "attack_probe_judge", NB[0], "oracle")
    assert "refused" in oracle and "ORACLE" not in oracle


def test_student_code_cannot_read_the_course(batch):
    assert cell_output(batch, "attack_read", NB[0], "LEAKS:").strip() == "LEAKS: none"


def test_student_code_cannot_write_outside_its_sandbox(batch):
    assert cell_output(batch, "attack_write", NB[0], "WRITTEN:").strip() == "WRITTEN: none"
    with open(os.path.join(ROOT, "helpers", "__init__.py")) as f:
        assert "tampered" not in f.read()


def test_student_code_has_no_network(batch):
    assert (
        cell_output(batch, "attack_network", NB[0], "CONNECTIONS:").strip() == "CONNECTIONS: none"
    )
    assert batch["listener"].connections == 0


@pytest.mark.parametrize("student", ["broken_kernel_exit", "broken_segfault"])
def test_a_dying_kernel_fails_only_its_notebook(batch, student):
    result = batch["results"][student]
    assert nb_points(batch, student, NB[0]) == points(NB[0])
    assert result["notebooks"][NB[1]]["status"].startswith("could not be run to the end")
    assert nb_points(batch, student, NB[1]) == 0


def test_infinite_loop_is_interrupted_and_the_rest_graded(batch):
    assert nb_points(batch, "broken_infinite_loop", NB[0]) == points(NB[0])


def test_whole_notebook_time_limit(batch):
    entry = batch["results"]["broken_slow_notebook"]["notebooks"][NB[0]]
    assert "could not be run to the end" in entry["status"]
    assert f"{NOTEBOOK_SECONDS} s limit" in entry["status"]


def test_memory_is_capped(batch):
    assert "memory limit reached" in cell_output(batch, "broken_memory_bomb", NB[0], "memory limit")
    assert nb_points(batch, "broken_memory_bomb", NB[0]) == points(NB[0])


def test_huge_output_is_truncated(batch):
    out = cell_output(batch, "broken_huge_output", NB[0], "truncated")
    assert len(out) < 3 * 2**20
    assert nb_points(batch, "broken_huge_output", NB[0]) == points(NB[0])


def test_a_kernel_gets_no_other_notebooks_tests(batch):
    out = cell_output(batch, "attack_other_notebooks_judge", NB[1], "cross-notebook")
    assert "refused" in out and "CASES" not in out
    entry = batch["results"]["attack_other_notebooks_judge"]["notebooks"][NB[1]]
    assert "spectral_radius" not in entry["verdicts"]  # (blanks get 0: test_graded_class.py)


def test_a_display_flood_is_bounded_outside_the_kernel(batch):
    student = "broken_display_flood"
    assert nb_points(batch, student, NB[0]) == points(NB[0])
    path = os.path.join(batch["course"], "autograded", student, "rnn", NB[0] + ".ipynb")
    assert os.path.getsize(path) < 8 * 2**20
    with open(path) as f:
        cells = json.load(f)["cells"]
    assert max(len(c.get("outputs", [])) for c in cells) <= 102  # and a note, an error
    assert "left out by the grader" in cell_output(batch, student, NB[0], "left out")
    page = os.path.join(batch["course"], "feedback", student, "rnn", NB[0] + ".html")
    assert os.path.getsize(page) < 8 * 2**20


def test_invalid_json_fails_alone_with_a_reason(batch):
    entry = batch["results"]["broken_invalid_json"]["notebooks"][NB[0]]
    assert entry["status"].startswith("not graded: invalid notebook (invalid JSON")
    assert nb_points(batch, "broken_invalid_json", NB[1]) == points(NB[1])


def test_deleted_duplicated_renamed_and_edited_cells_are_repaired(batch):
    entry = batch["results"]["broken_structure"]["notebooks"][NB[0]]
    assert nb_points(batch, "broken_structure", NB[0]) == points(NB[0])  # not 100, not 0
    notes = " ".join(entry["notes"])
    assert "was missing: restored" in notes and "second copy" in notes


def test_missing_notebooks_and_extra_files(batch):
    result = batch["results"]["broken_missing_and_extra"]
    assert result["total"] == points(NB[1])  # the one notebook handed in
    assert result["notebooks"][NB[0]]["status"] == "not submitted"
    skipped = {
        s["file"].rsplit("/", 1)[-1]: s["reason"]
        for s in batch["summary"]["intake"]["skipped"]
        if s["student"] == "broken_missing_and_extra"
    }
    assert sorted(skipped) == ["helpers.py", "notes.txt", "numpy.py"]
    assert skipped["numpy.py"] == "numpy.py is not a notebook"
    missing_page = os.path.join(
        batch["course"], "feedback", "broken_missing_and_extra", "rnn", NB[0] + ".html"
    )
    with open(missing_page) as f:
        assert "numpy.py" in f.read()  # the student sees what was received instead


def test_feedback_never_shows_hidden_tests(batch):
    feedback_never_shows_hidden_tests(batch)


def test_summary_reports_scores_pass_rates_and_reasons(batch):
    course = batch["course"]
    with open(os.path.join(course, "grading", "summary.md")) as f:
        text = f.read()
    assert "## Scores" in text and "## Exercises" in text and "## Most common failures" in text
    assert "invalid JSON" in text and "could not be run to the end" in text
    assert os.path.getsize(os.path.join(course, "grading", "summary.png")) > 10_000


def test_rerunning_is_idempotent(batch):
    course = batch["course"]
    before = {s: r["total"] for s, r in batch["results"].items()}
    result = run_grader(
        course, "--student", "broken_structure", "--student", "bug_clipping_direction"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(course, "grading", "summary.json")) as f:
        again = {r["student"]: r["total"] for r in json.load(f)["results"]}
    assert again == {s: before[s] for s in again}
    with open(os.path.join(course, "grades.csv")) as f:
        assert len(f.read().splitlines()) == len(before) + 1


def test_lms_zip_downloads_are_collected_and_a_bad_archive_fails_alone(tmp_path):
    import zipfile

    course = scratch_course(tmp_path, gradebook=True)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    answered = json.dumps(fx.student_notebook(fx.NOTEBOOKS[0]))
    with zipfile.ZipFile(downloads / "alice.zip", "w") as z:  # the notebook in a folder
        z.writestr("my work/01_building_blocks.ipynb", answered)
    with zipfile.ZipFile(downloads / "bob.zip", "w") as z:  # untouched, at the top
        z.writestr("01_building_blocks.ipynb", json.dumps(fx.untouched(fx.NOTEBOOKS[0])))
    (downloads / "carol.zip").write_bytes(b"not a zip at all")
    with zipfile.ZipFile(downloads / "dave.zip", "w") as z:
        z.writestr("../../escape.ipynb", answered)
    result = run_grader(course, str(downloads))
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(course, "grading", "summary.json")) as f:
        summary = json.load(f)
    totals = {r["student"]: r["total"] for r in summary["results"]}
    assert totals == {"alice": points(NB[0]), "bob": 0}
    assert "carol.zip" in summary["not_graded"]["carol"]
    assert "dave.zip" in summary["not_graded"]["dave"]
    reasons = {s["file"]: s["reason"] for s in summary["intake"]["skipped"]}
    assert "not a readable archive" in reasons["carol.zip"]
    assert "unsafe path" in reasons["dave.zip/../../escape.ipynb"]
    assert not os.path.exists(os.path.join(course, "escape.ipynb"))
