"""Training faults: non-finite losses, interrupts, checkpoints and resuming.

Faults are injected with ordinary skorch callbacks (the engine itself is not
mocked): one plants NaN in a weight, one raises ``KeyboardInterrupt`` as a user's
Ctrl-C would, and a real divergence comes from plain SGD with a huge step.
"""

from __future__ import annotations

import copy
import io
import pickle
import warnings

import cloudpickle
import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, Checkpoint, EpochScoring, EpochTimer

from sklearn_rnn import RNNClassifier, RNNRegressor, load, save

RNG = np.random.default_rng(0)
X = RNG.normal(size=(48, 8, 2))
Y_REG = 100 * X.sum(axis=(1, 2))
Y_CLS = np.where(X[:, :, 0].sum(axis=1) > 0, "up", "down")
# the plain recurrent network whatever the defaults (the core may default to LSTM-FCN)
RNN_ONLY = {"architecture": "rnn", "dropout": 0.0} if "architecture" in RNNClassifier().get_params() else {}
TINY = dict(hidden_size=8, batch_size=16, n_networks=1, random_state=0, lr_schedule="constant", **RNN_ONLY)


class PoisonWeights(Callback):
    """Set the output layer to NaN at the end of epoch ``epoch`` (after the guard has seen it)."""

    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                net.module_.head.weight.fill_(float("nan"))


class PoisonSecondMoments(Callback):
    """Set Adam's second moments to inf at the end of epoch ``epoch`` (after the guard has seen it).

    What a huge step does to them while the weights stay finite: later steps divide by their root.
    """

    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            for state in net.optimizer_.state.values():
                state["exp_avg_sq"].fill_(float("inf"))


class PoisonRunningVariance(Callback):
    """Set the first batch norm's running variance to inf at the end of epoch ``epoch``."""

    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            norm = next(m for m in net.module_.modules() if isinstance(m, torch.nn.BatchNorm1d))
            norm.running_var.fill_(float("inf"))


class InterruptAt(Callback):
    """Raise KeyboardInterrupt at the end of epoch ``epoch``, or at its batch ``batch``."""

    def __init__(self, epoch: int, batch: int | None = None):
        self.epoch = epoch
        self.batch = batch

    def on_epoch_end(self, net, **kwargs):
        if self.batch is None and len(net.history) == self.epoch:
            raise KeyboardInterrupt

    def on_batch_end(self, net, training=False, **kwargs):
        if (
            self.batch is not None
            and training
            and len(net.history) == self.epoch
            and len(net.history[-1]["batches"]) == self.batch
        ):
            raise KeyboardInterrupt


def _fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize("cls, y", [(RNNRegressor, Y_REG), (RNNClassifier, Y_CLS)])
def test_nan_weights_stop_training_and_restore_the_best_epoch(cls, y):
    with pytest.warns(
        ConvergenceWarning, match=r"The training loss became nan in epoch 4; training was stopped"
    ):
        poisoned = cls(**TINY, max_epochs=6, callbacks=[PoisonWeights(3)]).fit(X, y)
    guard = dict(poisoned.net_.callbacks_)["nonfinite_guard"]
    assert poisoned.n_iter_ == 3 and len(poisoned.loss_curve_) == 3
    assert poisoned.net_.history[-1]["nonfinite_stop"] is True
    assert all(torch.isfinite(p).all() for p in poisoned.net_.module_.parameters())
    # the restored weights are those of the best epoch: the same as training stopped there
    stopped = _fit_quietly(cls(**TINY, max_epochs=6, callbacks=[InterruptAt(guard.best_epoch_)]), X, y)
    method = "predict_proba" if cls is RNNClassifier else "predict"
    np.testing.assert_array_equal(getattr(poisoned, method)(X), getattr(stopped, method)(X))
    assert np.isfinite(getattr(poisoned, method)(X)).all()


