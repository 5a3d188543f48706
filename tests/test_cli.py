"""The README's demo command: ``python -m sklearn_rnn demo``."""

import pytest

from sklearn_rnn.__main__ import main

pytestmark = pytest.mark.slow


def test_demo_prints_accuracy_beside_baselines(capsys):
    main(["demo", "--datasets", "basic_motions"])
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["dataset", "train/test", "length", "RNNClassifier"]
    name, split, length, accuracy, seconds, baseline, majority = row.split()
    assert (name, split, length) == ("basic_motions", "40/40", "100")
    assert float(accuracy) >= 0.95  # defaults, bundled data, no tuning
    assert float(majority) == 0.25


def test_unknown_command_and_dataset_are_refused():
    with pytest.raises(SystemExit):
        main(["train"])
    with pytest.raises(SystemExit):
        main(["demo", "--datasets", "not_a_dataset"])
