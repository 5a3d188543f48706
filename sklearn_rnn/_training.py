"""Training and running a network through skorch: what every estimator of the library shares.

:class:`TrainingMixin` holds the path every estimator trains on: the training
parameters and their constraints (declared once here), the seed a fit derives,
a new network or the fitted one trained further (``warm_start``, a
forecaster's ``update``), the history, and prediction in batches. Below it:
the skorch net (:class:`Net`, :func:`build_net`), datasets of padded
sequences and their batches, and the epoch budget of ``max_epochs="auto"``.
"""

from __future__ import annotations

import functools
import inspect
import logging
import math
import warnings
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import cloudpickle
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from skorch import NeuralNet
from skorch.callbacks import LRScheduler
from skorch.utils import to_tensor
from torch.nn.modules.batchnorm import _BatchNorm
from torch.optim.lr_scheduler import CosineAnnealingLR
from torch.utils.data import Dataset

from ._callbacks import (
    BestEpochStopping,
    EpochProgress,
    EpochTable,
    GradientClipping,
    NonFiniteLossGuard,
    RestoreBestEpoch,
    completed_epochs,
)
from ._data import Sequences
from ._networks.recurrent import CELLS
from ._runtime import (
    current_generator,
    global_rng_restored,
    interrupt_requested,
    resolve_device,
    seeded_init,
    torch_session,
    user_stacklevel,
)

logger = logging.getLogger(__name__)

OPTIMIZERS = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
FUSED = ("adam", "adamw")  # the optimizers run with their fused kernel on CPU and CUDA
# the callbacks a net is built with, by name; the classifier's "augmentation" (window warping) is
# checked as it is resolved, the others by _continue_with_settings
OWN_CALLBACKS = frozenset(
    {
        "nonfinite_guard",
        "gradient_clip",
        "lr_schedule",
        "restore_best",
        "early_stopping",
        "feedback",
        "augmentation",
    }
)


def restored_on_error(fit: Callable) -> Callable:
    """Wrap a scikit-learn ``fit`` so that one that raises leaves the estimator as it was.

    A fit sets fitted attributes (``classes_``, the target's scaling, the
    features') before checks that can still refuse the data or a parameter,
    and before the network trains; without this, a refit that raised kept the
    new labels or scaling over the old network, and ``predict`` returned the
    old model's outputs under them with no error. The attributes are
    restored as they were bound. Not on ``KeyboardInterrupt`` (Ctrl-C keeps
    the model trained so far, as documented), nor once ``warm_start`` has
    trained the fitted network further in place: the attributes stay those of
    the network (a warm refit refused before it trains is restored).
    """

    @functools.wraps(fit)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        state = dict(vars(self))
        net = state.get("net_") if getattr(self, "warm_start", False) else None
        epochs = len(net.history) if net is not None else None
        try:
            return fit(self, *args, **kwargs)
        except Exception:
            if net is not None and self.__dict__.get("net_") is net and len(net.history) != epochs:
                raise  # the fitted network trained further in place: the attributes stay with it
            vars(self).clear()
            vars(self).update(state)
            raise

    return wrapper


