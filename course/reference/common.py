"""Softmax, cross-entropy, the Layer base class and gradient clipping.

Reference solutions for notebooks 1 and 4. The code between ``### BEGIN SOLUTION``
and ``### END SOLUTION`` is what students write; authoring/build.py copies each
function or method, markers included, into its notebook cell, so this file is the
only hand-written copy of the solution.

Shapes (time-major): logits, probs (T, N, V); labels (T, N) integer.
"""

import numpy as np

from helpers.data import one_hot
from helpers.validation import require_labels


def softmax(logits):
    """Softmax over the last axis (the vocabulary), at every time step and sequence.

    Args:
        logits: (T, N, V) unnormalised scores (any shape (..., V) works).

    Returns:
        probs: same shape as ``logits``; every probs[t, n, :] is positive and sums to 1.
    """
    ### BEGIN SOLUTION
    # Subtracting the row maximum changes nothing mathematically (it cancels in the
    # ratio) but keeps exp() from overflowing for large logits.
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
    ### END SOLUTION


def cross_entropy_loss(probs, labels):
    """Cross-entropy of the predicted distributions against integer labels.

    Summed over time and averaged over the batch:
        loss = -(1/N) * sum_{t,n} log probs[t, n, labels[t, n]]

    Args:
        probs: (T, N, V) probabilities from ``softmax``.
        labels: (T, N) integer class indices in 0..V-1.

    Returns:
        loss: a Python float.
    """
    require_labels(labels, probs)
    ### BEGIN SOLUTION
    T, N, V = probs.shape
    p_true = np.take_along_axis(probs, labels[..., None], axis=-1)  # (T, N, 1)
    return float(-np.log(p_true).sum() / N)
    ### END SOLUTION


def softmax_cross_entropy_grad(probs, labels):
    """Gradient of ``cross_entropy_loss(softmax(logits), labels)`` with respect to the logits.

    Softmax and cross-entropy together have the famously simple derivative
        d loss / d logits[t, n, :] = (probs[t, n, :] - onehot(labels[t, n])) / N

    Args:
        probs: (T, N, V) probabilities from ``softmax``.
        labels: (T, N) integer class indices.

    Returns:
        dlogits: (T, N, V).
    """
    require_labels(labels, probs)
    ### BEGIN SOLUTION
    T, N, V = probs.shape
    return (probs - one_hot(labels, V)) / N
    ### END SOLUTION


class Layer:
    """Base class of every layer: named parameters, their gradients, clipping and updates.

    A subclass lists its parameter attribute names in ``param_names``; the gradient of
    parameter ``P`` lives in the attribute ``dP`` with the same shape. Layers implement
    ``forward(x)`` and ``backward(dy)``; ``backward`` *adds* to the gradients, and
    ``update_weights`` resets them to zero after the step.
    """

    param_names = ()

    def get_params(self):
        """Yield ``(param, grad, name)`` for every parameter, as the original assignment did."""
        for name in self.param_names:
            yield getattr(self, name), getattr(self, "d" + name), name

    def zero_grads(self):
        """Set every gradient to zero, in place."""
        for _, grad, _ in self.get_params():
            grad[...] = 0.0

    def clip_gradients(self, threshold=5.0):
        """Clip each gradient tensor separately to a Frobenius norm of at most ``threshold``.

        A gradient whose norm exceeds the threshold is rescaled (in place) to norm
        ``threshold``; its direction is kept. Smaller gradients are left untouched.
        """
        ### BEGIN SOLUTION
        for _, grad, _ in self.get_params():
            norm = np.linalg.norm(grad)
            if norm > threshold:
                grad *= threshold / norm
        ### END SOLUTION

    def update_weights(self, learning_rate=1e-3, update_fun=None):
        """Take one optimisation step with the accumulated gradients, then zero them.

        Args:
            learning_rate: step size.
            update_fun: ``None`` for plain SGD (param <- param - learning_rate * grad), or a
                rule ``update_fun(param, grad, learning_rate)`` that changes ``param`` in
                place (e.g. ``helpers.optim.Adam()``).
        """
        ### BEGIN SOLUTION
        for param, grad, _ in self.get_params():
            if update_fun is None:
                param -= learning_rate * grad
            else:
                update_fun(param, grad, learning_rate)
        self.zero_grads()
        ### END SOLUTION


def clip_global_norm(net, threshold):
    """Clip the gradients of all layers together to a global norm of at most ``threshold``.

    The global norm is sqrt(sum of squares of every gradient entry of every layer).
    If it exceeds ``threshold``, every gradient is multiplied (in place) by
    threshold / norm, so the whole gradient keeps its direction.

    Args:
        net: list of layers (objects with ``get_params()``).
        threshold: positive float.

    Returns:
        The global norm *before* clipping, as a float.
    """
    ### BEGIN SOLUTION
    grads = [grad for layer in net for _, grad, _ in layer.get_params()]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if norm > threshold:
        for g in grads:
            g *= threshold / norm
    return norm
    ### END SOLUTION


def spectral_radius(W):
    """Largest absolute eigenvalue of the square matrix ``W`` (H, H), as a float."""
    ### BEGIN SOLUTION
    return float(np.max(np.abs(np.linalg.eigvals(W))))
    ### END SOLUTION
