"""from_long_table on tables built the way users build them: a CSV with string ids, timestamps and a label."""

import io
import re
import warnings

import numpy as np
import pandas as pd
import pytest

from sklearn_rnn import RNNClassifier, from_long_table

# Two machines, rows out of order, one-minute steps and a two-day gap (M-02), a label per machine.
CSV = """machine,timestamp,temp,vibration,status,is_fault,overheat
M-02,2024-03-01 10:01:00,71.0,0.30,ok,1,0
M-01,2024-03-01 10:00:00,60.0,0.10,ok,0,0
M-02,2024-03-01 10:00:00,70.0,0.20,ok,1,0
M-01,2024-03-01 10:01:00,61.0,0.11,ok,0,0
M-02,2024-03-03 10:01:00,90.0,0.90,alarm,1,0
M-01,2024-03-01 10:02:00,62.0,0.12,ok,0,0
"""
FEATURES = ["temp", "vibration"]


@pytest.fixture
def table():
    return pd.read_csv(io.StringIO(CSV), parse_dates=["timestamp"])


@pytest.fixture
def numeric(table):
    """The table without its text column: every column but id and time is a number."""
    return table.drop(columns="status")


# -- which columns are features --------------------------------------------------------------


def test_default_features_are_named_in_a_warning_that_flags_the_leaking_label(numeric):
    with pytest.warns(UserWarning, match="took the features") as record:
        sequences, ids = from_long_table(numeric, "machine", "timestamp")
    message = str(record[0].message)
    assert "['temp', 'vibration', 'is_fault', 'overheat']" in message
    # the label is constant within each machine: the warning says so and names the fix
    assert "['is_fault', 'overheat'] hold one value per id" in message
    assert "label_col=" in message and "feature_cols=" in message
    # found by a probe: a test table of other column order swapped the features of arrays read by position
    assert "pass the same list for the data you predict on" in message
    assert sequences[0].shape == (3, 4)  # the leak is visible, not silent


def test_label_col_is_left_out_of_the_features_and_returned_per_id(numeric):
    with pytest.warns(UserWarning, match=re.escape("['temp', 'vibration', 'overheat']")):
        sequences, ids, labels = from_long_table(numeric, "machine", "timestamp", label_col="is_fault")
    assert ids.tolist() == ["M-02", "M-01"]  # order of first appearance
    assert labels.tolist() == [1, 0]
    assert [s.shape for s in sequences] == [(3, 3), (3, 3)]


def test_explicit_features_give_no_warning_and_keep_the_old_two_outputs(table):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sequences, ids = from_long_table(table, "machine", "timestamp", FEATURES)
        same, _ = from_long_table(table, "machine", "timestamp", feature_cols=FEATURES)
    np.testing.assert_array_equal(sequences[1], [[60.0, 0.10], [61.0, 0.11], [62.0, 0.12]])
    np.testing.assert_array_equal(sequences[0][:, 0], [70.0, 71.0, 90.0])
    for a, b in zip(sequences, same, strict=True):
        np.testing.assert_array_equal(a, b)


def test_labels_stay_aligned_whatever_the_row_order(table):
    shuffled = table.sample(frac=1.0, random_state=3)
    sequences, ids, labels = from_long_table(shuffled, "machine", "timestamp", FEATURES, label_col="is_fault")
    truth = table.groupby("machine")["is_fault"].first()
    assert labels.tolist() == truth.loc[ids].tolist()
    first_temp = {"M-01": 60.0, "M-02": 70.0}
    assert [s[0, 0] for s in sequences] == [first_temp[i] for i in ids]


def test_a_list_of_label_columns_gives_multilabel_targets_for_the_classifier(table):
    sequences, ids, labels = from_long_table(
        table, "machine", "timestamp", FEATURES, label_col=["is_fault", "overheat"]
    )
    assert labels.shape == (2, 2) and labels.tolist() == [[1, 0], [0, 0]]


def test_a_label_column_among_the_features_is_refused(table):
    with pytest.raises(
        ValueError, match="feature_cols includes 'is_fault', a label column: the target would leak"
    ):
        from_long_table(table, "machine", "timestamp", ["temp", "is_fault"], label_col="is_fault")
    with pytest.raises(ValueError, match="feature_cols includes 'timestamp', the time column"):
        from_long_table(table, "machine", "timestamp", ["temp", "timestamp"])


