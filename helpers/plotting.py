"""Plots used in the notebooks: training curves, gradient growth, per-position accuracy,
and predicted-vs-target heatmaps.

Every function returns a ``DescribedFigure`` (helpers/described.py): the matplotlib Figure
(``.figure``) and an alt text computed from the data it shows (``.alt``); the last line of
a cell displays it. Curves differ in colour (Okabe and Ito's palette, distinguishable with
every common colour-vision deficiency) *and* in line style and marker, so that no meaning
depends on colour alone.
"""

import numpy as np

from helpers.described import DescribedFigure

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion,
# reddish purple, sky blue. Each comes with its own line style and marker.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 3)))
MARKERS = ("o", "s", "^", "D", "v", "P")
# ... and their names, for alt texts and prose.
COLOUR_NAMES = ("blue", "orange", "green", "vermillion", "purple", "sky-blue")
LINESTYLE_NAMES = ("solid", "dashed", "dash-dot", "dotted", "dense dash-dot", "sparse dotted")
MARKER_NAMES = ("circles", "squares", "triangles", "diamonds", "down triangles", "plus signs")


def curve_style(i):
    """Colour, line style and marker of the i-th curve of a plot (matplotlib kwargs)."""
    i %= len(PALETTE)
    return {"color": PALETTE[i], "linestyle": LINESTYLES[i], "marker": MARKERS[i]}


def style_words(i, linestyle=True):
    """How the i-th curve of ``curve_style`` looks, in words: "dashed orange line, squares"
    (without ``linestyle``: "orange, squares")."""
    i %= len(PALETTE)
    if linestyle:
        return f"{LINESTYLE_NAMES[i]} {COLOUR_NAMES[i]} line, {MARKER_NAMES[i]}"
    return f"{COLOUR_NAMES[i]}, {MARKER_NAMES[i]}"


def _figure(**kwargs):
    """A new matplotlib Figure.

    matplotlib is imported here, when a plot is drawn, not when this module is: every
    notebook from 5 on imports this module in its first cell (notebooks 6 and 7 through
    the notebooks they load), and grading runs no cell after a notebook's last test, so
    its kernels draw nothing; importing matplotlib cost each of them 0.4 CPU-s, measured.
    """
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _first_last(values, lengths):
    ok = np.isfinite(values) & (values > 0)
    if not ok.any():
        return "no positive value"
    first, last = np.flatnonzero(ok)[[0, -1]]
    return (
        f"{values[first]:.3g} at T = {lengths[first]} to {values[last]:.3g} at T = {lengths[last]}"
    )


def plot_gradient_growth(
    curves, title="Mean absolute gradient against sequence length", ylabel="mean |gradient|"
):
    """Log-log plot of gradient size against sequence length.

    Args:
        curves: dict label -> 1-D array; entry k-1 belongs to sequence length k.
    """
    fig = _figure(figsize=(6.4, 4))
    ax = fig.add_subplot()
    described = []
    for i, (label, values) in enumerate(curves.items()):
        values = np.asarray(values, dtype=float)
        lengths = np.arange(1, len(values) + 1)
        ok = np.isfinite(values) & (values > 0)
        style = curve_style(i)
        ax.loglog(lengths[ok], values[ok], label=label, markevery=0.1, markersize=5, **style)
        described.append(f"{label} ({style_words(i)}): from {_first_last(values, lengths)}")
    ax.set_xlabel("sequence length T")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    alt = f"{title}, log-log axes, {ylabel} against sequence length T. " + "; ".join(described)
    return DescribedFigure(fig, alt + ".")


def plot_history(history, target=0.99):
    """Loss per step (left) and accuracy after the delimiter (right) of a training run.

    Args:
        history: dict with "loss" (per step), "eval_step" and "accuracy", as returned by
            ``run_train_memory``.
    """
    fig = _figure(figsize=(10, 3.6))
    ax1, ax2 = fig.subplots(1, 2)
    loss = np.asarray(history["loss"])
    ax1.plot(np.arange(1, len(loss) + 1), loss, color=PALETTE[5], lw=0.8, label="batch loss")
    if len(loss) >= 20:
        k = max(len(loss) // 50, 5)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax1.plot(
            np.arange(k, len(loss) + 1), smooth, color=PALETTE[0], ls="--", lw=2,
            label=f"mean of {k} steps (dashed)",
        )  # fmt: skip
    ax1.set_yscale("log")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("cross-entropy (sum over time)")
    ax1.legend()
    ax1.set_title("loss")
    steps, acc = np.asarray(history["eval_step"]), np.asarray(history["accuracy"])
    ax2.plot(steps, acc, marker="o", markersize=3, color=PALETTE[0], label="accuracy")
    ax2.axhline(target, color="black", ls="--", lw=1, label=f"target {target:.0%} (dashed)")
    ax2.axhline(1 / 8, color="black", ls=":", lw=1, label="chance 1/8 (dotted)")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("training step")
    ax2.set_ylabel("accuracy after the delimiter")
    ax2.legend(loc="lower right")
    ax2.set_title("accuracy")
    fig.tight_layout()

    alt = "Two panels of one training run. Left, the loss per step on a log scale"
    if len(loss):
        alt += f": from {loss[0]:.3g} at step 1 to {loss[-1]:.3g} at step {len(loss)}"
    alt += ". Right, the accuracy after the delimiter"
    if len(acc):
        reached = np.flatnonzero(acc >= target)
        alt += (
            f", measured {len(acc)} times: from {acc[0]:.1%} at step {steps[0]} to"
            f" {acc[-1]:.1%} at step {steps[-1]}; "
            + (
                f"it first reaches the {target:.0%} target at step {steps[reached[0]]}"
                if reached.size
                else f"it never reaches the {target:.0%} target"
            )
        )
    return DescribedFigure(fig, alt + ". Chance level is 1/8.")


