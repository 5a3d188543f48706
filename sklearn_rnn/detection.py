"""Recurrent anomaly detector for sktime: every time step scored against a network of normal behaviour.

sktime is imported here only; ``sklearn_rnn`` loads this module on first use of
:class:`RNNAnomalyDetector`.
"""

from __future__ import annotations

import math
import warnings
from numbers import Real
from typing import Any

import dateutil.tz
import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sktime.detection.base import BaseDetector

from ._anomaly import (
    CUT_GAP,
    SCORING_CONSTRAINTS,
    StepScoring,
    confirm_events,
    dynamic_scores,
    finite_quantile,
    flag_runs,
    merge_gaps,
    outages,
    robust_scale,
)
from ._archive import Refused
from ._data import (
    MOSTLY,
    clock_change_advice,
    column_labels,
    comma_number_advice,
    holds_text,
    refuse_missing_times,
    refuse_reordered_columns,
    refuse_repeated_columns,
    refuse_time_level_not_last,
    refuse_unparsed_times,
    series_level_code,
    stacked_series_advice,
)
from ._docs import with_shared_parameters
from ._runtime import user_stacklevel
from ._series import format_time, refuse_missing_keys, refuse_skipped_steps, usual_spacing
from ._storable import SafeFormatMixin, VersionedPickleMixin
from ._training import RECURRENT_CONSTRAINTS, TRAINING_CONSTRAINTS, Int, restored_on_error

__all__ = ["RNNAnomalyDetector"]


