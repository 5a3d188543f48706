"""RNNForecaster on panels built as users build them: an id column and a date column made the index.

Such a time level has no ``freq``, and the series of a panel end (and start) on
different dates. Every panel is built inside its test: a frame that another sktime
forecaster has seen may come back with its ``freq`` set, which would hide a fault.
"""

from __future__ import annotations

import itertools
import re
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn._series import instances  # noqa: E402
from sklearn_rnn._training import valid_size  # noqa: E402
from sklearn_rnn._windows import TimeOrderedSplit  # noqa: E402

TINY = dict(window_length=4, hidden_size=4, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sktime's remember_data announcement
        yield


def store_sales(spans: dict[str, tuple[str, str]], freq: str = "D", exog: bool = False) -> pd.DataFrame:
    """Sales of stores, each reported from its first to its last date, as a frame indexed by (store, date)."""
    rows = []
    for store, (first, last) in spans.items():
        for i, date in enumerate(pd.date_range(first, last, freq=freq)):
            row = {"store": store, "date": date, "sales": 20 + 3 * np.sin(i / 2) + len(store)}
            if exog:
                row["promo"] = float(date.dayofweek == 4)
            rows.append(row)
    frame = pd.DataFrame(rows).set_index(["store", "date"])
    assert frame.index.get_level_values("date").freq is None  # as users have it
    return frame


# the south store's latest figures are not in yet
DAILY = {"north": ("2024-03-01", "2024-04-10"), "south": ("2024-03-01", "2024-04-02")}
MONTHLY = {"north": ("2019-01-01", "2023-06-01"), "south": ("2019-01-01", "2023-02-01")}


def _forecast_dates(frame: pd.DataFrame, steps: list[int], freq: str) -> list[tuple]:
    """(store, date) of each step of each store, counted from that store's own last date."""
    out = []
    for store, sub in frame.groupby(level="store", sort=False):
        last = sub.index.get_level_values("date")[-1]
        out += [(store, last + step * pd.tseries.frequencies.to_offset(freq)) for step in steps]
    return out


# -- 1. every series is forecast from its own end -------------------------------------------------------
@pytest.mark.parametrize("spans, freq", [(DAILY, "D"), (MONTHLY, "MS")], ids=["daily", "monthly"])
def test_relative_fh_forecasts_each_series_from_its_own_end_like_naive_forecaster(spans, freq):
    y = store_sales(spans, freq)
    fh = [1, 2, 3]
    f = RNNForecaster(**TINY).fit(y, fh=fh)
    naive = NaiveForecaster().fit(store_sales(spans, freq), fh=fh)
    expected = naive.predict().index
    assert list(expected) == _forecast_dates(y, fh, freq)  # south's 1-step forecast: the day after its end
    pd.testing.assert_index_equal(f.predict().index, expected, exact=True)
    pd.testing.assert_index_equal(f.predict_interval(coverage=0.9).index, expected, exact=True)
    pd.testing.assert_index_equal(f.predict_quantiles(alpha=[0.1, 0.9]).index, expected, exact=True)
    assert f.horizon_ == 3  # steps are counted from each series' end, not from the panel's last date


def test_absolute_fh_names_the_same_dates_for_every_series_like_naive_forecaster():
    y = store_sales(DAILY)
    f = RNNForecaster(**TINY, max_horizon=12).fit(y)
    dates = pd.date_range("2024-04-11", periods=3, freq="D")
    fh = ForecastingHorizon(dates, is_relative=False)
    naive = NaiveForecaster().fit(store_sales(DAILY), fh=[1])
    expected = naive.predict(fh=fh).index
    y_pred = f.predict(fh=fh)
    pd.testing.assert_index_equal(y_pred.index, expected, exact=True)
    pd.testing.assert_index_equal(f.predict_interval(fh=fh).index, expected, exact=True)
    # for south (last date 2024-04-02) these dates are 9 to 11 steps ahead of its own end
    by_steps = f.predict(fh=[9, 10, 11]).loc["south"]
    np.testing.assert_allclose(y_pred.loc["south"].to_numpy(), by_steps.to_numpy())
    # the north store's dates are 1 to 3 steps ahead
    np.testing.assert_allclose(
        y_pred.loc["north"].to_numpy(), f.predict(fh=[1, 2, 3]).loc["north"].to_numpy()
    )


def test_absolute_fh_before_the_end_of_a_series_is_refused():
    y = store_sales(DAILY)
    f = RNNForecaster(**TINY, max_horizon=12).fit(y)
    fh = ForecastingHorizon(pd.date_range("2024-04-05", periods=2, freq="D"), is_relative=False)
    # dates inside the north store's series, after the south store's end: sktime's words named neither
    with pytest.raises(
        NotImplementedError,
        match=r"in-sample prediction: fh holds 2024-04-05, 2024-04-06, at or before the panel's cutoff.*"
        r"\(2024-04-10, the end of series 'north'\).*Pass fh as steps ahead",
    ):
        f.predict(fh=fh)
    f.predict(fh=[3, 4])  # the fix: the south store's 2024-04-05 and 2024-04-06
    before_both = ForecastingHorizon(pd.date_range("2024-03-20", periods=2, freq="D"), is_relative=False)
    for fh in (before_both, [-2, 1]):  # in-sample for every series: sktime's words, no false "fix"
        with pytest.raises(NotImplementedError, match="in-sample") as error:
            f.predict(fh=fh)
        assert "after the end of some series" not in str(error.value)


def test_hierarchy_with_different_end_dates_is_forecast_like_naive_forecaster():
    rows = []
    for region, store, last in (
        ("east", "a", "2024-02-20"),
        ("east", "b", "2024-02-14"),
        ("west", "c", "2024-02-17"),
    ):
        for i, date in enumerate(pd.date_range("2024-01-01", last, freq="D")):
            rows.append({"region": region, "store": store, "date": date, "sales": 5 + np.cos(i / 3)})
    y = pd.DataFrame(rows).set_index(["region", "store", "date"])
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2])
    naive = NaiveForecaster().fit(y.copy(), fh=[1, 2])
    pd.testing.assert_index_equal(f.predict().index, naive.predict().index, exact=True)
    pd.testing.assert_index_equal(f.predict_interval().index, naive.predict_interval().index, exact=True)


