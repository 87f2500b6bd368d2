"""One statistics entry as a line of Locust's console tables (``StatsEntry.to_string()`` and
``percentile()``, and horde.reports.console's tables). Column widths follow Locust: type column 8,
name column ``name_width`` (80 by default). Times are whole milliseconds as in Locust, except below
10 ms, where two decimals are shown (Horde measures microseconds; a local target answers in less
than one millisecond and a column of zeros would say nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from horde.stats import percentiles

if TYPE_CHECKING:
    from horde.stats.entries import StatsEntry

STATS_TYPE_WIDTH = 8
STATS_NAME_WIDTH = 80


def format_ms(value: float | None) -> str:
    """Milliseconds for a table cell: whole numbers, two decimals below 10 ms."""
    if not value:
        return "0"
    return f"{value:.2f}" if value < 10 else str(round(value))


def stats_row(entry: StatsEntry, current: bool = True, name_width: int = STATS_NAME_WIDTH) -> str:
    """One row: current (last 10 s) or whole-run rates."""
    rps, fail_per_sec = entry.current_rates() if current else entry.total_rates()
    fails = f"{entry.num_failures}({entry.fail_ratio * 100:.2f}%)"
    return "%-*s %-*s %7d %12s |%7s %7s %7s%7s | %7.2f %11.2f" % (  # noqa: UP031 - Locust's layout
        STATS_TYPE_WIDTH,
        entry.method,
        name_column(name_width),
        entry.name,
        entry.num_requests,
        fails,
        format_ms(entry.avg_response_time),
        format_ms(entry.min_response_time),
        format_ms(entry.max_response_time),
        format_ms(entry.median_response_time),
        rps or 0.0,
        fail_per_sec or 0.0,
    )


def name_column(name_width: int) -> int:
    # Locust gives the name the type column's width back plus 4 spare characters.
    return name_width - STATS_TYPE_WIDTH + 4


def percentile_row(entry: StatsEntry, name_width: int = STATS_NAME_WIDTH) -> str:
    """Method, name, the report percentiles and the request count (Locust's column order)."""
    shown = percentiles.PERCENTILES_TO_REPORT
    values = [format_ms(v) for v in entry.get_response_time_percentiles(shown)]
    cells = [f"{values[0]:>8}", *(f"{value:>6}" for value in values[1:]), f"{entry.num_requests:>6}"]
    return f"{entry.method:<{STATS_TYPE_WIDTH}} {entry.name:<{name_width}} " + " ".join(cells)
