"""Save and load fitted estimators in a format that runs no code on load.

One zip file holds ``manifest.json`` (the estimator's class name, its
parameters and fitted attributes as JSON, the training history, the library
version), the network's weights and the optimizer's tensors as safetensors,
and any numeric arrays as ``.npy`` read with ``allow_pickle=False``. A
forecaster's series are stored as their parts (pandas indexes by kind, numeric
columns as arrays), and sktime's own fitted state is rebuilt on load by
sktime's ``fit`` on them, with training replaced by the stored network. Loading
never unpickles anything and never imports a name read from the file: the
estimator class comes from a fixed table, and the network is rebuilt from its
stored constructor arguments and checked against the stored weights.

Pickle and joblib also work (and are exact), but only for files you trust.
"""

from __future__ import annotations

import io
import json
import os
import warnings
import zipfile
from numbers import Integral, Real
from typing import IO, Any

import numpy as np
import pandas as pd
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

__all__ = ["InconsistentVersionWarning", "load", "save"]

FORMAT = "sklearn_rnn.model"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_WEIGHTS = "module.safetensors"
_OPTIMIZER = "optimizer.safetensors"
_ARRAYS = "arrays/"


class InconsistentVersionWarning(UserWarning):
    """A model file was written by another version of sklearn_rnn (or torch)."""


def _estimator_classes() -> dict[str, type]:
    """The only classes :func:`load` builds, by name (never imported from the file)."""
    from .classifier import RNNClassifier
    from .regressor import RNNRegressor

    classes = {"RNNClassifier": RNNClassifier, "RNNRegressor": RNNRegressor}
    try:
        from .forecasting import RNNForecaster
    except ImportError:  # sktime is needed for the forecaster only
        return classes
    return {**classes, "RNNForecaster": RNNForecaster}


def _module_class(estimator: Any) -> type:
    """The network class an estimator trains (a fixed table, as for the estimators)."""
    if type(estimator).__name__ == "RNNForecaster":
        from .forecasting import ForecastNet

        return ForecastNet
    from ._module import RecurrentNet

    return RecurrentNet


