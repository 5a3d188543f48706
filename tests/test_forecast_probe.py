"""RNNForecaster probed as a new sktime user would: defects found, each pinned by a test.

Data is built the way users build it: a date column made the index, periods,
integer rows, panels from a long table.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402

TINY = dict(window_length=4, hidden_size=4, max_epochs=1, batch_size=16, max_horizon=4, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sktime's remember_data announcement
        warnings.simplefilter("ignore", UserWarning)  # too few held-out values on tiny series
        yield


def monthly(n: int = 30) -> pd.Series:
    """Monthly values indexed by dates read from a column (no freq set)."""
    frame = pd.DataFrame(
        {"date": pd.date_range("2021-01-01", periods=n, freq="MS").astype(str), "v": np.arange(n) + 1.0}
    )
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.set_index("date")["v"]


# -- an absolute fh of another kind of time points than y's ------------------------------------
@pytest.mark.parametrize(
    "y, fh",
    [
        (monthly().to_period("M"), pd.DatetimeIndex(["2023-08-01"])),  # sktime: AssertionError
        (monthly().reset_index(drop=True), pd.DatetimeIndex(["2023-08-01"])),  # sktime: AssertionError
        (monthly(), pd.Index([31])),  # sktime: TypeError on subtracting dates from integers
        (monthly(), pd.PeriodIndex(["2023-08"], freq="M")),  # sktime: "Frequencies ... do not coincide"
        (monthly().tz_localize("UTC"), pd.DatetimeIndex(["2023-08-01"])),  # silently read as UTC
    ],
    ids=["periods-dates", "integers-dates", "dates-integers", "dates-periods", "utc-naive"],
)
@pytest.mark.parametrize("at", ["fit", "predict"])
def test_absolute_fh_of_another_time_kind_is_refused_clearly(y, fh, at):
    fh = ForecastingHorizon(fh, is_relative=False)
    f = RNNForecaster(**TINY)
    with pytest.raises(ValueError, match="fh names time points of kind .* steps ahead"):
        if at == "fit":
            f.fit(y, fh=fh)
        else:
            f.fit(y).predict(fh=fh)


def test_absolute_fh_of_the_same_time_kind_still_forecasts():
    y = monthly().to_period("M")
    f = RNNForecaster(**TINY).fit(y)
    fh = ForecastingHorizon(pd.PeriodIndex(["2023-08"], freq="M"), is_relative=False)
    pd.testing.assert_index_equal(f.predict(fh=fh).index, fh.to_pandas(), check_names=False)


# -- an absolute fh off the series' grid ----------------------------------------------------------
def test_absolute_fh_off_the_grid_is_refused_not_mislabelled():
    # hourly series: 07:30 is 2.5 steps after 05:00; sktime counts 2, and the forecast for 07:00
    # came back labelled 07:30
    y = pd.Series(np.arange(30.0) + 1, index=pd.date_range("2021-01-01", periods=30, freq="h"))
    f = RNNForecaster(**TINY).fit(y)
    fh = ForecastingHorizon(pd.DatetimeIndex(["2021-01-02 07:30", "2021-01-02 08:00"]), is_relative=False)
    with pytest.raises(ValueError, match=r"2021-01-02 07:30:00 that are not on the series' frequency 'h'"):
        f.predict(fh=fh)
    on_grid = ForecastingHorizon(pd.DatetimeIndex(["2021-01-02 07:00"]), is_relative=False)
    assert f.predict(fh=on_grid).index[0] == pd.Timestamp("2021-01-02 07:00")


def test_absolute_fh_off_the_grid_names_the_series_of_a_panel():
    long = pd.DataFrame(
        [("a", t, 1.0 + i) for i, t in enumerate(pd.date_range("2020-01-01", periods=12, freq="D"))]
        + [("b", t, 1.0 + i) for i, t in enumerate(pd.date_range("2020-01-03", periods=8, freq="D"))],
        columns=["id", "date", "v"],
    )
    y = long.set_index(["id", "date"])
    f = RNNForecaster(**TINY).fit(y)
    fh = ForecastingHorizon(pd.DatetimeIndex(["2020-01-13 12:00"]), is_relative=False)
    with pytest.raises(ValueError, match="of series 'a'"):
        f.predict(fh=fh)
    fh = ForecastingHorizon(pd.DatetimeIndex(["2020-01-13"]), is_relative=False)
    assert f.predict(fh=fh).index.get_level_values(-1).unique().tolist() == [pd.Timestamp("2020-01-13")]


# -- predict_var(cov=True) ------------------------------------------------------------------------
def test_predict_var_with_cov_is_refused_not_answered_with_marginal_variances():
    # sktime's default returned the (fh x variables) marginal variances where cov=True documents a
    # (fh x (variable, fh)) covariance matrix
    y = monthly().to_period("M")
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2])
    with pytest.raises(NotImplementedError, match=r"no covariance matrix .* predict_var\(cov=False\)"):
        f.predict_var(cov=True)
    variances = f.predict_var()
    assert variances.shape == (2, 1) and (variances.to_numpy() > 0).all()


def test_absolute_fh_across_a_change_of_the_clocks_counts_the_real_hours():
    """sktime counts steps to a date by the local clock: 04:00 after the clocks go forward is 4 steps
    after 23:00, not 4 (real) hours; every date after the change was refused as off the grid."""
    frame = pd.DataFrame({"time": pd.date_range("2021-03-26", "2021-03-27 23:00", freq="h")})
    frame["v"] = np.sin(np.arange(len(frame)) / 4) + 5
    y = frame.set_index(frame["time"].dt.tz_localize("Europe/Paris"))["v"]
    f = RNNForecaster(**TINY).fit(y)
    ahead = f.predict(fh=[1, 2, 3, 4])  # 00:00, 01:00, 03:00 and 04:00 (02:00 does not exist)
    absolute = f.predict(fh=ForecastingHorizon(ahead.index[[1, 3]], is_relative=False))
    assert list(absolute.index) == list(ahead.index[[1, 3]])
    np.testing.assert_array_equal(absolute.to_numpy(), ahead.to_numpy()[[1, 3]])


def test_absolute_fh_off_a_grid_of_a_multiple_of_a_frequency_names_the_dates_around():
    """sktime fails on 10:00 for 2-hourly data ending at 07:00 with 'Trying to coerce float values'."""
    y = pd.Series(np.arange(40.0), index=pd.date_range("2021-01-01 01:00", periods=40, freq="2h"))
    f = RNNForecaster(**TINY).fit(y)
    with pytest.raises(
        ValueError, match=r"10:00:00 that are not on .*'2h'.*e\.g\. 2021-01-04 09:00:00, 2021-01-04 11:00"
    ):
        f.predict(fh=ForecastingHorizon(pd.DatetimeIndex(["2021-01-04 10:00"]), is_relative=False))
    on_grid = f.predict(fh=ForecastingHorizon(pd.DatetimeIndex(["2021-01-04 11:00"]), is_relative=False))
    np.testing.assert_array_equal(on_grid.to_numpy(), f.predict(fh=[2]).to_numpy())