@pytest.mark.parametrize("levels", [["store", "month"], ["store", "region", "month"]])
def test_instance_levels_keep_their_dtypes(levels):
    """A categorical store level came back as strings and an int32 one as int64 (rebuilt from tuples).
    sktime's NaiveForecaster keeps them on a panel (and, in sktime 1.2, not on a deeper hierarchy)."""
    months = pd.period_range("2000-01", periods=24, freq="M")
    y = pd.concat(
        {(s, r): pd.DataFrame({"y": np.arange(24.0) + 10 * r}, index=months) for s in "ba" for r in (1, 2)},
        names=["store", "region", "month"],
    ).reset_index()
    y["store"] = pd.Categorical(y["store"], categories=["a", "b", "closed"])
    y["region"] = y["region"].astype(np.int32)
    if len(levels) == 2:
        y = y[y["region"] == 1]
    y = y.set_index(levels)[["y"]]
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2])
    naive = NaiveForecaster().fit(y, fh=[1, 2])
    for method in ("predict", "predict_interval", "predict_quantiles"):
        ours = getattr(f, method)().index
        assert ours.equals(getattr(naive, method)().index)
        assert [level.dtype for level in ours.levels] == [level.dtype for level in y.index.levels], method
    if len(levels) == 2:
        pd.testing.assert_index_equal(f.predict().index, naive.predict().index, exact=True)


def test_future_X_is_read_at_each_series_own_forecast_dates():
    frame = store_sales(DAILY, exog=True)
    f = RNNForecaster(**TINY).fit(frame[["sales"]], X=frame[["promo"]], fh=[1, 2])
    dates = pd.date_range("2024-03-01", "2024-04-30", name="date")
    promo = pd.DataFrame({"promo": (dates.dayofweek == 4) * 1.0}, index=dates)
    calendar = pd.concat({store: promo for store in DAILY}, names=["store", "date"])
    future = calendar[calendar.index.get_level_values("date") > pd.Timestamp("2024-04-02")]
    y_pred = f.predict(X=future)
    assert list(y_pred.index) == _forecast_dates(frame, [1, 2], "D")
    with pytest.raises(
        ValueError, match=r"no rows for 2024-04-03, 2024-04-04 of series 'south' \(y ends on 2024-04-02\)"
    ):
        f.predict(X=future.loc[["north"]])


def test_evaluate_with_expanding_windows_on_a_panel_of_different_end_dates_aligns_every_fold():
    # the splitter cuts each store at the same position, so the stores' folds end on different dates
    y = store_sales({"north": ("2024-03-01", "2024-04-10"), "south": ("2024-03-05", "2024-04-07")})
    cv = ExpandingWindowSplitter(initial_window=20, step_length=6, fh=[1, 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = evaluate(RNNForecaster(**TINY), cv=cv, y=y)
    assert len(results) == 3
    assert np.isfinite(results.iloc[:, 0]).all()
    misaligned = [w for w in caught if "same row index" in str(w.message)]
    assert misaligned == []


def test_a_global_backtest_is_refused_rather_than_leaving_the_pretraining_series_unread():
    """evaluate(..., cv_global=KFold(2)) pretrains on half the stores: sktime's pretrain of a forecaster
    without the tag read nothing, so each fold's network was fitted on the test stores alone (their
    forecasts the same with the other stores replaced by noise of 1e6)."""
    from sklearn.model_selection import KFold

    stores = {name: ("2024-03-01", "2024-04-10") for name in ("a", "b", "c", "d")}
    y = store_sales(stores)
    with pytest.raises(NotImplementedError, match=r"does not pretrain.*update\(y_new, update_params=False\)"):
        RNNForecaster(**TINY).pretrain(y)
    cv = ExpandingWindowSplitter(initial_window=30, step_length=5, fh=[1, 2])
    with pytest.raises(NotImplementedError, match="does not pretrain"):
        evaluate(RNNForecaster(**TINY), cv=cv, y=y, cv_global=KFold(n_splits=2), error_score="raise")
    # the way the message gives: the network of the other stores forecasts new ones from their own ends
    fitted = RNNForecaster(**TINY).fit(y.loc[["a", "b"]], fh=[1, 2])
    fitted.update(y.loc[["c", "d"]], update_params=False)
    forecasts = fitted.predict()
    assert forecasts.index.equals(NaiveForecaster().fit(y, fh=[1, 2]).predict().index)


def test_residuals_are_those_of_values_after_the_end_and_training_residuals_are_refused_with_the_way():
    """predict_residuals() told to pass the training data or set remember_data=True, and both failed
    (an in-sample refusal printing every training time point; an AttributeError on _y)."""
    from sktime.transformations.series.detrend import Detrender

    y = store_sales({"north": ("2024-01-01", "2024-04-10")}).loc["north"]
    train, test = y.iloc[:-3], y.iloc[-3:]
    fitted = RNNForecaster(**TINY).fit(train, fh=[1, 2, 3])
    residuals = fitted.predict_residuals(test)
    assert residuals.index.equals(test.index)
    np.testing.assert_allclose(residuals.to_numpy(), (test - fitted.predict()).to_numpy())
    for forecaster in (fitted, RNNForecaster(**TINY).set_config(remember_data=True).fit(train, fh=[1])):
        with pytest.raises(NotImplementedError, match=r"no residuals of its training data.*evaluate"):
            forecaster.predict_residuals()
    # a panel whose stores end on different dates: sktime's own failed ("Invalid fh")
    panel = store_sales(DAILY)
    tests = [g.iloc[-2:] for _, g in panel.groupby(level="store", sort=False)]
    train = panel.drop(pd.concat(tests).index)
    on_panel = RNNForecaster(**TINY, max_horizon=3).fit(train, fh=[1, 2])
    residuals = on_panel.predict_residuals(pd.concat(tests))
    assert list(on_panel.fh) == [
        1,
        2,
    ]  # the fh of later predict() calls stays fit's, as sktime's own keeps it
    assert residuals.index.equals(pd.concat(tests).index)
    expected = pd.concat(tests) - on_panel.predict(fh=[1, 2])
    np.testing.assert_allclose(residuals.to_numpy(), expected.reindex(residuals.index).to_numpy())
    # with exogenous X given for y's rows alone, as a backtest has it (the forecasts read X to
    # horizon_=3 steps before, and refused it)
    with_x = store_sales(DAILY, exog=True)
    x_tests = [g.iloc[-2:] for _, g in with_x.groupby(level="store", sort=False)]
    x_train = with_x.drop(pd.concat(x_tests).index)
    exog = RNNForecaster(**TINY, max_horizon=3).fit(x_train[["sales"]], X=x_train[["promo"]], fh=[1, 2])
    future = pd.concat(x_tests)
    by_x = exog.predict_residuals(future[["sales"]], X=future[["promo"]])
    expected = future[["sales"]] - exog.predict(fh=[1, 2], X=future[["promo"]])
    np.testing.assert_allclose(by_x.to_numpy(), expected.reindex(by_x.index).to_numpy())
    with pytest.raises(ValueError, match=r"does not forecast, e.g. \('south', Timestamp\('2024-03-29"):
        on_panel.predict_residuals(panel.iloc[-5:])  # south's last training days
    train, test = y.iloc[:-3], y.iloc[-3:]
    # the training data as y, and a Detrender, which forecasts the series' own time points: named briefly
    for call in (
        lambda: fitted.predict_residuals(train),
        lambda: Detrender(RNNForecaster(**TINY)).fit_transform(y),
    ):
        with pytest.raises(
            NotImplementedError, match=r"holds (the steps -97|2024-01-01), .* \(and \d+ more\), at or before"
        ) as error:
            call()
        assert "ForecastingHorizon(" not in str(error.value)


# -- 2. dates without a frequency -----------------------------------------------------------------------
@pytest.mark.parametrize("freq", ["D", "MS"])
@pytest.mark.parametrize("ends", ["equal", "different"])
def test_dates_without_freq_are_placed_with_the_inferred_frequency(freq, ends):
    spans = DAILY if freq == "D" else MONTHLY
    if ends == "equal":
        spans = {store: (first, spans["north"][1]) for store, (first, _) in spans.items()}
    y = store_sales(spans, freq)  # a fresh frame: nothing has set a freq on it
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2])
    expected = _forecast_dates(y, [1, 2], freq)
    assert list(f.predict().index) == expected
    assert list(f.predict_interval().index) == expected
    assert list(f.predict(fh=[2]).index) == expected[1::2]
    # a fresh forecaster that gets its fh only at predict
    g = RNNForecaster(**TINY, max_horizon=2).fit(store_sales(spans, freq))
    assert list(g.predict(fh=[1, 2]).index) == expected


