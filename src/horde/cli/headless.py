"""A headless run: start the runner, print progress, write files, stop on time or signal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from typing import TextIO

from horde.reports import console
from horde.reports.csv_files import CsvWriter
from horde.runtime.environment import Environment
from horde.runtime.runner import LocalRunner

logger = logging.getLogger(__name__)

CONSOLE_STATS_INTERVAL_SEC = 2.0
CSV_STATS_INTERVAL_SEC = 1.0


def progress_line(runner: LocalRunner, elapsed: float, run_time: int | None) -> str:
    """One line a person can read at a glance: time, users, throughput, failures, latency."""
    total = runner.stats.total
    clock = f"{_mmss(elapsed)}/{_mmss(run_time)}" if run_time else _mmss(elapsed)
    p50 = total.get_current_response_time_percentile(0.5)
    p95 = total.get_current_response_time_percentile(0.95)
    p99 = total.get_current_response_time_percentile(0.99)
    latency = " ".join(
        f"{label} {console.format_ms(value)}ms" if value is not None else f"{label} -"
        for label, value in (("p50", p50), ("p95", p95), ("p99", p99))
    )
    target = runner.target_user_count
    windows = runner.health.windows
    generator = ""
    if windows:
        last = windows[-1]
        generator = f" | generator limited: {', '.join(last.reasons)}" if last.limited else " | generator ok"
    return (
        f"[{clock}] {runner.state:<8} users {runner.user_count}/{target} | "
        f"{total.current_rps:,.0f} req/s | failures {total.current_fail_per_sec:,.1f}/s "
        f"({total.fail_ratio:.1%} total) | {latency} | {total.num_requests:,} requests{generator}"
    )


def _mmss(seconds: float | None) -> str:
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


async def _every(interval: float, action: object) -> None:
    while True:
        await asyncio.sleep(interval)
        action()  # type: ignore[operator]


async def run_headless(
    environment: Environment, options: argparse.Namespace, out: TextIO = sys.stdout
) -> None:
    runner = environment.runner
    assert runner is not None
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, runner.quit_later)

    started = time.monotonic()
    run_time: int | None = options.run_time
    csv_writer = CsvWriter(options.csv_prefix, options.stats_history_enabled) if options.csv_prefix else None
    if csv_writer is not None and csv_writer.full_history:
        runner.stats.track_entry_percentiles()  # its per-entry rows hold current percentiles
    periodic: list[asyncio.Task[None]] = []

    def print_periodic() -> None:
        out.write(progress_line(runner, time.monotonic() - started, run_time) + "\n")
        out.write(console.stats_table(runner.stats, current=True) + "\n")
        out.flush()

    def write_csv(final: bool = False) -> None:
        assert csv_writer is not None
        csv_writer.tick(
            runner.stats, runner.exceptions, runner.user_count, time.time(), time.monotonic(), final
        )

    if environment.shape_class is not None:
        runner.start_shape()
    else:
        runner.start(options.num_users, options.spawn_rate)
    if not options.only_summary:
        periodic.append(loop.create_task(_every(CONSOLE_STATS_INTERVAL_SEC, print_periodic)))
    if csv_writer is not None:
        write_csv()
        periodic.append(loop.create_task(_every(CSV_STATS_INTERVAL_SEC, write_csv)))
    if run_time:
        logger.info("Run time limit set to %s seconds", run_time)

        def time_up() -> None:
            logger.info("--run-time limit reached, shutting down")
            runner.quit_later()

        loop.call_later(run_time, time_up)

    try:
        await runner.quit_event.wait()
    finally:
        for task in periodic:
            task.cancel()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        if csv_writer is not None:
            write_csv(final=True)
            csv_writer.close()
