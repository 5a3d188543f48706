"""The one rule for standardising features, targets and series."""

from __future__ import annotations

import numpy as np

__all__ = ["column_statistics", "is_constant", "nonzero_scale", "rounding_scale", "rounding_scaled"]


def is_constant(std, mean, eps: float):
    """Whether a spread ``std`` is within rounding of its ``mean`` (numpy arrays or torch tensors).

    A column (or a sequence's feature) is constant when its spread is at most 8
    units of rounding (``eps``, the machine epsilon of the dtype it was computed
    in) of its mean: its standardised values would then be rounding noise, so it
    is centred but not rescaled.
    """
    return (std == 0) | (std <= 8 * eps * abs(mean))


def rounding_scale(mean: np.ndarray) -> np.ndarray:
    """The scale of a constant column: the largest spread a constant has, 8 float64 roundings of its
    ``mean``, at least the smallest normal float (a column's scale at most this marks it constant)."""
    eps = np.finfo(np.float64)
    return np.maximum(8 * eps.eps * np.abs(np.asarray(mean, dtype=np.float64)), eps.tiny)


def rounding_scaled(scale, mean):
    """Whether ``scale`` is at most :func:`rounding_scale` of ``mean``: a column constant in fit.

    The same arithmetic as :func:`rounding_scale`, on numpy arrays or torch
    tensors (the forecaster's head reads it in its exported graph).
    """
    eps = np.finfo(np.float64)
    return (scale <= 8 * eps.eps * abs(mean)) | (scale <= eps.tiny)


def nonzero_scale(std: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``std`` where a column varies, 1 where it is constant up to float64 rounding.

    The rule is relative to the column's magnitude only: ``1e-13 * sin(t)`` varies
    and is rescaled (an absolute floor would call it constant), while
    ``1e6 + 1e-12 * t`` is constant.
    """
    std = np.asarray(std, dtype=np.float64)
    constant = is_constant(std, np.asarray(mean, dtype=np.float64), np.finfo(np.float64).eps)
    return np.where(constant, 1.0, std)


def input_scale(mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The scale a forecaster reads a series' values with: ``scale``, but 1 for a column constant in fit.

    A constant column's values are read by 1 (not by the rounding of itself it
    is stored with), so that a later move (a product's first sale after zeros)
    stays within float32 in what the network reads; the forecaster's head maps
    its forecasts back by 1 too, and the network forecasts a window that has not
    moved as its baseline, the constant.
    """
    mean, scale = np.asarray(mean, dtype=np.float64), np.asarray(scale, dtype=np.float64)
    return np.where(rounding_scaled(scale, mean), 1.0, scale)


def column_statistics(
    values: np.ndarray, weights: np.ndarray | None = None, constant_scale: str = "one"
) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and scale (:func:`nonzero_scale` of the std) of ``values`` ``(n, C)``.

    Computed on values divided by each column's largest magnitude, so columns
    holding numbers up to float64's largest give finite statistics (a plain
    variance overflows from about 1e154). ``weights`` ``(n,)``: each row counts
    as many times (a row of weight 0 not at all). ``constant_scale="rounding"``
    scales a constant column by the largest spread a constant has (8 float64
    roundings of its mean, at least the smallest normal float) instead of 1:
    a target's network output is then multiplied by next to nothing, and the
    prediction is the constant (by 1, the network's leftover error on new
    data, a few hundredths, was added to it; by its magnitude, 1000 was
    predicted between 961 and 1072). Without rows: mean 0 and scale 1.
    """
    values = np.asarray(values, dtype=np.float64)
    if weights is not None:
        weights = np.asarray(weights, dtype=np.float64)
        values, weights = values[weights > 0], weights[weights > 0]
    if not len(values):  # nothing observed (a channel without values): centred on 0, scaled by 1
        return np.zeros(values.shape[1:]), np.ones(values.shape[1:])
    peak = np.max(np.abs(values), axis=0)
    peak = np.where((peak > 0) & np.isfinite(peak), peak, 1.0)
    unit = values / peak
    mean = np.average(unit, axis=0, weights=weights)
    std = np.sqrt(np.average((unit - mean) ** 2, axis=0, weights=weights)) * peak
    mean = mean * peak
    scale = nonzero_scale(std, mean)
    if constant_scale == "rounding":
        scale = np.where(is_constant(std, mean, np.finfo(np.float64).eps), rounding_scale(mean), scale)
    return mean, scale
