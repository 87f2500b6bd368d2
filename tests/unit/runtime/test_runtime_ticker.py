"""The runner's ticker, on a fake clock: one snapshot then every sink, once a second, on the beat."""

from __future__ import annotations

import asyncio
import logging

import pytest

from horde.runtime.clock import FakeClock
from horde.runtime.ticker import Tick, Ticker


class Beat:
    """What a ticker needs of its runner: a clock, the user count and a snapshot to take."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.user_count = 3
        self.snapshots: list[float] = []

    def snapshot(self, now: float) -> None:
        self.snapshots.append(now - self.clock.time())  # 0: taken at the tick's own time


def run(scenario):  # type: ignore[no-untyped-def]
    return asyncio.run(scenario())


def test_each_tick_takes_one_snapshot_while_sampling_then_goes_to_every_sink_in_order() -> None:
    async def scenario() -> tuple[list[tuple[str, Tick]], list[float]]:
        beat = Beat()
        ticker = Ticker(beat)  # type: ignore[arg-type]
        seen: list[tuple[str, Tick]] = []
        ticker.add(lambda tick: seen.append(("console", tick)))
        ticker.add(lambda tick: seen.append(("csv", tick)))
        await beat.clock.advance(2.0)
        ticker.sample(True)  # a test starts
        await beat.clock.advance(2.0)
        return seen, beat.snapshots

    seen, snapshots = run(scenario)
    assert [(sink, tick.number, tick.monotonic, tick.user_count) for sink, tick in seen] == [
        ("console", 1, 1_001.0, 3),
        ("csv", 1, 1_001.0, 3),
        ("console", 2, 1_002.0, 3),
        ("csv", 2, 1_002.0, 3),
        ("console", 3, 1_003.0, 3),
        ("csv", 3, 1_003.0, 3),
        ("console", 4, 1_004.0, 3),
        ("csv", 4, 1_004.0, 3),
    ]
    assert seen[0][1].time == 1_700_000_001.0
    assert snapshots == [0.0, 0.0]  # ticks 3 and 4 only: sampling began after tick 2


def test_a_failing_sink_costs_its_own_turn_only(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> list[int]:
        beat = Beat()
        ticker = Ticker(beat)  # type: ignore[arg-type]
        seen: list[int] = []

        def broken(tick: Tick) -> None:
            raise ZeroDivisionError("a broken output")

        ticker.add(broken)
        ticker.add(lambda tick: seen.append(tick.number))
        await beat.clock.advance(3.0)
        return seen

    with caplog.at_level(logging.ERROR):
        assert run(scenario) == [1, 2, 3]
    assert caplog.text.count("failed at tick") == 3 and "ZeroDivisionError" in caplog.text


def test_ticks_keep_their_beat_and_skip_the_seconds_a_blocked_loop_missed() -> None:
    async def scenario() -> list[tuple[int, float]]:
        beat = Beat()
        clock = beat.clock
        ticker = Ticker(beat)  # type: ignore[arg-type]
        seen: list[tuple[int, float]] = []

        def slow(tick: Tick) -> None:
            seen.append((tick.number, tick.monotonic))
            clock._now += 0.3 if tick.number == 1 else 0.0  # a tick that takes 0.3 s
            clock._now += 3.5 if tick.number == 2 else 0.0  # the loop blocked for 3.5 s

        ticker.add(slow)
        await clock.advance(8.0)
        return seen

    # Tick 2 is at 1002, not 1002.3; after the block (until 1005.5) the next is tick 6 at 1006.
    assert run(scenario) == [(1, 1_001.0), (2, 1_002.0), (6, 1_006.0), (7, 1_007.0), (8, 1_008.0)]


def test_the_ticker_runs_only_while_someone_listens_and_a_sink_may_leave_in_its_own_turn() -> None:
    async def scenario() -> tuple[list[int], bool, bool]:
        beat = Beat()
        ticker = Ticker(beat)  # type: ignore[arg-type]
        seen: list[int] = []

        def once_then_leave(tick: Tick) -> None:
            seen.append(tick.number)
            if tick.number == 2:
                ticker.remove(once_then_leave)

        ticker.add(once_then_leave)
        await beat.clock.advance(5.0)
        idle = ticker._task is None
        ticker.sample(True)
        running = ticker._task is not None
        ticker.sample(False)
        return seen, idle, running and ticker._task is None

    assert run(scenario) == ([1, 2], True, True)
