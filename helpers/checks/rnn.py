"""Tests of notebooks 2 and 3: the BasicRNNCell's initialisation, forward pass and BPTT."""

import numpy as np

from .blocks import check_attributes, check_glorot, check_not_shared, check_rng_use, shared_arrays
from .core import Case, Check, CheckFailed, compare_outputs, make_instance, register


def _rng(seed):
    return np.random.default_rng(seed)


def _cell(cls, inputs):
    """Your BasicRNNCell with exactly the weights of the test case."""
    H, D = inputs["W_hx"].shape
    cell = make_instance(cls, D, H, inputs["activation"])
    cell.activation = inputs["activation"]
    cell.W_hx, cell.W_hh, cell.bh = inputs["W_hx"], inputs["W_hh"], inputs["bh"]
    cell.dW_hx = inputs.get("dW_hx0", np.zeros_like(cell.W_hx))
    cell.dW_hh = inputs.get("dW_hh0", np.zeros_like(cell.W_hh))
    cell.dbh = inputs.get("dbh0", np.zeros_like(cell.bh))
    return cell


def _weights(r, D, H, activation, scale=0.5):
    return {"W_hx": r.normal(0, scale, (H, D)), "W_hh": r.normal(0, scale, (H, H)),
            "bh": r.normal(0, scale, H), "activation": activation}


# ------------------------------------------------------------------ __init__

@register
class RNNInitCheck(Check):
    id, notebook, title = "rnn_init", "02_rnn_forward", "BasicRNNCell.__init__"
    subjects = ("BasicRNNCell",)
    uses_expected = False  # random weights: compared by their properties

    def cases(self):
        return [
            Case("tanh, 300 inputs, 200 hidden", {"n_in": 300, "n_hidden": 200,
                                                  "activation": "tanh", "seed": 3},
                 "W_hx is Glorot-normal; for tanh, W_hh is a random orthogonal matrix "
                 "(np.linalg.qr of a Gaussian matrix gives one)"),
            Case("relu, 300 inputs, 200 hidden", {"n_in": 300, "n_hidden": 200,
                                                  "activation": "relu", "seed": 4},
                 "for ReLU, W_hh is the identity matrix (np.eye)"),
            Case("tanh, small", {"n_in": 4, "n_hidden": 3, "activation": "tanh", "seed": 5}),
        ]

    def run(self, subjects, inputs):
        cls = subjects["BasicRNNCell"]
        args = (inputs["n_in"], inputs["n_hidden"], inputs["activation"])
        a = cls(*args, rng=np.random.default_rng(inputs["seed"]))
        b = cls(*args, rng=np.random.default_rng(inputs["seed"]))
        c = cls(*args, rng=np.random.default_rng(inputs["seed"] + 1))
        names = ("W_hx", "W_hh", "bh", "dW_hx", "dW_hh", "dbh")
        out = {k: getattr(a, k, None) for k in names}
        out["activation"] = getattr(a, "activation", None)
        out["same_seed_same_weights"] = bool(
            np.array_equal(getattr(a, "W_hx", 0), getattr(b, "W_hx", 1))
            and np.array_equal(getattr(a, "W_hh", 0), getattr(b, "W_hh", 1)))
        out["other_seed_other_weights"] = not np.array_equal(getattr(a, "W_hx", 0),
                                                             getattr(c, "W_hx", 0))
        out["shared"] = shared_arrays(a, names)
        return out

    def compare(self, case, got, expected):
        D, H, act = case.inputs["n_in"], case.inputs["n_hidden"], case.inputs["activation"]
        check_attributes(got, {"W_hx": (H, D), "W_hh": (H, H), "bh": (H,), "dW_hx": (H, D),
                               "dW_hh": (H, H), "dbh": (H,)}, zero=("bh", "dW_hx", "dW_hh", "dbh"))
        check_glorot("self.W_hx", np.asarray(got["W_hx"], float), D, H)
        W = np.asarray(got["W_hh"], float)
        if act == "relu":
            if not np.array_equal(W, np.eye(H)):
                raise CheckFailed("for ReLU, self.W_hh must be the identity matrix np.eye(H)")
        else:
            err = float(np.max(np.abs(W.T @ W - np.eye(H))))
            if not err <= 1e-8:
                raise CheckFailed(f"for tanh, self.W_hh must be orthogonal (W_hh.T @ W_hh = I); "
                                  f"yours is off by up to {err:.3g}")
            if H > 1 and np.allclose(np.abs(W), np.eye(H)):
                raise CheckFailed("for tanh, self.W_hh must be a RANDOM orthogonal matrix, "
                                  "not the identity")
        if got["activation"] != act:
            raise CheckFailed(f"self.activation should be {act!r}, got {got['activation']!r}")
        check_rng_use(got["same_seed_same_weights"], got["other_seed_other_weights"], "cells",
                      D * H)
        check_not_shared(got["shared"])


# ------------------------------------------------------------------ forward

