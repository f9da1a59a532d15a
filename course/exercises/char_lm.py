"""Notebook 7: the embedding, the LSTM from a carried state, perplexity and sampling."""

import numpy as np

from course.reference import CharLM as ref
from helpers.checks.charlm import (
    CarriedForward,
    EmbeddingBackward,
    EmbeddingForward,
    SampleFrequencies,
)
from helpers.checks.functions import FunctionCall

from .cases import Case, probabilities
from .exercise import Exercise, Mistake
from .gated_cells import lstm_inputs

NOTEBOOK = "07_char_lm"


# ------------------------------------------------------------------ the embedding


def embedding_inputs(r, T, N, V, E, repeated=False):
    """W (V, E), ids x (T, N) in 0..V-1 (``repeated``: few distinct ids), de (T, N, E),
    dW0 (V, E) already held."""
    high = 2 if repeated else V
    return {
        "W": r.normal(size=(V, E)),
        "x": r.integers(0, high, (T, N)),
        "de": r.normal(size=(T, N, E)),
        "dW0": r.normal(size=(V, E)),
    }


def embedding_forward_visible(r):
    return [
        Case(
            "one character",
            embedding_inputs(r, 1, 1, 5, 3),
            "the vector of character x is ROW x of W: e = W[x], shape (T, N, E)",
        ),
        Case(
            "a batch of sequences",
            embedding_inputs(r, 4, 3, 6, 2),
            "index W with the whole (T, N) array at once: W[x] has shape (T, N, E); keep "
            "self.x = x for backward",
        ),
    ]


def embedding_forward_hidden(r):
    return [
        Case("long sequence", embedding_inputs(r, 30, 2, 9, 4)),
        Case("one feature", embedding_inputs(r, 5, 4, 3, 1)),
        Case("repeated characters", embedding_inputs(r, 6, 3, 7, 5, repeated=True)),
    ]


embedding_forward = Exercise(
    id="embedding_forward",
    title="Embedding.forward",
    points=1,
    subject="Embedding",
    reference=ref.Embedding,
    runner=EmbeddingForward(),
    seed=701,
    visible=embedding_forward_visible,
    hidden=embedding_forward_hidden,
    hints={"self.x": "forward must keep its input: self.x = x"},
    mistakes=(
        Mistake(
            "forward must keep its input for backward: self.x = x",
            "self.x = x",
            "pass",
            "forward",
        ),
    ),
)


def embedding_backward_visible(r):
    return [
        Case(
            "distinct characters",
            dict(embedding_inputs(r, 1, 3, 5, 2), x=np.array([[0, 3, 1]])),
            "row x of dW receives de at the position of x: dW[x[t, n]] += de[t, n]",
        ),
        Case(
            "repeated characters",
            embedding_inputs(r, 4, 3, 5, 2, repeated=True),
            "a character that occurs k times gets the SUM of its k gradients: "
            "np.add.at(self.dW, self.x, de); dW[self.x] += de keeps only one of them",
        ),
        Case(
            "accumulates into the gradient",
            embedding_inputs(r, 3, 2, 4, 3),
            "backward must ADD to self.dW (+=), and return None",
        ),
    ]


def embedding_backward_hidden(r):
    return [
        Case("one step, one sequence", embedding_inputs(r, 1, 1, 4, 2)),
        Case("long text, few characters", embedding_inputs(r, 40, 3, 6, 3, repeated=True)),
        Case("many characters", embedding_inputs(r, 7, 5, 30, 4)),
    ]


embedding_backward = Exercise(
    id="embedding_backward",
    title="Embedding.backward",
    points=2,
    subject="Embedding",
    reference=ref.Embedding,
    runner=EmbeddingBackward(),
    seed=702,
    visible=embedding_backward_visible,
    hidden=embedding_backward_hidden,
    hints={"dW": "dW[v] sums de[t, n] over every position where x[t, n] == v"},
    mistakes=(
        Mistake(
            "repeated characters: dW[self.x] += de adds only one of the gradients of a "
            "character that occurs several times; np.add.at(self.dW, self.x, de) adds all",
            "np.add.at(self.dW, self.x, de)",
            "self.dW[self.x] += de",
            "backward",
        ),
        Mistake(
            "backward must ADD to self.dW: gradients accumulate until the update step",
            "np.add.at(self.dW, self.x, de)",
            "self.dW[...] = 0.0; np.add.at(self.dW, self.x, de)",
            "backward",
        ),
    ),
)


