"""Every figure says what it shows, and no curve is told apart by its colour alone.

The browser side (axe-core, the keyboard) is in tests/browser/test_accessibility.py and
tests/browser/test_feedback_page.py.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from nbformat.v4 import new_output
from test_feedback_template import notebook, render

from autograder.feedback.exporter import NO_DESCRIPTION
from helpers import plotting
from helpers.described import DescribedFigure
from helpers.explorer import GradientExplorer

COURSE = Path(__file__).resolve().parents[1] / "course" / "text"


def _history():
    return {"loss": list(np.geomspace(30, 0.05, 400)), "eval_step": [100, 200, 300, 400],
            "accuracy": [0.2, 0.7, 0.991, 0.996]}  # fmt: skip


def test_a_described_figure_carries_its_text_to_every_front_end():
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    bundle, metadata = DescribedFigure(fig, 'a line from 1 to 2 "rising"')._repr_mimebundle_()
    assert metadata == {"image/png": {"alt": 'a line from 1 to 2 "rising"'}}  # nbconvert
    assert 'alt="a line from 1 to 2 &quot;rising&quot;"' in bundle["text/html"]  # JupyterLab
    assert bundle["text/html"].count(bundle["image/png"]) == 1
    assert bundle["text/plain"] == 'a line from 1 to 2 "rising"'
    with pytest.raises(ValueError, match="alt text"):
        DescribedFigure(fig, "  ")


def test_the_course_plots_describe_their_data():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, (27, 4))
    probs = rng.dirichlet(np.ones(10), size=(27, 4))
    growth = plotting.plot_gradient_growth({"no clipping": np.arange(1, 151.0) ** 2})
    assert "from 1 at T = 1 to 2.25e+04 at T = 150" in growth.alt
    history = plotting.plot_history(_history())
    assert "from 30 at step 1 to 0.05 at step 400" in history.alt
    assert "first reaches the 99% target at step 300" in history.alt
    per_position = plotting.plot_accuracy_per_position(probs.argmax(-1), labels, 13)
    assert len(re.findall(r"\d+\.\d%", per_position.alt)) == 13 + 2  # every bar, min, mean
    heatmap = plotting.plot_predictions_heatmap(probs, labels)
    assert "target symbol circled" in heatmap.alt and "sequence 2:" in heatmap.alt


def test_no_curve_is_told_apart_by_its_colour_alone():
    styles = [plotting.curve_style(i) for i in range(len(plotting.PALETTE))]
    assert len({str(s["linestyle"]) for s in styles}) == len(styles)
    assert len({s["marker"] for s in styles}) == len(styles)
    gx = GradientExplorer(hidden_size=8, seq_len=10)
    looks = [(str(line.get_linestyle()), line.get_marker()) for line in gx.lines.values()]
    assert len(set(looks)) == len(looks), looks
    heatmap = plotting.plot_predictions_heatmap(np.full((5, 1, 4), 0.25), np.zeros((5, 1), int))
    assert "(blue)" not in heatmap.figure.axes[0].get_title()


def test_the_explorer_plot_is_named_and_follows_the_sliders():
    gx = GradientExplorer(hidden_size=8, seq_len=10)
    before = gx.image.tooltip
    assert re.search(r"spectral radius 1\.00.*from [\d.e+-]+ at k = 0", before), before
    gx.controls["rho"].value = 1.2
    assert "spectral radius 1.20" in gx.image.tooltip
    gx.controls["clip"].value = True
    assert "clipped to the threshold" in gx.image.tooltip
    # ipywidgets' view reads a description before it shows a tooltip (DescribedImage)
    assert gx.image.get_state()["description"] == ""


def test_a_feedback_page_shows_a_course_figure_with_its_own_text():
    fig = Figure()
    fig.add_subplot().plot([1, 2])
    data, metadata = DescribedFigure(fig, "a rising line")._repr_mimebundle_()
    nb = notebook(answer="def f(x):\n    return x\n")
    nb.cells[3].outputs = [new_output("display_data", data=data, metadata=metadata)]
    page, _ = render(nb)
    images = re.findall(r"<img[^>]*>", page)
    assert len(images) == 1 and 'alt="a rising line"' in images[0], images
    assert NO_DESCRIPTION not in page and "&lt;img" not in page


def test_the_course_shows_every_figure_with_its_text():
    """A pyplot figure shown by plt.show() or the inline backend has no text; a plot
    function's result left unshown (``;``) shows nothing at all."""
    for path in sorted(COURSE.glob("**/*.md")):
        text = path.read_text(encoding="utf-8")
        assert "plt.show()" not in text, f"{path.name}: show(fig, alt) instead of plt.show()"
        assert not re.search(r"^plot_\w+\(.*\);\s*$", text, re.M), path.name
        for figure in re.findall(r"!\[([^\]]*)\]\(figures/", text):
            assert len(figure.split()) >= 12, f"{path.name}: say what the diagram shows"
