"""Every figure and comparison the course text states is what the code produces.

The text quotes claims (authoring/claims) instead of writing numbers. The claims the
notebooks compute are recomputed by nbval's run of each source notebook, compared with the
values the text was rendered from, and the comparisons the text makes are checked on the
fresh values (``source/rnn/NN.ipynb::claims``, tests/notebook_claims.py; the figures the
notebooks show are saved to test-artifacts/plots/ on the way); the experiments' claims are
test_claims_experiments.py's. Here: that the text quotes only what is computed and checked,
and that the checks can fail.
"""

import glob
import os
import re

import pytest
from notebook_claims import failed_test_cells

from authoring import claims
from authoring.build import text_context
from authoring.claims import experiments, notebook_runs
from course.paths import ROOT

TEXTS = sorted(
    [os.path.join(ROOT, "authoring", "student", "README.md")]
    + glob.glob(os.path.join(ROOT, "course", "text", "**", "*.md"), recursive=True)
    + glob.glob(os.path.join(ROOT, "authoring", "readme", "*.j2"))
)
COMPUTED = set(notebook_runs.CLAIMS_BY_NAME) | set(experiments.CLAIMS)


def quoted(kind, texts=TEXTS):
    """{name} of ``kind`` ("claims" or "measured") the course text quotes."""
    names = set()
    for path in texts:
        with open(path, encoding="utf-8") as f:
            names |= set(re.findall(rf"\b{kind}\.(\w+)", f.read()))
    return names


def test_the_text_quotes_only_what_the_code_computes():
    assert quoted("claims") <= COMPUTED
    stored = claims.load()
    assert quoted("claims") <= set(stored["claims"])
    # The README's benchmark table shows a row only for what the benchmarks recorded.
    course = [p for p in TEXTS if p.endswith(".md")]
    assert quoted("measured", course) <= set(stored["measured"]), "run make bench"


def test_every_computed_claim_is_stored_and_quoted_or_checked():
    stored = claims.load()["claims"]
    assert set(stored) == COMPUTED
    assert COMPUTED - quoted("claims") - checked_by_requirements() == set()


def checked_by_requirements():
    """The claims some requirement reads: a lambda's ``v["name"]`` keeps "name" among its
    code's constants."""
    return {
        const
        for _, holds in claims.REQUIREMENTS
        for const in holds.__code__.co_consts
        if isinstance(const, str)
    }


def test_every_requirement_reads_a_computed_claim():
    """So the claims test above cannot pass on names that no requirement reads."""
    for text, holds in claims.REQUIREMENTS:
        read = {c for c in holds.__code__.co_consts if isinstance(c, str)}
        assert read and read <= COMPUTED, f"{text!r} reads {read - COMPUTED or 'no claim'}"


def test_no_tolerance_accepts_every_value():
    """A tolerance that accepts anything checks nothing (``rel=10`` accepts any two
    values of one sign): each claim's tolerance must reject some fresh value."""
    stored = claims.load()["claims"]
    for name, value in stored.items():
        tolerance = claims.TOLERANCES.get(name, claims.DEFAULT)
        far = abs(value) * 1e3 + 1
        accepted = [f for f in (far, -far) if tolerance.accepts(value, f)]
        assert accepted == [], f"{name}: {tolerance} accepts {value} and {accepted}"


def test_the_stored_values_satisfy_what_the_text_says():
    assert claims.broken(claims.load()["claims"]) == []


def test_a_drifted_figure_or_a_false_comparison_is_caught():
    stored = claims.load()["claims"]
    fresh = dict(stored, steps_to_target=stored["steps_to_target"] * 2)
    assert [name for name, _, _ in claims.drifted(stored, fresh)] == ["steps_to_target"]
    assert "the loss falls" in claims.broken(dict(stored, last_loss=stored["first_loss"] + 1))


def test_the_rendered_text_is_current():
    from authoring import readme

    assert readme.is_current(text_context())


# The figures the text writes out as settings, not results: what the code is told to do
# (the target accuracies of notebook 5's training runs).
SETTINGS = {"99.5 %", "99 %"}
# A result: a percentage, a time, a factor. (Step counts in the text are distances and
# run lengths, i.e. settings; the step counts a run reaches are quoted claims.)
FIGURE = re.compile(r"\d[\d,.]*\s?(?:%|ms\b|seconds\b|s\b|-fold|×)")


@pytest.mark.parametrize(
    "path", [p for p in TEXTS if p.endswith(".md")], ids=lambda p: os.path.relpath(p, ROOT)
)
def test_no_result_is_written_by_hand(path):
    """Outside code cells and claims, no number with a unit of result (%, s, ×, -fold)."""
    with open(path, encoding="utf-8") as f:
        text = re.sub(r"```\{code-cell\}.*?```", "", f.read(), flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", "", text, flags=re.S)
    written = [m for m in FIGURE.findall(text) if m.strip() not in SETTINGS]
    assert written == [], f"figures written by hand instead of quoted claims: {written}"


def test_nbvals_run_of_every_source_notebook_checks_its_claims(request):
    """The items notebook_claims.py adds are in this session (``make test`` collects
    source/rnn): without them, no claim of the notebooks would be checked."""
    collected = {item.nodeid for item in request.session.items}
    notebooks = [n for n in notebook_runs.CLAIMS if f"source/rnn/{n}.ipynb::Cell 0" in collected]
    if not notebooks:
        pytest.skip("source/rnn is not collected in this session")
    for notebook in notebooks:
        for name in ("as Validate runs it", "claims"):
            assert f"source/rnn/{notebook}.ipynb::{name}" in collected


def test_a_test_cell_with_an_error_or_stderr_fails_and_a_quiet_one_passes():
    import nbformat

    def graded(output):
        cell = nbformat.v4.new_code_cell("check()", outputs=[output] if output else [])
        meta = {"grade": True, "grade_id": "test_x", "points": 1, "solution": False}
        cell.metadata["nbgrader"] = {**meta, "locked": True, "schema_version": 3}
        return nbformat.v4.new_notebook(cells=[cell])

    stderr = nbformat.v4.new_output("stream", name="stderr", text="warning\n")
    error = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])
    stdout = nbformat.v4.new_output("stream", name="stdout", text="ok\n")
    assert failed_test_cells(graded(stderr)) == failed_test_cells(graded(error)) == ["test_x"]
    assert failed_test_cells(graded(stdout)) == failed_test_cells(graded(None)) == []


def test_the_readme_writes_no_result_by_hand():
    """README.md's figures live in its generated parts (authoring/readme/*.j2)."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    text = re.sub(r"<!-- ([\w ]+) -->.*?<!-- end of \1 -->", "", text, flags=re.S)
    assert FIGURE.findall(text) == []
