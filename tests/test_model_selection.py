"""Pipelines, grid searches and cross-validation on real bundled data."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sktime.datasets import load_italy_power_demand, load_japanese_vowels

from sklearn_rnn import RNNClassifier, from_sktime

pytestmark = pytest.mark.slow

# The search is over the recurrent network's own settings: the recurrent architecture alone.
RECURRENT = dict(architecture="rnn", dropout=0.0, batch_size=32, n_networks=1)


def _italy():
    X_train, y_train = load_italy_power_demand(split="train", return_X_y=True, return_type="numpy2D")
    X_test, y_test = load_italy_power_demand(split="test", return_X_y=True, return_type="numpy2D")
    return X_train, y_train, X_test, y_test


def test_pipeline_grid_search_over_cell_direction_and_size():
    X_train, y_train, X_test, y_test = _italy()
    pipe = make_pipeline(StandardScaler(), RNNClassifier(**RECURRENT, max_epochs=25, lr=5e-3, random_state=0))
    grid = {
        "rnnclassifier__cell": ["lstm", "gru"],
        "rnnclassifier__bidirectional": [False, True],
        "rnnclassifier__hidden_size": [8, 32],
    }
    search = GridSearchCV(pipe, grid, cv=StratifiedKFold(3, shuffle=True, random_state=0), n_jobs=2)
    search.fit(X_train, y_train)
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ > 0.85
    assert search.score(X_test, y_test) > 0.85
    # The refitted best model is the same as fitting those parameters directly.
    direct = pipe.set_params(**search.best_params_).fit(X_train, y_train)
    np.testing.assert_array_equal(direct.predict(X_test), search.predict(X_test))


def test_cross_validate_parallel_on_ragged_sequences():
    X, y = load_japanese_vowels(split="train", return_X_y=True)
    sequences = from_sktime(X)
    assert isinstance(sequences, list)  # unequal lengths, rows indexed by cross_validate
    result = cross_validate(
        RNNClassifier(**RECURRENT, hidden_size=32, max_epochs=25, lr=5e-3, random_state=0),
        sequences,
        y,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        n_jobs=2,
        return_estimator=True,
    )
    assert result["test_score"].min() > 0.85
    assert all(est.n_features_in_ == 12 for est in result["estimator"])
