"""HTTP basic authentication header values."""

from __future__ import annotations

from base64 import b64encode
from typing import Any


def _to_bytes(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        return text
    try:
        return text.encode("latin-1")  # what requests does, so existing servers see the same bytes
    except UnicodeEncodeError:
        return text.encode("utf-8")


def basic_auth(username: str | bytes, password: str | bytes) -> str:
    """The ``Authorization`` value for ``auth=(username, password)``."""
    token = b64encode(_to_bytes(username) + b":" + _to_bytes(password)).decode("ascii")
    return f"Basic {token}"


def auth_header(auth: Any) -> str | None:
    """Header value for a ``(user, password)`` pair; None when ``auth`` is None.

    Callable auth objects (requests' ``AuthBase`` style) are applied by the session instead.
    """
    if auth is None:
        return None
    if isinstance(auth, (tuple, list)) and len(auth) == 2:
        return basic_auth(auth[0], auth[1])
    raise TypeError(f"auth must be a (username, password) pair or a callable, not {auth!r}")
