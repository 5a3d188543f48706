"""Robustness: hypothesis drives every public method of the three estimators with awkward data.

For every drawn example:

* nothing raises except ValueError or TypeError (scikit-learn's InvalidParameterError is a
  ValueError): any other exception is a fault of the library;
* every prediction, probability, score, forecast and interval that comes back is finite
  (probabilities sum to 1, intervals hold the point forecast);
* input that must be refused is refused (inf, values beyond float32, NaN with missing="error",
  quantile levels outside (0, 1), values <= 0 on the log scale), and input that is fine is not
  (NaN with missing="mask" trains and predicts);
* ``sklearn_rnn.save`` + ``sklearn_rnn.load`` gives identical outputs whenever save succeeds, and
  a loaded classifier or regressor continues training (``warm_start=True``, their update) exactly
  as the original does;
* a forecaster's refused ``update`` leaves its cutoff, forecasts and intervals unchanged.

Inputs: 2D and 3D arrays, ragged lists, tuples and object arrays, nested lists, pandas DataFrames
(nullable dtypes too), float16/int/bool dtypes, constant features, values from 1e-30 to 1e30, NaN,
inf; labels of every kind (multi-label indicator columns too), targets up to 1e200, sample weights
with zeros; series and frames on RangeIndex, integer (year), PeriodIndex and DatetimeIndex (dates
parsed from a column, then set as the index, as users build them), values from 1e-13 to 1e250,
zeros, negatives, constants; exogenous X; fh as list, array, range, int or ForecastingHorizon;
updates with zeros, negatives, revised values, jumps, NaN, inf, foreign indexes, other columns and
other frequencies.

Each defect this suite found has a small hypothesis test of its own (end of the file); all are
fixed. A new one is listed in ``KNOWN_DEFECTS`` with its test marked ``xfail`` while it is open:
the broad tests tolerate exactly its signature, so that they keep checking everything else
meanwhile; when it is fixed, delete its entry and its xfail mark.

Examples are derandomized (the same in every CI run), and there is no shrink phase, so a failing
test costs no more time than a passing one: about 2,600 examples in all, four minutes on one thread
(2026-12-07; under two when they were 2,500 and the VM faster), an eighth of the suite's test time.
"""

from __future__ import annotations

import copy
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import sklearn_rnn
from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._data import validate_sequences
from sklearn_rnn._scaling import column_statistics
from sklearn_rnn._series import SCALED_LIMIT

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=(Phase.explicit, Phase.generate),  # no shrinking: bounded time even when a test fails
)
DOCUMENTED = (ValueError, TypeError)  # every refusal is one of these (InvalidParameterError included)
F32_MAX = float(np.finfo(np.float32).max)

# Refusals of otherwise fine input that the library documents; anything else refusing it fails.
ALLOWED_REFUSALS = (
    "at least 2 classes",  # a classifier needs two classes
    "early_stopping=True",  # too few sequences to hold some out
    "normalises each batch (batch norm)",  # lstm-fcn on one sequence of one step
    "are NaN or inf",  # extreme inputs overflow float32 inside the network
    "weight 0",  # every sample weight is zero (class_weight)
    "at least one non-zero",  # every sample weight is zero (scikit-learn)
    "hold no value in any training sequence",  # missing="mask" with a feature all NaN in training
)

# Defects in modules these tests may not patch: {name: (where, what)}. Each has an xfail test below.
KNOWN_DEFECTS: dict[str, tuple[str, str]] = {}  # none open: each defect found was fixed


def _known(name, condition):
    """Whether ``condition`` is the signature of the still-open defect ``name``."""
    return name in KNOWN_DEFECTS and bool(condition)


class Quiet:
    """Silence every warning (convergence, sktime's announcements) inside a test body."""

    def __enter__(self):
        self._context = warnings.catch_warnings()
        self._context.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *exc):
        return self._context.__exit__(*exc)


def _outcome(method, *args, **kwargs):
    """``("ok", result)``, or ``("refused", exception)`` for a documented refusal; others propagate."""
    try:
        return "ok", method(*args, **kwargs)
    except DOCUMENTED as exc:
        return "refused", exc


def _round_trip(estimator):
    """``load(save(estimator))``, or None when save refuses (TypeError: parameters that are not plain)."""
    buffer = io.BytesIO()
    try:
        sklearn_rnn.save(estimator, buffer)
    except TypeError:
        return None
    buffer.seek(0)
    return sklearn_rnn.load(buffer)


def _same_outcome(first, second):
    """The loaded estimator gives identical outputs, or refuses the same way."""
    assert first[0] == second[0], (first, second)
    if first[0] == "ok":
        np.testing.assert_array_equal(first[1], second[1])
    else:
        assert type(first[1]) is type(second[1]), (first, second)


# -- sequence inputs ------------------------------------------------------------------------------
SCALES = [0.0, 1e-30, 1e-13, 1e-3, 1.0, 1.0, 1e3, 1e30]
OFFSETS = [0.0, 0.0, 0.0, 1.0, -1e6, 1e30]
KINDS = ["3d", "2d", "ragged", "ragged-flat", "frame", "lists", "object-array", "tuple"]


