"""The forecaster's networks: quantile forecasts corrected from a smoothing baseline, their loss and shift."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .recurrent import Ensemble, RecurrentNet

__all__ = [
    "ConformalShift",
    "ExponentialSmoothing",
    "ForecastNet",
    "PinballLoss",
    "fit_series_smoothing",
    "halfway_to",
    "seasons_lower_aic",
    "series_reach",
    "series_shortest",
    "series_smoothing_map",
    "series_smoothing_spread",
]


class PinballLoss(nn.Module):
    """Quantile (pinball) loss of ``(n, H, C, Q)`` predictions against ``(n, H, C)`` targets.

    Targets that are NaN (steps past the end of a series) contribute zero.
    """

    def __init__(self, quantiles: tuple[float, ...] = (0.5,), reduction: str = "none") -> None:
        super().__init__()
        self.register_buffer("quantiles", torch.tensor(quantiles, dtype=torch.float32))
        self.reduction = reduction

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        observed = torch.isfinite(y_true)
        diff = torch.nan_to_num(y_true, nan=0.0)[..., None] - y_pred
        q = self.quantiles.to(y_pred.device)
        loss = torch.maximum(q * diff, (q - 1) * diff) * observed[..., None]
        if self.reduction == "none":
            return loss
        if self.reduction == "sum":
            return loss.sum()
        return loss.sum() / observed.sum().clamp(min=1) / len(q)


class ExponentialSmoothing(nn.Module):
    """Damped-trend exponential smoothing over each window: ``(n, W, C)`` -> ``(n, H, C)`` forecasts.

    Holt's linear method with a damped trend (Gardner and McKenzie, 1985), and
    additive seasons of period ``sp`` when ``1 < sp <= W``, run over the window
    from its first season. Its smoothing parameters (level ``alpha``, trend
    ``beta``, damping ``phi``, seasons ``gamma``; one set per column, shared by
    all series) are fitted alone to the training windows (:meth:`fit`) before
    the network learns to correct its forecasts; networks built with
    ``fixed_smoothing=False`` (files written before) learned them with their
    weights, as in Smyl's ES-RNN. On the log scale the seasons and trend are
    multiplicative in the original units.
    """

    deterministic_init = True  # starts from fixed values (no random numbers to seed)
    start = (0.5, 0.1, 0.9, 0.2)  # alpha, beta, phi, gamma

    def __init__(self, n_targets: int, horizon: int, sp: int = 1) -> None:
        super().__init__()
        self.horizon = horizon
        self.sp = sp
        self.logits = nn.Parameter(torch.empty(4, n_targets))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Start from ``start``: alpha 0.5, beta 0.1, phi 0.9, gamma 0.2 (stored as logits)."""
        with torch.no_grad():
            start = torch.logit(torch.tensor(self.start, dtype=self.logits.dtype))
            self.logits.copy_(start[:, None].expand_as(self.logits))

    def fit(self, windows: torch.Tensor, targets: torch.Tensor, steps: int = 300, lr: float = 0.05) -> None:
        """Fit the smoothing parameters alone to ``(n, W, C)`` windows and their ``(n, H, C)`` targets.

        Minimises the mean absolute error of the forecasts over the observed
        (finite) targets with Adam, from ``start``, on every window given: the
        classical model fitted by itself, before any network corrects it.
        """
        observed = torch.isfinite(targets)
        targets = torch.nan_to_num(targets)
        count = observed.sum().clamp(min=1)
        fixed = not self.logits.requires_grad
        self.logits.requires_grad_(True)
        _minimise(
            self.logits, lambda _: ((self(windows) - targets).abs() * observed).sum() / count, steps, lr
        )
        self.logits.requires_grad_(not fixed)

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        alpha, beta, phi, gamma = torch.sigmoid(self.logits)
        W = int(y.shape[1])  # a constant under ONNX tracing too (the window length is fixed)
        sp = self.sp if 1 < self.sp <= W else 1
        if sp > 1:  # the first season starts the level, the seasons and (from the second) the trend
            level = y[:, :sp].mean(dim=1)
            trend = (y[:, sp : 2 * sp].mean(dim=1) - level) / sp if W >= 2 * sp else torch.zeros_like(level)
            seasons = y[:, :sp] - level[:, None]
            level = level + trend * (sp - 1) / 2  # the first season's mean sits at its middle step
            state = torch.cat([level[:, None], trend[:, None], seasons], dim=1)  # (n, 2 + sp, C)
        else:
            state = torch.stack([y[:, 0], (y[:, -1] - y[:, 0]) / max(W - 1, 1)], dim=1)  # (n, 2, C)
        transition, gain = self._system(alpha, beta, phi, gamma, sp)
        k = W - sp  # the steps after the first season (after the first step without seasons)
        if k > 0:
            # the smoothing is linear in y: state_W = A^k state_0 + sum_m A^m g y_(W-1-m)
            powers, weights = _powers_and_weights(transition, gain, k)  # (C, S, S), (C, k, S)
            recent_first = y[:, sp:].flip(dims=(1,))  # (n, k, C)
            state = state.permute(2, 0, 1) @ powers.transpose(1, 2)  # (C, n, S)
            state = (state + recent_first.permute(2, 0, 1) @ weights).permute(1, 2, 0)
        ahead = torch.arange(1, self.horizon + 1, device=y.device, dtype=y.dtype)[:, None]
        damping = torch.cumsum(phi**ahead, dim=0)  # (H, C): phi + ... + phi^h, stable as phi nears 1
        out = state[:, :1] + damping[None] * state[:, 1:2]
        if sp > 1:  # the state holds the seasons of the last sp steps, oldest first
            out = out + state[:, 2 + torch.arange(self.horizon, device=y.device) % sp]
        return out

    @staticmethod
    def _system(alpha, beta, phi, gamma, sp: int) -> tuple[torch.Tensor, torch.Tensor]:
        """One smoothing step as ``state' = A state + g y``: A ``(C, S, S)``, g ``(C, S)``.

        The state is (level, trend) followed, with seasons, by the seasons of the
        last ``sp`` steps, oldest first: the oldest is the one a step reads, and
        the step's new season goes last.
        """
        C = alpha.shape[0]
        S = 2 + (sp if sp > 1 else 0)
        A = alpha.new_zeros(C, S, S)
        g = alpha.new_zeros(C, S)
        # level' = (1 - a) level + (1 - a) phi trend - a oldest + a y
        # trend' = b (level' - level) + (1 - b) phi trend
        # season' = g (y - level') + (1 - g) oldest
        A[:, 0, 0], A[:, 0, 1] = 1 - alpha, (1 - alpha) * phi
        A[:, 1, 0], A[:, 1, 1] = -alpha * beta, phi * (1 - alpha * beta)
        g[:, 0], g[:, 1] = alpha, alpha * beta
        if sp > 1:
            A[:, 0, 2], A[:, 1, 2] = -alpha, -alpha * beta
            last = S - 1
            A[:, last, 0], A[:, last, 1] = -gamma * (1 - alpha), -gamma * (1 - alpha) * phi
            A[:, last, 2] = 1 - gamma + gamma * alpha
            g[:, last] = gamma * (1 - alpha)
            rows = torch.arange(2, last)
            A[:, rows, rows + 1] = 1.0  # the other seasons move one place towards the oldest
        return A, g


