"""Every bad input gets a ValueError/TypeError that names the problem and the fix.

One table (``FIT_CASES`` / ``PREDICT_CASES``) drives the tests for both
estimators and every predict-type method; the forecaster's cases
(``FORECASTER_CASES``) are at the end of this file.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, get_scorer
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import BatchScoring, EpochScoring

from sklearn_rnn import RNNClassifier, RNNRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 6, 2))
Y = {RNNClassifier: np.array(["a", "b"] * 10), RNNRegressor: X.sum(axis=(1, 2))}
# the plain recurrent network whatever the defaults (the core may default to LSTM-FCN)
RNN_ONLY = {"architecture": "rnn", "dropout": 0.0} if "architecture" in RNNClassifier().get_params() else {}
TINY = dict(hidden_size=4, max_epochs=2, batch_size=8, n_networks=1, random_state=0, **RNN_ONLY)
ESTIMATORS = [RNNClassifier, RNNRegressor]


def _with(value, index=(0, 0, 0)):
    bad = X.copy()
    bad[index] = value
    return bad


# (case id, X, y or None for "the estimator's y", exception, message start/regex)
FIT_CASES = [
    ("NaN in X", _with(np.nan), None, ValueError, r"Input X contains NaN"),
    ("inf in X", _with(np.inf), None, ValueError, r"Input X contains infinity .* Replace infinite values"),
    ("-inf in ragged X", [_with(-np.inf)[0], X[1]], "2", ValueError, r"Input X contains infinity"),
    ("float64 beyond float32", _with(1e300), None, ValueError, r"X contains values too large for float32"),
    (  # the first steps' median level overflowed float32 and every value was read as 0, silently
        "list beyond float32 at its level",
        [x * [1e300, 1] for x in X],
        None,
        ValueError,
        r"X contains values too large for float32",
    ),
    ("1D X", X[0, :, 0], None, ValueError, r"Expected X with 2 dimensions .* got 1 dimension"),
    ("4D X", X[..., None], None, ValueError, r"Expected X with 2 dimensions .* got 4 dimension"),
    ("scalar X", 3.0, None, ValueError, r"Expected X with 2 dimensions .* got 0 dimension"),
    ("0 sequences", X[:0], "0", ValueError, r"Found array with 0 sample\(s\)"),
    ("0 time steps", X[:, :0], None, ValueError, r"X has shape \(20, 0, 2\) with 0 time steps"),
    ("0 features", X[:, :, :0], None, ValueError, r"X has shape \(20, 6, 0\) with 0 features"),
    ("empty list", [], "0", ValueError, r"X contains no sequences \(an empty list\)"),
    ("empty object array", np.empty(0, dtype=object), "0", ValueError, r"no sequences \(an empty ndarray\)"),
    ("empty DataFrame", pd.DataFrame(), "0", ValueError, r"no sequences \(an empty DataFrame\)"),
    (
        "empty sequence in list",
        [X[0], X[1][:0]],
        "2",
        ValueError,
        r"Sequence 1 of X is empty \(0 time steps\)",
    ),
    ("3D sequence in list", [X[0], X[:2]], "2", ValueError, r"Sequence 1 of X has 3 dimensions"),
    ("ragged widths", [X[0], X[1][:, :1]], "2", ValueError, r"All sequences of X must have the same number"),
    (
        "string features",
        np.full((20, 6, 1), "a"),
        None,
        ValueError,
        r"X must hold numbers, .* Encode categorical",
    ),
    ("numeric text", X.astype(str), None, ValueError, r"X must hold numbers, but it holds text \(dtype <U"),
    (
        "numeric text in a list",
        [X[0], X[1].astype(str)],
        "2",
        ValueError,
        r"Sequence 1 of X must hold numbers, but it holds text",
    ),
    (
        "text column in a DataFrame",
        pd.DataFrame({"t0": X[:, 0, 0], "t1": X[:, 1, 0].astype(str)}).astype({"t1": "string"}),
        None,
        ValueError,
        r"X must hold numbers, but column\(s\) \['t1'\] hold text.*X, ids = sklearn_rnn.from_long_table",
    ),
    (
        "object feature (dict)",
        np.array([[{"a": 1}] * 6] * 20, dtype=object),
        None,
        TypeError,
        r"X must hold numbers, .*argument must be a string",
    ),
    (
        "sktime MultiIndex frame",
        "multiindex",
        None,
        TypeError,
        r"X looks like sktime panel data: its rows have a MultiIndex .*from_sktime\(X\).* "
        r"If each row is one sequence .* X.reset_index\(drop=True\)",
    ),
    (
        "y length mismatch",
        X,
        "short",
        ValueError,
        r"inconsistent numbers of samples: X has 20 sequences but y has 19",
    ),
    ("y is None", X, "none", ValueError, r"requires y to be passed"),
]
CLASSIFIER_FIT_CASES = [
    ("single class", X, np.zeros(20), ValueError, r"needs samples of at least 2 classes"),
    ("continuous y", X, np.linspace(0, 1, 20), ValueError, r"Unknown label type: continuous"),
    # (20, 2) of 0/1 is multi-label y now, as for MLPClassifier; other 2D y is refused
    ("2D y", X, np.arange(40).reshape(20, 2) % 3, ValueError, r"not 0/1 indicator columns"),
]
REGRESSOR_FIT_CASES = [
    (
        "NaN in y",
        X,
        np.where(np.arange(20) == 0, np.nan, 1.0),
        ValueError,
        r"missing or infinite targets \(NaN, pd.NA or inf\) for 1 of 20 sequences, at position \[0\]\. "
        r"Every sequence needs a finite target: drop those sequences",
    ),
    (
        "inf and pd.NA in y",
        X,
        pd.array([np.inf, *range(17), None, 1.0], dtype="Float64"),
        ValueError,
        r"for 2 of 20 sequences, at positions \[0, 18\]",
    ),
    (
        "NaN in one output of 2D y",
        X,
        np.c_[np.ones(20), np.where(np.arange(20) == 7, np.nan, 1.0)],
        ValueError,
        r"for 1 of 20 sequences, at position \[7\]",
    ),
    ("3D y", X, np.zeros((20, 2, 2)), ValueError, r"y must be 1D or 2D"),
]
PARAM_CASES = [
    ("hidden_size", 0, r"'hidden_size' parameter of \w+ must be an int in the range \[1, 65536\]"),
    # True is an Integral to Python: a fit would run and the saved file be refused at load
    (
        "hidden_size",
        True,
        r"'hidden_size' parameter of \w+ must be an int in the range \[1, 65536\]. Got True",
    ),
    ("hidden_size", 2**16 + 1, r"'hidden_size' parameter of \w+ must be an int in the range \[1, 65536\]"),
    ("num_layers", True, r"'num_layers' parameter of \w+ must be an int in the range \[1, 256\]. Got True"),
    ("n_networks", 257, r"'n_networks' parameter of \w+ must be an int in the range \[1, 256\]"),
    ("max_epochs", False, r"'max_epochs' parameter of \w+ must be an int in the range \[1, inf\)"),
    ("cell", "transformer", r"'cell' parameter of \w+ must be a str among"),
    ("lr", 0.0, r"'lr' parameter of \w+ must be a float in the range \(0.0, inf\)"),
    ("dropout", 1.0, r"'dropout' parameter of \w+ must be a float in the range \[0.0, 1.0\)"),
    ("batch_size", 0, r"'batch_size' parameter"),
    ("max_epochs", -1, r"'max_epochs' parameter"),
    ("optimizer", "adagrad", r"'optimizer' parameter of \w+ must be a str among .* or an instance of 'type'"),
    ("pooling", "max", r"'pooling' parameter"),
    ("validation_fraction", 1.0, r"'validation_fraction' parameter"),
    ("n_threads", 0, r"'n_threads' parameter"),
    ("callbacks", "early", r"'callbacks' parameter .* must be an instance of 'list' or None"),
]


def _resolve_y(cls, y, X_case):
    if y is None:
        return Y[cls]
    if isinstance(y, str):
        n = {"0": 0, "2": 2, "short": 19, "none": None}[y]
        if n is None:
            return None
        return Y[cls][:n]
    return y


def _resolve_X(X_case):
    if isinstance(X_case, str) and X_case == "multiindex":
        index = pd.MultiIndex.from_product([range(20), range(6)], names=["instance", "time"])
        return pd.DataFrame({"a": X[:, :, 0].ravel()}, index=index)
    return X_case


def _cases(cls):
    extra = CLASSIFIER_FIT_CASES if cls is RNNClassifier else REGRESSOR_FIT_CASES
    return [pytest.param(cls, *case[1:], id=f"{cls.__name__}-{case[0]}") for case in FIT_CASES + extra]


@pytest.mark.parametrize("cls, X_case, y, error, match", _cases(RNNClassifier) + _cases(RNNRegressor))
def test_fit_rejects_bad_input(cls, X_case, y, error, match):
    estimator = cls(**TINY)
    with pytest.raises(error, match=match):
        estimator.fit(_resolve_X(X_case), _resolve_y(cls, y, X_case))
    assert not hasattr(estimator, "net_")


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("name, value, match", PARAM_CASES, ids=[f"{c[0]}={c[1]}" for c in PARAM_CASES])
def test_invalid_parameters(cls, name, value, match):
    with pytest.raises(InvalidParameterError, match=match):
        cls(**{**TINY, name: value}).fit(X, Y[cls])


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("RNNForecaster", {"n_networks": True}),
        ("RNNAnomalyDetector", {"horizon": True}),
        ("RNNOutlierDetector", {"smoothing": True}),
    ],
)
def test_true_is_no_count_for_the_forecaster_and_detectors(name, kwargs):
    import sklearn_rnn

    (param,) = kwargs
    series = pd.Series(np.sin(np.arange(40.0)))
    data = [RNG.normal(size=(12, 2)) for _ in range(6)] if name == "RNNOutlierDetector" else series
    with pytest.raises(
        InvalidParameterError, match=rf"'{param}' parameter of {name} must be an int .* Got True"
    ):
        getattr(sklearn_rnn, name)(max_epochs=1, **kwargs).fit(data)


@pytest.mark.parametrize(
    "name, param, limit",
    [
        ("RNNForecaster", "sp", 2**24),
        ("RNNForecaster", "window_length", 2**16),  # a window's steps (no weight bounds them)
        ("RNNForecaster", "max_horizon", 2**24),
        ("RNNAnomalyDetector", "window_length", 2**16),
        ("RNNAnomalyDetector", "horizon", 2**24),
        ("RNNOutlierDetector", "window_length", 2**16),
    ],
)
def test_sizes_a_saved_file_could_not_hold_are_refused_at_fit(name, param, limit):
    """A size above the safe format's limit is refused by fit, not after it by load."""
    import sklearn_rnn

    series = pd.Series(np.sin(np.arange(40.0)))
    data = [RNG.normal(size=(12, 2)) for _ in range(6)] if name == "RNNOutlierDetector" else series
    message = rf"'{param}' parameter of {name} must be an int in the range \[1, {limit}\]"
    with pytest.raises(InvalidParameterError, match=message):
        getattr(sklearn_rnn, name)(max_epochs=1, **{param: limit + 1}).fit(data)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
