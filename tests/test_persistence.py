"""Persistence (pickle, joblib, the safe format) and determinism.

The safe format (``sklearn_rnn.save``/``load``) must give identical predictions,
refuse tampered files without running anything from them, warn on a version
mismatch and refuse parameters it cannot store as plain data.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import pathlib
import pickle
import random
import re
import struct
import warnings
import zipfile
import zoneinfo

import dateutil.tz
import joblib
import numpy as np
import pandas as pd
import pytest
import sklearn
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from skorch.callbacks import Callback

import sklearn_rnn
from sklearn_rnn import RNNClassifier, RNNRegressor, load, save
from sklearn_rnn._persistence import InconsistentVersionWarning, VersionedPickleMixin

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 7, 3))
Y_CLS = np.array(["cat", "dog", "emu", "dog"] * 10, dtype=object)
Y_REG = np.c_[X.sum(axis=(1, 2)), X[:, -1, 0]]
RAGGED = [X[i, : 3 + i % 5] for i in range(40)]
X_NEW = np.random.default_rng(1).normal(size=(9, 7, 3))
# the plain recurrent network whatever the defaults (the core may default to LSTM-FCN)
RNN_ONLY = {"architecture": "rnn", "dropout": 0.0} if "architecture" in RNNClassifier().get_params() else {}
TINY = dict(hidden_size=6, max_epochs=3, batch_size=16, n_networks=1, random_state=0, **RNN_ONLY)
_PARAMS = RNNClassifier().get_params()

# every estimator setting worth a round trip: cells, directions, pooling, layouts, targets
CASES = [
    pytest.param((RNNClassifier, dict(), X, Y_CLS), id="clf-lstm"),
    pytest.param(
        (RNNClassifier, dict(cell="gru", bidirectional=True, pooling="attention"), RAGGED, Y_CLS),
        id="clf-gru-ragged",
    ),
    pytest.param(
        (RNNClassifier, dict(cell="rnn", num_layers=2, class_weight={"cat": 2.0, "dog": 1.0}), X, Y_CLS),
        id="clf-rnn-cw",
    ),
    pytest.param((RNNClassifier, dict(), X[:, :, 0], np.arange(40) % 3), id="clf-2d-int-labels"),
    pytest.param((RNNClassifier, dict(n_networks=3), RAGGED, Y_CLS), id="clf-ensemble-ragged"),
    pytest.param((RNNRegressor, dict(n_networks=2, cell="gru"), X, Y_REG), id="reg-ensemble"),
    pytest.param(
        (RNNRegressor, dict(pooling="mean", early_stopping=True), X, Y_REG), id="reg-multioutput-es"
    ),
    pytest.param(
        (
            RNNRegressor,
            dict(cell="gru"),
            pd.DataFrame(X[:, :, 1], columns=[f"t{i}" for i in range(7)]),
            Y_REG[:, 0],
        ),
        id="reg-dataframe",
    ),
]
if "architecture" in _PARAMS:
    CASES.append(
        pytest.param(
            (RNNClassifier, dict(architecture="lstm-fcn", fcn_filters=(4, 8, 4)), X, Y_CLS), id="clf-lstm-fcn"
        )
    )
    CASES.append(
        pytest.param(
            (RNNClassifier, dict(fcn_filters=(4, 8, 4), fcn_dilations=(1, 3)), RAGGED, Y_CLS),
            id="clf-dilated-ragged",
        )
    )
    CASES.append(
        pytest.param(
            (RNNRegressor, dict(fcn_filters=(4, 8, 4), head_hidden_size=5), RAGGED, Y_REG),
            id="reg-hidden-head-ragged",
        )
    )
if "missing" in _PARAMS:
    X_MISSING = X.copy()
    X_MISSING[::3, 2, 1] = np.nan
    CASES.append(pytest.param((RNNRegressor, dict(missing="mask"), X_MISSING, Y_REG), id="reg-missing-mask"))


def _outputs(estimator, X):
    if hasattr(estimator, "predict_proba"):
        return estimator.predict_proba(X)
    return estimator.predict(X)


def _test_input(X):
    if isinstance(X, pd.DataFrame):
        return X.iloc[:9]
    if isinstance(X, list):
        return X[:9]
    return X[:9]


@pytest.fixture(scope="module", params=CASES)
def fitted(request):
    cls, params, X_fit, y = request.param
    return cls(**{**TINY, **params}).fit(X_fit, y), _test_input(X_fit)


# -- round trips ---------------------------------------------------------------------------
def test_pickle_round_trip(fitted):
    estimator, X_test = fitted
    restored = pickle.loads(pickle.dumps(estimator))
    np.testing.assert_array_equal(_outputs(restored, X_test), _outputs(estimator, X_test))
    np.testing.assert_array_equal(restored.predict(X_test), estimator.predict(X_test))


def test_joblib_round_trip(fitted, tmp_path):
    estimator, X_test = fitted
    joblib.dump(estimator, tmp_path / "model.joblib")
    restored = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(_outputs(restored, X_test), _outputs(estimator, X_test))


def test_safe_round_trip(fitted, tmp_path):
    estimator, X_test = fitted
    save(estimator, tmp_path / "model.skrnn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same version: no warning
        restored = load(str(tmp_path / "model.skrnn"))
    assert type(restored) is type(estimator)
    assert restored.get_params() == estimator.get_params()
    np.testing.assert_array_equal(_outputs(restored, X_test), _outputs(estimator, X_test))
    np.testing.assert_array_equal(restored.predict(X_test), estimator.predict(X_test))
    assert restored.loss_curve_ == estimator.loss_curve_
    # the same types too: numpy floats after fit and Python floats after load differed in repr
    types = [type(v) for v in estimator.loss_curve_]
    assert types == [type(v) for v in restored.loss_curve_] == [float] * len(types)
    for name in ("classes_", "feature_names_in_", "y_mean_", "y_scale_"):
        if hasattr(estimator, name):
            np.testing.assert_array_equal(getattr(restored, name), getattr(estimator, name))
            assert getattr(restored, name).dtype == getattr(estimator, name).dtype
    assert restored.n_features_in_ == estimator.n_features_in_
    assert restored.net_.device == "cpu"


def test_file_holds_no_pickle(tmp_path):
    reg = RNNRegressor(**TINY).fit(X, Y_REG)
    save(reg, tmp_path / "m.skrnn")
    with zipfile.ZipFile(tmp_path / "m.skrnn") as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        for name in names:
            assert b"\x80\x04\x95" not in archive.read(name)  # no pickle protocol-4 frame anywhere
    assert {"manifest.json", "module.safetensors", "optimizer.safetensors"} <= names
    assert manifest["sklearn_rnn_version"] == sklearn_rnn.__version__
    assert manifest["estimator"] == "RNNRegressor"


# -- what the safe format refuses at save time -------------------------------------------------
@pytest.mark.parametrize(
    "params, match",
    [
        (
            dict(optimizer=torch.optim.Adam),
            r"Parameter optimizer=<class 'torch.optim.adam.Adam'> of RNNRegressor",
        ),
        (dict(callbacks=[Callback()]), r"Parameter callbacks=\[.*\] of RNNRegressor cannot be stored"),
        (dict(random_state=np.random.RandomState(0)), r"Parameter random_state=RandomState"),
        (
            dict(net_kwargs={"optimizer__betas": np.array([0.9, 0.99])}),
            r"Parameter net_kwargs=.* an int random_state\)",
        ),
    ],
    ids=["optimizer-class", "callbacks", "RandomState", "net_kwargs-class"],
)
def test_save_refuses_parameters_that_are_not_plain(params, match, tmp_path):
    reg = RNNRegressor(**{**TINY, **params}).fit(X, Y_REG)
    with pytest.raises(TypeError, match=match):
        save(reg, tmp_path / "m.skrnn")
    pickle.loads(pickle.dumps(reg))  # pickle still stores them


def test_save_refuses_unfitted_and_foreign_estimators(tmp_path):
    with pytest.raises(NotFittedError):
        save(RNNClassifier(), tmp_path / "m.skrnn")
    with pytest.raises(NotFittedError):
        save(_forecaster(), tmp_path / "m.skrnn")
    with pytest.raises(
        TypeError,
        match=r"sklearn_rnn.save stores \['RNNAnomalyDetector', 'RNNClassifier', 'RNNForecaster', "
        r"'RNNOutlierDetector', 'RNNRegressor'\], got",
    ):
        save(LinearRegression().fit(X[:, :, 0], Y_REG), tmp_path / "m.skrnn")


def test_save_names_what_to_pass_when_given_something_else(tmp_path):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    clf = RNNClassifier(**TINY).fit(X, Y_CLS)
    for wrong in (None, 42, io.StringIO()):  # were AttributeError 'write' and "string argument expected"
        with pytest.raises(TypeError, match=r"save writes to a path .* or a binary file object, got"):
            save(clf, wrong)
    with open(tmp_path / "text.skrnn", "w") as text, pytest.raises(TypeError, match=r'open\(path, "wb"\)'):
        save(clf, text)
    with pytest.raises(TypeError, match=r"arguments are swapped: call save\(estimator, path\)"):
        save(tmp_path / "m.skrnn", clf)
    search = GridSearchCV(RNNClassifier(**TINY), {"hidden_size": [4]}, cv=2).fit(X, Y_CLS)
    with pytest.raises(TypeError, match=r"save\(search.best_estimator_, path\)"):
        save(search, tmp_path / "m.skrnn")
    save(search.best_estimator_, tmp_path / "m.skrnn")
    pipeline = make_pipeline(RNNClassifier(**TINY)).fit(X[:, :, 0], Y_CLS)
    with pytest.raises(TypeError, match=r"save its last step \(save\(pipeline\[-1\], path\)\)"):
        save(pipeline, tmp_path / "m.skrnn")
    assert not (tmp_path / "text.skrnn").read_bytes()


def test_save_names_what_to_pass_for_sktimes_tuners_and_pipelines(tmp_path):
    """ForecastingGridSearchCV got no fix (it keeps best_forecaster_), and a TransformedTargetForecaster
    was told save(pipeline[-1], path), which in sktime is an unfitted pipeline that save refuses too."""
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter
    from sktime.transformations.series.difference import Differencer

    y = pd.Series(10 + np.sin(np.arange(60) / 3) + np.arange(60) / 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        splitter = ExpandingWindowSplitter(initial_window=48, step_length=6, fh=[1])
        tuner = ForecastingGridSearchCV(_forecaster(), splitter, {"cell": ["gru", "lstm"]}).fit(y, fh=[1])
        pipe = TransformedTargetForecaster([("diff", Differencer()), ("rnn", _forecaster())]).fit(y, fh=[1])
    for container, fix in ((tuner, "search.best_forecaster_"), (pipe, "pipeline.steps_[-1][1]")):
        with pytest.raises(TypeError, match=re.escape(f"save({fix}, path)")):
            save(container, tmp_path / "m.skrnn")
        given = eval(fix, {"search": tuner, "pipeline": pipe})
        save(given, tmp_path / "m.skrnn")  # the fix the message gives works


def test_save_refuses_a_parameter_set_after_fit_that_load_would_refuse(tmp_path):
    # set_params checks nothing until the next fit: the file was written, and load refused it
    reg = RNNRegressor(**TINY).fit(X, Y_REG).set_params(hidden_size=0)
    with pytest.raises(
        ValueError, match=r"RNNRegressor holds a parameter that load would refuse: .*hidden_size"
    ):
        save(reg, tmp_path / "m.skrnn")
    assert not (tmp_path / "m.skrnn").exists()
    save(reg.set_params(hidden_size=TINY["hidden_size"]), tmp_path / "m.skrnn")
    load(tmp_path / "m.skrnn")


def test_save_into_a_buffer_that_held_a_longer_file_loads(model_bytes, tmp_path):
    # the bytes of the earlier, longer content stayed after the archive: load found no zip there
    small = RNNRegressor(**TINY).fit(X, Y_REG)
    buffer = io.BytesIO(model_bytes + b"x" * 2**20)
    save(small, buffer)
    np.testing.assert_array_equal(load(io.BytesIO(buffer.getvalue())).predict(X), small.predict(X))
    path = tmp_path / "reused.skrnn"
    path.write_bytes(model_bytes + b"x" * 2**20)
    with open(path, "r+b") as file:
        save(small, file)
    np.testing.assert_array_equal(load(path).predict(X), small.predict(X))


@pytest.mark.parametrize("keep", [30, 0.5, -100], ids=["start", "half", "end"])
def test_a_file_cut_short_is_named_so(model_bytes, keep, tmp_path):
    # it was called "not a sklearn_rnn model file", with advice to open it with pickle
    kept = model_bytes[: int(keep * len(model_bytes)) if isinstance(keep, float) else keep]
    path = tmp_path / "cut.skrnn"
    path.write_bytes(kept)
    cut = (
        r"^Refusing to load .*: it begins as a zip archive, .* but its end is missing .*Copy or save it again"
    )
    for source in (path, io.BytesIO(kept)):
        with pytest.raises(ValueError, match=cut):
            load(source)
    path.write_bytes(pickle.dumps([1, 2]))
    with pytest.raises(ValueError, match=r"is not a sklearn_rnn model file .*pickle/joblib"):
        load(path)


# -- tampered files ------------------------------------------------------------------------------
class _Payload:
    """Pickling this writes a marker file when unpickled: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


