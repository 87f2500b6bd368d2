"""The wire form of a histogram: small, fast to produce, and checked when read back.

Layout (little-endian)::

    header  struct "<BHQQQ": version (1), number of buckets n, min µs, max µs, clamped count
    body    zlib( n x uint16 bucket-index deltas  +  n x uint64 counts )

Indexes are sorted and stored as differences from the previous one, so a typical latency histogram
(a few hundred neighbouring buckets) is mostly the byte 1 and compresses to roughly one byte per
bucket. Everything runs in C (``array``, ``zlib``): a worker can encode every entry each report.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from itertools import chain
from operator import sub

VERSION = 1
_HEADER = struct.Struct("<BHQQQ")


def pack_histogram(indexes: array[int], counts: array[int], min_us: int, max_us: int, clamped: int) -> bytes:
    """Encode ascending bucket ``indexes`` with their ``counts`` and the extremes (layout above)."""
    deltas = array("H", map(sub, indexes, chain((0,), indexes)))
    values = array("Q", counts)
    if sys.byteorder == "big":  # pragma: no cover - the wire form is little-endian everywhere
        deltas.byteswap()
        values.byteswap()
    header = _HEADER.pack(VERSION, len(indexes), min_us, max_us, clamped)
    return header + zlib.compress(deltas.tobytes() + values.tobytes(), 1)


def unpack_histogram(data: bytes) -> tuple[list[tuple[int, int]], int, int, int]:
    """Decode to ``([(bucket index, count), ...], min_us, max_us, clamped)``.

    Raises ``ValueError`` for anything that is not a complete version-1 encoding.
    """
    if len(data) < _HEADER.size:
        raise ValueError("histogram data too short")
    version, n, min_us, max_us, clamped = _HEADER.unpack_from(data)
    if version != VERSION:
        raise ValueError(f"unknown histogram encoding version {version}")
    inflater = zlib.decompressobj()
    try:
        body = inflater.decompress(data[_HEADER.size :], n * 10 + 1)
    except zlib.error as error:
        raise ValueError(f"corrupt histogram data: {error}") from None
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise ValueError("histogram data is truncated or has trailing bytes")
    if len(body) != n * 10:
        raise ValueError("histogram data has the wrong length")
    deltas = array("H")
    deltas.frombytes(body[: n * 2])
    values = array("Q")
    values.frombytes(body[n * 2 :])
    if sys.byteorder == "big":  # pragma: no cover
        deltas.byteswap()
        values.byteswap()
    pairs = []
    index = 0
    for delta, value in zip(deltas, values, strict=True):
        index += delta
        pairs.append((index, value))
    return pairs, min_us, max_us, clamped
