"""What the recurrent network computes: padding, batch neighbours, direction states, time reach."""

import itertools
import warnings

import numpy as np
import pytest
import torch

from sklearn_rnn import RNNClassifier, RNNRegressor
from sklearn_rnn._networks.recurrent import RecurrentNet

ARCHITECTURES = [
    dict(cell=cell, bidirectional=bidirectional, num_layers=num_layers, pooling=pooling)
    for cell, bidirectional, num_layers, pooling in itertools.product(
        ["rnn", "lstm", "gru"], [False, True], [1, 2], ["last", "mean", "attention"]
    )
]


def _ids(params):
    return "-".join(f"{v}" for v in params.values())


def _module(params, n_features=3, n_outputs=4, seed=0):
    torch.manual_seed(seed)
    return RecurrentNet(n_features, n_outputs, hidden_size=8, **params).eval()


@pytest.mark.parametrize("params", ARCHITECTURES, ids=_ids)
def test_padding_and_neighbours_do_not_change_a_sequence(params):
    module = _module(params)
    rng = np.random.default_rng(0)
    lengths = torch.tensor([5, 9, 2, 7])
    X = torch.from_numpy(rng.normal(size=(4, 9, 3)).astype(np.float32))
    with torch.no_grad():
        together = module(X, lengths)
        junk = X.clone()
        for i, n in enumerate(lengths):
            junk[i, n:] = 1e3  # whatever sits in the padding is never read
        padded_with_junk = module(junk, lengths)
        alone = torch.cat([module(X[i : i + 1, : lengths[i]]) for i in range(4)])
    torch.testing.assert_close(padded_with_junk, together, rtol=0, atol=1e-6)
    torch.testing.assert_close(alone, together, rtol=0, atol=1e-5)


@pytest.mark.parametrize("params", ARCHITECTURES, ids=_ids)
def test_first_time_step_reaches_the_output(params):
    module = _module(params)
    X = torch.randn(2, 10, 3, generator=torch.Generator().manual_seed(1))
    changed = X.clone()
    changed[:, 0] += 1.0
    with torch.no_grad():
        diff = (module(X) - module(changed)).abs().max().item()
    assert diff > 1e-6


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_bidirectional_summary_is_forward_last_step_and_backward_first_step(cell, num_layers):
    module = _module(dict(cell=cell, bidirectional=True, num_layers=num_layers, pooling="last"))
    captured = {}
    module.head.register_forward_hook(lambda mod, args, out: captured.update(summary=args[0]))
    lengths = torch.tensor([6, 3, 8])
    X = torch.randn(3, 8, 3, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        module(X, lengths)
        hidden = module.rnn.hidden_size
        for i, n in enumerate(lengths.tolist()):
            # Each sequence alone, unpadded: the top layer's output at every step.
            output, _ = module.rnn((X[i : i + 1, :n] - module.x_mean) / module.x_scale)
            forward_final = output[0, n - 1, :hidden]
            backward_after_step0 = output[0, 0, hidden:]
            summary = captured["summary"][i]
            torch.testing.assert_close(summary[:hidden], forward_final, atol=1e-6, rtol=0)
            torch.testing.assert_close(summary[hidden:], backward_after_step0, atol=1e-6, rtol=0)


def _ragged(n, rng, n_features=2):
    return [rng.normal(size=(rng.integers(3, 15), n_features)) for _ in range(n)]


def test_estimator_prediction_independent_of_batch_neighbours_and_batch_size():
    rng = np.random.default_rng(0)
    X = _ragged(40, rng)
    y = np.array([int(x[:, 0].sum() > 0) for x in X])
    clf = RNNClassifier(hidden_size=8, max_epochs=3, random_state=0).fit(X, y)
    full = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X])
    np.testing.assert_allclose(alone, full, atol=1e-6)
    for batch_size in (1, 7, 1000):
        clf.net_.batch_size = batch_size
        np.testing.assert_allclose(clf.predict_proba(X), full, atol=1e-6)
    # A padded 3D array of equal-length sequences predicts like the same list.
    X_equal = rng.normal(size=(10, 6, 2))
    np.testing.assert_allclose(clf.predict_proba(X_equal), clf.predict_proba(list(X_equal)), atol=1e-6)


