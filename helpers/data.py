"""Data for the course's two experiments, with the original assignment's encoding.

Memorization (copy) task, vocabulary of size V:
    symbols 0..V-3 are content, V-2 is the delimiter, V-1 is the blank.
    input  = s_1 ... s_L, DELIM, BLANK x L          (length T = 2L + 1)
    labels = BLANK x L,   DELIM, s_1 ... s_L
so after reading the delimiter the network must repeat the L symbols in order.
Only the L outputs after the delimiter count for accuracy.

Shapes are time-major: data (T, N, V) one-hot float64, labels (T, N) int64.
"""

import os

import numpy as np

from .validation import require_int


def delimiter_index(n_vocab):
    """Index of the delimiter symbol in a vocabulary of size ``n_vocab`` (V - 2)."""
    return n_vocab - 2


def blank_index(n_vocab):
    """Index of the blank symbol in a vocabulary of size ``n_vocab`` (V - 1)."""
    return n_vocab - 1


def one_hot(indices, n_vocab):
    """One-hot encode integer ``indices`` of any shape S into a float array of shape S + (V,)."""
    indices = np.asarray(indices)
    return np.eye(n_vocab)[indices]


def _generator(rng):
    """``rng``, or a fresh unseeded Generator when it is None."""
    return rng if rng is not None else np.random.default_rng()


def generate_data_memory(to_remember_len, vocab_size, batch_size=1, rng=None):
    """Generate a batch for the memorization task.

    Args:
        to_remember_len: L, the number of symbols to remember (>= 1).
        vocab_size: V, including the delimiter (V-2) and the blank (V-1); V >= 3.
        batch_size: N, the number of sequences (>= 1).
        rng: a numpy Generator (np.random.default_rng(seed)) for reproducible data.

    Returns:
        data: (2L+1, N, V) one-hot inputs.
        labels: (2L+1, N) integer targets.
    """
    L = require_int(to_remember_len, "to_remember_len", minimum=1)
    V = require_int(vocab_size, "vocab_size", minimum=3)
    N = require_int(batch_size, "batch_size", minimum=1)
    rng = _generator(rng)
    delim, blank = delimiter_index(V), blank_index(V)
    symbols = rng.integers(0, V - 2, size=(L, N))
    inputs = np.full((2 * L + 1, N), blank, dtype=np.int64)
    inputs[:L] = symbols
    inputs[L] = delim
    labels = np.full((2 * L + 1, N), blank, dtype=np.int64)
    labels[L] = delim
    labels[L + 1 :] = symbols
    return one_hot(inputs, V), labels


def generate_random_data(n_samples, n_vocab, batch_size=1, rng=None):
    """Random symbol sequences set up for next-symbol prediction (the explosion experiment).

    Draws ``n_samples`` symbols per sequence; the input at step t is symbol t and the
    label is symbol t+1, so sequences have T = n_samples - 1 steps.

    Returns:
        data: (n_samples-1, N, V) one-hot inputs.
        labels: (n_samples-1, N) integer targets.
    """
    n = require_int(n_samples, "n_samples", minimum=2)
    V = require_int(n_vocab, "n_vocab", minimum=2)
    N = require_int(batch_size, "batch_size", minimum=1)
    symbols = _generator(rng).integers(0, V, size=(n, N))
    return one_hot(symbols[:-1], V), symbols[1:].astype(np.int64)


def decode(data_or_labels):
    """Integer symbols from one-hot data (T, N, V) or pass integer labels (T, N) through."""
    a = np.asarray(data_or_labels)
    return a.argmax(axis=-1) if a.ndim == 3 else a


def generate_data_delayed_recall(to_remember_len, delay, vocab_size, batch_size=1, rng=None):
    """The memorization task with a pause: ``delay`` blanks between the symbols and the
    delimiter (notebook 6), so the symbols must be held ``delay`` steps longer.

    Returns:
        data: (2L + 1 + delay, N, V) one-hot inputs.
        labels: (2L + 1 + delay, N) integer targets (blank during the pause).
    """
    L = require_int(to_remember_len, "to_remember_len", minimum=1)
    K = require_int(delay, "delay", minimum=0)
    data, labels = generate_data_memory(L, vocab_size, batch_size, rng)
    blank = blank_index(vocab_size)
    pause_in = np.broadcast_to(one_hot(blank, vocab_size), (K, *data.shape[1:]))
    pause_out = np.full((K, labels.shape[1]), blank, dtype=labels.dtype)
    return (
        np.concatenate([data[:L], pause_in, data[L:]]),
        np.concatenate([labels[:L], pause_out, labels[L:]]),
    )


TEXTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "texts")


def load_text(name="devils_dictionary_a_to_g.txt"):
    """A text the course ships in helpers/texts (public domain: see its README.md)."""
    with open(os.path.join(TEXTS, name), encoding="utf-8") as f:
        return f.read()


def char_vocabulary(text):
    """The sorted distinct characters of ``text`` (index = id), and ids (L,) int64 of it."""
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}
    return vocab, np.array([index[ch] for ch in text], dtype=np.int64)
