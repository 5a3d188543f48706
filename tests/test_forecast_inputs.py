"""RNNForecaster on awkward inputs: refused data leaves it unchanged, extreme scales stay finite.

Data is built the way users build it: a frame with a date column turned into the
index, monthly periods, panels from ``pd.concat`` with keys.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

pytest.importorskip("sktime")

from sklearn_rnn import RNNForecaster, load, save  # noqa: E402

TINY = dict(window_length=4, hidden_size=4, max_epochs=2, batch_size=16, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sktime's remember_data announcement
        yield


def daily_sales(n: int = 40) -> pd.DataFrame:
    """Daily sales (all positive, so modelled on the log scale) and a promotion flag."""
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2023-01-01", periods=n, freq="D"),
            "sales": 20 + 5 * np.sin(np.arange(n) / 3),
            "promo": (np.arange(n) % 7 == 5).astype(float),
        }
    )
    return frame.set_index("date")


def _state(f: RNNForecaster) -> tuple:
    weights = {k: v.clone() for k, v in f.net_.module_.state_dict().items()}
    return f.cutoff.copy(), f._y_hist.copy(), None if f._X_hist is None else f._X_hist.copy(), weights


def _assert_unchanged(f: RNNForecaster, before: tuple) -> None:
    cutoff, y_hist, X_hist, weights = before
    pd.testing.assert_index_equal(f.cutoff, cutoff)
    pd.testing.assert_frame_equal(f._y_hist, y_hist)
    if X_hist is not None:
        pd.testing.assert_frame_equal(f._X_hist, X_hist)
    for k, v in f.net_.module_.state_dict().items():
        torch.testing.assert_close(v, weights[k])


# -- 1. update with values the log scale cannot take ---------------------------------------------
@pytest.mark.parametrize("update_params", [False, True])
def test_update_with_zero_on_log_scale_is_refused_and_changes_nothing(update_params):
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1, 2, 3])
    assert f.log_transform_.tolist() == [True]
    expected = f.predict()
    before = _state(f)
    new = sales[30:33].copy()
    new.iloc[1] = 0.0  # a day without sales
    with pytest.raises(ValueError, match=r"value 0 at 2023-02-01 .* target_transform='none'"):
        f.update(new, update_params=update_params)
    _assert_unchanged(f, before)
    pd.testing.assert_series_equal(f.predict(), expected)
    # still fully usable: a valid update moves the cutoff
    f.update(sales[30:33], update_params=update_params)
    assert f.cutoff[0] == pd.Timestamp("2023-02-02")
    assert np.isfinite(f.predict().to_numpy()).all()


def test_update_predict_single_with_a_negative_value_is_refused_first():
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1, 2])
    before = _state(f)
    with pytest.raises(ValueError, match=r"value -1 at 2023-01-31 .* cannot take values <= 0"):
        f.update_predict_single(pd.Series([-1.0], index=sales.index[30:31]), fh=[1, 2])
    _assert_unchanged(f, before)


def test_the_suggested_fix_forecasts_through_zeros():
    sales = daily_sales()["sales"]
    f = RNNForecaster(target_transform="none", **TINY).fit(sales[:30], fh=[1, 2])
    new = sales[30:33].copy()
    new.iloc[1] = 0.0
    f.update(new, update_params=True)
    assert np.isfinite(f.predict().to_numpy()).all()


def test_update_with_infinite_values_is_refused():
    sales = daily_sales()["sales"]
    f = RNNForecaster(target_transform="none", **TINY).fit(sales[:30], fh=[1])
    before = _state(f)
    with pytest.raises(ValueError, match=r"y passed to update contains NaN or infinite values"):
        f.update(pd.Series([np.inf], index=sales.index[30:31]), update_params=False)
    _assert_unchanged(f, before)


# -- 2, 3. extreme scales ----------------------------------------------------------------------------
def test_series_near_float64_limit_gives_finite_forecasts():
    t = np.arange(48)
    y = pd.Series(1e200 * (2 + np.sin(t)), index=pd.period_range("2000-01", periods=48, freq="M"))
    f = RNNForecaster(target_transform="none", **TINY).fit(y, fh=[1, 2, 3])
    y_pred = f.predict().to_numpy()
    assert np.isfinite(y_pred).all()
    assert ((y_pred > 0.5e200) & (y_pred < 4e200)).all(), y_pred
    interval = f.predict_interval(coverage=0.8).to_numpy()
    assert np.isfinite(interval).all()


def test_series_varying_at_1e_13_is_rescaled_not_called_constant():
    t = np.arange(48)
    y = pd.Series(1e-13 * np.sin(t), index=pd.period_range("2000-01", periods=48, freq="M"))
    f = RNNForecaster(target_transform="none", **TINY).fit(y, fh=[1, 2, 3])
    y_pred = f.predict().to_numpy()
    assert np.isfinite(y_pred).all()
    assert np.abs(y_pred).max() < 1e-12, y_pred  # the series' own magnitude, not ~1e-1


def test_exogenous_values_at_extreme_scales_are_standardised():
    frame = daily_sales()
    X = frame[["promo"]] * 1e-13
    f = RNNForecaster(**TINY).fit(frame["sales"][:30], X=X[:30], fh=[1, 2])
    scale = f.net_.module_.recurrent.x_scale[1].item()
    assert 1e-14 < scale < 1e-12  # the spread of X, not 1
    assert np.isfinite(f.predict(X=X[30:32]).to_numpy()).all()


# -- 4. future X at other dates ---------------------------------------------------------------------
def test_future_X_on_other_dates_is_refused():
    frame = daily_sales()
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY).fit(y[:30], X=X[:30], fh=[1, 2, 3])
    last_year = X[30:33].shift(-365, freq="D")
    with pytest.raises(
        ValueError, match=r"has no rows for 2023-01-31, 2023-02-01, 2023-02-02 \(y ends on 2023-01-30\)"
    ):
        f.predict(X=last_year)
    with pytest.raises(ValueError, match=r"no X was passed to predict .* has no rows for 2023-01-31"):
        f.predict()
    with pytest.raises(ValueError, match=r"has no rows for 2023-02-02 \("):
        f.predict_interval(X=X[30:32])
    assert np.isfinite(f.predict(X=X[30:33]).to_numpy()).all()


def test_future_X_given_to_fit_serves_predict():
    frame = daily_sales()
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY).fit(y[:30], X=X[:35], fh=[1, 2, 3])
    pd.testing.assert_series_equal(f.predict(), f.predict(X=X[30:33]))
    # the future rows are known values to forecast with, not training data: the network trained on the
    # rows beside y is the one trained without them (its X statistics read the future rows before)
    X = X.assign(promo=X["promo"] + np.where(np.arange(len(X)) >= 30, 3.0, 0.0))  # a new campaign ahead
    ahead = RNNForecaster(**TINY).fit(y[:30], X=X[:35], fh=[1, 2, 3])
    given = RNNForecaster(**TINY).fit(y[:30], X=X[:30], fh=[1, 2, 3])
    pd.testing.assert_series_equal(ahead.predict(), given.predict(X=X[30:33]))


# -- 5. past X passed to predict -----------------------------------------------------------------------
def test_past_X_in_predict_never_changes_history():
    frame = daily_sales()
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY).fit(y[:30], X=X[:30], fh=[1, 2, 3])
    expected = f.predict(X=X[30:33])
    # X from the first date on, past rows equal to those of fit: the same forecast
    pd.testing.assert_series_equal(f.predict(X=X), expected)
    before = _state(f)
    changed = X.copy()
    changed.loc["2023-01-10":"2023-01-30", "promo"] = 1e6
    with pytest.raises(
        ValueError, match=r"differs from the X seen in fit and update at 2023-01-10, .* update\(y, X\)"
    ):
        f.predict(X=changed)
    _assert_unchanged(f, before)
    pd.testing.assert_series_equal(f.predict(X=X[30:33]), expected)


# -- 5b. time order --------------------------------------------------------------------------------------
def test_rows_out_of_time_order_are_refused_with_the_sort_as_fix():
    """Rows as a database query returns them, unordered: sktime refused them with a TypeError listing
    every input format it knows; the fix (sort_index) then forecasts as the ordered rows do."""
    shuffled = daily_sales(30).sample(frac=1.0, random_state=0)
    with pytest.raises(ValueError, match=r"y passed to fit is not in time order: .* y = y.sort_index\(\)"):
        RNNForecaster(**TINY).fit(shuffled["sales"], fh=[1])
    with pytest.raises(ValueError, match=r"X passed to fit is not in time order: .* X = X.sort_index\(\)"):
        RNNForecaster(**TINY).fit(daily_sales(30)["sales"], X=shuffled[["promo"]], fh=[1])
    fixed = RNNForecaster(**TINY).fit(shuffled["sales"].sort_index(), fh=[1, 2]).predict()
    pd.testing.assert_series_equal(
        fixed, RNNForecaster(**TINY).fit(daily_sales(30)["sales"], fh=[1, 2]).predict()
    )


def test_a_panel_series_out_of_time_order_is_named_and_update_changes_nothing():
    frames = {k: daily_sales(20)[["sales"]] for k in ("north", "south")}
    frames["south"] = frames["south"].iloc[[0, 1, 3, 2, *range(4, 20)]]
    with pytest.raises(
        ValueError, match=r"not in time order of series 'south': 2023-01-03 comes after 2023-01-04"
    ):
        RNNForecaster(**TINY).fit(pd.concat(frames, names=["store", "date"]), fh=[1])
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1])
    before = _state(f)
    with pytest.raises(ValueError, match=r"y passed to update is not in time order"):
        f.update(sales[30:35].iloc[::-1], update_params=True)
    _assert_unchanged(f, before)


def test_a_refused_fh_does_not_replace_the_one_kept():
    """sktime stores a predict's fh before the forecaster refuses it (beyond horizon_, in-sample): every
    later predict() without fh then failed with the refused fh's message."""
    from sktime.forecasting.naive import NaiveForecaster

    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales, fh=[1, 2, 3])
    expected = f.predict()
    with pytest.raises(ValueError, match=r"fh reaches 5 steps ahead"):
        f.predict(fh=[5])
    with pytest.raises(ValueError, match=r"fh reaches 4 steps ahead"):
        f.predict_interval(fh=pd.DatetimeIndex(["2023-02-11", "2023-02-13"]), coverage=0.9)
    with pytest.raises(NotImplementedError, match="in-sample"):
        f.predict(fh=[-1])
    pd.testing.assert_series_equal(f.predict(), expected)
    assert f.predict_interval().index.equals(expected.index)
    # an fh that is accepted is kept, as sktime's forecasters keep it
    naive = NaiveForecaster().fit(sales, fh=[1, 2, 3])
    for forecaster in (f, naive):
        forecaster.predict(fh=[2])
    assert f.predict().index.equals(naive.predict().index)


# -- 6. duplicated time points ------------------------------------------------------------------------------
def test_duplicated_dates_in_y_are_refused_at_fit():
    frame = daily_sales(30)
    repeated = pd.concat([frame, frame.loc[["2023-01-10"]]]).sort_index()  # a row loaded twice
    with pytest.raises(
        ValueError, match=r"y passed to fit has more than one row for time point 2023-01-10 .* drop"
    ):
        RNNForecaster(**TINY).fit(repeated["sales"], fh=[1])


def test_duplicated_integer_time_points_are_refused_at_fit():
    y = pd.Series([1.0, 2.0, 3.0, 3.5, 4.0, 5.0, 6.0, 7.0], index=[0, 1, 2, 2, 3, 4, 5, 6])
    with pytest.raises(ValueError, match=r"more than one row for time point 2 \(1 duplicated rows in all\)"):
        RNNForecaster(**TINY).fit(y, fh=[1])


