"""Notebook 5: one training step over a list of layers, and the memorization accuracy."""

from course.reference import test, train
from helpers.checks.drivers import MemoryAccuracy, TrainingStep

from .cases import Case, scripted_net, sequences
from .exercise import Exercise, Mistake

NOTEBOOK = "05_memorization"


def training_case(r, name, T, N, hint="", D=4, H=3, V=5, **settings):
    inputs = dict(scripted_net(r, D, H, V), **sequences(r, T, N, D, V))
    return Case(name, dict(inputs, **settings), hint)


def training_visible(r):
    sgd = {"rule": "sgd", "learning_rate": 0.1}
    return [
        training_case(
            r,
            "forward and backward only",
            4,
            2,
            "forward through net in order, softmax, cross-entropy; the loss gradient backward "
            "through reversed(net); with update_weights=False no layer may be updated",
            clip_threshold=None,
            update_weights=False,
            **sgd,
        ),
        training_case(
            r,
            "one SGD step",
            4,
            2,
            "after backward, call layer.update_weights(learning_rate, update_fun) on every "
            "layer; return the loss computed BEFORE the update",
            clip_threshold=None,
            update_weights=True,
            **sgd,
        ),
        training_case(
            r,
            "with clipping",
            4,
            2,
            "clip with clip_global_norm(net, clip_threshold) after the whole backward pass "
            "and before the updates",
            clip_threshold=0.5,
            update_weights=True,
            **sgd,
        ),
        training_case(
            r,
            "clipped, no update",
            4,
            2,
            "clip whenever clip_threshold is set, also when update_weights is False",
            clip_threshold=0.3,
            update_weights=False,
            **sgd,
        ),
        training_case(
            r,
            "with an update rule",
            3,
            3,
            "pass update_fun on to update_weights",
            learning_rate=0.05,
            clip_threshold=5.0,
            update_weights=True,
            rule="scaled",
        ),
    ]


def training_hidden(r):
    def case(name, T, N, **settings):
        return training_case(r, name, T, N, D=3, H=4, V=6, **settings)

    return [
        case(
            "T=1, N=1, SGD",
            1,
            1,
            learning_rate=0.2,
            clip_threshold=None,
            update_weights=True,
            rule="sgd",
        ),
        case(
            "long sequence, clipped",
            15,
            3,
            learning_rate=0.01,
            clip_threshold=0.2,
            update_weights=True,
            rule="sgd",
        ),
        case(
            "no update, clipped",
            5,
            2,
            learning_rate=0.5,
            clip_threshold=0.05,
            update_weights=False,
            rule="sgd",
        ),
        case(
            "update rule, no clipping",
            4,
            4,
            learning_rate=0.1,
            clip_threshold=None,
            update_weights=True,
            rule="scaled",
        ),
    ]


run_training = Exercise(
    id="run_training",
    title="run_training",
    points=3,
    subject="run_training",
    reference=train.run_training,
    runner=TrainingStep(),
    seed=501,
    visible=training_visible,
    hidden=training_hidden,
    hints={
        "forward_inputs": "forward through the layers in order, each one's output the next "
        "one's input",
        "backward_inputs": "backward through reversed(net), starting from "
        "softmax_cross_entropy_grad(probs, labels); each backward returns the next one's "
        "input",
        "updates": "after the whole backward pass (and clipping), call "
        "layer.update_weights(learning_rate, update_fun) on every layer",
        "loss": "return the loss of this batch, computed BEFORE the update, as a float",
    },
    mistakes=(
        Mistake(
            "with clip_threshold set, clip with clip_global_norm(net, clip_threshold) after "
            "the whole backward pass, before the updates",
            "clip_global_norm(net, clip_threshold)",
            "pass",
        ),
        Mistake(
            "the loss is the cross-entropy of the PROBABILITIES: cross_entropy_loss(probs, "
            "labels) with probs = softmax(out), not of the logits out",
            "cross_entropy_loss(probs, labels)",
            "cross_entropy_loss(out, labels)",
        ),
        Mistake(
            "pass update_fun on: layer.update_weights(learning_rate, update_fun)",
            "layer.update_weights(learning_rate, update_fun)",
            "layer.update_weights(learning_rate)",
        ),
        Mistake(
            "the forward pass goes through the layers in order, first to last",
            "for layer in net:  # forward",
            "for layer in reversed(net):  # forward",
        ),
        Mistake(
            "the backward pass goes through the layers in REVERSE order: reversed(net)",
            "for layer in reversed(net):  # backward",
            "for layer in net:  # backward",
        ),
    ),
)


