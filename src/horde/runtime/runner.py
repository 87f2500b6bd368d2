"""Runners: the :class:`Runner` base that the web UI, the CLI and the reports know, and the
:class:`LocalRunner`, which starts, ramps and stops users on the running event loop."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import traceback
from abc import ABC, abstractmethod
from collections.abc import Callable, Coroutine
from dataclasses import astuple
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any

from horde.concurrency.bridge import call_sync, in_sync_context, sync_or_async
from horde.concurrency.cooperative import event_loop
from horde.concurrency.loop import NO_CONTEXT
from horde.exception import StopTest
from horde.runtime.arrivals import Arrivals
from horde.runtime.clock import SYSTEM_CLOCK, Clock
from horde.runtime.health import monitor_from_options
from horde.runtime.monitor import UsageMonitor
from horde.runtime.result import RunInfo, RunResult
from horde.runtime.ticker import Ticker
from horde.shapes import ramp
from horde.shapes.arrivals import ArrivalPlan, ArrivalRate
from horde.shapes.dispatch import next_user_class, target_counts
from horde.stats.series import NameSeries
from horde.stats.timeline import HistogramTimeline

if TYPE_CHECKING:
    from horde.runtime.environment import Environment
    from horde.runtime.events import EventHook
    from horde.user.users import User

logger = logging.getLogger("locust.runners")  # Locust's logger name: scripts and filters match it


class RunnerState(StrEnum):
    """A runner's state; each is the string Locust uses (``runner.state == "running"`` holds)."""

    READY = "ready"
    SPAWNING = "spawning"
    RUNNING = "running"
    CLEANUP = "cleanup"
    STOPPING = "stopping"
    STOPPED = "stopped"
    MISSING = "missing"


# Locust's names for the states.
STATE_INIT = RunnerState.READY
STATE_SPAWNING = RunnerState.SPAWNING
STATE_RUNNING = RunnerState.RUNNING
STATE_CLEANUP = RunnerState.CLEANUP
STATE_STOPPING = RunnerState.STOPPING
STATE_STOPPED = RunnerState.STOPPED
STATE_MISSING = RunnerState.MISSING

SPAWN_TICK = 0.01  # seconds between spawn batches: smooth ramps without one timer per user
SPAWN_SLICE = 500
"""Users started between two turns of the loop when many are due at once: the web UI, ``/stop``
and the other users keep answering during a ramp to a huge count at a huge rate."""
SHAPE_TICK_INTERVAL = 1.0
POOL_AT_ONCE = 100.0
"""An arrival pool without a spawn rate starts at this many times its size per second: at once,
in a few batches of the spawn tick."""


class Message:
    """A custom message (local mode loops it back to this runner)."""

    def __init__(self, message_type: str, data: Any, node_id: str) -> None:
        self.type = message_type
        self.data = data
        self.node_id = node_id


