"""sktime's own estimator checks for RNNForecaster and RNNAnomalyDetector, one pytest item per check.

The parameter sets come from each class's ``get_test_params`` (tiny networks,
one or two epochs). One check of the forecaster is expected to fail, with its
reason below; the detector passes every check.
"""

import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator, parametrize_with_checks  # noqa: E402

from sklearn_rnn import RNNAnomalyDetector, RNNForecaster  # noqa: E402

# Checks that are expected to fail, each with its reason.
EXPECTED_FAILURES: dict[str, str] = {
    "test__y_remember_data": (
        "RNNForecaster declares remember_data=False (sktime 1.3's default: it keeps its own history, "
        "and sktime 1.2 warns on every construction, clone and reset while the config is True), so "
        "sktime never sets _y at construction; the check switches the config on afterwards and reads "
        "_y as if it had been. Writing the reserved _y ourselves is what sktime's extension guide forbids."
    ),
}


@parametrize_with_checks([RNNForecaster, RNNAnomalyDetector])
def test_sktime_compatible(obj, test_name):
    if test_name in EXPECTED_FAILURES:
        pytest.xfail(EXPECTED_FAILURES[test_name])
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True)
