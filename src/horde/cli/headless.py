"""A headless run: start the runner, print progress, write files, stop on time or signal."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
from collections.abc import Callable
from typing import Any

from horde.cli import keyboard
from horde.distributed.master import MasterRunner
from horde.reports import console
from horde.reports.csv_files import CsvWriter
from horde.runtime.environment import Environment
from horde.runtime.runner import Runner
from horde.runtime.ticker import Tick
from horde.shapes.arrivals import ArrivalPlan
from horde.stats.rows import format_ms

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

CONSOLE_EVERY = 2
"""Ticks (seconds) between two console tables, as Locust's CONSOLE_STATS_INTERVAL_SEC."""


def progress_line(runner: Runner, elapsed: float, run_time: int | None) -> str:
    """One line a person can read at a glance: time, users, throughput, failures, latency."""
    total = runner.stats.total
    clock = f"{_mmss(elapsed)}/{_mmss(run_time)}" if run_time else _mmss(elapsed)
    p50 = total.get_current_response_time_percentile(0.5)
    p95 = total.get_current_response_time_percentile(0.95)
    p99 = total.get_current_response_time_percentile(0.99)
    latency = " ".join(
        f"{label} {format_ms(value)}ms" if value is not None else f"{label} -"
        for label, value in (("p50", p50), ("p95", p95), ("p99", p99))
    )
    target = runner.target_user_count
    windows = runner.health.windows
    generator = ""
    if windows:
        last = windows[-1]
        generator = f" | generator limited: {', '.join(last.reasons)}" if last.limited else " | generator ok"
    users = f"users {runner.user_count}/{target}"
    if (arrivals := runner.arrivals) is not None:
        dropped = runner.stats.dropped_iterations
        users = f"arrivals {arrivals.rate:,.4g}/s, {dropped:,} dropped, pool {runner.user_count}"
    return (
        f"[{clock}] {runner.state:<8} {users} | "
        f"{total.current_rps:,.0f} req/s | failures {total.current_fail_per_sec:,.1f}/s "
        f"({total.fail_ratio:.1%} total) | {latency} | {total.num_requests:,} requests{generator}"
    )


def _mmss(seconds: float | None) -> str:
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60:02d}:{rest % 60:02d}"


_SIGNAL_MESSAGES = {signal.SIGINT: "Exiting due to CTRL+C interruption", signal.SIGTERM: "Got SIGTERM signal"}


def attach_controls(runner: Runner) -> Callable[[], None]:
    """What a person running the test controls it with, as in Locust: SIGINT and SIGTERM quit (with
    Locust's line for each), keys in a terminal change the user count. Returns what detaches them."""
    loop = asyncio.get_running_loop()
    stop_keys = keyboard.listen(runner)

    def quit_on(signum: signal.Signals) -> None:
        logger.info(_SIGNAL_MESSAGES[signum])
        runner.quit_later()

    for signum in _SIGNAL_MESSAGES:
        loop.add_signal_handler(signum, quit_on, signum)

    def detach() -> None:
        stop_keys()
        for signum in _SIGNAL_MESSAGES:
            loop.remove_signal_handler(signum)

    return detach


def users_and_rate(options: argparse.Namespace) -> tuple[int, float]:
    """-u and -r of a run started from the command line; each defaults to 1, as in Locust."""
    users = options.num_users if options.num_users is not None else 1
    return users, options.spawn_rate or 1.0


class PeriodicOutput:
    """The console table (at once, then every 2 s) and the CSV files (at once, then every second)
    while a run lives: sinks of the runner's ticker."""

    def __init__(self, runner: Runner, options: argparse.Namespace, console_table: bool) -> None:
        self.runner = runner
        self.run_time: int | None = options.run_time
        self.started = runner.clock.monotonic()
        self.console_table = console_table
        if options.html_file:
            runner.keep_series = True  # the report charts each name
        self.csv_writer = (
            CsvWriter(options.csv_prefix, options.stats_history_enabled) if options.csv_prefix else None
        )
        if self.csv_writer is not None and self.csv_writer.full_history:
            runner.stats.track_entry_percentiles()  # its per-entry rows hold current percentiles
        self._ticks = 0

    def start(self) -> None:
        clock = self.runner.clock
        if self.console_table:
            self.print_periodic(clock.monotonic())  # at once, as Locust
            self.runner.ticker.add(self._print_on_tick)
        if self.csv_writer is not None:
            self.write_csv(clock.time(), clock.monotonic())
            self.runner.ticker.add(self._write_on_tick)

    def _print_on_tick(self, tick: Tick) -> None:
        self._ticks += 1
        if self._ticks % CONSOLE_EVERY == 0:
            self.print_periodic(tick.monotonic)

    def _write_on_tick(self, tick: Tick) -> None:
        self.write_csv(tick.time, tick.monotonic)

    def print_periodic(self, monotonic: float) -> None:
        runner = self.runner
        console.log_text(progress_line(runner, monotonic - self.started, self.run_time))
        console.log_text(console.stats_table(runner.stats, current=True))

    def write_csv(self, now: float, monotonic: float, final: bool = False) -> None:
        assert self.csv_writer is not None
        runner = self.runner
        self.csv_writer.tick(runner.stats, runner.exceptions, runner.user_count, now, monotonic, final)

    def finish_csv(self, **_: Any) -> None:
        """The CSV files' last rows, once. A headless run writes them as the test starts stopping,
        as Locust does: requests of ``on_stop`` are in the console summary, not in the files. A
        master writes them once stopped: its workers' last reports come as they stop (Locust's
        master leaves them out), so its files hold the run its console reports."""
        self.runner.ticker.remove(self._write_on_tick)
        if self.csv_writer is not None and not self.csv_writer.closed:
            clock = self.runner.clock
            self.write_csv(clock.time(), clock.monotonic(), final=True)
            self.csv_writer.close()

    def finish(self) -> None:
        self.runner.ticker.remove(self._print_on_tick)
        self.finish_csv()


async def run_headless(environment: Environment, options: argparse.Namespace) -> None:
    """Run the test to its end."""
    runner = environment.runner
    assert runner is not None
    loop = asyncio.get_running_loop()
    detach_controls = attach_controls(runner)
    output = PeriodicOutput(runner, options, console_table=not options.only_summary)
    run_time: int | None = options.run_time
    shape = environment.shape_class
    if shape is not None and not shape.use_common_options:
        run_time = None  # the shape decides when the run ends (the warning said so)
    output.run_time = run_time
    events = environment.events
    if run_time:  # before the ramp's first line, as in Locust
        logger.info("Run time limit set to %s seconds", run_time)

        def time_up() -> None:
            logger.info("--run-time limit reached, shutting down")
            runner.quit_later()

        loop.call_later(run_time, time_up)
    elif shape is None:
        logger.info("No run time limit set, use CTRL+C to interrupt")
    if shape is not None:
        runner.start_shape()
    elif options.arrival_rate:
        plan = ArrivalPlan.parse(options.arrival_rate)
        runner.start_arrivals(plan, options.num_users, options.spawn_rate, options.arrival_process)
    else:
        runner.start(*users_and_rate(options))
    output.start()
    last_rows = events.test_stop if isinstance(runner, MasterRunner) else events.test_stopping
    last_rows.add_listener(output.finish_csv)
    try:
        await runner.quit_event.wait()
    finally:
        detach_controls()
        output.finish()
