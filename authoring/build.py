"""Build the course: the source notebooks, the students' visible tests, and release/.

    python -m authoring.build            # source/rnn/*.ipynb, helpers/checks/visible_tests.json
    python -m authoring.build --release  # ... and release/rnn/ with nbgrader
    python -m authoring.build --check    # exit 1 if anything committed is out of date

The notebooks are written in course/text/*.md, MyST Markdown notebooks that
jupytext reads (and JupyterLab opens as notebooks, with jupytext's extension). A code
cell's options say what it becomes:

    :solution: common.<function>        the answer cell, copied from the reference
    :given: common.Layer                read-only code copied from the reference
    :members: [param_names, __init__]   (with solution/given: only these class members)
    :exercise: <exercise id>            the graded test cell of an exercise (its points,
                                        hidden and visible tests: course/exercises)
    :setup: true                        read-only code every later notebook re-runs
    :editable: true                     a code cell students may change
    :id: name                           (with solution) the answer cell's grade id

A code cell without options is read-only demo code; every markdown cell is read-only.
The reference is the only hand-written copy of every solution, and the exercise
registry the only place where an exercise's tests and points are declared.
"""

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import jupytext
import nbformat

from authoring import generated, readme, visible_tests
from course.exercises import EXERCISES, notebooks
from course.paths import ASSIGNMENT, COURSE_TEXT, RELEASE_DIR, ROOT, SOURCE_DIR, tool_env, venv_bin
from course.reference_source import reference_source
from helpers.notebooks import CARRIED_TAG

from .claim_values import load as load_claim_values
from .render import render

COMPANIONS_TEXT = os.path.join(COURSE_TEXT, "companions")
COMPANIONS_DIR = os.path.join(ROOT, "notebooks")

HIDDEN_TEMPLATE = (
    "### BEGIN HIDDEN TESTS\n"
    "from autograder.harness import hidden_check\n"
    'assert hidden_check("{id}", globals())\n'
    "### END HIDDEN TESTS"
)
OPTIONS = {"solution", "given", "members", "exercise", "setup", "editable", "id"}
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


# ------------------------------------------------------------------ one cell


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {
        "grade": grade,
        "grade_id": grade_id,
        "locked": locked,
        "schema_version": 3,
        "solution": solution,
    }
    if points is not None:
        meta["points"] = points
    return meta


def solution_cell(options):
    source = reference_source(options["solution"], options.get("members"))
    if "### BEGIN SOLUTION" not in source:
        raise ValueError(f"{options['solution']} has no solution markers")
    default_id = re.sub(r"[^A-Za-z0-9_-]", "-", options["solution"].split(".", 1)[1]).lower()
    grade_id = options.get("id", default_id)
    return nbformat.v4.new_code_cell(
        source, metadata={"nbgrader": _nbgrader(grade_id, solution=True)}
    )


def test_source(exercise):
    """Hidden tests first: a pass lets the visible check stand aside (the hidden tests use
    the same runner on more cases, with the reference for earlier exercises), so a bug
    graded in an earlier exercise cannot fail this one through the visible check."""
    visible = f"assert check_{exercise.id}({exercise.subject})"
    return HIDDEN_TEMPLATE.format(id=exercise.id) + "\n" + visible


def exercise_cell(exercise_id, notebook):
    exercise = EXERCISES[exercise_id]
    if exercise.notebook != notebook:
        raise ValueError(f"{exercise_id} is declared for {exercise.notebook}, not {notebook}")
    meta = _nbgrader(f"test_{exercise_id}", grade=True, locked=True, points=exercise.points)
    return nbformat.v4.new_code_cell(test_source(exercise), metadata={"nbgrader": meta})


def code_cell(cell, options, grade_id):
    """Read-only code (demos, setup, given reference code), or an editable cell."""
    source = cell.source
    if "given" in options:
        source = reference_source(options["given"], options.get("members"))
        if "### BEGIN SOLUTION" in source:
            raise ValueError(f"given: {options['given']} would reveal a solution")
    meta = {}
    if not options.get("editable"):  # an editable cell is plain, with no nbgrader metadata
        meta["nbgrader"] = _nbgrader(grade_id, locked=True)
    if options.get("setup") or "given" in options:  # what later notebooks load
        meta["tags"] = [CARRIED_TAG]
    return nbformat.v4.new_code_cell(source, metadata=meta)


