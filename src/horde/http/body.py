"""Request bodies from ``data=``, ``json=`` and ``files=``, with requests' precedence rules."""

from __future__ import annotations

import json as stdlib_json
from collections.abc import Mapping
from typing import Any

import orjson

from horde.http.multipart import encode_multipart, form_fields
from horde.http.urls import encode_params

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def encode_body(data: Any, json: Any, files: Any) -> tuple[bytes | None, str | None]:
    """Return (body, default Content-Type); both None for a request without a body.

    ``files`` makes a multipart body with ``data`` as its form fields; otherwise a non-empty
    ``data`` wins over ``json`` (requests ignores ``json`` when ``data`` is given). Raw str/bytes
    and file objects get no Content-Type; mappings and pair lists are form-encoded.
    """
    if files:
        return encode_multipart(form_fields(data), files)
    if data:
        if isinstance(data, bytes):
            return data, None
        if isinstance(data, str):
            return data.encode("utf-8"), None
        if isinstance(data, (bytearray, memoryview)):
            return bytes(data), None
        if hasattr(data, "read"):
            content = data.read()
            return (content.encode("utf-8") if isinstance(content, str) else bytes(content)), None
        if isinstance(data, (Mapping, list, tuple)):
            return encode_params(data).encode("ascii"), FORM
        # Any other iterable of chunks (a generator, say): send it whole.
        return b"".join(chunk.encode("utf-8") if isinstance(chunk, str) else chunk for chunk in data), None
    if json is not None:
        return dump_json(json), JSON
    return None, None


def dump_json(value: Any) -> bytes:
    """orjson for speed; the stdlib for what orjson refuses (non-str keys, Decimal, big ints)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return stdlib_json.dumps(value).encode("utf-8")
