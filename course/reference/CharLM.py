"""A character-level language model: embedding, LSTM with a carried state, softmax.

Reference solution for notebook 7. Time-major shapes, as everywhere in the course:
character ids x (T, N) integer in 0..V-1, embeddings (T, N, E), hidden states (T, N, H),
logits and probs (T, N, V), targets (T, N) integer; T time steps, N parallel streams of
text. The model is

    e_t = W_emb[x_t]                      Embedding: a row lookup, (T, N) -> (T, N, E)
    h_t, c_t = LSTM(e_t, h_{t-1}, c_{t-1})  the course's LSTMCell, from a carried state
    logits_t = W h_t + b                  LinearLayer, (T, N, H) -> (T, N, V)
    p_t = softmax(logits_t)               the distribution of the NEXT character x_{t+1}

trained with teacher forcing (the true character is fed in at every step, whatever the
model predicted) by truncated backpropagation through time: the text is cut into chunks
of T steps, and the state at the end of one chunk starts the next (detached: the gradient
stops at the chunk's first step).
"""

import time

import numpy as np

from helpers.optim import Adam
from helpers.validation import require_array, require_int

from .common import Layer, clip_global_norm, cross_entropy_loss, softmax, softmax_cross_entropy_grad
from .LinearLayer import LinearLayer
from .LSTMCell import LSTMCell


class Embedding(Layer):
    """A lookup table: row ``x`` of ``W`` is the vector of character ``x``.

    Multiplying a one-hot vector by a matrix selects one of its columns; the lookup does
    the same without building the (T, N, V) one-hot array or multiplying by its zeros.

    Parameters: W (V, E); gradient dW (V, E). ``forward`` keeps ``self.x`` (T, N).
    """

    param_names = ("W",)

    def __init__(self, n_vocab, n_embed, rng=None):
        """W ~ Normal(0, 1) (as torch.nn.Embedding), zero gradient.

        Args:
            n_vocab: V, characters. n_embed: E, features per character.
            rng: numpy Generator to draw from (np.random.default_rng() if None).
        """
        rng = rng if rng is not None else np.random.default_rng()
        self.W = rng.normal(0.0, 1.0, size=(n_vocab, n_embed))
        self.dW = np.zeros_like(self.W)

    def forward(self, x):
        """Look up every character.

        Args:
            x: (T, N) integer character ids in 0..V-1.

        Returns:
            e: (T, N, E), e[t, n] = W[x[t, n]]. Stores ``self.x = x`` for backward.
        """
        require_array(x, "x", ndim=2)
        ### BEGIN SOLUTION
        self.x = x
        return self.W[x]
        ### END SOLUTION

    def backward(self, de):
        """Add dloss/dW to ``self.dW``: every row receives the sum of the gradients of all
        the positions where its character occurs.

        Args:
            de: (T, N, E), dloss/de.

        Returns:
            None: the input is a character id, which has no gradient.
        """
        require_array(de, "de", shape=self.x.shape + (self.W.shape[1],))
        ### BEGIN SOLUTION
        # np.add.at adds once per occurrence; self.dW[self.x] += de would add only the
        # last of the repeated characters (buffered fancy-index assignment).
        np.add.at(self.dW, self.x, de)
        ### END SOLUTION


