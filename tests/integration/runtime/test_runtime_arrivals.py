"""The open model on a real event loop and a fake clock: arrivals on schedule into a pool of users,
one task each without a wait, drops counted, and each request measured from its planned start."""

from __future__ import annotations

import asyncio
import itertools
import statistics
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from horde.runtime.clock import FakeClock
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.runtime.runner import LocalRunner
from horde.shapes.arrivals import ArrivalPlan, ArrivalRate
from horde.shapes.load_test_shape import LoadTestShape
from horde.user.task import task
from horde.user.users import User
from horde.user.wait_time import constant, constant_pacing


class Worker(User):
    """Each task takes ``busy`` seconds of the fake clock and reports one request of 1 ms."""

    abstract = True
    wait_time = constant(5)  # never waited on: an arrival runs one task, without the wait
    busy = 0.0
    log: list[tuple[str, float]]  # (what, fake time), per test class
    starts = 0

    def on_start(self) -> None:
        type(self).starts += 1

    def on_stop(self) -> None:
        self.log.append(("stop", self.clock.monotonic()))

    @property
    def clock(self) -> FakeClock:
        clock = self.environment.runner.clock
        assert isinstance(clock, FakeClock)
        return clock

    async def work(self, name: str) -> None:
        self.log.append((name, self.clock.monotonic()))
        if self.busy:
            await self.clock.sleep(self.busy)
        self.environment.events.request.fire(
            request_type="X", name=name, response_time=1.0, response_length=0, exception=None, context={}
        )


def worker(busy: float = 0.0, **tasks: int) -> type[Worker]:
    """A Worker class whose tasks are ``name=weight``."""

    def make(name: str) -> Callable[[Worker], Awaitable[None]]:
        async def run(self: Worker) -> None:
            await self.work(name)

        run.__name__ = name
        return run

    body: dict[str, Any] = {"busy": busy, "log": [], "starts": 0}
    for name, weight in (tasks or {"hit": 1}).items():
        body[name] = task(weight)(make(name))
    return type("Pool", (Worker,), body)


def run_arrivals(
    user_class: type[Worker],
    plan: ArrivalPlan | float,
    users: int,
    seconds: float,
    step: float = 0.01,
    process: str = "constant",
    during: Callable[[LocalRunner, float], None] | None = None,
) -> Environment:
    """Arrivals of ``plan`` into ``users`` for ``seconds`` of a fake clock from the first arrival
    (``during`` is called at each step with the time since), then the runner quits."""
    environment = Environment(user_classes=[user_class], events=Events())

    async def main() -> None:
        clock = FakeClock()
        runner = environment.create_local_runner()
        runner.clock = clock
        runner.start_arrivals(plan, users, process=process)
        while runner.arrivals is None or runner.arrivals.elapsed == 0:  # the pool starts, at once
            await clock.advance(0.001)
        for n in range(round(seconds / step)):
            if during is not None:
                during(runner, round(n * step, 6))
            await clock.advance(step)
        await runner.quit()

    asyncio.run(asyncio.wait_for(main(), 20))
    return environment


def drive_shape(user_class: type[Worker], shape: LoadTestShape, steps: int, step: float) -> str:
    """``shape`` drives ``user_class`` for ``steps`` steps of a fake clock; the runner's state then
    (before it quits)."""
    environment = Environment(user_classes=[user_class], events=Events(), shape_class=shape)

    async def main() -> str:
        clock = FakeClock()
        runner = environment.create_local_runner()
        runner.clock = clock
        runner.start_shape()
        for _ in range(steps):
            await clock.advance(step)
        state = str(runner.state)
        await runner.quit()
        return state

    return asyncio.run(asyncio.wait_for(main(), 20))


def ran(user_class: type[Worker]) -> list[tuple[str, float]]:
    return [(what, at) for what, at in user_class.log if what != "stop"]


def test_each_arrival_runs_one_task_of_an_idle_user_on_schedule_whatever_the_wait_time() -> None:
    pool = worker(hit=1)
    environment = run_arrivals(pool, 10, users=3, seconds=2.0)
    times = [at for _, at in ran(pool)]
    origin = times[0]
    # 10/s for 2 s: one every 100 ms from the start, the ends included.
    assert [round(at - origin, 3) for at in times] == [round(0.1 * k, 3) for k in range(21)]
    assert pool.starts == 3  # on_start once per user of the pool, not per arrival
    assert [what for what, _ in pool.log].count("stop") == 3
    assert environment.stats.dropped_iterations == 0
    assert environment.stats.total.num_requests == 21


def test_an_arrival_that_finds_no_idle_user_is_dropped_and_counted() -> None:
    """40/s into 5 users that each take 400 ms: 12.5 iterations a second can start; of the 400
    arrivals of 10 s (401 with both ends), about 275 are dropped."""
    pool = worker(busy=0.4)
    environment = run_arrivals(pool, 40, users=5, seconds=10.0)
    runner = environment.runner
    assert runner is not None and runner.arrivals is not None
    started, dropped = runner.arrivals.started, environment.stats.dropped_iterations
    assert started + dropped == 401
    assert 270 <= dropped <= 280, dropped
    # Arrivals kept their schedule: the busy users did not delay the next arrival.
    assert len(ran(pool)) == started


def test_a_pool_user_picks_its_task_by_weight_as_a_loop_iteration_would() -> None:
    pool = worker(often=3, seldom=1)
    run_arrivals(pool, 200, users=4, seconds=5.0)
    names = [what for what, _ in ran(pool)]
    assert len(names) == 1001
    assert 0.70 < names.count("often") / len(names) < 0.80


