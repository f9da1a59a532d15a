"""Notebook 3: BasicRNNCell.backward (backpropagation through time)."""

import numpy as np

from helpers.validation import require_array

from . import Variant
from .nb2 import (
    _forward_with,
    forward_preactivations,
    forward_raises,
    forward_ref,
    init_raises,
    make_cell,
    step_no_bias,
    step_not_transposed,
)

# ------------------------------------------------------------------ correct


def _dact(self, hs):
    """f'(a_t) from the outputs h_t (hs[1:])."""
    if self.activation == "tanh":
        return 1.0 - hs[1:] ** 2
    return (hs[1:] > 0).astype(float)


def backward_ref(self, dh):
    require_array(dh, "dh", shape=self.hs[1:].shape)
    T, N, H = dh.shape
    D = self.x.shape[2]
    hs = self.hs
    dact = _dact(self, hs)
    da = np.empty_like(dh)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        da[t] = (dh[t] + dh_next) * dact[t]
        dh_next = da[t] @ self.W_hh
    self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
    self.dW_hh += da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)
    self.dbh += da.sum(axis=(0, 1))
    return da @ self.W_hx


def backward_grads_in_loop(self, dh):
    T, N, H = dh.shape
    dx = np.zeros(self.x.shape)
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        h = self.hs[t + 1]
        if self.activation == "tanh":
            da = (dh[t] + carry) * (1 - h * h)
        else:
            da = (dh[t] + carry) * (h > 0)
        self.dW_hx += da.T @ self.x[t]
        self.dW_hh += da.T @ self.hs[t]
        self.dbh += da.sum(axis=0)
        dx[t] = da @ self.W_hx
        carry = da @ self.W_hh
    return dx


def backward_loops_over_n(self, dh):
    T, N, H = dh.shape
    dx = np.zeros_like(self.x, dtype=float)
    for n in range(N):
        dnext = np.zeros(H)
        for t in reversed(range(T)):
            h = self.hs[t + 1, n]
            deriv = 1 - h**2 if self.activation == "tanh" else np.where(h > 0, 1.0, 0.0)
            da = (dh[t, n] + dnext) * deriv
            self.dW_hx += np.outer(da, self.x[t, n])
            self.dW_hh += np.outer(da, self.hs[t, n])
            self.dbh += da
            dx[t, n] = self.W_hx.T @ da
            dnext = self.W_hh.T @ da
    return dx


def backward_preactivations(self, dh):
    # uses the pre-activations forward kept in self.a: relu' = [a > 0], tanh' = 1 - tanh(a)^2
    T, N, H = dh.shape
    if self.activation == "tanh":
        dact = 1.0 - np.tanh(self.a) ** 2
    else:
        dact = (self.a > 0).astype(float)
    da = np.zeros_like(dh)
    for t in reversed(range(T)):
        upstream = dh[t] if t == T - 1 else dh[t] + da[t + 1] @ self.W_hh
        da[t] = upstream * dact[t]
    self.dW_hx += np.einsum("tnh,tnd->hd", da, self.x)
    self.dW_hh += np.einsum("tnh,tnk->hk", da, self.hs[:-1])
    self.dbh += np.einsum("tnh->h", da)
    return np.einsum("tnh,hd->tnd", da, self.W_hx)


def backward_recompute_states(self, dh):
    # ignores self.hs: runs the recurrence again from self.x with the current weights
    T, N, H = dh.shape
    hs = np.zeros((T + 1, N, H))
    for t in range(T):
        a = self.x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh
        hs[t + 1] = np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0)
    dact = 1 - hs[1:] ** 2 if self.activation == "tanh" else (hs[1:] > 0) * 1.0
    da = np.zeros_like(dh)
    g = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        g = g + dh[t]
        da[t] = g * dact[t]
        g = da[t] @ self.W_hh
    self.dW_hx += np.tensordot(da, self.x, axes=([0, 1], [0, 1]))
    self.dW_hh += np.tensordot(da, hs[:-1], axes=([0, 1], [0, 1]))
    self.dbh += da.sum(axis=0).sum(axis=0)
    return np.tensordot(da, self.W_hx, axes=([2], [0]))


def backward_into_dh(self, dh):
    # adds the gradient from the future into dh itself (the caller's array)
    T, N, H = dh.shape
    hs = self.hs
    da = np.zeros_like(dh)
    for t in range(T - 1, -1, -1):
        da[t] = dh[t] * _dact(self, hs)[t]
        if t > 0:
            dh[t - 1] += da[t] @ self.W_hh
    self.dW_hx += np.einsum("tnh,tnd->hd", da, self.x)
    self.dW_hh += np.einsum("tnh,tnk->hk", da, hs[:-1])
    self.dbh += da.sum((0, 1))
    return da @ self.W_hx


