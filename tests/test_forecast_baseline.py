"""RNNForecaster's statistical baseline: damped-trend exponential smoothing inside the network.

What the smoothing computes is checked against Holt-Winters written out by hand; what it brings is
checked on Airline against AutoETS and Theta fitted in the same test, on the same split.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

pytest.importorskip("sktime")

from sktime.datasets import load_airline, load_shampoo_sales  # noqa: E402
from sktime.forecasting.theta import ThetaForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn._networks.forecast import (  # noqa: E402
    ExponentialSmoothing,
    ForecastNet,
    _forecast_map,
    _one_step_sse,
    _system_derivatives,
    _window_loss,
    halfway_to,
    seasons_lower_aic,
    series_smoothing_map,
    series_smoothing_spread,
)
from sklearn_rnn._windows import resolve_window_length, window_dataset  # noqa: E402


def small_net(**params) -> ForecastNet:
    """A tiny ForecastNet of one column with the smoothing baseline; ``params`` override."""
    defaults = dict(
        n_targets=1,
        n_exog=0,
        window_length=8,
        horizon=3,
        n_quantiles=3,
        cell="lstm",
        hidden_size=4,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        baseline="smoothing",
    )
    return ForecastNet(**{**defaults, **params})


def holt_winters(y: np.ndarray, horizon: int, sp: int, alpha, beta, phi, gamma) -> np.ndarray:
    """Damped-trend Holt-Winters with additive seasons, one series and column, written out in loops."""
    W = len(y)
    if sp > 1:
        level = y[:sp].mean()
        trend = (y[sp : 2 * sp].mean() - level) / sp if W >= 2 * sp else 0.0
        seasons = list(y[:sp] - level)
        level += trend * (sp - 1) / 2
        first = sp
    else:
        level, trend, seasons, first = y[0], (y[-1] - y[0]) / max(W - 1, 1), [], 1
    for t in range(first, W):
        season = seasons[t % sp] if sp > 1 else 0.0
        previous = level
        level = alpha * (y[t] - season) + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
        if sp > 1:
            seasons[t % sp] = gamma * (y[t] - level) + (1 - gamma) * season
    out = []
    for h in range(1, horizon + 1):
        damped = sum(phi**i for i in range(1, h + 1))
        out.append(level + damped * trend + (seasons[(W + h - 1) % sp] if sp > 1 else 0.0))
    return np.array(out)


@pytest.mark.parametrize("sp, W", [(1, 10), (1, 2), (2, 9), (3, 3), (4, 7), (4, 13), (12, 36), (12, 20)])
def test_smoothing_computes_damped_holt_winters(sp, W):
    rng = np.random.default_rng(sp + W)
    y = rng.normal(size=(3, W, 2)).cumsum(axis=1)
    module = ExponentialSmoothing(n_targets=2, horizon=7, sp=sp).double()
    params = np.array([[0.3, 0.7], [0.05, 0.4], [0.95, 0.6], [0.1, 0.5]])  # alpha, beta, phi, gamma
    with torch.no_grad():
        module.logits.copy_(torch.logit(torch.from_numpy(params)))
        out = module(torch.from_numpy(y)).numpy()
    for i in range(3):
        for c in range(2):
            expected = holt_winters(y[i, :, c], 7, sp, *params[:, c])
            np.testing.assert_allclose(out[i, :, c], expected, rtol=1e-10, atol=1e-12)


def test_smoothing_starts_from_fixed_values_and_learns_them():
    module = ExponentialSmoothing(n_targets=1, horizon=3, sp=1)
    alpha, beta, phi, gamma = torch.sigmoid(module.logits).ravel().tolist()
    assert np.allclose([alpha, beta, phi, gamma], ExponentialSmoothing.start, atol=1e-6)
    y = torch.arange(10.0).reshape(1, 10, 1)
    module(y).sum().backward()
    assert torch.all(module.logits.grad[:3] != 0)  # alpha, beta and phi reach the forecast


def _windows(y: np.ndarray, W: int, H: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every window of ``W`` values of ``y`` and the ``H`` after it: ``(n, W, 1)`` and ``(n, H, 1)``."""
    n = len(y) - W - H + 1
    windows = np.stack([y[i : i + W] for i in range(n)])[..., None]
    targets = np.stack([y[i + W : i + W + H] for i in range(n)])[..., None]
    return torch.tensor(windows, dtype=torch.float32), torch.tensor(targets, dtype=torch.float32)


def test_fitted_alone_the_smoothing_forecasts_a_trend_with_a_season():
    """From its start values the damped trend falls short; fitted to the windows it follows the line."""
    t = np.arange(120.0)
    windows, targets = _windows(0.05 * t + np.sin(2 * np.pi * t / 12), 36, 12)
    module = ExponentialSmoothing(n_targets=1, horizon=12, sp=12)
    with torch.no_grad():
        before = (module(windows) - targets).abs().mean().item()
    module.fit(windows, targets)
    with torch.no_grad():
        after = (module(windows) - targets).abs().mean().item()
    phi = torch.sigmoid(module.logits)[2].item()
    assert after < 0.02 < 0.1 < before, (before, after)
    assert phi > 0.95  # the trend barely damped
    assert module.logits.requires_grad


@pytest.mark.parametrize(
    "sp, W, H",
    [(1, 10, 4), (1, 2, 2), (1, 1, 3), (4, 6, 5), (4, 8, 3), (4, 4, 9), (12, 36, 12), (52, 100, 30)],
)
def test_the_fits_loss_and_gradient_are_those_of_the_modules_forecasts(sp, W, H):
    """The fit's loss and gradient, from the forecasts' linear map of a window and its derivatives
    (NumPy), are those torch's autograd takes through the module's forward: seasons shorter than,
    as long as and half the window, one value, targets missing, two columns with parameters apart."""
    rng = np.random.default_rng(sp + W)
    y = torch.from_numpy(rng.normal(size=(20, W + H, 2)).cumsum(axis=1))
    windows, targets = y[:, :W], y[:, W:].clone()
    targets[:5, -1] = torch.nan
    module = ExponentialSmoothing(n_targets=2, horizon=H, sp=sp).double()
    with torch.no_grad():
        module.logits.add_(torch.from_numpy(rng.normal(scale=0.5, size=(4, 2))))
    observed = torch.isfinite(targets)
    loss = ((module(windows) - torch.nan_to_num(targets)).abs() * observed).sum() / observed.sum()
    (expected,) = torch.autograd.grad(loss, module.logits)
    columns_first = [t.numpy().transpose(2, 0, 1) for t in (windows, torch.nan_to_num(targets), observed)]
    value, gradient = _window_loss(
        module.logits.detach().numpy(), *columns_first, module.sp if 1 < sp <= W else 1, int(observed.sum())
    )
    assert value == pytest.approx(loss.item(), rel=1e-12)
    np.testing.assert_allclose(gradient, expected.numpy(), rtol=1e-9, atol=1e-15)
    assert np.abs(gradient).max() > 1e-3 or W == sp  # the seasons alone: a window that starts them only
    # the map is the module's forecasts of unit windows, and its system the module's
    forecasts, _ = _forecast_map(
        torch.sigmoid(module.logits).detach().numpy(), sp if 1 < sp <= W else 1, W, H
    )
    with torch.no_grad():
        unit = module(torch.eye(W, dtype=torch.float64)[:, :, None].expand(W, W, 2))  # (W, H, 2)
    np.testing.assert_allclose(forecasts, unit.numpy().transpose(2, 1, 0), atol=1e-12)
    params = torch.sigmoid(module.logits).detach()
    A, g = ExponentialSmoothing._system(*params, sp if 1 < sp <= W else 1)
    A_np, g_np, _, _ = _system_derivatives(params.numpy(), sp if 1 < sp <= W else 1)
    np.testing.assert_array_equal(A_np, A.numpy())
    np.testing.assert_array_equal(g_np, g.numpy())


