"""Time to read a ``pd-multiindex`` panel: ``from_sktime`` against sktime's own conversion.

A user holding a long table (one row per machine and time) builds sktime's panel
with ``set_index(["id", "t"])``; text ids then come in the order of the file, not
sorted. sktime's conversion to a list of frames (``convert_to(X, "df-list")``, what
``from_sktime`` called until 2026-12-07) selects each instance with ``.loc`` over
every row, which grows with instances x rows when the ids are not sorted. The
library now splits the rows in one pass. Every contender reads the same panels (50
steps an instance, two float columns), sorted and unsorted, and ``from_long_table``
on the long table itself, interleaved, best of ``--repeats``; the arrays each
returns are checked equal to sktime's. The record: ``panel_conversion_results.txt``::

    python benchmarks/panel_conversion.py     # about 3 minutes (sktime's unsorted reading of 1M rows: 30 s)
"""

from __future__ import annotations

import argparse
import time
from functools import partial

import numpy as np
import pandas as pd
from sktime.datatypes import convert_to

from sklearn_rnn import from_long_table, from_sktime

LENGTH = 50


def sktime_reading(X: pd.DataFrame) -> np.ndarray:
    """What a user could write instead: sktime's conversion, then one array per instance."""
    return np.stack([frame.to_numpy() for frame in convert_to(X, to_type="df-list")])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[62_500, 250_000, 1_000_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{'rows':>9} {'instances':>9} | {'sktime sorted':>13} {'unsorted':>9} | "
        f"{'from_sktime sorted':>18} {'unsorted':>9} | {'from_long_table':>15}   s, best of {args.repeats}"
    )
    for rows in args.rows:
        n = rows // LENGTH
        rng = np.random.default_rng(0)
        ids = np.array([f"m{i:07d}" for i in rng.permutation(n)])  # the file's order, not sorted
        table = pd.DataFrame(
            {
                "id": np.repeat(ids, LENGTH),
                "t": np.tile(np.arange(LENGTH), n),
                "a": rng.normal(size=rows),
                "b": rng.normal(size=rows),
            }
        )
        unsorted = table.set_index(["id", "t"])
        ordered = unsorted.sort_index()
        contenders = {
            "sktime sorted": partial(sktime_reading, ordered),
            "sktime unsorted": partial(sktime_reading, unsorted),
            "ours sorted": partial(from_sktime, ordered),
            "ours unsorted": partial(from_sktime, unsorted),
            "long table": partial(from_long_table, table, "id", "t", feature_cols=["a", "b"]),
        }
        timings = {name: np.inf for name in contenders}
        results = {}
        for _ in range(args.repeats):  # interleaved: each contender once a round
            for name, function in contenders.items():
                start = time.perf_counter()
                results[name] = function()
                timings[name] = min(timings[name], time.perf_counter() - start)
        for order in ("sorted", "unsorted"):
            np.testing.assert_array_equal(results[f"ours {order}"], results[f"sktime {order}"])
        print(
            f"{rows:>9,} {n:>9,} | {timings['sktime sorted']:>13.2f} {timings['sktime unsorted']:>9.2f} | "
            f"{timings['ours sorted']:>18.2f} {timings['ours unsorted']:>9.2f} | "
            f"{timings['long table']:>15.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