def _powers_and_weights(A: torch.Tensor, g: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``A^k`` and the weights ``A^m g`` for ``m = 0..k-1``, by doubling (about 2 log2(k) products)."""
    weights = g[:, None, :]  # (C, 1, S): m = 0
    squares = [A]  # A^(2^i); the last one is A^(number of weights so far)
    while weights.shape[1] < k:
        weights = torch.cat([weights, weights @ squares[-1].transpose(1, 2)], dim=1)
        squares.append(squares[-1] @ squares[-1])
    # A^k from the binary digits of k, with the squares the doubling already made
    result = None
    for i, square in enumerate(squares):
        if k >> i & 1:
            result = square if result is None else result @ square
    return result, weights[:, :k]


# the seasons test reads each series' last SEASONS_READ seasons, at least STEPS_READ steps, of at most
# MOST_COLUMNS columns of series (evenly spread over a panel), CHUNK of them at a time
SEASONS_READ, STEPS_READ, MOST_COLUMNS, CHUNK = 10, 100, 256, 64


def seasons_lower_aic(series: list[np.ndarray], sp: int, steps: int = 50, lr: float = 0.2) -> bool:
    """Whether the smoothing with seasons of period ``sp`` fits ``series`` better, by AIC, than without.

    Exponential smoothing's automatic choice of a seasonal model (as ETS makes it,
    Hyndman et al. 2002), between the two :class:`ExponentialSmoothing` models:
    damped trend with additive seasons, and damped trend alone. Each is fitted to
    each column of each series of ``series`` (1-D or ``(T, C)`` arrays, on the
    scale the forecaster models them) by least squares of its one-step
    forecasts over the series' last ``max(STEPS_READ, SEASONS_READ * sp)`` steps:
    its smoothing parameters (with Adam, from ``ExponentialSmoothing.start``)
    and its initial state (solved for exactly, given the parameters). The
    seasons are kept when the Gaussian AIC of the columns together is lower with
    them: ``sum n log(SSE without / SSE with) > 2 sp`` per column, the seasons
    adding their smoothing parameter and ``sp - 1`` free initial seasons (one
    choice for a panel, whose series share the smoothing: a strongly seasonal
    series can outweigh several without seasons). Columns of fewer than two
    seasons (and ``sp + 7`` steps) are left out: on fewer, the choice was
    little better than a coin's on generated monthly series. Where none is
    left, or a fit diverged, the seasons are kept. Of more than
    ``MOST_COLUMNS`` columns, that many evenly spread ones are read.
    """
    columns = []
    for values in series:
        values = np.asarray(values, dtype=np.float64)
        values = values.reshape(len(values), -1)[-max(STEPS_READ, SEASONS_READ * sp) :]
        if len(values) >= max(2 * sp, sp + 7):
            columns.extend(values.T)
    if not columns:
        return True
    if len(columns) > MOST_COLUMNS:
        columns = [columns[i] for i in np.linspace(0, len(columns) - 1, MOST_COLUMNS).round().astype(int)]
    gain = sum(_seasons_gain(columns[i : i + CHUNK], sp, steps, lr) for i in range(0, len(columns), CHUNK))
    return bool(gain > 0) or not np.isfinite(gain)  # a fit that diverged tells nothing: kept


def _seasons_gain(columns: list[np.ndarray], sp: int, steps: int, lr: float) -> float:
    """``sum n log(SSE without / SSE with) - 2 sp`` over ``columns``, each fitted alone."""
    standardised = []
    for c in columns:
        peak = np.abs(c).max()
        c = c / peak if peak > 0 else c  # in units of its peak first: the std of 1e200s overflows
        spread = c.std()
        standardised.append((c - c.mean()) / (spread if spread > 0 else 1.0))
    y, observed = _padded(standardised)
    n = observed.sum(dim=1).to(torch.float64)
    sse = {}
    for period in (sp, 1):
        start = torch.logit(torch.tensor(ExponentialSmoothing.start, dtype=torch.float64))
        logits = start[None].repeat(len(columns), 1).requires_grad_(True)
        # elementwise (Adam): each column's fit its own
        _minimise(logits, lambda w, p=period: (_one_step_sse(y, observed, w, p) / n).sum(), steps, lr)
        with torch.no_grad():
            sse[period] = _one_step_sse(y, observed, logits, period).clamp(min=1e-12) / n
    return float((n * torch.log(sse[1] / sse[sp])).sum() - 2 * sp * len(columns))


def _padded(columns: list[np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
    """Columns of unequal lengths -> ``(B, N)`` float64 rows padded with zeros at their ends, and the
    mask of their values."""
    N = max(len(c) for c in columns)
    y = torch.zeros(len(columns), N, dtype=torch.float64)
    observed = torch.zeros(len(columns), N, dtype=torch.bool)
    for i, c in enumerate(columns):
        y[i, : len(c)] = torch.from_numpy(np.asarray(c, dtype=np.float64))
        observed[i, : len(c)] = True
    return y, observed


def _minimise(parameter: torch.Tensor, loss, steps: int, lr: float) -> torch.Tensor:
    """``steps`` of Adam at rate ``lr`` on ``parameter`` against ``loss(parameter)``; the last loss.

    The arithmetic of ``torch.optim.Adam``'s defaults (betas 0.9 and 0.999, eps
    1e-8), written out: on a few parameters the optimizer's bookkeeping cost as
    much as the loss and its gradient.
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    exp_avg, exp_avg_sq = torch.zeros_like(parameter), torch.zeros_like(parameter)
    for step in range(1, steps + 1):
        with torch.enable_grad():
            value = loss(parameter)
            (grad,) = torch.autograd.grad(value, parameter)
        with torch.no_grad():
            exp_avg.lerp_(grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / (1 - beta2 ** float(step)) ** 0.5).add_(eps)
            parameter.addcdiv_(exp_avg, denom, value=-lr / (1 - beta1 ** float(step)))
    return value


