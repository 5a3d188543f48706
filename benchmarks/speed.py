"""Speed and memory of sklearn_rnn against the PyTorch loops a user would otherwise write.

One command prints the tables::

    OMP_NUM_THREADS=1 python benchmarks/speed.py                  # full run (~15-20 min, quiet machine)
    OMP_NUM_THREADS=1 python benchmarks/speed.py --quick          # smoke run (~5 min; 7 on a busy one)
    python benchmarks/speed.py --device cuda                      # every contender on the GPU

What is compared
----------------
Every core case is one set of ragged sequences (lengths uniform in [T/2, T]) and
the same sequences zero-padded to T, for each cell (LSTM, GRU, Elman RNN) and
direction. The contenders, all on the same data, epochs, batch size, optimizer
(AdamW), cosine schedule, gradient-norm clipping at 1.0 and threads:

* ``ragged``: :class:`sklearn_rnn.RNNClassifier` given the list of sequences,
  with its training recipe spelled out (plain recurrent network, no dropout, no
  validation holdout), so the comparison does not move when defaults do.
* ``equal``: the same estimator given the padded 3D array: every sequence is
  read to step T (padding included), the equal-length path.
* ``naive``: the loop a PyTorch user writes first, the reference of the
  targets: standardise, pad once to the longest length, a new random order each
  epoch, full-length batches (no trimming, no length buckets) through the
  ``nn.LSTM``/``GRU``/``RNN`` of the same :class:`RecurrentNet` (same sizes, same
  initial weights) and its linear head. One-way networks read each sequence's
  output at its own last step (``lengths - 1``), the same answer as
  sklearn_rnn. Bidirectional ones read the padded batch as it is (the backward
  direction starts in the padding): a different answer, a speed reference only.
* ``packed``: a hand-written loop that trims each batch to its longest sequence
  and runs it through ``pack_padded_sequence`` (the textbook way to get the
  right answer for both directions); at predict time it sorts by length.
* ``skorch``: plain ``skorch.NeuralNetClassifier`` on the same module with its
  default ``Dataset``/``DataLoader`` path (per-sample indexing and collation),
  ``train_split=None``; it gets ``{"X": padded, "lengths": ...}``.
* ``sktime``: ``SimpleRNNClassifierTorch`` configured as closely as it allows
  (same hidden size, direction, epochs, batch size, AdamW and learning rate, no
  callbacks), given the padded array (it refuses unequal lengths). It only has
  an Elman (tanh) cell and never shuffles; it has no device setting, so it is
  left out with ``--device cuda``.

The targets (the project's speed issue), per cell and direction, same run:
``ragged/naive <= 1.00``, ``ragged/equal <= 1.30``, ``equal/naive <= 1.00`` (fit).

How it is measured
------------------
* Times: wall-clock ``time.perf_counter`` of ``fit`` and of ``predict`` (the
  whole public call: validation, label encoding, padding; on CUDA after
  ``torch.cuda.synchronize()``). ``predict`` is timed from its second call
  after ``fit``, as for a model in service (the first one also pays the page
  faults of memory that ``fit`` returned to the system). Fit: median of
  ``--repeats`` runs; predict: median of 5 calls per fitted model (1 in the
  scaling rows). Contenders are interleaved (one fit of each, in a rotating
  order, then rounds of one predict each, then the next round) so that
  background load hits all of them alike: on a shared 2-core VM a single run's
  time moves by up to 1.5x from one run to the next, for every contender alike.
  All runs use 1 torch thread, except the threads section.
* Peak memory: a fresh subprocess per (case, contender) builds the data, then on
  CPU resets the kernel's high-water mark of its resident set
  (``/proc/self/clear_refs``), runs one ``fit`` + ``predict`` and reads
  ``VmHWM``: the peak RSS above the RSS just before ``fit`` (torch's C++
  allocations, autograd buffers and Python objects alike). On CUDA it is
  ``torch.cuda.max_memory_allocated`` above the allocation before ``fit``.
* Backward: one GRU or Elman layer (T=100, 3 features) run forward and
  backward through torch's layer and autograd, and through the library's
  hand-written backward (``sklearn_rnn/_networks/own_backward.py``), each read
  as ``RecurrentNet`` reads it; medians of ``3 * --repeats`` alternating runs,
  for batch x hidden from 16 x 16 to 256 x 256 (where the GRU's stops paying).
* Scaling: equal lengths only (``equal`` against ``naive``, which on equal
  lengths is the plain loop): time per epoch for 1k/10k/100k sequences of 50
  steps and for lengths 50/200/500/1000 (1k sequences); ``per step`` is the time
  per epoch divided by ``n * T``, relative to the first row (1.00 = linear).
  Medians of at most 3 runs (the 100k row alone is ~20 s a fit).
* Threads: ``n_threads=1`` against ``n_threads=2`` of the same estimator,
  interleaved, for the core case (LSTM, ragged), long sequences (T=1000) and a
  large hidden size (256). It depends on whether the machine is otherwise idle:
  two threads on a 2-core machine that has other work are often several times
  slower; the load average is printed before and after.
* Memory retention: the same fit (equal lengths, T from 50 to 1000) in fresh
  processes, alternately with the default (freed memory kept between batches,
  ``sklearn_rnn._runtime.retain_freed_memory``) and with
  ``SKLEARN_RNN_RETAIN_MEMORY=0`` (glibc's malloc left alone): fit seconds and
  peak RSS of each, the gain that keeps it the default and its price.
* Forecaster: :class:`sklearn_rnn.RNNForecaster` trained on a 1-million-step
  series in a subprocess (peak memory, as above, and absolute).

Time to accuracy against MiniRocket lives in ``benchmarks/time_to_accuracy.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence  # noqa: E402

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn._networks.recurrent import RecurrentNet  # noqa: E402

torch.set_num_threads(1)

LR = 1e-3
CLIP = 1.0
DEVICE = "cpu"  # set from --device (and passed on to the memory subprocesses)
TARGETS = {"ragged/naive": 1.0, "ragged/equal": 1.3, "equal/naive": 1.0}


def on_cuda() -> bool:
    return DEVICE.startswith("cuda")


def clock() -> float:
    """``perf_counter`` once the GPU's queued work is done."""
    if on_cuda():
        torch.cuda.synchronize()
    return time.perf_counter()


