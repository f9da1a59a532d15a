"""Every formula of the course renders as MathML in feedback pages, without a network."""

import glob
import json
import os
import re

import pytest
from nbconvert.filters.markdown_mistune import MarkdownWithMath

from autograder.feedback.mathml import MathMLRenderer, feedback_latex, to_mathml
from course.paths import RELEASE_DIR, ROOT

NOTEBOOKS = sorted(glob.glob(os.path.join(RELEASE_DIR, "*.ipynb"))) + sorted(
    glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb"))
)


def markdown_cells(path):
    with open(path) as f:
        nb = json.load(f)
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=os.path.basename)
def test_every_formula_becomes_mathml(path):
    html = "".join(
        MarkdownWithMath(renderer=MathMLRenderer(escape=False)).render(src)
        for src in markdown_cells(path)
    )
    text = re.sub(r"<math.*?</math>", "", html, flags=re.S)
    text = re.sub(r"<(pre|code)[^>]*>.*?</\1>", "", text, flags=re.S)  # code may hold "$"
    assert "$" not in text, "raw TeX left"
    assert "math-source" not in html, "a formula could not be converted"
    if "$" in "".join(markdown_cells(path)):
        assert "<math" in html


def test_what_latex2mathml_misses_is_rewritten_or_shown_as_source():
    assert 'mathvariant="normal"' in to_mathml(r"\mathrm{d}x") or "<mtext>d</mtext>" in (
        to_mathml(r"\mathrm{d}x")
    )
    assert "<mtable" in to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "block")
    broken = to_mathml(r"\frac{1}{")
    assert broken == r'<code class="math-source">\frac{1}{</code>'


def test_latex_outputs():
    assert 'display="block"' in feedback_latex("$$x^2$$")
    assert 'display="inline"' in feedback_latex("$x^2$")


def test_a_formula_that_would_carry_html_is_shown_as_source():
    """latex2mathml copies \\text{...} unescaped: anything but MathML falls back to source."""
    for latex in (r"\text{<script>alert(1)</script>}", r"\text{<img src=x onerror=alert(1)>}"):
        html = to_mathml(latex)
        assert html.startswith('<code class="math-source">') and "<script" not in html
        assert "<img" not in html
    assert to_mathml(r"x < y").startswith("<math")  # an ordinary "<" is still math
