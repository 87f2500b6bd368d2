"""``--csv PREFIX`` files with Locust's exact names, headers and row rules.

* ``PREFIX_stats.csv``: one row per entry sorted by (name, method), then Aggregated (empty Type);
  whole-run rates; percentile columns are whole milliseconds, ``N/A`` for a row without requests.
  Rewritten in place at each write.
* ``PREFIX_stats_history.csv``: appended at each write. Only the Aggregated row, unless
  ``full_history`` (``--csv-full-history``) adds one row per entry first. Rates are the current
  (last 10 s) ones with 6 decimals. Locust's quirk is kept: the percentile columns are whole-run
  values in the default history and current-window values with ``full_history``.
* ``PREFIX_failures.csv``: Method, Name, Error, Occurrences, First Seen, Last Seen (ISO-8601 UTC).
* ``PREFIX_exceptions.csv``: Count, Message, Traceback, Nodes (comma-joined node ids).

The ``*_rows`` and ``*_csv`` functions give the same content without files (for the web UI).
Number formatting follows Locust: averages, min/max and rates are written as Python prints them;
the median and percentile columns are whole milliseconds.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from horde.stats import percentiles
from horde.stats.entries import StatsEntry
from horde.stats.errors import error_text
from horde.stats.request_stats import RequestStats

Row = list[Any]

STATS_COLUMNS_BEFORE_PERCENTILES = [
    "Type",
    "Name",
    "Request Count",
    "Failure Count",
    "Median Response Time",
    "Average Response Time",
    "Min Response Time",
    "Max Response Time",
    "Average Content Size",
    "Requests/s",
    "Failures/s",
]
HISTORY_COLUMNS_BEFORE_PERCENTILES = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s"]
HISTORY_COLUMNS_AFTER_PERCENTILES = [
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
    "Total Min Response Time",
    "Total Max Response Time",
    "Total Average Content Size",
]
FAILURES_COLUMNS = ["Method", "Name", "Error", "Occurrences", "First Seen", "Last Seen"]
EXCEPTIONS_COLUMNS = ["Count", "Message", "Traceback", "Nodes"]


def stats_columns() -> list[str]:
    return STATS_COLUMNS_BEFORE_PERCENTILES + percentiles.get_readable_percentiles(
        percentiles.PERCENTILES_TO_REPORT
    )


def history_columns() -> list[str]:
    readable = percentiles.get_readable_percentiles(percentiles.PERCENTILES_TO_REPORT)
    return HISTORY_COLUMNS_BEFORE_PERCENTILES + readable + HISTORY_COLUMNS_AFTER_PERCENTILES


# Row builders ------------------------------------------------------------------------------------
def _entries_then_total(stats: RequestStats) -> list[StatsEntry]:
    return [stats.entries[key] for key in sorted(stats.entries)] + [stats.total]


def _percentile_cells(entry: StatsEntry, current: bool = False) -> list[Any]:
    shown = percentiles.PERCENTILES_TO_REPORT
    if not entry.num_requests:
        return ["N/A"] * len(shown)
    if current:
        return [round(entry.get_current_response_time_percentile(p) or 0) for p in shown]
    return [round(value) for value in entry.get_response_time_percentiles(shown)]


def _median_cell(entry: StatsEntry, median: float | None = None) -> float | int:
    """Locust's median: the whole-millisecond 50th percentile, kept inside the exact [min, max]."""
    if not entry.response_times:
        return 0
    median = round(entry.median_response_time if median is None else median)
    low, high = entry.min_response_time or 0, entry.max_response_time
    return high if median > high else low if median < low else median


def _time_cells(entry: StatsEntry, median: float | None = None) -> list[Any]:
    return [
        _median_cell(entry, median),
        entry.avg_response_time,
        entry.min_response_time or 0,
        entry.max_response_time,
        entry.avg_content_length,
    ]


def stats_rows(stats: RequestStats) -> list[Row]:
    """Data rows of ``_stats.csv`` (no header)."""
    shown = percentiles.PERCENTILES_TO_REPORT
    with_median = [0.5, *shown]
    rows = []
    for entry in _entries_then_total(stats):
        counts = [entry.method, entry.name, entry.num_requests, entry.num_failures]
        rates = list(entry.total_rates())
        # One pass over the histogram for the median and every percentile column: this runs
        # for every entry each time the file is rewritten (every REWRITE_INTERVAL seconds).
        median, *values = entry.get_response_time_percentiles(with_median)
        cells = [round(value) for value in values] if entry.num_requests else ["N/A"] * len(shown)
        rows.append(counts + _time_cells(entry, median) + rates + cells)
    return rows


def history_rows(stats: RequestStats, user_count: int, now: float, full_history: bool = False) -> list[Row]:
    """Rows appended to ``_stats_history.csv`` at one moment (no header)."""
    entries = _entries_then_total(stats) if full_history else [stats.total]
    rows = []
    for entry in entries:
        head = [int(now), user_count, entry.method or "", entry.name]
        rates = [f"{rate:2f}" for rate in entry.current_rates()]
        totals = [entry.num_requests, entry.num_failures]
        rows.append(
            head + rates + _percentile_cells(entry, current=full_history) + totals + _time_cells(entry)
        )
    return rows


