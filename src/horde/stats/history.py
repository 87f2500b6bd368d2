"""The run's time series: one aggregated point per sampling tick, in a bounded ring.

The runtime calls :meth:`StatsHistory.sample` once a second with the current time and user count.
Each call costs O(entries) and one compact bucket snapshot of the Aggregated histogram: it lets
every entry's :class:`~horde.stats.window.RecentWindow` note its cumulative counts, stamps entries
that got requests since the previous tick (their ``last_request_timestamp``), computes the
Aggregated current values and appends one :class:`HistoryPoint`. Entries take bucket snapshots of
their own only once someone reads their current percentiles
(:meth:`~horde.stats.request_stats.RequestStats.track_entry_percentiles`).

"Current" values (``current_rps``, ``current_fail_per_sec``, ``get_current_response_time_percentile``)
cover the last ``CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW`` (10) seconds *ending at the latest tick*:
the difference between the cumulative counts at the latest tick and at the tick about 10 s before,
divided by the exact time between them. Locust instead averages whole seconds [now-12, now-2) to
allow for workers reporting late; in one process there is no such lag, so Horde shows the freshest
window. Before the first tick there is no current value (rates 0, percentiles None); during the
first 10 s the window starts at the run's start.

The ring keeps ``capacity`` points (default one day of 1-second ticks) in flat float arrays, about
64 bytes per point, so a 24-hour run holds ~5.5 MB and no more.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

from horde.stats import percentiles
from horde.stats.window import RecentWindow

if TYPE_CHECKING:
    from horde.stats.request_stats import RequestStats

DEFAULT_HISTORY_CAPACITY = 86_400
TICK_TOLERANCE = 0.5
"""Seconds a tick may be late and still open a window of nominal length (timer jitter)."""


class HistoryPoint(NamedTuple):
    """One tick of the aggregated time series (percentiles in ms, over the current window)."""

    time: float
    user_count: int
    current_rps: float
    current_fail_per_sec: float
    response_time_percentile_50: float
    response_time_percentile_95: float
    total_requests: int
    total_failures: int
    response_time_percentile_99: float


class _Ring:
    """Fixed-capacity columns of floats; the oldest row is overwritten once full."""

    __slots__ = ("_capacity", "_columns", "_start")

    def __init__(self, width: int, capacity: int) -> None:
        self._capacity = capacity
        self._columns = [array("d") for _ in range(width)]
        self._start = 0  # index of the oldest row once the arrays are full

    def append(self, row: tuple[float, ...]) -> None:
        columns = self._columns
        if len(columns[0]) < self._capacity:
            for column, value in zip(columns, row, strict=True):
                column.append(value)
            return
        position = self._start
        for column, value in zip(columns, row, strict=True):
            column[position] = value
        self._start = (position + 1) % self._capacity

    def last(self) -> tuple[float, ...]:
        size = len(self._columns[0])
        position = (self._start - 1) % size
        return tuple(column[position] for column in self._columns)

    def rows(self) -> Iterator[tuple[float, ...]]:
        size = len(self._columns[0])
        for offset in range(size):
            position = (self._start + offset) % size
            yield tuple(column[position] for column in self._columns)

    def __len__(self) -> int:
        return len(self._columns[0])

    def clear(self) -> None:
        self._columns = [array("d") for _ in self._columns]
        self._start = 0


class StatsHistory:
    """Samples a :class:`RequestStats` at each tick; see the module docstring."""

    def __init__(self, stats: RequestStats, capacity: int = DEFAULT_HISTORY_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("history capacity must be at least 1")
        self._stats = stats
        self.capacity = capacity
        self._ring = _Ring(len(HistoryPoint._fields), capacity)
        self._ticks: deque[float] = deque()
        self.tick_serial = 0
        """Counts ticks; cached window results are keyed by it."""
        self.total_window = RecentWindow()
        """Change points of the Aggregated counts (``stats.total`` reads its current rates here)."""
        self.stamped_requests = 0
        """Total requests at the latest tick, and the newest entry stamp then (for
        ``stats.last_request_timestamp``)."""
        self.latest_stamp: float | None = None

    # Sampling ----------------------------------------------------------------------------------
    def sample(self, now: float, user_count: int) -> HistoryPoint:
        """Record one tick at ``now`` (epoch seconds) and return the point appended."""
        stats = self._stats
        ticks = self._ticks
        if ticks and now < ticks[-1]:
            now = ticks[-1]  # a clock stepping back must not reorder the series
        ticks.append(now)
        self.tick_serial += 1
        cutoff = now - percentiles.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW + TICK_TOLERANCE
        while len(ticks) >= 2 and ticks[1] <= cutoff:
            ticks.popleft()
        entry_snapshots = stats.use_response_times_cache and stats.entry_snapshots
        requests, failures = self._observe_entries(now, ticks[0], entry_snapshots)
        total = stats.total
        total_times = total.response_times if stats.use_response_times_cache else None
        self.total_window.observe(now, requests, failures, total_times, ticks[0])
        window = total._current_histogram()
        p50, p95, p99 = window.percentiles((0.5, 0.95, 0.99)) if window is not None else (0, 0, 0)
        point = HistoryPoint(
            now,
            user_count,
            *total.current_rates(),
            p50 / 1000,
            p95 / 1000,
            requests,
            failures,
            p99 / 1000,
        )
        self._ring.append(point)
        return point

    def _observe_entries(self, now: float, keep_after: float, snapshots: bool) -> tuple[int, int]:
        """Let each entry note its counts (and time-stamp the ones that got requests)."""
        requests = failures = 0
        latest: float | None = None
        for entry in list(self._stats.entries.values()):
            count = entry.num_requests
            requests += count
            failures += entry.num_failures
            if count != entry._stamp_count:
                entry._stamp = now  # its last request happened since the previous tick
                entry._stamp_count = count
            if entry._stamp is not None and (latest is None or entry._stamp > latest):
                latest = entry._stamp
            histogram = entry.response_times if snapshots else None
            entry._window.observe(now, count, entry.num_failures, histogram, keep_after)
        self.stamped_requests = requests
        self.latest_stamp = latest
        return requests, failures

    # Window arithmetic (used by StatsEntry's current_* members) -------------------------------
    @property
    def last_tick(self) -> float | None:
        return self._ticks[-1] if self._ticks else None

    def window_span(self) -> tuple[float, float, bool] | None:
        """``(start, end, start_is_tick)`` of the current window, or None before the first tick.

        ``end`` is the latest tick. ``start`` is the tick about one window earlier, or, in a run
        younger than the window, the stats' start time (``start_is_tick`` False: counts were 0)."""
        ticks = self._ticks
        if not ticks:
            return None
        end = ticks[-1]
        first = ticks[0]
        if (
            len(ticks) >= 2
            and first <= end - percentiles.CURRENT_RESPONSE_TIME_PERCENTILE_WINDOW + TICK_TOLERANCE
        ):
            return first, end, True
        return min(self._stats.start_time, end), end, False

    # Reading -----------------------------------------------------------------------------------
    def points(self) -> list[HistoryPoint]:
        """All kept points, oldest first."""
        return [_to_point(row) for row in self._ring.rows()]

    def latest(self) -> HistoryPoint | None:
        if not len(self._ring):
            return None
        return _to_point(self._ring.last())

    def to_dicts(self) -> list[dict[str, Any]]:
        """Points as dicts with Locust's ``stats.history`` keys (plus the totals)."""
        return [point._asdict() for point in self.points()]

    def __len__(self) -> int:
        return len(self._ring)

    def __iter__(self) -> Iterator[HistoryPoint]:
        return iter(self.points())

    def clear(self) -> None:
        self._ring.clear()
        self._ticks.clear()
        self.tick_serial += 1
        self.total_window.clear()
        self.stamped_requests = 0
        self.latest_stamp = None


def _to_point(row: tuple[float, ...]) -> HistoryPoint:
    time, users, rps, fails, p50, p95, requests, failures, p99 = row
    return HistoryPoint(time, int(users), rps, fails, p50, p95, int(requests), int(failures), p99)
