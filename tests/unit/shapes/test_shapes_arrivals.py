"""Arrival plans: how many arrivals are due by a moment, and when the k-th one is (no clock)."""

from __future__ import annotations

import math

import pytest

from horde.shapes.arrivals import ArrivalPlan, ArrivalRate, ArrivalRateError, parse_rate


@pytest.mark.parametrize(
    ("text", "rate"), [("50", 50.0), ("50/s", 50.0), ("600/m", 10.0), ("36000/h", 10.0), ("0.5", 0.5)]
)
def test_a_rate_takes_a_unit(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


def test_a_constant_rate_spreads_arrivals_evenly_the_first_at_once_and_never_ends() -> None:
    plan = ArrivalPlan.parse("50")
    assert [plan.when(k) for k in range(4)] == pytest.approx([0, 0.02, 0.04, 0.06])
    assert plan.due(12) == pytest.approx(600)
    assert plan.end == math.inf and plan.rate_at(1e6) == 50


def test_stages_ramp_linearly_from_zero_hold_and_end() -> None:
    plan = ArrivalPlan.parse("10s:100,10s:100,10s:0")
    assert [plan.rate_at(t) for t in (0, 5, 10, 15, 25, 30)] == [0, 50, 100, 100, 50, 0]
    assert [plan.due(t) for t in (5, 10, 20, 30, 40)] == pytest.approx([125, 500, 1500, 2000, 2000])
    # The inverse of the integral, on the ramp up, the hold and the ramp down.
    for arrivals in (1, 125, 499, 500, 1000, 1600, 1999):
        assert plan.due(plan.when(arrivals)) == pytest.approx(arrivals)
    assert plan.when(2000.5) is None and plan.end == 30


def test_stages_may_start_from_a_rate() -> None:
    plan = ArrivalPlan.parse("10,10s:20")
    assert plan.rate_at(0) == 10 and plan.due(10) == pytest.approx(150)


def test_retarget_keeps_what_was_due_and_changes_the_rate_from_then_on() -> None:
    plan = ArrivalPlan.parse("50")
    plan.retarget(10, 100)
    assert plan.due(10) == pytest.approx(500) and plan.due(11) == pytest.approx(600)
    assert plan.when(600) == pytest.approx(11)
    ramped = ArrivalPlan.parse("10s:100,10s:0")
    ramped.retarget(5, 10, ramp_seconds=10)  # from 50/s at 5 s, down to 10/s by 15 s, then for ever
    assert ramped.rate_at(10) == pytest.approx(30) and ramped.rate_at(100) == 10
    assert ramped.due(15) == pytest.approx(125 + 300) and ramped.end == math.inf


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "use e.g. 50"),
        ("fast", "use e.g. 50"),
        ("0", "a constant rate must be above 0"),
        ("-5", "use e.g. 50"),
        ("5/d", "use e.g. 50"),
        ("10s", "use e.g. 50"),
        ("10s:x", "stage '10s:x' has no rate like 100"),
        ("x:10", "stage 'x:10' has no duration like 30s"),
        ("0s:5", "stage '0s:5' lasts no time"),
        ("10,20", "stage '20' is not DURATION:RATE"),
    ],
)
def test_a_malformed_rate_is_refused_in_words_that_quote_it(text: str, says: str) -> None:
    with pytest.raises(ArrivalRateError, match="invalid arrival rate") as error:
        ArrivalPlan.parse(text)
    assert repr(text) in str(error.value) and says in str(error.value)


def test_a_shape_s_arrival_rate_is_checked() -> None:
    assert ArrivalRate(10, 5) == ArrivalRate(10.0, 5)
    for rate, users in ((-1, 5), (math.inf, 5), (10, -1)):
        with pytest.raises(ValueError, match="finite number"):
            ArrivalRate(rate, users)
