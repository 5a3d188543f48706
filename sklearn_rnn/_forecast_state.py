"""The forecaster's series: scaling, the history and checks of new data, time points, save and load.

:class:`SeriesState` is the part of :class:`~sklearn_rnn.RNNForecaster` that
keeps its series: each series' scaling, the stored history that ``update``
extends (refusing data it could not use before anything moves), the time
points forecast steps fall on, the future ``X`` a forecast reads, and what
:func:`sklearn_rnn.save` stores of sktime's own state and how :func:`sklearn_rnn.load`
rebuilds it.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import torch
from sktime.datatypes import convert_to
from sktime.forecasting.base import ForecastingHorizon

from ._archive import MAX_ARRAYS, Refused, shown
from ._codec import (
    Encoder,
    StoredArrays,
    custom_offset,
    decode,
    decode_frequency,
    encode_frequency,
    is_plain,
)
from ._data import refuse_repeated_columns, refuse_time_level_not_last, refuse_unparsed_times
from ._intervals import median_index, quantile_pairs
from ._networks.forecast import SERIES_SHORTEST, series_reach
from ._networks.heads import SeriesScaling
from ._runtime import user_stacklevel
from ._scaling import column_statistics, input_scale, rounding_scaled
from ._series import (
    SCALED_LIMIT,
    check_exog_values,
    exog_columns,
    format_time,
    format_times,
    grid_positions,
    grid_steps,
    instance_frame,
    instances,
    last_time,
    refuse_duplicates,
    refuse_gaps,
    refuse_irregular_dates,
    refuse_missing_keys,
    refuse_mixed_frequencies,
    refuse_reordered_levels,
    refuse_uncovered_x,
    refuse_unkeyed_x,
    refuse_unsorted,
    refuse_x_between,
    series_freq,
    series_label,
    steps_after,
    time_kind,
    uncovered,
)

__all__ = ["SeriesState"]

# the input types a forecaster's training data are stored back as (sktime mtypes built of pandas/numpy)
# the series a forecaster's file may hold: load rebuilds sktime's state series by series (1 to 5 ms
# each), and a fit stores two arrays a series (its scaling) beside at most 16 others
MAX_SERIES = (MAX_ARRAYS - 16) // 2


def series_count(frame: pd.DataFrame | None) -> int:
    """How many series a (multi-indexed) frame holds, counted without splitting it."""
    if frame is None or not isinstance(frame.index, pd.MultiIndex):
        return 0 if frame is None else 1
    return len(frame.index.droplevel(-1).unique())


_MTYPES = (
    "pd.Series",
    "pd.DataFrame",
    "np.ndarray",
    "pd-multiindex",
    "df-list",
    "numpy3D",
    "pd_multiindex_hier",
)
# where a loaded forecaster's fitted state waits while sktime's ``fit`` rebuilds sktime's own: skbase's
# ``reset``, with which ``fit`` starts, keeps attributes whose names contain "__" (and only those)
RESTORED = "_restored__state"


class SeriesState:
    """The series a forecaster keeps, the checks of new data, and its state in a saved file."""

    # sktime's own fitted state: not stored, rebuilt on load by sktime's ``fit``
    _not_stored = frozenset(
        {
            "_y",
            "_X",
            "_cutoff",
            "_fh",
            "_converter_store_y",
            "_y_metadata",
            "_y_mtype_last_seen",
            "_X_mtype_last_seen",
            "_is_vectorized",
            "_state",
        }
    )

    def __sklearn_is_fitted__(self) -> bool:
        return self.is_fitted

    # -- save and load ------------------------------------------------------------------------
    def _saved_state(self, encode: Encoder) -> dict[str, Any]:
        """What sktime's ``fit`` needs to rebuild sktime's state: the data types as passed, and ``fh``."""
        if (n_series := series_count(self._y_hist)) > MAX_SERIES:
            raise ValueError(
                f"RNNForecaster is too large for the safe format: it holds {n_series} series, more than the "
                f"{MAX_SERIES} a file may hold (load rebuilds sktime's state series by series). Use "
                "pickle/joblib for files you trust."
            )
        y_mtype = self._y_mtype_last_seen
        X_mtype = getattr(self, "_X_mtype_last_seen", None) if self._X_hist is not None else None
        for kind, mtype in (("y", y_mtype), ("X", X_mtype)):
            if mtype is not None and mtype not in _MTYPES:
                raise TypeError(
                    f"RNNForecaster was fitted on {kind} of sktime type {mtype!r}; the safe format stores "
                    f"forecasters fitted on {list(_MTYPES)}. Convert {kind} to one of them before fit, or "
                    "use pickle/joblib for files you trust."
                )
        fh = self._fh
        offset = getattr(fh, "_freq", None)
        state = {
            "y_mtype": y_mtype,
            "X_mtype": X_mtype,
            "converter_store": encode(dict(self._converter_store_y or {}), "sktime converter store"),
            "fh": None
            if fh is None
            else {
                "values": encode(fh.to_pandas(), "fh"),
                "is_relative": fh.is_relative,
                # sktime keeps the offset; its freq gives the name alone, which drops a custom one's parts
                "freq": encode_frequency(offset, "fh") if hasattr(offset, "freqstr") else fh.freq,
            },
        }
        return {"sktime": state}

    def _restore_fitted(
        self,
        attributes: dict[str, Any],
        rebuild_net: Callable[[Any], Any],
        manifest: dict[str, Any],
        arrays: StoredArrays,
    ) -> None:
        """The fitted state and network from the file, then sktime's by its own ``fit`` on the stored data.

        ``_fit`` finds the fitted state waiting (:data:`RESTORED`) and puts it
        back instead of training.
        """
        stored = manifest.get("sktime")
        if not isinstance(stored, dict):
            raise Refused("it stores no sktime state for its forecaster.")
        y_mtype, X_mtype = stored.get("y_mtype"), stored.get("X_mtype")
        if y_mtype not in _MTYPES or X_mtype not in (*_MTYPES, None):
            raise Refused(
                f"its data types {str(y_mtype)[:40]!r}, {str(X_mtype)[:40]!r} are not ones it writes."
            )
        store = decode(stored.get("converter_store"), arrays, "sktime converter store")
        fh = stored.get("fh")
        y_hist, X_hist = attributes.get("_y_hist"), attributes.get("_X_hist")
        # a series' name alone (sktime's converters read other keys): a plain value, or a tuple of them
        # (y[("store", 1)] of a frame's two-level columns)
        if (
            not isinstance(store, dict)
            or not set(store) <= {"name"}
            or not all(map(is_plain, _items(store.get("name"))))
        ):
            raise Refused("its sktime converter store is malformed.")
        if not isinstance(y_hist, pd.DataFrame) or not (X_hist is None or isinstance(X_hist, pd.DataFrame)):
            raise Refused("its forecaster holds no training series.")
        y_values = _stored_values("_y_hist", y_hist)
        if X_hist is not None:
            _stored_values("_X_hist", X_hist)
        logged = attributes.get("log_transform_")  # its rule ties it to _y_scaling; one a column of y
        if isinstance(logged, np.ndarray) and logged.shape != (y_hist.shape[1],):
            raise Refused(
                f"its log_transform_ and series scaling hold {logged.size} columns, but its series "
                f"{y_hist.shape[1]}."
            )
        if isinstance(logged, np.ndarray) and logged.dtype == bool:  # a column modelled on logs
            if (y_values[:, logged] <= 0).any():
                raise Refused("its _y_hist holds values <= 0 in a column modelled on the log scale.")
        if (n_series := max(series_count(y_hist), series_count(X_hist))) > MAX_SERIES:
            raise Refused(f"its forecaster holds {n_series} series, more than the {MAX_SERIES} save writes.")
        held_columns = X_hist.shape[1] if X_hist is not None else 0
        n_exog = attributes.get("_n_exog", held_columns)
        if held_columns != n_exog:  # fit stores X's columns, or None without X
            held = "no X" if X_hist is None else f"X of {X_hist.shape[1]} columns"
            raise Refused(f"its network reads {shown(n_exog)} exogenous columns, but it holds {held}.")
        x_columns = attributes.get("_x_columns")  # predict's X is put in this order: fit's, X_hist's
        if x_columns != (None if X_hist is None else list(X_hist.columns)):
            raise Refused(
                f"its _x_columns={shown(x_columns)} are not the columns of the X it holds, in their order "
                "(fit stores both alike)."
            )
        # files written before these: no floors, the network's forecasts
        n_columns = len(y_hist.columns)
        attributes = {
            "interval_floors_": None,
            "series_smoothing_": None,
            "series_smoothing_length_": None,
            "correction_weight_": np.ones(n_columns),
            **attributes,
        }
        for key, value in attributes.items():
            setattr(self, key, value)
        self.net_ = rebuild_net(self)  # refuses a network that does not match the stored outputs first
        longest = max(len(frame) for _, frame in instances(y_hist))
        _check_interval_state(attributes, n_columns, longest)
        stored_median = self.net_.module_.median_index  # None: written before the weight moved quantiles
        if stored_median is not None and stored_median != median_index(self.quantile_levels_):
            raise Refused(
                f"its network's median_index={stored_median} is not the index of 0.5 in quantile_levels_."
            )
        self._set_correction_weight(attributes["correction_weight_"])
        try:
            if fh is not None:
                values = decode(fh.get("values"), arrays, "fh") if isinstance(fh, dict) else None
                if not (isinstance(values, pd.Index) and isinstance(fh.get("is_relative"), bool)):
                    raise Refused("its forecasting horizon is malformed.")
                if len(values) > self.horizon_:  # distinct steps within 1..horizon_, as fit stores them
                    raise Refused(
                        f"its forecasting horizon has {len(values)} steps, more than the {self.horizon_} "
                        "its network forecasts."
                    )
                # steps ahead, as fit stores them within 1..horizon_ (an absolute fh may lie in the past
                # after update, and its steps are counted from each series' end at predict)
                relative = fh["is_relative"] and pd.api.types.is_integer_dtype(values)
                if relative and (values.max() > self.horizon_ or values.min() < 1):
                    raise Refused(
                        f"its forecasting horizon's steps {values.min()} to {values.max()} are not within "
                        f"the 1 to {self.horizon_} its network forecasts."
                    )
                kinds = [time_kind(index) for index in (values, y_hist.index.get_level_values(-1))]
                if not fh["is_relative"] and kinds[0].split("[")[0] != kinds[1].split("[")[0]:
                    raise Refused(
                        f"its absolute forecasting horizon holds time points of kind {kinds[0]}, but its "
                        f"series are indexed by {kinds[1]}."
                    )
                freq = decode_frequency(fh.get("freq"), "fh")
                fh = ForecastingHorizon(values, is_relative=fh["is_relative"], freq=freq)
            y = convert_to(y_hist, to_type=y_mtype, store=store, store_behaviour="freeze")
            X = X_hist if X_hist is None or X_mtype is None else convert_to(X_hist, to_type=X_mtype)
            setattr(self, RESTORED, {**attributes, "net_": self.net_})
            self.fit(y, X=X)
            # the horizon as the saved forecaster held it: an absolute one that update moved into the
            # past stays, as update keeps it (fit would refuse it as in-sample)
            self._fh = fh
        except Refused:
            raise
        # a crafted freq overflows; sktime refuses an in-sample horizon with NotImplementedError
        except (TypeError, ValueError, KeyError, ArithmeticError, NotImplementedError) as exc:
            raise Refused(f"its forecaster state does not rebuild ({type(exc).__name__}: {exc})") from None
        finally:
            self.__dict__.pop(RESTORED, None)

    # -- scaling, history and new data -------------------------------------------------------
    def _transform_y(self, values: np.ndarray, key: tuple, store: bool = False):
        """Original units (T, C) -> (the network's scaled units, the series' (mean, scale)).

        The statistics of a series are those of ``fit``; a series first seen later
        (``store=False``) gets its own, without changing the fitted state, by
        ``fit``'s rule: where ``fit`` held out values, those of its values before
        the ones ``fit`` would hold out of a series of its length (the units the
        intervals were calibrated in).
        """
        out = torch.from_numpy(np.array(values, dtype=np.float64))
        if bool((out[:, torch.from_numpy(np.asarray(self.log_transform_, dtype=bool))] <= 0).any()):
            raise ValueError(
                "y has values <= 0 in a column modelled on the log scale (its training values "
                "were all positive). Pass target_transform='none' to model it unlogged."
            )
        scaling = SeriesScaling(self.log_transform_)
        stats = self._y_scaling.get(key)
        if stats is None:
            logged = scaling.logged(out).numpy()
            stats = column_statistics(logged, constant_scale="rounding")
            if store:
                self._y_scaling[key] = stats
            elif getattr(self, "conformal_offsets_", None) is not None:  # fit held values out
                stats = self._statistics_before_held_out(stats, logged)
        scaled = scaling(out, torch.from_numpy(stats[0]), torch.from_numpy(input_scale(*stats)))
        return scaled.numpy(), stats

    def _warn_if_constant_moved(
        self, key: tuple, frame: pd.DataFrame, scaled: np.ndarray, stats: tuple
    ) -> None:
        """Warn where a column constant in ``fit`` has moved in the values a forecast reads.

        Such a column is scaled by a rounding of itself (its forecasts are the
        constant, its intervals of width 0); the network never saw it move, so
        its intervals no longer say anything.
        """
        mean, scale = stats
        moved = rounding_scaled(scale, mean) & (np.abs(scaled).max(axis=0) > 8 * scale)
        if moved.any():
            logged = np.asarray(self.log_transform_, dtype=bool)
            pairs = zip(mean[moved], logged[moved], strict=True)
            constant = [float(np.exp(m) if log else m) for m, log in pairs]
            what = "y" if frame.shape[1] == 1 else f"Column {[str(c) for c in frame.columns[moved]]}"
            warnings.warn(
                f"{what}{series_label(key)} was constant ({constant}) in the data "
                "the forecaster was fitted on and has moved since: the network never saw it move, so "
                "its intervals (of width 0) and corrections do not hold. Fit the forecaster again on "
                "data where it moves.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )

    def _check_X_y(self, X: Any = None, y: Any = None, **kwargs: Any) -> Any:
        """sktime's check of ``X`` and ``y``; where it refuses them, the library's reason if it has one.

        sktime's message for ``X`` that lacks time points of ``y`` names
        "series 0" twice and no fix; sktime reads a panel indexed (time, series) as one
        of series indexed by time points, without an error.
        """
        fitting = not self.is_fitted and not hasattr(self, RESTORED)  # load refits: warned at the fit
        for name, data in (("y", y), ("X", X)):
            refuse_time_level_not_last(getattr(data, "index", None), name, fitting)
            refuse_unparsed_times(getattr(data, "index", None), name)
            refuse_repeated_columns(data, name)
        if X is not None and self.is_fitted and not getattr(self, "_n_exog", 0) and _has_columns(X):
            method = "predict" if y is None else "update"
            raise ValueError(
                f"X was passed to {method}, but this {type(self).__name__} was fitted without X: it reads "
                "no X, and its forecasts would not change with it. Refit with fit(y, X=X) to forecast "
                f"from X (then pass X's rows for the steps ahead to predict), or call {method} without X."
            )
        try:
            return super()._check_X_y(X=X, y=y, **kwargs)
        except (TypeError, ValueError) as exc:
            method = "fit" if not self.is_fitted else ("predict" if y is None else "update")
            if isinstance(exc, TypeError):  # sktime's list of every format it knows, for rows out of order
                for name, data in (("y", y), ("X", X)):
                    refuse_unsorted(data, name, method)
                raise
            pandas = (pd.Series, pd.DataFrame)
            history = self._y_hist if method == "update" else None
            for name, data in (("y", y), ("X", X)):  # sktime's "cannot handle missing data" names no fix
                _refuse_missing_values(name, data, method, history)
            if isinstance(X, pandas) and isinstance(y, pandas) and len(y):
                frame, exog = (data.to_frame() if isinstance(data, pd.Series) else data for data in (y, X))
                for name, data in (("y", frame), ("X", exog)):  # rows without a series key first
                    refuse_missing_keys(data, name, method)
                refuse_uncovered_x(frame, exog, method)
            raise

    def _update_y_X(self, y: Any, X: Any = None, enforce_index_type: Any = None) -> None:
        """Check new data, then let sktime move the cutoff and its stored data.

        sktime's ``fit``, ``update`` and ``update_predict_single`` call this hook
        before ``_fit``/``_update``: data refused here leaves a fitted forecaster
        exactly as it was (cutoff, history and network).
        """
        if isinstance(y, pd.DataFrame):
            method = "update" if self.is_fitted else "fit"
            for name, data in (("y", y), ("X", X if isinstance(X, pd.DataFrame) else None)):
                refuse_missing_keys(data, name, method)
                refuse_duplicates(data, name, method)
            if self.is_fitted:
                self._check_update(y, X if isinstance(X, pd.DataFrame) else None)
            # before sktime's own check, whose message names no series, and the gaps: a weekly
            # series is off a daily grid
            refuse_mixed_frequencies(y)
            if not self.is_fitted:
                _refuse_uncountable_times(y.index, X)
                freq = series_freq(y)
                times = y.index.get_level_values(-1).unique()
                if freq is None and len(times) > 2:  # before training: predict could not place its steps
                    refuse_irregular_dates(times, y.index.nlevels - 1)
                refuse_gaps(y, method, freq=freq)
                if isinstance(X, pd.DataFrame):  # sktime's own check lets a panel's through
                    refuse_uncovered_x(y, X, "fit")
        super()._update_y_X(y, X, enforce_index_type=enforce_index_type)

    def update(self, y: Any, X: Any = None, update_params: bool = True) -> Any:
        """Extend the forecaster with new observations; with ``update_params``, train further.

        New time points are appended to the stored series (each series of a panel
        goes on from its own end); revised values at stored time points replace
        them. With ``update_params=True`` the network then trains for
        ``update_epochs`` epochs (default ``max_epochs // 10``, at least 1) on
        windows of all data seen so far, starting from its current weights;
        scaling statistics stay those of ``fit``. With ``update_params=False``
        only the data and the cutoff move, and the next ``predict`` reads the
        new observations. The cutoff is the latest time point seen: an update
        that only revises earlier values leaves it where it was (sktime's own
        forecasters move it back to the end of the data given, though the
        series still ends where it did).

        Data that cannot be used is refused with a ``ValueError`` before anything
        changes, and the forecaster is left exactly as it was (cutoff, stored
        series, network): NaN or infinite values, a value <= 0 in a column
        modelled on the log scale, a time point given twice, time points of
        another kind or off the series' frequency, new time points that skip
        some after the series' last (a gap) or that the series' past does not
        hold (between its time points or before its start), values beyond what the
        network's float32 arithmetic can take, other columns than ``fit``'s (``X``'s
        are matched by name, in any order), and missing ``X`` for a forecaster
        fitted with ``X``.

        Parameters
        ----------
        y : time series in an sktime-compatible format
            New observations, with the columns (and index kind) of ``fit``.
        X : time series in an sktime-compatible format, optional
            Exogenous values at the new time points (and beyond them, for later
            forecasts), with the columns of ``fit``.
        update_params : bool, default=True
            Whether to train the network further on the data seen so far.

        Returns
        -------
        self : RNNForecaster
        """
        with self._unchanged_if_refused():
            return super().update(y, X=X, update_params=update_params)

    def update_predict_single(
        self, y: Any = None, fh: Any = None, X: Any = None, update_params: bool = True
    ) -> Any:
        """:meth:`update`, then :meth:`predict`; refused data leaves the forecaster unchanged.

        Parameters
        ----------
        y : time series in an sktime-compatible format
            New observations.
        fh : int, list, array or ForecastingHorizon, optional
            Horizon of the forecast.
        X : time series in an sktime-compatible format, optional
            Exogenous values.
        update_params : bool, default=True
            Whether to train the network further (see :meth:`update`).

        Returns
        -------
        y_pred : time series in the format of ``y`` of ``fit``
            Point forecasts.
        """
        with self._unchanged_if_refused():
            return super().update_predict_single(y=y, fh=fh, X=X, update_params=update_params)

    @contextmanager
    def _unchanged_if_refused(self) -> Iterator[None]:
        """Put the forecaster's attributes back as they were when the call refuses its data or fails.

        sktime converts and records new data (its type, metadata, converter
        store) before this library's checks in ``_update_y_X`` can run.
        """
        # sktime also updates some of its records (dicts) in place: those are copied
        state = {k: copy.copy(v) if isinstance(v, (dict, list)) else v for k, v in self.__dict__.items()}
        try:
            yield
        except Exception:  # any failure: sktime's records of the new data must not stay
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fitted_columns(self, y: pd.DataFrame) -> pd.DataFrame:
        """``y`` with the columns of ``fit`` (a univariate series may carry another name)."""
        columns = self._y_hist.columns
        if list(y.columns) == list(columns):
            return y
        if len(columns) == 1 and y.shape[1] == 1:
            return y.set_axis(columns, axis=1)
        if set(y.columns) == set(columns):
            return y[columns]
        raise ValueError(
            f"y passed to update has columns {list(y.columns)}, but the forecaster was fitted on columns "
            f"{list(columns)}. Pass y with the columns of fit."
        )

    def _check_update(self, y: pd.DataFrame, X: pd.DataFrame | None) -> None:
        """Refuse new data that ``_update`` or a later ``predict`` could not use."""
        y = self._fitted_columns(y)
        self._check_time_points(y)
        values = y.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(
                "y passed to update contains NaN or infinite values; RNNForecaster needs complete series. "
                "The forecaster is unchanged."
            )
        logged = np.asarray(self.log_transform_, dtype=bool)
        if logged.any() and (values[:, logged] <= 0).any():
            row, col = np.argwhere(values[:, logged] <= 0)[0]
            entry = y.index[row]
            key, point = (tuple(entry[:-1]), entry[-1]) if isinstance(y.index, pd.MultiIndex) else ((), entry)
            raise ValueError(
                f"y passed to update has the value {values[row, logged][col]:g} at "
                f"{format_time(point)}{series_label(key)} in column {y.columns[logged][col]!r}, which "
                f"this forecaster models on the log scale (target_transform={self.target_transform!r}: "
                "its training values were all positive), so it cannot take values <= 0. The forecaster "
                "is unchanged. To forecast a series that can reach zero or below, fit with "
                "target_transform='none', or fit on data that already includes such values."
            )
        for key, frame in instances(y):  # values <= 0 on the log scale were refused above
            scaled = np.abs(self._transform_y(frame.to_numpy(dtype=np.float64), key)[0]).max()
            if scaled > SCALED_LIMIT:
                raise ValueError(
                    f"y passed to update{series_label(key)} holds values {scaled:.3g} standard "
                    "deviations of the training series away from its mean, beyond what the network's "
                    "float32 arithmetic can take. The forecaster is unchanged. Refit on data that "
                    "includes such values (or rescale y)."
                )
        if not self._n_exog:
            return
        if X is not None:
            check_exog_values(exog_columns(X, self._x_columns, "update"), "update")
        refuse_unkeyed_x(y, X, "update")
        if lacking := uncovered(y, self._X_hist, X):
            key, missing = lacking
            raise ValueError(
                f"This forecaster was fitted with X, but X has no rows for the new time points "
                f"{format_times(missing)}{series_label(key)} of y passed to update. Pass X with rows "
                "for every time point of y to update. The forecaster is unchanged."
            )
        for key, frame in instances(y):  # from the series' last stored time: rows since then count too
            stored = instance_frame(self._y_hist, key)
            after = stored is not None and stored.index[-1] < frame.index[0]  # not a revision of the past
            times = frame.index.insert(0, stored.index[-1]) if after else frame.index
            refuse_x_between(instance_frame(X, key), times, key, "passed to update", "y's")

    def _check_time_points(self, y: pd.DataFrame) -> None:
        """Refuse time points of another kind, off the grid, after a gap, or new in the past."""
        if y.index.nlevels != self._y_hist.index.nlevels:  # keys would land in the time level
            names = [list(index.names) for index in (y.index, self._y_hist.index)]
            raise ValueError(
                f"y passed to update has {y.index.nlevels} index level(s) {names[0]}, but the forecaster "
                f"was fitted on {self._y_hist.index.nlevels} {names[1]}: a series' key and its time "
                "points must sit in the levels they had in fit. Pass y indexed like the data of fit. "
                "The forecaster is unchanged."
            )
        refuse_reordered_levels(y, self._y_hist, "y", "update")
        stored = self._y_hist.index.get_level_values(-1)
        new = y.index.get_level_values(-1)
        if time_kind(new) != time_kind(stored):
            raise ValueError(
                f"y passed to update has time points of kind {time_kind(new)} ({new[:1].tolist()}), but the "
                f"forecaster was fitted on {time_kind(stored)} ({stored[-1:].tolist()}). Pass y indexed "
                "like the data of fit. The forecaster is unchanged."
            )
        freq = self._fh_freq()
        for key, frame in instances(y):
            history = instance_frame(self._y_hist, key)
            if history is None:  # a series new to the panel
                refuse_gaps(frame, "update", key, freq)
                continue
            last, times = history.index[-1], frame.index
            earlier = times[times <= last]
            unknown = earlier[~earlier.isin(history.index)]
            if len(unknown):
                raise ValueError(
                    f"y passed to update has time points {format_times(unknown)}"
                    f"{series_label(key)} that the series does not hold, at or before its last, "
                    f"{format_time(last)}: update revises stored values and adds time points after the "
                    "last, since the forecaster reads the series as consecutive steps (one off its "
                    "frequency or before its start would be read as a neighbour). Fit again to change "
                    "the series' past. The forecaster is unchanged."
                )
            later = times[times > last]
            grid = steps_after(history.index, later.max(), freq) if len(later) else None
            if grid is None:
                continue
            if not later.isin(grid).all():
                raise ValueError(
                    f"y passed to update has time points {format_times(later[~later.isin(grid)])}"
                    f"{series_label(key)} that are not on the series' frequency "
                    f"{getattr(freq, 'freqstr', freq)!r} after {format_time(last)}. Resample the new data to "
                    "that frequency first. The forecaster is unchanged."
                )
            if not grid.isin(later).all():
                raise ValueError(
                    f"y passed to update skips the time points {format_times(grid[~grid.isin(later)])}"
                    f"{series_label(key)} between the series' last, {format_time(last)}, and "
                    f"{format_time(later.max())}. The forecaster reads consecutive steps, so it would read "
                    "the steps around a gap as neighbours. Pass values for those time points too. The "
                    "forecaster is unchanged."
                )

    def _horizons(self, fh: ForecastingHorizon, series) -> list[tuple[np.ndarray, pd.Index]]:
        """For each series: the steps of ``fh`` from its own last time point, and their time points.

        As in sktime's forecasters of one series applied to each series of a
        panel, a relative ``fh`` counts from each series' own end (series ending
        on different dates get forecasts on different dates), while an absolute
        ``fh`` names the same time points for every series, which are then
        different steps ahead.
        """
        placed = self._placed(fh)
        out, by_end = [], {}  # series that end together get the same steps and time points
        for key, frame in series:
            end = last_time(frame.index)
            if end[0] in by_end:
                out.append(by_end[end[0]])
                continue
            if fh.is_relative:
                steps = self._relative_steps(placed, end)
                index = self._step_times(steps, end, placed)
            else:
                index = fh.to_pandas()
                steps = self._absolute_steps(placed, index, end, key)
            out.append(by_end.setdefault(end[0], (np.asarray(steps, dtype=np.int64), index)))
        steps = np.concatenate([s for s, _ in out])
        if (steps < 1).any():
            raise NotImplementedError(
                "RNNForecaster forecasts out-of-sample steps only, but fh contains in-sample steps "
                f"{sorted(set(steps[steps < 1].tolist()))}. Pass an fh with steps >= 1 (an absolute fh "
                "must lie after the end of every series)."
            )
        return out

    def _step_times(
        self, steps: np.ndarray, end: pd.Index, placed: ForecastingHorizon | None = None
    ) -> pd.Index:
        """The time points ``steps`` after ``end`` (``placed``: those steps as a horizon with its freq)."""
        offset = self._fh_freq()
        if isinstance(end, pd.DatetimeIndex) and custom_offset(offset):
            # sktime places steps by the offset's name ("C"): a custom week's or holidays' parts lost
            return pd.DatetimeIndex([end[0] + int(k) * offset for k in steps], name=end.name)
        if placed is None:
            placed = ForecastingHorizon(steps, is_relative=True, freq=offset)
        return placed.to_absolute_index(end)

    def _absolute_steps(
        self, placed: ForecastingHorizon, times: pd.Index, end: pd.Index, key: tuple
    ) -> np.ndarray:
        """The steps after ``end`` of an absolute ``fh``'s time points (dates: :func:`grid_steps`)."""
        if not isinstance(end, pd.DatetimeIndex) or placed.freq is None or (times <= end[0]).any():
            return placed.to_relative(end).to_numpy()  # periods, integers, in-sample dates (refused)
        offset = self._fh_freq()  # the offset itself: a custom one's name drops its week and holidays
        steps = grid_steps(times, end, offset if custom_offset(offset) else placed.freq, key)
        return placed.to_relative(end).to_numpy() if steps is None else steps

    def _relative_steps(self, fh: ForecastingHorizon, end: pd.Index) -> np.ndarray:
        """A relative ``fh``'s steps; durations (a ``TimedeltaIndex``) in steps of the grid after ``end``."""
        values = fh.to_pandas()
        if not isinstance(values, pd.TimedeltaIndex):
            return values.to_numpy()
        freq = self._fh_freq()
        steps = None
        if freq is not None and isinstance(end, pd.DatetimeIndex):
            placed = grid_positions(end[0] + values, end, freq)  # None further: refused as steps are
            steps = None if placed is None or (placed[1] < 1).any() else placed[1]
        if steps is None:
            raise ValueError(
                f"fh is given as durations ({', '.join(map(str, values[:3]))}), which are not whole "
                f"steps of the series' frequency ({getattr(freq, 'freqstr', freq)!r}) after its end. Pass "
                "fh as steps ahead (e.g. fh=[1, 2]) or as the time points to forecast."
            )
        return steps.astype(np.int64)

    def _exog_rows(
        self, key: tuple, past_index: pd.Index, X: pd.DataFrame | None, required: pd.Index
    ) -> tuple[np.ndarray, pd.Index]:
        """Stored X on ``past_index`` followed by ``horizon_`` future rows, and the future time points filled.

        Future rows come from ``X`` passed to predict, else from X stored by fit or
        update beyond the series' end; every time point of ``required`` (the
        forecast's) must be among them, other steps are filled forward (returned
        for the caller's warning). Rows of ``X`` at or before the series' end are
        checked against the stored history, never written to it.
        """
        history = instance_frame(self._X_hist, key)[self._x_columns]
        last = past_index[-1]
        future = history[history.index > last]
        passed = instance_frame(X, key)
        if passed is not None:
            passed = exog_columns(passed, self._x_columns, "predict")
            self._refuse_changed_history(passed[passed.index <= last], history, key)
            new = passed[passed.index > last]
            future = pd.concat([future[~future.index.isin(new.index)], new]).sort_index()
        future_index = self._step_times(np.arange(1, self.horizon_ + 1), last_time(past_index))
        source = "passed to predict" if passed is not None else "given to fit or update beyond y's end"
        refuse_x_between(future, future_index.insert(0, last), key, source, "the forecast's")
        missing = required[~required.isin(future.index)]
        if len(missing):
            if passed is not None:
                given = "X passed to predict"
            elif X is not None:  # X was passed, without rows for this series
                given = (
                    "X passed to predict has no rows for this series"
                    + _key_type_hint(X, key)
                    + ", and X of fit"
                )
            else:
                given = "no X was passed to predict and X of fit"
            raise ValueError(
                f"This forecaster was fitted with X, so it reads X at the time points it forecasts, but "
                f"{given} has no rows for {format_times(missing)}{series_label(key)} (y ends on "
                f"{format_time(last)}). Pass X to predict with a row for every time point of fh."
            )
        rows = pd.concat([history.loc[past_index], future.reindex(future_index)]).ffill()
        check_exog_values(rows, "predict")
        return rows.to_numpy(dtype=np.float64), future_index[~future_index.isin(future.index)]

    def _refuse_changed_history(self, past: pd.DataFrame, history: pd.DataFrame, key: tuple) -> None:
        """Refuse rows of X passed to predict that differ from the stored X at the same time points.

        Values are compared at float32's precision, in which the network reads
        X: the same data in another dtype (float32, integers) is the same X.
        """
        past = past[past.index.isin(history.index)]
        if not len(past):
            return
        stored = history.loc[past.index].to_numpy(dtype=np.float64)
        f32 = np.finfo(np.float32)
        close = np.isclose(past.to_numpy(dtype=np.float64), stored, rtol=f32.eps, atol=f32.tiny)
        differ = ~close.all(axis=1)
        if differ.any():
            numbered = past.index[0] == 0 and pd.api.types.is_integer_dtype(past.index) and not key
            array = (  # sktime numbers an array's rows 0, 1, ...: they land on the series' first steps
                f" An array's rows are numbered 0, 1, ... as time points: pass X for the forecast as a "
                f"DataFrame indexed by its time points, e.g. pd.DataFrame(X_future, index=pd.RangeIndex("
                f"{history.index[-1] + 1}, {history.index[-1] + 1} + len(X_future)))."
                if numbered and pd.api.types.is_integer_dtype(history.index)
                else ""
            )
            raise ValueError(
                f"X passed to predict differs from the X seen in fit and update at "
                f"{format_times(past.index[differ])}{series_label(key)}, at or before the cutoff. predict "
                "reads X only after the cutoff and never changes the stored history: pass X for the "
                f"forecast's time points only, or pass revised past values with update(y, X).{array}"
            )

    def _assemble(self, results, columns) -> pd.DataFrame:
        """One frame of forecasts from per-series ``(key, time points, values)``."""
        frames = []
        # the instance levels keep y's dtypes (categories, int32, strings), as sktime's forecasters do
        dtypes = [level.dtype for level in self._y_hist.index.levels[:-1]] if results[0][0] else []
        for key, index, values in results:
            frame = pd.DataFrame(values, columns=columns)
            if key:
                parts = zip(key, dtypes, strict=True)
                keys = [pd.Index([part] * len(index)).astype(dtype) for part, dtype in parts]
                frame.index = pd.MultiIndex.from_arrays([*keys, index], names=self._index_names())
            else:
                frame.index = index.rename(self._y_hist.index.name)
            frames.append(frame)
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def _fh_freq(self) -> Any:
        """Frequency of the time index: the cutoff's, else inferred from the longest series.

        sktime's cutoff has none when the series of a panel end on different dates.
        """
        freq = getattr(self.cutoff, "freq", None)
        return freq if freq is not None else series_freq(self._y_hist)

    def _placed(self, fh: ForecastingHorizon) -> ForecastingHorizon:
        """``fh`` with the time index's frequency, so that its steps can be placed in time.

        Dates without a frequency (a date column made the index) get the one
        inferred from the series; dates with none to infer (irregular dates) are
        refused, since steps ahead cannot be placed on them.
        """
        if fh.freq is not None:
            return fh
        freq = self._fh_freq()
        if freq is None:
            refuse_irregular_dates(self._y_hist.index.get_level_values(-1), self._y_hist.index.nlevels - 1)
            return fh
        return ForecastingHorizon(fh.to_pandas(), is_relative=fh.is_relative, freq=freq)

    def _index_names(self):
        return list(self._y_hist.index.names)


