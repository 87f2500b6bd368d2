"""The greenlet bridge: plain-``def`` user code running on the asyncio event loop.

Each simulated user that has synchronous code gets one long-lived greenlet (a :class:`SyncBridge`).
The user's coroutine hands a callable to the bridge; the callable runs inside the greenlet until it
needs I/O, at which point :func:`await_` switches back to the coroutine with an awaitable. The
coroutine awaits it on the loop and switches back into the greenlet with the result, or throws the
exception into it. Sync code therefore looks blocking, yet the loop never blocks.

The bridge is reused for every call a user makes, so the per-call cost is two greenlet switches,
not the creation of a greenlet.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet

T = TypeVar("T")


class _Done:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


class BridgeGreenlet(greenlet.greenlet):
    """Marks the greenlets in which user sync code runs, so :func:`in_sync_context` can tell."""


def _serve(fn: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    current = greenlet.getcurrent()
    while True:
        try:
            outcome: _Done | _Failed = _Done(fn(*args))
        except BaseException as error:  # handed to the coroutine side, which re-raises it
            outcome = _Failed(error)
        fn, args = current.parent.switch(outcome)


class SyncBridge:
    """Runs plain functions for one user inside one reusable greenlet."""

    __slots__ = ("_glet",)

    def __init__(self) -> None:
        self._glet: BridgeGreenlet | None = None

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        glet = self._glet
        if glet is None or glet.dead:
            glet = self._glet = BridgeGreenlet(_serve)
            message = glet.switch(fn, args)
        else:
            message = glet.switch(fn, args)
        while True:
            if type(message) is _Done:
                return message.value
            if type(message) is _Failed:
                raise message.error
            try:
                value = await message
            except BaseException as error:
                message = glet.throw(error)
            else:
                message = glet.switch(value)
                value = None  # not kept alive by this frame while the user sleeps (memory per user)

    def close(self) -> None:
        glet = self._glet
        self._glet = None
        if glet is not None and not glet.dead:
            glet.throw(greenlet.GreenletExit)


def in_sync_context() -> bool:
    """True when called from user sync code running inside a :class:`SyncBridge`."""
    return type(greenlet.getcurrent()) is BridgeGreenlet


def await_(awaitable: Awaitable[T]) -> T:
    """Wait for ``awaitable`` on the event loop from sync user code, and return its result."""
    current = greenlet.getcurrent()
    if type(current) is not BridgeGreenlet:
        raise RuntimeError(
            "blocking call outside a Horde user: sync client calls work inside plain-def tasks; "
            "in async code, await the call instead"
        )
    return current.parent.switch(awaitable)


def sync_or_async(awaitable: Awaitable[T]) -> Any:
    """The dual face used by clients: block in sync user code, return the awaitable otherwise."""
    current = greenlet.getcurrent()
    if type(current) is BridgeGreenlet:
        return current.parent.switch(awaitable)
    return awaitable
