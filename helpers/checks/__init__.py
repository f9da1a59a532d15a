"""The visible tests of the notebooks: ``check_<exercise>(your_object)``.

Each one runs your code on a few fixed cases, compares the results with values
computed by the reference solution, and on the first mismatch raises an
AssertionError that says what is wrong: which output, which shape, how far off,
and a hint. When everything matches it prints a line starting with ✓ and returns
True, so a test cell reads ``assert check_softmax(softmax)``.

Read the test cases in blocks.py, rnn.py and training.py if you want to know
exactly what is checked. The graders' hidden tests run the same checks on more
cases (other sizes, edge cases, large values).
"""

from . import blocks, rnn, training  # noqa: F401  (registers the checks)
from .core import REGISTRY, CheckFailed, run_visible


def check_softmax(softmax):
    return run_visible("softmax", {"softmax": softmax})


def check_cross_entropy_loss(cross_entropy_loss):
    return run_visible("cross_entropy_loss", {"cross_entropy_loss": cross_entropy_loss})


def check_softmax_cross_entropy_grad(softmax_cross_entropy_grad):
    return run_visible("softmax_cross_entropy_grad",
                       {"softmax_cross_entropy_grad": softmax_cross_entropy_grad})


def check_linear_init(LinearLayer):
    return run_visible("linear_init", {"LinearLayer": LinearLayer})


def check_linear_forward(LinearLayer):
    return run_visible("linear_forward", {"LinearLayer": LinearLayer})


def check_linear_backward(LinearLayer):
    return run_visible("linear_backward", {"LinearLayer": LinearLayer})


def check_clip_gradients(Layer):
    return run_visible("clip_gradients", {"Layer": Layer})


def check_update_weights(Layer):
    return run_visible("update_weights", {"Layer": Layer})


def check_rnn_init(BasicRNNCell):
    return run_visible("rnn_init", {"BasicRNNCell": BasicRNNCell})


def check_rnn_forward(BasicRNNCell):
    return run_visible("rnn_forward", {"BasicRNNCell": BasicRNNCell})


def check_bptt_tanh(BasicRNNCell):
    return run_visible("bptt_tanh", {"BasicRNNCell": BasicRNNCell})


def check_bptt_relu(BasicRNNCell):
    return run_visible("bptt_relu", {"BasicRNNCell": BasicRNNCell})


def check_spectral_radius(spectral_radius):
    return run_visible("spectral_radius", {"spectral_radius": spectral_radius})


def check_clip_global_norm(clip_global_norm):
    return run_visible("clip_global_norm", {"clip_global_norm": clip_global_norm})


def check_run_exploding_grads_test(run_exploding_grads_test):
    return run_visible("exploding_grads", {"run_exploding_grads_test": run_exploding_grads_test})


def check_run_training(run_training):
    return run_visible("run_training", {"run_training": run_training})


def check_run_memory_test(run_memory_test):
    return run_visible("run_memory_test", {"run_memory_test": run_memory_test})


__all__ = ["REGISTRY", "CheckFailed"] + [n for n in dir() if n.startswith("check_")]
