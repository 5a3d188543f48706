"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators and sktime forecasters."""

from ._data import from_long_table, from_sktime
from .classifier import RNNClassifier
from .regressor import RNNRegressor

__version__ = "0.1.0"

__all__ = ["RNNClassifier", "RNNRegressor", "from_long_table", "from_sktime", "__version__"]
