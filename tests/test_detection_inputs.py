"""RNNAnomalyDetector on inputs as users build them: date columns, nullable values, index types."""

import copy
import io
import re
import warnings

import dateutil.tz
import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sklearn_rnn import RNNAnomalyDetector  # noqa: E402

TINY = dict(window_length=8, hidden_size=8, max_epochs=3, random_state=0)


def readings(n, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return pd.DataFrame({"temp": np.sin(2 * np.pi * t / 20) + 0.05 * rng.standard_normal(n)})


@pytest.fixture(scope="module")
def detector():
    return RNNAnomalyDetector(**TINY).fit(readings(200))


@pytest.mark.parametrize("kind", ["datetime", "datetime-tz", "timedelta"])
def test_a_date_column_is_refused_not_read_as_nanoseconds(kind):
    """A CSV's date column parsed but not set as the index was read as a channel of nanosecond counts."""
    data = readings(200)
    csv_dates = pd.Series(pd.date_range("2024-01-01", periods=200, freq="h").strftime("%Y-%m-%d %H:%M"))
    dates = pd.to_datetime(csv_dates)
    data.insert(0, "date", dates)
    if kind == "datetime-tz":
        data["date"] = data["date"].dt.tz_localize("UTC")
    elif kind == "timedelta":
        data["date"] = data["date"] - data["date"].iloc[0]
    fix = r"durations .*total_seconds\(\)" if kind == "timedelta" else r"dates .*X.set_index\('date'\)"
    with pytest.raises(TypeError, match=r"column 'date' holds " + fix):
        RNNAnomalyDetector(**TINY).fit(data)
    fitted = RNNAnomalyDetector(**TINY).fit(readings(200).assign(hour=1.0))
    with pytest.raises(TypeError, match=r"column 'date' holds"):
        fitted.predict(data)


def test_complex_values_are_refused_not_cut_to_their_real_part(detector):
    data = readings(50).astype(complex) + 1j
    with pytest.raises(TypeError, match="complex"):
        detector.predict(data)


def test_pd_na_in_an_object_column_reads_as_a_gap(detector):
    """pd.Series([1.0, pd.NA, ...]) has dtype object: its numbers were called 'not numbers'."""
    data = readings(60)
    with_na = data.astype(object)
    with_na.iloc[30, 0] = pd.NA
    with_nan = data.copy()
    with_nan.iloc[30, 0] = np.nan
    expected = detector.transform_scores(with_nan)
    pd.testing.assert_frame_equal(detector.transform_scores(with_na), expected)
    assert np.isnan(expected["scores"].iloc[30])


def test_a_time_index_of_text_or_out_of_order_is_refused_with_the_fix(detector):
    """pd.read_csv(..., index_col="date") without parse_dates, or concatenated exports: sktime's error
    buried the reason under a page of the formats it had tried."""
    data = readings(50)
    data.index = pd.date_range("2024-01-01", periods=50, freq="h")
    as_text = data.set_axis(data.index.strftime("%Y-%m-%d %H:%M"))
    for call in (
        detector.predict,
        detector.transform_scores,
        detector.update,
        RNNAnomalyDetector(**TINY).fit,
    ):
        with pytest.raises(TypeError, match=r"index holds text \('2024-01-01 00:00'.*pd.to_datetime"):
            call(as_text)
        with pytest.raises(ValueError, match=r"not in increasing order.*X.sort_index\(\)"):
            call(pd.concat([data.iloc[25:], data.iloc[:25]]))
    panel = pd.concat({"m1": as_text, "m2": as_text}, names=["machine", "date"])
    with pytest.raises(TypeError, match="index holds text"):
        detector.predict(panel)
    unsorted = pd.concat({"m1": data, "m2": pd.concat([data.iloc[25:], data.iloc[:25]])}, names=["m", "date"])
    with pytest.raises(ValueError, match=r"not in increasing order within a series of the panel.*sort_index"):
        detector.predict(unsorted)  # sktime's error listed every format it had tried


@pytest.mark.parametrize("mode", ["points", "segments"])
def test_transform_labels_are_indexed_like_x(detector, mode):
    """df["flag"] = detector.transform(df)["labels"] aligns on the index: labels indexed 0, 1, ... put
    a frame indexed from 100 flags 100 rows early (and NaN on its last 100 rows)."""
    fitted = detector if mode == "points" else RNNAnomalyDetector(mode="segments", **TINY).fit(readings(200))
    data = readings(300, seed=1)
    data.iloc[150, 0] += 3.0
    for index in (pd.RangeIndex(100, 400), pd.date_range("2024-01-01", periods=300, freq="h")):
        frame = data.set_axis(index)
        labels = fitted.transform(frame)
        pd.testing.assert_index_equal(labels.index, frame.index)
        flagged = np.flatnonzero(labels["labels"].to_numpy() >= (1 if mode == "points" else 0))
        assert 150 in flagged
        points = fitted.predict(frame)["ilocs"]
        expected = (
            points.tolist() if mode == "points" else [i for e in points for i in range(e.left, e.right)]
        )
        assert flagged.tolist() == expected
        frame["flag"] = labels["labels"]
        assert frame["flag"].notna().all()
        assert frame["flag"].iloc[150] == labels["labels"].iloc[150]


@pytest.mark.parametrize("mode", ["points", "segments"])
def test_transform_labels_every_step_of_a_numpy3d_panel(detector, mode):
    """sktime's numpy3D (n_instances, n_channels, n_timesteps): len(X) counted the instances."""
    fitted = detector if mode == "points" else RNNAnomalyDetector(mode="segments", **TINY).fit(readings(200))
    panel = readings(300, seed=2)["temp"].to_numpy().reshape(3, 1, 100).copy()
    panel[1, 0, 40] += 3.0
    labels = fitted.transform(panel)
    as_frame = pd.concat({i: pd.DataFrame(panel[i].T) for i in range(3)}, names=["instance", "t"])
    np.testing.assert_array_equal(
        labels["labels"].to_numpy(), fitted.transform(as_frame)["labels"].to_numpy()
    )
    assert len(labels) == 300
    assert labels["labels"].iloc[140] >= (1 if mode == "points" else 0)


def test_a_repeated_time_point_is_refused_not_read_as_an_extra_step(detector):
    """Two exports concatenated that share their boundary reading, or naive local times across the autumn
    clock change: the repeat was read as one more step (and a stream ending on it took the spacing 0)."""
    data = readings(50)
    data.index = pd.date_range("2024-01-01", periods=50, freq="h")
    repeated = pd.concat([data.iloc[:26], data.iloc[25:]])
    for call in (detector.predict, detector.transform, detector.update, RNNAnomalyDetector(**TINY).fit):
        with pytest.raises(ValueError, match=r"repeats the time 2024-01-02 01:00:00.*duplicated"):
            call(repeated)
    panel = pd.concat({"m1": repeated, "m2": data}, names=["machine", "date"])
    with pytest.raises(ValueError, match="repeats the time"):
        detector.predict(panel)
    # appended again after the end: the rows are out of order too, but sorting them would not help
    appended = pd.concat([data, data.iloc[-3:]])
    with pytest.raises(ValueError, match=r"repeats the time 2024-01-02 23:00:00.*duplicated"):
        detector.predict(appended)


def test_dropped_rows_are_refused_not_read_as_neighbours(detector):
    """A logger that drops readings leaves time points out (not NaN rows): the rows around the hole were
    read as consecutive steps, and the jump between them flagged."""
    data = readings(200)
    data.index = pd.date_range("2024-01-01", periods=200, freq="10min")
    dropped = data.drop(data.index[90:110])
    for call in (
        detector.predict,
        detector.transform_scores,
        detector.update,
        RNNAnomalyDetector(**TINY).fit,
    ):
        with pytest.raises(
            ValueError,
            match=r"skips time points: 2024-01-01 14:50:00 is followed by 2024-01-01 18:20:00, 21 "
            r"steps of its usual spacing \(10min\).*X.reindex\(pd.date_range\(.*freq='10min'\)\)",
        ):
            call(dropped)
    panel = pd.concat({"m1": data, "m2": dropped}, names=["machine", "date"])
    with pytest.raises(ValueError, match="skips time points"):
        detector.predict(panel)
    by_position = dropped.reset_index(drop=True).iloc[::2]  # integer positions that skip a row too
    with pytest.raises(ValueError, match=r"skips time points: 88 is followed by 110"):
        detector.predict(by_position.drop(index=range(90, 110, 2)))
    # the fix the message gives: the hole becomes NaN rows, read as a gap and not scored
    filled = dropped.reindex(pd.date_range(dropped.index[0], dropped.index[-1], freq="10min"))
    scores = detector.transform_scores(filled)["scores"]
    assert scores.iloc[90:110].isna().all() and scores.notna().sum() >= 170
    # irregular sampling, no spacing a whole multiple of the usual one, is the data's own
    jittered = data.set_axis(data.index + pd.to_timedelta(np.arange(200) % 3, unit="s"))
    assert len(detector.transform_scores(jittered)) == 200
    coarse_clock = data.set_axis(
        pd.Timestamp("2024-01-01") + pd.to_timedelta(np.cumsum(1 + np.arange(200) % 3) * 5, unit="min")
    )
    assert len(detector.transform_scores(coarse_clock)) == 200
    # grids that skip by design: business days and hours, declared or inferred
    for index in (
        pd.bdate_range("2024-01-01", periods=200),
        pd.DatetimeIndex(pd.bdate_range("2024-01-01", periods=200).strftime("%Y-%m-%d")),  # no freq
        pd.date_range("2024-01-01 09:00", periods=200, freq="bh"),
    ):
        assert len(detector.transform_scores(data.set_axis(index))) == 200


def test_a_naive_local_clock_going_forward_gets_the_localization_that_reads_it_as_the_hour_it_is():
    """Hourly readings on a naive wall clock skip 02:00 on the spring night: the refusal offered only
    the reindex that inserts a reading at a time that never was."""
    wall = pd.date_range("2024-03-25", periods=300, freq="h", tz="Europe/Berlin").tz_localize(None)
    X = readings(300).set_axis(wall)
    with pytest.raises(ValueError, match=r"X.index = X.index.tz_localize\('Europe/Berlin'\)") as error:
        RNNAnomalyDetector(**TINY).fit(X)
    exec(str(error.value).split("an hour apart: ")[1].split(" (the zone")[0], {"X": X})  # as written
    fitted = RNNAnomalyDetector(**TINY, contamination=0.05).fit(X.iloc[:200])
    assert fitted.index_freq_ == "h"
    assert fitted.transform(X.iloc[100:]).index.equals(X.index[100:])


def test_the_fix_for_dropped_days_keeps_every_row_across_a_clock_change(detector):
    """A grid of 24 hours drifts off local midnight at a daylight-saving change: the fix must say days."""
    data = readings(120)
    data.index = pd.date_range("2024-02-01", periods=120, freq="D", tz="Europe/Paris")
    dropped = data.drop(data.index[20])
    with pytest.raises(
        ValueError, match=r"X.reindex\(pd.date_range\(X.index\[0\], X.index\[-1\], freq='D'\)\)"
    ) as error:
        detector.predict(dropped)
    fix = str(error.value).split("gaps: ")[1].split(" (a panel")[0]  # the message's fix, run as written
    filled = eval(fix, {"pd": pd, "X": dropped})
    assert len(filled) == 120 and filled["temp"].notna().sum() == 119
    assert detector.transform_scores(filled)["scores"].isna().iloc[20]
    durations = data.set_axis(pd.timedelta_range(0, periods=120, freq="s")).drop(
        index=pd.Timedelta(seconds=50)
    )
    with pytest.raises(ValueError, match=r"skips time points: 0 days 00:00:49.*pd.timedelta_range"):
        detector.predict(durations)


@pytest.mark.parametrize(
    "index, drop, spacing",
    [
        (pd.date_range("2020-01-31", periods=60, freq="ME"), 10, "ME"),  # 28 to 31 days apart
        (pd.date_range("2010-01-01", periods=60, freq="QS"), 7, "QS"),
        (pd.date_range("2019-01-15", periods=60, freq="MS") + pd.Timedelta(days=14), 30, "one month"),
        (pd.date_range("2024-03-01", periods=60, freq="D", tz="Europe/Paris"), 30, "D"),  # 47 hours apart
    ],
    ids=["month-ends", "quarter-starts", "the-15th", "day-of-a-clock-change"],
)
def test_dropped_calendar_steps_are_refused_and_the_fix_fills_them(detector, index, drop, spacing):
    """Month ends a logger dropped were 59 days apart, among spacings of 28 to 31: no usual spacing, so
    the join was read as neighbours; so was a day dropped at a clock change (47 hours, not 48)."""
    data = readings(60).set_axis(index.delete(drop).append(index[drop : drop + 1]).sort_values())
    dropped = data.drop(index[drop])
    with pytest.raises(ValueError, match=rf"skips time points: .*\({spacing}.*X.reindex") as error:
        detector.predict(dropped)
    fix = str(error.value).split("gaps: ")[1].split(" (a panel")[0]  # the message's fix, run as written
    filled = eval(fix, {"pd": pd, "X": dropped})
    assert len(filled) == 60 and filled.index.equals(pd.DatetimeIndex(index))
    assert filled["temp"].isna().sum() == 1 and np.isnan(filled["temp"].iloc[drop])
    assert detector.transform_scores(filled)["scores"].isna().iloc[drop]
    assert len(detector.transform_scores(data)) == 60  # the whole grid passes


def test_plot_anomalies_refuses_a_time_index_out_of_order_or_repeated(detector):
    """plot_anomalies scores through the detector without sktime's checks: it drew such rows as steps."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_rnn.plotting import plot_anomalies

    data = readings(50)
    data.index = pd.date_range("2024-01-01", periods=50, freq="h")
    with pytest.raises(ValueError, match=r"not in increasing order.*X.sort_index\(\)"):
        plot_anomalies(detector, pd.concat([data.iloc[25:], data.iloc[:25]]))
    with pytest.raises(ValueError, match="repeats the time"):
        plot_anomalies(detector, pd.concat([data.iloc[:26], data.iloc[25:]]))


@pytest.mark.parametrize("scoring", ["forecast", "reconstruction"])
def test_a_stream_after_an_outage_longer_than_the_window_scores_as_the_whole_series(scoring):
    """The stream kept only the outage's NaN: the next chunk read it filled backward from its own first
    value, where the whole series carries the last reading before the outage forward."""
    data = readings(300).set_axis(pd.date_range("2024-01-01", periods=300, freq="h"))
    data.iloc[220:250] = np.nan  # the sensor is off for 30 hours, the window is 8
    fitted = RNNAnomalyDetector(scoring=scoring, **TINY).fit(readings(200))
    whole = fitted.transform_scores(data)["scores"].to_numpy()
    fitted.update(data.iloc[:250])
    streamed = fitted.transform_scores(data.iloc[250:])["scores"].to_numpy()
    np.testing.assert_allclose(streamed, whole[250:], rtol=1e-5, atol=1e-6)


def test_an_outage_across_two_chunks_of_a_stream_cuts_it_as_in_the_whole_series():
    """Twelve hours off at the end of one chunk, twelve at the start of the next: together an outage
    of CUT_GAP steps or more, after which the whole series is scored as a new piece."""
    data = readings(300).set_axis(pd.date_range("2024-01-01", periods=300, freq="h"))
    data.iloc[238:262] = np.nan
    fitted = RNNAnomalyDetector(**TINY).fit(readings(200))
    whole = fitted.transform_scores(data)["scores"].to_numpy()
    fitted.update(data.iloc[:250])
    streamed = fitted.transform_scores(data.iloc[250:])["scores"].to_numpy()
    np.testing.assert_allclose(streamed, whole[250:], rtol=1e-5, atol=1e-6)
    assert np.isnan(streamed[:12]).all() and np.isfinite(streamed[12:]).all()


@pytest.mark.parametrize(
    "grid",
    [
        pd.date_range("1990-01-01", periods=160, freq="MS"),
        pd.date_range("2020-01-01", periods=160, freq="B"),
        pd.date_range("2022-12-01", periods=160, freq="D", tz="Europe/Berlin"),  # streams over 2023-03-26
    ],
)
def test_a_stream_of_dates_without_a_freq_continues_at_the_next_month_business_day_or_day(grid):
    """Read from a file, the dates carry no freq; the next chunk was expected one spacing of the last
    two later in absolute time (29 days after a February, 3 days after a Friday, 24 hours over a
    clock change), so every chunk of 2 months (92 of 94 business days) was scored on its own."""
    data = readings(160).set_axis(pd.DatetimeIndex(list(grid)))  # the same time points, no freq
    fitted = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:100])
    assert fitted.index_freq_ == pd.infer_freq(grid)
    fitted.update(data.iloc[:100])
    streamed = []
    for start in range(100, 160, 2):
        streamed.append(fitted.transform_scores(data.iloc[start : start + 2])["scores"].to_numpy())
        fitted.update(data.iloc[start : start + 2])
    whole = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:100])
    whole.update(data.iloc[:100])
    expected = whole.transform_scores(data.iloc[100:])["scores"].to_numpy()
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(np.concatenate(streamed), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scoring", ["forecast", "reconstruction"])
def test_a_stream_of_time_stamps_with_jitter_continues_and_an_outage_does_not(scoring):
    """A historian's minute readings stamped a few seconds off the minute: no chunk started exactly one
    spacing after the last, so each was scored on its own (60 of 300 streamed steps unscored with
    forecasting, scores up to 0.65 off with reconstruction)."""
    rng = np.random.default_rng(2)
    jitter = pd.to_timedelta(rng.integers(-3, 4, 360), unit="s")
    data = readings(360).set_axis(pd.date_range("2024-03-01", periods=360, freq="min") + jitter)
    fitted = RNNAnomalyDetector(scoring=scoring, **TINY).fit(data.iloc[:200])
    assert fitted.index_freq_ is None
    fitted.update(data.iloc[:200])
    whole = fitted.transform_scores(data.iloc[200:])["scores"].to_numpy()
    streamed = []
    for start in range(200, 360, 40):
        streamed.append(fitted.transform_scores(data.iloc[start : start + 40])["scores"].to_numpy())
        fitted.update(data.iloc[start : start + 40])
    assert np.isfinite(whole).all()
    streamed = np.concatenate(streamed)
    if scoring == "reconstruction":  # a chunk's last steps lack the windows the later chunk brings
        known = (np.arange(160) % 40) < 40 - fitted.window_length_ + 1
        streamed, whole = streamed[known], whole[known]
    np.testing.assert_allclose(streamed, whole, rtol=1e-5, atol=1e-6)
    # two minutes missing between chunks is an outage, not jitter: the chunk after it starts afresh
    fitted.update(data.iloc[:300])
    after = fitted.transform_scores(data.iloc[302:])["scores"].to_numpy()
    alone = RNNAnomalyDetector(scoring=scoring, **TINY).fit(data.iloc[:200]).transform_scores(data.iloc[302:])
    np.testing.assert_allclose(after, alone["scores"].to_numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("scoring", ["forecast", "reconstruction"])
def test_a_stream_of_irregular_time_points_continues_as_the_whole_series_reads(scoring, tmp_path):
    """Vitals charted every 20 minutes or so at irregular times: fit read the rows as consecutive steps,
    but a chunk continued the stream only where it started one spacing of the last two after them, so
    467 of 500 streamed steps went unscored with forecasting, in silence."""
    from sklearn_rnn import load, save

    rng = np.random.default_rng(1)
    minutes = np.cumsum(1 + rng.exponential(20, 460).round())
    data = readings(460).set_axis(pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min"))
    fitted = RNNAnomalyDetector(scoring=scoring, **TINY).fit(data.iloc[:300])
    assert fitted.index_freq_ is None
    assert pd.Timedelta(fitted.largest_spacing_) == data.index[:300].to_series().diff().max()
    fitted.update(data.iloc[:300])
    whole = fitted.transform_scores(data.iloc[300:])["scores"].to_numpy()
    streamed = []
    for start in range(300, 460, 20):
        streamed.append(fitted.transform_scores(data.iloc[start : start + 20])["scores"].to_numpy())
        fitted.update(data.iloc[start : start + 20])
        if start == 380:  # mid-stream, saved and loaded
            save(fitted, tmp_path / "vitals.skrnn")
            fitted = load(tmp_path / "vitals.skrnn")
    assert np.isfinite(whole).all()
    streamed = np.concatenate(streamed)
    if scoring == "reconstruction":  # a chunk's last steps lack the windows the later chunk brings
        known = (np.arange(160) % 20) < 20 - fitted.window_length_ + 1
        streamed, whole = streamed[known], whole[known]
    np.testing.assert_allclose(streamed, whole, rtol=1e-5, atol=1e-6)
    # a chunk further after the last reading than any two rows fit read is after an outage
    later = data.iloc[440:].set_axis(data.index[440:] + 2 * pd.Timedelta(fitted.largest_spacing_))
    fitted.update(data.iloc[:440])
    alone = RNNAnomalyDetector(scoring=scoring, **TINY).fit(data.iloc[:300]).transform_scores(later)
    np.testing.assert_allclose(
        fitted.transform_scores(later)["scores"].to_numpy(), alone["scores"].to_numpy(), rtol=1e-5, atol=1e-6
    )


def test_a_chunk_of_aware_times_after_a_stream_of_naive_ones_is_refused():
    """The same readings stamped in UTC after a stream of naive times: the comparison failed inside and
    the chunk was scored as a new series (48 of 50 steps unscored), in silence."""
    data = readings(260).set_axis(pd.date_range("2024-01-01", periods=260, freq="15min"))
    fitted = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:200])
    fitted.update(data.iloc[:200])
    chunk = data.iloc[200:].tz_localize("UTC")
    with pytest.raises(ValueError, match=r"time zone UTC and the stream's past none.*tz_localize\(None\)"):
        fitted.transform_scores(chunk)
    with pytest.raises(ValueError, match="time zone UTC and the stream's past none"):
        fitted.update(chunk)
    chunk.index = chunk.index.tz_localize(None)  # the fix the message gives
    assert fitted.transform_scores(chunk)["scores"].notna().all()
    aware = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:200].tz_localize("UTC"))
    aware.update(data.iloc[:200].tz_localize("UTC"))
    with pytest.raises(ValueError, match=r"no time zone and the stream's past the time zone UTC.*'UTC'"):
        aware.update(data.iloc[200:])
    utc = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:200].tz_localize(dateutil.tz.tzutc()))
    utc.update(data.iloc[:200].tz_localize(dateutil.tz.tzutc()))
    with pytest.raises(
        ValueError, match=r"tz_localize\('UTC'\)"
    ) as error:  # dateutil's tzutc() names no zone
        utc.update(data.iloc[200:])
    chunk = data.iloc[200:].copy()
    chunk.index = eval(str(error.value).split("X.index = ")[1].removesuffix("."), {"X": chunk})
    assert utc.transform_scores(chunk)["scores"].notna().all()


@pytest.mark.parametrize("dropped", [0.2, 0.4])
def test_a_grid_with_many_readings_lost_warns_and_a_schedule_does_not(detector, dropped):
    """Hourly vitals with a fifth or more of the hours missing: below nine equal spacings in ten the
    index was read as irregular sampling, so the more was lost, the less was said."""
    rng = np.random.default_rng(0)
    hours = pd.date_range("2024-01-01", periods=800, freq="h")
    data = readings(800).set_axis(hours)[rng.random(800) >= dropped]
    with pytest.warns(
        UserWarning, match=r"grid \(spacing h\) with \d+ of its 800 time points missing"
    ) as caught:
        detector.transform_scores(data)
    fix = str(caught[0].message).split("gaps: X.reindex(")[1].split(") (a panel")[0]  # run as written
    filled = data.reindex(eval(fix, {"pd": pd, "X": data}))
    assert filled.index.equals(hours) and filled["temp"].notna().sum() == len(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        detector.transform_scores(filled)
        # closed hours and weekends, holidays, irregular charting: not lost readings
        week = pd.date_range("2024-01-01", periods=24 * 120, freq="h")
        trading = week[(week.hour >= 9) & (week.hour <= 17) & (week.dayofweek < 5)]
        trading = trading[~trading.normalize().isin(trading.normalize().unique()[[3, 40, 70]])]
        minutes = np.cumsum(1 + rng.exponential(20, 500).round())
        ten_days = pd.date_range("2024-05-20 09:00", "2024-05-31 17:00", freq="h")
        for index in (
            trading,
            ten_days[(ten_days.hour >= 9) & (ten_days.hour <= 17) & (ten_days.dayofweek < 5)],
            pd.bdate_range("2023-01-01", "2024-12-31").delete([5, 40, 100, 200, 300]),
            pd.bdate_range("2024-05-20", periods=10).delete(7),  # Memorial Day
            pd.bdate_range("2023-12-01", "2023-12-29").delete([16, 17]),  # Christmas in London
            pd.bdate_range("2023-01-02", periods=300).to_period("D"),  # business days as daily periods
            pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min"),
        ):
            detector.transform_scores(readings(len(index)).set_axis(index))


@pytest.mark.parametrize("kind", ["elapsed seconds", "days over a clock change"])
def test_a_stream_saved_mid_way_continues_after_load(kind, tmp_path):
    """save refused a detector streaming on a TimedeltaIndex (elapsed time): its stored past could
    not be written; pickle could."""
    from sklearn_rnn import load, save

    if kind == "elapsed seconds":
        times = pd.timedelta_range(0, periods=200, freq="s")
    else:
        times = pd.DatetimeIndex(list(pd.date_range("2022-10-10", periods=200, freq="D", tz="Europe/Berlin")))
    data = readings(200).set_axis(times)
    fitted = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:120])
    fitted.update(data.iloc[:150])
    save(fitted, tmp_path / "stream.skrnn")
    restored = load(tmp_path / "stream.skrnn")
    assert restored.index_freq_ == fitted.index_freq_ == pd.infer_freq(times)
    assert restored._context[0].equals(fitted._context[0])
    want = fitted.transform_scores(data.iloc[150:])["scores"].to_numpy()
    np.testing.assert_array_equal(restored.transform_scores(data.iloc[150:])["scores"].to_numpy(), want)
    assert np.isfinite(want).all()  # continued: the first steps read the stored past


def test_known_anomalies_as_intervals_are_the_points_they_hold():
    """With mode="segments" (sktime's segmentation task) the events predict returns could not be passed
    back to fit as known anomalies: intervals were refused with advice about 0/1 labels."""
    data = readings(300)
    data.iloc[100:110, 0] += 3.0
    events = pd.DataFrame({"ilocs": pd.IntervalIndex.from_arrays([100], [110], closed="left")})
    by_events = RNNAnomalyDetector(mode="segments", **TINY).fit(data, events)
    by_points = RNNAnomalyDetector(mode="segments", **TINY).fit(data, pd.Series(np.arange(100, 110)))
    np.testing.assert_array_equal(by_events.transform_scores(data), by_points.transform_scores(data))
    again = RNNAnomalyDetector(mode="segments", **TINY).fit(data, by_events.predict(data))  # its own output
    assert np.isfinite(again.threshold_)
    for wrong in (pd.Interval(1.5, 4.0), pd.Interval(0, 10**10)):  # no 80 GB of positions either
        with pytest.raises(ValueError, match=r"whose ends are not integer positions \(ilocs\) of X's 300"):
            RNNAnomalyDetector(**TINY).fit(data, pd.DataFrame({"ilocs": [wrong]}))
    empty = pd.DataFrame({"ilocs": pd.IntervalIndex.from_arrays([5], [5], closed="left")})
    assert np.isfinite(RNNAnomalyDetector(**TINY).fit(data, empty).threshold_)


def test_a_panel_of_three_index_levels_is_refused_with_a_fix_that_works():
    """sktime's error for it ran to 1,725 characters, every format it tried, with the reason inside."""
    index = pd.MultiIndex.from_product(
        [["s1"], ["m1", "m2"], pd.RangeIndex(150)], names=["site", "machine", "t"]
    )
    X = pd.DataFrame({"temp": np.sin(np.arange(300) / 3)}, index=index)
    with pytest.raises(
        TypeError, match=r"MultiIndex of 3 levels \['site', 'machine', 't'\].*X.index = "
    ) as e:
        RNNAnomalyDetector(**TINY).fit(X)
    assert len(str(e.value)) < 400
    X.index = pd.MultiIndex.from_arrays([X.index.droplevel(-1).to_flat_index(), X.index.get_level_values(-1)])
    assert RNNAnomalyDetector(**TINY).fit(X).transform(X).shape == (300, 1)


def test_a_detector_on_dates_of_a_dateoffset_frequency_still_saves(tmp_path):
    """index_freq_ held '<DateOffset: months=1>', which no frequency name rebuilds: save refused it."""
    from sklearn_rnn import load, save

    data = readings(60).set_axis(pd.date_range("2020-01-15", periods=60, freq=pd.DateOffset(months=1)))
    fitted = RNNAnomalyDetector(**TINY).fit(data)
    assert fitted.index_freq_ is None
    save(fitted, tmp_path / "d.skrnn")
    np.testing.assert_array_equal(
        load(tmp_path / "d.skrnn").transform_scores(data), fitted.transform_scores(data)
    )


@pytest.mark.parametrize("index", ["minutes", "integers"])
def test_one_reading_at_a_time_after_an_outage_is_scored_on_its_own(index):
    """A one-row chunk left the stream one time point and no spacing: any later reading continued it,
    and the first one after a 47-minute outage was scored as the old window's neighbour."""
    times = pd.date_range("2024-01-01", periods=300, freq="min") if index == "minutes" else pd.RangeIndex(300)
    data = readings(300).set_axis(pd.Index(list(times)) if index == "minutes" else times)
    fitted = RNNAnomalyDetector(scoring="forecast", **TINY).fit(data.iloc[:200])
    for row in range(200, 250):
        fitted.update(data.iloc[[row]])
    assert np.isfinite(fitted.transform_scores(data.iloc[[250]])["scores"]).all()  # the next reading
    after = fitted.transform_scores(data.iloc[[297]])["scores"]  # 47 readings missed
    assert after.isna().all()  # scored on its own: no window of past


@pytest.mark.parametrize(
    "index", [pd.RangeIndex(100, 300), pd.date_range("2024-01-01", periods=200, freq="h"), None]
)
def test_fit_transform_is_fit_then_transform(index):
    """sktime's fit_transform labelled ilocs as index labels: a KeyError on an index not from 0, and
    one label per instance of a numpy3D panel."""
    data = readings(200)
    data = (
        data.to_numpy().reshape(2, 100, 1).transpose(0, 2, 1).copy()
        if index is None
        else data.set_axis(index)
    )
    labels = RNNAnomalyDetector(**TINY).fit_transform(data)
    pd.testing.assert_frame_equal(labels, RNNAnomalyDetector(**TINY).fit(data).transform(data))
    assert len(labels) == 200


# -- found by a new user's probe (each failed before its fix) ---------------------------------------
def test_an_event_spans_a_dropout_between_its_flags():
    """Two alarms merged into one event, with the sensor silent (NaN) between them, came back as two
    events: the guide promises one, the steps without a value unflagged as points."""
    data = readings(300, seed=1)
    data.iloc[150, 0] += 4.0
    data.iloc[154, 0] += 4.0
    data.iloc[151:153, 0] = np.nan
    segments = RNNAnomalyDetector(mode="segments", merge_gap=6, **TINY).fit(readings(200))
    events = segments.predict(data)["ilocs"]
    holding = [event for event in events if event.left <= 150 < event.right]
    assert len(holding) == 1 and holding[0].right > 154
    labels = segments.transform(data)["labels"].to_numpy()
    assert len(set(labels[holding[0].left : holding[0].right])) == 1  # one event number throughout
    points = RNNAnomalyDetector(merge_gap=6, **TINY).fit(readings(200)).predict(data).to_numpy()
    assert 150 in points and 154 in points and not np.isin([151, 152], points).any()


def test_merge_gap_counts_the_unflagged_steps_between_flags():
    from sklearn_rnn._anomaly import merge_gaps

    flags = np.zeros(12, dtype=bool)
    flags[[2, 5]] = True  # two unflagged steps between them
    assert not merge_gaps(flags, 1)[3:5].any()
    assert merge_gaps(flags, 2)[2:6].all()


def test_numeric_text_is_refused_not_parsed(detector):
    """A CSV column read as text: numbers parsed silently, and the text 'nan' read as a gap."""
    data = readings(60)
    as_text = data.assign(temp=data["temp"].map("{:.3f}".format).astype(object))
    as_text.iloc[10, 0] = "nan"
    for given in (as_text, as_text.astype("string")):
        with pytest.raises(
            TypeError,
            match=r"column 'temp' holds numbers as text.*pd.to_numeric\(X\['temp'\], errors='coerce'\)",
        ):
            detector.predict(given)
    with pytest.raises(TypeError, match=r"holds numbers as text"):
        RNNAnomalyDetector(**TINY).fit(as_text)
    fixed = as_text.assign(temp=pd.to_numeric(as_text["temp"], errors="coerce"))  # the message's fix
    assert np.isnan(detector.transform_scores(fixed)["scores"].iloc[10])


def test_the_column_name_fix_works_for_a_series(detector):
    series = readings(200)["temp"]
    fitted = RNNAnomalyDetector(**TINY).fit(series)
    renamed = series.rename("temperature")
    with pytest.raises(ValueError, match=r"X.rename\('temp'\)") as error:
        fitted.predict(renamed)
    fix = str(error.value).split("a pd.Series: ")[1].rstrip(").")
    fixed = eval(fix + ")", {"X": renamed})
    pd.testing.assert_frame_equal(fitted.transform_scores(fixed), fitted.transform_scores(series))


def test_too_few_calibration_scores_for_the_rate_warn():
    """With 12 held-out scores and contamination=0.02, fresh normal data was flagged at 11-15%."""
    with pytest.warns(
        UserWarning, match=r"rests on 12 scores .* contamination=0.02: its finite-sample quantile needs 49"
    ):
        RNNAnomalyDetector(**{**TINY, "contamination": 0.02}).fit(readings(60))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        RNNAnomalyDetector(**{**TINY, "contamination": 0.02}).fit(readings(300))  # 60 scores: enough


def test_seconds_as_a_float_index_are_refused_with_a_fix_that_works():
    """Loggers export seconds since start as floats: sktime refused them in 1,727 characters listing
    every format it tried, never naming the index."""
    X = readings(200).set_axis(pd.Index(np.arange(200) * 0.5, name="t_s"))
    with pytest.raises(
        TypeError, match=r"time index holds floats \(0, \.\.\.\).*pd.to_timedelta\(X.index, unit='s'\)"
    ):
        RNNAnomalyDetector(**TINY).fit(X)
    X.index = pd.to_timedelta(X.index, unit="s")  # the fix the message gives
    scores = RNNAnomalyDetector(**TINY).fit(X).transform_scores(X)
    assert scores.index.equals(X.index) and np.isfinite(scores.to_numpy()).any()


def test_one_reading_as_a_row_series_is_refused_with_the_one_row_frame_fix():
    """X.iloc[-1] (channels as its index) got "the time index holds text ... pd.to_datetime(X.index)",
    a fix that cannot work."""
    X = readings(200).assign(vib=lambda f: np.cos(np.arange(200) / 3))
    detector = RNNAnomalyDetector(**TINY).fit(X)
    with pytest.raises(
        TypeError, match=r"pd.Series indexed by channel names \(\['temp', 'vib'\]\).*X.iloc\[\[-1\]\]"
    ):
        detector.predict(X.iloc[-1])
    whole = detector.transform_scores(X)["scores"]
    assert detector.transform_scores(X.iloc[[-1]])["scores"].index.equals(whole.index[-1:])  # the fix


@pytest.mark.parametrize("horizon", [3, 6])
def test_forecast_scoring_scores_a_piece_shorter_than_window_and_horizon(horizon):
    """Found by a probe: with window_length=12 and horizon=6, pieces of 15 and 16 steps (a short
    series, or the stretch between two outages) failed with numpy's 'operands could not be broadcast';
    a piece scores every step from the window_length_-th on."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"a": np.sin(np.arange(400) / 5) + 0.1 * rng.normal(size=400)},
        index=pd.date_range("2024-01-01", periods=400, freq="h"),
    )
    fitted = RNNAnomalyDetector(
        window_length=12, horizon=horizon, scoring="forecast", max_epochs=2, random_state=0
    ).fit(data)
    for n in range(13, 20):
        scores = fitted.transform_scores(data.iloc[:n])["scores"].to_numpy()
        assert np.isnan(scores[:12]).all() and np.isfinite(scores[12:]).all()
    between = data.copy()
    between.iloc[100:130] = np.nan
    between.iloc[145:175] = np.nan  # 15 steps between two outages
    scores = fitted.transform_scores(between)["scores"].to_numpy()
    assert np.isfinite(scores[142:145]).all() and np.isnan(scores[130:142]).all()


@pytest.mark.parametrize(
    "params", [{"smoothing": 10}, {"threshold": "dynamic"}], ids=["smoothing", "dynamic"]
)
def test_smoothing_and_the_dynamic_threshold_start_again_after_an_outage(params):
    """Found by a probe: a fault just before 30 minutes without data carried over the outage through
    the smoothing (scores 0.59 higher, 8 normal steps flagged after it) and the dynamic threshold's
    trailing window, where the side after an outage is documented as scored as a series of its own."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"a": np.sin(np.arange(900) / 5) + 0.1 * rng.normal(size=900)},
        index=pd.date_range("2024-01-01", periods=900, freq="min"),
    )
    train, new = data.iloc[:600], data.iloc[600:].copy()
    new.iloc[90:100, 0] += 3  # a fault, then the sensor is off
    new.iloc[100:130] = np.nan
    fitted = RNNAnomalyDetector(
        window_length=6, scoring="forecast", max_epochs=3, random_state=0, **params
    ).fit(train)
    whole = fitted.transform_scores(new)["scores"].to_numpy()
    alone = fitted.transform_scores(new.iloc[130:])["scores"].to_numpy()
    np.testing.assert_allclose(whole[130:], alone, rtol=1e-12, equal_nan=True)
    assert np.isfinite(whole[136:]).all() and whole[90:100].max() > np.nanmax(whole[130:])


def test_a_smoothed_stream_after_an_outage_scores_as_the_whole_series():
    """Found by a probe: chunks of 150 steps with 25 steps off in the first gave scores up to 1.40 from
    the whole series' after the outage: the stream kept the outage's last steps, read them as a short
    gap carried forward (forecasts from windows across the outage), and its smoothing past was the
    last positions, all without a score."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"a": np.sin(np.arange(900) / 5) + 0.1 * rng.normal(size=900)},
        index=pd.date_range("2024-01-01", periods=900, freq="min"),
    )
    train, new = data.iloc[:600], data.iloc[600:].copy()
    new.iloc[90:100, 0] += 3
    new.iloc[100:125] = np.nan
    fitted = RNNAnomalyDetector(
        window_length=30, scoring="forecast", smoothing=3, max_epochs=3, random_state=0
    ).fit(train)
    whole = fitted.transform_scores(new)["scores"].to_numpy()
    streamed = []
    for a, b in [(0, 150), (150, 300)]:
        streamed.append(fitted.transform_scores(new.iloc[a:b])["scores"].to_numpy())
        fitted.update(new.iloc[a:b])
    np.testing.assert_allclose(np.concatenate(streamed), whole, rtol=1e-5, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("jitter", [False, True], ids=["irregular", "jitter"])
def test_a_stream_of_one_reading_at_a_time_does_not_continue_across_a_gap(jitter):
    """Found by a probe: each one-row update kept one time point, which tells no spacing, so any later
    reading continued the stream: a reading 33 hours after vitals taken every 15-25 minutes (or 100
    minutes after minute stamps with jitter) was scored from the window before the gap."""
    rng = np.random.default_rng(0)
    if jitter:
        minutes = np.arange(400) + rng.uniform(-5, 5, 400) / 60
    else:
        minutes = np.cumsum(rng.uniform(15, 25, 400)).round()
    times = pd.DatetimeIndex(pd.Timestamp("2024-01-01") + pd.to_timedelta(minutes, unit="min"))
    data = pd.DataFrame({"hr": np.sin(np.arange(400) / 5) + 0.1 * rng.normal(size=400)}, index=times)
    late = data.iloc[[399]].set_axis([data.index[299] + pd.Timedelta(hours=33 if not jitter else 100 / 60)])
    near = data.iloc[[300]]
    for one_at_a_time in (False, True):
        fitted = RNNAnomalyDetector(window_length=6, scoring="forecast", max_epochs=2, random_state=0)
        fitted.fit(data.iloc[:250])
        if one_at_a_time:
            for i in range(250, 300):
                fitted.update(data.iloc[[i]])
        else:
            fitted.update(data.iloc[250:300])
        assert np.isnan(fitted.transform_scores(late)["scores"]).all()
        assert np.isfinite(fitted.transform_scores(near)["scores"]).all()  # the next reading continues


def test_an_index_of_python_dates_is_refused_with_the_fix():
    """df['day'] = df['ts'].dt.date, then set_index('day'): sktime refused it with a page-long list of
    formats that never named the index."""
    frame = pd.DataFrame({"ts": pd.date_range("2024-01-01", periods=200, freq="D")})
    frame["load"] = np.sin(np.arange(200) / 5)
    frame["day"] = frame["ts"].dt.date
    with pytest.raises(TypeError, match=r"dates as Python objects .* X.index = pd.to_datetime\(X.index\)"):
        RNNAnomalyDetector(**TINY).fit(frame.set_index("day")[["load"]])


@pytest.mark.parametrize("layout", ["numpy3D", "pd-multiindex"])
def test_predict_points_and_segments_of_a_panel_are_predict_s(layout):
    """Found by probes: sktime's predict_points and predict_segments check X as one series first. A
    numpy3D panel's 3 instances of 100 steps were read as 3 steps of 100 channels (refused as 100
    columns); a pd-multiindex panel of runs, as users build it from a long table, was refused inside
    sktime (NotImplementedError: MultiIndex is not supported) while predict read it."""
    rng = np.random.default_rng(0)
    runs = np.sin(np.arange(100) / 4)[None, None, :] + 0.1 * rng.normal(size=(3, 1, 100))
    faulty = runs.copy()
    faulty[1, 0, 40:44] += 3.0  # an event in the second run, a spike in the third
    faulty[2, 0, 70] -= 4.0
    if layout == "pd-multiindex":
        long = pd.DataFrame(
            {"run": np.repeat(["a", "b", "c"], 100), "t": np.tile(np.arange(100), 3), "x": runs.ravel()}
        )
        runs = long.set_index(["run", "t"])
        faulty = runs.assign(x=faulty.ravel())
    fitted = RNNAnomalyDetector(**TINY).fit(runs)
    points = fitted.predict(faulty)
    assert {140, 270} <= set(points["ilocs"])  # rows counted over the panel
    pd.testing.assert_frame_equal(fitted.predict_points(faulty), points)
    segments = RNNAnomalyDetector(mode="segments", **TINY).fit(runs)
    events = segments.predict(faulty)
    pd.testing.assert_frame_equal(segments.predict_segments(faulty), events)
    starts = pd.DataFrame({"ilocs": [interval.left for interval in events["ilocs"]]})
    pd.testing.assert_frame_equal(segments.predict_points(faulty), starts)
    # points mode: sktime's segments between the points, within each run (none spans rows 100 or 200;
    # the runs with a point, the second and the third, start at theirs and end at theirs)
    between = fitted.predict_segments(faulty)["ilocs"]
    assert not any(i.left < edge < i.right for i in between for edge in (100, 200))
    assert {100, 200} <= {i.left for i in between} and {200, 300} <= {i.right for i in between}
    if layout == "pd-multiindex":  # rows in time order, the runs interleaved: each segment in one run
        interleaved = faulty.sort_index(level="t", sort_remaining=False)
        run = interleaved.index.get_level_values("run").to_numpy()
        pieces = fitted.predict_segments(interleaved)["ilocs"]
        assert all(len(set(run[i.left : i.right])) == 1 for i in pieces)
        covered = {r for i in pieces for r in range(i.left, i.right)}
        assert covered == set(np.flatnonzero(run != "a"))  # every row of the runs with a point, alone


def test_twenty_steps_without_a_score_under_the_dynamic_threshold_are_nan_not_an_error():
    """Found by a review: a chunk of 20 or more steps none of which has a score (a window of 25 under
    forecast scoring, or a chunk within an outage) raised IndexError under the dynamic threshold."""
    data = readings(300).set_axis(pd.date_range("2024-01-01", periods=300, freq="h"))
    fitted = RNNAnomalyDetector(
        window_length=25, scoring="forecast", threshold="dynamic", hidden_size=8, max_epochs=2, random_state=0
    ).fit(data.iloc[:200])
    assert np.isnan(fitted.transform_scores(data.iloc[200:222])["scores"]).all()
    assert np.isnan(fitted.transform_scores(data.iloc[200:230] * np.nan)["scores"]).all()
    for i in range(200, 230):  # one row at a time
        fitted.update(data.iloc[[i]])


@pytest.mark.parametrize("params", [{"smoothing": 10}, {"threshold": "dynamic", "threshold_window": 30}, {}])
def test_streams_through_an_outage_in_chunks_of_every_size_score_as_the_whole_series(params):
    """Found by a review: kept steps that began exactly at an outage's first step (or a stream of one
    row at a time through any outage) read it as a short gap carried forward; and a stream whose past
    ended in an outage smoothed its next chunk from nothing, where the whole series starts again from
    the typical past. With forecast scoring every chunking gives the whole series' scores."""
    rng = np.random.default_rng(0)
    data = pd.DataFrame(
        {"a": np.sin(np.arange(700) / 5) + 0.1 * rng.normal(size=700)},
        index=pd.date_range("2024-01-01", periods=700, freq="min"),
    )
    train, new = data.iloc[:500], data.iloc[500:].copy()
    new.iloc[40:45, 0] += 3  # a fault just before the first outage
    for a, b in [(50, 75), (150, 170)]:
        new.iloc[a:b] = np.nan
    fitted = RNNAnomalyDetector(
        window_length=6, scoring="forecast", hidden_size=8, max_epochs=2, random_state=0, **params
    ).fit(train)
    whole = fitted.transform_scores(new)["scores"].to_numpy()
    for bounds in ([0, 150 + 8, 200], [0, 60, 160, 200], list(range(0, 200, 7)) + [200], list(range(201))):
        fitted._context = None  # a new stream
        streamed = []
        for a, b in zip(bounds[:-1], bounds[1:], strict=True):
            streamed.append(fitted.transform_scores(new.iloc[a:b])["scores"].to_numpy())
            fitted.update(new.iloc[a:b])
        np.testing.assert_allclose(
            np.concatenate(streamed), whole[:200], rtol=1e-6, atol=1e-9, equal_nan=True
        )


