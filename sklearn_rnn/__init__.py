"""Recurrent neural networks (RNN, LSTM, GRU) as scikit-learn estimators and sktime forecasters."""

from importlib import import_module

from ._data import from_sktime
from ._long_table import from_long_table
from .classifier import RNNClassifier
from .outlier import RNNOutlierDetector
from .regressor import RNNRegressor

__version__ = "0.1.0"

# Imported on first use, to keep `import sklearn_rnn` light: the sktime estimators, export (onnx).
_LAZY = {
    "RNNAnomalyDetector": ".detection",
    "RNNForecaster": ".forecasting",
    "save": "._persistence",
    "load": "._persistence",
    "to_onnx": "._onnx",
}

__all__ = [
    "RNNAnomalyDetector",
    "RNNClassifier",
    "RNNForecaster",
    "RNNOutlierDetector",
    "RNNRegressor",
    "__version__",
    "from_long_table",
    "from_sktime",
    "load",
    "save",
    "to_onnx",
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
