"""The forecaster's networks: quantile forecasts corrected from a smoothing baseline, their loss and shift."""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.special import expit, logit
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
        (finite) targets with Adam, from the current parameters (``start`` on a
        new module), on every window given: the classical model fitted by
        itself, before any network corrects it. The loss and its gradient are
        those of :meth:`forward`, computed in float64 from the forecasts' linear
        map of the window (:func:`_window_loss`): a few small matrix products a
        step, where the module's graph took a hundred tensor operations. Errors
        within ``1e-12`` of a column's largest value count as none (on constant
        windows every smoothing errs by rounding alone).
        """
        y = windows.detach().cpu().double().numpy().transpose(2, 0, 1)  # (C, n, W)
        t = targets.detach().cpu().double().numpy().transpose(2, 0, 1)  # (C, n, H)
        observed = np.isfinite(t)
        t, count = np.where(observed, t, 0.0), max(int(observed.sum()), 1)
        sp = self.sp if 1 < self.sp <= y.shape[2] else 1
        # errors within rounding of a column's values count as none: Adam would step on their signs
        finite = np.isfinite(y)
        largest = np.maximum(
            np.abs(y).max(axis=(1, 2), initial=0.0, where=finite), np.abs(t).max(axis=(1, 2))
        )
        tolerance = 1e-12 * largest[:, None, None]
        logits, _ = _minimise(
            self.logits.detach().cpu().double().numpy(),
            lambda w: _window_loss(w, y, t, observed, sp, count, tolerance),
            steps,
            lr,
        )
        with torch.no_grad():
            self.logits.copy_(torch.from_numpy(logits))

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


# the smoothing's parameters its fits start from, as logits: ExponentialSmoothing.start
START_LOGITS = logit(np.array(ExponentialSmoothing.start))


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


def _system_derivatives(params: np.ndarray, sp: int) -> tuple[np.ndarray, ...]:
    """:meth:`ExponentialSmoothing._system` in float64 NumPy, with its derivatives.

    ``params`` ``(4, C)`` holds alpha, beta, phi and gamma; returns ``A`` ``(C, S, S)``,
    ``g`` ``(C, S)`` and their derivatives ``dA`` ``(C, 4, S, S)``, ``dg`` ``(C, 4, S)``
    with respect to each of the four.
    """
    a, b, p, c = np.asarray(params, dtype=np.float64)
    C, S = len(a), 2 + (sp if sp > 1 else 0)
    A, g = np.zeros((C, S, S)), np.zeros((C, S))
    dA, dg = np.zeros((C, 4, S, S)), np.zeros((C, 4, S))
    A[:, 0, 0], A[:, 0, 1] = 1 - a, (1 - a) * p
    A[:, 1, 0], A[:, 1, 1] = -a * b, p * (1 - a * b)
    g[:, 0], g[:, 1] = a, a * b
    dA[:, 0, 0, 0], dA[:, 0, 0, 1], dA[:, 0, 1, 0], dA[:, 0, 1, 1] = -1.0, -p, -b, -p * b  # d/d alpha
    dg[:, 0, 0], dg[:, 0, 1] = 1.0, b
    dA[:, 1, 1, 0], dA[:, 1, 1, 1], dg[:, 1, 1] = -a, -p * a, a  # d/d beta
    dA[:, 2, 0, 1], dA[:, 2, 1, 1] = 1 - a, 1 - a * b  # d/d phi
    if sp > 1:
        last = S - 1
        A[:, 0, 2], A[:, 1, 2] = -a, -a * b
        A[:, last, 0], A[:, last, 1], A[:, last, 2] = -c * (1 - a), -c * (1 - a) * p, 1 - c + c * a
        g[:, last] = c * (1 - a)
        rows = np.arange(2, last)
        A[:, rows, rows + 1] = 1.0
        dA[:, 0, 0, 2], dA[:, 0, 1, 2] = -1.0, -b
        dA[:, 0, last, 0], dA[:, 0, last, 1], dA[:, 0, last, 2], dg[:, 0, last] = c, c * p, c, -c
        dA[:, 1, 1, 2] = -a
        dA[:, 2, last, 1] = -c * (1 - a)
        dA[:, 3, last, 0], dA[:, 3, last, 1], dA[:, 3, last, 2] = a - 1, (a - 1) * p, a - 1  # d/d gamma
        dg[:, 3, last] = 1 - a
    return A, g, dA, dg


def _dual_product(X, dX, Y, dY):
    """``X Y`` and its derivatives ``dX Y + X dY``: ``X`` ``(C, a, b)``, ``dX`` ``(C, 4, a, b)``, the
    same for ``Y`` (``dX`` and ``dY`` both None: none wanted)."""
    if dX is None:
        return X @ Y, None
    C, a, b = X.shape
    derivative = (dX.reshape(C, 4 * a, b) @ Y).reshape(C, 4, a, Y.shape[2]) + X[:, None] @ dY
    return X @ Y, derivative


def _krylov(Q, dQ, v, dv, k: int):
    """The rows ``v Q^m`` ``(C, k, S)``, ``m = 0..k-1``, by doubling, with their derivatives
    ``(C, 4, k, S)`` and the squares ``Q^(2^i)`` made (pairs of a value and its derivatives): ``Q``
    ``(C, S, S)``, ``v`` ``(C, S)``, ``dQ`` and ``dv`` their derivatives (both None: none)."""
    rows, drows = v[:, None, :], None if dv is None else dv[:, :, None, :]
    squares = [(Q, dQ)]
    while rows.shape[1] < k:
        more, dmore = _dual_product(rows, drows, *squares[-1])
        rows = np.concatenate([rows, more], 1)
        drows = None if dmore is None else np.concatenate([drows, dmore], 2)
        squares.append(_dual_product(*squares[-1], *squares[-1]))
    return rows[:, :k], None if drows is None else drows[:, :, :k], squares


def _initial_map(W: int, sp: int) -> np.ndarray:
    """``(S, W)``: the state :meth:`ExponentialSmoothing.forward` starts from, a linear map of the window."""
    if sp <= 1:  # the first value and the slope from it to the last
        start = np.zeros((2, W))
        start[0, 0] = 1.0
        start[1, 0] -= 1 / max(W - 1, 1)
        start[1, W - 1] += 1 / max(W - 1, 1)
        return start
    level, trend = np.zeros(W), np.zeros(W)
    level[:sp] = 1 / sp  # the first season's mean
    if W >= 2 * sp:  # from the first season's mean to the second's, a step
        trend[sp : 2 * sp] = 1 / sp
        trend = (trend - level) / sp
    start = np.zeros((2 + sp, W))
    start[0], start[1] = level + trend * (sp - 1) / 2, trend
    start[2:, :sp] = np.eye(sp) - level[:sp]
    return start


def _forecast_map(params: np.ndarray, sp: int, W: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """``(C, H, W)``: :meth:`ExponentialSmoothing.forward`'s forecasts as a linear map of the window
    (``1 < sp <= W`` or 1), with its derivatives ``(C, 4, H, W)`` with respect to alpha, beta, phi and
    gamma (``params`` ``(4, C)``).

    The state after the window is ``A^k x0 + sum_m A^m g y_(W-1-m)`` (``k = W - sp``), ``x0``
    :func:`_initial_map`; the forecasts read it (``R``). ``A^m g`` and ``A^k`` come by doubling,
    each with its derivatives (forward mode).
    """
    A, g, dA, dg = _system_derivatives(params, sp)
    C, S = g.shape
    k = W - sp
    # (A^m g)^T = g^T (A^T)^m, m = 0..k-1, and the squares (A^T)^(2^i), with their derivatives
    weights, dweights, squares = _krylov(A.transpose(0, 2, 1), dA.transpose(0, 1, 3, 2), g, dg, k)
    start = _initial_map(W, sp)
    state, dstate = np.broadcast_to(start, (C, S, W)), np.zeros((C, 4, S, W))
    if k > 0:
        # A^k x0 (x0 has no derivatives), then the weights of the values after the first season
        power, dpower = _power(squares, k)  # (A^T)^k
        state, dstate = power.transpose(0, 2, 1) @ start, dpower.transpose(0, 1, 3, 2) @ start
        state[:, :, sp:] += weights[:, k - 1 :: -1].transpose(0, 2, 1)
        dstate[:, :, :, sp:] += dweights[:, :, k - 1 :: -1].transpose(0, 1, 3, 2)
    reads, dreads = _forecast_reads(params, sp, H)
    forecasts, derivatives = reads @ state, reads[:, None] @ dstate
    derivatives[:, 2] += dreads @ state
    return forecasts, derivatives


def _power(squares: list, k: int):
    """``Q^k`` and its derivatives, from the binary digits of ``k`` and the squares ``Q^(2^i)``
    (:func:`_krylov`)."""
    power = None
    for i, square in enumerate(squares):
        if k >> i & 1:
            power = square if power is None else _dual_product(*power, *square)
    return power


def _forecast_reads(params: np.ndarray, sp: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """``(C, H, S)``: how the forecasts of steps ``1..H`` read the state (level, damped trend, the
    season due), and the derivative with respect to phi (``params`` ``(4, C)``)."""
    phi = np.asarray(params[2], dtype=np.float64)[:, None]
    ahead = np.arange(1, H + 1)
    reads, dreads = np.zeros((len(phi), H, 2 + (sp if sp > 1 else 0))), np.zeros((len(phi), H, 1))
    reads[:, :, 0], reads[:, :, 1] = 1.0, np.cumsum(phi**ahead, axis=1)  # phi + ... + phi^h
    dreads[:, :, 0] = np.cumsum(ahead * phi ** (ahead - 1), axis=1)
    if sp > 1:  # the seasons oldest first: step h reads the (h - 1) % sp-th
        reads[:, ahead - 1, 2 + (ahead - 1) % sp] = 1.0
    return reads, np.concatenate([np.zeros_like(dreads), dreads, np.zeros_like(reads[..., 2:])], axis=2)


def _window_loss(
    logits: np.ndarray,
    y: np.ndarray,
    targets: np.ndarray,
    observed: np.ndarray,
    sp: int,
    count: int,
    tolerance: float | np.ndarray = 0.0,
) -> tuple[float, np.ndarray]:
    """The mean absolute error of the smoothing's forecasts of the windows ``y`` ``(C, n, W)``
    against ``targets`` ``(C, n, H)`` where ``observed``, over ``count`` values, and its gradient
    with respect to ``logits`` ``(4, C)``; errors of at most ``tolerance`` (a number, or one a
    column ``(C, 1, 1)``) count as zero (the subgradient of ``|e|`` at zero)."""
    params = expit(logits)
    C, _, W = y.shape
    forecasts, derivatives = _forecast_map(params, sp, W, targets.shape[2])
    error = y @ forecasts.transpose(0, 2, 1) - targets  # (C, n, H)
    error = np.where(observed & (np.abs(error) > tolerance), error, 0.0)
    towards = (np.sign(error) / count).transpose(0, 2, 1) @ y  # (C, H, W): the loss's gradient in the map
    gradient = (derivatives.reshape(C, 4, -1) @ towards.reshape(C, -1, 1))[..., 0].T
    return float(np.abs(error).sum() / count), gradient * params * (1 - params)


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
    n = observed.sum(axis=1)
    sse = {}
    for period in (sp, 1):
        # elementwise (Adam): each column's fit its own
        logits, _ = _minimise(
            np.tile(START_LOGITS, (len(columns), 1)), _mean_sse(y, observed, period), steps, lr
        )
        with np.errstate(all="ignore"):
            sse[period] = np.maximum(_one_step_sse(y, observed, logits, period, gradient=False)[0], 1e-12) / n
    with np.errstate(all="ignore"):  # a fit that diverged: NaN, and the seasons are kept
        return float((n * np.log(sse[1] / sse[sp])).sum() - 2 * sp * len(columns))


def _mean_sse(y: np.ndarray, observed: np.ndarray, sp: int):
    """``logits -> (loss, gradient)``: the sum over the rows of ``y`` of their mean squared one-step
    errors, each row with its own ``logits`` ``(B, 4)`` (:func:`_one_step_sse`)."""
    n = observed.sum(axis=1)

    def loss_and_gradient(logits: np.ndarray) -> tuple[float, np.ndarray]:
        sse, gradient = _one_step_sse(y, observed, logits, sp)
        return float((sse / n).sum()), gradient / n[:, None]

    return loss_and_gradient


def _padded(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Columns of unequal lengths -> ``(B, N)`` float64 rows padded with zeros at their ends, and the
    mask of their values."""
    N = max(len(c) for c in columns)
    y = np.zeros((len(columns), N))
    observed = np.zeros((len(columns), N), dtype=bool)
    for i, c in enumerate(columns):
        y[i, : len(c)] = c
        observed[i, : len(c)] = True
    return y, observed


