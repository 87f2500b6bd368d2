"""Console tables with Locust's layout: the periodic stats table, the final summary, the
"Response time percentiles (approximated)" table and the "Error report".

Functions return text; :func:`log_text` prints it through the ``locust.stats_logger`` logger, as
Locust prints its tables (plain lines on stderr once logging is set up, or the user's own handlers
under ``--skip-log-setup``). Rows, column widths and number formats follow Locust's
(horde.stats.rows; the name column is 80 wide or what :func:`name_width_for_terminal` gives), so
scripts that read Locust's console output keep working.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from horde.runtime.health import HealthMonitor, Verdict, describe, summary_line
from horde.runtime.result import LostWorker, RunInfo, RunResult
from horde.stats import percentiles
from horde.stats.aggregate import AGGREGATED_NAME
from horde.stats.histogram import Histogram
from horde.stats.request_stats import UNFINISHED_FAILS_AFTER_MS, RequestStats
from horde.stats.rows import (
    STATS_NAME_WIDTH,
    STATS_TYPE_WIDTH,
    format_ms,
    name_column,
    percentile_row,
    stats_row,
)
from horde.stats.thresholds import ThresholdResult

PERCENTILES_HEADING = "Response time percentiles (approximated)"
PLANNED_HEADING = "Latency from the planned start (ms): service time plus how late its iteration started"
PLANNED_NOTE = (
    "(What a user arriving on schedule waited: an arrival's lateness is the generator's; a paced user's "
    "includes the iterations it skipped while a slow answer held it, as wrk2 counts them.)"
)
ACCURACY_NOTE = "(Horde: every percentile is within 1 % of the exact value, from microsecond histograms.)"

stats_logger = logging.getLogger("locust.stats_logger")


def log_text(text: str) -> None:
    """Each line of ``text`` as one INFO record, as Locust logs its tables line by line."""
    for line in text.split("\n"):
        stats_logger.info(line)


def name_width_for_terminal(columns: int) -> int:
    """Locust's rule: the terminal width minus 80, between 0 and 80."""
    return max(min(columns - 80, 80), 0)


# The request table -------------------------------------------------------------------------------
def stats_table(stats: RequestStats, current: bool = True, name_width: int = STATS_NAME_WIDTH) -> str:
    """Type, Name, # reqs, # fails, Avg, Min, Max, Med, req/s, failures/s for every entry and the
    Aggregated row. ``current`` picks last-10-s rates (periodic table) or whole-run ones (final)."""
    width = name_column(name_width)
    header = "%-*s %-*s %7s %12s |%7s %7s %7s%7s | %7s %11s" % (  # noqa: UP031
        STATS_TYPE_WIDTH,
        "Type",
        width,
        "Name",
        "# reqs",
        "# fails",
        "Avg",
        "Min",
        "Max",
        "Med",
        "req/s",
        "failures/s",
    )
    separator = "|".join("-" * n for n in (STATS_TYPE_WIDTH, width, 7, 13, 7, 7, 7, 7, 8, 11))
    lines = [header, separator]
    lines += [stats_row(stats.entries[key], current, name_width) for key in sorted(stats.entries)]
    lines += [separator, stats_row(stats.total, current, name_width), ""]
    return "\n".join(lines)


# The percentile table ----------------------------------------------------------------------------
def percentiles_table(stats: RequestStats, name_width: int = STATS_NAME_WIDTH, note: bool = True) -> str:
    """Locust's "Response time percentiles (approximated)" table, plus Horde's accuracy note."""
    shown = percentiles.PERCENTILES_TO_REPORT
    titles = [*percentiles.get_readable_percentiles(shown), "# reqs"]
    header_cells = [f"{titles[0]:>8}", *(f"{title:>6}" for title in titles[1:])]
    header = f"{'Type':<{STATS_TYPE_WIDTH}} {'Name':<{name_width}} " + " ".join(header_cells)
    separator = "|".join(["-" * STATS_TYPE_WIDTH, "-" * name_width, "-" * 8, *(["-" * 6] * len(shown))])
    lines = [PERCENTILES_HEADING, header, separator]
    for key in sorted(stats.entries):
        entry = stats.entries[key]
        if entry.response_times:
            lines.append(percentile_row(entry, name_width))
    lines.append(separator)
    if stats.total.response_times:
        lines.append(percentile_row(stats.total, name_width))
    lines += [ACCURACY_NOTE, ""] if note else [""]
    return "\n".join(lines)


