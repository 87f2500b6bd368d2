"""How a session reports each request: through a ``Recorder`` (horde.stats.recording), called
once per top-level call; here, the request-side helpers around it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from horde.http.errors import RequestUnfinished
from horde.stats.recording import Recorder


def report(recorder: Recorder, meta: dict[str, Any]) -> None:
    """Report a ``request_meta`` dict (the catch_response path, where user code may edit it)."""
    recorder(
        meta["request_type"],
        meta["name"],
        meta["response_time"],
        meta["response_length"],
        meta["response"],
        meta["context"],
        meta["exception"],
        meta["start_time"],
        meta["url"],
    )


def report_unfinished(
    recorder: Any, request_type: str, name: str, started: float, start_time: float, url: str | None
) -> None:
    """Tell ``recorder`` (when it keeps statistics) of a request cut short by its user's stop."""
    unfinished = getattr(recorder, "unfinished", None)
    if unfinished is not None:
        waited = (time.perf_counter() - started) * 1000.0
        error = RequestUnfinished("no response yet when the test stopped its user")
        unfinished(request_type, name, waited, start_time, url, error)


def merge_context(
    user_context: Callable[[], dict[str, Any]] | None, context: dict[str, Any] | None
) -> dict[str, Any]:
    """The sample's context: ``user.context()`` overlaid by the request's ``context=``."""
    if user_context is None:
        return context if context is not None else {}
    merged = dict(user_context())
    if context:
        merged.update(context)
    return merged


def request_hook(environment: Any) -> Any:
    """The ``request`` event hook of ``environment`` (None without one): Locust's sessions keep it
    as ``request_event``, which another session can be given to report to."""
    return getattr(getattr(environment, "events", None), "request", None)
