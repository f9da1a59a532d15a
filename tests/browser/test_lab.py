"""The course in real JupyterLab, driven through headless Chromium (see README.md).

Fixtures (server, browser, the ``lab`` helper) are in conftest.py. Screenshots land in
<repo>/test-artifacts/browser/.
"""

import re
import shutil
import time

import nbformat
import pytest
from playwright.sync_api import expect

EXPLORER = "notebooks/gradient_explorer.ipynb"
GRADED = "source/rnn/02_rnn_forward.ipynb"
STANDIN = "test-artifacts/browser/standin_explorer.ipynb"
VALIDATE_DIR = "test-artifacts/browser/validate"  # a copy of source/rnn, see the test

SLIDERS = ("spectral radius", "sequence length", "hidden size")  # their descriptions
KEY_PRESSES = 5
REDRAW_TIMEOUT = 30_000  # ms


# --- the explorer -------------------------------------------------------------------------


def _settled_src(lab, path, plot, timeout=30):
    """The plot's src once the kernel is idle and the src has not changed for a poll."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        src = plot.get_attribute("src")
        if src and src == last and lab.kernel_idle(lab.state(path)):
            return src
        last = src
        lab.page.wait_for_timeout(300)
    lab.fail(
        f"{path}: the plot kept changing (or the kernel stayed busy) for {timeout} s",
        "failure-explorer-settle.png",
    )


def drive_explorer(lab, path, prefix):
    """Move each slider like a person (focus its handle, press ArrowRight) and check the
    plot is redrawn every time. Screenshots: <prefix>-before.png, <prefix>-after-<slider>.png.
    """
    page = lab.page
    explorer = page.locator(".rnn-explorer").first
    expect(explorer).to_be_visible(timeout=REDRAW_TIMEOUT)
    # ipywidgets renders an Image widget as the <img> itself, so the class is on the <img>.
    plot = explorer.locator("img.rnn-explorer-plot, .rnn-explorer-plot img").first
    expect(plot).to_have_attribute("src", re.compile(r"\S"), timeout=REDRAW_TIMEOUT)
    src = _settled_src(lab, path, plot)
    lab.screenshot(f"{prefix}-before.png", explorer)

    for description in SLIDERS:
        name = description.replace(" ", "-")
        slider = explorer.locator(f".rnn-explorer-{name}")
        expect(slider).to_have_count(1)
        expect(slider.locator(".widget-label")).to_have_text(description)
        readout = slider.locator(".widget-readout")
        value = readout.inner_text()

        handle = slider.locator(".noUi-handle")
        handle.scroll_into_view_if_needed()
        handle.focus()
        for _ in range(KEY_PRESSES):
            page.keyboard.press("ArrowRight")

        expect(readout, f"the {description} slider did not move").not_to_have_text(value)
        expect(plot, f"the plot was not redrawn after moving {description}").not_to_have_attribute(
            "src", src, timeout=REDRAW_TIMEOUT
        )
        new_src = _settled_src(lab, path, plot)
        assert new_src != src, f"the plot was not redrawn after moving {description}"
        print(f"{description}: {value} -> {readout.inner_text()}, plot redrawn")
        src = new_src
        lab.screenshot(f"{prefix}-after-{name}.png", explorer)


# A self-contained stand-in with the explorer's CSS classes: three sliders and an Image
# that is redrawn (a tiny PNG) whenever one of them moves. It checks the harness itself,
# independently of helpers/explorer.py. The stderr line must not count as an error.
STANDIN_CELLS = [
    r'''import struct
import sys
import zlib

import ipywidgets as widgets

print("stand-in: a stderr line is not an error", file=sys.stderr)


def png(*values):
    """A 96x24 PNG whose colour and text chunk depend on ``values``."""
    width, height = 96, 24
    shade = int(sum(values) * 37) % 256
    raw = (b"\x00" + bytes([shade, 255 - shade, 128]) * width) * height

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"values\x00" + repr(values).encode())
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))''',
    r"""style = {"description_width": "115px"}
sliders = [
    widgets.IntSlider(value=64, min=4, max=512, description="hidden size",
                      continuous_update=False, style=style),
    widgets.IntSlider(value=100, min=2, max=400, description="sequence length",
                      continuous_update=False, style=style),
    widgets.FloatSlider(value=1.0, min=0.5, max=1.5, step=0.01,
                        description="spectral radius", style=style),
]
plot = widgets.Image(format="png")
plot.add_class("rnn-explorer-plot")


def redraw(change=None):
    plot.value = png(*(s.value for s in sliders))


for s in sliders:
    s.add_class("rnn-explorer-" + s.description.replace(" ", "-"))
    s.observe(redraw, names="value")
