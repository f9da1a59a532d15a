"""Claims that are values the notebooks themselves compute for the student.

Each claim is an expression evaluated in a source notebook's namespace after the whole
notebook ran (with the reference solutions, exactly as students see it with correct
code). The notebooks run in a scratch copy of source/rnn, in a real kernel (nbclient),
so every number the text quotes is one the notebook prints or plots.
"""

import base64
import json
import os
import tempfile

import nbclient
import nbformat

from course.paths import tool_env

CLAIMS = {
    "01_building_blocks": {
        "linear_gradcheck_error": "report.max_error",
        "first_loss": "losses[0]",
        "last_loss": "losses[-1]",
    },
    "02_rnn_forward": {
        "untrained_loss": "loss",
        "influence_orthogonal": "(lambda c: c[-1] / c[0])(influence['orthogonal W_hh'])",
        "influence_glorot": "(lambda c: c[-1] / c[0])(influence['Glorot-normal W_hh'])",
    },
    "03_bptt": {
        "bptt_gradcheck_error": "report.max_error",
        "relu_margin": "np.abs(a).min()",
        "reach_tanh": "reach['tanh']",
        "reach_relu": "reach['relu']",
    },
    "04_exploding_vanishing": {
        "rho_prediction_deviation": "max(deviation.values())",
        "rho_shrink": "ratio[0.9]",
        "rho_grow": "ratio[1.1]",
        "growth_slope": "slopes['no clipping']",
        "clipped_slope": "slopes['clipped to global norm 5.0']",
        "growth_first": "curves['no clipping'][0]",
        "growth_last": "curves['no clipping'][-1]",
        "slider_clipped_max": "shown['clipped to global norm 5'].max()",
        "slider_bound": "shown['bound']",
        "relu_back_49": 'back["ReLU, identity W_hh (the original\'s fix)"][1]',
        "tanh_back_49": (
            "max(back['tanh, Glorot-normal W_hh'][1], back['tanh, orthogonal W_hh'][1])"
        ),
        "orthogonal_back_14": "back['tanh, orthogonal W_hh'][0]",
        "glorot_back_14": "back['tanh, Glorot-normal W_hh'][0]",
        "glorot_squashed": "np.sum(singular['Glorot-normal'] < 0.1)",
        "glorot_stretched": "np.sum(singular['Glorot-normal'] > 1)",
        "glorot_smallest_singular": "singular['Glorot-normal'].min()",
        "glorot_largest_singular": "singular['Glorot-normal'].max()",
        "orthogonal_singular_spread": "np.abs(singular['orthogonal'] - 1).max()",
    },
    "05_memorization": {
        "steps_to_target": "len(history['loss'])",
        "final_accuracy": "accuracy",
        "trial_steps": "len(trial_history['loss'])",
    },
    "06_gated_cells": {
        "lstm_gradcheck_error": "report.max_error",
        "reach_steps": "T",
        "lstm_reach_rnn": "reach['basic tanh cell']",
        "lstm_reach_init": "reach['LSTM, forget bias 1']",
        "lstm_reach_keep": "reach['LSTM, forget bias 3']",
        "lstm_reach_gain": "reach['LSTM, forget bias 1'] / reach['basic tanh cell']",
        "delay_steps": "delay",
        "delay_budget": "budget",
        "delay_lstm_accuracy": "lstm_curve[-1]",
        "delay_rnn_accuracy": "rnn_curve[-1]",
        "gru_gradcheck_error": "gru_report.max_error",
    },
    "07_char_lm": {
        "charlm_length": "len(text)",
        "charlm_vocab": "V",
        "embedding_gradcheck_error": "emb_report.max_error",
        "carried_gradcheck_error": "carried_report.max_error",
        "charlm_untrained": "untrained_perplexity",
        "charlm_steps": "len(losses)",
        "charlm_perplexity": "trained_perplexity",
    },
}

# Figures drawn into widgets (not cell outputs) that the screenshots also need:
# {notebook: {file name: the Figure's variable}}.
WIDGET_FIGURES = {"04_exploding_vanishing": {"clipping-slider": "slider_figure"}}

CLAIMS_BY_NAME = {name: nb for nb, claims in CLAIMS.items() for name in claims}
MARKER = "CLAIMS:"


def claims_code(notebook, claims, figures_dir=None):
    """The code of a cell that, run last in ``notebook``'s kernel, prints {name: value} of
    ``claims`` (see ``printed_claims``) and, with ``figures_dir``, first saves the figures
    drawn into its widgets there."""
    lines = []
    if figures_dir:
        for name, variable in WIDGET_FIGURES.get(notebook, {}).items():
            path = os.path.join(figures_dir, f"{notebook}-{name}.png")
            lines.append(f"{variable}.savefig({path!r}, dpi=90)")
    values = ", ".join(f"{name!r}: float({expression})" for name, expression in claims.items())
    lines += ["import json as _json", f"print({MARKER!r} + _json.dumps({{{values}}}))"]
    return "\n".join(lines)


def printed_claims(outputs):
    """{name: value} from the outputs of the cell ``claims_code`` wrote."""
    for output in outputs or []:
        for line in output.get("text", "").splitlines():
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER) :])
    raise RuntimeError(f"the claims cell printed nothing: {outputs}")


def save_figures(nb, notebook, out_dir):
    """Write every PNG the notebook displayed to <out_dir>/<notebook>-<cell>-<n>.png."""
    os.makedirs(out_dir, exist_ok=True)
    for index, cell in enumerate(nb.cells):
        pngs = [
            o["data"]["image/png"]
            for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        for n, png in enumerate(pngs):
            with open(os.path.join(out_dir, f"{notebook}-cell{index:02d}-{n}.png"), "wb") as f:
                f.write(base64.b64decode(png))


def run(notebook, claims, timeout=600, figures_dir=None):
    """Run <notebook>, built from the current course text, and return {name: value} of
    ``claims`` (and, with ``figures_dir``, save the figures it shows there). The source
    notebooks are built into a scratch folder (draft text: the code cells are what
    matters), so earlier notebooks load from there."""
    from ..build import build_sources

    with tempfile.TemporaryDirectory() as tmp:
        course = os.path.join(tmp, "rnn")
        build_sources(course, draft=True)
        nb = nbformat.read(os.path.join(course, notebook + ".ipynb"), as_version=4)
        if figures_dir:
            os.makedirs(figures_dir, exist_ok=True)
        report = nbformat.v4.new_code_cell(claims_code(notebook, claims, figures_dir))
        nb.cells.append(report)
        client = nbclient.NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": course}}
        )
        client.execute(env=tool_env())
        if figures_dir:
            save_figures(nb, notebook, figures_dir)
        return printed_claims(report.outputs)
