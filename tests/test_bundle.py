"""The student bundle holds what students need and nothing instructor-only."""

import os
import re
import subprocess
import sys
import zipfile

import pytest

from authoring import bundle
from course.exercises import EXERCISES

ROOT = bundle.ROOT
FORBIDDEN = re.compile(
    r"BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS|"
    r"hidden_check|from autograder|import autograder|gradebook"
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return bundle.build(str(tmp_path_factory.mktemp("dist") / "student-bundle"))


def files(folder):
    return sorted(
        os.path.relpath(os.path.join(d, f), folder)
        for d, _, names in os.walk(folder)
        for f in names
    )


def test_bundle_contents(built):
    folder, archive = built
    listing = files(folder)
    for required in (
        "README.md",
        "Makefile",
        "pyproject.toml",
        "environment.yml",
        "constraints.txt",
        "helpers/__init__.py",
        "helpers/checks/visible_tests.json",
        "notebooks/00_start_here.ipynb",
        "notebooks/gradient_explorer.ipynb",
        "release/rnn/01_building_blocks.ipynb",
        "release/rnn/figures/bptt_flow.svg",
    ):
        assert required in listing, required
    assert not any(
        p.startswith(("course", "autograder", "authoring", "bench", "source", "tests", ".ci"))
        for p in listing
    )
    assert not any(p.endswith((".db", "nbgrader_config.py")) for p in listing)
    with zipfile.ZipFile(archive) as z:
        assert sorted(n.split("/", 1)[1] for n in z.namelist() if not n.endswith("/")) == listing


def test_bundle_holds_no_solution_hidden_test_reference_or_gradebook(built):
    folder, _ = built
    for rel in files(folder):
        with open(os.path.join(folder, rel), "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        found = FORBIDDEN.findall(text)
        assert not found, f"{rel}: {sorted(set(found))}"


def test_helpers_define_no_exercise(built):
    folder, _ = built
    exercises = [
        "softmax",
        "cross_entropy_loss",
        "softmax_cross_entropy_grad",
        "spectral_radius",
        "clip_global_norm",
        "run_training",
        "run_memory_test",
        "run_exploding_grads_test",
        "LinearLayer",
        "BasicRNNCell",
        "Layer",
    ]
    pattern = re.compile(r"^\s*(def|class) (" + "|".join(exercises) + r")\b", re.M)
    # Stand-in layers must not show how to clip or update (notebook 1's exercises).
    updates = re.compile(
        r"^\s*\w+\s*-=\s*learning_rate\s*\*\s*\w+\s*$|"
        r"^\s*\w+\s*\*=\s*threshold\s*/\s*\w+\s*$",
        re.M,
    )
    for rel in files(folder):
        if rel.startswith("helpers") and rel.endswith(".py"):
            with open(os.path.join(folder, rel)) as f:
                text = f.read()
            assert not pattern.findall(text), rel
            assert not updates.findall(text), rel


@pytest.mark.slow  # runs the bundle's checks in a fresh interpreter
def test_bundle_helpers_work_on_their_own(built):
    folder, _ = built
    code = (
        "import sys; sys.path.insert(0, '.'); import helpers, helpers.checks, "
        "helpers.explorer, helpers.notebooks; assert helpers.__file__.startswith("
        "'" + folder + "'), helpers.__file__; print(len(helpers.checks.REGISTRY))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(len(EXERCISES))  # every exercise's visible tests


def test_make_lab_workspace_keeps_the_students_work(tmp_path):
    dest = str(tmp_path / "workspace")
    assert bundle.main([dest, "--workspace"]) == 0
    notebook = os.path.join(dest, "release", "rnn", "01_building_blocks.ipynb")
    with open(notebook, "a") as f:
        f.write(" ")  # the student's work
    assert bundle.main([dest, "--workspace"]) == 0
    with open(notebook) as f:
        assert f.read().endswith(" ")
    assert not os.path.exists(dest + ".zip")


def test_the_student_environment_lists_only_what_students_run(built):
    """conda users get the student package's dependencies, not the instructor's tools."""
    folder, _ = built
    with open(os.path.join(folder, "environment.yml")) as f:
        text = f.read()
    for tool in ("pytest", "playwright", "jupyterhub", "distributed", "psycopg", "ruff", "uv"):
        assert f"- {tool}" not in text, tool
    for package in ("numpy", "nbgrader==0.9.6", "ipywidgets", "threadpoolctl", "- -e ."):
        assert package in text, package


def test_no_helper_computes_a_spectral_radius(built):
    """notebook 4 asks for it: the explorer builds W_hh with a known radius instead."""
    folder, _ = built
    for rel in files(folder):
        if rel.startswith("helpers/") and rel.endswith(".py"):
            with open(os.path.join(folder, rel)) as f:
                assert "eigvals" not in f.read(), rel
