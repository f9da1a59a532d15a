"""Math in feedback pages as MathML, rendered when the page is made: no script, no font
download, nothing from the network.

nbgrader's feedback template loads MathJax 2.7.7 from a CDN (hard-coded; HTMLExporter's
mathjax_url is ignored), so offline a student sees raw ``$...$``. Here LaTeX is
converted to MathML with latex2mathml (pure Python); browsers render MathML Core natively
(Chromium/Chrome/Edge since 109, Firefox, Safari). tests/test_feedback_math.py converts
every formula of the course.

Two Jinja filters for the feedback template (registered in nbgrader_config.py through
``HTMLExporter.filters``):
  feedback_markdown  a markdown cell (or output) -> HTML with MathML, images embedded
  feedback_latex     a text/latex output -> MathML
"""

import functools
import logging
import re
from html import escape

import jinja2
from latex2mathml.converter import convert
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

log = logging.getLogger(__name__)

# latex2mathml gaps (research notes, section 4): rewrite to what it supports.
_REWRITES = (
    (re.compile(r"\\begin\{aligned\}"), r"\\begin{align*}"),
    (re.compile(r"\\end\{aligned\}"), r"\\end{align*}"),
    (re.compile(r"\\mathrm\{([A-Za-z])\}"), r"\\text{\1}"),  # else italic in MathML Core
    (re.compile(r"\\operatorname\*"), r"\\operatorname"),
)


# What latex2mathml writes. It copies \text{...} into the page unescaped, so anything
# else in its output (a <script>, an onerror=) came from the formula: shown as source.
MATHML_TAGS = frozenset(
    "math mrow mi mo mn ms mtext mspace msup msub msubsup mfrac msqrt mroot mstyle mtable "
    "mtr mtd mover munder munderover mpadded mphantom menclose semantics annotation merror "
    "mfenced mmultiscripts mprescripts none".split()
)
MATHML_ATTRIBUTES = frozenset(
    "xmlns display mathvariant stretchy fence separator lspace rspace columnalign rowalign "
    "rowspacing columnspacing columnlines rowlines frame accent accentunder movablelimits "
    "form minsize maxsize largeop symmetric width height depth linethickness notation "
    "displaystyle scriptlevel open close separators mathsize".split()
)
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w:.-]*)")
_ATTRIBUTE = re.compile(r"([\w:.-]+)\s*=")


def only_mathml(html):
    """Whether ``html`` holds nothing but MathML elements and presentation attributes."""
    return (
        "<!" not in html
        and set(_TAG.findall(html)) <= MATHML_TAGS
        and set(_ATTRIBUTE.findall(html)) <= MATHML_ATTRIBUTES
    )


# Memoized (a pure function of its text; bounded, as exporter.cached_clean_html): the
# course's formulas come back on every student's pages.
@functools.lru_cache(maxsize=4096)
def to_mathml(latex, display="inline"):
    """MathML for ``latex``; if it cannot be converted (or would carry anything but
    MathML), the LaTeX source, escaped, in a <code>."""
    for pattern, replacement in _REWRITES:
        latex = pattern.sub(replacement, latex)
    try:
        mathml = convert(latex.strip(), display=display)
    except Exception as e:  # latex2mathml raises many kinds; the page must still render
        log.warning("could not convert %r to MathML: %s", latex, e)
        mathml = None
    if mathml is None or not only_mathml(mathml):
        return f'<code class="math-source">{escape(latex)}</code>'
    return mathml


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math as MathML instead of MathJax input."""

    def block_math(self, body):
        return to_mathml(body, "block")

    def inline_math(self, body):
        return to_mathml(body, "inline")

    def latex_environment(self, name, body):
        return to_mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


@jinja2.pass_context
def feedback_markdown(context, source):
    """Markdown -> HTML with MathML; images next to the notebook are embedded."""
    cell = context.get("cell") or {}
    path = (context.get("resources") or {}).get("metadata", {}).get("path", "")
    renderer = MathMLRenderer(
        escape=False,
        attachments=cell.get("attachments", {}),
        embed_images=True,
        path=path,
        exclude_anchor_links=True,
    )
    return MarkdownWithMath(renderer=renderer).render(source)


_DELIMITED = re.compile(r"^\s*(\$\$?|\\\[|\\\()(.*?)(\$\$?|\\\]|\\\))\s*$", re.S)


def feedback_latex(text):
    """A text/latex output ("$x$", "$$x$$", "\\[x\\]", or bare LaTeX) -> MathML."""
    m = _DELIMITED.match(text)
    if m:
        return to_mathml(m[2], "inline" if m[1] in ("$", "\\(") else "block")
    return to_mathml(text, "block")
