"""The anomaly benchmark's measures (``benchmarks/anomaly.py``): what they reward and what they do not."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sktime")

_spec = importlib.util.spec_from_file_location(
    "anomaly_benchmark", Path(__file__).parents[1] / "benchmarks" / "anomaly.py"
)
benchmark = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(benchmark)

N = 200
LABELS = np.zeros(N, dtype=int)
LABELS[50:60] = 1  # two events: ten steps, then one
LABELS[150] = 1
SCORES = np.linspace(0, 1, N)  # AUC-PR is not under test here


def measure(flagged):
    flags = np.zeros(N, dtype=bool)
    flags[list(flagged)] = True
    return benchmark.metrics(SCORES, flags, LABELS)


def test_event_f1_is_the_steps_precision_with_the_events_recall():
    m = measure([52, 53, 100, 101])  # one event found, two of four flagged steps in an event
    assert (m["precision"], m["event_recall"]) == (0.5, 0.5)
    assert m["recall"] == pytest.approx(2 / 11)
    assert m["event_f1"] == pytest.approx(0.5)


def test_splitting_a_detection_into_runs_does_not_raise_event_f1():
    whole = measure([52, 53, 54, 55, 150, 100])
    split = measure([52, 54, 56, 58, 150, 100])  # the same count of steps in the event, in four runs
    assert split["event_f1"] == pytest.approx(whole["event_f1"])


def test_flagging_everything_finds_every_event_and_scores_low():
    m = measure(range(N))
    assert m["event_recall"] == 1.0
    assert m["event_f1"] == pytest.approx(2 * (11 / N) / (11 / N + 1))


def test_a_flag_within_five_steps_after_an_event_finds_it_but_is_a_false_step():
    late = measure([155])  # 5 steps after the one-step event at 150: within the tolerance
    assert (late["event_recall"], late["precision"]) == (0.5, 0.0)
    assert measure([156])["event_recall"] == 0.0  # beyond it
