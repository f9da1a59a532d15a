"""Build what students receive: release/, helpers/, the companion notebooks, setup files.

    python -m authoring.bundle dist/student-bundle     (make bundle)

Writes the folder and a .zip of it, and keeps which release it packed
(grading/bundles.json): the next ``make bundle`` or ``make grade`` after a changed
release names the bundles and grades that are stale and what changed (grading/stale.py).
Nothing instructor-only goes in: no source/, no
autograder/ (reference, hidden tests, grading), no gradebook, no nbgrader_config.py;
tests/test_bundle.py checks the result.
"""

import argparse
import json
import os
import shutil
import sys

from autograder.grading import stale
from course.paths import RELEASE_DIR, ROOT

try:
    import tomllib
except ImportError:  # pragma: no cover (Python < 3.11 is not supported anyway)
    tomllib = None

STUDENT = os.path.join(ROOT, "authoring", "student")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")


def student_pyproject():
    """The course's pyproject.toml, reduced to what a student installs."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    deps = "\n".join(f'    "{d}",' for d in project["dependencies"])
    return f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "rnn-from-scratch-student"
version = "{project["version"]}"
description = "{project["description"]} (student files)"
requires-python = "{project["requires-python"]}"
dependencies = [
{deps}
]

[tool.setuptools.packages.find]
include = ["helpers*"]

[tool.setuptools.package-data]
helpers = ["checks/*.npz", "texts/*"]
'''


def student_environment():
    """environment.yml for conda / Binder: the student package's dependencies only (the
    course's own environment.yml lists the instructor's tools too)."""
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    deps = "".join(f"      - {d}\n" for d in project["dependencies"])
    return f"""# Conda / Binder environment of the course's student files. Usage:
#   conda env create -f environment.yml && conda activate rnn-from-scratch
name: rnn-from-scratch
channels:
  - conda-forge
dependencies:
  - python{project["requires-python"]}
  - pip
  - pip:
{deps}      - -e .
"""


def student_readme():
    """The students' README, its figures rendered from the computed claims."""
    from .build import text_context
    from .render import render

    with open(os.path.join(STUDENT, "README.md")) as f:
        return render(f.read(), text_context())


def build(dest, archive=True):
    dest = os.path.abspath(dest)
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    shutil.copytree(os.path.join(ROOT, "release"), os.path.join(dest, "release"), ignore=IGNORE)
    shutil.copytree(os.path.join(ROOT, "helpers"), os.path.join(dest, "helpers"), ignore=IGNORE)
    shutil.copytree(os.path.join(ROOT, "notebooks"), os.path.join(dest, "notebooks"), ignore=IGNORE)
    shutil.copy(os.path.join(STUDENT, "Makefile"), dest)
    with open(os.path.join(dest, "README.md"), "w") as f:
        f.write(student_readme())
    shutil.copy(os.path.join(ROOT, "constraints.txt"), dest)
    with open(os.path.join(dest, "pyproject.toml"), "w") as f:
        f.write(student_pyproject())
    with open(os.path.join(dest, "environment.yml"), "w") as f:
        f.write(student_environment())
    if archive:
        archive = shutil.make_archive(dest, "zip", os.path.dirname(dest), os.path.basename(dest))
    return dest, archive or None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dest", nargs="?", default=os.path.join(ROOT, "dist", "student-bundle"))
    p.add_argument(
        "--workspace",
        action="store_true",
        help="a working copy for `make lab`: no zip, and an existing folder (your "
        "work) is kept as it is",
    )
    args = p.parse_args(argv)
    if args.workspace and os.path.exists(args.dest):
        print(f"keeping your work in {args.dest}")
        return 0
    folder, archive = build(args.dest, archive=not args.workspace)
    print(f"wrote {folder}" + (f"\nwrote {archive}" if archive else ""))
    if archive:
        for line in stale_lines():
            print(line)
        stale.record_bundle(ROOT, archive, stale.release_hashes(ROOT, RELEASE_DIR))
    return 0


def stale_lines(root=ROOT, release_dir=RELEASE_DIR):
    """What a changed release made stale: grades given on an earlier one (grading/
    state.json) and bundles built from one (grading/bundles.json), see grading/stale.py."""
    now = stale.release_hashes(root, release_dir)
    try:
        with open(os.path.join(root, "grading", "state.json")) as f:
            state = json.load(f)
    except (OSError, ValueError):
        state = {}
    return stale.report(
        stale.stale_grades(root, state, now, release_dir),
        stale.stale_bundles(root, now, release_dir),
    )


if __name__ == "__main__":
    sys.exit(main())