def test_estimator_reads_the_first_time_step():
    # The label is the sign of the first step only; the rest is noise.
    # (400 training sequences: with 200, held-out accuracy ranged 0.89-0.92 over seeds, straddling
    # the bound; with 400 it was 0.935-0.965 over 8 seeds, against 0.5 for a model blind to step 0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 12, 1))
    y = (X[:, 0, 0] > 0).astype(int)
    clf = RNNClassifier(cell="gru", hidden_size=16, max_epochs=15, lr=1e-2, batch_size=32, random_state=0)
    clf.fit(X[:400], y[:400])
    assert clf.score(X[400:], y[400:]) > 0.9


def test_same_random_state_same_model_and_global_rng_untouched():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(60, 8, 2)), rng.integers(0, 3, 60)
    params = dict(hidden_size=8, max_epochs=4, dropout=0.3, num_layers=2, early_stopping=True, random_state=3)
    torch.manual_seed(123)
    state = torch.get_rng_state()
    threads = torch.get_num_threads()
    first = RNNClassifier(**params).fit(X, y).predict_proba(X)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.get_num_threads() == threads
    second = RNNClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = RNNClassifier(**{**params, "random_state": 4}).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, other)


def _restored_validation_loss(clf, X, y):
    """The validation loss of the weights ``clf`` kept, recomputed on its validation rows."""
    from sklearn_rnn._training import SequenceDataset

    data = SequenceDataset(clf._validate_X(X, reset=False), np.unique(y, return_inverse=True)[1])
    _, valid = clf.net_.train_split(data)
    with torch.no_grad():
        x, target = valid.batch(slice(None))
        return clf.net_.get_loss(clf.net_.module_.eval()(**x), target).item()


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(80, 10, 2))
    y = rng.integers(0, 2, 80)  # pure noise: the validation loss soon gets worse
    clf = RNNClassifier(
        hidden_size=32, max_epochs=60, lr=1e-2, early_stopping=True, n_iter_no_change=5, random_state=0
    ).fit(X, y)
    assert clf.n_iter_ < 60
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    loss = _restored_validation_loss(clf, X, y)
    assert loss == pytest.approx(min(clf.validation_loss_curve_), abs=1e-5)
    assert loss < clf.validation_loss_curve_[-1]


