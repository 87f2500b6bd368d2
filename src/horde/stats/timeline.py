"""Cumulative snapshots of a histogram through a run, for the distribution of any time span.

The difference of the snapshots at the two ends of a span is exactly the samples recorded in it
(widened to the snapshots around the span). Memory stays bounded: when ``capacity`` snapshots are
held, every other one is dropped, so the spacing doubles and the whole run stays covered. A
snapshot holds ~10 bytes per occupied bucket (a few KB), so 720 of them cost a few MB at most.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from horde.stats.histogram import BucketCounts, Histogram
from horde.stats.window import WindowPoint, window_histogram

DEFAULT_CAPACITY = 720


class HistogramTimeline:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2:
            raise ValueError("a timeline needs room for at least 2 snapshots")
        self.capacity = capacity
        self._times: list[float] = []
        self._snapshots: list[BucketCounts] = []
        self._run_start: float | None = None

    def sample(self, now: float, histogram: Histogram, run_start: float) -> None:
        """Note ``histogram`` (cumulative since ``run_start``) at ``now``; a new start clears."""
        if run_start != self._run_start:
            self.clear()
            self._run_start = run_start
        self._times.append(now)
        self._snapshots.append(histogram.snapshot())
        if len(self._times) > self.capacity:
            latest = (self._times[-1], self._snapshots[-1])
            self._times = self._times[::2]
            self._snapshots = self._snapshots[::2]
            if self._times[-1] != latest[0]:  # always keep the newest
                self._times.append(latest[0])
                self._snapshots.append(latest[1])

    def span(self, start: float, end: float, current: Histogram) -> Histogram:
        """The samples recorded between ``start`` and ``end`` (epoch s), widened outwards to the
        snapshots around them: the first snapshot at or after ``end`` (``current``, the live
        histogram, past the newest one) minus the last one at or before ``start`` (nothing
        before the first). Extremes are estimated within ``current``'s exact ones."""
        times = self._times
        after = bisect_left(times, end)
        end_counts = self._snapshots[after] if after < len(times) else current.snapshot()
        before = bisect_right(times, start) - 1
        start_point = WindowPoint(times[before], 0, 0, self._snapshots[before]) if before >= 0 else None
        return window_histogram(start_point, WindowPoint(end, 0, 0, end_counts), current)

    @property
    def times(self) -> list[float]:
        return list(self._times)

    def clear(self) -> None:
        self._times.clear()
        self._snapshots.clear()
