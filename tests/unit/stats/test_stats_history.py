"""The 1 Hz time series: current rates and percentiles, bounded memory (fake time only)."""

from __future__ import annotations

import pytest

from horde.stats import RequestStats
from horde.stats.history import StatsHistory

START = 1_000.0


def run(stats: RequestStats, seconds: range, per_second, latency=lambda second: 10.0, fail_every=0):
    """Record ``per_second(s)`` requests for each second, then tick at the second's end."""
    for second in seconds:
        for i in range(per_second(second)):
            failed = fail_every and i % fail_every == 0
            stats.record("GET", "/", latency(second), 0, RuntimeError("x") if failed else None)
        stats.sample_history(START + second + 1, user_count=7)


def make_stats(**kwargs) -> RequestStats:
    return RequestStats(clock=lambda: START, **kwargs)


def test_nothing_current_before_the_first_tick():
    stats = make_stats()
    stats.record("GET", "/", 5.0, 0, None)
    assert stats.total.current_rps == 0.0
    assert stats.total.get_current_response_time_percentile(0.5) is None
    assert stats.get("/", "GET").get_current_response_time_percentile(0.5) is None
    assert len(stats.history) == 0 and stats.history.latest() is None


def test_current_rps_covers_the_last_ten_seconds():
    stats = make_stats()
    run(stats, range(30), lambda s: 10 if s < 20 else 50, fail_every=5)
    entry = stats.get("/", "GET")
    assert entry.current_rps == pytest.approx(50.0)
    assert entry.current_fail_per_sec == pytest.approx(10.0)
    assert stats.total.current_rps == pytest.approx(50.0)
    assert stats.total.current_fail_per_sec == pytest.approx(10.0)
    run(stats, range(30, 35), lambda s: 0)
    assert entry.current_rps == pytest.approx(25.0)  # 5 busy and 5 idle seconds


def test_window_starts_at_the_run_start_when_the_run_is_younger():
    stats = make_stats()
    run(stats, range(4), lambda s: 10)
    assert stats.total.current_rps == pytest.approx(10.0)


def test_current_percentiles_only_see_the_window():
    stats = make_stats()
    stats.track_entry_percentiles()
    run(stats, range(20), lambda s: 100, latency=lambda s: 1000.0 if s < 10 else 10.0)
    assert stats.total.get_current_response_time_percentile(0.95) == pytest.approx(10.0, rel=0.004)
    entry = stats.get("/", "GET")
    assert entry.get_current_response_time_percentile(1.0) == pytest.approx(10.0, rel=0.004)
    assert entry.get_response_time_percentile(1.0) == 1000.0  # whole run still has the slow part
    point = stats.history.latest()
    assert point is not None
    assert point.response_time_percentile_95 == pytest.approx(10.0, rel=0.004)
    assert point.response_time_percentile_50 == pytest.approx(10.0, rel=0.004)
    assert point.response_time_percentile_99 == pytest.approx(10.0, rel=0.004)


def test_aggregated_window_merges_entries():
    stats = make_stats()
    for second in range(12):
        for _ in range(9):
            stats.record("GET", "/fast", 1.0, 0, None)
        stats.record("GET", "/slow", 500.0, 0, None)
        stats.sample_history(START + second + 1, 1)
    assert stats.total.get_current_response_time_percentile(0.9) == pytest.approx(1.0, rel=0.004)
    assert stats.total.get_current_response_time_percentile(0.91) == pytest.approx(500.0, rel=0.004)
    assert stats.total.current_rps == pytest.approx(10.0)


def test_history_points_hold_the_aggregated_series():
    stats = make_stats()
    run(stats, range(3), lambda s: 4, fail_every=4)
    points = stats.history.points()
    assert [p.time for p in points] == [START + 1, START + 2, START + 3]
    assert [p.total_requests for p in points] == [4, 8, 12]
    assert [p.total_failures for p in points] == [1, 2, 3]
    assert all(p.user_count == 7 for p in points)
    assert points[-1].current_rps == pytest.approx(4.0)
    assert stats.history.to_dicts()[0]["current_fail_per_sec"] == pytest.approx(1.0)


