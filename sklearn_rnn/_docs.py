"""Parameter documentation shared by the estimators, written once and substituted.

A class docstring holds the line ``    {shared parameters}`` where all the shared
entries go, or lines ``    {shared: name}`` for single entries;
:func:`with_shared_parameters` puts them there when the class is defined, so
``help()``, Sphinx and the doctests all read the same text.
"""

from __future__ import annotations

import re

MARKER = "    {shared parameters}\n"

SHARED_PARAMETERS = """\
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell: Elman RNN (tanh), LSTM or GRU. With an FCN
        architecture it is the cell of the recurrent branch (``"gru"`` gives
        GRU-FCN).
    hidden_size : int, default=16
        Hidden units per direction and layer (the LSTM-FCN paper uses 8 LSTM
        cells, as the ``"lstm-fcn-paper"`` preset does; use more, e.g. 64, with
        ``architecture="rnn"``).
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequence backwards.
    dropout : float, default=0.8
        Dropout on the recurrent summary before the output layer (0.8 as in
        LSTM-FCN) and between stacked layers. Use less (e.g. 0.0) with
        ``architecture="rnn"``.
    pooling : {"last", "mean", "attention"}, default="last"
        How the recurrent branch summarises what it reads: final state of each
        direction, mean of the top layer's outputs over observed steps, or
        attention over them. With the FCN architectures' ``dimension_shuffle``
        (the default) the steps are the input's channels, not time steps: on a
        univariate series with ``input_scaling="global"`` and no mask there is
        one, which every choice returns as it is ("attention" still adds its
        scoring layer's weights).
    architecture : {"lstm-fcn", "mlstm-fcn", "rnn"}, default="lstm-fcn"
        "lstm-fcn": the recurrent branch beside a fully convolutional branch
        (three Conv1d blocks with kernels 8, 5 and 3, batch norm and ReLU, then
        global average pooling over the observed steps), as in LSTM-FCN
        (Karim et al., 2017). "mlstm-fcn": the same with squeeze-and-excitation
        after the first two blocks, as in MLSTM-FCN (Karim et al., 2019).
        "rnn": the recurrent network alone. See Notes.
    dimension_shuffle : bool, default=True
        With an FCN architecture, whether the recurrent branch reads the series
        transposed, as in the papers: one step a channel of the network's input,
        of ``n_timesteps`` values, as long as the longest training sequence:
        shorter sequences are zero-padded and longer ones average-pooled to that
        length, so every step is read. The channels are the features with
        ``input_scaling`` "global" or "sequence" (a univariate series is one
        step), two a feature with "both" (its values scaled over the training
        set and within the sequence), and with ``missing="mask"`` one more a
        feature (its mask). ``pooling`` and ``bidirectional`` then act across
        those channels, not across time. False makes the branch read the time
        steps. Ignored by ``architecture="rnn"``.
    fcn_filters : tuple of 3 int, default=(32, 64, 32)
        Channels of the three convolutional blocks; the papers use
        (128, 256, 128), about 15 times the compute. Ignored by
        ``architecture="rnn"``.
    fcn_dilations : tuple of int or "auto", default="auto"
        Dilations of the first convolutional block's 8-step kernels, so that
        it reads patterns longer than 8 steps (up to ``7 d + 1`` steps at
        dilation ``d``): half its channels (rounded up) read at the first
        dilation, the others are shared out among the rest, so at most
        ``fcn_filters[0] // 2 + 1`` dilations. (1,) is the papers' block.
        "auto": a rule of the longest training sequence's length ``L``
        (``fcn_dilations_``): 1, 4, 16 and 64, each while ``7 d <= L / 2``:
        (1,) under 56 steps, (1, 4) under 224, (1, 4, 16) under 896,
        (1, 4, 16, 64) from 896 on (as many as the channels allow). See the
        user guide's page on accuracy for what it measured. Ignored by
        ``architecture="rnn"``.
    missing : {"error", "mask"}, default="error"
        What a NaN inside ``X`` means. "error": a ValueError. "mask": a missing
        value; the network gets each feature carried forward from its last
        observation (the training mean before the first one) plus one
        observed/missing indicator channel per feature. Infinite values are
        always an error.
    input_scaling : {"both", "sequence", "global"}, default="both"
        How the network sees the values. Every feature is first standardised
        with the training data's mean and deviation ("global" stops there).
        "sequence" then standardises each sequence by its own per-feature mean
        and deviation, so shapes are read at any scale (sensors of different
        gains, appliances of different power), and gives those statistics to
        the output layer, so levels still count. "both" reads the global and
        the per-sequence values side by side. See the user guide's page on
        accuracy for what each scored on the benchmark suite.
    n_networks : int or "auto", default="auto"
        Number of networks trained side by side, each from its own initial
        weights on the same batches and on its own loss; predictions average
        their outputs (a classifier's logits, so its probabilities are the
        normalised geometric mean of the networks'), as InceptionTime averages
        five networks. It costs ``n_networks`` times one network's fit and
        predict. "auto": a rule of the training set's size, as many networks
        as fit in 16 million sequence-steps (epochs x training sequences x
        longest sequence's length, all networks together), from 1 to 5
        (``n_networks_``): five for 36 sequences of 251 steps over 334 epochs
        (3 million a network), one where one network takes over 8 million.
        The budget bounds all networks together, so fewer ``max_epochs`` can
        mean more networks. See the user guide's page on accuracy for what it
        measured.
    head_hidden_size : int, None or "auto", default="auto"
        None: the output layer is linear in the branches' summaries (and the
        statistics of ``input_scaling``), as in the papers. An int: one hidden
        layer of that many ReLU units between them and the output. "auto": 64
        for :class:`RNNRegressor` with an FCN architecture, else None
        (``head_hidden_size_``): the choice of the user guide's page on
        accuracy for each task (with the default architecture, a hidden layer
        lowered the RMSE on every regression set and lost accuracy on two of
        the classification sets; ``architecture="rnn"`` was not measured).
    max_epochs : int or "auto", default="auto"
        Number of passes over the training data (fewer with early stopping).
        "auto": a rule of the training set's size, enough epochs for 1000
        optimizer steps and at least 100, i.e.
        ``max(100, ceil(1000 / steps))`` with ``steps = ceil(n_sequences /
        batch_size)`` batches an epoch, one fewer where the last would hold one
        sequence, which joins the batch before it (with early stopping,
        ``n_sequences`` excludes the validation sequences): 334 epochs for 36
        sequences, 1000 for 17, 100 from 146 sequences on.
    batch_size : int, default=16
        Sequences per gradient step, and per forward pass at predict time.
    lr : float, default=5e-3
        Initial learning rate.
    optimizer : {"adamw", "adam", "sgd"} or torch optimizer class, default="adamw"
        Optimizer; further arguments go through ``net_kwargs``
        (e.g. ``{"optimizer__weight_decay": 1e-4}``).
    lr_schedule : {"cosine", "constant"}, default="cosine"
        Cosine annealing of the learning rate to zero over ``max_epochs``, or none.
    gradient_clip_value : float or None, default=1.0
        Largest gradient norm per step; None disables clipping.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for a
        classifier), stop when its loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs, and restore the weights of the epoch of
        lowest validation loss (``tol`` decides only when to stop). The held-out
        sequences are drawn at random: for overlapping windows of one series
        (:func:`~sklearn_rnn.preprocessing.sliding_windows`), which share steps
        with the training ones, validate on the latest windows instead (e.g.
        ``TimeSeriesSplit(gap=...)``).
    validation_fraction : float, default=0.1
        Share of the training data held out when ``early_stopping=True``.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest decrease of the validation loss that counts as an improvement.
    warm_start : bool, default=False
        Continue training the fitted network for ``max_epochs`` more epochs
        (with "auto", as many as the rule gives for the new data) on the next
        call to ``fit`` instead of starting again, from ``lr`` with the new
        ``batch_size``, clipping threshold, ``n_iter_no_change`` and ``tol``.
        Parameters the network or its training was built with (the
        architecture, optimizer, schedule, whether it clips or stops early,
        ``verbose``, ``callbacks``) must stay as they were: a change is
        refused. The network trains further where it is (the CPU for a model
        loaded by :func:`sklearn_rnn.load`), with a warning where ``device``
        says otherwise.
        The statistics the first fit standardised the inputs (and a
        regressor's targets) with are kept, as the network learnt in their
        units: for data in other units, fit a new network.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout, shuffling and the validation split. With an int,
        two fits on CPU with the same ``n_threads`` give identical predictions
        (convolutions split their sums by thread: LSTM-FCN fits on 1 and 2
        threads differ by about 1e-3). The global torch random state is left
        as it was (restored after each network is built: a draw another thread
        makes from it meanwhile is undone).
    device : str, default="cpu"
        Torch device: "cpu", "cuda", "cuda:1", ..., "mps" or "auto" (CUDA if available).
    n_threads : int or None, default=1
        Torch CPU threads during ``fit`` and ``predict``, restored afterwards;
        -1 uses all cores, None leaves torch's setting alone. One thread is
        fastest for the small recurrent models trained here and never
        oversubscribes the cores of parallel searches.
    verbose : int, default=0
        What ``fit`` prints to standard output. 0: nothing. 1: a progress bar
        over the epochs (tqdm) with the latest training and validation loss and
        the time left, then a summary line. 2 or more: one line per epoch
        (epoch, train_loss, valid_loss when there is a validation split, the
        learning rate, the duration, and ``*`` on an epoch whose monitored loss
        is the lowest so far), then why training stopped early and which
        epoch's weights were restored, then the summary (epochs run, best epoch
        and its loss, total time). The last epoch is always shown; plain text,
        no colour codes.
    callbacks : list of skorch callbacks or (name, callback) tuples, default=None
        Extra skorch callbacks (logging to MLflow or TensorBoard, checkpoints).
        They run before early stopping, so they see every epoch run, and at
        the end of training the weights it restores. The names the estimator
        gives its own (``"nonfinite_guard"``, ``"gradient_clip"``,
        ``"lr_schedule"``, ``"restore_best"``, ``"early_stopping"``,
        ``"feedback"``, ``"augmentation"``) are refused as theirs.
    net_kwargs : dict, default=None
        Further arguments passed verbatim to the skorch ``NeuralNet``, such as
        the optimizer's (``{"optimizer__weight_decay": 1e-4}``). What the
        estimator sets on the net from its own parameters (``callbacks``,
        ``max_epochs``, ``lr`` and its other name ``optimizer__lr``,
        ``train_split``, the criterion, ...) is refused.
"""


