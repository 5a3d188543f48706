"""
Which moments decide a class? Confusion matrix and time-step attribution
========================================================================

BasicMotions holds 100-step recordings of a wrist-worn accelerometer and
gyroscope (6 channels) while people walk, run, play badminton or stand. After
fitting a recurrent classifier, :func:`sklearn_rnn.plotting.plot_confusion_matrix`
shows which activities it confuses, and
:func:`sklearn_rnn.plotting.plot_time_step_attribution` shows *when* in a
recording the evidence for its class appears: each step is replaced in turn by
the training mean (occlusion) and the drop of the class probability is
recorded.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sktime.datasets import load_basic_motions  # noqa: E402

from sklearn_rnn import RNNClassifier, from_sktime  # noqa: E402
from sklearn_rnn.plotting import (  # noqa: E402
    plot_confusion_matrix,
    plot_time_step_attribution,
    time_step_attribution,
)

X_train, y_train = load_basic_motions(split="train", return_X_y=True)
X_test, y_test = load_basic_motions(split="test", return_X_y=True)
X_train, X_test = from_sktime(X_train), from_sktime(X_test)
print(f"train {X_train.shape}, test {X_test.shape} (sequences, steps, channels)")

clf = RNNClassifier(
    architecture="rnn", cell="gru", pooling="mean", hidden_size=32, max_epochs=80, lr=3e-3, random_state=0
)
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Confusion matrix on the test recordings
# ---------------------------------------
fig = plot_confusion_matrix(clf, X_test, y_test)
fig.tight_layout()
fig.savefig("classifier_confusion_matrix.png", dpi=80)

# %%
# When does the evidence appear?
# ------------------------------
# Top: the mean occlusion attribution of each class over its test recordings;
# bottom: every recording, grouped by class. Positive values (red) mark steps
# whose removal lowers the probability of the true class.
fig = plot_time_step_attribution(clf, X_test, y_test, method="occlusion")
fig.tight_layout()
fig.savefig("classifier_attribution.png", dpi=80)

attribution = time_step_attribution(clf, X_test, y_test)
for label in clf.classes_:
    rows = y_test == label
    top = np.argsort(np.abs(attribution[rows]).mean(axis=0))[-5:][::-1]
    print(f"{label:>10}: most influential steps {top.tolist()}")
plt.show()
