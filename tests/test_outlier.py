"""RNNOutlierDetector: which sequences are unusual, in scikit-learn's outlier API."""

import copy
import io
import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_rnn import RNNOutlierDetector, load, save

FAST = dict(hidden_size=16, max_epochs=10, random_state=0)


def runs(n, seed, length=(40, 80), period=12, noise=0.05):
    """Machine runs of unequal lengths: the same rhythm from a random phase, with noise."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        t = np.arange(rng.integers(*length))
        out.append(np.sin(2 * np.pi * t / period + rng.uniform(0, 6)) + noise * rng.standard_normal(len(t)))
    return out


@pytest.fixture(scope="module")
def fitted():
    return RNNOutlierDetector(**FAST).fit(runs(60, 0))


def odd_runs(seed):
    """Three kinds of unusual run: another rhythm, a stuck stretch, a spike."""
    base = runs(3, seed)
    other = np.sin(2 * np.pi * np.arange(60) / 5)
    stuck = base[1].copy()
    stuck[20:35] = stuck[20]
    spike = base[2].copy()
    spike[30] += 3.0
    return [other, stuck, spike]


def test_unusual_runs_score_lower_than_usual_ones(fitted):
    usual, odd = runs(30, 1), odd_runs(2)
    scores = fitted.score_samples(usual + odd)
    labels = np.r_[np.zeros(30), np.ones(3)]
    assert roc_auc_score(labels, -scores) == 1.0
    assert (fitted.predict(odd) == -1).all()
    assert (fitted.predict(usual) == 1).mean() >= 0.8


def test_a_quiet_run_among_busy_ones_is_an_outlier_too():
    """A run the network forecasts far better than usual is unusual: the score is two-sided.

    Scored by its worst steps alone (the score before), a run with less noise
    than every training run looked the most usual of all.
    """
    detector = RNNOutlierDetector(**FAST).fit(runs(60, 0, noise=0.3))
    usual, quiet = runs(30, 1, noise=0.3), runs(3, 2, noise=0.02)
    scores = detector.score_samples(usual + quiet)
    assert scores[30:].max() < scores[:30].min()
    assert (detector.predict(quiet) == -1).all()
    worst_only = copy.deepcopy(detector)
    worst_only.statistics_center_ = None  # what a file saved before the two-sided score computes
    before = worst_only.score_samples(usual + quiet)
    assert before[30:].min() > np.median(before[:30])


def test_statistics_are_each_runs_worst_and_typical_step_scores(fitted):
    """The centre of the training runs' (log mean of the worst tenth of steps, log median step score)."""
    X = runs(60, 0)
    statistics = []
    for run in X:
        values = run[:, None].astype(np.float64)  # standardised as given, in float64
        scores = np.sort(fitted._step_scores(fitted._standardise(values)))
        scores = scores[np.isfinite(scores)]
        statistics.append(np.log([scores[-round(0.1 * len(scores)) :].mean(), np.median(scores)]))
    np.testing.assert_allclose(fitted.statistics_center_, np.median(statistics, axis=0), rtol=1e-6)
    # the spread of the shortest runs, narrower as 1 / sqrt(length) and at least 0.1 at the table's
    # lengths (checked below), interpolated in log length between them
    lengths = np.array([len(run) for run in X])
    table = fitted.length_calibration_
    scale = np.column_stack([np.interp(np.log(lengths), np.log(table[:, 0]), table[:, j]) for j in (3, 4)])
    z = (np.array(statistics) - fitted.statistics_center_) / scale
    np.testing.assert_allclose(-fitted.score_samples(X), np.maximum(z[:, 0], np.abs(z[:, 1])), rtol=1e-6)


def test_offset_flags_the_contamination_share_of_training_runs():
    X = runs(50, 3)
    for contamination in (0.1, 0.2):
        detector = RNNOutlierDetector(contamination=contamination, **FAST).fit(X)
        flagged = (detector.predict(X) == -1).mean()
        assert abs(flagged - contamination) <= 0.02
        np.testing.assert_allclose(
            detector.decision_function(X), detector.score_samples(X) - detector.offset_
        )