@st.composite
def sequence_inputs(draw, n_features=None, n_timesteps=None, kinds=KINDS):
    """``(X, facts)``: X in any accepted layout and dtype, and what it holds (nan, inf, huge)."""
    kind = draw(st.sampled_from(kinds))
    ragged = kind in ("ragged", "ragged-flat", "object-array", "tuple")
    n = draw(st.integers(1, 10))
    T = n_timesteps or draw(st.integers(1, 6))
    F = 1 if kind in ("2d", "ragged-flat", "frame", "lists") else (n_features or draw(st.integers(1, 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from(["float64", "float64", "float32", "float16", "int64", "int8", "bool"]))
    if dtype == "bool":
        values = rng.random((n, T, F)) < 0.5
    elif dtype.startswith("int"):
        values = rng.integers(-5, 6, size=(n, T, F)).astype(dtype)
    else:
        scale, offset = draw(st.sampled_from(SCALES)), draw(st.sampled_from(OFFSETS))
        values = (offset + scale * rng.normal(size=(n, T, F))).astype(dtype)
        if F > 1 and draw(st.booleans()):  # a constant feature
            values[:, :, draw(st.integers(0, F - 1))] = draw(st.sampled_from([0.0, 1.0, -3e29]))
        for value in (np.nan, draw(st.sampled_from([np.inf, -np.inf]))):
            if draw(st.integers(0, 4)) == 0:
                values[rng.random(values.shape) < draw(st.sampled_from([0.1, 0.5, 1.0]))] = value
        if dtype == "float64" and draw(st.integers(0, 9)) == 0:
            values.flat[rng.integers(values.size)] = draw(st.sampled_from([1e39, -1e300]))
    lengths = rng.integers(1, T + 1, size=n) if ragged else np.full(n, T)
    lengths[rng.integers(n)] = T  # the padded width is T
    observed = [values[i, : lengths[i]] for i in range(n)]
    facts = {"nan": False, "inf": False, "huge": False}
    if values.dtype.kind == "f":
        facts["nan"] = any(np.isnan(x).any() for x in observed)
        facts["inf"] = any(np.isinf(x).any() for x in observed)
        facts["huge"] = any((np.abs(x[np.isfinite(x)]) > F32_MAX).any() for x in observed)
    if kind == "3d":
        X = values
    elif kind == "2d":
        X = values[:, :, 0]
    elif kind == "ragged":
        X = observed
    elif kind == "ragged-flat":
        X = [x[:, 0] for x in observed]
    elif kind == "lists":
        X = values[:, :, 0].tolist()
    elif kind == "tuple":
        X = tuple(observed)
    elif kind == "object-array":  # what np.array(list_of_sequences, dtype=object) gives
        X = np.empty(n, dtype=object)
        X[:] = observed
    else:  # a DataFrame, one column per time step; NaN as pandas' NA in a nullable dtype
        X = pd.DataFrame(values[:, :, 0], columns=[f"t{j}" for j in range(T)])
        if values.dtype.kind == "f" and draw(st.booleans()):
            X = X.astype("Float64")
        elif values.dtype.kind == "i" and draw(st.booleans()):
            X = X.astype("Int64")
    shortest = int(lengths.min())
    facts.update(kind=kind, n=n, T=T, F=F, shortest=shortest, tabular=kind in ("2d", "frame", "lists"))
    return X, facts


def _must_refuse(facts, missing):
    """Whether ``X`` holds what every method must refuse: inf, beyond float32, NaN without a mask."""
    return facts["inf"] or facts["huge"] or (facts["nan"] and missing == "error")


def _check_refusal(exc, facts, missing, params=None):
    """A refusal of input that needs none must be one of the documented ones (or a known defect)."""
    if _must_refuse(facts, missing):
        return
    message = str(exc)
    if any(phrase in message for phrase in ALLOWED_REFUSALS):
        return
    raise AssertionError(f"refused valid input: {exc!r}")


ESTIMATOR_PARAMS = st.fixed_dictionaries(
    {
        "architecture": st.sampled_from(["rnn", "lstm-fcn"]),
        "cell": st.sampled_from(["rnn", "lstm", "gru"]),
        "bidirectional": st.booleans(),
        "num_layers": st.integers(1, 2),
        "pooling": st.sampled_from(["last", "mean", "attention"]),
        "missing": st.sampled_from(["error", "mask"]),
        "hidden_size": st.integers(2, 8),
        "max_epochs": st.integers(1, 2),
        "n_networks": st.just(1),
        "batch_size": st.integers(1, 8),
        "dropout": st.sampled_from([0.0, 0.5]),
        "dimension_shuffle": st.booleans(),
        "early_stopping": st.sampled_from([False, False, False, True]),
        "lr": st.sampled_from([5e-3, 5e-3, 1.0, 1e4]),
        "optimizer": st.sampled_from(["adamw", "adam", "sgd", torch.optim.RMSprop]),  # a class: not saved
        "lr_schedule": st.sampled_from(["cosine", "constant"]),
        "gradient_clip_value": st.sampled_from([1.0, None]),
        "fcn_filters": st.sampled_from([(4, 4, 4), (2, 3, 4)]),
        "random_state": st.integers(0, 3),
    }
)


LABELS = {
    "int": [3, -1, 7],
    "str": ["a", "b", "c"],
    "bool": [False, True],
    "float": [1.0, 2.0, -4.0],
    "object-str": ["x", "y", "z"],
    "mixed": ["a", 3, "b"],  # strings and numbers: refused
    "nan": [1.0, np.nan, 2.0],  # a NaN label: refused
    "indicator": [0, 1],  # multi-label: 0/1 indicator columns, y of shape (n, 2 or 3)
}


@st.composite
def labels(draw, n):
    """``(y, bad)``: labels of one kind, and whether they must be refused (mixed kinds, NaN, one class)."""
    kind = draw(st.sampled_from(list(LABELS)))
    if kind == "indicator":
        n_labels = draw(st.integers(2, 3))
        cells = st.lists(st.sampled_from([0, 1]), min_size=n * n_labels, max_size=n * n_labels)
        return np.array(draw(cells)).reshape(n, n_labels), False
    classes = LABELS[kind][: draw(st.integers(1, len(LABELS[kind])))]
    drawn = draw(st.lists(st.sampled_from(classes), min_size=n, max_size=n))
    y = np.array(drawn, dtype=object if kind in ("object-str", "mixed") else None)
    bad = (
        len({str(label) for label in drawn}) < 2
        or len({isinstance(label, str) for label in drawn}) > 1
        or any(label != label for label in drawn)
    )
    return y, bad


@st.composite
def sample_weights(draw, n):
    """``(sample_weight, bad)``: None or weights, and whether they must be refused (negative, NaN)."""
    kind = draw(
        st.sampled_from([None, None, None, "random", "some zero", "all zero", "huge", "negative", "nan"])
    )
    rng = np.random.default_rng(n)
    weight = {
        None: None,
        "random": rng.random(n),
        "some zero": (np.arange(n) % 2).astype(float),
        "all zero": np.zeros(n),
        "huge": np.full(n, 1e30),
        "negative": -rng.random(n),
        "nan": np.where(np.arange(n) == 0, np.nan, 1.0),
    }[kind]
    return weight, kind in ("negative", "nan")


def _predicts_own_training_data(model, X, params):
    """Whether the fitted model predicts its own training data; fails unless it does (or a fit
    with a huge learning rate diverged, and predict says so)."""
    with Quiet():
        status, result = _outcome(model.predict, X)
    if status == "ok":
        return True
    assert params["lr"] >= 1 and "training diverged" in str(result), (
        f"cannot predict its training data: {result!r}"
    )
    return False


def _check_proba(proba, n, n_classes, multilabel=False):
    """Finite probabilities in [0, 1], summing to 1 over the classes (each label its own: multi-label)."""
    assert proba.shape == (n, n_classes)
    assert np.isfinite(proba).all() and (proba >= 0).all() and (proba <= 1).all()
    if not multilabel:
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-6)


# -- classifier and regressor: fit, predict(_proba), score, save + load -------------------------
@pytest.mark.slow
@settings(max_examples=450, **SETTINGS)
@given(params=ESTIMATOR_PARAMS, data=st.data())
def test_classifier_fit_predict_score_save_load(params, data):
    X, facts = data.draw(sequence_inputs())
    y, bad_y = data.draw(labels(facts["n"]))
    weight, bad_weight = data.draw(sample_weights(facts["n"]))
    class_weight = data.draw(st.sampled_from([None, None, "balanced"]))
    model = RNNClassifier(**params, class_weight=class_weight)
    multilabel = y.ndim == 2
    with Quiet():
        status, result = _outcome(model.fit, X, y, sample_weight=weight)
    bad_y = bad_y or (multilabel and class_weight is not None)  # class weights of several labels
    if _must_refuse(facts, params["missing"]) or bad_y or bad_weight:
        assert status == "refused" and isinstance(result, ValueError), result
        return
    if status == "refused":
        _check_refusal(result, facts, params["missing"], params)
        return
    if not _predicts_own_training_data(model, X, params):
        return
    with Quiet():
        proba = model.predict_proba(X)
        predicted = model.predict(X)
        score = model.score(X, y, sample_weight=weight)
    _check_proba(proba, facts["n"], len(model.classes_), multilabel)
    if multilabel:
        assert predicted.shape == y.shape and set(np.unique(predicted).tolist()) <= {0, 1}
    else:
        assert set(predicted.tolist()) <= set(model.classes_.tolist())
    assert 0.0 <= score <= 1.0 or (weight is not None and not weight.any())
    # new data of any kind: probabilities, or a documented refusal; the same after save + load
    X_new, facts_new = data.draw(sequence_inputs(n_features=facts["F"]))
    with Quiet():
        new = _outcome(model.predict_proba, X_new)
    if new[0] == "ok":
        _check_proba(new[1], facts_new["n"], len(model.classes_), multilabel)
    elif (facts_new["kind"], facts_new["T"]) == (facts["kind"], facts["T"]):
        _check_refusal(new[1], facts_new, model.missing)
    loaded = _round_trip(model)
    if loaded is None:
        return
    with Quiet():
        np.testing.assert_array_equal(loaded.predict_proba(X), proba)
        np.testing.assert_array_equal(loaded.predict(X), predicted)
        np.testing.assert_array_equal(loaded.score(X, y, sample_weight=weight), score)
        _same_outcome(new, _outcome(loaded.predict_proba, X_new))


@st.composite
def targets(draw, n):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n_outputs = draw(st.sampled_from([None, None, 1, 2]))
    shape = (n,) if n_outputs is None else (n, n_outputs)
    scale = draw(st.sampled_from([0.0, 1e-13, 1.0, 1e6, 1e30, 1e200]))
    offset = draw(st.sampled_from([0.0, 0.0, 5.0, -1e8]))
    y = offset + scale * rng.normal(size=shape)
    if draw(st.integers(0, 5)) == 0 and scale <= 1e6:
        y = np.rint(y).astype(np.int64)
    elif draw(st.integers(0, 9)) == 0:
        y.flat[0] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return y, True
    return y, False


def _check_r2(score, y, n):
    """R^2 is finite, except scikit-learn's NaN for a single sample."""
    if n < 2:
        return
    assert np.isfinite(score), score


@pytest.mark.slow
@settings(max_examples=450, **SETTINGS)
@given(params=ESTIMATOR_PARAMS, data=st.data())
def test_regressor_fit_predict_score_save_load(params, data):
    X, facts = data.draw(sequence_inputs())
    y, bad_y = data.draw(targets(facts["n"]))
    weight, bad_weight = data.draw(sample_weights(facts["n"]))
    model = RNNRegressor(**params)
    with Quiet():
        status, result = _outcome(model.fit, X, y, sample_weight=weight)
    if _must_refuse(facts, params["missing"]) or bad_y or bad_weight:
        assert status == "refused" and isinstance(result, ValueError), result
        return
    if status == "refused":
        _check_refusal(result, facts, params["missing"], params)
        return
    if not _predicts_own_training_data(model, X, params):
        return
    with Quiet():
        predicted = model.predict(X)
        score = model.score(X, y)
    assert predicted.shape == np.shape(y) and np.isfinite(predicted).all()
    _check_r2(score, y, facts["n"])
    X_new, facts_new = data.draw(sequence_inputs(n_features=facts["F"]))
    with Quiet():
        new = _outcome(model.predict, X_new)
    if new[0] == "ok":
        assert len(new[1]) == facts_new["n"] and np.isfinite(new[1]).all()
    elif (facts_new["kind"], facts_new["T"]) == (facts["kind"], facts["T"]):
        _check_refusal(new[1], facts_new, model.missing)
    loaded = _round_trip(model)
    if loaded is None:
        return
    with Quiet():
        np.testing.assert_array_equal(loaded.predict(X), predicted)
        np.testing.assert_array_equal(loaded.score(X, y), score)
        _same_outcome(new, _outcome(loaded.predict, X_new))


# -- fitted estimators on inputs of every kind ---------------------------------------------------
_RNG = np.random.default_rng(0)
_X3 = _RNG.normal(size=(16, 5, 2))
_X2 = _RNG.normal(size=(16, 5))
_CONFIGS = {
    # the FCN configurations keep n_networks="auto" (five networks here), the others train one
    "classifier-rnn-mask": (
        RNNClassifier,
        dict(architecture="rnn", missing="mask", bidirectional=True, n_networks=1),
        _X3,
    ),
    "classifier-fcn-2d": (RNNClassifier, dict(architecture="lstm-fcn", cell="gru"), _X2),
    "regressor-fcn-mask": (RNNRegressor, dict(architecture="lstm-fcn", missing="mask", pooling="mean"), _X3),
    "regressor-rnn-2d": (
        RNNRegressor,
        dict(architecture="rnn", cell="rnn", pooling="attention", n_networks=1),
        _X2,
    ),
    "multilabel-rnn": (
        RNNClassifier,
        dict(architecture="rnn", cell="gru", pooling="mean", n_networks=1),
        _X3,
    ),
}
_FITTED: dict[str, tuple] = {}


def _fit_targets(name, n=16):
    """Targets of ``_CONFIGS[name]``: 3 classes, 2 indicator columns (multi-label), or numbers."""
    if name.startswith("multilabel"):
        return np.stack([np.arange(n) % 2, (np.arange(n) // 2) % 2], axis=1)
    if name.startswith("classifier"):
        return np.arange(n) % 3
    return _CONFIGS[name][2][:n].reshape(n, -1).sum(axis=1)


@st.composite
def new_targets(draw, name, n):
    """``(y, fitted_kind)``: targets for ``n`` new sequences, and whether they are of the kind and
    classes of fit (else: unseen classes, text labels, or another number of label columns)."""
    if name.startswith("multilabel"):
        n_labels = draw(st.sampled_from([2, 2, 2, 3]))
        cells = draw(st.lists(st.sampled_from([0, 1]), min_size=n * n_labels, max_size=n * n_labels))
        return np.array(cells).reshape(n, n_labels), n_labels == 2
    if name.startswith("classifier"):
        y = np.array(draw(st.lists(st.sampled_from([0, 1, 2, 2, 5]), min_size=n, max_size=n)))
        if draw(st.integers(0, 4)) == 0:
            return y.astype(str), False
        return y, set(np.unique(y).tolist()) == {0, 1, 2}
    return np.random.default_rng(n).normal(size=n) * draw(st.sampled_from([0.0, 1.0, 1e6, 1e30])), True


def _fitted(name):
    """A fitted estimator of ``_CONFIGS`` and its save + load copy (fitted once per session)."""
    if name not in _FITTED:
        cls, params, X = _CONFIGS[name]
        y = _fit_targets(name)
        model = cls(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=2, random_state=0, **params)
        with Quiet():
            model.fit(X, y)
        _FITTED[name] = (model, _round_trip(model))
    return _FITTED[name]


@settings(max_examples=500, **SETTINGS)
@given(name=st.sampled_from(sorted(_CONFIGS)), data=st.data())
def test_fitted_estimators_on_inputs_of_every_kind(name, data):
    model, loaded = _fitted(name)
    tabular = _CONFIGS[name][2].ndim == 2
    # mostly the layout of fit, sometimes another one
    n_features = data.draw(st.sampled_from([2, 2, 2, 1]))
    n_timesteps = data.draw(st.sampled_from([5, 5, 5, None])) if tabular else None
    X, facts = data.draw(sequence_inputs(n_features=n_features, n_timesteps=n_timesteps))
    classifier = hasattr(model, "predict_proba")
    method = "predict_proba" if classifier else "predict"
    with Quiet():
        outcome = _outcome(getattr(model, method), X)
        predicted = _outcome(model.predict, X)
    compatible = (facts["tabular"] and tabular and facts["T"] == 5) or (
        not facts["tabular"] and not tabular and facts["F"] == 2
    )
    if compatible and _must_refuse(facts, model.missing):
        assert outcome[0] == "refused" and isinstance(outcome[1], ValueError), outcome
    if outcome[0] == "ok":
        out = outcome[1]
        assert len(out) == facts["n"] and np.isfinite(out).all()
        assert predicted[0] == "ok"
        if classifier:
            multilabel = name.startswith("multilabel")
            _check_proba(out, facts["n"], 2 if multilabel else 3, multilabel)
            assert set(np.unique(predicted[1]).tolist()) <= {0, 1, 2}
        else:
            np.testing.assert_array_equal(predicted[1], out)
    elif compatible:
        _check_refusal(outcome[1], facts, model.missing)
    # score, with labels of the fitted kind, unseen labels, or labels of another kind
    n = facts["n"]
    y, _ = data.draw(new_targets(name, n))
    with Quiet():
        score = _outcome(model.score, X, y)
    if score[0] == "ok":
        if classifier:
            assert 0.0 <= score[1] <= 1.0
        else:
            _check_r2(score[1], y, n)
    with Quiet():
        _same_outcome(outcome, _outcome(getattr(loaded, method), X))
        if score[0] == "ok":
            np.testing.assert_array_equal(loaded.score(X, y), score[1])


@pytest.mark.slow
@settings(max_examples=120, **SETTINGS)
@given(name=st.sampled_from(sorted(_CONFIGS)), data=st.data())
def test_warm_start_update_continues_identically_after_save_load(name, data):
    """``warm_start=True`` continues training on new data (the estimators' update): the fitted
    model and its save + load copy refuse the same data, or reach identical predictions."""
    model, loaded = _fitted(name)
    original, loaded = copy.deepcopy(model), _round_trip(loaded)
    tabular = _CONFIGS[name][2].ndim == 2
    n_features = data.draw(st.sampled_from([2, 2, 2, 1]))
    n_timesteps = data.draw(st.sampled_from([5, 5, 4, None])) if tabular else None
    X, facts = data.draw(sequence_inputs(n_features=n_features, n_timesteps=n_timesteps))
    y, fitted_kind = data.draw(new_targets(name, facts["n"]))
    epochs = data.draw(st.integers(1, 2))
    for estimator in (original, loaded):
        estimator.set_params(warm_start=True, max_epochs=epochs)
    with Quiet():
        first = _outcome(original.fit, X, y)
        second = _outcome(loaded.fit, X, y)
    assert first[0] == second[0] and (first[0] == "ok" or type(first[1]) is type(second[1])), (first, second)
    if first[0] == "refused":
        compatible = (facts["tabular"] and tabular and facts["T"] == 5) or (
            not facts["tabular"] and not tabular and facts["F"] == 2
        )
        if compatible and fitted_kind:
            _check_refusal(first[1], facts, model.missing)
        return
    X_check = _CONFIGS[name][2]
    with Quiet():
        predicted = original.predict(X_check)
        np.testing.assert_array_equal(loaded.predict(X_check), predicted)
    assert np.isfinite(np.asarray(predicted, dtype=float)).all()


# -- input validation alone --------------------------------------------------------------------
@settings(max_examples=300, **SETTINGS)
@given(data=st.data(), allow_nan=st.booleans())
def test_validate_sequences_converts_exactly_or_refuses(data, allow_nan):
    X, facts = data.draw(sequence_inputs())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning (overflow in a cast) reaches the user
        status, seqs = _outcome(validate_sequences, RNNRegressor(), X, reset=True, allow_nan=allow_nan)
    if _must_refuse(facts, "mask" if allow_nan else "error"):
        assert status == "refused" and isinstance(seqs, ValueError), seqs
        return
    assert status == "ok", f"refused valid input: {seqs!r}"
    assert seqs.values.dtype == np.float32 and seqs.values.shape == (facts["n"], facts["T"], facts["F"])
    assert seqs.lengths.min() == facts["shortest"] and seqs.lengths.max() == facts["T"]


# -- forecaster --------------------------------------------------------------------------------
INDEX_KINDS = ["range", "years", "period-M", "period-D", "date-column-D", "date-column-MS", "datetime-h"]


def _index(kind, length):
    """An index of ``length`` points, built the way users build it."""
    if kind == "range":
        return pd.RangeIndex(length)
    if kind == "years":  # integer years from a column
        return pd.Index(pd.DataFrame({"year": np.arange(1990, 1990 + length)}).set_index("year").index)
    if kind == "period-M":
        return pd.period_range("2001-01", periods=length, freq="M")
    if kind == "period-D":
        return pd.period_range("2020-02-25", periods=length, freq="D")
    if kind == "datetime-h":
        return pd.date_range("2020-03-29", periods=length, freq="h")
    # dates read from a file: strings in a column, parsed, then set as the index (no freq)
    dates = pd.date_range("2019-12-30", periods=length, freq=kind.rsplit("-", 1)[1])
    table = pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "value": 0.0})
    table["date"] = pd.to_datetime(table["date"])
    return table.set_index("date").index


@st.composite
def series_values(draw, length):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    shape = draw(st.sampled_from(["zeros", "constant", "noise", "sin", "trend", "positive", "counts"]))
    scale = draw(st.sampled_from([1e-13, 1e-6, 1.0, 1.0, 1e3, 1e12, 1e200, 1e250]))
    t = np.arange(length, dtype=np.float64)
    values = {
        "zeros": np.zeros(length),
        "constant": np.full(length, draw(st.sampled_from([1.0, -2.0, 7.5]))),
        "noise": rng.normal(size=length),
        "sin": np.sin(t),
        "trend": t - length / 2 + rng.normal(size=length) * 0.1,
        "positive": 2 + np.sin(t) + rng.random(length),
        "counts": rng.poisson(1.0, size=length).astype(np.float64),
    }[shape]
    return values * scale


FORECASTER_PARAMS = st.fixed_dictionaries(
    {
        "window_length": st.integers(1, 6),
        "hidden_size": st.integers(2, 8),
        "max_epochs": st.integers(1, 2),
        "cell": st.sampled_from(["rnn", "lstm", "gru"]),
        "bidirectional": st.booleans(),
        "num_layers": st.integers(1, 2),
        "dropout": st.sampled_from([0.0, 0.3]),
        "sp": st.sampled_from([None, None, 1, 2, 4]),
        "local_level": st.booleans(),
        "batch_size": st.integers(1, 16),
        "update_epochs": st.sampled_from([None, 1]),
        "early_stopping": st.sampled_from([False, False, False, True]),
        "random_state": st.integers(0, 3),
        "target_transform": st.sampled_from(["auto", "auto", "log", "none"]),
        "baseline": st.sampled_from(["smoothing", "naive"]),
        "quantile_levels": st.sampled_from(
            [
                None,
                None,
                [0.4, 0.6],  # (the median alone refuses intervals: tests/test_forecast_intervals.py)
                [0.1, 0.9],
                (0.05, 0.25, 0.75, 0.95),
                np.array([0.2, 0.8]),
                [0.1, np.nan],
                [0, 0.5],
            ]
        ),
    }
)


@dataclass
class Problem:
    """A forecasting problem: ``y`` (a Series or a DataFrame), optional ``X`` on ``index``
    (which runs 8 points past ``y``), the horizon ``fh`` and the forecaster's parameters."""

    params: dict
    y: pd.Series | pd.DataFrame
    X: pd.DataFrame | None
    fh: list[int]
    index: pd.Index
    fh_as: str = "list"

    @property
    def fh_arg(self):
        """``fh`` as passed to fit and predict: a list, an array, a range, an int or a ForecastingHorizon."""
        from sktime.forecasting.base import ForecastingHorizon

        steps = list(range(1, len(self.fh) + 1))
        if self.fh_as == "int" and self.fh == steps:
            return len(self.fh)  # sktime reads fh=n as the steps 1..n
        if self.fh_as == "range" and self.fh == steps:
            return range(1, len(self.fh) + 1)
        return {"array": np.array, "ForecastingHorizon": ForecastingHorizon}.get(self.fh_as, list)(self.fh)

    def X_at(self, start, stop=None):
        return None if self.X is None else self.X.iloc[start:stop]

    def huge_X(self):
        """The signature of the known defect "forecast-exog-beyond-float32"."""
        return _known(
            "forecast-exog-beyond-float32", self.X is not None and np.abs(self.X.to_numpy()).max() > F32_MAX
        )

    def must_refuse(self):
        levels = self.params["quantile_levels"]
        if levels is not None:
            levels = np.asarray(levels, dtype=np.float64)
            if not (np.isfinite(levels).all() and (levels > 0).all() and (levels < 1).all()):
                return True
        if self.X is not None and np.abs(self.X.to_numpy()).max() > F32_MAX:
            return True  # X beyond float32's range: refused, "Rescale X first"
        return self.params["target_transform"] == "log" and not (self.y.to_numpy() > 0).all()


@st.composite
def forecasting_problems(draw):
    length = draw(st.integers(3, 24))
    index = _index(draw(st.sampled_from(INDEX_KINDS)), length + 8)
    columns = draw(st.sampled_from([None, None, None, ["y"], ["a", "b"]]))
    if columns is None:
        y = pd.Series(
            draw(series_values(length)), index=index[:length], name=draw(st.sampled_from([None, "y"]))
        )
    else:
        y = pd.DataFrame({c: draw(series_values(length)) for c in columns}, index=index[:length])
    X = None
    if draw(st.integers(0, 3)) == 0:
        X = pd.DataFrame({"x": draw(series_values(length + 8))}, index=index)
    fh = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True).map(sorted))
    fh_as = draw(st.sampled_from(["list", "array", "ForecastingHorizon", "int", "range"]))
    return Problem(draw(FORECASTER_PARAMS), y, X, fh, index, fh_as)


