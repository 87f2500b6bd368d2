"""Failure rows: Locust's keys and display, first/last seen, bounded cardinality, merging."""

from __future__ import annotations

import hashlib

from horde.exception import CatchResponseError
from horde.stats import RequestStats, StatsError
from horde.stats.errors import OVERFLOW_ERROR


class Thing:
    pass


def make_stats(max_error_rows: int = 1000) -> tuple[RequestStats, list[float]]:
    now = [100.0]
    return RequestStats(clock=lambda: now[0], max_error_rows=max_error_rows), now


def test_parse_error_blanks_memory_addresses():
    text = StatsError.parse_error(ValueError(Thing()))
    assert "object at 0x...." in text
    assert StatsError.parse_error(ValueError(Thing())) == text
    assert StatsError.parse_error(ValueError("plain")) == "ValueError('plain')"


def test_key_is_sha256_of_method_name_and_error_text():
    expected = hashlib.sha256(b"GET./x.\"ValueError('boom')\"").hexdigest()
    assert StatsError.create_key("GET", "/x", ValueError("boom")) == expected


def test_same_error_kind_counts_in_one_row_with_first_and_last_seen():
    stats, now = make_stats()
    stats.record("GET", "/", 1.0, 0, ValueError(Thing()))
    now[0] = 150.0
    stats.record("GET", "/", 1.0, 0, ValueError(Thing()))
    stats.record("GET", "/", 1.0, 0, KeyError("k"))
    assert len(stats.errors) == 2
    row = stats.errors[StatsError.create_key("GET", "/", ValueError(Thing()))]
    assert (row.occurrences, row.first_seen, row.last_seen) == (2, 100.0, 150.0)
    assert (row.method, row.name) == ("GET", "/")


def test_to_name_unwraps_catch_response_errors():
    stats, _ = make_stats()
    stats.record("POST", "/login", 1.0, 0, CatchResponseError("Got wrong response"))
    stats.record("GET", "/", 1.0, 0, ConnectionRefusedError(111, "refused"))
    names = sorted(error.to_name() for error in stats.errors.values())
    assert names == ["GET /: ConnectionRefusedError(111, 'refused')", "POST /login: Got wrong response"]
    # Rows from another process carry the text; it unwraps the same way.
    assert StatsError("GET", "/", "CatchResponseError('late')").to_name() == "GET /: late"
    assert StatsError("GET", "/", "HTTPError('500')").to_name() == "GET /: HTTPError('500')"


def test_distinct_rows_are_capped_with_one_overflow_row_per_request():
    stats, _ = make_stats(max_error_rows=5)
    for i in range(20):
        stats.record("GET", "/a", 1.0, 0, ValueError(f"id {i}"))
    for i in range(3):
        stats.record("GET", "/b", 1.0, 0, ValueError(f"id {i}"))
    assert len(stats.errors) == 7  # 5 kinds + an overflow row for /a and for /b
    overflow = [e for e in stats.errors.values() if e.error == OVERFLOW_ERROR]
    assert sorted((e.name, e.occurrences) for e in overflow) == [("/a", 15), ("/b", 3)]
    assert sum(e.occurrences for e in stats.errors.values()) == 23 == stats.num_failures
    assert "Too many distinct errors" in overflow[0].to_name()


def test_past_twice_the_cap_everything_new_goes_to_one_row():
    stats, _ = make_stats(max_error_rows=2)
    for i in range(10):
        stats.record("GET", f"/{i}", 1.0, 0, ValueError(f"id {i}"))
    assert len(stats.errors) <= 5
    assert sum(e.occurrences for e in stats.errors.values()) == 10


def test_serialize_and_merge_errors_from_another_process():
    worker, now = make_stats()
    worker.record("GET", "/", 1.0, 0, ValueError("x"))
    now[0] = 120.0
    worker.record("GET", "/", 1.0, 0, ValueError("x"))
    rows = worker.serialize_errors()
    (data,) = rows.values()
    assert data == {
        "method": "GET",
        "name": "/",
        "error": "ValueError('x')",
        "occurrences": 2,
        "first_seen": 100.0,
        "last_seen": 120.0,
    }
    master, _ = make_stats()
    master.merge_errors(rows)
    master.merge_errors(rows)
    (row,) = master.errors.values()
    assert (row.occurrences, row.first_seen, row.last_seen) == (4, 100.0, 120.0)


def test_errors_dict_can_be_replaced_like_in_locust():
    stats, _ = make_stats()
    stats.record("GET", "/", 1.0, 0, ValueError("x"))
    stats.errors = {}
    stats.record("GET", "/", 1.0, 0, ValueError("x"))
    (row,) = stats.errors.values()
    assert row.occurrences == 1
