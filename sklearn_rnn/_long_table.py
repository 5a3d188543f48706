"""Long tables (one row per id and time step) split into sequences, with their ids and labels.

This module owns :func:`from_long_table` and its checks of the table's id, time,
feature and label columns; the arrays it returns are validated like any other
ragged input by :mod:`sklearn_rnn._data`.
"""

from __future__ import annotations

import datetime
import math
import warnings
from collections.abc import KeysView
from numbers import Number, Real
from typing import Any

import numpy as np
import pandas as pd

from ._data import MOSTLY, _numbers_of, comma_number_advice, mixed_strings

__all__ = ["from_long_table"]


def _columns(value: Any, name: str) -> list:
    """A column argument as a list of column names (one name, or a list of them, in their order)."""
    if value is None:
        return []
    if isinstance(value, (set, frozenset)):
        raise TypeError(
            f"{name} is a set, which has no order, but the columns are read in the order given (by "
            f"position, later): the same set could give them in another order in another process. "
            f"Pass a list, e.g. {name}=[c for c in data.columns if c in {sorted(value, key=str)!r}] "
            "(the table's order)."
        )
    if isinstance(value, (list, tuple, pd.Index, np.ndarray, pd.Series, KeysView)):
        return list(value)  # a Series of names (meta.loc[..., "name"]) or dict keys: in their order
    return [value]


def _first_row(data: pd.DataFrame, mask: np.ndarray) -> str:
    """Where the first flagged row of ``data`` is, in words."""
    return f"row index {data.index[int(np.flatnonzero(mask)[0])]!r}"