def _forecasts(forecaster, problem, X, known_nan=False):
    """Point forecasts and 90% intervals, checked finite and ordered: ``(y_pred, interval)``.

    With ``known_nan`` (a known defect's signature) they are only computed.
    """
    fh = problem.fh
    y_pred = forecaster.predict(fh=problem.fh_arg, X=X)
    interval = forecaster.predict_interval(fh=problem.fh_arg, X=X, coverage=0.9)
    if known_nan:
        return y_pred, interval
    point = y_pred.to_numpy(dtype=np.float64).reshape(len(fh), -1)
    assert np.isfinite(point).all(), y_pred
    bounds = interval.to_numpy(dtype=np.float64).reshape(len(fh), -1, 2)
    assert bounds.shape[1] == point.shape[1], interval
    assert np.isfinite(bounds).all(), interval
    slack = 1e-9 * np.maximum(np.abs(bounds).max(axis=2), np.abs(point))
    lower, upper = bounds[..., 0], bounds[..., 1]
    assert (lower <= point + slack).all() and (point <= upper + slack).all(), (y_pred, interval)
    return y_pred, interval


def _check_index(frame, problem, n_seen):
    """Forecasts sit at the time points ``fh`` steps after the last of ``n_seen`` observations."""
    expected = problem.index[[n_seen - 1 + h for h in problem.fh]]
    assert list(frame.index) == list(expected), (frame.index, expected)


