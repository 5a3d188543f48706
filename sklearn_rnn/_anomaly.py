"""Scoring every time step by how far a network trained on normal data misses it.

Both anomaly detectors build on :class:`StepScoring`. A recurrent network learns
normal behaviour from windows of the training series (standardised per
channel, gaps carried forward in the inputs and left out of the loss), either
forecasting the next ``horizon`` steps of each window (``scoring="forecast"``)
or reconstructing the window from its final state (``"reconstruction"``).
A time step's score is how far it lies from what the network expected, per
channel in units of that channel's typical miss on held-out normal data, the
largest over channels (a fault usually shows in one sensor), optionally
smoothed over time. Thresholds, events and the estimator APIs are the
detectors' own.
"""

from __future__ import annotations

import warnings
from functools import partial
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints

from ._archive import Refused
from ._networks.forecast import ForecastNet, PinballLoss
from ._networks.reconstruct import WindowAutoencoder
from ._runtime import user_stacklevel
from ._scaling import column_statistics, rounding_scaled
from ._training import MAX_SIZE, MAX_WINDOW_LENGTH, Int, TrainingMixin, make_module
from ._windows import WindowDataset, edge_pad, window_dataset

__all__ = [
    "SCORING_CONSTRAINTS",
    "StepScoring",
    "carry_forward_rows",
    "confirm_events",
    "dynamic_scores",
    "finite_quantile",
    "flag_runs",
    "merge_gaps",
]

SCORING_CONSTRAINTS: dict = {
    "window_length": [Int(1, MAX_WINDOW_LENGTH), StrOptions({"auto"})],
    "horizon": [Int(1, MAX_SIZE)],
    "scoring": [StrOptions({"forecast", "reconstruction"})],
    "smoothing": [Int(1)],
    "local_level": ["boolean", StrOptions({"auto"})],
    "contamination": [Interval(Real, 0, 0.5, closed="right")],
}
# window_length="auto": a quarter of the series' length, between 1 and 48 steps
MAX_WINDOW = 48
# a robust standard deviation: the median absolute deviation of a normal variable, scaled
_MAD_TO_STD = 1.4826
# start_scale_ and end_scale_: at most this many pieces of the training series scored on their own,
# and at least this many (fewer: no factors)
_EDGE_PIECES = 128
_MIN_EDGE_PIECES = 32
# and at most this many of their (step, window) misses in one pass: every piece in one pass up to
# window_length=128, memory bounded beyond
_EDGE_CELLS_PER_PASS = 1 << 22
# the edge scales' quantiles: about this many steps of the pieces (evenly spaced), each read over 1 to W
# windows (a default fit's 128 pieces of 48-step windows hold 6,144: every third)
_END_STEPS = 2048
# reconstruction scores one long sequence at most this many (step, window position, channel) misses at
# a time, in blocks of steps: a step's misses come from the windows that hold it alone, and each miss
# takes about 45 bytes on the way (one series of 160,000 steps, 2 channels and windows of 48 peaked at
# 680 MB scored whole; windows of 192 at 2.7 GB)
_MISS_CELLS_PER_PASS = 1 << 21
# a gap of at least this many steps in every channel (an outage) cuts a sequence in two, each piece
# scored as a sequence of its own, as a stream's chunk after missing time points is: windows reading
# 20 steps carried forward rebuilt the steps beside them worse (tripling the false alarms on runs of
# 100-160 steps: 0.062 at contamination=0.02, 0.028 cut) and forecast the steps after them worse
# (0.050 against 0.012 cut, which leaves the next window_length_ steps unscored); gaps of 10 steps or
# less read carried forward did better than cut wherever a piece is shorter than the window (the
# user guide's anomaly page has the tables)
CUT_GAP = 20
# standardised values farther than this from a channel's level are read as this far (still far past any
# threshold: a score is a miss in typical misses), within what float32 holds with room to spare
STANDARD_LIMIT = 1e6


