"""Notebook 2: BasicRNNCell.__init__ and BasicRNNCell.forward."""

import numpy as np

from helpers.validation import require_activation, require_sequence_batch

from . import Variant
from .nb1 import Layer

# ------------------------------------------------------------------ __init__
# correct


def init_ref(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    H = n_hidden
    self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(H, n_in))
    if activation == "tanh":
        self.W_hh, _ = np.linalg.qr(rng.normal(size=(H, H)))
    else:
        self.W_hh = np.eye(H)
    self.bh = np.zeros(H)
    self.dW_hx = np.zeros_like(self.W_hx)
    self.dW_hh = np.zeros_like(self.W_hh)
    self.dbh = np.zeros_like(self.bh)


def init_svd(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_hidden)), size=(n_hidden, n_in))
    if self.activation == "tanh":
        u, _, vt = np.linalg.svd(rng.normal(size=(n_hidden, n_hidden)))
        self.W_hh = u @ vt
    else:
        self.W_hh = np.identity(n_hidden)
    self.bh = np.zeros(n_hidden)
    self.dW_hx = np.zeros((n_hidden, n_in))
    self.dW_hh = np.zeros((n_hidden, n_hidden))
    self.dbh = np.zeros(n_hidden)


def init_qr_sign_corrected(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    H = n_hidden
    self.W_hx = rng.standard_normal((H, n_in)) * np.sqrt(2.0 / (n_in + H))
    if activation == "relu":
        self.W_hh = np.eye(H)
    else:
        q, r = np.linalg.qr(rng.standard_normal((H, H)))
        self.W_hh = q * np.sign(np.diag(r))  # Haar-distributed orthogonal matrix
    self.bh = np.zeros(H)
    self.dW_hx, self.dW_hh, self.dbh = (np.zeros_like(p) for p in (self.W_hx, self.W_hh, self.bh))


def init_uniform_wh_first(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    H = n_hidden
    if activation == "tanh":  # W_hh drawn first, transposed Q: still orthogonal
        self.W_hh = np.linalg.qr(rng.normal(size=(H, H)))[0].T
    else:
        self.W_hh = np.eye(H)
    limit = np.sqrt(6.0 / (n_in + H))  # Glorot uniform: the same variance
    self.W_hx = rng.uniform(-limit, limit, (H, n_in))
    self.bh = np.zeros(H)
    self.dW_hx = np.zeros_like(self.W_hx)
    self.dW_hh = np.zeros_like(self.W_hh)
    self.dbh = np.zeros_like(self.bh)


# bugs


def _init_with(w_hx, w_hh, bias=None):
    def __init__(self, n_in, n_hidden=50, activation="tanh", rng=None):
        self.activation = require_activation(activation)
        rng = rng if rng is not None else np.random.default_rng()
        self.W_hx = w_hx(rng, n_in, n_hidden)
        self.W_hh = w_hh(rng, n_hidden, activation)
        self.bh = np.zeros(n_hidden) if bias is None else bias(rng, n_hidden)
        self.dW_hx = np.zeros_like(self.W_hx)
        self.dW_hh = np.zeros_like(self.W_hh)
        self.dbh = np.zeros(n_hidden)

    return __init__


def glorot(rng, D, H):
    return rng.normal(0.0, np.sqrt(2.0 / (D + H)), size=(H, D))


def he(rng, D, H):
    return rng.normal(0.0, np.sqrt(2.0 / D), size=(H, D))


def glorot_transposed(rng, D, H):
    return rng.normal(0.0, np.sqrt(2.0 / (D + H)), size=(D, H))


def orthogonal_or_eye(rng, H, activation):
    return np.linalg.qr(rng.normal(size=(H, H)))[0] if activation == "tanh" else np.eye(H)


def glorot_recurrent(rng, H, activation):
    return rng.normal(0.0, np.sqrt(1.0 / H), (H, H)) if activation == "tanh" else np.eye(H)


def eye_always(rng, H, activation):
    return np.eye(H)


def orthogonal_always(rng, H, activation):
    return np.linalg.qr(rng.normal(size=(H, H)))[0]


def r_of_qr(rng, H, activation):
    return np.linalg.qr(rng.normal(size=(H, H)))[1] if activation == "tanh" else np.eye(H)


def init_global_np_random(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    H = n_hidden
    self.W_hx = np.random.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(H, n_in))
    self.W_hh = (
        np.linalg.qr(np.random.normal(size=(H, H)))[0] if activation == "tanh" else np.eye(H)
    )
    self.bh = np.zeros(H)
    self.dW_hx, self.dW_hh, self.dbh = np.zeros((H, n_in)), np.zeros((H, H)), np.zeros(H)


def init_aliased_bias(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    H = n_hidden
    self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(H, n_in))
    self.W_hh = np.linalg.qr(rng.normal(size=(H, H)))[0] if activation == "tanh" else np.eye(H)
    self.dW_hx, self.dW_hh = np.zeros((H, n_in)), np.zeros((H, H))
    self.bh = self.dbh = np.zeros(H)  # the bug: one array, so backward changes bh too


def init_fixed_seed(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = np.random.default_rng(42)  # the bug: ignores the rng argument
    H = n_hidden
    self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + H)), size=(H, n_in))
    self.W_hh = np.linalg.qr(rng.normal(size=(H, H)))[0] if activation == "tanh" else np.eye(H)
    self.bh = np.zeros(H)
    self.dW_hx, self.dW_hh, self.dbh = np.zeros((H, n_in)), np.zeros((H, H)), np.zeros(H)


