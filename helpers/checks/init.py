"""Runners for layer initialisation: random weights are judged by their properties.

Two layers built from the same seed must be equal, two from different seeds must differ,
the weights must have the spread of their initialisation scheme, and biases and gradient
accumulators must start at zero, each its own array.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .core import CheckFailed
from .runner import Runner, register


def check_glorot(name, W, fan_in, fan_out):
    """Raise CheckFailed unless W looks like a Glorot sample (zero mean, the right spread).

    Tolerances are six standard errors of the estimates (so a correct sample fails about
    once in a billion draws), and never tighter than 5 % for the spread.
    """
    std = np.sqrt(2.0 / (fan_in + fan_out))
    n = W.size
    if n >= 1000:
        got_std = float(np.std(W))
        if not abs(got_std - std) <= max(0.05, 6 / np.sqrt(2 * n)) * std:
            raise CheckFailed(
                f"{name} has standard deviation {got_std:.4f}, Glorot initialisation gives "
                f"sqrt(2 / (fan_in + fan_out)) = {std:.4f}",
                name,
            )
        if not abs(float(np.mean(W))) <= 6 * std / np.sqrt(n):
            raise CheckFailed(f"{name} should have mean 0, got {float(np.mean(W)):.4f}", name)
    if W.size > 1 and np.all(W == W.flat[0]):
        raise CheckFailed(f"{name} is constant; draw it at random from rng", name)


def check_attributes(got, shapes, zero=()):
    """Raise CheckFailed unless every attribute exists with its shape (and is zero if listed)."""
    for k, shape in shapes.items():
        v = got.get(k)
        name = f"self.{k}"
        if v is None:
            raise CheckFailed(f"{name} is missing", name)
        if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
            what = f"dtype {v.dtype}" if isinstance(v, np.ndarray) else type(v).__name__
            raise CheckFailed(
                f"{name} should be a numpy array of floats, got {what} "
                f"(gradients are added to it later: np.zeros(shape) gives floats)",
                name,
            )
        if v.shape != shape:
            raise CheckFailed(f"{name} has shape {v.shape}, expected {shape}", name)
        if k in zero and np.any(v != 0):
            raise CheckFailed(f"{name} should start at zero", name)


def shared_arrays(obj, names):
    """Pairs of attributes of ``obj`` that are (views of) the same array."""
    arrays = [(n, getattr(obj, n, None)) for n in names]
    arrays = [(n, a) for n, a in arrays if isinstance(a, np.ndarray)]
    return [
        [n1, n2]
        for i, (n1, a1) in enumerate(arrays)
        for n2, a2 in arrays[i + 1 :]
        if np.shares_memory(a1, a2)
    ]


def check_not_shared(pairs):
    if pairs:
        a, b = pairs[0]
        raise CheckFailed(
            f"self.{a} and self.{b} are the same array: updating one would change the "
            f"other; give each its own np.zeros(...)",
            f"self.{a}",
        )


def check_rng_use(same_seed_same, other_seed_other, what, size):
    if not same_seed_same:
        raise CheckFailed(
            f"two {what} built with the same rng seed got different weights: draw them "
            f"with the rng argument (rng.normal), not np.random"
        )
    if size > 1 and not other_seed_other:
        raise CheckFailed(
            f"two {what} built with different rng seeds got the same weights: draw them "
            f"from the rng argument you are given"
        )


def _three_builds(cls, args, seed, weights, seeded=None):
    """Build three instances (seeds s, s, s+1): the first, and how the rng was used.

    The same seed must give the same ``weights``; another seed must change ``seeded``
    (default: ``weights``).
    """
    a = cls(*args, rng=np.random.default_rng(seed))
    b = cls(*args, rng=np.random.default_rng(seed))
    c = cls(*args, rng=np.random.default_rng(seed + 1))

    def same(x, y, names):
        return all(np.array_equal(getattr(x, w, 0), getattr(y, w, 1)) for w in names)

    return a, {
        "same_seed_same_weights": same(a, b, weights),
        "other_seed_other_weights": not same(a, c, seeded or weights),
    }


@register
@dataclass(frozen=True, kw_only=True)
class LinearInit(Runner):
    """LinearLayer(n_in, n_out, rng): Glorot weights, zero bias and gradients."""

    uses_expected: ClassVar[bool] = False
    names: ClassVar[tuple] = ("W", "b", "dW", "db")

    def run(self, cls, inputs):
        args = (inputs["n_in"], inputs["n_out"])
        layer, out = _three_builds(cls, args, inputs["seed"], ("W",))
        out.update({k: getattr(layer, k, None) for k in self.names})
        out["shared"] = shared_arrays(layer, self.names)
        return out

    def compare(self, case, got, expected):
        n_in, n_out = case.inputs["n_in"], case.inputs["n_out"]
        shapes = {"W": (n_out, n_in), "b": (n_out,), "dW": (n_out, n_in), "db": (n_out,)}
        check_attributes(got, shapes, zero=("b", "dW", "db"))
        check_glorot("self.W", np.asarray(got["W"], float), n_in, n_out)
        check_rng_use(
            got["same_seed_same_weights"], got["other_seed_other_weights"], "layers", n_in * n_out
        )
        check_not_shared(got["shared"])


def check_recurrent_weights(W, activation):
    """W_hh must be the identity for ReLU and a random orthogonal matrix for tanh."""
    H = W.shape[0]
    if activation == "relu":
        if not np.array_equal(W, np.eye(H)):
            raise CheckFailed("for ReLU, self.W_hh must be the identity matrix np.eye(H)", "W_hh")
        return
    err = float(np.max(np.abs(W.T @ W - np.eye(H))))
    if not err <= 1e-8:
        raise CheckFailed(
            f"for tanh, self.W_hh must be orthogonal (W_hh.T @ W_hh = I); yours is off by up "
            f"to {err:.3g}",
            "W_hh",
        )
    if H > 1 and np.allclose(np.abs(W), np.eye(H)):
        raise CheckFailed(
            "for tanh, self.W_hh must be a RANDOM orthogonal matrix, not the identity", "W_hh"
        )


@register
@dataclass(frozen=True, kw_only=True)
class RNNInit(Runner):
    """BasicRNNCell(n_in, n_hidden, activation, rng): Glorot W_hx, orthogonal or identity W_hh."""

    uses_expected: ClassVar[bool] = False
    names: ClassVar[tuple] = ("W_hx", "W_hh", "bh", "dW_hx", "dW_hh", "dbh")

    def run(self, cls, inputs):
        args = (inputs["n_in"], inputs["n_hidden"], inputs["activation"])
        # Different seeds need only give a different W_hx: W_hh may be the identity.
        cell, out = _three_builds(cls, args, inputs["seed"], ("W_hx", "W_hh"), ("W_hx",))
        out.update({k: getattr(cell, k, None) for k in self.names})
        out["activation"] = getattr(cell, "activation", None)
        out["shared"] = shared_arrays(cell, self.names)
        return out

    def compare(self, case, got, expected):
        D, H = case.inputs["n_in"], case.inputs["n_hidden"]
        activation = case.inputs["activation"]
        shapes = {"W_hx": (H, D), "W_hh": (H, H), "bh": (H,)}
        shapes.update({"dW_hx": (H, D), "dW_hh": (H, H), "dbh": (H,)})
        check_attributes(got, shapes, zero=("bh", "dW_hx", "dW_hh", "dbh"))
        check_glorot("self.W_hx", np.asarray(got["W_hx"], float), D, H)
        check_recurrent_weights(np.asarray(got["W_hh"], float), activation)
        if got["activation"] != activation:
            raise CheckFailed(
                f"self.activation should be {activation!r}, got {got['activation']!r}",
                "self.activation",
            )
        check_rng_use(
            got["same_seed_same_weights"], got["other_seed_other_weights"], "cells", D * H
        )
        check_not_shared(got["shared"])
