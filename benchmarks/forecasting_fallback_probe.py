"""Where RNNForecaster's series hold out too few values to weigh its network: its smoothing, a
whole-series fit, their mean.

Where every series is too short to hold out values for calibration, the forecaster's
forecast was its damped-trend smoothing alone (``correction_weight_`` 0), run over the last
window (``window_length_`` steps, half the series) with parameters fitted to the training
windows; since 2026-12-05 it is averaged with the same smoothing fitted to the whole series
(``series_smoothing_``), and since 2026-12-07 so is it where the series hold out values,
but fewer than the 10 a step (``WEIGHING_VALUES``) that weigh the network (``held`` below
counts them; 0: too short to calibrate). This script fits the defaults on each such case of
the forecasting benchmark and sets side by side, fitted in the same run on the same split:

* ``default``: the smoothing alone (the defaults before; the same fit with
  ``series_smoothing_`` set to None);
* ``ets``: the same smoothing (damped trend, the seasons of ``sp_`` where the window holds
  them) fitted as ETS fits it, to the whole series by its one-step errors (Adam, 200 steps
  at 0.1, from the smoothing's start values; the initial state by least squares given
  them), forecasting from its state at the series' end: the library's own fit and map
  (``fit_series_smoothing``, ``series_smoothing_map``; the tests check the map against
  Holt-Winters in loops), here on the series standardised;
* ``mean``: the mean of the two forecasts above in the series' units (the probe's
  forecast combination);
* ``library``: the defaults now, which average the two in the series' units from the fit
  of ``series_smoothing_`` (the same smoothing, its parameters fitted in the library,
  reading at most ``max(100, 10 sp)`` values);

each as its MASE over the better MASE of AutoETS and Theta (1: as good). Single series
only (a panel's series are skipped). The records (``forecasting_fallback_probe_results.txt``,
the cases too short to calibrate, 2026-12-05; ``forecasting_few_held_out_results.txt``, every
case, 2026-12-07) are the measurements behind the forecasting page's sections on series too
short to calibrate and on too few held-out values::

    python -W ignore benchmarks/forecasting_fallback_probe.py suite        # ShampooSales, Longley
    python -W ignore benchmarks/forecasting_fallback_probe.py short        # 36- and 48-month pieces
    python -W ignore benchmarks/forecasting_fallback_probe.py outside      # statsmodels' series
    python -W ignore benchmarks/forecasting_fallback_probe.py gen_short
    python -W ignore benchmarks/forecasting_fallback_probe.py m1 [OFFSET STRIDE]  # ~4 min a half
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
from sklearn_rnn._networks.forecast import fit_series_smoothing, series_smoothing_map  # noqa: E402

torch.set_num_threads(1)


def ets_forecast(y: np.ndarray, sp: int, h: int) -> np.ndarray:
    """The smoothing fitted to the whole of ``y`` as ETS fits it, forecasting ``h`` steps: the
    library's fit and linear map (``fit_series_smoothing``, ``series_smoothing_map``), on ``y``
    standardised."""
    mean, spread = y.mean(), y.std() or 1.0
    z = (y - mean) / spread
    params = fit_series_smoothing([z[:, None]], sp)
    return series_smoothing_map(params, sp, len(z), h)[0] @ z * spread + mean


def main() -> None:
    which = sys.argv[1]
    cases = {
        "suite": bench._cases,
        "short": bench._short_seasonal_cases,
        "gen_short": bench._generated_short_cases,
        "m1": bench._m1_yearly_cases,
        "outside": bench._outside_cases,
    }[which]()
    if len(sys.argv) > 3:  # a share of them: OFFSET STRIDE
        cases = dict(list(cases.items())[int(sys.argv[2]) :: int(sys.argv[3])])
    warnings.filterwarnings("ignore")
    rows = []
    for name, case in cases.items():
        y = case.load()
        if isinstance(y.index, pd.MultiIndex) or (isinstance(y, pd.DataFrame) and y.shape[1] > 1):
            continue
        y_train, y_test = bench._split(y, case.h)
        fh = np.arange(1, case.h + 1)
        forecaster = RNNForecaster(random_state=0).fit(y_train, fh=fh)
        held = int(forecaster.n_calibration_scores_[0])  # the values a step the weighing reads
        fallback = held < forecaster.WEIGHING_VALUES
        if not (fallback and np.all(np.asarray(forecaster.correction_weight_) == 0)):
            continue  # enough values held out: the network's correction is weighed, not this case
        library = bench._aligned(forecaster.predict(), y_test.index).ravel()
        forecaster.series_smoothing_ = None  # the smoothing alone, as before
        default = bench._aligned(forecaster.predict(), y_test.index).ravel()
        values = np.asarray(y_train, dtype=float).ravel()
        logged = bool(forecaster.log_transform_[0])
        sp = forecaster.sp_ if forecaster.sp_ <= forecaster.window_length_ else 1
        ets = ets_forecast(np.log(values) if logged else values, sp, case.h)
        ets = np.exp(ets) if logged else ets

        def mase(pred, y_train=y_train, y_test=y_test, case=case):
            return bench._mase(y_train, y_test, pd.Series(pred, index=y_test.index), case.sp)

        best = np.inf
        for label, make in bench._baselines(case.sp, bool((values > 0).all())):
            if label.startswith(("AutoETS", "Theta")):
                try:
                    model = make().fit(y_train, fh=fh)
                except Exception:  # a classical model that cannot fit the series is no baseline
                    continue
                best = min(best, mase(bench._aligned(model.predict(), y_test.index).ravel()))
        row = {"case": name, "n": len(values), "sp": sp, "held": held, "default": mase(default) / best}
        row.update(ets=mase(ets) / best, mean=mase((default + ets) / 2) / best, library=mase(library) / best)
        rows.append(row)
        print(
            f"{name:<28} n={len(values):<4} sp={sp:<3} held={held:<2} "
            + "  ".join(f"{k} {row[k]:.3f}" for k in row if k in ("default", "ets", "mean", "library")),
            flush=True,
        )
    frame = pd.DataFrame(rows)

    def geometric(column: str) -> float:
        return float(np.exp(np.log(frame[column]).mean()))

    some = frame[frame.held > 0]
    if len(some):
        print(
            f"{which}: {len(some)} of them hold out 1 to 9 values a step; geometric mean MASE ratio: "
            f"smoothing alone {np.exp(np.log(some.default).mean()):.3f}, library "
            f"{np.exp(np.log(some.library).mean()):.3f}; library better on "
            f"{int((some.library < some.default).sum())}, worse on {int((some.library > some.default).sum())}"
        )
    print(
        f"{which}: {len(frame)} cases too short to weigh the network on; geometric mean MASE ratio: "
        f"smoothing alone {geometric('default'):.3f}, ets {geometric('ets'):.3f}, mean of the two "
        f"{geometric('mean'):.3f}, library {geometric('library'):.3f}; better than the smoothing alone: "
        f"ets on {int((frame.ets < frame.default).sum())}, mean on "
        f"{int((frame['mean'] < frame.default).sum())}, library on "
        f"{int((frame.library < frame.default).sum())}, worse: library on "
        f"{int((frame.library > frame.default).sum())}"
    )


if __name__ == "__main__":
    main()
