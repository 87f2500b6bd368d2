"""RequestStats / StatsEntry with Locust's names and semantics (fake clock, no sleeping)."""

from __future__ import annotations

import pytest

from horde.stats import PhaseTimings, RequestStats, StatsEntry
from horde.stats.histogram import Histogram


class Clock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_stats(now: float = 1_000.0) -> tuple[RequestStats, Clock]:
    clock = Clock(now)
    return RequestStats(clock=clock), clock


def test_entries_are_keyed_by_name_and_method_and_created_on_first_use():
    stats, _ = make_stats()
    stats.record("GET", "/a", 10.0, 100, None)
    stats.record("POST", "/a", 20.0, 100, None)
    stats.record("GET", "/a", 30.0, 100, None)
    assert set(stats.entries) == {("/a", "GET"), ("/a", "POST")}
    entry = stats.get("/a", "GET")
    assert entry is stats.entries[("/a", "GET")]
    assert (entry.name, entry.method, entry.num_requests) == ("/a", "GET", 2)
    assert stats.get("/new", "PUT").num_requests == 0
    assert ("/new", "PUT") in stats.entries


def test_entry_values_follow_locust():
    stats, _ = make_stats()
    for ms, size in ((10.0, 100), (30.0, 300), (20.0, 200), (None, 400)):
        stats.record("GET", "/", ms, size, None)
    stats.record("GET", "/", 40.0, 0, ValueError("boom"))
    entry = stats.get("/", "GET")
    assert entry.num_requests == 5
    assert entry.num_none_requests == 1
    assert entry.num_failures == 1
    assert entry.total_response_time == 100.0
    assert entry.avg_response_time == 25.0  # None-time samples are not in the average
    assert entry.min_response_time == 10.0
    assert entry.max_response_time == 40.0
    assert entry.median_response_time == pytest.approx(20.0, rel=0.004)
    assert entry.total_content_length == 1000
    assert entry.avg_content_length == 200.0
    assert entry.fail_ratio == 0.2
    assert entry.get_response_time_percentile(1.0) == 40.0
    assert entry.get_response_time_percentile(0.0) == 10.0
    assert entry.get_response_time_percentiles([0.5, 1.0])[1] == 40.0


def test_min_and_max_keep_microsecond_precision():
    stats, _ = make_stats()
    stats.record("GET", "/", 12.345, 0, None)
    stats.record("GET", "/", 0.5, 0, None)
    entry = stats.get("/", "GET")
    assert (entry.min_response_time, entry.max_response_time) == (0.5, 12.345)
    assert entry.median_response_time == 0.5


def test_empty_entry_values():
    entry = make_stats()[0].get("/", "GET")
    assert entry.min_response_time is None
    assert entry.max_response_time == 0
    assert entry.avg_response_time == 0.0
    assert entry.median_response_time == 0
    assert entry.avg_content_length == 0.0
    assert entry.fail_ratio == 0.0
    assert entry.total_rps == 0.0
    assert entry.current_rps == 0.0
    assert entry.get_current_response_time_percentile(0.5) is None
    assert entry.last_request_timestamp is None


def test_fail_ratio_with_failures_but_no_requests_is_one():
    stats, _ = make_stats()
    stats.log_error("GET", "/", RuntimeError("x"))
    assert stats.get("/", "GET").fail_ratio == 1.0
    assert (stats.num_requests, stats.num_failures) == (0, 1)