def test_duplicated_time_points_in_a_panel_name_the_series():
    frames = {k: daily_sales(20)[["sales"]] for k in ("north", "south")}
    frames["south"] = pd.concat([frames["south"], frames["south"].iloc[[5]]]).sort_index()
    panel = pd.concat(frames, names=["store", "date"])
    with pytest.raises(ValueError, match=r"time point 2023-01-06 of series 'south'"):
        RNNForecaster(**TINY).fit(panel, fh=[1])


def test_duplicated_dates_in_update_are_refused_and_change_nothing():
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1])
    before = _state(f)
    with pytest.raises(
        ValueError, match=r"y passed to update has more than one row for time point 2023-01-31"
    ):
        f.update(pd.concat([sales[30:31], sales[30:32]]), update_params=True)
    _assert_unchanged(f, before)


def test_duplicated_dates_in_X_are_refused():
    frame = daily_sales(30)
    X = pd.concat([frame[["promo"]], frame[["promo"]].iloc[[3]]]).sort_index()
    with pytest.raises(ValueError, match=r"X passed to fit has more than one row for time point 2023-01-04"):
        RNNForecaster(**TINY).fit(frame["sales"], X=X, fh=[1])


# -- 7. quantile levels ------------------------------------------------------------------------------------
@pytest.mark.parametrize("levels", [[0.1, np.nan], [0.1, np.inf], [-np.inf]])
def test_non_finite_quantile_levels_are_refused(levels):
    y = daily_sales()["sales"]
    with pytest.raises(ValueError, match=r"quantile_levels must lie strictly between 0 and 1 \(no NaN"):
        RNNForecaster(quantile_levels=levels, **TINY).fit(y, fh=[1])


def test_non_numeric_quantile_levels_are_refused():
    y = daily_sales()["sales"]
    with pytest.raises(
        TypeError, match=r"quantile_levels must be a sequence of numbers, got \['low', 'high'\]"
    ):
        RNNForecaster(quantile_levels=["low", "high"], **TINY).fit(y, fh=[1])


# -- degenerate settings ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, validation_fraction, message",
    [
        (10, 0.99, r"validation_fraction=0.99 of the 6 training windows \(6\)"),
        (3, 0.1, r"validation_fraction=0.1 of the 1 training windows \(1\)"),
    ],
    ids=["validation_fraction=0.99", "series shorter than the window"],
)
def test_early_stopping_without_training_windows_is_refused(n, validation_fraction, message):
    y = daily_sales()["sales"][:n]
    f = RNNForecaster(early_stopping=True, validation_fraction=validation_fraction, **TINY)
    with pytest.raises(
        ValueError, match=message + r", which leaves none to train on\. .*early_stopping=False"
    ):
        f.fit(y, fh=[1])


def test_early_stopping_with_a_large_validation_fraction_fits_when_windows_remain():
    y = daily_sales()["sales"]
    f = RNNForecaster(early_stopping=True, validation_fraction=0.9, conformal=False, **TINY).fit(y, fh=[1])
    assert f.n_windows_ == 36
    assert "valid_loss" in f.net_.history[-1]
    assert np.isfinite(f.predict().to_numpy()).all()


def test_series_shorter_than_the_window_fits_without_early_stopping():
    y = daily_sales()["sales"][:3]
    f = RNNForecaster(**{**TINY, "window_length": 6}).fit(y, fh=[1, 2])
    assert np.isfinite(f.predict().to_numpy()).all()


# -- update: names, exogenous rows, frequency ----------------------------------------------------------
def test_update_with_an_unnamed_series_extends_a_named_one():
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1, 2])
    f.update(pd.Series(sales[30:33].to_numpy(), index=sales.index[30:33]), update_params=True)
    assert f.cutoff[0] == pd.Timestamp("2023-02-02")
    assert len(f._y_hist) == 33 and list(f._y_hist.columns) == ["sales"]
    assert np.isfinite(f.predict().to_numpy()).all()


def test_update_with_other_columns_is_refused():
    frame = daily_sales()
    y = frame[["sales", "promo"]] + 1.0
    f = RNNForecaster(**TINY).fit(y[:30], fh=[1])
    before = _state(f)
    with pytest.raises(ValueError, match=r"columns \['sales', 'price'\], but .* \['sales', 'promo'\]"):
        f.update(y[30:32].rename(columns={"promo": "price"}), update_params=False)
    _assert_unchanged(f, before)


def test_update_without_X_for_new_dates_is_refused_when_fitted_with_X():
    frame = daily_sales()
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY).fit(y[:30], X=X[:30], fh=[1])
    before = _state(f)
    with pytest.raises(ValueError, match=r"X has no rows for the new time points 2023-01-31, 2023-02-01"):
        f.update(y[30:32], update_params=True)
    _assert_unchanged(f, before)
    f.update(y[30:32], X=X[30:32], update_params=True)
    assert f.cutoff[0] == pd.Timestamp("2023-02-01")
    assert np.isfinite(f.predict(X=X[32:33]).to_numpy()).all()


def test_update_with_rows_of_a_date_indexed_frame_keeps_the_frequency():
    sales = daily_sales()["sales"]  # a date column made the index: no freq set on it
    assert sales.index.freq is None
    f = RNNForecaster(**TINY).fit(sales[:30])
    f.update(sales[30:32], update_params=False)  # two rows: sktime alone could not infer "D"
    y_pred = f.predict(fh=[1, 2])
    np.testing.assert_array_equal(y_pred.index, pd.date_range("2023-02-02", periods=2, freq="D"))
    f.update(sales[32:33], update_params=False)  # one row: the cutoff keeps the frequency it had
    assert f.cutoff.freq == "D"
    absolute = pd.DatetimeIndex(["2023-02-03", "2023-02-05"])  # sktime's checks place it on that grid
    np.testing.assert_array_equal(f.predict(fh=absolute).index, absolute)


def test_an_update_keeps_the_frequency_its_own_time_points_would_suggest_otherwise():
    """sktime infers the cutoff's frequency from the update's rows: Monday to Wednesday of business-day
    closes gave days (Saturday forecasts, and Friday-to-Monday updates refused as skipping the weekend);
    one new day of three stores ending 5 days apart gave 5 days (forecasts dated 5, 10, 15 days on)."""
    days = pd.bdate_range("2024-01-01", periods=66)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "close": 100 + np.cumsum(np.sin(np.arange(66)))})
    frame["date"] = pd.to_datetime(frame["date"])
    closes = frame.set_index("date")["close"]  # read from a CSV: no freq
    f = RNNForecaster(**TINY).fit(closes[:60], fh=[1, 2, 3])
    f.update(closes[60:63], update_params=False)  # Monday 25 to Wednesday 27 March
    expected = pd.DatetimeIndex(["2024-03-28", "2024-03-29", "2024-04-01"])  # Thursday, Friday, Monday
    np.testing.assert_array_equal(f.predict().index, expected)
    np.testing.assert_array_equal(f.predict_interval(coverage=0.9).index, expected)
    f.update(closes[63:66], update_params=False)  # Thursday to Monday: over a weekend, not a gap
    assert f.cutoff[0] == pd.Timestamp("2024-04-01") and f.cutoff.freq == "B"

    ends = {"s1": 40, "s2": 35, "s3": 30}
    rows = [
        (store, day, 10.0 + np.sin(k))
        for store, n in ends.items()
        for k, day in enumerate(pd.date_range("2023-01-01", periods=n + 2, freq="D"))
    ]
    table = pd.DataFrame(rows, columns=["store", "date", "qty"]).set_index(["store", "date"])
    position = table.groupby(level="store").cumcount().to_numpy()
    limit = table.index.get_level_values("store").map(ends).to_numpy()
    panel = RNNForecaster(**TINY).fit(table[position < limit], fh=[1, 2, 3])
    panel.update(table[position == limit], update_params=False)  # each store's next day
    y_pred = panel.predict()
    for store, n in ends.items():
        first = pd.Timestamp("2023-01-01") + pd.Timedelta(days=n + 1)
        np.testing.assert_array_equal(
            y_pred.loc[store].index, pd.date_range(first, periods=3, freq="D"), err_msg=store
        )
    panel.update(table[position == limit + 1], update_params=False)  # and the day after
    assert panel.cutoff.freq == "D"


def test_dates_of_a_date_offset_without_a_name_are_forecast_on_their_grid():
    """pd.date_range(..., freq=pd.DateOffset(months=1)), the 15th of every month: fit failed with
    NotImplementedError "Prefix not defined" (sktime's placing of the steps, then the season's rule)."""
    index = pd.date_range("2020-01-15", periods=40, freq=pd.DateOffset(months=1))
    f = RNNForecaster(**TINY).fit(pd.Series(5 + np.sin(np.arange(40) * np.pi / 6), index=index), fh=[1, 2])
    assert f.sp_ == 12
    np.testing.assert_array_equal(f.predict().index, pd.DatetimeIndex(["2023-05-15", "2023-06-15"]))
    half_hours = pd.date_range("2024-01-01", periods=40, freq=pd.DateOffset(hours=0.5))  # ZeroDivisionError
    f = RNNForecaster(**TINY).fit(pd.Series(np.sin(np.arange(40.0)), index=half_hours), fh=[1])
    assert f.sp_ == 1 and f.predict().index[0] == pd.Timestamp("2024-01-01 20:00")


def test_an_update_that_revises_past_values_leaves_the_cutoff_and_the_forecast_dates():
    """A corrected old figure: the series still ends where it did, and so do the forecasts' dates.

    sktime would move the cutoff back to the revised date, so that ``fh``
    made absolute from it no longer named the dates ``predict`` returns.
    """
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1, 2])
    revised = sales[20:21] * 1.1  # a late correction of 2023-01-21
    f.update(revised, update_params=False)
    assert f.cutoff[0] == pd.Timestamp("2023-01-30")
    y_pred = f.predict()
    np.testing.assert_array_equal(y_pred.index, f.fh.to_absolute(f.cutoff).to_pandas())
    np.testing.assert_array_equal(y_pred.index, pd.date_range("2023-01-31", periods=2, freq="D"))
    f.update(sales[30:32], update_params=False)  # new days move it on
    assert f.cutoff[0] == pd.Timestamp("2023-02-01")


@pytest.mark.parametrize(
    "when",
    [pd.Timestamp("2023-01-20 12:00"), pd.Timestamp("2022-06-01")],
    ids=["off-the-grid", "before-the-start"],
)
def test_an_update_with_time_points_new_to_the_series_past_is_refused_and_changes_nothing(when):
    """A noon reading among daily ones, or one months before the start: read as a neighbour, silently."""
    sales = daily_sales()["sales"]
    f = RNNForecaster(**TINY).fit(sales[:30], fh=[1, 2])
    before = f.predict()
    odd = pd.Series([1000.0], index=pd.DatetimeIndex([when], name=sales.index.name), name=sales.name)
    with pytest.raises(
        ValueError, match=r"time points .* that the series does not hold, at or before its last"
    ):
        f.update(odd, update_params=False)
    pd.testing.assert_series_equal(f.predict(), before)
    f.update(sales[20:21] + 1.0, update_params=False)  # a stored time point: a revision, taken


# -- panels whose series end on different dates ------------------------------------------------------
def test_stores_reporting_up_to_different_dates_are_forecast_with_their_future_X():
    dates = pd.date_range("2023-01-01", periods=40, freq="D")
    rows = []
    for store, last in (("north", 30), ("south", 25)):  # south's latest figures are not in yet
        for i, date in enumerate(dates[:last]):
            rows.append(
                {"store": store, "date": date, "sales": 20 + np.sin(i / 2), "promo": float(i % 7 == 0)}
            )
    frame = pd.DataFrame(rows).set_index(["store", "date"])
    promo = pd.DataFrame({"promo": (np.arange(40) % 7 == 0) * 1.0}, index=dates)
    calendar = pd.concat({store: promo for store in ("north", "south")}, names=["store", "date"])
    f = RNNForecaster(**TINY).fit(frame[["sales"]], X=frame[["promo"]], fh=[1, 2])
    future = calendar[calendar.index.get_level_values("date") >= dates[25]]
    y_pred = f.predict(X=future)
    # each store from its own last date, as sktime's NaiveForecaster does
    assert list(y_pred.index) == [("north", d) for d in dates[30:32]] + [("south", d) for d in dates[25:27]]
    assert np.isfinite(y_pred.to_numpy()).all()
    with pytest.raises(
        ValueError, match=r"no rows for 2023-01-26, 2023-01-27 of series 'south' \(y ends on 2023-01-25"
    ):
        f.predict(X=future.loc[["north"]])


