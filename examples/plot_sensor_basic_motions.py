"""
Classifying activities from wearable motion sensors
===================================================

BasicMotions (UEA archive, shipped with sktime) holds 80 recordings of a
smart watch's accelerometer and gyroscope (6 channels, 100 steps at 10 Hz) while
people walk, rest, run or play badminton. :class:`~sklearn_rnn.RNNClassifier`
with its default parameters (a compact LSTM-FCN) is trained on the 40
training recordings and scored on the 40 test ones.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sktime.datasets import load_basic_motions

from sklearn_rnn import RNNClassifier, from_sktime

X_train, y_train = load_basic_motions(split="train", return_X_y=True)
X_test, y_test = load_basic_motions(split="test", return_X_y=True)
X_train, X_test = from_sktime(X_train), from_sktime(X_test)  # (n, 100 steps, 6 channels)

clf = RNNClassifier(random_state=0).fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# One recording per activity (accelerometer x, y, z) and the confusion matrix.
fig, axes = plt.subplots(1, 5, figsize=(16, 3.2))
for ax, activity in zip(axes[:4], clf.classes_, strict=True):
    series = X_test[list(y_test).index(activity)]
    ax.plot(series[:, :3])
    ax.set_title(activity)
    ax.set_xlabel("step (0.1 s)")
ConfusionMatrixDisplay.from_predictions(y_test, clf.predict(X_test), ax=axes[4], colorbar=False)
axes[4].tick_params(axis="x", labelrotation=45)
fig.tight_layout()
fig.savefig("sensor_basic_motions.png", dpi=80)