def _id_codes(data: pd.DataFrame, id_col: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each row's sequence number (ids numbered in order of first appearance) and the ids."""
    codes, ids = pd.factorize(data[id_col], sort=False)
    missing = codes < 0
    if missing.any():
        raise ValueError(
            f"The id column {id_col!r} is missing (NaN or None) in {int(missing.sum())} row(s), the first "
            f"at {_first_row(data, missing)}. Every row needs the id of its sequence: drop those rows "
            f"(data.dropna(subset=[{id_col!r}])) or fill in their ids."
        )
    # True == 1 and False == 0: factorize gives them one code, so the ids it returns show one of each pair;
    # the rows are read only where the ids hold a truth value or a 0 or 1 (not for text ids)
    suspect = any(isinstance(v, bool | np.bool_) or (isinstance(v, Number) and v in (0, 1)) for v in ids)
    if data[id_col].dtype == object and suspect:
        truths = data[id_col].map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
        if truths.any() and not truths.all():
            truth, other = (data[id_col].iloc[int(f(truths))] for f in (np.argmax, np.argmin))
            raise ValueError(
                f"The id column {id_col!r} mixes True/False with other values (e.g. {truth!r} and {other!r}"
                "): True and 1 (False and 0) would name one sequence. Give the ids one type, e.g. "
                f"data[{id_col!r}] = data[{id_col!r}].astype(str)."
            )
    strings = mixed_strings(ids)
    if strings is not None:
        number, string = ids[np.argmax(~strings)], ids[np.argmax(strings)]
        raise ValueError(
            f"The id column {id_col!r} mixes strings and other values (e.g. {string!r} and {number!r}), as "
            "where tables read with different dtypes were concatenated: 1 and '1' would name two "
            f"sequences. Give the ids one type, e.g. data[{id_col!r}] = data[{id_col!r}].astype(str)."
        )
    return codes, np.asarray(ids)


def _time_key(data: pd.DataFrame, time_col: Any) -> tuple[np.ndarray, str, int]:
    """The time column as sortable numbers, its kind, and the nanoseconds in one unit of the numbers.

    Dates and durations become int64 counts of their own unit (pandas 3 keeps
    dates beyond the nanosecond range, such as 2999-12-31, at microseconds);
    an object column of Python numbers is read as numbers (unit 1).
    """
    column = data[time_col]
    if pd.api.types.is_object_dtype(column.dtype) and pd.api.types.infer_dtype(column, skipna=True) in (
        "integer",
        "floating",
        "mixed-integer-float",
    ):
        numbers = pd.to_numeric(column)  # object again for integers beyond int64: refused below
        if not pd.api.types.is_object_dtype(numbers.dtype):
            column = numbers
    dtype = column.dtype
    unit_ns = 1
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        kind = "datetime" if pd.api.types.is_datetime64_any_dtype(dtype) else "timedelta"
        index = pd.DatetimeIndex(column) if kind == "datetime" else pd.TimedeltaIndex(column)
        key, missing = index.asi8, np.asarray(column.isna())
        unit_ns = int(pd.Timedelta(1, unit=index.unit).value)  # 1 for ns, 1000 for us, ...
    elif pd.api.types.is_integer_dtype(dtype) and not column.isna().any():
        # kept as integers: as float64, times beyond 2**53 apart by less than their spacing (epoch
        # nanoseconds, 64-bit counters) would compare equal and keep the table's row order
        kind, missing = "number", np.zeros(len(column), dtype=bool)
        key = column.to_numpy(dtype=getattr(dtype, "numpy_dtype", dtype))
    elif pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        kind = "number"
        key = column.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = ~np.isfinite(key)
    else:
        raise ValueError(_time_column_refusal(column, time_col))
    if missing.any():
        what = "NaN or inf" if kind == "number" else "NaT"
        raise ValueError(
            f"The time column {time_col!r} is missing ({what}) in {int(missing.sum())} row(s), the first "
            f"at {_first_row(data, missing)}. A row without a time cannot be placed in its sequence: "
            f"drop those rows (data.dropna(subset=[{time_col!r}])) or fill in their times."
        )
    return key, kind, unit_ns


def _time_column_refusal(column: pd.Series, time_col: Any) -> str:
    """Why the time column cannot order the steps, and how to convert it."""
    dtype = column.dtype
    values = column.dropna()
    example = values.iloc[0] if len(values) else None
    held = pd.api.types.infer_dtype(column, skipna=True)
    if len(values) and all(isinstance(v, datetime.time) for v in values):  # with NaT: "mixed" to pandas
        held = "time"
    start = f"The time column {time_col!r} must hold numbers, datetimes or durations, but it holds"
    if held == "string":
        return (
            f"{start} text (dtype {dtype}, e.g. {example!r}), which would sort as text. Parse it first: "
            f"data[{time_col!r}] = pd.to_datetime(data[{time_col!r}]) for dates, or "
            f"pd.to_numeric(data[{time_col!r}]) for numbers."
        )
    if held == "period" or isinstance(dtype, pd.PeriodDtype):
        return (
            f"{start} periods (dtype {dtype}, e.g. {example!r}). Convert them to the start of each "
            f"period first: data[{time_col!r}] = data[{time_col!r}].dt.to_timestamp()."
        )
    if held in ("datetime", "datetime64", "date", "timedelta"):  # objects: as database drivers give them
        durations = held == "timedelta"
        utc = " (add utc=True where some carry another UTC offset, or none)" if held == "datetime" else ""
        objects = "numpy datetime64" if held == "datetime64" else f"Python {held}"
        return (
            f"The time column {time_col!r} holds {objects} objects in a column of dtype {dtype} (e.g. "
            f"{example!r}), not a {'timedelta64' if durations else 'datetime64'} column. Convert it "
            f"first: data[{time_col!r}] = {'pd.to_timedelta' if durations else 'pd.to_datetime'}"
            f"(data[{time_col!r}]){utc}."
        )
    if held == "time":
        naive = f"data[{time_col!r}]"
        # "10:00:00+00:00" parses as no duration: the zone is dropped first
        if any(getattr(v, "tzinfo", None) is not None for v in values):
            naive = f'data[{time_col!r}].map(lambda t: t.replace(tzinfo=None), na_action="ignore")'
        return (
            f"The time column {time_col!r} holds times of day without a date (e.g. {example!r}). Convert "
            f"them to durations since midnight first: data[{time_col!r}] = "
            f"pd.to_timedelta({naive}.astype(str)), or combine them with their dates."
        )
    if held == "integer":
        return (
            f"{start} integers beyond the int64 range (e.g. {example!r}). Rescale them first, e.g. "
            "subtract the first time."
        )
    return (
        f"{start} {dtype} values of type {held} (e.g. {example!r}), which do not order as times. "
        "Convert it to one kind first: numbers (pd.to_numeric), datetimes (pd.to_datetime) or "
        "durations (pd.to_timedelta)."
    )


def _feature_values(data: pd.DataFrame, feature_cols: list, inferred: bool) -> np.ndarray:
    """The feature columns as one float array (float32 when all of them are), each column checked."""
    taken = " (feature_cols=None takes every column but the id, time and label columns)" if inferred else ""
    for col in feature_cols:
        column = data[col]
        dtype = column.dtype
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            raise TypeError(
                f"Column {col!r} holds dates or durations (dtype {dtype}), which are not features a "
                f"network can read{taken}. Encode them as numbers first (e.g. elapsed seconds, hour of "
                "day) or leave the column out with feature_cols=[...]; time_delta=True adds the time "
                "since the previous step as a feature."
            )
        if pd.api.types.is_bool_dtype(dtype) or (
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype)
        ):
            continue
        values = column.dropna()
        if isinstance(dtype, pd.CategoricalDtype) and pd.api.types.is_numeric_dtype(dtype.categories.dtype):
            raise ValueError(
                f"Column {col!r} is a categorical of numbers (dtype {dtype}){taken}: pass its values as "
                f"numbers, data[{col!r}] = data[{col!r}].astype(float), or, if they are labels of "
                f"kinds rather than amounts, one-hot columns with pd.get_dummies(data, columns=[{col!r}])."
            )
        text = [v for v in values.head(10_000) if isinstance(v, (str, bytes))]
        # numbers, as numbers or text, with a stray marker ("72", 65, "n/a"): no categories, whose codes
        # would renumber them; a clear majority, so that grades "1", "2", "A", "B" stay categories
        sample = values.head(1000).astype(object)
        if len(text) and (commas := comma_number_advice(sample, f"data[{col!r}]")):
            raise ValueError(f"Column {col!r} holds {commas}{taken}.")
        numbers = pd.to_numeric(sample, errors="coerce")
        if len(text) and numbers.notna().mean() >= MOSTLY:
            others, example = sample[numbers.isna().to_numpy()].tolist(), sample[numbers.notna()].iloc[0]
            raise ValueError(
                f"Column {col!r} holds numbers, some written as text (e.g. {example!r}"
                + (f", and {others[0]!r}, which is no number" if others else "")
                + f"){taken}. Convert it explicitly: data[{col!r}] = pd.to_numeric(data[{col!r}], "
                "errors='coerce') (text that is no number becomes NaN, a gap that missing='mask' reads)."
            )
        if text or not pd.api.types.is_object_dtype(dtype):
            example = text[0] if text else (values.iloc[0] if len(values) else None)
            raise ValueError(
                f"Column {col!r} holds text or categories (dtype {dtype}, e.g. {example!r}), which could "
                f"not convert to float{taken}. Features must be numbers: encode it first (one-hot "
                f"columns with pd.get_dummies(data, columns=[{col!r}]), or codes with "
                f"data[{col!r}].astype('category').cat.codes), or leave it out with "
                f"feature_cols=[...]. If it is the target, pass label_col={col!r}."
            )
    frame = data[feature_cols]
    float32 = all(dtype == np.float32 for dtype in frame.dtypes)
    try:  # pd.NA among numbers held as objects is NaN, as in a nullable column
        if float32:
            values = frame.to_numpy(dtype=np.float32, na_value=np.nan)
        else:
            values = _numbers_of(frame).astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The feature columns {feature_cols} hold objects that could not convert to float ({exc}). "
            "Features must be numbers: convert the offending column first or leave it out."
        ) from exc
    infinite = np.isinf(values)
    if infinite.any():
        row, col = np.argwhere(infinite)[0]
        raise ValueError(
            f"Column {feature_cols[col]!r} holds infinite values, the first at row index "
            f"{data.index[row]!r}. Replace them first (e.g. with NaN, which missing='mask' handles)."
        )
    return values