def test_ring_keeps_a_bounded_number_of_points():
    stats = make_stats(history_capacity=50)
    run(stats, range(200), lambda s: 1)
    points = stats.history.points()
    assert len(points) == 50
    assert points[0].time == START + 151 and points[-1].time == START + 200
    assert stats.history.latest() == points[-1]


def test_entry_windows_stay_small_in_a_long_run():
    stats = make_stats()
    run(stats, range(500), lambda s: 3)
    assert len(stats.get("/", "GET")._window) <= 12
    assert len(stats.history.total_window) <= 12
    assert len(stats.get("/", "GET").num_reqs_per_sec) <= 11


def test_num_reqs_per_sec_is_derived_from_ticks():
    stats = make_stats()
    run(stats, range(3), lambda s: s + 1, fail_every=2)
    entry = stats.get("/", "GET")
    assert entry.num_reqs_per_sec == {1_001: 1, 1_002: 2, 1_003: 3}
    assert entry.num_fail_per_sec == {1_001: 1, 1_002: 1, 1_003: 2}


def test_idle_entries_add_no_points():
    stats = make_stats()
    stats.record("GET", "/once", 1.0, 0, None)
    run(stats, range(30), lambda s: 1)
    assert len(stats.get("/once", "GET")._window) == 1
    assert stats.get("/once", "GET").current_rps == 0.0


def test_a_clock_stepping_back_does_not_reorder_points():
    stats = make_stats()
    stats.sample_history(START + 10, 1)
    stats.sample_history(START + 5, 1)
    assert [p.time for p in stats.history.points()] == [START + 10, START + 10]


def test_without_snapshots_rates_work_and_percentiles_are_none():
    stats = make_stats(use_response_times_cache=False)
    run(stats, range(5), lambda s: 2)
    assert stats.total.current_rps == pytest.approx(2.0)
    assert stats.total.get_current_response_time_percentile(0.5) is None
    assert stats.get("/", "GET").get_current_response_time_percentile(0.5) is None


def test_reset_all_starts_the_series_again():
    stats = make_stats()
    run(stats, range(5), lambda s: 2)
    stats.reset_all()
    assert len(stats.history) == 0
    assert stats.total.current_rps == 0.0
    assert stats.total.get_current_response_time_percentile(0.5) is None


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        StatsHistory(make_stats(), capacity=0)


def test_entry_percentiles_are_tracked_from_their_first_read():
    stats = make_stats()
    entry = stats.get("/", "GET")
    run(stats, range(5), lambda s: 10, latency=lambda s: 20.0)
    # Only the Aggregated row keeps snapshots until an entry's current percentile is asked for.
    total_p50 = stats.total.get_current_response_time_percentile(0.5)
    before = (total_p50, entry.get_current_response_time_percentile(0.5))
    run(stats, range(5, 10), lambda s: 10, latency=lambda s: 30.0)
    young = entry.get_current_response_time_percentile(0.5)  # window = the whole 10 s run
    run(stats, range(10, 13), lambda s: 10, latency=lambda s: 40.0)
    untracked_start = entry.get_current_response_time_percentile(0.5)  # window began at tick 3
    run(stats, range(13, 20), lambda s: 10, latency=lambda s: 40.0)
    after = entry.get_current_response_time_percentile(0.99)
    assert before == (pytest.approx(20.0, rel=0.004), None)
    assert young == pytest.approx(20.0, rel=0.004)  # 50 samples of 20 ms, then 50 of 30 ms
    assert untracked_start is None
    assert after == pytest.approx(40.0, rel=0.004)


def test_the_aggregated_window_starts_over_after_an_entry_is_reset():
    stats = make_stats()
    run(stats, range(12), lambda s: 10, latency=lambda s: 500.0)
    stats.record("GET", "/other", 5.0, 0, None)
    stats.get("/", "GET").reset()  # samples leave the Aggregated row
    run(stats, range(12, 14), lambda s: 10, latency=lambda s: 20.0)
    gone = (stats.total.current_rps, stats.total.get_current_response_time_percentile(0.99))
    run(stats, range(14, 26), lambda s: 10, latency=lambda s: 20.0)
    back = (stats.total.current_rps, stats.total.get_current_response_time_percentile(0.99))
    assert gone == (0.0, None)  # not the whole run's requests counted as current
    assert back == (pytest.approx(10.0), pytest.approx(20.0, rel=0.004))
