"""CheckCellMetadataOnce accepts and rejects exactly what nbgrader's CheckCellMetadata does."""

import copy

import nbformat
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from autograder.grading.metadata_check import CheckCellMetadataOnce, FastMetadataValidator

RELEASED = "source/rnn/01_building_blocks.ipynb"


def graded_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))


def set_meta(key, value):
    def change(nb):
        graded_cell(nb).metadata.nbgrader[key] = value

    return change


def drop(key):
    def change(nb):
        del graded_cell(nb).metadata.nbgrader[key]

    return change


def duplicate_grade_id(nb):
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")]
    cells[1].metadata.nbgrader.grade_id = cells[0].metadata.nbgrader.grade_id


def retype(nb):
    graded_cell(nb).cell_type = "markdown"


CHANGES = {
    "unchanged": lambda nb: None,
    "points as text": set_meta("points", "two"),
    "negative points": set_meta("points", -1),
    "grade as text": set_meta("grade", "yes"),
    "no grade_id": drop("grade_id"),
    "schema too old": set_meta("schema_version", 1),
    "schema too new": set_meta("schema_version", 9),
    "extra key": set_meta("surprise", 1),
    "duplicate grade id": duplicate_grade_id,
    "cell type changed": retype,
}


def outcome(validator, nb):
    try:
        validator.validate_nb(nb)
    except Exception as e:
        return f"{type(e).__module__}.{type(e).__name__}"
    return None


@pytest.mark.parametrize("change", CHANGES)
def test_same_verdict_as_nbgraders_own(change):
    nb = nbformat.read(RELEASED, as_version=4)
    CHANGES[change](nb)
    expected = outcome(MetadataValidator(), copy.deepcopy(nb))
    assert outcome(FastMetadataValidator(), copy.deepcopy(nb)) == expected
    if change == "unchanged":
        assert expected is None
        CheckCellMetadataOnce().preprocess(nb, {})
    elif change in ("points as text", "grade as text", "schema too new"):
        assert expected is not None  # the cases that reach the schema do fail