def test_a_label_that_varies_within_an_id_is_an_error_naming_column_and_id(table):
    table.loc[table["timestamp"] == "2024-03-03 10:01:00", "is_fault"] = 0
    with pytest.raises(
        ValueError, match=r"label column 'is_fault' is not constant within 1 id\(s\), e.g. id 'M-02'"
    ):
        from_long_table(table, "machine", "timestamp", FEATURES, label_col="is_fault")


def test_a_missing_label_is_an_error(table):
    table["is_fault"] = table["is_fault"].where(table["machine"] == "M-02")
    with pytest.raises(ValueError, match=r"missing \(NaN\) for 1 id\(s\), e.g. 'M-01'"):
        from_long_table(table, "machine", "timestamp", FEATURES, label_col="is_fault")


# -- errors that name the column and the fix ----------------------------------------------


def test_a_text_column_names_itself_and_the_encodings(table):
    with pytest.raises(ValueError, match="Column 'status' holds text") as info:
        from_long_table(table, "machine", "timestamp", label_col="is_fault")
    message = str(info.value)
    assert "e.g. 'ok'" in message and "pd.get_dummies" in message and "label_col='status'" in message
    assert "feature_cols=None takes every column" in message
    with pytest.raises(ValueError, match="Column 'status' holds text"):
        from_long_table(table, "machine", "timestamp", ["temp", "status"])


def test_numbers_written_as_text_are_told_to_become_numbers_not_codes():
    """A heart rate read from a CSV with a stray 'n/a' was told to take category codes: 9, 100, n/a, 65
    became 2, 0, 3, 1 (codes in text order, 'n/a' a number)."""
    data = pd.DataFrame({"pid": ["a"] * 4, "t": [0, 1, 2, 3], "hr": ["9", "100", "n/a", "65"]})
    with pytest.raises(
        ValueError, match=r"numbers, some written as text \(e.g. .9., and .n/a., which is no"
    ) as info:
        from_long_table(data, "pid", "t", ["hr"])
    assert "cat.codes" not in str(info.value)
    exec(re.search(r"explicitly: (data\[.*?errors='coerce'\))", str(info.value))[1], {"data": data, "pd": pd})
    (sequence,), _ = from_long_table(data, "pid", "t", ["hr"])
    np.testing.assert_array_equal(sequence.ravel(), [9, 100, np.nan, 65])
    # numbers held as numbers beside the marker (an object column, as read from JSON): the same fix
    data = data.assign(hr=pd.Series([9, 100, "n/a", 65], dtype=object))
    with pytest.raises(ValueError, match=r"some written as text \(e.g. 9, and 'n/a'.*pd.to_numeric"):
        from_long_table(data, "pid", "t", ["hr"])


def test_numbers_with_a_decimal_comma_or_thousands_separators_get_a_fix_that_keeps_them():
    """A European CSV's "36,6" was told to take category codes (temperatures 0, 1, 2, 3), and "1,200"
    among plain numbers to be coerced, which made it NaN; both are numbers, read by read_csv's options."""
    data = pd.DataFrame({"pid": ["a"] * 4, "t": [0, 1, 2, 3], "temp": ["36,6", "37,2", "38,1", "38,4"]})
    with pytest.raises(
        ValueError,
        match=r"Column 'temp' holds numbers written with a decimal comma "
        r"\(e.g. '36,6'\). Read the file with pd.read_csv\(..., decimal=','\)",
    ) as info:
        from_long_table(data, "pid", "t", ["temp"])
    exec(
        re.search(r"convert the column: (.*?errors='coerce'\))", str(info.value))[1], {"data": data, "pd": pd}
    )
    (sequence,), _ = from_long_table(data, "pid", "t", ["temp"])
    np.testing.assert_allclose(sequence.ravel(), [36.6, 37.2, 38.1, 38.4], rtol=1e-6)
    csv = "pid;t;temp\na;0;36,6\na;1;37,2\n"  # the file as written: read_csv's option reads it
    read = pd.read_csv(io.StringIO(csv), sep=";", decimal=",")
    np.testing.assert_allclose(from_long_table(read, "pid", "t", ["temp"])[0][0].ravel(), [36.6, 37.2])
    charges = pd.DataFrame({"pid": ["a"] * 4, "t": [0, 1, 2, 3], "usd": ["950", "1,200.50", "870", "990"]})
    with pytest.raises(ValueError, match=r"commas between thousands \(e.g. '1,200.50'\).*thousands=','"):
        from_long_table(charges, "pid", "t", ["usd"])
    with pytest.raises(ValueError, match=r"a comma \(e.g. '1,200'\), which separates thousands.*or marks"):
        from_long_table(charges.assign(usd=["950", "1,200", "870", "990"]), "pid", "t", ["usd"])


