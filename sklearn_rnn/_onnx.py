"""Export a fitted estimator's network, with its input scaling and output transform, to ONNX."""

from __future__ import annotations

import copy
import io
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ._intervals import conformal_shift

__all__ = ["to_onnx"]

#: Opset used by default; the legacy exporter writes LSTM/GRU/RNN as single ONNX nodes from opset 7 on.
DEFAULT_OPSET = 17


class _Graph(nn.Module):
    """The fitted module behind an output transform, shaped for the legacy ONNX exporter."""

    def __init__(self, module: nn.Module, tabular: bool) -> None:
        super().__init__()
        self.module = module
        self.tabular = tabular

    def _scores(self, X: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
        if self.tabular:
            X = X.unsqueeze(-1)
        return self.module(X, lengths)


class _ClassifierGraph(_Graph):
    """Class probabilities in the order of ``classes_``, from the classifier's own output head."""

    def __init__(
        self, module: nn.Module, tabular: bool, head: Callable[[torch.Tensor], torch.Tensor]
    ) -> None:
        super().__init__(module, tabular)
        self.head = head  # softmax, or one sigmoid per label of a multi-label model

    def forward(self, X: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self._scores(X, lengths))


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


class _ForecasterGraph(nn.Module):
    """A window of raw observations -> quantile forecasts in the series' units, as ``predict_quantiles``.

    The series' log transform and standardisation (fitted on the one training
    series) come first, the network's quantiles are sorted (the forecaster's
    monotone rearrangement) and mapped back to the original units.
    """

    def __init__(
        self, net: nn.Module, mean: np.ndarray, scale: np.ndarray, log: np.ndarray, shift: nn.Module | None
    ) -> None:
        super().__init__()
        self.net = net
        self.shift = shift  # the forecaster's conformal calibration (None without it)
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean, dtype=np.float64)))
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale, dtype=np.float64)))
        self.register_buffer("log", torch.as_tensor(np.asarray(log, dtype=bool)))

    def forward(self, y_window: torch.Tensor) -> torch.Tensor:
        values = y_window.double()
        values = torch.where(self.log, torch.log(values), values)
        out = self.net(((values - self.mean) / self.scale).float())  # (batch, horizon, C, Q)
        out = torch.sort(out.double(), dim=-1).values
        if self.shift is not None:
            out = self.shift(out)
        out = out * self.scale[:, None] + self.mean[:, None]
        return torch.where(self.log[:, None], torch.exp(out), out)


@dataclass
class _Spec:
    graph: nn.Module
    example: torch.Tensor
    input_name: str
    output_name: str
    dynamic_time: bool
    takes_lengths: bool


def _export_spec(estimator: Any) -> _Spec:
    from .classifier import RNNClassifier
    from .regressor import RNNRegressor

    if isinstance(estimator, (RNNClassifier, RNNRegressor)):
        check_is_fitted(estimator)
        module = copy.deepcopy(estimator.net_.module_).cpu().eval()
        tabular = bool(getattr(estimator, "_tabular", False))
        shape = (2, 4) if tabular else (2, 4, int(module.x_mean.shape[0]))
        if isinstance(estimator, RNNClassifier):
            graph, output = _ClassifierGraph(module, tabular, estimator._probabilities), "probabilities"
        else:
            graph = _RegressorGraph(module, tabular, estimator.y_mean_, estimator.y_scale_, estimator._y_1d)
            output = "predictions"
        return _Spec(graph, torch.zeros(shape), "X", output, dynamic_time=True, takes_lengths=True)
    spec = _forecaster_spec(estimator)
    if spec is not None:
        return spec
    raise TypeError(
        "to_onnx expects a fitted RNNClassifier, RNNRegressor or RNNForecaster, got "
        f"{type(estimator).__name__}. Fit one of them first and pass it."
    )


def _forecaster_spec(estimator: Any) -> _Spec | None:
    """The forecaster's network with its target transform, when ``estimator`` is an RNNForecaster."""
    try:
        from .forecasting import RNNForecaster
    except ImportError:  # sktime is an optional dependency
        return None
    if not isinstance(estimator, RNNForecaster):
        return None
    if not hasattr(estimator, "net_"):
        raise NotFittedError(
            "This RNNForecaster instance is not fitted yet. Call 'fit' with appropriate arguments "
            "before using to_onnx."
        )
    if getattr(estimator, "_n_exog", 0):
        raise ValueError(
            "to_onnx exports RNNForecaster models fitted without X only; this one was fitted with "
            f"{estimator._n_exog} exogenous columns. Fit it on y alone to export it."
        )
    scalings = getattr(estimator, "_y_scaling", {})
    if list(scalings) != [()]:
        raise ValueError(
            "to_onnx exports an RNNForecaster fitted on a single series (each series of a panel "
            f"has its own scaling); this one was fitted on {len(scalings)} series."
        )
    mean, scale = scalings[()]
    net = copy.deepcopy(estimator.net_.module_).cpu().eval()
    graph = _ForecasterGraph(
        net,
        mean,
        scale,
        estimator.log_transform_,
        conformal_shift(estimator.conformal_offsets_, estimator.quantile_levels_),
    )
    example = torch.ones((2, estimator.window_length_, len(mean)))
    return _Spec(graph, example, "y_window", "quantiles", dynamic_time=False, takes_lengths=False)


