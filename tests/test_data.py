"""Every accepted input layout reaches the network as the same padded sequences."""

import copy
import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sktime.datasets import load_basic_motions, load_japanese_vowels

from sklearn_rnn import RNNClassifier, RNNRegressor, from_long_table, from_sktime, load, save
from sklearn_rnn._data import validate_sequences
from sklearn_rnn.preprocessing import sliding_windows


class _Holder(BaseEstimator):
    """A bare estimator for validate_sequences to record fitted input facts on."""


def _validate(X, reset=True, holder=None):
    holder = holder or _Holder()
    return validate_sequences(holder, X, reset=reset), holder


def test_2d_array_and_dataframe_are_univariate_tables():
    X = np.arange(12.0).reshape(3, 4)
    seqs, holder = _validate(X)
    assert seqs.values.shape == (3, 4, 1) and seqs.tabular
    np.testing.assert_array_equal(seqs.lengths, [4, 4, 4])
    assert holder.n_features_in_ == 4  # scikit-learn's convention for a 2D table
    frame = pd.DataFrame(X, columns=["t0", "t1", "t2", "t3"])
    seqs_df, holder_df = _validate(frame)
    np.testing.assert_array_equal(seqs_df.values, seqs.values)
    assert list(holder_df.feature_names_in_) == ["t0", "t1", "t2", "t3"]


def test_dataframe_sequences_record_their_column_names_and_later_ones_must_match():
    """A list of per-run DataFrames, as users export them: channels named, read by position."""
    rng = np.random.default_rng(0)
    runs = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["temp", "pressure"]) for n in (5, 8, 6)]
    seqs, holder = _validate(runs)
    assert list(holder.feature_names_in_) == ["temp", "pressure"] and holder.n_features_in_ == 2
    np.testing.assert_allclose(seqs.values[1], runs[1].to_numpy(), rtol=1e-6)
    validate_sequences(holder, [r.copy() for r in runs], reset=False)  # the same columns: fine
    swapped = [r[["pressure", "temp"]] for r in runs]
    with pytest.raises(ValueError, match=r"feature names should match.*\['pressure', 'temp'\], fit had"):
        validate_sequences(holder, swapped, reset=False)
    # a column more (a leftover id): the names and the fix, not only the counts (as it was)
    extra = r"sequences of X have the columns \['temp', 'pressure', 'run'\], fit had .*feature_names_in_"
    with pytest.raises(ValueError, match=extra):
        validate_sequences(holder, [r.assign(run=i) for i, r in enumerate(runs)], reset=False)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        validate_sequences(holder, [r.to_numpy() for r in runs], reset=False)
    with pytest.raises(ValueError, match=r"Sequence 1 of X has the columns \['pressure', 'temp'\]"):
        _validate([runs[0], swapped[1]])
    unnamed, holder = _validate([r.to_numpy() for r in runs])  # arrays: no names, as before
    assert not hasattr(holder, "feature_names_in_")
    reg = RNNRegressor(architecture="rnn", hidden_size=4, max_epochs=1, random_state=0)
    reg.fit(runs, np.arange(3.0))
    with pytest.raises(ValueError, match="feature names should match"):
        reg.predict(swapped)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.predict([r.to_numpy() for r in runs])
    assert [w.filename for w in caught] == [__file__]  # the user's line, not a decorator's


def test_a_row_of_a_named_table_in_another_order_is_refused_as_a_one_row_table_is():
    """Fitted on a wide table (columns t0..t7 the time steps), one row asked for as [row]: a row whose
    labels were reordered (a merge, a reindex) was read by position, shuffled, without a word."""
    table = pd.DataFrame(np.arange(24.0).reshape(3, 8), columns=[f"t{i}" for i in range(8)])
    _, holder = _validate(table)
    row = table.iloc[0]
    np.testing.assert_array_equal(validate_sequences(holder, [row], reset=False).values[0, :, 0], row)
    with pytest.raises(ValueError, match="feature names should match"):
        validate_sequences(holder, row[::-1].to_frame().T, reset=False)
    with pytest.raises(
        ValueError, match=r"Sequence 1 of X is a Series labelled by the columns.*x.to_frame\(\)\.T"
    ):
        validate_sequences(holder, [row, row[::-1]], reset=False)
    validate_sequences(holder, [row.reset_index(drop=True)[::-1]], reset=False)  # no labels: a sequence
    with pytest.raises(ValueError, match=r"If X is a row of the table fit saw, pass X.to_frame\(\)\.T"):
        validate_sequences(holder, row, reset=False)
    runs = [pd.DataFrame({"temp": np.arange(5.0)})] * 2  # no table: sequences of a named feature
    _, sequences = _validate(runs)
    with pytest.raises(ValueError, match=r"X.reshape\(1, -1\)\)\.$"):  # no word of a table's row
        validate_sequences(sequences, runs[0]["temp"], reset=False)


def test_dataframe_sequences_with_mixed_column_name_types_are_refused_as_a_table_is():
    """Names of str and int were dropped without a word, and swapped columns were then read silently."""
    rng = np.random.default_rng(0)
    runs = [pd.DataFrame({"temp": rng.normal(size=6), 2: rng.normal(size=6)}) for _ in range(3)]
    with pytest.raises(TypeError, match=r"column names of the types \['int', 'str'\].*rename\(columns=str\)"):
        _validate(runs)
    with pytest.raises(TypeError, match="Feature names are only supported if all input features have string"):
        _validate(pd.DataFrame({"temp": rng.normal(size=6), 2: rng.normal(size=6)}))  # scikit-learn's own
    _, holder = _validate([r.rename(columns=str) for r in runs])  # the fix given
    assert list(holder.feature_names_in_) == ["temp", "2"]
    _, holder = _validate([r.set_axis([0, 1], axis=1) for r in runs])  # all non-strings: no names, as sklearn
    assert not hasattr(holder, "feature_names_in_")
    with pytest.raises(
        TypeError, match=r"column names of the types \['int', 'str'\]"
    ):  # mixed after the first
        _validate([r.set_axis([0, 1], axis=1) for r in runs] + runs)