def _fit_forecaster(problem):
    """The fitted forecaster, or None when fit refused ``problem`` (checked to be a due refusal)."""
    from sklearn_rnn import RNNForecaster

    forecaster = RNNForecaster(**problem.params)
    with Quiet():
        status, result = _outcome(
            forecaster.fit, problem.y, X=problem.X_at(0, len(problem.y)), fh=problem.fh_arg
        )
    if problem.must_refuse():
        assert status == "refused" and isinstance(result, ValueError), result
        return None
    if status == "refused":
        assert "early_stopping=True" in str(result), f"refused valid input: {result!r}"
        return None
    return forecaster


def _same_forecasts(forecaster, problem, X, y_pred, interval, known_nan=False):
    """Save + load gives identical forecasts (``known_nan``: load may refuse a known defect's model)."""
    if known_nan:
        try:
            loaded = _round_trip(forecaster)
        except ValueError:  # save writes the non-finite scaling statistics, load refuses them
            return
    else:
        loaded = _round_trip(forecaster)
    if loaded is None:
        return
    with Quiet():
        y_loaded = loaded.predict(fh=problem.fh_arg, X=X)
        pd.testing.assert_frame_equal(pd.DataFrame(y_loaded), pd.DataFrame(y_pred))
        pd.testing.assert_frame_equal(loaded.predict_interval(fh=problem.fh_arg, X=X, coverage=0.9), interval)


