"""Runners for notebook 7: the embedding, the LSTM from a carried state, and sampling.

The embedding's backward is given the ``self.x`` of a correct forward pass, and the
carried-state forward is tested on your class with the case's weights, so each method is
judged on its own. Sampling is random: its test draws many characters with a seeded
Generator and compares their FREQUENCIES with softmax(logits / temperature), within a
tolerance of a few standard errors (about 1 in 10^5 for a correct sampler to fail),
not with particular strings.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .core import CheckFailed, make_instance
from .gated import lstm_cell
from .runner import Runner, register


@register
@dataclass(frozen=True, kw_only=True)
class EmbeddingForward(Runner):
    """e = layer.forward(x) with the case's W (V, E) and ids x (T, N)."""

    must_hold: ClassVar[dict] = {
        "x_unchanged": "forward changed its argument x in place; only read it",
    }

    def run(self, cls, inputs):
        V, E = inputs["W"].shape
        layer = make_instance(cls, V, E)
        layer.W = inputs["W"]
        x = inputs["x"]
        before = x.copy()
        e = layer.forward(x)
        return {
            "e": e,
            "self.x": getattr(layer, "x", None),
            "x_unchanged": bool(np.array_equal(x, before)),
        }


@register
@dataclass(frozen=True, kw_only=True)
class EmbeddingBackward(Runner):
    """layer.backward(de) with self.x = the case's ids and the gradient dW0 already held."""

    must_hold: ClassVar[dict] = {
        "de_unchanged": "backward changed its argument de in place; only read it",
        "returns_none": "backward should return None: a character id has no gradient",
    }

    def run(self, cls, inputs):
        V, E = inputs["W"].shape
        layer = make_instance(cls, V, E)
        layer.W = inputs["W"]
        layer.dW = inputs["dW0"].copy()
        layer.x = inputs["x"]
        de = inputs["de"]
        before = de.copy()
        returned = layer.backward(de)
        return {
            "dW": layer.dW,
            "W": layer.W,
            "de_unchanged": bool(np.array_equal(de, before)),
            "returns_none": returned is None,
        }


@register
@dataclass(frozen=True, kw_only=True)
class CarriedForward(Runner):
    """h = cell.forward(x, h0, c0) with the case's weights (h0, c0 None: not passed), after a
    first call on x_before, if the case has one."""

    must_hold: ClassVar[dict] = {
        "state_unchanged": "forward changed h0 or c0 in place; copy them into hs[0] and cs[0]",
    }

    def run(self, cls, inputs):
        cell = lstm_cell(cls, inputs)
        if inputs.get("x_before") is not None:
            cell.forward(inputs["x_before"])
        h0, c0 = inputs.get("h0"), inputs.get("c0")
        before = [None if a is None else a.copy() for a in (h0, c0)]
        if h0 is None and c0 is None:
            h = cell.forward(inputs["x"])
        else:
            h = cell.forward(inputs["x"], h0, c0)
        after = [h0, c0]
        unchanged = all(
            (b is None) or np.array_equal(a, b) for a, b in zip(after, before, strict=True)
        )
        return {
            "h": h,
            "self.x": getattr(cell, "x", None),
            "self.hs": getattr(cell, "hs", None),
            "self.cs": getattr(cell, "cs", None),
            "state_unchanged": unchanged,
        }


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def target_distribution(logits, temperature):
    """What sample_next should draw from, per row of logits (K, V)."""
    if temperature == 0:
        return np.eye(logits.shape[-1])[logits.argmax(axis=-1)]
    return _softmax(logits / temperature)


# Distributions a typical mistake draws from instead: (name, function of logits and T).
WRONG_DISTRIBUTIONS = (
    ("softmax(logits * temperature): DIVIDE the logits by the temperature", lambda z, T: z * T),
    ("softmax(logits): the temperature was not applied; divide the logits by it", lambda z, T: z),
    ("softmax(logits / temperature**2): divide by the temperature once", lambda z, T: z / T**2),
)


