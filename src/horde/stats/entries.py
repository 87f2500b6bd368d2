"""``StatsEntry``: the statistics of one (name, method), with Locust's attribute names and meanings.

Differences from Locust, all deliberate:

* ``response_times`` is a :class:`~horde.stats.histogram.Histogram` of microseconds (≤0.4 % error at
  every percentile), not a dict of rounded milliseconds. ``serialize()`` still gives Locust's
  ``{ms: count}`` shape, keyed by each bucket's middle value.
* ``min_response_time`` / ``max_response_time`` come from the histogram's exact extremes, i.e. the
  raw values rounded to the microsecond. ``total_response_time`` (hence the average) is the exact sum.
* Percentiles are returned in ms with microsecond resolution (floats), not bucketed integers.
* ``num_reqs_per_sec`` / ``num_fail_per_sec`` are read-only views derived from the sampled time series
  and cover only the last ~10 s (Locust keeps every second of the run, which grows without end).
* "Current" rates and percentiles cover the 10 s up to the latest history tick; see
  :mod:`horde.stats.history`.
* ``last_request_timestamp`` is stamped by the history tick rather than read from the clock on every
  request (see the property); ``total_rps`` uses it as Locust does.

Samples are recorded by ``RequestStats.record`` (the per-request hot path writes these slots
directly); ``log()`` and ``log_error()`` remain for code that calls them on an entry.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from horde.stats.counts import EntryCounts
from horde.stats.histogram import Histogram
from horde.stats.phases import PhaseStats
from horde.stats.rows import percentile_row, stats_row
from horde.stats.window import RecentWindow, WindowPoint, window_histogram

if TYPE_CHECKING:
    from horde.stats.request_stats import RequestStats


class StatsEntry(EntryCounts):
    """Counts, times and a latency histogram for one request name and method.

    The counts and histograms the hot path updates (``num_requests``, ``num_none_requests``,
    ``num_failures``, ``total_response_time``, ``total_content_length``, ``response_times``: a
    histogram in µs, see the module docstring; ``phases``: connect/TLS/TTFB histograms once a
    sample came with phase timings) are declared in :class:`~horde.stats.counts.EntryCounts`.
    """

    __slots__ = (
        "_stamp",
        "_stamp_count",
        "_window",
        "_window_cache",
        "method",
        "name",
        "start_time",
        "stats",
        "use_response_times_cache",
    )

    def __init__(
        self,
        stats: RequestStats | None,
        name: str,
        method: str,
        use_response_times_cache: bool = False,
    ) -> None:
        self.stats = stats
        self.name = name
        self.method = method
        self.use_response_times_cache = use_response_times_cache
        self._window = RecentWindow()
        self._window_cache: tuple[WindowPoint | None, WindowPoint | None, Histogram] | None = None
        self._zero()

    def _zero(self) -> None:
        self._zero_counts()
        self.start_time = self._now()
        self._stamp: float | None = None  # see last_request_timestamp
        self._stamp_count = 0
        self._window.clear()
        self._window_cache = None

    def _now(self) -> float:
        stats = self.stats
        return stats._clock() if stats is not None else time.time()

    # Recording (the hot path lives in RequestStats.record) --------------------------------------
    def log(self, response_time: float | None, content_length: int) -> None:
        """Count one request (Locust's ``StatsEntry.log``)."""
        stats = self.stats
        if stats is not None and stats.entries.get((self.name, self.method)) is self:
            stats.record(self.method, self.name, response_time, content_length, None)
            return
        self.num_requests += 1
        self.last_request_timestamp = self._now()  # after counting: the stamp is for this count
        self.total_content_length += content_length
        if response_time is None:
            self.num_none_requests += 1
        else:
            self.total_response_time += response_time
            self.response_times.record_ms(response_time)

    def log_error(self, error: object) -> None:
        """Count one failure of this entry only (``RequestStats.log_error`` also keeps the row)."""
        self.num_failures += 1
        if self.stats is not None:
            self.stats._entry_failed()

    def reset(self) -> None:
        if self.stats is not None:
            self.stats._entry_emptied(self)
        self._zero()

    def extend(self, other: StatsEntry) -> None:
        """Add another entry's data (e.g. from another process). Histograms merge losslessly; the
        other side's per-second counters are not copied: this side's ticks will see the increase."""
        stamps = [t for t in (self.last_request_timestamp, other.last_request_timestamp) if t is not None]
        self.start_time = min(self.start_time, other.start_time)
        self.num_requests += other.num_requests
        self.num_none_requests += other.num_none_requests
        self.num_failures += other.num_failures
        self.total_response_time += other.total_response_time
        self.total_content_length += other.total_content_length
        self.response_times.merge(other.response_times)
        if other.phases is not None:
            if self.phases is None:
                self.phases = PhaseStats()
            self.phases.merge(other.phases)
        if other.planned is not None:
            if self.planned is None:
                self.planned = Histogram()
            self.planned.merge(other.planned)
        if stamps:
            self.last_request_timestamp = max(stamps)
        if self.stats is not None:
            self.stats._entry_extended(self, other)

    # Derived values ----------------------------------------------------------------------------
    @property
    def last_request_timestamp(self) -> float | None:
        """Epoch time of the latest request (None before any).

        To keep the clock off the per-request path, the history tick stamps an entry with the tick
        time when it got requests since the previous tick (at most one tick late); an entry with
        requests newer than the latest tick is being used right now and reports the current time.
        The runner ticks once more after its last request, which fixes the final value."""
        if self.num_requests == self._stamp_count:
            return self._stamp
        return self._now()

    @last_request_timestamp.setter
    def last_request_timestamp(self, value: float | None) -> None:
        self._stamp = value
        self._stamp_count = self.num_requests

    @property
    def min_response_time(self) -> float | None:
        """Fastest timed sample in ms (None before any)."""
        histogram = self.response_times
        return histogram.min_us / 1000 if histogram else None

    @property
    def max_response_time(self) -> float:
        """Slowest timed sample in ms (0 before any)."""
        return self.response_times.max_us / 1000

    @property
    def fail_ratio(self) -> float:
        if self.num_requests:
            return self.num_failures / self.num_requests
        return 1.0 if self.num_failures else 0.0

    @property
    def avg_response_time(self) -> float:
        timed = self.num_requests - self.num_none_requests
        return self.total_response_time / timed if timed > 0 else 0.0

    @property
    def median_response_time(self) -> float:
        """The 0.5 percentile in ms (inside [min, max]); 0 before any timed sample."""
        return self.response_times.percentile(0.5) / 1000

    @property
    def avg_content_length(self) -> float:
        return self.total_content_length / self.num_requests if self.num_requests else 0.0

    def get_response_time_percentile(self, percent: float) -> float:
        """Whole-run percentile (``percent`` in 0..1) in ms; 0 before any timed sample."""
        return self.response_times.percentile(percent) / 1000

    def get_response_time_percentiles(self, percents: list[float]) -> list[float]:
        """Several whole-run percentiles in ms, sorting the histogram once."""
        return [value / 1000 for value in self.response_times.percentiles(percents)]

    @property
    def total_rps(self) -> float:
        """Requests per second over the whole run (stats start to the last request)."""
        return self.total_rates()[0]

    @property
    def total_fail_per_sec(self) -> float:
        return self.total_rates()[1]

    def total_rates(self) -> tuple[float, float]:
        """``(total_rps, total_fail_per_sec)``, reading the run's span once (a report row shows
        both, for every entry)."""
        stats = self.stats
        if stats is None:
            last, start = self.last_request_timestamp, self.start_time
        else:
            last, start = stats.last_request_timestamp, stats.start_time
        if not last or not start or last <= start:
            return 0.0, 0.0
        return self.num_requests / (last - start), self.num_failures / (last - start)

    # "Current" values: the window up to the latest history tick --------------------------------
    @property
    def current_rps(self) -> float:
        return self.current_rates()[0]

    @property
    def current_fail_per_sec(self) -> float:
        return self.current_rates()[1]

    def current_rates(self) -> tuple[float, float]:
        """``(current_rps, current_fail_per_sec)`` from one look at the window (a report row
        shows both, for every entry)."""
        ends = self._window_ends()
        if ends is None:
            return 0.0, 0.0
        start_point, end_point, start, end = ends
        if end <= start or end_point is None:
            return 0.0, 0.0
        requests = end_point.requests - (start_point.requests if start_point else 0)
        failures = end_point.failures - (start_point.failures if start_point else 0)
        return max(requests, 0) / (end - start), max(failures, 0) / (end - start)

    def get_current_response_time_percentile(self, percent: float) -> float | None:
        """Percentile (ms) of the samples in the current window; None before the first tick or
        when histogram snapshots are off (``use_response_times_cache=False``).

        An entry's first such read starts the snapshots of every entry (see
        ``RequestStats.track_entry_percentiles``), so it is None until the next ticks.
        """
        stats = self.stats
        if stats is not None and not stats.entry_snapshots and self is not stats.total:
            stats.track_entry_percentiles()
        histogram = self._current_histogram()
        return None if histogram is None else histogram.percentile(percent) / 1000

    def _current_histogram(self) -> Histogram | None:
        ends = self._window_ends()
        if ends is None or not self.use_response_times_cache:
            return None
        start_point, end_point, _, _ = ends
        if (end_point is not None and end_point.buckets is None) or (
            start_point is not None and start_point.buckets is None
        ):
            return None  # a tick before snapshots were on: the window has no histogram yet
        cached = self._window_cache
        if cached is not None and cached[0] is start_point and cached[1] is end_point:
            return cached[2]
        histogram = window_histogram(start_point, end_point, self.response_times)
        self._window_cache = (start_point, end_point, histogram)
        return histogram

    def _window_ends(self) -> tuple[WindowPoint | None, WindowPoint | None, float, float] | None:
        stats = self.stats
        span = stats.history.window_span() if stats is not None else None
        if span is None:
            return None
        start, end, start_is_tick = span
        window = self._recent_window()
        start_point = window.at(start) if start_is_tick else None
        if start_point is None and window.trimmed:
            return None  # the counts at the window's start are gone: no current value yet
        return start_point, window.at(end), start, end

    def _recent_window(self) -> RecentWindow:
        return self._window

    @property
    def num_reqs_per_sec(self) -> dict[int, int]:
        """``{epoch second: requests}`` for the last ~10 s of ticks (read-only, derived)."""
        return self._recent_window().per_second()

    @property
    def num_fail_per_sec(self) -> dict[int, int]:
        return self._recent_window().per_second(failures=True)

    # Serialising -------------------------------------------------------------------------------
    def serialize(self, response_times: bool = True) -> dict[str, Any]:
        """Locust's dict shape; ``response_times`` is ``{bucket middle in ms: count}`` (empty
        without ``response_times``: Horde's reports ship the histogram in its compact form)."""
        return {
            "name": self.name,
            "method": self.method,
            "last_request_timestamp": self.last_request_timestamp,
            "start_time": self.start_time,
            "num_requests": self.num_requests,
            "num_none_requests": self.num_none_requests,
            "num_failures": self.num_failures,
            "total_response_time": self.total_response_time,
            "max_response_time": self.max_response_time,
            "min_response_time": self.min_response_time,
            "total_content_length": self.total_content_length,
            "response_times": (
                {value / 1000: n for value, n in self.response_times.buckets()} if response_times else {}
            ),
            "num_reqs_per_sec": self.num_reqs_per_sec,
            "num_fail_per_sec": self.num_fail_per_sec,
        }

    to_dict = serialize

    @classmethod
    def unserialize(cls, data: dict[str, Any]) -> StatsEntry:
        """A detached entry from ``serialize()`` output (Locust's or Horde's)."""
        entry = cls(None, data["name"], data["method"])
        entry.start_time = data.get("start_time") or entry.start_time
        entry.num_requests = data.get("num_requests", 0)
        entry.num_none_requests = data.get("num_none_requests", 0)
        entry.num_failures = data.get("num_failures", 0)
        entry.total_response_time = data.get("total_response_time", 0.0)
        entry.total_content_length = data.get("total_content_length", 0)
        histogram = entry.response_times
        for value_ms, n in (data.get("response_times") or {}).items():
            histogram.record_many(round(float(value_ms) * 1000), n)
        entry.last_request_timestamp = data.get("last_request_timestamp")  # after num_requests
        low, high = data.get("min_response_time"), data.get("max_response_time")
        if histogram and low is not None and high is not None:
            histogram.set_extremes(round(low * 1000), round(high * 1000))
        return entry

    def get_stripped_report(self) -> dict[str, Any]:
        """``serialize()`` then ``reset()``: the delta a worker sends."""
        report = self.serialize()
        self.reset()
        return report

    # Console rows (horde.stats.rows) -----------------------------------------------------------
    def to_string(self, current: bool = True) -> str:
        return stats_row(self, current=current)

    def percentile(self) -> str:
        return percentile_row(self)

    def __str__(self) -> str:
        return self.to_string(current=True)

    def __repr__(self) -> str:
        return f"<StatsEntry {self.method} {self.name!r}: {self.num_requests} requests>"
