"""Training-fault callbacks: a loss that turns NaN or inf never leaves a broken model behind."""

from __future__ import annotations

import copy
import logging
import math
import warnings
from typing import Any

import torch
from sklearn.exceptions import ConvergenceWarning
from skorch.callbacks import Callback

__all__ = ["NonFiniteLossGuard", "completed_epochs"]

logger = logging.getLogger(__name__)


def completed_epochs(history: Any, key: str) -> list[float]:
    """Values of ``key`` in the epochs of a skorch history that ran to their end.

    An epoch interrupted part-way (``KeyboardInterrupt``, a non-finite loss) has
    no ``train_loss``; it is left out instead of raising ``KeyError``.
    """
    return [row[key] for row in history if key in row]


class NonFiniteLossGuard(Callback):
    """Stop training when the loss or the weights become NaN or inf, and restore the best weights.

    After every epoch the guard copies the module's and the optimizer's state
    when the monitored loss (``valid_loss`` when there is a validation split,
    ``train_loss`` otherwise) is the lowest so far; the state at the start of
    training counts as the first copy. When a batch's loss is not finite, or an
    epoch ends with non-finite weights, it restores that copy, warns with a
    :class:`~sklearn.exceptions.ConvergenceWarning` and ends training the way
    skorch's own early stopping does (``KeyboardInterrupt``, caught by skorch).
    The estimator therefore never keeps NaN weights, and ``net.history`` marks
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
        self._module_state = {k: v.detach().clone() for k, v in net.module_.state_dict().items()}
        self._optimizer_state = copy.deepcopy(net.optimizer_.state_dict())

    def _weights_finite(self, net: Any) -> bool:
        return all(bool(torch.isfinite(p).all()) for p in net.module_.parameters())

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
            stacklevel=2,
        )
        raise KeyboardInterrupt  # skorch's way to end the fit loop (see EarlyStopping)

    def on_batch_end(self, net: Any, batch: Any = None, training: bool = False, **kwargs: Any) -> None:
        loss = kwargs.get("loss")
        if loss is not None and not bool(torch.isfinite(loss.detach()).all()):
            self._stop(net, f"The {'training' if training else 'validation'} loss became {loss.item()}")

    def on_epoch_end(self, net: Any, **kwargs: Any) -> None:
        row = net.history[-1]
        key = "valid_loss" if "valid_loss" in row else "train_loss"
        loss = row.get(key, math.nan)
        if not math.isfinite(loss):
            self._stop(net, f"The {key} became {loss}")
        if not self._weights_finite(net):
            self._stop(net, "The network weights became NaN or inf")
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
                stacklevel=2,
            )
        if net.history and "train_loss" not in net.history[-1] and self.stopped_ is None:
            epoch = len(net.history)
            logger.info("Training was interrupted in epoch %d; the weights reached are kept.", epoch)
