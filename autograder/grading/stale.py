"""A changed release, noticed: which grades and which handed-out bundles are stale.

After an instructor edits the course and runs ``make release``, every grade given on the
earlier release and every bundle built from it is out of date, and nothing else would
say so (``make grade`` grades only new or changed submissions). So each grading records,
per student, the release it graded against (grading/state.json "release"), and each
``make bundle`` the release it packed (grading/bundles.json); both keep a copy of that
release in grading/releases/ (releases.py). ``make grade`` and ``make bundle`` then name
the stale grades and bundles and what changed in which notebook -- text cells, test
cells, code -- and how to re-grade.
"""

import datetime
import json
import os

import nbformat

from . import releases
from .cells import source_of

BUNDLES = os.path.join("grading", "bundles.json")


def release_hashes(course_root, release_dir):
    """{notebook: hash} of the released notebooks, each kept in grading/releases/."""
    out = {}
    for name in sorted(os.listdir(release_dir)):
        if name.endswith(".ipynb"):
            path = os.path.join(release_dir, name)
            releases.snapshot(course_root, path)
            out[name[:-6]] = releases.release_hash(path)
    return out


def _kind(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("grade") and not meta.get("solution"):
        return "tests"
    return "text" if cell.get("cell_type") == "markdown" else "code"


def _cells(nb):
    """{cell key: (kind, source)}: the grade id, else the position."""
    out = {}
    for i, cell in enumerate(nb.cells):
        key = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") or f"cell {i + 1}"
        out[key] = (_kind(cell), source_of(cell))
    return out


def describe(course_root, notebook, old_hash, release_dir):
    """ "text: a, b; tests: test_x" -- what changed in ``notebook`` since the release of
    hash ``old_hash`` (or "changed" if that version was not kept)."""
    old_path = os.path.join(course_root, releases.HISTORY, notebook, old_hash + ".ipynb")
    if not os.path.exists(old_path):
        return "changed (the earlier version was not kept)"
    old = _cells(nbformat.read(old_path, as_version=4))
    new = _cells(nbformat.read(os.path.join(release_dir, notebook + ".ipynb"), as_version=4))
    changed = {}
    for key in sorted(set(old) | set(new)):
        if old.get(key, (None, None))[1] != new.get(key, (None, None))[1]:
            kind = (new.get(key) or old.get(key))[0]
            what = (
                key
                if key in old and key in new
                else f"{key} ({'added' if key in new else 'removed'})"
            )
            changed.setdefault(kind, []).append(what)
    parts = [
        f"{kind}: {', '.join(changed[kind])}"
        for kind in ("tests", "text", "code")
        if kind in changed
    ]
    return "; ".join(parts) or "changed (metadata only)"


def changes(course_root, then, now, release_dir):
    """{notebook: description} of the notebooks whose hash differs between ``then`` and
    ``now`` ({notebook: hash})."""
    return {
        nb: describe(course_root, nb, then[nb], release_dir) if nb in then else "added"
        for nb in sorted(now)
        if then.get(nb) != now[nb]
    }


def stale_grades(course_root, state, now, release_dir):
    """{student: {notebook: what changed}} of the students graded on an earlier release
    (students graded before releases were recorded are not known, so not listed)."""
    out = {}
    for student, entry in sorted(state.items()):
        then = entry.get("release")
        if then:
            changed = changes(course_root, then, now, release_dir)
            if changed:
                out[student] = changed
    return out


def load_bundles(course_root):
    try:
        with open(os.path.join(course_root, BUNDLES), encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return []


def record_bundle(course_root, archive, hashes):
    """Keep which release the bundle ``archive`` was built from."""
    bundles = load_bundles(course_root)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    for bundle in bundles:  # the new one is what students get from now on
        bundle.setdefault("superseded", when)
    bundles.append({"built": when, "path": archive, "release": hashes})
    os.makedirs(os.path.dirname(os.path.join(course_root, BUNDLES)), exist_ok=True)
    with open(os.path.join(course_root, BUNDLES), "w", encoding="utf-8") as f:
        json.dump(bundles, f, indent=1)


def stale_bundles(course_root, now, release_dir):
    """[(bundle record, {notebook: what changed})] of the latest bundle, if it was built
    from an earlier release (a bundle built since supersedes the ones before)."""
    out = []
    for bundle in load_bundles(course_root):
        if bundle.get("superseded"):
            continue
        changed = changes(course_root, bundle["release"], now, release_dir)
        if changed:
            out.append((bundle, changed))
    return out


def report(stale, bundles):
    """The lines ``make grade`` / ``make bundle`` print (empty if nothing is stale)."""
    lines = []
    if stale:
        what = {}
        for changed in stale.values():
            what.update(changed)
        lines.append(
            f"WARNING: the release changed since {len(stale)} student(s) were graded; their "
            f"grades are stale: {', '.join(stale)}"
        )
        lines += [f"  {nb}: {desc}" for nb, desc in sorted(what.items())]
        lines.append("  re-grade them: make grade GRADE_OPTIONS=--all (or --student ID for some)")
    for bundle, changed in bundles:
        lines.append(
            f"WARNING: the student bundle built {bundle['built']} ({bundle['path']}) is stale: "
            "students who have it work on an earlier release"
        )
        lines += [f"  {nb}: {desc}" for nb, desc in sorted(changed.items())]
        lines.append("  hand out a new one: make bundle")
    return lines
