"""ONNX export: the graph run in onnxruntime matches predict_proba / predict to 1e-5."""

import warnings

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier, RNNRegressor, to_onnx

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOL = 1e-5
# (batch, time) pairs the exported graph is run at: none is the traced (2, 4).
SHAPES = [(1, 3), (5, 17), (12, 9), (3, 40), (4, 1)]  # (rows, padded length); 1: one step each


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _train_data(n_features=3, n=48, T=10, seed=0, ragged=False):
    rng = np.random.default_rng(seed)
    if ragged:
        X = [rng.normal(size=(int(t), n_features)) * 3 + 5 for t in rng.integers(3, T + 1, size=n)]
        signal = np.array([x[:, 0].mean() for x in X])
    else:
        X = rng.normal(size=(n, T, n_features)) * 3 + 5  # scaling in the graph must matter
        signal = X[:, :, 0].mean(axis=1)
    y = np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))
    return X, y, signal


def _ragged_batch(rng, n, T, n_features):
    lengths = rng.integers(1, T + 1, size=n)
    lengths[0] = T
    X = (rng.normal(size=(n, T, n_features)) * 3 + 5).astype(np.float32)
    X[np.arange(T)[None, :] >= lengths[:, None]] = 0.0
    return X, lengths.astype(np.int64), [x[:t] for x, t in zip(X, lengths, strict=True)]


ARCHITECTURES = [
    dict(cell="lstm"),
    dict(cell="gru"),
    dict(cell="rnn"),
    dict(cell="lstm", bidirectional=True),
    dict(cell="gru", bidirectional=True, num_layers=2),
    dict(cell="rnn", num_layers=2),
    dict(cell="lstm", pooling="mean", bidirectional=True),
    dict(cell="gru", pooling="attention"),
    dict(cell="rnn", pooling="attention", bidirectional=True, num_layers=2),
]


# The recurrent network alone, whatever the estimators' default architecture is.
_HAS_ARCHITECTURE = "architecture" in RNNClassifier().get_params()
RECURRENT = {"architecture": "rnn"} if _HAS_ARCHITECTURE else {}


def _tiny(est, **params):
    defaults = {"hidden_size": 6, "max_epochs": 2, "batch_size": 16, "random_state": 0, **RECURRENT}
    return est(**{**defaults, **params})


@pytest.mark.parametrize("params", ARCHITECTURES, ids=lambda p: "-".join(f"{v}" for v in p.values()))
def test_classifier_matches_predict_proba(params):
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier, **params).fit(X, y)
    session = _session(to_onnx(clf))
    assert [i.name for i in session.get_inputs()] == ["X", "lengths"]
    assert [o.name for o in session.get_outputs()] == ["probabilities"]
    rng = np.random.default_rng(1)
    for n, T in SHAPES:
        X_pad, lengths, X_list = _ragged_batch(rng, n, T, 3)
        (proba,) = session.run(None, {"X": X_pad, "lengths": lengths})
        assert proba.shape == (n, 3)
        np.testing.assert_allclose(proba, clf.predict_proba(X_list), atol=TOL, rtol=0)
        # Equal-length rows: full lengths reproduce predict_proba on the 3D array.
        (full,) = session.run(None, {"X": X_pad, "lengths": np.full(n, T)})
        np.testing.assert_allclose(full, clf.predict_proba(X_pad), atol=TOL, rtol=0)


@pytest.mark.parametrize("params", ARCHITECTURES[:6], ids=lambda p: "-".join(f"{v}" for v in p.values()))
def test_regressor_matches_predict(params):
    X, _, signal = _train_data(n_features=2)
    y = 1000.0 + 40.0 * signal  # far from standardised: the graph must de-standardise
    reg = _tiny(RNNRegressor, **params).fit(X, y)
    session = _session(to_onnx(reg))
    assert [o.name for o in session.get_outputs()] == ["predictions"]
    rng = np.random.default_rng(2)
    for n, T in SHAPES:
        X_pad, lengths, X_list = _ragged_batch(rng, n, T, 2)
        (pred,) = session.run(None, {"X": X_pad, "lengths": lengths})
        assert pred.shape == (n,) and pred.dtype == np.float64
        # TOL in the network's units, as for probabilities: its float32 outputs are multiplied by
        # y_scale_ (a 1-step sequence's log deviation, -13.8, makes their last digits differ most)
        np.testing.assert_allclose(pred, reg.predict(X_list), atol=TOL * reg.y_scale_[0], rtol=0)


