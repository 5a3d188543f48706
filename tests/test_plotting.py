"""Plots draw what the estimators computed, legibly (attribution itself: test_inspection.py)."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import confusion_matrix  # noqa: E402
from skorch.callbacks import Callback, EpochScoring  # noqa: E402

import sklearn_rnn.plotting  # noqa: E402
from sklearn_rnn import RNNClassifier, RNNRegressor  # noqa: E402
from sklearn_rnn.inspection import time_step_attribution  # noqa: E402
from sklearn_rnn.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_forecast,
    plot_time_step_attribution,
    plot_training_curves,
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


@pytest.fixture(scope="module")
def step_classifier():
    X, y = _step_data()
    clf = RNNClassifier(hidden_size=16, max_epochs=40, lr=1e-2, n_networks=1, random_state=0).fit(X, y)
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


class _InterruptMidEpoch(Callback):
    """Raise KeyboardInterrupt at the second batch of the third epoch, as a user's Ctrl-C would."""

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == 3 and len(net.history[-1]["batches"]) == 2:
            raise KeyboardInterrupt


@pytest.mark.parametrize("early_stopping", [False, True])
def test_training_curves_of_a_fit_cut_by_a_caught_interrupt_draw_its_whole_epochs(early_stopping):
    """A fit stopped part-way through an epoch keeps the weights reached and predicts: its curves
    are those of the epochs that ran to their end (the cut one, without a loss, hid every curve)."""
    X, y = _step_data(n=64)
    clf = RNNClassifier(
        hidden_size=4,
        max_epochs=6,
        batch_size=16,
        n_networks=1,
        random_state=0,
        early_stopping=early_stopping,
        callbacks=[_InterruptMidEpoch()],
    )
    try:
        clf.fit(X, y)
    except KeyboardInterrupt:
        pass
    assert clf.n_iter_ == 2 and len(clf.net_.history) == 3
    lines = {line.get_label(): line for line in plot_training_curves(clf).axes[0].get_lines()}
    assert set(lines) == ({"train_loss", "valid_loss"} if early_stopping else {"train_loss"})
    np.testing.assert_array_equal(lines["train_loss"].get_xdata(), [1, 2])
    np.testing.assert_allclose(lines["train_loss"].get_ydata(), clf.loss_curve_)
    if early_stopping:
        np.testing.assert_allclose(lines["valid_loss"].get_ydata(), clf.validation_loss_curve_)


def test_training_curves_without_validation_and_regressor():
    X, y = _step_data(n=40)
    reg = RNNRegressor(hidden_size=4, max_epochs=3, random_state=0).fit(X, X[:, 3, 0])
    fig = plot_training_curves(reg)
    assert len(fig.axes) == 1
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), reg.loss_curve_)
    with pytest.raises(ValueError, match="must hold 1 matplotlib Axes"):
        plot_training_curves(reg, ax=plt.subplots(2)[1])


def test_training_curves_of_a_forecaster_and_unfitted_estimators():
    from sklearn.exceptions import NotFittedError

    from sklearn_rnn import RNNForecaster

    y = pd.Series(10 + np.sin(np.arange(60) / 3))
    forecaster = RNNForecaster(
        window_length=12, hidden_size=4, max_epochs=3, quantile_levels=[0.25, 0.75], random_state=0
    )
    fig = plot_training_curves(forecaster.fit(y, fh=[1, 2]))
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_ydata(), forecaster.loss_curve_)
    for estimator in (RNNForecaster(), RNNClassifier()):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            plot_training_curves(estimator)
    with pytest.raises(TypeError, match="no trained network"):
        plot_training_curves(object())


# sktime 1.2 announces at every construction of a forecaster that a default will change in 1.3.
@pytest.mark.filterwarnings("ignore:The default of config ``remember_data``:FutureWarning")
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
    columns = pd.MultiIndex.from_tuples(
        [("a", 0.9, "lower"), ("a", 0.9, "upper"), ("b", 0.9, "lower"), ("b", 0.9, "upper")]
    )
    intervals = pd.DataFrame([[0.0, 2.0, 2.0, 4.0], [1.0, 3.0, 3.0, 5.0]], columns=columns)
    with pytest.raises(
        ValueError, match=r"intervals are those of the variable 'b', but y_pred is 'a'.*\[\['a'\]\]"
    ):
        plot_forecast(frame["a"], frame["a"], intervals=intervals[["b"]])  # drawn silently before
    fig = plot_forecast(frame["a"], frame["a"], intervals=intervals[["a"]])
    assert set(fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]) == {0.0, 1.0, 2.0, 3.0}  # a's band


