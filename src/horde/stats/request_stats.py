"""``RequestStats``: all request statistics of one run (``environment.stats``), Locust's API.

:meth:`RequestStats.record` is called once per request, so it is written for speed: one dict
lookup finds the entry, and a handful of field and histogram updates count the sample. It is
compiled (``hatch_build.py``) with the entries' counters and the histograms, which makes those
updates C struct and list operations.
Per-second rates are not counted here: :class:`~horde.stats.history.StatsHistory` derives them from
the cumulative counts at each 1 Hz tick. The "Aggregated" row is computed from the entries on read
(:mod:`horde.stats.aggregate`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, final

from mypy_extensions import mypyc_attr

from horde.stats.aggregate import AggregatedEntry
from horde.stats.counts import EntryCounts
from horde.stats.entries import StatsEntry
from horde.stats.errors import MAX_ERROR_ROWS, ErrorTable, StatsError
from horde.stats.histogram import Histogram
from horde.stats.history import DEFAULT_HISTORY_CAPACITY, HistoryPoint, StatsHistory
from horde.stats.phases import PhaseStats, PhaseTimings
from horde.stats.recording import as_recorder

UNFINISHED_FAILS_AFTER_MS = 1000.0
"""An unanswered request cut short by a stop fails the run from this wait on (see SampleRecorder)."""


# Compiled by mypyc at install (hatch_build.py), with the entries' counters (EntryCounts) and the
# histograms, so that record() updates them as struct members.
@mypyc_attr(allow_interpreted_subclasses=True)
class RequestStats:
    """Entries keyed by ``(name, method)``, the Aggregated ``total``, error rows and the history.

    ``use_response_times_cache`` (Locust's name) keeps histogram snapshots for the "current"
    percentiles; a worker that only ships deltas can turn it off. ``clock`` returns epoch seconds
    and is injectable for tests.
    """

    _num_requests: int
    _num_failures: int
    _epoch: int

    def __init__(
        self,
        use_response_times_cache: bool = True,
        *,
        clock: Callable[[], float] = time.time,
        history_capacity: int = DEFAULT_HISTORY_CAPACITY,
        max_error_rows: int = MAX_ERROR_ROWS,
    ) -> None:
        self._clock = clock
        self.use_response_times_cache = use_response_times_cache
        self.entry_snapshots = False
        """Whether each entry keeps bucket snapshots for its own "current" percentiles; see
        :meth:`track_entry_percentiles`. The Aggregated row always does."""
        # method -> name -> entry: two lookups by (hash-cached) strings beat building a tuple key.
        # A cache of ``entries``, emptied whenever that dict changes (see _EntryDict).
        self._index: dict[str, dict[str, EntryCounts]] = {}
        self._entries = _EntryDict(self)
        self._error_table = ErrorTable({}, max_error_rows)
        # Totals kept on the hot path: O(1) reads, and the key that invalidates the total's cache.
        self._num_requests = 0
        self._num_failures = 0
        self._epoch = 0
        # The Aggregated histogram, recorded with every sample rather than merged from 1,000
        # entries at every read; rebuilt by a merge only after data was taken out (see
        # ``_entries_changed``).
        self._total_times = Histogram()
        self._total_times_stale = False
        self._start_time = clock()
        self.unfinished = 0
        """Requests still on their way when their user was stopped (see ``SampleRecorder.unfinished``)."""
        self.unfinished_failed = 0
        """Of those, the ones counted as failures (``RequestUnfinished``)."""
        self._slowest_answered: dict[tuple[str, str], float] = {}
        self.dropped_iterations = 0
        """Arrivals of an open-model run that found no idle user (k6's name)."""
        self.plans: dict[object, Any] = {}
        """The users whose iterations have a planned start, by their asyncio task: an arrival's
        time, or a paced user's (``constant_pacing``) next start. Each holds ``_plan_lag``, how late
        (ms) its iteration under way started, and ``_plan_every``, its pacing interval (ms; 0 for
        arrivals). Their requests are also recorded from the planned start (``entry.planned``)."""
        self.stopping = False
        """Set by the runner as it stops the test's users: only then is a cancelled request one
        still waiting at the end (a user's own ``asyncio.wait_for`` cancels requests too)."""
        self.history = StatsHistory(self, capacity=history_capacity)
        self.total: StatsEntry = AggregatedEntry(self)

    @property
    def entries(self) -> dict[tuple[str, str], StatsEntry]:
        """Entries keyed by ``(name, method)``, created on first use."""
        return self._entries

    @entries.setter
    def entries(self, value: dict[tuple[str, str], StatsEntry]) -> None:
        for entry in self._entries.values():
            entry.stats = None  # taken out: its later changes are not this object's
        self._entries = _EntryDict(self, value)
        self._entries_changed()

    # Locust's read-only summary attributes -----------------------------------------------------
    @property
    def errors(self) -> dict[str, StatsError]:
        """Failure rows keyed like Locust (see :mod:`horde.stats.errors`)."""
        return self._error_table.errors

    @errors.setter
    def errors(self, value: dict[str, StatsError]) -> None:
        self._error_table = ErrorTable(value, self._error_table.max_rows)

    @property
    def num_requests(self) -> int:
        return self._num_requests

    @property
    def num_failures(self) -> int:
        return self._num_failures

    @property
    def num_none_requests(self) -> int:
        return self.total.num_none_requests

    @property
    def last_request_timestamp(self) -> float | None:
        return self.total.last_request_timestamp

    @property
    def start_time(self) -> float:
        return self._start_time

    # Recording ---------------------------------------------------------------------------------
    def record(
        self,
        method: str,
        name: str,
        response_time: float | None,
        response_length: int,
        exception: object | None,
        timings: PhaseTimings | None = None,
    ) -> None:
        """Count one request (``response_time`` in ms, None for Locust's "async" samples); a
        non-None ``exception`` also counts a failure. The per-request hot path: keep it lean."""
        try:
            entry = self._index[method][name]
        except KeyError:
            entry = self._index_entry(name, method)
        self._num_requests += 1
        entry.num_requests += 1
        entry.total_content_length += response_length
        if response_time is None:
            entry.num_none_requests += 1
        else:
            entry.total_response_time += response_time
            # The same value into the Aggregated histogram.
            self._total_times.record(entry.response_times.record_ms(response_time))
            if self.plans:
                self._record_planned(entry, response_time)
        if timings is not None:
            phases = entry.phases
            if phases is None:
                phases = entry.phases = PhaseStats()
            phases.record(timings)
        if exception is not None:
            entry.num_failures += 1
            self._num_failures += 1
            self._error_table.add(method, name, exception, self._clock())

    def _record_planned(self, entry: EntryCounts, response_time: float) -> None:
        """A request's latency from its planned start, when its user's iteration had one: the
        time it took plus how late its iteration started. A paced user that started whole
        intervals late skipped the iterations planned in between; each is recorded too, as late
        as it would have been (HdrHistogram's expected-interval correction, as wrk2 measures)."""
        try:
            user = self.plans.get(asyncio.current_task())
        except RuntimeError:  # no loop running: not a user's request
            return
        if user is None:
            return
        planned = entry.planned
        if planned is None:
            planned = entry.planned = Histogram()
        lag: float = user._plan_lag
        every: float = user._plan_every
        planned.record_ms(response_time + lag)
        if every > 0:
            lag -= every
            while lag > 0:
                planned.record_ms(response_time + lag)
                lag -= every

    def record_sample(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: Any,
        response: Any,
        exception: object | None,
    ) -> None:
        """:meth:`record` for a sample as a ``request`` event carries it, which user code may fire:
        a float or missing length and any response object are accepted, as Locust accepts them."""
        timings = getattr(response, "timings", None)
        self.record(
            request_type,
            name,
            response_time,
            sample_length(response_length),
            exception,
            timings if isinstance(timings, PhaseTimings) else None,
        )

    def track_entry_percentiles(self) -> None:
        """Keep every entry's "current" (last 10 s) percentiles from the next tick on.

        Off until asked for (``--csv-full-history``, or a first read of an entry's
        ``get_current_response_time_percentile``, which is None until the window has data, as
        at the start of a run): a snapshot per entry per second is most of the once-a-second cost
        with 1,000 request names, and only those two readers need it.
        """
        self.entry_snapshots = True

    def _entries_changed(self) -> None:
        """An entry was removed, replaced or added holding requests: drop the lookup index, count
        the totals again from the entries, and rebuild the Aggregated histogram at its next read."""
        self._index.clear()
        entries = list(self._entries.values())
        self._num_requests = sum(entry.num_requests for entry in entries)
        self._num_failures = sum(entry.num_failures for entry in entries)
        self._epoch += 1
        self._total_times_stale = True

    # What an entry tells its owner: the totals change here only, with the entries -------------
    def _entry_failed(self) -> None:
        self._num_failures += 1

    def _entry_emptied(self, entry: StatsEntry) -> None:
        """``entry`` is about to be zeroed: its data leaves the totals."""
        self._num_requests -= entry.num_requests
        self._num_failures -= entry.num_failures
        self._epoch += 1
        self._total_times_stale = True

    def _entry_extended(self, entry: StatsEntry, other: StatsEntry) -> None:
        """``other``'s data was added to ``entry``: it joins the totals."""
        self._num_requests += other.num_requests
        self._num_failures += other.num_failures
        self._epoch += 1
        if self._entries.get((entry.name, entry.method)) is entry:
            self._total_times.merge(other.response_times)
        else:
            self._total_times_stale = True

    def _index_entry(self, name: str, method: str) -> StatsEntry:
        entry = self.get(name, method)
        self._index.setdefault(method, {})[name] = entry
        return entry

    def log_request(self, method: str, name: str, response_time: float | None, content_length: Any) -> None:
        """Locust's API: count one successful request (a float or missing length is accepted)."""
        self.record(method, name, response_time, sample_length(content_length), None)

    def log_error(self, method: str, name: str, error: object) -> None:
        """Locust's API: count one failure (the request itself is counted by ``log_request``)."""
        entry = self.get(name, method)
        entry.num_failures += 1
        self._num_failures += 1
        self._error_table.add(method, name, error, self._clock())

    def count_unfinished(self, name: str, method: str, waited: float) -> bool:
        """Count a request cut short after ``waited`` ms; True when it is to be a failure: waited
        :data:`UNFINISHED_FAILS_AFTER_MS` or more, and longer than any request of its name that was
        answered (taken once per name, before its first unfinished failure raises the maximum).
        Only while the test stops (:attr:`stopping`): other cancellations are the user's own."""
        if not self.stopping:
            return False
        self.unfinished += 1
        key = (name, method)
        slowest = self._slowest_answered.get(key)
        if slowest is None:
            entry = self.entries.get(key)
            slowest = entry.max_response_time if entry is not None and entry.num_requests else 0.0
            self._slowest_answered[key] = slowest
        if waited >= UNFINISHED_FAILS_AFTER_MS and waited > slowest:
            self.unfinished_failed += 1
            return True
        return False

    def get(self, name: str, method: str) -> StatsEntry:
        """The entry for ``(name, method)``, created on first use."""
        entry = self.entries.get((name, method))
        if entry is None:
            entry = StatsEntry(self, name, method, use_response_times_cache=self.use_response_times_cache)
            self.entries[(name, method)] = entry
        return entry

    def sample_history(self, now: float, user_count: int) -> HistoryPoint:
        """The runtime's 1 Hz tick: see :meth:`StatsHistory.sample`."""
        return self.history.sample(now, user_count)

    # Resetting ---------------------------------------------------------------------------------
    def reset_all(self) -> None:
        """Zero every entry and the total; drop error rows and history (entries stay)."""
        for entry in self.entries.values():
            entry._zero()
        self._restart()

    def clear_all(self) -> None:
        """Remove all entries, error rows and history (a new test from idle)."""
        self.entries = {}
        self._restart()

    def _restart(self) -> None:
        self._error_table.clear()
        self._num_requests = 0
        self._num_failures = 0
        self.unfinished = self.unfinished_failed = 0
        self.dropped_iterations = 0
        self._slowest_answered = {}
        self.stopping = False
        self._epoch += 1
        self._total_times = Histogram()
        self._total_times_stale = False
        self._start_time = self._clock()
        self.history.clear()
        self.total._zero()

    # Serialising -------------------------------------------------------------------------------
    def serialize_stats(self) -> list[dict[str, Any]]:
        """Every entry with requests or failures, as ``StatsEntry.serialize()`` (not reset)."""
        return [
            entry.serialize() for entry in self.entries.values() if entry.num_requests or entry.num_failures
        ]

    def serialize_errors(self) -> dict[str, dict[str, Any]]:
        return {key: error.to_dict() for key, error in self.errors.items()}

    def merge_errors(self, rows: dict[str, dict[str, Any]]) -> None:
        """Fold ``serialize_errors()`` output from another process into these rows."""
        for key, data in rows.items():
            self._error_table.merge_row(key, StatsError.unserialize(data))


def sample_length(value: Any) -> int:
    """A response length as reported by user code: Locust accepts a float or None there."""
    return value if type(value) is int else int(value or 0)


@final
class SampleRecorder:
    """``environment.record_request``: where every session reports each request.

    While the stats' own listener is the only one on the ``request`` event, a sample goes straight
    into the stats, without the event's keyword arguments and loop over listeners; otherwise the
    event is fired and every listener gets it. Compiled with the stats (``hatch_build.py``), so a
    session's call costs about what a C function call costs.
    """

    def __init__(self, stats: RequestStats, hook: Any, listener: Any) -> None:
        self._stats = stats
        self._handlers: list[Any] = hook._handlers
        self._fire = as_recorder(hook)  # fires the event with Locust's keyword arguments
        self._listener = listener

    def __call__(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: Any,
        response: Any,
        context: Any,
        exception: Any,
        start_time: float,
        url: str | None,
    ) -> None:
        handlers = self._handlers
        if len(handlers) == 1 and handlers[0] is self._listener:
            self._stats.record_sample(request_type, name, response_time, response_length, response, exception)
        else:
            self._fire(request_type, name, response_time, response_length, response, context, exception,
                       start_time, url)  # fmt: skip

    def unfinished(
        self, request_type: str, name: str, waited: float, start_time: float, url: str | None, error: Any
    ) -> None:
        """A request whose user was stopped before the answer came (``waited`` ms so far).

        A run always ends with some requests on their way: those are only counted. One that had
        waited :data:`UNFINISHED_FAILS_AFTER_MS` or more, and longer than any answered request of
        its name, is what a hung target looks like: it is recorded as a failure (``error``), with
        the time it waited, so that the run fails as it does for other failures.
        """
        if self._stats.count_unfinished(name, request_type, waited):
            self(request_type, name, waited, 0, None, {}, error, start_time, url)


@mypyc_attr(native_class=False)  # a dict subclass: a plain Python class even when compiled
class _EntryDict(dict[tuple[str, str], StatsEntry]):
    """``stats.entries``: a plain dict that keeps its entries owned by its ``RequestStats`` (an entry
    put in reports to it, one taken out no longer does) and tells the owner, once changed, when an
    entry was removed or replaced, or added already holding requests, so that it drops its lookup
    index and counts its totals again. Adding a new empty entry needs no notice (the index only
    ever holds entries that are in this dict), which keeps new names cheap."""

    __slots__ = ("_owner",)

    def __init__(self, owner: RequestStats, *args: Any) -> None:
        super().__init__(*args)
        self._owner = owner
        for entry in self.values():
            entry.stats = owner

    def __setitem__(self, key: tuple[str, str], value: StatsEntry) -> None:
        old = self.get(key)
        super().__setitem__(key, value)
        value.stats = self._owner
        if old is not None and old is not value:
            old.stats = None
        if old is not None or value.num_requests or value.num_failures:
            self._owner._entries_changed()

    def __delitem__(self, key: tuple[str, str]) -> None:
        entry = self[key]
        super().__delitem__(key)
        self._removed([entry])

    def pop(self, key: tuple[str, str], *default: Any) -> Any:
        if key not in self:
            return super().pop(key, *default)  # KeyError, or the default: nothing changed
        entry = super().pop(key)
        self._removed([entry])
        return entry

    def popitem(self) -> tuple[tuple[str, str], StatsEntry]:
        key, entry = super().popitem()
        self._removed([entry])
        return key, entry

    def clear(self) -> None:
        entries = list(self.values())
        super().clear()
        self._removed(entries)

    def update(self, *args: Any, **kwargs: Any) -> None:
        incoming = dict(*args, **kwargs)
        replaced = [self[key] for key, entry in incoming.items() if key in self and self[key] is not entry]
        super().update(incoming)
        for entry in replaced:
            entry.stats = None
        for entry in incoming.values():
            entry.stats = self._owner
        self._owner._entries_changed()

    def setdefault(self, key: tuple[str, str], default: StatsEntry | None = None) -> Any:
        if key in self:
            return self[key]
        self[key] = default  # type: ignore[assignment]  # Locust's entries hold entries only
        return default

    def __ior__(self, other: Any) -> _EntryDict:  # type: ignore[override,misc]
        self.update(other)
        return self

    def _removed(self, entries: list[StatsEntry]) -> None:
        for entry in entries:
            entry.stats = None
        self._owner._entries_changed()
