"""``stats.total``: the "Aggregated" row, derived from the entries rather than a second entry.

Its histogram is the one exception: ``RequestStats.record`` adds every sample to it as well (one
more bucket update per request), because merging 1,000 entries' histograms at every read made the
once-a-second reports cost more than the requests with many request names. It is rebuilt by a
merge only after data left the entries (an entry reset or removed). The other attributes read like
any StatsEntry's (Locust code reads ``stats.total.num_requests``, ``.fail_ratio``,
``.get_response_time_percentile(0.95)`` …): counts are O(1) counters in ``RequestStats``, sums are
taken over the entries on first read and cached until the next sample, failure, extend or reset,
and phase timings are merged only when read. Its current rates and percentiles come from the
history's Aggregated window. It cannot be written to: change the entries instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, overload

from horde.stats.entries import StatsEntry
from horde.stats.histogram import Histogram
from horde.stats.phases import PhaseStats
from horde.stats.window import RecentWindow

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

    __slots__ = ("num_none_requests", "total_content_length", "total_response_time")

    def __init__(self, entries: list[StatsEntry]) -> None:
        self.num_none_requests = sum(entry.num_none_requests for entry in entries)
        self.total_response_time = sum(entry.total_response_time for entry in entries)
        self.total_content_length = sum(entry.total_content_length for entry in entries)


def _merged_phases(entries: list[StatsEntry]) -> PhaseStats | None:
    """The entries' phase timings together (three histograms each: merged only when read, which
    the periodic reports do not do)."""
    phases: PhaseStats | None = None
    for entry in entries:
        if entry.phases is not None:
            if phases is None:
                phases = PhaseStats()
            phases.merge(entry.phases)
    return phases


class AggregatedEntry(StatsEntry):
    """The read-only total of a :class:`RequestStats`; see the module docstring."""

    __slots__ = ("_phases", "_phases_key", "_totals", "_totals_key")

    def __init__(self, stats: RequestStats) -> None:
        self._totals: _Totals | None = None
        self._totals_key: tuple[int, ...] = ()
        self._phases: PhaseStats | None = None
        self._phases_key: tuple[int, ...] = ()
        super().__init__(stats, AGGREGATED_NAME, "", use_response_times_cache=stats.use_response_times_cache)

    def _zero(self) -> None:
        self._totals = None
        self._phases_key = ()

    def _key(self) -> tuple[int, ...]:
        stats = self._stats()
        return (stats._epoch, stats._num_requests, stats._num_failures, len(stats.entries), id(stats.entries))

    def _sums(self) -> _Totals:
        key = self._key()
        if self._totals is None or key != self._totals_key:
            self._totals = _Totals(list(self._stats().entries.values()))
            self._totals_key = key
        return self._totals

    def _merged_phases(self) -> PhaseStats | None:
        key = self._key()
        if key != self._phases_key:
            self._phases = _merged_phases(list(self._stats().entries.values()))
            self._phases_key = key
        return self._phases

    def _merged_planned(self) -> Histogram | None:
        """Every entry's latency from the planned start, merged (None when none has any)."""
        merged: Histogram | None = None
        for entry in list(self._stats().entries.values()):
            if entry.planned is not None:
                if merged is None:
                    merged = Histogram()
                merged.merge(entry.planned)
        return merged

    def _response_times(self) -> Histogram:
        """The Aggregated histogram ``RequestStats.record`` keeps; merged from the entries again
        only after data was taken out of them (an entry reset or removed)."""
        stats = self._stats()
        if stats._total_times_stale:
            merged = Histogram()
            for entry in list(stats.entries.values()):
                merged.merge(entry.response_times)
            stats._total_times = merged
            stats._total_times_stale = False
            # Its recent snapshots counted samples that are gone: the window starts over, with
            # no current values until it spans a whole window again.
            window = stats.history.total_window
            window.clear()
            window.trimmed = True
            self._window_cache = None
        return stats._total_times

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
    response_times = _Computed[Histogram](lambda total: total._response_times())
    phases = _Computed["PhaseStats | None"](lambda total: total._merged_phases())
    planned = _Computed["Histogram | None"](lambda total: total._merged_planned())
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
