"""Plots draw what the estimators computed; attribution is what its definition says."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402
from skorch.callbacks import EpochScoring  # noqa: E402

from sklearn_rnn import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_rnn.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_forecast,
    plot_time_step_attribution,
    plot_training_curves,
    time_step_attribution,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _valid_accuracy(net, X, y):
    return float((net.forward(X).argmax(1).numpy() == np.asarray(y)).mean())


def _step_data(n=120, T=8, step=3, seed=0):
    """The class is the sign of feature 0 at one time step; every other value is noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, T, 2))
    y = np.where(X[:, step, 0] > 0, "up", "down")
    return X, y


# Pinned, whatever the defaults: with few samples a lone LSTM fits the noise too (attribution then
# rightly points elsewhere); the convolutional branch of LSTM-FCN finds the informative step.
PINNED = {"architecture": "lstm-fcn"} if "architecture" in RNNClassifier().get_params() else {"cell": "gru"}


@pytest.fixture(scope="module")
def step_classifier():
    X, y = _step_data()
    clf = RNNClassifier(hidden_size=16, max_epochs=40, lr=1e-2, random_state=0, **PINNED).fit(X, y)
    return clf, X, y


def test_training_curves_draw_the_history():
    X, y = _step_data(n=60)
    clf = RNNClassifier(
        hidden_size=4,
        max_epochs=4,
        early_stopping=True,
        validation_fraction=0.25,
        random_state=0,
        callbacks=[EpochScoring(_valid_accuracy, name="valid_acc", lower_is_better=False)],
    ).fit(X, y)
    fig = plot_training_curves(clf)
    loss_ax, score_ax = fig.axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert set(lines) == {"train_loss", "valid_loss"}
    np.testing.assert_array_equal(lines["train_loss"].get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(lines["train_loss"].get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(lines["valid_loss"].get_ydata(), clf.validation_loss_curve_)
    # Only the recorded score is drawn as a score: not the learning rate or the *_best flags.
    (score,) = score_ax.get_lines()
    assert score.get_label() == "valid_acc"
    np.testing.assert_allclose(score.get_ydata(), clf.net_.history[:, "valid_acc"])


def test_training_curves_without_validation_and_regressor():
    X, y = _step_data(n=40)
    reg = RNNRegressor(hidden_size=4, max_epochs=3, random_state=0).fit(X, X[:, 3, 0])
    fig = plot_training_curves(reg)
    assert len(fig.axes) == 1
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), reg.loss_curve_)
    with pytest.raises(ValueError, match="must hold 1 matplotlib Axes"):
        plot_training_curves(reg, ax=plt.subplots(2)[1])


def test_forecast_with_sktime_intervals():
    from sktime.datasets import load_airline
    from sktime.forecasting.naive import NaiveForecaster

    y = load_airline()
    y_train, y_test = y[:-12], y[-12:]
    forecaster = NaiveForecaster(strategy="drift").fit(y_train)
    fh = np.arange(1, 13)
    y_pred = forecaster.predict(fh)
    intervals = forecaster.predict_interval(fh, coverage=[0.5, 0.9])
    fig = plot_forecast(y_train, y_pred, intervals, y_test)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"y_train", "y_pred", "y_test"}
    np.testing.assert_allclose(lines["y_train"].get_ydata(), y_train.to_numpy())
    np.testing.assert_allclose(lines["y_pred"].get_ydata(), y_pred.to_numpy())
    np.testing.assert_allclose(lines["y_test"].get_ydata(), y_test.to_numpy())
    # PeriodIndex drawn as timestamps, the forecast right after the history.
    assert pd.Timestamp(lines["y_pred"].get_xdata()[0]) == y_pred.index[0].to_timestamp()
    bands = {band.get_label(): band for band in ax.collections}
    assert set(bands) == {"50% interval", "90% interval"}
    # The 90% band spans the lower and upper bounds predict_interval gave.
    vertices = bands["90% interval"].get_paths()[0].vertices
    bounds = intervals.xs(0.9, axis=1, level=1)
    assert vertices[:, 1].min() == pytest.approx(bounds.to_numpy().min())
    assert vertices[:, 1].max() == pytest.approx(bounds.to_numpy().max())


def test_forecast_rejects_several_variables():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    with pytest.raises(ValueError, match="plot_forecast draws one variable"):
        plot_forecast(frame, frame["a"])
    with pytest.raises(ValueError, match="3 column levels"):
        plot_forecast(frame["a"], frame["b"], intervals=frame)


def test_confusion_matrix_counts(step_classifier):
    clf, X, y = step_classifier
    fig = plot_confusion_matrix(clf, X[:50], y[:50])
    image = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_array_equal(image, confusion_matrix(y[:50], clf.predict(X[:50]), labels=clf.classes_))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["down", "up"]
    with pytest.raises(TypeError, match="needs a classifier"):
        plot_confusion_matrix(RNNRegressor(max_epochs=1).fit(X[:20], X[:20, 0, 0]), X, y)


def test_occlusion_is_the_probability_drop(step_classifier):
    clf, X, y = step_classifier
    X = X[:10]
    attribution = time_step_attribution(clf, X, y[:10])
    proba = clf.predict_proba(X)
    target = np.searchsorted(clf.classes_, y[:10])
    x_mean = clf.net_.module_.x_mean.numpy()
    for t in (0, 3, 7):
        occluded = X.copy()
        occluded[:, t] = x_mean
        expected = proba[np.arange(10), target] - clf.predict_proba(occluded)[np.arange(10), target]
        np.testing.assert_allclose(attribution[:, t], expected, atol=1e-6)


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
    x_mean = clf.net_.module_.x_mean.numpy()
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


def test_attribution_errors(step_classifier):
    clf, X, y = step_classifier
    with pytest.raises(ValueError, match="method must be"):
        time_step_attribution(clf, X, method="shap")
    with pytest.raises(ValueError, match="labels not in classes_"):
        time_step_attribution(clf, X[:2], ["up", "sideways"])
    with pytest.raises(ValueError, match="one label per sequence"):
        time_step_attribution(clf, X[:2], ["up"])


def test_attribution_plot_draws_class_means_and_rows(step_classifier):
    clf, X, y = step_classifier
    X, y = X[:30], y[:30]
    fig = plot_time_step_attribution(clf, X, y)
    attribution = time_step_attribution(clf, X, y)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines() if line.get_label() in clf.classes_}
    assert set(lines) == {"down", "up"}
    for label, line in lines.items():
        np.testing.assert_allclose(line.get_ydata(), attribution[y == label].mean(axis=0))
    order = np.concatenate([np.flatnonzero(y == "down"), np.flatnonzero(y == "up")])
    np.testing.assert_allclose(fig.axes[1].get_images()[0].get_array(), attribution[order])
