"""Thresholds: the grammar, one-line errors, and each metric observed on known samples."""

from __future__ import annotations

import pytest

from horde.exception import CatchResponseError
from horde.stats import RequestStats
from horde.stats.thresholds import Threshold, ThresholdError, evaluate, parse_all


@pytest.mark.parametrize(
    ("expression", "parsed"),
    [
        ("p95<300ms", (None, None, "p95", "<", 300.0)),
        ("p95 < 300 ms", (None, None, "p95", "<", 300.0)),
        ("p99.9<=250", (None, None, "p99.9", "<=", 250.0)),  # a bare number is milliseconds
        ("browse:p99<1.5s", ("browse", None, "p99", "<", 1500.0)),
        ("GET /cart:avg>=2s", ("/cart", "GET", "avg", ">=", 2000.0)),
        ("http://shop:8080/x:max<1s", ("http://shop:8080/x", None, "max", "<", 1000.0)),  # the last colon
        ("fail_ratio<0.01", (None, None, "fail_ratio", "<", 0.01)),
        ("rps>100", (None, None, "rps", ">", 100.0)),
        ("login:requests>=10", ("login", None, "requests", ">=", 10.0)),
        ("dropped_iterations<1", (None, None, "dropped_iterations", "<", 1.0)),
    ],
)
def test_the_grammar(expression: str, parsed: tuple[object, ...]) -> None:
    threshold = Threshold.parse(expression)
    assert (threshold.name, threshold.method, threshold.metric, threshold.op, threshold.value) == parsed


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("p95<<3", "expected [NAME:]METRIC OP VALUE"),
        ("", "expected [NAME:]METRIC OP VALUE"),
        ("fail_ratio<1%", "expected [NAME:]METRIC OP VALUE"),
        ("latency<3", "unknown metric 'latency'"),
        ("p0<3", "a percentile is p0.1 to p100, not p0"),
        ("p101<3", "a percentile is p0.1 to p100, not p101"),
        ("rps>10ms", "rps takes a plain number, not ms"),
        ("p99<500ms@60s", "windows (@60s) and aborting thresholds (!) are not available"),
    ],
)
def test_a_malformed_expression_is_one_line_that_quotes_it(expression: str, why: str) -> None:
    with pytest.raises(ThresholdError) as raised:
        Threshold.parse(expression)
    message = str(raised.value)
    assert message.startswith(f"invalid threshold {expression!r}: ") and why in message
    assert "\n" not in message


def known_stats() -> RequestStats:
    """/a GET: 1..100 ms, 10 failures; /a POST: 200 ms x 10; /b: 5 ms x 10; over 10 s."""
    now = [1_000.0]
    stats = RequestStats(clock=lambda: now[0])
    for ms in range(1, 101):
        stats.record("GET", "/a", float(ms), 10, CatchResponseError("no") if ms % 10 == 0 else None)
    for _ in range(10):
        stats.record("POST", "/a", 200.0, 10, None)
        stats.record("GET", "/b", 5.0, 10, None)
    now[0] = 1_010.0
    return stats


@pytest.mark.parametrize(
    ("expression", "observed", "passed"),
    [
        ("GET /a:p50<=51", 50.0, True),
        ("GET /a:p99<99ms", 99.0, False),
        ("GET /a:avg<51", 50.5, True),
        ("GET /a:min>=1", 1.0, True),
        ("GET /a:max<0.1s", 100.0, False),
        ("GET /a:fail_ratio<0.05", 0.1, False),
        ("GET /a:requests>=100", 100.0, True),
        ("/a:requests>=110", 110.0, True),  # the name under both methods
        ("/a:max>=200", 200.0, True),
        ("POST /a:p50<=200ms", 200.0, True),
        ("rps>=12", 12.0, True),  # 120 requests in 10 s
        ("fail_ratio<0.1", 10 / 120, True),
        ("/b:p95<5ms", 5.0, False),
        ("checkout:p95<1s", None, False),  # never requested: nothing observed, not passed
        ("dropped_iterations<1", 0.0, True),
    ],
)
def test_each_metric_is_observed_on_the_run_and_judged(
    expression: str, observed: float | None, passed: bool
) -> None:
    (result,) = evaluate([Threshold.parse(expression)], known_stats())
    if observed is None:
        assert result.observed is None
    else:
        assert result.observed == pytest.approx(observed, rel=0.01)  # histograms: within 1 %
    assert result.passed is passed
    assert result.to_json() == {"expression": expression, "passed": passed, "observed": result.observed}


def test_an_empty_run_observes_nothing_and_fails_its_time_thresholds() -> None:
    (result,) = evaluate([Threshold.parse("p95<300ms")], RequestStats())
    assert (result.observed, result.passed) == (None, False)


def test_parse_all_keeps_the_order_and_drops_repeats() -> None:
    parsed = parse_all(["rps>1", "p95<3", "rps>1"])
    assert [t.expression for t in parsed] == ["rps>1", "p95<3"]