def text_context(draft=False):
    """What the course text may quote: computed claims, measurements, the points.

    A draft context quotes 0 for claims not computed yet (to run the notebooks that
    compute them); the real one fails on them.
    """
    values = load_claim_values()
    points = {
        nb: sum(e.points for e in EXERCISES.values() if e.notebook == nb) for nb in notebooks()
    }
    known = {kind: values[kind] for kind in ("claims", "measured")}
    if draft:
        known = {kind: collections.defaultdict(float, v) for kind, v in known.items()}
    return {**known, "course": {"points": points}}


class CellIds:
    """md-01, md-02, ... and code-01, ...: stable ids of the read-only cells."""

    def __init__(self):
        self.counts = {"md": 0, "code": 0}

    def next(self, kind):
        self.counts[kind] += 1
        return f"{kind}-{self.counts[kind]:02d}"


def course_cell(cell, ids, notebook, context):
    """The nbgrader cell for one cell of the course text (its id: its grade id)."""
    options = dict(cell.metadata)
    if set(options) - OPTIONS:
        raise ValueError(f"{notebook}: unknown cell option(s) {sorted(set(options) - OPTIONS)}")
    if cell.cell_type == "markdown":
        cell_id = ids.next("md")
        new = nbformat.v4.new_markdown_cell(
            render(cell.source, context), metadata={"nbgrader": _nbgrader(cell_id, locked=True)}
        )
    elif "solution" in options:
        new = solution_cell(options)
        cell_id = new.metadata["nbgrader"]["grade_id"]
    elif "exercise" in options:
        new = exercise_cell(options["exercise"], notebook)
        cell_id = new.metadata["nbgrader"]["grade_id"]
    else:
        cell_id = ids.next("code")
        new = code_cell(cell, options, cell_id)
    new.id = cell_id
    return new


# ------------------------------------------------------------------ notebooks


def build_notebook(md_path, context=None):
    """The instructor notebook for one course/text/*.md file."""
    notebook = os.path.basename(md_path)[:-3]
    text = jupytext.read(md_path, fmt="md:myst")
    context = context or text_context()
    ids = CellIds()
    cells = [course_cell(c, ids, notebook, context) for c in text.cells if c.cell_type != "raw"]
    seen = [c.id for c in cells]
    duplicates = sorted({i for i in seen if seen.count(i) > 1})
    if duplicates:
        raise ValueError(f"{md_path}: duplicate cell ids {duplicates}")
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata=notebook_metadata(md_path, generated.SOURCE_NOTE)
    )
    nbformat.validate(nb)
    return nb


def notebook_metadata(md_path, note):
    """A built notebook's metadata: its kernel, and that it is generated from ``md_path``."""
    marker = generated.notebook(os.path.relpath(md_path, ROOT).replace(os.sep, "/"), note)
    return {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        generated.NOTEBOOK_KEY: marker,
    }


def course_notebooks():
    return sorted(f for f in os.listdir(COURSE_TEXT) if f.endswith(".md"))


def notebook_text(nb):
    return nbformat.writes(nb) + "\n"


def _write_if_changed(path, text):
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, "w") as f:
        f.write(text)


def build_sources(out_dir=SOURCE_DIR, draft=False):
    """Write every source notebook and its figures; return the notebook paths written."""
    from authoring import figures

    os.makedirs(out_dir, exist_ok=True)
    figures.build(os.path.join(out_dir, "figures"))
    written, graded = [], []
    context = text_context(draft)
    for name in course_notebooks():
        nb = build_notebook(os.path.join(COURSE_TEXT, name), context)
        graded += [c.id for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
        path = os.path.join(out_dir, name[:-3] + ".ipynb")
        _write_if_changed(path, notebook_text(nb))
        written.append(path)
    missing = sorted(set(f"test_{e}" for e in EXERCISES) - set(graded))
    if missing:
        raise ValueError(f"exercises without a test cell in the course text: {missing}")
    return written


def companion_notebook(md_path, context):
    """An ungraded companion notebook (notebooks/*.ipynb): plain cells, claims rendered."""
    text = jupytext.read(md_path, fmt="md:myst")
    ids = CellIds()
    cells = []
    for cell in text.cells:
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(render(cell.source, context))
            new.id = ids.next("md")
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source)
            new.id = ids.next("code")
        else:
            continue
        cells.append(new)
    nb = nbformat.v4.new_notebook(
        cells=cells, metadata=notebook_metadata(md_path, generated.COMPANION_NOTE)
    )
    nbformat.validate(nb)
    return nb


