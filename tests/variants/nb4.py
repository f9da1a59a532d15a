"""Notebook 4: spectral_radius, clip_global_norm and run_exploding_grads_test.

The functions here look up ``softmax``, ``softmax_cross_entropy_grad`` and
``clip_global_norm`` as globals, like notebook 4's code does; ``Variant.namespace``
gives them one notebook namespace (see tests/variants/__init__.py).
"""

import numpy as np

from helpers.data import one_hot

from . import Variant
from .nb1 import ce_arange_unbroadcast, grad_sign, softmax_global_sum, softmax_wrong_axis
from .nb1 import ce_ref as cross_entropy_loss
from .nb1 import grad_ref as softmax_cross_entropy_grad
from .nb1 import softmax_ref as softmax

# ------------------------------------------------------------------ spectral radius


def rho_ref(W):
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def rho_builtin_max(W):
    return max(abs(ev) for ev in np.linalg.eigvals(W))


def rho_hypot(W):
    ev = np.linalg.eig(W)[0]
    return np.hypot(ev.real, ev.imag).max()


def rho_conjugate(W):
    ev = np.linalg.eigvals(W)
    return float(np.sqrt(np.max((ev * np.conj(ev)).real)))


def rho_max_real(W):
    return float(np.max(np.linalg.eigvals(W).real))


def rho_max_abs_real(W):
    return float(np.max(np.abs(np.linalg.eigvals(W).real)))


def rho_singular(W):
    return float(np.linalg.norm(W, 2))


def rho_complex(W):
    ev = np.linalg.eigvals(W)
    return ev[np.argmax(np.abs(ev))]


def rho_eigvalsh(W):
    return float(np.max(np.abs(np.linalg.eigvalsh(W))))


def rho_min(W):
    return float(np.min(np.abs(np.linalg.eigvals(W))))


# ------------------------------------------------------------------ clip_global_norm
# correct


def cgn_ref(net, threshold):
    grads = [grad for layer in net for _, grad, _ in layer.get_params()]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    if norm > threshold:
        for g in grads:
            g *= threshold / norm
    return norm


