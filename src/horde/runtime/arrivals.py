"""The open model (``--arrival-rate``): arrivals come on the clock, and each is run by an idle user
of a pool, as one iteration of its tasks without a wait; an arrival that finds no idle user is
dropped and counted (``stats.dropped_iterations``). The pool is the run's users (``-u``): each ran
``on_start`` once and then waits here for arrivals.

The schedule is the plan's (:mod:`horde.shapes.arrivals`), fixed by the clock: a slow system makes
users busy, which drops arrivals, but never delays the next one. Each iteration knows its planned
start, so its requests are also measured from it (``RequestStats.plans``): the lag between the
plan and the start is the generator's (its loop was late), and shows there.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from typing import TYPE_CHECKING

from horde.concurrency.cooperative import event_loop
from horde.exception import LocustError, StopUser
from horde.shapes.arrivals import ArrivalPlan
from horde.user.task import STATE_RUNNING, STATE_STOPPING, STATE_WAITING

if TYPE_CHECKING:
    from horde.runtime.runner import Runner
    from horde.user.users import User

logger = logging.getLogger("horde.arrivals")

TICK = 0.001
"""The shortest sleep between two looks at the schedule: arrivals due closer together than this
start in one batch, each measured from its own planned time (epoll waits whole milliseconds)."""
READY_POLL = 0.01
"""How often the start waits to see the whole pool ready (each user's ``on_start`` done)."""
BATCH = 500
"""Arrivals started between two turns of the loop when many are due at once."""
GRACEFUL_END = 30.0
"""Once the plan has ended, how long the iterations under way may take to finish before the test
stops (k6's ``gracefulStop`` default)."""
PROCESSES = ("constant", "poisson")


class Arrivals:
    """Arrivals of ``plan`` (``process``: evenly spread, or Poisson) for ``runner``'s users."""

    def __init__(self, runner: Runner, plan: ArrivalPlan, process: str = "constant") -> None:
        if process not in PROCESSES:
            raise ValueError(f"unknown arrival process {process!r}: choose from {', '.join(PROCESSES)}")
        self.runner = runner
        self.plan = plan
        self.process = process
        self.started = 0
        """Arrivals handed to a user so far (those dropped are in ``stats.dropped_iterations``)."""
        self.busy = 0
        """Iterations under way."""
        self._idle: deque[tuple[User, asyncio.Future[float]]] = deque()
        self._joined = 0  # users that were ready once
        self._origin: float | None = None  # the clock's monotonic time at the plan's start
        self._next = 0.0  # the plan's integral at the next arrival
        self._random = random.Random()
        self._task: asyncio.Task[None] | None = None

    @property
    def rate(self) -> float:
        """Arrivals per second now (the plan's rate; before the start, its first)."""
        return self.plan.rate_at(self.elapsed)

    @property
    def elapsed(self) -> float:
        """Seconds since the plan started (0 before)."""
        return 0.0 if self._origin is None else self.runner.clock.monotonic() - self._origin

    def start(self) -> None:
        """Start the schedule once the pool is ready (in the background)."""
        self._task = event_loop().create_task(self._schedule())
        self._task.add_done_callback(self._schedule_done)

    def stop(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task() and not self._task.done():
            self._task.cancel()

    def retarget(self, rate: float, ramp_seconds: float = 0.0) -> None:
        """From now on, ``rate`` per second (reached over ``ramp_seconds``)."""
        self.plan.retarget(self.elapsed, rate, ramp_seconds)

    # The users' side ----------------------------------------------------------------------------
    async def serve(self, user: User) -> None:
        """A pool user's life after ``on_start``: wait idle for an arrival, run one iteration, and
        again, until stopped (a stop while idle cancels at once; while busy, after the iteration)."""
        taskset = user._taskset_instance
        assert taskset is not None
        loop = asyncio.get_running_loop()
        clock = self.runner.clock
        plans = user.environment.stats.plans
        plans[user._task] = user  # no pacing: plan_next leaves a user of arrivals alone
        self._joined += 1
        while True:
            if user._state == STATE_STOPPING:
                raise StopUser()
            user._state = STATE_WAITING
            arrival: asyncio.Future[float] = loop.create_future()
            self._idle.append((user, arrival))
            planned = await arrival
            user._state = STATE_RUNNING
            user._plan_lag = max(0.0, clock.monotonic() - planned) * 1000
            self.busy += 1
            try:
                await taskset.run_iteration()
            except LocustError as error:  # no tasks: an error of the user's, as in the loop
                taskset._task_failed(error)
            finally:
                self.busy -= 1

    # The schedule -------------------------------------------------------------------------------
    async def _schedule(self) -> None:
        runner = self.runner
        clock = runner.clock
        # Every user of the pool ready first (its on_start done), so the first arrivals are not
        # dropped while the pool fills.
        while self._joined < runner.user_count or not _ramp_over(runner):
            await clock.sleep(READY_POLL)
        self._origin = clock.monotonic()
        logger.info(
            "Arrivals starting: %s (%s) into a pool of %d users",
            self.plan.describe(),
            "Poisson" if self.process == "poisson" else "evenly spread",
            runner.user_count,
        )
        batch = 0
        while True:
            due = self.plan.when(self._next)
            if due is None:
                await self._let_iterations_end()
                runner.plan_ended()
                return
            planned = self._origin + due
            now = clock.monotonic()
            if planned > now:
                batch = 0
                await clock.sleep(max(planned - now, TICK))
                continue
            self._arrive(planned)
            self._next += self._random.expovariate(1.0) if self.process == "poisson" else 1.0
            batch += 1
            if batch % BATCH == 0:
                await asyncio.sleep(0)

    async def _let_iterations_end(self) -> None:
        clock = self.runner.clock
        if self.busy:
            logger.info(
                "Arrivals finished: the plan has ended; waiting up to %g s for the %d iterations under way",
                GRACEFUL_END,
                self.busy,
            )
        else:
            logger.info("Arrivals finished: the plan has ended")
        deadline = clock.monotonic() + GRACEFUL_END
        while self.busy and clock.monotonic() < deadline:
            await clock.sleep(READY_POLL)

    def _arrive(self, planned: float) -> None:
        idle = self._idle
        while idle:
            _, arrival = idle.popleft()
            if not arrival.done():  # done: its user was stopped while idle
                arrival.set_result(planned)
                self.started += 1
                return
        self.runner.stats.dropped_iterations += 1

    def _schedule_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            self.runner.unhandled_errors += 1
            logger.error("The arrival schedule failed: %r; no more arrivals start", error, exc_info=error)


def _ramp_over(runner: Runner) -> bool:
    task = runner._spawn_task
    return task is None or task.done()
