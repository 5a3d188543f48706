"""The GRU's and Elman RNN's hand-written backward (``_networks/own_backward.py``) against autograd."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sklearn_rnn import RNNClassifier
from sklearn_rnn._networks import own_backward
from sklearn_rnn._networks.recurrent import RecurrentNet

FUNCTIONS = {"gru": own_backward.GRUFunction, "rnn": own_backward.ElmanFunction}
TORCH_LAYERS = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN}
NODES = {"gru": "GRUFunctionBackward", "rnn": "ElmanFunctionBackward"}


def _graph_names(tensor: torch.Tensor) -> set[str]:
    """Names of the autograd nodes behind ``tensor``."""
    seen, stack, names = set(), [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names


def _torch_only(monkeypatch):
    """Every cell through torch's own layers and autograd."""
    monkeypatch.setattr(own_backward, "MAX_BATCH_X_HIDDEN", {})


@pytest.mark.parametrize("cell", ["gru", "rnn"])
@pytest.mark.parametrize("block_floats", [own_backward.BLOCK_FLOATS, 1, 200])
def test_gradients_pass_gradcheck_in_one_block_and_in_many(monkeypatch, cell, block_floats):
    """Numerical against analytical gradients for the input, initial state and every weight."""
    monkeypatch.setattr(own_backward, "BLOCK_FLOATS", block_floats)  # 1: a block per step; 200: a few steps
    layer = TORCH_LAYERS[cell](3, 5, dtype=torch.float64)
    weights = [p.detach().requires_grad_() for p in layer.parameters()]
    X = torch.randn(2, 13, 3, dtype=torch.float64, requires_grad=True)  # batch first
    h0 = torch.randn(2, 5, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(FUNCTIONS[cell].apply, (X, h0, *weights))


@pytest.mark.parametrize("cell", ["gru", "rnn"])
@pytest.mark.parametrize("block_floats", [own_backward.BLOCK_FLOATS, 1])
def test_outputs_equal_torch_layers_and_gradients_match_autograd(monkeypatch, cell, block_floats):
    monkeypatch.setattr(own_backward, "BLOCK_FLOATS", block_floats)
    torch.manual_seed(0)
    layer = TORCH_LAYERS[cell](4, 6, batch_first=True)
    X = torch.randn(7, 30, 4, requires_grad=True)
    h0 = torch.zeros(7, 6)
    weights = list(layer.parameters())
    results = []
    for run in (lambda: layer(X)[0], lambda: own_backward.one_way_layer(cell, X, h0, weights)):
        out = run()
        loss = out.sin().sum() + out[:, -1].square().sum()  # a gradient at every step, more at the last
        results.append((out.detach(), torch.autograd.grad(loss, [X, *weights])))
    (expected, expected_grads), (got, got_grads) = results
    torch.testing.assert_close(got, expected, rtol=0, atol=0)
    for g, e in zip(got_grads, expected_grads, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("pooling", ["last", "mean", "attention"])
@pytest.mark.parametrize("ragged", [False, True])
def test_recurrent_net_trains_the_same_through_either_backward(
    monkeypatch, cell, bidirectional, num_layers, pooling, ragged
):
    """Every direction, depth, pooling, equal and ragged lengths: same outputs, gradients to rounding."""
    torch.manual_seed(0)
    module = RecurrentNet(
        3, 4, cell=cell, hidden_size=8, num_layers=num_layers, bidirectional=bidirectional,
        pooling=pooling, architecture="rnn",
    )  # fmt: skip
    X = torch.randn(6, 17, 3)
    lengths = torch.tensor([17, 3, 9, 17, 1, 12]) if ragged else None
    runs = []
    for own in (True, False):
        if not own:
            _torch_only(monkeypatch)
        module.zero_grad()
        out = module(X, lengths)
        assert (NODES[cell] in _graph_names(out)) == own
        out.square().sum().backward()
        runs.append((out.detach(), [p.grad.clone() for p in module.parameters() if p.grad is not None]))
    (out_own, grads_own), (out_torch, grads_torch) = runs
    torch.testing.assert_close(out_own, out_torch, rtol=0, atol=1e-7)
    assert len(grads_own) == len(grads_torch) == len(list(module.parameters()))
    for g, e in zip(grads_own, grads_torch, strict=True):
        torch.testing.assert_close(g, e, rtol=1e-5, atol=1e-6)


def test_own_backward_only_where_it_pays():
    X = torch.zeros(32, 10, 3)
    assert own_backward.uses_own_backward("gru", X, 64, training=True)  # 32 x 64 = 2048
    assert not own_backward.uses_own_backward("gru", torch.zeros(128, 10, 3), 64, training=True)  # 8192
    assert own_backward.uses_own_backward("rnn", torch.zeros(128, 10, 3), 64, training=True)  # to 8192
    assert not own_backward.uses_own_backward("rnn", torch.zeros(256, 10, 3), 64, training=True)
    assert not own_backward.uses_own_backward("lstm", X, 64, training=True)  # torch's oneDNN kernel
    assert not own_backward.uses_own_backward("gru", X, 64, training=False)  # eval mode: autograd's
    with torch.no_grad():
        assert not own_backward.uses_own_backward("gru", X, 64, training=True)
    with torch.autocast("cpu"):
        assert not own_backward.uses_own_backward("rnn", X, 64, training=True)
    for cell in ("gru", "rnn"):
        module = RecurrentNet(3, 2, cell=cell, hidden_size=4, architecture="rnn").eval()
        assert NODES[cell] not in _graph_names(module(X))  # gradients in eval mode: torch's layers


@pytest.mark.parametrize("cell", ["gru", "rnn"])
@pytest.mark.parametrize("n_inputs", [1, 3])
def test_forward_is_torchs_own_bit_for_bit(cell, n_inputs):
    """The same call as ``nn.GRU``/``nn.RNN(batch_first=True)``: identical outputs, one feature or several."""
    torch.manual_seed(0)
    layer = TORCH_LAYERS[cell](n_inputs, 8, batch_first=True)
    X = torch.randn(5, 40, n_inputs)
    own = own_backward.one_way_layer(cell, X, torch.zeros(5, 8), list(layer.parameters()))
    torch.testing.assert_close(own, layer(X)[0], rtol=0, atol=0)


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_differentiating_twice_fails_loudly_in_training_and_works_in_eval(cell):
    torch.manual_seed(0)
    module = RecurrentNet(3, 2, cell=cell, hidden_size=4, architecture="rnn")
    X = torch.randn(4, 6, 3, requires_grad=True)
    (grad,) = torch.autograd.grad(module(X).sum(), X, create_graph=True)
    with pytest.raises(RuntimeError, match="once_differentiable|differentiate"):
        grad.square().sum().backward()
    module.eval()  # a gradient penalty or a Hessian-vector product of a fitted model
    (grad,) = torch.autograd.grad(module(X).sum(), X, create_graph=True)
    grad.square().sum().backward()
    assert all(p.grad is not None for p in module.rnn.parameters())


@pytest.mark.parametrize("cell", ["gru", "rnn"])
def test_classifier_fit_is_reproducible_and_trains_as_with_autograd(monkeypatch, cell):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 20, 2)).astype(np.float32)
    y = (X[:, :, 0].sum(1) > 0).astype(int)
    params = dict(cell=cell, architecture="rnn", hidden_size=8, max_epochs=30, batch_size=16, random_state=0)
    first = RNNClassifier(**params).fit(X, y)
    second = RNNClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
    assert first.net_.history[-1, "train_loss"] < first.net_.history[0, "train_loss"]
    _torch_only(monkeypatch)
    autograd = RNNClassifier(**params).fit(X, y)
    np.testing.assert_allclose(first.predict_proba(X), autograd.predict_proba(X), atol=1e-4)
