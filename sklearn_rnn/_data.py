"""Every accepted input layout, turned into zero-padded float32 sequences.

This is the one module that knows about layouts. Public 3D arrays are
``(n_samples, n_timesteps, n_features)``; a 2D array is
``(n_samples, n_timesteps)`` and univariate; ragged input is a list of
``(T_i, n_features)`` or ``(T_i,)`` arrays. sktime's ``numpy3D`` layout
``(n, n_features, n_timesteps)`` is transposed only in :func:`from_sktime`.
Long tables (one row per id and time) are split into sequences by
:func:`~sklearn_rnn._long_table.from_long_table`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, MappingView, Set
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pandas.api.typing import DataFrameGroupBy, SeriesGroupBy
from sklearn.utils.validation import check_array, validate_data

from ._runtime import user_stacklevel

__all__ = ["Sequences", "from_sktime", "validate_sequences"]

_NUMERIC = [np.float64, np.float32]


@dataclass(frozen=True)
class Sequences:
    """A batch of sequences as one zero-padded array and their true lengths.

    Attributes
    ----------
    values : ndarray of shape (n_samples, max_length, n_features), float32
        Time steps past a sequence's length are zero and never read by the model.
    lengths : ndarray of shape (n_samples,), int64
        Number of observed time steps of each sequence.
    tabular : bool
        Whether the input was a 2D ``(n_samples, n_timesteps)`` table.
    reference : ndarray of shape (n_features,) or None
        The reference level of each feature that ``values`` are relative to
        (None: none, the values as given).
    level : ndarray of shape (n_features,) or None
        The part of ``reference`` still to subtract from ``values`` as they are
        read (float32 input is kept as given, so a view such as
        :func:`~sklearn_rnn.preprocessing.sliding_windows`' is not copied); None
        when ``values`` are already relative to it.
    """

    values: np.ndarray
    lengths: np.ndarray
    tabular: bool
    reference: np.ndarray | None = None
    level: np.ndarray | None = None

    @property
    def equal_lengths(self) -> bool:
        return bool(self.lengths.size == 0 or self.lengths.min() == self.values.shape[1])


def _reject_panel_frame(X: pd.DataFrame) -> None:
    if isinstance(X.columns, pd.MultiIndex) and len(X.columns.droplevel(-1).unique()) > 1:
        raise TypeError(
            f"X has MultiIndex columns (levels {list(X.columns.names)}), e.g. a pivot with several "
            "values per time step; a 2D X is read as univariate sequences (n_samples, n_timesteps), "
            "which would run the features one after the other. Stack the features on a third axis "
            "first, e.g. np.stack([X[f].to_numpy() for f in features], axis=-1) of shape "
            "(n_samples, n_timesteps, n_features)."
        )
    objects = X.columns[X.dtypes.map(pd.api.types.is_object_dtype)]
    if any(X[c].map(lambda v: isinstance(v, (np.ndarray, list, tuple))).any() for c in objects):
        # e.g. groupby(id)[features].agg(list): sktime reads Series cells only (from_sktime refuses these)
        raise TypeError(
            "X is a DataFrame with cells holding sequences (lists or arrays, e.g. from "
            "groupby(...).agg(list)), which is no layout the estimators read. Pass one (n_timesteps, "
            "n_features) array per row, its columns the features: X = [np.column_stack(row) for row in "
            "X[features].itertuples(index=False)], with features the columns holding sequences, and y "
            "in the order of X's rows."
        )
    if isinstance(X.index, pd.MultiIndex):
        # a pivot on several keys (pivot_table(index=["patient", "visit"], columns="t")) has this layout
        # too: from_sktime would read its second key as time and its time steps as features
        raise TypeError(
            f"X looks like sktime panel data: its rows have a MultiIndex (levels {list(X.index.names)}). "
            "If each row is one instance at one time point and the columns are features (sktime's "
            "panel), convert it first with sklearn_rnn.from_sktime(X), which returns a 3D array or a "
            "list of (n_timesteps, n_features) arrays. If each row is one sequence and the columns "
            "are its time steps (a wide table pivoted on several keys), pass X.reset_index(drop=True), "
            "with y in the order of its rows."
        )
    if any(X[c].map(lambda v: isinstance(v, pd.Series)).any() for c in objects):
        raise TypeError(
            "X looks like sktime panel data (cells holding sequences). "
            "Convert it first with sklearn_rnn.from_sktime(X), which returns a 3D "
            "array or a list of (n_timesteps, n_features) arrays."
        )


def _is_time_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` holds dates, durations or periods (numpy's; pandas' with a zone or a frequency)."""
    return getattr(dtype, "kind", None) in ("M", "m") or isinstance(
        dtype, (pd.DatetimeTZDtype, pd.PeriodDtype)
    )


def _refuse_text(dtype: Any, where: str = "X") -> None:
    """Text is never parsed as numbers, numeric text included (scikit-learn refuses it too).

    Nor are dates and durations: numpy would turn them into nanosecond counts.
    """
    if _is_time_dtype(dtype):
        raise TypeError(
            f"{where} holds dates or durations (dtype {dtype}), which are not features a network "
            "can read as they are. Encode them as numbers first (e.g. elapsed seconds, day of "
            "week), or drop them if they only order the time steps."
        )
    if getattr(dtype, "kind", None) in ("U", "S") or isinstance(dtype, pd.StringDtype):
        raise ValueError(
            f"{where} must hold numbers, but it holds text (dtype {dtype}). Convert numeric text "
            "explicitly (e.g. X.astype(float)). Encode categorical features as numbers first "
            "(ordinal codes or one-hot columns per time step)."
        )


def _refuse_table_columns(X: pd.DataFrame) -> None:
    """Name the columns of a 2D table that hold dates or text, which a long table's ids and times do,
    and refuse dated columns (its time steps) out of time order, as a sequence's rows are."""
    dates = [c for c, d in X.dtypes.items() if _is_time_dtype(d)]
    text = [
        X.columns[j]
        for j, d in enumerate(X.dtypes)
        if not pd.api.types.is_numeric_dtype(d) and holds_text(X.iloc[:, j])
    ]
    long_table = (
        " If X is a long table, one row per time step with id and time columns, build its sequences "
        "first: X, ids = sklearn_rnn.from_long_table(X, id_col, time_col, feature_cols), with y in the "
        "order of ids."
    )
    if dates:
        raise TypeError(
            f"X has column(s) {dates[:5]} of dates or durations, which are not features a network can read "
            "as they are. Encode them as numbers first (e.g. elapsed seconds, day of week), or drop them if "
            f"they only order the time steps.{long_table}"
        )
    for column in text:  # "36,6": read_csv's options
        if commas := comma_number_advice(X[column].head(1000), f"X[{column!r}]"):
            raise ValueError(f"X must hold numbers, but column {column!r} holds {commas}.")
    if text:
        raise ValueError(
            f"X must hold numbers, but column(s) {text[:5]} hold text. Convert numeric text explicitly (e.g. "
            "X.astype(float)). Encode categorical features as numbers first (ordinal codes or one-hot "
            f"columns per time step).{long_table}"
        )
    steps = X.columns.get_level_values(-1) if isinstance(X.columns, pd.MultiIndex) else X.columns
    if isinstance(steps, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)) and (
        problem := _time_order_problem(steps)
    ):  # a wide table, one column a time step (pivot(values=[...]) names the value above): column order
        raise ValueError(
            f"X is a 2D table whose columns are its time steps, and its column index {problem}: the "
            "steps are read in column order. Sort the columns by time first, X.sort_index(axis=1), and "
            "aggregate the columns of a repeated time, e.g. X.T.groupby(level=0).mean().T."
        )


def _refuse_numbered_columns(X: pd.DataFrame) -> None:
    """Refuse a 2D table whose columns are labelled by numbers (or numbers written as text) neither
    increasing nor decreasing, or repeated.

    Read at ``fit`` only: a model fitted before reads its columns in the order it was fitted with.
    """
    columns = X.columns
    nested = isinstance(columns, pd.MultiIndex)
    if nested and columns.droplevel(-1).nunique() > 1:
        return  # several groups of steps (several values of a pivot): refused as features side by side
    labels = pd.Index(columns.get_level_values(-1) if nested else columns)
    text = len(labels) > 1 and bool(labels.map(type).isin([str]).all())
    numbers = pd.to_numeric(labels, errors="coerce") if text else labels  # '1', '10', '2': a text time
    if numbers.dtype.kind not in "iuf" or (text and np.isnan(numbers).any()):
        return
    numbers = pd.Index(numbers)
    if not numbers.has_duplicates and (numbers.is_monotonic_increasing or numbers.is_monotonic_decreasing):
        return  # in order, ascending or descending (spectra by falling wavenumber)
    shown_labels = ", ".join(map(repr, labels[:5].tolist())) + (", ..." if len(labels) > 5 else "")
    as_numbers = ""
    if text:  # int() reads '1' but not '1.0'
        kind = "int" if all(re.fullmatch(r"[+-]?\d+", label.strip()) for label in labels) else "float"
        drop = f"X = X.droplevel({list(range(columns.nlevels - 1))}, axis=1); " if nested else ""
        as_numbers = (
            f" They are numbers written as text ({shown_labels}), which "
            f"sort_index sorts as text, '10' before '2': make them numbers first, {drop}X.columns = "
            f"X.columns.astype({kind})."
        )
    if numbers.has_duplicates:
        repeated = labels[numbers.duplicated()].tolist()[0]
        raise ValueError(
            f"X is a 2D table whose columns are its time steps, but its column label {repeated!r} is "
            "repeated: a pandas table of several features side by side (pd.concat(..., axis=1) of "
            "numbered steps) is read as the steps of one. Pass several "
            "features as a 3D array (n_sequences, n_timesteps, n_features), or aggregate the columns of "
            f"a repeated step, e.g. X.T.groupby(level=-1).mean().T.{as_numbers}"
        )
    raise ValueError(
        f"X is a 2D table whose columns are its time steps, but its numbered column labels are neither "
        f"increasing nor decreasing ({shown_labels}): the steps are read in "
        f"column order. Sort them first, X = X.sort_index(axis=1), or, where the labels do not order the "
        f"steps and the columns already are in time order, pass X.to_numpy().{as_numbers}"
    )


