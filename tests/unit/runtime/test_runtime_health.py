"""The load generator's health verdict: judging windows, the run verdict, and the monitor's windows."""

from __future__ import annotations

import asyncio
import time

import pytest

from horde.http.pool import CONNECTION_WAITS
from horde.runtime.clock import FakeClock
from horde.runtime.health import (
    HealthMonitor,
    Thresholds,
    Verdict,
    WindowSample,
    judge,
    monitor_from_options,
    summary_line,
    verdict,
)
from horde.stats.histogram import Histogram


def sample(cpu_s: float = 0.1, lags_ms: tuple[float, ...] = (1.0,), schedule_ms: tuple[float, ...] = (),
           waits: int = 0, seconds: float = 10.0,
           cores_busy: float | None = None) -> WindowSample:  # fmt: skip
    loop_lag, schedule_lag = Histogram(), Histogram()
    for value in lags_ms:
        loop_lag.record(int(value * 1000))
    for value in schedule_ms:
        schedule_lag.record(int(value * 1000))
    return WindowSample(
        0.0, seconds, cpu_s, 1.0, cores_busy_share=cores_busy, loop_lag=loop_lag, schedule_lag=schedule_lag,
        connection_waits=waits,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("window", "reasons"),
    [
        (sample(), ()),
        (sample(cpu_s=9.5), ("CPU 95%",)),
        (sample(lags_ms=(1.0,) * 98 + (30.0, 40.0)), ("loop lag p99 30 ms",)),
        (sample(schedule_ms=(60.0,)), ("schedule lag p99 60 ms",)),
        (sample(waits=3), ("3 waits for a free connection",)),
        (sample(cpu_s=9.9, lags_ms=(25.0,)), ("loop lag p99 25 ms", "CPU 99%")),
        # Starved by a neighbour or the hypervisor: 70% of a core, but its cores were full.
        (sample(cpu_s=7.0, cores_busy=0.97), ("CPU 70% with its cores 97% busy",)),
        (sample(cpu_s=1.0, cores_busy=0.97), ()),  # a light generator on a busy machine keeps up
        (sample(cpu_s=7.0, cores_busy=0.60), ()),
    ],
)
def test_a_window_is_limited_by_each_signal_past_its_threshold(
    window: WindowSample, reasons: tuple[str, ...]
) -> None:
    judged = judge(window, Thresholds(), cpu_count=2)
    assert judged.reasons == reasons
    assert judged.limited == bool(reasons)


def test_window_figures() -> None:
    judged = judge(sample(cpu_s=4.0, lags_ms=(2.0, 3.0)), Thresholds(), cpu_count=2)
    assert judged.cpu_percent == pytest.approx(40.0)
    assert judged.steal_percent == pytest.approx(5.0)  # 1 s of steal over 10 s x 2 CPUs
    assert judged.loop_lag_max_ms == pytest.approx(3.0, rel=0.01)
    assert judged.schedule_lag_p99_ms is None  # nobody waited


def test_thresholds_are_tunable() -> None:
    assert judge(sample(cpu_s=9.5), Thresholds(cpu_percent=99.0), 1).reasons == ()
    assert judge(sample(lags_ms=(5.0,)), Thresholds(loop_lag_ms=5.0), 1).reasons == ("loop lag p99 5 ms",)


def test_run_verdict_by_share_of_limited_windows() -> None:
    ok = judge(sample(), Thresholds(), 1)
    bad = judge(sample(cpu_s=10.0), Thresholds(), 1)
    assert verdict([ok] * 4) is Verdict.VALID
    assert verdict([bad] + [ok] * 3) is Verdict.DEGRADED  # a quarter
    assert verdict([bad] * 2 + [ok] * 3) is Verdict.INVALID  # more than a quarter
    assert "VALID, it kept up in all 4 windows" in summary_line([ok] * 4)
    line = summary_line([bad, ok, ok])
    assert line.startswith("Load generator: INVALID, results limited by the load generator in 1 of 3")
    assert "first: 00:00-00:10 CPU 100%" in line


