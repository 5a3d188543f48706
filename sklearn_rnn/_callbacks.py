"""Training callbacks: early stopping, the non-finite loss guard, and what ``verbose`` prints.

A loss that turns NaN or inf never leaves a broken model behind
(:class:`NonFiniteLossGuard`); ``verbose=1`` shows a progress bar over the
epochs (:class:`EpochProgress`), ``verbose=2`` a table of every epoch
(:class:`EpochTable`), both ending with a one-line summary.
"""

from __future__ import annotations

import copy
import logging
import math
import sys
import time
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping

from ._runtime import current_generator, interrupt_requested, user_stacklevel

__all__ = [
    "BestEpochStopping",
    "EpochProgress",
    "EpochTable",
    "GradientClipping",
    "NonFiniteLossGuard",
    "completed_epochs",
]

logger = logging.getLogger(__name__)


def completed_epochs(history: Any, key: str) -> list[float]:
    """Values of ``key`` in the epochs of a skorch history that ran to their end.

    An epoch interrupted part-way (``KeyboardInterrupt``, a non-finite loss) has
    no ``train_loss``; it is left out instead of raising ``KeyError``. The
    values are Python floats, as a saved estimator loads them.
    """
    return [float(row[key]) for row in history if key in row]


class GradientClipping(GradientNormClipping):
    """skorch's gradient norm clipping, applied to each network of an ensemble on its own.

    An ensemble's networks (``Ensemble``:
    ``RecurrentNet`` or ``ForecastNet`` with ``n_networks > 1``) train side by side
    on their own losses; one norm over all of them would let one network's large
    gradient shrink the others' steps.
    """

    def on_grad_computed(self, net, named_parameters, **kwargs):
        module = net.module_
        if not getattr(module, "stacks_outputs", False):
            return super().on_grad_computed(net, named_parameters, **kwargs)
        for group in module.network_parameters():
            torch.nn.utils.clip_grad_norm_(
                group, max_norm=self.gradient_clip_value, norm_type=self.gradient_clip_norm_type
            )


class BestEpochStopping(EarlyStopping):
    """skorch's early stopping, restoring the epoch of lowest loss.

    Patience is skorch's: an epoch counts as a miss unless its loss is lower
    than that of the last epoch that counted by more than ``threshold`` (the
    estimator's ``tol``), and ``patience`` misses in a row stop training. The
    weights restored at the end are those of the epoch with the lowest loss,
    whatever ``threshold`` (as scikit-learn's ``MLPClassifier`` keeps its
    best-scoring epoch whatever ``tol``): skorch restores the last epoch that
    improved by more than ``threshold``, so a later, lower epoch was dropped
    (with the cosine schedule the last epochs improve by less than the
    default ``tol`` 1e-4, and training that ran all its epochs rolled back).
    ``best_epoch_`` is the epoch whose weights are restored.
    """

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        super().on_train_begin(net, **kwargs)
        self.lowest_ = math.inf

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        loss = net.history[-1, self.monitor]
        if loss < self.lowest_:  # NaN never is (the guard stops training on it)
            self.lowest_ = loss
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = _cloned(net.module_.state_dict())
        # skorch's patience, which raises to stop; an epoch it counts is also the lowest, whose
        # weights are copied above (skorch's deepcopy took 13x as long as the clone)
        load_best, self.load_best = self.load_best, False
        try:
            super().on_epoch_end(net, **kwargs)
        finally:
            self.load_best = load_best

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        """Restore the best weights where no :class:`RestoreBestEpoch` (before the user's callbacks) does:
        a net built before it, trained further."""
        if "restore_best" not in dict(net.callbacks_):
            self.restore_best(net)

    def restore_best(self, net: Any) -> None:
        """Load the best epoch's weights (skorch's ``on_train_end`` with ``load_best``)."""
        super().on_train_end(net)


class RestoreBestEpoch(Callback):
    """Restore early stopping's best weights when training ends, before the callbacks after it run.

    Early stopping (:class:`BestEpochStopping`, named ``"early_stopping"``)
    raises in ``on_epoch_end``, so it comes after the user's callbacks, which
    then see every epoch run; this callback comes before them, so that their
    ``on_train_end`` (a ``TrainEndCheckpoint``, a logger's saved model) sees
    the weights the estimator keeps.
    """

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        dict(net.callbacks_)["early_stopping"].restore_best(net)