def test_a_refit_scores_a_series_with_an_outage_as_a_first_fit_does():
    """The steps after an outage are smoothed after the typical past of the fitted detector; fit's own
    calibration must not read that of an earlier fit."""
    data = readings(400).set_axis(pd.date_range("2024-01-01", periods=400, freq="h"))
    data.iloc[150:180] = np.nan
    first = RNNAnomalyDetector(smoothing=5, **TINY).fit(data)
    again = RNNAnomalyDetector(smoothing=5, **TINY).fit(readings(300)).fit(data)
    assert again.threshold_ == first.threshold_
    pd.testing.assert_frame_equal(again.transform_scores(data), first.transform_scores(data))


def test_a_move_of_a_channel_constant_in_fit_scores_alike_in_any_unit():
    """Found by a probe: a channel constant in fit was scaled by 1, so the same 20% jump of a set point
    scored 1.1 (not flagged) recorded in volts, 23 in millivolts and 23,000 in microvolts. It is read
    relative to its level now: the scores and flags are the same in every unit."""
    rng = np.random.default_rng(0)
    t = np.arange(1500)
    normal = pd.DataFrame({"s": np.sin(t / 10) + 0.1 * rng.normal(size=1500), "c": 5.0})
    results = []
    for unit in (1e-3, 1.0, 1e3):
        X = normal.assign(c=normal["c"] * unit)
        fitted = RNNAnomalyDetector(window_length=16, hidden_size=8, max_epochs=3, random_state=0).fit(X)
        new = X.copy()
        new.loc[1000:, "c"] = 6.0 * unit
        results.append(
            (fitted.transform_scores(new)["scores"].to_numpy(), fitted.predict(new)["ilocs"].tolist())
        )
    for scores, flags in results[1:]:
        np.testing.assert_allclose(scores, results[0][0], rtol=1e-4)
        assert flags == results[0][1]
    assert any(990 <= i <= 1010 for i in results[0][1])  # the jump is found