def _key_type_hint(X: pd.DataFrame, key: tuple) -> str:
    """Where ``X``'s series keys name ``key`` in another type (text "1" for 1, as another file gives
    them): the types and the conversion; else nothing."""
    if not key or not isinstance(X.index, pd.MultiIndex):
        return ""
    keys = X.index.droplevel(-1).unique()
    as_text = [tuple(map(str, k)) if isinstance(k, tuple) else (str(k),) for k in keys]
    if tuple(map(str, key)) not in as_text:
        return ""
    first = keys[0] if isinstance(keys[0], tuple) else (keys[0],)
    level = next((j for j, (a, b) in enumerate(zip(first, key, strict=True)) if type(a) is not type(b)), None)
    if level is None:
        return ""
    theirs, ours = first[level], key[level]
    shown = [v.item() if isinstance(v, np.generic) else v for v in (theirs, ours)]  # 1, not np.int64(1)
    return (
        f" (its series keys are {type(theirs).__name__}, e.g. {shown[0]!r}, where y's are "
        f"{type(ours).__name__}, {shown[1]!r}: convert them, e.g. X.index = X.index.set_levels("
        f"X.index.levels[{level}].astype({type(ours).__name__!r}), level={level}))"
    )


def _stored_values(name: str, frame: pd.DataFrame) -> np.ndarray:
    """A loaded frame's values as float64, refused where not numbers or infinite (sktime's refit at
    load refuses NaN, not infinity, which ``fit`` refuses)."""
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise Refused(f"its {name} holds values that are not numbers.") from None
    if np.isinf(values).any():
        raise Refused(f"its {name} holds infinite values, which fit refuses.")
    return values


