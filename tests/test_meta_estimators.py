"""scikit-learn's meta-estimators around the estimators, on ragged sequences (JapaneseVowels).

Each test checks what the wrapper computes from the wrapped estimator's outputs,
not only that it runs: the sequences reach every member as the list they are.
"""

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import BaggingClassifier, StackingClassifier, VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TunedThresholdClassifierCV
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.multioutput import ClassifierChain, MultiOutputRegressor
from sktime.datasets import load_japanese_vowels

from sklearn_rnn import RNNClassifier, RNNRegressor, from_sktime

SMALL = dict(architecture="rnn", hidden_size=16, dropout=0.0, n_networks=1, max_epochs=8, lr=5e-3)


def _members() -> list:
    return [
        ("lstm", RNNClassifier(**SMALL, random_state=0)),
        ("gru", RNNClassifier(**SMALL, cell="gru", random_state=1)),
    ]


def _speakers(split: str) -> tuple[list, np.ndarray]:
    X, y = load_japanese_vowels(split=split, return_X_y=True)
    keep = np.isin(y, ["1", "2", "3"])  # three speakers; 90 training sequences of 7 to 26 steps
    return [x for x, k in zip(from_sktime(X), keep, strict=True) if k], y[keep]


@pytest.fixture(scope="module")
def vowels():
    X, y = _speakers("train")
    assert len({len(x) for x in X}) > 5
    return X, y


@pytest.fixture(scope="module")
def held_out():
    return _speakers("test")


def test_soft_voting_averages_the_members_probabilities(vowels, held_out):
    X, y = vowels
    vote = VotingClassifier(
        _members(),
        voting="soft",
    ).fit(X, y)
    members = [est.predict_proba(held_out[0]) for est in vote.estimators_]
    np.testing.assert_allclose(vote.predict_proba(held_out[0]), np.mean(members, axis=0), rtol=1e-6)
    assert vote.score(*held_out) > 0.9


def test_stacking_reads_the_members_cross_validated_probabilities(vowels, held_out):
    X, y = vowels
    stack = StackingClassifier(
        _members(),
        final_estimator=LogisticRegression(),
        cv=3,
    ).fit(X, y)
    features = stack.transform(X[:5])
    assert features.shape == (5, 6)  # three classes' probabilities of each member
    np.testing.assert_allclose(features[:, :3], stack.estimators_[0].predict_proba(X[:5]), rtol=1e-6)
    assert stack.score(*held_out) > 0.9


def test_calibrating_a_fitted_classifier_keeps_its_ranking(vowels):
    X, y = vowels
    binary = y == "1"
    clf = RNNClassifier(**SMALL, random_state=0).fit(X, binary)
    calibrated = CalibratedClassifierCV(FrozenEstimator(clf), method="sigmoid").fit(X, binary)
    raw, sigmoid = clf.predict_proba(X)[:, 1], calibrated.predict_proba(X)[:, 1]
    order = np.argsort(raw, kind="stable")
    assert (np.diff(sigmoid[order]) >= -1e-12).all()  # a monotone map of the network's probability


def test_tuned_threshold_applies_its_threshold_to_the_probability(vowels):
    X, y = vowels
    binary = (y == "1").astype(int)
    tuned = TunedThresholdClassifierCV(RNNClassifier(**SMALL, random_state=0), cv=3, random_state=0)
    tuned.fit(X, binary)
    expected = (tuned.estimator_.predict_proba(X)[:, 1] >= tuned.best_threshold_).astype(int)
    np.testing.assert_array_equal(tuned.predict(X), expected)


def test_one_vs_rest_fits_a_binary_network_per_class(vowels, held_out):
    X, y = vowels
    ovr = OneVsRestClassifier(RNNClassifier(**SMALL, random_state=0)).fit(X, y)
    assert len(ovr.estimators_) == 3
    scores = np.column_stack([est.predict_proba(X)[:, 1] for est in ovr.estimators_])
    np.testing.assert_array_equal(ovr.predict(X), ovr.classes_[scores.argmax(1)])
    assert ovr.score(*held_out) > 0.9


def test_transformed_target_and_multioutput_regressors(vowels, held_out):
    X, _ = vowels
    level = np.array([x[:, 0].mean() for x in X])
    target = np.exp(level)  # a positive target the log makes linear in the inputs
    ttr = TransformedTargetRegressor(RNNRegressor(**SMALL, random_state=0), func=np.log, inverse_func=np.exp)
    ttr.fit(X, target)
    np.testing.assert_allclose(ttr.predict(X), np.exp(ttr.regressor_.predict(X)), rtol=1e-6)
    assert ttr.score(held_out[0], np.exp([x[:, 0].mean() for x in held_out[0]])) > 0.8
    both = MultiOutputRegressor(RNNRegressor(**SMALL, random_state=0)).fit(
        X, np.column_stack([level, -level])
    )
    predictions = both.predict(X)
    for j, est in enumerate(both.estimators_):
        np.testing.assert_array_equal(predictions[:, j], est.predict(X))


@pytest.mark.parametrize("wrapper", [OneVsOneClassifier, BaggingClassifier, ClassifierChain])
def test_wrappers_that_check_x_as_a_table_refuse_sequences(vowels, wrapper):
    """These validate X as a 2D table themselves (scikit-learn 1.9), before any network
    sees it: the guide names what to use instead (the classifier is multiclass and
    multi-label itself; n_networks averages networks)."""
    X, y = vowels
    if wrapper is ClassifierChain:
        y = np.column_stack([y == "1", y == "2"])
    with pytest.raises(ValueError, match="inhomogeneous"):
        wrapper(RNNClassifier(**SMALL, random_state=0)).fit(X, y)
