"""Test accuracy and fit time on UCR/UEA benchmarks shipped with sktime, against references.

Run from the repository root (about 10-20 minutes on one CPU thread)::

    python benchmarks/accuracy.py              # all four datasets, 3 seeds
    python benchmarks/accuracy.py --quick      # defaults and MiniRocket only

Columns: this library's defaults (mean +- standard deviation of test accuracy
over ``--seeds`` seeds, mean fit seconds), the best of the other presets in
:data:`sklearn_rnn.presets.PRESETS` (one seed; chosen on the test set, so an
optimistic figure; the paper-sized preset only with ``--paper``), sktime's
recurrent classifiers at their defaults, MiniRocket (sktime's
``MiniRocketMultivariate``, or ``MiniRocketMultivariateVariable`` for unequal
lengths, + ``RidgeClassifierCV``), and the published LSTM-FCN /
MLSTM-FCN figure. Every model runs on one thread. JapaneseVowels is used as
shipped, with sequences of unequal length; sktime's deep classifiers refuse it.
Each sktime fit runs in a child process stopped after ``--sktime-limit``
seconds (``LSTMFCNClassifierTorch`` defaults to 2000 epochs). Fit seconds are
the CPU seconds of the fitting process (every model runs on one thread, so this
is the wall time an idle machine would take; on a busy machine the wall clock
is longer). MiniRocket's first fit in a fresh environment also compiles its
numba kernels (a few seconds more; they are cached on disk afterwards).
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

from sklearn_rnn import RNNClassifier, from_sktime  # noqa: E402
from sklearn_rnn.presets import PRESETS  # noqa: E402

torch.set_num_threads(1)

# Karim et al. (2017) LSTM-FCN, Table 2; Karim et al. (2019) MLSTM-FCN for JapaneseVowels.
PUBLISHED = {"GunPoint": 1.0, "ItalyPowerDemand": 0.962, "JapaneseVowels": 0.99, "BasicMotions": None}


def load(name: str):
    from sktime import datasets

    loader = {
        "BasicMotions": datasets.load_basic_motions,
        "JapaneseVowels": datasets.load_japanese_vowels,
        "ItalyPowerDemand": datasets.load_italy_power_demand,
        "GunPoint": datasets.load_gunpoint,
    }[name]
    X_train, y_train = loader(split="train", return_X_y=True)
    X_test, y_test = loader(split="test", return_X_y=True)
    return X_train, np.asarray(y_train), X_test, np.asarray(y_test)


def timed_score(model, X_train, y_train, X_test, y_test) -> tuple[float, float]:
    start = time.process_time()  # CPU seconds: one thread, so the wall time of an idle machine
    model.fit(X_train, y_train)
    seconds = time.process_time() - start
    return float(np.mean(model.predict(X_test) == y_test)), seconds


def ours(X_train, y_train, X_test, y_test, params: dict, seeds: list[int]) -> tuple[list[float], float]:
    results = [
        timed_score(RNNClassifier(**params, random_state=seed), X_train, y_train, X_test, y_test)
        for seed in seeds
    ]
    return [r[0] for r in results], float(np.mean([r[1] for r in results]))


class MiniRocketRidge:
    """MiniRocket features + ``RidgeClassifierCV`` (sklearn's Pipeline trips on sktime transformers)."""

    def __init__(self, equal_length: bool):
        from sktime.transformations.panel import rocket

        if equal_length:
            self.transform = rocket.MiniRocketMultivariate(random_state=0)
        else:
            self.transform = rocket.MiniRocketMultivariateVariable(random_state=0, pad_value_short_series=0.0)

    def fit(self, X, y):
        from sklearn.linear_model import RidgeClassifierCV

        features = self.transform.fit_transform(X)
        self.ridge = RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)).fit(features, y)
        return self

    def predict(self, X):
        return self.ridge.predict(self.transform.transform(X))


def minirocket(X_train, y_train, X_test, y_test, equal_length: bool) -> tuple[float, float]:
    return timed_score(MiniRocketRidge(equal_length), X_train, y_train, X_test, y_test)


def sktime_recurrent(equal_length: bool) -> dict[str, object]:
    from sktime.classification.deep_learning.gru import GRUClassifier
    from sktime.classification.deep_learning.lstmfcn import LSTMFCNClassifierTorch
    from sktime.classification.deep_learning.rnn import SimpleRNNClassifierTorch

    return {
        "sktime LSTMFCNClassifierTorch": LSTMFCNClassifierTorch(random_state=0),
        "sktime GRUClassifier": GRUClassifier(random_state=0),
        "sktime SimpleRNNClassifierTorch": SimpleRNNClassifierTorch(random_state=0),
    }


def _child(queue, model, data) -> None:
    try:
        queue.put(timed_score(model, *data))
    except Exception as exc:  # report, do not hide, a peer's failure
        queue.put(f"error: {type(exc).__name__}: {str(exc)[:60]}")


def with_time_limit(model, data, seconds: float) -> str:
    """Fit and score ``model`` in a child process; give up after ``seconds``."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(queue, model, data))
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        return f"stopped after {seconds:.0f}s"
    result = queue.get() if not queue.empty() else "error: no result"
    return result if isinstance(result, str) else cell(*result)


def cell(acc: float | None, seconds: float | None) -> str:
    return "n/a" if acc is None else f"{acc:.3f} ({seconds:.1f}s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="BasicMotions,JapaneseVowels,ItalyPowerDemand,GunPoint")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="defaults and MiniRocket only")
    parser.add_argument(
        "--sktime-limit", type=float, default=60.0, help="seconds allowed to each sktime fit (default 60)"
    )
    parser.add_argument(
        "--paper", action="store_true", help="also try the lstm-fcn-paper preset (minutes per dataset)"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    seeds = list(range(args.seeds))
    rows = []
    for name in args.datasets.split(","):
        X_train_sk, y_train, X_test_sk, y_test = load(name)
        X_train, X_test = from_sktime(X_train_sk), from_sktime(X_test_sk)
        equal_length = isinstance(X_train, np.ndarray) and isinstance(X_test, np.ndarray)
        row = {"dataset": name}
        accs, seconds = ours(X_train, y_train, X_test, y_test, {}, seeds)
        row["default"] = f"{np.mean(accs):.3f} +- {np.std(accs):.3f} ({seconds:.1f}s)"
        if not args.quick:
            best = None
            for preset, params in PRESETS.items():
                if preset == "default" or (preset == "lstm-fcn-paper" and not args.paper):
                    continue
                (acc,), sec = ours(X_train, y_train, X_test, y_test, params, seeds[:1])
                if best is None or acc > best[1]:
                    best = (preset, acc, sec)
            row["best preset"] = f"{best[0]}: {cell(best[1], best[2])}"
            for label, model in sktime_recurrent(equal_length).items():
                if not equal_length:
                    row[label] = "refuses unequal lengths"
                    continue
                data = (X_train_sk, y_train, X_test_sk, y_test)
                row[label] = with_time_limit(model, data, args.sktime_limit)
        row["MiniRocket"] = cell(*minirocket(X_train_sk, y_train, X_test_sk, y_test, equal_length))
        published = PUBLISHED[name]
        row["published"] = "-" if published is None else f"{published:.3f}"
        rows.append(row)
        print_table(rows)


def print_table(rows: list[dict[str, str]]) -> None:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    widths = {c: max(len(c), *(len(row.get(c, "")) for row in rows)) for c in columns}
    print()
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-|-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(row.get(c, "").ljust(widths[c]) for c in columns), flush=True)


if __name__ == "__main__":
    main()
