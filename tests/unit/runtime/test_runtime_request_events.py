"""Samples that user code fires as request events are counted even when their types are loose."""

from __future__ import annotations

from horde.runtime.environment import Environment


class ForeignResponse:
    timings = {"connect": 1.0}  # not Horde's PhaseTimings: ignored


def test_a_fired_sample_with_a_float_or_missing_length_and_a_foreign_response_is_counted() -> None:
    env = Environment(user_classes=[])
    fire = env.events.request.fire
    fire(request_type="GET", name="/x", response_time=12, response_length=10.7, response=ForeignResponse(),
         exception=None, context={})  # fmt: skip
    fire(request_type="GET", name="/x", response_time=3.5, response_length=None, exception=None, context={})
    entry = env.stats.get("/x", "GET")
    assert entry.num_requests == 2
    assert entry.total_content_length == 10
    assert entry.total_response_time == 15.5
    assert entry.phases is None


def test_log_request_takes_a_float_length() -> None:
    env = Environment(user_classes=[])
    env.stats.log_request("GET", "/y", 2.0, 4.2)
    env.stats.log_request("GET", "/y", 2.0, None)
    assert env.stats.get("/y", "GET").total_content_length == 4