def test_ragged_runs_with_gaps(fitted):
    gappy = runs(5, 4)
    for run in gappy:
        run[10:14] = np.nan
    scores = fitted.score_samples(gappy)
    assert np.isfinite(scores).all()
    ragged_3d = [np.stack([r, np.cos(np.arange(len(r)) / 3)], axis=1) for r in runs(20, 5)]
    detector = RNNOutlierDetector(**FAST).fit(ragged_3d)
    assert detector.n_features_in_ == 2 and detector.predict(ragged_3d).shape == (20,)


@pytest.mark.parametrize("cells_per_pass", [1 << 22, 2000])
def test_a_sequence_scores_the_same_alone_or_among_others(fitted, monkeypatch, cells_per_pass):
    # score_samples scores sequences of one length together (in passes of at most
    # _CELLS_PER_PASS misses: 2000 splits the six 50-step runs); each must get what it gets alone
    import sklearn_rnn.outlier

    monkeypatch.setattr(sklearn_rnn.outlier, "_CELLS_PER_PASS", cells_per_pass)
    X = runs(12, 11) + [r[:50] for r in runs(6, 12, length=(50, 51))]  # ragged, six of one length
    X[3][5:9] = np.nan
    X[-1][20:30] = np.nan
    together = fitted.score_samples(X)
    alone = np.array([fitted.score_samples([x])[0] for x in X])
    np.testing.assert_array_equal(together, alone)
    reordered = fitted.score_samples(X[::-1])[::-1]
    np.testing.assert_array_equal(reordered, together)


def test_same_random_state_same_scores():
    X = runs(20, 6)
    a = RNNOutlierDetector(**FAST).fit(X).score_samples(X)
    b = RNNOutlierDetector(**FAST).fit(X).score_samples(X)
    np.testing.assert_array_equal(a, b)


def test_pipeline_and_grid_search_with_a_scorer():
    """Tuning on labelled runs: the scorer reads decision_function (higher: more normal)."""
    X = runs(40, 7) + odd_runs(8) + odd_runs(9)
    y = np.r_[np.ones(40), -np.ones(6)]

    def auc(estimator, X, y):
        return roc_auc_score(y, estimator.decision_function(X))

    pipe = make_pipeline(FunctionTransformer(lambda X: X), RNNOutlierDetector(**FAST))
    cv = StratifiedKFold(2, shuffle=True, random_state=0)  # unusual runs in both folds
    search = GridSearchCV(pipe, {"rnnoutlierdetector__window_length": [4, 8]}, scoring=auc, cv=cv)
    search.fit(X, y)
    assert search.best_score_ > 0.9


