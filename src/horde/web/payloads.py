"""JSON bodies of the web endpoints, built from the runner's state (pure: no aiohttp here).

The Locust-compatible ones keep Locust 2.47's keys, because scripts and dashboards poll them;
Horde's own (``/api/v1``) add what Locust cannot show: exact percentiles of every entry, phase
timings and the generator's health.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import chain
from typing import Any

from horde.distributed.master import MasterRunner
from horde.runtime.health import HealthMonitor
from horde.runtime.runner import Runner
from horde.stats.entries import StatsEntry
from horde.stats.errors import error_text
from horde.stats.histogram import Histogram, bucket_value
from horde.stats.request_stats import RequestStats
from horde.stats.thresholds import ThresholdResult
from horde.user.inspect_ratio import ratio_report

MAX_LOCUST_ROWS = 500
"""Locust's cap on rows in /stats/requests and its failure list (Horde's API has none)."""


def locust_entry(entry: StatsEntry) -> dict[str, Any]:
    """One row of Locust's /stats/requests ``stats`` list. Percentiles, min and max are exact ms
    (Locust sends bucketed and rounded ones), so that median <= p95 <= max always holds."""
    median, p90, p95, p99 = entry.get_response_time_percentiles([0.5, 0.9, 0.95, 0.99])
    rps, fail_per_sec = entry.current_rates()
    total_rps, total_fail_per_sec = entry.total_rates()
    return {
        "method": entry.method,
        "name": entry.name,
        "safe_name": entry.name,
        "num_requests": entry.num_requests,
        "num_failures": entry.num_failures,
        "avg_response_time": entry.avg_response_time,
        "min_response_time": entry.min_response_time or 0,
        "max_response_time": entry.max_response_time,
        "current_rps": rps,
        "current_fail_per_sec": fail_per_sec,
        "median_response_time": median,
        "ninetieth_response_time": p90,
        "ninety_ninth_response_time": p99,
        "avg_content_length": entry.avg_content_length,
        "response_time_percentile_0.95": p95,
        "response_time_percentile_0.99": p99,
        "total_rps": total_rps,
        "total_fail_per_sec": total_fail_per_sec,
    }


def sorted_entries(stats: RequestStats) -> list[StatsEntry]:
    """Entries by name then method, as Locust lists them."""
    return [stats.entries[key] for key in sorted(stats.entries)]


def stats_requests(runner: Runner) -> dict[str, Any]:
    """Locust's ``GET /stats/requests``."""
    stats = runner.stats
    total = stats.total
    rows = [locust_entry(e) for e in chain(sorted_entries(stats)[:MAX_LOCUST_ROWS], [total])]
    errors = [error.to_dict() for error in list(stats.errors.values())[:MAX_LOCUST_ROWS]]
    p50 = total.get_current_response_time_percentile(0.5)
    p95 = total.get_current_response_time_percentile(0.95)
    return {
        "stats": rows,
        "errors": errors,
        "total_rps": total.total_rps,
        "total_fail_per_sec": total.total_fail_per_sec,
        "fail_ratio": total.fail_ratio,
        "current_response_time_percentiles": {
            "response_time_percentile_0.5": p50,
            "response_time_percentile_0.95": p95,
        },
        "current_rps": total.current_rps,
        "current_fail_per_sec": total.current_fail_per_sec,
        "state": runner.state,
        "user_count": runner.user_count,
        **(
            {"workers": workers(runner, locust_keys=True), "worker_count": runner.worker_count}
            if isinstance(runner, MasterRunner)
            else {}
        ),
    }


def thresholds(results: Sequence[ThresholdResult]) -> list[dict[str, Any]]:
    """Each threshold judged: expression, observed value (``unit`` "ms" for times), passed."""
    return [{**result.to_json(), "unit": "ms" if result.threshold.is_time() else ""} for result in results]


def workers(runner: MasterRunner, locust_keys: bool = False) -> list[dict[str, Any]]:
    """A master's workers (the Workers tab); ``locust_keys``: only the keys Locust's
    ``/stats/requests`` has (id, state, user_count, cpu_usage, memory_usage)."""
    rows = []
    for node in sorted(runner.clients.values(), key=lambda node: node.index):
        row: dict[str, Any] = {
            "id": node.id,
            "state": node.state,
            "user_count": node.user_count,
            "cpu_usage": node.cpu_usage,
            "memory_usage": node.memory_usage,
        }
        if not locust_keys:
            verdict = runner.health.source_verdict(node.label)
            row.update(
                index=node.index,
                rps=node.rps,
                last_heartbeat=node.last_heartbeat,
                verdict=str(verdict) if verdict is not None else None,
            )
        rows.append(row)
    return rows


def exceptions(rows: Mapping[Any, Mapping[str, Any]]) -> dict[str, Any]:
    """Locust's ``GET /exceptions``, of a runner's exception table."""
    return {
        "exceptions": [
            {
                "count": row["count"],
                "msg": row["msg"],
                "traceback": row["traceback"],
                "nodes": ", ".join(row["nodes"]),
            }
            for row in rows.values()
        ]
    }


