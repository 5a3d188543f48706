"""Window warping of the classifier's training batches: what it computes, when "auto" applies it."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from sklearn.base import clone

from sklearn_rnn import RNNClassifier, RNNRegressor, load, save
from sklearn_rnn._callbacks import WindowWarp
from sklearn_rnn._data import Sequences
from sklearn_rnn._training import SequenceDataset

TINY = dict(hidden_size=4, max_epochs=2, batch_size=8, n_networks=1, fcn_filters=(4, 4, 4), random_state=0)


def _batch(lengths, T=40, nan_in=None):
    rng = np.random.default_rng(0)
    values = np.zeros((len(lengths), T, 2), dtype=np.float32)
    for i, n in enumerate(lengths):
        values[i, :n] = np.cumsum(rng.normal(size=(n, 2)), axis=0)
    if nan_in is not None:
        values[nan_in, 5, 0] = np.nan
    seqs = Sequences(values, np.asarray(lengths, dtype=np.int64), tabular=False)
    return SequenceDataset(seqs), values.copy()


def test_warping_keeps_each_sequence_its_length_ends_range_and_padding():
    lengths = [40, 33, 25, 12, 9, 30, 40, 17] * 4
    dataset, original = _batch(lengths, nan_in=5)
    inputs, _ = dataset.batch(slice(None))  # a slice: the batch is a view of the dataset's values
    warp = WindowWarp(seed=0).initialize()
    warp.on_batch_begin(None, batch=(inputs, None), training=True)
    np.testing.assert_array_equal(dataset.X.numpy(), original)  # never written in place
    warped = inputs["X"].numpy()
    changed = [i for i in range(len(lengths)) if not np.array_equal(warped[i], original[i], equal_nan=True)]
    assert 8 <= len(changed) <= 24  # about half of 32
    for i, n in enumerate(lengths):
        x, before = warped[i], original[i]
        assert not x[n:].any()  # padding stays zeros
        if n < 10 or i == 5:  # too short to warp, or holding NaN: read as they are
            assert i not in changed
        np.testing.assert_allclose(x[[0, n - 1]], before[[0, n - 1]], rtol=1e-6)  # the ends stay
        low, high = np.nanmin(before[:n], axis=0), np.nanmax(before[:n], axis=0)
        inside = (x[:n] >= low - 1e-5) & (x[:n] <= high + 1e-5)
        assert (inside | np.isnan(x[:n])).all()  # interpolated within the sequence's own range
    inputs, _ = dataset.batch(slice(None))
    warp.on_batch_begin(None, batch=(inputs, None), training=False)  # prediction: as they are
    np.testing.assert_array_equal(inputs["X"].numpy(), original)


def test_the_network_trains_on_warped_batches_and_predicts_on_the_sequences_as_given():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 30, 1))
    seen = {True: [], False: []}
    clf = RNNClassifier(**TINY)
    clf.fit(X, np.arange(24) % 2)
    module = clf.net_.module_

    def record(mod, args, kwargs):
        seen[mod.training].append(kwargs.get("X", args[0] if args else None).clone())

    handle = module.register_forward_pre_hook(record, with_kwargs=True)
    try:
        clf.set_params(warm_start=True, max_epochs=1).fit(X, np.arange(24) % 2)
        clf.predict_proba(X)
    finally:
        handle.remove()
    # prediction reads the sequences as given, in order (relative to a reference level per feature)
    predicted = torch.cat(seen[False]).numpy()
    assert np.ptp(predicted - X.astype(np.float32), axis=(0, 1)).max() < 1e-5
    as_given = {tuple(np.round(x.ravel(), 4)) for x in predicted}
    trained = torch.cat(seen[True]).numpy()
    assert sum(tuple(np.round(x.ravel(), 4)) not in as_given for x in trained) >= 4  # some warped


@pytest.mark.parametrize(
    ("n", "zero_weights", "augmentation", "expected"),
    [
        (99, 0, "auto", "window-warp"),
        (100, 0, "auto", None),
        (120, 30, "auto", "window-warp"),  # sequences of weight 0 are not trained on
        (99, 0, None, None),
        (150, 0, "window-warp", "window-warp"),
        (105, -1, "auto", "window-warp"),  # early stopping holds out 11: 94 are trained on
    ],
)
def test_auto_warps_below_100_training_sequences(n, zero_weights, augmentation, expected):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(n, 12, 1)), np.arange(n) % 2
    early = zero_weights < 0
    zero_weights = max(zero_weights, 0)
    weight = np.r_[np.zeros(zero_weights), np.ones(n - zero_weights)]
    clf = RNNClassifier(**{**TINY, "max_epochs": 1}, augmentation=augmentation, early_stopping=early)
    clf.fit(X, y, sample_weight=weight)
    assert clf.augmentation_ == expected
    assert ("augmentation" in dict(clf.net_.callbacks_)) == (expected is not None)
    assert "augmentation" not in RNNRegressor().get_params()  # warping lost on both regression sets


def test_same_seed_same_warps_and_the_model_round_trips():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 20, 2)), np.arange(30) % 3
    clf = RNNClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(clone(clf).fit(X, y).predict_proba(X), clf.predict_proba(X))
    other = clone(clf).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other.predict_proba(X), clf.predict_proba(X))
    unwarped = clone(clf).set_params(augmentation=None).fit(X, y)
    assert not np.array_equal(unwarped.predict_proba(X), clf.predict_proba(X))
    buffer = io.BytesIO()
    save(clf, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    assert loaded.augmentation_ == "window-warp" and "augmentation" in dict(loaded.net_.callbacks_)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    # training further keeps the batches the network was built with, or refuses another choice
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == 4
    with pytest.raises(ValueError, match=r"\['augmentation'\] changed"):
        clf.set_params(augmentation=None).fit(X, y)
    assert clf.augmentation_ == "window-warp" and clf.n_iter_ == 4  # the refusal changed nothing
    assert clf.set_params(augmentation="auto").fit(X, y).n_iter_ == 6


def test_a_pickle_made_before_the_parameter_gets_its_value_then():
    """Unpickled without augmentation in its state, get_params, repr, clone and fit failed."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 12, 1)), np.arange(30) % 2
    clf = RNNClassifier(**TINY, augmentation=None).fit(X, y)
    state = clf.__getstate__()
    del state["augmentation"], state["augmentation_"]  # as a pickle of the build before it holds
    old = RNNClassifier.__new__(RNNClassifier)
    with pytest.warns(UserWarning, match="pickled with an unknown version"):
        old.__setstate__({k: v for k, v in state.items() if k != "_sklearn_rnn_version"})
    assert old.get_params()["augmentation"] is None and old.augmentation_ is None
    np.testing.assert_array_equal(old.predict_proba(X), clf.predict_proba(X))
    assert clone(old).fit(X, y).augmentation_ is None


@pytest.mark.parametrize("settings", [{}, {"lr_schedule": "constant", "gradient_clip_value": None}])
def test_training_further_warps_alike_after_load_whatever_the_other_settings(settings):
    """The warps restarted from the seed only where skorch happened to re-initialise the callbacks
    (a schedule or clipping set anew) or load initialised the net: a loaded model trained further
    differed from the original trained further (0.004 in probabilities) without them."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 30, 1)).astype(np.float32), np.arange(40) % 2
    original = RNNClassifier(**TINY, **settings, warm_start=True, augmentation="window-warp").fit(X, y)
    buffer = io.BytesIO()
    save(original, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    original.fit(X, y)
    loaded.fit(X, y)
    np.testing.assert_array_equal(loaded.predict_proba(X), original.predict_proba(X))
