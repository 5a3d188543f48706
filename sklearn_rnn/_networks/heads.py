"""Output heads and inference graphs: a network's raw outputs -> what an estimator returns.

A head turns the trained network's outputs into probabilities, the units of the
training targets, or sorted and calibrated quantiles in the series' units.
``predict`` applies it, and the ONNX export traces the very same module behind
the network (an :class:`InferenceGraph`, which each estimator builds for itself),
so the two never compute different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from .._scaling import input_scale, rounding_scaled
from .forecast import ConformalShift, halfway_to

__all__ = [
    "ForecastGraph",
    "InferenceGraph",
    "Probabilities",
    "QuantileForecasts",
    "SequenceGraph",
    "SeriesScaling",
    "TargetUnits",
]


class Probabilities(nn.Module):
    """Scores ``(n, K)`` -> probabilities: softmax over classes, or one sigmoid per label (multi-label).

    Computed in the dtype of the scores (``predict_proba`` passes float64).
    """

    def __init__(self, multilabel: bool = False) -> None:
        super().__init__()
        self.multilabel = multilabel

    def forward(self, scores: torch.Tensor) -> torch.Tensor:
        if self.multilabel:
            return torch.sigmoid(scores)  # one independent probability per label
        return torch.softmax(scores, dim=1)


class TargetUnits(nn.Module):
    """Standardised outputs ``(n, k)`` -> the training targets' units, in float64 (raveled for a 1D ``y``).

    A target constant in fit (``y_scale`` a rounding of ``y_mean``:
    :func:`~sklearn_rnn._scaling.rounding_scaled`) is predicted as that constant exactly, as
    scikit-learn's linear models and ``DummyRegressor`` predict it: mapped back, the network's
    leftover output moved it by a rounding, and R^2 scores any miss of a constant 0.
    """

    def __init__(self, y_mean: np.ndarray, y_scale: np.ndarray, ravel: bool) -> None:
        super().__init__()
        self.ravel = ravel
        self.register_buffer("y_mean", torch.as_tensor(np.asarray(y_mean, dtype=np.float64)))
        self.register_buffer("y_scale", torch.as_tensor(np.asarray(y_scale, dtype=np.float64)))

    def forward(self, out: torch.Tensor) -> torch.Tensor:
        out = out.double() * self.y_scale + self.y_mean
        out = torch.where(rounding_scaled(self.y_scale, self.y_mean), self.y_mean, out)
        return out[:, 0] if self.ravel else out


class SeriesScaling(nn.Module):
    """The forecaster's scaling of a series ``(..., C)``: the log of the columns ``log`` marks, standardised.

    The one place of the rule: the forecaster scales its series with it and the
    exported graph reads raw windows through it (:class:`QuantileForecasts`
    maps forecasts back).
    """

    def __init__(self, log: np.ndarray) -> None:
        super().__init__()
        self.register_buffer("log", torch.as_tensor(np.asarray(log, dtype=bool)))

    def logged(self, values: torch.Tensor) -> torch.Tensor:
        return torch.where(self.log, torch.log(values), values)

    def forward(self, values: torch.Tensor, mean: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
        return (self.logged(values) - mean) / scale


class QuantileForecasts(nn.Module):
    """Network quantiles ``(n, H, C, Q)`` in scaled units -> the forecast's quantiles, in float64.

    The quantiles are sorted (a monotone rearrangement of crossing ones), moved
    by the conformal ``shift`` when the forecaster is calibrated, then mapped
    back with ``mean`` and ``scale``, ``(C,)`` or each row's ``(n, C)``, and, for the columns
    ``log`` marks, exponentiated. A column constant in fit (``scale`` a rounding
    of ``mean``: :func:`~sklearn_rnn._scaling.rounding_scaled`) is read and mapped
    back by 1, and every quantile is its median: intervals of width 0. Where
    its window has not moved (``unmoved``, ``(n, C)``: every step at the
    constant, read in float64), every quantile is the constant: the network's
    output on an unmoving window is its own leftover, not a forecast. ``level``
    ``(n, C)``: what was taken off each window in float64 before the network read
    it (a network that reads windows less their level forecasts as much less).
    """

    def __init__(self, log: np.ndarray, shift: ConformalShift | None, median: int) -> None:
        super().__init__()
        self.shift = shift
        self.median = median
        self.scaling = SeriesScaling(log)  # the way in; ``forward`` is the way back

    def forward(
        self,
        out: torch.Tensor,
        mean: torch.Tensor,
        scale: torch.Tensor,
        unmoved: torch.Tensor | None = None,
        level: torch.Tensor | None = None,
    ) -> torch.Tensor:
        out = self.scaled(out)
        if level is not None:  # each window's level ``(n, C)``, taken off before the network read it
            out = out + level[:, None, :, None]
        constant = rounding_scaled(scale, mean)[..., None, :, None]
        out = torch.where(constant, out[..., self.median : self.median + 1], out)
        if unmoved is not None:
            out = torch.where(constant & unmoved[:, None, :, None], torch.zeros_like(out), out)
        scale = torch.where(constant, torch.ones_like(out[..., :1]), scale[..., None, :, None])
        out = out * scale + mean[..., None, :, None]  # (C,) or each row's (n, C)
        return torch.where(self.scaling.log[:, None], torch.exp(out), out)

    def scaled(self, out: torch.Tensor) -> torch.Tensor:
        """Sorted and calibrated quantiles, still in the network's scaled units."""
        out = torch.sort(out.double(), dim=-1).values
        return out if self.shift is None else self.shift(out)


