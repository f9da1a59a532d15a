"""Runners for code that drives a whole network: clipping, the experiment, training, accuracy.

The code under test drives layers, so these tests give it stand-in layers from
``helpers.doubles`` (simple recording layers), never your LinearLayer or BasicRNNCell:
a mistake there is graded once, in its own notebook.
"""

from dataclasses import dataclass

import numpy as np

from ..doubles import CopyOracle, ParamHolder, ScaledStep, ScriptedLayer
from .core import CheckFailed, compare_outputs
from .functions import real_number
from .runner import Runner, register


def holders(inputs):
    """Stand-in layers holding gradients: layer i has parameters P, Q with gradients
    ``inputs["g{i}_P"]``, ``inputs["g{i}_Q"]``."""
    n = len([k for k in inputs if k.endswith("_P")])
    return [
        ParamHolder(
            {"P": np.zeros_like(inputs[f"g{i}_P"]), "Q": np.zeros_like(inputs[f"g{i}_Q"])},
            {"P": inputs[f"g{i}_P"], "Q": inputs[f"g{i}_Q"]},
        )
        for i in range(n)
    ]


def scripted_net(inputs):
    """Two recording layers with the case's matrices A{i}, B{i} and parameters P{i}, Q{i}."""
    return [
        ScriptedLayer(inputs[f"A{i}"], inputs[f"B{i}"], inputs[f"P{i}"], inputs[f"Q{i}"])
        for i in range(2)
    ]


@register
@dataclass(frozen=True, kw_only=True)
class ClipAllGradients(Runner):
    """norm = fn(net, threshold) on stand-in layers; every gradient is compared after."""

    def run(self, fn, inputs):
        net = holders(inputs)
        norm = fn(net, inputs["threshold"])
        out = {"norm": real_number(norm, "the returned norm")}
        for i, layer in enumerate(net):
            out[f"layer{i}"] = {"dP": layer.dP, "dQ": layer.dQ}
        return out


@register
@dataclass(frozen=True, kw_only=True)
class GradientSizes(Runner):
    """means = fn(net, data, labels, max_seq_len=..., clip_threshold=...) on recording layers."""

    def run(self, fn, inputs):
        net = scripted_net(inputs)
        means = fn(
            net,
            inputs["data"],
            inputs["labels"],
            max_seq_len=inputs["max_seq_len"],
            clip_threshold=inputs["clip_threshold"],
        )
        return {"means": np.asarray(means, dtype=float) if means is not None else None}


@register
@dataclass(frozen=True, kw_only=True)
class TrainingStep(Runner):
    """loss = fn(net, data, labels, ...) on recording layers: every call is compared."""

    def run(self, fn, inputs):
        net = scripted_net(inputs)
        rule = ScaledStep(2.0) if inputs["rule"] == "scaled" else None
        loss = fn(
            net,
            inputs["data"],
            inputs["labels"],
            learning_rate=inputs["learning_rate"],
            clip_threshold=inputs["clip_threshold"],
            update_weights=inputs["update_weights"],
            update_fun=rule,
        )
        # In the order a training step happens: what each layer saw, what it was updated
        # with, where it ended; the loss last (any earlier mistake changes it too).
        keys = ("n_forward", "n_backward", "forward_inputs", "backward_inputs", "updates")
        keys += ("dP", "dQ", "P", "Q", "A")
        out = {}
        for i, layer in enumerate(net):
            record = layer.record()
            out[f"layer{i}"] = {k: record[k] for k in keys}
        out["loss"] = real_number(loss, "the returned loss")
        return out

    def compare(self, case, got, expected):
        # The number of calls first: it says more than the values they produced.
        for i in range(len([k for k in expected if k.startswith("layer")])):
            g, e = got.get(f"layer{i}", {}), expected[f"layer{i}"]
            for key, what in (("n_forward", "forward"), ("n_backward", "backward")):
                if g.get(key) != e[key]:
                    raise CheckFailed(
                        f"net[{i}].{what} was called {g.get(key)} times, expected {e[key]}",
                        f"layer{i}.{key}",
                        (f"layer{i}", key),
                    )
            n_updates = len(g.get("updates", []))
            if n_updates != len(e["updates"]):
                raise CheckFailed(
                    f"net[{i}].update_weights was called {n_updates} times, expected "
                    f"{len(e['updates'])}",
                    f"layer{i}.updates",
                    (f"layer{i}", "updates"),
                )
        compare_outputs(got, expected, self.rtol)


@register
@dataclass(frozen=True, kw_only=True)
class MemoryAccuracy(Runner):
    """accuracy = fn([oracle], L, V, n_sequences, rng=...) with a copying oracle that makes
    planted mistakes; run three times to see where the test sequences come from."""

    rtol: float = 1e-9

    def run(self, fn, inputs):
        def once(seed):
            oracle = CopyOracle(inputs["wrong_positions"], inputs["wrong_before"])
            accuracy = fn(
                [oracle],
                inputs["L"],
                inputs["V"],
                inputs["n_sequences"],
                rng=np.random.default_rng(seed),
            )
            return accuracy, oracle

        accuracy, first = once(inputs["seed"])
        _, again = once(inputs["seed"])
        _, other = once(inputs["seed"] + 1)
        return {
            "accuracy": real_number(accuracy, "the returned accuracy"),
            "sequences_seen": first.sequences_seen,
            "same_seed_same_data": first.fingerprint() == again.fingerprint(),
            "other_seed_other_data": first.fingerprint() != other.fingerprint(),
        }

    def compare(self, case, got, expected):
        compare_outputs(
            {"accuracy": got.get("accuracy")}, {"accuracy": expected["accuracy"]}, self.rtol
        )
        n, seen = case.inputs["n_sequences"], got.get("sequences_seen")
        if seen not in (n, 2 * n):
            raise CheckFailed(
                f"the network saw {seen} sequences; with n_sequences = {n} it should see {n} "
                f"(or {2 * n}, if you run it twice)",
                "sequences_seen",
            )
        L, V = case.inputs["L"], case.inputs["V"]
        # Two seeds can only be told apart when there are many possible test sets.
        distinct = L * n * np.log(V - 2) >= np.log(1e6)
        from_rng = got.get("same_seed_same_data") and (
            got.get("other_seed_other_data") or not distinct
        )
        if not from_rng:
            raise CheckFailed(
                "the test sequences do not come from the rng argument: pass it to "
                "generate_data_memory(L, V, n_sequences, rng)",
                "rng",
            )
