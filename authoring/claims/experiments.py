"""Claims about experiments the notebooks do not run: computed with the reference.

Each function returns one number the course text quotes. They reuse the notebooks'
settings (seeds, sizes) where the text compares with a notebook's own result.
"""

import numpy as np

from course.exercises import EXERCISES, planted
from course.reference import BasicRNNCell, LinearLayer, run_exploding_grads_test, run_memory_test
from course.reference.common import softmax, softmax_cross_entropy_grad
from course.reference.train import run_train_memory
from course.seed_sweep import RECIPE
from helpers.data import generate_data_memory, generate_random_data
from helpers.explorer import measure
from helpers.gradcheck import check_layer_gradients

L, V, H = 13, 10, 50


def original_accuracy(seed=0, steps=70_000, learning_rate=1e-3):
    """The 2020 assignment's setting, with this course's code: a ReLU cell with identity
    W_hh, one sequence per step, plain SGD, per-tensor clipping at 5 after each layer's
    backward; accuracy on 700 fresh sequences (the original's test size)."""
    rng = np.random.default_rng(seed)
    net = [BasicRNNCell(V, H, "relu", rng=rng), LinearLayer(H, V, rng=rng)]
    for _ in range(steps):
        data, labels = generate_data_memory(L, V, 1, rng)
        out = data
        for layer in net:
            out = layer.forward(out)
        grad = softmax_cross_entropy_grad(softmax(out), labels)
        for layer in reversed(net):
            grad = layer.backward(grad)
            layer.clip_gradients(5.0)
            layer.update_weights(learning_rate)
    return run_memory_test(net, L, V, 700, rng=np.random.default_rng(seed + 1))


def _notebook_5_net(rng, glorot_w_hh=False):
    net = [BasicRNNCell(V, H, "tanh", rng=rng), LinearLayer(H, V, rng=rng)]
    if glorot_w_hh:
        net[0].W_hh = rng.normal(0.0, np.sqrt(2.0 / (2 * H)), (H, H))
    return net


def glorot_steps_to_target():
    """Notebook 5's training cell (its recipe, its seed), but with a Glorot-normal W_hh:
    the steps it takes to reach the target accuracy (the notebook's steps_to_target)."""
    rng = np.random.default_rng(0)
    net = _notebook_5_net(rng, glorot_w_hh=True)
    return len(run_train_memory(net, rng=rng, progress=False, **RECIPE)["loss"])


def sgd_accuracy_1500():
    """The notebook's "your turn" cell with plain SGD: the best accuracy after 1,500 steps
    over the learning rates 0.1, 0.3 and 1."""
    best = 0.0
    for learning_rate in (0.1, 0.3, 1.0):
        rng = np.random.default_rng(1)
        net = _notebook_5_net(rng)
        history = run_train_memory(
            net,
            L,
            V,
            n_iters=1500,
            learning_rate=learning_rate,
            optimizer="sgd",
            rng=rng,
            eval_every=100,
            target_accuracy=0.99,
            progress=False,
        )
        best = max(best, history["accuracy"][-1])
    return best


def bptt_gradcheck_bug_error():
    """Notebook 3's gradient check of the tanh cell, with tanh's derivative left out."""
    exercise = EXERCISES["bptt_tanh"]
    (mistake,) = [m for m in exercise.mistakes if "np.ones_like" in m.new]
    rng = np.random.default_rng(0)
    cell = planted(exercise, mistake)(4, 5, "tanh", rng=rng)
    cell.bh = rng.normal(0, 0.5, 5)
    x = rng.normal(size=(6, 3, 4))
    return check_layer_gradients(cell, x, rng=rng).max_error


def _explosion(hidden_size, seq_len):
    """Notebook 4's slider experiment: unclipped mean |g| at the last length."""
    data, labels = generate_random_data(seq_len + 1, 10, batch_size=4, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    net = [BasicRNNCell(10, hidden_size, "relu", rng=rng), LinearLayer(hidden_size, 10, rng=rng)]
    return run_exploding_grads_test(net, data, labels)[-1]


def slider_length_factor():
    return _explosion(10, 160) / _explosion(10, 80)


def slider_hidden_factor():
    small, large = _explosion(10, 80), _explosion(64, 80)
    return max(small, large) / min(small, large)


# ------------------------------------------------------------------ the explorer's figures
# measure() with the explorer's defaults (hidden size 64, sequence length 100, seed 0).


def _back(activation, rho, steps=99, **settings):
    m = measure(settings.pop("hidden_size", 64), 100, 10, rho, activation, **settings)
    return m["hidden_grad_norm"][steps] / m["hidden_grad_norm"][0]


def _param_grad(activation, rho):
    return measure(64, 100, 10, rho, activation)["param_grad_norm"]


def explorer_tanh_08_param_gain():
    g = _param_grad("tanh", 0.8)
    return g[-1] / g[49] - 1


def explorer_relu_11_gap():
    return 1.1**99 / _back("relu", 1.1)


CLAIMS = {
    "original_accuracy": original_accuracy,
    "glorot_steps_to_target": glorot_steps_to_target,
    "sgd_accuracy_1500": sgd_accuracy_1500,
    "bptt_gradcheck_bug_error": bptt_gradcheck_bug_error,
    "slider_length_factor": slider_length_factor,
    "slider_hidden_factor": slider_hidden_factor,
    "explorer_tanh_08_50": lambda: _back("tanh", 0.8, steps=50),
    "explorer_tanh_08_param_gain": explorer_tanh_08_param_gain,
    "explorer_relu_11": lambda: _back("relu", 1.1),
    "explorer_relu_11_gap": explorer_relu_11_gap,
    "explorer_tanh_10": lambda: _back("tanh", 1.0),
    "explorer_tanh_11": lambda: _back("tanh", 1.1),
    "explorer_tanh_11_h256": lambda: _back("tanh", 1.1, hidden_size=256),
    "explorer_tanh_11_small_inputs": lambda: _back("tanh", 1.1, input_scale=0.001),
    "explorer_relu_10": lambda: _back("relu", 1.0),
    "explorer_relu_09": lambda: _back("relu", 0.9),
    "explorer_relu_12_param_min": lambda: _param_grad("relu", 1.2).min(),
    "explorer_tanh_10_param_min": lambda: _param_grad("tanh", 1.0).min(),
    "explorer_tanh_10_param_max": lambda: _param_grad("tanh", 1.0).max(),
}
