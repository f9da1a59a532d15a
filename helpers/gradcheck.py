"""Numeric gradient checking by central differences (CS231n style).

The derivative of a scalar function f with respect to one entry p of a parameter is
estimated with a symmetric (central) difference, whose error shrinks like h^2:

    df/dp ~ (f(p + h) - f(p - h)) / (2h)

(by default with its five-point refinement, whose error shrinks like h^4; see
``numerical_gradient``)
and compared with the analytic gradient through the relative error

    rel_error(a, n) = max |a - n| / max(1e-8, |a| + |n|)      (elementwise, then max)

In float64 a correct backward pass gives relative errors around 1e-7 or smaller;
a wrong one gives errors near 1. ``GradCheckReport`` names the parameter and the
index of the worst mismatch, so you know where to look.

ReLU has a kink at 0: if a pre-activation lies within a few h of 0, the finite
difference straddles the kink and disagrees with any correct backward pass. Check
ReLU layers with inputs whose units are clearly on or clearly off.
"""

from dataclasses import dataclass

import numpy as np


def rel_error(a, b):
    """CS231n's relative error: max over entries of |a - b| / max(1e-8, |a| + |b|)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numerical_gradient(f, x, h=1e-3, order=4):
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``f`` takes no arguments and must read ``x``, which is perturbed in place, one entry
    at a time, and restored afterwards.

    order=2 is the textbook (f(x+h) - f(x-h)) / 2h, error ~h^2. order=4 (the default)
    is the five-point stencil (-f(x+2h) + 8f(x+h) - 8f(x-h) + f(x-2h)) / 12h, error
    ~h^4: it allows a larger h, so float64 round-off (~1e-16 * |f| / h) stays small
    enough for relative errors below 1e-6 even on 50-step sequences.

    Returns:
        An array of the same shape as ``x``.
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order!r}")

    def diff(idx, step):  # f(x + step) - f(x - step), differenced before any scaling
        old = x[idx]
        x[idx] = old + step
        f_plus = f()
        x[idx] = old - step
        f_minus = f()
        x[idx] = old
        return f_plus - f_minus

    grad = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        if order == 2:
            grad[idx] = diff(idx, h) / (2 * h)
        else:
            grad[idx] = (8 * diff(idx, h) - diff(idx, 2 * h)) / (12 * h)
    return grad


@dataclass
class ParamCheck:
    """Result for one parameter: its largest relative error and where it occurs."""

    name: str
    rel_error: float
    index: tuple
    analytic: float
    numeric: float


class GradCheckReport:
    """Per-parameter results of a gradient check.

    ``report.worst`` is the ParamCheck with the largest error; ``report.max_error``
    its value; ``report.assert_ok(tol)`` raises AssertionError naming the parameter
    and index if any error exceeds ``tol``. Printing shows a table.
    """

    def __init__(self, checks):
        self.checks = list(checks)

    @property
    def worst(self):
        return max(self.checks, key=lambda c: c.rel_error)

    @property
    def max_error(self):
        return self.worst.rel_error if self.checks else 0.0

    def __getitem__(self, name):
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def assert_ok(self, tol=1e-6):
        bad = [c for c in self.checks if not c.rel_error <= tol]
        if bad:
            lines = [
                f"{c.name}: relative error {c.rel_error:.2e} at index {c.index} "
                f"(analytic {c.analytic:.6g}, numeric {c.numeric:.6g})"
                for c in bad
            ]
            raise AssertionError(
                f"gradient check failed (tolerance {tol:.0e}):\n  " + "\n  ".join(lines)
            )

    def __str__(self):
        rows = [f"{'parameter':<14}{'max rel error':>15}  worst index"]
        for c in self.checks:
            flag = "" if c.rel_error <= 1e-6 else "   <-- check this one"
            rows.append(f"{c.name:<14}{c.rel_error:>15.2e}  {c.index}{flag}")
        return "\n".join(rows)

    __repr__ = __str__


def gradient_check(f, params, analytic, h=1e-3, order=4):
    """Compare analytic gradients with central differences.

    Args:
        f: function of no arguments returning the scalar loss; it must read the
            arrays in ``params``, which are perturbed in place.
        params: dict name -> parameter array.
        analytic: dict name -> analytic gradient array (same shapes).
        h, order: finite-difference step and stencil (see numerical_gradient).

    Returns:
        GradCheckReport.
    """
    checks = []
    for name, p in params.items():
        a = np.asarray(analytic[name], dtype=float)
        if a.shape != p.shape:
            raise ValueError(
                f"analytic gradient of {name} has shape {a.shape}, "
                f"the parameter has shape {p.shape}"
            )
        n = numerical_gradient(f, p, h, order)
        err = np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))
        idx = np.unravel_index(int(np.argmax(err)), err.shape) if err.size else ()
        checks.append(
            ParamCheck(
                name,
                float(err[idx]) if err.size else 0.0,
                tuple(int(i) for i in idx),
                float(a[idx]) if err.size else 0.0,
                float(n[idx]) if err.size else 0.0,
            )
        )
    return GradCheckReport(checks)


def check_layer_gradients(layer, x, dy=None, h=1e-3, order=4, rng=None):
    """Gradient check of one layer's ``backward`` for every parameter and the input.

    Uses the loss f = sum(layer.forward(x) * dy) with a fixed random ``dy``, whose
    gradient with respect to the output is exactly ``dy``: backward(dy) must then
    return df/dx and add df/dparam to the layer's gradients.

    Args:
        layer: an object with forward, backward, get_params and zero_grads.
        x: input batch, e.g. (T, N, D). dy: upstream gradient (random if None).

    Returns:
        GradCheckReport with one row per parameter and one for "x".
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    x = np.array(x, dtype=float)
    out = layer.forward(x)
    dy = rng.normal(size=out.shape) if dy is None else np.asarray(dy, dtype=float)
    layer.zero_grads()
    layer.forward(x)
    dx = layer.backward(dy)
    params = {name: p for p, _, name in layer.get_params()}
    analytic = {name: g.copy() for _, g, name in layer.get_params()}
    params["x"], analytic["x"] = x, dx

    def f():
        return float(np.sum(layer.forward(x) * dy))

    report = gradient_check(f, params, analytic, h, order)
    layer.forward(x)  # leave the layer's cache consistent with the unperturbed input
    return report
