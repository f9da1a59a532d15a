"""Diagrams for the notebooks, drawn with matplotlib and saved as SVG in source/rnn/figures.

python -m authoring.figures   (also run by python -m authoring.build)
"""

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from authoring import generated  # noqa: E402

OUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "source", "rnn", "figures"
)
BLUE, GREY, RED, GREEN = "#3b6ea8", "#555555", "#c0392b", "#2e8b57"


def _box(ax, x, y, text, color, w=0.9, h=0.55):
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04", fc="white", ec=color, lw=1.8
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=13, color=color)


def _arrow(ax, a, b, color, text="", offset=(0, 0), style="-|>", lw=1.6, rad=0.0):
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle=style,
            mutation_scale=14,
            color=color,
            lw=lw,
            connectionstyle=f"arc3,rad={rad}",
        )
    )
    if text:
        ax.text(
            (a[0] + b[0]) / 2 + offset[0],
            (a[1] + b[1]) / 2 + offset[1],
            text,
            fontsize=11,
            color=color,
            ha="center",
            va="center",
        )


def _canvas(width=10, height=3.6):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(-0.8, 9.3)
    ax.set_ylim(-0.5, 3.2)
    ax.axis("off")
    return fig, ax


def unrolled_rnn():
    """The recurrence unrolled over time: the same weights at every step."""
    fig, ax = _canvas()
    xs = [1.5, 4.0, 6.5]
    labels = ["1", "2", "3"]
    _box(ax, -0.2, 1.5, "$h_0 = 0$", GREY, w=0.95)
    for x, lab in zip(xs, labels, strict=True):
        _box(ax, x, 0.2, f"$x_{{{lab}}}$", GREY)
        _box(ax, x, 1.5, f"$h_{{{lab}}}$", BLUE)
        _box(ax, x, 2.8, f"$y_{{{lab}}}$", GREEN)
        _arrow(ax, (x, 0.5), (x, 1.2), GREY, "$W_{hx}$", (0.35, 0))
        _arrow(ax, (x, 1.8), (x, 2.5), GREEN, "$W$", (0.25, 0))
    for a, b in [(-0.2, xs[0]), (xs[0], xs[1]), (xs[1], xs[2]), (xs[2], 8.8)]:
        _arrow(ax, (a + 0.5, 1.5), (b - 0.48, 1.5), BLUE, "$W_{hh}$", (0, 0.22))
    ax.text(9.05, 1.5, "...", fontsize=16, color=BLUE, va="center")
    ax.text(
        4.0,
        -0.4,
        r"$h_t = f(W_{hx} x_t + W_{hh} h_{t-1} + b_h)$,  "
        r"$y_t = W h_t + b$  — the same weights at every step",
        ha="center",
        fontsize=11,
        color=GREY,
    )
    return fig


def bptt_flow():
    """Gradients flow down from every output and back through time."""
    fig, ax = _canvas()
    xs = [1.5, 4.0, 6.5]
    labels = ["t-1", "t", "t+1"]
    for x, lab in zip(xs, labels, strict=True):
        _box(ax, x, 0.2, f"$x_{{{lab}}}$", GREY)
        _box(ax, x, 1.5, f"$h_{{{lab}}}$", BLUE)
        _box(ax, x, 2.8, r"$\mathcal{L}_{" + lab + "}$", GREEN)
        _arrow(
            ax,
            (x, 2.5),
            (x, 1.8),
            RED,
            r"$\partial\mathcal{L}_{" + lab + r"}/\partial h$",
            (0.62, 0),
        )
        _arrow(ax, (x, 1.2), (x, 0.5), RED, r"$dx$", (0.25, 0))
    for a, b in [(8.8, xs[2]), (xs[2], xs[1]), (xs[1], xs[0]), (xs[0], -0.2)]:
        _arrow(ax, (a - 0.5, 1.5), (b + 0.48, 1.5), RED, r"$W_{hh}^\top \delta a$", (0, 0.24))
    ax.text(-0.45, 1.5, "...", fontsize=16, color=RED, va="center")
    ax.text(9.05, 1.5, "...", fontsize=16, color=RED, va="center")
    ax.text(
        4.0,
        -0.4,
        r"$\delta a_t = (\partial\mathcal{L}/\partial h_t + "
        r"W_{hh}^\top \delta a_{t+1}) \odot f'(a_t)$:  gradient from above plus "
        r"gradient from the future",
        ha="center",
        fontsize=11,
        color=GREY,
    )
    return fig


FIGURES = {"unrolled_rnn.svg": unrolled_rnn, "bptt_flow.svg": bptt_flow}


def build(out_dir=OUT):
    os.makedirs(out_dir, exist_ok=True)
    plt.rcParams["svg.hashsalt"] = "rnn-course"  # stable ids: identical files on rebuild
    paths = []
    for name, draw in FIGURES.items():
        fig = draw()
        path = os.path.join(out_dir, name)
        metadata = {"Date": None, "Description": generated.FIGURE}
        fig.savefig(path, format="svg", bbox_inches="tight", metadata=metadata)
        plt.close(fig)
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in build():
        print("wrote", p)
