"""Notebook 1: softmax, cross-entropy, its gradient, LinearLayer and the Layer base class."""

import numpy as np

from course.reference import common
from course.reference.LinearLayer import LinearLayer
from helpers.checks.functions import FunctionCall
from helpers.checks.init import LinearInit
from helpers.checks.layers import ClipEachGradient, LinearBackward, LinearForward, UpdateStep
from helpers.checks.properties import NonNegative, SumsToOne

from .cases import Case, layer_params, linear_inputs, probabilities
from .exercise import Exercise, Mistake

NOTEBOOK = "01_building_blocks"


# ------------------------------------------------------------------ softmax


def softmax_visible(r):
    return [
        Case(
            "small batch",
            {"logits": r.normal(size=(2, 3, 4))},
            "exponentiate the logits shifted by each row's maximum, then divide by their sum "
            "over the same (last) axis; return a new array",
        ),
        Case(
            "all-equal logits",
            {"logits": np.zeros((1, 2, 5))},
            "equal logits must give the uniform distribution 1/V",
        ),
        Case("one step, one sequence", {"logits": r.normal(size=(1, 1, 3))}),
        Case(
            "large logits",
            {"logits": np.array([[[1000.0, 0.0, -1000.0], [800.0, 801.0, 799.0]]])},
            "exp(1000) overflows to inf; subtract each row's maximum first (it cancels out "
            "of the ratio)",
        ),
        Case(
            "rows far apart",
            {"logits": np.array([[[1000.0, 999.0, 998.0]], [[-1000.0, -1001.0, -999.0]]])},
            "shift every row by its OWN maximum: logits.max(axis=-1, keepdims=True)",
        ),
    ]


def softmax_hidden(r):
    one_large = np.where(np.eye(5)[r.integers(0, 5, (4, 3))] > 0, 800.0, 0.0)
    return [
        Case("T=1, N=1, V=2", {"logits": r.normal(size=(1, 1, 2))}),
        Case("random (7, 4, 10)", {"logits": r.normal(0, 3, size=(7, 4, 10))}),
        Case(
            "very large logits",
            {"logits": r.normal(0, 1e4, size=(3, 2, 6))},
            "subtract each row's maximum before exp",
        ),
        Case(
            "very negative logits",
            {"logits": r.normal(-5e3, 10, size=(2, 3, 4))},
            "exp(-5000) underflows to 0 for every entry unless you shift by the maximum",
        ),
        Case("one large entry per row", {"logits": one_large}),
    ]


softmax = Exercise(
    id="softmax",
    title="softmax",
    points=1,
    subject="softmax",
    reference=common.softmax,
    runner=FunctionCall(args=("logits",), output="probs"),
    seed=101,
    visible=softmax_visible,
    hidden=softmax_hidden,
    properties=(SumsToOne("probs", axis=-1),),
    mistakes=(
        Mistake(
            "softmax works over the LAST axis, the vocabulary: max and sum with axis=-1 "
            "(and keepdims=True)",
            "axis=-1",
            "axis=0",
            count=2,
        ),
        Mistake(
            "exp of a large logit overflows to inf (and inf / inf is nan): subtract each "
            "row's maximum before exp; it cancels out of the ratio",
            "logits - logits.max(axis=-1, keepdims=True)",
            "logits",
        ),
        Mistake(
            "you subtracted the maximum of the WHOLE array: rows far below it underflow to "
            "0 / 0 = nan. Subtract each row's own maximum: logits.max(axis=-1, keepdims=True)",
            "logits.max(axis=-1, keepdims=True)",
            "logits.max()",
        ),
        Mistake(
            "keep the reduced axis: logits.max(axis=-1, keepdims=True) has shape (T, N, 1), "
            "which broadcasts against (T, N, V)",
            "logits.max(axis=-1, keepdims=True)",
            "logits.max(axis=-1)",
        ),
    ),
)


# ------------------------------------------------------------------ cross-entropy