class SequenceDataset(Dataset):
    """Padded sequences, targets and sample weights held as whole tensors.

    A subset (early stopping's training and validation parts) shares the
    sequences' tensor and picks its ``rows`` batch by batch: a view of
    overlapping windows (:func:`~sklearn_rnn.preprocessing.sliding_windows`)
    is not copied window by window.
    """

    def __init__(self, seqs: Sequences, y: np.ndarray | None = None, sample_weight: np.ndarray | None = None):
        with warnings.catch_warnings():  # read-only views (e.g. sliding_windows) are never written to
            warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
            self.X = torch.from_numpy(seqs.values)
        self.level = None if seqs.level is None else torch.as_tensor(seqs.level, dtype=self.X.dtype)
        self.lengths = None if seqs.equal_lengths else torch.from_numpy(seqs.lengths)
        self.y = None if y is None else torch.from_numpy(y)
        self.sample_weight = None if sample_weight is None else torch.from_numpy(sample_weight)
        self.rows = None  # all of X, in order

    def __len__(self) -> int:
        rows = getattr(self, "rows", None)
        return len(self.X) if rows is None else len(rows)

    def subset(self, indices: np.ndarray) -> SequenceDataset:
        out = SequenceDataset.__new__(SequenceDataset)
        idx = torch.as_tensor(indices)
        out.X = self.X
        rows = getattr(self, "rows", None)
        out.rows = idx if rows is None else rows[idx]
        out.level = self.level
        out.lengths = None if self.lengths is None else self.lengths[idx]
        out.y = None if self.y is None else self.y[idx]
        out.sample_weight = None if self.sample_weight is None else self.sample_weight[idx]
        return out

    def batch(self, idx: torch.Tensor | slice) -> tuple[dict[str, torch.Tensor], torch.Tensor | None]:
        """One batch as ``({"X", ["lengths"], ["sample_weight"]}, y)``, trimmed to its longest sequence."""
        rows = getattr(self, "rows", None)
        X = self.X[idx if rows is None else rows[idx]]
        x = {"X": X if getattr(self, "level", None) is None else X - self.level}
        if self.lengths is not None:
            lengths = self.lengths[idx]
            x["X"] = x["X"][:, : int(lengths.max())]
            x["lengths"] = lengths
        if self.sample_weight is not None:
            x["sample_weight"] = self.sample_weight[idx]
        return x, None if self.y is None else self.y[idx]


