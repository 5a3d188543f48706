"""
Telling winter from summer days by their electricity demand
===========================================================

ItalyPowerDemand (UCR archive, shipped with sktime) holds the hourly electricity
demand of Italy over single days (24 steps); the task is to tell the days of
October to March from those of April to September. 67 days train the
default :class:`~sklearn_rnn.RNNClassifier`; 1029 days test it. A logistic
regression on the 24 hourly values is the simple baseline.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sktime.datasets import load_italy_power_demand

from sklearn_rnn import RNNClassifier, from_sktime

X_train, y_train = load_italy_power_demand(split="train", return_X_y=True)
X_test, y_test = load_italy_power_demand(split="test", return_X_y=True)
X_train, X_test = (
    from_sktime(X_train)[:, :, 0],
    from_sktime(X_test)[:, :, 0],
)  # (n, 24 hours)

clf = RNNClassifier(random_state=0).fit(X_train, y_train)
baseline = LogisticRegression(max_iter=1000).fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")
print(f"logistic regression on the 24 values: {baseline.score(X_test, y_test):.3f}")

# %%
# Test days coloured by the predicted probability of the winter class ("1").
proba = clf.predict_proba(X_test)[:, list(clf.classes_).index("1")]
fig, ax = plt.subplots(figsize=(7, 4))
order = np.argsort(proba)
colors = plt.cm.coolwarm(1 - proba[order])
for series, color in zip(X_test[order], colors, strict=True):
    ax.plot(np.arange(24), series, color=color, alpha=0.15, lw=0.8)
ax.set_xlabel("hour of day")
ax.set_ylabel("demand (z-normalised)")
ax.set_title("Test days: red = winter half-year, blue = summer (predicted)")
fig.tight_layout()
plt.show()
