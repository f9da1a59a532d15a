"""Benchmark: the LSTM of notebooks 6 and 7 against torch, and the two notebooks' training.

    python -m bench.lstm        (part of make bench)

In one run:
  - one LSTM training step, forward + backward (embedding -> LSTM -> linear -> softmax
    cross-entropy, notebook 7's model: T=50, N=32, E=16, H=128, V=81), the reference in
    numpy against torch's nn.Embedding + nn.LSTM + nn.Linear + autograd on the same
    weights, both float64 on one thread (torch.set_num_threads(1)); the gradients are
    compared first, so the two do the same work;
  - notebook 6's training (the LSTM on the delayed-recall task until 99 %, then the basic
    cell for as many steps) and notebook 7's (400 chunks of truncated BPTT), with the
    reference, as the notebooks run them;
  - the peak memory (RSS) of the numpy part, measured before torch is imported.

Timings are measured, never asserted; they are recorded in values.json ("measured").
torch is optional (``pip install -e '.[bench]'``, which ``make bench`` does).
"""

import json
import resource
import statistics
import time

import numpy as np

from authoring.claims import record_measured
from course.reference import BasicRNNCell, LinearLayer, run_training
from course.reference.CharLM import (
    CharModel,
    evaluate_perplexity,
    streams,
    train_char_model,
)
from course.reference.common import cross_entropy_loss, softmax, softmax_cross_entropy_grad
from course.reference.LSTMCell import LSTMCell
from helpers.data import char_vocabulary, generate_data_delayed_recall, load_text
from helpers.optim import Adam

T, N, E, H = 50, 32, 16, 128


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def lm_batch(V, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))


def numpy_step(model, x, y):
    """Forward + backward of notebook 7's model (no update): the loss per character."""
    for layer in model.layers:
        layer.zero_grads()
    logits, _ = model.forward(x, model.zero_state(N))
    probs = softmax(logits)
    loss = cross_entropy_loss(probs, y) / T
    model.backward(softmax_cross_entropy_grad(probs, y) / T)
    return loss


def median_ms(functions, repeats):
    """Median milliseconds of each function, run in alternation (a machine whose load
    changes during the run slows all of them alike, so their ratio stays fair)."""
    for fn in functions:
        fn()  # warm up
    times = [[] for _ in functions]
    for _ in range(repeats):
        for fn, out in zip(functions, times, strict=True):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return [1000 * statistics.median(t) for t in times]


