"""Benchmark: the reference RNN on the original assignment's memorization task.

    make bench        (python -m bench.memorization)

Task "L13V10": remember 13 symbols drawn from 8, then a delimiter, then repeat them
(vocabulary 10 = 8 symbols + delimiter + blank), hidden size 50: the original
assignment's defaults, which reached ~0.43 accuracy after ~95 s of single-sequence
SGD. Prints a table and ends with one JSON line. Timings are measured here, never
asserted in tests; compare figures from one run on the same machine.

Measured with one BLAS thread (the Makefile sets OPENBLAS_NUM_THREADS=1).
"""

import argparse
import json
import resource
import statistics
import time

import numpy as np

from authoring.claims import record_measured
from course.reference import make_memory_net, run_memory_test, run_training
from course.reference.train import run_train_memory
from course.seed_sweep import RECIPE as NOTEBOOK_5_RECIPE
from helpers.data import generate_data_memory
from helpers.optim import Adam

L, V, H = 13, 10, 50
BATCH, LR, CLIP = 32, 5e-3, 5.0


def train_until(seed, max_steps, eval_every, target, glorot_w_hh=False):
    """Train from scratch; return per-step times and the first steps reaching 0.99 / target."""
    rng = np.random.default_rng(seed)
    net = make_memory_net(V, H, rng=rng)
    if glorot_w_hh:  # the ablation: Glorot-normal instead of orthogonal recurrent weights
        net[0].W_hh = rng.normal(0.0, np.sqrt(2.0 / (2 * H)), (H, H))
    adam = Adam(beta2=0.99)
    eval_rng_seed = 999
    step_times, reached_99, reached_target = [], None, None
    train_s = wall_0 = 0.0
    wall_start = time.perf_counter()
    for step in range(1, max_steps + 1):
        t0 = time.perf_counter()
        data, labels = generate_data_memory(L, V, BATCH, rng)
        run_training(net, data, labels, LR, CLIP, update_weights=True, update_fun=adam)
        dt = time.perf_counter() - t0
        step_times.append(dt)
        train_s += dt
        if step % eval_every == 0:
            acc = run_memory_test(net, L, V, 1000, rng=np.random.default_rng(eval_rng_seed))
            if reached_99 is None and acc >= 0.99:
                wall_0 = time.perf_counter() - wall_start
                reached_99 = (step, train_s, wall_0)
            if acc >= target:
                reached_target = (step, train_s)
                break
    return net, step_times, reached_99, reached_target


def notebook_training_seconds():
    """Wall time of notebook 5's training cell: its run_train_memory call, its settings."""
    rng = np.random.default_rng(0)
    net = make_memory_net(V, H, rng=rng)
    t0 = time.perf_counter()
    run_train_memory(net, rng=rng, progress=False, **NOTEBOOK_5_RECIPE)
    return time.perf_counter() - t0


