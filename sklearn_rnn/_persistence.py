"""Save and load fitted estimators in a format that runs no code on load.

One zip file holds ``manifest.json`` (the estimator's class name, its
parameters and fitted attributes as JSON, the training history, the library
and torch versions), the network's weights and the optimizer's tensors as
safetensors, and any numeric arrays as ``.npy`` read with ``allow_pickle=False``
(values are encoded and decoded by ``_codec``). sktime's own fitted state of a
forecaster is rebuilt on load by sktime's ``fit`` on its stored series, with
training replaced by the stored network.

Loading never unpickles anything and never imports a name read from the file:
the estimator class comes from a fixed table (:func:`_estimator_classes`), and
each estimator declares what it stores and the network class it trains
(:class:`SafeFormatMixin`). What the file may set is the fixed policy of
``_load_policy``, which it cannot widen. The network is first built on torch's
meta device (no memory), and the weights' safetensors header is checked
against it before any tensor is read. Every member is read within its limits
by ``_archive``.

Pickle and joblib also work (and are exact), but only for files you trust.
"""

from __future__ import annotations

import functools
import io
import json
import math
import os
import re
import stat
import warnings
import zipfile
from collections.abc import Callable
from numbers import Integral, Real
from typing import IO, Any

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import validate_parameter_constraints

from ._archive import (
    MAX_ARRAYS,
    MAX_ARRAYS_BYTES,
    MAX_JSON_VALUES,
    Refused,
    compression,
    json_values,
    parse_json,
    read_array,
    read_member,
    read_tensors,
    shown,
)
from ._codec import ARRAYS, MAX_DATE_COST_US, MAX_RANGE_LENGTH, Encoder, StoredArrays, decode, plain_json
from ._load_policy import (
    ADDED_ATTRIBUTES,
    ADDED_PARAMETERS,
    CONFIG_RULES,
    MUST_BE_NONE,
    check_config,
    check_fitted,
    check_module_kwargs,
    check_optimizer_tensors,
    check_optimizer_values,
    check_outputs,
    check_parameters,
    check_weight_values,
    check_weights,
    metadata_request,
    network,
    optimizer_groups,
    parameter_rules,
    state_key,
)
from ._runtime import float32_default, user_stacklevel
from ._storable import InconsistentVersionWarning, SafeFormatMixin, VersionedPickleMixin, library_version
from ._training import OPTIMIZERS, fit_seed, python_numbers

__all__ = ["InconsistentVersionWarning", "SafeFormatMixin", "VersionedPickleMixin", "load", "save"]

FORMAT = "sklearn_rnn.model"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_WEIGHTS = "module.safetensors"
_OPTIMIZER = "optimizer.safetensors"

# What a file may hold (``save`` refuses what ``load`` would; the other limits are ``_archive``'s).
# A manifest is a few KB plus its training history's 60 bytes and 3 to 4 JSON values a batch: 256 MiB
# is about as many batches (4 million) as MAX_JSON_VALUES allows.
_MAX_MANIFEST_BYTES = 256 * 2**20
# settings that are not parameters (``set_fit_request``, sktime's ``set_config``): stored on their own
_SETTINGS = ("_metadata_request", "_config_dynamic")


def _estimator_classes() -> dict[str, type]:
    """The only classes :func:`load` builds, by name (never imported from the file)."""
    from .classifier import RNNClassifier
    from .outlier import RNNOutlierDetector
    from .regressor import RNNRegressor

    classes = {
        "RNNClassifier": RNNClassifier,
        "RNNOutlierDetector": RNNOutlierDetector,
        "RNNRegressor": RNNRegressor,
    }
    try:  # sktime is needed for these only
        from .detection import RNNAnomalyDetector
        from .forecasting import RNNForecaster
    except ImportError:
        return classes
    return {**classes, "RNNAnomalyDetector": RNNAnomalyDetector, "RNNForecaster": RNNForecaster}