def _constant_within_ids(frame: pd.DataFrame, codes: np.ndarray) -> list:
    """The columns of ``frame`` with one value per id (as labels and static attributes have)."""
    if len(frame) == 0 or np.bincount(codes).max() < 2:
        return []
    unique = frame.groupby(codes).nunique(dropna=False).max()
    return [col for col in frame.columns if unique[col] <= 1]


def _labels(
    data: pd.DataFrame, label_cols: list, codes: np.ndarray, ids: np.ndarray, id_col: Any
) -> np.ndarray:
    """Each id's row of ``label_cols`` (in the order of ``ids``), which must not vary within an id."""
    frame = data[label_cols]
    unique = frame.groupby(codes).nunique(dropna=False)
    for col in label_cols:
        varying = np.flatnonzero(unique[col].to_numpy() > 1)
        if len(varying):
            values = pd.unique(frame.loc[codes == varying[0], col])[:5].tolist()
            raise ValueError(
                f"The label column {col!r} is not constant within {len(varying)} id(s), e.g. id "
                f"{ids[varying[0]]!r} has labels {values}. from_long_table returns one label per "
                f"sequence: make it one value per id first, e.g. data[{col!r}] = "
                f"data.groupby({id_col!r})[{col!r}].transform('max') for 'positive at any step'."
            )
    labels = frame.iloc[np.unique(codes, return_index=True)[1]]  # codes number the ids 0, 1, ...
    absent = labels.isna().to_numpy().any(axis=1)
    if absent.any():
        raise ValueError(
            f"The label column(s) {label_cols} are missing (NaN) for {int(absent.sum())} id(s), e.g. "
            f"{ids[np.flatnonzero(absent)[0]]!r}. Drop those ids from data or fill in their labels."
        )
    if all(pd.api.types.is_bool_dtype(d) for d in labels.dtypes):
        return labels.to_numpy(dtype=bool)  # True/False, as the column has them (nullable too)
    if all(pd.api.types.is_bool_dtype(d) or pd.api.types.is_integer_dtype(d) for d in labels.dtypes):
        return labels.to_numpy(dtype=np.int64)  # nullable Int64 or boolean columns: not objects
    if all(pd.api.types.is_numeric_dtype(d) for d in labels.dtypes):
        return labels.to_numpy(dtype=np.float64)
    return labels.to_numpy()