# -- integer time points ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "index, message",
    [
        (pd.Index(np.arange(0, 60, 2)), r"0 is followed by 2"),
        (pd.RangeIndex(0, 60, 2), r"0 is followed by 2"),
        (pd.Index(np.r_[0:20, 25:35]), r"19 is followed by 25"),
    ],
    ids=["step-2", "range-step-2", "gap"],
)
def test_integer_time_points_that_do_not_step_by_1_are_refused_at_fit(index, message):
    """On 0, 2, 4, ... sktime labels step h cutoff + h, but the network forecast the row h ahead."""
    y = pd.Series(100.0 + index, index=index)
    with pytest.raises(ValueError, match=message + r".* units of 1 .*reset_index\(drop=True\)"):
        RNNForecaster(**TINY).fit(y, fh=[1, 2])


def test_integer_time_points_of_a_panel_step_by_1_in_each_series():
    consecutive = pd.Series(np.arange(20.0) + 10, index=pd.RangeIndex(20))
    ok = pd.concat({"a": consecutive, "b": consecutive.iloc[5:]}, names=["id", "t"]).to_frame("y")
    RNNForecaster(**TINY).fit(ok, fh=[1])  # series starting at other points: taken
    step2 = pd.Series(consecutive.to_numpy(), index=pd.RangeIndex(0, 40, 2))
    panel = pd.concat({"a": consecutive, "b": step2}, names=["id", "t"]).to_frame("y")
    with pytest.raises(ValueError, match=r"integer time points of series 'b' that do not step by 1"):
        RNNForecaster(**TINY).fit(panel, fh=[1])


def test_periods_and_dates_that_skip_steps_are_refused_at_fit_in_any_series():
    """A missing month of a PeriodIndex, or a missing day in one store of a dated panel, was taken.

    The rows around the gap were read as neighbours: an exact 12-month season
    was forecast one month late, with no error (the panel's frequency is
    inferred from its longest series, so the others were never checked).
    """
    months = pd.period_range("2015-01", periods=72, freq="M")
    y = pd.Series(100 + 10 * np.sin(2 * np.pi * np.arange(72) / 12), index=months)
    with pytest.raises(ValueError, match=r"lacks the time points 2020-06 of its frequency 'M'.*resample"):
        RNNForecaster(**TINY).fit(y.drop(pd.Period("2020-06", "M")), fh=[1])
    rng = np.random.default_rng(0)
    long = pd.DataFrame(
        {
            "store": np.repeat(["a", "b"], 60),
            "date": np.tile(pd.date_range("2024-01-01", periods=60, freq="D"), 2),
            "sales": 100 + rng.normal(size=120),
        }
    )
    gap = long.drop(index=64)  # store b's 2024-01-05
    with pytest.raises(ValueError, match=r"of series 'b' lacks the time points 2024-01-05 of its freq"):
        RNNForecaster(**TINY).fit(gap.set_index(["store", "date"]), fh=[1])
    shifted = long.copy()
    shifted.loc[shifted.store == "b", "date"] += pd.Timedelta(hours=12)  # on a grid of its own: fine
    late = long[(long.store == "a") | (long.date < "2024-02-20")]  # ends earlier: fine
    for ok in (shifted, late):
        RNNForecaster(**TINY).fit(ok.set_index(["store", "date"]), fh=[1])
    odd = long.copy()
    odd.loc[odd.index[70], "date"] += pd.Timedelta(hours=3)  # off the daily grid
    with pytest.raises(ValueError, match=r"of series 'b' has time points off its frequency 'D' \(2024-01-1"):
        RNNForecaster(**TINY).fit(odd.set_index(["store", "date"]), fh=[1])
    # a store whose first date is off the month ends the others are on: named as off the grid (the
    # grid's size was bounded by a step of 0 from that date to its own month end, and the 4-row
    # series was refused as spanning a huge gap, "a mistyped year?")
    months = pd.DataFrame(
        {
            "store": ["a"] * 36 + ["b"] * 4,
            "date": [
                *pd.date_range("2018-01-31", periods=36, freq="ME"),
                *pd.to_datetime(["2020-01-15", "2020-02-29", "2020-03-31", "2020-04-30"]),
            ],
            "sales": 100.0 + np.arange(40),
        }
    )
    with pytest.raises(
        ValueError, match=r"of series 'b' has time points off its frequency 'ME' \(2020-01-15\)"
    ):
        RNNForecaster(**TINY).fit(months.set_index(["store", "date"]), fh=[1])


def test_update_refuses_integer_time_points_off_a_series_grid():
    """A series of one point had no grid, and a new series of step 2 was taken, both forecast as rows."""
    a = pd.Series(np.arange(20.0) + 10, index=pd.RangeIndex(20))
    short = pd.Series([12.0], index=[5])  # one point: its next one is 6
    y = pd.concat({"a": a, "b": short}, names=["id", "t"]).to_frame("y")
    f = RNNForecaster(**TINY).fit(y, fh=[1])
    before = _state(f)
    later = pd.concat({"b": pd.Series([13.0], index=[7])}, names=["id", "t"]).to_frame("y")
    with pytest.raises(ValueError, match=r"skips the time points 6 of series 'b'"):
        f.update(later, update_params=False)
    _assert_unchanged(f, before)
    new = pd.concat({"c": pd.Series([1.0, 2.0, 3.0], index=[0, 2, 4])}, names=["id", "t"]).to_frame("y")
    with pytest.raises(ValueError, match=r"y passed to update has integer time points of series 'c'"):
        f.update(new, update_params=False)
    _assert_unchanged(f, before)


# -- exogenous X at predict: dtype, index kind, columns ---------------------------------------------
def _monthly_exog(columns=("x",)) -> tuple[pd.Series, pd.DataFrame]:
    rng = np.random.default_rng(0)
    idx = pd.period_range("2000-01", periods=33, freq="M")
    X = pd.DataFrame({c: rng.normal(size=33) for c in columns}, index=idx)
    return pd.Series(10 + rng.normal(size=30), index=idx[:30]), X


def test_the_same_X_in_float32_with_its_past_rows_is_accepted():
    """The network reads X in float32: the same values in float32 are the same X."""
    y, X = _monthly_exog()
    f = RNNForecaster(**TINY).fit(y, X=X.iloc[:30], fh=[1, 2, 3])
    expected = f.predict(X=X.iloc[30:])
    pd.testing.assert_series_equal(f.predict(X=X.astype("float32")), expected)
    changed = X.astype("float32")
    changed.iloc[5, 0] *= 1.001  # a change float32 keeps: still refused
    with pytest.raises(ValueError, match=r"differs from the X seen in fit and update at 2000-06"):
        f.predict(X=changed)


@pytest.mark.parametrize("kind", ["timestamps", "integers"])
def test_X_indexed_by_other_time_points_than_y_is_refused_naming_both(kind):
    y, X = _monthly_exog()
    f = RNNForecaster(**TINY).fit(y, X=X.iloc[:30], fh=[1, 2, 3])
    future = X.iloc[30:].to_timestamp() if kind == "timestamps" else X.iloc[30:].reset_index(drop=True)
    expected = "datetime" if kind == "timestamps" else "integer"
    with pytest.raises(
        ValueError, match=rf"X passed to predict is indexed by time points of kind {expected} .* period\[M\]"
    ):
        f.predict(X=future)


def test_X_without_the_time_zone_of_y_is_refused_naming_both():
    dates = pd.date_range("2021-01-01", periods=33, freq="D", tz="UTC")
    y = pd.Series(10 + np.sin(np.arange(30) / 3), index=dates[:30])
    X = pd.DataFrame({"x": np.cos(np.arange(33.0))}, index=dates)
    f = RNNForecaster(**TINY).fit(y, X=X.iloc[:30], fh=[1, 2])
    with pytest.raises(
        ValueError, match=r"kind datetime \(.*\), but y of fit by datetime\[UTC\] .*tz_localize"
    ):
        f.predict(X=X.iloc[30:].tz_localize(None))


def test_X_columns_are_matched_by_name_in_predict_and_update_alike():
    y, X = _monthly_exog(("a", "b"))
    y = pd.concat([y, pd.Series([10.0, 10.5, 11.0], index=X.index[30:])])
    f = RNNForecaster(**TINY).fit(y.iloc[:27], X=X.iloc[:27], fh=[1, 2, 3])
    expected = f.predict(X=X.iloc[27:])
    pd.testing.assert_series_equal(f.predict(X=X.iloc[27:][["b", "a"]]), expected)
    for method, call in [
        ("predict", lambda Z: f.predict(X=Z)),
        ("update", lambda Z: f.update(y.iloc[27:30], X=Z, update_params=False)),
    ]:
        with pytest.raises(ValueError, match=rf"X passed to {method} lacks the columns \['b'\]:"):
            call(X.iloc[27:][["a"]])
        with pytest.raises(ValueError, match=rf"X passed to {method} has other columns \['c'\]: .* by name"):
            call(X.iloc[27:].assign(c=1.0))
    f.update(y.iloc[27:30], X=X.iloc[27:30][["b", "a"]], update_params=False)
    pd.testing.assert_frame_equal(f._X_hist, X.iloc[:30])


# -- found by a new user's probe in sktime workflows (each failed before its fix) -------------------
def _store_panel(stores=("A", "B")) -> pd.DataFrame:
    """A long table with a month column, made a (store, month) panel as users do."""
    months = pd.period_range("2020-01", periods=24, freq="M")
    table = pd.DataFrame(
        [
            (store, month, 10.0 * k + i, i % 2)
            for k, store in enumerate(stores)
            for i, month in enumerate(months)
        ],
        columns=["store", "month", "sales", "promo"],
    )
    return table.set_index(["store", "month"])


def test_a_series_without_a_key_is_refused_not_dropped():
    """A left join that leaves some stores without a region: groupby dropped their rows, and the
    forecasts silently lacked those series."""
    panel = _store_panel(("A", np.nan))
    with pytest.raises(
        ValueError, match=r"24 rows whose series key is missing \(NaN in index level 'store'\)"
    ) as e:
        RNNForecaster(**TINY).fit(panel[["sales"]], fh=[1])
    fix = str(e.value).split("first, e.g. y = ")[1].split(", or drop")[0]  # the fix, run as written
    y = eval(fix, {"y": panel[["sales"]]})
    forecast = RNNForecaster(**TINY).fit(y, fh=[1]).predict()
    assert forecast.index.get_level_values("store").tolist() == ["A", "unknown"]
    with pytest.raises(ValueError, match=r"X passed to fit has 24 rows whose series key is missing"):
        RNNForecaster(**TINY).fit(_store_panel()[["sales"]], X=panel[["promo"]], fh=[1])


@pytest.mark.parametrize("case", ["a store", "a month", "dates for periods"])
def test_x_that_does_not_cover_y_is_refused_at_fit_by_name(case):
    """An AttributeError on None, a KeyError on a period, or a KeyError listing the PeriodIndex."""
    panel = _store_panel()
    X = panel[["promo"]]
    expected = {
        "a store": r"no rows for the time points 2020-01, .* of series 'B' of y",
        "a month": r"no rows for the time points 2021-05 of series 'B' of y",
        "dates for periods": r"indexed by time points of kind datetime .* X.to_period\(freq\)",
    }[case]
    if case == "a store":
        X = X.loc[["A"]]
    elif case == "a month":
        X = X.drop(("B", pd.Period("2021-05", "M")))
    else:
        X = X.rename(index=lambda p: p.to_timestamp() if isinstance(p, pd.Period) else p, level=1)
    with pytest.raises(ValueError, match=expected):
        RNNForecaster(**TINY).fit(panel[["sales"]], X=X, fh=[1])


