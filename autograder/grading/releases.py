"""Every version of the released notebooks, so a submission is compared with the one
its student received.

An instructor who fixes a sentence of prose (or a read-only cell) after releasing
should not make every earlier submission look tampered with. Each grading run (and
each sanitize pass of ``nbgrader autograde``) keeps a copy of the current release in
``<course>/grading/releases/<notebook>/<hash>.ipynb``. A submission is matched to the
version whose read-only cells it agrees with most; differences from *that* version are
the student's (restored and reported), differences between that version and the current
one are the instructor's (applied silently, listed once in the instructor's summary).
"""

import glob
import hashlib
import os
import shutil

import nbformat

from .cells import grade_id, source_of

HISTORY = os.path.join("grading", "releases")


def release_hash(path):
    """The name a released notebook's version is kept under."""
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def snapshot(course_root, release_path):
    """Keep a copy of the released notebook at ``release_path`` (idempotent)."""
    name = os.path.splitext(os.path.basename(release_path))[0]
    folder = os.path.join(course_root, HISTORY, name)
    dest = os.path.join(folder, release_hash(release_path) + ".ipynb")
    if not os.path.exists(dest):
        os.makedirs(folder, exist_ok=True)
        shutil.copy(release_path, dest + ".tmp")
        os.replace(dest + ".tmp", dest)


def versions(course_root, release_path):
    """Every known version of a released notebook, the current one first."""
    name = os.path.splitext(os.path.basename(release_path))[0]
    current = release_hash(release_path)
    others = sorted(
        glob.glob(os.path.join(course_root, HISTORY, name, "*.ipynb")),
        key=os.path.getmtime,
        reverse=True,
    )
    paths = [release_path] + [p for p in others if os.path.basename(p)[:-6] != current]
    return [nbformat.read(p, as_version=4) for p in paths]


def locked_sources(nb):
    """{grade id: source} of the cells a student may not change."""
    return {
        grade_id(c): source_of(c)
        for c in nb.cells
        if grade_id(c) and not c.metadata["nbgrader"].get("solution")
    }


def received(submission, candidates):
    """The version (of ``candidates``, newest first) the submission agrees with most."""
    theirs = locked_sources(submission)

    def agreement(version):
        return sum(theirs.get(k) == v for k, v in locked_sources(version).items())

    return max(candidates, key=agreement)  # max keeps the first (newest) of equals


def changes(old, new):
    """Grade ids of the read-only and test cells that differ between two versions."""
    before, after = locked_sources(old), locked_sources(new)
    return sorted(k for k in after if k in before and before[k] != after[k])


def unanswered(submission, version):
    """Grade ids of the answer cells the student left as they were given."""
    given = {grade_id(c): source_of(c) for c in version.cells if grade_id(c)}
    return sorted(
        grade_id(c)
        for c in submission.cells
        if grade_id(c)
        and c.metadata["nbgrader"].get("solution")
        and source_of(c) == given.get(grade_id(c))
    )
