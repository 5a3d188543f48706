"""Bounded, safe reading of the members of a model file's zip archive.

Every member has a size limit, is read through a bounded reader (no more bytes
are ever inflated than its zip entry declares), and may not inflate like a zip
bomb: a deflated member's compressed size is checked against the bytes it really
takes in the archive before it inflates more than 20 times that size;
:func:`compression` is the writer's side of that limit. JSON is parsed with its
values counted and its nesting capped, ``.npy`` arrays with ``allow_pickle=False`` once their
header matches their size, and a safetensors member's header is parsed and
passed to the caller's check before any tensor is read. A reason to refuse a
file is raised as :class:`Refused`.
"""

from __future__ import annotations

import bisect
import io
import json
import math
import reprlib
import weakref
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO, Any

import numpy as np
import torch

# What a member may hold. The weights' and the optimizer's sizes follow from the network's shapes,
# which the caller checks before they are read.
MAX_ARRAYS_BYTES = 2**30  # all .npy members together
MAX_ARRAYS = 2**16  # .npy members (a panel's series take 2 each), read at about 0.3 ms each
_MAX_HEADER_BYTES = 16 * 2**20  # a safetensors header
_MAX_RATIO = 20  # a deflated member larger than _SMALL_MEMBER inflates at most this many times
_SMALL_MEMBER = 4096
_MAX_DIMENSIONS = 8  # a stored tensor's most dimensions (the networks' weights have at most 4)
_MAX_DEPTH = 32  # nesting of lists and dicts in JSON
# JSON values (commas and brackets counted before parsing): each takes at most about 90 bytes once
# parsed, so no JSON takes more than about 1.5 GB. A training history's batch takes 3 to 4 (and 60
# bytes): some 4 million batches, what the 256 MiB manifests of files written before this count held.
MAX_JSON_VALUES = 2**24


class Refused(ValueError):
    """Internal: a reason to refuse a file, turned into one message by :func:`load`."""


_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = 80


def shown(value: Any) -> str:
    """A short repr of a value read from a file (bounded, whatever its size)."""
    return _repr.repr(value)


_SAFETENSORS_DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}


# -- reading members within bounds ------------------------------------------------------------
# ValueError: a negative seek (a forged offset), or a name that is not the UTF-8 its flag says
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


def _entry(archive: zipfile.ZipFile, member: str, limit: float) -> zipfile.ZipInfo:
    """The zip entry of ``member``: refused above ``limit`` bytes, or when it inflates like a zip bomb."""
    info = archive.getinfo(member)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise Refused(
            f"{member} is compressed with method {info.compress_type}; this format writes stored or "
            "deflated members only."
        )
    if info.file_size > limit:
        raise Refused(f"{member} declares {info.file_size} bytes, more than the {limit} this format allows.")
    if info.compress_size > _room(archive, info):
        # deflated, zipfile reads on until the stream ends (its ratio would be forged); stored, the
        # bytes of the members after it would be read again as its own, each as large as the file
        raise Refused(
            f"{member} declares {info.compress_size} compressed bytes, more than it takes in the archive."
        )
    if info.compress_type == zipfile.ZIP_DEFLATED and info.file_size > max(
        _SMALL_MEMBER, _MAX_RATIO * info.compress_size
    ):
        raise Refused(
            f"{member} inflates {info.compress_size} bytes to {info.file_size}, more than {_MAX_RATIO} "
            "times (a zip bomb); this format stores such members uncompressed."
        )
    return info


# the sorted offsets of an open archive's members, found once
_offsets: weakref.WeakKeyDictionary[zipfile.ZipFile, list[int]] = weakref.WeakKeyDictionary()