@pytest.mark.parametrize("sp", [1, 12])
def test_the_smoothing_fit_takes_torchs_adam_steps(sp):
    """The fit's Adam, written out in float64 to spare the optimizer's bookkeeping and the module's
    graph, is torch.optim.Adam on the module's forecasts (float64: equal but for rounding)."""
    t = np.arange(80.0)
    windows, targets = _windows(0.05 * t + np.sin(2 * np.pi * t / 12), 24, 6)
    module, reference = ExponentialSmoothing(1, 6, sp), ExponentialSmoothing(1, 6, sp).double()
    module.fit(windows, targets, steps=40)
    optimizer = torch.optim.Adam([reference.logits], lr=0.05)
    windows, targets = windows.double(), targets.double()
    observed = torch.isfinite(targets)  # the fit's loss, as it writes it
    for _ in range(40):
        optimizer.zero_grad()
        (((reference(windows) - targets).abs() * observed).sum() / observed.sum()).backward()
        optimizer.step()
    assert module.logits.dtype == torch.float32 and module.logits.requires_grad
    torch.testing.assert_close(module.logits, reference.logits.float(), rtol=1e-6, atol=1e-6)
    assert not torch.equal(module.logits, ExponentialSmoothing(1, 6, sp).logits)  # the steps moved them


def test_each_column_of_the_smoothing_is_fitted_on_its_own():
    """A column of constant values a million million times larger, or with a NaN window, leaves the other
    column's fit as it is alone (one tolerance for all columns had left the first unfitted, and a NaN
    one every column), and keeps its own start parameters where its windows are constant."""
    t = np.arange(80.0)
    rng = np.random.default_rng(0)
    seasonal = _windows(0.05 * t + np.sin(2 * np.pi * t / 12), 24, 6)
    walk = _windows(np.cumsum(rng.normal(size=80)), 24, 6)
    alone = ExponentialSmoothing(1, 6, 12)
    alone.fit(*seasonal, steps=60)
    start = ExponentialSmoothing(1, 6, 12).logits
    for other in (torch.full_like(walk[0], 1e13), walk[0].clone()):
        if other[0, 0, 0] != 1e13:
            other[3, 5, 0] = torch.nan
        both = ExponentialSmoothing(2, 6, 12)
        windows = torch.cat([seasonal[0], other], dim=2)
        targets = torch.cat([seasonal[1], other[:, :6] if other[0, 0, 0] == 1e13 else walk[1]], dim=2)
        both.fit(windows, targets, steps=60)
        torch.testing.assert_close(both.logits[:, :1], alone.logits, rtol=1e-5, atol=1e-5)
        if other[0, 0, 0] == 1e13:
            torch.testing.assert_close(both.logits[:, 1:], start)  # constant windows: nothing to fit
        else:
            assert torch.isnan(both.logits[:, 1]).all()  # its own forecasts NaN, as autograd's were
    assert not torch.equal(alone.logits, start)


def test_the_smoothing_fit_leaves_unobserved_targets_out():
    """NaN targets (past a series' end) weigh nothing: the fit is that of the observed steps alone."""
    y = np.cumsum(np.random.default_rng(0).normal(size=60))
    windows, targets = _windows(y, 10, 4)
    masked = targets.clone()
    masked[:, -1] = torch.nan
    module, shorter = ExponentialSmoothing(1, 4), ExponentialSmoothing(1, 3)
    shorter.logits.requires_grad_(False)  # as the forecaster's network holds it: fit changes it all the same
    module.fit(windows, masked, steps=50)
    shorter.fit(windows, targets[:, :3], steps=50)
    torch.testing.assert_close(module.logits, shorter.logits)
    assert not shorter.logits.requires_grad


def test_the_forecaster_fits_its_smoothing_first_and_training_leaves_it():
    """The logits are those of the smoothing fitted alone to the training windows, after the training."""
    y = _trend()
    f = RNNForecaster(hidden_size=4, max_epochs=5, conformal=False, random_state=0).fit(y, fh=[1, 2, 3])
    smoothing = f.net_.module_.smoothing
    assert not smoothing.logits.requires_grad
    scaled, _ = f._transform_y(y.to_numpy()[:, None], ())
    data = window_dataset([scaled], 1, f.window_length_, 3, 0)
    inputs, targets = data.batch(torch.arange(len(data)))
    expected = ExponentialSmoothing(1, 3, sp=f.sp_)
    expected.fit(inputs["X"].float(), targets.float())
    torch.testing.assert_close(smoothing.logits, expected.logits)
    # training further (update) moves the network's weights, not the smoothing's
    head = f.net_.module_.recurrent.head.weight.detach().clone()
    f.update(pd.Series(y.iloc[-3:].to_numpy() + 1.5, index=y.index[-3:] + 3), update_params=True)
    assert not torch.equal(f.net_.module_.recurrent.head.weight, head)
    torch.testing.assert_close(f.net_.module_.smoothing.logits, expected.logits)


def test_the_smoothing_is_fitted_on_the_training_windows_alone(monkeypatch):
    """Neither held-out time points nor early stopping's validation windows reach the smoothing's fit,
    and every network of an ensemble corrects the same fitted smoothing."""
    seen, fit = [], ExponentialSmoothing.fit

    def recorded(self, windows, targets, *args, **kwargs):
        seen.append((len(windows), targets.clone()))
        return fit(self, windows, targets, *args, **kwargs)

    monkeypatch.setattr(ExponentialSmoothing, "fit", recorded)
    y = pd.Series(np.arange(80.0), index=pd.period_range("2000-01", periods=80, freq="M"))
    params = dict(window_length=30, hidden_size=4, max_epochs=2, early_stopping=True, n_networks=2)
    f = RNNForecaster(target_transform="none", random_state=0, **params).fit(y, fh=[1, 2, 3])
    ((n_windows, targets),) = seen
    trained = sum(batch.get("train_batch_size", 0) for batch in f.net_.history[0]["batches"])
    assert n_windows == trained < f.n_windows_  # skorch's training windows: validation ones left out
    mean, scale = f._y_scaling[()]
    latest = np.nanmax(targets.numpy()) * scale[0] + mean[0]  # the values are their time points
    assert latest < 80 - f.n_calibration_scores_[0]  # before every held-out time point
    first, second = f.net_.module_, f.net_.module_.others[0]
    torch.testing.assert_close(first.smoothing.logits, second.smoothing.logits)
    assert not second.smoothing.logits.requires_grad


