"""Bad arguments raise clear ValueErrors instead of numpy broadcasting errors."""

import numpy as np
import pytest

from course.reference import (
    BasicRNNCell,
    LinearLayer,
    cross_entropy_loss,
    make_memory_net,
    run_forward_pass,
    run_train_memory,
    run_training,
    softmax,
    softmax_cross_entropy_grad,
)
from helpers.data import generate_data_memory, generate_random_data


@pytest.mark.parametrize(
    "L,V,match",
    [
        (13, 2, "vocab_size must be >= 3"),
        (0, 10, "to_remember_len must be >= 1"),
        (-3, 10, "to_remember_len must be >= 1"),
        (2.5, 10, "to_remember_len must be an integer"),
        (13, "10", "vocab_size must be an integer"),
        (True, 10, "to_remember_len must be an integer"),
    ],
)
def test_memory_data_rejects_bad_sizes(L, V, match):
    with pytest.raises(ValueError, match=match):
        generate_data_memory(L, V)


def test_memory_data_rejects_bad_batch_size():
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        generate_data_memory(3, 10, batch_size=0)


def test_random_data_needs_two_samples():
    with pytest.raises(ValueError, match="n_samples must be >= 2"):
        generate_random_data(1, 10)


def test_labels_must_be_integers_in_range_and_match_shape():
    probs = softmax(np.zeros((3, 2, 5)))
    with pytest.raises(ValueError, match="labels must be integer class indices"):
        cross_entropy_loss(probs, np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"labels must lie in 0..4"):
        cross_entropy_loss(probs, np.full((3, 2), 5))
    with pytest.raises(ValueError, match=r"labels must have shape \(3, 2\)"):
        softmax_cross_entropy_grad(probs, np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="probs must have 3 axes"):
        cross_entropy_loss(probs[0], np.zeros((3, 2), dtype=int))


def test_layers_reject_wrong_input_shapes():
    cell = BasicRNNCell(10, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="x must have 10 features"):
        cell.forward(np.zeros((3, 2, 7)))
    with pytest.raises(ValueError, match="x must have 3 axes"):
        cell.forward(np.zeros((3, 10)))
    cell.forward(np.zeros((3, 2, 10)))
    with pytest.raises(ValueError, match=r"dh must have shape \(3, 2, 4\)"):
        cell.backward(np.zeros((3, 2, 5)))
    layer = LinearLayer(4, 6, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="x must have 4 features"):
        layer.forward(np.zeros((2, 2, 5)))
    with pytest.raises(ValueError, match="x must be a numpy array"):
        layer.forward([[1.0]])


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="activation must be 'tanh' or 'relu'"):
        BasicRNNCell(3, 3, activation="sigmoid")


def test_net_must_be_a_list_of_layers():
    data, labels = generate_data_memory(2, 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="net must be a non-empty list"):
        run_training([], data, labels)
    with pytest.raises(ValueError, match=r"net\[1\] \(int\) has no forward"):
        run_forward_pass([LinearLayer(5, 5), 3], data, labels)


def test_train_memory_rejects_bad_iteration_count():
    net = make_memory_net(5, 4, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_iters must be >= 1"):
        run_train_memory(net, 2, 5, n_iters=0, progress=False)