def iso_utc(epoch: float | None) -> str:
    return "" if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def failures_rows(stats: RequestStats) -> list[Row]:
    """Rows of ``_failures.csv``, sorted by name, method and error."""
    errors = sorted(stats.errors.values(), key=lambda e: (e.name, e.method, error_text(e.error)))
    return [
        [e.method, e.name, error_text(e.error), e.occurrences, iso_utc(e.first_seen), iso_utc(e.last_seen)]
        for e in errors
    ]


def exceptions_rows(exceptions: Mapping[Any, Mapping[str, Any]]) -> list[Row]:
    """Rows of ``_exceptions.csv`` from a runner's table ``key -> {count, msg, traceback, nodes}``."""
    return [
        [row["count"], row["msg"], row["traceback"], ", ".join(sorted(row["nodes"]))]
        for row in exceptions.values()
    ]


# Whole files as text -----------------------------------------------------------------------------
def to_csv_text(header: Sequence[str], rows: Iterable[Row]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def stats_csv(stats: RequestStats) -> str:
    return to_csv_text(stats_columns(), stats_rows(stats))


def failures_csv(stats: RequestStats) -> str:
    return to_csv_text(FAILURES_COLUMNS, failures_rows(stats))


def exceptions_csv(exceptions: Mapping[Any, Mapping[str, Any]]) -> str:
    return to_csv_text(EXCEPTIONS_COLUMNS, exceptions_rows(exceptions))


# The files ---------------------------------------------------------------------------------------
class _RewrittenFile:
    """A CSV file whose header stays and whose data rows are replaced at each write."""

    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.file: IO[str] = path.open("w", newline="", encoding="utf-8")
        csv.writer(self.file).writerow(header)
        self.data_start = self.file.tell()

    def replace_rows(self, rows: Iterable[Row]) -> None:
        self.file.seek(self.data_start)
        csv.writer(self.file).writerows(rows)
        self.file.truncate()
        self.file.flush()


class CsvWriter:
    """Owns the four ``--csv`` files; headers are written on creation, parent dirs created.

    :meth:`tick` is the schedule of a run (called every second, and once more at the end); the
    ``write_*`` and ``append_history`` methods write one file now.
    """

    REWRITE_INTERVAL = 5.0
    """Seconds between rewrites of the whole-run files. Locust writes them every second but
    flushes every 5 s (``CSV_STATS_FLUSH_INTERVAL_SEC``), so readers see the same; with 1,000
    request names a rewrite costs tens of milliseconds."""

    def __init__(self, prefix: str | Path, full_history: bool = False) -> None:
        self.prefix = str(prefix)
        self.full_history = full_history
        Path(self.prefix).parent.mkdir(parents=True, exist_ok=True)
        self._stats = _RewrittenFile(Path(f"{self.prefix}_stats.csv"), stats_columns())
        self._failures = _RewrittenFile(Path(f"{self.prefix}_failures.csv"), FAILURES_COLUMNS)
        self._exceptions = _RewrittenFile(Path(f"{self.prefix}_exceptions.csv"), EXCEPTIONS_COLUMNS)
        self.history_path = Path(f"{self.prefix}_stats_history.csv")
        self._history = self.history_path.open("w", newline="", encoding="utf-8")
        csv.writer(self._history).writerow(history_columns())
        self._history.flush()
        self._rewritten_at = float("-inf")

    @property
    def paths(self) -> list[Path]:
        return [self._stats.path, self.history_path, self._failures.path, self._exceptions.path]

    def tick(
        self,
        stats: RequestStats,
        exceptions: Mapping[Any, Mapping[str, Any]],
        user_count: int,
        now: float,
        monotonic_now: float,
        final: bool = False,
    ) -> None:
        """Append a history row; rewrite the whole-run files if ``REWRITE_INTERVAL`` has passed
        (half a second of timer slack allowed) or this is the ``final`` tick."""
        self.append_history(stats, user_count, now)
        if final or monotonic_now - self._rewritten_at >= self.REWRITE_INTERVAL - 0.5:
            self._rewritten_at = monotonic_now
            self.rewrite(stats, exceptions)

    def rewrite(self, stats: RequestStats, exceptions: Mapping[Any, Mapping[str, Any]]) -> None:
        """The whole-run files (stats, failures, exceptions) as of now."""
        self.write_stats(stats)
        self.write_failures(stats)
        self.write_exceptions(exceptions)

    def write_stats(self, stats: RequestStats) -> None:
        self._stats.replace_rows(stats_rows(stats))

    def append_history(self, stats: RequestStats, user_count: int, now: float) -> None:
        csv.writer(self._history).writerows(history_rows(stats, user_count, now, self.full_history))
        self._history.flush()

    def write_failures(self, stats: RequestStats) -> None:
        self._failures.replace_rows(failures_rows(stats))

    def write_exceptions(self, exceptions: Mapping[Any, Mapping[str, Any]]) -> None:
        self._exceptions.replace_rows(exceptions_rows(exceptions))

    @property
    def closed(self) -> bool:
        return self._history.closed

    def close(self) -> None:
        for handle in (self._stats.file, self._history, self._failures.file, self._exceptions.file):
            if not handle.closed:
                handle.close()

    def __enter__(self) -> CsvWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
