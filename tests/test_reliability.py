"""Threads, seeds, interrupts and process state: what a service or a parallel search relies on."""

from __future__ import annotations

import os
import signal
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import torch
from joblib import parallel_backend
from sklearn.base import clone
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from skorch.callbacks import Callback

from sklearn_rnn import RNNClassifier, RNNRegressor

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 12, 2)).astype(np.float32)
y = (X[:, :3, 0].sum(axis=1) > 0).astype(int)
TINY = {"hidden_size": 8, "fcn_filters": (8, 8, 8), "max_epochs": 3, "n_networks": 1}


def _run_in_threads(target, args_list):
    results = [None] * len(args_list)
    errors = []

    def work(i, args):
        try:
            results[i] = target(*args)
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_predict_from_many_threads_is_exact_and_leaves_the_model_unchanged():
    # The default classifier has dropout 0.8 and batch norm: any call that ran in training
    # mode, or a mode toggled by another thread, changes the output (up to 0.175 before).
    clf = RNNClassifier(**TINY, random_state=0).fit(X, y)
    assert not clf.net_.module_.training  # fit leaves the network in eval mode
    expected = clf.predict_proba(X)
    outputs = _run_in_threads(lambda: [clf.predict_proba(X) for _ in range(40)], [()] * 8)
    for calls in outputs:
        for out in calls:
            np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(clf.predict_proba(X), expected)
    assert not clf.net_.module_.training


def _fit_predict(seed, params):
    return RNNClassifier(**params, random_state=seed).fit(X, y).predict_proba(X)


@pytest.mark.parametrize(
    "params",
    [
        {**TINY, "dropout": 0.5},  # dropout on the summary, batch norm, shuffling
        {**TINY, "architecture": "rnn", "num_layers": 2, "dropout": 0.3, "cell": "gru"},  # torch's own
    ],
    ids=["lstm-fcn", "stacked-gru-dropout"],
)
def test_seeded_fits_in_threads_equal_serial_fits(params):
    serial = [_fit_predict(seed, params) for seed in (0, 1)]
    assert not np.allclose(serial[0], serial[1])  # the seed matters
    threaded = _run_in_threads(_fit_predict, [(seed, params) for seed in (0, 1, 0, 1)])
    for seed, out in zip((0, 1, 0, 1), threaded, strict=True):
        np.testing.assert_array_equal(out, serial[seed])


def test_threaded_grid_search_equals_sequential():
    grid = {"lr": [1e-3, 1e-2]}
    est = RNNClassifier(**TINY, random_state=0)
    sequential = GridSearchCV(est, grid, cv=2).fit(X, y).cv_results_["mean_test_score"]
    with parallel_backend("threading", n_jobs=2):
        threaded = GridSearchCV(est, grid, cv=2).fit(X, y).cv_results_["mean_test_score"]
    np.testing.assert_array_equal(threaded, sequential)


def test_fit_leaves_global_torch_state_as_found():
    threads = torch.get_num_threads()
    torch.manual_seed(123)
    rng_state = torch.get_rng_state()
    for flush in (True, False):
        torch.set_flush_denormal(flush)
        try:
            clf = RNNClassifier(**TINY, num_layers=2, random_state=0).fit(X, y)
            clf.predict(X)
            denormal = (torch.tensor([1e-323], dtype=torch.float64) * 1.0).item()
            assert (denormal == 0.0) is flush  # the user's setting, on or off, is kept
        finally:
            torch.set_flush_denormal(False)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.get_rng_state(), rng_state)


@pytest.mark.parametrize("architecture", ["lstm-fcn", "rnn"])
def test_a_float64_default_dtype_changes_neither_the_model_nor_its_file(architecture, tmp_path):
    """Under torch.set_default_dtype(torch.float64) a fit built a float64 network (predictions 0.7 from
    the same seed's), whose file load refused, and a float32 file was refused in such a process."""
    from sklearn_rnn import load, save, to_onnx

    params = {**TINY, "architecture": architecture, "random_state": 0}
    reference = RNNRegressor(**params).fit(X, X[:, :, 0].sum(axis=1))
    save(reference, tmp_path / "float32")
    torch.set_default_dtype(torch.float64)
    try:
        fitted = RNNRegressor(**params).fit(X, X[:, :, 0].sum(axis=1))
        assert torch.get_default_dtype() == torch.float64  # the user's setting, kept
        assert {p.dtype for p in fitted.net_.module_.parameters()} == {torch.float32}
        np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
        save(fitted, tmp_path / "float64")
        np.testing.assert_array_equal(load(tmp_path / "float32").predict(X), reference.predict(X))
        pytest.importorskip("onnx")
        assert to_onnx(fitted).graph.input[0].type.tensor_type.elem_type == 1  # float32
    finally:
        torch.set_default_dtype(torch.float32)
    np.testing.assert_array_equal(load(tmp_path / "float64").predict(X), reference.predict(X))