def fork_rng():
    return torch.random.fork_rng(devices=[torch.device(DEVICE).index or 0] if on_cuda() else [])


@dataclass(frozen=True)
class Case:
    """One benchmark configuration."""

    cell: str = "lstm"
    bidirectional: bool = False
    ragged: bool = False
    n: int = 1000
    length: int = 100
    n_features: int = 3
    n_classes: int = 3
    hidden_size: int = 64
    batch_size: int = 32
    epochs: int = 3

    @property
    def label(self) -> str:
        return f"{self.cell}{'-bi' if self.bidirectional else ''}"


# -- data ---------------------------------------------------------------------------------
def make_data(case: Case, seed: int = 0):
    """Noisy sines whose frequency depends on the class; ragged lengths in [T/2, T]."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, case.n_classes, case.n)
    t = np.arange(case.length, dtype=np.float32)
    freq = (0.05 + 0.05 * y)[:, None, None].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, (case.n, 1, case.n_features)).astype(np.float32)
    X = np.sin(freq * t[None, :, None] + phase).astype(np.float32)
    X += 0.3 * rng.standard_normal(X.shape, dtype=np.float32)
    if case.ragged:
        lengths = rng.integers(case.length // 2, case.length + 1, case.n)
        lengths[0] = case.length
        X = [X[i, : lengths[i]] for i in range(case.n)]
    return X, y.astype(np.int64)


def pad(X) -> tuple[np.ndarray, np.ndarray | None]:
    """What a hand-written loop does to a list of sequences: zero-pad, keep the lengths."""
    if isinstance(X, np.ndarray):
        return X, None
    lengths = np.array([len(x) for x in X], dtype=np.int64)
    out = np.zeros((len(X), lengths.max(), X[0].shape[1]), dtype=np.float32)
    for i, x in enumerate(X):
        out[i, : len(x)] = x
    return out, lengths


def observed_statistics(values: np.ndarray, lengths: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    mask = (
        np.ones(values.shape[:2], bool) if lengths is None else np.arange(values.shape[1]) < lengths[:, None]
    )
    steps = values[mask]
    return steps.mean(0), steps.std(0)


def build_module(case: Case, seed: int) -> RecurrentNet:
    torch.manual_seed(seed)
    return RecurrentNet(
        case.n_features,
        case.n_classes,
        cell=case.cell,
        hidden_size=case.hidden_size,
        bidirectional=case.bidirectional,
    )


# -- the forward passes of the hand-written loops ---------------------------------------------
def naive_forward(module: RecurrentNet, xb: torch.Tensor, lb: torch.Tensor | None) -> torch.Tensor:
    """The padded batch as it is through ``module.rnn``; one-way: each sequence's own last step.

    ``xb`` is already standardised and zero-padded. Bidirectional: the forward
    state at the last padded step and the backward state at step 0, which has
    read the padding first (a different answer from the others).
    """
    output, _ = module.rnn(xb)
    H = module.rnn.hidden_size
    if module.num_directions == 2:
        return module.head(torch.cat([output[:, -1, :H], output[:, 0, H:]], dim=1))
    rows = torch.arange(len(xb), device=xb.device)
    last = xb.shape[1] - 1 if lb is None else lb.to(xb.device) - 1
    return module.head(output[rows, last])


def packed_forward(module: RecurrentNet, xb: torch.Tensor, lb: torch.Tensor | None) -> torch.Tensor:
    """``pack_padded_sequence`` through ``module.rnn``; the final state of each direction."""
    if lb is None:
        return module(xb)
    x = (xb - module.x_mean) / module.x_scale
    _, h = module.rnn(pack_padded_sequence(x, lb.cpu(), batch_first=True, enforce_sorted=False))
    h = h[0] if isinstance(h, tuple) else h  # LSTM: (h_n, c_n)
    top = h.view(module.rnn.num_layers, module.num_directions, h.shape[1], -1)[-1]
    return module.head(torch.cat(list(top), dim=1))


def same_answer_check() -> str:
    """How far the loops' forward passes are from the library module's, on one ragged batch."""
    lines = []
    X, _ = make_data(Case(ragged=True, n=16, length=30))
    values, lengths = pad(X)
    xb, lb = torch.from_numpy(values), torch.from_numpy(lengths)
    for cell in ("lstm", "gru", "rnn"):
        for bidirectional in (False, True):
            module = build_module(Case(cell=cell, bidirectional=bidirectional), 0).eval()
            with torch.no_grad():
                ref = module(xb, lb)
                packed = (packed_forward(module, xb, lb) - ref).abs().max().item()
                naive = (naive_forward(module, xb, lb) - ref).abs().max().item()
            lines.append(
                f"{module.cell}{'-bi' if bidirectional else ''} packed {packed:.1e} naive {naive:.1e}"
            )
    return "; ".join(lines)


# -- the hand-written loops --------------------------------------------------------------------
class NaivePaddedLoop:
    """Standardise, pad once, shuffle, full-length batches, step (see :func:`naive_forward`)."""

    def __init__(self, case: Case, seed: int = 0):
        self.case = case
        self.seed = seed

    def _prepare(self, values: np.ndarray, lengths: np.ndarray | None):
        values = ((values - self.mean) / self.scale).astype(np.float32, copy=False)
        if lengths is not None:  # the padding is the training mean, as if padded after standardising
            values[np.arange(values.shape[1]) >= lengths[:, None]] = 0.0
        return torch.from_numpy(values), None if lengths is None else torch.from_numpy(lengths)

    def fit(self, X, y):
        case = self.case
        values, lengths = pad(X)
        self.mean, self.scale = observed_statistics(values, lengths)
        Xt, Lt = self._prepare(values, lengths)
        yt = torch.from_numpy(y)
        with fork_rng():
            module = build_module(case, self.seed).to(DEVICE)
            optimizer = torch.optim.AdamW(module.parameters(), lr=LR)
            schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=case.epochs)
            module.train()
            torch.set_flush_denormal(True)
            try:
                for _ in range(case.epochs):
                    order = torch.randperm(len(yt))
                    for start in range(0, len(yt), case.batch_size):
                        idx = order[start : start + case.batch_size]
                        xb, lb = Xt[idx].to(DEVICE), None if Lt is None else Lt[idx]
                        loss = F.cross_entropy(naive_forward(module, xb, lb), yt[idx].to(DEVICE))
                        optimizer.zero_grad()
                        loss.backward()
                        torch.nn.utils.clip_grad_norm_(module.parameters(), CLIP)
                        optimizer.step()
                        self.last_loss = loss.item()
                    schedule.step()
            finally:
                torch.set_flush_denormal(False)
        self.module = module
        return self

    def predict(self, X):
        Xt, Lt = self._prepare(*pad(X))
        module = self.module.eval()
        outs = []
        with torch.no_grad():
            for start in range(0, len(Xt), self.case.batch_size):
                stop = start + self.case.batch_size
                lb = None if Lt is None else Lt[start:stop]
                outs.append(naive_forward(module, Xt[start:stop].to(DEVICE), lb).cpu())
        return torch.cat(outs).argmax(1).numpy()


class PackedLoop:
    """Standardise (module buffers), shuffle, trim each batch to its longest sequence, pack, step."""

    def __init__(self, case: Case, seed: int = 0):
        self.case = case
        self.seed = seed

    def fit(self, X, y):
        case = self.case
        values, lengths = pad(X)
        with fork_rng():
            module = build_module(case, self.seed)
            mean, scale = observed_statistics(values, lengths)
            module.x_mean.copy_(torch.as_tensor(mean))
            module.x_scale.copy_(torch.as_tensor(scale))
            module.to(DEVICE)
            optimizer = torch.optim.AdamW(module.parameters(), lr=LR)
            schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=case.epochs)
            Xt, yt = torch.from_numpy(values), torch.from_numpy(y)
            Lt = None if lengths is None else torch.from_numpy(lengths)
            module.train()
            torch.set_flush_denormal(True)
            try:
                for _ in range(case.epochs):
                    order = torch.randperm(len(yt))
                    for start in range(0, len(yt), case.batch_size):
                        idx = order[start : start + case.batch_size]
                        xb, lb = Xt[idx], None
                        if Lt is not None:
                            lb = Lt[idx]
                            xb = xb[:, : int(lb.max())]
                        loss = F.cross_entropy(packed_forward(module, xb.to(DEVICE), lb), yt[idx].to(DEVICE))
                        optimizer.zero_grad()
                        loss.backward()
                        torch.nn.utils.clip_grad_norm_(module.parameters(), CLIP)
                        optimizer.step()
                        self.last_loss = loss.item()
                    schedule.step()
            finally:
                torch.set_flush_denormal(False)
        self.module = module
        return self

    def predict(self, X):
        values, lengths = pad(X)
        module = self.module.eval()
        order = None if lengths is None else np.argsort(lengths, kind="stable")
        outs = []
        with torch.no_grad():
            Xt = torch.from_numpy(values if order is None else values[order])
            Lt = None if order is None else torch.from_numpy(lengths[order])
            for start in range(0, len(Xt), self.case.batch_size):
                xb, lb = Xt[start : start + self.case.batch_size], None
                if Lt is not None:
                    lb = Lt[start : start + self.case.batch_size]
                    xb = xb[:, : int(lb.max())]
                outs.append(packed_forward(module, xb.to(DEVICE), lb).cpu())
        out = torch.cat(outs)
        if order is not None:
            out = out[torch.from_numpy(np.argsort(order))]
        return out.argmax(1).numpy()


# -- the library and its peers ---------------------------------------------------------------
class SkorchPlain:
    """skorch's NeuralNetClassifier with its default Dataset/DataLoader path."""

    def __init__(self, case: Case, seed: int = 0):
        from skorch import NeuralNetClassifier
        from skorch.callbacks import GradientNormClipping, LRScheduler

        self.case = case
        self.seed = seed
        self.net = NeuralNetClassifier(
            RecurrentNet,
            module__n_features=case.n_features,
            module__n_outputs=case.n_classes,
            module__cell=case.cell,
            module__hidden_size=case.hidden_size,
            module__bidirectional=case.bidirectional,
            criterion=torch.nn.CrossEntropyLoss,
            optimizer=torch.optim.AdamW,
            lr=LR,
            max_epochs=case.epochs,
            batch_size=case.batch_size,
            iterator_train__shuffle=True,
            train_split=None,
            callbacks=[
                GradientNormClipping(CLIP),
                LRScheduler(torch.optim.lr_scheduler.CosineAnnealingLR, T_max=case.epochs),
            ],
            device=DEVICE,
            verbose=0,
        )

    def _input(self, X):
        values, lengths = pad(X)
        return values if lengths is None else {"X": values, "lengths": lengths}

    def fit(self, X, y):
        with fork_rng():
            torch.manual_seed(self.seed)
            torch.set_flush_denormal(True)
            try:
                self.net.fit(self._input(X), y)
            finally:
                torch.set_flush_denormal(False)
        return self

    def predict(self, X):
        return self.net.predict(self._input(X))


