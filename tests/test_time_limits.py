"""Unit tests of grading/timing.py: the time limits derived from the reference's run.

Plain numbers and a temporary profile file; no kernel. Each test names, in a comment, the
bug planted in timing.py that makes it fail (each was tried).
"""

import json

import pytest

from autograder.grading import timing
from autograder.grading.timing import TimeLimits

# The reference's run of one notebook: two cells, 2.0 s and 0.5 s (2.5 s in all).
PROFILE = {"01_blocks": {"hash": "h1", "cells": {"softmax": 2.0, "#3": 0.5}, "total": 2.5}}


def test_a_cell_gets_multiple_times_its_reference_time_plus_a_margin_scaled_by_the_load():
    # Catches: the margin scaled by the multiple, or the load left out: (5 * 2.0 + 3) * 2.
    limits = TimeLimits(profile=PROFILE, load=2.0)
    assert limits.cell("01_blocks", "softmax") == (5.0 * 2.0 + 3.0) * 2.0 == 26.0
    assert TimeLimits(profile=PROFILE, multiple=2.0, margin=1.0).cell("01_blocks", "#3") == 2.0


def test_a_cell_the_reference_does_not_have_gets_the_most_any_cell_of_its_notebook_gets():
    # Catches: the student's own cell given the smallest (or a zero) reference time.
    assert TimeLimits(profile=PROFILE).cell("01_blocks", "student-7") == 5.0 * 2.0 + 3.0


def test_the_cell_that_imports_an_earlier_notebook_also_gets_that_notebooks_time():
    # Catches: the carried time added for every notebook in ``carried``, or not scaled by
    # the multiple and the load (the import runs the earlier answers again).
    limits = TimeLimits(profile=PROFILE, load=2.0)
    source = 'from helpers import import_from_notebook\nimport_from_notebook("00_intro.ipynb")'
    carried = {"00_intro": 4.0, "02_other": 100.0}
    plain = limits.cell("01_blocks", "#3")
    assert limits.cell("01_blocks", "#3", source, carried) == plain + 5.0 * 4.0 * 2.0
    assert limits.cell("01_blocks", "#3", "x = 1", carried) == plain


def test_a_notebook_gets_multiple_times_its_total_plus_four_margins():
    # Catches: NOTEBOOK_MARGINS ignored, or the carried time left out of the notebook.
    limits = TimeLimits(profile=PROFILE, load=2.0)
    assert limits.notebook("01_blocks") == (5.0 * 2.5 + 4 * 3.0) * 2.0 == 49.0
    assert limits.notebook("01_blocks", {"00_intro": 1.0}) == (5.0 * 3.5 + 4 * 3.0) * 2.0
    assert limits.notebook_margin == 12.0


def test_a_notebook_not_in_the_profile_gets_the_fallback_limits():
    # Catches: a KeyError (a stale profile stops grading), a fallback of 0 s, or ``if not
    # cells`` turned into ``is None`` (max() of a notebook measured with no cells raises).
    limits = TimeLimits(profile={**PROFILE, "03_empty": {"cells": {}, "total": 0.0}})
    # The fallbacks are options (c.GradingTimes, autograder/grading/settings.py).
    fallback_cell, fallback_notebook = (
        limits.fallback_cell_seconds,
        limits.fallback_notebook_seconds,
    )
    assert fallback_cell > 0 and fallback_notebook > 0
    assert limits.cell("09_new", "x") == fallback_cell
    assert limits.cell("03_empty", "x") == fallback_cell
    assert TimeLimits(fallback_cell_seconds=7.0).cell("09_new", "x") == 7.0
    assert limits.notebook("09_new") == fallback_notebook


def test_flat_limits_replace_the_derived_ones():
    # Catches: --cell-seconds / --notebook-seconds ignored where a profile exists, or
    # ``flat()`` true with only one of the two set.
    limits = TimeLimits(profile=PROFILE, load=3.0, cell_seconds=9, notebook_seconds=90)
    assert limits.cell("01_blocks", "softmax") == 9.0 and limits.notebook("01_blocks") == 90.0
    assert limits.flat() and not TimeLimits(cell_seconds=9).flat()


def test_a_cell_is_named_by_its_grade_id_else_its_position():
    # Catches: the position used for graded cells (a student's inserted cell would shift
    # every limit after it).
    graded = {"metadata": {"nbgrader": {"grade_id": "softmax"}}}
    assert timing.cell_key(graded, 5) == "softmax"
    assert timing.cell_key({"metadata": {}}, 3) == "#3"


def test_a_profile_entry_sums_its_cells():
    # Catches: the total taken from one cell, or not rounded (a profile that changes
    # in the last digit on every run).
    run = {"cell_seconds": {"a": 0.12, "b": 1.0041}}
    assert timing.profile_entry(run, "h") == {
        "hash": "h",
        "cells": run["cell_seconds"],
        "total": 1.124,
    }


def test_only_the_entries_of_notebooks_still_as_measured_are_loaded(tmp_path):
    # Catches: the hash check removed (the limits of an old notebook applied to its new
    # text), or a missing/corrupt profile raising instead of meaning "no profile".
    path = str(tmp_path / "grading" / "profile.json")
    stored = {**PROFILE, "02_rnn": {"hash": "old", "cells": {"a": 1.0}, "total": 1.0}}
    timing.save_profile(path, stored)
    assert json.load(open(path)) == stored
    assert timing.load_profile(path, {"01_blocks": "h1", "02_rnn": "new"}) == PROFILE
    assert timing.load_profile(str(tmp_path / "none.json"), {}) == {}
    (tmp_path / "bad.json").write_text("{not json")
    assert timing.load_profile(str(tmp_path / "bad.json"), {"01_blocks": "h1"}) == {}


def test_the_notebook_hash_follows_the_content_not_the_key_order():
    # Catches: json.dumps without sort_keys (a reordered but equal notebook "stale").
    assert timing.notebook_hash({"a": 1, "b": 2}) == timing.notebook_hash({"b": 2, "a": 1})
    assert timing.notebook_hash({"a": 1}) != timing.notebook_hash({"a": 2})


@pytest.mark.parametrize("load", [1.0, 4.0])
def test_limits_grow_with_the_load(load):
    # Catches: the load applied to the notebook limit but not to the cell limit, or inverted.
    a, b = TimeLimits(profile=PROFILE, load=load), TimeLimits(profile=PROFILE, load=2 * load)
    assert b.cell("01_blocks", "softmax") == 2 * a.cell("01_blocks", "softmax")
    assert b.notebook("01_blocks") == 2 * a.notebook("01_blocks")