def test_a_random_subset_of_many_windows_fits_the_smoothing(monkeypatch):
    monkeypatch.setattr(RNNForecaster, "SMOOTHING_WINDOWS", 20)
    y = _trend()
    fits = [
        RNNForecaster(hidden_size=4, max_epochs=1, conformal=False, random_state=seed).fit(y, fh=[1])
        for seed in (0, 0, 1)
    ]
    logits = [f.net_.module_.smoothing.logits for f in fits]
    torch.testing.assert_close(logits[0], logits[1])  # the subset follows random_state
    assert not torch.equal(logits[0], logits[2])


def test_a_weight_of_0_forecasts_the_baseline_even_from_a_diverged_network():
    net = small_net(n_targets=2, sp=4, median_index=1).eval()
    with torch.no_grad():
        net.recurrent.head.bias.fill_(float("nan"))
        X = torch.randn(4, 8, 2)
        net.correction_weight = (0.0, 0.5)
        out = net(X)
    torch.testing.assert_close(out[:, :, 0], net._baseline(X)[:, :, 0, None].expand(-1, -1, 3))
    assert torch.isnan(out[:, :, 1]).all()


def test_the_forecast_is_the_baseline_plus_the_network():
    """With the output layer zeroed, the forecaster's every quantile is the smoothing's forecast."""
    net = small_net(window_length=24, horizon=5, cell="gru", sp=12).eval()
    with torch.no_grad():
        for p in net.recurrent.head.parameters():
            p.zero_()
        X = torch.randn(2, 24, 1)
        out = net(X)
        expected = net.smoothing(X)
    torch.testing.assert_close(out, expected[..., None].expand(-1, -1, -1, 3))


