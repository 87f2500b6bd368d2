"""Blocking code that cooperates, as under Locust: gevent's monkey patching on Horde's own loop.

Locust users call ``time.sleep``, ``requests`` and sockets from their tasks, and spawn greenlets:
Locust patches the standard library with gevent when it is imported, so each of those yields to
the other users. Horde does the same (:func:`patch`, called first thing by the ``horde`` command
and by ``import locust``), with one difference that keeps its speed: gevent's hub does not bring
an event loop of its own but runs Horde's asyncio loop (:mod:`horde.concurrency.gevent_loop`). A
greenlet waiting in gevent and a user waiting in asyncio wait in the same poll.

This module imports nothing heavy, so that the patching happens before ``ssl``, ``socket`` and
``threading`` are imported by anything else.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

LOOP = "horde.concurrency.gevent_loop.AsyncioLoop"
OFF_VARIABLE = "HORDE_NO_GEVENT"
"""Set to 1 to leave the standard library unpatched, for a library that breaks under gevent's
patching: a blocking call then stops every user. It is not faster (bench/README.md measures it)."""

_patched = False
hub_type: type | None = None
"""gevent's hub class once patched: the greenlet that runs the event loop, hence async code."""


class GeventHubConflict(RuntimeError):
    """gevent's hub was made with another loop before Horde could give it its own."""


def patch() -> bool:
    """Patch the standard library with gevent on Horde's loop, once; False when switched off."""
    global _patched, hub_type
    if _patched:
        return True
    if os.environ.get(OFF_VARIABLE, "") not in ("", "0"):
        return False
    import gevent
    from gevent import monkey

    hub = gevent.get_hub() if _hub_exists() else None
    if hub is not None and type(hub.loop).__name__ != "AsyncioLoop":
        raise GeventHubConflict(
            "gevent's hub already runs its own loop; import locust (or horde) before using gevent"
        )
    gevent.config.loop = LOOP
    # uvloop asks once which thread is the main one (for signal handlers) and caches the answer:
    # it must ask before gevent makes threading.main_thread().ident a greenlet's id.
    from horde.concurrency.loop import new_event_loop

    new_event_loop().close()
    if not monkey.is_module_patched("socket"):
        monkey.patch_all()
    from gevent._hub_local import get_hub_class

    hub_type = get_hub_class()
    _patched = True
    return True


def patched() -> bool:
    return _patched


def event_loop() -> Any:
    """The loop Horde's work goes on: the running one; outside it under gevent (a script's main
    greenlet driving a runner, as Locust's library examples do), the one gevent's hub runs."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        if not _patched:
            raise
    import gevent

    return gevent.get_hub().loop.aio


def original(module: str, name: str) -> Any:
    """``module.name`` as the interpreter has it, before gevent's patching (for real threads)."""
    from gevent.monkey import get_original  # the module's own attribute when it is not patched

    return get_original(module, name)


_ABANDONED: list[Any] = []
"""Hubs a forked child inherited and must never touch again (see forked_child)."""


def forked_child() -> None:
    """Make a process forked after patching (``--processes``) a home of its own for a loop.

    The hub it inherited runs a uvloop loop whose epoll instance the parent shares: a fd
    registered here would wake the parent's loop with events it does not know (libuv aborts). So
    the child leaves that hub alone for good (not even closed: closing unregisters the parent's fds
    too) and gets a new one at first use. And threading's main thread gives the real thread id
    again: patched, it gives a greenlet's, and uvloop, which asks it again after a fork, would
    refuse the signal handlers a worker sets."""
    if not _patched:
        return
    import threading

    from gevent._hub_local import get_hub_if_exists, set_hub

    threading.main_thread()._ident = original("_thread", "get_ident")()  # type: ignore[attr-defined]
    inherited = get_hub_if_exists()
    if inherited is not None:
        _ABANDONED.append(inherited)
        set_hub(None)


def _hub_exists() -> bool:
    hub_local = sys.modules.get("gevent._hub_local")
    return hub_local is not None and hub_local.get_hub_if_exists() is not None


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on Horde's loop: under gevent's hub when patched, else a new loop."""
    if not _patched:
        from horde.concurrency.loop import new_event_loop

        loop = new_event_loop()
        try:
            return loop.run_until_complete(main)
        finally:
            loop.close()
    return wait_in_gevent(main)


def wait_in_gevent(awaitable: Awaitable[T]) -> T:
    """From a greenlet other than the hub (a script's main greenlet, one of ``gevent.spawn``): run
    ``awaitable`` on the loop gevent's hub runs, and wait for it there."""
    import asyncio

    from gevent.hub import Waiter, get_hub

    hub = get_hub()
    loop = hub.loop
    future = asyncio.ensure_future(awaitable, loop=loop.aio)
    waiter = Waiter(hub)
    loop.hold()  # gevent does not see the future: its loop must not end before it
    future.add_done_callback(waiter.switch)
    try:
        waiter.get()
    except BaseException:
        future.remove_done_callback(waiter.switch)
        future.cancel()
        raise
    finally:
        loop.release()
    return future.result()
