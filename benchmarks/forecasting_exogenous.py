"""Forecasting with known future ``X``: RNNForecaster against regression on X and forecasters of y alone.

Run from the repository root (one torch thread; a few minutes)::

    python -W ignore benchmarks/forecasting_exogenous.py

Cases (the last ``h`` points of each series held out; ``X`` known at every time point,
the future ones included, as a calendar or a planned promotion is):

* ``uschange``: quarterly US consumption growth from income, production, savings and
  unemployment growth (sktime's ``load_uschange``, its own ``y, X`` split), h = 19;
* ``longley``: total employment from the five other columns (``load_longley``), h = 3;
* ``promo_<seed>``: a generated panel of 8 stores' daily sales, each with its own
  start and end date, a weekly season, noise, and a promotion on about 30% of days
  that adds 3 to the day's sales, h = 7.

Models, fitted in the same run on the same split: ``RNNForecaster()`` (seed 0) and
``RNNForecaster(correction_weight=1.0)``, which always reads the network's forecast;
``YfromX(LinearRegression())``, a regression of y on the same time point's X;
``AutoETS(auto=True)`` and ``NaiveForecaster()``, which read y alone. Scores: MAPE and
MASE (scaled by the in-sample one-step naive error), each a mean over the series.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from forecasting import _mase, _series, _split  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sktime import datasets  # noqa: E402
from sktime.forecasting.compose import YfromX  # noqa: E402
from sktime.forecasting.ets import AutoETS  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402


def promotions(seed: int, n_stores: int = 8, h: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily sales of ``n_stores`` stores (dates in a column, then ``set_index``) and their promotions."""
    rng = np.random.default_rng(seed)
    frames = []
    for store in range(n_stores):
        n = int(rng.integers(40, 90)) + h
        t = np.arange(n)
        promo = (rng.random(n) < 0.3).astype(float)
        sales = 10 + store + 3 * promo + np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.3, n)
        start = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        dates = pd.date_range(start, periods=n, freq="D")
        frames.append(pd.DataFrame({"store": f"s{store}", "date": dates, "sales": sales, "promo": promo}))
    frame = pd.concat(frames).set_index(["store", "date"])
    return frame[["sales"]], frame[["promo"]]


def cases() -> dict[str, tuple[pd.DataFrame | pd.Series, pd.DataFrame, int]]:
    out = {"uschange": (*datasets.load_uschange(), 19), "longley": (*datasets.load_longley(), 3)}
    for seed in range(3):
        out[f"promo_{seed}"] = (*promotions(seed), 7)
    return out


MODELS = {
    "RNNForecaster()": lambda: RNNForecaster(random_state=0),
    "RNNForecaster(correction_weight=1.0)": lambda: RNNForecaster(correction_weight=1.0, random_state=0),
    "YfromX(LinearRegression())": lambda: YfromX(LinearRegression()),
    "AutoETS(auto=True), y alone": lambda: AutoETS(auto=True),
    "NaiveForecaster(), y alone": lambda: NaiveForecaster(),
}


def main() -> None:
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    print(f"{'case':<10}{'model':<40}{'MAPE':>8}{'MASE':>8}{'w':>6}{'fit s':>8}")
    print("-" * 80)
    ratios: dict[str, list[float]] = {name: [] for name in MODELS}
    for case, (y, X, h) in cases().items():
        y_train, y_test = _split(y, h)
        X_train, X_test = X.loc[y_train.index], X.loc[y_test.index]
        fh = list(range(1, h + 1))
        scores = {}
        for name, make in MODELS.items():
            model = make()
            start = time.process_time()
            if "y alone" in name:
                model.fit(y_train, fh=fh)
                y_pred = model.predict()
            else:
                model.fit(y_train, X=X_train, fh=fh)
                y_pred = model.predict(X=X_test)
            seconds = time.process_time() - start
            test, pred = np.concatenate(_series(y_test)), np.concatenate(_series(y_pred))
            mape = float(np.mean(np.abs(test - pred) / np.abs(test)))
            mase = _mase(y_train, y_test, y_pred, sp=1)
            weight = getattr(model, "correction_weight_", None)
            w = "-" if weight is None else f"{float(np.mean(weight)):.1f}"
            scores[name] = mase
            print(f"{case:<10}{name:<40}{mape:>8.3f}{mase:>8.3f}{w:>6}{seconds:>8.1f}", flush=True)
        best = min(scores[n] for n in MODELS if not n.startswith("RNN"))
        for name in MODELS:
            ratios[name].append(scores[name] / best)
    print("\nMASE against the best of the other models on each case (geometric mean; <= 1: as good)")
    for name, values in ratios.items():
        print(f"  {name:<40}{float(np.exp(np.mean(np.log(values)))):.2f}")


if __name__ == "__main__":
    main()
