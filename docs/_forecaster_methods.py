"""This library's docstrings of the sktime methods RNNForecaster inherits (fit, predict, update, ...).

sktime's own docstrings of these methods describe every forecaster at once and link to
sktime's notebooks and glossary. ``conf.py`` documents only the methods named here on the
RNNForecaster page, with these texts in place of the inherited ones. A method that
``sklearn_rnn.forecasting`` defines itself keeps its own docstring.
"""

METHODS = {
    "fit": """Fit the forecaster to the series ``y`` (and exogenous ``X``).

Trains one network on the windows of every series of ``y``; see the class
description for the windows, the scaling and the intervals.

Parameters
----------
y : pd.Series, pd.DataFrame or pd.DataFrame with a MultiIndex
    The series to forecast: one series (a Series or a single-column frame),
    several variables (a frame with one column each), or a panel or
    hierarchy of series (a frame whose index is ``(series, ..., time)``).
    Time points may be a ``PeriodIndex``, a ``DatetimeIndex`` or integers;
    values must be finite.
X : pd.DataFrame, default=None
    Exogenous series with the same index as ``y`` (rows beyond the end of
    ``y`` serve later forecasts). The network reads them in its window and
    for the ``horizon_`` future steps.
fh : int, list, np.ndarray or ForecastingHorizon, default=None
    The steps ahead to forecast (relative, e.g. ``[1, 2, 3]``, or absolute
    time points). It sets how far the network forecasts (``horizon_``, also
    raised by ``max_horizon``); None: ``max_horizon``, or ``window_length``
    when that is None too. ``predict`` then serves any steps within
    ``1..horizon_``.

Returns
-------
self : RNNForecaster
    The fitted forecaster.
""",
    "predict": """Forecast the steps ``fh`` after the end of each series.

Parameters
----------
fh : int, list, np.ndarray or ForecastingHorizon, default=None
    Steps ahead (relative) or time points (absolute), all within
    ``1..horizon_`` steps of each series' end. None: the ``fh`` passed to
    ``fit``.
X : pd.DataFrame, default=None
    Exogenous values at every time point of ``fh`` of every series, when
    the forecaster was fitted with ``X`` (unless ``fit`` or ``update``
    already received them). Rows at or before a series' end are only
    checked against the stored ones, never written.

Returns
-------
y_pred : pd.Series or pd.DataFrame
    The point forecasts (the median, quantile 0.5), in the units and the
    layout of ``y``, indexed by the time points of ``fh``.
""",
    "predict_interval": """Prediction intervals for the steps ``fh``.

The bounds of the interval of coverage ``c`` are the forecast quantiles at
levels ``(1 - c) / 2`` and ``(1 + c) / 2`` (see ``predict_quantiles``). The
Notes of the class say how they are fitted and how well they cover.

Parameters
----------
fh : int, list, np.ndarray or ForecastingHorizon, default=None
    As for ``predict``.
X : pd.DataFrame, default=None
    As for ``predict``.
coverage : float or list of float, default=0.9
    Nominal coverage of each interval, strictly between 0 and 1.

Returns
-------
intervals : pd.DataFrame
    One row per time point of ``fh``; columns ``(variable, coverage,
    "lower" or "upper")``.
""",
    "predict_quantiles": """Quantile forecasts for the steps ``fh``.

The network is trained for the levels ``quantile_levels_``; other levels are
interpolated between them (linearly in normal scores, extrapolated beyond the
outermost ones).

Parameters
----------
fh : int, list, np.ndarray or ForecastingHorizon, default=None
    As for ``predict``.
X : pd.DataFrame, default=None
    As for ``predict``.
alpha : float or list of float, default=None
    Quantile levels, strictly between 0 and 1. None: ``[0.05, 0.95]``.

Returns
-------
quantiles : pd.DataFrame
    One row per time point of ``fh``; columns ``(variable, level)``.
""",
    "update": """Add new observations; with ``update_params``, train further on all data seen.

The new values extend each series (and ``X``), and the cutoff moves to the
new end: the next ``predict`` forecasts from there. With
``update_params=True`` the network then trains for ``update_epochs`` more
epochs (None: ``max(1, max_epochs // 10)``) on the windows of everything seen
so far, the new windows included; the scaling statistics stay those of
``fit``. Data the forecaster cannot use (NaN, a time point given twice, a
value <= 0 in a column modelled on the log scale, missing ``X``) is refused
before anything changes.

Parameters
----------
y : pd.Series or pd.DataFrame
    New observations after the current end of each series, in the layout
    and with the columns of the ``y`` passed to ``fit``.
X : pd.DataFrame, default=None
    Exogenous values for the new time points, when the forecaster was
    fitted with ``X``.
update_params : bool, default=True
    Whether to train the network further (``update_epochs`` epochs), or
    only to extend the series the forecasts start from.

Returns
-------
self : RNNForecaster
    The updated forecaster.
""",
    "get_params": """Get the parameters of this forecaster (the arguments of ``__init__``).

Parameters
----------
deep : bool, default=True
    Also return the parameters of nested estimators (there are none).

Returns
-------
params : dict
    Parameter names mapped to their values.
""",
    "set_params": """Set the parameters of this forecaster; they take effect at the next ``fit``.

``update_epochs`` takes effect at the next ``update``.

Parameters
----------
**params : dict
    Parameter names (those of ``__init__``) and their new values.

Returns
-------
self : RNNForecaster
    The forecaster.
""",
}