class Runner(ABC):
    """What every runner offers (Locust's ``locust.runners.Runner``): a state, the test's
    statistics, the exceptions user code raised, the generator's health, custom messages, and
    ``start``/``stop``/``quit``. The web UI, the CLI and the reports depend on this, not on where
    the users run. Every method must be called on the running loop."""

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.stats = environment.stats
        self.state = RunnerState.READY
        self.exceptions: dict[int | str, dict[str, Any]] = {}
        self.target_user_count = 0
        self.target_user_classes_count: dict[str, int] = {}
        self.spawn_rate = 1.0
        self.custom_messages: dict[str, tuple[Callable[..., Any], bool]] = {}
        self.shape_last_tick: Any = None
        self._shape_task: asyncio.Task[None] | None = None
        self.unhandled_errors = 0
        self.health = monitor_from_options(environment.parsed_options)
        self.monitor = UsageMonitor(environment)
        self.quit_event = asyncio.Event()
        self._spawn_task: asyncio.Task[None] | None = None  # the ramp in progress (or the last one)
        self._test_started: asyncio.Task[None] | None = None  # test_start's listeners
        self._stopped: asyncio.Event | None = None  # set once the test has stopped
        self.clock: Clock = SYSTEM_CLOCK
        """What the ramp, the shape's ticks and the ticker wait on (a FakeClock in tests)."""
        self.ticker = Ticker(self)
        """Once a second: one :meth:`snapshot` while a test runs, then every output's turn."""
        self.series = NameSeries(self.stats)
        """Each request name's time series, for its charts (sampled once ``keep_series`` is set)."""
        self.timeline = HistogramTimeline()
        """Snapshots of the Aggregated histogram: the distribution of any span of the run."""
        self.arrivals: Arrivals | None = None
        """The open model's arrivals when the test runs one (``--arrival-rate``), else None."""
        self._next_arrivals: Arrivals | None = None  # for the test start_arrivals begins
        self.keep_series = False
        """Set by what reads :attr:`series` and :attr:`timeline` (the web UI, an HTML report):
        sampling them costs a pass over every name each second."""

    @property
    @abstractmethod
    def user_count(self) -> int:
        """Users running now."""

    @property
    @abstractmethod
    def user_classes_count(self) -> dict[str, int]:
        """Users running now by class name, every class of the test included."""

    @property
    def user_classes(self) -> list[type[User]]:
        return self.environment.user_classes

    # Starting and ramping: the same for every runner; where the users run is the subclass's --
    def start(
        self,
        user_count: int,
        spawn_rate: float,
        wait: bool = False,
        user_classes: list[type[User]] | None = None,
    ) -> None:
        """Ramp to ``user_count`` users at ``spawn_rate`` users/s (in the background)."""
        if spawn_rate <= 0 or not math.isfinite(spawn_rate):
            raise ValueError("spawn rate must be a number above 0")
        if user_classes is not None:
            self.environment.user_classes = list(user_classes)
        if self.state in (RunnerState.READY, RunnerState.STOPPED):
            self._begin_test()
        self.target_user_count = user_count
        self.spawn_rate = spawn_rate
        if self._spawn_task is not None and not self._spawn_task.done():
            self._spawn_task.cancel()
        self.state = RunnerState.SPAWNING
        self._announce_ramp(user_count, spawn_rate)
        self._spawn_task = event_loop().create_task(self._ramp(user_count, spawn_rate))
        self._spawn_task.add_done_callback(self._ramp_done)

    def start_arrivals(
        self,
        plan: ArrivalPlan | float,
        users: int,
        spawn_rate: float | None = None,
        process: str = "constant",
    ) -> None:
        """Run the open model: arrivals of ``plan`` (or a constant rate per second) for a pool of
        ``users`` (started at ``spawn_rate`` per second, all at once without one). On a test that
        runs arrivals already, a rate re-targets them from now on and ``users`` resizes the pool."""
        if not isinstance(plan, ArrivalPlan) and not (plan >= 0 and math.isfinite(plan)):
            raise ValueError("arrival rate must be a finite number, 0 or more")
        if self.state in (RunnerState.READY, RunnerState.STOPPED):
            if not isinstance(plan, ArrivalPlan):
                plan = ArrivalPlan(plan)
            self._next_arrivals = Arrivals(self, plan, process)
        elif self.arrivals is None:
            raise ValueError("this test runs users in a loop: stop it before starting arrivals")
        elif isinstance(plan, ArrivalPlan):
            raise ValueError("a running test's arrivals change by rate, not by a new plan")
        else:
            self.arrivals.retarget(plan)
            logger.info("Arrival rate set to %g per second", plan)
        self.start(users, spawn_rate or POOL_AT_ONCE * max(users, 1))

    def plan_ended(self) -> None:
        """The arrival plan (or the shape) has no more to give: the run ends, headless; under the
        web UI (and --autoquit) the test stops and the UI decides when the process ends."""
        if getattr(self.environment.parsed_options, "headless", False):
            self.quit_later()
        else:
            event_loop().create_task(self._stop())

    def _announce_ramp(self, user_count: int, spawn_rate: float) -> None:
        logger.info("Ramping to %d users at a rate of %.2f per second", user_count, spawn_rate)

    @abstractmethod
    async def _ramp(self, target: int, rate: float) -> None:
        """Bring the users to ``target`` at ``rate`` per second, then say the ramp is over."""

    def _ramp_done(self, task: asyncio.Task[None]) -> None:
        """Spawning must never fail silently, nor leave the test "spawning": it goes on with the
        users that started, says so, and exits with code 2."""
        if not task.cancelled() and (error := task.exception()) is not None:
            self.unhandled_errors += 1
            logger.error(
                "Spawning users failed after %d of %d users: %r; the test goes on with them",
                self.user_count,
                self.target_user_count,
                error,
                exc_info=error,
            )
            if self.state == RunnerState.SPAWNING:
                self.state = RunnerState.RUNNING

    def _begin_test(self) -> None:
        self._stopped = None
        self.stats.clear_all()
        self.exceptions.clear()
        self._forget_dispatch()
        self.arrivals, self._next_arrivals = self._next_arrivals, None
        if self.arrivals is not None:
            self.arrivals.start()
        # Listeners may block (requests that set data up, time.sleep): they run in a greenlet of
        # their own, and the first users start once they have returned, as under Locust.
        self._test_started = event_loop().create_task(self._fire_blocking(self.environment.events.test_start))
        self.health.start(self.clock)
        self.ticker.sample(True)
        self.monitor.start()
        self.ticker.add(self.monitor.on_tick)

    @abstractmethod
    def _forget_dispatch(self) -> None:
        """A new test: forget which users the last one started."""

    async def _test_start_done(self) -> bool:
        """Once test_start's listeners have returned: False when one raised StopTest (the run
        then quits)."""
        try:
            if self._test_started is not None:  # shielded: a ramp that replaces this one waits too
                await asyncio.shield(self._test_started)
        except StopTest as error:
            logger.error("Stopping the test: %s", error or "a test_start listener raised StopTest")
            self.quit_later()
            return False
        return True

    async def _fire_blocking(self, hook: EventHook) -> None:
        await call_sync(partial(hook.fire, environment=self.environment))

    # The shape: the same for every runner -----------------------------------------------------
    def start_shape(self) -> None:
        """Let the environment's LoadTestShape drive the user count."""
        shape = self.environment.shape_class
        assert shape is not None
        shape.runner = self
        shape.reset_time()
        logger.info("Shape test starting.")
        self._shape_task = event_loop().create_task(self._shape_loop())

    async def _shape_loop(self) -> None:
        shape = self.environment.shape_class
        assert shape is not None
        while True:
            try:
                result = await call_sync(shape.tick)  # it may block, as under Locust
            except StopTest:
                result = None
            if result is None:
                logger.info("Shape test stopping")
                self.plan_ended()
                return
            if isinstance(result, ArrivalRate):
                if result != self.shape_last_tick:
                    self.shape_last_tick = result
                    logger.info("Shape test updating to %g arrivals/s into %d users", *astuple(result))
                    try:
                        self.start_arrivals(result.rate, result.users)
                    except ValueError as error:  # arrivals into a test whose users loop
                        logger.error("Shape test stopping: it returned %r: %s", result, error)
                        self.plan_ended()
                        return
            elif result != self.shape_last_tick:
                user_count, spawn_rate, *rest = result
                self.shape_last_tick = result
                logger.info("Shape test updating to %d users at %.2f spawn rate", user_count, spawn_rate)
                self.start(int(user_count), float(spawn_rate), user_classes=rest[0] if rest else None)
            await self.clock.sleep(SHAPE_TICK_INTERVAL)

    # Stopping -------------------------------------------------------------------------------
    def stop(self) -> Any:
        """Stop every user (honouring ``stop_timeout``) and end the test. Locust's call returns once
        done: so does this one from sync code (a task, a greenlet); async code awaits it."""
        return self._called(self._stop(_calling_user()))

    def quit(self) -> Any:
        """Stop the test and let the process exit: :meth:`stop`'s two faces."""
        return self._called(self._quit(_calling_user()))

    def quit_later(self) -> None:
        """Stop the test and let the process exit (safe to call from any callback)."""
        event_loop().create_task(self._quit())

    @staticmethod
    def _called(work: Coroutine[Any, Any, None]) -> Any:
        # A task of its own, shielded: a user calling this is among the users it stops, and its
        # cancellation must not cancel the stopping.
        return sync_or_async(asyncio.shield(asyncio.ensure_future(work, loop=event_loop())))

    async def _stop(self, caller: asyncio.Task[Any] | None = None) -> None:
        if self._stopped is not None:  # already stopping or stopped: wait for that one
            await self._stopped.wait()
            return
        self._stopped = asyncio.Event()
        self.state = RunnerState.STOPPING
        self.environment.events.test_stopping.fire(environment=self.environment)
        self.stats.stopping = True  # requests cut short from now on were still waiting at the end
        if self.arrivals is not None:
            self.arrivals.stop()
        for task in (self._spawn_task, self._shape_task):
            if task is not None and task is not asyncio.current_task() and not task.done():
                task.cancel()
        await self._stop_all_users(caller)
        self.ticker.remove(self.monitor.on_tick)
        self.ticker.sample(False)
        self.health.stop()
        self.snapshot(self.clock.time())
        self.state = RunnerState.STOPPED
        await self._fire_blocking(self.environment.events.test_stop)
        self._stopped.set()

    @abstractmethod
    async def _stop_all_users(self, caller: asyncio.Task[Any] | None) -> None:
        """Stop every user of the test (``caller``: the user task that asked, if one did)."""

    async def _quit(self, caller: asyncio.Task[Any] | None = None) -> None:
        await self._stop(caller)
        self.quit_event.set()

    def snapshot(self, now: float) -> None:
        """One look at the statistics, at epoch ``now``: the history's point, and the per-name
        series and the timeline when someone reads them."""
        stats = self.stats
        stats.sample_history(now, self.user_count)
        if self.keep_series:
            self.series.sample(now)
            self.timeline.sample(now, stats.total.response_times, stats.start_time)

    def result(self, exit_code: int | None = None) -> RunResult:
        """The test as the outputs render it: the last one once it ended, else the one running."""
        environment = self.environment
        stats = self.stats
        arrivals = self.arrivals
        info = RunInfo(
            locustfile=str(environment.locustfile) if environment.locustfile else None,
            host=environment.host,
            users=self.target_user_count,
            spawn_rate=self.spawn_rate,
            run_time_s=getattr(environment.parsed_options, "run_time", None),
            start_epoch=stats.start_time,
            end_epoch=stats.last_request_timestamp,
            exit_code=exit_code,
            arrival_rate=arrivals.plan.describe() if arrivals is not None else None,
            arrival_process=arrivals.process if arrivals is not None else None,
            arrivals_started=arrivals.started if arrivals is not None else None,
        )
        return RunResult(
            info,
            stats,
            self.exceptions,
            self.health,
            self.series,
            environment.user_classes,
            environment.profile,
        )

    def log_exception(self, node_id: str, msg: str, formatted_tb: str) -> None:
        key = int(hashlib.md5(formatted_tb.encode(), usedforsecurity=False).hexdigest()[:15], 16)
        row = self.exceptions.setdefault(
            key, {"count": 0, "msg": msg, "traceback": formatted_tb, "nodes": set()}
        )
        row["count"] += 1
        row["nodes"].add(node_id)

    @property
    def greenlet(self) -> RunGreenlet:
        """What Locust's library scripts wait on: ``runner.greenlet.join()`` returns once the runner
        quit."""
        return RunGreenlet(self)

    # Custom messages -------------------------------------------------------------------------
    def register_message(self, msg_type: str, listener: Callable[..., Any], concurrent: bool = False) -> None:
        if msg_type in self.custom_messages:
            raise ValueError(f"A listener for message type '{msg_type}' is already registered")
        self.custom_messages[msg_type] = (listener, concurrent)

    @abstractmethod
    def send_message(self, msg_type: str, data: Any = None, client_id: str | None = None) -> None:
        """Send a custom message to the listener registered for ``msg_type`` on the other side."""