def test_window_length_auto_is_half_the_longest_series():
    assert resolve_window_length("auto", 144) == 36
    assert resolve_window_length("auto", 1000) == 36
    assert resolve_window_length("auto", 36) == 18
    assert resolve_window_length("auto", 13) == 6
    assert resolve_window_length("auto", 3) == 2
    assert resolve_window_length(50, 13) == 50  # an int is used as given
    y = pd.Series(np.arange(1.0, 31.0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # few calibration scores
        f = RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(y, fh=[1, 2])
    assert f.window_length == "auto" and f.window_length_ == 15
    # a panel: half its longest series; shorter ones are left-padded
    panel = pd.DataFrame(
        {"v": np.r_[np.arange(1.0, 41.0), np.arange(1.0, 11.0)]},
        index=pd.MultiIndex.from_tuples([("a", t) for t in range(40)] + [("b", t) for t in range(10)]),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        g = RNNForecaster(hidden_size=4, max_epochs=1, random_state=0).fit(panel, fh=[1])
    assert g.window_length_ == 20


@pytest.mark.slow
def test_airline_beats_autoets_and_theta_in_the_same_run():
    """Airline, last 36 months held out: the default forecaster against the classical baselines."""
    pytest.importorskip("statsmodels")
    from sktime.forecasting.ets import AutoETS

    y = load_airline()
    train, test = y.iloc[:-36], y.iloc[-36:]
    fh = np.arange(1, 37)
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, forecaster in [
            ("rnn", RNNForecaster(random_state=0)),
            ("ets", AutoETS(auto=True, sp=12, n_jobs=1)),
            ("theta", ThetaForecaster(sp=12)),
        ]:
            scores[name] = mean_absolute_percentage_error(test, forecaster.fit(train, fh=fh).predict())
    # measured: rnn 0.043 (the fitted smoothing, correction_weight_ 0), AutoETS 0.062, Theta 0.082
    assert scores["rnn"] <= 0.055, scores
    assert scores["rnn"] <= min(scores["ets"], scores["theta"]), scores


def test_an_ensemble_trains_each_network_and_forecasts_their_mean():
    net = small_net(window_length=8, horizon=3, n_networks=3)
    X = torch.randn(5, 8, 1)
    each = torch.stack([net._network(X), *(other._network(X) for other in net.others)])
    assert not torch.allclose(each[0], each[1])  # each network has its own initial weights
    net.train()
    torch.testing.assert_close(net(X), each)
    assert net.stacks_outputs  # in training each network's loss is taken on its own (test_ensemble.py)
    net.eval()
    torch.testing.assert_close(net(X), each.mean(dim=0))
    assert not net.stacks_outputs


@pytest.mark.parametrize("median_index", [None, 1], ids=["mix-each-quantile", "move-with-the-median"])
def test_correction_weight_mixes_each_columns_network_and_baseline_outside_training(median_index):
    """Files written before ``median_index`` mix each quantile with the baseline's point forecast; the
    forecaster now moves every quantile as the median moves, so the network's spread stays."""
    net = small_net(n_targets=2, window_length=8, horizon=3, n_networks=2, sp=4, median_index=median_index)
    with torch.no_grad():
        net.others[0].smoothing.logits.add_(1.0)  # the second network's baseline differs from the first's
    X = torch.randn(5, 8, 2)
    assert not torch.allclose(net._baseline(X), net.others[0]._baseline(X))
    net.eval()
    own = net(X)
    baseline = torch.stack([net._baseline(X), net.others[0]._baseline(X)]).mean(dim=0)
    net.correction_weight = (0.3, 1.0)
    mixed = net(X)
    if median_index is None:
        torch.testing.assert_close(mixed[:, :, 0], 0.3 * own[:, :, 0] + 0.7 * baseline[:, :, 0, None])
    else:
        ordered = own[:, :, 0].sort(dim=-1).values  # the untrained network's quantiles cross
        median = 0.3 * ordered[..., 1] + 0.7 * baseline[:, :, 0]
        torch.testing.assert_close(mixed[:, :, 0], ordered - ordered[..., 1:2] + median[..., None])
    # weight 1: the network's own quantiles (sorted where the median moves them)
    other = own[:, :, 1] if median_index is None else own[:, :, 1].sort(dim=-1).values
    torch.testing.assert_close(mixed[:, :, 1], other)
    net.train()  # training always reads the networks' own forecasts
    torch.testing.assert_close(net(X).mean(dim=0), own)


def _trend(n: int = 90) -> pd.Series:
    """A straight line with a little noise: the smoothing baseline forecasts it nearly exactly."""
    t = np.arange(n, dtype=float)
    noise = np.random.default_rng(0).normal(scale=0.05, size=n)
    return pd.Series(10 + 0.5 * t + noise, index=pd.period_range("2000-01", periods=n, freq="M"))


@pytest.mark.parametrize(
    "y, params, expected",
    [
        # a network trained at far too high a learning rate only adds error to the baseline's line
        (_trend(), dict(hidden_size=8, max_epochs=2, lr=1.0, gradient_clip_value=None), lambda w: w <= 0.2),
        # a season the smoothing does not model (sp=1): the network's corrections carry it
        (
            pd.Series(10 + 3 * np.sin(2 * np.pi * np.arange(120) / 12)),
            dict(sp=1, hidden_size=16, max_epochs=150),
            lambda w: w >= 0.8,
        ),
    ],
    ids=["baseline-better", "network-better"],
)
def test_correction_weight_is_chosen_on_the_held_out_windows(y, params, expected):
    f = RNNForecaster(random_state=0, **params).fit(y, fh=[1, 2, 3])
    (weight,) = f.correction_weight_
    assert expected(weight), weight
    net = f.net_.module_
    point = f.predict().to_numpy().ravel()
    net.correction_weight = None  # the network's own forecasts
    own = f.predict().to_numpy().ravel()
    net.correction_weight = (0.0,)  # the baseline's
    base = f.predict().to_numpy().ravel()
    # the mix is linear in the scaled units: on the log scale here (both series are positive)
    np.testing.assert_allclose(np.log(point), weight * np.log(own) + (1 - weight) * np.log(base), rtol=1e-6)


def test_a_series_too_short_to_hold_out_forecasts_the_baseline_and_conformal_false_the_network():
    """Without held-out values nothing shows that the network's correction helps: on a series too
    short to hold any out, "auto" keeps the baseline (on the 7 such series of the forecasting suite
    MASE / best classical 1.542 on seeds 0 and 1, against 1.586 and 1.611 with the network's); with
    conformal=False, held out by choice, it keeps the network's forecasts."""
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        f = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(_trend(14), fh=[1, 2])
    plain = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0, conformal=False).fit(
        _trend(14), fh=[1, 2]
    )
    assert f.correction_weight_.tolist() == [0.0] and plain.correction_weight_.tolist() == [1.0]
    assert plain.net_.module_.correction_weight is None and f.net_.module_.correction_weight == (0.0,)
    own = plain.predict()
    plain.net_.module_.correction_weight = (0.0,)  # the same network (trained on the same windows)
    f.series_smoothing_ = None  # the fitted smoothing alone (not averaged with its whole-series fit)
    pd.testing.assert_series_equal(f.predict(), plain.predict())
    assert not np.allclose(f.predict(), own)
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        naive = RNNForecaster(baseline="naive", hidden_size=4, max_epochs=2, random_state=0)
        naive.fit(_trend(14), fh=[1, 2])
    assert naive.correction_weight_.tolist() == [1.0]  # a window's mean is no forecaster to fall back on


def _yearly(n: int, cycle: float = 0.0) -> pd.Series:
    """A yearly line with noise, and a cycle of about 19 years the smoothing does not model."""
    t = np.arange(n)
    values = 20 + 0.2 * t + cycle * np.sin(t / 3) + np.random.default_rng(0).normal(0, 1, n)
    return pd.Series(values, index=pd.period_range("1901", periods=n, freq="Y"))


def test_fewer_than_10_held_out_values_a_step_keep_the_baseline():
    """4 held-out values chose the network's forecast alone (w=1) for this series; too few to show the
    correction helps, they now keep the smoothing (the procedure's 53 cases 1.159 against 1.194,
    M1's 25 longest yearly series 1.372 against 1.421 on seed 0)."""
    params = dict(hidden_size=8, max_epochs=20, random_state=0)
    few = RNNForecaster(**params).fit(_yearly(40), fh=[1, 2, 3])
    assert 4 <= few.n_calibration_scores_.min() < 10
    assert few.correction_weight_.tolist() == [0.0] and few.net_.module_.correction_weight == (0.0,)
    enough = RNNForecaster(**params).fit(_yearly(90, cycle=2.0), fh=[1, 2, 3])
    assert enough.n_calibration_scores_.min() >= 10
    assert 0 < enough.correction_weight_[0] < 1  # chosen on them


@pytest.mark.parametrize("weight", [0.0, 0.3, 1.0])
def test_a_fixed_correction_weight_is_used_as_given(weight):
    y = _trend()
    f = RNNForecaster(correction_weight=weight, hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1])
    assert f.correction_weight_.tolist() == [weight]
    assert f.net_.module_.correction_weight == (None if weight == 1.0 else (weight,))


def test_a_weight_per_column_of_a_panel():
    """Two columns of a panel: one weight each, chosen on the pooled held-out windows of both series."""
    t = np.arange(60, dtype=float)
    index = pd.MultiIndex.from_product([["a", "b"], range(60)])
    y = pd.DataFrame(
        {"line": np.tile(10 + 0.5 * t, 2), "season": np.tile(10 + 3 * np.sin(2 * np.pi * t / 12), 2)},
        index=index,
    )
    f = RNNForecaster(sp=1, hidden_size=8, max_epochs=100, random_state=0).fit(y, fh=[1, 2])
    weight = f.correction_weight_
    assert weight.shape == (2,) and weight[0] != weight[1]  # measured: 0.8 and 0
    point = f.predict().to_numpy()
    net = f.net_.module_
    net.correction_weight = None
    own = f.predict().to_numpy()
    net.correction_weight = (0.0, 0.0)
    base = f.predict().to_numpy()
    # each column its own mix, on the log scale its positive values are modelled on
    np.testing.assert_allclose(np.log(point), weight * np.log(own) + (1 - weight) * np.log(base), rtol=1e-6)


# -- the seasons sp=None keeps ------------------------------------------------------------------------
def one_step_forecasts(y: np.ndarray, state: np.ndarray, sp: int, alpha, beta, phi, gamma) -> np.ndarray:
    """Damped-trend Holt-Winters' one-step forecasts of ``y`` from an initial ``state``, in loops.

    ``state``: level, trend and, with seasons, the ``sp`` seasons, the one the next step reads first.
    """
    level, trend, seasons = state[0], state[1], list(state[2:])
    out = []
    for value in y:
        season = seasons.pop(0) if sp > 1 else 0.0
        out.append(level + phi * trend + season)
        previous = level
        level = alpha * (value - season) + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
        if sp > 1:
            seasons.append(gamma * (value - level) + (1 - gamma) * season)
    return np.array(out)


def least_squares_state(y: np.ndarray, sp: int, alpha, beta, phi, gamma) -> np.ndarray:
    """The initial state whose one-step forecasts of ``y`` err least (the loops' forecasts are linear
    in it: solved column by column of the identity)."""
    size = 2 + (sp if sp > 1 else 0)
    params = (alpha, beta, phi, gamma)
    from_values = one_step_forecasts(y, np.zeros(size), sp, *params)
    design = np.stack([one_step_forecasts(y, e, sp, *params) - from_values for e in np.eye(size)], axis=1)
    return np.linalg.lstsq(design, y - from_values, rcond=None)[0]


@pytest.mark.parametrize("sp, n", [(1, 30), (4, 23), (12, 40)])
def test_the_seasons_test_fits_one_step_errors_from_the_best_initial_state(sp, n):
    """Its squared one-step errors are those of Holt-Winters in loops, from the least-squares initial
    state (least_squares_state)."""
    rng = np.random.default_rng(sp)
    y = np.sin(2 * np.pi * np.arange(n) / max(sp, 2)) + 0.05 * np.arange(n) + rng.normal(0, 0.3, n)
    params = (0.4, 0.2, 0.9, 0.3)
    expected = np.sum(least_squares_errors(y, sp, *params) ** 2)
    logits = np.log(np.array([params]) / (1 - np.array([params])))
    # a second, shorter row padded at its end: its padding is left out, and rows do not mix
    y2 = np.zeros(n)
    y2[: n - 5] = y[: n - 5]
    rows, mask = np.stack([y, y2]), np.stack([np.ones(n, bool), np.arange(n) < n - 5])
    sse, gradient = _one_step_sse(rows, mask, logits.repeat(2, axis=0), sp)
    np.testing.assert_allclose(sse[0], expected, rtol=1e-6)
    shorter, shorter_gradient = _one_step_sse(rows[1:, : n - 5], mask[1:, : n - 5], logits, sp)
    np.testing.assert_allclose(sse[1], shorter[0], rtol=1e-9)
    np.testing.assert_allclose(gradient[1], shorter_gradient[0], rtol=1e-7, atol=1e-12)
    # the gradient, the initial state's change included, is the slope of the sum (central differences)
    step, slopes = 1e-6, []
    for i in range(4):
        moved = np.zeros((1, 4))
        moved[0, i] = step
        up, down = (
            _one_step_sse(rows[:1], mask[:1], logits + moved, sp),
            _one_step_sse(rows[:1], mask[:1], logits - moved, sp),
        )
        slopes.append((up[0][0] - down[0][0]) / (2 * step))
    np.testing.assert_allclose(gradient[0], slopes, rtol=1e-5, atol=1e-7 * expected)
    assert np.abs(gradient[0]).max() > 1e-2 * expected  # the parameters are not at the sum's minimum


def _monthly(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.period_range("2015-01", periods=len(values), freq="M"))


def test_the_seasons_test_keeps_seasons_the_values_show_and_drops_the_others():
    rng = np.random.default_rng(0)
    t = np.arange(36.0)
    season = 10 + 0.1 * t + np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.2, 36)
    trend = 10 + 0.3 * t + rng.normal(0, 0.5, 36)
    walk = 10 + np.cumsum(rng.normal(0, 1, 36))
    assert seasons_lower_aic([season], 12)
    assert not seasons_lower_aic([trend], 12)
    assert not seasons_lower_aic([walk], 12)
    # a panel: summed over its series, the seasons of three outweigh the lack of them in one
    assert seasons_lower_aic([season, season[::-1], season + 1, trend], 12)
    assert seasons_lower_aic([trend[:18]], 12)  # too short to fit the seasons with values to spare: kept