@pytest.mark.slow
@settings(max_examples=320, **SETTINGS)
@given(problem=forecasting_problems())
def test_forecaster_fit_predict_interval_save_load(problem):
    forecaster = _fit_forecaster(problem)
    if forecaster is None:
        return
    X_future = problem.X_at(len(problem.y))
    with Quiet():
        y_pred, interval = _forecasts(forecaster, problem, X_future, known_nan=problem.huge_X())
    _check_index(y_pred, problem, len(problem.y))
    _check_index(interval, problem, len(problem.y))
    _same_forecasts(forecaster, problem, X_future, y_pred, interval, problem.huge_X())


UPDATE_KINDS = ["values"] * 6 + ["nan", "inf", "foreign index", "other columns", "other frequency"]


@st.composite
def updates(draw, problem):
    """``(new, start, kind)``: 1-3 new observations after ``y`` (sometimes revising its last one).

    kind "values": values like y's, 0, negative, tiny, or a jump to 1e300. Malformed updates, which
    must be refused or handled: "nan", "inf", "foreign index" (dates on an integer index, integers
    on dates), "other columns", "other frequency" (hours after days).
    """
    y, index = problem.y, problem.index
    kind = draw(st.sampled_from(UPDATE_KINDS))
    if problem.X is not None and kind in ("foreign index", "other frequency"):
        kind = "values"  # (X would need the same foreign time points)
    k = draw(st.integers(1, 3))
    start = len(y) - 1 if draw(st.integers(0, 4)) == 0 else len(y)
    frame = y.to_frame() if isinstance(y, pd.Series) else y
    columns = {}
    for column in frame.columns:
        last = float(frame[column].iloc[-1])
        choices = [last, last, last * 1.01 + 1e-300, 0.0, -1.0, -abs(last) - 1.0, 1e-13, 1e300]
        columns[column] = [draw(st.sampled_from(choices)) for _ in range(k)]
    new = pd.DataFrame(columns, index=index[start : start + k])
    if kind in ("nan", "inf"):
        new.iloc[draw(st.integers(0, k - 1)), 0] = np.nan if kind == "nan" else -np.inf
    elif kind == "foreign index":
        dates = isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex))
        new.index = pd.RangeIndex(10**6, 10**6 + k) if dates else pd.date_range("2030-01-01", periods=k)
    elif kind == "other columns":  # (one column of another name is the univariate series renamed)
        new.columns = [f"other{j}" for j in range(new.shape[1])]
        new = new.assign(extra=1.0) if new.shape[1] == 1 else new
    elif kind == "other frequency" and isinstance(index, pd.DatetimeIndex):
        step = (
            pd.Timedelta(minutes=15)
            if (index[1] - index[0]) <= pd.Timedelta(hours=1)
            else pd.Timedelta(hours=1)
        )
        new.index = pd.DatetimeIndex([index[len(y) - 1] + (j + 1) * step for j in range(k)])
    else:
        kind = "values"
    if isinstance(y, pd.Series) and new.shape[1] == 1:
        new = new.iloc[:, 0].rename(y.name)
    if kind == "values" and isinstance(index, pd.DatetimeIndex) and draw(st.booleans()):
        new.index = pd.DatetimeIndex(list(new.index))  # without a freq, as rows parsed from a file
    return new, start, kind


