"""Every student can read it: axe-core (WCAG 2.2 A/AA) over a rendered course notebook and
over the gradient explorer in JupyterLab, and the explorer driven by the keyboard alone.
(The feedback pages' axe run is in test_feedback_page.py, which grades a student for them.)

What axe reports in JupyterLab's or nbconvert's own markup is listed below, rule by rule,
with the reason it stays; anything else fails. Screenshots: test-artifacts/browser/a11y-*.png.
"""

import re
from pathlib import Path

import nbformat
import pytest
from axe_check import Upstream, violations
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from playwright.sync_api import expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "browser"
RENDERED = REPO / "source" / "rnn" / "02_rnn_forward.ipynb"  # two plots and a diagram
EXPLORER = "notebooks/gradient_explorer.ipynb"
SLIDERS = ("hidden size", "sequence length", "vocabulary size", "spectral radius")
GENERIC_ALT = "No description has been provided for this image"

# JupyterLab's light theme, which nbconvert's lab template copies: its syntax colours for
# comments (#408080), numbers (#008800) and word operators such as `in` (#aa22ff) are
# 4.2-4.4:1 on the code cells' grey, and the prompt of a cell that has no execution count
# is #b0b0b0. The theme is JupyterLab's (its CSS variables), not the course's.
THEME = (
    Upstream(
        "color-contrast",
        r"foreground color: #(408080|008800|aa22ff|b0b0b0)\b",
        "JupyterLab's light theme: syntax colours and the prompt of a cell not run",
    ),
)
# JupyterLab 4.6 and ipywidgets 8.1 themselves, around and inside the notebook.
JUPYTERLAB = (
    Upstream(
        "aria-allowed-attr",
        r'<jp-button [^>]*aria-pressed="false"',
        "JupyterLab's toolbar buttons (jp-button, its UI toolkit) set aria-pressed on a"
        " button role that does not allow it",
    ),
    Upstream(
        "aria-input-field-name",
        r'class="cm-content"[^>]*role="textbox"',
        "CodeMirror's editor in every code cell: a textbox JupyterLab leaves unnamed",
    ),
    Upstream(
        "aria-input-field-name",
        r'class="noUi-handle[^"]*"[^>]*role="slider"',
        "ipywidgets' slider handle (noUiSlider) is not tied to the slider's description"
        " label, and ipywidgets offers no Python-side way to name it; the label is shown"
        " beside it, and the test above reaches and moves every slider by keyboard",
    ),
    Upstream(
        "aria-required-children",
        r'role="feed" aria-label="Cells"',
        "JupyterLab's notebook: its role=feed list of cells holds children that are not articles",
    ),
)


def _execute(path):
    nb = nbformat.read(path, as_version=4)
    # cwd: the notebook's folder, whose notebook 1 it loads (import_from_notebook).
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


@pytest.fixture(scope="module")
def rendered_notebook():
    """Notebook 2 with its solutions, executed, as nbconvert's HTML (its default template)."""
    html, _ = HTMLExporter().from_notebook_node(_execute(RENDERED))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "a11y-rendered-02_rnn_forward.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.browser
def test_rendered_notebook_passes_axe_and_describes_every_figure(browser, rendered_notebook):
    context = browser.new_context(offline=True)
    page = context.new_page()
    try:
        page.goto(rendered_notebook.as_uri())
        alts = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.alt)")
        assert len(alts) >= 3, alts  # the diagram and the two plots
        assert all(alt and GENERIC_ALT not in alt for alt in alts), alts
        page.screenshot(path=str(ARTIFACTS / "a11y-rendered-02.png"))
        left = violations(page, THEME)
    finally:
        context.close()
    assert not left, "axe, WCAG 2.2 A/AA:\n" + "\n".join(left)


def _focused_slider(page):
    """The rnn-explorer-* class of the slider whose handle has the focus, or None."""
    return page.evaluate(
        """() => { const a = document.activeElement;
                   if (!a || !a.classList.contains('noUi-handle')) return null;
                   const s = a.closest('[class*="rnn-explorer-"]');
                   return s ? [...s.classList].find(c => c.startsWith('rnn-explorer-')) : null; }"""
    )


@pytest.mark.browser
def test_explorer_is_keyboard_operable_and_passes_axe(lab):
    lab.open_notebook(EXPLORER)
    state = lab.run_all(EXPLORER)
    lab.assert_no_errors(EXPLORER, state)
    page = lab.page
    explorer = page.locator(".rnn-explorer").first
    expect(explorer).to_be_visible()
    plot = explorer.locator("img.rnn-explorer-plot")
    expect(plot).to_have_attribute("title", re.compile(r"gradient norms .* spectral radius"))
    explorer.scroll_into_view_if_needed()

    # Start just before the explorer, as a keyboard user arriving from the cell above, and
    # reach every slider with Tab alone.
    page.evaluate(
        "() => { const e = document.querySelector('.rnn-explorer'); e.tabIndex = -1; e.focus(); }"
    )
    for description in SLIDERS:
        wanted = "rnn-explorer-" + description.replace(" ", "-")
        for _ in range(12):
            page.keyboard.press("Tab")
            if _focused_slider(page) == wanted:
                break
        else:
            lab.fail(f"Tab never reached the {description} slider", "failure-a11y-tab.png")
        slider = explorer.locator(f".{wanted}")
        readout = slider.locator(".widget-readout")
        value, title = readout.inner_text(), plot.get_attribute("title")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        expect(readout, f"ArrowRight did not move {description}").not_to_have_text(value)
        # The plot is redrawn, and its text with it: the text names every curve's values.
        expect(plot, f"the plot's text did not follow {description}").not_to_have_attribute(
            "title", title, timeout=30_000
        )
        print(f"{description}: {value} -> {readout.inner_text()} by keyboard, plot redrawn")
    # The last key press may still be redrawing: screenshot the settled plot.
    lab._wait(EXPLORER, lab.kernel_idle, "an idle kernel", 30, "failure-a11y-idle.png")
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=plot.element_handle())
    page.wait_for_timeout(500)
    lab.screenshot("a11y-explorer-keyboard.png", explorer)

    left = violations(page, JUPYTERLAB)
    assert not left, "axe, WCAG 2.2 A/AA, the explorer in JupyterLab:\n" + "\n".join(left)
