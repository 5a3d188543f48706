"""Speed and memory of sklearn_rnn against the PyTorch loop a user would otherwise write.

One command prints one table::

    OMP_NUM_THREADS=1 python benchmarks/speed.py            # full run (~30 min on 1 thread)
    OMP_NUM_THREADS=1 python benchmarks/speed.py --quick    # smoke run (~1-2 min)

What is compared
----------------
* ``sklearn_rnn``: :class:`sklearn_rnn.RNNClassifier` with its training recipe
  spelled out (AdamW, cosine learning-rate schedule, gradient-norm clipping at
  1.0, no validation holdout), so the comparison does not move when defaults do.
* ``torch``: a hand-written PyTorch loop over the same :class:`RecurrentNet`
  module (same input standardisation buffers), the same data, epochs, batch
  size, per-epoch shuffling, optimizer, schedule, clipping and threads. Ragged
  input is padded by the loop (timed), each batch is trimmed to its longest
  sequence and packed; at predict time the loop sorts by length, as the
  wrapper does. This is the reference of every ratio.
* ``skorch``: plain ``skorch.NeuralNetClassifier`` on the same module with its
  default ``Dataset``/``DataLoader`` path (per-sample indexing and collation),
  ``train_split=None``; ragged input goes in as ``{"X": padded, "lengths": ...}``.
* ``sktime``: ``SimpleRNNClassifierTorch`` configured as closely as it allows:
  same hidden size, direction, epochs, batch size, AdamW and learning rate, no
  callbacks. It only has an Elman (tanh) cell, never shuffles and refuses
  unequal lengths, so its ratios compare a cheaper cell and appear for equal
  lengths only.

How it is measured
------------------
* Times: wall-clock ``time.perf_counter`` of ``fit`` and of ``predict`` (the
  whole public call: validation, label encoding, padding; the second call after
  ``fit``, as for a model in service: the first one also pays the page faults of
  memory that ``fit`` returned to the system, a few ms). Fit: median of
  ``--repeats`` (>= 3) runs; predict: median of 5 calls per fitted model
  (1 in the scaling rows). The contenders are interleaved (one fit of each, in a
  rotating order, then rounds of one predict each, then the next round) so that
  background load hits all of them alike: on this 2-core VM a single run's time
  moves by up to 1.5x from one run to the next, for every contender alike
  (CPU time, not steal). All runs use 1 torch thread.
* Peak memory: a fresh subprocess per (case, contender) builds the data, then
  resets the kernel's high-water mark of its resident set
  (``/proc/self/clear_refs``), runs one ``fit`` + ``predict`` and reads
  ``VmHWM`` from ``/proc/self/status``; the figure is the peak RSS above the
  RSS just before ``fit``. It therefore counts everything the process touched:
  torch's C++ allocations, autograd buffers and Python objects alike (which
  ``tracemalloc`` would not). One run per figure (it barely varies).
* Scaling: LSTM fit time per epoch for 1k/10k/100k sequences (length 50) and
  lengths 50/200/1000 (1k sequences); ``per step`` is the time per epoch
  divided by ``n_sequences * length``, relative to the smallest case: it stays
  near 1.0 when cost grows linearly.
* Forecaster: :class:`sklearn_rnn.RNNForecaster` trained on a 1-million-step
  series in a subprocess (peak RSS, as above, and absolute).
* Time to accuracy: sklearn_rnn's default ``RNNClassifier`` against sktime's
  MiniRocket (``RocketClassifier(rocket_transform="minirocket")``) on
  BasicMotions and GunPoint (train/test splits shipped with sktime), fit time
  and test accuracy, 1 thread, median time of the repeats.
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
from dataclasses import asdict, dataclass

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from sklearn_rnn import RNNClassifier  # noqa: E402
from sklearn_rnn._module import RecurrentNet  # noqa: E402

torch.set_num_threads(1)

CONTENDERS = ("sklearn_rnn", "torch", "skorch", "sktime")
LR = 1e-3
CLIP = 1.0


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
    def name(self) -> str:
        return (
            f"{self.cell}{'-bi' if self.bidirectional else ''} "
            f"{'ragged' if self.ragged else 'equal'} n={self.n} T={self.length}"
        )


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


def build_module(case: Case, seed: int) -> RecurrentNet:
    torch.manual_seed(seed)
    return RecurrentNet(
        case.n_features,
        case.n_classes,
        cell=case.cell,
        hidden_size=case.hidden_size,
        bidirectional=case.bidirectional,
    )


# -- the hand-written reference loop --------------------------------------------------------
class TorchLoop:
    """The loop a PyTorch user writes: standardise, shuffle, slice, pack, step."""

    def __init__(self, case: Case, seed: int = 0):
        self.case = case
        self.seed = seed

    def fit(self, X, y):
        case = self.case
        values, lengths = pad(X)
        with torch.random.fork_rng():
            module = build_module(case, self.seed)
            mask = (
                np.ones(values.shape[:2], bool)
                if lengths is None
                else np.arange(values.shape[1])[None] < lengths[:, None]
            )
            steps = values[mask]
            module.x_mean.copy_(torch.as_tensor(steps.mean(0)))
            module.x_scale.copy_(torch.as_tensor(steps.std(0)))
            del steps, mask
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
                        loss = F.cross_entropy(module(xb, lb), yt[idx])
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
                outs.append(module(xb, lb))
        out = torch.cat(outs)
        if order is not None:
            out = out[torch.from_numpy(np.argsort(order))]
        return out.argmax(1).numpy()


# -- the contenders -------------------------------------------------------------------------
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
            verbose=0,
        )

    def _input(self, X):
        values, lengths = pad(X)
        return values if lengths is None else {"X": values, "lengths": lengths}

    def fit(self, X, y):
        with torch.random.fork_rng():
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
    """sktime's SimpleRNNClassifierTorch, as close to the others as it allows."""

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
        with torch.random.fork_rng():
            self.net.fit(np.ascontiguousarray(X.transpose(0, 2, 1)), y)
        return self

    def predict(self, X):
        return self.net.predict(np.ascontiguousarray(X.transpose(0, 2, 1)))


