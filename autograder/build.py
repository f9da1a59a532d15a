"""Build the course: source notebooks, the visible tests' expected values, and release/.

    python -m autograder.build            # source/rnn/*.ipynb and helpers/checks/expected.npz
    python -m autograder.build --release  # ... and release/rnn/ with nbgrader
    python -m autograder.build --check    # exit 1 if anything committed is out of date

Notebooks are written in autograder/course/*.md: Markdown prose with fenced code cells,

    ```python setup                     read-only code every later notebook re-runs
    ```python given=common.Layer members=param_names,get_params
    ```python solution=common.softmax   the answer cell, copied from the reference
    ```python test=softmax points=1     a graded test cell (hidden tests appended)
    ```python                           read-only demo code
    ```python editable                  a code cell students may change

A ``solution=`` or ``given=`` cell is filled in from autograder/reference/, markers
included, so the reference is the only hand-written copy of every solution. Methods
become ``@add_to_class(Cls)`` cells, one per method, as in d2l.ai.
"""

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

import nbformat
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COURSE_DIR = os.path.join(ROOT, "autograder", "course")
REFERENCE_DIR = os.path.join(ROOT, "autograder", "reference")
ASSIGNMENT = "rnn"
SOURCE_DIR = os.path.join(ROOT, "source", ASSIGNMENT)
RELEASE_DIR = os.path.join(ROOT, "release", ASSIGNMENT)

FENCE = re.compile(r"^```python(?P<attrs>[^\n`]*)\n(?P<body>.*?)^```\s*$", re.S | re.M)
HIDDEN_TEMPLATE = ('### BEGIN HIDDEN TESTS\n'
                   'from autograder.harness import hidden_check\n'
                   'assert hidden_check("{check}", globals())\n'
                   '### END HIDDEN TESTS')


# ------------------------------------------------------------------ reference source

def _node_lines(lines, node):
    """The lines of a def/class, with its decorators and the trailing comments of its body
    (``### END SOLUTION`` comes after the last statement, where the AST ends)."""
    start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
    end = node.end_lineno
    while end < len(lines) and lines[end].strip().startswith("#") and \
            len(lines[end]) - len(lines[end].lstrip()) > node.col_offset:
        end += 1
    return lines[start - 1:end]


def reference_source(ref, members=None):
    """Source of ``module.Name`` or ``module.Class.method`` from autograder/reference.

    A method comes back dedented with ``@add_to_class(Class)`` on top. With ``members``,
    a class comes back with its header, docstring and only the listed members.
    """
    module, *path = ref.split(".")
    filename = os.path.join(REFERENCE_DIR, module + ".py")
    with open(filename) as f:
        text = f.read()
    lines = text.splitlines()
    body = ast.parse(text).body
    node, parent = None, None
    for name in path:
        parent = node
        candidates = [n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
                      and n.name == name]
        if not candidates:
            raise KeyError(f"{ref}: {name} not found in {filename}")
        node = candidates[0]
        body = node.body
    if isinstance(node, ast.ClassDef) and members is not None:
        out = lines[node.lineno - 1:node.body[0].lineno - 1]  # class statement
        first = node.body[0]
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            out += lines[first.lineno - 1:first.end_lineno]
        for child in node.body:
            names = [child.name] if isinstance(child, (ast.FunctionDef, ast.ClassDef)) else \
                [t.id for t in getattr(child, "targets", []) if isinstance(t, ast.Name)]
            if any(n in members for n in names):
                out += [""] + _node_lines(lines, child)
        missing = set(members) - {n for c in node.body for n in
                                  ([c.name] if hasattr(c, "name") else
                                   [t.id for t in getattr(c, "targets", [])
                                    if isinstance(t, ast.Name)])}
        if missing:
            raise KeyError(f"{ref}: no member(s) {sorted(missing)}")
        return "\n".join(out)
    src = textwrap.dedent("\n".join(_node_lines(lines, node)))
    if isinstance(parent, ast.ClassDef):
        src = f"@add_to_class({parent.name})\n{src}"
    return src


