"""Forward-only evaluation, the memorization accuracy test and the explosion experiment.

Reference solutions for notebooks 4 and 5 (the original assignment's test.py).
Shapes: data (T, N, V) one-hot, labels (T, N) integer, probs (T, N, V).
"""

import numpy as np

from helpers.data import generate_data_memory
from helpers.gradcheck import gradient_check
from helpers.validation import require_net

from .common import clip_global_norm, cross_entropy_loss, softmax, softmax_cross_entropy_grad


def run_forward_pass(net, data, labels):
    """Forward pass only: run ``data`` (T, N, D) through the list of layers ``net``.

    Returns:
        (loss, probs): the cross-entropy loss (float) and the softmax probabilities
        (T, N, V). Nothing is backpropagated; gradients stay as they were.
    """
    require_net(net)
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    return cross_entropy_loss(probs, labels), probs


def run_memory_test(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    """Accuracy of ``net`` on fresh memorization sequences.

    Draws ``n_sequences`` sequences with ``generate_data_memory`` (using ``rng``),
    predicts the most probable symbol at every step, and scores only the
    ``to_remember_len`` outputs after the delimiter.

    Returns:
        accuracy: float in [0, 1], the fraction of post-delimiter symbols predicted right.
    """
    ### BEGIN SOLUTION
    L = to_remember_len
    data, labels = generate_data_memory(L, n_vocab, n_sequences, rng)
    _, probs = run_forward_pass(net, data, labels)
    predictions = probs.argmax(axis=-1)  # (T, N)
    return float(np.mean(predictions[L + 1 :] == labels[L + 1 :]))
    ### END SOLUTION


def run_exploding_grads_test(net, data, labels, max_seq_len=None, clip_threshold=None):
    """Mean absolute gradient for every prefix length 1 .. max_seq_len.

    For each length k: zero all gradients, run the forward pass, softmax and loss
    gradient on data[:k], labels[:k], backpropagate through all layers (no update),
    clip to ``clip_threshold`` with ``clip_global_norm`` if it is not None, and record
    the mean of |g| over every gradient entry of every layer.

    Args:
        net: list of layers. data: (T, N, D). labels: (T, N).
        max_seq_len: longest prefix (default T).
        clip_threshold: None for raw gradients, or a global-norm threshold.

    Returns:
        (max_seq_len,) float array; entry k-1 belongs to prefix length k.
    """
    ### BEGIN SOLUTION
    T = data.shape[0] if max_seq_len is None else max_seq_len
    means = np.zeros(T)
    for k in range(1, T + 1):
        for layer in net:
            layer.zero_grads()
        out = data[:k]
        for layer in net:
            out = layer.forward(out)
        grad = softmax_cross_entropy_grad(softmax(out), labels[:k])
        for layer in reversed(net):
            grad = layer.backward(grad)
        if clip_threshold is not None:
            clip_global_norm(net, clip_threshold)
        grads = [g.ravel() for layer in net for _, g, _ in layer.get_params()]
        means[k - 1] = np.abs(np.concatenate(grads)).mean()
    return means
    ### END SOLUTION


def run_check_grads(net, data, labels, h=1e-3):
    """Check the backward pass of a whole network against central differences.

    Computes the loss gradient analytically (forward, softmax, backward through every
    layer) and numerically for every parameter of every layer.

    Returns:
        A ``helpers.gradcheck.GradCheckReport``; print it for a per-parameter table.
    """
    for layer in net:
        layer.zero_grads()
    _, probs = run_forward_pass(net, data, labels)
    grad = softmax_cross_entropy_grad(probs, labels)
    for layer in reversed(net):
        grad = layer.backward(grad)
    params, analytic = {}, {}
    for i, layer in enumerate(net):
        for param, g, name in layer.get_params():
            key = f"net[{i}].{name}"
            params[key], analytic[key] = param, g.copy()

    def loss():
        return run_forward_pass(net, data, labels)[0]

    return gradient_check(loss, params, analytic, h=h)
