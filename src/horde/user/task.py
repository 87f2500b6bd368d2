"""Tasks, tags and the TaskSet scheduler loop.

The scheduler is a coroutine. A task may be an ``async def`` (awaited directly), a plain function
(run inside the user's greenlet bridge, so it may block on client calls), or a TaskSet class
(instantiated and run until it is interrupted).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import random
import traceback
import types
from collections.abc import Callable, Generator, Iterable
from time import perf_counter
from typing import TYPE_CHECKING, Any, TypeVar

from horde.concurrency.bridge import await_, call_sync, sync_or_async
from horde.concurrency.loop import NO_CONTEXT
from horde.exception import (
    InterruptTaskSet,
    LocustError,
    MissingWaitTimeError,
    RescheduleTask,
    RescheduleTaskImmediately,
    StopTest,
    StopUser,
)

if TYPE_CHECKING:
    from horde.user.users import User

logger = logging.getLogger("locust.user.task")  # Locust's logger name: scripts and filters match it

F = TypeVar("F", bound=Callable[..., Any])

# User states, as Locust names them.
STATE_RUNNING = "running"
STATE_WAITING = "waiting"
STATE_STOPPING = "stopping"

_KIND_ASYNC, _KIND_SYNC, _KIND_TASKSET = 0, 1, 2

# A zero wait hands the loop to the other users only every this many tasks: a task that does I/O
# has already let them run while it waited, and a pass through the loop costs about 10k
# instructions (bench/README.md). A user whose tasks never suspend holds the loop this long at most.
ZERO_WAIT_YIELD_EVERY = 32
_kind_cache: dict[Any, int] = {}


def task(weight: Any = 1) -> Any:
    """Mark a method as a task, optionally with an integer weight: ``@task`` or ``@task(3)``."""

    def decorate(func: F) -> F:
        if func.__name__ in ("on_start", "on_stop"):
            logger.warning("You have tagged your %s method as a task; it will run as one", func.__name__)
        if func.__name__ == "run":
            raise LocustError("User.run() is not a task; rename the method")
        func.locust_task_weight = weight  # type: ignore[attr-defined]
        return func

    if callable(weight):  # bare @task
        func, weight = weight, 1
        return decorate(func)
    return decorate


def tag(*tags: str) -> Callable[[F], F]:
    """Tag a task or TaskSet so ``-T/--tags`` and ``-E/--exclude-tags`` can select it."""
    if not tags:
        raise ValueError("No tag name was supplied")  # Locust's words: @tag() is a mistake
    for name in tags:
        if not isinstance(name, str):
            raise ValueError("tags must be strings, e.g. @tag('checkout')")

    def decorate(target: F) -> F:
        existing: set[str] = getattr(target, "locust_tag_set", set())
        target.locust_tag_set = existing | set(tags)  # type: ignore[attr-defined]
        if inspect.isclass(target) and hasattr(target, "tasks"):
            for item in target.tasks:
                tag(*tags)(item)
        return target

    return decorate


def _expand(tasks: Any) -> list[Any]:
    """``tasks`` as a list, dict {task: weight} or list of (task, weight), expanded by weight."""
    expanded: list[Any] = []
    if isinstance(tasks, dict):
        tasks = list(tasks.items())
    for item in tasks:
        if isinstance(item, tuple) and len(item) == 2:
            entry, weight = item
            expanded.extend([entry] * int(weight))
        elif callable(item):
            expanded.append(item)
        else:
            raise LocustError(f"tasks must hold callables or TaskSet classes, not {item!r}")
    return expanded


def get_tasks_from_base_classes(bases: Iterable[type], class_dict: dict[str, Any]) -> list[Any]:
    """Inherited tasks first, then the class's ``tasks`` attribute, then its ``@task`` methods."""
    new_tasks: list[Any] = []
    for base in bases:
        if hasattr(base, "tasks") and base.tasks:
            new_tasks.extend(base.tasks)
    if class_dict.get("tasks"):
        new_tasks.extend(_expand(class_dict["tasks"]))
    for item in class_dict.values():
        if "locust_task_weight" in dir(item):
            new_tasks.extend([item] * int(item.locust_task_weight))
    return new_tasks


