"""Tests of notebook 1: softmax, cross-entropy, its gradient, LinearLayer and Layer."""

import numpy as np

from .core import Case, Check, CheckFailed, compare_outputs, make_instance, register

NB = "01_building_blocks"


def _rng(seed):
    return np.random.default_rng(seed)


def _probs(rng, T, N, V, spread=1.0):
    """Random distributions with every probability >= 1e-4: a correct implementation that
    adds a tiny epsilon inside the log (1e-12) must agree to within the tolerance."""
    e = np.exp(rng.normal(0, spread, size=(T, N, V)))
    return 0.999 * e / e.sum(-1, keepdims=True) + 0.001 / V


# ------------------------------------------------------------------ softmax

@register
class SoftmaxCheck(Check):
    id, notebook, title, subjects = "softmax", NB, "softmax", ("softmax",)
    must_hold = {"input_unchanged": (
        "softmax changed its input array in place; compute on a copy (e.g. shifted = "
        "logits - max) instead of logits -= ...")}

    def cases(self):
        r = _rng(101)
        return [
            Case("small batch", {"logits": r.normal(size=(2, 3, 4))}),
            Case("all-equal logits", {"logits": np.zeros((1, 2, 5))},
                 "equal logits must give the uniform distribution 1/V"),
            Case("one step, one sequence", {"logits": r.normal(size=(1, 1, 3))}),
            Case("large logits", {"logits": np.array([[[1000.0, 0.0, -1000.0],
                                                       [800.0, 801.0, 799.0]]])},
                 "exp(1000) overflows to inf; subtract each row's maximum first "
                 "(it cancels out of the ratio)"),
        ]

    def run(self, subjects, inputs):
        logits = inputs["logits"]
        before = logits.copy()
        probs = subjects["softmax"](logits)
        return {"probs": probs, "input_unchanged": bool(np.array_equal(logits, before))}



# ------------------------------------------------------------ cross-entropy

@register
class CrossEntropyCheck(Check):
    id, notebook, title = "cross_entropy_loss", NB, "cross_entropy_loss"
    subjects = ("cross_entropy_loss",)
    must_hold = {"input_unchanged": (
        "cross_entropy_loss changed probs in place; compute on a copy")}

    def cases(self):
        r = _rng(102)
        perfect = np.zeros((2, 2, 3))
        perfect[..., 1] = 1.0
        return [
            Case("small batch", {"probs": _probs(r, 3, 2, 4),
                                 "labels": r.integers(0, 4, (3, 2))}),
            Case("sum over time, mean over batch",
                 {"probs": _probs(r, 5, 1, 3), "labels": r.integers(0, 3, (5, 1))},
                 "the loss is the SUM over time steps of -log p(label), divided by the "
                 "batch size N only (not by T)"),
            Case("batch average", {"probs": _probs(r, 1, 4, 3),
                                   "labels": r.integers(0, 3, (1, 4))},
                 "divide the total by N, the number of sequences"),
            Case("perfect prediction", {"probs": perfect, "labels": np.ones((2, 2), int)},
                 "log(1) = 0"),
        ]

    def run(self, subjects, inputs):
        probs = inputs["probs"]
        before = probs.copy()
        loss = subjects["cross_entropy_loss"](probs, inputs["labels"])
        if isinstance(loss, np.ndarray) and loss.shape != ():
            raise CheckFailed(f"the loss should be a single number, got an array of shape "
                              f"{loss.shape}")
        return {"loss": float(loss), "input_unchanged": bool(np.array_equal(probs, before))}



@register
class CrossEntropyGradCheck(Check):
    id, notebook, title = "softmax_cross_entropy_grad", NB, "softmax_cross_entropy_grad"
    subjects = ("softmax_cross_entropy_grad",)
    must_hold = {"input_unchanged": (
        "softmax_cross_entropy_grad changed probs in place; work on a copy")}

    def cases(self):
        r = _rng(103)
        return [
            Case("small batch", {"probs": _probs(r, 3, 2, 4),
                                 "labels": r.integers(0, 4, (3, 2))},
                 "d loss / d logits = (probs - onehot(labels)) / N"),
            Case("batch of 5", {"probs": _probs(r, 2, 5, 3),
                                "labels": r.integers(0, 3, (2, 5))},
                 "the loss averages over the batch, so its gradient is divided by N"),
            Case("one step", {"probs": _probs(r, 1, 1, 6), "labels": np.array([[5]])}),
        ]

    def run(self, subjects, inputs):
        probs = inputs["probs"]
        before = probs.copy()
        d = subjects["softmax_cross_entropy_grad"](probs, inputs["labels"])
        return {"dlogits": d, "input_unchanged": bool(np.array_equal(probs, before))}



# ------------------------------------------------------------- LinearLayer

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
            raise CheckFailed(f"{name} has standard deviation {got_std:.4f}, Glorot "
                              f"initialisation gives sqrt(2 / (fan_in + fan_out)) = {std:.4f}")
        if not abs(float(np.mean(W))) <= 6 * std / np.sqrt(n):
            raise CheckFailed(f"{name} should have mean 0, got {float(np.mean(W)):.4f}")
    if W.size > 1 and np.all(W == W.flat[0]):
        raise CheckFailed(f"{name} is constant; draw it at random from rng")


