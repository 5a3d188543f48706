"""Quantiles and intervals: conformal offsets of central intervals, interpolation between levels."""

from __future__ import annotations

import numpy as np
from scipy.stats import norm

from ._networks.forecast import ConformalShift

__all__ = [
    "DEFAULT_QUANTILES",
    "conformal_offsets",
    "conformal_shift",
    "interpolate_quantiles",
    "quantile_pairs",
]

DEFAULT_QUANTILES = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975)


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


def conformal_shift(offsets: np.ndarray | None, levels: np.ndarray) -> ConformalShift | None:
    """The module applying conformal ``offsets`` (H, C, n_pairs) to quantiles at ``levels``; None without."""
    if offsets is None:
        return None
    lower, upper, _ = quantile_pairs(levels)
    shifts = np.zeros((*offsets.shape[:2], len(levels)))
    shifts[..., lower] = -offsets
    shifts[..., upper] = offsets
    return ConformalShift(shifts, median_index(levels))


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
