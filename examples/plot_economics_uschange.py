"""
Forecasting US consumption growth from the last two years of the economy
========================================================================

``load_uschange`` (shipped with sktime) holds quarterly percentage changes of US
personal consumption, income, industrial production, savings and unemployment,
1970-2016. Each sample here is the last 8 quarters of all five series, and the
target is the next quarter's consumption change: a sequence regression for
:class:`~sklearn_rnn.RNNRegressor` with its default parameters. The first 75%
of the quarters train it, the last 25% test it, against two baselines: the
training mean and the last observed change.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_absolute_error
from sktime.datasets import load_uschange

from sklearn_rnn import RNNRegressor

consumption, others = load_uschange()
table = np.column_stack([consumption.to_numpy(), others.to_numpy()])  # (187 quarters, 5)
window = 8
X = np.stack([table[t - window : t] for t in range(window, len(table))])  # (n, 8, 5)
y = table[window:, 0]  # next quarter's consumption change
split = int(0.75 * len(X))
X_train, X_test, y_train, y_test = X[:split], X[split:], y[:split], y[split:]

reg = RNNRegressor(random_state=0).fit(X_train, y_train)
pred = reg.predict(X_test)
mae = mean_absolute_error(y_test, pred)
mae_mean = mean_absolute_error(y_test, np.full_like(y_test, y_train.mean()))
mae_last = mean_absolute_error(y_test, X_test[:, -1, 0])
print(f"test MAE: {mae:.3f} (training mean {mae_mean:.3f}, last change {mae_last:.3f})")

# %%
# Test quarters: observed change, the network's forecast and the last-change baseline.
fig, ax = plt.subplots(figsize=(8, 3.5))
quarters = np.arange(split, len(X)) + window
ax.plot(quarters, y_test, label="observed", color="black")
ax.plot(quarters, pred, label=f"RNNRegressor (MAE {mae:.2f})")
ax.plot(quarters, X_test[:, -1, 0], label=f"last change (MAE {mae_last:.2f})", alpha=0.6)
ax.set_xlabel("quarter since 1970 Q1")
ax.set_ylabel("consumption change (%)")
ax.legend()
fig.tight_layout()
fig.savefig("economics_uschange.png", dpi=80)