def companion_texts():
    return sorted(f for f in os.listdir(COMPANIONS_TEXT) if f.endswith(".md"))


def build_companions(out_dir=COMPANIONS_DIR):
    """Write notebooks/*.ipynb from course/text/companions/*.md."""
    os.makedirs(out_dir, exist_ok=True)
    context = text_context()
    written = []
    for name in companion_texts():
        nb = companion_notebook(os.path.join(COMPANIONS_TEXT, name), context)
        path = os.path.join(out_dir, name[:-3] + ".ipynb")
        _write_if_changed(path, notebook_text(nb))
        written.append(path)
    return written


# ------------------------------------------------------------------ release (nbgrader)


def generate_release(course_root=ROOT, release_dir=RELEASE_DIR):
    """Run `nbgrader generate_assignment` in a scratch course and copy release/ out.

    A scratch course keeps the repository free of gradebook.db; nbgrader reads the
    repository's nbgrader_config.py.
    """
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(course_root, "nbgrader_config.py"), tmp)
        shutil.copytree(os.path.join(course_root, "source"), os.path.join(tmp, "source"))
        subprocess.run(
            [
                os.path.join(venv_bin(), "nbgrader"),
                "generate_assignment",
                ASSIGNMENT,
                "--force",
                "--log-level=WARN",
            ],
            cwd=tmp,
            env=tool_env(),
            check=True,
        )
        built = os.path.join(tmp, "release", ASSIGNMENT)
        if os.path.exists(release_dir):
            shutil.rmtree(release_dir)
        shutil.copytree(built, release_dir)
    return release_dir


# ------------------------------------------------------------------ checking


def normalized_notebook(path):
    """A notebook's JSON with volatile fields removed, for comparisons."""
    with open(path) as f:
        nb = json.load(f)
    nb.get("metadata", {}).pop("language_info", None)
    return nb


def _same_file(a, b):
    if not os.path.exists(b):
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


def out_of_date():
    """List of human-readable problems: committed files that differ from a fresh build."""
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in build_sources(os.path.join(tmp, "source")):
            name = os.path.basename(path)
            committed = os.path.join(SOURCE_DIR, name)
            if not os.path.exists(committed):
                problems.append(f"source/{ASSIGNMENT}/{name} is missing")
            elif normalized_notebook(committed) != normalized_notebook(path):
                problems.append(
                    f"source/{ASSIGNMENT}/{name} differs from course/text + the reference"
                )
        figures = os.path.join(tmp, "source", "figures")
        for name in os.listdir(figures):
            if not _same_file(
                os.path.join(figures, name), os.path.join(SOURCE_DIR, "figures", name)
            ):
                problems.append(f"source/{ASSIGNMENT}/figures/{name} is out of date")
        for path in build_companions(os.path.join(tmp, "notebooks")):
            name = os.path.basename(path)
            if not _same_file(path, os.path.join(COMPANIONS_DIR, name)):
                problems.append(f"notebooks/{name} differs from course/text/companions")
    expected = {n[:-3] + ".ipynb" for n in course_notebooks()} | {"figures"}
    problems += [
        f"source/{ASSIGNMENT}/{n} has no course/text source"
        for n in sorted(set(os.listdir(SOURCE_DIR)) - expected)
    ]
    if visible_tests.stored_text() != visible_tests.text():
        problems.append("helpers/checks/visible_tests.json differs from the exercises' tests")
    if not readme.is_current(text_context()):
        problems.append("README.md's generated parts differ from what the course computes")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="also rebuild release/")
    parser.add_argument("--check", action="store_true", help="only check, write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = out_of_date()
        for p in problems:
            print("out of date:", p)
        if problems:
            print("run `make notebooks` (and `make release`)")
        return 1 if problems else 0
    for path in build_sources() + build_companions():
        print("wrote", os.path.relpath(path, ROOT))
    print("wrote", os.path.relpath(visible_tests.write(), ROOT))
    if readme.update(text_context()):
        print("wrote the generated parts of README.md")
    if args.release:
        print("wrote", os.path.relpath(generate_release(), ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
