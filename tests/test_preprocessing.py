"""sliding_windows: values, shapes, errors, and memory that stays O(series length)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn.preprocessing import sliding_windows


@pytest.mark.parametrize("step", [1, 3])
def test_windows_hold_the_right_steps(step):
    series = np.arange(40, dtype=np.float64).reshape(20, 2)
    windows = sliding_windows(series, 5, step=step)
    assert windows.shape == ((20 - 5) // step + 1, 5, 2)
    assert windows.dtype == np.float32
    for i, window in enumerate(windows):
        np.testing.assert_array_equal(window, series[i * step : i * step + 5])


def test_windows_are_a_read_only_view_of_one_float32_series():
    series = np.random.default_rng(0).standard_normal(1000).astype(np.float32)
    windows = sliding_windows(series, 100)
    assert windows.shape == (901, 100, 1)
    assert np.shares_memory(windows, series)  # no copy at all for float32 input
    assert not windows.flags.writeable


def test_windows_errors():
    with pytest.raises(ValueError, match="fewer than window_length=10"):
        sliding_windows(np.zeros(5), 10)
    with pytest.raises(ValueError, match="window_length must be an integer >= 1"):
        sliding_windows(np.zeros(5), 0)
    with pytest.raises(ValueError, match="step must be an integer >= 1"):
        sliding_windows(np.zeros(5), 2, step=1.5)
    with pytest.raises(ValueError, match="got 3 dimensions. For many sequences, window each one"):
        sliding_windows(np.zeros((5, 2, 2)), 2)
    times = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=6, freq="h"), "temp": np.arange(6.0)})
    for dated in (times, times["time"]):  # not nanosecond counts
        with pytest.raises(TypeError, match="series holds dates or durations"):
            sliding_windows(dated, 3)


def test_windows_warn_where_float32_loses_the_changes_of_a_large_level():
    """A meter at 1e8 moving by about 1: float32's spacing there is 8, the windows would hold steps."""
    meter = 1e8 + np.cumsum(np.random.default_rng(0).choice([-1.0, 1.0], size=200))
    with pytest.warns(
        UserWarning, match=r"Features \[0\] of series lie at levels \[1000000\d\d\.0\].*steps of \[8\.0\]"
    ):
        windows = sliding_windows(meter, 10)
    assert len(np.unique(np.diff(windows[:, :, 0], axis=1))) <= 3  # steps of 0 and +-8 only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        relative = sliding_windows(meter - meter[0], 10)  # the fix the warning gives
        sliding_windows(np.full(50, 1e8), 10)  # constant: nothing to lose
        sliding_windows(meter.astype(np.float32), 10)  # already float32: nothing more is lost here
        sliding_windows(pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0) * 1e3}), 10)
    np.testing.assert_array_equal(np.abs(np.diff(relative[:, :, 0], axis=1)), 1.0)


