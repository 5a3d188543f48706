"""Behaviour of the fast paths: threads, batched prediction, ragged ordering, devices.

These tests check what the fast paths compute and what state they leave behind,
not how fast they are (timings live in ``benchmarks/speed.py``).
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import threading

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._runtime import _glibc
from sklearn_rnn._training import SequenceDataset, predict_in_batches

TINY = {
    "architecture": "rnn",
    "hidden_size": 4,
    "max_epochs": 2,
    "batch_size": 8,
    "n_networks": 1,
    "random_state": 0,
}

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


class RecordThreads(Callback):
    """Store torch's thread count, as seen inside training, in the net's history."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())


def _tiny(cls=RNNClassifier, **params):
    est = cls(**{**TINY, **params})
    # keep the tiny setting whatever the defaults become; drop keys an older build lacks
    return est.set_params(**{k: v for k, v in {**TINY, **params}.items() if k in est.get_params()})


def _equal(n=40, T=12, F=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, F)).astype(np.float32)
    y = (X[:, :, 0].mean(1) > 0).astype(int)
    return X, y


def _ragged(n=40, F=2, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 20, n)
    X = [rng.standard_normal((t, F)).astype(np.float32) for t in lengths]
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    return X, y


def _record_module_calls(module):
    """Shapes of every batch the module sees (a forward pre-hook), and the hook handle."""
    shapes = []

    def hook(mod, args, kwargs):
        X = kwargs.get("X", args[0] if args else None)
        lengths = kwargs.get("lengths", args[1] if len(args) > 1 else None)
        shapes.append((tuple(X.shape), None if lengths is None else lengths.clone()))

    return shapes, module.register_forward_pre_hook(hook, with_kwargs=True)


# -- threads ------------------------------------------------------------------------------------
@pytest.mark.parametrize("n_threads", [1, 2])
def test_threads_bounded_inside_fit_and_restored_after(n_threads):
    X, y = _equal()
    before = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        clf = _tiny(n_threads=n_threads, callbacks=[("threads", RecordThreads())]).fit(X, y)
        assert torch.get_num_threads() == 3
        assert set(clf.net_.history[:, "torch_threads"]) == {n_threads}
        clf.predict(X)
        clf.predict_proba(X)
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(before)


def test_numpys_blas_is_bounded_in_the_forecasters_smoothing_fits_and_restored_after(monkeypatch):
    """The smoothing baseline's fits run on NumPy's BLAS, whose pool is every core's: n_threads bounds
    it too (a one-thread fit used both cores of this machine for them)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    from sklearn_rnn import RNNForecaster
    from sklearn_rnn._networks.forecast import ExponentialSmoothing

    def blas() -> set[int]:
        return {info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"}

    seen, fit = [], ExponentialSmoothing.fit
    monkeypatch.setattr(
        ExponentialSmoothing, "fit", lambda self, *a, **k: (seen.append(blas()), fit(self, *a, **k))
    )
    y = np.sin(np.arange(60.0) / 3) + np.arange(60.0) / 20
    with threadpool_limits(2, user_api="blas"):
        RNNForecaster(hidden_size=4, max_epochs=1, n_threads=1, random_state=0).fit(y, fh=[1, 2])
        assert blas() == {2}
    assert seen == [{1}]


def test_n_threads_none_leaves_torch_alone():
    X, y = _equal()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        clf = _tiny(n_threads=None, callbacks=[("threads", RecordThreads())]).fit(X, y)
        assert set(clf.net_.history[:, "torch_threads"]) == {2}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_n_threads_none_sets_nothing_on_exit_either():
    """A fit with n_threads=None set torch's thread count on exit to what it read on entry, which is
    the value new threads start with (torch keeps the last one set for the process): a thread begun
    during another thread's fit with n_threads=1 made every later thread start with 1."""
    X, y = _equal()
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        entered = threading.Event()

        class SetElsewhere(Callback):  # another thread sets a bound while this fit runs
            def on_epoch_end(self, net, **kwargs):
                if not entered.is_set():
                    thread = threading.Thread(target=torch.set_num_threads, args=(1,))
                    thread.start()
                    thread.join()
                    entered.set()

        _tiny(n_threads=None, callbacks=[("elsewhere", SetElsewhere())]).fit(X, y)
        started = []
        thread = threading.Thread(target=lambda: started.append(torch.get_num_threads()))
        thread.start()
        thread.join()
        assert started == [1]  # the other thread's setting, as torch keeps it: not this fit's 2
    finally:
        torch.set_num_threads(before)


