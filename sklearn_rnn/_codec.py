"""Plain values <-> JSON and ``.npy`` arrays, the values of a model file's manifest.

:class:`Encoder` turns parameters and fitted attributes into JSON, and numeric
arrays into ``.npy`` members; :func:`decode` builds them back with numpy's and
pandas' own constructors only, refusing anything the encoder does not write. A
forecaster's series are stored as their parts (pandas indexes by kind, numeric
columns as arrays).
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from numbers import Integral, Real
from typing import Any

import dateutil.tz
import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BusinessHour, CustomBusinessDay, CustomBusinessHour

from ._archive import MAX_ARRAYS_BYTES, Refused, shown

ARRAYS = "arrays/"  # the archive folder of the .npy members the encoder names


def is_plain(value: Any) -> bool:
    """A value JSON holds as it is."""
    return value is None or isinstance(value, (bool, int, float, str))


class Encoder:
    """JSON for plain values; numeric arrays go to ``.npy`` members.

    Only None, bool, int, float, str, tuples, lists, dicts and 1D arrays of
    them are stored, and pandas indexes and data frames made of those (a
    forecaster's series: range, integer, string, period, datetime and
    multi-level indexes; numeric columns). Anything else (a class, a callback,
    a RandomState) raises ``TypeError`` naming where it was found.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.date_cost_us = 0  # what load's checks of its dates cost (date_cost)
        self.range_values = 0  # the values of range indexes, which pandas expands into arrays

    def __call__(self, value: Any, where: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, np.generic) and value.dtype.kind in "biufU":
            return value.item()
        if isinstance(value, Integral) and not isinstance(value, np.generic):
            return int(value)
        if isinstance(value, Real) and not isinstance(value, np.generic):
            return float(value)
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "biuf":
                name = f"{ARRAYS}{len(self.arrays)}.npy"
                self.arrays[name] = value
                return {"__ndarray__": name}
            if value.dtype.kind in "OU" and value.ndim == 1:
                items = [self(v, f"{where}[{i}]") for i, v in enumerate(value)]
                if not all(map(is_plain, items)):
                    raise TypeError(f"{where} is an array of objects that are not plain values.")
                return {"__array__": items, "dtype": "object" if value.dtype.kind == "O" else "str"}
            raise TypeError(f"{where} is an array of dtype {value.dtype} with {value.ndim} dimensions.")
        if isinstance(value, pd.DataFrame):
            columns = [value.iloc[:, j].to_numpy() for j in range(value.shape[1])]
            if not all(c.dtype.kind in "biuf" for c in columns):
                raise TypeError(f"{where} is a data frame with non-numeric columns.")
            return {
                "__frame__": {
                    "index": self(value.index, f"{where}.index"),
                    "columns": self(value.columns, f"{where}.columns"),
                    "data": [self(c, f"{where} column {j}") for j, c in enumerate(columns)],
                }
            }
        if isinstance(value, pd.Index):
            return {"__index__": self._index(value, where)}
        if isinstance(value, tuple):
            return {"__tuple__": [self(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return [self(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, dict):
            pairs = [[self(k, f"{where} key"), self(v, f"{where}[{k!r}]")] for k, v in value.items()]
            return {"__dict__": pairs}
        raise TypeError(f"{where} is {value!r} of type {type(value).__name__}.")

    def _index(self, index: pd.Index, where: str) -> dict[str, Any]:
        names = self(list(index.names), f"{where}.names")
        if isinstance(index, pd.MultiIndex):
            levels = [self(level, f"{where} level {i}") for i, level in enumerate(index.levels)]
            codes = [self(np.asarray(c), f"{where} codes") for c in index.codes]
            return {"kind": "multi", "levels": levels, "codes": codes, "names": names}
        if isinstance(index, pd.RangeIndex):
            self.range_values += len(index)
            return {"kind": "range", "range": [index.start, index.stop, index.step], "names": names}
        if isinstance(index, pd.PeriodIndex):
            if not within_years(index):
                raise TypeError(f"{where} has periods outside the years 1 to 9999.")
            ordinals = self(index.asi8.copy(), where)
            return {"kind": "period", "ordinals": ordinals, "freq": index.freqstr, "names": names}
        if isinstance(index, pd.DatetimeIndex):
            self.date_cost_us += date_cost(index, index.freq)
            return {
                "kind": "datetime",
                "i8": self(index.asi8.copy(), where),
                "unit": index.unit,
                "tz": _time_zone(index.tz, where),
                "freq": encode_frequency(index.freq, where),
                "names": names,
            }
        if isinstance(index, pd.TimedeltaIndex):  # elapsed time, e.g. seconds since a machine started
            return {
                "kind": "timedelta",
                "i8": self(index.asi8.copy(), where),
                "unit": index.unit,
                "freq": index.freqstr,
                "names": names,
            }
        if index.dtype.kind in "biuf":
            return {"kind": "values", "values": self(index.to_numpy(), where), "names": names}
        if pd.api.types.is_string_dtype(index.dtype) or index.dtype == object:
            items = [self(v, f"{where}[{i}]") for i, v in enumerate(index)]
            if not all(map(is_plain, items)):
                raise TypeError(f"{where} is an index of objects that are not plain values.")
            return {"kind": "objects", "values": items, "object": index.dtype == object, "names": names}
        raise TypeError(f"{where} is a {type(index).__name__} of dtype {index.dtype}.")


# a crafted file's bounds: pandas checks each stored date against every opening of a business hour
_MOST_HOLIDAYS, _MOST_OPENINGS = 20_000, 8
_CUSTOM_OFFSETS = {cls.__name__: cls for cls in (CustomBusinessDay, BusinessHour, CustomBusinessHour)}


def custom_offset(freq: Any) -> bool:
    """Whether a frequency is an offset its name does not rebuild (a custom business day or hour)."""
    if not hasattr(freq, "freqstr") or isinstance(freq, pd.offsets.Week):
        return False  # pd.offsets.Week() names "W", Sundays' weeks: read by that name, as before
    try:
        return to_offset(freq.freqstr) != freq
    except ValueError:  # a name no frequency parses: "<DateOffset: months=1>"
        return True


def encode_frequency(freq: Any, where: str) -> str | list | None:
    """A dates' frequency as load rebuilds it: its name, or a custom business day's or hour's parts.

    ``[kind, n, weekmask, holidays, starts, ends]``: an exchange's holidays, a
    Sunday-to-Thursday week, trading hours, which the name ("C", "bh") drops.
    """
    if freq is None or not custom_offset(freq):
        return None if freq is None else freq.freqstr
    if type(freq).__name__ in _CUSTOM_OFFSETS and freq.offset == datetime.timedelta(0) and not freq.normalize:
        hours = [getattr(freq, side, ()) for side in ("start", "end")]
        if all(t.second == 0 and t.microsecond == 0 for side in hours for t in side) and (
            len(hours[0]) <= _MOST_OPENINGS and len(getattr(freq, "holidays", None) or ()) <= _MOST_HOLIDAYS
        ):
            holidays = [str(np.datetime64(day, "D")) for day in getattr(freq, "holidays", None) or ()]
            starts, ends = ([t.strftime("%H:%M") for t in side] for side in hours)
            return [type(freq).__name__, int(freq.n), getattr(freq, "weekmask", None), holidays, starts, ends]
    raise ValueError(
        f"{where} has the frequency {freq!r}, which the safe format cannot rebuild exactly (it stores "
        "pandas' named frequencies and custom business days and hours). Use pickle/joblib for files you "
        "trust, or fit on an index of a named frequency."
    )


# pandas' frequency names are short ("W-SUN", "15min", "BQE-DEC"); it parses a long one (of digits)
# in time that grows with the square of its length (100,000 digits: 136 s)
_MOST_FREQUENCY_CHARACTERS = 32


def frequency_name(value: Any, where: str) -> str | None:
    """A stored frequency name (or None), refused where it is longer than pandas' names."""
    if value is not None and (not isinstance(value, str) or len(value) > _MOST_FREQUENCY_CHARACTERS):
        raise Refused(
            f"{where} has a frequency {shown(value)}, not a name of pandas' frequencies (at most "
            f"{_MOST_FREQUENCY_CHARACTERS} characters)."
        )
    return value


def decode_frequency(value: Any, where: str) -> Any:
    """A stored frequency back: a name, or a custom business day or hour built from checked parts."""
    if value is None or isinstance(value, str):
        return frequency_name(value, where)
    day, time = re.compile(r"\d{4}-\d{2}-\d{2}"), re.compile(r"\d{2}:\d{2}")
    if not (
        isinstance(value, list)
        and len(value) == 6
        and value[0] in _CUSTOM_OFFSETS
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
        and 1 <= abs(value[1]) <= 10_000
        and (value[2] is None or (isinstance(value[2], str) and len(value[2]) <= 64))
        and all(isinstance(part, list) for part in value[3:])
        and len(value[3]) <= _MOST_HOLIDAYS
        and all(len(part) <= _MOST_OPENINGS for part in value[4:])
        and all(isinstance(d, str) and day.fullmatch(d) for d in value[3])
        and all(isinstance(t, str) and time.fullmatch(t) for part in value[4:] for t in part)
    ):
        raise Refused(f"{where} has a frequency {str(value)[:80]!r} this format does not write.")
    kind, n, weekmask, holidays, starts, ends = value
    parts: dict[str, Any] = {"n": n}
    if kind != "BusinessHour":
        parts.update(weekmask=weekmask, holidays=holidays)
    if kind != "CustomBusinessDay":
        parts.update(start=starts, end=ends)
    return _CUSTOM_OFFSETS[kind](**parts)


def _time_zone(tz: datetime.tzinfo | None, where: str) -> str | list | None:
    """A time zone as load rebuilds it exactly: an IANA name, "UTC", or a fixed offset [seconds, name]."""
    if tz is None:
        return None
    if tz is datetime.UTC or isinstance(tz, dateutil.tz.tzutc):
        return "UTC"
    pytz = type(tz).__module__.partition(".")[0] == "pytz"  # pytz's zones have their IANA name in .zone
    name = tz.key if isinstance(tz, zoneinfo.ZoneInfo) else getattr(tz, "zone", None) if pytz else None
    if isinstance(name, str) and _TIME_ZONE.fullmatch(name):
        return name
    if isinstance(tz, datetime.timezone):
        offset = tz.utcoffset(None)
        if offset % datetime.timedelta(seconds=1) == datetime.timedelta(0):
            return [offset // datetime.timedelta(seconds=1), tz.tzname(None)]
    raise ValueError(
        f"{where} has time zone {tz!r}, which the safe format cannot rebuild exactly (it stores IANA zones, "
        "UTC and fixed datetime.timezone offsets of whole seconds). Convert the series with "
        "tz_convert('UTC') or to an IANA zone such as tz_convert('Europe/Paris') before fit, or use "
        "pickle/joblib for files you trust."
    )


def _decoded_time_zone(tz: Any, where: str) -> str | datetime.timezone | None:
    """A stored time zone (see :func:`_time_zone`), for pandas' ``tz_convert``."""
    if tz is None or (isinstance(tz, str) and _TIME_ZONE.fullmatch(tz)):  # "dateutil//path" opens any file
        return tz
    if (
        isinstance(tz, list)
        and len(tz) == 2
        and isinstance(tz[0], int)
        and not isinstance(tz[0], bool)
        and abs(tz[0]) < 86400
        and isinstance(tz[1], str)
    ):
        return datetime.timezone(datetime.timedelta(seconds=tz[0]), tz[1])
    raise Refused(f"{where} has time zone {shown(tz)}, which is not a time zone this format writes.")


# the values of all range indexes a file may declare: as many as an int64 array within the arrays' limit
MAX_RANGE_LENGTH = MAX_ARRAYS_BYTES // 8
# the characters of all its text arrays (labels, names): numpy gives each item the longest one's width,
# 4 bytes a character, so a short manifest could declare gigabytes; as many as the arrays' limit holds
MAX_TEXT_CHARACTERS = MAX_ARRAYS_BYTES // 4

# What load's dates may cost, in microseconds: pandas checks a stored date against its frequency, and
# rebuilding sktime's state puts the series on its grid, at once for fixed lengths and days, date by
# date for calendar frequencies. Measured a date (2-core VM, pandas 3.0, both together): a week, a
# month, a business day or hour up to 40 (charged 60, as dates without a frequency whose spacing is
# irregular or a week or more, whose inferred grid is built so); a custom business day 95 (charged
# 100); a custom business hour 240 with one opening a day, 470 to 900 with eight (charged 150 and 100
# an opening). At most 20 s a file: e.g. 23 years of 7-hour trading days for a series and its X.
MAX_DATE_COST_US = 20_000_000


def within_years(index: pd.PeriodIndex) -> bool:
    """Whether periods lie within the years 1 to 9999 (pandas' year overflows beyond 2**31)."""
    if isinstance(index.freq, pd.offsets.Tick) and index.freq.nanos < 1000:
        return True  # nanoseconds' int64 ordinals span +-292 years (and pandas' bounds would overflow)
    first, last = (pd.Period(day, freq=index.freq).ordinal for day in ("0001-01-01", "9999-12-31"))
    return not len(index) or (first <= index.asi8.min() and index.asi8.max() <= last)


def date_cost(index: pd.DatetimeIndex, freq: Any) -> int:
    """What ``index``'s dates cost load, in microseconds, with their frequency ``freq`` (an offset or
    None: their spacing then decides the grid sktime's state is rebuilt on)."""
    if freq is None:
        steps = np.diff(index.asi8)
        week = pd.Timedelta(days=7) // pd.Timedelta(1, unit=index.unit)
        each = 0 if not len(steps) or (steps.min() == steps.max() and steps[0] < week) else 60
    elif isinstance(freq, (pd.offsets.Tick, pd.offsets.Day)):
        each = 0
    elif isinstance(freq, CustomBusinessHour):
        each = 150 + 100 * len(freq.start)
    else:
        each = 100 if isinstance(freq, CustomBusinessDay) else 60
    return each * len(index)


class StoredArrays:
    """A file's arrays, each given to the one stored value that names it (save writes each once),
    and what its dates and range indexes may still cost."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self._left = dict(arrays)
        self.date_cost_left_us = MAX_DATE_COST_US
        self.range_values_left = MAX_RANGE_LENGTH  # pandas expands range indexes into arrays
        self.text_characters_left = MAX_TEXT_CHARACTERS

    def take(self, name: str, where: str) -> np.ndarray:
        if name not in self._left:
            raise Refused(
                f"{where} names an array {shown(name)} the file does not hold, or that another value "
                "already names (save writes each array once)."
            )
        return self._left.pop(name)

    def charge_dates(self, index: pd.DatetimeIndex, freq: Any, where: str) -> None:
        """Count what ``index``'s dates cost (:func:`date_cost`), refused beyond a file's allowance."""
        self.date_cost_left_us -= date_cost(index, freq)
        if self.date_cost_left_us < 0:
            raise Refused(
                f"{where} has {len(index)} dates of frequency {shown(freq)}, whose checks by pandas take the "
                f"file's beyond the {MAX_DATE_COST_US / 1e6:.0f} s it may cost; save never writes more."
            )

    def unused(self) -> list[str]:
        return sorted(self._left)


def decode(value: Any, arrays: StoredArrays, where: str) -> Any:
    """A stored value back from JSON (its recursion is bounded: ``_archive.parse_json`` caps the nesting)."""
    if is_plain(value):
        return value
    if isinstance(value, list):
        return [decode(v, arrays, where) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"} and isinstance(value["__ndarray__"], str):
            return arrays.take(value["__ndarray__"], where)
        if set(value) == {"__array__", "dtype"} and value["dtype"] in ("object", "str"):
            items = decode(value["__array__"], arrays, where)
            if not isinstance(items, list) or not all(map(is_plain, items)):
                raise Refused(f"{where} holds an array of values that are not plain.")
            if value["dtype"] == "object":
                return np.array(items, dtype=object)
            width = max((len(str(item)) for item in items), default=0)
            arrays.text_characters_left -= len(items) * width
            if arrays.text_characters_left < 0:
                raise Refused(
                    f"{where} holds {len(items)} texts up to {width} characters long: as a numpy array, "
                    f"each that long, they take the file beyond the {MAX_TEXT_CHARACTERS} characters its "
                    "text arrays may hold (1 GiB as numpy holds them)."
                )
            return np.array(items, dtype=str)
        if set(value) == {"__tuple__"} and isinstance(value["__tuple__"], list):
            return tuple(decode(value["__tuple__"], arrays, where))
        if set(value) == {"__index__"} and isinstance(value["__index__"], dict):
            return _decode_index(value["__index__"], arrays, where)
        if set(value) == {"__frame__"} and isinstance(value["__frame__"], dict):
            return _decode_frame(value["__frame__"], arrays, where)
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], list):
            out = {}
            for pair in value["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise Refused(f"{where} holds a malformed dict entry {pair!r}.")
                key = decode(pair[0], arrays, where)
                if not is_plain(key) and not (isinstance(key, tuple) and all(map(is_plain, key))):
                    raise Refused(f"{where} holds a dict key that is not a plain value.")
                out[key] = decode(pair[1], arrays, where)
            return out
    raise Refused(f"{where} holds {str(value)[:80]!r}, which is not a stored value this format writes.")


# a time zone by name ("Europe/Paris", "UTC", "UTC+01:00"): no path, no "dateutil/" prefix
_TIME_ZONE = re.compile(r"(?!dateutil/)[A-Za-z][A-Za-z0-9_+\-:]*(/[A-Za-z0-9_+\-:]+)*")


def _decode_index(spec: dict, arrays: StoredArrays, where: str) -> pd.Index:
    """Build a pandas index from its stored parts, with pandas' own constructors only."""

    def part(key: str, kind: type | tuple[type, ...]) -> Any:
        item = decode(spec.get(key), arrays, f"{where} {key}")
        if not isinstance(item, kind):
            raise Refused(f"{where} has a malformed index ({key}).")
        return item

    def integers(key: str) -> np.ndarray:  # an .npy member of integers, not text a cast would read
        item = part(key, np.ndarray)
        if item.dtype.kind not in "iu":
            raise Refused(f"{where} has a malformed index ({key} of dtype {item.dtype}).")
        return item.astype(np.int64)

    kind = spec.get("kind")
    names = part("names", list)
    if not all(map(is_plain, names)):
        raise Refused(f"{where} has index names that are not plain values.")
    try:
        if kind == "multi":
            levels, codes = part("levels", list), part("codes", list)
            if not all(isinstance(x, pd.Index) for x in levels) or not all(
                isinstance(c, np.ndarray) and c.dtype.kind in "iu" for c in codes
            ):
                raise Refused(f"{where} has a malformed multi-level index.")
            return pd.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=True)
        (name,) = names
        if kind == "range":
            bounds = part("range", list)
            if len(bounds) != 3 or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
                raise Refused(f"{where} has a malformed range index.")
            start, stop, step = bounds
            length = 0 if step == 0 else max(0, -((start - stop) // step))  # len(range), without its overflow
            arrays.range_values_left -= length
            if arrays.range_values_left < 0:  # a few numbers each, that pandas expands into arrays
                raise Refused(
                    f"{where} has a range index of {length} values, which take the file's range indexes "
                    f"beyond the {MAX_RANGE_LENGTH} values an array of this format can hold."
                )
            return pd.RangeIndex(*bounds, name=name)
        if kind == "period":
            ordinals = integers("ordinals")
            freq = frequency_name(part("freq", str), where)
            index = pd.PeriodIndex.from_ordinals(ordinals, freq=freq, name=name)
            if not within_years(index):
                raise Refused(f"{where} has periods outside the years 1 to 9999, which save never writes.")
            return index
        if kind == "datetime":
            unit, freq = part("unit", str), decode_frequency(part("freq", (str, list, type(None))), where)
            tz = _decoded_time_zone(decode(spec.get("tz"), arrays, where), where)
            if unit not in ("s", "ms", "us", "ns"):
                raise Refused(f"{where} has datetime unit {unit!r}.")
            index = pd.DatetimeIndex(integers("i8").view(f"M8[{unit}]"), name=name)
            if tz is not None:
                index = index.tz_localize("UTC").tz_convert(tz)
            arrays.charge_dates(index, None if freq is None else to_offset(freq), where)
            return index if freq is None else pd.DatetimeIndex(index, freq=freq)
        if kind == "timedelta":
            unit, freq = part("unit", str), frequency_name(part("freq", (str, type(None))), where)
            if unit not in ("s", "ms", "us", "ns"):
                raise Refused(f"{where} has timedelta unit {unit!r}.")
            index = pd.TimedeltaIndex(integers("i8").view(f"m8[{unit}]"), name=name)
            return index if freq is None else pd.TimedeltaIndex(index, freq=freq)
        if kind == "values":
            return pd.Index(part("values", np.ndarray), name=name)
        if kind == "objects":
            items = part("values", list)
            if not all(map(is_plain, items)):
                raise Refused(f"{where} holds index values that are not plain.")
            return pd.Index(items, dtype=object if part("object", bool) else None, name=name)
    except Refused:
        raise
    except Exception as exc:  # pandas or zoneinfo refusing the parts: a bad freq (ValueError, OverflowError),
        # codes out of range, an unknown zone (ZoneInfoNotFoundError, IsADirectoryError for "Europe")
        raise Refused(
            f"{where} holds an index pandas cannot build ({type(exc).__name__}: {str(exc)[:200]})."
        ) from None
    raise Refused(f"{where} has an index of unknown kind {str(kind)[:40]!r}.")


def _decode_frame(spec: dict, arrays: StoredArrays, where: str) -> pd.DataFrame:
    index = decode(spec.get("index"), arrays, f"{where}.index")
    columns = decode(spec.get("columns"), arrays, f"{where}.columns")
    data = decode(spec.get("data"), arrays, where)
    if not (
        isinstance(index, pd.Index)
        and isinstance(columns, pd.Index)
        and isinstance(data, list)
        and len(data) == len(columns)
        and all(isinstance(c, np.ndarray) and c.shape == (len(index),) for c in data)
    ):
        raise Refused(f"{where} holds a malformed data frame.")
    if not len(data):  # no column's array bounds its index: a few numbers could declare any length
        raise Refused(f"{where} holds a data frame without columns, which save never writes.")
    frame = pd.DataFrame(dict(enumerate(data)), index=index)
    frame.columns = columns
    return frame


def plain_json(value: Any) -> Any:
    """``json.dumps`` default for the training history (numpy scalars only)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"the training history holds {value!r} of type {type(value).__name__}")
