"""Preparing sequences: windows of long series without copies."""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

from ._data import (
    _na_as_nan,
    _refuse_text,
    _refuse_text_values,
    _time_order_problem,
    float32_rounding,
    holds_text,
    outer_time_level,
    refuse_missing_times,
    refuse_time_level_not_last,
    unmasked,
)
from ._series import refuse_skipped_steps

__all__ = ["sliding_windows"]


def _float32_holds(dtype: Any) -> bool:
    """Whether float32 holds every value of ``dtype`` exactly: floats of 4 bytes or fewer, integers
    and booleans of 2 (int32 at 1e8 is rounded in steps of 8)."""
    dtype = getattr(dtype, "numpy_dtype", dtype)  # pandas' nullable types
    if not isinstance(dtype, np.dtype):
        return False
    return (dtype.kind == "f" and dtype.itemsize <= 4) or (dtype.kind in "iub" and dtype.itemsize <= 2)


def _rows(series: Any, rows: slice) -> np.ndarray:
    """Rows of ``series`` (an array, or a pandas object of any column types) as float64 ``(n, F)``."""
    if isinstance(series, (pd.Series, pd.DataFrame)):  # columns of several types, nullable ones too
        read = series.iloc[rows].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        read = np.asarray(series[rows], dtype=np.float64)
    return read.reshape(len(read), -1)


def _typical_changes(chunks: list[np.ndarray]) -> np.ndarray:
    """Per feature, the median nonzero change between consecutive observed values of ``chunks``
    (runs of consecutive rows); NaN where a feature never changes."""
    typical = []
    for feature in range(chunks[0].shape[1]):
        steps = [np.diff(c[np.isfinite(c[:, feature]), feature]) for c in chunks]
        moved = np.abs(np.concatenate(steps))
        moved = moved[moved > 0]
        typical.append(np.median(moved) if len(moved) else np.nan)
    return np.asarray(typical)


