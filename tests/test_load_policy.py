"""The load policy of the safe format: what a crafted ``.skrnn`` file can never make ``load`` do.

A file must not configure skorch or torch (a stored ``net_kwargs`` once made torch's
compiler run a shell command at the first predict), must not take more memory than
the format's limits (networks declared huge, zip bombs, ``.npy`` headers declaring
terabytes, deeply nested JSON), and every such file is refused with
``ValueError("Refusing to load ...")``.
"""

from __future__ import annotations

import copy
import inspect
import io
import json
import math
import re
import struct
import subprocess
import sys
import time
import tracemalloc
import warnings
import zipfile
import zlib

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from sklearn_rnn import RNNClassifier, RNNRegressor, _archive, _persistence, load, save
from sklearn_rnn._load_policy import network as network_of
from sklearn_rnn._load_policy import parameter_rules

X = np.random.default_rng(0).normal(size=(40, 7, 3))
Y = np.arange(40) % 3  # integer classes: classes_ is stored as arrays/0.npy


def _forecaster(**params):
    from sklearn_rnn import RNNForecaster

    return RNNForecaster(
        **{"window_length": 6, "hidden_size": 4, "max_epochs": 2, "random_state": 0, **params}
    )


def _saved(estimator) -> bytes:
    buffer = io.BytesIO()
    save(estimator, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def classifier():
    # the default architecture (LSTM-FCN): recurrent, convolutional and batch-norm layers
    return RNNClassifier(hidden_size=6, fcn_filters=(4, 8, 4), max_epochs=2, random_state=0).fit(X, Y)


@pytest.fixture(scope="module")
def classifier_bytes(classifier):
    return _saved(classifier)


@pytest.fixture(scope="module")
def forecaster_bytes():
    index = pd.period_range("2000-01", periods=40, freq="M")
    y = pd.DataFrame({"a": np.sin(np.arange(40) / 3) + 5, "b": np.cos(np.arange(40) / 4)}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _saved(_forecaster().fit(y, fh=[1, 2, 3]))


# -- editing files as an attacker would ------------------------------------------------------------
def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _edit_manifest(data: bytes, edit) -> bytes:
    members = _members(data)
    manifest = json.loads(members["manifest.json"])
    edit(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    return _zip(members)


def _as_older(data: bytes, edit) -> bytes:
    """A file as an older version wrote it: the manifest edited (what it did not store taken out), and
    the arrays only what it names, numbered from 0 as save numbers them (load refuses others)."""
    manifest = json.loads(_members(_edit_manifest(data, edit))["manifest.json"])
    members = {k: v for k, v in _members(data).items() if not k.startswith("arrays/")}
    arrays = _members(data)
    renamed = {}

    def renumber(value):
        if isinstance(value, dict):
            if set(value) == {"__ndarray__"}:
                name = renamed.setdefault(value["__ndarray__"], f"arrays/{len(renamed)}.npy")
                members[name] = arrays[value["__ndarray__"]]
                return {"__ndarray__": name}
            return {k: renumber(v) for k, v in value.items()}
        return [renumber(v) for v in value] if isinstance(value, list) else value

    members["manifest.json"] = json.dumps(renumber(manifest)).encode()
    return _zip(members)


def _with_npy(members: dict[str, bytes], member: str, array: np.ndarray) -> bytes:
    """``members`` zipped with ``array`` stored as the .npy ``member``."""
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return _zip({**members, member: out.getvalue()})


def _edit_tensors(data: bytes, member: str, edit) -> bytes:
    members = _members(data)
    tensors = load_tensors(members[member])
    edit(tensors)
    members[member] = save_tensors(tensors)
    return _zip(members)


def _set_pair(pairs: list, key, value) -> None:
    """Set ``key`` in a stored dict (a list of ``[key, value]`` pairs); None removes it."""
    pairs[:] = [pair for pair in pairs if pair[0] != key]
    if value is not None:
        pairs.append([key, value])


def _module_kwarg(key, value):
    return lambda m: _set_pair(m["attributes"]["_module_kwargs"]["__dict__"], key, value)


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the central directory entry of ``member`` declaring ``size`` bytes inflated."""
    raw = bytearray(data)
    start = raw.index(b"PK\x01\x02")
    while (
        raw[start + 46 : start + 46 + int.from_bytes(raw[start + 28 : start + 30], "little")]
        != member.encode()
    ):
        start = raw.index(b"PK\x01\x02", start + 4)
    struct.pack_into("<I", raw, start + 24, size)  # the uncompressed size field
    return bytes(raw)


def _refused(data: bytes, match: str, tmp_path) -> None:
    path = tmp_path / "crafted.skrnn"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=match) as info:
        load(path)
    assert str(info.value).startswith("Refusing to load ")


# -- A. settings that reach skorch or torch ----------------------------------------------------------
def test_compile_payload_in_net_kwargs_is_refused_and_never_runs(classifier_bytes, tmp_path):
    """The reported exploit: torch's inductor compiles with gcc, and ``-wrapper`` runs a command."""
    marker = tmp_path / "x"
    options = {"__dict__": [["cpp.march", f"native -wrapper '/bin/sh,-c,touch {marker}'"]]}
    payload = {"__dict__": [["compile", True], ["compile__options", options]]}
    path = tmp_path / "crafted.skrnn"
    path.write_bytes(_edit_manifest(classifier_bytes, lambda m: m["params"].update(net_kwargs=payload)))
    try:
        estimator = load(path)
    except ValueError as exc:
        error = str(exc)
    else:  # it must not load; if it did, this is where the command would run
        estimator.predict(X[:5])
        error = None
    assert not marker.exists()
    assert error is not None
    assert "its parameter net_kwargs={'compile': True, 'compile__options': {" in error
    assert "it must be None, since it reaches skorch and torch as it is" in error


@pytest.mark.parametrize(
    "key, value, match",
    [
        pytest.param(
            "callbacks",
            ["print_log"],
            r"its parameter callbacks=\['print_log'\] is refused; it must be None",
            id="callbacks",
        ),
        pytest.param("callbacks", [], r"callbacks=\[\] is refused; it must be None", id="empty-callbacks"),
        pytest.param(
            "net_kwargs",
            {"__dict__": [["iterator_train", "torch.utils.data.DataLoader"], ["criterion__weight", 1]]},
            r"its parameter net_kwargs=\{.*'iterator_train': .* is refused; it must be None",
            id="net_kwargs-skorch-settings",
        ),
        pytest.param(
            "net_kwargs",
            {"__dict__": []},
            r"net_kwargs=\{\} is refused; it must be None",
            id="empty-net_kwargs",
        ),
        pytest.param(
            "optimizer",
            "torch.optim.LBFGS",
            r"optimizer='torch.optim.LBFGS' is refused; it must be one of \['adam', 'adamw', 'sgd'\]",
            id="optimizer-any-string",
        ),
        pytest.param(
            "device",
            "meta",
            r"its parameter device='meta' is refused; it must be 'cpu', 'auto', 'mps', 'cuda' or 'cuda:N'",
            id="meta-device",
        ),
        pytest.param(
            "device", "cuda:0 --x", r"its parameter device='cuda:0 --x' is refused", id="device-and-more"
        ),
        pytest.param(
            "fcn_filters",
            {"__tuple__": [4, 8]},
            r"its parameter fcn_filters=\(4, 8\) is refused; it must be 3 ints from 1 to 65536",
            id="fcn_filters-length",
        ),
        pytest.param(
            "fcn_dilations",
            {"__tuple__": [1, 0]},
            r"fcn_dilations=\(1, 0\) is refused; it must be 'auto' or 1 to 256 ints from 1 to 1024",
            id="fcn_dilations-zero",
        ),
        pytest.param(
            "fcn_dilations",
            {"__array__": ["auto"], "dtype": "str"},  # an array equal to "auto" elementwise
            r"its parameter fcn_dilations=.*auto.* is refused",
            id="fcn_dilations-auto-in-an-array",
        ),
    ],
)
def test_parameters_outside_the_policy_are_refused(classifier_bytes, key, value, match, tmp_path):
    _refused(_edit_manifest(classifier_bytes, lambda m: m["params"].update({key: value})), match, tmp_path)


NETWORK_ARGUMENTS = {
    "unknown argument": (
        "classifier",
        _module_kwarg("compile", True),
        r"its network arguments are not those of RecurrentNet: unknown \['compile'\], missing \[\]",
    ),
    "missing argument": (
        "classifier",
        _module_kwarg("missing", None),
        r"its network arguments are not those of RecurrentNet: unknown \[\], missing \['missing'\]",
    ),
    "size as a string": (
        "classifier",
        _module_kwarg("hidden_size", "6"),
        r"its network argument hidden_size='6' is refused; it must be an int from 1 to 65536",
    ),
    "size as a bool": ("classifier", _module_kwarg("n_features", True), r"n_features=True is refused"),
    "unknown cell": (
        "classifier",
        _module_kwarg("cell", "torch.nn.Transformer"),
        r"cell='torch.nn.Transformer' is refused; it must be one of \['gru', 'lstm', 'rnn'\]",
    ),
    "a million layers": (
        "classifier",
        _module_kwarg("num_layers", 10**6),
        r"num_layers=1000000 is refused; it must be an int from 1 to 256",
    ),
    "filters as objects": (
        "classifier",
        _module_kwarg("fcn_filters", {"__tuple__": [4, "8", 4]}),
        r"fcn_filters=\(4, '8', 4\) is refused",
    ),
    "a dilation of 2**24 steps": (  # each dilation pads every sequence by 3.5 d steps at predict
        "classifier",
        _module_kwarg("fcn_dilations", {"__tuple__": [1, 2**24]}),
        r"fcn_dilations=\(1, 16777216\) is refused; it must be 1 to 256 ints from 1 to 1024",
    ),
    "more dilations than channels": (
        "classifier",
        _module_kwarg("fcn_dilations", {"__tuple__": [1, 2, 4, 8, 16]}),
        r"its network arguments .* are invalid \(fcn_dilations must be 1 to fcn_filters\[0\] // 2 \+ 1 = 3",
    ),
    "dropout out of range": ("classifier", _module_kwarg("dropout", 2.0), r"dropout=2.0 is refused"),
    "a head of no units": (
        "classifier",
        _module_kwarg("head_hidden_size", 0),
        r"head_hidden_size=0 is refused; it must be None or an int from 1 to 65536",
    ),
    "forecaster horizon 3e7": (
        "forecaster",
        _module_kwarg("horizon", 3e7),
        r"its network argument horizon=30000000.0 is refused; it must be an int from 1 to 16777216",
    ),
    "forecaster horizon of 30 million steps": (
        "forecaster",
        _module_kwarg("horizon", 30_000_000),
        r"horizon=30000000 is refused; it must be an int from 1 to 16777216",
    ),
}


@pytest.mark.parametrize("name", list(NETWORK_ARGUMENTS))
def test_network_arguments_outside_the_policy_are_refused(request, name, tmp_path):
    estimator, edit, match = NETWORK_ARGUMENTS[name]
    data = request.getfixturevalue(f"{estimator}_bytes")
    _refused(_edit_manifest(data, edit), match, tmp_path)


def _param_group(key, value):
    return lambda m: _set_pair(m["optimizer"]["param_groups"][0]["__dict__"], key, value)


OPTIMIZER = {
    "capturable": (
        lambda d: _edit_manifest(d, _param_group("capturable", True)),
        r"its optimizer setting 'capturable'=True is not what the estimator sets \(False\)",
    ),
    "fused kernel of another value": (
        lambda d: _edit_manifest(d, _param_group("fused", "x")),
        r"its optimizer setting 'fused'='x' is not what the estimator sets \(True\)",
    ),
    "fused kernel as a number": (
        lambda d: _edit_manifest(d, _param_group("fused", 0)),
        r"its optimizer setting 'fused'=0 is not what the estimator sets \(True\)",
    ),
    "unknown setting": (
        lambda d: _edit_manifest(d, _param_group("evil", 1)),
        r"its optimizer setting 'evil'=1 is not what the estimator sets",
    ),
    "negative learning rate": (
        lambda d: _edit_manifest(d, _param_group("lr", -1.0)),
        r"its optimizer setting 'lr'=-1.0 is not",
    ),
    "other parameters": (
        lambda d: _edit_manifest(d, _param_group("params", [0, 0, 1])),
        r"its optimizer setting 'params'=\[0, 0, 1\] is not",
    ),
    "betas as a range of three": (
        lambda d: _edit_manifest(
            d, _param_group("betas", {"__index__": {"kind": "range", "range": [0, 3, 1], "names": [None]}})
        ),
        r"its optimizer setting 'betas'=RangeIndex\(start=0, stop=3, step=1\) is not what the estimator",
    ),
    "scalar state that is not a number": (
        lambda d: _edit_manifest(d, lambda m: m["optimizer"]["scalars"].update({"0.step": "x"})),
        r"optimizer state '0.step' holds 'x', not a number",
    ),
    "unknown state": (
        lambda d: _edit_tensors(d, "optimizer.safetensors", lambda t: t.update({"0.evil": torch.zeros(1)})),
        r"optimizer state key '0.evil' is not one this format writes",
    ),
    "state of a parameter that does not exist": (
        lambda d: _edit_tensors(
            d, "optimizer.safetensors", lambda t: t.update({"999.step": torch.zeros(())})
        ),
        r"optimizer state key '999.step' is not one this format writes",
    ),
    "state of another shape": (
        lambda d: _edit_tensors(
            d, "optimizer.safetensors", lambda t: t.update({"0.exp_avg": torch.zeros(10**4)})
        ),
        r"optimizer tensor '0.exp_avg' has shape \(10000,\) \(torch.float32\); its parameter has shape",
    ),
}


@pytest.mark.parametrize("name", list(OPTIMIZER))
def test_optimizer_state_outside_the_policy_is_refused(classifier_bytes, name, tmp_path):
    tamper, match = OPTIMIZER[name]
    _refused(tamper(classifier_bytes), match, tmp_path)


def test_file_from_before_the_fused_optimizer_loads_and_predicts_the_same(
    classifier, classifier_bytes, tmp_path
):
    """Files written before Adam(W) ran fused store ``fused=None`` (the unfused kernel): they still load."""
    path = tmp_path / "older.skrnn"
    path.write_bytes(_edit_manifest(classifier_bytes, _param_group("fused", None)))
    loaded = load(path)
    assert loaded.net_.optimizer_.param_groups[0]["fused"] is None
    np.testing.assert_array_equal(loaded.predict_proba(X), classifier.predict_proba(X))


@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"net_kwargs": {"compile": True}},
            r"set net_kwargs=None before saving, or use pickle/joblib for files",
        ),
        ({"callbacks": []}, r"set callbacks=None before saving, or use pickle/joblib for files you trust"),
        ({"device": "meta"}, r"Parameter device='meta' of RNNClassifier cannot be stored .*'cuda:N'"),
        ({"optimizer": "lbfgs"}, r"it must be one of \['adam', 'adamw', 'sgd'\]"),
    ],
)
def test_save_refuses_what_load_refuses(classifier, params, match):
    estimator = copy.deepcopy(classifier).set_params(**params)  # after fit: nothing is compiled
    with pytest.raises(TypeError, match=match):
        save(estimator, io.BytesIO())


