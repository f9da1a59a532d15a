"""Pages for notebooks nbgrader has no page for (missing, unreadable, not run), written
for one student without touching another's; no grading runs here."""

import html
import os
import re

import result_fixtures as rf

from autograder.feedback.pages import write_problem_pages
from autograder.feedback.student import regenerate
from course.exercises import notebooks

NB = notebooks()
LONG_ERROR = "invalid JSON: Expecting ',' delimiter: line 1 column 30001 " + "x" * 2000
STOPPED = "could not be run to the end: the notebook took longer than its 40 s limit"


def text(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    return page, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def ada():
    return rf.result(
        "ada",
        missing=[NB[2]],
        status={NB[3]: f"not graded: invalid notebook ({LONG_ERROR})", NB[4]: STOPPED},
        notes={NB[3]: ["<script>alert('x')</script> in a note"]},
    )


def test_a_page_for_each_notebook_without_one(tmp_path):
    received = [("ada.zip/03_bptt_final.ipynb", "03_bptt_final.ipynb is not a notebook of it")]
    written = write_problem_pages(str(tmp_path), ada(), received)
    # notebooks 1 and 2 were graded: their pages are nbgrader's (none here, so "not graded")
    assert sorted(os.path.basename(p) for p in written) == [n + ".html" for n in NB]

    page, plain = text(tmp_path / f"{NB[2]}.html")
    assert "We did not receive this notebook" in plain
    assert "ada.zip/03_bptt_final.ipynb" in plain  # what the student did send
    assert "BasicRNNCell.backward (tanh)" in plain and "0 / 4" in plain

    page, plain = text(tmp_path / f"{NB[3]}.html")
    assert "could not be read as a notebook" in plain
    assert LONG_ERROR in plain  # the whole error, not cut
    assert "<script>" not in page  # escaped
    assert "Revert Notebook to Checkpoint" in plain

    page, plain = text(tmp_path / f"{NB[4]}.html")
    assert "could not be run to the end" in plain and "40 s limit" in plain
    assert "Restart Kernel and Run All Cells" in plain

    for path in written:  # styled, self-contained
        page, _ = text(path)
        assert "<style>" in page and "fb-card" in page and "http" not in page


def test_an_existing_page_is_never_replaced(tmp_path):
    (tmp_path / f"{NB[2]}.html").write_text("nbgrader's page")
    write_problem_pages(str(tmp_path), ada())
    assert (tmp_path / f"{NB[2]}.html").read_text() == "nbgrader's page"


def test_regenerate_touches_only_that_student(tmp_path):
    other = tmp_path / "feedback" / "bob" / "rnn" / f"{NB[0]}.html"
    other.parent.mkdir(parents=True)
    other.write_text("bob's page")
    result = rf.result("ada", missing=NB)  # nothing submitted: no autograded notebooks
    pages = regenerate(str(tmp_path), result)
    assert [os.path.basename(p) for p in pages] == [n + ".html" for n in NB]
    assert other.read_text() == "bob's page"


def test_command_line_regenerates_from_the_last_grading_run(tmp_path, capsys):
    import json

    from autograder.feedback.__main__ import main

    (tmp_path / "grading").mkdir()
    summary = {
        "results": [rf.result("ada", missing=NB), rf.result("bob", missing=NB)],
        "intake": {"skipped": [{"file": "ada/x.ipynb", "reason": "not ours", "student": "ada"}]},
    }
    (tmp_path / "grading" / "summary.json").write_text(json.dumps(summary))
    assert main(["--course", str(tmp_path), "--student", "ada"]) == 0
    assert capsys.readouterr().out == f"ada: {len(notebooks())} page(s)\n"
    assert not (tmp_path / "feedback" / "bob").exists()
    assert "ada/x.ipynb" in (tmp_path / "feedback" / "ada" / "rnn" / f"{NB[0]}.html").read_text()
    assert main(["--course", str(tmp_path), "--student", "zed"]) == 2
