"""The formgrader's page of a hostile submission carries nothing that runs (issue 20, case 2).

Rendered as nbgrader's formgrader renders it (SubmissionHandler: HTMLExporter with the
"formgrade" template and the course's nbgrader_config.py), without a server. The same
submission in a real browser, on the hub: tests/hub/test_hub_e2e.py.
"""

import copy
import re
from pathlib import Path

import nbformat
import pytest
from nbconvert.exporters import HTMLExporter
from nbgrader.server_extensions.formgrader import handlers
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

REPO_ROOT = Path(__file__).resolve().parents[1]
BEACON = "http://127.0.0.1:9/"

# What a student can put in their own cells: outputs of their code and markdown.
HOSTILE_HTML = f"<b>hostile html</b><script>fetch('{BEACON}script')</script>"
HOSTILE_IMG = f"<img src=x onerror=\"fetch('{BEACON}img')\">"
HOSTILE_WIDTH = f"1 onerror=fetch('{BEACON}width')"
HOSTILE_MARKDOWN = f"**hostile markdown** <img src=x onerror=\"fetch('{BEACON}md')\">\n\n> quoted"


def hostile_notebook():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("display(HTML(...))")
    code.outputs = [
        nbformat.v4.new_output("display_data", {"text/html": HOSTILE_HTML + HOSTILE_IMG}),
        nbformat.v4.new_output("display_data", {"application/javascript": f"fetch('{BEACON}js')"}),
        nbformat.v4.new_output(
            "display_data",
            {"image/png": "iVBORw0KGgo="},
            metadata={
                "image/png": {"width": HOSTILE_WIDTH, "height": 20},
                "filenames": {"image/png": f"{BEACON}png"},
            },
        ),
        nbformat.v4.new_output("display_data", {"text/markdown": HOSTILE_IMG}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell(HOSTILE_MARKDOWN), code]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def formgrader_exporter():
    """HTMLExporter configured as the formgrader's (nbgrader's formgrader.py, the course's
    nbgrader_config.py on top, as nbgrader loads them)."""
    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    course = PyFileConfigLoader("nbgrader_config.py", path=str(REPO_ROOT)).load_config()
    config.merge(course)
    return HTMLExporter(config=config)


def render(nb):
    resources = {
        "assignment_id": "rnn",
        "notebook_id": "01",
        "submission_id": "s1",
        "index": 0,
        "total": 1,
        "base_url": "/services/c",
        "student": "carol",
        "last_name": "",
        "first_name": "",
        "notebook_path": "course/autograded/carol/rnn/01.ipynb",
    }
    html, _ = formgrader_exporter().from_notebook_node(copy.deepcopy(nb), resources=resources)
    return html


@pytest.fixture(scope="module")
def page():
    return render(hostile_notebook())


def test_the_page_shows_the_students_content(page):
    assert "hostile html" in page
    assert re.search(r"<strong>\s*hostile markdown\s*</strong>", page)
    assert re.search(r"<blockquote>\s*<p>quoted</p>", page)  # markdown still markdown


def test_the_page_runs_nothing_the_student_wrote(page):
    for pattern in (
        r"<script[^>]*>[^<]*" + re.escape(BEACON),  # a student's script, or a js output
        r"<[a-z]+[^>]*\sonerror\s*=",  # the students' event handlers
        r'<img[^>]*src="' + re.escape(BEACON),  # an image from an outside URL
        r"widget-state\+json",
    ):
        assert not re.search(pattern, page), pattern


def test_numeric_image_sizes_stay(page):
    assert re.search(r'<img[^>]*\bheight="?20\b', page)
    assert not re.search(r'\bwidth="?1\b', page)
