"""How far RNNAnomalyDetector's flags spread around a fault, by the fault's size.

Every window that holds a faulty step is read with it: by reconstruction (the default)
the window's other steps are rebuilt worse, before and after the fault; by forecasting,
the steps after it are forecast from a past that holds it. So the run of flagged steps
grows with the fault's size, beyond the fault. The data: two hourly channels (a daily
sine and a slower cosine, noise of 0.1), 1,000 normal steps to fit on, 1,000 more to
score, into which a level shift of 10 steps is added to the second channel at step 500,
in multiples of that channel's standard deviation. Defaults but ``scoring``, seed 0,
one fit per scoring for every size. Prints the flagged steps within 100 of the fault,
their first and last, and those elsewhere (the same with no fault). The record
(``anomaly_spread_results.txt``) is the measurement behind the anomaly page's paragraph
on a fault's extent::

    python -W ignore benchmarks/anomaly_spread.py     # about a minute on one core
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sklearn_rnn import RNNAnomalyDetector  # noqa: E402

START, LENGTH = 500, 10


def main() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(2000)
    data = pd.DataFrame(
        {
            "a": np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(len(t)),
            "b": np.cos(t / 7) + 0.1 * rng.standard_normal(len(t)),
        },
        index=pd.date_range("2024-01-01", periods=len(t), freq="h"),
    )
    train, test = data.iloc[:1000], data.iloc[1000:]
    print(f"A level shift of steps {START}-{START + LENGTH - 1} of the scored 1,000, on channel b")
    print(f"{'scoring':<16}{'size (sd)':>10}{'flagged near':>14}{'first':>7}{'last':>6}{'elsewhere':>11}")
    for scoring in ("reconstruction", "forecast"):
        detector = RNNAnomalyDetector(scoring=scoring, random_state=0).fit(train)
        for size in (0, 0.5, 1, 3, 10):
            shifted = test.copy()
            shifted.iloc[START : START + LENGTH, 1] += size * train["b"].std()
            flags = np.flatnonzero(detector.transform(shifted).to_numpy().ravel())
            near = flags[np.abs(flags - START) <= 100]
            first, last = (str(near.min()), str(near.max())) if len(near) else ("-", "-")
            print(f"{scoring:<16}{size:>10}{len(near):>14}{first:>7}{last:>6}{len(flags) - len(near):>11}")
    print(f"(window_length_ {detector.window_length_})")


if __name__ == "__main__":
    main()