@pytest.mark.parametrize("scoring", ["forecast", "reconstruction"])
def test_save_and_load_give_the_same_scores(scoring):
    X = runs(20, 10)
    detector = RNNOutlierDetector(scoring=scoring, **FAST).fit(X)
    buffer = io.BytesIO()
    save(detector, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    np.testing.assert_array_equal(loaded.score_samples(X), detector.score_samples(X))
    assert loaded.offset_ == detector.offset_


def test_errors_name_the_fix():
    with pytest.raises(ValueError, match="at least 2 time steps"):
        RNNOutlierDetector(**FAST).fit(np.zeros((5, 1)))
    # single-visit patients among others: told how many, and to leave them out with their ids (a probe)
    X = [*runs(20, 14), np.ones((1, 1)), np.ones((1, 1))]
    with pytest.raises(ValueError, match=r"got 2 of 1 time step \(sequence 20 and 1 more\)") as error:
        RNNOutlierDetector(**FAST).fit(X)
    namespace = {"X": X}
    exec(re.search(r"labels with them: (.*)\.$", str(error.value))[1], namespace)
    assert len(namespace["X"]) == 20 and len(namespace["keep"]) == 20
    with pytest.raises(ValueError, match="window_length=30 leaves no step to forecast"):
        RNNOutlierDetector(window_length=30, scoring="forecast", **FAST).fit(runs(5, 11, length=(20, 25)))
    detector = RNNOutlierDetector(**FAST).fit(runs(10, 12))
    with pytest.raises(ValueError, match="no step the detector can score"):
        detector.score_samples([np.full(30, np.nan)])
    # one run passed as a 2D (n_timesteps, 1) array would read as 1-step runs: refused, with the fix
    with pytest.raises(ValueError, match=r"shape \(\d+, 1\).* sequences of one time step each.*\[X\]"):
        detector.score_samples(runs(1, 13)[0][:, None])
    tiny = RNNOutlierDetector(early_stopping=True, validation_fraction=0.99, max_epochs=1)
    with pytest.raises(ValueError, match=r"validation_fraction=0.99 of the 6 training samples .* none to"):
        tiny.fit(np.zeros((2, 3, 1)))


def test_a_pickle_from_before_the_two_sided_score_scores_its_worst_steps(fitted):
    """Pickles hold what the object held: one from before has no statistics, and scores as it did."""
    old = copy.deepcopy(fitted)
    del old.statistics_center_, old.statistics_scale_
    loaded = pickle.loads(pickle.dumps(old))
    X = runs(10, 4)
    worst = np.exp(fitted._statistics([fitted._step_scores(fitted._standardise(x[:, None])) for x in X]))
    np.testing.assert_allclose(-loaded.score_samples(X), worst[:, 0], rtol=1e-5)


def test_the_spread_of_a_few_training_runs_is_floored():
    """One run, or identical ones, have no spread: it is at least 0.1 in log units, never 1e-6."""
    run = runs(1, 5)[0]
    for X in ([run], [run] * 8):
        detector = RNNOutlierDetector(**FAST).fit(X)
        np.testing.assert_array_equal(detector.statistics_scale_, [0.1, 0.1])
        assert np.abs(detector.score_samples(runs(20, 6))).max() < 100


def test_a_large_level_with_small_changes_is_read_at_full_precision():
    """Pressures in Pa (101325 +- 0.02): float32 would keep 7 of a run's 40 values apart."""
    centred = [0.02 * run for run in runs(30, 7)]
    raw = [101325.0 + run for run in centred]
    assert len(np.unique(raw[0].astype(np.float32))) < len(np.unique(raw[0])) / 4
    scores = RNNOutlierDetector(**FAST).fit(raw).score_samples(raw)
    expected = RNNOutlierDetector(**FAST).fit(centred).score_samples(centred)
    # the same up to float rounding that training amplifies (read in float32: off by up to 3.1)
    np.testing.assert_allclose(scores, expected, atol=0.01)


def test_a_channel_without_values_in_fit_is_refused():
    """A sensor that recorded nothing in training was centred on 0 and scaled by 1: every new normal
    run where it records was then an outlier (100% of them, contamination 0.1)."""
    t = np.arange(30)
    X = np.stack([np.c_[np.sin(t / 2 + k), np.full(30, np.nan)] for k in range(30)])
    with pytest.raises(
        ValueError, match=r"Channel\(s\) \[1\] of X passed to fit hold no value \(all NaN\).*Drop"
    ):
        RNNOutlierDetector(**FAST).fit(X)
    X[3, 5, 1] = 0.5  # one value is enough to be read
    assert np.isfinite(RNNOutlierDetector(**FAST).fit(X).score_samples(X[:3])).all()


def test_short_normal_runs_are_not_flagged_for_being_short(fitted):
    """Runs shorter than every training run are compared with pieces of the training runs of their length.

    Against the full runs' spread their statistics (a worst tenth of one step,
    a median of a few, more steps at the edges) looked unusual: 99% of normal
    6-step runs and 46% of 12-step ones were flagged, with contamination=0.1.
    """
    shortest = min(len(run) for run in runs(60, 0))
    (row,) = fitted.length_calibration_[fitted.length_calibration_[:, 0] == shortest]
    np.testing.assert_array_equal(row[1:3], fitted.statistics_center_)
    np.testing.assert_array_equal(row[3:], fitted.statistics_scale_)
    for n in (3, 6, 12, 25):
        usual = runs(100, 5, length=(n, n + 1))
        assert (fitted.predict(usual) == -1).mean() <= 0.25, n
    spike = runs(1, 6, length=(12, 13))[0]
    spike[6] += 3.0
    other = np.sin(2 * np.pi * np.arange(25) / 5)
    assert (fitted.predict([spike, other]) == -1).all()


def test_length_calibration_is_saved_and_a_file_without_it_scores_as_before(fitted, tmp_path):
    short = runs(10, 7, length=(5, 15))
    path = tmp_path / "detector.skrnn"
    save(fitted, path)
    np.testing.assert_array_equal(load(path).score_samples(short), fitted.score_samples(short))
    old = copy.deepcopy(fitted)
    del old.length_calibration_  # a pickle from before: one calibration for every length
    statistics = fitted._statistics([fitted._step_scores(fitted._standardise(x[:, None])) for x in short])
    z = (statistics - fitted.statistics_center_) / fitted.statistics_scale_
    loaded = pickle.loads(pickle.dumps(old))
    np.testing.assert_allclose(-loaded.score_samples(short), np.maximum(z[:, 0], np.abs(z[:, 1])), rtol=1e-6)


def test_normal_runs_of_every_training_length_are_flagged_about_as_often(fitted):
    """A statistic of n steps spreads as 1 / sqrt(n): the spread is read per length, not pooled.

    Against the pooled spread of the 40- to 79-step training runs, normal
    40-step runs were flagged at 18.7% and 79-step ones at 6.0%
    (contamination 0.1).
    """
    lengths = [len(run) for run in runs(60, 0)]
    table = fitted.length_calibration_
    assert table[-1, 0] == max(lengths)
    narrowed = fitted.statistics_scale_ * np.sqrt(min(lengths) / max(lengths))  # every step scored
    np.testing.assert_allclose(table[-1, 3:], narrowed, rtol=1e-12)  # the floor narrowed with it
    for n in (min(lengths), max(lengths)):
        share = (fitted.predict(runs(300, 10, length=(n, n + 1))) == -1).mean()
        assert 0.05 <= share <= 0.15, (n, share)


@pytest.mark.parametrize("scoring", ["reconstruction", "forecast"])
def test_normal_runs_of_lengths_far_apart_are_flagged_about_as_often_at_every_length(scoring):
    """Found by a probe: on training runs of 60 to 1000 steps, fresh normal runs of 100 steps were
    flagged at 0.38 (contamination 0.1) and of 1000 steps at 0: each length's spread, narrowed as
    1 / sqrt(n) from the shortest's, was floored again at 0.1, far above a long run's own."""
    train = runs(50, 4, length=(60, 1001), noise=0.1)
    detector = RNNOutlierDetector(scoring=scoring, hidden_size=16, max_epochs=6, random_state=4).fit(train)
    for n in (100, 300, 1000):
        share = (detector.predict(runs(100, 7, length=(n, n + 1), noise=0.1)) == -1).mean()
        assert 0.02 <= share <= 0.25, (n, share)


@pytest.mark.parametrize("scoring, most", [("reconstruction", 0.15), ("forecast", 0.2)])
def test_runs_just_shorter_than_the_training_ones_are_flagged_about_as_often_as_contamination(scoring, most):
    """Runs of 60-119 steps, trained on 120-140: pieces overlap and spreads are stretched to the offset.

    Reconstruction flagged 21% (contamination 0.1) before: the statistics of
    long pieces are tight, their spread and the training runs' were both
    floored at 0.1, which widened the training runs' more, and the pieces'
    scores spread wider than the offset allowed for. Forecast flagged 16%.
    """
    train = runs(40, 0, length=(120, 141))
    detector = RNNOutlierDetector(scoring=scoring, **FAST).fit(train)
    assert (detector.predict(train) == -1).mean() == pytest.approx(0.1)
    assert (detector.predict(runs(300, 5, length=(60, 120))) == -1).mean() <= most


def test_parameters_set_after_fit_wait_for_the_next_fit(fitted, tmp_path):
    """scoring, horizon and smoothing set after fit change nothing until fit: scores, files, pickles.

    Read from the parameters, scoring="forecast" set after a reconstruction fit
    crashed the scores, smoothing changed them under the offset of the old
    ones, and save wrote a file that load refused.
    """
    usual = runs(10, 3)
    detector = copy.deepcopy(fitted)
    expected = detector.score_samples(usual)
    detector.set_params(scoring="forecast", horizon=3, smoothing=5)
    np.testing.assert_array_equal(detector.score_samples(usual), expected)
    save(detector, tmp_path / "model.skrnn")
    for copied in (load(tmp_path / "model.skrnn"), pickle.loads(pickle.dumps(detector))):
        np.testing.assert_array_equal(copied.score_samples(usual), expected)
        assert copied.scoring == "forecast"  # the parameter as set, for the next fit
    detector.fit(runs(30, 0))
    assert type(detector.net_.module_).__name__ == "ForecastNet"


def test_a_file_with_forged_fit_settings_is_refused(fitted, tmp_path):
    import json
    import zipfile

    save(fitted, tmp_path / "model.skrnn")
    with zipfile.ZipFile(tmp_path / "model.skrnn") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members["manifest.json"])
    settings = dict(manifest["attributes"]["_fit_settings"]["__dict__"])  # stored as [key, value] pairs
    assert settings == {"scoring": "reconstruction", "horizon": 1, "smoothing": 1}
    settings["smoothing"] = -3
    manifest["attributes"]["_fit_settings"]["__dict__"] = [list(item) for item in settings.items()]
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "forged.skrnn", "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=r"settings of its fit \(_fit_settings\) are refused"):
        load(tmp_path / "forged.skrnn")


