"""
Forecasting airline passengers three years ahead, with intervals
=================================================================

``load_airline`` (shipped with sktime) holds monthly totals of international
airline passengers, 1949-1960: a trend and a multiplicative yearly season. The
last 36 months are held out, and :class:`~sklearn_rnn.RNNForecaster` with its
default parameters forecasts all 36 at once from the raw counts: inside, it
models the log of the series, standardised, as a correction of the last
observed season (the seasonal period, 12, is read from the monthly index), and
its quantile heads give the 50% and 90% intervals. The seasonal naive forecast
(repeat the last year) is the baseline to beat.
"""

import matplotlib

matplotlib.use("Agg")
import numpy as np
from sktime.datasets import load_airline
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

from sklearn_rnn import RNNForecaster
from sklearn_rnn.plotting import plot_forecast

y = load_airline()
y_train, y_test = y[:-36], y[-36:]
fh = np.arange(1, 37)

forecaster = RNNForecaster(random_state=0).fit(y_train, fh=fh)
y_pred = forecaster.predict()
intervals = forecaster.predict_interval(coverage=[0.5, 0.9])

naive = NaiveForecaster(strategy="last", sp=12).fit(y_train, fh=fh).predict()
mape = mean_absolute_percentage_error(y_test, y_pred)
mape_naive = mean_absolute_percentage_error(y_test, naive)
band = intervals[intervals.columns[0][0]][0.9]
coverage = float(((y_test >= band["lower"]) & (y_test <= band["upper"])).mean())
print(f"MAPE: RNNForecaster {mape:.3f}, seasonal naive {mape_naive:.3f}")
print(f"share of the 36 held-out months inside the 90% interval: {coverage:.2f}")

# %%
# The held-out years, the forecast and its intervals. The network continues
# the season and the trend of 1949-1957; 1958 grew less than that trend, which
# is where most of the error (and the months outside the intervals) come from.
fig = plot_forecast(y_train["1954":], y_pred, intervals, y_test)
ax = fig.axes[0]
ax.set_title(f"RNNForecaster, MAPE {mape:.3f} (seasonal naive {mape_naive:.3f})")
ax.set_ylabel("passengers (thousands)")
fig.tight_layout()
fig.savefig("forecast_airline.png", dpi=80)