def test_a_date_column_in_dataframe_sequences_is_named_as_dates():
    runs = [
        pd.DataFrame({"time": pd.date_range("2024", periods=n, freq="h"), "hr": np.ones(n)}) for n in (5, 6)
    ]
    with pytest.raises(TypeError, match="Sequence 0 of X holds dates or durations"):
        RNNRegressor(architecture="rnn", max_epochs=1).fit(runs, np.arange(2.0))


def test_3d_array_keeps_time_and_feature_axes():
    X = np.random.default_rng(0).normal(size=(5, 7, 3))
    seqs, holder = _validate(X)
    assert seqs.values.dtype == np.float32 and seqs.values.shape == (5, 7, 3)
    np.testing.assert_allclose(seqs.values, X, rtol=1e-6)
    assert holder.n_features_in_ == 3


def test_ragged_list_is_padded_without_loss_or_reordering():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in (4, 9, 1, 6)]
    seqs, holder = _validate(X)
    assert seqs.values.shape == (4, 9, 2)
    np.testing.assert_array_equal(seqs.lengths, [4, 9, 1, 6])
    for i, x in enumerate(X):
        np.testing.assert_allclose(seqs.values[i, : len(x)], x, rtol=1e-6)
        assert not seqs.values[i, len(x) :].any()
    assert holder.n_features_in_ == 2
    univariate, _ = _validate([np.arange(3.0), np.arange(5.0)])
    assert univariate.values.shape == (2, 5, 1)


def test_feature_count_mismatch_at_predict_gets_sklearn_message():
    holder = _Holder()
    _validate(np.zeros((4, 6, 3)), holder=holder)
    with pytest.raises(ValueError, match="X has 2 features, but _Holder is expecting 3 features as input"):
        _validate(np.zeros((4, 6, 2)), reset=False, holder=holder)
    with pytest.raises(ValueError, match="same number of features"):
        _validate([np.zeros((3, 2)), np.zeros((4, 3))])


def test_sktime_panel_converter_matches_numpy3d_and_multiindex():
    X_nested, _ = load_basic_motions(split="train", return_X_y=True)
    X_np3d, _ = load_basic_motions(split="train", return_X_y=True, return_type="numpy3D")
    X_multi, _ = load_basic_motions(split="train", return_X_y=True, return_type="pd-multiindex")
    ours = from_sktime(X_np3d)
    assert ours.shape == (40, 100, 6)
    np.testing.assert_array_equal(ours[3, :, 2], X_np3d[3, 2, :])  # (n, F, T) -> (n, T, F)
    np.testing.assert_array_equal(from_sktime(X_multi), ours)
    np.testing.assert_array_equal(from_sktime(X_nested), ours)


def test_sktime_unequal_lengths_become_a_list_in_instance_order():
    X, _ = load_japanese_vowels(split="train", return_X_y=True)
    sequences = from_sktime(X)
    assert isinstance(sequences, list) and len(sequences) == len(X)
    lengths = [len(X.iloc[i, 0]) for i in range(len(X))]
    assert [len(s) for s in sequences] == lengths
    assert len(set(lengths)) > 1
    np.testing.assert_array_equal(sequences[5][:, 11], X.iloc[5, 11].to_numpy())


def test_panel_dataframe_passed_directly_is_refused_with_the_fix():
    X, y = load_basic_motions(split="train", return_X_y=True, return_type="pd-multiindex")
    with pytest.raises(TypeError, match=r"sklearn_rnn.from_sktime\(X\)"):
        RNNClassifier(max_epochs=1).fit(X, np.zeros(len(X)))
    X_nested, y = load_basic_motions(split="train", return_X_y=True)
    with pytest.raises(TypeError, match="sktime panel data"):
        RNNClassifier(max_epochs=1).fit(X_nested, y)


def test_long_table_to_sequences_sorts_time_within_id_keeps_id_order():
    table = pd.DataFrame(
        {
            "patient": ["b", "a", "b", "a", "a", "c"],
            "time": pd.to_datetime(
                ["2024-01-02", "2024-01-03", "2024-01-01", "2024-01-01", "2024-01-02", "2024-01-05"]
            ),
            "hr": [71.0, 90.0, 70.0, 88.0, 89.0, 60.0],
            "spo2": [97.0, 95.0, 98.0, 96.0, np.nan, 99.0],
        }
    )
    with pytest.warns(UserWarning, match=r"took the features \['hr', 'spo2'\]"):
        sequences, ids = from_long_table(table, "patient", "time")
    assert ids.tolist() == ["b", "a", "c"]
    np.testing.assert_array_equal(sequences[0], [[70.0, 98.0], [71.0, 97.0]])
    np.testing.assert_array_equal(sequences[1][:, 0], [88.0, 89.0, 90.0])
    assert np.isnan(sequences[1][1, 1])  # kept, not dropped: the estimator decides what NaN means
    assert sum(len(s) for s in sequences) == len(table)
    only_hr, _ = from_long_table(table, "patient", "time", feature_cols=["hr"])
    assert only_hr[2].shape == (1, 1)


@pytest.mark.parametrize(
    "table, message",
    [
        (pd.DataFrame({"id": [1, 1], "t": [0, 0], "x": [1.0, 2.0]}), "duplicated"),
        (pd.DataFrame({"id": [1], "t": [0]}), "no feature columns"),
        (pd.DataFrame({"id": [1], "t": [0], "x": ["high"]}), "could not convert"),
    ],
)
def test_long_table_errors(table, message):
    with pytest.raises(ValueError, match=message):
        from_long_table(table, "id", "t")
    with pytest.raises(ValueError, match=r"Columns \['missing'\] are not in data"):
        from_long_table(table, "id", "t", feature_cols=["missing"])