def test_early_stopping_restores_the_lowest_epoch_whatever_tol():
    """``tol`` decides when patience runs out, not which epoch is kept (as in MLPClassifier).

    skorch's rule kept the last epoch that improved by more than ``tol``: here
    the first, though each later epoch was lower, and a fit that ran all its
    epochs under the cosine schedule (whose last steps improve by less than the
    default 1e-4) rolled back.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 12, 2))
    y = (X[:, :4, 0].sum(axis=1) > 0).astype(int)
    params = dict(architecture="rnn", hidden_size=8, n_networks=1, dropout=0.0, lr=1e-3, random_state=0)
    clf = RNNClassifier(max_epochs=30, early_stopping=True, n_iter_no_change=3, tol=0.05, **params).fit(X, y)
    curve = np.asarray(clf.validation_loss_curve_)
    assert clf.n_iter_ == 4 and curve.argmin() > 0  # stopped by tol; the later epochs were lower
    assert _restored_validation_loss(clf, X, y) == pytest.approx(curve.min(), abs=1e-6)
    assert dict(clf.net_.callbacks_)["early_stopping"].best_epoch_ == curve.argmin() + 1


def test_verbose_zero_prints_nothing_and_verbose_prints_epochs(capsys):
    X, y = np.random.default_rng(0).normal(size=(20, 5)), np.arange(20) % 2
    RNNClassifier(hidden_size=4, max_epochs=3, random_state=0).fit(X, y).predict(X)
    assert capsys.readouterr().out == ""
    RNNClassifier(hidden_size=4, max_epochs=3, verbose=2, random_state=0).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["epoch", "train_loss", "lr", "dur"]  # no validation split: no valid_loss
    assert [line.split()[0] for line in lines[1:4]] == ["1", "2", "3"]
    assert lines[4].startswith("3 epochs in ") and len(lines) == 5  # the summary line
    assert "\x1b" not in "".join(lines)


def test_raw_scale_inputs_and_targets_train_well():
    # Sensor/finance-like magnitudes: features in the thousands, targets around 1e5.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 10, 2))
    y = X[:, -3:, 0].sum(axis=1) - X[:, :, 1].mean(axis=1)
    X_raw = 5000 + 800 * X
    y_raw = 1e5 + 2e4 * y
    reg = RNNRegressor(hidden_size=32, max_epochs=60, lr=5e-3, n_networks=1, random_state=0)
    reg.fit(X_raw[:300], y_raw[:300])
    assert reg.score(X_raw[300:], y_raw[300:]) > 0.9
    assert abs(reg.predict(X_raw[300:]).mean() - y_raw[300:].mean()) < 0.1 * y_raw.std()


def test_multioutput_regression_shapes():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 6, 3))
    Y = np.stack([X[:, :, 0].sum(1), X[:, :, 1].mean(1)], axis=1)
    reg = RNNRegressor(hidden_size=8, max_epochs=3, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (50, 2)
    assert reg.n_outputs_ == 2
    assert RNNRegressor(hidden_size=8, max_epochs=2, random_state=0).fit(X, Y[:, 0]).predict(X).shape == (50,)


@pytest.mark.parametrize("labels", [np.array(["no", "yes"]), np.array([3, 7, 11])])
def test_string_and_integer_labels_binary_and_multiclass(labels):
    rng = np.random.default_rng(0)
    codes = rng.integers(0, len(labels), 90)
    X = rng.normal(size=(90, 8, 1)) + codes[:, None, None] * 3.0
    y = labels[codes]
    clf = RNNClassifier(hidden_size=8, max_epochs=60, lr=1e-2, n_networks=1, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    proba = clf.predict_proba(X)
    assert proba.shape == (90, len(labels))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(labels)
    assert clf.score(X, y) > 0.9


def test_sample_weight_and_balanced_class_weight_shift_predictions():
    # No signal: the loss-optimal probability of "rare" is its weighted share of the data,
    # 30/200 = 0.15 plain, 0.5 balanced, 600/770 = 0.78 with weight 20.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5, 1))
    y = np.where(np.arange(200) < 170, "common", "rare")
    # a network too small to memorise the noise (the default LSTM-FCN learns part of it)
    params = dict(architecture="rnn", dropout=0.0, hidden_size=8, max_epochs=15, random_state=0)

    def p_rare(clf):
        return clf.predict_proba(X)[:, list(clf.classes_).index("rare")].mean()

    plain = p_rare(RNNClassifier(**params).fit(X, y))
    balanced = p_rare(RNNClassifier(class_weight="balanced", **params).fit(X, y))
    weighted = p_rare(RNNClassifier(**params).fit(X, y, sample_weight=np.where(y == "rare", 20.0, 1.0)))
    assert plain < 0.25
    assert 0.35 < balanced < 0.65
    assert weighted > 0.6


def test_balanced_class_weight_with_a_class_all_of_weight_0_fits_without_a_warning():
    """Its balanced weight is infinite; 0 * inf raised numpy's RuntimeWarning (the model was right)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 6, 2))
    y = np.array(["a", "b", "c"] * 10)
    weight = np.where(y == "c", 0.0, 1.0)
    params = dict(architecture="rnn", hidden_size=4, max_epochs=2, n_networks=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = RNNClassifier(class_weight="balanced", **params).fit(X, y, sample_weight=weight)
    assert list(clf.classes_) == ["a", "b", "c"] and np.isfinite(clf.loss_curve_).all()


@pytest.mark.parametrize("batch_size", [1, 4])
def test_sample_weights_count_across_the_training_set_not_within_each_batch(batch_size):
    """A sequence's weight is relative to the whole training set, whatever batch it falls in.

    Regression on noise: the loss-optimal (squared error) prediction is the
    weighted mean of the targets, about 0 when the sequences of target 0 weigh
    10^6 times the others, 5 unweighted. Weights normalised by each batch's own total count
    only against their batch neighbours: with one sequence a batch, not at all.
    """
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 6, 1))
    y = np.where(np.arange(40) % 2 == 0, 0.0, 10.0)
    params = dict(architecture="rnn", hidden_size=4, n_networks=1, max_epochs=20, lr=0.02, random_state=0)
    weight = np.where(y == 0, 1000.0, 0.001)
    plain = RNNRegressor(batch_size=batch_size, **params).fit(X, y).predict(X).mean()
    weighted = RNNRegressor(batch_size=batch_size, **params).fit(X, y, sample_weight=weight).predict(X).mean()
    assert 3.0 < plain < 7.0
    assert weighted < 1.5, (plain, weighted)


