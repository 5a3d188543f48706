"""Process and thread state around training and inference: threads, denormals, memory, seeds, Ctrl-C.

Everything here is per call and per thread: a session sets torch's thread
count and denormal flushing for the calling thread (both are per-thread
settings in torch's OpenMP build) and restores them on exit, and random
numbers come from a generator owned by the session, never from torch's global
one. So concurrent fits and predicts in threads neither disturb each other nor
the user's own settings, and a seeded fit gives the same model in any thread.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import signal
import sys
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

import joblib
import torch
from threadpoolctl import ThreadpoolController
from torch import nn

__all__ = [
    "current_generator",
    "float32_default",
    "global_rng_restored",
    "interrupt_requested",
    "resolve_device",
    "retain_freed_memory",
    "seeded_init",
    "torch_session",
    "user_stacklevel",
]

# Modules whose frames a warning skips to reach the user's line: this package, the frameworks that
# wrap its estimators' methods (sktime's public fit/predict, skorch's training loop, scikit-learn's
# fit decorator, parameter validation and output wrappers) and the context managers around them.
# scikit-learn's Pipeline or search calling an estimator is the caller, as for its own warnings.
_WRAPPERS = (
    f"{__package__}.",
    "sktime.",
    "skorch.",
    "sklearn.base",
    "sklearn.pipeline",
    "sklearn.utils._param_validation",
    "sklearn.utils._set_output",
    "contextlib",
    "numpy._core._ufunc_config",
    "numpy.core._ufunc_config",
)


def user_stacklevel() -> int:
    """The ``stacklevel`` that attributes a warning to the user's line.

    Called by the function that warns: the first frame above it outside
    this package and the frameworks that wrap its estimators' methods
    (``_WRAPPERS``), whichever public method led there, so that a warning
    raised inside sktime's ``fit`` or skorch's training loop names the
    user's call, not the framework's.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module != __package__ and not module.startswith(_WRAPPERS):
            break
        frame, level = frame.f_back, level + 1
    return level


# glibc's malloc: mallopt parameters, and the values its dynamic thresholds grow to (64-bit)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_GLIBC_MMAP_MAX, _GLIBC_TRIM_MAX = 32 * 2**20, 64 * 2**20
_trainings = 0  # fits now inside ``retain_freed_memory`` (threads share one malloc)
_trainings_lock = threading.Lock()


# set to "0" to leave glibc's malloc alone during training (see ``retain_freed_memory``)
RETAIN_MEMORY_VARIABLE = "SKLEARN_RNN_RETAIN_MEMORY"


def _malloc_set_by_user() -> bool:
    """Whether the user chose malloc's behaviour: turned retention off, or set glibc's thresholds.

    glibc reads its variables once, from the environment the process started with: one set
    later in ``os.environ`` changes nothing in this process (Dask's nanny sets
    ``MALLOC_TRIM_THRESHOLD_`` there for the workers it spawns, in the client's process with a
    ``LocalCluster``), so they are read where the kernel keeps that environment, where it does.
    """
    if os.environ.get(RETAIN_MEMORY_VARIABLE, "1").strip() == "0":
        return True
    start = _start_environment()
    names = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")
    return any(n in start for n in names) or "glibc.malloc." in start.get("GLIBC_TUNABLES", "")


@functools.cache
def _start_environment() -> dict[str, str] | os._Environ:
    """The environment the process started with (Linux's ``/proc/self/environ``), else ``os.environ``."""
    try:
        with open("/proc/self/environ", "rb") as file:
            entries = file.read().split(b"\0")
    except OSError:
        return os.environ
    pairs = (entry.decode(errors="replace").partition("=") for entry in entries if b"=" in entry)
    return {name: value for name, _, value in pairs}


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The process's C library when it is glibc (whose malloc the thresholds below tune), else None."""
    try:
        libc = ctypes.CDLL(None)
    except (OSError, TypeError):  # TypeError: Windows has no handle for the process itself
        return None
    return libc if all(hasattr(libc, f) for f in ("gnu_get_libc_version", "mallopt", "malloc_trim")) else None


