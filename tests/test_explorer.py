"""The gradient explorer (helpers/explorer.py): its measurements and its widget, no browser."""

import ast
import inspect
import warnings

import numpy as np
import pytest

import helpers.explorer as explorer
from helpers.explorer import GradientExplorer, measure

SMALL = dict(hidden_size=16, seq_len=30, vocab_size=5)


# --- measure(): the numbers -------------------------------------------------------------------


def test_measure_returns_one_value_per_step_back():
    m = measure(24, 40, 6, 0.9, "tanh", threshold=1.0)
    np.testing.assert_array_equal(m["steps"], np.arange(40))
    for key in ("hidden_grad_norm", "predicted", "param_grad_norm", "param_grad_norm_clipped"):
        assert m[key].shape == (40,), key
        assert np.all(np.isfinite(m[key])), key
    assert measure(24, 40, 6, 0.9, "tanh")["param_grad_norm_clipped"] is None
    # dL/dh_T = u / N for each of the N sequences, with u a unit vector.
    assert m["hidden_grad_norm"][0] == pytest.approx(1 / np.sqrt(4), rel=1e-12)
    assert m["predicted"][0] == m["hidden_grad_norm"][0]


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("rho", [0.5, 0.93, 1.0, 1.27])
def test_rho_is_the_computed_spectral_radius_of_w_hh(activation, rho):
    _, W_hh, rho_actual = explorer._weights(32, 5, rho, activation, seed=3)
    assert measure(32, 5, 5, rho, activation, seed=3)["rho"] == rho_actual
    assert rho_actual == pytest.approx(np.abs(np.linalg.eigvals(W_hh)).max(), rel=1e-12)
    assert rho_actual == pytest.approx(rho, rel=1e-12)
    # tanh: rho * orthogonal, so every singular value is rho too.
    np.testing.assert_allclose(np.linalg.svd(W_hh, compute_uv=False), rho, rtol=1e-12)


@pytest.mark.parametrize("rho", [0.8, 0.97, 1.0, 1.05, 1.2])
def test_relu_identity_with_every_unit_active_follows_rho_to_the_k_exactly(rho):
    # bias 1 > every |W_hx| entry (input_scale 0.1): every pre-activation is positive, so
    # f' = 1 and each step back multiplies the gradient by W_hh^T = rho I, nothing else.
    m = measure(32, 60, 8, rho, "relu", bias=1.0, input_scale=0.1)
    k = np.array([1, 5, 20, 59])
    ratio = m["hidden_grad_norm"][k] / m["hidden_grad_norm"][0]
    np.testing.assert_allclose(ratio, rho**k, rtol=1e-9)
    np.testing.assert_allclose(m["hidden_grad_norm"], m["predicted"], rtol=1e-9)


