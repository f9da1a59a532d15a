"""Adding an exercise touches three files; the build, nbgrader and the grader do the rest.

In a scratch copy of the course (its tests included), a toy exercise (ReLU) is added
exactly as the README's "Adding an exercise" says: the reference function, its section in
the course text, and its declaration with its cases. Then the course is built, the source
notebook validated, the release checked to fail the new test, and a student who answers it
graded. The copy's own tests that count points pass without an edit (their totals come
from the registry, tests/points.py), and the two suites that need an entry per exercise
(tests/variants, TYPICAL in tests/test_diagnostics.py) fail saying what to add.
"""

import json
import os
import shutil
import subprocess
import sys

import pytest
from nbgrader_course import ROOT, tool_env

pytestmark = pytest.mark.slow

REFERENCE = '''

def relu(x):
    """ReLU, elementwise: max(x, 0), an array of the shape of ``x``."""
    ### BEGIN SOLUTION
    return np.maximum(x, 0.0)
    ### END SOLUTION
'''

COURSE_TEXT = """
## A toy exercise: ReLU

$\\mathrm{ReLU}(a) = \\max(a, 0)$, elementwise.

```{code-cell} ipython3
:solution: common.relu
```

```{code-cell} ipython3
from helpers.checks import check_relu
```

```{code-cell} ipython3
:exercise: relu
```
"""

DECLARATION = """

def relu_cases(r):
    return [Case("mixed signs", {"x": r.normal(size=(2, 3, 4))}, "max(x, 0), elementwise")]


def relu_hidden(r):
    return [Case("large", {"x": r.normal(0, 100, size=(5, 2, 3))})]


DECLARED.append(
    Exercise(
        id="relu",
        title="relu",
        points=1,
        subject="relu",
        reference=common.relu,
        runner=FunctionCall(args=("x",), output="y"),
        seed=1,
        visible=relu_cases,
        hidden=relu_hidden,
        mistakes=(Mistake("keep the positive part: max(x, 0)", "0.0)", "0.0) * 0"),),
    )
)
"""

EDITED = {
    "course/reference/common.py": REFERENCE,
    "course/text/01_building_blocks.md": COURSE_TEXT,
    "course/exercises/building_blocks.py": DECLARATION,
}
GENERATED = (
    "source/",
    "release/",
    "notebooks/",
    "helpers/checks/visible_tests.json",
    "README.md",
)


