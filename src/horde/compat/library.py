"""What Locust's "use as a library" scripts call beside the runner: the console table, the stats
history and the CSV files, each as a function a script runs in a greenlet (``gevent.spawn``)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from horde.cli.headless import CONSOLE_STATS_INTERVAL_SEC, CSV_STATS_INTERVAL_SEC
from horde.reports import console
from horde.reports.csv_files import CsvWriter
from horde.stats import RequestStats


def print_stats(stats: RequestStats, current: bool = True) -> None:
    """The request table, on stderr as Locust's console output."""
    sys.stderr.write(console.stats_table(stats, current=current) + "\n")


def print_percentile_stats(stats: RequestStats) -> None:
    sys.stderr.write(console.final_summary(stats) + "\n")


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

    def stats_writer(self) -> None:
        from horde.compat.locust import stats as locust_stats  # read each time: scripts may set it

        while not self._writer.closed:
            self._write(final=False)
            time.sleep(getattr(locust_stats, "CSV_STATS_INTERVAL_SEC", CSV_STATS_INTERVAL_SEC))

    __call__ = stats_writer  # Locust's main spawns the writer itself: gevent.spawn(writer)

    def close_files(self) -> None:
        if not self._writer.closed:
            self._write(final=True)
            self._writer.close()

    def _write(self, final: bool) -> None:
        runner = self.environment.runner
        stats = runner.stats if runner is not None else self.environment.stats
        exceptions = runner.exceptions if runner is not None else {}
        users = runner.user_count if runner is not None else 0
        self._writer.tick(stats, exceptions, users, time.time(), time.monotonic(), final)