def test_confusion_matrix_counts(step_classifier):
    clf, X, y = step_classifier
    fig = plot_confusion_matrix(clf, X[:50], y[:50])
    image = fig.axes[0].get_images()[0].get_array()
    np.testing.assert_array_equal(image, confusion_matrix(y[:50], clf.predict(X[:50]), labels=clf.classes_))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["down", "up"]
    with pytest.raises(TypeError, match="needs a classifier"):
        plot_confusion_matrix(RNNRegressor(max_epochs=1).fit(X[:20], X[:20, 0, 0]), X, y)


def test_confusion_matrix_counts_labels_the_classifier_never_saw(step_classifier):
    """A test label outside classes_ was left out of the matrix but counted in the title's accuracy."""
    clf, X, y = step_classifier
    y_test = y[:40].astype(object)
    y_test[:5] = "sideways"
    fig = plot_confusion_matrix(clf, X[:40], y_test)
    image = fig.axes[0].get_images()[0].get_array()
    assert image.sum() == 40 and image.shape == (3, 3)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["down", "up", "sideways"]
    assert image[2, 2] == 0 and image[2].sum() == 5  # never predicted


def test_confusion_matrix_title_of_a_column_y(step_classifier):
    """y as a (n, 1) column (df[["label"]]) broadcast against the predictions: the title said 0.5."""
    clf, X, y = step_classifier
    accuracy = np.mean(clf.predict(X[:50]) == y[:50])
    title = plot_confusion_matrix(clf, X[:50], y[:50, None]).axes[0].get_title()
    assert title.endswith(f"accuracy {accuracy:.3f}") and accuracy > 0.8


def test_forecast_refuses_arrays_and_panels():
    """An array has no time: it was drawn at 0..h-1, over the start of the history (1970 for dates)."""
    y = pd.Series(np.arange(24.0), index=pd.period_range("2020-01", periods=24, freq="M"))
    with pytest.raises(TypeError, match="y_pred must be a pandas Series.*got ndarray"):
        plot_forecast(y[:20], y[20:].to_numpy())
    with pytest.raises(TypeError, match="y_test must be a pandas Series.*got list"):
        plot_forecast(y[:20], y[20:], y_test=list(y[20:]))
    panel = pd.concat({"a": y, "b": y})
    with pytest.raises(ValueError, match=r"y_train is a panel.*y_train\.loc\[key\]"):
        plot_forecast(panel, y[20:])
    # a panel's intervals beside one series' forecast (the fix above followed for y alone): matplotlib's
    # ConversionError on the (key, time) index
    columns = pd.MultiIndex.from_tuples([(None, 0.9, "lower"), (None, 0.9, "upper")])
    bounds = np.c_[panel.to_numpy(), panel.to_numpy() + 2]
    intervals = pd.DataFrame(bounds, index=panel.index, columns=columns)
    with pytest.raises(ValueError, match=r"intervals is a panel.*intervals\.loc\[key\]\.$"):
        plot_forecast(y[:20], y[20:], intervals)


def _drawn(fig):
    """The attribution image's values and its colour limits."""
    image = fig.axes[1].get_images()[0]
    return image, np.ma.getdata(image.get_array()), np.ma.getmaskarray(image.get_array())


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
    _, values, mask = _drawn(fig)
    np.testing.assert_allclose(values, attribution[order])
    assert not mask.any()


def test_attribution_plot_labels_and_separates_the_classes(step_classifier):
    clf, X, y = step_classifier
    X, y = X[:30], y[:30]
    fig = plot_time_step_attribution(clf, X, y)
    ax = fig.axes[1]
    n_down = int((y == "down").sum())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["down", "up"]
    np.testing.assert_allclose(ax.get_yticks(), [(n_down - 1) / 2, n_down + (30 - n_down - 1) / 2])
    # One separator between the two groups, on the boundary between their rows.
    separators = [line for line in ax.get_lines() if np.ptp(line.get_ydata()) == 0]
    assert [line.get_ydata()[0] for line in separators] == [n_down - 0.5]
    # Without y, sequences are grouped by their predicted class.
    predicted = clf.predict(X)
    fig = plot_time_step_attribution(clf, X)
    shown = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert shown == [label for label in clf.classes_ if label in predicted]


@pytest.mark.parametrize("classes", [[0, 1], [10, 20], [False, True]])
def test_attribution_plot_separates_classes_that_are_not_strings(step_classifier, classes):
    """The separators compared the rows' classes with their text: never equal, all drawn at -0.5."""
    _, X, y = step_classifier
    X, y = X[:30], np.where(y[:30] == "up", classes[1], classes[0])
    clf = RNNClassifier(hidden_size=4, max_epochs=2, n_networks=1, random_state=0).fit(X, y)
    ax = plot_time_step_attribution(clf, X, y).axes[1]
    separators = [line for line in ax.get_lines() if np.ptp(line.get_ydata()) == 0]
    assert [line.get_ydata()[0] for line in separators] == [int((y == classes[0]).sum()) - 0.5]