@pytest.mark.parametrize("cls", ESTIMATORS)
def test_cuda_requested_without_cuda(cls):
    with pytest.raises(
        ValueError, match=r"device='cuda' was requested but CUDA is not available; use device='cpu'"
    ):
        cls(**{**TINY, "device": "cuda"}).fit(X, Y[cls])


@pytest.fixture(scope="module")
def fitted():
    return {cls: cls(**TINY).fit(X, Y[cls]) for cls in ESTIMATORS}


def _methods(cls):
    methods = ["predict", "score"]
    if cls is RNNClassifier:
        methods.append("predict_proba")
    return methods


def _call(estimator, method, X_case):
    if method == "score":
        return estimator.score(X_case, Y[type(estimator)][: _n(X_case)])
    return getattr(estimator, method)(X_case)


def _n(X_case):
    try:
        return len(X_case)
    except TypeError:
        return 1


PREDICT_CASES = [
    ("NaN in X", _with(np.nan), ValueError, r"Input X contains NaN"),
    ("inf in X", _with(np.inf), ValueError, r"Input X contains infinity .* Replace infinite values"),
    ("1D X", X[0, :, 0], ValueError, r"Expected X with 2 dimensions .* got 1 dimension"),
    ("4D X", X[..., None], ValueError, r"Expected X with 2 dimensions .* got 4 dimension"),
    ("0 sequences", X[:0], ValueError, r"Found array with 0 sample\(s\)"),
    ("0 time steps", X[:, :0], ValueError, r"with 0 time steps"),
    ("empty list", [], ValueError, r"X contains no sequences"),
    ("empty object array", np.empty(0, dtype=object), ValueError, r"X contains no sequences"),
    ("empty DataFrame", pd.DataFrame(), ValueError, r"X contains no sequences"),
    ("empty sequence in list", [X[0], X[1][:0]], ValueError, r"Sequence 1 of X is empty"),
    (
        "one sequence as 2D",
        X[0],
        ValueError,
        r"expecting 2 features as input\. A 2D X is read as univariate .* as \[X\] or X\[None\]",
    ),
    (
        "3 features, fitted on 2",
        np.zeros((4, 6, 3)),
        ValueError,
        r"X has 3 features, but \w+ is expecting 2 features",
    ),
    ("2D X, fitted on 3D", X[:, :, 0], ValueError, r"X has 1 features, but \w+ is expecting 2 features"),
    (
        "ragged with 1 feature",
        [X[0][:, :1]],
        ValueError,
        r"X has 1 features, but \w+ is expecting 2 features",
    ),
    ("string features", np.full((4, 6, 2), "a"), ValueError, r"X must hold numbers"),
    ("numeric text", X[:4].astype(str), ValueError, r"X must hold numbers, but it holds text"),
]


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    "X_case, error, match", [c[1:] for c in PREDICT_CASES], ids=[c[0] for c in PREDICT_CASES]
)
def test_predict_methods_reject_bad_input(fitted, cls, X_case, error, match):
    for method in _methods(cls):
        with pytest.raises(error, match=match):
            _call(fitted[cls], method, X_case)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_unfitted(cls):
    for method in _methods(cls):
        with pytest.raises(NotFittedError, match=r"is not fitted yet\. Call 'fit'"):
            _call(cls(), method, X)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_score_y_length_mismatch(fitted, cls):
    with pytest.raises(ValueError, match=r"X has 20 sequences but y has 19 targets"):
        fitted[cls].score(X, Y[cls][:19])