@pytest.mark.parametrize(
    "cls, params",
    [(RNNClassifier, {"architecture": "rnn", "pooling": "last"}), (RNNRegressor, {"fcn_filters": (4, 8, 4)})],
    ids=["rnn-last", "lstm-fcn"],
)
def test_lengths_outside_the_time_axis_give_nan_rows(cls, params):
    """0 divided by zero, and a length past the padded end read the next row's steps (a flat gather)."""
    X, y, signal = _train_data()
    if cls is RNNRegressor:
        y = signal
    est = cls(**{"max_epochs": 2, "n_networks": 1, "random_state": 0, **params}).fit(X, y)
    session = _session(to_onnx(est))
    X_pad, lengths, X_list = _ragged_batch(np.random.default_rng(3), 4, 6, 3)
    expected = est.predict_proba(X_list) if cls is RNNClassifier else est.predict(X_list)
    for bad in ([8, 0], [7, -1]):
        (out,) = session.run(None, {"X": X_pad, "lengths": np.r_[bad, lengths[2:]].astype(np.int64)})
        assert np.isnan(out[:2]).all()
        np.testing.assert_allclose(out[2:], expected[2:], atol=TOL * getattr(est, "y_scale_", [1])[0], rtol=0)


def test_regressor_multi_output():
    X, _, signal = _train_data(n_features=2)
    # The last target is constant (y_scale_ of 1).
    y = np.column_stack([signal, -3 * signal + 7, np.full_like(signal, 2.5)])
    reg = _tiny(RNNRegressor, cell="gru", bidirectional=True).fit(X, y)
    session = _session(to_onnx(reg, lengths=False))
    X_new = np.random.default_rng(3).normal(size=(7, 13, 2)).astype(np.float32)
    (pred,) = session.run(None, {"X": X_new})
    assert pred.shape == (7, 3)
    np.testing.assert_allclose(pred, reg.predict(X_new), atol=TOL, rtol=0)


@pytest.mark.parametrize(
    "params",
    [
        dict(cell="lstm"),
        dict(cell="gru"),
        dict(cell="rnn"),
        dict(architecture="lstm-fcn", fcn_filters=(4, 4, 4)),  # the default: its dimension-shuffled branch
    ],
    ids=lambda p: "-".join(f"{v}" for v in p.values()),
)
def test_without_lengths_input(params):
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier, bidirectional=True, **params).fit(X, y)
    session = _session(to_onnx(clf, lengths=False))
    assert [i.name for i in session.get_inputs()] == ["X"]
    rng = np.random.default_rng(4)
    for n, T in SHAPES:
        X_new = rng.normal(size=(n, T, 3)).astype(np.float32)
        (proba,) = session.run(None, {"X": X_new})
        np.testing.assert_allclose(proba, clf.predict_proba(X_new), atol=TOL, rtol=0)


def test_fitted_on_ragged_and_2d_tables():
    X, y, _ = _train_data(ragged=True)
    clf = _tiny(RNNClassifier, pooling="mean").fit(X, y)
    session = _session(to_onnx(clf))
    X_pad, lengths, X_list = _ragged_batch(np.random.default_rng(5), 6, 11, 3)
    (proba,) = session.run(None, {"X": X_pad, "lengths": lengths})
    np.testing.assert_allclose(proba, clf.predict_proba(X_list), atol=TOL, rtol=0)

    # A 2D (n_samples, n_timesteps) table: the graph takes 2D input too.
    X2, _, signal = _train_data(n_features=1)
    X2 = X2[:, :, 0]
    reg = _tiny(RNNRegressor).fit(X2, signal)
    session = _session(to_onnx(reg))
    assert len(session.get_inputs()[0].shape) == 2
    X_new = np.random.default_rng(6).normal(size=(4, X2.shape[1])).astype(np.float32)
    (pred,) = session.run(None, {"X": X_new, "lengths": np.full(4, X2.shape[1])})
    np.testing.assert_allclose(pred, reg.predict(X_new), atol=TOL, rtol=0)


