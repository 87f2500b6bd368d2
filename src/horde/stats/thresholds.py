"""Thresholds that judge a run: ``--threshold EXPR``, a list in a config file, or a locustfile's
module-level ``thresholds = [...]``.

Grammar: ``[NAME:]METRIC OP VALUE``. NAME is a request name, or ``METHOD NAME`` (omitted: the
Aggregated row); METRIC is ``p50``, ``p90``, ``p95``, ``p99``, ``p99.9`` (any percentile ``pN``),
``avg``, ``max``, ``min`` (times), ``fail_ratio``, ``rps``, ``requests`` or
``dropped_iterations``; OP is ``<``, ``<=``, ``>`` or ``>=``; a time takes ``ms`` or ``s`` (a
bare number is milliseconds), the others a plain number. Examples: ``browse:p95<300ms``,
``fail_ratio<0.01``, ``rps>100``, ``GET /cart:p99<=1.5s``.

A window suffix judges every window instead of the whole run: ``p99<500ms@60s`` fails when any
60 s window of the run broke it, and its observed value is the worst window's. A ``!`` at the end
(or ``--threshold-abort`` for all) stops the run as soon as the threshold can no longer pass: a
window that broke it, or the whole run's value so far (after ``--threshold-grace``).

A threshold passes when the run's observed value satisfies it. A name that made no request
observes nothing, and neither does a time of a run without samples: that fails (a threshold on
what never ran says nothing good).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from horde.stats.entries import StatsEntry
from horde.stats.histogram import BucketCounts, Histogram
from horde.stats.request_stats import RequestStats

EXPECTED = (
    "expected [NAME:]METRIC OP VALUE, e.g. p95<300ms, fail_ratio<0.01, rps>100 or browse:p99<=1s "
    "(METRIC: pN, avg, max, min, fail_ratio, rps, requests, dropped_iterations; OP: < <= > >=)"
)
TIME_METRICS = frozenset({"avg", "max", "min"})
PLAIN_METRICS = frozenset({"fail_ratio", "rps", "requests", "dropped_iterations"})
_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "CONNECT", "TRACE"})
_PERCENTILE = re.compile(r"p\d+(?:\.\d+)?")
_PATTERN = re.compile(
    r"^(?:(?P<name>.+):)?\s*(?P<metric>p\d+(?:\.\d+)?|[a-z_]+)\s*(?P<op><=|>=|<|>)\s*"
    r"(?P<value>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>ms|s)?"
    r"(?:\s*@\s*(?P<window>[0-9]+(?:\.[0-9]+)?)\s*(?P<window_unit>ms|s|m|h)?)?\s*(?P<abort>!)?$"
)
_WINDOW_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class ThresholdError(ValueError):
    """A malformed expression; the message quotes it and says what was expected."""


@dataclass(frozen=True)
class Threshold:
    expression: str
    name: str | None  # None: the Aggregated row
    method: str | None
    metric: str
    op: str
    value: float  # milliseconds for times
    window_s: float | None = None  # judged per window of this many seconds
    abort: bool = False  # stop the run as soon as it can no longer pass

    @classmethod
    def parse(cls, expression: str) -> Threshold:
        text = expression.strip()
        found = _PATTERN.match(text)
        if found is None:
            raise ThresholdError(f"invalid threshold {expression!r}: {EXPECTED}")
        metric, unit = found["metric"], found["unit"]
        percentile = _PERCENTILE.fullmatch(metric) is not None
        if percentile and not 0 < float(metric[1:]) <= 100:
            raise ThresholdError(
                f"invalid threshold {expression!r}: a percentile is p0.1 to p100, not {metric}"
            )
        if not percentile and metric not in TIME_METRICS | PLAIN_METRICS:
            raise ThresholdError(f"invalid threshold {expression!r}: unknown metric {metric!r}; {EXPECTED}")
        if unit is not None and metric in PLAIN_METRICS:
            raise ThresholdError(
                f"invalid threshold {expression!r}: {metric} takes a plain number, not {unit}"
            )
        value = float(found["value"]) * (1000.0 if unit == "s" else 1.0)
        name, method = _name_and_method(found["name"])
        if name is not None and metric == "dropped_iterations":
            raise ThresholdError(
                f"invalid threshold {expression!r}: dropped_iterations counts the whole run's arrivals, "
                "not a request name's; leave the name out"
            )
        window = None
        if found["window"] is not None:
            window = float(found["window"]) * _WINDOW_UNITS[found["window_unit"]]
            if window < 1:
                raise ThresholdError(f"invalid threshold {expression!r}: a window is 1 s or longer")
        return cls(text, name, method, metric, found["op"], value, window, found["abort"] is not None)

    def is_time(self) -> bool:
        return self.metric not in PLAIN_METRICS  # percentiles, avg, max, min

    def observe(self, stats: RequestStats) -> float | None:
        """The run's value of this metric (ms for times); None when the name made no request."""
        entry = self._entry(stats)
        if entry is None:
            return None
        start, last = stats.start_time, stats.last_request_timestamp
        seconds = last - start if last and start and last > start else 0.0
        return self._value(_Counts.of(entry, stats), entry.response_times, seconds)

    def _value(self, counts: _Counts, histogram: Histogram, seconds: float) -> float | None:
        """This metric of ``counts`` and ``histogram`` (the whole run's, or one window's)."""
        if self.metric == "dropped_iterations":
            return float(counts.dropped)
        if self.metric == "fail_ratio":
            return counts.failures / counts.requests if counts.requests else (1.0 if counts.failures else 0.0)
        if self.metric == "requests":
            return float(counts.requests)
        if self.metric == "rps":
            return counts.requests / seconds if seconds > 0 else 0.0
        if counts.timed <= 0 or not histogram:
            return None
        if self.metric == "avg":
            return counts.response_time / counts.timed
        if self.metric == "max":
            return histogram.max_us / 1000
        if self.metric == "min":
            return histogram.min_us / 1000
        return histogram.percentile(float(self.metric[1:]) / 100) / 1000

    def worse(self, a: float | None, b: float) -> float:
        """The value further from passing."""
        if a is None:
            return b
        return max(a, b) if self.op in ("<", "<=") else min(a, b)

    def passes(self, observed: float | None) -> bool:
        return observed is not None and _OPERATORS[self.op](observed, self.value)

    def _entry(self, stats: RequestStats) -> StatsEntry | None:
        if self.name is None:  # the run's: 0 requests is an observation; times need samples
            return stats.total
        matching = [
            entry
            for (name, method), entry in stats.entries.items()
            if name == self.name and (self.method is None or method == self.method)
        ]
        if len(matching) == 1:
            return matching[0]
        if not matching:
            return None
        merged = StatsEntry(None, self.name, self.method or "")  # the name under every method
        for entry in matching:
            merged.extend(entry)
        return merged


