"""The time a runner lives by: :class:`Clock` reads the machine's clocks and sleeps on the loop;
:class:`FakeClock` is time that moves only when a test says so, for tests of ramps and shapes (and
of yours) that assert what happens when, without waiting for it or depending on a machine's load."""

from __future__ import annotations

import asyncio
import heapq
import time
from collections.abc import Callable
from functools import partial
from typing import Protocol

from horde.concurrency.cooperative import event_loop


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock:
    """Monotonic seconds for intervals, epoch seconds for stamps, and asyncio's sleep and timers."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        """Call ``callback`` on the loop in ``seconds``; ``cancel()`` the timer to stop it."""
        return event_loop().call_later(seconds, callback)


SYSTEM_CLOCK = Clock()

SETTLE_TURNS = 50
"""Loop turns :meth:`FakeClock.advance` lets pass before moving time and after waking a sleeper:
enough for it to run up to its next sleep through the greenlet bridge."""


class FakeClock(Clock):
    """Time that stands still until :meth:`advance`: each sleeper wakes (each timer fires) at its
    hour, in order, and runs before time moves on. Sleeping 0 (or less) is one turn of the loop,
    as asyncio's."""

    def __init__(self, monotonic: float = 1_000.0, epoch: float = 1_700_000_000.0) -> None:
        self._now = monotonic
        self._to_epoch = epoch - monotonic
        self._due: list[tuple[float, int, _FakeTimer]] = []
        self._order = 0  # ties go in the order they were set

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + self._to_epoch

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake_up: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.call_later(seconds, partial(_wake, wake_up))
        await wake_up

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        timer = _FakeTimer(callback)
        self._order += 1
        heapq.heappush(self._due, (self._now + max(0.0, seconds), self._order, timer))
        return timer

    async def advance(self, seconds: float) -> None:
        """Let what can run now run, then move time on by ``seconds``, waking every sleeper and
        firing every timer whose hour comes on the way (and letting what it woke run) in turn."""
        await _settle()
        end = self._now + seconds
        while self._due and self._due[0][0] <= end:
            hour, _, timer = heapq.heappop(self._due)
            self._now = max(self._now, hour)
            if not timer.cancelled:
                timer.callback()
                await _settle()
        self._now = end


def _wake(sleeper: asyncio.Future[None]) -> None:
    if not sleeper.done():  # done: the sleeper was cancelled
        sleeper.set_result(None)


class _FakeTimer:
    __slots__ = ("callback", "cancelled")

    def __init__(self, callback: Callable[[], object]) -> None:
        self.callback = callback
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


async def _settle() -> None:
    for _ in range(SETTLE_TURNS):
        await asyncio.sleep(0)
