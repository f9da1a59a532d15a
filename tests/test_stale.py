"""A changed release makes grades and handed-out bundles stale, and they are named with
what changed (text or tests): autograder/grading/stale.py, on a scratch copy of release/."""

import json
import os
import shutil

import pytest
from nbgrader_course import ROOT

from authoring.bundle import stale_lines
from autograder.grading import stale

NB1 = "01_building_blocks"


def scratch(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(os.path.join(ROOT, "release", "rnn"), root / "release" / "rnn")
    return str(root), str(root / "release" / "rnn")


def edit(release_dir):
    """An edited sentence and an edited visible test value, as an instructor makes them."""
    path = os.path.join(release_dir, NB1 + ".ipynb")
    with open(path) as f:
        nb = json.load(f)
    prose = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    prose["source"] = "".join(prose["source"]) + "\n(A typo fixed.)"
    test = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    test["source"] = "".join(test["source"]) + "\n# a visible value changed"
    with open(path, "w") as f:
        json.dump(nb, f)
    ids = (
        prose["metadata"].get("nbgrader", {}).get("grade_id"),
        test["metadata"]["nbgrader"]["grade_id"],
    )
    return ids


def test_grades_and_bundles_of_an_earlier_release_are_named_with_what_changed(tmp_path):
    root, release = scratch(tmp_path)
    before = stale.release_hashes(root, release)
    state = {"alee": {"fingerprint": "x", "release": before}, "old": {"fingerprint": "y"}}
    stale.record_bundle(root, "dist/student-bundle.zip", before)
    assert stale.report(stale.stale_grades(root, state, before, release), []) == []
    prose, test = edit(release)
    now = stale.release_hashes(root, release)
    grades = stale.stale_grades(root, state, now, release)
    assert grades == {"alee": {NB1: f"tests: {test}; text: {prose}"}}  # "old": not known
    bundles = stale.stale_bundles(root, now, release)
    lines = stale.report(grades, bundles)
    assert lines[0].startswith("WARNING: the release changed since 1 student(s) were graded")
    assert f"  {NB1}: tests: {test}; text: {prose}" in lines
    assert "make grade GRADE_OPTIONS=--all" in lines[2]
    assert "WARNING: the student bundle built" in lines[3] and "dist/student-bundle.zip" in lines[3]
    stale.record_bundle(root, "dist/student-bundle.zip", now)  # a new bundle supersedes
    assert stale.stale_bundles(root, now, release) == []


def test_make_bundle_names_the_stale_grades_too(tmp_path):
    root, release = scratch(tmp_path)
    before = stale.release_hashes(root, release)
    os.makedirs(os.path.join(root, "grading"), exist_ok=True)
    with open(os.path.join(root, "grading", "state.json"), "w") as f:
        json.dump({"alee": {"fingerprint": "x", "release": before}}, f)
    edit(release)
    assert "grades are stale: alee" in stale_lines(root, release)[0]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")  # nbgrader's add_submission
def test_an_edited_test_reaches_the_gradebooks_copy(tmp_path):
    """nbgrader grades with the gradebook's copy of the test cells: after source/ changed
    (an edited visible test, then make release) grading generates it again."""
    from nbgrader.api import Gradebook
    from nbgrader_course import scratch_course

    from autograder.grading.grading_course import GradingCourse

    course = GradingCourse(scratch_course(tmp_path))
    assert course.ensure_assignment() == "added"
    assert course.ensure_assignment() is False
    with Gradebook(course.db_url) as gb:  # graded students exist
        gb.add_student("alee")
        gb.add_submission("rnn", "alee")
    path = os.path.join(course.source_dir(), NB1 + ".ipynb")
    with open(path) as f:
        nb = json.load(f)
    test = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade"))
    test["source"] = "".join(test["source"]) + "\n# a visible value changed"
    with open(path, "w") as f:
        json.dump(nb, f)
    assert course.ensure_assignment().startswith("updated")
    with Gradebook(course.db_url) as gb:
        cell = gb.find_source_cell(test["metadata"]["nbgrader"]["grade_id"], NB1, "rnn")
        assert cell.source.endswith("# a visible value changed")