def test_a_categorical_of_numbers_is_told_to_become_numbers(numeric):
    """A gear setting read as a category of numbers was told to one-hot encode or take its codes
    (which renumber 10, 20, 40 as 0, 1, 2); its values as floats are the plain fix."""
    numeric["vibration"] = numeric["vibration"].astype("category")
    with pytest.raises(ValueError, match=r"categorical of numbers.*astype\(float\)") as info:
        from_long_table(numeric, "machine", "timestamp", FEATURES)
    fix = re.search(r"(data\[.*?\]) = (data\[.*?\]\.astype\(float\))", str(info.value))
    exec(f"{fix[1]} = {fix[2]}", {"data": numeric})
    X, ids = from_long_table(numeric, "machine", "timestamp", FEATURES)
    np.testing.assert_allclose(X[list(ids).index("M-01")][:, 1], [0.10, 0.11, 0.12])


def test_a_missing_id_is_an_error_not_a_key_error(table):
    table.loc[3, "machine"] = np.nan
    with pytest.raises(
        ValueError,
        match=r"id column 'machine' is missing \(NaN or None\) in 1 row\(s\), the first at row index 3",
    ):
        from_long_table(table, "machine", "timestamp", FEATURES)


def test_ids_mixing_true_and_1_are_refused_rather_than_merged():
    """pandas takes True for 1 and False for 0: the two ids were one sequence, without an error."""
    data = pd.DataFrame(
        {"id": pd.Series([True, 1, 1, 2], dtype=object), "t": [0, 1, 2, 0], "x": [1.0, 2.0, 3.0, 4.0]}
    )
    with pytest.raises(ValueError, match=r"mixes True/False with other values \(e.g. True and 1\)") as info:
        from_long_table(data, "id", "t", ["x"])
    exec(re.search(r"(data\[.*?\] = data\[.*?\]\.astype\(str\))", str(info.value))[1], {"data": data})
    X, ids = from_long_table(data, "id", "t", ["x"])
    assert list(ids) == ["True", "1", "2"] and [len(x) for x in X] == [1, 2, 1]


def test_ids_mixing_numbers_and_strings_are_refused_with_the_fix():
    """Two exports concatenated, one read with int ids and one with str ids, gave four sequences for
    machines 1 and 2 (1 and '1' apart), silently; scikit-learn refuses such a mix in labels."""
    first = pd.DataFrame({"machine": [1, 1, 2, 2], "t": [0, 1, 0, 1], "x": [1.0, 2.0, 3.0, 4.0]})
    second = first.assign(machine=first["machine"].astype(str), t=first["t"] + 2)
    data = pd.concat([first, second], ignore_index=True)
    with pytest.raises(
        ValueError, match=r"'machine' mixes strings and other values \(e.g. '1' and 1\)"
    ) as info:
        from_long_table(data, "machine", "t", ["x"])
    fix = re.search(r"(data\[.*?\]) = (data\[.*?\]\.astype\(str\))", str(info.value))
    exec(f"{fix[1]} = {fix[2]}", {"data": data})
    X, ids = from_long_table(data, "machine", "t", ["x"])
    assert list(ids) == ["1", "2"]
    np.testing.assert_array_equal(X[0][:, 0], [1.0, 2.0, 1.0, 2.0])


