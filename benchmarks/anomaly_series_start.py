"""Normal steps RNNAnomalyDetector flags at the start of a series scored on its own.

With ``scoring="reconstruction"`` (the default) the first ``window_length_ - 1`` steps of
a series scored without a past are held by fewer windows than the others (step 0 by
one), and their misses are divided by ``start_scale_``, matched at the flagged tail
(the ``1 - contamination`` quantile; at the typical miss before the thirteenth session,
2026-12-06), as the last steps' ``end_scale_`` is. For each case the detector is fitted
once (seed 0); pieces of ``3 W`` steps of the test stretch, starting every ``W / 2``
steps, are each scored on their own (``transform(piece)``, no past). Among the
labelled-normal steps:

* ``start``: the share flagged of each piece's first ``W - 1`` steps;
* ``middle``: the share flagged of its next ``W + 1`` steps;
* ``whole``: the share flagged of the same first steps when the whole test stretch is
  scored after the training stretch (``update(train)``, then ``transform(test)``);
* ``start, near a fault / others``: ``start`` split between the pieces with a labelled
  step among the ``W`` steps before them or their first ``2 W``, and the others.

Besides the streaming benchmark's cases, ``normal-1`` and ``normal-3``: the generated
process of ``benchmarks/anomaly.py`` without faults (one and three channels; 2,000
training steps, then 12,000 fresh ones as the test stretch). Case names given on the
command line run those alone.

``start`` well above ``middle`` and ``whole`` is a series' start over-flagged; well below,
under-flagged. The record (``anomaly_series_start_results.txt``) is the measurement
behind the anomaly page's paragraph on a series' first steps::

    python -W ignore benchmarks/anomaly_series_start.py            # ~10 min on one core
    python -W ignore benchmarks/anomaly_series_start.py normal-1 normal-3
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pickle  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import anomaly as bench  # noqa: E402
from anomaly_streaming import CASES, flags_of, load  # noqa: E402

from sklearn_rnn import RNNAnomalyDetector  # noqa: E402

torch.set_num_threads(1)


def share(flags: np.ndarray, normal: np.ndarray) -> str:
    flagged, steps = int((flags & normal).sum()), int(normal.sum())
    return f"{flagged}/{steps} ({flagged / max(1, steps):.4f})"


def normal_case(case: str):
    """``normal-C``: a training stretch of the generated process and a fresh one after it, no fault."""
    channels = int(case.split("-")[1])
    rng = np.random.default_rng(7)
    train = bench.normal_process(2000, channels, rng)
    test = bench.normal_process(12000, channels, rng, start=2000)
    columns = [f"s{c}" for c in range(channels)]
    return (
        pd.DataFrame(train, columns=columns),
        pd.DataFrame(test, columns=columns, index=pd.RangeIndex(2000, 14000)),
        np.zeros(len(test), dtype=int),
    )


def main(names: list[str]) -> None:
    warnings.filterwarnings("ignore")
    print(
        f"{'case':<10} {'W':>3}  normal steps flagged: start / middle / same steps in the whole stretch"
        " / start, near a fault / start, the other pieces"
    )
    for case in names or [*CASES, "normal-1", "normal-3"]:
        train, test, labels = normal_case(case) if case.startswith("normal-") else load(case)
        normal = np.asarray(labels) == 0
        detector = RNNAnomalyDetector(random_state=0).fit(train)
        W = detector.window_length_
        blob = pickle.dumps(detector)
        whole_flags = flags_of(blob, train, test, None)  # after the training stretch, as anomaly.py scores
        start, middle, within, near, far = [], [], [], [], []  # (flags, normal) of each piece's parts
        for a in range(0, len(test) - 3 * W + 1, max(1, W // 2)):
            flags = pickle.loads(blob).transform(test.iloc[a : a + 3 * W]).to_numpy().ravel() > 0
            start.append((flags[: W - 1], normal[a : a + W - 1]))
            middle.append((flags[W - 1 : 2 * W], normal[a + W - 1 : a + 2 * W]))
            within.append((whole_flags[a : a + W - 1], normal[a : a + W - 1]))
            (near if (~normal[max(0, a - W) : a + 2 * W]).any() else far).append(start[-1])
        cells = [
            share(*(np.concatenate(part) for part in zip(*parts, strict=True))) if parts else "none"
            for parts in (start, middle, within, near, far)
        ]
        print(f"{case:<10} {W:>3}  " + " / ".join(cells), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
