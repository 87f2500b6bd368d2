"""``stats.total``: the "Aggregated" row, computed from the entries instead of recorded twice.

Recording each sample into its entry only keeps the hot path short. The total's attributes read
like any StatsEntry's (Locust code reads ``stats.total.num_requests``, ``.fail_ratio``,
``.get_response_time_percentile(0.95)`` …); they are summed and merged from the entries on first
read and cached until the next sample, failure, extend or reset (``RequestStats`` keeps counters for
that, so ``num_requests`` and ``num_failures`` are O(1)). Its current rates and percentiles come
from the history's Aggregated window. It cannot be written to: change the entries instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

from horde.stats.entries import StatsEntry
from horde.stats.histogram import MAX_INDEX, MAX_VALUE_US, Histogram
from horde.stats.phases import PhaseStats
from horde.stats.window import RecentWindow, add_window_counts

if TYPE_CHECKING:
    from horde.stats.request_stats import RequestStats

AGGREGATED_NAME = "Aggregated"


_T = TypeVar("_T")


class _Computed(Generic[_T]):
    """A read-only attribute of the total, computed by ``read`` (assigning raises)."""

    def __init__(self, read: Callable[[AggregatedEntry], _T]) -> None:
        self._read = read

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> _Computed[_T]: ...

    @overload
    def __get__(self, instance: AggregatedEntry, owner: type[Any]) -> _T: ...

    def __get__(self, instance: AggregatedEntry | None, owner: type[Any]) -> _T | _Computed[_T]:
        return self if instance is None else self._read(instance)

    def __set__(self, instance: AggregatedEntry, value: _T) -> NoReturn:
        raise AttributeError("stats.total is computed from the entries; change the entries instead")


class _Totals:
    """Sums over the entries at one moment."""

    __slots__ = (
        "num_none_requests",
        "phases",
        "response_times",
        "total_content_length",
        "total_response_time",
    )

    def __init__(self, entries: list[StatsEntry]) -> None:
        self.num_none_requests = sum(entry.num_none_requests for entry in entries)
        self.total_response_time = sum(entry.total_response_time for entry in entries)
        self.total_content_length = sum(entry.total_content_length for entry in entries)
        histogram = Histogram()
        for entry in entries:
            histogram.merge(entry.response_times)
        self.response_times = histogram
        self.phases: PhaseStats | None = None
        for entry in entries:
            if entry.phases is not None:
                if self.phases is None:
                    self.phases = PhaseStats()
                self.phases.merge(entry.phases)


class AggregatedEntry(StatsEntry):
    """The read-only total of a :class:`RequestStats`; see the module docstring."""

    __slots__ = ("_current", "_current_key", "_totals", "_totals_key")

    def __init__(self, stats: RequestStats) -> None:
        self._totals: _Totals | None = None
        self._totals_key: tuple[int, ...] = ()
        self._current: Histogram | None = None
        self._current_key: tuple[int, ...] = ()
        super().__init__(stats, AGGREGATED_NAME, "", use_response_times_cache=stats.use_response_times_cache)

    def _zero(self) -> None:
        self._totals = None
        self._current = None

    def _key(self) -> tuple[int, ...]:
        stats = self._stats()
        return (stats._epoch, stats._num_requests, stats._num_failures, len(stats.entries), id(stats.entries))

    def _sums(self) -> _Totals:
        key = self._key()
        if self._totals is None or key != self._totals_key:
            self._totals = _Totals(list(self._stats().entries.values()))
            self._totals_key = key
        return self._totals

    def _current_histogram(self) -> Histogram | None:
        """The entries' current-window histograms merged (recomputed once per tick)."""
        stats = self._stats()
        if stats.history.window_span() is None or not stats.use_response_times_cache:
            return None
        key = (stats.history.tick_serial, *self._key())
        if self._current is None or key != self._current_key:
            totals = [0] * (MAX_INDEX + 1)
            low, high, top = MAX_VALUE_US, 0, -1
            for entry in list(stats.entries.values()):
                ends = entry._window_ends()
                touched = -1 if ends is None else add_window_counts(totals, ends[0], ends[1])
                if touched >= 0:
                    top = max(top, touched)
                    low = min(low, entry.response_times.min_us)
                    high = max(high, entry.response_times.max_us)
            del totals[top + 1 :]
            current = Histogram.from_dense(totals, low, high) if top >= 0 else Histogram()
            self._current, self._current_key = current, key
        return self._current

    def _last_request_timestamp(self) -> float | None:
        """As for entries: the latest tick's stamp, or now while requests newer than it exist."""
        stats = self._stats()
        if not stats._num_requests:
            return None
        history = stats.history
        if stats._num_requests == history.stamped_requests and history.latest_stamp is not None:
            return history.latest_stamp
        return stats._clock()

    def _recent_window(self) -> RecentWindow:
        assert self.stats is not None
        return self.stats.history.total_window

    # Locust's data attributes, computed --------------------------------------------------------
    num_requests = _Computed[int](lambda total: total._stats()._num_requests)
    num_failures = _Computed[int](lambda total: total._stats()._num_failures)
    num_none_requests = _Computed[int](lambda total: total._sums().num_none_requests)
    total_response_time = _Computed[float](lambda total: total._sums().total_response_time)
    total_content_length = _Computed[int](lambda total: total._sums().total_content_length)
    response_times = _Computed[Histogram](lambda total: total._sums().response_times)
    phases = _Computed["PhaseStats | None"](lambda total: total._sums().phases)
    last_request_timestamp = _Computed["float | None"](lambda total: total._last_request_timestamp())
    start_time = _Computed[float](lambda total: total._stats().start_time)

    def _stats(self) -> RequestStats:
        assert self.stats is not None
        return self.stats

    # Writing is not how the total works --------------------------------------------------------
    def log(self, response_time: float | None, content_length: int) -> None:
        raise TypeError("stats.total is computed from the entries: record into stats.get(name, method)")

    def log_error(self, error: object) -> None:
        raise TypeError("stats.total is computed from the entries: use stats.log_error(method, name, error)")

    def extend(self, other: StatsEntry) -> None:
        raise TypeError("stats.total is computed from the entries: extend the entries instead")

    def reset(self) -> None:
        """Zero every entry (the total follows); errors and history are kept."""
        assert self.stats is not None
        for entry in list(self.stats.entries.values()):
            entry.reset()
        self._zero()

    def __repr__(self) -> str:
        return f"<AggregatedEntry: {self.num_requests} requests>"