@pytest.mark.parametrize(
    "poison, optimizer, match",
    [
        # batch norm's running variance gone to inf (lr 1e4, plain SGD)
        (PoisonRunningVariance, "adamw", r"weights became NaN or inf in epoch 3.*weights of epoch 2 "),
        # Adam's second moments gone to inf under a huge step (lr 1e4, Adam, an LSTM-FCN regressor)
        (PoisonSecondMoments, "adam", r"optimizer's state became NaN or inf in epoch 3.*of epoch 2 "),
    ],
    ids=["running-variance", "second-moments"],
)
def test_non_finite_state_is_restored_and_the_model_saves(poison, optimizer, match):
    """State gone to inf while the loss and the predictions stayed finite, so the model saved, and load
    refused the file: both found by the robustness suite."""
    params = dict(TINY, architecture="lstm-fcn", fcn_filters=(4, 4, 4), max_epochs=4, optimizer=optimizer)
    with pytest.warns(ConvergenceWarning, match=match):
        poisoned = RNNRegressor(**params, callbacks=[poison(2)]).fit(X, Y_REG)
    assert all(torch.isfinite(v).all() for v in poisoned.net_.module_.state_dict().values())
    state = [v for s in poisoned.net_.optimizer_.state.values() for v in s.values() if torch.is_tensor(v)]
    assert state and all(torch.isfinite(v).all() for v in state)
    # the guard sees the poison planted after it in epoch 2 at the end of epoch 3, and restores epoch 2's
    stopped = _fit_quietly(RNNRegressor(**params, callbacks=[InterruptAt(2)]), X, Y_REG)
    np.testing.assert_array_equal(poisoned.predict(X), stopped.predict(X))
    buffer = io.BytesIO()
    save(poisoned.set_params(callbacks=None), buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(load(buffer).predict(X), poisoned.predict(X))


def test_divergence_is_stopped_with_finite_weights():
    """Plain SGD with a huge step and no clipping diverges to inf: the best epoch is kept."""
    reg = RNNRegressor(
        hidden_size=8,
        max_epochs=40,
        random_state=0,
        optimizer="sgd",
        lr=50.0,
        gradient_clip_value=None,
        **RNN_ONLY,
    )
    with pytest.warns(
        ConvergenceWarning, match=r"loss became (inf|nan).* lower lr, keep gradient_clip_value"
    ):
        reg.fit(X, Y_REG)
    guard = dict(reg.net_.callbacks_)["nonfinite_guard"]
    assert reg.n_iter_ < 40
    assert guard.best_loss_ == min(reg.loss_curve_)
    pred = reg.predict(X)
    assert np.isfinite(pred).all()
    # the kept model is the best epoch's, far better than the diverged ones
    assert guard.best_loss_ < 0.1 * max(reg.loss_curve_)


def test_healthy_fit_gives_no_warning():
    reg = _fit_quietly(RNNRegressor(**TINY, max_epochs=3), X, Y_REG)
    assert dict(reg.net_.callbacks_)["nonfinite_guard"].stopped_ is None
    assert reg.n_iter_ == 3


def test_nan_weights_after_fit_never_give_silent_nan_predictions():
    reg = RNNRegressor(**TINY, max_epochs=2).fit(X, Y_REG)
    with torch.no_grad():
        reg.net_.module_.head.bias.fill_(float("nan"))
    with pytest.raises(ValueError, match=r"The network's outputs for 48 of 48 sequences are NaN or inf"):
        reg.predict(X)


@pytest.mark.parametrize("cls, y", [(RNNRegressor, Y_REG), (RNNClassifier, Y_CLS)])
def test_keyboard_interrupt_between_epochs_keeps_the_weights_reached(cls, y):
    """skorch catches KeyboardInterrupt in fit: the model predicts with epoch 3's weights."""
    interrupted = cls(**TINY, max_epochs=10, callbacks=[InterruptAt(3)]).fit(X, y)
    assert interrupted.n_iter_ == 3
    three_epochs = cls(**TINY, max_epochs=3).fit(X, y)
    method = "predict_proba" if cls is RNNClassifier else "predict"
    np.testing.assert_array_equal(getattr(interrupted, method)(X), getattr(three_epochs, method)(X))


def test_keyboard_interrupt_mid_epoch_keeps_a_usable_model():
    reg = RNNRegressor(**TINY, max_epochs=10, callbacks=[InterruptAt(3, batch=2)]).fit(X, Y_REG)
    # the cut epoch has no loss: it is left out of the curve instead of failing
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == 2 and len(reg.net_.history) == 3
    two_epochs = RNNRegressor(**TINY, max_epochs=2).fit(X, Y_REG)
    pred = reg.predict(X)
    assert np.isfinite(pred).all()
    assert not np.array_equal(pred, two_epochs.predict(X))  # two more steps were taken and kept


@pytest.mark.parametrize("early_stopping", [False, True])
def test_warm_start_continues_the_loss(early_stopping):
    reg = RNNRegressor(**TINY, max_epochs=4, warm_start=True, early_stopping=early_stopping).fit(X, Y_REG)
    first = list(reg.loss_curve_)
    reg.fit(X, Y_REG)
    assert reg.n_iter_ == 8 and reg.loss_curve_[:4] == first
    # epoch 5 continues from epoch 4, not from a fresh network's first epoch
    assert abs(reg.loss_curve_[4] - first[3]) < abs(reg.loss_curve_[4] - first[0])
    assert reg.loss_curve_[-1] < first[-1]


class RecordLoss(Callback):
    """The tuning page's callback: the training loss of every epoch it has seen."""

    def initialize(self):
        self.losses_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.losses_.append(net.history[-1, "train_loss"])


@pytest.mark.parametrize(
    "settings",
    [
        {"lr_schedule": "cosine"},
        {"gradient_clip_value": 1.0, "early_stopping": True, "n_iter_no_change": 100},
        {"gradient_clip_value": None},
    ],
)
def test_warm_start_keeps_the_users_callbacks_and_starts_its_own_afresh(settings):
    """The estimator set the schedule, clipping and patience of a warm fit through skorch's
    set_params(callbacks__...), which initialises every callback again: a user's callback kept its
    state or not depending on those settings. A user's now goes on as skorch's partial_fit keeps it
    (a LoadInitState loaded its file again at each warm fit), while skorch's valid_loss_best, which a
    Checkpoint reads, marks the fit's own best, as the weights kept are."""
    record = RecordLoss()
    clf = RNNClassifier(**{**TINY, **settings}, max_epochs=3, warm_start=True, callbacks=[record]).fit(
        X, Y_CLS
    )
    clf.set_params(max_epochs=2, n_iter_no_change=50, tol=1e-3)
    if settings.get("gradient_clip_value"):
        clf.set_params(gradient_clip_value=0.5)
    clf.fit(X, Y_CLS)
    assert clf.n_iter_ == 5 and record.losses_ == clf.loss_curve_
    built = dict(clf.net_.callbacks_)
    if "early_stopping" in built:  # the new settings reach the callbacks all the same
        assert (built["early_stopping"].patience, built["early_stopping"].threshold) == (50, 1e-3)
        assert clf.net_.history[3, "valid_loss_best"]  # the warm fit's first epoch is its best so far
    if "gradient_clip" in built:
        assert built["gradient_clip"].gradient_clip_value == clf.gradient_clip_value


def test_warm_start_runs_a_fresh_cosine_cycle_over_its_own_epochs():
    """Each fit anneals from ``lr`` over its own ``max_epochs``: a warm start does not stay at the
    last cycle's near-zero rate, nor run past the period where the cosine rises again."""
    params = {**TINY, "lr_schedule": "cosine", "lr": 0.01}
    clf = RNNClassifier(**params, max_epochs=4, warm_start=True).fit(X, Y_CLS)
    clf.set_params(max_epochs=6).fit(X, Y_CLS)
    rates = clf.net_.history[:, "event_lr"]
    expected = [0.005 * (1 + np.cos(np.pi * epoch / n)) for n in (4, 6) for epoch in range(n)]
    np.testing.assert_allclose(rates, expected, rtol=1e-9)


def test_warm_start_with_early_stopping_splits_the_new_data():
    """The validation split of a warm-started fit is drawn from that fit's data (another size here)."""
    clf = RNNClassifier(**TINY, max_epochs=2, warm_start=True, early_stopping=True).fit(X, Y_CLS)
    clf.fit(X[:30], Y_CLS[:30])
    assert clf.n_iter_ == 4
    valid_sizes = [b["valid_batch_size"] for b in clf.net_.history[-1]["batches"] if "valid_batch_size" in b]
    assert sum(valid_sizes) == 3  # 10% of the 30 sequences of this call


@pytest.mark.parametrize(
    "first, changed",
    [
        ({"early_stopping": True}, {"early_stopping": False}),  # was a KeyError on 'valid_loss'
        ({"early_stopping": False}, {"early_stopping": True}),  # never stopped, and its curve was short
        ({"lr_schedule": "constant"}, {"lr_schedule": "cosine"}),  # was skorch's ValueError
        ({}, {"optimizer": "sgd"}),  # still AdamW
        ({}, {"gradient_clip_value": None}),  # still clipped
        ({"gradient_clip_value": None}, {"gradient_clip_value": 0.01}),  # not clipped
        ({}, {"callbacks": [Checkpoint(dirname="unused")]}),  # never called
        ({}, {"verbose": 1}),  # showed nothing
    ],
    ids=lambda value: "-".join(f"{k}={v}" for k, v in value.items())[:40],
)
def test_warm_start_refuses_training_settings_its_network_cannot_take(first, changed):
    """They were ignored, or crashed the fit: each is refused, naming it, and the network is kept."""
    clf = RNNClassifier(**{**TINY, **first}, max_epochs=2, warm_start=True).fit(X, Y_CLS)
    before = clf.predict_proba(X)
    clf.set_params(**changed)
    with pytest.raises(ValueError, match=rf"\['{next(iter(changed))}'\] changed since it was built"):
        clf.fit(X, Y_CLS)
    np.testing.assert_array_equal(clf.predict_proba(X), before)
    assert clf.n_iter_ == 2


def test_warm_start_applies_the_settings_its_network_can_take():
    """batch_size, the clipping threshold and early stopping's patience and tolerance were ignored."""
    clf = RNNClassifier(**TINY, max_epochs=2, warm_start=True, early_stopping=True).fit(X, Y_CLS)
    clf.set_params(batch_size=4, gradient_clip_value=0.5, max_epochs=40, n_iter_no_change=1, tol=10.0)
    clf.fit(X, Y_CLS)
    callbacks = dict(clf.net_.callbacks_)
    assert clf.net_.batch_size == 4 and callbacks["gradient_clip"].gradient_clip_value == 0.5
    assert clf.n_iter_ == 4 and len(clf.validation_loss_curve_) == 4  # stopped at the first stall
    batches = clf.net_.history[-1]["batches"]
    assert max(b["train_batch_size"] for b in batches if "train_batch_size" in b) == 4


def _cloudpickle_round_trip(estimator):
    return pickle.loads(cloudpickle.dumps(estimator))


def _deepcopy_as_on_a_gpu(estimator):
    """A deep copy with the net's callbacks pickled apart, as a net on a GPU pickles them."""
    estimator.net_.device = "cuda"
    try:
        copied = copy.deepcopy(estimator)
    finally:
        estimator.net_.device = "cpu"
    copied.net_.device = "cpu"
    return copied


@pytest.mark.parametrize(
    "round_trip", [_cloudpickle_round_trip, copy.deepcopy, _deepcopy_as_on_a_gpu], ids=lambda f: f.__name__
)
def test_fitted_estimators_with_a_lambda_or_a_local_callback_round_trip_and_train_further(round_trip):
    """The net pickled its callbacks apart with the standard library's pickle: a lambda scorer or a
    class defined in a function (or a user's script) made cloudpickle fail, so loky and Dask could
    not return the fitted estimator, and after any copy warm_start refused: "['callbacks'] changed"."""

    class LocalRecordLoss(RecordLoss):  # defined in a function, as in a user's script
        pass

    callbacks = [
        ("accuracy", EpochScoring(lambda net, X, y: (net.predict(X).argmax(1) == y).mean(), on_train=True)),
        ("record", LocalRecordLoss()),
    ]
    clf = RNNClassifier(**TINY, max_epochs=2, warm_start=True, callbacks=callbacks).fit(X, Y_CLS)
    restored = round_trip(clf)
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    restored.fit(X, Y_CLS)  # trains further with the callbacks it was built with
    assert restored.n_iter_ == 4 and len(restored.net_.history[:, "<lambda>"]) == 4
    net_record = dict(restored.net_.callbacks)["record"]
    assert net_record.losses_ == restored.net_.history[:, "train_loss"]  # it went on, as it came along
    if round_trip is not _deepcopy_as_on_a_gpu:  # on the CPU they stay the estimator's own objects
        assert dict(restored.callbacks)["record"] is net_record


@pytest.mark.parametrize(
    "net_kwargs, match",
    [
        (
            {"callbacks": [("timer", EpochTimer())]},
            r"\['callbacks'\].* parameters \(callbacks \(and early_stop",
        ),
        ({"max_epochs": 8}, r"\['max_epochs'\].* parameters \(max_epochs\) and remove them"),
        ({"lr": 0.1, "train_split": None}, r"\['lr', 'train_split'\].* \(early_stopping and valid.*; lr\)"),
        ({"callbacks__early_stopping__patience": 9}, r"\['callbacks__early_stopping__patience'\]"),
        ({"iterator_train__shuffle": False}, r"itself and which would silently replace .*: remove them"),
        ({"criterion__reduction": "mean"}, r"\['criterion__reduction'\]"),
        # skorch's other name for lr: the estimator's lr=1e-3 trained at 0.3 without a word
        ({"optimizer__lr": 0.3, "optimizer__weight_decay": 0.1}, r"\['optimizer__lr'\].* parameters \(lr\)"),
        # the iterators' batch size: 10 steps an epoch where "auto" epochs and networks counted 3
        ({"iterator_train__batch_size": 4}, r"\['iterator_train__batch_size'\].* parameters \(batch_size\)"),
    ],
)
def test_net_kwargs_may_not_replace_what_the_estimator_sets(net_kwargs, match):
    """They replaced it without a word: callbacks= dropped early stopping, clipping, the schedule and
    the guard (all 30 epochs ran, the last one's weights kept); max_epochs= ran past the cosine
    schedule's end, whose learning rate then rose back to lr."""
    clf = RNNClassifier(**TINY, max_epochs=2, early_stopping=True, net_kwargs=net_kwargs)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, Y_CLS)


