"""Notebook 7's reference: the embedding's gradient with repeated characters, the carried
state, perplexity against the uniform model, and sampling with a temperature."""

import numpy as np
import pytest

from course.reference.CharLM import (
    CarriedLSTMCell,
    CharModel,
    Embedding,
    chunks,
    generate,
    perplexity,
    sample_next,
    streams,
    train_chunk,
)
from course.reference.common import softmax
from course.reference.LSTMCell import LSTMCell
from helpers.data import char_vocabulary, load_text, one_hot
from helpers.gradcheck import check_layer_gradients, gradient_check
from helpers.optim import Adam


def test_embedding_is_the_one_hot_product_and_adds_repeated_rows():
    rng = np.random.default_rng(0)
    emb = Embedding(4, 3, rng=rng)
    x = np.array([[0, 0, 2], [0, 3, 0]])  # character 0 four times
    de = rng.normal(size=(2, 3, 3))
    np.testing.assert_allclose(emb.forward(x), one_hot(x, 4) @ emb.W)
    assert emb.backward(de) is None
    np.testing.assert_allclose(emb.dW[0], de[x == 0].sum(axis=0))
    report = gradient_check(
        lambda: float(np.sum(emb.forward(x) * de)), {"W": emb.W}, {"W": emb.dW.copy()}
    )
    assert report.max_error < 1e-8, str(report)


@pytest.mark.parametrize("T, N", [(1, 1), (6, 3)])
def test_carried_lstm_gradients_and_zero_state_is_notebook_6(T, N):
    rng = np.random.default_rng(T)
    cell = CarriedLSTMCell(4, 3, rng=rng)
    x = rng.normal(size=(T, N, 4))
    plain = LSTMCell(4, 3, rng=np.random.default_rng(T))
    np.testing.assert_allclose(cell.forward(x), plain.forward(x))
    h0, c0 = rng.normal(size=(N, 3)), rng.normal(size=(N, 3))
    cell.forward = lambda x: CarriedLSTMCell.forward(cell, x, h0, c0)
    report = check_layer_gradients(cell, x, rng=rng)
    assert report.max_error < 1e-7, str(report)


def test_carrying_the_state_equals_one_long_pass():
    """Two chunks with the state carried give the hidden states of one pass over both."""
    rng = np.random.default_rng(3)
    cell = CarriedLSTMCell(2, 3, rng=rng)
    x = rng.normal(size=(8, 2, 2))
    whole = cell.forward(x)
    first = cell.forward(x[:5])
    second = cell.forward(x[5:], cell.hs[-1].copy(), cell.cs[-1].copy())
    np.testing.assert_allclose(np.concatenate([first, second]), whole)


def test_uniform_model_has_perplexity_v():
    probs = np.full((5, 3, 81), 1 / 81)
    targets = np.random.default_rng(0).integers(0, 81, (5, 3))
    assert perplexity(probs, targets) == pytest.approx(81)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sampling_frequencies_follow_the_tempered_softmax(temperature):
    logits = np.array([[2.0, 0.5, -1.0, 0.0]])
    draws = sample_next(np.repeat(logits, 20000, axis=0), temperature, np.random.default_rng(1))
    freq = np.bincount(draws, minlength=4) / 20000
    np.testing.assert_allclose(freq, softmax(logits / temperature)[0], atol=0.015)


def test_temperature_zero_is_argmax():
    logits = np.random.default_rng(2).normal(size=(50, 7))
    np.testing.assert_array_equal(sample_next(logits, 0.0, None), logits.argmax(-1))


def test_streams_continue_across_chunks_and_training_lowers_the_loss():
    text = load_text()
    vocab, ids = char_vocabulary(text)
    assert (
        50_000 <= len(text.encode()) <= 200_000 and "".join(vocab[i] for i in ids[:9]) == text[:9]
    )
    data = streams(ids[:20_000], 8)
    (x1, y1), (x2, _) = list(chunks(data, 20))[:2]
    np.testing.assert_array_equal(y1[:-1], x1[1:])  # teacher forcing: targets are next ids
    np.testing.assert_array_equal(x2[0], y1[-1])  # chunk 2 continues chunk 1
    model = CharModel(len(vocab), 8, 32, rng=np.random.default_rng(0))
    state, losses, adam = model.zero_state(8), [], Adam()
    for x, y in list(chunks(data, 20))[:40]:
        loss, state = train_chunk(model, x, y, state, 1e-2, update_fun=adam)
        losses.append(loss)
    assert np.mean(losses[-5:]) < np.mean(losses[:5]) - 0.5
    assert state[0].shape == (8, 32)
    sample = generate(model, vocab, "A", 30, 1.0, np.random.default_rng(0))
    assert len(sample) == 31 and sample == generate(
        model, vocab, "A", 30, 1.0, np.random.default_rng(0)
    )
