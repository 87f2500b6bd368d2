"""Read timeouts with one loop timer for every connection of a loop, and almost no work per request.

``loop.call_later`` + ``cancel`` for every request costs about as much as parsing the response
(a libuv timer is started, stopped and closed each time), and a dict of the requests in flight
costs a store and a pop per request (about 1.5k instructions, bench/README.md). Here a request's
deadline is a float on its connection, written when the request is: the per-request cost is that
store and one comparison. The connections that have had a deadline are :attr:`Deadlines.watched`
(added once per connection). A single timer is armed for the earliest deadline it was told of;
when it fires, it sweeps the watched connections, expires the overdue ones and re-arms for the
earliest deadline still pending. Requests almost always finish long before their timeout, so the
timer fires about once per timeout, whatever the request rate, and a sweep reads one attribute per
connection. Expiry is exact to the loop's timers (a millisecond under uvloop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from math import inf
from time import perf_counter
from typing import Protocol


class Timed(Protocol):
    deadline: float
    """When the request in flight has failed, on :attr:`Deadlines.clock`; ``inf`` when none is."""

    def expire(self) -> None: ...


class Deadlines:
    """The timer and the sweep over the connections of one loop (see the module docstring)."""

    __slots__ = ("_handle", "armed_at", "clock", "loop", "watched")

    def __init__(self, loop: asyncio.AbstractEventLoop, clock: Callable[[], float] = perf_counter) -> None:
        self.loop = loop
        self.clock = clock
        """The clock deadlines are on. Connections take every timestamp from it (tests move it)."""
        self.watched: set[Timed] = set()
        self._handle: asyncio.TimerHandle | None = None
        self.armed_at = inf
        """When the timer fires. An owner with an earlier deadline calls :meth:`arm`."""

    def watch(self, owner: Timed) -> None:
        """Include ``owner`` in the sweeps; once, before its first deadline."""
        self.watched.add(owner)

    def forget(self, owner: Timed) -> None:
        """Leave ``owner`` out of the sweeps (it is closed)."""
        self.watched.discard(owner)

    def arm(self, deadline: float) -> None:
        """Fire at ``deadline``, instead of :attr:`armed_at` (callers check it is earlier)."""
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self.loop.call_later(max(0.0, deadline - self.clock()), self._fire)
        self.armed_at = deadline

    def _fire(self) -> None:
        self._handle = None
        self.armed_at = inf
        # uvloop's timers tick in milliseconds: allow a timer that fires within the same tick.
        now = self.clock() + 0.001
        overdue: list[Timed] = []
        earliest = inf
        for owner in self.watched:
            deadline = owner.deadline
            if deadline <= now:
                overdue.append(owner)
            elif deadline < earliest:
                earliest = deadline
        for owner in overdue:
            owner.expire()
        if earliest < self.armed_at:
            self.arm(earliest)


_shared: Deadlines | None = None


def shared_deadlines(loop: asyncio.AbstractEventLoop) -> Deadlines:
    """The Deadlines every pool on ``loop`` uses: one armed timer however many users sleep.

    A process runs one loop at a time; when another one asks, it gets a fresh instance (the
    connections of the earlier loop keep theirs).
    """
    global _shared
    if _shared is None or _shared.loop is not loop:
        _shared = Deadlines(loop)
    return _shared
