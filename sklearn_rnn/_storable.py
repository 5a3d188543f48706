"""What an estimator declares to be saved: the version stamp of its pickles, the safe format's hooks.

Every estimator of the library inherits both mixins; :mod:`sklearn_rnn._persistence`
(``save`` and ``load``) asks the estimator, through :class:`SafeFormatMixin`, what
it stores and how it restores, and keeps the table of the classes it builds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ._codec import Encoder, StoredArrays

__all__ = ["InconsistentVersionWarning", "SafeFormatMixin", "VersionedPickleMixin", "library_version"]


class InconsistentVersionWarning(UserWarning):
    """A model file or pickle was written by another version of sklearn_rnn (or torch)."""


def library_version() -> str:
    from . import __version__

    return __version__


class VersionedPickleMixin:
    """Stamp pickles with the sklearn_rnn version; warn when one from another version is loaded.

    What scikit-learn's ``BaseEstimator`` does with ``_sklearn_version`` for its
    own estimators (it skips classes defined outside scikit-learn). Place it left
    of ``BaseEstimator`` (or sktime's ``BaseForecaster``): it cooperates with
    their ``__getstate__`` and ``__setstate__`` through ``super()``.
    """

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        return {**(state or {}), "_sklearn_rnn_version": library_version()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        version = state.pop("_sklearn_rnn_version", None)
        if version != library_version():
            saved = "an unknown version of sklearn_rnn" if version is None else f"sklearn_rnn {version!r}"
            warnings.warn(
                f"This {type(self).__name__} was pickled with {saved} and is unpickled with "
                f"{library_version()!r}. It may behave differently; re-fit and save it again with this "
                "version.",
                InconsistentVersionWarning,
                stacklevel=2,
            )
        _fill_added(type(self), state)
        try:
            super().__setstate__(state)
        except AttributeError:  # no __setstate__ above (plain objects, sktime's classes)
            self.__dict__.update(state)


def _fill_added(cls: type, state: dict[str, Any]) -> None:
    """Give a pickle made before a parameter existed its value then, as ``load`` does a file.

    Without it, ``get_params``, ``repr``, ``clone`` and ``fit`` of such a pickle
    failed with an ``AttributeError`` (``predict`` worked). A fitted attribute
    added with the parameter takes the parameter's value.
    """
    import inspect

    from ._load_policy import ADDED_ATTRIBUTES, ADDED_PARAMETERS

    accepted = inspect.signature(cls.__init__).parameters
    for name, then in ADDED_PARAMETERS.items():
        if name in accepted and name not in state:
            state[name] = then
    if "net_" in state:
        for key, parameter in ADDED_ATTRIBUTES.items():
            if parameter is not None and parameter in accepted and key not in state:
                state[key] = state[parameter]


class SafeFormatMixin:
    """What :func:`save` and :func:`load` ask of an estimator, with a plain estimator's answers.

    An estimator declares the network class it trains (``_network_class``;
    :data:`sklearn_rnn._load_policy.NETWORK_RULES` holds the rules for its constructor arguments), what
    its fitted attributes say the network outputs (``_network_outputs``), the
    attributes load rebuilds instead of reading them (``_not_stored``), the
    ones every file must hold (``_required_fitted``), what else the manifest
    keeps (``_saved_state``), and how a loaded estimator gets its fitted state
    back (``_restore_fitted``).
    """

    _network_class: type
    _not_stored: frozenset[str] = frozenset()
    # fitted attributes that every fit sets and every use reads with no fallback: load refuses a file
    # without one (attributes added later are not listed: files written before them load without them)
    _required_fitted: frozenset[str] = frozenset()

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "net_")

    def _network_outputs(self) -> dict[str, int]:
        """The network's constructor arguments that the fitted attributes fix (its outputs)."""
        raise NotImplementedError

    def _saved_state(self, encode: Encoder) -> dict[str, Any]:
        """Manifest entries beyond parameters, attributes, weights and history (none)."""
        return {}

    def _restore_fitted(
        self,
        attributes: dict[str, Any],
        rebuild_net: Callable[[Any], Any],
        manifest: dict[str, Any],
        arrays: StoredArrays,
    ) -> None:
        """Set the checked fitted attributes, then the network rebuilt from the file."""
        for key, value in attributes.items():
            setattr(self, key, value)
        self.net_ = rebuild_net(self)