# ------------------------------------------------------------------ the carried state


def carried_inputs(r, T, N, D, H, h0=True, c0=True, **kw):
    inputs = lstm_inputs(r, T, N, D, H, **kw)
    inputs["h0"] = r.normal(size=(N, H)) if h0 else np.zeros((N, H))
    inputs["c0"] = r.normal(size=(N, H)) if c0 else np.zeros((N, H))
    return inputs


def carried_visible(r):
    return [
        Case(
            "no state given",
            dict(lstm_inputs(r, 4, 2, 3, 3), h0=None, c0=None, x_before=r.normal(size=(5, 2, 3))),
            "without h0 and c0 the cell starts from zeros, exactly as in notebook 6, whatever "
            "an earlier call left in self.hs: the state is carried by the caller",
        ),
        Case(
            "a carried hidden state only (c0 = 0)",
            carried_inputs(r, 3, 2, 3, 3, c0=False),
            "hs[0] = h0: the first step's recurrent term is W_h h0",
        ),
        Case(
            "a carried cell state only (h0 = 0)",
            carried_inputs(r, 3, 2, 3, 3, h0=False),
            "cs[0] = c0: the first step's cell state is c_1 = f_1 * c0 + i_1 * g_1",
        ),
        Case(
            "both carried",
            carried_inputs(r, 5, 3, 3, 3),
            "start from hs[0] = h0 and cs[0] = c0 (copies: do not change the arguments)",
        ),
    ]


def carried_hidden(r):
    return [
        Case("one step", carried_inputs(r, 1, 1, 2, 2)),
        Case("long chunk", carried_inputs(r, 25, 3, 4, 5)),
        Case("hidden state only, large weights", carried_inputs(r, 6, 2, 3, 4, c0=False, scale=2)),
        Case(
            "cell state only, forget bias 3", carried_inputs(r, 8, 2, 3, 2, h0=False, forget_bias=3)
        ),
        Case(
            "no state given, after a longer call",
            dict(lstm_inputs(r, 10, 2, 3, 3), h0=None, c0=None, x_before=r.normal(size=(12, 2, 3))),
        ),
    ]


lstm_carried_forward = Exercise(
    id="lstm_carried_forward",
    title="CarriedLSTMCell.forward",
    points=2,
    subject="CarriedLSTMCell",
    reference=ref.CarriedLSTMCell,
    runner=CarriedForward(),
    seed=703,
    visible=carried_visible,
    hidden=carried_hidden,
    hints={
        "self.hs": "hs has shape (T+1, N, H) with hs[0] = h0 (zeros if h0 is None)",
        "self.cs": "cs has shape (T+1, N, H) with cs[0] = c0 (zeros if c0 is None)",
    },
    mistakes=(
        Mistake(
            "the carried hidden state starts the recurrence: hs[0] = h0",
            "hs[0] = h0",
            "pass",
            "forward",
        ),
        Mistake(
            "the carried cell state starts the cell: cs[0] = c0",
            "cs[0] = c0",
            "pass",
            "forward",
        ),
        Mistake(
            "hs[0] is h0 and cs[0] is c0, not the other way round",
            "hs[0] = h0",
            "hs[0] = c0",
            "forward",
        ),
    ),
)


# ------------------------------------------------------------------ perplexity


def perplexity_inputs(r, T, N, V, spread=1.0):
    return {"probs": probabilities(r, T, N, V, spread), "targets": r.integers(0, V, (T, N))}


def uniform_inputs(r, T, N, V):
    return {"probs": np.full((T, N, V), 1.0 / V), "targets": r.integers(0, V, (T, N))}


