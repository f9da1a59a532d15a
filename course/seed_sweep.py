"""Notebook 5's training recipe, and its run over many seeds and orders of random draws.

A correct student's network must reach the target whatever seed the notebook uses and
in whatever order a correct ``BasicRNNCell.__init__`` draws its random numbers: each
order gives other weights from the same seed. ``sweep`` runs the training cell of
notebook 5 (``RECIPE``: the same call, the same settings) for every seed and every
``__init__`` given. Used by the course text's claims, the seed-sweep tests and
``python -m bench.seeds``.
"""

import time

import numpy as np

from course.reference.LinearLayer import LinearLayer
from course.reference.test import run_memory_test
from course.reference.train import run_train_memory

# Notebook 5's training cell: the settings course/text/05_memorization.md uses.
RECIPE = dict(
    to_remember_len=13,
    n_vocab=10,
    n_iters=6000,
    learning_rate=2e-2,
    lr_half_life=700,
    batch_size=32,
    clip_threshold=5.0,
    optimizer="adam",
    eval_every=50,
    target_accuracy=0.995,
)


def train_once(cell_class, seed, recipe=RECIPE, progress=False):
    """(steps, accuracy on 2,000 fresh sequences) of the notebook's cell with ``seed``."""
    rng = np.random.default_rng(seed)
    net = [cell_class(10, 50, "tanh", rng=rng), LinearLayer(50, 10, rng=rng)]
    history = run_train_memory(net, rng=rng, progress=progress, **recipe)
    accuracy = run_memory_test(net, 13, 10, n_sequences=2000, rng=np.random.default_rng(42))
    return len(history["loss"]), accuracy


def sweep(cells, seeds, recipe=RECIPE, log=print):
    """{(init name, seed): (steps, accuracy)} for every ``cells`` {name: class} and seed."""
    results = {}
    for name, cell_class in cells.items():
        for seed in seeds:
            t0 = time.perf_counter()
            results[name, seed] = train_once(cell_class, seed, recipe)
            steps, accuracy = results[name, seed]
            log(
                f"  {name:40s} seed {seed:3d}: {steps:5d} steps  accuracy {accuracy:.4f}"
                f"  ({time.perf_counter() - t0:.1f} s)"
            )
    return results


def worst(results):
    """The lowest final accuracy and its (init name, seed)."""
    key = min(results, key=lambda k: results[k][1])
    return results[key][1], key
