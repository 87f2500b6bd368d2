"""The local runner on a real event loop: ramps, class mix, stop timeout, shapes, exceptions."""

from __future__ import annotations

import asyncio
import gc
import time
from typing import Any

import pytest

from horde.exception import StopUser
from horde.runtime.clock import FakeClock
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.shapes.load_test_shape import LoadTestShape
from horde.user.task import task
from horde.user.users import User
from horde.user.wait_time import constant


class Idle(User):
    wait_time = constant(0.01)

    @task
    async def nothing(self) -> None:
        self.environment.events.request.fire(
            request_type="X", name="idle", response_time=1.0, response_length=0, exception=None, context={}
        )


class Heavy(User):
    weight = 3
    wait_time = constant(0.01)

    @task
    def nothing(self) -> None:
        pass


class Pinned(User):
    fixed_count = 1
    wait_time = constant(0.01)

    @task
    def nothing(self) -> None:
        pass


def make_env(*classes: type[User], **kwargs: Any) -> Environment:
    return Environment(user_classes=list(classes), events=Events(), **kwargs)


def test_ramp_follows_the_spawn_rate_and_fires_spawning_complete() -> None:
    env = make_env(Idle)
    completed: list[int] = []
    env.events.spawning_complete.add_listener(lambda user_count, **_: completed.append(user_count))

    async def main() -> dict[int, tuple[int, str]]:
        clock = FakeClock()
        runner = env.create_local_runner()
        runner.clock = clock
        runner.start(10, spawn_rate=40)  # the k-th user is due (k - 1) / 40 s in
        await clock.advance(0)  # test_start fired, the first user started
        seen = {0: (runner.user_count, runner.state)}
        for step in range(1, 31):  # 10 ms steps of time that moves only here
            await clock.advance(0.01)
            seen[step] = (runner.user_count, runner.state)
        await runner.quit()
        return seen

    seen = asyncio.run(main())
    assert seen[0] == (1, "spawning")
    assert {step: seen[step][0] for step in (1, 4, 6, 14, 21)} == {1: 1, 4: 2, 6: 3, 14: 6, 21: 9}
    assert seen[22] == (9, "spawning") and seen[23] == (10, "running")  # the 10th at 0.225 s
    assert completed == [10]
    assert env.stats.total.num_requests > 0


def test_the_first_user_starts_at_once_and_the_kth_after_k_minus_1_over_the_rate() -> None:
    starts: list[float] = []

    class Stamped(User):
        wait_time = constant(1)

        def on_start(self) -> None:
            starts.append(time.monotonic())

        @task
        def rest(self) -> None:
            pass

    async def main() -> float:
        runner = make_env(Stamped).create_local_runner()
        began = time.monotonic()
        runner.start(3, spawn_rate=2)
        await runner.spawning_greenlet.join()  # Locust's handle on the ramp
        await runner.quit()
        return began

    began = asyncio.run(main())
    offsets = [start - began for start in starts]
    assert len(offsets) == 3
    assert offsets[0] < 0.3  # at once (Locust's first batch starts at 0 too)
    assert 0.5 <= offsets[1] < 0.9  # 1 / 2 s in, not 1 s
    assert 1.0 <= offsets[2] < 1.4


def test_spawn_users_stop_users_and_the_user_greenlets_as_locusts() -> None:
    async def main() -> None:
        runner = make_env(Idle, Heavy).create_local_runner()
        users = runner.spawn_users({"Idle": 2, "Heavy": 3})
        assert sorted(type(u).__name__ for u in users) == ["Heavy"] * 3 + ["Idle"] * 2
        assert len(runner.user_greenlets) == 5
        await runner.stop_users({"Heavy": 2})
        assert runner.user_classes_count == {"Idle": 2, "Heavy": 1}
        assert all(u.greenlet is not None and u.greenlet.done() for u in users if u not in runner.users)
        await runner.quit()

    asyncio.run(main())


