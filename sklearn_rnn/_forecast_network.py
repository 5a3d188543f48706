"""The forecaster's network: how it is built and trained, calibrated, and asked for forecasts.

:class:`ForecastNetwork` is the part of :class:`~sklearn_rnn.RNNForecaster` that
deals with its network: the training hooks of :class:`TrainingMixin` (the
pinball loss, early stopping's split by time, the epochs of ``update``), the
windows it trains on, the conformal calibration on held-out windows, the raw
quantile forecasts of each series, and what ``save`` and ``to_onnx`` ask of it.
"""

from __future__ import annotations

import copy
import warnings
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.exceptions import NotFittedError
from sktime.forecasting.base import ForecastingHorizon

from ._data import Sequences
from ._intervals import calibration, conformal_shift, drift_floors, median_index
from ._networks.forecast import (
    ForecastNet,
    PinballLoss,
    fit_series_smoothing,
    halfway_to,
    series_reach,
    series_shortest,
    series_smoothing_map,
    series_smoothing_spread,
)
from ._networks.heads import ForecastGraph, InferenceGraph, QuantileForecasts, SeriesScaling
from ._runtime import current_generator, torch_session, user_stacklevel
from ._scaling import column_statistics, input_scale, rounding_scaled
from ._series import (
    format_time,
    format_times,
    instance_frame,
    instances,
    refuse_duplicates,
    refuse_other_time_kind,
    refuse_unkeyed_x,
    series_label,
)
from ._training import SequenceDataset, TrainingMixin, make_module
from ._windows import (
    TimeOrderedSplit,
    WindowDataset,
    edge_pad,
    forecast_windows,
    held_out_start,
    window_dataset,
)

__all__ = ["ForecastNetwork"]