class LocalRunner(Runner):
    """Runs all users in this process. Every method must be called on the running loop."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.worker_index = 0
        self.worker_count = 1  # Locust's LocalRunner says 1: scripts divide work by it
        self.client_id = "local"
        # A dict as an ordered set: a user leaves in O(1), which matters when 100,000 stop at once.
        self._users: dict[asyncio.Task[None], User] = {}  # by task: the done-callback gets it
        self._on_user_done = self._user_done
        self._counts: dict[type[User], int] = {}  # alive
        self._dispatched: dict[type[User], int] = {}  # started and not stopped by the runner
        environment.events.user_error.add_listener(self._on_user_error)

    # Counts ----------------------------------------------------------------------------------
    @property
    def user_count(self) -> int:
        return len(self._users)

    @property
    def user_classes_count(self) -> dict[str, int]:
        """Users running now by class name; every class of the test is there, with 0 if none runs."""
        counts = {cls.__name__: 0 for cls in self.user_classes}
        counts.update((cls.__name__, n) for cls, n in self._counts.items() if n)
        return counts

    @property
    def users(self) -> list[User]:
        return list(self._users.values())

    # Exceptions from user code ---------------------------------------------------------------
    def _on_user_error(self, user_instance: Any, exception: BaseException, tb: Any, **_: Any) -> None:
        formatted = "".join(traceback.format_tb(tb))
        self.log_exception("local", str(exception) or repr(exception), formatted)

    # Ramping ---------------------------------------------------------------------------------
    async def _ramp(self, target: int, rate: float) -> None:
        """Start (or stop) users at ``rate`` per second until ``target`` were reached once.

        Counts users started or stopped, not users alive: a user that dies on its own (a failing
        on_start, StopUser) is not replaced, and the next user goes to the class due next whether
        or not the previous ones still run, as in Locust.
        """
        if not await self._test_start_done():
            return
        clock = self.clock
        started = clock.monotonic()
        current = sum(self._dispatched.values())
        adding = target >= current
        total = abs(target - current)
        done = 0
        classes = self.environment.user_classes
        if adding and logger.isEnabledFor(logging.DEBUG):
            self._log_ramp_plan(classes, target)
        while done < total:
            due = ramp.due(clock.monotonic() - started, rate, total)
            while done < due:
                if adding and not await call_sync(self._spawn_one, classes):  # __init__ may block
                    total = done  # only fixed_count classes, all at their count
                    break
                if not adding:
                    await self._stop_one()
                done += 1
                if done % SPAWN_SLICE == 0:
                    await asyncio.sleep(0)
            if done < total:
                await clock.sleep(SPAWN_TICK)
        self.state = RunnerState.RUNNING
        logger.info("All users spawned: %s", _format_counts(self.user_classes_count))
        self.environment.events.spawning_complete.fire(user_count=self.user_count)
        if self.environment.reset_stats:
            logger.info("Resetting stats")
            self.stats.reset_all()

    def _log_ramp_plan(self, classes: list[type[User]], target: int) -> None:
        """Locust's debug lines for a ramp up (one pair for the whole ramp, not one per batch)."""
        goal = {c.__name__: n for c, n in target_counts(classes, target).items()}
        now = {c.__name__: self._dispatched.get(c, 0) for c in classes}
        more = {name: max(0, n - now[name]) for name, n in goal.items()}
        logger.debug("Ramping to %s", _format_counts(goal))
        logger.debug("Spawning additional %s (%s already running)...", json.dumps(more), json.dumps(now))

    def _spawn_one(self, classes: list[type[User]], strict: bool = False) -> bool:
        """Start the next user; False when no class takes more. A user whose ``__init__`` fails is
        counted as started (Locust goes on spawning the others), and the run exits with code 2;
        ``strict`` (:meth:`spawn_users`, as Locust's) raises AssertionError for a missing
        ``super().__init__`` instead."""
        user_class = next_user_class(classes, self._dispatched)
        if user_class is None:
            return False
        self._dispatched[user_class] = self._dispatched.get(user_class, 0) + 1
        name = user_class.__name__
        try:
            user = user_class(self.environment)
        except StopTest as error:
            logger.error("Stopping the test: %s", error or f"{name} could not start")
            self.quit_later()
            return False
        except Exception as error:
            self.unhandled_errors += 1
            logger.error(
                "A %s user could not start: %s.__init__ raised %r", name, name, error, exc_info=error
            )
            return True
        if not getattr(user, "_init_called", False):
            missing = (
                f"Attribute 'environment' is missing on user {name}. Perhaps you defined your own "
                "__init__ and forgot to call the base constructor? (super().__init__(*args, **kwargs))"
            )
            if strict:
                raise AssertionError(missing)
            self.unhandled_errors += 1
            logger.error("A %s user could not start: %s", name, missing)
            return True
        self._counts[user_class] = self._counts.get(user_class, 0) + 1
        if self.arrivals is not None:
            user._arrivals = self.arrivals
        task = user.start()
        self._users[task] = user
        # One bound method and one (empty) context for every user, not a copy each: bytes per user.
        task.add_done_callback(self._on_user_done, context=NO_CONTEXT)
        return True

    def _user_done(self, task: asyncio.Task[None]) -> None:
        user = self._users.get(task)
        if user is not None:
            self._user_finished(user)

    def _user_finished(self, user: User) -> None:
        task = user.greenlet
        if task is None or self._users.pop(task, None) is None:
            return
        self._counts[type(user)] -= 1
        if not task.cancelled() and (error := task.exception()) is not None:
            self.unhandled_errors += 1
            logger.error("A %s user crashed: %r", type(user).__name__, error, exc_info=error)

    async def _stop_one(self) -> None:
        """One user fewer: the last started still running, else one that ended on its own."""
        if not self._users:
            stopped = max(self._dispatched, key=self._dispatched.__getitem__)
            self._dispatched[stopped] -= 1
            return
        user = next(reversed(self._users.values()))  # last started, first stopped
        self._dispatched[type(user)] -= 1
        await self._stop_users([user])

    def spawn_users(self, counts: dict[str, int], wait: bool = False) -> Any:
        """Start users at once, by class name (bypasses ramping); returns them. With ``wait``, waits
        until they have ended (blocks in sync code, as Locust's; async code awaits it)."""
        by_name = {c.__name__: c for c in self.environment.user_classes}
        before = set(self._users)
        for name, n in counts.items():
            for _ in range(n):
                self._spawn_one([by_name[name]], strict=True)
        started = [user for task, user in self._users.items() if task not in before]
        if not wait:
            return started
        return sync_or_async(self._until_ended([u.greenlet for u in started if u.greenlet], started))

    @staticmethod
    async def _until_ended(tasks: list[asyncio.Task[None]], result: list[User]) -> list[User]:
        if tasks:
            await asyncio.wait(tasks)
        return result

    def stop_users(self, counts: dict[str, int]) -> Any:
        """Stop this many users of each class (by name), the last started first, honouring
        ``stop_timeout``; returns once they have stopped (blocks in sync code, as Locust's)."""
        chosen: list[User] = []
        for name, n in counts.items():
            of_class = [u for u in reversed(self._users.values()) if type(u).__name__ == name]
            chosen.extend(of_class[:n])
        for user in chosen:
            self._dispatched[type(user)] -= 1
        return sync_or_async(self._stop_users(chosen))

    @property
    def user_greenlets(self) -> list[TaskGreenlet]:
        """The running users' tasks as Locust's scripts hold greenlets (``dead``, ``join``...)."""
        return [TaskGreenlet(task) for task in self._users]

    @property
    def spawning_greenlet(self) -> TaskGreenlet | None:
        """The ramp in progress (or the last one): ``join()`` waits for it, as in Locust."""
        return TaskGreenlet(self._spawn_task) if self._spawn_task is not None else None

    # Stopping --------------------------------------------------------------------------------
    async def _stop_users(self, users: list[User], caller: asyncio.Task[Any] | None = None) -> None:
        """Stop ``users``, each after its current task when ``stop_timeout`` allows. The user whose
        task called stop/quit (``caller``) stops at once: it is waiting for this very call."""
        timeout = self.environment.stop_timeout or 0
        tasks = [u.greenlet for u in users if u.greenlet is not None]
        for user in users:
            user.stop(force=not timeout or user.greenlet is caller)
        graceful = [task for task in tasks if task is not caller]
        if timeout and graceful:
            _, pending = await asyncio.wait(graceful, timeout=timeout)
            for task in pending:
                task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        for user in users:
            self._user_finished(user)

    async def _stop_all_users(self, caller: asyncio.Task[Any] | None) -> None:
        await self._stop_users(list(self._users.values()), caller)

    def _forget_dispatch(self) -> None:
        self._dispatched.clear()

    # Custom messages loop back in local mode --------------------------------------------------
    def send_message(self, msg_type: str, data: Any = None, client_id: str | None = None) -> None:
        entry = self.custom_messages.get(msg_type)
        if entry is None:
            logger.warning("Unknown message type received: %s", msg_type)
            return
        entry[0](environment=self.environment, msg=Message(msg_type, data, "local"))