def test_a_one_step_window_is_never_read_relative_to_its_own_level():
    """Runs of 7 steps: "auto" gave a window of one step, which local levels rebuild exactly.

    Every step then scored alike (rounding noise), and local_level="auto" kept
    that network for missing least: quiet runs among busy ones went unflagged.
    """
    rng = np.random.default_rng(0)
    t = np.arange(7)
    busy = [np.sin(2 * np.pi * t / 7 + rng.uniform(0, 6)) + 0.1 * rng.standard_normal(7) for _ in range(40)]
    quiet = [0.01 * rng.standard_normal(7) for _ in range(10)]
    detector = RNNOutlierDetector(local_level="auto", hidden_size=4, max_epochs=5, random_state=0).fit(busy)
    assert detector.window_length_ == 2
    assert (detector.predict(quiet) == -1).all()
    for level in (True, np.True_):  # numpy's True (a grid's) trained without levels, silently
        with pytest.raises(ValueError, match="window_length >= 2 or local_level=False"):
            RNNOutlierDetector(local_level=level, window_length=1, max_epochs=1).fit(busy)
    kept = RNNOutlierDetector(local_level="auto", window_length=1, max_epochs=1, random_state=0).fit(busy)
    assert kept.local_level_ is False


def test_scoring_many_wide_sequences_keeps_the_memory_of_a_bounded_pass():
    """A pass was bounded in steps alone: its misses grow with the window and the features.

    400 runs of 100 steps and 16 features, window of 32: one pass held every
    run's (windows, window, features) misses, 113 MB an array of them, and
    score_samples peaked at 345 MB of numpy memory (about 70 MB now).
    """
    import tracemalloc

    X = np.random.default_rng(0).standard_normal((400, 100, 16))
    detector = RNNOutlierDetector(window_length=32, hidden_size=4, max_epochs=1, random_state=0)
    detector.fit(X[:8, :40])
    tracemalloc.start()
    try:
        scores = detector.score_samples(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150e6
    np.testing.assert_array_equal(scores[:3], detector.score_samples(X[:3]))


def test_forecasting_refuses_sequences_no_longer_than_its_window_with_the_fix():
    """A 10-step run among 60-step ones crashed the whole batch with "Pass sequences with values"."""
    detector = RNNOutlierDetector(scoring="forecast", window_length=10, hidden_size=4, max_epochs=1)
    detector.fit(runs(10, 0, length=(30, 40)))
    X = runs(5, 1, length=(60, 61)) + [runs(1, 2, length=(10, 11))[0]]
    with pytest.raises(ValueError, match=r"sequence 5: 10\).*at least 11 steps.*scoring='reconstruction'"):
        detector.score_samples(X)
    assert detector.score_samples(X[:5]).shape == (5,)


def test_every_fitted_attribute_is_documented():
    X = runs(10, 0, length=(20, 30))
    detector = RNNOutlierDetector(early_stopping=True, hidden_size=4, max_epochs=2, random_state=0).fit(X)
    attributes = RNNOutlierDetector.__doc__.split("Attributes\n")[1].split("See Also")[0]
    heads = [line.strip().split(" : ")[0] for line in attributes.splitlines() if " : " in line]
    documented = {name for head in heads for name in head.split(", ")}
    fitted_names = {name for name in vars(detector) if name.endswith("_") and not name.startswith("_")}
    assert fitted_names <= documented, fitted_names - documented


def test_the_fix_for_one_sequence_given_alone_works_for_a_list_and_a_series():
    """The 1D error advised X.reshape(1, -1), which a list and a pd.Series do not have."""
    import pandas as pd

    detector = RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(runs(10, 0))
    run = runs(1, 1)[0]
    expected = detector.score_samples([run])
    for one in (run.tolist(), pd.Series(run)):
        with pytest.raises(
            ValueError,
            match=r"got 1 dimension\(s\)\. Reshape your data: pass one univariate sequence as \[X\]",
        ):
            detector.score_samples(one)
        np.testing.assert_array_equal(detector.score_samples([one]), expected)


def test_a_short_dropout_of_one_sensor_does_not_make_a_normal_run_an_outlier():
    """Windows reading a gap (carried forward) rebuild their other steps worse: a step read from them
    scored high, and a 3-step dropout in one channel made 37.5% of fresh normal runs outliers at
    contamination 0.1 in a probe (5% without it). A step is now read from the windows that read no gap."""
    rng = np.random.default_rng(0)

    def two_channels(n, seed):
        r = np.random.default_rng(seed)
        t, phase = np.arange(n), r.uniform(0, 6)
        wave = 2 * np.pi * t / 12 + phase
        return np.column_stack([np.sin(wave), np.cos(wave)]) + 0.1 * r.standard_normal((n, 2))

    train = [two_channels(int(n), seed) for seed, n in enumerate(rng.integers(40, 80, 40))]
    detector = RNNOutlierDetector(window_length=8, hidden_size=8, max_epochs=10, random_state=0).fit(train)
    fresh = [two_channels(60, 1000 + k) for k in range(40)]
    gapped = [x.copy() for x in fresh]
    for x in gapped:
        x[20:23, 0] = np.nan  # one sensor drops out for 3 steps
    flagged = (detector.predict(fresh) == -1).mean(), (detector.predict(gapped) == -1).mean()
    assert flagged[1] <= flagged[0] + 0.075, flagged  # 0.175 and 0.2 (0.4 before)


def test_a_refit_that_raises_leaves_the_fitted_detector_as_it_was():
    """A refit refused after its data were read kept the new data's feature count over the old model."""
    detector = RNNOutlierDetector(**{**FAST, "max_epochs": 2}).fit(runs(20, 0))
    before = detector.score_samples(runs(5, 1))
    two_features = [np.c_[run, run][:30] for run in runs(20, 2)]
    with pytest.raises(ValueError, match="window_length=40"):
        detector.set_params(window_length=40, scoring="forecast").fit(two_features)
    assert detector.n_features_in_ == 1
    np.testing.assert_array_equal(detector.score_samples(runs(5, 1)), before)


def _machine_runs(n, rng, length=60):
    """Runs of three correlated sensors on unlike scales, from a random phase."""
    t = np.arange(length)
    phase = rng.uniform(0, 6, size=(n, 1))
    a = np.sin(2 * np.pi * t / 12 + phase) + 0.05 * rng.normal(size=(n, length))
    b = 100 * np.cos(2 * np.pi * t / 12 + phase) + 5 * rng.normal(size=(n, length))
    c = 20 + 3 * np.sin(2 * np.pi * t / 12 + phase + 1) + 0.3 * rng.normal(size=(n, length))
    return np.stack([a, b, c], axis=2)


@pytest.mark.parametrize("smoothing", [1, 5])
def test_a_dropout_of_one_sensor_does_not_make_normal_runs_outliers(smoothing):
    """10 steps of one of three sensors missing made 81-88% of normal runs outliers (every window
    holding a step of the dropout reads the sensor carried forward, and the network rebuilt the others
    badly from it), where all three missing for the same steps made 14-17%; left out after smoothing,
    their scores still reached the steps after them (35% with smoothing=5)."""
    rng = np.random.default_rng(0)
    runs, fresh = _machine_runs(100, rng), _machine_runs(300, rng)
    detector = RNNOutlierDetector(hidden_size=8, max_epochs=10, smoothing=smoothing, random_state=0).fit(runs)
    one, every = fresh.copy(), fresh.copy()
    one[:, 30:40, 1] = np.nan
    every[:, 30:40, :] = np.nan
    flagged = {name: np.mean(detector.predict(x) == -1) for name, x in (("one", one), ("every", every))}
    assert flagged["one"] <= 0.25 and flagged["one"] <= flagged["every"] + 0.02, flagged


@pytest.mark.parametrize(
    "outage", [slice(0, 20), slice(20, 40), slice(40, 60)], ids=["start", "middle", "end"]
)
def test_runs_with_an_outage_are_flagged_at_the_rate_of_their_observed_steps(outage):
    """A run of 60 rows with 20 missing was compared with the spread of complete 60-step runs, which is
    narrower than that of the 40 steps it has: normal runs with an outage were flagged 0.17-0.21 of the
    time at contamination=0.1 (0.09-0.12 as runs of their observed steps)."""
    rng = np.random.default_rng(0)
    t = np.arange(60)
    runs, fresh = (
        np.stack(
            [np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6)) + 0.05 * rng.normal(size=60) for _ in range(n)]
        )
        for n in (80, 400)
    )
    detector = RNNOutlierDetector(hidden_size=8, max_epochs=8, random_state=0).fit(runs)
    gapped = fresh.copy()
    gapped[:, outage] = np.nan
    assert np.mean(detector.predict(gapped) == -1) <= 0.15


