"""Tests of notebooks 4 and 5: spectral radius, global-norm clipping, the explosion
experiment, the training step and the memorization accuracy.

The code under test drives layers, so these tests give it stand-in layers from
``helpers.doubles`` (simple recording layers), never your LinearLayer or BasicRNNCell:
a mistake there is graded once, in its own notebook.
"""

import numpy as np

from ..doubles import CopyOracle, ParamHolder, ScaledStep, ScriptedLayer
from .core import Case, Check, CheckFailed, compare_outputs, register

NB4, NB5 = "04_exploding_vanishing", "05_memorization"
# Exercises of earlier notebooks that code driving a network calls; the hidden tests
# replace them by the reference so that their mistakes are graded only once.
EARLIER_FUNCTIONS = ("softmax", "cross_entropy_loss", "softmax_cross_entropy_grad",
                     "clip_global_norm")


def _rng(seed):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- spectral radius

@register
class SpectralRadiusCheck(Check):
    id, notebook, title, subjects = "spectral_radius", NB4, "spectral_radius", ("spectral_radius",)

    def cases(self):
        r = _rng(401)
        c, s = np.cos(0.3), np.sin(0.3)
        return [
            Case("diagonal", {"W": np.diag([0.5, -2.0, 1.5])},
                 "the spectral radius is the largest ABSOLUTE eigenvalue: here |-2| = 2"),
            Case("rotation by 0.3 rad, scaled by 1.2", {"W": 1.2 * np.array([[c, -s], [s, c]])},
                 "eigenvalues can be complex (1.2 e^{±0.3i}); take their modulus np.abs"),
            Case("random 6x6", {"W": r.normal(size=(6, 6))}),
        ]

    def run(self, subjects, inputs):
        rho = subjects["spectral_radius"](inputs["W"])
        if isinstance(rho, complex) or (isinstance(rho, np.ndarray) and rho.dtype.kind == "c"):
            raise CheckFailed("spectral_radius returned a complex number; the radius is the "
                              "largest modulus np.abs(eigenvalue), a real number")
        return {"rho": float(np.real(rho))}


# ---------------------------------------------------------------- global-norm clipping

def _holders(r, sizes, scale):
    """Stand-in layers holding random gradients: one ParamHolder per entry of ``sizes``."""
    inputs = {}
    for i, (p, q) in enumerate(sizes):
        inputs[f"g{i}_P"] = r.normal(size=p) * scale
        inputs[f"g{i}_Q"] = r.normal(size=q) * scale
    return inputs


def _build_holders(inputs):
    n = len([k for k in inputs if k.endswith("_P")])
    return [ParamHolder({"P": np.zeros_like(inputs[f"g{i}_P"]),
                         "Q": np.zeros_like(inputs[f"g{i}_Q"])},
                        {"P": inputs[f"g{i}_P"], "Q": inputs[f"g{i}_Q"]}) for i in range(n)]


@register
class ClipGlobalNormCheck(Check):
    id, notebook, title = "clip_global_norm", NB4, "clip_global_norm"
    subjects = ("clip_global_norm",)
    rtol = 1e-5  # accepts the common "threshold / (norm + 1e-6)" variant

    def cases(self):
        r = _rng(402)
        sizes = [((3, 2), (4,)), ((5,), (2, 2))]
        return [
            Case("under the threshold", dict(_holders(r, sizes, 0.1), threshold=5.0),
                 "if the global norm is at most the threshold, change nothing"),
            Case("over the threshold", dict(_holders(r, sizes, 3.0), threshold=2.0),
                 "multiply EVERY gradient by threshold / global_norm, where global_norm = "
                 "sqrt(sum of squares of all entries of all gradients of all layers)"),
            Case("one layer large, one small",
                 dict(_holders(r, sizes, 0.01), g0_P=r.normal(size=(3, 2)) * 20, threshold=1.0),
                 "all gradients are scaled by the same factor, so the small ones shrink too: "
                 "the direction of the whole gradient is kept"),
            Case("zero gradients", dict(_holders(r, sizes, 0.0), threshold=1.0),
                 "a zero gradient has global norm 0: return 0 and do not divide by it"),
        ]

    def run(self, subjects, inputs):
        net = _build_holders(inputs)
        norm = subjects["clip_global_norm"](net, inputs["threshold"])
        out = {"returned_norm": None if norm is None else float(norm)}
        for i, layer in enumerate(net):
            out[f"layer{i}"] = {"dP": layer.dP, "dQ": layer.dQ}
        return out

    def compare(self, case, got, expected):
        if got.get("returned_norm") is None:
            raise CheckFailed("clip_global_norm must return the global norm before clipping")
        compare_outputs(got, expected, self.rtol)