# Errors and the final summary --------------------------------------------------------------------
def error_report(stats: RequestStats, name_width: int = STATS_NAME_WIDTH) -> str:
    """Locust's "Error report": occurrences and "METHOD name: error", most frequent first."""
    separator = "-" * 18 + "|" + "-" * (80 + name_width - 19)
    lines = ["Error report", f"{'# occurrences':<18} {'Error':<100}", separator]
    for error in sorted(stats.errors.values(), key=lambda row: -row.occurrences):
        lines.append(f"{error.occurrences:<18} {error.to_name():<100}")
    lines += [separator, ""]
    return "\n".join(lines)


def final_summary(stats: RequestStats, name_width: int = STATS_NAME_WIDTH) -> str:
    """What Locust prints at the end: whole-run table, percentiles, and errors if there were any."""
    parts = [stats_table(stats, current=False, name_width=name_width), percentiles_table(stats, name_width)]
    if stats.errors:
        parts.append(error_report(stats, name_width))
    return "\n".join(parts)


def unfinished_line(stats: RequestStats) -> str | None:
    """How many requests were still waiting for their answer when the test stopped their users."""
    if not stats.unfinished:
        return None
    waiting = f"{stats.unfinished} request{'s' if stats.unfinished != 1 else ''} still waiting at the end"
    if not stats.unfinished_failed:
        return f"{waiting} (none for long: not counted as failures)"
    after = f"{UNFINISHED_FAILS_AFTER_MS / 1000:g} s"
    return (
        f"{waiting}: {stats.unfinished_failed} of them had waited over {after} and longer than any "
        "answered request of their name, and count as failures (RequestUnfinished)"
    )


MAX_WINDOW_LINES = 10


def planned_table(stats: RequestStats, name_width: int = STATS_NAME_WIDTH) -> str | None:
    """The percentiles of the latency from the planned start (arrivals, paced users), with the
    sample count (a paced user's skipped iterations count too); None when no request had a plan."""
    total = stats.total.planned
    if not total:
        return None
    shown = percentiles.PERCENTILES_TO_REPORT
    titles = [*percentiles.get_readable_percentiles(shown), "# samples"]
    header_cells = [f"{titles[0]:>8}", *(f"{title:>6}" for title in titles[1:])]
    header = f"{'Type':<{STATS_TYPE_WIDTH}} {'Name':<{name_width}} " + " ".join(header_cells)
    separator = "|".join(["-" * STATS_TYPE_WIDTH, "-" * name_width, "-" * 8, *(["-" * 6] * len(shown))])

    def row(method: str, name: str, histogram: Histogram) -> str:
        values = [format_ms(v / 1000) for v in histogram.percentiles(shown)]
        cells = [f"{values[0]:>8}", *(f"{value:>6}" for value in values[1:]), f"{histogram.count:>6}"]
        return f"{method:<{STATS_TYPE_WIDTH}} {name:<{name_width}} " + " ".join(cells)

    lines = [PLANNED_HEADING, header, separator]
    for key in sorted(stats.entries):
        entry = stats.entries[key]
        if entry.planned:
            lines.append(row(entry.method, entry.name, entry.planned))
    lines += [separator, row("", AGGREGATED_NAME, total), PLANNED_NOTE, ""]
    return "\n".join(lines)


def arrivals_line(info: RunInfo, stats: RequestStats) -> str | None:
    """An open-model run's arrivals: started, and dropped for want of an idle user."""
    if info.arrival_rate is None:
        return None
    started, dropped = info.arrivals_started or 0, stats.dropped_iterations
    line = f"Arrivals ({info.arrival_rate}, {info.arrival_process}): {started:,} started, {dropped:,} dropped"
    if dropped:
        share = dropped / (started + dropped)
        line += (
            f" ({share:.1%}): no user of the pool ({info.users:,}) was idle when they were due; a bigger "
            "-u takes them, unless the system under test is what holds the users"
        )
    return line


