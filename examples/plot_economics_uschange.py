"""
Forecasting US consumption growth from the last two years of the economy
========================================================================

``load_uschange`` (shipped with sktime) holds quarterly percentage changes of US
personal consumption, income, industrial production, savings and unemployment,
1970-2016. Each sample here is the last 8 quarters of all five series, and the
target is the next quarter's consumption change: a sequence regression for
:class:`~sklearn_rnn.RNNRegressor`, here a small plain GRU (``architecture="rnn"``).
The first 75% of the quarters train it, the last 25% (2005-2016, the financial
crisis included) test it, against three baselines: the training mean, a ridge
regression on the flattened window, and the last observed change.

The windows hold growth rates, whose level is what predicts the next one, so the
network reads them standardised with the training data's statistics alone
(``input_scaling="global"``). The default, ``"both"``, also reads each window
standardised by its own mean and deviation, which suits shapes at any scale (a
sensor's gain, an appliance's power); here, with 134 training windows of 8 steps,
it more than doubles the inputs and fits noise: test MAE 0.62-0.67 over seeds 0-2,
against 0.43-0.48 globally scaled (measured 2026-12-07). Globally scaled, the GRU is
about as good as the training mean (0.465) and the ridge (0.473), no better; the last
change (0.349) beats them all. Persistence is hard to beat on such data, an honest
result worth knowing before reaching for a deeper model.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import RidgeCV
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

reg = RNNRegressor(
    architecture="rnn",
    cell="gru",
    hidden_size=16,
    dropout=0.0,
    pooling="mean",
    input_scaling="global",
    max_epochs=50,
    random_state=0,
).fit(X_train, y_train)
pred = reg.predict(X_test)
mae = mean_absolute_error(y_test, pred)
mae_mean = mean_absolute_error(y_test, np.full_like(y_test, y_train.mean()))
mae_last = mean_absolute_error(y_test, X_test[:, -1, 0])
ridge = RidgeCV(alphas=np.logspace(-2, 3, 20)).fit(X_train.reshape(len(X_train), -1), y_train)
mae_ridge = mean_absolute_error(y_test, ridge.predict(X_test.reshape(len(X_test), -1)))
print(f"test MAE: {mae:.3f}")
print(f"baselines: training mean {mae_mean:.3f}, ridge {mae_ridge:.3f},")
print(f"           last change {mae_last:.3f}")

# %%
# Test quarters: the observed change, the network's forecast and the
# last-change baseline.
fig, ax = plt.subplots(figsize=(8, 3.5))
quarters = np.arange(split, len(X)) + window
ax.plot(quarters, y_test, label="observed", color="black")
ax.plot(quarters, pred, label=f"RNNRegressor, GRU (MAE {mae:.2f})")
ax.plot(
    quarters,
    X_test[:, -1, 0],
    label=f"last change (MAE {mae_last:.2f})",
    alpha=0.6,
)
ax.set_xlabel("quarter since 1970 Q1")
ax.set_ylabel("consumption change (%)")
ax.legend()
fig.tight_layout()
plt.show()