@pytest.fixture(scope="module")
def model_bytes():
    clf = RNNClassifier(**TINY).fit(X, Y_CLS)
    buffer = io.BytesIO()
    save(clf, buffer)
    return buffer.getvalue()


def _damaged(data: bytes, where: str) -> bytes:
    """``data`` with one field of its zip structure forged, as a fuzzer's byte changes found them."""
    data = bytearray(data)
    if where == "version":  # the central directory's "version needed" of the first member
        data[data.find(b"PK\x01\x02") + 6] = 0xFF
    elif where == "offset":  # the end record's offset of the central directory, far past the file
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<I", data, end + 16, struct.unpack_from("<I", data, end + 16)[0] + 2**24)
    else:  # a local header flagged UTF-8 whose file name is not
        header = data.find(b"PK\x03\x04")
        struct.pack_into("<H", data, header + 6, struct.unpack_from("<H", data, header + 6)[0] | 0x800)
        data[header + 30] = 0xFF
    return bytes(data)


@pytest.mark.parametrize("where", ["version", "offset", "name"])
def test_a_file_damaged_in_its_zip_structure_is_refused_as_damaged(model_bytes, where, tmp_path):
    """NotImplementedError, a bare ValueError ("negative seek value") or UnicodeDecodeError escaped."""
    damaged = _damaged(model_bytes, where)
    path = tmp_path / "damaged.skrnn"
    path.write_bytes(damaged)
    refused = r"^Refusing to load .*Nothing from the file was run\.$"
    for source in (path, io.BytesIO(damaged)):
        with pytest.raises(ValueError, match=refused) as error:
            load(source)
        assert type(error.value) is not UnicodeDecodeError


def test_a_stream_of_two_models_is_refused_at_the_first_and_read_at_the_second(tmp_path):
    """save writes a file object from its position on, so two models fit in one stream; a zip archive is
    read from its end, and load at the first model's position returned the second, in silence."""
    clf = RNNClassifier(**TINY).fit(X, Y_CLS)
    reg = RNNRegressor(**TINY).fit(X, Y_REG)
    stream = io.BytesIO(b"a header of the user's own")
    stream.seek(0, io.SEEK_END)
    starts = []
    for model in (clf, reg):
        starts.append(stream.tell())
        save(model, stream)
    stream.seek(starts[0])
    with pytest.raises(
        ValueError,
        match=rf"more than one archive from its position \({starts[0]}\) on.*starts at {starts[1]}",
    ):
        load(stream)
    stream.seek(starts[1])
    np.testing.assert_array_equal(load(stream).predict(X), reg.predict(X))
    path = tmp_path / "two.skrnn"
    path.write_bytes(stream.getvalue()[starts[0] :])
    with pytest.raises(ValueError, match=r"more than one archive from its start on"):
        load(path)  # by path too
    one = io.BytesIO(b"a header of the user's own")
    one.seek(0, io.SEEK_END)
    save(clf, one)
    one.seek(len(b"a header of the user's own"))  # one model after other bytes: read as before
    np.testing.assert_array_equal(load(one).predict_proba(X), clf.predict_proba(X))


def _rewrite(data: bytes, replace: dict[str, bytes | None] | None = None, manifest=None) -> bytes:
    """Copy the zip ``data``, replacing/removing/adding members or editing the manifest."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "manifest.json" and manifest is not None:
                content = json.dumps(manifest(json.loads(content))).encode()
            if name in replace:
                content = replace.pop(name)
                if content is None:
                    continue
            dst.writestr(name, content)
        for name, content in replace.items():
            dst.writestr(name, content)
    return out.getvalue()


def _set(path, value):
    def edit(manifest):
        target = manifest
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return manifest

    return edit


def _npy_object_array(marker):
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Payload(marker)], dtype=object), allow_pickle=True)
    return buffer.getvalue()


TAMPERED = {
    "planted pickle member": (
        lambda d, m: _rewrite(d, {"payload.pkl": pickle.dumps(_Payload(m))}),
        r"unexpected members \['payload.pkl'\]",
    ),
    "weights replaced by a pickle": (
        lambda d, m: _rewrite(d, {"module.safetensors": pickle.dumps(_Payload(m))}),
        r"its tensors are not a valid safetensors file",
    ),
    "weights saved with torch.save": (
        lambda d, m: _rewrite(d, {"module.safetensors": _torch_save({"w": _Payload(m)})}),
        r"its tensors are not a valid safetensors file",
    ),
    "object array planted as .npy": (
        lambda d, m: _rewrite(d, {"arrays/0.npy": _npy_object_array(m)}),
        r"arrays/0.npy is not a plain numeric .npy array",
    ),
    "whole file is a pickle": (lambda d, m: pickle.dumps(_Payload(m)), r"is not a sklearn_rnn model file"),
    "unknown estimator class": (
        lambda d, m: _rewrite(d, manifest=_set(["estimator"], "os.system")),
        r"the estimator 'os.system' is not one this format stores",
    ),
    "changed layer size": (
        lambda d, m: _rewrite(d, manifest=_set(["attributes", "_module_kwargs", "__dict__", 3, 1], 7)),
        r"weight 'rnn.weight_ih_l0' has shape \(24, \d+\) .* needs \(28, \d+\)",
    ),
    "weights of another shape": (
        lambda d, m: _rewrite(d, {"module.safetensors": _swap_weight(d)}),
        # the head reads 6 hidden units and each sequence's mean and deviation of 3 features
        r"weight 'head.weight' has shape \(3, 11\) .* needs \(3, 12\)",
    ),
    "invalid parameter value": (
        lambda d, m: _rewrite(d, manifest=_set(["params", "hidden_size"], -1)),
        r"a stored parameter is invalid: The 'hidden_size' parameter",
    ),
    "unknown parameter": (
        lambda d, m: _rewrite(d, manifest=_set(["params", "evil"], 1)),
        r"its parameters \['evil'\] are not parameters of RNNClassifier",
    ),
    "dunder attribute": (
        lambda d, m: _rewrite(d, manifest=_set(["attributes", "__class__"], "x")),
        r"'__class__' is not a fitted attribute name",
    ),
    "attribute shadowing a method": (
        lambda d, m: _rewrite(d, manifest=_set(["attributes", "_forward"], 1)),
        r"'_forward' is not a fitted attribute name",
    ),
    "unknown value tag": (
        lambda d, m: _rewrite(d, manifest=_set(["params", "cell"], {"__reduce__": ["os.system", "id"]})),
        r"parameter cell holds .* which is not a stored value",
    ),
    "missing weights": (
        lambda d, m: _rewrite(d, {"module.safetensors": None}),
        r"lacks \['module.safetensors'\]",
    ),
    "future format version": (
        lambda d, m: _rewrite(d, manifest=_set(["format_version"], 99)),
        r"format version 99 is not one this sklearn_rnn reads",
    ),
    "NaN weights": (
        lambda d, m: _rewrite(d, {"module.safetensors": _swap_weight(d, nan=True)}),
        r"its weights hold NaN or inf",
    ),
    # a warm_start fit would take NaN steps from it (Adam's second moment below 0: sqrt of it)
    "NaN optimizer state": (
        lambda d, m: _rewrite(d, {"optimizer.safetensors": _edit_optimizer(d, float("nan"))}),
        r"its optimizer state '\d+\.exp_avg_sq' holds NaN, inf or values below 0",
    ),
    "negative second moment": (
        lambda d, m: _rewrite(d, {"optimizer.safetensors": _edit_optimizer(d, -1.0)}),
        r"its optimizer state '\d+\.exp_avg_sq' holds NaN, inf or values below 0",
    ),
    "negative step count": (
        lambda d, m: _rewrite(d, {"optimizer.safetensors": _edit_optimizer(d, -3.0, ".step")}),
        r"its optimizer state '\d+\.step' holds NaN, inf or values below 0",
    ),
}


def _torch_save(obj):
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _edit_optimizer(data, value, state=".exp_avg_sq"):
    """The optimizer's tensors with one entry of the first ``state`` set to ``value``."""
    from safetensors.torch import load as load_tensors
    from safetensors.torch import save as save_tensors

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tensors = load_tensors(archive.read("optimizer.safetensors"))
    key = next(k for k in tensors if k.endswith(state))
    tensors[key].view(-1)[0] = value
    return save_tensors(tensors)


def _swap_weight(data, nan=False):
    from safetensors.torch import load as load_tensors
    from safetensors.torch import save as save_tensors

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        tensors = load_tensors(archive.read("module.safetensors"))
    if nan:
        tensors["head.bias"] = torch.full_like(tensors["head.bias"], float("nan"))
    else:
        tensors["head.weight"] = tensors["head.weight"][:, :-1].contiguous()
    return save_tensors(tensors)


