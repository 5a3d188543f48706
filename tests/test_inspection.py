"""Time-step attribution is what its definition says, and refuses what it cannot explain."""

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn.inspection import time_step_attribution


def _step_data(n=120, T=8, step=3, seed=0):
    """The class is the sign of feature 0 at one time step; every other value is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, 2))
    y = np.where(X[:, step, 0] > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def step_classifier():
    # Pinned: with few samples a lone LSTM fits the noise too (attribution then rightly points
    # elsewhere); the convolutional branch of LSTM-FCN finds the informative step.
    X, y = _step_data()
    clf = RNNClassifier(
        architecture="lstm-fcn", hidden_size=16, max_epochs=40, lr=1e-2, n_networks=1, random_state=0
    )
    return clf.fit(X, y), X, y


def test_occlusion_is_the_probability_drop(step_classifier):
    clf, X, y = step_classifier
    X = X[:10]
    attribution = time_step_attribution(clf, X, y[:10])
    proba = clf.predict_proba(X)
    target = np.searchsorted(clf.classes_, y[:10])
    x_mean = clf.net_.module_.x_mean.numpy() + clf._x_level  # the network's mean is of centred X
    for t in (0, 3, 7):
        occluded = X.copy()
        occluded[:, t] = x_mean
        expected = proba[np.arange(10), target] - clf.predict_proba(occluded)[np.arange(10), target]
        np.testing.assert_allclose(attribution[:, t], expected, atol=1e-6)


def test_occlusion_leaves_missing_values_missing():
    """Occluding a gap replaced it by the training mean, an invented reading (the mask flipped): a step
    without any value got the largest attribution of its row; the gradient gives it 0."""
    X, y = _step_data(n=60)
    X[::3, 5] = np.nan  # every feature missing at step 5
    X[1::3, 6, 1] = np.nan  # one feature missing at step 6
    params = dict(hidden_size=8, max_epochs=5, n_networks=1, missing="mask", random_state=0)
    clf = RNNClassifier(**params).fit(X, y)
    attribution = time_step_attribution(clf, X[:6], y[:6])
    assert (attribution[::3, 5] == 0).all()
    proba = clf.predict_proba(X[:6])
    target = np.searchsorted(clf.classes_, y[:6])
    x_mean = clf.net_.module_.x_mean.numpy() + clf._x_level
    occluded = X[:6].copy()
    occluded[:, 6] = np.where(np.isnan(occluded[:, 6]), np.nan, x_mean)  # what stays missing stays
    expected = proba[np.arange(6), target] - clf.predict_proba(occluded)[np.arange(6), target]
    np.testing.assert_allclose(attribution[:, 6], expected, atol=1e-6)


def test_attribution_finds_the_informative_step(step_classifier):
    clf, X, y = step_classifier
    assert clf.score(X, y) > 0.9
    # Gradients of an overfitted net also react to noise: a looser margin for them.
    for method, margin in (("occlusion", 3.0), ("gradient", 2.0)):
        attribution = time_step_attribution(clf, X, method=method)
        strength = np.abs(attribution).mean(axis=0)
        assert strength.argmax() == 3, (method, strength)
        assert strength[3] > margin * np.delete(strength, 3).max(), (method, strength)
    # Occluding the informative step takes probability away from the predicted class.
    assert time_step_attribution(clf, X)[:, 3].mean() > 0.1


def test_gradient_matches_finite_differences(step_classifier):
    clf, X, _ = step_classifier
    x = X[:1]
    attribution = time_step_attribution(clf, x, method="gradient")
    target = clf.predict_proba(x).argmax(axis=1)[0]
    x_mean = clf.net_.module_.x_mean.numpy() + clf._x_level  # the network's mean is of centred X
    eps = 1e-2
    for t in (1, 3):
        expected = 0.0
        for f in range(x.shape[2]):
            up, down = x.copy(), x.copy()
            up[0, t, f] += eps
            down[0, t, f] -= eps
            p_up, p_down = clf.predict_proba(up)[0, target], clf.predict_proba(down)[0, target]
            log_odds_up, log_odds_down = np.log(p_up / (1 - p_up)), np.log(p_down / (1 - p_down))
            slope = (log_odds_up - log_odds_down) / (2 * eps)
            expected += slope * (x[0, t, f] - x_mean[f])
        assert attribution[0, t] == pytest.approx(expected, rel=2e-2, abs=2e-2)


def test_attribution_of_ragged_input(step_classifier):
    clf, X, _ = step_classifier
    ragged = [X[0, :5], X[1], X[2, :4]]
    attribution = time_step_attribution(clf, ragged, method="gradient")
    assert attribution.shape == (3, 8)
    np.testing.assert_array_equal(np.isnan(attribution[0]), np.arange(8) >= 5)
    np.testing.assert_array_equal(np.isnan(attribution[2]), np.arange(8) >= 4)
    # A sequence's attribution does not depend on its batch neighbours or on padding.
    for method in ("gradient", "occlusion"):
        alone = time_step_attribution(clf, [ragged[2]], method=method)
        together = time_step_attribution(clf, ragged, method=method)
        np.testing.assert_allclose(together[2, :4], alone[0], atol=1e-6)


def test_attribution_leaves_the_module_in_eval_mode(step_classifier):
    clf, X, _ = step_classifier
    time_step_attribution(clf, X[:3], method="gradient")
    assert not clf.net_.module_.training


def test_attribution_errors(step_classifier):
    clf, X, y = step_classifier
    with pytest.raises(ValueError, match="method must be"):
        time_step_attribution(clf, X, method="shap")
    with pytest.raises(ValueError, match="labels not in classes_"):
        time_step_attribution(clf, X[:2], ["up", "sideways"])
    with pytest.raises(ValueError, match="one label per sequence"):
        time_step_attribution(clf, X[:2], ["up"])
    with pytest.raises(ValueError, match="3 features"):
        time_step_attribution(clf, np.zeros((2, 8, 3)))
    reg = RNNRegressor(architecture="rnn", hidden_size=4, max_epochs=1, random_state=0)
    with pytest.raises(TypeError, match="needs an RNNClassifier"):
        time_step_attribution(reg.fit(X[:20], X[:20, 0, 0]), X[:2])


def test_multilabel_classifier_is_refused():
    X, _ = _step_data(n=40)
    Y = np.column_stack([X[:, 3, 0] > 0, X[:, 5, 1] > 0]).astype(int)
    clf = RNNClassifier(architecture="rnn", hidden_size=4, max_epochs=1, random_state=0).fit(X, Y)
    with pytest.raises(ValueError, match="multi-label"):
        time_step_attribution(clf, X[:2])