def test_monitor_closes_windows_on_time_and_measures_what_happened() -> None:
    cpu = [0.0]

    async def scenario() -> HealthMonitor:
        monitor = HealthMonitor(
            Thresholds(), window_s=0.2, probe_interval=0.01,
            cpu_seconds=lambda: cpu[0], steal_seconds=lambda: None, cpu_count=1,
            cores_times=lambda: (cpu[0], 100.0 + cpu[0]),
        )  # fmt: skip
        clock = FakeClock()
        monitor.start(clock)
        monitor.record_schedule_lag(0.07)
        await clock.advance(0.25)  # the first window closed at 0.2 s
        cpu[0] = 10.0  # a second window where the process "used" far more CPU than wall time
        CONNECTION_WAITS.count += 2
        time.sleep(0.05)  # blocks the loop: the probe, on real time, fires late...
        await asyncio.sleep(0.03)  # ...here
        await clock.advance(0.2)
        monitor.stop()
        return monitor

    monitor = asyncio.run(scenario())
    first, second = monitor.windows[:2]
    assert (first.start_s, first.end_s, second.start_s, second.end_s) == pytest.approx((0.0, 0.2, 0.2, 0.4))
    assert first.reasons == ("schedule lag p99 70 ms",)
    assert first.cpu_percent == 0.0 and first.steal_percent is None
    assert "CPU" in " ".join(second.reasons) and "2 waits for a free connection" in second.reasons
    assert second.loop_lag_max_ms >= 40  # the blocking sleep held the probe back
    assert monitor.verdict() is Verdict.INVALID
    data = monitor.to_json()
    assert data["verdict"] == "INVALID" and data["thresholds"]["cpu_percent"] == 90.0
    assert data["windows"][0]["limited"] is True and data["windows"][0]["reasons"]


def test_a_short_last_window_is_dropped_unless_it_is_the_only_one() -> None:
    async def run_for(window_s: float, seconds: float) -> HealthMonitor:
        monitor = HealthMonitor(
            window_s=window_s,
            cpu_seconds=lambda: 0.0,
            steal_seconds=lambda: None,
            cores_times=lambda: (0.0, 1.0),
        )
        clock = FakeClock()
        monitor.start(clock)
        await clock.advance(seconds)
        monitor.stop()
        monitor.stop()  # a second stop changes nothing
        return monitor

    only = asyncio.run(run_for(10.0, 0.05)).windows
    assert len(only) == 1 and only[0].end_s == pytest.approx(0.05)
    # Windows closed at 0.1 s and 0.2 s; the 0.03 s after them (shorter than MIN_WINDOW) is dropped.
    dropped = asyncio.run(run_for(0.1, 0.23)).windows
    assert [window.end_s for window in dropped] == pytest.approx([0.1, 0.2])


def test_monitor_from_options_reads_the_health_flags() -> None:
    class Options:
        health_cpu = 80.0
        health_loop_lag = 5.0
        health_schedule_lag = None
        health_window = 3

    monitor = monitor_from_options(Options())
    assert monitor.thresholds == Thresholds(cpu_percent=80.0, loop_lag_ms=5.0, schedule_lag_ms=50.0)
    assert monitor.window_s == 3.0
    assert monitor_from_options(None).thresholds == Thresholds()


def test_a_masters_health_judges_each_worker_and_takes_the_worst() -> None:
    from horde.reports.console import health_report
    from horde.runtime.health import ReportedHealth

    ok, busy = judge(sample(), Thresholds(), 2), judge(sample(cpu_s=9.5), Thresholds(), 2)
    health = ReportedHealth()
    health.start(FakeClock(epoch=1_000.0))
    assert health.verdict() is Verdict.VALID and health.source_verdict("worker 0") is None
    # Worker 0 kept up in 10 windows; worker 1, which began 5 s later, was limited in one of 2.
    health.add("worker 0", 1_000.0, [ok] * 10)
    health.add("worker 1", 1_005.0, [busy, ok])
    assert health.source_verdict("worker 0") is Verdict.VALID
    assert health.source_verdict("worker 1") is Verdict.INVALID  # 1 of 2 windows: over a quarter
    # As one process's, 1 limited window of 12 would be DEGRADED: any worker limited limits the run.
    assert verdict(health.windows) is Verdict.DEGRADED and health.verdict() is Verdict.INVALID
    limited = [window for window in health.windows if window.limited]
    assert [(w.start_s, w.reasons) for w in limited] == [(5.0, ("worker 1: CPU 95%",))]
    report = health_report(health)
    assert report.startswith("Load generator: INVALID, results limited by the load generator in 1 of 12")
    assert "00:05-00:15 worker 1: CPU 95%" in report


def test_a_window_goes_through_json_and_back() -> None:
    from horde.runtime.health import Window

    window = judge(sample(cpu_s=9.9, lags_ms=(25.0,), waits=2), Thresholds(), 2)
    assert Window.from_json(window.to_json()) == window
    with pytest.raises(KeyError):
        Window.from_json({"start_s": 0})
