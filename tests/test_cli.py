"""The command line: ``sklearn-rnn`` / ``python -m sklearn_rnn`` (``demo``, ``--version``)."""

import subprocess
import sys
from importlib.metadata import entry_points

import pytest

import sklearn_rnn
from sklearn_rnn.__main__ import main


@pytest.mark.slow
def test_demo_prints_accuracy_beside_baselines(capsys):
    # ItalyPowerDemand's accuracy test too (tests/test_accuracy.py): one default fit for both
    main(["demo", "--datasets", "italy_power_demand"])
    header, row = capsys.readouterr().out.splitlines()
    assert header.split()[:4] == ["dataset", "train/test", "length", "RNNClassifier"]
    name, split, length, accuracy, seconds, baseline, majority = row.split()
    assert (name, split, length) == ("italy_power_demand", "67/1029", "24")
    assert float(accuracy) >= 0.94  # defaults, bundled data, no tuning (0.965 +- 0.003 over 3 seeds)
    assert float(accuracy) > float(baseline) > float(majority)
    assert float(majority) == 0.499  # the larger class's share of the test set, 513 of 1029


def test_unknown_command_and_dataset_are_refused():
    with pytest.raises(SystemExit):
        main(["train"])
    with pytest.raises(SystemExit):
        main(["demo", "--datasets", "not_a_dataset"])


def test_version_is_printed(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"sklearn-rnn {sklearn_rnn.__version__}\n"


def test_version_from_python_m():
    done = subprocess.run(
        [sys.executable, "-m", "sklearn_rnn", "--version"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sklearn-rnn {sklearn_rnn.__version__}"


def test_every_demo_option_has_help(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "bundled datasets" in out  # the command's description
    options = out[out.index("options:") :]
    assert "datasets to train on, among basic_motions, japanese_vowels, italy_power_demand" in " ".join(
        options.split()
    )
    assert "random_state of every RNNClassifier fit" in " ".join(options.split())
    # each option line is followed by its text on the same or the next line
    lines = options.splitlines()[1:]
    for i, line in enumerate(lines):
        if line.lstrip().startswith("-"):
            text = line.strip().split("  ", 1)[1:] or [lines[i + 1].strip()]
            assert text[0] and not text[0].startswith("-"), line


@pytest.mark.parametrize("seed", ["-1", "4294967296", "x"])
def test_a_seed_numpy_cannot_take_is_a_usage_error(capsys, seed):
    """It passed the parser, the data loaded and the table began, then a traceback ended the run."""
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "--random-state", seed])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --random-state: '{seed}' is not a seed: pass an integer from 0 to 4294967295" in err


def test_console_script_is_installed():
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    assert scripts["sklearn-rnn"].value == "sklearn_rnn.__main__:main"
    assert scripts["sklearn-rnn"].load() is main