@pytest.mark.parametrize("method", ["fit", "update"])
def test_x_that_ends_before_a_single_series_is_refused_with_the_time_points(method):
    """sktime's own message: '(time) indices of series 0 are not contained in index of series 0'."""
    frame = daily_sales().reset_index()  # dates in a column, then set_index, as users build it
    frame = frame.rename(columns={frame.columns[0]: "date"}).set_index("date")
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY)
    if method == "update":
        f.fit(y[:30], X=X[:30], fh=[1])
        y, X = y[30:35], X[30:33]
    else:
        X = X.iloc[: len(y) - 2]
    with pytest.raises(
        ValueError, match=rf"X passed to {method} has no rows for the time points 2023-0.*of y\. Pass X"
    ):
        getattr(f, method)(y, X=X, **({"fh": [1]} if method == "fit" else {}))


def test_x_reaches_the_forecasts_where_the_network_is_weighed_at_0():
    """Too few held-out values weigh the network at 0, and the smoothing read no X: forecasts with
    the real future X and with X two deviations higher were equal (fit warned). The smoothing's
    windows are now less a linear map of the same steps' X, fitted first, added back at the
    forecast steps."""
    frame = daily_sales(48)
    y, X = frame["sales"], frame[["promo"]]
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        # 8 held-out days calibrate the 80% interval, not the 90% and 95% ones: said, and not the point
        warnings.filterwarnings("ignore", "Conformal calibration has only 8", UserWarning)
        f = RNNForecaster(**TINY).fit(y[:45], X=X[:45], fh=[1, 2, 3])
    assert f.correction_weight_.tolist() == [0.0]
    assert float(f.net_.module_.x_coef.abs().max()) > 0
    assert not np.allclose(f.predict(X=X[45:] + 2.0).to_numpy(), f.predict(X=X[45:]).to_numpy())
    g = RNNForecaster(**TINY, correction_weight=1.0).fit(y[:45], X=X[:45], fh=[1, 2, 3])
    assert not g.predict(X=X[45:]).equals(g.predict(X=X[45:] + 2.0))


def test_promotions_known_ahead_are_forecast_better_than_a_regression_on_them():
    """Stores' daily sales with a weekly season and promotions (+3 on about 30% of days), ending on
    different dates: the baseline's map of X reads the promotions (mean absolute error 0.26 against
    the regression's 0.68; before the map, 0.64)."""
    from sklearn.linear_model import LinearRegression
    from sktime.forecasting.compose import YfromX

    rng = np.random.default_rng(0)
    frames = []
    for store in range(6):
        n = int(rng.integers(50, 80)) + 7
        promo = (rng.random(n) < 0.3).astype(float)
        sales = 10 + store + 3 * promo + np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 0.3, n)
        dates = pd.date_range(
            pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 30))), periods=n
        )
        frames.append(pd.DataFrame({"store": f"s{store}", "date": dates, "sales": sales, "promo": promo}))
    frame = pd.concat(frames).set_index(["store", "date"])
    test = frame.groupby(level=0).tail(7).index
    train = frame.index.difference(test)
    y, X = frame[["sales"]], frame[["promo"]]
    fh = list(range(1, 8))
    f = RNNForecaster(random_state=0).fit(y.loc[train], X=X.loc[train], fh=fh)
    error = (f.predict(X=X.loc[test]) - y.loc[test]).abs().to_numpy().mean()
    regression = YfromX(LinearRegression()).fit(y.loc[train], X=X.loc[train], fh=fh)
    baseline_error = (regression.predict(X=X.loc[test]) - y.loc[test]).abs().to_numpy().mean()
    assert error < 0.7 * baseline_error, (error, baseline_error)


def test_networks_saved_before_the_map_of_x_keep_their_baseline():
    """Files written before the map store no ``exog_baseline`` argument: their networks are rebuilt
    without it, with the weights they hold, and forecast from the smoothing alone, as before."""
    from sklearn_rnn._networks.forecast import ForecastNet

    arguments = dict(n_targets=1, n_exog=2, window_length=8, horizon=3, n_quantiles=3, cell="lstm")
    arguments.update(
        hidden_size=4, num_layers=1, bidirectional=False, dropout=0.0, sp=1, baseline="smoothing"
    )
    before = ForecastNet(**arguments)
    now = ForecastNet(**arguments, exog_baseline=True)
    assert "x_coef" not in before.state_dict() and now.state_dict()["x_coef"].shape == (2, 1)
    now.load_state_dict({**before.state_dict(), "x_coef": torch.zeros(2, 1)})
    window = torch.randn(5, 11, 3)
    torch.testing.assert_close(now._baseline(window), before._baseline(window))  # a zero map: the same


