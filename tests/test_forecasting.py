"""RNNForecaster: what it forecasts, not only its API (sktime's own checks: test_sktime_checks.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

pytest.importorskip("sktime")

from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn._networks.forecast import ForecastNet  # noqa: E402
from sklearn_rnn._windows import WindowDataset  # noqa: E402

FAST = dict(hidden_size=16, max_epochs=40, batch_size=32, lr=1e-2, random_state=0)


def sine(n: int, period: float = 12.0, phase: float = 0.0, level: float = 0.0, amp: float = 1.0):
    return level + amp * np.sin(2 * np.pi * np.arange(n) / period + phase)


@pytest.fixture(scope="module")
def sine_forecaster():
    """One forecaster trained for 12 steps on a sine of period 12 (integer index, so sp=1)."""
    y = pd.Series(sine(240, phase=0.3))
    return RNNForecaster(window_length=24, max_horizon=12, **FAST).fit(y), y


# -- horizons ----------------------------------------------------------------------------------
def test_step_is_the_same_alone_or_with_others(sine_forecaster):
    f, _ = sine_forecaster
    full = f.predict(fh=np.arange(1, 13))
    alone = f.predict(fh=[3])
    np.testing.assert_allclose(alone.to_numpy(), full.loc[[242]].to_numpy())
    np.testing.assert_array_equal(alone.index, [242])
    gaps = f.predict(fh=[1, 12])
    np.testing.assert_allclose(gaps.to_numpy(), full.loc[[240, 251]].to_numpy())
    q_full = f.predict_quantiles(fh=np.arange(1, 13), alpha=[0.1, 0.9])
    q_alone = f.predict_quantiles(fh=[3], alpha=[0.1, 0.9])
    np.testing.assert_allclose(q_alone.to_numpy(), q_full.loc[[242]].to_numpy())


def test_absolute_fh_equals_relative(sine_forecaster):
    f, _ = sine_forecaster
    relative = f.predict(fh=[2, 5])
    absolute = f.predict(fh=ForecastingHorizon([241, 244], is_relative=False))
    pd.testing.assert_frame_equal(relative.to_frame(), absolute.to_frame())


def test_shifted_sine_is_forecast_tightly(sine_forecaster):
    f, _ = sine_forecaster
    y_pred = f.predict(fh=np.arange(1, 13))
    truth = sine(252, phase=0.3)[240:]
    assert np.abs(y_pred.to_numpy() - truth).max() < 0.1


def test_fh_beyond_horizon_and_in_sample_are_refused(sine_forecaster):
    f, _ = sine_forecaster
    with pytest.raises(ValueError, match="horizon_=12"):
        f.predict(fh=[13])
    with pytest.raises(NotImplementedError, match="in-sample"):
        f.predict(fh=[-1, 1])


def test_horizon_follows_fh_in_fit_or_window_length():
    y = pd.Series(sine(60))
    small = dict(hidden_size=4, max_epochs=1, random_state=0)
    assert RNNForecaster(window_length=6, **small).fit(y, fh=[1, 9]).horizon_ == 9
    assert RNNForecaster(window_length=6, **small).fit(y).horizon_ == 6
    assert RNNForecaster(window_length=6, max_horizon=20, **small).fit(y, fh=[2]).horizon_ == 20


# -- memory-lean windows --------------------------------------------------------------------------
def test_windows_are_indices_into_one_copy_of_the_series():
    n, W = 5000, 100
    y = pd.Series(sine(n, level=5.0))
    # conformal=False: every window trains (calibration holds the latest ones out)
    f = RNNForecaster(
        window_length=W, max_horizon=3, hidden_size=4, max_epochs=1, conformal=False, random_state=0
    )
    f.fit(y)
    data = f._window_dataset([((), y.to_frame())], None)
    assert isinstance(data, WindowDataset)
    assert len(data) == f.n_windows_ == n - W
    big = [t for t in vars(data).values() if isinstance(t, torch.Tensor) and t.numel() > 2 * (n + 3)]
    assert big == []  # nothing of size n_windows * window_length is held
    x, target = data.batch(torch.tensor([0, 17]))
    scaled = data.inputs[:, 0]
    np.testing.assert_array_equal(x["X"][1, :, 0], scaled[17 : 17 + W])
    np.testing.assert_array_equal(target[1, :, 0], scaled[17 + W : 17 + W + 3])
    last = data.batch(torch.tensor([len(data) - 1]))[1][0, :, 0]
    assert torch.isfinite(last).tolist() == [True, False, False]  # steps past the end are masked


def test_future_target_columns_cannot_leak():
    torch.manual_seed(0)
    net = ForecastNet(
        1,
        2,
        window_length=5,
        horizon=3,
        n_quantiles=1,
        cell="lstm",
        hidden_size=4,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
    ).eval()
    X = torch.randn(4, 8, 3)
    leaked = X.clone()
    leaked[:, 5:, 0] = 1000.0  # future y
    with torch.no_grad():
        torch.testing.assert_close(net(X), net(leaked))
        moved = X.clone()
        moved[:, 5:, 1] += 1.0  # future X is read
        assert not torch.allclose(net(X), net(moved))


# -- scaling ----------------------------------------------------------------------------------
def test_raw_units_train_like_scaled_ones():
    base = sine(200, phase=0.5)
    errors = []
    for level, amp in [(0.0, 1.0), (1e5, 2e4)]:
        y = pd.Series(level + amp * base)
        f = RNNForecaster(window_length=24, max_horizon=6, **FAST).fit(y)
        truth = level + amp * sine(206, phase=0.5)[200:]
        errors.append(np.abs(f.predict(fh=np.arange(1, 7)).to_numpy() - truth).max() / amp)
    assert max(errors) < 0.1
    assert f.log_transform_.tolist() == [True]


# -- probabilistic ----------------------------------------------------------------------------------
def _ar_panel(n_series: int, n_time: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    y = np.zeros((n_series, n_time))
    for t in range(1, n_time):
        y[:, t] = 0.9 * y[:, t - 1] + rng.normal(size=n_series)
    index = pd.MultiIndex.from_product([range(n_series), range(n_time)], names=["series", "time"])
    return pd.DataFrame({"y": y.ravel()}, index=index)


def test_intervals_cover_held_back_data_and_widen():
    H = 6
    panel = _ar_panel(60, 106, seed=0)
    train = panel[panel.index.get_level_values("time") < 100]
    test = panel[panel.index.get_level_values("time") >= 100]
    f = RNNForecaster(
        window_length=20,
        local_level=False,
        hidden_size=16,
        max_epochs=15,
        batch_size=128,
        lr=1e-2,
        random_state=0,
    )
    f.fit(train, fh=np.arange(1, H + 1))
    interval = f.predict_interval(coverage=[0.5, 0.9])
    lo90, hi90 = interval[("y", 0.9, "lower")], interval[("y", 0.9, "upper")]
    lo50, hi50 = interval[("y", 0.5, "lower")], interval[("y", 0.5, "upper")]
    truth = test["y"].reindex(interval.index)
    cover90 = ((truth >= lo90) & (truth <= hi90)).mean()
    cover50 = ((truth >= lo50) & (truth <= hi50)).mean()
    assert 0.8 <= cover90 <= 0.97, cover90
    assert 0.38 <= cover50 <= 0.65, cover50
    width = (hi90 - lo90).groupby(level="time").mean()
    assert width.iloc[-1] > 1.4 * width.iloc[0]  # AR(1), phi=0.9: sd ratio 1.9 from step 1 to 6
    q = f.predict_quantiles(alpha=[0.01, 0.05, 0.5, 0.95, 0.99])
    assert (np.diff(q.to_numpy(), axis=1) >= 0).all()  # extrapolated levels keep their order


# -- multivariate, exogenous, panel --------------------------------------------------------------
def test_multivariate_one_model_forecasts_every_column():
    y = pd.DataFrame({"a": sine(200), "b": 3 + sine(200, period=6)})
    f = RNNForecaster(window_length=24, **{**FAST, "hidden_size": 32, "max_epochs": 100})
    y_pred = f.fit(y, fh=np.arange(1, 7)).predict()
    assert list(y_pred.columns) == ["a", "b"]
    np.testing.assert_allclose(y_pred["a"], sine(206)[200:], atol=0.15)
    np.testing.assert_allclose(y_pred["b"], 3 + sine(206, period=6)[200:], atol=0.15)
    q = f.predict_quantiles(alpha=[0.5])
    np.testing.assert_allclose(q.to_numpy(), y_pred.to_numpy())


def test_exogenous_future_values_are_used():
    rng = np.random.default_rng(0)
    x = rng.normal(size=300)
    y = pd.Series(2.0 * x + 0.05 * rng.normal(size=300), name="y")
    X = pd.DataFrame({"x": x})
    f = RNNForecaster(
        window_length=8, local_level=False, hidden_size=32, max_epochs=40, lr=1e-2, random_state=0
    )
    f.fit(y[:290], X=X[:290], fh=np.arange(1, 11))
    y_pred = f.predict(X=X[290:])
    # y is unpredictable from its past, so only the future X explains it
    assert np.abs(y_pred.to_numpy() - y[290:].to_numpy()).mean() < 0.3
    other = f.predict(X=X[290:] + 1.0)
    assert np.abs((other - y_pred).to_numpy().mean() - 2.0) < 0.5


def test_panel_one_global_model_forecasts_each_series():
    levels = [1.0, 100.0, 1e4]
    frames = [pd.DataFrame({"y": lvl * (3 + sine(150, phase=i))}) for i, lvl in enumerate(levels)]
    panel = pd.concat(frames, keys=["a", "b", "c"], names=["id", "time"])
    f = RNNForecaster(window_length=24, conformal=False, **FAST).fit(panel, fh=[1, 2, 3])  # all windows
    assert f.n_windows_ == 3 * (150 - 24)
    y_pred = f.predict()
    assert list(y_pred.index) == [(k, t) for k in "abc" for t in (150, 151, 152)]
    for i, (key, lvl) in enumerate(zip("abc", levels, strict=True)):
        truth = lvl * (3 + sine(153, phase=i)[150:])
        np.testing.assert_allclose(y_pred.loc[key, "y"].to_numpy(), truth, rtol=0.05)


def test_hierarchical_output_layout():
    from sktime.datatypes import check_is_mtype
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = _make_hierarchical(hierarchy_levels=(2, 2), min_timepoints=30, max_timepoints=30, random_state=0)
    f = RNNForecaster(window_length=6, hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1, 2])
    y_pred = f.predict()
    assert check_is_mtype(y_pred, "pd_multiindex_hier")
    assert len(y_pred) == 4 * 2


# -- update, reproducibility, device --------------------------------------------------------------
def test_update_extends_the_state_and_optionally_trains():
    y = pd.Series(sine(160, phase=0.2))
    # conformal=False: trained on every window, as the error bound below was measured; the naive
    # baseline: 40 epochs teach the network a cycle but not to cancel the smoothing's damped trend
    # on a series whose season it is not told (integer index, sp=1): step 6 was off by 0.18 with it
    f = RNNForecaster(
        window_length=24, max_horizon=6, update_epochs=3, conformal=False, baseline="naive", **FAST
    ).fit(y[:148])
    weights = {k: v.clone() for k, v in f.net_.module_.state_dict().items()}
    f.update(y[148:], update_params=False)
    assert f.cutoff[0] == 159
    for k, v in f.net_.module_.state_dict().items():
        torch.testing.assert_close(v, weights[k])
    y_pred = f.predict(fh=np.arange(1, 7))
    np.testing.assert_array_equal(y_pred.index, np.arange(160, 166))
    assert np.abs(y_pred.to_numpy() - sine(166, phase=0.2)[160:]).max() < 0.1
    f.update(pd.Series(sine(170, phase=0.2)[160:], index=range(160, 170)), update_params=True)
    assert f.n_iter_ == 3
    changed = any(not torch.equal(v, weights[k]) for k, v in f.net_.module_.state_dict().items())
    assert changed


def test_random_state_reproducible_and_global_rng_untouched():
    y = pd.Series(sine(100, level=2.0))
    torch.manual_seed(123)
    before = torch.get_rng_state()
    # the network's own forecasts: with the weight chosen on held-out data (0 here after 3 epochs),
    # the point forecast can be the smoothing's alone, which no seed changes
    params = dict(window_length=12, hidden_size=8, max_epochs=3, dropout=0.1, correction_weight=1.0)
    p1 = RNNForecaster(random_state=7, **params).fit(y, fh=[1, 2]).predict()
    p2 = RNNForecaster(random_state=7, **params).fit(y, fh=[1, 2]).predict()
    p3 = RNNForecaster(random_state=8, **params).fit(y, fh=[1, 2]).predict()
    pd.testing.assert_series_equal(p1, p2)
    assert not np.allclose(p1, p3)
    assert torch.equal(before, torch.get_rng_state())


def test_device_is_honoured():
    y = pd.Series(sine(60))
    f = RNNForecaster(window_length=6, hidden_size=4, max_epochs=1, device="cpu").fit(y, fh=[1])
    assert str(next(f.net_.module_.parameters()).device) == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            RNNForecaster(window_length=6, max_epochs=1, device="cuda").fit(y, fh=[1])


def test_invalid_parameters_are_reported():
    y = pd.Series(sine(60))
    with pytest.raises(ValueError, match="quantile_levels"):
        RNNForecaster(quantile_levels=[0.0, 0.5], max_epochs=1).fit(y, fh=[1])
    with pytest.raises(ValueError, match="window_length"):
        RNNForecaster(window_length=0).fit(y, fh=[1])
    with pytest.raises(ValueError, match="target_transform='log'"):
        RNNForecaster(target_transform="log", max_epochs=1).fit(y, fh=[1])


# -- sktime workflows ---------------------------------------------------------------------------------
def test_grid_search_over_cell_and_window_length():
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter

    y = pd.Series(sine(80, level=3.0))
    cv = ExpandingWindowSplitter(initial_window=60, step_length=10, fh=[1, 2])
    search = ForecastingGridSearchCV(
        RNNForecaster(hidden_size=4, max_epochs=2, random_state=0),
        cv=cv,
        param_grid={"cell": ["lstm", "gru"], "window_length": [6, 12]},
        backend=None,  # sequential: worker processes would each import torch
    )
    search.fit(y, fh=[1, 2])
    assert len(search.cv_results_) == 4
    assert search.best_params_["cell"] in ("lstm", "gru")
    assert len(search.predict()) == 2


@pytest.mark.parametrize("transformer", ["deseasonalizer", "differencer"])
def test_transformed_target_forecaster(transformer):
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.detrend import Deseasonalizer
    from sktime.transformations.series.difference import Differencer

    y = load_airline()[:96]
    if transformer == "deseasonalizer":
        first = Deseasonalizer(sp=12, model="multiplicative")
    else:
        first = Differencer()
    pipe = TransformedTargetForecaster(
        [
            ("transform", first),
            ("rnn", RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0)),
        ]
    )
    pipe.fit(y, fh=[1, 2, 3])
    y_pred = pipe.predict()
    assert y_pred.index.equals(pd.period_range("1957-01", periods=3, freq="M"))
    assert np.isfinite(y_pred).all() and (y_pred > 0).all()
    interval = pipe.predict_interval(coverage=0.8)
    assert (interval.iloc[:, 0] <= interval.iloc[:, 1]).all()


def test_evaluate_with_expanding_window():
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    y = pd.Series(sine(90, level=3.0))
    cv = ExpandingWindowSplitter(initial_window=60, step_length=10, fh=[1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = evaluate(
            RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0), cv=cv, y=y
        )
    assert len(results) == 3
    assert np.isfinite(results.iloc[:, 0]).all()


# -- real data ----------------------------------------------------------------------------------------
@pytest.mark.slow
def test_airline_beats_seasonal_naive():
    y = load_airline()
    train, test = y[:-36], y[-36:]
    f = RNNForecaster(random_state=0).fit(train, fh=np.arange(1, 37))
    mape = mean_absolute_percentage_error(test, f.predict())
    assert mape < 0.132, mape  # seasonal naive scores 0.132
    assert f.sp_ == 12


@pytest.mark.parametrize("panel", [False, True], ids=["single", "panel"])
def test_forecasts_keep_the_index_and_column_names_of_y_like_naive_forecaster(panel):
    from sktime.forecasting.naive import NaiveForecaster

    months = pd.period_range("2000-01", periods=30, freq="M", name="month")
    columns = pd.Index(["a", "b"], name="var")
    if panel:
        index = pd.MultiIndex.from_product([["s1", "s2"], months], names=["store", "month"])
    else:
        index = months
    y = pd.DataFrame(10 + np.random.default_rng(0).normal(size=(len(index), 2)), index=index, columns=columns)
    f = RNNForecaster(window_length=6, hidden_size=4, max_epochs=1, random_state=0).fit(y, fh=[1, 2])
    naive = NaiveForecaster().fit(y, fh=[1, 2])
    for method in ("predict", "predict_interval", "predict_quantiles", "predict_var"):
        ours, theirs = getattr(f, method)(), getattr(naive, method)()
        assert ours.index.names == theirs.index.names, method
        assert ours.columns.names == theirs.columns.names, method
        pd.testing.assert_index_equal(ours.index, theirs.index)
        pd.testing.assert_index_equal(ours.columns, theirs.columns)


def test_a_stream_of_updates_does_not_keep_copies_of_its_history():
    """sktime caches horizons by the cutoff they count from; the forecaster handed it views of the
    whole history index, so each cached entry kept a history's buffer alive: 150 one-step updates
    after 20,000 steps held 22 MB, after the forecaster was deleted."""
    import gc
    import tracemalloc

    n = 20_500
    index = pd.date_range("2024-01-01", periods=n + 150, freq="5min")
    y = pd.Series(10 + np.sin(np.arange(n + 150) / 12), index=index, name="y")
    forecaster = RNNForecaster(window_length=12, hidden_size=8, max_epochs=1, random_state=0)
    forecaster.fit(y.iloc[:500], fh=[1, 2, 3]).update(y.iloc[500:n], update_params=False)
    gc.collect()
    tracemalloc.start()
    try:
        for i in range(n, n + 150):
            forecaster.update(y.iloc[[i]], update_params=False)
            forecaster.predict()
        del forecaster
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 4e6, f"{held / 1e6:.1f} MB held"
