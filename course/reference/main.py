"""Command line of the original assignment, on the reference implementation.

    python -m course.reference.main --task 1   # gradient check of the network
    python -m course.reference.main --task 2   # exploding gradients (log-log plot)
    python -m course.reference.main --task 3   # memorization task

Unlike the original, every task is seeded (--seed) and batched (--batch-size).
"""

import argparse

import numpy as np

from helpers.data import generate_data_memory, generate_random_data

from . import make_memory_net
from .test import run_check_grads, run_exploding_grads_test, run_memory_test
from .train import run_train_memory


def main(argv=None):
    p = argparse.ArgumentParser(description="RNN from scratch: the original assignment's tasks")
    p.add_argument("--task", type=int, default=1, choices=[1, 2, 3])
    p.add_argument("--nbr_iters", type=int, default=3000, help="training steps (task 3)")
    p.add_argument("--lr", type=float, default=5e-3)
    p.add_argument("--sz_rnn", type=int, default=50, help="hidden size")
    p.add_argument("--sz_vocab", type=int, default=10, help="vocabulary incl. delimiter, blank")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="exploding_gradients.png", help="plot file (task 2)")
    args = p.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    if args.task == 1:
        net = make_memory_net(args.sz_vocab, args.sz_rnn, rng=rng)
        data, labels = generate_data_memory(3, args.sz_vocab, batch_size=2, rng=rng)
        report = run_check_grads(net, data, labels)
        print(report)
        print(
            "Gradient seems to be right! Enjoy!"
            if report.max_error <= 1e-6
            else "Gradient check FAILED"
        )
    elif args.task == 2:
        from helpers.plotting import plot_gradient_growth

        curves = {}
        data, labels = generate_random_data(201, args.sz_vocab, batch_size=4, rng=rng)
        for clip in (None, 5.0):
            # The original's setting: H = 10, ReLU with identity W_hh (polynomial growth).
            net = make_memory_net(args.sz_vocab, 10, "relu", rng=np.random.default_rng(0))
            curves["no clipping" if clip is None else f"clipped to {clip}"] = (
                run_exploding_grads_test(net, data, labels, clip_threshold=clip)
            )
        fig = plot_gradient_growth(curves)
        fig.figure.savefig(args.out, dpi=100)
        print(f"wrote {args.out}")
    else:
        net = make_memory_net(args.sz_vocab, args.sz_rnn, rng=rng)
        run_train_memory(
            net,
            13,
            args.sz_vocab,
            args.nbr_iters,
            args.lr,
            args.batch_size,
            rng=rng,
            target_accuracy=0.996,
        )
        acc = run_memory_test(net, 13, args.sz_vocab, 1000, rng=np.random.default_rng(1))
        print(f"Validation set size 1000, Avg. acc. on validation set {acc:.4f}")


if __name__ == "__main__":
    main()
