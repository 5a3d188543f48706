"""Recurrent forecaster for sktime: direct multi-step quantile forecasts from windows of history.

sktime is imported here only; ``sklearn_rnn`` loads this module on first use of
:class:`RNNForecaster`.
"""

from __future__ import annotations

import warnings
from functools import partial
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
from sktime.utils.validation.forecasting import check_fh

from ._codec import custom_offset
from ._docs import with_shared_parameters
from ._forecast_network import ForecastNetwork
from ._forecast_state import RESTORED, SeriesState
from ._intervals import (
    distribution_levels,
    fitted_levels,
    interpolate_quantiles,
    median_index,
    quantile_moments,
    quantile_pairs,
)
from ._networks.forecast import seasons_lower_aic
from ._runtime import resolve_device, torch_session, user_stacklevel
from ._series import (
    append_rows,
    check_exog_values,
    format_times,
    grid_steps,
    infer_sp,
    instances,
    last_time,
    refuse_other_fh_kind,
    series_freq,
    series_label,
)
from ._storable import SafeFormatMixin, VersionedPickleMixin
from ._training import (
    MAX_LAYERS,
    MAX_SIZE,
    MAX_WINDOW_LENGTH,
    RECURRENT_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    Int,
)
from ._windows import (
    check_validation_split,
    held_out_split,
    resolve_window_length,
    scoring_windows,
)

__all__ = ["RNNForecaster"]

#: target_transform="auto" logs a positive column only if it moves by at least this share of its level
RELATIVE_SPREAD = 1e-6


def _counts_dates(cutoff: pd.Index) -> bool:
    """Whether sktime can count dates in steps of ``cutoff``'s frequency (it cannot on business month
    ends, semi-months or business hours, where it fails with an ``AttributeError``)."""
    if not isinstance(cutoff, pd.DatetimeIndex) or cutoff.freq is None:
        return True
    try:
        with warnings.catch_warnings():  # pandas' deprecation of business-day periods: sktime's own
            warnings.simplefilter("ignore", FutureWarning)
            end = last_time(cutoff)
            ForecastingHorizon(end, is_relative=False, freq=cutoff.freq).to_relative(end)
    except AttributeError:
        return False
    return True


