"""Recurrent forecaster for sktime: direct multi-step quantile forecasts from windows of history.

sktime is imported here only; ``sklearn_rnn`` loads this module on first use of
:class:`RNNForecaster`.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy.stats import norm
from sklearn.utils._param_validation import Interval, StrOptions, validate_parameter_constraints
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
from torch import nn
from torch.utils.data import Dataset

from ._base import (
    BaseRNNEstimator,
    SequenceDataset,
    build_net,
    fit_seed,
    make_module,
    predict_in_batches,
    resolve_device,
    torch_session,
    valid_size,
)
from ._callbacks import completed_epochs
from ._data import Sequences
from ._docs import with_shared_parameters
from ._module import RecurrentNet
from ._persistence import VersionedPickleMixin
from ._scaling import column_statistics

__all__ = ["RNNForecaster"]

DEFAULT_QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


# --------------------------------------------------------------------------------------
# torch pieces
# --------------------------------------------------------------------------------------
# set by ``sklearn_rnn.load`` while sktime's ``fit`` rebuilds a stored forecaster: ``_fit`` then
# restores the stored network and state (the callable) instead of training
_restoring: ContextVar[Callable[[Any], None] | None] = ContextVar("sklearn_rnn_restoring", default=None)


class PinballLoss(nn.Module):
    """Quantile (pinball) loss of ``(n, H, C, Q)`` predictions against ``(n, H, C)`` targets.

    Targets that are NaN (steps past the end of a series) contribute zero.
    """

    def __init__(self, quantiles: tuple[float, ...] = (0.5,), reduction: str = "none") -> None:
        super().__init__()
        self.register_buffer("quantiles", torch.tensor(quantiles, dtype=torch.float32))
        self.reduction = reduction

    def forward(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> torch.Tensor:
        # an ensemble in training gives (n_networks, n, H, C, Q): each network's loss, averaged
        networks = y_pred.shape[0] if y_pred.dim() == y_true.dim() + 2 else 1
        observed = torch.isfinite(y_true)
        diff = torch.nan_to_num(y_true, nan=0.0)[..., None] - y_pred
        q = self.quantiles.to(y_pred.device)
        loss = torch.maximum(q * diff, (q - 1) * diff) * observed[..., None]
        if self.reduction == "none":
            return loss
        if self.reduction == "sum":
            return loss.sum()
        return loss.sum() / observed.sum().clamp(min=1) / len(q) / networks


class ExponentialSmoothing(nn.Module):
    """Damped-trend exponential smoothing over each window: ``(n, W, C)`` -> ``(n, H, C)`` forecasts.

    Holt's linear method with a damped trend (Gardner and McKenzie, 1985), and
    additive seasons of period ``sp`` when ``1 < sp <= W``, run over the window
    from its first season. Its smoothing parameters (level ``alpha``, trend
    ``beta``, damping ``phi``, seasons ``gamma``; one set per column, shared by
    all series) are learned with the network, as in Smyl's ES-RNN. On the log
    scale the seasons and trend are multiplicative in the original units.
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
        damping = phi * (1 - phi**ahead) / (1 - phi)  # (H, C): phi + ... + phi^h (0 < phi < 1)
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


class ForecastNet(nn.Module):
    """Window of ``(n, W [+ H], C + F_x)`` values -> ``(n, H, C, Q)`` quantile forecasts.

    The first ``n_targets`` input columns are the (scaled) series. With
    ``local_level``, their mean over the window is subtracted from the inputs, so
    the recurrent network reads the shape of the series relative to its recent
    level. Its outputs are corrections to a baseline forecast of the window:
    ``baseline="smoothing"``, damped-trend exponential smoothing with seasons
    (:class:`ExponentialSmoothing`, learned with the network); ``"naive"``, the
    window's mean (``local_level``) or, with ``sp > 1``, its last season repeated.
    When exogenous columns are present, the window is followed by ``horizon``
    future steps whose target columns are zeroed and marked by a final indicator
    column, so known future ``X`` can inform the forecast without any future
    ``y``. With ``n_networks > 1``, that many networks (this one and ``others``)
    read the same window: in training the output stacks their forecasts (each
    trained on its own loss), otherwise it is their mean.
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
    ) -> None:
        super().__init__()
        self.local_level = local_level
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
        # the other networks of an ensemble: the same architecture, their own weights
        arguments = (n_targets, n_exog, window_length, horizon, n_quantiles, cell, hidden_size, num_layers)
        self.others = (
            nn.ModuleList(
                ForecastNet(*arguments, bidirectional, dropout, sp, local_level, baseline)
                for _ in range(n_networks - 1)
            )
            if n_networks > 1
            else None
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """One network's forecast, or an ensemble's: each network's in training, their mean otherwise."""
        out = self._network(X)
        if self.others is None:
            return out
        outs = torch.stack([out, *(other._network(X) for other in self.others)])
        return outs if self.training else outs.mean(dim=0)

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
            exog = X[:, W:, C:]
            mean = self.recurrent.x_mean[C : C + self.n_exog]
            scale = self.recurrent.x_scale[C : C + self.n_exog]
            out = out + self.future_head(((exog - mean) / scale).flatten(1))
        out = out.view(-1, self.horizon, C, self.n_quantiles)
        if self.smoothing is not None:
            return out + self.smoothing(X[:, :W, :C])[..., None]
        if self.sp > 1:  # the last observed season, repeated, is the baseline the network corrects
            season = torch.arange(self.horizon, device=X.device) % self.sp + (W - self.sp)
            return out + X[:, season, :C][..., None]
        return out + level[:, None, :, None]


class ConformalShift(nn.Module):
    """Sorted quantiles ``(..., H, C, Q)`` -> each level moved by its conformal shift, in order.

    ``shifts`` ``(H, C, Q)`` lowers the lower level of each central interval by
    its offset and raises the upper one (the reverse for a negative offset); the
    median's shift is zero. The levels then stay in order and the median never
    moves: a level is clipped to the median and to the next level nearer it.
    Float64 in, float64 out; exportable to ONNX (no cumulative ops).
    """

    def __init__(self, shifts: np.ndarray, median: int) -> None:
        super().__init__()
        self.register_buffer("shifts", torch.as_tensor(np.asarray(shifts, dtype=np.float64)))
        self.median = median

    def forward(self, quantiles: torch.Tensor) -> torch.Tensor:
        out = quantiles + self.shifts
        centre = quantiles[..., self.median]
        levels = [centre]
        inner = centre
        for i in range(self.median - 1, -1, -1):  # outward from the median: each at most the one inside
            inner = torch.minimum(out[..., i], inner)
            levels.insert(0, inner)
        inner = centre
        for i in range(self.median + 1, out.shape[-1]):
            inner = torch.maximum(out[..., i], inner)
            levels.append(inner)
        return torch.stack(levels, dim=-1)


class WindowDataset(Dataset):
    """Training windows as start indices into one concatenated series (memory O(series length)).

    ``inputs`` is ``(N, C + F_x)``: every series one after the other, each followed by
    ``horizon`` padding rows; ``targets`` is ``(N, C)`` with NaN where unobserved.
    A batch gathers its windows by tensor indexing at batch time, so no
    ``(n_windows, window_length)`` copy of the series ever exists. ``series``
    numbers the series each window belongs to (its windows in time order), for
    :class:`TimeOrderedSplit`.
    """

    lengths = None  # every window has the same length (read by the shared batch iterator)

    def __init__(
        self,
        inputs: torch.Tensor,
        targets: torch.Tensor,
        starts: torch.Tensor,
        window_length: int,
        horizon: int,
        n_future: int,
        series: torch.Tensor | None = None,
    ) -> None:
        self.inputs = inputs
        self.targets = targets
        self.starts = starts
        self.series = torch.zeros_like(starts) if series is None else series
        self.window_length = window_length
        self.horizon = horizon
        self.input_offsets = torch.arange(window_length + n_future)
        self.target_offsets = torch.arange(window_length, window_length + horizon)

    def __len__(self) -> int:
        return len(self.starts)

    def subset(self, indices: np.ndarray) -> WindowDataset:
        out = WindowDataset.__new__(WindowDataset)
        out.__dict__.update(self.__dict__)
        indices = torch.as_tensor(indices, dtype=torch.int64)
        out.starts = self.starts[indices]
        out.series = self.series[indices]
        return out

    def batch(self, idx: torch.Tensor | slice) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
        starts = self.starts[idx][:, None]
        return {"X": self.inputs[starts + self.input_offsets]}, self.targets[starts + self.target_offsets]