def cgn_pytorch(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    total = np.sqrt(sum(float(np.sum(g**2)) for g in grads))
    scale = min(1.0, threshold / (total + 1e-6))
    for g in grads:
        g *= scale
    return total


def cgn_concatenate(net, threshold):
    norm = np.linalg.norm(
        np.concatenate([g.ravel() for layer in net for _, g, _ in layer.get_params()])
    )
    if norm > threshold:
        for layer in net:
            for _, g, _ in layer.get_params():
                np.multiply(g, threshold / norm, out=g)
    return norm


def cgn_norm_of_norms(net, threshold):
    norms = [np.linalg.norm(g) for layer in net for _, g, _ in layer.get_params()]
    norm = np.linalg.norm(norms)
    factor = threshold / norm if norm > threshold else 1.0
    for layer in net:
        for name in layer.param_names:
            g = getattr(layer, "d" + name)
            g[...] = g * factor
    return float(norm)


clip_global_norm = cgn_ref  # the notebook's own (correct) version, used below


# bugs


def cgn_per_tensor(net, threshold):
    total = 0.0
    for layer in net:
        for _, g, _ in layer.get_params():
            n = np.linalg.norm(g)
            total += n**2
            if n > threshold:
                g *= threshold / n
    return np.sqrt(total)


def cgn_per_layer(net, threshold):
    total = 0.0
    for layer in net:
        grads = [g for _, g, _ in layer.get_params()]
        n = np.sqrt(sum(np.sum(g * g) for g in grads))
        total += n**2
        if n > threshold:
            for g in grads:
                g *= threshold / n
    return np.sqrt(total)


def cgn_elementwise(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    for g in grads:
        np.clip(g, -threshold, threshold, out=g)
    return norm


def cgn_always(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    for g in grads:
        g *= threshold / max(norm, 1e-12)
    return norm


def cgn_returns_after(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    if norm > threshold:
        for g in grads:
            g *= threshold / norm
    return np.sqrt(sum(np.sum(g * g) for g in grads))


def cgn_not_in_place(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    if norm > threshold:
        grads = [g * threshold / norm for g in grads]  # new arrays: the layers keep the old
    return norm


def cgn_no_sqrt(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = sum(np.sum(g * g) for g in grads)
    if norm > threshold:
        for g in grads:
            g *= threshold / norm
    return norm


def cgn_sum_of_norms(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = sum(np.linalg.norm(g) for g in grads)
    if norm > threshold:
        for g in grads:
            g *= threshold / norm
    return norm


def cgn_layer_clip_gradients(net, threshold):
    # the bug: each layer's per-tensor clipping from notebook 1
    norm = float(np.sqrt(sum(np.sum(g * g) for layer in net for _, g, _ in layer.get_params())))
    for layer in net:
        layer.clip_gradients(threshold)
    return norm


def cgn_returns_nothing(net, threshold):
    cgn_ref(net, threshold)


# ------------------------------------------------------------------ exploding grads
# correct


def explode_ref(net, data, labels, max_seq_len=None, clip_threshold=None):
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


def explode_sum_count(net, data, labels, max_seq_len=None, clip_threshold=None):
    max_seq_len = max_seq_len or len(data)
    result = []
    for length in range(1, max_seq_len + 1):
        for layer in net:
            for _, g, _ in layer.get_params():
                g[...] = 0
        h = data[:length]
        for layer in net:
            h = layer.forward(h)
        probs = softmax(h)
        d = softmax_cross_entropy_grad(probs, labels[:length])
        for i in range(len(net) - 1, -1, -1):
            d = net[i].backward(d)
        if clip_threshold is not None:
            clip_global_norm(net, clip_threshold)
        total, count = 0.0, 0
        for layer in net:
            for _, g, _ in layer.get_params():
                total += np.sum(np.abs(g))
                count += g.size
        result.append(total / count)
    return np.array(result)


def explode_inline_grad(net, data, labels, max_seq_len=None, clip_threshold=None):
    # the loss gradient written out instead of calling softmax_cross_entropy_grad
    T = data.shape[0] if max_seq_len is None else max_seq_len
    means = []
    for k in range(1, T + 1):
        for layer in net:
            layer.zero_grads()
        out = data[:k]
        for layer in net:
            out = layer.forward(out)
        probs = softmax(out)
        grad = (probs - one_hot(labels[:k], probs.shape[-1])) / probs.shape[1]
        for layer in net[::-1]:
            grad = layer.backward(grad)
        if clip_threshold is not None:
            clip_global_norm(net, clip_threshold)
        everything = np.concatenate([g.ravel() for layer in net for _, g, _ in layer.get_params()])
        means.append(np.mean(np.abs(everything)))
    return np.asarray(means)


def explode_with_loss(net, data, labels, max_seq_len=None, clip_threshold=None):
    # also keeps the loss of every prefix (handy for a plot), with cross_entropy_loss
    T = data.shape[0] if max_seq_len is None else max_seq_len
    means, losses = np.zeros(T), []
    for k in range(1, T + 1):
        for layer in net:
            layer.zero_grads()
        out = data[:k]
        for layer in net:
            out = layer.forward(out)
        probs = softmax(out)
        losses.append(cross_entropy_loss(probs, labels[:k]))
        grad = softmax_cross_entropy_grad(probs, labels[:k])
        for layer in reversed(net):
            grad = layer.backward(grad)
        if clip_threshold is not None:
            clip_global_norm(net, clip_threshold)
        means[k - 1] = np.mean(
            np.abs(np.concatenate([g.ravel() for layer in net for _, g, _ in layer.get_params()]))
        )
    return means


def explode_forward_twice(net, data, labels, max_seq_len=None, clip_threshold=None):
    # a helper for the loss of a prefix, then the forward pass again for the gradient
    def prefix_loss(k):
        out = data[:k]
        for layer in net:
            out = layer.forward(out)
        return cross_entropy_loss(softmax(out), labels[:k])

    T = max_seq_len if max_seq_len is not None else data.shape[0]
    means, losses = np.zeros(T), np.zeros(T)
    for k in range(1, T + 1):
        losses[k - 1] = prefix_loss(k)
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
        means[k - 1] = np.abs(
            np.concatenate([g.ravel() for layer in net for _, g, _ in layer.get_params()])
        ).mean()
    return means


# bugs


def _explode(
    zero=True,
    per_tensor=False,
    per_layer=False,
    clip="after",
    offset=0,
    absolute=True,
    ignore_max=False,
):
    def run_exploding_grads_test(net, data, labels, max_seq_len=None, clip_threshold=None):
        T = data.shape[0] if (max_seq_len is None or ignore_max) else max_seq_len
        means = np.zeros(T)
        for k in range(1, T + 1):
            if zero or k == 1:
                for layer in net:
                    layer.zero_grads()
            out = data[: k + offset]
            for layer in net:
                out = layer.forward(out)
            grad = softmax_cross_entropy_grad(softmax(out), labels[: k + offset])
            if clip == "before" and clip_threshold is not None:
                clip_global_norm(net, clip_threshold)
            for layer in reversed(net):
                grad = layer.backward(grad)
                if clip == "per layer" and clip_threshold is not None:
                    layer.clip_gradients(clip_threshold)
            if clip == "measure first":
                grads = [g.ravel() for layer in net for _, g, _ in layer.get_params()]
                means[k - 1] = np.abs(np.concatenate(grads)).mean()
            if clip in ("after", "measure first") and clip_threshold is not None:
                clip_global_norm(net, clip_threshold)
            if clip == "measure first":
                continue
            tensors = [g for layer in net for _, g, _ in layer.get_params()]
            f = np.abs if absolute else (lambda g: g)
            if per_tensor:
                means[k - 1] = np.mean([f(g).mean() for g in tensors])
            elif per_layer:
                means[k - 1] = np.mean(
                    [
                        np.concatenate([f(g).ravel() for _, g, _ in layer.get_params()]).mean()
                        for layer in net
                    ]
                )
            else:
                means[k - 1] = f(np.concatenate([g.ravel() for g in tensors])).mean()
        return means

    return run_exploding_grads_test


EXPLODE_BUGS = [
    ("gradients not zeroed", _explode(zero=False)),
    ("mean of per-tensor means", _explode(per_tensor=True)),
    ("mean of per-layer means", _explode(per_layer=True)),
    ("no clipping", _explode(clip="never")),
    ("clipped before backward", _explode(clip="before")),
    ("clipped per tensor with layer.clip_gradients", _explode(clip="per layer")),
    ("measured before clipping", _explode(clip="measure first")),
    ("prefix one step too long", _explode(offset=1)),
    ("mean of g instead of |g|", _explode(absolute=False)),
    ("max_seq_len ignored", _explode(ignore_max=True)),
]


def _fns(check, subject, kind, items, **kw):
    return [Variant(check, name, kind, {subject: obj}, **kw) for name, obj in items]


VARIANTS = [
    *_fns(
        "spectral_radius",
        "spectral_radius",
        "correct",
        [
            ("np.max(np.abs(eigvals))", rho_ref),
            ("builtin max of abs", rho_builtin_max),
            ("np.hypot of eig()[0]", rho_hypot),
            ("sqrt of max of ev * conj(ev)", rho_conjugate),
        ],
    ),
    *_fns(
        "spectral_radius",
        "spectral_radius",
        "bug",
        [
            ("max real part", rho_max_real),
            ("largest absolute real part", rho_max_abs_real),
            ("largest singular value", rho_singular),
            ("complex eigenvalue returned", rho_complex),
            ("eigvalsh (symmetric only)", rho_eigvalsh),
            ("smallest modulus", rho_min),
        ],
    ),
    *_fns(
        "clip_global_norm",
        "clip_global_norm",
        "correct",
        [
            ("sqrt of sum of squares", cgn_ref),
            ("PyTorch: min(1, threshold / (norm + 1e-6))", cgn_pytorch),
            ("np.linalg.norm of the concatenation", cgn_concatenate),
            ("norm of per-tensor norms, g[...] =", cgn_norm_of_norms),
        ],
    ),
    *_fns(
        "clip_global_norm",
        "clip_global_norm",
        "bug",
        [
            ("per-tensor clipping", cgn_per_tensor),
            ("per-layer clipping", cgn_per_layer),
            ("elementwise np.clip", cgn_elementwise),
            ("scales even under the threshold", cgn_always),
            ("returns the norm after clipping", cgn_returns_after),
            ("not in place", cgn_not_in_place),
            ("squared norm", cgn_no_sqrt),
            ("sum of per-tensor norms", cgn_sum_of_norms),
            ("layer.clip_gradients", cgn_layer_clip_gradients),
            ("returns None", cgn_returns_nothing),
        ],
    ),
    *_fns(
        "run_exploding_grads_test",
        "run_exploding_grads_test",
        "correct",
        [
            ("concatenate, zero_grads", explode_ref),
            ("sum / count, g[...] = 0, index loop", explode_sum_count),
            ("loss gradient written out, list of means", explode_inline_grad),
            ("also computes the loss of every prefix", explode_with_loss),
            ("an extra forward pass for the loss", explode_forward_twice),
        ],
    ),
    *_fns("run_exploding_grads_test", "run_exploding_grads_test", "bug", EXPLODE_BUGS),
    # Bugs in the collaborators (graded in their own exercises) must not fail this one.
    Variant(
        "softmax",
        "wrong axis, in notebook 4",
        "bug",
        {"softmax": softmax_wrong_axis, "run_exploding_grads_test": explode_ref},
        also_pass=("run_exploding_grads_test",),
    ),
    Variant(
        "cross_entropy_loss",
        "unbroadcast np.arange indexing, in notebook 4",
        "bug",
        {
            "cross_entropy_loss": ce_arange_unbroadcast,
            "run_exploding_grads_test": explode_with_loss,
        },
        also_pass=("run_exploding_grads_test",),
    ),
    Variant(
        "softmax_cross_entropy_grad",
        "sign flipped, in notebook 4",
        "bug",
        {"softmax_cross_entropy_grad": grad_sign, "run_exploding_grads_test": explode_ref},
        also_pass=("run_exploding_grads_test",),
    ),
    Variant(
        "clip_global_norm",
        "per-tensor clipping and a buggy softmax, in notebook 4",
        "bug",
        {
            "clip_global_norm": cgn_per_tensor,
            "run_exploding_grads_test": explode_ref,
            "softmax": softmax_global_sum,
        },
        also_pass=("run_exploding_grads_test",),
    ),
]
