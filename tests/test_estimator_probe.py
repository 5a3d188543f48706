"""Defects found by probing RNNClassifier and RNNRegressor as a demanding scikit-learn user would."""

from __future__ import annotations

import datetime
import re
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


def test_a_feature_constant_up_to_float64_rounding_is_not_blown_up_by_its_rounding():
    """A feature of 0.5 and the next float64 after it was scaled by its 1-ulp spread (5.6e-17): those
    ulps then flipped 14 of 200 predicted labels. The check read the spread against the feature's
    distance from its reference level (about 0), not against its value."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10, 2))
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    X[:, :, 1] = np.where(np.arange(40)[:, None] % 2 == 0, 0.5, np.nextafter(0.5, 1.0))
    clf = RNNClassifier(**{**TINY, "max_epochs": 10}).fit(X, y)
    assert clf.net_.module_.x_scale[1].item() == 1.0  # constant: read by 1
    other = X.copy()
    other[:, :, 1] = np.where(X[:, :, 1] == 0.5, np.nextafter(0.5, 1.0), 0.5)  # the ulps swapped
    np.testing.assert_allclose(clf.predict_proba(other), clf.predict_proba(X), atol=1e-6)


@pytest.mark.parametrize("flip", [lambda X: X[::-1], lambda X: X[:, ::-1], lambda X: X[:, :, ::-1]])
def test_float32_views_with_negative_strides_fit_and_predict_as_their_copies(flip):
    """torch refused float32 views of reversed order (X[::-1], np.flip): 'At least one stride ... is
    negative'; float64 input was copied on the way and trained."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 10, 2)).astype(np.float32)
    y = np.arange(30) % 2
    view = flip(X)
    assert any(stride < 0 for stride in view.strides)
    fitted = RNNClassifier(**TINY).fit(view, y)
    expected = RNNClassifier(**TINY).fit(view.copy(), y)
    np.testing.assert_array_equal(fitted.predict_proba(view), expected.predict_proba(view.copy()))


def test_regression_targets_near_the_float64_limit_train():
    """Targets of 1e308 and -1e308 overflowed as they were scaled (y - mean), and fit returned an
    untrained network after warning of a learning rate too high."""
    X = np.random.default_rng(0).normal(size=(30, 10, 2))
    y = np.r_[1e308, np.full(29, -1e308)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow, no non-finite loss
        reg = RNNRegressor(**{**TINY, "max_epochs": 5}).fit(X, y)
    assert reg.n_iter_ == 5 and np.isfinite(reg.loss_curve_).all()
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_values_that_leave_float32_relative_to_their_level_are_refused(dtype):
    """-3e38 and 3e38 are each within float32's range, but 6e38 apart: read relative to the level of
    the first steps they became inf, fit returned after 0 epochs and every predict failed."""
    X = np.full((30, 5, 1), -3e38)
    X[::2, 1:, 0] = 3e38
    with pytest.raises(ValueError, match=r"too far apart for float32.*Rescale X first"):
        RNNClassifier(**TINY).fit(X.astype(dtype), np.arange(30) % 2)
    clf = RNNClassifier(**TINY).fit(X / 1e30, np.arange(30) % 2)  # the fix the error gives
    assert clf.n_iter_ == 2 and np.isfinite(clf.predict_proba(X / 1e30)).all()


def test_score_checks_sample_weight_when_y_holds_unseen_labels():
    """With a label never seen in fit, a sample_weight of the wrong length failed inside numpy with
    "Axis must be specified when shapes of a and weights differ"."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6, 2)), np.arange(30) % 2
    clf = RNNClassifier(**TINY).fit(X, y)
    with pytest.warns(UserWarning, match="never seen during fit"):
        with pytest.raises(ValueError, match=r"sample_weight.shape == \(5,\), expected \(30,\)"):
            clf.score(X, np.where(y == 1, 2, 0), sample_weight=np.ones(5))


@pytest.mark.parametrize("ragged", [False, True])
def test_a_feature_constant_up_to_rounding_within_each_sequence_is_read_as_constant(ragged):
    """0.5 and the next float64 after it alternating within each sequence: float32 holds the 1.1e-16
    differences from the level 0.5 (exact in float32), and each sequence's standardisation blew
    them up to unit size; swapping the ulps moved probabilities by up to 0.85."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 10, 2))
    y = (X[:, :, 0].mean(axis=1) > 0).astype(int)
    X[:, :, 1] = np.where((np.arange(40)[:, None] + np.arange(10)) % 2 == 0, 0.5, np.nextafter(0.5, 1.0))
    other = X.copy()
    other[:, :, 1] = np.where(X[:, :, 1] == 0.5, np.nextafter(0.5, 1.0), 0.5)  # the ulps swapped
    as_input = (lambda A: [a[: 6 + i % 5] for i, a in enumerate(A)]) if ragged else (lambda A: A)
    clf = RNNClassifier(**{**TINY, "max_epochs": 10}, augmentation=None).fit(as_input(X), y)
    np.testing.assert_array_equal(clf.predict_proba(as_input(other)), clf.predict_proba(as_input(X)))


def test_pd_na_among_numbers_held_as_objects_is_a_missing_value():
    """pd.Series([1.0, pd.NA]) has dtype object: it was refused as holding "strings or other objects"
    even with missing="mask", where None in its place, and pd.NA in a Float64 column, were gaps."""
    rng = np.random.default_rng(0)
    X = [pd.Series(rng.normal(size=8)).astype(object) for _ in range(20)]
    X[3].iloc[2] = pd.NA
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="contains NaN.*set missing='mask'"):
        RNNClassifier(**TINY).fit(X, y)
    masked = RNNClassifier(**TINY, missing="mask").fit(X, y)
    floats = [x.to_numpy(dtype=float, na_value=np.nan) for x in X[:5]]  # the gap as NaN
    np.testing.assert_array_equal(masked.predict_proba(X[:5]), masked.predict_proba(floats))
    frames = [pd.DataFrame({"a": x, "b": pd.array(np.arange(8.0), dtype="Float64")}) for x in X[:5]]
    masked2 = RNNClassifier(**TINY, missing="mask").fit(frames, y[:5])  # an object and a Float64 column
    both = [np.column_stack([f, np.arange(8.0)]) for f in floats]
    np.testing.assert_array_equal(masked2.predict_proba(frames), masked2.predict_proba(both))


