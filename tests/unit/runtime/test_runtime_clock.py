"""FakeClock: time that moves only when a test advances it, waking sleepers at their hour."""

from __future__ import annotations

import asyncio

from horde.runtime.clock import FakeClock


def test_sleepers_wake_in_the_order_of_their_hour_and_see_that_hour() -> None:
    async def main() -> list[tuple[str, float]]:
        clock = FakeClock(monotonic=100.0, epoch=1_000_000.0)
        woke: list[tuple[str, float]] = []

        async def sleeper(name: str, seconds: float) -> None:
            await clock.sleep(seconds)
            woke.append((name, clock.monotonic()))

        tasks = [
            asyncio.create_task(sleeper(name, s)) for name, s in (("late", 3.0), ("early", 1.0), ("now", 0))
        ]
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert woke == [("now", 100.0)]  # sleeping 0 is a turn of the loop, not a wait for time
        await clock.advance(2.0)
        assert woke[1:] == [("early", 101.0)] and clock.monotonic() == 102.0
        assert clock.time() == 1_000_002.0
        await clock.advance(5.0)
        await asyncio.gather(*tasks)
        return woke

    assert asyncio.run(main()) == [("now", 100.0), ("early", 101.0), ("late", 103.0)]


def test_timers_fire_at_their_hour_among_the_sleepers_and_a_cancelled_one_never() -> None:
    async def main() -> list[tuple[str, float]]:
        clock = FakeClock(monotonic=0.0)
        seen: list[tuple[str, float]] = []

        async def sleeper() -> None:
            await clock.sleep(2.0)
            seen.append(("sleeper", clock.monotonic()))

        task = asyncio.create_task(sleeper())
        await asyncio.sleep(0)
        clock.call_later(3.0, lambda: seen.append(("timer", clock.monotonic())))
        clock.call_later(1.0, lambda: seen.append(("first", clock.monotonic())))
        clock.call_later(1.5, lambda: seen.append(("cancelled", clock.monotonic()))).cancel()
        await clock.advance(5.0)
        await task
        return seen

    assert asyncio.run(main()) == [("first", 1.0), ("sleeper", 2.0), ("timer", 3.0)]
