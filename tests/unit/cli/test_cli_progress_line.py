"""The headless progress line: time, users, rates, latency with sub-millisecond precision, health."""

from __future__ import annotations

from types import SimpleNamespace

from horde.cli.headless import progress_line
from horde.runtime.health import Thresholds, WindowSample, judge
from horde.stats.request_stats import RequestStats


def runner_with(windows: list) -> SimpleNamespace:  # type: ignore[type-arg]
    now = [1000.0]
    stats = RequestStats(clock=lambda: now[0])
    stats.sample_history(now[0], 10)
    for _ in range(10):
        stats.record("GET", "/", 0.35, 10, None)
    now[0] += 2
    stats.sample_history(now[0], 10)
    return SimpleNamespace(
        stats=stats, state="running", user_count=10, target_user_count=10,
        health=SimpleNamespace(windows=windows), arrivals=None,
    )  # fmt: skip


def test_progress_line_shows_sub_millisecond_latency_and_the_generator_state() -> None:
    line = progress_line(runner_with([]), elapsed=4, run_time=10)  # type: ignore[arg-type]
    assert line.startswith("[00:04/00:10] running  users 10/10 |")
    assert "p50 0.35ms" in line and "10 requests" in line
    assert "generator" not in line  # no window closed yet

    calm = judge(WindowSample(0, 10, 1.0, None), Thresholds(), 1)
    busy = judge(WindowSample(10, 20, 9.8, None), Thresholds(), 1)
    assert progress_line(runner_with([calm]), 12, None).endswith("| generator ok")  # type: ignore[arg-type]
    assert progress_line(runner_with([calm, busy]), 22, None).endswith(  # type: ignore[arg-type]
        "| generator limited: CPU 98%"
    )


def test_an_open_model_run_shows_its_rate_drops_and_pool() -> None:
    runner = runner_with([])
    runner.arrivals = SimpleNamespace(rate=50.0)
    runner.stats.dropped_iterations = 1234
    line = progress_line(runner, elapsed=4, run_time=10)  # type: ignore[arg-type]
    assert line.startswith("[00:04/00:10] running  arrivals 50/s, 1,234 dropped, pool 10 |")