def test_threads_restored_when_fit_fails():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        clf = _tiny(n_threads=1, callbacks=[("boom", _Boom())])
        with pytest.raises(RuntimeError, match="boom"):
            clf.fit(*_equal())
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


class _Boom(Callback):
    def on_epoch_begin(self, net, **kwargs):
        raise RuntimeError("boom")


def _threads_seen_in_fit(estimator, X, y):
    """A scorer run in the search's worker: the thread count training saw there."""
    return float(max(estimator.net_.history[:, "torch_threads"]))


def test_grid_search_with_two_jobs_runs_one_torch_thread_per_worker():
    X, y = _equal(n=48)
    search = GridSearchCV(
        _tiny(callbacks=[("threads", RecordThreads())]),
        {"cell": ["lstm", "gru"]},
        cv=2,
        n_jobs=2,
        scoring={"accuracy": "accuracy", "threads": _threads_seen_in_fit},
        refit="accuracy",
    ).fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_threads"], 1.0)
    assert np.isfinite(search.cv_results_["mean_test_accuracy"]).all()
    assert search.best_params_["cell"] in {"lstm", "gru"}
    assert search.predict(X).shape == (48,)


# -- memory freed between training batches -------------------------------------------------------
# Measured in a fresh process: there the main thread allocates from glibc's main arena, whose heap
# can hold a 64 MiB block. A thread's arena cannot (its heaps are at most 64 MiB), so in a test
# runner that allocates from a thread arena every such block is mapped afresh whatever the settings.
_MEMORY_SCRIPT = """
import json, resource, torch
from sklearn_rnn._runtime import retain_freed_memory

def faults_per_block(blocks):
    faults = []
    for _ in range(blocks):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        torch.ones(64 * 2**18)  # 64 MiB of float32: every page written, then freed
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return faults

def resident_pages():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1])

with retain_freed_memory():
    inside = faults_per_block(8)
    held = resident_pages()
print(json.dumps({"inside": inside, "returned": held - resident_pages()}))
"""


_BLOCK_PAGES = 64 * 2**20 // resource.getpagesize()


