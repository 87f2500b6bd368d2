"""Per-name series: deltas per step, bounded memory by halving resolution, resets."""

from __future__ import annotations

from typing import Any

import pytest

from horde.stats.request_stats import RequestStats
from horde.stats.series import NameSeries

START = 1_000_000.0


NOW = [START]


EMPTY = {"step": 1.0, "series": {"time": [], "rps": [], "fail": [], "avg": []}}


def points(series: NameSeries, name: str) -> dict[str, Any]:
    found = series.get(name, "GET")
    return {"step": found["step"], **found["series"]}


def make_stats() -> RequestStats:
    NOW[0] = START
    return RequestStats(clock=lambda: NOW[0])


def test_each_step_holds_the_requests_failures_and_average_of_that_second() -> None:
    stats = make_stats()
    series = NameSeries(stats)
    for second in range(1, 4):
        for _ in range(second * 10):
            stats.record("GET", "/a", float(second), 10, None)
        stats.record("GET", "/a", float(second), 10, "boom")
        series.sample(START + second)
    found = points(series, "/a")
    assert found["step"] == 1.0
    assert found["time"] == [START + 1, START + 2, START + 3]
    assert found["rps"] == [11.0, 21.0, 31.0]
    assert found["fail"] == [1.0, 1.0, 1.0]
    assert found["avg"] == pytest.approx([1.0, 2.0, 3.0])
    assert series.get("/b", "GET") == EMPTY


def test_a_full_series_halves_its_resolution_and_keeps_every_request() -> None:
    stats = make_stats()
    series = NameSeries(stats, budget=100)  # one name: 100 points at most
    for second in range(1, 251):
        stats.record("GET", "/a", 5.0, 0, None)
        series.sample(START + second)
    found = points(series, "/a")
    assert found["step"] == 4.0  # 250 s in at most 100 points
    assert len(found["time"]) <= 100
    assert sum(rps * found["step"] for rps in found["rps"]) == 250
    assert found["time"][0] == START + 4.0


def test_the_point_budget_is_shared_by_the_names() -> None:
    stats = make_stats()
    series = NameSeries(stats, budget=20_000)
    for second in range(1, 301):
        for n in range(100):
            stats.record("GET", f"/{n}", 1.0, 0, None)
        series.sample(START + second)
    found = points(series, "/7")
    assert len(found["time"]) <= 200  # 20,000 points / 100 names
    assert sum(found["rps"]) * found["step"] == 300


def test_a_reset_entry_and_a_new_test_start_over() -> None:
    stats = make_stats()
    series = NameSeries(stats)
    for _ in range(5):
        stats.record("GET", "/a", 1.0, 0, None)
    series.sample(START + 1)
    stats.get("/a", "GET").reset()
    stats.record("GET", "/a", 1.0, 0, None)
    series.sample(START + 2)
    assert points(series, "/a")["rps"] == [5.0, 1.0]  # no negative step after the reset
    NOW[0] = START + 5
    stats.clear_all()  # a new test
    series.sample(START + 6)
    assert series.get("/a", "GET") == EMPTY
    stats.record("GET", "/b", 1.0, 0, None)
    series.sample(START + 7)
    assert points(series, "/b")["time"] == [START + 6, START + 7]  # counted from the new start
