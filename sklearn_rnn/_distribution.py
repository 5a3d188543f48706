"""The forecast distribution :meth:`RNNForecaster.predict_proba` returns (needs skpro, imported on use).

Each entry's distribution is given by its quantiles at levels shared by all
entries: uniform between consecutive quantiles (the quantile function is linear
between the levels), with exponential tails below the first level and above the
last that carry the rest of the mass at the density of the adjacent span (of the
nearest quantile that differs, where the outermost coincide). The
support is unbounded, so the log-loss of a miss grows with the miss; a column
declared positive (one forecast on the log scale) has a power tail on
``(0, q0]`` below its first quantile instead, at the same density there, and no
mass at or below 0. Every method is exact and vectorised; they are computed
about the middle quantile, so that a series at a level of 1e9 keeps the digits
of its spread.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from skpro.distributions.base import BaseDistribution

from ._intervals import lower_power, lower_tail, moments_about_centre, tail_scales


class QuantileDistribution(BaseDistribution):
    """Distributions given by their quantiles, one per entry of a (rows x columns) frame.

    Parameters
    ----------
    quantiles : ndarray of shape (n_rows, n_columns, n_levels)
        Each entry's quantiles at ``levels``, non-decreasing along the last axis.
    levels : ndarray of shape (n_levels,)
        Strictly increasing levels in (0, 1), at least two.
    positive : ndarray of bool, shape (n_columns,), optional
        Columns that cannot take values at or below 0: their tail below the
        first quantile is a power of the value (where that quantile is above 0).
    index, columns : pd.Index, optional
        Row and column labels (default: ``RangeIndex``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn._distribution import QuantileDistribution
    >>> levels = np.array([0.1, 0.5, 0.9])
    >>> d = QuantileDistribution(np.array([[[9.0, 10.0, 12.0]]]), levels)
    >>> float(d.ppf(0.9).iloc[0, 0]), float(d.cdf(10.0).iloc[0, 0])
    (12.0, 0.5)
    """

    _tags = {
        "authors": ["sklearn_rnn developers"],
        "capabilities:approx": [],
        "capabilities:exact": ["mean", "var", "energy", "pdf", "log_pdf", "cdf", "ppf"],
        "distr:measuretype": "continuous",
        "distr:paramtype": "nonparametric",
        "broadcast_init": "off",
    }

    def __init__(self, quantiles, levels, positive=None, index=None, columns=None):
        self.quantiles = quantiles
        self.levels = levels
        self.positive = positive
        q = np.asarray(quantiles, dtype=np.float64)
        index = pd.RangeIndex(q.shape[0]) if index is None else index
        columns = pd.RangeIndex(q.shape[1]) if columns is None else columns
        super().__init__(index=index, columns=columns)
        self._p = np.asarray(levels, dtype=np.float64)
        self._centre = q[..., len(self._p) // 2]
        self._q = q - self._centre[..., None]  # every method works about the middle quantile
        self._lower, self._upper = tail_scales(self._q, self._p)
        self._first = q[..., 0]  # the first quantile itself: a power tail is a power of the value
        self._k = lower_power(self._first, self._lower, positive)
        self._power = ~np.isnan(self._k)
        self._low_mean = lower_tail(self._q, self._lower, self._k, self._first)[0]
        self._mean_about_centre, self._variance = moments_about_centre(
            self._q, self._p, self._lower, self._upper, self._k, self._first
        )

    # -- subsetting: the quantiles are 3-D, which skpro's default subsetting does not cut by rows
    def _iloc(self, rowidx=None, colidx=None):
        rows = np.arange(self.shape[0]) if rowidx is None else np.atleast_1d(np.arange(self.shape[0])[rowidx])
        cols = np.arange(self.shape[1]) if colidx is None else np.atleast_1d(np.arange(self.shape[1])[colidx])
        q = np.asarray(self.quantiles, dtype=np.float64)[np.ix_(rows, cols)]
        positive = None if self.positive is None else np.asarray(self.positive)[cols]
        return type(self)(
            q, self.levels, positive, index=self.index.take(rows), columns=self.columns.take(cols)
        )

    def _loc(self, rowidx=None, colidx=None):
        # skpro's indexer passes ``d.loc[:, ["y"]]`` (as sktime's metrics select a column) on a row
        # MultiIndex whole as a row key, which failed ("Cannot interpret 'y' as period"): read it as
        # rows and columns where its second part is a list of this distribution's columns
        multi = isinstance(self.index, pd.MultiIndex)
        if colidx is None and multi and isinstance(rowidx, tuple) and len(rowidx) == 2:
            rows, cols = rowidx
            if isinstance(cols, list | pd.Index) and len(cols) and self.columns.isin(cols).sum() == len(cols):
                rowidx, colidx = (None if rows == slice(None) else rows), cols
        return super()._loc(rowidx, colidx)

    def _iat(self, rowidx=None, colidx=None):
        return self._iloc([rowidx], [colidx])

    # -- the quantile function and what follows from it -----------------------------------------
    def _span(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Index j (rows, cols) of the span [levels[j], levels[j + 1]] holding ``p``, and its fraction."""
        j = np.clip(np.searchsorted(self._p, p, side="right") - 1, 0, len(self._p) - 2)
        return j, (p - self._p[j]) / (self._p[j + 1] - self._p[j])

    def _at_level(self, j: np.ndarray) -> np.ndarray:
        return np.take_along_axis(self._q, j[..., None], axis=-1)[..., 0]

    def _interpolated(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For ``p`` clipped to the levels: its span j, the quantiles at levels[j] and at ``p``."""
        j, t = self._span(np.clip(p, self._p[0], self._p[-1]))
        q_j = self._at_level(j)
        return j, q_j, q_j + t * (self._at_level(j + 1) - q_j)

    def _by_region(self, x: np.ndarray, passed: np.ndarray, low, inner, high) -> np.ndarray:
        """``low`` below the first quantile, ``high`` from the last on, ``inner`` between; NaN for NaN."""
        out = np.where(passed == 0, low, np.where(passed == len(self._p), high, inner))
        return np.where(np.isnan(x) | np.isnan(self._q).any(axis=-1), np.nan, out)

    def _ppf(self, p):
        p = np.asarray(p, dtype=np.float64)
        _, _, inner = self._interpolated(p)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
            low = self._q[..., 0] + self._lower * np.log(p / self._p[0])
            high = self._q[..., -1] - self._upper * np.log((1 - p) / (1 - self._p[-1]))
            # a power tail, q0 (p / p0) ** (1 / k), as a value: about the centre, one rounding of the
            # centre would be all of a value far below it (0, outside the support)
            power = self._first * np.exp(np.log(p / self._p[0]) / self._k)
        # a tail of scale 0 is an atom at its quantile (a series without spread)
        low = np.where(self._lower == 0, self._q[..., 0], low)
        high = np.where(self._upper == 0, self._q[..., -1], high)
        out = np.where(p < self._p[0], low, np.where(p > self._p[-1], high, inner))
        out = np.where((p < 0) | (p > 1), np.nan, out) + self._centre
        return np.where(self._power & (p >= 0) & (p < self._p[0]), power, out)

    def _where(self, x) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``x`` about the centre, how many quantiles it passes, the span below it and its fraction."""
        x = np.asarray(x, dtype=np.float64) - self._centre
        passed = (self._q <= x[..., None]).sum(axis=-1)
        j = np.clip(passed - 1, 0, len(self._p) - 2)
        low, high = self._at_level(j), self._at_level(j + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip((x - low) / (high - low), 0, 1)
        return x, passed, j, t

    def _log_ratio(self, x) -> np.ndarray:
        """``log(x / q0)`` of ``x`` as given, ``q0`` each entry's first quantile (-inf at 0, NaN below).

        Near ``q0`` as ``log1p`` of the relative distance, which keeps the digits at a level of 1e9.
        """
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                x < self._first / 2, np.log(x / self._first), np.log1p((x - self._first) / self._first)
            )

    def _cdf(self, x):
        ratio = self._log_ratio(x)
        x, passed, j, t = self._where(x)
        inner = self._p[j] + t * (self._p[j + 1] - self._p[j])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            low = np.where(self._lower > 0, self._p[0] * np.exp((x - self._q[..., 0]) / self._lower), 0.0)
            # a power tail: p0 (x / q0) ** k above 0, and nothing at or below 0
            power = np.where(np.isnan(ratio), 0.0, self._p[0] * np.exp(self._k * ratio))
            low = np.where(self._power, power, low)
            high = np.where(
                self._upper > 0, 1 - (1 - self._p[-1]) * np.exp(-(x - self._q[..., -1]) / self._upper), 1.0
            )
        return self._by_region(x, passed, low, inner, high)

    def _log_pdf(self, x):
        ratio = self._log_ratio(x)
        x, passed, j, _ = self._where(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = np.log(self._p[j + 1] - self._p[j]) - np.log(self._at_level(j + 1) - self._at_level(j))
            low = np.log(self._p[0]) + (x - self._q[..., 0]) / self._lower - np.log(self._lower)
            # a power tail's density: p0 k / q0 (x / q0) ** (k - 1) above 0
            power = np.log(self._p[0] * self._k / self._first) + (self._k - 1) * ratio
            high = np.log(1 - self._p[-1]) - (x - self._q[..., -1]) / self._upper - np.log(self._upper)
        # no density at or below 0 (at 0 itself, (k - 1) * -inf is NaN for k = 1 and inf below it)
        low = np.where(self._power, np.where(ratio > -np.inf, power, -np.inf), low)
        low = np.where(self._lower > 0, low, -np.inf)
        high = np.where(self._upper > 0, high, -np.inf)
        return self._by_region(x, passed, low, inner, high)

    def _pdf(self, x):
        return np.exp(self._log_pdf(x))

    def _mean(self):
        return self._mean_about_centre + self._centre

    def _var(self):
        return self._variance

    def _partial_mean(self, p: np.ndarray) -> np.ndarray:
        """G(p), the integral of the quantile function (about the centre) from 0 to ``p``."""
        q, levels, lower, upper = self._q, self._p, self._lower, self._upper
        spans = np.diff(levels) * (q[..., :-1] + q[..., 1:]) / 2
        at_levels = levels[0] * self._low_mean  # G at the first level
        at_levels = np.concatenate(
            [at_levels[..., None], at_levels[..., None] + np.cumsum(spans, axis=-1)], -1
        )
        j, q_j, q_p = self._interpolated(p)
        inner = (
            np.take_along_axis(at_levels, j[..., None], axis=-1)[..., 0] + (p - levels[j]) * (q_j + q_p) / 2
        )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            low = p * q[..., 0] + lower * (np.where(p > 0, p * np.log(p / levels[0]), 0.0) - p)
            # a power tail: p q0c + p q0 (k ((p / p0) ** (1 / k) - 1) - 1) / (k + 1), q0c about the centre
            k = self._k
            grown = np.where(p > 0, k * np.expm1(np.log(p / levels[0]) / k), -k)
            power = p * q[..., 0] + p * self._first * (grown - 1) / (k + 1)
            low = np.where(self._power, power, low)
            rest = np.where(p < 1, (1 - p) * np.log((1 - p) / (1 - levels[-1])), 0.0)
            high = at_levels[..., -1] + (p - levels[-1]) * (q[..., -1] + upper) + upper * rest
        return np.where(p < levels[0], low, np.where(p > levels[-1], high, inner))

    def _energy_x(self, x):
        """E|X - x| = E[X] + x (2 F(x) - 1) - 2 G(F(x)), summed over the columns."""
        level = self._cdf(x)
        x = np.asarray(x, dtype=np.float64) - self._centre
        return (self._mean_about_centre + x * (2 * level - 1) - 2 * self._partial_mean(level)).sum(axis=1)

    def _energy_self(self):
        """E|X - X'| = 4 ∫ p Q(p) dp - 2 E[X], summed over the columns."""
        q, levels, lower, upper = self._q, self._p, self._lower, self._upper
        a, b = levels[:-1], levels[1:]
        spans = ((b - a) / 6 * (q[..., :-1] * (2 * a + b) + q[..., 1:] * (a + 2 * b))).sum(axis=-1)
        first, rest = levels[0], 1 - levels[-1]
        with np.errstate(divide="ignore", invalid="ignore"):  # the lower tail's: power or exponential
            below = np.where(self._power, self._first / (2 * (2 * self._k + 1)), lower / 4)
        tails = q[..., 0] * first**2 / 2 - below * first**2
        tails = tails + q[..., -1] * (rest - rest**2 / 2) + upper * (rest - rest**2 / 4)
        return (4 * (spans + tails) - 2 * self._mean_about_centre).sum(axis=1)

    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Two entries by two columns, one of them without spread; one entry with skewed tails; and
        two positive columns, one with a power lower tail, one whose first quantile is 0."""
        levels = np.array([0.025, 0.25, 0.5, 0.75, 0.975])
        spread = np.array([-2.0, -0.7, 0.0, 0.6, 2.5])
        quantiles = np.stack([np.stack([10 + spread, np.full(5, 3.0)]), np.stack([-1 + 2 * spread, spread])])
        skewed = np.array([[[0.0, 0.1, 0.2, 1.0, 5.0]]])
        return [
            {
                "quantiles": quantiles,
                "levels": levels,
                "index": pd.Index(["a", "b"]),
                "columns": pd.Index(["x", "y"]),
            },
            {"quantiles": skewed, "levels": levels},
            {
                "quantiles": np.stack([np.stack([2.0 + 0.9 * spread, skewed[0, 0]])]),
                "levels": levels,
                "positive": np.array([True, True]),
            },
        ]