def _memory_in_fresh_process(first: str = "", **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    out = subprocess.run(
        [sys.executable, "-c", first + _MEMORY_SCRIPT],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout)


@pytest.mark.skipif(_glibc() is None, reason="tunes glibc's malloc only")
def test_training_reuses_freed_memory_then_returns_it():
    seen = _memory_in_fresh_process()
    # once the heap has room (after a few blocks), a freed block is reused, not faulted in again
    assert max(seen["inside"][-3:]) < _BLOCK_PAGES // 10, seen
    assert seen["returned"] > _BLOCK_PAGES // 2, seen  # on exit the kept block goes back to the system


@pytest.mark.skipif(_glibc() is None, reason="tunes glibc's malloc only")
def test_malloc_settings_in_the_environment_are_left_alone():
    seen = _memory_in_fresh_process(MALLOC_TRIM_THRESHOLD_="131072")
    assert min(seen["inside"]) > _BLOCK_PAGES // 2, seen


@pytest.mark.skipif(_glibc() is None or not os.path.exists("/proc/self/environ"), reason="glibc on Linux")
def test_a_malloc_variable_set_after_the_process_started_does_not_turn_retention_off():
    """Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in os.environ for the workers it spawns, in
    the client's process with a LocalCluster, where glibc never reads it: the client's own fits
    (GridSearchCV's refit too) lost retention, as if the user had chosen malloc's behaviour."""
    set_later = "import os; os.environ['MALLOC_TRIM_THRESHOLD_'] = '65536'\n"
    seen = _memory_in_fresh_process(set_later)
    assert max(seen["inside"][-3:]) < _BLOCK_PAGES // 10, seen


# -- batched prediction ---------------------------------------------------------------------------
@pytest.mark.parametrize("data", [_equal, _ragged])
def test_predict_in_small_batches_equals_one_batch(data):
    X, y = data()
    clf = _tiny(batch_size=7).fit(X, y)
    shapes, handle = _record_module_calls(clf.net_.module_)
    small = clf.predict_proba(X)
    handle.remove()
    assert max(s[0] for s, _ in shapes) <= 7  # never more than one batch of rows at once
    assert len(shapes) == int(np.ceil(len(y) / 7))
    clf.set_params(batch_size=len(y))
    whole = clf.predict_proba(X)
    np.testing.assert_allclose(small, whole, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[small.argmax(1)])


def test_regressor_predicts_the_same_in_any_batch_size():
    X, _ = _ragged(n=30)
    target = np.array([x[:, 0].sum() for x in X])
    reg = _tiny(RNNRegressor, batch_size=4).fit(X, target)
    small = reg.predict(X)
    reg.set_params(batch_size=1000)
    np.testing.assert_allclose(small, reg.predict(X), rtol=1e-5, atol=1e-5)


def test_ragged_batches_run_sorted_by_length_and_are_trimmed():
    X, y = _ragged(n=33)
    clf = _tiny(batch_size=5).fit(X, y)
    shapes, handle = _record_module_calls(clf.net_.module_)
    clf.predict(X)
    handle.remove()
    maxima = [int(lengths.max()) for _, lengths in shapes]
    assert maxima == sorted(maxima)  # shortest first
    for shape, lengths in shapes:  # each batch padded only to its own longest sequence
        assert shape[1] == int(lengths.max())


@pytest.mark.parametrize("by_length", [True, False])
def test_ragged_training_batches_by_length_or_at_random(by_length):
    # by_length (networks without batch norm): each batch holds like lengths; otherwise batches are
    # drawn at random, whatever the lengths
    from sklearn_rnn._data import Sequences
    from sklearn_rnn._training import BatchIterator

    lengths = np.arange(1, 65)
    values = np.zeros((64, 64, 1), dtype=np.float32)
    data = SequenceDataset(Sequences(values, lengths, False))
    torch.manual_seed(0)
    batches = [x["lengths"] for x, _ in BatchIterator(data, 8, shuffle=True, by_length=by_length)]
    assert sorted(torch.cat(batches).tolist()) == lengths.tolist()  # every sequence once
    spreads = [int(b.max() - b.min()) for b in batches]
    if by_length:
        assert max(spreads) == 7  # the 8 lengths in a row
    else:
        assert min(spreads) > 20


def test_only_networks_without_batch_norm_train_on_batches_by_length():
    X, y = _ragged(n=20)
    assert _tiny(architecture="rnn").fit(X, y).net_.iterator_train__by_length is True
    assert _tiny(architecture="lstm-fcn").fit(X, y).net_.iterator_train__by_length is False


def test_ragged_predictions_do_not_depend_on_order_or_neighbours():
    X, y = _ragged(n=30)
    clf = _tiny(batch_size=4).fit(X, y)
    proba = clf.predict_proba(X)
    perm = np.random.default_rng(1).permutation(len(X))
    np.testing.assert_allclose(clf.predict_proba([X[i] for i in perm]), proba[perm], rtol=1e-5, atol=1e-6)
    alone = np.vstack([clf.predict_proba([x]) for x in X[:6]])
    np.testing.assert_allclose(alone, proba[:6], rtol=1e-5, atol=1e-6)


def test_predict_in_batches_runs_in_eval_mode_and_keeps_order():
    X, y = _ragged(n=20)
    clf = _tiny().fit(X, y)
    module = clf.net_.module_
    module.train()  # as a user training the module by hand would leave it
    data = SequenceDataset(clf._validate_X(X, reset=False))
    out = predict_in_batches(clf.net_, data, batch_size=3)
    # eval mode, and left there: switching back would race with predicts in other threads
    # (issue 11: outputs off by up to 0.175 with 8 threads); training sets its own mode
    assert not module.training
    assert out.device.type == "cpu" and out.shape == (20, 2)
    np.testing.assert_allclose(
        torch.softmax(out.double(), 1).numpy(), clf.predict_proba(X), rtol=1e-5, atol=1e-6
    )


# -- the ragged fast path of validation still refuses bad values -------------------------------------
def test_ragged_validation_fast_path_still_checks_values():
    X, y = _ragged(n=10)
    clf = _tiny().fit(X, y)
    bad = [x.copy() for x in X]
    bad[3][1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(bad)
    bad[3][1, 0] = np.inf
    with pytest.raises(ValueError, match="infinity|inf"):
        clf.predict(bad)
    as_int = [np.rint(x * 10).astype(np.int64) for x in X]  # other dtypes take the checked route
    assert clf.predict(as_int).shape == (10,)


# -- devices -----------------------------------------------------------------------------------------
@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only behaviour")
def test_auto_device_falls_back_to_cpu_and_cuda_is_refused_without_gpu():
    X, y = _equal()
    clf = _tiny(device="auto").fit(X, y)
    assert str(clf.net_.device) == "cpu"
    assert next(clf.net_.module_.parameters()).device.type == "cpu"
    with pytest.raises(ValueError, match="CUDA is not available"):
        _tiny(device="cuda").fit(X, y)


class RecordCudaSettings(Callback):
    """Store the settings that make GPU fits repeatable, as seen inside training, in the history."""

    def on_epoch_end(self, net, **kwargs):
        net.history.record("cuda_settings", _cuda_settings())


def _cuda_settings():
    cudnn = torch.backends.cudnn
    return (
        torch.are_deterministic_algorithms_enabled(),
        torch.is_deterministic_algorithms_warn_only_enabled(),
        cudnn.deterministic,
        cudnn.benchmark,
        cudnn.allow_tf32,
        torch.backends.cuda.matmul.allow_tf32,
    )


def test_gpu_settings_held_during_fit_then_restored(monkeypatch):
    """Where torch sees a GPU, training runs with deterministic kernels and no TF32, then restores."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)  # the settings alone, on the CPU
    monkeypatch.delenv("CUBLAS_WORKSPACE_CONFIG", raising=False)
    cudnn = torch.backends.cudnn
    before = _cuda_settings()
    cudnn.benchmark, cudnn.allow_tf32 = True, True  # a user's own choice, kept outside the fit
    try:
        X, y = _ragged()
        clf = _tiny(callbacks=[("cuda", RecordCudaSettings())]).fit(X, y)
        inside = {tuple(s) for s in clf.net_.history[:, "cuda_settings"]}
        assert inside == {(True, True, True, False, False, False)}
        assert os.environ["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"
        mine = (True, True, False)  # benchmark, TF32 convolutions, deterministic algorithms
        assert (cudnn.benchmark, cudnn.allow_tf32, torch.are_deterministic_algorithms_enabled()) == mine
        with pytest.raises(RuntimeError, match="boom"):  # restored when training fails too
            _tiny(callbacks=[("boom", _Boom())]).fit(X, y)
        assert (cudnn.benchmark, cudnn.allow_tf32, torch.are_deterministic_algorithms_enabled()) == mine
        torch.use_deterministic_algorithms(True)  # a user's strict setting: kept strict inside
        clf = _tiny(callbacks=[("cuda", RecordCudaSettings())]).fit(X, y)
        assert {tuple(s)[:2] for s in clf.net_.history[:, "cuda_settings"]} == {(True, False)}
        assert torch.are_deterministic_algorithms_enabled()
        assert not torch.is_deterministic_algorithms_warn_only_enabled()
    finally:
        cudnn.benchmark, cudnn.allow_tf32 = before[3], before[4]
        torch.use_deterministic_algorithms(before[0], warn_only=before[1])
    assert _cuda_settings() == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only behaviour")
def test_gpu_settings_left_alone_without_gpu():
    clf = _tiny(callbacks=[("cuda", RecordCudaSettings())]).fit(*_equal())
    assert {tuple(s) for s in clf.net_.history[:, "cuda_settings"]} == {_cuda_settings()}
    assert not torch.are_deterministic_algorithms_enabled()


@needs_cuda
@pytest.mark.parametrize("data", [_equal, _ragged])
@pytest.mark.parametrize("device", ["cuda", "auto"])
def test_cuda_training_and_prediction(data, device):
    X, y = data()
    clf = _tiny(device=device).fit(X, y)
    assert str(clf.net_.device).startswith("cuda")
    module = clf.net_.module_
    assert all(p.device.type == "cuda" for p in module.parameters())
    assert all(b.device.type == "cuda" for b in module.buffers())
    proba = clf.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(1), 1.0, rtol=1e-6)


@needs_cuda
def test_cuda_trained_model_predicts_on_cpu_after_pickling(monkeypatch):
    X, y = _ragged()
    clf = _tiny(device="cuda").fit(X, y)
    expected = clf.predict_proba(X)
    blob = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # a CPU-only machine
    with pytest.warns(Warning):
        loaded = pickle.loads(blob)
    assert str(loaded.net_.device) == "cpu"
    assert all(p.device.type == "cpu" for p in loaded.net_.module_.parameters())
    np.testing.assert_allclose(loaded.predict_proba(X), expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("optimizer, fused", [("adam", True), ("adamw", True), ("sgd", None)])
def test_adam_runs_its_fused_kernel_and_trains_as_the_unfused_one(optimizer, fused):
    X, y = _equal()
    clf = _tiny(optimizer=optimizer).fit(X, y)
    assert clf.net_.optimizer_.param_groups[0]["fused"] is fused
    if fused:
        unfused = _tiny(optimizer=optimizer, net_kwargs={"optimizer__fused": False}).fit(X, y)
        assert unfused.net_.optimizer_.param_groups[0]["fused"] is False
        np.testing.assert_allclose(clf.predict_proba(X), unfused.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_equal_lengths_read_final_states_as_the_lengths_path_reads_last_steps(
    cell, bidirectional, num_layers
):
    """Without ``lengths`` "last" reads the fused call's final states: the same outputs and gradients."""
    from sklearn_rnn._networks.recurrent import RecurrentNet

    torch.manual_seed(0)
    module = RecurrentNet(
        3, 4, cell=cell, hidden_size=8, num_layers=num_layers, bidirectional=bidirectional,
        architecture="rnn", input_scaling="global",
    )  # fmt: skip
    X = torch.randn(5, 11, 3)
    outputs, grads = [], []
    for lengths in (None, torch.full((5,), 11)):
        module.zero_grad()
        out = module(X, lengths)
        out.square().sum().backward()
        outputs.append(out.detach())
        grads.append(torch.cat([p.grad.flatten() for p in module.rnn.parameters()]))
    torch.testing.assert_close(outputs[0], outputs[1], rtol=0, atol=0)
    torch.testing.assert_close(grads[0], grads[1], rtol=1e-6, atol=1e-7)


def test_auto_epochs_give_at_least_1000_optimizer_steps_whatever_the_size():
    """A last batch of one sequence joins the one before it, and the rule counted it as a step: 17
    sequences in batches of 16 trained 500 steps, 33 trained 668 (the docs promise at least 1000)."""
    from sklearn_rnn._data import Sequences
    from sklearn_rnn._training import BatchIterator, training_epochs

    for n in range(1, 200):
        data = SequenceDataset(Sequences(np.zeros((n, 3, 1), dtype=np.float32), np.full(n, 3), False))
        batches = BatchIterator(data, 16, shuffle=True)
        torch.manual_seed(n)
        assert len(list(batches)) == len(batches), n  # the steps an epoch runs
        steps = training_epochs("auto", n, 16) * len(batches)
        assert steps >= 1000 and training_epochs("auto", n, 16) >= 100, (n, steps)