# ---------------------------------------------------------------- explosion experiment

def _scripted_net(inputs):
    return [ScriptedLayer(inputs[f"A{i}"], inputs[f"B{i}"], inputs[f"P{i}"], inputs[f"Q{i}"])
            for i in range(2)]


def _net_inputs(r, D, H, V):
    return {"A0": r.normal(0, 0.5, (D, H)), "B0": r.normal(0, 0.5, (H, D)),
            "P0": r.normal(size=H), "Q0": r.normal(size=D),
            "A1": r.normal(0, 1.0, (H, V)), "B1": r.normal(0, 0.5, (V, H)),
            "P1": r.normal(size=V), "Q1": r.normal(size=H)}


def _sequence_inputs(r, T, N, D, V):
    return {"data": np.eye(D)[r.integers(0, D, (T, N))], "labels": r.integers(0, V, (T, N))}


@register
class ExplodingGradsCheck(Check):
    id, notebook, title = "exploding_grads", NB4, "run_exploding_grads_test"
    subjects = ("run_exploding_grads_test",)
    collaborators = EARLIER_FUNCTIONS

    def cases(self):
        r = _rng(403)
        D, H, V = 4, 3, 5
        return [
            Case("5 prefixes, no clipping",
                 dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, 5, 2, D, V),
                      max_seq_len=None, clip_threshold=None),
                 "for every length k = 1..T: zero the gradients, forward data[:k], backward "
                 "the loss gradient of labels[:k], then record the mean of |g| over ALL "
                 "gradient entries of ALL layers together"),
            Case("max_seq_len shorter than the data",
                 dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, 6, 1, D, V),
                      max_seq_len=3, clip_threshold=None),
                 "return one value per prefix length 1..max_seq_len"),
            Case("with clipping",
                 dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, 6, 3, D, V),
                      max_seq_len=None, clip_threshold=0.5),
                 "with clip_threshold set, call clip_global_norm(net, clip_threshold) after "
                 "backward and before measuring"),
        ]

    def run(self, subjects, inputs):
        net = _scripted_net(inputs)
        means = subjects["run_exploding_grads_test"](
            net, inputs["data"], inputs["labels"], max_seq_len=inputs["max_seq_len"],
            clip_threshold=inputs["clip_threshold"])
        return {"means": np.asarray(means, dtype=float) if means is not None else None}

    def compare(self, case, got, expected):
        if got.get("means") is None:
            raise CheckFailed("run_exploding_grads_test must return the array of means")
        compare_outputs(got, expected, self.rtol)


# ---------------------------------------------------------------- training step