@pytest.mark.parametrize("name", list(TAMPERED))
def test_tampered_file_is_refused_and_runs_nothing(model_bytes, name, tmp_path):
    tamper, match = TAMPERED[name]
    marker = tmp_path / "payload_ran"
    path = tmp_path / "tampered.skrnn"
    path.write_bytes(tamper(model_bytes, marker))
    with pytest.raises(ValueError, match=match):
        load(path)
    assert not marker.exists()


def _attribute_cases():
    """Each estimator fitted small, beside every use a loaded model gets."""
    from sklearn_rnn import RNNForecaster, RNNOutlierDetector
    from sklearn_rnn.detection import RNNAnomalyDetector

    series = pd.Series(np.sin(np.arange(80) / 3), index=pd.period_range("2000-01", periods=80, freq="M"))
    later = pd.Series([0.1, 0.2], index=pd.period_range("2006-09", periods=2, freq="M"))
    frame = pd.DataFrame({"a": series.to_numpy()})
    fresh = pd.DataFrame({"a": series.to_numpy()[:30]}, index=range(80, 110))
    tiny = dict(max_epochs=2, random_state=0)
    return {
        "classifier": (
            RNNClassifier(**TINY).fit(X, Y_CLS),
            lambda e: (e.predict_proba(X), e.predict(RAGGED), e.score(X, Y_CLS), e.fit(X, Y_CLS)),
        ),
        "regressor": (
            RNNRegressor(**TINY).fit(X, Y_REG),
            lambda e: (e.predict(X), e.predict(RAGGED), e.score(X, Y_REG), e.fit(X, Y_REG)),
        ),
        "outlier detector": (
            RNNOutlierDetector(**tiny).fit(X),
            lambda e: (e.predict(X), e.score_samples(RAGGED), e.decision_function(X)),
        ),
        "forecaster": (
            RNNForecaster(**tiny).fit(series, fh=[1, 2]),
            lambda e: (
                e.predict(),
                e.predict_interval(coverage=0.9),
                e.predict_quantiles(alpha=[0.1]),
                e.update(later).predict(),
            ),
        ),
        "anomaly detector": (
            RNNAnomalyDetector(**tiny).fit(frame),
            lambda e: (e.predict_scores(frame), e.predict(frame), e.transform(frame), e.update(fresh)),
        ),
    }


@pytest.mark.parametrize(
    "name", ["classifier", "regressor", "outlier detector", "forecaster", "anomaly detector"]
)
def test_a_file_without_a_fitted_attribute_is_refused_or_works(name):
    """Each stored attribute taken out in turn: load refuses the file, or every use of the model runs.

    Loaded, such a file failed later with an AttributeError or a TypeError (e.g. the regressor
    without ``y_mean_``, the forecaster without ``_X_hist``, the detector without ``threshold_``).
    """
    estimator, use = _attribute_cases()[name]
    buffer = io.BytesIO()
    save(estimator, buffer)
    data = buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        keys = list(json.loads(archive.read("manifest.json"))["attributes"])
    refused = {}  # attribute taken out -> load's message
    for key in keys:

        def without(manifest, key=key):
            del manifest["attributes"][key]
            return manifest

        try:
            restored = load(io.BytesIO(_rewrite(data, manifest=without)))
        except ValueError as exc:
            assert str(exc).startswith("Refusing to load"), (key, exc)
            refused[key] = str(exc)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            use(restored)  # no AttributeError or TypeError from what the file lacked
    for key in type(estimator)._required_fitted:  # refused, naming what the file lacks
        assert f"lack ['{key}'], which every fitted" in refused.get(key, "loaded"), (key, refused.get(key))


def test_payload_would_run_under_pickle(tmp_path):
    """Control for the test above: the planted payload does run when unpickled."""
    marker = tmp_path / "payload_ran"
    pickle.loads(pickle.dumps(_Payload(marker)))
    assert marker.exists()


def test_version_mismatch_warns(model_bytes, tmp_path):
    path = tmp_path / "old.skrnn"
    path.write_bytes(_rewrite(model_bytes, manifest=_set(["sklearn_rnn_version"], "0.0.1")))
    with pytest.warns(InconsistentVersionWarning, match=r"saved with sklearn_rnn '0.0.1' and is loaded with"):
        restored = load(path)
    reference = load(io.BytesIO(model_bytes))
    np.testing.assert_array_equal(restored.predict_proba(X_NEW), reference.predict_proba(X_NEW))


def test_a_file_from_a_newer_sklearn_rnn_says_to_upgrade(model_bytes, tmp_path):
    """A parameter a later version added was refused as "not parameters of RNNClassifier", beside a
    warning to "re-fit and save it again with this version", backwards for a newer file."""
    path = tmp_path / "newer.skrnn"

    def newer(manifest):
        manifest = _set(["sklearn_rnn_version"], "99.1.0")(manifest)
        manifest["params"]["new_option"] = 1
        return manifest

    path.write_bytes(_rewrite(model_bytes, manifest=newer))
    with pytest.warns(
        InconsistentVersionWarning, match=r"'99.1.0', newer than this one .* Upgrade sklearn_rnn"
    ) as w:
        with pytest.raises(
            ValueError,
            match=r"\[.new_option.\] are not parameters .* by sklearn_rnn 99.1.0, newer.*upgrade sklearn_rnn",
        ):
            load(path)
    assert w[0].filename == __file__  # the user's line
    path.write_bytes(_rewrite(model_bytes, manifest=_set(["sklearn_rnn_version"], "99.1.0")))
    with pytest.warns(InconsistentVersionWarning, match="newer than this one"):
        load(path)  # nothing it does not know: loaded, with the warning


def test_torch_version_mismatch_warns(model_bytes, tmp_path):
    """Releases are compared by major.minor: patch releases and builds (+cpu, +cu121) compute alike."""
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    path = tmp_path / "other_torch.skrnn"
    for stored in (f"{major}.{minor + 1}.0", None):
        path.write_bytes(_rewrite(model_bytes, manifest=_set(["torch_version"], stored)))
        with pytest.warns(
            InconsistentVersionWarning, match=rf"saved with torch {stored!r} and is loaded with torch"
        ):
            load(path)
    path.write_bytes(_rewrite(model_bytes, manifest=_set(["torch_version"], f"{major}.{minor}.99+cu999")))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(path)


# -- version stamps in pickles ------------------------------------------------------------------
class _StampedEstimator(VersionedPickleMixin, BaseEstimator):
    """Like the estimators: the mixin left of scikit-learn's BaseEstimator."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha


class _StampedObject(VersionedPickleMixin):
    """Like the forecaster: no ``__setstate__`` above the mixin (sktime's BaseForecaster has none)."""


@pytest.mark.parametrize("cls", [_StampedEstimator, _StampedObject])
def test_pickles_carry_the_library_version(cls, monkeypatch):
    obj = cls()
    obj.coef_ = np.arange(3.0)
    assert obj.__getstate__()["_sklearn_rnn_version"] == sklearn_rnn.__version__
    assert "_sklearn_rnn_version" not in vars(obj)  # stamping leaves the instance alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same version: no warning
        restored = pickle.loads(pickle.dumps(obj))
    assert set(vars(restored)) == set(vars(obj))
    np.testing.assert_array_equal(restored.coef_, obj.coef_)

    with monkeypatch.context() as patch:  # pickled by another version
        patch.setattr(sklearn_rnn, "__version__", "0.0.1")
        data = pickle.dumps(obj)
    current = sklearn_rnn.__version__
    match = rf"This {cls.__name__} was pickled with sklearn_rnn '0.0.1' and is unpickled with '{current}'"
    with pytest.warns(InconsistentVersionWarning, match=match):
        restored = pickle.loads(data)
    assert set(vars(restored)) == set(vars(obj))

    state = obj.__getstate__()
    del state["_sklearn_rnn_version"]  # pickled before the stamp existed
    with pytest.warns(InconsistentVersionWarning, match=r"pickled with an unknown version of sklearn_rnn"):
        cls.__new__(cls).__setstate__(state)


def test_estimator_pickles_carry_the_library_version(monkeypatch):
    assert issubclass(RNNClassifier, VersionedPickleMixin)
    for estimator in (RNNRegressor(**TINY).fit(X, Y_REG), _fitted_forecaster()):
        with monkeypatch.context() as patch:
            patch.setattr(sklearn_rnn, "__version__", "0.0.1")
            data = pickle.dumps(estimator)
        with pytest.warns(InconsistentVersionWarning, match=r"pickled with sklearn_rnn '0.0.1'"):
            restored = pickle.loads(data)
        assert not hasattr(restored, "_sklearn_rnn_version")


# -- devices ---------------------------------------------------------------------------------
def test_model_marked_cuda_loads_on_cpu(tmp_path):
    """What a CUDA-trained model stores (device='cuda') loads and predicts on a CPU-only machine."""
    clf = RNNClassifier(**TINY).fit(X, Y_CLS)
    expected = clf.predict_proba(X_NEW)
    clf.device = "cuda"
    save(clf, tmp_path / "m.skrnn")
    restored = load(tmp_path / "m.skrnn")
    assert restored.device == "cuda" and restored.net_.device == "cpu"
    np.testing.assert_array_equal(restored.predict_proba(X_NEW), expected)


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a CUDA pickle opened without CUDA")
def test_cuda_pickle_loads_on_cpu_with_a_warning():
    reg = RNNRegressor(**TINY).fit(X, Y_REG)
    expected = reg.predict(X_NEW)
    reg.net_.device = "cuda"
    with pytest.warns(UserWarning, match=r"no CUDA devices are available"):
        restored = pickle.loads(pickle.dumps(reg))
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.predict(X_NEW), expected)


def _cuda_pickle_cases():
    regressor = RNNRegressor(**TINY).fit(X, Y_REG)
    classifier = RNNClassifier(**{**TINY, "early_stopping": True}).fit(X, Y_CLS)  # holds best weights
    return [
        (regressor, lambda est: est.predict(X_NEW)),
        (classifier, lambda est: est.predict_proba(X_NEW)),
        (_fitted_forecaster(), lambda est: est.predict().to_numpy()),
    ]


@pytest.mark.skipif(torch.cuda.is_available(), reason="simulates a CUDA pickle opened without CUDA")
def test_pickle_holding_cuda_tensors_loads_on_cpu(monkeypatch):
    """Pickles whose tensors are tagged cuda:0, as torch writes them on a GPU, open on a CPU."""
    for estimator, outputs in _cuda_pickle_cases():
        expected = outputs(estimator)
        estimator.net_.device = "cuda"
        with monkeypatch.context() as patch:
            patch.setattr(torch.serialization, "location_tag", lambda storage: "cuda:0")
            data = pickle.dumps(estimator)
            plain = pickle.dumps(estimator.net_.module_)
        with pytest.raises(RuntimeError, match="CUDA"):  # control: as plain pickles, they need a GPU
            pickle.loads(plain)
        with pytest.warns(UserWarning, match=r"no CUDA devices are available"):
            restored = pickle.loads(data)
        assert str(restored.net_.device) == "cpu"
        np.testing.assert_array_equal(outputs(restored), expected)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("cls, y", [(RNNClassifier, Y_CLS), (RNNRegressor, Y_REG)])