def test_writes_file_and_symbolic_axes(tmp_path):
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier, dropout=0.5).fit(X, y)
    before = clf.predict_proba(X)
    path = tmp_path / "clf.onnx"
    returned = to_onnx(clf, path)
    loaded = onnx.load(path)
    assert loaded.SerializeToString() == returned.SerializeToString()
    dims = loaded.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["batch", "time", 3]
    # The estimator is untouched (exported from a copy of its module).
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_scaling_is_in_the_graph():
    """The graph standardises inputs itself: a shifted copy of the data changes nothing only if so."""
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier).fit(X, y)
    module = clf.net_.module_
    assert not np.allclose(module.x_mean.numpy(), 0.0)
    session = _session(to_onnx(clf, lengths=False))
    X_new = X[:5].astype(np.float32)
    (proba,) = session.run(None, {"X": X_new})
    (shifted,) = session.run(None, {"X": (X_new - module.x_mean.numpy()) / module.x_scale.numpy()})
    np.testing.assert_allclose(proba, clf.predict_proba(X_new), atol=TOL, rtol=0)
    assert np.abs(proba - shifted).max() > 1e-3


def test_errors():
    with pytest.raises(TypeError, match="expects a fitted RNNClassifier"):
        to_onnx(object())
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        to_onnx(RNNClassifier())
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier).fit(X, y)
    with pytest.raises(TypeError, match="lengths must be True or False"):
        to_onnx(clf, lengths="yes")


