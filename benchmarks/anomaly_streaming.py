"""RNNAnomalyDetector streamed in chunks against the same detector on the whole test stretch.

Each case's detector is fitted once (seed 0); then, from copies of it that all read the
training stretch as the stream's past (``update(train)``, as ``anomaly.py`` scores):

* ``batch``: ``transform(test)``, the whole test stretch at once;
* ``chunks of n``: ``transform(chunk)`` then ``update(chunk)``, chunk after chunk, for
  ``n`` half, one, two and four times ``window_length_``.

For each: the normal steps flagged (labelled 0) and the labelled events with a flagged
step. With ``scoring="reconstruction"`` (the default) a chunk's last
``window_length_ - 1`` steps are scored provisionally, by fewer windows than the whole
series scores them; with ``scoring="forecast"`` every score is final as its step
arrives, and the streamed flags are the batch's. The record
(``anomaly_streaming_results.txt``) is the measurement behind the anomaly page's
paragraph on streaming in short chunks::

    python -W ignore benchmarks/anomaly_streaming.py            # ~6 min on one core
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pickle  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import anomaly as bench  # noqa: E402

from sklearn_rnn import RNNAnomalyDetector  # noqa: E402

torch.set_num_threads(1)

CASES = ("yahoo", "mitdb", "bleeding", "machine", "spike-1", "level-1", "stuck-3", "drift-3")
MULTIPLES = (0.5, 1, 2, 4)


def load(case: str):
    if case in bench.REAL:
        return bench.real(case)
    kind, channels = case.split("-")
    return bench.generated(kind, int(channels), 0)


def flags_of(blob: bytes, train, test, chunk: int | None) -> np.ndarray:
    detector = pickle.loads(blob)
    detector.update(train)
    if chunk is None:
        return detector.transform(test).to_numpy().ravel() > 0
    out = []
    for start in range(0, len(test), chunk):
        part = test.iloc[start : start + chunk]
        out.append(detector.transform(part).to_numpy().ravel() > 0)
        detector.update(part)
    return np.concatenate(out)


def main() -> None:
    warnings.filterwarnings("ignore")
    print(f"{'case':<10} {'scoring':<15} {'W':>3}  normal steps flagged / events found (of all)")
    for case in CASES:
        train, test, labels = load(case)
        labels = np.asarray(labels) > 0
        events = bench.flag_runs(labels)
        for scoring in ("reconstruction", "forecast"):
            detector = RNNAnomalyDetector(scoring=scoring, random_state=0).fit(train)
            W = detector.window_length_
            blob = pickle.dumps(detector)
            cells = []
            for label, chunk in [("batch", None)] + [(f"{m:g}W", max(1, round(m * W))) for m in MULTIPLES]:
                flags = flags_of(blob, train, test, chunk)
                found = sum(bool(flags[a:b].any()) for a, b in events)
                cells.append(f"{label} {int((flags & ~labels).sum())}/{found}")
            row = f"{case:<10} {scoring:<15} {W:>3}  " + "  ".join(cells)
            print(f"{row}  (of {len(events)})", flush=True)


if __name__ == "__main__":
    main()
