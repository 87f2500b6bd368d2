"""The web UI's live data: server-sent events to every open browser, pushed on the runner's ticks
(``GET /api/v1/stream``), so that no page polls."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from aiohttp import web

from horde.runtime.ticker import Tick

TABLE_EVERY = 2
"""The statistics table goes out every this many pushes (ticks of the runner, one a second):
with 10,000 names it is the big one."""

TABLE_CPU_SHARE = 0.05
"""At most this share of one core goes to building the table for the stream (~100 ms per build
with 10,000 names, so then every 2 s; slower builds are sent less often)."""

STREAM_BACKLOG = 64
"""Messages a slow browser may fall behind before its stream is dropped (it reconnects)."""


class LiveStream:
    """``tick`` (the state and the newest history point) on every tick, ``stats`` (the whole
    table) every ``TABLE_EVERY`` ticks, or less often when building it is expensive, so that it
    never takes more than ``TABLE_CPU_SHARE`` of the process from the load it generates. A new
    stream gets one of each at once."""

    def __init__(self, tick: Callable[[], dict[str, Any]], table: Callable[[], dict[str, Any]]) -> None:
        self.tick = tick
        self.table = table
        self._subscribers: set[asyncio.Queue[bytes | None]] = set()
        self._pushes = 0
        self._next_table = TABLE_EVERY

    def push(self, tick: Tick) -> None:
        """A sink of the runner's ticker."""
        self._pushes += 1
        if not self._subscribers:
            return
        messages = [event("tick", self.tick())]
        if self._pushes >= self._next_table:
            started = time.process_time()
            messages.append(event("stats", self.table()))
            cost = time.process_time() - started
            self._next_table = self._pushes + max(TABLE_EVERY, math.ceil(cost / TABLE_CPU_SHARE))
        for queue in list(self._subscribers):
            offer(queue, messages)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue = None
        try:
            await response.write(event("tick", self.tick()))
            await response.write(event("stats", self.table()))
            queue = self.subscribe()
            while (message := await queue.get()) is not None:
                await response.write(message)
        except ConnectionResetError:
            pass  # the browser went away
        finally:
            if queue is not None:
                self._subscribers.discard(queue)
        return response

    def subscribe(self) -> asyncio.Queue[bytes | None]:
        """A queue that gets what the open streams get (``None`` once the stream ends)."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=STREAM_BACKLOG)
        self._subscribers.add(queue)
        return queue

    def close(self) -> None:
        """End every open stream's response, after what it has queued."""
        for queue in list(self._subscribers):
            offer(queue, [None])


def offer(queue: asyncio.Queue[bytes | None], messages: Sequence[bytes | None]) -> None:
    """Queue messages for one stream; a browser too far behind is cut off (it reconnects)."""
    try:
        for message in messages:
            queue.put_nowait(message)
    except asyncio.QueueFull:
        _cut(queue)


def _cut(queue: asyncio.Queue[bytes | None]) -> None:
    """End a stream now: what it has not sent yet is dropped."""
    while not queue.empty():
        queue.get_nowait()
    queue.put_nowait(None)


def event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


def dumps(value: Any) -> str:
    # orjson writes NaN and infinities as null, where json would write invalid JSON.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()