# The parameters (and the fitted attribute) the two anomaly detectors share ("{detector: name}" markers)
DETECTOR_PARAMETERS = """\
    smoothing : int, default=1
        Span of an exponentially weighted mean of the scores over time (1: none).
        :class:`~sklearn_rnn.RNNAnomalyDetector` smooths a series scored without a past as if
        its earlier steps had scored typically (``smoothing_start_``); its threshold then
        rests on about ``n_calibration_scores_ / smoothing`` independent scores, and
        ``fit`` warns where they are too few for ``contamination``.
    cell : {"rnn", "lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=32
        Hidden units per direction and layer.
    bidirectional : bool, default=False
        Whether each layer also reads the window backwards.
    dropout : float, default=0.0
        Dropout between stacked layers and before the output layer.
    max_epochs : int, default=30
        Passes over the training windows.
    batch_size : int, default=64
        Windows per gradient step.
    lr : float, default=3e-3
        Initial learning rate.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training windows and stop when
        their loss stalls, restoring the best weights.
    validation_fraction : float, default=0.1
        Share of the training windows held out when ``early_stopping=True``.
    random_state : int, RandomState instance or None, default=None
        Seeds weights, dropout and shuffling.
    window_statistic_ : str
        How reconstruction combines a step's misses over the windows that hold
        it: "median". A detector saved before it holds none and takes the mean
        its threshold was calibrated with.
"""


