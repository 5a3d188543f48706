"""
Classifying activities from wearable motion sensors
===================================================

BasicMotions (UEA archive, shipped with sktime) holds 80 recordings of a
smart watch's accelerometer and gyroscope (6 channels, 100 steps at 10 Hz) while
people walk, rest, run or play badminton. :class:`~sklearn_rnn.RNNClassifier`
with its default parameters (a compact LSTM-FCN) is trained on the 40
training recordings and scored on the 40 test ones. The sequences go in as a 3D
array ``(n_recordings, n_steps, n_channels)``; :func:`~sklearn_rnn.from_sktime`
converts sktime's nested data frame to it.
"""

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sktime.datasets import load_basic_motions

from sklearn_rnn import RNNClassifier, from_sktime

X_train, y_train = load_basic_motions(split="train", return_X_y=True)
X_test, y_test = load_basic_motions(split="test", return_X_y=True)
X_train, X_test = (
    from_sktime(X_train),
    from_sktime(X_test),
)  # (n, 100 steps, 6 channels)
print(f"train {X_train.shape}, test {X_test.shape}")

clf = RNNClassifier(random_state=0).fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# The data: one test recording per activity
# ------------------------------------------
# The first three channels are the accelerometer's x, y and z axes.
# Standing barely moves; running and badminton swing widely.
fig, axes = plt.subplots(2, 2, figsize=(8, 5.5), sharex=True, sharey=True, layout="constrained")
for ax, activity in zip(axes.ravel(), clf.classes_, strict=True):
    series = X_test[list(y_test).index(activity)]
    for channel, axis_name in enumerate("xyz"):
        ax.plot(series[:, channel], lw=1.2, label=f"accelerometer {axis_name}")
    ax.set_title(activity)
for ax in axes[1]:
    ax.set_xlabel("step (0.1 s)")
for ax in axes[:, 0]:
    ax.set_ylabel("acceleration")
fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncols=3)

# %%
# Which activities does the classifier confuse?
# ---------------------------------------------
# Rows are the true activities, columns the predicted ones.
fig, ax = plt.subplots(figsize=(5.5, 4.5), layout="constrained")
ConfusionMatrixDisplay.from_predictions(y_test, clf.predict(X_test), ax=ax, colorbar=False)
ax.set_title(f"Test recordings (accuracy {clf.score(X_test, y_test):.3f})")
plt.show()
