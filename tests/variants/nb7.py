"""Notebook 7: Embedding.forward / backward, CarriedLSTMCell.forward, perplexity, sample_next.

The classes' given parts (Embedding.__init__, the LSTM's __init__, gates and backward) are
the reference's, as in the notebook; the variants replace what students write. The
functions use ``softmax`` and ``cross_entropy_loss`` as globals of one notebook namespace.
"""

import numpy as np

from course.reference.CharLM import CarriedLSTMCell, Embedding
from helpers.data import one_hot

from . import Variant
from .nb1 import ce_ref as cross_entropy_loss
from .nb1 import softmax_ref as softmax

# ------------------------------------------------------------------ Embedding.forward


def emb_forward_ref(self, x):
    self.x = x
    return self.W[x]


def emb_forward_one_hot(self, x):
    """The one-hot product the lookup replaces."""
    self.x = x
    return one_hot(x, self.W.shape[0]) @ self.W


def emb_forward_take(self, x):
    self.x = x.copy()
    return np.take(self.W, x, axis=0)


def emb_forward_loops(self, x):
    T, N = x.shape
    e = np.zeros((T, N, self.W.shape[1]))
    for t in range(T):
        for n in range(N):
            e[t, n] = self.W[x[t, n]]
    self.x = x
    return e


def emb_forward_no_cache(self, x):
    return self.W[x]


def emb_forward_columns(self, x):
    self.x = x
    return self.W[:, x]  # as if W were (E, V): columns


def emb_forward_transposed_ids(self, x):
    self.x = x
    return self.W[x.T]  # (N, T, E): batch-major


def emb_forward_scaled(self, x):
    self.x = x
    return self.W[x] * np.sqrt(self.W.shape[1])  # a Transformer habit, not asked for


def emb_forward_ids_from_one(self, x):
    self.x = x
    return self.W[x - 1]  # ids counted from 1


def emb_forward_normalised(self, x):
    self.x = x
    e = self.W[x]
    return e / np.linalg.norm(e, axis=-1, keepdims=True)


# ------------------------------------------------------------------ Embedding.backward


def emb_backward_ref(self, de):
    np.add.at(self.dW, self.x, de)


def emb_backward_loops(self, de):
    T, N = self.x.shape
    for t in range(T):
        for n in range(N):
            self.dW[self.x[t, n]] += de[t, n]


def emb_backward_one_hot(self, de):
    V, E = self.W.shape
    self.dW += one_hot(self.x, V).reshape(-1, V).T @ de.reshape(-1, E)


def emb_backward_bincount(self, de):
    V, E = self.W.shape
    ids = self.x.ravel()
    flat = de.reshape(-1, E)
    for k in range(E):
        self.dW[:, k] += np.bincount(ids, weights=flat[:, k], minlength=V)
    return None


def emb_backward_buffered(self, de):
    self.dW[self.x] += de  # repeated ids: only one of their gradients is added


def emb_backward_buffered_per_step(self, de):
    for t in range(self.x.shape[0]):
        self.dW[self.x[t]] += de[t]  # repeats within a step are lost


def emb_backward_overwrites(self, de):
    self.dW = np.zeros_like(self.W)
    np.add.at(self.dW, self.x, de)


def emb_backward_averages(self, de):
    counts = np.bincount(self.x.ravel(), minlength=self.W.shape[0])
    np.add.at(self.dW, self.x, de / counts[self.x][..., None])  # a mean per character


def emb_backward_returns_gradient(self, de):
    np.add.at(self.dW, self.x, de)
    return self.dW  # the ids have no gradient: should return None


def emb_backward_into_de(self, de):
    de *= 1.0 / de.shape[1]  # "average over the batch", in place: changes the argument
    np.add.at(self.dW, self.x, de * de.shape[1])


# ------------------------------------------------------------------ CarriedLSTMCell.forward