@pytest.mark.parametrize(
    "gaps, steps, keep",
    [
        ([(5, 15)], "0-4", slice(15, None)),  # a gap 5 steps from the start
        ([(40, 50)], "50-59", slice(None, 40)),
        ([(5, 15), (45, 55)], "0-4, 55-59", slice(15, 45)),
        ([(18, 28), (33, 43)], "28-32", slice(None, 18)),  # 5 steps between two gaps, mid-run
    ],
)
def test_steps_read_only_across_a_gap_warn_with_a_fix_that_works(gaps, steps, keep):
    """Steps that every window holding them reads across a gap (between a gap and an end, or between
    two gaps) score high: 97-100% of these normal runs were flagged, silently. The longest stretch
    without a gap is flagged as complete runs are."""
    rng = np.random.default_rng(0)
    t = np.arange(60)
    runs, fresh = (
        np.stack(
            [np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6)) + 0.05 * rng.normal(size=60) for _ in range(n)]
        )[:, :, None]
        for n in (80, 400)
    )
    detector = RNNOutlierDetector(hidden_size=8, max_epochs=8, random_state=0).fit(runs)
    gapped = fresh.copy()
    for a, b in gaps:
        gapped[:, a:b] = np.nan
    with pytest.warns(
        UserWarning, match=rf"400 of the 400 sequences .*\(sequence 0: steps {steps} of 60\)"
    ) as caught:
        assert np.mean(detector.predict(gapped) == -1) > 0.5  # what the warning is about
    fix = re.search(r"\((x\[\d*:\d*\]) for sequence 0\)", str(caught[0].message))[1]
    x = gapped[0]
    np.testing.assert_array_equal(eval(fix), x[keep])  # the fix, as written
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.mean(detector.predict(gapped[:, keep]) == -1) <= 0.15
        for a, b in [(20, 30), (0, 10), (50, 60)]:  # mid-run, or touching an end: no warning
            other = fresh.copy()
            other[:, a:b] = np.nan
            assert np.mean(detector.predict(other) == -1) <= 0.15