def test_attribution_plot_of_ragged_input_masks_padding_without_warnings(step_classifier):
    clf, X, _ = step_classifier
    # Every "short" sequence ends at step 4: the class mean has no sequence past it (an empty slice).
    ragged = [X[i, :4] if i % 2 else X[i] for i in range(12)]
    y = np.where(np.arange(12) % 2, "up", "down")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plot_time_step_attribution(clf, ragged, y)
    attribution = time_step_attribution(clf, ragged, y)
    image, values, mask = _drawn(fig)
    order = np.concatenate([np.flatnonzero(y == "down"), np.flatnonzero(y == "up")])
    # Padded cells are masked (absent), not drawn as zeros; observed cells are drawn as computed.
    np.testing.assert_array_equal(mask, np.isnan(attribution[order]))
    assert mask[6:, 4:].all() and not mask[:6].any() and not mask[:, :4].any()
    np.testing.assert_allclose(values[~mask], attribution[order][~mask])
    cmap = image.get_cmap()
    assert cmap.get_bad()[3] > 0 and not np.allclose(cmap.get_bad(), cmap(image.norm(0.0)))
    assert any(text.get_text().startswith("no step") for text in fig.axes[1].get_legend().get_texts())
    # The class mean stops where the class's sequences stop.
    up = next(line for line in fig.axes[0].get_lines() if line.get_label() == "up")
    np.testing.assert_array_equal(np.isnan(up.get_ydata()), np.arange(8) >= 4)
    np.testing.assert_allclose(up.get_ydata()[:4], attribution[y == "up", :4].mean(axis=0))


def test_attribution_colour_scale_is_robust_to_extreme_cells(step_classifier, monkeypatch):
    clf, X, y = step_classifier
    X, y = X[:40], y[:40]
    rng = np.random.default_rng(0)
    values = rng.uniform(-1.0, 1.0, size=(40, 8))
    values[5, 2] = 1e3  # one extreme cell
    monkeypatch.setattr(sklearn_rnn.plotting, "time_step_attribution", lambda *args, **kwargs: values)
    image, drawn, _ = _drawn(plot_time_step_attribution(clf, X, y))
    low, high = image.get_clim()
    # Symmetric around 0 at the 99th percentile of |values|: the uniform cells span the scale.
    assert high == -low == pytest.approx(np.percentile(np.abs(values), 99))
    assert 0.9 < high < 1.0
    np.testing.assert_array_equal(np.sort(drawn.ravel()), np.sort(values.ravel()))  # drawn, not clipped
    image, _, _ = _drawn(plot_time_step_attribution(clf, X, y, vmax=5.0))
    assert image.get_clim() == (-5.0, 5.0)
    # All zero: a scale of 1 rather than an empty one.
    monkeypatch.setattr(
        sklearn_rnn.plotting, "time_step_attribution", lambda *args, **kwargs: np.zeros((40, 8))
    )
    image, _, _ = _drawn(plot_time_step_attribution(clf, X, y))
    assert image.get_clim() == (-1.0, 1.0)


def test_attribution_plot_refuses_a_vmax_that_spans_no_colours_and_takes_a_2d_ax(step_classifier):
    """vmax=-1, 0 or NaN drew an image of limits (-1.1, 1.0) or (-0.1, 0.1) without a word; an ax from
    plt.subplots(2, 1, squeeze=False) crashed ('numpy.ndarray' object has no attribute 'figure')."""
    clf, X, y = step_classifier
    for vmax in (-1.0, 0.0, float("nan")):
        with pytest.raises(ValueError, match=r"vmax must be a positive finite number"):
            plot_time_step_attribution(clf, X[:10], y[:10], vmax=vmax)
    for shape in ((2, 1), (1, 2)):
        grid = plt.subplots(*shape, squeeze=False)[1]
        fig = plot_time_step_attribution(clf, X[:10], y[:10], ax=grid, vmax=1.0)
        assert fig.axes[:2] == list(grid.ravel())


def test_confusion_matrix_of_a_multilabel_classifier_names_the_per_label_fix():
    """It raised scikit-learn's "y should be a 1d array, got an array of shape (40, 2)"."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6, 2)), (rng.random((40, 2)) > 0.5).astype(int)
    clf = RNNClassifier(hidden_size=4, max_epochs=2, n_networks=1, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="multi-label y.*multilabel_confusion_matrix"):
        plot_confusion_matrix(clf, X, y)
