"""Plots used in the notebooks: training curves, gradient growth, per-position accuracy,
and predicted-vs-target heatmaps. Every function returns the matplotlib Figure."""

import matplotlib.pyplot as plt
import numpy as np


def plot_gradient_growth(
    curves, title="Mean absolute gradient against sequence length", ylabel="mean |gradient|"
):
    """Log-log plot of gradient size against sequence length.

    Args:
        curves: dict label -> 1-D array; entry k-1 belongs to sequence length k.
    """
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for label, values in curves.items():
        values = np.asarray(values, dtype=float)
        lengths = np.arange(1, len(values) + 1)
        ok = np.isfinite(values) & (values > 0)
        ax.loglog(lengths[ok], values[ok], label=label)
    ax.set_xlabel("sequence length T")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_history(history, target=0.99):
    """Loss per step (left) and accuracy after the delimiter (right) of a training run.

    Args:
        history: dict with "loss" (per step), "eval_step" and "accuracy", as returned by
            ``run_train_memory``.
    """
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    loss = np.asarray(history["loss"])
    ax1.plot(np.arange(1, len(loss) + 1), loss, alpha=0.35, label="batch loss")
    if len(loss) >= 20:
        k = max(len(loss) // 50, 5)
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax1.plot(np.arange(k, len(loss) + 1), smooth, label=f"mean of {k} steps")
    ax1.set_yscale("log")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("cross-entropy (sum over time)")
    ax1.legend()
    ax1.set_title("loss")
    ax2.plot(history["eval_step"], history["accuracy"], marker=".")
    ax2.axhline(target, color="grey", ls="--", lw=1, label=f"{target:.0%}")
    ax2.axhline(1 / 8, color="grey", ls=":", lw=1, label="chance (1/8)")
    ax2.set_ylim(0, 1.02)
    ax2.set_xlabel("training step")
    ax2.set_ylabel("accuracy after the delimiter")
    ax2.legend(loc="lower right")
    ax2.set_title("accuracy")
    fig.tight_layout()
    return fig


def plot_accuracy_per_position(predictions, labels, to_remember_len):
    """Bar chart of the accuracy at each of the L positions after the delimiter.

    Args:
        predictions: (T, N) predicted symbols. labels: (T, N) targets.
    """
    L = to_remember_len
    acc = np.mean(predictions[L + 1 :] == labels[L + 1 :], axis=1)
    fig, ax = plt.subplots(figsize=(6.4, 3))
    ax.bar(np.arange(1, L + 1), acc)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(np.arange(1, L + 1))
    ax.set_xlabel("position after the delimiter")
    ax.set_ylabel("accuracy")
    ax.set_title("Which symbols does the network remember?")
    fig.tight_layout()
    return fig


def plot_predictions_heatmap(probs, labels, n_sequences=3):
    """Predicted probability of every symbol at every step, with the targets marked.

    Args:
        probs: (T, N, V) predicted probabilities. labels: (T, N) targets.
        n_sequences: how many sequences of the batch to show.
    """
    n = min(n_sequences, probs.shape[1])
    T, _, V = probs.shape
    # Constrained layout with the legend outside, right of the plots: inside it would
    # cover cells of the first sequence.
    fig, axes = plt.subplots(n, 1, figsize=(8.8, 1.9 * n), squeeze=False, layout="constrained")
    for i, ax in enumerate(axes[:, 0]):
        ax.imshow(
            probs[:, i, :].T,
            aspect="auto",
            cmap="Blues",
            vmin=0,
            vmax=1,
            origin="lower",
            interpolation="nearest",
        )
        ax.scatter(np.arange(T), labels[:, i], marker="x", color="crimson", s=18, label="target")
        ax.set_ylabel(f"seq {i}\nsymbol")
        ax.set_yticks([0, V - 2, V - 1], ["0", "delim", "blank"])
    axes[-1, 0].set_xlabel("time step")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside right upper", fontsize="small")
    axes[0, 0].set_title("Predicted probabilities (blue) and targets (x)")
    return fig


def figure_png(fig, dpi=80):
    """Render a matplotlib Figure to PNG bytes (for an ipywidgets.Image that updates in place)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
