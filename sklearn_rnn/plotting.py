"""Figures for fitted estimators: training curves, forecasts, confusion matrices, time-step attribution.

Every plotting function returns a :class:`matplotlib.figure.Figure` and imports
matplotlib only when called, so ``import sklearn_rnn`` never needs it.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ._anomaly import flag_runs
from .inspection import time_step_attribution

__all__ = [
    "plot_anomalies",
    "plot_confusion_matrix",
    "plot_forecast",
    "plot_time_step_attribution",
    "plot_training_curves",
]

# History columns skorch and the estimators write that are not per-epoch scores.
_NOT_SCORES = {
    "epoch",
    "batches",
    "dur",
    "train_loss",
    "valid_loss",
    "train_batch_count",
    "valid_batch_count",
}


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Plotting needs matplotlib; install it with `pip install matplotlib`.") from exc
    return plt


def _figure_and_axes(ax: Any, nrows: int = 1, **subplots_kw: Any):
    plt = _pyplot()
    if ax is None:
        fig, axes = plt.subplots(nrows, 1, squeeze=False, **subplots_kw)
        return fig, list(axes[:, 0])
    axes = list(np.ravel(np.asarray(ax, dtype=object)))  # plt.subplots(..., squeeze=False) gives 2D
    if len(axes) != nrows:
        raise ValueError(f"ax must hold {nrows} matplotlib Axes for this figure, got {len(axes)}.")
    return axes[0].figure, axes


def _fitted_net(estimator: Any) -> Any:
    """The skorch net of a fitted estimator of this library.

    Not ``check_is_fitted``, which needs scikit-learn's tags that the sktime forecaster lacks.
    """
    if hasattr(estimator, "net_"):
        return estimator.net_
    name = type(estimator).__name__
    if type(estimator).__module__.startswith("sklearn_rnn"):
        raise NotFittedError(f"This {name} instance is not fitted yet. Call 'fit' before plotting it.")
    raise TypeError(
        f"{name} holds no trained network (no net_ attribute); pass a fitted RNNClassifier, "
        "RNNRegressor or RNNForecaster."
    )


def plot_training_curves(estimator: Any, *, ax: Any = None) -> Any:
    """Plot the training loss, the validation loss and any validation scores per epoch.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNForecaster
        A fitted estimator. The validation loss is drawn when a validation set
        was held out (``early_stopping=True``); any other numeric column of the
        skorch history (e.g. ``"valid_acc"`` from a
        :class:`skorch.callbacks.EpochScoring` passed through ``callbacks=``) is
        drawn on a second axes. The trained network outputs logits and is given
        the labels' indices, so score with a function of them, as in the
        example below; a scorer name such as ``"accuracy"`` would compare
        logits to labels and fails.
    ax : matplotlib Axes or array of 2 Axes, default=None
        Where to draw (one Axes for the losses, a second one when scores were
        recorded). None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure, with one line per curve, labelled by history key.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.plotting import plot_training_curves
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(40, 8, 2)), np.repeat([0, 1], 20)
    >>> from skorch.callbacks import EpochScoring
    >>> accuracy = EpochScoring(
    ...     lambda net, X, y: (net.predict(X).argmax(axis=1) == y).mean(),
    ...     name="valid_acc",
    ...     lower_is_better=False,
    ... )
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=3, early_stopping=True, callbacks=[accuracy])
    >>> fig = plot_training_curves(clf.fit(X, y))
    >>> [[line.get_label() for line in ax.get_lines()] for ax in fig.axes]
    [['train_loss', 'valid_loss'], ['valid_acc']]
    """
    # the epochs that ran to their end (one interrupted part-way, as by a caught Ctrl-C, has no loss)
    rows = [row for row in _fitted_net(estimator).history if "train_loss" in row]
    epochs = np.asarray([row["epoch"] for row in rows])
    losses = [key for key in ("train_loss", "valid_loss") if rows and all(key in row for row in rows)]
    scores = sorted(
        {
            key
            for row in rows
            for key, value in row.items()
            if key not in _NOT_SCORES
            and not key.endswith("_best")
            and not key.startswith("event_")  # e.g. the learning rate LRScheduler records
            and isinstance(value, (int, float, np.number))
            and not isinstance(value, bool)
            and all(key in r for r in rows)
        }
    )
    fig, axes = _figure_and_axes(ax, 2 if scores else 1, sharex=True, figsize=(6.4, 6.4 if scores else 4))
    for key in losses:
        axes[0].plot(epochs, np.asarray([row[key] for row in rows], dtype=float), marker=".", label=key)
    axes[0].set_ylabel("loss")
    axes[0].set_title(f"Training curves of {type(estimator).__name__}")
    axes[0].legend()
    if scores:
        for key in scores:
            axes[1].plot(epochs, np.asarray([row[key] for row in rows], dtype=float), marker=".", label=key)
        axes[1].set_ylabel("score")
        axes[1].legend()
    axes[-1].set_xlabel("epoch")
    return fig


def _check_one_series(data: Any, name: str, plot: str, accepted: str, fix: str = "") -> None:
    """Refuse what is not one series in time: no pandas index to place it, or a panel (a MultiIndex)."""
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        raise TypeError(
            f"{name} must be {accepted}, whose index places it in time, got {type(data).__name__}{fix}."
        )
    if isinstance(data.index, pd.MultiIndex):
        raise ValueError(
            f"{name} is a panel (a MultiIndex): {plot} draws one series. Pass one series at a time, "
            f"e.g. {name}.loc[key]"
            f"{' (and intervals.loc[key])' if plot == 'plot_forecast' and name != 'intervals' else ''}."
        )


def _as_series(y: Any, name: str) -> pd.Series:
    _check_one_series(
        y, name, "plot_forecast", "a pandas Series or a one-column DataFrame (predict's output)"
    )
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise ValueError(
                f"{name} has {y.shape[1]} columns; plot_forecast draws one variable. "
                f"Pass one column at a time, e.g. {name}[column]."
            )
        y = y.iloc[:, 0]
    return y


def _typical_spacing(index: pd.Index) -> Any:
    """One step of ``index``: its frequency where it has one, else its most common spacing (None: none)."""
    if isinstance(index, pd.PeriodIndex):
        return 1  # a period plus 1 is the next period
    freq = getattr(index, "freq", None)
    if freq is not None:
        return freq
    if len(index) < 2:
        return None
    try:
        return pd.Series(index[1:] - index[:-1]).mode().iloc[0]
    except (TypeError, ValueError):  # text or other labels
        return None


def _plottable_index(index: pd.Index) -> Any:
    """Time points matplotlib draws: periods as their start, durations as seconds."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    if isinstance(index, pd.TimedeltaIndex):
        return pd.Index(index.total_seconds(), name=index.name)
    return index