def test_only_scored_steps_held_by_gap_reading_windows_alone_count():
    """In several channels a gap's own rows (some channels observed) are left out of a run's
    statistics: counted, a one-channel gap mid-run or at the start warned, naming its own rows."""
    from sklearn_rnn.outlier import _steps_read_only_across_gaps, _warn_of_steps_read_only_across_gaps

    values = np.zeros((60, 2))
    for a, b, expected in [(20, 30, []), (0, 10, []), (20, 23, []), (5, 15, list(range(5)))]:
        gapped = values.copy()
        gapped[a:b, 0] = np.nan
        alone, gap = _steps_read_only_across_gaps(gapped, 15)
        assert np.flatnonzero(alone).tolist() == expected and np.flatnonzero(gap).tolist() == list(
            range(a, b)
        )
    with pytest.warns(UserWarning, match=r"To judge them, fill the gaps, or fit") as caught:
        _warn_of_steps_read_only_across_gaps([np.r_[[[1.0]], [[np.nan]] * 3, [[2.0]]]], 15)
    assert "x[" not in str(caught[0].message)


@pytest.mark.parametrize("scoring", ["reconstruction", "forecast"])
def test_values_missing_at_random_do_not_make_normal_runs_outliers(scoring):
    """One value in twenty missing at random (a sensor's dropped samples) made 41% (reconstruction)
    and 61% (forecasting) of normal runs outliers at contamination=0.1 (complete: 10% and 11%):
    carried forward, a gap reads as a stalled sensor, and nearly every window read one. Joined by
    lines inside a run, 15% and 9%; a run with a fault and the same gaps is still found."""
    rng = np.random.default_rng(0)
    runs, fresh = _machine_runs(100, rng), _machine_runs(300, rng)
    detector = RNNOutlierDetector(scoring=scoring, hidden_size=8, max_epochs=10, random_state=0).fit(runs)
    gaps = rng.random(fresh.shape) < 0.05
    gapped, faulty = np.where(gaps, np.nan, fresh), fresh.copy()
    for run, start in zip(faulty, rng.integers(20, 45, size=len(faulty)), strict=True):
        run[start : start + 8, 2] += 1.5  # the third sensor off by 5 of its noise's deviations
    faulty[gaps] = np.nan
    complete, missing, found = (np.mean(detector.predict(x) == -1) for x in (fresh, gapped, faulty))
    assert missing <= max(0.2, complete + 0.05), (complete, missing)
    assert found >= 0.9, found
    scores = np.r_[detector.score_samples(gapped), detector.score_samples(faulty)]
    assert roc_auc_score(np.r_[np.zeros(len(fresh)), np.ones(len(fresh))], -scores) > 0.95


