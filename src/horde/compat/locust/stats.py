"""``locust.stats``: the statistics classes, Locust's tunable constants, and what Locust's "use as
a library" scripts call beside the runner: the console table, the stats history and the CSV files,
each as a function a script runs in a greenlet (``gevent.spawn``).

Horde's own runs read their intervals from ``horde.cli.headless`` and ``horde.runtime.runner``; the
constants here carry Locust's values, for locustfiles that read them and for the script functions.
"""

from __future__ import annotations

import sys
import time
import types
from collections.abc import Callable
from typing import Any

from horde.reports import console
from horde.reports.csv_files import CsvWriter
from horde.runtime.runner import RunnerState
from horde.stats import (
    CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW,
    PERCENTILES_TO_CHART,
    PERCENTILES_TO_REPORT,
    PERCENTILES_TO_STATISTICS,
    RequestStats,
    StatsEntry,
    StatsError,
    get_readable_percentiles,
    percentiles,
)
from horde.stats.rows import STATS_NAME_WIDTH, STATS_TYPE_WIDTH

CONSOLE_STATS_INTERVAL_SEC = 2
HISTORY_STATS_INTERVAL_SEC = 5
CSV_STATS_INTERVAL_SEC = 1
CSV_STATS_FLUSH_INTERVAL_SEC = 5

__all__ = (
    "CONSOLE_STATS_INTERVAL_SEC",
    "CSV_STATS_FLUSH_INTERVAL_SEC",
    "CSV_STATS_INTERVAL_SEC",
    "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW",
    "HISTORY_STATS_INTERVAL_SEC",
    "PERCENTILES_TO_CHART",
    "PERCENTILES_TO_REPORT",
    "PERCENTILES_TO_STATISTICS",
    "STATS_NAME_WIDTH",
    "STATS_TYPE_WIDTH",
    "RequestStats",
    "StatsCSVFileWriter",
    "StatsEntry",
    "StatsError",
    "get_readable_percentiles",
    "print_error_report",
    "print_percentile_stats",
    "print_stats",
    "stats_history",
    "stats_printer",
)


def print_stats(stats: RequestStats, current: bool = True) -> None:
    """The request table, line by line through ``locust.stats_logger`` as Locust's."""
    console.log_text(console.stats_table(stats, current=current))


def print_percentile_stats(stats: RequestStats) -> None:
    console.log_text(console.percentiles_table(stats, note=False))


def print_error_report(stats: RequestStats) -> None:
    if stats.errors:
        console.log_text(console.error_report(stats))


def stats_printer(stats: RequestStats) -> Callable[[], None]:
    """A function that prints the table every 2 s, forever: ``gevent.spawn(stats_printer(stats))``."""

    def stats_printer_func() -> None:
        while True:
            print_stats(stats)
            time.sleep(CONSOLE_STATS_INTERVAL_SEC)  # gevent's sleep: Locust's scripts run patched

    return stats_printer_func


def stats_history(runner: Any) -> None:
    """Locust's greenlet that appends to ``stats.history``. Horde's runner samples the history itself,
    every second while a test runs, so there is nothing left for this one to do: it returns."""


class StatsCSVFileWriter:
    """``--csv``'s four files, for scripts: ``gevent.spawn(writer)`` (or ``writer.stats_writer``),
    and :meth:`close_files` at the end for the last rows."""

    def __init__(
        self,
        environment: Any,
        percentiles_to_report: Any = None,
        base_filepath: str = "",
        full_history: bool = False,
    ) -> None:
        self.environment = environment
        self.base_filepath = base_filepath
        self._writer = CsvWriter(base_filepath, full_history)
        if full_history:  # its per-entry rows hold current (last 10 s) percentiles
            self._sources()[0].track_entry_percentiles()

    def stats_writer(self) -> None:
        while not self._writer.closed:
            self._write()
            time.sleep(CSV_STATS_INTERVAL_SEC)  # read each time: scripts may set it

    __call__ = stats_writer  # Locust's main spawns the writer itself: gevent.spawn(writer)

    def close_files(self) -> None:
        """The whole-run files as of now (Locust rewrites them every tick; Horde every few), and no
        history row beyond the ticks', as Locust's."""
        if not self._writer.closed:
            stats, exceptions, _ = self._sources()
            self._writer.rewrite(stats, exceptions)
            self._writer.close()

    def _write(self) -> None:
        stats, exceptions, users = self._sources()
        now = time.time()
        runner = self.environment.runner
        if runner is None or runner.state not in (RunnerState.SPAWNING, RunnerState.RUNNING):
            # No test running, so nothing samples the stats each second for the "current" columns
            # (a script that logs requests itself): the writer takes the samples.
            stats.sample_history(now, users)
        self._writer.tick(stats, exceptions, users, now, time.monotonic())

    def _sources(self) -> tuple[RequestStats, Any, int]:
        runner = self.environment.runner
        if runner is None:
            return self.environment.stats, {}, 0
        return runner.stats, runner.exceptions, runner.user_count


class _StatsModule(types.ModuleType):
    """Locust's docs tell locustfiles to set ``stats.PERCENTILES_TO_REPORT = [...]`` (and the
    others) on this module: the settings are passed on to the module Horde reads them from."""

    def __setattr__(self, name: str, value: object) -> None:
        if name in _SETTINGS:
            setattr(percentiles, name, value)
        super().__setattr__(name, value)


_SETTINGS = frozenset(
    {
        "PERCENTILES_TO_REPORT",
        "PERCENTILES_TO_STATISTICS",
        "PERCENTILES_TO_CHART",
        "CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW",
    }
)
sys.modules[__name__].__class__ = _StatsModule
