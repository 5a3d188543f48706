"""What a saved file may set: the allow-lists and rules :func:`sklearn_rnn.load` checks it against.

A file cannot widen this policy. Every stored parameter must be in the
allow-list and within its rule (and then pass the estimator's own
``_parameter_constraints``); the settings that reach skorch or torch as objects
are refused (``net_kwargs``, ``callbacks``) or limited to names (``optimizer``,
``device``). The network's constructor arguments must be exactly its
class's signature, each within the rule of :data:`NETWORK_RULES`; the weights'
and the optimizer's tensors must have the shapes of the network built from
them, its settings other than the learning rate those the estimator sets.
The settings that are not parameters are limited too: metadata requests to the
estimator's own methods and their parameters, sktime's configuration to the keys
of :data:`CONFIG_RULES` (never its parallel backend).
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from pandas.tseries.frequencies import to_offset

from ._archive import Header, Refused, shown
from ._networks.forecast import ForecastNet
from ._networks.reconstruct import WindowAutoencoder
from ._networks.recurrent import (
    ARCHITECTURES,
    CELLS,
    FCN_KERNEL_SIZES,
    INPUT_SCALINGS,
    MAX_DILATION,
    MISSING,
    POOLINGS,
    RecurrentNet,
)
from ._training import MAX_LAYERS, MAX_SIZE, MAX_WIDTH, MAX_WINDOW_LENGTH, OPTIMIZERS

# A rule: a check of a stored value, and the words for what it accepts.
Rule = tuple[Callable[[Any], bool], str]


def _integer(low: int, high: int) -> Rule:
    return (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high,
        f"an int from {low} to {high}",
    )


def _option(options: Iterable[str]) -> Rule:
    options = sorted(options)
    return lambda v: isinstance(v, str) and v in options, f"one of {options}"


def _optional(rule: Rule) -> Rule:
    check, accepted = rule
    return lambda v: v is None or check(v), f"None or {accepted}"


_BOOL: Rule = (lambda v: isinstance(v, bool), "a bool")
_WIDTH = _integer(1, MAX_WIDTH)
_FRACTION: Rule = (
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1,
    "a number from 0 to 1",
)
_FILTERS: Rule = (
    lambda v: (
        isinstance(v, (tuple, list)) and len(v) == len(FCN_KERNEL_SIZES) and all(_WIDTH[0](f) for f in v)
    ),
    f"{len(FCN_KERNEL_SIZES)} ints from 1 to {MAX_WIDTH}",
)
_DILATION = _integer(1, MAX_DILATION)
_DILATIONS: Rule = (
    lambda v: isinstance(v, (tuple, list)) and 1 <= len(v) <= MAX_LAYERS and all(_DILATION[0](d) for d in v),
    f"1 to {MAX_LAYERS} ints from 1 to {MAX_DILATION}",
)
_DEVICE: Rule = (
    lambda v: isinstance(v, str) and re.fullmatch(r"cpu|auto|mps|cuda(:\d{1,3})?", v) is not None,
    "'cpu', 'auto', 'mps', 'cuda' or 'cuda:N'",
)
# Parameters added after the format's first version, with the value a file written before
# them was trained with (what its network computed then): such a file loads unchanged.
ADDED_PARAMETERS = {
    "input_scaling": "global",
    "baseline": "naive",
    "n_networks": 1,
    "correction_weight": 1.0,
    "fixed_smoothing": False,
    "median_index": None,
    "augmentation": None,
    "fcn_dilations": (1,),
    "event_peak": 1.0,
    "head_hidden_size": None,
}
# Fitted attributes added since, with the stored parameter whose value they had in a file written
# before them (the forecaster's window was its int window_length), or None: not recorded then
ADDED_ATTRIBUTES = {
    "window_length_": "window_length",
    "validation_loss_curve_": None,
    "augmentation_": "augmentation",
}
# Parameters that reach skorch and torch as they are: a file must never set them.
MUST_BE_NONE = ("callbacks", "net_kwargs")
# sktime's ``set_config`` keys a file may set; the parallel backend ("backend:parallel" and its
# params) reaches joblib, dask or ray as it is: save refuses it, load never sets it
CONFIG_RULES: dict[str, Rule] = {
    "display": _option(("diagram", "text")),
    "print_changed_only": _BOOL,
    "check_clone": _BOOL,
    "clone_config": _BOOL,
    "warnings": _option(("on", "off")),
    "remember_data": _BOOL,
}
# Parameters that are plain data to the estimator: its ``_parameter_constraints`` suffice.
_PLAIN_PARAMETERS = """
    architecture augmentation baseline batch_size bidirectional calibration_fraction cell class_weight
    conformal
    correction_weight
    dimension_shuffle dropout early_stopping head_hidden_size input_scaling
    gradient_clip_value hidden_size local_level lr lr_schedule max_epochs max_horizon missing
    n_iter_no_change n_networks n_threads num_layers pooling quantile_levels random_state sp target_transform
    tol update_epochs validation_fraction verbose warm_start window_length
    contamination event_peak horizon merge_gap mode scoring smoothing threshold threshold_window
