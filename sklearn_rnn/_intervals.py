"""Quantiles and intervals: conformal offsets of central intervals, interpolation between levels."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import norm

from ._networks.forecast import ConformalShift

__all__ = [
    "DEFAULT_QUANTILES",
    "conformal_offsets",
    "conformal_shift",
    "drift_floors",
    "interpolate_quantiles",
    "quantile_pairs",
]

DEFAULT_QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


def fitted_levels(quantile_levels: Any) -> np.ndarray:
    """The sorted levels a network is trained for: ``quantile_levels`` (None: the default) and 0.5."""
    levels = DEFAULT_QUANTILES if quantile_levels is None else quantile_levels
    try:
        levels = np.asarray(levels, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"quantile_levels must be a sequence of numbers, got {quantile_levels!r}.") from None
    if not (np.isfinite(levels).all() and (levels > 0).all() and (levels < 1).all()):
        raise ValueError(
            f"quantile_levels must lie strictly between 0 and 1 (no NaN or infinity), got {quantile_levels}."
        )
    return np.unique(np.append(levels, 0.5))


def quantile_pairs(levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of the lower and upper level of each central interval (outermost first), and its coverage."""
    below, above = np.flatnonzero(levels < 0.5), np.flatnonzero(levels > 0.5)[::-1]
    n = min(len(below), len(above))
    lower, upper = below[:n], above[:n]
    return lower, upper, levels[upper] - levels[lower]


def conformal_offsets(
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
    lower, upper, coverage = quantile_pairs(levels)
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


def conformal_shift(
    offsets: np.ndarray | None, levels: np.ndarray, floors: np.ndarray | None = None
) -> ConformalShift | None:
    """The module moving quantiles at ``levels`` by conformal ``offsets`` and out to ``floors``.

    ``offsets`` (H, C, n_pairs), by central interval, outermost first, move an
    interval's bounds out (in when negative); ``floors`` (H, C, Q) are the
    least distance each level keeps from the median. None when both are None.
    """
    if offsets is None and floors is None:
        return None
    shape = (offsets if offsets is not None else floors).shape[:2]
    shifts = np.zeros((*shape, len(levels)))
    if offsets is not None:
        lower, upper, _ = quantile_pairs(levels)
        shifts[..., lower], shifts[..., upper] = -offsets, offsets
    return ConformalShift(shifts, median_index(levels), floors)


def drift_floors(series: list[np.ndarray], horizon: int, levels: np.ndarray) -> np.ndarray | None:
    """Distances (H, C, Q) of the drift method's quantiles at ``levels`` from its median.

    The random walk with drift (Hyndman and Athanasopoulos, *Forecasting:
    Principles and Practice*, 3rd ed., section 5.5): its residuals are each
    series' first differences less their mean, and its quantile at level ``q``
    and step ``h`` lies ``|z_q| σ sqrt(h (1 + h / T))`` from its median, ``z_q``
    the normal quantile of ``q``, ``σ`` the residuals' standard deviation pooled
    over the ``series`` (each (T_i, C), in one scale) and ``T`` the shortest
    series' number of differences. None where no series has two differences.
    """
    residuals = [np.diff(s, axis=0) for s in series if len(s) > 2]
    if not residuals:
        return None
    centred = np.concatenate([r - r.mean(axis=0) for r in residuals])
    sigma = np.sqrt((centred**2).sum(axis=0) / (len(centred) - len(residuals)))  # (C,)
    T = min(len(r) for r in residuals)
    h = np.arange(1, horizon + 1, dtype=np.float64)[:, None, None]
    return np.abs(norm.ppf(levels)) * sigma[:, None] * np.sqrt(h * (1 + h / T))


def median_index(levels: np.ndarray) -> int:
    """Position of the 0.5 level (the point forecast) among ``levels``."""
    return int(np.flatnonzero(np.isclose(levels, 0.5))[0])


def interpolate_quantiles(q: np.ndarray, levels: np.ndarray, alpha: np.ndarray) -> np.ndarray:
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


def calibration(
    quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`conformal_offsets` made usable: the offsets (H, C, n_pairs) and each step's fewest scores.

    Where a step has too few scores for an interval's finite-sample quantile,
    its offset is the largest score, with a warning that says the coverage
    this guarantees; a step without scores (none expected) keeps offset 0.
    """
    offsets, counts, largest = conformal_offsets(quantiles, targets, levels)
    short = np.isnan(offsets)
    if short.any():
        _, _, coverage = quantile_pairs(levels)
        short_levels = coverage[short.any(axis=(0, 1))]
        n = int(counts[short.any(axis=-1)].min())
        needs = ", ".join(
            f"{c:.0%} needs {int(np.ceil(c / (1 - c) - 1e-9))}"
            for c in short_levels  # (n + 1) c <= n
        )
        warnings.warn(
            f"Conformal calibration has only {n} held-out scores at some steps, too few for the "
            f"finite-sample quantile of the {', '.join(f'{c:.0%}' for c in short_levels)} intervals "
            f"({needs}). Their offsets there are the largest score, which guarantees coverage {n}/{n + 1} = "
            f"{n / (n + 1):.1%} only. Raise calibration_fraction or pass longer series (each held-out "
            "time point adds one score per step and series).",
            UserWarning,
            stacklevel=5,  # the user's call of fit
        )
        offsets = np.where(short, largest, offsets)
    return np.nan_to_num(offsets, nan=0.0), counts.min(axis=1)