def test_allow_lists_match_the_estimators_and_networks():
    """A parameter or network argument added to the library needs a rule before files store it."""
    from sklearn_rnn import RNNForecaster

    for cls in (RNNClassifier, RNNRegressor, RNNForecaster):
        assert set(cls().get_params()) <= set(parameter_rules()), cls.__name__
    networks = [
        (
            RNNClassifier(),
            dict(n_features=2, n_outputs=3, architecture="mlstm-fcn", n_timesteps=5, missing="mask"),
        ),
        (
            RNNForecaster(),
            dict(n_targets=2, n_exog=1, window_length=4, horizon=2, n_quantiles=3, cell="gru", hidden_size=4)
            | dict(num_layers=2, bidirectional=True, dropout=0.0),
        ),
    ]
    for estimator, kwargs in networks:
        network, rules = network_of(estimator)
        assert set(rules) == set(inspect.signature(network).parameters), network.__name__
        # load fills a network materialised from the meta device with its stored state dict:
        # every tensor must be in it (a non-persistent buffer would stay uninitialised)
        with torch.device("meta"):
            module = network(**kwargs)
        tensors = {name for name, _ in [*module.named_parameters(), *module.named_buffers()]}
        assert tensors == set(module.state_dict()), network.__name__


def test_time_zone_that_names_a_file_is_refused(forecaster_bytes, tmp_path):
    """pandas reads "dateutil/<path>" time zones from any file (a FIFO would hang load)."""

    def edit(manifest):
        index = manifest["attributes"]["_y_hist"]["__frame__"]["index"]["__index__"]
        index.update(kind="datetime", i8=index.pop("ordinals"), unit="s", tz="dateutil//etc/passwd")

    _refused(
        _edit_manifest(forecaster_bytes, edit),
        r"attribute _y_hist.index has time zone 'dateutil//etc/passwd', which is not a time zone this "
        r"format writes",
        tmp_path,
    )


