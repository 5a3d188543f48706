"""Missing values inside sequences: a clear error by default, masking plus carry-forward on request."""

import warnings

import numpy as np
import pytest
import sklearn
import torch
from sklearn.feature_selection import SequentialFeatureSelector

from sklearn_rnn import RNNClassifier, RNNRegressor, from_sktime
from sklearn_rnn._networks.recurrent import RecurrentNet, carry_forward

TINY = dict(hidden_size=4, fcn_filters=(4, 8, 4), max_epochs=2, n_networks=1, random_state=0)


def _with_nans(X, fraction, seed=0):
    """A copy of ``X`` (3D array or list of 2D arrays) with ``fraction`` of its values set to NaN."""
    rng = np.random.default_rng(seed)
    if isinstance(X, list):
        return [_with_nans(x, fraction, seed + i) for i, x in enumerate(X)]
    X = np.array(X, dtype=np.float64, copy=True)
    X[rng.random(X.shape) < fraction] = np.nan
    return X


def test_carry_forward_fills_with_last_observation_and_masks():
    X = torch.tensor([[[np.nan, 1.0], [2.0, np.nan], [np.nan, np.nan], [5.0, 3.0]]])
    filled, observed = carry_forward(X)
    expected = torch.tensor([[[0.0, 1.0], [2.0, 1.0], [2.0, 1.0], [5.0, 3.0]]])
    torch.testing.assert_close(filled, expected)
    torch.testing.assert_close(observed, (~torch.isnan(X)).float())


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
@pytest.mark.parametrize("where", ["fit", "predict"])
def test_default_rejects_nan_and_names_the_parameter(Estimator, where):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 6, 2))
    y = np.arange(12) % 2
    X_nan = X.copy()
    X_nan[3, 2, 1] = np.nan
    est = Estimator(**TINY)
    if where == "fit":
        with pytest.raises(ValueError, match="missing='mask'"):
            est.fit(X_nan, y)
    else:  # a fitted model's network cannot start masking: the fix is to impute, or to fit again
        est.fit(X, y)
        with pytest.raises(ValueError, match="contains NaN") as error:
            est.predict(X_nan)
        assert "impute X first, or fit again with missing='mask'" in str(error.value)
        assert "set missing='mask'" not in str(error.value)


def test_nan_padding_gets_the_fix_that_passes_the_sequences_unpadded():
    """A 3D array padded with NaN rows to one length: missing='mask' would read the padding as gaps."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(12, 6, 2))
    X[::3, 4:] = np.nan  # every third sequence is 4 steps long
    y = np.arange(12) % 2
    with pytest.raises(
        ValueError, match=r"fill the last rows.*\[x\[~np.isnan\(x\).all\(axis=-1\)\] for x in X\]"
    ) as error:
        RNNClassifier(**TINY).fit(X, y)
    fix = str(error.value).split("e.g. ")[1].split(" for a 3D array")[0]  # the message's fix, run as written
    unpadded = eval(fix, {"np": np, "X": X})
    assert [len(x) for x in unpadded] == [4 if i % 3 == 0 else 6 for i in range(12)]
    RNNClassifier(**TINY).fit(unpadded, y)
    gaps = rng.normal(size=(12, 6, 2))
    gaps[3, 2:4] = np.nan  # a gap inside a sequence is not padding
    with pytest.raises(ValueError, match="contains NaN") as error:
        RNNClassifier(**TINY).fit(gaps, y)
    assert "padding" not in str(error.value)


def test_nan_padding_read_as_gaps_warns_with_the_fix():
    """Found by a probe: a pivot of patients of unequal lengths, fitted with missing='mask', read each
    short patient's NaN tail as steps observed missing; its prediction moved with the longest other
    patient's length (2 of 40 classes flipped against the same patients at their own lengths)."""
    import pandas as pd

    rng = np.random.default_rng(4)
    lengths = rng.integers(5, 30, size=40)
    rows = [(i, t, v) for i, n in enumerate(lengths) for t, v in enumerate(rng.normal(size=n) + i % 2)]
    wide = pd.DataFrame(rows, columns=["pid", "t", "hr"]).pivot(index="pid", columns="t", values="hr")
    y = np.arange(40) % 2
    masked = RNNClassifier(missing="mask", **TINY)
    with pytest.warns(
        UserWarning, match=r"ending most of its sequences.*\[row\[~np.isnan\(row\)\] for row"
    ) as record:
        masked.fit(wide, y)
    fix = str(record[0].message).split("3D array, ")[1].split(" for a 2D table")[0]  # run as written
    unpadded = eval(fix, {"np": np, "X": wide})
    assert [len(row) for row in unpadded] == lengths.tolist()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked.fit(unpadded, y)  # the fix
        gaps = rng.normal(size=(40, 12, 2))
        gaps[::2, 3:5] = np.nan  # gaps inside sequences are what the mask is for
        gaps[1::2, 10:] = np.nan
        masked.fit(gaps, y)
        ends = rng.normal(size=(40, 12, 2))
        ends[:5, 10:] = np.nan  # a few runs that stopped early: not a padded table
        masked.fit(ends, y)
    # test data padded where fit's was not (found by a probe: predict was silent, and an 11-step
    # sequence padded to 30 steps moved its probability from 0.65 to 0.77)
    masked.fit(unpadded, y)
    with pytest.warns(UserWarning, match=r"ending most of its sequences"):
        masked.predict_proba(wide)