def _warn_long_table(X: pd.DataFrame) -> None:
    """Warn of a table whose index holds each label on a run of rows longer than the table is wide."""
    index = X.index
    if isinstance(index, pd.MultiIndex) or not index.has_duplicates:
        return
    codes, uniques = pd.factorize(index)
    runs = 1 + int((np.diff(codes) != 0).sum())
    if runs == len(uniques) and len(index) > len(uniques) * X.shape[1]:  # runs longer than the row
        warnings.warn(
            "X's index holds each of its labels on a run of rows, longer than X has columns, as a long "
            "table's ids do (one row a time step); X is read as one sequence a row, its columns the time "
            "steps. If X is a long table, build its sequences first: X, ids = "
            "sklearn_rnn.from_long_table(X.reset_index(), id_col, time_col, feature_cols). If each row is "
            "a sequence of its own, pass X.reset_index(drop=True).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def holds_text(values: Any) -> bool:
    """Whether a column or array holds text: strings, categories of strings, or objects among them."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype) or getattr(dtype, "kind", None) in ("U", "S"):
        return True
    if isinstance(dtype, pd.CategoricalDtype):
        return not pd.api.types.is_numeric_dtype(dtype.categories.dtype)
    if pd.api.types.is_object_dtype(dtype):
        return any(isinstance(v, (str, bytes)) for v in np.asarray(values).flat)
    return False


def _refuse_text_values(values: Any, where: str = "X") -> None:
    """Refuse text held in objects or categories (numpy and pandas would parse numeric text)."""
    if isinstance(values, pd.DataFrame):  # the columns that can hold text (numbers' dtypes cannot)
        columns = [
            values.iloc[:, j] for j, d in enumerate(values.dtypes) if not pd.api.types.is_numeric_dtype(d)
        ]
    else:
        columns = [values]
    if any(holds_text(column) for column in columns):
        raise ValueError(
            f"{where} must hold numbers, but it holds text (objects or categories of strings). Convert "
            "numeric text explicitly (e.g. X.astype(float)). Encode categorical features as numbers "
            "first (ordinal codes or one-hot columns per time step)."
        )


def _is_ragged(X: Any) -> bool:
    if isinstance(X, pd.Series):  # a Series of arrays: e.g. groupby(...).apply(to_numpy)
        return (
            X.dtype == object
            and len(X) > 0
            and isinstance(X.iloc[0], (np.ndarray, list, tuple, pd.Series, pd.DataFrame))
        )
    if isinstance(X, np.ndarray):
        return X.dtype == object and X.ndim == 1
    if isinstance(X, (list, tuple)) and len(X) > 0:
        return any(isinstance(x, (np.ndarray, pd.DataFrame, pd.Series)) for x in X) or (
            len({np.shape(x) for x in X}) > 1
        )
    return False


def _check_ragged(
    X: Any,
    allow_nan: bool,
    dtype: type = np.float32,
    level: Any = None,
    *,
    fitting: bool = False,
    names: Any = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Check a list of sequences; return them zero-padded (in ``dtype``), their lengths and the level.

    ``level`` (a callable of the first steps ``(n, F)`` giving a level per
    feature, or an array of them) is subtracted from every step before the cast.
    ``fitting`` warns of features that look like ids or labels, named by
    ``names`` (None: by position; :func:`_warn_one_value_per_sequence`).
    """
    sequences = [_check_sequence(x, i) for i, x in enumerate(X)]
    _warn_skipped_time_points(X)
    n_features = {x.shape[1] for x in sequences}
    if len(n_features) > 1:
        raise ValueError(
            "All sequences of X must have the same number of features, got "
            f"{sorted(n_features)}. Sequences may differ in length, not in width: each is "
            "(n_timesteps, n_features); transpose sequences given as (n_features, n_timesteps), "
            "e.g. [x.T for x in X]."
        )
    if n_features == {0}:
        raise ValueError(
            f"The sequences of X have 0 features (the first has shape {sequences[0].shape}); at least "
            "one is required."
        )
    if fitting:
        _warn_one_value_per_sequence(sequences, names)
    if callable(level):
        first = np.stack([first_observed(x[None])[0] for x in sequences])
        exact = any(x.dtype != np.float32 for x in sequences)  # float32 as given: already rounded
        changes = lambda rows: np.stack([_changes(sequences[i]) for i in rows])  # noqa: E731
        level = level(first, changes if exact else None)
    elif level is not None and len(level) != sequences[0].shape[1]:
        level = None  # the feature count is refused by the caller
    values, lengths = _pad(sequences, dtype, level)
    # One check of the padded values (check_array costs ~0.5 ms per call, more than the model
    # on short sequences): a finite sum means no NaN, no inf and, in float32, nothing beyond its
    # range (float64 values, standardised before any cast, may exceed it). Otherwise each
    # sequence is checked, which raises the precise error. So is a level beyond float32's range
    # (the median of first steps above 3.4e38): the values read relative to it would all be 0.
    with np.errstate(over="ignore", invalid="ignore"):
        finite = bool(np.isfinite(values.sum())) and (level is None or bool(np.isfinite(level).all()))
    if not finite:
        for x in sequences:
            check_array(x, dtype=None, ensure_all_finite="allow-nan" if allow_nan else True, input_name="X")
            _check_float32_range(x)
    return values, lengths, level


def _warn_skipped_time_points(X: Any) -> None:
    """Warn where a sequence dated on a grid skips points of it (rows dropped, not NaN), naming the
    first such sequence (the others are not searched: the check stops there).

    The network reads the rows either side of a hole as neighbours: an outlier
    detector flagged every normal run that lost 7 of its 80 minutes (3 in 20
    with the minutes as NaN rows). Irregular sampling is the data's own and
    passes, and so does the hour a naive local clock skips when it goes forward
    (:func:`~sklearn_rnn._series.refuse_skipped_steps` draws the line).
    """
    from ._series import refuse_skipped_steps  # which imports this module

    for i, x in enumerate(X):
        index = getattr(x, "index", None)
        if isinstance(index, pd.MultiIndex):  # (id, time) rows of a groupby: the time is the last level
            index = index.get_level_values(-1)
        if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)) or len(index) < 3:
            continue
        try:
            refuse_skipped_steps(index, "x", "the network", panel=False, sequence=True)
        except ValueError as exc:
            keyed = " (its index has several levels: first x = x.droplevel(0))" if x.index.nlevels > 1 else ""
            warnings.warn(
                f"Sequence {i} of X skips time points of its grid: {exc}{keyed} Each such sequence x alike "
                "(this names the first): the classifier and the regressor read NaN with "
                "missing='mask', the outlier detector always. Where the holes are the data's own, see "
                "'Irregular time steps' in the user guide (time_delta, resample).",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
            return


def _warn_one_value_per_sequence(sequences: list[np.ndarray], names: Any) -> None:
    """Warn of features with one value in each sequence that differs between them, as an id or a label
    has: tables of a groupby (``[g for _, g in df.groupby("patient")]``) keep the id, time and label
    columns, and a label read as a feature at every step leaks the answer (a probe's cross-validated
    accuracy 0.975 on noise, 0.625 without it). Static attributes (age) are fine and warn alike.
    Read on the values as given (centred and cast, large levels would round small moves away)."""
    long = [x for x in sequences if len(x) >= 2]
    if len(long) < 2:
        return
    constant = np.ones(long[0].shape[1], dtype=bool)
    for x in long:  # most data clears every feature within the first sequences
        constant &= ((x == x[0]) | (np.isnan(x) & np.isnan(x[0]))).all(axis=0)
        if not constant.any():
            return
    firsts = np.array([x[0] for x in long], dtype=np.float64)
    varying = np.fmax.reduce(firsts, axis=0) > np.fmin.reduce(firsts, axis=0)  # NaN ignored
    which = np.flatnonzero(constant & varying).tolist()
    if not which:
        return
    listed = [names[i] for i in which] if names is not None else which
    drop = (
        f"X = [x.drop(columns={listed}) for x in X]"
        if names is not None
        else f"X = [np.delete(x, {listed}, axis=1) for x in X]"
    )
    warnings.warn(
        f"Feature(s) {listed} of X hold one value in each sequence, which differs between sequences, "
        "as an id or a label does: each is read as a feature at every step, so a label among them "
        f"gives the network the answer. Drop an id, a time or the target from each sequence, e.g. "
        f"{drop}; a static attribute (age, say) is read as it should be: silence this warning, "
        """warnings.filterwarnings("ignore", message=r"Feature\\(s\\) .* hold one value").""",
        UserWarning,
        stacklevel=user_stacklevel(),
    )


def unmasked(x: Any) -> Any:
    """A numpy masked array (netCDF readers return them) with NaN where it is masked: numpy, and
    scikit-learn, read the values under the mask (fill values such as 9.97e36) as data."""
    if not isinstance(x, np.ma.MaskedArray):
        return x
    if x.dtype.kind in "biuf":
        return np.ma.filled(x.astype(np.float64), np.nan)
    if x.dtype.kind == "O":
        return np.ma.filled(x.astype(object), np.nan)
    return np.ma.getdata(x)  # dates, text, complex: refused below with their own messages


def _check_sequence(x: Any, i: int) -> np.ndarray:
    """One sequence of a ragged X as a (n_timesteps, n_features) float array."""
    x = unmasked(x)
    if isinstance(x, (pd.DataFrame, pd.Series)):
        for name, column in x.items() if isinstance(x, pd.DataFrame) else ():  # "36,6": read_csv's options
            if holds_text(column) and (commas := comma_number_advice(column.head(1000), f"x[{name!r}]")):
                raise ValueError(f"Sequence {i} of X: column {name!r} holds {commas}, for each sequence x.")
        for dtype in x.dtypes if isinstance(x, pd.DataFrame) else [x.dtype]:  # dates: objects below
            _refuse_text(dtype, f"Sequence {i} of X")
        _refuse_text_values(x, f"Sequence {i} of X")
        _check_time_order(x.index, i)
        x = _numbers_of(x)
    x = np.asarray(x)
    _refuse_text(x.dtype, f"Sequence {i} of X")
    _refuse_text_values(x, f"Sequence {i} of X")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"Sequence {i} of X has {x.ndim} dimensions; each sequence of a ragged X "
            "must be a (n_timesteps,) or (n_timesteps, n_features) array."
        )
    if x.shape[0] == 0:
        raise ValueError(
            f"Sequence {i} of X is empty (0 time steps); every sequence needs at "
            "least one time step. Remove empty sequences (and their targets) first."
        )
    if x.dtype not in _NUMERIC:  # integers, booleans, objects: converted, or refused with check_array's error
        x = check_array(
            x, ensure_2d=False, dtype=_NUMERIC, ensure_all_finite=False, ensure_min_features=1, input_name="X"
        )
    return x.reshape(x.shape[0], -1)