# -- B. memory: nothing is allocated beyond the format's limits ------------------------------------------
def _huge_horizon(data: bytes) -> bytes:
    """A forecaster whose network, built for real, would take 2.4 GB: 2**23 * 2 * 9 outputs x 4 units."""

    def edit(manifest):
        _module_kwarg("horizon", 2**23)(manifest)
        manifest["attributes"]["horizon_"] = 2**23

    return _edit_manifest(data, edit)


def test_network_declared_huge_is_refused_before_it_is_built(forecaster_bytes, tmp_path):
    start = time.perf_counter()
    _refused(
        _huge_horizon(forecaster_bytes),
        r"weight 'recurrent.head.weight' has shape \(54, 4\) \(torch.float32\) but the stored "
        r"architecture needs \(150994944, 4\)",
        tmp_path,
    )
    assert time.perf_counter() - start < 5


def test_network_of_many_layers_in_a_small_file_is_refused_before_it_is_built(forecaster_bytes, tmp_path):
    """256 networks of 256 bidirectional layers, declared in a 6 KB file with no weights: building
    them on the meta device took 20 s and 700 MB before the weights' header was read."""

    def edit(manifest):
        for key, value in {"num_layers": 256, "n_networks": 256, "bidirectional": True}.items():
            _module_kwarg(key, value)(manifest)

    members = _members(_edit_manifest(forecaster_bytes, edit))
    empty = struct.pack("<Q", 2) + b"{}"  # a safetensors file of no tensor
    members["module.safetensors"] = members["optimizer.safetensors"] = empty
    start = time.perf_counter()
    _refused(_zip(members), r"declare 131072 recurrent layers, but its weights hold 0 tensors", tmp_path)
    assert time.perf_counter() - start < 5


def test_long_frequency_names_are_refused_before_pandas_parses_them(forecaster_bytes, tmp_path):
    """pandas parses a frequency of 20,000 digits in 5-11 s (100,000: 136 s), in any stored index."""

    def edit(manifest):
        manifest["attributes"]["_y_hist"]["__frame__"]["index"]["__index__"]["freq"] = "1" * 20_000

    start = time.perf_counter()
    with pytest.raises(
        ValueError, match=r"has a frequency '1111.*, not a name of pandas' frequencies"
    ) as info:
        load(io.BytesIO(_edit_manifest(forecaster_bytes, edit)))
    assert time.perf_counter() - start < 2 and len(str(info.value)) < 400


def _range(start: int, stop: int) -> dict:
    return {"__index__": {"kind": "range", "range": [start, stop, 1], "names": [None]}}


def _set_fh(manifest, values) -> None:
    manifest["sktime"]["fh"]["values"] = values


RANGE_BOMBS = {
    # a 13 KB file whose horizon of 10**8 steps loaded in 16 s and 2.5 GB, the network forecasting 3
    "horizon": (
        lambda m: _set_fh(m, _range(1, 10**8)),
        r"its forecasting horizon has 99999999 steps, more than the 3 its network forecasts",
    ),
    # no column's array bounds a frame without columns: an 8 KB file loaded one of 1e8 rows in 2.2 GB
    "frame without columns": (
        lambda m: m["attributes"].update(
            _X_hist={
                "__frame__": {
                    "index": _range(0, 10**8),
                    "columns": {
                        "__index__": {"kind": "objects", "values": [], "object": True, "names": [None]}
                    },
                    "data": [],
                }
            }
        ),
        r"attribute _X_hist holds a data frame without columns, which save never writes",
    ),
    # pandas' len() of a range past sys.maxsize raised OverflowError, not the refusal
    "columns": (
        lambda m: m["attributes"]["_y_hist"]["__frame__"].update(columns=_range(0, 2**70)),
        r"_y_hist.columns has a range index of 1180591620717411303424 values, which take the file's "
        r"range indexes beyond the 134217728",
    ),
}


@pytest.mark.parametrize("name", list(RANGE_BOMBS))
def test_ranges_declared_huge_are_refused_before_they_are_expanded(forecaster_bytes, name, tmp_path):
    edit, match = RANGE_BOMBS[name]
    start = time.perf_counter()
    _refused(_edit_manifest(forecaster_bytes, edit), match, tmp_path)
    assert time.perf_counter() - start < 5


def test_text_arrays_declared_huge_are_refused_before_numpy_sizes_them(classifier_bytes, tmp_path):
    """numpy gives every item of a text array the longest one's width (4 bytes a character): a 2 MB
    manifest of 300,000 empty texts and one of 2,500 characters took 3.2 GB before load refused it for
    another reason, and a 5 MB one raised numpy's MemoryError instead of the refusal (found by a probe)."""

    def edit(manifest):
        manifest["params"]["verbose"] = {"__array__": [""] * 100_000 + ["a" * 3000], "dtype": "str"}

    members = _members(_edit_manifest(classifier_bytes, edit))
    start = time.perf_counter()
    match = r"parameter verbose holds 100001 texts up to 3000 characters long: .* beyond the 268435456"
    _refused(_zip(members, compression=zipfile.ZIP_STORED), match, tmp_path)  # stored: no ratio to refuse
    assert time.perf_counter() - start < 5


_MEASURE = """
import json, resource, sys, time, warnings
import sklearn_rnn
warnings.simplefilter("ignore")
sklearn_rnn.load(sys.argv[2])  # imports and first-load allocations happen here
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    sklearn_rnn.load(sys.argv[1])
    error = None
except ValueError as exc:
    error = str(exc)
grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"seconds": time.perf_counter() - start, "grew_mb": grew / 1024, "error": error}))
"""


@pytest.mark.parametrize("bomb", ["huge network", "zip bomb"])
def test_bombs_take_neither_memory_nor_time(forecaster_bytes, bomb, tmp_path):
    pytest.importorskip("resource")
    if bomb == "huge network":
        data = _huge_horizon(forecaster_bytes)
    else:  # the manifest padded with 128 MiB of spaces, deflated to 128 KiB
        members = _members(forecaster_bytes)
        members["manifest.json"] += b" " * 2**27
        data = _zip(members)
    (tmp_path / "bomb.skrnn").write_bytes(data)
    (tmp_path / "valid.skrnn").write_bytes(forecaster_bytes)
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tmp_path / "bomb.skrnn"), str(tmp_path / "valid.skrnn")],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    measured = json.loads(result.stdout.splitlines()[-1])
    assert measured["error"] is not None and measured["error"].startswith("Refusing to load")
    assert measured["seconds"] < 5
    assert measured["grew_mb"] < 200


@pytest.mark.parametrize("member", ["manifest.json", "arrays/0.npy", "module.safetensors"])
def test_zip_bomb_members_are_refused(classifier_bytes, member, tmp_path):
    members = _members(classifier_bytes)
    members[member] += b"\0" * 2**24  # 16 MiB deflated to 16 KiB
    _refused(
        _zip(members), rf"{member} inflates \d+ bytes to \d+, more than 20 times \(a zip bomb\)", tmp_path
    )


def test_members_over_their_limits_are_refused(classifier_bytes, tmp_path):
    stored = _zip(_members(classifier_bytes), compression=zipfile.ZIP_STORED)  # no ratio to refuse
    _refused(
        _declare_size(stored, "manifest.json", 300 * 2**20),
        r"manifest.json declares 314572800 bytes, more than the 268435456 this format allows",
        tmp_path,
    )
    _refused(
        _declare_size(stored, "arrays/0.npy", 2**31),
        r"its arrays declare 2147483\d+ bytes, over the 1073741824 it allows",
        tmp_path,
    )


def _forge_compressed_size(members: dict[str, bytes], member: str) -> bytes:
    """A zip of ``members`` (``member`` deflated) whose entry claims 20 times fewer bytes inflated than
    compressed: zipfile reads on until the deflate stream ends, whatever the entry says."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, members[member], compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
        for name, content in members.items():
            if name != member:
                archive.writestr(name, content, compress_type=zipfile.ZIP_STORED)
    data = bytearray(out.getvalue())
    start = data.index(b"PK\x01\x02")  # the central directory entry of member: the first
    assert data[start + 46 : start + 46 + len(member)] == member.encode()
    struct.pack_into("<I", data, start + 20, len(members[member]) // 20 + 1)  # its compressed size
    return bytes(data)


def _peak_of_refusal(path, match: str) -> int:
    """The peak memory (bytes, tracemalloc) of ``load(path)``, which must refuse it with ``match``."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            load(path)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("member", ["arrays/0.npy", "manifest.json"])
