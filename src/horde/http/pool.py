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
from typing import Any

from horde.http.connection import Connection
from horde.http.deadlines import shared_deadlines
from horde.http.errors import ConnectError, ConnectTimeout, RequestError, TLSError
from horde.http.urls import Origin


class WaitTally:
    """How many requests had to queue for a free connection, process-wide (the health monitor
    reads it: queued requests mean the generator's own pools, not the target, set the pace)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


CONNECTION_WAITS = WaitTally()

_RESERVED: Any = object()
"""A place taken by a connection being opened (Any: compiled code checks a list's item types)."""


class PoolSlot:
    """The pool's state for one key: idle connections, every open one, and the queue of waiters."""

    __slots__ = ("idle", "last", "members", "waiters")

    def __init__(self) -> None:
        self.last: Connection | None = None
        """The connection given back last: a sequential user's one connection (see take_idle)."""
        self.idle: list[Connection] = []
        """The others given back (an async user's concurrent requests)."""
        self.members: list[Any] = []
        """Open connections, idle or busy (changes on open and close only, never per request)."""
        self.waiters: deque[asyncio.Future[Connection | None]] | None = None


class ConnectionPool:
    """Idle connections by key, the connections open per key, and who waits for one.

    One :class:`PoolSlot` per key, found through ``Connection.pool_slot`` on the way back: every
    user holds a pool, so three dicts per pool were a large share of a waiting user's memory.
    """

    __slots__ = ("_last_key", "_last_slot", "_slots", "limit")

    def __init__(self, limit_per_origin: int = 10) -> None:
        self.limit = max(1, limit_per_origin)
        self._slots: dict[Hashable, PoolSlot] = {}
        # The key take_idle found last and its slot: a user asks for the same key again and again,
        # and a key (an Origin, a tuple) is hashed anew at every lookup.
        self._last_key: Hashable | None = None
        self._last_slot: PoolSlot | None = None

    def take_idle(self, key: Hashable) -> Connection | None:
        """A live idle connection for ``key``, dropping any the server has closed meanwhile."""
        if key is self._last_key:
            slot = self._last_slot
        else:
            slot = self._slots.get(key)
            if slot is None:
                return None
            self._last_key, self._last_slot = key, slot
        assert slot is not None
        conn = slot.last
        if conn is not None:
            # Taken from its own field rather than from a list that a pop empties and an append
            # refills: each of those reallocates a one-item list.
            slot.last = None
            if not conn.closed:
                return conn
            self._forget(conn)
        idle = slot.idle
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
        slot = self._slots.get(key)
        if slot is None:
            slot = self._slots[key] = PoolSlot()
        members = slot.members
        try:
            async with asyncio.timeout(timeout):
                while len(members) >= self.limit:
                    conn = await self._wait_for_turn(slot)
                    if conn is not None:
                        return conn
                members.append(_RESERVED)  # holds the place while connecting
                try:
                    conn = await self._connect(origin, context)
                except BaseException:
                    members.remove(_RESERVED)
                    _wake(slot, None)
                    raise
                members[members.index(_RESERVED)] = conn
        except TimeoutError:
            raise ConnectTimeout(
                f"could not connect to {origin.host}:{origin.port} within {timeout:g} s"
            ) from None
        if self._slots.get(key) is slot:
            conn.pool_slot = slot
        # else the pool was closed while connecting: this request uses it, release closes it
        return conn

    def release(self, conn: Connection) -> None:
        """Give a connection back after its response completed."""
        if conn.closed or not conn.keep_alive:
            self._forget(conn)
            return
        slot = conn.pool_slot
        if slot is None:  # the pool was closed while the request ran
            conn.close()
            return
        if slot.waiters and _wake(slot, conn):
            return
        if slot.last is None:
            slot.last = conn
        else:
            slot.idle.append(conn)

    def discard(self, conn: Connection) -> None:
        """Close a connection whose state is unknown (timeout, error, cancelled request)."""
        conn.abort()
        self._forget(conn)

    def close(self) -> None:
        """Close every connection; requests in flight on them fail, later ones open new ones."""
        slots = list(self._slots.values())
        self._slots.clear()
        self._last_key = self._last_slot = None
        for slot in slots:
            for conn in slot.members:
                if conn is not _RESERVED:
                    conn.pool_slot = None
                    conn.abort()
            waiters = slot.waiters or ()
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

    # -- internals --------------------------------------------------------------------------------

    async def _wait_for_turn(self, slot: PoolSlot) -> Connection | None:
        CONNECTION_WAITS.count += 1
        waiter: asyncio.Future[Connection | None] = asyncio.get_running_loop().create_future()
        if slot.waiters is None:
            slot.waiters = deque()
        slot.waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            # Handed a connection just as we were cancelled: pass it on rather than leak it.
            if waiter.done() and not waiter.cancelled() and (conn := waiter.result()) is not None:
                self.release(conn)
            raise

    def _forget(self, conn: Connection) -> None:
        slot = conn.pool_slot
        if slot is None:
            return
        conn.pool_slot = None
        slot.members.remove(conn)
        _wake(slot, None)

    async def _connect(self, origin: Origin, context: ssl.SSLContext | None) -> Connection:
        loop = asyncio.get_running_loop()
        conn = Connection(loop, origin, shared_deadlines(loop))
        started = perf_counter()
        try:
            await loop.create_connection(lambda: conn, origin.host, origin.port)
        except OSError as error:
            message = f"could not connect to {origin.host}:{origin.port}: {error}"
            raise _caused(ConnectError(message), error)  # noqa: B904 (see _caused)
        connected = perf_counter()
        conn.connect_ms = (connected - started) * 1000.0
        if context is not None:
            await _start_tls(loop, conn, context)
            conn.tls_ms = (perf_counter() - connected) * 1000.0
        return conn


def _wake(slot: PoolSlot, conn: Connection | None) -> bool:
    """Hand ``conn`` (or, with None, a free place) to the first live waiter, if any."""
    waiters = slot.waiters
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(conn)
            return True
    return False


async def _start_tls(loop: asyncio.AbstractEventLoop, conn: Connection, context: ssl.SSLContext) -> None:
    """Upgrade a connected socket to TLS; done separately from connect so each phase is timed."""
    transport = conn.transport
    assert transport is not None
    host = conn.origin.host
    try:
        tls_transport = await loop.start_tls(transport, conn, context, server_hostname=host)
    except (ssl.SSLError, ssl.CertificateError) as error:
        conn.abort()
        message = f"TLS handshake with {host}:{conn.origin.port} failed: {error}"
        raise _caused(TLSError(message), error)  # noqa: B904 (see _caused)
    except (OSError, EOFError) as error:
        conn.abort()
        message = f"connection to {host}:{conn.origin.port} lost during TLS handshake: {error}"
        raise _caused(ConnectError(message), error)  # noqa: B904 (see _caused)
    except BaseException:
        conn.abort()
        raise
    conn.transport = tls_transport


def _caused(failure: RequestError, cause: BaseException) -> RequestError:
    """``failure`` with ``cause`` as its ``__cause__``: what ``raise ... from cause`` does, spelled
    out because that form loses the cause when this module is compiled by mypyc."""
    failure.__cause__ = cause
    return failure
