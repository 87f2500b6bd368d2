"""Kept-alive connections of one session, per origin, with a cap and a queue of waiters.

A sequential user needs one connection per origin and always finds it idle. An async user that
issues concurrent requests gets up to ``limit`` connections per origin; beyond that, requests
wait for a connection to come back (a FIFO of futures, no polling).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Hashable
from time import perf_counter

from horde.http.connection import Connection
from horde.http.deadlines import shared_deadlines
from horde.http.errors import ConnectError, ConnectTimeout, TLSError
from horde.http.urls import Origin


class WaitTally:
    """How many requests had to queue for a free connection, process-wide (the health monitor
    reads it: queued requests mean the generator's own pools, not the target, set the pace)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


CONNECTION_WAITS = WaitTally()


class ConnectionPool:
    """Idle connections by key, the number open per key, and who waits for one."""

    def __init__(self, limit_per_origin: int = 10) -> None:
        self.limit = max(1, limit_per_origin)
        self.connections_opened = 0
        self._idle: dict[Hashable, list[Connection]] = {}
        self._open: dict[Hashable, int] = {}
        self._waiters: dict[Hashable, deque[asyncio.Future[Connection | None]]] = {}
        self._keys: dict[Connection, Hashable] = {}

    def take_idle(self, key: Hashable) -> Connection | None:
        """A live idle connection for ``key``, dropping any the server has closed meanwhile."""
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if not conn.closed:
                return conn
            self._forget(conn)
        return None

    async def open(
        self, key: Hashable, origin: Origin, context: ssl.SSLContext | None, timeout: float | None
    ) -> Connection:
        """A new connection, or one handed back by another request if the cap is reached."""
        try:
            async with asyncio.timeout(timeout):
                while self._open.get(key, 0) >= self.limit:
                    conn = await self._wait_for_turn(key)
                    if conn is not None:
                        return conn
                self._open[key] = self._open.get(key, 0) + 1
                try:
                    conn = await self._connect(origin, context)
                except BaseException:
                    self._open[key] -= 1
                    self._wake(key, None)
                    raise
        except TimeoutError:
            raise ConnectTimeout(
                f"could not connect to {origin.host}:{origin.port} within {timeout:g} s"
            ) from None
        self._keys[conn] = key
        self.connections_opened += 1
        return conn

    def release(self, conn: Connection) -> None:
        """Give a connection back after its response completed."""
        if conn.closed or not conn.keep_alive:
            self._forget(conn)
            return
        key = self._keys.get(conn)
        if key is None:  # the pool was closed while the request ran
            conn.close()
            return
        if key in self._waiters and self._wake(key, conn):
            return
        idle = self._idle.get(key)
        if idle is None:
            self._idle[key] = [conn]
        else:
            idle.append(conn)

    def discard(self, conn: Connection) -> None:
        """Close a connection whose state is unknown (timeout, error, cancelled request)."""
        conn.abort()
        self._forget(conn)

    def close(self) -> None:
        """Close every connection; requests in flight on them fail, later ones open new ones."""
        for conn in list(self._keys):
            conn.abort()
        self._keys.clear()
        self._idle.clear()
        self._open.clear()
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)
        self._waiters.clear()

    def open_count(self, origin_key: Hashable) -> int:
        return self._open.get(origin_key, 0)

    # -- internals --------------------------------------------------------------------------------

    async def _wait_for_turn(self, key: Hashable) -> Connection | None:
        CONNECTION_WAITS.count += 1
        waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(key, deque()).append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Handed a connection just as we were cancelled: pass it on rather than leak it.
            if waiter.done() and not waiter.cancelled() and (conn := waiter.result()) is not None:
                self.release(conn)
            raise

    def _wake(self, key: Hashable, conn: Connection | None) -> bool:
        """Hand ``conn`` (or, with None, a free slot) to the first live waiter, if any."""
        waiters = self._waiters.get(key)
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _forget(self, conn: Connection) -> None:
        key = self._keys.pop(conn, None)
        if key is None:
            return
        self._open[key] -= 1
        self._wake(key, None)

    async def _connect(self, origin: Origin, context: ssl.SSLContext | None) -> Connection:
        loop = asyncio.get_running_loop()
        conn = Connection(loop, origin, shared_deadlines(loop))
        started = perf_counter()
        try:
            await loop.create_connection(lambda: conn, origin.host, origin.port)
        except OSError as error:
            raise ConnectError(f"could not connect to {origin.host}:{origin.port}: {error}") from error
        connected = perf_counter()
        conn.connect_ms = (connected - started) * 1000.0
        if context is not None:
            await _start_tls(loop, conn, context)
            conn.tls_ms = (perf_counter() - connected) * 1000.0
        return conn


async def _start_tls(loop: asyncio.AbstractEventLoop, conn: Connection, context: ssl.SSLContext) -> None:
    """Upgrade a connected socket to TLS; done separately from connect so each phase is timed."""
    transport = conn.transport
    assert transport is not None
    host = conn.origin.host
    try:
        tls_transport = await loop.start_tls(transport, conn, context, server_hostname=host)
    except (ssl.SSLError, ssl.CertificateError) as error:
        conn.abort()
        raise TLSError(f"TLS handshake with {host}:{conn.origin.port} failed: {error}") from error
    except (OSError, EOFError) as error:
        conn.abort()
        raise ConnectError(
            f"connection to {host}:{conn.origin.port} lost during TLS handshake: {error}"
        ) from error
    except BaseException:
        conn.abort()
        raise
    conn.transport = tls_transport