def _carried(h_start="h0", c_start="c0", truthiness=False, in_place=False):
    """A forward pass from (h0, c0) with one thing changed (the defaults are correct)."""

    def forward(self, x, h0=None, c0=None):
        T, N, _ = x.shape
        H = self.W_h.shape[1]
        a_in = x @ self.W_x.T + self.b
        hs = np.zeros((T + 1, N, H))
        cs = np.zeros((T + 1, N, H))
        given = {"h0": h0, "c0": c0, None: None}
        h_init, c_init = given[h_start], given[c_start]
        if truthiness:
            if h_init:  # ValueError for an array
                hs[0] = h_init
        elif h_init is not None:
            hs[0] = h_init
        if c_init is not None:
            cs[0] = c_init
        c = c_init if (in_place and c_init is not None) else cs[0].copy()
        for t in range(T):
            f, i, o, g = self.gates(a_in[t] + hs[t] @ self.W_h.T)
            c *= f  # in place: with in_place, this changes the caller's c0
            c += i * g
            cs[t + 1] = c
            hs[t + 1] = o * np.tanh(c)
        self.x, self.hs, self.cs = x, hs, cs
        return hs[1:]

    return forward


def carried_with_lists(self, x, h0=None, c0=None):
    """States in lists, zeros made where None, explicit sigmoid."""
    T, N, _ = x.shape
    H = self.W_h.shape[1]
    h = np.zeros((N, H)) if h0 is None else np.array(h0, dtype=float)
    c = np.zeros((N, H)) if c0 is None else np.array(c0, dtype=float)
    hs, cs = [h], [c]
    for t in range(T):
        a = x[t] @ self.W_x.T + h @ self.W_h.T + self.b
        f, i, o = (1 / (1 + np.exp(-a[:, k * H : (k + 1) * H])) for k in range(3))
        c = f * c + i * np.tanh(a[:, 3 * H :])
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    self.x, self.hs, self.cs = x, np.stack(hs), np.stack(cs)
    return self.hs[1:]


def carried_einsum(self, x, h0=None, c0=None):
    T, N, _ = x.shape
    H = self.W_h.shape[1]
    self.x = x
    self.hs = np.zeros((T + 1, N, H))
    self.cs = np.zeros((T + 1, N, H))
    self.hs[0] = 0.0 if h0 is None else h0
    self.cs[0] = 0.0 if c0 is None else c0
    for t in range(T):
        a = np.einsum("nd,kd->nk", x[t], self.W_x) + np.einsum("nh,kh->nk", self.hs[t], self.W_h)
        f, i, o, g = self.gates(a + self.b)
        self.cs[t + 1] = f * self.cs[t] + i * g
        self.hs[t + 1] = o * np.tanh(self.cs[t + 1])
    return self.hs[1:].copy()


def carried_remembers_last_call(self, x, h0=None, c0=None):
    """Starts from the previous call's last state when none is given (a 'stateful' cell)."""
    if h0 is None and hasattr(self, "hs"):
        h0, c0 = self.hs[-1], self.cs[-1]
    return _carried()(self, x, h0, c0)


CARRIED_CORRECT = [
    ("as the reference, states in arrays", _carried()),
    ("states in lists, explicit sigmoid", carried_with_lists),
    ("einsum, states kept on self", carried_einsum),
]

CARRIED_BUGS = [
    ("h0 ignored", _carried(h_start=None)),
    ("c0 ignored", _carried(c_start=None)),
    ("h0 and c0 swapped", _carried(h_start="c0", c_start="h0")),
    ("truthiness test of an array", _carried(truthiness=True)),
    ("c0 updated in place", _carried(in_place=True)),
    ("starts from the previous call's state", carried_remembers_last_call),
]


# ------------------------------------------------------------------ perplexity


