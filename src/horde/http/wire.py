"""Bytes of an HTTP/1.1 request head.

The head is built as one bytes object and written in one ``transport.write`` (with the body when
it is small), which is what keeps the per-request syscall and allocation count low.
"""

from __future__ import annotations

from collections.abc import Iterable

from horde.http.headers import HeaderValue

_FORBIDDEN = ("\r", "\n", "\0")


def encode_value(value: HeaderValue) -> bytes:
    if isinstance(value, bytes):
        raw = value
    else:
        if not isinstance(value, str):
            raise TypeError(f"header values must be str or bytes, not {type(value).__name__}: {value!r}")
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:
            raw = value.encode("utf-8")
    # find, not "in": for bytes, "in" first tries its operand as an int and pays for the error.
    if raw.find(b"\r") >= 0 or raw.find(b"\n") >= 0 or raw.find(b"\0") >= 0:
        raise ValueError(f"invalid header value {value!r}: line breaks are not allowed")
    return raw


def encode_headers(items: Iterable[tuple[str, HeaderValue]]) -> bytes:
    """``Name: value\\r\\n`` lines for ``items``; rejects values that would inject headers."""
    lines = []
    for name, value in items:
        if any(char in name for char in _FORBIDDEN) or ":" in name:
            raise ValueError(f"invalid header name {name!r}")
        lines.append(b"%s: %s\r\n" % (name.encode("latin-1"), encode_value(value)))
    return b"".join(lines)


def request_line(method: str, path_url: str) -> bytes:
    return f"{method} {path_url} HTTP/1.1\r\n".encode("latin-1")