def task_kind(entry: Any) -> int:
    kind = _kind_cache.get(entry)
    if kind is None:
        if inspect.isclass(entry) and issubclass(entry, TaskSet):
            kind = _KIND_TASKSET
        elif inspect.iscoroutinefunction(entry):
            kind = _KIND_ASYNC
        else:
            kind = _KIND_SYNC
        if not isinstance(entry, types.MethodType):  # a bound method would keep its user alive
            _kind_cache[entry] = kind
    return kind


def filter_tasks_by_tags(
    holder: Any,
    tags: set[str] | None = None,
    exclude_tags: set[str] | None = None,
    checked: dict[Any, bool] | None = None,
) -> None:
    """Keep only tasks with a wanted tag and without an excluded one (recursively, in place)."""
    if checked is None:
        checked = {}
    kept: list[Any] = []
    for entry in holder.tasks:
        if entry in checked:
            if checked[entry]:
                kept.append(entry)
            continue
        passing = True
        entry_tags: set[str] = getattr(entry, "locust_tag_set", set())
        if inspect.isclass(entry) and hasattr(entry, "tasks"):  # a TaskSet (or a User) used as a task
            filter_tasks_by_tags(entry, tags, exclude_tags, checked)
            passing = bool(entry.tasks)
        else:
            if tags is not None:
                passing &= bool(entry_tags & tags)
            if exclude_tags is not None:
                passing &= not (entry_tags & exclude_tags)
        checked[entry] = passing
        if passing:
            kept.append(entry)
    holder.tasks = kept


class TaskSetMeta(type):
    """Collects ``@task`` methods and ``tasks`` into one weighted list per class."""

    def __new__(mcs, classname: str, bases: tuple[type, ...], class_dict: dict[str, Any]) -> Any:
        class_dict["tasks"] = get_tasks_from_base_classes(bases, class_dict)
        return type.__new__(mcs, classname, bases, class_dict)


async def planned_sleep(user: User, pause: float) -> None:
    """Sleep between tasks, and tell the health monitor how late the user woke up.

    A bare future and timer rather than ``asyncio.sleep``: one coroutine frame fewer held by
    every sleeping user (memory per user is what limits 100,000-user runs).
    """
    if pause <= 0:
        await _pass_turn()
        return
    due = perf_counter() + pause
    future = asyncio.get_running_loop().create_future()
    timer = future.get_loop().call_later(pause, _wake, future, context=NO_CONTEXT)
    try:
        await future
    finally:
        timer.cancel()
    late = perf_counter() - due
    if user._plan_every and late > 0:  # a paced user: its next start is later than planned
        user._plan_lag += late * 1000
    health = user._health
    if health is not None:
        health.record_schedule_lag(late)


@types.coroutine
def _pass_turn() -> Generator[None, None, None]:
    """Let the loop run what else is ready, then go on: ``asyncio.sleep(0)``, one level less."""
    yield


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _run_callable(fn: Callable[..., Any], *args: Any) -> Any:
    """Await ``fn(*args)`` if it is a coroutine function, else run it in a bridge greenlet."""
    if task_kind(fn) == _KIND_ASYNC:
        return await fn(*args)
    return await call_sync(fn, *args)