def torch_model(torch, model):
    """torch modules with the reference model's weights. torch's LSTM orders its gate
    rows [input, forget, candidate, output]; ours [forget, input, output, candidate]."""
    V = model.embed.W.shape[0]
    emb = torch.nn.Embedding(V, E).double()
    lstm = torch.nn.LSTM(E, H).double()
    lin = torch.nn.Linear(H, V).double()
    order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(3 * H, 4 * H)])
    order = np.concatenate([order, np.arange(2 * H, 3 * H)])  # i, f, g, o
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(model.embed.W))
        lstm.weight_ih_l0.copy_(torch.from_numpy(model.lstm.W_x[order]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(model.lstm.W_h[order]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(model.lstm.b[order]))
        lstm.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(model.out.W))
        lin.bias.copy_(torch.from_numpy(model.out.b))
    return emb, lstm, lin, order


def torch_comparison(model, x, y):
    """(the torch step as a function, version, largest relative gradient difference), or
    None if torch is not importable."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    emb, lstm, lin, order = torch_model(torch, model)
    params = list(emb.parameters()) + list(lstm.parameters()) + list(lin.parameters())
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        for p in params:
            p.grad = None
        out, _ = lstm(emb(tx))
        logits = lin(out)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ty.ravel())
        loss.backward()
        return loss

    loss = step()
    ours = numpy_step(model, x, y)
    pairs = [
        (model.embed.dW, emb.weight.grad),
        (model.lstm.dW_x[order], lstm.weight_ih_l0.grad),
        (model.lstm.dW_h[order], lstm.weight_hh_l0.grad),
        (model.lstm.db[order], lstm.bias_ih_l0.grad),
        (model.out.dW, lin.weight.grad),
    ]
    # torch averages the loss over T N characters; ours is per character averaged over N
    # and divided by T: the same mean.
    diff = max(
        float(np.abs(a - g.numpy()).max() / (np.abs(g.numpy()).max() + 1e-300)) for a, g in pairs
    )
    diff = max(diff, abs(ours - loss.item()) / abs(loss.item()))
    return step, torch.__version__, diff


def notebook_6_training():
    """Notebook 6's cell: the LSTM until 99 % recall (accuracy every 50 steps), then the
    basic cell for as many steps. Returns (seconds, LSTM steps, LSTM accuracy)."""
    L, delay, V, Hd = 1, 30, 10, 20
    test_data, test_labels = generate_data_delayed_recall(
        L, delay, V, 500, rng=np.random.default_rng(9)
    )

    def accuracy(net):
        out = test_data
        for layer in net:
            out = layer.forward(out)
        return float((out.argmax(-1)[-L:] == test_labels[-L:]).mean())

    def train(cell, n_steps, target=None):
        rng = np.random.default_rng(0)
        net = [cell(rng), LinearLayer(Hd, V, rng=rng)]
        update, batches, curve = Adam(beta2=0.99), np.random.default_rng(1), []
        for step in range(1, n_steps + 1):
            data, labels = generate_data_delayed_recall(L, delay, V, 32, rng=batches)
            run_training(net, data, labels, 1e-2, 5.0, update_fun=update)
            if step % 50 == 0:
                curve.append(accuracy(net))
                if target is not None and curve[-1] >= target:
                    break
        return curve

    t0 = time.perf_counter()
    lstm_curve = train(lambda rng: LSTMCell(V, Hd, rng=rng), 1500, target=0.99)
    train(lambda rng: BasicRNNCell(V, Hd, "tanh", rng=rng), 50 * len(lstm_curve))
    return time.perf_counter() - t0, 50 * len(lstm_curve), lstm_curve[-1]


def notebook_7_training():
    """Notebook 7's cell: 400 chunks of truncated BPTT. Returns (seconds, perplexity, V)."""
    vocab, ids = char_vocabulary(load_text())
    split = int(0.9 * len(ids))
    train_data, held_out = streams(ids[:split], 32), streams(ids[split:], 8)
    model = CharModel(len(vocab), n_embed=16, n_hidden=128, rng=np.random.default_rng(0))
    t0 = time.perf_counter()
    train_char_model(model, train_data, n_steps=400, chunk_len=50, learning_rate=1e-2)
    seconds = time.perf_counter() - t0
    return seconds, evaluate_perplexity(model, held_out), len(vocab)


def main(repeats=20):
    V = 81
    model = CharModel(V, E, H, rng=np.random.default_rng(0))
    x, y = lm_batch(V)
    (step_ms,) = median_ms([lambda: numpy_step(model, x, y)], repeats)
    nb6_seconds, nb6_steps, nb6_accuracy = notebook_6_training()
    nb7_seconds, nb7_perplexity, nb7_vocab = notebook_7_training()
    numpy_peak = peak_rss_mb()  # before torch is imported
    torch_result = torch_comparison(model, x, y)
    if torch_result is not None:  # both again, alternating, for a fair ratio
        step_ms, torch_ms = median_ms([lambda: numpy_step(model, x, y), torch_result[0]], repeats)
        torch_result = (torch_ms, *torch_result[1:])

    result = {
        "lstm_step_ms": round(step_ms, 3),
        "notebook_6_training_seconds": round(nb6_seconds, 2),
        "notebook_6_lstm_steps": nb6_steps,
        "notebook_6_lstm_accuracy": nb6_accuracy,
        "notebook_7_training_seconds": round(nb7_seconds, 2),
        "notebook_7_perplexity": round(nb7_perplexity, 3),
        "notebook_7_uniform_perplexity": nb7_vocab,
        "peak_rss_mb_numpy": round(numpy_peak, 1),
    }
    rows = [
        ("LSTM step (fwd + bwd), ours", f"{step_ms:.2f} ms  (T={T}, N={N}, E={E}, H={H}, V={V})"),
        (
            "notebook 6 training",
            f"{nb6_seconds:.1f} s (LSTM {nb6_steps} steps to {nb6_accuracy:.1%}, basic cell "
            "as many)",
        ),
        (
            "notebook 7 training",
            f"{nb7_seconds:.1f} s (400 chunks; held-out perplexity {nb7_perplexity:.2f}, "
            f"uniform {nb7_vocab})",
        ),
        ("peak memory (RSS), numpy part", f"{numpy_peak:.0f} MB (goal <= 300 MB)"),
    ]
    measured = {
        "lstm_step_ms": step_ms,
        "notebook_6_training_seconds": nb6_seconds,
        "notebook_7_training_seconds": nb7_seconds,
        "lstm_bench_peak_rss_mb": numpy_peak,
    }
    if torch_result is None:
        rows.append(("torch", "not importable: comparison skipped (pip install -e '.[bench]')"))
    else:
        torch_ms, version, diff = torch_result
        result.update(
            torch_lstm_step_ms=round(torch_ms, 3),
            torch_version=version,
            lstm_ours_over_torch=round(step_ms / torch_ms, 3),
            gradient_max_rel_diff=diff,
            peak_rss_mb_with_torch=round(peak_rss_mb(), 1),
        )
        rows += [
            (f"torch {version} nn.LSTM + autograd", f"{torch_ms:.2f} ms (float64, one thread)"),
            ("ours / torch", f"{step_ms / torch_ms:.2f} (goal <= 1)"),
            ("gradients, largest relative difference", f"{diff:.1e}"),
            ("peak memory with torch imported", f"{peak_rss_mb():.0f} MB"),
        ]
        measured.update(torch_lstm_step_ms=torch_ms, lstm_ours_over_torch=step_ms / torch_ms)
    record_measured(**measured)
    width = max(len(k) for k, _ in rows)
    print("The LSTM of notebooks 6 and 7 against torch; the two notebooks' training")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
