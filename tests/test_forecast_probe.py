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


# -- predict_proba and predict_var describe the forecast the quantiles describe --------------------
def noisy_monthly(n: int = 60, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.period_range("2015-01", periods=n, freq="M")
    return pd.Series(50 + 5 * np.sin(np.arange(n) / 2) + rng.gamma(2.0, 2.0, n), index=index, name="v")


def test_predict_proba_has_the_quantiles_of_predict_quantiles():
    """sktime's default was a normal distribution with the median and the interquartile range: its
    0.025 and 0.975 quantiles were not the calibrated ones predict_interval gives."""
    pytest.importorskip("skpro")
    f = RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0).fit(
        noisy_monthly(), fh=[1, 2, 3]
    )
    distribution = f.predict_proba()
    assert distribution.index.equals(f.predict().index)
    for alpha in f.quantile_levels_:  # the trained levels exactly
        expected = f.predict_quantiles(alpha=[alpha]).to_numpy().ravel()
        np.testing.assert_allclose(distribution.ppf(alpha).to_numpy().ravel(), expected, rtol=1e-9)
    # between grid levels the distribution is linear in the level, predict_quantiles in its normal score
    width = np.diff(f.predict_interval(coverage=0.95).to_numpy(), axis=1).ravel()
    between = f.predict_quantiles(alpha=[0.3]).to_numpy().ravel()
    assert np.abs(distribution.ppf(0.3).to_numpy().ravel() - between).max() < 1e-3 * width.min()
    np.testing.assert_allclose(f.predict_var().to_numpy(), distribution.var().to_numpy(), rtol=1e-9)
    with pytest.raises(NotImplementedError, match=r"no joint distribution .* predict_proba\(\) for each"):
        f.predict_proba(marginal=False)


def test_log_loss_and_crps_grow_with_the_miss_and_crps_is_the_integral_it_defines():
    """skpro's Histogram (the first form of the fix) had a bounded support and a log-density of 0
    outside it, so LogLoss scored the worst misses best, and its CRPS dropped where a value left
    its last bin."""
    pytest.importorskip("skpro")
    from scipy import integrate
    from sktime.performance_metrics.forecasting.probabilistic import CRPS, LogLoss

    f = RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0).fit(
        noisy_monthly(), fh=[1]
    )
    distribution = f.predict_proba()
    top = float(f.predict_quantiles(alpha=[0.9975]).iloc[0, 0])
    spread = float(np.sqrt(f.predict_var().iloc[0, 0]))
    truths = [top - spread, top - 1e-6, top + 1e-6, top + spread, top + 10 * spread, top + 100 * spread]
    frames = [pd.DataFrame({"v": [value]}, index=distribution.index) for value in truths]
    log_loss = np.array([LogLoss()(frame, distribution) for frame in frames])
    crps = np.array([CRPS()(frame, distribution) for frame in frames])
    assert np.isfinite(log_loss).all() and (np.diff(log_loss[[0, 3, 4, 5]]) > 0).all()
    assert (np.diff(crps) > 0).all() and crps[2] - crps[1] < 1e-5 * spread
    quantile = lambda level: distribution.ppf(level).to_numpy()[0, 0]  # noqa: E731
    for value, score in zip(truths[::3], crps[::3], strict=True):  # CRPS = 2 ∫ pinball loss dp
        exact = integrate.quad(
            lambda level, value=value: 2 * ((value < quantile(level)) - level) * (quantile(level) - value),
            0,
            1,
            points=distribution.levels.tolist(),
            limit=1000,
        )[0]
        np.testing.assert_allclose(score, exact, rtol=1e-6)


def test_predict_var_keeps_the_spread_of_a_series_at_a_level_of_1e9():
    """skpro's Histogram variance, E[X^2] - E[X]^2, was -256 at a level of 1e9 with a spread of 1."""
    pytest.importorskip("skpro")
    y = noisy_monthly() + 1e9
    f = RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0).fit(y, fh=[1, 2])
    shifted = RNNForecaster(window_length=12, hidden_size=8, max_epochs=5, random_state=0).fit(
        y - 1e9, fh=[1, 2]
    )
    variances = f.predict_var().to_numpy()
    np.testing.assert_allclose(f.predict_proba().var().to_numpy(), variances, rtol=1e-9)
    assert (variances > 0).all() and (variances < 100 * shifted.predict_var().to_numpy()).all()


