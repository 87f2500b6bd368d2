"""Distributions of time spans from cumulative histogram snapshots."""

from __future__ import annotations

from horde.stats.histogram import Histogram
from horde.stats.timeline import HistogramTimeline

START = 1000.0


def run(timeline: HistogramTimeline, seconds: int, value_of_second: dict[int, int]) -> Histogram:
    """Record 10 samples a second (value by second), snapshot at the end of each second."""
    histogram = Histogram()
    for second in range(1, seconds + 1):
        for _ in range(10):
            histogram.record(value_of_second.get(second, 1000))
        timeline.sample(START + second, histogram, START)
    return histogram


def test_a_span_holds_exactly_the_samples_recorded_in_it() -> None:
    timeline = HistogramTimeline()
    current = run(timeline, 20, {s: 50_000 for s in range(11, 16)})  # 50 ms in seconds 11-15
    slow = timeline.span(START + 10, START + 15, current)
    assert slow.count == 50 and slow.percentile(0.0) >= 49_000 and slow.percentile(1.0) <= 51_000
    assert timeline.span(START, START + 10, current).percentile(1.0) < 1100  # none of the slow ones
    assert timeline.span(START, START + 99, current).count == current.count == 200


def test_spans_between_snapshots_are_widened_to_them() -> None:
    timeline = HistogramTimeline()
    current = run(timeline, 5, {})
    assert timeline.span(START + 2.2, START + 2.7, current).count == 10  # the snapshots at 2 and 3


def test_memory_stays_bounded_and_the_whole_run_stays_covered() -> None:
    timeline = HistogramTimeline(capacity=16)
    current = run(timeline, 100, {})
    assert len(timeline.times) <= 16
    assert timeline.times[-1] == START + 100
    assert timeline.span(START, START + 100, current).count == 1000
    assert timeline.span(START, START + 50, current).count >= 500


def test_a_new_run_starts_a_new_timeline() -> None:
    timeline = HistogramTimeline()
    run(timeline, 5, {})
    fresh = Histogram()
    fresh.record(7)
    timeline.sample(START + 10, fresh, START + 9)
    assert timeline.times == [START + 10]
    assert timeline.span(START, START + 10, fresh).count == 1