def _scaled_magnitude(problem, forecaster, values):
    """Largest magnitude of new ``values`` in the units the network reads (a column modelled on
    the log scale: 0, its logarithms stay small)."""
    train = np.asarray(problem.y.to_numpy(dtype=np.float64)).reshape(len(problem.y), -1)
    mean, scale = column_statistics(train)
    logged = np.asarray(forecaster.log_transform_, dtype=bool)
    scaled = np.abs((values - mean) / scale)[:, ~logged]
    return float(scaled.max()) if scaled.size else 0.0


@pytest.mark.slow
@settings(max_examples=320, **SETTINGS)
@given(problem=forecasting_problems(), data=st.data(), update_params=st.booleans())
def test_forecaster_update_with_any_values(problem, data, update_params):
    forecaster = _fit_forecaster(problem)
    if forecaster is None:
        return
    new, start, kind = data.draw(updates(problem))
    n_seen = start + len(new)
    values = new.to_numpy(dtype=np.float64).reshape(len(new), -1)
    # a jump beyond what float32 holds once scaled may be refused (by update past SCALED_LIMIT, by predict)
    jump = kind == "values" and _scaled_magnitude(problem, forecaster, values) > SCALED_LIMIT
    known_nan = problem.huge_X() or _known("forecast-update-beyond-float32", jump)
    X_new = problem.X_at(start, n_seen)
    with Quiet():
        before, before_interval = _forecasts(
            forecaster, problem, problem.X_at(len(problem.y)), problem.huge_X()
        )
        cutoff = forecaster.cutoff
        status, result = _outcome(forecaster.update, new, X=X_new, update_params=update_params)
    logged = np.asarray(forecaster.log_transform_, dtype=bool)
    refuse = kind in ("nan", "inf", "foreign index", "other columns") or (
        kind == "values" and bool((values[:, logged] <= 0).any())
    )
    if refuse:
        assert status == "refused", f"accepted a malformed update ({kind})"
    if status == "refused":
        assert refuse or jump or kind == "other frequency", f"refused valid update: {result!r}"
        # a refused update leaves the forecaster as it was: cutoff, forecasts and their type
        with Quiet():
            now = _outcome(_forecasts, forecaster, problem, problem.X_at(len(problem.y)), problem.huge_X())
        changed = not (
            now[0] == "ok"
            and forecaster.cutoff.equals(cutoff)
            and type(now[1][0]) is type(before)
            and now[1][0].equals(before)
            and now[1][1].equals(before_interval)
        )
        if _known(
            "forecast-refused-update-moves-state", changed and kind in ("foreign index", "other columns")
        ):
            return
        assert now[0] == "ok", f"cannot forecast after a refused update: {now[1]!r}"
        after, after_interval = now[1]
        assert forecaster.cutoff.equals(cutoff), (forecaster.cutoff, cutoff)
        assert type(after) is type(before), (after, before)
        pd.testing.assert_frame_equal(pd.DataFrame(after), pd.DataFrame(before))
        pd.testing.assert_frame_equal(after_interval, before_interval)
        return
    X_future = problem.X_at(n_seen)
    with Quiet():
        status, result = _outcome(_forecasts, forecaster, problem, X_future, known_nan)
    if status == "refused":  # only after a jump far beyond the training values
        if _known("forecast-update-other-frequency", kind == "other frequency"):
            return
        assert jump, f"refused to forecast after a valid update: {result!r}"
        return
    y_pred, interval = result
    if kind == "values":
        _check_index(y_pred, problem, n_seen)
    _same_forecasts(forecaster, problem, X_future, y_pred, interval, known_nan)


