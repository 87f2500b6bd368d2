"""Is run B slower than run A? Per request name, for p50, p95, p99, the failure ratio and the
throughput: ``regressed``, ``improved`` or ``same`` (within noise), and why.

A difference counts only when it is beyond two kinds of noise:

* **Sampling.** A percentile of n requests is known only to a range of ranks: with 99 %
  confidence the p-th percentile lies between the values at ranks ``n·p ± 2.576·√(n·p·(1-p))``.
  Each run's range is read from its exact histogram; ranges that overlap are the same. The failure
  ratio is judged the same way, by a two-proportion z-test on the exact counts (|z| > 2.576).
* **Drift within a run.** Requests are not independent draws: a run has slow minutes and fast
  ones. When both runs have at least :data:`MIN_WINDOWS` windows (each run keeps each name's
  percentiles for every second, or every 5 s with many names), the windows' values of B must also
  sit apart from A's by a Mann-Whitney U test (two-sided, 99 %). Throughput is judged on the
  windows' request rates (with fewer windows, on the runs' counts as Poisson counts).

And the change must matter: at least :data:`MIN_CHANGE` of the baseline's value (and 0.5 ms for
times), so a 0.3 % shift that a million requests make "significant" is still the same.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from horde.stats.histogram import Histogram

Z_99 = 2.576
MIN_WINDOWS = 6
MIN_CHANGE = 0.10
MIN_CHANGE_MS = 0.5
PERCENTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99))


@dataclass(frozen=True)
class Side:
    """One run's data for one request name."""

    requests: int
    failures: int
    histogram: Histogram
    windows: Sequence[tuple[float, int, float, float, float]] = ()
    """(seconds, requests, p50, p95, p99 in ms) of each window."""


@dataclass(frozen=True)
class Verdict:
    metric: str
    baseline: float | None
    candidate: float | None
    change: float | None  # relative: (candidate - baseline) / baseline
    outcome: str  # "regressed", "improved", "same", or "missing"
    why: str

    def to_json(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "baseline": self.baseline,
            "candidate": self.candidate,
            "change": self.change,
            "outcome": self.outcome,
            "why": self.why,
        }


def compare_name(a: Side | None, b: Side | None) -> list[Verdict]:
    """Every metric of one request name, A the baseline and B the candidate."""
    if a is None or b is None or not a.requests or not b.requests:
        only = "the candidate" if a is None or not a.requests else "the baseline"
        return [Verdict("requests", _count(a), _count(b), None, "missing", f"only in {only}")]
    verdicts = [_percentile(name, p, a, b) for name, p in PERCENTILES]
    verdicts.append(_fail_ratio(a, b))
    verdicts.append(_throughput(a, b))
    return verdicts


def _count(side: Side | None) -> float | None:
    return float(side.requests) if side is not None else None


def _percentile(metric: str, p: float, a: Side, b: Side) -> Verdict:
    value_a, low_a, high_a = _range(a.histogram, p)
    value_b, low_b, high_b = _range(b.histogram, p)
    change = (value_b - value_a) / value_a if value_a > 0 else None
    if abs(value_b - value_a) < max(MIN_CHANGE_MS, MIN_CHANGE * value_a):
        why = f"under {MIN_CHANGE:.0%} or {MIN_CHANGE_MS} ms"
        return Verdict(metric, value_a, value_b, change, "same", why)
    if low_b <= high_a and low_a <= high_b:
        return Verdict(metric, value_a, value_b, change, "same", "within the sampling range (99 %)")
    index = {"p50": 2, "p95": 3, "p99": 4}[metric]
    windows_differ = _windows_differ([w[index] for w in a.windows], [w[index] for w in b.windows])
    if windows_differ is False:
        return Verdict(metric, value_a, value_b, change, "same", "the windows overlap (Mann-Whitney, 99 %)")
    outcome = "regressed" if value_b > value_a else "improved"
    evidence = "sampling ranges apart" + (" and windows apart" if windows_differ else "")
    return Verdict(metric, value_a, value_b, change, outcome, evidence)


def _range(histogram: Histogram, p: float) -> tuple[float, float, float]:
    """The percentile (ms) and the values at the edges of its 99 % rank range."""
    n = histogram.count
    spread = Z_99 * math.sqrt(n * p * (1 - p))
    low_p = max(0.0, (n * p - spread) / n)
    high_p = min(1.0, (n * p + spread) / n)
    value, low, high = histogram.percentiles([p, low_p, high_p])
    return value / 1000, low / 1000, high / 1000


