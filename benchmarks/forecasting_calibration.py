"""RNNForecaster's conformal offsets: the library's rule against two others, on the same fits.

Run from the repository root (one CPU thread; about 9 minutes a seed for all 46 cases)::

    python benchmarks/forecasting_calibration.py --seeds 0 1
    python benchmarks/forecasting_calibration.py --series airline lynx --seeds 0

Each case of ``benchmarks/forecasting.py`` (sktime's 31, the 10 generated and the 5 outside the suite)
is fitted once per seed with the defaults. The held-out forecasts and values its calibration read are
kept (the function the forecaster calls is wrapped, nothing else changes), and the 80% and 95%
intervals of the held-out last ``h`` points are then predicted with the offsets of each rule, in turn:

* ``time points`` (the library's, :func:`sklearn_rnn._intervals.conformal_offsets`): the scores of all
  steps pooled, each in units of its step's mean absolute error (a held-out score in whichever makes
  it larger of that and the step's other held-out values' spread), the pool's quantile at level
  ``c (m + 1) / m`` for the ``m`` held-out time points (each scored once a step), the largest score
  where that level exceeds 1;
* ``pooled scores`` (the rule before): the pool as it was (each held-out score in units of the step's
  other held-out values alone), its ``ceil((N + 1) c)``-th smallest of the ``N`` scores, as if they
  were ``N`` exchangeable units;
* ``per step`` (the rule before that): each step's own scores, the ``ceil((n + 1) c)``-th smallest, the
  largest where ``n`` is too small;
* ``power law``: pooled in units of ``a h^b``, fitted to the steps' mean absolute errors on the log
  scale (each score in units of a spread fitted to all of them), ranked as ``pooled scores``.

The median never moves, so the point forecasts are the same: the rules differ only in coverage and
the interval score (Gneiting and Raftery 2007: width plus ``2 / alpha`` times the miss), printed as the
geometric mean over series of its ratio to ``per step``'s. The cases whose series are too short to
calibrate (Longley's, ShampooSales) are the same under every rule and enter the coverage means only.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forecasting as bench  # noqa: E402

import sklearn_rnn._forecast_network as forecast_network  # noqa: E402
from sklearn_rnn import RNNForecaster  # noqa: E402
from sklearn_rnn._intervals import (  # noqa: E402
    calibration,
    conformity_scores,
    quantile_pairs,
    step_spreads,
)

torch.set_num_threads(1)
RULES = ("time points", "pooled scores", "per step", "power law")
GROUPS = {
    "sktime's 31": lambda name: not name.startswith(("gen_", "sm_")),
    "generated 10": lambda name: name.startswith("gen_"),
    "outside 5": lambda name: name.startswith("sm_"),
}


def _ranked(sorted_scores: np.ndarray, coverage: float) -> float:
    """The ``ceil((n + 1) c)``-th smallest of ``n`` sorted scores, the largest when ``n`` is too small."""
    n = len(sorted_scores)
    return float(sorted_scores[min(int(np.ceil((n + 1) * coverage - 1e-9)), n) - 1])


def per_step(quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Offsets (H, C, P) from each step's own scores."""
    coverage = quantile_pairs(levels)[2]
    scores = conformity_scores(quantiles, targets, levels)
    H, C, P = scores.shape[1:]
    out = np.zeros((H, C, P))
    for h, c, p in np.ndindex(H, C, P):
        values = np.sort(scores[:, h, c, p][np.isfinite(scores[:, h, c, p])])
        out[h, c, p] = _ranked(values, coverage[p]) if len(values) else 0.0
    return out