def test_spawn_users_can_wait_for_the_users_to_end() -> None:
    class Once(User):
        @task
        def once(self) -> None:
            raise StopUser()

    async def main() -> None:
        runner = make_env(Once).create_local_runner()
        users = await runner.spawn_users({"Once": 3}, wait=True)
        assert len(users) == 3 and runner.user_count == 0
        await runner.quit()

    asyncio.run(asyncio.wait_for(main(), 10))


def test_class_mix_fixed_count_and_ramp_down_lifo() -> None:
    env = make_env(Idle, Heavy, Pinned)

    async def main() -> tuple[dict[str, int], dict[str, int]]:
        runner = env.create_local_runner()
        runner.start(9, spawn_rate=1000)
        while runner.state != "running":
            await asyncio.sleep(0.01)
        up = runner.user_classes_count
        runner.start(5, spawn_rate=1000)
        while runner.user_count != 5 or runner.state != "running":
            await asyncio.sleep(0.01)
        down = runner.user_classes_count
        await runner.quit()
        return up, down

    up, down = asyncio.run(main())
    assert up == {"Pinned": 1, "Heavy": 6, "Idle": 2}
    assert down == {"Pinned": 1, "Heavy": 3, "Idle": 1}


def test_stop_timeout_lets_running_tasks_finish() -> None:
    finished: list[str] = []

    class Slow(User):
        wait_time = constant(0)

        @task
        async def slow(self) -> None:
            await asyncio.sleep(0.2)
            finished.append("done")

    async def run(stop_timeout: float | None) -> None:
        env = make_env(Slow, stop_timeout=stop_timeout)
        runner = env.create_local_runner()
        runner.start(3, spawn_rate=1000)
        await asyncio.sleep(0.05)
        await runner.quit()

    asyncio.run(run(None))
    assert finished == []  # killed mid-task
    asyncio.run(run(1.0))
    assert finished == ["done"] * 3


def drive(shape: LoadTestShape, seconds: float) -> dict[float, tuple[int, str]]:
    """Users and state every 0.5 s of a fake clock while ``shape`` drives an idle runner; then it quits.
    Shapes tick at 0, 1, 2... s of the clock."""
    env = make_env(Idle, shape_class=shape)

    async def main() -> dict[float, tuple[int, str]]:
        clock = FakeClock()
        runner = env.create_local_runner()
        runner.clock = clock
        runner.start_shape()
        seen = {}
        for step in range(1, int(seconds * 2) + 1):
            await clock.advance(0.5)
            seen[step / 2] = (runner.user_count, runner.state)
        # Stopped, not quit, as Locust's runner outside a headless run: a web UI stays up.
        stayed_up = not runner.quit_event.is_set()
        await runner.quit()
        assert stayed_up
        return seen

    return asyncio.run(asyncio.wait_for(main(), 5))


def test_shape_drives_user_count_and_stops_the_test() -> None:
    class TwoSteps(LoadTestShape):
        def tick(self) -> tuple[int, float] | None:
            if self.get_run_time() < 1.5:
                return (2, 100)
            if self.get_run_time() < 2.5:
                return (4, 100)
            return None

    seen = drive(TwoSteps(), 4)
    assert seen[0.5] == seen[1.5] == (2, "running")
    assert seen[2.5] == (4, "running")  # the tick at 2 s
    assert seen[3.5] == seen[4.0] == (0, "stopped")  # the tick at 3 s said None


def test_a_shape_re_targets_a_ramp_under_way_at_once() -> None:
    """Locust asks a shape nothing while a ramp is under way; Horde asks every second and follows
    the new answer at once: 100 users at 10/s, then 4 users after 2 s."""

    class ChangeOfMind(LoadTestShape):
        def tick(self) -> tuple[int, float] | None:
            elapsed = self.get_run_time()
            return None if elapsed >= 6 else (100, 10) if elapsed < 2 else (4, 10)

    users = {moment: count for moment, (count, _) in drive(ChangeOfMind(), 5).items()}
    assert 15 <= users[1.5] <= 25  # ramping to 100 at 10/s
    # Re-targeted at the 2 s tick: from ~20 down to 4 at 10/s, where Locust would ramp on to 100.
    assert users[3.0] == 10 and users[4.0] == users[5.0] == 4


