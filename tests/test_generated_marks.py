"""Every generated file says so: inside (authoring/generated.py) and in .gitattributes.

.gitattributes marks the generated paths ``linguist-generated`` (GitHub folds them in
diffs); each file it marks exists and carries its marker, and every file the build writes
is marked. A hand edit of a marker is caught like any hand edit of a generated file.
"""

import glob
import json
import os
import re
import shutil
import subprocess

import pytest

from authoring import build, claim_values, generated, readme, visible_tests
from course.paths import ROOT

GITATTRIBUTES = os.path.join(ROOT, ".gitattributes")


def rel(path):
    return os.path.relpath(path, ROOT).replace(os.sep, "/")


def generated_patterns():
    """The patterns .gitattributes marks linguist-generated, in its order."""
    with open(GITATTRIBUTES, encoding="utf-8") as f:
        rows = [line.split() for line in f if line.strip() and not line.startswith("#")]
    return [row[0] for row in rows if "linguist-generated=true" in row[1:]]


def marked_files():
    """Every file of the working tree a generated pattern matches (a pattern with a slash
    matches from the top, and its ``*`` stops at a slash: Python's glob, as git's)."""
    return sorted({rel(p) for pat in generated_patterns() for p in glob.glob(pat, root_dir=ROOT)})


def marked_generated(paths):
    """The ``paths`` git itself takes for generated (what GitHub reads)."""
    if subprocess.run(["git", "rev-parse"], cwd=ROOT, capture_output=True).returncode:
        pytest.skip("not a git checkout")
    out = subprocess.run(
        ["git", "check-attr", "--stdin", "-z", "linguist-generated"],
        cwd=ROOT,
        input="\0".join(paths) + "\0",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    rows = zip(out[0::3], out[1::3], out[2::3], strict=False)
    return {path for path, _, value in rows if value == "true"}


def test_every_generated_pattern_matches_a_file():
    for pattern in generated_patterns():
        assert glob.glob(pattern, root_dir=ROOT), f".gitattributes: {pattern} matches no file"


# ------------------------------------------------------------------ the markers


def expected_notebook_marker(path):
    name = os.path.basename(path)[:-6] + ".md"
    if path.startswith("notebooks/"):
        return generated.notebook(f"course/text/companions/{name}", generated.COMPANION_NOTE)
    return generated.notebook(f"course/text/{name}", generated.SOURCE_NOTE)


JSON_MARKERS = {
    rel(visible_tests.VISIBLE_TESTS_FILE): generated.VISIBLE_TESTS,
    rel(claim_values.VALUES_FILE): generated.CLAIM_VALUES,
}


def carries_marker(path):
    """A problem if the file at ``path`` (relative to the top) lacks its exact marker."""
    full = os.path.join(ROOT, path)
    with open(full, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".ipynb"):
        marker = json.loads(text)["metadata"].get(generated.NOTEBOOK_KEY)
        expected = expected_notebook_marker(path)
        assert os.path.exists(os.path.join(ROOT, expected["from"])), expected["from"]
        return None if marker == expected else f"{path}: notebook metadata generated {marker!r}"
    if path.endswith(".json"):
        marker = json.loads(text).get(generated.JSON_KEY)
        return None if marker == JSON_MARKERS[path] else f"{path}: _generated is {marker!r}"
    if path.endswith(".svg"):
        found = f"<dc:description>{generated.FIGURE}</dc:description>" in text
        return None if found else f"{path}: no description saying it is generated"
    return f"{path}: no marker is defined for this kind of file (authoring/generated.py)"


VALUES_JSON = rel(claim_values.VALUES_FILE)


@pytest.mark.parametrize("path", marked_files())
def test_every_marked_file_says_it_is_generated(path):
    assert carries_marker(path) is None


def test_every_readme_part_says_it_is_generated():
    with open(readme.README, encoding="utf-8") as f:
        text = f.read()
    for name in readme.PARTS:
        note = re.escape(generated.readme_part(readme.template(name)))
        start = re.escape(f"<!-- {name} -->")
        assert re.search(rf"^([ \t]*){start}\n\1{note}\n", text, re.M), name


def test_the_json_readers_ignore_the_marker():
    from helpers.checks import registry

    assert set(registry.load()) == {e["id"] for e in json.loads(visible_tests.text())["exercises"]}
    assert set(build.text_context()) == {"claims", "measured", "course"}


def test_values_json_is_written_with_its_marker(tmp_path):
    path = str(tmp_path / "values.json")
    claim_values.save(claim_values.load(), path)
    with open(path) as f:
        data = json.load(f)
    assert data[generated.JSON_KEY] == generated.CLAIM_VALUES
    assert {k: data[k] for k in ("claims", "measured")} == {
        k: claim_values.load()[k] for k in ("claims", "measured")
    }


# ------------------------------------------------------------------ complete, and kept


def test_every_file_the_build_writes_is_marked_generated(tmp_path):
    sources = build.build_sources(str(tmp_path / "source"))
    figures = glob.glob(str(tmp_path / "source" / "figures" / "*"))
    companions = build.build_companions(str(tmp_path / "notebooks"))
    names = [os.path.basename(p) for p in sources] + [
        "figures/" + os.path.basename(p) for p in figures
    ]
    release = [rel(os.path.join(d, f)) for d, _, fs in os.walk(build.RELEASE_DIR) for f in fs]
    written = (
        [f"source/rnn/{n}" for n in names]
        + [f"release/rnn/{n}" for n in names]  # nbgrader's copies, same names
        + release
        + ["notebooks/" + os.path.basename(p) for p in companions]
        + [rel(visible_tests.VISIBLE_TESTS_FILE), VALUES_JSON]
    )
    assert sorted(set(written) - marked_generated(written)) == []
    assert set(written) == set(marked_files())


def test_a_hand_edit_of_a_marker_is_caught(tmp_path, monkeypatch):
    """The build's check (test_course_build.py) reports an edited marker like any edit;
    release/ is compared byte for byte with nbgrader's output (the release-sync test)."""
    source, companions = tmp_path / "source", tmp_path / "notebooks"
    shutil.copytree(build.SOURCE_DIR, source)
    shutil.copytree(build.COMPANIONS_DIR, companions)
    for path in (source / "03_bptt.ipynb", companions / "00_start_here.ipynb"):
        nb = json.loads(path.read_text())
        nb["metadata"][generated.NOTEBOOK_KEY]["note"] = "edited by hand"
        path.write_text(json.dumps(nb, indent=1) + "\n")
    svg = source / "figures" / "bptt_flow.svg"
    svg.write_text(svg.read_text().replace(generated.FIGURE, "hand-drawn"))
    exported = tmp_path / "visible_tests.json"
    data = json.loads(visible_tests.stored_text())
    data[generated.JSON_KEY] = "edited by hand"
    exported.write_text(json.dumps(data, indent=1) + "\n")
    note = generated.readme_part(readme.template("benchmarks"))
    with open(readme.README, encoding="utf-8") as f:
        text = f.read()
    copy = tmp_path / "README.md"
    copy.write_text(text.replace(note, "<!-- benchmarks: typed by hand -->"), encoding="utf-8")

    monkeypatch.setattr(build, "SOURCE_DIR", str(source))
    monkeypatch.setattr(build, "COMPANIONS_DIR", str(companions))
    stored, is_current = visible_tests.stored_text, readme.is_current
    monkeypatch.setattr(visible_tests, "stored_text", lambda: stored(str(exported)))
    monkeypatch.setattr(readme, "is_current", lambda ctx: is_current(ctx, str(copy)))
    assert build.out_of_date() == [
        "source/rnn/03_bptt.ipynb differs from course/text + the reference",
        "source/rnn/figures/bptt_flow.svg is out of date",
        "notebooks/00_start_here.ipynb differs from course/text/companions",
        "helpers/checks/visible_tests.json differs from the exercises' tests",
        "README.md's generated parts differ from what the course computes",
    ]
