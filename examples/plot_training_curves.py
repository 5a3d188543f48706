"""
Training curves and experiment tracking
=======================================

Every estimator keeps skorch's training history, so any skorch logger can be
attached through ``callbacks=``. Here a validation accuracy is recorded each
epoch with :class:`skorch.callbacks.EpochScoring`, the run is logged to
TensorBoard with :class:`skorch.callbacks.TensorBoard` (MLflow works the same
way with :class:`skorch.callbacks.MlflowLogger`), and
:func:`sklearn_rnn.plotting.plot_training_curves` draws the losses and the
score per epoch.
"""

import tempfile

import matplotlib.pyplot as plt
import numpy as np
from skorch.callbacks import EpochScoring, TensorBoard
from sktime.datasets import load_italy_power_demand
from tensorboard.backend.event_processing.event_accumulator import (
    EventAccumulator,
)
from torch.utils.tensorboard import SummaryWriter

from sklearn_rnn import RNNClassifier, from_sktime
from sklearn_rnn.plotting import plot_training_curves

X_train, y_train = load_italy_power_demand(split="train", return_X_y=True)
X_test, y_test = load_italy_power_demand(split="test", return_X_y=True)
X_train, X_test = from_sktime(X_train), from_sktime(X_test)


# %%
# A score for the held-out part of the training data
# ---------------------------------------------------
# With ``early_stopping=True`` a stratified ``validation_fraction`` is held out
# and its loss recorded; an ``EpochScoring`` callback adds any score. During
# scoring, ``net.forward`` returns the cached validation outputs (class scores).
def valid_accuracy(net, X, y):
    return float((net.forward(X).argmax(1).numpy() == np.asarray(y)).mean())


# A temporary directory for the TensorBoard log, deleted at the end of the
# example; give a lasting one, such as "runs/gru", to keep the log for
# ``tensorboard --logdir runs``.
log_dir = tempfile.TemporaryDirectory(prefix="sklearn_rnn_tensorboard_")
clf = RNNClassifier(
    architecture="rnn",
    cell="gru",
    hidden_size=32,
    max_epochs=60,
    lr=3e-3,
    early_stopping=True,
    validation_fraction=0.25,
    n_iter_no_change=15,
    n_networks=1,  # the curves of one network (the defaults would average five here)
    random_state=0,
    callbacks=[
        EpochScoring(valid_accuracy, name="valid_acc", lower_is_better=False),
        TensorBoard(SummaryWriter(log_dir.name)),
    ],
)
clf.fit(X_train, y_train)
print(f"epochs run: {clf.n_iter_}, test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# What TensorBoard received
# -------------------------
# ``tensorboard --logdir <log directory>`` shows these curves; here the event
# file (flushed by the callback at the end of training) is read back to show
# which scalars were logged.
events = EventAccumulator(log_dir.name)
events.Reload()
for tag in sorted(events.Tags()["scalars"]):
    scalars = events.Scalars(tag)
    print(f"{tag:>20}: {len(scalars)} points, last {scalars[-1].value:.4f}")
log_dir.cleanup()

# %%
# The curves
# ----------
fig = plot_training_curves(clf)
fig.tight_layout()
plt.show()