@dataclass(frozen=True)
class _Counts:
    requests: int
    failures: int
    timed: int
    response_time: float  # ms, summed over the timed requests
    dropped: int  # the run's dropped iterations (arrivals)

    @classmethod
    def of(cls, entry: StatsEntry | None, stats: RequestStats) -> _Counts:
        if entry is None:
            return cls(0, 0, 0, 0.0, stats.dropped_iterations)
        return cls(
            entry.num_requests,
            entry.num_failures,
            entry.num_requests - entry.num_none_requests,
            entry.total_response_time,
            stats.dropped_iterations,
        )

    def minus(self, older: _Counts) -> _Counts:
        return _Counts(
            self.requests - older.requests,
            self.failures - older.failures,
            self.timed - older.timed,
            self.response_time - older.response_time,
            self.dropped - older.dropped,
        )


def _name_and_method(text: str | None) -> tuple[str | None, str | None]:
    if text is None or not text.strip():
        return None, None
    name = text.strip()
    method, _, rest = name.partition(" ")
    if method in _METHODS and rest.strip():
        return rest.strip(), method
    return name, None


@dataclass(frozen=True)
class ThresholdResult:
    threshold: Threshold
    observed: float | None
    passed: bool

    def to_json(self) -> dict[str, object]:
        return {"expression": self.threshold.expression, "passed": self.passed, "observed": self.observed}


