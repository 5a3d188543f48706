"""Quantiles and intervals: conformal offsets of central intervals, interpolation between levels."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import norm

from ._networks.forecast import ConformalShift
from ._runtime import user_stacklevel

__all__ = [
    "DEFAULT_QUANTILES",
    "conformal_offsets",
    "conformal_shift",
    "conformity_scores",
    "drift_floors",
    "interpolate_quantiles",
    "quantile_pairs",
    "step_spreads",
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


def conformity_scores(quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """How far each target lies outside each central interval, ``max(lo - y, y - hi)`` (negative inside).

    ``quantiles`` (n, H, C, Q) sorted, ``targets`` (n, H, C) -> (n, H, C, n_pairs),
    the intervals of :func:`quantile_pairs` (outermost first); NaN where a target is.
    """
    lower, upper, _ = quantile_pairs(levels)
    lo, hi = quantiles[..., lower], quantiles[..., upper]
    return np.maximum(lo - targets[..., None], targets[..., None] - hi)


def step_spreads(
    quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each step's held-out values (H, C), its spread ``s_h`` (H, C) and the spread of each value's others.

    ``s_h`` is the mean absolute error of the step's median forecasts (0 where
    all were exact); the others' spread (n, H, C) leaves each held-out value's
    own error out (NaN where it is not held out, or is its step's only value).
    An error within float32 rounding of the values compared (the network's
    precision; at least of 1, in these standardised units) is none: a series
    constant but for one value had its other medians off by 7e-9, and that
    value's miss, in their units, scored 1.4e9, its 95% interval +-9e9 (on the
    log scale, inf).
    """
    counts = np.isfinite(targets).sum(axis=0)
    medians = quantiles[..., median_index(levels)]
    errors = np.abs(targets - medians)  # NaN when unobserved
    rounding = 8 * np.finfo(np.float32).eps * np.fmax(np.fmax(np.abs(targets), np.abs(medians)), 1.0)
    errors = np.where(errors <= rounding, 0.0, errors)
    sums = np.nansum(errors, axis=0)  # (H, C)
    spread = np.where(sums > 0, sums / np.maximum(counts, 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # a step with one value has no others
        rest = sums - errors  # 0 where every other error is: float error of the difference set to 0
        others = np.where(rest <= 4 * counts * np.finfo(np.float64).eps * sums, 0.0, rest) / (counts - 1)
    return counts, spread, others


def conformal_offsets(
    quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split-conformal offsets of each central interval, per step and column (CQR, Romano et al. 2019).

    ``quantiles`` (n, H, C, Q) are sorted forecasts of held-out windows and
    ``targets`` (n, H, C) their observed values (NaN where not held out). The
    conformity score of the interval ``[lo, hi]`` is ``max(lo - y, y - hi)``
    (negative inside). Each step's scores are divided by the step's spread
    ``s_h``, the mean absolute error of its median forecasts, so that the scores
    of all steps pool (normalised conformal prediction, Papadopoulos et al.
    2008, with one scale per step). A future value's score is in units of
    ``s_h``, which its own error is not part of; a held-out score is in
    whichever unit makes it larger, ``s_h`` or the spread of the step's other
    held-out values (without its own error): the smaller unit for a miss, the
    larger for a value inside; a miss at a step whose other medians were all
    exact, or nearly (their spread at most ``s_h / m``, its own error nearly all
    of the step's), is in units of ``s_h``. Either unit alone shrinks some held-out
    scores against a future value's (the other values' spread alone covered
    89% with a 95% interval on generated intervals three times too wide).

    Each held-out time point is scored once a step, so the ``N`` pooled scores
    of a column come from ``m`` time points (the most values any step has), and
    one time point's scores move together (a value far from its forecasts is
    far at every step). The exchangeable units are the time points, not the
    scores: the offset of an interval of coverage ``c`` at step ``h`` is ``s_h``
    times the pool's quantile at level ``c (m + 1) / m`` (its
    ``ceil(N c (m + 1) / m)``-th smallest score). With a unit fixed in
    advance that covers at least ``c`` on average over the steps, if the
    held-out time points and a future one are exchangeable and each has its
    score at every step, however its scores across steps are related. The
    units here are estimated from the held-out values; the choice above
    covered at least its target on generated scores of many kinds, which is
    measured, not proven. Counting the ``N``
    scores as the units instead (the ``ceil((N + 1) c)``-th smallest) covered
    91% with a 95% interval on a series of independent noise, whose held-out
    values are scored alike at every step. Returns the offsets (H, C,
    n_pairs), NaN where ``m`` is too small for that level to exist
    (``c (m + 1) > m``), the score counts of each step (H, C), the offsets from
    the largest pooled scores (H, C, n_pairs) and ``m`` (C,). A step whose
    medians were all exact adds no score to the pool and has offset 0.
    """
    _, _, coverage = quantile_pairs(levels)
    scores = conformity_scores(quantiles, targets, levels)  # (n, H, C, P); NaN when unobserved
    counts, spread, others = step_spreads(quantiles, targets, levels)
    # a held-out score in whichever unit makes it larger: for a miss (a positive score) the smaller of the
    # step's spread and its other values' spread, for a value inside (negative) the larger; either unit
    # alone makes some held-out scores smaller than a future value's, whose unit is the step's spread
    with np.errstate(divide="ignore", invalid="ignore"):
        full = np.where(spread > 0, spread, np.nan)[None]  # (1, H, C); NaN: every median exact
        # the others (near) exact, their spread at most s_h / m, its own error nearly all of the step's:
        # the step's spread (a series constant but for one value scored its miss 1.4e6 in their units)
        unit = np.where(others > spread / np.maximum(counts, 1), others, full)
        normalised = np.fmax(scores / unit[..., None], scores / full[..., None])
    pooled = np.sort(normalised.transpose(2, 3, 0, 1).reshape(*normalised.shape[2:], -1), axis=-1)  # NaN last
    total = np.isfinite(pooled).sum(axis=-1)  # (C, P)
    points = counts.max(axis=0)  # (C,): each held-out time point is scored once a step
    level = coverage * (points[:, None] + 1) / np.maximum(points[:, None], 1)
    # 1-based ranks (C, P); the tolerances keep float error in ``coverage`` from adding one
    ranks = np.ceil(total * np.minimum(level, 1.0) - 1e-9).astype(np.int64)
    ranks[level > 1 + 1e-9] = total[level > 1 + 1e-9] + 1  # too few time points for the level
    last = pooled.shape[-1] - 1
    quantile = np.take_along_axis(pooled, np.clip(ranks - 1, 0, last)[..., None], axis=-1)[..., 0]
    quantile[ranks > total] = np.nan
    quantile[(spread == 0).all(axis=0)] = 0.0  # every median exact: nothing to widen
    largest = np.take_along_axis(pooled, np.clip(total - 1, 0, last)[..., None], axis=-1)[..., 0]
    scale = spread[..., None]  # (H, C, 1): offset 0 where a step has no spread
    return quantile * scale, counts, np.nan_to_num(largest) * scale, points


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
    # beyond the outermost levels, the slope from each outermost quantile to the nearest one that
    # differs: outermost quantiles that coincide (an outer interval clipped onto an inner one) gave a
    # slope of 0, and the 99% interval of the 90% one
    low, high = z < z_grid[0], z > z_grid[-1]
    if low.any() or high.any():
        inner_low, inner_high = (i[..., None] for i in _nearest_distinct(q))
        q_low, q_high = (np.take_along_axis(q, i, axis=-1) for i in (inner_low, inner_high))
        slope_low = (q_low - q[..., :1]) / (z_grid[inner_low] - z_grid[0])
        slope_high = (q[..., -1:] - q_high) / (z_grid[-1] - z_grid[inner_high])
        out = np.where(low, q[..., :1] + (z - z_grid[0]) * slope_low, out)
        out = np.where(high, q[..., -1:] + (z - z_grid[-1]) * slope_high, out)
    # extrapolation never reverses the order of the requested levels
    order = np.argsort(alpha, kind="stable")
    out[..., order] = np.maximum.accumulate(out[..., order], axis=-1)
    return out


def _nearest_distinct(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (...,) of the quantiles of ``q`` (..., L) nearest the first and the last that differ
    from them (the second and the second to last where all are equal)."""
    last = q.shape[-1] - 1
    above = q > q[..., :1]
    inner_low = np.where(above.any(axis=-1), np.argmax(above, axis=-1), 1)
    below = q < q[..., -1:]
    inner_high = np.where(below.any(axis=-1), last - np.argmax(below[..., ::-1], axis=-1), last - 1)
    return inner_low, inner_high


def distribution_levels(levels: np.ndarray, n: int = 200) -> np.ndarray:
    """Levels that describe a forecast's whole distribution: ``n`` evenly spaced midpoints and ``levels``."""
    return np.unique(np.round(np.concatenate([(np.arange(n) + 0.5) / n, levels]), 12))


def tail_scales(q: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean excess of the exponential tails below the first and above the last of ``levels`` (...,).

    Each tail holds the mass beyond its level, at the density of the span from
    its quantile (of ``q``, (..., L)) to the nearest one that differs: outermost
    quantiles that coincide (clipped where they crossed) would otherwise give a
    tail of no width, and a log-loss of infinity to every value beyond. Only a
    forecast whose quantiles are all equal has tails of scale 0.
    """
    inner_low, inner_high = _nearest_distinct(q)
    q_high = np.take_along_axis(q, inner_high[..., None], axis=-1)[..., 0]
    q_low = np.take_along_axis(q, inner_low[..., None], axis=-1)[..., 0]
    lower = levels[0] * (q_low - q[..., 0]) / (levels[inner_low] - levels[0])
    upper = (1 - levels[-1]) * (q[..., -1] - q_high) / (levels[-1] - levels[inner_high])
    return lower, upper


def lower_power(first: np.ndarray, lower: np.ndarray, positive: np.ndarray | None) -> np.ndarray:
    """Exponent ``k`` (...,) of a positive column's lower tail; NaN where the tail is exponential.

    A column on the log scale cannot go below 0: below its first quantile
    ``q0 > 0`` (``first``) its tail is ``F(x) = p0 (x / q0) ** k`` on ``(0, q0]``,
    whose density at ``q0`` is the exponential tail's (``k = q0 / lower``, with
    ``lower`` from :func:`tail_scales`); as ``k`` grows it becomes that tail.
    ``positive``: whether each column (the last axis of ``first``) is positive.
    """
    if positive is None:
        return np.full(np.shape(first), np.nan)
    power = np.asarray(positive, dtype=bool) & (first > 0) & (lower > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(power, first / lower, np.nan)


def lower_tail(q: np.ndarray, lower: np.ndarray, k: np.ndarray, first: np.ndarray) -> tuple:
    """Mean (about the centre ``q`` is taken about) and variance of the mass below the first quantile.

    ``q`` (..., L) about the centre, ``first`` the first quantile itself, ``k``
    from :func:`lower_power`: exponential tails where it is NaN, power tails
    ``q0 (p / p0) ** (1 / k)`` elsewhere (mean ``q0 k / (k + 1)``).
    """
    power = ~np.isnan(k)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(power, q[..., 0] - first / (k + 1), q[..., 0] - lower)
        variance = np.where(power, first**2 * k / ((k + 2) * (k + 1) ** 2), lower**2)
    return mean, variance


def quantile_moments(
    q: np.ndarray, levels: np.ndarray, positive: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance (...,) of the distribution with quantiles ``q`` (..., L) at sorted ``levels``.

    Uniform between consecutive quantiles, exponential tails (:func:`tail_scales`),
    but a power lower tail on ``(0, q0]`` for the ``positive`` columns
    (:func:`lower_power`). Computed about the middle quantile, so that a large
    level keeps the spread's digits.
    """
    centre = q[..., len(levels) // 2 : len(levels) // 2 + 1]
    first = q[..., 0]
    q = q - centre
    lower, upper = tail_scales(q, levels)
    k = lower_power(first, lower, positive)
    mean, variance = moments_about_centre(q, levels, lower, upper, k, first)
    return mean + centre[..., 0], variance


def moments_about_centre(
    q: np.ndarray, levels: np.ndarray, lower: np.ndarray, upper: np.ndarray, k: np.ndarray, first: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`quantile_moments` of ``q`` taken about its middle quantile, the mean about it too.

    ``lower`` and ``upper`` are ``q``'s :func:`tail_scales`; ``k``
    (:func:`lower_power`) and ``first`` (the first quantile itself) give the
    power lower tails.
    """
    low_mean, low_variance = lower_tail(q, lower, k, first)
    mass, middles, widths = np.diff(levels), (q[..., :-1] + q[..., 1:]) / 2, np.diff(q, axis=-1)
    low_mass, high_mass = levels[0], 1 - levels[-1]
    high_mean = q[..., -1] + upper
    mean = (mass * middles).sum(axis=-1) + low_mass * low_mean + high_mass * high_mean
    variance = (
        (mass * ((middles - mean[..., None]) ** 2 + widths**2 / 12)).sum(axis=-1)
        + low_mass * ((low_mean - mean) ** 2 + low_variance)
        + high_mass * ((high_mean - mean) ** 2 + upper**2)
    )
    return mean, variance


def calibration(
    quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`conformal_offsets` made usable: the offsets (H, C, n_pairs) and each step's fewest scores.

    Where a column has too few held-out time points for an interval's
    finite-sample quantile, its offsets come from the largest score, with a
    warning that says the coverage this guarantees (for the column with the
    fewest).
    """
    offsets, counts, largest, points = conformal_offsets(quantiles, targets, levels)
    short = np.isnan(offsets).any(axis=0)  # (C, n_pairs)
    if short.any():
        _, _, coverage = quantile_pairs(levels)
        short_levels = coverage[short.any(axis=0)]
        n = int(points[short.any(axis=1)].min())
        needs = ", ".join(
            f"{c:.0%} needs {int(np.ceil(c / (1 - c) - 1e-9))}"
            for c in short_levels  # (n + 1) c <= n
        )
        warnings.warn(
            f"Conformal calibration has only {n} held-out time point{'s' * (n != 1)} (all series "
            f"together; each is scored once a forecast step), too few for the finite-sample quantile of the "
            f"{', '.join(f'{c:.0%}' for c in short_levels)} intervals ({needs}). Their offsets come from "
            f"the largest score, which calibrates them for coverage {n}/{n + 1} = {n / (n + 1):.1%} only. "
            "Raise calibration_fraction or pass longer series or more of them.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        offsets = np.where(np.isnan(offsets), largest, offsets)
    return offsets, counts.min(axis=1)