def _calling_user() -> asyncio.Task[Any] | None:
    """The task of the user whose plain-def code is running now (its greenlet is inside it)."""
    if not in_sync_context():
        return None
    return asyncio.current_task(event_loop())


def _format_counts(counts: dict[str, int]) -> str:
    """``{"A": 3, "B": 2} (5 total users)``: Locust's shape, which scripts match."""
    return f"{json.dumps(dict(sorted(counts.items())))} ({sum(counts.values())} total users)"


class TaskGreenlet:
    """An asyncio task as Locust's scripts hold a greenlet: ``join()``, ``dead``, ``kill()``."""

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self._task = task

    @property
    def dead(self) -> bool:
        return self._task.done()

    def join(self, timeout: float | None = None) -> Any:
        """Until the task ended (True), or ``timeout`` seconds (False); blocks in sync code."""
        return sync_or_async(self._join(timeout))

    async def _join(self, timeout: float | None) -> bool:
        done, _ = await asyncio.wait([self._task], timeout=timeout)
        return bool(done)

    def get(self, timeout: float | None = None) -> Any:
        """Wait for the task and return its result, or raise its exception, as gevent's ``get``."""
        return sync_or_async(asyncio.wait_for(asyncio.shield(self._task), timeout))

    def kill(self) -> None:
        self._task.cancel()


class RunGreenlet:
    """``runner.greenlet``: Locust's is the group of its greenlets; scripts ``join()`` it."""

    def __init__(self, runner: Runner) -> None:
        self._runner = runner

    def join(self, timeout: float | None = None) -> Any:
        """Until the runner quit (True), or ``timeout`` seconds (False); blocks in sync code."""
        return sync_or_async(self._join(timeout))

    async def _join(self, timeout: float | None) -> bool:
        try:
            await asyncio.wait_for(self._runner.quit_event.wait(), timeout)
        except TimeoutError:
            return False
        return True
