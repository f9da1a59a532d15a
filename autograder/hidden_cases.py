"""The hidden test cases: more sizes, edge cases and large values for every exercise.

Each generator takes a numpy Generator and returns a list of ``Case``. The cases are
drawn fresh per student (the seed mixes a course secret, the student and the check)
so they cannot be copied between submissions; they are judged with the check's own
``compare`` against the reference, exactly like the visible cases.
"""

import numpy as np

from helpers.checks import blocks
from helpers.checks.core import Case
from helpers.checks.training import _holders, _net_inputs, _sequence_inputs

GENERATORS = {}


def hidden(check_id):
    def register(fn):
        GENERATORS[check_id] = fn
        return fn
    return register


def _probs(r, T, N, V, spread=1.5):
    return blocks._probs(r, T, N, V, spread)  # every probability >= 1e-4


# ------------------------------------------------------------------ notebook 1

@hidden("softmax")
def _softmax(r):
    return [
        Case("T=1, N=1, V=2", {"logits": r.normal(size=(1, 1, 2))}),
        Case("random (7, 4, 10)", {"logits": r.normal(0, 3, size=(7, 4, 10))}),
        Case("very large logits", {"logits": r.normal(0, 1e4, size=(3, 2, 6))},
             "subtract each row's maximum before exp"),
        Case("very negative logits", {"logits": r.normal(-5e3, 10, size=(2, 3, 4))},
             "exp(-5000) underflows to 0 for every entry unless you shift by the maximum"),
        Case("one large entry per row", {"logits": np.where(np.eye(5)[r.integers(0, 5, (4, 3))] > 0,
                                                            800.0, 0.0)}),
    ]


@hidden("cross_entropy_loss")
def _ce(r):
    cases = [Case(f"random {shape}", {"probs": _probs(r, *shape),
                                      "labels": r.integers(0, shape[2], shape[:2])})
             for shape in [(1, 1, 2), (6, 3, 5), (13, 7, 10)]]
    cases.append(Case("confident predictions", {"probs": _probs(r, 4, 2, 3, spread=4.0),
                                                "labels": r.integers(0, 3, (4, 2))}))
    return cases


@hidden("softmax_cross_entropy_grad")
def _ce_grad(r):
    return [Case(f"random {shape}", {"probs": _probs(r, *shape),
                                     "labels": r.integers(0, shape[2], shape[:2])})
            for shape in [(1, 1, 2), (5, 6, 4), (27, 3, 10)]]


@hidden("linear_init")
def _linear_init(r):
    return [
        Case("400 inputs, 100 outputs", {"n_in": 400, "n_out": 100, "seed": int(r.integers(1e6))}),
        Case("50 inputs, 500 outputs", {"n_in": 50, "n_out": 500, "seed": int(r.integers(1e6))}),
        Case("1 input, 1 output", {"n_in": 1, "n_out": 1, "seed": int(r.integers(1e6))}),
    ]


def _linear_case(r, name, T, N, n_in, n_out, scale=1.0, accumulate=False):
    inputs = {"W": r.normal(0, scale, (n_out, n_in)), "b": r.normal(0, scale, n_out),
              "x": r.normal(size=(T, N, n_in)), "dy": r.normal(size=(T, N, n_out))}
    if accumulate:
        inputs.update(dW0=r.normal(size=(n_out, n_in)), db0=r.normal(size=n_out))
    return Case(name, inputs)


@hidden("linear_forward")
def _linear_forward(r):
    return [_linear_case(r, "T=1, N=1, one input", 1, 1, 1, 3),
            _linear_case(r, "(6, 4) batch, 10 -> 5", 6, 4, 10, 5),
            _linear_case(r, "large weights", 3, 2, 4, 4, scale=100.0)]


@hidden("linear_backward")
def _linear_backward(r):
    return [_linear_case(r, "T=1, N=1, one output", 1, 1, 3, 1),
            _linear_case(r, "(6, 4) batch, 10 -> 5", 6, 4, 10, 5),
            _linear_case(r, "accumulating, large weights", 3, 5, 4, 2, scale=50.0,
                         accumulate=True)]