@register
class RunTrainingCheck(Check):
    id, notebook, title = "run_training", NB5, "run_training"
    subjects = ("run_training",)
    collaborators = EARLIER_FUNCTIONS

    def cases(self):
        r = _rng(501)
        D, H, V = 4, 3, 5

        def case(name, hint, T=4, N=2, **kw):
            return Case(name, dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, T, N, D, V),
                                   **kw), hint)

        return [
            case("forward and backward only", "forward through net in order, softmax, "
                 "cross-entropy; the loss gradient backward through reversed(net); with "
                 "update_weights=False no layer may be updated",
                 learning_rate=0.1, clip_threshold=None, update_weights=False, rule="sgd"),
            case("one SGD step", "after backward, call layer.update_weights(learning_rate, "
                 "update_fun) on every layer; return the loss computed BEFORE the update",
                 learning_rate=0.1, clip_threshold=None, update_weights=True, rule="sgd"),
            case("with clipping", "clip with clip_global_norm(net, clip_threshold) after the "
                 "whole backward pass and before the updates",
                 learning_rate=0.1, clip_threshold=0.5, update_weights=True, rule="sgd"),
            case("with an update rule", "pass update_fun on to update_weights",
                 T=3, N=3, learning_rate=0.05, clip_threshold=5.0, update_weights=True,
                 rule="scaled"),
        ]

    def run(self, subjects, inputs):
        net = _scripted_net(inputs)
        rule = ScaledStep(2.0) if inputs["rule"] == "scaled" else None
        loss = subjects["run_training"](
            net, inputs["data"], inputs["labels"], learning_rate=inputs["learning_rate"],
            clip_threshold=inputs["clip_threshold"], update_weights=inputs["update_weights"],
            update_fun=rule)
        out = {"loss": None if loss is None else float(loss)}
        for i, layer in enumerate(net):
            rec = layer.record()
            out[f"layer{i}"] = {k: rec[k] for k in ("P", "Q", "dP", "dQ", "A", "n_forward",
                                                    "n_backward", "forward_inputs",
                                                    "backward_inputs", "updates")}
        return out

    def compare(self, case, got, expected):
        if got.get("loss") is None:
            raise CheckFailed("run_training must return the loss")
        for i in range(2):
            g, e = got.get(f"layer{i}", {}), expected[f"layer{i}"]
            for key, what in (("n_forward", "forward"), ("n_backward", "backward")):
                if g.get(key) != e[key]:
                    raise CheckFailed(f"net[{i}].{what} was called {g.get(key)} times, "
                                      f"expected {e[key]}")
            if len(g.get("updates", [])) != len(e["updates"]):
                raise CheckFailed(f"net[{i}].update_weights was called "
                                  f"{len(g.get('updates', []))} times, expected "
                                  f"{len(e['updates'])}")
        compare_outputs(got, expected, self.rtol)


# ---------------------------------------------------------------- memorization accuracy

@register
class MemoryTestCheck(Check):
    id, notebook, title = "run_memory_test", NB5, "run_memory_test"
    subjects = ("run_memory_test",)
    collaborators = ("softmax", "cross_entropy_loss", "softmax_cross_entropy_grad")
    rtol = 1e-9

    def cases(self):
        return [
            Case("a perfect network", {"L": 4, "V": 6, "n_sequences": 10, "seed": 1,
                                       "wrong_positions": [], "wrong_before": True},
                 "score only the L outputs AFTER the delimiter (the first L + 1 outputs do "
                 "not count)"),
            Case("wrong at the 2nd remembered symbol",
                 {"L": 4, "V": 6, "n_sequences": 10, "seed": 2, "wrong_positions": [2],
                  "wrong_before": False},
                 "accuracy = mean over all sequences and all L positions of "
                 "(argmax of the output == label)"),
            Case("the original's task size", {"L": 13, "V": 10, "n_sequences": 50, "seed": 3,
                                              "wrong_positions": [1, 13], "wrong_before": True}),
        ]

    def run(self, subjects, inputs):
        def once(seed):
            oracle = CopyOracle(inputs["wrong_positions"], inputs["wrong_before"])
            acc = subjects["run_memory_test"]([oracle], inputs["L"], inputs["V"],
                                              inputs["n_sequences"],
                                              rng=np.random.default_rng(seed))
            return acc, oracle

        acc, first = once(inputs["seed"])
        _, again = once(inputs["seed"])
        _, other = once(inputs["seed"] + 1)
        return {"accuracy": None if acc is None else float(acc),
                "sequences_seen": first.sequences_seen,
                "same_seed_same_data": first.fingerprint() == again.fingerprint(),
                "other_seed_other_data": first.fingerprint() != other.fingerprint()}

    def compare(self, case, got, expected):
        if got.get("accuracy") is None:
            raise CheckFailed("run_memory_test must return the accuracy")
        compare_outputs({"accuracy": got["accuracy"]}, {"accuracy": expected["accuracy"]},
                        self.rtol)
        n, seen = case.inputs["n_sequences"], got.get("sequences_seen")
        if seen not in (n, 2 * n):
            raise CheckFailed(f"the network saw {seen} sequences; with n_sequences = {n} it "
                              f"should see {n} (or {2 * n}, if you run it twice)")
        L, V = case.inputs["L"], case.inputs["V"]
        # Two seeds can only be told apart when there are many possible test sets.
        distinct = L * n * np.log(V - 2) >= np.log(1e6)
        from_rng = got.get("same_seed_same_data") and (
            got.get("other_seed_other_data") or not distinct)
        if not from_rng:
            raise CheckFailed("the test sequences do not come from the rng argument: pass it "
                              "to generate_data_memory(L, V, n_sequences, rng)")
