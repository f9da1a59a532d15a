"""Notebook 4: the spectral radius, global-norm clipping and the explosion experiment."""

import numpy as np

from course.reference import common, test
from helpers.checks.drivers import ClipAllGradients, GradientSizes
from helpers.checks.functions import FunctionCall
from helpers.checks.properties import NonNegative

from .cases import Case, gradient_holders, scripted_net, sequences
from .exercise import Exercise, Mistake

NOTEBOOK = "04_exploding_vanishing"


def radius_visible(r):
    c, s = np.cos(0.3), np.sin(0.3)
    return [
        Case(
            "diagonal",
            {"W": np.diag([0.5, -2.0, 1.5])},
            "the spectral radius is the largest ABSOLUTE eigenvalue: here |-2| = 2",
        ),
        Case(
            "rotation by 0.3 rad, scaled by 1.2",
            {"W": 1.2 * np.array([[c, -s], [s, c]])},
            "eigenvalues can be complex (1.2 e^{±0.3i}); take their modulus np.abs",
        ),
        Case("random 6x6", {"W": r.normal(size=(6, 6))}),
    ]


def radius_hidden(r):
    return [
        Case("1x1 negative", {"W": np.array([[-3.5]])}),
        Case("random 20x20", {"W": r.normal(0, 0.3, (20, 20))}),
        Case(
            "pure rotation",
            {"W": np.array([[0.0, -2.0], [2.0, 0.0]])},
            "a rotation has complex eigenvalues",
        ),
        Case("non-symmetric, dominant negative", {"W": np.array([[-4.0, 1.0], [0.0, 0.5]])}),
    ]


spectral_radius = Exercise(
    id="spectral_radius",
    title="spectral_radius",
    points=1,
    subject="spectral_radius",
    reference=common.spectral_radius,
    runner=FunctionCall(args=("W",), output="rho", scalar=True),
    seed=401,
    visible=radius_visible,
    hidden=radius_hidden,
    properties=(NonNegative("rho", "a radius is a modulus |lambda|"),),
    mistakes=(
        Mistake(
            "the radius is the largest MODULUS: take np.abs of the eigenvalues (they can be "
            "negative or complex) before the maximum",
            "np.abs(np.linalg.eigvals(W))",
            "np.real(np.linalg.eigvals(W))",
        ),
        Mistake(
            "that is the largest singular value (the matrix 2-norm); the spectral radius is "
            "the largest |eigenvalue|: np.abs(np.linalg.eigvals(W)).max()",
            "np.abs(np.linalg.eigvals(W))",
            "np.linalg.svd(W, compute_uv=False)",
        ),
    ),
)


def clip_visible(r):
    sizes = [((3, 2), (4,)), ((5,), (2, 2))]
    return [
        Case(
            "under the threshold",
            dict(gradient_holders(r, sizes, 0.1), threshold=5.0),
            "if the global norm is at most the threshold, change nothing",
        ),
        Case(
            "over the threshold",
            dict(gradient_holders(r, sizes, 3.0), threshold=2.0),
            "multiply EVERY gradient by threshold / global_norm, where global_norm = sqrt(sum "
            "of squares of all entries of all gradients of all layers)",
        ),
        Case(
            "one layer large, one small",
            dict(gradient_holders(r, sizes, 0.01), g0_P=r.normal(size=(3, 2)) * 20, threshold=1.0),
            "all gradients are scaled by the same factor, so the small ones shrink too: the "
            "direction of the whole gradient is kept",
        ),
        Case(
            "zero gradients",
            dict(gradient_holders(r, sizes, 0.0), threshold=1.0),
            "a zero gradient has global norm 0: return 0 and do not divide by it",
        ),
    ]


def clip_hidden(r):
    sizes = [((4,), (2, 3)), ((1,), (5,)), ((3, 3), (2,))]
    tiny = dict(gradient_holders(r, sizes, 1e-3), threshold=1.0)
    at = gradient_holders(r, sizes[:1], 1.0)
    norm = float(np.sqrt(sum(np.sum(v * v) for v in at.values())))
    return [
        Case("three layers, far over", dict(gradient_holders(r, sizes, 1e3), threshold=5.0)),
        Case("three layers, just under", tiny),
        Case("exactly at the threshold", dict(at, threshold=norm)),
        Case("one layer, over", dict(gradient_holders(r, sizes[1:2], 10.0), threshold=0.3)),
    ]


