"""Notebook 5: run_training and run_memory_test.

Like notebook 5's code, these functions use ``softmax``, ``cross_entropy_loss``,
``softmax_cross_entropy_grad``, ``clip_global_norm`` and the given
``run_forward_pass`` as globals of one notebook namespace (``Variant.namespace``).
"""

import numpy as np

from helpers.data import generate_data_memory, one_hot
from helpers.validation import require_net

from . import Variant
from .nb1 import ce_mean_over_time, grad_not_divided, softmax_no_shift, softmax_wrong_axis
from .nb1 import ce_ref as cross_entropy_loss
from .nb1 import grad_ref as softmax_cross_entropy_grad
from .nb1 import softmax_ref as softmax
from .nb4 import cgn_ref as clip_global_norm
from .nb4 import cgn_returns_after


def run_forward_pass(net, data, labels):
    """Given in notebook 5 (course/reference/test.py)."""
    require_net(net)
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    return cross_entropy_loss(probs, labels), probs


# ------------------------------------------------------------------ run_training
# correct


def train_ref(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    require_net(net)
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    loss = cross_entropy_loss(probs, labels)
    grad = softmax_cross_entropy_grad(probs, labels)
    for layer in reversed(net):
        grad = layer.backward(grad)
    if clip_threshold is not None:
        clip_global_norm(net, clip_threshold)
    if update_weights:
        for layer in net:
            layer.update_weights(learning_rate, update_fun)
    return loss


def train_forward_pass(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    loss, probs = run_forward_pass(net, data, labels)
    grad = softmax_cross_entropy_grad(probs, labels)
    for layer in net[::-1]:
        grad = layer.backward(grad)
    if clip_threshold is not None:
        clip_global_norm(net, clip_threshold)
    for layer in net:
        if update_weights:
            layer.update_weights(learning_rate=learning_rate, update_fun=update_fun)
    return float(loss)


def train_update_right_away(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    # Without clipping nothing needs the whole gradient: update each layer after its backward.
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    loss = cross_entropy_loss(probs, labels)
    grad = softmax_cross_entropy_grad(probs, labels)
    for i in range(len(net) - 1, -1, -1):
        grad = net[i].backward(grad)
        if clip_threshold is None and update_weights:
            net[i].update_weights(learning_rate, update_fun)
    if clip_threshold is not None:
        clip_global_norm(net, clip_threshold)
        if update_weights:
            for layer in net:
                layer.update_weights(learning_rate, update_fun)
    return loss


def train_inline_grad(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    x = data
    for layer in net:
        x = layer.forward(x)
    probs = softmax(x)
    T, N, V = probs.shape
    loss = cross_entropy_loss(probs, labels)
    d = (probs - one_hot(labels, V)) / N
    for layer in list(reversed(net)):
        d = layer.backward(d)
    if clip_threshold is not None:
        clip_global_norm(net, threshold=clip_threshold)
    if update_weights:
        for layer in net:
            layer.update_weights(learning_rate, update_fun=update_fun)
    return loss


def train_reverse_updates(
    net, data, labels, learning_rate=1e-3, clip_threshold=5.0, update_weights=True, update_fun=None
):
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    grad = softmax_cross_entropy_grad(probs, labels)
    backwards = list(reversed(net))
    for layer in backwards:
        grad = layer.backward(grad)
    if clip_threshold is not None:
        clip_global_norm(net, clip_threshold)
    if update_weights:
        for layer in backwards:  # the order of the updates does not matter
            layer.update_weights(learning_rate, update_fun)
    return cross_entropy_loss(probs, labels)  # probs from before the update


# bugs


def _train(
    clip="after",
    pass_rule=True,
    order="reverse",
    loss_after=False,
    always_update=False,
    clip_only_when_updating=False,
    pass_lr=True,
    from_logits=False,
    zero_at_end=False,
    loss_from_logits=False,
):
    def run_training(
        net,
        data,
        labels,
        learning_rate=1e-3,
        clip_threshold=5.0,
        update_weights=True,
        update_fun=None,
    ):
        out = data
        for layer in net:
            out = layer.forward(out)
        probs = softmax(out)
        loss = cross_entropy_loss(out if loss_from_logits else probs, labels)
        grad = softmax_cross_entropy_grad(out if from_logits else probs, labels)
        clipping = clip_threshold is not None and (update_weights or not clip_only_when_updating)
        if clip == "before" and clipping:
            clip_global_norm(net, clip_threshold)
        for layer in reversed(net) if order == "reverse" else net:
            grad = layer.backward(grad)
            if clip == "per layer" and clipping:
                clip_global_norm(net, clip_threshold)
            if clip == "clip_gradients" and clipping:
                layer.clip_gradients(clip_threshold)
        if clip == "after" and clipping:
            clip_global_norm(net, clip_threshold)
        if update_weights or always_update:
            for layer in net:
                args = (learning_rate,) if pass_lr else ()
                if pass_rule:
                    layer.update_weights(*args, update_fun=update_fun)
                else:
                    layer.update_weights(*args)
        if zero_at_end:
            for layer in net:
                layer.zero_grads()
        if loss_after:
            loss, _ = run_forward_pass(net, data, labels)
        return loss

    return run_training


TRAIN_BUGS = [
    ("clip_global_norm after every layer's backward", _train(clip="per layer")),
    ("clipped before backward", _train(clip="before")),
    ("clipped per tensor with layer.clip_gradients", _train(clip="clip_gradients")),
    ("update_fun not passed", _train(pass_rule=False)),
    ("loss after the update", _train(loss_after=True)),
    ("backward in forward order", _train(order="forward")),
    ("updates although update_weights=False", _train(always_update=True)),
    ("learning rate not passed", _train(pass_lr=False)),
    ("loss gradient from the logits", _train(from_logits=True)),
    ("loss computed on the logits", _train(loss_from_logits=True)),
    ("gradients zeroed at the end", _train(zero_at_end=True)),
    # the visible case "clipped, no update" shows it
    ("clipped only when updating", _train(clip_only_when_updating=True)),
]

# ------------------------------------------------------------------ run_memory_test
# correct


def memory_ref(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    L = to_remember_len
    data, labels = generate_data_memory(L, n_vocab, n_sequences, rng)
    _, probs = run_forward_pass(net, data, labels)
    predictions = probs.argmax(axis=-1)
    return float(np.mean(predictions[L + 1 :] == labels[L + 1 :]))


def memory_one_at_a_time(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    L = to_remember_len
    correct = 0
    for _ in range(n_sequences):
        data, labels = generate_data_memory(L, n_vocab, 1, rng)
        _, probs = run_forward_pass(net, data, labels)
        correct += np.sum(np.argmax(probs[L + 1 :, 0], axis=-1) == labels[L + 1 :, 0])
    return correct / (L * n_sequences)


def memory_logits(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    # argmax of the logits: softmax is monotonic, the forward loop is enough
    data, labels = generate_data_memory(to_remember_len, n_vocab, n_sequences, rng=rng)
    out = data
    for layer in net:
        out = layer.forward(out)
    start = to_remember_len + 1
    hits = out[start:].argmax(axis=2) == labels[start:]
    return hits.sum() / hits.size


def memory_delimiter_index(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    data, labels = generate_data_memory(to_remember_len, n_vocab, n_sequences, rng)
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    T = data.shape[0]
    after = slice(T - to_remember_len, T)  # the last L steps
    return float((probs[after].argmax(-1) == labels[after]).mean())


def memory_loss_and_logits(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    # the given run_forward_pass for the loss (printed), then the logits once more
    L = to_remember_len
    data, labels = generate_data_memory(L, n_vocab, n_sequences, rng)
    loss, _ = run_forward_pass(net, data, labels)
    logits = data
    for layer in net:
        logits = layer.forward(logits)
    print(f"loss {loss:.3f}")
    return float(np.mean(logits[L + 1 :].argmax(-1) == labels[L + 1 :]))


# bugs


def _memory(rows="after", per_sequence=False, use_rng=True, use_n=True, axis=-1, count=False):
    def run_memory_test(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
        L = to_remember_len
        data, labels = generate_data_memory(
            L, n_vocab, n_sequences if use_n else 1000, rng if use_rng else None
        )
        _, probs = run_forward_pass(net, data, labels)
        hits = probs.argmax(axis=axis) == labels
        sel = {
            "after": slice(L + 1, None),
            "all": slice(None),
            "from delimiter": slice(L, None),
            "one late": slice(L + 2, None),
        }[rows]
        hits = hits[sel]
        if count:
            return float(hits.sum())
        if per_sequence:
            return float(np.mean(np.all(hits, axis=0)))
        return float(np.mean(hits))

    return run_memory_test


def memory_floor_division(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    L = to_remember_len
    data, labels = generate_data_memory(L, n_vocab, n_sequences, rng)
    _, probs = run_forward_pass(net, data, labels)
    right = probs.argmax(axis=-1)[L + 1 :] == labels[L + 1 :]
    return float(right.sum() // right.size)  # the bug: floor division


MEMORY_BUGS = [
    ("floor division", memory_floor_division),
    ("scores all time steps", _memory(rows="all")),
    ("scores from the delimiter on", _memory(rows="from delimiter")),
    ("skips the first remembered symbol", _memory(rows="one late")),
    ("whole sequence right or wrong", _memory(per_sequence=True)),
    ("n_sequences ignored", _memory(use_n=False)),
    ("argmax over the batch axis", _memory(axis=1)),
    ("returns the number of hits", _memory(count=True)),
    ("rng ignored", _memory(use_rng=False)),
]


def _fns(check, subject, kind, items, **kw):
    return [Variant(check, name, kind, {subject: obj}, **kw) for name, obj in items]


VARIANTS = [
    *_fns(
        "run_training",
        "run_training",
        "correct",
        [
            ("forward, backward, clip, update", train_ref),
            ("given run_forward_pass, net[::-1], keywords", train_forward_pass),
            ("update right after backward when not clipping", train_update_right_away),
            ("loss gradient written out", train_inline_grad),
            ("updates in reverse order, loss computed last", train_reverse_updates),
        ],
    ),
    *_fns("run_training", "run_training", "bug", TRAIN_BUGS),
    *_fns(
        "run_memory_test",
        "run_memory_test",
        "correct",
        [
            ("given run_forward_pass, argmax of probs", memory_ref),
            ("one sequence at a time", memory_one_at_a_time),
            ("argmax of the logits", memory_logits),
            ("last L steps by T - L", memory_delimiter_index),
            ("forward twice: loss, then logits", memory_loss_and_logits),
        ],
    ),
    *_fns("run_memory_test", "run_memory_test", "bug", MEMORY_BUGS),
    # Bugs graded in earlier notebooks, loaded into notebook 5 by import_from_notebook:
    # the hidden tests of run_training and run_memory_test replace them by the reference.
    Variant(
        "softmax",
        "wrong axis, in notebook 5",
        "bug",
        {
            "softmax": softmax_wrong_axis,
            "run_training": train_ref,
            "run_memory_test": memory_ref,
            "run_forward_pass": run_forward_pass,
        },
        also_pass=("run_training", "run_memory_test"),
    ),
    Variant(
        "softmax",
        "no max subtraction, in notebook 5",
        "bug",
        {
            "softmax": softmax_no_shift,
            "run_training": train_forward_pass,
            "run_memory_test": memory_delimiter_index,
        },
        also_pass=("run_training", "run_memory_test"),
    ),
    Variant(
        "cross_entropy_loss",
        "averaged over time, in notebook 5",
        "bug",
        {
            "cross_entropy_loss": ce_mean_over_time,
            "run_training": train_ref,
            "run_memory_test": memory_one_at_a_time,
        },
        also_pass=("run_training", "run_memory_test"),
    ),
    Variant(
        "softmax_cross_entropy_grad",
        "not divided by N, in notebook 5",
        "bug",
        {"softmax_cross_entropy_grad": grad_not_divided, "run_training": train_update_right_away},
        also_pass=("run_training",),
    ),
    Variant(
        "clip_global_norm",
        "returns the norm after clipping, in notebook 5",
        "bug",
        {"clip_global_norm": cgn_returns_after, "run_training": train_forward_pass},
        also_pass=("run_training",),
    ),
]