@pytest.mark.parametrize("named", [False, True])
def test_a_callback_monitoring_valid_loss_needs_early_stopping(named):
    """skorch's EarlyStopping without a validation split failed after the first epoch with a bare
    KeyError ('valid_loss' not in the history); early_stopping=True is the only way to get one."""
    from skorch.callbacks import EarlyStopping

    stop = EarlyStopping(patience=2)
    clf = RNNClassifier(**TINY, max_epochs=3, callbacks=[("stop", stop) if named else stop])
    with pytest.raises(
        ValueError, match=r"holds EarlyStopping, which monitors valid_loss.*early_stopping=True"
    ):
        clf.fit(X, Y_CLS)
    clf.set_params(early_stopping=True).fit(X, Y_CLS)  # the fix, as written
    assert clf.n_iter_ <= 3


def test_net_kwargs_passes_the_optimizers_arguments_and_skorchs_other_settings():
    clf = RNNClassifier(
        **TINY, max_epochs=2, net_kwargs={"optimizer__weight_decay": 0.5, "use_caching": False}
    )
    clf.fit(X, Y_CLS)
    assert clf.net_.optimizer_.param_groups[0]["weight_decay"] == 0.5 and clf.net_.use_caching is False


def test_early_stopping_on_few_sequences_of_many_classes_splits_without_stratifying():
    """Holding out 8 of 10 sequences left 2 to train on, fewer than the 3 classes a stratified split
    needs on each side: scikit-learn's bare split error was raised instead of a split."""
    X_small, y_small = X[:10, :6], np.array(list("aabbcccccc"))
    clf = RNNClassifier(**TINY, max_epochs=2, early_stopping=True, validation_fraction=0.75)
    clf.fit(X_small, y_small)
    assert clf.n_iter_ == 2 and len(clf.validation_loss_curve_) == 2


