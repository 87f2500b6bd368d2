"""The real transport: sends a request on a pooled keep-alive connection and awaits its response."""

from __future__ import annotations

import asyncio
import ssl

from horde.http.errors import ConnectionDropped
from horde.http.exchange import RawResponse
from horde.http.pool import ConnectionPool
from horde.http.prepared import PreparedRequest


class Engine:
    """HTTP/1.1 over asyncio with one :class:`ConnectionPool`; one per session (per user)."""

    def __init__(self, limit_per_origin: int = 10) -> None:
        self.pool = ConnectionPool(limit_per_origin)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def send(
        self,
        request: PreparedRequest,
        connect_timeout: float | None,
        read_timeout: float | None,
        tls: ssl.SSLContext | None,
    ) -> RawResponse:
        pool = self.pool
        if self._loop is None or self._loop.is_closed():
            # Connections belong to the loop that opened them; a session reused under a new loop
            # (one asyncio.run after another) starts with a fresh pool. Not get_running_loop()
            # per request: on Python 3.11 each call is a getpid() system call.
            pool.close()
            self._loop = asyncio.get_running_loop()
        origin = request.target.origin
        key = origin if tls is None else (origin, tls)  # TLS settings must not share connections
        conn = pool.take_idle(key)
        if conn is None:
            conn = await pool.open(key, origin, tls, connect_timeout)
        is_head = request.method == "HEAD"
        try:
            raw = await conn.exchange(request.head, request.body, is_head, read_timeout)
        except ConnectionDropped:
            pool.discard(conn)
            if not conn.uses:
                raise
            # A reused connection closed under us before any byte came back: the server most
            # likely timed it out while idle. One retry on a new connection, as browsers do.
            conn = await pool.open(key, origin, tls, connect_timeout)
            try:
                raw = await conn.exchange(request.head, request.body, is_head, read_timeout)
            except BaseException:
                pool.discard(conn)
                raise
        except BaseException:
            pool.discard(conn)
            raise
        pool.release(conn)
        return raw

    def close(self) -> None:
        self.pool.close()
