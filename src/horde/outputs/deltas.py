"""What each request name did since the last look: the counts and the histogram of those requests
only (the difference of Horde's histograms, exact to their 1 %). The live outputs that send
intervals rather than totals (InfluxDB's points, OpenTelemetry's durations) read them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from horde.stats.histogram import Histogram

if TYPE_CHECKING:
    from horde.stats.entries import StatsEntry
    from horde.stats.request_stats import RequestStats


@dataclass(frozen=True)
class Delta:
    method: str
    name: str
    requests: int
    failures: int
    timed: int  # requests with a response time
    response_time: float  # ms, summed over the timed ones
    histogram: Histogram  # µs, of those requests


@dataclass
class _Seen:
    entry: StatsEntry
    requests: int
    failures: int
    timed: int
    response_time: float
    histogram: Histogram  # a copy, as it was


class Deltas:
    """Call :meth:`take` at each interval (on the loop that owns the statistics)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], _Seen] = {}

    def take(self, stats: RequestStats) -> list[Delta]:
        """Each name with requests or failures since the last take (a new test, or statistics
        reset, count from zero again)."""
        deltas = []
        seen = self._seen
        for key, entry in list(stats.entries.items()):
            last = seen.get(key)
            if last is not None and (last.entry is not entry or entry.num_requests < last.requests):
                last = None
            requests, failures = entry.num_requests, entry.num_failures
            if last is not None and requests == last.requests and failures == last.failures:
                continue
            timed = requests - entry.num_none_requests
            total = entry.total_response_time
            histogram = entry.response_times
            now = histogram.copy()
            delta = histogram.since(last.histogram) if last is not None else now
            seen[key] = _Seen(entry, requests, failures, timed, total, now)
            if last is not None:
                requests, failures = requests - last.requests, failures - last.failures
                timed, total = timed - last.timed, total - last.response_time
            deltas.append(Delta(entry.method, entry.name, requests, failures, timed, total, delta))
        return deltas
