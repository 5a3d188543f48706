"""scikit-learn's own estimator checks, driven by one table of cheap parameters."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import RNNClassifier, RNNOutlierDetector, RNNRegressor

# The default architecture (LSTM-FCN), made small, with enough epochs to learn scikit-learn's toy
# problems (about a second per fit). tests/test_module.py covers architecture="rnn".
_SMALL = dict(hidden_size=16, fcn_filters=(8, 16, 8), batch_size=32, lr=1e-2, n_networks=1, random_state=0)
CHECK_PARAMS = {
    RNNClassifier: dict(max_epochs=15, **_SMALL),
    RNNRegressor: dict(max_epochs=30, **_SMALL),
    RNNOutlierDetector: dict(max_epochs=10, hidden_size=8, random_state=0),
}

# Each expected failure, with its reason.
_SHARED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "training is minibatch SGD over shuffled batches: a weight of 2 scales a sample's "
        "gradient, repeating it changes the batches, so the two fits differ"
    ),
}
EXPECTED_FAILED_CHECKS: dict[type, dict[str, str]] = {
    RNNClassifier: dict(_SHARED_FAILURES),
    RNNRegressor: dict(_SHARED_FAILURES),
    RNNOutlierDetector: {},
}


@parametrize_with_checks(
    [cls(**params) for cls, params in CHECK_PARAMS.items()],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS[type(est)],
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
