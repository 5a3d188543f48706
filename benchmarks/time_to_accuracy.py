"""Time to accuracy: sklearn_rnn's defaults against MiniRocket on the data sets sktime ships.

Run from the repository root, one thread everywhere::

    OMP_NUM_THREADS=1 python benchmarks/time_to_accuracy.py --seeds 3            # the full table
    OMP_NUM_THREADS=1 python benchmarks/time_to_accuracy.py --datasets gunpoint  # one data set, one seed
    python benchmarks/time_to_accuracy.py --device cuda --no-fresh --levers "on the CPU"  # on a GPU

Data sets: the classification sets ACSF1, ArrowHead, BasicMotions, GunPoint,
ItalyPowerDemand, JapaneseVowels, OSULeaf and PLAID (JapaneseVowels and PLAID
have sequences of unequal length, given to sklearn_rnn as lists through
:func:`sklearn_rnn.from_sktime`) and the regression sets Tecator and
Covid3Month, each with the train/test split sktime ships.

Models:

* ``RNN``: ``RNNClassifier(random_state=seed)`` / ``RNNRegressor(random_state=seed)``,
  every other parameter at its default (``--max-epochs`` overrides the epochs,
  for smoke runs only).
* ``MiniRocket``: sktime's ``MiniRocketMultivariate`` transformer
  (``MiniRocketMultivariateVariable(pad_value_short_series=0.0)`` for unequal
  lengths), ``random_state=seed``, followed by
  ``RidgeClassifierCV(alphas=np.logspace(-3, 3, 10))`` / ``RidgeCV`` with the
  same alphas. Its fit is timed three ways: ``cold``, the first fit in a fresh
  process with an empty numba cache (``NUMBA_CACHE_DIR`` set to a new folder), so
  it includes compiling MiniRocket's numba kernels, as a user's very first fit
  does; ``cached``, the first fit in another fresh process that finds the
  kernels that run cached on disk (a user's first fit of each later session);
  ``warm``, in this process once the kernels are loaded.
* ``Ridge (flat)``, regression only: ``RidgeCV`` with the same alphas on the
  flattened series, each step standardised first (Covid3Month's series are raw
  counts up to ~20,000: unscaled, the largest alpha barely regularises and the
  test RMSE is 0.48 against 0.043 scaled), the floor any learned model should
  clear.

Levers (``--levers``): changes that might bring the fit time down at the same
accuracy, each fitted beside the defaults in the same run, on the same splits and
seeds (interleaved with them), on the data sets given:

* ``batch 32, lr x1.41``: twice the batch size, the learning rate scaled by
  sqrt(2) (the square-root rule for Adam), the defaults' number of epochs (so
  half the optimizer steps, each on twice the sequences);
* ``half the epochs``: the cosine schedule over half the defaults' epochs (this
  lever and the batch one keep the defaults' number of networks, which fewer
  epochs would raise under ``n_networks="auto"``);
* ``compiled``: the network through ``torch.compile`` (skorch's ``compile=True``,
  given through ``net_kwargs``), its compilation included in the fit time;
* ``exit when converged``: training ends once the training loss has improved by
  less than 1% (relative) for 10 epochs (skorch's ``EarlyStopping`` on
  ``train_loss``, given through ``callbacks``; no data held out);
* ``one network``: ``n_networks=1``, the other way: what the defaults' ensemble
  (``n_networks="auto"``, five networks on small sets) gains over one network and
  what it costs in time;
* ``on the CPU``: ``device="cpu"``, beside the defaults run on ``--device cuda``
  (a GPU's speed-up, or slow-down, over one CPU thread, same run).

``--device cuda`` fits ``RNN`` (and every lever but ``on the CPU``) on the GPU
(its fit time ends after ``torch.cuda.synchronize()``); MiniRocket always runs
on the CPU, 1 thread. ``--no-fresh`` leaves out MiniRocket's fresh-process fits
(about a minute a data set).

Scores on the test split: accuracy (higher is better) or RMSE (lower is better).
Times are wall-clock seconds of ``fit`` alone, on data already in each model's
own layout (loading and converting are not timed). Each cell is the mean ±
standard deviation over ``--seeds`` seeds (the value alone with one seed),
except MiniRocket's fresh-process fits, run once per data set with the first
seed (compiling does not depend on the seed and takes about a minute). The
in-process models are interleaved, in a rotating order per seed.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

ALPHAS = np.logspace(-3, 3, 10)
# name -> (sktime loader, task)
DATASETS = {
    "ACSF1": ("load_acsf1", "classification"),
    "ArrowHead": ("load_arrow_head", "classification"),
    "BasicMotions": ("load_basic_motions", "classification"),
    "GunPoint": ("load_gunpoint", "classification"),
    "ItalyPowerDemand": ("load_italy_power_demand", "classification"),
    "JapaneseVowels": ("load_japanese_vowels", "classification"),
    "OSULeaf": ("load_osuleaf", "classification"),
    "PLAID": ("load_plaid", "classification"),
    "Tecator": ("load_tecator", "regression"),
    "Covid3Month": ("load_covid_3month", "regression"),
}


class Data:
    """One data set's splits, in sklearn_rnn's layout and in MiniRocket's."""

    def __init__(self, name: str):
        from sktime import datasets

        loader, task = DATASETS[name]
        load = getattr(datasets, loader)
        self._hold(name, task, *load(split="train", return_X_y=True), *load(split="test", return_X_y=True))

    def _hold(self, name: str, task: str, X_train, y_train, X_test, y_test) -> None:
        """Keep the splits (sktime's panel formats) in both layouts."""
        from sktime.datatypes import convert_to

        from sklearn_rnn import from_sktime

        self.name, self.task = name, task
        dtype = np.float64 if self.task == "regression" else None
        self.y_train, self.y_test = np.asarray(y_train, dtype=dtype), np.asarray(y_test, dtype=dtype)
        self.train, self.test = from_sktime(X_train), from_sktime(X_test)
        self.equal_length = isinstance(self.train, np.ndarray) and isinstance(self.test, np.ndarray)
        if self.equal_length:  # MiniRocketMultivariate works on numpy3D (n, F, T)
            self.rocket_train = np.ascontiguousarray(self.train.transpose(0, 2, 1))
            self.rocket_test = np.ascontiguousarray(self.test.transpose(0, 2, 1))
        else:  # MiniRocketMultivariateVariable works on a list of (T_i, F) frames
            self.rocket_train = convert_to(X_train, to_type="df-list")
            self.rocket_test = convert_to(X_test, to_type="df-list")
        lengths = [len(x) for x in self.train] + [len(x) for x in self.test]
        self.lengths = (min(lengths), max(lengths))
        self.n_features = self.train[0].shape[1]

    def score(self, y_pred) -> float:
        if self.task == "classification":
            return float(np.mean(np.asarray(y_pred) == self.y_test))
        return float(np.sqrt(np.mean((np.asarray(y_pred, dtype=np.float64) - self.y_test) ** 2)))


