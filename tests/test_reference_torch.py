"""Forward pass and BPTT of the reference against torch autograd, with the same weights.

Skipped when PyTorch is not importable (it is not a course dependency).
"""

import numpy as np
import pytest

from course.reference import BasicRNNCell, LinearLayer, softmax_cross_entropy_grad
from course.reference.common import cross_entropy_loss, softmax
from helpers.data import generate_data_memory

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("T,N", [(1, 1), (27, 7)])
def test_forward_and_bptt_match_torch(activation, T, N):
    rng = np.random.default_rng(T + N)
    V, H = 10, 12
    cell, out = BasicRNNCell(V, H, activation, rng=rng), LinearLayer(H, V, rng=rng)
    cell.bh, out.b = rng.normal(0, 0.3, H), rng.normal(0, 0.3, V)
    if activation == "relu":
        cell.W_hh = 0.9 * cell.W_hh + rng.normal(0, 0.05, (H, H))
    data, labels = generate_data_memory((T - 1) // 2 or 1, V, N, rng)
    data, labels = data[:T], labels[:T]

    rnn = torch.nn.RNN(V, H, nonlinearity=activation).double()
    lin = torch.nn.Linear(H, V).double()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(cell.W_hx))
        rnn.weight_hh_l0.copy_(torch.from_numpy(cell.W_hh))
        rnn.bias_ih_l0.copy_(torch.from_numpy(cell.bh))
        rnn.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(out.W))
        lin.bias.copy_(torch.from_numpy(out.b))
    x = torch.from_numpy(data).requires_grad_(True)
    h_torch, _ = rnn(x)
    logits = lin(h_torch)
    loss_torch = (
        torch.nn.functional.cross_entropy(
            logits.reshape(-1, V), torch.from_numpy(labels).reshape(-1), reduction="sum"
        )
        / N
    )
    loss_torch.backward()

    h = cell.forward(data)
    probs = softmax(out.forward(h))
    loss = cross_entropy_loss(probs, labels)
    dx = cell.backward(out.backward(softmax_cross_entropy_grad(probs, labels)))

    np.testing.assert_allclose(h, h_torch.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert loss == pytest.approx(loss_torch.item(), rel=1e-10)
    for ours, theirs in [
        (cell.dW_hx, rnn.weight_ih_l0.grad),
        (cell.dW_hh, rnn.weight_hh_l0.grad),
        (cell.dbh, rnn.bias_ih_l0.grad),
        (out.dW, lin.weight.grad),
        (out.db, lin.bias.grad),
        (dx, x.grad),
    ]:
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-9, atol=1e-12)
