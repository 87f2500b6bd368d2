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
    """A complete response: status, raw header pairs, decoded body and where the time went."""

    __slots__ = ("body", "headers", "headers_done", "reason", "set_cookies", "status", "timings")

    def __init__(
        self,
        status: int,
        reason: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timings: PhaseTimings,
        headers_done: float,
        set_cookies: list[bytes] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.timings = timings
        self.headers_done = headers_done
        """``perf_counter()`` when the headers were in: the end of the clock for ``stream=True``."""
        self.set_cookies = set_cookies
        """Set-Cookie values, picked out once so the no-cookie case costs nothing later."""

    def header(self, lower_name: bytes) -> bytes | None:
        """First value of a header (name given in lower case), without building a mapping."""
        size = len(lower_name)
        for name, value in self.headers:
            if len(name) == size and name.lower() == lower_name:
                return value
        return None


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