def _numbers_of(x: pd.DataFrame | pd.Series) -> np.ndarray:
    """``x``'s values, with pd.NA (and None) as NaN where its columns may hold it.

    Nullable columns (Int64, Float64, boolean) and numbers held as objects
    (``pd.Series([1.0, pd.NA])`` has dtype object) are read as floats, pd.NA
    as NaN: a gap (``missing="mask"``) or refused with that fix. Objects that
    are not numbers keep their refusal; other columns keep their dtype.
    """
    dtypes = x.dtypes if isinstance(x, pd.DataFrame) else [x.dtype]
    nullable = (isinstance(d, pd.api.extensions.ExtensionDtype) and d.kind in "iufb" for d in dtypes)
    if any(nullable) or any(pd.api.types.is_object_dtype(d) for d in dtypes):
        try:  # through objects: a frame's float cast comes before its NA fill
            return x.to_numpy(dtype=object, na_value=np.nan).astype(np.float64)
        except (TypeError, ValueError):
            pass
    return x.to_numpy()


def refuse_missing_times(index: pd.Index, name: str, fix: str | None = None) -> None:
    """Refuse a time index (a panel's: its last level) holding missing time points (NaT).

    A date that did not parse (``pd.to_datetime(..., errors="coerce")``) is in no order: it was
    refused as out of order, with a fix (sort) that does not remove it, or failed on an empty index.
    ``name``: what holds the index (``"X"``); ``fix``: the rows dropped, by default in ``name``.
    """
    times = index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index
    missing = np.flatnonzero(pd.isna(times))
    if len(missing):
        raise ValueError(
            f"The time index of {name} holds {len(missing)} missing time point(s) (NaT: a date that did "
            f"not parse), the first in row {missing[0]}, which no order places. Repair their dates, or "
            f"drop those rows: {fix or f'{name} = {name}[{name}.index.get_level_values(-1).notna()]'}."
        )


def _holds_times(level: pd.Index) -> bool:
    """Whether an index level holds dates, periods or durations (dates of several time zones too)."""
    if isinstance(level, pd.DatetimeIndex | pd.PeriodIndex | pd.TimedeltaIndex):
        return True
    kinds = ("datetime", "datetime64", "date", "period", "timedelta", "timedelta64")
    return level.dtype == object and pd.api.types.infer_dtype(level, skipna=True) in kinds


def outer_time_level(index: pd.MultiIndex) -> tuple[int, list[int]] | None:
    """The first level of ``index`` holding times where the last holds none, and the level order that
    puts it last; None where the last level holds times or none does."""
    timed = [_holds_times(level) for level in index.levels]
    if timed[-1] or not any(timed):
        return None
    outer = timed.index(True)
    return outer, [i for i in range(index.nlevels) if i != outer] + [outer]


