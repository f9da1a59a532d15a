"""The gradient explorer: watch gradients vanish or explode while you move sliders.

    from helpers.explorer import GradientExplorer
    GradientExplorer()                     # last line of a notebook cell shows it

A small basic RNN with recurrence (time-major shapes, as everywhere in the course)

    h_t = f(W_hx x_t + W_hh h_{t-1} + bh),   h_0 = 0,   f = tanh or ReLU
    x (T, N, D) one-hot symbols (D = V),  h (T, N, H),  W_hx (H, D),  W_hh (H, H)

reads random sequences, and a loss that looks at the LAST step only,

    L = (1/N) sum_n <u, h_T[n]>            u: a fixed random unit vector (H,)

is backpropagated through time. Every step back multiplies the hidden-state gradient by
W_hh^T and by the activation's slope:

    g_T = dL/dh_T = u / N (for every sequence),     g_{t-1} = (f'(a_t) * g_t) W_hh

so dh_T/dh_t = prod_k diag(f'(a_k)) W_hh and, where f' ~ 1, ||g_{T-k}|| ~ rho^k ||g_T||
with rho the spectral radius of W_hh. The plot shows the measured ||g_{T-k}|| next to
that prediction, and the norm of dL/dW_hh summed over the last k+1 steps only
(truncated BPTT), raw and clipped.

This module is NOT a solution to the exercises. It backpropagates only the hidden-state
gradient; of the weight gradients you derive in notebook 3 it needs just the *size* of
dL/dW_hh for this one special loss, so it keeps a running sum for its norm and never
returns a gradient. There is no loss function, no layer class and no general
backward() here.
"""

import functools
import io
import numbers

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import LogLocator, NullLocator

from helpers.described import DescribedImage
from helpers.plotting import PALETTE
from helpers.validation import require_activation, require_int

__all__ = ["GradientExplorer", "measure"]

ACTIVATIONS = {"tanh": "tanh", "relu (identity init)": "relu"}  # dropdown label -> name


def _require_positive(value, name, allow_zero=False):
    """Return ``value`` as a float, or raise ValueError unless it is a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}")
    return float(value)


def _stream(seed, stream):
    """A Generator for one independent random stream of ``seed``.

    Weights, inputs and the readout vector each draw from their own stream, so moving one
    slider (say, the sequence length) leaves every other random quantity unchanged.
    """
    return np.random.default_rng([seed, stream])


@functools.lru_cache(maxsize=8)
def _recurrent_basis(hidden_size, activation, seed):
    """W_hh / rho: the part of W_hh that does not depend on rho.

    tanh: a random orthogonal Q (QR of a Gaussian); relu: the identity (Le et al. 2015's
    IRNN initialisation). Both have every eigenvalue of modulus 1 by construction, so
    W_hh = rho * basis has spectral radius rho exactly (tests/test_explorer.py checks it
    against the eigenvalues); nothing here computes a spectral radius (notebook 4 asks
    you to). Cached (read-only) because the QR costs as much as a forward+backward pass.

    Returns:
        basis (H, H) read-only.
    """
    H = hidden_size
    if activation == "tanh":
        basis, _ = np.linalg.qr(_stream(seed, 1).normal(size=(H, H)))
    else:
        basis = np.eye(H)
    basis.flags.writeable = False
    return basis


def _weights(hidden_size, vocab_size, rho, activation, seed, input_scale=1.0):
    """The RNN's weights: W_hx (H, D) Glorot normal (times input_scale), W_hh (H, H) = rho B.

    Returns:
        W_hx (H, V), W_hh (H, H), rho_actual: float, the spectral radius of W_hh.
    """
    H, D = hidden_size, vocab_size
    W_hx = input_scale * _stream(seed, 0).normal(0.0, np.sqrt(2.0 / (D + H)), size=(H, D))
    return W_hx, rho * _recurrent_basis(H, activation, seed), float(rho)


def _symbols(seq_len, batch_size, vocab_size, seed):
    """Random input symbols (T, N) in 0..V-1; x_t is their one-hot encoding."""
    return _stream(seed, 2).integers(0, vocab_size, size=(seq_len, batch_size))


def _readout(hidden_size, seed):
    """The fixed random unit vector u (H,) of the loss L = mean_n <u, h_T[n]>."""
    u = _stream(seed, 3).normal(size=hidden_size)
    return u / np.linalg.norm(u)


def _clip(norms, threshold):
    """What clip-by-norm does to a gradient's size: min(norm, threshold), elementwise."""
    return np.minimum(norms, threshold)


