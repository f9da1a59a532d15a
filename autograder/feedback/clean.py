"""What a student's notebook can put into the attributes of a feedback page, reduced to
plain values before the page is rendered (nbgrader GenerateFeedback preprocessor, set in
nbgrader_config.py).

nbconvert's templates write some notebook values into HTML attributes as they are: an
image's ``width``/``height`` output metadata unquoted (``width=1 onerror=...`` ran a
script), an output's ``filenames`` as the image's ``src`` (a page that loads an outside
URL), a cell's id and tags into ``id``/``class``. A student's code sets output metadata
(``display(..., metadata=...)``), so each is kept only as the plain value it stands for,
or dropped.

The HTML a student wrote or displayed is cleaned by the exporter and the template
(``clean_student_html``): no script, and no ``class`` or ``id``, so it cannot dress up
as the page's own header, score or grader's notes.

Cleaning is nh3 (the Rust sanitizer ammonia), not nbconvert's bleach: bleach took 44 s
for 580 KB of HTML (and 6 MB of it cost the coordinator 68 s), nh3 ~0.2 s. The tags and
attributes kept are those of nbconvert's clean_html.
"""

import re

import nh3
from nbconvert.preprocessors import Preprocessor

from ..untrusted import output_bounds

PLAIN = re.compile(r"[A-Za-z0-9_-]{1,64}")
MAX_PIXELS = 10_000  # an image's width or height on a page
TEXT_KEYS = ("alt",)


def plain_name(value):
    """``value`` if it is a short plain name (letters, digits, - and _), else None."""
    return value if isinstance(value, str) and PLAIN.fullmatch(value) else None


def _pixels(value):
    """A width/height as a whole number of pixels, or None (anything else is dropped)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if 0 < value <= MAX_PIXELS else None


def _output_metadata(metadata):
    """Per mimetype: width and height as numbers, alt as text; nothing else (no
    ``filenames``, no ``isolated`` iframe, no ``unconfined``)."""
    kept = {}
    for mimetype, meta in (metadata or {}).items():
        if not isinstance(meta, dict) or mimetype == "filenames":
            continue
        entry = {k: _pixels(meta.get(k)) for k in ("width", "height")}
        entry.update({k: meta[k] for k in TEXT_KEYS if isinstance(meta.get(k), str)})
        entry = {k: v for k, v in entry.items() if v is not None}
        if entry:
            kept[mimetype] = entry
    return kept


class BoundOutputs(Preprocessor):
    """The outputs of the notebook within untrusted/output_bounds.py's bounds, whatever
    made the notebook: the page's size and the time to clean it stay bounded."""

    enabled = True

    def preprocess(self, nb, resources):
        return output_bounds.bound_notebook(nb), resources


class CleanAttributes(Preprocessor):
    """Cell ids and tags as plain names, output metadata as plain numbers and text.

    Registered by the FeedbackExporter itself, so every page it renders (pipeline,
    ``nbgrader generate_feedback``, the formgrader's button) is cleaned."""

    enabled = True

    def preprocess_cell(self, cell, resources, index):
        if "id" in cell and not plain_name(cell.id):
            cell.id = f"cell-{index}"
        tags = cell.metadata.get("tags")
        if tags is not None:
            keep = tags if isinstance(tags, list) else []
            cell.metadata["tags"] = [t for t in keep if plain_name(t)]
        for output in cell.get("outputs", []):
            if "metadata" in output:
                output["metadata"] = _output_metadata(output["metadata"])
            output.pop("svg_filename", None)
        return cell, resources


# nbconvert's clean_html: bleach's tags and attributes, a few tags more, class and id
TAGS = {
    *"a abbr acronym b blockquote code em i li ol strong ul".split(),
    *"div pre span table tr td".split(),
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "acronym": {"title"}}


def _text(html):
    return html.decode() if isinstance(html, bytes) else str(html)


def clean_html(html):
    """nbconvert's clean_html (for the page's own highlighted code: it keeps class, id)."""
    return nh3.clean(_text(html), tags=TAGS, attributes={**ATTRIBUTES, "*": {"class", "id"}})


def clean_student_html(html):
    """What nbconvert's clean_html keeps (no script), without any ``class`` or ``id``."""
    return nh3.clean(_text(html), tags=TAGS, attributes=ATTRIBUTES)
