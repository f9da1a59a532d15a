"""The fully connected output layer (reference solution for notebook 1).

Shapes: x (T, N, n_in) -> y (T, N, n_out); W (n_out, n_in), b (n_out,).
"""

import numpy as np

from helpers.validation import require_array, require_sequence_batch

from .common import Layer


class LinearLayer(Layer):
    """Affine map applied at every time step: y[t, n] = W @ x[t, n] + b.

    Parameters: W (n_out, n_in), b (n_out,); gradients dW, db of the same shapes.
    ``forward`` keeps its input in ``self.x`` for ``backward``.
    """

    param_names = ("W", "b")

    def __init__(self, n_in, n_out, rng=None):
        """Glorot-initialised weights, zero bias, zero gradients.

        W ~ Normal(0, std = sqrt(2 / (n_in + n_out))) keeps the variance of activations
        and of gradients roughly equal from layer to layer (Glorot & Bengio, 2010).

        Args:
            n_in: input features. n_out: output features.
            rng: numpy Generator to draw from (np.random.default_rng() if None).
        """
        rng = rng if rng is not None else np.random.default_rng()
        ### BEGIN SOLUTION
        self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
        self.b = np.zeros(n_out)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        ### END SOLUTION

    def forward(self, x):
        """y = x W^T + b over the last axis.

        Args:
            x: (T, N, n_in).

        Returns:
            y: (T, N, n_out). Also stores ``self.x = x`` for backward.
        """
        require_sequence_batch(x, "x", features=self.W.shape[1])
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.W.T + self.b
        ### END SOLUTION

    def backward(self, dy):
        """Backpropagate ``dy`` = dloss/dy (T, N, n_out) through the layer.

        Adds dloss/dW to ``self.dW`` and dloss/db to ``self.db`` (summed over time and
        batch) and returns dloss/dx, shape (T, N, n_in). Uses ``self.x`` from forward.
        """
        require_array(dy, "dy", shape=self.x.shape[:2] + (self.W.shape[0],))
        ### BEGIN SOLUTION
        n_out, n_in = self.W.shape
        self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
        self.db += dy.sum(axis=(0, 1))
        return dy @ self.W
        ### END SOLUTION
