"""Every estimator on a CUDA device: where its tensors live, and what a model trained there gives elsewhere.

Each test fits the estimator's default network (small epochs) with ``device=DEVICE``
and checks what a user relies on: the parameters and buffers are on the GPU, a
second fit with the same ``random_state`` gives the same outputs, and the model
saved in the safe format loads on the CPU with the same outputs. The whole module
is skipped on a machine without CUDA (CI has none); ``tests/test_speed_paths.py``
and ``tests/test_persistence.py`` cover the CPU-only side (``device="auto"``
falls back, ``"cuda"`` is refused, CUDA pickles open on a CPU).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import torch

from sklearn_rnn import RNNClassifier, RNNOutlierDetector, RNNRegressor, load, save

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

RNG = np.random.default_rng(0)
DEVICE = "cuda"


def _ragged(n: int = 40, channels: int = 2) -> list[np.ndarray]:
    """Sequences of 20-60 steps with gaps, as sensors record them."""
    out = []
    for i in range(n):
        x = np.cumsum(RNG.normal(size=(int(RNG.integers(20, 61)), channels)), axis=0)
        x[RNG.random(x.shape) < 0.05] = np.nan
        out.append(x + (i % 2))
    return out


def _on_cuda(net) -> None:
    module = net.module_
    assert str(net.device).startswith(DEVICE)
    assert all(p.device.type == DEVICE for p in module.parameters())
    assert all(b.device.type == DEVICE for b in module.buffers())


def _round_trip_on_cpu(estimator):
    buffer = io.BytesIO()
    save(estimator, buffer)
    restored = load(io.BytesIO(buffer.getvalue()))
    assert all(p.device.type == "cpu" for p in restored.net_.module_.parameters())
    return restored


@pytest.mark.parametrize("cls", [RNNClassifier, RNNRegressor])
def test_classifier_and_regressor_defaults_on_cuda(cls):
    X = _ragged()
    y = np.arange(len(X)) % 2 if cls is RNNClassifier else np.array([np.nanmean(x) for x in X])
    params = dict(max_epochs=3, n_networks=2, missing="mask", device=DEVICE, random_state=0)
    first = cls(**params).fit(X, y)
    _on_cuda(first.net_)
    outputs = first.predict_proba if cls is RNNClassifier else first.predict
    expected = outputs(X)
    assert np.isfinite(expected).all()
    second = cls(**params).fit(X, y)
    np.testing.assert_allclose(
        (second.predict_proba if cls is RNNClassifier else second.predict)(X), expected, rtol=1e-5, atol=1e-6
    )
    restored = _round_trip_on_cpu(first)
    np.testing.assert_allclose(
        (restored.predict_proba if cls is RNNClassifier else restored.predict)(X),
        expected,
        rtol=1e-4,
        atol=1e-5,
    )


def test_forecaster_on_a_panel_on_cuda():
    from sklearn_rnn import RNNForecaster

    rows = []
    for key, end in (("a", "2024-03-31"), ("b", "2024-04-10")):
        dates = pd.date_range(end=end, periods=80, freq="D")
        values = 10 + np.sin(np.arange(80) * 2 * np.pi / 7) + RNG.normal(scale=0.1, size=80)
        rows.append(pd.DataFrame({"unit": key, "date": dates, "load": values}))
    y = pd.concat(rows).set_index(["unit", "date"])
    params = dict(max_epochs=5, device=DEVICE, random_state=0)
    forecaster = RNNForecaster(**params).fit(y, fh=[1, 2, 3])
    _on_cuda(forecaster.net_)
    expected = forecaster.predict()
    assert expected.index.get_level_values("date").tolist()[:1] == [pd.Timestamp("2024-04-01")]
    intervals = forecaster.predict_interval(coverage=0.9)
    again = RNNForecaster(**params).fit(y, fh=[1, 2, 3]).predict()
    pd.testing.assert_frame_equal(again, expected, rtol=1e-5)
    restored = _round_trip_on_cpu(forecaster)
    pd.testing.assert_frame_equal(restored.predict(), expected, rtol=1e-4)
    pd.testing.assert_frame_equal(restored.predict_interval(coverage=0.9), intervals, rtol=1e-4)


def test_anomaly_detector_on_cuda():
    from sklearn_rnn import RNNAnomalyDetector

    t = np.arange(600)
    series = pd.DataFrame({"a": np.sin(t * 2 * np.pi / 25), "b": np.cos(t * 2 * np.pi / 25)}) + RNG.normal(
        scale=0.05, size=(600, 2)
    )
    fresh = series.copy()
    fresh.iloc[450, 0] += 4.0  # a spike
    params = dict(max_epochs=5, device=DEVICE, random_state=0)
    detector = RNNAnomalyDetector(**params).fit(series.iloc[:400])
    _on_cuda(detector.net_)
    scores = detector.transform_scores(fresh)
    assert int(np.nanargmax(np.asarray(scores, dtype=float).ravel())) == 450
    again = RNNAnomalyDetector(**params).fit(series.iloc[:400]).transform_scores(fresh)
    np.testing.assert_allclose(np.asarray(again, float), np.asarray(scores, float), rtol=1e-4, atol=1e-5)
    restored = _round_trip_on_cpu(detector)
    np.testing.assert_allclose(
        np.asarray(restored.transform_scores(fresh), float), np.asarray(scores, float), rtol=1e-3, atol=1e-4
    )


def test_outlier_detector_on_cuda():
    X = _ragged(30, channels=1)
    params = dict(max_epochs=5, device=DEVICE, random_state=0)
    detector = RNNOutlierDetector(**params).fit(X)
    _on_cuda(detector.net_)
    scores = detector.score_samples(X)
    assert np.isfinite(scores).all()
    np.testing.assert_allclose(RNNOutlierDetector(**params).fit(X).score_samples(X), scores, rtol=1e-4)
    restored = _round_trip_on_cpu(detector)
    np.testing.assert_allclose(restored.score_samples(X), scores, rtol=1e-3, atol=1e-5)
    assert restored.offset_ == detector.offset_