def plot_accuracy_per_position(predictions, labels, to_remember_len):
    """Bar chart of the accuracy at each of the L positions after the delimiter.

    Args:
        predictions: (T, N) predicted symbols. labels: (T, N) targets.
    """
    L = to_remember_len
    acc = np.mean(predictions[L + 1 :] == labels[L + 1 :], axis=1)
    fig = _figure(figsize=(6.4, 3))
    ax = fig.add_subplot()
    positions = np.arange(1, L + 1)
    bars = ax.bar(positions, acc, color=PALETTE[0])
    # The value on every bar: a difference of a few per cent is invisible as a height.
    ax.bar_label(bars, [f"{a:.0%}" for a in acc], fontsize=7)
    ax.set_ylim(0, 1.12)
    ax.set_xticks(positions)
    ax.set_xlabel("position after the delimiter")
    ax.set_ylabel("accuracy")
    ax.set_title("Which symbols does the network remember?")
    fig.tight_layout()
    values = ", ".join(f"{a:.1%}" for a in acc)
    alt = (
        f"Bar chart of the accuracy at each of the {L} positions after the delimiter, "
        f"positions 1 to {L}: {values}. Lowest {acc.min():.1%} at position "
        f"{positions[np.argmin(acc)]}, mean {acc.mean():.1%}."
    )
    return DescribedFigure(fig, alt)


def plot_predictions_heatmap(probs, labels, n_sequences=3):
    """Predicted probability of every symbol at every step, with the targets marked.

    Args:
        probs: (T, N, V) predicted probabilities. labels: (T, N) targets.
        n_sequences: how many sequences of the batch to show.
    """
    from matplotlib.patheffects import withStroke

    n = min(n_sequences, probs.shape[1])
    T, _, V = probs.shape
    # Constrained layout with the legend and the colour bar outside, right of the plots:
    # inside they would cover cells of the first sequence.
    fig = _figure(figsize=(8.8, 1.9 * n), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)
    for i, ax in enumerate(axes[:, 0]):
        # viridis: its lightness rises with the value, so it reads in grey and to every
        # colour-vision deficiency; the colour bar gives the numbers.
        image = ax.imshow(
            probs[:, i, :].T,
            aspect="auto",
            cmap="viridis",
            vmin=0,
            vmax=1,
            origin="lower",
            interpolation="nearest",
        )
        # Black rings with a white halo: visible on the darkest and the lightest cell.
        ax.scatter(
            np.arange(T), labels[:, i], marker="o", facecolors="none", edgecolors="black",
            linewidths=1.2, s=24, label="target (circle)",
            path_effects=[withStroke(linewidth=2.6, foreground="white")],
        )  # fmt: skip
        ax.set_ylabel(f"seq {i}\nsymbol")
        ax.set_yticks([0, V - 2, V - 1], ["0", "delim", "blank"])
    axes[-1, 0].set_xlabel("time step")
    fig.colorbar(image, ax=axes[:, 0], label="predicted probability", shrink=0.9)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside right upper", fontsize="small")
    axes[0, 0].set_title("Predicted probability (colour scale: light = high) and targets (circles)")

    predicted = probs[:, :n].argmax(-1)
    hits = [int(np.sum(predicted[:, i] == labels[:, i])) for i in range(n)]
    on_target = np.take_along_axis(probs[:, :n], labels[:, :n, None], axis=-1)[..., 0]
    alt = (
        f"Heatmaps of {n} sequences: the predicted probability of each of the {V} symbols "
        f"(rows) at each of the {T} time steps (columns), with the target symbol circled. "
        + "; ".join(
            f"sequence {i}: the most probable symbol is the target at {h} of {T} steps"
            for i, h in enumerate(hits)
        )  # fmt: skip
        + f". The probability given to the target is {on_target.mean():.1%} on average, "
        f"{on_target.min():.1%} at least."
    )
    return DescribedFigure(fig, alt)


def figure_png(fig, dpi=80):
    """Render a matplotlib Figure to PNG bytes (for an ipywidgets.Image that updates in place)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
