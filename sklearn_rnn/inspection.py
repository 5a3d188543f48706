"""Inspection of fitted estimators: which time steps drive a classifier's decisions.

The figures of these values are in :mod:`sklearn_rnn.plotting`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._runtime import torch_session

__all__ = ["time_step_attribution"]


def _target_indices(classes: np.ndarray, probabilities: np.ndarray, target: Any) -> np.ndarray:
    """Column of ``classes`` to explain for each sequence: ``target``'s, or the most probable one."""
    if target is None:
        return probabilities.argmax(axis=1)
    target = np.asarray(target).ravel()
    if len(target) != len(probabilities):
        raise ValueError(
            f"target must hold one label per sequence ({len(probabilities)}), got {len(target)}."
        )
    positions = np.clip(np.searchsorted(classes, target), 0, len(classes) - 1)
    unknown = classes[positions] != target
    if unknown.any():
        unknown_labels = sorted(set(target[unknown].tolist()))
        raise ValueError(f"target holds labels not in classes_ {classes.tolist()}: {unknown_labels}.")
    return positions


def time_step_attribution(
    estimator: Any, X: Any, target: Any = None, *, method: str = "occlusion"
) -> np.ndarray:
    """How much each time step of each sequence supports a class, for a fitted classifier.

    Parameters
    ----------
    estimator : RNNClassifier
        A fitted single-label classifier.
    X : array-like or list of arrays
        Sequences, in the layout used for ``fit`` (may be ragged).
    target : array-like of shape (n_samples,), default=None
        The class whose probability is explained for each sequence (e.g. the
        true labels). None uses the predicted class.
    method : {"occlusion", "gradient"}, default="occlusion"
        "occlusion": the drop of the target probability when the step is
        replaced by the training mean of each feature (positive: the step
        supports the class; a missing value stays missing, so a step without
        any value gets 0). One forward pass per time step; where the model
        is confident the probability barely moves, and most values are near 0.
        "gradient": gradient x input, the gradient of the target's log-odds
        ``log(p / (1 - p))`` (which, unlike the probability, does not saturate
        where the model is confident) with respect to the step's inputs times
        their distance from the training mean, summed over features. One
        backward pass in all.

    Returns
    -------
    attribution : ndarray of shape (n_samples, max_length)
        One value per observed step; NaN past each sequence's length.

    See Also
    --------
    sklearn_rnn.plotting.plot_time_step_attribution : The figure of these values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import RNNClassifier
    >>> from sklearn_rnn.inspection import time_step_attribution
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 6, 1))
    >>> y = (X[:, 2, 0] > 0).astype(int)
    >>> clf = RNNClassifier(hidden_size=8, max_epochs=20, random_state=0).fit(X, y)
    >>> time_step_attribution(clf, X[:4]).shape
    (4, 6)
    >>> ragged = [X[0], X[1, :4]]  # the second sequence has 4 steps: NaN after them
    >>> np.isnan(time_step_attribution(clf, ragged, method="gradient")).sum(axis=1)
    array([0, 2])
    """
    if method not in ("occlusion", "gradient"):
        raise ValueError(f"method must be 'occlusion' or 'gradient', got {method!r}.")
    check_is_fitted(estimator)
    if not hasattr(estimator, "classes_") or not hasattr(estimator, "net_"):
        raise TypeError(f"time_step_attribution needs an RNNClassifier, got {type(estimator).__name__}.")
    if getattr(estimator, "_multilabel", False):
        raise ValueError(
            "time_step_attribution explains one class per sequence (softmax outputs); this classifier "
            "was fitted on multi-label y, whose labels are independent sigmoid outputs."
        )
    seqs = estimator._validate_X(X, reset=False)
    module = estimator.net_.module_
    if module.training:  # as in predict: left in eval mode, never toggled back
        module.eval()
    device = next(module.parameters()).device
    values = torch.from_numpy(seqs.values).to(device)
    if seqs.level is not None:  # as the network reads them (SequenceDataset)
        values = values - torch.as_tensor(seqs.level, dtype=values.dtype, device=device)
    lengths = None if seqs.equal_lengths else torch.from_numpy(seqs.lengths)
    n, n_steps = values.shape[:2]
    baseline = module.x_mean.to(values.dtype)
    rows = torch.arange(n, device=device)
    head = estimator._head()  # softmax over the classes, as predict_proba
    with torch_session(estimator.n_threads):
        with torch.no_grad():
            proba = head(module(values, lengths).double())
        classes = _target_indices(np.asarray(estimator.classes_), proba.cpu().numpy(), target)
        classes = torch.from_numpy(classes).to(device)
        if method == "occlusion":
            attribution = torch.zeros((n, n_steps), dtype=torch.float64)
            reference = proba[rows, classes]
            with torch.no_grad():
                for t in range(n_steps):
                    occluded = values.clone()
                    # a missing value stays missing: occluding it would invent a reading (the mask flips)
                    occluded[:, t] = torch.where(torch.isnan(values[:, t]), values[:, t], baseline)
                    p = head(module(occluded, lengths).double())[rows, classes]
                    attribution[:, t] = (reference - p).cpu()
        else:
            inputs = values.clone().requires_grad_(True)
            with torch.enable_grad():
                scores = module(inputs, lengths)
                others = scores.index_put((rows, classes), torch.tensor(float("-inf"), device=device))
                log_odds = scores[rows, classes] - torch.logsumexp(others, dim=1)
                (grad,) = torch.autograd.grad(log_odds.sum(), inputs)
            # a missing (NaN) value contributes nothing of its own (missing="mask" carries the last one)
            contribution = torch.nan_to_num(grad * (values - baseline), nan=0.0)
            attribution = contribution.sum(dim=2).double().cpu()
    out = attribution.numpy()
    out[np.arange(n_steps)[None, :] >= seqs.lengths[:, None]] = np.nan
    return out