def test_a_stages_shape_follows_its_stages() -> None:
    from horde.shapes import StagesShape

    class UpHoldDown(StagesShape):
        stages = [(4, 8), (2, 8), (2, 0)]  # 8 users over 4 s (2/s), hold 2 s, down to 0 in 2 s

    seen = drive(UpHoldDown(), 10)
    assert seen[2.0][0] == 4 and seen[4.5][0] == seen[5.5][0] == 8  # linear up, then the hold
    assert seen[7.0][0] == 4 and seen[8.5] == (0, "stopped")  # down at 4/s, then the end


def test_task_exceptions_land_in_the_exceptions_table() -> None:
    class Raiser(User):
        wait_time = constant(0.01)

        @task
        def fail(self) -> None:
            raise KeyError("missing")

    env = make_env(Raiser)

    async def main() -> Any:
        runner = env.create_local_runner()
        runner.start(2, spawn_rate=1000)
        await asyncio.sleep(0.1)
        await runner.quit()
        return runner.exceptions

    table = asyncio.run(main())
    (row,) = table.values()
    assert row["count"] >= 4 and row["nodes"] == {"local"}
    assert "KeyError" in row["msg"] or "missing" in row["msg"]
    assert "raise KeyError" in row["traceback"]


def test_users_that_die_are_not_respawned_and_the_ramp_completes() -> None:
    starts: list[int] = []

    class DiesOnStart(User):
        def on_start(self) -> None:
            starts.append(1)
            raise RuntimeError("login refused")

        @task
        def never(self) -> None:
            pass

    env = make_env(DiesOnStart)
    completed: list[int] = []
    env.events.spawning_complete.add_listener(lambda user_count, **_: completed.append(user_count))

    async def main() -> int:
        runner = env.create_local_runner()
        runner.start(3, spawn_rate=100)
        await asyncio.sleep(0.3)
        alive = runner.user_count
        await runner.quit()
        return alive

    assert asyncio.run(main()) == 0
    assert len(starts) == 3  # three users were started once each, none replaced
    assert len(completed) == 1


def test_a_user_without_the_base_constructor_is_named_in_locusts_words(caplog: Any) -> None:
    class BadUser(User):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass  # not calling the base class's

        @task
        def t(self) -> None:
            pass

    words = "Attribute 'environment' is missing on user BadUser. Perhaps you defined your own __init__"

    async def main() -> int:
        runner = make_env(BadUser).create_local_runner()
        with pytest.raises(AssertionError, match=words):  # called directly, as Locust's
            runner.spawn_users({"BadUser": 1})
        assert runner.unhandled_errors == 0 and words not in caplog.text
        runner.start(2, spawn_rate=100)  # the ramp logs it, goes on, and the run exits with code 2
        await asyncio.sleep(0.1)
        await runner.quit()
        return runner.unhandled_errors

    assert asyncio.run(main()) == 2
    assert caplog.text.count(words) == 2


def test_a_user_that_quits_the_runner_does_not_wait_out_the_stop_timeout() -> None:
    stopped: list[str] = []

    class Quitter(User):
        wait_time = constant(0.05)

        @task
        def trigger(self) -> None:
            self.environment.runner.quit()  # blocks until the runner has quit, as Locust's

        def on_stop(self) -> None:
            stopped.append("quitter")

    class Busy(User):
        wait_time = constant(0)

        @task
        async def work(self) -> None:
            await asyncio.sleep(0.3)  # the graceful stop lets this finish

        def on_stop(self) -> None:
            stopped.append("busy")

    async def main() -> float:
        runner = make_env(Busy, Quitter, stop_timeout=10).create_local_runner()
        started = time.monotonic()
        runner.spawn_users({"Busy": 1})
        runner.spawn_users({"Quitter": 1})
        await asyncio.wait_for(runner.quit_event.wait(), 8)
        return time.monotonic() - started

    took = asyncio.run(main())
    assert took < 3  # the busy user's 0.3 s, not the 10 s stop timeout
    assert sorted(stopped) == ["busy", "quitter"]


