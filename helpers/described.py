"""Figures that say what they show: a matplotlib Figure displayed with its alt text.

    from helpers.described import show
    show(fig, "Line plot of ... falling from 1.2 at t = 0 to 0.03 at t = 26")

A student who cannot see the plot gets its text: a screen reader reads it in JupyterLab,
in nbconvert's HTML and on the feedback pages. The output carries it three ways, because
each of them reads a different one:

- ``text/html``, an ``<img alt=...>``: what JupyterLab renders (its PNG renderer has no
  alt text, its HTML renderer keeps the attribute) and what nbconvert's HTML prefers;
- ``image/png`` with ``alt`` in its output metadata: what nbconvert's templates turn into
  the ``alt`` attribute when they show the PNG itself (the feedback pages, which clean
  every HTML output, prefer the PNG for that reason: autograder/feedback/exporter.py);
- ``text/plain``: the text alone, for a plain-text front end.

A plot that is redrawn in place (sliders) is a ``DescribedImage``, whose ``tooltip`` is its
text: ipywidgets puts it in the ``<img>``'s ``title``, the image's accessible name.
"""

import base64
import html
import io

import ipywidgets as widgets
from traitlets import Unicode

__all__ = ["DescribedFigure", "DescribedImage", "show"]


class DescribedFigure:
    """A Figure and its alt text; the last line of a cell displays it (``display`` too).

    Attributes:
        figure: the matplotlib Figure.  alt: what it shows, in words (non-empty).
    """

    def __init__(self, figure, alt, dpi=80):
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("a figure needs an alt text that says what it shows")
        self.figure = figure
        self.alt = " ".join(alt.split())
        self.dpi = dpi

    def png(self):
        buf = io.BytesIO()
        # bbox_inches="tight", as the inline backend saves: nothing cut off at the edges.
        self.figure.savefig(buf, format="png", dpi=self.dpi, bbox_inches="tight")
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.png()).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        bundle = {
            "image/png": data,
            "text/html": f'<img src="data:image/png;base64,{data}" alt="{alt}">',
            "text/plain": self.alt,
        }
        return bundle, {"image/png": {"alt": self.alt}}

    def __repr__(self):
        return f"<DescribedFigure: {self.alt}>"


def show(fig, alt, dpi=80):
    """Display ``fig`` with the alt text ``alt``, then close it.

    Closing matters for pyplot figures: the inline backend would otherwise show the same
    figure a second time, without its text, when the cell ends.
    """
    from IPython.display import display

    display(DescribedFigure(fig, alt, dpi))
    import matplotlib.pyplot as plt

    plt.close(fig)


class DescribedImage(widgets.Image):
    """An ipywidgets Image whose ``tooltip`` names it (the ``<img>``'s title) for a screen reader.

    ipywidgets 8's view reads the widget's ``description`` before it sets the title and fails
    on an Image, which has none ("Click to show javascript error"): an empty one is synced.
    """

    description = Unicode("").tag(sync=True)