def plot_forecast(
    y_train: Any, y_pred: Any, intervals: Any = None, y_test: Any = None, *, ax: Any = None
) -> Any:
    """Plot a series, its forecast, prediction intervals and the observed future.

    Parameters
    ----------
    y_train : pd.Series or single-column pd.DataFrame
        The history the forecaster was fitted on.
    y_pred : pd.Series or single-column pd.DataFrame
        Point forecasts, indexed by the forecast horizon (``predict``'s output).
    intervals : pd.DataFrame, default=None
        ``predict_interval``'s output: columns ``(variable, coverage,
        "lower"/"upper")``. One shaded band per coverage, widest palest.
    y_test : pd.Series or single-column pd.DataFrame, default=None
        Observed values over the horizon, when known.
    ax : matplotlib Axes, default=None
        Where to draw; None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Lines labelled ``"y_train"``, ``"y_pred"`` and ``"y_test"``, and one
        filled band per coverage labelled like ``"90% interval"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from sklearn_rnn.plotting import plot_forecast
    >>> y = pd.Series(range(10), index=pd.period_range("2020-01", periods=10, freq="M"))
    >>> fig = plot_forecast(y[:8], y[8:] + 0.5, y_test=y[8:])
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['y_train', 'y_test', 'y_pred']
    """
    y_train = _as_series(y_train, "y_train")
    y_pred = _as_series(y_pred, "y_pred")
    fig, (axes,) = _figure_and_axes(ax, 1, figsize=(8, 4))
    axes.plot(_plottable_index(y_train.index), y_train.to_numpy(dtype=float), color="C0", label="y_train")
    if y_test is not None:
        y_test = _as_series(y_test, "y_test")
        axes.plot(
            _plottable_index(y_test.index), y_test.to_numpy(dtype=float), color="C0", ls="--", label="y_test"
        )
    if intervals is not None:
        if not isinstance(intervals, pd.DataFrame) or intervals.columns.nlevels != 3:
            raise ValueError(
                "intervals must be predict_interval's DataFrame with 3 column levels "
                f"(variable, coverage, 'lower'/'upper'), got {type(intervals).__name__}."
            )
        _check_one_series(intervals, "intervals", "plot_forecast", "predict_interval's DataFrame")
        variables = intervals.columns.get_level_values(0).unique()
        if len(variables) != 1:
            raise ValueError(f"intervals holds {len(variables)} variables; pass those of one variable.")
        if y_pred.name is not None and variables[0] != y_pred.name:
            raise ValueError(
                f"intervals are those of the variable {variables[0]!r}, but y_pred is {y_pred.name!r}. "
                f"Pass the intervals of the variable drawn, e.g. intervals[[{y_pred.name!r}]]."
            )
        coverages = sorted(intervals.columns.get_level_values(1).unique(), reverse=True)
        index = _plottable_index(intervals.index)
        for i, coverage in enumerate(coverages):
            band = intervals[variables[0]][coverage]
            axes.fill_between(
                index,
                band["lower"].to_numpy(dtype=float),
                band["upper"].to_numpy(dtype=float),
                color="C1",
                alpha=0.15 + 0.25 * i / max(1, len(coverages)),
                linewidth=0,
                label=f"{100 * coverage:g}% interval",
            )
    axes.plot(_plottable_index(y_pred.index), y_pred.to_numpy(dtype=float), color="C1", label="y_pred")
    axes.legend()
    if y_train.name is not None:
        axes.set_ylabel(str(y_train.name))
    return fig