def test_estimators_accept_every_layout():
    rng = np.random.default_rng(0)
    X3 = rng.normal(size=(30, 6, 2))
    y = (X3[:, :, 0].sum(1) > 0).astype(int)
    params = dict(hidden_size=4, max_epochs=2, random_state=0)
    ragged = [x[: 3 + i % 4] for i, x in enumerate(X3)]
    for X in (X3, list(X3), ragged, X3[:, :, 0], pd.DataFrame(X3[:, :, 0])):
        assert RNNClassifier(**params).fit(X, y).predict(X).shape == (30,)
        assert RNNRegressor(**params).fit(X, y * 1.0).predict(X).shape == (30,)
    # Fitted on 3D univariate data, a 2D table of any length is read as univariate sequences.
    clf = RNNClassifier(**params).fit(X3[:, :, :1], y)
    assert clf.predict(rng.normal(size=(4, 11))).shape == (4,)


# -- inputs as users build them: each was read wrongly in silence, or refused with a wrong fix --------
def _fitted_on_sequences():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 20, 1)), np.repeat([0.0, 1.0], 6)
    return RNNRegressor(hidden_size=4, max_epochs=1, n_networks=1, random_state=0).fit(X, y), X


def test_one_sequence_as_a_column_is_refused_not_read_as_one_step_sequences():
    model, X = _fitted_on_sequences()
    one = pd.DataFrame({"temp": X[0, :, 0]})  # df[["temp"]]: one run of 20 steps
    with pytest.raises(ValueError, match=r"shape \(20, 1\).*20 sequences of one time step.*\[X\]"):
        model.predict(one)
    assert model.predict(one.to_numpy()[None]).shape == (1,)  # the fix the message gives
    assert model.predict(X[:, :1]).shape == (12,)  # one-step sequences, as the message says


def test_a_model_fitted_on_one_step_sequences_reads_a_column_as_them():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 1, 1)), np.repeat([0.0, 1.0], 6)
    model = RNNRegressor(architecture="rnn", hidden_size=4, max_epochs=1, n_networks=1, random_state=0)
    model.fit(X, y)
    np.testing.assert_array_equal(model.predict(X[:, :, 0]), model.predict(X))
    buffer = io.BytesIO()
    save(_fitted_on_sequences()[0], buffer)  # the longest training length is saved: still refused
    buffer.seek(0)
    with pytest.raises(ValueError, match="fitted on sequences of up to 20 steps"):
        load(buffer).predict(X[:, :, 0])