def test_a_move_beyond_float32_of_a_channel_constant_at_a_tiny_level_is_flagged_not_nan():
    """Found by a review of the fix above: a channel constant at 1e-300, scaled by its level, read a
    later 1.0 as inf in float32, and every later step of every channel scored NaN, never flagged.
    Standardised values are read as at most 1e6 typical spreads from the level."""
    rng = np.random.default_rng(0)
    t = np.arange(600)
    X = pd.DataFrame({"s": np.sin(t / 10) + 0.1 * rng.normal(size=600), "c": 1e-300})
    fitted = RNNAnomalyDetector(window_length=16, hidden_size=8, max_epochs=2, random_state=0).fit(X)
    new = X.copy()
    new.loc[400:, "c"] = 1.0
    scores = fitted.transform_scores(new)["scores"].to_numpy()
    assert np.isfinite(scores).all() and scores[395:405].max() > 1e3 * fitted.threshold_
    assert any(395 <= i <= 405 for i in fitted.predict(new)["ilocs"])  # the jump (read as a shape)


def _sensor(n=800, freq="5min", seed=0):
    """A sensor read every ``freq``, dates in a column made the index, as a historian exports it."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "time": pd.date_range("2024-01-01", periods=n, freq=freq),
            "temperature": np.sin(np.arange(n) / 6) + 0.1 * rng.normal(size=n),
        }
    )
    return table.set_index("time")


@pytest.mark.parametrize("resent", [slice(690, 700), slice(650, 660)], ids=["retried", "late"])
def test_a_chunk_the_stream_has_read_warns_that_the_stream_restarts(resent):
    """A retried or late chunk was read as a new series without a word: the next chunk in order then
    read no past, and its first steps went unscored (a fault one step in was missed)."""
    X = _sensor()
    detector = RNNAnomalyDetector(**TINY).fit(X.iloc[:600])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # chunks in order: no warning
        detector.update(X.iloc[600:650]).update(X.iloc[650:700])
    with pytest.warns(UserWarning, match=r"re-sent, overlapping or late chunk.*X\[X.index > last\]"):
        detector.update(X.iloc[resent])


def test_a_series_sampled_at_another_step_than_fits_is_refused_with_the_fix():
    """10-minute data scored by a detector fitted on 5-minute data had a fifth to a half of its normal
    steps flagged: its windows span twice the time the network learned."""
    detector = RNNAnomalyDetector(**TINY).fit(_sensor(600))
    coarser = _sensor(200, freq="10min", seed=1)
    refusal = r"time points 0 days 00:10:00 apart on average.*step by '5min' \(index_freq_\).*resample"
    with pytest.raises(ValueError, match=refusal):
        detector.predict(coarser)
    with pytest.raises(ValueError, match=refusal):
        detector.update(coarser)
    fixed = coarser.resample("5min").mean().interpolate()
    assert detector.transform_scores(fixed).notna().all().all()
    detector.predict(_sensor(200, seed=1).to_numpy())  # an array's rows are positions: not compared
    stream = _sensor(1000, seed=1)
    # a historian's jitter of up to half a step either way, and a clock that runs 0.1 s a step slow
    stream.index += pd.to_timedelta(np.random.default_rng(0).integers(-150, 150, 1000), unit="s")
    stream.index += pd.to_timedelta(np.arange(1000) * 0.1, unit="s")
    detector.predict(stream)
    for start in range(0, 60, 4):
        detector.update(stream.iloc[start : start + 4])  # chunks of 4 rows, the fewest checked


def test_periods_and_a_panels_series_sampled_at_another_step_are_refused_too():
    """Found by a probe: the same 10-minute data was scored in silence (two thirds of its normal steps
    flagged) on a PeriodIndex of 5-minute periods, where index_freq_ was None, and as one series of a
    pd-multiindex panel (machines in a long table) beside 5-minute ones."""
    five, ten = _sensor(600), _sensor(200, freq="10min", seed=1)
    refusal = r"time points 0 days 00:10:00 apart on average.*step by '5min' \(index_freq_\).*resample"
    periods = RNNAnomalyDetector(**TINY).fit(five.to_period("5min"))
    assert periods.index_freq_ == "5min"
    with pytest.raises(ValueError, match=refusal):
        periods.predict(ten.to_period("10min"))
    assert periods.transform(_sensor(200, seed=1).to_period("5min")).notna().all().all()
    detector = RNNAnomalyDetector(**TINY).fit(five)
    machines = pd.concat({"press": _sensor(200, seed=2), "lathe": ten}, names=["machine", "time"])
    with pytest.raises(ValueError, match=r"apart on average \(series 'lathe'\).*step by '5min'"):
        detector.transform(machines)
    fixed = machines.drop(index="lathe", level="machine")
    assert detector.transform(fixed).notna().all().all()
    fleet = RNNAnomalyDetector(**TINY).fit(pd.concat({"press": five, "mill": _sensor(300, seed=4)}))
    assert fleet.index_freq_ == "5min"  # fitted on a panel: the step its machines share
    with pytest.raises(ValueError, match=r"apart on average \(series 'lathe'\).*step by '5min'"):
        fleet.transform(machines)
    mixed = pd.concat({"press": five, "lathe": ten})
    assert RNNAnomalyDetector(**TINY).fit(mixed).index_freq_ is None  # no one step: nothing to refuse
    hourly = RNNAnomalyDetector(**TINY).fit(five.to_period("h").iloc[::12])  # hourly periods: a duration
    assert hourly.index_freq_ == "h"
    minutes = RNNAnomalyDetector(**TINY).fit(five.to_period("min"))  # 5 minutes apart: their step
    assert minutes.index_freq_ == "5min" and minutes.transform(five.to_period("min")).notna().all().all()
    later = _sensor(60, seed=3).set_axis(pd.date_range(five.index[-1], periods=61, freq="5min")[1:])
    dates = copy.deepcopy(detector).update(later.iloc[:40])  # a stream goes on 5 minutes later, as dates do
    periods = minutes.update(later.iloc[:40].to_period("min"))
    assert periods._context_for(later.iloc[40:].to_period("min")) is not None
    days = RNNAnomalyDetector(**TINY).fit(_sensor(300, freq="D"))  # a stream of days, as periods
    follow = _sensor(360, freq="D", seed=3).iloc[300:].to_period("D")
    assert days.update(follow.iloc[:30])._context_for(follow.iloc[30:]) is not None
    np.testing.assert_allclose(
        periods.transform_scores(later.iloc[40:].to_period("min")).to_numpy(),
        dates.transform_scores(later.iloc[40:]).to_numpy(),
    )
    daily = RNNAnomalyDetector(**TINY).fit(
        pd.DataFrame({"x": np.arange(100.0)}, index=pd.period_range("2020-01-01", periods=100, freq="D"))
    )
    assert daily.index_freq_ is None  # days step by the calendar, as they did


def test_business_day_chunks_of_a_few_rows_continue_a_business_day_stream():
    """pandas reads three weekdays in a row as daily data; a first version of the step check
    compared that with fit's business days and refused 60% of 3-row chunks."""
    rng = np.random.default_rng(0)
    index = pd.bdate_range("2024-01-01", periods=400)
    X = pd.DataFrame({"price": np.sin(np.arange(400) / 5) + 0.1 * rng.normal(size=400)}, index=index)
    detector = RNNAnomalyDetector(**TINY).fit(X.iloc[:300])
    for start in range(300, 400, 3):
        detector.update_predict(X.iloc[start : start + 3])


