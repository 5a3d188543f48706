"""Named parameter sets for :class:`~sklearn_rnn.RNNClassifier` and :class:`~sklearn_rnn.RNNRegressor`.

The sets are in :data:`PRESETS`; each is a dict of constructor arguments:

>>> from sklearn_rnn import RNNClassifier
>>> from sklearn_rnn.presets import PRESETS
>>> sorted(PRESETS)
['default', 'lstm-fcn-paper', 'mlstm-fcn', 'rnn']
>>> for name, value in PRESETS["lstm-fcn-paper"].items():
...     print(f"{name}={value!r}")
architecture='lstm-fcn'
fcn_filters=(128, 256, 128)
fcn_dilations=(1,)
hidden_size=8
dropout=0.8
batch_size=128
max_epochs=250
lr=0.001
n_networks=1
head_hidden_size=None
>>> clf = RNNClassifier(**PRESETS["mlstm-fcn"], random_state=0)
>>> clf.architecture
'mlstm-fcn'
"""

from __future__ import annotations

__all__ = ["PRESETS"]

PRESETS: dict[str, dict] = {
    "default": {},
    "mlstm-fcn": {"architecture": "mlstm-fcn"},
    "lstm-fcn-paper": {
        "architecture": "lstm-fcn",
        "fcn_filters": (128, 256, 128),
        "fcn_dilations": (1,),
        "hidden_size": 8,
        "dropout": 0.8,
        "batch_size": 128,
        "max_epochs": 250,
        "lr": 1e-3,
        "n_networks": 1,
        "head_hidden_size": None,
    },
    "rnn": {
        "architecture": "rnn",
        "bidirectional": True,
        "hidden_size": 64,
        "pooling": "mean",
        "dropout": 0.0,
        "lr": 3e-3,
        "batch_size": 16,
        "n_networks": 1,
    },
}
"""The parameter sets, by name.

Each is a plain dict of constructor arguments, so it combines with any other
argument and with grid searches. The estimators' defaults are one of them
(``"default"``, an empty dict); the others are starting points for other
needs.

- ``"default"``: the defaults, a compact LSTM-FCN (Karim et al., 2017) that
  reads each sequence standardised by the training data and by its own
  statistics, trained for at least 1000 optimizer steps and 100 epochs, with
  the outputs of up to five such networks averaged where the data are small
  enough for that to be cheap (``n_networks="auto"``); chosen
  by the procedure of the user guide's :ref:`accuracy` page, whose table has
  its scores and fit times on every data set sktime ships.
- ``"mlstm-fcn"``: the same with squeeze-and-excitation blocks (Karim et al.,
  2019), for about 40% more fit time.
- ``"lstm-fcn-paper"``: the published LSTM-FCN sizes (128-256-128 filters,
  8 LSTM cells, dropout 0.8, batch size 128) trained for 250 epochs (the
  paper trains 2000 with a plateau schedule), one network; about 15 times the
  compute of one network of the default.
- ``"rnn"``: a plain bidirectional LSTM with mean pooling and no
  convolutional branch, one network, for users who want a recurrent network only (and the
  most natural choice when the time order carries the signal over long ranges).
"""