def test_forged_compressed_size_is_refused_before_inflating(classifier_bytes, member, tmp_path):
    """The zip-bomb ratio is checked against the bytes a member takes in the file, not its entry's claim."""
    members = _members(classifier_bytes)
    if member == "arrays/0.npy":
        buffer = io.BytesIO()
        np.save(buffer, np.zeros(2**25, np.uint8))  # 32 MiB deflated to 32 KiB
        members[member] = buffer.getvalue()
    else:  # 32 MiB of JSON values that take 22 times their bytes once parsed
        members[member] = b"[" + b"[]," * (2**25 // 3) + b"[]]"
    data = _forge_compressed_size(members, member)
    assert len(data) < 2**20
    (tmp_path / "forged.skrnn").write_bytes(data)
    peak = _peak_of_refusal(
        tmp_path / "forged.skrnn", rf"Refusing to load .*{member} declares \d+ compressed bytes, more "
    )
    assert peak < 2**23  # before the check, the member inflated to 32 MiB (and the JSON parsed to 700)


def test_json_of_too_many_values_is_refused_before_parsing(classifier_bytes, monkeypatch, tmp_path):
    """Parsed JSON takes up to 90 bytes a value: the values are counted (cheaply) before parsing."""
    members = _members(classifier_bytes)
    members["manifest.json"] = (
        b"[" + b"{}," * 2**21 + b"{}]"
    )  # 2**21 + 2 values, counted as 2**22 + 3, in 6 MiB
    monkeypatch.setattr(_archive, "MAX_JSON_VALUES", 2**22)  # the limit is 2**24: a smaller file here
    (tmp_path / "values.skrnn").write_bytes(_zip(members, zipfile.ZIP_STORED))
    peak = _peak_of_refusal(
        tmp_path / "values.skrnn", r"manifest.json holds up to 4194307 JSON values .* more than the 4194304"
    )
    assert peak < 2**24  # the manifest's bytes; parsed, they took 150 MiB
    monkeypatch.setattr(_persistence, "MAX_JSON_VALUES", 100)  # save refuses what load would
    with pytest.raises(
        ValueError, match=r"too large for the safe format: .* JSON values .* 3 to 4 values a batch"
    ):
        save(RNNClassifier(hidden_size=4, max_epochs=1).fit(X, Y), io.BytesIO())


def test_members_sharing_their_bytes_are_refused(classifier_bytes, tmp_path):
    """Two entries of the central directory pointing at one deflated member (an overlapping zip bomb)."""
    members = _members(classifier_bytes)
    data = bytearray(_zip(members))
    entries = []
    start = data.index(b"PK\x01\x02")
    while start >= 0:
        entries.append(start)
        start = data.find(b"PK\x01\x02", start + 4)
    offset = struct.unpack_from("<I", data, entries[0] + 42)[0]
    struct.pack_into("<I", data, entries[1] + 42, offset)  # the second entry points at the first's data
    struct.pack_into("<I", data, entries[1] + 20, struct.unpack_from("<I", data, entries[0] + 20)[0])
    _refused(bytes(data), r"shares its bytes with another member of the archive", tmp_path)


def test_entry_declaring_less_than_it_inflates_is_refused(classifier_bytes, tmp_path):
    """The reader stops at the declared size; the checksum then refuses the cut data."""
    _refused(
        _declare_size(classifier_bytes, "manifest.json", 100),
        r"manifest.json cannot be read \(Bad CRC-32",
        tmp_path,
    )


def test_npy_header_declaring_a_terabyte_is_refused(classifier_bytes, tmp_path):
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    )
    members = _members(classifier_bytes)
    members["arrays/0.npy"] = buffer.getvalue() + b"\0" * 16
    _refused(
        _zip(members),
        r"arrays/0.npy declares an array of shape \(1000000, 1000000\) and dtype float64 "
        r"\(8000000000000 bytes\) but holds 16 bytes",
        tmp_path,
    )


def test_deeply_nested_json_is_refused(classifier_bytes, tmp_path):
    members = _members(classifier_bytes)
    _refused(
        _zip({**members, "manifest.json": b"[" * 10**5 + b"]" * 10**5}, compression=zipfile.ZIP_STORED),
        r"manifest.json nests values too deep to parse",
        tmp_path,
    )
    header = b"[" * 10**5 + b"]" * 10**5
    weights = len(header).to_bytes(8, "little") + header
    _refused(
        _zip({**members, "module.safetensors": weights}, compression=zipfile.ZIP_STORED),
        r"the header of module.safetensors nests values too deep to parse",
        tmp_path,
    )
    nested = 1.0
    for _ in range(40):
        nested = [nested]
    _refused(
        _edit_manifest(classifier_bytes, lambda m: m["params"].update(class_weight=nested)),
        r"manifest.json nests values more than 32 deep",
        tmp_path,
    )


@pytest.mark.parametrize(
    "key, value, match",
    [
        ("x_mean", math.nan, r"its weights hold NaN or inf \('x_mean'\)"),
        ("x_scale", math.inf, r"its weights hold NaN or inf \('x_scale'\)"),
        ("x_scale", 0.0, r"its input scaling 'x_scale' holds scales that are zero or negative"),
        ("x_scale", -1.0, r"its input scaling 'x_scale' holds scales that are zero or negative"),
    ],
)
def test_tampered_input_scaling_is_refused(classifier_bytes, key, value, match, tmp_path):
    def edit(tensors):
        tensors[key] = tensors[key].clone()
        tensors[key][0] = value

    _refused(_edit_tensors(classifier_bytes, "module.safetensors", edit), match, tmp_path)


@pytest.mark.parametrize("reference", [[], {}, ["arrays/0.npy"], 0], ids=repr)
def test_an_array_reference_that_is_not_a_member_name_is_refused(classifier_bytes, reference, tmp_path):
    # a list or dict in place of the member's name crashed load with "unhashable type" (TypeError)
    def edit(manifest):
        assert manifest["attributes"]["classes_"] == {"__ndarray__": "arrays/0.npy"}
        manifest["attributes"]["classes_"] = {"__ndarray__": reference}

    _refused(_edit_manifest(classifier_bytes, edit), r"attribute classes_ holds", tmp_path)

    def name_a_member_it_lacks(manifest):
        manifest["attributes"]["classes_"]["__ndarray__"] = "x.npy"

    missing = _edit_manifest(classifier_bytes, name_a_member_it_lacks)
    _refused(missing, r"attribute classes_ names an array 'x.npy' the file does not hold", tmp_path)


def test_save_stores_what_deflates_too_well_and_it_loads(tmp_path):
    """A series that deflates more than 20 times is stored as it is: load never refuses what save wrote."""
    y = pd.Series(np.tile([1.0, 2.0, 3.0], 2000), index=pd.RangeIndex(6000))
    forecaster = _forecaster(max_epochs=1, batch_size=512).fit(y, fh=[1, 2])
    save(forecaster, tmp_path / "f.skrnn")
    with zipfile.ZipFile(tmp_path / "f.skrnn") as archive:
        kinds = {info.filename: info.compress_type for info in archive.infolist()}
    assert kinds["module.safetensors"] == kinds["optimizer.safetensors"] == zipfile.ZIP_STORED
    assert zipfile.ZIP_STORED in [kind for name, kind in kinds.items() if name.startswith("arrays/")]
    assert kinds["manifest.json"] == zipfile.ZIP_DEFLATED
    pd.testing.assert_series_equal(
        load(tmp_path / "f.skrnn").predict(), forecaster.predict(), check_exact=True
    )


def test_load_leaves_eval_mode_and_torch_generator_as_fit_does(classifier, classifier_bytes):
    """Prediction never switches modes (threads may predict at once); no random numbers are drawn."""
    generator = torch.get_rng_state()
    restored = load(io.BytesIO(classifier_bytes))
    assert torch.equal(torch.get_rng_state(), generator)
    assert not restored.net_.module_.training and not classifier.net_.module_.training


def test_files_of_the_previous_writer_still_load(classifier, classifier_bytes, tmp_path):
    """The previous writer deflated every member, weights included."""
    path = tmp_path / "previous.skrnn"
    path.write_bytes(_zip(_members(classifier_bytes), compression=zipfile.ZIP_DEFLATED))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = load(path)
    np.testing.assert_array_equal(restored.predict_proba(X), classifier.predict_proba(X))


