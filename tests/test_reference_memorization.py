"""The reference solves the original assignment's memorization task (L=13, V=10)."""

import numpy as np
import pytest

from course.reference import make_memory_net, run_memory_test, run_train_memory
from helpers.data import generate_data_memory


@pytest.mark.slow  # trains the reference network
def test_reference_reaches_99_percent_on_the_original_task():
    # The original's exact task: 13 symbols from 8, delimiter, blank (V = 10), hidden
    # size 50. The original reached ~0.43 after 70,000 single-sequence SGD steps.
    rng = np.random.default_rng(0)
    net = make_memory_net(n_vocab=10, n_hidden=50, rng=rng)
    history = run_train_memory(
        net, 13, 10, n_iters=4000, rng=rng, progress=False, eval_every=50, target_accuracy=0.995
    )
    assert history["accuracy"][-1] >= 0.995
    accuracy = run_memory_test(net, 13, 10, n_sequences=5000, rng=np.random.default_rng(123))
    assert accuracy >= 0.99


def test_memory_test_scores_only_outputs_after_the_delimiter():
    class Oracle:
        """Predicts the labels perfectly after the delimiter and wrongly before it."""

        def forward(self, x):
            T = x.shape[0]
            L = (T - 1) // 2
            symbols = x.argmax(-1)
            logits = np.zeros(x.shape)
            target = np.concatenate([np.zeros_like(symbols[: L + 1]), symbols[:L]])
            np.put_along_axis(logits, target[..., None], 10.0, axis=-1)
            return logits

        def backward(self, dy):
            return dy

    assert run_memory_test([Oracle()], 5, 7, n_sequences=20, rng=np.random.default_rng(0)) == 1.0


def test_memory_data_encoding_matches_the_original():
    data, labels = generate_data_memory(3, 10, batch_size=1, rng=np.random.default_rng(0))
    inputs = data.argmax(-1)[:, 0]
    assert data.shape == (7, 1, 10) and labels.shape == (7, 1)
    assert list(inputs[3:]) == [8, 9, 9, 9]  # delimiter V-2, then blanks V-1
    assert list(labels[:4, 0]) == [9, 9, 9, 8]  # blanks, then the delimiter
    assert list(labels[4:, 0]) == list(inputs[:3])  # the symbols again, in order
    assert inputs[:3].max() <= 7  # content symbols 0..V-3
