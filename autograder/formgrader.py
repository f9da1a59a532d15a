"""What the formgrader shows a grader of a student's notebook: nothing that runs.

nbgrader's formgrader renders each autograded notebook (HTMLExporter, its "formgrade"
template) in the grader's own Jupyter server. Whatever a student's code displayed or a
student wrote would run there with the grader's session: the formgrader's API, a kernel
as the grader account, every student's gradebook entry. Two settings in
nbgrader_config.py close that:

- ``HTMLExporter.sanitize_html``: outputs (HTML, markdown, SVG) cleaned by nbconvert's
  clean_html (bleach); JavaScript and widget outputs not rendered at all;
- ``SafeStudentContent`` (here) for what sanitize_html leaves open in that template:
  output metadata goes into the page as unquoted attributes (``width={{ width }}``: "1
  onerror=..." is an event handler) or as image URLs (``filenames``), so only numeric
  sizes are kept; a notebook's widget state is dropped; and the formgrade template
  renders markdown cells itself without cleaning them, so each markdown cell is rendered
  and cleaned here, and handed to the template as one line of HTML, which its markdown
  pass leaves as it is.

Feedback pages have their own exporter and template (autograder/feedback), untouched here.
"""

import bleach
import nbformat
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from nbconvert.preprocessors import Preprocessor

FORMGRADE_TEMPLATE = "formgrade"
SIZES = ("width", "height")
# What markdown renders to (nbconvert's clean_html, for outputs, keeps fewer: no <p>, no
# headings); bleach drops every other tag, attribute and URL scheme (no script, no
# event handler, no javascript: link).
MARKDOWN_TAGS = bleach.ALLOWED_TAGS | {
    *"p br hr h1 h2 h3 h4 h5 h6 pre code div span del sup sub img".split(),
    *"table thead tbody tr th td".split(),
}
MARKDOWN_ATTRIBUTES = {
    **bleach.ALLOWED_ATTRIBUTES,
    "img": ["src", "alt", "title", "width", "height"],
    "*": ["class", "id"],
}


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def safe_output_metadata(metadata):
    """Only the numeric width and height of each image type."""
    safe = {}
    for mime, entry in metadata.items():
        if isinstance(entry, dict):
            sizes = {k: v for k, v in entry.items() if k in SIZES and _number(v)}
            if sizes:
                safe[mime] = sizes
    return nbformat.from_dict(safe)


def safe_markdown(source):
    """A markdown cell as cleaned HTML on one line: a markdown renderer keeps one line that
    starts with ``<div>`` as raw HTML; newlines in text (<pre> included) become ``&#10;``."""
    html = bleach.clean(
        markdown2html_mistune(source), tags=MARKDOWN_TAGS, attributes=MARKDOWN_ATTRIBUTES
    )
    return "<div>" + html.replace("\r", "").replace("\n", "&#10;") + "</div>"


class SafeStudentContent(Preprocessor):
    """For the formgrader's pages only (see the module docstring); other exporters that
    inherit HTMLExporter's configuration (feedback pages) pass through unchanged."""

    def preprocess(self, nb, resources):
        if getattr(self.parent, "template_name", None) != FORMGRADE_TEMPLATE:
            return nb, resources
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = safe_markdown(cell.source)
            cell.pop("attachments", None)
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output.metadata = safe_output_metadata(output.metadata)
        return cell, resources