def test_pd_na_in_a_table_or_array_of_objects_is_a_missing_value_as_in_a_sequence():
    """A 2D table's object column, or a numpy object array (2D or 3D), holding pd.NA or None among
    numbers was refused as "strings or other objects", where a sequence's frame read them as gaps."""
    rng = np.random.default_rng(0)
    floats = rng.normal(size=(20, 8))
    floats[3, 2] = floats[5, 6] = np.nan
    objects = floats.astype(object)
    objects[3, 2], objects[5, 6] = pd.NA, None
    y = np.arange(20) % 2
    reference = RNNClassifier(**TINY, missing="mask").fit(floats, y).predict_proba(floats)
    for X in (objects, pd.DataFrame(objects), objects[:, :, None]):
        with pytest.raises(ValueError, match="contains NaN.*set missing='mask'"):
            RNNClassifier(**TINY).fit(X, y)
        masked = RNNClassifier(**TINY, missing="mask").fit(X, y)
        np.testing.assert_array_equal(masked.predict_proba(X), reference)
    words = objects.copy()
    words[0, 0] = "high"
    with pytest.raises(ValueError, match="it holds text"):  # text keeps its refusal
        RNNClassifier(**TINY, missing="mask").fit(words, y)


def test_period_columns_are_refused_as_dates_with_their_name():
    """Periods were refused as "strings or other objects ... encode categorical", without the column."""
    rng = np.random.default_rng(0)
    months = pd.period_range("2020-01", periods=6, freq="M")
    table = pd.DataFrame({"a": rng.normal(size=4), "month": months[:4]})
    with pytest.raises(TypeError, match=r"column\(s\) \['month'\] of dates or durations"):
        RNNClassifier(**TINY).fit(table, [0, 1, 0, 1])
    sequences = [pd.DataFrame({"a": rng.normal(size=6), "month": months}) for _ in range(4)]
    with pytest.raises(TypeError, match=r"Sequence 0 of X holds dates or durations \(dtype period\[M\]\)"):
        RNNClassifier(**TINY).fit(sequences, [0, 1, 0, 1])