def test_a_panel_of_series_too_short_to_infer_from_uses_their_dates_together():
    y = store_sales({"a": ("2024-03-01", "2024-03-02"), "b": ("2024-03-03", "2024-03-04")})
    f = RNNForecaster(**TINY).fit(y, fh=[1])
    assert list(f.predict().index) == [("a", pd.Timestamp("2024-03-03")), ("b", pd.Timestamp("2024-03-05"))]


@pytest.mark.parametrize("fh_in_fit", [True, False])
def test_irregular_dates_are_refused_with_the_fix(fh_in_fit):
    y = store_sales(DAILY).reset_index()
    y["date"] += pd.to_timedelta(np.arange(len(y)) % 5, unit="h")  # readings at drifting hours
    y = y.set_index(["store", "date"])
    message = r"DatetimeIndex without a frequency, and none can be inferred.*resample\('D'.*freq"
    with pytest.raises(ValueError, match=message):  # at fit, before training, with or without fh
        RNNForecaster(**TINY, max_horizon=2).fit(y, **({"fh": [1, 2]} if fh_in_fit else {}))
    # the suggested fix works
    daily = y.groupby(level=0).resample("D", level=-1).mean()
    assert len(RNNForecaster(**TINY).fit(daily, fh=[1, 2]).predict()) == 4


@pytest.mark.parametrize(
    "freq, start, next_date",
    [
        ("MS", "2015-01-01", "2019-01-01"),
        ("ME", "2015-01-31", "2019-01-31"),
        ("QE", "2008-03-31", "2020-03-31"),
        ("B", "2021-01-01", "2021-03-10"),  # a holiday missing: resample('D') added every weekend
    ],
)
def test_monthly_or_quarterly_dates_with_one_missing_are_refused_with_their_own_grid(freq, start, next_date):
    """The fix named a grid of days (y.resample('7D')): following it turned 47 months into 205 weekly
    rows, and fh=1 forecast the next week."""
    dates = pd.date_range(start, periods=48, freq=freq).delete(20)  # one period missing from an export
    frame = pd.DataFrame({"date": dates, "sales": 100 + np.arange(47.0)})
    y = frame.set_index("date")["sales"]
    with pytest.raises(
        ValueError, match=rf"y.resample\('{freq}'\).mean\(\).interpolate\(\).*freq = '{freq}'"
    ):
        RNNForecaster(**TINY).fit(y, fh=[1])
    regular = y.resample(freq).mean().interpolate()  # the fix, as the message gives it
    assert len(regular) == 48
    assert RNNForecaster(**TINY).fit(regular, fh=[1]).predict().index[0] == pd.Timestamp(next_date)


# -- 3. early stopping validates on the latest windows ----------------------------------------------------
def _window_times(f: RNNForecaster) -> tuple[list, np.ndarray]:
    """Time point of every row of the forecaster's concatenated training rows, and each row's series."""
    W, H = f.window_length, f.horizon_
    times, series = [], []
    for number, (_, frame) in enumerate(instances(f._y_hist)):
        index = frame.index
        assert len(index) > W  # no left padding in these tests
        future = pd.date_range(index[-1], periods=H + 1, freq="D")[1:]
        times += list(index) + list(future)
        series += [number] * (len(index) + H)
    return times, np.array(series)


@pytest.mark.parametrize("horizon", [1, 3])
def test_early_stopping_validates_on_the_latest_windows_after_the_training_targets(horizon):
    """A window starting at row p reads rows p .. p+W-1 and forecasts rows p+W .. p+W+H-1."""
    y = store_sales(DAILY)
    f = RNNForecaster(**TINY, early_stopping=True, validation_fraction=0.2).fit(y, fh=range(1, horizon + 1))
    assert "valid_loss" in f.net_.history[-1]
    data = f._window_dataset(instances(f._y_hist), None)
    train, valid = f.net_.get_split_datasets(data)  # what skorch trains and validates on
    times, row_series = _window_times(f)
    W, H = f.window_length, f.horizon_
    for number in range(2):
        tr = train.starts.numpy()[row_series[train.starts.numpy()] == number]
        va = valid.starts.numpy()[row_series[valid.starts.numpy()] == number]
        # the validation period (the time points the validation windows forecast) starts after
        # every time point a training window forecasts
        last_train_target = max(times[s + W + H - 1] for s in tr)
        first_valid_target = min(times[s + W] for s in va)
        assert first_valid_target > last_train_target
        # forecast origins (a window's last input) of training and validation: horizon_ steps apart
        gap = min(times[s + W - 1] for s in va) - max(times[s + W - 1] for s in tr)
        assert gap == pd.Timedelta(days=H)
        # the latest validation_fraction of the series' windows validate, only the gap is left out
        n_windows = int((row_series[data.starts.numpy()] == number).sum())
        assert len(va) == valid_size(0.2, n_windows)
        assert len(tr) == n_windows - len(va) - (H - 1)
    assert isinstance(f.net_.train_split, TimeOrderedSplit)


