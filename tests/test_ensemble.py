"""``n_networks``: several networks trained side by side on their own losses, their outputs averaged."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import RNNClassifier, RNNRegressor, load, save
from sklearn_rnn._training import ensemble_size, training_epochs

SMALL = dict(hidden_size=6, max_epochs=5, batch_size=8, fcn_filters=(4, 8, 4), random_state=0)


def _data(n=40, T=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, 2)).astype(np.float32)
    signal = X[:, :, 0].mean(axis=1)
    return X, (signal > 0).astype(int), 10 * signal + 3


def _each_network(module: torch.nn.Module, X: np.ndarray) -> torch.Tensor:
    """Every network's own output, ``(n_networks, n, n_outputs)``, in eval mode."""
    networks = [module, *module.others]
    with torch.no_grad():
        return torch.stack([network._network(torch.from_numpy(X), None) for network in networks])


@pytest.mark.parametrize("architecture", ["rnn", "lstm-fcn"])
def test_classifier_averages_its_networks_logits(architecture):
    X, y, _ = _data()
    clf = RNNClassifier(n_networks=3, architecture=architecture, **SMALL).fit(X, y)
    module = clf.net_.module_
    assert len(module.others) == 2
    logits = _each_network(module, X - clf._x_level.astype(np.float32))  # as the network reads X
    # the networks learned apart: their outputs differ
    assert not torch.allclose(logits[0], logits[1], atol=1e-3)
    expected = torch.softmax(logits.mean(0), dim=1).numpy()
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-5, atol=1e-6)


def test_regressor_averages_its_networks_outputs_in_target_units():
    X, _, target = _data()
    reg = RNNRegressor(n_networks=2, architecture="rnn", **SMALL).fit(X, target)
    outputs = _each_network(reg.net_.module_, X - reg._x_level.astype(np.float32)).mean(0)[:, 0].numpy()
    np.testing.assert_allclose(reg.predict(X), outputs * reg.y_scale_[0] + reg.y_mean_[0], rtol=1e-5)


def test_each_network_gets_the_gradient_of_its_own_loss():
    """The training loss is the mean of the networks' losses: no network sees another's output."""
    X, y, _ = _data()
    params = {**SMALL, "max_epochs": 1, "dropout": 0.0}  # no dropout: two forward passes must agree
    clf = RNNClassifier(n_networks=2, architecture="rnn", **params).fit(X, y)
    net, module = clf.net_, clf.net_.module_
    module.train()
    xb, yb = torch.from_numpy(X[:8]), torch.from_numpy(y[:8])
    stacked = module(xb)
    assert stacked.shape == (2, 8, 2) and module.stacks_outputs
    module.zero_grad()
    net.get_loss(stacked, yb, training=True).backward()
    together = [p.grad.clone() for p in module.others[0].parameters()]
    module.zero_grad()
    own = torch.nn.functional.cross_entropy(module.others[0]._network(xb, None), yb)
    own.backward()
    for a, b in zip(together, module.others[0].parameters(), strict=True):
        torch.testing.assert_close(a, b.grad, rtol=1e-5, atol=1e-7)
    module.eval()
    assert module(xb).shape == (8, 2) and not module.stacks_outputs


def _first_network(clf) -> torch.Tensor:
    module = clf.net_.module_
    first = [p for name, p in module.named_parameters() if not name.startswith("others")]
    return torch.cat([p.detach().flatten() for p in first])


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_each_network_trains_as_it_would_alone(optimizer):
    """The first network of an ensemble ends where the same network trained alone ends.

    One batch per epoch, so the batch order (drawn after the other networks'
    initial weights) does not matter; gradient clipping on, and tight enough
    to act: each network is clipped by its own norm, trained at the full lr.
    """
    X, y, _ = _data(n=24, T=8)
    params = dict(SMALL, architecture="rnn", dropout=0.0, batch_size=24, lr=0.1, lr_schedule="constant")
    params.update(optimizer=optimizer, gradient_clip_value=0.05)
    alone = _first_network(RNNClassifier(**params).fit(X, y))
    ensemble = _first_network(RNNClassifier(n_networks=3, **params).fit(X, y))
    torch.testing.assert_close(ensemble, alone, rtol=1e-5, atol=1e-6)


def test_training_callbacks_see_the_ensembles_output():
    """skorch's scoring on the training batches reads ``(n, n_outputs)``, a short last batch included."""
    from skorch.callbacks import EpochScoring

    X, y, _ = _data(n=26)
    shapes = []

    def outputs_per_sequence(net, X, y):  # the cached outputs of the epoch's training batches
        outputs = net.forward(X)
        shapes.append(tuple(outputs.shape))
        return outputs.shape[0] / len(y)

    scoring = ("per_sequence", EpochScoring(outputs_per_sequence, on_train=True, name="per_sequence"))
    clf = RNNClassifier(n_networks=2, callbacks=[scoring], **SMALL).fit(X, y)  # batches of 8, 8, 8, 2
    assert clf.net_.history[:, "per_sequence"] == [1.0] * SMALL["max_epochs"]
    assert set(shapes) == {(26, 2)}
    losses = clf.net_.history[-1, "batches"]
    assert all(np.isfinite(batch["train_loss"]) for batch in losses)


