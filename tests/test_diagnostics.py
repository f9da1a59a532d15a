"""Every failing check points at the bug: typical novice bugs, one at a time.

The bugs are the student implementations of tests/variants (each written the way a student
writes it, not derived from the reference), run through the VISIBLE checks, the ones a
student runs. For every bug the message must name the exercise and carry a hint; for a
representative set it must name the right test case, the output that is wrong, and the
fix. A correct exercise that calls a wrong earlier one must be told about the earlier one,
not get a hint about itself.
"""

import contextlib
import io

import pytest
from variants import missing_typical, nb1, nb2, nb3, nb4, nb5, nb6, nb7

from helpers.checks import REGISTRY, VISIBLE
from helpers.checks.visible import HIDDEN_PASSED

BUGS = [
    v
    for m in (nb1, nb2, nb3, nb4, nb5, nb6, nb7)
    for v in m.VARIANTS
    if v.kind == "bug" and v.visible
]


@pytest.fixture(autouse=True)
def _no_hidden_pass():
    HIDDEN_PASSED.clear()


def message(exercise_id, subject):
    """The visible check's failure message for ``subject`` (None if it passes)."""
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            VISIBLE[exercise_id](subject)
        except AssertionError as e:
            return str(e)
    return None


def variant_message(variant_id):
    (variant,) = [v for v in BUGS if v.id == variant_id]
    ns = variant.namespace()
    return message(variant.check, ns[REGISTRY[variant.check].subject])


@pytest.mark.parametrize("variant", BUGS, ids=[v.id for v in BUGS])
def test_every_bug_fails_in_its_own_exercise_with_a_hint(variant):
    text = message(variant.check, variant.namespace()[REGISTRY[variant.check].subject])
    assert text is not None, "the visible tests accept this bug"
    assert text.startswith(REGISTRY[variant.check].title + ", test '"), text
    assert "\nHint: " in text, text