class _CtrlC(Callback):
    """Send the process a real SIGINT at the end of epoch ``at`` (as a user's Ctrl-C)."""

    def __init__(self, at=2):
        self.at = at

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.at:
            os.kill(os.getpid(), signal.SIGINT)


needs_main_thread = pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="signals reach the main thread"
)


@pytest.fixture
def ctrl_c_reaches_python():
    """Python's own SIGINT handler, as in a terminal, for the test's duration.

    A test run started in the background (``pytest &`` in a script) inherits
    SIGINT ignored, and Python then leaves it ignored: no Ctrl-C could reach
    the fit, so the tests below would depend on how pytest was started.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@needs_main_thread
def test_ctrl_c_stops_fit_and_leaves_a_usable_model(ctrl_c_reaches_python):
    clf = RNNClassifier(**{**TINY, "max_epochs": 20}, callbacks=[_CtrlC(at=2)], random_state=0)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert clf.n_iter_ == 2  # both whole epochs, then stopped
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@needs_main_thread
def test_ctrl_c_stops_cross_validation(ctrl_c_reaches_python):
    fits = []

    class Count(Callback):
        def on_train_begin(self, net, **kwargs):
            fits.append(1)

    est = RNNClassifier(**{**TINY, "max_epochs": 5}, callbacks=[Count(), _CtrlC(at=1)], random_state=0)
    with pytest.raises(KeyboardInterrupt):
        cross_val_score(est, X, y, cv=5)
    assert len(fits) == 1  # the other folds never ran


@needs_main_thread
def test_a_caught_ctrl_c_does_not_stop_later_fits_in_other_threads(ctrl_c_reaches_python):
    """A Ctrl-C caught in the main thread (a notebook) read as a real one to every later early stop
    in other threads (a Dask worker's, joblib's threading backend): those fits raised KeyboardInterrupt."""
    with pytest.raises(KeyboardInterrupt):
        RNNClassifier(**{**TINY, "max_epochs": 20}, callbacks=[_CtrlC(at=1)], random_state=0).fit(X, y)
    early = RNNClassifier(
        **{**TINY, "max_epochs": 200}, early_stopping=True, n_iter_no_change=2, tol=10.0, random_state=0
    )
    with ThreadPoolExecutor(1) as pool:
        fitted = pool.submit(early.fit, X, y).result()  # raised KeyboardInterrupt before
    assert 0 < fitted.n_iter_ < 200
    # a user's own SIGINT handler leaves no record to read: early stopping ends the fit normally
    previous = signal.signal(signal.SIGINT, lambda signum, frame: None)
    try:
        assert 0 < clone(early).fit(X, y).n_iter_ < 200
    finally:
        signal.signal(signal.SIGINT, previous)


def test_early_stopping_still_ends_fit_normally():
    clf = RNNClassifier(
        **{**TINY, "max_epochs": 200}, early_stopping=True, n_iter_no_change=2, tol=10.0, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ < 200


# -- crashes that are now clear errors, or work ---------------------------------------------


def test_single_step_sequences_with_a_batch_of_one_left_over():
    X1 = rng.normal(size=(17, 1, 2))
    clf = RNNClassifier(**TINY, batch_size=16, random_state=0).fit(X1, np.arange(17) % 2)
    assert clf.predict(X1).shape == (17,)
    with pytest.raises(ValueError, match="batch norm.*1 sequence of 1 time step"):
        RNNRegressor(**TINY).fit(X1[:1], [1.0])


@pytest.mark.parametrize("filters", [(0, 0, 0), (8, -1, 8), (8, 8)])
def test_bad_fcn_filters(filters):
    with pytest.raises(ValueError, match="fcn_filters must be 3 positive channel counts"):
        RNNClassifier(**{**TINY, "fcn_filters": filters}).fit(X, y)


@pytest.mark.parametrize("device", ["meta", "mps", "tpu", "cuda:x"])
def test_unsupported_devices(device):
    with pytest.raises(ValueError, match=f"device={device!r}"):
        RNNClassifier(**TINY, device=device).fit(X, y)


def test_more_threads_than_cpus_warns_and_runs():
    with pytest.warns(UserWarning, match="n_threads=1000000 exceeds"):
        clf = RNNClassifier(**TINY, n_threads=10**6, random_state=0).fit(X, y)
    assert clf.n_iter_ == 3


def test_missing_changed_after_fit_keeps_the_trained_handling():
    clf = RNNClassifier(**TINY, random_state=0).fit(X, y)
    clf.set_params(missing="mask")
    X_nan = X.copy()
    X_nan[0, 3, 0] = np.nan
    with pytest.raises(ValueError, match="fitted with missing='error'; set_params.* at the next fit"):
        clf.predict(X_nan)
    assert clf.fit(X, y).net_.module_.missing == "mask"  # the next fit takes it up
    assert np.isfinite(clf.predict_proba(X_nan)).all()


def test_validation_fraction_leaving_nothing_to_train_on():
    with pytest.raises(ValueError, match="leaves none to train on"):
        RNNClassifier(**TINY, early_stopping=True, validation_fraction=0.99).fit(X[:10], y[:10])


def test_dates_and_iterators_in_X_are_refused():
    dates = np.array(np.arange(30), dtype="datetime64[D]").reshape(10, 3)
    with pytest.raises(TypeError, match="dates or durations"):
        RNNRegressor(**TINY).fit(dates, np.arange(10.0))
    with pytest.raises(TypeError, match="X is an iterator"):
        RNNRegressor(**TINY).fit((x for x in X), y)


def test_negative_or_zero_weights_are_refused():
    with pytest.raises(ValueError, match="Negative values in data passed to `sample_weight`"):
        RNNRegressor(**TINY).fit(X, y.astype(float), sample_weight=-np.ones(len(X)))
    with pytest.raises(ValueError, match="class_weight values must be finite and non-negative"):
        RNNClassifier(**TINY, class_weight={0: -1.0, 1: 1.0}).fit(X, y)
    with pytest.raises(ValueError, match="weight 0"):
        RNNClassifier(**TINY, class_weight={0: 0.0, 1: 0.0}).fit(X, y)


def test_warm_start_on_longer_sequences_reads_them_whole_and_changed_architecture_is_refused():
    clf = RNNClassifier(**TINY, warm_start=True, random_state=0).fit(X, y)
    longer = rng.normal(size=(64, 20, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no step is cut, so nothing to warn about
        clf.fit(longer, y)
    clf.set_params(hidden_size=16)
    with pytest.raises(ValueError, match=r"\['hidden_size'\] changed"):
        clf.fit(X, y)


# -- silent wrong results --------------------------------------------------------------------


def test_tiny_varying_features_are_standardised():
    t = np.linspace(0, 6, 16)
    Xs = 1e-15 * np.sin(t[None, :, None] + rng.normal(size=(40, 1, 1)))
    reg = RNNRegressor(**TINY, random_state=0).fit(Xs, Xs[:, -1, 0] * 1e15)
    scale = reg.net_.module_.x_scale.numpy()
    assert 1e-16 < scale[0] < 1e-14  # the feature's own spread, not 1 (treated as constant)


def test_huge_regression_targets_give_finite_predictions():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        reg = RNNRegressor(**TINY, random_state=0).fit(X, 1e200 * (1 + X[:, 0, 0].astype(np.float64)))
        pred = reg.predict(X)
    assert np.isfinite(pred).all() and 1e198 < np.abs(pred).max() < 1e202


@pytest.mark.parametrize(
    "Estimator, params",
    [(RNNClassifier, {}), (RNNClassifier, {"class_weight": "balanced"}), (RNNRegressor, {})],
    ids=["classifier", "balanced", "regressor"],
)
def test_a_sequence_of_weight_zero_is_absent(Estimator, params):
    # One corrupt record (a sensor stuck at 1e6, a target of 1e9) given weight 0 to leave it out:
    # the model equals one fitted without it, to the last digit (the scaling, the reference level,
    # the class weights, the batches and batch norm never see it).
    X0 = X.astype(np.float64)
    target = y if Estimator is RNNClassifier else 10 * X0[:, :3, 0].sum(axis=1)
    X_bad, target_bad = X0.copy(), target.copy()
    X_bad[5] = 1e6
    if Estimator is RNNRegressor:
        target_bad[5] = 1e9
    weight = np.ones(len(X0))
    weight[5] = 0.0
    weighted = Estimator(**TINY, **params, random_state=0).fit(X_bad, target_bad, sample_weight=weight)
    without = Estimator(**TINY, **params, random_state=0).fit(np.delete(X0, 5, axis=0), np.delete(target, 5))
    method = "predict_proba" if Estimator is RNNClassifier else "predict"
    np.testing.assert_array_equal(getattr(weighted, method)(X0), getattr(without, method)(X0))


def test_a_large_level_keeps_its_small_changes():
    # A meter reading at 1e8 moving by about 1 (float32's spacing at 1e8 is 8): the float64 values
    # are centred before the network's float32 reads them, so the level changes nothing.
    moves = np.random.default_rng(3).normal(size=(120, 8, 1))  # its own: rng's draws depend on test order
    target = moves[:, :, 0].mean(axis=1)
    params = {**TINY, "max_epochs": 10, "random_state": 0}
    scores = [
        RNNRegressor(**params).fit(level + moves[:80], target[:80]).score(level + moves[80:], target[80:])
        for level in (0.0, 1e8)
    ]
    assert scores[0] > 0.7  # 0.81-0.91 over data seeds 0-5; without the centring, 1e8 gave -0.43
    assert scores[1] == pytest.approx(scores[0], abs=0.01)


@pytest.mark.parametrize("ragged", [False, True])
def test_meters_at_levels_far_apart_warn_and_the_fix_keeps_their_moves(ragged):
    """One reference level a feature: meters at 1e8 and 3e8 lost their moves to float32 in silence
    (test R^2 -0.02 against 0.88 on the moves alone). Fit now warns, and its fix keeps them."""
    rng = np.random.default_rng(3)
    readings = np.cumsum(rng.normal(size=(120, 8, 1)), axis=1)  # a meter's readings, moving by about 1
    if ragged:
        readings = [r[: 6 + i % 3] for i, r in enumerate(readings)]
    target = np.array([r[-1, 0] - r[0, 0] for r in readings])  # what it used over the window
    levels = rng.choice([1e8, 3e8], size=120)
    X = [r + level for r, level in zip(readings, levels, strict=True)]
    params = {**TINY, "max_epochs": 10, "random_state": 0}
    match = r"Features \[0\] of X hold sequences up to .* steps of up to \[16.0\].*nanmedian\(x, axis=0\)"
    with pytest.warns(UserWarning, match=match):
        RNNRegressor(**params).fit(X[:80], target[:80])
    # the fix the warning names: each meter relative to its own start scores as the readings do
    own, alone = [x - np.nanmedian(x, axis=0) for x in X], [r - np.nanmedian(r, axis=0) for r in readings]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing left to warn about
        fixed = RNNRegressor(**params).fit(own[:80], target[:80]).score(own[80:], target[80:])
    expected = RNNRegressor(**params).fit(alone[:80], target[:80]).score(alone[80:], target[80:])
    assert fixed > 0.7 and fixed == pytest.approx(expected, abs=0.01)
    # meters all near one level, or levels apart by less than float32 rounds their moves at: silent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNRegressor(**params).fit([r + 1e8 for r in readings[:80]], target[:80])
        RNNRegressor(**params).fit([r + 1e3 * i for i, r in enumerate(readings[:80])], target[:80])


def test_the_level_warning_is_silent_where_nothing_is_lost_and_its_fix_takes_frames():
    """A review found it fired on a static feature with decimals (a deviation of 1e-14 read as its
    changes) and on sequences at very different scales (the spacing at the farthest against the
    median change of all), and that its fix failed on DataFrame sequences and on a first step NaN."""
    rng = np.random.default_rng(0)
    params = {**TINY, "max_epochs": 2, "random_state": 0}
    moves = [rng.normal(size=(12, 1)) for _ in range(40)]
    ages = rng.uniform(20, 90, 40)
    age = [np.column_stack([m, np.full(12, a)]) for m, a in zip(moves, ages, strict=True)]
    scales = np.where(np.arange(40) % 2, 10.0, 1e7)
    views = [np.abs(m) * scale for m, scale in zip(moves, scales, strict=True)]
    float32 = [np.float32(m + 3e8 * (i % 2)) for i, m in enumerate(moves)]  # already rounded: as given
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=r"Feature\(s\) \[1\] of X hold one value")  # the age
        for X in (age, views, float32):
            RNNRegressor(**params).fit(X, rng.normal(size=40))
    levels = 1e8 * (1 + 2 * (np.arange(40) % 2))
    frames = [pd.DataFrame({"meter": m[:, 0].cumsum() + v}) for m, v in zip(moves, levels, strict=True)]
    frames[0].iloc[0, 0] = np.nan
    with pytest.warns(UserWarning, match="nanmedian"):
        RNNRegressor(**params, missing="mask").fit(frames, rng.normal(size=40))
    fixed = [x - np.nanmedian(x, axis=0) for x in frames]  # the fix, as the warning gives it
    assert np.isfinite(fixed[0].to_numpy()[1:]).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        RNNRegressor(**params, missing="mask").fit(fixed, rng.normal(size=40))


@pytest.mark.parametrize("ragged", [False, True])
def test_the_reference_level_is_read_from_each_features_first_observed_value(ragged):
    """With the first step missing in every sequence (missing="mask") the level was 0: a meter at 1e8
    was cast to float32 whole and its moves were lost (test R^2 0.23 against 0.64)."""
    rng = np.random.default_rng(0)
    X = 1e8 + np.cumsum(rng.normal(size=(40, 6, 2)), axis=1)
    X[:, 0, 0] = np.nan  # the first reading of feature 0 missing everywhere
    X[::2, 1, 1] = X[::2, 0, 1] = np.nan  # feature 1's first observed step differs by sequence
    data = [x[: 4 + i % 3] for i, x in enumerate(X)] if ragged else X
    reg = RNNRegressor(**TINY, missing="mask").fit(data, rng.normal(size=40))
    first = [x[~np.isnan(x[:, j]), j][0] for x in data for j in (0, 1)]
    expected = np.median(np.reshape(first, (40, 2)), axis=0).astype(np.float32)
    np.testing.assert_array_equal(reg._x_level, expected)
    assert np.abs(reg._x_level - 1e8).max() < 20


@pytest.mark.parametrize("value", [2.5e-9, 0.0, 1000.0, -3e300])
def test_a_constant_target_is_predicted_as_that_constant_on_new_data(value):
    """Scaled by 1 a constant target got the network's leftover error added (a few hundredths, all of
    2.5e-9); scaled by its magnitude, 1000 was predicted from 961 to 1072 on new sequences. Within a
    rounding of it (1000.0000000000001), R^2 scored the fit 0.0 where Ridge scores 1.0: it is
    predicted exactly."""
    rng = np.random.default_rng(0)
    constant = np.full(len(X), value)
    reg = RNNRegressor(**{**TINY, "max_epochs": 5}, random_state=0).fit(X, constant)
    np.testing.assert_array_equal(reg.predict(rng.normal(size=X.shape) * 3), value)
    assert reg.score(X, constant) == 1.0
    two = np.c_[constant, np.arange(len(X), dtype=float)]  # one constant output of two
    both = RNNRegressor(**{**TINY, "max_epochs": 5}, random_state=0).fit(X, two)
    np.testing.assert_array_equal(both.predict(X)[:, 0], value)
    assert np.isfinite(both.score(X, two))
    if abs(value) > 1e10:  # a target of N(0, 1) against -3e300: R^2 is -1e600, no float's
        return
    other = rng.normal(size=len(X))  # scored in its own units: the constant's scale would overflow them
    assert reg.score(X, other) == pytest.approx(r2_score(other, reg.predict(X)), rel=1e-9)
    reg.set_params(warm_start=True).fit(X, value + other)  # a warm start takes the new target's scale
    assert reg.y_scale_[0] == pytest.approx(other.std(), rel=1e-6)
    assert np.isfinite(reg.predict(X)).all() and np.isfinite(reg.loss_curve_).all()


def test_score_of_one_output_given_as_1d_against_a_column_fit():
    target = 1e200 * X[:, :3, 0].sum(axis=1).astype(np.float64)
    reg = RNNRegressor(**TINY, random_state=0).fit(X, target[:, None])
    assert np.isfinite(reg.score(X, target))
    assert reg.score(X, target) == reg.score(X, target[:, None])


def test_score_refuses_a_y_of_another_width_whatever_its_length():
    """A 2D y as wide as it is long passed the width check and failed in numpy's broadcasting."""
    target = X[:, :3, 0].sum(axis=1)
    reg = RNNRegressor(**TINY, random_state=0).fit(X, np.column_stack([target, -target]))
    for width in (3, 5):
        with pytest.raises(ValueError, match=rf"different number of output \({width}!=2\)"):
            reg.score(X[:5], np.ones((5, width)))