""".split()


@functools.cache
def parameter_rules() -> dict[str, Rule | None]:
    """The allow-list of stored parameters: None where the estimator's constraints suffice."""
    must_be_none = (
        lambda v: v is None,
        "None, since it reaches skorch and torch as it is and can make them run code",
    )
    return {
        **dict.fromkeys(_PLAIN_PARAMETERS),
        **dict.fromkeys(MUST_BE_NONE, must_be_none),
        "optimizer": _option(OPTIMIZERS),
        "device": _DEVICE,
        "fcn_filters": _FILTERS,
        "fcn_dilations": (
            lambda v: (isinstance(v, str) and v == "auto") or _DILATIONS[0](v),
            f"'auto' or {_DILATIONS[1]}",
        ),
    }


_RECURRENT_ARGUMENTS = {
    "cell": _option(CELLS),
    "hidden_size": _WIDTH,
    "num_layers": _integer(1, MAX_LAYERS),
    "bidirectional": _BOOL,
    "dropout": _FRACTION,
}


# The rules for the constructor arguments of each network class an estimator may train
NETWORK_RULES: dict[type, dict[str, Rule]] = {
    RecurrentNet: {
        **_RECURRENT_ARGUMENTS,
        "n_features": _integer(1, MAX_SIZE),
        "n_outputs": _integer(1, MAX_SIZE),
        "pooling": _option(POOLINGS),
        "architecture": _option(ARCHITECTURES),
        "dimension_shuffle": _BOOL,
        "n_timesteps": _optional(_integer(1, MAX_SIZE)),
        "fcn_filters": _FILTERS,
        "fcn_dilations": _DILATIONS,
        "missing": _option(MISSING),
        "input_scaling": _option(INPUT_SCALINGS),
        "n_networks": _integer(1, MAX_LAYERS),
        "head_hidden_size": _optional(_WIDTH),
    },
    ForecastNet: {
        **_RECURRENT_ARGUMENTS,
        "n_targets": _integer(1, MAX_SIZE),
        "n_exog": _integer(0, MAX_SIZE),
        "window_length": _integer(1, MAX_WINDOW_LENGTH),
        "horizon": _integer(1, MAX_SIZE),
        "n_quantiles": _integer(1, MAX_SIZE),
        "sp": _integer(1, MAX_SIZE),
        "local_level": _BOOL,
        "baseline": _option(("naive", "smoothing")),
        "n_networks": _integer(1, MAX_LAYERS),
        "fixed_smoothing": _BOOL,
        "median_index": _optional(_integer(0, MAX_SIZE)),
        "exog_baseline": _BOOL,
    },
    WindowAutoencoder: {
        **_RECURRENT_ARGUMENTS,
        "n_features": _integer(1, MAX_SIZE),
        "window_length": _integer(1, MAX_WINDOW_LENGTH),
        "local_level": _BOOL,
    },
}


def network(estimator: Any) -> tuple[type, dict[str, Rule]]:
    """The network class an estimator trains (its ``_network_class``), and the rules for its arguments."""
    cls = estimator._network_class  # a class attribute, or a property of the validated parameters
    return cls, NETWORK_RULES[cls]