def test_a_column_is_refused_after_a_fit_where_one_sequence_had_one_step():
    """A patient with a single reading among longer records: a column is still one record, not many."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 1)) for n in [1, *range(8, 19)]]
    model = RNNRegressor(hidden_size=4, max_epochs=1, n_networks=1, random_state=0)
    model.fit(X, np.repeat([0.0, 1.0], 6))
    with pytest.raises(ValueError, match=r"shape \(12, 1\).*fitted on sequences of up to 18 steps.*\[X\]"):
        model.predict(X[-1][:12])
    assert model.predict([X[-1][:12]]).shape == (1,)


def test_table_model_says_how_to_pass_other_lengths():
    rng = np.random.default_rng(0)
    model = RNNRegressor(hidden_size=4, max_epochs=1, n_networks=1, random_state=0)
    model.fit(rng.normal(size=(8, 15)), rng.normal(size=8))
    with pytest.raises(ValueError, match=r"expecting 15 features.*3D array \(n_samples, n_timesteps, 1\)"):
        model.predict(rng.normal(size=(3, 20)))
    with pytest.raises(ValueError, match="infinity") as caught:  # other errors get no such hint
        model.predict(np.full((3, 15), np.inf))
    assert "time steps" not in str(caught.value)
    assert model.predict(rng.normal(size=(3, 20, 1))).shape == (3,)


def test_pivot_with_multiindex_columns_is_refused():
    long = pd.DataFrame(
        {"id": np.repeat(np.arange(4), 3), "t": np.tile(np.arange(3), 4), "a": np.arange(12.0)}
    ).assign(b=lambda d: -d.a)
    wide = long.pivot(index="id", columns="t", values=["a", "b"])
    with pytest.raises(TypeError, match=r"MultiIndex columns.*np\.stack"):
        _validate(wide)
    # one value per step (set_index([...]).unstack() of one column): a univariate table, as before
    univariate = long.set_index(["id", "t"])[["a"]].unstack()
    seqs, _ = _validate(univariate)
    np.testing.assert_array_equal(seqs.values[:, :, 0], univariate.to_numpy())


def test_dataframes_mixed_with_arrays_are_refused():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(5, 2)), columns=["pressure", "temp"])
    with pytest.raises(TypeError, match=r"mixes DataFrame sequences with named columns \(1 of 2\)"):
        _validate([frame, rng.normal(size=(6, 2))])
    with pytest.raises(TypeError, match=r"with arrays or Series"):
        _validate([frame[["temp"]], pd.Series(rng.normal(size=6))])
    unnamed = frame.set_axis([0, 1], axis=1)  # no names to check: read by position, as arrays
    seqs, _ = _validate([unnamed, rng.normal(size=(6, 2))])
    np.testing.assert_array_equal(seqs.lengths, [5, 6])


def test_time_index_of_dataframe_sequences_must_be_in_order():
    """The usual recipe, groupby then set_index("date"), on a log that arrived unsorted."""
    rng = np.random.default_rng(0)
    log = pd.DataFrame(
        {"run": np.repeat(["r1", "r2"], 6), "date": list(pd.date_range("2024-01-01", periods=6)) * 2}
    ).assign(value=rng.normal(size=12))
    shuffled = log.sample(frac=1.0, random_state=0)
    runs = [g.set_index("date")[["value"]] for _, g in shuffled.groupby("run")]
    with pytest.raises(
        ValueError, match=r"time points out of increasing order in its index.*x\.sort_index\(\)"
    ):
        _validate(runs)
    sorted_runs = [r.sort_index() for r in runs]
    seqs, _ = _validate(sorted_runs)
    np.testing.assert_allclose(seqs.values[0, :, 0], log.value[:6], rtol=1e-6)
    repeated = sorted_runs[0].set_axis([sorted_runs[0].index[0]] * 6)
    with pytest.raises(ValueError, match=r"repeats the time 2024-01-01.*groupby\(level=0\)\.mean\(\)") as e:
        _validate([repeated, sorted_runs[1]])
    assert "tz_localize" not in str(e.value)  # midnight six times: no clock went back
    # a run logged in local clock time across the autumn change repeats 02:00-02:45: localizing keeps it
    clock = pd.date_range("2024-10-27 01:00", periods=12, freq="15min", tz="Europe/Berlin")
    run = pd.DataFrame({"value": np.arange(12.0)}, index=clock.tz_localize(None))
    with pytest.raises(
        ValueError,
        match=r"repeats the time 2024-10-27 02:00:00.*x.index = x.index."
        r"tz_localize\('Europe/Berlin', ambiguous='infer'\)",
    ):
        _validate([run, run])
    run.index = run.index.tz_localize("Europe/Berlin", ambiguous="infer")  # the fix, as given
    np.testing.assert_array_equal(_validate([run, run])[0].values[0, :, 0], np.arange(12.0))
    # row labels that are not times are not read: a frame sliced from a larger one keeps its labels
    _validate([sorted_runs[0].reset_index(drop=True).set_axis([5, 3, 9, 1, 0, 2]), sorted_runs[1]])
    # a date that did not parse (errors="coerce") was refused as out of order, then again once sorted
    garbled = sorted_runs[0].set_axis(sorted_runs[0].index.where(np.arange(6) != 5, pd.NaT))
    for run in (garbled, garbled.sort_index()):
        with pytest.raises(ValueError, match=r"time index of sequence 0 of X holds 1 missing time point"):
            _validate([run, sorted_runs[1]])
    _validate([garbled[garbled.index.notna()], sorted_runs[1]])  # the fix
    keyed = garbled.set_index(pd.MultiIndex.from_arrays([["r1"] * 6, garbled.index]))  # (id, time) rows
    with pytest.raises(
        ValueError, match=r"drop those rows: x = x\[x.index.get_level_values\(-1\).notna\(\)\]"
    ):
        _validate([keyed, sorted_runs[1]])
    _validate([keyed[keyed.index.get_level_values(-1).notna()], sorted_runs[1]])  # the fix, as written


def test_nullable_columns_with_missing_values_in_dataframe_sequences():
    frames = [
        pd.DataFrame({"n": pd.array([1, None, 3], dtype="Int64"), "b": pd.array([True, None, False])}),
        pd.DataFrame({"n": pd.array([4, 5], dtype="Int64"), "b": pd.array([False, True])}),
    ]
    seqs = validate_sequences(_Holder(), frames, reset=True, allow_nan=True)
    np.testing.assert_array_equal(seqs.values[0], [[1, 1], [np.nan, np.nan], [3, 0]])
    np.testing.assert_array_equal(seqs.lengths, [3, 2])


def test_series_of_arrays_reads_as_a_list_of_sequences():
    rng = np.random.default_rng(0)
    runs = [rng.normal(size=(n, 2)) for n in (4, 6, 5)]
    as_series = pd.Series(runs, index=["c", "a", "b"], dtype=object)  # groupby(...).apply(to_numpy)
    np.testing.assert_array_equal(_validate(as_series)[0].values, _validate(runs)[0].values)
    with pytest.raises(ValueError, match=r"got 1 dimension.*X\.reshape\(1, -1\)"):  # one series, not many
        _validate(pd.Series([1.0, 2.0, 3.0], dtype=object))


def test_cells_holding_lists_are_refused_as_nested_data():
    frame = pd.DataFrame({"x": [[1.0, 2.0], [3.0, 4.0, 5.0]]})
    with pytest.raises(TypeError, match=r"cells holding sequences"):
        _validate(frame)


def test_transposed_sequences_get_the_hint():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"\[x\.T for x in X\]"):
        _validate([rng.normal(size=(3, n)) for n in (5, 6)])


def test_long_table_passed_to_fit_points_to_from_long_table():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"X has 6 sequences but y has 2 targets.*from_long_table"):
        RNNRegressor(max_epochs=1).fit(rng.normal(size=(6, 1)).tolist(), [1.0, 2.0])


@pytest.mark.parametrize(
    "panel, match",
    [
        (
            pd.DataFrame(
                {"x": [1.0, 2.0, 3.0, 4.0]},
                index=pd.MultiIndex.from_tuples([("a", 0), ("a", 0), ("a", 1), ("b", 0)]),
            ),
            r"repeats the \(instance, time\) point \('a', .*0\)",
        ),
        (
            pd.DataFrame(
                {"x": [2.0, 1.0, 4.0, 5.0]},
                index=pd.MultiIndex.from_tuples([("a", 1), ("a", 0), ("b", 0), ("b", 1)]),
            ),
            r"instance 'a' of X are not in increasing order.*sort_index",
        ),
        (
            pd.DataFrame({"x": [pd.Series([3.0, 1.0, 2.0], index=[2, 0, 1]), pd.Series([4.0, 5.0, 6.0])]}),
            r"Instance 0 of X has time points out of increasing order",
        ),
        (
            [pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[0, 0, 1]), pd.DataFrame({"x": [4.0, 5.0, 6.0]})],
            r"Instance 0 of X repeats the time 0",
        ),
        (  # a date that did not parse: "not in increasing order. Sort them first", then again once sorted
            pd.DataFrame(
                {"x": [1.0, 2.0, 3.0, 4.0]},
                index=pd.MultiIndex.from_arrays(
                    [["a", "a", "b", "b"], pd.to_datetime(["2024-01-01", None] * 2)]
                ),
            ).sort_index(),
            r"time index of X holds 2 missing time point\(s\) \(NaT.*get_level_values\(-1\).notna\(\)",
        ),
    ],
    ids=[
        "multiindex-repeated",
        "multiindex-unsorted",
        "nested-unsorted",
        "df-list-repeated",
        "multiindex-nat",
    ],
)
def test_from_sktime_refuses_repeated_or_unordered_time_points(panel, match):
    with pytest.raises(ValueError, match=match):
        from_sktime(panel)


def test_from_sktime_keeps_instances_in_their_order_with_dated_time_points():
    """Instance labels out of sorted order and a date time level, as users' panels come: accepted."""
    dates = pd.date_range("2024-01-01", periods=3, freq="D")
    index = pd.MultiIndex.from_product([["zeta", "alpha"], dates], names=["machine", "day"])
    panel = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}, index=index)
    np.testing.assert_array_equal(from_sktime(panel)[:, :, 0], [[1, 2, 3], [4, 5, 6]])
    late = panel.drop(("alpha", dates[0]))  # unequal lengths
    assert [x.ravel().tolist() for x in from_sktime(late)] == [[1, 2, 3], [5, 6]]
    # indexed (day, machine): each day was read as an instance of two time points, the machines
    swapped = panel.swaplevel().sort_index()
    with pytest.raises(
        TypeError, match=r"level 0 \('day'\).*X = X.reorder_levels\(\[1, 0\]\).sort_index\(\)"
    ):
        from_sktime(swapped)
    np.testing.assert_array_equal(
        from_sktime(swapped.reorder_levels([1, 0]).sort_index())[:, :, 0], [[4, 5, 6], [1, 2, 3]]
    )