def _room(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> int:
    """The bytes from a member's local header to the next member's (or to the central directory)."""
    if archive not in _offsets:
        _offsets[archive] = sorted(entry.header_offset for entry in archive.infolist())
    offsets = _offsets[archive]
    following = bisect.bisect_right(offsets, info.header_offset)
    if following > 1 and offsets[following - 2] == info.header_offset:
        raise Refused(f"{info.filename} shares its bytes with another member of the archive.")
    end = offsets[following] if following < len(offsets) else archive.start_dir
    return end - info.header_offset


@contextmanager
def _opened(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[IO[bytes]]:
    try:
        stream = archive.open(info)
    except _ZIP_ERRORS as exc:
        raise Refused(f"{info.filename} cannot be read ({exc}).") from None
    with stream:
        yield stream


def _read(stream: IO[bytes], size: int, member: str) -> bytes:
    """Exactly ``size`` more bytes of an open member (no more are ever inflated)."""
    try:
        data = stream.read(size)
    except _ZIP_ERRORS as exc:  # a CRC mismatch too: an entry declaring less than its data inflates to
        raise Refused(f"{member} cannot be read ({exc}).") from None
    if len(data) != size:
        raise Refused(f"{member} holds fewer bytes than its zip entry declares.")
    return data


def read_member(archive: zipfile.ZipFile, member: str, limit: int) -> bytes:
    info = _entry(archive, member, limit)
    with _opened(archive, info) as stream:
        return _read(stream, info.file_size, member)


def _too_deep(value: Any) -> bool:
    """Whether lists and dicts nest more than ``_MAX_DEPTH`` deep in ``value`` (found without recursion)."""
    level = [value]
    for _ in range(_MAX_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, (list, dict))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def json_values(data: bytes) -> int:
    """Its commas and opening brackets, plus one: no fewer than the values in JSON ``data``."""
    return data.count(b",") + data.count(b"[") + data.count(b"{") + 1


def parse_json(data: bytes, where: str) -> Any:
    values = json_values(data)
    if values > MAX_JSON_VALUES:
        raise Refused(
            f"{where} holds up to {values} JSON values (commas and brackets), more than the "
            f"{MAX_JSON_VALUES} this format allows."
        )
    try:
        value = json.loads(data)
    except RecursionError:
        raise Refused(f"{where} nests values too deep to parse.") from None
    except ValueError as exc:  # invalid JSON or UTF-8, or an int of more digits than Python converts
        raise Refused(f"{where} is not valid JSON ({exc}).") from None
    if _too_deep(value):
        raise Refused(f"{where} nests values more than {_MAX_DEPTH} deep; this format never does.")
    return value


def read_array(archive: zipfile.ZipFile, member: str) -> np.ndarray:
    """A numeric ``.npy`` member, its header checked against its size before the array is built."""
    data = read_member(archive, member, MAX_ARRAYS_BYTES)
    stream = io.BytesIO(data)
    headers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    try:
        version = np.lib.format.read_magic(stream)
        if version not in headers:
            raise ValueError(f"format version {version}")
        shape, _, dtype = headers[version](stream)
    except ValueError as exc:
        raise Refused(f"{member} is not a plain numeric .npy array ({exc}).") from None
    if dtype.kind not in "biuf" or (dtype.kind == "f" and dtype.itemsize not in (4, 8)):
        raise Refused(f"{member} is not a plain numeric .npy array (dtype {dtype}).")  # float16/128: never
    declared = math.prod(shape) * dtype.itemsize
    if declared != len(data) - stream.tell():
        raise Refused(
            f"{member} declares an array of shape {shown(shape)} and dtype {dtype} ({declared} bytes) but "
            f"holds {len(data) - stream.tell()} bytes."
        )
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise Refused(f"{member} is not a plain numeric .npy array ({exc}).") from None


# names -> (dtype, shape) of a safetensors member's tensors, as its header declares them
Header = dict[str, tuple[torch.dtype, tuple[int, ...]]]


def read_tensors(
    archive: zipfile.ZipFile, member: str, check: Callable[[Header], None]
) -> dict[str, torch.Tensor]:
    """A safetensors member; its header is parsed and passed to ``check`` before any tensor is read.

    The member must be exactly as long as its header says, so its size follows
    from the shapes ``check`` accepted.
    """
    from safetensors import SafetensorError
    from safetensors.torch import load as load_tensors

    info = _entry(archive, member, limit=math.inf)  # its size is checked against its header below
    with _opened(archive, info) as stream:
        size = int.from_bytes(_read(stream, 8, member), "little")
        if size > min(_MAX_HEADER_BYTES, info.file_size - 8):
            raise Refused(
                f"its tensors are not a valid safetensors file ({member}: a header of {size} bytes)."
            )
        header = parse_json(_read(stream, size, member), f"the header of {member}")
    declared, data_size = _tensor_header(header, member)
    check(declared)
    if info.file_size != 8 + size + data_size:
        raise Refused(
            f"its tensors are not a valid safetensors file ({member}: it holds {info.file_size} bytes where "
            f"its header declares {8 + size + data_size})."
        )
    with _opened(archive, info) as stream:
        data = _read(stream, info.file_size, member)
    try:
        return load_tensors(data)
    except (SafetensorError, ValueError, RuntimeError) as exc:
        raise Refused(f"its tensors are not a valid safetensors file ({member}: {exc}).") from None


def _tensor_header(header: Any, member: str) -> tuple[Header, int]:
    """The tensors a safetensors header declares, and the bytes of data they tile."""

    def invalid(reason: str) -> Refused:
        return Refused(f"its tensors are not a valid safetensors file ({member}: {reason}).")

    if not isinstance(header, dict):
        raise invalid("its header is not a mapping")
    declared: Header = {}
    spans = []
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        if not (
            isinstance(spec, dict)
            and set(spec) == {"dtype", "shape", "data_offsets"}
            and spec["dtype"] in _SAFETENSORS_DTYPES
            and isinstance(spec["shape"], list)
            and len(spec["shape"]) <= _MAX_DIMENSIONS  # before its product, quadratic in the length
            and isinstance(spec["data_offsets"], list)
            and len(spec["data_offsets"]) == 2
            and all(_is_count(n) for n in (*spec["shape"], *spec["data_offsets"]))
        ):
            raise invalid(f"tensor {shown(name)} is described as {shown(spec)}")
        dtype, (begin, end) = _SAFETENSORS_DTYPES[spec["dtype"]], spec["data_offsets"]
        if end - begin != math.prod(spec["shape"]) * dtype.itemsize:
            raise invalid(f"tensor {shown(name)} spans {end - begin} bytes, not what its shape needs")
        declared[name] = dtype, tuple(spec["shape"])
        spans.append((begin, end))
    data_size = 0
    for begin, end in sorted(spans):
        if begin != data_size:
            raise invalid("its tensors do not tile its data")
        data_size = end
    return declared, data_size


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


# -- writing ------------------------------------------------------------------------------
def compression(data: bytes) -> int:
    """Deflated, unless deflate would shrink ``data`` more than :func:`load` accepts: then stored."""
    if len(data) <= _SMALL_MEMBER:
        return zipfile.ZIP_DEFLATED
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)  # as zipfile deflates
    deflated = len(compressor.compress(data)) + len(compressor.flush())
    return zipfile.ZIP_STORED if len(data) > _MAX_RATIO * deflated else zipfile.ZIP_DEFLATED
