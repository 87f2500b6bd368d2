"""Recent cumulative snapshots of one stats entry, for "current" rates and percentiles.

At every sampling tick the history asks each entry's window to ``observe`` its cumulative counts.
A point is stored only when the counts changed, so counts form a step function of time: the count at
any tick is the one of the newest point at or before it. A rate over a window is then the difference
of two such counts divided by the time between the two ticks, and the "current" histogram is the
newest bucket snapshot minus the one at the window's start. Points older than the window are dropped
except the newest of them (it holds the counts at the window's start), so a window keeps about
``CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW`` points at most however long the run, each with a compact
:class:`~horde.stats.histogram.BucketCounts` snapshot (~10 bytes per occupied bucket).
"""

from __future__ import annotations

from collections import deque
from typing import NamedTuple

from horde.stats.histogram import MAX_INDEX, BucketCounts, Histogram


class WindowPoint(NamedTuple):
    time: float
    requests: int
    failures: int
    buckets: BucketCounts | None  # None when snapshots are switched off


class RecentWindow:
    """The bounded list of change points of one entry (see the module docstring)."""

    __slots__ = ("_points", "trimmed")

    def __init__(self) -> None:
        self._points: deque[WindowPoint] = deque()
        self.trimmed = False
        """True once old points were dropped: the first point is then not relative to zero."""

    @property
    def last(self) -> WindowPoint | None:
        return self._points[-1] if self._points else None

    def observe(
        self, now: float, requests: int, failures: int, histogram: Histogram | None, keep_after: float
    ) -> bool:
        """Store a point if the counts changed since the last one; forget points before
        ``keep_after`` except the newest of them. Returns whether a point was added."""
        points = self._points
        added = False
        if not points or points[-1].requests != requests or points[-1].failures != failures:
            snapshot = histogram.snapshot() if histogram is not None else None
            points.append(WindowPoint(now, requests, failures, snapshot))
            added = True
        while len(points) >= 2 and points[1].time <= keep_after:
            points.popleft()
            self.trimmed = True
        return added

    def at(self, moment: float) -> WindowPoint | None:
        """The newest point at or before ``moment`` (None: nothing counted by then)."""
        for point in reversed(self._points):
            if point.time <= moment:
                return point
        return None

    def per_second(self, failures: bool = False) -> dict[int, int]:
        """``{epoch second: count}`` for the kept points (Locust's ``num_reqs_per_sec`` shape)."""
        result: dict[int, int] = {}
        previous = None if self.trimmed else 0
        for point in self._points:
            value = point.failures if failures else point.requests
            if previous is not None and value > previous:
                second = int(point.time)
                result[second] = result.get(second, 0) + value - previous
            previous = value
        return result

    def clear(self) -> None:
        self._points.clear()
        self.trimmed = False

    def __len__(self) -> int:
        return len(self._points)


def add_window_counts(totals: list[int], start: WindowPoint | None, end: WindowPoint | None) -> int:
    """Add the bucket counts of the samples between two points of one window (``end`` minus
    ``start``) into ``totals`` (indexed by bucket, ``MAX_INDEX + 1`` long). Returns the highest
    bucket index touched, -1 when there was nothing. Plain list arithmetic: ~50 ns per bucket."""
    if end is None or end is start or end.buckets is None or not end.buckets.indexes:
        return -1
    for index, n in zip(end.buckets.indexes, end.buckets.counts):  # noqa: B905 - same length
        totals[index] += n
    if start is not None and start.buckets is not None:
        for index, n in zip(start.buckets.indexes, start.buckets.counts):  # noqa: B905
            totals[index] -= n
    return end.buckets.indexes[-1]


def window_histogram(start: WindowPoint | None, end: WindowPoint | None, cumulative: Histogram) -> Histogram:
    """The samples counted between two points of one entry's window, as a histogram whose extremes
    are estimated within the entry's exact [min, max]."""
    totals = [0] * (MAX_INDEX + 1)
    top = add_window_counts(totals, start, end)
    if top < 0:
        return Histogram()
    del totals[top + 1 :]
    return Histogram.from_dense(totals, cumulative.min_us, cumulative.max_us)
