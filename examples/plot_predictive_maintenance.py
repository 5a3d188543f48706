"""
Predictive maintenance: spotting a developing fault in a machine's sensors
==========================================================================

A pump reports three sensors every ten minutes: motor current, bearing
temperature and vibration. They follow the pump's duty cycle (a load that
comes and goes every few hours) and each other. Its first two weeks are
normal. Later a bearing starts to wear: the vibration grows noisier, then the
temperature creeps up, days before the pump would fail. A sensor also sticks
for a few hours: a fault of the monitoring, not of the pump.

:class:`~sklearn_rnn.RNNAnomalyDetector` learns the normal behaviour from the
first two weeks (an LSTM forecasting the next three readings of all three
channels from the last eight hours), then scores every later reading by how far
it misses it, per channel in units of that channel's typical miss. Forecasting
(``scoring="forecast"``) scores each reading from its past alone, as a live
monitor must; the default, reconstruction of whole windows, also reads the
readings after a step, which suits recorded data. The levels are read as they
are (``local_level=False``): a temperature creeping above its normal range is
what this pump's monitor is for. Its threshold
comes from held-out normal readings and flags 0.5% of them
(``contamination=0.005``); flagged readings with up to six unflagged ones (an
hour) between them are merged into one event (``merge_gap=6``). The data are
generated here; the same code runs on a data frame of real readings with a time
index.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklearn_rnn import RNNAnomalyDetector
from sklearn_rnn.plotting import plot_anomalies

rng = np.random.default_rng(0)
steps_per_day = 144  # every ten minutes
n = 28 * steps_per_day
t = np.arange(n)
load = 0.6 + 0.4 * np.sin(2 * np.pi * t / 36) + 0.1 * np.sin(2 * np.pi * t / steps_per_day)
current = 10 * load + 0.2 * rng.standard_normal(n)
temperature = 40 + 8 * pd.Series(load).ewm(span=12).mean().to_numpy() + 0.3 * rng.standard_normal(n)
vibration = 1 + 0.5 * load + 0.05 * rng.standard_normal(n)

# The bearing wears from day 20: vibration grows noisier, then temperature creeps up.
wear = np.clip((t - 20 * steps_per_day) / (6 * steps_per_day), 0, None)
vibration += wear * 0.25 * rng.standard_normal(n)
temperature += 4 * wear**2
labels = (wear > 0).astype(int)
# A temperature probe sticks for four hours on day 17 (the pump is fine).
stuck = slice(17 * steps_per_day + 30, 17 * steps_per_day + 54)
temperature[stuck] = temperature[stuck.start - 1]
labels[stuck] = 1

index = pd.date_range("2026-03-01", periods=n, freq="10min")
readings = pd.DataFrame({"current": current, "temperature": temperature, "vibration": vibration}, index=index)
normal, monitored = readings.iloc[: 14 * steps_per_day], readings.iloc[14 * steps_per_day :]

detector = RNNAnomalyDetector(
    window_length=48,
    scoring="forecast",
    local_level=False,
    contamination=0.005,
    merge_gap=6,
    max_epochs=20,
    random_state=0,
).fit(normal)
flags = detector.transform(monitored)["labels"].to_numpy()

# %%
# When did it raise the alarm? The monitored weeks hold the stuck probe (day
# 17) and the wear (from day 20); before them, every flag is a false alarm.
truth = labels[14 * steps_per_day :]
first_wear = monitored.index[(wear[14 * steps_per_day :] > 0).argmax()]
alarms = monitored.index[flags == 1]
print(
    f"false alarms before the faults: {int(flags[: 3 * steps_per_day].sum())} of {3 * steps_per_day} readings"
)
print(f"stuck probe found: {bool(flags[truth.nonzero()[0][:24]].any())}")
wear_alarms = alarms[alarms >= first_wear]
if len(wear_alarms):
    print(f"wear begins {first_wear}, first alarm after it {wear_alarms[0]}")
print(f"events flagged: {int((np.diff(np.r_[0, flags]) == 1).sum())}")

# %%
# The readings with what the detector flagged (red) and the known faults
# (grey), and the scores against the threshold.
fig = plot_anomalies(detector, monitored, labels=truth)
fig.axes[0].set_title("Pump sensors: detected events (red), known faults (grey)")
fig.tight_layout()
plt.show()