class SktimeRNN:
    """sktime's SimpleRNNClassifierTorch, as close to the others as it allows (CPU only)."""

    def __init__(self, case: Case, seed: int = 0):
        from sktime.classification.deep_learning.rnn import SimpleRNNClassifierTorch

        self.net = SimpleRNNClassifierTorch(
            hidden_dim=case.hidden_size,
            activation_hidden="Tanh",
            bidirectional=case.bidirectional,
            num_epochs=case.epochs,
            batch_size=case.batch_size,
            optimizer="AdamW",
            lr=LR,
            callbacks=None,
            random_state=seed,
        )

    def fit(self, X, y):
        with fork_rng():
            self.net.fit(np.ascontiguousarray(X.transpose(0, 2, 1)), y)
        return self

    def predict(self, X):
        return self.net.predict(np.ascontiguousarray(X.transpose(0, 2, 1)))


class Wrapper:
    def __init__(self, case: Case, seed: int = 0, n_threads: int = 1):
        self.est = RNNClassifier(
            cell=case.cell,
            hidden_size=case.hidden_size,
            num_layers=1,
            bidirectional=case.bidirectional,
            dropout=0.0,
            pooling="last",
            architecture="rnn",
            n_networks=1,  # the loops train one network; "auto" trains up to five on these sizes
            missing="error",
            input_scaling="global",
            max_epochs=case.epochs,
            batch_size=case.batch_size,
            lr=LR,
            optimizer="adamw",
            lr_schedule="cosine",
            gradient_clip_value=CLIP,
            early_stopping=False,
            random_state=seed,
            device=DEVICE,
            n_threads=n_threads,
        )

    def fit(self, X, y):
        self.est.fit(X, y)
        return self

    def predict(self, X):
        return self.est.predict(X)


