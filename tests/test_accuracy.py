"""Test accuracy with default parameters on UCR/UEA datasets shipped with sktime.

Thresholds sit below the mean over seeds measured by ``benchmarks/accuracy.py``
(see its table) by a margin that covers the spread between seeds, so a drop in
what the defaults learn fails here while seed-to-seed noise does not.
"""

import numpy as np
import pytest

from sklearn_rnn import RNNClassifier, from_sktime

pytestmark = pytest.mark.slow


def _load(loader):
    X_train, y_train = loader(split="train", return_X_y=True)
    X_test, y_test = loader(split="test", return_X_y=True)
    return from_sktime(X_train), np.asarray(y_train), from_sktime(X_test), np.asarray(y_test)


def test_basic_motions_defaults():
    from sktime.datasets import load_basic_motions

    X_train, y_train, X_test, y_test = _load(load_basic_motions)
    assert X_train.shape == (40, 100, 6)
    score = RNNClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    assert score >= 0.95


def test_japanese_vowels_defaults_ragged_without_truncation():
    from sktime.datasets import load_japanese_vowels

    X_train, y_train, X_test, y_test = _load(load_japanese_vowels)
    # unequal lengths, used as shipped: no truncation, no resampling
    assert isinstance(X_train, list) and len({len(x) for x in X_train}) > 1
    clf = RNNClassifier(random_state=0).fit(X_train, y_train)
    assert clf.n_features_in_ == 12
    score = clf.score(X_test, y_test)
    assert score >= 0.96


def test_italy_power_demand_defaults():
    from sktime.datasets import load_italy_power_demand

    X_train, y_train, X_test, y_test = _load(load_italy_power_demand)
    score = RNNClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    assert score >= 0.94


def test_gunpoint_defaults():
    from sktime.datasets import load_gunpoint

    X_train, y_train, X_test, y_test = _load(load_gunpoint)
    score = RNNClassifier(random_state=0).fit(X_train, y_train).score(X_test, y_test)
    assert score >= 0.95