def test_poisson_arrivals_keep_the_mean_rate_with_random_gaps() -> None:
    pool = worker()
    run_arrivals(pool, 20, users=5, seconds=30.0, process="poisson")
    times = [at for _, at in ran(pool)]
    assert 600 - 4 * 600**0.5 < len(times) < 600 + 4 * 600**0.5  # 4 standard deviations
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Exponential gaps: their standard deviation is about their mean (0 for an even spread).
    assert 0.8 < statistics.pstdev(gaps) / statistics.mean(gaps) < 1.2


def test_stages_ramp_the_rate_and_the_test_stops_after_the_last() -> None:
    pool = worker()
    environment = run_arrivals(pool, ArrivalPlan.parse("2s:100,1s:100"), users=2, seconds=4.0)
    times = [at for _, at in ran(pool)]
    origin = times[0]
    # Due by 1 s: 25 (the ramp's integral; the first at 0, the 26th at 1 s), by 2 s: 100, by 3 s:
    # 200 and one (the last at 3 s exactly); then the plan has ended.
    assert sum(at - origin < 1.0 for at in times) == 25
    assert sum(at - origin < 2.0 for at in times) == 100
    assert len(times) == 201
    runner = environment.runner
    assert runner is not None and runner.state == "stopped"


def test_when_the_plan_ends_the_iterations_under_way_finish_before_the_test_stops() -> None:
    pool = worker(busy=0.5)
    environment = run_arrivals(pool, ArrivalPlan.parse("1s:10"), users=5, seconds=2.0)
    runner = environment.runner
    assert runner is not None and runner.arrivals is not None and runner.state == "stopped"
    # Each iteration, the last (due at 1 s, busy until 1.5 s) included, made its request.
    assert runner.arrivals.started == 6 and environment.stats.total.num_requests == 6
    assert environment.stats.unfinished == 0


def test_a_new_rate_and_pool_size_take_effect_at_once() -> None:
    pool = worker()

    def change(runner: LocalRunner, now: float) -> None:
        if now == 1.0:
            runner.start_arrivals(50, 4)

    environment = run_arrivals(pool, 10, users=2, seconds=2.0, during=change)
    times = [at for _, at in ran(pool)]
    origin = times[0]
    assert sum(at - origin < 1.0 for at in times) == 10
    assert sum(at - origin >= 1.0 for at in times) == pytest.approx(50, abs=1)
    assert pool.starts == 4
    runner = environment.runner
    assert runner is not None and runner.user_count == 0  # quit


def test_a_shape_drives_arrivals_by_returning_an_arrival_rate() -> None:
    pool = worker()

    class TwoRates(LoadTestShape):
        def tick(self) -> ArrivalRate | None:
            elapsed = self.get_run_time()
            if elapsed < 2:
                return ArrivalRate(10, users=2)
            return ArrivalRate(40, users=3) if elapsed < 4 else None

    drive_shape(pool, TwoRates(), steps=500, step=0.01)
    times = [at for _, at in ran(pool)]
    origin = times[0]
    # 10/s until the tick at 2 s, 40/s until the tick at 4 s, then the shape ends the test.
    assert sum(at - origin < 1.95 for at in times) == pytest.approx(20, abs=1)
    assert sum(at - origin >= 2.05 for at in times) == pytest.approx(78, abs=3)
    assert pool.starts == 3


def test_requests_are_measured_from_the_planned_start_too() -> None:
    """At 5,000/s the schedule wakes each millisecond and starts the five arrivals due since, each
    measured from its own planned time: up to 1 ms late, half a millisecond on average."""
    pool = worker()
    environment = run_arrivals(pool, 5000, users=10, seconds=0.1, step=0.001)
    entry = environment.stats.get("hit", "X")
    planned = entry.planned
    assert planned is not None and planned.count == entry.num_requests == 500
    assert planned.min_us >= 1000 and planned.max_us <= 2000  # 1 ms of service, plus the lag
    assert 1300 < planned.mean_us() < 1700
    assert entry.response_times.max_us == 1000  # the service time knows nothing of the plan


def test_a_paced_user_s_task_requests_are_planned_and_its_on_start_s_are_not() -> None:
    class Paced(User):
        wait_time = constant_pacing(0.02)

        def on_start(self) -> None:
            self.environment.events.request.fire(
                request_type="X",
                name="login",
                response_time=1.0,
                response_length=0,
                exception=None,
                context={},
            )

        @task
        def read(self) -> None:
            self.environment.events.request.fire(
                request_type="X",
                name="read",
                response_time=1.0,
                response_length=0,
                exception=None,
                context={},
            )

    environment = Environment(user_classes=[Paced], events=Events())

    async def main() -> None:
        runner = environment.create_local_runner()
        runner.start(2, spawn_rate=100)
        await asyncio.sleep(0.3)
        await runner.quit()

    asyncio.run(main())
    login, read = environment.stats.get("login", "X"), environment.stats.get("read", "X")
    assert login.num_requests == 2 and login.planned is None
    assert read.num_requests > 10 and read.planned is not None and read.planned.count >= read.num_requests
    assert environment.stats.plans == {}  # the users left it as they ended


def test_a_shape_that_turns_looping_users_into_arrivals_stops_the_test_and_says_why(
    caplog: pytest.LogCaptureFixture,
) -> None:
    pool = worker()

    class Switch(LoadTestShape):
        def tick(self) -> tuple[int, float] | ArrivalRate:
            return (2, 100) if self.get_run_time() < 1 else ArrivalRate(10, 2)

    assert drive_shape(pool, Switch(), steps=30, step=0.1) == "stopped"
    assert (
        "Shape test stopping: it returned ArrivalRate(rate=10, users=2): this test runs users in a loop"
        in (caplog.text)
    )