def plot_anomalies(detector: Any, X: Any, *, labels: Any = None, ax: Any = None) -> Any:
    """Plot a series with a fitted detector's scores, its threshold and the events it finds.

    Parameters
    ----------
    detector : RNNAnomalyDetector
        A fitted detector.
    X : pd.DataFrame or pd.Series
        The series to score, with the channels of ``fit``.
    labels : array-like of 0/1, default=None
        Known anomalous steps, when there are some: shaded in grey. One label
        per step of ``X`` (not the ilocs ``fit`` takes as ``y``: turn those
        into labels with ``np.isin(np.arange(len(X)), ilocs)``).
    ax : sequence of 2 matplotlib Axes, default=None
        Where to draw the channels and the scores; None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top: the channels, each step the detector flags shaded in red (its
        events) and known anomalies in grey. Bottom: the scores (a line
        labelled ``"score"``), the threshold (``"threshold"``; with
        ``threshold="dynamic"`` the scores are those relative to their
        trailing window, which the threshold applies to) and, with
        ``event_peak`` above 1, the score an event must peak at to be flagged
        (``"event peak"``, dotted).

    Notes
    -----
    ``X`` is scored as :meth:`~RNNAnomalyDetector.predict` scores it: after the
    stream's past when it continues it, on its own otherwise. In streaming,
    plot a chunk before ``update`` (or ``update_predict``) makes it the past:
    after, the chunk no longer continues the stored past and is scored on its
    own (with ``scoring="forecast"`` its first steps get no score; with
    reconstruction they are read by fewer windows), and the shaded events may
    differ from those ``update_predict`` returned.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn import RNNAnomalyDetector
    >>> from sklearn_rnn.plotting import plot_anomalies
    >>> t = np.arange(300)
    >>> X = pd.DataFrame({"sensor": np.sin(2 * np.pi * t / 20)})
    >>> detector = RNNAnomalyDetector(window_length=20, max_epochs=2, random_state=0).fit(X)
    >>> fig = plot_anomalies(detector, X)
    >>> [line.get_label() for line in fig.axes[1].get_lines()]
    ['score', 'threshold', 'event peak']
    """
    if not hasattr(detector, "_flags") or not hasattr(detector, "is_fitted"):
        raise TypeError(f"plot_anomalies needs a fitted RNNAnomalyDetector, got {type(detector).__name__}.")
    if not detector.is_fitted:
        raise NotFittedError(
            f"This {type(detector).__name__} instance is not fitted yet. Call 'fit' with appropriate "
            "arguments before plot_anomalies."
        )
    _check_one_series(X, "X", "plot_anomalies", "a pandas DataFrame or Series", "; e.g. pd.DataFrame(X)")
    # transform's checks and conversion: an index of dates as text, which it refuses, would be drawn
    # as categories with events of no width
    frame = detector._check_X(X.to_frame() if isinstance(X, pd.Series) else X)
    if labels is not None:
        labels = np.asarray(labels).ravel()
        if len(labels) != len(frame):
            raise ValueError(
                f"labels has {len(labels)} values, but X has {len(frame)} time steps: labels holds a 0/1 "
                "label of every step. To shade known anomalies given as ilocs (as fit takes them), pass "
                "labels=np.isin(np.arange(len(X)), ilocs)."
            )
        if not np.isin(labels, (0, 1)).all():
            raise ValueError(
                f"labels must hold 0 or 1 for each step, got the values {np.unique(labels)[:5].tolist()}. "
                "Segment labels from transform in mode='segments' (-1 outside events, 0, 1, ... inside) "
                "become 0/1 with labels >= 0."
            )
    flags, scores = detector._flags(frame, "plot_anomalies")  # one pass: transform's flags, the scores
    fig, (top, bottom) = _figure_and_axes(ax, 2, figsize=(9, 5), sharex=True)
    index = _plottable_index(frame.index)
    for column in frame.columns:
        top.plot(index, frame[column].to_numpy(dtype=float), lw=1, label=str(column))

    spacing = _typical_spacing(frame.index)

    def end_of(stop: int) -> Any:
        """Where a run ending before ``stop`` is shaded to: one step past its last step, and not past
        the next step's time.

        The step is the index's frequency (a month: one month), else its most
        common spacing, so a run before a gap in the data is not shaded across
        the gap; the next time point bounds it where a step is shorter than
        that (February's month end, 31 days being the commonest; a day of 23
        hours at a clock change). An index without arithmetic gets no width.
        """
        if spacing is None:
            return index[stop - 1]
        end = _plottable_index(frame.index[stop - 1 : stop] + spacing)[0]
        return min(end, index[stop]) if stop < len(index) else end

    def shade(axes, mask, color, label):
        for start, stop in flag_runs(mask):
            axes.axvspan(index[start], end_of(stop), color=color, alpha=0.25, lw=0, label=label)
            label = None  # one legend entry

    if labels is not None:
        shade(top, labels > 0, "0.5", "known anomaly")
    shade(top, flags, "C3", "detected")
    top.legend(loc="upper right", fontsize="small")
    bottom.plot(index, scores, color="C0", lw=1, label="score")
    bottom.axhline(detector.threshold_, color="C3", ls="--", label="threshold")
    if detector._event_bar() > detector.threshold_:  # the peak an event must reach to be flagged
        bottom.axhline(detector._event_bar(), color="C3", ls=":", label="event peak")
    bottom.set_ylabel("score")
    if isinstance(frame.index, pd.TimedeltaIndex):
        bottom.set_xlabel("elapsed time (s)")
    bottom.legend(loc="upper right", fontsize="small")
    return fig


