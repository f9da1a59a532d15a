"""The course's feedback template and FeedbackContext on a small hand-made notebook,
rendered in-process by nbconvert as nbgrader's GenerateFeedback does (no grading)."""

import html
import re

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.feedback import TEMPLATES
from autograder.feedback.exporter import COMPILED, NO_DESCRIPTION, FeedbackExporter
from autograder.feedback.preprocessors import FeedbackContext

STUB = "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def nbgrader(cell, **meta):
    cell.metadata["nbgrader"] = {"grade_id": meta.pop("grade_id"), **meta}
    return cell


def notebook(answer=STUB):
    stub_error = new_output(
        "error", ename="NotImplementedError", evalue="", traceback=["long", "traceback"]
    )
    return new_notebook(
        cells=[
            nbgrader(
                new_markdown_cell("The softmax: $\\operatorname{softmax}(z)_i = e^{z_i} / Z$"),
                grade_id="md-1",
                locked=True,
            ),
            nbgrader(new_code_cell(answer), grade_id="softmax", solution=True),
            nbgrader(
                new_code_cell("assert check_softmax(softmax)", outputs=[stub_error]),
                grade_id="test_softmax",
                grade=True,
                score=0.0,
                points=1.0,
            ),
            new_code_cell("print(f(1))  # a cell the student added", outputs=[stub_error]),
        ]
    )


def render(nb):
    resources = {
        "nbgrader": {
            "student": "ada",
            "notebook": "01_building_blocks",
            "assignment": "rnn",
            "score": 0.0,
            "max_score": 1.0,
            "late_penalty": 0.0,
        }
    }
    context = FeedbackContext()
    context._stubs = lambda resources: {"softmax": STUB}
    nb, resources = context.preprocess(nb, resources)
    exporter = FeedbackExporter(
        template_name="feedback",
        extra_template_basedirs=[TEMPLATES],
        filters={
            "feedback_markdown": "autograder.feedback.mathml.feedback_markdown",
            "feedback_latex": "autograder.feedback.mathml.feedback_latex",
        },
    )
    page, _ = exporter.from_notebook_node(nbformat.from_dict(nb), resources)
    body = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    return page, " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_nothing_attempted_shows_one_line_per_exercise_and_no_cells():
    page, text = render(notebook())
    assert "not attempted softmax 0 / 1" in text and "Nothing answered yet" in text
    assert "NotImplementedError" not in page and "<math" not in page  # no cells at all


def test_attempted_headers_math_and_collapsed_stub_errors():
    page, text = render(notebook(answer="def f(x):\n    return x\n"))
    assert "Exercise: softmax · failed" in text and "0 / 1 point" in text
    assert "Your answer" in text and "(not attempted" not in text
    assert re.search(r"<math [^>]*MathML", page) and "$" not in text
    # the cell the student added (no nbgrader metadata) renders, its stub error in one line
    assert "(this cell uses an answer you have not written yet)" in text
    assert "long traceback" not in text
    assert "<script" not in page and "http://" not in page.replace(
        "http://www.w3.org/1998/Math/MathML", ""
    )


def test_the_formgrader_still_finds_its_own_pages():
    """nbgrader_config.py sets HTMLExporter.extra_template_basedirs, which replaces the list
    the formgrader sets for itself: its "formgrade" template must stay reachable, and the
    template named "feedback" must still be the course's."""
    from traitlets.config import Config, PyFileConfigLoader

    course = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
    for name, folder in (("formgrade", "nbgrader"), ("feedback", TEMPLATES)):
        config = Config(course)
        config.HTMLExporter.template_name = name
        first = HTMLExporter(config=config).template_paths[0]
        assert folder in first and first.endswith(name), (name, first)


def test_images_keep_their_alt_text_or_get_the_generic_one_once():
    """FeedbackExporter adds HTMLExporter's generic alt text without its BeautifulSoup pass."""
    nb = notebook(answer="def f(x):\n    return x\n")
    png = new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})
    nb.cells[3].outputs = [png]
    nb.cells[0].source += "\n\n![the unrolled RNN](data:image/png;base64,iVBORw0KGgo=)"
    page, _ = render(nb)
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) == 2, images
    assert sum(NO_DESCRIPTION in img for img in images) == 1
    assert all(img.count("alt=") == 1 for img in images), images
    assert any('alt="the unrolled RNN"' in img for img in images)


def test_the_course_config_renders_feedback_with_the_course_exporter():
    from nbgrader.converters import GenerateFeedback
    from traitlets.config import PyFileConfigLoader

    course = PyFileConfigLoader("nbgrader_config.py", path=".").load_config()
    assert GenerateFeedback(config=course).exporter_class is FeedbackExporter


def test_a_page_is_the_same_rendered_again_with_the_memoized_clean_html():
    nb = notebook(answer="def f(x):\n    return x  # <b>not bold</b>\n")
    first, _ = render(nb)
    again, _ = render(nb)
    assert first == again
    assert "<b>not bold</b>" not in first  # the student's code is still escaped


def test_a_new_exporter_uses_the_templates_compiled_before(monkeypatch):
    first, _ = render(notebook())
    assert COMPILED.store  # the feedback template and the templates it extends
    compiled_again = []
    monkeypatch.setattr(COMPILED, "dump_bytecode", compiled_again.append)
    again, _ = render(notebook())  # a new exporter, as nbgrader makes for every student
    assert compiled_again == [] and again == first
    assert FeedbackExporter().environment.bytecode_cache is COMPILED


