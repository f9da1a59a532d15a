"""Notebook 6: the LSTM cell's forward pass and backpropagation through time."""

import numpy as np

from course.reference.LSTMCell import LSTMCell
from helpers.checks.gated import LSTMBackward, LSTMForward

from .cases import Case, upstream_gradient
from .exercise import Exercise, Mistake

NOTEBOOK = "06_gated_cells"


def lstm_inputs(r, T, N, D, H, scale=0.5, forget_bias=None):
    """An LSTMCell case: W_x (4H, D), W_h (4H, H), b (4H,) drawn at ``scale``, x (T, N, D).

    ``forget_bias`` sets b[0:H] (the forget gate's rows), e.g. -30 to shut the gate."""
    inputs = {
        "W_x": r.normal(0, scale, (4 * H, D)),
        "W_h": r.normal(0, scale, (4 * H, H)),
        "b": r.normal(0, scale, 4 * H),
        "x": r.normal(size=(T, N, D)),
    }
    if forget_bias is not None:
        inputs["b"][:H] = forget_bias
    return inputs


def backward_inputs(r, T, N, D, H, scale=0.6, only=None, accumulate=False, **kw):
    """A backward case: a cell (``lstm_inputs``) and dh (T, N, H); ``only`` = "last" /
    "first" keeps dh at that step alone; ``accumulate`` gives the cell gradients already."""
    inputs = lstm_inputs(r, T, N, D, H, scale, **kw)
    inputs["dh"] = upstream_gradient(r, T, N, H, only)
    if accumulate:
        inputs.update(
            dW_x0=r.normal(size=(4 * H, D)),
            dW_h0=r.normal(size=(4 * H, H)),
            db0=r.normal(size=4 * H),
        )
    return inputs


def forward_visible(r):
    def case(name, T, N, hint, **kw):
        return Case(name, lstm_inputs(r, T, N, 4, 3, **kw), hint)

    general = lstm_inputs(r, 5, 2, 4, 3)
    return [
        case(
            "one step",
            1,
            2,
            "with c_0 = 0: c_1 = i_1 * g_1 and h_1 = o_1 * tanh(c_1); the gates are the rows "
            "[forget, input, output, candidate] of a_1 = W_x x_1 + W_h h_0 + b",
        ),
        Case(
            "no recurrent weights (W_h = 0)",
            dict(general, W_h=np.zeros((12, 3))),
            "with W_h = 0 only the cell state carries the past: c_t = f_t * c_{t-1} + i_t * g_t",
        ),
        case(
            "forget gate shut (forget bias -30)",
            5,
            2,
            "with f_t = 0 the cell state restarts every step (c_t = i_t g_t) and the past "
            "reaches step t only through W_h h_{t-1}: use the PREVIOUS state hs[t]",
            forget_bias=-30.0,
        ),
        Case(
            "full sequence",
            general,
            "h_t = o_t * tanh(c_t); store hs and cs with hs[0] = cs[0] = 0",
        ),
        Case(
            "a second call starts from zero",
            dict(lstm_inputs(r, 4, 3, 4, 3), x_before=r.normal(size=(6, 3, 4))),
            "every call to forward starts from h_0 = c_0 = 0 and stores the new x, hs and cs",
        ),
    ]


def forward_hidden(r):
    return [
        Case("T=1, N=1", lstm_inputs(r, 1, 1, 3, 2)),
        Case("30 steps, 4 sequences", lstm_inputs(r, 30, 4, 5, 6)),
        Case("large weights", lstm_inputs(r, 6, 3, 4, 4, scale=3.0)),
        Case("one unit, forget bias 3", lstm_inputs(r, 8, 2, 3, 1, forget_bias=3.0)),
        Case(
            "after a longer call",
            dict(lstm_inputs(r, 3, 2, 2, 5), x_before=r.normal(size=(9, 2, 2))),
        ),
    ]


def forward_mistake(message, old, new):
    return Mistake(message, old, new, "forward")


lstm_forward = Exercise(
    id="lstm_forward",
    title="LSTMCell.forward",
    points=3,
    subject="LSTMCell",
    reference=LSTMCell,
    runner=LSTMForward(),
    seed=601,
    visible=forward_visible,
    hidden=forward_hidden,
    hints={
        "self.cs": "cs has shape (T+1, N, H): cs[0] = 0 and cs[t+1] = f * cs[t] + i * g",
        "self.hs": "hs has shape (T+1, N, H): hs[0] = 0 and hs[t+1] = o * tanh(cs[t+1])",
        "self.x": "forward must keep its input: self.x = x",
    },
    mistakes=(
        forward_mistake(
            "the forget gate multiplies the previous cell state: c_t = f_t * c_{t-1} + i_t * g_t",
            "f * cs[t] + i * g",
            "cs[t] + i * g",
        ),
        forward_mistake(
            "the input gate, not the output gate, lets the candidate in: + i_t * g_t",
            "f * cs[t] + i * g",
            "f * cs[t] + o * g",
        ),
        forward_mistake(
            "h_t = o_t * tanh(c_t): the cell state goes through tanh",
            "o * np.tanh(cs[t + 1])",
            "o * cs[t + 1]",
        ),
        forward_mistake(
            "h_t = o_t * tanh(c_t): the output gate scales what leaves the cell",
            "o * np.tanh(cs[t + 1])",
            "np.tanh(cs[t + 1])",
        ),
        forward_mistake(
            "the recurrent term uses the PREVIOUS state h_{t-1} = hs[t]",
            "hs[t] @ self.W_h.T",
            "hs[t + 1] @ self.W_h.T",
        ),
        forward_mistake(
            "add the bias b to the pre-activations of all four gates",
            "x @ self.W_x.T + self.b",
            "x @ self.W_x.T",
        ),
    ),
)