@pytest.mark.parametrize("rho", [0.9, 1.0, 1.1])
def test_tanh_in_its_linear_regime_follows_rho_to_the_k(rho):
    # Tiny inputs keep |h| < 1e-4 even where rho > 1 amplifies them, so
    # tanh'(a) = 1 - h^2 ~ 1 and each step back multiplies by (rho Q)^T, Q orthogonal.
    m = measure(32, 60, 8, rho, "tanh", input_scale=1e-8)
    k = np.array([1, 10, 40, 59])
    ratio = m["hidden_grad_norm"][k] / m["hidden_grad_norm"][0]
    np.testing.assert_allclose(ratio, rho**k, rtol=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("rho", [0.8, 1.0, 1.2])
def test_measured_never_exceeds_the_prediction(activation, rho):
    # W_hh = rho * (orthogonal or identity) and |f'| <= 1: each step back multiplies the
    # norm by rho at most, so the linear prediction is an upper bound.
    m = measure(32, 80, 8, rho, activation)
    assert np.all(m["hidden_grad_norm"] <= m["predicted"] * (1 + 1e-10))


def test_saturated_tanh_falls_below_the_linear_prediction():
    m = measure(64, 100, 10, 1.0, "tanh")  # the explorer's defaults
    assert m["hidden_grad_norm"][-1] < 1e-2 * m["predicted"][-1]


@pytest.mark.parametrize(
    "activation, kwargs", [("tanh", {}), ("relu", {}), ("tanh", {"input_scale": 1e-4})]
)
def test_rho_below_one_vanishes(activation, kwargs):
    h = measure(32, 100, 8, 0.7, activation, **kwargs)["hidden_grad_norm"]
    assert h[-1] < 1e-10 * h[0]
    assert np.all(np.diff(h) <= 0)


@pytest.mark.parametrize(
    "activation, kwargs", [("relu", {}), ("relu", {"bias": 1.0}), ("tanh", {"input_scale": 1e-8})]
)
def test_rho_above_one_explodes(activation, kwargs):
    m = measure(32, 60, 8, 1.3, activation, **kwargs)
    assert m["hidden_grad_norm"][-1] > 1e5 * m["hidden_grad_norm"][0]
    assert m["param_grad_norm"][-1] > 10 * m["param_grad_norm"][0]


def test_param_grad_norm_at_the_last_k_is_the_full_bptt_gradient_of_w_hh():
    # Independent check against the course's reference cell: same weights, same loss.
    from course.reference import BasicRNNCell
    from helpers.data import one_hot

    H, T, V, N, rho, seed = 12, 25, 5, 4, 1.1, 7
    W_hx, W_hh, _ = explorer._weights(H, V, rho, "tanh", seed)
    symbols = explorer._symbols(T, N, V, seed)
    u = explorer._readout(H, seed)
    cell = BasicRNNCell(V, H, "tanh", rng=np.random.default_rng(0))
    cell.W_hx, cell.W_hh = W_hx.copy(), W_hh.copy()
    h = cell.forward(one_hot(symbols, V))
    dh = np.zeros_like(h)
    dh[-1] = u / N  # L = mean_n <u, h_T[n]>
    cell.backward(dh)

    m = measure(H, T, V, rho, "tanh", seed=seed, batch_size=N)
    assert m["loss"] == pytest.approx(np.mean(h[-1] @ u), rel=1e-12)
    assert m["param_grad_norm"][-1] == pytest.approx(np.linalg.norm(cell.dW_hh), rel=1e-10)


def test_clipping_caps_at_the_threshold_and_leaves_smaller_norms_alone():
    raw = measure(**SMALL, rho=1.2, activation="relu")["param_grad_norm"]
    threshold = float(np.median(raw))
    assert raw.min() < threshold < raw.max()
    clipped = measure(**SMALL, rho=1.2, activation="relu", threshold=threshold)
    np.testing.assert_array_equal(clipped["param_grad_norm"], raw)  # the raw norm is kept
    c = clipped["param_grad_norm_clipped"]
    assert np.all(c <= threshold)
    np.testing.assert_array_equal(c[raw <= threshold], raw[raw <= threshold])
    np.testing.assert_array_equal(c[raw > threshold], threshold)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = measure(**SMALL, rho=1.0, activation="tanh", threshold=0.5, seed=4)
    b = measure(**SMALL, rho=1.0, activation="tanh", threshold=0.5, seed=4)
    c = measure(**SMALL, rho=1.0, activation="tanh", threshold=0.5, seed=5)
    for key in ("hidden_grad_norm", "predicted", "param_grad_norm", "param_grad_norm_clipped"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a["hidden_grad_norm"], c["hidden_grad_norm"])


def test_moving_rho_rescales_the_same_recurrent_matrix():
    # Independent random streams: rho changes W_hh's scale, nothing else.
    W_hx_a, W_hh_a, _ = explorer._weights(16, 5, 0.9, "tanh", seed=0)
    W_hx_b, W_hh_b, _ = explorer._weights(16, 5, 1.1, "tanh", seed=0)
    np.testing.assert_array_equal(W_hx_a, W_hx_b)
    np.testing.assert_allclose(W_hh_a / 0.9, W_hh_b / 1.1, rtol=1e-14)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(hidden_size=0), "hidden_size"),
        (dict(seq_len=1), "seq_len"),
        (dict(vocab_size=1), "vocab_size"),
        (dict(rho=0.0), "rho"),
        (dict(rho=-1.0), "rho"),
        (dict(rho=float("nan")), "rho"),
        (dict(activation="sigmoid"), "activation"),
        (dict(threshold=0.0), "threshold"),
        (dict(hidden_size=2.5), "hidden_size"),
        (dict(batch_size=0), "batch_size"),
        (dict(seed=-1), "seed"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    args = dict(SMALL, rho=1.0, activation="tanh") | kwargs
    with pytest.raises(ValueError, match=match):
        measure(**args)
    if "batch_size" not in kwargs:  # the explorer has no batch_size argument
        with pytest.raises(ValueError, match=match):
            GradientExplorer(**args)


def test_extreme_settings_stay_warning_free():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for activation in ("tanh", "relu"):
            for rho in (0.5, 1.5):
                m = measure(32, 400, 10, rho, activation, threshold=0.1)
                assert np.all(np.isfinite(m["param_grad_norm"]))
        gx = GradientExplorer(hidden_size=8, seq_len=400, rho=0.5, activation="relu", clip=True)
        gx.controls["rho"].value = 1.5
        gx.controls["rho"].value = 100.0  # far outside the slider: clamped to its max
        assert gx.last["rho"] == pytest.approx(1.5)


# --- the widget ---------------------------------------------------------------------------------


@pytest.fixture
def gx():
    return GradientExplorer(**SMALL)


def test_moving_a_slider_redraws_and_moving_it_back_restores_the_plot(gx):
    before = bytes(gx.image.value)
    assert before.startswith(b"\x89PNG") and gx.image.format == "png"
    for name, other in [
        ("rho", 1.23),
        ("hidden_size", 20),
        ("seq_len", 12),
        ("vocab_size", 7),
        ("activation", "relu"),
    ]:
        control = gx.controls[name]
        original = control.value
        control.value = other
        assert gx.image.value != before, name
        control.value = original
        assert gx.image.value == before, name


def test_clipping_controls_redraw_without_remeasuring(gx):
    raw = gx._raw
    before = gx.image.value
    gx.controls["clip"].value = True
    assert gx._raw is raw
    assert gx.image.value != before
    assert gx.last["threshold"] == 5.0
    np.testing.assert_array_equal(
        gx.last["param_grad_norm_clipped"], np.minimum(raw["param_grad_norm"], 5.0)
    )
    with_clip = gx.image.value
    gx.controls["threshold"].value = 0.5
    assert gx.image.value != with_clip
    assert np.all(gx.last["param_grad_norm_clipped"] <= 0.5)
    gx.controls["threshold"].value = 5.0
    assert gx.image.value == with_clip
    gx.controls["clip"].value = False
    assert gx.image.value == before
    assert gx.last["param_grad_norm_clipped"] is None


def test_last_matches_measure_and_update_is_repeatable(gx):
    gx.controls["rho"].value = 0.8
    m = measure(**SMALL, rho=0.8, activation="tanh")
    np.testing.assert_array_equal(gx.last["hidden_grad_norm"], m["hidden_grad_norm"])
    png, image = gx.image.value, gx.image
    gx.update()
    assert gx.image is image and gx.image.value == png


def test_one_figure_and_one_image_for_the_whole_session(gx):
    figure, lines, image = gx.figure, dict(gx.lines), gx.image
    gx.controls["rho"].value = 1.1
    gx.controls["clip"].value = True
    assert gx.figure is figure and gx.image is image
    assert all(gx.lines[name] is line for name, line in lines.items())
    assert len(gx.figure.axes) == 1


def test_dom_hooks_for_the_browser_tests(gx):
    assert "rnn-explorer" in gx.widget._dom_classes
    assert "rnn-explorer-plot" in gx.image._dom_classes
    descriptions = {
        "hidden_size": "hidden size",
        "seq_len": "sequence length",
        "vocab_size": "vocabulary size",
        "rho": "spectral radius",
        "threshold": "clip threshold",
        "activation": "activation",
        "clip": "clipping",
    }
    for name, text in descriptions.items():
        control = gx.controls[name]
        assert control.description == text
        assert "rnn-explorer-" + text.replace(" ", "-") in control._dom_classes

    # The image and every control are inside the top-level container.
    def children(w):
        yield w
        for c in getattr(w, "children", ()):
            yield from children(c)

    inside = list(children(gx.widget))
    assert any(w is gx.image for w in inside)
    assert all(any(w is c for w in inside) for c in gx.controls.values())


def test_constructor_values_reach_the_controls():
    gx = GradientExplorer(
        hidden_size=10,
        seq_len=8,
        vocab_size=4,
        rho=0.7,
        activation="relu",
        clip=True,
        threshold=2.0,
        seed=1,
        input_scale=0.01,
    )
    values = {name: c.value for name, c in gx.controls.items()}
    assert values == pytest.approx(
        dict(
            hidden_size=10,
            seq_len=8,
            vocab_size=4,
            rho=0.7,
            activation="relu",
            clip=True,
            threshold=2.0,
            input_scale=0.01,
        )
    )
    assert gx.last["threshold"] == 2.0
    assert gx.last["rho"] == pytest.approx(0.7)


def test_input_scale_slider_puts_tanh_in_its_linear_regime():
    gx = GradientExplorer(hidden_size=32, seq_len=30, rho=1.1)
    saturated = gx.last["hidden_grad_norm"][-1]
    gx.controls["input_scale"].value = 0.001
    m = gx.last
    assert m["hidden_grad_norm"][-1] > 100 * saturated
    np.testing.assert_allclose(m["hidden_grad_norm"], m["predicted"], rtol=1e-2)


def test_notebook_display_hooks(gx):
    bundle = gx._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == gx.widget.model_id


# --- not a solution module ----------------------------------------------------------------------


def test_module_holds_no_exercise_solution():
    for name in ("softmax", "cross_entropy_loss", "LinearLayer", "BasicRNNCell"):
        assert not hasattr(explorer, name), name
    tree = ast.parse(inspect.getsource(explorer))
    defined = {
        node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))
    }
    assert not defined & {
        "softmax",
        "cross_entropy_loss",
        "softmax_cross_entropy_grad",
        "LinearLayer",
        "BasicRNNCell",
        "backward",
        "forward",
    }
    assert set(explorer.__all__) == {"GradientExplorer", "measure"}