def init_raises(self, n_in, n_hidden=50, activation="tanh", rng=None):
    self.activation = require_activation(activation)
    rng = rng if rng is not None else np.random.default_rng()
    self.W_hx = rng.normal(0.0, np.sqrt(2.0 / (n_in + n_hidden)), size=(n_hidden, n_in))
    self.W_hh = np.linalg.qr(rng.normal(size=(n_hidden, n_in)))  # the bug: a tuple (Q, R)
    self.bh = np.zeros(n_hidden)
    self.dW_hx = np.zeros_like(self.W_hx)
    self.dW_hh = np.zeros(self.W_hh.shape)  # AttributeError: a tuple has no shape
    self.dbh = np.zeros_like(self.bh)


# ------------------------------------------------------------------ forward
# correct


def forward_ref(self, x):
    require_sequence_batch(x, "x", features=self.W_hx.shape[1])
    T, N, _ = x.shape
    H = self.W_hh.shape[0]
    a_in = x @ self.W_hx.T + self.bh
    hs = np.zeros((T + 1, N, H))
    for t in range(T):
        a = a_in[t] + hs[t] @ self.W_hh.T
        hs[t + 1] = np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)
    self.x, self.hs = x, hs
    return hs[1:]


def forward_loops(self, x):
    T, N, D = x.shape
    H = self.W_hh.shape[0]
    self.x = x
    self.hs = np.zeros((T + 1, N, H))
    for t in range(T):
        for n in range(N):
            a = self.W_hx @ x[t, n] + self.W_hh @ self.hs[t, n] + self.bh
            if self.activation == "tanh":
                self.hs[t + 1, n] = np.tanh(a)
            else:
                self.hs[t + 1, n] = np.where(a > 0, a, 0.0)
    return self.hs[1:]


def forward_einsum_list(self, x):
    T, N, _ = x.shape
    h = np.zeros((N, self.W_hh.shape[0]))
    states = [h]
    f = np.tanh if self.activation == "tanh" else (lambda a: a * (a > 0))
    for t in range(T):
        h = f(
            np.einsum("hd,nd->nh", self.W_hx, x[t]) + np.einsum("hk,nk->nh", self.W_hh, h) + self.bh
        )
        states.append(h)
    self.x = x
    self.hs = np.stack(states)
    return self.hs[1:].copy()


def forward_preactivations(self, x):
    # also keeps the pre-activations, for a backward that uses them (notebook 3)
    T, N, _ = x.shape
    H = self.W_hh.shape[0]
    self.x = x
    self.a = np.zeros((T, N, H))
    h = np.zeros((N, H))
    hs = [h]
    for t in range(T):
        self.a[t] = x[t] @ self.W_hx.T + h @ self.W_hh.T + self.bh
        h = np.tanh(self.a[t]) if self.activation == "tanh" else np.maximum(self.a[t], 0)
        hs.append(h)
    self.hs = np.concatenate([s[None] for s in hs], axis=0)
    return self.hs[1:]


