"""Recurrent network classifier."""

from __future__ import annotations

import warnings
from numbers import Number
from typing import Any

import numpy as np
import pandas as pd
import torch
from scipy import sparse
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _check_sample_weight, column_or_1d
from skorch.callbacks import BatchScoring, EpochScoring

from ._base import BaseRNNEstimator
from ._callbacks import WindowWarp
from ._data import mixed_strings, positions, refuse_misaligned_y
from ._docs import with_shared_parameters
from ._networks.heads import Probabilities
from ._runtime import user_stacklevel
from ._training import restored_on_error

__all__ = ["RNNClassifier"]


def _check_no_missing_labels(y: Any) -> None:
    """Refuse ``y`` with missing labels (None, NaN, pd.NA, NaT): no class to give them, no fix to guess.

    ``y`` is 1D (one label per sequence) or 2D (a row of labels per
    sequence); a ragged list is left to :func:`type_of_target` to refuse.
    """
    try:
        labels = np.asarray(y, dtype=object)
    except ValueError:
        return
    missing = np.asarray(pd.isna(labels), dtype=bool)
    if isinstance(y, np.ma.MaskedArray):  # masked labels are missing, whatever value lies under them
        missing |= np.ma.getmaskarray(y)
    if missing.ndim == 2:
        missing = missing.any(axis=1)
    if missing.any():
        raise ValueError(
            f"y has missing labels (None, NaN or pd.NA) for {int(missing.sum())} of {len(missing)} "
            f"sequences, at {positions(missing)}. Every sequence needs a label: drop those sequences "
            "from X and y, or fill in their labels."
        )


def _refuse_scorer_names(callbacks: list | None) -> None:
    """Refuse skorch's scoring callbacks given scikit-learn's scoring: they would fail after an epoch.

    skorch scores the trained network, whose outputs are logits, against the
    labels' indices (0/1 columns for multi-label y); scikit-learn's scorers
    and metric functions (which skorch turns into scorers) read neither.
    """
    for callback in callbacks or []:
        callback = callback[1] if isinstance(callback, tuple) else callback
        scores = isinstance(callback, (EpochScoring, BatchScoring))
        scoring = getattr(callback, "scoring", None) if scores else None
        metric = callable(scoring) and getattr(scoring, "__module__", "").startswith("sklearn.metrics")
        if isinstance(scoring, str) or hasattr(scoring, "_score_func") or metric:
            raise ValueError(
                f"callbacks holds skorch's {type(callback).__name__} with scoring={scoring!r}, "
                "scikit-learn's scoring. skorch scores the network RNNClassifier trains, whose outputs "
                "are logits, against the labels' indices, which scikit-learn's scorers cannot read. Pass a "
                "function of them, "
                "e.g. EpochScoring(lambda net, X, y: (net.predict(X).argmax(axis=1) == y).mean(), "
                "name='valid_acc', lower_is_better=False); for multi-label y, ((net.predict(X) > 0) == y)."
                "mean()."
            )


def _check_one_label_type(y: np.ndarray) -> None:
    """Refuse an object ``y`` (no missing labels) that mixes strings with labels of other types."""
    text = mixed_strings(y.tolist())
    if text is not None:
        first_text, first_other = y[np.argmax(text)], y[np.argmax(~text)]
        raise ValueError(
            f"y mixes string labels with labels of other types, e.g. {first_text!r} (str) at position "
            f"{int(np.argmax(text))} and {first_other!r} ({type(first_other).__name__}) at "
            f"{positions(~text)}; labels must be all strings or all numbers. Convert them first, "
            "e.g. y.astype(str)."
        )


# "auto" warps the training batches of fewer sequences than this (the user guide's accuracy page:
# it gained on the suite's sets of 36 to 67 training sequences, lost on ACSF1's 100 and PLAID's 537)
WARP_BELOW = 100


