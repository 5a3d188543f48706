"""What the classifier and the regressor share: parameters, the skorch net, seeding, threads."""

from __future__ import annotations

import copy
import inspect
import logging
import math
import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import EarlyStopping, GradientNormClipping, LRScheduler
from skorch.utils import to_tensor
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import Dataset

from ._callbacks import EpochProgress, EpochTable, NonFiniteLossGuard, completed_epochs
from ._data import Sequences, validate_sequences
from ._networks.heads import InferenceGraph, SequenceGraph
from ._networks.recurrent import ARCHITECTURES, CELLS, INPUT_SCALINGS, MISSING, POOLINGS, RecurrentNet
from ._persistence import VersionedPickleMixin
from ._runtime import (
    current_generator,
    global_rng_restored,
    interrupt_requested,
    resolve_device,
    seeded_init,
    torch_session,
)
from ._scaling import nonzero_scale

logger = logging.getLogger(__name__)

OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}


def feature_statistics(
    values: np.ndarray, lengths: np.ndarray, chunk_elements: int = 2**18
) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and standard deviation (ddof=0) of the observed, non-NaN steps.

    ``values`` ``(n, T, F)`` is read in chunks of rows, in float64, so the extra
    memory is a few chunks of ``chunk_elements`` values whatever the size of the
    data (no float64 copy of all steps, and a strided view of overlapping windows
    is never materialised). Steps past each row's length are not counted.
    """
    n, T, F = values.shape
    rows = max(1, chunk_elements // max(1, T * F))
    steps = np.arange(T)

    def chunks():
        for start in range(0, n, rows):
            block = values[start : start + rows].astype(np.float64)
            valid = (steps[None, :] < lengths[start : start + rows, None])[:, :, None] & ~np.isnan(block)
            yield block, valid

    total, count = np.zeros(F), np.zeros(F)
    for block, valid in chunks():
        total += np.where(valid, block, 0.0).sum(axis=(0, 1))
        count += valid.sum(axis=(0, 1))
    count = np.maximum(count, 1)
    mean = total / count
    squares = np.zeros(F)
    for block, valid in chunks():
        squares += np.where(valid, (block - mean) ** 2, 0.0).sum(axis=(0, 1))
    return mean, np.sqrt(squares / count)


class SequenceDataset(Dataset):
    """Padded sequences, targets and sample weights held as whole tensors."""

    def __init__(self, seqs: Sequences, y: np.ndarray | None = None, sample_weight: np.ndarray | None = None):
        with warnings.catch_warnings():  # read-only views (e.g. sliding_windows) are never written to
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            self.X = torch.from_numpy(seqs.values)
        self.lengths = None if seqs.equal_lengths else torch.from_numpy(seqs.lengths)
        self.y = None if y is None else torch.from_numpy(y)
        self.sample_weight = None if sample_weight is None else torch.from_numpy(sample_weight)

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, indices: np.ndarray) -> SequenceDataset:
        out = SequenceDataset.__new__(SequenceDataset)
        idx = torch.as_tensor(indices)
        out.X = self.X[idx]
        out.lengths = None if self.lengths is None else self.lengths[idx]
        out.y = None if self.y is None else self.y[idx]
        out.sample_weight = None if self.sample_weight is None else self.sample_weight[idx]
        return out

    def batch(self, idx: torch.Tensor | slice) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """One batch as ``({"X", ["lengths"], ["sample_weight"]}, y)``, trimmed to its longest sequence."""
        x = {"X": self.X[idx]}
        if self.lengths is not None:
            lengths = self.lengths[idx]
            x["X"] = x["X"][:, : int(lengths.max())]
            x["lengths"] = lengths
        if self.sample_weight is not None:
            x["sample_weight"] = self.sample_weight[idx]
        return x, None if self.y is None else self.y[idx]


class BatchIterator:
    """Yield whole-tensor batches of a :class:`SequenceDataset` (no per-sample collation).

    With ``shuffle=True`` the order is new every epoch, drawn from the training
    session's generator. Ragged sequences are shuffled, then sorted by length
    within pools of ``pool_batches`` batches, and the batches' order is shuffled
    again: a batch holds sequences of similar length (so it pads little), while
    which sequences meet, and in what order batches come, still change every
    epoch. A last batch of one sequence is joined to the one before it (batch
    norm needs more than one value per channel).
    """

    pool_batches = 50

    def __init__(self, dataset: SequenceDataset, batch_size: int, shuffle: bool = False):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self) -> int:
        n = len(self.dataset)
        batches = math.ceil(n / self.batch_size)
        return batches - 1 if self.shuffle and batches > 1 and n % self.batch_size == 1 else batches

    def __iter__(self):
        n, lengths = len(self.dataset), self.dataset.lengths
        if not self.shuffle:
            for start in range(0, n, self.batch_size):
                yield self.dataset.batch(slice(start, start + self.batch_size))
            return
        generator = current_generator()
        order = torch.randperm(n, generator=generator)
        if lengths is not None:
            pools = order.split(self.pool_batches * self.batch_size)
            order = torch.cat([pool[torch.argsort(lengths[pool], stable=True)] for pool in pools])
        batches = list(order.split(self.batch_size))
        if len(batches) > 1 and len(batches[-1]) == 1:
            batches[-2:] = [torch.cat(batches[-2:])]
        if lengths is not None:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=generator)]
        for rows in batches:
            yield self.dataset.batch(rows)


def predict_in_batches(net: NeuralNet, dataset: SequenceDataset, batch_size: int) -> torch.Tensor:
    """Outputs of ``net.module_`` in eval mode for every row of ``dataset``, as a CPU tensor.

    Memory stays bounded by one batch: rows are gathered per batch (no copy of
    the whole input), only that batch's activations exist at a time, and each
    batch's output goes back to the CPU before the next one starts. Ragged rows
    run shortest first, so a batch holds sequences of similar length and pads
    little; outputs come back in the order of ``dataset``. Lengths stay on the
    CPU (the module moves them where it reads them); everything else moves to ``net.device``.

    The module is put in eval mode and left there (training sets its own mode),
    so concurrent calls from several threads never toggle shared state.
    """
    module, device = net.module_, net.device
    n = len(dataset)
    order = None
    if dataset.lengths is not None:
        order = torch.from_numpy(np.argsort(dataset.lengths.numpy(), kind="stable"))
    if module.training:  # only a module trained outside the estimator (fit and load leave it in eval)
        module.eval()
    outputs = []
    with torch.no_grad():
        for start in range(0, n, batch_size):
            stop = start + batch_size
            rows = slice(start, stop) if order is None else order[start:stop]
            x, _ = dataset.batch(rows)
            x.pop("sample_weight", None)
            x = {k: v if k == "lengths" else v.to(device) for k, v in x.items()}
            outputs.append(module(**x).to("cpu"))
    out = torch.cat(outputs)
    if order is not None:
        out = out[torch.argsort(order)]
    return out


def _warn_if_diverged(loss_curve: list[float]) -> None:
    """Warn when the training loss ended far above where it started (finite, so no guard stopped it)."""
    if len(loss_curve) >= 2 and loss_curve[-1] > 10 * max(loss_curve[0], 1.0):
        warnings.warn(
            f"The training loss rose from {loss_curve[0]:.4g} to {loss_curve[-1]:.4g}: training "
            "diverged. Lower lr, keep gradient_clip_value set, or scale the inputs.",
            ConvergenceWarning,
            stacklevel=5,
        )


def _same(value: Any) -> Any:
    """A parameter value in a form that compares equal whether given as a list or a tuple."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def valid_size(fraction: float, n: int) -> int:
    """How many of ``n`` sequences early stopping holds out (at least one)."""
    return max(1, round(fraction * n))