def test_score_with_labels_unseen_at_fit_warns_and_counts_them_wrong(fitted):
    """Unseen labels can never be predicted: they count as errors (as in accuracy_score), with a warning.

    An error would break cross-validation folds whose training part lacks a rare
    class; a silent score would hide a label-encoding mistake.
    """
    clf = fitted[RNNClassifier]
    y = Y[RNNClassifier].copy()
    expected_known = clf.score(X, y)
    y_unseen = y.astype(object)
    y_unseen[:5] = "zebra"
    with pytest.warns(UserWarning, match=r"y contains 1 label\(s\) never seen during fit \(\['zebra'\]\)"):
        score = clf.score(X, y_unseen)
    predicted = clf.predict(X)
    assert score == pytest.approx(np.mean(predicted == y_unseen))
    assert score <= expected_known
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.score(X, y)  # known labels: no warning


def test_score_with_missing_labels_is_refused_as_fit_refuses_them():
    """A NaN label was counted wrong and named as ten unseen labels; None among strings was called a label of
    another kind. scikit-learn's own score raises on NaN in y_true."""
    rng = np.random.default_rng(0)
    X_f = rng.normal(size=(30, 8, 2))
    numbers = RNNClassifier(**TINY).fit(X_f, np.array([1.0, 2.0, 3.0] * 10))
    with pytest.raises(ValueError, match=r"y has missing labels \(None, NaN or pd.NA\) for 10 of 30"):
        numbers.score(X_f, np.array([1.0, 2.0, np.nan] * 10))
    words = RNNClassifier(**TINY).fit(X_f, np.array(["a", "b", "c"] * 10))
    with pytest.raises(ValueError, match=r"y has missing labels .* for 1 of 30 sequences, at position \[0\]"):
        words.score(X_f, np.array([None, "b", "c"] + ["a", "b", "c"] * 9, dtype=object))


def test_score_with_labels_of_another_kind_is_an_error(fitted):
    with pytest.raises(ValueError, match=r"y holds labels of another kind than the training labels"):
        fitted[RNNClassifier].score(X, np.arange(20) % 2)


def test_warm_start_with_new_classes_is_an_error():
    clf = RNNClassifier(**TINY, warm_start=True).fit(X, Y[RNNClassifier])
    with pytest.raises(ValueError, match=r"warm_start=True needs the classes of the first fit"):
        clf.fit(X, np.array(["a", "c"] * 10))


def test_bad_input_leaves_a_fitted_model_intact(fitted):
    """A failed predict or a failed re-fit never changes what the model predicts."""
    reg = RNNRegressor(**TINY).fit(X, Y[RNNRegressor])
    before = reg.predict(X)
    with pytest.raises(ValueError):
        reg.predict(_with(np.nan))
    with pytest.raises(ValueError):
        reg.fit(_with(np.nan), Y[RNNRegressor])
    np.testing.assert_array_equal(reg.predict(X), before)


def test_mixed_label_types_are_an_error_naming_the_labels():
    """The message shows the labels that mix (not a made-up 'a' and 3), with their types and places."""
    y = np.array(["ok"] * 17 + [2.5, "ok", "fault"], dtype=object)
    with pytest.raises(ValueError, match=r"y mixes string labels") as excinfo:
        RNNClassifier(**TINY).fit(X, y)
    message = str(excinfo.value)
    assert "'ok' (str) at position 0 and 2.5 (float) at position [17]" in message, message
    assert "y.astype(str)" in message


