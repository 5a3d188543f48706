"""What the network reads: every step of long sequences, and shapes at any scale."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._networks.recurrent import RecurrentNet, fixed_length, standardize_sequences


def _ragged(lengths, n_features=3):
    T = max(lengths)
    X = torch.zeros(len(lengths), T, n_features)
    for i, t in enumerate(lengths):
        X[i, :t] = torch.randn(t, n_features)
    return X, torch.tensor(lengths)


def test_fixed_length_pads_short_and_pools_long_sequences_each_on_its_own():
    X, lengths = _ragged([3, 8, 20, 7, 13])
    out = fixed_length(X, lengths, 8)
    assert out.shape == (5, 8, 3)
    for i, t in enumerate(lengths.tolist()):
        own = X[i : i + 1, :t]
        if t <= 8:  # zero-padded, exactly
            expected = F.pad(own, (0, 0, 0, 8 - t))[0]
            torch.testing.assert_close(out[i], expected, rtol=0, atol=0)
        else:  # every step read: the adaptive average over its own steps, padding never counted
            expected = F.adaptive_avg_pool1d(own.transpose(1, 2), 8).transpose(1, 2)[0]
            torch.testing.assert_close(out[i], expected, rtol=1e-5, atol=1e-5)
    # an equal-length batch (lengths None) is read the same way
    torch.testing.assert_close(fixed_length(X[2:3], None, 8), out[2:3], rtol=1e-5, atol=1e-5)


def test_standardize_sequences_uses_observed_steps_and_zeroes_constant_features():
    X, lengths = _ragged([4, 9, 6], n_features=2)
    X[:, :, 1] = 7.5  # constant within each sequence
    mask = torch.arange(9)[None, :] < lengths[:, None]
    X = torch.where(mask[:, :, None], X, torch.zeros_like(X))
    scaled, stats = standardize_sequences(X, mask)
    for i, t in enumerate(lengths.tolist()):
        own = X[i, :t, 0].double()
        expected = (own - own.mean()) / own.std(unbiased=False)
        torch.testing.assert_close(scaled[i, :t, 0].double(), expected, rtol=1e-4, atol=1e-5)
        assert torch.all(scaled[i, t:] == 0)  # padding stays zero
        assert torch.all(scaled[i, :, 1] == 0)  # constant: zero, not rounding noise blown up
        torch.testing.assert_close(stats[i, 0].double(), own.mean(), rtol=1e-5, atol=1e-6)
        assert stats[i, 1] == pytest.approx(7.5)
        assert stats[i, 3] == pytest.approx(np.log(1e-6), abs=1e-3)  # no deviation at all


@pytest.mark.parametrize("input_scaling", ["global", "sequence"])
def test_long_sequences_reach_the_shuffled_branch_whole(input_scaling):
    torch.manual_seed(0)
    net = RecurrentNet(
        2,
        3,
        hidden_size=4,
        architecture="lstm-fcn",
        n_timesteps=6,
        fcn_filters=(4, 4, 4),
        input_scaling=input_scaling,
    ).eval()
    X, lengths = _ragged([12, 5], n_features=2)
    # the convolutional branch is switched off, so only the shuffled recurrent branch reads X
    for block in net.fcn:
        block.conv.weight.data.zero_()
        block.conv.bias.data.zero_()
    before = net(X, lengths)
    changed = X.clone()
    changed[0, 10:12] += 3.0  # the last steps of the 12-step sequence, past the 6 the branch was built for
    after = net(changed, lengths)
    assert not torch.allclose(before[0], after[0])
    torch.testing.assert_close(before[1], after[1], rtol=0, atol=0)


def test_sequence_scaling_reads_shapes_at_any_scale():
    # Two classes told apart by shape only; each sequence at its own scale over 6 orders of magnitude,
    # as PLAID's appliances are. With the training set's statistics alone the small ones are ~0.
    rng = np.random.default_rng(1)
    t = np.linspace(0, 4 * np.pi, 60)
    n = 160
    labels = rng.integers(0, 2, n)
    shapes = np.where(labels[:, None] == 0, np.sin(t), np.sign(np.sin(t)))
    scales = 10.0 ** rng.uniform(-3, 3, n)
    X = (shapes * scales[:, None] + 0.05 * scales[:, None] * rng.normal(size=(n, 60)))[:, :, None]
    params = dict(hidden_size=8, fcn_filters=(16, 16, 16), max_epochs=30, n_networks=1, random_state=0)
    scores = {}
    for scaling in ("global", "sequence"):
        clf = RNNClassifier(**params, input_scaling=scaling).fit(X[:100], labels[:100])
        scores[scaling] = clf.score(X[100:], labels[100:])
    assert scores["sequence"] >= 0.95, scores
    assert scores["global"] < 0.85, scores  # the failure the setting exists for


def test_default_scaling_keeps_the_levels():
    # The target is each sequence's level: per-sequence scaling removes it from the shapes, so
    # it must reach the network another way (the global channel, and the statistics at the head).
    rng = np.random.default_rng(2)
    n, T = 120, 20
    levels = rng.uniform(-5, 5, n)
    X = levels[:, None, None] + 0.1 * rng.normal(size=(n, T, 1))
    reg = RNNRegressor(hidden_size=8, fcn_filters=(8, 8, 8), n_networks=1, random_state=0)
    reg.fit(X[:80], levels[:80])
    assert reg.input_scaling == "both"
    rmse = np.sqrt(np.mean((reg.predict(X[80:]) - levels[80:]) ** 2))
    assert rmse < 0.3, rmse  # measured 0.06; the levels span -5 to 5


@pytest.mark.parametrize("scale", [1e-31, 1e-38, 1e-40])
def test_features_too_small_for_float32_are_refused_with_the_fix(scale):
    """At 1e-38 training turned NaN and the error advised a lower lr; at 1e-40 (subnormal, flushed to 0 in
    training) every sequence got one prediction, silently."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8, 2))
    y = np.array(["a", "b", "c"] * 10)
    params = dict(hidden_size=4, max_epochs=2, n_networks=1, random_state=0)
    X[:, :, 1] *= scale
    with pytest.raises(ValueError, match=r"Features \[1\] of X vary within .* below 1e-30.*multiply it by"):
        RNNClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match=r"Features \[1\] of X"):
        RNNClassifier(**params).fit(list(X), y)  # ragged input too
    X[:, :, 1] *= 1e30  # the fix: every sequence gets its own prediction again
    proba = RNNClassifier(**params).fit(X, y).predict_proba(X)
    assert len(np.unique(proba.round(6), axis=0)) == 30
    X[:, :, 1] = 0.0  # a feature of zeros is fine
    RNNClassifier(**params).fit(X, y)
