"""What a generator reported about latency on a delay-server run, and what was true.

Two readings per tool: the Aggregated row of its ``_stats.csv`` (50% / 99% columns; whole
milliseconds in both tools) and, for Horde, the exact percentiles of its ``--summary-json``
(microsecond resolution, within 1 %). The truth comes from the server (see ``delay_server.py``).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from delay_target import ServerTruth


@dataclass(frozen=True)
class Latency:
    delay_ms: int  # what the server was told to hold each response
    csv_p50_ms: float | None
    csv_p99_ms: float | None
    exact_p50_ms: float | None  # Horde's --summary-json; None for Locust
    exact_p99_ms: float | None
    server: ServerTruth


def read_csv_percentiles(csv_prefix: Path) -> tuple[float | None, float | None]:
    """The 50% and 99% columns of the Aggregated row of ``PREFIX_stats.csv``."""
    path = csv_prefix.with_name(csv_prefix.name + "_stats.csv")
    try:
        with path.open(newline="") as file:
            for row in csv.DictReader(file):
                if row.get("Name") == "Aggregated":
                    return _number(row.get("50%")), _number(row.get("99%"))
    except OSError:
        pass
    return None, None


def read_exact_percentiles(summary_json: Path) -> tuple[float | None, float | None]:
    """p50 and p99 of the Aggregated entry (``totals``) of a Horde ``--summary-json`` file."""
    try:
        percentiles = json.loads(summary_json.read_text())["totals"]["response_time_ms"]["percentiles_ms"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None
    return _number(percentiles.get("50")), _number(percentiles.get("99"))


def _number(value: object) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None  # Locust writes "N/A" for an entry without requests