def test_total_is_the_aggregate_of_the_entries():
    stats, _ = make_stats()
    stats.record("GET", "/a", 10.0, 100, None)
    stats.record("POST", "/b", 50.0, 300, RuntimeError("x"), PhaseTimings(1.0, 2.0, 5.0))
    stats.record("GET", "/a", None, 0, None)
    total = stats.total
    assert (total.name, total.method) == ("Aggregated", "")
    assert total.num_requests == stats.num_requests == 3
    assert total.num_failures == stats.num_failures == 1
    assert total.num_none_requests == stats.num_none_requests == 1
    assert total.total_response_time == 60.0
    assert (total.min_response_time, total.max_response_time) == (10.0, 50.0)
    assert total.total_content_length == 400
    assert total.response_times.count == 2
    assert total.fail_ratio == pytest.approx(1 / 3)
    assert total.phases is not None and total.phases.new_connections == 1
    # Reading again after more samples sees them (the cached sums are invalidated).
    stats.record("GET", "/c", 70.0, 0, None)
    assert total.num_requests == 4 and total.max_response_time == 70.0


def test_total_cannot_be_written():
    stats, _ = make_stats()
    with pytest.raises(AttributeError):
        stats.total.num_requests = 5
    with pytest.raises(TypeError):
        stats.total.log(1.0, 0)


def test_reset_all_zeroes_entries_and_total_but_keeps_entries():
    stats, clock = make_stats()
    stats.record("GET", "/a", 10.0, 100, RuntimeError("x"))
    stats.sample_history(clock.now + 1, 1)
    clock.now = 2_000.0
    stats.reset_all()
    assert list(stats.entries) == [("/a", "GET")]
    entry = stats.get("/a", "GET")
    assert (entry.num_requests, entry.num_failures, entry.min_response_time) == (0, 0, None)
    assert (stats.total.num_requests, stats.total.max_response_time) == (0, 0)
    assert stats.errors == {}
    assert len(stats.history) == 0
    assert stats.start_time == 2_000.0
    stats.record("GET", "/a", 5.0, 0, None)
    assert stats.total.num_requests == 1 and stats.total.max_response_time == 5.0


def test_clear_all_removes_entries_errors_and_history():
    stats, clock = make_stats()
    stats.record("GET", "/a", 10.0, 100, RuntimeError("x"))
    stats.sample_history(clock.now + 1, 1)
    stats.clear_all()
    assert stats.entries == {} and stats.errors == {} and len(stats.history) == 0
    assert stats.total.num_requests == 0 and stats.total.response_times.count == 0
    stats.record("GET", "/a", 10.0, 100, None)  # the entry index was dropped too
    assert stats.get("/a", "GET").num_requests == 1


def test_resetting_one_entry_updates_the_total():
    stats, _ = make_stats()
    stats.record("GET", "/a", 10.0, 0, RuntimeError("x"))
    stats.record("GET", "/b", 20.0, 0, None)
    stats.get("/a", "GET").reset()
    assert (stats.total.num_requests, stats.total.num_failures) == (1, 0)
    assert stats.total.min_response_time == 20.0


def test_entries_dict_changes_are_seen_by_record():
    stats, _ = make_stats()
    stats.record("GET", "/a", 10.0, 0, None)
    del stats.entries[("/a", "GET")]
    stats.record("GET", "/a", 10.0, 0, None)
    assert stats.get("/a", "GET").num_requests == 1
    replacement = StatsEntry(stats, "/a", "GET")
    stats.entries[("/a", "GET")] = replacement
    stats.record("GET", "/a", 10.0, 0, None)
    assert replacement.num_requests == 1
    stats.entries = {}
    stats.record("GET", "/a", 10.0, 0, None)
    assert stats.entries[("/a", "GET")] is not replacement


def entry_holding(*times: float) -> StatsEntry:
    """An entry with data, as a merge from another process brings it."""
    entry = StatsEntry(None, "/b", "GET")
    for time in times:
        entry.log(time, 0)
    entry.num_failures = 1
    return entry