def cross_entropy_visible(r):
    perfect = np.zeros((2, 2, 3))
    perfect[..., 1] = 1.0
    return [
        Case(
            "small batch",
            {"probs": probabilities(r, 3, 2, 4), "labels": r.integers(0, 4, (3, 2))},
            "pick each step's probability of its label, probs[t, n, labels[t, n]], for every t "
            "and n at once (np.take_along_axis(probs, labels[..., None], axis=-1)), then "
            "-np.log, summed, divided by N",
        ),
        Case(
            "sum over time, mean over batch",
            {"probs": probabilities(r, 5, 1, 3), "labels": r.integers(0, 3, (5, 1))},
            "the loss is the SUM over time steps of -log p(label), divided by the batch size "
            "N only (not by T)",
        ),
        Case(
            "batch average",
            {"probs": probabilities(r, 1, 4, 3), "labels": r.integers(0, 3, (1, 4))},
            "divide the total by N, the number of sequences",
        ),
        Case(
            "perfect prediction", {"probs": perfect, "labels": np.ones((2, 2), int)}, "log(1) = 0"
        ),
    ]


def cross_entropy_hidden(r):
    cases = [
        Case(
            f"random {shape}",
            {
                "probs": probabilities(r, *shape, spread=1.5),
                "labels": r.integers(0, shape[2], shape[:2]),
            },
        )
        for shape in [(1, 1, 2), (6, 3, 5), (13, 7, 10)]
    ]
    cases.append(
        Case(
            "confident predictions",
            {"probs": probabilities(r, 4, 2, 3, spread=4.0), "labels": r.integers(0, 3, (4, 2))},
        )
    )
    return cases


cross_entropy_loss = Exercise(
    id="cross_entropy_loss",
    title="cross_entropy_loss",
    points=1,
    subject="cross_entropy_loss",
    reference=common.cross_entropy_loss,
    runner=FunctionCall(args=("probs", "labels"), output="loss", scalar=True),
    seed=102,
    visible=cross_entropy_visible,
    hidden=cross_entropy_hidden,
    properties=(NonNegative("loss", "-log of a probability is >= 0: check the sign"),),
    mistakes=(
        Mistake(
            "use the natural logarithm np.log (np.log10 is the base-10 one)",
            "np.log(p_true)",
            "np.log10(p_true)",
        ),
        Mistake(
            "you averaged over the time steps too: the loss SUMS -log p over the T steps and "
            "divides by the batch size N only",
            "/ N)",
            "/ (N * T))",
        ),
        Mistake(
            "divide by N, the number of sequences (probs.shape[1]), not by T, the number of "
            "steps: the loss SUMS over time and averages over the batch",
            "/ N)",
            "/ T)",
        ),
        Mistake(
            "the loss is -log of the correct label's probability: take np.log(p_true) before "
            "summing (without the log, the sign is not the only thing wrong)",
            "-np.log(p_true).sum()",
            "-p_true.sum()",
        ),
        Mistake(
            "divide the sum by N, the number of sequences: the loss is an average over the batch",
            "/ N)",
            ")",
        ),
        Mistake(
            "the loss is MINUS the log-probability: -log p is >= 0 and 0 only for p = 1",
            "-np.log(p_true)",
            "np.log(p_true)",
        ),
        Mistake(
            "use only the probability of the correct label at every step: "
            "np.take_along_axis(probs, labels[..., None], axis=-1)",
            "-np.log(p_true).sum()",
            "-np.log(probs).sum()",
        ),
    ),
)


# ------------------------------------------------------------------ its gradient


def ce_grad_visible(r):
    return [
        Case(
            "small batch",
            {"probs": probabilities(r, 3, 2, 4), "labels": r.integers(0, 4, (3, 2))},
            "d loss / d logits = (probs - onehot(labels)) / N",
        ),
        Case(
            "batch of 5",
            {"probs": probabilities(r, 2, 5, 3), "labels": r.integers(0, 3, (2, 5))},
            "the loss averages over the batch, so its gradient is divided by N",
        ),
        Case("one step", {"probs": probabilities(r, 1, 1, 6), "labels": np.array([[5]])}),
    ]


