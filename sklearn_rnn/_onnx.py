"""Export a fitted estimator's network, with its input scaling and output transform, to ONNX."""

from __future__ import annotations

import copy
import io
import os
import warnings
from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

__all__ = ["to_onnx"]

#: Opset used by default; the legacy exporter writes LSTM/GRU/RNN as single ONNX nodes from opset 7 on.
DEFAULT_OPSET = 17


class _Graph(nn.Module):
    """The fitted module behind an output transform, shaped for the legacy ONNX exporter.

    With ``pooling="last"`` and packed (ragged) input, torch's ONNX peephole pass
    fails on a one-layer RNN whose sequence output is unused. A forward hook on
    the copied RNN therefore reads the top layer's final states from that output
    (the forward direction at each sequence's last observed step, the backward
    one at step 0): the same values as ``h_n``, and the output is used.
    """

    def __init__(self, module: nn.Module, tabular: bool) -> None:
        super().__init__()
        self.module = module
        self.tabular = tabular
        self._lengths: torch.Tensor | None = None
        rnn = getattr(module, "rnn", None)
        if getattr(module, "pooling", None) == "last" and isinstance(rnn, nn.RNNBase):
            rnn.register_forward_hook(self._final_states_from_output)

    def _final_states_from_output(self, rnn: nn.RNNBase, inputs: Any, out: Any) -> Any:
        output, state = out
        if not isinstance(output, PackedSequence) or self._lengths is None:
            return None
        padded, _ = pad_packed_sequence(output, batch_first=True)
        size = rnn.hidden_size
        last = (self._lengths.to(padded.device) - 1).view(-1, 1, 1).expand(-1, 1, size)
        top = [padded[:, :, :size].gather(1, last).squeeze(1)]
        if rnn.bidirectional:
            top.append(padded[:, 0, size:])
        h_n = state[0] if isinstance(state, tuple) else state
        h_n = torch.cat([h_n[: h_n.shape[0] - len(top)], torch.stack(top)], dim=0)
        return output, ((h_n, *state[1:]) if isinstance(state, tuple) else h_n)

    def _scores(self, X: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        if self.tabular:
            X = X.unsqueeze(-1)
        self._lengths = lengths
        try:
            return self.module(X, lengths)
        finally:
            self._lengths = None


class _ClassifierGraph(_Graph):
    """Class probabilities (softmax of the scores) in the order of ``classes_``."""

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return torch.softmax(self._scores(X, lengths), dim=1)


class _RegressorGraph(_Graph):
    """Predictions in the units of the training targets, de-standardised in float64."""

    def __init__(
        self, module: nn.Module, tabular: bool, y_mean: np.ndarray, y_scale: np.ndarray, ravel: bool
    ) -> None:
        super().__init__(module, tabular)
        self.ravel = ravel
        self.register_buffer("y_mean", torch.as_tensor(np.asarray(y_mean, dtype=np.float64)))
        self.register_buffer("y_scale", torch.as_tensor(np.asarray(y_scale, dtype=np.float64)))

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        out = self._scores(X, lengths).double() * self.y_scale + self.y_mean
        return out[:, 0] if self.ravel else out


def _export_graph(estimator: Any) -> tuple[nn.Module, int, bool, str]:
    """The module to export, its number of features, whether its input is 2D, and the output name."""
    from .classifier import RNNClassifier
    from .regressor import RNNRegressor

    if isinstance(estimator, (RNNClassifier, RNNRegressor)):
        check_is_fitted(estimator)
        module = copy.deepcopy(estimator.net_.module_).cpu().eval()
        tabular = bool(getattr(estimator, "_tabular", False))
        n_features = 1 if tabular else int(module.x_mean.shape[0])
        if isinstance(estimator, RNNClassifier):
            return _ClassifierGraph(module, tabular), n_features, tabular, "probabilities"
        graph = _RegressorGraph(module, tabular, estimator.y_mean_, estimator.y_scale_, estimator._y_1d)
        return graph, n_features, tabular, "predictions"
    forecaster_graph = _forecaster_graph(estimator)
    if forecaster_graph is not None:
        return forecaster_graph
    raise TypeError(
        "to_onnx expects a fitted RNNClassifier, RNNRegressor or RNNForecaster, got "
        f"{type(estimator).__name__}. Fit one of them first and pass it."
    )


def _forecaster_graph(estimator: Any) -> tuple[nn.Module, int, bool, str] | None:
    """The forecaster's network, when ``estimator`` is an RNNForecaster (else None)."""
    try:
        from .forecasting import RNNForecaster
    except ImportError:
        return None
    if not isinstance(estimator, RNNForecaster):
        return None
    regressor = getattr(estimator, "regressor_", None)
    if regressor is None:
        raise ValueError(
            "This RNNForecaster is not fitted yet (it has no regressor_). Call fit before to_onnx."
        )
    return _export_graph(regressor)


def to_onnx(
    estimator: Any,
    path: str | os.PathLike | None = None,
    *,
    lengths: bool = True,
    opset_version: int = DEFAULT_OPSET,
) -> Any:
    """Export a fitted estimator to an ONNX graph that needs neither Python nor torch to run.

    The graph carries the estimator's own input standardisation and output
    transform, so it maps raw sequences to what the estimator returns:
    ``predict_proba`` for :class:`RNNClassifier` (float32), ``predict`` for
    :class:`RNNRegressor` (float64, in the units of the training targets).
    Batch size and sequence length are free (symbolic) axes.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNForecaster
        A fitted estimator. For a forecaster, its fitted window regressor is
        exported (see Notes).
    path : str or path-like, default=None
        File to write. None writes nothing and only returns the model.
    lengths : bool, default=True
        Whether the graph takes a second input ``lengths`` (int64, shape
        ``(batch,)``) with the number of observed steps of each zero-padded
        sequence, so that ragged batches give the same results as a list of
        unequal-length sequences passed to the estimator. For equal-length
        batches pass the full length for every row. With ``lengths=False`` the
        graph takes ``X`` only and reads every sequence to its end, which is
        only right for equal-length batches.
    opset_version : int, default=17
        ONNX opset of the graph.

    Returns
    -------
    model : onnx.ModelProto
        The exported model (also written to ``path`` when given).

    Notes
    -----
    Inputs of the graph:

    - ``X``: float32 of shape ``(batch, time, n_features)``, or ``(batch, time)``
      when the estimator was fitted on a 2D table of univariate sequences;
    - ``lengths`` (when ``lengths=True``): int64 of shape ``(batch,)``, each in
      ``[1, time]``.

    Output: ``probabilities`` ``(batch, n_classes)`` in the order of
    ``classes_`` (take ``classes_[argmax]`` for labels), or ``predictions``
    ``(batch,)`` / ``(batch, n_outputs)``.

    The export uses torch's TorchScript-based exporter
    (``torch.onnx.export(..., dynamo=False)``): the ``torch.export``-based
    exporter fixes the sequence length to the example's. For
    :class:`RNNForecaster` the window regressor is exported: its input is the
    window of the last ``window_length`` observations the forecaster builds
    (see its documentation); the recursion over the horizon stays in the
    caller's hands. TorchScript files are not offered: ``torch.jit`` is
    deprecated in the torch versions this package supports.

    Examples
    --------
    >>> import numpy as np
    >>> import onnxruntime as ort
    >>> from sklearn_rnn import RNNClassifier, to_onnx
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 12, 2)).astype(np.float32)
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)
    >>> clf = RNNClassifier(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)
    >>> model = to_onnx(clf)
    >>> session = ort.InferenceSession(model.SerializeToString())
    >>> [i.name for i in session.get_inputs()]
    ['X', 'lengths']
    >>> X_new = rng.normal(size=(3, 20, 2)).astype(np.float32)
    >>> (proba,) = session.run(None, {"X": X_new, "lengths": np.full(3, 20)})
    >>> bool(np.allclose(proba, clf.predict_proba(X_new), atol=1e-5))
    True
    """
    try:
        import onnx
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_onnx needs the onnx package; install it with `pip install onnx` "
            "(and onnxruntime to run the exported model)."
        ) from exc
    if not isinstance(lengths, (bool, np.bool_)):
        raise TypeError(f"lengths must be True or False, got {lengths!r}.")
    graph, n_features, tabular, output_name = _export_graph(estimator)

    n_steps = 4
    example_X = torch.zeros((2, n_steps) if tabular else (2, n_steps, n_features), dtype=torch.float32)
    dynamic_axes = {"X": {0: "batch", 1: "time"}, output_name: {0: "batch"}}
    input_names = ["X"]
    args: tuple = (example_X,)
    if lengths:
        # Unequal example lengths so the trace keeps the packing of ragged batches.
        args = (example_X, torch.tensor([n_steps, n_steps - 1], dtype=torch.int64))
        input_names.append("lengths")
        dynamic_axes["lengths"] = {0: "batch"}

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # The tracer's notes on LSTM batch sizes and Python control flow do not apply:
        # the graph is checked at several batch sizes and lengths in the test suite.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            graph,
            args,
            buffer,
            dynamo=False,
            input_names=input_names,
            output_names=[output_name],
            dynamic_axes=dynamic_axes,
            opset_version=opset_version,
        )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model)
    if path is not None:
        onnx.save(model, os.fspath(path))
    return model
