"""The runner's once-a-second beat. Each tick takes one snapshot of the statistics while a test
runs (the history point, and the per-name series when something reads them), then hands the tick
to every sink: the console table, the CSV files, the web UI's push, the usage monitor, later the
metrics exporters. No output keeps a timer of its own, so they all show the same second."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from horde.concurrency.cooperative import event_loop

if TYPE_CHECKING:
    from horde.runtime.runner import Runner

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it

TICK_INTERVAL = 1.0


class Tick(NamedTuple):
    number: int
    """1 for the first tick since the ticker started, then 2, 3...; a sink that wants every n-th
    second counts its own."""
    time: float  # epoch seconds
    monotonic: float
    user_count: int


Sink = Callable[[Tick], None]


class Ticker:
    """Runs while the runner's test runs or any sink listens, on the runner's clock. Ticks keep to
    the beat of their first (a slow tick does not push the next ones later); ticks missed while
    the loop was blocked are skipped, not delivered in a burst."""

    def __init__(self, runner: Runner, interval: float = TICK_INTERVAL) -> None:
        self._runner = runner
        self.interval = interval
        self._sinks: list[Sink] = []
        self._sampling = False
        self._task: asyncio.Task[None] | None = None

    def add(self, sink: Sink) -> None:
        """Hand every tick to ``sink`` from now on, after the sinks added before it."""
        self._sinks.append(sink)
        self._update()

    def remove(self, sink: Sink) -> None:
        if sink in self._sinks:
            self._sinks.remove(sink)
            self._update()

    def sample(self, on: bool) -> None:
        """Whether ticks take snapshots of the statistics (the runner: while a test runs)."""
        self._sampling = on
        self._update()

    def _update(self) -> None:
        wanted = self._sampling or bool(self._sinks)
        task = self._task
        if wanted and task is None:
            self._task = event_loop().create_task(self._run())
        elif not wanted and task is not None:
            self._task = None
            if task is not asyncio.current_task():
                task.cancel()

    async def _run(self) -> None:
        clock = self._runner.clock
        started = clock.monotonic()
        number = 0
        me = asyncio.current_task()
        while True:
            number = max(number + 1, int((clock.monotonic() - started) / self.interval) + 1)
            await clock.sleep(started + number * self.interval - clock.monotonic())
            if self._task is not me:  # stopped from within a sink
                return
            self.tick(number)

    def tick(self, number: int) -> None:
        runner = self._runner
        clock = runner.clock
        now = clock.time()
        if self._sampling:
            runner.snapshot(now)
        tick = Tick(number, now, clock.monotonic(), runner.user_count)
        for sink in list(self._sinks):
            try:
                sink(tick)
            except Exception:  # one failing output must not stop the others, nor the next ticks
                logger.exception("%s failed at tick %d", getattr(sink, "__qualname__", sink), number)