def forward_clip_list(self, x):
    # relu as np.clip(a, 0, None); the states collected in a list, then np.array
    T, N, _ = x.shape
    states = [np.zeros((N, self.W_hh.shape[0]))]
    for t in range(T):
        a = x[t] @ self.W_hx.T + states[-1] @ self.W_hh.T + self.bh
        states.append(np.tanh(a) if self.activation == "tanh" else np.clip(a, 0, None))
    self.x, self.hs = x, np.array(states)
    return self.hs[1:]


# bugs


def forward_stateful(self, x):
    # the bug: like min-char-rnn's hprev, the last state of one call is h_0 of the next
    T, N, _ = x.shape
    H = self.W_hh.shape[0]
    h0 = getattr(self, "h_last", None)
    hs = np.zeros((T + 1, N, H))
    if h0 is not None and h0.shape == (N, H):
        hs[0] = h0
    for t in range(T):
        hs[t + 1] = _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh)
    self.x, self.hs, self.h_last = x, hs, hs[-1]
    return hs[1:]


def forward_states_in_a_list(self, x):
    # the bug: the states kept as a Python list (np.asarray would hide it; backward needs
    # hs.shape and hs[1:] ** 2)
    T, N, _ = x.shape
    hs = [np.zeros((N, self.W_hh.shape[0]))]
    for t in range(T):
        hs.append(_f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh))
    self.x, self.hs = x, hs
    return np.array(hs[1:])


def _empty(shape):
    """np.empty as it behaves once memory was used: leftovers (fresh memory from the
    system happens to be zero, which is why the bug can pass by luck)."""
    return np.full(shape, 0.25)


def forward_np_empty(self, x):
    # the bug: hs = np.empty(...) and hs[0] never set to zero
    T, N, _ = x.shape
    hs = _empty((T + 1, N, self.W_hh.shape[0]))
    for t in range(T):
        hs[t + 1] = _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh)
    self.x, self.hs = x, hs
    return hs[1:]


def _forward_with(step, store_h0=True, store_x=True, returns_all=False):
    def forward(self, x):
        T, N, _ = x.shape
        H = self.W_hh.shape[0]
        hs = np.zeros((T + 1, N, H))
        for t in range(T):
            hs[t + 1] = step(self, x, hs, t)
        if store_x:
            self.x = x
        self.hs = hs if store_h0 else hs[1:]
        return hs if returns_all else hs[1:]

    return forward


def _f(self, a):
    return np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)


def step_ok(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh)


def step_no_bias(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T)


def step_h_t(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t + 1] @ self.W_hh.T + self.bh)


def step_two_back(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t - 1] @ self.W_hh.T + self.bh)


def step_not_transposed(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh + self.bh)


def step_relu_np_max(self, x, hs, t):
    a = x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh
    return np.tanh(a) if self.activation == "tanh" else np.max(a, 0)  # the bug: np.max


def step_always_tanh(self, x, hs, t):
    return np.tanh(x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T + self.bh)


def step_bias_outside(self, x, hs, t):
    return _f(self, x[t] @ self.W_hx.T + hs[t] @ self.W_hh.T) + self.bh


def forward_raises(self, x):
    T, N, D = x.shape
    hs = np.zeros((T + 1, N, self.W_hh.shape[0]))
    for t in range(T):
        hs[t + 1] = np.tanh(self.W_hx @ x[t] + hs[t] @ self.W_hh.T + self.bh)  # ValueError
    self.x, self.hs = x, hs
    return hs[1:]


def backward_not_yet(self, dh):
    raise NotImplementedError()  # written in notebook 3 (tests/variants/nb3.py)


def make_cell(init=init_ref, forward=forward_ref, backward=backward_not_yet, base=Layer):
    return type(
        "BasicRNNCell",
        (base,),
        {
            "param_names": ("W_hx", "W_hh", "bh"),
            "__init__": init,
            "forward": forward,
            "backward": backward,
        },
    )