def test_a_missing_time_is_an_error_not_sorted_last(table):
    table.loc[2, "timestamp"] = pd.NaT
    with pytest.raises(ValueError, match=r"time column 'timestamp' is missing \(NaT\) in 1 row\(s\)") as info:
        from_long_table(table, "machine", "timestamp", FEATURES)
    assert "dropna(subset=['timestamp'])" in str(info.value)
    numeric_time = pd.DataFrame({"id": ["a", "a"], "t": [0.0, np.nan], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"'t' is missing \(NaN or inf\)"):
        from_long_table(numeric_time, "id", "t", ["x"])


def test_text_times_are_refused_rather_than_sorted_as_text():
    table = pd.read_csv(io.StringIO(CSV))  # timestamps left as strings
    with pytest.raises(ValueError, match=r"pd.to_datetime\(data\['timestamp'\]\)"):
        from_long_table(table, "machine", "timestamp", FEATURES)


def test_an_object_column_of_python_numbers_is_read_as_numeric_times():
    """Not refused as text (with pd.to_datetime as the fix, which would read them as nanoseconds)."""
    plain = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 2, "t": [3, 1, 2, 0, 5, 4], "x": np.arange(6.0)})
    expected, _ = from_long_table(plain, "id", "t", ["x"], time_delta=True)
    for times in ([3, 1, 2, 0, 5, 4], [3, 1.0, 2, 0, 5, 4.0]):
        table = plain.assign(t=pd.Series(times, dtype=object))
        sequences, _ = from_long_table(table, "id", "t", ["x"], time_delta=True)
        for got, want in zip(sequences, expected, strict=True):
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match=r"'t' is missing \(NaN or inf\) in 1 row"):
        from_long_table(plain.assign(t=pd.Series([3, 1, None, 0, 5, 4], dtype=object)), "id", "t", ["x"])


@pytest.mark.parametrize(
    "times, message",
    [
        (pd.period_range("2024-01", periods=2, freq="M"), r"holds periods .*\.dt\.to_timestamp\(\)"),
        (pd.Series([1, "b"], dtype=object), r"values of type mixed-integer .*pd.to_numeric"),
        (pd.Series([2**70, 1], dtype=object), r"integers beyond the int64 range"),
        (pd.Series(["1", "2"], dtype=object), r"holds text .*pd.to_numeric\(data\['t'\]\) for numbers"),
    ],
    ids=["periods", "mixed", "huge-integers", "numeric-text"],
)
def test_time_columns_that_do_not_order_as_times_are_refused_with_their_conversion(times, message):
    table = pd.DataFrame({"id": ["a", "a"], "t": times, "x": [0.0, 1.0]})
    with pytest.raises(ValueError, match=message):
        from_long_table(table, "id", "t", ["x"])


@pytest.mark.parametrize("unit", ["s", "ms", "us"])
def test_dates_beyond_the_nanosecond_range_sort_space_and_resample_in_their_own_unit(unit):
    """pandas 3 keeps 2999-12-31 (an 'open end' placeholder) or 1650 at microseconds: no overflow."""
    dates = pd.to_datetime(["2999-12-31", "1650-01-01", "1650-01-02", "1650-01-04"]).as_unit(unit)
    table = pd.DataFrame({"id": ["a"] * 4, "t": dates, "x": [3.0, 0.0, 1.0, 2.0]})
    (sequence,), _ = from_long_table(table, "id", "t", ["x"], time_delta=True)
    np.testing.assert_array_equal(sequence[:, 0], [0.0, 1.0, 2.0, 3.0])
    span = (pd.Timestamp("2999-12-31").as_unit("s") - pd.Timestamp("1650-01-04").as_unit("s")).total_seconds()
    np.testing.assert_array_equal(sequence[:, 1], [0.0, 86400.0, 2 * 86400.0, span])
    (grid,), _ = from_long_table(table.iloc[1:], "id", "t", ["x"], resample="1D")
    np.testing.assert_array_equal(grid.ravel(), [0.0, 1.0, np.nan, 2.0])
    (grid,), _ = from_long_table(table.iloc[1:], "id", "t", ["x"], resample="2D")
    np.testing.assert_array_equal(grid.ravel(), [0.5, 2.0])


@pytest.mark.parametrize(
    "step, expected", [("500ms", [0.0, np.nan, 1.0, np.nan, 2.0]), ("1500ms", [0.5, 2.0])]
)
def test_resample_steps_finer_than_the_time_unit_bin_exactly(step, expected):
    """Times in whole seconds, steps of 0.5 s or 1.5 s: the bins are not rounded to the unit."""
    times = pd.to_datetime(["2024-01-01 00:00:00", "2024-01-01 00:00:01", "2024-01-01 00:00:02"]).as_unit("s")
    table = pd.DataFrame({"id": ["a"] * 3, "t": times, "x": [0.0, 1.0, 2.0]})
    (grid,), _ = from_long_table(table, "id", "t", ["x"], resample=step)
    np.testing.assert_array_equal(grid.ravel(), expected)