def test_early_stopping_validates_on_the_latest_windows_after_update():
    y = store_sales(DAILY)
    f = RNNForecaster(**TINY, early_stopping=True).fit(
        y.loc[y.index.get_level_values("date") < "2024-04-01"], fh=[1, 2]
    )
    f.update(y.loc[y.index.get_level_values("date") >= "2024-04-01"], update_params=True)
    assert isinstance(f.net_.train_split, TimeOrderedSplit)
    assert "valid_loss" in f.net_.history[-1]


def test_early_stopping_refuses_a_split_whose_gap_leaves_no_training_window():
    y = store_sales({"a": ("2024-03-01", "2024-03-10")})  # 6 windows of 4 days
    with pytest.raises(
        ValueError,
        match=r"of the 6 training windows \(1\), which leaves none to train on\. "
        r".*the 5 windows just before them.*early_stopping=False",
    ):
        RNNForecaster(**TINY, early_stopping=True, validation_fraction=0.1).fit(y, fh=range(1, 7))


# -- found by a user's-eye review ------------------------------------------------------------------------
@pytest.mark.parametrize("ends", ["equal", "different"])
def test_an_absolute_fh_on_a_panel_without_freq_names_the_same_dates_for_every_series(ends):
    spans = MONTHLY if ends == "different" else {s: ("2019-01-01", "2023-06-01") for s in MONTHLY}
    dates = pd.DatetimeIndex(["2023-07-01", "2023-09-01"])  # no freq either, as users type them
    f = RNNForecaster(**TINY, max_horizon=12).fit(store_sales(spans, "MS"))
    pred = f.predict(fh=dates)
    assert list(pred.index) == [(store, date) for store in ("north", "south") for date in dates]
    # the same forecasts as the relative steps that reach those dates from each series' end
    for store, (_, last) in spans.items():
        steps = [(d.year - pd.Timestamp(last).year) * 12 + d.month - pd.Timestamp(last).month for d in dates]
        relative = f.predict(fh=steps).loc[store]
        np.testing.assert_allclose(pred.loc[store].to_numpy(), relative.to_numpy(), rtol=1e-6)
    g = RNNForecaster(**TINY).fit(store_sales(spans, "MS"), fh=dates)
    assert list(g.predict().index) == list(pred.index)
    # an update of one month a store: too few dates to infer from, the frequency stays
    month = store_sales({store: (last, last) for store, (_, last) in spans.items()}, "MS")
    month.index = pd.MultiIndex.from_arrays(
        [month.index.get_level_values(0), month.index.get_level_values(1) + pd.offsets.MonthBegin()],
        names=month.index.names,
    )
    f.update(month, update_params=False)
    later = pd.DatetimeIndex(["2023-10-01"])
    assert list(f.predict(fh=later).index) == [(store, later[0]) for store in ("north", "south")]


def test_the_seasonal_period_is_the_panels_whatever_series_comes_first():
    """A store opened two months ago, listed first, has too few dates to infer a frequency from."""
    spans = {"airport": ("2019-11-01", "2019-12-01"), "main": ("2015-01-01", "2019-12-01")}
    assert RNNForecaster(**TINY).fit(store_sales(spans, "MS"), fh=[1]).sp_ == 12
    assert RNNForecaster(**TINY).fit(store_sales(dict(reversed(spans.items())), "MS"), fh=[1]).sp_ == 12


@pytest.mark.parametrize(
    "freq, sp", [("2h", 12), ("2W", 26), ("BMS", 12), ("SMS", 24), ("5h", 1), ("MS", 12)]
)
def test_the_seasonal_period_counts_steps_of_the_frequency(freq, sp):
    y = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40, freq=freq))
    assert RNNForecaster(**TINY).fit(y, fh=[1]).sp_ == sp


@pytest.mark.parametrize(
    "offset, sp",
    [
        (pd.offsets.CustomBusinessDay(holidays=["2024-01-15", "2024-02-19"]), 5),  # an exchange's days
        (pd.offsets.CustomBusinessDay(weekmask="Sun Mon Tue Wed Thu"), 5),
        (pd.offsets.CustomBusinessDay(weekmask="1111110"), 6),
    ],
    ids=["holidays", "sunday-to-thursday", "six-day-week"],
)
def test_custom_business_days_have_the_days_of_their_week_as_season(offset, sp):
    """Custom business days gave sp_=1: trained without their weekly season, silently."""
    y = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-02", periods=40, freq=offset))
    assert RNNForecaster(**TINY).fit(y, fh=[1]).sp_ == sp


@pytest.mark.parametrize(
    "freqs, message",
    [
        (("D", "W-MON"), "'north' steps by 'D', 'south' by 'W-MON'"),
        (("MS", "ME"), "'north' steps by 'MS', 'south' by 'ME'"),
    ],
    ids=["daily-and-weekly", "month-starts-and-ends"],
)
def test_a_panel_of_series_on_different_frequencies_is_refused_as_sktime_does(freqs, message):
    """Each store's dates carry no freq; the panel's one grid would misdate the other store's forecasts."""
    frames = [
        store_sales({store: ("2020-01-06", "2020-06-29")}, freq)
        for store, freq in zip(("north", "south"), freqs, strict=True)
    ]
    y = pd.concat(frames)
    with pytest.raises(ValueError, match=f"The series of y are on different frequencies: {message}"):
        RNNForecaster(**TINY).fit(y, fh=[1, 2])
    with pytest.raises(ValueError, match="do not coincide"):  # what sktime's own forecasters say
        NaiveForecaster().fit(y, fh=[1, 2]).predict()


