"""``--json`` / ``--json-file``: Locust's list of serialised entries.

One object per entry (the Aggregated row is not included; entries with neither requests nor
failures are skipped) with Locust's keys: name, method, last_request_timestamp, start_time,
num_requests, num_none_requests, num_failures, total_response_time, max_response_time,
min_response_time, total_content_length, response_times, num_reqs_per_sec, num_fail_per_sec.
``response_times`` maps each histogram bucket's middle value in ms to its count (JSON turns the keys
into strings, as it does for Locust's integer keys); the per-second counters cover the last ~10 s.
Errors and exceptions are not part of it, as in Locust.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from horde.stats.request_stats import RequestStats


def stats_json(stats: RequestStats) -> list[dict[str, Any]]:
    """The data (``json.dumps`` it with ``indent=4`` for Locust's exact text)."""
    return stats.serialize_stats()


def stats_json_text(stats: RequestStats) -> str:
    """What ``--json`` prints."""
    return json.dumps(stats_json(stats), indent=4)


def write_json_file(stats: RequestStats, name: str | Path) -> Path:
    """What ``--json-file NAME`` writes: ``NAME.json`` (".json" is appended, as in Locust)."""
    path = Path(f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(stats_json_text(stats), encoding="utf-8")
    return path
