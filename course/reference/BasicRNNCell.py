"""The basic (Elman) RNN cell: forward pass and backpropagation through time.

Reference solution for notebooks 2 and 3.
Shapes: x (T, N, D) -> h (T, N, H); W_hx (H, D), W_hh (H, H), bh (H,).
"""

import numpy as np

from helpers.validation import require_activation, require_array, require_sequence_batch

from .common import Layer


class BasicRNNCell(Layer):
    """h_t = f(W_hx x_t + W_hh h_{t-1} + bh), with h_0 = 0 and f = tanh or ReLU.

    Parameters: W_hx (H, D), W_hh (H, H), bh (H,); gradients dW_hx, dW_hh, dbh.
    ``forward`` stores ``self.x`` (T, N, D) and ``self.hs`` (T+1, N, H), where
    hs[0] = h_0 = 0 and hs[t] = h_t, for ``backward``.
    """

    param_names = ("W_hx", "W_hh", "bh")

    def __init__(self, n_in, n_hidden=50, activation="tanh", rng=None):
        """Initialise the weights for the chosen activation; zero bias and gradients.

        W_hx ~ Glorot normal: Normal(0, std = sqrt(2 / (n_in + n_hidden))).
        W_hh: for tanh, a random orthogonal matrix (all singular values 1, so at
        initialisation the recurrence neither shrinks nor amplifies a gradient);
        for ReLU, the identity (the "IRNN" fix for vanishing gradients of the original
        assignment, Le et al. 2015).

        Args:
            n_in: D, input features. n_hidden: H, hidden units.
            activation: 'tanh' or 'relu'.
            rng: numpy Generator to draw from (np.random.default_rng() if None).
        """
        self.activation = require_activation(activation)
        rng = rng if rng is not None else np.random.default_rng()
        ### BEGIN SOLUTION
        H = n_hidden
        self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(H, n_in))
        if activation == "tanh":
            self.W_hh, _ = np.linalg.qr(rng.normal(size=(H, H)))  # Q of QR is orthogonal
        else:
            self.W_hh = np.eye(H)
        self.bh = np.zeros(H)
        self.dW_hx = np.zeros_like(self.W_hx)
        self.dW_hh = np.zeros_like(self.W_hh)
        self.dbh = np.zeros_like(self.bh)
        ### END SOLUTION

    def forward(self, x):
        """Run the recurrence over all T steps of the batch.

        Args:
            x: (T, N, D) inputs.

        Returns:
            h: (T, N, H), the hidden state after every step (h_1 ... h_T).
            Stores ``self.x = x`` and ``self.hs`` (T+1, N, H) with hs[0] = 0.
        """
        require_sequence_batch(x, "x", features=self.W_hx.shape[1])
        ### BEGIN SOLUTION
        T, N, _ = x.shape
        H = self.W_hh.shape[0]
        # The input term does not depend on h, so compute it for all steps in one
        # matrix product; only the recurrent term must wait for the previous step.
        a_in = x @ self.W_hx.T + self.bh  # (T, N, H)
        hs = np.zeros((T + 1, N, H))
        for t in range(T):
            a = a_in[t] + hs[t] @ self.W_hh.T
            hs[t + 1] = np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)
        self.x, self.hs = x, hs
        return hs[1:]
        ### END SOLUTION

    def backward(self, dh):
        """Backpropagation through time.

        Args:
            dh: (T, N, H), dloss/dh_t coming from the layers above, for every step t.

        Returns:
            dx: (T, N, D), dloss/dx_t. Adds the parameter gradients to ``self.dW_hx``,
            ``self.dW_hh`` and ``self.dbh``. Uses only the weights, ``self.x`` and
            ``self.hs`` from forward (nothing else forward may have kept), and leaves
            ``dh`` unchanged.
        """
        require_array(dh, "dh", shape=self.hs[1:].shape)
        ### BEGIN SOLUTION
        T, N, H = dh.shape
        D = self.x.shape[2]
        hs = self.hs
        # f'(a_t) written with the output h_t: tanh' = 1 - h_t^2, relu' = [h_t > 0].
        if self.activation == "tanh":
            dact = 1.0 - hs[1:] ** 2
        else:
            dact = (hs[1:] > 0).astype(float)
        da = np.empty_like(dh)  # dloss/da_t, with a_t the pre-activation
        dh_next = np.zeros((N, H))  # dloss/dh_t through h_{t+1} (zero after the last step)
        for t in reversed(range(T)):
            da[t] = (dh[t] + dh_next) * dact[t]
            dh_next = da[t] @ self.W_hh
        # Every step shares the same weights, so their gradients sum over t (and n):
        # one matrix product each once the loop has produced all da_t.
        self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
        self.dW_hh += da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)
        self.dbh += da.sum(axis=(0, 1))
        return da @ self.W_hx
        ### END SOLUTION