# ------------------------------------------------------------------ notebook from markdown

def _attrs(text):
    words = text.split()
    out = {}
    for w in words:
        k, _, v = w.partition("=")
        out[k] = v if v else True
    return out


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def _require_statement_last(source, where):
    """nbgrader turns the value of a test cell's last expression into a score (a string
    gives full credit), so every test cell must end with a statement (an assert)."""
    tree = ast.parse(source)
    if not tree.body or isinstance(tree.body[-1], ast.Expr):
        raise ValueError(f"{where}: a test cell must end with a statement such as assert")


def _split_markdown(text):
    return [part.strip("\n") for part in re.split(r"^\+\+\+\s*$", text, flags=re.M)
            if part.strip()]


def build_notebook(md_path):
    """The instructor notebook for one autograder/course/*.md file."""
    with open(md_path) as f:
        text = f.read()
    cells, pos, counter = [], 0, {"md": 0, "code": 0}
    used_ids = set()

    def cell_id(kind):
        counter[kind] += 1
        return f"{kind}-{counter[kind]:02d}"

    def add(cell, grade_id):
        if grade_id in used_ids:
            raise ValueError(f"{md_path}: duplicate cell id {grade_id}")
        used_ids.add(grade_id)
        cell.id = grade_id
        cells.append(cell)

    for m in FENCE.finditer(text):
        for md in _split_markdown(text[pos:m.start()]):
            gid = cell_id("md")
            add(nbformat.v4.new_markdown_cell(md, metadata={
                "nbgrader": _nbgrader(gid, locked=True)}), gid)
        pos = m.end()
        attrs, body = _attrs(m.group("attrs")), m.group("body").rstrip("\n")
        members = attrs["members"].split(",") if "members" in attrs else None
        meta = {}
        if "solution" in attrs:
            source = reference_source(attrs["solution"], members)
            if "### BEGIN SOLUTION" not in source:
                raise ValueError(f"{attrs['solution']} has no solution markers")
            gid = attrs.get("id") or re.sub(r"[^A-Za-z0-9_-]", "-",
                                            attrs["solution"].split(".", 1)[1]).lower()
            meta["nbgrader"] = _nbgrader(gid, solution=True)
        elif "test" in attrs:
            check = attrs["test"]
            # Hidden tests first: they include the visible cases (with the reference in place
            # of earlier exercises), and a pass lets the visible check stand aside, so a bug
            # graded in an earlier exercise cannot fail this one through the visible check.
            source = HIDDEN_TEMPLATE.format(check=check) + "\n" + body
            for version in (body, source):  # as students see it, and as graders run it
                _require_statement_last(version, f"{md_path}: test {check}")
            gid = f"test_{check}"
            meta["nbgrader"] = _nbgrader(gid, grade=True, locked=True,
                                         points=int(attrs["points"]))
        else:
            if "given" in attrs:
                source = reference_source(attrs["given"], members)
                if "### BEGIN SOLUTION" in source:
                    raise ValueError(f"given={attrs['given']} would reveal a solution")
            else:
                source = body
            gid = cell_id("code")
            if "editable" not in attrs:  # an editable cell is plain, with no nbgrader metadata
                meta["nbgrader"] = _nbgrader(gid, locked=True)
            if "setup" in attrs or "given" in attrs or "export" in attrs:
                meta["tags"] = ["export"]
        add(nbformat.v4.new_code_cell(source, metadata=meta), gid)
    for md in _split_markdown(text[pos:]):
        gid = cell_id("md")
        add(nbformat.v4.new_markdown_cell(md, metadata={
            "nbgrader": _nbgrader(gid, locked=True)}), gid)
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nb


def course_notebooks():
    return sorted(f for f in os.listdir(COURSE_DIR) if f.endswith(".md"))


def notebook_text(nb):
    return nbformat.writes(nb) + "\n"