def test_mixed_label_types_in_a_list_are_an_error_too():
    """A list ["a", 1, ...] is refused as an object array is (column_or_1d made it strings '1', 'a', ...)."""
    y = ["a", 1, "b", 2] * 5
    with pytest.raises(ValueError, match=r"y mixes string labels") as excinfo:
        RNNClassifier(**TINY).fit(X, y)
    assert "'a' (str) at position 0 and 1 (int) at positions [1, 3, 5" in str(excinfo.value)
    with pytest.raises(ValueError, match=r"y mixes string labels"):
        RNNClassifier(**TINY).fit(X, pd.Series(y))


_MISSING_LABELS = {
    "None in a list": ["a", "b"] * 9 + ["a", None],
    "np.nan in an object array": np.array(["a", "b"] * 9 + [np.nan, "a"], dtype=object),
    "pd.NA in a string Series": pd.Series(["a", "b"] * 9 + ["a", None], dtype="string"),
    "None in a default-dtype Series": pd.Series(["a", "b"] * 9 + ["a", None]),
    "NaN among numbers": [0.0, 1.0] * 9 + [0.0, np.nan],
    "None in multi-label rows": np.array([[0, 1], [1, 0]] * 9 + [[0, 1], [None, 1]], dtype=object),
}


@pytest.mark.parametrize("y", _MISSING_LABELS.values(), ids=_MISSING_LABELS.keys())
def test_missing_labels_are_an_error_naming_how_many_and_where(y):
    """Not 'mixed label types' with the advice y.astype(str), which would make a class 'None' of them."""
    position = 18 if isinstance(y, np.ndarray) and y.ndim == 1 else 19
    with pytest.raises(
        ValueError,
        match=rf"y has missing labels \(None, NaN or pd.NA\) for 1 of 20 sequences, at position "
        rf"\[{position}\]\. .*drop those sequences from X and y, or fill in their labels",
    ):
        RNNClassifier(**TINY).fit(X, y)


def test_many_missing_labels_show_the_first_positions():
    y = np.array(["a", None] * 10, dtype=object)
    with pytest.raises(
        ValueError, match=r"for 10 of 20 sequences, at positions \[1, 3, 5, 7, 9\] \(and 5 more\)"
    ):
        RNNClassifier(**TINY).fit(X, y)


@pytest.mark.parametrize("y", [np.arange(20).astype(str), pd.Series(np.arange(20.0)).astype("string")])
def test_a_regression_target_of_numeric_text_is_refused_as_text_in_x_is(y):
    # check_array parsed it as numbers without a word, while the same text in X was refused
    with pytest.raises(ValueError, match=r"y must hold numbers, but it holds text.*y.astype\(float\)"):
        RNNRegressor(max_epochs=1).fit(X, y)


_DAYS = pd.date_range("2024-01-01", periods=20, freq="D")


@pytest.mark.parametrize(
    "y, dtype",
    [
        (_DAYS.values, "datetime64"),
        (pd.Series(_DAYS.tz_localize("UTC")), r"datetime64\[.*UTC\]"),
        (_DAYS - _DAYS[0], "timedelta64"),
        (
            pd.DataFrame({"load": np.arange(20.0), "duration": pd.to_timedelta(np.arange(20), unit="h")}),
            "timedelta64",
        ),
    ],
)
def test_a_regression_target_of_dates_or_durations_is_refused(y, dtype):
    # they were read as counts of their unit (microseconds since 1970 here) and predicted as such
    with pytest.raises(TypeError, match=rf"y holds dates or durations \({dtype}.*pd.Timedelta\('1D'\)"):
        RNNRegressor(max_epochs=1).fit(X, y)


def test_early_stopping_needs_two_sequences():
    with pytest.raises(ValueError, match=r"early_stopping=True needs at least 2 sequences .* got 1"):
        RNNRegressor(**TINY, early_stopping=True).fit(X[:1], Y[RNNRegressor][:1])


# -- the forecaster --------------------------------------------------------------------------
_INDEX = pd.period_range("2000-01", periods=40, freq="M")
SERIES = pd.Series(np.sin(np.arange(40) / 3) + 5, index=_INDEX, name="y")
EXOG = pd.DataFrame({"x": np.arange(40.0)}, index=_INDEX)
F_TINY = dict(window_length=6, hidden_size=4, max_epochs=2, random_state=0)


def _forecaster():
    from sklearn_rnn import RNNForecaster

    return RNNForecaster


def _replace(series, position, value):
    out = series.copy()
    out.iloc[position] = value
    return out


# (case id, fit kwargs, predict kwargs or None (the error comes from fit), exception, message regex)
FORECASTER_CASES = [
    ("NaN in y", dict(y=_replace(SERIES, 3, np.nan)), None, ValueError, r"y passed to fit has missing value"),
    ("inf in y", dict(y=_replace(SERIES, 3, np.inf)), None, ValueError, r"y contains NaN or infinite values"),
    ("string y", dict(y=pd.Series(["a"] * 40, index=_INDEX)), None, TypeError, r"do not support categorical"),
    (
        "NaN in X",
        dict(y=SERIES, X=EXOG.where(EXOG.x != 3)),
        None,
        ValueError,
        r"X passed to fit has missing values .* X = X.interpolate\(limit_direction='both'\)",
    ),
    ("string X", dict(y=SERIES, X=EXOG.assign(x="a")), None, TypeError, r"does not support categorical"),
    ("window_length=0", dict(y=SERIES, window_length=0), None, ValueError, r"'window_length' parameter"),
    ("hidden_size=-1", dict(y=SERIES, hidden_size=-1), None, ValueError, r"'hidden_size' parameter"),
    (
        "fh beyond the horizon",
        dict(y=SERIES),
        dict(fh=[5]),
        ValueError,
        r"fh reaches 5 steps ahead, .* horizon_=3",
    ),
    ("in-sample fh", dict(y=SERIES), dict(fh=[-1, 0]), NotImplementedError, r"can not perform in-sample"),
    (
        "NaN in future X",
        dict(y=SERIES.iloc[:37], X=EXOG.iloc[:37]),
        dict(X=EXOG.iloc[37:].where(EXOG.x != 38)),
        ValueError,
        r"X passed to predict has missing values",
    ),
    (
        "alpha outside (0, 1)",
        dict(y=SERIES),
        dict(alpha=[1.5]),
        ValueError,
        r"values in alpha must lie in the open interval \(0, 1\)",
    ),
]


