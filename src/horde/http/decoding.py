"""Content-Encoding: gzip and deflate with zlib, br only when the ``brotli`` module is installed."""

from __future__ import annotations

import zlib
from typing import Any

from horde.http.errors import ProtocolError

_brotli: Any
try:  # optional: advertise br only if we can decode it
    import brotli

    _brotli = brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"


def decode_body(body: bytes, content_encoding: bytes) -> bytes:
    """Undo the listed encodings (last applied first); unknown codings leave the body untouched."""
    codings = [c.strip() for c in content_encoding.lower().split(b",") if c.strip()]
    for coding in reversed(codings):
        body = _decode_one(body, coding)
    return body


def _decode_one(body: bytes, coding: bytes) -> bytes:
    try:
        if coding in (b"gzip", b"x-gzip"):
            return _gunzip(body)
        if coding == b"deflate":
            return _inflate(body)
        if coding == b"br" and _brotli is not None:
            return bytes(_brotli.decompress(body))
    except (zlib.error, OSError) as error:
        raise ProtocolError(f"could not decode {coding.decode('latin-1')} response body: {error}") from error
    except Exception as error:  # brotli raises its own error type
        raise ProtocolError(f"could not decode {coding.decode('latin-1')} response body: {error}") from error
    return body  # identity or a coding we do not know: hand over the bytes as they came


def _gunzip(body: bytes) -> bytes:
    if not body:
        return body
    # A gzip stream may hold several members back to back; decode them all.
    parts = []
    while body:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts.append(inflater.decompress(body))
        parts.append(inflater.flush())
        if not inflater.eof:
            raise zlib.error("truncated gzip stream")
        body = inflater.unused_data.lstrip(b"\0")
    return b"".join(parts)


def _inflate(body: bytes) -> bytes:
    if not body:
        return body
    # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate data.
    try:
        return zlib.decompress(body)
    except zlib.error:
        return zlib.decompress(body, -zlib.MAX_WBITS)
