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
    # On some CPUs (an AMD EPYC VM; not the one of earlier sessions) torch's float32 kernels sum in
    # another order for one row than for twenty, nn.Linear alone by 4.8e-7: predictions of 0.42 differed
    # by 1.8e-7, over the check's atol of 1e-7 (float32's spacing there is 3e-8). That a sequence's
    # outputs do not depend on its batch neighbours, within float32 rounding, is asserted by
    # tests/test_architectures.py::test_padding_and_neighbours_do_not_change_a_sequence (atol 1e-5).
    "check_methods_subset_invariance": (
        "float32 kernels sum in an order that depends on the batch's size on some CPUs: outputs of "
        "one row alone and among twenty differ by a few float32 roundings, over the check's 1e-7"
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