def parse_all(expressions: Iterable[str]) -> list[Threshold]:
    """Each expression parsed, in order, duplicates dropped (ThresholdError for a malformed one)."""
    parsed: list[Threshold] = []
    for expression in expressions:
        threshold = Threshold.parse(expression)
        if threshold.expression not in {t.expression for t in parsed}:
            parsed.append(threshold)
    return parsed


def evaluate(
    thresholds: Sequence[Threshold], stats: RequestStats, windows: WindowJudge | None = None
) -> list[ThresholdResult]:
    """Each threshold judged: on the whole run, or, with a window, by ``windows`` (the worst
    window so far; unjudged without one)."""
    results = []
    for threshold in thresholds:
        if threshold.window_s is not None:
            judged = windows.result(threshold) if windows is not None else None
            results.append(judged or ThresholdResult(threshold, None, False))  # nothing judged yet
            continue
        observed = threshold.observe(stats)
        results.append(ThresholdResult(threshold, observed, threshold.passes(observed)))
    return results


@dataclass
class _Window:
    start: float
    counts: _Counts
    buckets: BucketCounts | None
    worst: float | None = None  # None until a window with samples closed
    failed: bool = False


class WindowJudge:
    """Judges the windowed thresholds (``p99<500ms@60s``) as the run goes: :meth:`tick` once a
    second with the run's statistics closes each threshold's window when it is due, and
    :meth:`finish` the last, partial one (if it saw a request)."""

    def __init__(self, thresholds: Sequence[Threshold]) -> None:
        self.thresholds = [t for t in thresholds if t.window_s is not None]
        self._windows: dict[str, _Window] = {}

    def tick(self, now: float, stats: RequestStats) -> None:
        for threshold in self.thresholds:
            window = self._windows.get(threshold.expression)
            entry = threshold._entry(stats)
            counts = _Counts.of(entry, stats)
            if window is None:
                snapshot = entry.response_times.snapshot() if entry is not None else None
                self._windows[threshold.expression] = _Window(now, counts, snapshot)
            elif now - window.start >= (threshold.window_s or 0) - 1e-6:
                self._close(threshold, window, now, entry, counts)

    def finish(self, now: float, stats: RequestStats) -> None:
        for threshold in self.thresholds:
            window = self._windows.get(threshold.expression)
            entry = threshold._entry(stats)
            counts = _Counts.of(entry, stats)
            if window is None or entry is None or counts == window.counts:
                continue  # nothing since the last window closed
            self._close(threshold, window, now, entry, counts)

    def _close(
        self, threshold: Threshold, window: _Window, now: float, entry: StatsEntry | None, counts: _Counts
    ) -> None:
        histogram = Histogram()
        if entry is not None:
            histogram.merge(entry.response_times)
            if window.buckets is not None:
                histogram.subtract(window.buckets)
        value = threshold._value(counts.minus(window.counts), histogram, now - window.start)
        if value is not None:  # a window without samples says nothing of a time
            window.worst = threshold.worse(window.worst, value)
            window.failed = window.failed or not threshold.passes(value)
        window.start, window.counts = now, counts
        window.buckets = entry.response_times.snapshot() if entry is not None else None

    def result(self, threshold: Threshold) -> ThresholdResult | None:
        """The worst window so far; None before the first window closed."""
        window = self._windows.get(threshold.expression)
        if window is None or window.worst is None:
            return None
        return ThresholdResult(threshold, window.worst, not window.failed)
