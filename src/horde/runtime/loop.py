"""The event loop: uvloop when available, plain asyncio otherwise."""

from __future__ import annotations

import asyncio

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a dependency on every platform but Windows
    uvloop = None


def new_event_loop() -> asyncio.AbstractEventLoop:
    if uvloop is not None:
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()