def _cells(check, kind, items, **kw):
    return [Variant(check, name, kind, {"BasicRNNCell": cls}, **kw) for name, cls in items]


VARIANTS = [
    *_cells(
        "rnn_init",
        "correct",
        [
            ("QR of a Gaussian", make_cell(init=init_ref)),
            ("SVD: U @ Vt", make_cell(init=init_svd)),
            ("QR with sign correction", make_cell(init=init_qr_sign_corrected)),
            ("W_hh first, Q.T, Glorot uniform W_hx", make_cell(init=init_uniform_wh_first)),
        ],
    ),
    *_cells(
        "rnn_init",
        "bug",
        [
            ("Glorot-normal W_hh for tanh", make_cell(init=_init_with(glorot, glorot_recurrent))),
            ("identity W_hh for tanh", make_cell(init=_init_with(glorot, eye_always))),
            ("orthogonal W_hh for relu", make_cell(init=_init_with(glorot, orthogonal_always))),
            ("He W_hx", make_cell(init=_init_with(he, orthogonal_or_eye))),
            ("R of QR", make_cell(init=_init_with(glorot, r_of_qr))),
            (
                "W_hx of shape (D, H)",
                make_cell(init=_init_with(glorot_transposed, orthogonal_or_eye)),
            ),
            (
                "random bias",
                make_cell(
                    init=_init_with(
                        glorot, orthogonal_or_eye, bias=lambda rng, H: rng.normal(0, 0.1, H)
                    )
                ),
            ),
            ("global np.random", make_cell(init=init_global_np_random)),
            ("fixed seed, ignores rng", make_cell(init=init_fixed_seed)),
            ("bh and dbh one aliased array", make_cell(init=init_aliased_bias)),
        ],
    ),
    Variant(
        "rnn_init",
        "__init__ raises, forward and backward correct",
        "bug",
        {"BasicRNNCell": make_cell(init=init_raises)},
        also_pass=("rnn_forward",),
    ),
    *_cells(
        "rnn_forward",
        "correct",
        [
            ("input term before the loop", make_cell(forward=forward_ref)),
            ("loops over t and n, np.where", make_cell(forward=forward_loops)),
            ("einsum, list of states, a * (a > 0)", make_cell(forward=forward_einsum_list)),
            ("keeps pre-activations, concatenate", make_cell(forward=forward_preactivations)),
            ("per-step input term", make_cell(forward=_forward_with(step_ok))),
            ("np.clip for relu, np.array of a list", make_cell(forward=forward_clip_list)),
        ],
    ),
    *_cells(
        "rnn_forward",
        "bug",
        [
            ("h_t instead of h_(t-1)", make_cell(forward=_forward_with(step_h_t))),
            ("h_(t-2) instead of h_(t-1)", make_cell(forward=_forward_with(step_two_back))),
            ("W_hh not transposed", make_cell(forward=_forward_with(step_not_transposed))),
            ("always tanh", make_cell(forward=_forward_with(step_always_tanh))),
            ("np.max(a, 0) for relu", make_cell(forward=_forward_with(step_relu_np_max))),
            (
                "bias added after the activation",
                make_cell(forward=_forward_with(step_bias_outside)),
            ),
            ("self.hs without h_0", make_cell(forward=_forward_with(step_ok, store_h0=False))),
            ("no self.x", make_cell(forward=_forward_with(step_ok, store_x=False))),
            ("returns h_0 too", make_cell(forward=_forward_with(step_ok, returns_all=True))),
            ("state carried over between calls", make_cell(forward=forward_stateful)),
            ("states kept in a list", make_cell(forward=forward_states_in_a_list)),
            ("hs from np.empty", make_cell(forward=forward_np_empty)),
        ],
    ),
    Variant(
        "rnn_forward",
        "missing bias, init correct",
        "bug",
        {"BasicRNNCell": make_cell(forward=_forward_with(step_no_bias))},
        also_pass=("rnn_init",),
    ),
    # notebook 3 completes these classes with a correct backward: see nb3.VARIANTS
]