def test_checkpoint_and_resume_equals_uninterrupted_warm_start():
    """Saving after 3 epochs and resuming from the file continues exactly as staying in memory."""
    params = dict(**TINY, max_epochs=3, warm_start=True)
    in_memory = RNNRegressor(**params).fit(X, Y_REG)
    buffer = io.BytesIO()
    save(in_memory, buffer)
    resumed = load(io.BytesIO(buffer.getvalue()))
    in_memory.fit(X, Y_REG)
    resumed.fit(X, Y_REG)
    assert resumed.loss_curve_ == in_memory.loss_curve_
    np.testing.assert_array_equal(resumed.predict(X), in_memory.predict(X))


def test_skorch_checkpoint_callback_writes_the_best_weights(tmp_path):
    reg = RNNRegressor(
        **TINY, max_epochs=4, callbacks=[Checkpoint(monitor="train_loss_best", dirname=str(tmp_path))]
    ).fit(X, Y_REG)
    assert (tmp_path / "params.pt").exists() and (tmp_path / "history.json").exists()
    state = torch.load(tmp_path / "params.pt", weights_only=True)
    best = int(np.argmin(reg.loss_curve_))
    assert best == 3  # the last epoch is the best here, so the checkpoint holds the final weights
    for name, tensor in reg.net_.module_.state_dict().items():
        torch.testing.assert_close(state[name], tensor, rtol=0, atol=0)