# variant id -> (the case it fails first, what the message says is wrong, words of the fix)
TYPICAL = {
    "embedding_forward-bug-input-not-kept": ("one character", "self.x", "self.x = x"),
    "embedding_backward-bug-buffered-fancy-index-add": (
        "repeated characters",
        "dW is wrong",
        "np.add.at",
    ),
    "embedding_backward-bug-gradient-overwritten": (
        "distinct characters",
        "dW is wrong",
        "ADD to self.dW",
    ),
    "lstm_carried_forward-bug-c0-ignored": (
        "a carried cell state only (h0 = 0)",
        "h is wrong",
        "cs[0] = c0",
    ),
    "lstm_carried_forward-bug-starts-from-the-previous-call-s-state": (
        "no state given",
        "h is wrong",
        "carried by the caller",
    ),
    "perplexity-bug-summed-over-time": ("the uniform model", "perplexity is wrong", "mean"),
    "perplexity-bug-no-minus-sign": ("the uniform model", "perplexity is wrong", "NEGATIVE"),
    "sample_next-bug-logits-multiplied-by-the-temperature": (
        "temperature 0.5: sharper",
        "softmax(logits * temperature)",
        "logits / temperature",
    ),
    "sample_next-bug-temperature-zero-divides": (
        "temperature 0: the most probable character",
        "most probable character",
        "argmax",
    ),
    "sample_next-bug-global-random-generator": (
        "temperature 1: the model's distribution",
        "same seed",
        "Generator passed in",
    ),
    "lstm_forward-bug-no-forget-gate": (
        "no recurrent weights (W_h = 0)",
        "h is wrong",
        "forget gate",
    ),
    "lstm_forward-bug-recurrent-term-from-the-current-state": (
        "forget gate shut (forget bias -30)",
        "h is wrong",
        "PREVIOUS state",
    ),
    "lstm_forward-bug-state-carried-across-calls": (
        "a second call starts from zero",
        "h is wrong",
        "starts from h_0 = c_0 = 0",
    ),
    "lstm_backward-bug-no-gradient-along-the-cell-state": (
        "gradient only at the last step",
        "dx is wrong",
        "along the cell state",
    ),
    "lstm_backward-bug-forget-gate-term-with-c-t": (
        "one step",
        "dx is wrong",
        "PREVIOUS cell state",
    ),
    "lstm_backward-bug-gradients-overwritten": (
        "accumulates into existing gradients",
        "dW_x is wrong",
        "ADD",
    ),
    "softmax-bug-wrong-axis": ("small batch", "sum to 1 over axis 0", "LAST axis"),
    "softmax-bug-no-max-subtraction": ("large logits", "nan", "subtract each row's maximum"),
    "softmax-bug-subtracts-the-global-maximum": ("rows far apart", "nan", "WHOLE array"),
    "cross_entropy_loss-bug-averaged-over-time-too": ("small batch", "loss is wrong", "SUMS"),
    "cross_entropy_loss-bug-not-divided-by-n": (
        "small batch",
        "loss is wrong",
        "divide the sum by N",
    ),
    "cross_entropy_loss-bug-log10": ("small batch", "loss is wrong", "natural logarithm"),
    "cross_entropy_loss-bug-returns-the-per-step-losses": (
        "small batch",
        "single number",
        "summed",
    ),
    "softmax_cross_entropy_grad-bug-sign-flipped": ("small batch", "dlogits", "probs - onehot"),
    "softmax_cross_entropy_grad-bug-not-divided-by-n": ("small batch", "dlogits", "divide by N"),
    "linear_init-bug-w-of-shape-n-in-n-out": (
        "300 inputs, 200 outputs",
        "self.W has shape",
        "(n_out, n_in)",
    ),
    "linear_init-bug-global-np-random": ("300 inputs, 200 outputs", "same rng seed", "rng"),
    "linear_forward-bug-no-self-x": ("bias only (W = 0)", "self.x", "self.x = x"),
    "linear_forward-bug-w-not-transposed": ("bias only (W = 0)", "raised ValueError", "x @ W.T"),
    "linear_forward-bug-missing-bias-backward-correct": (
        "bias only (W = 0)",
        "y is wrong",
        "add the bias",
    ),
    "linear_backward-bug-dx-with-w-t": ("gradients from zero", "raised ValueError", "dx = dy @ W"),
    "linear_backward-bug-db-from-the-last-step-only": (
        "gradients from zero",
        "db is wrong",
        "time AND batch",
    ),
    "linear_backward-bug-dw-and-db-overwritten-forward-correct": (
        "accumulates into existing gradients",
        "dW is wrong",
        "ADD",
    ),
    "clip_gradients-bug-not-in-place": ("both over the threshold", "dA is wrong", "in place"),
    "clip_gradients-bug-scales-even-under-the-threshold": (
        "under the threshold",
        "dA is wrong",
        "EXCEEDS",
    ),
    "clip_gradients-bug-clips-the-parameters": (
        "both over the threshold",
        "dA is wrong",
        "GRADIENTS",
    ),
    "update_weights-bug-gradient-ascent": ("plain SGD", "A is wrong", "AGAINST"),
    "update_weights-bug-gradients-never-zeroed-clip-correct": ("plain SGD", "dA is wrong", "zero"),
    "update_weights-bug-gradients-zeroed-before-the-step": (
        "plain SGD",
        "A is wrong",
        "step first",
    ),
    "update_weights-bug-update-fun-grad-param-lr": (
        "with an update rule",
        "A is wrong",
        "update_fun(",
    ),
    "rnn_init-bug-glorot-normal-w-hh-for-tanh": (
        "tanh, 300 inputs, 200 hidden",
        "orthogonal",
        "qr",
    ),
    "rnn_init-bug-orthogonal-w-hh-for-relu": ("relu, 300 inputs, 200 hidden", "identity", "np.eye"),
    "rnn_forward-bug-self-hs-without-h-0": (
        "input term only (W_hh = 0, bh = 0)",
        "self.hs has shape",
        "(T+1, N, H)",
    ),
    "rnn_forward-bug-w-hh-not-transposed": (
        "recurrence (W_hx = 0)",
        "h is wrong",
        "hs[t] @ W_hh.T",
    ),
    "rnn_forward-bug-always-tanh": ("relu, full cell", "h is wrong", "self.activation"),
    "rnn_forward-bug-returns-h-0-too": (
        "input term only (W_hh = 0, bh = 0)",
        "h has shape",
        "hs[1:]",
    ),
    "rnn_forward-bug-state-carried-over-between-calls": (
        "a second call starts again from h_0 = 0",
        "self.hs[0] is wrong",
        "zero state",
    ),
    "rnn_forward-bug-states-kept-in-a-list": (
        "input term only (W_hh = 0, bh = 0)",
        "self.hs should be a numpy array, got a list",
        "self.hs of shape (T+1, N, H)",
    ),
    "rnn_forward-bug-hs-from-np-empty": (
        "input term only (W_hh = 0, bh = 0)",
        "self.hs[0] is wrong",
        "np.zeros((T + 1, N, H))",
    ),
    "bptt_tanh-bug-no-tanh-derivative": ("one step", "dx is wrong", "1 - h_t**2"),
    "bptt_tanh-bug-no-recurrent-term-one-step-only": (
        "gradient only at the last step",
        "dx is wrong",
        "flow back through time",
    ),
    "bptt_tanh-bug-w-hh-t-in-the-recurrent-term": (
        "gradient only at the last step",
        "dx is wrong",
        "W_hh^T",
    ),
    "bptt_tanh-bug-sign-error-in-the-recurrent-term": (
        "gradient only at the last step",
        "dx is wrong",
        "ADD",
    ),
    "bptt_tanh-bug-dw-hh-with-h-t-instead-of-h-t-1": ("one step", "dW_hh is wrong", "PREVIOUS"),
    "bptt_tanh-bug-gradients-overwritten-init-and-forward-correct": (
        "accumulates into existing gradients",
        "dW_hx is wrong",
        "ADD",
    ),
    "bptt_relu-bug-no-recurrent-term-one-step-only": (
        "gradient only at the last step",
        "dx is wrong",
        "flow back through time",
    ),
    "bptt_relu-bug-relu-derivative-h-0": ("one step", "dx is wrong", "[h_t > 0]"),
    "spectral_radius-bug-max-real-part": ("diagonal", "rho is wrong", "MODULUS"),
    "spectral_radius-bug-largest-singular-value": ("random 6x6", "rho is wrong", "singular value"),
    "clip_global_norm-bug-returns-the-norm-after-clipping": (
        "over the threshold",
        "norm is wrong",
        "BEFORE clipping",
    ),
    "clip_global_norm-bug-not-in-place": ("over the threshold", "layer0.dP", "in place"),
    "clip_global_norm-bug-squared-norm": ("under the threshold", "norm is wrong", "SQUARE ROOT"),
    "clip_global_norm-bug-per-tensor-clipping": (
        "over the threshold",
        "layer0.dP",
        "EVERY gradient",
    ),
    "run_exploding_grads_test-bug-gradients-not-zeroed": (
        "5 prefixes, no clipping",
        "means",
        "zero every",
    ),
    "run_exploding_grads_test-bug-no-clipping": ("with clipping", "means", "clip_global_norm(net"),
    "run_exploding_grads_test-bug-mean-of-g-instead-of-g": (
        "5 prefixes, no clipping",
        "means",
        "ABSOLUTE",
    ),
    "run_training-bug-update-fun-not-passed": ("with an update rule", "rule", "pass update_fun"),
    "run_training-bug-backward-in-forward-order": (
        "forward and backward only",
        "raised",
        "REVERSE",
    ),
    "run_training-bug-updates-although-update-weights-false": (
        "forward and backward only",
        "update_weights was called 1 times",
        "update_weights",
    ),
    "run_training-bug-clipped-only-when-updating": ("clipped, no update", "layer0.dP", "also when"),
    # issue 16: the messages that pointed at the wrong place
    "cross_entropy_loss-bug-divided-by-t": ("small batch", "loss is wrong", "not by T"),
    "cross_entropy_loss-bug-log-missing": ("small batch", "never be negative", "np.log(p_true)"),
    "rnn_forward-bug-np-max-a-0-for-relu": ("relu, full cell", "h is wrong", "np.maximum(a, 0)"),
    "bptt_tanh-bug-dw-hh-transposed": (
        "gradient only at the last step",
        "dW_hh is wrong",
        "transposed",
    ),
    "bptt_tanh-bug-derivative-applied-to-dh-t-only": (
        "gradient only at the last step",
        "dx is wrong",
        "(dh[t] + dh_next) * f'(a_t)",
    ),
    "bptt_relu-bug-derivative-applied-to-dh-t-only": (
        "gradient only at the last step",
        "dx is wrong",
        "(dh[t] + dh_next) * f'(a_t)",
    ),
    "clip_global_norm-bug-sum-of-per-tensor-norms": (
        "under the threshold",
        "norm is wrong",
        "not the sum of each gradient's norm",
    ),
    "clip_global_norm-bug-layer-clip-gradients": (
        "under the threshold",
        "RuntimeError: your code called layer.clip_gradients",
        "do not call layer.clip_gradients",
    ),
    "run_training-bug-clipped-per-tensor-with-layer-clip-gradients": (
        "with clipping",
        "layer0.updates[0].dP is wrong",
        "clip_global_norm(net, clip_threshold)",
    ),
    "run_training-bug-loss-computed-on-the-logits": (
        "forward and backward only",
        "loss",
        "PROBABILITIES",
    ),
    "run_memory_test-bug-floor-division": (
        "wrong at the 2nd remembered symbol",
        "accuracy is wrong",
        "floor division",
    ),
    "run_memory_test-bug-scores-all-time-steps": (
        "a perfect network",
        "accuracy is wrong",
        "AFTER",
    ),
    "run_memory_test-bug-scores-from-the-delimiter-on": (
        "a perfect network",
        "accuracy",
        "index L",
    ),
    "run_memory_test-bug-rng-ignored": (
        "a perfect network",
        "rng argument",
        "generate_data_memory",
    ),
}


