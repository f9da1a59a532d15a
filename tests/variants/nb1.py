"""Notebook 1: softmax, cross-entropy, its gradient, LinearLayer and Layer."""

import numpy as np

from helpers.data import one_hot
from helpers.validation import require_array, require_labels, require_sequence_batch

from . import Variant

# ------------------------------------------------------------------ softmax
# correct


def softmax_ref(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_loops(logits):
    T, N, V = logits.shape
    probs = np.zeros_like(logits, dtype=float)
    for t in range(T):
        for n in range(N):
            row = logits[t, n]
            e = np.exp(row - np.max(row))
            probs[t, n] = e / np.sum(e)
    return probs


def softmax_logsumexp(logits):
    m = np.max(logits, axis=-1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=-1, keepdims=True))
    return np.exp(logits - lse)


def softmax_reciprocal_einsum(logits):
    e = np.exp(logits - np.max(logits, axis=2)[:, :, None])
    return e * (1.0 / np.einsum("tnv->tn", e))[:, :, None]


def softmax_apply_along_axis(logits):
    def row_softmax(z):
        e = np.exp(z - z.max())
        return e / e.sum()

    return np.apply_along_axis(row_softmax, -1, logits)


def softmax_inplace_on_copy(logits):
    z = np.array(logits, dtype=float, copy=True)
    z -= z.max(axis=-1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=-1, keepdims=True)
    return z


# bugs


