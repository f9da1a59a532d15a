"""The reference implementation of the course, batched, with the original assignment's names.

Modules keep the original file names: common.py (softmax, cross-entropy, Layer,
clipping), LinearLayer.py, BasicRNNCell.py, train.py (run_training,
run_train_memory), test.py (run_forward_pass, run_memory_test,
run_exploding_grads_test, run_check_grads), data_generator.py, main.py (CLI).

Shape convention, everywhere: time-major. data/x (T, N, D), hidden h (T, N, H),
logits/probs (T, N, V), labels (T, N) integer; T time steps, N sequences.
"""

from .BasicRNNCell import BasicRNNCell
from .common import (
    Layer,
    clip_global_norm,
    cross_entropy_loss,
    softmax,
    softmax_cross_entropy_grad,
    spectral_radius,
)
from .data_generator import generate_data_memory, generate_random_data
from .LinearLayer import LinearLayer
from .test import run_check_grads, run_exploding_grads_test, run_forward_pass, run_memory_test
from .train import run_train_memory, run_training

__all__ = [
    "BasicRNNCell",
    "Layer",
    "LinearLayer",
    "clip_global_norm",
    "cross_entropy_loss",
    "generate_data_memory",
    "generate_random_data",
    "run_check_grads",
    "run_exploding_grads_test",
    "run_forward_pass",
    "run_memory_test",
    "run_train_memory",
    "run_training",
    "softmax",
    "softmax_cross_entropy_grad",
    "spectral_radius",
    "make_memory_net",
]


def make_memory_net(n_vocab=10, n_hidden=50, activation="tanh", rng=None):
    """The course's network for the memorization task: [BasicRNNCell(V, H), LinearLayer(H, V)]."""
    return [
        BasicRNNCell(n_vocab, n_hidden, activation, rng=rng),
        LinearLayer(n_hidden, n_vocab, rng=rng),
    ]
