"""Clipping invariants, per tensor (Layer.clip_gradients) and by global norm."""

import numpy as np
import pytest

from course.reference import LinearLayer, clip_global_norm


def layer_with_grads(rng, scale):
    layer = LinearLayer(4, 3, rng=rng)
    layer.dW[...] = rng.normal(size=layer.dW.shape) * scale
    layer.db[...] = rng.normal(size=layer.db.shape) * scale
    return layer


def global_norm(net):
    return np.sqrt(sum(np.sum(g * g) for layer in net for _, g, _ in layer.get_params()))


@pytest.mark.parametrize("scale", [1e-3, 0.5])
def test_global_norm_under_threshold_leaves_gradients_unchanged(scale):
    rng = np.random.default_rng(0)
    net = [layer_with_grads(rng, scale), layer_with_grads(rng, scale)]
    before = [g.copy() for layer in net for _, g, _ in layer.get_params()]
    norm = clip_global_norm(net, threshold=5.0)
    assert norm == pytest.approx(np.sqrt(sum(np.sum(b * b) for b in before)), rel=1e-12)
    after = [g for layer in net for _, g, _ in layer.get_params()]
    for b, a in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def test_global_norm_over_threshold_rescales_to_threshold_and_keeps_direction():
    rng = np.random.default_rng(1)
    net = [layer_with_grads(rng, 10.0), layer_with_grads(rng, 0.1)]
    before = np.concatenate([g.ravel().copy() for layer in net for _, g, _ in layer.get_params()])
    norm = clip_global_norm(net, threshold=2.0)
    after = np.concatenate([g.ravel() for layer in net for _, g, _ in layer.get_params()])
    assert norm == pytest.approx(np.linalg.norm(before), rel=1e-12)
    assert np.linalg.norm(after) == pytest.approx(2.0, rel=1e-12)
    cosine = after @ before / (np.linalg.norm(after) * np.linalg.norm(before))
    assert cosine == pytest.approx(1.0, abs=1e-12)
    # Same factor for every tensor: the small second layer is scaled like the big first one.
    np.testing.assert_allclose(after, before * 2.0 / np.linalg.norm(before), rtol=1e-12)


def test_zero_gradient_stays_zero_and_finite():
    rng = np.random.default_rng(2)
    net = [layer_with_grads(rng, 0.0)]
    assert clip_global_norm(net, threshold=1.0) == 0.0
    for _, g, _ in net[0].get_params():
        assert np.all(g == 0.0)
    net[0].clip_gradients(1.0)
    for _, g, _ in net[0].get_params():
        assert np.all(g == 0.0)


def test_per_tensor_clipping_bounds_each_tensor_separately():
    rng = np.random.default_rng(3)
    layer = layer_with_grads(rng, 10.0)
    layer.db[...] = [0.1, 0.0, -0.1]  # under the threshold: must not change
    dW, db = layer.dW.copy(), layer.db.copy()
    layer.clip_gradients(threshold=1.5)
    assert np.linalg.norm(layer.dW) == pytest.approx(1.5, rel=1e-12)
    np.testing.assert_allclose(layer.dW, dW * 1.5 / np.linalg.norm(dW), rtol=1e-12)
    np.testing.assert_array_equal(layer.db, db)


def test_clipping_exactly_at_threshold_is_unchanged():
    rng = np.random.default_rng(4)
    net = [layer_with_grads(rng, 1.0)]
    norm = global_norm(net)
    before = [g.copy() for _, g, _ in net[0].get_params()]
    clip_global_norm(net, threshold=norm)
    for b, (_, g, _) in zip(before, net[0].get_params(), strict=True):
        np.testing.assert_allclose(g, b, rtol=1e-15)