def test_date_features_and_infinite_values_are_refused(table):
    table["installed"] = pd.Timestamp("2020-01-01")
    with pytest.raises(TypeError, match="Column 'installed' holds dates"):
        from_long_table(table, "machine", "timestamp", ["temp", "installed"])
    table.loc[4, "temp"] = np.inf
    with pytest.raises(ValueError, match="Column 'temp' holds infinite values, the first at row index 4"):
        from_long_table(table, "machine", "timestamp", FEATURES)


# -- irregular time steps ---------------------------------------------------------------------


def test_time_delta_adds_the_elapsed_seconds_so_gaps_do_not_vanish(table):
    sequences, ids = from_long_table(table, "machine", "timestamp", FEATURES, time_delta=True)
    assert sequences[0].shape == (3, 3)
    # M-02: one minute, then two days; each sequence starts at 0
    np.testing.assert_array_equal(sequences[0][:, -1], [0.0, 60.0, 2 * 86400.0])
    np.testing.assert_array_equal(sequences[1][:, -1], [0.0, 60.0, 60.0])
    np.testing.assert_array_equal(
        sequences[0][:, :2], from_long_table(table, "machine", "timestamp", FEATURES)[0][0]
    )


def test_time_delta_of_numeric_times_is_in_their_units():
    table = pd.DataFrame({"id": [1, 1, 1], "t": [0.5, 3.0, 1.0], "x": [1.0, 3.0, 2.0]})
    (sequence,), _ = from_long_table(table, "id", "t", ["x"], time_delta=True)
    np.testing.assert_array_equal(sequence, [[1.0, 0.0], [2.0, 0.5], [3.0, 2.0]])


@pytest.mark.parametrize(
    "times",
    [
        np.array([3, 1, 2, 0], dtype=np.int64) + 1_700_000_000_000_000_000,  # epoch nanoseconds
        np.array([3, 1, 2, 0], dtype=np.uint64) + np.uint64(2**63),  # a 64-bit counter
        pd.array([3, 1, 2, 0], dtype="Int64") + 2**60,  # nullable integers
    ],
    ids=["int64-ns", "uint64", "Int64"],
)
def test_integer_times_beyond_float_precision_sort_and_space_exactly(times):
    """Integer times 1 apart near 2**60: as floats they would be equal and keep the table's order."""
    table = pd.DataFrame({"id": ["a"] * 4, "t": times, "x": [3.0, 1.0, 2.0, 0.0]})
    (sequence,), _ = from_long_table(table, "id", "t", ["x"], time_delta=True)
    np.testing.assert_array_equal(sequence, [[0.0, 0.0], [1.0, 1.0], [2.0, 1.0], [3.0, 1.0]])
    (grid,), _ = from_long_table(table.iloc[[0, 3]], "id", "t", ["x"], resample=1)
    np.testing.assert_array_equal(grid.ravel(), [0.0, np.nan, np.nan, 3.0])


def test_resample_puts_gaps_on_a_regular_grid_as_nan_steps(table):
    sequences, ids, labels = from_long_table(
        table, "machine", "timestamp", FEATURES, label_col="is_fault", resample="1h"
    )
    m02 = sequences[0]
    assert len(m02) == 49  # 10:00 on day 1 to 10:00 on day 3: 48 hourly steps later
    np.testing.assert_allclose(m02[0], [70.5, 0.25])  # the two rows of the first hour, averaged
    np.testing.assert_array_equal(m02[-1], [90.0, 0.9])
    assert np.isnan(m02[1:-1]).all()
    np.testing.assert_allclose(sequences[1], [[61.0, 0.11]])
    assert labels.tolist() == [1, 0]
    # a NaN gap is a missing value to the classifier's mask
    clf = RNNClassifier(architecture="rnn", hidden_size=4, max_epochs=1, missing="mask", random_state=0)
    assert clf.fit(sequences, labels).predict(sequences).shape == (2,)