def _entries(text: str) -> dict[str, str]:
    """The numpydoc entries of ``text`` by parameter name, each with its description lines."""
    starts = [m.start() for m in re.finditer(r"^    \w+ :", text, flags=re.MULTILINE)]
    chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return {chunk.split(" :")[0].strip(): chunk for chunk in chunks}


ENTRIES = _entries(SHARED_PARAMETERS)
DETECTOR_ENTRIES = _entries(DETECTOR_PARAMETERS)
# The detectors' network and training parameters, in order: "{detector network and training}"
DETECTOR_MARKER = "    {detector network and training}\n"
DETECTOR_TRAINING = "".join(
    DETECTOR_ENTRIES[name] if name in DETECTOR_ENTRIES else ENTRIES[name]
    for name in (
        "cell hidden_size num_layers bidirectional dropout max_epochs batch_size lr optimizer "
        "lr_schedule gradient_clip_value early_stopping validation_fraction n_iter_no_change tol "
        "random_state device n_threads verbose callbacks net_kwargs"
    ).split()
)


def with_shared_parameters(cls: type) -> type:
    """Class decorator: the shared parameter entries in place of the markers in ``cls.__doc__``."""
    doc = cls.__doc__ or ""
    markers = re.findall(r"^    \{(shared|detector): (\w+)\}\n", doc, flags=re.MULTILINE)
    if MARKER not in doc and DETECTOR_MARKER not in doc and not markers:
        raise ValueError(
            f"{cls.__name__}'s docstring holds neither {MARKER.strip()!r} nor '{{shared: name}}'."
        )
    doc = doc.replace(MARKER, SHARED_PARAMETERS).replace(DETECTOR_MARKER, DETECTOR_TRAINING)
    for kind, name in markers:
        entries = ENTRIES if kind == "shared" else DETECTOR_ENTRIES
        doc = doc.replace(f"    {{{kind}: {name}}}\n", entries[name])
    cls.__doc__ = doc
    return cls