def test_numpy_numbers_from_a_parameter_grid_are_taken():
    # GridSearchCV over np.arange gives np.int64 values; torch's layers and batch split take int only
    grid = {
        "hidden_size": np.arange(4, 9, 4),
        "batch_size": np.array([16]),
        "fcn_filters": [tuple(np.arange(4, 7))],
    }
    search = GridSearchCV(
        RNNClassifier(**{**TINY, "max_epochs": 1}, random_state=0), grid, cv=2, error_score="raise"
    )
    assert search.fit(X, y).best_estimator_._module_kwargs["hidden_size"] in (4, 8)


def test_early_stopping_counts_the_sequences_of_positive_weight():
    weight = np.zeros(len(X))
    weight[0] = 1.0
    with pytest.raises(ValueError, match="needs at least 2 sequences .* got 1 of positive sample weight"):
        RNNClassifier(**TINY, early_stopping=True).fit(X, y, sample_weight=weight)


class _PoisonWeights(Callback):
    """Sets a weight to NaN after the second epoch: the non-finite guard stops training and warns."""

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 2:
            with torch.no_grad():
                next(net.module_.parameters()).fill_(float("nan"))


def test_warnings_name_the_users_line_not_a_frameworks():
    # A warning raised inside sktime's fit, skorch's training loop or scikit-learn's fit wrapper is
    # attributed to the line that called the estimator (the detector's and the forecaster's pointed
    # into sktime, a training callback's into skorch).
    pd = pytest.importorskip("pandas")
    from sklearn_rnn import RNNAnomalyDetector, RNNForecaster

    series = np.random.default_rng(1).normal(size=120)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clf = RNNClassifier(**TINY, n_threads=10**6, callbacks=[("poison", _PoisonWeights())], random_state=0)
        clf.fit(X, y)
        clf.score(X, np.where(y == 1, 2, y))
        RNNAnomalyDetector(window_length=5, hidden_size=4, max_epochs=1, random_state=0).fit(
            pd.DataFrame({"s": series})
        )
        months = pd.period_range("2000-01", periods=30, freq="M")
        RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(
            pd.Series(series[:30].cumsum(), index=months), fh=[1, 2, 3]
        )
    ours = {
        "n_threads=1000000 exceeds": None,
        "; training was stopped and": None,
        "label(s) never seen during fit": None,
        "The threshold rests on": None,
        "RNNForecaster could not calibrate": None,
    }
    for record in caught:
        for start in ours:
            if start in str(record.message):
                ours[start] = record.filename
    assert ours == dict.fromkeys(ours, __file__)