def test_resample_of_numeric_times_is_exact_at_step_boundaries():
    table = pd.DataFrame({"id": ["a"] * 4, "t": [0.0, 0.1, 0.3, 0.2], "x": [0.0, 1.0, 3.0, 2.0]})
    (sequence,), _ = from_long_table(table, "id", "t", ["x"], resample=0.1)
    np.testing.assert_array_equal(sequence.ravel(), [0.0, 1.0, 2.0, 3.0])  # 0.3 / 0.1 < 3 in floats
    (sparse,), _ = from_long_table(table.iloc[[0, 2]], "id", "t", ["x"], resample=0.1)
    np.testing.assert_array_equal(np.isnan(sparse.ravel()), [False, True, True, False])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(resample="1MS"), "a positive fixed step such as '1h'"),  # month starts, not 1 ms
        (dict(resample="1ME"), "calendar months and years have no fixed length"),
        (dict(resample=3600), "a positive fixed step such as '1h'"),
        (dict(resample="-1h"), "a positive fixed step"),
        (dict(resample="1h", time_delta=True), "cannot be combined"),
    ],
)
def test_resample_errors(table, kwargs, message):
    with pytest.raises(ValueError, match=message):
        from_long_table(table, "machine", "timestamp", FEATURES, **kwargs)


def test_resample_of_numeric_times_needs_a_number():
    table = pd.DataFrame({"id": ["a", "a"], "t": [0, 1], "x": [0.0, 1.0]})
    with pytest.raises(ValueError, match="positive number in the units of the time column"):
        from_long_table(table, "id", "t", ["x"], resample="1h")


def test_a_time_column_set_as_the_index_is_named_with_the_fix():
    # dates parsed into a column, then set as the index, as users do before plotting
    table = pd.DataFrame({"pid": ["a", "a"], "date": pd.date_range("2024", periods=2), "hr": [1.0, 2.0]})
    with pytest.raises(ValueError, match=re.escape("['date'] is the index of data: pass data.reset_index()")):
        from_long_table(table.set_index("date"), "pid", "date", ["hr"])
    assert len(from_long_table(table, "pid", "date", ["hr"])[0]) == 1


