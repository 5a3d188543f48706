"""Command line: ``sklearn-rnn demo`` (or ``python -m sklearn_rnn demo``) trains on bundled sktime data
and prints a table; ``sklearn-rnn --version`` prints the version."""

from __future__ import annotations

import argparse
import os
import sys
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
    return np.stack([np.concatenate([x.mean(0), x.std(0), x.min(0), x.max(0), x[-1]]) for x in X])


def _seed(text: str) -> int:
    """A ``--random-state`` value, 0 to 2**32 - 1 as NumPy takes it (checked before any data loads)."""
    try:
        seed = int(text)
    except ValueError:
        seed = None
    if seed is None or not 0 <= seed < 2**32:
        raise argparse.ArgumentTypeError(f"{text!r} is not a seed: pass an integer from 0 to {2**32 - 1}")
    return seed


def demo(names: list[str], random_state: int) -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import RNNClassifier

    print(
        f"{'dataset':<20} {'train/test':>10} {'length':>9} {'RNNClassifier':>14} {'fit s':>6} "
        f"{'summary+logreg':>15} {'majority':>9}"
    )
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


def _prog() -> str:
    """``sklearn-rnn`` from the console script, ``python -m sklearn_rnn`` otherwise."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m sklearn_rnn" if name in ("", "__main__.py", "-c") else name


def main(argv: list[str] | None = None) -> None:
    """Run the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=_prog(),
        description="Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators and "
        "sktime forecasters.",
    )
    parser.add_argument("--version", action="version", version=f"sklearn-rnn {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    run = commands.add_parser(
        "demo",
        help="train RNNClassifier with its defaults on bundled sktime datasets",
        description="Train RNNClassifier with its default parameters on sktime's bundled datasets "
        "and print one row per dataset: its size and sequence length, the RNN's test accuracy and "
        "fit time, and two baselines (logistic regression on per-feature summary statistics, and "
        "the majority class).",
    )
    run.add_argument(
        "--datasets",
        nargs="+",
        choices=DATASETS,
        default=list(DATASETS),
        metavar="NAME",
        help=f"datasets to train on, among {', '.join(DATASETS)} (default: all of them)",
    )
    run.add_argument(
        "--random-state",
        type=_seed,
        default=0,
        metavar="SEED",
        help="random_state of every RNNClassifier fit; the same seed repeats the results on CPU (default: 0)",
    )
    args = parser.parse_args(argv)
    demo(args.datasets, args.random_state)


if __name__ == "__main__":
    main()