def _failing_refits():
    """Refits that raise after the first fit's attributes used to be replaced: (estimator, X, y, kwargs)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 12, 2))
    labels = np.where(np.arange(30) % 2 == 0, "cat", "dog")
    new_labels = np.where(np.arange(30) % 2 == 0, "spam", "ham")
    target = X[:, :, 0].sum(axis=1)
    bad_filters = {"fcn_filters": (4, 4)}  # refused when the network is built, after the labels
    yield "labels", RNNClassifier(**TINY), X, labels, new_labels, bad_filters, {}
    yield "weights", RNNClassifier(**TINY), X, labels, new_labels, {}, {"sample_weight": np.ones(29)}
    yield "class_weight", RNNClassifier(**TINY), X, labels, new_labels, {"class_weight": {"spam": -1.0}}, {}
    multilabel = (rng.random((30, 3)) < 0.5).astype(int)
    yield "multilabel", RNNClassifier(**TINY), X, labels, multilabel, bad_filters, {}
    yield "outputs", RNNRegressor(**TINY), X, target, np.c_[1000 * target, target], bad_filters, {}
    yield "features", RNNRegressor(**TINY), X, target, target, bad_filters, {"X": X[:, :, :1]}


@pytest.mark.parametrize("case", list(_failing_refits()), ids=lambda case: case[0])
def test_a_refit_that_raises_leaves_the_fitted_model_as_it_was(case):
    """A refit refused after fit had replaced classes_ or the target's scaling kept them over the old
    network: predict gave the old model's decisions under the failed fit's labels, or outputs in its
    units and shape, with no error."""
    _, estimator, X, y, new_y, new_params, refit = case
    estimator.fit(X, y)
    before = estimator.predict(X)
    attributes = {key: value for key, value in vars(estimator).items() if key.endswith("_")}
    estimator.set_params(**new_params)
    with pytest.raises(ValueError):
        estimator.fit(refit.pop("X", X), new_y, **refit)
    assert {key for key in vars(estimator) if key.endswith("_")} == set(attributes)
    assert all(vars(estimator)[key] is value for key, value in attributes.items())
    np.testing.assert_array_equal(estimator.predict(X), before)


def test_cross_val_predict_takes_log_probabilities():
    """cross_val_predict(method="predict_log_proba") raised AttributeError, where MLPClassifier's works."""
    from sklearn.model_selection import cross_val_predict

    rng = np.random.default_rng(0)
    X = [rng.normal(size=(n, 2)) + (i % 3) for i, n in enumerate(rng.integers(5, 12, size=24))]
    y = np.array(["a", "b", "c"])[np.arange(24) % 3]
    log_proba = cross_val_predict(RNNClassifier(**TINY), X, y, cv=2, method="predict_log_proba")
    assert log_proba.shape == (24, 3)
    classifier = RNNClassifier(**TINY).fit(X, y)
    np.testing.assert_array_equal(classifier.predict_log_proba(X), np.log(classifier.predict_proba(X)))


def test_a_list_of_sparse_sequences_gets_a_fix_that_works():
    """A list of sparse matrices got "got 1 dimension(s)", as if X held one sequence."""
    import scipy.sparse as sp

    rng = np.random.default_rng(0)
    X = [sp.csr_matrix(rng.random((5, 2))) for _ in range(6)]
    with pytest.raises(TypeError, match="sparse matrices") as error:
        RNNClassifier(**TINY).fit(X, [0, 1] * 3)
    fix = str(error.value).split("e.g. X = ")[1].rstrip(".")
    dense = eval(fix, {"X": X})
    assert RNNClassifier(**TINY).fit(dense, [0, 1] * 3).predict(dense).shape == (6,)


def test_a_warm_refit_that_raises_keeps_the_history_of_its_network():
    """A warm-started fit trains the fitted network in place: one whose callback raised after two more
    epochs kept that network, and the first fix of failed refits rolled n_iter_ and loss_curve_ back
    to the epochs before it."""
    from skorch.callbacks import Callback

    class Boom(Callback):
        def __init__(self, at):
            self.at = at

        def on_epoch_end(self, net, **kwargs):
            if len(net.history) == self.at:
                raise ValueError("boom")

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 8, 2)), np.arange(30) % 2
    classifier = RNNClassifier(**{**TINY, "max_epochs": 3}, callbacks=[Boom(at=5)]).fit(X, y)
    classifier.set_params(warm_start=True)
    with pytest.raises(ValueError, match="boom"):
        classifier.fit(X, y)
    assert classifier.n_iter_ == len(classifier.loss_curve_) == len(classifier.net_.history) == 5


