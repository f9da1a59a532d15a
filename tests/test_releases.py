"""Unit tests of grading/releases.py: which version of the release a student received.

In-memory notebooks (tests/notebook_builder.py); snapshot and versions write their
history under a temporary course root. Each test names, in a comment, the bug planted
in releases.py that makes it fail (each was tried).
"""

import os

import nbformat
from notebook_builder import INTRO, cell_of, release, submission

from autograder.grading import releases


def written(path, nb):
    nbformat.write(nb, str(path))
    return str(path)


def edited(nb, grade_id, source):
    cell_of(nb, grade_id).source = source
    return nb


def test_a_snapshot_is_kept_once_under_its_hash(tmp_path):
    # Catches: the history folder or file name changed (earlier runs' versions lost), or a
    # snapshot written again on every run (the version's mtime, hence its order, reset).
    path = written(tmp_path / "01_x.ipynb", release())
    releases.snapshot(str(tmp_path), path)
    kept = tmp_path / "grading" / "releases" / "01_x" / (releases.release_hash(path) + ".ipynb")
    assert kept.read_bytes() == open(path, "rb").read()
    os.utime(kept, (1, 1))
    releases.snapshot(str(tmp_path), path)
    assert os.listdir(kept.parent) == [kept.name] and kept.stat().st_mtime == 1


def test_versions_are_the_current_one_first_then_newest_first_without_repeats(tmp_path):
    # Catches: the current version listed twice (from its snapshot), or the older versions
    # in the wrong order (``received`` keeps the first of equally good versions).
    root, path = str(tmp_path), str(tmp_path / "01_x.ipynb")
    for age, text in ((3, "oldest"), (2, "older"), (1, "current")):
        written(path, edited(release(), "intro", text))
        releases.snapshot(root, path)
        folder = tmp_path / "grading" / "releases" / "01_x"
        newest = folder / (releases.release_hash(path) + ".ipynb")
        os.utime(newest, (1000 - age, 1000 - age))
    got = [cell_of(v, "intro").source for v in releases.versions(root, path)]
    assert got == ["current", "older", "oldest"]


def test_locked_sources_leave_the_answers_out():
    # Catches: answer cells counted (a student's answer would decide which release they
    # received), or the test cells left out.
    assert set(releases.locked_sources(release())) == {"intro", "check", "test_softmax"}


def test_the_version_received_is_the_one_its_read_only_cells_agree_with_most():
    # Catches: ``max`` turned into ``min``, or agreement counted over answer cells.
    old = edited(release(), "intro", "old intro")
    old = edited(old, "check", "old check")
    new = release()
    student = edited(edited(submission(), "intro", "old intro"), "check", "old check")
    assert releases.received(student, [new, old]) is old
    assert releases.received(submission(), [new, old]) is new


def test_of_equally_good_versions_the_newest_is_received():
    # Catches: a tie resolved to the last (oldest) candidate, e.g. sorted() + [-1].
    a, b = edited(release(), "intro", "a"), edited(release(), "intro", "b")
    student = edited(submission(), "intro", "neither")
    assert releases.received(student, [a, b]) is a


def test_changes_are_the_locked_cells_that_differ_sorted():
    # Catches: answer cells reported as the instructor's changes, or cells only one version
    # has reported (a new cell is not a change of one).
    old = edited(edited(release(), "test_softmax", "t0"), "softmax", "stub v0")
    new = edited(release(), "intro", INTRO + "!")
    new.cells.append(nbformat.v4.new_markdown_cell("new", metadata={"nbgrader": {"grade_id": "n"}}))
    assert releases.changes(old, new) == ["intro", "test_softmax"]


def test_unanswered_are_the_answer_cells_left_as_given():
    # Catches: every answer cell reported, or a comparison with the current release instead
    # of the version received (a rewritten stub would make a blank answer look answered).
    given = release()
    assert releases.unanswered(release(), given) == ["softmax"]
    assert releases.unanswered(submission(), given) == []
    assert releases.unanswered(release(), edited(release(), "softmax", "# new stub")) == []