def forward_preactivations_no_bias(self, x):
    # notebook 2's bug (no bias), with the pre-activations kept for backward_preactivations
    T, N, _ = x.shape
    H = self.W_hh.shape[0]
    self.x, self.a = x, np.zeros((T, N, H))
    self.hs = np.zeros((T + 1, N, H))
    for t in range(T):
        self.a[t] = x[t] @ self.W_hx.T + self.hs[t] @ self.W_hh.T
        self.hs[t + 1] = (
            np.tanh(self.a[t]) if self.activation == "tanh" else np.maximum(self.a[t], 0)
        )
    return self.hs[1:]


# ------------------------------------------------------------------ bugs


def _bptt(dact=None, carry=None, weights=None, dx=None, truncate=None, clip=None):
    """A BPTT built from the reference with one term replaced by a wrong one."""

    def backward(self, dh):
        T, N, H = dh.shape
        D = self.x.shape[2]
        hs = self.hs
        d = _dact(self, hs) if dact is None else dact(self, hs)
        da = np.zeros_like(dh)
        dh_next = np.zeros((N, H))
        for t in reversed(range(T)):
            da[t] = (dh[t] + dh_next) * d[t]
            if carry is None:
                dh_next = da[t] @ self.W_hh
            else:
                dh_next = carry(self, da, dh, dh_next, d, t)
            if clip is not None:
                dh_next = np.clip(dh_next, -clip, clip)
            if truncate is not None and t <= T - truncate:
                dh_next = np.zeros((N, H))  # stop after ``truncate`` steps back
        if weights is None:
            self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
            self.dW_hh += da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)
            self.dbh += da.sum(axis=(0, 1))
        else:
            weights(self, da, hs, D, H)
        return da @ self.W_hx if dx is None else dx(self, da, dh)

    return backward


def dact_none(self, hs):
    return np.ones_like(hs[1:])


def dact_tanh_of_h(self, hs):  # treats h like a: tanh'(h) instead of tanh'(a)
    if self.activation == "tanh":
        return 1.0 - np.tanh(hs[1:]) ** 2
    return (hs[1:] > 0).astype(float)


def dact_shifted(self, hs):  # f'(a_{t-1}): the derivative from the previous state
    if self.activation == "tanh":
        return 1.0 - hs[:-1] ** 2
    return (hs[:-1] > 0).astype(float)


def dact_relu_ge(self, hs):
    if self.activation == "tanh":
        return 1.0 - hs[1:] ** 2
    return (hs[1:] >= 0).astype(float)


def dact_relu_value(self, hs):  # relu'(a) written as h itself
    if self.activation == "tanh":
        return 1.0 - hs[1:] ** 2
    return hs[1:]


def dact_always_tanh(self, hs):
    return 1.0 - hs[1:] ** 2


def carry_sign(self, da, dh, dh_next, d, t):
    return -(da[t] @ self.W_hh)


def carry_none(self, da, dh, dh_next, d, t):
    return np.zeros_like(dh_next)


def carry_transposed(self, da, dh, dh_next, d, t):
    return da[t] @ self.W_hh.T


def backward_derivative_on_dh_only(self, dh):
    # the bug: f'(a_t) applied to the gradient from above only, the carried one added after
    T, N, H = dh.shape
    d = _dact(self, self.hs)
    da = np.zeros_like(dh)
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)):
        da[t] = dh[t] * d[t] + dh_next
        dh_next = da[t] @ self.W_hh
    self.dW_hx += np.einsum("tnh,tnd->hd", da, self.x)
    self.dW_hh += np.einsum("tnh,tnk->hk", da, self.hs[:-1])
    self.dbh += da.sum(axis=(0, 1))
    return da @ self.W_hx


def weights_dw_hh_transposed(self, da, hs, D, H):
    self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
    self.dW_hh += hs[:-1].reshape(-1, H).T @ da.reshape(-1, H)
    self.dbh += da.sum(axis=(0, 1))


def carry_skips_derivative(self, da, dh, dh_next, d, t):
    return (dh[t] + dh_next) @ self.W_hh


def weights_overwrite(self, da, hs, D, H):
    self.dW_hx = da.reshape(-1, H).T @ self.x.reshape(-1, D)
    self.dW_hh = da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)
    self.dbh = da.sum(axis=(0, 1))


def weights_hs_current(self, da, hs, D, H):
    self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
    self.dW_hh += da.reshape(-1, H).T @ hs[1:].reshape(-1, H)
    self.dbh += da.sum(axis=(0, 1))


def weights_bias_last_step(self, da, hs, D, H):
    self.dW_hx += da.reshape(-1, H).T @ self.x.reshape(-1, D)
    self.dW_hh += da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)
    self.dbh += da[-1].sum(axis=0)


def dx_from_dh(self, da, dh):
    return dh @ self.W_hx