# -- defects this suite found: one focused hypothesis test each (all fixed; xfail while one is open) --
@settings(max_examples=30, **SETTINGS)
@given(
    n=st.integers(3, 8),
    cls=st.sampled_from([RNNClassifier, RNNRegressor]),
    random_state=st.integers(0, 3),
    ragged=st.booleans(),
)
def test_fcn_with_batches_of_one_single_step_sequence_is_refused_with_the_fix(n, cls, random_state, ragged):
    rng = np.random.default_rng(random_state)
    X = [rng.normal(size=(1 if i == 0 or not ragged else 3, 1)) for i in range(n)]
    y = np.arange(n) % 2
    model = cls(architecture="lstm-fcn", batch_size=1, hidden_size=2, fcn_filters=(4, 4, 4), max_epochs=2)
    with Quiet(), pytest.raises(ValueError, match=r"batch_size=1 a sequence of 1 time step"):
        model.set_params(random_state=random_state).fit(X, y)  # not torch's BatchNorm1d error
    model.set_params(batch_size=2).fit(X, y)  # the fix the message names
    assert np.isfinite(model.predict(X).astype(float)).all()


@settings(max_examples=20, **SETTINGS)
@given(scale=st.sampled_from([1e160, 1e200, 1e300]), n_outputs=st.sampled_from([None, 2]))
def test_regressor_score_is_finite_for_huge_targets(scale, n_outputs):
    X = np.random.default_rng(0).normal(size=(8, 3, 1))
    y = scale * np.linspace(-1, 1, 8 * (n_outputs or 1)).reshape(8, -1)
    y = y.ravel() if n_outputs is None else y
    model = RNNRegressor(architecture="rnn", hidden_size=2, max_epochs=1, random_state=0).fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert np.isfinite(model.score(X, y))  # r2_score squares y: inf - inf


