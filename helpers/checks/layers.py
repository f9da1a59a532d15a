"""Runners for the methods of your layers: forward, backward, clipping and the update step.

Each test builds your layer with exactly the weights of the test case (bypassing your
__init__ if it fails: that one is tested on its own), so a method is judged on its own.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..doubles import ScaledStep
from .core import make_instance
from .runner import Runner, register


def linear_layer(cls, inputs):
    """Your LinearLayer with the case's W, b and (accumulated) gradients."""
    n_out, n_in = inputs["W"].shape
    layer = make_instance(cls, n_in, n_out)
    layer.W, layer.b = inputs["W"], inputs["b"]
    layer.dW = inputs.get("dW0", np.zeros_like(layer.W))
    layer.db = inputs.get("db0", np.zeros_like(layer.b))
    return layer


def rnn_cell(cls, inputs):
    """Your BasicRNNCell with the case's weights, activation and (accumulated) gradients."""
    H, D = inputs["W_hx"].shape
    cell = make_instance(cls, D, H, inputs["activation"])
    cell.activation = inputs["activation"]
    cell.W_hx, cell.W_hh, cell.bh = inputs["W_hx"], inputs["W_hh"], inputs["bh"]
    cell.dW_hx = inputs.get("dW_hx0", np.zeros_like(cell.W_hx))
    cell.dW_hh = inputs.get("dW_hh0", np.zeros_like(cell.W_hh))
    cell.dbh = inputs.get("dbh0", np.zeros_like(cell.bh))
    return cell


def _forward_quietly(layer, x):
    """Run forward so that any extra cache your backward keeps exists; its errors are
    graded by the forward test, not here."""
    try:
        layer.forward(x)
    except Exception:
        pass


@register
@dataclass(frozen=True, kw_only=True)
class LinearForward(Runner):
    """y = layer.forward(x); the layer keeps x in self.x."""

    def run(self, cls, inputs):
        layer = linear_layer(cls, inputs)
        y = layer.forward(inputs["x"])
        return {"y": y, "self.x": getattr(layer, "x", None)}


@register
@dataclass(frozen=True, kw_only=True)
class LinearBackward(Runner):
    """dx = layer.backward(dy) after forward(x); dW and db accumulate."""

    must_hold: ClassVar[dict] = {
        "dy_unchanged": "backward changed its argument dy in place; work on new arrays"
    }

    def run(self, cls, inputs):
        layer = linear_layer(cls, inputs)
        _forward_quietly(layer, inputs["x"])
        layer.x = inputs["x"]
        dy = inputs["dy"]
        before = dy.copy()
        dx = layer.backward(dy)
        return {
            "dx": dx,
            "dW": layer.dW,
            "db": layer.db,
            "W": layer.W,
            "b": layer.b,
            "dy_unchanged": bool(np.array_equal(dy, before)),
        }


def probe_layer(layer_cls, inputs):
    """An instance of a small subclass of your Layer with parameters A and B."""
    probe_cls = type("ProbeLayer", (layer_cls,), {"param_names": ("A", "B")})
    probe = probe_cls.__new__(probe_cls)
    probe.A, probe.B = inputs["A"], inputs["B"]
    probe.dA, probe.dB = inputs["dA"], inputs["dB"]
    return probe


@register
@dataclass(frozen=True, kw_only=True)
class ClipEachGradient(Runner):
    """layer.clip_gradients(threshold) on a layer with parameters A and B."""

    def run(self, layer_cls, inputs):
        probe = probe_layer(layer_cls, inputs)
        probe.clip_gradients(inputs["threshold"])
        return {"dA": probe.dA, "dB": probe.dB, "A": probe.A, "B": probe.B}


@register
@dataclass(frozen=True, kw_only=True)
class UpdateStep(Runner):
    """layer.update_weights(learning_rate[, rule]) on a layer with parameters A and B.

    ``rule`` is "sgd" (no update rule given) or "scaled" (a recording rule that steps
    3 * learning_rate * grad).
    """

    def run(self, layer_cls, inputs):
        probe = probe_layer(layer_cls, inputs)
        if inputs["rule"] == "sgd":
            probe.update_weights(inputs["learning_rate"])
            calls = 0
        else:
            rule = ScaledStep(3.0)
            probe.update_weights(inputs["learning_rate"], rule)
            calls = rule.calls
        return {"A": probe.A, "B": probe.B, "dA": probe.dA, "dB": probe.dB, "rule_calls": calls}


@register
@dataclass(frozen=True, kw_only=True)
class RNNForward(Runner):
    """h = cell.forward(x) (after a first call on x_before, if the case has one)."""

    def run(self, cls, inputs):
        cell = rnn_cell(cls, inputs)
        if inputs.get("x_before") is not None:
            cell.forward(inputs["x_before"])
        h = cell.forward(inputs["x"])
        hs = getattr(cell, "hs", None)
        return {
            "self.hs[0]": _first_state(hs, inputs),
            "h": h,
            "self.x": getattr(cell, "x", None),
            "self.hs": hs,
        }


def _first_state(hs, inputs):
    """hs[0], judged first: an hs from np.empty holds leftovers there, and every state after
    it goes wrong. When hs has no (T+1, N, H) shape, the zero it should be (the comparison
    of self.hs itself reports the shape)."""
    T, N, _ = inputs["x"].shape
    zero = np.zeros((N, inputs["W_hh"].shape[0]))
    if isinstance(hs, np.ndarray) and hs.shape == (T + 1, *zero.shape):
        return hs[0]
    return zero


@register
@dataclass(frozen=True, kw_only=True)
class RNNBackward(Runner):
    """dx = cell.backward(dh), with self.x and self.hs of a CORRECT forward pass."""

    must_hold: ClassVar[dict] = {
        "dh_unchanged": "backward changed its argument dh in place (e.g. dh[t] += ...); keep "
        "the gradient flowing back in a separate array"
    }

    def derive(self, cls, inputs):
        # The hidden states come from the reference forward pass (stored with the expected
        # values), so this test of backward does not depend on your forward.
        cell = rnn_cell(cls, inputs)
        cell.forward(inputs["x"])
        return {"hs": cell.hs}

    def run(self, cls, inputs):
        cell = rnn_cell(cls, inputs)
        _forward_quietly(cell, inputs["x"])
        cell.x, cell.hs = inputs["x"], inputs["hs"]
        dh = inputs["dh"]
        before = dh.copy()
        dx = cell.backward(dh)
        return {
            "dx": dx,
            "dW_hx": cell.dW_hx,
            "dW_hh": cell.dW_hh,
            "dbh": cell.dbh,
            "W_hx": cell.W_hx,
            "W_hh": cell.W_hh,
            "bh": cell.bh,
            "dh_unchanged": bool(np.array_equal(dh, before)),
        }
