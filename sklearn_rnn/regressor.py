"""Recurrent network regressor."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils.validation import _check_sample_weight, check_array

from ._base import BaseRNNEstimator
from ._scaling import column_statistics

__all__ = ["RNNRegressor"]


class RNNRegressor(RegressorMixin, BaseRNNEstimator):
    """Recurrent neural network regressor for sequences (RNN, LSTM or GRU).

    Takes the same parameters as :class:`RNNClassifier` (without ``class_weight``).
    Targets are standardised with statistics of the training data for
    training, and predictions are returned in the original units. Several
    targets (``y`` of shape ``(n_samples, n_outputs)``) share one network.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: Elman RNN (tanh), LSTM or GRU. With an FCN
        architecture it is the cell of the recurrent branch (``"gru"`` gives
        GRU-FCN).
    hidden_size : int, default=16
        Hidden units per direction and layer (the LSTM-FCN paper uses 8 LSTM
        cells, as the ``"lstm-fcn-paper"`` preset does; use more, e.g. 64, with
        ``architecture="rnn"``).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.8
        Dropout on the recurrent summary before the output layer (0.8 as in
        LSTM-FCN) and between stacked layers. Use less (e.g. 0.0) with
        ``architecture="rnn"``.
    pooling : {"last", "mean", "attention"}, default="last"
        How the recurrent branch summarises what it reads: final state of each
        direction, mean of the top layer's outputs over observed steps, or
        attention over them.
    architecture : {"lstm-fcn", "mlstm-fcn", "rnn"}, default="lstm-fcn"
        "lstm-fcn": the recurrent branch beside a fully convolutional branch
        (three Conv1d blocks with kernels 8, 5 and 3, batch norm and ReLU, then
        global average pooling over the observed steps), as in LSTM-FCN
        (Karim et al., 2017). "mlstm-fcn": the same with squeeze-and-excitation
        after the first two blocks, as in MLSTM-FCN (Karim et al., 2019).
        "rnn": the recurrent network alone. See Notes.
    dimension_shuffle : bool, default=True
        With an FCN architecture, whether the recurrent branch reads the series
        transposed, as in the papers: ``n_features`` steps of ``n_timesteps``
        values (a univariate series is one step). False makes it read the time
        steps. Ignored by ``architecture="rnn"``.
    fcn_filters : tuple of 3 int, default=(32, 64, 32)
        Channels of the three convolutional blocks; the papers use
        (128, 256, 128), about 15 times the compute.
    missing : {"error", "mask"}, default="error"
        What a NaN inside ``X`` means. "error": a ValueError. "mask": a missing
        value; the network gets each feature carried forward from its last
        observation (the training mean before the first one) plus one
        observed/missing indicator channel per feature. Infinite values are
        always an error.
    max_epochs : int, default=100
        Number of passes over the training data (fewer with early stopping).
    batch_size : int, default=16
        Sequences per gradient step, and per forward pass at predict time.
    lr : float, default=5e-3
        Initial learning rate.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, default="adamw"
        Optimizer; further arguments go through ``net_kwargs``.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        Cosine annealing of the learning rate to zero over ``max_epochs``, or none.
    gradient_clip_value : float or None, default=1.0
        Largest gradient norm per step; None disables clipping.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its loss stalls
        for ``n_iter_no_change`` epochs, and restore the best weights.
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an improvement.
    warm_start : bool, default=False
        Continue training the fitted network on the next call to ``fit``.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout, shuffling and the validation split.
    device : str, default="cpu"
        Torch device: "cpu", "cuda", "cuda:1", ... or "auto".
    n_threads : int or None, default=1
        Torch CPU threads during ``fit`` and ``predict``, restored afterwards.
    verbose : int, default=0
        What ``fit`` prints to standard output. 0: nothing. 1: a progress bar
        over the epochs (tqdm) with the latest training and validation loss and
        the time left, then a summary line. 2 or more: one line per epoch
        (epoch, train_loss, valid_loss when there is a validation split, the
        learning rate, the duration, and ``*`` on an epoch whose monitored loss
        is the lowest so far), then why training stopped early and which
        epoch's weights were restored, then the summary (epochs run, best epoch
        and its loss, total time). The last epoch is always shown; plain text,
        no colour codes.
    callbacks : list of skorch callbacks, default=None
        Extra skorch callbacks.
    net_kwargs : dict, default=None
        Further arguments passed verbatim to the skorch ``NeuralNet``.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained network.
    loss_curve_ : list of float
        Training loss (on standardised targets) at each epoch.
    validation_loss_curve_ : list of float or None
        Validation loss at each epoch when ``early_stopping=True``.
    n_iter_ : int
        Number of epochs run.
    n_outputs_ : int
        Number of regression targets.
    y_mean_ : ndarray of shape (`n_outputs_`,)
        Mean of the training targets.
    y_scale_ : ndarray of shape (`n_outputs_`,)
        Standard deviation of the training targets (1 where constant).
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
    >>> X = rng.normal(size=(200, 10, 2))
    >>> y = 1000 + 50 * X[:, :, 0].sum(axis=1)
    >>> reg = RNNRegressor(max_epochs=50, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.9)
    True
    """

    def _criterion(self) -> type[torch.nn.Module]:
        return torch.nn.MSELoss

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RNNRegressor:
        """Train the network on sequences ``X`` and targets ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Training sequences.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss.

        Returns
        -------
        self : RNNRegressor
            The fitted regressor.
        """
        reset = not (self.warm_start and hasattr(self, "net_"))
        seqs = self._validate_X(X, reset=reset)
        self._check_y_given(y)
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64, input_name="y")
        if y.ndim > 2:
            raise ValueError(f"y must be 1D or 2D (n_samples, n_outputs), got {y.ndim} dimensions.")
        self._check_y_length(len(seqs.lengths), y)
        y2d = y.reshape(len(y), -1)
        if reset:
            self._y_1d = y.ndim == 1
            self.n_outputs_ = y2d.shape[1]
            self.y_mean_, self.y_scale_ = column_statistics(y2d)
        elif y2d.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2d.shape[1]} outputs, but the warm-started model has {self.n_outputs_}."
            )
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(sample_weight, y2d, dtype=np.float64, ensure_non_negative=True)
            weight = weight.astype(np.float32)
        target = ((y2d - self.y_mean_) / self.y_scale_).astype(np.float32)
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
        out = self._forward(X).double().numpy() * self.y_scale_ + self.y_mean_
        return out.ravel() if self._y_1d else out

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
        predicted = self.predict(X)
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        self._check_y_length(len(predicted), y)
        # R^2 is the same in units of y_scale_, where targets up to 1e308 square without overflow
        if y.shape == predicted.shape:  # otherwise r2_score refuses the shapes in its own words
            scale = self.y_scale_ if predicted.ndim == 2 else self.y_scale_[0]
            y, predicted = y / scale, predicted / scale
        return float(r2_score(y, predicted, sample_weight=sample_weight))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