@pytest.mark.parametrize(
    "offset", [pd.offsets.BDay(), pd.offsets.BusinessHour(start="09:00", end="17:00")], ids=["B", "bh"]
)
def test_a_few_business_steps_inferred_as_days_or_hours_are_not_another_frequency(offset):
    """Found by a probe: a store's Monday-to-Friday week (or a morning of business hours) is inferred
    as days (hours), and a panel of business-day stores was refused as on different frequencies: at fit
    where a store opened last week, at every update whose new rows fell within one week for one store
    and across a weekend for another. Those dates are consecutive business steps: each store is
    forecast from its own end, as one at a time."""

    def table(dates: dict) -> pd.DataFrame:  # a long table, as users build a panel
        rows = [
            pd.DataFrame({"store": k, "day": d, "sales": 10 + np.sin(np.arange(len(d)))})
            for k, d in dates.items()
        ]
        return pd.concat(rows).set_index(["store", "day"])

    old, new = (
        pd.date_range("2020-01-06", periods=60, freq=offset),
        pd.date_range("2020-03-23", periods=5, freq=offset),
    )
    fitted = RNNForecaster(**TINY).fit(table({"old": old, "new": new}), fh=[1])
    assert fitted.predict().index.tolist() == [("old", old[-1] + offset), ("new", new[-1] + offset)]
    long, short = (
        pd.date_range("2020-01-06", periods=60, freq=offset),
        pd.date_range("2020-01-06", periods=58, freq=offset),
    )
    fitted = RNNForecaster(**TINY).fit(table({"a": long[:-5], "b": short[:-5]}), fh=[1])
    fitted.update(table({"a": long[-5:], "b": short[-5:]}), update_params=False)
    assert fitted.predict().index.tolist() == [("a", long[-1] + offset), ("b", short[-1] + offset)]
    # the longest series a Monday-to-Friday week (days), another across a weekend (business steps)
    week, across = new, pd.date_range("2020-03-19", periods=4, freq=offset)
    fitted = RNNForecaster(**TINY).fit(table({"week": week, "across": across}), fh=[1])
    assert fitted.predict().index.tolist() == [("week", week[-1] + offset), ("across", across[-1] + offset)]
    # a week on both grids does not reconcile business steps with calendar ones, in any order
    calendar = pd.date_range("2020-01-06", periods=60, freq="D" if offset == pd.offsets.BDay() else "h")
    stores = {"business": old, "week": week, "calendar": calendar}
    for order in itertools.permutations(stores):
        with pytest.raises(ValueError, match="The series of y are on different frequencies"):
            RNNForecaster(**TINY).fit(table({name: stores[name] for name in order}), fh=[1])


def test_update_keeps_the_order_of_the_panels_series_that_metrics_compare_by():
    """Stores listed north after south (not sorted): after an update they still are, as with naive.

    sktime's metrics compare a panel's rows by position: forecasts of the same
    series in another order would be scored against the wrong store.
    """
    from sktime.performance_metrics.forecasting import mean_absolute_error

    spans = {"south": ("2024-03-01", "2024-04-10"), "north": ("2024-03-01", "2024-04-10")}
    y = store_sales(spans)
    dates = y.index.get_level_values("date")
    train, new, test = (
        y[(dates >= a) & (dates <= b)]
        for a, b in (("2024-03-01", "2024-04-04"), ("2024-04-05", "2024-04-07"), ("2024-04-08", "2024-04-10"))
    )
    f = RNNForecaster(**TINY).fit(train, fh=[1, 2, 3])
    naive = NaiveForecaster().fit(train, fh=[1, 2, 3])
    f.update(new, update_params=False)
    naive.update(new, update_params=False)
    y_pred = f.predict()
    pd.testing.assert_index_equal(y_pred.index, naive.predict().index, exact=True)
    pd.testing.assert_index_equal(y_pred.index, test.index)
    assert mean_absolute_error(test, y_pred) == pytest.approx(float((test - y_pred).abs().mean().iloc[0]))


@pytest.mark.parametrize("kind", ["dates", "periods", "integers", "panel"])
def test_update_refuses_new_data_that_skips_time_points(kind):
    n = 30
    values = 10 + np.sin(np.arange(n + 5) / 2)
    index = {
        "dates": pd.date_range("2020-01-01", periods=n + 5, freq="MS"),
        "periods": pd.period_range("2020-01", periods=n + 5, freq="M"),
        "integers": pd.RangeIndex(n + 5),
    }.get(kind)
    if kind == "panel":
        y_all = store_sales({"north": ("2024-01-01", "2024-02-04"), "south": ("2024-01-01", "2024-02-04")})
        first_dates = y_all.index.get_level_values("date") < pd.Timestamp("2024-01-31")
        y, later = y_all[first_dates], y_all[~first_dates]
        skipped = later.drop(("south", pd.Timestamp("2024-01-31")))  # the 31st of the south store is missing
    else:
        y_all = pd.Series(values, index=index, name="y")
        y, later = y_all.iloc[:n], y_all.iloc[n:]
        skipped = later.iloc[2:]  # the first two new time points are missing
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2])
    before = f.predict()
    with pytest.raises(ValueError, match="skips the time points"):
        f.update(skipped, update_params=False)
    pd.testing.assert_frame_equal(pd.DataFrame(f.predict()), pd.DataFrame(before))  # unchanged
    f.update(later, update_params=False)  # without the gap it goes on
    assert f.predict().index.get_level_values(-1)[0] > before.index.get_level_values(-1)[0]


def test_update_predict_single_forecasts_in_the_format_of_fit():
    """sktime's default passed update the converted frame, and every later forecast became one."""
    y = pd.Series(
        10 + np.sin(np.arange(60) / 2), index=pd.date_range("2015-01-01", periods=60, freq="MS"), name="sales"
    )
    f = RNNForecaster(**TINY, max_horizon=3).fit(y.iloc[:54], fh=[1, 2, 3])
    reference = RNNForecaster(**TINY, max_horizon=3).fit(y.iloc[:54], fh=[1, 2, 3])
    out = f.update_predict_single(y.iloc[54:57], update_params=False)
    reference.update(y.iloc[54:57], update_params=False)
    pd.testing.assert_series_equal(out, reference.predict())
    assert isinstance(f.predict(), pd.Series) and f.predict().name == "sales"


def test_x_passed_without_a_series_rows_says_so():
    spans = {"a": ("2024-03-01", "2024-04-10"), "b": ("2024-03-01", "2024-04-10")}
    y = store_sales(spans, exog=True)
    f = RNNForecaster(**TINY).fit(y[["sales"]], X=y[["promo"]], fh=[1, 2])
    future = store_sales({"b": ("2024-04-11", "2024-04-12")}, exog=True)[["promo"]]
    with pytest.raises(ValueError, match="X passed to predict has no rows for this series.*series 'a'"):
        f.predict(X=future)


def test_an_absolute_fh_beyond_a_series_horizon_names_the_series_and_its_end():
    y = store_sales(DAILY)  # south ends on 2024-04-02, 8 days before north
    f = RNNForecaster(**TINY, max_horizon=9).fit(y)
    fh = ForecastingHorizon(pd.date_range("2024-04-11", periods=2, freq="D"), is_relative=False)
    with pytest.raises(
        ValueError,
        match=r"10 steps ahead, counted from the end of series 'south' \(2024-04-02\), .*horizon_=9",
    ):
        f.predict(fh=fh)


