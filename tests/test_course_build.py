"""The committed course is what the build produces, and release/ holds no secrets."""

import ast
import json
import os
import re

import pytest

from authoring import build
from course.exercises import EXERCISES
from helpers.checks import REGISTRY

ROOT = build.ROOT
SECRET_MARKERS = re.compile(
    r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|"
    r"autograder|hidden_check"
)


def notebooks(directory):
    for name in sorted(os.listdir(directory)):
        if name.endswith(".ipynb"):
            with open(os.path.join(directory, name)) as f:
                yield name, json.load(f)


def source_text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


@pytest.mark.slow  # builds every notebook (about 20 s)
def test_source_notebooks_and_expected_values_match_course_and_reference():
    # The solution cells are generated from course/reference: this is the test that
    # the notebooks and the reference agree.
    assert build.out_of_date() == []


@pytest.mark.slow  # nbgrader generate_assignment of every notebook: ~19 s
def test_release_is_what_nbgrader_generates_from_source(tmp_path):
    out = build.generate_release(release_dir=str(tmp_path / "release"))
    fresh = sorted(
        os.path.relpath(os.path.join(d, f), out) for d, _, files in os.walk(out) for f in files
    )
    committed = sorted(
        os.path.relpath(os.path.join(d, f), build.RELEASE_DIR)
        for d, _, files in os.walk(build.RELEASE_DIR)
        for f in files
    )
    assert fresh == committed
    for rel in fresh:
        with (
            open(os.path.join(out, rel), "rb") as a,
            open(os.path.join(build.RELEASE_DIR, rel), "rb") as b,
        ):
            assert a.read() == b.read(), f"release/rnn/{rel} is out of date: run make release"


def test_release_holds_no_solution_hidden_test_or_reference():
    for dirpath, _, files in os.walk(build.RELEASE_DIR):
        for name in files:
            with open(os.path.join(dirpath, name), errors="replace") as f:
                text = f.read()
            found = SECRET_MARKERS.findall(text)
            assert not found, f"{name} contains {sorted(set(found))}"


# The points of notebooks 1-5's exercises when notebook 6 was added (30 in all).
POINTS_KEPT = {
    "softmax": 1,
    "cross_entropy_loss": 1,
    "softmax_cross_entropy_grad": 1,
    "linear_init": 1,
    "linear_forward": 1,
    "linear_backward": 2,
    "clip_gradients": 1,
    "update_weights": 1,
    "rnn_init": 2,
    "rnn_forward": 3,
    "bptt_tanh": 4,
    "bptt_relu": 2,
    "spectral_radius": 1,
    "clip_global_norm": 2,
    "run_exploding_grads_test": 2,
    "run_training": 3,
    "run_memory_test": 2,
}


def test_every_exercise_is_graded_exactly_once_with_hidden_tests():
    seen = {}
    for name, nb in notebooks(build.SOURCE_DIR):
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if not meta.get("grade"):
                continue
            src = source_text(cell)
            m = re.search(r'hidden_check\("(\w+)", globals\(\)\)', src)
            assert m, f"{name}: {meta['grade_id']} has no hidden tests"
            check = m.group(1)
            assert meta["grade_id"] == f"test_{check}"
            assert REGISTRY[check].notebook == name[:-6], f"{check} is tested in {name}"
            assert check not in seen, f"{check} is graded twice"
            seen[check] = meta["points"]
            assert meta["points"] >= 1 and meta["locked"]
    assert set(seen) == set(REGISTRY) == set(EXERCISES)
    assert sum(seen.values()) == sum(e.points for e in EXERCISES.values())
    # an exercise keeps its points as the course grows (grades given stay comparable); a new
    # exercise is not listed here, so adding one changes no test
    assert {i: EXERCISES[i].points for i in POINTS_KEPT} == POINTS_KEPT
    assert seen["bptt_tanh"] == max(seen.values())  # backpropagation through time weighs most


@pytest.mark.parametrize("directory", [build.SOURCE_DIR, build.RELEASE_DIR])
def test_no_test_cell_ends_in_a_bare_expression(directory):
    for name, nb in notebooks(directory):
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                last = ast.parse(source_text(cell)).body[-1]
                assert not isinstance(last, ast.Expr), f"{name}: {source_text(cell)!r}"


def test_source_notebooks_are_stored_without_outputs():
    for directory in (build.SOURCE_DIR, os.path.join(ROOT, "notebooks")):
        for name, nb in notebooks(directory):
            for cell in nb["cells"]:
                if cell["cell_type"] == "code":
                    assert cell["outputs"] == [] and cell["execution_count"] is None, name


def test_solution_cells_carry_the_reference_code():
    for name, nb in notebooks(build.SOURCE_DIR):
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                src = source_text(cell)
                assert "### BEGIN SOLUTION" in src and "### END SOLUTION" in src, name
                compile(src, name, "exec")


def test_reference_source_extracts_methods_with_add_to_class():
    src = build.reference_source("LinearLayer.LinearLayer.forward")
    assert src.startswith("@add_to_class(LinearLayer)\ndef forward(self, x):")
    assert src.rstrip().endswith("### END SOLUTION")
    given = build.reference_source("common.Layer", members=["param_names", "get_params"])
    assert "def get_params" in given and "clip_gradients" not in given
