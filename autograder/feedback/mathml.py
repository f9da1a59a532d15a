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


def to_mathml(latex, display="inline"):
    """MathML for ``latex``; if it cannot be converted, the LaTeX source in a <code>."""
    for pattern, replacement in _REWRITES:
        latex = pattern.sub(replacement, latex)
    try:
        return convert(latex.strip(), display=display)
    except Exception as e:  # latex2mathml raises many kinds; the page must still render
        log.warning("could not convert %r to MathML: %s", latex, e)
        return f'<code class="math-source">{escape(latex)}</code>'


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