class CountEpochs(Callback):
    def initialize(self):
        self.epochs_ = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.epochs_ += 1


def test_a_users_callback_sees_the_epoch_early_stopping_ends_on():
    """User callbacks came after early stopping, which raises in on_epoch_end: they missed the last
    epoch (a TensorBoard scalar of 46 points for 47 epochs run)."""
    count = CountEpochs()
    reg = RNNRegressor(**TINY, early_stopping=True, n_iter_no_change=2, max_epochs=50, callbacks=[count])
    reg.fit(X, Y_REG)
    assert reg.n_iter_ < 50  # stopped early
    assert count.epochs_ == reg.n_iter_ == len(reg.loss_curve_)


def test_a_train_end_checkpoint_with_early_stopping_holds_the_weights_the_estimator_keeps(tmp_path):
    """Early stopping restores its best epoch when training ends; a user's on_train_end (skorch's
    TrainEndCheckpoint, a logger's saved model) must see those weights, not the last epoch's."""
    from skorch.callbacks import TrainEndCheckpoint

    reg = RNNRegressor(
        **TINY,
        early_stopping=True,
        n_iter_no_change=2,
        max_epochs=50,
        lr=0.05,
        callbacks=[TrainEndCheckpoint(dirname=str(tmp_path))],
    ).fit(X, Y_REG)
    stopping = dict(reg.net_.callbacks_)["early_stopping"]
    assert stopping.best_epoch_ < reg.n_iter_  # the last epoch is not the best: weights were restored
    state = torch.load(tmp_path / "train_end_params.pt", weights_only=True)
    for name, tensor in reg.net_.module_.state_dict().items():
        torch.testing.assert_close(state[name], tensor, rtol=0, atol=0)