def ce_grad_hidden(r):
    return [
        Case(
            f"random {shape}",
            {
                "probs": probabilities(r, *shape, spread=1.5),
                "labels": r.integers(0, shape[2], shape[:2]),
            },
        )
        for shape in [(1, 1, 2), (5, 6, 4), (27, 3, 10)]
    ]


softmax_cross_entropy_grad = Exercise(
    id="softmax_cross_entropy_grad",
    title="softmax_cross_entropy_grad",
    points=1,
    subject="softmax_cross_entropy_grad",
    reference=common.softmax_cross_entropy_grad,
    runner=FunctionCall(args=("probs", "labels"), output="dlogits"),
    seed=103,
    visible=ce_grad_visible,
    hidden=ce_grad_hidden,
    mistakes=(
        Mistake(
            "divide by N: the loss averages over the batch, and so does its gradient",
            "one_hot(labels, V)) / N",
            "one_hot(labels, V))",
        ),
        Mistake(
            "divide by N only: the loss sums over the time steps, so does its gradient",
            "one_hot(labels, V)) / N",
            "one_hot(labels, V)) / (N * T)",
        ),
        Mistake(
            "the gradient is probs - onehot(labels), not the other way round",
            "(probs - one_hot(labels, V))",
            "(one_hot(labels, V) - probs)",
        ),
    ),
)


# ------------------------------------------------------------------ LinearLayer


def linear_init_visible(r):
    return [
        Case(
            "300 inputs, 200 outputs",
            {"n_in": 300, "n_out": 200, "seed": 7},
            "W of shape (n_out, n_in) from rng.normal(0, sqrt(2 / (n_in + n_out))); b, dW and "
            "db: np.zeros of their shapes, each its own array",
        ),
        Case("3 inputs, 2 outputs", {"n_in": 3, "n_out": 2, "seed": 8}),
    ]


def linear_init_hidden(r):
    sizes = [(400, 100), (50, 500), (1, 1)]
    return [
        Case(
            f"{n_in} inputs, {n_out} outputs",
            {"n_in": n_in, "n_out": n_out, "seed": int(r.integers(1e6))},
        )
        for n_in, n_out in sizes
    ]


linear_init = Exercise(
    id="linear_init",
    title="LinearLayer.__init__",
    points=1,
    subject="LinearLayer",
    reference=LinearLayer,
    runner=LinearInit(),
    seed=0,
    visible=linear_init_visible,
    hidden=linear_init_hidden,
)


def linear_forward_visible(r):
    W, b, x = r.normal(size=(3, 4)), r.normal(size=3), r.normal(size=(2, 5, 4))
    return [
        Case(
            "bias only (W = 0)",
            {"W": np.zeros((3, 4)), "b": b, "x": x},
            "with W = 0 every output must equal b",
        ),
        Case(
            "weights only (b = 0)",
            {"W": W, "b": np.zeros(3), "x": x},
            "y[t, n] = W @ x[t, n]; for a whole batch that is x @ W.T",
        ),
        Case("weights and bias", {"W": W, "b": b, "x": x}),
        Case("one step, one sequence", {"W": W, "b": b, "x": x[:1, :1]}),
    ]


def linear_forward_hidden(r):
    return [
        Case("T=1, N=1, one input", linear_inputs(r, 1, 1, 1, 3)),
        Case("(6, 4) batch, 10 -> 5", linear_inputs(r, 6, 4, 10, 5)),
        Case("large weights", linear_inputs(r, 3, 2, 4, 4, scale=100.0)),
    ]


linear_forward = Exercise(
    id="linear_forward",
    title="LinearLayer.forward",
    points=1,
    subject="LinearLayer",
    reference=LinearLayer,
    runner=LinearForward(),
    seed=104,
    visible=linear_forward_visible,
    hidden=linear_forward_hidden,
    hints={"self.x": "forward must keep its input for backward: self.x = x"},
    mistakes=(
        Mistake("add the bias: y = x @ W.T + b", " + self.b", "", "forward"),
        Mistake(
            "W has shape (n_out, n_in): y[t, n] = W @ x[t, n], which for the whole batch is "
            "x @ W.T",
            "x @ self.W.T",
            "x @ self.W",
            "forward",
        ),
    ),
)