@pytest.mark.parametrize("how", ["assign", "setdefault", "update"])
def test_an_entry_added_with_data_counts_in_the_total(how: str) -> None:
    stats, _ = make_stats()
    stats.record("GET", "/a", 10.0, 0, None)
    full = entry_holding(20.0, 30.0, 1450.0)
    if how == "assign":
        stats.entries[("/b", "GET")] = full
    elif how == "setdefault":
        assert stats.entries.setdefault(("/b", "GET"), full) is full
    else:
        stats.entries.update({("/b", "GET"): full})
    total = stats.total
    assert (total.num_requests, total.num_failures) == (4, 1)
    assert total.avg_response_time == pytest.approx(377.5)
    assert total.max_response_time == 1450.0
    del stats.entries[("/b", "GET")]
    assert (total.num_requests, total.num_failures, total.avg_response_time) == (1, 0, 10.0)
    stats.record("GET", "/a", 30.0, 0, None)
    assert (total.num_requests, total.avg_response_time) == (2, 20.0)


def test_total_rps_uses_the_run_start_and_the_last_request():
    stats, clock = make_stats(1_000.0)
    for _ in range(20):
        stats.record("GET", "/", 1.0, 0, None)
    stats.record("GET", "/", 1.0, 0, RuntimeError("x"))
    clock.now = 1_010.0
    # Requests newer than the last tick: they are happening now.
    assert stats.last_request_timestamp == 1_010.0
    assert stats.total.total_rps == pytest.approx(2.1)
    assert stats.get("/", "GET").total_fail_per_sec == pytest.approx(0.1)
    stats.sample_history(1_010.0, 1)  # the tick stamps them
    clock.now = 1_500.0
    assert stats.last_request_timestamp == 1_010.0
    assert stats.get("/", "GET").last_request_timestamp == 1_010.0
    assert stats.total.total_rps == pytest.approx(2.1)


def test_extend_merges_counts_histograms_and_timestamps():
    stats, _ = make_stats()
    stats.record("GET", "/", 10.0, 100, None)
    other = StatsEntry(None, "/", "GET")
    other.log(30.0, 50)
    other.log(None, 50)
    other.num_failures = 1
    other.last_request_timestamp = 5_000.0
    other.start_time = 900.0
    entry = stats.get("/", "GET")
    entry.extend(other)
    assert (entry.num_requests, entry.num_none_requests, entry.num_failures) == (3, 1, 1)
    assert entry.total_content_length == 200
    assert (entry.min_response_time, entry.max_response_time) == (10.0, 30.0)
    assert entry.last_request_timestamp == 5_000.0
    assert entry.start_time == 900.0
    assert (stats.num_requests, stats.num_failures) == (3, 1)
    assert stats.total.max_response_time == 30.0