def _refuse_uncountable_times(index: pd.Index, X: Any = None) -> None:
    """Refuse time points sktime's horizons cannot count steps from: durations, unsigned integers."""
    times = index.get_level_values(-1)
    panel = isinstance(index, pd.MultiIndex)
    with_x = isinstance(X, (pd.Series, pd.DataFrame))
    if isinstance(times, pd.TimedeltaIndex):
        fix = "y.index = pd.Timestamp(0) + y.index"
        if panel:
            fix = "y.index = y.index.set_levels(pd.Timestamp(0) + y.index.levels[-1], level=-1)"
        also = f" (and X's: {fix.replace('y.', 'X.')})" if with_x else ""
        raise ValueError(
            f"y's time points are durations (a TimedeltaIndex, e.g. {format_time(times[0])}), from which "
            "sktime's forecasting horizons cannot count steps (its NaiveForecaster fails on them too). "
            f"Give them as dates from an origin, e.g. {fix}{also}; subtract the origin from the "
            "forecast's time points to have durations again."
        )
    if times.dtype.kind == "u":  # sktime counts them in floats, then refuses its own horizon as fh
        fix = "y.index = y.index.astype('int64')"
        if panel:
            fix = "y.index = y.index.set_levels(y.index.levels[-1].astype('int64'), level=-1)"
        also = f" (and X's: {fix.replace('y.', 'X.')})" if with_x else ""
        raise ValueError(
            f"y's time points are unsigned integers ({times.dtype}), from which sktime's forecasting "
            "horizons cannot count steps (they come out as floats, and its NaiveForecaster fails on "
            f"them too). Give them as signed integers, e.g. {fix}{also}."
        )