def test_a_sequence_without_a_value_warns_in_fit_and_predict():
    """Found by a probe: a patient with no recorded value, NaN at every step, was trained on and given
    an ordinary-looking prediction without a word (missing='mask' reads only its fill values)."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(int(n), 2)) for n in rng.integers(5, 15, 30)]
    for i in (3, 11, 17, 25):
        X[i][:] = np.nan
    y = np.arange(30) % 2
    clf = RNNClassifier(missing="mask", **TINY)
    with pytest.warns(
        UserWarning, match=r"4 sequence\(s\) of X hold no value.*\[3, 11, 17, 25\].*train it on nothing"
    ):
        clf.fit(X, y)
    with pytest.warns(UserWarning, match=r"hold no value.*predictions rest on no data"):
        clf.predict([np.full((6, 2), np.nan), X[0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.predict([np.where(np.arange(6)[:, None] == 2, 1.0, np.nan) * np.ones((6, 2)), X[0]])  # one value


def test_masked_arrays_read_their_masked_entries_as_gaps():
    """netCDF readers return masked arrays; numpy and scikit-learn read the fill value under the mask
    (9.97e36) as data, and the network was trained on it, with missing="mask" too."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8, 2))
    y = np.array(["a", "b", "c"] * 10)
    gaps = rng.random(X.shape) < 0.2
    masked = np.ma.masked_array(np.where(gaps, 9.96921e36, X), mask=gaps)
    as_nan = np.where(gaps, np.nan, X)
    params = dict(
        missing="mask", architecture="rnn", hidden_size=4, max_epochs=2, n_networks=1, random_state=0
    )
    clf = RNNClassifier(**params).fit(masked, y)
    np.testing.assert_array_equal(
        clf.predict_proba(masked), RNNClassifier(**params).fit(as_nan, y).predict_proba(as_nan)
    )
    np.testing.assert_array_equal(
        clf.predict_proba(list(masked)), clf.predict_proba(as_nan)
    )  # a list of them
    with pytest.raises(ValueError, match="Input X contains NaN"):  # missing="error": refused, as NaN is
        RNNClassifier(**{**params, "missing": "error"}).fit(masked, y)
    dates = np.ma.masked_array(np.datetime64("2020-01-01") + np.arange(240).reshape(30, 8, 1))
    with pytest.raises(TypeError, match=r"holds dates or durations"):  # not cast to floats on the way
        RNNClassifier(**params).fit(dates, y)
    with pytest.raises(ValueError, match="Complex data not supported"):
        RNNClassifier(**params).fit(np.ma.masked_array(X + 1j), y)
    targets = np.ma.masked_array(np.arange(30.0), mask=np.arange(30) == 4)  # a masked target: missing
    with pytest.raises(
        ValueError, match=r"y has missing or infinite targets .* for 1 of 30 sequences, at position \[4\]"
    ):
        RNNRegressor(**params).fit(as_nan, targets)
    labels = np.ma.masked_array(y, mask=np.arange(30) == 4)  # a masked label: missing, not its fill value
    with pytest.raises(ValueError, match=r"y has missing labels .* for 1 of 30 sequences, at position \[4\]"):
        RNNClassifier(**params).fit(as_nan, labels)
    with pytest.raises(ValueError, match=r"y has missing labels .* for 1 of 30 sequences, at position \[4\]"):
        clf.score(as_nan, labels)


