"""Notebook 2: the BasicRNNCell's initialisation and forward pass."""

import numpy as np

from course.reference.BasicRNNCell import BasicRNNCell
from helpers.checks.init import RNNInit
from helpers.checks.layers import RNNForward

from .cases import Case, cell_inputs
from .exercise import Exercise, Mistake

NOTEBOOK = "02_rnn_forward"


def init_visible(r):
    return [
        Case(
            "tanh, 300 inputs, 200 hidden",
            {"n_in": 300, "n_hidden": 200, "activation": "tanh", "seed": 3},
            "W_hx is Glorot-normal; for tanh, W_hh is a random orthogonal matrix "
            "(np.linalg.qr of a Gaussian matrix gives one)",
        ),
        Case(
            "relu, 300 inputs, 200 hidden",
            {"n_in": 300, "n_hidden": 200, "activation": "relu", "seed": 4},
            "for ReLU, W_hh is the identity matrix (np.eye)",
        ),
        Case("tanh, small", {"n_in": 4, "n_hidden": 3, "activation": "tanh", "seed": 5}),
    ]


def init_hidden(r):
    sizes = [(10, 400, "tanh"), (500, 50, "relu"), (2, 1, "tanh"), (7, 5, "relu")]
    return [
        Case(
            f"{activation}, {n_in} inputs, {n_hidden} hidden",
            {
                "n_in": n_in,
                "n_hidden": n_hidden,
                "activation": activation,
                "seed": int(r.integers(1e6)),
            },
        )
        for n_in, n_hidden, activation in sizes
    ]


rnn_init = Exercise(
    id="rnn_init",
    title="BasicRNNCell.__init__",
    points=2,
    subject="BasicRNNCell",
    reference=BasicRNNCell,
    runner=RNNInit(),
    seed=0,
    visible=init_visible,
    hidden=init_hidden,
)


def forward_visible(r):
    cell = cell_inputs(r, 5, 2, 4, 3, "tanh")
    x = cell.pop("x")
    no_recurrence = dict(cell, W_hh=np.zeros((3, 3)))
    relu = cell_inputs(r, 5, 2, 4, 3, "relu")
    return [
        Case(
            "input term only (W_hh = 0, bh = 0)",
            dict(no_recurrence, bh=np.zeros(3), x=x),
            "without recurrence and bias, h_t = tanh(W_hx x_t); for the batch x[t] @ W_hx.T",
        ),
        Case(
            "input and bias (W_hh = 0)",
            dict(no_recurrence, x=x),
            "add bh inside the activation: tanh(W_hx x_t + bh)",
        ),
        Case(
            "recurrence (W_hx = 0)",
            dict(cell, W_hx=np.zeros((3, 4)), x=x),
            "h_0 = 0, then h_t = tanh(W_hh h_{t-1} + bh): each step must use the previous step's h",
        ),
        Case("tanh, full cell", dict(cell, x=x)),
        Case(
            "relu, full cell",
            dict(relu, x=x),
            "ReLU is np.maximum(a, 0), elementwise, applied where tanh was",
        ),
        Case("one step, one sequence", dict(cell, x=x[:1, :1])),
        Case(
            "a second call starts again from h_0 = 0",
            dict(cell, x=x, x_before=r.normal(size=(3, 2, 4))),
            "every call of forward is a new batch of sequences: start from a zero state, not "
            "from the last state of the previous call",
        ),
    ]


def forward_hidden(r):
    return [
        Case("tanh, T=1, N=1", cell_inputs(r, 1, 1, 3, 4, "tanh")),
        Case("tanh, 12 steps, 5 sequences", cell_inputs(r, 12, 5, 6, 7, "tanh")),
        Case("tanh, saturating weights", cell_inputs(r, 8, 2, 3, 5, "tanh", scale=4.0)),
        Case("relu, 10 steps", cell_inputs(r, 10, 3, 4, 6, "relu")),
        Case("relu, growing states", cell_inputs(r, 20, 2, 2, 3, "relu", scale=1.5)),
        Case("one hidden unit", cell_inputs(r, 5, 2, 3, 1, "tanh")),
        Case(
            "second call, relu",
            dict(cell_inputs(r, 6, 3, 4, 5, "relu"), x_before=r.normal(size=(4, 3, 4))),
        ),
    ]


rnn_forward = Exercise(
    id="rnn_forward",
    title="BasicRNNCell.forward",
    points=3,
    subject="BasicRNNCell",
    reference=BasicRNNCell,
    runner=RNNForward(),
    seed=201,
    visible=forward_visible,
    hidden=forward_hidden,
    hints={
        "self.x": "forward must keep its input for backward: self.x = x",
        "self.hs": "forward must keep every state for backward: self.hs of shape (T+1, N, H), "
        "with hs[0] = h_0 = 0 and hs[t] = h_t",
        "self.hs[0]": "hs[0] = h_0 is the zero state, in every call: create hs with "
        "np.zeros((T + 1, N, H)) (np.empty holds whatever was in memory; a state kept from "
        "the previous call belongs to another batch)",
    },
    mistakes=(
        Mistake(
            "np.max(a, 0) is the largest entry along axis 0 (one row for the whole batch); "
            "ReLU is elementwise: np.maximum(a, 0)",
            "np.maximum(a, 0.0)",
            "np.max(a, 0)",
            "forward",
        ),
        Mistake(
            "add bh inside the activation: f(W_hx x_t + W_hh h_{t-1} + bh)",
            " + self.bh",
            "",
            "forward",
        ),
        Mistake(
            "every step adds the recurrent term W_hh h_{t-1}: the state carries the past",
            "a_in[t] + hs[t] @ self.W_hh.T",
            "a_in[t]",
            "forward",
        ),
        Mistake(
            "W_hh h_{t-1} for a whole batch (one sequence per row) is hs[t] @ W_hh.T",
            "hs[t] @ self.W_hh.T",
            "hs[t] @ self.W_hh",
            "forward",
        ),
        Mistake(
            "use self.activation: ReLU is np.maximum(a, 0), tanh is np.tanh(a)",
            'np.tanh(a) if self.activation == "tanh" else np.maximum(a, 0.0)',
            "np.tanh(a)",
            "forward",
        ),
        Mistake(
            "return the states after every step, hs[1:] (shape (T, N, H)): hs[0] is h_0",
            "return hs[1:]",
            "return hs",
            "forward",
        ),
    ),
)


# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [rnn_init, rnn_forward]