def _refuse_missing_values(name: str, data: Any, method: str, history: pd.DataFrame | None = None) -> None:
    """Refuse a pandas ``y`` or ``X`` with NaN, naming where and how to fill them.

    ``history`` is the ``y`` an update continues: NaN before a series' first
    new value but after its stored last time point lie inside the series.
    """
    if not isinstance(data, (pd.Series, pd.DataFrame)):
        return
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    rows = frame.isna().to_numpy().any(axis=1)
    if not rows.any():
        return
    where = frame.index[rows]
    panel = isinstance(frame.index, pd.MultiIndex)
    found = f"{name} passed to {method} has missing values (NaN) at {int(rows.sum())} time point(s), e.g. "
    if name == "y":
        _refuse_missing_after_the_stored_end(frame, rows, history)
        if _only_at_the_ends(frame.index, rows):
            raise ValueError(
                f"{found}{format_times(where, limit=3)}, each before a series' first value or after its "
                "last, as where a panel was put on the dates of all its series (sktime's Detrender does "
                "this to a panel whose series end on different dates, and in a TransformedTargetForecaster "
                "passes them on). Filling them would invent values and move the series' ends; drop them, "
                "y = y.dropna(), and in a pipeline leave out the transformer that adds them (RNNForecaster "
                "forecasts trends itself: its baseline is smoothing with a damped trend)."
            )
        reads, both = "complete series", ""
        pipeline = (
            ", or fill y inside the forecaster: TransformedTargetForecaster([('fill', Imputer(method="
            "'linear')), ('forecast', RNNForecaster())]) (sktime.transformations.series.impute)"
        )
    else:  # X is read at every time point of y and of the forecast, its first and last ones too
        reads = (
            "X at every time point of y and of the forecast (where a transformer before it made them, "
            "as sktime's Lag leaves its first rows empty, fill them after that transformer: "
            "ForecastingPipeline([('lag', Lag(...)), ('fill', Imputer(method='bfill')), ('forecast', "
            "RNNForecaster())]), sktime.transformations.series.impute)"
        )
        both, pipeline = "limit_direction='both'", ""
    fill = f"{name}.interpolate({both})"
    if panel:
        fill = f"{name}.groupby(level=0).transform(lambda s: s.interpolate({both}))"
    raise ValueError(
        f"{found}{format_times(where, limit=3)}; RNNForecaster reads {reads}. Fill them first, e.g. "
        f"{name} = {fill}{pipeline}."
    )


