"""Export a fitted estimator's network, with its input scaling and output transform, to ONNX."""

from __future__ import annotations

import io
import os
import warnings
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import torch

from ._data import float32_rounding
from ._networks.heads import InferenceGraph
from ._persistence import held_estimator
from ._runtime import float32_default

__all__ = ["to_onnx"]

#: Opset used by default; the legacy exporter writes LSTM/GRU/RNN as single ONNX nodes from opset 7 on.
DEFAULT_OPSET = 17
MIN_OPSET = 12  # opset 11's Clip on int64 (the lengths) is refused by onnxruntime


def _inference_graph(estimator: Any) -> InferenceGraph:
    """The graph the estimator declares for export (each builds its own: network, head, example)."""
    build = getattr(estimator, "_inference_graph", None)
    if build is None:
        raise TypeError(
            "to_onnx expects a fitted RNNClassifier, RNNRegressor or RNNForecaster, got "
            f"{type(estimator).__name__}. {_what_to_export(estimator)}"
        )
    return build()


def _what_to_export(estimator: Any) -> str:
    """The fix for a wrapper of an exportable estimator (a search, a pipeline, a target transform)."""
    where = held_estimator(estimator, lambda inner: hasattr(inner, "_inference_graph"))
    if where in ("best_estimator_", "best_forecaster_"):
        return f"Export the search's fitted {where}: to_onnx(search.{where})."
    if where == "steps_":
        return (
            "Export its fitted last step, to_onnx(pipeline.steps_[-1][1]); the pipeline's transformers "
            "are not in the graph: apply them yourself (to y in a TransformedTargetForecaster, to X in a "
            "ForecastingPipeline)."
        )
    if where == "steps":
        return (
            "Export its last step, to_onnx(pipeline[-1]); the steps before it are not in the graph: "
            "apply them to X yourself (pipeline[:-1].transform(X)) before running it."
        )
    if where == "regressor_":
        return (
            "Export its fitted regressor_, to_onnx(model.regressor_); the target's transform is not "
            "in the graph: apply model.transformer_.inverse_transform to the graph's outputs."
        )
    for best in ("best_estimator_", "best_forecaster_"):  # a search over a pipeline
        found = getattr(estimator, best, None)
        if found is not None and (fix := _what_to_export(found)) != _NOTHING_TO_EXPORT:
            return f"The search's {best} is a {type(found).__name__}. {fix}"
    return _NOTHING_TO_EXPORT


_NOTHING_TO_EXPORT = "Fit one of them and pass it."


def _warn_rounded_levels(estimator: Any) -> None:
    """Warn where float32 input rounds a feature by more than 1% of its spread (its level dwarfs it).

    A forecaster's graph reads the series' own values (its columns' largest
    magnitude and their deviation in ``fit``'s data).
    """
    history = getattr(estimator, "_y_hist", None)
    if history is not None:
        values = history.to_numpy(dtype=np.float64)
        level, spread = np.nanmax(np.abs(values), axis=0), np.nanstd(values, axis=0)
        what, where, names = "Columns", "y_window", history.columns
    else:
        level = getattr(estimator, "_x_level", None)
        if level is None:
            return
        spread = estimator.net_.module_.x_scale.double().cpu().numpy()
        what, where, names = "Features", "X", pd.RangeIndex(len(level))
    rounding, rounded = float32_rounding(level, spread)
    if len(rounded):
        warnings.warn(
            f"{what} {names[rounded].tolist()} lie at levels {level[rounded].tolist()} where float32, this "
            f"graph's input type, rounds values in steps of {rounding[rounded].tolist()}, over 1% of "
            f"their spread {spread[rounded].tolist()}: their changes would be lost before the graph "
            f"reads them. Export with input_dtype='float64' and feed it float64 {where}.",
            UserWarning,
            stacklevel=3,
        )


def to_onnx(
    estimator: Any,
    path: str | os.PathLike | None = None,
    *,
    lengths: bool = True,
    opset_version: int = DEFAULT_OPSET,
    input_dtype: str = "float32",
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
        ONNX opset of the graph: 12 or above (opset 11's graph is not valid
        for onnxruntime), up to the highest the installed torch writes.
    input_dtype : {"float32", "float64"}, default="float32"
        Type of the graph's ``X`` (or ``y_window``). A classifier or regressor
        moves each feature by its reference level before the float32 network
        (see the input formats page); "float64" does that in float64, as
        ``predict`` does on float64 input, so that a feature whose level dwarfs
        its changes (a meter at 1e8 moving by 1) keeps them. With "float32",
        ``to_onnx`` warns when float32 would round a feature's values (a
        forecaster's: a column of its series, at a level such as a meter's
        1e10) by more than 1% of its spread.

    Returns
    -------
    model : onnx.ModelProto
        The exported model (also written to ``path`` when given).

    Notes
    -----
    Inputs of a classifier's or regressor's graph:

    - ``X``: float32 (or ``input_dtype``) of shape ``(batch, time, n_features)``, or ``(batch, time)``
      when the estimator was fitted on a 2D table of univariate sequences;
      with ``missing="mask"`` it may hold NaN, handled as by the estimator;
    - ``lengths`` (when ``lengths=True``): int64 of shape ``(batch,)``, each in
      ``[1, time]``; a row whose length lies outside gets NaN outputs. ONNX
      inputs have one fixed type: onnxruntime answers other integer types
      (int32, the default of some platforms and of Java/C# clients) with a bare
      ``INVALID_ARGUMENT ... Unexpected input data type``; cast them first
      (``lengths.astype(np.int64)``).

    Output: ``probabilities`` ``(batch, n_classes)`` in the order of
    ``classes_`` (take ``classes_[argmax]`` for labels), or ``predictions``
    ``(batch,)`` / ``(batch, n_outputs)``.

    For :class:`RNNForecaster` the input is ``y_window``, float32 of shape
    ``(batch, window_length_, n_columns)``: the last ``window_length_``
    observations of the series in its own units (repeat the first value in
    front of a shorter history, as the forecaster does); where the forecaster
    also reads its smoothing fitted to the whole series
    (``series_smoothing_``), the last ``max(window_length_,
    series_smoothing_length_)`` observations, of which the last
    ``series_smoothing_length_`` must be real ones (the forecaster never pads
    what that smoothing reads; a fitted series holds that many). The output
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
    highest = int(getattr(getattr(torch.onnx, "_constants", None), "ONNX_MAX_OPSET", DEFAULT_OPSET))
    if (
        not isinstance(opset_version, Integral)
        or isinstance(opset_version, bool)
        or not MIN_OPSET <= opset_version <= highest
    ):
        raise ValueError(
            f"opset_version must be an integer from {MIN_OPSET} to {highest}, got {opset_version!r}: below "
            f"{MIN_OPSET} the graph's integer clipping is not valid ONNX for onnxruntime, above {highest} "
            f"torch {torch.__version__} cannot write it. The default, {DEFAULT_OPSET}, runs on onnxruntime."
        )
    if input_dtype not in ("float32", "float64"):
        raise ValueError(f"input_dtype must be 'float32' or 'float64', got {input_dtype!r}.")
    with float32_default():  # the graph's own tensors (examples, scaling) as the network's
        spec = _inference_graph(estimator)
        if input_dtype == "float32":
            _warn_rounded_levels(estimator)
        else:
            spec.example = spec.example.double()
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
        with warnings.catch_warnings():
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