def refuse_time_level_not_last(index: Any, name: str, fitting: bool = False) -> None:
    """Refuse (or warn of) a panel index whose time points sit in an outer level, not the last one.

    A panel's rows are indexed (series, time): indexed (timestamp, machine), each
    timestamp would be read as a series whose time points are the machines (sktime's
    own forecasters read it so, without an error). Text in the last level is no time
    point: refused. Numbers there may be that mistake or steps counted within series
    named by a time (runs keyed by their start): ``fitting`` warns, naming both.
    """
    if not isinstance(index, pd.MultiIndex) or (found := outer_time_level(index)) is None:
        return
    outer, order = found
    names = [f"{i} ({n!r})" if n is not None else str(i) for i, n in enumerate(index.names)]
    fix = f"{name} = {name}.reorder_levels({order}).sort_index()"
    if not pd.api.types.is_numeric_dtype(index.levels[-1]):
        raise TypeError(
            f"{name} has its time points in level {names[outer]} of its index, not in the last one, level "
            f"{names[-1]}, which holds no time points. A panel's rows are indexed (series, time): put the "
            f"time level last: {fix}."
        )
    if fitting:
        warnings.warn(
            f"{name} has times in level {names[outer]} of its index and numbers in the last, level "
            f"{names[-1]}, which are read as each series' time points: each value of level {outer} is a "
            f"series. If the rows are indexed (time, series) instead, put the time level last: {fix}. If "
            "those times name the series (runs keyed by their start, steps counted in the last level), "
            f"this is right; to say so, make them labels: {name}.index = {name}.index.set_levels("
            f"{name}.index.levels[{outer}].astype(str), level={outer}).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def series_level_code(name: str, column: str = "id_column") -> str:
    """The code that makes ``column`` of ``name`` the series level of its time index: (series, time)."""
    return f"{name} = {name}.set_index({column}, append=True).swaplevel().sort_index()"


def stacked_series_advice(name: str, example: str) -> str:
    """The advice for rows of several series under one time index (``example``: what tells them apart)."""
    return (
        f"if the rows are several series stacked, told apart by a column ({example}, say), index them by "
        f"series, then time: {series_level_code(name)}"
    )


def clock_change_advice(times: pd.Index, name: str) -> str:
    """Advice for a naive dated index whose repeats are each twice, within an hour of the night, as
    local clock times repeat when clocks go back (empty otherwise): localized, every reading is kept."""
    if not isinstance(times, pd.DatetimeIndex) or times.tz is not None:
        return ""
    repeats = times[times.duplicated()]
    nights = pd.Series(repeats).groupby(repeats.normalize())
    if (
        not len(repeats)
        or repeats.has_duplicates  # a time three times or more: no clock goes back twice
        or repeats.hour.max() >= 4
        or not repeats.month.isin([3, 4, 9, 10, 11]).all()  # clocks go back in these, north or south
        or (nights.max() - nights.min()).max() >= pd.Timedelta("1h")
    ):
        return ""
    return (
        f" If these are local clock times, repeated as clocks went back, localize them instead, which "
        f"keeps every reading in order: {name}.index = {name}.index.tz_localize('Europe/Berlin', "
        "ambiguous='infer') (the zone of your clock)."
    )


# A column of text is read as numbers (or dates) written as text where at least this share of it
# parses as them: a stray marker ("n/a") does not make it categories, grades "1", "2", "A" stay ones
MOSTLY = 0.7


def comma_number_advice(values: pd.Series, column: str) -> str | None:
    """How to read numbers written with a decimal comma or thousands separators (``"36,6"``,
    ``"1,200"``), when most of ``values`` are numbers but for them; None otherwise.

    Read as text, they were told to become category codes (temperatures 0, 1, 2, ...) or to be coerced
    to NaN. ``column`` is the code naming the column, e.g. ``data['temp']``.
    """
    text = values[[isinstance(v, str) for v in values]].astype(str).str.strip()
    comma = text[text.str.fullmatch(r"[+-]?[\d.,]*\d") & text.str.contains(",", regex=False)]
    numbers = pd.to_numeric(values, errors="coerce").notna()
    if not len(comma) or (numbers | values.index.isin(comma.index)).mean() < MOSTLY:
        return None
    grouped = comma.str.fullmatch(r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?")  # "0,006": decimals
    if not grouped.all():  # "36,6": a decimal comma (with dots between thousands, if any)
        example, dots = comma[~grouped.to_numpy()].iloc[0], comma.str.contains(".", regex=False).any()
        read = "pd.read_csv(..., decimal=','" + (", thousands='.')" if dots else ")")
        if dots and len(text) < len(values):  # numbers beside the text: their dots are decimal points
            return f"numbers written with a decimal comma (e.g. {example!r}). Read the file with {read}"
        convert = (".str.replace('.', '')" if dots else "") + ".str.replace(',', '.')"
        return (
            f"numbers written with a decimal comma (e.g. {example!r}). Read the file with {read}, or "
            f"convert the column: {column} = pd.to_numeric({column}.astype(str){convert}, "
            "errors='coerce') (text that is no number becomes NaN, a gap)"
        )
    example = comma.iloc[0]
    if text.str.contains(".", regex=False).any():  # "1,200.50": commas between thousands
        return (
            f"numbers written with commas between thousands (e.g. {example!r}). Read the file with "
            f"pd.read_csv(..., thousands=','), or convert the column: {column} = pd.to_numeric("
            f"{column}.astype(str).str.replace(',', ''), errors='coerce') (text that is no number "
            "becomes NaN, a gap)"
        )
    return (
        f"numbers written with a comma (e.g. {example!r}), which separates thousands (1,200 is 1200) "
        f"or marks the decimals (1,200 is 1.2). Read the file with pd.read_csv(..., thousands=',') "
        "or pd.read_csv(..., decimal=','), whichever the file uses"
    )


def refuse_unparsed_times(index: Any, name: str) -> None:
    """Refuse a time index (a panel's last level) of text or of Python dates, as a CSV's unparsed
    column gives it, with the parse that fixes it (day first where a first field passes 12).

    sktime's error for them is a page of every format it tried; the forecaster's, before, read
    day-first text as out of time order and advised ``sort_index()``, which sorted it as text.
    """
    if not isinstance(index, pd.Index) or not len(index):
        return
    times = index.get_level_values(-1) if isinstance(index, pd.MultiIndex) else index

    def parsed(extra: str = "") -> str:
        if isinstance(index, pd.MultiIndex):  # a panel: its last level
            return f"{name}.index.set_levels(pd.to_datetime({name}.index.levels[-1]{extra}), level=-1)"
        return f"pd.to_datetime({name}.index{extra})"

    if pd.api.types.is_string_dtype(times):  # the values, not the dtype: objects may be dates
        firsts = pd.Series(times[:1000]).astype(str).str.extract(r"^\s*(\d{1,2})[/.-]\d{1,2}[/.-]\d{2,4}")[0]
        dayfirst = ", dayfirst=True" if (pd.to_numeric(firsts, errors="coerce") > 12).any() else ""
        raise TypeError(
            f"{name}'s time index holds text ({times[0]!r}, ...), not time points. Parse it first: "
            f"{name}.index = {parsed(dayfirst)}, or "
            f"pd.read_csv(..., index_col=..., parse_dates=True{dayfirst})."
        )
    if times.dtype == object and pd.api.types.infer_dtype(times, skipna=True) in ("date", "datetime"):
        raise TypeError(  # datetime.date objects (X["ts"].dt.date): sktime reads them as no time index
            f"{name}'s time index holds dates as Python objects ({times[0]!r}, ...), which sktime reads "
            f"as no time index. Make them pandas dates first: {name}.index = {parsed()}."
        )


def refuse_repeated_columns(data: Any, name: str) -> None:
    """Refuse a frame with a column name more than once (sktime's error names no column)."""
    columns = getattr(data, "columns", None)
    if not isinstance(columns, pd.Index) or not columns.has_duplicates:
        return
    raise ValueError(
        f"{name} has the column {columns[columns.duplicated()][0]!r} more than once; each column needs a "
        f"name of its own (later calls match them by name). Name every column once ({name}.columns = "
        f"[...]), or drop the repeats: {name} = {name}.loc[:, ~{name}.columns.duplicated()]."
    )


def refuse_misaligned_y(X: Any, y: Any, sample_weight: Any = None) -> None:
    """Refuse a pandas ``X`` and ``y`` (or ``sample_weight``) whose indexes hold the same labels in
    other orders.

    They are matched by position (scikit-learn's rule): ``X`` from a groupby
    (sorted ids) and ``y`` from a table of outcomes in another order would pair
    each sequence with another's target. Either index being a ``RangeIndex``
    (row numbers) or holding a label twice says nothing of alignment, nor do
    indexes that hold other labels too.
    """
    if not isinstance(X, (pd.Series, pd.DataFrame)):
        return
    ours = X.index
    for name, values in (("y", y), ("sample_weight", sample_weight)):
        if not isinstance(values, (pd.Series, pd.DataFrame)):
            continue
        theirs = values.index
        if len(ours) != len(theirs) or ours.equals(theirs) or not (ours.is_unique and theirs.is_unique):
            continue
        if isinstance(ours, pd.RangeIndex) or isinstance(theirs, pd.RangeIndex):
            continue
        try:  # the same labels, reordered (shifted labels, windows dated by their ends and y by the next
            # day's, share most and are paired by position on purpose)
            if len(ours.symmetric_difference(theirs)):
                continue
            moved = np.flatnonzero(np.asarray(ours != theirs))
        except (TypeError, ValueError):  # labels of kinds that do not compare: not the same labels
            continue
        i = int(moved[0])
        here, there = ours[i : i + 1].tolist()[0], theirs[i : i + 1].tolist()[0]  # Python values
        raise ValueError(
            f"X and {name} are indexed by the same labels in other orders ({len(moved)} of {len(ours)} "
            f"positions differ; position {i} holds {here!r} in X and {there!r} in {name}): they are "
            f"matched by position, so sequences would be paired with other sequences' "
            f"{'targets' if name == 'y' else 'values'}. Align {name} to X first, {name} = "
            f"{name}.loc[X.index], or pass {name}.to_numpy() if the positions already match."
        )


def _time_order_problem(index: pd.Index) -> str | None:
    """What is wrong with ``index`` as the time points of one sequence read in row order (None: nothing)."""
    if index.has_duplicates:
        return f"repeats the time {index[index.duplicated()][0]}"
    if not index.is_monotonic_increasing:
        return "has time points out of increasing order"
    return None


def _check_time_order(index: pd.Index, i: int) -> None:
    """Refuse a sequence whose time index (dates, durations or periods) is out of order or repeats a time.

    The steps are read in row order; an index of another kind (row labels) is not read.
    """
    if isinstance(index, pd.MultiIndex):  # e.g. (id, time) rows of a groupby: the time is the last level
        index = index.get_level_values(-1)
    if not isinstance(index, (pd.DatetimeIndex, pd.TimedeltaIndex, pd.PeriodIndex)):
        return
    refuse_missing_times(
        index, f"sequence {i} of X", "x = x[x.index.get_level_values(-1).notna()] for each sequence x"
    )
    if problem := _time_order_problem(index):
        raise ValueError(
            f"Sequence {i} of X {problem} in its index: its steps are read in row order, one step a "
            "row. Sort each sequence by time and aggregate the rows of a repeated time first, e.g. "
            "x.sort_index() and x.groupby(level=0).mean()." + clock_change_advice(index, "x")
        )


def _check_float32_range(x: np.ndarray) -> np.ndarray:
    """Refuse finite float64 values that float32 would turn into inf (and inf, which
    ``check_array`` lets through under ``sklearn.config_context(assume_finite=True)``)."""
    if np.issubdtype(x.dtype, np.floating) and bool(np.isinf(x).any()):
        raise ValueError("Input X contains infinity.")  # the fix is added by _numeric_only
    if x.dtype == np.float64 and bool((np.abs(x) > np.finfo(np.float32).max).any()):
        raise ValueError(
            "X contains values too large for float32 (magnitude above 3.4e38), which would become "
            "inf. Rescale X first, e.g. divide it by a constant or standardise each feature."
        )
    return x


def _refuse_overflow_at_level(
    values: np.ndarray, level: np.ndarray | None, pending: np.ndarray | None
) -> None:
    """Refuse values within float32's range that leave it read relative to their reference level.

    Values of -3e38 and 3e38 are each within float32's range, but one read
    relative to the other's level is 6e38: inf, and training ends at once.
    ``pending``: the level is still to subtract from ``values`` (float32 as
    given); otherwise ``values`` hold the difference, inf where it overflowed.
    """
    if level is None or not values.size:
        return
    if pending is None:
        overflowed = bool(np.isinf(values).any())
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN features
            low = np.nanmin(values, axis=(0, 1)).astype(np.float64)
            high = np.nanmax(values, axis=(0, 1)).astype(np.float64)
        reach = np.nanmax(np.abs(np.stack([low - pending, high - pending])), initial=0.0)
        overflowed = bool(reach > np.finfo(np.float32).max)
    if overflowed:
        raise ValueError(
            "X's values lie too far apart for float32: read relative to the level of the first steps "
            f"(per feature: {np.asarray(level).tolist()[:5]}), as the network reads them, some exceed "
            "its range (3.4e38). Rescale X first, e.g. divide it by a constant or standardise each "
            "feature."
        )


def _pad(
    sequences: list[np.ndarray], dtype: type = np.float32, level: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(x) for x in sequences), dtype=np.int64, count=len(sequences))
    values = np.zeros((len(sequences), lengths.max(), sequences[0].shape[1]), dtype=dtype)
    for i, x in enumerate(sequences):
        values[i, : len(x)] = x if level is None else x - level  # in x's precision, then the cast
    if level is not None:
        _snap_to_level(values, level)
    return values, lengths


def _snap_to_level(values: np.ndarray, level: np.ndarray) -> None:
    """Set to 0 the values (relative to ``level``) within float64's rounding of the level, in place.

    A feature at 0.5 whose arithmetic left some values at the next float64 (0.5 +
    1.1e-16) would keep those 1-ulp differences in float32 (0.5 is exact in it,
    so the values read relative to it are 0 and 1.1e-16), and each sequence's
    standardisation would blow them up to unit size. Within twice float64's
    epsilon of the level they are the level, as a constant feature is.
    """
    tolerance = (2 * np.finfo(np.float64).eps * np.abs(level)).astype(values.dtype)
    if tolerance.any():
        values[np.abs(values) <= tolerance] = 0


def mixed_strings(values: Any) -> np.ndarray | None:
    """Where ``values`` hold strings (a boolean mask), when they mix strings with other values; else None."""
    text = np.array([isinstance(value, str) for value in values], dtype=bool)
    return text if text.any() and not text.all() else None


def positions(mask: np.ndarray, shown: int = 5) -> str:
    """The first ``shown`` flagged positions of ``mask``, in words."""
    where = np.flatnonzero(mask)
    more = f" (and {len(where) - shown} more)" if len(where) > shown else ""
    return f"position{'s' if len(where) > 1 else ''} {where[:shown].tolist()}{more}"


def first_observed(values: np.ndarray) -> np.ndarray:
    """Each sequence's first observed value of each feature (NaN where it has none): (n, T, F) -> (n, F).

    A feature missing at the first step of every sequence (a resampled grid
    that starts before the readings) would otherwise have no reference level.
    """
    first = values[:, 0]
    if values.dtype.kind != "f" or not np.isnan(first).any():  # integers hold no NaN
        return first
    position = np.argmax(~np.isnan(values), axis=1)  # (n, F): 0 where none is observed
    return np.take_along_axis(values, position[:, None, :], axis=1)[:, 0]


def reference_level(first_steps: np.ndarray, counted: np.ndarray | None = None) -> np.ndarray:
    """Each feature's median first observed value (0 where none), rounded to float32: (n, F) -> (F,).

    Subtracted from the values before they are cast to float32, it keeps changes
    that float32 would round away at a large level (a meter at 1e8 moving by 1:
    float32's spacing there is 8). Any value near the level does; the median of
    the first steps costs one row a sequence. ``counted`` ``(n,)``: the sequences
    it is taken over (those of positive sample weight; all when none is).
    """
    first_steps = np.asarray(first_steps, dtype=np.float64)
    if counted is not None and counted.any():
        first_steps = first_steps[counted]
    observed = ~np.isnan(first_steps)
    level = np.zeros(first_steps.shape[1])
    for j in np.flatnonzero(observed.any(axis=0)):
        level[j] = np.median(first_steps[observed[:, j], j])
    return level.astype(np.float32).astype(np.float64)


def _changes(values: np.ndarray) -> np.ndarray:
    """How much a sequence changes a step, per feature: the mean |difference| over its first 65 steps.

    ``values`` ``(T, F)``; NaN where a feature has no two observed neighbours.
    A feature constant within the sequence (a patient's age) changes by 0.
    """
    steps = np.abs(np.diff(np.asarray(values[:65], dtype=np.float64), axis=0))
    with warnings.catch_warnings():  # a feature without two observed neighbours: NaN, left out
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(steps, axis=0) if len(steps) else np.full(values.shape[1:], np.nan)


def centred_level(
    first: np.ndarray,
    changes: Callable[[np.ndarray], np.ndarray] | None = None,
    counted: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`reference_level` of the first observed values ``first`` ``(n, F)``; warns where it fails.

    ``changes(rows)`` gives how much the sequences at ``rows`` change a step
    (:func:`_changes`, ``(len(rows), F)``), read of up to 4096 sequences
    spread over the data (None: input already in float32, nothing to check).
    Sequences not ``counted`` (weight 0) are left out, as of the level.
    """
    level = reference_level(first, counted)
    if changes is None:
        return level
    rows = np.flatnonzero(counted) if counted is not None and counted.any() else np.arange(len(first))
    sample = rows[np.unique(np.linspace(0, len(rows) - 1, min(len(rows), 4096)).astype(np.int64))]
    _warn_if_levels_round(first[sample], level, changes(sample))
    return level


def _warn_if_levels_round(first: np.ndarray, level: np.ndarray, change: np.ndarray) -> None:
    """Warn where sequences lie so far from their feature's reference level that float32 rounds their changes.

    One level a feature keeps the changes of sequences near it (meters that all
    read about 1e8); a sequence far from it (a meter at 3e8 among ones at 1e8)
    is cast at its distance from it. ``first`` ``(m, F)``: sequences' first
    observed values; ``change`` ``(m, F)``: how much each changes a step.
    Warns where float32's spacing at a sequence's distance exceeds 1% of its
    change (a feature that does not change loses nothing).
    """
    distance = np.where(np.isnan(first), 0.0, np.abs(first - level))
    rounding = np.spacing(distance.astype(np.float32)).astype(np.float64)
    lost = (change > 0) & (rounding > 0.01 * change)  # NaN compares False
    features = np.flatnonzero(lost.any(axis=0))
    if len(features):
        farthest = np.where(lost, distance, 0.0).max(axis=0)[features]
        warnings.warn(
            f"Features {features.tolist()} of X hold sequences up to {farthest.tolist()} away from the "
            f"level the network reads them relative to ({level[features].tolist()}): there float32, "
            "which the network computes in, rounds values in steps of up to "
            f"{np.spacing(farthest.astype(np.float32)).astype(np.float64).tolist()}, over 1% of how much "
            f"they change a step (in {int(lost.any(axis=1).sum())} of the {len(lost)} sequences read), so "
            "their changes are lost. Where the changes matter, pass each sequence relative to its own "
            "level (e.g. X = [x - np.nanmedian(x, axis=0) for x in X]), and the level as a feature of its "
            "own if that matters too.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def float32_rounding(level: np.ndarray, spread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """float32's spacing at each feature's ``level``, and the features it rounds by over 1% of ``spread``."""
    rounding = np.spacing(np.abs(level).astype(np.float32)).astype(np.float64)
    return rounding, np.flatnonzero(rounding > 0.01 * spread)


def _na_as_nan(X: Any) -> Any:
    """A table, series or array of numbers held as objects, with pd.NA or None among them, as floats
    with NaN there (a gap, as in a sequence's frame); anything else as given, for the checks after it
    to read or refuse with their fix."""
    if isinstance(X, (pd.DataFrame, pd.Series)):
        dtypes = X.dtypes if isinstance(X, pd.DataFrame) else [X.dtype]
        if any(pd.api.types.is_object_dtype(d) for d in dtypes):
            values = _numbers_of(X)
            if values.dtype == np.float64:
                if isinstance(X, pd.Series):
                    return pd.Series(values, index=X.index, name=X.name)
                return pd.DataFrame(values, index=X.index, columns=X.columns)
        return X
    if isinstance(X, np.ndarray) and X.dtype == object:
        try:
            return np.where(pd.isna(X), np.nan, X).astype(np.float64)
        except (TypeError, ValueError):
            return X
    return X


def _is_group_pair(x: Any) -> bool:
    """Whether ``x`` is a ``(key, table)`` pair, as iterating a pandas groupby gives: a key (a scalar
    or a tuple of them; not two rows of a table, a sequence of two steps) and a table."""
    if not (isinstance(x, tuple) and len(x) == 2 and isinstance(x[1], (pd.DataFrame, pd.Series))):
        return False
    parts = x[0] if isinstance(x[0], tuple) else (x[0],)
    return all(not isinstance(part, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)) for part in parts)


def _groups_refusal(what: str, groups: Any) -> str:
    """Why ``X`` of groups (a pandas groupby, or the ``(key, table)`` pairs iterating one gives) is
    refused, and how to pass them: their tables, of the feature columns where they are frames."""
    start, keys = f"X is {what}. Pass one sequence a group", "keys = [k for k, _ in X]; "
    if isinstance(groups, SeriesGroupBy) or (
        isinstance(groups, list) and all(isinstance(table, pd.Series) for _, table in groups)
    ):
        return f"{start}, with y in the same order, e.g. {keys}X = [g for _, g in X]."
    columns = next((list(table.columns) for _, table in groups), [])
    return (
        f"{start}, of the feature columns only (its tables hold the columns {columns}), with y in the "
        f"same order, e.g. {keys}X = [g[features] for _, g in X] with features the feature columns; "
        "or read the table with from_long_table, which returns the sequences with their ids."
    )


def _view_refusal(X: Any) -> str:
    """Why a dict's view or a set is refused as ``X``, and what to pass."""
    start = (
        f"X is a {type(X).__name__} of {len(X)} entries; sequences are read by position, as their targets are"
    )
    if isinstance(X, ItemsView):
        fix = "keys = [k for k, _ in X]; X = [v for _, v in X]"
        return f"{start}. Pass the sequences, with y in the same order, e.g. {fix}."
    if isinstance(X, KeysView):
        return f"{start}, and a dict's keys are not its sequences. Pass the sequences in a list, " + (
            "with y in the same order."
        )
    if isinstance(X, Set):
        return f"{start}, and a set has no order. Pass a list, with y in the same order."
    return f"{start}. Pass a list, with y in the same order, e.g. X = list(X)."


@contextmanager
def _numeric_only() -> Iterator[None]:
    """Re-raise numpy's "could not convert string to float" and sklearn's "infinity" with the fix."""
    try:
        yield
    except (TypeError, ValueError) as exc:
        message = str(exc)
        if "infinity" in message and isinstance(exc, ValueError):
            raise ValueError(
                f"{message.splitlines()[0]} Replace infinite values first: with finite values of your "
                "choice, or with NaN, a gap (X = np.where(np.isinf(X), np.nan, X); the classifier and "
                "regressor read gaps with missing='mask')."
            ) from exc
        if "could not convert" not in message and "argument must be" not in message:
            raise
        raise type(exc)(
            f"X must hold numbers, but it holds strings or other objects ({message}). Encode "
            "categorical features as numbers first (ordinal codes or one-hot columns per time step)."
        ) from exc


def _warn_channels_first(shape: tuple[int, ...]) -> None:
    """Warn where a 3D ``X`` has eight times as many features as time steps or more, as sktime's numpy3D
    layout (n_instances, n_channels, n_timepoints) read as (n_samples, n_timesteps, n_features) has:
    a univariate (n, 1, T) was read as one step of T features, without a word. (Four times warned
    of ``sliding_windows``' 3-step windows of 12 channels.) The message leaves the number of sequences
    out, so a cross-validation warns once, not at every fold."""
    _, steps, features = shape
    if 8 * steps <= features:
        warnings.warn(
            f"X's sequences are read as {steps} time step{'s' * (steps != 1)} of {features} features "
            "each (X's layout is (n_samples, n_timesteps, n_features)). If X is in sktime's numpy3D "
            "layout (n_instances, n_channels, n_timepoints), pass X.transpose(0, 2, 1) (from_sktime "
            "converts sktime's pandas formats). If the layout is right, ignore this: "
            "warnings.filterwarnings('ignore', message=\"X's sequences are read as\").",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


# Input holding inf, -inf or values beyond float32 is refused below with a ValueError that says so;
# numpy's RuntimeWarnings on the way (a cast to float32 overflowing, check_array summing inf and
# -inf) would only add noise to that error, or to nothing at all when it is caught.
@_numeric_only()
@np.errstate(over="ignore", invalid="ignore")
def validate_sequences(
    estimator: Any,
    X: Any,
    *,
    reset: bool,
    allow_nan: bool = False,
    dtype: type = np.float32,
    centre: bool = False,
    counted: np.ndarray | None = None,
) -> Sequences:
    """Check ``X`` and return it as padded sequences of ``dtype`` (float32, what the networks read).

    ``dtype=np.float64`` keeps the precision of values that float32 would round
    (a large level with small changes) for an estimator that standardises them first.
    ``centre=True`` keeps it in float32: the values returned are relative to
    each feature's :func:`reference_level` (``Sequences.reference``), subtracted
    before the cast: with ``reset=True`` the one of ``X`` (of its sequences
    ``counted``, when given), otherwise ``estimator._x_level``, which the
    estimator stores when it builds its network (none for estimators fitted
    before it).

    With ``reset=True`` this records ``n_features_in_`` (the number of columns of
    a 2D table, the number of features of 3D or ragged input) and, for
    DataFrames, ``feature_names_in_``. With ``reset=False`` it checks ``X``
    against them, with scikit-learn's messages.
    """
    X = unmasked(X)
    if isinstance(X, pd.DataFrame):
        _reject_panel_frame(X)
        _refuse_table_columns(X)
        if reset:
            _refuse_numbered_columns(X)
            _warn_long_table(X)
    labels = column_labels(X)
    if not reset:
        refuse_reordered_columns(estimator, labels, "X", listed=not isinstance(X, pd.DataFrame))
    if (
        isinstance(X, tuple)
        and len(X) in (2, 3)
        and isinstance(X[0], list)
        and all(isinstance(x, np.ndarray) for x in X[0])
        and all(isinstance(part, np.ndarray) and len(part) == len(X[0]) for part in X[1:])
    ):
        raise TypeError(
            f"X is a tuple of {len(X[0])} sequences and {len(X) - 1} array(s) of as many values, as "
            "from_long_table returns them (sequences, ids[, labels]). Unpack it: X, ids = "
            "from_long_table(...) (X, ids, y = ... with label_col), and pass X."
        )
    finite = "allow-nan" if allow_nan else True
    if isinstance(X, Iterator):
        raise TypeError(
            f"X is an iterator ({type(X).__name__}), which can be read only once. Pass a list of "
            "sequences or an array instead, e.g. X = list(X)."
        )
    if isinstance(X, Mapping) and not sp.issparse(X):  # e.g. {id: sequence} from a groupby (dok: sparse)
        raise TypeError(
            f"X is a {type(X).__name__} of {len(X)} entries; sequences are read by position, as their "
            "targets are. Pass a list in a fixed order, with y in the same order, e.g. "
            "keys = list(X); X = [X[k] for k in keys]; y = [labels[k] for k in keys]."
        )
    if isinstance(X, (DataFrameGroupBy, SeriesGroupBy)):
        raise TypeError(_groups_refusal(f"a pandas {type(X).__name__}", X))
    if isinstance(X, (MappingView, Set)):  # dict.values(), .keys(), .items(), sets: no positions
        raise TypeError(_view_refusal(X))
    if isinstance(X, list) and X and all(_is_group_pair(x) for x in X):
        raise TypeError(
            _groups_refusal(f"a list of {len(X)} (key, table) pairs, as iterating a pandas groupby gives", X)
        )
    if isinstance(X, (list, tuple)) and any(sp.issparse(x) for x in X):
        raise TypeError(
            "X is a list holding sparse matrices, but dense sequences are required. Convert each, e.g. "
            "X = [x.toarray() for x in X]."
        )
    # (an empty numeric array or table gets scikit-learn's "Found array with 0 sample(s)")
    if (
        isinstance(X, (list, tuple))
        or (isinstance(X, np.ndarray) and X.dtype == object)
        or (isinstance(X, pd.DataFrame) and X.shape[1] == 0)
    ) and len(X) == 0:
        raise ValueError(f"X contains no sequences (an empty {type(X).__name__}); at least one is required.")
    names = None
    level = None
    if centre:
        level = partial(centred_level, counted=counted) if reset else getattr(estimator, "_x_level", None)
    pending = None  # the level still to subtract from the values returned
    if _is_ragged(X):
        names = _sequence_feature_names(X)
        values, lengths, level = _check_ragged(X, allow_nan, dtype, level, fitting=reset, names=names)
        tabular = False
    else:
        if not hasattr(X, "dtype") and not isinstance(X, pd.DataFrame):
            X = np.asarray(X)  # nested lists: their dtype tells numbers from text
        _refuse_text(getattr(X, "dtype", None))
        if isinstance(X, np.ndarray):
            _refuse_text_values(X)
        X = _na_as_nan(X)
        ndim = X.ndim
        if ndim == 3:
            values = check_array(X, allow_nd=True, dtype=_NUMERIC, ensure_all_finite=finite, input_name="X")
            if values.shape[2] == 0:
                raise ValueError(f"X has shape {values.shape} with 0 features; at least one is required.")
            if values.shape[1] == 0:
                raise ValueError(
                    f"X has shape {values.shape} with 0 time steps; every sequence needs at least one."
                )
            if reset:
                _warn_channels_first(values.shape)
            tabular = False
        elif ndim == 2 and (reset or getattr(estimator, "_tabular", False)):
            try:
                values = validate_data(estimator, X, reset=reset, dtype=_NUMERIC, ensure_all_finite=finite)
            except ValueError as exc:
                if reset or "is expecting" not in str(exc):
                    raise
                raise ValueError(
                    f"{exc} {type(estimator).__name__} was fitted on a 2D table (n_samples, "
                    "n_timesteps), whose columns are its time steps: a 2D X needs the same number of "
                    "them. Pass sequences of other lengths as a 3D array (n_samples, n_timesteps, 1) "
                    "or a list of sequences."
                ) from exc
            values = values[:, :, None]
            tabular = True
        elif ndim == 2 and X.shape[1] == 1 and X.shape[0] > 1 and _longest_fitted(estimator) > 1:
            raise ValueError(
                f"X has shape {X.shape}, which a 2D X's layout (n_samples, n_timesteps) reads as "
                f"{X.shape[0]} sequences of one time step each, but {type(estimator).__name__} was "
                f"fitted on sequences {_fitted_lengths(estimator)}. Pass one sequence of "
                "shape (n_timesteps, 1) as [X] (or X[None] for an array, X.to_numpy()[None] for a "
                "DataFrame); pass one-step sequences as a 3D array of shape (n_samples, 1, n_features)."
            )
        elif ndim == 2:
            values = check_array(X, dtype=_NUMERIC, ensure_all_finite=finite, input_name="X")[:, :, None]
            tabular = True
        else:
            row = (
                " If X is a row of the table fit saw, pass X.to_frame().T: its labels are checked "
                "against the columns."
                if isinstance(X, pd.Series)
                and getattr(estimator, "_tabular", False)
                and getattr(estimator, "feature_names_in_", None) is not None
                else ""
            )
            raise ValueError(
                f"Expected X with 2 dimensions (n_samples, n_timesteps), 3 dimensions "
                f"(n_samples, n_timesteps, n_features) or a list of sequences, got {ndim} "
                "dimension(s). Reshape your data: pass one univariate sequence as [X] (a list, a "
                f"Series and an array alike; for an array also X.reshape(1, -1)).{row}"
            )
        values = _check_float32_range(values)
        if callable(level):
            exact = values.dtype != np.float32  # float32 as given: already rounded
            changes = lambda rows: _changes(values[rows, :65].swapaxes(0, 1))  # noqa: E731
            level = level(first_observed(values), changes if exact else None)
        elif level is not None and len(level) != values.shape[2]:
            level = None  # the feature count is refused below
        if level is None or values.dtype == dtype:  # float32 as given: read relative to the level
            values = values.astype(dtype, copy=False)
            if any(stride < 0 for stride in values.strides):  # a reversed view (X[::-1]): torch refuses it
                values = np.ascontiguousarray(values)
            pending = level
        else:  # subtracted in the values' precision, cast as it is written (no float64 copy)
            values = np.subtract(values, level, out=np.empty(values.shape, dtype), casting="same_kind")
            _snap_to_level(values, level)
        lengths = np.full(values.shape[0], values.shape[1], dtype=np.int64)
    _refuse_overflow_at_level(values, level, pending)

    n_channels = values.shape[2]
    if reset:
        _refuse_tiny_features(values)
        estimator._tabular = tabular
        estimator._column_labels = labels
        estimator._n_channels = n_channels
        estimator._longest = int(lengths.max()) if len(lengths) else 1
        if not tabular:
            estimator.n_features_in_ = n_channels
            if names is not None:
                estimator.feature_names_in_ = names
            elif hasattr(estimator, "feature_names_in_"):
                del estimator.feature_names_in_
    else:
        if n_channels != estimator._n_channels:
            if names is not None and getattr(estimator, "feature_names_in_", None) is not None:
                _check_sequence_feature_names(estimator, names)  # names the columns and the fix
            one = (
                f" A 2D X is read as univariate sequences (n_samples, n_timesteps): pass one sequence of "
                f"shape {np.shape(X)} (n_timesteps, n_features) as "
                f"{'[X], a list of one DataFrame' if isinstance(X, pd.DataFrame) else '[X] or X[None]'}."
                if tabular and np.shape(X)[1] == estimator._n_channels
                else f" {type(estimator).__name__} was fitted on a 2D table (n_samples, n_timesteps) of "
                "univariate sequences, whose columns, its time steps, n_features_in_ counts: pass "
                "sequences of one feature, a 3D array (n_samples, n_timesteps, 1), a list of them or "
                "a 2D table."
                if getattr(estimator, "_tabular", False)
                else ""
            )
            raise ValueError(
                f"X has {n_channels} features, but {type(estimator).__name__} is expecting "
                f"{estimator._n_channels} features as input.{one}"
            )
        if not tabular and not getattr(estimator, "_tabular", False):  # features, not time steps
            _check_sequence_feature_names(estimator, names)
        elif not tabular and isinstance(X, (list, tuple)):
            _check_table_rows(estimator, X)
    return Sequences(values, lengths, tabular, level, pending)


def _check_table_rows(estimator: Any, X: list | tuple) -> None:
    """Refuse rows of a table (Series labelled by the time-step columns ``fit`` saw) in another order.

    A model fitted on a named 2D table reads a list's sequences by position; a
    row taken from a table whose columns were since reordered would be read
    shuffled, where the same row as a one-row DataFrame is checked by name.
    """
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None:
        return
    for i, x in enumerate(X):
        if not isinstance(x, pd.Series) or len(x) != len(fitted):
            continue
        labels = np.asarray(x.index, dtype=object)
        if set(labels.tolist()) == set(fitted.tolist()) and (labels != fitted).any():
            raise ValueError(
                f"Sequence {i} of X is a Series labelled by the columns {type(estimator).__name__} was "
                f"fitted on ({fitted.tolist()[:5]}{'...' if len(fitted) > 5 else ''}), in another order: "
                "the steps of a sequence are read by position. Pass the row as a one-row table, "
                "x.to_frame().T (checked by name), or x[list(model.feature_names_in_)]."
            )


# the smallest magnitude a varying feature may have: float32's smallest normal number is 1.2e-38, and
# features at 1e-38 made training NaN, at 1e-40 (subnormal, flushed to 0 in training) gave every
# sequence one prediction
MIN_MAGNITUDE = 1e-30


def _refuse_tiny_features(values: np.ndarray, chunk_elements: int = 2**20) -> None:
    """Refuse features whose values, relative to their reference level, are all within 1e-30 of 0.

    ``values`` ``(n, T, F)`` as the network reads them, read in chunks of rows (no
    copy of all steps); NaN and padding are left out. A feature of zeros is fine.
    """
    if values.dtype != np.float32:  # float64 input standardised before any cast (another estimator)
        return
    n, T, F = values.shape
    rows = max(1, chunk_elements // max(1, T * F))
    peak = np.zeros(F, dtype=np.float32)
    for start in range(0, n, rows):
        block = np.abs(values[start : start + rows]).reshape(-1, F)
        peak = np.fmax(peak, np.fmax.reduce(block, axis=0))  # fmax: NaN (a gap) never wins
    tiny = np.flatnonzero((peak > 0) & (peak < MIN_MAGNITUDE))
    if len(tiny):
        raise ValueError(
            f"Features {tiny.tolist()} of X vary within {float(peak[tiny].max()):.3g} of their level, below "
            f"{MIN_MAGNITUDE:g}: near float32's smallest normal number (1.2e-38), in which the network "
            "computes, such values lose their digits (training fails, or every sequence gets one "
            "prediction). Rescale X first, e.g. multiply it by a constant such as 1e30, or express it in "
            "smaller units."
        )


def _fitted_lengths(estimator: Any) -> str:
    """The training lengths :func:`_longest_fitted` reads, in words."""
    if hasattr(estimator, "_longest"):
        return f"of up to {estimator._longest} steps"
    return f"of {getattr(estimator, '_shortest', 1)} steps or more"


def _longest_fitted(estimator: Any) -> int:
    """The longest sequence ``estimator`` was fitted on (1 where unknown).

    A 2D ``(n, 1)`` X reads as ``n`` one-step sequences only after a fit on
    one-step sequences alone: after longer ones (a patient with one reading
    among them too) it is more likely one sequence given as a column. Files
    saved before ``_longest`` hold the shortest length instead, and keep
    their rule.
    """
    return getattr(estimator, "_longest", getattr(estimator, "_shortest", 1))


def _sequence_feature_names(X: Any) -> np.ndarray | None:
    """The feature names of a list of DataFrame sequences (scikit-learn's rule), the same in each.

    None unless every sequence is a DataFrame whose column names are all
    strings; sequences whose names differ from the first's are refused, and
    so are DataFrames mixed with other sequences (whose columns no name tells).
    """
    frames = [x for x in X if isinstance(x, pd.DataFrame)]
    named = any(all(isinstance(name, str) for name in x.columns) for x in frames)
    if named and len(frames) < len(X):
        raise TypeError(
            f"X mixes DataFrame sequences with named columns ({len(frames)} of {len(X)}) with arrays or "
            "Series: the DataFrames' columns would be checked by name, the others' could not be, and "
            "features are read by position. Pass every sequence as a DataFrame with the same columns, "
            "or every one as an array (e.g. x.to_numpy() for each DataFrame x)."
        )
    if len(frames) < len(X) or not frames:
        return None
    names = [np.asarray(x.columns, dtype=object) for x in X]
    kinds = sorted({type(name).__name__ for columns in names for name in columns})
    if "str" in kinds and len(kinds) > 1:  # scikit-learn refuses a table so named (the 2D path does)
        raise TypeError(
            f"The DataFrame sequences of X have column names of the types {kinds}: feature names are only "
            "supported where all are strings (scikit-learn's rule), and without names swapped columns "
            "would go unnoticed. Convert them all to strings, e.g. [x.rename(columns=str) for x in X], "
            "or pass the sequences as arrays."
        )
    if kinds != ["str"]:
        return None
    for i, other in enumerate(names[1:], start=1):
        if len(other) != len(names[0]) or (other != names[0]).any():
            raise ValueError(
                f"Sequence {i} of X has the columns {other.tolist()}, but sequence 0 has "
                f"{names[0].tolist()}: every DataFrame sequence must have the same columns, in the "
                "same order (features are read by position). Select them, e.g. x[columns] for each."
            )
    return names[0]


def column_labels(X: Any) -> np.ndarray | None:
    """The column labels of a table ``X`` or of a list of DataFrame sequences, where not all are text.

    ``feature_names_in_`` holds text names (scikit-learn's rule); other labels
    (sensor ids, numbered steps, a pivot's tuples, dates) are kept as integers
    or, otherwise, as their text, to refuse them in another order. None for
    other ``X``. DataFrame sequences whose labels are those of the first in
    another order are refused.
    """
    frames = [X] if isinstance(X, pd.DataFrame) else X if isinstance(X, (list, tuple)) else []
    if not frames or not all(isinstance(x, pd.DataFrame) for x in frames):
        return None
    labels = [
        np.array([int(c) if pd.api.types.is_integer(c) else str(c) for c in x.columns], dtype=object)
        for x in frames
    ]
    if all(isinstance(c, str) for c in frames[0].columns):
        return None
    for i, other in enumerate(labels[1:], start=1):
        if _reordered(other, labels[0]):
            raise ValueError(
                f"Sequence {i} of X has the columns of sequence 0 in another order ({_shown(other)}, "
                f"sequence 0 {_shown(labels[0])}): features are read by position. Select them in one "
                "order, e.g. [x[columns] for x in X] with columns = list(X[0].columns)."
            )
    return labels[0]


def _reordered(labels: np.ndarray, fitted: np.ndarray) -> bool:
    """Whether ``labels`` are ``fitted`` in another order."""
    return len(labels) == len(fitted) and not (labels == fitted).all() and set(labels) == set(fitted)


def _shown(labels: np.ndarray, shown: int = 6) -> str:
    return str(labels[:shown].tolist())[:-1] + (", ...]" if len(labels) > shown else "]")


def refuse_reordered_columns(
    estimator: Any, labels: np.ndarray | None, name: str, listed: bool = False
) -> None:
    """Refuse columns labelled as ``fit``'s were (not as text: ``feature_names_in_``) in another order.

    ``name`` is how the message names ``X`` ("X passed to predict"); its fix selects from ``X``.
    """
    fitted = getattr(estimator, "_column_labels", None)
    if fitted is None or labels is None or not _reordered(labels, fitted):
        return
    select = "[x[columns] for x in X]" if listed else "X[columns]"
    raise ValueError(
        f"{name} has the columns {type(estimator).__name__} was fitted on, in another order "
        f"({_shown(labels)}; fit had {_shown(fitted)}), and columns are read by position. Select them "
        f"in fit's order: {select}, with columns the labels in the order fit had them."
    )


def _check_sequence_feature_names(estimator: Any, names: np.ndarray | None) -> None:
    """scikit-learn's check of the names of ragged ``X`` against those ``fit`` recorded."""
    fitted = getattr(estimator, "feature_names_in_", None)
    kind = type(estimator).__name__
    if fitted is None and names is not None:
        warnings.warn(
            f"X has feature names, but {kind} was fitted without feature names",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif fitted is not None and names is None:
        warnings.warn(
            f"X does not have valid feature names, but {kind} was fitted with feature names",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    elif fitted is not None and (len(names) != len(fitted) or (names != fitted).any()):
        raise ValueError(
            f"The feature names should match those that were passed during fit: the sequences of X "
            f"have the columns {names.tolist()}, fit had {fitted.tolist()}. Features are read by "
            "position: select the columns in fit's order, e.g. x[list(model.feature_names_in_)]."
        )


def _instance_rows(index: pd.MultiIndex) -> tuple[np.ndarray, np.ndarray]:
    """Each row's instance, numbered in order of first appearance (sktime's order), and the rows
    grouped by instance, each instance's in their order (the time level, last, is not read)."""
    codes = pd.factorize(index.droplevel(-1), use_na_sentinel=False)[0]
    return codes, np.argsort(codes, kind="stable")


def _check_panel_index(index: pd.MultiIndex) -> None:
    """Refuse a panel index (instance levels, time) that repeats a time point or is out of time order."""
    refuse_time_level_not_last(index, "X", fitting=True)
    refuse_missing_times(index, "X")
    if index.has_duplicates:
        raise ValueError(
            f"X repeats the (instance, time) point {index[index.duplicated()][0]}: each time point of an "
            "instance must appear once (sktime reads repeated ones as more time steps). Aggregate them "
            "first, e.g. X.groupby(level=list(range(X.index.nlevels))).mean()."
        )
    if index.is_monotonic_increasing:
        return
    codes, rows = _instance_rows(index)
    times = index.get_level_values(-1)[rows]
    same = codes[rows][1:] == codes[rows][:-1]
    backwards = np.flatnonzero(same & ~np.asarray(times[1:] > times[:-1]))
    if len(backwards):
        instance = index.droplevel(-1)[rows[backwards[0]]]
        raise ValueError(
            f"The time points of instance {instance!r} of X are not in increasing order. Sort them "
            "first, e.g. X = X.sort_index() (which also sorts the instances: reorder their labels y "
            "with them)."
        )


def _split_instances(X: pd.DataFrame) -> np.ndarray | list[np.ndarray]:
    """A ``pd-multiindex`` panel's rows as one array per instance, in one pass over the rows.

    As sktime's conversion to ``df-list`` reads it (instances in order of first
    appearance, rows in their order, nullable columns as float), without its
    scan of every row for each instance (quadratic when the instances are not
    sorted, as text ids give them).
    """
    nullable = [column for column, dtype in X.dtypes.items() if dtype in ("Int64", "Float64", "boolean")]
    values = X.astype(dict.fromkeys(nullable, "float")).to_numpy()
    codes, rows = _instance_rows(X.index)
    counts = np.bincount(codes)
    if not len(counts):
        return []
    if (counts == counts[0]).all():
        return values[rows].reshape(len(counts), counts[0], values.shape[1])
    return np.split(values[rows], np.cumsum(counts)[:-1])


def from_sktime(X: Any) -> np.ndarray | list[np.ndarray]:
    """Convert sktime panel data to this library's layout.

    Parameters
    ----------
    X : sktime Panel
        A ``numpy3D`` array ``(n_instances, n_features, n_timesteps)``, a
        ``pd-multiindex`` DataFrame (instance, time) x features (or with several
        instance levels before the time, as sktime's hierarchical data), a
        ``nested_univ`` DataFrame, or any other sktime Panel mtype. Every instance
        must have the same columns in the same order. An array of another
        number of dimensions is refused with a ``ValueError``, other input with
        a ``TypeError``, each naming the layouts the estimators take as they are.

    Returns
    -------
    X : ndarray of shape (n_instances, n_timesteps, n_features) or list of ndarray
        A 3D array when all instances have the same length, otherwise a list of
        ``(n_timesteps_i, n_features)`` arrays in the original instance order.

    Examples
    --------
    >>> from sktime.datasets import load_japanese_vowels
    >>> from sklearn_rnn import from_sktime
    >>> X, y = load_japanese_vowels(split="train", return_X_y=True)
    >>> sequences = from_sktime(X)
    >>> len(sequences), sequences[0].shape
    (270, (20, 12))
    """
    if isinstance(X, np.ndarray):
        if X.ndim != 3:
            raise ValueError(
                f"A numpy sktime panel must be numpy3D (n_instances, n_features, n_timesteps), got an "
                f"array with {X.ndim} dimension(s). Pass a 2D (n_samples, n_timesteps) table or a list of "
                "(n_timesteps, n_features) arrays to the estimators as it is, without from_sktime."
            )
        return np.ascontiguousarray(X.transpose(0, 2, 1))
    from sktime.datatypes import check_is_mtype, convert_to

    if isinstance(X, pd.DataFrame) and isinstance(X.index, pd.MultiIndex):
        _check_panel_index(X.index)
        if X.index.nlevels > 2:  # sktime's Hierarchical: the levels before the time name an instance
            instances = X.index.droplevel(-1).to_flat_index()
            X = X.set_axis(pd.MultiIndex.from_arrays([instances, X.index.get_level_values(-1)]))
        # sktime's check of the format, on the first row: the time order, which it checks instance
        # by instance in a Python loop, was checked above in one pass (the types are the index's levels')
        if check_is_mtype(X.iloc[:1], "pd-multiindex", scitype="Panel"):
            return _split_instances(X)
    try:
        frames = convert_to(X, to_type="df-list")
    except TypeError as exc:
        raise TypeError(
            f"X is a {type(X).__name__} that is not sktime panel data (sktime's check of each panel "
            "format is in the error above). Pass a 2D (n_samples, n_timesteps) table, a 3D array or a "
            "list of (n_timesteps, n_features) arrays to the estimators as it is; split a long table "
            "(one row per id and time) with from_long_table(data, id_col, time_col)."
        ) from exc
    for i, frame in enumerate(frames):  # df-list and nested cells: sktime's checks allow both
        if problem := _time_order_problem(frame.index):
            raise ValueError(
                f"Instance {i} of X {problem}: each time point of an instance must appear once, in "
                "increasing order. Aggregate repeated time points and sort each instance by time first."
            )
        if i and not frame.columns.equals(frames[0].columns):  # read by position: a df-list may differ
            raise ValueError(
                f"Instance {i} of X has the columns {frame.columns.tolist()}, but instance 0 has "
                f"{frames[0].columns.tolist()}: every instance must have the same columns, in the same "
                "order (features are read by position). Select them first, e.g. "
                "[x[columns] for x in X]."
            )
    sequences = [frame.to_numpy() for frame in frames]
    if len({x.shape for x in sequences}) == 1:
        return np.stack(sequences)
    return sequences