def pooled_scores(quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Offsets (H, C, P) from the library's pool ranked among its ``N`` scores (the rule before)."""
    coverage = quantile_pairs(levels)[2]
    scores = conformity_scores(quantiles, targets, levels)
    _, spread, others = step_spreads(quantiles, targets, levels)
    unit = np.where(others > 0, others, np.where(spread > 0, spread, np.nan)[None])
    normalised = scores / unit[..., None]
    out = np.zeros(scores.shape[1:])
    for c, p in np.ndindex(*scores.shape[2:]):
        pooled = np.sort(normalised[:, :, c, p][np.isfinite(normalised[:, :, c, p])])
        if len(pooled) and not (spread[:, c] == 0).all():
            out[:, c, p] = _ranked(pooled, coverage[p]) * spread[:, c]
    return out


def power_law(quantiles: np.ndarray, targets: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Offsets (H, C, P) from all steps' scores pooled in units of a power law of the step."""
    coverage = quantile_pairs(levels)[2]
    scores = conformity_scores(quantiles, targets, levels)
    _, spread, _ = step_spreads(quantiles, targets, levels)  # (H, C)
    steps = np.arange(1, len(spread) + 1)
    out = np.zeros(scores.shape[1:])
    for c in range(spread.shape[1]):
        known = spread[:, c] > 0
        if known.sum() < 2:
            continue
        slope, intercept = np.polyfit(np.log(steps[known]), np.log(spread[known, c]), 1)
        unit = np.exp(intercept + slope * np.log(steps))
        for p in range(len(coverage)):
            pooled = (scores[:, :, c, p] / unit).ravel()
            out[:, c, p] = _ranked(np.sort(pooled[np.isfinite(pooled)]), coverage[p]) * unit
    return out


def evaluate(name: str, seed: int) -> dict:
    """Coverage and interval score of the held-out points under each rule, for one case and seed."""
    case = {**bench._cases(), **bench._generated_cases(), **bench._outside_cases()}[name]
    y_train, y_test = bench._split(case.load(), case.h)
    kept = {}

    def keep(quantiles, targets, levels):
        kept.update(quantiles=quantiles, targets=targets, levels=levels)
        return calibration(quantiles, targets, levels)

    forecast_network.calibration, library = keep, forecast_network.calibration
    try:
        f = RNNForecaster(random_state=seed).fit(y_train, fh=np.arange(1, case.h + 1))
    finally:
        forecast_network.calibration = library
    rules = {"time points": f.conformal_offsets_}
    if kept:
        rules["pooled scores"] = pooled_scores(kept["quantiles"], kept["targets"], kept["levels"])
        rules["per step"] = per_step(kept["quantiles"], kept["targets"], kept["levels"])
        rules["power law"] = power_law(kept["quantiles"], kept["targets"], kept["levels"])
    truth = np.asarray(y_test, dtype=float).ravel()
    row = {"name": name, "seed": seed, "calibrated": bool(kept)}
    for rule in RULES:
        f.conformal_offsets_ = rules.get(rule, rules["time points"])
        band = f.predict_interval(coverage=list(bench.LEVELS))
        for level in bench.LEVELS:
            lo, hi = bench._aligned(band.xs(level, axis=1, level=1), y_test.index).T
            alpha = 1 - level
            miss = np.maximum(lo - truth, 0) + np.maximum(truth - hi, 0)
            row[rule, level] = (np.mean((truth >= lo) & (truth <= hi)), np.mean(hi - lo + 2 / alpha * miss))
    return row


def main() -> None:
    names = [*bench._cases(), *bench._generated_cases(), *bench._outside_cases()]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", nargs="+", default=names, metavar="NAME", help="default: all 46")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0], help="network seeds (default 0)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for seed in args.seeds:
        for name in args.series:
            rows.append(evaluate(name, seed))
            print(
                f"  {name} seed {seed}: "
                + "  ".join(
                    f"{rule} {rows[-1][rule, 0.8][0]:.2f}/{rows[-1][rule, 0.95][0]:.2f}" for rule in RULES
                ),
                flush=True,
            )
    print(f"\nDefaults, seeds {', '.join(map(str, args.seeds))}; coverage of the held-out last h points")
    header = f"{'cases':<14}{'seed':>5}  {'rule':<14}{'cov80':>7}{'cov95':>7}{'|mean - nominal|':>18}"
    header += f"{'per-series error 80 / 95':>26}{'interval score / per step, 80 / 95':>37}"
    print(header)
    print("-" * len(header))
    for group, member in GROUPS.items():
        for seed in args.seeds:
            chosen = [r for r in rows if member(r["name"]) and r["seed"] == seed]
            if not chosen:
                continue
            calibrated = [r for r in chosen if r["calibrated"]]
            for rule in RULES:
                cov = {level: np.mean([r[rule, level][0] for r in chosen]) for level in bench.LEVELS}
                err = {
                    level: np.mean([abs(r[rule, level][0] - level) for r in chosen]) for level in bench.LEVELS
                }
                ratio = {
                    level: np.exp(
                        np.mean([np.log(r[rule, level][1] / r["per step", level][1]) for r in calibrated])
                    )
                    for level in bench.LEVELS
                }
                distance = sum(abs(cov[level] - level) for level in bench.LEVELS)
                print(
                    f"{group:<14}{seed:>5}  {rule:<14}{cov[0.8]:>7.3f}{cov[0.95]:>7.3f}{distance:>18.3f}"
                    f"{err[0.8]:>14.3f} / {err[0.95]:.3f}{ratio[0.8]:>27.3f} / {ratio[0.95]:.3f}"
                )
    print("\nPer case (coverage 80% / 95% under each rule):")
    for r in rows:
        cells = "  ".join(f"{rule} {r[rule, 0.8][0]:.2f}/{r[rule, 0.95][0]:.2f}" for rule in RULES)
        print(
            f"  {r['name']:<24} seed {r['seed']}  {cells}" + ("" if r["calibrated"] else "  (not calibrated)")
        )


if __name__ == "__main__":
    main()
