"""The house (authoring/house.py): no import runs up a floor, no package has a circle."""

import os
import subprocess
import sys

import pytest

from authoring import house


@pytest.fixture(scope="module")
def graph():
    return house.graph()


def test_lint_imports_keeps_every_contract():
    lint_imports = os.path.join(os.path.dirname(sys.executable), "lint-imports")
    run = subprocess.run([lint_imports, "--no-cache"], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_no_import_runs_up_a_floor(graph):
    assert house.upward_imports(graph) == []


def test_no_package_has_an_import_circle(graph):
    assert house.circles(graph) == {}


def test_a_planted_upward_import_is_found():
    graph = house.graph()
    graph.add_import(importer="course.paths", imported="autograder.grading.pipeline")
    assert ("course.paths", "autograder.grading.pipeline") in house.upward_imports(graph)


def test_a_planted_circle_is_found():
    graph = house.graph()
    graph.add_import(importer="autograder.intake.scan", imported="autograder.grading.pipeline")
    assert "autograder" in house.circles(graph)


def test_the_grading_sandbox_mounts_a_harness_that_imports_no_reference(graph):
    """autograder/harness runs beside the student's kernel: it may import helpers, and
    course.judge only lazily on instructor machines (never at import time)."""
    imported = {
        m.split(".")[0]
        for module in graph.find_descendants("autograder.harness") | {"autograder.harness"}
        for m in graph.find_modules_directly_imported_by(module)
        if not any(
            d["line_contents"].startswith("from course.judge")
            for d in graph.get_import_details(importer=module, imported=m)
        )
    }
    assert imported <= {"autograder", "helpers"}, imported