def _minimise(start: np.ndarray, loss_and_gradient, steps: int, lr: float) -> tuple[np.ndarray, float]:
    """``steps`` of Adam at rate ``lr`` from ``start`` against ``loss_and_gradient(x) -> (loss,
    gradient)``; the parameters and the last loss.

    The arithmetic of ``torch.optim.Adam``'s defaults (betas 0.9 and 0.999, eps
    1e-8), written out in float64: on a few parameters the optimizer's
    bookkeeping cost as much as the loss and its gradient.
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    x = np.array(start, dtype=np.float64)
    exp_avg, exp_avg_sq = np.zeros_like(x), np.zeros_like(x)
    value = np.nan
    with np.errstate(all="ignore"):  # a fit that diverges ends NaN, which its callers check, silently
        for step in range(1, steps + 1):
            value, grad = loss_and_gradient(x)
            exp_avg += (1 - beta1) * (grad - exp_avg)
            exp_avg_sq *= beta2
            exp_avg_sq += (1 - beta2) * grad * grad
            denom = np.sqrt(exp_avg_sq) / (1 - beta2**step) ** 0.5 + eps
            x -= lr / (1 - beta1**step) * exp_avg / denom
    return x, value


def _one_step_reads(params: np.ndarray, sp: int) -> tuple[np.ndarray, np.ndarray]:
    """``c`` ``(C, S)``, how a one-step forecast reads the state (level, damped trend and the season
    due), and its derivatives ``(C, 4, S)`` (``params`` ``(4, C)``: only phi's is not zero)."""
    C, S = params.shape[1], 2 + (sp if sp > 1 else 0)
    reads, dreads = np.zeros((C, S)), np.zeros((C, 4, S))
    reads[:, 0], reads[:, 1] = 1.0, params[2]
    dreads[:, 2, 1] = 1.0
    if sp > 1:
        reads[:, 2] = 1.0
    return reads, dreads


def _ridge(gram: np.ndarray) -> np.ndarray:
    """The small ridge ``(B,)`` the least-squares initial states are solved with, of ``(B, S, S)`` Gram
    matrices."""
    return 1e-9 * np.trace(gram, axis1=1, axis2=2) + 1e-12


def _one_step_sse(
    y: np.ndarray, observed: np.ndarray, logits: np.ndarray, sp: int, gradient: bool = True
) -> tuple[np.ndarray, np.ndarray | None]:
    """Sums of squared one-step errors ``(B,)`` of the smoothing over each row of ``y`` ``(B, N)``
    where ``observed``, and (with ``gradient``) their gradients ``(B, 4)`` with respect to ``logits``.

    ``logits`` ``(B, 4)`` hold each row's parameters; the initial state is each
    row's least-squares one given them (with a small ridge, :func:`_ridge`). The
    smoothing is linear: the forecast of step ``t`` is ``c A^t x0 + sum_{j<t} c
    A^(t-1-j) g y_j`` (``c`` reads level, damped trend and the season due), the
    sum a causal convolution (by FFT). The gradient is exact, the initial
    state's change with the parameters included; the derivatives of ``c A^t``
    and ``c A^m g`` come by doubling (:func:`_krylov`). ``CHUNK`` rows at a time.
    """
    if len(y) > CHUNK:
        parts = [
            _one_step_sse(y[i : i + CHUNK], observed[i : i + CHUNK], logits[i : i + CHUNK], sp, gradient)
            for i in range(0, len(y), CHUNK)
        ]
        sse = np.concatenate([part[0] for part in parts])
        return sse, np.concatenate([part[1] for part in parts]) if gradient else None
    B, N = y.shape
    params = expit(logits).T  # (4, B)
    A, g, dA, dg = _system_derivatives(params, sp)
    reads, dreads = _one_step_reads(params, sp)
    if not gradient:
        dA = dreads = None
    rows, drows, _ = _krylov(A, dA, reads, dreads, N)  # c A^t (B, N, S), (B, 4, N, S)
    impulse = (rows @ g[:, :, None])[..., 0]  # (B, N): c A^m g
    spectrum = np.fft.rfft(y, 2 * N)
    convolved = np.fft.irfft(np.fft.rfft(impulse, 2 * N) * spectrum, 2 * N)[..., :N]
    mask = observed.astype(np.float64)
    target = (y - np.concatenate([np.zeros((B, 1)), convolved[:, :-1]], axis=1)) * mask  # (B, N)
    design = rows * mask[..., None]
    gram = design.transpose(0, 2, 1) @ design
    solved = gram + _ridge(gram)[:, None, None] * np.eye(gram.shape[1])
    state = np.linalg.solve(solved, (design.transpose(0, 2, 1) @ target[..., None]))  # (B, S, 1)
    residual = target - (design @ state)[..., 0]  # 0 past each row's end
    sse = (residual * residual).sum(axis=1)
    if not gradient:
        return sse, None
    dimpulse = (drows @ g[:, None, :, None] + rows[:, None] @ dg[..., None])[..., 0]  # (B, 4, N)
    dconvolved = np.fft.irfft(np.fft.rfft(dimpulse, 2 * N) * spectrum[:, None], 2 * N)[..., :N]
    dtarget = -np.concatenate([np.zeros((B, 4, 1)), dconvolved[..., :-1]], axis=2) * mask[:, None]
    # the design's derivatives are drows masked; unmasked they give the same products with the
    # masked design, target and residual (the mask is 0 or 1), without a copy of drows
    cross = drows.transpose(0, 1, 3, 2) @ design[:, None]  # dD' D (B, 4, S, S)
    dgram = cross + cross.transpose(0, 1, 3, 2)
    dridge = 1e-9 * np.trace(dgram, axis1=2, axis2=3)  # (B, 4)
    # the state's derivatives: (G + r I) dx = dD' t + D' dt - (dD' D + D' dD + dr I) x
    right = (
        drows.transpose(0, 1, 3, 2) @ target[:, None, :, None]
        + design.transpose(0, 2, 1)[:, None] @ dtarget[..., None]
        - dgram @ state[:, None]
        - dridge[..., None, None] * state[:, None]
    )  # (B, 4, S, 1)
    dstate = np.linalg.solve(solved[:, None], right)
    dresidual = dtarget - (drows @ state[:, None])[..., 0] - (design[:, None] @ dstate)[..., 0]
    gradient = 2 * (residual[:, None] * dresidual).sum(axis=2)  # (B, 4): in the parameters
    return sse, gradient * (params * (1 - params)).T


# the smoothing fitted to whole series (where they hold out too few values to weigh the network on, or
# none): Adam's steps and rate,
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
    C, count = int(column.max()) + 1, observed.sum()

    def loss_and_gradient(logits: np.ndarray) -> tuple[float, np.ndarray]:
        sse, gradient = _one_step_sse(y, observed, logits.T[column], sp)  # each row its column's
        by_column = [np.bincount(column, weights=gradient[:, i], minlength=C) for i in range(4)]
        return float(sse.sum() / count), np.stack(by_column) / count

    logits, loss = _minimise(
        np.tile(START_LOGITS[:, None], (1, C)), loss_and_gradient, SERIES_STEPS, SERIES_LR
    )
    params = expit(logits)
    return params if np.isfinite(params).all() and np.isfinite(loss) else None


def _series_read(series: list[np.ndarray], sp: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
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
    return y, observed, np.tile(np.arange(C), len(series))


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
    params = np.asarray(params, dtype=np.float64)
    with np.errstate(all="ignore"):  # values near float64's limits: inf, which the caller checks
        sse, _ = _one_step_sse(y, observed, logit(params).T[column], sp, gradient=False)
    A, g, _, _ = _system_derivatives(params, sp)
    reads, _ = _one_step_reads(params, sp)  # (C, S): how a one-step forecast reads the state
    free_states = 1 + sp if sp > 1 else 2  # the level and the seasons trade a constant
    parameters = 4 if sp > 1 else 3  # one set a column, shared by the series
    lengths = observed.sum(axis=1)[column == 0]  # each series' length (every column's)
    freedom = int((lengths - free_states).sum()) - parameters
    if freedom < SPREAD_FREEDOM:
        return None
    sigma = np.sqrt(np.bincount(column, weights=sse, minlength=C) / freedom)  # (C,)
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
    params = np.asarray(params, dtype=np.float64)
    A, g, _, _ = _system_derivatives(params, sp)
    C, S = g.shape
    reads, _ = _one_step_reads(params, sp)
    rows, _, _ = _krylov(A, None, reads, None, n)  # c A^t (C, n, S)
    impulse = (rows @ g[:, :, None])[..., 0]  # (C, n): c A^m g
    gram = rows.transpose(0, 2, 1) @ rows
    P = np.linalg.solve(gram + _ridge(gram)[:, None, None] * np.eye(S), rows.transpose(0, 2, 1))
    # (P K)[j] = sum_m P[j + 1 + m] c A^m g: the reversed P[1:] convolved with the impulse, reversed
    flipped = P[..., :0:-1]  # (C, S, n - 1)
    spectrum = np.fft.rfft(flipped, 2 * n) * np.fft.rfft(impulse, 2 * n)[:, None, :]
    correlated = np.fft.irfft(spectrum, 2 * n)[..., : n - 1][..., ::-1]
    start = P - np.concatenate([correlated, np.zeros((C, S, 1))], axis=-1)  # (C, S, n): x0 = start @ y
    weights, _, squares = _krylov(A.transpose(0, 2, 1), None, g, None, n)  # (A^m g)^T
    power, _ = _power(squares, n)  # (A^T)^n
    end = power.transpose(0, 2, 1) @ start + weights[:, ::-1].transpose(0, 2, 1)  # the state after them
    forecast_reads, _ = _forecast_reads(params, sp, horizon)
    return forecast_reads @ end


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
