"""The greenlet bridge: plain-``def`` user code running on the asyncio event loop.

A user's coroutine hands a callable to :func:`call_sync`; the callable runs inside a greenlet until
it needs I/O, at which point :func:`await_` switches back to the coroutine with an awaitable. The
coroutine awaits it on the loop and switches back into the greenlet with the result, or throws the
exception into it. Sync code therefore looks blocking, yet the loop never blocks.

Under gevent (:mod:`horde.concurrency.cooperative`) the greenlet may also wait in gevent: ``time.sleep``
or a patched socket switches to gevent's hub, which runs the same event loop. The coroutine then
hears from the greenlet through a future (:attr:`BridgeGreenlet.driver`) instead of a direct
switch, since the greenlet is resumed by gevent, from wherever the hub is at that moment.

Greenlets are borrowed from a per-thread pool for one call and given back when it returns. A user
that waits between tasks holds no greenlet (its stacks cost several KiB, and most of 100,000 users
are waiting), and a user that wakes up does not pay for a new one: creating a greenlet maps a
fresh page of Python data stack and killing it unwinds through C++, two syscalls and two page
faults per task of a paced user.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import greenlet
from greenlet import getcurrent

from horde.concurrency import cooperative

T = TypeVar("T")

# Idle greenlets kept per thread. Beyond this many, a returned greenlet is dropped: this many is
# only needed after a burst in which this many users ran sync code at the same moment.
POOL_LIMIT = 256


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

    driver: asyncio.Future[Any] | None = None
    """Set while the greenlet waits in gevent: its coroutine awaits this for the next message."""


_switch = greenlet.greenlet.switch


class _Pool(cooperative.original("threading", "local")):  # type: ignore[misc]  # gevent's is per greenlet
    def __init__(self) -> None:
        self.idle: list[BridgeGreenlet] = []


_pool = _Pool()


def _serve() -> None:
    """The life of a pooled greenlet: wait for a call, run it, hand back how it went."""
    # No local holds this greenlet itself: that cycle would keep a greenlet the full pool drops
    # alive (parked, with its stacks) until a full garbage collection.
    message: _Done | _Failed | None = None  # started empty: a first call's arguments would
    while True:  # stay referenced by this frame for as long as the greenlet lives
        fn, args = handoff(getcurrent(), message)
        try:
            message = _Done(fn(*args))
        except BaseException as error:  # handed to the coroutine side, which re-raises it
            message = _Failed(error)
        # While idle in the pool this frame holds only ``message``, which the caller empties.
        fn = args = None


async def call_sync(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn(*args)`` in a pooled greenlet, awaiting on the loop whatever it waits for."""
    idle = _pool.idle
    if idle:
        glet = idle.pop()
        caller = greenlet.getcurrent()
        if glet.parent is not caller:  # a loop run inside another greenlet: come back to it
            glet.parent = caller
    else:
        glet = BridgeGreenlet(_serve)
        glet.switch()
    message = glet.switch(fn, args)
    while True:
        kind = type(message)
        if kind is tuple:  # ``()``: the greenlet switched to gevent's hub to wait there
            driver = glet.driver = asyncio.get_running_loop().create_future()
            try:
                message = await driver
            except BaseException as cancelled:  # this coroutine cancelled: the greenlet is told
                glet.driver = None
                message = glet.throw(cancelled)
            continue
        if kind is _Done:
            value = message.value
            message.value = None
            _give_back(glet, idle)
            return value
        if kind is _Failed:
            error = message.error
            message.error = None
            _give_back(glet, idle)
            raise error
        try:
            value = await message
        except BaseException as error:
            message = glet.throw(error)
        else:
            message = glet.switch(value)
            value = None  # not kept alive by this frame while the user sleeps (memory per user)


def handoff(glet: BridgeGreenlet, message: Any) -> Any:
    """From ``glet``: hand ``message`` to the coroutine running it, and return its answer."""
    driver = glet.driver
    parent = glet.parent
    if driver is not None:
        glet.driver = None  # resumed by gevent: the coroutine awaits the driver, not a switch
    # Not kept across the switch: a parked greenlet referring to itself would wait for the cycle
    # collector to be freed, and the pool's overflow must go at once.
    del glet
    if driver is None:  # the plain greenlet switch: gevent's hub, the parent here, overrides it
        return _switch(parent, message)
    driver.set_result(message)
    return parent.switch()  # back to the hub; the coroutine switches in with the answer


def _give_back(glet: BridgeGreenlet, idle: list[BridgeGreenlet]) -> None:
    if len(idle) < POOL_LIMIT:
        glet.gr_context = None  # context variables set by one user's code do not reach the next
        idle.append(glet)


def idle_greenlets() -> int:
    """How many greenlets this thread's pool holds (for tests and memory checks)."""
    return len(_pool.idle)


def in_sync_context() -> bool:
    """True when called from user sync code running inside :func:`call_sync`."""
    return type(greenlet.getcurrent()) is BridgeGreenlet


def await_(awaitable: Awaitable[T]) -> T:
    """Wait for ``awaitable`` on the event loop from sync user code, and return its result."""
    current = greenlet.getcurrent()
    if type(current) is not BridgeGreenlet:
        raise RuntimeError(
            "blocking call outside a Horde user: sync client calls work inside plain-def tasks; "
            "in async code, await the call instead"
        )
    return handoff(current, awaitable)


def sync_or_async(awaitable: Awaitable[T]) -> Any:
    """The dual face used by clients: block in sync user code, return the awaitable otherwise."""
    current = greenlet.getcurrent()
    if type(current) is BridgeGreenlet:
        return handoff(current, awaitable)
    return outside_bridge(awaitable)


def outside_bridge(awaitable: Awaitable[T]) -> Any:
    """A client call from outside a bridge greenlet: async code (on the loop's greenlet, or with no
    gevent at all) gets the awaitable; a greenlet of gevent's (``gevent.spawn``, a script's main
    greenlet) waits for it in gevent."""
    hub = cooperative.hub_type
    if hub is None or isinstance(greenlet.getcurrent(), hub):
        return awaitable
    try:
        return cooperative.wait_in_gevent(awaitable)
    except asyncio.CancelledError:  # its session closed under it (the user stopped): as Locust's
        raise greenlet.GreenletExit from None  # killed greenlets end, without a traceback
