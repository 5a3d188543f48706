"""Where RNNForecaster's series are too short to calibrate: the coverage of its intervals' floors.

Series too short to hold out values for calibration get the network's own quantiles
around the smoothing's median, each level widened where narrower to a floor
(``interval_floors_``). Before 2026-12-06 the floor was the drift method's width
alone; since, it is the wider of that and the width the smoothing fitted to the whole
series gives its own forecasts (``series_smoothing_spread``: its state space model's
variance from its one-step errors, Student's t quantiles). This script fits the
defaults once on each such case (seed 0) and sets side by side, on the same fit and the
same held-out values:

* ``own``: the network's own quantiles (no floor);
* ``drift``: floored by the drift method alone (the defaults before);
* ``library``: the defaults now, floored by the wider of the two;
* ``smoothing``: the whole-series smoothing's widths alone (the network's quantiles pulled
  onto the median by conformal offsets of -1e6, then floored by them): what ETS's own
  intervals of that fit would be;
* ``AutoETS``: sktime's AutoETS fitted in the same run (statsmodels' intervals).

For each group: the mean coverage of the 80% and 95% intervals over the cases, the mean
of each case's ``|coverage - nominal|``, and the median width of the 80% interval over
the held-out values (relative to them). The record
(``forecasting_short_intervals_results.txt``) is the measurement behind the forecasting
page's paragraph on series too short to calibrate::

    python -W ignore benchmarks/forecasting_short_intervals.py suite gen_short gen_yearly
    python -W ignore benchmarks/forecasting_short_intervals.py short m1   # outside the suite

``suite``: ShampooSales and Longley's six columns; ``gen_short``: the procedure's short
generated seasonal series; ``gen_yearly``: its short generated yearly series; ``short``
and ``m1``: the 36-month pieces of monthly series and M1's yearly series, on which no
default was chosen.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forecasting as bench  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn._intervals import drift_floors  # noqa: E402
from sklearn_rnn._networks.forecast import series_smoothing_spread  # noqa: E402
from sklearn_rnn._series import instances  # noqa: E402

torch.set_num_threads(1)

GROUPS = {
    "suite": bench._cases,
    "gen_short": bench._generated_short_cases,
    "gen_yearly": bench._generated_short_yearly_cases,
    "short": bench._short_seasonal_cases,
    "m1": bench._m1_yearly_cases,
}
VARIANTS = ("own", "drift", "library", "smoothing", "AutoETS")


def coverage(band: pd.DataFrame, y_test: pd.Series) -> list[float]:
    """Coverage of each level's interval, then the median width of the first, over ``y_test``."""
    truth = np.asarray(y_test, dtype=float).ravel()
    out, widths = [], None
    for level in bench.LEVELS:
        bounds = bench._aligned(band.xs(level, axis=1, level=1), y_test.index)
        out.append(float(np.mean((truth >= bounds[:, 0]) & (truth <= bounds[:, 1]))))
        if widths is None:
            widths = (bounds[:, 1] - bounds[:, 0]) / np.abs(truth)
    return [*out, float(np.median(widths))]


def autoets_coverage(y_train: pd.Series, y_test: pd.Series, sp: int) -> list[float]:
    from sktime.forecasting.ets import AutoETS

    model = AutoETS(auto=True, sp=sp, n_jobs=1).fit(y_train, fh=np.arange(1, len(y_test) + 1))
    band = {level: bench._statsmodels_interval(model, y_test, level) for level in bench.LEVELS}
    truth = np.asarray(y_test, dtype=float).ravel()
    out = [float(np.mean((truth >= b[:, 0]) & (truth <= b[:, 1]))) for b in band.values()]
    first = band[bench.LEVELS[0]]
    return [*out, float(np.median((first[:, 1] - first[:, 0]) / np.abs(truth)))]


def rows_of(group: str) -> list[dict]:
    rows = []
    for name, case in GROUPS[group]().items():
        y = case.load()
        if isinstance(y.index, pd.MultiIndex) or (isinstance(y, pd.DataFrame) and y.shape[1] > 1):
            continue
        y_train, y_test = bench._split(y, case.h)
        forecaster = RNNForecaster(random_state=0).fit(y_train, fh=np.arange(1, case.h + 1))
        if forecaster.n_calibration_scores_.max() > 0 or forecaster.interval_floors_ is None:
            continue  # calibrated: not a case of this script
        row = {"case": name, "n": len(y_train)}
        library = forecaster.interval_floors_
        scaled = [
            forecaster._transform_y(frame.to_numpy(dtype=np.float64), key)[0]
            for key, frame in instances(forecaster._y_hist)
        ]
        floors = {
            "own": None,
            "drift": drift_floors(scaled, forecaster.horizon_, forecaster.quantile_levels_),
            "library": library,
        }
        for label, floor in floors.items():
            forecaster.interval_floors_ = floor
            row[label] = coverage(forecaster.predict_interval(coverage=list(bench.LEVELS)), y_test)
        levels = forecaster.quantile_levels_
        spread = None
        if forecaster.series_smoothing_ is not None:
            sp = forecaster.net_.module_.sp
            spread = series_smoothing_spread(
                scaled, forecaster.series_smoothing_, sp, forecaster.horizon_, levels
            )
        if spread is None or not np.isfinite(spread).all():
            row["smoothing"] = [np.nan] * 3
        else:
            pairs = int((levels < 0.5).sum())
            forecaster.interval_floors_ = spread
            forecaster.conformal_offsets_ = np.full((forecaster.horizon_, spread.shape[1], pairs), -1e6)
            row["smoothing"] = coverage(forecaster.predict_interval(coverage=list(bench.LEVELS)), y_test)
        try:
            row["AutoETS"] = autoets_coverage(y_train, y_test, case.sp)
        except Exception:  # a classical model that cannot fit the series is no baseline
            row["AutoETS"] = [np.nan] * 3
        rows.append(row)
        print(
            f"{name:<30} n={row['n']:<4} "
            + "  ".join(f"{v} {row[v][0]:.2f}/{row[v][1]:.2f} w{row[v][2]:.3f}" for v in VARIANTS),
            flush=True,
        )
    return rows


def summary(group: str, rows: list[dict]) -> None:
    print(f"\n{group}: {len(rows)} cases too short to calibrate")
    print(f"  {'floors':<9} {'cov80':>6} {'cov95':>6}  {'|cov - nominal| per case 80 / 95':>33}  width80")
    for v in VARIANTS:
        a = np.array([r[v] for r in rows], dtype=float)
        a = a[np.isfinite(a).all(axis=1)]
        errors = np.abs(a[:, :2] - np.array(bench.LEVELS)).mean(axis=0)
        print(
            f"  {v:<9} {a[:, 0].mean():6.3f} {a[:, 1].mean():6.3f}  {errors[0]:>22.3f} / {errors[1]:.3f}"
            f"  {np.median(a[:, 2]):7.3f}"
            + (f"  (on the {len(a)} cases it has)" if len(a) < len(rows) else "")
        )


def main() -> None:
    warnings.filterwarnings("ignore")
    results = {group: rows_of(group) for group in sys.argv[1:]}
    for group, rows in results.items():
        summary(group, rows)


if __name__ == "__main__":
    main()
