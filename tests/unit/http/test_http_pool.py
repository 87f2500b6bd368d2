"""ConnectionPool's bookkeeping without sockets: which idle connections it hands out, and when."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from horde.http.connection import Connection
from horde.http.deadlines import Deadlines
from horde.http.pool import ConnectionPool, PoolSlot
from horde.http.urls import Origin

KEY = Origin("http", "h", 80)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def opened(pool: ConnectionPool, loop: asyncio.AbstractEventLoop, count: int) -> list[Connection]:
    """What pool.open does for ``count`` connections, without connecting."""
    slot = pool._slots.setdefault(KEY, PoolSlot())
    conns = [Connection(loop, KEY, Deadlines(loop)) for _ in range(count)]
    for conn in conns:
        conn.pool_slot = slot
        slot.members.append(conn)
    return conns


def test_every_connection_given_back_is_handed_out_again_and_closed_ones_are_dropped(
    loop: asyncio.AbstractEventLoop,
) -> None:
    pool = ConnectionPool(3)
    conns = opened(pool, loop, 3)
    for _ in range(2):
        for conn in conns:
            pool.release(conn)
        taken = [pool.take_idle(KEY) for _ in range(3)]
        assert sorted(map(id, taken)) == sorted(map(id, conns)) and pool.take_idle(KEY) is None
    for conn in conns:
        pool.release(conn)
    conns[0].closed = conns[2].closed = True  # the server closed them while they were idle
    assert pool.take_idle(KEY) is conns[1] and pool.take_idle(KEY) is None
    assert pool._slots[KEY].members == [conns[1]]


def test_a_closed_pool_hands_out_only_what_it_opens_afterwards(loop: asyncio.AbstractEventLoop) -> None:
    pool = ConnectionPool(3)
    (old,) = opened(pool, loop, 1)
    pool.release(old)
    assert pool.take_idle(KEY) is old
    pool.release(old)
    pool.close()
    assert pool.take_idle(KEY) is None
    (new,) = opened(pool, loop, 1)
    pool.release(new)
    assert pool.take_idle(KEY) is new
