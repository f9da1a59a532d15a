"""Notebook 6: LSTMCell.forward and LSTMCell.backward.

The class's given parts (__init__, gates) are the reference's, as in the notebook; the
variants replace the two methods students write.
"""

import numpy as np

from course.reference.LSTMCell import LSTMCell, sigmoid

from . import Variant

# ------------------------------------------------------------------ forward


def _forward(keep=True, write="i", squash=True, show=True, state="previous", bias=True):
    """A forward pass with one term changed (the defaults are correct)."""

    def forward(self, x):
        T, N, _ = x.shape
        H = self.W_h.shape[1]
        a_in = x @ self.W_x.T + (self.b if bias else 0.0)
        hs = np.zeros((T + 1, N, H))
        cs = np.zeros((T + 1, N, H))
        for t in range(T):
            h_prev = hs[t] if state == "previous" else hs[t + 1]
            f, i, o, g = self.gates(a_in[t] + h_prev @ self.W_h.T)
            gate = {"i": i, "o": o}[write]
            cs[t + 1] = (f * cs[t] if keep else cs[t]) + gate * g
            out = np.tanh(cs[t + 1]) if squash else cs[t + 1]
            hs[t + 1] = o * out if show else out
        self.x, self.hs, self.cs = x, hs, cs
        return hs[1:]

    return forward


def forward_stacked_weights(self, x):
    """One product per step with [W_x W_h] and [x_t, h_{t-1}], explicit sigmoid."""
    T, N, D = x.shape
    H = self.W_h.shape[1]
    W = np.hstack([self.W_x, self.W_h])
    self.hs = np.zeros((T + 1, N, H))
    self.cs = np.zeros((T + 1, N, H))
    for t in range(T):
        a = np.concatenate([x[t], self.hs[t]], axis=1) @ W.T + self.b
        f = 1 / (1 + np.exp(-a[:, :H]))
        i = 1 / (1 + np.exp(-a[:, H : 2 * H]))
        o = 1 / (1 + np.exp(-a[:, 2 * H : 3 * H]))
        g = np.tanh(a[:, 3 * H :])
        self.cs[t + 1] = f * self.cs[t] + i * g
        self.hs[t + 1] = o * np.tanh(self.cs[t + 1])
    self.x = x
    return self.hs[1:].copy()


def forward_per_gate_einsum(self, x):
    """Four weight blocks sliced out, einsum, states kept in lists."""
    T, N, D = x.shape
    H = self.W_h.shape[1]
    blocks = [slice(k * H, (k + 1) * H) for k in range(4)]
    h, c = np.zeros((N, H)), np.zeros((N, H))
    hs, cs = [h], [c]
    for t in range(T):
        a = [
            np.einsum("nd,hd->nh", x[t], self.W_x[s])
            + np.einsum("nk,hk->nh", h, self.W_h[s])
            + self.b[s]
            for s in blocks
        ]
        f, i, o = (sigmoid(v) for v in a[:3])
        c = f * c + i * np.tanh(a[3])
        h = o * np.tanh(c)
        hs.append(h)
        cs.append(c)
    self.x, self.hs, self.cs = x, np.stack(hs), np.stack(cs)
    return self.hs[1:]


def forward_keeps_gates(self, x):
    """Keeps the gates for backward_from_cache (a correct pair)."""
    out = LSTMCell.forward(self, x)
    a = x @ self.W_x.T + self.b + self.hs[:-1] @ self.W_h.T
    self.cache = self.gates(a)
    return out


def forward_carries_state(self, x):
    """Starts from the states the previous call ended with."""
    T, N, _ = x.shape
    H = self.W_h.shape[1]
    last = getattr(self, "_last", None)
    h0, c0 = last if last is not None and last[0].shape == (N, H) else (np.zeros((N, H)),) * 2
    hs = np.zeros((T + 1, N, H))
    cs = np.zeros((T + 1, N, H))
    hs[0], cs[0] = h0, c0
    for t in range(T):
        f, i, o, g = self.gates(x[t] @ self.W_x.T + self.b + hs[t] @ self.W_h.T)
        cs[t + 1] = f * cs[t] + i * g
        hs[t + 1] = o * np.tanh(cs[t + 1])
    self.x, self.hs, self.cs = x, hs, cs
    self._last = (hs[-1], cs[-1])
    return hs[1:]


