"""A transport without a network, for testing code above the engine (sessions, redirects, cookies).

``MockTransport(handler)`` calls ``handler(request) -> MockResponse`` for every request sent;
the handler sees a parsed view of the request (method, URL, headers, body) and can raise a
``horde.http.errors.RequestError`` to simulate a transport failure.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from horde.http.decoding import decode_body
from horde.http.exchange import RawResponse, build_head
from horde.http.headers import CaseInsensitiveDict
from horde.stats.phases import PhaseTimings

if TYPE_CHECKING:
    from horde.http.prepared import PreparedRequest


@dataclass
class SentRequest:
    """What the mock transport received, parsed back from the wire bytes."""

    method: str
    url: str
    path: str
    headers: CaseInsensitiveDict
    body: bytes


@dataclass
class MockResponse:
    status: int = 200
    headers: Mapping[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    body: bytes = b""
    reason: str = "OK"


Handler = Callable[[SentRequest], MockResponse]


class MockTransport:
    """Answers every request with ``handler``; records what was sent in ``sent``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.sent: list[SentRequest] = []
        self.closed = False

    async def send(
        self,
        request: PreparedRequest,
        connect_timeout: float | None,
        read_timeout: float | None,
        tls: ssl.SSLContext | None,
    ) -> RawResponse:
        sent = _parse(request)
        self.sent.append(sent)
        answer = self.handler(sent)
        items = list(answer.headers.items()) if isinstance(answer.headers, Mapping) else list(answer.headers)
        raw_headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in items]
        cookies = [value for name, value in raw_headers if name.lower() == b"set-cookie"] or None
        body = answer.body
        encoding = next((value for name, value in raw_headers if name.lower() == b"content-encoding"), None)
        if encoding is not None and body:
            body = decode_body(body, encoding)
        if request.method == "HEAD" or answer.status in (204, 304):
            body = b""
        timings = PhaseTimings(None, None, 0.0)
        head = build_head(answer.status, answer.reason.encode("latin-1"), raw_headers)
        now = time.perf_counter()
        return RawResponse(answer.status, head, body, timings, now, now, cookies)

    def close(self) -> None:
        self.closed = True


def _parse(request: PreparedRequest) -> SentRequest:
    head, _, _ = request.head.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = CaseInsensitiveDict()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name] = value.strip()
    origin = request.target.origin
    url = f"{origin.scheme}://{headers.get('host', origin.host)}{path}"
    return SentRequest(method, url, path, headers, request.body or b"")