@pytest.mark.parametrize(
    "parameter, value",
    [
        # files of version 0.x: their networks standardised by the training statistics alone
        ("input_scaling", "global"),
        # files written before ensembles: one network
        ("n_networks", 1),
        # files written before dilated kernels: the papers' first block
        ("fcn_dilations", (1,)),
        # files written before the hidden output layer: a linear one
        ("head_hidden_size", None),
    ],
)
def test_file_written_before_a_parameter_existed_loads_as_trained(tmp_path, parameter, value):
    """Such files hold neither the parameter nor the network argument: they load with the value they had."""
    # files written before either parameter trained one network
    params = {"hidden_size": 6, "fcn_filters": (4, 8, 4), "max_epochs": 2, "n_networks": 1, parameter: value}
    clf = RNNClassifier(random_state=0, **params).fit(X, Y)

    def drop(manifest):
        manifest["params"].pop(parameter)
        _set_pair(manifest["attributes"]["_module_kwargs"]["__dict__"], parameter, None)

    path = tmp_path / "old.skrnn"
    path.write_bytes(_edit_manifest(_saved(clf), drop))
    loaded = load(path)
    assert getattr(loaded, parameter) == value
    assert loaded.net_.module_.others is None
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("value", [0, 257, 2.0, "3", True])
def test_tampered_ensemble_size_is_refused(tmp_path, value):
    clf = RNNClassifier(hidden_size=6, fcn_filters=(4, 8, 4), max_epochs=2, random_state=0).fit(X, Y)
    path = tmp_path / "tampered.skrnn"
    path.write_bytes(_edit_manifest(_saved(clf), _module_kwarg("n_networks", value)))
    with pytest.raises(ValueError, match="n_networks"):
        load(path)


