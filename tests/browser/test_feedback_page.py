"""A student's feedback pages, graded for real and opened in Chromium without a network.

One scratch course (notebooks 1 and 2), one student "ada": in notebook 1 a buggy softmax
(overflow), a correct cross-entropy and the rest as released; notebook 2 untouched;
notebooks 3 to 5 missing, unreadable, not run (pages from autograder/feedback/pages.py).
Real ``nbgrader autograde`` and ``generate_feedback`` (through
``autograder.feedback.student.regenerate``) with the course's nbgrader_config.py.

Screenshots: test-artifacts/browser/feedback-*.png.
"""

import html
import json
import os
import re
from pathlib import Path

import grading_fixtures as fx
import pytest
import result_fixtures as rf
from nbgrader_course import ROOT, nbgrader, scratch_course

from autograder.feedback.student import regenerate
from course.exercises import notebooks

pytestmark = pytest.mark.slow

ARTIFACTS = Path(ROOT) / "test-artifacts" / "browser"
NB = notebooks()
NB1, NB2 = NB[0] + ".ipynb", NB[1] + ".ipynb"
ANSWERED = {"softmax", "cross_entropy_loss"}
OVERFLOW = ("shifted = logits - logits.max(axis=-1, keepdims=True)", "shifted = logits")


def without_markers(source):
    return "\n".join(line for line in source.splitlines() if "### " not in line) + "\n"


def solution_lines(notebook, skip=()):
    """Lines of the reference answers of ``notebook`` (not in ``skip``) that only the
    solution has (not the released notebook)."""
    released = json.dumps(fx.untouched(notebook))
    out = []
    for gid, source in fx.answers(notebook).items():
        if gid in skip:
            continue
        body = source.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
        out += [ln.strip() for ln in body.splitlines() if len(ln.strip()) > 24]
    return [ln for ln in out if json.dumps(ln)[1:-1] not in released]


def ada_notebook_1():
    nb = fx.untouched(NB1)
    answers = fx.answers(NB1)
    for cell in nb["cells"]:
        gid = fx._gid(cell)
        if gid in ANSWERED:
            source = without_markers(answers[gid])
            cell["source"] = source.replace(*OVERFLOW) if gid == "softmax" else source
    return nb


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    course = Path(
        scratch_course(
            tmp_path_factory.mktemp("feedback"), folders=("source",), notebooks=(NB1, NB2)
        )
    )
    nbgrader(str(course), "generate_assignment", "rnn", "--force")
    submitted = course / "submitted" / "ada" / "rnn"
    submitted.mkdir(parents=True)
    (submitted / NB1).write_text(json.dumps(ada_notebook_1()))
    (submitted / NB2).write_text(json.dumps(fx.untouched(NB2)))
    nbgrader(str(course), "autograde", "rnn", "--student", "ada", "--force")
    result = rf.result(
        "ada",
        missing=[NB[2]],
        status={
            NB[3]: "not graded: invalid notebook (invalid JSON: Expecting value: line 1)",
            NB[4]: "could not be run to the end: the notebook took longer than its 40 s limit",
        },
    )
    received = [("ada/rnn/03_bptt_v2.ipynb", "not one of the assignment's notebooks")]
    paths = regenerate(str(course), result, received=received)
    return {os.path.basename(p)[:-5]: p for p in paths}


def plain(path):
    with open(path, encoding="utf-8") as f:
        page = f.read()
    prose = re.sub(r"<(pre|code|style)[^>]*>.*?</\1>", " ", page, flags=re.S)
    prose = re.sub(r"<math.*?</math>", " ", prose, flags=re.S)
    return page, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", prose)).split())


def test_every_notebook_has_a_page(pages):
    assert sorted(pages) == NB


def test_headers_name_the_exercise_and_its_points(pages):
    page, text = plain(pages[NB[0]])
    assert "Test cell" not in text and "Grade cell" not in text
    assert "Exercise: softmax · failed" in text and "0 / 1 point" in text
    assert "Exercise: cross_entropy_loss · passed" in text
    assert "Exercise: LinearLayer.backward · not attempted" in text and "0 / 2 points" in text
    assert "probs contains nan" in page  # the visible test's message for the bug


def test_nothing_attempted_is_one_line_per_exercise(pages):
    page, text = plain(pages[NB[1]])
    assert "Nothing answered yet" in text
    assert "BasicRNNCell.__init__" in text and "BasicRNNCell.forward" in text
    assert "NotImplementedError" not in page and "<pre" not in page  # no cells at all
    first, _ = plain(pages[NB[0]])  # partly attempted: stub errors in demo cells are one line
    assert "(this cell uses an answer you have not written yet)" in first
    assert "Traceback" not in re.sub(r"<style>.*?</style>", "", first, flags=re.S)


def test_no_hidden_test_no_solution_no_network(pages):
    hidden_only = solution_lines(NB1, skip=ANSWERED) + solution_lines(NB2)
    assert hidden_only
    for name, path in pages.items():
        page, _ = plain(path)
        assert "HIDDEN TESTS" not in page and not re.search(r"hidden_check\(", page), name
        assert "BEGIN SOLUTION" not in page, name
        assert not [ln for ln in hidden_only if html.escape(ln, quote=False) in page], name
        assert not re.search(r"""(src|href)=["']?https?:""", page), name
        assert "<script" not in page, name


@pytest.mark.browser
def test_rendered_offline_in_chromium(pages, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1100, "height": 900}, offline=True)
    requests = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    try:
        page.goto(Path(pages[NB[0]]).as_uri())
        prose = page.evaluate(
            """() => { const b = document.body.cloneNode(true);
                       b.querySelectorAll('pre, code, style').forEach(e => e.remove());
                       return b.innerText; }"""
        )
        assert not re.search(r"\$[^$\s]", prose), "raw $...$ math in the page"
        heights = page.eval_on_selector_all(
            "math", "ms => ms.map(m => m.getBoundingClientRect().height)"
        )
        assert len(heights) > 20 and min(heights) > 5  # MathML laid out as math
        page.screenshot(path=str(ARTIFACTS / "feedback-01-top.png"))
        page.set_viewport_size({"width": 1100, "height": 1000})
        page.evaluate("document.getElementById('test_softmax').scrollIntoView()")
        page.evaluate("window.scrollBy(0, -480)")  # the answer, then the failed test
        page.screenshot(path=str(ARTIFACTS / "feedback-01-softmax.png"))
        for name, shot in (
            (NB[1], "feedback-02-not-attempted.png"),
            (NB[2], "feedback-03-missing.png"),
        ):
            page.goto(Path(pages[name]).as_uri())
            page.screenshot(path=str(ARTIFACTS / shot))
        assert all(u.startswith("file:") or u.startswith("data:") for u in requests), requests
    finally:
        context.close()
    print("screenshots:", sorted(p.name for p in ARTIFACTS.glob("feedback-*.png")))


@pytest.mark.browser
def test_pages_pass_axe(pages, browser):
    """axe-core, WCAG 2.2 A/AA, over a graded page and a page for a missing notebook: the
    pages are the course's own (template, stylesheet), so nothing is left to upstream."""
    from axe_check import violations

    context = browser.new_context(offline=True)
    page = context.new_page()
    left = []
    try:
        for name in (NB[0], NB[2]):
            page.goto(Path(pages[name]).as_uri())
            left += [f"{name}: {v}" for v in violations(page)]
    finally:
        context.close()
    assert not left, "axe, WCAG 2.2 A/AA:\n" + "\n".join(left)