@with_shared_parameters
class RNNForecaster(SeriesState, ForecastNetwork, SafeFormatMixin, VersionedPickleMixin, BaseForecaster):
    """Recurrent neural network forecaster (RNN, LSTM or GRU) with quantile forecasts.

    A direct multi-step model: from a window of the last ``window_length``
    observations (and of exogenous ``X``), one network outputs every step
    ``1..horizon`` at once, for every column of ``y`` and at several quantile
    levels. The forecast for step ``h`` is therefore the same whether ``h`` is
    asked alone or with other steps. Panel and hierarchical ``y`` train one global
    model on the windows of all series and forecast each.

    Scaling is internal: each column of each series is log-transformed when it
    is strictly positive (``target_transform="auto"``), then standardised with
    that series' mean and standard deviation, and the network sees every window
    relative to its own mean level. The network starts from what classical
    models know: by default it forecasts corrections to damped-trend exponential
    smoothing of the window (Holt-Winters, with seasons of period ``sp``), whose
    smoothing parameters are first fitted alone to the training windows, as a
    classical model would be, and then stay as fitted while the network learns.
    Forecasts are returned in the original units.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Number of past time steps the network reads, at most 65,536. Cover at
        least one season (two for the smoothing to start its trend from them).
        "auto": half the longest series' length, between 2 and 36 steps
        (``window_length_``).
    max_horizon : int or None, default=None
        Number of steps the network forecasts, raised to the largest step of
        an ``fh`` passed to ``fit`` that reaches further (``horizon_``). None:
        the largest step of the ``fh`` passed to ``fit``, or ``window_length``
        when ``fit`` gets no ``fh``. ``predict`` can then serve any ``fh``
        within ``1..horizon_``.
    sp : int or None, default=None
        Seasonal period. When ``1 < sp <= window_length_``, the baseline has
        seasons of this period (additive in the scaled units, so multiplicative
        on the log scale), otherwise none. None infers it from the frequency of
        the time index, of every series of a panel together
        (monthly 12, semi-monthly 24, quarterly 4, weekly 52, daily 7,
        business-daily 5, custom business days the days of their week, hourly 24;
        a multiple divides it where it can, 2-hourly 12; 1 for integer indices or
        other frequencies), and, where the window holds a season of it, keeps it
        only where the values show seasons of that period, as exponential
        smoothing's automatic model choice (ETS) keeps a seasonal model: where
        the smoothing with those seasons has the lower AIC
        on the training series than without them (fitted alone to each column of
        each series, its last ``max(100, 10 sp)`` steps, on the scale modelled,
        ``X`` unread; one choice for a panel, its series' AIC summed; series of
        fewer than two seasons keep them); ``sp_`` is 1 otherwise (seasonally
        adjusted data; ShampooSales, a steep trend). An int is used as given.
    local_level : bool, default=True
        Subtract each window's mean from its inputs (and, for the naive baseline
        without seasons, add it back to the forecast), so the network sees
        shapes, not levels: right for trending or drifting series. Set False for
        stationary series, where the distance from the long-run mean is what
        predicts the future (mean reversion): the network then forecasts from
        the series' mean (its scaled zero), or from the last season with
        ``sp``, without the smoothing baseline.
    baseline : {"smoothing", "naive"}, default="smoothing"
        The forecast the network corrects. "smoothing": Holt's linear method
        with a damped trend, and additive seasons of period ``sp``, run over
        each window; its four smoothing parameters (one set per column of ``y``,
        shared by the series of a panel) are fitted alone to the training
        windows first (least absolute error of the forecasts), then left as
        fitted while the network learns to correct them (files saved before
        load with parameters learned with the network, as they were). With
        ``X``, a linear map of each step's ``X`` (ridge regression, fitted first
        within the training windows) is taken out of the window it smooths and
        added back at the forecast steps. "naive":
        the window's mean (with ``local_level``; zero without), or with seasons
        the last observed season repeated (the only baseline before the
        smoothing; files saved before it load with it). The user guide's
        forecasting page has what each measured.
    correction_weight : float in [0, 1] or "auto", default="auto"
        Weight of the network's median forecast against its baseline's (1:
        the network's, 0: the baseline's); the network's other quantiles move
        with its median, keeping their spread.
        "auto": each column's, of 0, 0.1, ..., 1, whose medians erred least on
        the held-out values of ``conformal=True``, in ``correction_weight_``;
        0 (the smoothing alone) where the series are too short to hold out
        values, or hold out fewer than 10 a forecast step, and
        ``baseline="smoothing"`` (then, without ``X``, averaged with the
        smoothing fitted to the whole series, ``series_smoothing_``),
        otherwise 1 without held-out values
        (``conformal=False``, or the naive baseline). Files saved
        before it load with 1.
    n_networks : int, default=1
        Number of networks trained side by side, each from its own initial
        weights on the same batches; the forecast (every quantile) is their
        mean, at ``n_networks`` times the cost of one. Averaging narrows the
        spread between seeds; on the forecasting benchmark it did not lower the
        error on average (the user guide's forecasting page has the figures).
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: Elman RNN (tanh), LSTM or GRU.
    hidden_size : int, default=64
        Hidden units per direction and layer.
    {shared: num_layers}
    bidirectional : bool, default=False
        Whether each layer also reads the window backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    quantile_levels : sequence of float or None, default=None
        Quantile levels the network is trained for (pinball loss); 0.5 is always
        added and serves the point forecast. None uses
        ``(0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)``. Other levels
        asked of ``predict_quantiles`` are interpolated between these (linearly
        in normal scores, extrapolated beyond the outermost ones along the
        span to the nearest quantile that differs, so that a wider interval
        is never narrower where calibration made the outermost ones equal; on
        the log scale for a column modelled there, so they stay positive). ``[0.5]``
        trains the median alone: ``predict`` forecasts, and the tag
        ``capability:pred_int`` is False (``predict_interval``,
        ``predict_quantiles``, ``predict_var`` and ``predict_proba`` raise
        sktime's ``NotImplementedError``: nothing to calibrate).
    target_transform : {"auto", "log", "none"}, default="auto"
        ``"auto"`` log-transforms each column of ``y`` whose training values are
        all strictly positive; ``"log"`` requires that of every column. A column
        modelled on the log scale cannot take values <= 0 later: ``update`` refuses
        them. A column that moves by less than a millionth of its level (1e15
        plus a count) is not logged by ``"auto"``: its log is a straight line of
        it, on which float64 rounds its changes away. Pass ``"none"`` for series
        that can reach zero (sales, counts),
        or that lie close to it against their spread: the log stretches the
        values near 0 (monthly counts plus 0.1, values 0.1 to 3.1: the 90%
        interval's upper bound reached 9 times the largest value seen and
        covered 8 of 12 held-out months; with ``"none"`` 3.9 and all 12).
    max_epochs : int, default=200
        Number of passes over the training windows.
    batch_size : int, default=32
        Windows per gradient step.
    lr : float, default=3e-3
        Initial learning rate.
    {shared: optimizer}
    {shared: lr_schedule}
    {shared: gradient_clip_value}
    early_stopping : bool, default=False
        Hold out the latest ``validation_fraction`` of each series' windows and
        stop when their loss stalls for ``n_iter_no_change`` epochs, restoring
        the best weights. Training windows whose targets reach into the time
        points the held-out windows forecast are left out, so validation
        measures forecasts of a future the training never saw.
    validation_fraction : float, default=0.1
        Share of each series' windows (the latest, by time, at least one) held
        out when ``early_stopping=True``.
    {shared: n_iter_no_change}
    {shared: tol}
    update_epochs : int or None, default=None
        Epochs of further training on all data seen so far when ``update`` is
        called with ``update_params=True``. None: ``max(1, max_epochs // 10)``.
    conformal : bool, default=True
        Calibrate the prediction intervals on held-out data (conformalised
        quantile regression, Romano et al. 2019): the latest time points of each
        series are held out of training, and every central interval of the
        quantile heads (by default 0.025-0.975, 0.05-0.95, 0.1-0.9, 0.25-0.75)
        is widened, or narrowed, at each forecast step by the amount that makes
        it cover its share of the held-out values, all steps' values pooled in
        units of each step's typical error, each held-out time point counted
        once (it is scored at every step): an interval of coverage ``c`` needs
        ``c / (1 - c)`` held-out time points, all series together (19 for 95%),
        and with fewer its offsets come from the largest score and a warning
        says what coverage that calibrates for. With
        ``correction_weight="auto"`` the same values first choose how much of
        the network's correction of its baseline each column keeps. The
        network trained without them is the one that forecasts (it is not
        refitted on all data); the calibration never moves the median, the
        point forecast. With fewer than 4 held-out
        time points in all (each step's spread would rest on 1 to 3), nothing is
        held out, a warning says so, and each interval is the network's own
        widened, where narrower, to the wider of the drift method's and, where
        fitted, ``series_smoothing_``'s own (``interval_floors_``).
        False trains on all windows and returns the network's own quantiles,
        which come out too narrow on short series. See Notes.
    calibration_fraction : float, default=0.2
        Share of each series' windows, the latest by time (at least one), whose
        first forecast steps are held out when ``conformal=True``, as
        ``validation_fraction`` does for early stopping.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout and shuffling (the validation split is by time).
    {shared: device}
    {shared: n_threads}
    {shared: verbose}
    {shared: callbacks}
    {shared: net_kwargs}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network (a :class:`ForecastNet` around the shared recurrent module).
    window_length_ : int
        Number of past time steps the network reads (``window_length`` resolved).
    horizon_ : int
        Number of steps the network forecasts.
    sp_ : int
        Seasonal period (``sp`` resolved: with None, the index's period, or 1
        where the values do not show its seasons; the baseline has seasons where
        ``1 < sp_ <= window_length_``).
    quantile_levels_ : ndarray
        Sorted quantile levels of the network's outputs.
    log_transform_ : ndarray of bool, shape (n_columns,)
        Which columns of ``y`` are modelled on the log scale.
    loss_curve_ : list of float
        Training pinball loss (scaled units) at each epoch of the latest ``fit``
        or ``update`` that trained.
    validation_loss_curve_ : list of float or None
        Early stopping's validation loss at each epoch (None without it).
    n_iter_ : int
        Number of epochs run (by the latest ``fit``, or ``update`` that trained).
    n_windows_ : int
        Number of windows cut for training (with ``conformal=True``, without
        the held-out windows and the ``horizon_ - 1`` before them); with
        ``early_stopping=True``, its validation windows are among them.
    conformal_offsets_ : ndarray of shape (horizon_, n_columns, n_intervals) or None
        Conformal offset of each central interval of ``quantile_levels_``
        (outermost first) at each step, in the network's scaled units (after
        the log transform and each series' standardisation): subtracted from
        the interval's lower quantile and added to its upper one. None when
        the intervals are not calibrated.
    n_calibration_scores_ : ndarray of shape (horizon_,)
        Number of held-out values at each step (the fewest over columns; 0
        when the intervals are not calibrated): the held-out time points, each
        scored once a step. The offsets of every step come from the scores of
        all steps together, ranked by the number of time points.
    correction_weight_ : ndarray of shape (n_columns,)
        Weight of the network's forecast against its baseline's in each
        column's forecasts (``correction_weight`` resolved): with "auto", of 0,
        0.1, ..., 1, the one whose medians erred least on the held-out values
        (mean absolute error in the scaled units, the largest weight on a tie);
        0 where the series were too short to hold out values, or held out
        fewer than 10 a step, and the baseline is the smoothing, 1 otherwise
        without held-out values.
    interval_floors_ : ndarray of shape (horizon_, n_columns, n_quantiles) or None
        Where ``conformal=True`` but the series were too short to calibrate:
        how far each level of ``quantile_levels_`` lies from the median at each
        step, in the network's scaled units: the farther of the drift
        method's (a random walk with drift, its deviation pooled from the
        series' first differences) and, where ``series_smoothing_`` is
        fitted, that smoothing's own (its state space model's forecast
        variance from its one-step errors, Student's t quantiles). A quantile
        of the network's nearer the median than that is moved out to it.
        None otherwise.
    series_smoothing_ : ndarray of shape (4, n_columns) or None
        Where the series were too short to hold out values, or held out fewer
        than 10 a step (with ``correction_weight="auto"``, which is then 0, the
        smoothing baseline, ``local_level=True`` and no ``X``):
        the parameters (alpha, beta, phi, gamma; one set a column, shared by
        the series) of the same damped-trend smoothing fitted to the whole
        series as ETS fits it, by the squared errors of its one-step forecasts
        from the initial state that fits them best. Each series' forecast is
        the mean, in the series' units (for a column on the log scale too), of
        the smoothing's forecast from its window and this one's from its last
        ``series_smoothing_length_`` values; the quantiles move with it. Series
        of fewer than 3 values, or with seasons fewer than ``max(2 sp, sp + 7)``,
        are left out of the fit and forecast by the smoothing alone. None
        otherwise (and for files saved before it).
    series_smoothing_length_ : int or None
        How many of each series' latest values ``series_smoothing_`` reads:
        the longest training series' length, at most ``max(100, 10 sp)``.

    See Also
    --------
    RNNRegressor : The same recurrent network for sequence regression.

    Notes
    -----
    Training windows end at every time step of every series that leaves at
    least one future observation; steps beyond a series' end are masked out of
    the loss. Each series of a panel or hierarchy is forecast from its own last
    observation: a relative ``fh`` counts from each series' end (series ending on
    different dates get forecasts on different dates), an absolute ``fh`` names
    the same time points for every series, as sktime's forecasters of a single
    series do on each series of a panel: time points of ``y``'s kind (periods of
    its frequency, dates in its time zone, integers) on each series' grid,
    others are refused (sktime would label an earlier step's forecast with a
    time point between steps). Dates without a set ``freq`` get the
    frequency inferred from the series; irregular dates are refused. Integer
    time points must step by 1 within each series (0, 2, 4, ... is refused):
    sktime labels step ``h`` ``cutoff + h`` on them, and the network forecasts
    the next rows.

    Exogenous ``X``: the window carries past ``X``, and the network also reads
    ``X`` for the ``horizon_`` future steps. ``predict`` needs ``X`` at every time
    point of ``fh`` of every series (passed to it, or given to ``fit`` or
    ``update`` beyond the end of ``y``); other future steps are filled forward
    from the last known row. Rows of ``X`` passed to ``predict`` at or before a
    series' end are only checked against the stored ones (at float32's
    precision, in which the network reads ``X``), which ``predict`` never
    changes (revise past values with ``update``). ``predict`` and ``update``
    select the columns of ``fit`` by name (in any order) and refuse missing or
    other ones, and ``X`` indexed by time points of another kind than ``y``'s
    (dates for periods, another time zone). Every step's forecast reads all
    ``horizon_`` future rows, so pass ``X`` for steps ``1..horizon_`` when a
    step's forecast must not depend on which other steps are asked. Series
    shorter than ``window_length_`` are left-padded with their first value.
    A series constant in ``fit`` (a column of it too) is forecast as the
    constant, with intervals of width 0, as AutoETS and NaiveForecaster give
    it; ``predict`` warns once it has moved. A series of one value is
    forecast as that value, with NaN intervals, quantiles (but the median)
    and variances, as NaiveForecaster gives them: one value tells nothing of
    its spread.

    ``fit`` and ``update`` refuse a time point given twice in a series, and
    ``update`` checks its data before anything moves: refused data (such as a
    value <= 0 in a column modelled on the log scale) leaves the cutoff, the
    history and the network as they were.

    The point forecasts of each column are ``w`` times the network's median
    and ``1 - w`` times its baseline's forecast (``correction_weight_``; in the
    scaled units, so a weighted geometric mean for a column on the log scale),
    and the network's other quantiles move by as much. By default ``w``
    is chosen on the held-out time points the calibration also uses, and the
    chosen mix is the one calibrated: where the network's corrections did not
    help on the latest data, the forecast leans on the baseline. Without
    held-out data ``w`` is 0 (the fitted smoothing alone) where the series
    were too short to hold any out, or to hold out 10 values a step (too few
    to show that the correction helps), and 1 with ``conformal=False`` or the
    naive baseline. Where the series were too short to hold out values, or
    held out fewer than 10 a step, the smoothing's forecast is averaged with
    the same smoothing's fitted to the whole series (``series_smoothing_``):
    two fits of one classical model, from windows and from the whole series,
    combined (with values held out, the intervals keep the offsets calibrated
    about the smoothing's own forecasts, moved with the mean).

    Intervals come from the quantile heads, calibrated by split conformal
    prediction on time-ordered held-out data (``conformal=True``): each
    series holds out the time points its latest ``calibration_fraction`` of
    windows forecast first (and the windows whose targets reach into them),
    the trained network forecasts them from every origin 1 to ``horizon_``
    steps before, and each central interval moves at each step by the
    finite-sample quantile of how far those values fell outside it, the
    scores of all steps pooled, each in units of its step's mean absolute
    error, each held-out time point counted once (it is scored at every
    step, and its scores move together). The coverage this aims at is
    marginal (on average over series, origins and steps) and holds only as
    far as the future resembles the held-out period; with too few held-out
    time points for a level (19 for 95%), or none, a warning says so.
    Series too short to calibrate get intervals at least as wide as the
    drift method's, which assume the series moves as a random walk with the
    drift and step deviation of its past, and as the whole-series
    smoothing's own (``interval_floors_``); neither guarantees a coverage.
    ``update`` keeps the offsets, floors, correction weights and
    ``series_smoothing_`` of ``fit`` (which then reads the latest values). The user guide's
    forecasting page (Calibrated intervals) has the procedure and what it
    measured.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn import RNNForecaster
    >>> t = np.arange(200)
    >>> y = pd.Series(10 + np.sin(2 * np.pi * t / 12))
    >>> f = RNNForecaster(window_length=24, hidden_size=16, max_epochs=60, random_state=0)
    >>> f = f.fit(y, fh=[1, 2, 3])
    >>> y_pred = f.predict()
    >>> bool(np.abs(y_pred.values - (10 + np.sin(2 * np.pi * np.arange(200, 203) / 12))).max() < 0.2)
    True
    >>> f.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    # sktime's copies of all data seen (``_y``, ``_X``) are not needed: the forecaster keeps its own
    # history (``_y_hist``) and updates itself. Declared here, sktime 1.2 does not announce (FutureWarning,
    # at every construction, clone and reset) that its default will change to this in 1.3.
    _config = {"remember_data": False}
    _required_fitted = frozenset({"log_transform_", "_y_scaling", "_X_hist", "_n_exog"})

    _tags = {
        "authors": ["sklearn_rnn developers"],
        "maintainers": ["sklearn_rnn developers"],
        "python_dependencies": ["torch", "skorch"],
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        # a step's forecast reads X at all horizon_ future steps: X at fh's rows only is filled forward
        "capability:non_contiguous_X": False,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "capability:update": True,
        "capability:unequal_length": True,
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }

    _parameter_constraints: dict = {
        **RECURRENT_CONSTRAINTS,
        **TRAINING_CONSTRAINTS,
        "max_epochs": [Int(1)],
        "window_length": [Int(1, MAX_WINDOW_LENGTH), StrOptions({"auto"})],
        "max_horizon": [Int(1, MAX_SIZE), None],
        "quantile_levels": ["array-like", None],
        "sp": [Int(1, MAX_SIZE), None],
        "local_level": ["boolean"],
        "baseline": [StrOptions({"smoothing", "naive"})],
        "correction_weight": [Interval(Real, 0, 1, closed="both"), StrOptions({"auto"})],
        "n_networks": [Int(1, MAX_LAYERS)],
        "target_transform": [StrOptions({"auto", "log", "none"})],
        "update_epochs": [Int(1), None],
        "conformal": ["boolean"],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        window_length: int | str = "auto",
        max_horizon: int | None = None,
        sp: int | None = None,
        local_level: bool = True,
        baseline: str = "smoothing",
        correction_weight: float | str = "auto",
        n_networks: int = 1,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        quantile_levels: Any = None,
        target_transform: str = "auto",
        max_epochs: int = 200,
        batch_size: int = 32,
        lr: float = 3e-3,
        optimizer: str | type = "adamw",
        lr_schedule: str = "cosine",
        gradient_clip_value: float | None = 1.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        update_epochs: int | None = None,
        conformal: bool = True,
        calibration_fraction: float = 0.2,
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_threads: int | None = 1,
        verbose: int = 0,
        callbacks: list | None = None,
        net_kwargs: dict | None = None,
    ) -> None:
        self.window_length = window_length
        self.max_horizon = max_horizon
        self.sp = sp
        self.local_level = local_level
        self.baseline = baseline
        self.correction_weight = correction_weight
        self.n_networks = n_networks
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.quantile_levels = quantile_levels
        self.target_transform = target_transform
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.gradient_clip_value = gradient_clip_value
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.update_epochs = update_epochs
        self.conformal = conformal
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.net_kwargs = net_kwargs
        super().__init__()
        try:  # trained for the median alone ([] too): no intervals (sktime's composites read the tag)
            levels = set(np.ravel(quantile_levels).tolist()) if quantile_levels is not None else None
            median_only = levels is not None and levels <= {0.5}
        except (TypeError, ValueError):  # refused at fit
            median_only = False
        if median_only:
            self.set_tags(**{"capability:pred_int": False})

    # -- fit --------------------------------------------------------------------------------------
    def _check_fh(self, fh: Any, pred_int: bool = False) -> ForecastingHorizon | None:
        """The checked ``fh``; one refused leaves the ``fh`` kept from ``fit`` or an earlier predict.

        sktime stores a new ``fh`` before its checks end, and the forecaster
        refused one beyond ``horizon_`` only when it forecast: the refused
        ``fh`` then stayed, and every later ``predict()`` without ``fh`` failed.
        """
        kept = getattr(self, "_fh", None)
        try:
            checked = self._checked_fh(fh, pred_int)
            if fh is not None and checked is not None and self.is_fitted:
                self._reach(checked)
            return checked
        except Exception:
            if self.is_fitted:
                self._fh = kept
            raise

    def _checked_fh(self, fh: Any, pred_int: bool = False) -> ForecastingHorizon | None:
        """sktime's check of ``fh``, after refusing absolute time points of another kind than ``y``'s.

        sktime's own check of an ``fh`` of dates for a series of periods (or of
        integers, or the reverse) fails with an ``AssertionError`` or a
        ``TypeError`` that names neither, and of dates off a grid of a multiple
        of a frequency (2-hourly) with a ``ValueError`` about coercing floats.
        """
        cutoff = getattr(self, "_cutoff", None)
        if fh is not None and isinstance(cutoff, pd.Index):
            checked = check_fh(fh)
            if not checked.is_relative:
                times = checked.to_pandas()
                refuse_other_fh_kind(times, cutoff)
                freq = getattr(cutoff, "freq", None)
                custom = custom_offset(freq)
                if custom or not _counts_dates(cutoff):  # sktime fails coercing dates to periods
                    grid = pd.date_range(cutoff.max(), max(times.max(), cutoff.max()), freq=freq)
                    steps = grid.get_indexer(times)
                    if (steps < 1).any():  # before the cutoff or off the grid: a generic example
                        steps = np.arange(1, min(len(times), getattr(self, "horizon_", len(times))) + 1)
                    steps = [int(step) for step in steps]
                    why = (
                        f"it reads it by its name, {freq.freqstr!r}, alone"
                        if custom
                        else "it has no period of that frequency to count them in"
                    )
                    raise ValueError(
                        f"fh holds dates, and the series' frequency is {freq!r}, on which sktime cannot "
                        f"count dates ({why}). Pass fh as steps ahead, e.g. fh={steps}: the forecasts are "
                        "dated on the series' time points."
                    )
                if isinstance(cutoff, pd.DatetimeIndex):  # sktime fails on dates off a grid of 2h
                    self._refuse_off_grid_dates(times, cutoff)
        try:
            return super()._check_fh(fh, pred_int=pred_int)
        except NotImplementedError as exc:  # sktime names the fh argument: None for the one fit stored
            given = fh if fh is not None else getattr(self, "_fh", None)
            if given is None or "in-sample" not in str(exc):
                raise
            try:
                placed = check_fh(given, freq=cutoff) if fh is not None else given
                times = placed.to_absolute(cutoff).to_pandas()
                past = times[times <= cutoff.max()]
            except (TypeError, ValueError):  # the dates cannot be placed: sktime's words stand
                raise exc from None
            if fh is None:
                raise NotImplementedError(
                    f"{type(self).__name__} can not perform in-sample prediction: the fh it keeps (given "
                    f"to fit or to an earlier predict) holds {format_times(past, limit=4)}, at or before "
                    f"the series' end ({format_times(cutoff[-1:])}) since update added data. Pass fh to "
                    "predict, as steps ahead (e.g. fh=[1, 2, 3]) or as time points after the end."
                ) from None
            if not len(past):
                raise
            y = getattr(self, "_y_hist", None)
            ends = [] if y is None else [(key, last_time(f.index)[0]) for key, f in instances(y)]
            # the panel's cutoff alone makes it in-sample: absolute time points, all after some series' end
            earliest = min((end for _, end in ends), default=None)
            if len({end for _, end in ends}) < 2 or placed.is_relative or not (past > earliest).all():
                # sktime's words print the whole fh (a Detrender's: every training time point)
                if placed.is_relative:  # steps: each series counts them from its own end
                    steps = placed.to_pandas()
                    whose = "each series'" if len(ends) > 1 else "the series'"
                    held = f"the steps {format_times(steps[steps <= 0], limit=4)}, at or before {whose} end"
                else:
                    end = format_times(cutoff[-1:])
                    held = f"{format_times(past, limit=4)}, at or before the series' end ({end})"
                raise NotImplementedError(
                    f"{type(self).__name__} can not perform in-sample prediction: fh holds {held}. "
                    "It forecasts after the data it was given and has no "
                    "fitted values of that data (which a Detrender, or residuals of the training data, "
                    "would read). Pass fh as steps ahead (e.g. fh=[1, 2, 3]) or as time points after the end."
                ) from None
            last_key = max(ends, key=lambda pair: pair[1])[0]
            raise NotImplementedError(
                f"{type(self).__name__} can not perform in-sample prediction: fh holds "
                f"{format_times(past, limit=4)}, at or before the panel's cutoff, its latest time point "
                f"({format_times(cutoff[-1:])}, the end{series_label(last_key)}), though after the end of "
                "some series: sktime places an fh of time points from that one cutoff. Pass fh as steps "
                "ahead (e.g. fh=[1, 2, 3]), which forecasts each series from its own end."
            ) from None

    def pretrain(self, y: Any, X: Any = None, fh: Any = None) -> RNNForecaster:
        """Refused: the forecaster learns across the series it is fitted on, with no separate pretraining.

        sktime's ``pretrain`` of a forecaster without the ``capability:pretrain``
        tag reads nothing and marks it pretrained, so a global backtest
        (``evaluate(..., cv_global=...)``) fitted the network on the test
        series' history alone, its pretraining series unread, without a word.

        Raises
        ------
        NotImplementedError
            Always, with the ways to train one network on other series.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not pretrain: sktime's pretrain would leave these series unread "
            "and the next fit would train on its own series alone. The network is trained across the "
            "series of the panel fit is given: fit on a panel that holds the other series and those to "
            "forecast, or fit on the other series and add the new ones with update(y_new, "
            "update_params=False), which forecasts them with that network from their own ends."
        )

    def predict_residuals(self, y: Any = None, X: Any = None) -> Any:
        """Residuals ``y - predict`` of values after the series' end (no in-sample forecasts).

        sktime's own, for ``y`` given: ``y`` minus the forecasts of its time
        points, which must lie after the end of the data seen (``fit`` and
        ``update``). With ``y=None`` sktime computes residuals of the training
        data, which needs in-sample forecasts the forecaster does not make:
        refused, with what it can do instead (sktime's message offered two
        fixes, and both failed).

        Parameters
        ----------
        y : time series in sktime's formats, as in ``fit``
            Values observed after the series' end.
        X : time series in sktime's formats, optional
            Exogenous values of ``y``'s time points, as ``predict`` takes them.

        Returns
        -------
        residuals : time series in the format of ``y``
            ``y`` less the forecasts of its time points (on a panel, each
            series' forecasts of its rows' time points).
        """
        if y is None:
            self.check_is_fitted()
            raise NotImplementedError(
                f"{type(self).__name__} has no residuals of its training data: it forecasts after the "
                "data it was given and makes no in-sample forecasts. Pass values that follow the "
                "series' end (predict_residuals(y_test) after fitting on the data before them), or "
                "backtest with sktime's evaluate(forecaster, cv, y, return_data=True), whose y_pred "
                "follows each cutoff."
            )
        if isinstance(getattr(y, "index", None), pd.MultiIndex) and isinstance(y, pd.DataFrame):
            # sktime places y's time points as one fh, which fails on a panel ("Invalid fh"): the
            # forecasts of its time points, each series' own, less y, row by row
            self.check_is_fitted()
            # the steps each series' rows take when they follow its end, as a backtest's do (then X
            # need cover y's rows alone); else every step the network forecasts
            rows = y.groupby(level=list(range(y.index.nlevels - 1)), sort=False).size().max()
            kept = self._fh  # as sktime's own: the fh of later predict() calls stays
            try:
                for reach in dict.fromkeys((min(rows, self.horizon_), self.horizon_)):
                    forecasts = self.predict(fh=list(range(1, reach + 1)), X=X)
                    if y.index.isin(forecasts.index).all():
                        break
            finally:
                self._fh = kept
            unmatched = ~y.index.isin(forecasts.index)
            if unmatched.any():
                raise ValueError(
                    f"y holds rows the forecaster does not forecast, e.g. {y.index[unmatched][0]}: residuals "
                    f"are of the time points within horizon_={self.horizon_} steps after each series' end."
                )
            return y - forecasts.reindex(index=y.index, columns=y.columns)
        return super().predict_residuals(y=y, X=X)

    def _refuse_off_grid_dates(self, times: pd.DatetimeIndex, cutoff: pd.DatetimeIndex) -> None:
        """Refuse dates of an absolute ``fh`` off the grid after each series' end (:func:`grid_steps`).

        The series are those of the last fit or update, where the cutoff is
        still theirs; in ``fit``, before they are stored, the cutoff alone.
        """
        y = getattr(self, "_y_hist", None)
        if y is None or y.index.get_level_values(-1).max() != cutoff[-1]:
            freq, ends = getattr(cutoff, "freq", None), [((), last_time(cutoff))]
        else:
            freq, ends = self._fh_freq(), [(key, last_time(frame.index)) for key, frame in instances(y)]
        for key, end in ends if freq is not None else ():
            if (times > end[0]).all():  # dates at or before an end are refused as in-sample
                grid_steps(times, end, freq, key)

    def _set_cutoff_from_y(self, y: Any) -> None:
        """sktime's cutoff, never moved back by an update, with the frequency where dates carry none.

        sktime sets the cutoff to the end of the data given, so an ``update``
        that only revises earlier values would move it back while the forecasts
        still start from the end of the series: the cutoff stays at the latest
        time point seen. A series or panel indexed by a date column has a cutoff
        without a frequency (after an update too short to infer one from, even
        a single series), which sktime's own checks of an absolute ``fh`` cannot
        place (they fail before this forecaster is asked); the one inferred from
        the series, or the one it had, places it. An update keeps the frequency
        the forecaster had: sktime infers one from the update's own time points,
        which a chunk of Monday to Wednesday gives as days and one new day of
        three series ending 5 days apart as 5 days, and every later date would
        be placed on it.
        """
        previous = getattr(self, "_cutoff", None) if self.is_fitted else None
        before = getattr(previous, "freq", None)  # an update's chunk may be too short to infer one
        super()._set_cutoff_from_y(y)
        if previous is not None and len(previous) and len(self._cutoff) and self._cutoff[0] < previous[0]:
            self._cutoff = previous  # revised values only: the series still ends where it did
            return
        cutoff = self._cutoff
        if not isinstance(cutoff, pd.DatetimeIndex) or (before is None and cutoff.freq is not None):
            return
        if not isinstance(y, pd.DataFrame):  # the inner y is a frame
            return
        freq = before if before is not None else series_freq(y)
        if freq is not None and freq != cutoff.freq:
            try:
                self._cutoff = pd.DatetimeIndex(cutoff.to_numpy(), freq=freq, name=cutoff.name)
            except ValueError:  # the cutoff is not on that frequency: left as sktime set it
                pass

    def _update_predict_single(self, y: Any, fh: Any, X: Any = None, update_params: bool = True) -> Any:
        """sktime's update then predict, forecasting in the format of the ``y`` given.

        sktime's default passes its public ``update`` the converted ``y`` (a data
        frame), which then became the format of every later forecast; the format
        is kept here as sktime's own refitting ``update`` keeps it, and the
        forecast is returned in the inner format that ``update_predict_single``
        converts.
        """
        store = self._converter_store_y  # copied: update fills it in place
        kept = self._y_mtype_last_seen, self._y_metadata, None if store is None else dict(store)
        self.update(y=y, X=X, update_params=update_params)
        self._y_mtype_last_seen, self._y_metadata, self._converter_store_y = kept
        return self._predict(fh=fh, X=X)

    def _fit(self, y: pd.DataFrame, X: pd.DataFrame | None = None, fh: ForecastingHorizon | None = None):
        """Train the network on windows of ``y`` (and ``X``).

        Parameters
        ----------
        y : pd.DataFrame, pd-multiindex or pd_multiindex_hier
            Series to forecast.
        X : same layout as ``y``, optional
            Exogenous series with the same index as ``y``.
        fh : ForecastingHorizon, optional
            Horizon; sets the number of steps the network forecasts.

        Returns
        -------
        self : RNNForecaster
        """
        restored = self.__dict__.pop(RESTORED, None)
        if restored is not None:  # sklearn_rnn.load: the stored fitted state instead of training
            self.__dict__.update(restored)
            return self
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), caller_name=type(self).__name__
        )
        if len(y) == 0:
            raise ValueError(
                f"y is empty: {type(self).__name__} needs observations to learn from. Pass a series with "
                f"at least one value (window_length={self.window_length} or more train best)."
            )
        self.quantile_levels_ = fitted_levels(self.quantile_levels)

        series = instances(y)
        values = np.concatenate([s.to_numpy(dtype=np.float64) for _, s in series])
        if not np.isfinite(values).all():
            raise ValueError("y contains NaN or infinite values; RNNForecaster needs complete series.")
        if X is not None:
            check_exog_values(X, "fit")
        positive = (values > 0).all(axis=0)
        if self.target_transform == "log" and not positive.all():
            raise ValueError(
                "target_transform='log' needs strictly positive y, but some columns have values <= 0. "
                "Use target_transform='auto' or 'none'."
            )
        if self.target_transform == "auto":  # a column moving by under a millionth of its level stays as
            # it is: its log is a straight line of it, on which float64 rounds its changes away (1e15 + t);
            # measured on the values over their peak (the std of values below ~1e-154 underflowed to 0,
            # above ~1e154 overflowed: the rule, a ratio, then depended on the series' units)
            peak = np.abs(values).max(axis=0)
            unit = values / np.where(peak > 0, peak, 1.0)
            positive &= unit.std(axis=0) >= RELATIVE_SPREAD * unit.mean(axis=0)
        self.log_transform_ = positive if self.target_transform != "none" else np.zeros_like(positive)
        self._y_scaling: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        if X is not None and X.shape[1] == 0:  # X without columns holds nothing to read: no X
            X = None
        self._y_hist, self._X_hist = y, X  # the forecaster's own state (sktime's ``_y`` may be off)
        self._n_exog = 0 if X is None else X.shape[1]
        self._x_columns = None if X is None else list(X.columns)

        horizon = self.max_horizon or 0
        if fh is not None:
            horizon = max(horizon, max(int(steps.max()) for steps, _ in self._horizons(fh, series)))
            if horizon > MAX_SIZE:
                raise ValueError(
                    f"fh reaches {horizon} steps ahead, more than the {MAX_SIZE} a network can forecast "
                    "(its output layer has a unit per step). Pass an fh of fewer steps."
                )
        self.window_length_ = resolve_window_length(
            self.window_length, max(len(frame) for _, frame in series)
        )
        # Python ints, numpy's given too (a grid's values): the safe format stores plain numbers
        self.horizon_ = int(horizon or self.window_length_)
        self.sp_ = int(self.sp) if self.sp is not None else infer_sp(self._fh_freq())  # every series' freq
        # where the window holds a season of the index's period: its seasons only where the values show
        # them, as ETS keeps a seasonal model
        if self.sp is None and 1 < self.sp_ <= self.window_length_:
            scaled = [self._transform_y(frame.to_numpy(dtype=np.float64), key)[0] for key, frame in series]
            with torch_session(self.n_threads, flush_denormal=False):
                self.sp_ = self.sp_ if seasons_lower_aic(scaled, self.sp_) else 1

        data = self._window_dataset(series, X, store=True)
        if self.early_stopping:
            check_validation_split(data, self.validation_fraction)
        resolve_device(self.device)  # an unavailable device is refused before any work
        fitting, scoring = data, None
        calibrate = self.conformal and len(quantile_pairs(self.quantile_levels_)[0]) > 0
        if calibrate:
            validation = self.validation_fraction if self.early_stopping else None
            split = held_out_split(data, self.calibration_fraction, validation)
            if split is not None:
                # each held-out series is scaled by its training part: held-out values never reach the
                # network (the windows are the same, only their values change)
                self._rescale_before(series, data, split[1])
                data = self._window_dataset(series, X)
                fitting, scoring = data.subset(split[0]), scoring_windows(data, *split)
        self.n_windows_ = len(fitting)
        self._train(
            fitting, partial(self._build_module, data.targets.shape[1], X, fitting), n_train=len(fitting)
        )
        self._weigh_correction(scoring, held_out=calibrate)
        self._calibrate(scoring)
        self._warn_if_x_unread()
        self.interval_floors_ = None
        self.series_smoothing_, self.series_smoothing_length_ = None, None
        # too few held-out values to weigh the network on (none: too short to calibrate): the smoothing's
        # forecasts averaged with its fit to the whole series; without calibration, the widths of the
        # drift method and of that fit as floors
        if calibrate and int(self.n_calibration_scores_[0]) < self.WEIGHING_VALUES:
            scaled = [self._transform_y(frame.to_numpy(dtype=np.float64), key)[0] for key, frame in series]
            self._fit_series_smoothing(scaled)
            if scoring is None:
                self.interval_floors_ = self._interval_floors(scaled)
        return self

    def _warn_if_x_unread(self) -> None:
        """Warn where ``X`` was given but every column's forecast is a baseline that reads none."""
        if not self._n_exog or self.correction_weight != "auto" or self.correction_weight_.any():
            return  # a weight the user set says itself what it does
        x_coef = getattr(self.net_.module_, "x_coef", None)
        if x_coef is not None and bool(x_coef.any()):
            return  # the smoothing's windows and forecasts read X through its fitted linear map
        held = int(self.n_calibration_scores_[0])  # the count the weighing reads (step 1's)
        why = (
            "the held-out values did not show that the network, which reads X, helps"
            if held >= self.WEIGHING_VALUES
            else f"the network, which reads X, is weighed on held-out values, and {held} a step are fewer "
            f"than the {self.WEIGHING_VALUES} that weigh it"
        )
        if getattr(self.net_.module_, "smoothing", None) is not None:
            baseline = "the fitted smoothing's"
        elif not self.local_level:
            baseline = "the series' long-run mean (local_level=False)"
        else:
            baseline = f"the baseline's (baseline={self.baseline!r})"
        warnings.warn(
            "X passed to fit will not change the forecasts: correction_weight_ is 0 for every column, so "
            f"they are {baseline}, which does not read X ({why}). Pass correction_weight=1 "
            "(or between 0 and 1) for forecasts that read X.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _predict(self, fh: ForecastingHorizon, X: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point forecasts (the 0.5 quantile) for ``fh``.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample horizon within ``1..horizon_``.
        X : pd.DataFrame, optional
            Future exogenous values.

        Returns
        -------
        y_pred : pd.DataFrame
            Forecasts with the columns of ``y``.
        """
        median = median_index(self.quantile_levels_)
        results = [(key, index, q[:, :, median]) for key, index, q in self._raw_quantiles(fh, X)]
        return self._assemble(results, self._y_hist.columns)

    def _predict_quantiles(self, fh: ForecastingHorizon, X: pd.DataFrame | None, alpha: list[float]):
        """Quantile forecasts for ``fh`` at levels ``alpha``.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample horizon within ``1..horizon_``.
        X : pd.DataFrame, optional
            Future exogenous values.
        alpha : list of float
            Quantile levels in (0, 1).

        Returns
        -------
        quantiles : pd.DataFrame
            Columns: (variable, alpha) MultiIndex; rows: the forecast index.
        """
        alpha = [float(a) for a in alpha]
        if len(self.quantile_levels_) == 1 and alpha != [0.5] * len(alpha):
            raise ValueError(
                "This forecaster was trained for the median only (quantile_levels=[0.5]): it has no "
                f"spread to give quantiles at {', '.join(f'{a:g}' for a in alpha)} from, nor intervals, "
                "variances or distributions (predict_interval, predict_quantiles, predict_var, "
                "predict_proba). Fit with other levels too (quantile_levels=None trains 0.025 to 0.975), "
                "or call predict for point forecasts."
            )
        results = []
        # a series of one value tells nothing of its spread (its scale is a rounding of it, which
        # collapses its quantiles onto the median): NaN beside the median, as NaiveForecaster gives
        single = [key for key, frame in instances(self._y_hist) if frame.notna().any(axis=1).sum() == 1]
        log = np.asarray(self.log_transform_, dtype=bool)
        for key, index, q in self._raw_quantiles(fh, X):
            # a column modelled on the log scale is interpolated there, so no level leaves the positives
            q[:, log] = np.log(q[:, log])
            interp = interpolate_quantiles(q, self.quantile_levels_, np.asarray(alpha))
            interp[:, log] = np.exp(interp[:, log])
            if key in single:
                interp[..., ~np.isclose(alpha, 0.5)] = np.nan
            results.append((key, index, interp.reshape(interp.shape[0], -1)))
        if single:
            shown = [key[0] if len(key) == 1 else key for key in single[:5]]
            warnings.warn(
                f"Series {shown} ({len(single)} in all) hold one value each, which tells nothing of their "
                "spread: their quantiles other than the median, and their intervals and variances, are "
                "NaN (as NaiveForecaster's). Fit the forecaster again once they hold more values: "
                "update keeps the scale fit gave each series (for one value, none), and their intervals "
                "would stay of width zero.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return self._assemble(results, columns)

    def _predict_var(self, fh: ForecastingHorizon, X: pd.DataFrame | None = None, cov: bool = False):
        """Variances of the distribution ``predict_proba`` returns (without skpro), named as ``y``'s columns.

        ``cov=True`` is refused: the network forecasts each step's quantiles, not
        how steps vary together, and sktime's default returned the marginal
        variances in place of the covariance matrix its ``predict_var`` documents.
        """
        if cov:
            raise NotImplementedError(
                "RNNForecaster forecasts each step's quantiles, not how the steps vary together, so it has "
                "no covariance matrix between forecast steps for predict_var(cov=True). Call "
                "predict_var(cov=False) for each step's variance, or predict_quantiles/predict_interval."
            )
        index, quantiles, levels = self._distribution(fh, X)
        variances = quantile_moments(quantiles, levels, np.asarray(self.log_transform_, dtype=bool))[1]
        return pd.DataFrame(variances, index=index, columns=self._y_hist.columns)

    def _predict_proba(self, fh: ForecastingHorizon, X: pd.DataFrame | None = None, marginal: bool = True):
        """Each step's forecast distribution, whose quantiles are those of ``predict_quantiles``
        at the levels it is built from.

        Linear in the level between the quantiles at 200 evenly spaced levels and
        the trained ones, with exponential tails beyond (``QuantileDistribution``,
        an skpro distribution; the tails are its own), but for a column on the log
        scale (``log_transform_``) a tail below the first level that stays above 0.
        Needs ``skpro``, as sktime's distributions do.
        ``marginal=False`` is refused: the steps' joint distribution is not forecast.
        """
        if not marginal:
            raise NotImplementedError(
                "RNNForecaster forecasts each step's quantiles, not how the steps vary together, so it has "
                "no joint distribution of the forecast steps for predict_proba(marginal=False). Call "
                "predict_proba() for each step's distribution."
            )
        from ._distribution import QuantileDistribution

        index, quantiles, levels = self._distribution(fh, X)
        positive = np.asarray(self.log_transform_, dtype=bool)
        return QuantileDistribution(quantiles, levels, positive, index=index, columns=self._y_hist.columns)

    def _distribution(
        self, fh: ForecastingHorizon, X: pd.DataFrame | None
    ) -> tuple[pd.Index, np.ndarray, np.ndarray]:
        """The forecast index, its quantiles (rows, C, L) and their levels (L,), which describe each step."""
        levels = distribution_levels(self.quantile_levels_)
        quantiles = self._predict_quantiles(fh, X, alpha=levels.tolist())
        return (
            quantiles.index,
            quantiles.to_numpy(dtype=np.float64).reshape(len(quantiles), -1, len(levels)),
            levels,
        )

    def _get_varnames(self) -> pd.Index:
        """The columns of ``y`` of fit, with their name, which interval and quantile columns keep."""
        return self._y_hist.columns

    # -- update -------------------------------------------------------------------------------------
    def _update(self, y: pd.DataFrame, X: pd.DataFrame | None = None, update_params: bool = True):
        """Extend the state with new data; with ``update_params``, train further on all data.

        Parameters
        ----------
        y : pd.DataFrame, pd-multiindex or pd_multiindex_hier
            New observations (checked by ``_update_y_X`` before sktime moved the cutoff).
        X : same layout as ``y``, optional
            New exogenous values.
        update_params : bool, default=True
            Whether to continue training for ``update_epochs`` epochs on windows of
            all data seen so far (scaling statistics stay those of ``fit``).

        Notes
        -----
        The conformal offsets and correction weights of ``fit`` are kept either way. With
        ``update_params=False`` the network is the calibrated one and forecasts
        from the new origin as the held-out windows were forecast, from data it
        did not train on. With ``update_params=True`` it also trains on the
        held-out time points and the new data, so the offsets, measured before,
        become approximate; fit again to recalibrate.

        Returns
        -------
        self : RNNForecaster
        """
        self._y_hist = append_rows(self._y_hist, self._fitted_columns(y))
        if X is not None and self._X_hist is not None:
            self._X_hist = append_rows(self._X_hist, X[self._x_columns])
        if not update_params:
            return self
        data = self._window_dataset(instances(self._y_hist), self._X_hist)
        self.net_.initialize_history()  # loss_curve_ and n_iter_ are this update's epochs
        self._set_correction_weight(np.ones_like(self.correction_weight_))  # early stopping: the network's
        self._train(data, None)
        self._set_correction_weight(self.correction_weight_)
        return self

    # -- testing ------------------------------------------------------------------------------------
    @classmethod
    def get_test_params(cls, parameter_set: str = "default"):
        """Cheap parameter sets for sktime's estimator checks.

        Both sets forecast from the naive baseline: the smoothing baseline's
        own fit (300 optimizer steps, whatever the data's size) took about 80%
        of the checks' time. ``tests/test_sktime_checks.py`` runs the checks
        that read the forecasts, their intervals and the fitted state with the
        first set and the default baseline.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set; only "default" exists.

        Returns
        -------
        params : list of dict
        """
        return [
            {
                "window_length": 4,
                "hidden_size": 4,
                "max_epochs": 2,
                "batch_size": 16,
                "baseline": "naive",
                "random_state": 0,
            },
            {
                "cell": "gru",
                "window_length": 3,
                "hidden_size": 3,
                "bidirectional": True,
                "max_epochs": 1,
                "max_horizon": 5,
                "quantile_levels": [0.1, 0.9],
                "target_transform": "none",
                "conformal": False,
                "baseline": "naive",
                "correction_weight": 0.5,
                "n_networks": 2,
                "random_state": 1,
            },
        ]