@register
class RNNForwardCheck(Check):
    id, notebook, title = "rnn_forward", "02_rnn_forward", "BasicRNNCell.forward"
    subjects = ("BasicRNNCell",)

    def cases(self):
        r = _rng(201)
        w = _weights(r, 4, 3, "tanh")
        x = r.normal(size=(5, 2, 4))
        no_rec = dict(w, W_hh=np.zeros((3, 3)))
        return [
            Case("input term only (W_hh = 0, bh = 0)",
                 dict(no_rec, bh=np.zeros(3), x=x),
                 "without recurrence and bias, h_t = tanh(W_hx x_t); for the batch "
                 "x[t] @ W_hx.T"),
            Case("input and bias (W_hh = 0)", dict(no_rec, x=x),
                 "add bh inside the activation: tanh(W_hx x_t + bh)"),
            Case("recurrence (W_hx = 0)", dict(w, W_hx=np.zeros((3, 4)), x=x),
                 "h_0 = 0, then h_t = tanh(W_hh h_{t-1} + bh): each step must use the "
                 "previous step's h"),
            Case("tanh, full cell", dict(w, x=x)),
            Case("relu, full cell", dict(_weights(r, 4, 3, "relu"), x=x),
                 "ReLU is max(a, 0), applied where tanh was"),
            Case("one step, one sequence", dict(w, x=x[:1, :1])),
            Case("a second call starts again from h_0 = 0",
                 dict(w, x=x, x_before=r.normal(size=(3, 2, 4))),
                 "every call of forward is a new batch of sequences: start from a zero state, "
                 "not from the last state of the previous call"),
        ]

    def run(self, subjects, inputs):
        cell = _cell(subjects["BasicRNNCell"], inputs)
        if inputs.get("x_before") is not None:
            cell.forward(inputs["x_before"])
        h = cell.forward(inputs["x"])
        return {"h": h, "self.x": getattr(cell, "x", None), "self.hs": getattr(cell, "hs", None)}

    def compare(self, case, got, expected):
        compare_outputs({"h": got.get("h")}, {"h": expected["h"]}, self.rtol)
        if got.get("self.x") is None or got.get("self.hs") is None:
            raise CheckFailed("forward must store self.x (the input) and self.hs (T+1, N, H) "
                              "with hs[0] = 0 for backward")
        compare_outputs({k: got[k] for k in ("self.x", "self.hs")},
                        {k: expected[k] for k in ("self.x", "self.hs")}, self.rtol)


# --------------------------------------------------------------------- BPTT

class _BPTTCheck(Check):
    notebook = "03_bptt"
    subjects = ("BasicRNNCell",)
    activation = "tanh"
    must_hold = {"dh_unchanged": (
        "backward changed its argument dh in place (e.g. dh[t] += ...); keep the "
        "gradient flowing back in a separate array")}

    def _case(self, r, name, T, N, hint="", accumulate=False, only=None, D=4, H=3):
        inputs = _weights(r, D, H, self.activation, scale=0.6)
        if self.activation == "relu":  # units clearly on or off, like the gradient check
            inputs["bh"] = r.choice([-0.8, 0.8], H)
        inputs["x"] = r.normal(size=(T, N, D))
        dh = r.normal(size=(T, N, H))
        if only == "last":
            dh[:-1] = 0.0
        elif only == "first":
            dh[1:] = 0.0
        inputs["dh"] = dh
        if accumulate:
            inputs.update(dW_hx0=r.normal(size=(H, D)), dW_hh0=r.normal(size=(H, H)),
                          dbh0=r.normal(size=H))
        return Case(name, inputs, hint)

    def derive(self, subjects, inputs):
        # The hidden states come from the reference forward pass (stored with the expected
        # values), so this test of backward does not depend on your forward.
        cell = _cell(subjects["BasicRNNCell"], inputs)
        cell.forward(inputs["x"])
        return {"hs": cell.hs}

    def run(self, subjects, inputs):
        cell = _cell(subjects["BasicRNNCell"], inputs)
        try:
            cell.forward(inputs["x"])  # builds any extra cache your backward keeps
        except Exception:
            pass
        cell.x, cell.hs = inputs["x"], inputs["hs"]
        dh = inputs["dh"]
        before = dh.copy()
        dx = cell.backward(dh)
        return {"dx": dx, "dW_hx": cell.dW_hx, "dW_hh": cell.dW_hh, "dbh": cell.dbh,
                "W_hx": cell.W_hx, "W_hh": cell.W_hh, "bh": cell.bh,
                "dh_unchanged": bool(np.array_equal(dh, before))}



@register
class BPTTTanhCheck(_BPTTCheck):
    id, title, activation = "bptt_tanh", "BasicRNNCell.backward (tanh)", "tanh"

    def cases(self):
        r = _rng(301 if self.activation == "tanh" else 302)
        d = "tanh'(a_t) = 1 - h_t**2" if self.activation == "tanh" else "relu'(a_t) = [h_t > 0]"
        return [
            self._case(r, "one step", 1, 2, "with T = 1 there is no recurrence: "
                       f"da = dh * {d}; dW_hx = da^T x; dbh = sum of da; dx = da @ W_hx"),
            self._case(r, "gradient only at the last step", 4, 2,
                       "the gradient must flow back through time: dh_{t-1} receives "
                       "W_hh^T da_t (for a batch: da[t] @ W_hh)", only="last"),
            self._case(r, "gradient only at the first step", 4, 2,
                       "a gradient at step 1 must not reach later steps", only="first"),
            self._case(r, "full sequence", 5, 3,
                       "at step t, add the gradient from the layer above (dh[t]) and the one "
                       f"flowing back from step t+1, then multiply by {d}"),
            self._case(r, "one sequence", 6, 1),
            self._case(r, "accumulates into existing gradients", 3, 2,
                       "backward must ADD to self.dW_hx, self.dW_hh and self.dbh (+=)",
                       accumulate=True),
        ]


@register
class BPTTReluCheck(BPTTTanhCheck):
    id, title, activation = "bptt_relu", "BasicRNNCell.backward (ReLU)", "relu"