def test_a_series_of_one_value_gets_no_interval_rather_than_one_of_width_zero():
    """A product launched yesterday, one sale figure: its scale, a rounding of the value, collapsed its
    80% and 95% intervals onto the median ([12, 12], variance 0), in silence; NaiveForecaster gives NaN.
    The warning told users to update the series with more values, after which (found by a probe) its
    intervals were of width zero, the scale kept from fit: it says to fit again."""
    rows = [("old", day, 10.0 + np.sin(k)) for k, day in enumerate(pd.date_range("2023-01-01", periods=40))]
    rows.append(("new", pd.Timestamp("2023-02-09"), 12.0))
    y = pd.DataFrame(rows, columns=["sku", "date", "qty"]).set_index(["sku", "date"])
    f = RNNForecaster(**TINY).fit(y, fh=[1, 2, 3])
    with pytest.warns(
        UserWarning,
        match=r"Series \['new'\] \(1 in all\) hold one value each.* Fit the forecaster again once",
    ):
        intervals = f.predict_interval(coverage=[0.8, 0.95])
    naive = NaiveForecaster().fit(y, fh=[1, 2, 3]).predict_interval(coverage=[0.8, 0.95])
    pd.testing.assert_frame_equal(intervals.isna(), naive.isna())  # NaN for the new product only
    assert intervals.loc["new"].isna().all().all() and intervals.loc["old"].notna().all().all()
    quantiles = f.predict_quantiles(alpha=[0.1, 0.5])
    np.testing.assert_allclose(quantiles.loc["new"].iloc[:, 1], f.predict().loc["new", "qty"])
    assert quantiles.loc["new"].iloc[:, 0].isna().all()
    assert f.predict_var().loc["new"].isna().all().all()


def test_two_dates_a_series_are_called_too_few_and_the_panel_fix_works():
    """Two consecutive days per series were called "not evenly spaced", and the fix given,
    y.index.freq = 'D', is a no-op pandas accepts on a MultiIndex: the same refusal came back."""
    rows = [
        (sku, day, 10.0 + k)
        for sku in "ab"
        for k, day in enumerate(pd.to_datetime(["2023-01-01", "2023-01-02"]))
    ]
    y = pd.DataFrame(rows, columns=["sku", "date", "qty"]).set_index(["sku", "date"])
    with pytest.raises(ValueError, match=r"its 2 date\(s\) \(2023-01-01, 2023-01-02\) are too few") as error:
        RNNForecaster(**TINY).fit(y, fh=[1])
    fix = str(error.value).split("(a panel: ")[1].removesuffix(").")
    namespace = {"pd": pd, "y": y}
    exec(fix, namespace)  # the message's fix, as written
    y = namespace["y"]
    y_pred = RNNForecaster(**TINY).fit(y, fh=[1]).predict()
    assert y_pred.index.get_level_values(-1).tolist() == [pd.Timestamp("2023-01-03")] * 2
    # the fix names the dates' own spacing: two days, or the 15th of each month
    for dates, after in (
        (["2023-01-01", "2023-01-03"], "2023-01-05"),
        (["2023-01-15", "2023-02-15"], "2023-03-15"),
    ):
        rows = [(sku, day, 10.0 + k) for sku in "ab" for k, day in enumerate(pd.to_datetime(dates))]
        y = pd.DataFrame(rows, columns=["sku", "date", "qty"]).set_index(["sku", "date"])
        with pytest.raises(ValueError, match="too few") as error:
            RNNForecaster(**TINY).fit(y, fh=[1])
        namespace = {"pd": pd, "y": y}
        exec(str(error.value).split("(a panel: ")[1].removesuffix(")."), namespace)
        y = namespace["y"]
        y_pred = RNNForecaster(**TINY).fit(y, fh=[1]).predict()
        assert y_pred.index.get_level_values(-1).tolist() == [pd.Timestamp(after)] * 2