# what torch's optimizers (adam, adamw, sgd) keep per parameter
_OPTIMIZER_STATE = {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer"}
# the optimizer settings training changes; every other one must be what the estimator sets
_OPTIMIZER_SCHEDULED = ("lr", "initial_lr")
# files written before Adam(W) ran fused store fused=None: the unfused kernel, the same update
_OPTIMIZER_UNFUSED = (None, False)


def check_parameters(params: dict[str, Any]) -> None:
    """Refuse stored parameters outside the allow-list or its rules (before the estimator's constraints)."""
    rules = parameter_rules()
    for key, value in params.items():
        if key not in rules:
            raise Refused(f"its parameter {shown(key)} is not one this format accepts.")
        rule = rules[key]
        if rule is not None and not rule[0](value):
            raise Refused(f"its parameter {key}={shown(value)} is refused; it must be {rule[1]}.")


def check_config(config: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    """Stored sktime settings (``set_config``): keys the estimator has, within :data:`CONFIG_RULES`."""
    if not isinstance(config, dict):
        raise Refused("its sktime configuration is not a mapping.")
    for key, value in config.items():
        check, accepted = CONFIG_RULES.get(key, (lambda v: False, "a key this format has a rule for"))
        if key not in defaults or not check(value):
            raise Refused(
                f"its sktime configuration {shown(key)}={shown(value)} is refused; it must be {accepted}."
            )
    return config


def metadata_request(estimator: Any, stored: Any) -> Any:
    """The estimator's default metadata request with the stored requests (``set_fit_request``) set.

    Only the estimator's own methods and their metadata parameters, each
    requested with True, False, None or an alias (sklearn's ``add_request``
    checks them).
    """
    request = estimator.get_metadata_routing()  # a new object: the estimator has no request yet
    methods = {name: value for name, value in vars(request).items() if hasattr(value, "add_request")}
    if not isinstance(stored, dict):
        raise Refused("its metadata requests are not a mapping.")
    for method, params in stored.items():
        if method not in methods or not isinstance(params, dict):
            raise Refused(f"its metadata requests for {shown(method)} are not ones the estimator has.")
        for param, alias in params.items():
            if param not in methods[method].requests or not (alias is None or isinstance(alias, (bool, str))):
                raise Refused(f"its metadata request {method} {shown(param)}={shown(alias)} is refused.")
            try:
                methods[method].add_request(param=param, alias=alias)
            except ValueError as exc:
                raise Refused(
                    f"its metadata request {method} {shown(param)}={shown(alias)} is refused ({exc})."
                ) from None
    return request


def check_module_kwargs(cls: type, rules: dict[str, Rule], kwargs: Any) -> dict[str, Any]:
    """The network's stored constructor arguments: exactly its signature's, each within its rule."""
    if not isinstance(kwargs, dict):
        raise Refused("it does not record the network's constructor arguments.")
    names = set(inspect.signature(cls).parameters)
    kwargs = {**{k: v for k, v in ADDED_PARAMETERS.items() if k in names}, **kwargs}
    if set(kwargs) != names:
        raise Refused(
            f"its network arguments are not those of {cls.__name__}: unknown "
            f"{shown(sorted(map(str, set(kwargs) - names)))}, missing {sorted(names - set(kwargs))}."
        )
    for key, value in kwargs.items():
        check, accepted = rules.get(key, (lambda v: False, "a value this format has a rule for"))
        if not check(value):
            raise Refused(f"its network argument {key}={shown(value)} is refused; it must be {accepted}.")
    return kwargs


def check_outputs(estimator: Any, kwargs: dict[str, Any]) -> None:
    """The network's outputs match what the estimator's fitted attributes expect."""
    try:
        expected = estimator._network_outputs()  # e.g. {"n_outputs": len(classes_)}
    except (AttributeError, TypeError, ValueError):  # fitted attributes missing or malformed
        expected = None
    if not isinstance(expected, dict) or not all(isinstance(v, int) for v in expected.values()):
        raise Refused("its fitted attributes do not say what the network must output.")
    found = tuple(kwargs[key] for key in expected)
    wanted = tuple(expected.values())
    if found != wanted:
        found, wanted = (found[0], wanted[0]) if len(found) == 1 else (found, wanted)
        raise Refused(f"the network has outputs {found} but the estimator expects {shown(wanted)}.")


def check_weights(declared: Header, expected: Header) -> None:
    if set(declared) != set(expected):
        raise Refused(
            f"its weights {shown(sorted(set(declared) ^ set(expected)))} do not match the stored "
            "architecture."
        )
    for key, (dtype, shape) in expected.items():
        if declared[key] != (dtype, shape):
            raise Refused(
                f"weight {key!r} has shape {declared[key][1]} ({declared[key][0]}) but the stored "
                f"architecture needs {shape} ({dtype})."
            )


def state_key(key: str, shapes: list[tuple[int, ...]]) -> tuple[int, str]:
    """``"<parameter index>.<state name>"`` of an optimizer's state, as torch's optimizers name it."""
    index, _, name = key.partition(".")
    if not (
        index.isascii()
        and index.isdigit()
        and len(index) < 10
        and int(index) < len(shapes)
        and name in _OPTIMIZER_STATE
    ):
        raise Refused(f"optimizer state key {shown(key)} is not one this format writes.")
    return int(index), name


def check_optimizer_tensors(declared: Header, shapes: list[tuple[int, ...]]) -> None:
    """Each optimizer tensor is a float scalar or has its parameter's shape."""
    for key, (dtype, shape) in declared.items():
        index, _ = state_key(key, shapes)
        if not dtype.is_floating_point or shape not in ((), shapes[index]):
            raise Refused(
                f"optimizer tensor {shown(key)} has shape {shape} ({dtype}); its parameter has shape "
                f"{shapes[index]}."
            )


def check_optimizer_values(tensors: dict[str, torch.Tensor]) -> None:
    """Finite optimizer state, with second moments and step counts at least 0: a ``warm_start`` fit
    from any other takes NaN steps (Adam divides by the square root of its second moment)."""
    for key, tensor in tensors.items():
        values = tensor.double()
        if not bool(torch.isfinite(values).all()) or (
            not key.endswith((".exp_avg", ".momentum_buffer")) and bool((values < 0).any())
        ):
            raise Refused(f"its optimizer state {key!r} holds NaN, inf or values below 0.")


def check_weight_values(weights: dict[str, torch.Tensor]) -> None:
    for key, tensor in weights.items():
        if not bool(torch.isfinite(tensor).all()):
            raise Refused(f"its weights hold NaN or inf ({key!r}).")
        if key.endswith("x_scale") and not bool((tensor > 0).all()):
            raise Refused(f"its input scaling {key!r} holds scales that are zero or negative.")
        if key.endswith("running_var") and not bool((tensor >= 0).all()):  # predict would give NaN
            raise Refused(f"its batch normalisation {key!r} holds negative variances.")


def _equal(value: Any, reference: Any) -> bool:
    """Whether a stored value equals the reference as one value (an array compared to a tuple is not)."""
    try:
        return bool(value == reference)
    except (TypeError, ValueError):  # an array's elementwise answer, or shapes that do not broadcast
        return False


def optimizer_groups(stored: Any, fresh: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored parameter groups that differ from a fresh optimizer's in the learning rate only."""
    if (
        not isinstance(stored, list)
        or len(stored) != len(fresh)
        or not all(isinstance(g, dict) for g in stored)
    ):
        raise Refused("its optimizer parameter groups are malformed.")
    for group, reference in zip(stored, fresh, strict=True):
        for key, value in group.items():
            if key in _OPTIMIZER_SCHEDULED:
                allowed = isinstance(value, Real) and not isinstance(value, bool) and 0 <= value < math.inf
            elif key == "fused" and any(value is unfused for unfused in _OPTIMIZER_UNFUSED):  # not 0
                allowed = key in reference
            else:
                allowed = key in reference and _equal(value, reference[key])
            if not allowed:
                raise Refused(
                    f"its optimizer setting {shown(key)}={shown(value)} is not what the estimator sets "
                    f"({shown(reference.get(key))})."
                )
    return stored


# -- fitted attributes ------------------------------------------------------------------------------
# A file's fitted values are read as they are: hand-edited ones must not disable a model silently
# (a scale of 0 or a NaN threshold that flags nothing, reversed quantiles, a window the network does
# not read). Each rule takes the value and all the file's attributes.
def _count(least: int) -> Callable[[Any, dict], bool]:
    return lambda v, _: isinstance(v, int) and not isinstance(v, bool) and v >= least


def _edge_rows(value: Any, attributes: dict) -> bool:
    """Whether edge factors (``start_scale_``) have a row per step of the window but its last."""
    window = attributes.get("window_length_")
    return value is None or not isinstance(window, int) or value.shape[0] == window - 1


def _finite_array(
    positive: bool = False, like: str | None = None, per_channel: bool = False, paired: bool = False
) -> Callable[[Any, dict], bool]:
    """Finite floats (``> 0``), of ``like``'s shape (``paired``: which must be there too), or 2D with
    one column per ``channel_mean_``."""

    def check(value: Any, attributes: dict) -> bool:
        reference = attributes.get(like) if like else None
        channels = attributes.get("channel_mean_")
        return (
            isinstance(value, np.ndarray)
            and (not paired or isinstance(reference, np.ndarray))
            and value.dtype.kind == "f"
            and np.isfinite(value).all()
            and (not positive or (value > 0).all())
            and (not isinstance(reference, np.ndarray) or value.shape == reference.shape)
            and (
                not (per_channel and isinstance(channels, np.ndarray))
                or (value.ndim == 2 and value.shape[1] == len(channels) and len(value) > 0)
            )
        )

    return check


def _rows_of_misses(value: np.ndarray, attributes: dict) -> bool:
    """A detector's ``residual_scale_`` has a row for each step its misses hold: ``horizon`` with
    ``scoring="forecast"``, one with reconstruction, as the fit recorded them (``_fit_settings``;
    files written before it are left to the network's own checks). A row count that broadcasts
    against the misses, 5 for 1, changed every score without an error."""
    settings = attributes.get("_fit_settings")
    if not isinstance(settings, dict) or settings.get("scoring") not in ("forecast", "reconstruction"):
        return True
    rows = settings.get("horizon") if settings["scoring"] == "forecast" else 1
    return len(value) == rows


def _or_none(check: Callable[[Any, dict], bool]) -> Callable[[Any, dict], bool]:
    return lambda value, attributes: value is None or check(value, attributes)


def _number(value: Any, _: dict) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _positive(value: Any, _: dict) -> bool:
    return _number(value, _) and value > 0


def _flag(value: Any, _: dict) -> bool:
    return isinstance(value, bool)


def _distinct_labels(value: Any, _: dict) -> bool:
    if not isinstance(value, np.ndarray) or value.ndim != 1 or not len(value):
        return False
    try:
        return len(np.unique(value)) == len(value)
    except TypeError:  # labels of mixed types do not sort
        return len(set(value.tolist())) == len(value)


def _feature_names(value: Any, attributes: dict) -> bool:
    """None, or names as a fit sets them: text or integers, one per feature (or channel)."""
    if value is None:
        return True
    count = attributes.get("n_features_in_", attributes.get("_n_channels"))
    return (
        isinstance(value, np.ndarray)
        and value.dtype == object
        and value.ndim == 1
        and (count is None or len(value) == count)
        and all(isinstance(name, (str, int)) and not isinstance(name, bool) for name in value.tolist())
    )


def _length_calibration(value: Any, _: dict) -> bool:
    """The outlier detector's rows (length, centre (2), spread (2)), lengths > 0 increasing."""
    return (
        _finite_array()(value, _)
        and value.ndim == 2
        and value.shape[1] == 5
        and len(value) > 0
        and bool((value[:, 0] > 0).all() and (np.diff(value[:, 0]) > 0).all() and (value[:, 3:] > 0).all())
    )


def _quantile_levels(value: Any, _: dict) -> bool:
    return (
        isinstance(value, np.ndarray)
        and value.dtype.kind == "f"
        and value.ndim == 1
        and bool(((value > 0) & (value < 1)).all())
        and bool((np.diff(value) > 0).all())
        and bool(np.isclose(value, 0.5).any())  # the median: the point forecast
    )


def _y_scaling(value: Any, _: dict) -> bool:
    positive, finite = _finite_array(positive=True), _finite_array()
    return isinstance(value, dict) and all(
        isinstance(key, tuple)
        and isinstance(stats, tuple)
        and len(stats) == 2
        and finite(stats[0], {})
        and positive(stats[1], {})
        and stats[0].shape == stats[1].shape
        for key, stats in value.items()
    )


def _channels(value: Any, attributes: dict) -> bool:
    """A channel count >= 1 that matches ``channel_mean_`` where the file holds one."""
    channels = attributes.get("channel_mean_")
    return _count(1)(value, attributes) and (not isinstance(channels, np.ndarray) or value == len(channels))


def _log_transform(value: Any, attributes: dict) -> bool:
    """One bool a column of the series, as many as the series' scaling has."""
    scaling = attributes.get("_y_scaling")
    columns = {stats[0].shape for stats in scaling.values()} if _y_scaling(scaling, attributes) else set()
    return (
        isinstance(value, np.ndarray)
        and value.dtype == bool
        and value.ndim == 1
        and len(value) > 0
        and all(shape == value.shape for shape in columns)
    )


def _stream_context(value: Any, attributes: dict) -> bool:
    """The anomaly detector's stream past (``update``): its last time points, scaled steps and scores.

    The own scores (the fourth part) are absent from files written before they were kept, and the
    event open at the stream's end (the fifth: ``[peak, gap]``, or empty) from files written before
    it was.
    """
    if value is None:
        return True
    channels = attributes.get("channel_mean_")

    def floats(array: Any, ndim: int) -> bool:  # NaN where a step has no value (a gap), never infinity
        return (
            isinstance(array, np.ndarray)
            and array.dtype.kind == "f"
            and array.ndim == ndim
            and not np.isinf(array).any()
        )

    return (
        isinstance(value, tuple)
        and len(value) in (3, 4, 5)
        and isinstance(value[0], pd.Index)
        and 1 <= len(value[0]) <= 2
        and floats(value[1], 2)
        and len(value[1]) > 0
        and (not isinstance(channels, np.ndarray) or value[1].shape[1] == len(channels))
        and all(floats(part, 1) for part in value[2:])
        and not any((part < 0).any() for part in value[2:4])  # scores: misses in units of a spread
        and (len(value) < 5 or _event_trail(value[4]))
    )


def _event_trail(trail: np.ndarray) -> bool:
    """The event open at a stream's end: none (empty), or a finite peak and a whole gap of 0 or more."""
    if not len(trail):
        return True
    return (
        len(trail) == 2
        and bool(np.isfinite(trail).all())
        and trail[1] >= 0
        and float(trail[1]).is_integer()
        and trail[1] <= 2**31
    )


def _same_shape_or_none(value: Any, other: Any) -> bool:
    """Whether ``value`` and ``other`` are both None, or arrays of one shape."""
    if value is None or other is None:
        return value is None and other is None
    return getattr(value, "shape", None) == getattr(other, "shape", ())


def _calibration_counts(value: Any, _: dict) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "iu" and (value >= 0).all()
    return _count(0)(value, _)


def _index_freq(value: Any, _: dict) -> bool:
    """None, a spacing of integer time points (1 to 2**53), or a pandas frequency of a positive step."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**53):
        return True
    if not isinstance(value, str) or len(value) > 32:
        return False
    try:
        offset = to_offset(value)
        return offset.n >= 1 and pd.Timestamp("2000-01-01") + 10_000 * offset > pd.Timestamp("2000-01-01")
    except (TypeError, ValueError, OverflowError, ArithmeticError):  # beyond pandas' dates too
        return False


def _spacing(value: Any, _: dict) -> bool:
    """None, an integer spacing (1 to 2**53), or a positive fixed duration as a pandas frequency name."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 2**53):
        return True
    if not isinstance(value, str) or len(value) > 32:
        return False
    try:
        return pd.Timedelta(to_offset(value)) > pd.Timedelta(0)
    except (TypeError, ValueError, OverflowError, ArithmeticError):  # months have no fixed length
        return False


FITTED_RULES: dict[str, tuple[Callable[[Any, dict], bool], str]] = {
    "n_features_in_": (_count(1), "an integer >= 1"),
    "_n_channels": (_channels, "an integer >= 1, one per channel_mean_"),
    "_n_exog": (_count(0), "an integer >= 0"),
    "_shortest": (_count(1), "an integer >= 1"),
    "_longest": (_count(1), "an integer >= 1"),
    "n_iter_": (_count(0), "an integer >= 0"),
    "n_windows_": (_count(0), "an integer >= 0"),
    "n_outputs_": (_count(1), "an integer >= 1"),
    "sp_": (_count(1), "an integer >= 1"),
    "_multilabel": (_flag, "True or False"),
    "_y_1d": (
        lambda v, a: _flag(v, a) and (not v or np.size(a.get("y_mean_")) == 1),  # 1D: one target
        "True or False, True with one target only (y_mean_ of length 1)",
    ),
    "_tabular": (_flag, "True or False"),
    "local_level_": (_flag, "True or False"),
    "augmentation_": (
        lambda v, _: v is None or (isinstance(v, str) and v == "window-warp"),
        'None or "window-warp"',
    ),
    "feature_names_in_": (
        _feature_names,
        "None or a 1D object array of names (text or integers), one a feature",
    ),
    "_column_labels": (  # where not all text (feature_names_in_ holds those): checked for their order
        _feature_names,
        "None or a 1D object array of column labels (text or integers), one a column",
    ),
    "classes_": (_distinct_labels, "a 1D array of distinct labels"),
    "y_mean_": (  # the regressor's: one a network output (n_outputs_ sizes its output layer)
        lambda v, a: _finite_array()(v, a) and v.ndim == 1 and len(v) == a.get("n_outputs_", len(v)),
        "finite floats, one per output (n_outputs_)",
    ),
    "y_scale_": (_finite_array(positive=True, like="y_mean_"), "finite floats > 0, one per y_mean_"),
    "channel_mean_": (
        lambda v, a: _finite_array()(v, a) and v.ndim == 1 and len(v) > 0,
        "finite floats, one a channel",
    ),
    "channel_scale_": (
        _finite_array(positive=True, like="channel_mean_"),
        "finite floats > 0, one per channel_mean_",
    ),
    "residual_scale_": (
        lambda v, a: _finite_array(positive=True, per_channel=True)(v, a) and _rows_of_misses(v, a),
        "finite floats > 0, a column a channel, a row a step ahead forecast (one with reconstruction)",
    ),
    "start_scale_": (
        lambda v, a: _or_none(_finite_array(positive=True, per_channel=True))(v, a) and _edge_rows(v, a),
        "None or finite floats > 0, a column a channel, a row a step of the window but its last",
    ),
    "end_scale_": (
        lambda v, a: (
            _or_none(_finite_array(positive=True, per_channel=True))(v, a)
            and _same_shape_or_none(v, a.get("start_scale_"))
        ),
        "None or finite floats > 0, a column a channel, as start_scale_ is (a fit sets both or neither)",
    ),
    "statistics_center_": (  # a sequence's (worst, typical) scores
        lambda v, a: _finite_array(like="statistics_scale_", paired=True)(v, a) and v.shape == (2,),
        "two finite floats, with statistics_scale_ beside them (files written before hold neither)",
    ),
    "statistics_scale_": (
        _finite_array(positive=True, like="statistics_center_", paired=True),
        "finite floats > 0, one per statistics_center_",
    ),
    "length_calibration_": (
        _length_calibration,
        "finite floats, a row (length > 0, two centres, two spreads > 0) per calibrated length",
    ),
    "threshold_": (_number, "a finite number"),
    "score_median_": (_number, "a finite number"),
    "smoothing_start_": (_or_none(_number), "None or a finite number"),
    "index_freq_": (_index_freq, "None, a pandas frequency or an integer >= 1"),
    "largest_spacing_": (_spacing, "None, a fixed duration > 0 as a pandas frequency or an integer >= 1"),
    "score_spread_": (_positive, "a finite number > 0"),
    "offset_": (_number, "a finite number"),
    "n_calibration_scores_": (_calibration_counts, "counts >= 0"),
    "window_length_": (
        lambda v, a: _count(1)(v, a) and v <= MAX_WINDOW_LENGTH,
        f"an integer from 1 to {MAX_WINDOW_LENGTH}",
    ),
    "horizon_": (_count(1), "an integer >= 1"),
    "quantile_levels_": (_quantile_levels, "increasing floats between 0 and 1, 0.5 among them"),
    "_y_scaling": (_y_scaling, "a mapping of series to finite means and scales > 0"),
    "log_transform_": (_log_transform, "a 1D bool array, one per column of the series"),
    "window_statistic_": (lambda v, _: isinstance(v, str) and v in ("mean", "median"), "'mean' or 'median'"),
    "_fit_settings": (
        lambda v, _: isinstance(v, dict),
        "a mapping of the fit's settings (scoring, horizon, ...)",
    ),
    "_context": (
        _stream_context,
        "None or the stream's last 1 or 2 time points, its scaled steps (one column per channel) and "
        "scores (NaN where a step has no value, never infinite; scores >= 0)",
    ),
}


def check_fitted(attributes: dict[str, Any]) -> None:
    """Refuse fitted values outside what a fit can produce (:data:`FITTED_RULES`)."""
    for key, value in attributes.items():
        rule = FITTED_RULES.get(key)
        if rule is None:
            continue
        try:
            accepted = rule[0](value, attributes)
        except (TypeError, ValueError, IndexError):  # it read another attribute of a shape no fit writes
            accepted = False
        if not accepted:
            raise Refused(f"its fitted attribute {key}={shown(value)} is refused; it must be {rule[1]}.")