def linear_backward_visible(r):
    W, b, x, dy = (
        r.normal(size=(3, 4)),
        r.normal(size=3),
        r.normal(size=(2, 5, 4)),
        r.normal(size=(2, 5, 3)),
    )
    return [
        Case(
            "gradients from zero",
            {"W": W, "b": b, "x": x, "dy": dy},
            "dx = dy @ W; dW sums dy[t, n] x[t, n]^T over t and n; db sums dy",
        ),
        Case("one step, one sequence", {"W": W, "b": b, "x": x[:1, :1], "dy": dy[:1, :1]}),
        Case(
            "accumulates into existing gradients",
            {
                "W": W,
                "b": b,
                "x": x,
                "dy": dy,
                "dW0": r.normal(size=(3, 4)),
                "db0": r.normal(size=3),
            },
            "backward must ADD to self.dW and self.db (+=), not overwrite them",
        ),
    ]


def linear_backward_hidden(r):
    return [
        Case("T=1, N=1, one output", linear_inputs(r, 1, 1, 3, 1)),
        Case("(6, 4) batch, 10 -> 5", linear_inputs(r, 6, 4, 10, 5)),
        Case(
            "accumulating, large weights",
            linear_inputs(r, 3, 5, 4, 2, scale=50.0, accumulate=True),
        ),
    ]


linear_backward = Exercise(
    id="linear_backward",
    title="LinearLayer.backward",
    points=2,
    subject="LinearLayer",
    reference=LinearLayer,
    runner=LinearBackward(),
    seed=105,
    visible=linear_backward_visible,
    hidden=linear_backward_hidden,
    hints={
        "dx": "dx[t, n] = W^T dy[t, n]; for the whole batch, dy @ W (shape (T, N, n_in))",
        "dW": "dW sums dy[t, n] x[t, n]^T over t and n: dy.reshape(-1, n_out).T @ "
        "x.reshape(-1, n_in), shape (n_out, n_in)",
        "db": "db sums dy over time AND batch: dy.sum(axis=(0, 1))",
    },
    mistakes=(
        Mistake(
            "backward must ADD to self.dW and self.db (+=): gradients accumulate until the "
            "update step uses them",
            " +=",
            " =",
            "backward",
            count=2,
        ),
        Mistake(
            "dx = dy @ W: the gradient goes back through W (n_out, n_in) from n_out to n_in",
            "return dy @ self.W",
            "return dy @ self.W.T",
            "backward",
        ),
        Mistake(
            "db sums dy over time AND batch: dy.sum(axis=(0, 1))",
            "dy.sum(axis=(0, 1))",
            "dy.sum(axis=0)",
            "backward",
        ),
    ),
)


# ------------------------------------------------------------------ Layer


def clip_visible(r):
    zero = layer_params(r, 0.0, 0.0)
    return [
        Case(
            "under the threshold",
            dict(layer_params(r, 0.1, 0.1), threshold=5.0),
            "gradients with norm <= threshold must not change",
        ),
        Case(
            "both over the threshold",
            dict(layer_params(r, 10.0, 10.0), threshold=1.0),
            "rescale: grad *= threshold / norm(grad), in place",
        ),
        Case(
            "one over, one under",
            dict(layer_params(r, 10.0, 0.01), threshold=2.0),
            "clip every tensor on its own: only the large one changes",
        ),
        Case(
            "zero gradients",
            dict(zero, threshold=1.0),
            "a zero gradient has norm 0 and must stay 0 (no division by zero)",
        ),
    ]


def clip_hidden(r):
    at = layer_params(r, 1.0, 0.0, (3, 4), (2,))
    return [
        Case(
            "far over the threshold", dict(layer_params(r, 1e6, 1e6, (3, 4), (2,)), threshold=5.0)
        ),
        Case(
            "small threshold, mixed", dict(layer_params(r, 1.0, 1e-3, (3, 4), (2,)), threshold=0.1)
        ),
        Case(
            "exactly at the threshold",
            dict(at, threshold=float(np.linalg.norm(at["dA"]))),
            "a gradient whose norm equals the threshold is not changed",
        ),
        Case("zero and large", dict(layer_params(r, 0.0, 100.0, (3, 4), (2,)), threshold=1.0)),
    ]