class ValidSplit:
    """Hold out ``fraction`` of the training data, stratified when ``stratify`` is given."""

    def __init__(self, fraction: float, seed: int, stratify: np.ndarray | None = None):
        self.fraction = fraction
        self.seed = seed
        self.stratify = stratify

    def __call__(self, dataset: SequenceDataset, y: Any = None, **fit_params: Any):
        indices = np.arange(len(dataset))
        n_valid = valid_size(self.fraction, len(indices))
        stratify = self.stratify
        if stratify is not None and (np.bincount(stratify).min() < 2 or n_valid < len(np.unique(stratify))):
            stratify = None
        train, valid = train_test_split(indices, test_size=n_valid, random_state=self.seed, stratify=stratify)
        return dataset.subset(np.sort(train)), dataset.subset(np.sort(valid))


class Net(NeuralNet):
    """skorch's loop with per-sample weights taken from the batch's ``sample_weight``."""

    # Pickled apart and loaded with a map_location, so that a net pickled on a GPU opens on a
    # CPU-only machine. skorch lists module_, optimizer_ and criterion_; the module is also the
    # ``module`` argument (an instance), and callbacks hold the optimizer (lr schedule) and
    # weights (early stopping's best): without them, their CUDA tensors failed to unpickle.
    cuda_dependent_attributes_ = ["module", "module_", "optimizer_", "criterion_", "callbacks"]

    def partial_fit(self, X: Any, y: Any = None, classes: Any = None, **fit_params: Any) -> Net:
        """skorch's ``partial_fit``, except that a user's Ctrl-C ends the fit with ``KeyboardInterrupt``.

        skorch swallows every ``KeyboardInterrupt``: its callbacks (early stopping,
        the non-finite guard) raise one to end training. A real Ctrl-C, recorded by
        the training session, is raised again after ``on_train_end`` has run, so
        the net keeps the weights reached (and its callbacks' restored ones).
        """
        if not self.initialized_:
            self.initialize()
        self.notify("on_train_begin", X=X, y=y)
        interrupted = False
        try:
            self.fit_loop(X, y, **fit_params)
        except KeyboardInterrupt:
            interrupted = interrupt_requested()
        finally:
            self.module_.eval()  # inference never switches modes (see predict_in_batches)
        self.notify("on_train_end", X=X, y=y)
        if interrupted:
            raise KeyboardInterrupt
        return self

    def infer(self, x: Any, **fit_params: Any) -> torch.Tensor:
        if isinstance(x, dict) and "sample_weight" in x:
            x = {k: v for k, v in x.items() if k != "sample_weight"}
        return super().infer(x, **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        loss = self.criterion_(y_pred, to_tensor(y_true, device=self.device))
        if loss.ndim > 1:
            loss = loss.flatten(1).mean(1)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            return loss.mean()
        weight = to_tensor(weight, device=self.device)
        return (loss * weight).sum() / weight.sum()


def make_module(cls: type[torch.nn.Module], *args: Any, **kwargs: Any) -> tuple[torch.nn.Module, dict]:
    """``cls(*args, **kwargs)`` and its arguments by name (what ``sklearn_rnn.load`` rebuilds it from).

    Inside a seeded session the weights are drawn from the session's generator.
    """
    arguments = dict(inspect.signature(cls).bind(*args, **kwargs).arguments)
    with global_rng_restored():  # torch's default initialisation draws from the global generator
        module = cls(**arguments)
    generator = current_generator()
    if generator is not None:
        seeded_init(module, generator)
    return module, arguments


# The training budget of max_epochs="auto", chosen by the procedure of benchmarks/accuracy.py
MIN_STEPS = 1000
MIN_EPOCHS = 100


def training_epochs(
    max_epochs: int | str, n_train: int | None, batch_size: int, min_steps: int = MIN_STEPS
) -> int:
    """The epochs a fit runs: ``max_epochs``, or for "auto" a rule of the training set's size.

    "auto": enough epochs for ``min_steps`` optimizer steps, and at least
    ``MIN_EPOCHS`` (the floor alone when the size is unknown, as for a network
    rebuilt by :func:`sklearn_rnn.load`). ``benchmarks/accuracy.py`` varies
    ``min_steps`` to compare budgets.
    """
    if max_epochs != "auto":
        return int(max_epochs)
    if not n_train:
        return MIN_EPOCHS
    return max(MIN_EPOCHS, math.ceil(min_steps / math.ceil(n_train / batch_size)))


def fit_seed(random_state: Any) -> int:
    """The seed a fit derives from ``random_state`` (an int, a RandomState or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def build_net(
    params: dict[str, Any],
    module: torch.nn.Module,
    criterion: Any,
    device: str,
    seed: int,
    stratify: np.ndarray | None,
    n_train: int | None = None,
) -> Net:
    """The skorch net that trains ``module``, from an estimator's training parameters.

    ``params`` is ``get_params(deep=False)`` of any of this library's estimators:
    the training parameters they share (optimizer, lr, max_epochs, batch_size,
    lr_schedule, gradient_clip_value, early stopping, verbose, callbacks,
    net_kwargs) are read from it by name. ``n_train``, the number of sequences
    trained on, sets the epochs of ``max_epochs="auto"`` (:func:`training_epochs`).
    """
    epochs = training_epochs(params["max_epochs"], n_train, params["batch_size"])
    callbacks: list = [("nonfinite_guard", NonFiniteLossGuard())]
    if params["gradient_clip_value"] is not None:
        callbacks.append(("gradient_clip", GradientNormClipping(params["gradient_clip_value"])))
    if params["lr_schedule"] == "cosine":
        # last_epoch=-1: every fit, warm-started ones too, anneals from lr over its own max_epochs
        # (skorch would otherwise resume at len(history) and run past T_max, raising the lr again).
        callbacks.append(("lr_schedule", LRScheduler(CosineAnnealingLR, T_max=epochs, last_epoch=-1)))
    if params["early_stopping"]:
        callbacks.append(
            (
                "early_stopping",
                EarlyStopping(
                    patience=params["n_iter_no_change"],
                    threshold=params["tol"],
                    threshold_mode="abs",
                    load_best=True,
                    sink=logger.info,
                ),
            )
        )
    if params["verbose"]:
        # after the callbacks that stop training (they raise in on_epoch_end): the display shows
        # the epochs they cut off in on_train_end, then their messages and the summary
        tol = params["tol"] if params["early_stopping"] else 0.0
        callbacks.append(("feedback", EpochTable(tol) if params["verbose"] >= 2 else EpochProgress(tol)))
    callbacks.extend(params["callbacks"] or [])
    optimizer = params["optimizer"]
    optimizer = OPTIMIZERS[optimizer] if isinstance(optimizer, str) else optimizer
    kwargs = {
        "optimizer": optimizer,
        "lr": params["lr"],
        "max_epochs": epochs,
        "batch_size": params["batch_size"],
        "iterator_train": BatchIterator,
        "iterator_valid": BatchIterator,
        "iterator_train__shuffle": True,
        "train_split": (
            ValidSplit(params["validation_fraction"], seed, stratify) if params["early_stopping"] else None
        ),
        "callbacks": callbacks,
        "callbacks__print_log": None,
        "predict_nonlinearity": None,
        "verbose": 0,
        "device": device,
        **(params["net_kwargs"] or {}),
    }
    return Net(module, criterion, criterion__reduction="none", **kwargs)


class BaseRNNEstimator(VersionedPickleMixin, BaseEstimator):
    """Shared parameters and the training loop of :class:`RNNClassifier` and :class:`RNNRegressor`."""

    _parameter_constraints: dict = {
        "cell": [StrOptions(set(CELLS))],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions(set(POOLINGS))],
        "architecture": [StrOptions(set(ARCHITECTURES))],
        "dimension_shuffle": ["boolean"],
        "fcn_filters": [tuple, list],
        "missing": [StrOptions(set(MISSING))],
        "input_scaling": [StrOptions(set(INPUT_SCALINGS))],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "lr_schedule": [StrOptions({"constant", "cosine"})],
        "gradient_clip_value": [Interval(Real, 0, None, closed="neither"), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "device": [str],
        "n_threads": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), None],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "net_kwargs": [dict, None],
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
        missing: str = "error",
        input_scaling: str = "both",
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
        self.missing = missing
        self.input_scaling = input_scaling
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
        return tags

    # -- the pieces subclasses provide -------------------------------------------------
    _output_name: str  # of the exported graph's output

    def _criterion(self) -> type[torch.nn.Module]:
        raise NotImplementedError

    def _head(self) -> torch.nn.Module:
        """The module that turns the network's outputs into what ``predict`` returns."""
        raise NotImplementedError

    def _inference_graph(self) -> InferenceGraph:
        """The network behind its head, on the CPU, for :func:`sklearn_rnn.to_onnx`."""
        check_is_fitted(self)
        module = copy.deepcopy(self.net_.module_).cpu().eval()
        tabular = bool(getattr(self, "_tabular", False))
        example = torch.zeros((2, 4) if tabular else (2, 4, int(module.x_mean.shape[0])))
        graph = SequenceGraph(module, self._head(), tabular)
        return InferenceGraph(graph, example, "X", self._output_name, dynamic_time=True, takes_lengths=True)

    # -- data ----------------------------------------------------------------------------
    def _validate_X(self, X: Any, *, reset: bool) -> Sequences:
        seqs = validate_sequences(self, X, reset=reset, allow_nan=True)
        # how NaN is handled is fixed by the trained network (set_params(missing=...) takes effect
        # at the next fit, as every parameter does)
        missing = self.missing if reset else self.net_.module_.missing
        # finite or NaN here, and float32 sums cannot overflow float64: NaN sum <=> a NaN (no mask copy)
        if missing == "error" and np.isnan(seqs.values.sum(dtype=np.float64)):
            raise ValueError(
                f"Input X contains NaN. {type(self).__name__} with missing='error' (the default) "
                "expects complete sequences; set missing='mask' to carry the last observation "
                "forward and give the network a mask of the observed values, or impute X first."
            )
        return seqs

    def _check_y_given(self, y: Any) -> None:
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")

    def _check_y_length(self, n_sequences: int, y: Any) -> None:
        if len(y) != n_sequences:
            raise ValueError(
                f"Found input variables with inconsistent numbers of samples: X has {n_sequences} "
                f"sequences but y has {len(y)} targets. Pass one target per sequence, in the order of X."
            )

    # -- training ------------------------------------------------------------------------
    def _build_module(self, seqs: Sequences, n_outputs: int) -> RecurrentNet:
        filters = self.fcn_filters
        positive = [isinstance(f, Integral) and not isinstance(f, bool) and f > 0 for f in filters]
        if self.architecture != "rnn" and not (len(filters) == 3 and all(positive)):
            raise ValueError(
                f"fcn_filters must be 3 positive channel counts, one per convolutional block, got "
                f"{tuple(filters)!r}. Pass e.g. fcn_filters=(32, 64, 32)."
            )
        # its constructor arguments are kept: sklearn_rnn.load rebuilds the network from them
        module, self._module_kwargs = make_module(
            RecurrentNet,
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
            missing=self.missing,
            input_scaling=self.input_scaling,
        )
        # missing="mask": NaNs are left out, so these are the statistics of the observed values
        mean, std = feature_statistics(seqs.values, seqs.lengths)
        scale = nonzero_scale(std, mean)
        module.x_mean.copy_(torch.as_tensor(mean))
        module.x_scale.copy_(torch.as_tensor(scale))
        return module

    def _build_net(
        self,
        module: RecurrentNet,
        device: str,
        seed: int,
        stratify: np.ndarray | None = None,
        n_train: int | None = None,
    ) -> Net:
        params = self.get_params(deep=False)
        return build_net(params, module, self._criterion(), device, seed, stratify, n_train)

    def _fit_net(
        self,
        seqs: Sequences,
        y: np.ndarray,
        sample_weight: np.ndarray | None,
        n_outputs: int,
        stratify: np.ndarray | None = None,
    ) -> None:
        n = len(seqs.lengths)
        n_train = n - valid_size(self.validation_fraction, n) if self.early_stopping else n
        if self.early_stopping and n < 2:
            raise ValueError(
                f"early_stopping=True needs at least 2 sequences (it holds out validation_fraction of "
                f"them), got {n}. Pass more sequences or set early_stopping=False."
            )
        if self.early_stopping and n_train < 1:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.validation_fraction} of the "
                f"{n} sequences, which leaves none to train on. Pass more sequences, lower "
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
        device = resolve_device(self.device)
        seed = fit_seed(self.random_state)
        data = SequenceDataset(seqs, y, sample_weight)
        warm = self.warm_start and hasattr(self, "net_")
        try:
            with torch_session(self.n_threads, seed, training=True):
                self._train(data, seqs, n_outputs, device, seed, stratify, warm, n_train)
        finally:
            # an epoch cut short (Ctrl-C, non-finite loss) has no loss: count whole epochs only
            if hasattr(self, "net_"):
                history = self.net_.history
                self.loss_curve_ = completed_epochs(history, "train_loss")
                self.validation_loss_curve_ = (
                    completed_epochs(history, "valid_loss") if self.early_stopping else None
                )
                self.n_iter_ = len(self.loss_curve_)
                _warn_if_diverged(self.loss_curve_)

    def _train(
        self,
        data: SequenceDataset,
        seqs: Sequences,
        n_outputs: int,
        device: str,
        seed: int,
        stratify: np.ndarray | None,
        warm: bool,
        n_train: int,
    ) -> None:
        if warm:
            params = self.get_params(deep=False)
            changed = sorted(
                k for k, v in self._module_kwargs.items() if k in params and _same(params[k]) != _same(v)
            )
            if changed:
                raise ValueError(
                    f"warm_start=True continues training the fitted network, but {changed} changed "
                    "since it was built. Restore them or set warm_start=False to train a new network."
                )
            # the split of this call's data, not of the first fit's
            self.net_.train_split = (
                ValidSplit(self.validation_fraction, seed, stratify) if self.early_stopping else None
            )
            # start again from this fit's lr (the last cosine cycle ended near 0), over the
            # epochs this call's data gives (build_net applies the same rule to a new network)
            epochs = training_epochs(self.max_epochs, n_train, self.batch_size)
            self.net_.set_params(lr=self.lr)
            if self.lr_schedule == "cosine":
                self.net_.set_params(callbacks__lr_schedule__T_max=epochs)
            self.net_.partial_fit(data, None, epochs=epochs)
        else:
            module = self._build_module(seqs, n_outputs)
            self.net_ = self._build_net(module, device, seed, stratify, n_train)
            self.net_.fit(data, None)

    # -- inference -------------------------------------------------------------------------
    def _forward(self, X: Any) -> torch.Tensor:
        """Raw network outputs for ``X``, in the order of ``X``, as a CPU tensor."""
        check_is_fitted(self)
        seqs = self._validate_X(X, reset=False)
        with torch_session(self.n_threads):
            out = predict_in_batches(self.net_, SequenceDataset(seqs), self.batch_size)
        if not bool(torch.isfinite(out).all()):
            raise ValueError(
                f"The network's outputs for {int((~torch.isfinite(out)).any(1).sum())} of {len(out)} "
                "sequences are NaN or inf: either X holds values far outside the training range "
                "(they overflow float32; rescale X), or training diverged (loss_curve_ ends at "
                f"{self.loss_curve_[-1] if self.loss_curve_ else float('nan'):.4g}; lower lr and keep "
                "gradient_clip_value set)."
            )
        return out
