"""RequestStats.record (the per-request path) must do exactly what the plain methods do."""

from __future__ import annotations

import math
import random

from horde.stats import PhaseStats, PhaseTimings, RequestStats, StatsEntry
from horde.stats.histogram import Histogram, to_us

# Around 0, the linear limit (0.256 ms), the ceiling (68719476.735 ms); negatives; far above.
EDGE_MS = [0.0, 0.0004, 0.0005, 0.255, 0.2554, 0.256, 0.257, 1.0, 12.3456, 999.9999, -3.0, 1e9]
EDGE_MS += [68719476.735, 68719476.737, float("nan"), float("inf"), float("-inf")]


def sample_times() -> list[float]:
    rng = random.Random(4)
    return EDGE_MS + [rng.lognormvariate(2.0, 2.0) for _ in range(3_000)]


def test_record_fills_the_histogram_like_histogram_record():
    stats = RequestStats()
    expected = Histogram()
    for ms in sample_times():
        stats.record("GET", "/", ms, 0, None)
        expected.record(to_us(ms))
    assert stats.get("/", "GET").response_times == expected
    assert expected.clamped == 3
    assert stats.total.response_times == expected  # the Aggregated histogram, clamped count included


def test_record_fills_phase_histograms_like_phase_stats_record():
    stats = RequestStats()
    expected = PhaseStats()
    rng = random.Random(9)
    for ms in sample_times():
        new = rng.random() < 0.2
        timings = PhaseTimings(rng.uniform(0.1, 3) if new else None, rng.uniform(1, 9) if new else None, ms)
        stats.record("GET", "/", 1.0, 0, None, timings)
        expected.record(timings)
    phases = stats.get("/", "GET").phases
    assert phases is not None
    assert phases.ttfb == expected.ttfb
    assert phases.connect == expected.connect and phases.tls == expected.tls
    assert phases.reused_connections == expected.reused_connections > 0
    assert phases.new_connections == expected.new_connections > 0


def test_log_request_and_entry_log_match_record():
    via_record, via_log_request, via_entry = RequestStats(), RequestStats(), RequestStats()
    detached = StatsEntry(None, "/", "GET")
    finite = [ms for ms in sample_times() if math.isfinite(ms)]
    for ms in [*finite[:200], 5.0, None]:
        via_record.record("GET", "/", ms, 10, None)
        via_log_request.log_request("GET", "/", ms, 10)
        via_entry.get("/", "GET").log(ms, 10)
        detached.log(ms, 10)
    reference = via_record.get("/", "GET")
    for entry in (via_log_request.get("/", "GET"), via_entry.get("/", "GET"), detached):
        assert entry.response_times == reference.response_times
        assert (entry.num_requests, entry.num_none_requests, entry.total_content_length) == (202, 1, 2020)
        assert entry.total_response_time == reference.total_response_time
    assert via_entry.num_requests == 202  # entry.log on an attached entry goes through the stats