@contextmanager
def retain_freed_memory() -> Iterator[None]:
    """Keep the memory freed between training batches in the process; return it on exit.

    What torch's caching allocator does on a GPU, done on the CPU with glibc's
    malloc. Back-propagation through a batch stores every step's activations
    and frees them when the batch ends. glibc hands such memory back to the
    system (blocks above its mmap threshold, a free heap top above its trim
    threshold), so the next batch faults the same pages in again. With glibc's
    defaults, time per step at 200 to 1000 steps was 1.1-1.5x that at 50 steps
    (LSTM, hidden 64, batch 128), with up to a million page faults per epoch;
    keeping the memory made those fits 1.3-1.6x faster.

    Inside, blocks up to 1 GiB come from the heap and up to 2 GiB of free heap
    is kept. (A fit run in a thread other than the main one allocates from a
    thread arena, whose heaps hold blocks up to 64 MiB; larger ones are mapped
    afresh whatever the settings.) On exit the free memory goes back to the
    system (``malloc_trim``) and the thresholds are set to the ceilings glibc's
    own dynamic thresholds grow to (32 MiB, 64 MiB). The price is memory: a freed block is reused only
    by blocks that fit in it, so long-sequence fits peaked 1.3-1.5x higher
    (``benchmarks/speed.py``, section "Memory retention", measures both in one
    run). The environment variable ``SKLEARN_RNN_RETAIN_MEMORY=0`` turns it
    off (checked at each fit); setting glibc's own variables
    (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``
    or ``glibc.malloc.*`` in ``GLIBC_TUNABLES``) in the environment the
    process started with (glibc reads them then) leaves malloc to them. Does
    nothing on other C libraries (macOS, Windows, musl).
    """
    global _trainings
    libc = _glibc()
    if libc is None or _malloc_set_by_user():
        yield
        return
    with _trainings_lock:
        _trainings += 1
        if _trainings == 1:
            libc.mallopt(_M_MMAP_THRESHOLD, 2**30)
            libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)  # mallopt takes a C int
    try:
        yield
    finally:
        with _trainings_lock:
            _trainings -= 1
            if _trainings == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_MMAP_MAX)
                libc.mallopt(_M_TRIM_THRESHOLD, _GLIBC_TRIM_MAX)
                libc.malloc_trim(0)


_cuda_sessions = 0  # sessions open in this process that hold the reproducible CUDA settings
_cuda_lock = threading.Lock()
_cuda_previous: tuple = ()


@contextmanager
def reproducible_cuda() -> Iterator[None]:
    """Deterministic kernels and full float32 on CUDA inside; the caller's settings come back on exit.

    Two GPU fits with one ``random_state`` differed by ~1e-3 in their outputs,
    and a model's GPU outputs differed from its CPU copy's by ~1e-4, with
    torch's defaults (an H200, torch 2.11: ``tests/test_cuda.py``). The first
    comes from kernels that accumulate with atomics (scatter, index_put), the
    second from TF32 convolutions. Inside, deterministic algorithms are used
    (``torch.use_deterministic_algorithms(True, warn_only=True)``: an operation
    without one warns instead of failing, unless the caller made it fail), cuDNN's
    deterministic algorithms and
    no autotuning, and float32 convolutions and matrix products are not
    rounded to TF32. With these, two fits gave identical outputs and the CPU
    copy agreed to ~1e-6. ``CUBLAS_WORKSPACE_CONFIG`` is set to ``:4096:8``
    where it is unset, as cuBLAS needs for repeatable results (it reads it when
    it starts, so set it yourself before any CUDA work to be sure). Does
    nothing where torch sees no GPU. The settings are process-wide: the first
    session to open sets them, the last to close restores them, so concurrent
    fits in threads keep them throughout.
    """
    global _cuda_sessions, _cuda_previous
    if not torch.cuda.is_available():
        yield
        return
    with _cuda_lock:
        _cuda_sessions += 1
        if _cuda_sessions == 1:
            cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
            _cuda_previous = (
                torch.are_deterministic_algorithms_enabled(),
                torch.is_deterministic_algorithms_warn_only_enabled(),
                cudnn.deterministic,
                cudnn.benchmark,
                cudnn.allow_tf32,
                matmul.allow_tf32,
            )
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            enabled, warn_only = _cuda_previous[:2]  # a caller's strict setting stays strict
            torch.use_deterministic_algorithms(True, warn_only=warn_only if enabled else True)
            cudnn.deterministic, cudnn.benchmark = True, False
            cudnn.allow_tf32, matmul.allow_tf32 = False, False
    try:
        yield
    finally:
        with _cuda_lock:
            _cuda_sessions -= 1
            if _cuda_sessions == 0:
                enabled, warn_only, *flags = _cuda_previous
                torch.use_deterministic_algorithms(enabled, warn_only=warn_only)
                cudnn, matmul = torch.backends.cudnn, torch.backends.cuda.matmul
                cudnn.deterministic, cudnn.benchmark, cudnn.allow_tf32, matmul.allow_tf32 = flags


