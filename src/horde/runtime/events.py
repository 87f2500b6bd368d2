"""Event hooks with Locust's names and argument names, so existing listeners keep working."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from horde.exception import (
    InterruptTaskSet,
    RescheduleTask,
    RescheduleTaskImmediately,
    StopTest,
    StopUser,
)

logger = logging.getLogger("locust.event")  # Locust's logger name: scripts and filters match it

_FLOW_CONTROL = (StopUser, StopTest, RescheduleTask, RescheduleTaskImmediately, InterruptTaskSet)


class EventHook:
    """A list of listeners called in order by :meth:`fire` with keyword arguments.

    A listener that raises is logged and counted in ``listener_errors`` (which turns the exit code
    to 2, as in Locust); flow-control exceptions such as ``StopUser`` propagate.
    """

    def __init__(self) -> None:
        self._handlers: list[Callable[..., Any]] = []
        self.listener_errors = 0

    def add_listener(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        self._handlers.append(handler)
        return handler

    def remove_listener(self, handler: Callable[..., Any]) -> None:
        self._handlers.remove(handler)

    @property
    def listeners(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._handlers)

    def fire(self, *, reverse: bool = False, **kwargs: Any) -> None:
        handlers = reversed(self._handlers) if reverse else self._handlers
        for handler in list(handlers):
            try:
                handler(**kwargs)
            except _FLOW_CONTROL:
                raise
            except Exception:
                self.listener_errors += 1
                logger.exception("Uncaught exception in event listener %r", handler)


class DeprecatedEventHook(EventHook):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def add_listener(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        logger.warning(self.message)
        return super().add_listener(handler)


class RequestEventHook(EventHook):
    """The ``request`` hook, with ``measure()`` for timing arbitrary code as a request."""

    @contextmanager
    def measure(
        self,
        request_type: str,
        name: str,
        response_length: int = 0,
        context: dict[str, Any] | None = None,
    ) -> Iterator[dict[str, Any]]:
        start_time = time.time()
        start = time.perf_counter()
        meta: dict[str, Any] = {
            "request_type": request_type,
            "name": name,
            "response_length": response_length,
            "context": context or {},
            "exception": None,
            "start_time": start_time,
        }
        try:
            yield meta
        except Exception as error:
            meta["exception"] = error
        meta["response_time"] = (time.perf_counter() - start) * 1000
        self.fire(**meta)


class Events:
    """All of Locust 2.47's hooks. ``Events()`` makes a fresh, independent set."""

    request: RequestEventHook
    user_error: EventHook
    report_to_master: EventHook
    worker_report: EventHook
    worker_connect: EventHook
    spawning_complete: EventHook
    quitting: EventHook
    quit: EventHook
    init: EventHook
    init_command_line_parser: EventHook
    test_start: EventHook
    test_stopping: EventHook
    test_stop: EventHook
    reset_stats: EventHook
    cpu_warning: EventHook
    usage_monitor: EventHook
    heartbeat_sent: EventHook
    heartbeat_received: EventHook

    def __init__(self) -> None:
        for name, kind in self.__class__.__annotations__.items():
            hook_class = RequestEventHook if kind in ("RequestEventHook", RequestEventHook) else EventHook
            setattr(self, name, hook_class())

    def hooks(self) -> dict[str, EventHook]:
        return {name: getattr(self, name) for name in self.__class__.__annotations__}

    def listener_errors(self) -> int:
        return sum(hook.listener_errors for hook in self.hooks().values())


events = Events()
"""The process-wide hooks that ``from locust import events`` gives a locustfile."""