def _stacked_sales(spans: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The stores' sales as exported: one table, a date and a store column, rows in date order."""
    return store_sales(spans).reset_index().sort_values(["date", "store"], kind="stable")


@pytest.mark.parametrize("store", ["text", "integer"])
def test_a_panel_indexed_date_then_store_is_refused_or_warned_with_a_fix_that_works(store):
    """Indexed (date, store), each date was read as a series whose time points were the stores, without
    an error (NaiveForecaster reads it so too): a forecast per date, the stores' ids as its steps."""
    table = _stacked_sales(DAILY)
    if store == "integer":
        table["store"] = table["store"].map({"north": 1, "south": 2})
    y = table.set_index(["date", "store"]).sort_index()
    fix = r"y = y.reorder_levels\(\[1, 0\]\).sort_index\(\)"
    if store == "text":
        with pytest.raises(TypeError, match=r"level 0 \('date'\).*" + fix):
            RNNForecaster(**TINY).fit(y, fh=[1, 2])
    else:
        with pytest.warns(UserWarning, match=r"times in level 0 \('date'\).*" + fix):
            RNNForecaster(**TINY).fit(y, fh=[1, 2])
    fixed = y.reorder_levels([1, 0]).sort_index()  # the message's fix, as written
    assert list(fixed.index.names) == ["store", "date"]
    forecaster = RNNForecaster(**TINY).fit(fixed, fh=[1, 2])
    expected = NaiveForecaster().fit(fixed.copy(), fh=[1, 2]).predict().index
    pd.testing.assert_index_equal(forecaster.predict().index, expected, exact=True)
    if store == "text":
        with pytest.raises(TypeError, match=r"X has its time points in level 0"):
            forecaster.predict(X=pd.DataFrame({"promo": 0.0}, index=expected.swaplevel()))


def test_stores_stacked_under_a_date_index_are_told_the_series_level_fix():
    """Refused first as out of order, sorted as told, then as repeated dates: neither fix was the one."""
    y = _stacked_sales(DAILY).set_index("date")[["store", "sales"]]
    with pytest.raises(ValueError, match=r"several series stacked.*set_index\(id_column, append=True\)"):
        RNNForecaster(**TINY).fit(y, fh=[1])
    with pytest.raises(ValueError, match=r"more than one row for time point 2024-03-01 .*first\.$"):
        RNNForecaster(**TINY).fit(y["sales"], fh=[1])  # no column to tell them apart: no such advice
    fixed = y.set_index("store", append=True).swaplevel().sort_index()  # the fix, id_column="store"
    pd.testing.assert_frame_equal(fixed, store_sales(DAILY).sort_index())


def test_a_column_name_twice_is_refused_naming_it_in_y_and_x():
    """sktime's refusal named neither the column nor the fix: 'Unsupported input data type'."""
    index = pd.date_range("2024-01-01", periods=40, freq="D")
    y = pd.DataFrame(np.random.default_rng(0).normal(size=(40, 2)), index=index, columns=["sales", "sales"])
    with pytest.raises(ValueError, match=r"y has the column 'sales' more than once.*y.columns.duplicated"):
        RNNForecaster(**TINY).fit(y, fh=[1])
    X = pd.DataFrame(np.zeros((40, 2)), index=index, columns=["promo", "promo"])
    with pytest.raises(ValueError, match=r"X has the column 'promo' more than once"):
        RNNForecaster(**TINY).fit(y.iloc[:, :1], X=X, fh=[1])


@pytest.mark.parametrize("correction_weight", ["auto", 1.0])
def test_a_series_added_by_update_is_forecast_as_the_same_series_given_to_fit(correction_weight):
    """Found by a probe: a series first seen in update(update_params=False) was scaled by all its
    values, a fitted one by its values before those fit held out (the units its intervals were
    calibrated in). The same months under a new name got 90% intervals 12% wider on Airline, and
    with correction_weight=1 other forecasts."""
    from sktime.datasets import load_airline

    months = load_airline().iloc[:96]
    table = pd.DataFrame({"month": months.index.to_timestamp(), "passengers": months.to_numpy()})
    rows = {"a": table, "other": table.iloc[10:].assign(passengers=table.passengers.iloc[10:] * 1.3)}

    def panel(names):
        frames = [rows[name].assign(route=copy) for name, copy in names]
        return pd.concat(frames).set_index(["route", "month"])

    params = dict(TINY, window_length=24, correction_weight=correction_weight)
    fitted = RNNForecaster(**params).fit(panel([("a", "a"), ("other", "other")]), fh=[1, 2, 3])
    fitted.update(panel([("a", "a_copy")]), update_params=False)
    added = fitted.predict_interval(coverage=0.9)
    np.testing.assert_allclose(added.loc["a_copy"].to_numpy(), added.loc["a"].to_numpy(), rtol=1e-6)
    forecasts = fitted.predict()
    np.testing.assert_allclose(forecasts.loc["a_copy"].to_numpy(), forecasts.loc["a"].to_numpy(), rtol=1e-6)


HOLIDAYS = pd.to_datetime(
    ["2024-01-15", "2024-02-19", "2024-03-29", "2024-05-27", "2024-06-19", "2024-07-04"]
)


CALENDAR_FIX = (
    "times = y.index.get_level_values(-1); calendar = pd.offsets.CustomBusinessDay(weekmask='{weekmask}', "
    "holidays=pd.bdate_range(times.min(), times.max(), freq='C', weekmask='{weekmask}', normalize=False)"
    ".difference(times).tz_localize(None).normalize()); y.index.freq = calendar"
)


def _trading_days(start: str, end: str) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, end)
    return days[~days.isin(HOLIDAYS)]


def _last_of_each(days: pd.DatetimeIndex, period: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.Series(days, index=days).groupby(days.to_period(period)).max().to_numpy())


@pytest.mark.parametrize(
    "calendar, fix",
    [
        ("month's last trading day", "y.index = y.index.to_period('M')"),
        ("week's last trading day", "y.index = y.index.to_period('W-FRI')"),
        ("trading days", CALENDAR_FIX.format(weekmask="Mon Tue Wed Thu Fri")),
        ("New York closes at 16:00", CALENDAR_FIX.format(weekmask="Mon Tue Wed Thu Fri")),
        ("readings on Mondays, Wednesdays and Fridays", CALENDAR_FIX.format(weekmask="Mon Wed Fri")),
        ("Mondays, a holiday's on Tuesday", "y.index = y.index.to_period('W-TUE')"),
        ("deliveries on Tuesdays and Fridays", CALENDAR_FIX.format(weekmask="Tue Fri")),
        ("readings at 08:00 and 17:00", "y = y.reset_index(drop=True)"),
        ("5-minute bars of trading hours", "y = y.reset_index(drop=True)"),
    ],
)
def test_trading_calendars_are_refused_with_a_fix_that_invents_no_prices(calendar, fix):
    """Found by a probe: the fix named the nearest grid of days, y.resample('7D').mean().interpolate(),
    for month ends with Good Friday's Thursday among them (36 closes became 153 weekly rows, 117
    interpolated), resample('B') for exchange holidays, and resample('5min') for trading hours (76% of
    the bars invented, forecasts dated after the close)."""
    trading = _trading_days("2024-01-01", "2024-12-31")
    every_day = pd.date_range("2024-01-01", "2024-12-31")
    dates = {
        "month's last trading day": _last_of_each(trading, "M"),
        "week's last trading day": _last_of_each(trading, "W-FRI"),
        "trading days": trading,
        "New York closes at 16:00": (trading + pd.Timedelta("16h")).tz_localize("America/New_York"),
        "readings on Mondays, Wednesdays and Fridays": trading[trading.dayofweek.isin([0, 2, 4])],
        "deliveries on Tuesdays and Fridays": every_day[every_day.dayofweek.isin([1, 4])][:105],  # 3.5 days
        "readings at 08:00 and 17:00": pd.DatetimeIndex(
            [day + pd.Timedelta(hours=hour) for day in every_day[:40] for hour in (8, 17)]
        ),
        "Mondays, a holiday's on Tuesday": pd.DatetimeIndex(
            [
                day + pd.Timedelta(days=int(day in HOLIDAYS))
                for day in pd.date_range("2024-01-01", periods=53, freq="W-MON")
            ]
        ),
        "5-minute bars of trading hours": pd.DatetimeIndex(
            [
                t
                for day in trading[:5]
                for t in pd.date_range(day + pd.Timedelta("9h30min"), periods=78, freq="5min")
            ]
        ),
    }[calendar]
    table = pd.DataFrame({"date": dates, "close": 100 * np.exp(np.cumsum(np.full(len(dates), 0.001)))})
    y = table.set_index("date")["close"]
    with pytest.raises(ValueError, match=r"cannot place forecast steps in time\. .*" + re.escape(fix)):
        RNNForecaster(**TINY).fit(y, fh=[1])
    namespace = {"pd": pd, "y": y}
    exec(fix, namespace)  # the message's fix, as written
    fixed = namespace["y"]
    assert len(fixed) == len(y)  # nothing invented
    forecast = RNNForecaster(**TINY).fit(fixed, fh=[1, 2]).predict()
    if calendar == "trading days":  # the calendar skips the holiday after the last close
        fixed = RNNForecaster(**TINY).fit(fixed.loc[:"2024-07-03"], fh=[1]).predict()
        assert fixed.index[0] == pd.Timestamp("2024-07-05")
    assert len(forecast) == 2


