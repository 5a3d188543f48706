"""The base of the sequence estimators (classifier and regressor): parameters, input, the network."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from numbers import Integral
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._archive import Refused
from ._data import Sequences, refuse_misaligned_y, validate_sequences
from ._networks.heads import InferenceGraph, SequenceGraph
from ._networks.recurrent import (
    ARCHITECTURES,
    INPUT_SCALINGS,
    MAX_DILATION,
    MISSING,
    POOLINGS,
    RecurrentNet,
    auto_dilations,
    max_dilations,
)
from ._runtime import torch_session, user_stacklevel
from ._scaling import nonzero_scale
from ._storable import SafeFormatMixin, VersionedPickleMixin
from ._training import (
    MAX_LAYERS,
    MAX_WIDTH,
    RECURRENT_CONSTRAINTS,
    TRAINING_CONSTRAINTS,
    Int,
    SequenceDataset,
    TrainingMixin,
    ensemble_size,
    make_module,
    training_epochs,
    valid_size,
    weights_of_mean_one,
)


def feature_statistics(
    values: np.ndarray,
    lengths: np.ndarray,
    weights: np.ndarray | None = None,
    level: np.ndarray | None = None,
    chunk_elements: int = 2**18,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (ddof=0) of the observed, non-NaN steps, and
    whether each feature has any (mean 0 and deviation 0 where it has none).

    ``values`` ``(n, T, F)`` is read in chunks of rows, in float64, so the extra
    memory is a few chunks of ``chunk_elements`` values whatever the size of the
    data (no float64 copy of all steps, and a strided view of overlapping windows
    is never materialised). Steps past each row's length are not counted; each
    row's steps count ``weights`` times (``(n,)``; a row of weight 0 not at all).
    ``level`` ``(F,)`` is subtracted from the values first, as the network reads them.
    """
    n, T, F = values.shape
    rows = max(1, chunk_elements // max(1, T * F))
    steps = np.arange(T)

    def chunks():
        for start in range(0, n, rows):
            block = values[start : start + rows].astype(np.float64)
            if level is not None:
                block -= level.astype(values.dtype)  # what SequenceDataset subtracts (in float32)
            valid = (steps[None, :] < lengths[start : start + rows, None])[:, :, None] & ~np.isnan(block)
            weight = np.ones(len(block)) if weights is None else weights[start : start + rows]
            yield block, valid * weight[:, None, None]

    read = list(chunks()) if n <= rows else None  # data within one chunk is converted once
    total, count = np.zeros(F), np.zeros(F)
    for block, weight in read or chunks():
        total += np.where(weight > 0, block * weight, 0.0).sum(axis=(0, 1))
        count += weight.sum(axis=(0, 1))
    observed = count > 0
    count = np.where(observed, count, 1.0)
    mean = total / count
    squares = np.zeros(F)
    for block, weight in read or chunks():
        squares += np.where(weight > 0, (block - mean) ** 2 * weight, 0.0).sum(axis=(0, 1))
    return mean, np.sqrt(squares / count), observed


# What pickles of builds before the training code moved to ``_training`` look up here
_MOVED = {"Net", "BatchIterator", "SequenceDataset", "ValidSplit", "build_net", "predict_in_batches"}


def __getattr__(name: str) -> Any:
    """Say clearly why an older build's pickle cannot be read (pickle looks its classes up here)."""
    if name in _MOVED:
        from . import __version__

        raise ImportError(
            f"sklearn_rnn._base.{name} moved to sklearn_rnn._training: this object was pickled by a build "
            f"of sklearn_rnn before {__version__}'s architecture change, which this one cannot unpickle. "
            "Pickles are read by the version that wrote them: re-fit the estimator with this version, or "
            "move models between versions with sklearn_rnn.save and sklearn_rnn.load."
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _same(value: Any) -> Any:
    """A parameter value in a form that compares equal whether given as a list or a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _nan_padded(seqs: Sequences) -> bool:
    """Whether the NaNs of ``seqs`` are whole rows ending sequences (padding), and some sequence has them."""
    isnan = np.isnan(seqs.values)
    rows, full = isnan.any(axis=2), isnan.all(axis=2)  # (n, T)
    inside = np.arange(rows.shape[1])[None, :] < seqs.lengths[:, None]
    # within each sequence, once a row is NaN every later row is: no step goes from NaN to observed
    to_observed = (np.diff(rows.astype(np.int8), axis=1) < 0) & inside[:, 1:]
    return bool((rows == full).all() and not to_observed.any() and (rows & inside).any(axis=1).any())


def _padded_share(seqs: Sequences) -> float:
    """The share of sequences ending in NaN time steps where ``seqs`` holds NaN as padding alone (else 0)."""
    if not _nan_padded(seqs):
        return 0.0
    last = np.isnan(seqs.values[np.arange(len(seqs.lengths)), seqs.lengths - 1]).all(axis=-1)
    return float(last.mean())


def _without_values(seqs: Sequences) -> np.ndarray:
    """The positions of the sequences of ``seqs`` that are NaN at every step."""
    if not np.isnan(seqs.values.sum(dtype=np.float64)):  # no NaN at all (float32 sums cannot overflow)
        return np.empty(0, dtype=np.int64)
    inside = np.arange(seqs.values.shape[1])[None, :] < seqs.lengths[:, None]
    return np.flatnonzero(~(~np.isnan(seqs.values).all(axis=2) & inside).any(axis=1))


def _in_float32(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to float32 (inf beyond its range), without numpy's overflow warning."""
    with np.errstate(over="ignore"):
        return values.astype(np.float32)


class BaseRNNEstimator(TrainingMixin, SafeFormatMixin, VersionedPickleMixin, BaseEstimator):
    """Shared parameters and the training loop of :class:`RNNClassifier` and :class:`RNNRegressor`."""

    _parameter_constraints: dict = {
        **RECURRENT_CONSTRAINTS,
        **TRAINING_CONSTRAINTS,
        "pooling": [StrOptions(set(POOLINGS))],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "dimension_shuffle": ["boolean"],
        "fcn_filters": [tuple, list],
        "fcn_dilations": [tuple, list, StrOptions({"auto"})],
        "missing": [StrOptions(set(MISSING))],
        "input_scaling": [StrOptions(set(INPUT_SCALINGS))],
        "n_networks": [Int(1, MAX_LAYERS), StrOptions({"auto"})],
        "head_hidden_size": [Int(1, MAX_WIDTH), None, StrOptions({"auto"})],
        "warm_start": ["boolean"],
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
        random_state: int | np.random.RandomState | None = None,
        device: str = "cpu",
        n_threads: int | None = 1,
        verbose: int = 0,
        callbacks: list | None = None,
        net_kwargs: dict | None = None,
    ) -> None:
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.pooling = pooling
        self.architecture = architecture
        self.dimension_shuffle = dimension_shuffle
        self.fcn_filters = fcn_filters
        self.fcn_dilations = fcn_dilations
        self.missing = missing
        self.input_scaling = input_scaling
        self.n_networks = n_networks
        self.head_hidden_size = head_hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.lr_schedule = lr_schedule
        self.gradient_clip_value = gradient_clip_value
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.net_kwargs = net_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = self.missing == "mask"  # read by scikit-learn's feature selectors
        return tags

    # -- the pieces subclasses provide -------------------------------------------------
    _output_name: str  # of the exported graph's output
    _network_class = RecurrentNet
    _auto_head: int | None  # what head_hidden_size="auto" builds (the user guide's accuracy page)

    def _head(self) -> torch.nn.Module:
        """The module that turns the network's outputs into what ``predict`` returns."""
        raise NotImplementedError

    def _inference_graph(self) -> InferenceGraph:
        """The network behind its head, on the CPU, for :func:`sklearn_rnn.to_onnx`."""
        check_is_fitted(self)
        module = copy.deepcopy(self.net_.module_).cpu().eval()
        tabular = bool(getattr(self, "_tabular", False))
        example = torch.zeros((2, 4) if tabular else (2, 4, int(module.x_mean.shape[0])))
        graph = SequenceGraph(module, self._head(), tabular, getattr(self, "_x_level", None))
        return InferenceGraph(graph, example, "X", self._output_name, dynamic_time=True, takes_lengths=True)

    # -- data ----------------------------------------------------------------------------
    def _validate_X(self, X: Any, *, reset: bool, sample_weight: Any = None) -> Sequences:
        # centred on the training data's level before the cast to float32, which would round away
        # changes much smaller than the level (a meter reading at 1e8 moving by 1); sequences of
        # sample_weight 0 are left out of it, as of everything else (checked with y, after this)
        counted = None
        if reset and sample_weight is not None and hasattr(X, "__len__"):
            try:
                weights = np.asarray(sample_weight, dtype=np.float64)
            except (TypeError, ValueError):  # refused with y, in scikit-learn's words
                weights = None
            if weights is not None and weights.ndim == 1 and len(weights) == len(X):
                with np.errstate(invalid="ignore"):
                    counted = weights > 0
        seqs = validate_sequences(self, X, reset=reset, allow_nan=True, centre=True, counted=counted)
        # how NaN is handled is fixed by the trained network (set_params(missing=...) takes effect
        # at the next fit, as every parameter does)
        missing = self.missing if reset else self.net_.module_.missing
        # finite or NaN here, and float32 sums cannot overflow float64: NaN sum <=> a NaN (no mask copy)
        if missing == "error" and np.isnan(seqs.values.sum(dtype=np.float64)):
            refit = ""
            if self.missing != missing:
                refit = (
                    " This model was fitted with missing='error'; set_params(missing='mask') takes effect at "
                    "the next fit"
                    + (
                        " with warm_start=False (a warm start continues the network built with "
                        "missing='error')."
                        if self.warm_start
                        else "."
                    )
                )
            padding = ""
            if _nan_padded(seqs):
                padding = (
                    " The NaNs fill the last columns of shorter rows, as padding to one length does (a "
                    "pivot of a long table does): pass the rows as a list of sequences without it, e.g. "
                    "[row[~np.isnan(row)] for row in np.asarray(X, dtype=float)] for a 2D table"
                    if seqs.tabular
                    else " The NaNs fill the last rows of shorter sequences, as padding to one length does: "
                    "pass the sequences as a list without it, e.g. [x[~np.isnan(x).all(axis=-1)] for x in "
                    "X] for a 3D array"
                ) + " (missing='mask' would read the padding as gaps)."
            mask = "carries the last observation forward and gives the network a mask of the observed values"
            advice = (
                f"set missing='mask' (which {mask}), or impute X first"
                if reset
                else f"impute X first, or fit again with missing='mask' (which {mask})"
            )
            raise ValueError(
                f"Input X contains NaN. {type(self).__name__} with missing='error' (the default) "
                f"expects complete sequences; {advice}.{padding}{refit}"
            )
        if missing == "mask" and len(empty := _without_values(seqs)):
            which = f"{empty[:5].tolist()}{' ...' if len(empty) > 5 else ''}"
            warnings.warn(
                f"{len(empty)} sequence(s) of X hold no value, NaN at every step (positions {which}): "
                "with missing='mask' the network reads only its fill values there, so their "
                f"{'targets train it on nothing' if reset else 'predictions rest on no data'}. Leave "
                "them out, or give them the values they were recorded with.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        if missing == "mask" and _padded_share(seqs) > 0.5:  # at predict too, where test data is padded
            warnings.warn(
                "The NaNs of X are whole time steps ending most of its sequences and none inside them, as "
                "padding to one length does (a pivot of a long table does). missing='mask' "
                "reads them as steps observed to be missing, not as the ends of shorter sequences, so a "
                "sequence's prediction depends on how long the longest one is. Pass the sequences as a "
                "list without them, e.g. [x[~np.isnan(x).all(axis=-1)] for x in X] for a 3D array, "
                "[row[~np.isnan(row)] for row in np.asarray(X, dtype=float)] for a 2D table.",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        return seqs

    def _check_y_given(self, X: Any, y: Any, sample_weight: Any = None) -> None:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        refuse_misaligned_y(X, y, sample_weight)

    def _check_y_length(self, n_sequences: int, y: Any) -> None:
        if len(y) != n_sequences:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X has {n_sequences} "
                f"sequences but y has {len(y)} targets. Pass one target per sequence, in the order of X"
                + (
                    " (a table of one row per time step is split into sequences and their targets by "
                    "sklearn_rnn.from_long_table)."
                    if n_sequences > len(y)
                    else "."
                )
            )

    # -- training ------------------------------------------------------------------------
    def _build_module(
        self, seqs: Sequences, n_outputs: int, n_train: int, sample_weight: np.ndarray | None = None
    ) -> RecurrentNet:
        filters = self.fcn_filters
        positive = [isinstance(f, Integral) and not isinstance(f, bool) and f > 0 for f in filters]
        if self.architecture != "rnn" and not (len(filters) == 3 and all(positive)):
            raise ValueError(
                f"fcn_filters must be 3 positive channel counts, one per convolutional block, got "
                f"{tuple(filters)!r}. Pass e.g. fcn_filters=(32, 64, 32)."
            )
        dilations = self.fcn_dilations
        if self.architecture == "rnn":  # no convolutional block reads them
            dilations = (1,)
        elif dilations == "auto":
            dilations = auto_dilations(seqs.values.shape[1])[: max_dilations(filters[0])]
        elif not (
            1 <= len(dilations) <= max_dilations(filters[0])
            and all(
                isinstance(d, Integral) and not isinstance(d, bool) and 1 <= d <= MAX_DILATION
                for d in dilations
            )
        ):
            raise ValueError(
                f"fcn_dilations must be 'auto' or 1 to fcn_filters[0] // 2 + 1 = {max_dilations(filters[0])} "
                f"ints from 1 to {MAX_DILATION} (half the first convolutional block's channels read at the "
                f"first dilation, the others are shared out among the rest), got {tuple(dilations)!r}. Pass "
                "e.g. fcn_dilations=(1,), the papers' block."
            )
        # its constructor arguments are kept: sklearn_rnn.load rebuilds the network from them
        module, self._module_kwargs = make_module(
            self._network_class,
            seqs.values.shape[2],
            n_outputs,
            cell=self.cell,
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            pooling=self.pooling,
            architecture=self.architecture,
            dimension_shuffle=self.dimension_shuffle,
            n_timesteps=seqs.values.shape[1],
            fcn_filters=tuple(self.fcn_filters),
            fcn_dilations=tuple(int(d) for d in dilations),
            missing=self.missing,
            input_scaling=self.input_scaling,
            n_networks=ensemble_size(
                self.n_networks,
                training_epochs(self.max_epochs, n_train, self.batch_size),
                n_train,
                int(seqs.lengths.max()),
            ),
            head_hidden_size=self._resolved_head(),
        )
        # missing="mask": NaNs are left out, so these are the statistics of the observed values; a
        # sequence of weight 0 is left out of them as it is of the loss
        mean, std, observed = feature_statistics(seqs.values, seqs.lengths, sample_weight, seqs.level)
        if not observed.all():  # missing="mask" (a warm start keeps the first fit's scales)
            names = getattr(self, "feature_names_in_", None)
            which = [names[j] if names is not None else int(j) for j in np.flatnonzero(~observed)]
            counted = "" if sample_weight is None else " of positive sample weight"
            raise ValueError(
                f"Feature(s) {which} of X hold no value in any training sequence{counted} (all NaN), "
                "so the estimator has no scale for them and would read their later values raw. Drop "
                "them from X, or fit on data where they were recorded."
            )
        # constant up to float64's rounding of the values as given, not of their distance from the level
        scale = nonzero_scale(std, mean if seqs.reference is None else mean + seqs.reference)
        module.set_input_scaling(torch.as_tensor(mean), torch.as_tensor(scale))
        self._x_level = seqs.reference  # what predict's X is centred on, as this network's training X
        return module

    def _fit_net(
        self,
        seqs: Sequences,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        n_outputs: int,
        stratify: np.ndarray | None = None,
    ) -> None:
        counted = ""  # how the sequences counted below are named
        if sample_weight is not None and (sample_weight == 0).any():
            # a sequence of weight 0 is absent: not in the batches (batch norm would still read it),
            # the input scaling or the number of steps an epoch takes
            keep = sample_weight > 0
            lengths = seqs.lengths[keep]
            seqs = replace(seqs, values=seqs.values[keep, : lengths.max()], lengths=lengths)
            y, sample_weight = y[keep], sample_weight[keep]
            stratify = None if stratify is None else stratify[keep]
            counted = " of positive sample weight"
        n = len(seqs.lengths)
        if sample_weight is not None:  # checked: non-negative, not all 0
            # mean 1 over the training set, which the loss keeps (not each batch's own total)
            sample_weight = weights_of_mean_one(sample_weight)
        n_train = n - valid_size(self.validation_fraction, n) if self.early_stopping else n
        if self.early_stopping and n < 2:
            raise ValueError(
                f"early_stopping=True needs at least 2 sequences (it holds out validation_fraction of "
                f"them), got {n}{counted}. Pass more sequences or set early_stopping=False."
            )
        if self.early_stopping and n_train < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} of the "
                f"{n} sequences{counted}, which leaves none to train on. Pass more sequences, lower "
                "validation_fraction or set early_stopping=False."
            )
        if self.architecture != "rnn" and n_train == 1 and seqs.lengths.min() == 1:
            raise ValueError(
                f"architecture={self.architecture!r} normalises each batch (batch norm), which needs "
                "more than one value per channel, but it would train on 1 sequence of 1 time step. "
                "Pass more sequences or use architecture='rnn'."
            )
        if self.architecture != "rnn" and self.batch_size == 1 and (seqs.lengths == 1).any():
            raise ValueError(
                f"architecture={self.architecture!r} normalises each batch (batch norm), which needs "
                "more than one value per channel, but with batch_size=1 a sequence of 1 time step "
                f"is a batch of one value ({int((seqs.lengths == 1).sum())} such sequences). Use "
                "batch_size=2 or more, or architecture='rnn'."
            )
        if self.warm_start and hasattr(self, "net_"):
            params = self.get_params(deep=False)
            for name in ("n_networks", "fcn_dilations", "head_hidden_size"):  # "auto": chosen when built
                if params[name] == "auto":
                    del params[name]
            if self.architecture == "rnn":  # its network has no convolutional branch and no shuffle
                for name in ("fcn_dilations", "fcn_filters", "dimension_shuffle"):
                    params.pop(name, None)
            changed = sorted(
                k for k, v in self._module_kwargs.items() if k in params and _same(params[k]) != _same(v)
            )
            if changed:
                raise ValueError(
                    f"warm_start=True continues training the fitted network, but {changed} changed "
                    "since it was built. Restore them or set warm_start=False to train a new network."
                )
            build = None  # train the fitted network further, over the epochs this call's data gives
        else:
            build = partial(self._build_module, seqs, n_outputs, n_train, sample_weight)
        self._resolve_augmentation(n_train)
        self._train(SequenceDataset(seqs, y, sample_weight), build, n_train=n_train, stratify=stratify)

    def _resolve_augmentation(self, n_train: int) -> None:
        """Set what augments the training batches of ``n_train`` sequences (the classifier's; none)."""

    def _restore_fitted(self, attributes, rebuild_net, manifest, arrays) -> None:
        """The file's attributes, after checking the reference level the network's input is moved by."""
        level, n_channels = attributes.get("_x_level"), attributes.get("_n_channels")
        if level is not None and not (
            isinstance(level, np.ndarray)
            and level.dtype == np.float64
            and level.shape == (n_channels,)
            and np.isfinite(level).all()
            and np.array_equal(_in_float32(level), level)  # as fit rounds it
        ):
            raise Refused(
                f"its input's reference level (_x_level) is not {n_channels} finite float64 values that "
                "float32 holds exactly, as fit stores it."
            )
        super()._restore_fitted(attributes, rebuild_net, manifest, arrays)

    @property
    def n_networks_(self) -> int:
        """Number of networks trained and averaged (``n_networks`` resolved)."""
        check_is_fitted(self)
        return int(self._module_kwargs.get("n_networks", 1))  # absent: pickled before ensembles

    @property
    def fcn_dilations_(self) -> tuple[int, ...]:
        """Dilations of the first convolutional block's kernels (``fcn_dilations`` resolved)."""
        check_is_fitted(self)
        return tuple(self._module_kwargs.get("fcn_dilations", (1,)))  # absent: pickled before them

    def _resolved_head(self) -> int | None:
        """``head_hidden_size``, "auto" resolved: the task's choice for an FCN architecture, else None."""
        if self.head_hidden_size != "auto":
            return self.head_hidden_size
        return self._auto_head if self.architecture != "rnn" else None

    @property
    def head_hidden_size_(self) -> int | None:
        """Hidden units before the output layer, None for none (``head_hidden_size`` resolved)."""
        check_is_fitted(self)
        return self._module_kwargs.get("head_hidden_size")  # absent: pickled before it (linear)

    # -- inference -------------------------------------------------------------------------
    def _forward(self, X: Any, head: Callable[[torch.Tensor], np.ndarray]) -> np.ndarray:
        """``head`` of the raw network outputs for ``X`` (a CPU tensor, in the order of ``X``).

        The head runs within the bound on threads too, with the caller's denormals: a
        softmax at the caller's thread count started an OpenMP pool that a forked worker
        (joblib's multiprocessing backend) then deadlocked in.
        """
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        with torch_session(self.n_threads, flush_denormal=False):
            out = self._predict_raw(SequenceDataset(seqs))
            if not bool(torch.isfinite(out).all()):
                raise ValueError(
                    f"The network's outputs for {int((~torch.isfinite(out)).any(1).sum())} of {len(out)} "
                    "sequences are NaN or inf: either X holds values far outside the training range "
                    "(they overflow float32; rescale X), or training diverged (loss_curve_ ends at "
                    f"{self.loss_curve_[-1] if self.loss_curve_ else float('nan'):.4g}; lower lr and keep "
                    "gradient_clip_value set)."
                )
            return head(out)