def _refuse_missing_after_the_stored_end(
    frame: pd.DataFrame, missing: np.ndarray, history: pd.DataFrame | None
) -> None:
    """Refuse NaN that ``update``'s ``y`` holds between a series' stored last time point and its first
    new value: inside the series, so dropping them (as for NaN before a new series' start) leaves a gap."""
    if history is None:
        return
    for key, rows in instances(pd.DataFrame({"missing": missing}, index=frame.index)):
        stored = instance_frame(history, key)
        leading = rows["missing"].cummin().to_numpy()  # before the series' first complete row
        if stored is None or not leading.any() or leading.all():  # a series with no new value: dropped
            continue
        last = stored.index[-1]
        inside = rows.index[leading][rows.index[leading] > last]
        if len(inside):
            raise ValueError(
                f"y passed to update has missing values (NaN) at {format_times(inside, limit=3)}"
                f"{series_label(key)}, after the series' last stored time point, {format_time(last)}, and "
                "before its first new value. They lie inside the series, which the forecaster reads as "
                "consecutive steps: dropping them would leave a gap. Pass values for them, e.g. a line "
                f"from the stored value at {format_time(last)}, {stored.iloc[-1].tolist()}, to the first "
                "new one. The forecaster is unchanged."
            )


def _only_at_the_ends(index: pd.Index, missing: np.ndarray) -> bool:
    """Whether each row with a NaN (``missing``) lies before its series' first complete row or after
    its last one."""
    keys = list(range(index.nlevels - 1)) if isinstance(index, pd.MultiIndex) else None

    def seen(complete: pd.Series) -> np.ndarray:  # complete rows so far within each series
        return (complete.groupby(level=keys).cumsum() if keys else complete.cumsum()).to_numpy()

    complete = pd.Series(~missing, index=index, dtype=np.int64)
    before, after = seen(complete), seen(complete.iloc[::-1])[::-1]
    return bool(((before == 0) | (after == 0))[missing].all())


