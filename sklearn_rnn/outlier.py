"""Recurrent outlier detector: which of a set of sequences is unusual (scikit-learn's outlier API)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OutlierMixin, _fit_context
from sklearn.utils.validation import check_is_fitted

from ._anomaly import (
    SCORING_CONSTRAINTS,
    StepScoring,
    carry_forward_rows,
    flag_runs,
    gap_pieces,
    resolve_window_length,
    robust_scale,
)
from ._data import Sequences, validate_sequences
from ._docs import with_shared_parameters
from ._runtime import user_stacklevel
from ._storable import SafeFormatMixin, VersionedPickleMixin
from ._training import RECURRENT_CONSTRAINTS, TRAINING_CONSTRAINTS, Int, restored_on_error

__all__ = ["RNNOutlierDetector"]

# a sequence's worst steps: its highest-scoring tenth (a fault may be short)
_TOP_SHARE = 0.1
# score_samples warns of sequences more than this many times the longest training sequence's length
_FAR_LONGER = 2
# step scores below this count as this (a log of 0 would be -inf)
_SMALLEST_SCORE = 1e-6
# the training sequences' spread of a statistic (log units) is at least this: a tenth, about 10%
# (a few, or identical, sequences have next to none, and every other sequence would be an outlier)
_SMALLEST_SPREAD = 0.1
# sequences shorter than the shortest training one are calibrated on pieces of the training
# sequences of lengths this far apart (a ratio), at most this many pieces from each sequence
_LENGTH_RATIO = 1.25
_PIECES_PER_SEQUENCE = 4
_MOST_PIECES = 100  # per length (spread evenly over the candidates), scored in one pass
# a length's spreads are stretched by at most this (either way) to flag its pieces as the training
# sequences are flagged (a quantile of at most _MOST_PIECES pieces is rough)
_STRETCH = (0.5, 2.0)
# a gap of this many steps or more in one channel: observed steps that every window holding them reads
# across one score high (a 3-step gap 12 steps from the start of 60-step runs, window 15: 49% of normal
# runs flagged at contamination=0.1, 10% complete; 10 steps 5 from the start: 99%; 1 or 2 steps: 10-15%)
_LONG_GAP = 3
# score_samples scores sequences of one length together, at most this many misses a network pass
# (steps times the window's steps, or the horizon, times features: 32 MB an array of them in float64)
_CELLS_PER_PASS = 1 << 22


@with_shared_parameters
class RNNOutlierDetector(StepScoring, SafeFormatMixin, VersionedPickleMixin, OutlierMixin, BaseEstimator):
    """Recurrent outlier detector (RNN, LSTM or GRU): which sequences a network of the usual ones misses.

    Fitted on a set of sequences (machine runs, patients' records, trips;
    ragged, with NaN gaps, in any layout :class:`RNNClassifier` accepts), a
    recurrent network learns how they usually go on: it reconstructs each
    window of ``window_length`` steps from its final state
    (``scoring="reconstruction"``), or forecasts the next ``horizon`` steps
    from it (``"forecast"``). Each step is scored by how far the network misses
    it, per channel in units of that channel's typical miss, the largest over
    channels. A sequence is summed up by its worst steps (the mean score of its
    highest-scoring tenth) and its typical step (its median score), leaving
    out the steps where some features have a value and others none (unless
    they are all it has; the network reads a gap inside a run as the line
    joining its values either side); its
    anomaly score is how far these lie from the training sequences', in
    robust units of their spread: worst steps above theirs, or a typical step
    on either side (a run the network forecasts far better than usual, such as
    a quiet one among busy ones, is unusual too). :meth:`score_samples`
    returns its opposite (the lower, the more abnormal), as scikit-learn's
    outlier detectors do, and :meth:`predict`
    marks as outliers (-1) the sequences below ``offset_``, which flags a
    ``contamination`` share of the training sequences.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Time steps the network reads, at most 65,536. "auto": a quarter of the shortest
        training sequence, between 1 and 48 steps (``window_length_``; ``fit``
        warns where that is at most half the window of the length nine in ten
        training sequences reach, as a few truncated records make it);
        at least 2 with reconstruction and ``local_level`` True or "auto" (a
        one-step window read relative to its own mean is rebuilt exactly: a
        window of 1 is refused with ``local_level=True``, and "auto" keeps
        ``local_level=False`` with it).
    horizon : int, default=1
        Steps ahead the network forecasts (``scoring="forecast"``); a step's
        misses from the ``horizon`` forecasts that reach it are averaged.
    scoring : {"reconstruction", "forecast"}, default="reconstruction"
        What the network learns: each window itself, from its final state (the
        ``hidden_size`` values of each direction are the bottleneck), or the
        next ``horizon`` steps of each window.
    {detector: smoothing}
    local_level : bool or "auto", default=False
        False: the network reads levels, and how the channels' levels go
        together. True: subtract each window's mean from what it reads (and
        add it back to what it expects), so it learns shapes, not levels;
        "auto" trains both and keeps whichever network misses the training
        steps less (not with ``callbacks``, which would see both). The
        defaults were chosen by ``benchmarks/anomaly.py --outlier-candidates``
        on generated machine runs and on real sequences (the user guide's
        anomaly page has the figures).
    contamination : float in (0, 0.5], default=0.1
        Share of the training sequences taken as outliers: sets ``offset_``.
    {detector network and training}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network.
    window_length_ : int
        Time steps the network reads.
    channel_mean_, channel_scale_ : ndarray of shape (n_features,)
        Each feature's training mean and scale (a feature constant in fit: its
        level's magnitude, 1 at 0).
    local_level_ : bool
        ``local_level`` resolved ("auto": the network that misses the training steps less).
    {detector: window_statistic_}
    residual_scale_ : ndarray of shape (K, n_features)
        Typical miss of each forecast step and feature on the training sequences.
    statistics_center_, statistics_scale_ : ndarray of shape (2,)
        Median over the training sequences of the logs of their worst steps'
        mean score and of their median score, and the robust spread (1.4826
        times the median absolute deviation, at least 0.1) of those of the
        shortest training length: each sequence's distance from the median
        times the square root of its scored steps over the shortest length's
        (see Notes). A
        detector saved or pickled before the two-sided score holds neither: a
        sequence's score is then its worst steps' mean.
    length_calibration_ : ndarray of shape (n_lengths, 5)
        Per length ``n`` (first column), the centre and spread of the two
        statistics that sequences of ``n`` steps are compared with: below the
        shortest training length, the median and robust spread over ``n``-step
        pieces of the training sequences, the spread stretched so that the
        pieces are flagged at the ``contamination`` share as the training
        sequences are; from the shortest to the longest training length
        (rows about 25% apart), ``statistics_center_`` and
        ``statistics_scale_`` (at least 0.1 at the shortest length) narrowed
        as ``1 / sqrt`` of the scored steps (see Notes).
    offset_ : float
        ``decision_function = score_samples - offset_``; negative is an outlier.
    loss_curve_ : list of float
        Training loss at each epoch.
    validation_loss_curve_ : list of float or None
        Loss on the held-out windows at each epoch with ``early_stopping=True``, else None.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Features per time step, or the number of columns of a 2D ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    RNNAnomalyDetector : Which time steps of a series are anomalous (sktime).
    sklearn.ensemble.IsolationForest : An outlier detector for tables.

    Notes
    -----
    The training sequences are taken as (mostly) normal; the network's median
    loss is robust to a few outliers among them. Their spread sets the scale
    of the scores and ``offset_``: with fewer than about ten training
    sequences it is poorly known, and many new normal sequences may fall
    below ``offset_``. The training sequences are scored by the network that
    was fitted on them, so fresh normal sequences score somewhat worse: the
    share of them flagged is about ``contamination`` or more, not less. With
    ``scoring="forecast"`` the first ``window_length_`` steps of each sequence
    are not scored, and sequences of ``window_length_`` steps or fewer are
    refused (reconstruction scores any sequence of 2 steps or more).

    A sequence's statistics depend on its length (the worst tenth of a short
    sequence is one step, its median is of a few, more of its steps lie at
    its edges): a sequence shorter than the shortest training sequence is
    compared with pieces of the training sequences of its length
    (``length_calibration_``), not with the whole ones, which flagged most
    normal short sequences. Within the training lengths, a statistic of
    ``n`` scored steps is taken to spread as ``1 / sqrt(n)`` (a mean of ``n``
    scores does): against one spread of every training length pooled,
    normal sequences of the shortest length were flagged three times as often
    as those of the longest. Above the longest training length, sequences are
    compared as sequences of that length are (their spread is narrower, so
    they are flagged less often than ``contamination``, and a short fault
    weighs less in a long run's worst tenth: ``score_samples`` warns of runs
    more than twice the longest training run).

    A parameter set after ``fit`` (``set_params``) takes effect at the next
    ``fit``: scores, ``save`` and pickles keep the settings the detector was
    fitted with.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNOutlierDetector
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(60)
    >>> runs = [np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6)) for _ in range(40)]
    >>> detector = RNNOutlierDetector(max_epochs=20, random_state=0).fit(runs)
    >>> odd = np.sin(2 * np.pi * t / 5)  # another rhythm
    >>> detector.predict([runs[0], odd]).tolist()
    [1, -1]
    """

    _required_fitted = StepScoring._required_fitted | {"_n_channels", "offset_"}
    _parameter_constraints: dict = {
        **RECURRENT_CONSTRAINTS,
        **TRAINING_CONSTRAINTS,
        **SCORING_CONSTRAINTS,
        "max_epochs": [Int(1)],
    }

    def __init__(
        self,
        window_length: int | str = "auto",
        horizon: int = 1,
        scoring: str = "reconstruction",
        smoothing: int = 1,
        local_level: bool | str = False,
        contamination: float = 0.1,
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    @restored_on_error
    def fit(self, X: Any, y: Any = None) -> RNNOutlierDetector:
        """Learn how the sequences ``X`` usually go on, and the offset of outliers among them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Training sequences, taken as (mostly) normal.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self : RNNOutlierDetector
            The fitted detector.
        """
        series = self._sequences(validate_sequences(self, X, reset=True, allow_nan=True, dtype=np.float64))
        shortest = min(len(s) for s in series)
        if self.window_length != "auto" and self.scoring == "forecast" and self.window_length >= shortest:
            raise ValueError(
                f"window_length={self.window_length} leaves no step to forecast in the shortest training "
                f"sequence ({shortest} steps). Pass window_length < {shortest} or window_length='auto'."
            )
        steps = [smoothed for smoothed, _ in self._fit_scoring(series, held_out=0.0, n_steps=shortest)]
        self._warn_if_few_short_sequences_set_the_window(series)
        statistics = self._statistics(steps)
        counts, lengths = self._scored(steps)
        # a statistic of n scores spreads as 1 / sqrt(n) (the pooled spread flagged short sequences more):
        # the spread is that of the shortest training length's scores
        shrink = np.sqrt(counts / counts.min())[:, None]
        self.statistics_center_ = np.median(statistics, axis=0)
        self.statistics_scale_ = np.maximum(
            robust_scale((statistics - self.statistics_center_) * shrink), _SMALLEST_SPREAD
        )
        self.length_calibration_ = self._length_calibration(series, lengths, statistics, counts)
        self.offset_ = float(np.percentile(-self._scores(statistics, lengths), 100 * self.contamination))
        return self

    def _n_scored(self, n: int) -> int:
        """Steps scored in a sequence of ``n`` steps without gaps (forecasting skips the first window)."""
        return max(1, n - (self.window_length_ if self._fitted("scoring") == "forecast" else 0))

    def _narrowed(self, n_scored: np.ndarray | int, shortest: int) -> np.ndarray:
        """``statistics_scale_`` for ``n_scored`` scores: narrowed as ``1 / sqrt``.

        The floor ``_SMALLEST_SPREAD`` is the shortest length's (``statistics_scale_``), narrowed
        with it: floored again after narrowing, the spread of long sequences stayed at the floor
        above their own, and on training runs of 60 to 1000 steps fresh normal runs of 100 steps were
        flagged at 0.38 with ``contamination=0.1``, of 1000 steps at 0.
        """
        ratio = np.sqrt(self._n_scored(shortest) / np.asarray(n_scored, dtype=np.float64))
        return self.statistics_scale_ * np.atleast_1d(ratio)[:, None]

    def _length_calibration(
        self, series: list[np.ndarray], lengths: np.ndarray, statistics: np.ndarray, counts: np.ndarray
    ) -> np.ndarray:
        """Centre and spread of the statistics of sequences of ``n`` steps, per length ``n``.

        One row ``(n, centre (2), spread (2))`` per length ``n`` below the
        shortest training sequence (lengths ``_LENGTH_RATIO`` apart), from
        ``n``-step pieces of the training sequences, then rows from the
        shortest to the longest training length (as far apart) with the
        training sequences' own centre and their spread narrowed as ``1 /
        sqrt`` of the scored steps (``statistics_scale_`` is the shortest
        length's; :meth:`_narrowed`). A
        shorter sequence's statistics are noisier (its worst tenth is one step,
        its median is of a few), and more of its steps lie at its edges:
        against the full sequences' spread, normal short sequences would be
        flagged for being short. Each piece is scored as a fresh sequence of
        ``n`` steps is, all pieces of a length in one pass; pieces overlap
        where ``n`` is over half a sequence, so each length has its share.

        The spreads are then stretched so that the pieces' scores reach
        ``offset_`` at the ``contamination`` share, as the training sequences'
        do: the floor ``_SMALLEST_SPREAD`` widens a tight spread by more than a
        looser one, and the shape of the two-sided score differs by length, so
        robust spreads alone flagged up to three times ``contamination`` of
        normal sequences just below the shortest training length.
        """
        shortest, longest = int(lengths.min()), int(lengths.max())
        top = 100 * (1 - self.contamination)
        scales = self._narrowed(counts, shortest)
        full_score = np.percentile(self._two_sided(statistics, self.statistics_center_, scales), top)
        first = self.window_length_ + 1 if self.scoring == "forecast" else 2  # a step to score
        rows = []
        if shortest > first:
            count = int(np.ceil(np.log(shortest / first) / np.log(_LENGTH_RATIO))) + 1
            grid = np.unique(np.round(np.geomspace(first, shortest, count)).astype(int))
            for n in grid[grid < shortest].tolist():
                pieces = []
                for values in series:  # overlapping when n > len / 2: every length has its pieces
                    k = min(_PIECES_PER_SEQUENCE, len(values) - n + 1)
                    starts = np.round(np.linspace(0, len(values) - n, k)).astype(int)
                    pieces.extend(values[start : start + n] for start in starts.tolist())
                if len(pieces) > _MOST_PIECES:
                    pieces = [pieces[i] for i in np.linspace(0, len(pieces) - 1, _MOST_PIECES).astype(int)]
                steps = self._steps_of(pieces)  # one length: one pass (of at most _CELLS_PER_PASS misses)
                scored = [scores for scores in steps if np.isfinite(scores).any()]
                if len(scored) < 2:
                    continue
                pieces_statistics = self._statistics(scored)
                center = np.median(pieces_statistics, axis=0)
                spread = np.maximum(robust_scale(pieces_statistics - center), _SMALLEST_SPREAD)
                score = np.percentile(self._two_sided(pieces_statistics, center, spread), top)
                if score > 0 and full_score > 0:  # scores scale as 1 / spread
                    spread = spread * np.clip(score / full_score, *_STRETCH)
                rows.append([n, *center, *spread])
        count = int(np.ceil(np.log(longest / shortest) / np.log(_LENGTH_RATIO))) + 1
        for n in np.unique(np.round(np.geomspace(shortest, longest, count)).astype(int)).tolist():
            rows.append([n, *self.statistics_center_, *self._narrowed(self._n_scored(n), shortest)[0]])
        return np.array(rows, dtype=np.float64)

    def _warn_if_few_short_sequences_set_the_window(self, series: list[np.ndarray]) -> None:
        """Warn where "auto" took a window at most half what the length nine in ten sequences reach gives.

        A quarter of the shortest sequence keeps every training sequence several windows long; one
        truncated record of 2 steps among runs of 60 made every window 1 step long, and a probe's run
        of scrambled normal values went unflagged. A longer window reads the short ones through padded
        windows, which flagged most normal short runs (a review): the user chooses, with the numbers.
        """
        if self.window_length != "auto":
            return
        typical = int(np.percentile([len(s) for s in series], 10, method="lower"))
        window, W = resolve_window_length("auto", typical), self.window_length_
        if window < 2 * W or window - W < 3:
            return
        short = sum(len(s) < typical for s in series)
        longer = (
            f"; or pass window_length={window}, with which sequences shorter than the window are read "
            "through padded windows and normal ones among them are flagged more often"
            if self.scoring == "reconstruction"
            else ""
        )
        warnings.warn(
            f"window_length='auto' is a quarter of the shortest training sequence ({min(map(len, series))} "
            f"steps): window_length_={W}, where nine in ten training sequences have {typical} steps or "
            f"more (a window of {window}). A window that short reads little of the longer sequences' "
            f"course. If the {short} shorter sequence(s) are truncated records, leave them out{longer}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _sequences(self, seqs: Sequences) -> list[np.ndarray]:
        if seqs.lengths.min() < 2:
            layout = (
                f" A 2D X of {seqs.values.shape[1]} feature(s) is univariate {seqs.values.shape[1]}-step "
                "sequences: pass one sequence of several features as [X] or X[None]."
                if seqs.tabular
                else ""
            )
            short = np.flatnonzero(seqs.lengths < 2)
            raise ValueError(
                "RNNOutlierDetector needs sequences of at least 2 time steps to judge how they go on, "
                f"got {len(short)} of 1 time step (sequence {short[0]}"
                + (f" and {len(short) - 1} more" if len(short) > 1 else "")
                + "). Leave them out, and their ids or labels with them: keep = [i for i, x in "
                f"enumerate(X) if len(x) >= 2]; X = [X[i] for i in keep].{layout}"
            )
        return [seqs.values[i, :n] for i, n in enumerate(seqs.lengths)]  # float64: standardised first

    def _statistics(self, steps: list[np.ndarray]) -> np.ndarray:
        """Each sequence's ``(worst, typical)``: logs of its worst steps' mean score and its median score."""
        out = np.empty((len(steps), 2))
        for i, scores in enumerate(steps):
            finite = np.sort(scores[np.isfinite(scores)])
            if not len(finite):
                raise ValueError(
                    f"Sequence {i} of X has no step the detector can score (no value, or no step after "
                    f"its first window_length_={self.window_length_}). Pass sequences with values."
                )
            worst = finite[-max(1, round(_TOP_SHARE * len(finite))) :].mean()
            out[i] = np.log(np.maximum([worst, np.median(finite)], _SMALLEST_SCORE))
        return out

    def _scores(self, statistics: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Each sequence's anomaly score: how far its ``statistics`` lie from the training sequences'.

        In robust units of the training sequences' spread: its worst steps
        above theirs, or its typical step either side of theirs (a run the
        network forecasts far better than usual, such as a quiet one among
        busy ones, is unusual too). A sequence of ``lengths`` steps is compared
        with the centre and spread of its length (``length_calibration_``,
        interpolated in log length): below the shortest training sequence,
        those of pieces of the training sequences; within the training
        lengths, the spread narrowed with the length; beyond, the longest's.
        """
        if getattr(self, "statistics_center_", None) is None:  # saved before the two-sided score
            return np.exp(statistics[:, 0])
        center, scale = self.statistics_center_, self.statistics_scale_
        table = getattr(self, "length_calibration_", None)  # None: saved before, one calibration
        if table is not None and len(table) > 1:
            at = np.log(np.asarray(lengths, dtype=np.float64))[:, None]
            known = np.log(table[:, 0])
            center, scale = (
                np.column_stack([np.interp(at[:, 0], known, table[:, j]) for j in columns])
                for columns in ((1, 2), (3, 4))
            )
        return self._two_sided(statistics, center, scale)

    @staticmethod
    def _two_sided(statistics: np.ndarray, center: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """Worst steps above ``center`` or typical step either side, in units of ``scale``."""
        z = (statistics - center) / scale
        return np.maximum(z[:, 0], np.abs(z[:, 1]))

    def score_samples(self, X: Any) -> np.ndarray:
        """Opposite of each sequence's anomaly score: the lower, the more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Minus each sequence's anomaly score (the class description has it).
        """
        check_is_fitted(self)
        series = self._sequences(validate_sequences(self, X, reset=False, allow_nan=True, dtype=np.float64))
        W = self.window_length_
        short = [i for i, values in enumerate(series) if len(values) <= W]
        if self._fitted("scoring") == "forecast" and short:
            raise ValueError(
                f"{len(short)} sequence(s) of X have {W} time steps or fewer (sequence {short[0]}: "
                f"{len(series[short[0]])}), but this detector forecasts each step from the "
                f"window_length_={W} steps before it (scoring='forecast'), so it has no step of them to "
                f"score. Pass sequences of at least {W + 1} steps, or fit with a smaller window_length "
                "or with scoring='reconstruction', which scores sequences of any length from 2 steps."
            )
        if self._fitted("scoring") == "reconstruction":
            _warn_of_steps_read_only_across_gaps(series, W)
        steps = self._steps_of(series)
        lengths = self._scored(steps)[1]
        self._warn_if_far_longer(lengths)
        return -self._scores(self._statistics(steps), lengths)

    def _warn_if_far_longer(self, lengths: np.ndarray) -> None:
        """Warn of sequences more than ``_FAR_LONGER`` times the longest training length
        (``length_calibration_``'s last): their worst tenth of steps dilutes a short fault."""
        table = getattr(self, "length_calibration_", None)  # None: saved before it was kept
        if table is None:
            return
        longest = float(table[-1, 0])
        far = np.flatnonzero(lengths > _FAR_LONGER * longest)
        if len(far):
            warnings.warn(
                f"{len(far)} sequence(s) of X are more than {_FAR_LONGER} times as long as the longest "
                f"training sequence ({longest:.0f} steps; sequence {far[0]}: {lengths[far[0]]}). A "
                f"sequence's score reads the mean of its worst {_TOP_SHARE:.0%} of steps, so a fault of a "
                "few steps weighs less the longer the sequence, and can go unflagged (a 4-step fault "
                "was found in every 120-step run and in 2 of 10 500-step ones by a detector trained on "
                "40-79 steps). Fit on sequences of the lengths you score, or score pieces of these of "
                "the training lengths.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def _scored(self, steps: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Each of ``steps``' scored steps, and the length of a sequence without gaps with as many.

        A sequence is compared with the centre and spread of its length, which
        narrows as ``1 / sqrt`` of the steps scored: one of 60 rows with a
        20-step outage has the scores of 40 steps, and was flagged twice as
        often as ``contamination`` against the spread of 60.
        """
        counts = np.array([np.isfinite(scores).sum() for scores in steps])
        return counts, counts + (self.window_length_ if self._fitted("scoring") == "forecast" else 0)

    def _filled(self, values: np.ndarray) -> np.ndarray:
        """What the network reads of a run ``(T, C)``: a gap within it joins its channel's values
        either side by a line, one at its start or end is carried (a run is whole when scored).

        Carried forward, a gap reads as a stalled sensor: one value in twenty missing at random made
        41% of normal runs outliers at contamination=0.1 (15% joined by lines; complete runs 10%).
        """
        if not np.isnan(values).any():
            return np.asarray(values, dtype=np.float64)
        inside = pd.DataFrame(values).interpolate(limit_area="inside").to_numpy(dtype=np.float64)
        return carry_forward_rows(inside)

    def _scores_of_misses(self, misses: np.ndarray) -> np.ndarray:
        """Own scores ``(..., T)``, without those of steps where some features have a value and others none.

        Every window holding such a step reads the missing feature carried
        forward, which the network trained on complete runs rebuilds the other
        features from badly: a 10-step dropout of one of three sensors made 84%
        of normal 60-step runs outliers. They are left out before the smoothing
        (with ``smoothing=5`` their scores reached the steps after them), but in
        a sequence all of whose scored steps are so (a sensor dead for the
        whole run). ``misses`` ``(..., T, K, C)`` are NaN where a feature has no value.
        """
        scores = super()._scores_of_misses(misses)
        unmeasured = np.isnan(misses).all(axis=-2)  # (..., T, C): a feature without a value
        partial = unmeasured.any(axis=-1) & ~unmeasured.all(axis=-1)
        others = (np.isfinite(scores) & ~partial).any(axis=-1, keepdims=True)
        return np.where(partial & others, np.nan, scores)

    def _steps_of(self, series: list[np.ndarray]) -> list[np.ndarray]:
        """Each sequence's step scores, as :meth:`_step_scores` gives it alone, in few network passes.

        Sequences of one length are scored together (:meth:`_step_scores_of_many`),
        as many a pass as hold ``_CELLS_PER_PASS`` misses (a step has one per
        feature and step of each window holding it, or per forecast step), so
        memory stays that of a pass whatever the number of sequences, their
        features and the window.
        """
        steps: list[np.ndarray | None] = [None] * len(series)
        by_length: dict[int, list[int]] = {}
        for i, values in enumerate(series):
            by_length.setdefault(len(values), []).append(i)
        W = self.window_length_
        reconstruction = self._fitted("scoring") == "reconstruction"
        per_step = len(self.channel_mean_) * (W if reconstruction else self._fitted("horizon"))
        for length, rows in by_length.items():
            windows = max(length, W) if reconstruction else length  # a short sequence: one padded window
            per_pass = max(1, _CELLS_PER_PASS // (windows * per_step))
            for start in range(0, len(rows), per_pass):
                chunk = rows[start : start + per_pass]
                scored = self._step_scores_of_many(self._standardise(np.stack([series[i] for i in chunk])))
                for i, scores in zip(chunk, scored, strict=True):
                    steps[i] = scores
        return steps

    def decision_function(self, X: Any) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X: Any) -> np.ndarray:
        """-1 for outliers, +1 for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return np.where(self.decision_function(X) < 0, -1, 1)


def _steps_read_only_across_gaps(values: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """The scored steps of a run ``(T, C)`` whose every window reads a gap, and the gaps' rows.

    A gap is ``_LONG_GAP`` steps or more without a value in one channel; an
    outage of every channel (``CUT_GAP`` steps or more) cuts the run, each
    piece read by its own windows (one, the piece, where it is shorter than
    the window). The scored steps are those where every channel has a value
    (the others are left out of a run's statistics), or all observed ones
    where none has.
    """
    T = len(values)
    missing = np.isnan(values)
    gap = np.zeros(T, dtype=bool)
    for channel in missing.T:
        for a, b in flag_runs(channel):
            if b - a >= _LONG_GAP:
                gap[a:b] = True
    observed = ~missing.all(axis=1)
    scored = ~missing.any(axis=1)
    alone = np.zeros(T, dtype=bool)
    for a, b in gap_pieces(~observed):
        width = min(window, b - a)
        reads = np.convolve(gap[a:b], np.ones(width, dtype=int), mode="valid") > 0  # window start s
        clean = np.concatenate([[0], np.cumsum(~reads)])  # clean windows among starts 0..s-1
        t = np.arange(b - a)
        first, last = np.maximum(0, t - width + 1), np.minimum(t, len(reads) - 1)
        alone[a:b] = clean[last + 1] - clean[first] == 0  # no clean window holds step t
    return alone & (scored if scored.any() else observed), gap


def _warn_of_steps_read_only_across_gaps(series: list[np.ndarray], window: int) -> None:
    """Warn of runs with scored steps that every window holding them reads across a gap.

    Such steps (between a gap and the run's end, or between two gaps, fewer than
    the window apart) are rebuilt badly and fill a normal run's worst tenth.
    """
    found = []
    for i, values in enumerate(series):
        alone, gap = _steps_read_only_across_gaps(values, window)
        if alone.any():
            longest = max(flag_runs(~gap), key=lambda run: run[1] - run[0], default=(0, 0))
            found.append((i, alone, *longest, len(values)))
    if not found:
        return
    i, alone, a, b, n = found[0]
    ranges = [f"{s}-{e - 1}" if e - s > 1 else f"{s}" for s, e in flag_runs(alone)]
    shown = ", ".join(ranges[:5]) + (f" (and {len(ranges) - 5} more)" if len(ranges) > 5 else "")
    fix = "fill the gaps"
    if b - a >= 2:  # a stretch the detector can score
        keep = f"x[{a or ''}:{b if b < n else ''}]"
        fix = f"score the longest stretch without such gaps ({keep} for sequence {i}), {fix}"
    warnings.warn(
        f"{len(found)} of the {len(series)} sequences of X have steps that every window of "
        f"window_length_={window} holding them reads across a gap of {_LONG_GAP} steps or more in a "
        f"channel (sequence {i}: steps {shown} of {n}), between a gap and the sequence's start or end or "
        "between two gaps. Rebuilt from windows reading the gap, such steps score high, and the sequences "
        "may be flagged far more often than contamination says: in a probe (60-step runs, "
        "contamination=0.1, 10% of complete runs flagged), 99% with a 10-step gap 5 steps from the start "
        f"and 49% with a 3-step gap 12 steps from it. To judge them, {fix}, or fit on runs that have them.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
