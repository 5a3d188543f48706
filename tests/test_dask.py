"""Scale-out: a grid search over ``cell`` on a real local Dask cluster through joblib's dask backend."""

import os
import time

import joblib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from skorch.callbacks import Callback, EpochScoring

from sklearn_rnn import RNNClassifier, from_sktime

distributed = pytest.importorskip("distributed")
pytest.importorskip("sktime")

pytestmark = pytest.mark.slow


class ThreadProbe(Callback):
    """Record, at every epoch, torch's thread count and whether training ran outside this process."""

    def __init__(self, parent_pid=None):
        self.parent_pid = parent_pid

    def on_epoch_end(self, net, **kwargs):
        net.history.record("torch_threads", torch.get_num_threads())
        net.history.record("remote", float(os.getpid() != self.parent_pid))


def _history_scorer(key):
    def score(estimator, X, y):
        return float(max(estimator.net_.history[:, key]))

    return score


def _search():
    clf = RNNClassifier(
        hidden_size=8,
        max_epochs=4,
        batch_size=16,
        n_networks=1,
        random_state=0,
        callbacks=[("probe", ThreadProbe(parent_pid=os.getpid()))],
    )
    scoring = {
        "accuracy": "accuracy",
        "threads": _history_scorer("torch_threads"),
        "remote": _history_scorer("remote"),
    }
    return GridSearchCV(
        clf,
        {"cell": ["rnn", "gru", "lstm"]},
        cv=StratifiedKFold(2),
        scoring=scoring,
        refit="accuracy",
    )


def _cross_validate_with_a_lambda_callback(X, y):
    """cross_validate(return_estimator=True) with a lambda scorer as callback, on the active backend.

    On dask it never returned: the workers could not pickle the fitted estimators (their net
    pickled its callbacks with the standard library's pickle), Dask logged it and joblib waited.
    """
    accuracy = EpochScoring(lambda net, X, y: (net.predict(X).argmax(axis=1) == y).mean(), on_train=True)
    clf = RNNClassifier(hidden_size=8, max_epochs=2, n_networks=1, random_state=0, callbacks=[accuracy])
    return cross_validate(clf, X, y, cv=StratifiedKFold(2), return_estimator=True)


def test_grid_search_on_local_dask_cluster():
    from sktime.datasets import load_italy_power_demand

    X, y = load_italy_power_demand(split="train", return_X_y=True)
    X = from_sktime(X)

    local = _search().fit(X, y)
    assert local.cv_results_["mean_test_remote"].tolist() == [0.0, 0.0, 0.0]

    start = time.perf_counter()
    # ":0": no fixed port (8787 may be taken by another cluster); closed however the block ends.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_threads = client.run(torch.get_num_threads)
        with joblib.parallel_backend("dask"):
            remote = _search().fit(X, y)
            returned = _cross_validate_with_a_lambda_callback(X, y)
        ran_on = set(client.run(os.getpid).values())
    elapsed = time.perf_counter() - start

    assert len(worker_threads) == 2
    # Dask's nanny limits each worker process to its thread; the estimator bounds torch too.
    assert set(worker_threads.values()) == {1}
    np.testing.assert_array_equal(remote.cv_results_["mean_test_threads"], 1.0)
    np.testing.assert_array_equal(remote.cv_results_["mean_test_remote"], 1.0)
    assert os.getpid() not in ran_on

    # Same random_state, same folds: the cluster reproduces the local search exactly.
    for key in ("mean_test_accuracy", "split0_test_accuracy", "split1_test_accuracy"):
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_params_ == local.best_params_
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))
    # the fitted estimators came back, their lambda scorer with them, and predict
    for estimator in returned["estimator"]:
        assert len(estimator.net_.history[:, "<lambda>"]) == 2
        assert estimator.predict(X).shape == y.shape
    print(f"dask search incl. cluster start: {elapsed:.1f} s")