@dataclass(frozen=True)
class Contender:
    make: Callable  # (case, seed) -> model with fit(X, y) and predict(X)
    padded: bool  # given the padded 3D array rather than the list of sequences
    cuda: bool = True  # can run on a GPU


CONTENDERS = {
    "ragged": Contender(Wrapper, padded=False),
    "equal": Contender(Wrapper, padded=True),
    "naive": Contender(NaivePaddedLoop, padded=False),
    "packed": Contender(PackedLoop, padded=False),
    "skorch": Contender(SkorchPlain, padded=False),
    "sktime": Contender(SktimeRNN, padded=True, cuda=False),
}


def available(names) -> dict[str, Contender]:
    return {c: CONTENDERS[c] for c in names if CONTENDERS[c].cuda or not on_cuda()}


def inputs(case: Case, padded: bool, seed: int = 0):
    X, y = make_data(case, seed)
    return (pad(X)[0] if padded else X), y


# -- timing -----------------------------------------------------------------------------------
_WARM: set = set()


def time_case(case: Case, contenders: dict[str, Contender], repeats: int, predict_calls: int = 5) -> dict:
    """Median fit and predict seconds per contender, runs interleaved in rotating order.

    Each round fits every contender once (in a rotating order), then times
    ``predict_calls`` rounds of one ``predict`` per contender: predict costs a
    tenth of a fit, so it gets more, closely interleaved samples.
    """
    for name, c in contenders.items():  # one untimed tiny fit per contender and process (imports, set-up)
        if name not in _WARM:
            warm = Case(**{**asdict(case), "n": 16, "length": 8, "epochs": 1})
            c.make(warm).fit(*inputs(warm, c.padded))
            _WARM.add(name)
    X, y = make_data(case)
    data = {False: X, True: pad(X)[0]}
    names = list(contenders)
    fit_s = {c: [] for c in names}
    pred_s = {c: [] for c in names}
    for r in range(repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        models = {}
        for c in order:
            model = contenders[c].make(case, seed=r)
            gc.collect()
            t0 = clock()
            model.fit(data[contenders[c].padded], y)
            fit_s[c].append(clock() - t0)
            model.predict(data[contenders[c].padded])  # first call after fit: page faults
            models[c] = model
        for _ in range(predict_calls):
            for c in order:
                t0 = clock()
                pred = models[c].predict(data[contenders[c].padded])
                pred_s[c].append(clock() - t0)
                if len(pred) != case.n:
                    raise RuntimeError(f"{c} returned {len(pred)} predictions for {case.n} sequences")
        del models
    return {c: {"fit": statistics.median(fit_s[c]), "predict": statistics.median(pred_s[c])} for c in names}


# -- memory (one subprocess per figure) ---------------------------------------------------------
def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class PeakMemory:
    """Peak memory above the start, in MiB: CPU resident set, or CUDA allocations on a GPU."""

    def start(self) -> bool:
        gc.collect()
        if on_cuda():
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.base = torch.cuda.memory_allocated()
            return True
        self.base = _rss_kib("VmRSS") * 1024
        return _reset_peak()

    def peak(self) -> float:
        if on_cuda():
            torch.cuda.synchronize()
            return (torch.cuda.max_memory_allocated() - self.base) / 2**20
        return (_rss_kib("VmHWM") * 1024 - self.base) / 2**20

    def total(self) -> float:
        return (torch.cuda.max_memory_allocated() if on_cuda() else _rss_kib("VmHWM") * 1024) / 2**20


def memory_child(spec: dict) -> dict:
    """Run in a fresh process: peak memory of one fit + predict, in MiB."""
    global DEVICE
    DEVICE = spec.pop("device", "cpu")
    kind = spec.pop("kind")
    if kind == "forecaster":
        return forecaster_child(**spec)
    if kind == "retention":
        return retention_child(Case(**spec["case"]))
    case = Case(**spec["case"])
    c = CONTENDERS[spec["contender"]]
    # one tiny fit first, so lazy imports and one-time allocator set-up are not counted
    warm = Case(**{**spec["case"], "n": 16, "length": 8, "epochs": 1})
    c.make(warm, seed=0).fit(*inputs(warm, c.padded))
    X, y = inputs(case, c.padded)
    model = c.make(case, seed=0)
    meter = PeakMemory()
    if not meter.start():
        return {"error": "cannot reset the peak RSS (/proc/self/clear_refs)"}
    model.fit(X, y)
    model.predict(X)
    return {"peak_mib": meter.peak()}


def forecaster_child(n_steps: int, params: dict) -> dict:
    import pandas as pd

    from sklearn_rnn import RNNForecaster

    rng = np.random.default_rng(0)
    t = np.arange(n_steps)
    values = np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n_steps)
    y = pd.Series(values, index=pd.RangeIndex(n_steps))
    # one tiny fit first, so lazy imports and one-time set-up are not counted (as for the classifiers)
    RNNForecaster(**params, device=DEVICE).fit(y.iloc[:500], fh=list(range(1, 13))).predict()
    forecaster = RNNForecaster(**params, device=DEVICE)
    meter = PeakMemory()
    meter.start()
    t0 = clock()
    forecaster.fit(y, fh=list(range(1, 13)))
    fit_s = clock() - t0
    forecaster.predict()
    return {
        "peak_mib": meter.peak(),
        "peak_total_mib": meter.total(),
        "series_mib": values.nbytes / 2**20,
        "fit_s": fit_s,
    }