def test_an_error_before_the_first_epoch_is_the_one_raised():
    # The history of a net that failed while being set up was read anyway, and its TypeError
    # ("'NoneType' object is not iterable") replaced the error that stopped it.
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        RNNClassifier(**TINY, net_kwargs={"optimizer__foo": 1}).fit(X, y)


def test_prediction_runs_torch_within_n_threads():
    """predict_proba applied its softmax (and predict its argmax, the regressor and the forecaster their
    heads) at the caller's torch thread count: that started an OpenMP pool in the parent, and workers of
    joblib's multiprocessing backend forked after it deadlocked in their first softmax."""
    import collections

    import pandas as pd
    from torch.overrides import TorchFunctionMode

    from sklearn_rnn import RNNForecaster, RNNRegressor

    class Threads(TorchFunctionMode):
        def __init__(self):
            super().__init__()
            self.outside = collections.Counter()

        def __torch_function__(self, func, types, args=(), kwargs=None):
            if torch.get_num_threads() != 1:
                self.outside[getattr(func, "__name__", str(func))] += 1
            return func(*args, **(kwargs or {}))

    classifier = RNNClassifier(**TINY).fit(X, y)
    regressor = RNNRegressor(**TINY).fit(X, X[:, :, 0].mean(axis=1))
    series = pd.Series(np.sin(np.arange(80) / 5), index=pd.period_range("2000-01", periods=80, freq="M"))
    forecaster = RNNForecaster(window_length=6, hidden_size=4, max_epochs=2, random_state=0).fit(
        series, fh=[1, 2]
    )
    calls = {
        "predict_proba": lambda: classifier.predict_proba(X),
        "predict": lambda: classifier.predict(X),
        "regressor": lambda: regressor.predict(X),
        "forecaster": lambda: forecaster.predict_interval(coverage=0.9),
    }
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        for name, call in calls.items():
            with Threads() as spy:
                call()
            # what is left at the caller's count: one scalar product read back, which starts no pool
            assert set(spy.outside) <= {"tensor", "mul", "item"}, (name, dict(spy.outside))
    finally:
        torch.set_num_threads(previous)