@settings(max_examples=20, **SETTINGS)
@given(
    lr=st.sampled_from([1e2, 1e4]),
    optimizer=st.sampled_from(["sgd", "adam"]),
    random_state=st.integers(0, 3),
    cls=st.sampled_from([RNNRegressor, RNNClassifier]),
)
def test_a_diverged_fit_predicts_or_says_it_diverged(lr, optimizer, random_state, cls):
    rng = np.random.default_rng(random_state)
    X, y = rng.normal(size=(8, 5, 1)), np.arange(8) % 2
    model = cls(optimizer=optimizer, lr=lr, gradient_clip_value=None, max_epochs=2, random_state=random_state)
    with Quiet():
        model.fit(X, y)
        try:
            assert np.isfinite(model.predict(X).astype(float)).all()
        except ValueError as exc:  # or predict says training diverged, naming the fix
            assert "training diverged" in str(exc) and "lower lr" in str(exc)


# (found by this suite while the conformal intervals were being written; fixed since)
@settings(max_examples=30, **SETTINGS)
@given(length=st.integers(3, 8), window_length=st.integers(1, 4), horizon=st.integers(2, 4))
def test_forecaster_intervals_of_short_series_are_finite(length, window_length, horizon):
    from sklearn_rnn import RNNForecaster

    y = pd.Series(2 + np.sin(np.arange(float(length))))
    forecaster = RNNForecaster(window_length=window_length, hidden_size=2, max_epochs=1, random_state=0)
    fh = list(range(1, horizon + 1))
    with Quiet():
        forecaster.fit(y, fh=fh)
        interval = forecaster.predict_interval(coverage=0.9)
        quantiles = forecaster.predict_quantiles(alpha=[0.1, 0.9])
    assert np.isfinite(interval.to_numpy()).all() and np.isfinite(quantiles.to_numpy()).all()


@settings(max_examples=20, **SETTINGS)
@given(scale=st.sampled_from([1e39, 1e200, 1e300]), constant=st.booleans(), window_length=st.integers(1, 4))
def test_forecaster_with_huge_exogenous_values_forecasts_finite_or_refuses(scale, constant, window_length):
    from sklearn_rnn import RNNForecaster

    y = pd.Series(np.sin(np.arange(12.0)))
    X = pd.DataFrame({"x": scale * (np.ones(15) if constant else np.linspace(1, 4, 15))})
    forecaster = RNNForecaster(window_length=window_length, hidden_size=2, max_epochs=1, random_state=0)
    with Quiet():
        if _outcome(forecaster.fit, y, X=X.iloc[:12], fh=[1, 2])[0] == "refused":
            return
        y_pred = forecaster.predict(X=X.iloc[12:])
        interval = forecaster.predict_interval(X=X.iloc[12:], coverage=0.9)
    assert np.isfinite(y_pred.to_numpy()).all() and np.isfinite(interval.to_numpy()).all()


@settings(max_examples=20, **SETTINGS)
@given(
    jump=st.sampled_from([1e39, -1e39, 1e300]), update_params=st.booleans(), level=st.sampled_from([0.0, 1e6])
)
def test_forecaster_update_with_a_huge_jump_forecasts_finite_or_refuses(jump, update_params, level):
    from sklearn_rnn import RNNForecaster

    y = pd.Series(level + np.sin(np.arange(12.0)))
    forecaster = RNNForecaster(
        window_length=3, hidden_size=2, max_epochs=1, random_state=0, target_transform="none"
    )
    with Quiet():
        forecaster.fit(y, fh=[1])
        if (
            _outcome(forecaster.update, pd.Series([jump], index=[12]), update_params=update_params)[0]
            == "refused"
        ):
            return
        y_pred = forecaster.predict()
        interval = forecaster.predict_interval(coverage=0.9)
    assert np.isfinite(y_pred.to_numpy()).all() and np.isfinite(interval.to_numpy()).all()


@settings(max_examples=20, **SETTINGS)
@given(
    bad=st.sampled_from(["dates on integers", "integers on dates", "two columns", "renamed columns"]),
    update_params=st.booleans(),
)
def test_forecaster_refused_update_leaves_it_unchanged(bad, update_params):
    from sklearn_rnn import RNNForecaster

    index = pd.date_range("2020-01-01", periods=12, freq="D") if bad == "integers on dates" else None
    y = pd.Series(2 + np.sin(np.arange(12.0)), index=index)
    if bad == "renamed columns":
        y = pd.DataFrame({"a": y, "b": 3 + np.cos(np.arange(12.0))})
    new = {
        "renamed columns": pd.DataFrame({"p": [2.5], "q": [1.0]}, index=[12]),
        "dates on integers": pd.Series([2.5], index=pd.DatetimeIndex(["2020-01-01"])),
        "integers on dates": pd.Series([2.5], index=[12]),
        "two columns": pd.DataFrame({"a": [2.5], "b": [1.0]}, index=[12]),
    }[bad]
    forecaster = RNNForecaster(window_length=3, hidden_size=2, max_epochs=1, random_state=0)
    with Quiet():
        forecaster.fit(y, fh=[1, 2])
        before, interval, cutoff = forecaster.predict(), forecaster.predict_interval(), forecaster.cutoff
        with pytest.raises((ValueError, TypeError)):
            forecaster.update(new, update_params=update_params)
        assert forecaster.cutoff.equals(cutoff)
        after = forecaster.predict()
        assert type(after) is type(before)
        pd.testing.assert_frame_equal(pd.DataFrame(after), pd.DataFrame(before))
        pd.testing.assert_frame_equal(forecaster.predict_interval(), interval)


@settings(max_examples=20, **SETTINGS)
@given(freq=st.sampled_from(["D", "MS"]), k=st.integers(1, 3), update_params=st.booleans())
def test_forecaster_update_with_another_frequency_is_refused_or_forecasts(freq, k, update_params):
    from sklearn_rnn import RNNForecaster

    y = pd.Series(2 + np.sin(np.arange(12.0)), index=pd.date_range("2020-01-01", periods=12, freq=freq))
    new = pd.Series(
        np.full(k, 2.5), index=pd.date_range(y.index[-1] + pd.Timedelta(hours=1), periods=k, freq="h")
    )
    forecaster = RNNForecaster(window_length=3, hidden_size=2, max_epochs=1, random_state=0)
    with Quiet():
        forecaster.fit(y, fh=[1, 2])
        if _outcome(forecaster.update, new, update_params=update_params)[0] == "refused":
            return
        assert np.isfinite(forecaster.predict().to_numpy()).all()  # raises ValueError: frequencies differ