def test_a_few_truncated_records_that_shrink_the_window_warn_with_the_choice():
    """A quarter of the shortest training run: one 2-step record among runs of 60 made the window 1 step
    long, and a run of normal values in scrambled order went unflagged, without a word. A window of the
    typical runs' quarter finds it, but reads short runs through padded windows (a review: normal runs
    of 5 steps among runs of 80 were all flagged), so fit warns with both fixes rather than choosing."""
    rng = np.random.default_rng(0)
    t = np.arange(60)
    X = [
        np.column_stack([np.sin(t / 5 + rng.uniform(0, 6)), np.cos(t / 5 + rng.uniform(0, 6))])
        + 0.05 * rng.normal(size=(60, 2))
        for _ in range(80)
    ]
    scrambled = X[0][rng.permutation(60)]
    with pytest.warns(
        UserWarning, match=r"window_length_=1, where nine in ten .* 60 steps .* window_length=15"
    ):
        shrunk = RNNOutlierDetector(hidden_size=8, max_epochs=3, random_state=0).fit([*X, X[1][:2]])
    assert shrunk.window_length_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        for fix in (X, [*X, X[1][:2]]):  # the record left out, or the window the message names
            params = {} if fix is X else {"window_length": 15}
            detector = RNNOutlierDetector(hidden_size=8, max_epochs=3, random_state=0, **params).fit(fix)
            assert detector.window_length_ == 15
            assert np.argmin(detector.score_samples([*X[:40], scrambled])) == 40
    with warnings.catch_warnings():  # a ragged set of no truncated records: quiet (JapaneseVowels-like)
        warnings.simplefilter("error", UserWarning)
        RNNOutlierDetector(hidden_size=4, max_epochs=1, random_state=0).fit(runs(30, 3, length=(7, 27)))


def test_runs_far_longer_than_any_training_run_warn_that_a_short_fault_weighs_less(fitted):
    """A 4-step fault in a 500-step run, trained on 40-79 steps, was flagged in 2 of 10 runs
    without a word: a run's score reads its worst tenth of steps, which a long run dilutes."""
    longest = int(fitted.length_calibration_[-1, 0])
    assert longest == 79
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.score_samples(runs(3, 1, length=(120, 158)))  # within twice the longest: no warning
    with pytest.warns(
        UserWarning,
        match=r"2 sequence\(s\) of X are more than 2 times as long as the "
        r"longest training sequence \(79 steps; sequence 1: 400\)",
    ):
        fitted.predict([runs(1, 1)[0], np.sin(np.arange(400)), np.sin(np.arange(500))])