def _one_step_rows(alpha, beta, phi, gamma, sp: int, n: int):
    """The smoothing's system ``A``, ``g`` and how its one-step forecasts read it over ``n`` steps:
    the rows ``c A^t`` ``(B, n, S)`` (``c`` reads level, damped trend and the season due) and the
    impulse ``c A^m g`` ``(B, n)``."""
    A, g = ExponentialSmoothing._system(alpha, beta, phi, gamma, sp)  # (B, S, S), (B, S)
    c = torch.zeros_like(g)
    c[:, 0], c[:, 1] = 1.0, phi
    if sp > 1:
        c[:, 2] = 1.0
    _, rows = _powers_and_weights(A.transpose(1, 2), c, n)  # (B, n, S): c A^m, m = 0..n-1
    return A, g, rows, (rows * g[:, None, :]).sum(dim=2)


def _ridged(gram: torch.Tensor) -> torch.Tensor:
    """``(B, S, S)`` Gram matrices with the small ridge the least-squares initial states are solved with."""
    ridge = 1e-9 * gram.diagonal(dim1=1, dim2=2).sum(dim=1)[:, None, None] + 1e-12
    return gram + ridge * torch.eye(gram.shape[1], dtype=gram.dtype)


def _one_step_sse(y: torch.Tensor, observed: torch.Tensor, logits: torch.Tensor, sp: int) -> torch.Tensor:
    """Sum of squared one-step errors of the smoothing over each row of ``y`` ``(B, N)``.

    ``logits`` ``(B, 4)`` hold each row's parameters; the initial state is each
    row's least-squares one given them. The smoothing is linear: the forecast of
    step ``t`` is ``c A^t x0 + sum_{j<t} c A^(t-1-j) g y_j`` (``c`` reads level,
    damped trend and the season due), the sum a causal convolution (by FFT).
    """
    B, N = y.shape
    _, _, rows, impulse = _one_step_rows(*torch.sigmoid(logits).T, sp, N)
    size = 2 * N
    convolved = torch.fft.irfft(torch.fft.rfft(impulse, size) * torch.fft.rfft(y, size), size)[:, :N]
    from_values = torch.cat([y.new_zeros(B, 1), convolved[:, :-1]], dim=1)
    mask = observed.to(y.dtype)
    target = (y - from_values) * mask
    design = rows * mask[:, :, None]
    gram = design.transpose(1, 2) @ design
    state = torch.linalg.solve(_ridged(gram), design.transpose(1, 2) @ target[:, :, None])
    residual = target - (design @ state)[:, :, 0]
    return (residual * residual).sum(dim=1)


