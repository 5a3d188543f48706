"""Windows of long series: training windows as start indices, splits by time, the window rule.

The forecaster trains on every window of every series (:class:`WindowDataset`),
validates and calibrates on each series' latest windows, never on windows
drawn among the training ones (:func:`time_ordered_split`).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

from ._runtime import user_stacklevel
from ._training import valid_size

__all__ = [
    "MAX_WINDOW",
    "TimeOrderedSplit",
    "WindowDataset",
    "calibration_split",
    "check_validation_split",
    "edge_pad",
    "forecast_windows",
    "held_out_split",
    "resolve_window_length",
    "scoring_windows",
    "time_ordered_split",
    "window_dataset",
]

# window_length="auto": half the longest series, between 2 and 36 steps (benchmarks/forecasting.py)
MAX_WINDOW = 36


def resolve_window_length(window_length: int | str, n_longest: int) -> int:
    """The window the network reads: ``window_length``, or for "auto" a rule of the series' length."""
    if window_length != "auto":
        return int(window_length)
    return int(min(MAX_WINDOW, max(2, n_longest // 2)))


def edge_pad(values: np.ndarray, length: int) -> np.ndarray:
    """Left-pad ``values`` (T, F) to at least ``length`` rows by repeating its first row."""
    missing = length - len(values)
    if missing <= 0:
        return values
    return np.concatenate([np.repeat(values[:1], missing, axis=0), values], axis=0)


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
        return {"X": self.inputs[starts + self.input_offsets]}, self.window_targets(idx)

    def window_targets(self, idx: torch.Tensor | slice = slice(None)) -> torch.Tensor:
        """The targets ``(n, horizon, C)`` of the windows ``idx`` (NaN where unobserved)."""
        return self.targets[self.starts[idx][:, None] + self.target_offsets]


def time_ordered_split(
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
        train, valid, _ = time_ordered_split(
            dataset.series.numpy(), dataset.starts.numpy(), dataset.horizon, self.fraction
        )
        return dataset.subset(train), dataset.subset(valid)


def calibration_split(dataset: WindowDataset, fraction: float) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices of the windows a calibrated network trains on, and of each held-out series' latest windows.

    The split is early stopping's (:func:`time_ordered_split`): each series
    holds out the time points its latest ``fraction`` of windows forecast first,
    and the windows whose targets reach into them are left out of training (the
    gap), so the network never sees a held-out value as a target. A series that
    the split would leave without a training window is not held out (it trains
    whole). None when no series can be held out.
    """
    series, starts = dataset.series.numpy(), dataset.starts.numpy()
    train, latest, _ = time_ordered_split(series, starts, dataset.horizon, fraction)
    whole = ~np.isin(series, series[train])  # series the split leaves nothing to train on
    latest = latest[~whole[latest]]
    if not len(latest):
        return None
    return np.concatenate([train, np.flatnonzero(whole)]), latest


def held_out_start(n_rows: int, W: int, H: int, fraction: float) -> int | None:
    """The first row a series of ``n_rows`` holds out in :func:`calibration_split` (None: it holds none).

    A window starts at each row after the first ``W`` (one, for a series
    padded to ``W + 1``); the latest ``fraction`` of them forecast the held-out
    rows first, and the series is held out where a window before them forecasts
    no held-out row (a training window is left).
    """
    n_windows = max(n_rows, W + 1) - W
    first = n_windows - valid_size(fraction, n_windows)
    return first + W if first >= H else None


def scoring_windows(dataset: WindowDataset, train: np.ndarray, latest: np.ndarray) -> WindowDataset:
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


def window_dataset(
    blocks: list[np.ndarray],
    n_targets: int,
    W: int,
    H: int,
    n_future: int,
    targets: list[np.ndarray] | None = None,
) -> WindowDataset:
    """The windows of every series: ``blocks`` are each series' rows ``(T, C + F_x)``, targets first.

    A series shorter than ``W + 1`` rows is left-padded with its first row.
    Each series is followed by ``H`` padding rows (targets unobserved,
    exogenous values carried forward), and a window starts at every row that
    leaves at least one observed target. ``targets``: each series' target rows
    ``(T, n_targets)`` when they differ from the inputs' first columns (NaN
    where a value is missing while the inputs hold a filled one); padding
    rows in front of them are then unobserved.
    """
    inputs, target_rows, starts, numbers, offset = [], [], [], [], 0
    for number, rows in enumerate(blocks):
        padded = edge_pad(rows, W + 1)
        if targets is None:
            target = padded[:, :n_targets]
        else:
            front = np.full((len(padded) - len(rows), n_targets), np.nan)
            target = np.concatenate([front, targets[number]], axis=0)
        target = np.concatenate([target, np.full((H, n_targets), np.nan)], axis=0)
        padded = np.concatenate([padded, np.repeat(padded[-1:], H, axis=0)], axis=0)
        n_windows = len(padded) - H - W
        starts.append(offset + np.arange(n_windows))
        numbers.append(np.full(n_windows, number))
        inputs.append(padded)
        target_rows.append(target)
        offset += len(padded)
    return WindowDataset(
        torch.as_tensor(np.concatenate(inputs), dtype=torch.float32),
        torch.as_tensor(np.concatenate(target_rows), dtype=torch.float32),
        torch.as_tensor(np.concatenate(starts), dtype=torch.int64),
        W,
        H,
        n_future,
        torch.as_tensor(np.concatenate(numbers), dtype=torch.int64),
    )


def forecast_windows(blocks: list[np.ndarray], n_past: list[int], W: int) -> np.ndarray:
    """The window each series is forecast from, ``(n_series, W [+ H], C + F_x)`` float32.

    Each series' last ``W`` observed rows of ``blocks`` (the first ``n_past``;
    a shorter series is left-padded with its first row), followed by the rows
    after them: the future steps' known exogenous values, when there are any.
    """
    windows = [
        np.concatenate([edge_pad(rows[:past], W)[-W:], rows[past:]])
        for rows, past in zip(blocks, n_past, strict=True)
    ]
    return np.stack(windows).astype(np.float32)


def check_validation_split(data: WindowDataset, fraction: float) -> None:
    """Refuse an early-stopping split of ``data`` that leaves no window to train on."""
    train, valid, dropped = time_ordered_split(
        data.series.numpy(), data.starts.numpy(), data.horizon, fraction
    )
    if len(train) >= 1:
        return
    gap = (
        f" (and the {dropped} windows just before them, whose targets reach into the validation "
        "period, are left out)"
        if dropped
        else ""
    )
    raise ValueError(
        f"early_stopping=True holds out validation_fraction={fraction} of the "
        f"{len(data)} training windows ({len(valid)}), which leaves none to train on. The latest "
        f"windows of each series validate{gap}; at least one is always held out. Pass longer series "
        "(each time step beyond window_length adds a window), a shorter window_length or horizon "
        "(each step less adds a window), or set early_stopping=False"
        + (", or lower validation_fraction." if len(valid) > 1 else ".")
    )


# The fewest held-out scores a forecast step needs for calibration (chosen when each step was calibrated
# alone: those with which the 80% interval's finite-sample quantile exists, (n + 1) 0.8 <= n). The steps'
# scores now pool, but with fewer each step's spread, the unit of its scores, rests on one to three values.
MIN_CALIBRATION_SCORES = 4


def held_out_split(
    data: WindowDataset, fraction: float, validation_fraction: float | None
) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`calibration_split` of ``data``; None, with a warning, when it cannot be made or would hold
    out fewer than ``MIN_CALIBRATION_SCORES`` time points (each gives one score per forecast step).

    ``validation_fraction``: early stopping's share (None without), which must
    still leave windows to train on after the held-out ones.
    """
    split = calibration_split(data, fraction)
    reason = None
    advice = "longer series, a shorter window_length or max_horizon, or a lower calibration_fraction"
    if split is None:
        reason = (
            f"no series is long enough to hold out its latest calibration_fraction={fraction} of windows "
            "and still train on earlier ones (a window starts at each time step after the first "
            f"window_length_={data.window_length}, and the horizon_ - 1 = {data.horizon - 1} windows just "
            "before the held-out ones are left out too)"
        )
    elif len(split[1]) < MIN_CALIBRATION_SCORES:
        reason = (
            f"its latest calibration_fraction={fraction} of windows hold out {len(split[1])} time point(s), "
            f"so as many scores at each forecast step, fewer than the {MIN_CALIBRATION_SCORES} it requires "
            "(each step's spread would rest on one to three values); offsets from so few values guarantee "
            "little, and the held-out points, the latest, would be lost to training"
        )
        advice = (
            "longer series (one series needs about window_length_ + 4 / calibration_fraction time "
            "points) or more series (a panel's held-out points pool), a shorter window_length or "
            "max_horizon, or a higher calibration_fraction (while it leaves windows to train on)"
        )
    elif validation_fraction is not None:
        train = split[0]
        series, starts = data.series.numpy()[train], data.starts.numpy()[train]
        if not len(time_ordered_split(series, starts, data.horizon, validation_fraction)[0]):
            reason = (
                "early stopping's validation split of the windows left after the held-out ones leaves "
                "none to train on"
            )
    if reason is None:
        return split
    warnings.warn(
        f"RNNForecaster could not calibrate its intervals: {reason}. It trained on all windows, and each "
        "interval is the network's own quantiles widened, where narrower, to the wider of the drift "
        "method's (a random walk with drift fitted to the series' first differences, once a series has "
        "three points) and, where the smoothing is fitted to the whole series, its own; both assume their "
        "model holds. Pass "
        f"{advice}; or set conformal=False for the network's own quantiles, without this warning.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return None
