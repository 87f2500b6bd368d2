"""Thresholds: the grammar, one-line errors, and each metric observed on known samples."""

from __future__ import annotations

import pytest

from horde.exception import CatchResponseError
from horde.stats import RequestStats
from horde.stats.thresholds import Threshold, ThresholdError, WindowJudge, evaluate, parse_all


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
    assert (threshold.window_s, threshold.abort) == (None, False)


@pytest.mark.parametrize(
    ("expression", "window_s", "abort"),
    [("p99<500ms@60s", 60.0, False), ("p99<500@2m!", 120.0, True), ("browse:rps>10 @ 30!", 30.0, True),
     ("fail_ratio<0.01!", None, True)],
)  # fmt: skip
def test_a_window_and_an_abort_mark(expression: str, window_s: float | None, abort: bool) -> None:
    threshold = Threshold.parse(expression)
    assert (threshold.window_s, threshold.abort) == (window_s, abort)


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
        ("p99<500ms@0.5s", "a window is 1 s or longer"),
        ("p99<500ms@60x", "expected [NAME:]METRIC OP VALUE"),
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


def test_a_windowed_threshold_fails_when_any_window_broke_it() -> None:
    """10 s windows: 5 ms, then a 10 s stall of 900 ms answers, then 5 ms again. The whole run's
    p50 passes, the windowed one reports the stalled window."""
    now = [0.0]
    stats = RequestStats(clock=lambda: now[0])
    thresholds = parse_all(
        ["p50<100ms@10s", "p50<100ms", "requests>=50@10s", "max<1s@10s", "dropped_iterations<1@10s"]
    )
    judge = WindowJudge(thresholds)
    for second in range(31):
        now[0] = float(second)
        if second:
            for _ in range(10):
                stats.record("GET", "/", 900.0 if 10 < second <= 20 else 5.0, 10, None)
        judge.tick(now[0], stats)
    judged = {r.threshold.expression: r for r in evaluate(thresholds, stats, windows=judge)}
    assert judged["p50<100ms"].passed  # 200 of 300 answers took 5 ms
    assert not judged["p50<100ms@10s"].passed
    assert judged["p50<100ms@10s"].observed == pytest.approx(900, rel=0.01)  # the worst window
    assert judged["requests>=50@10s"].passed and judged["requests>=50@10s"].observed == 100
    assert judged["max<1s@10s"].passed
    assert (judged["dropped_iterations<1@10s"].observed, judged["dropped_iterations<1@10s"].passed) == (
        0,
        True,
    )


def test_a_window_without_samples_says_nothing_of_a_time() -> None:
    now = [0.0]
    stats = RequestStats(clock=lambda: now[0])
    thresholds = parse_all(["p99<100ms@5s", "requests>=1@5s"])
    judge = WindowJudge(thresholds)
    for second in range(16):
        now[0] = float(second)
        if second > 10:  # nothing in the first two windows
            stats.record("GET", "/", 20.0, 10, None)
        judge.tick(now[0], stats)
    latency, requests = evaluate(thresholds, stats, windows=judge)
    assert (latency.observed, latency.passed) == (pytest.approx(20, rel=0.01), True)
    assert (requests.observed, requests.passed) == (0, False)  # a count of 0 is an observation


def test_the_last_partial_window_counts_and_a_window_never_judged_fails() -> None:
    now = [0.0]
    stats = RequestStats(clock=lambda: now[0])
    thresholds = parse_all(["p99<100ms@60s", "/never:p99<100ms@60s"])
    judge = WindowJudge(thresholds)
    judge.tick(0.0, stats)
    assert [r.passed for r in evaluate(thresholds, stats, windows=judge)] == [False, False]  # none yet
    now[0] = 5.0
    stats.record("GET", "/", 250.0, 10, None)
    judge.tick(5.0, stats)
    judge.finish(5.0, stats)  # the run ended after 5 s of a 60 s window
    first, never = evaluate(thresholds, stats, windows=judge)
    assert (first.observed, first.passed) == (pytest.approx(250, rel=0.01), False)
    assert (never.observed, never.passed) == (None, False)
