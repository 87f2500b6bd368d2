"""The task loop: task kinds, TaskSet nesting, interrupts, flow-control exceptions, on_start/on_stop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from itertools import groupby
from types import SimpleNamespace
from typing import Any

import pytest

from horde.concurrency import bridge
from horde.exception import (
    InterruptTaskSet,
    RescheduleTask,
    RescheduleTaskImmediately,
    StopTest,
    StopUser,
)
from horde.runtime.events import Events
from horde.user import task as task_module
from horde.user.markov_taskset import MarkovTaskSet, transition, transitions
from horde.user.sequential_taskset import SequentialTaskSet
from horde.user.task import TaskSet, task
from horde.user.users import User
from horde.user.users import sleep as horde_sleep
from horde.user.wait_time import constant


def make_env(catch_exceptions: bool = True) -> Any:
    return SimpleNamespace(events=Events(), catch_exceptions=catch_exceptions)


def run_user(user_class: type[User], env: Any = None, timeout: float = 2.0) -> User:
    env = env or make_env()
    user = user_class(env)

    async def main() -> None:
        await asyncio.wait_for(user.start(), timeout)

    asyncio.run(main())
    return user


class Recorder(User):
    abstract = True
    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self.log: list[str] = []

    def note(self, what: str, limit: int = 50) -> None:
        self.log.append(what)
        if len(self.log) >= limit:
            raise StopUser()


def test_sync_and_async_tasks_run_in_the_same_user() -> None:
    class Mixed(Recorder):
        def on_start(self) -> None:
            self.log.append("start")

        @task
        def sync_task(self) -> None:
            self.note("sync", limit=200)

        @task
        async def async_task(self) -> None:
            await asyncio.sleep(0)
            self.note("async", limit=200)

        def on_stop(self) -> None:
            self.log.append("stop")

    user = run_user(Mixed)
    assert user.log[0] == "start"
    assert user.log[-1] == "stop"
    assert {"sync", "async"} <= set(user.log)


def test_weights_shape_the_mix() -> None:
    class Weighted(Recorder):
        @task(9)
        def heavy(self) -> None:
            self.note("heavy", limit=2000)

        @task(1)
        def light(self) -> None:
            self.note("light", limit=2000)

    user = run_user(Weighted)
    heavy = user.log.count("heavy")
    assert 0.85 < heavy / len(user.log) < 0.95


def test_tasks_attribute_forms_are_expanded_by_weight() -> None:
    def a(user: Any) -> None:
        pass

    def b(user: Any) -> None:
        pass

    class AsDict(User):
        tasks = {a: 3, b: 1}

    class AsTuples(User):
        tasks = [(a, 2), (b, 1)]

    class AsList(User):
        tasks = [a, b]

    assert AsDict.tasks.count(a) == 3 and AsDict.tasks.count(b) == 1
    assert AsTuples.tasks.count(a) == 2 and AsTuples.tasks.count(b) == 1
    assert AsList.tasks == [a, b]


def test_inherited_tasks_come_first() -> None:
    class Base(User):
        abstract = True

        @task
        def base_task(self) -> None:
            pass

    class Child(Base):
        @task
        def child_task(self) -> None:
            pass

    assert [t.__name__ for t in Child.tasks] == ["base_task", "child_task"]
    assert Base.abstract is True and Child.abstract is False


def test_nested_taskset_interrupt_returns_to_parent() -> None:
    class Inner(TaskSet):
        def on_start(self) -> None:
            self.user.log.append("inner-start")

        @task
        def work(self) -> None:
            self.user.log.append("inner-work")
            self.interrupt()

        def on_stop(self) -> None:
            self.user.log.append("inner-stop")

    class Once(Recorder):
        @task
        def outer(self) -> None:
            self.note("outer", limit=10)

        tasks = [Inner]

    user = run_user(Once)
    # Every visit to Inner starts, works once, is interrupted and stops, then control is back.
    inner_runs = user.log.count("inner-start")
    assert inner_runs == user.log.count("inner-work") == user.log.count("inner-stop")
    assert inner_runs > 0
    for i, entry in enumerate(user.log):
        if entry == "inner-start":
            assert user.log[i + 1 : i + 3] == ["inner-work", "inner-stop"]


def test_interrupt_without_reschedule_waits_first() -> None:
    waits: list[str] = []

    class Inner(TaskSet):
        @task
        def leave(self) -> None:
            self.interrupt(reschedule=False)

    class U(Recorder):
        tasks = [Inner]

        def wait_time(self) -> float:
            waits.append("w")
            if len(waits) >= 3:
                raise StopUser()
            return 0

    run_user(U)
    assert len(waits) == 3


def test_reschedule_exceptions_control_the_wait() -> None:
    waits: list[int] = []

    class U(Recorder):
        def wait_time(self) -> float:
            waits.append(len(self.log))
            return 0

        @task
        def t(self) -> None:
            n = len(self.log)
            self.note("t", limit=6)
            if n % 2 == 0:
                raise RescheduleTaskImmediately()
            raise RescheduleTask()

    user = run_user(U)
    assert len(user.log) == 6
    # Only RescheduleTask (odd runs) led to a wait.
    assert waits == [2, 4]


def test_task_exception_is_reported_and_user_goes_on() -> None:
    env = make_env()
    errors: list[Any] = []
    env.events.user_error.add_listener(lambda **kw: errors.append(kw))

    class U(Recorder):
        @task
        def flaky(self) -> None:
            self.note("ran", limit=3)
            raise ValueError("boom")

    user = run_user(U, env)
    assert user.log == ["ran"] * 3
    assert len(errors) == 2
    assert isinstance(errors[0]["exception"], ValueError)
    assert errors[0]["user_instance"] is not None and errors[0]["tb"] is not None


def test_one_iteration_runs_one_task_of_any_kind_without_the_wait() -> None:
    env = make_env()
    errors: list[Any] = []
    env.events.user_error.add_listener(lambda exception, **_: errors.append(exception))

    class Inner(TaskSet):
        @task
        def once(self) -> None:
            self.user.log.append("inner")
            self.interrupt()

    class Pooled(User):
        wait_time = constant(60)  # an iteration that waited would time out below

        def __init__(self, environment: Any) -> None:
            super().__init__(environment)
            self.log: list[str] = []

        @task
        def plain(self) -> None:
            self.log.append("plain")
            if len(self.log) == 3:
                raise ValueError("the third failed")

        @task
        async def coroutine(self) -> None:
            self.log.append("async")

        @task
        def leave(self) -> None:
            raise StopUser()

    user = Pooled(env)
    taskset = task_module.DefaultTaskSet(user)

    async def main() -> None:
        for entry in (Pooled.plain, Pooled.coroutine, Pooled.plain, Inner, Pooled.coroutine):
            taskset.schedule_task(entry)
            await asyncio.wait_for(taskset.run_iteration(), 1.0)
        taskset.schedule_task(Pooled.leave)
        with pytest.raises(StopUser):
            await taskset.run_iteration()
        for _ in range(30):  # picked by weight when nothing is queued
            with contextlib.suppress(StopUser):
                await asyncio.wait_for(taskset.run_iteration(), 1.0)

    asyncio.run(main())
    assert user.log[:5] == ["plain", "async", "plain", "inner", "async"]
    assert set(user.log[5:]) <= {"plain", "async"} and len(user.log[5:]) >= 5  # of ~20
    assert [str(error) for error in errors] == ["the third failed"]  # reported; the iteration returned


def test_stop_test_in_a_task_only_ends_that_user() -> None:
    class U(Recorder):
        @task
        def t(self) -> None:
            self.log.append("t")
            raise StopTest()

        def on_stop(self) -> None:
            self.log.append("stop")

    assert run_user(U).log == ["t", "stop"]


def test_on_start_failure_kills_the_user_without_running_tasks() -> None:
    env = make_env()
    errors: list[Any] = []
    env.events.user_error.add_listener(lambda **kw: errors.append(kw["exception"]))

    class U(Recorder):
        def on_start(self) -> None:
            raise RuntimeError("login failed")

        @task
        def t(self) -> None:
            self.log.append("t")

    assert run_user(U, env).log == []
    assert [type(e) for e in errors] == [RuntimeError]


def test_sequential_taskset_runs_in_declaration_order() -> None:
    def extra(ts: Any) -> None:
        ts.user.log.append("extra")

    class Journey(SequentialTaskSet):
        @task
        def login(self) -> None:
            self.user.log.append("login")

        tasks = [extra]

        @task(2)
        def browse(self) -> None:
            self.user.log.append("browse")

        @task
        def checkout(self) -> None:
            self.user.note("checkout", limit=10)

    class U(Recorder):
        tasks = [Journey]

    log = run_user(U).log
    assert log == ["login", "extra", "browse", "browse", "checkout"] * 2


@pytest.mark.parametrize("kind", ["async", "def"])
def test_a_single_task_is_read_afresh_each_time_and_an_overridden_pick_is_called(kind: str) -> None:
    # The loops pick a lone task themselves instead of calling get_next_task: the list is read
    # again for every task (a task may replace it), and a get_next_task of its own is still used.
    async def second_async(user: Any) -> None:
        user.note("second", limit=6)

    def second_def(user: Any) -> None:
        user.note("second", limit=6)

    async def first_async(user: Any) -> None:
        user.note("first")
        user.tasks = [second_async]

    def first_def(user: Any) -> None:
        user.note("first")
        user.tasks = [second_def]

    class Swapping(Recorder):
        tasks = [first_async if kind == "async" else first_def]

    assert run_user(Swapping).log == ["first", "second", "second", "second", "second", "second"]

    class Picky(TaskSet):
        def get_next_task(self) -> Any:
            self.user.log.append("picked")
            return super().get_next_task()

        def only(self) -> None:
            self.user.note("ran", limit=6)

        async def only_async(self) -> None:
            self.user.note("ran", limit=6)

        tasks = [only if kind == "def" else only_async]

    class UsesPicky(Recorder):
        tasks = [Picky]

    assert run_user(UsesPicky).log == ["picked", "ran"] * 3


@pytest.mark.parametrize("kind", ["async", "def"])
def test_zero_wait_users_whose_tasks_never_suspend_still_take_turns(kind: str) -> None:
    # A task that does I/O lets the other users run while it waits. One that never suspends must
    # not hold the loop for good: after ZERO_WAIT_YIELD_EVERY + 1 such tasks the user passes its turn.
    order: list[int] = []

    def busy_def(user: Any) -> None:
        order.append(user.number)
        if len(order) >= 1000:
            raise StopUser()  # a user that never passes its turn ends here rather than hang the test

    async def busy_async(user: Any) -> None:
        busy_def(user)

    class Busy(User):
        wait_time = constant(0)
        tasks = [busy_async if kind == "async" else busy_def]

    async def main() -> None:
        users = [Busy(make_env()) for _ in range(2)]
        for number, user in enumerate(users):
            user.number = number  # type: ignore[attr-defined]
        handles = [user.start() for user in users]
        while len(order) < 400:
            await asyncio.sleep(0)
        for user in users:
            user.stop(force=True)
        await asyncio.gather(*handles, return_exceptions=True)

    asyncio.run(main())
    runs = [len(list(stretch)) for _, stretch in groupby(order)]  # consecutive tasks of one user
    assert len(runs) > 400 // (task_module.ZERO_WAIT_YIELD_EVERY + 1)
    assert max(runs) == task_module.ZERO_WAIT_YIELD_EVERY + 1


def test_markov_taskset_follows_transitions() -> None:
    class Flow(MarkovTaskSet):
        @transition("browse")
        def home(self) -> None:
            self.user.log.append("home")

        @transitions({"checkout": 1})
        def browse(self) -> None:
            self.user.log.append("browse")

        @transitions(["home"])
        def checkout(self) -> None:
            self.user.note("checkout", limit=9)

    class U(Recorder):
        tasks = [Flow]

    assert run_user(U).log == ["home", "browse", "checkout"] * 3


def test_markov_taskset_rejects_unknown_target() -> None:
    from horde.user.markov_taskset import MarkovTaskSetError

    with pytest.raises(MarkovTaskSetError, match="unknown method 'nowhere'"):

        class Broken(MarkovTaskSet):
            @transition("nowhere")
            def start(self) -> None:
                pass


def test_stop_cancels_a_waiting_user_and_runs_on_stop() -> None:
    class Sleeper(User):
        wait_time = constant(60)

        def __init__(self, environment: Any) -> None:
            super().__init__(environment)
            self.log: list[str] = []

        @task
        def t(self) -> None:
            self.log.append("t")

        def on_stop(self) -> None:
            self.log.append("stop")

    async def main() -> list[str]:
        user = Sleeper(make_env())
        task_handle = user.start()
        await asyncio.sleep(0.01)
        assert user.stop() is True  # waiting users are killed at once
        await asyncio.wait_for(task_handle, 1)
        return user.log

    assert asyncio.run(main()) == ["t", "stop"]


def test_graceful_stop_lets_the_running_task_finish() -> None:
    class Busy(User):
        wait_time = constant(0)

        def __init__(self, environment: Any) -> None:
            super().__init__(environment)
            self.log: list[str] = []

        @task
        async def t(self) -> None:
            self.log.append("begin")
            await asyncio.sleep(0.05)
            self.log.append("end")

    async def main() -> list[str]:
        user = Busy(make_env())
        handle = user.start()
        await asyncio.sleep(0.01)
        assert user.stop(force=False) is False
        await asyncio.wait_for(handle, 1)
        return user.log

    assert asyncio.run(main()) == ["begin", "end"]


def test_graceful_stop_lets_a_blocking_def_task_finish() -> None:
    class Busy(User):
        wait_time = constant(0)

        def __init__(self, environment: Any) -> None:
            super().__init__(environment)
            self.log: list[str] = []

        @task
        def t(self) -> None:
            self.log.append("begin")
            horde_sleep(0.05)
            self.log.append("end")

    async def main() -> list[str]:
        user = Busy(make_env())
        handle = user.start()
        await asyncio.sleep(0.01)
        assert user.stop(force=False) is False
        await asyncio.wait_for(handle, 1)
        return user.log

    assert asyncio.run(main()) == ["begin", "end"]


def test_interrupt_outside_taskset_raises() -> None:
    class Inner(TaskSet):
        pass

    with pytest.raises(InterruptTaskSet):
        Inner(SimpleNamespace(min_wait=None, max_wait=None, wait_function=None)).interrupt()


def test_consecutive_def_tasks_share_one_bridge_call_until_an_async_task_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_call = bridge.call_sync

    async def counting_call(fn: Any, *args: Any) -> Any:
        calls.append(getattr(fn, "__name__", "?"))
        return await real_call(fn, *args)

    monkeypatch.setattr(task_module, "call_sync", counting_call)

    class U(Recorder):
        @task
        def one(self) -> None:
            self.note("one", limit=7)

        @task
        def two(self) -> None:
            self.note("two", limit=7)

        @task
        async def three(self) -> None:
            self.note("three", limit=7)

        def on_start(self) -> None:
            for entry in [U.one, U.two, U.three, U.one, U.two, U.one, U.two]:
                self._taskset_instance.schedule_task(entry)  # type: ignore[union-attr]

    user = run_user(U)
    assert user.log == ["one", "two", "three", "one", "two", "one", "two"]
    # on_start; one and two in one call; three awaited directly; the last four in one call.
    assert calls == ["on_start", "_run_sync_tasks", "_run_sync_tasks"]


def test_waiting_sync_users_hold_no_greenlet(in_new_thread: Any, live_bridge_greenlets: Any) -> None:
    class Sleepy(User):
        wait_time = constant(30)

        def on_start(self) -> None:
            self.started = True

        @task
        def t(self) -> None:
            self.ran = True

    async def main() -> tuple[list[bool], int, int]:
        users = [Sleepy(make_env()) for _ in range(20)]
        handles = [user.start() for user in users]
        await asyncio.sleep(0.05)
        # All 20 are asleep between tasks: the greenlets they ran in are back in the pool,
        # and one was enough since they never ran at the same time.
        gc.collect()
        live, idle = live_bridge_greenlets() - before, bridge.idle_greenlets()
        for user in users:
            user.stop()
        await asyncio.wait_for(asyncio.gather(*handles), 1)
        return [user.started and user.ran for user in users], live, idle

    gc.collect()
    before = live_bridge_greenlets()
    ran, live, idle = in_new_thread(main)
    assert ran == [True] * 20
    assert live == idle == 1


def test_an_async_user_with_a_plain_on_start_holds_no_greenlet(
    in_new_thread: Any, live_bridge_greenlets: Any
) -> None:
    class Mixed(User):
        wait_time = constant(30)

        def on_start(self) -> None:
            self.started = True

        @task
        async def t(self) -> None:
            self.ran = True

    async def main() -> tuple[bool, bool, int, int]:
        user = Mixed(make_env())
        handle = user.start()
        await asyncio.sleep(0.05)
        gc.collect()
        live, idle = live_bridge_greenlets() - before, bridge.idle_greenlets()
        user.stop()
        await asyncio.wait_for(handle, 1)
        return user.started, user.ran, live, idle

    gc.collect()
    before = live_bridge_greenlets()
    started, ran, live, idle = in_new_thread(main)
    assert (started, ran) == (True, True)
    assert live == idle == 1