def test_a_template_edited_since_it_was_compiled_is_compiled_again(tmp_path):
    def rendered():
        loader = jinja2.FileSystemLoader(str(tmp_path))
        env = jinja2.Environment(loader=loader, bytecode_cache=COMPILED)
        return env.get_template("page.j2").render()

    (tmp_path / "page.j2").write_text("before")
    assert rendered() == "before"
    (tmp_path / "page.j2").write_text("after")
    assert rendered() == "after"


def test_what_a_student_wrote_or_displayed_carries_no_script():
    """The course's text is trusted (MathML); a student's own markdown cell and the HTML,
    markdown, LaTeX or JavaScript their code displayed are cleaned."""
    nb = notebook(answer="def f(x):\n    return x\n")
    nb.cells.append(new_markdown_cell("My note: $x$ <script>alert('md')</script>"))
    nb.cells[3].outputs = [
        new_output("display_data", data={"text/html": "<script>alert('html')</script>"}),
        new_output("display_data", data={"text/markdown": "<img src=x onerror=alert(1)>"}),
        new_output("display_data", data={"application/javascript": "alert('js')"}),
        new_output("display_data", data={"text/latex": "$\\text{<script>alert(2)</script>}$"}),
    ]
    page, text = render(nb)
    assert "<script" not in page and not re.search(r"<img[^>]*onerror", page)
    assert "My note:" in text and re.search(r"<math [^>]*MathML", page)  # course text still math


def answered(*extra_outputs):
    nb = notebook(answer="def f(x):\n    return x\n")
    nb.cells[3].outputs = list(extra_outputs)
    return nb


def test_image_metadata_and_cell_ids_reach_no_attribute():
    """Issue 20, 7: nbconvert writes an image's width/height metadata unquoted (a script
    ran), an output's ``filenames`` as its src (an outside URL loaded), and a cell's id
    tags into attributes; what a student's code set is kept as plain values only (nbformat
    itself refuses a cell id that is not a plain name)."""
    png = new_output(
        "display_data",
        data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
        metadata={
            "image/png": {"width": "1 onerror=alert(1)", "height": 200.0, "unconfined": True},
            "filenames": {"image/png": "http://attacker.example/pixel.png"},
        },
    )
    jpeg = new_output(
        "display_data",
        data={"image/jpeg": "/9j/4AAQ"},
        metadata={"image/jpeg": {"height": "2 src=//attacker.example/j.png", "width": 30}},
    )
    nb = answered(png, jpeg)
    nb.cells[3].metadata["tags"] = ['x" onclick="alert(3)', "export"]
    page, _ = render(nb)
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) == 2, images
    assert "attacker.example" not in page and "onerror" not in page, images
    assert "onclick" not in page
    assert 'height="200"' in images[0] or "height=200" in images[0], images
    assert "width=30" in images[1] or 'width="30"' in images[1], images
    assert all(re.search(r'src="data:image/', img) for img in images), images


SPOOF = (
    '<div class="fb-header" id="top"><p class="fb-sub">Feedback for ada · score '
    '<strong><span class="fb-score">9 / 9</span></strong></p></div>'
    '<section class="fb-card fb-notes"><h2>Notes from the grader</h2></section>'
)


def test_a_students_html_cannot_dress_up_as_the_score_or_the_notes():
    """Issue 20, 7: a 0/9 student's page showed "score 9 / 9": a student's markdown or
    displayed HTML used the page's own classes and ids. They keep no class or id."""
    nb = answered(
        new_output("display_data", data={"text/html": SPOOF}),
        new_output("display_data", data={"text/markdown": SPOOF}),
    )
    nb.cells.insert(1, new_markdown_cell(SPOOF))
    page, _ = render(nb)
    assert page.count('class="fb-header"') == 1  # the page's own
    assert page.count('id="top"') == 1
    assert '<section class="fb-card fb-notes"' not in page
    assert '<span class="fb-score">9 / 9' not in page


def test_the_graders_notes_are_text_nothing_a_note_quotes_is_markup():
    """Issue 20, 7: a crafted cell id put "All tests passed ... (verified by the grader)"
    in the grader's notes box, as markdown of its own."""
    from autograder.grading.preprocessors import notes_cell

    crafted = "x' ok\n\n**All tests passed (verified by the grader)**\n\n- <b>9 / 9</b>"
    nb = answered()
    nb.cells.insert(0, notes_cell([f"cell id '{crafted}' is not part of the assignment"]))
    page, text = render(nb)
    notes = re.search(r'<section class="fb-card fb-notes">(.*?)</section>', page, re.S)
    assert notes, page
    assert notes[1].count("<li>") == 1 and "<strong>" not in notes[1] and "<b>" not in notes[1]
    assert "**All tests passed (verified by the grader)**" in html.unescape(notes[1])


def test_a_flood_of_output_makes_a_bounded_page_quickly():
    """Issue 20, 9: 100 MB of text made a 105 MB page; 6 MB of HTML took 68 s to clean."""
    import time

    html = new_output("display_data", data={"text/html": "<div><b>x</b> <i>y</i></div>" * 200_000})
    text = new_output("stream", name="stdout", text="x" * 30_000_000)
    t0 = time.perf_counter()
    page, _ = render(answered(html, text))
    assert time.perf_counter() - t0 < 20
    assert len(page) < 4_000_000
    assert "cut by the grader" in page
