"""Series of a panel in pandas: splitting by instance, time points, frequencies, checks and messages."""

from __future__ import annotations

import warnings
from typing import Any

import dateutil.tz
import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from ._data import refuse_missing_times, stacked_series_advice
from ._runtime import user_stacklevel
from ._training import MAX_SIZE


def instances(df: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """Split a (possibly multi-indexed) frame into ``(instance key, single-series frame)``."""
    if not isinstance(df.index, pd.MultiIndex):
        return [((), df)]
    levels = list(range(df.index.nlevels - 1))
    out = []
    for key, sub in df.groupby(level=levels, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        out.append((key, sub.droplevel(levels)))
    return out


def instance_frame(df: pd.DataFrame | None, key: tuple) -> pd.DataFrame | None:
    if df is None:
        return None
    if not key:
        return df
    try:
        sub = df.loc[key if len(key) > 1 else key[0]]
    except KeyError:
        return None
    return sub if isinstance(sub, pd.DataFrame) else None


def uncovered(y: pd.DataFrame, *parts: pd.DataFrame | None) -> tuple[tuple, pd.Index] | None:
    """The first series of ``y`` with time points no part of ``X`` has a row for: (key, those points)."""
    for key, frame in instances(y):
        known = [f.index for f in (instance_frame(part, key) for part in parts) if f is not None]
        missing = frame.index[~frame.index.isin(known[0].append(known[1:]))] if known else frame.index
        if len(missing):
            return key, missing
    return None


def refuse_reordered_levels(data: pd.DataFrame, reference: pd.DataFrame, name: str, method: str) -> None:
    """Refuse ``data`` whose index levels are ``reference``'s, by name, in another order: a series is
    its key in level order, so ('A', 'S1') of (sku, store) would be read as a series new to the panel."""
    names, wanted = list(data.index.names), list(reference.index.names)
    # the same names exactly (0 and '0' differ: a level named 0 read back from a file as '0' is not moved)
    if (
        names == wanted
        or None in names
        or None in wanted
        or sorted(names, key=repr) != sorted(wanted, key=repr)
    ):
        return
    whose = "y" if name == "X" else "the data of fit"
    raise ValueError(
        f"{name} passed to {method} has the index levels {names}, those of {whose} in another order, "
        f"{wanted}: a series is its key in level order, and ({', '.join(map(str, names[:-1]))}) keys "
        f"would be read as other series. Reorder them first: {name} = "
        f"{name}.reorder_levels({wanted}).sort_index()."
    )


def refuse_unkeyed_x(y: pd.DataFrame, X: pd.DataFrame | None, method: str) -> None:
    """Refuse ``X`` of one series (no level naming series) beside a panel ``y``: each series of ``y``
    reads its own rows of ``X``, so one series read as a panel had no rows for any of them; and ``X``
    whose levels are ``y``'s in another order."""
    if X is not None:
        refuse_reordered_levels(X, y, "X", method)
    if X is None or not isinstance(y.index, pd.MultiIndex) or isinstance(X.index, pd.MultiIndex):
        return
    n = len(y.index.droplevel(-1).unique())
    raise ValueError(
        f"X passed to {method} is one series (its index has no level naming series), but y is a panel "
        f"of {n} series, each of which reads its own rows of X. Pass X as a panel with the levels of y's "
        "series before its time level; for one X shared by every series, e.g. X = pd.concat({key: "
        "pd.DataFrame(X) for key in y.index.droplevel(-1).unique()}, names=[*y.index.names[:-1], "
        "X.index.name])."
    )


def refuse_uncovered_x(y: pd.DataFrame, X: pd.DataFrame, method: str) -> None:
    """Refuse ``X`` of another kind of time points than ``y``'s, without a row for some of them, or
    with rows between them."""
    refuse_other_time_kind(X, y, method)
    refuse_unkeyed_x(y, X, method)
    if lacking := uncovered(y, X):
        key, missing = lacking
        raise ValueError(
            f"X passed to {method} has no rows for the time points {format_times(missing)}"
            f"{series_label(key)} of y. Pass X with a row for every time point of y "
            "(and, to predict, for the time points forecast)."
        )
    for key, frame in instances(y):
        refuse_x_between(instance_frame(X, key), frame.index, key, f"passed to {method}", "y's")


def refuse_x_between(X: pd.DataFrame | None, times: pd.Index, key: tuple, source: str, whose: str) -> None:
    """Refuse rows of ``X`` between the first and last of ``times`` (a series' time points, or those
    forecast) that are none of them: X on a finer grid (daily promotions beside weekly sales), whose
    other rows the forecaster, which reads X at its series' time points, would drop without a word.
    ``source`` says where ``X`` came from ("passed to fit"), ``whose`` whose time points these are."""
    if X is None or not len(times):
        return
    inside = X.index[(X.index > times[0]) & (X.index < times[-1])]
    between = inside[~inside.isin(times)]
    if not len(between):
        return
    freq = None  # dates only: integer and period time points have none between them
    if isinstance(times, pd.DatetimeIndex):
        freq = times.freqstr or (pd.infer_freq(times) if len(times) > 2 else None)
    aggregate = "aggregate X to those time points first"
    if freq is not None:
        grouped = (
            "X.groupby(["
            + "".join(f"pd.Grouper(level={i}), " for i in range(len(key)))
            + f"pd.Grouper(level=-1, freq={freq!r})])"
            if key
            else f"X.resample({freq!r})"
        )
        aggregate += f", e.g. X = {grouped}.sum() (or .mean(), .max(): as the column adds up)"
    raise ValueError(
        f"X {source} has {len(between)} rows at time points between {whose}, e.g. "
        f"{format_times(between, 3)}{series_label(key)}, and the forecaster reads X at those time "
        f"points only: the rows between would be dropped without a word (daily promotions beside "
        f"weekly sales: all but the Sundays'). Pass X on them: {aggregate}."
    )


def format_time(point: Any) -> str:
    """A time point as users write it: dates without a midnight time, other values as they print."""
    if isinstance(point, pd.Timestamp) and point == point.normalize():
        return str(point.date())
    return str(point)


def format_times(index: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(format_time(t) for t in index[:limit])
    return shown + (f" (and {len(index) - limit} more)" if len(index) > limit else "")


def series_label(key: tuple) -> str:
    """`` of series 'a'`` for a series of a panel, nothing for a single series."""
    if not key:
        return ""
    return f" of series {(key[0] if len(key) == 1 else key)!r}"


def refuse_duplicates(df: pd.DataFrame | None, name: str, method: str) -> None:
    """Refuse a frame with more than one row for a time point of a series."""
    if df is None:
        return
    duplicated = df.index.duplicated()
    if not duplicated.any():
        return
    entry = df.index[duplicated][0]
    key, point = (tuple(entry[:-1]), entry[-1]) if isinstance(df.index, pd.MultiIndex) else ((), entry)
    raise ValueError(
        f"{name} passed to {method} has more than one row for time point {format_time(point)}"
        f"{series_label(key)} ({int(duplicated.sum())} duplicated rows in all). RNNForecaster needs one "
        f"row per time point of each series: aggregate the rows of each time point (e.g. "
        f"{name}.groupby(level=...).mean()) or drop the duplicates "
        f"({name}[~{name}.index.duplicated()]) first"
        + (
            "."
            if key or df.shape[1] < 2  # a panel's, or no column that could tell series apart
            else f"; {stacked_series_advice(name, 'a store id')}."
        )
    )


def refuse_unsorted(data: Any, name: str, method: str) -> None:
    """Refuse a series or frame whose time points are missing or not in increasing order (within
    each series).

    sktime refuses such data with a ``TypeError`` that lists every input format it knows.
    """
    if not isinstance(data, pd.Series | pd.DataFrame):
        return
    refuse_missing_times(data.index, name)
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    refuse_duplicates(frame, name, method)  # first: sorting would not remove a repeat (stacked series)
    for key, series in instances(frame):
        times = series.index
        if len(times) < 2 or times.is_monotonic_increasing:
            continue
        try:
            later = int(np.flatnonzero(times[1:] < times[:-1])[0])  # times[later + 1] comes too late
        except TypeError:  # time points that do not compare: sktime's own message stands
            return
        raise ValueError(
            f"{name} passed to {method} is not in time order{series_label(key)}: "
            f"{format_time(times[later + 1])} comes after {format_time(times[later])}. RNNForecaster "
            f"reads the rows as consecutive steps; sort them first: {name} = {name}.sort_index()."
        )


# how far from the training mean (in training standard deviations) a value may lie: beyond
# this the network's float32 arithmetic overflows
SCALED_LIMIT = 1e30


def time_kind(index: pd.Index) -> str:
    """The kind of a time index, for comparing old and new time points."""
    if isinstance(index, pd.PeriodIndex):
        return f"period[{index.freqstr}]"
    if isinstance(index, pd.DatetimeIndex):  # UTC as dateutil gives it ("...Z") is UTC, as load rebuilds it
        zone = "UTC" if isinstance(index.tz, dateutil.tz.tzutc) else index.tz
        return "datetime" if zone is None else f"datetime[{zone}]"
    return "integer" if index.dtype.kind in "iu" else str(index.dtype)


def check_exog_values(X: pd.DataFrame, method: str) -> None:
    """Refuse exogenous values the network cannot read: NaN, infinite or beyond float32's range."""
    values = X.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(
            f"X passed to {method} contains NaN or infinite values; RNNForecaster needs finite X."
        )
    if values.size and np.abs(values).max() > np.finfo(np.float32).max:
        raise ValueError(
            f"X passed to {method} holds values up to {np.abs(values).max():.3g}, beyond float32's range "
            "(3.4e38), in which the network reads X. Rescale X first (e.g. divide it by a constant)."
        )


def series_freq(y: pd.DataFrame) -> Any:
    """Frequency of the time index of ``y`` (None when it has none and none can be inferred).

    The index's own, else inferred from the longest series, else from the time
    points of all series together (a panel of short series). Where the series
    infer several, the one on whose grid every series' dates are consecutive
    steps (a store's Monday-to-Friday week, inferred as days, beside business
    days: business days), whichever series is the longest.
    """
    series = [(key, frame.index) for key, frame in instances(y)]
    indexes = [index for _, index in series]
    longest = max(indexes, key=len)
    freq = getattr(longest, "freq", None)
    if freq is not None or not isinstance(longest, pd.DatetimeIndex):
        return freq
    for index in (longest, longest.append(indexes).unique().sort_values()):
        if len(index) >= 3:
            try:
                freq = pd.infer_freq(index)
            except (TypeError, ValueError):
                freq = None
            if freq is not None:
                break
    if freq is not None and len(series) > 1 and not _all_consecutive_on(y, to_offset(freq)):
        # a week of business days inferred as days, ...: the frequency that holds every series
        covering = _covering_frequency(_inferred_frequencies(series))
        return covering if covering is not None else freq
    return freq


def _all_consecutive_on(y: pd.DataFrame, offset: Any) -> bool:
    """Whether every series' dates of the panel ``y`` are consecutive steps of ``offset``'s grid (one
    pass over the rows: :func:`_consecutive_on` of each series, without splitting ``y``)."""
    times = y.index.get_level_values(-1)
    codes = pd.factorize(y.index.droplevel(-1))[0]
    order = np.lexsort((times.asi8, codes))
    codes = codes[order]
    return _steps_of(times[order], np.r_[True, codes[1:] != codes[:-1]], offset)


def _steps_of(times: pd.DatetimeIndex, first: np.ndarray, offset: Any) -> bool:
    """Whether each of ``times`` but those ``first`` marks (each series' first, its rows in order) lies
    one step of ``offset`` after the one before it, and each first lies on ``offset``'s grid."""
    try:
        if _off_steps(times, offset)[~first[1:]].any():
            return False
        return all(offset.is_on_offset(start) for start in times[first])
    except (TypeError, ValueError):
        return False


def _off_steps(times: pd.Index, offset: Any) -> np.ndarray:
    """Whether each of ``times[1:]`` is other than one step of ``offset`` after the one before it
    (periods: ``offset`` 1, one of their own)."""
    with warnings.catch_warnings():  # business days and hours, custom or not, are added row by row
        warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
        return np.asarray(times[:-1] + offset != times[1:])


def refuse_missing_keys(
    df: pd.DataFrame | None, name: str, method: str, left_out: str = "left out of the forecasts"
) -> None:
    """Refuse a panel whose series keys are missing (NaN) on some rows.

    pandas' ``groupby`` leaves such rows out, so their series would be
    ``left_out`` (of the forecasts; of training and scoring) without a word.
    """
    if df is None or not isinstance(df.index, pd.MultiIndex):
        return
    for level in range(df.index.nlevels - 1):
        missing = df.index.get_level_values(level).isna()
        if missing.any():
            label = df.index.names[level] if df.index.names[level] is not None else level
            raise ValueError(
                f"{name} passed to {method} has {int(missing.sum())} rows whose series key is missing "
                f"(NaN in index level {label!r}), and a series without a key would be {left_out}. "
                f"Give those rows a key first, e.g. {name} = {name}.reset_index().fillna("
                f"{{{label!r}: 'unknown'}}).set_index({name}.index.names), or drop them."
            )


def spacing_name(spacing: pd.Timedelta) -> str:
    """A frequency string for a fixed spacing, whole days as days ('D', '7D'; pandas says '24h').

    A grid of 24 hours drifts off local midnight across a clock change; one of days does not.
    """
    days = spacing / pd.Timedelta(days=1)
    if days == int(days):
        return "D" if days == 1 else f"{int(days)}D"
    return to_offset(spacing).freqstr


def _nearest_grid(spacing: float) -> str:
    """The common grid (seconds to weeks) nearest a spacing of ``spacing`` nanoseconds; days without one."""
    grids = pd.to_timedelta(["1s", "1min", "5min", "15min", "30min", "1h", "1D", "7D"]).as_unit("ns")
    return spacing_name(
        grids[np.argmin(np.abs(np.log(grids.asi8 / spacing)))] if spacing > 0 else pd.Timedelta("1D")
    )


def refuse_irregular_dates(times: pd.Index, key_levels: int = 1) -> None:
    """Refuse dates without a frequency to infer, on which forecast steps cannot be placed in time.

    ``key_levels``: how many index levels before the time level name a series (a panel's fixes group
    by them).
    """
    if not isinstance(times, pd.DatetimeIndex):
        return
    times = times.unique().sort_values()
    spacings = np.diff(times.as_unit("ns").asi8)  # nanoseconds
    days = spacings / pd.Timedelta(days=1).value
    calendar = calendar_rule(times, np.median(days) if len(days) else 0.0)
    usual = np.median(spacings) if len(spacings) else 0.0
    on_grid = usual > 0 and bool((spacings % usual == 0).all())  # a fixed grid, some steps missing
    if calendar is None and not on_grid and (period := _one_date_a_period(times)) is not None:
        # a day of each month, each week's or month's last trading day: periods, not a grid of days
        advice = f"Put y on periods first: y.index = y.index.to_period({period!r}) (a panel: its time level)"
        step = None
    else:
        # months, quarters or years at their starts or ends with some missing, else the usual spacing
        # as the nearest of the common grids (readings at drifting hours: days)
        # a fixed grid with steps missing: its own spacing (3-hourly weather), else the nearest common one
        step = calendar or (spacing_name(pd.Timedelta(int(usual), "ns")) if on_grid else _nearest_grid(usual))
        keys = 0 if key_levels <= 1 else list(range(key_levels))
        grid = (
            f"a regular grid first, e.g. y.resample({step!r}).mean().interpolate() (a panel: "
            f"y.groupby(level={keys}).resample({step!r}, level=-1).mean().interpolate())"
        )
        advice = f"Put y on {grid}"
        duration = _duration(step)
        grid_points = (times[-1] - times[0]) / duration + 1 if duration is not None else len(times)
        # one series' readings at a few times of day (a panel's times are all its series' together)
        merged = (
            not key_levels
            and duration is not None
            and len(spacings) > 0
            and spacings.min() < duration.value / 2
        )
        if (weekmask := _open_weekdays(times)) is not None:  # days closed: weekends, holidays
            advice = (
                "Where the days missing are days closed (weekends, an exchange's holidays), give y its "
                "calendar: times = y.index.get_level_values(-1); calendar = pd.offsets.CustomBusinessDay("
                f"weekmask={weekmask!r}, holidays=pd.bdate_range(times.min(), times.max(), freq='C', "
                f"weekmask={weekmask!r}, normalize=False).difference(times).tz_localize(None).normalize()); "
                "y.index.freq = calendar (a panel: index = y.index.remove_unused_levels(); y.index = "
                "index.set_levels(pd.DatetimeIndex(index.levels[-1], freq=calendar), level=-1)); add "
                "the holidays ahead, for forecasts to skip them too"
                + (f". Where readings are missing on open days, put y on {grid}" if calendar == "B" else "")
            )
            step = step if calendar == "B" else None  # 'D' would add the closed days
        elif grid_points > 2 * len(times) or merged:
            # trading hours, shifts: the grid would invent most of it; readings at a few times of a day
            # would be merged
            what = (
                f"average readings less than half a step apart into one ({format_times(times[:2])})"
                if merged
                else f"add {int(grid_points) - len(times)} time points to its {len(times)} (nights, weekends "
                "or closed hours, invented by interpolation)"
            )
            advice = (
                f"On a grid of {step!r}, y.resample({step!r}) would {what}: number the readings "
                "instead, y = y.reset_index(drop=True) (a panel: "
                f"y = y.set_index(y.groupby(level={keys}).cumcount().rename('step'), append=True)"
                ".droplevel(-2)), and date the forecasts yourself"
            )
            step = None
    set_freq = (
        f"set the index's freq: y.index.freq = {step!r} (a panel: index = y.index.remove_unused_levels(); "
        f"y.index = index.set_levels(pd.DatetimeIndex(index.levels[-1], freq={step!r}), level=-1))"
    )
    if len(times) < 3:  # pandas infers a frequency from 3 dates or more
        if len(times) == 2:  # their own spacing: a calendar's, whole months, days, else their distance
            first, second = times
            months = (second.year - first.year) * 12 + second.month - first.month
            if calendar is not None:
                code = repr(calendar)
            elif months and second == first + pd.DateOffset(months=months):  # the 15th of each month
                code = f"pd.DateOffset(months={months})"
            elif (second - first) % pd.Timedelta(days=1) == pd.Timedelta(0):
                days = (second - first).days
                code = repr("D" if days == 1 else f"{days}D")
            else:
                code = repr(to_offset(second - first).freqstr)
            set_freq = (
                f"set the index's freq: y.index.freq = {code} (a panel: index = "
                f"y.index.remove_unused_levels(); y.index = index.set_levels(pd.DatetimeIndex("
                f"index.levels[-1], freq={code}), level=-1))"
            )
        raise ValueError(
            f"The time index of y is a DatetimeIndex without a frequency, and its {len(times)} date(s) "
            f"({format_times(times, limit=4)}) are too few for pandas to infer one from (it needs 3), so "
            "RNNForecaster cannot place forecast steps in time. Pass longer series"
            + (f", or {set_freq}." if len(times) == 2 else ".")
        )
    raise ValueError(
        "The time index of y is a DatetimeIndex without a frequency, and none can be inferred from its "
        f"dates (e.g. {format_times(times, limit=4)}): they are not evenly spaced, so RNNForecaster "
        f"cannot place forecast steps in time. {advice}"
        + (
            "."
            if step is None
            else f"; or, when the dates are regular but too few to infer from, {set_freq}."
        )
    )


def _one_date_a_period(times: pd.DatetimeIndex) -> str | None:
    """The period (weeks ending on the dates' usual weekday, months, quarters, years) of which each of
    ``times`` holds one, most consecutively (each month's last trading day, some months missing); None
    where none does."""
    if len(times) < 3:
        return None
    naive = times.tz_localize(None) if times.tz is not None else times  # to_period warns of a zone
    days = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
    usual = int(np.bincount(naive.dayofweek).argmax())  # weeks ending on it first (a week's last close)
    weeks = [f"W-{days[(usual + shift) % 7]}" for shift in range(7)]  # then any (a week's first open day)
    steps = {period: np.diff(naive.to_period(period).asi8) for period in (*weeks, "M", "Q", "Y")}
    for period, step in steps.items():  # one date a period, none missing
        if (step == 1).all():
            return period
    for period, step in steps.items():  # some periods missing (a gap, refused with its fix after)
        if (step >= 1).all() and np.median(step) == 1:
            return period
    return None


def _open_weekdays(times: pd.DatetimeIndex) -> str | None:
    """The weekdays daily ``times`` fall on, as a weekmask, where some weekday never holds one over four
    weeks or more (a shop closed on Sundays, an exchange's weekends); None otherwise."""
    if len(times) < 3 or times[-1] - times[0] < pd.Timedelta(days=27):
        return None
    local = times.tz_localize(None) if times.tz is not None else times  # days of 23 or 25 hours: one
    spacings = np.diff(local.as_unit("ns").asi8)
    day = pd.Timedelta(days=1).value
    if np.median(spacings) > 4 * day or (spacings % day).any():  # daily, or days of the week, at one time
        return None
    present = sorted(set(times.dayofweek))
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return " ".join(names[day] for day in present) if len(present) < 7 else None


def _duration(step: str) -> pd.Timedelta | None:
    """``step`` as a fixed duration ('D', '7D', '3h'); None for a calendar's (months, business days)."""
    offset = to_offset(step)
    if isinstance(offset, pd.offsets.Day):  # a Tick before pandas 3, a calendar day since
        return offset.n * pd.Timedelta(days=1)
    return pd.Timedelta(offset) if isinstance(offset, pd.offsets.Tick) else None


# calendar grids, finest first: (months a step, least and most days of a step, the offset names at
# their periods' starts and ends, the DatetimeIndex properties that tell them)
CALENDAR_GRIDS = (
    (1, 28, 31, "MS", "ME", "is_month_start", "is_month_end"),
    (3, 89, 92, "QS", "QE", "is_quarter_start", "is_quarter_end"),
    (12, 365, 366, "YS", "YE", "is_year_start", "is_year_end"),
)


def calendar_rule(times: pd.DatetimeIndex, usual_days: float) -> str | None:
    """The calendar frequency of dates a usual ``usual_days`` apart, all at its periods' starts or ends.

    Monthly, quarterly or yearly dates with some missing have no frequency to
    infer; their spacing varies by a few days, so no fixed grid of days fits
    them. Nor do business days with holidays missing: "B" for days a day apart
    that pass a weekend without a weekend day, nor semi-monthly dates ("SMS":
    the 1st and 15th, "SME": the 15th and the month's end), whose frequency
    pandas never infers. None where the dates are not on such a grid.
    """
    if usual_days == 1 and (times.dayofweek < 5).all() and (np.diff(times.dayofweek) < 0).any():
        return "B"  # business days over a weekend or more, some missing (holidays): 'D' would add weekends
    if 13 <= usual_days <= 16:  # semi-monthly (pandas infers no frequency for it): the 1st and 15th
        if times.day.isin((1, 15)).all():
            return "SMS"
        if ((times.day == 15) | times.is_month_end).all():  # the 15th and the month's end
            return "SME"
    for _, least, most, start, end, at_start, at_end in CALENDAR_GRIDS:
        if least <= usual_days <= most:
            if getattr(times, at_start).all():
                return start
            if getattr(times, at_end).all():
                return end
    return None


def refuse_mixed_frequencies(y: pd.DataFrame) -> None:
    """Refuse a panel of dated series on different frequencies, as sktime does.

    Each series' frequency is the one inferred from its dates (series of fewer
    than 3 time points, or irregular ones, tell none). One forecaster places
    every series' forecast steps on the panel's one grid: a weekly series among
    daily ones would be forecast for the next days. Several inferred
    frequencies are one grid where every series' dates are consecutive steps of
    one of them (:func:`series_freq` takes it): a week of business days, Monday
    to Friday, is inferred as days, and a morning of business hours as hours,
    yet both lie on the business grid.
    """
    if not isinstance(y.index, pd.MultiIndex) or not isinstance(y.index.levels[-1], pd.DatetimeIndex):
        return
    inferred = _inferred_frequencies([(key, frame.index) for key, frame in instances(y)])
    if len({offset for *_, offset in inferred}) < 2 or _covering_frequency(inferred) is not None:
        return
    # name the longest series' frequency and the first series off its grid
    key, _, freq, offset = inferred[0]
    other, _, other_freq, _ = next(
        series for series in inferred[1:] if not _consecutive_on(series[1], offset)
    )
    raise ValueError(
        f"The series of y are on different frequencies: {key if len(key) > 1 else key[0]!r} steps by "
        f"{freq!r}, {other if len(other) > 1 else other[0]!r} by {other_freq!r}. RNNForecaster places "
        "every series' forecast steps on one grid. Resample the series to one frequency first, or "
        "forecast each frequency's series with a forecaster of its own."
    )


def _inferred_frequencies(
    series: list[tuple[tuple, pd.Index]],
) -> list[tuple[tuple, pd.DatetimeIndex, str, Any]]:
    """``(key, dates, frequency, offset)`` of each series ``(key, dates)`` whose frequency pandas infers
    (3 time points or more), the longest first (then in the panel's order)."""
    found = []
    for key, dates in series:
        if not isinstance(dates, pd.DatetimeIndex) or len(dates) < 3:
            continue
        try:
            freq = pd.infer_freq(dates)
        except (TypeError, ValueError):
            freq = None
        if freq is not None:
            found.append((key, dates, freq, to_offset(freq)))
    return sorted(found, key=lambda found_series: -len(found_series[1]))


def _covering_frequency(inferred: list[tuple[tuple, pd.DatetimeIndex, str, Any]]) -> str | None:
    """The first of the inferred frequencies (the longest series' first) on whose grid every series'
    dates are consecutive steps, or None."""
    tried = set()
    for _, _, freq, offset in inferred:
        if offset in tried:
            continue
        tried.add(offset)
        if all(_consecutive_on(dates, offset) for _, dates, _, _ in inferred):
            return freq
    return None


def _consecutive_on(times: pd.DatetimeIndex, offset: Any) -> bool:
    """Whether ``times`` are consecutive steps of ``offset``'s grid (from the first of them)."""
    return _steps_of(times, np.r_[True, np.zeros(len(times) - 1, dtype=bool)], offset)


def steps_after(history: pd.Index, until: Any, freq: Any) -> pd.Index | None:
    """The time points of a series' grid after its last one (``history[-1]``), up to ``until``.

    Dates step by ``freq``, periods by their own, integers by 1 (other steps
    are refused by :func:`refuse_gaps`). None where the grid is
    unknown (dates without a frequency, time points of other kinds).
    """
    last = history[-1]
    if isinstance(history, pd.DatetimeIndex):
        return None if freq is None else pd.date_range(last, until, freq=freq)[1:]
    if isinstance(history, pd.PeriodIndex):
        return pd.period_range(last, until, freq=history.freq)[1:]
    if pd.api.types.is_integer_dtype(history):
        return pd.Index(np.arange(last + 1, until + 1), dtype=history.dtype)
    return None


def grid_positions(times: pd.Index, end: pd.Index, freq: Any) -> tuple[pd.Index, np.ndarray] | None:
    """The grid of ``freq`` after ``end`` up to ``times``, and each date's step on it (0: off it).

    The grid's real steps, across a change of the clocks too; a date at or
    before ``end`` is off it. None when the dates lie more than ``2 *
    MAX_SIZE`` steps ahead (too far to lay the grid out; refused as too many
    steps ahead by the callers).
    """
    first = pd.date_range(end[0], periods=2, freq=freq)
    step = first[1] - first[0]
    if (times.max() - end[0]) / step > 2 * MAX_SIZE:
        return None
    grid = steps_after(end, max(times.max(), end[0]) + step, freq)  # one beyond: the next one after
    return grid, grid.get_indexer(times) + 1


def grid_steps(times: pd.Index, end: pd.Index, freq: Any, key: tuple = ()) -> np.ndarray | None:
    """The steps after ``end`` of dates ``times`` (all later), counted on the grid of ``freq``.

    A date between the grid's steps (:func:`grid_positions`) is refused:
    sktime counts the steps to it rounded down (or fails on a multiple of a
    frequency), and would label an earlier step's forecast with it. None when
    the dates lie beyond any horizon.
    """
    placed = grid_positions(times, end, freq)
    if placed is None:
        return None
    grid, steps = placed
    off = steps == 0
    if off.any():
        at = grid.searchsorted(times[off])
        near = grid[np.unique(np.clip(np.concatenate([at - 1, at]), 0, len(grid) - 1))]
        raise ValueError(
            f"fh has time points {format_times(times[off])} that are not on the series' frequency "
            f"{getattr(freq, 'freqstr', freq)!r} after the end{series_label(key) or ' of the series'}, "
            f"{format_time(end[0])}: the forecast of a step of the grid would be labelled with them. Pass "
            f"fh as time points of the frequency (e.g. {format_times(near[:2])}) or as steps ahead (e.g. "
            "fh=[1, 2])."
        )
    return steps


# a series' grid is built only where it holds at most this many times its rows (or GRID_FLOOR steps): a
# date mistyped a century on (or forged in a saved file) would make it billions of steps
GRID_ROWS, GRID_FLOOR = 100, 1_000_000


def _grid_size_bound(index: pd.Index, freq: Any) -> int:
    """At least the number of steps of the grid from ``index[0]`` to ``index[-1]`` (periods: of their
    frequency; dates: of ``freq``, by its shortest step among the first few), without building it."""
    if isinstance(index, pd.PeriodIndex):
        return (index[-1].ordinal - index[0].ordinal) // max(index.freq.n, 1) + 1
    offset = to_offset(freq)
    # steps between grid points (from the first one after index[0]: a first date off an anchored
    # frequency rolls forward, and a step from it to its own roll would be 0)
    steps = pd.DatetimeIndex([index[0] + k * offset for k in range(1, 9)])
    shortest = (steps[1:] - steps[:-1]).min()  # a Timedelta, in the dates' own resolution
    # + 2: a day across a change of clock is an hour short of the others
    return int((index[-1] - index[0]) / max(shortest, pd.Timedelta(1, "ns"))) + 2


def _refuse_long_gap(index: pd.Index, freq: Any, method: str, label: str) -> None:
    """Refuse a series whose time points span far more steps of its grid than it has rows, naming
    its first gap, without building the grid (where every step follows the one before, it returns)."""
    offset = 1 if isinstance(index, pd.PeriodIndex) else to_offset(freq)
    breaks = np.flatnonzero(_off_steps(index, offset))
    if not len(breaks):  # consecutive after all: steps far longer than the shortest (refuse_gaps goes on)
        return
    first = int(breaks[0])
    freqstr = index.freqstr if isinstance(index, pd.PeriodIndex) else offset.freqstr
    raise ValueError(
        f"y passed to {method}{label} lacks time points of its frequency {freqstr!r} after "
        f"{format_time(index[first])} (the next is {format_time(index[first + 1])}; its {len(index)} "
        f"time points span {format_time(index[0])} to {format_time(index[-1])}). RNNForecaster reads a "
        "series' rows as consecutive steps: it would read the rows around a gap as neighbours. Check "
        "the series' time points (a mistyped year?), fill its gaps first, or index the series by "
        "consecutive steps."
    )


def refuse_gaps(df: pd.DataFrame, method: str, key: tuple = (), freq: Any = None) -> None:
    """Refuse time points that skip steps of the grid within a series of ``df`` (``y``).

    The forecaster reads a series' rows as consecutive steps: across a gap it
    would read the rows around it as neighbours, and forecast a season or a
    trend shifted by the missing steps, without an error. The grid: integers
    step by 1 (sktime counts ``fh`` on them in units of 1, ``cutoff + h``),
    periods by their own frequency, dates by ``freq`` (dates without one are
    left to the frequency's inference, which refuses irregular ones).
    """
    times = df.index.get_level_values(-1)
    integers = pd.api.types.is_integer_dtype(times)
    dates_on_a_grid = isinstance(times, pd.DatetimeIndex) and freq is not None
    if not (integers or isinstance(times, pd.PeriodIndex) or dates_on_a_grid):
        return
    for sub_key, frame in instances(df):
        index = frame.index.sort_values()
        if len(index) < 2:  # nothing to skip (an empty y gets its own error)
            continue
        if integers:
            values = index.to_numpy()
            jumps = np.flatnonzero(np.diff(values) != 1)
            if not len(jumps):
                continue
            before, after = values[jumps[0]], values[jumps[0] + 1]
            raise ValueError(
                f"y passed to {method} has integer time points{series_label(key + sub_key)} that do not "
                f"step by 1 ({before} is followed by {after}). RNNForecaster forecasts the next rows of a "
                "series, and sktime counts fh on integer time points in units of 1 (fh=1 is the cutoff + "
                "1), so its forecasts would be labelled with time points other than the ones they are "
                "for. Number each series' rows 0, 1, 2, ... first (a single series: "
                "y.reset_index(drop=True)), or index them by periods (a pd.PeriodIndex) or by dates with "
                "a frequency."
            )
        if _grid_size_bound(index, freq) > max(GRID_ROWS * len(index), GRID_FLOOR):
            _refuse_long_gap(index, freq, method, series_label(key + sub_key))
        if isinstance(index, pd.PeriodIndex):
            grid = pd.period_range(index[0], index[-1], freq=index.freq)
        else:
            grid = pd.date_range(index[0], index[-1], freq=freq)
        if len(grid) == len(index) and (grid == index).all():
            continue
        missing, off = grid.difference(index), index.difference(grid)
        found = (
            f"lacks the time points {format_times(missing)} of its frequency {grid.freqstr!r}"
            if len(missing) and not len(off)
            else f"has time points off its frequency {grid.freqstr!r} ({format_times(off)})"
        )
        raise ValueError(
            f"y passed to {method}{series_label(key + sub_key)} {found}. RNNForecaster reads a series' "
            "rows as consecutive steps: it would read the rows around a gap as neighbours and forecast "
            "a shifted season or trend. Fill the gaps first (e.g. interpolate them: on a single series "
            f"y.resample({grid.freqstr!r}).mean().interpolate(); or sktime's Imputer on the series put "
            "on its full grid), or index the series by consecutive steps."
        )


def refuse_other_time_kind(X: pd.DataFrame | None, y: pd.DataFrame, method: str) -> None:
    """Refuse ``X`` whose time points are of another kind than ``y``'s (periods, dates, time zone)."""
    if X is None:
        return
    have, want = X.index.get_level_values(-1), y.index.get_level_values(-1)
    if not len(have) or time_kind(have) == time_kind(want):
        return
    raise ValueError(
        f"X passed to {method} is indexed by time points of kind {time_kind(have)} (e.g. "
        f"{format_time(have[0])}), but y of fit by {time_kind(want)} (e.g. {format_time(want[-1])}), "
        "and the forecaster finds the rows of X at y's time points. Index X like y: "
        "X.to_period(freq) or X.to_timestamp() to move between periods and dates, X.tz_localize(tz) or "
        "X.tz_convert(tz) for a time zone, the periods or dates of y in place of integers."
    )


def refuse_other_fh_kind(times: pd.Index, cutoff: pd.Index) -> None:
    """Refuse an absolute ``fh`` whose time points are of another kind than ``y``'s (periods, dates, zone).

    sktime's own checks fail on them with an ``AssertionError`` or a ``TypeError`` that names neither.
    """
    if not len(times) or not len(cutoff) or time_kind(times) == time_kind(cutoff):
        return
    raise ValueError(
        f"fh names time points of kind {time_kind(times)} (e.g. {format_time(times[0])}), but y of fit is "
        f"indexed by {time_kind(cutoff)} (its last, {format_time(cutoff[-1])}), so how many steps ahead "
        "they lie cannot be counted. Pass fh as time points of y's kind (periods of its frequency, dates in "
        "its time zone, integers for an integer index), or as steps ahead (e.g. fh=[1, 2])."
    )


def exog_columns(X: pd.DataFrame, columns: list, method: str) -> pd.DataFrame:
    """``X`` with the ``columns`` of fit, selected by name (in any order); other sets are refused."""
    if list(X.columns) == columns:
        return X
    missing = [c for c in columns if c not in X.columns]
    extra = [c for c in X.columns if c not in columns]
    if missing or extra:
        what = [f"lacks the columns {missing}"] * bool(missing) + [f"has other columns {extra}"] * bool(extra)
        raise ValueError(
            f"X passed to {method} {' and '.join(what)}: the forecaster was fitted with X columns "
            f"{columns}. Pass X with the columns of fit (in any order: they are matched by name)."
        )
    return X[columns]


def append_rows(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``old`` with the rows of ``new`` (a row of both: ``new``'s), each series' rows in time order.

    The series of a panel keep their order, ``old``'s first, then those new to
    it (sktime's vectorised forecasters keep it; sorting them would reorder
    every later forecast against the data a metric compares it with).
    """
    new = new[old.columns]
    # a flag fitted as bool, updated as numbers (0.0/1.0), or the other way: pandas' concat makes objects
    mixed = {
        c: np.float64
        for c in old.columns
        if old[c].dtype != new[c].dtype
        and any(pd.api.types.is_bool_dtype(d) for d in (old[c], new[c]))
        and all(pd.api.types.is_numeric_dtype(d) or pd.api.types.is_bool_dtype(d) for d in (old[c], new[c]))
    }
    both = pd.concat([old.astype(mixed), new.astype(mixed)]) if mixed else pd.concat([old, new])
    both = both[~both.index.duplicated(keep="last")]
    if not isinstance(both.index, pd.MultiIndex):
        return both.sort_index()
    instances = both.index.droplevel(-1)
    position = instances.unique().get_indexer(instances)  # order of first appearance
    time_rank, _ = pd.factorize(both.index.get_level_values(-1), sort=True)
    return both.iloc[np.lexsort((time_rank, position))]


def last_time(index: pd.Index) -> pd.Index:
    """The last time point of ``index`` as an index of its own, with its frequency.

    Not a view: sktime caches horizons by the cutoff they count from, and a view of a
    long history kept the whole history's buffer alive per cached entry (a stream
    updated every step held ~1 KB of memory per step of history, after the
    forecaster was deleted).
    """
    return index[-1:].copy(deep=True)


# steps of one frequency in the next longer cycle (a year, a week, a day)
SEASONS = {
    **dict.fromkeys(("M", "MS", "ME", "BM", "BMS", "BME"), 12),
    **dict.fromkeys(("SM", "SMS", "SME"), 24),
    **dict.fromkeys(("Q", "QS", "QE", "BQ", "BQS", "BQE"), 4),
    "W": 52,
    "D": 7,
    "B": 5,
    "h": 24,
    "H": 24,
}


def infer_sp(freq: Any) -> int:
    """Seasonal period implied by a time index's frequency (1 when unknown or not a whole number).

    A multiple of a frequency divides the cycle: 2-hourly data has 12 steps a
    day; 5-hourly data, whose steps do not fill a day, 1. Custom business days
    have as many steps a week as their week has days (5 for a Sunday to Thursday
    week; holidays are left out of the count).
    """
    if freq is None:
        return 1
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
        name, n = offset.name, max(1, abs(offset.n))
    except ValueError:  # an alias of periods that offsets no longer take ("M", "H")
        name, n = str(freq), 1
    except NotImplementedError:  # pd.DateOffset(months=1) has no name: read by its one unit, if one
        units = {"years": "YS", "months": "MS", "weeks": "W", "days": "D", "hours": "h", "minutes": "min"}
        ((unit, count),) = offset.kwds.items() if len(offset.kwds) == 1 else (("", 0),)
        if unit not in units or not count or count != int(count):  # none, or half an hour: no season told
            return 1
        name, n = units[unit], abs(int(count) * offset.n)
    base = name.split("-")[0].lstrip("0123456789")
    season = SEASONS.get(base, 1)
    if base == "C":  # custom business days (holidays, another week): the days of its week
        season = int(offset.calendar.weekmask.sum())
    return season // n if season % n == 0 else 1


# the share of a series' spacings that must be its commonest one for it to be read as a grid
_ON_GRID = 0.9
# below it, a grid with holes: the least share of its step among the spacings, and of lost points
_GRID_SHARE = 0.5
_LOST_SHARE = 0.1
_MOST_SKIPPED = 1_000_000


# zones whose clocks go forward an hour on other dates or at other hours: Europe's three (at 01:00 UTC),
# North America's, Chile's and Paraguay's and Cuba's (at midnight), Israel's, Lebanon's, Egypt's,
# Australia's and New Zealand's
_FORWARD_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "America/New_York",
    "America/Santiago",
    "America/Asuncion",
    "America/Havana",
    "Asia/Jerusalem",
    "Asia/Beirut",
    "Africa/Cairo",
    "Australia/Sydney",
    "Pacific/Auckland",
)


def forward_zone(start: pd.Timestamp, end: pd.Timestamp, usual: pd.Timedelta) -> str | None:
    """A zone whose clock skipped the naive times between ``start`` and ``end`` going forward (None: none).

    The rows are one ``usual`` spacing and an hour apart on the wall clock, and
    every time of the grid between them does not exist in that zone that night.
    """
    if start.tzinfo is not None or end - start != usual + pd.Timedelta("1h"):
        return None
    missing = pd.date_range(start, end, freq=usual, inclusive="neither")
    for zone in _FORWARD_ZONES:
        if len(missing) and missing.tz_localize(zone, nonexistent="NaT").isna().all():
            return zone
    return None


def _clock_went_forward(times: pd.Index) -> bool:
    """Whether every skip of a naive dated index is the hour a local clock skips going forward
    (:func:`forward_zone`): a lost reading on another night, or at another hour, is not."""
    if not isinstance(times, pd.DatetimeIndex) or times.tz is not None or len(times) < 3:
        return False
    steps = np.diff(times.to_numpy())
    usual = pd.Timedelta(np.median(steps))
    skips = np.flatnonzero(steps > usual)
    return bool(len(skips)) and all(forward_zone(times[k], times[k + 1], usual) for k in skips)


def refuse_skipped_steps(
    times: pd.Index,
    name: str = "X",
    reader: str = "the detector",
    panel: bool = True,
    sequence: bool = False,
    level: bool = False,
) -> None:
    """Refuse a series sampled on a grid whose time points skip steps of it (rows dropped, not NaN).

    A frequency the index declares or pandas infers (business days and hours
    included) is a grid the series keeps. Otherwise the grid is the calendar's
    where every time point is a month's, quarter's or year's end or start, or
    one day of every month;
    else the commonest spacing (in local time for days or coarser with a time
    zone), when nearly every spacing (``_ON_GRID``) is that one: a later
    time point a whole number of them away means the rows between are missing,
    and ``reader`` (the detector, ``sliding_windows``) would read the rows around
    them as neighbours (the detector could flag the join). Irregular sampling is
    the data's own and passes. Where the skip is the hour a naive local clock
    skips going forward, the refusal also gives the localization that reads
    the rows an hour apart. ``name`` names the data in messages, and ``panel``
    says that a fix applies to each series of a panel. ``sequence``: one of a set
    of sequences with targets, which cannot be cut in pieces, and whose grid with
    many points lost is not warned of (a warning a sequence, with its own times),
    nor are skips that are each the hour a local clock skipped going forward
    (the rows an hour apart; the sequence estimators read no time zone).
    ``level``: ``times`` are a series' of the last level of ``name``'s MultiIndex.
    """
    calendar = None
    if isinstance(times, pd.PeriodIndex) or pd.api.types.is_integer_dtype(times):
        values = times.asi8 if isinstance(times, pd.PeriodIndex) else times.to_numpy(dtype=np.int64)
    elif isinstance(times, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        if times.freq is not None or (len(times) > 2 and pd.infer_freq(times) is not None):
            return
        calendar = _calendar_grid(times) if isinstance(times, pd.DatetimeIndex) else None
        if calendar is not None:
            values = calendar[0]
        elif isinstance(times, pd.DatetimeIndex) and times.tz is not None and _one_time_of_day(times):
            values = times.tz_localize(None).asi8  # days of 23 or 25 hours at a clock change: wall time
        else:
            values = times.asi8
    else:
        return
    steps = np.diff(values)
    usual = usual_spacing(steps)
    if usual is None:
        if calendar is None and not sequence:
            _warn_if_readings_lost(times, values, steps, name, reader, panel)
        return
    skips = np.flatnonzero((steps > usual) & (steps % usual == 0))
    if not len(skips):
        return
    first, lost = skips[0], None
    if calendar is None and isinstance(times, pd.DatetimeIndex):
        lost = _lost_readings(times, values, usual, skips, steps[skips] // usual - 1, empty_days=False)
        if lost is not None:  # a schedule skips time points it never reads: only lost readings refused
            if not lost.any():
                return
            first = skips[np.flatnonzero(lost)[0]]
    if sequence and _clock_went_forward(times):  # each skip the hour a local clock skipped: none lost
        return
    spacing, grid = _grid(times, usual, name, calendar)
    fix, each = f"{name}.reindex({grid})", ""
    zone = None
    if calendar is None and isinstance(times, pd.DatetimeIndex) and name.isidentifier():
        zone = forward_zone(times[first], times[first + 1], pd.Timedelta(usual, unit=times.unit))
    localized = (
        f"{name}.index.set_levels({name}.index.levels[-1].tz_localize({zone!r}), level=-1)"
        if level
        else f"{name}.index.tz_localize({zone!r})"
    )
    local = (
        ""
        if zone is None
        else f" If these are local clock times, which skipped the hour as clocks went forward, localize "
        f"them instead, which reads the two an hour apart: {name}.index = {localized} (the zone of your "
        "clock" + ("" if level else "; data that also cover the autumn change need ambiguous='infer'") + ")."
    )
    if lost is not None and not lost.all():  # the whole grid would fill the hours a schedule never reads
        hole = f"pd.date_range('{times[first]}', '{times[first + 1]}', freq={spacing!r}, inclusive='neither')"
        fix, each = f"{name}.reindex({name}.index.union({hole}))", " (this hole; each lost reading alike)"
    raise ValueError(
        f"{_possessive(name)} time index skips time points: {times[first]} is followed by "
        f"{times[first + 1]}, "
        f"{steps[first] // usual} steps of its usual spacing ({spacing}) later, and {reader} reads "
        "the rows as consecutive steps, so it would read the two as neighbours. Insert the missing "
        f"time points as NaN rows, read as gaps: {fix}{each}"
        f"{' (a panel: each series)' if panel else ''}"
        + ("." if sequence else ", or pass the pieces before and after separately.")
        + local
    )


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _grid(times: pd.Index, usual: int, name: str, calendar: tuple | None = None) -> tuple[Any, str]:
    """The name of a grid's spacing ``usual`` (in ``times``' units) and the code that makes the grid
    of the data named ``name``."""
    if calendar is not None:
        code = calendar[1]
        spacing = code.strip("'") if code.startswith("'") else "one month"
        return spacing, f"pd.date_range({name}.index[0], {name}.index[-1], freq={code})"
    if isinstance(times, (pd.DatetimeIndex, pd.TimedeltaIndex)):
        spacing = spacing_name(pd.Timedelta(usual, unit=times.unit))
        make = "timedelta_range" if isinstance(times, pd.TimedeltaIndex) else "date_range"
        return spacing, f"pd.{make}({name}.index[0], {name}.index[-1], freq={spacing!r})"
    if isinstance(times, pd.PeriodIndex):
        grid = f"pd.period_range({name}.index[0], {name}.index[-1], freq={name}.index.freq)"
        return f"{usual} period{'s' if usual > 1 else ''}", grid if usual == 1 else f"{grid}[::{usual}]"
    return usual, f"range({name}.index[0], {name}.index[-1] + 1, {usual})"


def _warn_if_readings_lost(
    times: pd.Index, values: np.ndarray, steps: np.ndarray, name: str, reader: str, panel: bool
) -> None:
    """Warn where time points lie on a grid with many of its points missing where others are read.

    Below ``_ON_GRID`` the spacings are read as irregular sampling. A grid with
    many holes still shows: its step is the commonest spacing, at least
    ``_GRID_SHARE`` of them, and nearly every spacing (``_ON_GRID``) is a whole
    number of it (charting rounded to the hour with a third of the hours
    empty). Dates are read on the wall clock. A skipped time point is a lost
    reading unless a schedule explains it: on a grid of hours or minutes, a
    time of day the series never reads (nights) or a day it reads nothing on
    (weekends, holidays); on a grid of days, a weekday it never reads
    (weekends; shown only in two weeks or more, so shorter series are not
    judged). Warn when lost points are at least ``_LOST_SHARE`` of the grid's.
    """
    if isinstance(times, pd.PeriodIndex) and isinstance(times.freq, (pd.offsets.Tick, pd.offsets.Day)):
        times = times.to_timestamp()  # days or shorter periods read as the dates they start
        values, steps = times.asi8, np.diff(times.asi8)
    if isinstance(times, pd.DatetimeIndex) and times.tz is not None:
        values = times.tz_localize(None).asi8
        steps = np.diff(values)
    if not len(steps):
        return
    spacings, counts = np.unique(steps, return_counts=True)
    usual = int(spacings[np.argmax(counts)])
    if usual <= 0 or counts.max() < _GRID_SHARE * len(steps) or np.mean(steps % usual == 0) < _ON_GRID:
        return
    held = np.flatnonzero((steps > usual) & (steps % usual == 0))
    missing = steps[held] // usual - 1  # the grid points each hole skips
    lost = int(missing.sum())
    if isinstance(times, pd.DatetimeIndex) and _schedule_grid(times, usual):
        if lost > _MOST_SKIPPED:  # a sparse record: too many holes to weigh
            return
        per_hole = _lost_readings(times, values, usual, held, missing)
        if per_hole is None:  # a week's schedule shows in two
            return
        lost = int(per_hole.sum())
    total = len(values) + lost  # the points it reads or should have
    if lost < _LOST_SHARE * total:
        return
    spacing, grid = _grid(times, usual, name)
    hole = held[np.argmax(missing)]
    warnings.warn(
        f"{_possessive(name)} time index looks like a grid (spacing {spacing}) with {lost} of its "
        f"{total} time points missing ({lost / total:.0%}) at times at which the series is read "
        f"elsewhere (the longest hole: {times[hole]} to {times[hole + 1]}), and {reader} reads the rows as "
        "consecutive steps, so it reads the readings either side of a hole as neighbours. If readings "
        f"were lost, insert the missing time points as NaN rows, read as gaps: {name}.reindex({grid})"
        f"{' (a panel: each series)' if panel else ''}. If the series has no readings there by design, "
        "ignore this warning.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def _schedule_grid(times: pd.DatetimeIndex, usual: int) -> bool:
    """Whether a grid of spacing ``usual`` (in ``times``' unit) can hold a schedule: a day, or a part
    of one that divides it (hours, minutes)."""
    day = pd.Timedelta(days=1) // pd.Timedelta(1, unit=times.unit)
    return usual == day or (usual < day and day % usual == 0)


def _lost_readings(
    times: pd.DatetimeIndex,
    values: np.ndarray,
    usual: int,
    holes: np.ndarray,
    missing: np.ndarray,
    empty_days: bool = True,
) -> Any:
    """How many of the grid points each hole skips are lost readings, not a schedule's; None: not judged.

    ``values``: ``times`` as integers, UTC or (with a time zone) the wall clock's; ``holes``: the
    positions followed by a hole of ``missing`` grid points of ``usual`` (in ``times``' unit), in
    those integers. On the wall clock, a skipped time point is a lost reading where the series reads
    that time elsewhere. On a grid of hours or minutes: a time of day it reads (nights, times of day
    it never reads and skips on two days or more, are its schedule), on a day with readings (days
    it reads nothing on, weekends and holidays, are; with ``empty_days=False``, on a weekday it
    reads, from two weeks on, and under two weeks on any day but a Saturday or Sunday without
    readings: a whole day lost from a week of readings is lost, a holiday too). On a grid of days: a
    weekday it reads (1970-01-01 was a Thursday, 3), judged from two weeks on. None: not judged
    (a grid of days under two weeks, other grids, more than ``_MOST_SKIPPED`` skipped points).
    """
    if not _schedule_grid(times, usual) or missing.sum() > _MOST_SKIPPED:
        return None
    day = pd.Timedelta(days=1) // pd.Timedelta(1, unit=times.unit)
    hole = np.repeat(np.arange(len(holes)), missing)
    after = np.arange(len(hole)) - np.repeat(np.cumsum(missing) - missing, missing) + 1  # 1..m a hole
    skipped = values[holes][hole] + usual * after
    if times.tz is not None and np.array_equal(values, times.asi8):  # UTC: read on the wall clock
        wall = pd.DatetimeIndex(pd.to_datetime(skipped, unit=times.unit), tz="UTC").tz_convert(times.tz)
        values, skipped = times.tz_localize(None).asi8, wall.tz_localize(None).as_unit(times.unit).asi8
    weeks = values[-1] - values[0] >= 14 * day  # a week's schedule shows in two

    def weekday_read() -> np.ndarray:  # a weekday the series reads (1970-01-01 was a Thursday, 3)
        return np.isin((skipped // day + 3) % 7, np.unique((values // day + 3) % 7))

    if usual < day:
        times_of_day, days = skipped % day, skipped // day
        never = ~np.isin(times_of_day, np.unique(values % day))  # a time of day it never reads,
        off = np.unique(np.stack([times_of_day[never], days[never]]), axis=1)[0]
        kept, count = np.unique(off, return_counts=True)  # a night's: skipped on two days or more
        read = ~np.isin(times_of_day, kept[count >= 2])
        if empty_days:
            read &= np.isin(days, np.unique(values // day))
        elif weeks:
            read &= weekday_read()
        else:  # too short to show its own week: a Saturday or Sunday without readings is a weekend's
            weekend = np.isin((days + 3) % 7, (5, 6)) & ~np.isin(days, np.unique(values // day))
            read &= ~weekend
    elif not weeks:
        return None
    else:
        read = weekday_read()
    return np.bincount(hole, weights=read, minlength=len(holes)).astype(np.int64)


def _one_time_of_day(times: pd.DatetimeIndex) -> bool:
    """Whether every time point has the same (local) time of day: a series of days or coarser."""
    return len(np.unique((times - times.normalize()).asi8)) == 1


def _calendar_grid(times: pd.DatetimeIndex) -> tuple[np.ndarray, str] | None:
    """Positions of ``times`` on the coarsest calendar grid that holds them all, and its frequency.

    Month, quarter and year ends or starts, or one day of every month (at one
    time of day), whose spacings in days vary; the frequency as the code that
    makes it. None for any other series.
    """
    if len(times) < 3 or not _one_time_of_day(times):
        return None
    months = times.year.to_numpy(dtype=np.int64) * 12 + times.month.to_numpy(dtype=np.int64) - 1
    for months_per_step, _, _, start, end, at_start, at_end in reversed(CALENDAR_GRIDS):  # coarsest first
        for freq, on_grid in ((end, at_end), (start, at_start)):
            if np.all(getattr(times, on_grid)):
                return months // months_per_step, repr(freq)
    if len(np.unique(times.day)) == 1:  # one day of every month
        return months, "pd.DateOffset(months=1)"
    return None


def usual_spacing(steps: np.ndarray) -> Any:
    """The positive spacing nearly every one of ``steps`` is (``_ON_GRID``), else None."""
    if not len(steps):
        return None
    spacings, counts = np.unique(steps, return_counts=True)
    usual = spacings[np.argmax(counts)]
    return usual if usual > 0 and counts.max() >= _ON_GRID * len(steps) else None
