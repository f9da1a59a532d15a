"""Every number and comparison the course text states, computed by the code.

The course text (course/text/*.md, and README.md's rendered parts) never writes a
figure by hand: it names a claim, ``{{ claims.steps_to_target | thousands }}``, and the
build renders it from ``values.json``. Three kinds of claim:

  - notebook claims (notebook_runs.py): an expression evaluated after running a source
    notebook, i.e. the value the notebook itself computes for the student;
  - experiment claims (experiments.py): a function of the reference implementation, for
    what the notebooks do not run (the 2020 original's setting, the explorer's sliders);
  - measured claims: timings the benchmarks write (``make bench``); timings are never
    asserted, only reported.

``python -m authoring.claims`` (``make claims``) recomputes the notebook and experiment
claims and writes values.json. The tests recompute them (the notebook claims in nbval's
run of each source notebook, tests/notebook_claims.py; the experiments in
tests/test_claims_experiments.py) and fail if one drifted beyond its tolerance, or if a
comparison the text makes (``REQUIREMENTS``: "the loss falls", "shrinks at rho = 1.1",
...) no longer holds for the recomputed values.
"""

import math
from dataclasses import dataclass

# Stored values live in claim_values (the build reads them without computing anything).
from ..claim_values import VALUES_FILE, load, record_measured, save, store_claims  # noqa: F401
from . import experiments, notebook_runs


@dataclass(frozen=True)
class Tolerance:
    """How far a recomputed value may be from the stored one (other CPUs round
    differently; a seeded training run can end a few evaluations earlier or later)."""

    rel: float = 0.1
    abs: float = 0.0
    # Or, for tiny positive numbers known only to their order of magnitude: the fresh
    # value within ``factor`` times or 1/``factor`` of the stored one. (A ``rel`` of 1 or
    # more would accept any two values of the same sign.)
    factor: float | None = None

    def accepts(self, stored, fresh):
        if self.factor is not None:
            return (
                stored > 0 and fresh > 0 and abs(math.log(fresh / stored)) <= math.log(self.factor)
            )
        return math.isclose(stored, fresh, rel_tol=self.rel, abs_tol=self.abs)


DEFAULT = Tolerance()
TOLERANCES = {
    "steps_to_target": Tolerance(rel=0.25),
    "trial_steps": Tolerance(rel=0.25),
    "original_accuracy": Tolerance(rel=0, abs=0.03),
    "glorot_steps_to_target": Tolerance(rel=0.25),
    "sgd_accuracy_1500": Tolerance(rel=0, abs=0.05),
    "final_accuracy": Tolerance(rel=0, abs=0.005),
    # Ratios of tiny numbers (1e-12 and the like) vary more between machines.
    "linear_gradcheck_error": Tolerance(factor=100.0),
    "bptt_gradcheck_error": Tolerance(factor=100.0),
    "clipped_slope": Tolerance(rel=0, abs=0.05),
    "lstm_gradcheck_error": Tolerance(factor=100.0),
    "gru_gradcheck_error": Tolerance(factor=100.0),
    "delay_budget": Tolerance(rel=0.25),
    "delay_lstm_accuracy": Tolerance(rel=0, abs=0.01),
    "delay_rnn_accuracy": Tolerance(rel=0, abs=0.05),
    # The embedding is linear in W: its numeric gradient is exact up to rounding (often 0).
    "embedding_gradcheck_error": Tolerance(rel=0, abs=1e-8),
    "carried_gradcheck_error": Tolerance(factor=100.0),
    "charlm_length": Tolerance(rel=0),
    "charlm_vocab": Tolerance(rel=0),
    "charlm_steps": Tolerance(rel=0),
    "charlm_perplexity": Tolerance(rel=0.05),
}

