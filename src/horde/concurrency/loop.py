"""The event loop: uvloop when available, plain asyncio otherwise."""

from __future__ import annotations

import asyncio
import contextvars

NO_CONTEXT = contextvars.Context()
"""An empty context for the runtime's own callbacks (a user's wake-up timer, its done-callback):
passing it saves a copy of the current context per call, kept alive by each of 100,000 users."""


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (every platform but Windows), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()
