"""Per-entry phase timings: connect/TLS for new connections, TTFB for all, reuse counted."""

from __future__ import annotations

import copy
import pickle

import pytest

from horde.stats import PhaseStats, PhaseTimings, RequestStats


def test_phase_stats_count_new_and_reused_connections():
    phases = PhaseStats()
    phases.record(PhaseTimings(2.0, 5.0, 10.0))
    phases.record(PhaseTimings(3.0, None, 20.0))  # plain HTTP: no TLS
    for _ in range(8):
        phases.record(PhaseTimings(None, None, 30.0))
    assert (phases.requests, phases.new_connections, phases.reused_connections) == (10, 2, 8)
    summary = phases.summary()
    assert summary["reused_connections"] == 8 and summary["new_connections"] == 2
    assert summary["connect"]["count"] == 2 and summary["connect"]["max"] == 3.0
    assert summary["tls"]["count"] == 1 and summary["tls"]["p50"] == 5.0
    assert summary["ttfb"]["p50"] == pytest.approx(30.0, rel=0.004)
    assert summary["ttfb"]["min"] == 10.0 and summary["ttfb"]["p99"] == pytest.approx(30.0, rel=0.004)
    assert summary["ttfb"]["avg"] == pytest.approx(27.0, rel=0.004)


def test_phase_summary_marks_phases_without_samples():
    phases = PhaseStats()
    phases.record(PhaseTimings(None, None, 1.0))
    summary = phases.summary()
    assert summary["connect"] is None and summary["tls"] is None
    assert summary["ttfb"]["count"] == 1


def test_entries_only_get_phases_when_timings_are_given():
    stats = RequestStats()
    stats.record("GET", "/plain", 1.0, 0, None)
    stats.record("GET", "/http", 1.0, 0, None, PhaseTimings(None, None, 0.5))
    assert stats.get("/plain", "GET").phases is None
    phases = stats.get("/http", "GET").phases
    assert phases is not None and phases.requests == 1


def test_merge_and_copy():
    a, b = PhaseStats(), PhaseStats()
    a.record(PhaseTimings(1.0, 2.0, 3.0))
    b.record(PhaseTimings(None, None, 4.0))
    merged = a.copy()
    merged.merge(b)
    assert (merged.requests, merged.new_connections, merged.reused_connections) == (2, 1, 1)
    assert a.requests == 1  # the copy is independent


def test_phase_timings_unpack_compare_hash_copy_and_pickle_like_the_tuple_they_replace():
    timings = PhaseTimings(1.5, None, 2.25)
    connect, tls, ttfb = timings
    assert (connect, tls, ttfb) == (1.5, None, 2.25) == (timings.connect, timings.tls, timings.ttfb)
    assert timings == PhaseTimings(1.5, None, 2.25) and timings != PhaseTimings(1.5, 0.5, 2.25)
    assert timings != (1.5, None, 2.25) and hash(timings) == hash((1.5, None, 2.25))
    for clone in (copy.copy(timings), copy.deepcopy(timings), pickle.loads(pickle.dumps(timings))):
        assert clone == timings and type(clone) is PhaseTimings
    assert repr(timings) == "PhaseTimings(connect=1.5, tls=None, ttfb=2.25)"