def test_a_missing_time_point_is_refused_with_a_fix_that_works(detector):
    """A date that did not parse (errors="coerce") was refused as out of order, and the fix given,
    X.sort_index(), gave the same refusal again."""
    data = readings(60).set_axis(pd.date_range("2024-01-01", periods=60, freq="h"))
    garbled = data.set_axis(data.index.where(np.arange(60) != 59, pd.NaT))  # a log's cut last line
    shuffled = garbled.iloc[::-1]  # NaT first, where sorting leaves it
    for call in (detector.transform_scores, RNNAnomalyDetector(**TINY).fit):
        for X in (garbled, garbled.sort_index(), shuffled):
            with pytest.raises(
                ValueError, match=r"1 missing time point\(s\) \(NaT.*X\[X.index.get_level_values"
            ):
                call(X)
    fixed = garbled[garbled.index.get_level_values(-1).notna()]
    assert len(detector.transform_scores(fixed)) == 59


def test_one_reading_of_a_one_channel_detector_as_a_row_series_gets_the_one_row_frame_fix():
    """A one-channel detector given X.iloc[-1] was told to parse its index (the channel's name) as
    dates."""
    X = readings(200).set_axis(pd.date_range("2024-01-01", periods=200, freq="h"))
    detector = RNNAnomalyDetector(**TINY).fit(X)
    with pytest.raises(TypeError, match=r"indexed by channel names \(\['temp'\]\).*X.iloc\[\[-1\]\]"):
        detector.predict(X.iloc[-1])
    assert len(detector.transform_scores(X.iloc[[-1]])) == 1