def test_shampoo_sales_are_forecast_without_the_seasons_they_do_not_show():
    """ShampooSales (24 monthly training points, a steep trend): the index says 12, the values do not
    repeat; with the seasons its forecast was exactly seasonal naive's (MAPE 0.436; AutoETS 0.125,
    which also leaves them out, Theta 0.251). Airline keeps its seasons; an int is used as given."""
    y = load_shampoo_sales()
    train, test = y.iloc[:-12], y.iloc[-12:]
    f = RNNForecaster(random_state=0).fit(train, fh=np.arange(1, 13))
    assert f.sp_ == 1
    assert mean_absolute_percentage_error(test, f.predict()) < 0.25  # measured 0.187
    assert RNNForecaster(sp=12, max_epochs=2, random_state=0).fit(train, fh=[1]).sp_ == 12
    airline = load_airline().iloc[:-36]
    assert RNNForecaster(max_epochs=2, random_state=0).fit(airline, fh=[1]).sp_ == 12


def test_the_seasons_test_chooses_as_statsmodels_ets_does():
    """The same choice as statsmodels' ETS by AIC (additive errors, damped trend, seasons or none):
    seasons for Airline and a generated trend and season of 48 months, none for ShampooSales and the
    seasonally adjusted quarterly consumption (the index says 4)."""
    ets = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    from sktime.datasets import load_macroeconomic

    t = np.arange(48.0)
    generated = 20 + 0.2 * t + 2 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(1).normal(0, 0.5, 48)
    cases = {
        "airline": (load_airline().iloc[:-36].to_numpy(dtype=float), 12),
        "generated": (generated, 12),
        "shampoo": (load_shampoo_sales().iloc[:-12].to_numpy(dtype=float), 12),
        "consumption": (load_macroeconomic()["realcons"].iloc[-100:].to_numpy(dtype=float), 4),
    }
    for name, (y, sp) in cases.items():
        values = np.log(y)
        aic = {}
        for seasonal in ("add", None):
            model = ets.ETSModel(
                (values - values.mean()) / values.std(),
                error="add",
                trend="add",
                damped_trend=True,
                seasonal=seasonal,
                seasonal_periods=sp if seasonal else None,
            )
            aic[seasonal] = model.fit(disp=False, maxiter=2000).aic
        kept = seasons_lower_aic([values], sp)
        assert kept == (aic["add"] < aic[None]), name
        assert kept == (name in ("airline", "generated")), name


def test_a_panel_gets_one_choice_of_seasons_from_its_series_together():
    """Stores' monthly sales, dates in a column made the index, the stores ending on different months:
    seasonal stores keep the index's 12, trending ones without seasons get 1, each fit one choice."""
    rng = np.random.default_rng(3)
    frames = []
    for store, months, seasonal in (("a", 48, True), ("b", 40, True), ("c", 48, False), ("d", 44, False)):
        t = np.arange(months)
        sales = 50 + 0.5 * t + (8 * np.sin(2 * np.pi * t / 12) if seasonal else 0) + rng.normal(0, 1, months)
        dates = pd.date_range("2019-01-01", periods=months, freq="MS")
        frames.append(pd.DataFrame({"store": store, "date": dates, "sales": sales}))
    table = pd.concat(frames).set_index(["store", "date"])
    tiny = dict(window_length=24, hidden_size=4, max_epochs=1, conformal=False, random_state=0)
    seasonal = table.loc[["a", "b"]]
    trending = table.loc[["c", "d"]]
    assert RNNForecaster(**tiny).fit(seasonal, fh=[1]).sp_ == 12
    assert RNNForecaster(**tiny).fit(trending, fh=[1]).sp_ == 1
    # two columns of one panel: the seasons of one show through the other's lack of them
    both = pd.DataFrame(
        {"seasonal": seasonal["sales"].to_numpy(), "trend": trending["sales"].to_numpy()[: len(seasonal)]},
        index=seasonal.index,
    )
    assert RNNForecaster(**tiny).fit(both, fh=[1]).sp_ == 12