class MiniRocketRidge:
    """MiniRocket features + ridge with built-in cross-validation (sklearn's Pipeline trips on sktime)."""

    def __init__(self, task: str, equal_length: bool, seed: int):
        from sklearn.linear_model import RidgeClassifierCV, RidgeCV
        from sktime.transformations.rocket import MiniRocketMultivariate, MiniRocketMultivariateVariable

        if equal_length:
            self.transform = MiniRocketMultivariate(random_state=seed)
        else:
            self.transform = MiniRocketMultivariateVariable(random_state=seed, pad_value_short_series=0.0)
        self.ridge = RidgeClassifierCV(alphas=ALPHAS) if task == "classification" else RidgeCV(alphas=ALPHAS)

    def fit(self, X, y):
        self.ridge.fit(np.asarray(self.transform.fit_transform(X)), y)
        return self

    def predict(self, X):
        return self.ridge.predict(np.asarray(self.transform.transform(X)))


class FlatRidge:
    """``RidgeCV`` on the flattened series, each step standardised (Covid3Month holds raw counts)."""

    def __init__(self):
        from sklearn.linear_model import RidgeCV
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        self.ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS))

    def fit(self, X, y):
        self.ridge.fit(X.reshape(len(X), -1), y)
        return self

    def predict(self, X):
        return self.ridge.predict(X.reshape(len(X), -1))


DEVICE = "cpu"  # set from --device: where the RNN fits