def _check_interval_state(attributes: dict[str, Any], n_columns: int, longest: int) -> None:
    """Refuse stored weights, offsets, floors or whole-series smoothing that are not float arrays of
    their shapes and ranges (``longest``: the stored history's longest series)."""
    levels = attributes.get("quantile_levels_")
    horizon = attributes.get("horizon_")
    if not (isinstance(levels, np.ndarray) and isinstance(horizon, int) and levels.ndim == 1):
        raise Refused("its quantile_levels_ or horizon_ is malformed.")
    n_pairs = len(quantile_pairs(levels)[0])
    expected = {  # name: (shape, least value, whether None is allowed)
        "correction_weight_": ((n_columns,), 0.0, False),
        "conformal_offsets_": ((horizon, n_columns, n_pairs), -np.inf, True),
        "interval_floors_": ((horizon, n_columns, len(levels)), 0.0, True),
    }
    for name, (shape, least, optional) in expected.items():
        value = attributes.get(name)
        if value is None and optional:
            continue
        if not (
            isinstance(value, np.ndarray)
            and value.dtype.kind == "f"
            and value.shape == shape
            and np.isfinite(value).all()
            and (value >= least).all()
            and (name != "correction_weight_" or (value <= 1).all())
        ):
            bounds = "from 0 to 1" if name == "correction_weight_" else "finite" + " and >= 0" * (least == 0)
            raise Refused(f"its {name} is not a float array of shape {shape}, {bounds}.")
    params, length = attributes.get("series_smoothing_"), attributes.get("series_smoothing_length_")
    if params is None and length is None:
        return
    # the period the smoothing reads (sp_ where the window holds a season of it), as the network's
    sp, window = attributes.get("sp_"), attributes.get("window_length_")
    sp = sp if isinstance(sp, int) and isinstance(window, int) and 1 < sp <= window else 1
    reach = min(series_reach(sp), longest)  # fit reads at most this many; the history only grows
    if not (
        isinstance(params, np.ndarray)
        and params.dtype.kind == "f"
        and params.shape == (4, n_columns)
        and ((params >= 0) & (params <= 1)).all()
        and isinstance(length, int)
        and not isinstance(length, bool)
        and SERIES_SHORTEST <= length <= reach
    ):
        raise Refused(
            f"its series_smoothing_ is not a float array of shape (4, {n_columns}) from 0 to 1 with "
            f"series_smoothing_length_ an integer from {SERIES_SHORTEST} to {reach} (a fit sets both or "
            "neither)."
        )
    weights = attributes["correction_weight_"]
    if attributes.get("_n_exog", 0) or weights.any():
        raise Refused(
            "it holds series_smoothing_ for a forecaster that reads X or weighs its network above 0, "
            "which fit never averages with a smoothing fitted to whole series."
        )


def _has_columns(X: Any) -> bool:
    """Whether ``X`` holds a column (a frame of none is no ``X``), for any of sktime's layouts (a list of
    frames of several lengths included)."""
    if isinstance(X, pd.DataFrame):
        return X.shape[1] > 0
    if isinstance(X, (list, tuple)):
        return any(_has_columns(x) for x in X)
    if isinstance(X, np.ndarray):
        return X.ndim == 1 or X.shape[-1] > 0
    return True


def _items(value: Any) -> tuple:
    """``value``'s items where it is a tuple (a series' name of several levels), else ``(value,)``."""
    return value if isinstance(value, tuple) else (value,)
