"""multipart/form-data bodies for ``files=``, accepting the shapes requests accepts.

A file entry is a file object, bytes/str, or a tuple ``(filename, content)``,
``(filename, content, content_type)`` or ``(filename, content, content_type, headers)``.
Plain form fields from ``data=`` come first, then the files, as in requests.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any
from uuid import uuid4


def encode_multipart(
    fields: Iterable[tuple[str, Any]], files: Any, boundary: str | None = None
) -> tuple[bytes, str]:
    """Return the body and its ``Content-Type`` value (which carries the boundary)."""
    boundary = boundary or uuid4().hex
    marker = f"--{boundary}\r\n".encode("ascii")
    parts: list[bytes] = []
    for name, value in fields:
        parts += [marker, _disposition(name, None), b"\r\n", _as_bytes(value), b"\r\n"]
    for name, entry in _pairs(files):
        filename, content, content_type, headers = _file_entry(name, entry)
        if content is None:
            continue
        parts += [marker, _disposition(name, filename)]
        if content_type:
            parts.append(f"Content-Type: {content_type}\r\n".encode("latin-1"))
        for header, header_value in (headers or {}).items():
            parts.append(f"{header}: {header_value}\r\n".encode("latin-1"))
        parts += [b"\r\n", _as_bytes(content), b"\r\n"]
    parts.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def form_fields(data: Any) -> list[tuple[str, Any]]:
    """``data=`` as (name, value) pairs for a multipart body; list values repeat the name."""
    if not data:
        return []
    if isinstance(data, (str, bytes)):
        raise ValueError("data must be a mapping or pairs when files= is used")
    pairs = []
    for name, values in _pairs(data):
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            values = [values]
        pairs += [(name, value) for value in values if value is not None]
    return pairs


def _pairs(items: Any) -> Iterable[tuple[str, Any]]:
    return items.items() if isinstance(items, Mapping) else items


def _file_entry(name: str, entry: Any) -> tuple[str | None, Any, str | None, Mapping[str, str] | None]:
    if isinstance(entry, (tuple, list)):
        filename = entry[0]
        content = entry[1]
        content_type = entry[2] if len(entry) > 2 else None
        headers = entry[3] if len(entry) > 3 else None
        return filename, content, content_type, headers
    return _guess_filename(entry) or name, entry, None, None


def _guess_filename(entry: Any) -> str | None:
    name = getattr(entry, "name", None)
    if isinstance(name, str) and name and not (name.startswith("<") and name.endswith(">")):
        return os.path.basename(name)
    return None


def _as_bytes(value: Any) -> bytes:
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return str(value).encode("utf-8")


def _quote(value: str) -> str:
    # HTML5 form encoding: what browsers (and urllib3) do with quotes and line breaks in names.
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def _disposition(name: str, filename: str | None) -> bytes:
    text = f'Content-Disposition: form-data; name="{_quote(str(name))}"'
    if filename is not None:
        text += f'; filename="{_quote(str(filename))}"'
    return (text + "\r\n").encode("utf-8")
