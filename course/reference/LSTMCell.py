"""The LSTM cell: forward pass and backpropagation through time.

Reference solution for notebook 6. Same layer interface and time-major shapes as
BasicRNNCell, so it replaces it in the notebook-5 network:
x (T, N, D) -> h (T, N, H); W_x (4H, D), W_h (4H, H), b (4H,).
The 4H rows of every parameter hold the four gates in the order
[forget, input, output, candidate] = rows [0:H], [H:2H], [2H:3H], [3H:4H].
"""

import numpy as np

from helpers.validation import require_array, require_sequence_batch

from .common import Layer


def sigmoid(a):
    """The logistic function 1 / (1 + exp(-a)), as (1 + tanh(a / 2)) / 2: the same
    function, which never overflows and costs one ufunc call."""
    return 0.5 + 0.5 * np.tanh(0.5 * a)


class LSTMCell(Layer):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of
    Gers et al. 2000), with h_0 = c_0 = 0:

        a_t = W_x x_t + W_h h_{t-1} + b                      (N, 4H) for a batch
        f_t = sigmoid(a_t[0:H])      forget gate
        i_t = sigmoid(a_t[H:2H])     input gate
        o_t = sigmoid(a_t[2H:3H])    output gate
        g_t = tanh(a_t[3H:4H])       candidate
        c_t = f_t * c_{t-1} + i_t * g_t
        h_t = o_t * tanh(c_t)

    Parameters: W_x (4H, D), W_h (4H, H), b (4H,); gradients dW_x, dW_h, db.
    ``forward`` stores ``self.x`` (T, N, D), ``self.hs`` (T+1, N, H) and ``self.cs``
    (T+1, N, H), with hs[0] = cs[0] = 0, for ``backward``.
    """

    param_names = ("W_x", "W_h", "b")

    def __init__(self, n_in, n_hidden=50, rng=None):
        """Glorot-normal W_x, orthogonal blocks of W_h, and a forget-gate bias of 1.

        The bias of 1 starts the forget gate near sigmoid(1) = 0.73, so at initialisation
        the cell state is kept rather than wiped (Jozefowicz et al. 2015).

        Args:
            n_in: D, input features. n_hidden: H, hidden units.
            rng: numpy Generator to draw from (np.random.default_rng() if None).
        """
        rng = rng if rng is not None else np.random.default_rng()
        H = n_hidden
        self.W_x = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(4 * H, n_in))
        self.W_h = np.concatenate([np.linalg.qr(rng.normal(size=(H, H)))[0] for _ in range(4)])
        self.b = np.zeros(4 * H)
        self.b[:H] = 1.0
        self.dW_x = np.zeros_like(self.W_x)
        self.dW_h = np.zeros_like(self.W_h)
        self.db = np.zeros_like(self.b)

    def gates(self, a):
        """The gates f, i, o (sigmoid) and the candidate g (tanh) of pre-activations a (..., 4H)."""
        H = a.shape[-1] // 4
        s = sigmoid(a[..., : 3 * H])
        return s[..., :H], s[..., H : 2 * H], s[..., 2 * H :], np.tanh(a[..., 3 * H :])

    def forward(self, x):
        """Run the recurrence over all T steps of the batch.

        Args:
            x: (T, N, D) inputs.

        Returns:
            h: (T, N, H), the hidden state after every step (h_1 ... h_T).
            Stores ``self.x = x``, ``self.hs`` and ``self.cs``, both (T+1, N, H), with
            hs[0] = cs[0] = 0.
        """
        require_sequence_batch(x, "x", features=self.W_x.shape[1])
        ### BEGIN SOLUTION
        T, N, _ = x.shape
        H = self.W_h.shape[1]
        a_in = x @ self.W_x.T + self.b  # (T, N, 4H): the input term of every step at once
        hs = np.zeros((T + 1, N, H))
        cs = np.zeros((T + 1, N, H))
        for t in range(T):
            f, i, o, g = self.gates(a_in[t] + hs[t] @ self.W_h.T)
            cs[t + 1] = f * cs[t] + i * g
            hs[t + 1] = o * np.tanh(cs[t + 1])
        self.x, self.hs, self.cs = x, hs, cs
        return hs[1:]
        ### END SOLUTION

    def backward(self, dh):
        """Backpropagation through time.

        Args:
            dh: (T, N, H), dloss/dh_t coming from the layers above, for every step t.

        Returns:
            dx: (T, N, D), dloss/dx_t. Adds the parameter gradients to ``self.dW_x``,
            ``self.dW_h`` and ``self.db``. Uses only the weights, ``self.x``,
            ``self.hs`` and ``self.cs`` from forward (the gates are recomputed from
            them), and leaves ``dh`` unchanged.
        """
        require_array(dh, "dh", shape=self.hs[1:].shape)
        ### BEGIN SOLUTION
        T, N, H = dh.shape
        D = self.x.shape[2]
        hs, cs = self.hs, self.cs
        # Recomputing the gates costs one matrix product, and keeps backward independent
        # of whatever else forward may have stored.
        f, i, o, g = self.gates(self.x @ self.W_x.T + self.b + hs[:-1] @ self.W_h.T)
        tanh_c = np.tanh(cs[1:])
        # Only dh_t and dc_t need the loop: the local derivative of every pre-activation
        # is known before it, for all steps at once (with dc_t or dh_t still to multiply).
        dc_from_h = o * (1.0 - tanh_c**2)  # h_t = o_t tanh(c_t)
        local = np.concatenate(
            [
                cs[:-1] * f * (1.0 - f),  # forget gate: it multiplied c_{t-1}
                g * i * (1.0 - i),  # input gate
                tanh_c * o * (1.0 - o),  # output gate: reached from dh_t, not from dc_t
                i * (1.0 - g**2),  # candidate
            ],
            axis=-1,
        )
        da = np.empty((T, N, 4 * H))  # dloss/da_t, with a_t the pre-activations
        dh_next = np.zeros((N, H))  # dloss/dh_t through step t+1
        dc_next = np.zeros((N, H))  # dloss/dc_t through c_{t+1} = f_{t+1} * c_t + ...
        for t in reversed(range(T)):
            dh_t = dh[t] + dh_next
            dc = dc_next + dh_t * dc_from_h[t]
            da[t] = np.concatenate([dc, dc, dh_t, dc], axis=-1) * local[t]
            dc_next = dc * f[t]
            dh_next = da[t] @ self.W_h
        # Shared weights: their gradients sum over all steps and sequences.
        self.dW_x += da.reshape(-1, 4 * H).T @ self.x.reshape(-1, D)
        self.dW_h += da.reshape(-1, 4 * H).T @ hs[:-1].reshape(-1, H)
        self.db += da.sum(axis=(0, 1))
        return da @ self.W_x
        ### END SOLUTION
