"""What ``verbose`` prints during ``fit``: a progress bar (1), a table of every epoch (2), nothing (0)."""

from __future__ import annotations

import contextlib
import io
import pickle
import re
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import RNNClassifier, RNNRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 6))
Y = np.arange(40) % 2  # labels unrelated to X: the validation loss soon stops improving
TINY = dict(hidden_size=4, batch_size=8, n_networks=1, random_state=0)
SUMMARY = re.compile(r"^(\d+) epochs? in [\d.]+s(, [^;]+)?; best (train|valid)_loss (\S+) at epoch (\d+)")


def table(out: str) -> tuple[list[str], list[list[str]], list[str]]:
    """The header, the epoch rows (split into fields) and the lines after them."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["epoch"])
    rows = []
    for line in lines[start + 1 :]:
        if not re.match(r"^\s+\d+\s", line):
            break
        rows.append(line.split())
    return lines[start].split(), rows, lines[start + 1 + len(rows) :]


def test_verbose_1_prints_a_progress_bar_and_a_summary(capsys):
    clf = RNNClassifier(max_epochs=3, verbose=1, **TINY).fit(X, Y)
    captured = capsys.readouterr()
    out = captured.out
    assert "\x1b" not in out + captured.err  # no colour or cursor codes in a file or a notebook
    # the bar's final state: all epochs, the latest loss and the time left
    last = out.split("\n")[-3].split("\r")[-1]  # the bar redraws its line with \r
    assert re.search(r"100%.*\| 3/3 \[\d\d:\d\d<\d\d:\d\d, .*epoch/s, train_loss=[\d.]+\]", last), last
    assert f"train_loss={clf.loss_curve_[-1]:.4g}" in last
    summary = out.splitlines()[-1]
    match = SUMMARY.match(summary)
    assert match and match[1] == "3" and match[3] == "train"
    best = int(np.argmin(clf.loss_curve_)) + 1
    assert int(match[5]) == best and float(match[4]) == pytest.approx(min(clf.loss_curve_), rel=1e-4)


def test_verbose_1_with_early_stopping_shows_the_last_epoch(capsys):
    clf = RNNClassifier(max_epochs=40, early_stopping=True, n_iter_no_change=2, verbose=1, **TINY).fit(X, Y)
    assert clf.n_iter_ < 40  # it did stop early
    out = capsys.readouterr().out
    bar = out.split("\n")[-3].split("\r")[-1]
    assert f"| {clf.n_iter_}/40 [" in bar
    assert f"valid_loss={clf.validation_loss_curve_[-1]:.4g}" in bar
    assert out.splitlines()[-1].startswith(f"{clf.n_iter_} epochs in ")
    assert ", stopped early; best valid_loss" in out.splitlines()[-1]


def test_the_summary_reads_the_estimators_early_stopping_beside_a_users_own(capsys):
    """The user's callbacks come first: the summary read their skorch EarlyStopping, said the last
    epoch's weights were kept and left out that training stopped early."""
    from skorch.callbacks import EarlyStopping

    mine = EarlyStopping(monitor="train_loss", patience=1000, load_best=False)
    clf = RNNClassifier(
        max_epochs=40, early_stopping=True, n_iter_no_change=2, verbose=1, callbacks=[mine], **TINY
    ).fit(X, Y)
    assert clf.n_iter_ < 40
    summary = capsys.readouterr().out.splitlines()[-1]
    assert ", stopped early; best valid_loss" in summary and "whose weights are kept" in summary, summary


def test_verbose_1_counts_the_epochs_of_a_warm_fit(capsys):
    """The bar's total was the first fit's max_epochs: a warm fit of 6 showed 0/3, then no total."""
    clf = RNNClassifier(max_epochs=3, warm_start=True, verbose=1, **TINY).fit(X, Y)
    capsys.readouterr()
    clf.set_params(max_epochs=6).fit(X, Y)
    out = capsys.readouterr().out
    assert "| 6/6 [" in out.split("\n")[-3].split("\r")[-1] and "/3 [" not in out
    assert out.splitlines()[-1].startswith("6 epochs in ")