class Wrapper:
    def __init__(self, case: Case, seed: int = 0):
        self.est = RNNClassifier(
            cell=case.cell,
            hidden_size=case.hidden_size,
            num_layers=1,
            bidirectional=case.bidirectional,
            dropout=0.0,
            pooling="last",
            max_epochs=case.epochs,
            batch_size=case.batch_size,
            lr=LR,
            optimizer="adamw",
            lr_schedule="cosine",
            gradient_clip_value=CLIP,
            early_stopping=False,
            random_state=seed,
            n_threads=1,
        )
        # the plain recurrent network, whatever the estimator's default architecture
        same_module = {"architecture": "rnn", "missing": "error"}
        self.est.set_params(**{k: v for k, v in same_module.items() if k in self.est.get_params()})

    def fit(self, X, y):
        self.est.fit(X, y)
        return self

    def predict(self, X):
        return self.est.predict(X)


FACTORIES = {"sklearn_rnn": Wrapper, "torch": TorchLoop, "skorch": SkorchPlain, "sktime": SktimeRNN}


def applicable(contender: str, case: Case) -> bool:
    return not (contender == "sktime" and case.ragged)


# -- timing -----------------------------------------------------------------------------------
_WARM: set = set()


def time_case(case: Case, contenders, repeats: int, predict_calls: int = 5) -> dict:
    """Median fit and predict seconds per contender, runs interleaved in rotating order.

    Each round fits every contender once (in a rotating order), then times
    ``predict_calls`` rounds of one ``predict`` per contender: predict costs a
    tenth of a fit, so it gets more, closely interleaved samples.
    """
    for c in contenders:  # one untimed tiny fit per contender and process (lazy imports, set-up)
        if c not in _WARM:
            warm = Case(**{**asdict(case), "n": 16, "length": 8, "epochs": 1})
            FACTORIES[c](warm).fit(*make_data(warm))
            _WARM.add(c)
    X, y = make_data(case)
    fit_s = {c: [] for c in contenders}
    pred_s = {c: [] for c in contenders}
    for r in range(repeats):
        order = contenders[r % len(contenders) :] + contenders[: r % len(contenders)]
        models = {}
        for c in order:
            model = FACTORIES[c](case, seed=r)
            gc.collect()
            t0 = time.perf_counter()
            model.fit(X, y)
            fit_s[c].append(time.perf_counter() - t0)
            model.predict(X)  # the first call after fit: page faults for memory fit gave back
            models[c] = model
        for _ in range(predict_calls):
            for c in order:
                t0 = time.perf_counter()
                pred = models[c].predict(X)
                pred_s[c].append(time.perf_counter() - t0)
                if len(pred) != case.n:
                    raise RuntimeError(f"{c} returned {len(pred)} predictions for {case.n} sequences")
        del models
    return {
        c: {"fit": statistics.median(fit_s[c]), "predict": statistics.median(pred_s[c])} for c in contenders
    }


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