def test_batches_whose_weights_are_all_0_train_on_and_weights_of_2_change_nothing():
    """A weight of 0 leaves a sequence out (a batch of them adds nothing); doubling every weight is none."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 6, 1))
    y = np.arange(40) % 2
    params = dict(architecture="rnn", hidden_size=4, n_networks=1, max_epochs=6, batch_size=2, random_state=0)
    half = np.r_[np.ones(20), np.zeros(20)]  # in batches of 2, about a quarter weigh 0 in every epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "the training loss became nan" stop
        clf = RNNClassifier(**params).fit(X, y, sample_weight=half)
    assert clf.n_iter_ == 6 and np.isfinite(clf.loss_curve_).all()
    plain = RNNClassifier(**params).fit(X, y).predict_proba(X)
    doubled = RNNClassifier(**params).fit(X, y, sample_weight=np.full(40, 2.0)).predict_proba(X)
    np.testing.assert_allclose(doubled, plain, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="at least one non-zero"):
        RNNRegressor(**params).fit(X, y.astype(float), sample_weight=np.zeros(40))


def test_class_weight_may_name_a_class_a_cross_validation_fold_lacks():
    """scikit-learn's rule: extra classes in the dict are ignored while every class of y is named."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(20, 5, 1))
    y = np.arange(20) % 2  # class 2 is rare: this fold has none
    params = dict(architecture="rnn", hidden_size=4, n_networks=1, max_epochs=2, random_state=0)
    named = RNNClassifier(class_weight={0: 1.0, 1: 3.0, 2: 5.0}, **params).fit(X, y).predict_proba(X)
    exact = RNNClassifier(class_weight={0: 1.0, 1: 3.0}, **params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(named, exact)
    with pytest.raises(ValueError, match=r"The classes, \[1\], are not in class_weight"):
        RNNClassifier(class_weight={0: 1.0, 2: 5.0}, **params).fit(X, y)


def test_early_stopping_measures_each_part_of_the_split_by_its_own_weighted_mean(monkeypatch):
    """The validation loss is the weighted mean over the validation sequences, whatever weight they hold.

    Weights were scaled to mean 1 over train and validation together, so the
    validation loss came out multiplied by the validation part's mean weight
    (0.05 here): early stopping's absolute ``tol`` then stopped at chance.
    """
    from sklearn_rnn._training import ValidSplit

    held_out = []
    split = ValidSplit.__call__

    def recording(self, dataset, *args, **kwargs):
        train, valid = split(self, dataset, *args, **kwargs)
        held_out.append(valid.rows.numpy())
        return train, valid

    monkeypatch.setattr(ValidSplit, "__call__", recording)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12, 2))
    y = np.arange(30) % 2
    X[:, :, 0] += y[:, None]
    params = dict(
        architecture="rnn",
        hidden_size=8,
        n_networks=1,
        dropout=0.0,
        augmentation=None,
        max_epochs=4,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=100,
        random_state=0,
    )
    weight = rng.exponential(size=30)
    clf = RNNClassifier(**params).fit(X, y, sample_weight=weight)
    valid = held_out[-1]
    params["max_epochs"] = 1
    first = RNNClassifier(**params).fit(X, y, sample_weight=weight)
    loss = -np.log(first.predict_proba(X)[np.arange(30), y])
    np.testing.assert_allclose(
        first.validation_loss_curve_[0], np.average(loss[valid], weights=weight[valid]), rtol=1e-4
    )
    # the validation sequences' weights scaled together: the same training, the same curve (to the
    # input scaling's change: its weighted statistics read every sequence); it was 0.05 times it
    weight[valid] *= 0.05
    scaled = RNNClassifier(**dict(params, max_epochs=4)).fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(held_out[-1], valid)
    np.testing.assert_allclose(scaled.validation_loss_curve_, clf.validation_loss_curve_, rtol=1e-2)
    np.testing.assert_allclose(scaled.loss_curve_, clf.loss_curve_, rtol=1e-2)
