"""Defects found by probing RNNClassifier and RNNRegressor as a demanding scikit-learn user would."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import RNNClassifier, RNNRegressor

TINY = dict(hidden_size=4, max_epochs=2, batch_size=8, n_networks=1, fcn_filters=(4, 4, 4), random_state=0)


def _pivot_of_a_long_table() -> tuple[pd.DataFrame, np.ndarray]:
    """A long table (id, step, value) pivoted to one row per id: shorter ids end in NaN columns."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 8, size=12)
    table = pd.DataFrame(
        [(f"id{i}", t, rng.normal()) for i, n in enumerate(lengths) for t in range(n)],
        columns=["id", "step", "value"],
    )
    return table.pivot(index="id", columns="step", values="value"), lengths


@pytest.mark.parametrize("as_array", [False, True])
def test_nan_padded_2d_table_gets_a_fix_that_works_on_a_table(as_array):
    """The padding hint for a 2D table (a pivot) named a fix for 3D arrays, which breaks on a table."""
    X, lengths = _pivot_of_a_long_table()
    if as_array:
        X = X.to_numpy()
    y = np.arange(len(lengths)) % 2
    with pytest.raises(ValueError, match="padding") as error:
        RNNClassifier(**TINY).fit(X, y)
    fix = str(error.value).split("e.g. ")[1].split(" for a 2D table")[0]  # the message's fix, as written
    unpadded = eval(fix, {"np": np, "X": X})
    assert [len(x) for x in unpadded] == np.isfinite(np.asarray(X, dtype=float)).sum(axis=1).tolist()
    assert sorted(len(x) for x in unpadded) == sorted(lengths.tolist())
    RNNClassifier(**TINY).fit(unpadded, y)


def test_frame_of_list_cells_from_groupby_agg_gets_a_fix_that_works():
    """groupby(id).agg(list) of several features: the error sent users to from_sktime, which refused it."""
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 7, size=8)
    table = pd.DataFrame(
        [(f"id{i}", t, rng.normal(), rng.normal()) for i, n in enumerate(lengths) for t in range(n)],
        columns=["id", "t", "a", "b"],
    )
    # a label column beside the features, as agg({"a": list, "b": list, "label": "first"}) gives
    X = table.groupby("id", sort=False).agg({"a": list, "b": list, "t": "max"})
    y = np.arange(len(X)) % 2
    with pytest.raises(TypeError, match="cells holding sequences") as error:
        RNNRegressor(**TINY).fit(X, y)
    message = str(error.value)
    assert "from_sktime" not in message  # sktime refuses cells of lists
    fix = message.split("X = ")[1].split(", with features")[0]  # the message's fix, as written
    sequences = eval(fix, {"np": np, "X": X, "features": ["a", "b"]})
    assert [s.shape for s in sequences] == [(n, 2) for n in lengths]
    np.testing.assert_array_equal(sequences[1], table.loc[table["id"] == "id1", ["a", "b"]].to_numpy())
    RNNRegressor(**TINY).fit(sequences, y)


def test_sliding_windows_refuses_an_id_step_index_of_several_ids():
    """df.set_index(["id", "step"]) with integer steps: windows ran from one id into the next, in silence."""
    from sklearn_rnn.preprocessing import sliding_windows

    table = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 4, "step": [0, 1, 2, 3] * 2, "value": np.arange(8.0)})
    panel = table.set_index(["id", "step"])["value"]
    with pytest.raises(ValueError, match="has 2 sequences in its index.*Window each one"):
        sliding_windows(panel, 3)
    per_id = np.concatenate([sliding_windows(g, 3) for _, g in panel.groupby(level=0)])
    np.testing.assert_array_equal(per_id[:, :, 0], [[0, 1, 2], [1, 2, 3], [4, 5, 6], [5, 6, 7]])
    one_id = table[table["id"] == "a"].set_index(["id", "step"])
    assert sliding_windows(one_id, 3).shape == (2, 3, 1)
    by_month = pd.Series([1.0, 2.0, 3.0], index=pd.MultiIndex.from_arrays([[2023, 2024, 2024], [12, 1, 2]]))
    with pytest.raises(ValueError, match=r"\(year, month\), make them one time level"):
        sliding_windows(by_month, 2)  # numbers alone whose time starts again: refused as sktime's panels are


def test_one_dataframe_sequence_at_predict_gets_a_fix_that_works_on_a_dataframe():
    """The hint offered X[None], which raises KeyError on a DataFrame."""
    rng = np.random.default_rng(0)
    X = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "b"]) for n in (3, 5, 4, 6)]
    clf = RNNClassifier(**TINY).fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"as \[X\], a list of one DataFrame\.") as error:
        clf.predict(X[0])
    assert "X[None]" not in str(error.value)  # a KeyError on a DataFrame
    one = X[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fix keeps the column names fit saw: no warning
        assert clf.predict([one]).shape == (1,)
    with pytest.raises(ValueError, match=r"as \[X\] or X\[None\]\."):
        clf.predict(one.to_numpy())


@pytest.mark.parametrize("scale", [1e307, 1e-310])
def test_sample_weights_near_the_float64_limits_weigh_as_their_ratios_do(scale):
    """Weights 1e307 overflowed their total to inf and weighed every sequence 0 (nothing trained);
    denormal ones (1e-310) made the total's reciprocal inf and the loss NaN."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(24, 10, 2)), np.arange(24) % 2
    weights = rng.uniform(0.5, 2.0, size=24)
    expected = RNNClassifier(**TINY).fit(X, y, sample_weight=weights).predict_proba(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow on the way
        got = RNNClassifier(**TINY).fit(X, y, sample_weight=weights * scale).predict_proba(X)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
