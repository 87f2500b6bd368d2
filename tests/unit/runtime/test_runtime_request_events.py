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


def test_a_session_sample_goes_to_the_stats_and_to_every_other_listener() -> None:
    env = Environment(user_classes=[])
    sample = ("GET", "/z", 2.5, 7, None, {"k": 1}, None, 1_700_000_000.0, "http://h/z")
    env.record_request(*sample)  # only the stats listen: straight in
    heard: list[dict[str, object]] = []
    env.events.request.add_listener(lambda **kwargs: heard.append(kwargs))
    env.record_request(*sample)  # now through the event
    entry = env.stats.get("/z", "GET")
    assert (entry.num_requests, entry.total_content_length, entry.total_response_time) == (2, 14, 5.0)
    assert heard == [
        {"request_type": "GET", "name": "/z", "response_time": 2.5, "response_length": 7, "response": None,
         "context": {"k": 1}, "exception": None, "start_time": 1_700_000_000.0, "url": "http://h/z"}
    ]  # fmt: skip