def plot_confusion_matrix(
    estimator: Any, X: Any, y: Any, *, normalize: str | None = None, ax: Any = None
) -> Any:
    """Plot the confusion matrix of a fitted classifier on ``(X, y)``.

    A thin wrapper of :meth:`sklearn.metrics.ConfusionMatrixDisplay.from_predictions`
    with the classifier's ``classes_`` as labels, followed by any label of ``y``
    the classifier never saw (a row it never predicts), so that every sequence
    the title's accuracy counts is in the matrix.

    Parameters
    ----------
    estimator : RNNClassifier
        A fitted classifier.
    X : array-like or list of arrays
        Sequences, in the layout used for ``fit``.
    y : array-like of shape (n_samples,)
        True labels.
    normalize : {"true", "pred", "all"} or None, default=None
        Normalisation of the counts, as in :func:`sklearn.metrics.confusion_matrix`.
    ax : matplotlib Axes, default=None
        Where to draw; None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure; its first Axes holds the matrix image.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    check_is_fitted(estimator)
    if not hasattr(estimator, "classes_"):
        raise TypeError(f"plot_confusion_matrix needs a classifier, got {type(estimator).__name__}.")
    if getattr(estimator, "_multilabel", False):
        raise ValueError(
            "plot_confusion_matrix shows one class per sequence; this classifier was fitted on multi-label "
            "y, whose labels are independent. Draw one matrix a label, e.g. with scikit-learn's "
            "multilabel_confusion_matrix(y, clf.predict(X))."
        )
    y = column_or_1d(y, warn=False)  # a (n, 1) y would broadcast against the predictions
    fig, (axes,) = _figure_and_axes(ax, 1)
    y_pred = estimator.predict(X)
    unseen = [label for label in pd.unique(y) if label not in set(estimator.classes_)]
    labels = np.array([*estimator.classes_, *unseen], dtype=object) if unseen else estimator.classes_
    display = ConfusionMatrixDisplay.from_predictions(
        y, y_pred, labels=labels, normalize=normalize, ax=axes, colorbar=False
    )
    axes.set_title(f"{type(estimator).__name__}: accuracy {np.mean(y_pred == y):.3f}")
    return display.figure_


def _class_means(attribution: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Mean over ``members`` at each step, over the sequences observed there (NaN where none is)."""
    rows = attribution[members]
    observed = np.isfinite(rows)
    counts = observed.sum(axis=0)
    sums = np.where(observed, rows, 0.0).sum(axis=0)
    return np.divide(sums, counts, out=np.full(rows.shape[1], np.nan), where=counts > 0)


