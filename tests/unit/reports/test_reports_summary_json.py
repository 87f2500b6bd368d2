"""Horde's versioned summary JSON."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from horde.reports.summary_json import SCHEMA, build_summary, write_summary
from horde.runtime.environment import Environment
from horde.runtime.events import Events
from horde.runtime.health import HealthMonitor
from horde.runtime.result import LostWorker, RunInfo, RunResult
from horde.stats import PhaseTimings, RequestStats
from horde.stats.series import NameSeries
from horde.user.task import task
from horde.user.users import User


def make_stats() -> RequestStats:
    now = [1_000.0]
    stats = RequestStats(clock=lambda: now[0])
    for i in range(100):
        timings = PhaseTimings(1.0, 4.0, 8.0) if i == 0 else PhaseTimings(None, None, 8.0 + i / 10)
        error = RuntimeError("boom") if i % 50 == 0 else None
        stats.record("GET", "/api", 10.0 + i / 10, 2048, error, timings)
    stats.record("POST", "/plain", 3.0, 0, None)
    now[0] = 1_010.0
    stats.sample_history(1_010.0, 5)
    return stats


def result_of(stats: RequestStats, run: RunInfo) -> RunResult:
    return RunResult(run, stats, {}, HealthMonitor(), NameSeries(stats), [])


def test_schema_and_run_section():
    run = RunInfo("locustfile.py", "http://127.0.0.1:8080", 5, 2.5, 10.0, 1_000.0, 1_010.0, 1)
    summary = build_summary(result_of(make_stats(), run))
    assert summary["schema"] == SCHEMA == "horde.summary/1"
    assert summary["generator"]["name"] == "horde"
    assert summary["run"] == {
        "locustfile": "locustfile.py",
        "host": "http://127.0.0.1:8080",
        "users": 5,
        "spawn_rate": 2.5,
        "run_time_s": 10.0,
        "start_epoch": 1_000.0,
        "end_epoch": 1_010.0,
        "exit_code": 1,
        "start_time": "1970-01-01T00:16:40Z",
        "end_time": "1970-01-01T00:16:50Z",
        "duration_s": 10.0,
    }
    assert summary["percentiles"][0] == 0.5 and summary["percentiles"][-1] == 1.0
    json.dumps(summary)  # serialisable as is


def test_entry_values_percentiles_and_phases():
    summary = build_summary(result_of(make_stats(), RunInfo()))
    api, plain = summary["entries"]
    assert (api["name"], api["method"], api["requests"], api["failures"]) == ("/api", "GET", 100, 2)
    assert api["fail_ratio"] == 0.02
    assert api["rps"] == pytest.approx(10.1 * 100 / 101)  # stats-wide span of 10 s
    times = api["response_time_ms"]
    assert times["min"] == 10.0 and times["max"] == 19.9
    assert times["avg"] == pytest.approx(14.95)
    assert times["percentiles_ms"]["50"] == pytest.approx(14.9, rel=0.004)
    assert times["percentiles_ms"]["100"] == 19.9
    assert list(times["percentiles_ms"])[-3:] == ["99.9", "99.99", "100"]
    assert api["content_length"] == {"total": 204_800, "avg": 2048.0}
    phases = api["phases"]
    assert phases["new_connections"] == 1 and phases["reused_connections"] == 99
    assert phases["connect"]["p50"] == 1.0 and phases["tls"]["max"] == 4.0
    assert phases["ttfb"]["count"] == 100 and phases["ttfb"]["p99"] == pytest.approx(17.8, rel=0.004)
    assert plain["phases"] is None
    assert summary["totals"]["name"] == "Aggregated" and summary["totals"]["requests"] == 101
    (error,) = summary["errors"]
    assert error == {
        "method": "GET",
        "name": "/api",
        "error": "RuntimeError('boom')",
        "occurrences": 2,
        "first_seen": 1_000.0,
        "last_seen": 1_000.0,
    }


class Shopper(User):
    @task
    def browse(self) -> None:
        pass


def test_the_runners_result_says_what_ran_and_the_summary_file_holds_it(tmp_path):
    options = SimpleNamespace(run_time=30)
    environment = Environment(
        user_classes=[Shopper], events=Events(), host="http://h", locustfile="lf.py", parsed_options=options
    )
    runner = environment.create_local_runner()
    runner.target_user_count, runner.spawn_rate = 3, 1.5  # as a ramp to 3 users at 1.5/s leaves them
    stats = runner.stats
    stats.record("GET", "/a", 5.0, 0, None)
    runner.log_exception("local", "oops", "tb")
    runner.snapshot(stats.start_time + 2)  # as the runner's last, once the test stopped
    path = write_summary(tmp_path / "sub" / "summary.json", runner.result(exit_code=0))
    data = json.loads(path.read_text())
    assert data["run"]["locustfile"] == "lf.py"
    assert data["run"]["host"] == "http://h"
    assert (data["run"]["users"], data["run"]["spawn_rate"]) == (3, 1.5)
    assert (data["run"]["run_time_s"], data["run"]["exit_code"]) == (30, 0)
    assert data["run"]["start_epoch"] == stats.start_time
    assert data["run"]["end_epoch"] == stats.start_time + 2
    assert data["exceptions"] == [{"count": 1, "message": "oops", "traceback": "tb", "nodes": ["local"]}]
    assert data["totals"]["requests"] == 1 and data["generator_health"]["windows"] == []


def test_workers_lost_in_a_distributed_run_are_listed_with_their_time() -> None:
    stats = make_stats()
    lost = [LostWorker("w1", 1_000.0), LostWorker("w2", 1_010.0, back_epoch=1_020.0)]
    result = RunResult(RunInfo(), stats, {}, HealthMonitor(), NameSeries(stats), [], lost_workers=lost)
    assert build_summary(result)["workers_lost"] == [
        {"client_id": "w1", "time": "1970-01-01T00:16:40Z", "epoch": 1_000.0, "back_time": None},
        {
            "client_id": "w2",
            "time": "1970-01-01T00:16:50Z",
            "epoch": 1_010.0,
            "back_time": "1970-01-01T00:17:00Z",
        },
    ]
    assert build_summary(result_of(stats, RunInfo()))["workers_lost"] == []
