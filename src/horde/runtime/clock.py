"""The time a runner lives by: :class:`Clock` reads the machine's clocks and sleeps on the loop;
:class:`FakeClock` is time that moves only when a test says so, for tests of ramps and shapes (and
of yours) that assert what happens when, without waiting for it or depending on a machine's load."""

from __future__ import annotations

import asyncio
import heapq
import time


class Clock:
    """Monotonic seconds for intervals, epoch seconds for stamps, and asyncio's sleep."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


SYSTEM_CLOCK = Clock()

SETTLE_TURNS = 50
"""Loop turns :meth:`FakeClock.advance` lets pass before moving time and after waking a sleeper:
enough for it to run up to its next sleep through the greenlet bridge."""


class FakeClock(Clock):
    """Time that stands still until :meth:`advance`: each sleeper wakes at its hour, in order,
    and runs before time moves on. Sleeping 0 (or less) is one turn of the loop, as asyncio's."""

    def __init__(self, monotonic: float = 1_000.0, epoch: float = 1_700_000_000.0) -> None:
        self._now = monotonic
        self._to_epoch = epoch - monotonic
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = 0  # ties wake in the order they fell asleep

    def monotonic(self) -> float:
        return self._now

    def time(self) -> float:
        return self._now + self._to_epoch

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        wake_up = asyncio.get_running_loop().create_future()
        self._order += 1
        heapq.heappush(self._sleepers, (self._now + seconds, self._order, wake_up))
        await wake_up

    async def advance(self, seconds: float) -> None:
        """Let what can run now run, then move time on by ``seconds``, waking every sleeper whose
        hour comes on the way (and letting it run) in turn."""
        await _settle()
        end = self._now + seconds
        while self._sleepers and self._sleepers[0][0] <= end:
            hour, _, wake_up = heapq.heappop(self._sleepers)
            self._now = max(self._now, hour)
            if not wake_up.done():  # a cancelled sleeper has gone
                wake_up.set_result(None)
                await _settle()
        self._now = end


async def _settle() -> None:
    for _ in range(SETTLE_TURNS):
        await asyncio.sleep(0)