def retention_child(case: Case) -> dict:
    """One fit of the equal-length estimator in a fresh process: seconds and peak memory."""
    c = CONTENDERS["equal"]
    warm = Case(**{**asdict(case), "n": 16, "length": 8, "epochs": 1})
    c.make(warm, seed=0).fit(*inputs(warm, c.padded))
    X, y = inputs(case, c.padded)
    model = c.make(case, seed=0)
    meter = PeakMemory()
    meter.start()
    t0 = clock()
    model.fit(X, y)
    return {"fit_s": clock() - t0, "peak_mib": meter.peak()}


def run_child(spec: dict, timeout: float = 1200, env: dict | None = None) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", json.dumps({**spec, "device": DEVICE})],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def memory_case(case: Case, contenders) -> dict:
    return {
        c: run_child({"kind": "classifier", "case": asdict(case), "contender": c}).get("peak_mib")
        for c in contenders
    }


# -- the report -----------------------------------------------------------------------------------
def ratio(value, ref) -> float | None:
    if value is None or ref is None or ref <= 0:
        return None
    return value / ref


def to_naive(t: dict, contender: str, key: str) -> float | None:
    return ratio(t[contender][key], t["naive"][key]) if contender in t else None


def fmt(r: float | None, width: int) -> str:
    return f"{'n/a' if r is None else f'{r:.2f}x':>{width}}"


def mib(value) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def load_note() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} cores"


def memory_label() -> str:
    return "peak CUDA allocation" if on_cuda() else "peak RSS"