def test_forecaster_written_before_the_smoothing_baseline_loads_as_trained(tmp_path):
    # Forecaster files written before the smoothing baseline hold neither ``baseline`` (their networks
    # corrected the naive baseline) nor ``window_length_`` (their window was the int window_length).
    index = pd.period_range("2000-01", periods=40, freq="M")
    y = pd.Series(np.sin(np.arange(40) / 3) + 5, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = _forecaster(baseline="naive").fit(y, fh=[1, 2, 3])

    def drop(manifest):
        manifest["params"].pop("baseline")
        manifest["attributes"].pop("window_length_")
        _set_pair(manifest["attributes"]["_module_kwargs"]["__dict__"], "baseline", None)

    path = tmp_path / "old.skrnn"
    path.write_bytes(_edit_manifest(_saved(f), drop))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load(path)
    assert loaded.baseline == "naive" and loaded.window_length_ == 6
    assert loaded.net_.module_.smoothing is None
    pd.testing.assert_frame_equal(loaded.predict().to_frame(), f.predict().to_frame())


def test_outlier_detector_written_before_the_two_sided_score_scores_its_worst_steps(tmp_path):
    """Such files hold no training statistics: a run's score is its worst steps' mean, as it was."""
    from sklearn_rnn import RNNOutlierDetector

    rng = np.random.default_rng(0)
    runs = [np.sin(np.arange(30) / 2 + rng.uniform(0, 6)) + 0.05 * rng.normal(size=30) for _ in range(12)]
    detector = RNNOutlierDetector(hidden_size=4, max_epochs=2, random_state=0).fit(runs)

    def drop(manifest):  # what such a file lacks: the statistics, and the median over windows after it
        for key in ("statistics_center_", "statistics_scale_", "window_statistic_"):
            manifest["attributes"].pop(key)

    path = tmp_path / "old.skrnn"
    path.write_bytes(_as_older(_saved(detector), drop))
    loaded = load(path)
    assert not hasattr(loaded, "statistics_center_") and not hasattr(loaded, "statistics_scale_")
    as_before = copy.deepcopy(detector)
    as_before.window_statistic_ = "mean"
    worst = np.exp(
        as_before._statistics([as_before._step_scores(as_before._standardise(r[:, None])) for r in runs])
    )
    np.testing.assert_allclose(-loaded.score_samples(runs), worst[:, 0], rtol=1e-5)


def test_anomaly_detector_written_before_the_median_over_windows_keeps_the_mean(tmp_path):
    """Such files hold no ``window_statistic_``: a step's reconstruction miss is the mean, as it was."""
    pytest.importorskip("sktime")
    from sklearn_rnn import RNNAnomalyDetector

    t = np.arange(300)
    series = pd.DataFrame({"s": np.sin(t / 3) + 0.05 * np.random.default_rng(0).normal(size=300)})
    detector = RNNAnomalyDetector(window_length=8, hidden_size=4, max_epochs=2, random_state=0).fit(series)
    path = tmp_path / "old.skrnn"
    path.write_bytes(_edit_manifest(_saved(detector), lambda m: m["attributes"].pop("window_statistic_")))
    loaded = load(path)
    assert not hasattr(loaded, "window_statistic_")
    as_before = copy.deepcopy(detector)
    as_before.window_statistic_ = "mean"
    fresh = series.iloc[:100] + 0.01
    pd.testing.assert_frame_equal(loaded.transform_scores(fresh), as_before.transform_scores(fresh))
    assert not loaded.transform_scores(fresh).equals(detector.transform_scores(fresh))


def test_forecaster_file_from_before_interval_floors_loads_with_the_networks_own_quantiles(tmp_path):
    """Such a file of a series too short to calibrate forecasts as it did then: no floors."""
    y = pd.Series(np.sin(np.arange(12) / 2) + 3, index=pd.period_range("2000-01", periods=12, freq="M"))
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        forecaster = _forecaster().fit(y, fh=[1, 2, 3])
    plain = _forecaster(conformal=False, correction_weight=0.0).fit(y, fh=[1, 2, 3])  # the same weight
    assert forecaster.interval_floors_ is not None and forecaster.correction_weight_.tolist() == [0.0]
    path = tmp_path / "older.skrnn"

    def before(manifest):  # a file from before the floors, and so before the whole-series smoothing
        for name in ("interval_floors_", "series_smoothing_", "series_smoothing_length_"):
            manifest["attributes"].pop(name)

    path.write_bytes(_as_older(_saved(forecaster), before))
    loaded = load(path)
    assert loaded.interval_floors_ is None and loaded.series_smoothing_ is None
    alpha = [0.05, 0.5, 0.95]
    pd.testing.assert_frame_equal(loaded.predict_quantiles(alpha=alpha), plain.predict_quantiles(alpha=alpha))


def test_forecaster_file_from_before_the_whole_series_smoothing_forecasts_with_the_smoothing_alone(tmp_path):
    """Such a file of a series too short to calibrate forecasts as it did then: the fitted smoothing's
    forecasts alone, with the floors."""
    y = pd.Series(np.sin(np.arange(12) / 2) + 3, index=pd.period_range("2000-01", periods=12, freq="M"))
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        forecaster = _forecaster().fit(y, fh=[1, 2, 3])
    assert forecaster.series_smoothing_ is not None and forecaster.series_smoothing_length_ == 12

    def before(manifest):
        for name in ("series_smoothing_", "series_smoothing_length_"):
            manifest["attributes"].pop(name)

    path = tmp_path / "older.skrnn"
    path.write_bytes(_as_older(_saved(forecaster), before))
    loaded = load(path)
    assert loaded.series_smoothing_ is None and loaded.interval_floors_ is not None
    alpha = [0.05, 0.5, 0.95]
    together = forecaster.predict_quantiles(alpha=alpha)
    forecaster.series_smoothing_ = None
    pd.testing.assert_frame_equal(
        loaded.predict_quantiles(alpha=alpha), forecaster.predict_quantiles(alpha=alpha)
    )
    assert not np.allclose(loaded.predict_quantiles(alpha=alpha), together)


def test_a_whole_series_smoothing_longer_than_the_history_or_beside_a_weighted_network_is_refused(
    tmp_path,
):
    """What no fit writes: a length beyond the stored series (a crafted one sized the ONNX map past
    memory), or the smoothing beside a network weighed above 0."""
    y = pd.Series(np.sin(np.arange(12) / 2) + 3, index=pd.period_range("2000-01", periods=12, freq="M"))
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        forecaster = _forecaster().fit(y, fh=[1, 2, 3])
    members = _members(_saved(forecaster))
    _stored_array("series_smoothing_length_", 13)(members)
    path = tmp_path / "longer.skrnn"
    path.write_bytes(_zip(members))
    with pytest.raises(ValueError, match=r"series_smoothing_length_ an integer from 3 to 12 "):
        load(path)
    members = _members(_saved(forecaster))
    _stored_array("correction_weight_", np.array([0.5]))(members)
    path = tmp_path / "weighted.skrnn"
    path.write_bytes(_zip(members))
    with pytest.raises(ValueError, match="weighs its network above 0, which fit never averages"):
        load(path)


@pytest.fixture(scope="module")
def weighted_forecaster():
    """A forecaster whose forecasts weigh its network against its baseline, neither alone."""
    t = np.arange(90, dtype=float)
    y = pd.Series(10 + 0.5 * t + np.random.default_rng(0).normal(scale=0.05, size=90))
    forecaster = _forecaster(hidden_size=8, max_epochs=1, correction_weight=0.4).fit(y, fh=[1, 2, 3])
    assert forecaster.net_.module_.correction_weight == (0.4,)
    return forecaster


def test_correction_weight_survives_save_load_and_pickle(weighted_forecaster, tmp_path):
    import pickle

    path = tmp_path / "weighted.skrnn"
    save(weighted_forecaster, path)
    weight = weighted_forecaster.correction_weight_.tolist()
    for restored in (load(path), pickle.loads(pickle.dumps(weighted_forecaster))):
        assert restored.correction_weight_.tolist() == weight
        assert restored.net_.module_.correction_weight == tuple(weight)
        pd.testing.assert_frame_equal(
            restored.predict_quantiles(alpha=[0.1, 0.5, 0.9]),
            weighted_forecaster.predict_quantiles(alpha=[0.1, 0.5, 0.9]),
        )


def _stored_array(name: str, value):
    """An edit of a saved file that stores ``value`` (an array, or plain JSON) as the attribute ``name``."""

    def edit(members: dict[str, bytes]) -> None:
        manifest = json.loads(members["manifest.json"])
        if isinstance(value, np.ndarray):
            member = f"arrays/{len([m for m in members if m.startswith('arrays/')])}.npy"
            buffer = io.BytesIO()
            np.save(buffer, value, allow_pickle=False)
            members[member] = buffer.getvalue()
            manifest["attributes"][name] = {"__ndarray__": member}
        else:
            manifest["attributes"][name] = value
        members["manifest.json"] = json.dumps(manifest).encode()

    return edit


@pytest.mark.parametrize(
    "name, value, match",
    [
        (
            "correction_weight_",
            np.array([1.5]),
            r"correction_weight_ is not a float array of shape \(1,\), from 0",
        ),
        ("correction_weight_", np.array([-0.1]), r"correction_weight_ is not .* from 0 to 1"),
        ("correction_weight_", np.array([np.nan]), r"correction_weight_ is not .* from 0 to 1"),
        ("correction_weight_", np.array([0.5, 0.5]), r"correction_weight_ is not .* shape \(1,\)"),
        ("correction_weight_", np.array([True]), r"correction_weight_ is not a float array"),
        ("correction_weight_", [0.5], r"correction_weight_ is not a float array"),
        (
            "conformal_offsets_",
            np.zeros((3, 1, 1)),
            r"conformal_offsets_ is not .* shape \(3, 1, 4\), finite\.",
        ),
        ("conformal_offsets_", np.full((3, 1, 4), np.inf), r"conformal_offsets_ is not .* finite\."),
        (
            "interval_floors_",
            np.full((3, 1, 9), -1.0),
            r"interval_floors_ is not .* \(3, 1, 9\), finite and >= 0",
        ),
        ("interval_floors_", np.zeros(9), r"interval_floors_ is not a float array of shape \(3, 1, 9\)"),
        (
            "series_smoothing_",
            np.full((4, 1), 2.0),
            r"series_smoothing_ is not a float array of shape \(4, 1\) from 0 to 1 with "
            r"series_smoothing_length_ an integer from 3 to 90",  # the stored series' 90 values
        ),
        ("series_smoothing_", np.full((4, 1), 0.5), r"\(a fit sets both or neither\)"),  # no length
        ("series_smoothing_length_", 13, r"\(a fit sets both or neither\)"),
    ],
)
def test_tampered_interval_state_is_refused(weighted_forecaster, name, value, match, tmp_path):
    members = _members(_saved(weighted_forecaster))
    _stored_array(name, value)(members)
    path = tmp_path / "tampered.skrnn"
    path.write_bytes(_zip(members))
    with pytest.raises(ValueError, match=match):
        load(path)


def test_forecaster_file_from_before_correction_weights_forecasts_with_its_network(
    weighted_forecaster, tmp_path
):
    def drop(manifest):
        manifest["params"].pop("correction_weight")
        manifest["attributes"].pop("correction_weight_")

    path = tmp_path / "older.skrnn"
    path.write_bytes(_as_older(_saved(weighted_forecaster), drop))
    loaded = load(path)
    assert loaded.correction_weight == 1.0 and loaded.correction_weight_.tolist() == [1.0]
    assert loaded.net_.module_.correction_weight is None
    weighted_forecaster.net_.module_.correction_weight = None  # what it forecast before the weights
    try:
        pd.testing.assert_series_equal(loaded.predict(), weighted_forecaster.predict())
    finally:
        weighted_forecaster.net_.module_.correction_weight = tuple(weighted_forecaster.correction_weight_)


def test_forecaster_file_from_before_the_fitted_smoothing_forecasts_and_trains_as_it_did(tmp_path):
    """Such a file holds neither ``fixed_smoothing`` nor ``median_index``: its correction weight mixes
    each quantile with the baseline, and trained further it keeps learning its smoothing with its
    weights. A file written now shifts the quantiles and keeps the smoothing as fitted."""
    t = np.arange(60, dtype=float)
    y = pd.Series(10 + 0.5 * t + np.sin(t), index=pd.period_range("2000-01", periods=60, freq="M"))
    forecaster = _forecaster(max_epochs=3, correction_weight=0.4).fit(y, fh=[1, 2, 3])

    def drop(manifest):
        for key in ("fixed_smoothing", "median_index"):
            _module_kwarg(key, None)(manifest)

    path = tmp_path / "older.skrnn"
    path.write_bytes(_edit_manifest(_saved(forecaster), drop))
    older = load(path)
    save(forecaster, tmp_path / "now.skrnn")
    now = load(tmp_path / "now.skrnn")
    assert older.net_.module_.smoothing.logits.requires_grad and older.net_.module_.median_index is None
    assert not now.net_.module_.smoothing.logits.requires_grad and now.net_.module_.median_index == 4
    alpha = [0.1, 0.5, 0.9]
    pd.testing.assert_frame_equal(
        now.predict_quantiles(alpha=alpha), forecaster.predict_quantiles(alpha=alpha)
    )
    net = forecaster.net_.module_
    net.median_index = None  # what the file's network computed
    try:
        expected = forecaster.predict_quantiles(alpha=alpha)
    finally:
        net.median_index = 4
    pd.testing.assert_frame_equal(older.predict_quantiles(alpha=alpha), expected)
    assert not expected.equals(now.predict_quantiles(alpha=alpha))
    logits = net.smoothing.logits.detach().clone()
    more = pd.Series(y.iloc[-3:].to_numpy() + 2, index=y.index[-3:] + 3)
    older.update(more)
    now.update(more)
    assert not torch.equal(older.net_.module_.smoothing.logits, logits)
    torch.testing.assert_close(now.net_.module_.smoothing.logits, logits)


@pytest.mark.parametrize("value", [0, 9, -1, "4", 4.0, True])
def test_tampered_median_index_is_refused(tmp_path, value):
    y = pd.Series(np.sin(np.arange(40) / 3) + 5, index=pd.period_range("2000-01", periods=40, freq="M"))
    forecaster = _forecaster(correction_weight=0.5).fit(y, fh=[1, 2])
    path = tmp_path / "tampered.skrnn"
    path.write_bytes(_edit_manifest(_saved(forecaster), _module_kwarg("median_index", value)))
    with pytest.raises(ValueError, match="median_index"):
        load(path)


@pytest.mark.parametrize("forged", ["99999999999999999999D", "0D", "-3D", 10**30, "<DateOffset: months=1>"])
def test_an_anomaly_detector_file_with_a_forged_stream_step_is_refused(forged, tmp_path):
    """A frequency beyond pandas' dates crashed load with an OverflowError (or, accepted, every later
    call); a step of 0 or less would read overlapping chunks as continuing the stream."""
    from sklearn_rnn import RNNAnomalyDetector

    data = pd.DataFrame(
        {"v": np.sin(np.arange(100) / 3)}, index=pd.date_range("2024-01-01", periods=100, freq="h")
    )
    saved = _saved(RNNAnomalyDetector(window_length=8, hidden_size=4, max_epochs=1, random_state=0).fit(data))
    assert json.loads(_members(saved)["manifest.json"])["attributes"]["index_freq_"] == "h"

    def forge(manifest):
        manifest["attributes"]["index_freq_"] = forged

    (tmp_path / "forged.skrnn").write_bytes(_edit_manifest(saved, forge))
    with pytest.raises(ValueError, match=r"index_freq_=.* is refused; it must be None, a pandas frequency"):
        load(tmp_path / "forged.skrnn")


def test_an_anomaly_detector_file_from_before_event_peak_flags_every_step_above_its_threshold(tmp_path):
    """It was fitted and calibrated flagging each step above the threshold: it loads with event_peak=1,
    and a stream it saved (its past without the open event) goes on."""
    from sklearn_rnn import RNNAnomalyDetector

    t = np.arange(600)
    data = pd.DataFrame({"v": np.sin(t / 3) + 0.1 * np.random.default_rng(0).standard_normal(600)})
    detector = RNNAnomalyDetector(
        window_length=8, hidden_size=4, max_epochs=2, event_peak=1.0, random_state=0
    )
    detector.fit(data.iloc[:400]).update(data.iloc[:400])

    def before(manifest):
        manifest["params"].pop("event_peak")
        context = manifest["attributes"]["_context"]["__tuple__"]
        assert len(context) == 5
        context.pop()

    path = tmp_path / "old.skrnn"
    path.write_bytes(_as_older(_saved(detector), before))
    loaded = load(path)
    assert loaded.event_peak == 1.0 and len(loaded._context) == 4
    later = data.iloc[400:].copy()
    later.iloc[50, 0] += 3.0
    pd.testing.assert_frame_equal(loaded.predict(later), detector.predict(later))
    scores = loaded.transform_scores(later)["scores"].to_numpy()
    assert 50 in loaded.predict(later)["ilocs"].tolist()
    assert loaded.predict(later)["ilocs"].tolist() == np.flatnonzero(scores > loaded.threshold_).tolist()


@pytest.mark.parametrize("trail", [[np.nan, np.nan], [5.0, np.inf], [1.5, -1.0], [1.5, 0.5], [1.0, 2.0, 3.0]])
def test_an_anomaly_detector_file_with_a_forged_open_event_is_refused(trail, tmp_path):
    """A NaN or infinite gap loaded and broke the first chunk that continued the stream; a negative one
    would make any first run of the next chunk continue the stored event."""
    from sklearn_rnn import RNNAnomalyDetector

    data = pd.DataFrame({"v": np.sin(np.arange(200) / 3)})
    detector = RNNAnomalyDetector(window_length=8, hidden_size=4, max_epochs=1, random_state=0).fit(data)
    saved = _saved(detector.update(data))
    members = _members(saved)
    member = json.loads(members["manifest.json"])["attributes"]["_context"]["__tuple__"][4]["__ndarray__"]
    (tmp_path / "forged.skrnn").write_bytes(_with_npy(members, member, np.array(trail)))
    with pytest.raises(ValueError, match="_context"):
        load(tmp_path / "forged.skrnn")


@pytest.mark.parametrize("part, value", [(1, np.inf), (2, -np.inf), (2, -1.0), (3, np.inf)])
def test_an_anomaly_detector_file_with_a_forged_stream_past_is_refused(part, value, tmp_path):
    """Infinite scaled steps or scores, or negative scores (misses in units of a spread), which no stream
    holds, loaded (found by a probe); NaN, a step without a value, is the stream's own."""
    from sklearn_rnn import RNNAnomalyDetector

    data = pd.DataFrame({"v": np.sin(np.arange(200) / 3)})
    detector = RNNAnomalyDetector(window_length=8, hidden_size=4, max_epochs=1, smoothing=3, random_state=0)
    members = _members(_saved(detector.fit(data).update(data)))
    member = json.loads(members["manifest.json"])["attributes"]["_context"]["__tuple__"][part]["__ndarray__"]
    stored = np.load(io.BytesIO(members[member]))
    stored[..., -1] = value
    _refused(_with_npy(members, member, stored), "_context", tmp_path)


def test_a_forecaster_file_whose_history_holds_infinity_is_refused(forecaster_bytes, tmp_path):
    """fit refuses infinite y; the file loaded, and predict blamed the network's outputs (or, with the
    value early in the history, forecast as if nothing were wrong until an update reached it)."""
    members = _members(forecaster_bytes)
    frame = json.loads(members["manifest.json"])["attributes"]["_y_hist"]["__frame__"]
    member = frame["data"][0]["__ndarray__"]
    stored = np.load(io.BytesIO(members[member]))
    stored[0] = np.inf
    _refused(
        _with_npy(members, member, stored), "its _y_hist holds infinite values, which fit refuses", tmp_path
    )


def test_states_no_fit_writes_are_refused_rather_than_failing_or_misleading_later(
    classifier_bytes, forecaster_bytes, tmp_path
):
    """Found by a probe of crafted files: each loaded, then predicted wrongly without a word (one
    target of two), or failed at every call with an error naming another cause."""
    # a two-target regressor marked as fitted on a 1D y: predict returned the first target alone
    regressor = RNNRegressor(architecture="rnn", hidden_size=4, max_epochs=1, random_state=0)
    two = _saved(regressor.fit(X, np.stack([Y, 100.0 + Y], axis=1).astype(float)))
    edited = _edit_manifest(two, lambda m: m["attributes"].update(_y_1d=True))
    _refused(edited, r"_y_1d=True is refused; it must be .* one target only", tmp_path)
    # a negative batch-norm variance: every predict said X was out of range or training diverged
    key = next(
        k for k in load_tensors(_members(classifier_bytes)["module.safetensors"]) if "running_var" in k
    )
    edited = _edit_tensors(classifier_bytes, "module.safetensors", lambda t: t[key].fill_(-1e-3))
    _refused(edited, rf"batch normalisation '{key}' holds negative variances", tmp_path)
    # quantile levels in float128 (or float16, which rounds them): torch and scipy refused them later
    members = _members(forecaster_bytes)
    member = json.loads(members["manifest.json"])["attributes"]["quantile_levels_"]["__ndarray__"]
    levels = np.load(io.BytesIO(members[member]))
    for dtype in (np.longdouble, np.float16):
        if np.dtype(dtype).itemsize in (4, 8):  # no wider float on this platform
            continue
        edited = _with_npy(members, member, levels.astype(dtype))
        _refused(edited, rf"{member} is not a plain numeric .npy array \(dtype {np.dtype(dtype)}\)", tmp_path)
    # a column modelled on logs whose stored values are not all positive: predict blamed new y
    member = json.loads(members["manifest.json"])["attributes"]["log_transform_"]["__ndarray__"]
    edited = _with_npy(members, member, np.array([True, True]))  # column b, a cosine, on logs too
    _refused(edited, "its _y_hist holds values <= 0 in a column modelled on the log scale", tmp_path)
    # a version of thousands of digits: int() raised its own ValueError, without "Refusing to load"
    for field in ("sklearn_rnn_version", "torch_version"):
        edited = _edit_manifest(forecaster_bytes, lambda m, f=field: m.update({f: "9" * 5000 + ".1"}))
        (tmp_path / "version.skrnn").write_bytes(edited)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load(tmp_path / "version.skrnn")  # no release: read as an unknown version, as "abc" is


def _custom_hours(openings: int) -> list:
    starts = [f"{m // 60:02d}:{m % 60:02d}" for m in range(0, 2 * openings, 2)]
    ends = [f"{(m + 1) // 60:02d}:{(m + 1) % 60:02d}" for m in range(0, 2 * openings, 2)]
    return ["CustomBusinessHour", 1, "1111111", [], starts, ends]


@pytest.mark.parametrize(
    "forged",
    [
        _custom_hours(720),  # pandas checks every stored date against every opening: 2.7 ms a date
        ["CustomBusinessDay", 1, "1111100", ["2024-01-01"] * 20_001, [], []],
        ["CustomBusinessDay", 1, "1111100", ["2024-13-45"], [], []],
        ["CustomBusinessDay", 0, None, [], [], []],
        ["BusinessHour", 1, None, [], ["25:00"], ["17:00"]],
        ["Easter", 1, None, [], [], []],
        ["CustomBusinessDay", True, None, [], [], []],
    ],
    ids=["720-openings", "20001-holidays", "no-date", "n-0", "no-hour", "other-offset", "n-bool"],
)
def test_a_crafted_custom_frequency_is_refused_quickly(forged, tmp_path):
    """A business hour of 720 one-minute openings kept load busy 5.9 s for 2000 stored hours (hours for
    an array of the size allowed) before refusing the file."""
    y = pd.Series(np.sin(np.arange(400) / 5) + 5, index=pd.date_range("2024-01-01", periods=400, freq="h"))
    saved = _saved(_forecaster(max_epochs=1).fit(y, fh=[1]))

    def forge(node):
        if isinstance(node, dict):
            if node.get("freq") == "h" and "i8" in node:
                node["freq"] = forged
            for value in node.values():
                forge(value)
        elif isinstance(node, list):
            for value in node:
                forge(value)

    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    forge(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    (tmp_path / "forged.skrnn").write_bytes(_zip(members, zipfile.ZIP_STORED))
    # refused by the rule of the stored parts (the bounds), or where pandas refuses a date or an hour
    with pytest.raises(
        ValueError,
        match=r"Refusing to load .* (has a frequency .* this format does not write|pandas cannot build)",
    ):
        load(tmp_path / "forged.skrnn")


def test_in_sample_horizon_is_refused_as_the_format_says(forecaster_bytes, tmp_path):
    """sktime's NotImplementedError for an in-sample horizon escaped load instead of its refusal; a
    relative horizon fit never stores (steps outside 1..horizon_) is refused before sktime sees it."""
    in_sample = {"__index__": {"kind": "objects", "values": [0, 1, 2], "object": False, "names": [None]}}
    _refused(
        _edit_manifest(forecaster_bytes, lambda m: _set_fh(m, in_sample)),
        r"its forecasting horizon's steps 0 to 2 are not within the 1 to \d+ its network forecasts",
        tmp_path,
    )


# -- found by a review of the format (2026-12-07) ----------------------------------------------------
def _overlapping_stored_arrays(members: dict[str, bytes], n: int, payload: int) -> bytes:
    """A zip whose ``n`` stored .npy members each hold, and checksum, the local headers and data of all
    the members after it (then ``payload`` zeros): about ``n * payload`` bytes read from a file of
    about ``payload``, with the other ``members`` after them."""

    def local(name: bytes, crc: int, size: int) -> bytes:
        return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, size, size, len(name), 0) + name

    def central(name: bytes, crc: int, size: int, offset: int) -> bytes:
        fields = (b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size, len(name), 0, 0, 0, 0, 0, offset)
        return struct.pack("<4s6H3L5H2L", *fields) + name

    blob, entries = bytes(payload), []
    for i in range(n - 1, -1, -1):  # backwards: each member's data holds the members after it
        header = io.BytesIO()
        shape = {"descr": "|u1", "fortran_order": False, "shape": (len(blob),)}
        np.lib.format.write_array_header_1_0(header, shape)
        data = header.getvalue() + blob
        name, crc = f"arrays/{i}.npy".encode(), zlib.crc32(data)
        head = local(name, crc, len(data))
        entries.insert(0, (name, crc, len(data), len(head) + len(header.getvalue())))
        blob = head + data
    out, directory, offset = bytearray(blob), [], 0
    for name, crc, size, lead in entries:  # a member's local header follows the one before's lead
        directory.append(central(name, crc, size, offset))
        offset += lead
    for name, content in members.items():
        if not name.startswith("arrays/"):
            crc = zlib.crc32(content)
            directory.append(central(name.encode(), crc, len(content), len(out)))
            out += local(name.encode(), crc, len(content)) + content
    start, listing = len(out), b"".join(directory)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(directory), len(directory), len(listing), start, 0)
    return bytes(out + listing + end)