# the smoothing fitted to whole series (where they are too short to calibrate): Adam's steps and rate,
# the fewest values a series needs to be read, and the fewest degrees of freedom its interval widths
# need (4: those of M1's shortest yearly series measured, 9 values; t's 97.5% quantile 2.78)
SERIES_STEPS, SERIES_LR, SERIES_SHORTEST, SPREAD_FREEDOM = 200, 0.1, 3, 4


def fit_series_smoothing(series: list[np.ndarray], sp: int) -> np.ndarray | None:
    """alpha, beta, phi, gamma ``(4, C)`` of the smoothing fitted to whole ``series`` by one-step errors.

    Exponential smoothing fitted as ETS fits it (Hyndman et al. 2002), not to
    windows: each column's parameters (shared by the series, ``(T_i, C)``
    arrays on the scale the forecaster models them) minimise the squared
    one-step errors over every value of every series, each from its own
    least-squares initial state (:func:`_one_step_sse`), with Adam from
    ``ExponentialSmoothing.start``. Series of fewer than :func:`series_shortest`
    values are left out, and of longer ones the last :func:`series_reach`
    are read; of a panel of more than ``MOST_COLUMNS`` columns of series,
    that many evenly spread. None where none is left or the fit diverged.
    """
    read = _series_read(series, sp)
    if read is None:
        return None
    y, observed, column = read
    C = int(column.max()) + 1
    count = observed.sum().to(torch.float64)
    start = torch.logit(torch.tensor(ExponentialSmoothing.start, dtype=torch.float64))
    logits = start[:, None].repeat(1, C).requires_grad_(True)
    loss = _minimise(
        logits, lambda w: _one_step_sse(y, observed, w.T[column], sp).sum() / count, SERIES_STEPS, SERIES_LR
    )
    params = torch.sigmoid(logits.detach())
    return params.numpy() if bool(torch.isfinite(params).all()) and bool(torch.isfinite(loss)) else None


