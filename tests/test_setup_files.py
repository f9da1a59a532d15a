"""The setup files agree: pyproject.toml, environment.yml, constraints.txt, Makefile, CI."""

import os
import re
import tomllib

import yaml
from packaging.requirements import Requirement

from course.paths import ROOT


def pyproject():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        return tomllib.load(f)["project"]


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = pyproject()
    wanted = {
        str(Requirement(r))
        for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    with open(os.path.join(ROOT, "environment.yml")) as f:
        env = yaml.safe_load(f)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {str(Requirement(r)) for r in pip if not r.startswith("-e")}
    assert listed == wanted
    assert "-e .[dev]" in pip
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.replace("python", "") == project["requires-python"]


def test_constraints_pin_every_dependency_within_its_range():
    with open(os.path.join(ROOT, "constraints.txt")) as f:
        pins = dict(
            line.strip().split("==") for line in f if "==" in line and not line.startswith("#")
        )
    pins = {re.sub(r"[-_.]+", "-", k).lower(): v for k, v in pins.items()}
    project = pyproject()
    for r in project["dependencies"] + project["optional-dependencies"]["dev"]:
        req = Requirement(r)
        version = pins[re.sub(r"[-_.]+", "-", req.name).lower()]
        assert req.specifier.contains(version), f"{req} vs pinned {version}"


def test_nbgrader_requirements_are_compatible():
    # nbgrader 0.9.6 needs jupyterlab >= 4.2, < 5 and notebook >= 7.2, < 8.
    deps = {Requirement(r).name: Requirement(r).specifier for r in pyproject()["dependencies"]}
    assert "0.9.6" in deps["nbgrader"]
    lab, notebook = deps["jupyterlab"], deps["notebook"]
    assert "4.2.0" in lab and "4.6.6" in lab and "4.1.9" not in lab and "5.0" not in lab
    assert "7.2.0" in notebook and "7.6.5" in notebook and "8.0" not in notebook


def test_ci_runs_the_test_command_the_readme_gives():
    with open(os.path.join(ROOT, ".ci", "run")) as f:
        ci = f.read()
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    assert "make test" in ci and "make test" in readme and "make lab" in readme