def _params(r, sa, sb, shape_a=(3, 4), shape_b=(2,)):
    return {"A": r.normal(size=shape_a), "B": r.normal(size=shape_b),
            "dA": r.normal(size=shape_a) * sa, "dB": r.normal(size=shape_b) * sb}


@hidden("clip_gradients")
def _clip(r):
    at = _params(r, 1.0, 0.0)
    return [
        Case("far over the threshold", dict(_params(r, 1e6, 1e6), threshold=5.0)),
        Case("small threshold, mixed", dict(_params(r, 1.0, 1e-3), threshold=0.1)),
        Case("exactly at the threshold", dict(at, threshold=float(np.linalg.norm(at["dA"]))),
             "a gradient whose norm equals the threshold is not changed"),
        Case("zero and large", dict(_params(r, 0.0, 100.0), threshold=1.0)),
    ]


@hidden("update_weights")
def _update(r):
    return [
        Case("SGD, tiny rate", dict(_params(r, 1.0, 1.0), learning_rate=1e-4, rule="sgd")),
        Case("SGD, large gradients", dict(_params(r, 1e3, 1e3), learning_rate=0.5, rule="sgd")),
        Case("update rule", dict(_params(r, 2.0, 2.0, (2, 2), (5,)), learning_rate=0.3,
                                 rule="scaled")),
    ]


# ------------------------------------------------------------------ notebooks 2 and 3

@hidden("rnn_init")
def _rnn_init(r):
    s = lambda: int(r.integers(1e6))  # noqa: E731
    return [
        Case("tanh, 10 inputs, 400 hidden", {"n_in": 10, "n_hidden": 400, "activation": "tanh",
                                             "seed": s()}),
        Case("relu, 500 inputs, 50 hidden", {"n_in": 500, "n_hidden": 50, "activation": "relu",
                                             "seed": s()}),
        Case("tanh, one unit", {"n_in": 2, "n_hidden": 1, "activation": "tanh", "seed": s()}),
        Case("relu, 7 inputs, 5 hidden", {"n_in": 7, "n_hidden": 5, "activation": "relu",
                                          "seed": s()}),
    ]


def _cell_inputs(r, T, N, D, H, activation, scale=0.5, margin=False):
    inputs = {"W_hx": r.normal(0, scale, (H, D)), "W_hh": r.normal(0, scale, (H, H)),
              "bh": r.normal(0, scale, H), "activation": activation,
              "x": r.normal(size=(T, N, D))}
    if margin:
        inputs["bh"] = r.choice([-0.8, 0.8], H)
    return inputs


@hidden("rnn_forward")
def _rnn_forward(r):
    return [
        Case("tanh, T=1, N=1", _cell_inputs(r, 1, 1, 3, 4, "tanh")),
        Case("tanh, 12 steps, 5 sequences", _cell_inputs(r, 12, 5, 6, 7, "tanh")),
        Case("tanh, saturating weights", _cell_inputs(r, 8, 2, 3, 5, "tanh", scale=4.0)),
        Case("relu, 10 steps", _cell_inputs(r, 10, 3, 4, 6, "relu")),
        Case("relu, growing states", _cell_inputs(r, 20, 2, 2, 3, "relu", scale=1.5)),
        Case("one hidden unit", _cell_inputs(r, 5, 2, 3, 1, "tanh")),
        Case("second call, relu", dict(_cell_inputs(r, 6, 3, 4, 5, "relu"),
                                        x_before=r.normal(size=(4, 3, 4)))),
    ]