redraw()
explorer = widgets.VBox([*sliders, plot])
explorer.add_class("rnn-explorer")
explorer""",
]


@pytest.mark.browser
def test_standin_explorer_redraws_when_sliders_move(lab):
    path = lab.repo_root / STANDIN
    path.parent.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in STANDIN_CELLS])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(nb, path)
    try:
        lab.open_notebook(STANDIN)
        state = lab.run_all(STANDIN)
        lab.assert_no_errors(STANDIN, state)
        drive_explorer(lab, STANDIN, "standin")
    finally:
        path.unlink(missing_ok=True)


@pytest.mark.browser
def test_gradient_explorer_redraws_when_sliders_move(lab):
    lab.open_notebook(EXPLORER)
    state = lab.run_all(EXPLORER)
    lab.assert_no_errors(EXPLORER, state)
    drive_explorer(lab, EXPLORER, "explorer")


# --- a graded notebook and nbgrader's extension -----------------------------------------------


@pytest.mark.browser
def test_graded_notebook_runs_with_nbgrader_extension(lab):
    source = lab.repo_root / GRADED
    original = source.read_bytes() if source.is_file() else None
    page = lab.page
    panel = lab.open_notebook(GRADED)

    # nbgrader 0.9.6's labextension (@jupyter/nbgrader) shows itself as a "Validate"
    # button in every notebook's toolbar, an "Nbgrader" menu (assignment list, courses,
    # formgrader) and a "Create Assignment" tab in the right sidebar.
    validate = panel.locator(".jp-NotebookPanel-toolbar jp-button.validate-button")
    expect(validate).to_be_visible()
    expect(validate).to_have_text("Validate")
    nbgrader_menu = page.locator("#jp-menu-panel").get_by_role(
        "menuitem", name="Nbgrader", exact=True
    )
    expect(nbgrader_menu).to_be_visible()
    # (sic: nbgrader's panel id)
    expect(page.locator('.lm-TabBar-tab[data-id="nbgrader-create_assignemnt"]')).to_be_visible()

    state = lab.run_all(GRADED)
    lab.assert_no_errors(GRADED, state)
    panel.locator(".jp-Notebook-cell").last.scroll_into_view_if_needed()
    lab.screenshot("graded-02-run-all.png")

    nbgrader_menu.click()
    expect(page.locator('.lm-Menu li[data-command="nbgrader:open-formgrader"]')).to_be_visible()
    lab.screenshot("nbgrader-menu.png")
    page.keyboard.press("Escape")

    assert source.read_bytes() == original, f"the test changed {GRADED}"


@pytest.mark.browser
def test_nbgrader_validate_button(lab):
    # Validate saves the notebook before the server validates the file on disk, so it
    # runs on a copy (git-ignored): the course's notebooks must never change. The whole
    # directory is copied because notebook 2 imports the solutions of notebook 1.
    workdir = lab.repo_root / VALIDATE_DIR
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(
        lab.repo_root / GRADED.rsplit("/", 1)[0],
        workdir,
        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
    )
    path = f"{VALIDATE_DIR}/{GRADED.rsplit('/', 1)[1]}"
    try:
        panel = lab.open_notebook(path)
        panel.locator(".jp-NotebookPanel-toolbar jp-button.validate-button").click()
        dialog = lab.page.locator(".jp-Dialog")
        # nbgrader runs the whole notebook in a new kernel: allow for a loaded machine.
        expect(dialog.locator(".jp-Dialog-header")).to_have_text(
            "Validation Results", timeout=120_000
        )
        lab.screenshot("nbgrader-validate.png")
        message = dialog.locator("#validation-message")
        text = message.inner_text()
        assert "validation-success" in (message.get_attribute("class") or ""), (
            f"nbgrader validate did not pass {GRADED}:\n{text}"
        )
        assert "Success! Your notebook passes all the tests." in text
        dialog.get_by_role("button", name=re.compile("ok", re.I)).click()
        expect(dialog).to_have_count(0)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# --- authoring: the course text opens as a notebook --------------------------------------------


@pytest.mark.browser
def test_course_text_opens_as_a_notebook_with_jupytext(lab):
    # Authors write course/text/*.md (MyST) and may open it as a notebook: jupytext's
    # JupyterLab extension (a dev dependency) provides the "Jupytext Notebook" viewer.
    path = "course/text/01_building_blocks.md"
    source = lab.repo_root / path
    original = source.read_bytes()
    page = lab.page
    page.goto(lab.server.url("lab") + "&reset")
    expect(page.locator("#jp-main-dock-panel")).to_be_visible(timeout=60_000)
    page.evaluate(
        "([path]) => window.jupyterapp.commands.execute("
        "'docmanager:open', {path, factory: 'Jupytext Notebook'})",
        [path],
    )
    panel = page.locator(".jp-NotebookPanel:visible").first
    expect(panel.locator(".jp-Cell").first).to_be_visible(timeout=60_000)
    expect(panel.locator(".jp-MarkdownCell").first).to_contain_text("Building blocks")
    assert panel.locator(".jp-CodeCell").count() >= 10
    lab.screenshot("authoring-course-text-as-notebook.png")
    assert source.read_bytes() == original, f"opening {path} changed it"
