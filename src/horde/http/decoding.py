"""Content-Encoding: gzip and deflate with zlib, br only when the ``brotli`` module (1.2 or later,
which can bound one step's output) is installed."""

from __future__ import annotations

import zlib
from typing import Any

from horde.http.errors import ProtocolError, ResponseTooLarge
from horde.http.limits import LIMITS, RATIO_FLOOR, ResponseLimits, size_text

_brotli: Any
try:  # optional: advertise br only if we can decode it in bounded steps
    import brotli

    brotli.Decompressor().process(b"", output_buffer_limit=1)  # TypeError before brotli 1.2
    _brotli = brotli
except (ImportError, TypeError):  # pragma: no cover - depends on the environment
    _brotli = None

STREAMED = (b"gzip", b"x-gzip", b"deflate") + ((b"br",) if _brotli is not None else ())

ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


def decode_body(body: bytes, content_encoding: bytes, limits: ResponseLimits = LIMITS) -> bytes:
    """Undo the listed encodings (last applied first); unknown codings leave the body untouched.
    Output beyond ``limits`` raises :class:`ResponseTooLarge`."""
    codings = [c.strip() for c in content_encoding.lower().split(b",") if c.strip()]
    for coding in reversed(codings):
        body = _decode_one(body, coding, limits)
    return body


def streamed_coding(content_encoding: bytes) -> bytes | None:
    """The coding of a body that :class:`Inflater` can decode as it arrives (one gzip, deflate
    or br)."""
    coding = content_encoding.strip().lower()
    return coding if coding in STREAMED else None


class Inflater:
    """Decodes a gzip, deflate or br body read by read, in bounded steps: a bomb is stopped at
    the first limit it breaks, and no step inflates more than :data:`STEP` bytes at once."""

    def __init__(self, coding: bytes, limits: ResponseLimits = LIMITS) -> None:
        self.coding = coding
        self.limits = limits
        self.gzip = coding != b"deflate"
        self.compressed = 0
        self.produced = 0
        self._first: bytes | None = b""  # deflate: the bytes so far, in case they are raw deflate
        # One of the two decoders; the other is None.
        self._brotli: Any = _brotli.Decompressor() if coding == b"br" else None
        self._unfed = 0  # br: bytes of the current read not handed to the decoder yet
        self._zlib: Any = self._new() if self._brotli is None else None

    def _new(self, raw: bool = False) -> Any:
        return zlib.decompressobj(-zlib.MAX_WBITS if raw else (16 if self.gzip else 0) + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        self.compressed += len(data)
        if self._brotli is not None:
            return self._unbrotli(data)
        first = self._first
        if first is not None and not self.gzip:
            first = self._first = first + data
        try:
            return self._inflate(data)
        except zlib.error as error:
            if self.gzip or self.produced or first is None:
                raise self._unreadable(error) from error
            # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate data.
            self._zlib = self._new(raw=True)
            self._first = None
            try:
                return self._inflate(first)
            except zlib.error as again:
                raise self._unreadable(again) from again

    def _inflate(self, data: bytes) -> bytes:
        parts = []
        while data:
            piece = self._zlib.decompress(data, STEP)
            if piece:
                self._count(len(piece))
                parts.append(piece)
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data.lstrip(b"\0")
                if not (self.gzip and rest):
                    break
                self._zlib = self._new()  # gzip: another member follows
                data = rest
        if self.produced:
            self._first = None  # it was readable as sent
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def _unbrotli(self, data: bytes) -> bytes:
        # brotli does not say how much of its input it has used, so the input goes in slices: the
        # ratio is then judged against at most a slice more than the bytes actually inflated.
        decoder = self._brotli
        parts = []
        view = memoryview(data)
        try:
            for start in range(0, len(data), BROTLI_SLICE):
                piece = decoder.process(view[start : start + BROTLI_SLICE], output_buffer_limit=STEP)
                self._unfed = max(0, len(data) - start - BROTLI_SLICE)
                while piece:  # then only empty input, until it wants more
                    self._count(len(piece))
                    parts.append(piece)
                    piece = b"" if decoder.is_finished() else decoder.process(b"", output_buffer_limit=STEP)
        except _brotli.error as error:
            raise self._unreadable(error) from error
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def finish(self) -> bytes:
        """What is left once the body is complete; a stream that did not end is an error."""
        if self._brotli is not None:
            if self.compressed and not self._brotli.is_finished():
                raise ProtocolError("could not decode br response body: truncated br stream")
            return b""
        tail = self._zlib.flush()
        if tail:
            self._count(len(tail))
        if not self._zlib.eof and self.compressed:
            name = "gzip" if self.gzip else "deflate"
            raise ProtocolError(f"could not decode {name} response body: truncated {name} stream")
        return tail

    def _count(self, size: int) -> None:
        self.produced += size
        limits = self.limits
        if self.produced > limits.decompressed:
            raise ResponseTooLarge(f"decompressed body over {size_text(limits.decompressed)}")
        # Against the compressed bytes inflated so far, not all that arrived: a bomb is stopped
        # within a step of the floor, whatever the size of the read that brought it.
        unused = len(self._zlib.unconsumed_tail) if self._zlib is not None else self._unfed
        consumed = self.compressed - unused
        if self.produced > RATIO_FLOOR and self.produced > limits.ratio * consumed:
            raise ResponseTooLarge(
                f"{self.coding.decode('latin-1')} body inflates more than {limits.ratio}:1 "
                f"({size_text(consumed)} to over {size_text(self.produced)}): a decompression bomb?"
            )

    def _unreadable(self, error: Exception) -> ProtocolError:
        return ProtocolError(f"could not decode {self.coding.decode('latin-1')} response body: {error}")


STEP = 256 * 1024
"""Most bytes one step inflates (brotli: up to twice as many): a read of a bomb costs at most a few
milliseconds at once."""
BROTLI_SLICE = 4096


def _decode_one(body: bytes, coding: bytes, limits: ResponseLimits) -> bytes:
    if coding in STREAMED:
        if not body:
            return body
        inflater = Inflater(coding, limits)
        return inflater.feed(body) + inflater.finish()
    return body  # identity or a coding we do not know: hand over the bytes as they came
