"""Multi-label classification: y of 0/1 indicator columns, one sigmoid output per label."""

import io
from unittest import SkipTest

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import sparse
from sklearn.exceptions import DataConversionWarning
from sklearn.metrics import accuracy_score
from sklearn.utils.estimator_checks import (
    check_classifier_multioutput,
    check_classifiers_multilabel_output_format_decision_function,
    check_classifiers_multilabel_output_format_predict,
    check_classifiers_multilabel_output_format_predict_proba,
    check_classifiers_multilabel_representation_invariance,
)

import sklearn_rnn
from sklearn_rnn import RNNClassifier

TINY = dict(architecture="rnn", hidden_size=4, max_epochs=2, batch_size=16, n_networks=1, random_state=0)


def faults(n, seed):
    """Two independent faults: the first shows at step 3 of sensor 0, the second at step 8 of sensor 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 10, 2)).astype(np.float32)
    Y = np.column_stack([X[:, 3, 0] > 0, X[:, 8, 1] > 0]).astype(np.int64)
    return X, Y


@pytest.fixture(scope="module")
def fitted():
    X, Y = faults(60, 0)
    return RNNClassifier(**TINY).fit(X, Y), X, Y


# Held-out per-label accuracy over seeds 0-4 was 0.86-0.98 (chance: 0.5).
@pytest.mark.parametrize("seed", [0, *(pytest.param(s, marks=pytest.mark.slow) for s in range(1, 5))])
def test_two_independent_faults_are_each_learned(seed):
    X, Y = faults(240, 100 + seed)
    X_test, Y_test = faults(200, 200 + seed)
    clf = RNNClassifier(
        max_epochs=20, batch_size=32, fcn_filters=(8, 16, 8), dropout=0.0, lr=1e-2, random_state=seed
    ).fit(X, Y)
    predicted = clf.predict(X_test)
    per_label = (predicted == Y_test).mean(axis=0)
    assert (per_label >= 0.8).all(), per_label
    assert clf.score(X_test, Y_test) == accuracy_score(Y_test, predicted)  # subset accuracy


def test_outputs_shapes_dtypes_and_classes(fitted):
    clf, X, Y = fitted
    np.testing.assert_array_equal(clf.classes_, [0, 1])  # label indices, as MLPClassifier
    proba = clf.predict_proba(X)
    predicted = clf.predict(X)
    assert proba.shape == (60, 2) and proba.dtype == np.float64
    assert ((proba > 0) & (proba < 1)).all()
    assert not np.allclose(proba.sum(axis=1), 1.0)  # independent sigmoids, not a softmax
    assert predicted.shape == (60, 2) and predicted.dtype == np.int64
    np.testing.assert_array_equal(predicted, (proba > 0.5).astype(int))
    assert clf.net_.criterion_.__class__ is torch.nn.BCEWithLogitsLoss
    assert clf.__sklearn_tags__().classifier_tags.multi_label
    assert clf.__sklearn_tags__().target_tags.multi_output


@pytest.mark.parametrize(
    "convert",
    [
        lambda Y: Y.astype(bool),
        lambda Y: Y.astype(np.float32),
        lambda Y: sparse.csr_matrix(Y),
        lambda Y: pd.DataFrame(Y, columns=["overheat", "leak"]),
        lambda Y: Y.tolist(),
    ],
    ids=["bool", "float", "sparse", "frame", "lists"],
)
def test_every_indicator_representation_gives_the_same_model(fitted, convert):
    clf, X, Y = fitted
    other = RNNClassifier(**TINY).fit(X, convert(Y))
    np.testing.assert_array_equal(other.predict_proba(X), clf.predict_proba(X))
    assert other.score(X, convert(Y)) == clf.score(X, Y)


def test_the_weighted_loss_averages_labels_then_weighs_sequences(fitted):
    clf, X, Y = fitted
    scores = torch.tensor([[2.0, -1.0], [0.5, 3.0], [-2.0, 0.0]])
    target = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    weight = torch.tensor([1.0, 0.0, 2.0])  # the batch's share of weights of mean 1 over the training set
    per_sequence = torch.nn.functional.binary_cross_entropy_with_logits(scores, target, reduction="none")
    expected = (per_sequence.mean(1) * weight).mean()  # in the training set's units, not the batch's
    loss = clf.net_.get_loss(scores, target, X={"sample_weight": weight})
    torch.testing.assert_close(loss, expected)


def test_sample_weight_reaches_training(fitted):
    _, X, Y = fitted
    weight = np.r_[np.zeros(30), np.ones(30)]
    weighted = RNNClassifier(**TINY).fit(X, Y, sample_weight=weight)
    unweighted = RNNClassifier(**TINY).fit(X, Y)
    assert not np.allclose(weighted.predict_proba(X), unweighted.predict_proba(X))
    with pytest.raises(ValueError, match="at least one non-zero"):
        RNNClassifier(**TINY).fit(X, Y, sample_weight=np.zeros(60))


@pytest.mark.parametrize(
    "y, message",
    [
        (np.where(faults(60, 0)[1], "fault", "ok"), "not 0/1 indicator columns.*MultiLabelBinarizer"),
        (faults(60, 0)[1] * 2, r"with values \[0, 2\], not 0/1 indicator columns"),
        (np.random.default_rng(0).integers(0, 3, (60, 2)), "MultiOutputClassifier"),
        ([["overheat"], ["overheat", "leak"]] * 30, "legacy multi-label data representation"),
    ],
    ids=["strings", "zero-two", "multiclass-columns", "lists-of-names"],
)
def test_other_2d_targets_are_refused_with_the_fix(y, message):
    X, _ = faults(60, 0)
    with pytest.raises(ValueError, match=message):
        RNNClassifier(**TINY).fit(X, y)


def test_one_column_is_single_label_with_sklearns_warning():
    X, Y = faults(60, 0)
    with pytest.warns(DataConversionWarning):
        clf = RNNClassifier(**TINY).fit(X, Y[:, :1])
    assert clf.predict(X).shape == (60,) and clf.predict_proba(X).shape == (60, 2)


def test_class_weight_is_refused_for_multilabel():
    X, Y = faults(60, 0)
    for class_weight in ("balanced", {0: 1.0, 1: 2.0}):
        with pytest.raises(ValueError, match="not defined for multi-label y.*sample_weight"):
            RNNClassifier(class_weight=class_weight, **TINY).fit(X, Y)


def test_score_needs_the_indicator_columns(fitted):
    clf, X, Y = fitted
    with pytest.raises(ValueError, match=r"pass y of shape \(n_samples, 2\)"):
        clf.score(X, Y[:, 0])


def test_warm_start_keeps_the_kind_of_target():
    X, Y = faults(60, 0)
    clf = RNNClassifier(warm_start=True, **TINY).fit(X, Y)
    clf.fit(X, Y)
    assert clf.n_iter_ == 4 and clf.predict(X).shape == (60, 2)
    with pytest.raises(ValueError, match="continues the multi-label model"):
        clf.fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="2 labels of the first fit, got y with 3 columns"):
        clf.fit(X, np.column_stack([Y, Y[:, 0]]))
    single = RNNClassifier(warm_start=True, **TINY).fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="continues the single-label model"):
        single.fit(X, Y)


def test_early_stopping_holds_out_without_stratifying():
    X, Y = faults(60, 0)
    clf = RNNClassifier(early_stopping=True, **{**TINY, "max_epochs": 3}).fit(X, Y)
    assert len(clf.validation_loss_curve_) == clf.n_iter_


def test_safe_format_round_trip(fitted):
    clf, X, Y = fitted
    buffer = io.BytesIO()
    sklearn_rnn.save(clf, buffer)
    buffer.seek(0)
    loaded = sklearn_rnn.load(buffer)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.net_.criterion_.__class__ is torch.nn.BCEWithLogitsLoss  # training can continue


def test_onnx_export_gives_the_label_probabilities(fitted):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    clf, X, _ = fitted
    session = ort.InferenceSession(
        sklearn_rnn.to_onnx(clf).SerializeToString(), providers=["CPUExecutionProvider"]
    )
    lengths = np.full(len(X), X.shape[1], dtype=np.int64)
    (proba,) = session.run(None, {"X": X, "lengths": lengths})
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-5)


@pytest.mark.parametrize(
    "check",
    [
        check_classifiers_multilabel_representation_invariance,
        check_classifiers_multilabel_output_format_predict,
        check_classifiers_multilabel_output_format_predict_proba,
        check_classifier_multioutput,
    ],
)
def test_sklearn_multilabel_checks(check):
    check("RNNClassifier", RNNClassifier(**TINY))


def test_sklearn_decision_function_check_skips():
    with pytest.raises(SkipTest, match="does not have a decision_function"):
        check_classifiers_multilabel_output_format_decision_function("RNNClassifier", RNNClassifier(**TINY))


def test_sets_of_label_names_are_told_to_become_indicator_columns_with_a_fix_that_works():
    """A list of label sets got scikit-learn's "a regression target with continuous values"."""
    from sklearn.preprocessing import MultiLabelBinarizer

    X, Y = faults(48, 0)
    names = np.array(["leak", "overheat"])
    y = [set(names[row == 1]) for row in Y]
    for given in (y, pd.Series(y)):
        with pytest.raises(ValueError, match=r"y holds sets of label names.*MultiLabelBinarizer\(\)"):
            RNNClassifier(**TINY).fit(X, given)
    mlb = MultiLabelBinarizer()  # the fix, as given
    clf = RNNClassifier(**TINY).fit(X, mlb.fit_transform(y))
    assert all(isinstance(labels, tuple) for labels in mlb.inverse_transform(clf.predict(X)))
    np.testing.assert_array_equal(mlb.transform(y), Y)