class ForecastNetwork(TrainingMixin):
    """The forecaster's network: training hooks, windows, calibration, raw forecasts, export."""

    # -- training (TrainingMixin) -----------------------------------------------------------------
    def _criterion(self) -> Any:
        return partial(PinballLoss, tuple(float(q) for q in self.quantile_levels_))

    def _train_split(self, seed: int, stratify: Any = None) -> TimeOrderedSplit | None:
        # validate on the latest windows, never on windows drawn among the training ones
        return TimeOrderedSplit(self.validation_fraction) if self.early_stopping else None

    def _continue_epochs(self) -> int:
        return self.update_epochs or max(1, self.max_epochs // 10)

    def _build_module(
        self, n_targets: int, X: pd.DataFrame | None, fitting: WindowDataset | None = None
    ) -> ForecastNet:
        """A new network (its constructor arguments kept: ``sklearn_rnn.load`` rebuilds it from them).

        With the smoothing baseline and the ``fitting`` windows, the smoothing
        is first fitted alone to them (:meth:`_fit_smoothing`).
        """
        module, self._module_kwargs = make_module(
            self._network_class,
            n_targets,
            self._n_exog,
            self.window_length_,
            self.horizon_,
            len(self.quantile_levels_),
            self.cell,
            self.hidden_size,
            self.num_layers,
            self.bidirectional,
            self.dropout,
            self.sp_,
            self.local_level,
            self.baseline,
            self.n_networks,
            fixed_smoothing=True,  # fitted alone first (_fit_smoothing), then left as fitted
            median_index=median_index(self.quantile_levels_),  # the weight moves every quantile alike
            exog_baseline=True,  # the smoothing's windows less a linear map of X, fitted first
        )
        if self._n_exog:  # the rows beside y: those after it are known future values, not training data
            observed = X[X.index.isin(self._y_hist.index)]
            mean, scale = column_statistics(observed.to_numpy(dtype=np.float64))
            for network in [module, *(module.others or ())]:
                network.recurrent.x_mean[n_targets : n_targets + self._n_exog] = torch.as_tensor(mean)
                network.recurrent.x_scale[n_targets : n_targets + self._n_exog] = torch.as_tensor(scale)
        if module.smoothing is not None and fitting is not None:
            self._fit_smoothing(module, fitting)
        return module

    # where the series hold out too few values to weigh the network on (none: too short to calibrate),
    # the fitted smoothing's forecasts are averaged with those of the smoothing fitted to the whole series
    # (``series_smoothing_``); a subclass may turn it off
    SERIES_SMOOTHING = True
    # windows the smoothing is fitted on, at most (a random subset of more: four parameters a column)
    SMOOTHING_WINDOWS = 4096
    # held-out values a step under which the correction weight is not chosen on them
    WEIGHING_VALUES = 10
    # the ridge penalty of the baseline's map of X, per value regressed (0.1: Longley's five collinear
    # columns over 13 years were overfitted at 1e-3; benchmarks/forecasting_exogenous_trial_results.txt)
    EXOG_PENALTY = 0.1

    def _fit_smoothing(self, module: ForecastNet, fitting: WindowDataset) -> None:
        """Fit the smoothing baseline alone to the training windows, the same for every network.

        Early stopping's validation windows are left out. The networks then
        learn to correct this baseline, which their training leaves as fitted
        (``fixed_smoothing``).
        """
        if self.early_stopping:
            fitting, _ = TimeOrderedSplit(self.validation_fraction)(fitting)
        index = torch.arange(len(fitting))
        if len(index) > self.SMOOTHING_WINDOWS:
            generator = current_generator()
            index = torch.randperm(len(index), generator=generator)[: self.SMOOTHING_WINDOWS]
        inputs, targets = fitting.batch(index)
        C, W = module.n_targets, module.window_length
        full = inputs["X"].float()
        windows, targets = full[:, :W, :C], targets.float()
        if module.x_coef is not None:
            self._fit_exog_map(module, full)
            effect = module.exog_effect(full)
            windows, targets = windows - effect[:, :W], targets - effect[:, W:]
        module.smoothing.fit(windows, targets)
        with torch.no_grad():
            for network in module.others or ():
                network.smoothing.logits.copy_(module.smoothing.logits)

    def _fit_series_smoothing(self, scaled: list[np.ndarray]) -> None:
        """``series_smoothing_``: the smoothing fitted to the whole ``scaled`` series, where they held
        out too few values to weigh the network on (none: too short to calibrate) and the forecasts
        are the fitted smoothing's alone.

        Its forecasts are then averaged with the smoothing's (:meth:`_series_smoothing_forecasts`):
        ``correction_weight="auto"`` resolved to 0 (not set by hand) and the baseline the smoothing,
        without ``X`` (which it does not read).
        """
        self.series_smoothing_, self.series_smoothing_length_ = None, None
        module = self.net_.module_  # with under WEIGHING_VALUES held out a step, "auto" weighs the network 0
        wanted = self.SERIES_SMOOTHING and self.correction_weight == "auto" and not self._n_exog
        if not wanted or module.smoothing is None:
            return
        with torch_session(self.n_threads, flush_denormal=False):
            params = fit_series_smoothing(scaled, module.sp)
        if params is not None:
            self.series_smoothing_ = params
            longest = max(len(s) for s in scaled)
            self.series_smoothing_length_ = int(min(longest, series_reach(module.sp)))

    def _interval_floors(self, scaled: list[np.ndarray]) -> np.ndarray | None:
        """``interval_floors_``: the drift method's widths and, where fitted, those of the smoothing
        fitted to the whole series (``series_smoothing_``), the wider of the two."""
        floors = drift_floors(scaled, self.horizon_, self.quantile_levels_)
        if self.series_smoothing_ is None:
            return floors
        with torch_session(self.n_threads, flush_denormal=False):
            spread = series_smoothing_spread(
                scaled, self.series_smoothing_, self.net_.module_.sp, self.horizon_, self.quantile_levels_
            )
        if spread is None or not np.isfinite(spread).all():
            return floors
        return spread if floors is None else np.maximum(floors, spread)

    def _series_smoothing_forecasts(self, scaled: list[np.ndarray]) -> torch.Tensor:
        """``(n, H, C)``: the whole-series smoothing's forecasts of each series, in the scaled units,
        from its last ``series_smoothing_length_`` values (all, where fewer; NaN where fewer than
        :func:`series_shortest`, too few to start it from)."""
        maps: dict[int, np.ndarray] = {}
        forecasts = []
        for values in scaled:
            n = min(len(values), self.series_smoothing_length_)
            if n < series_shortest(self.net_.module_.sp):
                forecasts.append(np.full((self.horizon_, values.shape[1]), np.nan))
                continue
            if n not in maps:
                params, sp = self.series_smoothing_, self.net_.module_.sp
                maps[n] = series_smoothing_map(params, sp, n, self.horizon_)
            forecasts.append(np.einsum("chn,nc->hc", maps[n], values[-n:]))
        return torch.from_numpy(np.stack(forecasts))

    def _fit_exog_map(self, module: ForecastNet, windows: torch.Tensor) -> None:
        """Fit the baseline's linear map of X: ridge regression of the windows' scaled ``y`` on the same
        steps' standardised ``X``, both less their window means (so levels and trends stay the
        smoothing's), the same for every network."""
        C, W = module.n_targets, module.window_length
        z = module.scaled_exog(windows[:, :W]).double()
        y = windows[:, :W, :C].double()
        z = (z - z.mean(dim=1, keepdim=True)).reshape(-1, module.n_exog)
        y = (y - y.mean(dim=1, keepdim=True)).reshape(-1, C)
        penalty = self.EXOG_PENALTY * len(z) * torch.eye(module.n_exog, dtype=torch.float64)
        coef = torch.linalg.solve(z.T @ z + penalty, z.T @ y).float()
        with torch.no_grad():
            for network in [module, *(module.others or ())]:
                network.x_coef.copy_(coef)

    # -- prediction and save/load (SafeFormatMixin) --------------------------------------------------
    _network_class = ForecastNet

    def _network_outputs(self) -> dict[str, int]:
        return {
            "horizon": self.horizon_,
            "n_quantiles": len(self.quantile_levels_),
            "window_length": self.window_length_,
        }

    def _head(self) -> QuantileForecasts:
        """The network's quantiles -> sorted, calibrated, in the series' units (predict and export)."""
        shift = conformal_shift(
            getattr(self, "conformal_offsets_", None),
            self.quantile_levels_,
            getattr(self, "interval_floors_", None),  # absent from files and pickles written before it
        )
        return QuantileForecasts(self.log_transform_, shift, median_index(self.quantile_levels_))

    def _rescale_before(self, series: list[tuple[tuple, pd.DataFrame]], data: WindowDataset, latest) -> None:
        """Scale each series with held-out ``latest`` windows by its values before the held-out ones.

        A column constant before them that moves in them (a product's first sales)
        keeps the scaling of all its values: by a rounding of its constant, its
        forecasts would be read as a constant's, with intervals of width 0.
        """
        for number in np.unique(data.series.numpy()[latest]):
            key, frame = series[number]
            # a copy: a frame's values are a read-only view, which torch warns of
            values = torch.tensor(frame.to_numpy(dtype=np.float64))
            logged = SeriesScaling(self.log_transform_).logged(values).numpy()
            self._y_scaling[key] = self._statistics_before_held_out(self._y_scaling[key], logged)

    def _statistics_before_held_out(self, whole: tuple, logged: np.ndarray) -> tuple:
        """A held-out series' (mean, scale): those of its values before the held-out ones.

        ``logged``: the series' values as its scaling reads them (logged where
        ``log_transform_`` says). The rows are :func:`held_out_start`'s, as
        :func:`calibration_split` holds them out of a series of this length; a
        column constant before them and moving in them keeps ``whole``, the
        statistics of all its values.
        """
        end = held_out_start(len(logged), self.window_length_, self.horizon_, self.calibration_fraction)
        if end is None:
            return whole
        before = column_statistics(logged[:end], constant_scale="rounding")
        moves = rounding_scaled(before[1], before[0]) & ~rounding_scaled(whole[1], whole[0])
        return tuple(np.where(moves, w, b) for w, b in zip(whole, before, strict=True))

    def _weigh_correction(self, scoring: WindowDataset | None, held_out: bool = False) -> None:
        """``correction_weight_``: each column's weight of the network against its baseline.

        ``correction_weight`` as given, or with "auto" the one of 0, 0.1, ...,
        1 whose forecasts' medians err least on the held-out ``scoring``
        windows (mean absolute error in the scaled units, all steps and
        series), the largest on a tie. With fewer than ``WEIGHING_VALUES``
        held-out values a step (the fewest over columns), none included,
        nothing shows that the network's correction helps: 0 where values were
        to be ``held_out`` and the baseline is the smoothing (on scarce data the
        classical model is the safer forecast), otherwise 1 (``conformal=False``
        holds none out by choice; the naive baseline is no forecaster).
        """
        n_columns = len(self.log_transform_)
        auto = self.correction_weight == "auto"
        targets = None if scoring is None else scoring.window_targets().numpy()
        # every held-out time point is forecast at every step: step 1's count is each step's
        count = 0 if targets is None else int(np.isfinite(targets[:, 0]).sum(axis=0).min())
        smoothing_alone = held_out and self.baseline == "smoothing"
        fixed = (0.0 if smoothing_alone else 1.0) if auto else float(self.correction_weight)
        self.correction_weight_ = np.full(n_columns, fixed)
        if auto and count >= self.WEIGHING_VALUES:
            medians = []
            for weight in (np.zeros(n_columns), np.ones(n_columns)):  # the baseline's, the network's
                self._set_correction_weight(weight)
                out = QuantileForecasts(self.log_transform_, None, 0).scaled(self._predict_raw(scoring))
                medians.append(out.numpy()[..., median_index(self.quantile_levels_)])
            grid = np.arange(10, -1, -1) / 10  # largest first: argmin takes the first of equal errors
            errors = np.stack(
                [
                    np.nanmean(np.abs(w * medians[1] + (1 - w) * medians[0] - targets), axis=(0, 1))
                    if w > 0
                    else np.nanmean(np.abs(medians[0] - targets), axis=(0, 1))  # a diverged network's too
                    for w in grid
                ]
            )
            self.correction_weight_ = grid[np.argmin(np.where(np.isnan(errors), np.inf, errors), axis=0)]
        self._set_correction_weight(self.correction_weight_)

    def _set_correction_weight(self, weight: np.ndarray) -> None:
        """The network's own forecasts where every weight is 1 (None), otherwise the weighted ones."""
        self.net_.module_.correction_weight = None if (weight == 1).all() else tuple(map(float, weight))

    def _calibrate(self, scoring: WindowDataset | None) -> None:
        """Conformal offsets of the central intervals, from the trained network's held-out windows."""
        self.conformal_offsets_ = None
        self.n_calibration_scores_ = np.zeros(self.horizon_, dtype=np.int64)
        if scoring is None:
            return
        out = self._predict_raw(scoring)
        quantiles = QuantileForecasts(self.log_transform_, None, 0).scaled(out).numpy()  # sorted, as predict
        targets = scoring.window_targets().numpy().astype(np.float64)
        self.conformal_offsets_, self.n_calibration_scores_ = calibration(
            quantiles, targets, self.quantile_levels_
        )

    def _window_dataset(
        self, series: list[tuple[tuple, pd.DataFrame]], X: pd.DataFrame | None, store: bool = False
    ) -> WindowDataset:
        blocks = []
        for key, frame in series:
            scaled, _ = self._transform_y(frame.to_numpy(dtype=np.float64), key, store)
            if self._n_exog:
                exog = instance_frame(X, key).loc[frame.index].to_numpy(dtype=np.float64)
                scaled = np.concatenate([scaled, exog], axis=1)
            blocks.append(scaled)
        n_future = self.horizon_ if self._n_exog else 0
        return window_dataset(blocks, self._y_hist.shape[1], self.window_length_, self.horizon_, n_future)

    # -- forecasts ------------------------------------------------------------------------------
    def _reach(self, fh: ForecastingHorizon) -> tuple[list, list]:
        """Each series and its steps and time points of ``fh``; refuses steps beyond ``horizon_``."""
        series = instances(self._y_hist)
        horizons = self._horizons(fh, series)
        furthest = [int(steps.max()) for steps, _ in horizons]
        number = int(np.argmax(furthest))
        if furthest[number] > self.horizon_:
            key, frame = series[number]
            raise ValueError(
                f"fh reaches {furthest[number]} steps ahead, counted from the end"
                f"{series_label(key) or ' of the series'} ({format_time(frame.index[-1])}), but the "
                f"network was trained for horizon_={self.horizon_} steps. Pass an fh reaching that far "
                "to fit, or set max_horizon."
            )
        return series, horizons

    def _raw_quantiles(self, fh: ForecastingHorizon, X: pd.DataFrame | None):
        """Network outputs in original units: per series (key, time points, ndarray (len(fh), C, Q))."""
        # torch's work within the bound on threads, the head's too: an op at the caller's count starts an
        # OpenMP pool that a forked worker (joblib's multiprocessing backend) then deadlocks in
        with torch_session(self.n_threads, flush_denormal=False):
            return self._quantiles_in_units(fh, X)

    def _quantiles_in_units(self, fh: ForecastingHorizon, X: pd.DataFrame | None):
        series, horizons = self._reach(fh)
        if self._n_exog:
            refuse_duplicates(X, "X", "predict")
            refuse_other_time_kind(X, self._y_hist, "predict")
            refuse_unkeyed_x(self._y_hist, X, "predict")
        blocks, stats, filled = [], [], []
        for (key, frame), (_, required) in zip(series, horizons, strict=True):
            rows, stat = self._transform_y(frame.to_numpy(dtype=np.float64), key)
            self._warn_if_constant_moved(key, frame, rows, stat)
            stats.append(stat)
            if self._n_exog:  # the future rows: targets zero, X as known
                rows = np.concatenate([rows, np.zeros((self.horizon_, rows.shape[1]))])
                future, gaps = self._exog_rows(key, frame.index, X, required)
                rows = np.concatenate([rows, future], axis=1)
                if len(gaps):
                    filled.append((key, gaps))
            blocks.append(rows)
        lengths = [len(frame) for _, frame in series]
        C, W = len(self.log_transform_), self.window_length_
        if self._n_exog:
            self._warn_if_x_filled(filled)
            # the rows the forecasts read: each series' last window and the steps ahead
            read = [rows[max(0, n - W) :] for rows, n in zip(blocks, lengths, strict=True)]
            self._warn_if_x_extrapolates(np.concatenate(read)[:, -self._n_exog :])
        scaled = [rows[:n, :C] for rows, n in zip(blocks, lengths, strict=True)]
        pasts = [edge_pad(rows[:n, :C], W)[-W:] for rows, n in zip(blocks, lengths, strict=True)]
        unmoved = torch.from_numpy(np.stack([(past == 0).all(axis=0) for past in pasts]))  # in float64
        level = None
        if self.local_level:  # the network reads each window less its level: taken off here in float64,
            # as float32 would round a level far from fit's (a counter updated far past it) to whole units
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # a window without a value: level 0
                level = np.nan_to_num(np.stack([np.nanmean(past, axis=0) for past in pasts]))
            blocks = [
                np.concatenate([rows[:n] - np.pad(c, (0, rows.shape[1] - C)), rows[n:]])  # past y only
                for rows, n, c in zip(blocks, lengths, level, strict=True)
            ]
            level = torch.from_numpy(level)
        values = forecast_windows(blocks, lengths, W)
        seqs = Sequences(values, np.full(len(values), values.shape[1], dtype=np.int64), False)
        out = self._predict_raw(SequenceDataset(seqs))
        mean, scale = (torch.from_numpy(np.stack(s)) for s in zip(*stats, strict=True))
        if getattr(self, "series_smoothing_", None) is not None:  # absent from files written before it
            forecasts = self._series_smoothing_forecasts(scaled)
            if level is not None:  # the network's forecasts are the windows' less their level
                forecasts = forecasts - level[:, None, :]
            log = torch.from_numpy(np.asarray(self.log_transform_, dtype=bool))
            read = torch.from_numpy(np.stack([input_scale(*stat) for stat in stats]))  # as the values are
            out = halfway_to(out, forecasts, median_index(self.quantile_levels_), read, log)
        with torch.no_grad():
            out = self._head()(out, mean, scale, unmoved, level).numpy()
        if not np.isfinite(out).all():
            median = out[..., median_index(self.quantile_levels_)]
            if np.isfinite(median).all() and not self._n_exog:  # the intervals' bounds: their width
                raise ValueError(
                    "The forecasts' intervals are not finite numbers: their calibrated widths "
                    "overflowed when mapped back to the series' units"
                    + (" from the log scale" if np.any(self.log_transform_) else "")
                    + ". Nothing is returned rather than inf or NaN. Refit with "
                    + ("target_transform='none' or " if np.any(self.log_transform_) else "")
                    + "conformal=False, or on a longer series."
                )
            raise ValueError(
                "The forecasts are not finite numbers: the network's outputs overflowed"
                + (", most likely from X far outside the range it was trained on" if self._n_exog else "")
                + ". Nothing is returned rather than inf or NaN. "
                + ("Pass X in the units and range of fit, or refit" if self._n_exog else "Refit")
                + " on data that includes such values."
            )
        return [
            (key, index, o[steps - 1])
            for (key, _), o, (steps, index) in zip(series, out, horizons, strict=True)
        ]

    # future X this many training standard deviations from its training mean is read with a warning
    X_EXTRAPOLATION = 10.0

    def _warn_if_x_filled(self, filled: list[tuple[tuple, pd.Index]]) -> None:
        """Warn where future X the network reads was filled forward (``capability:non_contiguous_X``).

        Not where no column weighs the network (``correction_weight_`` 0): the
        forecasts are then the smoothing's, whose map reads each step's own X only.
        """
        weights = getattr(self, "correction_weight_", None)
        if not filled or (weights is not None and not np.any(weights)):
            return
        key, gaps = filled[0]
        more = f" and {len(filled) - 1} other series" if len(filled) > 1 else ""
        warnings.warn(
            f"X has no rows for {format_times(gaps)}{series_label(key)}{more}: the network reads X at all "
            f"horizon_={self.horizon_} steps after a series' end, so these were filled forward from the "
            "last known row, and the forecasts depend on which steps X covers. Pass X for every step "
            f"1..{self.horizon_} after the end of y, or fit with an fh (or max_horizon) that reaches no "
            "further than the steps X will cover (horizon_ is the furthest step of fit's fh, else "
            "window_length_).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )

    def _warn_if_x_extrapolates(self, exog: np.ndarray) -> None:
        """Warn where the X the forecasts read (``exog``: each series' last window and the steps ahead)
        lies far outside the range X had in the series' history.

        Counted in standard deviations of fit's X beyond the history's least and
        greatest values, not from their mean: a flag on 2 days of 790 (a holiday)
        is 20 deviations from its mean, and seen.
        """
        recurrent, start = self.net_.module_.recurrent, self._y_hist.shape[1]  # the targets', then X's
        mean = recurrent.x_mean[start : start + self._n_exog].double().numpy()
        scale = recurrent.x_scale[start : start + self._n_exog].double().numpy()
        seen = self._X_hist.loc[self._X_hist.index.isin(self._y_hist.index), self._x_columns]
        low, high = mean, mean
        if len(seen):
            low, high = seen.min().to_numpy(dtype=np.float64), seen.max().to_numpy(dtype=np.float64)
        # a column that never varied over the series' history (fit's and update's rows) has no spread
        # (its scale is 1): another value is read by extrapolation (a promotion dummy never on moved
        # forecasts by a sd); where the network weighs in: the smoothing's map of X gives it no weight
        moved = np.zeros(self._n_exog, dtype=bool)
        if len(seen) and (np.asarray(getattr(self, "correction_weight_", 1.0)) > 0).any():
            other = ~np.isclose(exog, low, rtol=1e-9, atol=1e-12)  # float noise is the same value
            moved = (low == high) & other.any(axis=0)
            if moved.any():
                column = int(np.argmax(moved))
                value, was = float(exog[:, column][other[:, column]][0]), float(low[column])
                warnings.warn(
                    f"X passed to predict holds {value!r} in column {self._x_columns[column]!r}, which was "
                    f"{was!r} at every time point of the series' history: the network never saw it vary, "
                    "and reads other values by extrapolation, so its forecasts may be far off. Fit on data "
                    "where the column varies, or leave it out of X.",
                    UserWarning,
                    stacklevel=user_stacklevel(),
                )
        beyond = np.maximum(exog - high, low - exog).clip(min=0) / scale
        distance = np.where(moved, 0.0, beyond.max(axis=0))  # no spread to count in
        if (distance > self.X_EXTRAPOLATION).any():
            column = int(np.argmax(distance))
            warnings.warn(
                f"X read by the forecasts holds values {distance[column]:.3g} standard deviations of its "
                f"training values beyond the range of the series' history (column "
                f"{self._x_columns[column]!r}); the forecasts extrapolate far beyond what was seen, and may "
                "be far off. Check X's units (e.g. cents against dollars).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def _inference_graph(self) -> InferenceGraph:
        """The network with the series' scaling and its head, for :func:`sklearn_rnn.to_onnx`.

        Only a forecaster of one series without ``X`` is exported: a panel's
        series each have their own scaling, and ``X`` has no place in the window.
        """
        if not hasattr(self, "net_"):
            raise NotFittedError(
                "This RNNForecaster instance is not fitted yet. Call 'fit' with appropriate arguments "
                "before using to_onnx."
            )
        if self._n_exog:
            raise ValueError(
                "to_onnx exports RNNForecaster models fitted without X only; this one was fitted with "
                f"{self._n_exog} exogenous columns. Fit it on y alone to export it."
            )
        if list(self._y_scaling) != [()]:
            raise ValueError(
                "to_onnx exports an RNNForecaster fitted on a single series (each series of a panel "
                f"has its own scaling); this one was fitted on {len(self._y_scaling)} series."
            )
        mean, scale = self._y_scaling[()]
        net = copy.deepcopy(self.net_.module_).cpu().eval()
        series_map, length = None, self.window_length_
        if getattr(self, "series_smoothing_", None) is not None:  # absent from files written before it
            length = max(length, self.series_smoothing_length_)
            series_map = series_smoothing_map(
                self.series_smoothing_, net.sp, self.series_smoothing_length_, self.horizon_
            )
        example = torch.ones((2, length, len(mean)))
        graph = ForecastGraph(net, self._head(), mean, scale, series_map)
        return InferenceGraph(
            graph, example, "y_window", "quantiles", dynamic_time=False, takes_lengths=False
        )
