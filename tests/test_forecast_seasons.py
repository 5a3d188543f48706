"""Seasons taken out of short series: where the window holds fewer than two of them.

The smoothing starts its seasons from the first season of each window and its trend
from the second: a window of one season gives single values and no trend, and the
forecast repeats the last season. Such series have their seasons taken out first
(classical decomposition of each series' training values), and put back at the
places of the forecast steps.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.forecasting.naive import NaiveForecaster  # noqa: E402

from sklearn_rnn import RNNForecaster, load, save  # noqa: E402
from sklearn_rnn._scaling import seasonal_indices  # noqa: E402

FAST = dict(hidden_size=4, max_epochs=5, random_state=0)
PEAK = np.array([0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 0, 6.0])  # December sells most, then summer


def _sales(start: str, months: int, slope: float = 0.4, noise: float = 0.1, seed: int = 0) -> pd.Series:
    """Monthly sales with a trend and a December peak, as a shop's table gives them (dates, then index)."""
    dates = pd.date_range(start, periods=months, freq="MS")
    t = np.arange(months)
    values = 50 + slope * t + 3 * PEAK[dates.month - 1] + np.random.default_rng(seed).normal(0, noise, months)
    frame = pd.DataFrame({"month": dates, "sales": values}).set_index("month")
    return frame["sales"].to_period("M")


def _fit(y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # too short to calibrate: a warning says so
        return RNNForecaster(**{**FAST, **params}).fit(y, fh=np.arange(1, 13))


def test_seasonal_indices_recover_a_season_on_a_trend():
    t = np.arange(36.0)
    season = np.sin(2 * np.pi * t / 12)[:12]
    angle = 2 * np.pi * t / 12
    values = np.stack([2 + 0.3 * t + np.sin(angle), 5 - 0.1 * t + 2 * np.cos(angle)], axis=1)
    out = seasonal_indices(values, 12)
    assert out.shape == (12, 2)
    np.testing.assert_allclose(out[:, 0], season - season.mean(), atol=1e-12)
    np.testing.assert_allclose(out.sum(axis=0), 0.0, atol=1e-12)
    np.testing.assert_array_equal(seasonal_indices(values[:23], 12), np.zeros((12, 2)))  # under two seasons


def test_two_years_of_sales_forecast_the_december_peak_on_the_trend():
    """24 months: a window of one season. The forecast was the seasonal naive one (last year again)."""
    y = _sales("2021-01", 36)
    train, test = y.iloc[:24], y.iloc[24:]
    f = _fit(train)
    assert (f.window_length_, f.sp_, f.deseasonalized_) == (12, 12, True)
    pred = f.predict()
    assert pred.index.equals(test.index)
    assert pred.idxmax() == pd.Period("2023-12", "M")
    naive = NaiveForecaster(strategy="last", sp=12).fit(train, fh=np.arange(1, 13)).predict()
    error, naive_error = np.abs(pred - test).mean(), np.abs(naive - test).mean()
    assert error < 0.5 * naive_error, (error, naive_error)  # the naive forecast misses a year of trend


def test_each_series_of_a_panel_keeps_its_own_place_in_the_season():
    """Stores opened in different months, with different lengths: every forecast peaks in December."""
    stores = {"mall": _sales("2021-03", 27, seed=1), "station": _sales("2021-08", 30, seed=2)}
    panel = pd.concat(stores, names=["store", "month"]).to_frame("sales")
    f = _fit(panel)
    assert f.deseasonalized_ and set(f._seasons) == {("mall",), ("station",)}
    pred = f.predict()
    for store, series in stores.items():
        forecast = pred.loc[store].iloc[:, 0]
        assert forecast.index[0] == series.index[-1] + 1
        assert forecast.idxmax().month == 12, store


def test_update_carries_the_place_in_the_season_on():
    y = _sales("2021-01", 30)
    f = _fit(y.iloc[:26])
    seasons = f._seasons[()].copy()
    f.update(y.iloc[26:], update_params=False)
    np.testing.assert_array_equal(f._seasons[()], seasons)  # those of fit
    pred = f.predict()
    assert pred.index[0] == pd.Period("2023-07", "M")
    assert pred.idxmax() == pd.Period("2023-12", "M")


def test_the_seasons_come_from_the_values_before_the_held_out_ones():
    """36 months hold out their latest values to calibrate: the seasons are taken from the months before."""
    y = _sales("2020-01", 36, noise=0.5)
    f = _fit(y)
    assert f.deseasonalized_ and f.n_calibration_scores_.min() > 0
    held_out = f.n_calibration_scores_.min()
    before = y.iloc[: len(y) - held_out].to_numpy()[:, None]
    mean, scale = f._y_scaling[()]
    scaled = (np.log(before) - mean) / scale
    np.testing.assert_allclose(f._seasons[()], seasonal_indices(scaled, 12))


def test_long_windows_and_other_baselines_keep_the_seasons_in_the_smoothing():
    y = _sales("2015-01", 96)
    assert not _fit(y).deseasonalized_  # a window of 36: three seasons
    assert not _fit(y.iloc[:24], baseline="naive").deseasonalized_
    assert not _fit(y.iloc[:24], sp=1).deseasonalized_


def test_save_and_load_keep_the_seasons(tmp_path):
    f = _fit(_sales("2021-01", 26))
    path = tmp_path / "shop.skrnn"
    save(f, path)
    restored = load(path)
    assert restored.deseasonalized_
    np.testing.assert_array_equal(restored._seasons[()], f._seasons[()])
    pd.testing.assert_series_equal(restored.predict(), f.predict(), check_exact=True)