@register
@dataclass(frozen=True, kw_only=True)
class SampleFrequencies(Runner):
    """fn(logits, temperature, rng) on ``n_draws`` copies of each of the K rows of
    logits (K, V), with rng = default_rng(seed); again with the same and another seed."""

    uses_expected: ClassVar[bool] = False
    sigmas: float = 5.0  # how many standard errors a frequency may be off

    def run(self, fn, inputs):
        logits, T, n = inputs["logits"], inputs["temperature"], inputs["n_draws"]
        K, V = logits.shape
        tiled = np.tile(logits, (n, 1))  # (n K, V): row j is logits[j % K]
        before = tiled.copy()

        def draw(seed, rows=None):
            out = fn(tiled[:rows], T, np.random.default_rng(seed))
            return np.asarray(out)

        first = draw(inputs["seed"])
        out = {
            "shape": list(first.shape),
            "integer": bool(np.issubdtype(first.dtype, np.integer)),
            "logits_unchanged": bool(np.array_equal(tiled, before)),
        }
        if first.shape != (n * K,) or not out["integer"]:
            return out
        if first.min() < 0 or first.max() >= V:
            out["in_range"] = False
            return out
        out["in_range"] = True
        counts = np.zeros((K, V))
        np.add.at(counts, (np.arange(n * K) % K, first), 1.0)
        out["frequencies"] = counts / n
        # Whether the draws come from rng: on the first 200 rows only (a sampler that loops
        # over rows with rng.choice is slow, and 200 rows tell seeds apart).
        again, other = draw(inputs["seed"], 200), draw(inputs["seed"] + 1, 200)
        out["same_seed_same_draws"] = bool(np.array_equal(again, draw(inputs["seed"], 200)))
        out["other_seed_other_draws"] = not np.array_equal(again, other)
        return out

    def compare(self, case, got, expected):
        logits, T, n = case.inputs["logits"], case.inputs["temperature"], case.inputs["n_draws"]
        K, V = logits.shape
        if not got.get("logits_unchanged", True):
            raise CheckFailed(
                "your code changed its argument logits in place; compute on a copy "
                "(z = logits / temperature) instead of logits /= ...",
                "logits",
            )
        if got.get("shape") != [n * K]:
            raise CheckFailed(
                f"for logits of shape {(n * K, V)} the result should have shape {(n * K,)} "
                f"(one character per row), got {tuple(got.get('shape') or ())}",
                "shape",
            )
        if not got.get("integer"):
            raise CheckFailed("the result should hold integer character ids", "dtype")
        if not got.get("in_range"):
            raise CheckFailed(f"every sampled id must lie in 0..{V - 1}", "range")
        freq = np.asarray(got["frequencies"], float)
        self.check_frequencies(freq, logits, T, n)
        if T > 0 and not got["same_seed_same_draws"]:
            raise CheckFailed(
                "two calls with Generators of the same seed drew different characters: draw "
                "only from the rng argument (rng.random, rng.choice), never np.random.*",
                "rng",
            )
        # Two seeds can only be told apart when 200 draws can differ: the chance that two
        # independent samplers agree on all of them, prod over rows of sum_v p^2, is tiny.
        p = target_distribution(logits, T)
        agree = np.log((p**2).sum(axis=-1))[np.arange(min(200, n * K)) % K].sum()
        if T > 0 and agree < np.log(1e-6) and not got["other_seed_other_draws"]:
            raise CheckFailed(
                "Generators of different seeds drew the same characters: draw from the rng "
                "argument",
                "rng",
            )

    def check_frequencies(self, freq, logits, T, n):
        p = target_distribution(logits, T)
        if T == 0:
            if not np.array_equal(freq, p):
                raise CheckFailed(
                    "with temperature 0 every draw must be the most probable character "
                    "(logits.argmax(axis=-1)), with no randomness",
                    "argmax",
                )
            return
        if self.close(freq, p, n):
            return
        for message, wrong in WRONG_DISTRIBUTIONS:
            q = _softmax(wrong(logits, T))
            if not np.allclose(q, p, atol=0.02) and self.close(freq, q, n):
                raise CheckFailed(f"the frequencies match {message}", "frequencies")
        row, char = np.unravel_index(np.argmax(self.excess(freq, p, n)), p.shape)
        raise CheckFailed(
            f"over {n} draws of logits row {row} at temperature {T}, character {char} came "
            f"{freq[row, char]:.3f} of the time; softmax(logits / temperature) gives it "
            f"{p[row, char]:.3f} (more than {self.sigmas:g} standard errors apart)",
            "frequencies",
        )

    def close(self, freq, p, n):
        """Every count within ``sigmas`` standard errors of n p, plus 3 draws: a character of
        probability 1e-5 may come once in 4000 draws (once in 25 samplers), not 4 times."""
        return bool(np.all(self.excess(freq, p, n) <= 0))

    def excess(self, freq, p, n):
        return np.abs(freq - p) * n - (self.sigmas * np.sqrt(n * p * (1 - p)) + 3)
