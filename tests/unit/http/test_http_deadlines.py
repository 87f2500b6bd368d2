"""One timer for many request deadlines: expiry order, re-arming, no timer when idle."""

from __future__ import annotations

from typing import Any

from horde.http.deadlines import Deadlines


class ManualLoop:
    def __init__(self) -> None:
        self.now = 0.0
        self.armed: list[float] = []
        self._callback: Any = None

    def time(self) -> float:
        return self.now

    def call_at(self, when: float, callback: Any) -> Any:
        self.armed.append(when)
        self._callback = callback
        loop = self

        class Handle:
            def cancel(self) -> None:
                loop.armed.remove(when)

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        if self.armed and self.armed[-1] <= self.now + 0.001:
            self.armed.pop()
            self._callback()


class Owner:
    def __init__(self, name: str, log: list[tuple[str, float]]) -> None:
        self.name = name
        self.log = log

    def expire(self, timeout: float) -> None:
        self.log.append((self.name, timeout))


def test_only_overdue_owners_expire_and_timer_rearms() -> None:
    loop = ManualLoop()
    deadlines = Deadlines(loop)  # type: ignore[arg-type]
    log: list[tuple[str, float]] = []
    slow, fast, done = Owner("slow", log), Owner("fast", log), Owner("done", log)
    deadlines.add(slow, 10.0)
    deadlines.add(fast, 2.0)
    deadlines.add(done, 1.0)
    assert loop.armed == [1.0]  # one timer, for the earliest deadline
    deadlines.discard(done)
    loop.advance(1.0)  # fires for "done", which finished: nothing expires, re-arm for the next
    assert log == [] and loop.armed == [2.0]
    loop.advance(1.0)
    assert log == [("fast", 2.0)] and loop.armed == [10.0]
    loop.advance(8.0)
    assert log == [("fast", 2.0), ("slow", 10.0)] and loop.armed == [] and len(deadlines) == 0


def test_later_deadlines_do_not_rearm_the_timer() -> None:
    loop = ManualLoop()
    deadlines = Deadlines(loop)  # type: ignore[arg-type]
    log: list[tuple[str, float]] = []
    for index in range(100):
        owner = Owner(str(index), log)
        deadlines.add(owner, 60.0)
        deadlines.discard(owner)
        loop.now += 0.01
    assert loop.armed == [60.0]  # armed once, not once per request