# -- found by a new user's probe (each failed before its fix) ---------------------------------------
TINY = dict(hidden_size=4, max_epochs=2, n_networks=1, fcn_filters=(4, 4, 4), random_state=0)
Y_AB = np.array(["a", "b"] * 10)


def test_numeric_text_in_objects_or_categories_is_refused_as_documented():
    """Numeric text in object arrays, object columns or categories was parsed as numbers (and the
    text "nan" became a gap), while the guide promises a ValueError for text, numeric text included."""
    X = np.random.default_rng(0).normal(size=(20, 5, 2)).round(2)
    categories = pd.DataFrame(
        {f"t{i}": pd.Categorical(np.where(X[:, i, 0] > 0, "1.5", "2.5")) for i in range(4)}
    )
    for given in (
        X.astype(str).astype(object),
        categories,
        [pd.DataFrame(x).astype(object).map(str) for x in X],
        pd.DataFrame(X[:, :, 0].astype(str).astype(object)),
    ):
        with pytest.raises(
            ValueError, match=r"must hold numbers, but (it holds|column\(s\) \[.*\] hold) text"
        ):
            RNNClassifier(**TINY).fit(given, Y_AB)
    # objects that are numbers are numbers
    by_objects = RNNClassifier(**TINY).fit(X.astype(object), Y_AB).predict_proba(X)
    np.testing.assert_array_equal(by_objects, RNNClassifier(**TINY).fit(X, Y_AB).predict_proba(X))


def test_sequences_with_an_id_and_time_multiindex_are_checked_for_order():
    """[g for _, g in df.groupby(level="id")] keeps the (id, time) MultiIndex: unsorted times were read
    in row order, while the same sequence with its time index alone was refused."""
    rng = np.random.default_rng(0)
    rows = [
        {"id": i, "time": pd.Timestamp("2024") + pd.Timedelta(hours=int(t)), "hr": float(t)}
        for i in range(20)
        for t in rng.permutation(5)
    ]
    df = pd.DataFrame(rows).set_index(["id", "time"])
    with pytest.raises(ValueError, match=r"Sequence 0 of X has time points out of increasing order"):
        RNNClassifier(**TINY).fit([g for _, g in df.groupby(level="id")], Y_AB)
    with pytest.raises(ValueError, match=r"out of increasing order"):
        RNNClassifier(**TINY).fit([g["hr"] for _, g in df.groupby(level="id")], Y_AB)
    RNNClassifier(**TINY).fit([g.sort_index() for _, g in df.groupby(level="id")], Y_AB)


def test_the_fix_the_infinity_message_gives_works():
    """It advised np.nan_to_num, whose largest float64 is then refused as too large for float32."""
    X = np.random.default_rng(0).normal(size=(20, 5, 2))
    X[2, 2, 0] = np.inf
    with pytest.raises(ValueError, match=r"infinity.*X = np.where\(np.isinf\(X\), np.nan, X\)") as caught:
        RNNClassifier(**TINY).fit(X, Y_AB)
    assert "nan_to_num" not in str(caught.value)
    RNNClassifier(**TINY, missing="mask").fit(np.where(np.isinf(X), np.nan, X), Y_AB)


def test_ragged_sequences_without_features_are_refused_by_name():
    for model in (RNNClassifier(**TINY), RNNClassifier(**TINY, architecture="rnn")):
        with pytest.raises(
            ValueError, match=r"The sequences of X have 0 features \(the first has shape \(3, 0\)\)"
        ):
            model.fit([np.zeros((3, 0))] * 20, Y_AB)


def test_classifier_sample_weight_is_read_at_any_scale():
    """Weights were cast to float32 before being scaled to mean 1: 1e-50 became all zeros (a crash) and
    1e39 infinity (an untrained model); the regressor read them in float64 already."""
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(20, 5, 2)), rng.uniform(0.5, 2, 20)
    expected = RNNClassifier(**TINY).fit(X, Y_AB, sample_weight=w).predict_proba(X)
    for scale in (1e-50, 1e39):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow in a cast, no convergence warning
            got = RNNClassifier(**TINY).fit(X, Y_AB, sample_weight=w * scale).predict_proba(X)
        np.testing.assert_allclose(got, expected, atol=1e-6)


