"""The seam between the sessions and the network: one prepared request in, one raw response out.

Everything above a :class:`Transport` (URLs, headers, cookies, redirects, catch_response) is
tested against :class:`horde.http.mock.MockTransport` without sockets; :class:`horde.http.engine.Engine`
is the real one.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING, Protocol

from horde.stats.phases import PhaseTimings

if TYPE_CHECKING:
    from horde.http.prepared import PreparedRequest


class RawResponse:
    """A complete response: status, its head as received, decoded body and where the time went.

    The header fields and the reason phrase are cut out of ``head`` on first use: most load test
    requests never look at either, and llhttp has already validated the head.
    """

    __slots__ = ("_headers", "body", "completed", "head", "headers_done", "set_cookies", "status", "timings")

    def __init__(
        self,
        status: int,
        head: bytes,
        body: bytes,
        timings: PhaseTimings,
        headers_done: float,
        completed: float,
        set_cookies: list[bytes] | None = None,
    ) -> None:
        self.status = status
        self.head = head
        """The status line and the header lines, CRLF-separated, without the blank line."""
        self.body = body
        self.timings = timings
        self.headers_done = headers_done
        """``perf_counter()`` when the headers were in: the end of the clock for ``stream=True``."""
        self.completed = completed
        """``perf_counter()`` when the response was complete: the end of its response time."""
        self.set_cookies = set_cookies
        """Set-Cookie values, picked out once so the no-cookie case costs nothing later."""
        self._headers: list[tuple[bytes, bytes]] | None = None

    @property
    def reason(self) -> bytes:
        """The reason phrase, as sent ("" when the status line has none)."""
        line = self.head.split(b"\r\n", 1)[0]
        parts = line.split(b" ", 2)
        return parts[2] if len(parts) == 3 else b""

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        """The header fields in order, name as sent, value as llhttp reports it (see head_fields)."""
        if self._headers is None:
            self._headers = head_fields(self.head)
        return self._headers

    def header(self, lower_name: bytes) -> bytes | None:
        """First value of a header (name given in lower case), without building a mapping."""
        size = len(lower_name)
        for name, value in self.headers:
            if len(name) == size and name.lower() == lower_name:
                return value
        return None


def head_fields(head: bytes) -> list[tuple[bytes, bytes]]:
    """The header fields of a response head that llhttp accepted.

    llhttp has checked the syntax (CRLF line ends, a token and a colon on every line, no folded
    lines), so a split is enough. Like llhttp's own callbacks, the value loses its leading
    whitespace and keeps its trailing whitespace.
    """
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields.append((name, value.lstrip(b" \t")))
    return fields


def build_head(status: int, reason: bytes, fields: list[tuple[bytes, bytes]]) -> bytes:
    """A head as :class:`RawResponse` holds it, from its parts (for transports that have no wire)."""
    lines = [b"HTTP/1.1 %d %s" % (status, reason)]
    lines.extend(name + b": " + value for name, value in fields)
    return b"\r\n".join(lines)


class Transport(Protocol):
    """Sends one request (its ``head`` already built) and returns the response.

    Failures raise a ``horde.http.errors.RequestError``. ``tls`` is the context for an https
    origin (None for http).
    """

    async def send(
        self,
        request: PreparedRequest,
        connect_timeout: float | None,
        read_timeout: float | None,
        tls: ssl.SSLContext | None,
    ) -> RawResponse: ...

    def close(self) -> None: ...