def test_predict_proba_of_a_panel_keeps_its_index_and_a_constant_series_has_no_spread():
    pytest.importorskip("skpro")
    y = pd.concat(
        {"a": noisy_monthly(), "b": pd.Series(7.0, index=noisy_monthly().index, name="v")}, names=["id"]
    ).to_frame()
    f = RNNForecaster(window_length=12, hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1, 2])
    distribution = f.predict_proba()
    assert distribution.index.equals(f.predict().index)
    median = distribution.ppf(0.5)
    np.testing.assert_allclose(median.to_numpy(), f.predict().to_numpy(), rtol=1e-9)
    variances = f.predict_var()
    assert (variances.loc["a"].to_numpy() > 0).all() and (variances.loc["b"].to_numpy() == 0).all()
    low, high = distribution.ppf(0.0001).loc["b"].to_numpy(), distribution.ppf(0.9999).loc["b"].to_numpy()
    np.testing.assert_array_equal(low, high)
    np.testing.assert_allclose(high, 7.0, rtol=1e-12)
    # sktime's metrics select a column with d.loc[:, [name]], which skpro read as a row key on a panel
    from sktime.performance_metrics.forecasting.probabilistic import CRPS

    truth = f.predict() + 1.0
    by_entry = distribution.energy(truth) - 0.5 * distribution.energy()
    np.testing.assert_allclose(CRPS()(truth, distribution), by_entry.to_numpy().mean(), rtol=1e-12)


# -- X at the forecast's time points only -----------------------------------------------------------
def test_x_at_the_fh_rows_only_warns_that_the_steps_between_were_filled():
    """The network reads X at all horizon_ future steps; temporal_train_test_split(fh=[3, 6]) gives
    X at steps 3 and 6 only, and the forecasts changed silently (capability:non_contiguous_X was
    sktime's default True)."""
    from sktime.split import temporal_train_test_split

    rng = np.random.default_rng(0)
    index = pd.period_range("2000-01", periods=60, freq="M")
    X = pd.DataFrame({"promo": rng.normal(size=60)}, index=index)
    y = pd.Series(100 + np.cumsum(rng.normal(size=60)) + 5 * X["promo"].to_numpy(), index=index)
    y_train, _, X_train, X_test = temporal_train_test_split(y, X, fh=[3, 6])
    # the network weighed in (with "auto", held-out values may weigh it at 0 here: the smoothing's map of
    # X forecasts the steps alone, each from its own X)
    f = RNNForecaster(**{**TINY, "max_horizon": None, "correction_weight": 1.0}).fit(
        y_train, X=X_train, fh=[3, 6]
    )
    assert f.get_tag("capability:non_contiguous_X") is False
    with pytest.warns(
        UserWarning,
        match=r"X has no rows for 2004-07, 2004-08, 2004-10, 2004-11: .* filled forward .* step 1\.\.6 ",
    ):
        f.predict(X=X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        f.predict(X=X.iloc[len(y_train) : len(y_train) + 6])
    # forecasts that weigh the network 0 are the smoothing's, whose map reads each step's own X: no warning
    smoothing = RNNForecaster(**{**TINY, "max_horizon": None, "correction_weight": 0})
    smoothing.fit(y_train, X=X_train, fh=[3, 6])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        smoothing.predict(X=X_test)


# -- randomness tags ---------------------------------------------------------------------------------
def test_randomness_tags_say_derandomized_by_random_state():
    """Both said sktime's default 'deterministic', but default fits (random_state=None) differ."""
    from sklearn_rnn import RNNAnomalyDetector

    for estimator in (RNNForecaster(), RNNAnomalyDetector()):
        assert estimator.get_tag("property:randomness") == "derandomized"
        assert estimator.get_tag("maintainers") == ["sklearn_rnn developers"]
    y = noisy_monthly()
    kw = {**TINY, "random_state": None, "correction_weight": 1}  # the network alone, not a baseline
    assert not np.allclose(
        RNNForecaster(**kw).fit(y, fh=[1]).predict(), RNNForecaster(**kw).fit(y, fh=[1]).predict()
    )
    seeded = {**kw, "random_state": 3}
    np.testing.assert_array_equal(
        RNNForecaster(**seeded).fit(y, fh=[1]).predict(), RNNForecaster(**seeded).fit(y, fh=[1]).predict()
    )


def test_the_forecast_distribution_passes_skpro_own_checks():
    """skpro's conformance checks for distributions: methods, subsetting, broadcasting, sampling."""
    pytest.importorskip("skpro")
    from skpro.utils.estimator_checks import check_estimator

    from sklearn_rnn._distribution import QuantileDistribution

    results = check_estimator(QuantileDistribution, raise_exceptions=False, verbose=False)
    failed = {name: str(result)[:200] for name, result in results.items() if result != "PASSED"}
    assert len(results) > 50 and not failed, failed


def test_predict_var_and_proba_keep_multiindex_columns():
    """sktime's default predict_var looked its interquartile ranges up by the first column level
    and failed with KeyError: ('sales', 'a')."""
    pytest.importorskip("skpro")
    rng = np.random.default_rng(0)
    columns = pd.MultiIndex.from_tuples([("sales", "a"), ("sales", "b")])
    index = pd.period_range("2015-01", periods=48, freq="M")
    y = pd.DataFrame(50 + rng.normal(size=(48, 2)).cumsum(axis=0), index=index, columns=columns)
    f = RNNForecaster(window_length=12, hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1, 2])
    variances, distribution = f.predict_var(), f.predict_proba()
    assert variances.columns.equals(columns) and distribution.columns.equals(columns)
    assert (variances.to_numpy() > 0).all()
    np.testing.assert_allclose(distribution.var().to_numpy(), variances.to_numpy(), rtol=1e-9)


