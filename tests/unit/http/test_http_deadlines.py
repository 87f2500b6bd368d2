"""One timer for every connection's deadline: expiry, re-arming, one sweep per timeout, forgetting."""

from __future__ import annotations

from math import inf
from typing import Any

from horde.http.deadlines import Deadlines


def pending(deadlines: Deadlines) -> int:
    """How many watched owners have a deadline."""
    return sum(1 for owner in deadlines.watched if owner.deadline != inf)


class ManualLoop:
    def __init__(self) -> None:
        self.now = 0.0
        self.armed: list[float] = []
        self.fired = 0
        self._callback: Any = None

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Any) -> Any:
        when = self.now + delay
        self.armed.append(when)
        self._callback = callback
        loop = self

        class Handle:
            def cancel(self) -> None:
                loop.armed.remove(when)

        return Handle()

    def advance(self, seconds: float) -> None:
        self.now += seconds
        if self.armed and self.armed[-1] <= self.now:
            self.armed.pop()
            self.fired += 1
            self._callback()


class Owner:
    """What Connection does with its deadline, without the connection."""

    def __init__(self, name: str, deadlines: Deadlines, log: list[str]) -> None:
        self.name = name
        self.deadlines = deadlines
        self.log = log
        self.deadline = inf
        deadlines.watch(self)

    def send(self, timeout: float) -> None:
        self.deadline = self.deadlines.clock() + timeout
        if self.deadline < self.deadlines.armed_at:
            self.deadlines.arm(self.deadline)

    def complete(self) -> None:
        self.deadline = inf

    def expire(self) -> None:
        self.deadline = inf
        self.log.append(self.name)


def setup() -> tuple[ManualLoop, Deadlines, list[str]]:
    loop = ManualLoop()
    return loop, Deadlines(loop, loop.time), []  # type: ignore[arg-type]


def test_only_overdue_owners_expire_and_the_timer_rearms_for_the_earliest_pending() -> None:
    loop, deadlines, log = setup()
    slow, fast, done = (Owner(name, deadlines, log) for name in ("slow", "fast", "done"))
    slow.send(10.0)
    fast.send(2.0)
    done.send(1.0)
    assert loop.armed == [1.0]  # one timer, for the earliest deadline
    assert pending(deadlines) == 3
    done.complete()
    loop.advance(1.0)  # fires for "done", which finished: nothing expires, re-arm for the next
    assert log == [] and loop.armed == [2.0]
    loop.advance(1.0)
    assert log == ["fast"] and loop.armed == [10.0]
    loop.advance(8.0)
    assert log == ["fast", "slow"] and loop.armed == [] and pending(deadlines) == 0


def test_later_deadlines_do_not_rearm_the_timer() -> None:
    loop, deadlines, log = setup()
    owner = Owner("one", deadlines, log)
    for _ in range(100):
        owner.send(60.0)
        owner.complete()
        loop.now += 0.01
    assert loop.armed == [60.0]  # armed once, not once per request


def test_the_timer_fires_about_once_per_timeout_under_steady_load() -> None:
    loop, deadlines, log = setup()
    owners = [Owner(str(index), deadlines, log) for index in range(10)]
    for _ in range(2_000):  # 200 s of requests, 100 ms each, a 60 s timeout
        for owner in owners:
            owner.send(60.0)
        loop.advance(0.1)
        for owner in owners:
            owner.complete()
    assert log == [] and loop.fired == 3  # at about 60, 120 and 180 s


def test_a_forgotten_owner_is_not_expired() -> None:
    loop, deadlines, log = setup()
    kept, closed = Owner("kept", deadlines, log), Owner("closed", deadlines, log)
    kept.send(1.0)
    closed.send(1.0)
    deadlines.forget(closed)
    loop.advance(1.0)
    assert log == ["kept"] and closed.deadline == 1.0 and list(deadlines.watched) == [kept]