def _time_ordered_split(
    series: np.ndarray, starts: np.ndarray, horizon: int, fraction: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """Indices of training and validation windows, and how many windows the gap drops.

    In each series, the last ``fraction`` of its windows (by time, at least one)
    validate. A training window must forecast only time points before the first
    one a validation window forecasts, so the ``horizon - 1`` windows just before
    the validation ones, whose targets reach into that period, are dropped.
    """
    train, valid, dropped = [], [], 0
    for s in np.unique(series):
        idx = np.flatnonzero(series == s)
        idx = idx[np.argsort(starts[idx], kind="stable")]
        n_valid = valid_size(fraction, len(idx))
        first = starts[idx[len(idx) - n_valid]]
        # a window starting at p forecasts rows p + W .. p + W + horizon - 1; the first
        # validation window forecasts from row first + W on
        before = idx[: len(idx) - n_valid]
        keep = starts[before] + horizon - 1 < first
        train.append(before[keep])
        valid.append(idx[len(idx) - n_valid :])
        dropped += int((~keep).sum())
    empty = np.zeros(0, dtype=np.int64)
    return np.concatenate([empty, *train]), np.concatenate([empty, *valid]), dropped


class TimeOrderedSplit:
    """Early stopping's split of forecast windows: each series' latest windows validate.

    The last ``fraction`` of each series' windows (by time) are the validation
    windows; training windows whose targets reach into the time points the
    validation windows forecast are left out (a gap of ``horizon - 1`` windows),
    so the validation loss is measured on a future the training never saw,
    as a forecast would be.
    """

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def __call__(self, dataset: WindowDataset, y: Any = None, **fit_params: Any):
        train, valid, _ = _time_ordered_split(
            dataset.series.numpy(), dataset.starts.numpy(), dataset.horizon, self.fraction
        )
        return dataset.subset(train), dataset.subset(valid)


def _calibration_split(dataset: WindowDataset, fraction: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices of the windows a calibrated network trains on, and of each held-out series' latest windows.

    The split is early stopping's (:func:`_time_ordered_split`): each series
    holds out the time points its latest ``fraction`` of windows forecast first,
    and the windows whose targets reach into them are left out of training (the
    gap), so the network never sees a held-out value as a target. A series that
    the split would leave without a training window is not held out (it trains
    whole). None when no series can be held out.
    """
    series, starts = dataset.series.numpy(), dataset.starts.numpy()
    train, latest, _ = _time_ordered_split(series, starts, dataset.horizon, fraction)
    whole = ~np.isin(series, series[train])  # series the split leaves nothing to train on
    latest = latest[~whole[latest]]
    if not len(latest):
        return None
    return np.concatenate([train, np.flatnonzero(whole)]), latest


def _scoring_windows(dataset: WindowDataset, train: np.ndarray, latest: np.ndarray) -> WindowDataset:
    """The windows left out of training that forecast a held-out time point, with only those as targets.

    The held-out time points are the first target of each of the ``latest``
    windows. Every window outside ``train`` that forecasts one of them scores
    it, so each step ``h`` gets one score per held-out time point: the value
    ``h`` steps after an origin the network did not train on.
    """
    held_out = torch.zeros(len(dataset.targets), dtype=torch.bool)
    held_out[dataset.starts[latest] + dataset.window_length] = True
    reaches = held_out[dataset.starts[:, None] + dataset.target_offsets].any(dim=1).numpy()
    reaches[train] = False
    scoring = dataset.subset(np.flatnonzero(reaches))
    scoring.targets = dataset.targets.masked_fill(~held_out[:, None], float("nan"))
    return scoring


def _quantile_pairs(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the lower and upper level of each central interval (outermost first), and its coverage."""
    below, above = np.flatnonzero(levels < 0.5), np.flatnonzero(levels > 0.5)[::-1]
    n = min(len(below), len(above))
    lower, upper = below[:n], above[:n]
    return lower, upper, levels[upper] - levels[lower]


def _conformal_offsets(
    quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split-conformal offsets of each central interval, per step and column (CQR, Romano et al. 2019).

    ``quantiles`` (n, H, C, Q) are sorted forecasts of held-out windows and
    ``targets`` (n, H, C) their observed values (NaN where not held out). The
    conformity score of the interval ``[lo, hi]`` is ``max(lo - y, y - hi)``
    (negative inside); its offset at step ``h`` is the ``ceil((n_h + 1) c)``-th
    smallest of the ``n_h`` scores of that step, ``c`` the interval's coverage.
    Returns the offsets (H, C, n_pairs), NaN where ``n_h`` is too small for the
    finite-sample quantile to exist (``(n_h + 1) c > n_h``), the score counts
    (H, C) and the largest scores (H, C, n_pairs).
    """
    lower, upper, coverage = _quantile_pairs(levels)
    lo, hi = quantiles[..., lower], quantiles[..., upper]
    scores = np.maximum(lo - targets[..., None], targets[..., None] - hi)  # (n, H, C, P); NaN when unobserved
    counts = np.isfinite(targets).sum(axis=0)
    # 1-based ranks (H, C, P); the tolerance keeps float error in ``coverage`` from adding one
    ranks = np.ceil((counts[..., None] + 1) * coverage - 1e-9).astype(np.int64)
    ordered = np.sort(scores, axis=0)  # NaN last
    offsets = np.take_along_axis(ordered, np.clip(ranks - 1, 0, len(ordered) - 1)[None], axis=0)[0]
    offsets[ranks > counts[..., None]] = np.nan
    largest = np.take_along_axis(ordered, np.clip(counts - 1, 0, None)[None, ..., None], axis=0)[0]
    return offsets, counts, largest


# --------------------------------------------------------------------------------------
# pandas helpers
# --------------------------------------------------------------------------------------
def _instances(df: pd.DataFrame) -> list[tuple[tuple, pd.DataFrame]]:
    """Split a (possibly multi-indexed) frame into ``(instance key, single-series frame)``."""
    if not isinstance(df.index, pd.MultiIndex):
        return [((), df)]
    levels = list(range(df.index.nlevels - 1))
    out = []
    for key, sub in df.groupby(level=levels, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        out.append((key, sub.droplevel(levels)))
    return out


def _instance_frame(df: pd.DataFrame | None, key: tuple) -> pd.DataFrame | None:
    if df is None:
        return None
    if not key:
        return df
    try:
        sub = df.loc[key if len(key) > 1 else key[0]]
    except KeyError:
        return None
    return sub if isinstance(sub, pd.DataFrame) else None


def _format_time(point: Any) -> str:
    """A time point as users write it: dates without a midnight time, other values as they print."""
    if isinstance(point, pd.Timestamp) and point == point.normalize():
        return str(point.date())
    return str(point)


def _format_times(index: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(_format_time(t) for t in index[:limit])
    return shown + (f" (and {len(index) - limit} more)" if len(index) > limit else "")


def _series_label(key: tuple) -> str:
    """`` of series 'a'`` for a series of a panel, nothing for a single series."""
    if not key:
        return ""
    return f" of series {(key[0] if len(key) == 1 else key)!r}"


def _refuse_duplicates(df: pd.DataFrame | None, name: str, method: str) -> None:
    """Refuse a frame with more than one row for a time point of a series."""
    if df is None:
        return
    duplicated = df.index.duplicated()
    if not duplicated.any():
        return
    entry = df.index[duplicated][0]
    key, point = (tuple(entry[:-1]), entry[-1]) if isinstance(df.index, pd.MultiIndex) else ((), entry)
    raise ValueError(
        f"{name} passed to {method} has more than one row for time point {_format_time(point)}"
        f"{_series_label(key)} ({int(duplicated.sum())} duplicated rows in all). RNNForecaster needs one "
        f"row per time point of each series: aggregate the rows of each time point (e.g. "
        f"{name}.groupby(level=...).mean()) or drop the duplicates "
        f"({name}[~{name}.index.duplicated()]) first."
    )


# how far from the training mean (in training standard deviations) a value may lie: beyond
# this the network's float32 arithmetic overflows
_SCALED_LIMIT = 1e30


def _time_kind(index: pd.Index) -> str:
    """The kind of a time index, for comparing old and new time points."""
    if isinstance(index, pd.PeriodIndex):
        return f"period[{index.freqstr}]"
    if isinstance(index, pd.DatetimeIndex):
        return "datetime" if index.tz is None else f"datetime[{index.tz}]"
    return "integer" if index.dtype.kind in "iu" else str(index.dtype)


def _check_exog_values(X: pd.DataFrame, method: str) -> None:
    """Refuse exogenous values the network cannot read: NaN, infinite or beyond float32's range."""
    values = X.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise ValueError(
            f"X passed to {method} contains NaN or infinite values; RNNForecaster needs finite X."
        )
    if values.size and np.abs(values).max() > np.finfo(np.float32).max:
        raise ValueError(
            f"X passed to {method} holds values up to {np.abs(values).max():.3g}, beyond float32's range "
            "(3.4e38), in which the network reads X. Rescale X first (e.g. divide it by a constant)."
        )


def _series_freq(y: pd.DataFrame) -> Any:
    """Frequency of the time index of ``y`` (None when it has none and none can be inferred).

    The index's own, else inferred from the longest series, else from the time
    points of all series together (a panel of short series).
    """
    indexes = [frame.index for _, frame in _instances(y)]
    longest = max(indexes, key=len)
    freq = getattr(longest, "freq", None)
    if freq is not None or not isinstance(longest, pd.DatetimeIndex):
        return freq
    for index in (longest, longest.append(indexes).unique().sort_values()):
        if len(index) >= 3:
            try:
                freq = pd.infer_freq(index)
            except (TypeError, ValueError):
                freq = None
            if freq is not None:
                return freq
    return None


def _edge_pad(values: np.ndarray, length: int) -> np.ndarray:
    """Left-pad ``values`` (T, F) to at least ``length`` rows by repeating its first row."""
    missing = length - len(values)
    if missing <= 0:
        return values
    return np.concatenate([np.repeat(values[:1], missing, axis=0), values], axis=0)


# --------------------------------------------------------------------------------------
# the forecaster
# --------------------------------------------------------------------------------------
@with_shared_parameters
class RNNForecaster(VersionedPickleMixin, BaseForecaster):
    """Recurrent neural network forecaster (RNN, LSTM or GRU) with quantile forecasts.

    A direct multi-step model: from a window of the last ``window_length``
    observations (and of exogenous ``X``), one network outputs every step
    ``1..horizon`` at once, for every column of ``y`` and at several quantile
    levels. The forecast for step ``h`` is therefore the same whether ``h`` is
    asked alone or with other steps. Panel and hierarchical ``y`` train one global
    model on the windows of all series and forecast each.

    Scaling is internal: each column of each series is log-transformed when it
    is strictly positive (``target_transform="auto"``), then standardised with
    that series' mean and standard deviation, and the network sees every window
    relative to its own mean level. The network starts from what classical
    models know: by default it forecasts corrections to damped-trend exponential
    smoothing of the window (Holt-Winters, with seasons of period ``sp``), whose
    smoothing parameters it learns with its own weights, as Smyl's ES-RNN does.
    Forecasts are returned in the original units.

    Parameters
    ----------
    window_length : int or "auto", default="auto"
        Number of past time steps the network reads. Cover at least one season
        (two for the smoothing to start its trend from them). "auto": half the
        longest series' length, between 2 and 36 steps (``window_length_``).
    max_horizon : int or None, default=None
        Number of steps the network forecasts. None: the largest step of the
        ``fh`` passed to ``fit``, or ``window_length`` when ``fit`` gets no ``fh``.
        ``predict`` can then serve any ``fh`` within ``1..horizon_``.
    sp : int or None, default=None
        Seasonal period. When ``1 < sp <= window_length_``, the baseline has
        seasons of this period (additive in the scaled units, so multiplicative
        on the log scale), otherwise none. None infers it from the frequency of
        the time index
        (monthly 12, quarterly 4, weekly 52, daily 7, business-daily 5, hourly
        24; 1 for integer indices or other frequencies).
    local_level : bool, default=True
        Subtract each window's mean from its inputs (and, for the naive baseline
        without seasons, add it back to the forecast), so the network sees
        shapes, not levels: right for trending or drifting series. Set False for
        stationary series, where the distance from the long-run mean is what
        predicts the future (mean reversion): the network then forecasts from
        the series' mean (its scaled zero), or from the last season with
        ``sp``, without the smoothing baseline.
    baseline : {"smoothing", "naive"}, default="smoothing"
        The forecast the network corrects. "smoothing": Holt's linear method
        with a damped trend, and additive seasons of period ``sp``, run over
        each window; its four smoothing parameters (one set per column of ``y``,
        shared by the series of a panel) are learned with the network. "naive":
        the window's mean (with ``local_level``; zero without), or with seasons
        the last observed season repeated (the only baseline before the
        smoothing; files saved before it load with it). The user guide's
        forecasting page has what each measured.
    n_networks : int, default=1
        Number of networks trained side by side, each from its own initial
        weights on the same batches; the forecast (every quantile) is their
        mean, at ``n_networks`` times the cost of one. Averaging narrows the
        spread between seeds; on the forecasting benchmark it did not lower the
        error on average (the user guide's forecasting page has the figures).
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: Elman RNN (tanh), LSTM or GRU.
    hidden_size : int, default=64
        Hidden units per direction and layer.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the window backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    quantile_levels : sequence of float or None, default=None
        Quantile levels the network is trained for (pinball loss); 0.5 is always
        added and serves the point forecast. None uses
        ``(0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)``. Other levels
        asked of ``predict_quantiles`` are interpolated between these (linearly
        in normal scores, extrapolated beyond the outermost ones).
    target_transform : {"auto", "log", "none"}, default="auto"
        ``"auto"`` log-transforms each column of ``y`` whose training values are
        all strictly positive; ``"log"`` requires that of every column. A column
        modelled on the log scale cannot take values <= 0 later: ``update`` refuses
        them. Pass ``"none"`` for series that can reach zero (sales, counts).
    max_epochs : int, default=200
        Number of passes over the training windows.
    batch_size : int, default=32
        Windows per gradient step.
    lr : float, default=3e-3
        Initial learning rate.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, default="adamw"
        Optimizer; further arguments go through ``net_kwargs``.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        Cosine annealing of the learning rate to zero over ``max_epochs``, or none.
    gradient_clip_value : float or None, default=1.0
        Largest gradient norm per step; None disables clipping.
    early_stopping : bool, default=False
        Hold out the latest ``validation_fraction`` of each series' windows and
        stop when their loss stalls for ``n_iter_no_change`` epochs, restoring
        the best weights. Training windows whose targets reach into the time
        points the held-out windows forecast are left out, so validation
        measures forecasts of a future the training never saw.
    validation_fraction : float, default=0.1
        Share of each series' windows (the latest, by time, at least one) held
        out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an improvement.
    update_epochs : int or None, default=None
        Epochs of further training on all data seen so far when ``update`` is
        called with ``update_params=True``. None: ``max(1, max_epochs // 10)``.
    conformal : bool, default=True
        Calibrate the prediction intervals on held-out data (conformalised
        quantile regression, Romano et al. 2019): the latest time points of each
        series are held out of training, and every central interval of the
        quantile heads (by default 0.025-0.975, 0.05-0.95, 0.1-0.9, 0.25-0.75)
        is widened, or narrowed, at each forecast step by the amount that makes
        it cover its share of the held-out values. The network trained without
        them is the one that forecasts (it is not refitted on all data); the
        median, the point forecast, is never moved. False trains on all windows
        and returns the network's own quantiles, which come out too narrow on
        short series. See Notes.
    calibration_fraction : float, default=0.2
        Share of each series' windows, the latest by time (at least one), whose
        first forecast steps are held out when ``conformal=True``, as
        ``validation_fraction`` does for early stopping.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout and shuffling (the validation split is by time).
    device : str, default="cpu"
        Torch device: "cpu", "cuda", "cuda:1", ... or "auto".
    n_threads : int or None, default=1
        Torch CPU threads during ``fit`` and ``predict``, restored afterwards.
    {shared: verbose}
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks.
    net_kwargs : dict, default=None
        Further arguments passed verbatim to the skorch ``NeuralNet``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network (a :class:`ForecastNet` around the shared recurrent module).
    window_length_ : int
        Number of past time steps the network reads (``window_length`` resolved).
    horizon_ : int
        Number of steps the network forecasts.
    quantile_levels_ : ndarray
        Sorted quantile levels of the network's outputs.
    log_transform_ : ndarray of bool, shape (n_columns,)
        Which columns of ``y`` are modelled on the log scale.
    loss_curve_ : list of float
        Training pinball loss (scaled units) at each epoch.
    n_iter_ : int
        Number of epochs run.
    n_windows_ : int
        Number of windows the network trained on (with ``conformal=True``,
        without the held-out windows and the ``horizon_ - 1`` before them).
    conformal_offsets_ : ndarray of shape (horizon_, n_columns, n_intervals) or None
        Conformal offset of each central interval of ``quantile_levels_``
        (outermost first) at each step, in the network's scaled units (after
        the log transform and each series' standardisation): subtracted from
        the interval's lower quantile and added to its upper one. None when
        the intervals are not calibrated.
    n_calibration_scores_ : ndarray of shape (horizon_,)
        Number of held-out values each step's offsets come from (the fewest
        over columns; 0 when the intervals are not calibrated).

    See Also
    --------
    RNNRegressor : The same recurrent network for sequence regression.

    Notes
    -----
    Training windows end at every time step of every series that leaves at
    least one future observation; steps beyond a series' end are masked out of
    the loss. Each series of a panel or hierarchy is forecast from its own last
    observation: a relative ``fh`` counts from each series' end (series ending on
    different dates get forecasts on different dates), an absolute ``fh`` names
    the same time points for every series, as sktime's forecasters of a single
    series do on each series of a panel. Dates without a set ``freq`` get the
    frequency inferred from the series; irregular dates are refused.

    Exogenous ``X``: the window carries past ``X``, and the network also reads
    ``X`` for the ``horizon_`` future steps. ``predict`` needs ``X`` at every time
    point of ``fh`` of every series (passed to it, or given to ``fit`` or
    ``update`` beyond the end of ``y``); other future steps are filled forward
    from the last known row. Rows of ``X`` passed to ``predict`` at or before a
    series' end are only checked against the stored ones, which ``predict``
    never changes (revise past values with ``update``). Every step's forecast reads all
    ``horizon_`` future rows, so pass ``X`` for steps ``1..horizon_`` when a
    step's forecast must not depend on which other steps are asked. Series
    shorter than ``window_length_`` are left-padded with their first value.

    ``fit`` and ``update`` refuse a time point given twice in a series, and
    ``update`` checks its data before anything moves: refused data (such as a
    value <= 0 in a column modelled on the log scale) leaves the cutoff, the
    history and the network as they were.

    Intervals come from the quantile heads, calibrated by split conformal
    prediction on time-ordered held-out data (``conformal=True``). Each series
    holds out the time points that its latest ``calibration_fraction`` of
    windows forecast first, and the ``horizon_ - 1`` windows before those,
    whose targets reach into them, are left out of training too (early
    stopping's split). Every held-out value is then forecast by the trained
    network from each origin 1 to ``horizon_`` steps before it, which gives
    each step one conformity score per held-out value and series: how far the
    value lies outside the interval (negative inside), in the network's scaled
    units. An interval of coverage ``c`` at step ``h`` moves outwards by the
    ``ceil((n + 1) c)``-th smallest of its ``n`` scores. If the scores and a
    future value's were exchangeable, the interval would cover the future
    value with probability at least ``c`` (marginally: on average over
    series and forecast origins, not for each one). Time series only
    approximate this: a change after the held-out period (Airline's slower
    growth in 1958) is not in the scores. With fewer than ``c / (1 - c)``
    scores (19 for the 95% interval) no such quantile exists: the offset is
    then the largest score, which guarantees ``n / (n + 1)``, with a warning;
    when no series is long enough to hold out (a training window, the gap and
    one window), the intervals stay uncalibrated, with a warning. ``update``
    keeps the offsets of ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn import RNNForecaster
    >>> t = np.arange(200)
    >>> y = pd.Series(10 + np.sin(2 * np.pi * t / 12))
    >>> f = RNNForecaster(window_length=24, hidden_size=16, max_epochs=60, random_state=0)
    >>> f = f.fit(y, fh=[1, 2, 3])
    >>> y_pred = f.predict()
    >>> bool(np.abs(y_pred.values - (10 + np.sin(2 * np.pi * np.arange(200, 203) / 12))).max() < 0.2)
    True
    >>> f.predict_interval(coverage=0.9).shape
    (3, 2)
    """

    # sktime's copies of all data seen (``_y``, ``_X``) are not needed: the forecaster keeps its own
    # history (``_y_hist``) and updates itself. Declared here, sktime 1.2 does not announce (FutureWarning,
    # at every construction, clone and reset) that its default will change to this in 1.3.
    _config = {"remember_data": False}

    _tags = {
        "authors": ["sklearn_rnn developers"],
        "python_dependencies": ["torch", "skorch"],
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:missing_values": False,
        "capability:categorical_in_X": False,
        "capability:update": True,
        "capability:unequal_length": True,
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
        "capability:random_state": True,
    }

    _parameter_constraints: dict = {
        **{
            k: v
            for k, v in BaseRNNEstimator._parameter_constraints.items()
            if k not in ("pooling", "warm_start")
        },
        "window_length": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "max_horizon": [Interval(Integral, 1, None, closed="left"), None],
        "quantile_levels": ["array-like", None],
        "sp": [Interval(Integral, 1, None, closed="left"), None],
        "local_level": ["boolean"],
        "baseline": [StrOptions({"smoothing", "naive"})],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        "target_transform": [StrOptions({"auto", "log", "none"})],
        "update_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "conformal": ["boolean"],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "lr": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(
        self,
        window_length: int | str = "auto",
        max_horizon: int | None = None,
        sp: int | None = None,
        local_level: bool = True,
        baseline: str = "smoothing",
        n_networks: int = 1,
        cell: str = "lstm",
        hidden_size: int = 64,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        quantile_levels: Any = None,
        target_transform: str = "auto",
        max_epochs: int = 200,
        batch_size: int = 32,
        lr: float = 3e-3,
        optimizer: str | type = "adamw",
        lr_schedule: str = "cosine",
        gradient_clip_value: float | None = 1.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        update_epochs: int | None = None,
        conformal: bool = True,
        calibration_fraction: float = 0.2,
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_threads: int | None = 1,
        verbose: int = 0,
        callbacks: list | None = None,
        net_kwargs: dict | None = None,
    ) -> None:
        self.window_length = window_length
        self.max_horizon = max_horizon
        self.sp = sp
        self.local_level = local_level
        self.baseline = baseline
        self.n_networks = n_networks
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.quantile_levels = quantile_levels
        self.target_transform = target_transform
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.gradient_clip_value = gradient_clip_value
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.update_epochs = update_epochs
        self.conformal = conformal
        self.calibration_fraction = calibration_fraction
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.net_kwargs = net_kwargs
        super().__init__()

    def _build_net(self, module: ForecastNet, device: str, seed: int) -> Any:
        criterion = partial(PinballLoss, tuple(float(q) for q in self.quantile_levels_))
        net = build_net(self.get_params(deep=False), module, criterion, device, seed, None)
        if self.early_stopping:  # validate on the latest windows, never on ones drawn among the training ones
            net.set_params(train_split=TimeOrderedSplit(self.validation_fraction))
        return net

    # -- scaling ----------------------------------------------------------------------------------
    def _transform_y(self, values: np.ndarray, key: tuple, store: bool = False):
        """Original units (T, C) -> (the network's scaled units, the series' (mean, scale)).

        The statistics of a series are those of ``fit``; a series first seen later
        (``store=False``) gets its own, without changing the fitted state.
        """
        out = np.array(values, dtype=np.float64)
        if self.log_transform_.any():
            logged = out[:, self.log_transform_]
            if np.any(logged <= 0):
                raise ValueError(
                    "y has values <= 0 in a column modelled on the log scale (its training values "
                    "were all positive). Pass target_transform='none' to model it unlogged."
                )
            out[:, self.log_transform_] = np.log(logged)
        stats = self._y_scaling.get(key)
        if stats is None:
            stats = column_statistics(out)
            if store:
                self._y_scaling[key] = stats
        return (out - stats[0]) / stats[1], stats

    def _inverse_y(self, values: np.ndarray, stats: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Scaled units (..., C, Q) -> original units."""
        mean, scale = stats
        out = values * scale[:, None] + mean[:, None]
        out[..., self.log_transform_, :] = np.exp(out[..., self.log_transform_, :])
        return out

    # -- checks of new data -------------------------------------------------------------------------
    def _update_y_X(self, y: Any, X: Any = None, enforce_index_type: Any = None) -> None:
        """Check new data, then let sktime move the cutoff and its stored data.

        sktime's ``fit``, ``update`` and ``update_predict_single`` call this hook
        before ``_fit``/``_update``: data refused here leaves a fitted forecaster
        exactly as it was (cutoff, history and network).
        """
        if isinstance(y, pd.DataFrame):
            method = "update" if self.is_fitted else "fit"
            _refuse_duplicates(y, "y", method)
            _refuse_duplicates(X if isinstance(X, pd.DataFrame) else None, "X", method)
            if self.is_fitted:
                self._check_update(y, X if isinstance(X, pd.DataFrame) else None)
        super()._update_y_X(y, X, enforce_index_type=enforce_index_type)

    def update(self, y: Any, X: Any = None, update_params: bool = True) -> RNNForecaster:
        """Extend the forecaster with new observations; with ``update_params``, train further.

        New time points are appended to the stored series (each series of a panel
        goes on from its own end); revised values at stored time points replace
        them. With ``update_params=True`` the network then trains for
        ``update_epochs`` epochs (default ``max_epochs // 10``, at least 1) on
        windows of all data seen so far, starting from its current weights;
        scaling statistics stay those of ``fit``. With ``update_params=False``
        only the data and the cutoff move, and the next ``predict`` reads the
        new observations.

        Data that cannot be used is refused with a ``ValueError`` before anything
        changes, and the forecaster is left exactly as it was (cutoff, stored
        series, network): NaN or infinite values, a value <= 0 in a column
        modelled on the log scale, a time point given twice, time points of
        another kind or off the series' frequency, values beyond what the
        network's float32 arithmetic can take, other columns than ``fit``'s, and
        missing ``X`` for a forecaster fitted with ``X``.

        Parameters
        ----------
        y : time series in an sktime-compatible format
            New observations, with the columns (and index kind) of ``fit``.
        X : time series in an sktime-compatible format, optional
            Exogenous values at the new time points (and beyond them, for later
            forecasts), with the columns of ``fit``.
        update_params : bool, default=True
            Whether to train the network further on the data seen so far.

        Returns
        -------
        self : RNNForecaster
        """
        with self._unchanged_if_refused():
            return super().update(y, X=X, update_params=update_params)

    def update_predict_single(
        self, y: Any = None, fh: Any = None, X: Any = None, update_params: bool = True
    ) -> Any:
        """:meth:`update`, then :meth:`predict`; refused data leaves the forecaster unchanged.

        Parameters
        ----------
        y : time series in an sktime-compatible format
            New observations.
        fh : int, list, array or ForecastingHorizon, optional
            Horizon of the forecast.
        X : time series in an sktime-compatible format, optional
            Exogenous values.
        update_params : bool, default=True
            Whether to train the network further (see :meth:`update`).

        Returns
        -------
        y_pred : time series in the format of ``y`` of ``fit``
            Point forecasts.
        """
        with self._unchanged_if_refused():
            return super().update_predict_single(y=y, fh=fh, X=X, update_params=update_params)

    @contextmanager
    def _unchanged_if_refused(self) -> Iterator[None]:
        """Put the forecaster's attributes back as they were when the call refuses its data.

        sktime converts and records new data (its type, metadata, converter
        store) before this library's checks in ``_update_y_X`` can run.
        """
        # sktime also updates some of its records (dicts) in place: those are copied
        state = {k: copy.copy(v) if isinstance(v, (dict, list)) else v for k, v in self.__dict__.items()}
        try:
            yield
        except (ValueError, TypeError):
            self.__dict__.clear()
            self.__dict__.update(state)
            raise

    def _fitted_columns(self, y: pd.DataFrame) -> pd.DataFrame:
        """``y`` with the columns of ``fit`` (a univariate series may carry another name)."""
        columns = self._y_hist.columns
        if list(y.columns) == list(columns):
            return y
        if len(columns) == 1 and y.shape[1] == 1:
            return y.set_axis(columns, axis=1)
        if set(y.columns) == set(columns):
            return y[columns]
        raise ValueError(
            f"y passed to update has columns {list(y.columns)}, but the forecaster was fitted on columns "
            f"{list(columns)}. Pass y with the columns of fit."
        )

    def _check_update(self, y: pd.DataFrame, X: pd.DataFrame | None) -> None:
        """Refuse new data that ``_update`` or a later ``predict`` could not use."""
        y = self._fitted_columns(y)
        self._check_time_points(y)
        values = y.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(
                "y passed to update contains NaN or infinite values; RNNForecaster needs complete series. "
                "The forecaster is unchanged."
            )
        logged = np.asarray(self.log_transform_, dtype=bool)
        if logged.any() and (values[:, logged] <= 0).any():
            row, col = np.argwhere(values[:, logged] <= 0)[0]
            entry = y.index[row]
            key, point = (tuple(entry[:-1]), entry[-1]) if isinstance(y.index, pd.MultiIndex) else ((), entry)
            raise ValueError(
                f"y passed to update has the value {values[row, logged][col]:g} at "
                f"{_format_time(point)}{_series_label(key)} in column {y.columns[logged][col]!r}, which "
                f"this forecaster models on the log scale (target_transform={self.target_transform!r}: "
                "its training values were all positive), so it cannot take values <= 0. The forecaster "
                "is unchanged. To forecast a series that can reach zero or below, fit with "
                "target_transform='none', or fit on data that already includes such values."
            )
        for key, frame in _instances(y):  # values <= 0 on the log scale were refused above
            scaled = np.abs(self._transform_y(frame.to_numpy(dtype=np.float64), key)[0]).max()
            if scaled > _SCALED_LIMIT:
                raise ValueError(
                    f"y passed to update{_series_label(key)} holds values {scaled:.3g} standard "
                    "deviations of the training series away from its mean, beyond what the network's "
                    "float32 arithmetic can take. The forecaster is unchanged. Refit on data that "
                    "includes such values (or rescale y)."
                )
        if not self._n_exog:
            return
        if X is not None:
            missing = [c for c in self._x_columns if c not in X.columns]
            if missing:
                raise ValueError(
                    f"X passed to update lacks the columns {missing} the forecaster was fitted with "
                    f"({self._x_columns}). Pass X with the columns of fit."
                )
            _check_exog_values(X[self._x_columns], "update")
        for key, frame in _instances(y):
            stored, passed = _instance_frame(self._X_hist, key), _instance_frame(X, key)
            known = [f.index for f in (stored, passed) if f is not None]
            missing = frame.index[~frame.index.isin(known[0].append(known[1:]))] if known else frame.index
            if len(missing):
                raise ValueError(
                    f"This forecaster was fitted with X, but X has no rows for the new time points "
                    f"{_format_times(missing)}{_series_label(key)} of y passed to update. Pass X with rows "
                    "for every time point of y to update. The forecaster is unchanged."
                )

    def _check_time_points(self, y: pd.DataFrame) -> None:
        """Refuse new time points of another kind or off the series' frequency (before anything moves)."""
        stored = self._y_hist.index.get_level_values(-1)
        new = y.index.get_level_values(-1)
        if _time_kind(new) != _time_kind(stored):
            raise ValueError(
                f"y passed to update has time points of kind {_time_kind(new)} ({new[:1].tolist()}), but the "
                f"forecaster was fitted on {_time_kind(stored)} ({stored[-1:].tolist()}). Pass y indexed "
                "like the data of fit. The forecaster is unchanged."
            )
        freq = self._fh_freq()
        if freq is None or not isinstance(new, pd.DatetimeIndex):
            return
        for key, frame in _instances(y):
            history = _instance_frame(self._y_hist, key)
            if history is None:
                continue
            last, times = history.index[-1], frame.index
            later = times[times > last]
            if len(later) and not later.isin(pd.date_range(last, later.max(), freq=freq)).all():
                off = later[~later.isin(pd.date_range(last, later.max(), freq=freq))]
                raise ValueError(
                    f"y passed to update has time points {_format_times(off)}{_series_label(key)} that are "
                    f"not on the series' frequency {getattr(freq, 'freqstr', freq)!r} after "
                    f"{_format_time(last)}. Resample the new data to that frequency first. The forecaster "
                    "is unchanged."
                )

    # -- fit --------------------------------------------------------------------------------------
    def _fit(self, y: pd.DataFrame, X: pd.DataFrame | None = None, fh: ForecastingHorizon | None = None):
        """Train the network on windows of ``y`` (and ``X``).

        Parameters
        ----------
        y : pd.DataFrame, pd-multiindex or pd_multiindex_hier
            Series to forecast.
        X : same layout as ``y``, optional
            Exogenous series with the same index as ``y``.
        fh : ForecastingHorizon, optional
            Horizon; sets the number of steps the network forecasts.

        Returns
        -------
        self : RNNForecaster
        """
        restore = _restoring.get()
        if restore is not None:
            restore(self)
            return self
        validate_parameter_constraints(
            self._parameter_constraints, self.get_params(deep=False), caller_name=type(self).__name__
        )
        if len(y) == 0:
            raise ValueError(
                f"y is empty: {type(self).__name__} needs observations to learn from. Pass a series with "
                f"at least one value (window_length={self.window_length} or more train best)."
            )
        levels = DEFAULT_QUANTILES if self.quantile_levels is None else self.quantile_levels
        try:
            levels = np.asarray(levels, dtype=np.float64).ravel()
        except (TypeError, ValueError):
            raise TypeError(
                f"quantile_levels must be a sequence of numbers, got {self.quantile_levels!r}."
            ) from None
        if not (np.isfinite(levels).all() and (levels > 0).all() and (levels < 1).all()):
            raise ValueError(
                f"quantile_levels must lie strictly between 0 and 1 (no NaN or infinity), got "
                f"{self.quantile_levels}."
            )
        self.quantile_levels_ = np.unique(np.append(levels, 0.5))

        series = _instances(y)
        values = np.concatenate([s.to_numpy(dtype=np.float64) for _, s in series])
        if not np.isfinite(values).all():
            raise ValueError("y contains NaN or infinite values; RNNForecaster needs complete series.")
        if X is not None:
            _check_exog_values(X, "fit")
        positive = (values > 0).all(axis=0)
        if self.target_transform == "log" and not positive.all():
            raise ValueError(
                "target_transform='log' needs strictly positive y, but some columns have values <= 0. "
                "Use target_transform='auto' or 'none'."
            )
        self.log_transform_ = positive if self.target_transform != "none" else np.zeros_like(positive)
        self._y_scaling: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._y_hist, self._X_hist = y, X  # the forecaster's own state (sktime's ``_y`` may be off)
        self._n_exog = 0 if X is None else X.shape[1]
        self._x_columns = None if X is None else list(X.columns)

        horizon = self.max_horizon or 0
        if fh is not None:
            horizon = max(horizon, max(int(steps.max()) for steps, _ in self._horizons(fh, series)))
        self.window_length_ = _window_length(self.window_length, max(len(frame) for _, frame in series))
        self.horizon_ = horizon or self.window_length_
        self.sp_ = self.sp if self.sp is not None else _infer_sp(series[0][1].index, self.cutoff)

        data = self._window_dataset(series, X, store=True)
        self._check_validation_split(data)
        device = resolve_device(self.device)
        seed = fit_seed(self.random_state)
        fitting, scoring = data, None
        if self.conformal and len(_quantile_pairs(self.quantile_levels_)[0]):
            split = self._calibration_split(data)
            if split is not None:
                # each held-out series is scaled by its training part: held-out values never reach the
                # network (the windows are the same, only their values change)
                self._rescale_before(series, data, split[1])
                data = self._window_dataset(series, X)
                fitting, scoring = data.subset(split[0]), _scoring_windows(data, *split)
        self.n_windows_ = len(fitting)
        self.net_, self._module_kwargs = self._train(fitting, X, device, seed)
        self._calibrate(scoring)
        self._record_history()
        return self

    def _train(self, data: WindowDataset, X: pd.DataFrame | None, device: str, seed: int):
        """A freshly initialised network trained on ``data``, and its constructor arguments."""
        with torch_session(self.n_threads, seed, training=True):
            module, module_kwargs = make_module(
                ForecastNet,
                data.targets.shape[1],
                self._n_exog,
                self.window_length_,
                self.horizon_,
                len(self.quantile_levels_),
                self.cell,
                self.hidden_size,
                self.num_layers,
                self.bidirectional,
                self.dropout,
                self.sp_,
                self.local_level,
                self.baseline,
                self.n_networks,
            )
            if self._n_exog:
                mean, scale = column_statistics(X.to_numpy(dtype=np.float64))
                C = data.targets.shape[1]
                for network in [module, *(module.others or ())]:
                    network.recurrent.x_mean[C : C + self._n_exog] = torch.as_tensor(mean)
                    network.recurrent.x_scale[C : C + self._n_exog] = torch.as_tensor(scale)
            net = self._build_net(module, device, seed)
            net.fit(data, None)
        return net, module_kwargs

    def _calibration_split(self, data: WindowDataset) -> tuple[np.ndarray, np.ndarray] | None:
        """:func:`_calibration_split` of ``data``; None, with a warning, when it cannot be made."""
        split = _calibration_split(data, self.calibration_fraction)
        reason = None
        if split is None:
            reason = (
                "no series is long enough to hold out its latest calibration_fraction="
                f"{self.calibration_fraction} of windows and still train on earlier ones (a window starts "
                f"at each time step after the first window_length_={self.window_length_}, and the "
                f"horizon_ - 1 = {self.horizon_ - 1} windows just before the held-out ones are left out "
                "too)"
            )
        elif self.early_stopping and not len(
            _time_ordered_split(
                data.series.numpy()[split[0]],
                data.starts.numpy()[split[0]],
                data.horizon,
                self.validation_fraction,
            )[0]
        ):
            reason = (
                "early stopping's validation split of the windows left after the held-out ones leaves none "
                "to train on"
            )
        if reason is None:
            return split
        warnings.warn(
            f"RNNForecaster could not calibrate its intervals: {reason}. It trained on all windows, and its "
            "intervals are the network's own quantiles, which are often too narrow on short series. Pass "
            "longer series, a shorter window_length or max_horizon, or a lower calibration_fraction; or set "
            "conformal=False to silence this warning.",
            UserWarning,
            stacklevel=4,
        )
        return None

    def _rescale_before(self, series: list[tuple[tuple, pd.DataFrame]], data: WindowDataset, latest) -> None:
        """Scale each series with held-out ``latest`` windows by its values before the held-out ones."""
        starts, numbers = data.starts.numpy(), data.series.numpy()
        for number in np.unique(numbers[latest]):
            key, frame = series[number]
            # a held-out series is longer than window_length + 1 (it is not padded): local rows are its own
            offset = starts[numbers == number].min()
            end = starts[latest[numbers[latest] == number]].min() + self.window_length_ - offset
            del self._y_scaling[key]
            self._transform_y(frame.to_numpy(dtype=np.float64)[:end], key, store=True)

    def _calibrate(self, scoring: WindowDataset | None) -> None:
        """Conformal offsets of the central intervals, from the trained network's held-out windows."""
        self.conformal_offsets_ = None
        self.n_calibration_scores_ = np.zeros(self.horizon_, dtype=np.int64)
        if scoring is None:
            return
        with torch_session(self.n_threads):
            out = predict_in_batches(self.net_, scoring, self.batch_size).numpy()
        quantiles = np.sort(out.astype(np.float64), axis=-1)  # as predict rearranges them
        targets = scoring.targets[scoring.starts[:, None] + scoring.target_offsets].numpy().astype(np.float64)
        offsets, counts, largest = _conformal_offsets(quantiles, targets, self.quantile_levels_)
        short = np.isnan(offsets)
        if short.any():
            _, _, coverage = _quantile_pairs(self.quantile_levels_)
            levels = coverage[short.any(axis=(0, 1))]
            n = int(counts[short.any(axis=-1)].min())
            needs = ", ".join(
                f"{c:.0%} needs {int(np.ceil(c / (1 - c) - 1e-9))}"
                for c in levels  # (n + 1) c <= n
            )
            warnings.warn(
                f"Conformal calibration has only {n} held-out scores at some steps, too few for the "
                f"finite-sample quantile of the {', '.join(f'{c:.0%}' for c in levels)} intervals ({needs}). "
                f"Their offsets there are the largest score, which guarantees coverage {n}/{n + 1} = "
                f"{n / (n + 1):.1%} only. Raise calibration_fraction or pass longer series (each held-out "
                "time point adds one score per step and series).",
                UserWarning,
                stacklevel=4,
            )
            offsets = np.where(short, largest, offsets)
        offsets = np.nan_to_num(offsets, nan=0.0)  # a step without scores (none expected) stays as it is
        self.conformal_offsets_ = offsets
        self.n_calibration_scores_ = counts.min(axis=1)

    def _check_validation_split(self, data: WindowDataset) -> None:
        """Refuse an early-stopping split that leaves no window to train on."""
        if not self.early_stopping:
            return
        train, valid, dropped = _time_ordered_split(
            data.series.numpy(), data.starts.numpy(), data.horizon, self.validation_fraction
        )
        if len(train) < 1:
            gap = (
                f" (and the {dropped} windows just before them, whose targets reach into the validation "
                "period, are left out)"
                if dropped
                else ""
            )
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} of the "
                f"{len(data)} training windows ({len(valid)}), which leaves none to train on. The latest "
                f"windows of each series validate{gap}. Pass longer series (each time step beyond "
                "window_length adds a window), lower validation_fraction or set early_stopping=False."
            )

    def _record_history(self) -> None:
        # whole epochs only, as in the estimators: an interrupted epoch has no loss
        self.loss_curve_ = completed_epochs(self.net_.history, "train_loss")
        self.n_iter_ = len(self.loss_curve_)

    def _window_dataset(
        self, series: list[tuple[tuple, pd.DataFrame]], X: pd.DataFrame | None, store: bool = False
    ) -> WindowDataset:
        W, H = self.window_length_, self.horizon_
        inputs, targets, starts, numbers, offset = [], [], [], [], 0
        for number, (key, frame) in enumerate(series):
            yv, _ = self._transform_y(frame.to_numpy(dtype=np.float64), key, store)
            cols = [yv]
            if self._n_exog:
                x = _instance_frame(X, key)
                cols.append(x.loc[frame.index].to_numpy(dtype=np.float64))
            rows = np.concatenate(cols, axis=1)
            rows = _edge_pad(rows, W + 1)
            target = rows[:, : yv.shape[1]].copy()
            # H padding rows: targets unobserved, exogenous values carried forward
            rows = np.concatenate([rows, np.repeat(rows[-1:], H, axis=0)], axis=0)
            target = np.concatenate([target, np.full((H, target.shape[1]), np.nan)], axis=0)
            n_windows = len(rows) - H - W
            starts.append(offset + np.arange(n_windows))
            numbers.append(np.full(n_windows, number))
            inputs.append(rows)
            targets.append(target)
            offset += len(rows)
        return WindowDataset(
            torch.as_tensor(np.concatenate(inputs), dtype=torch.float32),
            torch.as_tensor(np.concatenate(targets), dtype=torch.float32),
            torch.as_tensor(np.concatenate(starts), dtype=torch.int64),
            W,
            H,
            H if self._n_exog else 0,
            torch.as_tensor(np.concatenate(numbers), dtype=torch.int64),
        )

    # -- horizons ---------------------------------------------------------------------------------
    def _horizons(self, fh: ForecastingHorizon, series) -> list[tuple[np.ndarray, pd.Index]]:
        """For each series: the steps of ``fh`` from its own last time point, and their time points.

        As in sktime's forecasters of one series applied to each series of a
        panel, a relative ``fh`` counts from each series' own end (series ending
        on different dates get forecasts on different dates), while an absolute
        ``fh`` names the same time points for every series, which are then
        different steps ahead.
        """
        placed = self._placed(fh)
        out = []
        for _, frame in series:
            end = frame.index[-1:]
            if fh.is_relative:
                steps, index = placed.to_numpy(), placed.to_absolute_index(end)
            else:
                steps, index = placed.to_relative(end).to_numpy(), fh.to_pandas()
            out.append((np.asarray(steps, dtype=np.int64), index))
        steps = np.concatenate([s for s, _ in out])
        if (steps < 1).any():
            raise NotImplementedError(
                "RNNForecaster forecasts out-of-sample steps only, but fh contains in-sample steps "
                f"{sorted(set(steps[steps < 1].tolist()))}. Pass an fh with steps >= 1 (an absolute fh "
                "must lie after the end of every series)."
            )
        return out

    # -- inference ----------------------------------------------------------------------------------
    def _raw_quantiles(self, fh: ForecastingHorizon, X: pd.DataFrame | None):
        """Network outputs in original units: per series (key, time points, ndarray (len(fh), C, Q))."""
        series = _instances(self._y_hist)
        horizons = self._horizons(fh, series)
        furthest = max(int(steps.max()) for steps, _ in horizons)
        if furthest > self.horizon_:
            raise ValueError(
                f"fh reaches {furthest} steps ahead, but the network was trained for "
                f"horizon_={self.horizon_} steps. Pass an fh reaching that far to fit, or set "
                "max_horizon."
            )
        if self._n_exog:
            _refuse_duplicates(X, "X", "predict")
        W = self.window_length_
        windows, stats = [], []
        for (key, frame), (_, required) in zip(series, horizons, strict=True):
            yv, stat = self._transform_y(frame.to_numpy(dtype=np.float64), key)
            stats.append(stat)
            cols = [yv]
            if self._n_exog:
                cols = [np.concatenate([yv, np.zeros((self.horizon_, yv.shape[1]))])]
                cols.append(self._exog_rows(key, frame.index, X, required))
            rows = np.concatenate(cols, axis=1)
            n_past = len(frame)
            past = _edge_pad(rows[:n_past], W)[-W:]
            windows.append(np.concatenate([past, rows[n_past:]], axis=0) if self._n_exog else past)
        values = np.stack(windows).astype(np.float32)
        seqs = Sequences(values, np.full(len(values), values.shape[1], dtype=np.int64), False)
        with torch_session(self.n_threads):
            out = predict_in_batches(self.net_, SequenceDataset(seqs), self.batch_size).numpy()
        out = np.sort(out.astype(np.float64), axis=-1)  # monotone rearrangement of crossing quantiles
        out = self._calibrated(out)
        result = []
        for (key, _), o, (steps, index), stat in zip(series, out, horizons, stats, strict=True):
            result.append((key, index, self._inverse_y(o[steps - 1], stat)))
        return result

    def _calibrated(self, quantiles: np.ndarray) -> np.ndarray:
        """Sorted network quantiles (..., H, C, Q), scaled units, with the conformal offsets applied."""
        shift = self._conformal_shift()
        if shift is None:
            return quantiles
        with torch.no_grad():
            return shift(torch.from_numpy(np.ascontiguousarray(quantiles, dtype=np.float64))).numpy()

    def _conformal_shift(self) -> ConformalShift | None:
        """The module that applies ``conformal_offsets_`` (for predict and ONNX export); None without them."""
        offsets = getattr(self, "conformal_offsets_", None)
        if offsets is None:
            return None
        lower, upper, _ = _quantile_pairs(self.quantile_levels_)
        shifts = np.zeros((*offsets.shape[:2], len(self.quantile_levels_)))
        shifts[..., lower] = -offsets
        shifts[..., upper] = offsets
        median = int(np.flatnonzero(np.isclose(self.quantile_levels_, 0.5))[0])
        return ConformalShift(shifts, median)

    def _exog_rows(
        self, key: tuple, past_index: pd.Index, X: pd.DataFrame | None, required: pd.Index
    ) -> np.ndarray:
        """Stored X on ``past_index`` followed by ``horizon_`` future rows.

        Future rows come from ``X`` passed to predict, else from X stored by fit or
        update beyond the series' end; every time point of ``required`` (the
        forecast's) must be among them, other steps are filled forward. Rows of
        ``X`` at or before the series' end are checked against the stored history,
        never written to it.
        """
        history = _instance_frame(self._X_hist, key)[self._x_columns]
        last = past_index[-1]
        future = history[history.index > last]
        passed = _instance_frame(X, key)
        if passed is not None:
            if list(passed.columns) != self._x_columns:
                raise ValueError(
                    f"X passed to predict has columns {list(passed.columns)}, but the forecaster was fitted "
                    f"with X columns {self._x_columns}. Pass future X with the columns (and order) of fit."
                )
            self._refuse_changed_history(passed[passed.index <= last], history, key)
            new = passed[passed.index > last]
            future = pd.concat([future[~future.index.isin(new.index)], new]).sort_index()
        missing = required[~required.isin(future.index)]
        if len(missing):
            given = "X passed to predict" if passed is not None else "no X was passed to predict and X of fit"
            raise ValueError(
                f"This forecaster was fitted with X, so it reads X at the time points it forecasts, but "
                f"{given} has no rows for {_format_times(missing)}{_series_label(key)} (y ends on "
                f"{_format_time(last)}). Pass X to predict with a row for every time point of fh."
            )
        steps = np.arange(1, self.horizon_ + 1)
        future_fh = ForecastingHorizon(steps, is_relative=True, freq=self._fh_freq())
        future_index = future_fh.to_absolute_index(past_index[-1:])
        rows = pd.concat([history.loc[past_index], future.reindex(future_index)]).ffill()
        _check_exog_values(rows, "predict")
        return rows.to_numpy(dtype=np.float64)

    def _refuse_changed_history(self, past: pd.DataFrame, history: pd.DataFrame, key: tuple) -> None:
        """Refuse rows of X passed to predict that differ from the stored X at the same time points."""
        past = past[past.index.isin(history.index)]
        if not len(past):
            return
        stored = history.loc[past.index].to_numpy(dtype=np.float64)
        differ = ~np.isclose(past.to_numpy(dtype=np.float64), stored, rtol=1e-9, atol=0.0).all(axis=1)
        if differ.any():
            raise ValueError(
                f"X passed to predict differs from the X seen in fit and update at "
                f"{_format_times(past.index[differ])}{_series_label(key)}, at or before the cutoff. predict "
                "reads X only after the cutoff and never changes the stored history: pass X for the "
                "forecast's time points only, or pass revised past values with update(y, X)."
            )

    def _assemble(self, results, columns) -> pd.DataFrame:
        """One frame of forecasts from per-series ``(key, time points, values)``."""
        frames = []
        for key, index, values in results:
            frame = pd.DataFrame(values, columns=columns)
            if key:
                frame.index = pd.MultiIndex.from_tuples([(*key, t) for t in index], names=self._index_names())
            else:
                frame.index = index
            frames.append(frame)
        return pd.concat(frames) if len(frames) > 1 else frames[0]

    def _fh_freq(self) -> Any:
        """Frequency of the time index: the cutoff's, else inferred from the longest series.

        sktime's cutoff has none when the series of a panel end on different dates.
        """
        freq = getattr(self.cutoff, "freq", None)
        return freq if freq is not None else _series_freq(self._y_hist)

    def _placed(self, fh: ForecastingHorizon) -> ForecastingHorizon:
        """``fh`` with the time index's frequency, so that its steps can be placed in time.

        Dates without a frequency (a date column made the index) get the one
        inferred from the series; dates with none to infer (irregular dates) are
        refused, since steps ahead cannot be placed on them.
        """
        if fh.freq is not None:
            return fh
        freq = self._fh_freq()
        if freq is None:
            times = self._y_hist.index.get_level_values(-1)
            if isinstance(times, pd.DatetimeIndex):
                raise ValueError(
                    "The time index of y is a DatetimeIndex without a frequency, and none can be inferred "
                    f"from its dates (e.g. {_format_times(times.unique().sort_values(), limit=4)}): they are "
                    "not evenly spaced, so RNNForecaster cannot place forecast steps in time. Put y on a "
                    "regular grid first, e.g. y.resample('D').mean() (per series of a panel: "
                    "y.groupby(level=0).resample('D', level=-1).mean()), or, when the dates are regular "
                    "but too few to infer from, set the index's freq (y.index.freq = 'D')."
                )
            return fh
        return ForecastingHorizon(fh.to_pandas(), is_relative=fh.is_relative, freq=freq)

    def _index_names(self):
        return list(self._y_hist.index.names)

    def _predict(self, fh: ForecastingHorizon, X: pd.DataFrame | None = None) -> pd.DataFrame:
        """Point forecasts (the 0.5 quantile) for ``fh``.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample horizon within ``1..horizon_``.
        X : pd.DataFrame, optional
            Future exogenous values.

        Returns
        -------
        y_pred : pd.DataFrame
            Forecasts with the columns of ``y``.
        """
        median = int(np.flatnonzero(np.isclose(self.quantile_levels_, 0.5))[0])
        results = [(key, index, q[:, :, median]) for key, index, q in self._raw_quantiles(fh, X)]
        return self._assemble(results, self._y_hist.columns)

    def _predict_quantiles(self, fh: ForecastingHorizon, X: pd.DataFrame | None, alpha: list[float]):
        """Quantile forecasts for ``fh`` at levels ``alpha``.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample horizon within ``1..horizon_``.
        X : pd.DataFrame, optional
            Future exogenous values.
        alpha : list of float
            Quantile levels in (0, 1).

        Returns
        -------
        quantiles : pd.DataFrame
            Columns: (variable, alpha) MultiIndex; rows: the forecast index.
        """
        alpha = [float(a) for a in alpha]
        results = []
        for key, index, q in self._raw_quantiles(fh, X):
            interp = _interpolate_quantiles(q, self.quantile_levels_, np.asarray(alpha))
            results.append((key, index, interp.reshape(interp.shape[0], -1)))
        columns = self._get_columns(method="predict_quantiles", alpha=alpha)
        return self._assemble(results, columns)

    # -- update -------------------------------------------------------------------------------------
    def _update(self, y: pd.DataFrame, X: pd.DataFrame | None = None, update_params: bool = True):
        """Extend the state with new data; with ``update_params``, train further on all data.

        Parameters
        ----------
        y : pd.DataFrame, pd-multiindex or pd_multiindex_hier
            New observations (checked by ``_update_y_X`` before sktime moved the cutoff).
        X : same layout as ``y``, optional
            New exogenous values.
        update_params : bool, default=True
            Whether to continue training for ``update_epochs`` epochs on windows of
            all data seen so far (scaling statistics stay those of ``fit``).

        Notes
        -----
        The conformal offsets of ``fit`` are kept either way. With
        ``update_params=False`` the network is the calibrated one and forecasts
        from the new origin as the held-out windows were forecast, from data it
        did not train on. With ``update_params=True`` it also trains on the
        held-out time points and the new data, so the offsets, measured before,
        become approximate; fit again to recalibrate.

        Returns
        -------
        self : RNNForecaster
        """
        self._y_hist = _append(self._y_hist, self._fitted_columns(y))
        if X is not None and self._X_hist is not None:
            self._X_hist = _append(self._X_hist, X[self._x_columns])
        if not update_params:
            return self
        epochs = self.update_epochs or max(1, self.max_epochs // 10)
        data = self._window_dataset(_instances(self._y_hist), self._X_hist)
        device = str(self.net_.device)
        seed = fit_seed(self.random_state)
        with torch_session(self.n_threads, seed, training=True):
            net = self._build_net(self.net_.module_, device, seed)
            net.set_params(max_epochs=epochs)
            if self.lr_schedule == "cosine":
                net.set_params(callbacks__lr_schedule__T_max=epochs)
            net.fit(data, None)
        self.net_ = net
        self._record_history()
        return self

    # -- testing ------------------------------------------------------------------------------------
    @classmethod
    def get_test_params(cls, parameter_set: str = "default"):
        """Cheap parameter sets for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set; only "default" exists.

        Returns
        -------
        params : list of dict
        """
        return [
            {"window_length": 4, "hidden_size": 4, "max_epochs": 2, "batch_size": 16, "random_state": 0},
            {
                "cell": "gru",
                "window_length": 3,
                "hidden_size": 3,
                "bidirectional": True,
                "max_epochs": 1,
                "max_horizon": 5,
                "quantile_levels": [0.1, 0.9],
                "target_transform": "none",
                "conformal": False,
                "baseline": "naive",
                "n_networks": 2,
                "random_state": 1,
            },
        ]


# window_length="auto": half the longest series, between 2 and 36 steps (benchmarks/forecasting.py)
MAX_WINDOW = 36


def _window_length(window_length: int | str, n_longest: int) -> int:
    """The window the network reads: ``window_length``, or for "auto" a rule of the series' length."""
    if window_length != "auto":
        return int(window_length)
    return int(min(MAX_WINDOW, max(2, n_longest // 2)))


def _append(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    both = pd.concat([old, new[old.columns]])
    return both[~both.index.duplicated(keep="last")].sort_index()


_SEASONS = {"M": 12, "MS": 12, "ME": 12, "Q": 4, "QS": 4, "QE": 4, "W": 52, "D": 7, "B": 5, "h": 24, "H": 24}


def _infer_sp(index: pd.Index, cutoff: Any) -> int:
    """Seasonal period implied by the frequency of a time index (1 when unknown)."""
    freq = getattr(index, "freq", None) or getattr(cutoff, "freq", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if freq is None:
        return 1
    name = freq if isinstance(freq, str) else getattr(freq, "name", None) or freq.freqstr
    base = name.split("-")[0].lstrip("0123456789")
    return _SEASONS.get(base, 1)


def _interpolate_quantiles(q: np.ndarray, levels: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Quantiles ``q`` (..., Q) at sorted ``levels`` -> (..., len(alpha)), linear in normal scores."""
    if (alpha <= 0).any() or (alpha >= 1).any():
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha.tolist()}.")
    z_grid = norm.ppf(levels)
    z = norm.ppf(alpha)
    if len(levels) == 1:
        return np.repeat(q, len(alpha), axis=-1)
    j = np.clip(np.searchsorted(z_grid, z, side="right") - 1, 0, len(levels) - 2)
    weight = (z - z_grid[j]) / (z_grid[j + 1] - z_grid[j])
    out = q[..., j] + weight * (q[..., j + 1] - q[..., j])
    # extrapolation never reverses the order of the requested levels
    order = np.argsort(alpha, kind="stable")
    out[..., order] = np.maximum.accumulate(out[..., order], axis=-1)
    return out
