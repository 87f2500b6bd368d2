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
