"""The simulated user: one asyncio task running its task loop."""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from horde.concurrency.bridge import sync_or_async
from horde.concurrency.cooperative import event_loop
from horde.exception import StopTest, StopUser
from horde.user.task import (
    STATE_RUNNING,
    STATE_STOPPING,
    STATE_WAITING,
    DefaultTaskSet,
    TaskSet,
    _run_callable,
    get_tasks_from_base_classes,
)
from horde.user.wait_time import constant

if TYPE_CHECKING:
    from horde.runtime.arrivals import Arrivals
    from horde.runtime.environment import Environment
    from horde.runtime.health import HealthMonitor

logger = logging.getLogger("locust.user.users")  # Locust's logger name: scripts and filters match it


class UserMeta(type):
    """Collects tasks like TaskSetMeta, and makes every subclass non-abstract unless it says so."""

    def __new__(mcs, classname: str, bases: tuple[type, ...], class_dict: dict[str, Any]) -> Any:
        class_dict["tasks"] = get_tasks_from_base_classes(bases, class_dict)
        if "abstract" not in class_dict:
            class_dict["abstract"] = False
        return type.__new__(mcs, classname, bases, class_dict)


def _greenlet_in(group: Any, task: asyncio.Task[None]) -> Any:
    """A greenlet in gevent ``group`` that lives as long as ``task``."""
    from gevent.event import Event

    ended = Event()
    task.add_done_callback(lambda _: ended.set())
    return group.spawn(ended.wait)


class User(metaclass=UserMeta):
    """A simulated user. Subclass it, add ``@task`` methods, set ``wait_time``."""

    host: str | None = None
    min_wait: float | None = None
    max_wait: float | None = None
    wait_function: Callable[..., float] | None = None
    wait_time: Callable[..., float] = constant(0)
    tasks: list[Any] = []
    weight: float = 1
    fixed_count: int = 0
    abstract: bool = True
    # Set on the users that need them (class defaults: nothing per instance for the others).
    _arrivals: Arrivals | None = None  # set by the runner: the user serves arrivals
    _plan_lag = 0.0  # ms: how late the iteration under way started (see plan_next)
    _plan_every = 0.0  # ms: the pacing interval of a paced user

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self._state: str | None = None
        self._zero_waits = 0
        self._health: HealthMonitor | None = None  # told how late the user wakes up
        self._task: asyncio.Task[None] | None = None
        self._taskset_instance: TaskSet | None = None
        self._group: Any = None
        self._init_called = True

    # Lifecycle hooks -------------------------------------------------------------------------
    def on_start(self) -> None:
        """Runs once when the user starts."""

    def on_stop(self) -> None:
        """Runs once when the user stops (also when killed at the end of the test)."""

    def context(self) -> dict[str, Any]:
        """Merged into the ``context`` of every request this user reports."""
        return {}

    # Clients skip calling context() per request unless a subclass overrides it.
    context.returns_nothing = True  # type: ignore[attr-defined]

    # Running ------------------------------------------------------------------------------------
    async def _call_hook(self, name: str) -> None:
        hook = getattr(self, name)
        if getattr(hook, "__func__", None) is getattr(User, name):
            return
        await _run_callable(hook)

    def run(self) -> Any:
        """The user's whole life: on_start, the task loop, on_stop. Blocks in scripts and plain-def
        code (as Locust's), returns an awaitable in async code."""
        return sync_or_async(self._run())

    async def _run(self) -> None:
        self._state = STATE_RUNNING
        self._health = getattr(getattr(self.environment, "runner", None), "health", None)
        self._taskset_instance = DefaultTaskSet(self)
        try:
            try:
                await self._call_hook("on_start")
            except (StopUser, StopTest):
                raise
            except Exception as error:
                logger.error("%s\n%s", error, "".join(traceback.format_exception(error)))
                self.environment.events.user_error.fire(
                    user_instance=self, exception=error, tb=error.__traceback__
                )
                return  # the user dies, as in Locust: no retry
            if self._arrivals is None:
                pacing = getattr(self.wait_time, "pacing", None)
                if pacing is not None:
                    self.plan_next(0.0, pacing)  # the first iteration starts as planned
                await self._taskset_instance._run()
            else:
                await self._arrivals.serve(self)
        except (StopUser, StopTest, asyncio.CancelledError):
            await self._stop_hook()  # and the user simply ends: these are not errors
        finally:
            if self._plan_every or self._arrivals is not None:
                self.environment.stats.plans.pop(self._task, None)
            self._finished()

    def _finished(self) -> None:
        """Release what the user holds (subclasses close their clients here)."""

    async def _stop_hook(self) -> None:
        try:
            await self._call_hook("on_stop")
        except Exception:
            logger.error("Uncaught exception in on_stop:\n%s", traceback.format_exc())

    def plan_next(self, late: float, every: float) -> None:
        """The next iteration is planned ``every`` seconds after the last one's plan and will start
        ``late`` seconds after its plan (``constant_pacing`` says so): from then on this user's
        requests are also recorded from their planned start (``RequestStats.plans``). A user that
        serves arrivals is planned by them instead."""
        if self._arrivals is not None:
            return
        first = not self._plan_every
        self._plan_lag = late * 1000
        self._plan_every = every * 1000
        if first and self._task is not None:
            self.environment.stats.plans[self._task] = self

    def wait(self) -> Any:
        """Wait as between tasks (a point where a stopping user may be killed)."""
        assert self._taskset_instance is not None
        return self._taskset_instance.wait()

    def start(self, group: Any = None) -> Any:
        """Start the user's loop as an asyncio task on the running loop, and return it. Given a
        gevent ``Group`` (a script driving users by hand, as Locust's own tests do), the user is
        also a greenlet of that group, which ends with the task: that greenlet is returned."""
        self._group = group
        # A subclass's own run (Locust's style: a plain def, which may block) goes as any hook does.
        life = self._run() if type(self).run is User.run else _run_callable(self.run)
        task = self._task = event_loop().create_task(life)
        if group is not None and type(group).__module__.startswith("gevent"):
            self._group_greenlet = _greenlet_in(group, task)  # only such users have the attribute
            return self._group_greenlet
        return task

    def stop(self, force: bool = False) -> bool:
        """Stop the user: at once if ``force`` or it is waiting, else after its current task.

        Returns True if the user was killed at once.
        """
        task = self._task
        if task is None or task.done():
            return True
        if force or self._state in (STATE_WAITING, None):
            task.cancel()
            in_group = getattr(self, "_group_greenlet", None)
            if in_group is not None:  # out of its gevent group at once, as Locust kills it there
                import gevent

                self._group.killone(in_group, block=gevent.getcurrent() is not gevent.get_hub())
            return True
        self._state = STATE_STOPPING
        return False

    @property
    def greenlet(self) -> asyncio.Task[None] | None:
        """The user's asyncio task (Locust called it a greenlet)."""
        return self._task

    @property
    def group(self) -> Any:
        return self._group

    @classmethod
    def fullname(cls) -> str:
        """``module.Class`` (a class defined in a function without ``<locals>``, as Locust's)."""
        return f"{cls.__module__}.{cls.__qualname__.replace('.<locals>', '')}"

    @classmethod
    def json(cls) -> dict[str, Any]:
        return {
            "host": cls.host,
            "weight": cls.weight,
            "fixed_count": cls.fixed_count,
            "tasks": [getattr(t, "__name__", str(t)) for t in cls.tasks],
        }


def sleep(seconds: float) -> Any:
    """Cooperative sleep: blocks in plain-def user code, returns an awaitable in async code."""
    return sync_or_async(asyncio.sleep(seconds))