def build_sources(out_dir=SOURCE_DIR):
    """Write every source notebook and its figures; return the notebook paths written."""
    from . import figures

    os.makedirs(out_dir, exist_ok=True)
    figures.build(os.path.join(out_dir, "figures"))
    written = []
    for name in course_notebooks():
        nb = build_notebook(os.path.join(COURSE_DIR, name))
        path = os.path.join(out_dir, name[:-3] + ".ipynb")
        _write_if_changed(path, notebook_text(nb))
        written.append(path)
    return written


def _write_if_changed(path, text):
    if os.path.exists(path):
        with open(path) as f:
            if f.read() == text:
                return
    with open(path, "w") as f:
        f.write(text)


# ------------------------------------------------------------------ expected values

def expected_values():
    """{key: encoded bytes} for every visible test case, computed with the reference."""
    from helpers.checks import REGISTRY, serial
    from helpers.checks.core import copy_inputs, expected_key, quiet_numpy

    from .judge import REFERENCE, reference_outputs

    out = {}
    for check_id, check in sorted(REGISTRY.items()):
        for case in check.cases():
            with quiet_numpy():
                derived = check.derive(REFERENCE, copy_inputs(case.inputs))
            expected = reference_outputs(check_id, dict(case.inputs, **derived)) \
                if check.uses_expected else None
            out[expected_key(check_id, case.name)] = serial.encode(
                {"derived": derived, "expected": expected})
    return out


def stored_expected_values(path):
    if not os.path.exists(path):
        return None
    with np.load(path, allow_pickle=False) as archive:
        return {k: archive[k].tobytes() for k in archive.files}


def build_expected(path=None):
    from helpers.checks.core import EXPECTED_FILE

    path = path or EXPECTED_FILE
    values = expected_values()
    if stored_expected_values(path) != values:
        np.savez_compressed(path, **{k: np.frombuffer(v, dtype=np.uint8)
                                     for k, v in values.items()})
    return path


# ------------------------------------------------------------------ release (nbgrader)

def nbgrader_env():
    env = dict(os.environ)
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")  # nbgrader runs `alembic`
    return env


def generate_release(course_root=ROOT, release_dir=RELEASE_DIR):
    """Run `nbgrader generate_assignment` in a scratch course and copy release/ out.

    A scratch course keeps the repository free of gradebook.db; nbgrader reads the
    repository's nbgrader_config.py.
    """
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(course_root, "nbgrader_config.py"), tmp)
        shutil.copytree(os.path.join(course_root, "source"), os.path.join(tmp, "source"))
        subprocess.run([os.path.join(os.path.dirname(sys.executable), "nbgrader"),
                        "generate_assignment", ASSIGNMENT, "--force", "--log-level=WARN"],
                       cwd=tmp, env=nbgrader_env(), check=True)
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
                problems.append(f"source/{ASSIGNMENT}/{name} differs from "
                                f"autograder/course + the reference")
        for name in os.listdir(os.path.join(tmp, "source", "figures")):
            with open(os.path.join(tmp, "source", "figures", name), "rb") as f:
                fresh = f.read()
            committed = os.path.join(SOURCE_DIR, "figures", name)
            if not os.path.exists(committed) or open(committed, "rb").read() != fresh:
                problems.append(f"source/{ASSIGNMENT}/figures/{name} is out of date")
    extra = set(os.listdir(SOURCE_DIR)) - {n[:-3] + ".ipynb" for n in course_notebooks()} \
        - {"figures"}
    problems += [f"source/{ASSIGNMENT}/{n} has no autograder/course source" for n in extra]
    from helpers.checks.core import EXPECTED_FILE

    if stored_expected_values(EXPECTED_FILE) != expected_values():
        problems.append("helpers/checks/expected.npz differs from the reference's results")
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
    for path in build_sources():
        print("wrote", os.path.relpath(path, ROOT))
    print("wrote", os.path.relpath(build_expected(), ROOT))
    if args.release:
        print("wrote", os.path.relpath(generate_release(), ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