def test_cuda_trained_model_loads_on_cpu(cls, y, tmp_path):
    estimator = cls(**TINY, device="cuda").fit(X, y)
    assert next(estimator.net_.module_.parameters()).is_cuda
    save(estimator, tmp_path / "m.skrnn")
    restored = load(tmp_path / "m.skrnn")
    assert not next(restored.net_.module_.parameters()).is_cuda
    np.testing.assert_allclose(_outputs(restored, X_NEW), _outputs(estimator, X_NEW), rtol=1e-4, atol=1e-5)


# -- determinism -------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, X_fit, y", [(RNNClassifier, RAGGED, Y_CLS), (RNNRegressor, X, Y_REG)])
def test_same_random_state_gives_bit_identical_models(cls, X_fit, y):
    params = {**TINY, "dropout": 0.3, "num_layers": 2, "early_stopping": True}
    first = cls(**params).fit(X_fit, y)
    second = cls(**params).fit(X_fit, y)
    np.testing.assert_array_equal(_outputs(first, X_fit), _outputs(second, X_fit))
    assert first.loss_curve_ == second.loss_curve_
    buffer = io.BytesIO()
    save(first, buffer)
    np.testing.assert_array_equal(
        _outputs(load(io.BytesIO(buffer.getvalue())), X_fit), _outputs(first, X_fit)
    )
    other = cls(**{**params, "random_state": 1}).fit(X_fit, y)
    assert not np.array_equal(_outputs(other, X_fit), _outputs(first, X_fit))


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_and_predict_leave_global_random_states_alone(random_state):
    torch.manual_seed(123)
    np.random.seed(123)  # noqa: NPY002 (the user's global state, on purpose)
    random.seed(123)
    numpy_state = np.random.get_state()  # noqa: NPY002
    torch_state, python_state = torch.get_rng_state(), random.getstate()
    reg = RNNRegressor(**{**TINY, "random_state": random_state, "dropout": 0.2, "early_stopping": True})
    reg.fit(X, Y_REG).predict(X)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == python_state
    if random_state is not None:  # None draws its seed from numpy's global generator, as scikit-learn does
        after = np.random.get_state()  # noqa: NPY002
        assert (
            after[0] == numpy_state[0]
            and np.array_equal(after[1], numpy_state[1])
            and after[2:] == numpy_state[2:]
        )


# -- the forecaster -------------------------------------------------------------------------------
def _fitted_forecaster(random_state=0):
    index = pd.period_range("2000-01", periods=40, freq="M")
    y = pd.DataFrame({"a": np.sin(np.arange(40) / 3) + 5, "b": np.cos(np.arange(40) / 4)}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _forecaster(random_state=random_state).fit(y, fh=[1, 2, 3])


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_forecaster_pickle_and_joblib_round_trips(dump, tmp_path):
    forecaster = _fitted_forecaster()
    if dump == "pickle":
        restored = pickle.loads(pickle.dumps(forecaster))
    else:
        joblib.dump(forecaster, tmp_path / "f.joblib")
        restored = joblib.load(tmp_path / "f.joblib")
    pd.testing.assert_frame_equal(restored.predict(), forecaster.predict(), check_exact=True)
    pd.testing.assert_frame_equal(
        restored.predict_quantiles(alpha=[0.1, 0.9]),
        forecaster.predict_quantiles(alpha=[0.1, 0.9]),
        check_exact=True,
    )


def _forecaster(**params):
    from sklearn_rnn import RNNForecaster

    return RNNForecaster(
        **{"window_length": 6, "hidden_size": 4, "max_epochs": 2, "random_state": 0, **params}
    )


def _series_cases():
    """(name, y, X, fh, params): the data layouts a forecaster is fitted on."""
    t = np.arange(48)
    monthly = pd.period_range("2000-01", periods=48, freq="M")
    daily = pd.date_range("2021-03-01", periods=48, freq="D", tz="Europe/Paris", name="when")
    panel = pd.MultiIndex.from_product([["north", "south"], range(24)], names=["site", "step"])
    hier = pd.MultiIndex.from_product(
        [["eu", "us"], [1, 2], pd.period_range("2010Q1", periods=12, freq="Q")], names=["r", "k", "t"]
    )
    return [
        (
            "series, period index",
            pd.Series(np.sin(t / 3) + 5, index=monthly, name="sales"),
            None,
            [1, 2, 3],
            {},
        ),
        (  # a column of a frame with two-level columns: save wrote it, load refused its name
            "series named by a tuple",
            pd.Series(np.sin(t / 3) + 5, index=monthly, name=("store", 1)),
            None,
            [1, 2],
            {},
        ),
        (
            "frame, datetime index with tz, exogenous X",
            pd.DataFrame({"load": np.sin(t / 4) + 2, "temp": np.cos(t / 5)}, index=daily),
            pd.DataFrame({"holiday": (t % 7 == 0).astype(float)}, index=daily),
            [1, 2],
            {},
        ),
        ("numpy array", np.cos(t / 6) * 3, None, [1, 4], {"target_transform": "none"}),
        ("numpy3D panel", np.stack([np.sin(t[None] / 3) + k for k in (3, 4)]), None, [1, 2], {}),
        (
            "panel",
            pd.DataFrame({"v": np.r_[np.sin(t[:24] / 2), np.cos(t[:24] / 2)] + 3}, index=panel),
            None,
            [1],
            {"n_networks": 2},
        ),
        (
            "hierarchical",
            pd.DataFrame({"v": np.tile(t[:12] % 4 + 1.0, 4)}, index=hier),
            None,
            [1, 2],
            {"sp": 4},
        ),
        (
            "absolute fh",
            pd.Series(np.arange(48.0) + 1, index=monthly),
            None,
            pd.PeriodIndex(["2004-02", "2004-03"], freq="M"),
            {},
        ),
    ]


def _assert_same_forecasts(restored, forecaster, X=None):
    assert type(restored.predict(X=X)) is type(forecaster.predict(X=X))
    assert restored.cutoff.equals(forecaster.cutoff)
    assert restored.fh.to_pandas().equals(forecaster.fh.to_pandas())
    assert restored.fh.is_relative == forecaster.fh.is_relative
    for method, kwargs in [("predict", {}), ("predict_interval", {"coverage": 0.8})]:
        got, want = getattr(restored, method)(X=X, **kwargs), getattr(forecaster, method)(X=X, **kwargs)
        if isinstance(want, np.ndarray):
            np.testing.assert_array_equal(got, want)
        else:
            pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want), check_exact=True)


@pytest.mark.parametrize("case", _series_cases(), ids=lambda c: c[0])
def test_forecaster_safe_round_trip(case, tmp_path):
    _, y, X, fh, params = case
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = _forecaster(**params).fit(y, X=X, fh=fh)
    save(forecaster, tmp_path / "f.skrnn")
    restored = load(tmp_path / "f.skrnn")
    future_X = None
    if X is not None:
        future_X = pd.DataFrame(
            {"holiday": [0.0, 1.0]}, index=forecaster.fh.to_absolute_index(forecaster.cutoff)
        )
    _assert_same_forecasts(restored, forecaster, future_X)
    assert restored.get_params() == forecaster.get_params()
    assert restored.loss_curve_ == forecaster.loss_curve_


@pytest.mark.parametrize("update_params", [False, True])
def test_forecaster_safe_round_trip_after_update_and_updates_alike(update_params, tmp_path):
    t = np.arange(60)
    y = pd.Series(np.sin(t / 3) + 5, index=pd.period_range("2000-01", periods=60, freq="M"))
    forecaster = _forecaster().fit(y[:40], fh=[1, 2])
    forecaster.update(y[40:50], update_params=update_params)
    save(forecaster, tmp_path / "f.skrnn")
    restored = load(tmp_path / "f.skrnn")
    _assert_same_forecasts(restored, forecaster)
    # the restored model goes on like the original: same state for sktime and for training
    forecaster.update(y[50:], update_params=True)
    restored.update(y[50:], update_params=True)
    _assert_same_forecasts(restored, forecaster)


@pytest.fixture(scope="module")
def forecaster_bytes():
    buffer = io.BytesIO()
    save(_fitted_forecaster(), buffer)
    return buffer.getvalue()


def _edit_frame_index(manifest, **changes):
    """Edit the stored index of the forecaster's training frame ``_y_hist``."""
    manifest["attributes"]["_y_hist"]["__frame__"]["index"]["__index__"].update(changes)
    return manifest


FORECASTER_TAMPERED = {
    "foreign data type": (
        _set(["sktime", "y_mtype"], "builtins.eval"),
        r"its data types 'builtins.eval', 'None' are not ones it writes",
    ),
    "sktime state planted as an attribute": (
        _set(["attributes", "_y"], 1),
        r"'_y' is not a fitted attribute name",
    ),
    "unknown index kind": (
        lambda m: _edit_frame_index(m, kind="pickle"),
        r"attribute _y_hist.index has an index of unknown kind 'pickle'",
    ),
    "invalid period frequency": (
        lambda m: _edit_frame_index(m, freq="not a frequency"),
        r"attribute _y_hist.index holds an index pandas cannot build",
    ),
    "index naming a column's array": (  # a column of another length, had the array not been taken
        lambda m: _edit_frame_index(m, ordinals={"__ndarray__": "arrays/0.npy"}),
        r"attribute _y_hist.index ordinals names an array 'arrays/0.npy' the file does not hold, or that "
        r"another value already names \(save writes each array once\)",
    ),
    "converter store with a key sktime's converters read": (  # columns would rename y at update
        _set(["sktime", "converter_store"], {"__dict__": [["columns", "renamed"]]}),
        r"its sktime converter store is malformed",
    ),
    "network of another horizon": (
        _set(["attributes", "horizon_"], 5),
        r"the network has outputs \(3, 9, 6\) but the estimator expects \(5, 9, 6\)",
    ),
    "steps ahead marked as absolute times": (  # loaded, then predict raised sktime's TypeError
        _set(["sktime", "fh", "is_relative"], False),
        r"its absolute forecasting horizon holds time points of kind integer, but its series are indexed "
        r"by period\[M\]",
    ),
}


@pytest.mark.parametrize("name", list(FORECASTER_TAMPERED))
def test_tampered_forecaster_file_is_refused(forecaster_bytes, name, tmp_path):
    edit, match = FORECASTER_TAMPERED[name]
    path = tmp_path / "tampered.skrnn"
    path.write_bytes(_rewrite(forecaster_bytes, manifest=edit))
    with pytest.raises(ValueError, match=match):
        load(path)