_DAY_NS = 86_400 * 10**9


def _time_step(resample: Any, kind: str, unit_ns: int = 1) -> float | tuple[int, int]:
    """The grid step of ``resample`` in the units of the time key.

    A float for numeric times; for dates and durations the exact fraction
    ``(numerator, denominator)`` of units (keys count units of ``unit_ns``
    nanoseconds, and a step need not be a whole number of them).
    """
    if kind == "number":
        if not isinstance(resample, Real) or isinstance(resample, bool) or not 0 < resample < np.inf:
            raise ValueError(
                f"resample must be a positive number in the units of the time column, which holds "
                f"numbers, got {resample!r}. Pass e.g. resample=1, or datetimes in the time column to "
                "resample them with a step such as '1h'."
            )
        return float(resample)
    step = None
    fixed = (pd.offsets.Tick, pd.offsets.Day, pd.offsets.Week)
    try:
        # a bare number would be read as nanoseconds; pandas reads "1MS" as a millisecond
        if isinstance(resample, str) and isinstance(pd.tseries.frequencies.to_offset(resample), fixed):
            step = pd.Timedelta(resample)
        elif isinstance(resample, np.timedelta64) or not isinstance(resample, (str, Real, np.number)):
            step = pd.Timedelta(resample)
    except (TypeError, ValueError):
        pass
    if step is None or pd.isna(step) or step <= pd.Timedelta(0):
        raise ValueError(
            f"resample must be a positive fixed step such as '1h', '15min' or pd.Timedelta(days=1) for a "
            f"time column of {kind}s, got {resample!r} (a bare number has no unit; calendar months and "
            "years have no fixed length)."
        )
    step_ns = int(step.as_unit("ns").value)
    common = math.gcd(step_ns, unit_ns)
    return step_ns // common, unit_ns // common