clip_gradients = Exercise(
    id="clip_gradients",
    title="Layer.clip_gradients",
    points=1,
    subject="Layer",
    reference=common.Layer,
    runner=ClipEachGradient(),
    seed=106,
    visible=clip_visible,
    hidden=clip_hidden,
    mistakes=(
        Mistake(
            "clip the GRADIENTS, the second item of each (param, grad, name) from get_params(), "
            "never the parameters",
            "for _, grad, _ in self.get_params():",
            "for grad, _, _ in self.get_params():",
            "clip_gradients",
        ),
        Mistake(
            "change the gradient in place (grad *= ...): grad = grad * ... only rebinds your "
            "loop variable, and the layer's array stays as it was",
            "grad *= threshold / norm",
            "grad = grad * (threshold / norm)",
            "clip_gradients",
        ),
        Mistake(
            "rescale by threshold / norm: the clipped gradient then has norm exactly threshold",
            "grad *= threshold / norm",
            "grad *= norm / threshold",
            "clip_gradients",
        ),
        Mistake(
            "only a gradient whose norm EXCEEDS the threshold changes; the others stay as they are",
            "if norm > threshold:",
            "if True:",
            "clip_gradients",
        ),
    ),
)


def update_visible(r):
    return [
        Case(
            "plain SGD",
            dict(layer_params(r, 1.0, 1.0), learning_rate=0.1, rule="sgd"),
            "param <- param - learning_rate * grad, then set the gradients to zero",
        ),
        Case(
            "with an update rule",
            dict(layer_params(r, 1.0, 1.0), learning_rate=0.05, rule="scaled"),
            "when update_fun is given, call update_fun(param, grad, learning_rate) for every "
            "parameter instead of the SGD step",
        ),
    ]


def update_hidden(r):
    return [
        Case(
            "SGD, tiny rate",
            dict(layer_params(r, 1.0, 1.0, (3, 4), (2,)), learning_rate=1e-4, rule="sgd"),
        ),
        Case(
            "SGD, large gradients",
            dict(layer_params(r, 1e3, 1e3, (3, 4), (2,)), learning_rate=0.5, rule="sgd"),
        ),
        Case(
            "update rule",
            dict(layer_params(r, 2.0, 2.0, (2, 2), (5,)), learning_rate=0.3, rule="scaled"),
        ),
    ]


update_weights = Exercise(
    id="update_weights",
    title="Layer.update_weights",
    points=1,
    subject="Layer",
    reference=common.Layer,
    runner=UpdateStep(),
    seed=107,
    visible=update_visible,
    hidden=update_hidden,
    hints={"rule_calls": "call update_fun(param, grad, learning_rate) once for every parameter"},
    mistakes=(
        Mistake(
            "after the step, set the gradients to zero (self.zero_grads()): the next backward "
            "pass adds to them",
            "self.zero_grads()",
            "pass",
            "update_weights",
        ),
        Mistake(
            "take the step first, then zero the gradients: zeroed before the step, the step "
            "uses zero gradients and changes nothing",
            "for param, grad, _ in self.get_params():",
            "self.zero_grads()\n    for param, grad, _ in self.get_params():",
            "update_weights",
        ),
        Mistake(
            "step AGAINST the gradient: param -= learning_rate * grad",
            "param -= learning_rate * grad",
            "param += learning_rate * grad",
            "update_weights",
        ),
        Mistake(
            "change the parameter in place (param -= ...): param = param - ... only rebinds "
            "your loop variable",
            "param -= learning_rate * grad",
            "param = param - learning_rate * grad",
            "update_weights",
        ),
        Mistake(
            "when update_fun is given, call update_fun(param, grad, learning_rate) instead of "
            "the SGD step",
            "if update_fun is None:",
            "if True:",
            "update_weights",
        ),
    ),
)


# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [
    softmax,
    cross_entropy_loss,
    softmax_cross_entropy_grad,
    linear_init,
    linear_forward,
    linear_backward,
    clip_gradients,
    update_weights,
]