def test_forecaster_version_mismatch_warns(forecaster_bytes, tmp_path):
    path = tmp_path / "old.skrnn"
    path.write_bytes(_rewrite(forecaster_bytes, manifest=_set(["sklearn_rnn_version"], "0.0.1")))
    with pytest.warns(InconsistentVersionWarning, match=r"saved with sklearn_rnn '0.0.1'"):
        restored = load(path)
    pd.testing.assert_frame_equal(restored.predict(), _fitted_forecaster().predict(), check_exact=True)


def test_save_refuses_forecaster_fitted_on_other_data_types(monkeypatch):
    forecaster = _fitted_forecaster()
    monkeypatch.setattr(forecaster, "_y_mtype_last_seen", "pl.DataFrame")
    with pytest.raises(TypeError, match=r"fitted on y of sktime type 'pl.DataFrame'; the safe format stores"):
        save(forecaster, io.BytesIO())


def test_forecaster_determinism_and_global_state():
    torch.manual_seed(5)
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()  # noqa: NPY002
    first, second = _fitted_forecaster(), _fitted_forecaster()
    pd.testing.assert_frame_equal(first.predict(), second.predict(), check_exact=True)
    quantiles = first.predict_quantiles(alpha=[0.1, 0.9])
    pd.testing.assert_frame_equal(quantiles, second.predict_quantiles(alpha=[0.1, 0.9]), check_exact=True)
    # 40 months hold out too few values to weigh the network: the point forecast is the smoothing's,
    # the same for any seed, and the network's spread around it is the seed's
    other = _fitted_forecaster(random_state=1)
    assert first.correction_weight_.tolist() == other.correction_weight_.tolist() == [0.0, 0.0]
    assert not other.predict_quantiles(alpha=[0.1, 0.9]).equals(quantiles)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state[1])  # noqa: NPY002


def test_a_pickle_of_a_build_before_the_training_code_moved_fails_with_the_fix():
    """Such pickles look the skorch net up as sklearn_rnn._base.Net (a pickle's GLOBAL opcode here)."""
    with pytest.raises(
        ImportError, match=r"moved to sklearn_rnn._training.*sklearn_rnn.save and sklearn_rnn.load"
    ):
        pickle.loads(b"csklearn_rnn._base\nNet\n.")
    with pytest.raises(AttributeError, match="Can't get attribute 'anything_else'"):  # other names as before
        pickle.loads(b"csklearn_rnn._base\nanything_else\n.")


