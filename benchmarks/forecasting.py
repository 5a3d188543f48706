"""Airline forecasting: RNNForecaster against sktime's classical forecasters.

Run from the repository root (about 1-2 minutes on one CPU thread)::

    python benchmarks/forecasting.py             # 3 seeds
    python benchmarks/forecasting.py --seeds 5

The last 36 months of ``load_airline`` are held out and forecast at once
(``fh=1..36``). Columns: MAPE on the held-out months (mean and standard
deviation over seeds for the network; the classical models are deterministic),
the share of held-out months inside the 90% interval where the model gives
intervals, and fit seconds (mean over seeds) on one thread.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402

torch.set_num_threads(1)


def _score(forecaster, y_train, y_test, fh, intervals: bool):
    start = time.perf_counter()
    forecaster.fit(y_train, fh=fh)
    seconds = time.perf_counter() - start
    mape = mean_absolute_percentage_error(y_test, forecaster.predict())
    coverage = None
    if intervals:
        try:
            band = forecaster.predict_interval(coverage=0.9)
        except TypeError as error:  # e.g. AutoETS with a statsmodels its sktime adapter predates
            print(f"({type(forecaster).__name__}.predict_interval failed: {error})")
        else:
            lower, upper = band.iloc[:, 0], band.iloc[:, 1]
            coverage = float(((y_test >= lower) & (y_test <= upper)).mean())
    return mape, coverage, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="seeds of the network (default 3)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    y = load_airline()
    y_train, y_test = y[:-36], y[-36:]
    fh = np.arange(1, 37)
    rows = []

    runs = [_score(RNNForecaster(random_state=s), y_train, y_test, fh, True) for s in range(args.seeds)]
    mapes = np.array([r[0] for r in runs])
    rows.append(
        (
            f"RNNForecaster() x{args.seeds} seeds",
            f"{mapes.mean():.3f} +- {mapes.std():.3f}",
            f"{np.mean([r[1] for r in runs]):.2f}",
            np.mean([r[2] for r in runs]),
        )
    )

    baselines = [("NaiveForecaster(strategy='last', sp=12)", NaiveForecaster(strategy="last", sp=12))]
    try:
        from sktime.forecasting.ets import AutoETS
        from sktime.forecasting.exp_smoothing import ExponentialSmoothing

        baselines += [
            ("AutoETS(auto=True, sp=12)", AutoETS(auto=True, sp=12, n_jobs=1)),
            (
                "ExponentialSmoothing(add trend, mul season)",
                ExponentialSmoothing(trend="add", seasonal="mul", sp=12),
            ),
        ]
    except ImportError:  # statsmodels missing
        print("(statsmodels is not installed: AutoETS and Holt-Winters skipped)")
    for name, forecaster in baselines:
        has_intervals = forecaster.get_tag("capability:pred_int")
        try:
            mape, coverage, seconds = _score(forecaster, y_train, y_test, fh, has_intervals)
        except ModuleNotFoundError as error:
            print(f"({name} skipped: {error})")
            continue
        rows.append((name, f"{mape:.3f}", "-" if coverage is None else f"{coverage:.2f}", seconds))

    print(f"\nAirline, last 36 months held out, fh=1..36 (torch {torch.__version__}, 1 thread)\n")
    print(f"{'model':<46} {'MAPE':>15} {'90% cover':>10} {'fit s':>7}")
    for name, mape, coverage, seconds in rows:
        print(f"{name:<46} {mape:>15} {coverage:>10} {seconds:>7.2f}")


if __name__ == "__main__":
    main()
