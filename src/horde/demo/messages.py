"""The request and reply records passed between the demo's HTTP protocol and its shop logic.

Keeping them plain data lets the shop be exercised without sockets and the protocol stay ignorant
of what any endpoint means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import orjson

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Request:
    """One parsed request; header names are lower-case, ``query`` is the raw string after ``?``."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back; ``delay`` (seconds) holds the reply back without blocking the server."""

    status: int
    body: bytes
    content_type: str = JSON
    delay: float = 0.0


def json_reply(status: int, payload: object, delay: float = 0.0) -> Reply:
    return Reply(status, orjson.dumps(payload), JSON, delay)


def error_reply(status: int, message: str) -> Reply:
    return json_reply(status, {"error": message})
