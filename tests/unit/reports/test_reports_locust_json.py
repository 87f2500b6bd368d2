"""--json / --json-file: Locust's list of serialised entries."""

from __future__ import annotations

import json

from horde.reports.locust_json import stats_json, stats_json_text, write_json_file
from horde.stats import RequestStats

KEYS = [
    "name",
    "method",
    "last_request_timestamp",
    "start_time",
    "num_requests",
    "num_none_requests",
    "num_failures",
    "total_response_time",
    "max_response_time",
    "min_response_time",
    "total_content_length",
    "response_times",
    "num_reqs_per_sec",
    "num_fail_per_sec",
]


def make_stats() -> RequestStats:
    stats = RequestStats(clock=lambda: 500.0)
    stats.record("GET", "/a", 0.2, 100, None)  # below 256 µs: an exact bucket
    stats.record("GET", "/a", None, 100, RuntimeError("x"))
    stats.log_error("DELETE", "/only-failed", RuntimeError("y"))
    stats.get("/untouched", "GET")
    stats.sample_history(501.0, 1)
    return stats


def test_entries_with_locust_keys_without_aggregated_or_untouched():
    data = stats_json(make_stats())
    assert [item["name"] for item in data] == ["/a", "/only-failed"]
    assert all(list(item) == KEYS for item in data)
    a = data[0]
    assert (a["num_requests"], a["num_none_requests"], a["num_failures"]) == (2, 1, 1)
    assert (a["min_response_time"], a["max_response_time"], a["total_response_time"]) == (0.2, 0.2, 0.2)
    assert a["response_times"] == {0.2: 1}
    assert a["num_reqs_per_sec"] == {501: 2}


def test_text_is_indented_json_with_string_keys():
    text = stats_json_text(make_stats())
    assert text.startswith("[\n    {\n")
    parsed = json.loads(text)
    assert parsed[0]["response_times"] == {"0.2": 1}
    assert parsed[0]["num_fail_per_sec"] == {"501": 1}


def test_json_file_gets_the_json_suffix(tmp_path):
    path = write_json_file(make_stats(), tmp_path / "out" / "result")
    assert path == tmp_path / "out" / "result.json"
    assert json.loads(path.read_text())[0]["name"] == "/a"