def forward_swapped_gates(self, x):
    """Reads the forget and input gates from each other's rows."""
    T, N, _ = x.shape
    H = self.W_h.shape[1]
    hs = np.zeros((T + 1, N, H))
    cs = np.zeros((T + 1, N, H))
    for t in range(T):
        i, f, o, g = self.gates(x[t] @ self.W_x.T + self.b + hs[t] @ self.W_h.T)
        cs[t + 1] = f * cs[t] + i * g
        hs[t + 1] = o * np.tanh(cs[t + 1])
    self.x, self.hs, self.cs = x, hs, cs
    return hs[1:]


FORWARD_CORRECT = [
    ("reference formulation", _forward()),
    ("stacked weights, explicit sigmoid", forward_stacked_weights),
    ("per-gate einsum, states in lists", forward_per_gate_einsum),
]
FORWARD_BUGS = [
    ("no forget gate", _forward(keep=False)),
    ("output gate writes the candidate", _forward(write="o")),
    ("no tanh on the cell state", _forward(squash=False)),
    ("no output gate", _forward(show=False)),
    ("recurrent term from the current state", _forward(state="current")),
    ("no bias", _forward(bias=False)),
    ("forget and input gates swapped", forward_swapped_gates),
    ("state carried across calls", forward_carries_state),
]

# ------------------------------------------------------------------ backward


def _backward(
    carry_c=True, forget_prev=True, tanh_prime=True, carry_h=True, o_from_dh=True, g_prime=True
):
    """BPTT with one term changed (the defaults are correct)."""

    def backward(self, dh):
        T, N, H = dh.shape
        hs, cs = self.hs, self.cs
        f, i, o, g = self.gates(self.x @ self.W_x.T + self.b + hs[:-1] @ self.W_h.T)
        tc = np.tanh(cs[1:])
        da = np.zeros((T, N, 4 * H))
        dh_next = np.zeros((N, H))
        dc_next = np.zeros((N, H))
        for t in reversed(range(T)):
            d = dh[t] + dh_next
            dc = dc_next + d * o[t] * ((1 - tc[t] ** 2) if tanh_prime else 1.0)
            c_prev = cs[t] if forget_prev else cs[t + 1]
            da[t, :, :H] = dc * c_prev * f[t] * (1 - f[t])
            da[t, :, H : 2 * H] = dc * g[t] * i[t] * (1 - i[t])
            da[t, :, 2 * H : 3 * H] = (d if o_from_dh else dc) * tc[t] * o[t] * (1 - o[t])
            da[t, :, 3 * H :] = dc * i[t] * ((1 - g[t] ** 2) if g_prime else g[t] * (1 - g[t]))
            dc_next = dc * f[t] if carry_c else 0.0
            dh_next = da[t] @ self.W_h if carry_h else 0.0
        self.dW_x += np.einsum("tnk,tnd->kd", da, self.x)
        self.dW_h += np.einsum("tnk,tnj->kj", da, hs[:-1])
        self.db += da.sum(axis=(0, 1))
        return da @ self.W_x

    return backward


def backward_grads_in_loop(self, dh):
    """Per-step products inside the loop, gates recomputed step by step."""
    T, N, H = dh.shape
    dx = np.zeros(self.x.shape)
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        a = self.x[t] @ self.W_x.T + self.hs[t] @ self.W_h.T + self.b
        f, i, o, g = self.gates(a)
        c, c_prev = self.cs[t + 1], self.cs[t]
        d = dh[t] + dh_next
        dc = dc_next + d * o * (1 - np.tanh(c) ** 2)
        da = np.concatenate(
            [
                dc * c_prev * f * (1 - f),
                dc * g * i * (1 - i),
                d * np.tanh(c) * o * (1 - o),
                dc * i * (1 - g * g),
            ],
            axis=1,
        )
        self.dW_x += da.T @ self.x[t]
        self.dW_h += da.T @ self.hs[t]
        self.db += da.sum(axis=0)
        dx[t] = da @ self.W_x
        dh_next = da @ self.W_h
        dc_next = dc * f
    return dx


