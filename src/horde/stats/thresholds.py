"""Thresholds that judge a run: ``--threshold EXPR``, a list in a config file, or a locustfile's
module-level ``thresholds = [...]``.

Grammar: ``[NAME:]METRIC OP VALUE``. NAME is a request name, or ``METHOD NAME`` (omitted: the
Aggregated row); METRIC is ``p50``, ``p90``, ``p95``, ``p99``, ``p99.9`` (any percentile ``pN``),
``avg``, ``max``, ``min`` (times), ``fail_ratio``, ``rps``, ``requests`` or
``dropped_iterations``; OP is ``<``, ``<=``, ``>`` or ``>=``; a time takes ``ms`` or ``s`` (a
bare number is milliseconds), the others a plain number. Examples: ``browse:p95<300ms``,
``fail_ratio<0.01``, ``rps>100``, ``GET /cart:p99<=1.5s``.

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
    r"(?P<value>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?P<unit>ms|s)?$"
)


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

    @classmethod
    def parse(cls, expression: str) -> Threshold:
        text = expression.strip()
        if "@" in text or text.endswith("!"):  # issue 22's windows and aborts
            raise ThresholdError(
                f"invalid threshold {expression!r}: windows (@60s) and aborting thresholds (!) are not "
                "available in this version of Horde yet"
            )
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
        return cls(text, name, method, metric, found["op"], value)

    def is_time(self) -> bool:
        return self.metric not in PLAIN_METRICS  # percentiles, avg, max, min

    def observe(self, stats: RequestStats, dropped_iterations: int = 0) -> float | None:
        """The run's value of this metric (ms for times); None when the name made no request."""
        if self.metric == "dropped_iterations":
            return float(dropped_iterations)
        entry = self._entry(stats)
        if entry is None:
            return None
        if self.metric == "fail_ratio":
            return entry.fail_ratio
        if self.metric == "requests":
            return float(entry.num_requests)
        if self.metric == "rps":
            start, last = stats.start_time, stats.last_request_timestamp
            return entry.num_requests / (last - start) if last and start and last > start else 0.0
        timed = entry.num_requests - entry.num_none_requests
        if timed <= 0:
            return None
        if self.metric == "avg":
            return entry.avg_response_time
        if self.metric == "max":
            return entry.max_response_time
        if self.metric == "min":
            return entry.min_response_time
        return entry.get_response_time_percentile(float(self.metric[1:]) / 100)

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
    thresholds: Sequence[Threshold], stats: RequestStats, dropped_iterations: int = 0
) -> list[ThresholdResult]:
    results = []
    for threshold in thresholds:
        observed = threshold.observe(stats, dropped_iterations)
        results.append(ThresholdResult(threshold, observed, threshold.passes(observed)))
    return results