def test_a_series_of_dataframes_is_a_list_of_sequences():
    """It was read as one 1D array, with advice to reshape that a Series cannot take."""
    rng = np.random.default_rng(0)
    frames = {f"p{i}": pd.DataFrame(rng.normal(size=(4, 2)), columns=["hr", "bp"]) for i in range(20)}
    by_series = RNNClassifier(**TINY).fit(pd.Series(frames), Y_AB)
    by_list = RNNClassifier(**TINY).fit(list(frames.values()), Y_AB)
    assert by_series.feature_names_in_.tolist() == ["hr", "bp"]
    np.testing.assert_array_equal(
        by_series.predict_proba(list(frames.values())), by_list.predict_proba(list(frames.values()))
    )


def test_multilabel_targets_from_nullable_or_mixed_columns_fit():
    """from_long_table returned object labels for Int64 columns (and bool beside int columns), which the
    classifier called 'values [0, 1], not 0/1 indicator columns'."""
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "id": np.repeat(np.arange(10), 3),
            "t": np.tile([0, 1, 2], 10),
            "v": rng.normal(size=30),
            "overheat": np.repeat(np.arange(10) % 2, 3),
            "leak": np.repeat(np.arange(10) // 2 % 2, 3),
        }
    ).astype({"overheat": "Int64", "leak": "Int64"})
    seqs, _, Y = from_long_table(table, "id", "t", ["v"], label_col=["overheat", "leak"])
    assert Y.dtype == np.int64
    expected = RNNClassifier(**TINY).fit(seqs, Y.astype(int)).predict_proba(seqs)
    np.testing.assert_array_equal(RNNClassifier(**TINY).fit(seqs, Y).predict_proba(seqs), expected)
    mixed = pd.DataFrame({"overheat": Y[:, 0].astype(bool), "leak": Y[:, 1]}).to_numpy()  # objects
    assert mixed.dtype == object
    np.testing.assert_array_equal(RNNClassifier(**TINY).fit(seqs, mixed).predict_proba(seqs), expected)


def test_labels_with_their_id_column_left_in_are_refused_naming_the_columns():
    """y = labels[["patient_id", "sepsis"]] ended in numpy's "'<' not supported between instances of
    'int' and 'str'", naming neither y nor the fix."""
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) for n in rng.integers(3, 10, 20)]
    y = pd.DataFrame({"patient_id": [f"P{i:03d}" for i in range(20)], "sepsis": [0, 1] * 10})
    with pytest.raises(ValueError, match=r"y has the columns \['patient_id', 'sepsis'\], which mix text"):
        RNNClassifier(**TINY).fit(X, y)
    assert RNNClassifier(**TINY).fit(X, y["sepsis"]).classes_.tolist() == [0, 1]  # the label column alone


def test_from_sktime_refuses_instances_whose_columns_differ_rather_than_stacking_them_by_position():
    """A df-list whose second frame had its columns in another order came back stacked by position."""
    first = pd.DataFrame({"hr": [60.0, 61.0], "bp": [120.0, 121.0]})
    with pytest.raises(ValueError, match=r"Instance 1 of X has the columns \['bp', 'hr'\].*x\[columns\]"):
        from_sktime([first, first[["bp", "hr"]]])
    columns = ["hr", "bp"]
    stacked = from_sktime([x[columns] for x in [first, first[["bp", "hr"]]]])  # the fix the error gives
    np.testing.assert_array_equal(stacked[1], [[60.0, 120.0], [61.0, 121.0]])


def test_from_sktime_reads_several_instance_levels_in_their_order():
    """An index (patient, visit, time), sktime's hierarchical data, got sktime's errors for each format."""
    index = pd.MultiIndex.from_tuples(
        [("p2", 1, 0), ("p2", 1, 1), ("p1", 0, 0), ("p1", 0, 1), ("p1", 0, 2)], names=["p", "v", "t"]
    )
    sequences = from_sktime(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0]}, index=index))
    assert [s.ravel().tolist() for s in sequences] == [[1.0, 2.0], [3.0, 4.0, 5.0]]
    shuffled = pd.DataFrame({"x": [2.0, 1.0]}, index=index[[1, 0]])
    with pytest.raises(ValueError, match=r"instance \('p2', .*1\)+ of X are not in increasing order"):
        from_sktime(shuffled)


def test_from_sktime_of_an_empty_panel_is_an_empty_list():
    empty = _machine_log().iloc[:0]
    assert from_sktime(empty) == []


def _machine_log() -> pd.DataFrame:
    """A long table as a file gives it: text ids in the file's order, rows of machines interleaved."""
    table = pd.DataFrame(
        {
            "machine": ["m7", "m2", "m7", "m10", "m2", "m7", "m10", "m2"],
            "time": pd.to_datetime(
                ["2024-03-01 08:00", "2024-03-01 08:00", "2024-03-01 09:00"]
                + [
                    "2024-02-28 23:00",
                    "2024-03-01 09:00",
                    "2024-03-01 10:00",
                    "2024-02-29 00:00",
                    "2024-03-01 10:00",
                ]
            ),
            "temp": [71.5, 65.0, 72.0, 80.1, 65.5, 72.5, 80.0, 66.0],
            "load": pd.array([3, None, 4, 9, 2, 4, 8, 2], dtype="Int64"),  # a nullable column with a gap
            "alarm": pd.array([False, False, True, None, False, False, True, False], dtype="boolean"),
        }
    )
    return table.set_index(["machine", "time"])