_float32_sessions = 0  # sessions open in this process that hold float32 as torch's default dtype
_float32_lock = threading.Lock()
_float32_previous = torch.float32


@contextmanager
def float32_default() -> Iterator[None]:
    """torch's default dtype float32 inside (the networks compute and are stored in it); the caller's
    comes back on exit.

    Layers and the tensors made without a dtype follow the default: in a
    process that set ``torch.set_default_dtype(torch.float64)``, a fit built
    a float64 network (predictions up to 0.7 from the same seed's), whose file
    ``load`` then refused, and a float32 file was refused in such a process.
    The setting is process-wide (torch has no other): each session sets it,
    the last to close restores the first one's caller's, and other threads see
    float32 meanwhile.
    """
    global _float32_sessions, _float32_previous
    with _float32_lock:
        _float32_sessions += 1
        if _float32_sessions == 1:
            _float32_previous = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32)  # again: another thread may have set one meanwhile
    try:
        yield
    finally:
        with _float32_lock:
            _float32_sessions -= 1
            if _float32_sessions == 0:
                torch.set_default_dtype(_float32_previous)


_local = threading.local()  # per thread: the innermost session's generators, and its Ctrl-C record
_global_rng_lock = threading.Lock()


def _flush_denormal_enabled() -> bool:
    """Whether denormal floats are flushed to zero in this thread (torch has no getter)."""
    return (torch.tensor([1e-323], dtype=torch.float64) * 1.0).item() == 0.0


def _resolve_threads(n_threads: int) -> int:
    available = joblib.cpu_count()
    if n_threads == -1:
        return available
    if n_threads > available:
        warnings.warn(
            f"n_threads={n_threads} exceeds the {available} CPUs available; using {available}.",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return available
    return n_threads


@contextmanager
def _sigint_recorded() -> Iterator[None]:
    """Record a Ctrl-C (SIGINT) in ``_sigint`` before Python raises ``KeyboardInterrupt``.

    skorch ends training by raising ``KeyboardInterrupt`` from its callbacks
    (early stopping), and swallows it; the record tells a user's Ctrl-C from
    those. It belongs to this thread's session: each session starts without
    one, and sessions in other threads never see it (a Ctrl-C caught in a
    notebook's main thread once read as a real one to every later early stop
    in the threads of a Dask worker). Only the main thread receives signals,
    and only Python's default handler is wrapped (a handler the user installed
    stays as it is).
    """
    _local.sigint = False  # a Ctrl-C before this session is not this session's
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return

    def handler(signum, frame):
        _local.sigint = True  # the handler runs in the main thread, whose session this is
        signal.default_int_handler(signum, frame)

    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def interrupt_requested() -> bool:
    """Whether the user pressed Ctrl-C during this thread's current training session (main thread)."""
    return getattr(_local, "sigint", False)


@contextmanager
def torch_session(
    n_threads: int | None, seed: int | None = None, training: bool = False, flush_denormal: bool = True
) -> Iterator[torch.Generator | None]:
    """Bound torch's (and NumPy's BLAS) threads, flush denormals and own the random numbers; restore all
    on exit.

    On a machine with a GPU, the session also holds :func:`reproducible_cuda`'s settings, and
    everywhere :func:`float32_default`'s.

    Inside, denormal floats are flushed to zero (they slow long recurrent
    sequences on CPU by up to ~8x with no effect on accuracy); the caller
    thread's previous setting comes back on exit. With a ``seed``, the session
    owns a generator seeded with it (yielded, and returned by
    :func:`current_generator` in this thread): weight initialisation,
    shuffling and dropout draw from it, so the global torch generator is
    neither read nor changed and concurrent seeded fits are reproducible. With
    ``training=True`` the memory freed between batches is kept for the next
    one (:func:`retain_freed_memory`) and a Ctrl-C is recorded
    (:func:`interrupt_requested`). ``flush_denormal=False`` leaves the
    caller's setting (an output head's softmax keeps probabilities below
    2.2e-308, whose logs are finite).
    """
    previous_threads, previous_flush = torch.get_num_threads(), _flush_denormal_enabled()
    previous_generators = getattr(_local, "generators", None)
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)
        _local.generators = {"cpu": generator}
    threads = None if n_threads is None else _resolve_threads(n_threads)
    if threads is not None:
        torch.set_num_threads(threads)
    if flush_denormal:
        torch.set_flush_denormal(True)
    try:
        with (
            reproducible_cuda(),
            float32_default(),
            retain_freed_memory() if training else nullcontext(),
            _sigint_recorded() if training else nullcontext(),
            # a caller's inference mode (a serving loop) would make the training tensors unable to learn
            torch.inference_mode(False) if training else nullcontext(),
            # NumPy's BLAS too (the smoothing baseline's fits run on it): its pool is every core's
            _blas().limit(limits=threads) if threads is not None else nullcontext(),
        ):
            yield generator
    finally:
        _local.generators = previous_generators
        torch.set_flush_denormal(previous_flush)
        if n_threads is not None:  # None leaves torch's setting alone, on exit too
            torch.set_num_threads(previous_threads)


