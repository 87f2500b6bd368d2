"""Horde's own run summary as versioned JSON (``--summary-json FILE``).

Schema ``horde.summary/1`` (fields are only ever added within a major version)::

    {
      "schema": "horde.summary/1",
      "generator": {"name": "horde", "version": "0.1.0"},
      "run": {
        "locustfile": str | null, "host": str | null, "users": int | null,
        "spawn_rate": float | null, "run_time_s": float | null,   # the requested limit
        "start_time": ISO-8601 UTC | null, "end_time": ISO-8601 UTC | null,
        "start_epoch": float | null, "end_epoch": float | null, "duration_s": float | null,
        "exit_code": int | null
      },
      "percentiles": [0.5, 0.66, ...],          # fractions behind every "percentiles_ms" map
      "totals": ENTRY,                          # the Aggregated row
      "entries": [ENTRY, ...],                  # sorted by (name, method)
      "errors": [{"method", "name", "error", "occurrences", "first_seen", "last_seen"}, ...],
      "exceptions": [{"count", "message", "traceback", "nodes": [str]}, ...],
      "workers_lost": [{"client_id", "time", "epoch",   # distributed: missing during the test
                        "back_time": ISO-8601 UTC | null}, ...],  # heard again (a healed cut)
      "unfinished_requests": {"count": int,     # still on their way when their user was stopped
                              "failed": int},   # of those, counted as failures (RequestUnfinished)
      "thresholds": [{"expression": str, "passed": bool,    # --threshold, each judged on the run
                      "observed": float | null}, ...],     # ms for times; null: no such requests
      "outputs": {"influxdb": {"url", "points_written", "points_dropped"}},   # --influxdb, when given
      "comparison": null | {"baseline": int, "regressed": bool,   # --baseline
                            "entries": [{"method", "name", "metrics": [{"metric", "baseline",
                                         "candidate", "change", "outcome", "why"}]}]},
      "dropped_iterations": int,                # arrivals that found no idle user (open model)
      "arrivals": null | {"plan": str, "process": "constant" | "poisson",   # --arrival-rate runs
                          "started": int, "dropped": int},
      "generator_health": null | {              # was the load generator the bottleneck?
        "verdict": "VALID" | "DEGRADED" | "INVALID" | null,
        "window_s": float,
        "thresholds": {"cpu_percent", "loop_lag_ms", "schedule_lag_ms"},
        "windows": [{"start_s", "end_s", "cpu_percent", "steal_percent" | null,
                     "cores_busy_percent" | null,          # the cores the process may run on
                     "loop_lag_p99_ms", "loop_lag_max_ms", "schedule_lag_p99_ms" | null,
                     "connection_waits", "limited": bool, "reasons": [str]}, ...]
      }
    }

    ENTRY = {
      "name", "method",
      "requests", "failures", "none_requests", "fail_ratio",
      "rps", "failures_per_s",                  # whole-run rates
      "response_time_ms": {"min", "avg", "max", "median",
                           "percentiles_ms": {"50": v, "66": v, ..., "99.9": v, "100": v}},
      "content_length": {"total": int, "avg": float},
      "planned_ms": null | {                    # latency from the planned start (arrivals, paced
        "samples": int, "max": float,           # users; with a paced user's skipped iterations)
        "percentiles_ms": {"50": v, ..., "100": v}},
      "phases": null | {                        # requests that reported phase timings
        "connect": PHASE | null, "tls": PHASE | null, "ttfb": PHASE | null,
        "reused_connections": int, "new_connections": int
      }
    }
    PHASE = {"count", "avg", "min", "max", "p50", "p95", "p99"}   # milliseconds

Times are milliseconds with microsecond resolution; percentiles are within 1 % of exact (see
:mod:`horde.stats.histogram`); a phase ``avg`` comes from bucket middles (within 0.4 %).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from horde.reports.csv_files import iso_utc
from horde.runtime.result import RunInfo, RunResult
from horde.stats import percentiles
from horde.stats.entries import StatsEntry
from horde.stats.errors import error_text
from horde.stats.histogram import Histogram
from horde.version import __version__

SCHEMA = "horde.summary/1"


def build_summary(result: RunResult) -> dict[str, Any]:
    """The summary document (see the module docstring for its schema)."""
    stats = result.stats
    shown = list(percentiles.PERCENTILES_TO_REPORT)
    return {
        "schema": SCHEMA,
        "generator": {"name": "horde", "version": __version__},
        "run": _run_section(result.info),
        "percentiles": shown,
        "totals": entry_summary(stats.total, shown),
        "entries": [entry_summary(stats.entries[key], shown) for key in sorted(stats.entries)],
        "errors": [
            {
                "method": error.method,
                "name": error.name,
                "error": error_text(error.error),
                "occurrences": error.occurrences,
                "first_seen": error.first_seen,
                "last_seen": error.last_seen,
            }
            for error in sorted(stats.errors.values(), key=lambda e: -e.occurrences)
        ],
        "exceptions": [
            {
                "count": row["count"],
                "message": row["msg"],
                "traceback": row["traceback"],
                "nodes": sorted(row["nodes"]),
            }
            for row in result.exceptions.values()
        ],
        "unfinished_requests": {"count": stats.unfinished, "failed": stats.unfinished_failed},
        "workers_lost": [
            {
                "client_id": lost.client_id,
                "time": iso_utc(lost.epoch),
                "epoch": lost.epoch,
                "back_time": iso_utc(lost.back_epoch) if lost.back_epoch is not None else None,
            }
            for lost in result.lost_workers
        ],
        "generator_health": result.health.to_json(),
        "thresholds": [judged.to_json() for judged in result.thresholds],
        "outputs": {name: dict(summary) for name, summary in result.outputs.items()},
        "comparison": dict(result.comparison) if result.comparison is not None else None,
        "dropped_iterations": stats.dropped_iterations,
        "arrivals": _arrivals_section(result.info, stats.dropped_iterations),
    }


def _arrivals_section(run: RunInfo, dropped: int) -> dict[str, Any] | None:
    if run.arrival_rate is None:
        return None
    return {
        "plan": run.arrival_rate,
        "process": run.arrival_process,
        "started": run.arrivals_started or 0,
        "dropped": dropped,
    }


def _run_section(run: RunInfo) -> dict[str, Any]:
    section = asdict(run)
    for key in ("arrival_rate", "arrival_process", "arrivals_started"):  # in "arrivals"
        del section[key]
    section["start_time"] = iso_utc(run.start_epoch) or None
    section["end_time"] = iso_utc(run.end_epoch) or None
    duration = None
    if run.start_epoch is not None and run.end_epoch is not None:
        duration = round(run.end_epoch - run.start_epoch, 3)
    section["duration_s"] = duration
    return section


def entry_summary(entry: StatsEntry, shown: list[float]) -> dict[str, Any]:
    """One ENTRY object of the schema."""
    titles = [title.rstrip("%") for title in percentiles.get_readable_percentiles(shown)]
    values = entry.get_response_time_percentiles(shown)
    phases = entry.phases
    return {
        "name": entry.name,
        "method": entry.method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "none_requests": entry.num_none_requests,
        "fail_ratio": entry.fail_ratio,
        "rps": entry.total_rps,
        "failures_per_s": entry.total_fail_per_sec,
        "response_time_ms": {
            "min": entry.min_response_time,
            "avg": entry.avg_response_time,
            "max": entry.max_response_time,
            "median": entry.median_response_time,
            "percentiles_ms": dict(zip(titles, values, strict=True)),
        },
        "content_length": {"total": entry.total_content_length, "avg": entry.avg_content_length},
        "planned_ms": _planned(entry.planned, titles, shown),
        "phases": phases.summary() if phases is not None and phases.requests else None,
    }


def _planned(histogram: Histogram | None, titles: list[str], shown: list[float]) -> dict[str, Any] | None:
    if not histogram:
        return None
    values = [value / 1000 for value in histogram.percentiles(shown)]
    return {
        "samples": histogram.count,
        "max": histogram.max_us / 1000,
        "percentiles_ms": dict(zip(titles, values, strict=True)),
    }


def summary_text(summary: Mapping[str, Any]) -> str:
    return json.dumps(summary, indent=2)


def write_summary(path: str | Path, result: RunResult) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(summary_text(build_summary(result)), encoding="utf-8")
    return target