def _warn_rounded(series: Any, values: np.ndarray) -> None:
    """Warn where the cast to float32 rounds a feature by more than 1% of its spread or 10% of how much it
    typically changes a step (a large level).

    A meter at 1e8 moving by 1: float32's spacing there is 8, and the windows
    would hold none of its changes; the spread alone missed a meter rising by 3
    a step for long enough to spread over thousands. Features whose values
    float32 holds exactly (counts below 2**24) lose nothing. Level and spread are
    read from at most about 10,000 evenly spaced steps, the changes from ten
    runs of 100 consecutive steps spread over the series, so the check costs no
    copy of a long series.
    """
    dtypes = series.dtypes if isinstance(series, pd.DataFrame) else [series.dtype]  # arrays by now
    if not len(values) or all(_float32_holds(dtype) for dtype in dtypes):
        return
    original = _rows(series, slice(None, None, max(1, len(series) // 10_000)))
    starts = np.unique(np.linspace(0, max(0, len(series) - 100), 10).astype(np.int64))
    chunks = [_rows(series, slice(a, a + 100)) for a in starts]
    both = np.concatenate([original, *chunks])
    # features float32 holds exactly (counts below 2**24, float32 data read as float64) lose nothing
    exact = np.all((both.astype(np.float32) == both) | np.isnan(both), axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN features
        level, spread = np.nanmedian(original, axis=0), np.nanstd(original, axis=0)
    change = _typical_changes(chunks)
    # over 1% of the spread or of ten typical changes (fmin: the spread where a feature never changes)
    rounding, rounded = float32_rounding(np.nan_to_num(level), np.fmin(spread, 10 * change))
    rounded = rounded[~exact[rounded] & (spread[rounded] > 0)]  # a constant feature loses nothing
    if len(rounded):
        warnings.warn(
            f"Features {rounded.tolist()} of series lie at levels {level[rounded].tolist()} where "
            f"float32, the windows' type, rounds values in steps of {rounding[rounded].tolist()}, over "
            f"1% of their spread {spread[rounded].tolist()} or 10% of how much they typically change a "
            f"step {change[rounded].tolist()}: the windows would lose their changes. Subtract a level "
            "first (e.g. series - series[0], and the same level from what you predict on later).",
            UserWarning,
            stacklevel=3,
        )


def _outer_times_advice(index: pd.MultiIndex) -> str:
    """Where times sit in an outer level and numbers in the last, the fix of rows indexed (time, id)."""
    if (found := outer_time_level(index)) is None:
        return ""
    outer, order = found
    return (
        f" If the rows are indexed (time, id) instead (level {outer} holds times, the last ids), put the "
        f"time level last first: series = series.reorder_levels({order}).sort_index(); grouping by the "
        "times would window the ids of one time."
    )


def sliding_windows(series: Any, window_length: int, *, step: int = 1) -> np.ndarray:
    """Overlapping windows of a long series, as a read-only view (no copy per window).

    Window ``i`` holds steps ``i * step`` to ``i * step + window_length - 1``.
    The windows share the series' memory, so their size in memory is that of the
    series (stored once as float32), not ``window_length`` times it. The
    estimators read such a view batch by batch: fitting :class:`RNNClassifier`
    or :class:`RNNRegressor` on it keeps memory proportional to the length of
    the series.

    Parameters
    ----------
    series : array-like of shape (n_timesteps,) or (n_timesteps, n_features)
        One long series; a 1D series is univariate. Converted to float32 once
        (no copy when it already is a C-contiguous float32 array). Steps are
        read in row order: a pandas index of dates, durations or periods must
        be in increasing order, each time once, and hold one id; so must an
        (id, time) index whose ids are text, whatever the time, and one of
        numbers whose time starts again (sktime's (instance, time point)
        panels; a time of several parts, such as (year, month), must be made
        one level first). An index whose times sit in an outer level, such as
        (date, ticker) from ``wide.stack()``, is refused with the reordering
        that puts them last. A masked array's masked values are read as NaN.
        Time points on a grid (a frequency set or inferred, a calendar's
        month ends, or one spacing nearly every step has) must not skip
        points of it: a window would hold the rows either side of a
        hole as neighbours. Insert them as NaN rows (``series.reindex(grid)``),
        which the estimators read as gaps; a grid with many points missing
        where others are read warns, and irregular sampling passes. Text
        (numeric text in objects included) is refused.
    window_length : int
        Time steps per window.
    step : int, default=1
        Time steps between the starts of consecutive windows.

    Returns
    -------
    windows : ndarray of shape (n_windows, window_length, n_features)
        A read-only strided view on the float32 series, with
        ``n_windows = (n_timesteps - window_length) // step + 1``. Copy it
        (``windows.copy()``) only if you need to write into it.

    Warns
    -----
    UserWarning
        Where float32 rounds a feature by more than 1% of its spread or 10% of
        how much it typically changes a step: a large level with small changes
        (subtract a level first). Where the time index
        looks like a grid with many of its points missing at times the series
        is read elsewhere (lost readings, unless there are none by design).

    See Also
    --------
    sklearn_rnn.from_long_table : Split a long table into one sequence per id.
    numpy.lib.stride_tricks.sliding_window_view : The underlying view.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.preprocessing import sliding_windows
    >>> series = np.arange(6.0)
    >>> windows = sliding_windows(series, 3, step=2)
    >>> windows.shape
    (2, 3, 1)
    >>> windows[:, :, 0]
    array([[0., 1., 2.],
           [2., 3., 4.]], dtype=float32)

    Supervised windows for one-step-ahead regression, the target being the
    value right after each window:

    >>> X = sliding_windows(series[:-1], 3)
    >>> y = series[3:]
    >>> X.shape, y.shape
    ((3, 3, 1), (3,))
    """
    for name, value in (("window_length", window_length), ("step", step)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}.")
    series = unmasked(series)  # a netCDF reader's masked stream: NaN where masked, not its fill value
    if not isinstance(series, (pd.DataFrame, pd.Series, np.ndarray)):
        series = np.asarray(series)  # lists: their dtype tells numbers from text
    dtypes = series.dtypes if isinstance(series, pd.DataFrame) else [series.dtype]
    for dtype in dtypes:
        _refuse_text(dtype, "series")  # dates would become nanosecond counts
    _refuse_text_values(series, "series")  # numeric text in objects would be parsed
    if isinstance(series, (pd.DataFrame, pd.Series)):
        index = series.index
        timed = (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)
        if isinstance(index, pd.MultiIndex):  # (id, time): the time is the last level
            refuse_time_level_not_last(index, "series")  # (time, ticker): windows across the tickers
            ids = index.droplevel(-1).unique()
            # levels before the time that hold text name ids (numbers may be parts of a time: year, month)
            named = any(holds_text(index.get_level_values(i)) for i in range(index.nlevels - 1))
            times = index.get_level_values(-1)
            # integers alone: sktime's (instance, time point) panel, its time starting again at each
            # instance, or one time of several parts (year, month); either way a restart is refused
            restarts = times.dtype.kind in "iuf" and bool((np.diff(times.to_numpy()) < 0).any())
            outer = _outer_times_advice(index)
            keys = 0 if index.nlevels == 2 else list(range(index.nlevels - 1))  # every level before the time
            if (isinstance(index.levels[-1], timed) or named or restarts) and len(ids) > 1:
                raise ValueError(
                    f"series has {len(ids)} sequences in its index (the levels "
                    f"{list(index.names[:-1])} before the time); windows of one would run into the next. "
                    "Window each one and concatenate the windows, e.g. np.concatenate([sliding_windows(g, "
                    f"window_length) for _, g in series.groupby(level={keys})])."
                    + (
                        " If the levels are parts of one time (year, month), make them one time level "
                        "(e.g. a PeriodIndex) to window the rows in order."
                        if restarts and not named and not isinstance(index.levels[-1], timed)
                        else ""
                    )
                    + outer
                )
            index = times
        if isinstance(index, timed):
            refuse_missing_times(index, "series")
            if problem := _time_order_problem(index):
                raise ValueError(
                    f"series {problem} in its index: windows are cut in row order, one step a row. Sort "
                    "it by time and aggregate the rows of a repeated time first, e.g. series.sort_index() "
                    "and series.groupby(level=0).mean()."
                )
            # one id of an (id, time) index: the fix's grid is the time level's
            levels = series.index.nlevels - 1
            dropped = 0 if levels == 1 else list(range(levels))
            name = f"series.droplevel({dropped})" if levels else "series"
            refuse_skipped_steps(index, name=name, reader="sliding_windows", panel=False)
    series = _na_as_nan(series)  # pd.NA among numbers held as objects: a gap, as in a nullable column
    values = check_array(
        series,
        ensure_2d=False,
        allow_nd=True,  # for our message on 3D input, which names the fix
        dtype=np.float32,
        ensure_all_finite="allow-nan",
        input_name="series",
    )
    _warn_rounded(series, values)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2:
        raise ValueError(
            f"series must be 1D (n_timesteps,) or 2D (n_timesteps, n_features), got {values.ndim} "
            "dimensions. For many sequences, window each one and concatenate the windows."
        )
    values = np.ascontiguousarray(values)
    if len(values) < window_length:
        raise ValueError(
            f"series has {len(values)} time steps, fewer than window_length={window_length}; "
            "use a shorter window or a longer series."
        )
    windows = np.lib.stride_tricks.sliding_window_view(values, window_length, axis=0)[::step]
    # sliding_window_view puts the window axis last: (n_windows, n_features, window_length)
    return windows.transpose(0, 2, 1)