class TaskSet(metaclass=TaskSetMeta):
    """A group of tasks picked at random by weight; nestable. Leave it with :meth:`interrupt`."""

    tasks: list[Any] = []
    min_wait: float | None = None
    max_wait: float | None = None
    wait_function: Callable[..., float] | None = None

    def __init__(self, parent: Any) -> None:
        self._task_queue: list[Any] = []
        if isinstance(parent, TaskSet):
            self._user: User = parent.user
        else:
            self._user = parent
        self._parent = parent
        # Unless a subclass runs tasks its own way, the loop runs them itself: plain-def ones back to
        # back in the greenlet, async ones awaited directly.
        self._own_execute_task = type(self).execute_task is TaskSet.execute_task
        self._plain_wait = type(self).wait_time is TaskSet.wait_time
        if self.min_wait is None:
            self.min_wait = self.user.min_wait
        if self.max_wait is None:
            self.max_wait = self.user.max_wait
        if self.wait_function is None:
            self.wait_function = self.user.wait_function

    @property
    def user(self) -> User:
        return self._user

    @property
    def parent(self) -> Any:
        return self._parent

    @property
    def client(self) -> Any:
        return self._user.client  # type: ignore[attr-defined]

    def on_start(self) -> None:
        """Runs when this TaskSet starts (each time it is picked as a task)."""

    def on_stop(self) -> None:
        """Runs when this TaskSet is interrupted or its user stops."""

    async def _call_hook(self, name: str) -> None:
        hook = getattr(self, name)
        if getattr(hook, "__func__", None) is getattr(TaskSet, name):
            return  # not overridden: no greenlet needed
        await _run_callable(hook)

    def run(self) -> Any:
        """Run this TaskSet until it is interrupted: blocks in plain-def code and scripts (as
        Locust's), returns an awaitable in async code. Raises RescheduleTask(Immediately) when
        interrupted, StopUser when its user stops."""
        return sync_or_async(self._run())

    async def _run(self) -> None:
        try:
            await self._call_hook("on_start")
        except InterruptTaskSet as e:
            raise (RescheduleTaskImmediately if e.reschedule else RescheduleTask)() from e
        # The loop body (pick, run, wait) is written out here rather than split into helper
        # coroutines: each extra await level costs time on every task of every user.
        user = self._user
        pick_from = self._pick_from()
        last_entry: Any = None  # the last async task run (usually the next one too)
        last_call: Any = None  # it, with the user or TaskSet it is given bound as a method
        while True:
            try:
                try:
                    entry = self._next_task(pick_from)
                except LocustError as error:  # no tasks: as in Locust, an error of the user's
                    self._task_failed(error)  # again after each wait, and the user goes on
                    await self.wait()
                    continue
                if user._state == STATE_STOPPING:
                    raise StopUser()
                kind = _kind_cache.get(entry)
                if kind is None:
                    kind = task_kind(entry)
                if self._own_execute_task and kind == _KIND_SYNC:
                    # This task and the plain-def ones after it run in the user's greenlet until
                    # a task of another kind comes up or the user must really wait.
                    pause = await call_sync(self._run_sync_tasks, entry)
                    if pause is None:
                        continue
                    # Sleep out here: the greenlet went back to the pool and the user waits
                    # without one (its stacks cost several KiB).
                else:
                    try:
                        if kind == _KIND_ASYNC and self._own_execute_task:
                            # execute_task is not overridden: what it would do, one await level
                            # less (every resumption of the task passes through each level).
                            if entry is not last_entry:
                                last_entry, last_call = entry, self._bound(entry)
                            await last_call()
                        else:
                            await self._run_task(entry)
                    except BaseException as error:
                        if not self._task_ended_with(error):
                            continue
                    if user._state == STATE_STOPPING:
                        raise StopUser()
                    pause = self._pause()
                    if pause <= 0 and user._zero_waits < ZERO_WAIT_YIELD_EVERY:
                        user._zero_waits += 1
                        continue
                # The wait, written out here rather than in a helper coroutine: a sleeping user
                # holds every frame of its await chain, and 100,000 users hold 100,000 of each.
                user._zero_waits = 0
                user._state = STATE_WAITING
                if pause > 0:
                    await planned_sleep(user, pause)
                else:
                    await _pass_turn()
                if user._state == STATE_STOPPING:
                    raise StopUser()
                user._state = STATE_RUNNING
            except InterruptTaskSet as e:
                await self._on_stop_logged()
                raise (RescheduleTaskImmediately if e.reschedule else RescheduleTask)() from e
            except BaseException:  # StopUser, StopTest, or cancelled because the user is killed
                await self._on_stop_logged()
                raise

    def _pick_from(self) -> Any:
        """Where get_next_task, unless overridden, reads the tasks (the user or this TaskSet), so
        that the loops pick a single task without the call; None when it is overridden."""
        pick = type(self).get_next_task
        if pick is DefaultTaskSet.get_next_task:
            return self._user
        return self if pick is TaskSet.get_next_task else None

    def _run_sync_tasks(self, entry: Any) -> float | None:
        """The loop of :meth:`run` for plain-def tasks, run inside the user's greenlet.

        A plain-def task run on its own costs four greenlet switches (in, out for each awaited
        request and back, out at the end); here consecutive ones cost only the switches of their
        requests. Returns the pause when the user must wait (the coroutine loop sleeps, without
        the greenlet), or None once the next task is not a plain function, leaving it at the head
        of the queue; exceptions leave as they would leave that loop. Written out flat (no helper
        calls for arguments, waits or kinds): it runs once per task.
        """
        user = self._user
        queue = self._task_queue
        task_args: dict[Any, tuple[Any, ...]] = {}  # per run of the loop: nothing kept while asleep
        pick_from = self._pick_from()
        while True:
            args = task_args.get(entry)
            if args is None:
                args = task_args[entry] = self._task_args(entry)
            wait = True
            try:
                entry(*args)
            except BaseException as error:
                wait = self._task_ended_with(error)
            if wait:
                if user._state == STATE_STOPPING:
                    raise StopUser()
                pause = self._pause()
                if pause > 0:
                    return pause
                if user._zero_waits >= ZERO_WAIT_YIELD_EVERY:
                    user._zero_waits = 0
                    await_(_pass_turn())
                    if user._state == STATE_STOPPING:
                        raise StopUser()
                else:
                    user._zero_waits += 1
            entry = self._next_task(pick_from)
            if _kind_cache.get(entry) != _KIND_SYNC and task_kind(entry) != _KIND_SYNC:
                queue.insert(0, entry)  # the coroutine loop runs it next
                return None
            if user._state == STATE_STOPPING:
                raise StopUser()

    # One iteration, in parts: both loops above and run_iteration are made of these -------------
    def _next_task(self, pick_from: Any) -> Any:
        """The next task: the head of the queue, else a pick (``pick_from``: see _pick_from)."""
        queue = self._task_queue
        if queue:
            return queue.pop(0)
        if pick_from is not None and len(tasks := pick_from.tasks) == 1:
            return tasks[0]  # one task: no call, no random number
        return self.get_next_task()

    async def _run_task(self, entry: Any) -> None:
        """Run one task of any kind, as execute_task would (a subclass's own included)."""
        if self._own_execute_task:
            await self._execute_task(entry)
        else:  # a subclass's, often Locust's plain def calling super()
            await _run_callable(self.execute_task, entry)

    def _task_ended_with(self, error: BaseException) -> bool:
        """What a task's exception means: True to wait before the next task (it failed, and the
        user goes on; or RescheduleTask), False to go on at once (RescheduleTaskImmediately).
        Raises again what ends the TaskSet, the user or the test, and a cancellation."""
        if isinstance(error, RescheduleTaskImmediately):
            return False
        if isinstance(error, RescheduleTask):
            return True
        if isinstance(error, (InterruptTaskSet, StopUser, StopTest)) or not isinstance(error, Exception):
            raise error
        self._task_failed(error)
        return True

    def _pause(self) -> float:
        """The wait after a task: the user's wait_time, or this TaskSet's own."""
        user_wait = self._user.wait_time
        if self._plain_wait and user_wait is not None:
            return float(user_wait())  # TaskSet.wait_time, written out
        return self.wait_time()

    async def run_iteration(self) -> None:
        """One turn of the loop without its wait: the next task (queued, else picked), run to its
        end; its failure reported as the loop reports it. For executors that start iterations
        on a schedule of their own (an arrival rate) rather than after each wait. Raises what
        would end the loop (StopUser, StopTest, InterruptTaskSet)."""
        entry = self._next_task(self._pick_from())
        try:
            await self._run_task(entry)
        except BaseException as error:
            self._task_ended_with(error)

    def _task_failed(self, error: Exception) -> None:
        user = self._user
        user.environment.events.user_error.fire(user_instance=self, exception=error, tb=error.__traceback__)
        if not user.environment.catch_exceptions:
            raise error
        logger.error("%s\n%s", error, "".join(traceback.format_exception(error)))

    async def _on_stop_logged(self) -> None:
        try:
            await self._call_hook("on_stop")
        except (StopUser, StopTest):
            raise
        except Exception:
            logger.error("Uncaught exception in on_stop:\n%s", traceback.format_exc())

    def execute_next_task(self) -> Any:
        """Run the next scheduled task (see :meth:`execute_task`)."""
        return self.execute_task(self._task_queue.pop(0))

    def execute_task(self, entry: Any) -> Any:
        """Run one task: blocks in plain-def code (a subclass's override calling ``super()``, as
        in Locust), returns an awaitable in async code."""
        return sync_or_async(self._execute_task(entry))

    async def _execute_task(self, entry: Any) -> None:
        kind = task_kind(entry)
        if kind == _KIND_TASKSET:
            await run_taskset(entry(self))
            return
        if kind == _KIND_ASYNC:
            await entry(*self._task_args(entry))
        else:
            await call_sync(entry, *self._task_args(entry))

    def _task_args(self, entry: Any) -> tuple[Any, ...]:
        """A task gets this TaskSet unless it is a method already bound to it."""
        return () if getattr(entry, "__self__", None) is self else (self,)

    def _bound(self, entry: Any) -> Any:
        """``entry`` with its arguments (see _task_args) bound: a bound method's call goes
        through vectorcall, ``entry(*args)`` through a tuple."""
        args = self._task_args(entry)
        return types.MethodType(entry, args[0]) if args else entry

    def schedule_task(self, task_callable: Any, first: bool = False) -> None:
        """Queue a task to run before the next random pick (at the front with ``first=True``)."""
        if first:
            self._task_queue.insert(0, task_callable)
        else:
            self._task_queue.append(task_callable)

    def get_next_task(self) -> Any:
        if not self.tasks:  # Locust's words, which say what to do
            typo = ", but you have set a 'task' attribute - maybe you meant to set 'tasks'?"
            raise LocustError(
                f"No tasks defined on {type(self).__name__}{typo if getattr(self, 'task', None) else '.'} "
                "use the @task decorator or set the 'tasks' attribute of the TaskSet"
            )
        tasks = self.tasks
        return tasks[0] if len(tasks) == 1 else random.choice(tasks)

    def wait_time(self) -> float:
        """The user's wait_time unless this TaskSet defines its own."""
        user = self._user
        if user.wait_time is not None:
            return float(user.wait_time())
        if self.min_wait is not None and self.max_wait is not None:
            return random.randint(int(self.min_wait), int(self.max_wait)) / 1000.0
        raise MissingWaitTimeError(
            "You must define a wait_time on your User or TaskSet, e.g. wait_time = between(1, 5)"
        )

    def _check_stop_condition(self) -> None:
        if self._user._state == STATE_STOPPING:
            raise StopUser()

    async def _wait(self) -> None:
        user = self._user
        self._check_stop_condition()
        user._state = STATE_WAITING
        await planned_sleep(user, self.wait_time())
        self._check_stop_condition()
        user._state = STATE_RUNNING

    def wait(self) -> Any:
        """Wait as between tasks. Blocks in plain-def code; ``await`` it in async code."""
        return sync_or_async(self._wait())

    def interrupt(self, reschedule: bool = True) -> None:
        """Leave this TaskSet and return control to its parent."""
        raise InterruptTaskSet(reschedule)


