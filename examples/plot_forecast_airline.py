"""
Forecasting airline passengers three years ahead, with intervals
=================================================================

``load_airline`` (shipped with sktime) holds monthly totals of international
airline passengers, 1949-1960: a trend and a multiplicative yearly season. The
last 36 months are held out, and :class:`~sklearn_rnn.RNNForecaster`
forecasts all 36 at once from the raw counts: inside, it models the log of the
series, standardised, as corrections to damped-trend exponential smoothing
with a yearly season (Holt-Winters, its parameters fitted before the network
trains; the seasonal period, 12, is read from the monthly index). Held-out
months weigh the network's corrections against the smoothing alone (here they
chose the smoothing's forecast, with the network's spread). Its quantile heads are
trained for the bounds of the 50% and 90% intervals shown here
(``quantile_levels``; the median is always added). The seasonal naive forecast
(repeat the last observed year) is the baseline to beat.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sktime.datasets import load_airline
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

from sklearn_rnn import RNNForecaster
from sklearn_rnn.plotting import plot_forecast

y = load_airline()
y_train, y_test = y[:-36], y[-36:]
fh = np.arange(1, 37)

levels = [0.05, 0.25, 0.75, 0.95]  # the bounds of the 90% and 50% intervals
forecaster = RNNForecaster(quantile_levels=levels, random_state=0)
forecaster.fit(y_train, fh=fh)
y_pred = forecaster.predict()
intervals = forecaster.predict_interval(coverage=[0.5, 0.9])

# The seasonal naive forecast: the last 12 observed months, repeated.
naive = pd.Series(np.tile(y_train.to_numpy()[-12:], 3), index=y_test.index)

mape = mean_absolute_percentage_error(y_test, y_pred)
mape_naive = mean_absolute_percentage_error(y_test, naive)
print(f"MAPE, RNNForecaster:  {mape:.3f}")
print(f"MAPE, seasonal naive: {mape_naive:.3f}")

# %%
# How often the 90% interval holds the observed value. ``predict_interval``
# returns one column per (variable, coverage, bound).
band = intervals[intervals.columns[0][0]][0.9]
inside = (y_test >= band["lower"]) & (y_test <= band["upper"])
print(f"held-out months inside the 90% interval: {inside.sum()} of {len(inside)}")
print(intervals.head(3).round(1).to_string())

# %%
# The held-out years, the forecast and its intervals: the season and a damped
# trend of 1949-1957, continued.
fig = plot_forecast(y_train["1954":], y_pred, intervals, y_test)
ax = fig.axes[0]
ax.set_title(f"RNNForecaster, MAPE {mape:.3f} (seasonal naive {mape_naive:.3f})")
ax.set_ylabel("passengers (thousands)")
fig.tight_layout()
plt.show()