def core_section(args, quick: bool, repeats: int, rows: list) -> None:
    base = Case(n=200, length=40, epochs=2) if quick else Case(n=500, length=100, epochs=2)
    if args.core_n:
        base = Case(**{**asdict(base), "n": args.core_n})
    print(
        f"\n## Core cases: {base.n} sequences, lengths uniform in [{base.length // 2}, {base.length}] "
        f"(padded: {base.length}) x {base.n_features} features, {base.n_classes} classes, hidden "
        f"{base.hidden_size}, batch {base.batch_size}, {base.epochs} epochs, {DEVICE}"
    )
    print(f"# same-answer check, max |output - RecurrentNet(X, lengths)| at init: {same_answer_check()}")
    header = (
        f"{'case':<8} {'ragged s':>8} {'equal s':>8} {'naive s':>8} | {'ragged/naive':>12} "
        f"{'ragged/equal':>12} {'equal/naive':>11} | targets (<= 1.00, 1.30, 1.00)"
    )
    print(header)
    print("-" * len(header))
    names = [c for c in CONTENDERS if c not in args.without]
    results, missed = [], 0
    for cell in args.cells:
        for bidirectional in (False, True):
            case = Case(**{**asdict(base), "cell": cell, "bidirectional": bidirectional, "ragged": True})
            t = time_case(case, available(names), repeats)
            m = {} if "memory" in args.skip else memory_case(case, ["ragged", "equal", "naive"])
            fit = {c: v["fit"] for c, v in t.items()}
            got = {
                "ragged/naive": ratio(fit["ragged"], fit["naive"]),
                "ragged/equal": ratio(fit["ragged"], fit["equal"]),
                "equal/naive": ratio(fit["equal"], fit["naive"]),
            }
            over = [k for k, v in got.items() if v is not None and v > TARGETS[k]]
            missed += len(over)
            print(
                f"{case.label:<8} {fit['ragged']:8.2f} {fit['equal']:8.2f} {fit['naive']:8.2f} | "
                f"{fmt(got['ragged/naive'], 12)} {fmt(got['ragged/equal'], 12)} "
                f"{fmt(got['equal/naive'], 11)} | "
                f"{'met' if not over else 'over: ' + ', '.join(over)}",
                flush=True,
            )
            results.append((case, t, m))
            rows.append(
                {"case": case.label, "core": asdict(case), "times": t, "memory_mib": m, "ratios": got}
            )
    print(
        f"(fit seconds, medians of {repeats} interleaved runs; ragged: RNNClassifier given the list of "
        "sequences; equal: the same given them zero-padded to T as a 3D array; naive: padded torch loop, "
        f"see the module docstring; {missed} ratio(s) over target. Bidirectional naive rows read the "
        "padding: a speed reference only, not the same answer)"
    )

    print("\n## Core cases, the other contenders (same runs; ratios to the naive padded loop)")
    header = (
        f"{'case':<8} | {'fit: packed':>11} {'skorch':>7} {'sktime':>7} | {'pred s':>6} | "
        f"{'pred: ragged':>12} {'equal':>6} {'packed':>6} {'skorch':>6} {'sktime':>6} | "
        f"{'MiB: ragged':>11} {'equal':>5} {'naive':>5}"
    )
    print(header)
    print("-" * len(header))
    for case, t, m in results:
        r = partial(to_naive, t)
        print(
            f"{case.label:<8} | {fmt(r('packed', 'fit'), 11)} {fmt(r('skorch', 'fit'), 7)} "
            f"{fmt(r('sktime', 'fit'), 7)} | {t['ragged']['predict']:6.3f} | "
            f"{fmt(r('ragged', 'predict'), 12)} {fmt(r('equal', 'predict'), 6)} "
            f"{fmt(r('packed', 'predict'), 6)} {fmt(r('skorch', 'predict'), 6)} "
            f"{fmt(r('sktime', 'predict'), 6)} | {mib(m.get('ragged')):>11} {mib(m.get('equal')):>5} "
            f"{mib(m.get('naive')):>5}"
        )
    print(
        "(packed: hand-written loop with pack_padded_sequence; skorch: plain NeuralNetClassifier on the same "
        "module with lengths; sktime: SimpleRNNClassifierTorch, Elman cell, given the padded array"
        f"{', CPU only: not run' if on_cuda() else ''}; pred s: ragged predict seconds (median of 5 "
        f"calls per fit); MiB: {memory_label()} above the start of one fit + predict in a fresh subprocess)"
    )


def scaling_section(args, quick: bool, repeats: int, rows: list) -> None:
    sizes = (
        [(200, 20), (800, 20), (200, 80), (200, 160)]
        if quick
        else [(1000, 50), (10000, 50), (100000, 50), (1000, 200), (1000, 500), (1000, 1000)]
    )
    repeats = min(repeats, 3)
    print(
        f"\n## Scaling (LSTM, equal lengths, hidden 64, batch 128, {DEVICE}, medians of {repeats}, "
        f"{load_note()})"
    )
    header = (
        f"{'n':>7} {'T':>5} {'epochs':>6} {'s/epoch':>8} {'per step':>8} {'naive s/epoch':>13}"
        f" {'naive per step':>14} {'fit/naive':>9} {'pred/naive':>10} {'peak MiB':>9} {'mem/naive':>9}"
    )
    print(header)
    print("-" * len(header))
    unit = None
    for n, length in sizes:
        epochs = 1 if n * length >= 200_000 else 3
        case = Case(n=n, length=length, epochs=epochs, batch_size=128)
        t = time_case(case, available(["equal", "naive"]), repeats, predict_calls=1)
        m = (
            {}
            if "memory" in args.skip
            else memory_case(Case(**{**asdict(case), "epochs": 1}), ["equal", "naive"])
        )
        per_epoch = t["equal"]["fit"] / epochs
        ref_epoch = t["naive"]["fit"] / epochs
        per_step = per_epoch / (n * length)
        ref_step = ref_epoch / (n * length)
        if unit is None:
            unit = (per_step, ref_step)
        peak = m.get("equal")
        print(
            f"{n:>7} {length:>5} {epochs:>6} {per_epoch:8.2f} {per_step / unit[0]:8.2f} {ref_epoch:13.2f}"
            f" {ref_step / unit[1]:14.2f} {fmt(ratio(per_epoch, ref_epoch), 9)}"
            f" {fmt(ratio(t['equal']['predict'], t['naive']['predict']), 10)}"
            f" {mib(peak):>9} {fmt(ratio(peak, m.get('naive')), 9)}",
            flush=True,
        )
        rows.append({"scaling": [n, length, epochs], "times": t, "memory_mib": m})
    print(
        f"(per step: seconds per epoch / (n * T), relative to the first row, 1.00 = linear; {memory_label()})"
    )