def _warn_if_on_another_device(net: Any, device: str) -> None:
    """Warn where training further would run on another device than ``device`` asks: the network and
    its optimizer's state stay where they are (a model loaded by :func:`sklearn_rnn.load`: the CPU)."""
    where = next((p.device for p in net.module_.parameters()), torch.device(net.device))
    try:
        wanted = torch.device(resolve_device(device) if device == "auto" else device)
    except (RuntimeError, TypeError, ValueError):  # refused by the next fit from scratch
        return
    same = wanted.type == where.type and (wanted.index is None or wanted.index == (where.index or 0))
    if not same:
        warnings.warn(
            f"Training further (warm_start=True, or the forecaster's update) goes on where the fitted "
            f"network is, on {where}, not on device={device!r}: a network and its optimizer's state are "
            f"not moved. Set device={str(where)!r} to silence this, or fit with warm_start=False to "
            f"train a new network on {device!r}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )


def training_batches(n_train: int, batch_size: int) -> int:
    """Optimizer steps in an epoch of ``n_train`` sequences: a last batch of one joins the one before."""
    batches = math.ceil(n_train / batch_size)
    return batches - 1 if batches > 1 and n_train % batch_size == 1 else batches


class BatchIterator:
    """Yield whole-tensor batches of a :class:`SequenceDataset` (no per-sample collation).

    With ``shuffle=True`` the order is new every epoch, drawn from the training
    session's generator. With ``by_length=True`` ragged sequences are shuffled,
    then sorted by length within pools of ``pool_batches`` batches, and the
    batches' order is shuffled again: a batch holds sequences of similar length
    (so it pads little), while which sequences meet, and in what order batches
    come, still change every epoch. A network with batch norm is trained on
    batches drawn at random instead (``by_length=False``, the default, which a
    net pickled before the choice also gets; its convolutions read
    a ragged batch packed, so the padding costs nothing there): batch norm
    normalises each batch by its own statistics, and where lengths go with
    classes, batches of like lengths are batches of few classes, whose
    statistics give the class away in training but not in prediction (on
    PickupGestureWiimoteZ one network ended training at a loss of 0.006 and
    then got 0.82 of its own training sequences right). A last batch of one
    sequence is joined to the one before it (batch norm needs more than one
    value per channel).
    """

    pool_batches = 50

    def __init__(
        self, dataset: SequenceDataset, batch_size: int, shuffle: bool = False, by_length: bool = False
    ):
        self.dataset = dataset
        self.batch_size = int(batch_size)  # torch's split takes int only, not numpy's
        self.shuffle = shuffle
        self.by_length = by_length

    def __len__(self) -> int:
        if self.shuffle:
            return training_batches(len(self.dataset), self.batch_size)
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n, lengths = len(self.dataset), self.dataset.lengths
        if not self.shuffle:
            for start in range(0, n, self.batch_size):
                yield self.dataset.batch(slice(start, start + self.batch_size))
            return
        generator = current_generator()
        order = torch.randperm(n, generator=generator)
        by_length = lengths is not None and self.by_length
        if by_length:
            pools = order.split(self.pool_batches * self.batch_size)
            order = torch.cat([pool[torch.argsort(lengths[pool], stable=True)] for pool in pools])
        batches = list(order.split(self.batch_size))
        if len(batches) > 1 and len(batches[-1]) == 1:
            batches[-2:] = [torch.cat(batches[-2:])]
        if by_length:
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


def warn_if_diverged(loss_curve: list[float], earlier: int = 0) -> None:
    """Warn when the training loss ended far above where it started (finite, so no guard stopped it).

    ``earlier``: the epochs of the fits a warm fit went on from. Its loss is in the
    units of the first fit's scaling, which it keeps, so a rise may also be data in
    other units: the warning says so.
    """
    if len(loss_curve) >= 2 and loss_curve[-1] > 10 * max(loss_curve[0], 1.0):
        units = (
            ", or this warm fit's data are in other units than the first fit's, whose scaling a warm "
            "fit keeps (for such data, fit a new network: warm_start=False)"
            if earlier
            else ""
        )
        warnings.warn(
            f"The training loss rose from {loss_curve[0]:.4g} to {loss_curve[-1]:.4g}: training "
            f"diverged{units}. Lower lr, keep gradient_clip_value set, or scale the inputs.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )


def valid_size(fraction: float, n: int) -> int:
    """How many of ``n`` sequences early stopping holds out (at least one)."""
    return max(1, round(fraction * n))


def weights_of_mean_one(weights: np.ndarray) -> np.ndarray:
    """Non-negative weights (not all 0) scaled to mean 1, as float32.

    The loss of a batch is ``mean(weight * loss)`` (:meth:`Net.get_loss`), so
    the loss of a set of sequences whose weights have mean 1 is their weighted
    mean loss: a sequence of weight 2 counts twice, whichever batch it is in.
    Scaled in float64 by the largest first (no overflow); weights that float32
    rounded to 0 stay 0.
    """
    scaled = np.asarray(weights, dtype=np.float64)
    largest = scaled.max()
    if largest > 0:
        scaled = scaled / largest
        scaled = scaled * (len(scaled) / scaled.sum())
    return scaled.astype(np.float32)


class ValidSplit:
    """Hold out ``fraction`` of the training data, stratified when ``stratify`` is given."""

    def __init__(self, fraction: float, seed: int, stratify: np.ndarray | None = None):
        self.fraction = fraction
        self.seed = seed
        self.stratify = stratify

    def __call__(self, dataset: SequenceDataset, y: Any = None, **fit_params: Any):
        indices = np.arange(len(dataset))
        n_valid = valid_size(self.fraction, len(indices))
        if n_valid >= len(indices):
            raise ValueError(
                f"early_stopping=True holds out validation_fraction={self.fraction} of the {len(indices)} "
                "training samples (sequences, or windows of a series), which leaves none to train on. "
                "Pass more data, lower validation_fraction or set early_stopping=False."
            )
        stratify = self.stratify
        if stratify is not None and (
            np.bincount(stratify).min() < 2 or min(n_valid, len(indices) - n_valid) < len(np.unique(stratify))
        ):  # scikit-learn's split needs a sequence of each class on both sides
            stratify = None
        train, valid = train_test_split(indices, test_size=n_valid, random_state=self.seed, stratify=stratify)
        parts = dataset.subset(np.sort(train)), dataset.subset(np.sort(valid))
        for part in parts:  # each part's loss is its weighted mean (windows of a series have no weights)
            if getattr(part, "sample_weight", None) is not None:
                part.sample_weight = torch.from_numpy(weights_of_mean_one(part.sample_weight.numpy()))
        return parts


class Net(NeuralNet):
    """skorch's loop with per-sample weights taken from the batch's ``sample_weight``."""

    # Pickled apart and loaded with a map_location, so that a net pickled on a GPU opens on a
    # CPU-only machine. skorch lists module_, optimizer_ and criterion_; the module is also the
    # ``module`` argument (an instance), and, off the CPU, callbacks hold CUDA tensors (early
    # stopping's best weights): without them, those failed to unpickle (__getstate__).
    cuda_dependent_attributes_ = ["module", "module_", "optimizer_", "criterion_", "callbacks"]

    def __getstate__(self) -> dict[str, Any]:
        """skorch's state: the CUDA-dependent attributes pickled apart, by cloudpickle.

        skorch pickles them with the standard library's pickle, which refuses a
        callback's lambda or a class defined in a script: a fitted estimator
        with one could not come back from a loky worker, and Dask waited for
        ever. cloudpickle writes the same, and those by value. A net on the CPU
        has no CUDA tensors to map and leaves everything to the outer pickler
        (loky's, Dask's): its callbacks stay the estimator's ``callbacks``
        objects after a round trip, and the optimizer the learning-rate
        schedule holds is written once.
        """
        on_cpu = self.device is not None and torch.device(self.device).type == "cpu"
        prefixes = () if on_cpu else tuple(self.cuda_dependent_attributes_)
        state = self.__dict__.copy()
        apart = {key: state.pop(key) for key in list(state) if key.startswith(prefixes)}
        state["__cuda_dependent_attributes__"] = cloudpickle.dumps(apart)
        return state

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

    def _set_training(self, training: bool = True) -> None:
        """skorch's, which every batch calls: modules already in that mode are not walked again.

        Modes are only ever set on whole modules (``fit``, ``load`` and prediction
        leave them in eval mode), so a module's own flag is its children's.
        """
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def infer(self, x: Any, **fit_params: Any) -> torch.Tensor:
        if isinstance(x, dict) and "sample_weight" in x:
            x = {k: v for k, v in x.items() if k != "sample_weight"}
        return super().infer(x, **fit_params)

    def train_step_single(self, batch, **fit_params):
        """skorch's; for an ensemble in training, the mean of the networks' losses and their mean output.

        Each network back-propagates its own loss (:meth:`get_loss` sums them),
        so it trains as it would alone; the step reports what callbacks and the
        loss curve expect: the loss per network and the ensemble's ``(n,
        n_outputs)`` output.
        """
        step = super().train_step_single(batch, **fit_params)
        y_pred = step["y_pred"]
        if getattr(self.module_, "stacks_outputs", False):
            return {"loss": step["loss"].detach() / len(y_pred), "y_pred": y_pred.mean(0)}
        return step

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        if getattr(self.module_, "stacks_outputs", False):  # an ensemble in training: each network's loss
            loss = torch.stack([self.criterion_(y, y_true) for y in y_pred]).sum(0)
        else:
            loss = self.criterion_(y_pred, y_true)
        if loss.ndim > 1:
            loss = loss.flatten(1).mean(1)
        weight = X.get("sample_weight") if isinstance(X, dict) else None
        if weight is None:
            return loss.mean()
        # weights of mean 1 over the training set (``_fit_net``), or over each part of early
        # stopping's split (``ValidSplit``): the batch's weighted mean loss in that set's units (a
        # batch of weight 0 adds nothing; normalised by the batch's own total, weights would count
        # only against their batch neighbours)
        return (loss * to_tensor(weight, device=self.device)).mean()


def make_module(cls: type[torch.nn.Module], *args: Any, **kwargs: Any) -> tuple[torch.nn.Module, dict]:
    """``cls(*args, **kwargs)`` and its arguments by name (what ``sklearn_rnn.load`` rebuilds it from).

    Inside a seeded session the weights are drawn from the session's generator.
    """
    bound = inspect.signature(cls).bind(*args, **kwargs)
    bound.apply_defaults()  # every argument recorded, defaults included
    # numpy numbers (a grid of np.arange(8, 33, 8)) as Python's: torch's layers take int only
    arguments = {key: python_numbers(value) for key, value in bound.arguments.items()}
    with global_rng_restored():  # torch's default initialisation draws from the global generator
        module = cls(**arguments)
    generator = current_generator()
    if generator is not None:
        seeded_init(module, generator)
    return module, arguments


def python_numbers(value: Any) -> Any:
    """``value`` with numpy scalars, also inside tuples and lists, as Python numbers."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return type(value)(python_numbers(v) for v in value)
    return value


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
    return max(MIN_EPOCHS, math.ceil(min_steps / training_batches(n_train, batch_size)))


# The ensemble of n_networks="auto", chosen by the procedure of benchmarks/accuracy.py: as many
# networks as fit in this many sequence-steps (epochs x training sequences x longest length, all
# networks together), from 1 to MAX_AUTO_NETWORKS
ENSEMBLE_BUDGET = 16_000_000
MAX_AUTO_NETWORKS = 5


def ensemble_size(n_networks: int | str, epochs: int, n_train: int, length: int) -> int:
    """The networks a fit trains: ``n_networks``, or for "auto" a rule of the training set's size.

    "auto": ``ENSEMBLE_BUDGET // (epochs * n_train * length)``, clipped to
    ``1..MAX_AUTO_NETWORKS``, ``length`` the longest sequence given to ``fit``
    (held-out validation sequences included). Fewer epochs leave room for more
    networks: the budget bounds the networks' total, not one network's cost.
    """
    if n_networks != "auto":
        return int(n_networks)
    steps = max(1, epochs * n_train * length)
    return int(min(MAX_AUTO_NETWORKS, max(1, ENSEMBLE_BUDGET // steps)))


def fit_seed(random_state: Any) -> int:
    """The seed a fit derives from ``random_state`` (an int, a RandomState or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def build_net(
    params: dict[str, Any],
    module: torch.nn.Module,
    criterion: Any,
    device: str,
    train_split: Callable | None,
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
        callbacks.append(("gradient_clip", GradientClipping(params["gradient_clip_value"])))
    if params["lr_schedule"] == "cosine":
        # last_epoch=-1: every fit, warm-started ones too, anneals from lr over its own max_epochs
        # (skorch would otherwise resume at len(history) and run past T_max, raising the lr again).
        callbacks.append(("lr_schedule", LRScheduler(CosineAnnealingLR, T_max=epochs, last_epoch=-1)))
    for callback in params["callbacks"] or []:
        if isinstance(callback, tuple) and callback[0] in OWN_CALLBACKS:
            raise ValueError(
                f"callbacks holds one named {callback[0]!r}, a name the estimator gives one of its own "
                f"({sorted(OWN_CALLBACKS)}). Name it otherwise."
            )
        callback = callback[1] if isinstance(callback, tuple) else callback
        monitor = getattr(callback, "monitor", None)
        if monitor in ("valid_loss", "valid_loss_best") and not params["early_stopping"]:
            raise ValueError(
                f"callbacks holds {type(callback).__name__}, which monitors {monitor}, but there is no "
                "validation split without early_stopping=True. Set early_stopping=True (it holds out "
                "validation_fraction of the data, stops after n_iter_no_change epochs without an "
                "improvement of tol and restores the best epoch), or monitor 'train_loss'."
            )
    if params["early_stopping"]:  # its best weights, restored before yours see the end of training
        callbacks.append(("restore_best", RestoreBestEpoch()))
    # before those that stop training (they raise in on_epoch_end): yours see every epoch run
    callbacks.extend(params["callbacks"] or [])
    if params["early_stopping"]:
        callbacks.append(
            (
                "early_stopping",
                BestEpochStopping(
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
        callbacks.append(("feedback", EpochTable() if params["verbose"] >= 2 else EpochProgress()))
    optimizer = params["optimizer"]
    # Adam(W)'s fused kernel: one call per step instead of a dozen ops per tensor, the same
    # update up to rounding (2.5x faster steps for an h64 LSTM on a CPU, benchmarks/speed.py)
    fused = optimizer in FUSED and torch.device(device).type in ("cpu", "cuda")
    optimizer = OPTIMIZERS[optimizer] if isinstance(optimizer, str) else optimizer
    kwargs = {
        "optimizer": optimizer,
        **({"optimizer__fused": True} if fused else {}),
        "lr": params["lr"],
        "max_epochs": epochs,
        "batch_size": params["batch_size"],
        "iterator_train": BatchIterator,
        "iterator_valid": BatchIterator,
        "iterator_train__shuffle": True,
        # batch norm's statistics must not depend on which sequences share a batch (BatchIterator)
        "iterator_train__by_length": not any(isinstance(m, _BatchNorm) for m in module.modules()),
        "train_split": train_split,
        "callbacks": callbacks,
        "callbacks__print_log": None,
        "predict_nonlinearity": None,
        "verbose": 0,
        "device": device,
    }
    net_kwargs = params["net_kwargs"] or {}
    refuse_clashing_net_kwargs(net_kwargs, kwargs)
    return Net(module, criterion, criterion__reduction="none", **{**kwargs, **net_kwargs})


# what the estimators' own parameters set on the net (net_kwargs may not set them)
OWN_NET_SETTINGS = {
    "optimizer": "optimizer",
    "lr": "lr",
    "max_epochs": "max_epochs",
    "batch_size": "batch_size",
    "callbacks": "callbacks (and early_stopping, n_iter_no_change, tol, lr_schedule, gradient_clip_value)",
    "train_split": "early_stopping and validation_fraction",
    "verbose": "verbose",
    "device": "device",
}


# skorch's other names for settings the estimator sets: optimizer__lr for lr, and the training
# batches' size (which would leave "auto" epochs and networks counting batch_size's)
OTHER_NAMES = {"optimizer__lr": "lr", "iterator_train__batch_size": "batch_size"}


def refuse_clashing_net_kwargs(net_kwargs: dict, settings: dict) -> None:
    """Refuse ``net_kwargs`` keys that would override what the estimator sets on the net.

    They replaced it without a word: ``callbacks`` removed early stopping,
    clipping, the schedule and the non-finite-loss guard (30 epochs ran and the
    last one's weights were kept), and ``max_epochs`` ran past the cosine
    schedule's end, so the learning rate rose again. The optimizer's own
    arguments (``optimizer__weight_decay``) and skorch's other settings pass,
    but skorch's other names for the estimator's settings (``OTHER_NAMES``).
    """

    def owner(key: str) -> str:
        return OTHER_NAMES.get(key, key.split("__")[0])

    clashing = [
        key
        for key in net_kwargs
        if key in OTHER_NAMES
        or not key.startswith("optimizer__")
        and (key in settings or owner(key) in ("module", "criterion", "callbacks"))
    ]
    if clashing:
        owners = sorted({OWN_NET_SETTINGS.get(owner(key), "") for key in clashing} - {""})
        instead = f"set them through the estimator's parameters ({'; '.join(owners)}) and " if owners else ""
        raise ValueError(
            f"net_kwargs sets {clashing}, which the estimator sets on its network itself and which "
            f"would silently replace its own settings: {instead}remove them from net_kwargs. It takes "
            "skorch's other settings and the optimizer's arguments, e.g. {'optimizer__weight_decay': 1e-4}."
        )


# The largest networks a fit builds and a saved file may hold (the load policy reads these too)
MAX_WIDTH = 2**16  # hidden units, convolution channels
MAX_LAYERS = 256  # layers; networks of an ensemble
MAX_SIZE = 2**24  # features, outputs, time steps, horizon, seasonal period
MAX_WINDOW_LENGTH = 2**16  # steps a network reads in one window (a loaded file's, before any is read)


class Int(Interval):
    """Integers from ``left`` to ``right`` (None: no bound), as a parameter constraint.

    scikit-learn's ``Interval(Integral, ...)`` takes ``True`` for 1: a fit
    would run, and the safe format would then refuse the saved file, whose
    load policy takes ints only.
    """

    def __init__(self, left: int, right: int | None = None) -> None:
        super().__init__(Integral, left, right, closed="left" if right is None else "both")

    def is_satisfied_by(self, val: Any) -> bool:
        return not isinstance(val, bool) and super().is_satisfied_by(val)


# The parameters of the recurrent network every estimator builds, and of its training
RECURRENT_CONSTRAINTS: dict = {
    "cell": [StrOptions(set(CELLS))],
    "hidden_size": [Int(1, MAX_WIDTH)],
    "num_layers": [Int(1, MAX_LAYERS)],
    "bidirectional": ["boolean"],
    "dropout": [Interval(Real, 0, 1, closed="left")],
}
TRAINING_CONSTRAINTS: dict = {
    "max_epochs": [Int(1), StrOptions({"auto"})],
    "batch_size": [Int(1)],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "optimizer": [StrOptions(set(OPTIMIZERS)), type],
    "lr_schedule": [StrOptions({"constant", "cosine"})],
    "gradient_clip_value": [Interval(Real, 0, None, closed="neither"), None],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Int(1)],
    "tol": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "device": [str],
    "n_threads": [Int(1), Options(Integral, {-1}), None],
    "verbose": ["verbose"],
    "callbacks": [list, None],
    "net_kwargs": [dict, None],
}


class TrainingMixin:
    """Training a network and running it, for an estimator holding the training parameters.

    The estimator provides ``_criterion()`` (its loss) and, for another
    validation split than a random one, ``_train_split``; it builds its
    dataset and module, and calls :meth:`_train`. Every fit derives one seed
    from ``random_state`` and trains in a session seeded with it (weights,
    dropout and shuffling draw from it; torch's global generator is left as it
    was) on ``n_threads`` threads.
    """

    def _criterion(self) -> Any:
        raise NotImplementedError

    def _train_split(self, seed: int, stratify: np.ndarray | None = None) -> Callable | None:
        """Early stopping's validation split (None without early stopping): a random share."""
        return ValidSplit(self.validation_fraction, seed, stratify) if self.early_stopping else None

    def _build_net(
        self,
        module: torch.nn.Module,
        device: str,
        seed: int,
        n_train: int | None = None,
        stratify: np.ndarray | None = None,
    ) -> Net:
        """The skorch net that trains ``module`` with this estimator's training parameters."""
        split = self._train_split(seed, stratify)
        net = build_net(self.get_params(deep=False), module, self._criterion(), device, split, n_train)
        net.callbacks.extend(self._batch_callbacks(seed))
        return net

    def _batch_callbacks(self, seed: int) -> list:
        """Named callbacks that change the training batches (the classifier's augmentation; none)."""
        return []

    def _train(
        self,
        data: Dataset,
        build_module: Callable[[], torch.nn.Module] | None,
        *,
        n_train: int | None = None,
        stratify: np.ndarray | None = None,
    ) -> None:
        """Train a new network (``build_module`` given), or train the fitted ``net_`` further.

        A new network is built inside the seeded session (its weights draw from
        it) and trained for ``max_epochs`` (``n_train``, the number of training
        samples, sets the epochs of "auto"). Training further keeps the
        network's weights and optimizer state and the history, on this call's
        validation split, and starts again from ``lr`` with a new cosine cycle
        over its own epochs (the last one ended near 0). Either way the history
        of whole epochs is recorded, also when training stops early (Ctrl-C, a
        non-finite loss).
        """
        seed = fit_seed(self.random_state)
        earlier = 0  # epochs of the fits this one goes on from (training further)
        try:
            with torch_session(self.n_threads, seed, training=True):
                if build_module is not None:
                    device = resolve_device(self.device)
                    self.net_ = self._build_net(build_module(), device, seed, n_train, stratify)
                    # kept by the outer pickler with self.callbacks (a GPU's net pickles its own apart)
                    self.net_.estimator_callbacks_ = list(self.callbacks or [])
                    self.net_.fit(data, None)
                    return
                epochs = training_epochs(self._continue_epochs(), n_train, self.batch_size)
                earlier = len(completed_epochs(self.net_.history, "train_loss"))
                self._continue_with_settings()
                self.net_.train_split = self._train_split(seed, stratify)
                # max_epochs: the epochs of this call (partial_fit trains its own; the progress bar reads it)
                self.net_.set_params(lr=self.lr, max_epochs=epochs)
                if self.lr_schedule == "cosine":  # read when training begins (see _continue_with_settings)
                    dict(self.net_.callbacks_)["lr_schedule"].T_max = epochs
                self.net_.partial_fit(data, None, epochs=epochs)
        finally:
            # a net that failed (or was interrupted) before its first epoch has no history: the
            # error that stopped it is the one to see
            if getattr(getattr(self, "net_", None), "history", None) is not None:
                self._record_history(earlier)

    def _continue_with_settings(self) -> None:
        """Give the fitted ``net_`` this estimator's training settings, or refuse the ones it lacks.

        Training further keeps the network's optimizer and callbacks: the
        user's go on as they are, the estimator's own and skorch's history
        callbacks start afresh as in a first fit; a new ``batch_size``,
        clipping threshold or early stopping's patience and tolerance are set
        on them; another optimizer, adding or removing
        clipping, the schedule, early stopping, the progress display or
        callbacks would need a new net, and are refused rather than ignored;
        the network trains where it is, with a warning where ``device`` says
        otherwise (:func:`_warn_if_on_another_device`).
        """
        net = self.net_
        built = dict(net.callbacks_)
        theirs = [c for c in net.callbacks if not (isinstance(c, tuple) and c[0] in OWN_CALLBACKS)]
        wanted = list(self.callbacks or [])
        # the objects the net was built with: on a GPU the net's are pickled apart, copies after a round trip
        built_with = getattr(net, "estimator_callbacks_", theirs)
        same_callbacks = len(built_with) == len(wanted) and all(
            a is b for a, b in zip(built_with, wanted, strict=True)
        )
        optimizer = OPTIMIZERS[self.optimizer] if isinstance(self.optimizer, str) else self.optimizer
        feedback = {0: None, 1: EpochProgress}.get(self.verbose, EpochTable)
        changed = [
            name
            for name, differs in (
                ("optimizer", net.optimizer is not optimizer),
                ("gradient_clip_value", ("gradient_clip" in built) != (self.gradient_clip_value is not None)),
                ("lr_schedule", ("lr_schedule" in built) != (self.lr_schedule == "cosine")),
                ("early_stopping", ("early_stopping" in built) != bool(self.early_stopping)),
                ("verbose", type(built.get("feedback")) is not (feedback or type(None))),
                ("callbacks", not same_callbacks),
            )
            if differs
        ]
        if changed:
            raise ValueError(
                f"warm_start=True continues training the fitted network, but {changed} changed since it "
                "was built, and its training cannot take them. Restore them or set warm_start=False to "
                "train a new network."
            )
        _warn_if_on_another_device(net, self.device)
        # the estimator's callbacks and skorch's history ones start afresh, as in a first fit (skorch's
        # valid_loss_best would compare this fit's losses with the last one's best); the user's go on
        # as they are, as skorch's partial_fit keeps them (a LoadInitState loads once). The settings
        # are set on the callbacks directly: skorch's set_params(callbacks__...) initialises every
        # callback again, and did so only where one of these was set
        fresh = OWN_CALLBACKS | {name for name, _ in net.get_default_callbacks()}
        for name, callback in net.callbacks_:
            if name in fresh:
                callback.initialize()
        net.set_params(batch_size=self.batch_size)
        if "gradient_clip" in built:
            built["gradient_clip"].gradient_clip_value = self.gradient_clip_value
        if "early_stopping" in built:
            built["early_stopping"].patience = self.n_iter_no_change
            built["early_stopping"].threshold = self.tol

    def _continue_epochs(self) -> int | str:
        """The epochs of training further: ``max_epochs`` (a forecaster's update has its own)."""
        return self.max_epochs

    def _record_history(self, earlier: int = 0) -> None:
        """``loss_curve_``, ``validation_loss_curve_`` and ``n_iter_`` from the whole epochs run (the
        ``earlier`` ones those of the fits a warm fit went on from)."""
        history = self.net_.history
        self.loss_curve_ = completed_epochs(history, "train_loss")
        self.validation_loss_curve_ = completed_epochs(history, "valid_loss") if self.early_stopping else None
        self.n_iter_ = len(self.loss_curve_)
        warn_if_diverged(self.loss_curve_, earlier)

    def _predict_raw(self, dataset: Any) -> torch.Tensor:
        """The network's outputs for every row of ``dataset``, in eval mode, as a CPU tensor."""
        with torch_session(self.n_threads):
            return predict_in_batches(self.net_, dataset, self.batch_size)