def test_x_that_cannot_change_the_forecasts_is_said_so():
    """Where no part of the forecast reads X (the naive baseline without a held-out weight, the
    network weighed at 0), fit says so."""
    frame = daily_sales(48)
    y, X = frame["sales"], frame[["promo"]]
    f = RNNForecaster(**TINY).fit(y[:45], X=X[:45], fh=[1, 2, 3])
    f.net_.module_.x_coef.zero_()  # a map that reads nothing, as a constant X gives
    with pytest.warns(UserWarning, match=r"X passed to fit will not change the forecasts.*fewer than the 10"):
        f._warn_if_x_unread()
    assert f.predict(X=X[45:]).equals(f.predict(X=X[45:] + 2.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nor where the user set the weight to 0 themselves
        warnings.filterwarnings("ignore", "Conformal calibration has only 8", UserWarning)
        RNNForecaster(**TINY, correction_weight=0.0).fit(y[:45], X=X[:45], fh=[1, 2, 3])
    # without local levels there is no smoothing to name (the message named one)
    with pytest.warns(UserWarning, match=r"they are the series' long-run mean \(local_level=False\)"):
        RNNForecaster(**{**TINY, "local_level": False}).fit(y[:45], X=X[:45], fh=[1, 2, 3])


def test_future_x_far_outside_its_training_range_warns_and_never_gives_inf():
    """Prices in cents instead of dollars gave forecasts of 1e24 without a word, and 1e5 inf and NaN."""
    rng = np.random.default_rng(0)
    months = pd.period_range("2015-01", periods=63, freq="M")
    price = pd.DataFrame({"price": 10 + 0.5 * rng.standard_normal(63)}, index=months)
    y = pd.Series(100 + 5 * np.sin(np.arange(63)) - 3 * price["price"].to_numpy(), index=months)
    forecaster = RNNForecaster(**{**TINY, "window_length": 12}).fit(y[:60], X=price[:60], fh=[1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        forecaster.predict(X=price[60:])  # within range: no warning
    with pytest.warns(
        UserWarning,
        match=r"X read by the forecasts holds values \d\.\de\+03 standard deviations .*beyond.*'price'",
    ):
        forecaster.predict(X=price[60:] * 100)
    with (
        pytest.raises(ValueError, match=r"forecasts are not finite numbers.*X far outside"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", UserWarning)
        forecaster.predict_interval(X=price[60:] * 1e35)


def test_a_rare_flag_seen_in_training_is_not_called_a_unit_error():
    """A holiday flag on 1 day of 200 is 14 standard deviations from its mean: every predict warned to
    check X's units, for values fit had seen (and in rows of the history the forecasts do not read)."""
    dates = pd.date_range("2023-10-01", periods=210, freq="D")
    holiday = ((dates.month == 12) & (dates.day == 25)).astype(float)
    y = pd.Series(100 + 10 * np.sin(np.arange(210) / 1.1) - 60 * holiday, index=dates)
    X = pd.DataFrame({"holiday": holiday}, index=dates)
    forecaster = RNNForecaster(**{**TINY, "window_length": 14}).fit(y[:200], X=X[:200], fh=[1, 2, 3])
    assert (np.abs(holiday[:200] - holiday[:200].mean()) / holiday[:200].std()).max() > 14
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        forecaster.predict(X=X[200:203])
        forecaster.predict(X=X[200:203].assign(holiday=[0.0, 1.0, 0.0]))  # seen in training too
    with pytest.warns(UserWarning, match=r"X read by the forecasts holds values .* beyond the range"):
        forecaster.predict(X=X[200:203].assign(holiday=[0.0, 100.0, 0.0]))


def test_x_given_to_a_forecaster_fitted_without_x_is_refused():
    """It was read by nothing, without a word: a promotion switched on for every day ahead left the
    forecasts as they were."""
    frame = daily_sales(48)
    y, X = frame["sales"], frame[["promo"]]
    forecaster = RNNForecaster(**TINY).fit(y[:45], fh=[1, 2, 3])
    before = forecaster.predict()
    for call in (lambda: forecaster.predict(X=X[45:]), lambda: forecaster.predict_interval(X=X[45:])):
        with pytest.raises(
            ValueError, match=r"X was passed to predict, but this RNNForecaster was fitted without X"
        ):
            call()
    with pytest.raises(ValueError, match=r"X was passed to update.*Refit with fit\(y, X=X\)"):
        forecaster.update(y[45:46], X=X[45:46], update_params=False)
    assert forecaster.cutoff[0] == y.index[44] and forecaster.predict().equals(before)  # left as it was
    # fitted with X, a panel of frames of several lengths is read as before (the check read numpy's shape
    # of the list, which refused it)
    ys = [pd.DataFrame({"y": 10 + np.sin(np.arange(n))}) for n in (30, 34)]
    Xs = [pd.DataFrame({"p": (np.arange(n + 2) % 5 == 0).astype(float)}) for n in (30, 34)]
    panel = RNNForecaster(**TINY).fit(ys, X=[x.iloc[:-2] for x in Xs], fh=[1, 2])
    assert [list(f.index) for f in panel.predict(X=Xs)] == [[30, 31], [34, 35]]


def test_a_flag_fitted_as_bool_and_updated_as_numbers_is_kept_as_numbers_and_saves(tmp_path):
    """pandas' concat of bool and float columns is of objects: the stored X could then not be saved."""
    frame = daily_sales(48)
    y, X = frame["sales"], frame[["promo"]]
    forecaster = RNNForecaster(**TINY).fit(y[:44], X=X[:44].astype(bool), fh=[1, 2])
    forecaster.update(y[44:46], X=X[44:48], update_params=False)  # 0.0/1.0, and the steps ahead
    assert forecaster._X_hist["promo"].dtype == np.float64
    save(forecaster, tmp_path / "f.skops")
    restored = load(tmp_path / "f.skops")
    pd.testing.assert_series_equal(restored.predict(), forecaster.predict())


def test_an_fh_of_durations_counts_steps_of_the_series_frequency():
    """pd.TimedeltaIndex(["7D", "14D"]) on a weekly series was read as nanosecond steps (a MemoryError
    at fit, an fh 'reaching 1209600000000 steps' at predict)."""
    from sktime.forecasting.base import ForecastingHorizon
    from sktime.forecasting.naive import NaiveForecaster

    weekly = pd.Series(np.arange(80.0) % 7 + 10, index=pd.date_range("2020-01-05", periods=80, freq="W"))
    fh = ForecastingHorizon(pd.TimedeltaIndex(["7D", "14D"]), is_relative=True)
    forecast = RNNForecaster(**TINY).fit(weekly, fh=fh).predict()
    pd.testing.assert_index_equal(forecast.index, NaiveForecaster().fit(weekly).predict(fh=fh).index)
    np.testing.assert_array_equal(forecast, RNNForecaster(**TINY).fit(weekly, fh=[1, 2]).predict())
    daily = weekly.set_axis(pd.date_range("2020-01-05", periods=80, freq="D"))
    half_day = ForecastingHorizon(pd.TimedeltaIndex(["12h"]), is_relative=True)
    with pytest.raises(
        ValueError, match=r"fh is given as durations \(0 days 12:00:00\), which are not whole steps"
    ):
        RNNForecaster(**TINY).fit(daily, fh=half_day)
    with pytest.raises(ValueError, match=r"fh reaches 33554432 steps ahead, more than the 16777216"):
        RNNForecaster(**TINY).fit(daily, fh=[2**25])


@pytest.mark.parametrize(
    ("dates", "fix"),
    [
        (
            pd.date_range("2021-01-01", periods=49, freq="D").delete(20),
            r"y.resample\('D'\).mean\(\).interpolate\(\)",
        ),
        (
            pd.date_range("2021-01-01", periods=48, freq="h").delete(10),
            r"y.resample\('h'\).mean\(\).interpolate\(\)",
        ),
        (
            pd.DatetimeIndex([f"{y}-{m:02d}-15" for y in (2020, 2021) for m in range(1, 13)]),
            r"to_period\('M'\)",
        ),
    ],
    ids=["daily", "hourly", "mid-month"],
)
def test_irregular_dates_are_refused_at_fit_with_a_fix_for_their_spacing(dates, fix):
    """Without fh at fit they were refused only at predict, after training; the advice was always
    resample('D'), which turned hourly data into days and left a daily gap as NaN."""
    y = pd.Series(np.arange(len(dates), dtype=float) % 5 + 1, index=dates)
    with pytest.raises(ValueError, match=r"DatetimeIndex without a frequency.*" + fix):
        RNNForecaster(max_horizon=2, **TINY).fit(y)


@pytest.mark.parametrize(
    ("freq", "next_dates"), [("SMS", ["2002-04-01", "2002-04-15"]), ("SME", ["2002-04-15", "2002-04-30"])]
)
def test_semi_monthly_dates_are_refused_with_their_own_grid_as_the_fix(freq, next_dates):
    """pandas infers no frequency for semi-monthly dates; the fixes given were a 7-day grid: resampling to
    weeks, which changes the data, and freq='7D', which pandas refuses for these dates."""
    dates = pd.DatetimeIndex(pd.date_range("2001-01-01", periods=30, freq=freq).to_numpy())  # a date column
    y = pd.Series(np.arange(30.0) + 10, index=dates)
    with pytest.raises(ValueError, match=rf"y.resample\('{freq}'\).*y.index.freq = '{freq}'") as refused:
        RNNForecaster(**TINY).fit(y, fh=[1, 2])
    assert "7D" not in str(refused.value)
    y.index.freq = freq  # the fix given
    forecast = RNNForecaster(**TINY).fit(y, fh=[1, 2]).predict()
    assert forecast.index.tolist() == [pd.Timestamp(d) for d in next_dates]


def test_an_absolute_fh_overtaken_by_update_is_refused_naming_its_dates_and_the_fix():
    """sktime's message named the fh argument, None when predict uses the one fit stored."""
    from sktime.forecasting.base import ForecastingHorizon

    months = pd.period_range("2000-01", periods=33, freq="M")
    y = pd.Series(50 + np.arange(33.0), index=months, name="s")
    f = RNNForecaster(**TINY).fit(y[:30], fh=ForecastingHorizon(months[30:33], is_relative=False))
    f.update(y[30:31])  # 2002-07 is now observed
    with pytest.raises(NotImplementedError, match=r"in-sample.*holds 2002-07, at or before.*fh=\[1, 2, 3\]"):
        f.predict()
    assert f.predict(fh=[1, 2]).index.tolist() == list(months[31:33])
    days = pd.Series(np.arange(40.0), index=pd.date_range("2020-01-01", periods=40, freq="D"))
    f = RNNForecaster(**TINY, max_horizon=3).fit(days[:30])  # fh first given to predict, then kept
    f.predict(fh=ForecastingHorizon(days.index[30:33], is_relative=False))
    f.update(days[30:32])
    with pytest.raises(
        NotImplementedError, match=r"given to fit or to an earlier predict\) holds 2020-01-31, "
    ):
        f.predict()


def test_the_early_stopping_error_names_fixes_that_work():
    """Lowering validation_fraction cannot help when one window is held out, as at least one always is."""
    y = pd.Series(np.arange(8.0) + 1, index=pd.period_range("2020-01", periods=8, freq="M"))
    with pytest.raises(
        ValueError, match=r"at least one is always held out.*shorter window_length or horizon"
    ) as e:
        RNNForecaster(**{**TINY, "window_length": 6}, early_stopping=True, validation_fraction=0.01).fit(
            y, fh=[1, 2]
        )
    assert "lower validation_fraction" not in str(e.value)


def test_a_constant_series_gets_its_value_with_intervals_of_width_0():
    """Scaled by 1, a price of exactly 1000 got the partly trained network's spread as its intervals
    ([975, 1009] at 90% after 20 epochs; [703, 1118] after 5); NaiveForecaster and AutoETS give
    [1000, 1000]."""
    index = pd.period_range("2010-01", periods=120, freq="M")
    y = pd.Series(np.full(120, 1000.0), index=index)
    frame = pd.DataFrame({"sales": 100 + np.sin(np.arange(120)), "price": 9.99}, index=index)
    for seed in (0, 1):
        f = RNNForecaster(max_epochs=5, random_state=seed).fit(y, fh=[1, 2, 3])
        bands = f.predict_interval(coverage=[0.5, 0.9]).to_numpy()
        np.testing.assert_allclose(bands, 1000.0, rtol=1e-12)
        np.testing.assert_allclose(f.predict().to_numpy(), 1000.0, rtol=1e-12)
        g = RNNForecaster(max_epochs=5, random_state=seed).fit(frame, fh=[1, 2, 3])
        np.testing.assert_allclose(g.predict_interval(coverage=0.9)["price"].to_numpy(), 9.99, rtol=1e-12)
        assert (g.predict_interval(coverage=0.9)["sales"].diff(axis=1).iloc[:, 1] > 0.1).all()  # still spread
    # once it moves, the network has never seen it move: said, not left to zero-width intervals
    f.update(
        pd.Series([1100.0, 1200.0], index=pd.period_range("2020-01", periods=2, freq="M")),
        update_params=False,
    )
    with pytest.warns(
        UserWarning, match=r"y was constant \(\[1000.0\]\) in the data .* Fit the forecaster again"
    ):
        f.predict_interval(coverage=0.9)
    # a product without sales yet (a constant 0) takes its first sale: the update is read, the forecasts
    # follow it (the smoothing reads values by 1), and predict says the intervals no longer hold
    zero = RNNForecaster(max_epochs=1, random_state=0).fit(y * 0.0, fh=[1, 2, 3])
    zero.update(pd.Series([3.0], index=pd.period_range("2020-01", periods=1, freq="M")))
    with pytest.warns(UserWarning, match=r"y was constant \(\[0.0\]\)"):
        assert zero.predict().to_numpy()[0] > 0.5


@pytest.mark.parametrize(
    "params",
    [{"correction_weight": 1.0}, {"conformal": False}, {"baseline": "naive", "conformal": False}],
    ids=["weight-1", "not-conformal", "naive"],
)
def test_a_constant_series_of_a_panel_is_forecast_as_its_value_whatever_the_network_weighs(params):
    """Found by a probe: with the network weighed in (correction_weight above 0), a shop whose sales
    were 7 every day was forecast [7.004, 7.702, 6.928] with intervals of width 0 around those, and a
    shop with one sale of 48 was forecast [48.03, 52.81, 47.51]: the network's output on a flat window
    was added to the constant. NaiveForecaster gives 7 and 48."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=40, freq="D")
    frames = {
        "shop_a": pd.DataFrame({"sales": 50 + np.cumsum(rng.normal(size=40))}, index=dates),
        "shop_b": pd.DataFrame({"sales": np.full(40, 7.0)}, index=dates),
        "shop_c": pd.DataFrame({"sales": [48.0]}, index=dates[:1]),
    }
    y = pd.concat(frames, names=["id", "date"])
    forecaster = RNNForecaster(
        window_length=6, hidden_size=8, max_epochs=30, random_state=0, n_threads=1, **params
    ).fit(y, fh=[1, 2, 3])
    with pytest.warns(UserWarning, match="hold one value each"):
        bands = forecaster.predict_interval(coverage=[0.5, 0.9])
    forecasts = forecaster.predict()
    np.testing.assert_allclose(forecasts.loc["shop_b", "sales"], 7.0, rtol=1e-12)
    np.testing.assert_allclose(bands.loc["shop_b"].to_numpy(), 7.0, rtol=1e-12)
    np.testing.assert_allclose(forecasts.loc["shop_c", "sales"], 48.0, rtol=1e-12)
    # the shop whose sales move is forecast by the network as before: not its last value, with spread
    moving = bands.loc["shop_a"].to_numpy()
    assert (moving[:, 3] - moving[:, 2] > 0.1).all()
    assert not np.allclose(forecasts.loc["shop_a", "sales"], frames["shop_a"]["sales"].iloc[-1])


def test_a_constant_series_with_x_is_its_value_and_a_varying_one_at_its_mean_keeps_its_spread():
    """Found by a review of the fix above: with X (a promotion column, its map shared by the panel's
    series) the constant shop was forecast 4.65, 8.33, 4.60 (the map's effect on its flat window);
    and the rule, read on windows at the scaled zero, also took the spread of a varying series whose
    window sat exactly at its mean (net sales with returns, mean 0.0, ending with six days of 0):
    its 90% interval became [0, 0]."""
    rng = np.random.default_rng(0)
    dates = pd.date_range("2020-01-01", periods=60, freq="D")
    promo = pd.DataFrame({"promo": rng.integers(0, 2, 60).astype(float)}, index=dates)
    sales = 50 + np.cumsum(rng.normal(size=60)) + 3 * promo["promo"].to_numpy()
    y = pd.concat(
        {
            "shop_a": pd.DataFrame({"sales": sales}, index=dates),
            "shop_b": pd.DataFrame({"sales": np.full(60, 7.0)}, index=dates),
        },
        names=["id", "date"],
    )
    X = pd.concat({"shop_a": promo, "shop_b": promo}, names=["id", "date"])
    future = pd.date_range("2020-03-01", periods=3, freq="D")
    X_future = pd.concat(
        {k: pd.DataFrame({"promo": [1.0, 0.0, 1.0]}, index=future) for k in ("shop_a", "shop_b")},
        names=["id", "date"],
    )
    for params in ({"correction_weight": 1.0, "conformal": False}, {}):
        forecaster = RNNForecaster(window_length=6, hidden_size=8, max_epochs=20, random_state=0, **params)
        forecaster.fit(y, X=X, fh=[1, 2, 3])
        np.testing.assert_allclose(forecaster.predict(X=X_future).loc["shop_b", "sales"], 7.0, rtol=1e-12)
    returns = np.array([1.0, -1.0, 2.0, -2.0, 0.0] * 10 + [0.0] * 6)  # mean exactly 0.0
    net = pd.Series(returns, index=pd.date_range("2020-01-01", periods=56, freq="D"))
    forecaster = RNNForecaster(
        window_length=6, hidden_size=8, max_epochs=30, random_state=0, correction_weight=1.0, conformal=False
    ).fit(net, fh=[1, 2, 3])
    band = forecaster.predict_interval(coverage=0.9).to_numpy()
    assert (band[:, 1] - band[:, 0] > 0.1).all()


def test_a_series_flat_until_the_held_out_values_keeps_intervals_with_a_width():
    """Found by a probe: a new product's first sales, all within the values held out for calibration,
    were scaled by the flat stretch before them (a rounding of 0), so the forecasts were read as a
    constant's: intervals of width 0, and predict warned that y was constant in fit and had moved."""
    y = pd.Series(np.r_[np.zeros(110), [4, 6, 5, 7, 8, 6, 5, 9, 7, 6]])
    for params in ({}, {"target_transform": "none"}, {"baseline": "naive"}):
        forecaster = RNNForecaster(hidden_size=8, max_epochs=3, random_state=0, **params).fit(y, fh=[1, 2, 3])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no false 'constant in fit' warning
            band = forecaster.predict_interval(coverage=0.9).to_numpy()
        assert (band[:, 1] - band[:, 0] > 1.0).all()
    old = pd.Series(np.sin(np.arange(120)) + 10.0)
    panel = pd.concat({"new": y, "old": old}, names=["id", "t"]).to_frame("sales")
    forecaster = RNNForecaster(hidden_size=8, max_epochs=3, random_state=0).fit(panel, fh=[1, 2, 3])
    band = forecaster.predict_interval(coverage=0.9).loc["new"].to_numpy()
    assert (band[:, 1] - band[:, 0] > 1.0).all()


def test_a_level_far_past_fit_s_is_taken_off_each_window_before_float32():
    """Found by a probe: a counter fitted on 100 steps of +1 (std 29), then updated to 1e8, was
    forecast +12.28, +6.00, +6.00 where fit forecast +0.99, +1.99, +2.98: its windows were cast to
    float32 in fit's units, 3.4 million standard deviations out, before the network took their level
    off. The level is taken off in float64 first; the forecasts of the same shape are the same."""
    y = pd.Series(np.arange(100.0))
    forecaster = RNNForecaster(hidden_size=8, max_epochs=3, random_state=0).fit(y, fh=[1, 2, 3])
    near = forecaster.predict().to_numpy() - y.iloc[-1]
    ramp = 99 + np.cumsum(np.r_[np.full(1000, 1e5), np.ones(100)])
    forecaster.update(pd.Series(ramp, index=np.arange(100, 1200)), update_params=False)
    np.testing.assert_allclose(forecaster.predict().to_numpy() - ramp[-1], near, atol=1e-3)


def test_quantiles_of_a_column_on_the_log_scale_stay_positive_beyond_the_trained_levels():
    """Found by a probe: levels beyond the trained 0.025-0.975 were extrapolated after the log scale
    was undone, so a series of positive values got 99% lower bounds of -0.008 to -0.056 (all 6 seeds
    tried). They are extrapolated on the log scale now, where every quantile maps to a positive one."""
    rng = np.random.default_rng(0)
    y = pd.Series(np.exp(rng.normal(size=60)), index=pd.date_range("2020-01-01", periods=60, freq="D"))
    for seed in (0, 1, 2):
        forecaster = RNNForecaster(
            window_length=6, hidden_size=8, max_epochs=30, random_state=seed, n_threads=1
        ).fit(y, fh=[1, 2, 3])
        assert forecaster.log_transform_.tolist() == [True]
        bands = forecaster.predict_interval(coverage=[0.9, 0.99, 0.998]).to_numpy()
        quantiles = forecaster.predict_quantiles(alpha=[0.001, 0.005, 0.025, 0.5, 0.975, 0.999])
        assert (bands > 0).all() and (quantiles.to_numpy() > 0).all()
        assert (np.diff(quantiles.to_numpy(), axis=1) >= 0).all()  # in order
        # at a trained level, the quantile is the network's, as before
        np.testing.assert_allclose(
            quantiles.iloc[:, 3].to_numpy(), forecaster.predict().to_numpy(), rtol=1e-12
        )


def test_a_level_dwarfing_its_moves_is_not_logged_by_auto():
    """log(1e15 + t) moves by 1e-15 of itself a step, below float64's rounding: the logged series was
    constant to it, and the forecasts flat and below the last value (91, 84, 84 against 99)."""
    y = pd.Series(1e15 + np.arange(100.0), index=pd.period_range("2000-01", periods=100, freq="M"))
    f = RNNForecaster(max_epochs=5, random_state=0).fit(y, fh=[1, 2, 3])
    assert not f.log_transform_[0]
    np.testing.assert_allclose(f.predict().to_numpy() - 1e15, [100.0, 101.0, 102.0], atol=1.0)
    assert RNNForecaster(max_epochs=1).fit(y - 1e15 + 1e3, fh=[1, 2, 3]).log_transform_[0]  # it moves: logged


@pytest.mark.parametrize("unit", [1e-300, 1.0, 1e200])
def test_whether_auto_logs_a_series_does_not_depend_on_its_units(unit):
    """The rule is a ratio (a spread under a millionth of the level): the same series in other units
    is logged alike (a variance of values under ~1e-154 underflowed to 0, above ~1e154 overflowed)."""
    index = pd.period_range("2000-01", periods=60, freq="M")
    moving = pd.Series(100 + 10 * np.sin(np.arange(60) / 2), index=index) * unit
    flat = pd.Series(1 + 1e-8 * np.sin(np.arange(60) / 2), index=index) * unit
    assert RNNForecaster(max_epochs=1).fit(moving, fh=[1]).log_transform_[0]
    assert not RNNForecaster(max_epochs=1).fit(flat, fh=[1]).log_transform_[0]


def test_missing_values_are_refused_with_fills_that_work():
    """sktime's refusal ("cannot handle missing data (nans)") named neither where nor a fix."""
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.impute import Imputer

    y = pd.Series(np.arange(48.0), index=pd.period_range("2000-01", periods=48, freq="M"))
    y.iloc[[5, 30]] = np.nan
    with pytest.raises(
        ValueError,
        match=r"y passed to fit has missing values \(NaN\) at 2 time point\(s\), e\.g\. "
        r"2000-06, 2002-07.*y = y.interpolate\(\).*Imputer\(method='linear'\)",
    ):
        RNNForecaster(**TINY).fit(y, fh=[1])
    assert np.isfinite(RNNForecaster(**TINY).fit(y.interpolate(), fh=[1]).predict()).all()  # the fixes
    pipeline = TransformedTargetForecaster(
        [("fill", Imputer(method="linear")), ("forecast", RNNForecaster(**TINY))]
    )
    assert np.isfinite(pipeline.fit(y, fh=[1]).predict()).all()
    X = pd.DataFrame({"promo": np.arange(48.0)}, index=y.index)
    X.iloc[3] = np.nan
    with pytest.raises(
        ValueError,
        match=r"X passed to fit has missing values .*where a transformer before it made them, as sktime's "
        r"Lag .*Imputer\(method='bfill'\).* X = X.interpolate\(limit_direction='both'\)\.$",
    ):
        RNNForecaster(**TINY).fit(y.interpolate(), X=X, fh=[1])
    # complete X whose NaN a Lag made (its first row): the fill after it, as the message writes it
    from sktime.forecasting.compose import ForecastingPipeline
    from sktime.transformations.series.lag import Lag

    lagged = [("lag", Lag([0, 1], index_out="original"))]
    X = pd.DataFrame({"promo": np.arange(48.0)}, index=y.index)
    with pytest.raises(ValueError, match="X passed to fit has missing values"):
        ForecastingPipeline([*lagged, ("forecast", RNNForecaster(**TINY))]).fit(y.interpolate(), X=X, fh=[1])
    fixed = ForecastingPipeline(
        [*lagged, ("fill", Imputer(method="bfill")), ("forecast", RNNForecaster(**TINY))]
    )
    X_future = pd.DataFrame({"promo": [48.0]}, index=y.index[-1:] + 1)
    assert np.isfinite(fixed.fit(y.interpolate(), X=X, fh=[1]).predict(X=X_future)).all()
    panel = pd.concat({"a": y, "b": 2 * y}, names=["id", "t"]).to_frame("sales")
    with pytest.raises(ValueError, match=r"at 4 time point\(s\).*y.groupby\(level=0\).transform"):
        RNNForecaster(**TINY).fit(panel, fh=[1])
    filled = panel.groupby(level=0).transform(lambda s: s.interpolate())
    assert RNNForecaster(**TINY).fit(filled, fh=[1]).predict().shape == (2, 1)


def test_missing_values_only_at_the_series_ends_are_told_to_be_dropped():
    """sktime's Detrender puts a panel whose series end on different dates on the dates of all
    of them (NaN past each end), and a TransformedTargetForecaster passes that on: the message
    advised interpolating, which would extend the series and move their ends (NaiveForecaster in
    the same pipeline forecasts every series from the panel's last date, in silence)."""
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.transformations.series.detrend import Detrender

    frames = []
    for k, (start, n) in enumerate([("2024-01-01", 60), ("2024-01-10", 45), ("2024-02-01", 40)]):
        t = np.arange(n)
        sales = 10 + k + np.sin(2 * np.pi * t / 7) + 0.05 * t
        dates = pd.date_range(start, periods=n)
        frames.append(pd.DataFrame({"store": f"s{k}", "date": dates, "sales": sales}))
    y = pd.concat(frames).set_index(["store", "date"])
    pipeline = TransformedTargetForecaster([("detrend", Detrender()), ("forecast", RNNForecaster(**TINY))])
    with pytest.raises(
        ValueError,
        match=r"at 68 time point\(s\).*'s0', Timestamp\('2024-03-01.*each before a series' first value or "
        r"after its last.*Detrender.*y = y.dropna\(\)",
    ) as error:
        pipeline.fit(y, fh=[1])
    assert "interpolate" not in str(error.value)
    padded = y.unstack(0).stack(future_stack=True).swaplevel().sort_index()  # on the dates of all
    assert padded["sales"].isna().sum() == 68
    with pytest.raises(ValueError, match="y = y.dropna"):
        RNNForecaster(**TINY).fit(padded, fh=[1])
    y_pred = RNNForecaster(**TINY).fit(padded.dropna(), fh=[1]).predict()  # the fix, as written
    np.testing.assert_array_equal(y_pred.index, NaiveForecaster().fit(y, fh=[1]).predict().index)
    gap = padded.dropna().copy()
    gap.iloc[5] = np.nan  # inside a series: filled, as before
    with pytest.raises(ValueError, match=r"at 1 time point\(s\).*groupby\(level=0\).transform"):
        RNNForecaster(**TINY).fit(gap, fh=[1])


def test_update_tells_apart_nan_inside_a_series_from_nan_before_its_new_values():
    """NaN that ``update``'s y holds after a series' stored end were told to be dropped, which the
    next check refused as skipped time points: they lie inside the series. NaN on time points the
    series already holds (a wide table put on the dates of all series) are still told to be dropped,
    and that works."""
    frames = []
    for store, end in [("a", "2024-04-02"), ("b", "2024-04-10")]:
        dates = pd.date_range(end=end, periods=40, freq="D")
        sales = 10 + np.sin(2 * np.pi * np.arange(40) / 7)
        frames.append(pd.DataFrame({"store": store, "date": dates, "sales": sales}))
    y = pd.concat(frames).set_index(["store", "date"])
    f = RNNForecaster(**TINY).fit(y, fh=[1])
    cutoff = f.cutoff

    def chunk(b_start):
        return pd.concat(
            pd.DataFrame({"store": store, "date": pd.date_range(start, "2024-04-20"), "sales": 10.0})
            for store, start in [("a", "2024-04-03"), ("b", b_start)]
        ).set_index(["store", "date"])

    lost = chunk("2024-04-11")
    lost.loc[("a", "2024-04-03") : ("a", "2024-04-05"), "sales"] = np.nan  # readings lost after a's end
    last = y.loc["a", "sales"].iloc[-1]
    with pytest.raises(
        ValueError,
        match=rf"2024-04-03, 2024-04-04, 2024-04-05 of series 'a', after the series' last stored time "
        rf"point, 2024-04-02, and before its first new value.*dropping them would leave a gap.*"
        rf"stored value at 2024-04-02, \[{last}\]",
    ) as error:
        f.update(lost, update_params=False)
    assert "dropna" not in str(error.value)
    assert f.cutoff.equals(cutoff)
    wide = chunk("2024-04-03")  # b's rows up to its stored end are NaN: before its first new value
    wide.loc[("b", "2024-04-03") : ("b", "2024-04-10"), "sales"] = np.nan
    with pytest.raises(ValueError, match="y = y.dropna"):
        f.update(wide, update_params=False)
    silent = chunk("2024-04-11")  # b has no new reading yet: its rows are all NaN, dropped too
    silent.loc["b", "sales"] = np.nan
    with pytest.raises(ValueError, match="y = y.dropna"):
        f.update(silent, update_params=False)
    f.update(wide.dropna(), update_params=False)  # the fix, as written
    np.testing.assert_array_equal(f.predict().index.get_level_values(-1), pd.to_datetime(["2024-04-21"] * 2))


def test_durations_as_time_points_are_refused_before_training_with_a_fix_that_works():
    """A series indexed by time since a test started (TimedeltaIndex) trained, then predict failed
    inside pandas (sktime's horizons count no steps from durations); fit(fh=...) failed the same way."""
    hours = pd.timedelta_range(0, periods=48, freq="h")
    y = pd.Series(100 + 10 * np.sin(np.arange(48) / 3), index=hours)
    with pytest.raises(
        ValueError, match=r"durations \(a TimedeltaIndex.*y.index = pd.Timestamp\(0\) \+ y.index"
    ):
        RNNForecaster(**TINY).fit(y)
    y.index = pd.Timestamp(0) + y.index  # the fix, as written
    y_pred = RNNForecaster(**TINY).fit(y, fh=[1, 2]).predict()
    np.testing.assert_array_equal(y_pred.index - pd.Timestamp(0), pd.to_timedelta([48, 49], unit="h"))
    panel = pd.concat({"a": y, "b": y}).to_frame("v")
    panel.index = panel.index.set_levels(panel.index.levels[-1] - pd.Timestamp(0), level=-1)
    with pytest.raises(
        ValueError, match=r"y.index = y.index.set_levels\(pd.Timestamp\(0\) \+ y.index.levels"
    ) as error:
        RNNForecaster(**TINY).fit(panel)
    fix = re.search(r"(y.index = y.index.set_levels\(.*?level=-1\))", str(error.value))[1]
    namespace = {"y": panel, "pd": pd}
    exec(fix, namespace)
    y_pred = RNNForecaster(**TINY).fit(namespace["y"], fh=[1]).predict()
    assert (y_pred.index.get_level_values(-1) == pd.Timestamp(0) + pd.Timedelta(48, "h")).all()


def test_unsigned_integer_time_points_are_refused_with_a_fix_that_works():
    """A uint64 index (counters, ids read from files) failed in sktime's horizon with "Invalid 'fh'",
    blaming the fh the user passed: sktime counts such time points in floats (NaiveForecaster too)."""
    y = pd.Series(10 + np.sin(np.arange(40) / 3), index=pd.Index(np.arange(5, 45), dtype="uint64"))
    with pytest.raises(
        ValueError, match=r"unsigned integers \(uint64\).*y.index = y.index.astype\('int64'\)"
    ):
        RNNForecaster(**TINY).fit(y, fh=[1, 2])
    y.index = y.index.astype("int64")  # the fix, as written
    np.testing.assert_array_equal(RNNForecaster(**TINY).fit(y, fh=[1, 2]).predict().index, [45, 46])
    panel = pd.concat({"a": y, "b": y}).to_frame("v")
    panel.index = panel.index.set_levels(panel.index.levels[-1].astype("uint64"), level=-1)
    with pytest.raises(ValueError, match=r"astype\('int64'\), level=-1\)") as error:
        RNNForecaster(**TINY).fit(panel, fh=[1])
    namespace = {"y": panel}
    exec(re.search(r"(y.index = y.index.set_levels\(.*?level=-1\))", str(error.value))[1], namespace)
    y_pred = RNNForecaster(**TINY).fit(namespace["y"], fh=[1]).predict()
    assert (y_pred.index.get_level_values(-1) == 45).all()


def test_an_x_column_that_never_varied_warns_when_read_at_another_value():
    """A promotion flag never on in training (scale 1 for a spread of 0) moved the forecasts by up to
    a standard deviation of y at flag=5 without a word: the 10-deviation warning started at 11."""
    rng = np.random.default_rng(0)
    index = pd.period_range("2000-01", periods=66, freq="M")
    x1 = rng.normal(size=66)
    y = pd.Series(50 + 5 * x1 + rng.normal(scale=0.1, size=66), index=index)
    X = pd.DataFrame({"x1": x1, "flag": 0.0}, index=index)
    params = {**TINY, "window_length": 6, "max_horizon": None, "correction_weight": 1}
    f = RNNForecaster(**params).fit(y[:60], X=X[:60], fh=[1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.predict(X=X[60:63])  # the value it always had
    with pytest.warns(UserWarning, match=r"holds 1.0 in column 'flag', which was 0.0 at every time point"):
        f.predict(X=X[60:63].assign(flag=1.0))
    with warnings.catch_warnings(record=True) as caught:  # far off: this warning, not the deviations'
        warnings.simplefilter("always")
        f.predict(X=X[60:63].assign(flag=20.0))
    assert [str(w.message)[:40] for w in caught] == ["X passed to predict holds 20.0 in column"]
    f = RNNForecaster(**params).fit(y[:60], X=X[:60].assign(flag=0.3), fh=[1, 2, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.predict(X=X[60:63].assign(flag=0.1 + 0.2))  # float noise is the same value
    smoothing = RNNForecaster(**{**params, "correction_weight": 0}).fit(y[:60], X=X[:60], fh=[1, 2, 3])
    with warnings.catch_warnings():  # the smoothing's map of X gives the column no weight: no warning
        warnings.simplefilter("error")
        smoothing.predict(X=X[60:63].assign(flag=1.0))


def test_future_x_as_an_array_is_told_how_to_index_it():
    """Fitted on arrays, predict(X=<the future rows as an array>) was told X "differs from the X seen
    in fit at 0, 1", though no past row was passed: sktime numbers an array's rows 0, 1, ..."""
    rng = np.random.default_rng(5)
    X = rng.normal(size=(52, 2))
    y = 10 + X @ [2.0, -1.0]
    f = RNNForecaster(**TINY).fit(y[:50], X=X[:50], fh=[1, 2])
    with pytest.raises(
        ValueError, match=r"numbered 0, 1, .* pd.DataFrame\(X_future, index=pd.RangeIndex\(50, "
    ) as error:
        f.predict(X=X[50:])
    fix = str(error.value).split("e.g. ")[-1].removesuffix(".")
    X_future = eval(fix, {"pd": pd, "X_future": X[50:]})  # the message's fix, as written
    assert np.isfinite(f.predict(X=X_future)).all()


def test_update_with_other_index_levels_is_refused_and_changes_nothing():
    """An (id, time) panel updated with an extra level, or with one series without its id: the first
    put the keys in the time level, the second failed with an AttributeError; predict failed after
    both, and a right update was refused, until a refit."""
    sales = daily_sales(44)[["sales"]]
    panel = pd.concat({"north": sales.iloc[:40], "south": sales.iloc[:40] + 3}, names=["store", "date"])
    f = RNNForecaster(**TINY).fit(panel, fh=[1, 2])
    before, forecast = _state(f), f.predict()
    new = sales.iloc[40:42]
    region = pd.concat(
        {("east", "north"): new, ("east", "south"): new + 3}, names=["region", "store", "date"]
    )
    for wrong, levels in ((region, "3 index level"), (new, "1 index level")):
        with pytest.raises(ValueError, match=rf"has {levels}\(s\) .*fitted on 2 \['store', 'date'\]"):
            f.update(wrong, update_params=False)
        _assert_unchanged(f, before)
        pd.testing.assert_frame_equal(f.predict(), forecast)
    f.update(pd.concat({"north": new, "south": new + 3}, names=["store", "date"]), update_params=False)
    assert f.cutoff[0] == new.index[-1] and f.predict().index.get_level_values(-1)[0] > new.index[-1]


@pytest.mark.parametrize(
    "freq, start",
    [
        (pd.offsets.CustomBusinessDay(holidays=["2024-03-29", "2024-04-01"]), "2024-01-02"),  # Easter
        (pd.offsets.CustomBusinessDay(weekmask="Sun Mon Tue Wed Thu"), "2024-01-07"),
        (
            pd.offsets.CustomBusinessHour(start="09:00", end="17:00", holidays=["2024-01-12"]),
            "2024-01-02 09:00",
        ),
        (pd.DateOffset(months=1), "2024-01-15"),  # billing on the 15th
    ],
    ids=["holidays", "weekmask", "hours", "dateoffset"],
)
def test_future_x_is_read_on_the_series_own_days(freq, start):
    """On a custom business day the network read future X on the offset's name's days ("C": Good
    Friday and Easter Monday), filled steps 4-5 forward from step 3 with a warning the user could not
    act on, and ignored X given for them; DateOffset(months=1) with X raised pandas' bare error."""
    rng = np.random.default_rng(0)
    index = pd.date_range(start, periods=60, freq=freq)
    y = pd.Series(100 + np.cumsum(rng.normal(size=60)), index=index)
    X = pd.DataFrame({"volume": rng.normal(size=60)}, index=index)
    forecaster = RNNForecaster(**{**TINY, "window_length": 6, "correction_weight": 1.0})
    forecaster.fit(y, X=X, fh=[1, 2, 3, 4, 5])
    future = pd.date_range(index[-1] + index.freq, periods=5, freq=index.freq)
    X_future = pd.DataFrame({"volume": [0.1, 0.2, 0.3, 0.4, 0.5]}, index=future)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no "X has no rows" warning
        forecast = forecaster.predict(X=X_future)
    assert forecast.index.equals(future)
    for step in range(5):  # the X of each step reaches the forecast (before: some were filled forward)
        changed = X_future.copy()
        changed.iloc[step, 0] = 3.0
        assert np.abs(forecaster.predict(X=changed).to_numpy() - forecast.to_numpy()).max() > 1e-3


def test_nan_in_future_x_gets_advice_that_works():
    """A future X row still NaN got the advice written for y's ends (X = X.dropna()), which led
    straight into "X passed to predict has no rows"; the advice given now makes predict work."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2021-01-03", periods=40, freq="W-SUN")
    y = pd.Series(10 + np.cumsum(rng.normal(size=40)), index=index)
    X = pd.DataFrame({"price": rng.normal(10, 1, 40)}, index=index)
    forecaster = RNNForecaster(**TINY).fit(y, X=X, fh=[1, 2, 3])
    future = pd.date_range(index[-1] + index.freq, periods=3, freq=index.freq)
    X_future = pd.DataFrame({"price": [np.nan, 10.5, 9.8]}, index=future)  # next week's not known yet
    with pytest.raises(ValueError, match="reads X at every time point") as error:
        forecaster.predict(X=X_future)
    fix = str(error.value).split("e.g. X = ")[1].rstrip(".")
    forecast = forecaster.predict(X=eval(fix, {"X": X_future}))
    assert forecast.index.equals(future)


def test_x_without_columns_is_no_x_and_the_model_saves_and_loads():
    """X of no columns was stored as a frame without columns, which load refuses (no column bounds
    its index): a fitted forecaster saved and did not load."""
    import io

    from sklearn_rnn import load, save

    index = pd.date_range("2020-01-01", periods=60, freq="D")
    y = pd.Series(np.sin(np.arange(60) / 5), index=index)
    forecaster = RNNForecaster(**TINY).fit(y, X=pd.DataFrame(index=index), fh=[1, 2])
    future = pd.DataFrame(index=pd.date_range(index[-1] + index.freq, periods=2, freq="D"))
    forecast = forecaster.predict(X=future)
    pd.testing.assert_series_equal(forecast, RNNForecaster(**TINY).fit(y, fh=[1, 2]).predict())  # as no X
    buffer = io.BytesIO()
    save(forecaster, buffer)
    pd.testing.assert_series_equal(load(io.BytesIO(buffer.getvalue())).predict(X=future), forecast)


def test_a_missing_time_point_is_refused_not_an_index_error():
    """A date that did not parse (errors="coerce") ended fit in IndexError, sorted or not, on a series
    and on a panel."""
    sales = daily_sales(40)["sales"]
    garbled = sales.set_axis(sales.index.where(np.arange(40) != 39, pd.NaT))  # a cut last line
    panel = pd.concat({"north": garbled, "south": garbled}, names=["store", "date"])
    for y in (garbled, garbled.sort_index(), panel):
        with pytest.raises(
            ValueError, match=r"missing time point\(s\) \(NaT.*y = y\[y.index.get_level_values"
        ):
            RNNForecaster(**TINY).fit(y, fh=[1])
    RNNForecaster(**TINY).fit(garbled[garbled.index.get_level_values(-1).notna()], fh=[1])  # the fix


@pytest.mark.parametrize("as_series", [False, True])
def test_one_x_series_beside_a_panel_is_refused_with_a_fix_that_works(as_series):
    """A market index given as X beside a panel of tickers: the error said X had no rows for dates it had."""
    table = pd.DataFrame(
        {
            "date": [d.strftime("%Y-%m-%d") for d in pd.bdate_range("2023-01-02", periods=30)] * 2,
            "ticker": ["AAA"] * 30 + ["BBB"] * 30,
            "close": np.r_[np.linspace(50, 60, 30), np.linspace(30, 20, 30)],
        }
    )
    table["date"] = pd.to_datetime(table["date"])
    y = table.set_index(["ticker", "date"])
    market = pd.DataFrame(
        {"vix": np.linspace(15, 25, 34)}, index=pd.bdate_range("2023-01-02", periods=34, name="date")
    )
    if as_series:  # a Series: the fix's tables are frames all the same
        market = market["vix"]
    with pytest.raises(ValueError, match=r"X passed to fit is one series .* panel of 2 series") as error:
        RNNForecaster(**TINY).fit(y, X=market.iloc[:30], fh=[1, 2])
    fix = str(error.value).split("e.g. ")[1].rstrip(".")
    scope = {"pd": pd, "y": y, "X": market.iloc[:30]}
    exec(fix, scope)  # the message's fix, as written
    X = scope["X"]
    assert X.index.names == ["ticker", "date"] and len(X) == 60
    f = RNNForecaster(**TINY).fit(y, X=X, fh=[1, 2])
    with pytest.raises(ValueError, match=r"X passed to predict is one series"):
        f.predict(X=market.iloc[30:32])
    scope["X"] = market.iloc[30:32]
    exec(fix, scope)
    y_pred = f.predict(X=scope["X"])
    expected = pd.MultiIndex.from_product([["AAA", "BBB"], pd.bdate_range("2023-02-13", periods=2)])
    assert y_pred.index.equals(expected.set_names(["ticker", "date"]))
    new = pd.DataFrame(
        {"close": [60.5, 19.5]},
        index=pd.MultiIndex.from_product([["AAA", "BBB"], market.index[30:31]], names=["ticker", "date"]),
    )
    with pytest.raises(ValueError, match=r"X passed to update is one series"):
        f.update(new, X=market.iloc[30:31])
    f.update(new, X=scope["X"].groupby(level=0).head(1))  # the fix's panel: rows for the new date
    assert f.cutoff[0] == market.index[30]


def test_x_on_a_finer_grid_than_y_is_refused_with_an_aggregation_that_works():
    """Daily promotions beside weekly sales: fit and predict read the Sundays' rows only (promotions
    ran midweek), and forecasts were the same with the promotions as with none, without a word."""
    weeks = pd.date_range("2022-01-02", periods=40, freq="W-SUN")
    days = pd.date_range("2021-12-27", weeks[-1] + pd.Timedelta("14D"), freq="D")
    rng = np.random.default_rng(0)
    midweek = days.dayofweek.isin([1, 2, 3]) & np.repeat(rng.random(len(days) // 7 + 1) < 0.4, 7)[: len(days)]
    promo = pd.DataFrame({"promo": midweek.astype(float)}, index=days)
    y = pd.Series(100 + 20 * promo["promo"].resample("W-SUN").sum().reindex(weeks).to_numpy(), index=weeks)
    with pytest.raises(
        ValueError,
        match=r"X passed to fit has 234 rows at time points between y's, e.g. "
        r"2022-01-03.*X = X.resample\('W-SUN'\).sum\(\)",
    ):
        RNNForecaster(**TINY).fit(y, X=promo.loc[: weeks[-1]], fh=[1, 2])
    X = promo.resample("W-SUN").sum()  # the fix, as given
    forecaster = RNNForecaster(**TINY).fit(y, X=X.loc[: weeks[-1]], fh=[1, 2])
    with pytest.raises(
        ValueError,
        match=r"X passed to predict has 12 rows at time points between the "
        r"forecast's",
    ):
        forecaster.predict(X=promo.loc[weeks[-1] + pd.Timedelta("1D") :])
    assert forecaster.predict(X=X.loc[weeks[-1] + pd.Timedelta("1D") :]).index.equals(
        weeks[-1] + pd.to_timedelta([7, 14], "D")
    )
    with pytest.raises(ValueError, match=r"X passed to update has 6 rows at time points between y's"):
        forecaster.update(y.iloc[-2:], X=promo.loc[weeks[-2] : weeks[-1]], update_params=False)


def test_dates_read_as_text_are_refused_with_the_parse_that_fixes_them():
    """Day-first dates of a CSV read as text were called out of time order and sent to y.sort_index(),
    which sorted them as text; ISO text and Python dates got sktime's page of every format it tried."""
    import io

    days = pd.date_range("2023-01-01", periods=40, freq="D")
    csv = "date,sales\n" + "\n".join(f"{d:%d/%m/%Y},{100 + i % 7}" for i, d in enumerate(days))
    y = pd.read_csv(io.StringIO(csv), index_col="date")["sales"]
    with pytest.raises(
        TypeError,
        match=r"y's time index holds text \('01/01/2023', ...\).*y.index = "
        r"pd.to_datetime\(y.index, dayfirst=True\)",
    ):
        RNNForecaster(**TINY).fit(y, fh=[1])
    y.index = pd.to_datetime(y.index, dayfirst=True)  # the fix, as given
    assert RNNForecaster(**TINY).fit(y, fh=[1]).predict().index[0] == pd.Timestamp("2023-02-10")
    as_dates = y.set_axis(y.index.date)  # .dt.date, Python objects
    with pytest.raises(TypeError, match=r"dates as Python objects.*y.index = pd.to_datetime\(y.index\)"):
        RNNForecaster(**TINY).fit(as_dates, fh=[1])
    with pytest.raises(TypeError, match=r"holds text \('2023-01-01', ...\).*pd.to_datetime\(y.index\), or"):
        RNNForecaster(**TINY).fit(y.set_axis(y.index.strftime("%Y-%m-%d")), fh=[1])


def test_future_x_whose_series_keys_are_text_is_told_the_conversion():
    """Store ids 1, 2 in y and '1', '2' in X read from another file: "no rows for this series"."""
    dates = pd.date_range("2023-01-01", periods=43, freq="D")
    index = pd.MultiIndex.from_product([[1, 2], dates], names=["store", "date"])
    promo = pd.DataFrame({"promo": (np.arange(len(index)) % 5 == 0).astype(float)}, index=index)
    y = pd.DataFrame({"sales": 10 + 5 * promo["promo"].to_numpy()}, index=index)
    past = index.get_level_values("date") < dates[40]
    forecaster = RNNForecaster(**TINY).fit(y[past], X=promo[past], fh=[1, 2, 3])
    X = promo[~past].copy()
    X.index = X.index.set_levels(X.index.levels[0].astype(str), level=0)
    with pytest.raises(
        ValueError,
        match=r"series keys are str, e.g. '1', where y's are int.*X.index = "
        r"X.index.set_levels\(X.index.levels\[0\].astype\('int.*'\), level=0\)",
    ) as info:
        forecaster.predict(X=X)
    exec(re.search(r"convert them, e.g. (X.index = .*?, level=0\))", str(info.value))[1], {"X": X})
    pd.testing.assert_frame_equal(forecaster.predict(X=X), forecaster.predict(X=promo[~past]))
    # keys of two levels (region, store): the level whose type differs is named
    two = lambda d: pd.concat({"north": d}, names=["region"])  # noqa: E731
    forecaster = RNNForecaster(**TINY).fit(two(y[past]), X=two(promo[past]), fh=[1, 2, 3])
    X = two(promo[~past])
    X.index = X.index.set_levels(X.index.levels[1].astype(str), level=1)
    with pytest.raises(ValueError, match=r"are str, e.g. '1', where y's are int.*levels\[1\].astype"):
        forecaster.predict(X=X)


def test_x_on_a_finer_grid_is_refused_from_every_source_and_the_panel_fixes_work():
    """A review found daily X given to fit beyond y's end read at the Sundays only by predict(), daily
    rows between the last stored week and an update's first passed, and the fixes of the messages
    failing on panels (resample and to_datetime of a MultiIndex)."""
    weeks = pd.date_range("2022-01-02", periods=30, freq="W-SUN")
    days = pd.date_range("2021-12-27", weeks[-1] + pd.Timedelta("14D"), freq="D")
    promo = pd.DataFrame({"promo": (days.dayofweek == 2).astype(float)}, index=days)
    y = pd.Series(100.0 + np.arange(30) % 4, index=weeks)
    weekly = promo.resample("W-SUN").sum()
    with_future = pd.concat([weekly.loc[: weeks[-1]], promo.loc[weeks[-1] + pd.Timedelta("1D") :]])
    forecaster = RNNForecaster(**TINY).fit(y, X=with_future, fh=[1, 2])
    with pytest.raises(ValueError, match=r"X given to fit or update beyond y's end has 12 rows"):
        forecaster.predict()
    forecaster = RNNForecaster(**TINY).fit(y.iloc[:-1], X=weekly.loc[: weeks[-2]], fh=[1, 2])
    since = promo.loc[weeks[-2] + pd.Timedelta("1D") : weeks[-1]]
    with pytest.raises(ValueError, match=r"X passed to update has 6 rows at time points between y's"):
        forecaster.update(y.iloc[-1:], X=since, update_params=False)
    # a panel: the fixes as the messages give them
    panel_y = pd.concat({"s1": y, "s2": y + 5}, names=["store", "week"]).to_frame("sales")
    panel_x = pd.concat({"s1": promo, "s2": promo}, names=["store", "day"]).loc[
        lambda d: d.index.get_level_values(1) <= weeks[-1]
    ]
    with pytest.raises(ValueError, match=r"e.g. X = (X.groupby\(.*\)).sum\(\)") as info:
        RNNForecaster(**TINY).fit(panel_y, X=panel_x, fh=[1])
    X = eval(
        re.search(r"e.g. X = (X.groupby\(.*?\]\)\.sum\(\))", str(info.value))[1], {"X": panel_x, "pd": pd}
    )
    RNNForecaster(**TINY).fit(panel_y, X=X.loc[lambda d: d.index.get_level_values(1) >= weeks[0]], fh=[1])
    as_text = panel_y.set_axis(
        panel_y.index.set_levels(panel_y.index.levels[-1].strftime("%d/%m/%Y"), level=-1)
    )
    with pytest.raises(TypeError, match=r"y.index = (y.index.set_levels\(.*level=-1\))") as info:
        RNNForecaster(**TINY).fit(as_text, fh=[1])
    parsed = eval(
        re.search(r"y.index = (y.index.set_levels\(.*?level=-1\))", str(info.value))[1],
        {"y": as_text, "pd": pd},
    )
    assert parsed.equals(panel_y.index)