clip_global_norm = Exercise(
    id="clip_global_norm",
    title="clip_global_norm",
    points=2,
    subject="clip_global_norm",
    reference=common.clip_global_norm,
    runner=ClipAllGradients(rtol=1e-5),  # accepts the common threshold / (norm + 1e-6)
    seed=402,
    visible=clip_visible,
    hidden=clip_hidden,
    hints={"norm": "return the global norm BEFORE clipping, as a float"},
    mistakes=(
        Mistake(
            "return the global norm BEFORE clipping (it is worth logging during training)",
            "return norm",
            "return min(norm, threshold)",
        ),
        Mistake(
            "scale the gradients in place (g *= ...): g = g * ... only rebinds your loop "
            "variable, and the layers' arrays stay as they were",
            "g *= threshold / norm",
            "g = g * (threshold / norm)",
        ),
        Mistake(
            "the global norm is the SQUARE ROOT of the sum of squares of every entry",
            "np.sqrt(sum(np.sum(g * g) for g in grads))",
            "sum(np.sum(g * g) for g in grads)",
        ),
        Mistake(
            "the global norm is ONE norm over all gradients together: the square root of the "
            "sum of every squared entry, np.sqrt(sum(np.sum(g * g) for g in grads)), not the "
            "sum of each gradient's norm",
            "np.sqrt(sum(np.sum(g * g) for g in grads))",
            "sum(np.sqrt(np.sum(g * g)) for g in grads)",
        ),
        Mistake(
            "do not call layer.clip_gradients (notebook 1's per-tensor clipping): compute ONE "
            "global norm over all gradients, and if it exceeds the threshold multiply EVERY "
            "gradient by threshold / global_norm",
            "if norm > threshold:\n        for g in grads:\n            g *= threshold / norm",
            "for layer in net:\n        layer.clip_gradients(threshold)",
        ),
    ),
)


def explosion_case(r, name, T, N, max_seq_len, clip, hint=""):
    inputs = dict(scripted_net(r, 4, 3, 5), **sequences(r, T, N, 4, 5))
    return Case(name, dict(inputs, max_seq_len=max_seq_len, clip_threshold=clip), hint)


def explosion_visible(r):
    return [
        explosion_case(
            r,
            "5 prefixes, no clipping",
            5,
            2,
            None,
            None,
            "for every length k = 1..T: zero the gradients, forward data[:k], backward the "
            "loss gradient of labels[:k], then record the mean of |g| over ALL gradient "
            "entries of ALL layers together",
        ),
        explosion_case(
            r,
            "max_seq_len shorter than the data",
            6,
            1,
            3,
            None,
            "return one value per prefix length 1..max_seq_len",
        ),
        explosion_case(
            r,
            "with clipping",
            6,
            3,
            None,
            0.5,
            "with clip_threshold set, call clip_global_norm(net, clip_threshold) after "
            "backward and before measuring",
        ),
    ]


def explosion_hidden(r):
    def case(name, T, N, max_seq_len, clip):
        inputs = dict(scripted_net(r, 3, 4, 6), **sequences(r, T, N, 3, 6))
        return Case(name, dict(inputs, max_seq_len=max_seq_len, clip_threshold=clip))

    return [
        case("one step", 1, 3, None, None),
        case("12 steps", 12, 2, None, None),
        case("prefixes up to 4 of 9", 9, 1, 4, None),
        case("clipped to 0.1", 8, 4, None, 0.1),
        case("clipping threshold never reached", 5, 2, None, 1e6),
    ]


run_exploding_grads_test = Exercise(
    id="run_exploding_grads_test",
    title="run_exploding_grads_test",
    points=2,
    subject="run_exploding_grads_test",
    reference=test.run_exploding_grads_test,
    runner=GradientSizes(),
    seed=403,
    visible=explosion_visible,
    hidden=explosion_hidden,
    mistakes=(
        Mistake(
            "zero every layer's gradients before each prefix length: otherwise the gradients "
            "of all shorter prefixes add up",
            "layer.zero_grads()",
            "pass",
        ),
        Mistake(
            "with clip_threshold set, call clip_global_norm(net, clip_threshold) after the "
            "backward pass and before measuring",
            "clip_global_norm(net, clip_threshold)",
            "pass",
        ),
        Mistake(
            "record the mean of the ABSOLUTE values |g|: positive and negative entries would "
            "cancel out",
            "np.abs(np.concatenate(grads)).mean()",
            "np.concatenate(grads).mean()",
        ),
    ),
)


# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [spectral_radius, clip_global_norm, run_exploding_grads_test]