def test_infinity_is_rejected_even_when_masking():
    X = np.zeros((6, 5, 1))
    X[0, 0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        RNNClassifier(missing="mask", **TINY).fit(X, np.arange(6) % 2)


def test_infinity_is_rejected_under_assume_finite_with_the_fix_for_infinity():
    """scikit-learn's assume_finite skips check_array's test: inf was called too large for float32,
    with a fix (divide X by a constant) that cannot remove it."""
    X = np.zeros((6, 5, 1))
    X[0, 0, 0] = np.inf
    with sklearn.config_context(assume_finite=True):
        with pytest.raises(ValueError, match=r"contains infinity\. Replace infinite values first"):
            RNNClassifier(missing="mask", **TINY).fit(X, np.arange(6) % 2)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_masked_estimators_tell_scikit_learn_they_take_nan(Estimator):
    """The allow_nan tag was False with missing="mask": scikit-learn's feature selectors, which read
    it, refused the NaN the estimator reads ("Input X contains NaN")."""
    X = _with_nans(np.random.default_rng(0).normal(size=(24, 4)), 0.1)
    y = np.arange(24) % 2
    assert Estimator(**TINY).__sklearn_tags__().input_tags.allow_nan is False
    selector = SequentialFeatureSelector(Estimator(missing="mask", **TINY), n_features_to_select=3, cv=2)
    assert selector.fit(X, y).get_support().sum() == 3


def test_scaling_statistics_ignore_nans():
    rng = np.random.default_rng(1)
    X = _with_nans(rng.normal(loc=5.0, scale=2.0, size=(20, 8, 3)), 0.3)
    clf = RNNClassifier(missing="mask", max_epochs=1, hidden_size=4, random_state=0)
    clf.fit(X, np.arange(20) % 2)
    module = clf.net_.module_
    np.testing.assert_allclose(module.x_mean.numpy() + clf._x_level, np.nanmean(X, axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(module.x_scale.numpy(), np.nanstd(X, axis=(0, 1)), rtol=1e-5)
    assert np.isfinite(clf.predict_proba(X)).all()


@pytest.mark.parametrize("architecture", ["rnn", "lstm-fcn", "mlstm-fcn"])
def test_masked_prediction_ignores_padding_and_neighbours(architecture):
    rng = np.random.default_rng(2)
    X = [_with_nans(rng.normal(size=(n, 3)), 0.2, seed=n) for n in (7, 4, 9, 5)]
    clf = RNNClassifier(architecture=architecture, missing="mask", **TINY).fit(X, [0, 1, 0, 1])
    together = clf.predict_proba(X)
    alone = np.vstack([clf.predict_proba([x]) for x in X])
    np.testing.assert_allclose(alone, together, atol=1e-5)


def test_mask_channel_tells_missing_from_a_carried_value():
    # A NaN and a repeat of the previous value carry the same filled input; only the mask differs.
    module = RecurrentNet(1, 2, architecture="rnn", missing="mask", hidden_size=4).eval()
    X = torch.tensor([[[1.0], [2.0], [2.0]]])
    X_missing = torch.tensor([[[1.0], [2.0], [np.nan]]])
    with torch.no_grad():
        assert not torch.allclose(module(X), module(X_missing))


@pytest.mark.slow
def test_ten_percent_missing_scores_close_to_complete_data():
    from sktime.datasets import load_basic_motions

    X_train, y_train = load_basic_motions(split="train", return_X_y=True)
    X_test, y_test = load_basic_motions(split="test", return_X_y=True)
    X_train, X_test = from_sktime(X_train), from_sktime(X_test)
    # one network each (the defaults train five on a set this small): the subject is the mask
    complete = RNNClassifier(n_networks=1, random_state=0).fit(X_train, y_train).score(X_test, y_test)
    gappy = RNNClassifier(missing="mask", n_networks=1, random_state=0)
    gappy.fit(_with_nans(X_train, 0.1, seed=1), y_train)
    score = gappy.score(_with_nans(X_test, 0.1, seed=2), y_test)
    assert complete >= 0.95
    assert score >= complete - 0.05, (score, complete)


@pytest.mark.parametrize("Estimator", [RNNClassifier, RNNRegressor])
def test_a_feature_never_recorded_in_training_is_refused(Estimator):
    """It got mean 0 and scale 1, and its values at predict (around -300) entered the network raw:
    predictions moved by 43 standard deviations of the target. RNNOutlierDetector refused it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8, 3))
    X[:, :, 2] = np.nan
    y = np.arange(30) % 2 if Estimator is RNNClassifier else X[:, :, 0].sum(1)
    estimator = Estimator(**TINY, missing="mask")
    with pytest.raises(ValueError, match=r"Feature\(s\) \[2\] of X hold no value in any training sequence"):
        estimator.fit(X, y)
    weights = np.r_[0.0, np.ones(29)]
    X[0, 3, 2] = 1.0  # recorded in one sequence only, which weighs 0
    with pytest.raises(ValueError, match=r"\[2\] .* training sequence of positive sample weight"):
        estimator.fit(X, y, sample_weight=weights)
    estimator.fit(X[:, :, :2], y)  # the fix, as written
    recorded = rng.normal(size=X.shape)
    estimator.fit(recorded, y)
    X[:, :, 2] = np.nan  # a warm start keeps the first fit's scales
    estimator.set_params(warm_start=True).fit(X, y)


def test_nan_in_a_warm_fit_after_setting_missing_names_warm_start_as_the_fix():
    """The message said set_params(missing='mask') takes effect at the next fit, in that very fit."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 8, 2)), np.arange(30) % 2
    clf = RNNClassifier(**TINY, warm_start=True).fit(X, y)
    gapped = X.copy()
    gapped[0, 2, 0] = np.nan
    clf.set_params(missing="mask")
    with pytest.raises(ValueError, match=r"takes effect at the next fit with warm_start=False"):
        clf.fit(gapped, y)
    assert clf.set_params(warm_start=False).fit(gapped, y).net_.module_.missing == "mask"  # the fix