def holt_winters_forecasts(y: np.ndarray, sp: int, h: int, alpha, beta, phi, gamma) -> np.ndarray:
    """Damped-trend Holt-Winters run over ``y`` from its least-squares initial state (the one-step
    forecasts' errors least), forecasting ``h`` steps, in loops."""
    state = least_squares_state(y, sp, alpha, beta, phi, gamma)
    level, trend, seasons = state[0], state[1], list(state[2:])
    for value in y:
        season = seasons.pop(0) if sp > 1 else 0.0
        previous = level
        level = alpha * (value - season) + (1 - alpha) * (previous + phi * trend)
        trend = beta * (level - previous) + (1 - beta) * phi * trend
        if sp > 1:
            seasons.append(gamma * (value - level) + (1 - gamma) * season)
    return np.array(
        [
            level + sum(phi**i for i in range(1, k + 1)) * trend + (seasons[(k - 1) % sp] if sp > 1 else 0.0)
            for k in range(1, h + 1)
        ]
    )


@pytest.mark.parametrize("sp, n", [(1, 13), (1, 3), (4, 23), (12, 30)])
def test_the_whole_series_smoothing_is_holt_winters_from_the_least_squares_state(sp, n):
    """Its map of the last ``n`` values gives the forecasts of Holt-Winters in loops from the initial
    state that fits the one-step forecasts best."""
    rng = np.random.default_rng(sp + n)
    y = np.sin(2 * np.pi * np.arange(n) / max(sp, 2)) + 0.05 * np.arange(n) + rng.normal(0, 0.3, n)
    params = np.array([[0.4, 0.7], [0.2, 0.05], [0.9, 0.98], [0.3, 0.1]])  # two columns, each its own
    forecasts = np.einsum("chn,n->ch", series_smoothing_map(params, sp, n, 7), y)
    for column in range(2):
        expected = holt_winters_forecasts(y, sp, 7, *params[:, column])
        np.testing.assert_allclose(forecasts[column], expected, atol=1e-6)


def least_squares_errors(y: np.ndarray, sp: int, alpha, beta, phi, gamma) -> np.ndarray:
    """Holt-Winters' one-step errors over ``y`` from the initial state that makes them least, in loops."""
    params = (alpha, beta, phi, gamma)
    return y - one_step_forecasts(y, least_squares_state(y, sp, *params), sp, *params)


@pytest.mark.parametrize("sp, lengths", [(1, (13,)), (1, (30,)), (4, (23,)), (1, (13, 9)), (4, (23, 17))])
def test_the_whole_series_smoothings_spread_is_its_state_space_models(sp, lengths):
    """Step h's width at level q: Student's t quantile times the root mean square of the one-step
    errors (Holt-Winters in loops from the least-squares state) times sqrt(1 + sum c_j^2), c_j =
    alpha (1 + beta (phi + ... + phi^j)) + gamma (1 - alpha) where j is a whole number of seasons
    (Hyndman et al. 2008, table 6.1, the seasons' gain written as this smoothing has it). The degrees
    of freedom: the values, less each series' free initial values (2; with seasons 1 + sp, the level
    and seasons trading a constant) and, once, the 3 or 4 parameters the series share. A panel's
    series pool their errors column by column (two columns of different scales here)."""
    from scipy.stats import t

    rng = np.random.default_rng(sp + sum(lengths))
    ys = [
        np.sin(2 * np.pi * np.arange(n) / max(sp, 2)) + 0.05 * np.arange(n) + rng.normal(0, 0.3, n)
        for n in lengths
    ]
    params = np.array([[0.4, 0.7], [0.2, 0.05], [0.9, 0.98], [0.3, 0.1]])  # two columns, each its own
    levels = np.array([0.025, 0.1, 0.5, 0.9, 0.975])
    widths = series_smoothing_spread([np.stack([y, 10 * y], axis=1) for y in ys], params, sp, 9, levels)
    assert widths.shape == (9, 2, 5)
    free = 1 + sp if sp > 1 else 2
    freedom = sum(n - free for n in lengths) - (4 if sp > 1 else 3)
    for column, scale in ((0, 1.0), (1, 10.0)):
        alpha, beta, phi, gamma = params[:, column]
        squares = sum((least_squares_errors(scale * y, sp, *params[:, column]) ** 2).sum() for y in ys)
        c = [
            alpha * (1 + beta * sum(phi**i for i in range(1, j + 1)))
            + (gamma * (1 - alpha) if sp > 1 and j % sp == 0 else 0)
            for j in range(1, 9)
        ]
        variance = np.concatenate([[1.0], 1 + np.cumsum(np.square(c))])
        expected = np.abs(t.ppf(levels, freedom))[None] * np.sqrt(squares / freedom * variance)[:, None]
        np.testing.assert_allclose(widths[:, column], expected, rtol=1e-6, atol=1e-12)


def test_the_whole_series_smoothings_spread_needs_four_degrees_of_freedom():
    """A series of 8 values leaves 3 (8 - 2 - 3): no widths (t's 97.5% quantile would be 3.18, and 12.7
    with one); of 9 values, 4."""
    y = np.cumsum(np.random.default_rng(0).normal(1, 1, 9))[:, None]
    params = np.array([[0.5], [0.1], [0.9], [0.2]])
    levels = np.array([0.1, 0.5, 0.9])
    assert series_smoothing_spread([y[:8]], params, 1, 3, levels) is None
    assert series_smoothing_spread([y], params, 1, 3, levels).shape == (3, 1, 3)