def threads_section(args, quick: bool, repeats: int, rows: list) -> None:
    print("\n## Threads: n_threads=1 against n_threads=2, the same fit, interleaved")
    if on_cuda():
        print("not run on CUDA (the GPU does the work)")
        return
    core = (
        Case(n=200, length=40, epochs=2, ragged=True)
        if quick
        else Case(n=500, length=100, epochs=2, ragged=True)
    )
    cases = {
        "core (LSTM, ragged)": core,
        "long (T=1000)" if not quick else "long (T=200)": Case(
            n=100 if quick else 500, length=200 if quick else 1000, epochs=1
        ),
        "hidden 256": Case(**{**asdict(core), "hidden_size": 256}),
    }
    contenders = {
        f"{k} thread{'s' if k > 1 else ''}": Contender(partial(Wrapper, n_threads=k), padded=False)
        for k in (1, 2)
    }
    before = load_note()
    print(f"# before: {before}")
    header = f"{'case':<20} {'n':>5} {'T':>5} {'hidden':>6} {'1 thread s':>10} {'2 threads s':>11} {'2/1':>6}"
    print(header)
    print("-" * len(header))
    for label, case in cases.items():
        t = time_case(case, contenders, repeats, predict_calls=1)
        one, two = t["1 thread"]["fit"], t["2 threads"]["fit"]
        print(
            f"{label:<20} {case.n:>5} {case.length:>5} {case.hidden_size:>6} {one:10.2f} {two:11.2f}"
            f" {fmt(ratio(two, one), 6)}",
            flush=True,
        )
        rows.append({"threads": label, "case": asdict(case), "times": t})
    print(f"# after: {load_note()}")
    print(
        "(fit seconds, medians; 2/1 < 1 means two threads help. This depends on whether the machine is "
        "otherwise idle: with other work on it, two threads on two cores wait for each other and can be "
        "several times slower than one)"
    )


def retention_section(quick: bool, repeats: int, rows: list) -> None:
    print("\n## Memory retention: the default against SKLEARN_RNN_RETAIN_MEMORY=0, the same fit, interleaved")
    if on_cuda():
        print("not run on CUDA (torch's caching allocator keeps GPU memory either way)")
        return
    lengths = (50, 200) if quick else (50, 200, 500, 1000)
    header = (
        f"{'n':>5} {'T':>5} {'kept s':>7} {'off s':>7} {'kept/off':>8} | {'kept MiB':>8} {'off MiB':>8} "
        f"{'kept/off':>8}"
    )
    print(header)
    print("-" * len(header))
    for length in lengths:
        case = Case(n=200 if quick else 1000, length=length, epochs=1, batch_size=128)
        runs: dict[str, list] = {"kept": [], "off": []}
        for _ in range(repeats):
            for label, env in (("kept", {}), ("off", {"SKLEARN_RNN_RETAIN_MEMORY": "0"})):
                runs[label].append(run_child({"kind": "retention", "case": asdict(case)}, env=env))
        fit = {k: statistics.median(r["fit_s"] for r in v if "fit_s" in r) for k, v in runs.items()}
        peak = {k: statistics.median(r["peak_mib"] for r in v if "peak_mib" in r) for k, v in runs.items()}
        print(
            f"{case.n:>5} {length:>5} {fit['kept']:7.2f} {fit['off']:7.2f} "
            f"{fmt(ratio(fit['kept'], fit['off']), 8)}"
            f" | {mib(peak['kept']):>8} {mib(peak['off']):>8} {fmt(ratio(peak['kept'], peak['off']), 8)}",
            flush=True,
        )
        rows.append({"retention": asdict(case), "fit_s": fit, "peak_mib": peak})
    print(
        "(LSTM, hidden 64, batch 128, equal lengths, 1 epoch; one fresh process per fit, medians of "
        f"{repeats}; kept/off < 1: keeping freed memory makes the fit faster; MiB: {memory_label()} above "
        "the start of fit)"
    )


BACKWARD_SIZES = ((16, 16), (32, 64), (64, 64), (32, 128), (128, 64), (64, 128), (128, 128), (256, 256))


def time_backward(cell: str, batch: int, hidden: int, length: int, runs: int) -> dict[str, float]:
    """Median seconds of one layer's forward + backward, through autograd and the hand-written backward."""
    from sklearn_rnn._networks.own_backward import one_way_layer

    torch.manual_seed(0)
    layer = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell](3, hidden, batch_first=True)
    X = torch.randn(batch, length, 3)
    h0, weights = torch.zeros(batch, hidden), list(layer.parameters())
    contenders = {  # what RecurrentNet runs with either backward: torch's final state, or the last output
        "autograd": lambda: layer(X)[1].sum().backward(),
        "own": lambda: one_way_layer(cell, X, h0, weights)[:, -1].sum().backward(),
    }
    times: dict[str, list] = {name: [] for name in contenders}
    torch.set_flush_denormal(True)  # as fits do
    try:
        for run in contenders.values():
            run()
        for r in range(runs):  # alternating which goes first
            for name in sorted(contenders, reverse=bool(r % 2)):
                t0 = clock()
                contenders[name]()
                times[name].append(clock() - t0)
    finally:
        torch.set_flush_denormal(False)
    return {name: statistics.median(t) for name, t in times.items()}


