"""Latency from the planned start: recorded next to the service time for the users whose
iterations have a plan (arrivals, paced users), with the iterations a late paced user skipped."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from horde.stats.request_stats import RequestStats
from horde.user import wait_time


def record_as(stats: RequestStats, user: object | None, response_time: float) -> None:
    """Record one request from inside a task that is (or, with None, is not) a planned user's."""

    async def request() -> None:
        task = asyncio.current_task()
        if user is not None:
            stats.plans[task] = user
        stats.record("GET", "/", response_time, 0, None)
        stats.plans.pop(task, None)

    asyncio.run(request())


def planned_ms(stats: RequestStats) -> list[float]:
    planned = stats.get("/", "GET").planned
    return [] if planned is None else sorted(v / 1000 for v, n in planned.buckets() for _ in range(n))


def test_an_arrival_s_request_is_its_service_time_plus_how_late_its_iteration_started() -> None:
    stats = RequestStats()
    record_as(stats, SimpleNamespace(_plan_lag=3.0, _plan_every=0.0), 10.0)
    assert planned_ms(stats) == pytest.approx([13.0], rel=0.01)
    assert stats.get("/", "GET").response_times.max_us == 10_000  # the service time as it was


def test_a_paced_user_late_by_whole_intervals_records_the_iterations_it_skipped() -> None:
    """Planned every 50 ms and 200 ms late: the iterations planned 50, 100 and 150 ms after this
    one's plan were skipped; each would have waited until now (HdrHistogram's correction)."""
    stats = RequestStats()
    record_as(stats, SimpleNamespace(_plan_lag=200.0, _plan_every=50.0), 10.0)
    assert planned_ms(stats) == pytest.approx([60.0, 110.0, 160.0, 210.0], rel=0.01)
    record_as(stats, SimpleNamespace(_plan_lag=30.0, _plan_every=50.0), 10.0)  # late, none skipped
    assert planned_ms(stats) == pytest.approx([40.0, 60.0, 110.0, 160.0, 210.0], rel=0.01)
    assert stats.get("/", "GET").num_requests == 2


def test_a_request_without_a_plan_has_no_planned_latency() -> None:
    stats = RequestStats()
    record_as(stats, None, 10.0)
    stats.record("GET", "/", 10.0, 0, None)  # outside any task, as a script may record
    assert stats.get("/", "GET").planned is None and stats.total.planned is None


def test_the_aggregated_row_merges_every_name_s_planned_latency_and_a_reset_clears_it() -> None:
    stats = RequestStats()
    user = SimpleNamespace(_plan_lag=0.0, _plan_every=0.0)

    async def requests() -> None:
        stats.plans[asyncio.current_task()] = user
        stats.record("GET", "/a", 5.0, 0, None)
        stats.record("GET", "/b", 7.0, 0, None)

    asyncio.run(requests())
    total = stats.total.planned
    assert total is not None and total.count == 2 and total.max_us == 7000
    stats.reset_all()
    assert stats.total.planned is None


def test_constant_pacing_tells_the_user_how_late_its_next_start_is(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(wait_time.time, "monotonic", lambda: now[0])
    told: list[tuple[float, float]] = []
    user = SimpleNamespace(plan_next=lambda late, every: told.append((late, every)))
    pace = wait_time.constant_pacing(1.0)
    assert pace(user) == 1.0  # after the first task: a whole interval
    now[0] += 1.0 + 0.3  # that wait, then a task of 0.3 s
    assert pace(user) == pytest.approx(0.7)
    now[0] += 0.7 + 2.5  # then a task of 2.5 s: the next start is 1.5 s after its plan
    assert pace(user) == 0.0
    assert told == [(0.0, 1.0), (0.0, 1.0), (pytest.approx(1.5), 1.0)]
    assert pace.pacing == 1.0  # type: ignore[attr-defined]
