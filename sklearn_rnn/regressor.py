"""Recurrent network regressor."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import _check_sample_weight, check_array

from ._base import BaseRNNEstimator
from ._data import holds_text, positions, refuse_misaligned_y, unmasked
from ._docs import with_shared_parameters
from ._networks.heads import TargetUnits
from ._runtime import user_stacklevel
from ._scaling import column_statistics, rounding_scaled
from ._training import restored_on_error

__all__ = ["RNNRegressor"]


@with_shared_parameters
class RNNRegressor(RegressorMixin, BaseRNNEstimator):
    """Recurrent neural network regressor for sequences (RNN, LSTM or GRU).

    Takes the same parameters as :class:`RNNClassifier` (without ``class_weight`` and
    ``augmentation``).
    Targets are standardised with statistics of the training data for
    training, and predictions are returned in the original units. Several
    targets (``y`` of shape ``(n_samples, n_outputs)``) share one network.

    Parameters
    ----------
    {shared parameters}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network.
    loss_curve_ : list of float
        Training loss (on standardised targets) at each epoch.
    validation_loss_curve_ : list of float or None
        Validation loss at each epoch when ``early_stopping=True``.
    n_iter_ : int
        Number of epochs run, over every fit since the last cold start (a
        ``warm_start`` fit adds its own, as scikit-learn's MLP counts).
    n_networks_ : int
        Number of networks trained and averaged (``n_networks`` resolved).
    fcn_dilations_ : tuple of int
        Dilations of the first convolutional block (``fcn_dilations`` resolved).
    head_hidden_size_ : int or None
        Hidden units before the output layer, None for a linear one
        (``head_hidden_size`` resolved).
    n_outputs_ : int
        Number of regression targets.
    y_mean_ : ndarray of shape (`n_outputs_`,)
        Mean of the training targets.
    y_scale_ : ndarray of shape (`n_outputs_`,)
        Standard deviation of the training targets; where a target is constant,
        the largest spread a constant has (8 float64 roundings of its mean, at
        least the smallest normal float), which marks it constant: its prediction
        is that constant exactly.
    n_features_in_ : int
        Features per time step, or the number of columns of a 2D ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    RNNClassifier : The same network for classification.

    Notes
    -----
    The default architecture, its published origin and the deviations from it
    are described in the Notes of :class:`RNNClassifier`;
    :data:`sklearn_rnn.presets.PRESETS` holds the alternatives.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 10, 2))
    >>> y = 1000 + 50 * X[:, :, 0].sum(axis=1)
    >>> reg = RNNRegressor(max_epochs=30, n_networks=1, random_state=0).fit(X[:200], y[:200])
    >>> bool(reg.score(X[200:], y[200:]) > 0.9)  # R^2 on sequences it has not seen
    True
    """

    _output_name = "predictions"
    _auto_head = 64
    _required_fitted = frozenset({"_y_1d", "y_mean_", "y_scale_"})

    def _network_outputs(self) -> dict[str, int]:
        return {"n_features": self._n_channels, "n_outputs": self.n_outputs_}

    def _criterion(self) -> type[torch.nn.Module]:
        return torch.nn.MSELoss

    @_fit_context(prefer_skip_nested_validation=True)
    @restored_on_error
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RNNRegressor:
        """Train the network on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss, relative to the whole training
            set whatever batch the sequence falls in (0 leaves it out, 2 counts
            it twice).

        Returns
        -------
        self : RNNRegressor
            The fitted regressor.
        """
        reset = not (self.warm_start and hasattr(self, "net_"))
        seqs = self._validate_X(X, reset=reset, sample_weight=sample_weight)
        self._check_y_given(X, y, sample_weight)
        y = _numeric_targets(y)
        unusable = ~np.isfinite(y.reshape(len(y), -1)).all(axis=1)
        if unusable.any():
            raise ValueError(
                f"y has missing or infinite targets (NaN, pd.NA or inf) for {int(unusable.sum())} of "
                f"{len(y)} sequences, at {positions(unusable)}. Every sequence needs a finite target: "
                "drop those sequences from X and y, or fill in their targets."
            )
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D (n_samples, n_outputs), got {y.ndim} dimensions.")
        self._check_y_length(len(seqs.lengths), y)
        y2d = y.reshape(len(y), -1)
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(sample_weight, y2d, dtype=np.float64, ensure_non_negative=True)
        if reset:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = y2d.shape[1]
            # a sequence of weight 0 is left out of the target's scaling as of the loss
            self.y_mean_, self.y_scale_ = column_statistics(y2d, weight, constant_scale="rounding")
        elif y2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2d.shape[1]} outputs, but the warm-started model has {self.n_outputs_}."
            )
        else:  # a target constant so far was learnt as 0 whatever its scale: take the new one's
            constant = self._constant_targets()
            if constant.any():
                mean, scale = column_statistics(y2d, weight, constant_scale="rounding")
                self.y_mean_ = np.where(constant, mean, self.y_mean_)
                self.y_scale_ = np.where(constant, scale, self.y_scale_)
        if not reset and (y.ndim == 1) != self._y_1d:
            warnings.warn(
                f"y is {'1D' if y.ndim == 1 else '2D'}, but the warm-started model was first fitted on "
                f"{'1D' if self._y_1d else '2D'} y, whose shape its predictions keep. Set "
                "warm_start=False to train a model whose predictions have this y's shape.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        # halved first (exactly): y - mean overflows for targets of opposite signs near 1e308
        exact = (y2d / 2 - self.y_mean_ / 2) / self.y_scale_ * 2
        target = exact.astype(np.float32)
        _warn_rounded_targets(exact)
        self._fit_net(seqs, target, weight, n_outputs=self.n_outputs_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets of each sequence, in the units of the training targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions.
        """
        return self._forward(X, lambda out: self._head()(out).numpy())

    def _constant_targets(self) -> np.ndarray:
        """Which outputs were constant in training: scaled by a rounding of themselves (``y_scale_``)."""
        return rounding_scaled(self.y_scale_, self.y_mean_)

    def _head(self) -> TargetUnits:
        return TargetUnits(self.y_mean_, self.y_scale_, ravel=self._y_1d)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Coefficient of determination R^2 of the predictions for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``.
        """
        refuse_misaligned_y(X, y, sample_weight)
        predicted = self.predict(X)  # X checked first: the message for an empty X is X's
        y = _numeric_targets(y)
        if not (finite := np.isfinite(y.reshape(len(y), -1)).all(axis=1)).all():
            raise ValueError(
                f"y passed to score has missing or infinite targets (NaN, pd.NA or inf) for "
                f"{int((~finite).sum())} of {len(y)} sequences, at {positions(~finite)}: score the "
                "sequences whose targets are finite, e.g. y = np.asarray(y, dtype=float); keep = "
                f"np.isfinite(y){'.all(axis=1)' * (y.ndim > 1)}; model.score(X[keep], y[keep]) (a list "
                "of sequences: [x for x, k in zip(X, keep) if k]; sample_weight[keep] where given)."
            )
        self._check_y_length(len(predicted), y)
        # R^2 is the same in units of y_scale_, where targets up to 1e308 square without overflow
        # (r2_score takes y of shape (n,) against predictions (n, 1), and refuses other mismatches itself)
        if (y.ndim == 2 and y.shape[1] == self.n_outputs_) or (y.ndim == 1 and self.n_outputs_ == 1):
            # a constant target's scale is a rounding of it: its magnitude (or 1 at 0) is the unit
            constant = self._constant_targets()
            scale = np.where(constant, np.where(self.y_mean_ != 0, np.abs(self.y_mean_), 1.0), self.y_scale_)
            unit = lambda a: a / (scale if a.ndim == 2 else scale[0])  # noqa: E731
            y, predicted = unit(y), unit(predicted)
        return float(r2_score(y, predicted, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _numeric_targets(y: Any) -> np.ndarray:
    """``y`` as float64 numbers (NaN and inf kept for the caller); dates, durations and text refused."""
    y = unmasked(y)  # masked targets are missing, not their fill values
    try:
        array = np.asarray(y)
    except ValueError as error:  # numpy's "inhomogeneous shape" names neither y nor the fix
        sizes = sorted({np.size(target) for target in y})
        if len(sizes) == 1:  # the same size, nested unevenly ([[1.0], 2.0, ...])
            raise ValueError(
                f"y nests its targets unevenly (each holds {sizes[0]} value(s), some as numbers, some "
                "in lists or arrays). Pass y of shape (n_samples,) or (n_samples, n_outputs), e.g. "
                "y = np.array([np.ravel(target) for target in y])."
            ) from error
        raise ValueError(
            f"y holds targets of unequal sizes ({', '.join(map(str, sizes[:5]))} values a "
            "sequence); RNNRegressor predicts the same number of outputs for every sequence. Pass "
            "y of shape (n_samples,) or (n_samples, n_outputs), or, where some sequences lack an "
            "output, fit one model per output on the sequences that have it."
        ) from error
    dtypes = list(y.dtypes) if isinstance(y, pd.DataFrame) else [getattr(y, "dtype", array.dtype)]
    if times := [str(d) for d in dtypes if getattr(d, "kind", None) in ("M", "m")]:  # read as counts
        raise TypeError(
            f"y holds dates or durations ({', '.join(sorted(set(times)))}); RNNRegressor predicts "
            "numbers, and read as numbers their values would be counts of their unit. Convert them "
            "to numbers in a unit of your choice, e.g. (y - start) / pd.Timedelta('1D') or "
            "y.dt.total_seconds(), and convert the predictions back."
        )
    if holds_text(array):  # check_array would parse numeric text silently
        raise ValueError(
            "y must hold numbers, but it holds text. Convert numeric text explicitly (e.g. "
            "y.astype(float)); for labels, use RNNClassifier."
        )
    if array.dtype == object:  # pd.NA or None among numbers: missing, as NaN (float() refuses pd.NA)
        y = np.where(pd.isna(array), np.nan, array)
    return check_array(
        y, ensure_2d=False, allow_nd=True, dtype=np.float64, ensure_all_finite=False, input_name="y"
    )


def _warn_rounded_targets(exact: np.ndarray) -> None:
    """Warn where float32's spacing at the median of standardised targets ``exact`` (n, k) is over 1%
    of their typical distance from it.

    A few targets far from the rest (a sentinel 1e10 among hours) set the mean and
    the standard deviation, and the others then differ by less than float32 tells apart.
    """
    median = np.median(exact, axis=0)
    spread = np.median(np.abs(exact - median), axis=0)  # (k,): robust, the bulk's
    spacing = np.abs(np.spacing(median.astype(np.float32))).astype(np.float64)
    lost = np.flatnonzero((spread > 0) & (spacing > 0.01 * spread))
    if len(lost):
        warnings.warn(
            f"Standardised by the mean and standard deviation of y, the targets of output(s) "
            f"{lost.tolist()} lie within fewer than 100 of float32's steps (the network trains in "
            "float32) of their median, in their typical distance from it, so float32 rounds them "
            "coarsely. A few targets far from the rest (a sentinel value, another unit) set the scale; "
            "check y for them, or train on a transform that draws them in (e.g. "
            "TransformedTargetRegressor with np.log1p).",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