@pytest.mark.parametrize("variant_id", sorted(TYPICAL))
def test_the_message_names_the_case_the_output_and_the_fix(variant_id):
    case, wrong, fix = TYPICAL[variant_id]
    text = variant_message(variant_id)
    found, hint = text.split("\nHint: ", 1)
    assert f", test '{case}': " in found, text
    assert wrong in found, text
    assert fix in hint, text


def test_the_typical_table_covers_every_exercise():
    gaps = missing_typical(REGISTRY, TYPICAL, BUGS)
    assert not gaps, "\n".join(gaps)
    assert set(TYPICAL) <= {v.id for v in BUGS}, set(TYPICAL) - {v.id for v in BUGS}


# ----------------------------------------------------------------- earlier exercises first


NOTEBOOK_1 = """
import numpy as np
from helpers.data import one_hot
from helpers.validation import require_labels

def softmax(logits):
    e = np.exp(logits - logits.max(axis=0, keepdims=True))   # the wrong axis
    return e / e.sum(axis=0, keepdims=True)

def cross_entropy_loss(probs, labels):
    require_labels(labels, probs)
    T, N, V = probs.shape
    return float(-np.log(np.take_along_axis(probs, labels[..., None], axis=-1)).sum() / N)

def softmax_cross_entropy_grad(probs, labels):
    return (probs - one_hot(labels, probs.shape[-1])) / probs.shape[1]
"""