@pytest.mark.parametrize(
    "held",
    [
        lambda meter: meter.astype(np.int32),  # 4 bytes: was taken as exact in float32
        lambda meter: meter.astype(np.uint32),
        lambda meter: pd.Series(meter, dtype="Int64"),  # nullable: no numpy dtype
        lambda meter: pd.DataFrame({"meter": meter, "running": meter % 2 == 0}),  # objects together
    ],
    ids=["int32", "uint32", "Int64", "mixed-frame"],
)
def test_windows_warn_for_a_large_level_in_any_type_float32_rounds(held):
    """An int32 meter at 1e8 lost its changes as an int64 one does, without the warning."""
    meter = 100_000_000 + np.arange(200)
    with pytest.warns(UserWarning, match=r"Features \[0\] of series lie at levels \[100000099\.5\]"):
        sliding_windows(held(meter), 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sliding_windows(held(meter - meter[0]), 10)


def test_the_fix_for_a_panel_of_three_levels_groups_by_every_level_before_the_time():
    """(region, store, date): the message grouped by level 0 alone, and its fix, run as written, was
    refused again (the two stores of one region are one group)."""
    dates = pd.date_range("2024-01-01", periods=6, freq="D")
    index = pd.MultiIndex.from_tuples(
        [("north", store, d) for store in ("a", "b") for d in dates], names=["region", "store", "date"]
    )
    panel = pd.Series(np.arange(12.0), index=index)
    with pytest.raises(ValueError, match=r"series.groupby\(level=\[0, 1\]\)") as error:
        sliding_windows(panel, 3)
    fix = str(error.value).split("e.g. ")[1].split("]).")[0] + "])"
    windows = eval(fix, {"np": np, "sliding_windows": sliding_windows, "series": panel, "window_length": 3})
    assert windows.shape == (8, 3, 1) and (np.ptp(windows[:, :, 0], axis=1) == 2).all()


def test_windows_refuse_an_integer_panel_whose_time_starts_again():
    """sktime's (instance, time point) panel of integers: windows ran from one instance into the next."""
    index = pd.MultiIndex.from_product([[0, 1], range(5)], names=["instances", "timepoints"])
    panel = pd.DataFrame({"x": [0.0, 1, 2, 3, 4, 100, 101, 102, 103, 104]}, index=index)
    with pytest.raises(ValueError, match=r"series has 2 sequences.*\(year, month\), make them one"):
        sliding_windows(panel, 3)
    windows = np.concatenate([sliding_windows(g, 3) for _, g in panel.groupby(level=0)])  # the fix
    assert windows.shape == (6, 3, 1) and (np.ptp(windows[:, :, 0], axis=1) == 2).all()
    continued = panel.set_axis(pd.MultiIndex.from_arrays([[0] * 5 + [1] * 5, range(10)]))
    assert sliding_windows(continued, 3).shape == (8, 3, 1)  # a time that goes on: read in row order


def test_estimators_train_and_predict_on_windows_like_on_a_copy():
    from sklearn_rnn import RNNRegressor

    t = np.arange(400, dtype=np.float32)
    series = np.sin(t / 8) + 0.1 * np.cos(t / 3)
    X = sliding_windows(series[:-1], 24)
    y = series[24:]
    params = {"architecture": "rnn", "hidden_size": 4, "max_epochs": 2, "batch_size": 64, "random_state": 0}
    on_view = RNNRegressor(**params).fit(X, y)
    on_copy = RNNRegressor(**params).fit(np.ascontiguousarray(X), y)
    np.testing.assert_allclose(on_view.predict(X), on_copy.predict(X.copy()), rtol=1e-5, atol=1e-6)


_MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, re, numpy as np
    from sklearn_rnn import RNNRegressor
    from sklearn_rnn.preprocessing import sliding_windows

    def rss(field):
        return int(re.search(field + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024

    params = dict(architecture="rnn", cell="gru", hidden_size=2, max_epochs=1, batch_size=512,
                  lr_schedule="constant", n_networks=1, random_state=0)
    RNNRegressor(**params).fit(sliding_windows(np.zeros(64, np.float32), 8), np.zeros(57))  # warm-up
    series = np.sin(np.arange(80_000, dtype=np.float32) / 20)
    X, y = sliding_windows(series[:-1], 200), series[200:]
    base = rss("VmRSS")
    open("/proc/self/clear_refs", "w").write("5")
    RNNRegressor(**params).fit(X, y).predict(X[:10_000])
    print(json.dumps({"peak_mib": rss("VmHWM") - base, "copy_mib": X.size * 4 / 2**20}))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc for the peak RSS")
def test_fitting_on_windows_needs_memory_of_the_series_not_of_the_windows():
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT], capture_output=True, text=True, timeout=300, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    # A float32 copy of the windows would take ~61 MiB, the series itself 0.3 MiB. What is left is
    # per batch (torch's recurrent workspace for 512 windows of 200 steps, ~25 MiB here), so any
    # copy of the windows would push the peak past the copy's own size.
    assert result["copy_mib"] > 60
    assert result["peak_mib"] < 0.75 * result["copy_mib"], result


def test_a_series_out_of_time_order_is_refused_not_windowed_in_row_order():
    """A dated series with rows out of order (or a time repeated) was windowed in row order, in silence."""
    times = pd.to_datetime(["2024-01-03", "2024-01-01", "2024-01-02", "2024-01-04"])
    shuffled = pd.Series([3.0, 1.0, 2.0, 4.0], index=times)
    with pytest.raises(ValueError, match=r"out of increasing order in its index.*sort_index\(\)"):
        sliding_windows(shuffled, 2)
    with pytest.raises(ValueError, match="repeats the time 2024-01-01"):
        sliding_windows(pd.DataFrame({"temp": [1.0, 2.0, 3.0]}, index=times[[1, 1, 2]]), 2)
    windows = sliding_windows(shuffled.sort_index(), 2)  # the fix the error gives
    np.testing.assert_array_equal(windows[:, :, 0], [[1, 2], [2, 3], [3, 4]])
    garbled = shuffled.sort_index().set_axis(times.sort_values().where([True] * 3 + [False], pd.NaT))
    for series in (garbled, garbled.sort_index()):  # a date that did not parse: "sort", again and again
        with pytest.raises(ValueError, match=r"time index of series holds 1 missing time point.*notna\(\)"):
            sliding_windows(series, 2)
    assert sliding_windows(garbled[garbled.index.notna()], 2).shape == (2, 2, 1)  # the fix
    panel = pd.Series(np.arange(4.0), index=pd.MultiIndex.from_product([["a", "b"], times[[1, 2]]]))
    with pytest.raises(ValueError, match="has 2 sequences in its index.*Window each one"):
        sliding_windows(panel, 2)  # windows would run from id a into id b
    per_id = np.concatenate([sliding_windows(g, 2) for _, g in panel.groupby(level=0)])
    np.testing.assert_array_equal(per_id[:, :, 0], [[0, 1], [2, 3]])
    by_month = pd.Series([1.0, 2.0, 3.0], index=pd.MultiIndex.from_arrays([[2023, 2024, 2024], [12, 1, 2]]))
    with pytest.raises(ValueError, match=r"\(year, month\), make them one time level"):
        sliding_windows(by_month, 2)  # numbers alone whose time starts again: a panel's, or one time's
    one_time = pd.PeriodIndex([pd.Period(year=y, month=m, freq="M") for y, m in by_month.index])
    assert sliding_windows(by_month.set_axis(one_time), 2).shape == (2, 2, 1)  # the fix the error gives


def test_a_series_that_skips_time_points_is_refused_not_windowed_across_the_hole():
    """Readings every 10 minutes with an hour lost were windowed as if the rows were 10 minutes apart."""
    table = pd.DataFrame(
        {"time": pd.date_range("2024-03-01 08:00", periods=60, freq="10min"), "temp": np.arange(60.0)}
    )
    lost = table.drop(index=range(20, 26)).set_index("time")  # the way users build it; freq=None
    with pytest.raises(
        ValueError,
        match=r"series' time index skips time points: 2024-03-01 11:10:00 is followed by "
        r"2024-03-01 12:20:00, 7 steps .*series.reindex\(pd.date_range\(series.index\[0\], "
        r"series.index\[-1\], freq='10min'\)\)",
    ):
        sliding_windows(lost, 4)
    # the fix the error gives: the hole becomes NaN rows, which the windows hold where they were
    grid = lost.reindex(pd.date_range(lost.index[0], lost.index[-1], freq="10min"))
    windows = sliding_windows(grid, 4)
    assert windows.shape == (57, 4, 1)
    assert np.isnan(windows[20, :, 0]).all() and windows[19, 0, 0] == 19.0 and windows[26, 0, 0] == 26.0
    one_id = lost.set_index(pd.MultiIndex.from_product([["m1"], lost.index]))  # (id, time), one id
    with pytest.raises(ValueError, match="skips time points") as error:
        sliding_windows(one_id, 4)
    fix = str(error.value).split("read as gaps: ")[1].split(", or pass")[0]
    # the fix, as written, works on the data it names
    assert sliding_windows(eval(fix, {"pd": pd, "series": one_id}), 4).shape == (57, 4, 1)
    months = pd.period_range("2020-01", periods=40, freq="M").delete([4, 5])
    monthly = pd.Series(np.arange(38.0), index=months)
    with pytest.raises(ValueError, match=r"2020-04 is followed by 2020-07, 3 steps .*pd.period_range"):
        sliding_windows(monthly, 3)
    # month ends, business days and an integer row index (row labels, not times) are windowed as given
    month_ends = pd.DatetimeIndex(pd.date_range("2020-01-31", periods=12, freq="ME").to_list())
    weekdays = pd.DatetimeIndex(pd.bdate_range("2024-01-01", periods=30).to_list())
    for index in (month_ends, weekdays, pd.Index([0, 1, 5, 6, 7, 9])):
        assert sliding_windows(pd.Series(np.arange(len(index), dtype=float), index=index), 3).shape[1] == 3
    hours = pd.date_range("2024-01-01", periods=24 * 20, freq="h")
    sparse = hours[np.random.default_rng(0).random(len(hours)) < 0.7]  # a third of the hours lost at random
    with pytest.warns(UserWarning, match=r"looks like a grid \(spacing h\) with .*series.reindex"):
        sliding_windows(pd.Series(np.ones(len(sparse)), index=sparse), 3)


def test_the_hour_a_naive_local_clock_skips_going_forward_gets_the_localization_that_keeps_it():
    """A logger's wall clock jumps from 01:00 to 03:00 on the spring night: the refusal offered only
    the reindex that inserts a NaN row at 02:00, a time that never was."""
    wall = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Berlin").tz_localize(None)
    series = pd.Series(np.arange(72.0), index=wall)
    with pytest.raises(
        ValueError, match=r"series.index = series.index.tz_localize\('Europe/Berlin'\)"
    ) as error:
        sliding_windows(series, 3)
    fix = str(error.value).split("an hour apart: ")[1].split(" (the zone")[0]
    exec(fix, {"series": series})  # the fix, as written
    windows = sliding_windows(series, 3)
    assert windows.shape == (70, 3, 1) and windows[25, :, 0].tolist() == [25.0, 26.0, 27.0]
    # the same hour lost on an ordinary night, or a UTC logger's 02:00 lost on no clock's change: no advice
    for night in ("2024-03-12", "2024-03-31"):
        utc = pd.Series(
            np.arange(72.0), index=pd.date_range(f"{night[:-2]}{int(night[-2:]) - 1}", periods=72, freq="h")
        )
        lost = utc.drop(pd.Timestamp(f"{night} 02:00"))
        with pytest.raises(ValueError, match="skips time points") as error:
            sliding_windows(lost, 3)
        assert ("tz_localize" in str(error.value)) == (night == "2024-03-31")


def test_pd_na_among_numbers_held_as_objects_is_a_gap_in_the_windows():
    """Found by a probe: an object column with pd.NA (x.replace(-999.0, pd.NA)) failed in check_array
    with a bare TypeError naming no column; an Int64 column with pd.NA gave NaN."""
    x = pd.Series([1.0, 2.0, -999.0, 4.0]).replace(-999.0, pd.NA)
    expected = sliding_windows(pd.DataFrame({"x": x.astype("Float64")}), 2)
    np.testing.assert_array_equal(sliding_windows(pd.DataFrame({"x": x}), 2), expected)
    np.testing.assert_array_equal(sliding_windows(x, 2), expected)
    assert np.isnan(expected[1, 1, 0]) and expected[0, 0, 0] == 1.0


def test_early_stopping_splits_a_window_view_without_copying_the_windows():
    """early_stopping's split indexed the strided view with an array of rows, which copied every
    window: 33.5 + 3.7 MiB for the windows of a 0.08 MiB series. The parts share the series' memory
    and pick their rows batch by batch, the same rows as before."""
    import torch

    from sklearn_rnn import RNNRegressor
    from sklearn_rnn._data import validate_sequences
    from sklearn_rnn._training import SequenceDataset

    windows = sliding_windows(np.sin(np.arange(5000) / 10), 500)
    dataset = SequenceDataset(validate_sequences(RNNRegressor(), windows, reset=True))
    rows = np.random.default_rng(0).permutation(len(windows))[:400]
    part = dataset.subset(rows).subset(np.arange(100, 300))
    assert part.X.untyped_storage().data_ptr() == dataset.X.untyped_storage().data_ptr()
    assert len(part) == 200
    batch, _ = part.batch(torch.arange(10, 42))
    np.testing.assert_array_equal(batch["X"].numpy(), windows[rows[100:300][10:42]])


def test_tickers_stacked_under_a_date_index_are_refused_not_windowed_across_each_other():
    """wide.stack() and set_index(["date", "ticker"]) index rows (date, ticker): window 0 was AAPL, MSFT
    and GOOG of the first day, then AAPL and MSFT of the second."""
    dates = pd.bdate_range("2024-01-01", periods=30, name="date")
    wide = pd.DataFrame(
        np.arange(90.0).reshape(30, 3), index=dates, columns=pd.Index(["AAPL", "MSFT", "GOOG"], name="ticker")
    )
    stacked = wide.stack()
    fix = r"series = series.reorder_levels\(\[1, 0\]\).sort_index\(\)"
    with pytest.raises(TypeError, match=r"time points in level 0 \('date'\).*level 1 \('ticker'\).*" + fix):
        sliding_windows(stacked, 5)
    fixed = stacked.reorder_levels([1, 0]).sort_index()  # as told; then one ticker at a time, as told
    with pytest.raises(ValueError, match="series has 3 sequences"):
        sliding_windows(fixed, 5)
    windows = np.concatenate([sliding_windows(g, 5) for _, g in fixed.groupby(level=0)])
    assert windows.shape == (78, 5, 1) and (np.diff(windows[:, :, 0], axis=1) == 3).all()  # one ticker each


def test_sensors_indexed_date_then_integer_id_are_told_to_put_the_time_last():
    """The advice was to group by level 0, the dates: each window then held the sensors of one date."""
    dates = pd.bdate_range("2024-01-01", periods=30)
    index = pd.MultiIndex.from_product([dates, [0, 1, 2]], names=["date", "sensor_id"])
    series = pd.Series(np.arange(90.0), index=index)
    with pytest.raises(
        ValueError, match=r"indexed \(time, id\).*series.reorder_levels\(\[1, 0\]\).sort_index"
    ):
        sliding_windows(series, 5)
    fixed = series.reorder_levels([1, 0]).sort_index()
    windows = np.concatenate([sliding_windows(g, 5) for _, g in fixed.groupby(level=0)])
    assert (np.diff(windows[:, :, 0], axis=1) == 3).all()  # one sensor a window, day after day
    hours = series.rename_axis(["date", "hour"])  # or parts of one time: both readings are named
    with pytest.raises(ValueError, match=r"parts of one time \(year, month\).*indexed \(time, id\) instead"):
        sliding_windows(hours, 5)


def test_a_masked_stream_is_windowed_with_gaps_not_its_fill_value():
    """A netCDF reader's masked array: its fill value -9999 was windowed as data."""
    values = np.ma.masked_array(np.arange(20.0), mask=np.arange(20) % 7 == 3, fill_value=-9999.0)
    values.data[values.mask] = -9999.0
    windows = sliding_windows(values, 4)
    assert np.isnan(windows).sum() == 4 + 4 + 3 and np.nanmin(windows) == 0.0  # steps 3, 10 and 17


def test_windows_warn_for_a_rising_meter_whose_spread_dwarfs_the_rounding():
    """A meter at 1e8 rising by about 3 a step for two weeks spreads over 1,000: the rounding (8) was
    under 1% of the spread, and every change in the windows was 0 or 8 without a word."""
    steps = np.clip(np.random.default_rng(0).normal(3, 1, 1344), 0, None)
    meter = pd.Series(1e8 + np.cumsum(steps), index=pd.date_range("2024-01-01", periods=1344, freq="15min"))
    assert meter.std() > 100 * 8
    with pytest.warns(
        UserWarning, match=r"steps of \[8\.0\], over 1% of their spread .* or 10% of how much they"
    ):
        windows = sliding_windows(meter, 8)
    assert set(np.unique(np.diff(windows[:, :, 0], axis=1))) <= {0.0, 8.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sliding_windows(meter - meter.iloc[0], 8)  # the fix
        sliding_windows(100 + np.cumsum(np.random.default_rng(1).normal(size=500)), 8)  # a price: fine
        sliding_windows(10**6 + np.cumsum(steps.round()).astype(np.int64), 8)  # a count float32 holds
        masked = np.ma.masked_array(meter.to_numpy(np.float32) - 1e8, mask=np.arange(1344) % 50 == 0)
        sliding_windows(masked, 8)  # float32 already (read as float64 to put NaN under the mask)
    idle = np.concatenate([np.full(1000, np.nan), meter.to_numpy()[:344]])  # not installed yet, then rising
    with pytest.warns(UserWarning, match=r"steps of \[8\.0\]"):
        sliding_windows(idle, 8)


def test_a_session_bar_lost_is_refused_with_a_fix_that_inserts_it_alone():
    """Minute bars of a 09:30-16:00 session, one lost: the fix reindexed to every minute of the range,
    nights and weekends too (7,799 rows became 39,270, 80% NaN)."""
    days = pd.bdate_range("2024-01-02", periods=5)
    bars = pd.DatetimeIndex(
        [d + pd.Timedelta(hours=9, minutes=30, seconds=60 * k) for d in days for k in range(390)]
    )
    series = pd.Series(np.arange(len(bars) - 1.0), index=bars.delete(2 * 390 + 3))
    with pytest.raises(ValueError, match=r"read as gaps: (series\.reindex\(.*\)) \(this hole") as refused:
        sliding_windows(series, 5)
    code = re.search(r"read as gaps: (series\.reindex\(.*\)) \(this hole", str(refused.value)).group(1)
    fixed = eval(code)  # the message's fix, as written
    assert len(fixed) == len(bars) and fixed.isna().sum() == 1
    assert sliding_windows(fixed, 5).shape == (len(bars) - 4, 5, 1)