def test_serialize_has_locust_keys_and_round_trips():
    stats, clock = make_stats()
    for ms in (1.5, 2.5, 250.0):
        stats.record("GET", "/", ms, 10, None)
    stats.record("GET", "/", None, 10, RuntimeError("x"))
    stats.sample_history(clock.now + 1, 1)
    data = stats.get("/", "GET").serialize()
    assert list(data) == [
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
    keys = sorted(data["response_times"])
    assert keys == [pytest.approx(ms, rel=0.004) for ms in (1.5, 2.5, 250.0)]
    assert list(data["response_times"].values()) == [1, 1, 1]
    assert data["num_reqs_per_sec"] == {1_001: 4} and data["num_fail_per_sec"] == {1_001: 1}
    copy = StatsEntry.unserialize(data)
    assert copy.response_times.bucket_counts() == stats.get("/", "GET").response_times.bucket_counts()
    assert (copy.min_response_time, copy.max_response_time) == (1.5, 250.0)
    assert (copy.num_requests, copy.num_none_requests, copy.num_failures) == (4, 1, 1)
    assert copy.last_request_timestamp == data["last_request_timestamp"] == 1_001.0


def test_unserialize_accepts_locust_bucketed_data():
    data = {
        "name": "/",
        "method": "GET",
        "num_requests": 3,
        "response_times": {"150": 2, "3400": 1},
        "min_response_time": 146.2,
        "max_response_time": 3412.0,
        "total_response_time": 3700.0,
    }
    entry = StatsEntry.unserialize(data)
    assert entry.response_times.count == 3
    assert (entry.min_response_time, entry.max_response_time) == (146.2, 3412.0)
    assert entry.get_response_time_percentile(0.5) == pytest.approx(150.0, rel=0.004)


def test_get_stripped_report_serializes_then_resets():
    stats, _ = make_stats()
    stats.record("GET", "/", 1.0, 0, None)
    report = stats.get("/", "GET").get_stripped_report()
    assert report["num_requests"] == 1
    assert stats.get("/", "GET").num_requests == 0 and stats.num_requests == 0


def test_serialize_stats_skips_untouched_entries_and_the_total():
    stats, _ = make_stats()
    stats.get("/idle", "GET")
    stats.record("GET", "/a", 1.0, 0, None)
    stats.log_error("POST", "/b", RuntimeError("x"))
    assert sorted(item["name"] for item in stats.serialize_stats()) == ["/a", "/b"]


def test_to_string_renders_a_console_row():
    stats, _ = make_stats()
    stats.record("GET", "/row", 12.0, 0, None)
    row = str(stats.get("/row", "GET"))
    assert row.startswith("GET      /row")
    assert "0(0.00%)" in row
    assert stats.get("/row", "GET").percentile().split()[:3] == ["GET", "/row", "12"]


def test_new_names_do_not_drop_the_lookup_index():
    stats, _ = make_stats()
    stats.record("GET", "/busy", 1.0, 0, None)
    index_before = dict(stats._index["GET"])
    stats.record("GET", "/new", 1.0, 0, None)
    assert stats._index["GET"]["/busy"] is index_before["/busy"]
    stats.entries.setdefault(("/other", "GET"), StatsEntry(stats, "/other", "GET"))
    stats.record("GET", "/other", 1.0, 0, None)
    assert stats.get("/other", "GET").num_requests == 1


def merged_entries(stats: RequestStats) -> Histogram:
    merged = Histogram()
    for entry in stats.entries.values():
        merged.merge(entry.response_times)
    return merged


def same_histogram(a: Histogram, b: Histogram) -> bool:
    def facts(h: Histogram) -> tuple[object, ...]:
        return h.bucket_counts(), h.min_us, h.max_us, h.clamped

    return facts(a) == facts(b)


def test_the_kept_total_histogram_equals_the_entries_merged_through_every_change():
    stats = RequestStats()
    for i in range(300):
        stats.record("GET", f"/item/{i % 7}", 0.5 + i * 3.7, 10, None)
    stats.record("GET", "/huge", 1e12, 0, None)  # clamped into the last bucket
    stats.record("GET", "/none", None, 0, None)
    checks = [same_histogram(stats.total.response_times, merged_entries(stats))]

    other = StatsEntry(None, "/item/1", "GET")
    for value in (1.0, 2500.0, 90_000.0):
        other.log(value, 0)
    stats.get("/item/1", "GET").extend(other)  # data coming in from elsewhere (a worker)
    checks.append(same_histogram(stats.total.response_times, merged_entries(stats)))

    stats.get("/item/2", "GET").reset()  # data going out
    checks.append(same_histogram(stats.total.response_times, merged_entries(stats)))

    del stats.entries[("/item/3", "GET")]
    checks.append(same_histogram(stats.total.response_times, merged_entries(stats)))

    filled = StatsEntry(stats, "/added", "GET")
    filled.log(123.0, 0)
    stats.entries[("/added", "GET")] = filled  # an entry that arrives with data
    checks.append(same_histogram(stats.total.response_times, merged_entries(stats)))

    stats.record("GET", "/item/4", 77.0, 0, None)  # and recording goes on after a rebuild
    checks.append(same_histogram(stats.total.response_times, merged_entries(stats)))
    assert checks == [True] * 6
    assert stats.total.response_times.clamped == 1