def measure(
    hidden_size,
    seq_len,
    vocab_size,
    rho,
    activation,
    threshold=None,
    seed=0,
    batch_size=4,
    *,
    input_scale=1.0,
    bias=0.0,
):
    """One forward and one backward pass; the gradient norms at every step back in time.

    Args:
        hidden_size: H >= 1. seq_len: T >= 2. vocab_size: V = D >= 2.
        rho: spectral radius of W_hh (> 0): W_hh = rho * Q (tanh) or rho * I (relu).
        activation: 'tanh' or 'relu'.
        threshold: clip threshold (> 0) for the W_hh-gradient norm, or None for no clipping.
        seed: int >= 0; the same arguments and seed give exactly the same numbers.
        batch_size: N >= 1 random sequences.
        input_scale: multiplies W_hx (>= 0). A tiny scale keeps tanh in its linear
            regime (h ~ 0, so f' ~ 1).
        bias: the constant bh added to every pre-activation. A positive bias larger than
            every |W_hx| entry keeps every ReLU unit active, so f' = 1 exactly.

    Returns:
        dict of
            steps (T,) int: k = 0..T-1, time steps back from the last step.
            hidden_grad_norm (T,): ||dL/dh_{T-k}|| (Frobenius norm over the batch).
            predicted (T,): rho^k * ||dL/dh_T||, the linear-regime prediction.
            param_grad_norm (T,): ||dL/dW_hh|| summed over steps T, ..., T-k only
                (truncated BPTT; k = T-1 is the full gradient).
            param_grad_norm_clipped (T,) or None: min(param_grad_norm, threshold).
            rho: float, the spectral radius of W_hh, computed from its eigenvalues.
            loss: float, L.   threshold: as given.
        Values may be 0 (a ReLU path switched off) or, far outside the sliders' ranges,
        inf; measure() never warns about it.
    """
    H = require_int(hidden_size, "hidden_size", 1)
    T = require_int(seq_len, "seq_len", 2)
    V = require_int(vocab_size, "vocab_size", 2)
    N = require_int(batch_size, "batch_size", 1)
    seed = require_int(seed, "seed", 0)
    rho = _require_positive(rho, "rho")
    activation = require_activation(activation)
    if threshold is not None:
        threshold = _require_positive(threshold, "threshold")
    input_scale = _require_positive(input_scale, "input_scale", allow_zero=True)
    if isinstance(bias, bool) or not isinstance(bias, numbers.Real) or not np.isfinite(bias):
        raise ValueError(f"bias must be a finite number, got {bias!r}")

    W_hx, W_hh, rho_actual = _weights(H, V, rho, activation, seed, input_scale)
    u = _readout(H, seed)
    # x_t is one-hot, so W_hx x_t just picks column s_t of W_hx: (T, N) -> (T, N, H).
    a_in = W_hx.T[_symbols(T, N, V, seed)] + bias

    # Exploding runs may overflow far outside the sliders' ranges; that is the lesson,
    # not an error, so numpy must not warn.
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        # Forward. hs[0] = h_0 = 0, hs[t] = h_t.
        hs = np.zeros((T + 1, N, H))
        for t in range(1, T + 1):
            a = a_in[t - 1] + hs[t - 1] @ W_hh.T
            hs[t] = np.tanh(a) if activation == "tanh" else np.maximum(a, 0.0)
        loss = float(np.mean(hs[T] @ u))
        # f'(a_t) written with the output h_t: tanh' = 1 - h_t^2, relu' = [h_t > 0].
        fprime = 1.0 - hs[1:] ** 2 if activation == "tanh" else (hs[1:] > 0).astype(float)

        # Backward: only the hidden-state gradient g_t = dL/dh_t travels back in time.
        hidden_grad_norm = np.empty(T)
        param_grad_norm = np.empty(T)
        g = np.tile(u / N, (N, 1))  # g_T (N, H): every sequence's h_T gets u / N
        dW_hh = np.zeros((H, H))  # only its norm is kept
        for k in range(T):
            t = T - k
            hidden_grad_norm[k] = np.linalg.norm(g)
            da = fprime[t - 1] * g  # dL/da_t (N, H)
            dW_hh += da.T @ hs[t - 1]  # step t's share: the first k+1 steps back so far
            param_grad_norm[k] = np.linalg.norm(dW_hh)
            g = da @ W_hh  # g_{t-1} = W_hh^T (f'(a_t) * g_t), one row per sequence

        steps = np.arange(T)
        predicted = rho_actual**steps * hidden_grad_norm[0]

    return {
        "steps": steps,
        "hidden_grad_norm": hidden_grad_norm,
        "predicted": predicted,
        "param_grad_norm": param_grad_norm,
        "param_grad_norm_clipped": None if threshold is None else _clip(param_grad_norm, threshold),
        "rho": rho_actual,
        "loss": loss,
        "threshold": threshold,
    }