def test_same_random_state_same_ensemble_and_one_network_unchanged():
    X, y, _ = _data()
    first = RNNClassifier(n_networks=3, **SMALL).fit(X, y).predict_proba(X)
    second = RNNClassifier(n_networks=3, **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    single = RNNClassifier(n_networks=1, **SMALL).fit(X, y)
    assert single.net_.module_.others is None
    assert not np.allclose(first, single.predict_proba(X))


def test_onnx_graph_averages_too():
    ort = pytest.importorskip("onnxruntime")
    from sklearn_rnn import to_onnx

    X, y, _ = _data()
    clf = RNNClassifier(n_networks=3, **SMALL).fit(X, y)
    session = ort.InferenceSession(to_onnx(clf).SerializeToString(), providers=["CPUExecutionProvider"])
    (proba,) = session.run(None, {"X": X, "lengths": np.full(len(X), X.shape[1])})
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("value", [0, -1, 1.5])
def test_n_networks_must_be_a_positive_int(value):
    X, y, _ = _data()
    with pytest.raises(InvalidParameterError, match="n_networks"):
        RNNClassifier(n_networks=value, **SMALL).fit(X, y)


@pytest.mark.parametrize("optimizer", ["sgd", "adamw"])
def test_each_forecasting_network_trains_as_it_would_alone(optimizer):
    """The forecaster's ensemble trains as the classifier's: each network on its own loss and norm.

    The first network of three ends where the same network trained alone ends
    (all windows in one batch; clipping tight enough to act). Averaging the
    networks' losses would train each at a third of the learning rate.
    """
    import pandas as pd

    from sklearn_rnn import RNNForecaster

    t = np.arange(60)
    y = pd.Series(np.sin(2 * np.pi * t / 12) + 0.01 * t)
    params = dict(window_length=12, hidden_size=5, max_epochs=4, batch_size=64, lr=0.05, random_state=0)
    params.update(optimizer=optimizer, lr_schedule="constant", gradient_clip_value=0.05, conformal=False)
    alone = _first_network(RNNForecaster(**params).fit(y, fh=[1, 2, 3]))
    ensemble = _first_network(RNNForecaster(n_networks=3, **params).fit(y, fh=[1, 2, 3]))
    torch.testing.assert_close(ensemble, alone, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "n_train, length, expected",
    [
        (36, 251, 5),  # ArrowHead: 334 epochs, 3.0 million sequence-steps a network
        (140, 84, 5),  # Covid3Month: 112 epochs, 1.3 million
        (200, 427, 1),  # OSULeaf: 100 epochs, 8.5 million
        (537, 1344, 1),  # PLAID: 72 million
        (160, 500, 2),  # 100 epochs, 8.0 million: exactly two fit in the budget
        (160, 501, 1),  # one step more a sequence: only one
        (160, 333, 3),  # 5.3 million
    ],
)
def test_auto_is_the_documented_rule_of_the_training_sets_size(n_train, length, expected):
    epochs = training_epochs("auto", n_train, 16)
    assert ensemble_size("auto", epochs, n_train, length) == expected
    assert ensemble_size(4, epochs, n_train, length) == 4  # an int is kept as it is


def test_auto_trains_the_rules_networks_exactly_as_asking_for_them(tmp_path):
    """On a small set "auto" is five networks: the same fit as n_networks=5, and it is saved as such."""
    X, y, target = _data()
    auto = RNNClassifier(**SMALL).fit(X, y)
    assert auto.n_networks == "auto" and auto.n_networks_ == 5 and len(auto.net_.module_.others) == 4
    five = RNNClassifier(n_networks=5, **SMALL).fit(X, y)
    np.testing.assert_array_equal(auto.predict_proba(X), five.predict_proba(X))
    save(auto, tmp_path / "auto.skrnn")
    loaded = load(tmp_path / "auto.skrnn")
    assert loaded.n_networks == "auto" and loaded.n_networks_ == 5
    np.testing.assert_array_equal(loaded.predict_proba(X), auto.predict_proba(X))
    reg = RNNRegressor(**SMALL).fit(X, target)
    assert reg.n_networks_ == 5
    one = RNNRegressor(n_networks=1, **SMALL).fit(X, target)
    assert one.n_networks_ == 1 and one.net_.module_.others is None


def test_n_networks_is_not_set_before_fit_and_warm_start_keeps_the_built_number():
    X, y, _ = _data()
    clf = RNNClassifier(**{**SMALL, "max_epochs": 1}, warm_start=True)
    assert not hasattr(clf, "n_networks_")
    clf.fit(X, y)
    module = clf.net_.module_
    clf.fit(X[:20], y[:20])  # "auto" on other data: the fitted ensemble trains further
    assert clf.net_.module_ is module and clf.n_networks_ == 5
    with pytest.raises(ValueError, match=r"\['n_networks'\] changed"):
        clf.set_params(n_networks=2).fit(X, y)


def test_a_network_pickled_before_ensembles_reports_one():
    X, y, _ = _data()
    clf = RNNClassifier(n_networks=1, **{**SMALL, "max_epochs": 1}).fit(X, y)
    del clf._module_kwargs["n_networks"]  # as pickled before n_networks existed
    assert clf.n_networks_ == 1