def test_a_positive_columns_lower_tail_stays_above_0_and_every_method_stays_exact():
    """A column forecast on the log scale got exponential tails in its own units: predict_proba put
    mass below 0 (cdf(0) 1.5e-4, ppf(1e-5) -0.05) where predict_quantiles stayed positive. Below its
    first quantile it is now a power of the value; mean, variance, energy and CRPS integrate it."""
    pytest.importorskip("skpro")
    from scipy import integrate

    from sklearn_rnn._distribution import QuantileDistribution

    levels = np.array([0.025, 0.25, 0.5, 0.75, 0.975])
    q = np.array([[[0.2, 1.37, 2.0, 2.54, 4.25]]])
    d = QuantileDistribution(q, levels, positive=np.array([True]))
    plain = QuantileDistribution(q, levels)
    value = lambda frame: float(np.asarray(frame)[0, 0])  # noqa: E731
    assert value(plain.cdf(0.0)) > 1e-3  # the exponential tail's mass below 0
    assert value(d.cdf(0.0)) == 0.0 and value(d.cdf(-1.0)) == 0.0 and value(d.pdf(-1.0)) == 0.0
    assert 0 < value(d.ppf(1e-9)) < value(d.ppf(1e-3)) < 0.2
    for p in (1e-6, 1e-3, 0.01, 0.025, 0.3, 0.99):  # cdf inverts ppf, in the tail too
        np.testing.assert_allclose(value(d.cdf(value(d.ppf(p)))), p, rtol=1e-9)
    given = [value(d.ppf(level)) for level in levels]
    np.testing.assert_allclose(given, q[0, 0], rtol=1e-12)  # the quantiles as given

    def quantile(p):
        return value(d.ppf(p))

    points = levels.tolist()
    mean = integrate.quad(quantile, 0, 1, points=points, limit=500)[0]
    variance = integrate.quad(lambda p: (quantile(p) - mean) ** 2, 0, 1, points=points, limit=500)[0]
    np.testing.assert_allclose(value(d.mean()), mean, rtol=1e-7)
    np.testing.assert_allclose(value(d.var()), variance, rtol=1e-6)
    below = integrate.quad(lambda x: value(d.pdf(x)), 0, 0.1)[0]  # the density integrates to the cdf
    np.testing.assert_allclose(below, value(d.cdf(0.1)), rtol=1e-6)
    for x in (0.05, 1.0, 6.0):  # E|X - x|
        exact = integrate.quad(lambda p, x=x: abs(quantile(p) - x), 0, 1, points=[*points, value(d.cdf(x))])[
            0
        ]
        np.testing.assert_allclose(value(d.energy(pd.DataFrame([[x]]))), exact, rtol=1e-6)
    spread = 2 * integrate.quad(lambda x: value(d.cdf(x)) * (1 - value(d.cdf(x))), 0, np.inf, limit=500)[0]
    np.testing.assert_allclose(value(d.energy()), spread, rtol=1e-6)  # E|X - X'|

    # a small exponent (most of the tail's mass near 0): values, not 0, and no density at 0
    heavy = QuantileDistribution(np.array([[[1e-3, 0.5, 1.0, 2.0, 4.0]]]), levels, positive=np.array([True]))
    assert heavy._k[0, 0] < 0.05 and 0 < value(heavy.ppf(1e-4)) < value(heavy.ppf(0.01)) < 1e-3
    assert (heavy.sample(2000).to_numpy() > 0).all() and value(heavy.log_pdf(0.0)) == -np.inf

    # the forecaster's log-scaled column: the distribution and predict_var carry the tail
    y = pd.Series(np.exp(np.random.default_rng(0).normal(size=60)), index=pd.date_range("2020", periods=60))
    f = RNNForecaster(window_length=6, hidden_size=8, max_epochs=30, random_state=0).fit(y, fh=[1, 2, 3])
    assert f.log_transform_.all()
    distribution = f.predict_proba()
    assert (
        distribution.cdf(pd.DataFrame(0.0, index=distribution.index, columns=distribution.columns)) == 0
    ).all(axis=None)
    assert (distribution.ppf(1e-5) > 0).all(axis=None)
    np.testing.assert_allclose(distribution.var().to_numpy(), f.predict_var().to_numpy(), rtol=1e-9)
