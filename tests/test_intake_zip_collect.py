"""The intake's naming rules inside plain nbgrader: ``nbgrader zip_collect`` with the
LmsCollector and SafeExtractor plugins, on a Canvas and a Blackboard bulk download, with
the roster imported first (as the README's workflow does)."""

import os
from pathlib import Path

import lms_fixtures as lf
import pytest
from nbgrader_course import nbgrader, scratch_course
from test_intake import ROSTER

from autograder.roster.gradebook import import_roster

pytestmark = pytest.mark.slow


def test_nbgrader_zip_collect_with_the_lms_plugins(tmp_path):
    course = Path(scratch_course(tmp_path, folders=("release",)))
    import_roster(str(course), ROSTER)
    archive = course / "downloaded" / "rnn" / "archive"
    lf.canvas_download(archive)
    lf.blackboard_download(archive)
    result = nbgrader(
        str(course),
        "zip_collect",
        "rnn",
        "--collector=autograder.intake.collectors.LmsCollector",
        "--extractor=autograder.intake.archives.SafeExtractor",
        "--LmsCollector.lms_timezone=America/New_York",
    )
    submitted = course / "submitted"
    got = {
        student: {
            nb: lf.marker(submitted / student / "rnn" / nb)
            for nb in os.listdir(submitted / student / "rnn")
            if nb.endswith(".ipynb")
        }
        for student in os.listdir(submitted)
    }
    assert got == {
        "alee": {lf.NB1: "canvas lee nb1", lf.NB2: "canvas lee nb2"},
        "pobrien": {lf.NB1: "canvas obrien nb1"},
        "skim": {lf.NB3: "canvas kim nb3"},  # in a zip in the zip
        "jdoe": {lf.NB1: "bb second attempt"},
    }
    stamp = (submitted / "jdoe" / "rnn" / "timestamp.txt").read_text()
    assert stamp.startswith("2026-03-02 14:30:00")  # 09:30 New York time, in UTC
    assert "Canvas anonymous grading" in result.stderr
    assert "Canvas user 99999 (nobodyx) is not on the roster" in result.stderr
