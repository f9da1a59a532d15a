"""A class graded beside hostile files keeps every honest student's score (issue 20).

One run of ``python -m autograder.grade`` on a folder of downloads where some students
attack the others: a Blackboard name that claims another's attempt (and a 2099 date),
LMS-style names for others inside a student's own zip and folder, a timestamp.txt and
nested zips in a zip, and a notebook nested 300,000 deep. Notebook 1 only, to keep it short.
"""

import io
import json
import os
import zipfile

import grading_fixtures as fx
import lms_fixtures as lf
import pytest
from graded_class import run_grader
from nbgrader_course import scratch_course
from test_intake import ROSTER
from test_malformed_notebooks import nested_in_metadata

from autograder.roster.gradebook import import_roster

pytestmark = pytest.mark.slow

NB1 = fx.NOTEBOOKS[0]
ANSWERED = json.dumps(fx.student_notebook(NB1))
UNANSWERED = json.dumps(fx.untouched(NB1))
PLANTED = "2099-01-01-00-00-00"


def _zip_bytes(members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _downloads(root):
    lf.zip_files(
        root / lf.BLACKBOARD_ZIP,
        {
            f"RNN_alee_attempt_2026-03-01-09-00-00_{NB1}": ANSWERED,
            f"RNN_jdoe_attempt_2026-03-01-10-00-00_x_alee_attempt_{PLANTED}_{NB1}": UNANSWERED,
        },
    )
    lf.zip_files(root / "pobrien.zip", {f"rnn/{NB1}": ANSWERED})
    lf.write(root / "skim" / "rnn" / NB1, ANSWERED)
    lf.zip_files(
        root / "jdoe.zip",
        {
            f"obrienpat_LATE_23456_900003_{NB1}": UNANSWERED,
            f"RNN_skim_attempt_{PLANTED}_{NB1}": UNANSWERED,
            "rnn/timestamp.txt": "2099-01-01 00:00:00.000000 UTC",
            "bomb.zip": _zip_bytes({"inner.zip": _zip_bytes({"zeros.bin": b"\0" * 2**20})}),
        },
    )
    lf.write(root / "jdoe" / f"RNN_pobrien_attempt_{PLANTED}_{NB1}", UNANSWERED)
    lf.write(root / "carol" / "rnn" / NB1, nested_in_metadata(300_000))


def test_honest_students_keep_their_scores_beside_hostile_files(tmp_path):
    course = scratch_course(tmp_path, gradebook=True)
    import_roster(course, ROSTER)
    downloads = tmp_path / "downloads"
    _downloads(downloads)
    result = run_grader(course, str(downloads))
    assert result.returncode == 0, result.stderr[-3000:]
    with open(os.path.join(course, "grading", "summary.json")) as f:
        summary = json.load(f)
    results = {r["student"]: r for r in summary["results"]}
    assert {s: results[s]["total"] for s in ("alee", "pobrien", "skim")} == {
        "alee": 9,
        "pobrien": 9,
        "skim": 9,
    }
    stamp = os.path.join(course, "submitted", "alee", "rnn", "timestamp.txt")
    with open(stamp) as f:
        assert f.read().startswith("2026-03-01 09:00:00")
    for student in ("pobrien", "skim", "jdoe"):
        assert not os.path.exists(
            os.path.join(course, "submitted", student, "rnn", "timestamp.txt")
        )
    carol = results["carol"]["notebooks"][NB1[:-6]]["status"]
    assert carol.startswith("not graded: invalid notebook (its JSON is nested more than")
    assert "jdoe" not in results or results["jdoe"]["total"] == 0