def test_repeated_feature_names_of_sequence_frames_save_and_load():
    """Fit records the names of a list of frames as given, repeats too; load's rule for names refused
    them, so save refused a model that refitting could not change."""
    import io

    from sklearn_rnn import load, save

    rng = np.random.default_rng(0)
    X = [pd.DataFrame(rng.normal(size=(n, 2)), columns=["a", "a"]) for n in rng.integers(4, 9, size=12)]
    classifier = RNNClassifier(**TINY).fit(X, np.arange(12) % 2)
    buffer = io.BytesIO()
    save(classifier, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    np.testing.assert_array_equal(loaded.predict_proba(X), classifier.predict_proba(X))
    assert loaded.feature_names_in_.tolist() == ["a", "a"]


def test_a_warm_refit_refused_before_it_trains_leaves_the_model_as_it_was():
    """A warm refit that changed the scaling of a target constant so far, then was refused (a changed
    hidden_size), kept the new scaling over the old network: 990 predicted where 5 was learnt."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8, 2))
    regressor = RNNRegressor(**TINY).fit(X, np.full(30, 5.0))
    before = regressor.predict(X)
    regressor.set_params(warm_start=True, hidden_size=6)
    with pytest.raises(ValueError, match="hidden_size"):
        regressor.fit(X, rng.normal(size=30) * 100 + 1000)
    np.testing.assert_array_equal(regressor.set_params(hidden_size=TINY["hidden_size"]).predict(X), before)


def _vitals() -> tuple[pd.DataFrame, dict]:
    """A long table of patients' vitals (ids in no order, unequal lengths) and each patient's label."""
    rng = np.random.default_rng(0)
    ids = ["p3", "p1", "p7", "p2", "p5", "p4"]
    rows = [
        (pid, t, rng.normal(70, 5), rng.normal(120, 10))
        for pid in ids
        for t in range(int(rng.integers(3, 8)))
    ]
    table = pd.DataFrame(rows, columns=["pid", "t", "hr", "sbp"])
    return table, {pid: int(pid[1:]) % 2 for pid in ids}


@pytest.mark.parametrize(
    "form", ["groupby", "groupby of every column", "pairs", "pairs of series", "values", "items"]
)
def test_a_groupby_its_pairs_or_dict_views_get_a_fix_that_works(form):
    """A groupby, the (key, table) pairs iterating it gives, and dict.values() got numpy's "inhomogeneous
    shape" error, or a "0 dimension(s)" one whose advice ([X]) failed the same way. The fix keeps the
    feature columns: a groupby's tables also hold the columns grouped by (numeric ids became a feature)."""
    table, label = _vitals()
    features = ["hr", "sbp"]
    groups = table.groupby("pid", sort=False)[features]
    by_id = {k: g.to_numpy() for k, g in groups}
    X = {
        "groupby": groups,
        "groupby of every column": table.groupby("pid", sort=False),
        "pairs": list(table.groupby("pid")),
        "pairs of series": list(table.groupby("pid")["hr"]),
        "values": by_id.values(),
        "items": by_id.items(),
    }[form]
    with pytest.raises(TypeError, match=r"e\.g\. ") as error:
        RNNClassifier(**TINY).fit(X, np.zeros(6))
    fix = re.split(r" with features| \(a groupby's|; or read", str(error.value).split("e.g. ")[1])[0].rstrip(
        "."
    )
    scope = {"X": X, "features": features}
    exec(fix, scope)  # the message's fix, as written
    keys = scope.get("keys", list(by_id))  # dict.values() keeps the dict's order
    assert [len(x) for x in scope["X"]] == [int((table["pid"] == k).sum()) for k in keys]
    clf = RNNClassifier(**TINY).fit(scope["X"], [label[k] for k in keys])
    assert clf.n_features_in_ == (1 if form == "pairs of series" else 2)
    assert clf.predict(scope["X"]).shape == (6,)


def test_sequences_of_two_table_rows_are_still_read_as_two_steps():
    """Two rows of a table a sequence, as tuples, are two steps of its columns, not groupby pairs."""
    table, _ = _vitals()
    rows = table[["hr", "sbp", "t"]]
    X = [(rows.iloc[i], rows.iloc[i + 1]) for i in range(0, 12, 2)]
    clf = RNNClassifier(**TINY).fit(X, np.arange(6) % 2)
    assert clf.n_features_in_ == 3
    assert clf.predict(X).shape == (6,)


@pytest.mark.parametrize("kind", ["datetime", "date", "timedelta", "time", "time in a zone"])
def test_python_time_objects_in_the_time_column_get_a_fix_that_works(kind):
    """Objects of Python's datetime module (as database drivers and .dt.date give them) were refused as
    values "which do not order as times", beside a message asking for datetimes."""
    from sklearn_rnn import from_long_table

    table, _ = _vitals()
    start = pd.Timestamp("2024-03-01 08:00")
    times = start + pd.to_timedelta(table["t"], unit="D")
    table["t"] = {
        "datetime": pd.Series([t.to_pydatetime() for t in times], dtype=object),
        "date": times.dt.date,
        "timedelta": pd.Series([t.to_pytimedelta() for t in times - start], dtype=object),
        "time": pd.Series([(start + pd.Timedelta(minutes=int(t))).time() for t in table["t"]], dtype=object),
        "time in a zone": pd.Series(
            [(start + pd.Timedelta(minutes=int(t))).time().replace(tzinfo=datetime.UTC) for t in table["t"]],
            dtype=object,
        ),
    }[kind]
    what = "times of day without a date" if kind in ("time", "time in a zone") else f"Python {kind} objects"
    with pytest.raises(ValueError, match=what) as error:
        from_long_table(table, "pid", "t", ["hr", "sbp"])
    fix = re.split(r"first: | \(add utc|, or combine", str(error.value))[1].rstrip(".")
    exec(fix, {"data": table, "pd": pd})
    X, ids = from_long_table(table.sample(frac=1, random_state=0), "pid", "t", ["hr", "sbp"])
    first = table[table["pid"] == ids[0]]
    np.testing.assert_array_equal(X[0], first[["hr", "sbp"]].to_numpy())
