"""What a request reports: a ``Recorder`` callable, called once per top-level request.

``recorder(request_type, name, response_time_ms, response_length, response, context, exception,
start_time, url)`` with ``exception`` None on success and ``start_time`` in epoch seconds. The
Environment supplies one that records statistics and fires the ``request`` event; the clients
(horde.http) call it. Here, not in horde.http, because statistics are the layer below the clients.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