def softmax_wrong_axis(logits):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_no_shift(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_in_place(logits):
    logits -= logits.max(axis=-1, keepdims=True)
    np.exp(logits, out=logits)
    logits /= logits.sum(axis=-1, keepdims=True)
    return logits


def softmax_global_max(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum(axis=-1, keepdims=True)


def softmax_global_sum(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum()


def softmax_min_shift(logits):
    e = np.exp(logits - logits.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------ cross-entropy
# correct


def ce_ref(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    p_true = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log(p_true).sum() / N)


def ce_fancy_index(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    p = probs[np.arange(T)[:, None], np.arange(N)[None, :], labels]
    return float(-np.sum(np.log(p)) / N)


def ce_loops(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    total = 0.0
    for t in range(T):
        for n in range(N):
            total -= np.log(probs[t, n, labels[t, n]])
    return total / N


def ce_epsilon(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log(p + 1e-12).sum() / N)


def ce_clipped(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take_along_axis(np.clip(probs, 1e-12, 1.0), labels[..., None], axis=-1)
    return float(-np.log(p).sum() / N)


def ce_mean_batch_sum_time(probs, labels):
    require_labels(labels, probs)
    p = np.take_along_axis(probs, labels[..., None], axis=-1)[..., 0]  # (T, N)
    return float((-np.log(p)).mean(axis=1).sum())


def ce_onehot_select(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    p = np.sum(probs * one_hot(labels, V), axis=-1)  # exactly the label's probability
    return float(-np.sum(np.log(p)) / N)


# bugs


def ce_mean_over_time(probs, labels):
    require_labels(labels, probs)
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log(p).mean())


def ce_divided_by_t(probs, labels):
    require_labels(labels, probs)
    T = probs.shape[0]
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log(p).sum() / T)


def ce_no_log(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-p.sum() / N)


def ce_no_batch_mean(probs, labels):
    require_labels(labels, probs)
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log(p).sum())


def ce_wrong_entries_take(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take(probs, labels, axis=-1)  # (T, N, T, N): every label against every row
    return float(-np.log(p).sum() / N)


def ce_most_probable(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    return float(-np.log(probs.max(axis=-1)).sum() / N)


def ce_onehot_log_all(probs, labels):
    # log of EVERY entry: -inf * 0 = nan as soon as a probability is exactly 0,
    # which softmax does produce (exp underflows for large logit gaps).
    require_labels(labels, probs)
    N = probs.shape[1]
    return float(-np.sum(one_hot(labels, probs.shape[2]) * np.log(probs)) / N)


def ce_per_step(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take_along_axis(probs, labels[..., None], axis=-1)[..., 0]
    return -np.log(p).sum(axis=1) / N


def ce_arange_unbroadcast(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    p = probs[np.arange(T), np.arange(N), labels]  # IndexError unless T == N (or 1)
    return float(-np.sum(np.log(p)) / N)


def ce_log_in_place(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    np.log(probs, out=probs)  # the bug: the caller's probs become log-probabilities
    return float(-np.take_along_axis(probs, labels[..., None], axis=-1).sum() / N)


def ce_log10(probs, labels):
    require_labels(labels, probs)
    N = probs.shape[1]
    p = np.take_along_axis(probs, labels[..., None], axis=-1)
    return float(-np.log10(p).sum() / N)


# ------------------------------------------------ softmax_cross_entropy_grad
# correct


def grad_ref(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    return (probs - one_hot(labels, V)) / N


def grad_add_at(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    d = probs.copy()
    tt, nn = np.meshgrid(np.arange(T), np.arange(N), indexing="ij")
    np.add.at(d, (tt, nn, labels), -1.0)
    return d / N


def grad_loops(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    d = np.array(probs, dtype=float)
    for t in range(T):
        for n in range(N):
            d[t, n, labels[t, n]] -= 1.0
    return d / N


def grad_eye(probs, labels):
    require_labels(labels, probs)
    N, V = probs.shape[1], probs.shape[2]
    return (probs - np.eye(V)[labels]) * (1.0 / N)


def grad_mask(probs, labels):
    require_labels(labels, probs)
    N, V = probs.shape[1], probs.shape[2]
    mask = labels[..., None] == np.arange(V)
    return np.where(mask, probs - 1.0, probs) / N


# bugs


def grad_not_divided(probs, labels):
    require_labels(labels, probs)
    return probs - one_hot(labels, probs.shape[2])


def grad_divided_by_T(probs, labels):
    require_labels(labels, probs)
    return (probs - one_hot(labels, probs.shape[2])) / probs.shape[0]


def grad_in_place(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    probs -= one_hot(labels, V)
    probs /= N
    return probs


def grad_sign(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    return (one_hot(labels, V) - probs) / N


def grad_divided_by_TN(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    return (probs - one_hot(labels, V)) / (T * N)


# ------------------------------------------------------------------ Layer


class GivenLayer:
    """The given part of notebook 1's Layer (param_names, get_params, zero_grads)."""

    param_names = ()

    def get_params(self):
        for name in self.param_names:
            yield getattr(self, name), getattr(self, "d" + name), name

    def zero_grads(self):
        for _, grad, _ in self.get_params():
            grad[...] = 0.0

    def clip_gradients(self, threshold=5.0):
        raise NotImplementedError()

    def update_weights(self, learning_rate=1e-3, update_fun=None):
        raise NotImplementedError()


# clip_gradients: correct


def clip_ref(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = np.linalg.norm(grad)
        if norm > threshold:
            grad *= threshold / norm


def clip_sqrt_sum(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = np.sqrt(np.sum(grad**2))
        if norm > threshold:
            grad[...] = grad * threshold / norm


def clip_min_factor(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = float(np.sqrt(np.sum(grad * grad)))
        factor = min(1.0, threshold / norm) if norm > 0 else 1.0
        np.multiply(grad, factor, out=grad)


def clip_by_name(self, threshold=5.0):
    for name in self.param_names:
        g = getattr(self, "d" + name)
        norm = np.linalg.norm(g.ravel())
        if norm > threshold:
            g /= norm / threshold


# clip_gradients: bugs


def clip_global(self, threshold=5.0):
    grads = [g for _, g, _ in self.get_params()]
    norm = np.sqrt(sum(np.sum(g * g) for g in grads))
    if norm > threshold:
        for g in grads:
            g *= threshold / norm


def clip_elementwise(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        np.clip(grad, -threshold, threshold, out=grad)


def clip_always(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        grad *= threshold / np.linalg.norm(grad)


def clip_not_in_place(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = np.linalg.norm(grad)
        if norm > threshold:
            grad = grad * threshold / norm  # noqa: F841  (the bug: rebinds a local)


def clip_inverted(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = np.linalg.norm(grad)
        if norm > threshold:
            grad *= norm / threshold


def clip_l1(self, threshold=5.0):
    for _, grad, _ in self.get_params():
        norm = np.sum(np.abs(grad))
        if norm > threshold:
            grad *= threshold / norm


def clip_params(self, threshold=5.0):
    for param, _, _ in self.get_params():
        norm = np.linalg.norm(param)
        if norm > threshold:
            param *= threshold / norm


# update_weights: correct


def update_ref(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param -= learning_rate * grad
        else:
            update_fun(param, grad, learning_rate)
    self.zero_grads()


def update_setattr(self, learning_rate=1e-3, update_fun=None):
    for param, grad, name in self.get_params():
        if update_fun is None:
            setattr(self, name, param - learning_rate * grad)  # a new array: fine for SGD
        else:
            update_fun(param, grad, learning_rate)
    self.zero_grads()


def update_keywords_fill(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is not None:
            update_fun(param=param, grad=grad, learning_rate=learning_rate)
        else:
            np.subtract(param, learning_rate * grad, out=param)
        grad.fill(0.0)


def update_new_zero_arrays(self, learning_rate=1e-3, update_fun=None):
    for name in self.param_names:
        param, grad = getattr(self, name), getattr(self, "d" + name)
        if update_fun is None:
            param[...] = param - learning_rate * grad
        else:
            update_fun(param, grad, learning_rate)
        setattr(self, "d" + name, np.zeros_like(grad))


# update_weights: bugs


def update_no_zero(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param -= learning_rate * grad
        else:
            update_fun(param, grad, learning_rate)


def update_local_rebind(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param = param - learning_rate * grad  # noqa: F841  (the bug: no effect)
        else:
            update_fun(param, grad, learning_rate)
    self.zero_grads()


def update_both(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        param -= learning_rate * grad
        if update_fun is not None:
            update_fun(param, grad, learning_rate)
    self.zero_grads()


def update_zero_first(self, learning_rate=1e-3, update_fun=None):
    self.zero_grads()
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param -= learning_rate * grad
        else:
            update_fun(param, grad, learning_rate)


def update_plus(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param += learning_rate * grad
        else:
            update_fun(param, grad, learning_rate)
    self.zero_grads()


def update_swapped_args(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param -= learning_rate * grad
        else:
            update_fun(grad, param, learning_rate)
    self.zero_grads()


def update_rule_without_lr(self, learning_rate=1e-3, update_fun=None):
    for param, grad, _ in self.get_params():
        if update_fun is None:
            param -= learning_rate * grad
        else:
            update_fun(param, grad, 1e-3)
    self.zero_grads()


def make_layer(clip=clip_ref, update=update_ref):
    """The student's Layer: the given part plus their two methods."""
    return type("Layer", (GivenLayer,), {"clip_gradients": clip, "update_weights": update})


Layer = make_layer()

# ------------------------------------------------------------- LinearLayer
# __init__: correct


def init_ref(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_glorot_uniform(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    limit = np.sqrt(6.0 / (n_in + n_out))  # variance limit^2 / 3 = 2 / (n_in + n_out)
    self.W = rng.uniform(-limit, limit, size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros((n_out, n_in))
    self.db = np.zeros(n_out)


def init_standard_normal_transposed(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    std = (2.0 / (n_in + n_out)) ** 0.5
    self.W = (rng.standard_normal((n_in, n_out)) * std).T.copy()
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


# __init__: bugs


def init_he(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_variance_as_std(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, 2.0 / (n_in + n_out), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_global_np_random(self, n_in, n_out, rng=None):
    self.W = np.random.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_fixed_seed(self, n_in, n_out, rng=None):
    rng = np.random.default_rng(0)  # the bug: ignores the rng argument
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_random_bias(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.b = rng.normal(0.0, 0.1, size=n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_transposed_shape(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out))
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros_like(self.b)


def init_aliased_bias(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.dW = np.zeros_like(self.W)
    self.b = self.db = np.zeros(n_out)  # the bug: one array, so backward changes b too


def init_integer_grads(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_out, n_in))
    self.b = np.zeros(n_out)
    self.dW = np.zeros((n_out, n_in), dtype=int)  # the bug: dW += float raises
    self.db = np.zeros(n_out, dtype=int)


def init_raises(self, n_in, n_out, rng=None):
    rng = rng if rng is not None else np.random.default_rng()
    self.W = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_out)), size=(n_in, n_out)).T
    self.b = np.zeros(n_out)
    self.dW = np.zeros_like(self.W)
    self.db = np.zeros(n_out, n_out)  # the bug: TypeError (dtype argument)


# forward: correct


def forward_ref(self, x):
    require_sequence_batch(x, "x", features=self.W.shape[1])
    self.x = x
    return x @ self.W.T + self.b


def forward_einsum(self, x):
    self.x = x
    return np.einsum("tni,oi->tno", x, self.W) + self.b


def forward_loops(self, x):
    T, N, _ = x.shape
    y = np.zeros((T, N, self.W.shape[0]))
    for t in range(T):
        for n in range(N):
            y[t, n] = self.W @ x[t, n] + self.b
    self.x = x.copy()
    return y


def forward_tensordot(self, x):
    self.x = x
    return np.tensordot(x, self.W, axes=([2], [1])) + self.b[None, None, :]


def forward_flatten(self, x):
    T, N, n_in = x.shape
    self.x = x
    return (x.reshape(T * N, n_in) @ self.W.T + self.b).reshape(T, N, -1)


# forward: bugs


def forward_no_bias(self, x):
    self.x = x
    return x @ self.W.T


def forward_no_cache(self, x):
    return x @ self.W.T + self.b


def forward_not_transposed(self, x):
    self.x = x
    return x @ self.W + self.b


def forward_bias_subtracted(self, x):
    self.x = x
    return x @ self.W.T - self.b


def forward_relu(self, x):
    self.x = x
    return np.maximum(x @ self.W.T + self.b, 0.0)


# backward: correct


def backward_ref(self, dy):
    require_array(dy, "dy", shape=self.x.shape[:2] + (self.W.shape[0],))
    n_out, n_in = self.W.shape
    self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
    self.db += dy.sum(axis=(0, 1))
    return dy @ self.W


def backward_einsum(self, dy):
    self.dW += np.einsum("tno,tni->oi", dy, self.x)
    self.db += np.einsum("tno->o", dy)
    return np.einsum("tno,oi->tni", dy, self.W)


def backward_loops(self, dy):
    T, N, _ = dy.shape
    dx = np.zeros(self.x.shape)
    for t in range(T):
        for n in range(N):
            self.dW += np.outer(dy[t, n], self.x[t, n])
            self.db += dy[t, n]
            dx[t, n] = self.W.T @ dy[t, n]
    return dx


def backward_tensordot(self, dy):
    self.dW = self.dW + np.tensordot(dy, self.x, axes=([0, 1], [0, 1]))
    self.db = self.db + dy.sum(axis=0).sum(axis=0)
    return np.tensordot(dy, self.W, axes=([2], [0]))


# backward: bugs


def backward_overwrite(self, dy):
    n_out, n_in = self.W.shape
    self.dW = dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
    self.db = dy.sum(axis=(0, 1))
    return dy @ self.W


def backward_transposed_dW(self, dy):
    n_out, n_in = self.W.shape
    self.dW = self.dW + self.x.reshape(-1, n_in).T @ dy.reshape(-1, n_out)
    self.db += dy.sum(axis=(0, 1))
    return dy @ self.W


def backward_db_last_step(self, dy):
    n_out, n_in = self.W.shape
    self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
    self.db += dy[-1].sum(axis=0)  # the bug: only the last time step
    return dy @ self.W


def backward_dx_transposed(self, dy):
    n_out, n_in = self.W.shape
    self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
    self.db += dy.sum(axis=(0, 1))
    return dy @ self.W.T


def backward_mean(self, dy):
    n_out, n_in = self.W.shape
    M = dy.shape[0] * dy.shape[1]
    self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in) / M
    self.db += dy.mean(axis=(0, 1))
    return dy @ self.W


def backward_also_steps(self, dy):
    n_out, n_in = self.W.shape
    dx = dy @ self.W
    self.dW += dy.reshape(-1, n_out).T @ self.x.reshape(-1, n_in)
    self.db += dy.sum(axis=(0, 1))
    self.W -= 1e-3 * self.dW  # the bug: an SGD step inside backward
    self.b -= 1e-3 * self.db
    return dx


def make_linear(init=init_ref, forward=forward_ref, backward=backward_ref, base=Layer):
    return type(
        "LinearLayer",
        (base,),
        {"param_names": ("W", "b"), "__init__": init, "forward": forward, "backward": backward},
    )


LinearLayer = make_linear()

# ---------------------------------------------------------------- registry


def _fn(check, subject, kind, items, **kw):
    return [Variant(check, name, kind, {subject: obj}, **kw) for name, obj in items]


VARIANTS = [
    *_fn(
        "softmax",
        "softmax",
        "correct",
        [
            ("max shift, vectorised", softmax_ref),
            ("loops over t and n", softmax_loops),
            ("exp(x - logsumexp)", softmax_logsumexp),
            ("einsum sum and reciprocal", softmax_reciprocal_einsum),
            ("np.apply_along_axis", softmax_apply_along_axis),
            ("in place on a copy", softmax_inplace_on_copy),
        ],
    ),
    *_fn(
        "softmax",
        "softmax",
        "bug",
        [
            ("wrong axis", softmax_wrong_axis),
            ("no max subtraction", softmax_no_shift),
            ("modifies the input in place", softmax_in_place),
            ("normalised over the whole array", softmax_global_sum),
            ("subtracts the row minimum", softmax_min_shift),
        ],
    ),
    # The visible case "rows far apart" (rows 2000 apart) makes the far row underflow.
    Variant("softmax", "subtracts the global maximum", "bug", {"softmax": softmax_global_max}),
    *_fn(
        "cross_entropy_loss",
        "cross_entropy_loss",
        "correct",
        [
            ("take_along_axis", ce_ref),
            ("fancy indexing with np.arange", ce_fancy_index),
            ("loops", ce_loops),
            ("epsilon 1e-12 inside the log", ce_epsilon),
            ("np.clip(probs, 1e-12, 1)", ce_clipped),
            ("mean over batch, sum over time", ce_mean_batch_sum_time),
            ("label probability via one-hot sum", ce_onehot_select),
        ],
    ),
    *_fn(
        "cross_entropy_loss",
        "cross_entropy_loss",
        "bug",
        [
            ("averaged over time too", ce_mean_over_time),
            ("not divided by N", ce_no_batch_mean),
            ("divided by T", ce_divided_by_t),
            ("log missing", ce_no_log),
            ("log of the wrong entries (np.take)", ce_wrong_entries_take),
            ("log of the most probable entry", ce_most_probable),
            ("one_hot * log(probs): nan on exact zeros", ce_onehot_log_all),
            ("returns the per-step losses", ce_per_step),
            ("log10", ce_log10),
            ("np.arange(T), np.arange(N) not broadcast", ce_arange_unbroadcast),
            ("log taken in place on the caller's probs", ce_log_in_place),
        ],
    ),
    *_fn(
        "softmax_cross_entropy_grad",
        "softmax_cross_entropy_grad",
        "correct",
        [
            ("one_hot subtraction", grad_ref),
            ("np.add.at", grad_add_at),
            ("loops", grad_loops),
            ("np.eye(V)[labels] times 1/N", grad_eye),
            ("np.where mask", grad_mask),
        ],
    ),
    *_fn(
        "softmax_cross_entropy_grad",
        "softmax_cross_entropy_grad",
        "bug",
        [
            ("not divided by N", grad_not_divided),
            ("divided by T", grad_divided_by_T),
            ("modifies probs in place", grad_in_place),
            ("sign flipped", grad_sign),
            ("divided by T * N", grad_divided_by_TN),
        ],
    ),
    *_fn(
        "linear_init",
        "LinearLayer",
        "correct",
        [
            ("Glorot normal", make_linear(init=init_ref)),
            ("Glorot uniform (same variance)", make_linear(init=init_glorot_uniform)),
            (
                "standard_normal times std, transposed",
                make_linear(init=init_standard_normal_transposed),
            ),
        ],
    ),
    *_fn(
        "linear_init",
        "LinearLayer",
        "bug",
        [
            ("He initialisation", make_linear(init=init_he)),
            ("variance used as std", make_linear(init=init_variance_as_std)),
            ("global np.random", make_linear(init=init_global_np_random)),
            ("fixed seed, ignores rng", make_linear(init=init_fixed_seed)),
            ("random bias", make_linear(init=init_random_bias)),
            ("W of shape (n_in, n_out)", make_linear(init=init_transposed_shape)),
            ("b and db one aliased array", make_linear(init=init_aliased_bias)),
            ("integer gradient arrays", make_linear(init=init_integer_grads)),
        ],
    ),
    Variant(
        "linear_init",
        "__init__ raises, forward and backward correct",
        "bug",
        {"LinearLayer": make_linear(init=init_raises)},
        also_pass=("linear_forward", "linear_backward"),
    ),
    *_fn(
        "linear_forward",
        "LinearLayer",
        "correct",
        [
            ("x @ W.T + b", make_linear(forward=forward_ref)),
            ("einsum", make_linear(forward=forward_einsum)),
            ("loops over t and n", make_linear(forward=forward_loops)),
            ("tensordot", make_linear(forward=forward_tensordot)),
            ("flatten time and batch", make_linear(forward=forward_flatten)),
        ],
    ),
    *_fn(
        "linear_forward",
        "LinearLayer",
        "bug",
        [
            ("no self.x", make_linear(forward=forward_no_cache)),
            ("W not transposed", make_linear(forward=forward_not_transposed)),
            ("bias subtracted", make_linear(forward=forward_bias_subtracted)),
            ("ReLU applied", make_linear(forward=forward_relu)),
        ],
    ),
    Variant(
        "linear_forward",
        "missing bias, backward correct",
        "bug",
        {"LinearLayer": make_linear(forward=forward_no_bias)},
        also_pass=("linear_init", "linear_backward"),
    ),
    *_fn(
        "linear_backward",
        "LinearLayer",
        "correct",
        [
            ("flattened matrix product", make_linear(backward=backward_ref)),
            ("einsum", make_linear(backward=backward_einsum)),
            ("loops with np.outer", make_linear(backward=backward_loops)),
            ("tensordot, rebinding the sums", make_linear(backward=backward_tensordot)),
        ],
    ),
    *_fn(
        "linear_backward",
        "LinearLayer",
        "bug",
        [
            ("transposed dW", make_linear(backward=backward_transposed_dW)),
            ("db from the last step only", make_linear(backward=backward_db_last_step)),
            ("dx with W.T", make_linear(backward=backward_dx_transposed)),
            ("averaged instead of summed", make_linear(backward=backward_mean)),
            ("also takes an SGD step", make_linear(backward=backward_also_steps)),
        ],
    ),
    Variant(
        "linear_backward",
        "dW and db overwritten, forward correct",
        "bug",
        {"LinearLayer": make_linear(backward=backward_overwrite)},
        also_pass=("linear_init", "linear_forward"),
    ),
    *_fn(
        "clip_gradients",
        "Layer",
        "correct",
        [
            ("np.linalg.norm, *=", make_layer(clip=clip_ref)),
            ("sqrt(sum(g**2)), grad[...] =", make_layer(clip=clip_sqrt_sum)),
            ("min(1, threshold / norm) with a zero guard", make_layer(clip=clip_min_factor)),
            ("by name, /= norm / threshold", make_layer(clip=clip_by_name)),
        ],
    ),
    *_fn(
        "clip_gradients",
        "Layer",
        "bug",
        [
            ("global norm instead of per tensor", make_layer(clip=clip_global)),
            ("scales even under the threshold", make_layer(clip=clip_always)),
            ("not in place", make_layer(clip=clip_not_in_place)),
            ("inverted factor", make_layer(clip=clip_inverted)),
            ("L1 norm", make_layer(clip=clip_l1)),
            ("clips the parameters", make_layer(clip=clip_params)),
        ],
    ),
    Variant(
        "clip_gradients",
        "elementwise np.clip, update correct",
        "bug",
        {"Layer": make_layer(clip=clip_elementwise)},
        also_pass=("update_weights",),
    ),
    *_fn(
        "update_weights",
        "Layer",
        "correct",
        [
            ("in place, zero_grads", make_layer(update=update_ref)),
            ("setattr for SGD", make_layer(update=update_setattr)),
            (
                "keywords for update_fun, np.subtract out=, fill(0)",
                make_layer(update=update_keywords_fill),
            ),
            ("param[...] =, new zero gradient arrays", make_layer(update=update_new_zero_arrays)),
        ],
    ),
    *_fn(
        "update_weights",
        "Layer",
        "bug",
        [
            ("rebinds a local", make_layer(update=update_local_rebind)),
            ("SGD step and update_fun", make_layer(update=update_both)),
            ("gradients zeroed before the step", make_layer(update=update_zero_first)),
            ("gradient ascent", make_layer(update=update_plus)),
            ("update_fun(grad, param, lr)", make_layer(update=update_swapped_args)),
            ("update_fun without the learning rate", make_layer(update=update_rule_without_lr)),
        ],
    ),
    Variant(
        "update_weights",
        "gradients never zeroed, clip correct",
        "bug",
        {"Layer": make_layer(update=update_no_zero)},
        also_pass=("clip_gradients",),
    ),
]