def backward_from_cache(self, dh):
    """Reads the gates its own forward kept (forward_keeps_gates)."""
    f, i, o, g = self.cache
    T, N, H = dh.shape
    tc = np.tanh(self.cs[1:])
    da = np.zeros((T, N, 4 * H))
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        d = dh[t] + dh_next
        dc = dc_next + d * o[t] * (1 - tc[t] ** 2)
        da[t] = np.concatenate(
            [
                dc * self.cs[t] * f[t] * (1 - f[t]),
                dc * g[t] * i[t] * (1 - i[t]),
                d * tc[t] * o[t] * (1 - o[t]),
                dc * i[t] * (1 - g[t] ** 2),
            ],
            axis=-1,
        )
        dh_next, dc_next = da[t] @ self.W_h, dc * f[t]
    self.dW_x += np.tensordot(da, self.x, axes=([0, 1], [0, 1]))
    self.dW_h += np.tensordot(da, self.hs[:-1], axes=([0, 1], [0, 1]))
    self.db += da.sum(axis=(0, 1))
    return np.tensordot(da, self.W_x, axes=(2, 0))


def backward_overwrites(self, dh):
    """Assigns the gradients instead of adding to them."""
    zeros = {name: np.zeros_like(getattr(self, name)) for name in ("dW_x", "dW_h", "db")}
    saved = {name: getattr(self, name) for name in zeros}
    for name, z in zeros.items():
        setattr(self, name, z)
    dx = LSTMCell.backward(self, dh)
    for name in zeros:
        saved[name][...] = getattr(self, name)
        setattr(self, name, saved[name])
    return dx


def backward_into_dh(self, dh):
    """Adds the gradient from the future into the caller's dh."""
    T, N, H = dh.shape
    hs, cs = self.hs, self.cs
    f, i, o, g = self.gates(self.x @ self.W_x.T + self.b + hs[:-1] @ self.W_h.T)
    tc = np.tanh(cs[1:])
    da = np.zeros((T, N, 4 * H))
    dc_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dc = dc_next + dh[t] * o[t] * (1 - tc[t] ** 2)
        da[t, :, :H] = dc * cs[t] * f[t] * (1 - f[t])
        da[t, :, H : 2 * H] = dc * g[t] * i[t] * (1 - i[t])
        da[t, :, 2 * H : 3 * H] = dh[t] * tc[t] * o[t] * (1 - o[t])
        da[t, :, 3 * H :] = dc * i[t] * (1 - g[t] ** 2)
        dc_next = dc * f[t]
        if t > 0:
            dh[t - 1] += da[t] @ self.W_h
    self.dW_x += da.reshape(-1, 4 * H).T @ self.x.reshape(-1, self.x.shape[2])
    self.dW_h += da.reshape(-1, 4 * H).T @ hs[:-1].reshape(-1, H)
    self.db += da.sum(axis=(0, 1))
    return da @ self.W_x


BACKWARD_CORRECT = [
    ("reference formulation with einsum", {"backward": _backward()}),
    ("products inside the loop", {"backward": backward_grads_in_loop}),
    (
        "gates cached by forward, tensordot",
        {"forward": forward_keeps_gates, "backward": backward_from_cache},
    ),
]
BACKWARD_BUGS = [
    ("no gradient along the cell state", _backward(carry_c=False)),
    ("forget gate term with c_t", _backward(forget_prev=False)),
    ("no tanh derivative on the cell state", _backward(tanh_prime=False)),
    ("no gradient through W_h", _backward(carry_h=False)),
    ("output gate from dc", _backward(o_from_dh=False)),
    ("sigmoid derivative for the candidate", _backward(g_prime=False)),
    ("gradients overwritten", backward_overwrites),
    ("adds the future gradient into the caller's dh", backward_into_dh),
]


def make_cell(**methods):
    return type("LSTMCell", (LSTMCell,), methods)


def _variants():
    out = []
    for name, forward in FORWARD_CORRECT:
        out.append(
            Variant("lstm_forward", name, "correct", {"LSTMCell": make_cell(forward=forward)})
        )
    for name, forward in FORWARD_BUGS:
        # a bug in forward must not cost the backward points (graded once)
        out.append(
            Variant(
                "lstm_forward",
                name,
                "bug",
                {"LSTMCell": make_cell(forward=forward)},
                also_pass=("lstm_backward",),
            )
        )
    for name, methods in BACKWARD_CORRECT:
        out.append(Variant("lstm_backward", name, "correct", {"LSTMCell": make_cell(**methods)}))
    for name, backward in BACKWARD_BUGS:
        out.append(
            Variant(
                "lstm_backward",
                name,
                "bug",
                {"LSTMCell": make_cell(backward=backward)},
                also_pass=("lstm_forward",),
            )
        )
    return out


VARIANTS = _variants()