def test_stored_members_overlapping_the_ones_after_them_are_refused_before_they_are_read(tmp_path):
    """Found by a review: the room a member takes was checked for deflated members only, so stored
    ones could declare the bytes of the members after them: a 2.4 MiB file made load read 925 MiB."""
    regressor = RNNRegressor(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, random_state=0)
    members = _members(_saved(regressor.fit(X, Y.astype(float))))
    n = sum(name.startswith("arrays/") for name in members)
    data = _overlapping_stored_arrays(members, n, 2**22)
    assert len(data) < 2**22 + 2**18  # each member declares 4 MiB and more
    (tmp_path / "overlapping.skrnn").write_bytes(data)
    peak = _peak_of_refusal(
        tmp_path / "overlapping.skrnn", r"arrays/0.npy declares \d+ compressed bytes, more than it takes"
    )
    assert peak < 2**21


def test_tensors_of_many_dimensions_are_refused_before_their_size_is_computed(classifier_bytes, tmp_path):
    """Found by a review: the product of a tensor's shape was computed before its length was bounded,
    in time quadratic in it (a 466 KB file of 4 million dimensions ran for minutes)."""
    members = _members(classifier_bytes)
    raw = members["module.safetensors"]
    size = struct.unpack_from("<Q", raw)[0]
    header = json.loads(raw[8 : 8 + size])
    name = next(k for k, v in header.items() if k != "__metadata__" and math.prod(v["shape"]) > 1)
    header[name]["shape"] = [1] * 8 + [math.prod(header[name]["shape"])]  # 9 dimensions, the same size
    text = json.dumps(header).encode()
    members["module.safetensors"] = struct.pack("<Q", len(text)) + text + raw[8 + size :]
    _refused(_zip(members), rf"tensor '{name}' is described as", tmp_path)