@with_shared_parameters
class RNNClassifier(ClassifierMixin, BaseRNNEstimator):
    """Recurrent neural network classifier for sequences (RNN, LSTM or GRU).

    Parameters
    ----------
    {shared parameters}
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss; "balanced" weighs them inversely to
        their frequency. Multiplies ``sample_weight``. Not defined for
        multi-label ``y`` (an error): weigh sequences with ``sample_weight``.
    augmentation : {"auto", "window-warp"} or None, default="auto"
        What varies the training batches. "window-warp": in each sequence of
        a batch with probability 1/2 (half of them on average), a window of a
        tenth of the observed steps is sped up or slowed down by 2 and the
        sequence resampled to its length (window warping), drawn from the
        fit's seed. "auto": window warping where the
        classifier trains on fewer than 100 sequences (of positive weight; the
        ones early stopping holds out do not count),
        none otherwise (a rule of the data's size: it gained on the smallest
        sets and lost on larger ones; the user guide's accuracy page has the
        figures). None: the batches as they are. Sequences of fewer than 10
        steps, or holding NaN (``missing="mask"``), are never warped, and
        prediction reads every sequence as it is.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels; with multi-label ``y``, the label indices
        ``0, ..., n_labels - 1`` (as :class:`~sklearn.neural_network.MLPClassifier`).
    net_ : skorch.NeuralNet
        The trained network; ``net_.module_`` is the torch module and
        ``net_.history`` the full training history.
    loss_curve_ : list of float
        Training loss at each epoch.
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
    augmentation_ : str or None
        What varied the training batches (``augmentation`` resolved).
    n_features_in_ : int
        Features per time step, or the number of columns of a 2D ``X``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    RNNRegressor : The same network for regression.
    sklearn.neural_network.MLPClassifier : Feed-forward networks on tabular data.

    Notes
    -----
    ``X`` may be a 2D array ``(n_samples, n_timesteps)`` of univariate sequences,
    a 3D array ``(n_samples, n_timesteps, n_features)``, or a list of
    ``(n_timesteps_i, n_features)`` arrays of unequal lengths. Features are
    standardised inside the network with statistics of the training data.

    **Multi-label.** ``y`` of shape ``(n_samples, n_labels)`` holding 0/1
    indicator columns (several faults at once; ``MultiLabelBinarizer`` makes
    them from sets of label names) trains one sigmoid output per label with
    binary cross-entropy, as :class:`~sklearn.neural_network.MLPClassifier`
    does: ``predict`` returns an ``(n_samples, n_labels)`` 0/1 integer array
    (probability above 0.5), ``predict_proba`` each label's probability and
    ``score`` the subset accuracy (every label of a sequence right). Columns of
    other values (strings, several classes per column) are refused: wrap the
    classifier in :class:`~sklearn.multioutput.MultiOutputClassifier` for them.

    **Architectures.** The default is a compact LSTM-FCN that reads each
    sequence both as standardised by the training data and by its own mean and
    deviation, trained for a number of optimizer steps rather than of epochs;
    the procedure that chose these defaults on every data set sktime ships, and
    the table it produced, are in the user guide (:ref:`accuracy`).
    :data:`sklearn_rnn.presets.PRESETS` holds the paper-sized LSTM-FCN, the
    MLSTM-FCN and a plain recurrent network. Deviations from the papers: the
    convolutional widths default to (32, 64, 32) rather than (128, 256, 128); on
    sequences of 56 steps or more the first block's kernels are dilated as well
    (``fcn_dilations="auto"``), where the papers' read 8 steps; training runs
    AdamW with a cosine schedule and gradient clipping for at least 1000 steps
    and 100 epochs, rather than 2000 (LSTM-FCN) or 250 (MLSTM-FCN) epochs of
    Adam with a plateau schedule; the inputs are standardised inside the
    network; "same" zero padding and the global average pooling skip the padded
    steps of shorter sequences, so sequences of unequal length need no
    truncation (the papers pad every series to one length); with the dimension
    shuffle, sequences longer than the longest training sequence are
    average-pooled to that length for the recurrent branch (the convolutional
    branch reads them whole), so no step is dropped; the attention LSTM variants
    (ALSTM-FCN) are not implemented; MLSTM-FCN's masking layer is replaced by
    the padding masks.

    Examples
    --------
    >>> from sktime.datasets import load_basic_motions
    >>> from sklearn_rnn import RNNClassifier, from_sktime
    >>> X, y = load_basic_motions(split="train", return_X_y=True)
    >>> clf = RNNClassifier(max_epochs=30, random_state=0).fit(from_sktime(X), y)
    >>> clf.classes_.tolist()
    ['badminton', 'running', 'standing', 'walking']
    >>> clf.predict_proba(from_sktime(X)[:2]).shape
    (2, 4)
    """

    _parameter_constraints: dict = {
        **BaseRNNEstimator._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "augmentation": [StrOptions({"auto", "window-warp"}), None],
    }

    def __init__(
        self,
        *,
        cell: str = "lstm",
        hidden_size: int = 16,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.8,
        pooling: str = "last",
        architecture: str = "lstm-fcn",
        dimension_shuffle: bool = True,
        fcn_filters: tuple[int, ...] = (32, 64, 32),
        fcn_dilations: tuple[int, ...] | str = "auto",
        missing: str = "error",
        input_scaling: str = "both",
        n_networks: int | str = "auto",
        head_hidden_size: int | str | None = "auto",
        max_epochs: int | str = "auto",
        batch_size: int = 16,
        lr: float = 5e-3,
        optimizer: str | type = "adamw",
        lr_schedule: str = "cosine",
        gradient_clip_value: float | None = 1.0,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        warm_start: bool = False,
        class_weight: dict | str | None = None,
        augmentation: str | None = "auto",
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_threads: int | None = 1,
        verbose: int = 0,
        callbacks: list | None = None,
        net_kwargs: dict | None = None,
    ) -> None:
        super().__init__(
            cell=cell,
            hidden_size=hidden_size,
            num_layers=num_layers,
            bidirectional=bidirectional,
            dropout=dropout,
            pooling=pooling,
            architecture=architecture,
            dimension_shuffle=dimension_shuffle,
            fcn_filters=fcn_filters,
            fcn_dilations=fcn_dilations,
            missing=missing,
            input_scaling=input_scaling,
            n_networks=n_networks,
            head_hidden_size=head_hidden_size,
            max_epochs=max_epochs,
            batch_size=batch_size,
            lr=lr,
            optimizer=optimizer,
            lr_schedule=lr_schedule,
            gradient_clip_value=gradient_clip_value,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            warm_start=warm_start,
            random_state=random_state,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
            callbacks=callbacks,
            net_kwargs=net_kwargs,
        )
        self.class_weight = class_weight
        self.augmentation = augmentation

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.classifier_tags.multi_label = True
        return tags

    _output_name = "probabilities"
    _auto_head = None

    def _resolve_augmentation(self, n_train: int) -> None:
        if not (self.warm_start and hasattr(self, "net_")):
            auto = "window-warp" if n_train < WARP_BELOW else None
            self.augmentation_ = auto if self.augmentation == "auto" else self.augmentation
            return
        built = getattr(self, "augmentation_", None)  # training further keeps the network's batches
        if self.augmentation not in ("auto", built):  # refused before anything changes
            raise ValueError(
                "warm_start=True continues training the fitted network, but ['augmentation'] changed "
                f"since it was built (augmentation_={built!r}), and its training cannot take it. Restore "
                "it (or pass 'auto') or set warm_start=False to train a new network."
            )

    def _batch_callbacks(self, seed: int) -> list:
        """The augmentation of the training batches (``augmentation_``), drawn from ``seed``."""
        return [("augmentation", WindowWarp(seed))] if getattr(self, "augmentation_", None) else []

    def _network_outputs(self) -> dict[str, int]:
        return {"n_features": self._n_channels, "n_outputs": len(np.asarray(self.classes_))}

    def _criterion(self) -> type[torch.nn.Module]:
        # set by fit (and restored by load) before the network is built
        if getattr(self, "_multilabel", False):
            return torch.nn.BCEWithLogitsLoss
        return torch.nn.CrossEntropyLoss

    def _indicator_y(self, y: Any) -> np.ndarray | None:
        """``y`` as an int64 (n_samples, n_labels) 0/1 array when it is multi-label, else None.

        A single column is not multi-label (it is raveled with a warning, as
        scikit-learn does); other 2D targets are refused with the fix, and so
        are sets of label names, which scikit-learn called "a regression target".
        """
        listed = isinstance(y, (list, tuple)) or getattr(y, "ndim", None) == 1
        items = y if listed and pd.api.types.is_object_dtype(getattr(y, "dtype", object)) else None
        if items is not None and any(isinstance(v, (set, frozenset)) for v in items):
            example = next(v for v in items if isinstance(v, (set, frozenset)))
            raise ValueError(
                f"y holds sets of label names (e.g. {sorted(example, key=str)!r}), one per sequence: "
                f"multi-label targets, which {type(self).__name__} reads as 0/1 indicator columns. Make "
                "them first: mlb = sklearn.preprocessing.MultiLabelBinarizer(); Y = mlb.fit_transform(y); "
                "fit on Y, and read predictions as label sets with mlb.inverse_transform(clf.predict(X))."
            )
        two_d = sparse.issparse(y) or getattr(y, "ndim", None) == 2
        if not two_d and isinstance(y, (list, tuple)) and len(y) > 0:
            two_d = isinstance(y[0], (list, tuple, np.ndarray))
        if not two_d:
            return None
        if not sparse.issparse(y):  # sparse NaN: type_of_target's own error
            _check_no_missing_labels(y)
            try:
                values = np.asarray(y)
            except ValueError:  # ragged lists of label names: type_of_target's own error
                values = np.empty(0)
            if values.dtype == object and all(isinstance(v, (bool, np.bool_, Number)) for v in values.flat):
                y = values.astype(np.float64)  # numbers of mixed types (bool and int columns, Int64)
        try:  # refuses ragged lists (the legacy multi-label format)
            kind = type_of_target(y, input_name="y")
        except TypeError:  # numpy cannot sort text beside numbers: an id column left in y, say
            columns = (
                f"the columns {list(y.columns)}"
                if isinstance(y, pd.DataFrame)
                else f"{np.shape(y)[1]} columns"
            )
            raise ValueError(
                f"y has {columns}, which mix text and numbers: no labels "
                f"{type(self).__name__} reads. Pass one label per sequence, the label column alone, "
                "y of shape (n_samples,) in the order of X's sequences (an id column is no label), or "
                "multi-label 0/1 indicator columns."
            ) from None
        if kind in ("binary", "multiclass"):  # one column
            return None
        Y = y.toarray() if sparse.issparse(y) else np.asarray(y)
        if kind != "multilabel-indicator" or not np.isin(Y, (0, 1)).all():
            raise ValueError(
                f"y has shape {Y.shape} with values {np.unique(Y)[:5].tolist()}, not 0/1 indicator columns. "
                f"{type(self).__name__} takes one label per sequence, y of shape (n_samples,), or "
                "multi-label 0/1 indicator columns, y of shape (n_samples, n_labels). Turn sets of "
                "label names into indicator columns with sklearn.preprocessing.MultiLabelBinarizer; "
                "for several multi-class outputs wrap the classifier in "
                "sklearn.multioutput.MultiOutputClassifier."
            )
        return Y.astype(np.int64)

    @_fit_context(prefer_skip_nested_validation=True)
    @restored_on_error
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> RNNClassifier:
        """Train the network on sequences ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Training sequences (see Notes of the class).
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (strings or integers), or 0/1 indicator columns of a
            multi-label task (see Notes of the class).
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sequence in the loss, relative to the whole training
            set whatever batch the sequence falls in (0 leaves it out, 2 counts
            it twice).

        Returns
        -------
        self : RNNClassifier
            The fitted classifier.
        """
        _refuse_scorer_names(self.callbacks)
        reset = not (self.warm_start and hasattr(self, "net_"))
        seqs = self._validate_X(X, reset=reset, sample_weight=sample_weight)
        self._check_y_given(X, y, sample_weight)
        Y = self._indicator_y(y)
        multilabel = Y is not None
        if not reset and multilabel != getattr(self, "_multilabel", False):
            kinds = ("single-label", "multi-label")
            raise ValueError(
                f"warm_start=True continues the {kinds[not multilabel]} model of the first fit, but "
                f"this y is {kinds[multilabel]}. Set warm_start=False to train a new model."
            )
        if multilabel:
            return self._fit_multilabel(seqs, Y, sample_weight, reset)
        _check_no_missing_labels(y)  # before column_or_1d, which drops a masked array's mask
        try:  # the labels as given: column_or_1d turns a list ["a", 1] into the strings "a" and "1"
            given = y if isinstance(y, np.ndarray) else np.asarray(y, dtype=object)
        except ValueError:
            given = None  # column_or_1d says what is wrong
        y = column_or_1d(y, warn=True)
        self._check_y_length(len(seqs.lengths), y)
        if given is not None and given.dtype == object:
            _check_one_label_type(given.ravel())
        check_classification_targets(y)
        classes, y_encoded = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"RNNClassifier needs samples of at least 2 classes in the data, but the "
                f"data contains only one class: {classes[0]!r}."
            )
        if not reset and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start=True needs the classes of the first fit {self.classes_.tolist()}, "
                f"got {classes.tolist()}. Set warm_start=False to train a new model."
            )
        self.classes_ = classes
        self._multilabel = False
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(
                sample_weight, y_encoded, dtype=np.float64, ensure_non_negative=True
            )
        if self.class_weight is not None:
            class_weight = self.class_weight
            if isinstance(class_weight, dict):  # classes it names beyond y's: scikit-learn's rules
                values = np.asarray(list(class_weight.values()), dtype=np.float64)
                if not (np.isfinite(values).all() and (values >= 0).all()):
                    raise ValueError(
                        f"class_weight values must be finite and non-negative, got {class_weight}."
                    )
            if isinstance(class_weight, str):  # "balanced": over the weighted counts (0 leaves one out)
                with np.errstate(divide="ignore"):  # a class all of weight 0: its weight unused
                    counts = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=weight)
                balanced = counts[y_encoded]
            else:
                balanced = compute_sample_weight(class_weight, y)
            # a class all of weight 0 has an infinite balanced weight, read on none of its (weight 0) rows
            weight = balanced if weight is None else weight * np.where(weight > 0, balanced, 0.0)
            if not weight.sum() > 0:
                raise ValueError("class_weight and sample_weight give every sequence weight 0.")
        self._fit_net(
            seqs,
            y_encoded.astype(np.int64),
            weight,  # float64: _fit_net scales it to mean 1, then casts
            n_outputs=len(classes),
            stratify=y_encoded,
        )
        return self

    def _fit_multilabel(self, seqs: Any, Y: np.ndarray, sample_weight: Any, reset: bool) -> RNNClassifier:
        """Train one sigmoid output per column of the 0/1 array ``Y`` (binary cross-entropy)."""
        self._check_y_length(len(seqs.lengths), Y)
        if self.class_weight is not None:
            raise ValueError(
                f"class_weight={self.class_weight!r} is not defined for multi-label y (each label has "
                "its own positives and negatives). Pass class_weight=None and weigh sequences with "
                "sample_weight, e.g. more weight to those with a rare label."
            )
        classes = np.arange(Y.shape[1])
        if not reset and not np.array_equal(classes, self.classes_):
            raise ValueError(
                f"warm_start=True needs the {len(self.classes_)} labels of the first fit, got y with "
                f"{len(classes)} columns. Set warm_start=False to train a new model."
            )
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(sample_weight, Y, dtype=np.float64, ensure_non_negative=True)
        self.classes_ = classes
        self._multilabel = True
        self._fit_net(
            seqs,
            Y.astype(np.float32),
            weight,  # float64: _fit_net scales it to mean 1, then casts
            n_outputs=len(classes),
            stratify=None,  # a validation split is not stratified on several labels (nor is MLPClassifier's)
        )
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``; for a multi-label
            model, each label's probability (they need not sum to 1).
        """
        return self._forward(X, lambda scores: self._head()(scores.double()).numpy())

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithms of the class probabilities of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The logarithms of :meth:`predict_proba`, in the order of ``classes_``.
        """
        with np.errstate(divide="ignore"):  # a probability of exactly 0 is -inf, as MLPClassifier's
            return np.log(self.predict_proba(X))

    def _head(self) -> Probabilities:
        return Probabilities(multilabel=getattr(self, "_multilabel", False))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels; for a multi-label model, an int64 0/1 array
            (1 where a label's probability is above 0.5).
        """
        if getattr(self, "_multilabel", False):
            return (self.predict_proba(X) > 0.5).astype(np.int64)
        best = self._forward(X, lambda scores: scores.argmax(dim=1).numpy())  # checks that it is fitted
        return self.classes_[best]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy on sequences ``X`` and labels ``y``.

        Labels that were not seen during ``fit`` can never be predicted: they
        count as errors, and a ``UserWarning`` names them. Labels of another
        kind than the training labels (strings against numbers) are an error.
        For a multi-label model this is the subset accuracy: a sequence counts
        as correct when all its labels are.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps[, n_features]) or list of arrays
            Sequences in the layout used for ``fit``.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Share of correctly classified sequences (weighted).
        """
        _check_no_missing_labels(y)  # not wrong predictions, nor labels "of another kind"
        refuse_misaligned_y(X, y, sample_weight)
        predicted = self.predict(X)
        if getattr(self, "_multilabel", False):
            Y = self._indicator_y(y)
            if Y is None or Y.shape[1] != len(self.classes_):
                raise ValueError(
                    f"{type(self).__name__} was fitted on multi-label y with {len(self.classes_)} "
                    f"indicator columns; pass y of shape (n_samples, {len(self.classes_)}), got "
                    f"shape {np.shape(y)}."
                )
            self._check_y_length(len(predicted), Y)
            return float(accuracy_score(Y, predicted, sample_weight=sample_weight))
        y = column_or_1d(y, warn=True)
        self._check_y_length(len(predicted), y)
        known = set(self.classes_.tolist())
        unseen = sorted({label for label in y.tolist() if label not in known}, key=repr)
        if not unseen:
            return float(accuracy_score(y, predicted, sample_weight=sample_weight))
        if {isinstance(c, str) for c in known} != {isinstance(label, str) for label in y.tolist()}:
            raise ValueError(
                f"y holds labels of another kind than the training labels: {unseen[:5]} against "
                f"classes_ {self.classes_.tolist()[:5]}. Encode y as it was encoded for fit."
            )
        warnings.warn(
            f"y contains {len(unseen)} label(s) never seen during fit ({unseen[:5]}); "
            f"{type(self).__name__} cannot predict them, so their samples count as errors.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        correct = np.array([p == t for p, t in zip(predicted.tolist(), y.tolist(), strict=True)])
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, correct)
        return float(np.average(correct, weights=sample_weight))