def test_a_warm_fit_with_checkpoint_and_load_init_state_goes_on_from_the_fitted_network(tmp_path):
    """skorch's resume pattern: re-initialising every callback at each warm fit made LoadInitState load
    its file again, so the warm fit restarted from the checkpoint (the epochs after it were lost)."""
    from skorch.callbacks import LoadInitState

    checkpoint = Checkpoint(monitor="valid_loss_best", dirname=str(tmp_path))
    params = dict(TINY, early_stopping=True, n_iter_no_change=2, warm_start=True, lr=0.05)
    reg = RNNRegressor(**params, max_epochs=12, callbacks=[checkpoint, LoadInitState(checkpoint)]).fit(
        X, Y_REG
    )
    first = reg.n_iter_
    weights = {k: v.clone() for k, v in reg.net_.module_.state_dict().items()}
    reg.set_params(max_epochs=2, lr=1e-12).fit(X, Y_REG)  # a warm fit that cannot move the weights
    assert reg.n_iter_ == first + 2
    for name, tensor in reg.net_.module_.state_dict().items():
        torch.testing.assert_close(tensor, weights[name], rtol=0, atol=1e-9)


# -- the forecaster shares the guard (its net comes from the same build_net) ---------------------------
def _series():
    import pandas as pd

    return pd.Series(np.sin(np.arange(60) / 3) + 5, index=pd.period_range("2000-01", periods=60, freq="M"))