def _log_safe(values, floor, ceiling):
    """``values`` made drawable on a log axis: 0 and below -> floor, inf and nan -> ceiling."""
    values = np.asarray(values, dtype=float)
    values = np.where(np.isnan(values), ceiling, values)
    return np.clip(values, floor, ceiling)


def describe(m, activation):
    """What the explorer's plot of measurement ``m`` shows, in words (its alt text)."""
    T = len(m["steps"])

    def span(values):
        return f"from {values[0]:.3g} at k = 0 to {values[-1]:.3g} at k = {T - 1}"

    text = (
        f"Log-scale plot of gradient norms against k, the steps back from the last of {T} "
        f"steps; {activation} activation, spectral radius {m['rho']:.2f}. Measured hidden-state "
        f"gradient (solid line) {span(m['hidden_grad_norm'])}; prediction rho^k (dashed) "
        f"{span(m['predicted'])}; W_hh gradient over the first k steps back (dash-dot, "
        f"squares) {span(m['param_grad_norm'])}"
    )
    if m["param_grad_norm_clipped"] is not None:
        text += (
            f"; clipped to the threshold {m['threshold']:.3g} (dotted, diamonds) "
            f"{span(m['param_grad_norm_clipped'])}"
        )
    return text + "."


class GradientExplorer:
    """Sliders for the RNN's sizes and spectral radius, and one plot of the gradient norms.

    Args: as ``measure`` (activation 'tanh' or 'relu'; clip: whether clipping is on;
    input_scale: the initial value of the "input scale" slider, > 0).

    Attributes:
        widget: the container to display (CSS class "rnn-explorer").
        image: the ipywidgets.Image holding the plot as PNG ("rnn-explorer-plot").
        controls: dict name -> control widget ("hidden_size", "seq_len", "vocab_size",
            "rho", "threshold", "activation", "clip").
        last: the last measurement (the dict of ``measure``), clipped as shown.
    """

    def __init__(
        self,
        hidden_size=64,
        seq_len=100,
        vocab_size=10,
        rho=1.0,
        activation="tanh",
        clip=False,
        threshold=5.0,
        seed=0,
        input_scale=1.0,
    ):
        # Fail here, with measure()'s messages, rather than in a slider callback.
        require_int(seq_len, "seq_len", 2)
        measure(
            hidden_size,
            2,
            vocab_size,
            rho,
            activation,
            threshold,
            seed,
            batch_size=1,
            input_scale=input_scale,
        )
        if input_scale <= 0:
            raise ValueError(f"input_scale must be > 0 for the slider, got {input_scale}")
        self.seed = seed
        self.last = None
        self._raw = None  # the last unclipped measurement; clipping alone reuses it

        # The heavy sliders update on release only: every new hidden size costs a QR and a
        # spectral radius, and at the top of the ranges (H = 512, T = 400) one measurement
        # takes ~0.25 s. rho, vocabulary and threshold moves redraw in ~40 ms at the default
        # sizes and ~65 ms at H = 256, T = 200 (bench/explorer.py), so they
        # follow the mouse.
        style = {"description_width": "115px"}
        layout = widgets.Layout(width="380px")

        def int_slider(description, value, lo, hi, continuous):
            return widgets.IntSlider(
                value=value,
                min=min(lo, value),
                max=max(hi, value),
                description=description,
                continuous_update=continuous,
                style=style,
                layout=layout,
            )

        self.controls = {
            "hidden_size": int_slider("hidden size", hidden_size, 4, 512, False),
            "seq_len": int_slider("sequence length", seq_len, 2, 400, False),
            "vocab_size": int_slider("vocabulary size", vocab_size, 3, 50, True),
            "rho": widgets.FloatSlider(
                value=rho,
                min=min(0.5, rho),
                max=max(1.5, rho),
                step=0.01,
                description="spectral radius",
                continuous_update=True,
                style=style,
                layout=layout,
            ),
            "threshold": widgets.FloatLogSlider(
                value=threshold,
                base=10,
                min=min(-1.0, np.log10(threshold)),
                max=max(2.0, np.log10(threshold)),
                step=0.01,
                description="clip threshold",
                continuous_update=True,
                style=style,
                layout=layout,
            ),
            "activation": widgets.Dropdown(
                options=list(ACTIVATIONS.items()),
                value=activation,
                description="activation",
                style=style,
                layout=layout,
            ),
            "clip": widgets.Checkbox(value=clip, description="clipping", indent=False),
            # Tiny inputs keep tanh in its linear regime, where the measurement follows
            # the rho^k prediction; at 1 the states saturate and the gradient vanishes.
            "input_scale": widgets.FloatLogSlider(
                value=input_scale,
                base=10,
                min=min(-3.0, np.log10(input_scale)),
                max=max(0.5, np.log10(input_scale)),
                step=0.05,
                description="input scale",
                continuous_update=True,
                style=style,
                layout=layout,
            ),
        }
        for name, control in self.controls.items():
            control.add_class("rnn-explorer-" + control.description.replace(" ", "-"))
            heavy = name not in ("threshold", "clip")
            control.observe(self._on_change if heavy else self._on_clip_change, names="value")

        self._build_figure()
        self.image = DescribedImage(format="png")
        self.image.add_class("rnn-explorer-plot")
        c = self.controls
        self.widget = widgets.VBox(
            [
                widgets.HBox(
                    [
                        widgets.VBox([c["hidden_size"], c["seq_len"], c["vocab_size"], c["rho"]]),
                        widgets.VBox(
                            [c["activation"], c["input_scale"], c["clip"], c["threshold"]]
                        ),
                    ]
                ),
                self.image,
            ]
        )
        self.widget.add_class("rnn-explorer")
        self.update()

    # --- the plot -------------------------------------------------------------------------

    def _build_figure(self):
        """Create the one figure and the lines that every update moves (no pyplot)."""
        # Fixed margins and a legend beside the axes: constrained layout and loc="best"
        # would double the render time, and a plot that moves its frame looks jumpy.
        self.figure = Figure(figsize=(7.6, 3.6), dpi=72)
        self.figure.subplots_adjust(left=0.09, right=0.64, bottom=0.14, top=0.9)
        self.canvas = FigureCanvasAgg(self.figure)
        ax = self.ax = self.figure.add_subplot()
        ax.set_yscale("log")
        # At most ~8 labelled decades and no minor ticks: tick labels are what Agg spends
        # its time on, and the y range can span a hundred decades.
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=8))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel("k, time steps back from the last step")
        ax.set_ylabel("gradient norm")
        ax.grid(True, which="major", alpha=0.3)
        # Okabe-Ito colours, and a line style (and marker) of its own for every curve:
        # no curve is told apart by its colour alone.
        self.lines = {
            "hidden": ax.plot(
                [], [], "-", color=PALETTE[0], lw=2.5,
                label=r"measured $\|\partial L/\partial h_{T-k}\|$ (solid)",
            )[0],
            "predicted": ax.plot(
                [], [], "--", color="black", lw=1.2,
                label=r"prediction $\rho^k\,\|\partial L/\partial h_T\|$ (dashed)",
            )[0],
            "param": ax.plot(
                [], [], "-.", color=PALETTE[1], lw=1.5, marker="s", markersize=4,
                markevery=0.1, label=r"$\|\partial L/\partial W_{hh}\|$, first $k$ steps back",
            )[0],
            "clipped": ax.plot(
                [], [], ":", color=PALETTE[3], lw=2, marker="D", markersize=4,
                markevery=(0.05, 0.1), label="... clipped to the threshold",
            )[0],
            "threshold": ax.axhline(
                1.0, color="k", ls=":", lw=1.2, zorder=3, label="clip threshold"
            ),
        }  # fmt: skip

    def _draw(self, m):
        """Move the lines to measurement ``m``, rescale and render into the Image widget."""
        clipping = m["param_grad_norm_clipped"] is not None
        shown = [m["hidden_grad_norm"], m["predicted"], m["param_grad_norm"]]
        if clipping:
            shown.append(np.array([m["threshold"]]))
        # Axis range from the finite positive values; zeros are drawn just below it (the
        # line drops off the bottom) and inf/nan just above it, so log scale never fails.
        allv = np.concatenate(shown)
        ok = allv[np.isfinite(allv) & (allv > 0)]
        lo, hi = (ok.min(), ok.max()) if ok.size else (1e-3, 1e3)
        lo, hi = max(lo, 1e-300), min(hi, 1e300)
        if hi / lo < 100:  # keep at least two decades so a flat line looks flat
            mid = np.sqrt(lo * hi)
            lo, hi = mid / 10, mid * 10
        floor, ceiling = lo / 10, hi * 10

        k = m["steps"]
        for name, key in (
            ("hidden", "hidden_grad_norm"),
            ("predicted", "predicted"),
            ("param", "param_grad_norm"),
        ):
            self.lines[name].set_data(k, _log_safe(m[key], floor, ceiling))
        self.lines["clipped"].set_visible(clipping)
        self.lines["threshold"].set_visible(clipping)
        if clipping:
            self.lines["clipped"].set_data(
                k, _log_safe(m["param_grad_norm_clipped"], floor, ceiling)
            )
            self.lines["threshold"].set_ydata([m["threshold"]] * 2)

        ax = self.ax
        ax.set_xlim(0, max(k[-1], 1))
        ax.set_ylim(lo / 3, hi * 3)
        visible = [line for line in self.lines.values() if line.get_visible()]
        ax.legend(handles=visible, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)
        act = "tanh" if self.controls["activation"].value == "tanh" else r"ReLU, $W_{hh} = \rho I$"
        ax.set_title(
            rf"spectral radius $\rho(W_{{hh}})$ = {m['rho']:.2f},  activation: {act}", fontsize=10
        )

        # The plot's text for a screen reader (helpers/described.py), redrawn with it.
        self.image.tooltip = describe(m, self.controls["activation"].value)
        buf = io.BytesIO()
        # zlib level 1: a third of the default's encoding time, and no bigger for line art.
        self.canvas.print_png(buf, pil_kwargs={"compress_level": 1})
        self.image.value = buf.getvalue()

    # --- updates ----------------------------------------------------------------------------

    def _settings(self):
        c = self.controls
        return dict(
            hidden_size=c["hidden_size"].value,
            seq_len=c["seq_len"].value,
            vocab_size=c["vocab_size"].value,
            rho=c["rho"].value,
            activation=c["activation"].value,
            seed=self.seed,
            input_scale=c["input_scale"].value,
        )

    def _clipped(self, raw):
        """``raw`` with the clipping of the controls applied (a new dict)."""
        m = dict(raw)
        on = self.controls["clip"].value
        m["threshold"] = float(self.controls["threshold"].value) if on else None
        m["param_grad_norm_clipped"] = _clip(raw["param_grad_norm"], m["threshold"]) if on else None
        return m

    def update(self):
        """Measure again with the controls' values and redraw the plot."""
        self._raw = measure(**self._settings())
        self.last = self._clipped(self._raw)
        self._draw(self.last)

    def _on_change(self, change):
        self.update()

    def _on_clip_change(self, change):
        # Clipping only caps the norms already measured: no new forward/backward pass.
        self.last = self._clipped(self._raw)
        self._draw(self.last)

    # --- display ----------------------------------------------------------------------------

    def display(self):
        """Show the explorer in the notebook (same as ending a cell with the explorer)."""
        from IPython.display import display

        display(self.widget)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