def test_a_resample_step_far_finer_than_the_span_is_refused_before_allocating_the_grid():
    """A one-second grid over years (or epoch-ns integers at resample=1) raised numpy's MemoryError, or took
    the machine's memory; a float span beyond int64 steps gave 'negative dimensions are not allowed'."""
    years = pd.DataFrame(
        {"id": ["a", "a", "b"], "t": pd.to_datetime(["2000-01-01", "2024-01-01", "2024-01-01"]), "x": 1.0}
    )
    with pytest.raises(ValueError, match=r"resample='1s' puts the 3 rows on a grid of 757,382,402 steps "):
        from_long_table(years, "id", "t", ["x"], resample="1s")
    wide = pd.DataFrame({"id": ["a", "a"], "t": [0.0, 1e25], "x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="over 99% of the steps would be gaps.*time_delta=True"):
        from_long_table(wide, "id", "t", ["x"], resample=1)
    (daily, _), _ = from_long_table(years, "id", "t", ["x"], resample="1D")  # the fix: a coarser step
    assert len(daily) == 8767 and np.isnan(daily[1:-1]).all()


def test_several_id_columns_are_refused_with_how_to_combine_them():
    """id_col=['patient', 'visit'] raised pandas' "unhashable type: 'list'"."""
    table = pd.DataFrame(
        {
            "patient": ["b", "a", "b", "a"],
            "visit": [1, 1, 1, 1],
            "t": [2, 1, 1, 2],
            "hr": [4.0, 2.0, 3.0, 1.0],
        }
    )
    with pytest.raises(TypeError, match=re.escape("list(zip(data['patient'], data['visit']))")):
        from_long_table(table, ["patient", "visit"], "t", ["hr"])
    with pytest.raises(TypeError, match="time_col must name one column of data"):
        from_long_table(table, "patient", ["t"], ["hr"])
    table["key"] = list(zip(table["patient"], table["visit"], strict=True))  # the fix the error gives
    sequences, ids = from_long_table(table, "key", "t", ["hr"])
    assert ids.tolist() == [("b", 1), ("a", 1)]
    assert [s.ravel().tolist() for s in sequences] == [[3.0, 4.0], [2.0, 1.0]]


@pytest.mark.parametrize("dtype", ["bool", "boolean"])
def test_a_boolean_label_column_stays_boolean(dtype):
    """Boolean labels came back as 0/1 integers: the classifier learned classes [0, 1], not [False, True]."""
    table = pd.DataFrame(
        {"id": np.repeat(np.arange(6), 2), "t": np.tile([0, 1], 6), "v": np.arange(12.0)}
    ).assign(is_fraud=lambda d: (d["id"] % 2 == 1).astype(dtype))
    sequences, _, y = from_long_table(table, "id", "t", ["v"], label_col="is_fraud")
    assert y.dtype == bool and y.tolist() == [False, True] * 3
    clf = RNNClassifier(architecture="rnn", hidden_size=4, max_epochs=1, random_state=0).fit(sequences, y)
    assert clf.classes_.tolist() == [False, True]


def test_a_long_table_passed_as_it_is_or_its_result_not_unpacked_is_told_to_use_from_long_table():
    """fit(long_table) got "X must hold numbers ... encode categorical features", which named neither the
    id column nor from_long_table (encoding the ids then fitted every row as a sequence); fit(
    from_long_table(...)) got numpy's "inhomogeneous shape" error."""
    table = pd.DataFrame(
        {
            "patient_id": np.repeat(["P1", "P2", "P3", "P4"], 5),
            "charttime": np.tile(pd.date_range("2024-01-01", periods=5, freq="h"), 4),
            "heart_rate": np.arange(20.0),
        }
    )
    y = [0, 1, 0, 1]
    with pytest.raises(
        TypeError, match=r"column\(s\) \['charttime'\] of dates.*X, ids = sklearn_rnn.from_long"
    ):
        RNNClassifier(max_epochs=1).fit(table, np.repeat(y, 5))
    with pytest.raises(
        ValueError, match=r"column\(s\) \['patient_id'\] hold text.*from_long_table\(X, id_col"
    ):
        RNNClassifier(max_epochs=1).fit(table.drop(columns="charttime"), np.repeat(y, 5))
    result = from_long_table(table, "patient_id", "charttime", ["heart_rate"])
    with pytest.raises(
        TypeError, match=r"tuple of 4 sequences and 1 array\(s\).*Unpack it: X, ids = from_long"
    ):
        RNNClassifier(max_epochs=1).fit(result, y)
    X, ids = result  # the fix
    assert RNNClassifier(max_epochs=1, hidden_size=4, random_state=0).fit(X, y).predict(X).shape == (4,)


def test_pd_na_among_numbers_held_as_objects_is_nan_as_in_a_nullable_column():
    """Found by a probe: x.replace(-999.0, pd.NA) makes an object column, which was refused as
    'objects that could not convert to float', where Float64 with pd.NA, or None, gave NaN."""
    x = pd.Series([1.0, 2.0, -999.0]).replace(-999.0, pd.NA)
    assert x.dtype == object
    table = pd.DataFrame({"id": ["a", "a", "b"], "t": [0, 1, 0], "x": x})
    sequences, ids = from_long_table(table, "id", "t", ["x"])
    nullable, _ = from_long_table(table.astype({"x": "Float64"}), "id", "t", ["x"])
    for got, expected in zip(sequences, nullable, strict=True):
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(sequences[1], [[np.nan]])
    words = table.assign(x=["low", "mid", "high"])
    with pytest.raises(ValueError, match="text or categories"):
        from_long_table(words, "id", "t", ["x"])
    grades = table.assign(x=["1", "2", "high"])  # two in three numbers: still categories, not to_numeric
    with pytest.raises(ValueError, match="text or categories"):
        from_long_table(grades, "id", "t", ["x"])


@pytest.mark.parametrize("zone", ["Europe/Paris", "America/New_York"])
def test_daily_resample_of_dates_in_a_time_zone_steps_by_the_local_calendar(zone):
    """Found by a probe: the grid was laid on elapsed time, so a 23-hour day at the spring clock change
    put two local midnights in one 24-hour step (28 and 29 March 2021 averaged into 2.5) and every
    later day one step early; pandas' resample('1D') gives a step a local day."""
    days = pd.date_range("2021-03-10", periods=40, freq="D", tz=zone)  # spans the spring change
    table = pd.DataFrame({"id": "s", "t": days + pd.Timedelta(hours=9), "x": np.arange(40.0)})
    expected = table.set_index("t")["x"].resample("1D").mean().to_numpy()
    (daily,), _ = from_long_table(table, "id", "t", ["x"], resample="1D")
    np.testing.assert_array_equal(daily.ravel(), expected)
    np.testing.assert_array_equal(daily.ravel(), np.arange(40.0))
    (two_days,), _ = from_long_table(table, "id", "t", ["x"], resample="2D")
    np.testing.assert_array_equal(two_days.ravel(), np.arange(40.0).reshape(20, 2).mean(axis=1))
    hourly = pd.DataFrame({"id": "s", "t": pd.date_range("2021-03-27", periods=48, freq="h", tz=zone)})
    hourly["x"] = np.arange(48.0)
    (steps,), _ = from_long_table(hourly, "id", "t", ["x"], resample="1h")  # elapsed hours, no gap
    np.testing.assert_array_equal(steps.ravel(), np.arange(48.0))


def test_a_numpy_timedelta_is_a_resample_step_not_a_bare_number():
    """Found by a probe: np.median(np.diff(df.t.values)) is a np.timedelta64, which numpy counts as an
    integer: it was refused as 'a bare number has no unit'."""
    table = pd.DataFrame(
        {"id": "a", "t": pd.to_datetime(["2021-01-01 00:00", "2021-01-01 02:00"]), "x": [1.0, 2.0]}
    )
    median = np.median(np.diff(np.array(["2021-01-01T00", "2021-01-01T01"], dtype="datetime64[ns]")))
    for step in (np.timedelta64(1, "h"), median):
        assert isinstance(step, np.timedelta64)
        (sequence,), _ = from_long_table(table, "id", "t", ["x"], resample=step)
        np.testing.assert_array_equal(sequence.ravel(), [1.0, np.nan, 2.0])


def test_rows_repeated_because_the_id_misses_a_part_get_the_unique_id_fix():
    """Two sites numbering patients from 1 were told only to 'Aggregate them', which would average
    different patients' readings into one sequence."""
    rng = np.random.default_rng(0)
    data = pd.concat(
        [
            pd.DataFrame({"site": s, "patient": np.repeat([1, 2], 3), "hour": np.tile(range(3), 2)})
            for s in ("A", "B")
        ],
        ignore_index=True,
    ).assign(hr=rng.normal(80, 5, 12))
    with pytest.raises(
        ValueError,
        match=r"6 duplicated \(patient, hour\) rows.*aggregate them.*"
        r"make the id unique first: data\['key'\] = list\(zip\(data\['site'\], "
        r"data\['patient'\]\)\), and pass id_col='key'",
    ):
        from_long_table(data, "patient", "hour", ["hr"])
    data["key"] = list(zip(data["site"], data["patient"]))  # noqa: B905 (the fix, as given)
    sequences, ids = from_long_table(data, "key", "hour", ["hr"])
    assert len(sequences) == 4 and list(ids) == [("A", 1), ("A", 2), ("B", 1), ("B", 2)]
    np.testing.assert_allclose(sequences[2].ravel(), data["hr"].to_numpy()[6:9])  # site B's patient 1


def test_feature_columns_as_a_set_are_refused_and_as_a_series_or_dict_keys_taken_in_order():
    """set(df.columns) - {...} and meta.loc[..., "name"] failed deep in pandas: unhashable type."""
    data = pd.DataFrame({"pid": [1, 1, 2, 2], "t": [0, 1, 0, 1], "hr": [60.0, 61, 70, 71], "temp": 37.0})
    with pytest.raises(TypeError, match=r"feature_cols is a set, which has no order.*Pass a list"):
        from_long_table(data, "pid", "t", set(data.columns) - {"pid", "t"})
    expected = from_long_table(data, "pid", "t", ["temp", "hr"])[0]
    for names in (pd.Series(["temp", "hr"], name="name"), {"temp": "C", "hr": "bpm"}.keys()):
        np.testing.assert_array_equal(from_long_table(data, "pid", "t", names)[0], expected)