# -- save --------------------------------------------------------------------------------
def save(estimator: Any, path: str | os.PathLike | IO[bytes]) -> None:
    """Save a fitted estimator in sklearn_rnn's safe format (loading it runs no code).

    The file is a zip archive of JSON (parameters, fitted attributes, training
    history, library and torch versions), safetensors (network weights and
    optimizer state) and ``.npy`` arrays. Weights are written from CPU copies,
    so a model trained on a GPU loads on a machine without one.

    Only what :func:`load` accepts is written. Parameters must be plain values
    within a fixed policy: ``net_kwargs`` and ``callbacks`` must be None (they
    reach skorch and torch as they are), ``optimizer`` a name such as
    ``"adamw"`` (not a class), ``device`` one of "cpu", "auto", "mps", "cuda" or
    "cuda:N", ``random_state`` an int or None. The manifest may hold up to 256
    MiB and 2**24 values of JSON (its training history takes 60 bytes and 3 to 4
    values a batch: about 4 million batches) and the arrays up to 1 GiB and
    2**16 members together (a panel's series take two each); a forecaster's
    series up to 32,760 series, and dates whose checks by pandas at load (date
    by date for a calendar frequency: a week, a month, a business day or hour)
    cost at most about 20 s, e.g. 23 years of 7-hour trading days with X. A
    member that deflate would shrink more than 20 times is stored uncompressed
    (:func:`load` refuses such ratios as zip bombs). A forecaster's time zone
    must be one ``load`` rebuilds exactly: an IANA zone (``zoneinfo``, pytz),
    UTC, or a fixed ``datetime.timezone`` offset. The settings that are not
    parameters are stored too: the metadata requests (``set_fit_request``) and
    sktime's ``set_config``, except its parallel backend.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor, RNNForecaster, RNNAnomalyDetector or RNNOutlierDetector
        A fitted estimator.
    path : str, path-like or binary file object
        Where to write. The usual suffix is ``.skrnn`` (any name works). A
        path's regular file is written beside it (``.<hex>.skrnn-part``, left
        there only by a killed process) and moved onto it once whole, so an
        existing file is replaced at once or, where saving fails or is
        interrupted, left as it was; a file of several hard links, one that
        cannot be written or in a folder that cannot, a device or a pipe is
        written in place, as ``open`` does. A file object is written from its
        position on and truncated after the archive.

    Raises
    ------
    TypeError
        When the estimator is not one of this library's estimators (the
        message says what to save instead: a search's ``best_estimator_``, a
        pipeline's last step) or holds a parameter or attribute the format
        does not store (the message names the fix, e.g. "set net_kwargs=None
        before saving, or use pickle/joblib for files you trust"), a
        forecaster was fitted on a data type other than pandas or numpy ones,
        or ``path`` is neither a path nor a binary file object.
    ValueError
        When its manifest or arrays exceed the format's limits, a parameter
        set after fit is one its constraints refuse (load would refuse the
        file), a forecaster's series has a time zone the format cannot rebuild
        exactly, or an sktime estimator is configured with a parallel backend.
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
            f"{_what_to_save(estimator, path, classes)}Use pickle or joblib for other estimators (and load "
            "those only from sources you trust)."
        )
    _check_destination(path)
    if not estimator.__sklearn_is_fitted__():
        raise NotFittedError(f"This {name} instance is not fitted yet. Call 'fit' before saving it.")
    encode = Encoder()
    params = estimator.get_params(deep=False)
    rules = parameter_rules()
    stored_params = {}
    for key, value in params.items():
        if key not in rules:
            raise TypeError(
                f"Parameter {key} of {name} is not in the safe format's allow-list "
                "(sklearn_rnn._persistence); use pickle/joblib for files you trust."
            )
        fix = f"set {key}=None before saving" if key in MUST_BE_NONE else "set a plain value before saving"
        try:
            if rules[key] is not None and not rules[key][0](python_numbers(value)):  # a grid's numpy ints too
                raise TypeError(f"it must be {rules[key][1]}")
            stored_params[key] = encode(value, f"{key}")
        except TypeError as exc:
            raise TypeError(
                f"Parameter {key}={value!r} of {name} cannot be stored in the safe format ({exc}). The "
                "format keeps only numbers, strings, booleans, None and lists, tuples or dicts of them, "
                "within a policy that load checks (e.g. optimizer='adam' instead of a class, "
                f"callbacks=None, an int random_state): {fix}, or use pickle/joblib for files you trust."
            ) from None
    try:  # load checks them so: a value set after fit (set_params does not check it) would be refused
        validate_parameter_constraints(type(estimator)._parameter_constraints, params, caller_name=name)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{name} holds a parameter that load would refuse: {exc} It was set after fit (set_params "
            "checks values at the next fit only). Set it back to the value it was fitted with before "
            "saving, or fit again."
        ) from None
    defaults = vars(type(estimator)())  # what any instance holds (sktime's tags and config)
    attributes = {}
    for key, value in vars(estimator).items():
        if (
            key in params
            or key in defaults
            or key in _SETTINGS
            or key in estimator._not_stored
            or key == "net_"
        ):
            continue
        try:
            attributes[key] = encode(value, key)
        except TypeError as exc:
            raise TypeError(
                f"Fitted attribute {key} of {name} cannot be stored in the safe format ({exc}). "
                "Use pickle or joblib for this estimator."
            ) from None
    try:  # what load would refuse is not written
        check_fitted({key: getattr(estimator, key) for key in attributes})
    except Refused as exc:
        raise ValueError(
            f"{name} holds fitted values that load would refuse ({str(exc).removeprefix('its ')}). "
            "Fit it again rather than editing what fit set."
        ) from None
    if not isinstance(getattr(estimator, "_module_kwargs", None), dict):
        raise TypeError(f"{name} was fitted by a version of sklearn_rnn that did not record its network.")
    net = estimator.net_
    trained_with = {cls: key for key, cls in OPTIMIZERS.items()}.get(net.optimizer, net.optimizer)
    if trained_with != params["optimizer"]:
        raise ValueError(
            f"{name} was trained with optimizer={trained_with!r} but is set to "
            f"optimizer={params['optimizer']!r}, and its file would hold an optimizer state that the new "
            f"setting cannot take. Set it back before saving (estimator.optimizer = {trained_with!r}; "
            "set_params would reset a fitted sktime estimator), or fit again."
        )
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
        history = json.loads(json.dumps(list(net.history), default=plain_json))
    except TypeError as exc:
        raise TypeError(f"{name} cannot be stored in the safe format: {exc}.") from None
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sklearn_rnn_version": library_version(),
        "torch_version": torch.__version__,
        "estimator": name,
        "params": stored_params,
        "attributes": attributes,
        "optimizer": {"param_groups": param_groups, "scalars": optimizer_scalars},
        "history": history,
        "settings": _saved_settings(estimator),
    }
    manifest.update(estimator._saved_state(encode))  # what else the estimator keeps (sktime's state)
    manifest_bytes = json.dumps(manifest).encode()
    arrays = {}
    for member, array in encode.arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        arrays[member] = buffer.getvalue()
    arrays_size = sum(map(len, arrays.values()))
    values = json_values(manifest_bytes)
    if (
        len(manifest_bytes) > _MAX_MANIFEST_BYTES
        or values > MAX_JSON_VALUES
        or arrays_size > MAX_ARRAYS_BYTES
        or len(arrays) > MAX_ARRAYS
        or encode.date_cost_us > MAX_DATE_COST_US
        or encode.range_values > MAX_RANGE_LENGTH
    ):
        raise ValueError(
            f"{name} is too large for the safe format: its manifest takes {len(manifest_bytes)} bytes "
            f"and {values} JSON values (at most {_MAX_MANIFEST_BYTES} and {MAX_JSON_VALUES}; a training "
            f"history takes 3 to 4 values a batch), its arrays {len(arrays)} members of {arrays_size} "
            f"bytes (at most {MAX_ARRAYS} and {MAX_ARRAYS_BYTES}; a panel's series take 2 each), and its "
            f"series dates whose checks would cost load about {encode.date_cost_us / 1e6:.1f} s (at most "
            f"{MAX_DATE_COST_US / 1e6:.0f}; pandas checks dates of a custom business day or hour, and of "
            f"other calendar frequencies, one by one) and {encode.range_values} steps of range indexes (at "
            f"most {MAX_RANGE_LENGTH}). Use pickle/joblib for files you trust."
        )
    from safetensors.torch import save as save_tensors

    members = [(_MANIFEST, manifest_bytes), *arrays.items()]
    # trained weights barely deflate; stored as they are, their size is what their header says
    stored = [(_WEIGHTS, save_tensors(weights)), (_OPTIMIZER, save_tensors(optimizer_tensors))]

    def write(file: IO[bytes]) -> None:
        with zipfile.ZipFile(file, "w") as archive:
            for member, data in members:
                archive.writestr(member, data, compress_type=compression(data))
            for member, data in stored:
                archive.writestr(member, data, compress_type=zipfile.ZIP_STORED)

    if isinstance(path, (str, os.PathLike)):
        _replace_atomically(path, write)
    else:
        write(path)
        # bytes an earlier, longer content left after the archive would hide its end from load
        try:
            if path.seekable():
                path.truncate()
        except (AttributeError, OSError, ValueError):  # a stream that cannot truncate holds nothing after it
            pass


def held_estimator(wrapper: Any, held: Callable[[Any], bool]) -> str | None:
    """Where a search or a pipeline keeps an estimator ``held`` accepts: a search's fitted
    ``best_estimator_`` (sktime's tuners: ``best_forecaster_``), the last of ``steps_`` (an sktime
    pipeline's fitted steps) or of ``steps`` (scikit-learn's), or ``regressor_`` (a
    ``TransformedTargetRegressor``'s); None where it keeps none."""
    for best in ("best_estimator_", "best_forecaster_"):
        if held(getattr(wrapper, best, None)):
            return best
    for steps in ("steps_", "steps"):
        found = getattr(wrapper, steps, None)
        if isinstance(found, list) and found and held(found[-1][-1]):
            return steps
    return "regressor_" if held(getattr(wrapper, "regressor_", None)) else None


def _what_to_save(estimator: Any, path: Any, classes: dict[str, type]) -> str:
    """The fix for an object save does not store: arguments swapped, a search, a pipeline (or nothing)."""
    if isinstance(estimator, (str, os.PathLike)) and type(path).__name__ in classes:
        return "The arguments are swapped: call save(estimator, path). "
    where = held_estimator(estimator, lambda inner: type(inner).__name__ in classes)
    if where in ("best_estimator_", "best_forecaster_"):
        return f"Save the search's fitted {where} instead: save(search.{where}, path). "
    if where == "steps_":
        return (
            "A pipeline's other steps are not stored in the safe format: save its fitted last step "
            "(save(pipeline.steps_[-1][1], path)) and fit the other steps again where you load it. "
        )
    if where == "steps":
        return (
            "A pipeline's other steps are not stored in the safe format: save its last step "
            "(save(pipeline[-1], path)) and build the other steps again where you load it. "
        )
    return ""


def _replace_atomically(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Write a regular file at ``path`` with ``write`` beside it, then move it there in one step.

    An interrupted save (Ctrl-C, a full disk, a killed process) leaves the file
    that was there as it was, and a reader never sees a file half written.
    The new file takes the old one's permissions, or the usual ones for a new
    file (``0o666`` less the umask); a symbolic link is written through. What
    is not a regular file of one name (a device, a pipe, a directory, a file
    of several hard links) is opened and written in place, as ``open`` does,
    and so is a path whose file or folder cannot be written (their error).
    """
    try:
        info = os.stat(path)  # through links: a loop raises here, as open would
    except FileNotFoundError:
        info = None
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    in_place = (
        info is not None
        and (not stat.S_ISREG(info.st_mode) or info.st_nlink > 1 or not os.access(target, os.W_OK))
    ) or not os.access(directory, os.W_OK | os.X_OK)
    if in_place:
        with open(path, "wb") as file:
            write(file)
        return
    temporary = os.path.join(directory, f".{os.urandom(6).hex()}.skrnn-part")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if info is not None:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _check_destination(path: Any) -> None:
    if isinstance(path, (str, os.PathLike)):
        return
    if not hasattr(path, "write") or isinstance(path, io.TextIOBase):
        raise TypeError(
            f"save writes to a path (str or path-like) or a binary file object, got {type(path).__name__}. "
            'Open a file in binary mode (open(path, "wb")), or write to io.BytesIO() to keep the bytes in '
            "memory."
        )


def _saved_settings(estimator: Any) -> dict[str, Any]:
    """The metadata requests set on the estimator and its sktime configuration, as plain JSON."""
    settings: dict[str, Any] = {}
    if "_metadata_request" in vars(estimator):
        request = estimator._metadata_request
        settings["metadata_request"] = {
            method: dict(value.requests)
            for method, value in vars(request).items()
            if hasattr(value, "requests")
        }
    config = vars(estimator).get("_config_dynamic")
    if config:
        defaults = type(estimator)().get_config()
        stored = {k: v for k, v in config.items() if k in CONFIG_RULES and CONFIG_RULES[k][0](v)}
        unsafe = {k: v for k, v in config.items() if k not in stored and v != defaults.get(k)}
        if unsafe:
            reset = {k: defaults.get(k) for k in unsafe}
            raise ValueError(
                f"{type(estimator).__name__} is configured with {shown(unsafe)}, which the safe format does "
                "not store (an execution backend reaches joblib, dask or ray as it is). Reset it with "
                f"set_config(**{reset!r}) before saving and set it again after load, or use pickle/joblib "
                "for files you trust."
            )
        settings["config"] = stored
    return settings


def _restore_settings(estimator: Any, settings: Any) -> None:
    if settings is None:  # files written before settings were stored
        return
    if not isinstance(settings, dict) or not set(settings) <= {"metadata_request", "config"}:
        raise Refused("its settings are malformed.")
    if "metadata_request" in settings:
        estimator._metadata_request = metadata_request(estimator, settings["metadata_request"])
    if "config" in settings:
        if not hasattr(estimator, "set_config"):
            raise Refused(f"it stores an sktime configuration for {type(estimator).__name__}.")
        estimator.set_config(**check_config(settings["config"], estimator.get_config()))


# -- load --------------------------------------------------------------------------------
def load(path: str | os.PathLike | IO[bytes]) -> Any:
    """Load an estimator written by :func:`save`, without running code from the file.

    The network is placed on the CPU whatever device it was trained on
    (``estimator.device`` keeps the stored setting for new fits; a
    ``warm_start`` fit, or a forecaster's ``update``, trains the network
    further where it is, on the CPU, with a warning where ``device`` says
    otherwise). A file written
    by another sklearn_rnn version, or by another torch release (major.minor:
    torch's patch releases and builds such as ``+cpu`` or ``+cu121`` compute
    alike), loads with an :class:`InconsistentVersionWarning`.

    The file cannot widen what it may set. Its parameters must be in the
    format's allow-list and pass the estimator's own constraints;
    ``net_kwargs`` and ``callbacks`` must be None, ``optimizer`` a name such as
    ``"adamw"``, ``device`` one of "cpu", "auto", "mps", "cuda" or "cuda:N".
    The network's constructor arguments must be exactly those of its class,
    plain values in sane ranges (at most 2**24 features, outputs, time steps
    or horizon steps, 2**16 hidden units or channels, 256 layers). The
    network is built on torch's meta device first and the weights' header must
    match its names, shapes and dtypes before a byte of weights is read; the
    optimizer's tensors must fit its parameters, and its settings other than
    the learning rate must be those the estimator sets. The manifest may hold
    up to 256 MiB and 2**24 values of JSON nested at most 32 deep (parsed, at
    most about 1.5 GB), the arrays up to 1 GiB together (each ``.npy`` exactly
    as long as its header declares), a safetensors header up to 16 MiB, and no
    member above 4 KiB may inflate more than 20 times the bytes it takes in the
    archive (a compressed size the entry declares beyond them is refused
    before anything inflates). Weights and input scalings must be finite,
    scales positive. Metadata requests may name only the estimator's methods
    and parameters, sktime settings only those ``save`` stores.

    Parameters
    ----------
    path : str, path-like or binary file object
        A file written by :func:`save`. A file object must be opened for
        reading in binary mode and able to seek.

    Returns
    -------
    estimator : RNNClassifier, RNNRegressor, RNNForecaster, RNNAnomalyDetector or RNNOutlierDetector
        The fitted estimator; its predictions equal the saved one's, and
        ``warm_start=True`` continues training from the stored optimizer state.
        A forecaster has the saved one's cutoff, horizon and data seen, so
        ``predict`` and ``update`` go on as they would have.

    Raises
    ------
    TypeError
        When ``path`` is neither a path nor a binary file object (bytes:
        wrap them in ``io.BytesIO``).
    ValueError
        When a file object cannot seek (a pipe: read it into ``io.BytesIO``
        first), or the file is not a zip archive. ``"Refusing to load ..."``
        when the file is cut short (a zip archive without its end), holds
        another archive after the one at a file object's position (two models
        saved one after the other: seek to the second to read it), is not a
        model file of this format, was altered or breaks the policy above: a member it does not
        write (a planted pickle), an estimator class outside the fixed table,
        values that are not plain, parameters or network arguments outside the
        policy, weights whose names or shapes do not fit the stored
        architecture, or a member over its limits. Nothing from the file is
        executed, and a refused file takes no more memory than its limits.

    See Also
    --------
    save : Write a file for this function.
    """
    if not isinstance(path, (str, os.PathLike)):
        if not hasattr(path, "read") or isinstance(path, io.TextIOBase):
            raise TypeError(
                f"load reads a path (str or path-like) or a binary file object, got {type(path).__name__}. "
                "Wrap the bytes of a file in io.BytesIO (load(io.BytesIO(data))), or open the file in "
                'binary mode (open(path, "rb")).'
            )
        if not getattr(path, "seekable", lambda: True)():
            raise ValueError(
                f"load reads a file object that can seek (a zip archive is read from its end); {path!r} "
                "cannot (a pipe or a socket). Read it into memory first: load(io.BytesIO(stream.read()))."
            )
    start = 0 if isinstance(path, (str, os.PathLike)) else _position(path)
    try:
        archive = zipfile.ZipFile(path)
    # a damaged directory: zipfile raises NotImplementedError (a forged version), ValueError (a
    # negative seek) or UnicodeDecodeError (a name) as well as BadZipFile
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        if _starts_as_zip(path, start):
            raise ValueError(
                f"Refusing to load {path!r}: it begins as a zip archive, as a sklearn_rnn model file does, "
                f"but its end is missing or damaged ({exc}), as when a copy, a download or a save stopped "
                "early. Copy or save it again. Nothing from the file was run."
            ) from None
        raise ValueError(
            f"{path!r} is not a sklearn_rnn model file ({exc}). Files written by sklearn_rnn.save are zip "
            "archives; a pickle or joblib file must be opened with pickle/joblib (only if you trust it)."
        ) from None
    with archive:
        first = min((info.header_offset for info in archive.infolist()), default=start)
        if start is not None and first > start and _starts_as_zip(path, start):
            # zip is read from its end: the archive found is a later one in the stream
            raise ValueError(
                f"Refusing to load {path!r}: it holds more than one archive from its "
                f"{'start' if isinstance(path, (str, os.PathLike)) else f'position ({start})'} on, "
                f"as when two models were saved one after the other, and a zip archive is read from its "
                f"end: the archive found starts at {first}. Save each model to its own file or buffer. "
                "Nothing from the file was run."
            )
        try:
            return _load(archive)
        except Refused as exc:
            raise ValueError(f"Refusing to load {path!r}: {exc} Nothing from the file was run.") from None


def _position(stream: IO[bytes]) -> int | None:
    try:
        return stream.tell()
    except (AttributeError, OSError, ValueError):
        return None


def _starts_as_zip(path: str | os.PathLike | IO[bytes], start: int | None) -> bool:
    """Whether the file begins (a file object: at ``start``) with a zip member's header."""
    try:
        if isinstance(path, (str, os.PathLike)):
            with open(path, "rb") as file:
                return file.read(4) == b"PK\x03\x04"
        path.seek(start)
        return path.read(4) == b"PK\x03\x04"
    except (AttributeError, OSError, TypeError, ValueError):
        return False


def _load(archive: zipfile.ZipFile) -> Any:
    names = archive.namelist()
    if len(names) != len(set(names)):
        raise Refused("the archive holds duplicated members.")
    if _MANIFEST not in names:
        raise Refused(f"the archive has no {_MANIFEST}; it is not a sklearn_rnn model file.")
    manifest = parse_json(read_member(archive, _MANIFEST, _MAX_MANIFEST_BYTES), _MANIFEST)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise Refused("its manifest does not name the sklearn_rnn model format.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or not 1 <= version <= FORMAT_VERSION:
        raise Refused(
            f"format version {shown(version)} is not one this sklearn_rnn reads (1 to {FORMAT_VERSION}); "
            "upgrade sklearn_rnn."
        )
    try:
        return _load_members(archive, manifest, names)
    except Refused as exc:
        newer = _newer_version(manifest.get("sklearn_rnn_version"))
        if newer is None:
            raise
        raise Refused(
            f"{exc} It was written by sklearn_rnn {newer}, newer than this one ({library_version()}), "
            "which may not know what it stores: upgrade sklearn_rnn to load it."
        ) from None


def _load_members(archive: zipfile.ZipFile, manifest: dict, names: list[str]) -> Any:
    """The estimator from the members of an archive whose manifest names this format."""
    n_arrays = sum(name.startswith(ARRAYS) for name in names)
    arrays_named = [f"{ARRAYS}{i}.npy" for i in range(n_arrays)]
    expected = {_MANIFEST, _WEIGHTS, _OPTIMIZER}
    unexpected = sorted(set(names) - expected - set(arrays_named))
    missing = sorted(expected - set(names))
    if unexpected or missing:
        raise Refused(f"the archive holds unexpected members {unexpected} or lacks {missing}.")
    _warn_versions(manifest)

    classes = _estimator_classes()
    estimator_name = manifest.get("estimator")
    if not isinstance(estimator_name, str) or estimator_name not in classes:
        raise Refused(
            f"the estimator {str(estimator_name)[:80]!r} is not one this format stores ({sorted(classes)})."
        )
    cls = classes[estimator_name]

    if n_arrays > MAX_ARRAYS:
        raise Refused(f"it holds {n_arrays} arrays, over the {MAX_ARRAYS} it allows.")
    arrays_size = sum(archive.getinfo(member).file_size for member in arrays_named)
    if arrays_size > MAX_ARRAYS_BYTES:
        raise Refused(f"its arrays declare {arrays_size} bytes, over the {MAX_ARRAYS_BYTES} it allows.")
    arrays = StoredArrays({member: read_array(archive, member) for member in arrays_named})

    params = manifest.get("params")
    fresh = cls()  # what any instance holds: its parameters (and a forecaster's sktime tags and config)
    allowed = fresh.get_params(deep=False)
    if not isinstance(params, dict) or set(params) - set(allowed):
        unknown = sorted(set(params) - set(allowed)) if isinstance(params, dict) else params
        raise Refused(f"its parameters {shown(unknown)} are not parameters of {estimator_name}.")
    params = {k: decode(v, arrays, f"parameter {k}") for k, v in params.items()}
    params = {**{k: v for k, v in ADDED_PARAMETERS.items() if k in allowed}, **params}
    check_parameters(params)
    try:  # before the constructor, which reads some (the detector's mode sets its task)
        validate_parameter_constraints(
            cls._parameter_constraints, {**allowed, **params}, caller_name=estimator_name
        )
    except (TypeError, ValueError) as exc:
        raise Refused(f"a stored parameter is invalid: {exc}") from None
    estimator = cls(**params)

    _restore_settings(estimator, manifest.get("settings"))

    attributes = manifest.get("attributes")
    if not isinstance(attributes, dict):
        raise Refused("its fitted attributes are not a mapping.")
    defaults = vars(fresh)
    for key in attributes:
        if (
            not key.isidentifier()
            or "__" in key
            or key in allowed
            or key in defaults
            or key in _SETTINGS
            or key in cls._not_stored
            or key == "net_"
            or not (key.endswith("_") or key.startswith("_"))
            or hasattr(cls, key)
        ):
            raise Refused(f"{shown(key)} is not a fitted attribute name.")
    attributes = {key: decode(value, arrays, f"attribute {key}") for key, value in attributes.items()}
    for key, parameter in ADDED_ATTRIBUTES.items():
        if key not in attributes and (parameter is None or parameter in params):
            attributes[key] = params.get(parameter)
    if missing := sorted(cls._required_fitted - set(attributes)):
        raise Refused(
            f"its fitted attributes lack {missing}, which every fitted {estimator_name} holds: the file "
            "was edited or damaged. Save the model again from the fitted estimator."
        )
    check_fitted(attributes)
    estimator._restore_fitted(
        attributes, lambda e: _rebuild_net(e, archive, manifest, arrays), manifest, arrays
    )
    if unused := arrays.unused():
        raise Refused(f"it holds arrays {shown(unused)} that no stored value names; save writes none such.")
    return estimator


def _release(version: Any) -> tuple[int, int] | None:
    """Major and minor of a version string ("2.13.0+cpu" -> (2, 13)); None when it has none."""
    match = re.match(r"(\d{1,9})\.(\d{1,9})", version) if isinstance(version, str) else None
    return (int(match[1]), int(match[2])) if match else None


def _newer_version(version: Any) -> str | None:
    """``version`` where it is a release after this sklearn_rnn's (major, minor, patch), else None."""

    def numbers(text: Any) -> tuple[int, ...] | None:
        # at most 9 digits a part: int() of thousands raises, and no release has them
        match = re.match(r"(\d{1,9})\.(\d{1,9})(?:\.(\d{1,9}))?", text) if isinstance(text, str) else None
        return tuple(int(part or 0) for part in match.groups()) if match else None

    stored, here = numbers(version), numbers(library_version())
    return version if stored is not None and here is not None and stored > here else None


def _warn_versions(manifest: dict) -> None:
    stored_version = manifest.get("sklearn_rnn_version")
    if _newer_version(stored_version) is not None:
        warnings.warn(
            f"This model was saved with sklearn_rnn {shown(stored_version)}, newer than this one "
            f"({library_version()!r}), and may use what this version lacks. Upgrade sklearn_rnn.",
            InconsistentVersionWarning,
            stacklevel=user_stacklevel(),
        )
    elif stored_version != library_version():
        warnings.warn(
            f"This model was saved with sklearn_rnn {shown(stored_version)} and is loaded with "
            f"{library_version()!r}. It may behave differently; re-fit and save it again with this version.",
            InconsistentVersionWarning,
            stacklevel=user_stacklevel(),
        )
    stored_torch = manifest.get("torch_version")
    if _release(stored_torch) != _release(torch.__version__):
        warnings.warn(
            f"This model was saved with torch {shown(stored_torch)} and is loaded with torch "
            f"{str(torch.__version__)!r}. Its predictions may differ slightly; re-fit and save it again "
            "with this torch to be sure.",
            InconsistentVersionWarning,
            stacklevel=user_stacklevel(),
        )


def _rebuild_net(estimator: Any, archive: zipfile.ZipFile, manifest: dict, arrays: StoredArrays) -> Any:
    from skorch.history import History

    cls, rules = network(estimator)
    kwargs = check_module_kwargs(cls, rules, getattr(estimator, "_module_kwargs", None))
    check_outputs(estimator, kwargs)
    built = []

    def build_and_check(declared: dict) -> None:
        # Building takes time with the number of layers (256 networks of 256 bidirectional layers:
        # 20 s on the meta device), so the weights' header must first hold 2 tensors for each
        # layer and direction, which makes that time grow with the file's size, not the network's.
        layers = (
            kwargs.get("n_networks", 1)
            * kwargs.get("num_layers", 1)
            * (1 + bool(kwargs.get("bidirectional")))
        )
        if len(declared) < 2 * layers:
            raise Refused(
                f"its network arguments declare {layers} recurrent layers, but its weights hold "
                f"{len(declared)} tensors, fewer than 2 a layer."
            )
        try:
            with torch.device("meta"), float32_default():  # shapes and dtypes only: nothing allocated
                built.append(cls(**kwargs))
        except (TypeError, ValueError, RuntimeError, OverflowError) as exc:
            raise Refused(f"its network arguments {shown(kwargs)} are invalid ({exc}).") from None
        expected = {k: (v.dtype, tuple(v.shape)) for k, v in built[0].state_dict().items()}
        check_weights(declared, expected=expected)

    weights = read_tensors(archive, _WEIGHTS, build_and_check)
    skeleton = built[0]
    shapes = [tuple(p.shape) for p in skeleton.parameters()]
    optimizer_tensors = read_tensors(
        archive, _OPTIMIZER, functools.partial(check_optimizer_tensors, shapes=shapes)
    )
    check_weight_values(weights)
    check_optimizer_values(optimizer_tensors)
    # memory for the checked shapes, every tensor of it then loaded (no random initialisation to draw)
    module = skeleton.to_empty(device="cpu")
    module.load_state_dict(weights, strict=True)
    module.eval()  # as fit leaves it: prediction never switches modes

    random_state = estimator.random_state
    seed = fit_seed(random_state) if isinstance(random_state, Integral) else 0
    net = estimator._build_net(module, "cpu", seed)
    net.initialize()

    stored = manifest.get("optimizer")
    if not isinstance(stored, dict) or not isinstance(stored.get("scalars"), dict):
        raise Refused("its optimizer state is malformed.")
    state: dict[int, dict[str, Any]] = {}
    for key, value in stored["scalars"].items():
        value = decode(value, arrays, "optimizer state")
        if not (value is None or (isinstance(value, Real) and math.isfinite(value))):
            raise Refused(f"optimizer state {shown(key)} holds {shown(value)}, not a number.")
        index, name = state_key(key, shapes)
        if value is not None:
            check_optimizer_values({key: torch.tensor(float(value))})
        state.setdefault(index, {})[name] = value
    for key, tensor in optimizer_tensors.items():
        index, name = state_key(key, shapes)
        state.setdefault(index, {})[name] = tensor
    param_groups = optimizer_groups(
        decode(stored.get("param_groups"), arrays, "optimizer param_groups"),
        net.optimizer_.state_dict()["param_groups"],
    )
    try:
        net.optimizer_.load_state_dict({"state": state, "param_groups": param_groups})
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise Refused(f"its optimizer state does not fit the network ({exc}).") from None

    history = manifest.get("history")
    if not isinstance(history, list) or not all(isinstance(row, dict) for row in history):
        raise Refused("its training history is malformed.")
    net.history = History(history)
    return net