def _to_grid(
    values: np.ndarray,
    times: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    step: float | tuple[int, int],
    ids: np.ndarray,
    resample: Any,
) -> list[np.ndarray]:
    """Each sequence on a regular grid of ``step`` from its first time; rows in one step averaged.

    Steps without a row hold NaN (a gap the estimators mask with ``missing="mask"``). A grid
    that is nearly all gaps and large (``resample`` too fine for the span of ``ids``) is refused.
    """
    sequence = np.repeat(np.arange(len(counts)), counts)
    elapsed = times - times[starts][sequence]
    # the grid's size first, in floats (a float step's bins would overflow int64 on a huge span)
    spans = elapsed[starts + counts - 1] / (step[0] / step[1] if isinstance(step, tuple) else step) + 1
    total = float(spans.sum())
    if total > 100 * len(values) and total * values.shape[1] > 10_000_000:
        longest = int(np.argmax(spans))
        raise ValueError(
            f"resample={resample!r} puts the {len(values):,} rows on a grid of {total:,.0f} steps (id "
            f"{ids[longest]!r} alone spans {spans[longest]:,.0f}): over 99% of the steps would be gaps, and "
            f"the grid would take {total * values.shape[1] * values.itemsize / 2**30:,.1f} GiB. Choose a "
            "coarser step, or keep every row a step and give the network the gaps with time_delta=True."
        )
    if isinstance(step, tuple):  # elapsed * den // num exactly, without the product's overflow
        num, den = step
        if den == 1:
            bins = elapsed // num
        elif num <= np.iinfo(np.int64).max // den:
            bins = (elapsed // num) * den + (elapsed % num) * den // num
        else:  # a step of a huge odd number of units: Python integers
            bins = np.array([int(e) * den // num for e in elapsed.tolist()], dtype=np.int64)
    else:  # rounded first: 0.3 / 0.1 is 2.9999999999999996, the start of step 3
        bins = np.floor(np.round(elapsed / step, 9)).astype(np.int64)
    lengths = bins[starts + counts - 1] + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    rows = offsets[sequence] + bins
    observed = ~np.isnan(values)
    sums = np.zeros((int(lengths.sum()), values.shape[1]))
    seen = np.zeros(sums.shape)
    np.add.at(sums, rows, np.where(observed, values, 0.0))
    np.add.at(seen, rows, observed)
    with np.errstate(invalid="ignore", divide="ignore"):
        grid = (sums / seen).astype(values.dtype, copy=False)
    return np.split(grid, offsets[1:])


def from_long_table(
    data: pd.DataFrame,
    id_col: Any,
    time_col: Any,
    feature_cols: list | None = None,
    *,
    label_col: Any = None,
    time_delta: bool = False,
    resample: Any = None,
) -> tuple[list[np.ndarray], np.ndarray] | tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Split a long table (one row per id and time) into sequences, with their ids and labels.

    Rows are grouped by ``id_col`` in order of first appearance and sorted by
    ``time_col`` within each id. No row is dropped: a duplicated (id, time)
    pair, a missing id or a missing time is an error that names the column.

    Parameters
    ----------
    data : DataFrame
        The long table.
    id_col : str
        Column naming the sequence each row belongs to. One column: combine
        ids made of several columns first (``list(zip(data["patient"],
        data["visit"]))`` gives tuple ids). Ids of one kind: a column mixing
        strings with numbers (1 and "1") is refused.
    time_col : str
        Column giving each row's position in time: numbers (an object column
        of Python numbers too), datetimes or durations at any resolution
        pandas keeps (pandas 3 holds dates such as 2999-12-31 at
        microseconds). Text and periods are refused with their conversion
        (``pd.to_datetime``, ``.dt.to_timestamp()``).
    feature_cols : list of str, default=None
        Columns to use as features, in this order (pass the same list for the data you
        predict on: the returned arrays are read by position, so a table whose columns come
        in another order would otherwise swap features). None takes every column
        other than ``id_col``, ``time_col`` and ``label_col``, and warns with
        the list taken (a target left in the table would become a feature):
        pass the list to choose the features and silence the warning. Text,
        category and date columns are refused with the fix.
    label_col : str or list of str, default=None
        Column(s) holding each sequence's target. They are never features,
        must hold one value per id (an error names the first id where they
        vary) and are returned aligned with the sequences. A list gives a 2D
        array, e.g. 0/1 indicator columns of several faults for a multi-label
        :class:`~sklearn_rnn.RNNClassifier`.
    time_delta : bool, default=False
        Append the elapsed time since the previous step of the same sequence as
        the last feature (0 at the first step), in seconds for datetimes and
        durations, in the time column's units for numbers. Use it when the
        steps are irregular and the gaps matter: the network otherwise reads
        steps one minute and two days apart as neighbours.
    resample : str, pd.Timedelta or float, default=None
        Put each sequence on a regular grid of this step instead (e.g. "1h" for
        datetimes, 0.5 for numeric times), starting at its first time: rows in
        one step are averaged feature by feature, steps without rows are NaN.
        Whole days of time-zone-aware dates step by the local calendar (a day
        of 23 or 25 hours at a clock change is one step), as pandas' own
        ``resample("1D")`` does, however the step is written ("24h" and
        "86400s" too, which pandas counts in elapsed hours); shorter steps by
        elapsed time.
        Fit with ``missing="mask"`` so the network sees the gaps as missing
        values (the default ``missing="error"`` refuses NaN). Cannot be
        combined with ``time_delta``. A step so fine that the grid would be
        over 99% gaps and above 10 million values is refused before the grid
        is allocated.

    Returns
    -------
    sequences : list of ndarray of shape (n_timesteps_i, n_features)
        One float array per id (float32 when every feature column is).
    ids : ndarray of shape (n_sequences,)
        The id of each sequence, in the same order.
    labels : ndarray of shape (n_sequences,) or (n_sequences, n_labels)
        Returned when ``label_col`` is given: each sequence's label(s), in the
        same order; 2D when ``label_col`` is a list. Boolean columns give
        booleans, integer and boolean columns together give integers (0/1
        indicator columns for a multi-label classifier).

    See Also
    --------
    sklearn_rnn.from_sktime : Convert sktime panel data.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_rnn import from_long_table
    >>> table = pd.DataFrame(
    ...     {"id": ["a", "a", "b"], "t": [2, 1, 1], "x": [2.0, 1.0, 5.0], "y": [1, 1, 0]}
    ... )
    >>> sequences, ids, labels = from_long_table(table, "id", "t", ["x"], label_col="y")
    >>> ids.tolist(), sequences[0].ravel().tolist(), labels.tolist()
    (['a', 'b'], [1.0, 2.0], [1, 0])
    """
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    for name, value in (("id_col", id_col), ("time_col", time_col)):
        if isinstance(value, (list, pd.Index, np.ndarray)) or (
            isinstance(value, tuple) and value not in data.columns  # tuples name MultiIndex columns
        ):
            fix = (
                "For ids made of several columns, combine them into one first, e.g. data['key'] = "
                f"list(zip({', '.join(f'data[{c!r}]' for c in value)})), and pass id_col='key'."
                if name == "id_col"
                else "Pass the one column that orders the steps."
            )
            raise TypeError(f"{name} must name one column of data, got {value!r}. {fix}")
    inferred = feature_cols is None
    feature_cols, label_cols = _columns(feature_cols, "feature_cols"), _columns(label_col, "label_col")
    missing = [c for c in (id_col, time_col, *feature_cols, *label_cols) if c not in data.columns]
    if missing:
        named = [c for c in missing if c in data.index.names]
        hint = (
            f" {named} {'is' if len(named) == 1 else 'are'} the index of data: pass data.reset_index()."
            if named
            else ""
        )
        raise ValueError(f"Columns {missing} are not in data; it has {list(data.columns)}.{hint}")
    if len(data) == 0:
        raise ValueError("data has no rows; at least one row per sequence is required.")
    if not data.columns.is_unique:
        raise ValueError(
            f"data has duplicated column names {data.columns[data.columns.duplicated()].unique().tolist()}; "
            "rename them first so that each column can be named once."
        )
    if id_col == time_col:
        raise ValueError(f"id_col and time_col are the same column {id_col!r}; they must differ.")
    for col in label_cols:
        if col in (id_col, time_col):
            raise ValueError(f"label_col {col!r} is also the id or time column; pass the target's column.")
    roles = {
        id_col: "the id column: it names the sequences",
        time_col: "the time column: it orders the steps (time_delta=True adds the elapsed time instead)",
        **{col: "a label column: the target would leak into X" for col in label_cols},
    }
    for col in feature_cols:
        if col in roles:
            raise ValueError(f"feature_cols includes {col!r}, {roles[col]}. Remove it from feature_cols.")
    if inferred:
        feature_cols = [c for c in data.columns if c not in roles]
    if not feature_cols:
        raise ValueError("data has no feature columns besides the id, time and label columns.")
    if not isinstance(time_delta, (bool, np.bool_)):
        raise TypeError(f"time_delta must be True or False, got {time_delta!r}.")
    if time_delta and resample is not None:
        raise ValueError(
            "time_delta=True and resample cannot be combined: after resampling every step is "
            "resample long. Use one of them (resample with missing='mask' keeps the gaps as NaN steps)."
        )

    codes, ids = _id_codes(data, id_col)
    times, kind, unit_ns = _time_key(data, time_col)
    step = None if resample is None else _time_step(resample, kind, unit_ns)
    column = data[time_col]
    if isinstance(step, tuple) and isinstance(column.dtype, pd.DatetimeTZDtype):
        if (step[0] * unit_ns) % (step[1] * _DAY_NS) == 0:  # whole days: the local calendar's
            times = pd.DatetimeIndex(column).tz_localize(None).asi8  # (a day of 23 or 25 hours is one)
    duplicated = data.duplicated([id_col, time_col])
    if duplicated.any():
        first = data.loc[duplicated, [id_col, time_col]].iloc[0].tolist()
        others = [c for c in data.columns if c not in (id_col, time_col, *feature_cols, *label_cols)]
        # a column that tells the sequences apart (a site, a visit), if the table has one
        apart = next((c for c in others if not data.duplicated([c, id_col, time_col]).any()), None)
        named = f"data[{apart!r}]" if apart is not None else "data['site']"
        raise ValueError(
            f"data has {int(duplicated.sum())} duplicated ({id_col}, {time_col}) rows, "
            f"the first being {first}. If they are repeated readings of one sequence, aggregate them "
            f"first (e.g. data.groupby([{id_col!r}, {time_col!r}], as_index=False).mean()); if they "
            f"belong to different sequences that share an id (two sites numbering patients from 1, a "
            f"visit column left out), make the id unique first: data['key'] = list(zip({named}, "
            f"data[{id_col!r}])), and pass id_col='key'"
            + ("." if apart is not None else " ('site': the column that tells them apart).")
        )
    values = _feature_values(data, feature_cols, inferred)
    if inferred:
        constant = _constant_within_ids(data[feature_cols], codes)
        hint = (
            f" Of these, {constant} hold one value per id, as labels do: if one is the target, "
            "pass label_col=... to keep it out of X."
            if constant
            else ""
        )
        warnings.warn(
            f"from_long_table took the features {feature_cols} (every column but the id, time and "
            f"label columns, in the table's order).{hint} Pass feature_cols=[...] to choose the "
            "features and silence this warning, and pass the same list for the data you predict on: "
            "the sequences are arrays, read by position, so a table whose columns come in another "
            "order would swap the features without an error.",
            UserWarning,
            stacklevel=2,
        )
    labels = _labels(data, label_cols, codes, ids, id_col) if label_cols else None

    order = np.lexsort((times, codes))  # by id (in order of appearance), then by time
    counts = np.bincount(codes, minlength=len(ids))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    values, times = values[order], times[order]
    if time_delta:
        delta = np.diff(times, prepend=times[:1]).astype(np.float64)
        delta[starts] = 0.0
        if kind != "number":
            delta *= unit_ns / 1e9  # the time unit's counts -> seconds
        values = np.column_stack([values, delta.astype(values.dtype)])
    if step is not None:
        sequences = _to_grid(values, times, starts, counts, step, ids, resample)
    else:
        sequences = np.split(values, starts[1:])
    if labels is None:
        return sequences, ids
    single = not isinstance(label_col, (list, tuple, pd.Index, np.ndarray))
    return sequences, ids, labels[:, 0] if single else labels
