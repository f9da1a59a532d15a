"""A malformed notebook fails alone with its reason (issue 20, case 5): deep nesting,
size and broken JSON, on every route that reads a submission (the pipeline's intake,
plain nbgrader's sanitize pass). The whole-class run is in test_hostile_class.py."""

import json
import os

import grading_fixtures as fx
import nbformat
import pytest
from nbgrader_course import scratch_course

from autograder.grading.grading_course import GradingCourse
from autograder.grading.intake import prepare
from autograder.grading.normalize import InvalidNotebook, read_submission
from autograder.grading.preprocessors import NormalizeSubmission
from autograder.untrusted import notebook_json

NB1, NB2 = fx.NOTEBOOKS[0], fx.NOTEBOOKS[1]


def nested_in_metadata(depth, name=NB1):
    """The released notebook with ``depth`` nested brackets in a cell's metadata (text)."""
    text = json.dumps(fx.untouched(name))
    return text.replace('"metadata": {', '"metadata": {"x": ' + "[" * depth + "]" * depth + ", ", 1)


@pytest.mark.parametrize("depth", [300_000, 500], ids=["past the parser", "past nbformat"])
def test_deeply_nested_json_is_an_invalid_notebook_with_its_reason(tmp_path, depth):
    path = tmp_path / NB1
    path.write_text(nested_in_metadata(depth))
    with pytest.raises(InvalidNotebook, match="nested more than 100 levels deep"):
        read_submission(str(path))


def test_a_real_notebook_is_well_within_the_depth_limit():
    notebook_json.check_depth(fx.full()[NB1])  # raises if not


def test_one_deep_notebook_fails_alone_in_the_intake(tmp_path):
    course = GradingCourse(scratch_course(tmp_path))
    folder = course.submitted("mallory")
    os.makedirs(folder)
    with open(os.path.join(folder, NB1), "w") as f:
        f.write(nested_in_metadata(300_000))
    with open(os.path.join(folder, NB2), "w") as f:
        json.dump(fx.full()[NB2], f)
    prep = prepare(course, "mallory")
    assert prep.valid == [NB2[:-6]]
    assert "nested more than" in prep.invalid[NB1[:-6]]


def test_plain_nbgraders_sanitize_pass_refuses_a_deep_notebook():
    # nbgrader's reader accepts a few hundred levels: the same limit as the intake's applies.
    nb = nbformat.from_dict(json.loads(nested_in_metadata(150)))
    with pytest.raises(InvalidNotebook, match="nested more than"):
        NormalizeSubmission().preprocess(nb, {})