def test_the_whole_series_smoothings_intervals_cover_series_of_its_own_model():
    """600 short series drawn from the damped-trend model itself (alpha 0.5, beta 0.2, phi 0.9): the
    80% and 95% intervals around the map's forecasts, with the true parameters and the widths of the
    series' own errors (the initial state and the errors' spread estimated from 20 values each), cover
    the next 6 values at least as often as they say, and not much more (0.83-0.85 and 0.96-0.97 on six
    draws: the parameters are known here, so the degrees of freedom given to them widen a little).
    The one-step width at every step (no sum of the c_j^2) covered 0.67-0.69 and 0.87."""
    rng = np.random.default_rng(0)
    params = np.array([[0.5], [0.2], [0.9], [0.2]])
    levels = np.array([0.025, 0.1, 0.5, 0.9, 0.975])
    n, h = 20, 6
    forecast_map = series_smoothing_map(params, 1, n, h)[0]
    inside = {0.8: [], 0.95: []}
    for _ in range(600):
        level, trend, values = 10.0, rng.normal(0, 1), []
        for _ in range(n + h):
            error = rng.normal(0, 1)
            values.append(level + 0.9 * trend + error)
            level, trend = level + 0.9 * trend + 0.5 * error, 0.9 * trend + 0.5 * 0.2 * error
        values = np.array(values)
        widths = series_smoothing_spread([values[:n, None]], params, 1, h, levels)[:, 0]
        median = forecast_map @ values[:n]
        for coverage, (lower, upper) in ((0.8, (1, 3)), (0.95, (0, 4))):
            low, high = median - widths[:, lower], median + widths[:, upper]
            inside[coverage].append((values[n:] >= low) & (values[n:] <= high))
    assert 0.8 <= np.mean(inside[0.8]) <= 0.88
    assert 0.95 <= np.mean(inside[0.95]) <= 0.99


def _longley_totemp() -> tuple[pd.Series, pd.Series]:
    from sktime.datasets import load_longley

    y = load_longley()[0]  # TOTEMP, 16 years
    return y.iloc[:-3], y.iloc[-3:]


def _scaled(forecaster: RNNForecaster, values: np.ndarray, key: tuple = ()) -> np.ndarray:
    """Values in the forecaster's units -> the scaled units it models them in (logs, standardised)."""
    mean, scale = forecaster._y_scaling[key]
    values = np.log(values) if forecaster.log_transform_[0] else values
    return (values - mean) / scale


def _units(forecaster: RNNForecaster, scaled: np.ndarray, key: tuple = ()) -> np.ndarray:
    """The scaled units -> the forecaster's units."""
    mean, scale = forecaster._y_scaling[key]
    values = scaled * scale + mean
    return np.exp(values) if forecaster.log_transform_[0] else values


def _assert_halfway_to_the_whole_series_fit(f: RNNForecaster, train: pd.Series, h: int) -> np.ndarray:
    """The median is the mean (in the series' units) of the fitted smoothing's alone and Holt-Winters in
    loops from the least-squares state with ``series_smoothing_``'s parameters; every quantile moves
    alike (the spread stays). Returns the smoothing's quantiles alone at 0.1, 0.5, 0.9 (h, 3)."""
    levels = [0.1, 0.5, 0.9]
    together = f.predict_quantiles(alpha=levels).to_numpy()
    whole, f.series_smoothing_ = f.series_smoothing_, None
    alone = f.predict_quantiles(alpha=levels).to_numpy()
    f.series_smoothing_ = whole
    z = _scaled(f, train.to_numpy(dtype=float))
    fitted = _units(f, holt_winters_forecasts(z, f.net_.module_.sp, h, *whole[:, 0]))
    np.testing.assert_allclose(together[:, 1], (alone[:, 1] + fitted) / 2, rtol=1e-7)
    moved = _scaled(f, together) - _scaled(f, alone)
    np.testing.assert_allclose(moved, moved[:, [1, 1, 1]], atol=1e-9)
    return alone


def test_too_short_to_calibrate_the_forecast_is_halfway_to_the_smoothing_fitted_to_the_whole_series():
    """Longley's TOTEMP: 13 training years, too few to hold any out. The forecast is the mean (in the
    series' units) of the smoothing fitted to the windows and the same smoothing fitted to the whole
    series by its one-step errors, as ETS fits it; the network's spread (on the log scale here) moves
    with it. On this series MAPE 0.010 against the smoothing alone's 0.016 (seed 0; the probe behind
    it: benchmarks/forecasting_fallback_probe_results.txt)."""
    train, test = _longley_totemp()
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        f = RNNForecaster(random_state=0).fit(train, fh=[1, 2, 3])
    assert f.correction_weight_.tolist() == [0.0] and f.series_smoothing_length_ == 13
    assert f.series_smoothing_.shape == (4, 1) and f.net_.module_.sp == 1
    alone = _assert_halfway_to_the_whole_series_fit(f, train, 3)
    error = mean_absolute_percentage_error
    assert error(test, f.predict()) < error(test, pd.Series(alone[:, 1], index=test.index))


def test_the_whole_series_smoothing_reads_the_latest_values_after_update_and_is_saved(tmp_path):
    """After update the map reads the last 13 values (as many as fit read), the new ones included; a
    saved file and a pickle forecast the same."""
    import pickle

    from sklearn_rnn import load, save

    train, test = _longley_totemp()
    with pytest.warns(UserWarning, match="could not calibrate its intervals"):
        f = RNNForecaster(hidden_size=4, max_epochs=5, random_state=0).fit(train, fh=[1, 2])
    f.update(test.iloc[:2], update_params=False)
    latest = np.concatenate([train.to_numpy(dtype=float), test.to_numpy(dtype=float)[:2]])[-13:]
    median = f.predict().to_numpy()
    whole = f.series_smoothing_
    f.series_smoothing_ = None
    alone = f.predict().to_numpy()
    f.series_smoothing_ = whole
    fitted = _units(f, holt_winters_forecasts(_scaled(f, latest), 1, 2, *whole[:, 0]))
    np.testing.assert_allclose(median, (alone + fitted) / 2, rtol=1e-7)
    path = tmp_path / "short.skrnn"
    save(f, path)
    for restored in (load(path), pickle.loads(pickle.dumps(f))):
        np.testing.assert_array_equal(restored.series_smoothing_, whole)
        pd.testing.assert_frame_equal(
            restored.predict_quantiles(alpha=[0.1, 0.5, 0.9]), f.predict_quantiles(alpha=[0.1, 0.5, 0.9])
        )