NOTEBOOK_5 = """
from helpers.data import generate_data_memory

def run_forward_pass(net, data, labels):
    out = data
    for layer in net:
        out = layer.forward(out)
    probs = softmax(out)
    return cross_entropy_loss(probs, labels), probs

def run_memory_test(net, to_remember_len, n_vocab, n_sequences=1000, rng=None):
    L = to_remember_len
    data, labels = generate_data_memory(L, n_vocab, n_sequences, rng)
    _, probs = run_forward_pass(net, data, labels)
    return float(np.mean(probs.argmax(axis=-1)[L + 1 :] == labels[L + 1 :]))
"""

NOTEBOOK_4 = """
def clip_global_norm(net, threshold):
    grads = [g for layer in net for _, g, _ in layer.get_params()]
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    for g in grads:
        g *= threshold / norm        # clips even under the threshold
    return norm

def run_exploding_grads_test(net, data, labels, max_seq_len=None, clip_threshold=None):
    T = data.shape[0] if max_seq_len is None else max_seq_len
    means = np.zeros(T)
    for k in range(1, T + 1):
        for layer in net:
            layer.zero_grads()
        out = data[:k]
        for layer in net:
            out = layer.forward(out)
        grad = softmax_cross_entropy_grad(softmax(out), labels[:k])
        for layer in reversed(net):
            grad = layer.backward(grad)
        if clip_threshold is not None:
            clip_global_norm(net, clip_threshold)
        grads = [g.ravel() for layer in net for _, g, _ in layer.get_params()]
        means[k - 1] = np.abs(np.concatenate(grads)).mean()
    return means
"""