def tree(root):
    """{relative path: bytes} of every file of the course copy (caches left out)."""
    out = {}
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x not in ("__pycache__", ".ipynb_checkpoints", "grading")]
        for f in files:
            path = os.path.join(d, f)
            with open(path, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read()
    return out


def run(course, *args, timeout=900):
    env = tool_env({"PYTHONPATH": course, "OPENBLAS_NUM_THREADS": "1"})
    result = subprocess.run(
        [sys.executable, *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = str(tmp_path_factory.mktemp("toy") / "course")
    os.makedirs(course)
    for name in (
        "course",
        "autograder",
        "authoring",
        "bench",  # bench and deploy: the README's import drawing shows every package
        "deploy",
        "helpers",
        "source",
        "release",
        "notebooks",
        "tests",
    ):
        shutil.copytree(
            os.path.join(ROOT, name),
            os.path.join(course, name),
            ignore=shutil.ignore_patterns("__pycache__", "node_modules"),
        )
    for name in ("nbgrader_config.py", "README.md"):
        shutil.copy(os.path.join(ROOT, name), course)
    before = tree(course)
    for rel, addition in EDITED.items():
        with open(os.path.join(course, rel), "a") as f:
            f.write(addition)
    run(course, "-m", "authoring.build", "--release")
    return course, before


def test_three_files_were_written_by_hand_and_the_rest_was_built(course):
    root, before = course
    after = tree(root)
    changed = {p for p in after if before.get(p) != after[p]} | (set(before) - set(after))
    by_hand = {p for p in changed if not p.startswith(GENERATED)}
    assert by_hand == set(EDITED)
    assert "source/rnn/01_building_blocks.ipynb" in changed
    assert "release/rnn/01_building_blocks.ipynb" in changed
    with open(os.path.join(root, "helpers/checks/visible_tests.json")) as f:
        exported = {e["id"]: e for e in json.load(f)["exercises"]}
    assert exported["relu"]["points"] == 1 and exported["relu"]["notebook"] == "01_building_blocks"
    with open(os.path.join(root, "README.md")) as f:
        assert "`relu` (1)" in f.read()


def pytest_in(course, *args):
    """The scratch course's own tests ``args``, in one process, without the repository's
    pytest options (no nbval, no workers): the CompletedProcess."""
    env = tool_env({"PYTHONPATH": course, "OPENBLAS_NUM_THREADS": "1"})
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts="]
    return subprocess.run(
        [*command, "-q", "--tb=short", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def exported_points(course, notebook=None):
    """The points of the scratch course's exercises (of ``notebook``), from its export."""
    with open(os.path.join(course, "helpers/checks/visible_tests.json")) as f:
        exercises = json.load(f)["exercises"]
    return sum(e["points"] for e in exercises if notebook in (None, e["notebook"]))


def test_the_tests_that_count_points_pass_without_an_edit(course):
    root, _ = course
    result = pytest_in(root, "tests/test_course_build.py", "-m", "not slow")
    assert result.returncode == 0, result.stdout[-5000:]
    # the grading suites' totals (tests/points.py) follow the registry the build exported
    code = "from points import points; print(points('01_building_blocks'), points())"
    env = tool_env({"PYTHONPATH": f"{root}:{root}/tests"})
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.stdout.split() == [
        str(exported_points(root, "01_building_blocks")),
        str(exported_points(root)),
    ], out.stderr[-3000:]
    assert exported_points(root) == exported_points(ROOT) + 1


def test_a_missing_variants_or_typical_entry_fails_saying_what_to_add(course):
    root, _ = course
    result = pytest_in(
        root,
        "tests/test_variants.py::test_registry_is_broad_and_well_formed",
        "tests/test_diagnostics.py::test_the_typical_table_covers_every_exercise",
    )
    out = result.stdout
    assert result.returncode == 1 and "2 failed" in out, out[-5000:]
    for kind in ("correct", "bug"):
        assert f"exercise 'relu' has 0 '{kind}' variants, the suite needs 3" in out, out[-5000:]
    assert "entries to VARIANTS in tests/variants/nb1.py" in out
    assert "exercise 'relu' has no entry in TYPICAL (tests/test_diagnostics.py): add" in out


def test_source_validates_and_release_fails_the_new_test(course):
    root, _ = course
    code = (
        "from nbgrader.validator import Validator; import json; "
        "print(json.dumps({'source': Validator().validate('source/rnn/01_building_blocks.ipynb'), "
        "'release': Validator().validate('release/rnn/01_building_blocks.ipynb')}))"
    )
    result = json.loads(run(root, "-c", code).stdout.strip().splitlines()[-1])
    assert result["source"] == {}
    failed = [c["source"] for c in result["release"]["failed"]]
    assert any("check_relu(relu)" in source for source in failed)


def test_a_student_who_answers_it_gets_its_point(course, tmp_path):
    root, _ = course
    with open(os.path.join(root, "source/rnn/01_building_blocks.ipynb")) as f:
        answers = {
            c["metadata"]["nbgrader"]["grade_id"]: c["source"]
            for c in json.load(f)["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")
        }
    with open(os.path.join(root, "release/rnn/01_building_blocks.ipynb")) as f:
        nb = json.load(f)
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    dest = tmp_path / "submissions" / "toy_student" / "rnn"
    dest.mkdir(parents=True)
    (dest / "01_building_blocks.ipynb").write_text(json.dumps(nb))
    run(
        root,
        "-m",
        "autograder.grade",
        str(tmp_path / "submissions"),
        "--course",
        root,
        "--workers",
        "1",
    )
    with open(os.path.join(root, "grading", "summary.json")) as f:
        (result,) = json.load(f)["results"]
    verdicts = result["notebooks"]["01_building_blocks"]["verdicts"]
    assert verdicts["relu"]["passed"] and verdicts["relu"]["points"] == 1
    assert result["total"] == exported_points(root, "01_building_blocks")
