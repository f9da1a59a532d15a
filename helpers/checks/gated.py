"""Runners for the gated cells of notebook 6: the LSTM cell's forward and backward.

As for the BasicRNNCell (layers.py), each test builds your cell with exactly the case's
weights, and backward is given the states of a CORRECT forward pass, so forward and
backward are each judged on their own.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .core import make_instance
from .runner import Runner, register

GRADIENTS = ("dW_x", "dW_h", "db")


def lstm_cell(cls, inputs):
    """Your LSTMCell with the case's W_x (4H, D), W_h (4H, H), b (4H,) and gradients."""
    four_h, D = inputs["W_x"].shape
    cell = make_instance(cls, D, four_h // 4)
    cell.W_x, cell.W_h, cell.b = inputs["W_x"], inputs["W_h"], inputs["b"]
    for name in GRADIENTS:
        param = getattr(cell, name[1:])
        setattr(cell, name, inputs.get(name + "0", np.zeros_like(param)))
    return cell


@register
@dataclass(frozen=True, kw_only=True)
class LSTMForward(Runner):
    """h = cell.forward(x) (after a first call on x_before, if the case has one)."""

    def run(self, cls, inputs):
        cell = lstm_cell(cls, inputs)
        if inputs.get("x_before") is not None:
            cell.forward(inputs["x_before"])
        h = cell.forward(inputs["x"])
        return {
            "h": h,
            "self.x": getattr(cell, "x", None),
            "self.hs": getattr(cell, "hs", None),
            "self.cs": getattr(cell, "cs", None),
        }


@register
@dataclass(frozen=True, kw_only=True)
class LSTMBackward(Runner):
    """dx = cell.backward(dh), with self.x, self.hs and self.cs of a CORRECT forward."""

    must_hold: ClassVar[dict] = {
        "dh_unchanged": "backward changed its argument dh in place (e.g. dh[t] += ...); keep "
        "the gradient flowing back in a separate array"
    }

    def derive(self, cls, inputs):
        # The states come from the reference forward pass (stored with the expected
        # values), so this test of backward does not depend on your forward.
        cell = lstm_cell(cls, inputs)
        cell.forward(inputs["x"])
        return {"hs": cell.hs, "cs": cell.cs}

    def run(self, cls, inputs):
        cell = lstm_cell(cls, inputs)
        try:  # so that any extra cache your backward keeps exists; forward is graded alone
            cell.forward(inputs["x"])
        except Exception:
            pass
        cell.x, cell.hs, cell.cs = inputs["x"], inputs["hs"], inputs["cs"]
        dh = inputs["dh"]
        before = dh.copy()
        dx = cell.backward(dh)
        out = {"dx": dx, **{name: getattr(cell, name) for name in GRADIENTS}}
        out.update(W_x=cell.W_x, W_h=cell.W_h, b=cell.b)
        out["dh_unchanged"] = bool(np.array_equal(dh, before))
        return out
