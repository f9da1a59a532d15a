"""The gated recurrent unit: forward pass and backpropagation through time.

Given (not graded) code of notebook 6, to read next to the LSTM the students write.
Same layer interface and shapes as BasicRNNCell and LSTMCell:
x (T, N, D) -> h (T, N, H); W_x (3H, D), W_h (3H, H), b (3H,), with the rows of every
parameter in the order [update z, reset r, candidate n] = [0:H], [H:2H], [2H:3H].
"""

import numpy as np

from helpers.validation import require_array, require_sequence_batch

from .common import Layer
from .LSTMCell import sigmoid


class GRUCell(Layer):
    """Cho et al. (2014), with h_0 = 0:

        z_t = sigmoid(W_x[z] x_t + W_h[z] h_{t-1} + b[z])          update gate
        r_t = sigmoid(W_x[r] x_t + W_h[r] h_{t-1} + b[r])          reset gate
        n_t = tanh(W_x[n] x_t + W_h[n] (r_t * h_{t-1}) + b[n])     candidate
        h_t = (1 - z_t) * h_{t-1} + z_t * n_t

    ``forward`` stores ``self.x`` (T, N, D) and ``self.hs`` (T+1, N, H), hs[0] = 0.
    """

    param_names = ("W_x", "W_h", "b")

    def __init__(self, n_in, n_hidden=50, rng=None):
        """Glorot-normal W_x, orthogonal blocks of W_h, zero bias and gradients."""
        rng = rng if rng is not None else np.random.default_rng()
        H = n_hidden
        self.W_x = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(3 * H, n_in))
        self.W_h = np.concatenate([np.linalg.qr(rng.normal(size=(H, H)))[0] for _ in range(3)])
        self.b = np.zeros(3 * H)
        self.dW_x = np.zeros_like(self.W_x)
        self.dW_h = np.zeros_like(self.W_h)
        self.db = np.zeros_like(self.b)

    def _step(self, a_x, h):
        """z, r, n of one step from its input term a_x (N, 3H) and the previous state h."""
        H = h.shape[1]
        zr = sigmoid(a_x[:, : 2 * H] + h @ self.W_h[: 2 * H].T)
        z, r = zr[:, :H], zr[:, H:]
        n = np.tanh(a_x[:, 2 * H :] + (r * h) @ self.W_h[2 * H :].T)
        return z, r, n

    def forward(self, x):
        """h (T, N, H) for x (T, N, D); stores self.x and self.hs."""
        require_sequence_batch(x, "x", features=self.W_x.shape[1])
        T, N, _ = x.shape
        H = self.W_h.shape[1]
        a_x = x @ self.W_x.T + self.b
        hs = np.zeros((T + 1, N, H))
        for t in range(T):
            z, r, n = self._step(a_x[t], hs[t])
            hs[t + 1] = (1.0 - z) * hs[t] + z * n
        self.x, self.hs = x, hs
        return hs[1:]

    def backward(self, dh):
        """dx (T, N, D) for dh (T, N, H); adds to dW_x, dW_h, db (gates recomputed)."""
        require_array(dh, "dh", shape=self.hs[1:].shape)
        T, N, H = dh.shape
        D = self.x.shape[2]
        a_x = self.x @ self.W_x.T + self.b
        da = np.empty((T, N, 3 * H))  # dloss/d(pre-activations) of z, r, n
        reset_h = np.empty((T, N, H))  # r_t * h_{t-1}, what W_h[n] multiplied
        dh_next = np.zeros((N, H))
        for t in reversed(range(T)):
            h_prev = self.hs[t]
            z, r, n = self._step(a_x[t], h_prev)
            reset_h[t] = r * h_prev
            d = dh[t] + dh_next
            da_n = d * z * (1.0 - n**2)
            d_reset_h = da_n @ self.W_h[2 * H :]
            da[t, :, :H] = d * (n - h_prev) * z * (1.0 - z)
            da[t, :, H : 2 * H] = d_reset_h * h_prev * r * (1.0 - r)
            da[t, :, 2 * H :] = da_n
            # h_{t-1} reaches h_t directly (through 1 - z), through the reset product,
            # and through the pre-activations of z and r.
            dh_next = d * (1.0 - z) + d_reset_h * r + da[t, :, : 2 * H] @ self.W_h[: 2 * H]
        flat = da.reshape(-1, 3 * H)
        self.dW_x += flat.T @ self.x.reshape(-1, D)
        self.dW_h[: 2 * H] += flat[:, : 2 * H].T @ self.hs[:-1].reshape(-1, H)
        self.dW_h[2 * H :] += flat[:, 2 * H :].T @ reset_h.reshape(-1, H)
        self.db += da.sum(axis=(0, 1))
        return da @ self.W_x
