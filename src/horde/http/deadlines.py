"""Request timeouts with one loop timer per pool instead of one per request.

``loop.call_later`` + ``cancel`` for every request costs about as much as parsing the response
(a libuv timer is started, stopped and closed each time). Requests almost always finish long
before their timeout, so here a request only records its deadline in a dict; a single timer is
armed for the earliest deadline and, when it fires, expires whatever is overdue and re-arms for
the next one. Expiry is exact to the loop's clock (a millisecond under uvloop); the cost per
request is a dict store and a dict pop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from math import inf
from typing import Protocol


class Expirable(Protocol):
    def expire(self, timeout: float) -> None: ...


class Deadlines:
    """Deadlines of in-flight requests, keyed by the object to notify when one passes."""

    __slots__ = ("_armed_at", "_handle", "_time", "loop", "pending")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._time: Callable[[], float] = loop.time
        self.pending: dict[Expirable, tuple[float, float]] = {}
        """owner -> (deadline, timeout); a completed request pops its owner (see discard)."""
        self._handle: asyncio.TimerHandle | None = None
        self._armed_at = inf

    def add(self, owner: Expirable, timeout: float) -> None:
        deadline = self._time() + timeout
        self.pending[owner] = (deadline, timeout)
        if deadline < self._armed_at:
            self._arm(deadline)

    def discard(self, owner: Expirable) -> None:
        self.pending.pop(owner, None)

    def __len__(self) -> int:
        return len(self.pending)

    def _arm(self, deadline: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._handle = self.loop.call_at(deadline, self._fire)
        self._armed_at = deadline

    def _fire(self) -> None:
        self._handle = None
        self._armed_at = inf
        # uvloop's clock ticks in milliseconds: allow a timer that fires within the same tick.
        now = self._time() + 0.001
        overdue = [(owner, timeout) for owner, (deadline, timeout) in self.pending.items() if deadline <= now]
        for owner, _ in overdue:
            del self.pending[owner]
        for owner, timeout in overdue:
            owner.expire(timeout)
        if self.pending:
            self._arm(min(deadline for deadline, _ in self.pending.values()))


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
