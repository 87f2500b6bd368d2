"""Per-name time series for charts of one request name, in bounded memory however long the run.

Each name keeps requests, failures and the sum of response times per step (1 s to start with).
When a name's series reaches its capacity, neighbouring steps are merged in pairs and the step
doubles, so a series always covers the whole run at the finest resolution that fits. The
capacity per name is a share of a global point budget: 1,000 names keep up to 1,000 points each,
10,000 names at least 100. At 12 bytes a point the budget (1M points) is about 12 MB.

Sampling costs one pass over the entries per second; it runs only when something will read the
series (the web UI, an HTML report).
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from horde.stats.request_stats import RequestStats

POINT_BUDGET = 1_000_000
MIN_POINTS = 100
MAX_POINTS = 3_600


class _Series:
    __slots__ = ("failures", "requests", "start", "step", "times")

    def __init__(self, start: float) -> None:
        self.start = start
        self.step = 1.0
        self.requests = array("f")
        self.failures = array("f")
        self.times = array("f")  # sum of response times (ms) in the step

    def add(self, now: float, requests: float, failures: float, time_sum: float, capacity: int) -> None:
        index = max(0, math.floor((now - self.start) / self.step - 1e-9))
        missing = index + 1 - len(self.requests)
        if missing > 0:
            zeros = [0.0] * missing
            self.requests.extend(zeros)
            self.failures.extend(zeros)
            self.times.extend(zeros)
        self.requests[index] += requests
        self.failures[index] += failures
        self.times[index] += time_sum
        while len(self.requests) > capacity:
            self._halve()

    def _halve(self) -> None:
        for name in ("requests", "failures", "times"):
            values = getattr(self, name)
            merged = array("f", (sum(values[i : i + 2]) for i in range(0, len(values), 2)))
            setattr(self, name, merged)
        self.step *= 2

    def to_json(self) -> dict[str, Any]:
        step = self.step
        count = len(self.requests)
        return {
            "step": step,
            "series": {
                "time": [self.start + (i + 1) * step for i in range(count)],
                "rps": [n / step for n in self.requests],
                "fail": [n / step for n in self.failures],
                "avg": [t / n if n else None for n, t in zip(self.requests, self.times, strict=True)],
            },
        }


_EMPTY = _Series(0.0)


class NameSeries:
    """Samples every entry of a :class:`RequestStats` once per :meth:`sample` call."""

    def __init__(self, stats: RequestStats, budget: int = POINT_BUDGET) -> None:
        self._stats = stats
        self._budget = budget
        self._series: dict[tuple[str, str], _Series] = {}
        self._seen: dict[tuple[str, str], tuple[int, int, float]] = {}
        self._stats_start = stats.start_time

    def sample(self, now: float) -> None:
        stats = self._stats
        if stats.start_time != self._stats_start:  # a new test (or a reset): start over
            self.clear()
            self._stats_start = stats.start_time
        entries = stats.entries
        capacity = min(MAX_POINTS, max(MIN_POINTS, self._budget // max(1, len(entries))))
        for key, entry in list(entries.items()):
            requests, failures, time_sum = entry.num_requests, entry.num_failures, entry.total_response_time
            before = self._seen.get(key)
            self._seen[key] = (requests, failures, time_sum)
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series(self._stats_start)
            if before is None:
                before = (0, 0, 0.0)
            if requests < before[0]:  # this entry was reset
                before = (0, 0, 0.0)
            series.add(now, requests - before[0], failures - before[1], time_sum - before[2], capacity)

    def get(self, name: str, method: str) -> dict[str, Any]:
        """``{"step": s, "series": {"time", "rps", "fail", "avg"}}``, empty for a name not seen."""
        series = self._series.get((name, method))
        return series.to_json() if series is not None else _EMPTY.to_json()

    def clear(self) -> None:
        self._series.clear()
        self._seen.clear()