# sktime's own fitted state of a forecaster: not stored, rebuilt on load by sktime's ``fit``
_SKTIME_STATE = {
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


def _library_version() -> str:
    from . import __version__

    return __version__


class _Refused(ValueError):
    """Internal: a reason to refuse a file, turned into one message by :func:`load`."""


# -- plain values <-> JSON ---------------------------------------------------------------
def _is_plain(value: Any) -> bool:
    """A value JSON holds as it is."""
    return value is None or isinstance(value, (bool, int, float, str))


class _Encoder:
    """JSON for plain values; numeric arrays go to ``.npy`` members.

    Only None, bool, int, float, str, tuples, lists, dicts and 1D arrays of
    them are stored, and pandas indexes and data frames made of those (a
    forecaster's series: range, integer, string, period, datetime and
    multi-level indexes; numeric columns). Anything else (a class, a callback,
    a RandomState) raises ``TypeError`` naming where it was found.
    """

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

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
                name = f"{_ARRAYS}{len(self.arrays)}.npy"
                self.arrays[name] = value
                return {"__ndarray__": name}
            if value.dtype.kind in "OU" and value.ndim == 1:
                items = [self(v, f"{where}[{i}]") for i, v in enumerate(value)]
                if not all(map(_is_plain, items)):
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
            return {"kind": "range", "range": [index.start, index.stop, index.step], "names": names}
        if isinstance(index, pd.PeriodIndex):
            ordinals = self(index.asi8.copy(), where)
            return {"kind": "period", "ordinals": ordinals, "freq": index.freqstr, "names": names}
        if isinstance(index, pd.DatetimeIndex):
            return {
                "kind": "datetime",
                "i8": self(index.asi8.copy(), where),
                "unit": index.unit,
                "tz": None if index.tz is None else str(index.tz),
                "freq": index.freqstr,
                "names": names,
            }
        if index.dtype.kind in "biuf":
            return {"kind": "values", "values": self(index.to_numpy(), where), "names": names}
        if pd.api.types.is_string_dtype(index.dtype) or index.dtype == object:
            items = [self(v, f"{where}[{i}]") for i, v in enumerate(index)]
            if not all(map(_is_plain, items)):
                raise TypeError(f"{where} is an index of objects that are not plain values.")
            return {"kind": "objects", "values": items, "object": index.dtype == object, "names": names}
        raise TypeError(f"{where} is a {type(index).__name__} of dtype {index.dtype}.")


def _decode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    if _is_plain(value):
        return value
    if isinstance(value, list):
        return [_decode(v, arrays, where) for v in value]
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"} and value["__ndarray__"] in arrays:
            return arrays[value["__ndarray__"]]
        if set(value) == {"__array__", "dtype"} and value["dtype"] in ("object", "str"):
            items = _decode(value["__array__"], arrays, where)
            if not isinstance(items, list) or not all(map(_is_plain, items)):
                raise _Refused(f"{where} holds an array of values that are not plain.")
            return np.array(items, dtype=object if value["dtype"] == "object" else str)
        if set(value) == {"__tuple__"} and isinstance(value["__tuple__"], list):
            return tuple(_decode(value["__tuple__"], arrays, where))
        if set(value) == {"__index__"} and isinstance(value["__index__"], dict):
            return _decode_index(value["__index__"], arrays, where)
        if set(value) == {"__frame__"} and isinstance(value["__frame__"], dict):
            return _decode_frame(value["__frame__"], arrays, where)
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], list):
            out = {}
            for pair in value["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise _Refused(f"{where} holds a malformed dict entry {pair!r}.")
                key = _decode(pair[0], arrays, where)
                if not _is_plain(key) and not (isinstance(key, tuple) and all(map(_is_plain, key))):
                    raise _Refused(f"{where} holds a dict key that is not a plain value.")
                out[key] = _decode(pair[1], arrays, where)
            return out
    raise _Refused(f"{where} holds {str(value)[:80]!r}, which is not a stored value this format writes.")


def _decode_index(spec: dict, arrays: dict[str, np.ndarray], where: str) -> pd.Index:
    """Build a pandas index from its stored parts, with pandas' own constructors only."""

    def part(key: str, kind: type | tuple[type, ...]) -> Any:
        item = _decode(spec.get(key), arrays, f"{where} {key}")
        if not isinstance(item, kind):
            raise _Refused(f"{where} has a malformed index ({key}).")
        return item

    kind = spec.get("kind")
    names = part("names", list)
    if not all(map(_is_plain, names)):
        raise _Refused(f"{where} has index names that are not plain values.")
    try:
        if kind == "multi":
            levels, codes = part("levels", list), part("codes", list)
            if not all(isinstance(x, pd.Index) for x in levels) or not all(
                isinstance(c, np.ndarray) and c.dtype.kind in "iu" for c in codes
            ):
                raise _Refused(f"{where} has a malformed multi-level index.")
            return pd.MultiIndex(levels=levels, codes=codes, names=names, verify_integrity=True)
        (name,) = names
        if kind == "range":
            bounds = part("range", list)
            if len(bounds) != 3 or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
                raise _Refused(f"{where} has a malformed range index.")
            return pd.RangeIndex(*bounds, name=name)
        if kind == "period":
            ordinals = part("ordinals", np.ndarray)
            return pd.PeriodIndex.from_ordinals(ordinals.astype(np.int64), freq=part("freq", str), name=name)
        if kind == "datetime":
            unit, tz, freq = part("unit", str), part("tz", (str, type(None))), part("freq", (str, type(None)))
            if unit not in ("s", "ms", "us", "ns"):
                raise _Refused(f"{where} has datetime unit {unit!r}.")
            index = pd.DatetimeIndex(part("i8", np.ndarray).astype(np.int64).view(f"M8[{unit}]"), name=name)
            if tz is not None:
                index = index.tz_localize("UTC").tz_convert(tz)
            return index if freq is None else pd.DatetimeIndex(index, freq=freq)
        if kind == "values":
            return pd.Index(part("values", np.ndarray), name=name)
        if kind == "objects":
            items = part("values", list)
            if not all(map(_is_plain, items)):
                raise _Refused(f"{where} holds index values that are not plain.")
            return pd.Index(items, dtype=object if part("object", bool) else None, name=name)
    except (TypeError, ValueError) as exc:  # pandas refusing the parts (a bad freq, codes out of range)
        raise _Refused(f"{where} holds an index pandas cannot build ({exc}).") from None
    raise _Refused(f"{where} has an index of unknown kind {str(kind)[:40]!r}.")


def _decode_frame(spec: dict, arrays: dict[str, np.ndarray], where: str) -> pd.DataFrame:
    index = _decode(spec.get("index"), arrays, f"{where}.index")
    columns = _decode(spec.get("columns"), arrays, f"{where}.columns")
    data = _decode(spec.get("data"), arrays, where)
    if not (
        isinstance(index, pd.Index)
        and isinstance(columns, pd.Index)
        and isinstance(data, list)
        and len(data) == len(columns)
        and all(isinstance(c, np.ndarray) and c.shape == (len(index),) for c in data)
    ):
        raise _Refused(f"{where} holds a malformed data frame.")
    frame = pd.DataFrame(dict(enumerate(data)), index=index)
    frame.columns = columns
    return frame


def _plain_json(value: Any) -> Any:
    """``json.dumps`` default for the training history (numpy scalars only)."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"the training history holds {value!r} of type {type(value).__name__}")


# -- save --------------------------------------------------------------------------------
def save(estimator: Any, path: str | os.PathLike | IO[bytes]) -> None:
    """Save a fitted estimator in sklearn_rnn's safe format (loading it runs no code).

    The file is a zip archive of JSON (parameters, fitted attributes, training
    history, library and torch versions), safetensors (network weights and
    optimizer state) and ``.npy`` arrays. Weights are written from CPU copies,
    so a model trained on a GPU loads on a machine without one.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNForecaster
        A fitted estimator. Parameters must be plain values: an optimizer given
        as a class, callbacks, ``net_kwargs`` holding objects or a
        ``RandomState`` instance are refused (use pickle or joblib for those,
        with files you trust).
    path : str, path-like or binary file object
        Where to write. The usual suffix is ``.skrnn`` (any name works).

    Raises
    ------
    TypeError
        When the estimator is not one of this library's estimators or holds a
        parameter or attribute that cannot be stored as plain data (or a
        forecaster was fitted on a data type other than pandas or numpy ones).
    sklearn.exceptions.NotFittedError
        When the estimator is not fitted.

    See Also
    --------
    load : Read a file written by :func:`save`.

    Examples
    --------
    >>> import io
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor, load, save
    >>> X = np.random.default_rng(0).normal(size=(32, 6, 2))
    >>> reg = RNNRegressor(hidden_size=8, max_epochs=3, random_state=0).fit(X, X.sum(axis=(1, 2)))
    >>> buffer = io.BytesIO()
    >>> save(reg, buffer)
    >>> restored = load(io.BytesIO(buffer.getvalue()))
    >>> bool(np.array_equal(restored.predict(X), reg.predict(X)))
    True
    """
    classes = _estimator_classes()
    name = type(estimator).__name__
    if classes.get(name) is not type(estimator):
        raise TypeError(
            f"sklearn_rnn.save stores {sorted(classes)}, got {type(estimator).__module__}.{name}. "
            "Use pickle or joblib for other estimators (and load those only from sources you trust)."
        )
    if name != "RNNForecaster":
        check_is_fitted(estimator)
    elif not estimator.is_fitted:  # sktime's own state
        raise NotFittedError(f"This {name} instance is not fitted yet. Call 'fit' before saving it.")
    encode = _Encoder()
    params = estimator.get_params(deep=False)
    stored_params = {}
    for key, value in params.items():
        try:
            stored_params[key] = encode(value, f"{key}")
        except TypeError as exc:
            raise TypeError(
                f"Parameter {key}={value!r} of {name} cannot be stored in the safe format, which keeps "
                f"only numbers, strings, booleans, None and lists, tuples or dicts of them ({exc}). "
                "Set a plain value before saving (e.g. optimizer='adam' instead of a class, "
                "callbacks=None, an int random_state), or use pickle/joblib for files you trust."
            ) from None
    defaults = vars(type(estimator)())  # what any instance holds (sktime's tags and config)
    attributes = {}
    for key, value in vars(estimator).items():
        if key in params or key in defaults or key in _SKTIME_STATE or key == "net_":
            continue
        try:
            attributes[key] = encode(value, key)
        except TypeError as exc:
            raise TypeError(
                f"Fitted attribute {key} of {name} cannot be stored in the safe format ({exc}). "
                "Use pickle or joblib for this estimator."
            ) from None
    if not isinstance(getattr(estimator, "_module_kwargs", None), dict):
        raise TypeError(f"{name} was fitted by a version of sklearn_rnn that did not record its network.")
    net = estimator.net_
    weights = {k: v.detach().cpu().contiguous() for k, v in net.module_.state_dict().items()}
    optimizer_tensors, optimizer_scalars = {}, {}
    optimizer_state = net.optimizer_.state_dict()
    for index, state in optimizer_state["state"].items():
        for key, value in state.items():
            if torch.is_tensor(value):
                optimizer_tensors[f"{index}.{key}"] = value.detach().cpu().contiguous()
            else:
                optimizer_scalars[f"{index}.{key}"] = encode(value, f"optimizer state {index}.{key}")
    try:
        param_groups = encode(optimizer_state["param_groups"], "optimizer param_groups")
        history = json.loads(json.dumps(list(net.history), default=_plain_json))
    except TypeError as exc:
        raise TypeError(f"{name} cannot be stored in the safe format: {exc}.") from None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_rnn_version": _library_version(),
        "torch_version": torch.__version__,
        "estimator": name,
        "params": stored_params,
        "attributes": attributes,
        "optimizer": {"param_groups": param_groups, "scalars": optimizer_scalars},
        "history": history,
    }
    if name == "RNNForecaster":
        manifest["sktime"] = _sktime_state(estimator, encode)
    from safetensors.torch import save as save_tensors

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_MANIFEST, json.dumps(manifest))
        archive.writestr(_WEIGHTS, save_tensors(weights))
        archive.writestr(_OPTIMIZER, save_tensors(optimizer_tensors))
        for member, array in encode.arrays.items():
            buffer = io.BytesIO()
            np.save(buffer, array, allow_pickle=False)
            archive.writestr(member, buffer.getvalue())


# the input types a forecaster's training data are stored back as (sktime mtypes built of pandas/numpy)
_MTYPES = (
    "pd.Series",
    "pd.DataFrame",
    "np.ndarray",
    "pd-multiindex",
    "df-list",
    "numpy3D",
    "pd_multiindex_hier",
)


def _sktime_state(forecaster: Any, encode: _Encoder) -> dict[str, Any]:
    """What sktime's ``fit`` needs to rebuild a forecaster's state: its data as passed, and ``fh``."""
    y_mtype = forecaster._y_mtype_last_seen
    X_mtype = getattr(forecaster, "_X_mtype_last_seen", None) if forecaster._X_hist is not None else None
    for kind, mtype in (("y", y_mtype), ("X", X_mtype)):
        if mtype is not None and mtype not in _MTYPES:
            raise TypeError(
                f"RNNForecaster was fitted on {kind} of sktime type {mtype!r}; the safe format stores "
                f"forecasters fitted on {list(_MTYPES)}. Convert {kind} to one of them before fit, or use "
                "pickle/joblib for files you trust."
            )
    fh = forecaster._fh
    return {
        "y_mtype": y_mtype,
        "X_mtype": X_mtype,
        "converter_store": encode(dict(forecaster._converter_store_y or {}), "sktime converter store"),
        "fh": None
        if fh is None
        else {"values": encode(fh.to_pandas(), "fh"), "is_relative": fh.is_relative, "freq": fh.freq},
    }


def _restore_forecaster(
    forecaster: Any, stored: Any, arrays: dict[str, np.ndarray], attributes: dict[str, Any], restore: Any
) -> None:
    """Rebuild sktime's state with sktime's own ``fit`` on the stored data; ``restore`` replaces training."""
    from sktime.datatypes import convert_to
    from sktime.forecasting.base import ForecastingHorizon

    from .forecasting import _restoring

    if not isinstance(stored, dict):
        raise _Refused("it stores no sktime state for its forecaster.")
    y_mtype, X_mtype = stored.get("y_mtype"), stored.get("X_mtype")
    if y_mtype not in _MTYPES or X_mtype not in (*_MTYPES, None):
        raise _Refused(f"its data types {str(y_mtype)[:40]!r}, {str(X_mtype)[:40]!r} are not ones it writes.")
    store = _decode(stored.get("converter_store"), arrays, "sktime converter store")
    fh = stored.get("fh")
    y_hist, X_hist = attributes.get("_y_hist"), attributes.get("_X_hist")
    if not isinstance(store, dict) or not all(map(_is_plain, store.values())):
        raise _Refused("its sktime converter store is malformed.")
    if not isinstance(y_hist, pd.DataFrame) or not (X_hist is None or isinstance(X_hist, pd.DataFrame)):
        raise _Refused("its forecaster holds no training series.")
    try:
        if fh is not None:
            values = _decode(fh.get("values"), arrays, "fh") if isinstance(fh, dict) else None
            if not (isinstance(values, pd.Index) and isinstance(fh.get("is_relative"), bool)):
                raise _Refused("its forecasting horizon is malformed.")
            fh = ForecastingHorizon(values, is_relative=fh["is_relative"], freq=fh.get("freq"))
        y = convert_to(y_hist, to_type=y_mtype, store=store, store_behaviour="freeze")
        X = X_hist if X_hist is None or X_mtype is None else convert_to(X_hist, to_type=X_mtype)
        token = _restoring.set(restore)
        try:
            forecaster.fit(y, X=X, fh=fh)
        finally:
            _restoring.reset(token)
    except _Refused:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise _Refused(f"its forecaster state does not rebuild ({type(exc).__name__}: {exc})") from None


# -- load --------------------------------------------------------------------------------
def load(path: str | os.PathLike | IO[bytes]) -> Any:
    """Load an estimator written by :func:`save`, without running code from the file.

    The network is placed on the CPU whatever device it was trained on
    (``estimator.device`` keeps the stored setting for later fits; move the
    network with ``estimator.net_.set_params(device="cuda")``). A file written
    by another sklearn_rnn version loads with an
    :class:`InconsistentVersionWarning`.

    Parameters
    ----------
    path : str, path-like or binary file object
        A file written by :func:`save`.

    Returns
    -------
    estimator : RNNClassifier, RNNRegressor or RNNForecaster
        The fitted estimator; its predictions equal the saved one's, and
        ``warm_start=True`` continues training from the stored optimizer state.
        A forecaster has the saved one's cutoff, horizon and data seen, so
        ``predict`` and ``update`` go on as they would have.

    Raises
    ------
    ValueError
        When the file is not a model file of this format or was altered: a
        member it does not write (a planted pickle), an estimator class outside
        the fixed table, parameters or attributes that are not plain values,
        invalid parameter values, or weights whose names or shapes do not fit
        the stored architecture. Nothing from the file is executed.

    See Also
    --------
    save : Write a file for this function.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ValueError(
            f"{path!r} is not a sklearn_rnn model file ({exc}). Files written by sklearn_rnn.save are zip "
            "archives; a pickle or joblib file must be opened with pickle/joblib (only if you trust it)."
        ) from None
    with archive:
        try:
            return _load(archive)
        except _Refused as exc:
            raise ValueError(f"Refusing to load {path!r}: {exc} Nothing from the file was run.") from None


def _read_json(archive: zipfile.ZipFile, member: str) -> Any:
    try:
        return json.loads(archive.read(member))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _Refused(f"{member} is not valid JSON ({exc}).") from None


def _load(archive: zipfile.ZipFile) -> Any:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise _Refused("the archive holds duplicated members.")
    if _MANIFEST not in names:
        raise _Refused(f"the archive has no {_MANIFEST}; it is not a sklearn_rnn model file.")
    manifest = _read_json(archive, _MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _Refused("its manifest does not name the sklearn_rnn model format.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise _Refused(
            f"format version {version!r} is not one this sklearn_rnn reads (1 to {FORMAT_VERSION}); "
            "upgrade sklearn_rnn."
        )
    arrays_named = [n for n in names if n.startswith(_ARRAYS)]
    expected = {_MANIFEST, _WEIGHTS, _OPTIMIZER}
    unexpected = sorted(set(names) - expected - set(arrays_named))
    missing = sorted(expected - set(names))
    if unexpected or missing:
        raise _Refused(f"the archive holds unexpected members {unexpected} or lacks {missing}.")
    stored_version = manifest.get("sklearn_rnn_version")
    if stored_version != _library_version():
        warnings.warn(
            f"This model was saved with sklearn_rnn {stored_version!r} and is loaded with "
            f"{_library_version()!r}. It may behave differently; re-fit and save it again with this version.",
            InconsistentVersionWarning,
            stacklevel=3,
        )

    classes = _estimator_classes()
    estimator_name = manifest.get("estimator")
    if not isinstance(estimator_name, str) or estimator_name not in classes:
        raise _Refused(
            f"the estimator {str(estimator_name)[:80]!r} is not one this format stores ({sorted(classes)})."
        )
    cls = classes[estimator_name]

    arrays = {}
    for member in arrays_named:
        try:
            arrays[member] = np.load(io.BytesIO(archive.read(member)), allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise _Refused(f"{member} is not a plain numeric .npy array ({exc}).") from None
        if arrays[member].dtype.kind not in "biuf":
            raise _Refused(f"{member} has dtype {arrays[member].dtype}, not a numeric one.")

    params = manifest.get("params")
    fresh = cls()  # what any instance holds: its parameters (and a forecaster's sktime tags and config)
    allowed = fresh.get_params(deep=False)
    if not isinstance(params, dict) or set(params) - set(allowed):
        unknown = sorted(set(params) - set(allowed)) if isinstance(params, dict) else params
        raise _Refused(f"its parameters {unknown!r} are not parameters of {estimator_name}.")
    params = {k: _decode(v, arrays, f"parameter {k}") for k, v in params.items()}
    estimator = cls(**params)
    try:
        validate_parameter_constraints(
            cls._parameter_constraints, estimator.get_params(deep=False), caller_name=estimator_name
        )
    except (TypeError, ValueError) as exc:
        raise _Refused(f"a stored parameter is invalid: {exc}") from None
    if estimator.callbacks:
        raise _Refused("it stores callbacks, which this format never writes.")

    attributes = manifest.get("attributes")
    if not isinstance(attributes, dict):
        raise _Refused("its fitted attributes are not a mapping.")
    defaults = vars(fresh)
    for key in attributes:
        if (
            not key.isidentifier()
            or key.startswith("__")
            or key in allowed
            or key in defaults
            or key in _SKTIME_STATE
            or key == "net_"
            or not (key.endswith("_") or key.startswith("_"))
            or hasattr(cls, key)
        ):
            raise _Refused(f"{key!r} is not a fitted attribute name.")
    attributes = {key: _decode(value, arrays, f"attribute {key}") for key, value in attributes.items()}

    def restore(estimator: Any) -> None:
        for key, value in attributes.items():
            setattr(estimator, key, value)
        estimator.net_ = _rebuild_net(estimator, archive, manifest)
        _check_outputs(estimator)

    if estimator_name == "RNNForecaster":
        _restore_forecaster(estimator, manifest.get("sktime"), arrays, attributes, restore)
    else:
        restore(estimator)
    return estimator


def _check_outputs(estimator: Any) -> None:
    """The rebuilt network's outputs match what the estimator's fitted attributes expect."""
    kwargs = estimator._module_kwargs
    if type(estimator).__name__ == "RNNForecaster":
        found = (kwargs.get("horizon"), kwargs.get("n_quantiles"))
        expected = (getattr(estimator, "horizon_", None), len(getattr(estimator, "quantile_levels_", ())))
    else:
        found = kwargs.get("n_outputs")
        expected = (
            len(estimator.classes_)
            if hasattr(estimator, "classes_")
            else getattr(estimator, "n_outputs_", None)
        )
    if found != expected:
        raise _Refused(f"the network has outputs {found} but the estimator expects {expected}.")


def _rebuild_net(estimator: Any, archive: zipfile.ZipFile, manifest: dict) -> Any:
    from safetensors import SafetensorError
    from safetensors.torch import load as load_tensors
    from skorch.history import History

    kwargs = getattr(estimator, "_module_kwargs", None)
    if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
        raise _Refused("it does not record the network's constructor arguments.")
    try:
        module = _module_class(estimator)(**kwargs)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise _Refused(f"its network arguments {kwargs} are invalid ({exc}).") from None
    try:
        weights = load_tensors(archive.read(_WEIGHTS))
        optimizer_tensors = load_tensors(archive.read(_OPTIMIZER))
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise _Refused(f"its tensors are not a valid safetensors file ({exc}).") from None
    expected = module.state_dict()
    if set(weights) != set(expected):
        raise _Refused(
            f"its weights {sorted(set(weights) ^ set(expected))} do not match the stored architecture."
        )
    for key, tensor in expected.items():
        if weights[key].shape != tensor.shape or weights[key].dtype != tensor.dtype:
            raise _Refused(
                f"weight {key!r} has shape {tuple(weights[key].shape)} ({weights[key].dtype}) but the "
                f"stored architecture needs {tuple(tensor.shape)} ({tensor.dtype})."
            )
    module.load_state_dict(weights, strict=True)

    random_state = estimator.random_state
    seed = (
        int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
        if isinstance(random_state, Integral)
        else 0
    )
    net = estimator._build_net(module, "cpu", seed)
    net.initialize()

    stored = manifest.get("optimizer")
    if not isinstance(stored, dict) or not isinstance(stored.get("scalars"), dict):
        raise _Refused("its optimizer state is malformed.")
    state: dict[int, dict[str, Any]] = {}
    entries = [(k, v) for k, v in optimizer_tensors.items()] + [
        (k, _decode(v, {}, "optimizer state")) for k, v in stored["scalars"].items()
    ]
    for key, value in entries:
        index, _, name = key.partition(".")
        if not index.isdigit() or not name:
            raise _Refused(f"optimizer state key {key!r} is malformed.")
        state.setdefault(int(index), {})[name] = value
    param_groups = _decode(stored.get("param_groups"), {}, "optimizer param_groups")
    if not isinstance(param_groups, list) or not all(isinstance(g, dict) for g in param_groups):
        raise _Refused("its optimizer parameter groups are malformed.")
    try:
        net.optimizer_.load_state_dict({"state": state, "param_groups": param_groups})
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise _Refused(f"its optimizer state does not fit the network ({exc}).") from None

    history = manifest.get("history")
    if not isinstance(history, list) or not all(isinstance(row, dict) for row in history):
        raise _Refused("its training history is malformed.")
    net.history = History(history)
    for parameter in module.parameters():
        if not bool(torch.isfinite(parameter).all()):
            raise _Refused("its weights hold NaN or inf.")
    return net