def test_levels_in_another_order_are_refused_rather_than_read_as_new_series():
    """Found by a probe: the new weeks of an export listing sku before store were added as four new
    series by update (eight forecasts, the four old ones from the old end), without a word."""
    dates = pd.date_range("2022-01-02", periods=40, freq="W-SUN")
    rows = [
        {"store": store, "sku": sku, "date": date, "units": 20.0 + 40 * (sku == "B") + (i % 4)}
        for store in ("S1", "S2")
        for sku in ("A", "B")
        for i, date in enumerate(dates)
    ]
    y = pd.DataFrame(rows).set_index(["store", "sku", "date"]).sort_index()
    recent = y.index.get_level_values("date") > dates[35]
    fitted = RNNForecaster(**TINY).fit(y[~recent], fh=[1])
    reference = RNNForecaster(**TINY).fit(y[~recent], fh=[1])
    reference.update(y[recent], update_params=False)
    exported = y[recent].reorder_levels(["sku", "store", "date"]).sort_index()
    with pytest.raises(
        ValueError,
        match=r"y passed to update has the index levels \['sku', 'store', 'date'\], those of the data of "
        r"fit in another order, \['store', 'sku', 'date'\].*y.reorder_levels",
    ) as error:
        fitted.update(exported, update_params=False)
    namespace = {"y": exported}
    exec(str(error.value).split("Reorder them first: ")[1].rstrip("."), namespace)  # the fix, as written
    fitted.update(namespace["y"], update_params=False)
    pd.testing.assert_frame_equal(fitted.predict(), reference.predict())

    X = y.rename(columns={"units": "promo"}) * 0.0
    with_x = RNNForecaster(**TINY).fit(y[~recent], X=X[~recent], fh=[1])
    future = X[recent].reorder_levels(["sku", "store", "date"]).sort_index()
    with pytest.raises(
        ValueError, match=r"X passed to predict has the index levels \['sku', 'store', 'date'\]"
    ):
        with_x.predict(X=future)
    # levels named 0 and 1 by set_index on a header-less file, read back as '0' and '1': the same order
    numbered = y.rename_axis([0, 1, "date"])
    fitted = RNNForecaster(**TINY).fit(numbered[~recent], X=X.rename_axis([0, 1, "date"])[~recent], fh=[1])
    assert len(fitted.predict(X=X.rename_axis(["0", "1", "date"])[recent])) == 4


def test_a_panel_of_shops_closed_on_sundays_gets_its_calendar_as_the_fix():
    """Found by a probe: daily sales of a (store, sku, date) panel closed on Sundays were told
    y.groupby(level=0).resample('D', ...): it averaged two skus of a store into one series and
    invented sales on 19 closed Sundays."""
    days = pd.date_range("2023-01-02", "2023-05-20", freq="D")
    rows = [
        {"store": store, "sku": sku, "date": day, "units": 5.0 + 45 * (sku == "B") + i % 3}
        for store in ("S1", "S2")
        for sku in ("A", "B")
        for i, day in enumerate(days)
    ]
    y = pd.DataFrame(rows).set_index(["store", "sku", "date"])
    dates = y.index.get_level_values("date")
    # the days open, and a training slice, selected from the indexed table: its index keeps the others
    y = y[(dates.dayofweek != 6) & (dates < "2023-05-14")]
    with pytest.raises(ValueError, match=r"weekmask='Mon Tue Wed Thu Fri Sat'") as error:
        RNNForecaster(**TINY).fit(y, fh=[1, 2])
    message = str(error.value)
    assert "resample('D')" not in message and "freq = 'D'" not in message  # no grid adding the Sundays
    calendar = (
        message.split("give y its calendar: ")[1]
        .split(" (a panel: ")[0]
        .replace("; y.index.freq = calendar", "")
    )
    panel = message.split("(a panel: ")[1].split("); add the holidays")[0]
    namespace = {"pd": pd, "y": y}
    exec(f"{calendar}; {panel}", namespace)  # the message's fix for a panel, as written
    fixed = namespace["y"]
    assert fixed.shape == y.shape  # nothing merged or invented
    forecast = RNNForecaster(**TINY).fit(fixed, fh=[1, 2]).predict()
    assert len(forecast) == 8
    assert set(forecast.index.get_level_values(-1)) == {
        pd.Timestamp("2023-05-15"),
        pd.Timestamp("2023-05-16"),
    }


@pytest.mark.parametrize(
    "dates, fix",
    [
        (  # 3-hourly weather, one reading missing: its own spacing, not the nearest common grid's
            pd.date_range("2024-01-01", periods=200, freq="3h").delete(100),
            "y.groupby(level=[0, 1]).resample('3h', level=-1).mean().interpolate()",
        ),
        (  # a shift's hourly readings: numbered, each series on its own
            pd.DatetimeIndex(
                [
                    t
                    for day in pd.bdate_range("2024-03-04", periods=8)
                    for t in pd.date_range(day + pd.Timedelta("9h"), periods=9, freq="h")
                ]
            ),
            "y = y.set_index(y.groupby(level=[0, 1]).cumcount().rename('step'), append=True).droplevel(-2)",
        ),
    ],
    ids=["3-hourly", "shifts"],
)
def test_a_panel_of_three_levels_gets_fixes_that_keep_its_series_apart(dates, fix):
    """Found by a review: the panel forms grouped by level 0 alone (two stores of a region became one
    series), and 3-hourly readings with one missing were told to number their readings."""
    series = {("N", "a"): 1.0, ("N", "b"): 2.0, ("S", "c"): 3.0}
    y = pd.concat(
        {key: pd.Series(level + np.sin(np.arange(len(dates))), index=dates) for key, level in series.items()},
        names=["region", "store", "time"],
    ).to_frame("v")
    with pytest.raises(ValueError, match=re.escape(fix)):
        RNNForecaster(**TINY).fit(y, fh=[1])
    namespace = {"pd": pd, "y": y}
    exec(fix if fix.startswith("y =") else f"y = {fix}", namespace)  # the panel's fix, as written
    forecast = RNNForecaster(**TINY).fit(namespace["y"], fh=[1]).predict()
    assert forecast.index.droplevel(-1).tolist() == list(series)