class CarriedLSTMCell(LSTMCell):
    """The LSTMCell of notebook 6, started from a given state instead of zero.

    Everything but ``forward`` is inherited: ``backward`` reads the states from
    ``self.hs`` and ``self.cs``, so with hs[0] = h_0 and cs[0] = c_0 it is right as it is
    (and the gradient stops at h_0, c_0: nothing flows into the previous chunk).
    """

    def forward(self, x, h0=None, c0=None):
        """Run the recurrence over all T steps, from the state (h0, c0).

        Args:
            x: (T, N, D) inputs.
            h0, c0: (N, H) the state to start from; None for zeros.

        Returns:
            h: (T, N, H). Stores ``self.x = x``, ``self.hs`` and ``self.cs``, both
            (T+1, N, H), with hs[0] = h0 and cs[0] = c0; neither argument is changed.
        """
        require_array(x, "x", ndim=3)
        ### BEGIN SOLUTION
        T, N, _ = x.shape
        H = self.W_h.shape[1]
        a_in = x @ self.W_x.T + self.b
        hs = np.zeros((T + 1, N, H))
        cs = np.zeros((T + 1, N, H))
        if h0 is not None:
            hs[0] = h0
        if c0 is not None:
            cs[0] = c0
        for t in range(T):
            f, i, o, g = self.gates(a_in[t] + hs[t] @ self.W_h.T)
            cs[t + 1] = f * cs[t] + i * g
            hs[t + 1] = o * np.tanh(cs[t + 1])
        self.x, self.hs, self.cs = x, hs, cs
        return hs[1:]
        ### END SOLUTION


def perplexity(probs, targets):
    """exp of the mean negative log-likelihood per character.

        perplexity = exp( -(1 / (T N)) sum_{t,n} log probs[t, n, targets[t, n]] )

    A model that spreads its probability evenly over V characters has perplexity V: it is
    "as uncertain as a choice among V". Lower is better; 1 is a perfect prediction.

    Args:
        probs: (T, N, V) predicted distributions. targets: (T, N) integer ids.

    Returns:
        perplexity: a Python float.
    """
    ### BEGIN SOLUTION
    T, N, _ = probs.shape
    p_true = np.take_along_axis(probs, targets[..., None], axis=-1)
    return float(np.exp(-np.log(p_true).mean()))
    ### END SOLUTION


def sample_next(logits, temperature, rng):
    """Draw one character per row from softmax(logits / temperature).

    Temperature 1 samples the model's own distribution; below 1 it sharpens it (towards
    the most probable character), above 1 it flattens it (towards uniform). Temperature 0
    is the limit: the most probable character, every time.

    Args:
        logits: (N, V) scores of the next character, one row per stream.
        temperature: a float >= 0.
        rng: numpy Generator: the only source of randomness, so a seed repeats a sample.

    Returns:
        (N,) integer character ids.
    """
    ### BEGIN SOLUTION
    if temperature == 0:
        return logits.argmax(axis=-1)
    p = softmax(logits / temperature)
    u = rng.random((logits.shape[0], 1))
    # Inverse transform: the first index whose cumulative probability exceeds u.
    index = (p.cumsum(axis=-1) < u).sum(axis=-1)
    return np.minimum(index, logits.shape[-1] - 1)  # cumsum may end a rounding below 1
    ### END SOLUTION