def tasks(runner: Runner) -> dict[str, Any]:
    """Locust's ``GET /tasks``: task ratios per class and in total, at the current user count
    (after a test, at the count it ran with; before any, by the classes' weights)."""
    user_classes = runner.environment.user_classes
    return ratio_report(user_classes, runner.user_count or runner.target_user_count or None)


# Horde's own API (/api/v1) ---------------------------------------------------------------------

DISPLAY_BINS = 80
SHOWN_PERCENTILES = (0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0)
SPECTRUM = (*(1 - 10 ** (-step / 8) for step in range(41)), 1.0)
"""The percentile spectrum's points: 8 per "nine" from p0 to p99.999, then the maximum."""


def table_row(entry: StatsEntry) -> list[Any]:
    """One row of the UI's statistics table (an array: 10,000 of them stay small on the wire), and
    at its end the latency from the planned start (median, p95, p99, avg, min, max) when the name
    has one (arrivals, paced users)."""
    median, p95, p99 = entry.get_response_time_percentiles([0.5, 0.95, 0.99])
    planned = entry.planned
    from_plan: list[Any] = []
    if planned:
        from_plan = [value / 1000 for value in planned.percentiles([0.5, 0.95, 0.99])]
        from_plan += [planned.mean_us() / 1000, planned.min_us / 1000, planned.max_us / 1000]
    return [
        entry.method,
        entry.name,
        entry.num_requests,
        entry.num_failures,
        median,
        p95,
        p99,
        entry.avg_response_time,
        entry.min_response_time,
        entry.max_response_time,
        entry.avg_content_length,
        *entry.current_rates(),
        *from_plan,
    ]


def stats_table(stats: RequestStats) -> dict[str, Any]:
    return {"rows": [table_row(entry) for entry in sorted_entries(stats)], "total": table_row(stats.total)}


def failures(stats: RequestStats) -> dict[str, Any]:
    rows = sorted(stats.errors.values(), key=lambda error: -error.occurrences)
    return {
        "failures": [
            {"method": e.method, "name": e.name, "error": error_text(e.error), "occurrences": e.occurrences}
            for e in rows
        ]
    }


def distribution(histogram: Histogram, bins: int = DISPLAY_BINS) -> dict[str, Any]:
    """Counts in about ``bins`` log-spaced ranges between the fastest and slowest sample (ms),
    and the percentiles, both from the exact histogram."""
    pairs = list(histogram.pairs())
    shown = [
        [p, value / 1000]
        for p, value in zip(SHOWN_PERCENTILES, histogram.percentiles(SHOWN_PERCENTILES), strict=True)
    ]
    spectrum = [[p, value / 1000] for p, value in zip(SPECTRUM, histogram.percentiles(SPECTRUM), strict=True)]
    if not pairs:
        return {"count": 0, "buckets": [], "percentiles": shown, "spectrum": []}
    low = max(histogram.min_us, 1)
    high = max(histogram.max_us, low + 1)
    ratio = (high / low) ** (1 / bins)
    edges = [low * ratio**i for i in range(bins + 1)]
    counts = [0] * bins
    for index, n in pairs:
        value = bucket_value(index)
        position = 0 if value <= low else min(bins - 1, int(math.log(value / low) / math.log(ratio)))
        counts[position] += n
    buckets = [[edges[i] / 1000, edges[i + 1] / 1000, n] for i, n in enumerate(counts) if n]
    return {"count": histogram.count, "buckets": buckets, "percentiles": shown, "spectrum": spectrum}


def phases(entry: StatsEntry) -> dict[str, Any] | None:
    stats = entry.phases
    if stats is None or not stats.requests:
        return None
    points = (0.5, 0.95, 0.99)

    def of(histogram: Histogram) -> list[list[float]] | None:
        if not histogram:
            return None
        return [[p, value / 1000] for p, value in zip(points, histogram.percentiles(points), strict=True)]

    return {
        "connections": stats.new_connections,
        "connect": of(stats.connect),
        "tls": of(stats.tls),
        "ttfb": of(stats.ttfb),
    }


def arrivals(runner: Runner) -> dict[str, Any] | None:
    """An open-model test's arrivals: the rate now, the plan, started and dropped so far."""
    executor = runner.arrivals
    if executor is None:
        return None
    return {
        "rate": executor.rate,
        "plan": executor.plan.describe(),
        "process": executor.process,
        "started": executor.started,
        "dropped": runner.stats.dropped_iterations,
    }


def health(monitor: HealthMonitor) -> dict[str, Any] | None:
    windows = monitor.windows
    if not windows:
        return None
    last = windows[-1]
    return {
        "verdict": str(monitor.verdict()),
        "limited": last.limited,
        "reasons": list(last.reasons),
        "windows": len(windows),
        "limitedWindows": sum(1 for window in windows if window.limited),
    }
