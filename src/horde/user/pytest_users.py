"""Pytest-style locustfiles, as Locust 2.47 runs them.

A locustfile without User classes may hold pytest tests instead: each ``test*`` function taking
the ``session`` fixture (an HttpUser's client) or ``fastsession`` (a FastHttpUser's) becomes a User
class of the same name, whose one task calls the function again and again, without waiting. As in
Locust, a failed request inside it (``raise_for_status()``, a connection error) ends that call
quietly: it is already in the statistics. The same file runs under pytest with Horde's plugin
(``horde.compat.pytest_plugin``, ``pytest --host URL``).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from horde.exception import CatchResponseError, UsageError
from horde.http.errors import RequestError
from horde.user.http_users import FastUserSession, UserSession, _require_host
from horde.user.users import User
from horde.user.wait_time import constant

logger = logging.getLogger("locust.user.users")

FIXTURES = ("session", "fastsession")


class PytestUser(User):
    abstract = True
    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        super().__init__(environment)
        self._sessions: dict[str, Any] = {}

    def fixture(self, name: str) -> Any:
        session = self._sessions.get(name)
        if session is None:
            host, record = _require_host(self), self.environment.record_request
            if name == "session":
                session = UserSession(host, record, self)
            else:
                session = FastUserSession(base_url=host, recorder=record, user=self)
            self._sessions[name] = session
        return session

    def _finished(self) -> None:
        for session in self._sessions.values():
            session.close()


def pytest_user_classes(namespace: dict[str, Any]) -> dict[str, type[User]]:
    """A User class for each pytest test function in a locustfile's namespace."""
    classes: dict[str, type[User]] = {}
    for name, value in namespace.items():
        if not (name.startswith("test") and inspect.isfunction(value)):
            continue
        parameters = list(inspect.signature(value).parameters)
        unknown = [p for p in parameters if p not in FIXTURES]
        if unknown:
            raise UsageError(
                f"Could not find fixture for parameter {unknown[0]!r} in {name}: pytest-style locustfiles "
                "take the session or fastsession fixture"
            )
        classes[name] = type(name, (PytestUser,), {"tasks": [_task(value, parameters)], "abstract": False})
    return classes


def _task(test: Callable[..., Any], fixtures: list[str]) -> Callable[[PytestUser], None]:
    def run_test(user: PytestUser) -> None:
        try:
            test(*(user.fixture(name) for name in fixtures))
        except (RequestError, CatchResponseError) as error:  # in the statistics already
            logger.debug("%s: %s", test.__name__, error)

    run_test.__name__ = test.__name__
    return run_test
