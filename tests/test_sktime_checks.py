"""sktime's own estimator checks for RNNForecaster, one pytest item per check.

The parameter sets come from ``RNNForecaster.get_test_params`` (tiny networks,
one or two epochs). No check is excluded.
"""

import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator, parametrize_with_checks  # noqa: E402

from sklearn_rnn import RNNForecaster  # noqa: E402

# Checks that are expected to fail, each with its reason. Empty: every check passes.
EXPECTED_FAILURES: dict[str, str] = {}


@parametrize_with_checks(RNNForecaster)
def test_sktime_compatible(obj, test_name):
    if test_name in EXPECTED_FAILURES:
        pytest.xfail(EXPECTED_FAILURES[test_name])
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True)