def _bptt_cases(r, activation):
    def case(name, T, N, D, H, scale=0.6, accumulate=False, only=None):
        inputs = _cell_inputs(r, T, N, D, H, activation, scale, margin=activation == "relu")
        dh = r.normal(size=(T, N, H))
        if only == "last":
            dh[:-1] = 0.0
        inputs["dh"] = dh
        if accumulate:
            inputs.update(dW_hx0=r.normal(size=(H, D)), dW_hh0=r.normal(size=(H, H)),
                          dbh0=r.normal(size=H))
        return Case(name, inputs)

    return [
        case("T=1, N=1", 1, 1, 3, 2),
        case("20 steps, 4 sequences", 20, 4, 5, 6),
        case("last step only, 15 steps", 15, 2, 3, 4, only="last"),
        case("large weights", 6, 3, 4, 4, scale=3.0),
        case("accumulating, one unit", 7, 2, 3, 1, accumulate=True),
    ]


hidden("bptt_tanh")(lambda r: _bptt_cases(r, "tanh"))
hidden("bptt_relu")(lambda r: _bptt_cases(r, "relu"))


# ------------------------------------------------------------------ notebooks 4 and 5

@hidden("spectral_radius")
def _spectral(r):
    return [
        Case("1x1 negative", {"W": np.array([[-3.5]])}),
        Case("random 20x20", {"W": r.normal(0, 0.3, (20, 20))}),
        Case("pure rotation", {"W": np.array([[0.0, -2.0], [2.0, 0.0]])},
             "a rotation has complex eigenvalues"),
        Case("non-symmetric, dominant negative", {"W": np.array([[-4.0, 1.0], [0.0, 0.5]])}),
    ]


@hidden("clip_global_norm")
def _clip_global(r):
    sizes = [((4,), (2, 3)), ((1,), (5,)), ((3, 3), (2,))]
    tiny = dict(_holders(r, sizes, 1e-3), threshold=1.0)
    at = _holders(r, sizes[:1], 1.0)
    norm = float(np.sqrt(sum(np.sum(v * v) for v in at.values())))
    return [
        Case("three layers, far over", dict(_holders(r, sizes, 1e3), threshold=5.0)),
        Case("three layers, just under", tiny),
        Case("exactly at the threshold", dict(at, threshold=norm)),
        Case("one layer, over", dict(_holders(r, sizes[1:2], 10.0), threshold=0.3)),
    ]


@hidden("exploding_grads")
def _exploding(r):
    D, H, V = 3, 4, 6

    def case(name, T, N, max_seq_len, clip):
        return Case(name, dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, T, N, D, V),
                               max_seq_len=max_seq_len, clip_threshold=clip))

    return [case("one step", 1, 3, None, None), case("12 steps", 12, 2, None, None),
            case("prefixes up to 4 of 9", 9, 1, 4, None), case("clipped to 0.1", 8, 4, None, 0.1),
            case("clipping threshold never reached", 5, 2, None, 1e6)]


@hidden("run_training")
def _training(r):
    D, H, V = 3, 4, 6

    def case(name, T, N, **kw):
        return Case(name, dict(_net_inputs(r, D, H, V), **_sequence_inputs(r, T, N, D, V), **kw))

    return [
        case("T=1, N=1, SGD", 1, 1, learning_rate=0.2, clip_threshold=None,
             update_weights=True, rule="sgd"),
        case("long sequence, clipped", 15, 3, learning_rate=0.01, clip_threshold=0.2,
             update_weights=True, rule="sgd"),
        case("no update, clipped", 5, 2, learning_rate=0.5, clip_threshold=0.05,
             update_weights=False, rule="sgd"),
        case("update rule, no clipping", 4, 4, learning_rate=0.1, clip_threshold=None,
             update_weights=True, rule="scaled"),
    ]


@hidden("run_memory_test")
def _memory(r):
    def case(name, L, V, n, wrong, before=True):
        return Case(name, {"L": L, "V": V, "n_sequences": n, "seed": int(r.integers(1e6)),
                           "wrong_positions": wrong, "wrong_before": before})

    return [
        case("L=1, V=3", 1, 3, 7, []),
        case("L=1, always wrong", 1, 4, 5, [1]),
        case("L=6, three wrong", 6, 5, 40, [1, 3, 6]),
        case("L=13, last wrong, one sequence", 13, 10, 1, [13], before=False),
        case("L=9, large test", 9, 12, 300, [5]),
    ]