perplexity = Exercise(
    id="perplexity",
    title="perplexity",
    points=1,
    subject="perplexity",
    reference=ref.perplexity,
    runner=FunctionCall(args=("probs", "targets"), output="perplexity", scalar=True),
    seed=704,
    visible=lambda r: [
        Case(
            "the uniform model",
            uniform_inputs(r, 3, 2, 7),
            "a model that gives every one of V characters 1/V has perplexity exactly V",
        ),
        Case(
            "several steps and sequences",
            perplexity_inputs(r, 4, 3, 5),
            "the MEAN negative log-probability of the targets over all T * N characters, then exp",
        ),
    ],
    hidden=lambda r: [
        Case("one character", perplexity_inputs(r, 1, 1, 4)),
        Case("uniform, large vocabulary", uniform_inputs(r, 5, 3, 80)),
        Case("confident model", perplexity_inputs(r, 20, 4, 10, spread=4.0)),
    ],
    mistakes=(
        Mistake(
            "average the negative log-probabilities over all T * N characters (mean), "
            "do not sum them",
            "np.exp(-np.log(p_true).mean())",
            "np.exp(-np.log(p_true).sum() / N)",
        ),
        Mistake(
            "perplexity is exp of the mean NEGATIVE log-likelihood (minus sign)",
            "np.exp(-np.log(p_true).mean())",
            "np.exp(np.log(p_true).mean())",
        ),
        Mistake(
            "perplexity is the EXPONENTIAL of the mean negative log-likelihood",
            "np.exp(-np.log(p_true).mean())",
            "-np.log(p_true).mean()",
        ),
    ),
)


# ------------------------------------------------------------------ sampling


def sample_inputs(r, K, V, temperature, n_draws=4000, spread=1.5, seed=None):
    return {
        "logits": r.normal(0, spread, (K, V)),
        "temperature": temperature,
        "n_draws": n_draws,
        "seed": int(r.integers(2**31)) if seed is None else seed,
    }


def sample_visible(r):
    return [
        Case(
            "temperature 1: the model's distribution",
            sample_inputs(r, 2, 4, 1.0),
            "draw from p = softmax(logits), one character per row, with the rng argument "
            "(e.g. rng.random for an inverse transform, or rng.choice(V, p=p[n]))",
        ),
        Case(
            "temperature 0.5: sharper",
            sample_inputs(r, 2, 4, 0.5),
            "divide the logits by the temperature: p = softmax(logits / temperature)",
        ),
        Case(
            "temperature 2: flatter",
            sample_inputs(r, 1, 5, 2.0),
            "divide the logits by the temperature: p = softmax(logits / temperature)",
        ),
        Case(
            "temperature 0: the most probable character",
            sample_inputs(r, 3, 4, 0.0, n_draws=50),
            "temperature 0 is the limit of a sharper and sharper softmax: return "
            "logits.argmax(axis=-1), without dividing by 0",
        ),
    ]


def sample_hidden(r):
    return [
        Case("temperature 1, many characters", sample_inputs(r, 2, 30, 1.0, spread=2.0)),
        Case("temperature 0.25", sample_inputs(r, 3, 6, 0.25)),
        Case("temperature 3, one row", sample_inputs(r, 1, 8, 3.0)),
        Case("temperature 0, many rows", sample_inputs(r, 8, 10, 0.0, n_draws=20)),
        Case("large logits at temperature 1", sample_inputs(r, 2, 5, 1.0, spread=30.0)),
    ]


sample_next = Exercise(
    id="sample_next",
    title="sample_next",
    points=2,
    subject="sample_next",
    reference=ref.sample_next,
    runner=SampleFrequencies(),
    seed=705,
    visible=sample_visible,
    hidden=sample_hidden,
    hints={
        "frequencies": "draw from p = softmax(logits / temperature), row by row",
        "argmax": "if temperature == 0: return logits.argmax(axis=-1)",
        "rng": "use only the Generator passed in: rng.random(...) or rng.choice(...)",
        "shape": "one id per row: a result of shape (N,)",
        "dtype": "return integer ids (argmax, rng.choice and comparisons give integers)",
    },
)

DECLARED = [embedding_forward, embedding_backward, lstm_carried_forward, perplexity, sample_next]