def notebook(*sources):
    """A notebook's namespace after running ``sources`` in order (later cells see earlier)."""
    ns = {"__name__": "__main__"}
    for source in sources:
        exec(compile(source, "<cell>", "exec"), ns)
    return ns


def test_a_correct_accuracy_test_names_the_wrong_softmax_first():
    ns = notebook(NOTEBOOK_1.replace("axis=0", "axis=-1"), NOTEBOOK_5)
    assert message("run_memory_test", ns["run_memory_test"]) is None  # all correct: passes
    ns = notebook(NOTEBOOK_1, NOTEBOOK_5)
    text = message("run_memory_test", ns["run_memory_test"])
    assert text.startswith("run_memory_test calls your softmax from 01_building_blocks"), text
    assert "Fix softmax in 01_building_blocks.ipynb first" in text
    assert "AFTER the delimiter" not in text  # no hint about the correct code


def test_a_correct_experiment_names_the_wrong_clipping_first():
    ns = notebook(NOTEBOOK_1.replace("axis=0", "axis=-1"), NOTEBOOK_4)
    text = message("run_exploding_grads_test", ns["run_exploding_grads_test"])
    assert text.startswith(
        "run_exploding_grads_test calls your clip_global_norm from 04_exploding_vanishing"
    ), text


def test_an_earlier_exercise_the_code_does_not_call_is_not_blamed():
    ns = notebook(NOTEBOOK_1.replace("axis=0", "axis=-1"), NOTEBOOK_4)
    ns["spectral_radius"] = lambda W: -1.0  # wrong, but nothing here calls it
    clip = ns["clip_global_norm"]
    text = message("run_exploding_grads_test", ns["run_exploding_grads_test"])
    assert "spectral_radius" not in text
    assert clip is ns["clip_global_norm"]


def test_a_stand_in_from_a_notebook_that_failed_to_load_says_why(tmp_path):
    from helpers.notebooks import import_from_notebook

    ns = notebook(NOTEBOOK_1.replace("axis=0", "axis=-1"), NOTEBOOK_5)
    with contextlib.redirect_stdout(io.StringIO()):  # the loader's warning
        ns["softmax"] = import_from_notebook(
            "01_building_blocks.ipynb", "softmax", directory=str(tmp_path)
        )
    text = message("run_memory_test", ns["run_memory_test"])
    assert "calls your softmax from 01_building_blocks" in text
    assert "softmax from 01_building_blocks.ipynb is not available" in text
    assert "could not be read" in text