class DefaultTaskSet(TaskSet):
    """Runs a User's own tasks; its tasks receive the user, not this TaskSet."""

    def get_next_task(self) -> Any:
        tasks = self._user.tasks
        if not tasks:
            user = self._user
            typo = ", but you have set a 'task' attribute on your class - maybe you meant to set 'tasks'?"
            raise LocustError(
                f"No tasks defined on {type(user).__name__}{typo if getattr(user, 'task', None) else '.'} "
                "Use the @task decorator or set the 'tasks' attribute of the User (or mark it as "
                "abstract = True if you only intend to subclass it)"
            )
        return tasks[0] if len(tasks) == 1 else random.choice(tasks)

    async def _execute_task(self, entry: Any) -> None:
        kind = task_kind(entry)
        user = self._user
        if kind == _KIND_TASKSET:
            await run_taskset(entry(user))
            return
        if kind == _KIND_ASYNC:
            await entry(*self._task_args(entry))
        else:
            await call_sync(entry, *self._task_args(entry))

    def _task_args(self, entry: Any) -> tuple[Any, ...]:
        """A User's task gets the user unless it is already bound (a method of the user)."""
        return () if getattr(entry, "__self__", None) is not None else (self._user,)

    async def _call_hook(self, name: str) -> None:
        return None  # the user's own on_start/on_stop are called by the user


async def run_taskset(taskset: TaskSet) -> None:
    """Run a TaskSet from the loop: its own loop directly, or its subclass's ``run`` (a plain def,
    Locust's style, in a greenlet of its own)."""
    if type(taskset).run is TaskSet.run:
        await taskset._run()
    else:
        await _run_callable(taskset.run)