class NonFiniteLossGuard(Callback):
    """Stop training when the loss or the weights become NaN or inf, and restore the best weights.

    After every epoch the guard copies the module's and the optimizer's state
    when the monitored loss (``valid_loss`` when there is a validation split,
    ``train_loss`` otherwise) is the lowest so far; the state at the start of
    training counts as the first copy. When a batch's loss is not finite, or an
    epoch ends with non-finite weights or optimizer state (Adam's second moments
    overflow under a huge step while the weights stay finite; a file holding
    them would not load, and training further from them would not move), it
    restores that copy, warns with a
    :class:`~sklearn.exceptions.ConvergenceWarning` and ends training the way
    skorch's own early stopping does (``KeyboardInterrupt``, caught by skorch).
    The estimator therefore never keeps NaN weights, running statistics or
    optimizer state, and ``net.history`` marks
    the epoch with ``"nonfinite_stop": True``.

    Attributes
    ----------
    best_loss_ : float
        Lowest monitored loss seen (inf before the first epoch ends).
    best_epoch_ : int
        Epoch whose weights are kept (0 means the weights training started from).
    stopped_ : str or None
        Why training was stopped, or None when it was not.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNRegressor
    >>> X = np.random.default_rng(0).normal(size=(16, 5, 1))
    >>> reg = RNNRegressor(hidden_size=4, max_epochs=2, random_state=0).fit(X, X[:, :, 0].sum(1))
    >>> dict(reg.net_.callbacks_)["nonfinite_guard"].stopped_ is None
    True
    """

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        self.best_loss_ = math.inf
        self.best_epoch_ = len(net.history)  # epochs of earlier (warm-started) calls
        self.stopped_: str | None = None
        self._snapshot(net)

    def _snapshot(self, net: Any) -> None:
        self._module_state = _cloned(net.module_.state_dict())
        self._optimizer_state = _cloned(net.optimizer_.state_dict())

    def _weights_finite(self, net: Any) -> bool:
        """Whether the parameters and the buffers (batch norm's running statistics) are all finite."""
        return _all_finite(net.module_.state_dict().values())

    def _optimizer_finite(self, net: Any) -> bool:
        """Whether the optimizer's state (moments, momentum buffers) is all finite."""
        return _all_finite(value for state in net.optimizer_.state.values() for value in state.values())

    def _stop(self, net: Any, reason: str) -> None:
        net.module_.load_state_dict(self._module_state)
        net.optimizer_.load_state_dict(self._optimizer_state)
        net.history.record("nonfinite_stop", True)
        self.stopped_ = reason
        kept = (
            "the weights training started from"
            if self.best_loss_ == math.inf
            else f"the weights of epoch {self.best_epoch_} (loss {self.best_loss_:.6g})"
        )
        warnings.warn(
            f"{reason} in epoch {len(net.history)}; training was stopped and {kept} were "
            "restored. The learning rate is probably too high or the data holds extreme values: "
            "lower lr, keep gradient_clip_value set, or scale the inputs.",
            ConvergenceWarning,
            stacklevel=user_stacklevel(),
        )
        raise KeyboardInterrupt  # skorch's way to end the fit loop (see EarlyStopping)

    def on_batch_end(self, net: Any, batch: Any = None, training: bool = False, **kwargs: Any) -> None:
        loss = kwargs.get("loss")
        if loss is not None and not math.isfinite(value := loss.item()):  # a batch's loss is a scalar
            self._stop(net, f"The {'training' if training else 'validation'} loss became {value}")

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        row = net.history[-1]
        key = "valid_loss" if "valid_loss" in row else "train_loss"
        loss = row.get(key, math.nan)
        if not math.isfinite(loss):
            self._stop(net, f"The {key} became {loss}")
        if not self._weights_finite(net):
            self._stop(net, "The network weights became NaN or inf")
        if not self._optimizer_finite(net):
            self._stop(net, "The optimizer's state became NaN or inf")
        if loss < self.best_loss_:
            self.best_loss_ = loss
            self.best_epoch_ = row["epoch"]
            self._snapshot(net)

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        if self.stopped_ is None and not self._weights_finite(net):  # interrupted mid-step
            net.module_.load_state_dict(self._module_state)
            net.optimizer_.load_state_dict(self._optimizer_state)
            self.stopped_ = "The network weights became NaN or inf"
            warnings.warn(
                f"{self.stopped_} when training ended; the weights of epoch {self.best_epoch_} "
                "were restored.",
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )
        if net.history and "train_loss" not in net.history[-1] and self.stopped_ is None:
            epoch = len(net.history)
            logger.info("Training was interrupted in epoch %d; the weights reached are kept.", epoch)


