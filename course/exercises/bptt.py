"""Notebook 3: backpropagation through time, for tanh and for ReLU."""

from course.reference.BasicRNNCell import BasicRNNCell
from helpers.checks.layers import RNNBackward

from .cases import Case, bptt_inputs
from .exercise import Exercise, Mistake

NOTEBOOK = "03_bptt"

DERIVATIVE = {"tanh": "tanh'(a_t) = 1 - h_t**2", "relu": "relu'(a_t) = [h_t > 0]"}


def visible_for(activation):
    d = DERIVATIVE[activation]

    def visible(r):
        def case(name, T, N, hint="", **kw):
            return Case(name, bptt_inputs(r, T, N, 4, 3, activation, **kw), hint)

        return [
            case(
                "one step",
                1,
                2,
                f"with T = 1 there is no recurrence: da = dh * {d}; dW_hx = da^T x; "
                f"dbh = sum of da; dx = da @ W_hx",
            ),
            case(
                "gradient only at the first step",
                4,
                2,
                "a gradient at step 1 must not reach later steps: walk backwards in time",
                only="first",
            ),
            case(
                "gradient only at the last step",
                4,
                2,
                "the gradient must flow back through time: dh_{t-1} receives W_hh^T da_t "
                "(for a batch: da[t] @ W_hh)",
                only="last",
            ),
            case(
                "full sequence",
                5,
                3,
                "at step t, add the gradient from the layer above (dh[t]) and the one flowing "
                f"back from step t+1, then multiply by {d}",
            ),
            case(
                "one sequence",
                6,
                1,
                "six steps: the gradient from step t+1 must reach every earlier step, changed "
                f"only by W_hh^T and by {d}",
            ),
            case(
                "accumulates into existing gradients",
                3,
                2,
                "backward must ADD to self.dW_hx, self.dW_hh and self.dbh (+=)",
                accumulate=True,
            ),
        ]

    return visible


def hidden_for(activation):
    def hidden(r):
        def case(name, T, N, D, H, **kw):
            return Case(name, bptt_inputs(r, T, N, D, H, activation, **kw))

        return [
            case("T=1, N=1", 1, 1, 3, 2),
            case("20 steps, 4 sequences", 20, 4, 5, 6),
            case("last step only, 15 steps", 15, 2, 3, 4, only="last"),
            case("large weights", 6, 3, 4, 4, scale=3.0),
            case("accumulating, one unit", 7, 2, 3, 1, accumulate=True),
        ]

    return hidden


# No hint for dx: every mistake upstream shows there first, and the case's hint (what the
# case isolates) says more than how dx is computed from da.
HINTS = {
    "dW_hx": "dW_hx sums da_t x_t^T over t and n: da.reshape(-1, H).T @ x.reshape(-1, D)",
    "dW_hh": "dW_hh sums da_t h_{t-1}^T over t and n, with the PREVIOUS state h_{t-1}: "
    "da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)",
    "dbh": "dbh sums da_t over t and n: da.sum(axis=(0, 1))",
}


def mistake(message, old, new):
    return Mistake(message, old, new, "backward")


SHARED_MISTAKES = (
    mistake(
        "f'(a_t) multiplies the WHOLE gradient reaching h_t, the one from above AND the one "
        "from step t+1: da[t] = (dh[t] + dh_next) * f'(a_t), not dh[t] * f'(a_t) + dh_next",
        "(dh[t] + dh_next) * dact[t]",
        "dh[t] * dact[t] + dh_next",
    ),
    mistake(
        "dW_hh is transposed: entry (i, j) pairs da_t[i] with h_{t-1}[j], so da comes "
        "first: da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)",
        "da.reshape(-1, H).T @ hs[:-1].reshape(-1, H)",
        "hs[:-1].reshape(-1, H).T @ da.reshape(-1, H)",
    ),
    mistake(
        "the gradient must also flow back through time: h_{t-1} receives W_hh^T da_t "
        "(for a batch: da[t] @ W_hh), added to dh[t-1]",
        "dh_next = da[t] @ self.W_hh",
        "dh_next = 0 * da[t]",
    ),
    mistake(
        "walk BACKWARDS in time, from the last step to the first: the gradient arriving from "
        "step t+1 must be known before step t",
        "reversed(range(T))",
        "range(T)",
    ),
    mistake(
        "going back through W_hh multiplies by W_hh^T, which for a batch (one sequence per "
        "row) is da[t] @ W_hh, not da[t] @ W_hh.T",
        "da[t] @ self.W_hh",
        "da[t] @ self.W_hh.T",
    ),
    mistake(
        "ADD the gradient from the layer above and the one from step t+1: dh[t] + dh_next",
        "(dh[t] + dh_next)",
        "(dh[t] - dh_next)",
    ),
    mistake(
        "dW_hh sums da_t h_{t-1}^T: use the PREVIOUS states, hs[:-1] for all steps at once",
        "hs[:-1].reshape(-1, H)",
        "hs[1:].reshape(-1, H)",
    ),
    Mistake(
        "backward must ADD to self.dW_hx, self.dW_hh and self.dbh (+=): gradients "
        "accumulate until the update step uses them",
        " +=",
        " =",
        "backward",
        count=3,
    ),
    mistake(
        "dx_t = W_hx^T da_t, which for the batch is da @ W_hx",
        "return da @ self.W_hx",
        "return da @ self.W_hx.T",
    ),
)


def derivative_mistakes(activation):
    """Typical mistakes with f'(a_t), as the reference writes it for ``activation``."""
    code = {"tanh": "1.0 - hs[1:] ** 2", "relu": "(hs[1:] > 0).astype(float)"}[activation]
    why = {
        "tanh": "written with the h_t that forward stored",
        "relu": "no gradient flows through a unit that is off",
    }[activation]
    return (
        mistake(
            f"multiply by {DERIVATIVE[activation]}: {why}",
            f"dact = {code}",
            "dact = np.ones_like(hs[1:])",
        ),
        mistake(
            f"{DERIVATIVE[activation]} uses h_t = hs[t + 1] (hs[0] is h_0): for all steps, hs[1:]",
            f"dact = {code}",
            f"dact = {code.replace('hs[1:]', 'hs[:-1]')}",
        ),
    )


def backward_exercise(activation, title, points, seed):
    """backward for one activation: the same runner, hints and shared mistakes."""
    return Exercise(
        id=f"bptt_{activation}",
        title=f"BasicRNNCell.backward ({title})",
        points=points,
        subject="BasicRNNCell",
        reference=BasicRNNCell,
        runner=RNNBackward(),
        seed=seed,
        visible=visible_for(activation),
        hidden=hidden_for(activation),
        hints=HINTS,
        mistakes=(*derivative_mistakes(activation), *SHARED_MISTAKES),
    )


bptt_tanh = backward_exercise("tanh", "tanh", points=4, seed=301)
bptt_relu = backward_exercise("relu", "ReLU", points=2, seed=302)

# this notebook's exercises, in order (the package collects them into EXERCISES)
DECLARED = [bptt_tanh, bptt_relu]