def memory_child(spec: dict) -> dict:
    """Run in a fresh process: peak RSS above the RSS right before fit, in MiB."""
    kind = spec.pop("kind")
    if kind == "forecaster":
        return forecaster_child(**spec)
    case = Case(**spec["case"])
    # one tiny fit first, so lazy imports and one-time allocator set-up are not counted
    warm = Case(**{**spec["case"], "n": 16, "length": 8, "epochs": 1})
    FACTORIES[spec["contender"]](warm, seed=0).fit(*make_data(warm))
    X, y = make_data(case)
    model = FACTORIES[spec["contender"]](case, seed=0)
    gc.collect()
    base = _rss_kib("VmRSS")
    if not _reset_peak():
        return {"error": "cannot reset the peak RSS (/proc/self/clear_refs)"}
    model.fit(X, y)
    model.predict(X)
    peak = _rss_kib("VmHWM")
    return {"peak_mib": (peak - base) / 1024}


def forecaster_child(n_steps: int, params: dict) -> dict:
    import pandas as pd

    from sklearn_rnn import RNNForecaster

    rng = np.random.default_rng(0)
    t = np.arange(n_steps)
    values = np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n_steps)
    y = pd.Series(values, index=pd.RangeIndex(n_steps))
    forecaster = RNNForecaster(**params)
    gc.collect()
    base = _rss_kib("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    forecaster.fit(y, fh=list(range(1, 13)))
    fit_s = time.perf_counter() - t0
    forecaster.predict()
    peak = _rss_kib("VmHWM")
    return {
        "peak_mib": (peak - base) / 1024,
        "peak_rss_mib": peak / 1024,
        "series_mib": values.nbytes / 2**20,
        "fit_s": fit_s,
    }


def run_child(spec: dict, timeout: float = 1200) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", json.dumps(spec)],
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


# -- time to accuracy ---------------------------------------------------------------------------
def time_to_accuracy(dataset: str, repeats: int) -> dict:
    from sklearn.metrics import accuracy_score
    from sktime import datasets
    from sktime.classification.kernel_based import RocketClassifier

    from sklearn_rnn import from_sktime

    load = {"BasicMotions": datasets.load_basic_motions, "GunPoint": datasets.load_gunpoint}[dataset]
    X_train, y_train = load(split="train", return_X_y=True)
    X_test, y_test = load(split="test", return_X_y=True)
    makers = {
        "sklearn_rnn defaults": lambda seed: RNNClassifier(random_state=seed),
        "MiniRocket": lambda seed: RocketClassifier(
            rocket_transform="minirocket", n_jobs=1, random_state=seed
        ),
    }
    inputs = {
        "sklearn_rnn defaults": (from_sktime(X_train), from_sktime(X_test)),
        "MiniRocket": (X_train, X_test),
    }
    results = {name: {"fit": [], "acc": []} for name in makers}
    names = list(makers)
    for r in range(repeats):
        for name in names[r % 2 :] + names[: r % 2]:
            model = makers[name](r)
            train, test = inputs[name]
            t0 = time.perf_counter()
            model.fit(train, y_train)
            results[name]["fit"].append(time.perf_counter() - t0)
            results[name]["acc"].append(accuracy_score(y_test, model.predict(test)))
    return {
        name: {
            "fit": statistics.median(v["fit"]),
            "acc_median": statistics.median(v["acc"]),
            "acc_min": min(v["acc"]),
            "acc_max": max(v["acc"]),
        }
        for name, v in results.items()
    }


# -- the report -----------------------------------------------------------------------------------
def _ratio(value, ref) -> str:
    if value is None or ref is None or ref <= 0:
        return "n/a"
    return f"{value / ref:.2f}x"


def load_note() -> str:
    la = os.getloadavg()
    return f"load average {la[0]:.2f} {la[1]:.2f} {la[2]:.2f} on {os.cpu_count()} cores"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median; >= 3)")
    parser.add_argument(
        "--skip", nargs="*", default=[], choices=["core", "scaling", "forecaster", "accuracy", "memory"]
    )
    parser.add_argument("--equal-only", action="store_true", help="core cases: equal lengths only")
    parser.add_argument("--core-n", type=int, default=None, help="core cases: number of sequences")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        warnings.filterwarnings("ignore")
        print(json.dumps(memory_child(json.loads(args.child))))
        return
    warnings.filterwarnings("ignore")
    quick = args.quick
    repeats = max(3, args.repeats)
    started = time.perf_counter()
    print(
        f"# sklearn_rnn speed benchmark ({'quick' if quick else 'full'}), torch {torch.__version__}, "
        f"{platform.processor() or platform.machine()}, 1 torch thread, medians of {repeats} interleaved runs"
    )
    print(f"# at start: {load_note()}")

    rows = []
    if "core" not in args.skip:
        base = Case(n=200, length=40, epochs=2) if quick else Case(n=500, length=100, epochs=2)
        if args.core_n:
            base = Case(**{**asdict(base), "n": args.core_n})
        print(
            f"\n## Cases: {base.n} sequences of {base.length} steps x {base.n_features} features, "
            f"{base.n_classes} classes, hidden {base.hidden_size}, batch {base.batch_size}, "
            f"{base.epochs} epochs; "
            "ragged lengths uniform in [T/2, T]"
        )
        header = (
            f"{'case':<22} {'fit s':>6} {'pred s':>6} {'MiB':>5} | {'fit/torch':>9} {'pred/torch':>10}"
            f" {'mem/torch':>9} | {'skorch fit':>10} {'skorch pred':>11} | {'sktime fit':>10}"
            f" {'sktime pred':>11}"
        )
        print(header)
        print("-" * len(header))
        for cell in ("lstm", "gru"):
            for bidirectional in (False, True):
                for ragged in (False,) if args.equal_only else (False, True):
                    case = Case(
                        **{**asdict(base), "cell": cell, "bidirectional": bidirectional, "ragged": ragged}
                    )
                    contenders = [c for c in CONTENDERS if applicable(c, case)]
                    t = time_case(case, contenders, repeats)
                    m = {} if "memory" in args.skip else memory_case(case, ["sklearn_rnn", "torch"])
                    ref = t["torch"]
                    get = lambda c, k, t=t: t[c][k] if c in t else None  # noqa: E731
                    mib = m.get("sklearn_rnn")
                    line = (
                        f"{case.name.rsplit(' n=', 1)[0]:<22} {t['sklearn_rnn']['fit']:6.2f} "
                        f"{t['sklearn_rnn']['predict']:6.3f} {'n/a' if mib is None else f'{mib:.0f}':>5} | "
                        f"{_ratio(get('sklearn_rnn', 'fit'), ref['fit']):>9} "
                        f"{_ratio(get('sklearn_rnn', 'predict'), ref['predict']):>10} "
                        f"{_ratio(mib, m.get('torch')):>9} | "
                        f"{_ratio(get('skorch', 'fit'), ref['fit']):>10} "
                        f"{_ratio(get('skorch', 'predict'), ref['predict']):>11} | "
                        f"{_ratio(get('sktime', 'fit'), ref['fit']):>10} "
                        f"{_ratio(get('sktime', 'predict'), ref['predict']):>11}"
                    )
                    print(line, flush=True)
                    rows.append({"case": case.name, "times": t, "memory_mib": m})
        print(
            "(ratios: contender / hand-written torch loop, same run; fit s, pred s: sklearn_rnn medians; "
            "MiB: sklearn_rnn peak RSS above the RSS before fit, one fit+predict in a fresh subprocess; "
            "mem/torch: the same for the torch loop as reference; sktime: Elman cell, equal lengths only)"
        )

    if "scaling" not in args.skip:
        sizes = (
            [(200, 20), (800, 20), (200, 80)]
            if quick
            else [(1000, 50), (10000, 50), (100000, 50), (1000, 200), (1000, 1000)]
        )
        print(f"\n## Scaling (LSTM, equal lengths, hidden 64, batch 128, {load_note()})")
        header = (
            f"{'n':>7} {'T':>5} {'epochs':>6} {'s/epoch':>8} {'per step':>8} {'torch s/epoch':>13}"
            f" {'torch per step':>14} {'fit/torch':>9} {'pred/torch':>10} {'peak MiB':>9} {'mem/torch':>9}"
        )
        print(header)
        print("-" * len(header))
        unit = None
        for n, length in sizes:
            epochs = 1 if n * length >= 200_000 else 3
            case = Case(n=n, length=length, epochs=epochs, batch_size=128)
            t = time_case(case, ["sklearn_rnn", "torch"], repeats, predict_calls=1)
            m = (
                {}
                if "memory" in args.skip
                else memory_case(Case(**{**asdict(case), "epochs": 1}), ["sklearn_rnn", "torch"])
            )
            per_epoch = t["sklearn_rnn"]["fit"] / epochs
            ref_epoch = t["torch"]["fit"] / epochs
            per_step = per_epoch / (n * length)
            ref_step = ref_epoch / (n * length)
            if unit is None:
                unit = (per_step, ref_step)
            peak = m.get("sklearn_rnn")
            print(
                f"{n:>7} {length:>5} {epochs:>6} {per_epoch:8.2f} {per_step / unit[0]:8.2f} {ref_epoch:13.2f}"
                f" {ref_step / unit[1]:14.2f} {_ratio(per_epoch, ref_epoch):>9}"
                f" {_ratio(t['sklearn_rnn']['predict'], t['torch']['predict']):>10}"
                f" {peak if peak is None else round(peak, 1)!s:>9} {_ratio(peak, m.get('torch')):>9}",
                flush=True,
            )
            rows.append({"scaling": [n, length, epochs], "times": t, "memory_mib": m})
        print("(per step: seconds per epoch / (n * T), relative to the first row; 1.00 = linear)")

    if "forecaster" not in args.skip:
        n_steps = 20_000 if quick else 1_000_000
        print(f"\n## Forecaster on a series of {n_steps:,} steps")
        try:
            import sklearn_rnn.forecasting  # noqa: F401
        except ImportError as exc:
            print(f"not run: sklearn_rnn.forecasting is not importable ({exc})")
        else:
            params = {
                "window_length": 48,
                "hidden_size": 32,
                "max_epochs": 1,
                "batch_size": 1024,
                "random_state": 0,
            }
            res = run_child({"kind": "forecaster", "n_steps": n_steps, "params": params}, timeout=1800)
            if "error" in res:
                print(f"failed: {res['error']}")
            else:
                settings = ", ".join(f"{k}={v!r}" for k, v in params.items())
                per_window = res["series_mib"] * params["window_length"] / 2
                print(f"RNNForecaster({settings}): fit {res['fit_s']:.1f} s")
                print(
                    f"peak RSS {res['peak_rss_mib']:.0f} MiB in all, {res['peak_mib']:.0f} MiB above the RSS "
                    f"before fit; the series is {res['series_mib']:.1f} MiB (float64); one float32 copy "
                    f"per window would be {per_window:.0f} MiB"
                )
            rows.append({"forecaster": res})

    if "accuracy" not in args.skip:
        print(f"\n## Time to accuracy (defaults vs MiniRocket, 1 thread, {load_note()})")
        header = f"{'dataset':<13} {'model':<22} {'fit s':>7} {'accuracy':>9} {'acc range':>13}"
        print(header)
        print("-" * len(header))
        for dataset in ("BasicMotions",) if quick else ("BasicMotions", "GunPoint"):
            res = time_to_accuracy(dataset, repeats)
            for name, v in res.items():
                print(
                    f"{dataset:<13} {name:<22} {v['fit']:7.2f} {v['acc_median']:9.3f}"
                    f" {v['acc_min']:6.3f}-{v['acc_max']:.3f}",
                    flush=True,
                )
            rows.append({"accuracy": dataset, "results": res})

    print(f"\n# done in {time.perf_counter() - started:.0f} s; at end: {load_note()}")
    print("# JSON: " + json.dumps(rows, default=float))


if __name__ == "__main__":
    main()