def pp_ref(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(np.exp(-np.log(p).mean()))


def pp_bits(probs, targets):
    """2 ** (cross-entropy in bits): the same number."""
    T, N, _ = probs.shape
    p = probs[np.arange(T)[:, None], np.arange(N)[None, :], targets]
    return float(2.0 ** (-np.log2(p).mean()))


def pp_from_loss(probs, targets):
    """The course's loss sums over time and averages over the batch: divide by T."""
    return float(np.exp(cross_entropy_loss(probs, targets) / probs.shape[0]))


def pp_loops(probs, targets):
    T, N, _ = probs.shape
    total = 0.0
    for t in range(T):
        for n in range(N):
            total -= np.log(probs[t, n, targets[t, n]])
    return float(np.exp(total / (T * N)))


def pp_summed(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(np.exp(-np.log(p).sum() / probs.shape[1]))  # summed over time


def pp_no_minus(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(np.exp(np.log(p).mean()))


def pp_no_exp(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(-np.log(p).mean())


def pp_over_time_only(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(np.exp(-np.log(p).sum() / probs.shape[0]))  # summed over the batch


def pp_most_probable(probs, targets):
    return float(np.exp(-np.log(probs.max(axis=-1)).mean()))  # ignores the targets


def pp_inverse_mean_probability(probs, targets):
    p = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(1.0 / p.mean())  # arithmetic, not geometric, mean


# ------------------------------------------------------------------ sample_next


def sample_ref(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(axis=-1)
    p = softmax(logits / temperature)
    u = rng.random((logits.shape[0], 1))
    return np.minimum((p.cumsum(axis=-1) < u).sum(axis=-1), logits.shape[-1] - 1)


def sample_choice(logits, temperature, rng):
    """rng.choice row by row."""
    if temperature == 0:
        return np.argmax(logits, axis=1)
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    return np.array([rng.choice(len(row), p=row) for row in p])


def sample_gumbel(logits, temperature, rng):
    """The Gumbel-max trick: argmax(logits / T + Gumbel noise) is a draw from softmax."""
    if temperature == 0:
        return logits.argmax(-1)
    return np.argmax(logits / temperature + rng.gumbel(size=logits.shape), axis=-1)


def sample_searchsorted(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    p = softmax(logits / temperature)
    cdf = np.cumsum(p, axis=-1)
    u = rng.random(len(p)) * cdf[:, -1]
    return np.array([np.searchsorted(c, v, side="right") for c, v in zip(cdf, u, strict=True)])


def sample_multiplied(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    return sample_ref(logits * temperature, 1.0, rng)  # multiplied, not divided


def sample_no_temperature(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    return sample_ref(logits, 1.0, rng)


def sample_temperature_squared(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    return sample_ref(logits / temperature, temperature, rng)  # divided twice


def sample_global_random(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    p = softmax(logits / temperature)
    u = np.random.random((len(p), 1))  # the global generator, not rng
    return np.minimum((p.cumsum(-1) < u).sum(-1), p.shape[-1] - 1)


def sample_zero_divides(logits, temperature, rng):
    with np.errstate(divide="ignore", invalid="ignore"):
        p = softmax(logits / temperature)  # temperature 0: inf - inf = nan
    u = rng.random((len(p), 1))
    return np.minimum((p.cumsum(-1) < u).sum(-1), p.shape[-1] - 1)


def sample_off_by_one(logits, temperature, rng):
    if temperature == 0:
        return logits.argmax(-1)
    p = softmax(logits / temperature)
    u = rng.random((len(p), 1))
    return np.minimum((p.cumsum(-1) <= u).sum(-1) + 1, p.shape[-1] - 1)


def sample_always_argmax(logits, temperature, rng):
    return logits.argmax(-1)  # "the most likely character" at every temperature


def sample_keeps_axis(logits, temperature, rng):
    return sample_ref(logits, temperature, rng)[:, None]  # (N, 1)


# ------------------------------------------------------------------ the registry


def emb_class(**methods):
    return type("Embedding", (Embedding,), methods)


def carried_class(forward):
    return type("CarriedLSTMCell", (CarriedLSTMCell,), {"forward": forward})


def _variants():
    out = []

    def add(check, subject, kind, items, **kw):
        out.extend(Variant(check, name, kind, {subject: obj}, **kw) for name, obj in items)

    add(
        "embedding_forward",
        "Embedding",
        "correct",
        [
            ("row lookup", emb_class(forward=emb_forward_ref)),
            ("one-hot product", emb_class(forward=emb_forward_one_hot)),
            ("np.take on a copy", emb_class(forward=emb_forward_take)),
            ("two loops", emb_class(forward=emb_forward_loops)),
        ],
    )
    add(
        "embedding_forward",
        "Embedding",
        "bug",
        [
            ("input not kept", emb_class(forward=emb_forward_no_cache)),
            ("columns instead of rows", emb_class(forward=emb_forward_columns)),
            ("batch-major ids", emb_class(forward=emb_forward_transposed_ids)),
            ("scaled by sqrt E", emb_class(forward=emb_forward_scaled)),
            ("ids counted from one", emb_class(forward=emb_forward_ids_from_one)),
            ("rows normalised", emb_class(forward=emb_forward_normalised)),
        ],
        also_pass=("embedding_backward",),
    )
    add(
        "embedding_backward",
        "Embedding",
        "correct",
        [
            ("np.add.at", emb_class(backward=emb_backward_ref)),
            ("two loops", emb_class(backward=emb_backward_loops)),
            ("one-hot product", emb_class(backward=emb_backward_one_hot)),
            ("bincount per feature", emb_class(backward=emb_backward_bincount)),
        ],
    )
    add(
        "embedding_backward",
        "Embedding",
        "bug",
        [
            ("buffered fancy-index add", emb_class(backward=emb_backward_buffered)),
            ("buffered add per step", emb_class(backward=emb_backward_buffered_per_step)),
            ("gradient overwritten", emb_class(backward=emb_backward_overwrites)),
            ("averaged per character", emb_class(backward=emb_backward_averages)),
            ("returns the gradient", emb_class(backward=emb_backward_returns_gradient)),
            ("scales de in place", emb_class(backward=emb_backward_into_de)),
        ],
        also_pass=("embedding_forward",),
    )
    add(
        "lstm_carried_forward",
        "CarriedLSTMCell",
        "correct",
        [(name, carried_class(f)) for name, f in CARRIED_CORRECT],
    )
    add(
        "lstm_carried_forward",
        "CarriedLSTMCell",
        "bug",
        [(name, carried_class(f)) for name, f in CARRIED_BUGS],
    )
    add(
        "perplexity",
        "perplexity",
        "correct",
        [
            ("take_along_axis", pp_ref),
            ("in bits", pp_bits),
            ("from the course's loss", pp_from_loss),
            ("two loops", pp_loops),
        ],
    )
    add(
        "perplexity",
        "perplexity",
        "bug",
        [
            ("summed over time", pp_summed),
            ("no minus sign", pp_no_minus),
            ("no exponential", pp_no_exp),
            ("summed over the batch", pp_over_time_only),
            ("most probable instead of target", pp_most_probable),
            ("inverse mean probability", pp_inverse_mean_probability),
        ],
    )
    add(
        "sample_next",
        "sample_next",
        "correct",
        [
            ("inverse transform", sample_ref),
            ("rng.choice per row", sample_choice),
            ("Gumbel-max trick", sample_gumbel),
            ("searchsorted", sample_searchsorted),
        ],
    )
    add(
        "sample_next",
        "sample_next",
        "bug",
        [
            ("logits multiplied by the temperature", sample_multiplied),
            ("temperature ignored", sample_no_temperature),
            ("divided twice", sample_temperature_squared),
            ("global random generator", sample_global_random),
            ("temperature zero divides", sample_zero_divides),
            ("inverse transform off by one", sample_off_by_one),
            ("always argmax", sample_always_argmax),
            ("keeps a trailing axis", sample_keeps_axis),
        ],
    )
    return out


VARIANTS = _variants()
