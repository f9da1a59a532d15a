"""The gated cells of notebook 6 (LSTMCell, GRUCell): gradients and the delayed-recall data."""

import numpy as np
import pytest

from course.reference.GRUCell import GRUCell
from course.reference.LSTMCell import LSTMCell
from helpers.data import generate_data_delayed_recall, generate_data_memory
from helpers.gradcheck import check_layer_gradients


@pytest.mark.parametrize("cls, gates", [(LSTMCell, 4), (GRUCell, 3)])
@pytest.mark.parametrize("T, N", [(1, 1), (7, 3)])
def test_gated_cell_gradients(cls, gates, T, N):
    rng = np.random.default_rng(T + N)
    cell = cls(4, 3, rng=rng)
    cell.b = rng.normal(0, 1.0, gates * 3)  # non-zero biases test db and every gate
    cell.W_h = cell.W_h * 1.5  # larger recurrent weights: the gates leave their middle
    report = check_layer_gradients(cell, rng.normal(size=(T, N, 4)), rng=rng)
    assert report.max_error < 1e-7, str(report)


def test_lstm_backward_keeps_dh_and_accumulates():
    rng = np.random.default_rng(0)
    cell = LSTMCell(3, 2, rng=rng)
    x, dh = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2, 2))
    before = dh.copy()
    cell.forward(x)
    cell.backward(dh)
    once = cell.dW_h.copy()
    cell.backward(dh)
    assert np.array_equal(dh, before)
    np.testing.assert_allclose(cell.dW_h, 2 * once)


def test_delayed_recall_is_the_memorization_task_with_a_pause():
    data, labels = generate_data_delayed_recall(2, 3, 10, 4, rng=np.random.default_rng(5))
    plain_data, plain_labels = generate_data_memory(2, 10, 4, rng=np.random.default_rng(5))
    assert data.shape == (2 * 2 + 1 + 3, 4, 10) and labels.shape == (8, 4)
    np.testing.assert_array_equal(data[:2], plain_data[:2])  # the same symbols
    assert (data[2:5].argmax(-1) == 9).all() and (labels[:5] == 9).all()  # blank pause
    np.testing.assert_array_equal(labels[5:], plain_labels[2:])  # delimiter, then recall
    no_pause = generate_data_delayed_recall(2, 0, 10, 4, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(no_pause[1], plain_labels)
