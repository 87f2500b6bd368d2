"""``rest()`` / ``rest_()``: JSON request helpers on the user, as Locust's ``RestMixin`` offers.

``with self.rest("POST", "/api", json={...}) as resp:`` sends with ``catch_response=True``, JSON
Content-Type/Accept headers by default, parses the body into ``resp.js``, and turns any exception
raised in the block into a failure of that request instead of an error of the task. The same
object works with ``async with`` in ``async def`` tasks.
"""

from __future__ import annotations

import re
import time
import traceback
from types import TracebackType
from typing import Any

from horde.exception import InterruptTaskSet, RescheduleTask, RescheduleTaskImmediately, StopTest, StopUser

# Flow control raised in a rest() block keeps its meaning instead of becoming a failed request.
_FLOW_CONTROL = (StopUser, StopTest, RescheduleTask, RescheduleTaskImmediately, InterruptTaskSet)
_HOME = re.compile(r"^/(home|Users)/[^/]+/")


class RestMixin:
    """Adds ``rest`` and ``rest_`` to a user class whose ``client`` is an HTTP session."""

    client: Any

    def rest(self, method: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> RestCall:
        """A context manager (``with`` or ``async with``) around one JSON request."""
        if headers is None:
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return RestCall(self.client, method, url, headers, kwargs)

    def rest_(self, method: str, url: str, name: str | None = None, **kwargs: Any) -> RestCall:
        """Like :meth:`rest`, with a ``_=<epoch ms>`` cache buster; the stats name is ``url?_=...``."""
        separator = "&" if "?" in url else "?"
        if name is None:
            name = f"{url}{separator}_=..."
        return self.rest(method, f"{url}{separator}_={int(time.time() * 1000)}", name=name, **kwargs)


class RestCall:
    """One ``rest()`` call; entered with ``with`` in sync code or ``async with`` in async code."""

    __slots__ = ("_client", "_kwargs", "_manager", "_method", "_url")

    def __init__(
        self, client: Any, method: str, url: str, headers: dict[str, str], kwargs: dict[str, Any]
    ) -> None:
        self._client = client
        self._method = method
        self._url = url
        self._kwargs = {**kwargs, "headers": headers, "catch_response": True}
        self._manager: Any = None

    def __enter__(self) -> Any:
        self._manager = self._client.request(self._method, self._url, **self._kwargs)
        return _prepare(self._manager.__enter__())

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        return _finish(self._manager, exc)

    async def __aenter__(self) -> Any:
        self._manager = await self._client.request(self._method, self._url, **self._kwargs)
        return _prepare(self._manager.__enter__())

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        return _finish(self._manager, exc)


def _prepare(resp: Any) -> Any:
    """Parse the body into ``resp.js``; an unparsable or missing body fails the request."""
    resp.js = None
    if resp.status_code == 0 or resp.content is None:
        seconds = round(resp.request_meta["response_time"] / 1000, 1)
        resp.failure(
            f"response body None, error {resp.error}, response code {resp.status_code}, "
            f"response time ~{seconds}s"
        )
    elif resp.content:
        try:
            resp.js = resp.json()
        except ValueError as error:
            resp.failure(
                f"Could not parse response as JSON. {resp.text[:250]}, response code {resp.status_code}, "
                f"error {error}"
            )
    return resp


def _finish(resp: Any, exc: BaseException | None) -> bool:
    """Turn an exception from the block into a failure, then report through the response."""
    if isinstance(exc, Exception) and not isinstance(exc, _FLOW_CONTROL):
        resp.failure(_failure_message(resp, exc))
        resp.__exit__(None, None, None)
        return True
    return bool(resp.__exit__(type(exc) if exc else None, exc, exc.__traceback__ if exc else None))


def _failure_message(resp: Any, exc: Exception) -> str:
    snippet = resp.text[:200] if resp.text else resp.text
    if isinstance(exc, AssertionError):
        if not exc.args:
            return "Assertion failed"
        message = str(exc.args[0])
        if message.endswith(","):
            return f"{message[:-1]}, response was {snippet}"
        return message
    return f"{type(exc).__name__}: {exc} at {_call_sites(exc)}. Response was {snippet}"


def _call_sites(exc: BaseException) -> str:
    """``file:line`` of each frame of the traceback, home directories shortened (for grouping)."""
    frames = traceback.extract_tb(exc.__traceback__)
    return ", ".join(f"{_HOME.sub('~/', frame.filename)}:{frame.lineno} in {frame.name}" for frame in frames)