def test_verbose_2_table_has_every_epoch_the_lr_the_best_marker_and_the_stop_messages(capsys):
    clf = RNNClassifier(
        max_epochs=40, early_stopping=True, n_iter_no_change=2, tol=1e-4, verbose=2, **TINY
    ).fit(X, Y)
    assert clf.n_iter_ < 40
    out = capsys.readouterr().out
    assert "\x1b" not in out
    header, rows, after = table(out)
    assert header == ["epoch", "train_loss", "valid_loss", "lr", "dur"]
    # every epoch, the last one (the one early stopping ended on) included
    assert [int(row[0]) for row in rows] == list(range(1, clf.n_iter_ + 1))
    assert [float(row[1]) for row in rows] == pytest.approx(clf.loss_curve_, rel=1e-4)
    assert [float(row[2]) for row in rows] == pytest.approx(clf.validation_loss_curve_, rel=1e-4)
    # the learning rate each epoch trained with: lr, then the cosine schedule's decay
    lrs = [float(row[3]) for row in rows]
    cosine = [clf.lr * (1 + np.cos(np.pi * e / clf.max_epochs)) / 2 for e in range(clf.n_iter_)]
    assert lrs == pytest.approx(cosine, rel=1e-2)
    assert all(float(row[4]) >= 0 for row in rows)
    # '*' on each epoch whose valid_loss is the lowest so far; early stopping keeps the lowest's weights
    curve = np.asarray(clf.validation_loss_curve_)
    marked = [bool(loss < curve[:i].min(initial=np.inf)) for i, loss in enumerate(curve)]
    assert [row[-1] == "*" for row in rows] == marked
    best_epoch = int(curve.argmin()) + 1
    assert best_epoch < clf.n_iter_  # this fit's lowest is not its last epoch: the weights go back
    assert after[0] == "Stopping since valid_loss has not improved by more than 0.0001 in the last 2 epochs."
    assert after[1].startswith(f"Restoring the weights of epoch {best_epoch} (valid_loss ")
    summary = SUMMARY.match(after[2])
    assert summary and summary[1] == str(clf.n_iter_) and summary[2] == ", stopped early"
    assert int(summary[5]) == best_epoch and after[2].endswith("whose weights are kept.")
    assert len(after) == 3


def test_verbose_2_without_validation_has_no_valid_column(capsys):
    reg = RNNRegressor(max_epochs=3, lr_schedule="constant", verbose=2, **TINY).fit(X, X.sum(1))
    header, rows, after = table(capsys.readouterr().out)
    assert header == ["epoch", "train_loss", "lr", "dur"]
    assert [row[0] for row in rows] == ["1", "2", "3"]
    assert [float(row[2]) for row in rows] == [reg.lr] * 3
    assert rows[0][-1] == "*"  # the first epoch is always a new best
    assert len(after) == 1 and SUMMARY.match(after[0])


def test_verbose_2_prints_the_non_finite_guards_stop():
    # plain SGD with a huge step diverges to inf within a few epochs (see test_faults.py)
    reg = RNNRegressor(
        optimizer="sgd",
        lr=50.0,
        gradient_clip_value=None,
        max_epochs=20,
        lr_schedule="constant",
        architecture="rnn",
        dropout=0.0,
        verbose=2,
        **TINY,
    )
    buffer = io.StringIO()  # stdout redirected to a file-like object, as to a log file
    with pytest.warns(ConvergenceWarning), contextlib.redirect_stdout(buffer):
        reg.fit(X, 100 * X.sum(1))
    header, rows, after = table(buffer.getvalue())
    assert len(rows) >= 1  # the epochs before the divergence
    stopped = re.match(r"Stopping in epoch (\d+): The (training loss|train_loss|valid_loss) became", after[0])
    assert stopped, after
    assert len(rows) == reg.n_iter_ and int(stopped[1]) >= reg.n_iter_
    assert after[1].startswith("Restoring the weights")
    assert ", stopped: the " in after[2] and after[2].endswith("are kept.")


def test_verbose_0_prints_nothing(capsys):
    RNNClassifier(max_epochs=3, early_stopping=True, n_iter_no_change=1, **TINY).fit(X, Y).predict(X)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.parametrize("verbose", [1, 2])
def test_verbose_estimators_pickle_and_warm_start_shows_the_new_epochs(verbose, capsys):
    clf = RNNClassifier(max_epochs=2, verbose=verbose, **TINY).fit(X, Y)
    clf = pickle.loads(pickle.dumps(clf))  # the progress bar does not travel with the net
    capsys.readouterr()
    clf.set_params(warm_start=True).fit(X, Y)
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("2 epochs in ")
    if verbose == 2:
        assert [row[0] for row in table(out)[1]] == ["3", "4"]


def test_sktime_evaluate_and_grid_search_show_no_remember_data_warning():
    """sktime 1.2 announces at every forecaster's construction, clone and reset that its
    ``remember_data`` default will change; RNNForecaster declares the new value, so it never does.

    sktime's own ``ForecastingGridSearchCV`` announces it for itself (its class config, which this
    library does not set): the script's grid search declares the config the same way, so every
    warning left would come from RNNForecaster.
    """
    pytest.importorskip("sktime")
    import pandas as pd
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter

    from sklearn_rnn import RNNForecaster

    class GridSearch(ForecastingGridSearchCV):
        _config = {"remember_data": False}

    y = pd.Series(
        10 + np.sin(np.arange(48) / 3), index=pd.period_range("2000-01", periods=48, freq="M"), name="y"
    )
    cv = ExpandingWindowSplitter(initial_window=36, step_length=6, fh=[1, 2])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecaster = RNNForecaster(window_length=4, hidden_size=3, max_epochs=1, random_state=0)
        for strategy in ("refit", "update"):
            scores = evaluate(forecaster, cv, y, strategy=strategy, error_score="raise")
            assert len(scores) == 2
        forecaster.clone().set_params(hidden_size=2).reset()
        search = GridSearch(forecaster, cv, {"hidden_size": [2, 3]}, backend="None", error_score="raise")
        search.fit(y.iloc[:42], fh=[1, 2])
        search.update(y.iloc[42:])
        assert search.predict().shape == (2,)
    assert [str(w.message)[:80] for w in caught if "remember_data" in str(w.message)] == []
