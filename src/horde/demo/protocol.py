"""HTTP/1.1 keep-alive serving for the demo shop: one ``asyncio.Protocol`` per connection.

Requests are parsed by httptools (llhttp). Replies leave in request order even when one of them is
delayed (``/slow``) and the client pipelines more requests behind it: each request takes a slot in
a queue, and the queue is flushed from the front whenever a slot becomes ready.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from http import HTTPStatus
from typing import cast

import httptools

from horde.demo.messages import Reply, Request, error_reply

MAX_BODY_BYTES = 1 << 20
# Stop reading from a client that queues this many unanswered requests; resume once it drains.
_PAUSE_AT = 64
_RESUME_AT = 8


def _status_line(status: int) -> bytes:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return f"HTTP/1.1 {status} {phrase}\r\n".encode("ascii")


_STATUS_LINES: dict[int, bytes] = {}


def encode_reply(reply: Reply, keep_alive: bool) -> bytes:
    """The reply as bytes on the wire: status line, three headers, body, written in one go."""
    line = _STATUS_LINES.get(reply.status)
    if line is None:
        line = _STATUS_LINES[reply.status] = _status_line(reply.status)
    connection = b"" if keep_alive else b"Connection: close\r\n"
    head = b"Content-Type: %s\r\nContent-Length: %d\r\n%s\r\n" % (
        reply.content_type.encode("ascii"),
        len(reply.body),
        connection,
    )
    return line + head + reply.body


class _Slot:
    """A reply position in a connection's queue; ``data`` is None until the reply is ready."""

    __slots__ = ("close", "data", "timer")

    def __init__(self, close: bool) -> None:
        self.close = close
        self.data: bytes | None = None
        self.timer: asyncio.TimerHandle | None = None


class DemoProtocol(asyncio.Protocol):
    """Parses requests off one connection, hands them to ``handle`` and writes replies in order."""

    def __init__(self, handle: Callable[[Request], Reply], connections: set[DemoProtocol]) -> None:
        self._handle = handle
        self._connections = connections
        self._parser = httptools.HttpRequestParser(self)
        self._transport: asyncio.Transport | None = None
        self._slots: deque[_Slot] = deque()
        self._reading_paused = False
        self._writing_paused = False
        self._closing = False
        self._reset_message()

    # -- asyncio callbacks ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here.
        self._transport = cast(asyncio.Transport, transport)
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._closing = True
        for slot in self._slots:
            if slot.timer is not None:
                slot.timer.cancel()
        self._slots.clear()
        self._transport = None

    def data_received(self, data: bytes) -> None:
        if self._closing:
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(400, "protocol upgrades are not supported")
        except httptools.HttpParserError:
            self._fail(400, "malformed request")

    def pause_writing(self) -> None:
        self._writing_paused = True
        self._update_reading()

    def resume_writing(self) -> None:
        self._writing_paused = False
        self._update_reading()

    # -- httptools callbacks -------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._reset_message()

    def on_url(self, url: bytes) -> None:
        self._url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        if self._closing:
            return
        self._body_size += len(body)
        if self._body_size > MAX_BODY_BYTES:
            self._fail(413, "request body too large")
            return
        self._body.append(body)

    def on_message_complete(self) -> None:
        if self._closing:
            return
        parsed = httptools.parse_url(self._url)
        request = Request(
            method=self._parser.get_method().decode("ascii"),
            path=parsed.path.decode("latin-1") if parsed.path else "/",
            query=parsed.query.decode("latin-1") if parsed.query else "",
            headers=self._headers,
            body=b"".join(self._body),
        )
        self._respond(self._handle(request), keep_alive=self._parser.should_keep_alive())

    # -- replies -------------------------------------------------------------------------------

    def _reset_message(self) -> None:
        self._url = b""
        self._headers: dict[str, str] = {}
        self._body: list[bytes] = []
        self._body_size = 0

    def _respond(self, reply: Reply, keep_alive: bool) -> None:
        slot = _Slot(close=not keep_alive)
        self._slots.append(slot)
        if reply.delay > 0:
            loop = asyncio.get_running_loop()
            slot.timer = loop.call_later(reply.delay, self._complete, slot, reply)
        else:
            self._complete(slot, reply)
        self._update_reading()

    def _complete(self, slot: _Slot, reply: Reply) -> None:
        slot.timer = None
        slot.data = encode_reply(reply, keep_alive=not slot.close)
        self._flush()

    def _flush(self) -> None:
        transport = self._transport
        while self._slots and self._slots[0].data is not None and transport is not None:
            slot = self._slots.popleft()
            assert slot.data is not None
            transport.write(slot.data)
            if slot.close:
                self._close()
                return
        self._update_reading()

    def _fail(self, status: int, message: str) -> None:
        """Answer a request the parser rejected, then close: the stream is no longer in sync."""
        if self._closing:
            return
        self._closing = True
        self._slots.append(_Slot(close=True))
        self._complete(self._slots[-1], error_reply(status, message))

    def _close(self) -> None:
        self._closing = True
        if self._transport is not None:
            self._transport.close()

    def _update_reading(self) -> None:
        """Pause reading while the client is not reading our replies or has too many queued."""
        transport = self._transport
        if transport is None or self._closing:
            return
        queued = len(self._slots)
        if not self._reading_paused and (self._writing_paused or queued >= _PAUSE_AT):
            self._reading_paused = True
            transport.pause_reading()
        elif self._reading_paused and not self._writing_paused and queued <= _RESUME_AT:
            self._reading_paused = False
            transport.resume_reading()

    def abort(self) -> None:
        """Drop the connection now (server shutdown): pending delayed replies are not sent."""
        if self._transport is not None:
            self._transport.close()
