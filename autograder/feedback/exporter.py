"""The exporter of the feedback pages: nbconvert's HTMLExporter, made cheap to repeat.

The grading coordinator renders five pages for every student, one after another, in its
one process; three things HTMLExporter does are most of that cost, and all can be avoided
without changing what a page says:

- it parses every page it renders back into a BeautifulSoup tree, only to give images
  without an ``alt`` text a generic one and to make lab-template cells focusable (the
  feedback pages use the classic template: no lab cells). Here the same ``alt`` text is
  added with one substitution on the rendered text, whose ``<img`` tags are the
  template's own (measured: 0.88 s -> 0.50 s per student's five pages);
- nbgrader makes a new exporter for every student, so a new jinja Environment, which
  compiled the same templates again: here the compiled templates are kept for the
  process (``COMPILED``, jinja's own bytecode cache, checked against each template's
  source; measured: 0.071 s -> 0.033 s per page after the first);
- its ``clean_html`` filter (bleach) runs on every code cell's highlighted source, and
  most code cells are the course's own, the same for every student. Here it is nh3's,
  200 times faster (clean.py), and memoized (a pure function of its text; bounded, so a
  large class's answers cannot fill memory).

Unlike HTMLExporter, it cleans (``sanitize_html``) what a student's code displayed and
the student's own markdown: a feedback page never carries a student's script; and it
reduces what a notebook puts into attributes to plain values (clean.py).

Configured in nbgrader_config.py (``GenerateFeedback.exporter_class``), so nbgrader's
generate_feedback, the formgrader's button and the pipeline all use it.
"""

import functools
import re

import jinja2
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from traitlets import default

from .clean import BoundOutputs, CleanAttributes, clean_html, clean_student_html

NO_DESCRIPTION = 'alt="No description has been provided for this image"'
IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)")

# The course's code cells (~60 per student) come back for every student; answers do not.
cached_clean_html = functools.lru_cache(maxsize=4096)(clean_html)


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled jinja templates, in memory: one store for every exporter of the process."""

    def __init__(self):
        self.store = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])  # reset if the source changed

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED = CompiledTemplates()


class FeedbackExporter(HTMLExporter):
    """HTMLExporter, with the ``alt`` texts added without a parse and clean_html memoized."""

    @property
    def default_config(self):
        # A course figure comes as a PNG with its alt text in the output's metadata and as
        # an <img alt> copy in text/html (helpers/described.py). Here every HTML output is
        # cleaned, which drops an <img>, so the PNG goes first: nbconvert's template gives it
        # the alt text from the metadata.
        config = super().default_config
        priority = [t for t in config.NbConvertBase.display_data_priority if t != "image/png"]
        priority.insert(priority.index("text/html"), "image/png")
        config.NbConvertBase.display_data_priority = priority
        return config

    @default("sanitize_html")
    def _sanitize_html_default(self):
        # A student's outputs and own markdown are the student's HTML: cleaned, so a page
        # never carries a script (nbconvert's default trusts them)
        return True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_preprocessor(BoundOutputs, enabled=True)
        self.register_preprocessor(CleanAttributes, enabled=True)

    def _create_environment(self):
        # nbconvert's one place where an exporter makes its jinja Environment (it has no
        # option for a bytecode cache); templates load after it, so they meet COMPILED.
        environment = super()._create_environment()
        environment.bytecode_cache = COMPILED
        return environment

    def default_filters(self):
        """HTMLExporter's filters; clean_html memoized (a later name wins), and the
        template's clean_student_html."""
        yield from super().default_filters()
        yield ("clean_html", cached_clean_html)
        yield ("clean_student_html", clean_student_html)

    def from_notebook_node(self, nb, resources=None, **kw):
        """(html, resources) for the notebook ``nb``, as HTMLExporter renders it."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        resources = self._init_resources(resources)
        self.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
        )
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        return IMG_WITHOUT_ALT.sub("<img " + NO_DESCRIPTION, html), resources