def test_known_anomalies_covering_the_held_out_steps_are_named_with_fixes_that_work():
    """Known anomalies over the latest fifth of X (the held-out steps) got an error blaming the window
    and the series' length; y marking every step, "channels hold no value (all NaN)"."""
    X = readings(500)
    params = {**TINY, "window_length": 20}
    with pytest.raises(
        ValueError, match=r"y marks 100 as known anomalies, never scored.*X.iloc\[:400\], with y=None"
    ):
        RNNAnomalyDetector(**params).fit(X, np.arange(400, 500))
    with pytest.raises(ValueError, match=r"y marks every step of X \(500\) as a known anomaly"):
        RNNAnomalyDetector(**params).fit(X, np.arange(500))
    RNNAnomalyDetector(**params, calibration_fraction=0.3).fit(X, np.arange(400, 500))  # the fixes
    RNNAnomalyDetector(**params).fit(X.iloc[:400])
    with pytest.raises(ValueError, match=r"X.iloc\[:400\], with y holding the 1 before step 400"):
        RNNAnomalyDetector(**params).fit(X, np.r_[5, np.arange(400, 500)])  # one earlier anomaly too
    RNNAnomalyDetector(**params).fit(X.iloc[:400], [5])  # its fix


def _plant_hours(start_hour: int, end_hour: int, weeks: int = 4, tz: str | None = None) -> pd.DatetimeIndex:
    hours = pd.date_range("2024-03-04", periods=24 * 7 * weeks, freq="h", tz=tz)
    return hours[(hours.hour >= start_hour) & (hours.hour < end_hour) & (hours.dayofweek < 5)]