@pytest.mark.parametrize(
    "panel",
    [
        _machine_log(),
        _machine_log().drop(("m10", pd.Timestamp("2024-02-29 00:00"))),  # unequal lengths
        _machine_log()[["temp"]].astype(np.float32),
        _machine_log()
        .reset_index()
        .assign(machine=lambda t: t.machine.str[1:].astype(int))
        .set_index(["machine", "time"]),  # integer ids, not sorted
        _machine_log().set_axis(  # several instance levels (site, machine), sktime's hierarchical data
            pd.MultiIndex.from_arrays(
                [
                    ["north", "south", "north", "south", "south", "north", "south", "south"],
                    *[_machine_log().index.get_level_values(i) for i in (0, 1)],
                ]
            )
        ),
    ],
    ids=["equal-lengths", "unequal-lengths", "float32", "integer-ids", "hierarchical"],
)
def test_from_sktime_reads_a_panel_as_sktimes_conversion_does(panel):
    """from_sktime splits a pd-multiindex panel itself in one pass (sktime's conversion scans every row
    for each instance: 29 s for a million rows of unsorted ids, benchmarks/panel_conversion.py); what it
    returns is what sktime's reading gives: instances in order of first appearance, rows in their order,
    nullable columns as float, the dtype kept."""
    from sktime.datatypes import convert_to

    flat = panel.set_axis(
        pd.MultiIndex.from_arrays(
            [panel.index.droplevel(-1).to_flat_index(), panel.index.get_level_values(-1)]
        )
    )
    expected = [frame.to_numpy() for frame in convert_to(flat, to_type="df-list")]
    sequences = from_sktime(panel)
    assert len(sequences) == len(expected) == flat.index.get_level_values(0).nunique()
    for ours, theirs in zip(sequences, expected, strict=True):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)
    assert isinstance(sequences, np.ndarray) == (len({len(x) for x in expected}) == 1)
    np.testing.assert_array_equal(sequences[0][:, 0], [71.5, 72.0, 72.5])  # m7's, the first id
    if "load" in panel:  # m2's first load is missing: NaN, where the network's mask reads it
        assert np.isnan(sequences[1][0, 1]) and sequences[1][1, 1] == 2


@pytest.mark.parametrize(
    "X",
    [pd.DataFrame({"t1": [1.0, 2.0], "t2": [3.0, 4.0]}), pd.Series([1.0, 2.0]), [np.zeros((3, 2))]],
)
def test_from_sktime_says_what_to_do_with_input_that_is_not_a_panel(X):
    """sktime's answer was a list of why each of its formats did not fit, without the fix."""
    with pytest.raises(
        TypeError, match="is not sktime panel data.*to the estimators as it is.*from_long_table"
    ):
        from_sktime(X)


def test_a_dict_of_sequences_is_refused_with_how_to_keep_targets_aligned():
    """{id: sequence} (as a groupby gives) was read as a 0-dimensional array: 'got 0 dimension(s)'."""
    rng = np.random.default_rng(0)
    by_id = {f"p{i}": rng.normal(size=(3 + i % 4, 2)) for i in range(20)}
    labels = dict(zip(by_id, Y_AB, strict=True))
    with pytest.raises(TypeError, match=r"X is a dict of 20 entries.*y = \[labels\[k\] for k in keys\]"):
        RNNClassifier(**TINY).fit(by_id, Y_AB)
    keys = list(by_id)  # the fix the error gives
    clf = RNNClassifier(**TINY).fit([by_id[k] for k in keys], [labels[k] for k in keys])
    with pytest.raises(TypeError, match="X is a dict"):
        clf.predict(by_id)


def test_a_model_saved_before_the_longest_length_keeps_its_rule_and_says_it():
    """Files written before ``_longest`` hold the shortest training length: a column is refused only
    after a fit on longer sequences, and the message names that length as the shortest."""
    model, X = _fitted_on_sequences()
    old = copy.deepcopy(model)
    del old._longest
    old._shortest = 20
    with pytest.raises(ValueError, match="fitted on sequences of 20 steps or more"):
        old.predict(X[0])
    old._shortest = 1  # after a fit on one-step sequences among others: read as one-step sequences
    assert old.predict(X[0]).shape == (20,)


def test_dated_sequences_that_skip_points_of_their_grid_warn_with_the_fix():
    """A logger that dropped 7 of a run's 80 minutes: the rows either side of the hole were read as
    neighbours without a word (an outlier detector flagged 20 such normal runs in 20; with the lost
    minutes as NaN rows, 3, as complete runs)."""
    from sklearn_rnn import RNNOutlierDetector

    minutes = pd.date_range("2024-01-01", periods=80, freq="min")
    runs = [
        pd.DataFrame({"temp": np.sin(np.arange(80) / 3 + k)}, index=minutes + pd.Timedelta(days=k))
        for k in range(12)
    ]
    holed = runs[5].drop(runs[5].index[40:47])
    with pytest.warns(
        UserWarning,
        match=r"Sequence 5 of X skips time points of its grid: .*2024-01-06 00:39:00 is followed by "
        r"2024-01-06 00:47:00.*x.reindex\(.*\)\. Each such",
    ) as record:
        _validate(runs[:5] + [holed] + runs[6:] + [holed] * 50)
    assert len(record) == 1 and "pieces" not in str(record[0].message)  # one warning; y stays aligned
    keyed = pd.concat({"r5": holed}, names=["run"])  # (run, time) rows, as groupby(level="run") gives
    with pytest.warns(UserWarning, match=r"Sequence 0 of X skips time points.*first x = x.droplevel\(0\)"):
        _validate([keyed, keyed])
    july = pd.date_range("2024-07-10 00:00", periods=40, freq="15min")
    night = pd.DataFrame({"temp": np.arange(36.0)}, index=july.delete([4, 5, 6, 7]))  # 01:00-01:45 lost
    with pytest.warns(UserWarning, match=r"Sequence 0 of X skips time points"):  # no clock change then
        _validate([night, night])
    fixed = holed.reindex(pd.date_range(holed.index[0], holed.index[-1], freq="min"))  # the fix, as given
    irregular = runs[0].set_axis(minutes[0] + pd.to_timedelta(np.cumsum(np.arange(1, 81)), unit="s"))
    clock = pd.date_range("2024-03-31 00:00", periods=12, freq="15min", tz="Europe/Berlin")
    spring = pd.DataFrame({"temp": np.arange(12.0)}, index=clock.tz_localize(None))  # no 02:00-02:45
    kept = np.sort(np.random.default_rng(0).choice(80, 40, replace=False))
    sparse = pd.DataFrame({"temp": np.arange(40.0)}, index=minutes[kept])  # half its minutes lost
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a complete grid, its NaN rows, irregular sampling: no warning
        seqs = validate_sequences(
            _Holder(), runs[:5] + [fixed] + runs[6:] + [irregular, spring], reset=True, allow_nan=True
        )
        _validate([sparse] * 20)  # lost at random: irregular to the check, and no warning a sequence
    assert np.isnan(seqs.values[5, 40:47, 0]).all() and seqs.lengths[5] == 80
    detector = RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(runs)
    with pytest.warns(UserWarning, match=r"Sequence 1 of X.*read the two as neighbours") as record:
        detector.predict([runs[0], holed])
    assert record[0].filename == __file__  # the user's line


