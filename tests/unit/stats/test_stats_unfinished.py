"""Requests cut short by a stop: always counted, a failure only when they look like a hung target."""

from __future__ import annotations

from horde.http.errors import RequestUnfinished
from horde.runtime.environment import Environment


def unfinished(environment: Environment, name: str, waited_ms: float) -> None:
    error = RequestUnfinished("no response yet when the test stopped its user")
    environment.record_request.unfinished("GET", name, waited_ms, 0.0, None, error)


def test_only_long_waits_beyond_every_answered_request_fail() -> None:
    environment = Environment(user_classes=[])
    stats = environment.stats
    unfinished(environment, "/fast", 5000)  # cancelled mid-test (a user's own wait_for): not counted
    assert stats.unfinished == 0
    stats.stopping = True  # the runner stops the users
    stats.log_request("GET", "/fast", 5, 10)
    stats.log_request("GET", "/slow", 3000, 10)
    unfinished(environment, "/fast", 400)  # a healthy run ends with some on their way
    unfinished(environment, "/slow", 2500)  # a slow target: slower answers were seen
    assert (stats.unfinished, stats.unfinished_failed, stats.total.num_failures) == (2, 0, 0)
    unfinished(environment, "/fast", 1500)  # stalled beyond anything answered
    unfinished(environment, "/hung", 1000)  # never answered at all
    unfinished(environment, "/hung", 1000)  # judged against the answers, not the failure just recorded
    assert (stats.unfinished, stats.unfinished_failed) == (5, 3)
    hung = stats.get("/hung", "GET")
    assert (hung.num_requests, hung.num_failures, hung.max_response_time) == (2, 2, 1000)
    assert [type(e.error) for e in stats.errors.values()] == [RequestUnfinished, RequestUnfinished]
    stats.reset_all()
    assert (stats.unfinished, stats.unfinished_failed, stats.stopping) == (0, 0, False)