def rnn(
    task: str, seed: int, max_epochs: int | None, lever: str | None = None, n_train: int = 0, length: int = 0
):
    from sklearn_rnn import RNNClassifier, RNNRegressor

    est = (RNNClassifier if task == "classification" else RNNRegressor)(random_state=seed)
    if DEVICE != "cpu":
        est.set_params(device=DEVICE)
    if lever is not None:
        est.set_params(**LEVERS[lever](est.get_params(), n_train, length))
    return est if max_epochs is None else est.set_params(max_epochs=max_epochs)


def default_epochs(params: dict, n_train: int) -> int:
    """The epochs the defaults run on ``n_train`` sequences (``max_epochs="auto"``)."""
    from sklearn_rnn._training import training_epochs

    return training_epochs(params["max_epochs"], n_train, params["batch_size"])


def default_networks(params: dict, n_train: int, length: int) -> int:
    """The networks the defaults train (``n_networks="auto"``): a lever on the epochs keeps them."""
    from sklearn_rnn._training import ensemble_size

    return ensemble_size(params["n_networks"], default_epochs(params, n_train), n_train, length)


# name -> (default parameters, training set size, longest length) -> the parameters the lever changes;
# levers on the epochs keep the defaults' networks (fewer epochs would leave room for more)
LEVERS = {
    "batch 32, lr x1.41": lambda p, n, T: {
        "batch_size": 2 * p["batch_size"],
        "lr": p["lr"] * 2**0.5,
        "max_epochs": default_epochs(p, n),
        "n_networks": default_networks(p, n, T),
    },
    "half the epochs": lambda p, n, T: {
        "max_epochs": max(1, default_epochs(p, n) // 2),
        "n_networks": default_networks(p, n, T),
    },
    "compiled": lambda p, n, T: {"net_kwargs": {"compile": True}},
    "exit when converged": lambda p, n, T: {"callbacks": [("converged", converged())]},
    "one network": lambda p, n, T: {"n_networks": 1},
    "on the CPU": lambda p, n, T: {"device": "cpu"},
}


def converged():
    """Stop once the training loss has improved by less than 1% (relative) for 10 epochs."""
    from skorch.callbacks import EarlyStopping
    from skorch.utils import noop

    return EarlyStopping(monitor="train_loss", patience=10, threshold=0.01, threshold_mode="rel", sink=noop)


def timed(model, X_train, y_train, X_test, data: Data) -> tuple[float, float]:
    start = time.perf_counter()
    model.fit(X_train, y_train)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    return seconds, data.score(model.predict(X_test))


# -- MiniRocket's first fit, in a fresh process ------------------------------------------------
def cold_child(spec: dict) -> dict:
    data = Data(spec["dataset"])
    model = MiniRocketRidge(data.task, data.equal_length, spec["seed"])
    seconds, score = timed(model, data.rocket_train, data.y_train, data.rocket_test, data)
    return {"fit": seconds, "score": score}


def fresh_process_fits(name: str, seed: int) -> dict[str, dict]:
    """MiniRocket's fit in a fresh process: with an empty numba cache ("cold"), then with the one it wrote."""
    cache = tempfile.mkdtemp(prefix="numba-cache-")
    env = {**os.environ, "NUMBA_CACHE_DIR": cache, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    spec = json.dumps({"dataset": name, "seed": seed})
    out = {}
    try:
        for kind in ("MiniRocket cold", "MiniRocket cached"):
            proc = subprocess.run(
                [sys.executable, os.path.abspath(__file__), "--cold", spec],
                capture_output=True,
                text=True,
                env=env,
                timeout=1800,
            )
            if proc.returncode != 0:
                last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"
                out[kind] = {"error": last}
            else:
                out[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return out


# -- one data set -------------------------------------------------------------------------------
def warm_up(makers: dict, data: Data) -> None:
    """One untimed epoch of each RNN on a few sequences: the first fit of a process (on a GPU, of the
    CUDA context and its kernels) would otherwise be charged to whichever model runs first."""
    few = sorted({*range(8), *np.unique(data.y_train, return_index=True)[1][:8]})
    X = [data.train[i] for i in few] if isinstance(data.train, list) else data.train[few]
    for model_name in [m for m in makers if m.startswith("RNN")]:
        model = makers[model_name](0)[0]
        model.set_params(max_epochs=1, n_networks=1).fit(X, data.y_train[few])


def run_dataset(
    name: str, seeds: list[int], max_epochs: int | None, levers: list[str] = (), fresh_fits: bool = True
) -> dict:
    data = Data(name)
    # compile MiniRocket's kernels in this process (untimed), so the in-process figure is the warm one
    MiniRocketRidge(data.task, data.equal_length, 0).transform.fit_transform(data.rocket_train[:8])
    makers = {
        "RNN": lambda seed: (rnn(data.task, seed, max_epochs), data.train, data.test),
        "MiniRocket warm": lambda seed: (
            MiniRocketRidge(data.task, data.equal_length, seed),
            data.rocket_train,
            data.rocket_test,
        ),
    }
    if data.task == "regression" and data.equal_length:
        makers["Ridge (flat)"] = lambda seed: (FlatRidge(), data.train, data.test)
    for lever in levers:
        makers[f"RNN: {lever}"] = lambda seed, lever=lever: (
            rnn(data.task, seed, max_epochs, lever, len(data.y_train), max(len(x) for x in data.train)),
            data.train,
            data.test,
        )
    warm_up(makers, data)
    fresh = ["MiniRocket cold", "MiniRocket cached"] if fresh_fits else []
    results: dict[str, dict[str, list]] = {k: {"fit": [], "score": []} for k in [*makers, *fresh]}
    names = list(makers)
    for i, seed in enumerate(seeds):
        # the fresh-process fits once per data set: compiling does not depend on the seed, and costs ~1 min
        for kind, res in (fresh_process_fits(name, seed) if i == 0 and fresh_fits else {}).items():
            if "error" in res:
                results[kind]["error"] = res["error"]
            else:
                results[kind]["fit"].append(res["fit"])
                results[kind]["score"].append(res["score"])
        for model_name in names[i % len(names) :] + names[: i % len(names)]:
            model, X_train, X_test = makers[model_name](seed)
            seconds, score = timed(model, X_train, data.y_train, X_test, data)
            results[model_name]["fit"].append(seconds)
            results[model_name]["score"].append(score)
    return {
        "dataset": name,
        "task": data.task,
        "n_train": len(data.y_train),
        "n_test": len(data.y_test),
        "lengths": data.lengths,
        "n_features": data.n_features,
        "results": results,
    }


# -- the table ----------------------------------------------------------------------------------
def spread(values: list[float], digits: int) -> str:
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values, ddof=1):.{digits}f}"


COLUMNS = [
    ("dataset", 16),
    ("train/test", 10),
    ("T", 9),
    ("F", 2),
    ("metric", 6),
    ("RNN fit s", 13),
    ("RNN score", 13),
    ("MR cold s", 13),
    ("MR cached s", 13),
    ("MR warm s", 13),
    ("MR score", 13),
    ("Ridge fit s", 13),
    ("Ridge score", 13),
]


def table_row(row: dict) -> str:
    res = row["results"]

    def get(model: str, key: str, digits: int) -> str:
        if model not in res:
            return "-"
        if key == "fit" and res[model].get("error") and not res[model]["fit"]:
            return "failed"
        return spread(res[model][key], digits)

    low, high = row["lengths"]
    cells = [
        row["dataset"],
        f"{row['n_train']}/{row['n_test']}",
        f"{low}" if low == high else f"{low}-{high}",
        f"{row['n_features']}",
        "acc" if row["task"] == "classification" else "RMSE",
        get("RNN", "fit", 1),
        get("RNN", "score", 3),
        get("MiniRocket cold", "fit", 1),
        get("MiniRocket cached", "fit", 1),
        get("MiniRocket warm", "fit", 1),
        get("MiniRocket warm", "score", 3),
        get("Ridge (flat)", "fit", 2),
        get("Ridge (flat)", "score", 3),
    ]
    return " ".join(
        f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
        for i, (c, (_, w)) in enumerate(zip(cells, COLUMNS, strict=True))
    )


def lever_rows(row: dict) -> list[str]:
    """One line per lever: its fit seconds and score beside the defaults' (same run, splits, seeds)."""
    res, lines = row["results"], []
    base = res["RNN"]
    for model in [m for m in res if m.startswith("RNN: ")]:
        ratio = np.mean(res[model]["fit"]) / np.mean(base["fit"])
        change = np.mean(res[model]["score"]) - np.mean(base["score"])
        lines.append(
            f"{row['dataset']:<16} {model[5:]:<20} {spread(res[model]['fit'], 1):>13} "
            f"{spread(res[model]['score'], 3):>13} {spread(base['fit'], 1):>13} "
            f"{spread(base['score'], 3):>13} "
            f"{ratio:>9.2f}x {change:>+10.3f}"
        )
    return lines


def load_note() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} cores"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", nargs="*", default=list(DATASETS), help=f"any of {', '.join(DATASETS)} (any case)"
    )
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (default 1; 3 for the full table)")
    parser.add_argument("--max-epochs", type=int, default=None, help="override the RNN's epochs (smoke runs)")
    parser.add_argument(
        "--levers", nargs="*", default=[], choices=list(LEVERS), help="also fit these variants of defaults"
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]: where the RNN fits")
    parser.add_argument("--no-fresh", action="store_true", help="leave out MiniRocket's fresh-process fits")
    parser.add_argument("--cold", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global DEVICE
    DEVICE = args.device
    if DEVICE.startswith("cuda") and not torch.cuda.is_available():
        print(f"--device {DEVICE}: CUDA is not available here (torch {torch.__version__}); nothing run.")
        return
    warnings.filterwarnings("ignore")
    if args.cold:
        print(json.dumps(cold_child(json.loads(args.cold))))
        return
    by_key = {k.lower(): k for k in DATASETS}
    unknown = [d for d in args.datasets if d.lower() not in by_key]
    if unknown:
        parser.error(f"unknown data set(s) {unknown}; choose from {', '.join(DATASETS)}")
    names = [by_key[d.lower()] for d in args.datasets]
    seeds = list(range(args.seeds))

    import numba
    import sklearn
    import sktime

    started = time.perf_counter()
    epochs = "" if args.max_epochs is None else f", RNN max_epochs={args.max_epochs} (smoke run)"
    print(
        f"# time to accuracy: sklearn_rnn defaults vs MiniRocket, {len(seeds)} seed(s){epochs}, 1 thread; "
        f"torch {torch.__version__}, sktime {sktime.__version__}, scikit-learn {sklearn.__version__}, "
        f"numba {numba.__version__}, {platform.processor() or platform.machine()}"
        + (f"; RNN on {DEVICE} ({torch.cuda.get_device_name(DEVICE)})" if DEVICE.startswith("cuda") else "")
    )
    print(f"# at start: {load_note()}")
    header = " ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(COLUMNS))
    print(header)
    print("-" * len(header))
    rows = []
    for name in names:
        row = run_dataset(name, seeds, args.max_epochs, args.levers, not args.no_fresh)
        rows.append(row)
        print(table_row(row), flush=True)
        for kind in ("MiniRocket cold", "MiniRocket cached"):
            error = row["results"].get(kind, {}).get("error")
            if error:
                print(f"  ({kind} run failed: {error})")
    print(
        "(fit s: wall-clock seconds of fit, 1 thread; score: test accuracy or RMSE; mean ± std over seeds; "
        "RNN: RNNClassifier/RNNRegressor defaults; MR: MiniRocket + RidgeClassifierCV/RidgeCV, cold = first "
        "fit in a fresh process with an empty numba cache (compiles the kernels), cached = first fit in a "
        "fresh process with the kernels cached on disk, warm = loaded; Ridge: "
        "StandardScaler + RidgeCV on the flattened series, regression only; T: length, or shortest-longest)"
    )
    if args.levers:
        print("\n## Levers: the defaults changed one way, same run, splits and seeds")
        print(
            f"{'dataset':<16} {'lever':<20} {'fit s':>13} {'score':>13} {'defaults s':>13} "
            f"{'defaults score':>13} {'fit ratio':>10} {'score diff':>10}"
        )
        for row in rows:
            for line in lever_rows(row):
                print(line)
        print("(score diff: lever minus defaults, accuracy up is better, RMSE down is better)")
    print(f"# done in {time.perf_counter() - started:.0f} s; at end: {load_note()}")
    print("# JSON: " + json.dumps(rows, default=float))


if __name__ == "__main__":
    main()