def test_an_id_or_a_label_left_in_each_sequence_warns_with_the_fix():
    """Tables of a groupby keep the id, time and label columns, and fit read them all as features
    without a word: the label at every step gave a cross-validated accuracy of 0.975 on noise."""
    rng = np.random.default_rng(0)
    log = pd.DataFrame({"patient": np.repeat(np.arange(10), 6), "hour": np.tile(np.arange(6), 10)})
    log["hr"] = rng.normal(size=60)
    log["sepsis"] = np.repeat(rng.integers(0, 2, 10), 6)
    X = [g for _, g in log.groupby("patient")]
    with pytest.warns(
        UserWarning,
        match=r"Feature\(s\) \['patient', 'sepsis'\] of X hold one value in each sequence.*"
        r"X = \[x.drop\(columns=\['patient', 'sepsis'\]\) for x in X\]",
    ):
        _validate(X)
    with pytest.warns(UserWarning, match=r"Feature\(s\) \[0, 3\] of X.*np.delete\(x, \[0, 3\], axis=1\)"):
        _validate([x.to_numpy() for x in X])
    X = [x.drop(columns=["patient", "sepsis"]) for x in X]  # the fix, as given
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        seqs, holder = _validate(X)
        _validate([x.assign(site=1.0) for x in X])  # one value everywhere: nothing to leak
        _validate([x.iloc[:1].assign(sepsis=k) for k, x in enumerate(X)])  # one step each: no telling
        _validate(X, reset=False, holder=holder)  # predict: the columns fit took
    assert holder.feature_names_in_.tolist() == ["hour", "hr"]
    ages = [x.assign(age=30.0 + k) for k, x in enumerate(X)]  # a static attribute: warned alike
    with pytest.warns(UserWarning, match=r"\['age'\].*silence this warning, ") as record:
        RNNClassifier(**TINY).fit(ages, np.arange(10) % 2)
    silence = str(record[0].message).split("silence this warning, ")[1].rstrip(".")
    with warnings.catch_warnings():
        exec(silence)  # the filter, as given
        warnings.simplefilter("error", UserWarning)  # after it: any other warning still fails the test
        exec(silence)
        RNNClassifier(**TINY).fit(ages, np.arange(10) % 2)


def test_sequences_and_tables_with_a_decimal_comma_get_the_fix_that_keeps_them():
    """ "36,6" was told X.astype(float), which raises on it."""
    temps = [pd.DataFrame({"temp": ["36,6", "37,2", "38,1"]}), pd.DataFrame({"temp": ["36,9", "39,0"]})]
    with pytest.raises(
        ValueError,
        match=r"Sequence 0 of X: column 'temp' holds numbers written with a "
        r"decimal comma.*decimal=','",
    ) as info:
        _validate(temps)
    fix = re.search(r"convert the column: (.*?errors='coerce'\))", str(info.value))[1]
    for x in temps:
        exec(fix, {"x": x, "pd": pd})  # the fix, as given, for each sequence x
    seqs, _ = _validate(temps)
    np.testing.assert_allclose(seqs.values[1, :2, 0], [36.9, 39.0], rtol=1e-6)
    with pytest.raises(ValueError, match=r"column 't1' holds numbers written with a decimal comma"):
        _validate(pd.DataFrame({"t0": [36.6, 37.2], "t1": ["1,5", "2,5"]}))


def test_sktimes_numpy3d_layout_warns_with_the_transpose_that_reads_it_in_time():
    """BasicMotions as sktime's numpy3D (n_instances, n_channels, n_timepoints) was read as 6 time steps
    of 100 features, and a univariate (n, 1, T) as one step of T features, without a word."""
    X, y = load_basic_motions(return_type="numpy3D")
    assert X.shape[1:] == (6, 100)
    with pytest.warns(UserWarning, match=r"X's sequences are read as 6 time steps of 100 features"):
        RNNClassifier(**TINY).fit(X[:40], y[:40])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="X's sequences are read as")
        fitted = RNNClassifier(**TINY).fit(X[:40].transpose(0, 2, 1), y[:40])  # the fix, as given
        assert fitted.n_features_in_ == 6
        fitted.predict(X[40:].transpose(0, 2, 1))
        RNNRegressor(**TINY).fit(np.zeros((8, 20, 64)), np.arange(8.0))  # 20 steps of 64: as given
        windows = sliding_windows(np.zeros((300, 12)), 3)  # the library's own windows: 3 steps of 12
        RNNRegressor(**TINY).fit(windows, np.zeros(len(windows)))
    with pytest.warns(UserWarning, match=r"read as 1 time step of 100 features"):
        RNNRegressor(**TINY).fit(X[:8, :1], np.arange(8.0))