def plot_time_step_attribution(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    method: str = "occlusion",
    vmax: float | None = None,
    ax: Any = None,
) -> Any:
    """Plot per-time-step attribution of a classifier: mean per class and per sequence.

    Parameters
    ----------
    estimator : RNNClassifier
        A fitted single-label classifier.
    X : array-like or list of arrays
        Sequences, in the layout used for ``fit`` (may be ragged).
    y : array-like of shape (n_samples,), default=None
        True labels: each sequence is explained for, and grouped by, its true
        class. None uses the predicted classes.
    method : {"occlusion", "gradient"}, default="occlusion"
        See :func:`sklearn_rnn.inspection.time_step_attribution`.
    vmax : float, default=None
        The colour scale of the image runs from ``-vmax`` (blue) to ``vmax``
        (red); larger values take the end colours. None uses the 99th
        percentile of the absolute values, so that a few extreme cells do not
        wash out the rest.
    ax : array of 2 matplotlib Axes, default=None
        Where to draw; None creates a new figure.

    Returns
    -------
    fig : matplotlib.figure.Figure
        Top: one line per class, the mean attribution at each step over the
        sequences of that class observed at that step. Bottom: an image of
        every sequence's attribution, one row per sequence, grouped by class
        (in the order of ``classes_``, labelled on the left and separated by
        lines). Steps past a sequence's end are masked and drawn grey.

    See Also
    --------
    sklearn_rnn.inspection.time_step_attribution : The values drawn.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.plotting import plot_time_step_attribution
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 6, 1))
    >>> y = np.where(X[:, 2, 0] > 0, "up", "down")
    >>> clf = RNNClassifier(hidden_size=4, max_epochs=5, random_state=0).fit(X, y)
    >>> ragged = [x[:4] if i % 2 else x for i, x in enumerate(X)]  # every other one: 4 steps
    >>> fig = plot_time_step_attribution(clf, ragged, y)
    >>> [label.get_text() for label in fig.axes[1].get_yticklabels()]
    ['down', 'up']
    >>> image = fig.axes[1].get_images()[0]
    >>> int(image.get_array().mask.sum())  # 20 sequences x 2 steps past their end
    40
    """
    if vmax is not None and not (isinstance(vmax, Real) and np.isfinite(vmax) and vmax > 0):
        raise ValueError(f"vmax must be a positive finite number (colours span -vmax to vmax), got {vmax!r}.")
    attribution = time_step_attribution(estimator, X, y, method=method)
    groups = estimator.predict(X) if y is None else np.asarray(y).ravel()
    n_steps = attribution.shape[1]
    if ax is None:
        plt = _pyplot()
        fig, axes = plt.subplots(
            2, 1, sharex=True, figsize=(8, 6.5), height_ratios=(1, 1.6), layout="constrained"
        )
        axes = list(axes)
    else:
        fig, axes = _figure_and_axes(ax, 2)
    steps = np.arange(n_steps)
    order, labels, centres, boundaries = [], [], [], []
    for label in estimator.classes_:
        members = np.flatnonzero(groups == label)
        if members.size == 0:
            continue
        if order:
            boundaries.append(len(order))  # where this class's rows start
        centres.append(len(order) + (members.size - 1) / 2)
        labels.append(str(label))
        order.extend(members.tolist())
        axes[0].plot(steps, _class_means(attribution, members), label=str(label))
    axes[0].axhline(0.0, color="0.6", lw=0.8)
    axes[0].set_ylabel("mean attribution")
    axes[0].set_title(f"Per-time-step attribution ({method})")
    axes[0].legend(title="class", fontsize="small", ncols=1 + len(labels) // 6)

    finite = np.abs(attribution[np.isfinite(attribution)])
    if vmax is None:
        vmax = float(np.percentile(finite, 99)) if finite.size else 0.0
        if vmax <= 0.0:  # all (or nearly all) zero: any scale shows the same
            vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    cmap = _pyplot().get_cmap("RdBu_r").with_extremes(bad="0.8")
    image = axes[1].imshow(
        np.ma.masked_invalid(attribution[order]),
        aspect="auto",
        interpolation="nearest",
        cmap=cmap,
        vmin=-vmax,
        vmax=vmax,
        extent=(-0.5, n_steps - 0.5, len(order) - 0.5, -0.5),
    )
    extend = "both" if finite.size and finite.max() > vmax else "neither"
    fig.colorbar(image, ax=axes[1], label="attribution", extend=extend)
    for boundary in boundaries:
        axes[1].axhline(boundary - 0.5, color="black", lw=1.0)
    axes[1].set_yticks(centres, labels)
    axes[1].tick_params(axis="y", length=0)
    axes[1].set_ylabel("sequences, by class")
    axes[1].set_xlabel("time step")
    if np.isnan(attribution).any():
        from matplotlib.patches import Patch

        axes[1].legend(
            handles=[Patch(facecolor="0.8", label="no step (past the sequence's end)")],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            fontsize="small",
            frameon=False,
        )
    return fig