def resolve_window_length(window_length: int | str, n_steps: int, shortest: int = 1) -> int:
    """The window the network reads: ``window_length``, or for "auto" a quarter of ``n_steps``.

    "auto" gives at least ``shortest`` steps and at most ``MAX_WINDOW``.
    """
    if window_length != "auto":
        return int(window_length)
    return int(min(MAX_WINDOW, max(shortest, n_steps // 4)))


def carry_forward_rows(values: np.ndarray) -> np.ndarray:
    """``values`` ``(T, C)`` with each gap filled by its channel's last value (the first one before it).

    A channel with no value at all becomes 0 (the training mean once standardised).
    """
    if not np.isnan(values).any():  # nothing to fill (pandas' round trip costs ~0.4 ms a sequence)
        return np.asarray(values, dtype=np.float64)
    return pd.DataFrame(values).ffill().bfill().fillna(0.0).to_numpy(dtype=np.float64)


def channel_statistics(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and scale (the one scaling rule) of the observed values of ``(T, C)``.

    A channel constant in them (a set point) is scaled by its level's magnitude (1 at a level of
    0), so that a move scores by its share of the level whatever the channel's units: scaled by 1,
    a 20% jump of a set point scored 1.1 recorded in volts and 23 in millivolts.
    """
    observed = [column[~np.isnan(column)][:, None] for column in values.T]
    stats = [column_statistics(column, constant_scale="rounding") for column in observed]
    mean = np.array([m[0] for m, _ in stats])  # 0 for a channel without a value
    scale = np.array([s[0] for _, s in stats])
    constant = rounding_scaled(scale, mean)
    scale = np.where(constant, np.where(mean != 0, np.abs(mean), 1.0), scale)
    return np.nan_to_num(mean), np.where(np.isfinite(scale), scale, 1.0)


def robust_scale(residuals: np.ndarray) -> np.ndarray:
    """Typical size of the misses ``(n, ...)`` along the first axis: 1.4826 median |r|, at least 1e-6."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices
        scale = _MAD_TO_STD * np.nanmedian(np.abs(residuals), axis=0)
    return np.where(np.isfinite(scale), np.maximum(scale, 1e-6), 1.0)


def finite_quantile(scores: np.ndarray, level: float) -> float:
    """The ``ceil((n + 1) level)``-th smallest of the ``n`` finite ``scores`` (the largest when n is small).

    A fresh score exchangeable with them exceeds it with probability at most
    ``1 - level``: the false-alarm rate of a threshold set there.
    """
    finite = np.sort(scores[np.isfinite(scores)])
    if not len(finite):
        return float("inf")
    rank = int(np.ceil((len(finite) + 1) * level - 1e-9))
    return float(finite[min(rank, len(finite)) - 1])


def dynamic_scores(scores: np.ndarray, window: int, centre: float, spread: float) -> np.ndarray:
    """Scores relative to the trailing ``window`` before each step: ``(s - median) / MAD``.

    The median and the scaled median absolute deviation of the previous scores
    (the current one excluded, so a spike does not raise its own baseline);
    where fewer than a fifth of the window is known, ``centre`` and
    ``spread`` (the held-out scores') stand in.
    An outage (``CUT_GAP`` steps or more without a score) cuts the scores: the
    steps after it read none before it.
    """
    if len(_rows_with_outages(scores[None])):
        out = np.full(len(scores), np.nan)
        for a, b in gap_pieces(np.isnan(scores)):
            out[a:b] = dynamic_scores(scores[a:b], window, centre, spread)
        return out
    past = pd.Series(scores).shift(1)
    rolling = past.rolling(window, min_periods=max(2, window // 5))
    median = rolling.median()
    mad = _MAD_TO_STD * (past - median).abs().rolling(window, min_periods=max(2, window // 5)).median()
    median = median.fillna(centre).to_numpy()
    mad = np.maximum(mad.fillna(spread).to_numpy(), 1e-6)
    return (scores - median) / mad


def flag_runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of flagged steps (``stop`` exclusive): the events of ``flags``."""
    edges = np.diff(np.r_[0, np.asarray(flags, dtype=np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def _rows_with_outages(scores: np.ndarray, leading: bool = False) -> np.ndarray:
    """The rows of ``scores`` ``(P, T)`` with ``CUT_GAP`` steps or more in a row without a score after
    one with a score (an outage; the first steps of a forecast, unscored, are none unless
    ``leading``)."""
    missing = np.isnan(scores)
    if not leading:
        missing &= np.cumsum(np.isfinite(scores), axis=1) > 0
    if scores.shape[1] < CUT_GAP or not missing.any():
        return np.empty(0, dtype=np.int64)
    runs = np.cumsum(missing, axis=1, dtype=np.int64)
    runs = np.concatenate([np.zeros((len(scores), 1), dtype=np.int64), runs], axis=1)
    return np.flatnonzero((runs[:, CUT_GAP:] - runs[:, :-CUT_GAP] == CUT_GAP).any(axis=1))


def outages(no_value: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of each run of at least ``CUT_GAP`` steps of ``no_value`` ``(T,)``: the gaps
    that cut a sequence."""
    return [(a, b) for a, b in flag_runs(no_value) if b - a >= CUT_GAP]


def gap_pieces(no_value: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of the stretches of a sequence between its gaps of at least ``CUT_GAP`` steps.

    ``no_value`` ``(T,)``: the steps without a value in any channel. Without
    such a gap, the whole sequence, ``[(0, T)]``.
    """
    cuts = outages(no_value)
    bounds = [0, *(edge for run in cuts for edge in run), len(no_value)]
    return [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=True) if b > a]


def _edge_divisors(piece: np.ndarray, start: np.ndarray, end: np.ndarray, beside_gaps: bool) -> np.ndarray:
    """What divides the misses ``(L, K, C)`` of a sequence's piece: ``(L, C)``, from ``start_scale_`` and
    ``end_scale_`` (``(W - 1, C)`` each), 1 in its middle.

    A step ``j`` steps after an edge is held by ``j + 1`` of the windows its
    median reads (``start[j]``), one ``j`` steps before an edge by ``j + 1``
    (``end[W - 2 - j]``). The edges are the piece's; with ``beside_gaps``
    (a median of the windows without a gap), a step of a stretch of at least
    ``W`` steps with a value in every channel reads those alone, and its edges
    are the stretch's (the gaps around it, or the piece's ends), once each.
    The steps of shorter stretches, and of gaps, read every window holding them.
    """
    n, length = len(start), len(piece)
    after, before = np.arange(length), np.arange(length)[::-1]  # steps after and before an edge
    if beside_gaps:
        for c, d in flag_runs(~np.isnan(piece).any(axis=(1, 2))):
            if d - c > n:  # holds a window without a gap
                after[c:d], before[c:d] = np.arange(d - c), np.arange(d - c)[::-1]
    divisors = np.ones((length, start.shape[1]))
    near = after < n
    divisors[near] *= start[after[near]]
    near = before < n
    divisors[near] *= end[n - 1 - before[near]]
    return divisors


def merge_gaps(flags: np.ndarray, gap: int) -> np.ndarray:
    """``flags`` with every run of at most ``gap`` unflagged steps between two flagged ones flagged too."""
    out = flags.copy()
    if gap <= 0:
        return out
    flagged = np.flatnonzero(flags)
    for left, right in zip(flagged[:-1], flagged[1:], strict=True):
        if 1 < right - left <= gap + 1:
            out[left:right] = True
    return out


def confirm_events(
    flags: np.ndarray, scores: np.ndarray, bar: float, carried: tuple[float, int] | None = None
) -> np.ndarray:
    """``flags`` ``(T,)`` less the events (runs of flagged steps) whose highest score stays below ``bar``.

    ``carried``: ``(peak, start)`` of an event that began before these steps
    (a stream's past): the run that starts at step ``start`` or earlier is that
    event, and ``peak`` counts towards it.
    """
    out = np.zeros_like(flags)
    for a, b in flag_runs(flags):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a merged run's steps without a score
            peak = np.nanmax(scores[a:b])
        if carried is not None and a <= carried[1]:
            peak = np.fmax(peak, carried[0])
        out[a:b] = peak >= bar
    return out


class StepScoring(TrainingMixin):
    """A network trained on windows of normal series, and the score of every time step.

    The estimator holds ``window_length``, ``horizon``, ``scoring``,
    ``smoothing``, the recurrent network's and the training parameters; the
    fitted state is ``window_length_``, ``channel_mean_``, ``channel_scale_``,
    ``window_statistic_``, ``residual_scale_`` and the network ``net_``; with
    ``_calibrates_edges``, also ``start_scale_`` and ``end_scale_``.
    """

    # whether fit measures how much more the first and last steps of a sequence are missed
    # (start_scale_, end_scale_): the anomaly detector reads scores step by step against one threshold
    _calibrates_edges: bool = False

    # the parameters scores read as they were at the latest fit (_fit_settings, _fitted); a
    # detector's own come after these, and a file saved before they were recorded lacks them
    _fit_setting_names: tuple[str, ...] = ("scoring", "horizon", "smoothing")
    _required_fitted: frozenset[str] = frozenset({"channel_mean_", "channel_scale_", "residual_scale_"})

    def _fitted(self, name: str) -> Any:
        """The value a parameter of ``_fit_setting_names`` had in the latest fit.

        Scores read these, not the parameters: a parameter set after ``fit``
        takes effect at the next fit. A detector saved before they were
        recorded reads its parameters, which it was fitted with.
        """
        return getattr(self, "_fit_settings", {}).get(name, getattr(self, name))

    def _restore_fitted(self, attributes, rebuild_net, manifest, arrays) -> None:
        """The file's attributes, after checking the settings of its fit (``_fit_settings``)."""
        settings = attributes.get("_fit_settings")
        if settings is not None:
            keys = self._fit_setting_names
            try:
                older = StepScoring._fit_setting_names  # all a file held before a detector added its own
                if not isinstance(settings, dict) or sorted(settings) not in (sorted(keys), sorted(older)):
                    raise ValueError(f"it must hold {keys} alone")
                validate_parameter_constraints(
                    {key: self._parameter_constraints[key] for key in settings},
                    settings,
                    caller_name="the file",
                )
            except (TypeError, ValueError) as exc:
                raise Refused(f"the settings of its fit (_fit_settings) are refused: {exc}") from None
        super()._restore_fitted(attributes, rebuild_net, manifest, arrays)

    def _criterion(self) -> Any:
        return partial(PinballLoss, (0.5,))  # the median: robust to the odd anomaly in training data

    @property
    def _network_class(self) -> type:
        return ForecastNet if self._fitted("scoring") == "forecast" else WindowAutoencoder

    def _network_outputs(self) -> dict[str, int]:
        if self._fitted("scoring") == "forecast":
            return {
                "horizon": self._fitted("horizon"),
                "n_quantiles": 1,
                "window_length": self.window_length_,
                "n_targets": len(self.channel_mean_),
            }
        return {"window_length": self.window_length_, "n_features": len(self.channel_mean_)}

    def _build_module(self, n_channels: int) -> torch.nn.Module:
        recurrent = (self.cell, self.hidden_size, self.num_layers, self.bidirectional, self.dropout)
        if self.scoring == "forecast":
            module, self._module_kwargs = make_module(
                ForecastNet,
                n_channels,
                0,
                self.window_length_,
                self.horizon,
                1,
                *recurrent,
                local_level=self.local_level_,
            )
        else:
            module, self._module_kwargs = make_module(
                WindowAutoencoder, n_channels, self.window_length_, *recurrent, local_level=self.local_level_
            )
        return module

    # -- fit --------------------------------------------------------------------------------------
    def _fit_scoring(
        self,
        series: list[np.ndarray],
        held_out: float,
        n_steps: int | None = None,
        known: list[np.ndarray] | None = None,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Train on ``series`` ``(T_i, C)`` (NaN in gaps); the scores of each one's held-out end.

        Each series' latest ``held_out`` share of time steps (at least one) is
        left out of training when the rest still holds a window and a step
        after it; the network's misses there set each channel's (and forecast
        step's) scale, and their scores (smoothed, and each step's own) are
        returned for the thresholds. With
        ``held_out=0``, or no series long enough, scales and scores come from
        the training steps themselves. ``n_steps``: the length the
        ``window_length="auto"`` rule reads (default: the longest series).
        ``local_level="auto"`` trains a network with local levels and one
        without, and keeps the one whose typical miss on the held-out steps is
        smaller (``local_level_``). ``known``: each series' known anomalies
        ``(T_i,)`` (NaN in ``series``): the misses of the steps whose windows
        read them are left out of the scales and the scores returned (NaN).
        """
        self._fit_settings = {name: getattr(self, name) for name in self._fit_setting_names}
        # a one-step window read relative to its own mean is all zeros, and its step is rebuilt
        # exactly from the mean added back: every step would score alike
        auto = isinstance(self.local_level, str)  # "auto"; else a bool, numpy's too (a grid's values)
        if auto and self.callbacks:
            raise ValueError(
                "local_level='auto' trains two networks and keeps one, so callbacks would see both "
                "trainings and hold the last one's state (a Checkpoint could keep the weights of the "
                "network left out). Pass local_level=True or False with callbacks."
            )
        levels = (True, False) if auto else (bool(self.local_level),)
        local_rebuilt = self.scoring == "reconstruction" and True in levels
        values = np.concatenate(series)
        unseen = np.flatnonzero(np.isnan(values).all(axis=0))
        if len(unseen):
            names = getattr(self, "feature_names_in_", None)
            which = [names[i] if names is not None else i for i in unseen.tolist()]
            raise ValueError(
                f"Channel(s) {which} of X passed to fit hold no value (all NaN), so the detector cannot "
                "learn how they behave and would score their later values as misses. Drop them from X, "
                "or fit on data where they were recorded."
            )
        self.channel_mean_, self.channel_scale_ = channel_statistics(values)
        self.window_statistic_ = "median"
        scaled = [self._standardise(s) for s in series]
        n_steps = max(len(s) for s in scaled) if n_steps is None else n_steps
        self.window_length_ = resolve_window_length(self.window_length, n_steps, 2 if local_rebuilt else 1)
        W = self.window_length_
        if local_rebuilt and W == 1:
            if not auto:
                raise ValueError(
                    "window_length=1 with local_level=True and scoring='reconstruction' rebuilds every "
                    "step exactly from its own level, so every step would score alike. Pass "
                    "window_length >= 2 or local_level=False."
                )
            levels = (False,)
        cuts = [len(s) - max(1, round(held_out * len(s))) if held_out > 0 else len(s) for s in scaled]
        cuts = [cut if cut >= W + 1 else len(s) for cut, s in zip(cuts, scaled, strict=True)]
        if all(cut == len(s) for cut, s in zip(cuts, scaled, strict=True)):
            cuts = [0] * len(scaled)  # nothing held out: scales and scores from the training steps
        parts = [s[:cut] if cut else s for cut, s in zip(cuts, scaled, strict=True)]
        data = self._windows([self._filled(p) for p in parts], parts, training=True)
        best = None
        for level in levels:
            self.local_level_ = level
            self._train(data, partial(self._build_module, scaled[0].shape[1]), n_train=len(data))
            every = [self._misses(s) for s in scaled]  # each series' misses, its scores read them too
            if known is not None and any(k.any() for k in known):
                # a known anomaly is a gap the windows read carried forward: the steps they reach
                # scored several times higher on normal data, and raised the threshold 3-fold
                pairs = zip(known, every, strict=True)
                masked = [np.where(self._near(k)[:, None, None], np.nan, m) for k, m in pairs]
                if any(np.isfinite(m[cut:]).any() for cut, m in zip(cuts, masked, strict=True)):
                    every = masked
                else:  # none held out beyond their reach: the threshold reads the steps next to them
                    warnings.warn(
                        "Every held-out step of X (its latest calibration_fraction) lies within reach of "
                        "a known anomaly's windows, which read it as a gap: the scales and the threshold "
                        "come from those steps, which score higher on normal data, so fresh data may be "
                        "flagged less often than contamination says. Pass a series that ends in a stretch "
                        "of normal steps, or raise calibration_fraction.",
                        UserWarning,
                        stacklevel=user_stacklevel(),
                    )
            misses = [m[cut:] for cut, m in zip(cuts, every, strict=True)]
            typical = float(np.nanmean(robust_scale(np.concatenate(misses))))
            if best is None or typical < best[0]:  # "auto": the network that misses less
                best = (typical, level, self.net_, self._module_kwargs, every)
        _, self.local_level_, self.net_, self._module_kwargs, every = best
        self._record_history()
        if self._calibrates_edges:
            self.start_scale_, self.end_scale_ = self._edge_scales(scaled, every)
        self.residual_scale_ = robust_scale(
            np.concatenate([m[cut:] for cut, m in zip(cuts, every, strict=True)])
        )
        own = [self._scores_of_misses(m) for m in every]
        return [(self._smoothed(o)[cut:], o[cut:]) for cut, o in zip(cuts, own, strict=True)]

    def _filled(self, values: np.ndarray) -> np.ndarray:
        """What the network reads of ``values`` ``(T, C)`` (NaN in gaps): each gap carried forward.

        A stream's latest gap has no value after it yet, and its steps are scored as they arrive.
        """
        return carry_forward_rows(values)

    def _near(self, known: np.ndarray) -> np.ndarray:
        """The steps ``(T,)`` whose windows, or whose forecasts' windows, read a ``known`` step."""
        reach = self.window_length_ + (self.horizon if self.scoring == "forecast" else 0)
        window = np.ones(2 * reach + 1, dtype=np.int64)
        return np.convolve(np.asarray(known, dtype=np.int64), window)[reach : reach + len(known)] > 0

    # -- scores -----------------------------------------------------------------------------------
    def _standardise(self, values: np.ndarray) -> np.ndarray:
        """Values in their channels' training units, read as at most ``STANDARD_LIMIT`` of them.

        Farther is anomalous all the same, and float32, which the network reads, overflows past
        ~3e38: a channel constant at 1e-300 in fit, scaled by it, then read 1.0 as inf, and every
        later step of every channel scored NaN, never flagged.
        """
        scaled = (np.asarray(values, dtype=np.float64) - self.channel_mean_) / self.channel_scale_
        return np.clip(scaled, -STANDARD_LIMIT, STANDARD_LIMIT)

    def _step_scores(self, scaled: np.ndarray) -> np.ndarray:
        """Scores ``(T,)`` of the standardised steps ``(T, C)`` of a sequence read on its own; NaN where
        a step has no value (a stream's chunk read after its past: ``RNNAnomalyDetector._after_past``)."""
        return self._smoothed(self._own_scores(scaled))

    def _own_scores(self, scaled: np.ndarray, context: np.ndarray | None = None) -> np.ndarray:
        """Each step's score before smoothing, its largest miss over channels in typical misses.

        The steps of ``context`` (read before ``scaled``) come first.
        """
        if context is not None and len(context):
            scaled = np.concatenate([context, scaled])
        return self._scores_of_misses(self._misses(scaled))

    def _scores_of_misses(self, misses: np.ndarray) -> np.ndarray:
        """Own scores ``(..., T)`` of misses ``(..., T, K, C)``: the largest channel's, in typical misses.

        The ``T`` steps are a whole sequence: where fit measured them, its
        first steps are also divided by ``start_scale_``, its last by ``end_scale_``,
        and so are the steps after and before a shorter gap where the median
        reads only the windows without it (:meth:`_reconstruction_misses`): the
        step before a lost reading is held by one window, as a sequence's last.
        """
        z = misses / self.residual_scale_
        start, end = getattr(self, "start_scale_", None), getattr(self, "end_scale_", None)
        if start is not None:  # None: not measured (or a detector saved before they were)
            beside_gaps = getattr(self, "window_statistic_", "mean") == "median"
            for sequence in z.reshape(-1, *z.shape[-3:]):  # views of z, one a sequence
                for a, b in gap_pieces(np.isnan(sequence).all(axis=(1, 2))):
                    sequence[a:b] /= _edge_divisors(sequence[a:b], start, end, beside_gaps)[:, None, :]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: no value, no score
            return np.nanmax(np.nanmean(z, axis=-2), axis=-1)

    def _step_scores_of_many(self, scaled: np.ndarray) -> np.ndarray:
        """Scores ``(P, T)`` of ``P`` standardised sequences ``(P, T, C)`` of one length, in one pass.

        Each row is what :meth:`_step_scores` gives that sequence on its own
        (the network reads the windows of all of them in one pass).
        """
        return self._ewm(self._scores_of_misses(self._misses_of_many(scaled)))

    def _edge_scales(
        self, scaled: list[np.ndarray], misses: list[np.ndarray]
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """How much more the network misses the first and the last steps of a sequence than the others.

        With reconstruction, a step is held by the ``W = window_length_``
        windows that start at it or before it. The first ``W - 1`` steps of a
        sequence scored on its own are held by fewer (step ``j`` by the ``j + 1``
        windows that start at or before it, where it sits at their first
        positions), and so are the last ``W - 1`` (the last step by one window,
        where it sits last); the threshold is set on the scores of steps held
        by all ``W``. :meth:`_edge_tails` measures both edges where flags are
        decided, in the tail. Where too few pieces without a gap fit for that
        (and for the first steps in detectors saved before 2026-12-06's
        thirteenth session): pieces of ``2 W - 2`` steps, cut at evenly spaced
        places of the standardised series ``scaled`` (at most
        ``_EDGE_PIECES``), scored each on its own, give the factor of a
        position, per channel, as the typical miss there
        over the typical miss of the same steps within the whole series
        (``misses``, each series' ``(T, 1, C)``). Returns the factors ``(W - 1,
        C)`` of the first and of the last steps (in order), or None, None with
        forecasting (the first steps have no score and the last are final), a
        window of one step, or fewer than ``_MIN_EDGE_PIECES`` pieces.
        """
        W = self.window_length_
        length = 2 * W - 2
        fits = np.array([max(0, len(s) - length + 1) for s in scaled])  # places a piece fits, per series
        ends = np.cumsum(fits)
        if self._fitted("scoring") != "reconstruction" or W < 2 or ends[-1] < _MIN_EDGE_PIECES:
            return None, None
        tails = self._edge_tails(scaled)
        if tails is not None:
            return tails
        places = np.linspace(0, ends[-1] - 1, min(_EDGE_PIECES, ends[-1])).round().astype(int)
        series = np.searchsorted(ends, places, side="right")
        cut = [slice(f, f + length) for f in places - (ends - fits)[series]]
        pieces = np.stack([scaled[i][c] for i, c in zip(series, cut, strict=True)])
        per_pass = max(1, _EDGE_CELLS_PER_PASS // (length * W))  # a pass holds (pieces, length, W) misses
        alone = np.concatenate(
            [self._misses_of_many(pieces[i : i + per_pass]) for i in range(0, len(pieces), per_pass)]
        )
        within = np.stack([misses[i][c] for i, c in zip(series, cut, strict=True)])
        factors = robust_scale(alone[:, :, 0]) / robust_scale(within[:, :, 0])  # (2W - 2, C)
        return factors[: W - 1], factors[W - 1 :]

    def _edge_tails(self, scaled: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray] | None:
        """How much higher the flagged tail of a step's miss runs when fewer windows hold it, at a
        sequence's start and at its end: two ``(W - 1, C)``.

        The first ``W - 1`` steps of a sequence scored on its own are held by
        ``k < W`` windows, those that start at them and before (at their first
        positions; step 0 by one), and the last ``W - 1`` steps (a stream's
        chunk: its provisional steps) by the ``k`` that end at them and after
        (at their last positions; the last step by one). A miss over fewer
        windows is less averaged: typically a little smaller, but with a wider
        upper tail, and flags are decided in the tail. Pieces of ``3 W - 2``
        steps without a gap, at evenly spaced places of the standardised series
        ``scaled`` (at most ``_EDGE_PIECES``), are read by the network window by
        window; each of their middle ``W`` steps is held by ``W`` windows of the
        piece, and its miss over the ``k`` of them that start at it and before
        is the miss it would have as a sequence's step ``k - 1``, over the ``k``
        that end at it and after, as a chunk's step with ``k`` windows. Of
        those steps, evenly spaced ones, about ``_END_STEPS`` in all (the
        medians over every ``k`` cost ``2 W^2`` a step). The factor for ``k``
        windows, per channel, is the ``1 - contamination`` quantile of those
        misses over the quantile of the misses over all ``W`` windows. In
        order: the first steps' ``k = 1`` (step 0) first; the last steps'
        ``k = W - 1`` first, the last step's ``k = 1`` last. None where fewer
        than ``_MIN_EDGE_PIECES`` pieces without a gap fit.
        """
        W = self.window_length_
        C = scaled[0].shape[1]
        length = 3 * W - 2
        gapless = []  # (series, start) of every piece without a gap
        for i, values in enumerate(scaled):
            if len(values) >= length:
                gaps = np.concatenate([[0], np.cumsum(np.isnan(values).any(axis=1))])
                starts = np.flatnonzero(gaps[length:] == gaps[: len(gaps) - length])
                gapless.extend((i, int(a)) for a in starts)
        if len(gapless) < _MIN_EDGE_PIECES:
            return None
        chosen = np.linspace(0, len(gapless) - 1, min(_EDGE_PIECES, len(gapless))).round().astype(int)
        pieces = np.stack([scaled[gapless[j][0]][gapless[j][1] : gapless[j][1] + length] for j in chosen])
        statistic = np.median if getattr(self, "window_statistic_", "mean") == "median" else np.mean
        n_windows = 2 * W - 1  # a piece's windows: each of its middle steps is held by W of them
        stride = -(-len(pieces) * W // _END_STEPS)  # every stride-th middle step
        per_pass = max(1, _EDGE_CELLS_PER_PASS // (n_windows * W * C))
        middle = np.arange(W - 1, 2 * W - 1)[::stride]  # steps held by W windows of the piece
        # the window that ends at step t + i holds t at its position W - 1 - i; it starts at t + i - W + 1
        starts = middle[:, None] + np.arange(W) - W + 1  # (steps, W windows)
        late, early = [], []  # (pieces, steps, W: k = 1..W, C), over the k windows ending at or after t,
        for a in range(0, len(pieces), per_pass):  # and over the k starting at or before it
            part = pieces[a : a + per_pass]  # no gap: the network reads them as they are
            miss = self._window_misses(list(part), part)[0][:, starts, W - 1 - np.arange(W)]
            late.append(np.stack([statistic(miss[:, :, :k], axis=2) for k in range(1, W + 1)], axis=2))
            early.append(np.stack([statistic(miss[:, :, W - k :], axis=2) for k in range(1, W + 1)], axis=2))
        level = 1.0 - self.contamination

        def factors(by_k: list[np.ndarray]) -> np.ndarray:  # (W - 1, C): k = 1..W - 1
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                tails = np.quantile(np.concatenate(by_k).reshape(-1, W, C), level, axis=0)  # (W, C)
            whole = tails[W - 1]
            out = np.where(whole > 0, tails[: W - 1] / np.where(whole > 0, whole, 1.0), 1.0)  # 0: no factor
            return np.where(np.isfinite(out) & (out > 0), out, 1.0)

        return factors(early), factors(late)[::-1]  # the last steps: k = W - 1 first

    def _smoothed(self, own: np.ndarray, past: np.ndarray | None = None, before: int = 0) -> np.ndarray:
        """Own scores after the first ``before`` (read, not returned), smoothed over time.

        ``past``: the stream's own scores before them (or a series' typical past,
        :meth:`_typical_past`), read instead of those first ``before``; the
        steps after an outage are then smoothed after the typical past too.
        """
        if past is None:
            return self._ewm(own)[before:]
        own = np.concatenate([past, own[before:]])
        return self._ewm(own, self._typical_past())[len(past) :]

    def _ewm(self, own: np.ndarray, start: np.ndarray | None = None) -> np.ndarray:
        """Own scores ``(T,)`` or ``(P, T)`` (each row a sequence), smoothed over time: the
        exponentially weighted mean of span ``smoothing``, gaps skipped; NaN stays NaN.

        An outage (``CUT_GAP`` steps or more without a score) cuts a sequence: the
        steps after it are smoothed as a sequence of their own, after the own
        scores ``start`` where given (a stream's past that ends in an outage then
        starts again there too).
        """
        span = self._fitted("smoothing")
        if span <= 1:
            return own
        rows = np.atleast_2d(own)

        def smooth(values: np.ndarray) -> np.ndarray:  # (T, n) columns, each smoothed
            return pd.DataFrame(values).ewm(span=span, ignore_na=True).mean().to_numpy()

        smoothed = smooth(rows.T).T.copy()
        start = np.empty(0) if start is None else start
        for i in _rows_with_outages(rows, leading=len(start) > 0):
            row, scored = rows[i], np.isfinite(rows[i])
            for a, b in gap_pieces(~scored):
                if a > 0 and (len(start) or scored[:a].any()):  # after an outage
                    smoothed[i, a:b] = smooth(np.concatenate([start, row[a:b]])[:, None])[len(start) :, 0]
        return np.where(np.isnan(own), np.nan, smoothed.reshape(own.shape))

    def _typical_past(self) -> np.ndarray | None:
        """Own scores a series without a past is smoothed after: ``smoothing_start_``, as far as the
        smoothing reaches (None without smoothing, where fit keeps none, or in a detector saved before
        it was kept)."""
        start = getattr(self, "smoothing_start_", None)
        return None if start is None else np.full(self._smoothing_reach(), start)

    def _smoothing_reach(self) -> int:
        """Past own scores a stream keeps: enough that older ones weigh under 1e-12 in the smoothing."""
        span = self._fitted("smoothing")
        if span <= 1:
            return 0
        return int(np.ceil(np.log(1e-12) / np.log(1 - 2 / (span + 1))))

    def _misses(self, scaled: np.ndarray) -> np.ndarray:
        """How far each step lies from the network's expectations: ``(T, K, C)``, NaN where unknown.

        Forecasting: ``K = horizon``, the miss of the forecast made ``k + 1``
        steps before, from a window of ``window_length_`` real steps (the
        first ``window_length_`` steps have none; the next ``horizon - 1``
        only their nearer forecasts).
        Reconstruction: ``K = 1``, the median miss over the windows holding
        the step, a robust summary as the loss and the scales are (a detector
        saved before, without ``window_statistic_``, takes the mean it was
        calibrated with).
        """
        return self._misses_of_many(scaled[None])[0]

    def _misses_of_many(self, scaled: np.ndarray) -> np.ndarray:
        """:meth:`_misses` of ``P`` sequences ``(P, T, C)`` of one length, each on its own: ``(P, T, K, C)``.

        The network reads the windows of all of them in one pass.
        """
        P, T, C = scaled.shape
        W = self.window_length_
        forecast = self._fitted("scoring") == "forecast"
        K = self._fitted("horizon") if forecast else 1
        pieces = [gap_pieces(np.isnan(rows).all(axis=1)) for rows in scaled]
        whole = [p for p, piece in enumerate(pieces) if piece == [(0, T)]]
        if len(whole) < P:  # a sequence cut by gaps in every channel: each piece on its own
            out = np.full((P, T, K, C), np.nan)
            if whole:
                out[whole] = self._misses_of_many(scaled[whole])
            for p in set(range(P)) - set(whole):
                for a, b in pieces[p]:
                    out[p, a:b] = self._misses_of_many(scaled[p, None, a:b])[0]
            return out
        filled = [self._filled(rows) for rows in scaled]
        if forecast:
            H = K
            misses = np.full((P, T, H, C), np.nan)
            if T <= W:
                return misses  # no window of W real steps: no forecast
            # each sequence's block: W copies of its first row, its rows, H rows no window reads; only
            # windows of W real steps (origins t >= W) are read (training never saw padding)
            block = W + T + H
            inputs = np.concatenate(
                [
                    np.concatenate([np.repeat(rows[:1], W, axis=0), rows, rows[-1:].repeat(H, axis=0)])
                    for rows in filled
                ]
            )
            targets = torch.full((P * block, C), float("nan"))
            starts = (np.arange(P)[:, None] * block + np.arange(W, T)).ravel()
            data = WindowDataset(
                torch.as_tensor(inputs, dtype=torch.float32), targets, torch.as_tensor(starts), W, H, 0
            )
            expected = self._predict_raw(data)[..., 0].double().numpy().reshape(P, T - W, H, C)
            for k in range(min(H, T - W)):  # a step k + 1 ahead of the first origin lies within T
                # the forecast k + 1 steps ahead from origin t - k >= W (expected[:, t - k - W])
                misses[:, W + k :, k] = scaled[:, W + k :] - expected[:, : T - W - k, k]
            return np.abs(misses)
        statistic = getattr(self, "window_statistic_", "mean")
        if statistic not in ("mean", "median"):
            raise ValueError(
                f"window_statistic_={statistic!r} is not a statistic this version knows ('mean' or "
                "'median'): the detector was saved by another version. Fit it again with this one."
            )
        steps = max(W, _MISS_CELLS_PER_PASS // (W * C))
        if P > 1 or T <= steps:  # several sequences: their callers bound a pass
            return self._reconstruction_misses(filled, scaled, statistic)
        # one long sequence, in blocks of steps, each read from the windows that hold them: windows from
        # and to the whole pass's batch boundaries, so each is read in the batch it is read in whole
        # (the network's float32 outputs depend on the batch: misses moved by 1e-7 otherwise)
        n_windows, size, out = T - W + 1, self.batch_size, np.empty((1, T, 1, C))
        for a in range(0, T, steps):  # the steps a..b-1
            b = min(T, a + steps)
            first = max(0, a - W + 1) // size * size
            last = min(n_windows, -(-min(b, n_windows) // size) * size)  # one past the last window
            rows = slice(first, last - 1 + W)
            part = self._reconstruction_misses([filled[0][rows]], scaled[:, rows], statistic)
            out[:, a:b] = part[:, a - first : b - first]
        return out

    def _window_misses(self, filled: list[np.ndarray], scaled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each window's misses of ``P`` sequences ``(P, T, C)`` of one length, window by window: ``(P,
        n_windows, W, C)``, and the step ``(n_windows, W)`` each window position holds (negative where a
        sequence shorter than the window is padded in front; each sequence has the same)."""
        P, T, C = scaled.shape
        W = self.window_length_
        data = self._windows(filled, list(scaled), training=False)
        expected = self._predict_raw(data)[..., 0].double().numpy()  # (P * n_windows, W, C)
        expected = expected.reshape(P, -1, W, C)
        front = max(0, W - T)  # a series shorter than the window is padded in front
        rows = np.arange(expected.shape[1])[:, None] + np.arange(W) - front
        values = np.concatenate([np.full((P, front, C), np.nan), scaled], axis=1)[:, rows + front]
        return np.abs(values - expected), rows

    def _reconstruction_misses(
        self, filled: list[np.ndarray], scaled: np.ndarray, statistic: str
    ) -> np.ndarray:
        """Reconstruction's :meth:`_misses_of_many` of ``P`` sequences ``(P, T, C)``, read whole:
        ``(P, T, 1, C)``, each step's mean or median miss over the windows that hold it."""
        P, T, C = scaled.shape
        W = self.window_length_
        miss, rows = self._window_misses(filled, scaled)
        front = max(0, W - T)  # a series shorter than the window is padded in front
        real = rows >= 0
        steps, positions = rows[real], np.broadcast_to(np.arange(W), rows.shape)[real]
        if statistic == "mean":
            total, count = np.zeros((T, P, C)), np.zeros((T, P, C))
            held = miss[:, real].transpose(1, 0, 2)  # (n_held, P, C)
            np.add.at(total, steps, np.nan_to_num(held))
            np.add.at(count, steps, ~np.isnan(held))
            with np.errstate(invalid="ignore"):
                return (total / np.where(count > 0, count, np.nan)).transpose(1, 0, 2)[:, :, None, :]
        # a window reading a gap (a channel carried forward) rebuilds its other steps worse: a step is
        # read from the windows that read none where any does (a 3-step dropout in one channel made 37.5%
        # of normal runs outliers); a step of a dropout of some channels has none (its own row is a gap):
        # RNNOutlierDetector leaves such steps out of a run's statistics
        gap = np.concatenate([np.zeros((P, front), dtype=bool), np.isnan(scaled).any(axis=2)], axis=1)
        unread = None  # (P, T, W): a window's miss left out of a step's median
        if gap.any():
            reads_gap = (gap[:, rows + front] & real).any(axis=2)  # (P, n_windows)
            clean = np.zeros((P, T, W), dtype=bool)
            clean[:, steps, positions] = ~np.broadcast_to(reads_gap[:, :, None], (P, *rows.shape))[:, real]
            unread = clean.any(axis=2, keepdims=True) & ~clean
        out = np.empty((P, T, 1, C))
        by_position = np.full((P, T, W), np.nan)  # a step's misses, by its place in each window holding it
        for c in range(C):  # one channel at a time: memory O(P T W)
            by_position[:, steps, positions] = miss[..., c][:, real]
            read = by_position if unread is None else np.where(unread, np.nan, by_position)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a step without a value: NaN
                out[:, :, 0, c] = np.nanmedian(read, axis=2)
        return out

    def _windows(self, filled: list[np.ndarray], values: list[np.ndarray], training: bool) -> WindowDataset:
        """Windows of the series: inputs ``filled``, targets ``values`` (NaN in gaps, out of the loss)."""
        W = self.window_length_
        if self._fitted("scoring") == "forecast":
            return window_dataset(filled, filled[0].shape[1], W, self._fitted("horizon"), 0, targets=values)
        inputs, targets, starts, offset = [], [], [], 0
        for rows, target in zip(filled, values, strict=True):
            padded = edge_pad(rows, W)
            front = np.full((len(padded) - len(rows), rows.shape[1]), np.nan)
            inputs.append(padded)
            targets.append(np.concatenate([front, target]))
            starts.append(offset + np.arange(len(padded) - W + 1))
            offset += len(padded)
        data = WindowDataset(
            torch.as_tensor(np.concatenate(inputs), dtype=torch.float32),
            torch.as_tensor(np.concatenate(targets), dtype=torch.float32),
            torch.as_tensor(np.concatenate(starts), dtype=torch.int64),
            W,
            W,
            0,
        )
        data.target_offsets = torch.arange(W)  # a window's targets are its own steps
        return data
