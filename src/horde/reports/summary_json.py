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
      "unfinished_requests": {"count": int,     # still on their way when their user was stopped
                              "failed": int},   # of those, counted as failures (RequestUnfinished)
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
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from horde.reports.csv_files import iso_utc
from horde.stats import percentiles
from horde.stats.entries import StatsEntry
from horde.stats.errors import error_text
from horde.stats.request_stats import RequestStats
from horde.version import __version__

SCHEMA = "horde.summary/1"


@dataclass(frozen=True)
class RunInfo:
    """What the summary says about the run itself (all optional)."""

    locustfile: str | None = None
    host: str | None = None
    users: int | None = None
    spawn_rate: float | None = None
    run_time_s: float | None = None
    start_epoch: float | None = None
    end_epoch: float | None = None
    exit_code: int | None = None


def build_summary(
    stats: RequestStats,
    run: RunInfo,
    exceptions: Mapping[Any, Mapping[str, Any]] | None = None,
    health: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The summary document (see the module docstring for its schema)."""
    shown = list(percentiles.PERCENTILES_TO_REPORT)
    return {
        "schema": SCHEMA,
        "generator": {"name": "horde", "version": __version__},
        "run": _run_section(run),
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
            for row in (exceptions or {}).values()
        ],
        "unfinished_requests": {"count": stats.unfinished, "failed": stats.unfinished_failed},
        "generator_health": health,
    }


def _run_section(run: RunInfo) -> dict[str, Any]:
    section = asdict(run)
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
        "phases": phases.summary() if phases is not None and phases.requests else None,
    }


def summary_text(summary: Mapping[str, Any]) -> str:
    return json.dumps(summary, indent=2)


def write_summary(
    path: str | Path, environment: Any, options: Any = None, exit_code: int | None = None
) -> Path:
    """Write the summary of a finished run: reads the environment's stats, runner and options."""
    runner = getattr(environment, "runner", None)
    stats: RequestStats = environment.stats
    run = RunInfo(
        locustfile=_option(options, "locustfile"),
        host=getattr(environment, "host", None) or _option(options, "host"),
        users=_option(options, "num_users"),
        spawn_rate=_option(options, "spawn_rate"),
        run_time_s=_option(options, "run_time"),
        start_epoch=getattr(runner, "test_start_time", None) or stats.start_time,
        end_epoch=stats.last_request_timestamp,
        exit_code=exit_code,
    )
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        summary_text(build_summary(stats, run, getattr(runner, "exceptions", None), _health(runner))),
        encoding="utf-8",
    )
    return target


def _health(runner: Any) -> dict[str, Any] | None:
    health = getattr(runner, "health", None)
    return health.to_json() if health is not None else None


def _option(options: Any, name: str) -> Any:
    value = getattr(options, name, None)
    return value if isinstance(value, (str, int, float)) or value is None else str(value)