def backward_section(args, quick: bool, repeats: int, rows: list) -> None:
    print("\n## The GRU's and Elman RNN's hand-written backward against autograd (one layer, fwd + bwd)")
    if on_cuda():
        print("not run on CUDA (the hand-written backward is for the CPU; cuDNN runs both cells)")
        return
    from sklearn_rnn._networks.own_backward import uses_own_backward

    length = 100
    header = (
        f"{'cell':<5} {'batch':>5} {'hidden':>6} {'batch x hidden':>14} {'autograd ms':>11} {'own ms':>7}"
        f" {'own/autograd':>12} {'in fits':>7}"
    )
    print(header)
    print("-" * len(header))
    for cell in [c for c in args.cells if c in ("gru", "rnn")]:
        for batch, hidden in BACKWARD_SIZES[:3] if quick else BACKWARD_SIZES:
            t = time_backward(cell, batch, hidden, length, 3 * repeats)
            used = "yes" if uses_own_backward(cell, torch.zeros(batch, 1, 1), hidden, training=True) else "no"
            print(
                f"{cell:<5} {batch:>5} {hidden:>6} {batch * hidden:>14} {t['autograd'] * 1e3:11.2f}"
                f" {t['own'] * 1e3:7.2f} {fmt(ratio(t['own'], t['autograd']), 12)} {used:>7}",
                flush=True,
            )
            rows.append({"backward": [cell, batch, hidden], "times_s": t})
    print(
        f"(T={length}, 3 features, 1 thread, medians of {3 * repeats} interleaved runs; in fits: whether "
        "training uses the hand-written backward at this size, own_backward.MAX_BATCH_X_HIDDEN)"
    )


def forecaster_section(quick: bool, rows: list) -> None:
    n_steps = 20_000 if quick else 1_000_000
    print(f"\n## Forecaster on a series of {n_steps:,} steps ({DEVICE})")
    try:
        import sklearn_rnn.forecasting  # noqa: F401
    except ImportError as exc:
        print(f"not run: sklearn_rnn.forecasting is not importable ({exc})")
        return
    params = {"window_length": 48, "hidden_size": 32, "max_epochs": 1, "batch_size": 1024, "random_state": 0}
    res = run_child({"kind": "forecaster", "n_steps": n_steps, "params": params}, timeout=1800)
    if "error" in res:
        print(f"failed: {res['error']}")
    else:
        settings = ", ".join(f"{k}={v!r}" for k, v in params.items())
        per_window = res["series_mib"] * params["window_length"] / 2
        print(f"RNNForecaster({settings}): fit {res['fit_s']:.1f} s")
        print(
            f"{memory_label()} {res['peak_total_mib']:.0f} MiB in all, {res['peak_mib']:.0f} MiB above the "
            f"start of fit; the series is {res['series_mib']:.1f} MiB (float64); one float32 copy per window "
            f"would be {per_window:.0f} MiB"
        )
    rows.append({"forecaster": res})


def main(argv=None) -> None:
    global DEVICE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--repeats", type=int, default=None, help="runs per figure (median; default 5, quick 3)"
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda[:N]: where every contender runs")
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["core", "memory", "backward", "scaling", "threads", "retention", "forecaster"],
    )
    parser.add_argument("--cells", nargs="*", default=["lstm", "gru", "rnn"], choices=["lstm", "gru", "rnn"])
    parser.add_argument(
        "--without", nargs="*", default=[], choices=["packed", "skorch", "sktime"], help="core: leave out"
    )
    parser.add_argument("--core-n", type=int, default=None, help="core cases: number of sequences")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        warnings.filterwarnings("ignore")
        print(json.dumps(memory_child(json.loads(args.child))))
        return
    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"--device {args.device}: CUDA is not available here (torch {torch.__version__}); nothing run.")
        return
    DEVICE = args.device
    warnings.filterwarnings("ignore")
    quick = args.quick
    repeats = max(3, args.repeats or (3 if quick else 5))
    started = time.perf_counter()
    where = torch.cuda.get_device_name(DEVICE) if on_cuda() else platform.processor() or platform.machine()
    print(
        f"# sklearn_rnn speed benchmark ({'quick' if quick else 'full'}), torch {torch.__version__}, "
        f"{DEVICE} ({where}), 1 torch thread, medians of {repeats} interleaved runs"
    )
    print(f"# at start: {load_note()}")
    rows: list = []
    if "core" not in args.skip:
        core_section(args, quick, repeats, rows)
    if "backward" not in args.skip:
        backward_section(args, quick, repeats, rows)
    if "scaling" not in args.skip:
        scaling_section(args, quick, repeats, rows)
    if "threads" not in args.skip:
        threads_section(args, quick, repeats, rows)
    if "retention" not in args.skip:
        retention_section(quick, repeats, rows)
    if "forecaster" not in args.skip:
        forecaster_section(quick, rows)
    print(f"\n# done in {time.perf_counter() - started:.0f} s; at end: {load_note()}")
    print("# JSON: " + json.dumps(rows, default=float))


if __name__ == "__main__":
    main()