def _with_array(data: bytes, attribute: str, array: np.ndarray) -> bytes:
    """``data`` with the stored array of ``attribute`` replaced by ``array``."""
    members = _members(data)
    member = json.loads(members["manifest.json"])["attributes"][attribute]["__ndarray__"]
    return _with_npy(members, member, array)


def test_target_means_one_per_output_or_refused(tmp_path):
    """Found by a review: three target means on a network of one output loaded, and predict returned
    three columns."""
    regressor = RNNRegressor(hidden_size=4, fcn_filters=(4, 4, 4), max_epochs=1, random_state=0)
    one_output = _saved(regressor.fit(X, Y.astype(float)))
    two_d = _edit_manifest(one_output, lambda m: m["attributes"].update(_y_1d=False))
    three = _with_array(two_d, "y_mean_", np.array([0.0, 100.0, -50.0]))
    _refused(
        _with_array(three, "y_scale_", np.ones(3)),
        r"y_mean_=.* is refused; it must be finite floats, one per output \(n_outputs_\)",
        tmp_path,
    )


def test_a_window_beyond_the_format_limit_is_refused(forecaster_bytes, tmp_path):
    """Found by a review: no weight depends on a forecaster's window, so a 9 KB file with a window of
    2**24 steps loaded, and predict asked for 3.8 GB."""
    _refused(
        _edit_manifest(forecaster_bytes, lambda m: m["attributes"].update(window_length_=2**24)),
        r"window_length_=16777216 is refused; it must be an integer from 1 to 65536",
        tmp_path,
    )


@pytest.fixture(scope="module")
def exogenous_forecaster():
    index = pd.period_range("2000-01", periods=44, freq="M")
    exogenous = pd.DataFrame({"promo": np.arange(44) % 4, "price": np.linspace(5, 6, 44)}, index=index)
    y = pd.Series(np.sin(np.arange(40) / 3) + 5 + exogenous["promo"].iloc[:40], index=index[:40])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _saved(_forecaster().fit(y, X=exogenous.iloc[:40], fh=[1, 2])), exogenous


def test_exogenous_columns_in_another_order_than_the_stored_x_are_refused(exogenous_forecaster, tmp_path):
    """Found by a review: _x_columns reversed loaded, and predict fed each column to the other's
    weights (forecasts [7.86 5.16 5.16 5.16] became [6.60 4.81 7.87 4.17])."""
    saved, exogenous = exogenous_forecaster
    swapped = _edit_manifest(saved, lambda m: m["attributes"].update(_x_columns=["price", "promo"]))
    _refused(swapped, r"_x_columns=\['price', 'promo'\] are not the columns of the X it holds", tmp_path)
    assert load(io.BytesIO(saved)).predict(X=exogenous.iloc[40:42]).shape == (2,)


def test_a_second_columns_log_flag_and_scaling_on_a_series_of_one_are_refused(exogenous_forecaster, tmp_path):
    """Found by a review: they loaded, and predict raised an IndexError."""
    members = _members(exogenous_forecaster[0])
    attributes = json.loads(members["manifest.json"])["attributes"]
    scaling = re.findall(r'"(arrays/\d+\.npy)"', json.dumps(attributes["_y_scaling"]))
    for member, array in zip(
        [attributes["log_transform_"]["__ndarray__"], *scaling],
        [np.zeros(2, dtype=bool), np.zeros(2), np.ones(2)],
        strict=True,
    ):
        members = _members(_with_npy(members, member, array))
    _refused(
        _zip(members), r"its log_transform_ and series scaling hold 2 columns, but its series 1", tmp_path
    )


def test_outlier_statistics_of_another_shape_are_refused(tmp_path):
    from sklearn_rnn import RNNOutlierDetector

    runs = [np.random.default_rng(i).normal(size=(30, 2)) for i in range(20)]
    saved = _saved(RNNOutlierDetector(window_length=4, hidden_size=4, max_epochs=1, random_state=0).fit(runs))
    one = _with_array(_with_array(saved, "statistics_center_", np.zeros(1)), "statistics_scale_", np.ones(1))
    _refused(one, r"statistics_center_=.* is refused; it must be two finite floats", tmp_path)
    from sklearn_rnn import RNNAnomalyDetector

    series = pd.DataFrame(np.random.default_rng(0).normal(size=(300, 2)))
    detector = RNNAnomalyDetector(window_length=4, hidden_size=4, max_epochs=1, random_state=0).fit(series)
    assert detector.start_scale_.shape == (3, 2)
    longer = _with_array(_saved(detector), "start_scale_", np.ones((7, 2)))
    longer = _with_array(longer, "end_scale_", np.ones((7, 2)))  # the two alike, as a fit sets them
    _refused(longer, r"(?s)start_scale_=.* a row a step of the window but its last", tmp_path)