@pytest.mark.parametrize(
    "index",
    [_plant_hours(8, 18), _plant_hours(0, 24), _plant_hours(6, 22, tz="Europe/Berlin")],
    ids=["8-18h-weekdays", "24h-weekdays", "6-22h-weekdays-across-DST"],
)
def test_a_plant_schedule_is_read_as_it_is_and_a_lost_weekday_is_refused(index):
    """The anomaly page says a schedule (nights, weekends) is not a loss; at ten readings a day or more
    the index made a grid, refused at the first night ("skips time points ... reindex"), where 8 to 17
    h was read as it is."""
    X = pd.DataFrame({"load": np.sin(2 * np.pi * index.hour / 24)}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "readings lost" either
        detector = RNNAnomalyDetector(**TINY, calibration_fraction=0.5).fit(X)
    assert detector.transform_scores(X).index.equals(X.index)
    wednesday = X.index.normalize() == X.index.normalize()[0] + pd.Timedelta(days=9)  # weeks read it
    hole = np.flatnonzero(wednesday)
    with pytest.raises(
        ValueError,
        match=re.escape(f"skips time points: {X.index[hole[0] - 1]} is followed by {X.index[hole[-1] + 1]}"),
    ):
        detector.transform_scores(X[~wednesday])


def test_one_night_lost_from_a_series_read_day_and_night_is_refused():
    """A time of day never read counts as the schedule's only where it is skipped on two days or more:
    one night lost from two days read around the clock (its hours read on no other day) was read as
    a schedule's night otherwise."""
    hours = pd.date_range("2024-03-04 08:00", periods=37, freq="h")
    night = (hours > "2024-03-04 20:00") & (hours < "2024-03-05 06:00")
    X = pd.DataFrame({"load": np.sin(np.arange(37) / 4)}, index=hours)
    with pytest.raises(ValueError, match=r"2024-03-04 20:00:00 is followed by 2024-03-05 06:00:00"):
        RNNAnomalyDetector(**TINY).fit(X[~night])


def test_a_whole_day_lost_from_a_short_series_read_around_the_clock_is_refused():
    """Under two weeks a series cannot show its own week: a day without readings was read as a
    schedule's (a weekend's) whatever its weekday, and a lost Friday's neighbours as consecutive
    steps (a review found it). Only a Saturday or Sunday without readings is, there."""
    hours = pd.date_range("2024-01-01", periods=24 * 10, freq="h")  # Monday to the next Wednesday
    X = pd.DataFrame({"load": np.sin(np.arange(len(hours)) / 4)}, index=hours)
    friday = hours.normalize() == pd.Timestamp("2024-01-05")
    with pytest.raises(ValueError, match=r"2024-01-04 23:00:00 is followed by 2024-01-06 00:00:00"):
        RNNAnomalyDetector(**TINY).fit(X[~friday])
    weekend = hours.normalize().isin(pd.to_datetime(["2024-01-06", "2024-01-07"]))
    RNNAnomalyDetector(**TINY).fit(X[~weekend])  # a weekend without readings: the schedule's


def machines_exported(n: int = 120, machine: str = "text") -> pd.DataFrame:
    """Three machines' readings in one exported table: a timestamp and a machine column, in time order."""
    parts = []
    for m in range(3):
        part = readings(n, seed=m)
        part["timestamp"] = pd.date_range("2024-01-01", periods=n, freq="10min")
        part["machine"] = f"M{m}" if machine == "text" else m
        parts.append(part)
    return pd.concat(parts, ignore_index=True).sort_values(["timestamp", "machine"], kind="stable")


@pytest.mark.parametrize("machine", ["text", "integer"])
def test_a_panel_indexed_time_then_machine_is_refused_or_warned_with_a_fix_that_works(machine):
    """Indexed (timestamp, machine), integer ids were read as each timestamp's 3 time points (the only
    warning: no series long enough for the window); text ids were told to parse them as dates."""
    table = machines_exported(machine=machine)
    X = table.set_index(["timestamp", "machine"]).sort_index()
    pattern = r"time level last: X = X.reorder_levels\(\[1, 0\]\).sort_index\(\)"
    if machine == "text":
        with pytest.raises(TypeError, match=r"level 1 \('machine'\), which holds no time points.*" + pattern):
            RNNAnomalyDetector(**TINY).fit(X)
    else:  # numbers may be steps of runs keyed by their start: warned, with both readings
        with pytest.warns(UserWarning, match=r"times in level 0 \('timestamp'\).*" + pattern) as record:
            RNNAnomalyDetector(**TINY).fit(X)
        assert any("runs keyed by their start" in str(w.message) for w in record)
    fixed = X.reorder_levels([1, 0]).sort_index()  # the message's fix, as written
    pd.testing.assert_frame_equal(fixed, table.set_index(["machine", "timestamp"]).sort_index())
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*times in level", category=UserWarning)
        fitted = RNNAnomalyDetector(**TINY).fit(fixed)
    faulty = fixed.copy()
    planted = faulty.index.get_loc((faulty.index.levels[0][1], pd.Timestamp("2024-01-01 12:00")))
    faulty.iloc[planted, 0] += 10
    assert int(np.argmax(fitted.transform_scores(faulty)["scores"].to_numpy())) == planted


def test_runs_keyed_by_their_start_time_fit_with_a_warning_the_labels_fix_silences():
    """Batch runs named by when they started, their steps counted: the times name the series here, as
    before; fit says how it read them."""
    starts = pd.to_datetime(["2024-03-01 06:00", "2024-03-02 06:00", "2024-03-03 06:00"])
    index = pd.MultiIndex.from_product([starts, range(120)], names=["run_start", "step"])
    X = pd.concat([readings(120, seed=s) for s in range(3)]).set_axis(index)
    with pytest.warns(UserWarning, match=r"runs keyed by their start") as record:
        fitted = RNNAnomalyDetector(**TINY).fit(X)
    assert fitted.transform(X).shape == (360, 1)  # read as before: three runs of 120 steps
    message = next(str(w.message) for w in record if "runs keyed" in str(w.message))
    labelled = X.copy()
    exec(re.search(r"make them labels: (X.index = .*)\.$", message)[1], {"X": labelled})
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*times in level", category=UserWarning)
        relabelled = RNNAnomalyDetector(**TINY).fit(labelled)
    np.testing.assert_array_equal(
        relabelled.transform_scores(labelled).to_numpy(), fitted.transform_scores(X).to_numpy()
    )


def test_machines_stacked_under_a_time_index_are_told_the_series_level_fix():
    """The repeated-time message said to drop or average the repeats: that would blend the machines."""
    X = machines_exported().set_index("timestamp")
    with pytest.raises(
        ValueError, match=r"several series stacked.*X = X.set_index\(id_column, append=True\).swaplevel\(\)"
    ):
        RNNAnomalyDetector(**TINY).fit(X)
    fixed = X.set_index("machine", append=True).swaplevel().sort_index()  # the fix, id_column="machine"
    assert RNNAnomalyDetector(**TINY).fit(fixed).transform(fixed).shape == (360, 1)
    one = X[X["machine"] == "M0"]  # one machine, its id column kept: the text message names the same fix
    with pytest.raises(TypeError, match=r"holds text.*X = X.set_index\('machine', append=True\)"):
        RNNAnomalyDetector(**TINY).fit(one)


def test_a_column_name_twice_is_refused_naming_it():
    """sktime's error ran to a page, 'Unsupported input data type', naming no column."""
    X = readings(200).assign(vib=0.0).set_axis(["temp", "temp"], axis=1)
    with pytest.raises(
        ValueError, match=r"column 'temp' more than once.*X.loc\[:, ~X.columns.duplicated\(\)\]"
    ):
        RNNAnomalyDetector(**TINY).fit(X)


def test_smoothed_scores_count_as_fewer_against_the_rate():
    """A probe's fresh normal rate at contamination=0.05 with 400 held-out steps: 5.2-5.7% unsmoothed,
    1.8-11.4% with smoothing=20 (n / smoothing = 20 scores): smoothed scores move together."""
    params = {**TINY, "contamination": 0.05}
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        plain = RNNAnomalyDetector(**params).fit(readings(300))  # 60 scores, 19 needed
    assert plain.n_calibration_scores_ == 60
    with pytest.warns(
        UserWarning, match=r"smoothed over a span of 4: .* about n / smoothing = 15 independent .* needs 19"
    ):
        RNNAnomalyDetector(**{**params, "smoothing": 4}).fit(readings(300))


def test_steps_beside_single_lost_readings_are_flagged_no_more_than_others():
    """The step before a lost reading is held by one clean window, as a sequence's last step: scored
    without the edge factor, it was flagged at 55% of 40 holes (0% without the holes)."""
    rng = np.random.default_rng(0)
    t = np.arange(8000)
    data = pd.DataFrame({"temp": np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(len(t))})
    detector = RNNAnomalyDetector(window_length=12, hidden_size=8, max_epochs=5, random_state=0)
    detector.fit(data.iloc[:3000])
    fresh = data.iloc[3000:].reset_index(drop=True)
    holes = np.arange(100, 5000, 125)
    gappy = fresh.copy()
    gappy.iloc[holes] = np.nan
    labels = detector.transform(gappy)["labels"].to_numpy()
    beside = (holes[:, None] + np.r_[-11:0, 1:12]).ravel()  # the steps whose clean windows are fewer
    assert labels[holes].sum() == 0
    assert labels[holes - 1].mean() <= 0.05
    assert labels[beside].mean() <= 3 * detector.contamination
    assert labels.mean() <= 2 * detector.transform(fresh)["labels"].to_numpy().mean() + 0.002


@pytest.mark.parametrize("scoring", ["forecast", "reconstruction"])
@pytest.mark.parametrize("index", ["minutes", "periods", "integers"])
def test_a_chunk_after_a_few_lost_readings_continues_the_stream_across_them(scoring, index):
    """A chunk starting 5 readings after the stream's end was read as a new series: its first
    window_length_ steps went unscored with forecasting, without a word. It reads as the stream with
    the lost readings as a gap, as the same chunk given with them as rows without a value does."""
    data = readings(420)
    data.index = {
        "minutes": pd.DatetimeIndex(list(pd.date_range("2024-01-01", periods=420, freq="min"))),  # no freq
        "periods": pd.period_range("2024-01-01", periods=420, freq="D"),
        "integers": pd.RangeIndex(1000, 1000 + 5 * 420, 5),
    }[index]
    streamed = RNNAnomalyDetector(**TINY, scoring=scoring, smoothing=3).fit(data.iloc[:200])
    filled = copy.deepcopy(streamed)
    for detector in (streamed, filled):
        detector.update(data.iloc[200:300])
    chunk, with_gap = data.iloc[305:360], data.iloc[300:360].copy()
    with_gap.iloc[:5] = np.nan  # the documented fix: the lost readings as rows without a value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no restart warning either
        scores = streamed.transform_scores(chunk)
    expected = filled.transform_scores(with_gap).iloc[5:]
    pd.testing.assert_frame_equal(scores, expected)
    assert scores["scores"].notna().all()
    streamed.update(chunk)
    filled.update(with_gap)
    after = data.iloc[360:]
    pd.testing.assert_frame_equal(streamed.transform_scores(after), filled.transform_scores(after))
    # as many lost as an outage: a new series, as before
    restarted = copy.deepcopy(streamed).transform_scores(data.iloc[360 + 20 :])
    assert restarted["scores"].isna().sum() == (streamed.window_length_ if scoring == "forecast" else 0)


def test_rows_without_a_value_at_a_series_ends_leave_its_real_steps_scores_as_they_are():
    """A few NaN rows before a series' first reading (or after its last, or one channel starting late)
    leave its real steps held by the same windows: their misses were divided by the edge factor of
    their place and again by that of the gap (0.70 and 0.77 of the scores without the rows)."""
    rng = np.random.default_rng(0)
    t = np.arange(600)
    data = pd.DataFrame(
        {f"c{i}": np.sin(2 * np.pi * t / 20 + i) + 0.1 * rng.standard_normal(len(t)) for i in range(2)}
    )
    detector = RNNAnomalyDetector(**TINY).fit(data.iloc[:400])
    assert detector.start_scale_ is not None
    body = data.iloc[400:].reset_index(drop=True)
    # (the network's float32 outputs move by 1e-7 with the batches its windows fall in)
    plain = detector.transform_scores(body)["scores"].to_numpy()
    rows = pd.DataFrame(np.nan, index=range(3), columns=body.columns)
    leading = detector.transform_scores(pd.concat([rows, body], ignore_index=True))["scores"].to_numpy()
    trailing = detector.transform_scores(pd.concat([body, rows], ignore_index=True))["scores"].to_numpy()
    np.testing.assert_allclose(leading[3:], plain, rtol=1e-6)
    np.testing.assert_allclose(trailing[:-3], plain, rtol=1e-6)
    late = pd.concat([rows.assign(c0=data["c0"].iloc[397:400].to_numpy()), body], ignore_index=True)
    np.testing.assert_allclose(detector.transform_scores(late)["scores"].to_numpy()[3:], plain, rtol=1e-6)


def test_one_reading_at_a_time_across_a_lost_one_scores_as_the_whole_series():
    """After a one-row chunk that followed a lost reading, the stream's last two time points were the
    reading before the loss and that chunk's, twice the step apart: the next reading, on time, was
    read as a new series (unscored with forecasting) without a word."""
    data = readings(400)
    data.index = pd.RangeIndex(0, 5 * 400, 5)
    streamed = RNNAnomalyDetector(**TINY, scoring="forecast").fit(data.iloc[:200])
    whole = copy.deepcopy(streamed)
    streamed.update(data.iloc[200:240])
    got = []
    for i in range(241, 260):  # reading 240 lost
        got.append(float(streamed.transform_scores(data.iloc[[i]])["scores"].iloc[0]))
        streamed.update(data.iloc[[i]])
    with_gap = data.iloc[200:260].copy()
    with_gap.iloc[40] = np.nan
    expected = whole.transform_scores(with_gap)["scores"].to_numpy()[41:]
    np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("lost", [0, 1])
def test_a_new_chunks_steps_before_its_first_flag_join_the_event_open_at_the_streams_end(lost):
    """With merge_gap, the steps of a new chunk between the open event's last flag and the chunk's
    first one were left unflagged (the whole series flags them): the carried event only lowered
    the bar its peak had to reach."""
    data = readings(700)
    data.index = pd.date_range("2024-01-01", periods=700, freq="min")
    detector = RNNAnomalyDetector(**TINY, scoring="forecast", merge_gap=8, event_peak=2.0).fit(
        data.iloc[:300]
    )
    detector.update(data.iloc[250:300])
    series = data.iloc[300:500].copy()
    series.iloc[97, 0] += 4.0  # a fault before the chunks' boundary, smaller misses after it
    for k in (1, 3, 5):  # 1.3-1.4 times the threshold, under event_peak's 2.05 alone
        series.iloc[100 + lost + k, 0] += 1.2
    series.iloc[100 : 100 + lost] = np.nan
    whole = copy.deepcopy(detector).predict(series)["ilocs"].to_numpy()
    assert {97, 103 + lost} <= set(whole) and (100 + lost) in whole  # merged in the whole series
    first = detector.update_predict(series.iloc[:100])["ilocs"].to_numpy()
    second = detector.update_predict(series.iloc[100 + lost :])["ilocs"].to_numpy() + 100 + lost
    np.testing.assert_array_equal(second, whole[whole >= 100])
    # the first chunk's last steps were returned before the later flags arrived
    np.testing.assert_array_equal(first, whole[whole <= 97])


def test_rows_of_a_panel_without_a_machine_id_are_refused_with_a_fix_that_works():
    """Rows whose series key was not logged (NaN) were left out of training and scored NaN, never
    flagged: a spike of 50 on them raised nothing, without a word."""
    dates = pd.date_range("2024-03-01", periods=60, freq="h")
    log = pd.concat([readings(60, seed).assign(machine=m, time=dates) for seed, m in enumerate(["a", "b"])])
    log.loc[(log.machine == "b").to_numpy() & (log.time == dates[20]).to_numpy(), "temp"] += 50.0
    log.loc[log.machine == "b", "machine"] = np.nan  # machine b's id was not logged
    X = log.set_index(["machine", "time"])
    with pytest.raises(
        ValueError,
        match=r"X passed to fit has 60 rows whose series key is missing "
        r"\(NaN in index level 'machine'\).*left out of training",
    ):
        RNNAnomalyDetector(**TINY).fit(X)
    fitted = RNNAnomalyDetector(**TINY).fit(X.loc[["a"]])
    with pytest.raises(ValueError, match=r"60 rows whose series key.*left unscored, never flagged"):
        fitted.predict(X)
    fixed = X.reset_index().fillna({"machine": "unknown"}).set_index(X.index.names)  # the fix, as given
    assert 60 + 20 in fitted.predict(fixed)["ilocs"].tolist()  # the spike, on machine b's 20th hour
    assert np.nanargmax(fitted.transform_scores(fixed).to_numpy()) == 60 + 20


def test_a_column_more_or_less_than_fits_is_named_with_the_fix():
    """A leftover label column, or a channel lost, got "has 3 columns, but the detector was fitted on
    2", naming neither the column nor the fix."""
    data = readings(200).assign(flow=lambda d: d.temp.shift(3).bfill())
    fitted = RNNAnomalyDetector(**TINY).fit(data)
    for passed in (data.assign(label=0), data[["temp"]]):
        with pytest.raises(
            ValueError,
            match=rf"has the columns {re.escape(str(passed.columns.tolist()))}, but the detector was "
            r"fitted on \['temp', 'flow'\].*X\[detector.feature_names_in_\]",
        ):
            fitted.predict(passed)
    fixed = data.assign(label=0)[fitted.feature_names_in_]  # the fix; a lost channel has none but to find it
    pd.testing.assert_frame_equal(fitted.transform_scores(fixed), fitted.transform_scores(data))
    with pytest.raises(ValueError, match="has 1 columns, but the detector was fitted on 2"):
        fitted.predict(data[["temp"]].to_numpy())  # no names: the count


def test_a_csvs_time_column_and_a_status_column_of_text_get_fixes_that_work():
    """A CSV read without making its time column the index, and a run/idle status: both were told to
    pd.to_numeric(..., errors='coerce'), which makes them all NaN, refused next as channels without a
    value (and the other fix offered, a series level, made 300 one-row series)."""
    data = readings(300)
    data.insert(0, "time", pd.date_range("2024-01-01", periods=300, freq="min").strftime("%Y-%m-%d %H:%M"))
    data["status"] = np.where(np.arange(300) % 20 < 10, "RUN", "IDLE")
    csv = pd.read_csv(io.StringIO(data.to_csv(index=False)))
    with pytest.raises(
        TypeError,
        match=r"column 'time' holds dates as text \(e.g. '2024-01-01 00:00'\)"
        r".*X\['time'\] = pd.to_datetime\(X\['time'\]\); X = X.set_index\('time'\)",
    ):
        RNNAnomalyDetector(**TINY).fit(csv)
    X = csv.copy()
    X["time"] = pd.to_datetime(X["time"])  # the fix, as given
    X = X.set_index("time")
    with pytest.raises(
        TypeError,
        match=r"column 'status' holds text \(e.g. 'RUN'\), not numbers.*"
        r"pd.get_dummies\(X, columns=\['status'\], dtype=float\)",
    ):
        RNNAnomalyDetector(**TINY).fit(X)
    X = pd.get_dummies(X, columns=["status"], dtype=float)  # the fix, as given
    fitted = RNNAnomalyDetector(**TINY).fit(X)
    assert fitted.feature_names_in_.tolist() == ["temp", "status_IDLE", "status_RUN"]
    assert isinstance(fitted.transform_scores(X).index, pd.DatetimeIndex)


def test_an_hour_repeated_as_clocks_go_back_gets_the_localizing_fix_that_keeps_every_reading():
    """A logger's naive local time repeats 02:00-02:45 at the autumn change: the refusal offered only to
    drop the repeats (an hour of readings lost) or average them (readings an hour apart mixed)."""
    clock = pd.date_range("2024-10-26 12:00", periods=400, freq="15min", tz="Europe/Berlin")
    X = readings(400).set_axis(clock.tz_localize(None))  # what the CSV holds: the wall clock
    with pytest.raises(
        ValueError,
        match=r"repeats the time 2024-10-27 02:00:00.*X.index = "
        r"X.index.tz_localize\('Europe/Berlin', ambiguous='infer'\)",
    ):
        RNNAnomalyDetector(**TINY).fit(X)
    X.index = X.index.tz_localize("Europe/Berlin", ambiguous="infer")  # the fix, as given
    assert RNNAnomalyDetector(**TINY).fit(X).transform(X).index.equals(clock)
    stacked = readings(200).set_axis(np.repeat(pd.date_range("2024-01-01", periods=100, freq="h"), 2))
    with pytest.raises(ValueError, match="repeats the time") as error:  # two machines, not a clock
        RNNAnomalyDetector(**TINY).fit(stacked)
    assert "tz_localize" not in str(error.value)


def test_a_channel_without_a_value_over_a_window_warns_and_a_gap_does_not():
    """A dead sensor in new data (fit refuses an all-NaN channel) was scored from the other channels
    without a word: the flags were those of complete data."""
    data = readings(300).assign(flow=lambda d: d.temp.shift(2).bfill())
    fitted = RNNAnomalyDetector(**TINY).fit(data.iloc[:200])
    dead = data.iloc[200:].assign(flow=np.nan)
    with pytest.warns(
        UserWarning,
        match=r"X passed to predict holds no value of a channel over a window or more of steps where other "
        r"channels have one: channel 'flow' in 100 steps\. .*check the sensor",
    ):
        fitted.predict(dead)
    dated = data.iloc[200:].set_axis(pd.date_range("2024-03-01 08:00", periods=100, freq="min"))
    dated["level"] = dated["temp"] * 2
    fitted = RNNAnomalyDetector(**TINY).fit(data.iloc[:200].assign(level=lambda d: d.temp * 2))
    dated.iloc[40:, 1] = np.nan  # the flow meter stops part way
    dated.iloc[60:65] = np.nan  # and the logger loses every channel for five minutes
    dated.iloc[10:30, 2] = np.nan  # the level probe was out for 20 minutes before
    with pytest.warns(
        UserWarning,
        match=r"have one: channel 'flow' in 55 steps from 2024-03-01 08:40:00 to 2024-03-01 09:39:00; "
        r"channel 'level' in 20 steps from 2024-03-01 08:10:00 to 2024-03-01 08:29:00\.",
    ):
        fitted.transform(dated)
    with pytest.warns(
        UserWarning,
        match=r"transform_scores \(series 'm2'\) holds no value .* channel 'flow' in 55 steps.*first series",
    ):
        fitted.transform_scores(pd.concat({"m1": dated.ffill(), "m2": dated}, names=["machine", "time"]))
    fitted = RNNAnomalyDetector(**TINY).fit(data.iloc[:200])
    gap = data.iloc[200:].copy()
    gap.iloc[10:15, 1] = np.nan  # shorter than the window: a gap
    panel = pd.concat({"m1": data.iloc[200:], "m2": dead}, names=["machine", "step"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict(gap)
        fitted.predict(dead.iloc[:5])  # a chunk shorter than a window, as streams send: a gap
    with pytest.warns(UserWarning, match=r"\(series 'm2'\) holds no value .* channel 'flow' in 100 steps\."):
        fitted.transform_scores(panel)


def test_readings_with_a_decimal_comma_get_the_fix_that_keeps_them(detector):
    """ "0,123" was told to become 0/1 channels per value (get_dummies), or, before, NaN (to_numeric)."""
    data = readings(60)
    comma = data.assign(temp=data["temp"].map("{:.3f}".format).str.replace(".", ",").astype(object))
    with pytest.raises(
        TypeError,
        match=r"column 'temp' holds numbers written with a decimal comma.*"
        r"decimal=','",
    ) as info:
        detector.predict(comma)
    X = comma.copy()
    exec(re.search(r"convert the column: (.*?errors='coerce'\))", str(info.value))[1], {"X": X, "pd": pd})
    np.testing.assert_allclose(X["temp"], data["temp"], atol=5e-4)


def test_a_pivots_channels_in_another_order_are_refused_and_a_missing_one_named():
    """Found by a probe: a pivot's (value, sensor) tuples set no feature_names_in_, and the channels in
    another order were read by position (148 of 150 normal steps flagged, 0 in fit's order); a
    Series of one of two channels was told to rename itself to the name it had."""
    times = pd.date_range("2024-01-01", periods=200, freq="h")
    long = pd.DataFrame(
        {
            "time": np.tile(times, 2),
            "sensor": np.repeat(["pressure", "temp"], 200),
            "value": np.r_[np.sin(np.arange(200) / 4), 50 + 5 * np.cos(np.arange(200) / 7)],
        }
    )
    wide = long.pivot_table(index="time", columns="sensor", values=["value"])
    fitted = RNNAnomalyDetector(**TINY).fit(wide.iloc[:150])
    assert fitted.feature_names_in_ is None
    swapped = wide.iloc[150:][wide.columns[::-1]]
    with pytest.raises(
        ValueError,
        match=r"X passed to predict has the columns RNNAnomalyDetector was fitted on, in another order "
        r"\(\[\"\('value', 'temp'\)\", \"\('value', 'pressure'\)\"\]",
    ) as error:
        fitted.predict(swapped)
    X, columns = swapped, list(wide.columns)  # the message's fix, as written
    assert "Select them in fit's order: X[columns]," in str(error.value)
    swapped = X[columns]
    pd.testing.assert_frame_equal(fitted.transform_scores(swapped), fitted.transform_scores(wide.iloc[150:]))
    numbered = RNNAnomalyDetector(**TINY).fit(wide.iloc[:150].set_axis([0, 1], axis=1))  # 0, 1, ...: ids too
    with pytest.raises(ValueError, match=r"in another order \(\[1, 0\]; fit had \[0, 1\]\)"):
        numbered.predict(wide.iloc[150:].set_axis([0, 1], axis=1)[[1, 0]])
    named = RNNAnomalyDetector(**TINY).fit(wide.iloc[:150].droplevel(0, axis=1))
    with pytest.raises(
        ValueError, match=r"has the columns \['pressure'\].*pass every channel of fit, in its order"
    ):
        named.transform(wide.iloc[150:].droplevel(0, axis=1)["pressure"])