def test_stopped_users_are_freed_even_with_an_on_start_hook() -> None:
    class Hooked(User):
        wait_time = constant(0.01)

        def on_start(self) -> None:
            pass

        @task
        def rest(self) -> None:
            pass

    async def main() -> None:
        runner = make_env(Hooked).create_local_runner()
        runner.spawn_users({"Hooked": 50})
        await asyncio.sleep(0.1)
        await runner.quit()

    asyncio.run(main())
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, Hooked)]  # nothing cached them


class Resting(User):
    wait_time = constant(600)  # started users then cost the loop nothing: its turns are the ramp's

    @task
    async def nothing(self) -> None:
        pass


def test_a_ramp_of_many_users_at_once_leaves_the_loop_answering() -> None:
    # 20,000 users due at the same moment: without turns of the loop in between, the web UI and
    # /stop would wait for all of them (0.3 s of CPU in one turn here; 0.06 s at most in slices).
    async def main() -> tuple[float, int]:
        runner = make_env(Resting).create_local_runner()
        gaps: list[float] = []

        async def probe() -> None:
            while True:
                started = time.thread_time()  # CPU time: a busy machine's preemption is not counted
                await asyncio.sleep(0)
                gaps.append(time.thread_time() - started)

        probing = asyncio.create_task(probe())
        runner.start(20_000, spawn_rate=1e9)
        await runner.spawning_greenlet.join()
        spawned = runner.user_count
        probing.cancel()
        await runner.quit()
        return max(gaps), spawned

    gc.collect()
    gc.freeze()  # a full collection would scan what earlier tests in this process left alive
    try:
        longest, spawned = asyncio.run(main())
    finally:
        gc.unfreeze()
    assert spawned == 20_000
    assert longest < 0.15, f"the loop stalled {longest:.2f} s during the ramp"


def test_a_ramp_that_fails_says_so_and_does_not_stay_spawning(caplog: Any) -> None:
    async def main() -> tuple[str, int, int]:
        runner = make_env(Idle).create_local_runner()
        real = runner._spawn_one

        def third_fails(classes: Any, strict: bool = False) -> bool:
            if sum(runner._dispatched.values()) == 2:
                raise RuntimeError("the dispatcher broke")
            return real(classes, strict)

        runner._spawn_one = third_fails  # type: ignore[method-assign]
        runner.start(5, spawn_rate=100)
        await asyncio.sleep(0.3)
        state, users = runner.state, runner.user_count
        await runner.quit()
        return state, users, runner.unhandled_errors

    assert asyncio.run(main()) == ("running", 2, 1)  # the run exits with code 2
    assert "Spawning users failed after 2 of 5 users: RuntimeError('the dispatcher broke')" in caplog.text


def test_usage_monitor_fires_every_ten_seconds_with_this_processs_cpu_and_memory() -> None:
    env = make_env(Resting)
    usage: list[tuple[float, float, int]] = []

    async def main() -> None:
        clock = FakeClock()
        runner = env.create_local_runner()
        runner.clock = clock
        env.events.usage_monitor.add_listener(
            lambda environment, cpu_usage, memory_usage, **_: usage.append(
                (clock.monotonic(), cpu_usage, memory_usage)
            )
        )
        runner.start(2, spawn_rate=100)
        for _ in range(5):
            await clock.advance(5.0)
        await runner.quit()

    asyncio.run(main())
    assert [when for when, _, _ in usage] == [1_010.0, 1_020.0]  # Locust's CPU_MONITOR_INTERVAL
    assert all(cpu >= 0 and memory > 10_000_000 for _, cpu, memory in usage)