# The comparisons the text makes, checked on freshly computed values: (what the text
# says, a predicate of the values).
REQUIREMENTS = [
    ("the 2020 original reaches less than half", lambda v: v["original_accuracy"] < 0.5),
    ("a correct linear layer gives 1e-8 or below", lambda v: v["linear_gradcheck_error"] <= 1e-8),
    ("the loss falls", lambda v: v["last_loss"] < v["first_loss"]),
    (
        "the untrained loss is near 27 ln 10",
        lambda v: abs(v["untrained_loss"] / (27 * math.log(10)) - 1) < 0.05,
    ),
    (
        "both differences fade",
        lambda v: v["influence_orthogonal"] < 1 and v["influence_glorot"] < 1,
    ),
    ("the orthogonal one keeps more", lambda v: v["influence_orthogonal"] > v["influence_glorot"]),
    ("a correct backward pass gives 1e-7 or less", lambda v: v["bptt_gradcheck_error"] <= 1e-7),
    ("a bug gives something near 1", lambda v: v["bptt_gradcheck_bug_error"] >= 0.1),
    ("pre-activations far from 0, next to h", lambda v: v["relu_margin"] >= 100 * 1e-3),
    ("ReLU reaches further back than tanh", lambda v: v["reach_relu"] > v["reach_tanh"]),
    ("measurement follows rho^k", lambda v: v["rho_prediction_deviation"] < 0.01),
    ("rho = 0.9 shrinks, rho = 1.1 grows", lambda v: v["rho_shrink"] < 1 < v["rho_grow"]),
    ("a power of T: a rising straight line", lambda v: v["growth_slope"] > 1),
    ("clipped: bounded, it does not grow", lambda v: v["clipped_slope"] < 0.1),
    (
        "the length drives the explosion more than the hidden size",
        lambda v: (
            v["slider_length_factor"] > 2 and v["slider_hidden_factor"] < v["slider_length_factor"]
        ),
    ),
    (
        "the clipped curve never crosses the bound",
        lambda v: v["slider_clipped_max"] <= v["slider_bound"],
    ),
    (
        "ReLU + identity passes the gradient back far better",
        lambda v: v["relu_back_49"] > 10 * v["tanh_back_49"],
    ),
    (
        "the two tanh cells' sizes are similar",
        lambda v: 0.5 < v["orthogonal_back_14"] / v["glorot_back_14"] < 2,
    ),
    ("Glorot-normal squashes most directions", lambda v: v["glorot_squashed"] > 25),
    ("and stretches a few", lambda v: 1 <= v["glorot_stretched"] < 25),
    (
        "an orthogonal matrix keeps every direction at length 1",
        lambda v: v["orthogonal_singular_spread"] < 1e-9,
    ),
    ("orthogonal W_hh solves it", lambda v: v["final_accuracy"] >= 0.99),
    (
        "Glorot-normal W_hh needs far more steps",
        lambda v: v["glorot_steps_to_target"] >= 1.5 * v["steps_to_target"],
    ),
    ("Adam reaches 99 % within the 1,500 steps", lambda v: v["trial_steps"] < 1500),
    ("SGD does not", lambda v: v["sgd_accuracy_1500"] < 0.99),
    ("explorer, rho 0.8: below the prediction", lambda v: v["explorer_tanh_08_50"] < 0.8**50),
    (
        "explorer, rho 0.8: the W_hh gradient flattens",
        lambda v: v["explorer_tanh_08_param_gain"] < 0.05,
    ),
    (
        "explorer, relu 1.1: explodes near the prediction",
        lambda v: v["explorer_relu_11"] > 1000 and v["explorer_relu_11_gap"] < 3,
    ),
    ("explorer, tanh 1.0: vanishes", lambda v: v["explorer_tanh_10"] < 0.01),
    ("explorer, tanh 1.1: still shrinks", lambda v: v["explorer_tanh_11"] < 1),
    (
        "explorer, more units saturate less",
        lambda v: v["explorer_tanh_11_h256"] > v["explorer_tanh_11"],
    ),
    ("explorer, tiny inputs: explodes", lambda v: v["explorer_tanh_11_small_inputs"] > 10),
    ("explorer, relu 1.0: within a small factor", lambda v: 0.1 < v["explorer_relu_10"] <= 1),
    (
        "explorer, relu 1.2: above any threshold (the slider ends at 100)",
        lambda v: v["explorer_relu_12_param_min"] > 100,
    ),
    (
        "explorer, tanh 1.0: thresholds 1 to 3 cut some, not all",
        lambda v: v["explorer_tanh_10_param_min"] < 3 and v["explorer_tanh_10_param_max"] > 1,
    ),
    (
        "explorer, relu across 1: vanishing to exploding",
        lambda v: v["explorer_relu_09"] < 1e-3 and v["explorer_relu_11"] > 1000,
    ),
    ("a correct LSTM backward gives 1e-7 or less", lambda v: v["lstm_gradcheck_error"] <= 1e-7),
    (
        "the LSTM at initialisation keeps more than the basic cell",
        lambda v: v["lstm_reach_init"] > v["lstm_reach_rnn"],
    ),
    ("a forget gate near 0.95: no longer fades", lambda v: v["lstm_reach_keep"] >= 1),
    ("the LSTM recalls after the pause", lambda v: v["delay_lstm_accuracy"] >= 0.99),
    ("the basic cell guesses", lambda v: v["delay_rnn_accuracy"] < 0.2),
    ("the given GRU passes the gradient check", lambda v: v["gru_gradcheck_error"] <= 1e-7),
    ("the embedding passes the gradient check", lambda v: v["embedding_gradcheck_error"] <= 1e-8),
    (
        "the carried-state LSTM passes the gradient check",
        lambda v: v["carried_gradcheck_error"] <= 1e-7,
    ),
    (
        "the untrained model is near the uniform one",
        lambda v: 0.8 < v["charlm_untrained"] / v["charlm_vocab"] < 1.25,
    ),
    (
        "training takes the perplexity far below the uniform model's",
        lambda v: v["charlm_perplexity"] < v["charlm_vocab"] / 8,
    ),
]


def compute(only=None, log=print):
    """Recompute the notebook and experiment claims (all, or the names in ``only``)."""
    values = {}
    for notebook, claims in notebook_runs.CLAIMS.items():
        wanted = {k: e for k, e in claims.items() if only is None or k in only}
        if wanted:
            log(f"running {notebook} ...")
            values.update(notebook_runs.run(notebook, wanted))
    for name, fn in experiments.CLAIMS.items():
        if only is None or name in only:
            log(f"computing {name} ...")
            values[name] = float(fn())
    return values


def drifted(stored, fresh):
    """[(name, stored, fresh)] for every claim whose fresh value left its tolerance."""
    return [
        (name, stored.get(name), value)
        for name, value in fresh.items()
        if name not in stored or not TOLERANCES.get(name, DEFAULT).accepts(stored[name], value)
    ]


def broken(values):
    """The requirements (what the text says) that ``values`` do not satisfy."""
    return [text for text, holds in REQUIREMENTS if not holds(values)]