def _series_read(series: list[np.ndarray], sp: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None:
    """The columns of ``series`` the fits to whole series read, as padded rows (:func:`_padded`) with
    each row's column: series of at least :func:`series_shortest` values, their last
    :func:`series_reach`, of more than ``MOST_COLUMNS`` columns that many evenly spread. None where
    none is left."""
    reach, shortest = series_reach(sp), series_shortest(sp)
    series = [np.asarray(s, dtype=np.float64)[-reach:] for s in series if len(s) >= shortest]
    if not series:
        return None
    C = series[0].shape[1]
    most = max(1, MOST_COLUMNS // C)  # of more series, that many evenly spread (they share the fit)
    if len(series) > most:
        series = [series[i] for i in np.linspace(0, len(series) - 1, most).round().astype(int)]
    y, observed = _padded([column for values in series for column in values.T])
    return y, observed, torch.arange(C).repeat(len(series))


def series_smoothing_spread(
    series: list[np.ndarray], params: np.ndarray, sp: int, horizon: int, levels: np.ndarray
) -> np.ndarray | None:
    """Distances ``(H, C, Q)`` of the whole-series smoothing's quantiles at ``levels`` from its median.

    The prediction intervals of the state space model behind the smoothing with
    ``params`` ``(4, C)`` (additive errors; Hyndman et al., *Forecasting with
    Exponential Smoothing*, 2008, chapter 6): the error of the forecast of step
    ``h`` is ``e_h + sum_(j<h) c_j e_(h-j)``, ``c_j = w F^(j-1) g`` with ``F = A + g w``
    (``A``, ``g`` the smoothing's system, ``w`` how a one-step forecast reads the
    state), so its variance is ``s^2 v_h``, ``v_h = 1 + sum_(j<h) c_j^2``. ``s^2`` is the
    one-step errors' sum of squares over the series :func:`fit_series_smoothing` read
    (each from its least-squares initial state) over their degrees of freedom: the
    values less, per series, the initial state's free values (``2``; with seasons
    ``1 + sp``, its level and seasons trading a constant) and, once, the smoothing's
    three parameters (four with seasons; the series share them); the quantile at ``q``
    is Student's t of those degrees of freedom, times ``s sqrt(v_h)``. The parameters'
    own uncertainty is left out, as ETS leaves it. None where no series is long enough
    to read or fewer than ``SPREAD_FREEDOM`` degrees of freedom are left (with one,
    t's 97.5% quantile is 12.7: on six values of a random walk the 95% interval came
    out 3.7 times as wide as its true step deviation makes it).
    """
    from scipy.stats import t as student

    read = _series_read(series, sp)
    if read is None:
        return None
    y, observed, column = read
    C = params.shape[1]
    p = torch.as_tensor(np.asarray(params, dtype=np.float64))
    with torch.no_grad():
        sse = _one_step_sse(y, observed, torch.logit(p).T[column], sp).numpy()
        A, g, first, _ = (m.numpy() for m in _one_step_rows(*p, sp, 1))
    reads = first[:, 0]  # (C, S): how a one-step forecast reads the state
    free_states = 1 + sp if sp > 1 else 2  # the level and the seasons trade a constant
    parameters = 4 if sp > 1 else 3  # one set a column, shared by the series
    lengths = observed.sum(dim=1).numpy()[column.numpy() == 0]  # each series' length (every column's)
    freedom = int((lengths - free_states).sum()) - parameters
    if freedom < SPREAD_FREEDOM:
        return None
    sigma = np.sqrt(np.bincount(column.numpy(), weights=sse, minlength=C) / freedom)  # (C,)
    variance = np.ones((horizon, C))
    for c in range(C):
        transition = A[c] + np.outer(g[c], reads[c])
        row, total = reads[c], 1.0
        for h in range(1, horizon):
            total += float(row @ g[c]) ** 2
            variance[h, c] = total
            row = row @ transition
    quantiles = np.abs(student.ppf(np.asarray(levels, dtype=np.float64), freedom))  # (Q,)
    return (sigma * np.sqrt(variance))[..., None] * quantiles  # (H, C, 1) (Q,)


def series_shortest(sp: int) -> int:
    """The fewest values a series needs for the fits to whole series: ``SERIES_SHORTEST``, with seasons
    two seasons and ``sp + 7`` values, as the seasons test needs (fewer leave the ``2 + sp`` initial
    values little to fit)."""
    return SERIES_SHORTEST if sp <= 1 else max(SERIES_SHORTEST, 2 * sp, sp + 7)


def series_reach(sp: int) -> int:
    """How many of a series' latest values the fits to whole series read: at least ``STEPS_READ``,
    ``SEASONS_READ`` seasons of ``sp``."""
    return max(STEPS_READ, SEASONS_READ * sp)


def series_smoothing_map(params: np.ndarray, sp: int, length: int, horizon: int) -> np.ndarray:
    """``(C, H, length)``: each column's forecasts of steps ``1..H`` as a linear map of its last values.

    The smoothing with parameters ``params`` ``(4, C)`` run over ``length``
    values from the initial state that fits their one-step forecasts best
    (least squares, as :func:`_one_step_sse` solves it): the one-step
    forecasts are ``R x0 + K y`` (``R`` the rows ``c A^t``, ``K`` the causal
    weights ``c A^(t-1-j) g``), so ``x0 = P (I - K) y`` with
    ``P = (R'R)^-1 R'`` (``P K`` a correlation, by FFT); the state after the
    values is ``A^n x0 + sum_j A^(n-1-j) g y_j``; the forecast of step ``h``
    reads its level, damped trend and season. Every step is linear in the
    values: the map is fixed once the parameters and length are.
    """
    n = length
    phi = torch.as_tensor(np.asarray(params[2], dtype=np.float64))
    A, g, rows, impulse = _one_step_rows(*torch.as_tensor(np.asarray(params, dtype=np.float64)), sp, n)
    C, S = g.shape
    P = torch.linalg.solve(_ridged(rows.transpose(1, 2) @ rows), rows.transpose(1, 2))
    # (P K)[j] = sum_m P[j + 1 + m] c A^m g: the reversed P[1:] convolved with the impulse, reversed
    flipped = P[..., 1:].flip(dims=(-1,))  # (C, S, n - 1)
    size = 2 * n
    spectrum = torch.fft.rfft(flipped, size) * torch.fft.rfft(impulse, size)[:, None, :]
    correlated = torch.fft.irfft(spectrum, size)[..., : n - 1].flip(dims=(-1,))
    start = P - torch.cat([correlated, P.new_zeros(C, S, 1)], dim=-1)  # (C, S, n): x0 = start @ y
    power, weights = _powers_and_weights(A, g, n)  # A^n, A^m g (C, n, S)
    end = power @ start + weights.flip(dims=(1,)).transpose(1, 2)  # (C, S, n): the state after them
    ahead = torch.arange(1, horizon + 1, dtype=torch.float64)
    reads = torch.zeros(C, horizon, S, dtype=torch.float64)
    reads[:, :, 0] = 1.0
    reads[:, :, 1] = torch.cumsum(phi[:, None] ** ahead, dim=1)  # phi + ... + phi^h
    if sp > 1:  # the seasons oldest first: step h reads the (h - 1) % sp-th
        reads[:, torch.arange(horizon), 2 + torch.arange(horizon) % sp] = 1.0
    return (reads @ end).numpy()


def halfway_to(
    quantiles: torch.Tensor,
    forecast: torch.Tensor,
    median: int,
    scale: torch.Tensor | None = None,
    log: torch.Tensor | None = None,
) -> torch.Tensor:
    """``quantiles`` ``(n, H, C, Q)`` moved alike so that their median is the mean of it and
    ``forecast`` ``(n, H, C)`` in the series' units: the mean of two forecasts, the spread of the first.

    Both are in the scaled units. For the columns ``log`` ``(C,)`` marks, whose scaled values are
    logs standardised by ``scale`` (``(C,)`` or each row's ``(n, C)``), the mean of the two in the
    series' units is ``(logaddexp(s a, s b) - log 2) / s`` (the arithmetic mean of ``exp(m + s a)``
    and ``exp(m + s b)``, whatever the mean ``m`` and level taken off); otherwise it is the mean of
    the scaled values. Where ``forecast`` is NaN (no forecast), they stay.
    """
    quantiles = quantiles.double()
    forecast = forecast.double()
    centre = quantiles[..., median]
    mean = 0.5 * (centre + forecast)
    if log is not None and bool(log.any()):
        s = scale.double()
        s = s[:, None, :] if s.dim() == 2 else s  # each row's (n, 1, C) or (C,)
        a, b = s * centre, s * forecast  # log(e^a + e^b), as ONNX has it (no logaddexp there)
        in_units = (torch.maximum(a, b) + torch.log(1 + torch.exp(-(a - b).abs())) - math.log(2.0)) / s
        mean = torch.where(log, in_units, mean)
    shift = torch.where(torch.isnan(forecast), 0.0, mean - centre)
    return quantiles + shift[..., None]


class ForecastNet(Ensemble):
    """Window of ``(n, W [+ H], C + F_x)`` values -> ``(n, H, C, Q)`` quantile forecasts.

    The first ``n_targets`` input columns are the (scaled) series. With
    ``local_level``, their mean over the window is subtracted from the inputs, so
    the recurrent network reads the shape of the series relative to its recent
    level. Its outputs are corrections to a baseline forecast of the window:
    ``baseline="smoothing"``, damped-trend exponential smoothing with seasons
    (:class:`ExponentialSmoothing`; with ``fixed_smoothing`` its parameters are
    not trained with the network's, being fitted alone before); ``"naive"``, the
    window's mean (``local_level``) or, with ``sp > 1``, its last season repeated.
    When exogenous columns are present, the window is followed by ``horizon``
    future steps whose target columns are zeroed and marked by a final indicator
    column, so known future ``X`` can inform the forecast without any future
    ``y``. With ``n_networks > 1``, that many networks (this one and ``others``)
    read the same window (:class:`Ensemble`): in training the output stacks their
    forecasts (each trained on its own loss), otherwise it is their mean.

    Outside training, each column's forecast is ``w`` times the network's and
    ``1 - w`` times its baseline's (the networks' mean baseline), ``w`` the
    column's ``correction_weight`` (None: the network's alone): with a
    ``median_index``, every quantile moves by ``1 - w`` times the baseline's
    distance from the network's median (that output of the sorted quantiles),
    so the median is mixed and the network's spread stays; without (files
    written before), each quantile is mixed with the baseline's point
    forecast. The forecaster
    sets it, and stores it as its ``correction_weight_``: a tuple of floats, not
    a tensor, so that the state dict stays the networks' weights.
    """

    def __init__(
        self,
        n_targets: int,
        n_exog: int,
        window_length: int,
        horizon: int,
        n_quantiles: int,
        cell: str,
        hidden_size: int,
        num_layers: int,
        bidirectional: bool,
        dropout: float,
        sp: int = 1,
        local_level: bool = True,
        baseline: str = "naive",
        n_networks: int = 1,
        fixed_smoothing: bool = False,
        median_index: int | None = None,
        exog_baseline: bool = False,
    ) -> None:
        super().__init__()
        if median_index is not None and not 0 <= median_index < n_quantiles:
            raise ValueError(
                f"median_index={median_index} is not the index of one of {n_quantiles} quantiles."
            )
        self.local_level = local_level
        self.median_index = median_index
        self.baseline = baseline
        self.sp = sp if 1 < sp <= window_length else 1
        self.n_targets = n_targets
        self.n_exog = n_exog
        self.window_length = window_length
        self.horizon = horizon
        self.n_quantiles = n_quantiles
        n_features = n_targets + n_exog + (1 if n_exog else 0)
        self.recurrent = RecurrentNet(
            n_features,
            horizon * n_targets * n_quantiles,
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            pooling="last",
        )
        # known future X also reaches the output directly (a linear map per step and quantile),
        # so the forecast need not squeeze every future value through the final state
        self.future_head = nn.Linear(horizon * n_exog, horizon * n_targets * n_quantiles) if n_exog else None
        smoothing = baseline == "smoothing" and local_level  # without: the long-run mean
        self.smoothing = ExponentialSmoothing(n_targets, horizon, self.sp) if smoothing else None
        if self.smoothing is not None and fixed_smoothing:  # fitted alone first (ExponentialSmoothing.fit)
            self.smoothing.logits.requires_grad_(False)
        # the same step's X in the smoothing baseline: a linear map (standardised X -> scaled y) fitted
        # with the smoothing (``exog_baseline``; networks saved before it have none)
        with_map = exog_baseline and n_exog and self.smoothing is not None
        self.register_buffer("x_coef", torch.zeros(n_exog, n_targets) if with_map else None)
        # the other networks of an ensemble: the same architecture, their own weights
        arguments = (n_targets, n_exog, window_length, horizon, n_quantiles, cell, hidden_size, num_layers)
        self.others = (
            nn.ModuleList(
                ForecastNet(
                    *arguments,
                    bidirectional,
                    dropout,
                    sp,
                    local_level,
                    baseline,
                    1,
                    fixed_smoothing,
                    exog_baseline=exog_baseline,
                )
                for _ in range(n_networks - 1)
            )
            if n_networks > 1
            else None
        )
        self.correction_weight: tuple[float, ...] | None = None

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Each network's forecast in training; otherwise their mean, mixed with their mean baseline."""
        out = self._ensemble(X)
        weight = getattr(self, "correction_weight", None)  # absent from modules pickled before it
        if self.training or weight is None:
            return out
        networks = [self, *(self.others or ())]
        baseline = torch.stack([network._baseline(X) for network in networks]).mean(dim=0)
        weight = out.new_tensor(weight)  # (C,): one per column, for every quantile
        median = getattr(self, "median_index", None)  # absent from modules pickled before it
        if median is not None:  # every quantile moves as the median does: the network's spread stays
            out = out.sort(dim=-1).values  # as predict sorts them, against the sorted levels
            # weight 0: the baseline's forecast exactly, even from a diverged network (no spread then)
            spread = torch.nan_to_num(out - out[..., median, None], nan=0.0, posinf=0.0, neginf=0.0)
            centre = torch.where(weight == 0, baseline, baseline + weight * (out[..., median] - baseline))
            return centre[..., None] + spread
        return weight[:, None] * out + (1 - weight[:, None]) * baseline[..., None]

    def _network(self, X: torch.Tensor) -> torch.Tensor:
        C, W = self.n_targets, self.window_length
        past = X[:, :W]
        level = past[..., :C].mean(dim=1)
        if not self.local_level:
            level = torch.zeros_like(level)
        parts = [past[..., :C] - level[:, None, :]]
        if self.n_exog:
            parts += [past[..., C:], past.new_zeros(past.shape[0], W, 1)]
            past = torch.cat(parts, dim=2)
            future = X[:, W:]
            n, h = future.shape[0], future.shape[1]
            future = torch.cat([future.new_zeros(n, h, C), future[..., C:], future.new_ones(n, h, 1)], dim=2)
            inputs = torch.cat([past, future], dim=1)
        else:
            inputs = parts[0]
        out = self.recurrent(inputs)
        if self.n_exog:
            out = out + self.future_head(self.scaled_exog(X[:, W:]).flatten(1))
        out = out.view(-1, self.horizon, C, self.n_quantiles)
        return out + self._baseline(X)[..., None]

    def scaled_exog(self, X: torch.Tensor) -> torch.Tensor:
        """The exogenous columns of ``X`` (after the ``n_targets`` series), standardised by their
        training statistics."""
        C = self.n_targets
        mean = self.recurrent.x_mean[C : C + self.n_exog]
        scale = self.recurrent.x_scale[C : C + self.n_exog]
        return (X[..., C:] - mean) / scale

    def exog_effect(self, X: torch.Tensor) -> torch.Tensor:
        """The baseline's linear effect ``(n, W [+ H], C)`` of each step's exogenous columns of ``X``."""
        return self.scaled_exog(X) @ self.x_coef

    def _baseline(self, X: torch.Tensor) -> torch.Tensor:
        """The forecast ``(n, H, C)`` this network corrects, from the window (and the future X)."""
        C, W = self.n_targets, self.window_length
        if self.smoothing is not None:
            if getattr(self, "x_coef", None) is None:  # no X, or a network pickled before the map
                return self.smoothing(X[:, :W, :C])
            effect = self.exog_effect(X)  # out of the window the smoothing reads, back at the forecast steps
            return self.smoothing(X[:, :W, :C] - effect[:, :W]) + effect[:, W:]
        if self.sp > 1:  # the last observed season, repeated
            season = torch.arange(self.horizon, device=X.device) % self.sp + (W - self.sp)
            return X[:, season, :C]
        level = X[:, :W, :C].mean(dim=1) if self.local_level else X.new_zeros(X.shape[0], C)
        return level[:, None, :].expand(-1, self.horizon, -1)


class ConformalShift(nn.Module):
    """Sorted quantiles ``(..., H, C, Q)`` -> each level moved by its conformal shift, in order.

    ``shifts`` ``(H, C, Q)`` lowers the lower level of each central interval by
    its offset and raises the upper one (the reverse for a negative offset); the
    median's shift is zero. ``floors`` ``(H, C, Q)`` (None: zeros) is the least
    distance of each level from the median: a level nearer is moved out to it.
    The levels then stay in order and the median never moves: a level is
    clipped to the median and to the next level nearer it. Float64 in, float64
    out; exportable to ONNX (no cumulative ops).
    """

    def __init__(self, shifts: np.ndarray, median: int, floors: np.ndarray | None = None) -> None:
        super().__init__()
        self.register_buffer("shifts", torch.as_tensor(np.asarray(shifts, dtype=np.float64)))
        floors = np.zeros_like(self.shifts.numpy()) if floors is None else floors
        self.register_buffer("floors", torch.as_tensor(np.asarray(floors, dtype=np.float64)))
        self.median = median

    def forward(self, quantiles: torch.Tensor) -> torch.Tensor:
        out = quantiles + self.shifts
        centre = quantiles[..., self.median]
        levels = [centre]
        inner = centre
        for i in range(self.median - 1, -1, -1):  # outward from the median: each at most the one inside
            inner = torch.minimum(torch.minimum(out[..., i], centre - self.floors[..., i]), inner)
            levels.insert(0, inner)
        inner = centre
        for i in range(self.median + 1, out.shape[-1]):
            inner = torch.maximum(torch.maximum(out[..., i], centre + self.floors[..., i]), inner)
            levels.append(inner)
        return torch.stack(levels, dim=-1)