def torch_step_ms(n_steps=300):
    """Step time of torch nn.RNN + autograd + the same Adam and clipping, float64, 1 thread."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    rnn = torch.nn.RNN(V, H, nonlinearity="tanh").double()
    lin = torch.nn.Linear(H, V).double()
    params = list(rnn.parameters()) + list(lin.parameters())
    opt = torch.optim.Adam(params, lr=LR, betas=(0.9, 0.99))
    rng = np.random.default_rng(0)
    batches = [generate_data_memory(L, V, BATCH, rng) for _ in range(n_steps + 50)]
    batches = [(torch.from_numpy(d), torch.from_numpy(y)) for d, y in batches]
    times = []
    for i, (x, y) in enumerate(batches):
        t0 = time.perf_counter()
        opt.zero_grad()
        h, _ = rnn(x)
        logits = lin(h)
        loss = (
            torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1), reduction="sum")
            / BATCH
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        if i >= 50:  # warm-up excluded
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times), torch.__version__


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-steps", type=int, default=4000)
    parser.add_argument(
        "--target",
        type=float,
        default=0.996,
        help="stop training once the 1000-sequence accuracy reaches this",
    )
    parser.add_argument("--eval-every", type=int, default=50)
    parser.add_argument("--test-sequences", type=int, default=10000)
    args = parser.parse_args(argv)

    net, step_times, r99, rtarget = train_until(
        args.seed, args.max_steps, args.eval_every, args.target
    )
    # Fresh test sequences, 1000 at a time so the hidden states of the whole test set
    # never sit in memory at once.
    test_rng = np.random.default_rng(12345)
    chunks = [min(1000, args.test_sequences - i) for i in range(0, args.test_sequences, 1000)]
    accuracy = sum(n * run_memory_test(net, L, V, n, rng=test_rng) for n in chunks) / sum(chunks)
    step_ms = 1000 * statistics.median(step_times)
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before ablation
    torch_result = torch_step_ms()
    glorot_net, glorot_steps, glorot_99, _ = train_until(
        args.seed, 3000, 500, 2.0, glorot_w_hh=True
    )
    glorot_acc = run_memory_test(glorot_net, L, V, 1000, rng=np.random.default_rng(12345))
    train_seconds = notebook_training_seconds()

    result = {
        "task": "L13V10",
        "hidden_size": H,
        "batch_size": BATCH,
        "optimizer": "adam(lr=5e-3, beta2=0.99)",
        "clip_global_norm": CLIP,
        "seed": args.seed,
        "accuracy": round(accuracy, 4),
        "test_sequences": args.test_sequences,
        "steps_to_0.99": r99[0] if r99 else None,
        "seconds_to_0.99": round(r99[1], 3) if r99 else None,
        "wall_seconds_to_0.99": round(r99[2], 3) if r99 else None,
        "steps_trained": len(step_times),
        "step_ms": round(step_ms, 3),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "glorot_w_hh_accuracy_after_3000_steps": round(glorot_acc, 4),
        "notebook_5_training_seconds": round(train_seconds, 2),
    }
    if torch_result is not None:
        result["torch_step_ms"] = round(torch_result[0], 3)
        result["torch_version"] = torch_result[1]
        result["ours_over_torch"] = round(step_ms / torch_result[0], 3)
    # What the course text quotes (authoring/claims): timings, measured, never asserted.
    quoted = {
        "step_ms": step_ms,
        "train_seconds": train_seconds,
        "bench_accuracy": accuracy,
        "bench_peak_rss_mb": peak_rss_mb,
    }
    if torch_result is not None:
        quoted.update(torch_step_ms=torch_result[0], ours_over_torch=step_ms / torch_result[0])
    record_measured(**quoted)

    rows = [
        ("task", "L=13 symbols from 8, V=10, hidden 50, batch 32"),
        ("accuracy (fresh test set)", f"{accuracy:.4f} on {args.test_sequences} sequences"),
        ("steps to 0.99", result["steps_to_0.99"]),
        ("seconds to 0.99 (training)", result["seconds_to_0.99"]),
        ("seconds to 0.99 (incl. evals)", result["wall_seconds_to_0.99"]),
        ("median step", f"{step_ms:.3f} ms"),
        ("peak memory (RSS)", f"{peak_rss_mb:.1f} MB"),
        ("ablation: Glorot-normal W_hh", f"accuracy {glorot_acc:.4f} after 3000 steps"),
        ("notebook 5's training cell", f"{train_seconds:.2f} s (run_train_memory to 0.995)"),
    ]
    if torch_result is not None:
        rows += [
            ("torch nn.RNN step (float64)", f"{torch_result[0]:.3f} ms"),
            ("ours / torch", f"{result['ours_over_torch']:.3f}"),
        ]
    else:
        rows.append(("torch", "not importable: comparison skipped"))
    print_report("Reference RNN on the original memorization task", rows, result)
    return result


def print_report(title, rows, result):
    """A two-column table of (label, value) rows, then the result as one JSON line."""
    width = max(len(k) for k, _ in rows)
    print(title)
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
