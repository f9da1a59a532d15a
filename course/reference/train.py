"""One training step over a list of layers, and the memorization training loop.

Reference solution for notebook 5 (the original assignment's train.py).
Shapes: data (T, N, D) one-hot, labels (T, N) integer.
"""

import numpy as np

from helpers.data import generate_data_memory
from helpers.optim import Adam
from helpers.progress import progress_bar
from helpers.validation import require_int, require_net

from .common import clip_global_norm, cross_entropy_loss, softmax, softmax_cross_entropy_grad
from .test import run_memory_test


def run_training(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    """One training step of the network ``net``, a list of layers, on one batch.

    Forward through the layers in order, softmax, cross-entropy loss; then the loss
    gradient backward through the layers in reverse order; then, if
    ``clip_threshold`` is not None, ``clip_global_norm(net, clip_threshold)``; then,
    if ``update_weights``, ``layer.update_weights(learning_rate, update_fun)`` for
    every layer.

    Args:
        net: list of layers. data: (T, N, D). labels: (T, N) integer.
        learning_rate, update_fun: passed on to ``update_weights``.
        clip_threshold: global-norm threshold, or None for no clipping.
        update_weights: False leaves the gradients in the layers without a step.

    Returns:
        The loss of this batch before the update, as a float.
    """
    require_net(net)
    ### BEGIN SOLUTION
    out = data
    for layer in net:  # forward: first layer to last
        out = layer.forward(out)
    probs = softmax(out)
    loss = cross_entropy_loss(probs, labels)
    grad = softmax_cross_entropy_grad(probs, labels)
    for layer in reversed(net):  # backward: last layer to first
        grad = layer.backward(grad)
    if clip_threshold is not None:
        clip_global_norm(net, clip_threshold)
    if update_weights:
        for layer in net:
            layer.update_weights(learning_rate, update_fun)
    return loss
    ### END SOLUTION


def run_train_memory(
    net,
    to_remember_len=13,
    n_vocab=10,
    n_iters=3000,
    learning_rate=5e-3,
    batch_size=32,
    clip_threshold=5.0,
    optimizer="adam",
    rng=None,
    eval_every=100,
    n_eval=1000,
    target_accuracy=None,
    progress=True,
    lr_half_life=None,
):
    """Train ``net`` on the memorization task with fresh batches every step.

    Args:
        net: list of layers, e.g. [BasicRNNCell(V, H), LinearLayer(H, V)].
        to_remember_len, n_vocab: the task (L symbols, vocabulary V with delimiter and blank).
        n_iters: maximum number of training steps.
        learning_rate, batch_size, clip_threshold: training hyperparameters.
        optimizer: "adam" (Adam with beta2 = 0.99, whose shorter memory of the gradient
            scale suits a loss that falls quickly), "sgd", or an update rule
            ``f(param, grad, lr)``.
        rng: numpy Generator for the training batches.
        eval_every, n_eval: measure accuracy on a fixed set of ``n_eval`` sequences
            every ``eval_every`` steps.
        target_accuracy: stop early once the measured accuracy reaches it.
        progress: show a progress bar with the loss and accuracy.
        lr_half_life: halve the learning rate every ``lr_half_life`` steps (smoothly),
            or None for a constant one. A large rate early lets the network leave the
            plateau where it repeats only the first symbols; a small one late lets it
            settle on the last few percent.

    Returns:
        history: dict with "loss" (one float per step), "eval_step" and "accuracy".
    """
    n_iters = require_int(n_iters, "n_iters", minimum=1)
    rng = rng if rng is not None else np.random.default_rng()
    if isinstance(optimizer, str):
        update_fun = {"adam": Adam(beta2=0.99), "sgd": None}[optimizer]
    else:
        update_fun = optimizer
    eval_seed = int(rng.integers(2**31))  # one fixed evaluation set for the whole run
    history = {"loss": [], "eval_step": [], "accuracy": []}
    bar = progress_bar(n_iters, desc="memorization", enabled=progress)
    for step in range(1, n_iters + 1):
        data, labels = generate_data_memory(to_remember_len, n_vocab, batch_size, rng)
        loss = run_training(
            net,
            data,
            labels,
            learning_rate * 0.5 ** (step / lr_half_life) if lr_half_life else learning_rate,
            clip_threshold,
            update_weights=True,
            update_fun=update_fun,
        )
        history["loss"].append(loss)
        bar.update(1)
        if step % eval_every == 0 or step == n_iters:
            acc = run_memory_test(
                net, to_remember_len, n_vocab, n_eval, rng=np.random.default_rng(eval_seed)
            )
            history["eval_step"].append(step)
            history["accuracy"].append(acc)
            bar.set_postfix(loss=f"{loss:.3f}", accuracy=f"{acc:.3f}")
            if target_accuracy is not None and acc >= target_accuracy:
                break
    bar.close()
    return history
