"""Command line: ``python -m sklearn_rnn demo`` trains on bundled sktime data and prints a table."""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

DATASETS = ("basic_motions", "japanese_vowels", "italy_power_demand")


def _load(name: str):
    from sktime import datasets

    from . import from_sktime

    loader = getattr(datasets, f"load_{name}")
    X_train, y_train = loader(split="train", return_X_y=True)
    X_test, y_test = loader(split="test", return_X_y=True)
    return from_sktime(X_train), y_train, from_sktime(X_test), y_test


def _summary_features(X) -> np.ndarray:
    """Per-feature mean, std, min, max and last value of each sequence: a baseline's input."""
    return np.stack(
        [np.concatenate([x.mean(0), x.std(0), x.min(0), x.max(0), x[-1]]) for x in X]
    )


def demo(names: list[str], random_state: int) -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import RNNClassifier

    print(f"{'dataset':<20} {'train/test':>10} {'length':>9} {'RNNClassifier':>14} {'fit s':>6} "
          f"{'summary+logreg':>15} {'majority':>9}")
    notes: list[str] = []
    for name in names:
        X_train, y_train, X_test, y_test = _load(name)
        lengths = [len(x) for x in X_train]
        span = f"{min(lengths)}-{max(lengths)}" if min(lengths) != max(lengths) else str(lengths[0])
        start = time.perf_counter()
        rnn = RNNClassifier(random_state=random_state).fit(X_train, y_train)
        seconds = time.perf_counter() - start
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            accuracy = rnn.score(X_test, y_test)
        notes += [f"{name}: {w.message}" for w in caught]
        baseline = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        baseline.fit(_summary_features(X_train), y_train)
        majority = DummyClassifier().fit(_summary_features(X_train), y_train)
        print(
            f"{name:<20} {f'{len(X_train)}/{len(X_test)}':>10} {span:>9} "
            f"{accuracy:>14.3f} {seconds:>6.1f} "
            f"{baseline.score(_summary_features(X_test), y_test):>15.3f} "
            f"{majority.score(_summary_features(X_test), y_test):>9.3f}"
        )
    for note in notes:
        print(f"note: {note}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sklearn_rnn")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("demo", help="train RNNClassifier with its defaults on bundled sktime datasets")
    run.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    run.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    demo(args.datasets, args.random_state)


if __name__ == "__main__":
    main()