def test_a_short_panel_forecasts_each_series_from_its_own_values():
    """Three shops' yearly sales, years in a column made the index, ending on different years: one
    smoothing fitted to them together, each series' forecast from its own values; a shop of two
    years, too few to start it from, keeps the smoothing's forecast alone."""
    rng = np.random.default_rng(0)
    frames = []
    for shop, first, years, growth in (("a", 2008, 14, 0.05), ("b", 2010, 10, 0.02), ("c", 2020, 2, 0.0)):
        sales = 100 * (1 + growth) ** np.arange(years) * np.exp(rng.normal(0, 0.02, years))
        frames.append(
            pd.DataFrame(
                {"shop": shop, "year": pd.period_range(str(first), periods=years, freq="Y"), "sales": sales}
            )
        )
    table = pd.concat(frames).set_index(["shop", "year"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # too short to calibrate, and the shop of two years
        f = RNNForecaster(hidden_size=4, max_epochs=5, random_state=0).fit(table, fh=[1, 2])
        together = f.predict()
        whole = f.series_smoothing_
        f.series_smoothing_ = None
        alone = f.predict()
        f.series_smoothing_ = whole
    assert whole is not None and f.series_smoothing_length_ == 14
    for shop in ("a", "b"):
        z = _scaled(f, table.loc[shop, "sales"].to_numpy(), (shop,))
        fitted = _units(f, holt_winters_forecasts(z, 1, 2, *whole[:, 0]), (shop,))
        got, base = together.loc[shop, "sales"].to_numpy(), alone.loc[shop, "sales"].to_numpy()
        np.testing.assert_allclose(got, (base + fitted) / 2, rtol=1e-7)
        assert together.loc[shop].index[0] == table.loc[shop].index[-1] + 1  # from its own end
    pd.testing.assert_frame_equal(together.loc[["c"]], alone.loc[["c"]])


def test_too_few_held_out_values_to_weigh_the_network_average_the_smoothing_with_its_whole_series_fit():
    """Airline's first four years, the last held out: 36 training months forecasting 12 hold out 4 time
    points, fewer than the 10 that weigh the network's correction, so the forecast is the smoothing's
    alone, and it is averaged (in the series' units) with the same smoothing fitted to the whole series,
    as where none are held out; the intervals keep the offsets calibrated on the held-out values
    (about the smoothing's own forecasts, moved with the mean), without floors.
    (Before, the smoothing alone; the probe behind it is on the user guide's forecasting page.)"""
    y = load_airline().iloc[:48]
    train = y.iloc[:36]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # too few held-out time points for 95%
        f = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(train, fh=np.arange(1, 13))
    held = int(f.n_calibration_scores_[0])
    assert 0 < held < f.WEIGHING_VALUES and f.correction_weight_.tolist() == [0.0]
    assert f.series_smoothing_ is not None and f.series_smoothing_length_ == 36
    assert f.conformal_offsets_ is not None and f.interval_floors_ is None
    _assert_halfway_to_the_whole_series_fit(f, train, 12)  # the calibrated spread moves alike


def test_the_whole_series_smoothing_only_where_the_forecast_is_the_smoothing_alone_by_default():
    """A weight set by hand, the network's forecasts (conformal=False), X, the naive baseline and a
    series long enough to calibrate: none of them fits it."""
    train, _ = _longley_totemp()
    tiny = dict(hidden_size=4, max_epochs=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert RNNForecaster(**tiny).fit(train, fh=[1]).series_smoothing_ is not None
        for params in ({"correction_weight": 0.0}, {"conformal": False}, {"baseline": "naive"}):
            assert RNNForecaster(**tiny, **params).fit(train, fh=[1]).series_smoothing_ is None, params
        X = pd.DataFrame({"x": np.arange(len(train), dtype=float)}, index=train.index)
        assert RNNForecaster(**tiny).fit(train, X=X, fh=[1]).series_smoothing_ is None
    long = RNNForecaster(**tiny).fit(_trend(90), fh=[1])
    assert long.n_calibration_scores_[0] >= long.WEIGHING_VALUES and long.series_smoothing_ is None


def test_halfway_to_takes_the_mean_in_the_series_units_and_keeps_the_spread():
    """A column on the log scale gets the arithmetic mean of the two forecasts in its units (not the
    geometric one of the scaled values), another the mean of its values; a NaN forecast moves nothing."""
    quantiles = torch.tensor([[[[-1.0, 0.0, 2.0], [-1.0, 0.5, 1.0]], [[0.0, 1.0, 3.0], [0.0, 0.0, 0.0]]]])
    forecast = torch.tensor([[[1.0, 1.5], [float("nan"), 2.0]]])  # (1 series, 2 steps, 2 columns)
    scale = torch.tensor([[0.5, 2.0]])  # the series' (n, C) scales
    mean = torch.tensor([[3.0, 7.0]])
    out = halfway_to(quantiles, forecast, 1, scale, torch.tensor([True, False]))
    in_units = np.exp(mean[0, 0].item() + scale[0, 0].item() * out[0, 0, 0, 1].item())
    expected = (np.exp(3.0 + 0.5 * 0.0) + np.exp(3.0 + 0.5 * 1.0)) / 2
    assert in_units == pytest.approx(expected, rel=1e-12)
    assert out[0, 0, 1, 1].item() == pytest.approx(1.0)  # (0.5 + 1.5) / 2, not on the log scale
    assert out[0, 1, 1, 1].item() == pytest.approx(1.0)
    np.testing.assert_allclose(out[0, 1, 0].numpy(), quantiles[0, 1, 0].numpy())  # no forecast there
    spread = (out - out[..., 1:2]).numpy()
    np.testing.assert_allclose(spread, (quantiles - quantiles[..., 1:2]).numpy(), atol=1e-12)


def test_a_log_column_constant_in_fit_is_averaged_in_its_units_after_it_moves():
    """A column constant in fit is read by 1, not by the rounding of itself it is stored with: once
    update moves it, its forecast is the mean of the two in its units (with the stored scale, ~1e-308
    for a constant 1.0, it fell below both)."""
    from sklearn_rnn._scaling import input_scale

    index = pd.period_range("2000", periods=13, freq="Y")
    y = pd.DataFrame({"a": 100 * 1.05 ** np.arange(13), "b": np.full(13, 1.0)}, index=index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # too short to calibrate; b moved
        f = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0, target_transform="log")
        f.fit(y, fh=[1, 2])
        new = pd.DataFrame(
            {"a": [190.0, 200.0], "b": [1.5, 2.0]}, index=pd.period_range("2013", periods=2, freq="Y")
        )
        f.update(new, update_params=False)
        together = f.predict()["b"].to_numpy()
        whole, f.series_smoothing_ = f.series_smoothing_, None
        alone = f.predict()["b"].to_numpy()
    mean, scale = f._y_scaling[()]
    assert input_scale(mean, scale)[1] == 1.0 and scale[1] < 1e-300
    z = np.log(f._y_hist["b"].to_numpy(dtype=float))[-13:] - mean[1]  # read by 1
    fitted = np.exp(holt_winters_forecasts(z, 1, 2, *whole[:, 1]) + mean[1])
    np.testing.assert_allclose(together, (alone + fitted) / 2, rtol=1e-7)


def test_no_whole_series_smoothing_with_seasons_on_fewer_than_two_seasons_and_7_values_more():
    """Ten quarters: the smoothing's window holds a season of 4, but 2 + 4 initial values fitted to 10
    leave too little to fit the parameters to (the seasons test's rule): the smoothing alone."""
    t = np.arange(10)
    y = pd.Series(50 + t + 5 * np.sin(np.pi * t / 2), index=pd.period_range("2000Q1", periods=10, freq="Q"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        f = RNNForecaster(hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1, 2])
        assert f.net_.module_.sp == 4 and f.series_smoothing_ is None
        assert (
            RNNForecaster(sp=1, hidden_size=4, max_epochs=2, random_state=0).fit(y, fh=[1]).series_smoothing_
            is not None
        )
