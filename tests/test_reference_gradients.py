"""The reference backward passes agree with central differences (max rel. error <= 1e-6)."""

import numpy as np
import pytest

from course.reference import (
    BasicRNNCell,
    LinearLayer,
    make_memory_net,
    run_check_grads,
)
from helpers.data import generate_data_memory, one_hot
from helpers.gradcheck import check_layer_gradients, rel_error

TOL = 1e-6


def make_cell(activation, T, N, seed, D=5, H=8):
    """A cell and an input batch for a gradient check.

    tanh: the real initialisation (orthogonal W_hh) with a random bias and Gaussian inputs.
    ReLU: units that are clearly on or clearly off (|pre-activation| >= 0.1 everywhere,
    asserted below), so that no finite difference straddles the kink at 0.
    """
    rng = np.random.default_rng(seed)
    cell = BasicRNNCell(D, H, activation, rng=rng)
    if activation == "tanh":
        cell.bh = rng.normal(0, 0.5, H)
        x = rng.normal(size=(T, N, D))
    else:
        cell.bh = rng.choice([-1.0, 1.0], H)
        cell.W_hh = 0.5 * np.eye(H) + rng.normal(0, 0.02, (H, H))
        cell.W_hx = rng.normal(0, 0.2, (H, D))
        x = one_hot(rng.integers(0, D, (T, N)), D)
        cell.forward(x)
        pre = x @ cell.W_hx.T + cell.bh + cell.hs[:-1] @ cell.W_hh.T
        assert np.abs(pre).min() >= 0.1
    return cell, x, rng


@pytest.mark.parametrize("activation", ["tanh", "relu"])
# 50 steps of finite differences take seconds: slow
@pytest.mark.parametrize("T", [1, pytest.param(50, marks=pytest.mark.slow)])
@pytest.mark.parametrize("N", [1, 7])
def test_rnn_cell_gradients(activation, T, N):
    cell, x, rng = make_cell(activation, T, N, seed=T * 10 + N)
    report = check_layer_gradients(cell, x, rng=rng)
    assert {c.name for c in report.checks} == {"W_hx", "W_hh", "bh", "x"}
    report.assert_ok(TOL)


@pytest.mark.parametrize("T,N", [(1, 1), (50, 7)])
def test_linear_layer_gradients(T, N):
    rng = np.random.default_rng(3)
    layer = LinearLayer(6, 4, rng=rng)
    layer.b = rng.normal(size=4)
    report = check_layer_gradients(layer, rng.normal(size=(T, N, 6)), rng=rng)
    assert {c.name for c in report.checks} == {"W", "b", "x"}
    report.assert_ok(TOL)


def test_whole_network_gradients_through_softmax_and_loss():
    rng = np.random.default_rng(4)
    net = make_memory_net(n_vocab=5, n_hidden=6, rng=rng)
    data, labels = generate_data_memory(3, 5, batch_size=4, rng=rng)
    report = run_check_grads(net, data, labels)
    assert len(report.checks) == 5
    report.assert_ok(TOL)


def test_backward_accumulates_into_gradients():
    cell, x, rng = make_cell("tanh", 6, 3, seed=1)
    dh = rng.normal(size=(6, 3, 8))
    cell.zero_grads()
    cell.forward(x)
    cell.backward(dh)
    once = [g.copy() for _, g, _ in cell.get_params()]
    cell.forward(x)
    cell.backward(dh)
    for (_, g, name), g1 in zip(cell.get_params(), once, strict=True):
        assert rel_error(g, 2 * g1) < 1e-12, name


def test_gradient_checker_names_the_wrong_parameter():
    class Broken(LinearLayer):
        def backward(self, dy):
            dx = super().backward(dy)
            self.db *= -1  # sign error in the bias gradient only
            return dx

    rng = np.random.default_rng(0)
    layer = Broken(3, 2, rng=rng)
    report = check_layer_gradients(layer, rng.normal(size=(2, 2, 3)), rng=rng)
    assert report.worst.name == "b"
    assert report["W"].rel_error < TOL and report["x"].rel_error < TOL
    with pytest.raises(AssertionError, match=r"b: relative error"):
        report.assert_ok(TOL)
