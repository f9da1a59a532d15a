"""Case builders shared by the visible and the hidden cases of every exercise.

Every builder takes ``r``, the numpy Generator it draws from: ``rng(seed)`` for the
visible cases (fixed), a per-student seed for the hidden ones. The dicts they return are
the inputs the runners of ``helpers.checks`` expect (their keys are the runners'
contract: "W", "x", "dy" for a linear layer, "g0_P" for gradient holders, ...).
"""

import numpy as np

from helpers.checks.core import Case

__all__ = [
    "Case",
    "bptt_inputs",
    "cell_inputs",
    "gradient_holders",
    "layer_params",
    "linear_inputs",
    "probabilities",
    "rng",
    "scripted_net",
    "sequences",
]


def rng(seed):
    """The Generator a case builder draws from (one meaning: cases, nothing else)."""
    return np.random.default_rng(seed)


def probabilities(r, T, N, V, spread=1.0):
    """Random distributions (T, N, V), every probability >= 1e-4: a correct implementation
    that adds a tiny epsilon inside the log (1e-12) must agree to within the tolerance."""
    e = np.exp(r.normal(0, spread, size=(T, N, V)))
    return 0.999 * e / e.sum(-1, keepdims=True) + 0.001 / V


def linear_inputs(r, T, N, n_in, n_out, scale=1.0, accumulate=False):
    """A LinearLayer case: W (n_out, n_in), b, x (T, N, n_in), dy (T, N, n_out) and, to
    test accumulation, gradients dW0, db0 already in the layer."""
    inputs = {
        "W": r.normal(0, scale, (n_out, n_in)),
        "b": r.normal(0, scale, n_out),
        "x": r.normal(size=(T, N, n_in)),
        "dy": r.normal(size=(T, N, n_out)),
    }
    if accumulate:
        inputs.update(dW0=r.normal(size=(n_out, n_in)), db0=r.normal(size=n_out))
    return inputs


def layer_params(r, grad_scale_a, grad_scale_b, shape_a=(2, 3), shape_b=(4,)):
    """Parameters A, B of a probe layer and their gradients dA, dB at the given scales."""
    return {
        "A": r.normal(size=shape_a),
        "B": r.normal(size=shape_b),
        "dA": r.normal(size=shape_a) * grad_scale_a,
        "dB": r.normal(size=shape_b) * grad_scale_b,
    }


def cell_inputs(r, T, N, D, H, activation, scale=0.5):
    """A BasicRNNCell case: W_hx (H, D), W_hh (H, H), bh (H,) drawn at ``scale``, the
    activation and inputs x (T, N, D).

    For ReLU the bias is +-0.8, both signs present: some units clearly on, some clearly
    off, so a gradient can flow back through time and a wrong mask shows.
    """
    inputs = {
        "W_hx": r.normal(0, scale, (H, D)),
        "W_hh": r.normal(0, scale, (H, H)),
        "bh": r.normal(0, scale, H),
        "activation": activation,
        "x": r.normal(size=(T, N, D)),
    }
    if activation == "relu":
        inputs["bh"] = r.permutation(np.resize([0.8, -0.8], H))
    return inputs


def bptt_inputs(r, T, N, D, H, activation, scale=0.6, accumulate=False, only=None):
    """A backward case: a cell (``cell_inputs``) and the upstream gradient dh (T, N, H).

    only="last" / "first": dh is zero except at the last / first step.
    accumulate: the cell already holds gradients dW_hx0, dW_hh0, dbh0.
    """
    inputs = cell_inputs(r, T, N, D, H, activation, scale)
    inputs["dh"] = upstream_gradient(r, T, N, H, only)
    if accumulate:
        inputs.update(
            dW_hx0=r.normal(size=(H, D)), dW_hh0=r.normal(size=(H, H)), dbh0=r.normal(size=H)
        )
    return inputs


def gradient_holders(r, sizes, scale):
    """Stand-in layers' gradients: layer i holds P and Q of shapes ``sizes[i]``."""
    inputs = {}
    for i, (p, q) in enumerate(sizes):
        inputs[f"g{i}_P"] = r.normal(size=p) * scale
        inputs[f"g{i}_Q"] = r.normal(size=q) * scale
    return inputs


def scripted_net(r, D, H, V):
    """The matrices and parameters of two recording layers, D -> H -> V."""
    return {
        "A0": r.normal(0, 0.5, (D, H)),
        "B0": r.normal(0, 0.5, (H, D)),
        "P0": r.normal(size=H),
        "Q0": r.normal(size=D),
        "A1": r.normal(0, 1.0, (H, V)),
        "B1": r.normal(0, 0.5, (V, H)),
        "P1": r.normal(size=V),
        "Q1": r.normal(size=H),
    }


def sequences(r, T, N, D, V):
    """One-hot data (T, N, D) and integer labels (T, N) in 0..V-1."""
    return {"data": np.eye(D)[r.integers(0, D, (T, N))], "labels": r.integers(0, V, (T, N))}


def upstream_gradient(r, T, N, H, only=None):
    """dh (T, N, H) from ``r``; only="last" / "first": zero except at that step."""
    dh = r.normal(size=(T, N, H))
    if only == "last":
        dh[:-1] = 0.0
    elif only == "first":
        dh[1:] = 0.0
    return dh