BUGS_BOTH = [
    ("sign error in the recurrent term", _bptt(carry=carry_sign)),
    ("no recurrent term (one step only)", _bptt(carry=carry_none)),
    ("W_hh.T in the recurrent term", _bptt(carry=carry_transposed)),
    ("derivative skipped on the recurrent path", _bptt(carry=carry_skips_derivative)),
    ("derivative of the previous step", _bptt(dact=dact_shifted)),
    ("dW_hh with h_t instead of h_(t-1)", _bptt(weights=weights_hs_current)),
    ("dW_hh transposed", _bptt(weights=weights_dw_hh_transposed)),
    ("derivative applied to dh[t] only", backward_derivative_on_dh_only),
    ("dbh from the last step only", _bptt(weights=weights_bias_last_step)),
    ("dx from dh instead of da", _bptt(dx=dx_from_dh)),
    ("carried gradient clipped to [-1, 1]", _bptt(clip=1.0)),
]
BUGS_TANH = [
    ("no tanh derivative", _bptt(dact=dact_none)),
    ("tanh derivative from h as if it were a", _bptt(dact=dact_tanh_of_h)),
]
BUGS_RELU = [
    ("relu derivative h >= 0", _bptt(dact=dact_relu_ge)),
    ("relu derivative h instead of [h > 0]", _bptt(dact=dact_relu_value)),
    ("tanh derivative for relu", _bptt(dact=dact_always_tanh)),
]
CORRECT = [
    ("vectorised weight gradients after the loop", {"backward": backward_ref}),
    ("weight gradients inside the loop", {"backward": backward_grads_in_loop}),
    ("loops over n and t with np.outer", {"backward": backward_loops_over_n}),
    (
        "masks from pre-activations kept by forward, einsum",
        {"forward": forward_preactivations, "backward": backward_preactivations},
    ),
    ("recomputes the states from self.x, tensordot", {"backward": backward_recompute_states}),
]


def _variants():
    out = []
    for check in ("bptt_tanh", "bptt_relu"):
        for name, parts in CORRECT:
            out.append(Variant(check, name, "correct", {"BasicRNNCell": make_cell(**parts)}))
        bugs = BUGS_BOTH + (BUGS_TANH if check == "bptt_tanh" else BUGS_RELU)
        # The caller's dh changes: notebook 3's own check_layer_gradients, whose loss
        # uses the same dy after backward, then reports a relative error of 1.
        bugs = [*bugs, ("adds the future gradient into the caller's dh", backward_into_dh)]
        for name, backward in bugs:
            out.append(Variant(check, name, "bug", {"BasicRNNCell": make_cell(backward=backward)}))
        # the visible sequences have at most 6 steps
        out.append(
            Variant(
                check,
                "no gradient carried before the last 5 steps",
                "bug",
                {"BasicRNNCell": make_cell(backward=_bptt(truncate=5))},
                visible=False,
            )
        )
    # The overwriting bug, in a class whose init and forward are right: graded once.
    out.append(
        Variant(
            "bptt_tanh",
            "gradients overwritten, init and forward correct",
            "bug",
            {"BasicRNNCell": make_cell(backward=_bptt(weights=weights_overwrite))},
            also_pass=("rnn_init", "rnn_forward"),
        )
    )
    # Notebook 3 completes notebook 2's classes with a correct backward: a bug in
    # forward or __init__ must not cost the BPTT points.
    whole = {"backward": backward_ref}
    out += [
        Variant(
            "rnn_forward",
            "missing bias, backward correct",
            "bug",
            {"BasicRNNCell": make_cell(forward=_forward_with(step_no_bias), **whole)},
            also_pass=("bptt_tanh", "bptt_relu"),
        ),
        Variant(
            "rnn_forward",
            "W_hh not transposed, backward correct",
            "bug",
            {"BasicRNNCell": make_cell(forward=_forward_with(step_not_transposed), **whole)},
            also_pass=("bptt_tanh", "bptt_relu"),
        ),
        Variant(
            "rnn_forward",
            "forward raises, backward correct",
            "bug",
            {"BasicRNNCell": make_cell(forward=forward_raises, **whole)},
            also_pass=("rnn_init", "bptt_tanh", "bptt_relu"),
        ),
        # backward_preactivations is correct with its own forward's cache (self.a)
        Variant(
            "rnn_forward",
            "missing bias, keeps self.a for a correct backward",
            "bug",
            {
                "BasicRNNCell": make_cell(
                    forward=forward_preactivations_no_bias, backward=backward_preactivations
                )
            },
            also_pass=("bptt_tanh", "bptt_relu"),
        ),
        Variant(
            "rnn_init",
            "__init__ raises, backward correct",
            "bug",
            {"BasicRNNCell": make_cell(init=init_raises, forward=forward_ref, **whole)},
            also_pass=("rnn_forward", "bptt_tanh", "bptt_relu"),
        ),
    ]
    return out


VARIANTS = _variants()