@pytest.mark.parametrize(
    "fit_kwargs, predict_kwargs, error, match",
    [c[1:] for c in FORECASTER_CASES],
    ids=[c[0] for c in FORECASTER_CASES],
)
def test_forecaster_rejects_bad_input(fit_kwargs, predict_kwargs, error, match):
    fit_kwargs = dict(fit_kwargs)
    y, exog = fit_kwargs.pop("y"), fit_kwargs.pop("X", None)
    forecaster = _forecaster()(**{**F_TINY, **fit_kwargs})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if predict_kwargs is None:
            with pytest.raises(error, match=match):
                forecaster.fit(y, X=exog, fh=[1, 2, 3])
            return
        forecaster.fit(y, X=exog, fh=[1, 2, 3])
        with pytest.raises(error, match=match):
            if "alpha" in predict_kwargs:
                forecaster.predict_quantiles(**predict_kwargs)
            else:
                forecaster.predict(**predict_kwargs)


def test_forecaster_unfitted():
    with pytest.raises(ValueError, match=r"has not been fitted yet"):  # skbase's NotFittedError
        _forecaster()(**F_TINY).predict(fh=[1])


def test_forecaster_series_shorter_than_the_window_are_served():
    """Documented behaviour: a series shorter than window_length is left-padded with its first value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = _forecaster()(**F_TINY).fit(SERIES.iloc[:3], fh=[1, 2])
        forecast = forecaster.predict()
    assert len(forecast) == 2 and np.isfinite(forecast.to_numpy()).all()


def test_forecaster_empty_y_gets_a_clear_error():
    with pytest.raises(ValueError, match=r"y is empty: RNNForecaster needs observations"):
        _forecaster()(**F_TINY).fit(SERIES.iloc[:0], fh=[1])


def test_forecaster_future_X_with_other_columns_is_refused():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = _forecaster()(**F_TINY).fit(SERIES.iloc[:37], X=EXOG.iloc[:37], fh=[1, 2, 3])
    with pytest.raises(
        ValueError, match=r"X passed to predict lacks the columns \['x'\] and has other columns \['z'\]"
    ):
        forecaster.predict(X=EXOG.iloc[37:].rename(columns={"x": "z"}))


@pytest.mark.parametrize(
    "callback",
    [
        EpochScoring("accuracy"),
        EpochScoring("roc_auc"),
        EpochScoring(get_scorer("f1")),
        EpochScoring(accuracy_score),  # skorch turns a metric function into a scorer
        BatchScoring("accuracy"),
    ],
)
def test_epoch_scoring_with_a_scorer_is_refused_with_a_function_that_works(callback):
    """skorch scores the network (logits) against label indices: a scorer failed after the first
    epoch with "can't handle a mix of binary and continuous-multioutput targets"."""
    X3, y3 = np.random.default_rng(0).normal(size=(20, 6, 2)), np.repeat(["a", "b"], 10)
    clf = RNNClassifier(hidden_size=4, max_epochs=2, n_networks=1, early_stopping=True)
    with pytest.raises(ValueError, match=r"Scoring with scoring=.* Pass a function of them, e.g. Epoch"):
        clf.set_params(callbacks=[("acc", callback)]).fit(X3, y3)
    accuracy = EpochScoring(
        lambda net, X, y: (net.predict(X).argmax(axis=1) == y).mean(), name="valid_acc", lower_is_better=False
    )  # the function the message gives
    clf.set_params(callbacks=[accuracy]).fit(X3, y3)
    assert len(clf.net_.history[:, "valid_acc"]) == 2
    multilabel = EpochScoring(lambda net, X, y: ((net.predict(X) > 0) == y).mean(), name="valid_acc")
    clf.set_params(callbacks=[multilabel]).fit(X3, np.eye(2, dtype=int)[np.arange(20) % 2])  # its form too
    assert len(clf.net_.history[:, "valid_acc"]) == 2


def test_a_wide_table_whose_dated_columns_are_out_of_order_is_refused_with_the_fix():
    """Found by a probe: pivots concatenated newest first gave a wide table (one column a day) read in
    column order, in silence, where the same sequences as Series indexed by those days were refused."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=6, freq="D")
    values, y = rng.normal(size=(20, 6)), np.arange(20) % 2
    clf = RNNClassifier(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    newest_first = pd.DataFrame(values[:, ::-1], columns=days[::-1])
    with pytest.raises(ValueError, match=r"column index has time points out of increasing order.*sort_index"):
        clf.fit(newest_first, y)
    with pytest.raises(ValueError, match=r"column index repeats the time 2024-01-02.*groupby"):
        clf.fit(pd.DataFrame(values, columns=days[[0, 1, 1, 2, 3, 4]]), y)
    long = pd.DataFrame({"id": np.repeat(np.arange(20), 6), "day": np.tile(days, 20), "x": values.ravel()})
    pivoted = long.pivot(index="id", columns="day", values=["x"])  # columns ("x", day)
    with pytest.raises(ValueError, match=r"column index has time points out of increasing order"):
        clf.fit(pivoted.iloc[:, ::-1], y)
    fixed = clf.fit(newest_first.sort_index(axis=1), y)  # the fix: the steps in time order
    np.testing.assert_array_equal(fixed.predict(newest_first.sort_index(axis=1)), fixed.predict(values))
    clf.fit(pd.DataFrame(values, columns=days.to_period("D")), y)  # in order: read as before


def _fix(message: str, start: str, end: str) -> str:
    """The code a message gives between ``start`` and ``end``, to run as written."""
    return message.split(start, 1)[1].split(end, 1)[0]


def pivoted_of(values: np.ndarray) -> pd.DataFrame:
    """``values`` (n, T) as pivot(values=["x"]) gives them: columns ("x", 0..T-1)."""
    n, T = values.shape
    long = pd.DataFrame(
        {"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n), "x": values.ravel()}
    )
    return long.pivot(index="id", columns="t", values=["x"])


def test_a_wide_table_whose_numbered_columns_are_out_of_order_is_refused_with_the_fix():
    """Found by a probe: columns labelled by step numbers (or wavelengths) out of order were read in
    column order in silence, where dated ones were refused."""
    rng = np.random.default_rng(0)
    values, y = rng.normal(size=(20, 6)), np.arange(20) % 2
    clf = RNNClassifier(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    shuffled = pd.DataFrame(values, columns=[3, 1, 2, 0, 4, 5])
    with pytest.raises(
        ValueError, match=r"labels are neither increasing nor decreasing \(3, 1, 2, 0, 4, ...\)"
    ):
        clf.fit(shuffled, y)
    fixed = clf.fit(shuffled.sort_index(axis=1), y)  # the fix: the steps in order
    np.testing.assert_array_equal(
        fixed.predict(shuffled.sort_index(axis=1)), fixed.predict(values[:, [3, 1, 2, 0, 4, 5]])
    )
    clf.fit(shuffled.to_numpy(), y)  # the order the user means
    # two features side by side, each numbered 0..2: read as the steps of one, the label repeats
    side_by_side = pd.concat([shuffled.iloc[:, :3].set_axis([0, 1, 2], axis=1)] * 2, axis=1)
    with pytest.raises(ValueError, match=r"column label 0 is repeated: .* 3D array.*groupby") as error:
        clf.fit(side_by_side, y)
    for table in (side_by_side, pd.concat([pivoted_of(values[:, :3])] * 2, axis=1)):  # plain, a pivot's
        averaged = eval(
            _fix(str(error.value), "e.g. ", ".mean().T.") + ".mean().T", {"X": table}
        )  # as written
        assert averaged.shape == (20, 3)
    long = pd.DataFrame(
        {"id": np.repeat(np.arange(20), 6), "t": np.tile(np.arange(6), 20), "x": values.ravel()}
    )
    pivoted = long.pivot(index="id", columns="t", values=["x"])  # columns ("x", t)
    with pytest.raises(ValueError, match=r"neither increasing nor decreasing"):
        clf.fit(pivoted.iloc[:, [1, 0, 2, 3, 4, 5]], y)
    clf.fit(pivoted, y)  # in order: read as before
    spectra = pd.DataFrame(values, columns=[4000.0, 3500.0, 3000.0, 2500.0, 2000.0, 1500.0])
    clf.fit(spectra, y)  # falling wavenumbers, as infrared spectra are tabulated: in order


@pytest.mark.parametrize("times", [np.arange(1, 13), np.arange(1, 13) * 1.0])
@pytest.mark.parametrize("values_named", [False, True])
def test_a_wide_table_whose_step_labels_are_numbers_as_text_is_refused_with_the_fix(times, values_named):
    """Found by a probe: a pivot on a text time column ('1' to '12') sorts its columns as text, '10'
    before '2', and was read in that order in silence; sort_index(axis=1) keeps that order. The fix
    the message gives runs as written ('1.0' labels and pivot(values=[...])'s column levels too)."""
    rng = np.random.default_rng(0)
    values, y = np.cumsum(rng.normal(size=(20, 12)), axis=1), np.arange(20) % 2
    text = np.tile(times, 20).astype(str)
    long = pd.DataFrame({"id": np.repeat(np.arange(20), 12), "t": text, "x": values.ravel()})
    X = long.pivot(index="id", columns="t", values=["x"] if values_named else "x")
    assert list(X.columns.get_level_values(-1)[:2]) == [str(times[0]), str(times[9])]
    clf = RNNClassifier(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    with pytest.raises(ValueError, match=r"numbers written as text") as error:
        clf.fit(X, y)
    with pytest.raises(ValueError, match=r"numbers written as text"):
        clf.fit(X.sort_index(axis=1), y)  # as text, the same order
    exec(
        _fix(str(error.value), "make them numbers first, ", ").") + ")" + "; X = X.sort_index(axis=1)",
        {},
        scope := {"X": X},
    )
    fixed = clf.fit(scope["X"], y)  # the fix, as written, then the sort
    np.testing.assert_array_equal(fixed.predict(scope["X"]), fixed.predict(values))
    clf.fit(pd.DataFrame(values, columns=[f"t{i}" for i in range(12)]), y)  # names, not numbers: as before
    clf.fit(pd.DataFrame(values, columns=[str(i) for i in range(12)]), y)  # numbers in order: as before


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_y_indexed_by_the_same_labels_in_another_order_is_refused(Estimator):
    """Found by a probe: X from a groupby (indexed by sorted patient ids) and y from a table of
    outcomes in another order were paired by position in silence, each sequence with another
    patient's label (training accuracy 0.35 against the true labels, 1.0 once aligned)."""
    rng = np.random.default_rng(0)
    rows = [
        (f"p{i:02d}", t, rng.normal(70 + 15 * (i % 2)))
        for i in range(30)
        for t in range(int(rng.integers(5, 12)))
    ]
    long = pd.DataFrame(rows, columns=["pid", "t", "hr"])
    X = long.groupby("pid")["hr"].apply(lambda g: g.to_numpy())  # indexed by the sorted ids
    truth = pd.Series({f"p{i:02d}": i % 2 for i in range(30)})
    outcomes = truth.sample(frac=1, random_state=0)  # a patient table in another order
    estimator = Estimator(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    with pytest.raises(
        ValueError,
        match=r"same labels in other orders \(\d+ of 30 positions differ; position 0 holds 'p00' in X and "
        r"'.*' in y\).*y = y.loc\[X.index\]",
    ):
        estimator.fit(X, outcomes)
    estimator.fit(X, outcomes.loc[X.index])  # the fix
    with pytest.raises(ValueError, match="same labels in other orders"):
        estimator.score(X, outcomes)
    estimator.score(X, outcomes.loc[X.index])
    estimator.fit(X, outcomes.loc[X.index].to_numpy())  # positions: nothing to compare
    estimator.fit(X.reset_index(drop=True), outcomes.reset_index(drop=True))  # row numbers: by position
    weights = pd.Series(np.arange(30) % 3, index=X.index, dtype=float)  # found by a probe of the targets
    aligned = outcomes.loc[X.index]
    with pytest.raises(
        ValueError, match=r"X and sample_weight are indexed by the same labels in other orders"
    ):
        estimator.fit(X, aligned, sample_weight=weights.iloc[::-1])
    with pytest.raises(ValueError, match=r"sample_weight = sample_weight.loc\[X.index\]"):
        estimator.score(X, aligned, sample_weight=weights.iloc[::-1])
    estimator.fit(X, aligned, sample_weight=weights)
    # windows dated by their last day and targets by the next day's: shifted labels, paired by position
    days = pd.date_range("2024-01-01", periods=31, freq="D")
    windows = pd.DataFrame(rng.normal(size=(30, 5)), index=days[:30])
    estimator.fit(windows, pd.Series(rng.integers(0, 2, 30), index=days[1:]))


def test_targets_float32_cannot_tell_apart_once_standardised_warn():
    """Found by a probe: one sentinel of 1e10 among remaining lives of 0 to 156 hours set the targets'
    scale; the other 39 trained on 7 distinct values (off by up to 11.5 h), without a word."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8, 2))
    hours = rng.uniform(0, 156, size=40)
    regressor = RNNRegressor(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        regressor.fit(X, hours)
        regressor.fit(X, np.r_[hours[:-1], 1e8])  # a far target, the others still told apart
    with pytest.warns(
        UserWarning, match=r"targets of output\(s\) \[1\] lie within fewer than 100 of float32's steps"
    ):
        regressor.fit(X, np.c_[hours, np.r_[hours[:-1], 1e10]])


def test_score_refuses_the_targets_fit_refuses():
    """Found by a probe: score read durations as nanoseconds (R^2 -204) where fit refused them."""
    rng = np.random.default_rng(0)
    X, days = rng.normal(size=(20, 8, 2)), rng.uniform(1, 9, size=20)
    regressor = RNNRegressor(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    regressor.fit(X, days)
    with pytest.raises(TypeError, match=r"y holds dates or durations \(timedelta64\[ns\]\)"):
        regressor.score(X, pd.Series(pd.to_timedelta(days, unit="D")))
    with pytest.raises(ValueError, match="y must hold numbers, but it holds text"):
        regressor.score(X, days.astype(str).astype(object))
    expected = regressor.score(X[:-1], days[:-1])
    for given in (  # the targets as users hold them, a last one missing
        np.r_[days[:-1], np.nan],
        [*days[:-1], None],
        pd.Series([*days[:-1], pd.NA], dtype="Float64"),
        pd.Series([*days[:-1], pd.NA], dtype=object),  # float() refused pd.NA in fit and score
    ):
        with pytest.raises(
            ValueError,
            match=r"infinite targets \(NaN, pd.NA or inf\) for 1 of 20 sequences, at position \[19\]",
        ) as error:
            regressor.score(X, given)
        with pytest.raises(ValueError, match=r"for 1 of 20 sequences, at position \[19\]"):
            regressor.fit(X, given)
        regressor.fit(X, days)
        if not isinstance(given, pd.Series) or given.dtype != object:  # the message's fix, as written
            fix = str(error.value).split("e.g. ")[1].split(" (a list")[0].split("; ")
            namespace = {"np": np, "X": X, "y": given, "model": regressor}
            for statement in fix[:-1]:
                exec(statement, namespace)
            assert eval(fix[-1], namespace) == expected
    dated = pd.DataFrame({"due": pd.to_datetime(["2024-01-01"] * 20), "days": [*days[:-1], None]})
    with pytest.raises(TypeError, match=r"y holds dates or durations"):  # before pd.NA is read
        regressor.fit(X, dated)
    with pytest.raises(ValueError, match=r"keep = np.isfinite\(y\).all\(axis=1\)"):
        regressor.score(X, np.c_[np.r_[days[:-1], np.nan], days])


def test_targets_of_unequal_sizes_are_refused_with_what_to_pass():
    """A list of target lists of unequal lengths got numpy's "inhomogeneous shape" error, which
    names neither y nor what to pass."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 8, 2))
    ragged = [[1.0, 2.0], [3.0], [1.0, 2.0], [0.5, 1.5]]
    regressor = RNNRegressor(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    message = r"y holds targets of unequal sizes \(1, 2 values a sequence\).*\(n_samples, n_outputs\)"
    with pytest.raises(ValueError, match=message):
        regressor.fit(X, ragged)
    regressor.fit(X, rng.normal(size=4))
    with pytest.raises(ValueError, match=message):
        regressor.score(X, ragged)
    nested = [[1.0], 2.0, [3.0], [4.0]]  # one value each, nested unevenly: not of unequal sizes
    with pytest.raises(ValueError, match=r"y nests its targets unevenly \(each holds 1 value\(s\)") as error:
        regressor.fit(X, nested)
    y = nested  # the message's fix, as written
    exec(str(error.value).split("e.g. ")[1].rstrip("."), {"np": np, "y": y}, namespace := {})
    regressor.fit(X, namespace["y"])
    assert regressor.predict(X).shape == (4, 1)


def test_a_warm_start_on_y_of_another_shape_warns_that_predictions_keep_the_first():
    rng = np.random.default_rng(0)
    X, target = rng.normal(size=(20, 8, 2)), rng.normal(size=20)
    params = dict(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    regressor = RNNRegressor(warm_start=True, **params).fit(X, target)
    with pytest.warns(UserWarning, match=r"y is 2D, but the warm-started model was first fitted on 1D y"):
        regressor.fit(X, target[:, None])
    assert regressor.predict(X).shape == (20,)
    constant = RNNRegressor(warm_start=True, **params).fit(X, np.full(20, 5.0))  # found by a review
    with pytest.warns(UserWarning, match="y is 2D"):
        constant.fit(X, target[:, None] * 3 + 5)  # a target constant so far still takes the new scale
    np.testing.assert_allclose(constant.y_scale_, [np.std(target * 3)], rtol=1e-6)


def test_a_long_table_passed_as_x_warns_at_fit_that_rows_are_read_as_sequences():
    """Found by a probe: a long table indexed by patient (one row a time step) was fitted as one
    2-step sequence a row, heart rate then SpO2, without a word."""
    rng = np.random.default_rng(0)
    ids = np.repeat([f"p{i}" for i in range(12)], 6)
    long = pd.DataFrame({"pid": ids, "hr": rng.normal(size=72), "spo2": rng.normal(size=72)}).set_index("pid")
    clf = RNNClassifier(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    with pytest.warns(UserWarning, match=r"run of rows, longer than X has columns.*from_long_table"):
        clf.fit(long, np.arange(72) % 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict(long)  # warned once, at fit
        clf.fit(long.reset_index(drop=True), np.arange(72) % 2)  # rows meant as sequences
        trials = pd.DataFrame(rng.normal(size=(36, 20)), index=np.repeat([f"s{i}" for i in range(12)], 3))
        clf.fit(trials, np.arange(36) % 2)  # three trials of 20 steps a subject: a wide table


def test_a_wide_table_pivoted_on_two_keys_gets_the_fix_that_reads_it_by_rows():
    """pivot_table(index=["patient", "visit"], columns="t") has the row MultiIndex of sktime's panels;
    the message named from_sktime alone, which reads the visit as time and the steps as features."""
    long = pd.DataFrame(
        {
            "patient": np.repeat(np.arange(10), 16),
            "visit": np.tile(np.repeat([1, 2], 8), 10),
            "t": np.tile(np.arange(8), 20),
            "hr": np.random.default_rng(0).normal(size=160),
        }
    )
    wide = long.pivot_table(index=["patient", "visit"], columns="t", values="hr")
    y = np.arange(20) % 2
    clf = RNNClassifier(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, n_networks=1, random_state=0)
    with pytest.raises(TypeError, match=r"levels \['patient', 'visit'\].* pass X.reset_index\(drop=True\)"):
        clf.fit(wide, y)
    clf.fit(wide.reset_index(drop=True), y)  # the fix: 20 sequences of 8 steps
    assert clf.n_features_in_ == 8 and clf.predict(wide.reset_index(drop=True)).shape == (20,)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_a_model_fitted_on_a_table_names_its_layout_when_predict_gets_another(cls):
    """Fitted on a 2D table, n_features_in_ counts its columns (the time steps): a 3D X of 8 features
    was told the model "is expecting 1 features", beside n_features_in_ = 8, with no fix."""
    table = RNG.normal(size=(20, 8))
    model = cls(**TINY).fit(table, Y[cls])
    assert model.n_features_in_ == 8
    with pytest.raises(
        ValueError, match=r"fitted on a 2D table .* of univariate sequences.*\(n_samples, n_timesteps, 1\)"
    ):
        model.predict(RNG.normal(size=(3, 5, 8)))
    with pytest.raises(ValueError, match=r"fitted on a 2D table .* columns are its time steps"):
        model.predict(table[:, :5])
    assert model.predict(table[:3, :, None]).shape[0] == 3  # its layout as one feature is read


def test_columns_labelled_otherwise_than_by_text_are_refused_in_another_order(tmp_path):
    """Found by a probe: labels that are not all text set no feature_names_in_ (scikit-learn's rule),
    and fit's columns in another order were read by position: an outlier detector's runs with their
    integer sensor ids swapped scored -47 instead of -0.5, all flagged; a table of hours 10..21 in
    falling order was read backwards, and predictions moved by 0.69."""
    from sklearn_rnn import RNNOutlierDetector, load, save

    rng = np.random.default_rng(0)
    steps = np.arange(40) / 3
    runs = [
        pd.DataFrame(np.c_[np.sin(steps + k), 100 + 5 * np.cos(steps + k)], columns=[101, 202])
        for k in range(12)
    ]
    small = dict(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, random_state=0)
    detector = RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(runs)
    swapped = [run[[202, 101]] for run in runs]
    message = (
        r"X has the columns RNNOutlierDetector was fitted on, in another order "
        r"\(\[202, 101\]; fit had \[101, 202\]\)"
    )
    with pytest.raises(ValueError, match=message + r".*\[x\[columns\] for x in X\]"):
        detector.score_samples(swapped)
    save(detector, tmp_path / "detector.skrnn")
    for restored in (load(tmp_path / "detector.skrnn"), pickle.loads(pickle.dumps(detector))):
        with pytest.raises(ValueError, match=message):
            restored.predict(swapped)
    X, columns = swapped, [101, 202]
    np.testing.assert_array_equal(  # the message's fix, as written
        detector.score_samples([x[columns] for x in X]), detector.score_samples(runs)
    )
    with pytest.raises(ValueError, match=r"Sequence 1 of X has the columns of sequence 0 in another order"):
        detector.score_samples([runs[0], swapped[1]])

    table = pd.DataFrame(np.cumsum(rng.normal(size=(30, 12)), axis=1), columns=range(10, 22))
    regressor = RNNRegressor(**small).fit(table, table[21].to_numpy())
    with pytest.raises(ValueError, match=r"fit had \[10, 11, 12, 13, 14, 15, \.\.\.\]\).*X\[columns\]"):
        regressor.predict(table[table.columns[::-1]])
    regressor.predict(table.rename(columns=lambda hour: hour - 10))  # other labels: read by position