def _carry_forward_exportable(X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``_module.carry_forward`` without ``cummax`` (which ONNX lacks): the same values, O(T).

    The last observation at or before step t is the ``c_t``-th one, where ``c`` is
    the running count of observations: each observed step is scattered to the
    slot of its rank, and every step reads the slot of its count (slot 0: none
    yet). A pairwise comparison of steps was O(T^2) and made the graph 4-5x
    slower than torch on 200-step sequences.
    """
    observed = ~torch.isnan(X)
    steps = torch.arange(X.shape[1], device=X.device).view(1, -1, 1).expand_as(X)
    count = torch.cumsum(observed.to(torch.int64), dim=1)
    dummy = torch.full_like(count, X.shape[1] + 1)  # unobserved steps all go to one unused slot
    slots = torch.full_like(torch.cat([count, count[:, :2]], dim=1), -1)  # (n, T + 2, F)
    slots = slots.scatter(1, torch.where(observed, count, dummy), steps)
    last = torch.gather(slots, 1, count)
    filled = torch.gather(torch.where(observed, X, torch.zeros_like(X)), 1, last.clamp(min=0))
    filled = torch.where(last >= 0, filled, torch.zeros_like(filled))
    return filled, observed.to(X.dtype)


@contextmanager
def _exportable_carry_forward() -> Iterator[None]:
    from . import _module

    original = getattr(_module, "carry_forward", None)
    if original is None:
        yield
        return
    _module.carry_forward = _carry_forward_exportable
    try:
        yield
    finally:
        _module.carry_forward = original


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
    :class:`RNNRegressor` (float64, in the units of the training targets),
    ``predict_quantiles`` for :class:`RNNForecaster` (float64). Batch size and
    (except for the forecaster) sequence length are free (symbolic) axes.

    Parameters
    ----------
    estimator : RNNClassifier, RNNRegressor or RNNForecaster
        A fitted estimator. A forecaster must have been fitted on one series
        without exogenous ``X`` (see Notes).
    path : str or path-like, default=None
        File to write. None writes nothing and only returns the model.
    lengths : bool, default=True
        Whether the graph takes a second input ``lengths`` (int64, shape
        ``(batch,)``) with the number of observed steps of each zero-padded
        sequence, so that ragged batches give the same results as a list of
        unequal-length sequences passed to the estimator. For equal-length
        batches pass the full length for every row. With ``lengths=False`` the
        graph takes ``X`` only and reads every sequence to its end, which is
        only right for equal-length batches. Ignored for a forecaster, whose
        window has a fixed length.
    opset_version : int, default=17
        ONNX opset of the graph.

    Returns
    -------
    model : onnx.ModelProto
        The exported model (also written to ``path`` when given).

    Notes
    -----
    Inputs of a classifier's or regressor's graph:

    - ``X``: float32 of shape ``(batch, time, n_features)``, or ``(batch, time)``
      when the estimator was fitted on a 2D table of univariate sequences;
      with ``missing="mask"`` it may hold NaN, handled as by the estimator;
    - ``lengths`` (when ``lengths=True``): int64 of shape ``(batch,)``, each in
      ``[1, time]``. ONNX inputs have one fixed type: onnxruntime answers other
      integer types (int32, the default of some platforms and of Java/C#
      clients) with a bare ``INVALID_ARGUMENT ... Unexpected input data type``;
      cast them first (``lengths.astype(np.int64)``).

    Output: ``probabilities`` ``(batch, n_classes)`` in the order of
    ``classes_`` (take ``classes_[argmax]`` for labels), or ``predictions``
    ``(batch,)`` / ``(batch, n_outputs)``.

    For :class:`RNNForecaster` the input is ``y_window``, float32 of shape
    ``(batch, window_length_, n_columns)``: the last ``window_length_``
    observations of the series in its own units (repeat the first value in
    front of a shorter history, as the forecaster does). The output
    ``quantiles`` ``(batch, horizon_, n_columns, n_quantiles)`` holds the
    forecasts of steps ``1..horizon_`` at the levels ``quantile_levels_``; the
    level 0.5 is ``predict``'s point forecast. The series' log transform and
    scaling are in the graph. Panels (several series, each with its own
    scaling) and exogenous ``X`` are not exported.

    The export uses torch's TorchScript-based exporter
    (``torch.onnx.export(..., dynamo=False)``): the ``torch.export``-based
    exporter fixes the sequence length to the example's. TorchScript files
    are not offered: ``torch.jit`` is deprecated in the torch versions this
    package supports; ``torch.onnx`` and onnxruntime are the supported route.

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
    >>> X_new = rng.normal(size=(3, 9, 2)).astype(np.float32)  # another length
    >>> (proba,) = session.run(None, {"X": X_new, "lengths": np.full(3, 9)})
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
    spec = _export_spec(estimator)
    takes_lengths = bool(lengths) and spec.takes_lengths
    dynamic_axes = {spec.input_name: {0: "batch", 1: "time"} if spec.dynamic_time else {0: "batch"}}
    dynamic_axes[spec.output_name] = {0: "batch"}
    input_names = [spec.input_name]
    args: tuple = (spec.example,)
    if takes_lengths:
        # Unequal example lengths so the trace keeps the per-sequence reading of ragged batches.
        n_steps = spec.example.shape[1]
        args = (spec.example, torch.tensor([n_steps, n_steps - 1], dtype=torch.int64))
        input_names.append("lengths")
        dynamic_axes["lengths"] = {0: "batch"}

    buffer = io.BytesIO()
    with warnings.catch_warnings(), _exportable_carry_forward():
        # The tracer's notes on LSTM batch sizes and Python control flow do not apply:
        # the graph is checked at several batch sizes and lengths in the test suite.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            spec.graph,
            args,
            buffer,
            dynamo=False,
            input_names=input_names,
            output_names=[spec.output_name],
            dynamic_axes=dynamic_axes,
            opset_version=opset_version,
        )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model)
    if path is not None:
        onnx.save(model, os.fspath(path))
    return model