def test_the_prediction_bound_leaves_the_callers_denormals_in_the_probabilities():
    """The bound on threads around predict_proba's softmax first flushed denormals too: a probability
    of 1.4e-315 came back 0, and predict_log_proba -inf where it was -725."""
    settings = {**TINY, "hidden_size": 6, "fcn_filters": (4, 4, 4), "max_epochs": 2}
    classifier = RNNClassifier(**settings, random_state=0).fit(X[:40], y[:40])
    last = [m for m in classifier.net_.module_.modules() if isinstance(m, torch.nn.Linear)][-1]
    with torch.no_grad():
        scores = classifier._forward(X, lambda out: out.double())
        factor = 725.0 / (scores[:, 1] - scores[:, 0]).abs().max().item()  # exp(-725): a denormal
        last.weight.mul_(factor)
        last.bias.mul_(factor)
    torch.set_flush_denormal(False)  # the caller's setting, torch's default
    proba, log_proba = classifier.predict_proba(X), classifier.predict_log_proba(X)
    assert 0 < proba.min() < 1e-300
    assert np.isfinite(log_proba).all() and log_proba.min() < -700


def test_a_float64_default_dtype_leaves_the_forecaster_and_the_detector_as_they_are():
    from sklearn_rnn import RNNAnomalyDetector, RNNForecaster

    series = pd.Series(np.sin(np.arange(120) / 4) + rng.normal(0, 0.1, 120))
    makers = [
        lambda: RNNForecaster(**RNNForecaster.get_test_params()[0]).fit(series, fh=[1, 2, 3]),
        lambda: RNNAnomalyDetector(**RNNAnomalyDetector.get_test_params()[0]).fit(series.to_frame()),
    ]
    for make in makers:
        reference = make()
        torch.set_default_dtype(torch.float64)
        try:
            fitted = make()
        finally:
            torch.set_default_dtype(torch.float32)
        if hasattr(fitted, "predict_interval"):
            pd.testing.assert_frame_equal(fitted.predict_interval(), reference.predict_interval())
        else:
            pd.testing.assert_frame_equal(
                fitted.transform_scores(series.to_frame()), reference.transform_scores(series.to_frame())
            )


def test_fit_and_update_inside_the_callers_inference_mode_train_as_outside_it():
    """A serving loop under torch.inference_mode() got torch's "element 0 of tensors does not require
    grad" from fit, and from a forecaster's update (no_grad() and set_grad_enabled(False) trained)."""
    from sklearn_rnn import RNNForecaster

    targets = X[:, :, 0].sum(axis=1)
    reference = RNNRegressor(**TINY, random_state=0).fit(X, targets)
    series = pd.Series(np.sin(np.arange(66) / 3) + 5, index=pd.period_range("2000-01", periods=66, freq="M"))
    params = dict(window_length=4, hidden_size=4, max_epochs=2, baseline="naive", random_state=0)
    updated = RNNForecaster(**params).fit(series[:60], fh=[1, 2]).update(series[60:])
    with torch.inference_mode():
        fitted = RNNRegressor(**TINY, random_state=0).fit(X, targets)
        forecaster = RNNForecaster(**params).fit(series[:60], fh=[1, 2]).update(series[60:])
        assert torch.is_inference_mode_enabled()  # the caller's mode, kept
    np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
    pd.testing.assert_series_equal(forecaster.predict(), updated.predict())