def memory_visible(r):
    return [
        Case(
            "a perfect network",
            {
                "L": 4,
                "V": 6,
                "n_sequences": 10,
                "seed": 1,
                "wrong_positions": [],
                "wrong_before": True,
            },
            "run the network on generate_data_memory(L, V, n_sequences, rng), take the most "
            "probable symbol at every step (argmax over the last axis), and score only the L "
            "outputs AFTER the delimiter ([L + 1 :]; the first L + 1 do not count)",
        ),
        Case(
            "wrong at the 2nd remembered symbol",
            {
                "L": 4,
                "V": 6,
                "n_sequences": 10,
                "seed": 2,
                "wrong_positions": [2],
                "wrong_before": False,
            },
            "accuracy = mean over all sequences and all L positions of (argmax of the output "
            "== label)",
        ),
        Case(
            "the original's task size",
            {
                "L": 13,
                "V": 10,
                "n_sequences": 50,
                "seed": 3,
                "wrong_positions": [1, 13],
                "wrong_before": True,
            },
        ),
    ]


def memory_hidden(r):
    def case(name, L, V, n, wrong, before=True):
        return Case(
            name,
            {
                "L": L,
                "V": V,
                "n_sequences": n,
                "seed": int(r.integers(1e6)),
                "wrong_positions": wrong,
                "wrong_before": before,
            },
        )

    return [
        case("L=1, V=3", 1, 3, 7, []),
        case("L=1, always wrong", 1, 4, 5, [1]),
        case("L=6, three wrong", 6, 5, 40, [1, 3, 6]),
        case("L=13, last wrong, one sequence", 13, 10, 1, [13], before=False),
        case("L=9, large test", 9, 12, 300, [5]),
    ]


run_memory_test = Exercise(
    id="run_memory_test",
    title="run_memory_test",
    points=2,
    subject="run_memory_test",
    reference=test.run_memory_test,
    runner=MemoryAccuracy(),
    seed=0,
    visible=memory_visible,
    hidden=memory_hidden,
    hints={
        "sequences_seen": "draw exactly n_sequences test sequences, with the rng you are given",
        "rng": "the same rng must give the same test: pass it on to generate_data_memory",
    },
    mistakes=(
        Mistake(
            "score only the L outputs AFTER the delimiter: predictions[L + 1:] (the blanks "
            "before it are easy and would inflate the score)",
            "predictions[L + 1 :] == labels[L + 1 :]",
            "predictions == labels",
        ),
        Mistake(
            "// is floor division (30 // 40 is 0): divide with / or take np.mean of the comparison",
            "np.mean(predictions[L + 1 :] == labels[L + 1 :])",
            "np.sum(predictions[L + 1 :] == labels[L + 1 :]) // labels[L + 1 :].size",
        ),
        Mistake(
            "the delimiter is at index L: the repeated symbols are the outputs [L + 1:]",
            "predictions[L + 1 :] == labels[L + 1 :]",
            "predictions[L:] == labels[L:]",
        ),
        Mistake(
            "take the most probable symbol over the vocabulary, the LAST axis: "
            "probs.argmax(axis=-1)",
            "probs.argmax(axis=-1)",
            "probs.argmax(axis=0)",
        ),
    ),
)


# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [run_training, run_memory_test]