def log_final(result: RunResult, exit_code_on_invalid: int | None = None) -> None:
    """What a run prints once it ended: Locust's final tables, the latency from the planned start,
    the arrivals, the requests cut short, and whether the load generator was the bottleneck."""
    log_text(final_summary(result.stats))
    if (planned := planned_table(result.stats)) is not None:
        log_text(planned)
    if (arrivals := arrivals_line(result.info, result.stats)) is not None:
        log_text(arrivals + "\n")
    if (unfinished := unfinished_line(result.stats)) is not None:
        log_text(unfinished + "\n")
    if result.lost_workers:
        log_text(lost_workers_line(result.lost_workers) + "\n")
    if (influx := result.outputs.get("influxdb")) is not None:
        log_text(
            f"InfluxDB ({influx['url']}): {influx['points_written']:,} points written, "
            f"{influx['points_dropped']:,} dropped\n"
        )
    if result.thresholds:
        log_text(thresholds_table(result.thresholds))
    log_text(health_report(result.health, exit_code_on_invalid))


def thresholds_table(results: Sequence[ThresholdResult]) -> str:
    """``Thresholds: 1 of 3 failed`` and a row per threshold: expression, observed, pass or FAIL."""
    failed = sum(not result.passed for result in results)
    width = max(32, *(len(result.threshold.expression) for result in results))
    heading = f"{failed} of {len(results)} failed" if failed else f"all {len(results)} passed"
    lines = [
        f"Thresholds: {heading}",
        f"{'Threshold':<{width}} | {'Observed':>12} | Result",
        f"{'-' * width}-|-{'-' * 12}-|-------",
    ]
    for result in results:
        verdict = "pass" if result.passed else "FAIL"
        lines.append(f"{result.threshold.expression:<{width}} | {_observed(result):>12} | {verdict}")
    return "\n".join(lines) + "\n"


def _observed(result: ThresholdResult) -> str:
    value, threshold = result.observed, result.threshold
    if value is None:
        return "no requests"
    if threshold.is_time():
        return f"{format_ms(value)} ms"
    if threshold.metric == "fail_ratio":
        return f"{value:.4f}"
    if threshold.metric == "rps":
        return f"{value:,.1f}"
    return f"{value:,.0f}"


def lost_workers_line(lost: Sequence[LostWorker]) -> str:
    """``2 workers lost during the test: w1 at 12:00:03, w2 at 12:00:41 (back at 12:00:50) (their
    users were started on the others; each lost at most its last 3 s of requests)``."""

    def clock(epoch: float) -> str:
        return time.strftime("%H:%M:%S", time.localtime(epoch))

    when = ", ".join(
        f"{worker.client_id} at {clock(worker.epoch)}"
        + (f" (back at {clock(worker.back_epoch)})" if worker.back_epoch is not None else "")
        for worker in lost
    )
    noun = "worker" if len(lost) == 1 else "workers"
    return (
        f"{len(lost)} {noun} lost during the test: {when} (their users were started on the others; "
        "each lost at most its last 3 s of requests)"
    )


def health_report(health: HealthMonitor, exit_code_on_invalid: int | None = None) -> str:
    """The load generator's verdict, each window it was the bottleneck in, and what to do."""
    windows = health.windows
    lines = [summary_line(windows, health.verdict() if windows else None)]
    limited = [window for window in windows if window.limited]
    if limited:
        lines += [f"  {describe(window)}" for window in limited[:MAX_WINDOW_LINES]]
        if len(limited) > MAX_WINDOW_LINES:
            lines.append(f"  ... and {len(limited) - MAX_WINDOW_LINES} more windows")
        if any(window.blocked_s for window in limited):
            lines.append(
                "  User code blocked the event loop (the warnings above say where): every user "
                "waited meanwhile. Run blocking calls gevent cannot make cooperative in a thread."
            )
        else:
            lines.append(
                "  Latencies and rates of these windows describe Horde's limits, not the target's: "
                "fewer users per process, or more processes (--processes N, or more workers)."
            )
        if health.verdict() is Verdict.INVALID and exit_code_on_invalid is None:
            lines.append("  To fail a CI run like this one: --exit-code-on-invalid 3")
    return "\n".join(lines)