def backward_visible(r):
    def case(name, T, N, hint, **kw):
        return Case(name, backward_inputs(r, T, N, 4, 3, **kw), hint)

    return [
        case(
            "one step",
            1,
            2,
            "with T = 1 nothing comes from the future: dc = dh * o * (1 - tanh(c)^2), then "
            "the gate gradients; da for the forget gate is 0 because c_0 = 0",
        ),
        case(
            "gradient only at the last step",
            4,
            2,
            "the gradient must flow back through the cell state: dc_{t-1} receives "
            "dc_t * f_t (the forget gate is the cell state's only factor)",
            only="last",
        ),
        case(
            "gradient only at the first step",
            4,
            2,
            "a gradient at step 1 must not reach later steps: walk backwards in time",
            only="first",
        ),
        case(
            "full sequence",
            5,
            3,
            "at step t, dh_t = dh[t] + (da_{t+1} @ W_h), and dc_t = dc_{t+1} * f_{t+1} + "
            "dh_t * o_t * (1 - tanh(c_t)^2)",
        ),
        case(
            "accumulates into existing gradients",
            3,
            2,
            "backward must ADD to self.dW_x, self.dW_h and self.db (+=)",
            accumulate=True,
        ),
    ]


def backward_hidden(r):
    def case(name, T, N, D, H, **kw):
        return Case(name, backward_inputs(r, T, N, D, H, **kw))

    return [
        case("T=1, N=1", 1, 1, 3, 2),
        case("20 steps, 4 sequences", 20, 4, 5, 6),
        case("last step only, 15 steps, forget bias 2", 15, 2, 3, 4, only="last", forget_bias=2.0),
        case("large weights", 6, 3, 4, 4, scale=3.0),
        case("accumulating, one unit", 7, 2, 3, 1, accumulate=True),
    ]


def backward_mistake(message, old, new, count=1):
    return Mistake(message, old, new, "backward", count)


lstm_backward = Exercise(
    id="lstm_backward",
    title="LSTMCell.backward",
    points=4,  # as much as notebook 3's BPTT, the course's largest exercise
    subject="LSTMCell",
    reference=LSTMCell,
    runner=LSTMBackward(),
    seed=602,
    visible=backward_visible,
    hidden=backward_hidden,
    hints={
        "dW_x": "dW_x sums da_t x_t^T over t and n: da.reshape(-1, 4H).T @ x.reshape(-1, D)",
        "dW_h": "dW_h sums da_t h_{t-1}^T over t and n, with the PREVIOUS state: hs[:-1]",
        "db": "db sums da_t over t and n: da.sum(axis=(0, 1))",
    },
    mistakes=(
        backward_mistake(
            "the gradient must also flow back along the cell state: dc_{t-1} receives dc_t * f_t",
            "dc_next = dc * f[t]",
            "dc_next = 0 * dc",
        ),
        backward_mistake(
            "the forget gate multiplied the PREVIOUS cell state c_{t-1} = cs[t]: "
            "da_f = dc * c_{t-1} * f (1 - f)",
            "cs[:-1] * f * (1.0 - f)",
            "cs[1:] * f * (1.0 - f)",
        ),
        backward_mistake(
            "h_t = o_t tanh(c_t), so the gradient reaching c_t from h_t is dh_t * o_t * "
            "(1 - tanh(c_t)^2)",
            "dc_from_h = o * (1.0 - tanh_c**2)",
            "dc_from_h = o",
        ),
        backward_mistake(
            "the gradient must also flow back through W_h: dh_{t-1} receives da_t @ W_h",
            "dh_next = da[t] @ self.W_h",
            "dh_next = 0 * dh_t",
        ),
        backward_mistake(
            "the output gate multiplies tanh(c_t) in h_t only: its gradient is dh_t * "
            "tanh(c_t) * o (1 - o), without the cell state's gradient from the future",
            "[dc, dc, dh_t, dc]",
            "[dc, dc, dc, dc]",
        ),
        backward_mistake(
            "the candidate g = tanh(a_g) has the derivative 1 - g^2",
            "i * (1.0 - g**2)",
            "i * g * (1.0 - g)",
        ),
        backward_mistake(
            "dW_h sums da_t h_{t-1}^T: use the PREVIOUS states, hs[:-1]",
            "hs[:-1].reshape(-1, H)",
            "hs[1:].reshape(-1, H)",
        ),
        backward_mistake(
            "backward must ADD to self.dW_x, self.dW_h and self.db (+=): gradients "
            "accumulate until the update step uses them",
            " +=",
            " =",
            count=3,
        ),
    ),
)

# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [lstm_forward, lstm_backward]
