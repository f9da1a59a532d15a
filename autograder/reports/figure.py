"""summary.png: the score histogram (integer axes) and every exercise's passed / failed /
not attempted counts, in course order, readable at a glance."""

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from . import stats  # noqa: E402

COLORS = {stats.PASSED: "#2e8b57", stats.FAILED: "#c0392b", stats.NOT_ATTEMPTED: "#b8b8b8"}


def _histogram(ax, results, top):
    totals = [r.get("total", 0) or 0 for r in results]
    ax.hist(totals, bins=[b - 0.5 for b in range(int(top) + 2)], color="#3b6ea8", edgecolor="white")
    # A margin beyond the outermost bins: the bar of full marks is drawn whole, not against
    # (and under) the frame.
    ax.set_xlim(-1.5, top + 1.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(f"score (out of {top:g})")
    ax.set_ylabel("students")
    ax.set_title(f"Scores of {len(results)} student(s)")


def _exercises(ax, exercises):
    labels = [f"{e.notebook[:2]}  {e.title}" for e in exercises]
    y = range(len(exercises))
    left = [0] * len(exercises)
    for kind, color in COLORS.items():
        counts = [e.counts[kind] for e in exercises]
        bars = ax.barh(y, counts, left=left, color=color, label=kind)
        ax.bar_label(bars, labels=[str(c) if c else "" for c in counts], label_type="center")
        left = [a + b for a, b in zip(left, counts, strict=True)]
    ax.set_yticks(list(y), labels, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("students")
    ax.set_title("Exercises, in course order")
    ax.legend(loc="lower right", fontsize=8, ncols=3, bbox_to_anchor=(1, 1.06), frameon=False)


def figure(results):
    exercises = stats.exercise_stats(results)
    fig = Figure(figsize=(12, max(4.5, 0.32 * len(exercises) + 1.5)))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.5]})
    _histogram(ax1, results, stats.max_points(results))
    _exercises(ax2, exercises)
    fig.tight_layout()
    return fig