@register
class LinearInitCheck(Check):
    id, notebook, title, subjects = "linear_init", NB, "LinearLayer.__init__", ("LinearLayer",)
    uses_expected = False  # random weights: compared by their statistics

    def cases(self):
        return [Case("300 inputs, 200 outputs", {"n_in": 300, "n_out": 200, "seed": 7}),
                Case("3 inputs, 2 outputs", {"n_in": 3, "n_out": 2, "seed": 8})]

    def run(self, subjects, inputs):
        cls = subjects["LinearLayer"]
        n_in, n_out, seed = inputs["n_in"], inputs["n_out"], inputs["seed"]
        a = cls(n_in, n_out, rng=np.random.default_rng(seed))
        b = cls(n_in, n_out, rng=np.random.default_rng(seed))
        c = cls(n_in, n_out, rng=np.random.default_rng(seed + 1))
        out = {k: getattr(a, k, None) for k in ("W", "b", "dW", "db")}
        out["same_seed_same_W"] = bool(np.array_equal(getattr(a, "W", 0), getattr(b, "W", 1)))
        out["other_seed_other_W"] = not np.array_equal(getattr(a, "W", 0), getattr(c, "W", 0))
        out["shared"] = shared_arrays(a, ("W", "b", "dW", "db"))
        return out

    def compare(self, case, got, expected):
        n_in, n_out = case.inputs["n_in"], case.inputs["n_out"]
        check_attributes(got, {"W": (n_out, n_in), "b": (n_out,), "dW": (n_out, n_in),
                               "db": (n_out,)}, zero=("b", "dW", "db"))
        check_glorot("self.W", np.asarray(got["W"], float), n_in, n_out)
        check_rng_use(got["same_seed_same_W"], got["other_seed_other_W"], "layers", n_in * n_out)
        check_not_shared(got["shared"])


def check_attributes(got, shapes, zero=()):
    """Raise CheckFailed unless every attribute exists with its shape (and is zero if listed)."""
    for k, shape in shapes.items():
        v = got.get(k)
        if v is None:
            raise CheckFailed(f"self.{k} is missing")
        if not isinstance(v, np.ndarray) or v.dtype.kind != "f":
            what = f"dtype {v.dtype}" if isinstance(v, np.ndarray) else type(v).__name__
            raise CheckFailed(f"self.{k} should be a numpy array of floats, got {what} "
                              f"(gradients are added to it later: np.zeros(shape) gives floats)")
        if v.shape != shape:
            raise CheckFailed(f"self.{k} has shape {v.shape}, expected {shape}")
        if k in zero and np.any(v != 0):
            raise CheckFailed(f"self.{k} should start at zero")


def shared_arrays(obj, names):
    """Pairs of attributes of ``obj`` that are (views of) the same array."""
    arrays = [(n, getattr(obj, n, None)) for n in names]
    arrays = [(n, a) for n, a in arrays if isinstance(a, np.ndarray)]
    return [[n1, n2] for i, (n1, a1) in enumerate(arrays) for n2, a2 in arrays[i + 1:]
            if np.shares_memory(a1, a2)]


def check_not_shared(pairs):
    if pairs:
        a, b = pairs[0]
        raise CheckFailed(f"self.{a} and self.{b} are the same array: updating one would change "
                          f"the other; give each its own np.zeros(...)")


def check_rng_use(same_seed_same, other_seed_other, what, size):
    if not same_seed_same:
        raise CheckFailed(f"two {what} built with the same rng seed got different weights: "
                          f"draw them with the rng argument (rng.normal), not np.random")
    if size > 1 and not other_seed_other:
        raise CheckFailed(f"two {what} built with different rng seeds got the same weights: "
                          f"draw them from the rng argument you are given")


def _linear(cls, inputs, grads=False):
    n_out, n_in = inputs["W"].shape
    layer = make_instance(cls, n_in, n_out)
    layer.W, layer.b = inputs["W"], inputs["b"]
    layer.dW = inputs.get("dW0", np.zeros_like(layer.W))
    layer.db = inputs.get("db0", np.zeros_like(layer.b))
    return layer


@register
class LinearForwardCheck(Check):
    id, notebook, title = "linear_forward", NB, "LinearLayer.forward"
    subjects = ("LinearLayer",)

    def cases(self):
        r = _rng(104)
        W, b, x = r.normal(size=(3, 4)), r.normal(size=3), r.normal(size=(2, 5, 4))
        return [
            Case("bias only (W = 0)", {"W": np.zeros((3, 4)), "b": b, "x": x},
                 "with W = 0 every output must equal b"),
            Case("weights only (b = 0)", {"W": W, "b": np.zeros(3), "x": x},
                 "y[t, n] = W @ x[t, n]; for a whole batch that is x @ W.T"),
            Case("weights and bias", {"W": W, "b": b, "x": x}),
            Case("one step, one sequence", {"W": W, "b": b, "x": x[:1, :1]}),
        ]

    def run(self, subjects, inputs):
        layer = _linear(subjects["LinearLayer"], inputs)
        y = layer.forward(inputs["x"])
        return {"y": y, "self.x": getattr(layer, "x", None)}

    def compare(self, case, got, expected):
        if got.get("self.x") is None:
            raise CheckFailed("forward must keep its input in self.x for backward")
        compare_outputs(got, expected, self.rtol)