def test_a_wrapper_is_told_which_fitted_estimator_to_export_and_what_is_left_out():
    """Found by a probe: a fitted Pipeline or TransformedTargetRegressor was told to "Fit one of them
    first"; the fixes the message names, run as written, give the wrapper's predictions."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, _, signal = _train_data(n_features=2)
    X2 = X[:, :, 0]  # a 2D table: a scaler before the network
    pipeline = make_pipeline(StandardScaler(), _tiny(RNNRegressor)).fit(X2, signal)
    with pytest.raises(TypeError, match=r"got Pipeline\. Export its last step, to_onnx\(pipeline\[-1\]\); "):
        to_onnx(pipeline)
    (pred,) = _session(to_onnx(pipeline[-1])).run(
        None, {"X": pipeline[:-1].transform(X2).astype(np.float32), "lengths": np.full(len(X2), X2.shape[1])}
    )
    np.testing.assert_allclose(pred, pipeline.predict(X2), atol=TOL * pipeline[-1].y_scale_[0], rtol=0)

    model = TransformedTargetRegressor(_tiny(RNNRegressor), func=np.log, inverse_func=np.exp).fit(
        X, np.exp(signal)
    )
    with pytest.raises(TypeError, match=r"Export its fitted regressor_, to_onnx\(model.regressor_\); "):
        to_onnx(model)
    (pred,) = _session(to_onnx(model.regressor_)).run(
        None, {"X": X.astype(np.float32), "lengths": np.full(len(X), X.shape[1])}
    )
    outputs = model.transformer_.inverse_transform(pred.reshape(-1, 1)).ravel()
    np.testing.assert_allclose(outputs, model.predict(X), rtol=1e-4)

    search = GridSearchCV(_tiny(RNNRegressor), {"hidden_size": [4]}, cv=2).fit(X, signal)
    with pytest.raises(TypeError, match=r"Export the search's fitted best_estimator_: to_onnx\(search"):
        to_onnx(search)
    searched = GridSearchCV(pipeline, {"rnnregressor__hidden_size": [4]}, cv=2).fit(X2, signal)
    with pytest.raises(TypeError, match=r"The search's best_estimator_ is a Pipeline\. Export its last step"):
        to_onnx(searched)
    with pytest.raises(TypeError, match=r"got StandardScaler\. Fit one of them and pass it\."):
        to_onnx(StandardScaler().fit(X2))


def test_an_sktime_pipeline_is_told_to_export_its_fitted_step():
    """sktime keeps a pipeline's fitted steps in ``steps_``: ``pipeline[-1]`` is another pipeline, and
    ``steps[-1]`` is unfitted; the message names the fitted one, which exports."""
    import pandas as pd
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.exponent import ExponentTransformer

    from sklearn_rnn import RNNForecaster

    y = pd.Series(10 + np.sin(np.arange(60) / 3), index=pd.period_range("2000-01", periods=60, freq="M"))
    forecaster = RNNForecaster(window_length=6, hidden_size=4, max_epochs=1, random_state=0)
    pipeline = TransformedTargetForecaster([("square", ExponentTransformer(2)), ("rnn", forecaster)])
    pipeline.fit(y, fh=[1])
    with pytest.raises(
        TypeError, match=r"Export its fitted last step, to_onnx\(pipeline.steps_\[-1\]\[1\]\); "
    ):
        to_onnx(pipeline)
    assert _session(to_onnx(pipeline.steps_[-1][1])).get_outputs()


needs_fcn = pytest.mark.skipif(not _HAS_ARCHITECTURE, reason="no convolutional architecture in this version")


@needs_fcn
@pytest.mark.parametrize(
    "params",
    [
        dict(architecture="lstm-fcn"),
        dict(architecture="mlstm-fcn", dimension_shuffle=False, cell="gru", bidirectional=True),
        dict(architecture="lstm-fcn", missing="mask"),
        dict(architecture="rnn", missing="mask", pooling="attention"),
        dict(architecture="mlstm-fcn", fcn_dilations=(1, 2, 5)),  # kernels reading past every sequence
        dict(architecture="lstm-fcn", head_hidden_size=6),
    ],
    ids=lambda p: "-".join(f"{v}" for v in p.values()),
)
def test_fcn_and_missing_values(params):
    X, y, _ = _train_data()
    mask = params.get("missing") == "mask"
    rng = np.random.default_rng(7)
    if mask:
        X[rng.random(X.shape) < 0.1] = np.nan
    clf = _tiny(RNNClassifier, fcn_filters=(4, 8, 4), **params).fit(X, y)
    session = _session(to_onnx(clf))
    for n, T in SHAPES:
        X_pad, lengths, _ = _ragged_batch(rng, n, T, 3)
        if mask:
            X_pad[rng.random(X_pad.shape) < 0.1] = np.nan
            X_pad[-1, 0, 0] = np.nan  # a gap in every batch, one-step batches included
            X_pad[np.arange(T)[None, :] >= lengths[:, None]] = 0.0
        X_list = [x[:t] for x, t in zip(X_pad, lengths, strict=True)]
        (proba,) = session.run(None, {"X": X_pad, "lengths": lengths})
        np.testing.assert_allclose(proba, clf.predict_proba(X_list), atol=TOL, rtol=0)


# window 12 = one season: the smoothing only starts; window 30 (seasonal and not): it also runs
@pytest.mark.parametrize("n_networks, W, sp", [(1, 12, None), (2, 12, None), (1, 30, None), (1, 30, 1)])
def test_forecaster_quantiles(n_networks, W, sp):
    pytest.importorskip("sklearn_rnn.forecasting")
    from sktime.datasets import load_airline

    from sklearn_rnn import RNNForecaster

    y = load_airline()
    fh = np.arange(1, 7)
    forecaster = RNNForecaster(
        window_length=W, hidden_size=6, max_epochs=2, n_networks=n_networks, sp=sp, random_state=0
    ).fit(y, fh=fh)
    session = _session(to_onnx(forecaster))
    assert [(i.name, i.shape) for i in session.get_inputs()] == [("y_window", ["batch", W, 1])]
    windows = np.stack([y.to_numpy()[-W:], y.to_numpy()[-W - 1 : -1], y.to_numpy()[:W]])[:, :, None]
    (quantiles,) = session.run(None, {"y_window": windows.astype(np.float32)})
    levels = forecaster.quantile_levels_
    assert quantiles.shape == (3, 6, 1, len(levels))
    median = int(np.flatnonzero(np.isclose(levels, 0.5))[0])
    point = forecaster.predict(fh).to_numpy().ravel()
    # relative: the network's float32 outputs (onnxruntime's kernels vs torch's) are scaled back
    # to hundreds of passengers, where an absolute 1e-5 is below float32's resolution
    np.testing.assert_allclose(quantiles[0, :, 0, median], point, rtol=1e-6)
    expected = forecaster.predict_quantiles(fh, alpha=list(levels)).to_numpy()
    np.testing.assert_allclose(quantiles[0, :, 0, :], expected, rtol=1e-6)
    # Quantiles are sorted; each window gets its own forecast, in the window's units.
    assert np.all(np.diff(quantiles, axis=-1) >= 0)
    assert quantiles[2, 0, 0, median] < 0.5 * quantiles[0, 0, 0, median]  # 1949 levels vs 1960 levels


def test_forecaster_refusals():
    pytest.importorskip("sktime")
    from sklearn.exceptions import NotFittedError
    from sktime.datasets import load_airline

    from sklearn_rnn import RNNForecaster

    with pytest.raises(NotFittedError):
        to_onnx(RNNForecaster(window_length=4))
    y = load_airline()
    X = y.to_frame("x").shift(1).bfill()
    fitted = RNNForecaster(window_length=4, hidden_size=4, max_epochs=1, random_state=0).fit(y, X=X, fh=[1])
    with pytest.raises(ValueError, match="without X only"):
        to_onnx(fitted)


def test_forecaster_too_short_to_calibrate_exports_its_widened_intervals_and_whole_series_smoothing():
    """The graph reads the series' last 20 values (the whole training series, which the smoothing
    fitted to it reads), its network the last 12; both the floors and that smoothing move the quantiles."""
    pytest.importorskip("sklearn_rnn.forecasting")
    from sktime.datasets import load_airline

    from sklearn_rnn import RNNForecaster

    y = load_airline().iloc[:20]  # 8 windows of 12: too few to hold any out
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        forecaster = RNNForecaster(window_length=12, sp=1, hidden_size=6, max_epochs=2, random_state=0)
        forecaster.fit(y, fh=[1, 2, 3])  # without seasons: 20 months are fewer than two seasons and 7
    assert forecaster.interval_floors_ is not None
    assert forecaster.series_smoothing_length_ == 20
    model = to_onnx(forecaster)
    assert [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim][1:] == [20, 1]
    (quantiles,) = _session(model).run(None, {"y_window": y.to_numpy()[None, :, None].astype(np.float32)})
    levels = list(forecaster.quantile_levels_)
    expected = forecaster.predict_quantiles(alpha=levels).to_numpy()
    np.testing.assert_allclose(quantiles[0, :, 0, :], expected, rtol=1e-6)
    whole = forecaster.series_smoothing_
    forecaster.series_smoothing_ = None  # the fitted smoothing's forecasts alone
    assert not np.allclose(forecaster.predict_quantiles(alpha=levels), expected)
    forecaster.series_smoothing_, forecaster.interval_floors_ = whole, None  # the network's own spread
    assert not np.allclose(forecaster.predict_quantiles(alpha=levels), expected)


def test_forecaster_weighing_its_network_against_its_baseline_exports_the_mix():
    pytest.importorskip("sklearn_rnn.forecasting")
    import pandas as pd

    from sklearn_rnn import RNNForecaster

    t = np.arange(90, dtype=float)
    y = pd.Series(10 + 0.5 * t + np.random.default_rng(0).normal(scale=0.05, size=90))
    forecaster = RNNForecaster(
        window_length=6, hidden_size=8, max_epochs=1, correction_weight=0.4, random_state=0
    )
    forecaster.fit(y, fh=[1, 2, 3])
    assert forecaster.net_.module_.correction_weight == (0.4,)
    (quantiles,) = _session(to_onnx(forecaster)).run(
        None, {"y_window": y.to_numpy()[-6:][None, :, None].astype(np.float32)}
    )
    expected = forecaster.predict_quantiles(alpha=list(forecaster.quantile_levels_)).to_numpy()
    np.testing.assert_allclose(quantiles[0, :, 0, :], expected, rtol=1e-6)


@pytest.mark.parametrize("target_transform", ["none", "log"])
@pytest.mark.parametrize("input_dtype", ["float32", "float64"])
def test_a_constant_series_exports_its_value_as_predict_gives_it(input_dtype, target_transform):
    """A series constant in fit is forecast as its value while its window has not moved; the graph
    reads the window in its input dtype (float32 holds 0.1 as 0.1 + 1.5e-9, which read exactly gave
    forecasts up to 0.023 from predict's; onnxruntime's float64 log of 7 is a rounding from torch's,
    which gave 7.13 to 7.73), and a window a float32 step from the constant has moved in both."""
    pytest.importorskip("sklearn_rnn.forecasting")
    import pandas as pd

    from sklearn_rnn import RNNForecaster

    dates = pd.date_range("2020-01-01", periods=66, freq="D")
    for value in (0.1, 7.0, 100.0) if target_transform == "log" else (0.1, 7.0, -3.3):
        y = pd.Series(np.full(60, value), index=dates[:60])
        forecaster = RNNForecaster(
            window_length=6,
            hidden_size=8,
            max_epochs=20,
            random_state=0,
            correction_weight=1.0,
            conformal=False,
            target_transform=target_transform,
        ).fit(y, fh=[1, 2, 3])
        expected = forecaster.predict_quantiles(alpha=list(forecaster.quantile_levels_)).to_numpy()
        np.testing.assert_allclose(expected, value, rtol=1e-12)
        window = y.to_numpy()[-6:][None, :, None].astype(input_dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # float32's rounding of the values, said
            session = _session(to_onnx(forecaster, input_dtype=input_dtype))
        (quantiles,) = session.run(None, {"y_window": window})
        np.testing.assert_allclose(quantiles[0, :, 0, :], expected, rtol=1e-12)
        step = np.nextafter(np.float32(value), np.float32(np.inf))  # one float32 step: moved
        moved = np.r_[np.full(5, value), float(step)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the constant has moved, said
            forecaster.update(pd.Series(moved, index=dates[60:]), update_params=False)
            expected = forecaster.predict_quantiles(alpha=list(forecaster.quantile_levels_)).to_numpy()
        assert not np.allclose(expected[:, 4], value, rtol=1e-9, atol=0)
        (quantiles,) = session.run(None, {"y_window": moved[None, :, None].astype(input_dtype)})
        np.testing.assert_allclose(quantiles[0, :, 0, :], expected, rtol=1e-5)


@pytest.mark.parametrize("opset", [11, 9, 99, 17.0, True])
def test_opsets_onnxruntime_cannot_run_are_refused(opset):
    X, y, _ = _train_data()
    clf = _tiny(RNNClassifier).fit(X, y)
    with pytest.raises(ValueError, match=r"opset_version must be an integer from 12 to \d+"):
        to_onnx(clf, opset_version=opset)


def test_a_large_level_keeps_its_changes_through_a_float64_graph():
    # a meter at 1e8 moving by about 1: float32 input rounds it in steps of 8
    X, _, signal = _train_data(n_features=2)
    X = 1e8 + X.astype(np.float64)
    reg = _tiny(RNNRegressor).fit(X, signal)
    with pytest.warns(UserWarning, match=r"Features \[0, 1\] lie at levels .* input_dtype='float64'"):
        to_onnx(reg)
    session = _session(to_onnx(reg, input_dtype="float64"))
    X_new = 1e8 + np.random.default_rng(5).normal(size=(6, 9, 2))
    (pred,) = session.run(None, {"X": X_new, "lengths": np.full(6, 9)})
    np.testing.assert_allclose(pred, reg.predict(X_new), atol=TOL * reg.y_scale_[0], rtol=0)
    assert np.std(pred) > 10 * TOL  # the moves reach the network
    with pytest.raises(ValueError, match="input_dtype must be 'float32' or 'float64'"):
        to_onnx(reg, input_dtype="float16")


def test_a_forecaster_at_a_large_level_warns_before_a_float32_graph_loses_its_changes():
    """A meter at 1e10 moving by hundreds: the float32 graph's median was off by about 420 a step (the
    series spans 518) and to_onnx said nothing, where the classifier's and regressor's warn."""
    pytest.importorskip("sklearn_rnn.forecasting")
    from sktime.datasets import load_airline

    from sklearn_rnn import RNNForecaster

    y = load_airline() + 1e10
    fh = np.arange(1, 4)
    forecaster = RNNForecaster(
        window_length=12, hidden_size=6, max_epochs=2, target_transform="none", random_state=0
    ).fit(y, fh=fh)
    with pytest.warns(
        UserWarning, match=r"Columns \['Number of airline passengers'\] lie at levels .* float64"
    ):
        to_onnx(forecaster)
    session = _session(to_onnx(forecaster, input_dtype="float64"))
    (quantiles,) = session.run(None, {"y_window": y.to_numpy()[-12:].reshape(1, 12, 1)})
    median = int(np.flatnonzero(np.isclose(forecaster.quantile_levels_, 0.5))[0])
    np.testing.assert_allclose(
        quantiles[0, :, 0, median] - 1e10, forecaster.predict(fh).to_numpy() - 1e10, atol=1e-2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        to_onnx(forecaster.fit(load_airline(), fh=fh))  # at its own level: nothing to say