@with_shared_parameters
class RNNAnomalyDetector(StepScoring, SafeFormatMixin, VersionedPickleMixin, BaseDetector):
    """Recurrent anomaly detector (RNN, LSTM or GRU): time steps a network of normal behaviour misses.

    Fitted on a series (uni- or multivariate, with NaN gaps) or a panel of
    series taken as normal, a recurrent network learns to reconstruct each
    window of ``window_length`` steps from its final state
    (``scoring="reconstruction"``), or to forecast the next ``horizon`` steps
    from it (``"forecast"``). Every time step is then scored by how far it
    lies from what the network expected, per channel in units of that
    channel's typical miss on held-out normal data, the largest over channels.
    A step is anomalous when its score exceeds the threshold learned on the
    held-out data, which flags a ``contamination`` share of normal steps.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Time steps the network reads, at most 65,536. "auto": a quarter of the longest
        training series, between 1 and 48 steps (``window_length_``);
        at least 2 with reconstruction and ``local_level`` True or "auto" (a
        one-step window read relative to its own mean is rebuilt exactly: a
        window of 1 is refused with ``local_level=True``, and "auto" keeps
        ``local_level=False`` with it).
    horizon : int, default=3
        Steps ahead the network forecasts (``scoring="forecast"``); a step's
        misses from the ``horizon`` forecasts that reach it are averaged.
    scoring : {"reconstruction", "forecast"}, default="reconstruction"
        What the network learns: each window itself, from its final state
        (the ``hidden_size`` values of each direction are the bottleneck), a
        step's miss the median over the windows that hold it; or the next
        ``horizon`` steps of each window, which scores a step from its past
        alone. The user guide's anomaly page has what each measured.
    {detector: smoothing}
    local_level : bool or "auto", default=True
        True: subtract each window's mean from what the network reads (and add
        it back to what it expects), so it learns shapes, not levels: series
        whose level drifts or trends are read as they go. False: it reads
        levels, and how the channels' levels go together, which finds level
        shifts of one channel among several better, and flags any level
        outside the training data's. "auto": train both networks and keep the
        one that misses the held-out normal steps less (``local_level_``), at
        twice the training time (not with ``callbacks``, which would see both
        trainings).
    contamination : float in (0, 0.5], default=0.01
        Share of normal time steps scoring above the threshold: it is the
        finite-sample ``1 - contamination`` quantile of the held-out normal
        steps' scores, so on data like them about ``contamination`` of the
        steps score above it, the false-alarm rate with ``event_peak=1``;
        a higher ``event_peak`` flags fewer.
    threshold : {"static", "dynamic"}, default="static"
        "static": one threshold on the scores. "dynamic": each score is first
        taken relative to the median and spread of the ``threshold_window``
        scores before it (a local threshold, as in Hundman et al. 2018), for
        series whose normal level of surprise drifts.
    threshold_window : int, default=100
        Trailing steps of the dynamic threshold.
    merge_gap : int, default=0
        Flagged steps with at most this many unflagged steps between them are
        merged into one event (the steps between them are flagged too; as
        points, but for those without a value; never across two series of a
        panel). In a stream (:meth:`update`), a chunk's steps before its first
        flag join the event open at the stream's end, as in the whole series;
        the earlier chunk's steps after its last flag were returned before the
        later flag arrived, and stay unflagged (with reconstruction, the open
        event is read from the earlier chunk's provisional last scores, which
        fewer windows hold).
    event_peak : float, default=1.1
        An event (a run of steps scoring above ``threshold_``, merged within
        ``merge_gap``) is flagged only when its highest score reaches
        ``event_peak`` times ``threshold_`` (where ``threshold_`` is positive;
        at or below 0, as a dynamic threshold with a large ``contamination``
        can be, every event is flagged); its steps are flagged then. Normal
        steps cross the threshold by a little, a step or two at a time;
        faults rise well above it and extend over the steps around their peak
        (a hysteresis; Hundman et al. 2018 prune flags that do not stand clear
        of the normal scores for the same reason). It only removes flags: no
        more normal steps are flagged than with 1, where every step above
        ``threshold_`` is flagged. In a stream, an event open at the end of
        one chunk goes on into the next (gaps are merged within a chunk). The
        user guide's anomaly page has what each value measured.
    mode : {"points", "segments"}, default="points"
        What ``predict`` returns, as sktime's detectors do: the ilocs of
        anomalous points (task "anomaly_detection"), or the events as
        left-closed ``pd.Interval`` ilocs (task "segmentation"). An interval
        holds one series' rows alone: a panel whose rows interleave its series
        (rows in time order) gets each event as its pieces of adjacent rows
        (``X.sort_index()`` first for one interval an event).
    calibration_fraction : float, default=0.2
        Share of each training series, its latest time steps, held out of
        training: the misses there scale the scores and set the threshold.
    {detector network and training}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network.
    window_length_ : int
        Time steps the network reads.
    channel_mean_, channel_scale_ : ndarray of shape (n_channels,)
        Each channel's training mean and scale (the network reads standardised values);
        a channel constant in fit is scaled by its level's magnitude (1 at 0), so a
        later move scores by its share of the level in any unit.
    feature_names_in_ : ndarray of shape (n_channels,) or None
        The channels' names (strings, or integers such as sensor ids) as the
        columns of ``X`` in ``fit`` had them; None where they were positions
        (0, 1, ... in order, as numpy input gets them) or other labels (a
        pivot's tuples, dates). Later data with named columns must have
        these, in this order: channels are read by position.
    local_level_ : bool
        Whether the network reads each window relative to its mean (``local_level`` resolved).
    {detector: window_statistic_}
    residual_scale_ : ndarray of shape (K, n_channels)
        Typical miss (1.4826 times the median absolute miss on held-out normal
        steps) of each forecast step (``K = horizon``; 1 for reconstruction) and channel.
    start_scale_, end_scale_ : ndarray of shape (window_length_ - 1, n_channels) or None
        With reconstruction, how much more the network misses each of the first
        ``window_length_ - 1`` steps of a sequence and each of the last than a
        step held by all ``window_length_`` windows, per channel: those steps
        are held by fewer windows (step 0 by one, the last step by one; a
        stream's chunk ends in such steps). Measured on pieces of the training
        series, by the ``1 - contamination`` quantile of the misses, where flags
        are decided. Those steps' misses are divided by them, so that the
        threshold flags them at the rate it flags the others. None with
        ``scoring="forecast"`` or when the series are too short to measure
        them; where too few pieces of ``3 window_length_ - 2`` steps without a
        gap fit, matched at the typical miss instead (as ``start_scale_``
        always was in detectors saved before the thirteenth session's change).
    smoothing_start_ : float or None
        With ``smoothing`` above 1, the median own score (before smoothing) of
        the held-out steps: a series scored without a past (a new one, each
        series of a panel, data that does not continue the stream ``update``
        kept) is smoothed as if its earlier steps had scored that, as the
        held-out steps the threshold comes from were smoothed after their
        past. None without smoothing.
    index_freq_ : str, int or None
        The step of the time points of ``fit``'s series: its index's frequency,
        or the one pandas infers from them (for integer time points, their
        usual spacing; for periods, theirs where it is seconds to hours; for a
        panel, the one its series share); None where the time points tell none
        (a panel whose series step differently). A chunk whose first time
        point lies one such step after the stream's last continues the stream
        (:meth:`update`), whether or not its own index carries a frequency; a
        series of dates or periods of at least 4 time points sampled at another
        step (each series of a panel on its own), where it is a fixed duration
        (seconds to hours), is refused.
    largest_spacing_ : str, int or None
        Where ``index_freq_`` is None for a single series (irregular time
        points), the largest spacing between two of its rows (a duration as
        a pandas frequency name, or an integer); None otherwise. A chunk
        whose first time point lies at most that far after the stream's last
        continues the stream, as the whole series would be read.
    threshold_ : float
        Scores above it are anomalous where their event peaks at ``event_peak``
        times it (with ``threshold="dynamic"``, scores relative to their
        trailing window).
    n_calibration_scores_ : int
        Held-out normal steps the threshold comes from.
    score_median_, score_spread_ : float
        With ``threshold="dynamic"``, the median and robust spread of the
        held-out steps' scores, which stand in for a step's trailing window
        while it holds fewer than a fifth of ``threshold_window`` scores.
    loss_curve_ : list of float
        Training loss at each epoch.
    validation_loss_curve_ : list of float or None
        Loss on the held-out windows at each epoch with ``early_stopping=True``, else None.
    n_iter_ : int
        Epochs run.

    See Also
    --------
    RNNOutlierDetector : Which of a set of sequences (runs, patients, trips) is unusual.
    RNNForecaster : The recurrent forecaster.

    Notes
    -----
    Gaps (NaN) are carried forward in what the network reads and are never
    targets; a step without any value has no score (NaN) and is never
    flagged. An outage (20 steps or more without a value in any channel)
    cuts a series in two, each side scored as a series of its own. With
    ``scoring="forecast"`` the first ``window_length_`` steps of a series
    have no whole window of past to be forecast from: their scores are NaN,
    unless ``update`` gave the detector the data that precedes them
    (reconstruction scores them from the windows that hold them).
    Reconstruction scores a step by its median miss over the windows that hold
    it, so the last ``window_length_ - 1`` steps of the data given are held by
    fewer windows than they will be once later data arrives (the last step by
    one): the scores returned for them are provisional. The next chunk, read
    after ``update``, does not return them again; it scores them again with
    all their windows, and its dynamic threshold and smoothing read those
    final values, so every score it returns is the whole series'. The
    ``window_length_ - 1`` steps before a gap at a chunk's end are
    provisional too where later data makes the gap an outage: the chunk reads
    the gap carried forward, where the whole series cuts there. Forecasting
    scores each step from its past alone.

    ``fit`` accepts known anomalies as ``y`` (sktime's ``"ilocs"`` of points,
    or intervals of them, as ``predict`` returns events with
    ``mode="segments"``): they are left out of training and of the
    threshold's calibration, with the steps whose windows read them
    (semi-supervised use). ``update`` streams: it keeps the last steps of
    the series it is given that the next chunk's windows read, and a later call whose
    first time point is the next one after them (a step of the index's
    frequency or of ``index_freq_``, else of the stored points' spacing),
    or within half a step of it (time stamps with jitter), or, for irregular
    time points, at most ``largest_spacing_`` after the last, reads them as
    the past of its first windows (and of the dynamic threshold and the
    smoothing), and so does one that starts after fewer than 20 lost readings on
    the grid of a fixed step (the index's frequency or ``index_freq_``), the
    readings lost between read as a gap; a chunk after an outage, or after
    lost readings of time stamps with jitter or irregular ones, is scored on
    its own. The network is not refitted.

    A panel (sktime's ``pd-multiindex``: several machines, patients or runs)
    trains one network on the windows of all its series, and every series is
    scored on its own; ilocs count the panel's rows in order. Each series
    holds out its own latest steps for the threshold. ``update`` keeps no past
    for a panel's series.

    ``set_params`` resets a fitted detector, as it does any sktime estimator:
    a new ``contamination`` or ``threshold`` takes effect at the next ``fit``,
    and until then ``predict`` refuses to run unfitted.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn import RNNAnomalyDetector
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(600)
    >>> normal = pd.DataFrame({"sensor": np.sin(2 * np.pi * t / 25) + 0.05 * rng.normal(size=600)})
    >>> detector = RNNAnomalyDetector(window_length=25, max_epochs=15, random_state=0).fit(normal)
    >>> new = normal.copy()
    >>> new.iloc[300, 0] += 3.0  # a spike
    >>> int(detector.transform_scores(new)["scores"].idxmax())
    300
    """

    _tags = {
        "authors": ["sklearn_rnn developers"],
        "maintainers": ["sklearn_rnn developers"],
        "python_dependencies": ["torch", "skorch"],
        "task": "anomaly_detection",
        "learning_type": "unsupervised",
        "capability:multivariate": True,
        "capability:missing_values": True,
        "capability:update": True,
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex"],
        "fit_is_empty": False,
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }

    _parameter_constraints: dict = {
        **RECURRENT_CONSTRAINTS,
        **TRAINING_CONSTRAINTS,
        **SCORING_CONSTRAINTS,
        "max_epochs": [Int(1)],
        "threshold": [StrOptions({"static", "dynamic"})],
        "threshold_window": [Int(2)],
        "merge_gap": [Int(0)],
        "event_peak": [Interval(Real, 1, None, closed="left")],
        "mode": [StrOptions({"points", "segments"})],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
    }
    # sktime's own fitted state: not stored by sklearn_rnn.save (load marks the detector fitted)
    _not_stored = frozenset({"_X", "_y", "_X_metadata", "_is_fitted"})
    _calibrates_edges = True
    _required_fitted = StepScoring._required_fitted | {"end_scale_", "threshold_"}
    _fit_setting_names = (*StepScoring._fit_setting_names, "threshold", "threshold_window")

    def __init__(
        self,
        window_length: int | str = "auto",
        horizon: int = 3,
        scoring: str = "reconstruction",
        smoothing: int = 1,
        local_level: bool | str = True,
        contamination: float = 0.01,
        threshold: str = "static",
        threshold_window: int = 100,
        merge_gap: int = 0,
        event_peak: float = 1.1,
        mode: str = "points",
        calibration_fraction: float = 0.2,
        cell: str = "lstm",
        hidden_size: int = 32,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        max_epochs: int = 30,
        batch_size: int = 64,
        lr: float = 3e-3,
        optimizer: str | type = "adamw",
        lr_schedule: str = "cosine",
        gradient_clip_value: float | None = 1.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_threads: int | None = 1,
        verbose: int = 0,
        callbacks: list | None = None,
        net_kwargs: dict | None = None,
    ) -> None:
        self.window_length = window_length
        self.horizon = horizon
        self.scoring = scoring
        self.smoothing = smoothing
        self.local_level = local_level
        self.contamination = contamination
        self.threshold = threshold
        self.threshold_window = threshold_window
        self.merge_gap = merge_gap
        self.event_peak = event_peak
        self.mode = mode
        self.calibration_fraction = calibration_fraction
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
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
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.net_kwargs = net_kwargs
        super().__init__()
        if mode == "segments":  # sktime's convention: events as intervals are a segmentation
            self.set_tags(task="segmentation")

    def __sklearn_is_fitted__(self) -> bool:
        return self.is_fitted

    # -- fit ------------------------------------------------------------------------------------
    # sktime's fit keeps a fitted detector's state when a refit raises: the new column names, set as X
    # is checked, were kept over the old network (the columns of fit then refused, others accepted)
    fit = restored_on_error(BaseDetector.fit)

    def _fit(self, X: pd.DataFrame, y: Any = None) -> RNNAnomalyDetector:
        """Learn normal behaviour from ``X``; ``y``: ilocs of known anomalies, left out."""
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), caller_name=type(self).__name__
        )
        values = self._values(X, "fit")
        if len(values) < 2:
            raise ValueError(
                f"X passed to fit has {len(values)} time step(s); RNNAnomalyDetector needs at least 2 "
                "to learn how a series goes on. Pass a longer series of normal behaviour."
            )
        known = self._known_anomalies(y, len(values))
        if known.all():  # else refused as channels of no value, which X's own values are not
            raise ValueError(
                f"y marks every step of X ({len(values)}) as a known anomaly, which leaves no normal "
                "behaviour to learn from. Pass X with steps of normal behaviour, and y with the "
                "anomalous ones only."
            )
        values[known] = np.nan
        rows = self._series_rows(X)
        held, held_own = zip(
            *self._fit_scoring(
                [values[r] for r in rows], self.calibration_fraction, known=[known[r] for r in rows]
            ),
            strict=True,
        )
        self._warn_if_calibrated_on_training_steps(
            [len(h) == len(r) for h, r in zip(held, rows, strict=True)]
        )
        own = np.concatenate(held_own)
        own = own[np.isfinite(own)]
        # a series scored without a past is smoothed as if its past steps had scored typically
        self.smoothing_start_ = float(np.median(own)) if self._smoothing_reach() and len(own) else None
        if self._fitted("threshold") == "dynamic":
            finite = np.concatenate(held)
            finite = finite[np.isfinite(finite)]
            self.score_median_ = float(np.median(finite)) if len(finite) else 0.0
            self.score_spread_ = float(robust_scale(finite - self.score_median_))
            held = [self._relative(h) for h in held]
        held = np.concatenate(held)
        if not np.isfinite(held).any():
            marked = np.flatnonzero(known)
            known_steps = (
                f", of which y marks {len(marked)} as known anomalies, never scored" if len(marked) else ""
            )
            fixes = "a larger calibration_fraction, " if len(marked) else ""
            if len(marked) and known[-1] and len(rows) == 1:  # a run of them ends X: cut it off
                start = len(known) - int(np.argmin(known[::-1]))
                earlier = marked[marked < start]
                fixes += (
                    f"X without the known anomalies at its end (X.iloc[:{start}], with "
                    + (f"y holding the {len(earlier)} before step {start})" if len(earlier) else "y=None)")
                    + ", "
                )
            raise ValueError(
                f"fit scored none of the held-out steps of X (its latest calibration_fraction="
                f"{self.calibration_fraction}), so it has nothing to set the threshold by: with "
                f"scoring={self.scoring!r}, window_length_={self.window_length_} and {len(values)} "
                f"steps{known_steps}, no held-out step has a whole window of past. Pass {fixes}a longer "
                "series of normal behaviour, or a smaller window_length."
            )
        self.threshold_ = finite_quantile(held, 1 - self.contamination)
        self.n_calibration_scores_ = int(np.isfinite(held).sum())
        self.index_freq_ = _index_step(self._frame(X).index)
        self.largest_spacing_ = (
            None if self.index_freq_ is not None else _largest_spacing(self._frame(X).index)
        )
        self._context = None
        self._warn_if_few_calibration_scores()
        return self

    def _warn_if_calibrated_on_training_steps(self, whole: list[bool]) -> None:
        """Warn where no series held out its latest steps: the threshold rests on steps trained on."""
        if not all(whole):
            return
        warnings.warn(
            f"No series of X is long enough to hold out its latest calibration_fraction="
            f"{self.calibration_fraction} of steps after a window of window_length_={self.window_length_} "
            "and a step: the scores' scale and the threshold come from the steps the network trained on, "
            f"not held-out ones, so the share of fresh normal steps flagged is not held to "
            f"contamination={self.contamination}. Fit on a longer series of normal behaviour, or pass a "
            "smaller window_length.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _warn_if_few_calibration_scores(self) -> None:
        """Warn where the threshold's scores are too few for the finite-sample quantile of the rate."""
        n, rate, span = self.n_calibration_scores_, self.contamination, self._fitted("smoothing")
        needed = math.ceil((1 - rate) / rate - 1e-9)  # the rank ceil((n + 1)(1 - rate)) is at most n
        # smoothed scores move together: an exponentially weighted mean of span s turns independent
        # scores into ones whose mean varies as that of n / s independent ones
        effective = n // span
        if effective >= needed:
            return
        if span > 1 and n >= needed:
            warnings.warn(
                f"The threshold rests on {n} scores of held-out normal steps, smoothed over a span of "
                f"{span}: neighbouring smoothed scores move together and count as about n / smoothing = "
                f"{effective} independent ones, too few for contamination={rate}, whose finite-sample "
                f"quantile needs {needed}. The share of fresh normal steps flagged may then lie far from "
                "contamination, on either side. Fit on a longer series of normal behaviour, or raise "
                "calibration_fraction or contamination, or smooth less.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return
        warnings.warn(
            f"The threshold rests on {n} scores of held-out normal steps, too few for "
            f"contamination={rate}: its finite-sample quantile needs {needed}. The threshold is their "
            f"largest score, which bounds the false-alarm rate at 1/(n + 1) = {1 / (n + 1):.1%} only, and "
            "the scores' scale rests on the same few steps, so fresh normal data may be flagged more "
            "often still. Fit on a longer series of normal behaviour, or raise calibration_fraction or "
            "contamination.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _known_anomalies(self, y: Any, n: int) -> np.ndarray:
        known = np.zeros(n, dtype=bool)
        if y is None:
            return known
        ilocs = y["ilocs"] if isinstance(y, pd.DataFrame) and "ilocs" in y.columns else y
        ilocs = np.asarray(ilocs).ravel()
        if not len(ilocs):  # no known anomaly
            return known
        if all(isinstance(i, pd.Interval) for i in ilocs):  # events, as mode="segments" predicts them
            ilocs = np.concatenate([_interval_points(i, n) for i in ilocs])
            if not len(ilocs):  # empty intervals only
                return known
        # a 0/1 label of every step (sktime's transform gives them) reads as the ilocs 0 and 1
        labels = len(ilocs) == n > 2 and np.isin(ilocs, (0, 1)).all()
        if labels or ilocs.dtype.kind not in "iu" or ilocs.min() < 0 or ilocs.max() >= n:
            raise ValueError(
                "y passed to fit must hold the ilocs (integer positions, 0 to len(X) - 1) of known "
                f"anomalies, as sktime's detectors take them; got {ilocs[:5].tolist()}"
                + (f" and {len(ilocs) - 5} more" if len(ilocs) > 5 else "")
                + ". For a 0/1 label of every step, pass np.flatnonzero(labels); for time points or "
                "index labels of X, X.index.get_indexer(points) (-1 where a point is not in X's index: "
                "check its time zone and stamps)."
            )
        known[ilocs] = True
        return known

    # -- scores and detections ------------------------------------------------------------------
    def _values(self, X: pd.DataFrame, method: str) -> np.ndarray:
        """``X`` as float64 values, refusing what the network cannot read."""
        X = self._frame(X)
        # again for plot_anomalies, which passes X as it came (and may label its rows with text)
        _check_time_index(X.index, text=True)
        for name, dtype in X.dtypes.items():
            # numpy would read dates and durations as nanosecond counts, complex numbers as their real part
            if pd.api.types.is_datetime64_any_dtype(dtype):
                raise TypeError(
                    f"X passed to {method}: column {name!r} holds dates (dtype {dtype}), which would be read "
                    f"as a channel of nanosecond counts. Make them the time index: X.set_index({name!r})."
                )
            if pd.api.types.is_timedelta64_dtype(dtype):
                raise TypeError(
                    f"X passed to {method}: column {name!r} holds durations (dtype {dtype}), which would be "
                    f"read as a channel of nanosecond counts. Pass them as numbers (X[{name!r}].dt."
                    "total_seconds()), or, if they are the time of each row, as the index."
                )
            if holds_text(X[name]):
                raise TypeError(f"X passed to {method}: column {name!r} holds " + _text_advice(X, name))
            if pd.api.types.is_complex_dtype(dtype):
                raise TypeError(
                    f"X passed to {method}: column {name!r} holds complex numbers, whose imaginary part "
                    "would be dropped. Pass real channels (e.g. np.abs or the real and imaginary parts)."
                )
        if any(pd.api.types.is_object_dtype(dtype) for dtype in X.dtypes):
            X = X.where(X.notna(), np.nan)  # pd.NA (pd.Series([1.0, pd.NA]) is of objects): a gap
        try:  # pd.NA in nullable columns too
            values = X.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        except (TypeError, ValueError):
            raise TypeError(
                f"X passed to {method} holds values that are not numbers (columns "
                f"{[c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])][:5]}). Pass numeric "
                "sensor columns only."
            ) from None
        if np.isinf(values).any():
            raise ValueError(
                f"X passed to {method} contains infinite values; mark unknown values as NaN instead."
            )
        if method != "fit":
            self._refuse_other_step(X.index, method)
        # channels are read by position: names, where both have them, must match fit's in order (names
        # of any kind, sensor ids too; 0, 1, ... in order are positions, as numpy input gets them); checked
        # before the count, so that a column more or less is named
        labels = X.columns.to_numpy(dtype=object)
        plain = all(isinstance(c, (str, int, np.integer)) and not isinstance(c, bool) for c in labels)
        positions = X.columns.equals(pd.RangeIndex(X.shape[1]))
        # strings, or integers such as sensor ids (the safe format stores them); other labels (a pivot's
        # tuples, dates) are kept as text, to refuse them in another order
        names = (
            None
            if positions or not plain
            else np.array([c if isinstance(c, str) else int(c) for c in labels], dtype=object)
        )
        fitted = getattr(self, "feature_names_in_", None)
        if method == "fit":
            self.feature_names_in_ = names
            self._column_labels = None if names is not None else column_labels(X)  # 0, 1, ... too
        elif names is not None and fitted is not None and not np.array_equal(names, fitted):
            if len(names) < len(fitted):
                fix = "pass every channel of fit, in its order: X[detector.feature_names_in_]"
            elif len(fitted) == 1:
                fix = f"pass the channel of fit, X[[{fitted[0]!r}]] (a pd.Series: X.rename({fitted[0]!r}))"
            else:
                fix = "pass the channels of fit, in their order: X[detector.feature_names_in_]"
            raise ValueError(
                f"X passed to {method} has the columns {names.tolist()}, but the detector was fitted on "
                f"{fitted.tolist()}: {fix}."
            )
        else:
            refuse_reordered_columns(self, column_labels(X), f"X passed to {method}")
        if method != "fit" and values.shape[1] != len(self.channel_mean_):
            raise ValueError(
                f"X passed to {method} has {values.shape[1]} columns, but the detector was fitted on "
                f"{len(self.channel_mean_)}. Pass the channels of fit, in their order."
            )
        if method != "fit":
            self._warn_dead_channels(X, values, method)
        return values

    def _warn_dead_channels(self, X: pd.DataFrame, values: np.ndarray, method: str) -> None:
        """Warn where a channel holds no value over a window or more of steps the other channels report:
        those steps are scored from the other channels alone, so a sensor that stopped reporting, from the
        start or part way, raises no flag by itself (a shorter run of NaN, a chunk of a stream, is a gap;
        so are steps no channel reports, which get no score, which shows)."""
        if values.shape[1] < 2:  # one channel without a value: no score at all, which shows
            return
        missing = np.isnan(values)
        for rows in _rows_by_series(X.index):
            stretches = _silent_stretches(missing[rows], self.window_length_)
            if stretches:
                names = self.feature_names_in_
                times = X.index.get_level_values(-1)[rows]
                each = []
                for channel, (a, b, n) in sorted(stretches.items()):
                    name = names[channel] if names is not None else channel
                    whole = a == 0 and b == len(rows)
                    where = "" if whole else f" from {format_time(times[a])} to {format_time(times[b - 1])}"
                    each.append(f"channel {name!r} in {n} steps{where}")
                panel = isinstance(X.index, pd.MultiIndex)
                interpolated = (
                    "X[name].groupby(level=list(range(X.index.nlevels - 1))).transform(lambda s: "
                    "s.interpolate(limit_area='inside'))"
                    if panel
                    else "X[name].interpolate(limit_area='inside')"
                )
                warnings.warn(
                    f"X passed to {method}{_which_series(X.index, rows)} holds no value of a channel over a "
                    f"window or more of steps where other channels have one: {'; '.join(each)}. Those "
                    "steps are scored from the other channels alone, so a sensor that stopped reporting "
                    "raises no flag by itself: check the sensor. (A channel read less often than the "
                    f"others warns alike: put it on their grid first, e.g. X[name] = {interpolated}.)"
                    + (
                        " This names the first series with one; the others are not searched." if panel else ""
                    ),
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
                return

    def _check_X(self, X: Any) -> pd.DataFrame:
        """sktime's check and conversion of ``X``, after a check of its time index that names the fix.

        sktime's own error, a page of every format it tried, buries the reason.
        """
        index = getattr(X, "index", None)
        n_channels = len(getattr(self, "channel_mean_", ()))
        row = isinstance(X, pd.Series) and len(X) == n_channels > 0
        if row and n_channels == 1:  # one value labelled by text: a row only where it is the channel's name
            row = np.array_equal(
                index.astype(object), np.asarray(getattr(self, "feature_names_in_", []), object)
            )
        if row and pd.api.types.is_string_dtype(index):  # X.iloc[-1]: its index holds the channels' names
            raise TypeError(
                f"X is a pd.Series indexed by channel names ({list(index)}): one reading of every "
                "channel, as X.iloc[-1] gives it, which the detector would read as a series of "
                f"{len(X)} time points labelled by text. Pass it as a one-row DataFrame: X.iloc[[-1]] "
                "(or row.to_frame().T)."
            )
        if isinstance(index, pd.Index):
            _check_time_index(index, fitting=not self.is_fitted)
        if isinstance(X, pd.DataFrame):  # groupby leaves rows without a key out: NaN scores, never flagged
            fitted = self.is_fitted
            refuse_missing_keys(
                X,
                "X",
                "the fitted detector" if fitted else "fit",
                "left unscored, never flagged" if fitted else "left out of training",
            )
        refuse_repeated_columns(X, "X")
        X_inner = super()._check_X(X)
        if isinstance(X, np.ndarray):  # channels read by position (sktime names numpy3D's "var_0", ...)
            X_inner = X_inner.set_axis(pd.RangeIndex(X_inner.shape[1]), axis=1)
        return X_inner

    @staticmethod
    def _frame(X: Any) -> pd.DataFrame:
        """``X`` as a data frame (sktime's ``predict_points`` passes series and arrays as they are)."""
        if isinstance(X, pd.DataFrame):
            return X
        if isinstance(X, pd.Series):
            return X.to_frame()
        values = np.asarray(X)
        return pd.DataFrame(values.reshape(len(values), -1))

    @staticmethod
    def _series_rows(X: pd.DataFrame) -> list[np.ndarray]:
        """The rows of each series of ``X``: all of them, or each instance's of a panel."""
        return _rows_by_series(X.index)

    def _scores(self, X: pd.DataFrame, method: str) -> np.ndarray:
        """Every step's score (each series of a panel on its own), in the order of ``X``'s rows.

        A single series that continues the stream ``update`` stored reads that past first.
        """
        return self._scores_and_context(X, method)[0]

    def _scores_and_context(self, X: pd.DataFrame, method: str) -> tuple[np.ndarray, tuple | None]:
        """:meth:`_scores`, and the stream's past that a single series continuing it read
        (:meth:`_context_for`; None for a panel or a series that does not continue the stream)."""
        X = self._frame(X)
        scaled = self._standardise(self._values(X, method))
        if not len(X):
            return np.empty(0), None
        if isinstance(X.index, pd.MultiIndex):
            scores = np.full(len(X), np.nan)
            for rows in self._series_rows(X):
                scores[rows] = self._series_scores(scaled[rows])
            return scores, None
        context = self._context_for(X)
        return self._series_scores(scaled, context), context

    def _series_scores(self, scaled: np.ndarray, context: tuple | None = None) -> np.ndarray:
        _, scores, _, past_scores = self._after_past(scaled, context)
        if self._fitted("threshold") == "dynamic":
            scores = self._relative(scores, past_scores)
        return scores

    def _after_past(
        self, scaled: np.ndarray, context: tuple | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
        """Own and smoothed scores of the standardised steps read after the stream's ``context``, and
        the past's own and smoothed scores as the whole series gives them.

        Reconstruction: the last ``window_length_ - 1`` steps of the past (a
        chunk's provisional steps) were scored by fewer windows than hold them
        once the next chunk arrives. Read again here with all their windows,
        their own scores, and the smoothed scores that the smoothing and the
        dynamic threshold read, are revised as the whole series has them; the
        scores returned for the chunk that gave them are not. Returns the own
        scores, the smoothed scores, the own scores the smoothing continues from
        (the stream's, revised; without a context the typical past; None or
        empty where none are kept) and the past's smoothed scores (None without
        a context).
        """
        past_scaled, past_scores, past_own = (
            (None, None, self._typical_past()) if context is None else context[:3]
        )
        own = self._own_scores(scaled, past_scaled)
        n_past = len(own) - len(scaled)  # the stored steps, read again before the chunk
        revised = min(self.window_length_ - 1, n_past) if self._fitted("scoring") == "reconstruction" else 0
        if past_own is not None and len(past_own):  # none kept: no smoothing, or a stream saved before
            revised = min(revised, len(past_own))
            kept = past_own[: len(past_own) - revised]
            past_own = np.concatenate([kept, own[n_past - revised : n_past]])
            smoothed = self._smoothed(own, kept, before=n_past - revised)
        else:
            smoothed = self._smoothed(own, None, before=n_past - revised)
        if past_scores is not None:
            n = min(revised, len(past_scores))
            past_scores = np.concatenate(
                [past_scores[: len(past_scores) - n], smoothed[revised - n : revised]]
            )
        return own[n_past:], smoothed[revised:], past_own, past_scores

    def _relative(self, scores: np.ndarray, past: np.ndarray | None = None) -> np.ndarray:
        n_past = 0 if past is None else len(past)
        if n_past:
            scores = np.concatenate([past, scores])
        window = self._fitted("threshold_window")
        out = dynamic_scores(scores, window, self.score_median_, self.score_spread_)
        return out[n_past:]

    def _warn_if_stream_restarts(self, index: pd.Index, context: tuple | None) -> None:
        """Warn where a chunk of dates starts at or before the stream's last one (re-sent, overlapping
        or late data): it is read as a new series, and the stream goes on from its end."""
        stored = getattr(self, "_context", None)
        timed = (pd.DatetimeIndex, pd.PeriodIndex, pd.TimedeltaIndex)  # integers: an array's rows too
        if context is not None or stored is None or not isinstance(index, timed):
            return
        last = stored[0][-1]
        try:
            restarts = index[0] <= last
        except TypeError:  # another kind of time point: read as a new series, as documented
            return
        if restarts:
            warnings.warn(
                f"X passed to update starts at {index[0]}, at or before the last time point the "
                f"stream has read ({last}): a re-sent, overlapping or late chunk. It is scored as a "
                "new series (its first steps read no past, and rows read before are flagged again), "
                "and the stream now goes on from its end, so the next chunk after the stream's "
                f"last time point is not read as its continuation. Pass the rows after {last} only "
                "(X[X.index > last]) to continue the stream.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def _refuse_other_step(self, index: pd.Index, method: str) -> None:
        """Refuse a series of dates, periods or durations sampled at another step than ``fit``'s
        (``index_freq_``, where it is a fixed duration: seconds to hours): its mean step over
        at least 4 time points more than half again or less than two thirds of fit's. Each
        series of a panel is checked on its own.

        A window of ``window_length_`` rows then spans another stretch of time
        than the network learned: 10-minute data scored by a detector fitted
        on 5-minute data had 21-46% of its normal steps flagged (1-2% at 5
        minutes), and 1-minute data none. The mean over 4 time points or more
        bounds a clock's jitter (half a step either way moves it by a third)
        and drift; shorter series, and integer time points (an array's rows and
        a table's row labels count alike), are not checked.
        """
        fitted = getattr(self, "index_freq_", None)  # None: no one step, or a detector saved before it
        step = to_offset(fitted) if isinstance(fitted, str) else None
        # a fixed duration (seconds to hours): days, business days and months step by the calendar
        if not isinstance(step, pd.offsets.Tick):
            return
        for rows in _rows_by_series(index):
            times = index[rows].get_level_values(-1) if isinstance(index, pd.MultiIndex) else index
            if isinstance(times, pd.PeriodIndex):
                times = times.to_timestamp()  # their starts: periods of a fixed duration step alike
            if not isinstance(times, (pd.DatetimeIndex, pd.TimedeltaIndex)) or len(times) < 4:
                continue
            mean = pd.Timedelta((times[-1] - times[0]) / (len(times) - 1))
            if 2 / 3 <= mean / pd.Timedelta(step) <= 3 / 2:
                continue
            raise ValueError(
                f"X passed to {method} has time points {mean.round('ms')} apart on average"
                f"{_which_series(index, rows)}, but "
                f"the detector was fitted on time points that step by {fitted!r} (index_freq_): its "
                f"windows of window_length_={self.window_length_} rows would span another stretch of "
                "time than the network learned, and normal data would be scored as anomalous. Put X "
                f"on fit's step first (X.resample({fitted!r}).mean(), with .interpolate() where X is "
                "coarser), or fit the detector on data sampled as X is."
            )

    def _context_for(self, X: pd.DataFrame) -> tuple | None:
        """The stream's stored past when ``X`` starts right after it: scaled steps, scores, own scores,
        the event open at its end (``[peak, gap]``, or empty: :meth:`_event_trail`) and the time point
        before ``X``'s first (the stream's last, or the last reading lost after it).

        The own scores (before smoothing) are None in a detector saved before
        they were kept: its smoothing starts again at each chunk; the open event
        is None in one saved before it was kept.
        """
        context = getattr(self, "_context", None)
        if context is None or not len(X):
            return None
        last, scaled, scores, *rest = context
        own, trail = (rest + [None, None])[:2]
        if isinstance(last, pd.DatetimeIndex) and isinstance(X.index, pd.DatetimeIndex):
            past, given = last.tz, X.index.tz
            if (past is None) != (given is None):  # a naive time and an aware one do not compare
                zone = "UTC" if isinstance(past, dateutil.tz.tzutc) else str(past)  # tzutc() names no zone
                fix = (
                    f"X.index.tz_localize({zone!r})"
                    if given is None
                    else "X.index.tz_localize(None) (its local times) or X.index.tz_convert(None) (UTC)"
                )
                raise ValueError(
                    f"X's time index has {f'the time zone {given}' if given else 'no time zone'} and the "
                    f"stream's past {f'the time zone {past}' if past else 'none'}, so whether X continues "
                    f"the stream cannot be told. Pass time points as the stream's are: X.index = {fix}."
                )
        try:
            largest = getattr(self, "largest_spacing_", None)  # none in a detector saved before it
            # one time point stored and one given tell no spacing: fit's largest one bounds it
            expected = _next_step(last, X.index, getattr(self, "index_freq_", None), largest is None)
            first, end = X.index[0], last[-1]
            # within half a step of it: time stamps of a few seconds' jitter (a plant historian's)
            continues = (
                expected == first
                or (
                    isinstance(first, (pd.Timestamp, pd.Timedelta))
                    and expected is not None
                    and end < first
                    and abs(first - expected) <= (expected - end) / 2
                )
                # irregular time points: any spacing fit read between two rows
                or (largest is not None and end < first and first - end <= _spacing_of(largest))
            )
            # readings lost between the stream's end and X (fewer than an outage): the whole series
            # reads them as a gap, so the past ends in as many steps without a value
            lost_points = (
                None if continues else _lost_points(last, X.index, getattr(self, "index_freq_", None))
            )
            lost = 0 if lost_points is None else len(lost_points)
        except (TypeError, ValueError, OverflowError):  # another kind of index, or beyond pandas' dates
            return None
        if not continues and not lost:
            return None
        before = last[-1:]
        if lost:
            before = lost_points[-1:]
            scaled = np.concatenate([scaled, np.full((lost, scaled.shape[1]), np.nan)])
            scores = np.concatenate([scores, np.full(lost, np.nan)])
            own = None if own is None else np.concatenate([own, np.full(lost, np.nan)])
            if trail is not None and len(trail):  # the open event's steps since its last flag
                trail = (
                    np.array([trail[0], trail[1] + lost]) if trail[1] + lost <= self.merge_gap else trail[:0]
                )
        return scaled, scores, own, trail, before

    def _flags(self, X: pd.DataFrame, method: str) -> tuple[np.ndarray, np.ndarray]:
        """Flagged steps (merged within ``merge_gap``, events peaking at ``event_peak`` times
        ``threshold_``, each series of a panel on its own) and scores.

        A point without a score is never flagged, not even between two merged
        flags; an event (``mode="segments"``) spans the steps without a value
        between its flagged ones, so a sensor dropout does not cut it in two.
        A single series that continues the stream reads the peak of the event
        open at the stream's end (:meth:`_event_trail`).
        """
        scores, context = self._scores_and_context(X, method)
        flags = np.nan_to_num(scores, nan=-np.inf) > self.threshold_
        carried, since = None, None
        trail = None if context is None else context[3]
        if trail is not None and len(trail):  # the open event: the run starting by then continues it
            carried, since = (float(trail[0]), self.merge_gap - int(trail[1])), int(trail[1])
        bar = self._event_bar()
        merged = np.zeros_like(flags)
        for rows in self._series_rows(self._frame(X)):
            run = flags[rows]
            if since is None:
                run = merge_gaps(run, self.merge_gap)
            else:  # the steps before X's first flag join the open event, as in the whole series
                run = merge_gaps(np.concatenate([[True], np.zeros(since, dtype=bool), run]), self.merge_gap)
                run = run[1 + since :]
            merged[rows] = confirm_events(run, scores[rows], bar, carried)
        return (merged if self.mode == "segments" else merged & ~np.isnan(scores)), scores

    def _event_bar(self) -> float:
        """The score an event's peak must reach: ``event_peak`` times ``threshold_`` (where positive)."""
        return self.threshold_ * self.event_peak if self.threshold_ > 0 else self.threshold_

    def _event_trail(self, scores: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
        """``[peak, gap]`` of the event open at the end of a stream's ``scores`` (as returned), or empty.

        An event is open where its last step above ``threshold_`` lies at most
        ``merge_gap`` steps before the end (``gap`` steps after it): the next
        chunk's run starting within the rest of ``merge_gap`` continues it.
        ``previous``: the trail before these scores, whose event the first run
        of ``scores`` may continue.
        """
        above = np.nan_to_num(scores, nan=-np.inf) > self.threshold_
        continued = previous is not None and len(previous) > 0
        if not above.any():
            gap = previous[1] + len(scores) if continued else np.inf
            return np.array([previous[0], gap]) if gap <= self.merge_gap else np.empty(0)
        last = int(np.flatnonzero(above)[-1])
        gap = len(scores) - 1 - last
        if gap > self.merge_gap:
            return np.empty(0)
        start = flag_runs(merge_gaps(above, self.merge_gap))[-1][0]
        peak = float(np.nanmax(scores[start : last + 1]))
        if continued and start <= self.merge_gap - previous[1]:
            peak = max(peak, float(previous[0]))
        return np.array([peak, float(gap)])

    def _transform_scores(self, X: pd.DataFrame) -> pd.DataFrame:
        """Every time step's score (NaN where a step has no value), indexed like ``X``."""
        return pd.DataFrame({"scores": self._scores(X, "transform_scores")}, index=self._frame(X).index)

    def _predict(self, X: pd.DataFrame, method: str = "predict") -> pd.Series:
        """The ilocs of anomalous points, or of anomalous events as intervals (``mode="segments"``)."""
        flags, _ = self._flags(X, method)
        return self._events(flags, X)

    def predict_points(self, X: Any) -> pd.DataFrame:
        """Anomalous points: ``predict``'s ilocs in points mode, each event's first step in segments mode.

        sktime's own first checks ``X`` as one series, which refuses a
        ``pd-multiindex`` panel (``NotImplementedError``) and reads a numpy
        panel's instances as rows; this reads ``X`` as ``predict`` does.

        Parameters
        ----------
        X : pd.DataFrame, pd.Series or np.ndarray
            The data to detect in, a series or a panel.

        Returns
        -------
        points : pd.DataFrame
            An ``"ilocs"`` column: positions of rows of ``X`` (a panel's rows in order).
        """
        self.check_is_fitted()
        X = self._check_X(X)
        if self.get_tag("task") == "segmentation":  # mode="segments"
            events = self._coerce_to_df(self._predict(X, "predict_points"), columns=["ilocs"])
            points = self.segments_to_change_points(events)
        else:
            points = self._predict(X, "predict_points")
        return self._coerce_to_df(points, columns=["ilocs"])

    def predict_segments(self, X: Any) -> pd.DataFrame:
        """Anomalous events as intervals of ilocs in segments mode; in points mode, sktime's segments
        between anomalous points, within each series of a panel.

        sktime's own checks ``X`` as one series first, as ``predict_points`` does.

        Parameters
        ----------
        X : pd.DataFrame, pd.Series or np.ndarray
            The data to detect in, a series or a panel.

        Returns
        -------
        segments : pd.DataFrame
            An ``"ilocs"`` column of left-closed intervals of row positions of ``X``.
        """
        self.check_is_fitted()
        X = self._check_X(X)
        if self.get_tag("task") == "segmentation":
            segments = self._predict(X, "predict_segments")
        else:  # sktime's meaning: the stretches between (and from) the anomalous points, of each series
            found = self._coerce_to_df(self._predict(X, "predict_segments"), columns=["ilocs"])
            if not isinstance(X.index, pd.MultiIndex):  # one series: sktime's own
                segments = self.change_points_to_segments(found, start=0, end=len(X))
            else:
                segments = self._segments_between(found["ilocs"].to_numpy(), self._series_rows(X))
        return self._coerce_to_df(segments, columns=["ilocs"])

    def _segments_between(self, points: np.ndarray, rows_of: list[np.ndarray]) -> pd.Series | pd.DataFrame:
        """sktime's segments between ``points`` (ilocs of a panel's rows), of each series' own steps, as
        runs of adjacent rows: a series whose rows interleave with others' (rows in time order) has
        each of its segments cut into its pieces of adjacent rows, as :meth:`_events` cuts events."""
        series = np.empty(sum(map(len, rows_of)), dtype=np.int64)
        position = np.empty(len(series), dtype=np.int64)
        for i, rows in enumerate(rows_of):
            series[rows], position[rows] = i, np.arange(len(rows))
        points = points[np.lexsort((position[points], series[points]))]
        bounds = np.searchsorted(series[points], np.arange(len(rows_of) + 1))
        intervals = []
        for i, rows in enumerate(rows_of):
            own = position[points[bounds[i] : bounds[i + 1]]]  # the series' points, as its positions
            if not len(own):
                continue
            for segment in self.change_points_to_segments(pd.Series(own), start=0, end=len(rows)).index:
                a, b = int(segment.left), int(segment.right)
                if a == b:  # sktime's empty segment before a point at the series' first step
                    intervals.append((int(rows[a]), int(rows[a])))
                    continue
                intervals += _adjacent_runs(rows[a:b])
        if not intervals:
            return self.change_points_to_segments(pd.Series([], dtype="int64"), start=0, end=0)
        index = pd.IntervalIndex.from_tuples(sorted(intervals), closed="left")
        return pd.Series(np.arange(len(index)), index=index)  # sktime labels them 0, 1, ...

    def _events(self, flags: np.ndarray, X: pd.DataFrame) -> pd.Series | pd.DataFrame:
        """Flagged points, or runs of them as intervals, none across two series of a panel.

        An interval holds rows of one series alone: where a panel's rows
        interleave its series (rows in time order), a run of a series' steps is
        cut into its pieces of adjacent rows.
        """
        points = np.flatnonzero(flags)
        if self.mode == "points":
            return pd.Series(points, dtype="int64") if len(points) else self._empty_sparse()
        if not len(points):
            return self._empty_segments()
        runs = []
        for rows in self._series_rows(self._frame(X)):
            for start, stop in flag_runs(flags[rows]):
                runs += _adjacent_runs(rows[start:stop])
        starts, ends = zip(*sorted(runs), strict=True)
        return pd.DataFrame({"ilocs": pd.IntervalIndex.from_arrays(starts, ends, closed="left")})

    def transform(self, X: Any) -> pd.DataFrame:
        """Labels of every step: 0/1 (``mode="points"``), or each event's number and -1 outside events.

        sktime's conversion labels every step 0 when there is no event in
        segments mode, as if the whole series were one event: here it is -1.

        Parameters
        ----------
        X : pd.DataFrame, pd.Series or np.ndarray
            The data to label.

        Returns
        -------
        labels : pd.DataFrame
            A ``"labels"`` column, one row per time step of ``X``, indexed like
            ``X`` (its time points; 0, 1, ... for an array), as in ``transform_scores``.
        """
        self.check_is_fitted()
        X = self._check_X(X)  # a data frame: numpy3D's len counts instances, not steps
        events = self._coerce_to_df(self._predict(X, "transform"), columns=["ilocs"])
        if self.mode == "segments" and not len(events):
            labels = np.full(len(X), -1, dtype=np.int64)
        else:  # ilocs: positions, labelled on 0, 1, ...
            dense = self.sparse_to_dense(events, pd.RangeIndex(len(X)))
            labels = self._coerce_to_df(dense, columns=["labels"])["labels"].to_numpy()
        # indexed like X, as transform_scores is: df["flag"] = transform(df)["labels"] aligns by index
        return pd.DataFrame({"labels": labels}, index=X.index)

    def fit_transform(self, X: Any, y: Any = None) -> pd.DataFrame:
        """Fit on ``X``, then label its every step: :meth:`transform` after :meth:`fit`.

        sktime's own labels the ilocs as labels of ``X``'s index (a ``KeyError``
        on a date index or one not from 0) and counts a numpy3D panel's instances.

        Parameters
        ----------
        X : pd.DataFrame, pd.Series or np.ndarray
            Normal behaviour to learn from, and label.
        y : array-like of int, default=None
            The ilocs of known anomalies, as :meth:`fit` takes them.

        Returns
        -------
        labels : pd.DataFrame
            As :meth:`transform` returns them.
        """
        return self.fit(X, y).transform(X)

    def _predict_scores(self, X: pd.DataFrame) -> pd.DataFrame:
        """The score of each detection ``predict`` returns (an event's: its largest)."""
        flags, scores = self._flags(X, "predict_scores")
        events = self._events(flags, X)
        if self.mode == "points":
            ilocs = np.flatnonzero(flags)
            return pd.DataFrame({"scores": scores[ilocs]})
        return pd.DataFrame({"scores": [float(np.nanmax(scores[i.left : i.right])) for i in events["ilocs"]]})

    # -- update ---------------------------------------------------------------------------------
    def update(self, X: Any, y: Any = None) -> RNNAnomalyDetector:
        """Give the detector the stream's latest data; the network is not refitted.

        The last steps of ``X`` that the next chunk's windows read
        (``window_length_ + horizon - 1`` with ``scoring="forecast"``; ``2 *
        window_length_ - 1`` with reconstruction, the windows that hold its
        provisional last ``window_length_ - 1`` steps, which the next chunk
        scores again; at least 21, so that an outage at its end is told) and
        the scores the dynamic threshold
        reads (``2 * threshold_window``: the spread at a step reads the medians
        of the window before it, each reading the window before that), and with
        ``smoothing`` the steps' own scores its weighted mean reads, become the
        past that a later call on data starting at the next time point after
        ``X``'s reads first. Nothing else is kept: sktime's own
        ``update`` would store every step it is given (and fails on a detector
        fitted on a series or an array, or restored by :func:`sklearn_rnn.load`).

        Parameters
        ----------
        X : pd.DataFrame, pd.Series or np.ndarray
            The latest data of the series ``fit`` learnt from (a panel keeps no past).
        y : ignored
            Known anomalies are used by ``fit`` alone.

        Returns
        -------
        self : RNNAnomalyDetector
        """
        self.check_is_fitted()
        return self._update(self._check_X(X))

    def update_predict(self, X: Any, y: Any = None) -> pd.Series | pd.DataFrame:
        """The detections of ``X`` read after the stream's past, then :meth:`update` with ``X``.

        sktime's default updates first and so would read ``X`` after itself: its
        first steps would lose the past they are scored with.
        """
        detections = self.predict(X)
        self.update(X, y)
        return detections

    def _update(self, X: pd.DataFrame, y: Any = None) -> RNNAnomalyDetector:
        """Keep the last steps of ``X`` that the next chunk's windows read, at least ``CUT_GAP + 1`` (and
        their scores), as the stream's past."""
        X = self._frame(X)
        if not len(X) or isinstance(X.index, pd.MultiIndex):  # a panel's series keep no past
            return self
        scaled = self._standardise(self._values(X, "update"))
        context = self._context_for(X)
        self._warn_if_stream_restarts(X.index, context)
        own, chunk, past_own, past_scores = self._after_past(scaled, context)  # the network reads it once
        own = own if past_own is None else np.concatenate([past_own, own])
        if context is None:
            scaled_all, raw = scaled, chunk
        else:
            scaled_all, raw = np.concatenate([context[0], scaled]), np.concatenate([past_scores, chunk])
        # the rows the next chunk's first scores read: forecasting, their windows and origins;
        # reconstruction, the windows that hold this chunk's last window_length_ - 1 steps, and one
        # row before them (a gap there is filled below, which no such window may read)
        W = self.window_length_
        rows = W + (self._fitted("horizon") - 1 if self._fitted("scoring") == "forecast" else W - 1)
        # the dynamic threshold's spread at a step reads the medians of the threshold_window scores
        # before it, each of which reads the threshold_window before that
        # the last two time points: their spacing places the next chunk where the index has no freq
        reach = self._smoothing_reach()  # the own scores the smoothing of the next chunk continues from
        if reach and self._fitted("scoring") == "reconstruction":
            reach += W - 1  # after those the next chunk revises
        # an outage of CUT_GAP steps at the end cuts the series there, as in the whole series (the
        # next chunk reads the kept steps without a value as one); kept steps that start within an
        # outage start after it, where the whole series' next piece starts
        kept = scaled_all[-max(rows, CUT_GAP + 1) :].copy()
        first = len(scaled_all) - len(kept)
        within = [b for a, b in outages(np.isnan(scaled_all).all(axis=1)) if a <= first < b < len(scaled_all)]
        if within:  # the kept steps start within an outage: the series starts again after it
            kept = scaled_all[within[-1] :].copy()
        elif np.isnan(kept[0]).any():  # a gap at the first kept step reads the last value before it, as in
            # the whole series; the later steps keep their gaps, which tell the windows that read them
            kept[0] = pd.DataFrame(scaled_all).ffill().to_numpy()[first]
        # the stream's last two time points: a chunk of one row keeps the one before it (the last
        # reading lost before it, where some were: their spacing is the grid's)
        times = X.index[-2:] if len(X) > 1 or context is None else context[4].append(X.index)
        # the event open at the end of the scores the chunk returned, which the next chunk may continue
        returned = self._relative(chunk, past_scores) if self._fitted("threshold") == "dynamic" else chunk
        trail = self._event_trail(returned, None if context is None else context[3])
        self._context = (
            times,
            kept,
            raw[-2 * self._fitted("threshold_window") :],
            _smoothing_past(own, reach),
            trail,
        )
        return self

    # -- save and load ----------------------------------------------------------------------------
    def _restore_fitted(self, attributes, rebuild_net, manifest, arrays) -> None:
        settings = attributes.get("_fit_settings")
        # files written before the detector recorded its own settings read the parameter, as _fitted does
        threshold = (
            settings.get("threshold", self.threshold) if isinstance(settings, dict) else self.threshold
        )
        if missing := sorted(
            {"score_median_", "score_spread_"} - set(attributes) if threshold == "dynamic" else ()
        ):
            raise Refused(
                f"its fitted attributes lack {missing}, which a detector fitted with threshold='dynamic' "
                "holds: the file was edited or damaged. Save the model again from the fitted detector."
            )
        super()._restore_fitted(attributes, rebuild_net, manifest, arrays)
        self._is_fitted = True  # what sktime's fit sets last

    @classmethod
    def get_test_params(cls, parameter_set: str = "default"):
        """Cheap parameter sets for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set; only "default" exists.

        Returns
        -------
        params : list of dict
        """
        return [
            {"window_length": 3, "hidden_size": 4, "max_epochs": 2, "random_state": 0},
            {
                "window_length": 4,
                "scoring": "forecast",
                "local_level": False,
                "horizon": 2,
                "cell": "gru",
                "hidden_size": 3,
                "max_epochs": 1,
                "threshold": "dynamic",
                "threshold_window": 5,
                "merge_gap": 1,
                "smoothing": 3,
                "random_state": 1,
            },
            {
                "scoring": "forecast",
                "window_length": 3,
                "hidden_size": 3,
                "max_epochs": 1,
                "mode": "segments",
            },
        ]


def _interval_points(interval: pd.Interval, n: int) -> np.ndarray:
    """The positions (0..n-1) an interval of ilocs holds, by its closed sides (sktime's: [left, right))."""
    left, right = interval.left, interval.right
    if not all(isinstance(b, (int, np.integer)) for b in (left, right)) or left < 0 or right > n:
        raise ValueError(
            f"y passed to fit holds the interval {interval}, whose ends are not integer positions (ilocs) "
            f"of X's {n} steps. Pass events as intervals of ilocs, as predict returns them with "
            "mode='segments'."
        )
    return np.arange(left + (not interval.closed_left), right + interval.closed_right, dtype=np.int64)


def _check_time_index(index: pd.Index, text: bool = False, fitting: bool = False) -> None:
    """Refuse a time index the rows cannot be read in order by: out of order, repeated times, or text.

    ``text=True`` lets an index of text (row labels, not times) through unchecked; ``fitting`` warns
    of numbers after times in a panel's levels (:func:`refuse_time_level_not_last`).
    """
    if not len(index):
        return
    refuse_time_level_not_last(index, "X", fitting)
    if isinstance(index, pd.MultiIndex) and index.nlevels > 2:  # sktime's error lists every format it tried
        raise TypeError(
            f"X has a MultiIndex of {index.nlevels} levels {list(index.names)}; the detector reads a "
            "single series or a panel indexed by (series, time). Make the outer levels one series key "
            "first: X.index = pd.MultiIndex.from_arrays([X.index.droplevel(-1).to_flat_index(), "
            "X.index.get_level_values(-1)])."
        )
    times = index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index
    if text and pd.api.types.is_string_dtype(times):  # the values, not the dtype: objects may be dates
        return
    refuse_unparsed_times(index, "X")
    if pd.api.types.is_float_dtype(times):  # sktime reads no time in floats: its page-long format error
        raise TypeError(
            f"X's time index holds floats ({times[0]:g}, ...), which sktime takes as no time index. "
            "Pass elapsed time as durations, e.g. X.index = pd.to_timedelta(X.index, unit='s') for "
            "seconds (a panel: its last level), or number the steps: X.reset_index(drop=True)."
        )
    refuse_missing_times(index, "X")
    if index.has_duplicates:  # first: sorting would not remove a repeat, read as one more step
        raise ValueError(
            f"X's time index repeats the time {index[index.duplicated()][0]}, and the detector "
            "reads the rows as consecutive steps. Drop the repeats (X[~X.index.duplicated()]) "
            "or average them (X.groupby(level=list(range(X.index.nlevels))).mean())"
            + (
                "."
                if isinstance(index, pd.MultiIndex)
                else f"; {stacked_series_advice('X', 'a machine id')}." + clock_change_advice(index, "X")
            )
        )
    if not isinstance(index, pd.MultiIndex) and not index.is_monotonic_increasing:
        raise ValueError(
            "X's time index is not in increasing order, and the detector reads the rows as "
            "consecutive steps. Sort it first: X.sort_index()."
        )
    if isinstance(index, pd.MultiIndex):
        rows = pd.Series(np.arange(len(index)), index=index)
        series = rows.groupby(level=list(range(index.nlevels - 1)), sort=False).indices
        pieces = [times[positions] for positions in series.values()]
    else:
        pieces = [times]
    for piece in pieces:
        if not piece.is_monotonic_increasing:  # a flat index was checked above
            raise ValueError(
                "X's time index is not in increasing order within a series of the panel, and the "
                "detector reads the rows as consecutive steps. Sort it first: X.sort_index()."
            )
        refuse_skipped_steps(piece, level=isinstance(index, pd.MultiIndex))


def _text_advice(X: pd.DataFrame, name: Any) -> str:
    """What a column of text holds (numbers, dates or categories, by what most of it parses as) and
    how to pass it: numbers converted, dates as the time index, categories as numbers or a series key."""
    sample = X[name].dropna().head(1000).astype(object)
    example = sample.iloc[0] if len(sample) else None
    if commas := comma_number_advice(sample, f"X[{name!r}]"):
        return commas + "."
    if len(sample) and pd.to_numeric(sample, errors="coerce").notna().mean() >= MOSTLY:
        return (
            f"numbers as text (e.g. {example!r}), which are not parsed. Convert them explicitly: "
            f"X[{name!r}] = pd.to_numeric(X[{name!r}], errors='coerce') (text that is no number becomes "
            "NaN, a gap)."
        )
    with warnings.catch_warnings():  # pandas warns of each format it infers
        warnings.simplefilter("ignore")
        dates = pd.to_datetime(sample, errors="coerce", format="mixed", utc=True)
    if len(sample) and (dates.dt.year > 1000).mean() >= MOSTLY:  # dateutil reads "M0" as the year 1
        return (
            f"dates as text (e.g. {example!r}), as a CSV's time column is read. Make them the time "
            f"index: X[{name!r}] = pd.to_datetime(X[{name!r}]); X = X.set_index({name!r})."
        )
    series_level = (
        "; or, if it names the series each row belongs to (a machine id, say), make it the series level "
        f"of the index: {series_level_code('X', repr(name))}"
        if not isinstance(X.index, pd.MultiIndex)
        else ""
    )
    return (
        f"text (e.g. {example!r}), not numbers. Encode it as numbers first, e.g. one 0/1 channel per "
        f"value: X = pd.get_dummies(X, columns=[{name!r}], dtype=float), or drop the column"
        + series_level
        + "."
    )


def _silent_stretches(missing: np.ndarray, window: int) -> dict[int, tuple[int, int, int]]:
    """Channels ``missing`` ``(T, C)`` holds no value of over ``window`` or more steps that another reports.

    Each such channel's first run ``(start, end, n)`` of NaN holding ``n >= window`` steps where
    another channel has a value (steps no channel reports lie within a run and are not counted).
    """
    found = {}
    reported = np.concatenate([[0], np.cumsum((~missing).any(axis=1))])  # steps with a value, counted
    for channel in range(missing.shape[1]):
        runs = np.array(flag_runs(missing[:, channel]), dtype=np.int64).reshape(-1, 2)
        counts = reported[runs[:, 1]] - reported[runs[:, 0]]  # within a run, any value is another's
        long = np.flatnonzero(counts >= window)
        if len(long):
            (a, b), n = runs[long[0]], counts[long[0]]
            found[channel] = (int(a), int(b), int(n))
    return found


def _which_series(index: pd.Index, rows: np.ndarray) -> str:
    """`` (series 'a')`` for the series of a panel that ``rows`` are, nothing for a single series."""
    if not isinstance(index, pd.MultiIndex):
        return ""
    key = index[rows[0]][:-1]
    return f" (series {(key[0] if len(key) == 1 else key)!r})"


def _rows_by_series(index: pd.Index) -> list[np.ndarray]:
    """The rows of each series of an index: all of them, or each instance's of a panel (in the order
    they first appear; rows whose key is missing belong to none)."""
    if not isinstance(index, pd.MultiIndex):
        return [np.arange(len(index))]
    codes, _ = pd.factorize(index.droplevel(-1))
    order = np.argsort(codes, kind="stable")  # each series' rows together, in their order
    bounds = np.searchsorted(codes[order], np.arange(codes.max() + 2))
    return [order[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _adjacent_runs(rows: np.ndarray) -> list[tuple[int, int]]:
    """``(first, end)`` of each run of adjacent rows among the increasing ``rows``."""
    return [(int(run[0]), int(run[-1]) + 1) for run in np.split(rows, np.flatnonzero(np.diff(rows) != 1) + 1)]


def _index_step(index: pd.Index) -> str | int | None:
    """The step of a single series' time points: a frequency for dates and durations, a spacing for integers.

    The index's frequency, or the one pandas infers (months, business days and
    days across a clock change included, whose spacings in hours vary), where
    its name rebuilds it (a ``pd.DateOffset(months=1)`` prints as none does);
    for integers, the spacing nearly every one has (``_ON_GRID`` in ``_series``); for periods
    shorter than a day, their starts' (minute periods 5 minutes apart step by 5 minutes); for a
    panel, the one step all its series of 3 time points or more have. None for other periods
    (they step by the calendar), a panel whose series step differently, or time points that
    tell none.
    """
    if isinstance(index, pd.PeriodIndex):  # periods of seconds to hours: their starts' step, a duration
        return _index_step(index.to_timestamp()) if _sub_daily(index.freq) else None
    if isinstance(index, pd.MultiIndex):  # a panel: the step all its series of 3 points or more share
        times = index.get_level_values(-1)
        steps = {_index_step(times[rows]) for rows in _rows_by_series(index) if len(rows) >= 3}
        return steps.pop() if len(steps) == 1 else None
    if len(index) < 3:
        return None
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        try:
            freq = index.freq if index.freq is not None else to_offset(pd.infer_freq(index))
            return freq.freqstr if freq is not None and to_offset(freq.freqstr) == freq else None
        except (TypeError, ValueError):
            return None
    if not pd.api.types.is_integer_dtype(index):
        return None
    usual = usual_spacing(np.diff(index.to_numpy(dtype=np.int64)))
    return None if usual is None else int(usual)


def _largest_spacing(index: pd.Index) -> str | int | None:
    """The largest spacing of a single series' time points: a duration as a frequency name, or an integer.

    None for a panel, periods, or fewer than two time points.
    """
    if isinstance(index, (pd.MultiIndex, pd.PeriodIndex)) or len(index) < 2:
        return None
    if isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        return to_offset(pd.Timedelta(np.diff(index).max())).freqstr
    if pd.api.types.is_integer_dtype(index):
        return int(np.diff(index.to_numpy(dtype=np.int64)).max())
    return None


def _spacing_of(spacing: str | int) -> pd.Timedelta | int:
    """``largest_spacing_`` as time points subtract: a duration, or an integer."""
    return pd.Timedelta(to_offset(spacing)) if isinstance(spacing, str) else spacing


def _sub_daily(freq: Any) -> bool:
    """Whether an offset is a fixed step shorter than a day (hours, minutes; not days, months or weeks)."""
    try:
        return pd.Timedelta(freq) < pd.Timedelta(days=1)
    except (TypeError, ValueError):  # calendar offsets (months, business days) have no fixed length
        return False


def _smoothing_past(own: np.ndarray, reach: int) -> np.ndarray:
    """The stream's own scores the smoothing of its next chunk reads: from the ``reach``-th last score
    (gaps carry no weight, so the steps between are kept), and from its last outage on, which restarts
    the smoothing (none where the smoothing reaches no past)."""
    if not reach:
        return own[len(own) :]
    no_score = np.isnan(own)
    scored = np.flatnonzero(~no_score)
    start = scored[-reach] if len(scored) >= reach else 0
    cuts = outages(no_score)
    return own[max(start, cuts[-1][0]) if cuts else start :]


def _lost_points(last: pd.Index, index: pd.Index, step: str | int | None) -> pd.Index | None:
    """The time points of the stream's grid between its ``last`` and the chunk ``index``'s first, fewer
    than ``CUT_GAP`` (readings that never arrived; empty where the chunk continues the stream); None
    where the first is not on the grid within them, or there is no grid (irregular time points)."""
    if step is None and getattr(last, "freq", None) is None and getattr(index, "freq", None) is None:
        return None
    points, first, lost = last, index[0], []
    for _ in range(CUT_GAP):
        point = _next_step(points, index, step, any_later=False)
        if point is None or not point <= first:
            return None
        if point == first:
            return pd.Index(lost) if lost else last[:0]
        lost.append(point)
        points = points[-1:].append(pd.Index([point]))
    return None


def _next_step(last: pd.Index, index: pd.Index, step: str | int | None = None, any_later: bool = True) -> Any:
    """The time point after the stream's ``last`` (its latest one or two): where a continuing chunk starts.

    One step of the index's frequency (periods by their own, or by fit's step where that
    is several of them: minute periods 5 minutes apart), or of the
    ``step`` of fit's time points (``index_freq_``: the stream's index often
    has no frequency, and months, business days or days across a clock change
    are not a fixed time apart), else the spacing of the stream's last two
    time points, or of the chunk's first two; with none (one point each, no
    frequency), any later time point continues the stream (None with
    ``any_later=False``: the caller bounds the spacing itself). A chunk after a
    gap is scored on its own, unless it lies on the stream's grid fewer than ``CUT_GAP`` points
    on (:func:`_lost_points`).
    """
    end = last[-1]
    if isinstance(last, pd.PeriodIndex):  # one period, or fit's step in periods (5 minutes of minutes)
        apart = 1.0
        if isinstance(step, str) and _sub_daily(last.freq) and _sub_daily(step):
            apart = pd.Timedelta(to_offset(step)) / pd.Timedelta(last.freq)
        return end + (int(apart) if apart >= 1 and apart == int(apart) else 1)
    freq = getattr(last, "freq", None) or getattr(index, "freq", None)
    if freq is None and isinstance(step, str) and isinstance(last, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        freq = to_offset(step)
    elif freq is None and isinstance(step, int) and len(last) == 1 and pd.api.types.is_integer_dtype(last):
        return end + step  # integers step by a fixed spacing: fit's only where the stream shows none
    if freq is not None:
        if isinstance(end, pd.Timestamp) and end.tz is not None and not _sub_daily(freq):
            # days or coarser step on the wall clock (pandas before 3 adds 24 hours for a day)
            return (end.tz_localize(None) + freq).tz_localize(
                end.tz, ambiguous=True, nonexistent="shift_forward"
            )
        return end + freq
    if len(last) > 1:
        return end + (last[-1] - last[-2])
    if len(index) > 1:
        return end + (index[1] - index[0])
    return index[0] if any_later and index[0] > end else None