@pytest.mark.parametrize("fault", ["nan-weights", "interrupt-mid-epoch"])
def test_forecaster_survives_faults(fault):
    from sklearn_rnn import RNNForecaster

    callback = PoisonWeightsAny(2) if fault == "nan-weights" else InterruptAt(2, batch=1)
    forecaster = RNNForecaster(
        window_length=6, hidden_size=4, max_epochs=5, batch_size=8, random_state=0, callbacks=[callback]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecaster.fit(_series(), fh=[1, 2])
    stops = [
        w
        for w in caught
        if issubclass(w.category, ConvergenceWarning) and "training was stopped" in str(w.message)
    ]
    assert len(stops) == (1 if fault == "nan-weights" else 0)
    assert np.isfinite(forecaster.predict().to_numpy()).all()
    assert all(torch.isfinite(p).all() for p in forecaster.net_.module_.parameters())
    # whole epochs only: 2 before the poisoned third is stopped, 1 before the interrupt inside epoch 2
    assert forecaster.n_iter_ == len(forecaster.loss_curve_) == (2 if fault == "nan-weights" else 1)


class PoisonWeightsAny(Callback):
    """Set the first parameter tensor of any module to NaN at the end of epoch ``epoch``."""

    def __init__(self, epoch: int):
        self.epoch = epoch

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            with torch.no_grad():
                next(net.module_.parameters()).fill_(float("nan"))


def test_a_warm_fit_whose_loss_rises_names_other_units_as_well_as_divergence():
    """A warm fit keeps the first fit's scaling, so its loss may rise because its data are in other
    units (the same targets in grams after kilograms), not because training diverged: the warning
    names both, and the fix for each; a first fit's warning names divergence alone."""
    reg = RNNRegressor(**TINY, max_epochs=3, warm_start=True).fit(X, Y_REG)
    with pytest.warns(ConvergenceWarning, match="training diverged") as record:
        reg.fit(X, Y_REG * 1000)
    message = str(record[0].message)
    assert "warm fit's data are in other units" in message and "warm_start=False" in message
    curve = reg.loss_curve_  # the loss fell within the warm fit: it started in other units
    assert len(curve) == 6 and curve[3] > 100 * curve[2] and curve[-1] < curve[3]
    with pytest.warns(ConvergenceWarning, match="training diverged") as record:
        RNNRegressor(**TINY, max_epochs=3, lr=1e3, gradient_clip_value=None).fit(X, Y_REG)
    assert "other units" not in str(record[0].message)


def test_warm_start_on_another_device_trains_where_the_network_is_and_says_so():
    """device set before a warm fit was neither honoured nor refused: training went on on the CPU
    without a word. A loaded model (its network on the CPU, device as it was trained) must still train
    further (sktime's update does), so it warns."""
    reg = RNNRegressor(**TINY, max_epochs=1).fit(X, Y_REG)
    weights = {k: v.clone() for k, v in reg.net_.module_.state_dict().items()}
    reg.set_params(device="cuda", warm_start=True)
    with pytest.warns(
        UserWarning, match=r"goes on where the fitted network is, on cpu, not on device='cuda'"
    ):
        reg.fit(X, Y_REG)
    assert reg.n_iter_ == 2 and reg.net_.device == "cpu"
    assert any(not torch.equal(t, weights[k]) for k, t in reg.net_.module_.state_dict().items())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg.set_params(device="cpu").fit(X, Y_REG)  # where it is: no warning


def test_a_users_callback_named_as_one_of_the_estimators_own_is_refused():
    with pytest.raises(ValueError, match=r"callbacks holds one named 'restore_best', a name the estimator"):
        RNNRegressor(**TINY, early_stopping=True, callbacks=[("restore_best", CountEpochs())]).fit(X, Y_REG)
