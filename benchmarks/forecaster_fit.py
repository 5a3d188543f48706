"""Fit time of RNNForecaster's defaults on small series, beside AutoETS and (optionally) another checkout.

One command prints the table::

    OMP_NUM_THREADS=1 python benchmarks/forecaster_fit.py                        # ~3 min
    OMP_NUM_THREADS=1 python benchmarks/forecaster_fit.py --against ../old       # and another checkout

Each fit runs in a fresh subprocess on one thread (imports left out of the time), the contenders
interleaved repeat by repeat: ``RNNForecaster(random_state=0)`` of this checkout, the same of the
checkout ``--against`` names (its ``sklearn_rnn`` imported from there), and sktime's
``AutoETS(auto=True, sp=...)``, what a user would fit instead. The series are small, where a fit's
time is mostly its fixed costs (the smoothing baseline's fits, the network's epochs): Airline, a
monthly series of noise, a panel of 20 monthly series ending on different dates, three years of a
weekly series (``sp=52``) and a yearly series too short to calibrate. Each row also gives the MAPE of
each contender's forecast of the held-out last ``h`` values, so a change of speed is seen beside what
it does to the forecasts.

``--smoothing`` times the smoothing baseline's fit to training windows alone (300 Adam steps on the
mean absolute error, the first thing a forecaster's fit does): the library's
``ExponentialSmoothing.fit`` (the loss's gradient from the forecasts' linear map of a window and its
derivatives, in NumPy) against what one writes with torch, ``torch.optim.Adam`` on the module's own
forward through autograd (the library's way before), interleaved, at the shapes of the cases above,
with the largest difference between the two fits' parameters (logits).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASES = ("airline", "noise", "panel", "weekly", "yearly")

CHILD = textwrap.dedent(
    """
    import json, sys, time, warnings
    import numpy as np, pandas as pd
    warnings.simplefilter("ignore")
    case, contender = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    if case == "airline":
        from sktime.datasets import load_airline
        y, h, sp = load_airline(), 36, 12
    elif case == "noise":
        y = pd.Series(10 + rng.normal(size=162), index=pd.period_range("2000-01", periods=162, freq="M"))
        h, sp = 12, 12
    elif case == "panel":
        frames = []
        for i in range(20):
            n = 60 + 3 * i
            t = np.arange(n)
            values = 50 + 10 * np.sin(2 * np.pi * t / 12) + 0.3 * t + rng.normal(0, 2, n)
            index = pd.period_range("2015-01", periods=n, freq="M")
            frames.append(pd.DataFrame({"store": f"s{i}", "month": index, "sales": values}))
        y = pd.concat(frames).set_index(["store", "month"])
        h, sp = 12, 12
    elif case == "weekly":
        t = np.arange(156)
        values = 100 + 10 * np.sin(2 * np.pi * t / 52) + rng.normal(0, 2, 156)
        y = pd.Series(values, index=pd.period_range("2020-01-06", periods=156, freq="W"))
        h, sp = 13, 52
    else:
        values = 100 + np.cumsum(rng.normal(1, 3, 20))
        y = pd.Series(values, index=pd.period_range("2000", periods=20, freq="Y"))
        h, sp = 4, 1
    if isinstance(y.index, pd.MultiIndex):
        train = y.groupby(level=0, group_keys=False).apply(lambda g: g.iloc[:-h])
        test = y.groupby(level=0, group_keys=False).apply(lambda g: g.iloc[-h:])
    else:
        train, test = y.iloc[:-h], y.iloc[-h:]
    fh = list(range(1, h + 1))
    if contender == "AutoETS":
        from sktime.forecasting.ets import AutoETS
        forecaster = AutoETS(auto=True, sp=sp, n_jobs=1)
    else:
        import sklearn_rnn
        from sklearn_rnn import RNNForecaster
        forecaster = RNNForecaster(random_state=0)
    start = time.perf_counter()
    forecaster.fit(train, fh=fh)
    seconds = time.perf_counter() - start
    pred = forecaster.predict()
    mape = float(np.mean(np.abs((test.to_numpy() - pred.loc[test.index].to_numpy()) / test.to_numpy())))
    where = sys.modules["sklearn_rnn"].__file__ if "sklearn_rnn" in sys.modules else None
    print(json.dumps({"seconds": seconds, "mape": mape, "n": int(len(train)), "module": where}))
    """
)


def run(case: str, contender: str, source: str | None) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    if source is not None:
        env["PYTHONPATH"] = source + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, case, contender],
        capture_output=True,
        text=True,
        env=env,
        cwd=source or HERE,
        timeout=900,
    )
    if done.returncode:
        raise RuntimeError(f"{case} {contender}: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if contender != "AutoETS" and not result["module"].startswith(os.path.join(source, "sklearn_rnn")):
        raise RuntimeError(f"imported {result['module']}, not the sklearn_rnn of {source}")
    return result


SMOOTHING_SHAPES = (  # windows n, window length W, horizon H, columns C, seasonal period sp
    (36, 36, 36, 1, 12),  # Airline
    (103, 36, 12, 1, 12),  # the monthly noise
    (1054, 36, 12, 1, 12),  # the panel
    (96, 36, 13, 1, 1),  # the weekly series (sp 52 is longer than the window: none)
    (300, 100, 30, 1, 52),  # a window that holds a weekly season
    (400, 24, 12, 3, 1),  # three columns
)


def smoothing_section(repeats: int) -> None:
    import time

    import torch

    from sklearn_rnn._networks.forecast import ExponentialSmoothing

    torch.set_num_threads(1)

    def autograd_fit(module, windows, targets, steps=300, lr=0.05):
        optimizer = torch.optim.Adam([module.logits], lr=lr)
        observed = torch.isfinite(targets)
        targets = torch.nan_to_num(targets)
        for _ in range(steps):
            optimizer.zero_grad()
            loss = ((module(windows) - targets).abs() * observed).sum() / observed.sum()
            loss.backward()
            optimizer.step()

    print()
    print(f"# the smoothing's fit to training windows, 300 Adam steps, medians of {repeats} interleaved")
    header = f"{'n':>5} {'W':>4} {'H':>3} {'C':>2} {'sp':>3} {'library s':>10} {'autograd s':>11}"
    header += f" {'ratio':>7} {'logits':>8}"
    print(header)
    print("-" * len(header))
    generator = torch.Generator().manual_seed(0)
    for n, W, H, C, sp in SMOOTHING_SHAPES:
        t = torch.arange(W + H, dtype=torch.float32)[None, :, None]
        values = torch.randn(n, W + H, C, generator=generator).cumsum(1) + torch.sin(
            2 * torch.pi * t / max(sp, 2)
        )
        windows, targets = values[:, :W], values[:, W:]
        times = {"library": [], "autograd": []}
        for _ in range(repeats):
            library = ExponentialSmoothing(C, H, sp)
            start = time.perf_counter()
            library.fit(windows, targets)
            times["library"].append(time.perf_counter() - start)
            reference = ExponentialSmoothing(C, H, sp)
            start = time.perf_counter()
            autograd_fit(reference, windows, targets)
            times["autograd"].append(time.perf_counter() - start)
        a, b = statistics.median(times["library"]), statistics.median(times["autograd"])
        apart = float((library.logits - reference.logits).detach().abs().max())
        print(
            f"{n:>5} {W:>4} {H:>3} {C:>2} {sp:>3} {a:>10.3f} {b:>11.3f} {a / b:>6.2f}x {apart:>8.1e}",
            flush=True,
        )
    print(
        "(ratio: library / autograd; logits: the largest difference of the two fits' parameters, "
        "float64 against float32)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", metavar="PATH", help="another checkout whose sklearn_rnn to time too")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved fits of each contender (3)")
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=CASES)
    parser.add_argument("--smoothing", action="store_true", help="also time the smoothing's fit alone")
    args = parser.parse_args()
    contenders = [("this", "RNNForecaster", HERE)]
    if args.against:
        contenders.append(("against", "RNNForecaster", os.path.abspath(args.against)))
    contenders.append(("AutoETS", "AutoETS", HERE))
    load = os.getloadavg()
    print(f"# forecaster fit time, 1 thread, medians of {args.repeats} interleaved fits in fresh processes")
    print(f"# at start: load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    if args.against:
        print(f"# against: {os.path.abspath(args.against)}")
    names = [name for name, _, _ in contenders]
    header = f"{'case':<8} {'n':>5} " + " ".join(f"{name + ' s':>10}" for name in names)
    header += "".join(f" {'this/' + name:>12}" for name in names[1:])
    header += " " + " ".join(f"{'MAPE ' + name:>13}" for name in names)
    print(header)
    print("-" * len(header))
    for case in args.cases:
        results: dict[str, list[dict]] = {name: [] for name in names}
        for _ in range(args.repeats):
            for name, contender, source in contenders:
                results[name].append(run(case, contender, source))
        seconds = {name: statistics.median(r["seconds"] for r in rows) for name, rows in results.items()}
        row = f"{case:<8} {results['this'][0]['n']:>5} " + " ".join(f"{seconds[n]:>10.2f}" for n in names)
        row += "".join(f" {seconds['this'] / seconds[n]:>11.2f}x" for n in names[1:])
        row += " " + " ".join(f"{results[n][0]['mape']:>13.4f}" for n in names)
        print(row, flush=True)
    if args.smoothing:
        smoothing_section(max(args.repeats, 5))


if __name__ == "__main__":
    main()
