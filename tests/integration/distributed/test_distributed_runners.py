"""A master and its workers in one process, over real sockets on 127.0.0.1: shares, a worker that
joins a running test, one that vanishes, and the reports the master merges."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from horde.distributed.worker import WorkerRunner
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.user.task import task
from horde.user.users import User
from horde.user.wait_time import constant


class Clerk(User):
    wait_time = constant(0.05)

    @task
    def file(self) -> None:
        self.environment.events.request.fire(
            request_type="TASK", name="file", response_time=2.0, response_length=0, exception=None, context={}
        )


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.05)


def test_shares_a_joining_worker_a_vanishing_worker_and_the_merged_reports() -> None:
    async def main() -> dict[str, Any]:
        master = Environment(user_classes=[Clerk], events=Events()).create_master_runner("127.0.0.1", 0)
        await master.serve()
        workers: list[WorkerRunner] = []
        serving: list[asyncio.Task[None]] = []
        made: list[int] = []

        def add_worker() -> WorkerRunner:
            environment = Environment(user_classes=[Clerk], events=Events())
            worker = environment.create_worker_runner("127.0.0.1", master.bind_port)
            made.append(0)
            index = len(made) - 1

            def count(**_: Any) -> None:
                made[index] += 1

            environment.events.request.add_listener(count)
            workers.append(worker)
            serving.append(asyncio.create_task(worker.serve()))
            return worker

        try:
            first, second = add_worker(), add_worker()
            await master.wait_for_workers(2, 10)
            master.start(6, spawn_rate=100)
            await until(lambda: (first.user_count, second.user_count) == (3, 3))
            third = add_worker()  # joins the running test: gets its share at once
            await until(lambda: [w.user_count for w in workers] == [2, 2, 2])
            # The second vanishes without a word (as kill -9 would leave it): missing after 3 s of
            # silence, and its users are ordered from the other two.
            serving[1].cancel()
            second.ticker.remove(second._on_tick)
            await until(lambda: (first.user_count, third.user_count) == (3, 3), timeout=15)
            lost = [worker.client_id for worker in master.lost_workers]
            await asyncio.sleep(1.0)
            await master.quit()
            await until(lambda: all(task.done() for task in (serving[0], serving[2])))
            return {  # read at one instant: the second's users still run, unheard
                "lost": lost,
                "second": second.client_id,
                "indexes": [w.worker_index for w in workers],
                "merged": master.stats.num_requests,
                "made": list(made),
                "unreported": [w.stats.num_requests for w in workers],
            }
        finally:
            for task in serving:
                task.cancel()
            master.close()

    result = asyncio.run(main())
    assert result["lost"] == [result["second"]]
    first_two, third = result["indexes"][:2], result["indexes"][2]
    assert sorted(first_two) == [0, 1] and third == 2  # in the order they said client_ready
    # The workers that quit kept nothing back; the vanished one's last part never came. The rest
    # was merged once: reports are deltas.
    assert result["unreported"][0] == result["unreported"][2] == 0
    assert result["merged"] == sum(result["made"]) - result["unreported"][1]
    assert result["made"][0] > 50 and result["made"][2] > 20


def test_a_master_bound_beyond_loopback_without_a_secret_says_so(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        master = Environment(user_classes=[Clerk], events=Events()).create_master_runner("*", 0)
        await master.serve()
        master.close()

    asyncio.run(main())
    lines = [r.getMessage() for r in caplog.records if "without --master-secret" in r.getMessage()]
    assert len(lines) == 1 and lines[0].startswith("The master listens on *:")


def test_a_failing_message_listener_does_not_make_the_master_deaf(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> int:
        master = Environment(user_classes=[Clerk], events=Events()).create_master_runner("127.0.0.1", 0)

        def broken(environment: Any, msg: Any) -> None:
            raise ValueError(f"a listener's bug with {msg.data}")

        master.register_message("boom", broken)
        await master.serve()
        worker = Environment(user_classes=[Clerk], events=Events()).create_worker_runner(
            "127.0.0.1", master.bind_port
        )
        serving = asyncio.create_task(worker.serve())
        try:
            await master.wait_for_workers(1, 10)
            worker.send_message("boom", 42)  # its listener raises on the master
            await until(lambda: "a listener's bug with 42" in caplog.text)
            master.start(3, spawn_rate=100)  # orders still go out, and answers still come in
            await until(lambda: master.user_count == 3 and worker.user_count == 3)
            await master.quit()
            return master.stats.num_requests
        finally:
            serving.cancel()
            master.close()

    assert asyncio.run(main()) > 0
    assert "Handling a boom message from worker" in caplog.text


def test_the_distributed_events_fire_where_and_with_what_locust_gives() -> None:
    seen: dict[str, list[dict[str, Any]]] = {}

    def recorder(name: str) -> Callable[..., None]:
        def record(**kwargs: Any) -> None:
            seen.setdefault(name, []).append(kwargs)

        return record

    def piggyback(client_id: str, data: dict[str, Any]) -> None:
        data["queue_depth"] = 7  # a locustfile's own data, carried in the stats message

    async def main() -> tuple[str, int]:
        master_events, worker_events = Events(), Events()
        for name in ("worker_connect", "heartbeat_sent", "worker_report"):
            getattr(master_events, name).add_listener(recorder(name))
        for name in ("heartbeat_received", "report_to_master"):
            getattr(worker_events, name).add_listener(recorder(name))
        worker_events.report_to_master.add_listener(piggyback)
        master = Environment(user_classes=[Clerk], events=master_events).create_master_runner("127.0.0.1", 0)
        await master.serve()
        worker = Environment(user_classes=[Clerk], events=worker_events).create_worker_runner(
            "127.0.0.1", master.bind_port
        )
        serving = asyncio.create_task(worker.serve())
        try:
            await master.wait_for_workers(1, 10)
            await until(lambda: "worker_report" in seen and "heartbeat_received" in seen, timeout=10)
            await master.quit()
            return worker.client_id, worker.worker_index
        finally:
            serving.cancel()
            master.close()

    client_id, index = asyncio.run(main())
    assert index == 0  # runner.worker_index, from the master's ack
    assert seen["worker_connect"][0] == {"client_id": client_id}
    for name in ("heartbeat_sent", "heartbeat_received"):  # the master's answer to each heartbeat
        assert seen[name][0]["client_id"] == client_id and isinstance(seen[name][0]["timestamp"], float)
    assert seen["report_to_master"][0]["client_id"] == client_id
    report = seen["worker_report"][0]
    assert report["client_id"] == client_id and report["data"]["queue_depth"] == 7
    assert {"stats", "stats_total", "errors", "user_count"} <= set(report["data"])


def test_each_workers_generator_health_reaches_the_master_which_takes_the_worst() -> None:
    from horde.runtime.health import HealthMonitor, Thresholds, Verdict

    async def main() -> tuple[Any, ...]:
        master = Environment(user_classes=[Clerk], events=Events()).create_master_runner("127.0.0.1", 0)
        await master.serve()
        workers = []
        for strict in (False, True):
            worker = Environment(user_classes=[Clerk], events=Events()).create_worker_runner(
                "127.0.0.1", master.bind_port
            )
            # The strict one calls any CPU use a limit: every window of it is limited.
            worker.health = HealthMonitor(Thresholds(cpu_percent=0.0 if strict else 1000.0), window_s=0.5)
            workers.append(worker)
        serving = [asyncio.create_task(worker.serve()) for worker in workers]
        try:
            await master.wait_for_workers(2, 10)
            master.start(2, spawn_rate=100)
            await until(lambda: all(node.rps > 0 for node in master.clients.values()), timeout=10)
            await master.quit()  # the last windows come with the last reports
            labels = {w.client_id: master.clients[w.client_id].label for w in workers}
            return (
                [master.health.source_verdict(labels[w.client_id]) for w in workers],
                master.health.verdict(),
                [reason for window in master.health.windows for reason in window.reasons],
                len(master.health.windows),
                sum(len(w.health.windows) for w in workers),
            )
        finally:
            for task in serving:
                task.cancel()
            master.close()

    verdicts, run, reasons, merged, measured = asyncio.run(main())
    assert verdicts == [Verdict.VALID, Verdict.INVALID] and run is Verdict.INVALID
    assert reasons and all(reason.startswith("worker ") and ": CPU " in reason for reason in reasons)
    assert merged == measured  # every window each worker closed, once


def test_a_worker_that_quits_cleanly_hands_its_share_back_at_once() -> None:
    async def main() -> tuple[int, float, list[Any]]:
        master = Environment(user_classes=[Clerk], events=Events()).create_master_runner("127.0.0.1", 0)
        await master.serve()
        workers = [
            Environment(user_classes=[Clerk], events=Events()).create_worker_runner(
                "127.0.0.1", master.bind_port
            )
            for _ in range(2)
        ]
        serving = [asyncio.create_task(worker.serve()) for worker in workers]
        try:
            await master.wait_for_workers(2, 10)
            master.start(4, spawn_rate=100)
            await until(lambda: [w.user_count for w in workers] == [2, 2])
            leaving = asyncio.get_running_loop().time()
            await workers[1].quit()  # Ctrl-C on that worker: its last report, then quit
            await until(lambda: workers[0].user_count == 4, timeout=5)
            handed = asyncio.get_running_loop().time() - leaving
            count = master.worker_count
            await master.quit()
            return count, handed, list(master.lost_workers)
        finally:
            for task in serving:
                task.cancel()
            master.close()

    count, handed, lost = asyncio.run(main())
    assert count == 1 and lost == []  # it left, it was not lost
    assert handed < 1.0
