"""How a session reports each request: a ``recorder`` callable, called once per top-level call.

``recorder(request_type, name, response_time_ms, response_length, response, context, exception,
start_time, url)`` with ``exception`` None on success and ``start_time`` in epoch seconds. The
Environment supplies one that records statistics and fires the ``request`` event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from horde.http.errors import RequestUnfinished

Recorder = Callable[
    [str, str, "float | None", int, Any, "dict[str, Any]", "BaseException | None", float, "str | None"], Any
]


def _discard(*sample: Any) -> None:
    """A session built without anything to report to drops its samples."""


def as_recorder(target: Any) -> Recorder:
    """Accept a recorder callable, an Environment, or a ``request`` EventHook (Locust's signature)."""
    if target is None:
        return _discard
    record_request = getattr(target, "record_request", None)
    if record_request is not None:
        return record_request
    fire = getattr(target, "fire", None)
    if fire is None:
        events = getattr(target, "events", None)
        fire = getattr(getattr(events, "request", None), "fire", None)
    if fire is None:
        if callable(target):
            return target
        raise TypeError(f"cannot report requests to {target!r}: pass a recorder callable or an Environment")

    def fire_request_event(
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        response: Any,
        context: dict[str, Any],
        exception: BaseException | None,
        start_time: float,
        url: str | None,
    ) -> None:
        fire(
            request_type=request_type,
            name=name,
            response_time=response_time,
            response_length=response_length,
            response=response,
            context=context,
            exception=exception,
            start_time=start_time,
            url=url,
        )

    return fire_request_event


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