class CharModel:
    """Embedding(V, E) -> CarriedLSTMCell(E, H) -> LinearLayer(H, V).

    ``layers`` lists the three layers, for clipping and updates (like notebook 5's net).
    """

    def __init__(self, n_vocab, n_embed=16, n_hidden=128, rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        self.embed = Embedding(n_vocab, n_embed, rng=rng)
        self.lstm = CarriedLSTMCell(n_embed, n_hidden, rng=rng)
        self.out = LinearLayer(n_hidden, n_vocab, rng=rng)
        self.layers = [self.embed, self.lstm, self.out]

    def zero_state(self, n):
        """The state (h, c), both (n, H) zeros, that a stream starts from."""
        H = self.lstm.W_h.shape[1]
        return np.zeros((n, H)), np.zeros((n, H))

    def forward(self, x, state):
        """Logits (T, N, V) for ids x (T, N) from ``state`` (h, c), and the state after the
        last step, copied (detached: the next chunk starts from its values only)."""
        h = self.lstm.forward(self.embed.forward(x), *state)
        return self.out.forward(h), (self.lstm.hs[-1].copy(), self.lstm.cs[-1].copy())

    def backward(self, dlogits):
        """Backpropagate dloss/dlogits (T, N, V) through the three layers, in reverse."""
        self.embed.backward(self.lstm.backward(self.out.backward(dlogits)))


def train_chunk(model, x, y, state, learning_rate, clip_threshold=5.0, update_fun=None):
    """One step of truncated BPTT on one chunk, with teacher forcing.

    Args:
        model: a CharModel. x: (T, N) input ids. y: (T, N) targets, the NEXT characters.
        state: (h, c), each (N, H), carried from the previous chunk.

    Returns:
        (loss per character, the state after the chunk for the next one).
    """
    logits, state = model.forward(x, state)
    probs = softmax(logits)
    T = x.shape[0]
    loss = cross_entropy_loss(probs, y) / T  # summed over T, averaged over N: per character
    model.backward(softmax_cross_entropy_grad(probs, y) / T)
    clip_global_norm(model.layers, clip_threshold)
    for layer in model.layers:
        layer.update_weights(learning_rate, update_fun)
    return loss, state


def streams(ids, n_streams):
    """Cut ids (L,) into n_streams contiguous streams, time-major: (L // n_streams, N).

    Stream n is the n-th stretch of the text, so the chunk after chunk k of a stream
    continues it exactly, which is what a carried state needs."""
    length = len(ids) // n_streams
    return ids[: length * n_streams].reshape(n_streams, length).T


def chunks(data, chunk_len):
    """(x, y) chunks of the streams data (S, N): x = data[s:s+T], y = data[s+1:s+T+1]."""
    for s in range(0, data.shape[0] - 1 - chunk_len + 1, chunk_len):
        yield data[s : s + chunk_len], data[s + 1 : s + chunk_len + 1]


def evaluate_perplexity(model, data, chunk_len=100):
    """Perplexity of the model on the streams data (S, N), state carried across chunks."""
    state, nll, count = model.zero_state(data.shape[1]), 0.0, 0
    for x, y in chunks(data, chunk_len):
        logits, state = model.forward(x, state)
        nll -= np.log(np.take_along_axis(softmax(logits), y[..., None], axis=-1)).sum()
        count += y.size
    return float(np.exp(nll / count))


def train_char_model(
    model, data, n_steps, chunk_len=50, learning_rate=3e-3, clip_threshold=5.0, time_limit=None
):
    """Truncated BPTT over the streams data (S, N): chunk after chunk, the state carried
    (and reset to zero at every new pass over the text). Adam; returns the losses.

    ``time_limit`` (seconds) stops early, so a slow machine still finishes the cell."""
    n_steps = require_int(n_steps, "n_steps", minimum=1)
    update, losses, start = Adam(), [], time.perf_counter()
    while len(losses) < n_steps:
        state = model.zero_state(data.shape[1])
        for x, y in chunks(data, chunk_len):
            loss, state = train_chunk(model, x, y, state, learning_rate, clip_threshold, update)
            losses.append(loss)
            out_of_time = time_limit is not None and time.perf_counter() - start > time_limit
            if len(losses) == n_steps or out_of_time:
                return losses
    return losses


def generate(model, vocab, prompt, n_chars, temperature, rng):
    """Free-running generation: read ``prompt``, then feed every sampled character back.

    Args:
        model: a CharModel. vocab: the characters, index = id. prompt: a non-empty str.
        n_chars: characters to generate. temperature: >= 0. rng: numpy Generator.

    Returns:
        The prompt followed by ``n_chars`` sampled characters, as a str.
    """
    index = {ch: i for i, ch in enumerate(vocab)}
    ids = np.array([[index[ch]] for ch in prompt])  # (len(prompt), 1): one stream
    logits, state = model.forward(ids, model.zero_state(1))
    out = []
    for _ in range(n_chars):
        nxt = sample_next(logits[-1], temperature, rng)  # (1,)
        out.append(vocab[int(nxt[0])])
        logits, state = model.forward(nxt[None, :], state)  # the sample is the next input
    return prompt + "".join(out)
