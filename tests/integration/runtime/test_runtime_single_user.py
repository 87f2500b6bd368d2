"""``run_single_user`` runs one user in the foreground and prints each request."""

from __future__ import annotations

import pytest

from horde.exception import StopUser
from horde.runtime.events import events
from horde.runtime.single_user import run_single_user
from horde.user.task import task
from horde.user.users import User


def test_runs_one_user_and_prints_its_requests(capsys: pytest.CaptureFixture[str]) -> None:
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
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["GET\t/step/1\t1.5\t10\t", "GET\t/step/2\t1.5\t10\t", "GET\t/step/3\t1.5\t10\t"]
    assert started == ["start"]
    assert events.request.listeners == ()  # nothing left behind on the global hooks