class SequenceGraph(nn.Module):
    """Padded sequences (and their lengths) -> the estimator's output: the network, then its head.

    ``tabular``: the estimator was fitted on a 2D table of univariate
    sequences, so the graph takes ``(batch, time)`` as it does. ``level``: the
    reference level of each feature that the estimator subtracts before its
    network (None: nothing).
    """

    def __init__(self, module: nn.Module, head: nn.Module, tabular: bool, level: Any = None) -> None:
        super().__init__()
        self.module = module
        self.head = head
        self.tabular = tabular
        self.register_buffer("level", None if level is None else torch.as_tensor(level, dtype=torch.float64))

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        if self.tabular:
            X = X.unsqueeze(-1)
        if self.level is not None:  # in float64, as the estimator subtracts it (it rounds once)
            X = X.double() - self.level
        X = X.float()  # a float64 input (to_onnx's input_dtype) is cast after the level is taken off
        if lengths is None:
            return self.head(self.module(X, lengths))
        # a length outside [1, time] gives its row NaN: clamped, it would read padding or the next
        # row's steps (the last step's gather is flat) and return a plausible number; 0 divides by 0
        time = torch.ones_like(X[:, :, 0], dtype=torch.int64).sum(dim=1)  # symbolic in the graph
        valid = (lengths >= 1) & (lengths <= time)
        out = self.head(self.module(X, torch.minimum(torch.clamp(lengths, min=1), time)))
        return torch.where(valid.view(-1, *[1] * (out.dim() - 1)), out, torch.full_like(out, float("nan")))


class ForecastGraph(nn.Module):
    """The latest raw observations of one series -> its quantile forecasts, as ``predict_quantiles``.

    The series' log transform and standardisation come first, then the network
    (which reads the last ``window_length`` steps) and its :class:`QuantileForecasts`
    head with the same statistics. With ``series_map`` ``(C, H, L)`` (the
    forecaster's ``series_smoothing_``, a linear map of the last ``L`` scaled
    values), the quantiles move with the median to the mean of the network's
    and the map's forecasts in the series' units, as ``predict`` moves them.
    """

    def __init__(
        self,
        net: nn.Module,
        head: QuantileForecasts,
        mean: np.ndarray,
        scale: np.ndarray,
        series_map: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.net = net
        self.head = head
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean, dtype=np.float64)))
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale, dtype=np.float64)))
        self.register_buffer("in_scale", torch.as_tensor(input_scale(mean, scale)))
        as_tensor = None if series_map is None else torch.as_tensor(np.asarray(series_map, dtype=np.float64))
        self.register_buffer("series_map", as_tensor)

    def forward(self, y_window: torch.Tensor) -> torch.Tensor:
        latest = self.head.scaling(y_window.double(), self.mean, self.in_scale)
        W = int(self.net.window_length)
        y_window, scaled = y_window[:, -W:], latest[:, -W:]
        # a window at the constant, as predict reads it (in float64, exactly): float32 input holds the
        # constant rounded, and reads as it where it is its float32 (0.1 as 0.1 + 1.5e-9; a float32 step
        # away has moved); a log is the runtime's, a few float64 roundings from torch's
        log = self.head.scaling.log
        constant = torch.where(log, torch.exp(self.mean), self.mean)
        if y_window.dtype == torch.float64:
            tolerance = torch.where(log, 4 * torch.finfo(torch.float64).eps * constant.abs(), 0.0)
            at = (y_window - constant).abs() <= tolerance
        else:
            at = y_window == constant.to(y_window.dtype)
        unmoved = at.to(y_window.dtype).amin(dim=1) == 1  # every step (a reduction ONNX has for floats)
        level = None
        if getattr(self.net, "local_level", False):  # the window's level off in float64, as predict does
            level = scaled.mean(dim=1)
            scaled = scaled - level[:, None, :]
        out = self.net(scaled.float())
        if self.series_map is not None:
            L = int(self.series_map.shape[-1])
            forecasts = torch.einsum("chl,nlc->nhc", self.series_map, latest[:, -L:])
            if level is not None:
                forecasts = forecasts - level[:, None, :]
            out = halfway_to(out, forecasts, self.head.median, self.in_scale, self.head.scaling.log)
        return self.head(out, self.mean, self.scale, unmoved, level)


@dataclass
class InferenceGraph:
    """What the ONNX export traces: a module, an example input and the names of its input and output."""

    graph: nn.Module
    example: torch.Tensor
    input_name: str
    output_name: str
    dynamic_time: bool  # whether the time axis is free (False: the forecaster's fixed window)
    takes_lengths: bool