def _fail_ratio(a: Side, b: Side) -> Verdict:
    ratio_a, ratio_b = a.failures / a.requests, b.failures / b.requests
    change = (ratio_b - ratio_a) / ratio_a if ratio_a > 0 else None
    pooled = (a.failures + b.failures) / (a.requests + b.requests)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / a.requests + 1 / b.requests))
    if spread == 0 or abs(ratio_b - ratio_a) / spread <= Z_99:
        why = "within chance (two-proportion z, 99 %)"
        return Verdict("fail_ratio", ratio_a, ratio_b, change, "same", why)
    if abs(ratio_b - ratio_a) < 0.001:
        return Verdict("fail_ratio", ratio_a, ratio_b, change, "same", "under 0.1 point")
    outcome = "regressed" if ratio_b > ratio_a else "improved"
    return Verdict("fail_ratio", ratio_a, ratio_b, change, outcome, "beyond chance (two-proportion z, 99 %)")


def _throughput(a: Side, b: Side) -> Verdict:
    rates_a = [count / seconds for seconds, count, *_ in a.windows if seconds > 0]
    rates_b = [count / seconds for seconds, count, *_ in b.windows if seconds > 0]
    if not rates_a or not rates_b:
        return Verdict("rps", None, None, None, "same", "no windows")
    mean_a, mean_b = sum(rates_a) / len(rates_a), sum(rates_b) / len(rates_b)
    change = (mean_b - mean_a) / mean_a if mean_a > 0 else None
    if abs(mean_b - mean_a) < MIN_CHANGE * mean_a:
        return Verdict("rps", mean_a, mean_b, change, "same", f"under {MIN_CHANGE:.0%}")
    differ = _windows_differ(rates_a, rates_b)
    if differ is None:  # too few windows: the whole runs' counts, as Poisson counts
        seconds_a, seconds_b = sum(w[0] for w in a.windows), sum(w[0] for w in b.windows)
        count_a, count_b = sum(w[1] for w in a.windows), sum(w[1] for w in b.windows)
        spread = math.sqrt(count_a / seconds_a**2 + count_b / seconds_b**2)
        if spread == 0 or abs(count_b / seconds_b - count_a / seconds_a) / spread <= Z_99:
            return Verdict("rps", mean_a, mean_b, change, "same", "within chance (Poisson counts, 99 %)")
        why = "beyond chance (Poisson counts, 99 %; too few windows for more)"
    elif not differ:
        return Verdict("rps", mean_a, mean_b, change, "same", "the windows overlap (Mann-Whitney, 99 %)")
    else:
        why = "windows apart (Mann-Whitney, 99 %)"
    outcome = "regressed" if mean_b < mean_a else "improved"
    return Verdict("rps", mean_a, mean_b, change, outcome, why)


def _windows_differ(a: Sequence[float], b: Sequence[float]) -> bool | None:
    """Whether two samples come from different distributions (Mann-Whitney U, two-sided, normal
    approximation with ties corrected, 99 %); None when either has too few values to tell."""
    if len(a) < MIN_WINDOWS or len(b) < MIN_WINDOWS:
        return None
    ranked = sorted([(value, 0) for value in a] + [(value, 1) for value in b])
    ranks = [0.0] * len(ranked)
    ties = 0.0
    start = 0
    while start < len(ranked):
        end = start
        while end + 1 < len(ranked) and ranked[end + 1][0] == ranked[start][0]:
            end += 1
        for i in range(start, end + 1):
            ranks[i] = (start + end) / 2 + 1
        tied = end - start + 1
        ties += tied**3 - tied
        start = end + 1
    n1, n2 = len(a), len(b)
    rank_sum = sum(rank for rank, (_, side) in zip(ranks, ranked, strict=True) if side == 0)
    u = rank_sum - n1 * (n1 + 1) / 2
    n = n1 + n2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return False
    z = (u - n1 * n2 / 2) / math.sqrt(variance)
    return abs(z) > Z_99


Verdicts = Sequence[tuple[tuple[str, str], list[Verdict]]]
"""Each (method, name) with its verdicts, sorted by name."""


def compare_sides(
    baseline: Mapping[tuple[str, str], Side], candidate: Mapping[tuple[str, str], Side]
) -> Verdicts:
    """Every request name of either run, B (``candidate``) against A (``baseline``)."""
    return [
        (key, compare_name(baseline.get(key), candidate.get(key)))
        for key in sorted(set(baseline) | set(candidate), key=lambda k: (k[1], k[0]))
    ]


def regressed(verdicts: Verdicts) -> bool:
    return any(v.outcome == "regressed" for _, rows in verdicts for v in rows)


def comparison_json(verdicts: Verdicts, baseline: int) -> dict[str, Any]:
    """The comparison as ``--summary-json`` and the web UI give it."""
    return {
        "baseline": baseline,
        "regressed": regressed(verdicts),
        "entries": [
            {"method": method, "name": name, "metrics": [verdict.to_json() for verdict in rows]}
            for (method, name), rows in verdicts
        ],
    }