@register
class LinearBackwardCheck(Check):
    id, notebook, title = "linear_backward", NB, "LinearLayer.backward"
    subjects = ("LinearLayer",)
    must_hold = {"dy_unchanged": (
        "backward changed its argument dy in place; work on new arrays")}

    def cases(self):
        r = _rng(105)
        W, b, x, dy = r.normal(size=(3, 4)), r.normal(size=3), r.normal(size=(2, 5, 4)), \
            r.normal(size=(2, 5, 3))
        return [
            Case("gradients from zero", {"W": W, "b": b, "x": x, "dy": dy},
                 "dx = dy @ W; dW sums dy[t, n] x[t, n]^T over t and n; db sums dy"),
            Case("one step, one sequence", {"W": W, "b": b, "x": x[:1, :1], "dy": dy[:1, :1]}),
            Case("accumulates into existing gradients",
                 {"W": W, "b": b, "x": x, "dy": dy, "dW0": r.normal(size=(3, 4)),
                  "db0": r.normal(size=3)},
                 "backward must ADD to self.dW and self.db (+=), not overwrite them"),
        ]

    def run(self, subjects, inputs):
        layer = _linear(subjects["LinearLayer"], inputs)
        try:
            layer.forward(inputs["x"])  # lets your own cache exist, if you keep more
        except Exception:
            pass
        layer.x = inputs["x"]
        dy = inputs["dy"]
        before = dy.copy()
        dx = layer.backward(dy)
        return {"dx": dx, "dW": layer.dW, "db": layer.db, "W": layer.W, "b": layer.b,
                "dy_unchanged": bool(np.array_equal(dy, before))}



# ------------------------------------------------------------------ Layer

def _probe(layer_cls, inputs):
    """An instance of a small subclass of your Layer with parameters A (2x3) and B (4,)."""
    probe_cls = type("ProbeLayer", (layer_cls,), {"param_names": ("A", "B")})
    probe = probe_cls.__new__(probe_cls)
    probe.A, probe.B = inputs["A"], inputs["B"]
    probe.dA, probe.dB = inputs["dA"], inputs["dB"]
    return probe


def _param_inputs(r, scale_a, scale_b):
    return {"A": r.normal(size=(2, 3)), "B": r.normal(size=4),
            "dA": r.normal(size=(2, 3)) * scale_a, "dB": r.normal(size=4) * scale_b}


@register
class ClipGradientsCheck(Check):
    id, notebook, title, subjects = "clip_gradients", NB, "Layer.clip_gradients", ("Layer",)

    def cases(self):
        r = _rng(106)
        zero = _param_inputs(r, 0.0, 0.0)
        return [
            Case("under the threshold", dict(_param_inputs(r, 0.1, 0.1), threshold=5.0),
                 "gradients with norm <= threshold must not change"),
            Case("both over the threshold", dict(_param_inputs(r, 10.0, 10.0), threshold=1.0),
                 "rescale: grad *= threshold / norm(grad), in place"),
            Case("one over, one under", dict(_param_inputs(r, 10.0, 0.01), threshold=2.0),
                 "clip every tensor on its own: only the large one changes"),
            Case("zero gradients", dict(zero, threshold=1.0),
                 "a zero gradient has norm 0 and must stay 0 (no division by zero)"),
        ]

    def run(self, subjects, inputs):
        probe = _probe(subjects["Layer"], inputs)
        probe.clip_gradients(inputs["threshold"])
        return {"dA": probe.dA, "dB": probe.dB, "A": probe.A, "B": probe.B}


@register
class UpdateWeightsCheck(Check):
    id, notebook, title, subjects = "update_weights", NB, "Layer.update_weights", ("Layer",)

    def cases(self):
        r = _rng(107)
        return [
            Case("plain SGD", dict(_param_inputs(r, 1.0, 1.0), learning_rate=0.1, rule="sgd"),
                 "param <- param - learning_rate * grad, then set the gradients to zero"),
            Case("with an update rule",
                 dict(_param_inputs(r, 1.0, 1.0), learning_rate=0.05, rule="scaled"),
                 "when update_fun is given, call update_fun(param, grad, learning_rate) for "
                 "every parameter instead of the SGD step"),
        ]

    def run(self, subjects, inputs):
        from ..doubles import ScaledStep

        probe = _probe(subjects["Layer"], inputs)
        if inputs["rule"] == "sgd":
            probe.update_weights(inputs["learning_rate"])
            calls = 0
        else:
            rule = ScaledStep(3.0)
            probe.update_weights(inputs["learning_rate"], rule)
            calls = rule.calls
        return {"A": probe.A, "B": probe.B, "dA": probe.dA, "dB": probe.dB,
                "rule_calls": calls}
