"""``run_single_user`` runs one user in the foreground and prints each request."""

from __future__ import annotations

import sys

import pytest

from horde.cli.single_user import run_single_user
from horde.exception import StopUser
from horde.runtime.events import events
from horde.user.task import task
from horde.user.users import User


def test_runs_one_user_and_prints_its_requests(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["locustfile.py"])  # the script's command line, not pytest's
    started: list[str] = []
    listener = events.test_start.add_listener(lambda environment, **_: started.append("start"))

    class Debugged(User):
        runs = 0

        @task
        def step(self) -> None:
            type(self).runs += 1
            self.environment.events.request.fire(
                request_type="GET", name=f"/step/{self.runs}", response_time=1.5, response_length=10,
                exception=None, context={},
            )  # fmt: skip
            if self.runs == 3:
                raise StopUser()

    try:
        run_single_user(Debugged, include_time=True, include_length=True)
    finally:
        events.test_start.remove_listener(listener)
    # Locust's table: a blank line, the header, then a row per request, tab-separated and padded.
    blank, header, *rows = capsys.readouterr().out.splitlines()
    expected_header = ["time".ljust(24), "type", "name".ljust(50), "resp_ms", "length", "exception", "", ""]
    assert blank == "" and header.split("\t") == expected_header
    assert [row.split("\t")[1:] for row in rows] == [
        ["GET", f"/step/{n}".ljust(50), "2".ljust(7), "10", " " * 9, ""] for n in (1, 2, 3)
    ]
    assert all(row.startswith("20") for row in rows)  # the time, from the request's start
    assert started == ["start"]
    assert events.request.listeners == ()  # nothing left behind on the global hooks