def _all_finite(values: Iterable[Any]) -> bool:
    """Whether every floating-point tensor among ``values`` is all finite (others are skipped)."""
    checks = [torch.isfinite(v).all() for v in values if torch.is_tensor(v) and v.is_floating_point()]
    return bool(torch.stack(checks).all()) if checks else True  # one read from a GPU, not one a tensor


def _cloned(state: Any) -> Any:
    """A copy of a state dict whose tensors are cloned (``copy.deepcopy`` took 13x as long)."""
    if isinstance(state, torch.Tensor):
        return state.detach().clone()
    if isinstance(state, dict):
        return {k: _cloned(v) for k, v in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(_cloned(v) for v in state)
    return copy.copy(state)


def _duration(seconds: float) -> str:
    """``0.42s``, ``12.3s``, ``4m 05s``, ``2h 03m``."""
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {seconds:02d}s"
    return f"{minutes // 60}h {minutes % 60:02d}m"


class _TrainingFeedback(Callback):
    """What ``verbose`` shows of a fit: one view per epoch, stop messages, a summary line.

    Epochs are read from ``net.history`` after they end. Early stopping and the
    non-finite guard end training by raising ``KeyboardInterrupt`` in their own
    ``on_epoch_end``, which skips the callbacks after them, so every epoch not
    shown yet is shown in ``on_train_end``: the last epoch always appears,
    before the stop messages and the summary. An epoch is marked best when its
    monitored loss (``valid_loss`` with a validation split, ``train_loss``
    otherwise) is the lowest so far: early stopping restores the weights of the
    last marked epoch (:class:`BestEpochStopping`).
    """

    # -- what subclasses show -------------------------------------------------------------------
    def _begin(self, net: Any) -> None:
        pass

    def _show(self, row: Any, lr: float | None, best: bool) -> None:
        raise NotImplementedError

    def _end(self, net: Any, messages: list[str], summary: str) -> None:
        raise NotImplementedError

    # -- skorch events --------------------------------------------------------------------------
    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        self.start_ = time.perf_counter()
        self.first_ = len(net.history)  # epochs of earlier (warm-started) calls are not shown
        self.shown_ = self.first_
        self.best_loss_ = math.inf
        self.best_epoch_: int | None = None
        self.lrs_: dict[int, float] = {}
        self._begin(net)

    def on_epoch_begin(self, net: Any, **kwargs: Any) -> None:
        groups = getattr(getattr(net, "optimizer_", None), "param_groups", None)
        if groups:  # the rate this epoch trains with (schedules step at the end of an epoch)
            self.lrs_[len(net.history) - 1] = float(groups[0]["lr"])  # skorch added the epoch's row

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        self._catch_up(net)

    def on_train_end(self, net: Any, **kwargs: Any) -> None:
        self._catch_up(net)
        messages, summary = self._report(net)
        self._end(net, messages, summary)

    def _catch_up(self, net: Any) -> None:
        """Show the finished epochs not shown yet (an epoch cut short has no ``train_loss``)."""
        history = net.history
        while self.shown_ < len(history) and "train_loss" in history[self.shown_]:
            row = history[self.shown_]
            loss = row.get("valid_loss", row["train_loss"])
            best = bool(loss < self.best_loss_)  # NaN never counts
            if best:
                self.best_loss_, self.best_epoch_ = loss, row["epoch"]
            self._show(row, self.lrs_.get(self.shown_), best)
            self.shown_ += 1

    def _report(self, net: Any) -> tuple[list[str], str]:
        """The stop and restore messages, and the summary line."""
        history = net.history
        rows = [row for row in history[self.first_ :] if "train_loss" in row]
        key = "valid_loss" if rows and "valid_loss" in rows[-1] else "train_loss"
        named = dict(getattr(net, "callbacks_", []))
        callbacks = list(named.values())
        # the estimator's own, which the user's come before; else the user's skorch early stopping
        early = named.get("early_stopping")
        if not isinstance(early, EarlyStopping):
            early = next((cb for cb in callbacks if isinstance(cb, EarlyStopping)), None)
        guard = next((cb for cb in callbacks if isinstance(cb, NonFiniteLossGuard)), None)
        last = history[-1]["epoch"] if len(history) > self.first_ else None
        messages: list[str] = []
        stop = ""
        kept: tuple[int | None, float] | None = None  # the epoch whose weights are kept, when not the last
        if guard is not None and getattr(guard, "stopped_", None):
            stop = f", stopped: {guard.stopped_[0].lower()}{guard.stopped_[1:]}"
            messages.append(f"Stopping in epoch {last}: {guard.stopped_}.")
            kept = (None, math.inf) if guard.best_loss_ == math.inf else (guard.best_epoch_, guard.best_loss_)
        elif early is not None and getattr(early, "misses_", 0) >= early.patience:
            stop = ", stopped early"
            by = f"{early.threshold:g}" + (" of its best" if early.threshold_mode == "rel" else "")
            messages.append(
                f"Stopping since {early.monitor} has not improved by more than {by} "
                f"in the last {early.patience} epochs."
            )
        elif last is not None and ("train_loss" not in history[-1] or interrupt_requested()):
            stop = f", interrupted in epoch {last}"
            messages.append(f"Training was interrupted in epoch {last}; the weights reached are kept.")
        if (  # skorch's EarlyStopping(load_best=True) restores its best weights in on_train_end
            early is not None
            and early.load_best
            and getattr(early, "best_model_weights_", None) is not None
            and last is not None
            and early.best_epoch_ != last
        ):
            loss = next((row[key] for row in rows if row["epoch"] == early.best_epoch_), math.nan)
            kept = (early.best_epoch_, loss)
        if kept is not None and kept[0] is None:
            messages.append("Restoring the weights training started from.")
        elif kept is not None:
            messages.append(f"Restoring the weights of epoch {kept[0]} ({key} {kept[1]:.5g}).")

        summary = f"{len(rows)} epoch{'' if len(rows) == 1 else 's'} in "
        summary += f"{_duration(time.perf_counter() - self.start_)}{stop}"
        if kept is not None and kept[0] is None:
            summary += "; no epoch ended with a finite loss, the initial weights are kept."
        elif kept is not None:
            summary += f"; best {key} {kept[1]:.5g} at epoch {kept[0]}, whose weights are kept."
        elif self.best_epoch_ is not None:
            summary += f"; best {key} {self.best_loss_:.5g} at epoch {self.best_epoch_}"
            if "train_loss" not in history[-1]:
                summary += f" (the weights reached in epoch {last} are kept)."
            elif self.best_epoch_ != last:
                summary += f" (the weights of epoch {last} are kept)."
            else:
                summary += "."
        else:
            summary += "."
        return messages, summary


class EpochProgress(_TrainingFeedback):
    """``verbose=1``: a progress bar over the epochs, with the latest losses and the time left.

    The bar is tqdm's (as skorch's ``ProgressBar``), written to ``sys.stdout``:
    a widget in a notebook when ipywidgets is installed, text otherwise, with
    tqdm's plain-text handling of files and pipes (no colour codes). A summary
    line follows when training ends. See :class:`_TrainingFeedback` for the
    best-epoch rule.
    """

    def _begin(self, net: Any) -> None:
        from tqdm.auto import tqdm

        self._close()
        self.pbar_ = tqdm(total=net.max_epochs, unit="epoch", file=sys.stdout, leave=True, dynamic_ncols=True)

    def _show(self, row: Any, lr: float | None, best: bool) -> None:
        postfix = f"train_loss={row['train_loss']:.4g}"
        if "valid_loss" in row:
            postfix += f", valid_loss={row['valid_loss']:.4g}"
        self.pbar_.set_postfix_str(postfix, refresh=False)
        self.pbar_.update(1)

    def _end(self, net: Any, messages: list[str], summary: str) -> None:
        self._close()
        print(summary, file=sys.stdout, flush=True)

    def _close(self) -> None:
        pbar = getattr(self, "pbar_", None)
        if pbar is not None:
            pbar.close()
        self.pbar_ = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("pbar_", None)  # a bar holds the output stream; it lives for one fit only
        return state


class EpochTable(_TrainingFeedback):
    """``verbose=2``: one plain-text line per epoch, the stop messages and a summary.

    Columns: epoch, train_loss, valid_loss (with a validation split), the
    learning rate the epoch trained with, its duration in seconds, and ``*`` on
    a new best epoch (see :class:`_TrainingFeedback`). No colour codes
    (skorch's ``PrintLog`` writes them), so the output reads the same in a
    terminal, a notebook and a log file.
    """

    def _begin(self, net: Any) -> None:
        self.header_ = False

    def _show(self, row: Any, lr: float | None, best: bool) -> None:
        valid = "valid_loss" in row
        if not self.header_:
            print(
                f"{'epoch':>5}  {'train_loss':>10}  "
                + (f"{'valid_loss':>10}  " if valid else "")
                + f"{'lr':>9}  {'dur':>6}",
                flush=True,
            )
            self.header_ = True
        line = f"{row['epoch']:5d}  {row['train_loss']:10.5g}  "
        if valid:
            line += f"{row['valid_loss']:10.5g}  "
        line += f"{lr:9.2e}  " if lr is not None else f"{'-':>9}  "
        line += f"{row.get('dur', math.nan):6.2f}" + ("  *" if best else "")
        print(line, flush=True)

    def _end(self, net: Any, messages: list[str], summary: str) -> None:
        for message in messages:
            print(message, flush=True)
        print(summary, flush=True)


class WindowWarp(Callback):
    """Window warping of the training batches: half the sequences of each batch read through a time map.

    In each chosen sequence a window of a tenth of its observed steps is sped up
    or slowed down by 2, and the whole is resampled (linear interpolation) to its
    length, so a sequence keeps its length, its range and its padding (Le Guennec
    et al. 2016; Iwana and Uchida 2021 survey it for time-series networks).
    Sequences of fewer than 10 steps, and those holding NaN (``missing="mask"``),
    are read as they are. The batch's values are replaced, never written in place
    (a batch may be a view of the user's data). Each fit draws from a generator
    seeded with its own seed (``seed`` outside a seeded session), so the same
    ``random_state`` warps alike.
    """

    def __init__(self, seed: int, share: float = 0.5, ratio: float = 0.1) -> None:
        self.seed = seed
        self.share = share
        self.ratio = ratio

    def initialize(self) -> WindowWarp:
        self.rng_ = np.random.default_rng(self.seed)
        return self

    def on_train_begin(self, net: Any, **kwargs: Any) -> None:
        """Draw from this fit's seed (the session's generator's), whatever re-initialised the callback.

        skorch re-initialises callbacks when some of them are set anew (a warm
        start's schedule), and ``load`` initialises the net it rebuilds: each fit,
        first or further, starts the warps from its own seed, as its shuffling.
        """
        generator = current_generator()
        self.rng_ = np.random.default_rng(self.seed if generator is None else generator.initial_seed())

    def on_batch_begin(self, net: Any, batch: Any = None, training: bool = False, **kwargs: Any) -> None:
        if not training:
            return
        inputs = batch[0]
        X, lengths = inputs["X"], inputs.get("lengths")
        values = X.detach().cpu().numpy().copy()
        warped = False
        for i, x in enumerate(values):
            n = len(x) if lengths is None else int(lengths[i])
            if self.rng_.random() >= self.share or n < 10 or np.isnan(x[:n]).any():
                continue
            width, factor = max(2, round(n * self.ratio)), self.rng_.choice([0.5, 2.0])
            start = self.rng_.integers(1, n - width - 1)
            # the window [start, start + width] takes width * factor steps of the warped time
            knots = [0, start, start + width * factor, n - 1 + width * (factor - 1)]
            positions = np.interp(np.linspace(0, knots[-1], n), knots, [0, start, start + width, n - 1])
            positions = np.clip(positions, 0, n - 1)
            below = np.floor(positions).astype(np.int64)
            above, fraction = np.minimum(below + 1, n - 1), (positions - below)[:, None]
            values[i, :n] = x[below] * (1 - fraction) + x[above] * fraction
            warped = True
        if warped:
            inputs["X"] = torch.from_numpy(values).to(X.device)