@functools.cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded (NumPy's), found once: threadpoolctl's search of the loaded libraries
    took 2.4 ms a call, a fifth of a small predict; limiting the ones found takes 0.06 ms."""
    return ThreadpoolController().select(user_api="blas")


def current_generator(device: torch.device | str = "cpu") -> torch.Generator | None:
    """The generator of this thread's innermost seeded session for ``device`` (None outside one)."""
    generators = getattr(_local, "generators", None)
    if generators is None:
        return None
    device = torch.device(device)
    if device.type == "cpu":
        return generators["cpu"]
    key = str(device)
    if key not in generators:  # a device generator, seeded from the session's own
        seed = int(torch.randint(2**62, (1,), generator=generators["cpu"]))
        generators[key] = torch.Generator(device=device).manual_seed(seed)
    return generators[key]


@contextmanager
def global_rng_restored(device: torch.device | str = "cpu") -> Iterator[None]:
    """Leave torch's global generator as it was, whatever the code inside draws from it.

    For torch's default weight initialisation, which takes no generator. Held
    under one lock, so this library's own uses never interleave.
    """
    device = torch.device(device)
    devices = [device.index or 0] if device.type == "cuda" else []
    with _global_rng_lock, torch.random.fork_rng(devices=devices):
        yield


def seeded_init(module: nn.Module, generator: torch.Generator) -> None:
    """Initialise ``module``'s parameters as torch does by default, drawing from ``generator``.

    Covers the layers this library builds (linear, convolutional, recurrent;
    batch norm and parameter-free layers initialise without random numbers).
    """
    for layer in module.modules():
        if isinstance(layer, (nn.Linear, nn.Conv1d)):
            # torch's reset_parameters: kaiming_uniform_(a=sqrt(5)), bias U(-1/sqrt(fan_in), ..)
            nn.init.kaiming_uniform_(layer.weight, a=math.sqrt(5), generator=generator)
            if layer.bias is not None:
                fan_in = layer.weight[0].numel()
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
                nn.init.uniform_(layer.bias, -bound, bound, generator=generator)
        elif isinstance(layer, nn.RNNBase):
            bound = 1 / math.sqrt(layer.hidden_size) if layer.hidden_size > 0 else 0.0
            for weight in layer.parameters():
                nn.init.uniform_(weight, -bound, bound, generator=generator)
        elif getattr(layer, "deterministic_init", False):  # starts from fixed values, no random numbers
            layer.reset_parameters()
        elif any(True for _ in layer.parameters(recurse=False)) and not isinstance(
            layer, nn.modules.batchnorm._BatchNorm
        ):
            raise TypeError(f"seeded_init has no rule for {type(layer).__name__}.")


def resolve_device(device: str) -> str:
    """``device`` checked: "cpu", "cuda", "cuda:N", "mps" (where available) or "auto"."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        kind = torch.device(device).type
    except (RuntimeError, TypeError):
        kind = None
    if kind not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device={device!r} is not supported; use 'cpu', 'cuda', 'cuda:N', 'mps' or 'auto'.")
    if kind == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} was requested but CUDA is not available; use device='cpu'.")
    if kind == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r} was requested but MPS is not available; use device='cpu'.")
    return device