# -- time zones, settings that are not parameters, misuse of load ---------------------------------
def _zoned_forecaster(tz) -> object:
    """A forecaster fitted on daily data in ``tz`` whose past and forecasts cross the end of summer time."""
    index = pd.date_range("2021-10-01", periods=30, freq="D").tz_localize(tz)
    y = pd.Series(10 + np.sin(np.arange(30) / 3), index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _forecaster(max_epochs=1).fit(y, fh=[1, 2, 3])


@pytest.mark.parametrize(
    "tz",
    [
        datetime.timezone(datetime.timedelta(hours=1), "CET"),  # a fixed offset named like an IANA zone
        datetime.timezone(datetime.timedelta(hours=-8), "PST"),  # named like no IANA zone
        datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
        datetime.UTC,
        dateutil.tz.tzutc(),
        zoneinfo.ZoneInfo("Europe/Paris"),  # summer time ends on 2021-10-31
        zoneinfo.ZoneInfo("CET"),
    ],
    ids=repr,
)
def test_time_zones_round_trip_exactly(tz):
    forecaster = _zoned_forecaster(tz)
    buffer = io.BytesIO()
    save(forecaster, buffer)
    restored = load(io.BytesIO(buffer.getvalue()))
    want, got = forecaster.predict().index, restored.predict().index
    pd.testing.assert_index_equal(got, want, exact=True)
    for index in (want, got, forecaster.cutoff, restored.cutoff):  # offsets and names of every time
        assert index.tz is not None
    assert [(t.utcoffset(), t.tzname()) for t in got] == [(t.utcoffset(), t.tzname()) for t in want]
    assert [(t.utcoffset(), t.tzname()) for t in restored.cutoff] == [
        (t.utcoffset(), t.tzname()) for t in forecaster.cutoff
    ]
    _assert_same_forecasts(restored, forecaster)
    # and it goes on with the user's data as the original would: an update and its next forecasts
    later = pd.Series([10.5], index=pd.DatetimeIndex([pd.Timestamp("2021-10-31")]).tz_localize(tz))
    for fitted in (forecaster, restored):
        fitted.update(later, update_params=False)
    _assert_same_forecasts(restored, forecaster)


def test_a_forecaster_fitted_on_dateutil_utc_takes_its_data_after_load():
    """save writes dateutil's tzutc() (what dateutil.parser gives "...Z") as UTC; the loaded forecaster
    then refused predict(X=...) and update with data indexed exactly like fit's, as another time kind."""
    index = pd.date_range("2024-10-26", periods=44, freq="h", tz=dateutil.tz.tzutc())
    X = pd.DataFrame({"x": np.cos(np.arange(44))}, index=index)
    y = pd.Series(10 + np.sin(np.arange(44) / 3) + X["x"].to_numpy(), index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = _forecaster(max_epochs=1).fit(y[:40], X=X[:40], fh=[1, 2, 3])
    buffer = io.BytesIO()
    save(forecaster, buffer)
    restored = load(io.BytesIO(buffer.getvalue()))
    pd.testing.assert_series_equal(
        restored.predict(X=X[40:]), forecaster.predict(X=X[40:]), check_index_type=False
    )
    for fitted in (forecaster, restored):
        fitted.update(y[40:41], X=X[40:41], update_params=False)
    np.testing.assert_array_equal(
        restored.predict(X=X[41:]).to_numpy(), forecaster.predict(X=X[41:]).to_numpy()
    )


@pytest.mark.parametrize(
    "offset",
    [
        pd.offsets.CustomBusinessDay(holidays=["2024-01-15", "2024-02-19", "2024-03-18"]),  # an exchange's
        pd.offsets.CustomBusinessDay(weekmask="Sun Mon Tue Wed Thu", holidays=["2024-03-18"]),
        pd.offsets.BusinessHour(start="09:30", end="16:30"),
        pd.offsets.CustomBusinessHour(
            start="10:00", end="15:00", weekmask="Mon Tue Wed Thu", holidays=["2024-01-15"]
        ),
    ],
    ids=["holidays", "sunday-to-thursday", "trading-hours", "custom-hours"],
)
def test_custom_business_days_and_hours_date_forecasts_and_round_trip(offset, tmp_path):
    """Saved by the name alone ("C", "bh"), their holidays, weeks and hours were lost: load refused the
    file as not on its frequency. sktime places steps by that name too: a Sunday-to-Thursday exchange
    got a forecast dated Friday, as NaiveForecaster's."""
    index = pd.date_range(
        "2024-01-07 10:00" if "Hour" in type(offset).__name__ else "2024-01-07", periods=53, freq=offset
    )
    y = pd.Series(100 + np.sin(np.arange(53) / 3), index=index, name="price")
    forecaster = _forecaster(max_epochs=1).fit(y[:50], fh=[1, 2, 3])
    np.testing.assert_array_equal(forecaster.predict().index, index[50:])  # the series' own next steps
    np.testing.assert_array_equal(forecaster.predict_interval(coverage=0.8).index, index[50:])
    save(forecaster, tmp_path / "f.skrnn")
    restored = load(tmp_path / "f.skrnn")
    assert restored.cutoff.freq == offset
    _assert_same_forecasts(restored, forecaster)
    for fitted in (forecaster, restored):  # and updates as the original
        fitted.update(y[50:51], update_params=False)
    _assert_same_forecasts(restored, forecaster)
    with pytest.raises(ValueError, match=r"on which sktime cannot count dates .* fh=\[2\]"):
        forecaster.predict(fh=index[52:53])  # the fix counts the dates' own steps after the cutoff
    with pytest.raises(ValueError, match=r"on which sktime cannot count dates .* fh=\[1, 2\]"):
        forecaster.predict(fh=index[51:53])


@pytest.mark.parametrize("freq", ["BME", "SMS", "bh"])
def test_dates_as_fh_on_frequencies_sktime_cannot_count_are_refused_with_the_steps(freq):
    """Found by a probe: on business month ends, semi-months and business hours, an fh of dates failed
    in fit and predict with pandas' AttributeError ('BusinessMonthEnd' object has no attribute
    '_period_dtype_code'), from sktime; steps ahead forecast those very dates."""
    index = pd.date_range("2020-01-31", periods=43, freq=freq)
    y = pd.Series(100 + np.sin(np.arange(43) / 3), index=index)
    with pytest.raises(ValueError, match=r"on which sktime cannot count dates .* fh=\[1, 2\]"):
        _forecaster(max_epochs=1).fit(y[:40], fh=index[40:42])
    forecaster = _forecaster(max_epochs=1).fit(y[:40], fh=[1, 2, 3])
    np.testing.assert_array_equal(forecaster.predict().index, index[40:])
    with pytest.raises(ValueError, match=r"on which sktime cannot count dates .* fh=\[2, 3\]"):
        forecaster.predict(fh=index[41:43])


def test_weeks_of_pandas_week_without_a_weekday_still_round_trip(tmp_path):
    """pd.offsets.Week() names "W" (Sundays' weeks), which does not rebuild it: a review caught save
    refusing it as a custom frequency, where it had saved, loaded and forecast the same dates."""
    index = pd.date_range("2024-01-07", periods=30, freq=pd.offsets.Week())
    forecaster = _forecaster(max_epochs=1).fit(
        pd.Series(np.sin(np.arange(30) / 3) + 5, index=index), fh=[1, 2]
    )
    save(forecaster, tmp_path / "w.skrnn")
    _assert_same_forecasts(load(tmp_path / "w.skrnn"), forecaster)


def test_save_refuses_a_frequency_it_cannot_rebuild_rather_than_write_a_file_load_refuses():
    index = pd.date_range(
        "2020-01-15", periods=40, freq=pd.offsets.CustomBusinessMonthEnd(holidays=["2021-04-30"])
    )
    forecaster = _forecaster(max_epochs=1).fit(pd.Series(np.sin(np.arange(40)), index=index), fh=[1])
    with pytest.raises(ValueError, match="which the safe format cannot rebuild exactly"):
        save(forecaster, io.BytesIO())


@pytest.mark.parametrize(
    "tz",
    [dateutil.tz.tzoffset("EST", -5 * 3600), dateutil.tz.tzlocal()],  # (pandas 3 cannot use gettz zones)
    ids=repr,
)
def test_save_refuses_time_zones_it_cannot_rebuild(tz):
    forecaster = _zoned_forecaster(tz)
    with pytest.raises(
        ValueError,
        match=r"has time zone .* which the safe format cannot rebuild exactly.*tz_convert\('UTC'\)",
    ):
        save(forecaster, io.BytesIO())


@pytest.fixture(scope="module")
def datetime_forecaster_bytes():
    index = pd.date_range("2020-01-01", periods=30, freq="h", tz="UTC")
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too few calibration scores for the intervals
        forecaster = _forecaster(max_epochs=1).fit(
            pd.Series(np.sin(np.arange(30) / 3) + 5, index=index), fh=[1, 2]
        )
    save(forecaster, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "change, match",
    [
        ({"tz": "Foo/Bar"}, r"holds an index pandas cannot build \(ZoneInfoNotFoundError"),
        ({"tz": "Europe"}, r"holds an index pandas cannot build \(IsADirectoryError"),  # a folder of tzdata
        ({"tz": [86400, "X"]}, r"has time zone \[86400, 'X'\], which is not a time zone this format writes"),
        ({"freq": "1000000000000000000000h"}, r"holds an index pandas cannot build \(OverflowError"),
    ],
    ids=repr,
)
def test_crafted_index_parts_are_refused_cleanly(datetime_forecaster_bytes, change, match, tmp_path):
    path = tmp_path / "crafted.skrnn"
    path.write_bytes(_rewrite(datetime_forecaster_bytes, manifest=lambda m: _edit_frame_index(m, **change)))
    with pytest.raises(ValueError, match=r"^Refusing to load .*" + match):
        load(path)


def test_a_crafted_horizon_freq_is_refused_cleanly(datetime_forecaster_bytes, tmp_path):
    def overflowing(manifest):
        manifest["sktime"]["fh"]["freq"] = "1000000000000000000000h"
        return manifest

    path = tmp_path / "crafted.skrnn"
    path.write_bytes(_rewrite(datetime_forecaster_bytes, manifest=overflowing))
    with pytest.raises(ValueError, match=r"^Refusing to load .*does not rebuild \(OverflowError"):
        load(path)


def test_metadata_requests_are_stored(tmp_path):
    with sklearn.config_context(enable_metadata_routing=True):
        clf = RNNClassifier(**TINY).set_fit_request(sample_weight=True).set_score_request(sample_weight="w")
        clf.fit(X, Y_CLS, sample_weight=np.ones(40))
        save(clf, tmp_path / "clf.skrnn")
        restored = load(tmp_path / "clf.skrnn")
        assert restored.get_metadata_routing().fit.requests == {"sample_weight": True}
        assert restored.get_metadata_routing().score.requests == {"sample_weight": "w"}
        np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    save(RNNClassifier(**TINY).fit(X, Y_CLS), tmp_path / "plain.skrnn")  # no request set: none stored
    assert "_metadata_request" not in vars(load(tmp_path / "plain.skrnn"))


def test_sktime_configuration_is_stored():
    forecaster = _fitted_forecaster()
    forecaster.set_config(warnings="off", display="text")
    buffer = io.BytesIO()
    save(forecaster, buffer)
    restored = load(io.BytesIO(buffer.getvalue()))
    assert restored.get_config() == forecaster.get_config()
    assert restored.get_config()["warnings"] == "off"
    forecaster.set_config(**{"backend:parallel": "joblib", "backend:parallel:params": {"n_jobs": 2}})
    with pytest.raises(
        ValueError, match=r"configured with .*backend:parallel.*set_config\(\*\*\{'backend:parallel': None"
    ):
        save(forecaster, io.BytesIO())


@pytest.mark.parametrize(
    "settings, match",
    [
        (
            {"config": {"backend:parallel": "dask"}},
            r"sktime configuration 'backend:parallel'='dask' is refused",
        ),
        ({"config": {"warnings": "loud"}}, r"sktime configuration 'warnings'='loud' is refused"),
        ({"metadata_request": {"__init__": {}}}, r"metadata requests for '__init__' are not ones"),
        ({"metadata_request": {"fit": {"X": True}}}, r"metadata request fit 'X'=True is refused"),
        ({"metadata_request": {"fit": {"sample_weight": "not an alias"}}}, r"metadata request fit"),
        ({"eval": 1}, r"its settings are malformed"),
    ],
    ids=repr,
)
def test_crafted_settings_are_refused(model_bytes, forecaster_bytes, settings, match, tmp_path):
    data = forecaster_bytes if "config" in settings else model_bytes
    path = tmp_path / "crafted.skrnn"
    path.write_bytes(_rewrite(data, manifest=_set(["settings"], settings)))
    with pytest.raises(ValueError, match=r"^Refusing to load .*" + match):
        load(path)
    path.write_bytes(
        _rewrite(model_bytes, manifest=_set(["attributes", "_metadata_request"], {"__dict__": []}))
    )
    with pytest.raises(ValueError, match=r"'_metadata_request' is not a fitted attribute name"):
        load(path)


def test_load_names_what_it_reads(model_bytes, tmp_path):
    for wrong in (model_bytes, None, 42):
        with pytest.raises(
            TypeError, match=r"load reads a path .* or a binary file object, got .*io.BytesIO"
        ):
            load(wrong)
    (tmp_path / "m.skrnn").write_bytes(model_bytes)
    with (
        open(tmp_path / "m.skrnn") as text,
        pytest.raises(TypeError, match=r'binary mode \(open\(path, "rb"\)\)'),
    ):
        load(text)
    read, write = os.pipe()
    with os.fdopen(write, "wb") as sink:  # a pipe's buffer holds a model this small
        sink.write(model_bytes[:4096])
    with (
        os.fdopen(read, "rb") as stream,
        pytest.raises(ValueError, match=r"that can seek .*io.BytesIO\(stream.read\(\)\)"),
    ):
        load(stream)


@pytest.mark.parametrize(
    "level",
    [
        5,
        "ab",
        [1.0],
        np.array([1.0]),  # an array of another shape
        # beyond float32's range (fit rounds the level to float32): every input became inf, and the
        # regressor predicted one value for every sequence, without an error
        np.array([1e300, -1e300, 0.0]),
        np.array([0.1, 0.0, 0.0]),  # within range, but not a value float32 holds
    ],
    ids=repr,
)
def test_a_crafted_reference_level_is_refused(level, tmp_path):
    buffer = io.BytesIO()
    save(RNNRegressor(**TINY).fit(X, Y_REG), buffer)
    member, _ = _stored_array(buffer.getvalue(), ["attributes", "_x_level"])  # what moves the input
    if isinstance(level, np.ndarray):  # the level's own array replaced
        data = _rewrite(buffer.getvalue(), replace={member: _npy(level)})
    else:
        data = _rewrite(
            buffer.getvalue(), replace={member: None}, manifest=_set(["attributes", "_x_level"], level)
        )
    path = tmp_path / "level.skrnn"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"^Refusing to load .*reference level \(_x_level\) is not 3 finite"):
        load(path)


@pytest.mark.parametrize("later", ["sgd", "adam"])
def test_save_refuses_an_optimizer_set_after_fit(later, tmp_path):
    # the file would hold AdamW's state under optimizer=<later>, which load refuses
    clf = RNNClassifier(**TINY, optimizer="adamw").fit(X, Y_CLS).set_params(optimizer=later)
    with pytest.raises(
        ValueError, match=rf"trained with optimizer='adamw' but is set to optimizer='{later}'"
    ):
        save(clf, tmp_path / "m.skrnn")
    clf.set_params(optimizer="adamw")
    save(clf, tmp_path / "m.skrnn")
    np.testing.assert_array_equal(load(tmp_path / "m.skrnn").predict_proba(X_NEW), clf.predict_proba(X_NEW))


@pytest.fixture(scope="module")
def fitted_of_each_kind():
    from sklearn_rnn import RNNAnomalyDetector, RNNForecaster, RNNOutlierDetector

    series = pd.Series(np.sin(np.arange(80) / 3) + 5, index=pd.period_range("2000-01", periods=80, freq="M"))
    return {
        "classifier": RNNClassifier(**TINY).fit(X, Y_CLS),
        "regressor": RNNRegressor(**TINY).fit(X, Y_REG),
        "outlier": RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(X),
        "detector": RNNAnomalyDetector(window_length=6, hidden_size=4, max_epochs=1, random_state=0).fit(
            pd.DataFrame(X.reshape(-1, 3)[:200])
        ),
        "forecaster": RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(series, fh=[1, 2]),
    }


def _reversed(value):
    return value[::-1].copy()


@pytest.mark.parametrize(
    ("kind", "attribute", "edit"),
    [
        ("classifier", "_multilabel", lambda v: "no"),
        ("classifier", "classes_", lambda v: np.r_[v[:1], v[:-1]]),
        ("regressor", "y_scale_", lambda v: -v),
        ("regressor", "y_mean_", lambda v: np.full_like(v, np.nan)),
        ("detector", "channel_scale_", lambda v: np.zeros_like(v)),
        ("detector", "channel_mean_", lambda v: np.full_like(v, np.nan)),
        ("detector", "threshold_", lambda v: np.nan),
        ("detector", "threshold_", lambda v: "high"),
        ("detector", "threshold_", lambda v: -np.inf),  # every step flagged
        ("detector", "residual_scale_", lambda v: v[:0]),
        ("detector", "residual_scale_", lambda v: np.repeat(v, 5, axis=0)),  # broadcast over the misses
        ("outlier", "residual_scale_", lambda v: np.repeat(v, 2, axis=0)),
        ("outlier", "offset_", lambda v: np.nan),
        ("outlier", "offset_", lambda v: "low"),
        ("outlier", "statistics_scale_", lambda v: -v),
        ("forecaster", "quantile_levels_", _reversed),
        ("forecaster", "quantile_levels_", lambda v: np.where(v == 0.5, 0.45, v)),  # no median
        # the network reads windows of window_length_ steps: a longer one it was not built for
        ("forecaster", "window_length_", lambda v: v + 1),
        ("forecaster", "_y_scaling", lambda v: {k: (m, -s) for k, (m, s) in v.items()}),
        # each of these loaded, then crashed or failed at predict with another message
        ("forecaster", "log_transform_", lambda v: v[:0]),
        ("forecaster", "log_transform_", lambda v: np.r_[v, v]),
        ("forecaster", "_n_exog", lambda v: -1),
        ("outlier", "_n_channels", lambda v: v + 1),
        ("outlier", "window_statistic_", lambda v: "max"),
        ("outlier", "_fit_settings", lambda v: None),
        ("detector", "window_statistic_", lambda v: None),
        # the stream's past that update keeps: an empty index, steps of the wrong channel count
        ("detector", "_context", lambda v: (pd.RangeIndex(0), np.zeros((1, 3)), np.zeros(1), np.zeros(0))),
        ("detector", "_context", lambda v: (pd.RangeIndex(199, 200), np.zeros((1, 2)), np.zeros(1))),
        ("detector", "_context", lambda v: (pd.RangeIndex(198, 200), np.zeros(2), np.zeros(2))),
        ("detector", "_context", lambda v: [1, 2]),
        # each of these loaded, then failed at its first use with another error
        ("detector", "feature_names_in_", lambda v: [1, 2]),
        ("outlier", "length_calibration_", lambda v: v[:, 0].copy()),
        ("classifier", "augmentation_", lambda v: np.zeros(2)),
        ("detector", "end_scale_", lambda v: None),  # a fit sets both edge scales or neither
        ("detector", "end_scale_", lambda v: v[:1]),
    ],
    ids=lambda p: p if isinstance(p, str) else "",
)
def test_hand_edited_fitted_values_are_refused(fitted_of_each_kind, kind, attribute, edit, monkeypatch):
    """A zero scale or a NaN threshold in a file disabled a model (nothing flagged, every score NaN)
    without an error; reversed quantile levels swapped interval bounds."""
    import copy

    import sklearn_rnn._persistence as persistence

    estimator = copy.deepcopy(fitted_of_each_kind[kind])
    buffer = io.BytesIO()
    save(estimator, buffer)
    load(io.BytesIO(buffer.getvalue()))  # the file as written loads
    setattr(estimator, attribute, edit(getattr(estimator, attribute)))
    if attribute != "window_length_":  # save refuses to write what load would refuse
        with pytest.raises(
            ValueError, match=rf"holds fitted values that load would refuse \(fitted attribute {attribute}="
        ):
            save(estimator, io.BytesIO())
    with monkeypatch.context() as patch:  # the file edited by hand: written without save's check
        patch.setattr(persistence, "check_fitted", lambda attributes: None)
        buffer = io.BytesIO()
        save(estimator, buffer)
    refused = rf"its fitted attribute {attribute}=.* is refused"
    if attribute == "window_length_":
        window = estimator.window_length_
        refused = (
            rf"the network has outputs \(2, 9, {window - 1}\) but the estimator expects \(2, 9, {window}\)"
        )
    with pytest.raises(ValueError, match=rf"^Refusing to load .*{refused}"):
        load(io.BytesIO(buffer.getvalue()))


def test_forecaster_reading_exogenous_columns_without_them_is_refused(fitted_of_each_kind, monkeypatch):
    """A file whose network reads X but that holds none loaded, then predict raised TypeError."""
    import copy

    import sklearn_rnn._persistence as persistence

    forecaster = copy.deepcopy(fitted_of_each_kind["forecaster"])
    forecaster._n_exog = 2
    with monkeypatch.context() as patch:
        patch.setattr(persistence, "check_fitted", lambda attributes: None)
        buffer = io.BytesIO()
        save(forecaster, buffer)
    with pytest.raises(ValueError, match=r"^Refusing to load .*reads 2 exogenous columns, but it holds no X"):
        load(io.BytesIO(buffer.getvalue()))


def _numpy_parameter_cases():
    from sklearn_rnn import RNNAnomalyDetector, RNNForecaster

    rng = np.random.default_rng(0)
    series = pd.Series(3 + np.sin(np.arange(40.0)), index=pd.date_range("2024-01-01", periods=40, freq="D"))
    sensor = pd.DataFrame({"s": np.sin(np.arange(200) / 3) + 0.1 * rng.normal(size=200)})
    sequences, labels = rng.normal(size=(20, 5, 1)), np.arange(20) % 2
    forecaster = dict(hidden_size=4, max_epochs=1, window_length=6, random_state=0)
    return {
        "forecaster max_horizon": (RNNForecaster(max_horizon=np.int64(2), **forecaster), (series,)),
        "forecaster sp": (RNNForecaster(sp=np.int64(3), **forecaster), (series,)),
        "detector local_level": (
            RNNAnomalyDetector(local_level=np.True_, hidden_size=4, max_epochs=1, random_state=0),
            (sensor,),
        ),
        "classifier fcn_filters": (
            RNNClassifier(fcn_filters=tuple(np.arange(2, 5)), hidden_size=4, max_epochs=1, random_state=0),
            (sequences, labels),
        ),
    }


@pytest.mark.parametrize("case", list(_numpy_parameter_cases()))
def test_numpy_numbers_from_a_grid_fit_and_save(case, tmp_path):
    """Parameters from np.arange or a boolean array pass the constraints, but fit copied them into
    horizon_, sp_ and local_level_ as numpy numbers, and save refused those ("fit it again rather
    than editing what fit set") or a tuple of them ("it must be 3 ints")."""
    estimator, data = _numpy_parameter_cases()[case]
    estimator.fit(*data)
    save(estimator, tmp_path / "model.skrnn")
    restored = load(tmp_path / "model.skrnn")
    assert restored.get_params() == estimator.get_params()
    for name in ("horizon_", "sp_", "local_level_"):
        if hasattr(estimator, name):
            assert type(getattr(estimator, name)) in (int, bool) and getattr(restored, name) == getattr(
                estimator, name
            )


def _stored_array(data: bytes, path: list[str]) -> tuple[str, np.ndarray]:
    """The member name and values of the array the manifest holds at ``path``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        node = json.loads(archive.read("manifest.json"))
        for key in path:
            node = node[key]
        return node["__ndarray__"], np.load(io.BytesIO(archive.read(node["__ndarray__"])))


def _npy(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, values)
    return buffer.getvalue()


@pytest.mark.parametrize("steps", [[1, 4], [1, 10**12], [0, 1]])
def test_a_stored_horizon_outside_the_networks_is_refused_at_load(forecaster_bytes, steps, tmp_path):
    """The relative horizon fit stores lies within the network's 1..horizon_ (3 here): one reaching
    past it, or into the sample, loaded and left every later predict() to fail."""
    member, stored = _stored_array(forecaster_bytes, ["sktime", "fh", "values", "__index__", "values"])
    assert stored.tolist() == [1, 2, 3]
    path = tmp_path / "forged.skrnn"
    path.write_bytes(_rewrite(forecaster_bytes, replace={member: _npy(np.array(steps))}))
    within = rf"steps {steps[0]} to {steps[1]} are not within the 1 to 3 its network forecasts"
    with pytest.raises(ValueError, match=within):
        load(path)


def test_an_absolute_horizon_that_update_moved_into_the_past_saves_and_loads(tmp_path):
    """sktime's update keeps an absolute fh it has passed; save wrote such a forecaster and load
    refused it (rebuilding sktime's state by fit, which refuses an in-sample fh)."""
    y = pd.DataFrame(
        {"v": np.sin(np.arange(40) / 3) + 2}, index=pd.period_range("2000-01", periods=40, freq="M")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecaster = _forecaster(conformal=False).fit(
            y.iloc[:30], fh=pd.period_range("2002-07", periods=3, freq="M")
        )
        forecaster.update(y.iloc[30:36], update_params=False)
    save(forecaster, tmp_path / "f.skrnn")
    restored = load(tmp_path / "f.skrnn")
    assert not restored.fh.is_relative and restored.fh.to_pandas().equals(forecaster.fh.to_pandas())
    assert restored.cutoff.equals(forecaster.cutoff)
    for model in (forecaster, restored):  # the stored fh is in the past for both alike
        with pytest.raises(NotImplementedError, match="in-sample"):
            model.predict()
    # (a predict given fh keeps it, as sktime's does)
    pd.testing.assert_frame_equal(
        restored.predict(fh=[1, 2]), forecaster.predict(fh=[1, 2]), check_exact=True
    )


def test_a_history_date_forged_far_on_is_refused_without_building_its_grid(forecaster_bytes, tmp_path):
    """A few-KB file whose last stored month lies 90,000 months on (periods beyond the year 9999 are
    refused as such): rebuilding sktime's state refuses its gap, and the refusal names it from the
    time points alone (the whole grid between, built before, took 6 GB a file at 10**8 daily steps
    and ended in MemoryError at 3 * 10**8; minutes within the years 1 to 9999 count 5 * 10**9)."""
    path_in = ["attributes", "_y_hist", "__frame__", "index", "__index__", "ordinals"]
    member, ordinals = _stored_array(forecaster_bytes, path_in)
    forged = ordinals.copy()
    forged[-1] = forged[0] + 90_000
    path = tmp_path / "forged.skrnn"
    path.write_bytes(_rewrite(forecaster_bytes, replace={member: _npy(forged)}))
    gap = r"Refusing to load .* lacks the time points 2003-04, .* \(and 89956 more\) of its frequency 'M'"
    with pytest.raises(ValueError, match=gap):
        load(path)


def _array_count(data: bytes) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(name.startswith("arrays/") for name in archive.namelist())


def test_a_file_holds_each_array_one_value_names_and_no_more_than_it_may(model_bytes, monkeypatch):
    """Found by a security review: only the arrays' bytes were bounded, and arrays no value named were
    read all the same (about 0.3 ms each: 300,000 empty ones, a 52 MB file, took 86 s to load); one
    array could also be named by many values."""
    import sklearn_rnn._persistence as persistence

    n = _array_count(model_bytes)
    extra = _rewrite(model_bytes, replace={f"arrays/{n}.npy": _npy(np.zeros(0))})
    with pytest.raises(ValueError, match=rf"holds arrays \['arrays/{n}.npy'\] that no stored value names"):
        load(io.BytesIO(extra))

    stored = json.loads(zipfile.ZipFile(io.BytesIO(model_bytes)).read("manifest.json"))
    level = stored["attributes"]["_x_level"]  # read before loss_curve_
    twice = _rewrite(model_bytes, manifest=_set(["attributes", "loss_curve_"], level))
    with pytest.raises(ValueError, match=r"that another value already names \(save writes each array once\)"):
        load(io.BytesIO(twice))

    monkeypatch.setattr(persistence, "MAX_ARRAYS", n - 1)
    with pytest.raises(ValueError, match=rf"it holds {n} arrays, over the {n - 1} it allows"):
        load(io.BytesIO(model_bytes))
    with pytest.raises(ValueError, match=rf"its arrays {n} members of .* \(at most {n - 1} and "):
        save(RNNClassifier(**TINY).fit(X, Y_CLS), io.BytesIO())  # save writes no file load refuses


def test_what_a_file_s_dates_cost_load_is_bounded(monkeypatch, tmp_path):
    """Found by two security reviews: pandas checks each date of an index against a custom business
    hour one by one (0.2 to 0.9 ms a date with the grid load rebuilds): a forecaster's file of
    200,000 such dates, 3 MB, took 69 s to load; stored without their frequency, business hours cost
    the grid alone (600,000 in 24 s). Fixed lengths and days are checked at once and cost nothing."""
    import sklearn_rnn._codec as codec
    import sklearn_rnn._persistence as persistence

    hours = pd.offsets.CustomBusinessHour(start="10:00", end="15:00", weekmask="Mon Tue Wed Thu")
    fitted = {}
    for name, freq in (("custom hours", hours), ("business hours", "bh"), ("hours", "h"), ("days", "D")):
        index = pd.date_range("2024-01-08 10:00", periods=60, freq=freq)
        if name == "business hours":
            index = pd.DatetimeIndex(index.to_numpy())  # as read from a file: no freq set, inferred
        y = pd.Series(np.sin(np.arange(60) / 3), index=index)
        fitted[name] = _forecaster(max_epochs=1).fit(y, fh=[1])
        save(fitted[name], tmp_path / f"{name}.skrnn")
    # the 60 dates of one opening a day cost 60 * 250 us; without a freq, irregular ones 60 * 60 us
    monkeypatch.setattr(codec, "MAX_DATE_COST_US", 60 * 250 - 1)
    with pytest.raises(ValueError, match=r"has 60 dates of frequency .*CustomBusinessHour.* beyond the 0 s"):
        load(tmp_path / "custom hours.skrnn")
    _assert_same_forecasts(load(tmp_path / "business hours.skrnn"), fitted["business hours"])
    monkeypatch.setattr(codec, "MAX_DATE_COST_US", 60 * 60 - 1)
    with pytest.raises(ValueError, match=r"has 60 dates of frequency None, whose checks by pandas"):
        load(tmp_path / "business hours.skrnn")
    for name in ("hours", "days"):  # pandas checks them at once (a day is no Tick in pandas 3)
        _assert_same_forecasts(load(tmp_path / f"{name}.skrnn"), fitted[name])
    monkeypatch.setattr(persistence, "MAX_DATE_COST_US", 60 * 60 - 1)
    for name in ("custom hours", "business hours"):
        with pytest.raises(ValueError, match=r"its series dates whose checks would cost load about 0.0 s"):
            save(fitted[name], io.BytesIO())
    for name in ("hours", "days"):
        save(fitted[name], io.BytesIO())
    monkeypatch.setattr(persistence, "MAX_RANGE_LENGTH", 10)  # save's side of the range indexes' bound
    y = pd.Series(np.sin(np.arange(30) / 3))
    with pytest.raises(ValueError, match=r"and 31 steps of range indexes \(at most 10\)"):  # y's, fh's
        save(_forecaster(max_epochs=1).fit(y, fh=[1]), io.BytesIO())


def test_periods_of_nanoseconds_round_trip(tmp_path):
    """The years' bound of periods overflowed for nanoseconds (every such series refused by save)."""
    y = pd.Series(np.sin(np.arange(40) / 3), index=pd.period_range("2000-01-01", periods=40, freq="ns"))
    forecaster = _forecaster(max_epochs=1).fit(y, fh=[1, 2])
    save(forecaster, tmp_path / "ns.skrnn")
    _assert_same_forecasts(load(tmp_path / "ns.skrnn"), forecaster)


def _crafted_load(estimator, edit):
    """``estimator`` saved, its manifest edited by ``edit``, loaded."""
    buffer = io.BytesIO()
    save(estimator, buffer)
    return load(io.BytesIO(_rewrite(buffer.getvalue(), manifest=edit)))


def test_files_edited_into_states_no_fit_writes_are_refused():
    """Found by a security review: each of these loaded, then failed at its first use (AttributeError,
    torch's RuntimeError) or, for the level, predicted one value for every sequence without an error."""
    from sklearn_rnn import RNNAnomalyDetector, RNNOutlierDetector

    frame = pd.DataFrame(X.reshape(-1, 3)[:200])
    tiny = dict(window_length=6, hidden_size=4, max_epochs=1, random_state=0)
    dynamic = RNNAnomalyDetector(threshold="dynamic", **tiny).fit(frame)
    static = RNNAnomalyDetector(**tiny).fit(frame)

    def drop(key):
        def edit(manifest):
            del manifest["attributes"][key]
            return manifest

        return edit

    def settings(**changes):
        def edit(manifest):
            manifest["attributes"]["_fit_settings"]["__dict__"] = [
                [k, changes.get(k, v)] for k, v in manifest["attributes"]["_fit_settings"]["__dict__"]
            ]
            return manifest

        return edit

    lack = r"lack \['{}'\], which a detector fitted with threshold='dynamic' holds"
    with pytest.raises(ValueError, match=lack.format("score_median_")):
        _crafted_load(dynamic, drop("score_median_"))
    with pytest.raises(ValueError, match=lack.format("score_median_', 'score_spread_")):
        _crafted_load(static, settings(threshold="dynamic"))

    def older_settings(manifest):  # as a file before the detector recorded its own: the parameter decides
        settings = manifest["attributes"]["_fit_settings"]["__dict__"]
        manifest["attributes"]["_fit_settings"]["__dict__"] = [
            [k, v] for k, v in settings if k not in ("threshold", "threshold_window")
        ]
        manifest["params"]["threshold"] = "dynamic"
        return manifest

    with pytest.raises(ValueError, match=lack.format("score_median_', 'score_spread_")):
        _crafted_load(static, older_settings)
    forecast = RNNAnomalyDetector(scoring="forecast", **tiny).fit(frame)
    with pytest.raises(ValueError, match=r"lack \['channel_mean_'\], which every fitted"):
        _crafted_load(forecast, drop("channel_mean_"))
    classifier = RNNClassifier(**TINY).fit(X, Y_CLS)  # 3 channels; the file says 2, with a level of 2
    buffer = io.BytesIO()
    save(classifier, buffer)
    member, _ = _stored_array(buffer.getvalue(), ["attributes", "_x_level"])
    two = _rewrite(
        buffer.getvalue(),
        replace={member: _npy(np.zeros(2))},
        manifest=_set(["attributes", "_n_channels"], 2),
    )
    with pytest.raises(
        ValueError, match=r"the network has outputs \(3, 3\) but the estimator expects \(2, 3\)"
    ):
        load(io.BytesIO(two))
    outlier = RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(X)
    buffer = io.BytesIO()
    save(outlier, buffer)
    member, _ = _stored_array(buffer.getvalue(), ["attributes", "channel_mean_"])
    scalar = _npy(np.float64(0.5))  # a 0-d array: len() of it raised TypeError inside load
    with pytest.raises(ValueError, match=r"^Refusing to load .*its fitted attribute .* is refused"):
        load(io.BytesIO(_rewrite(buffer.getvalue(), replace={member: scalar})))


def test_a_second_review_s_crafted_files_are_refused_within_the_file_s_bounds(forecaster_bytes, monkeypatch):
    """Found by a second security review: the optimizer's values were decoded with a date allowance of
    their own, and an index's dates could come as text, no array; range indexes (a MultiIndex's levels)
    were bounded one by one (a 10 KB file took 6.2 GB); a panel of 100,000 two-step series loaded in
    124 s from a 4 MB file; periods near 2**63 loaded and forecast overflowed years."""
    import sklearn_rnn._codec as codec

    stored = json.loads(zipfile.ZipFile(io.BytesIO(forecaster_bytes)).read("manifest.json"))
    ordinals = stored["attributes"]["_y_hist"]["__frame__"]["index"]["__index__"]["ordinals"]

    def optimizer_names(manifest):  # an array the history's index names, named again by the optimizer
        manifest["optimizer"]["scalars"] = {"0.step": ordinals}
        return manifest

    with pytest.raises(
        ValueError, match=r"optimizer state names an array .* that another value already names"
    ):
        load(io.BytesIO(_rewrite(forecaster_bytes, manifest=optimizer_names)))
    text = {"__array__": ["0", "1"], "dtype": "str"}
    with pytest.raises(ValueError, match=r"_y_hist.index has a malformed index \(ordinals of dtype <U1\)"):
        load(io.BytesIO(_rewrite(forecaster_bytes, manifest=lambda m: _edit_frame_index(m, ordinals=text))))
    far = _npy(2**63 - 808 + np.arange(-30, 0))
    with pytest.raises(ValueError, match=r"_y_hist.index has periods outside the years 1 to 9999"):
        load(io.BytesIO(_rewrite(forecaster_bytes, replace={ordinals["__ndarray__"]: far})))

    y = pd.Series(np.sin(np.arange(40) / 3))  # a RangeIndex: y's and X's, 40 values each
    X = pd.DataFrame({"x": np.cos(np.arange(46) / 3)})
    forecaster = _forecaster(max_epochs=1).fit(y, X=X.iloc[:40], fh=[1])
    buffer = io.BytesIO()
    save(forecaster, buffer)
    monkeypatch.setattr(codec, "MAX_RANGE_LENGTH", 79)
    with pytest.raises(ValueError, match=r"beyond the 79 values an array of this format can hold"):
        load(io.BytesIO(buffer.getvalue()))


def test_a_panel_holds_at_most_as_many_series_as_save_writes(monkeypatch):
    import sklearn_rnn._forecast_state as forecast_state

    t = pd.period_range("2020-01", periods=30, freq="M")
    panel = pd.concat(
        {f"s{i}": pd.Series(np.sin(np.arange(30) / 3) + i, index=t) for i in range(3)}, names=["id", "t"]
    ).to_frame("v")
    forecaster = _forecaster(max_epochs=1).fit(panel, fh=[1])
    buffer = io.BytesIO()
    save(forecaster, buffer)
    monkeypatch.setattr(forecast_state, "MAX_SERIES", 2)
    with pytest.raises(ValueError, match=r"its forecaster holds 3 series, more than the 2 save writes"):
        load(io.BytesIO(buffer.getvalue()))
    with pytest.raises(ValueError, match=r"it holds 3 series, more than the 2 a file may hold"):
        save(forecaster, io.BytesIO())


def test_an_interrupted_save_leaves_the_file_that_was_there(model_bytes, tmp_path, monkeypatch):
    """save truncated the file at its path, then wrote: Ctrl-C (or a full disk) while the weights were
    written left a file of 1.8 kB that load refused, the model before it lost."""
    path = tmp_path / "model.skrnn"
    path.write_bytes(model_bytes)
    path.chmod(0o640)
    before = load(path)
    other = RNNClassifier(**{**TINY, "hidden_size": 6}).fit(X, Y_CLS)
    real = zipfile.ZipFile.writestr

    def interrupted(self, name, *args, **kwargs):
        if name == "module.safetensors":
            raise KeyboardInterrupt
        return real(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save(other, path)
    monkeypatch.undo()
    assert path.read_bytes() == model_bytes and sorted(p.name for p in tmp_path.iterdir()) == ["model.skrnn"]
    np.testing.assert_array_equal(load(path).predict_proba(X), before.predict_proba(X))
    save(other, str(path))  # whole: it replaces the file, with its permissions
    assert (path.stat().st_mode & 0o777) == 0o640
    np.testing.assert_array_equal(load(path).predict_proba(X), other.predict_proba(X))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.skrnn"]
    # what is not a regular file of one name is written in place, as open does (errors name the path)
    os.link(path, tmp_path / "link.skrnn")
    save(RNNClassifier(**TINY).fit(X, Y_CLS), path)
    assert (tmp_path / "link.skrnn").samefile(path)
    with pytest.raises(IsADirectoryError, match=re.escape(str(tmp_path))):
        save(other, tmp_path)
    with pytest.raises(FileNotFoundError, match="missing"):
        save(other, tmp_path / "missing" / "model.skrnn")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.skrnn", "model.skrnn"]
