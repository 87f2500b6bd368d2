"""One kept-alive HTTP/1.1 connection: an ``asyncio.Protocol`` fed into httptools' llhttp parser.

Per request there is exactly one future, resolved when the parser reports the message complete;
no task, no ``wait_for``, no per-request timer (see :mod:`horde.http.deadlines`). llhttp frames
and validates the response; the connection asks it for no header callbacks (one Python call per
header field) and keeps the head's bytes instead, which :class:`RawResponse` takes apart only if
someone looks. The Python work per response is a handful of short calls.
"""

from __future__ import annotations

import asyncio
import contextlib
from math import inf
from typing import TYPE_CHECKING, Final

import httptools
from mypy_extensions import i64

from horde.http.deadlines import Deadlines
from horde.http.decoding import Inflater, decode_body, streamed_coding
from horde.http.errors import ConnectionDropped, ProtocolError, ReadTimeout, RequestError, ResponseTooLarge
from horde.http.exchange import RawResponse, head_fields
from horde.http.limits import LIMITS, head_problem, size_text
from horde.http.urls import Origin
from horde.stats.phases import PhaseTimings

if TYPE_CHECKING:
    from horde.http.pool import PoolSlot

_LARGE_BODY: Final = 64 * 1024  # above this, write the body separately instead of copying it into the head
_LARGE_READ: Final = 64 * 1024
"""A read this large pauses the connection's reading until the loop's next turn. libuv (uvloop)
reads a ready socket up to 32 times per turn, 8 MiB at 256 KiB a read: a large body, wanted or
hostile, would otherwise keep every other user's responses waiting for milliseconds."""
_FREED_PER_TURN: Final = 16  # a large body's pieces (up to a read, 256 KiB, each) freed per turn
_COMPILED: Final = not __file__.endswith(".py")  # see hatch_build.py
# Bound Final: compiled code (hatch_build.py) reads a Final as a C static; any other module-level
# name is looked up in the module's dict at every use. A call through the class's function skips
# looking the method up on the object (a type lookup per call, for the parser's methods and these
# bytes methods).
_LIMITS: Final = LIMITS
_feed_data: Final = httptools.HttpResponseParser.feed_data
_status_code: Final = httptools.HttpResponseParser.get_status_code
_keeps_alive: Final = httptools.HttpResponseParser.should_keep_alive
_find: Final = bytes.find
_lower: Final = bytes.lower
_partition: Final = bytes.partition


class Connection(asyncio.Protocol):
    """Protocol instance for one TCP (or TLS) connection; serves one request at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop, origin: Origin, deadlines: Deadlines) -> None:
        self.loop = loop
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.keep_alive = True
        self.uses = 0
        """Completed exchanges; 0 means the next request is the first on this connection."""
        self.pool_slot: PoolSlot | None = None
        """The pool's record of this connection's origin while the pool holds it (see pool.py)."""
        self.connect_ms: float | None = None
        self.tls_ms: float | None = None
        self._deadlines = deadlines
        self._clock = deadlines.clock  # perf_counter, but for tests
        self.deadline = inf
        """When the request in flight times out, on the clock; inf when none does (see Deadlines)."""
        self._watched = False  # in deadlines.watched
        self._read_timeout = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._fresh_parser_needed = False
        self._waiter: asyncio.Future[RawResponse] | None = None
        self._is_head = False
        self._status = 0
        # The response being read; an idle connection (one per waiting user) holds none of it.
        self._raw = b""  # what has arrived of the head, until the parser says it is complete
        # A head split over reads: the reads, and their size (joined once, not copied at each read).
        self._raw_parts: list[bytes] | None = None
        self._raw_size = 0
        self._head = b""  # the head: status line and header lines, without the blank line
        self._acted_on = False  # the head has a Set-Cookie or a Content-Encoding field
        # A list while a response is read. None in between: body bytes parsed then (a server that
        # sent more than it was asked for) drop the connection (see on_body).
        self._chunks: list[bytes] | None = None
        self._body_size = 0  # bytes of body received (before decoding), against the body limit
        self._inflater: Inflater | None = None  # a gzip/deflate body decoded as it arrives
        self._refused: RequestError | None = None  # why a callback stopped the parser (a limit)
        # perf_counter() readings: the request written, its first bytes read, its head complete,
        # and the latest read (the time of the read that completes a response is when it completed).
        self._sent_at = 0.0
        self._first_byte = 0.0
        self._headers_done = 0.0
        self._read_at = 0.0

    # -- used by the engine -------------------------------------------------------------------

    def exchange(
        self, head: bytes, body: bytes | None, is_head: bool, timeout: float | None
    ) -> asyncio.Future[RawResponse]:
        """Write one request and return the future of its response."""
        if self._fresh_parser_needed:
            # llhttp cannot be told that a response answers HEAD, so after one we start over.
            self._parser = httptools.HttpResponseParser(self)
            self._fresh_parser_needed = False
        waiter = self._waiter = self.loop.create_future()
        self._is_head = is_head
        self._status = 0  # (the head was emptied when the last exchange ended)
        self._chunks = []
        self._body_size = 0
        self._first_byte = 0.0
        self._headers_done = 0.0
        transport = self.transport
        assert transport is not None
        now = self._sent_at = self._clock()
        if body is None:
            transport.write(head)
        elif len(body) < _LARGE_BODY:
            transport.write(head + body)
        else:
            transport.write(head)
            transport.write(body)
        if timeout is not None:
            self._read_timeout = timeout
            deadline = self.deadline = now + timeout
            deadlines = self._deadlines
            if not self._watched:
                deadlines.watch(self)
                self._watched = True
            if deadline < deadlines.armed_at:
                deadlines.arm(deadline)
        return waiter

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        """Close now. A request still waiting here is cancelled, not failed: it was not the
        server that ended it (its session closed: its user stopped), so it is not a failure."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            self._waiter = None
            waiter.cancel()
        self.closed = True
        self._unwatch()
        if self.transport is not None:
            # RuntimeError: its event loop is already closed, so there is nothing left to tell.
            with contextlib.suppress(RuntimeError):
                self.transport.abort()

    def expire(self) -> None:
        """Called by :class:`Deadlines` when the response did not complete in time."""
        self._fail(ReadTimeout(f"no complete response within {self._read_timeout:g} s"))
        self.abort()

    def _unwatch(self) -> None:
        if self._watched:  # the deadlines are shared by every pool: leave nothing closed behind
            self._deadlines.forget(self)
            self._watched = False

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:
            # Bytes nobody asked for: the stream is out of sync, the connection is unusable.
            self.abort()
            return
        # One clock reading per read: the head's and the response's ends are the time of the read
        # that brought them (parsing a read takes microseconds, and one fewer call per request).
        now = self._read_at = self._clock()
        if not self._first_byte:
            self._first_byte = now
            self._raw = data
        elif not self._headers_done:  # a head split over reads, or the rest after an interim response
            parts = self._raw_parts
            if parts is None:
                parts = self._raw_parts = [self._raw]
                self._raw_size = len(self._raw)
            parts.append(data)
            self._raw_size += len(data)
        try:
            _feed_data(self._parser, data)
        except httptools.HttpParserError as error:
            refused = self._refused  # a limit, or a body that cannot be decoded, stopped the parser
            self._refused = None
            self._fail(refused if refused is not None else ProtocolError(f"invalid HTTP response: {error}"))
            self.abort()
            return
        if not self._headers_done and self._waiter is not None and self._head_so_far() > _LIMITS.head:
            self._fail(ResponseTooLarge(f"response head over {size_text(_LIMITS.head)}"))
            self.abort()
        elif len(data) >= _LARGE_READ and self._waiter is not None:
            transport = self.transport
            assert transport is not None
            transport.pause_reading()
            self.loop.call_soon(self._resume_reading)

    def _resume_reading(self) -> None:
        if not self.closed:
            transport = self.transport
            assert transport is not None
            transport.resume_reading()

    def _head_so_far(self) -> int:
        return self._raw_size if self._raw_parts is not None else len(self._raw)

    def eof_received(self) -> bool | None:
        return None  # let the transport close; connection_lost settles a pending request

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._unwatch()
        if self._waiter is None or self._waiter.done():
            return
        if self._headers_done and self._status and _body_runs_to_eof(head_fields(self._head)):
            self.keep_alive = False
            self._read_at = self._clock()  # the body ended with the connection
            self._complete()
        elif not self._first_byte:
            reason = f": {exc}" if exc else ""
            error = ConnectionDropped(f"server closed the connection without sending a response{reason}")
            self._fail(error, cause=exc)
        else:
            self._fail(ProtocolError("connection closed before the response was complete"), cause=exc)

    # -- httptools callbacks ------------------------------------------------------------------

    # No on_status and no on_header: httptools then sets no callback for them at all.

    def on_headers_complete(self) -> None:
        if self._waiter is None:
            # The read that completed the last response carried another one: nobody asked for it.
            raise ProtocolError("a response to no request")
        self._headers_done = self._read_at
        self._status = _status_code(self._parser)
        raw = self._raw
        if self._raw_parts is not None:
            raw = b"".join(self._raw_parts)
            self._raw_parts = None
        first = raw[0]
        if first == 13 or first == 10:  # CR, LF
            raw = raw.lstrip(b"\r\n")  # llhttp skips empty lines before the status line
        # Where the head ends (llhttp accepts CRLF line ends only), and whether it has one of the
        # two fields a response is acted on for.
        if _COMPILED:
            end, self._acted_on = _scan_head(raw)
        else:  # interpreted, the loop of _scan_head costs 20 times as much as C's searches
            end = _find(raw, b"\r\n\r\n")
            self._acted_on = _search_names(raw[:end])
        head = self._head = raw[:end]
        self._raw = raw[end + 4 :] if self._status < 200 else b""  # an interim head is followed
        if len(head) >= _LIMITS.cheap_head:
            problem = head_problem(head, _LIMITS)
            if problem is not None:
                raise self._refuse(ResponseTooLarge(problem))
        if self._acted_on and self._status >= 200 and not self._is_head:
            # One gzip or deflate coding is decoded read by read (the others once complete).
            codings = [value for name, value in head_fields(head) if name.lower() == b"content-encoding"]
            coding = streamed_coding(codings[0]) if len(codings) == 1 else None
            self._inflater = Inflater(coding, _LIMITS) if coding is not None else None
        if self._is_head and self._status >= 200:
            self.keep_alive = _keeps_alive(self._parser)
            self._fresh_parser_needed = True
            self._complete()

    def on_body(self, chunk: bytes) -> None:
        chunks = self._chunks
        if chunks is None:  # the parser reports it, and data_received drops the connection
            raise ProtocolError("body bytes after the response was complete")
        size = self._body_size = self._body_size + len(chunk)
        if size > _LIMITS.body:
            raise self._refuse(ResponseTooLarge(f"body over {size_text(_LIMITS.body)}"))
        inflater = self._inflater
        if inflater is not None:
            try:
                chunk = inflater.feed(chunk)  # in bounded steps, read by read: never all at once
            except ProtocolError as error:
                raise self._refuse(error) from None
        chunks.append(chunk)

    def _refuse(self, error: RequestError) -> RequestError:
        """Remember why the parser is being stopped (data_received fails the request with it)."""
        self._refused = error
        return error

    def on_message_complete(self) -> None:
        if self._status < 200:
            # An interim response (100 Continue, 103 Early Hints): the real one follows.
            self._head = b""
            self._headers_done = 0.0
            self._chunks = []
            return
        if self._waiter is None:
            return  # HEAD response already delivered at the end of its headers
        self.keep_alive = _keeps_alive(self._parser)
        self._complete()

    # -- settling the request -----------------------------------------------------------------

    def _complete(self) -> None:
        waiter = self._waiter
        self._waiter = None
        # Hand the response's pieces over and forget them: an idle connection (one per sleeping
        # user) should not keep the last response alive.
        head, chunks, inflater = self._head, self._chunks, self._inflater
        self._head, self._chunks, self._inflater = b"", None, None
        self.deadline = inf
        if waiter is None:
            return
        assert chunks is not None  # exchange() set it with the waiter
        completed = self._read_at
        set_cookies: list[bytes] | None = None
        if self._acted_on:
            decoded = inflater is not None
            try:
                if inflater is not None:
                    chunks.append(inflater.finish())
                body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
                for name, value in head_fields(head):
                    field = name.lower()
                    if field == b"set-cookie":
                        set_cookies = [value] if set_cookies is None else [*set_cookies, value]
                    elif field == b"content-encoding" and body and inflater is None:
                        body = decode_body(body, value, _LIMITS)
                        decoded = True
            except ProtocolError as error:
                if not waiter.done():
                    waiter.set_exception(error)
                return
            if decoded:
                completed = self._clock()  # decoding is part of the response time, as in Locust
        else:
            body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        first_use = not self.uses
        self.uses += 1
        ttfb = (self._first_byte - self._sent_at) * 1000.0
        if first_use:
            timings = PhaseTimings(self.connect_ms, self.tls_ms, ttfb)
        else:
            timings = PhaseTimings(None, None, ttfb)
        raw = RawResponse(self._status, head, body, timings, self._headers_done, completed, set_cookies)
        if len(chunks) > _FREED_PER_TURN:
            self.loop.call_soon(_free_gradually, self.loop, chunks)
        # Cancelled (its request's task was) before this read was handled: caught rather than
        # asking waiter.done() first, as it almost never is (and not contextlib.suppress: a context
        # manager per request).
        try:  # noqa: SIM105
            waiter.set_result(raw)
        except asyncio.InvalidStateError:
            pass
        if not self.keep_alive:
            self.close()

    def _fail(self, error: RequestError, cause: BaseException | None = None) -> None:
        waiter = self._waiter
        self._waiter = None
        chunks = self._chunks
        if chunks is not None and len(chunks) > _FREED_PER_TURN:
            self.loop.call_soon(_free_gradually, self.loop, chunks)
        self._raw, self._head, self._chunks, self._inflater = b"", b"", None, None
        self._raw_parts = None
        self.deadline = inf
        if cause is not None:
            error.__cause__ = cause
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)


def _free_gradually(loop: asyncio.AbstractEventLoop, chunks: list[bytes]) -> None:
    """Drop a large body's reads a few at a time, the last first: glibc hands freed memory at the
    top of its heap back to the kernel as it goes, and 64 MiB at once would hold the loop ~7 ms."""
    del chunks[-_FREED_PER_TURN:]
    if chunks:
        loop.call_soon(_free_gradually, loop, chunks)


def _scan_head(raw: bytes) -> tuple[i64, bool]:
    """Where the head that ``raw`` starts with ends (its blank line's CR), and whether it has a
    Set-Cookie or a Content-Encoding field (in any case, as field names are), in one pass for
    compiled code.

    llhttp ends every line with CRLF (a lone CR or LF is an error) and allows no space before the
    colon, so a step of two lands on one byte of each line end, and a line names one of the two
    only if its dash and its colon sit where theirs do: only such a line is compared in full.
    Compiled, this costs less than a third of bytes.find for the blank line and _search_names.
    """
    n: i64 = len(raw)
    acted_on = False
    i: i64 = 1
    while i < n:
        byte = raw[i]
        if byte == 10 or byte == 13:
            line_end: i64 = i - 1 if byte == 10 else i  # the CR of this CRLF
            start = line_end + 2
            if start < n and raw[start] == 13:  # an empty line: the head ends
                return line_end, acted_on
            if not acted_on:
                acted_on = _line_acted_on(raw, start, n)
        i += 2
    return n, acted_on  # not reached: llhttp has seen the blank line in raw


def _search_names(head: bytes) -> bool:
    """Whether ``head`` has a Set-Cookie or a Content-Encoding field, with two C searches in the
    lowered head, for interpreted code.

    Every header line follows a line feed and llhttp allows no space before the colon, so this
    finds them exactly. (partition takes one argument, a cheaper call than find; "in" first tries
    a bytes operand as an int.)
    """
    lower = _lower(head)
    return bool(_partition(lower, b"\nset-cookie:")[1] or _partition(lower, b"\ncontent-encoding:")[1])


def _line_acted_on(head: bytes, start: i64, n: i64) -> bool:
    if start + 10 < n and head[start + 3] == 45 and head[start + 10] == 58:  # "-", ":"
        return _lower(head[start : start + 11]) == b"set-cookie:"
    if start + 16 < n and head[start + 7] == 45 and head[start + 16] == 58:
        return _lower(head[start : start + 17]) == b"content-encoding:"
    return False


def _body_runs_to_eof(headers: list[tuple[bytes, bytes]]) -> bool:
    """A response without Content-Length or chunked framing ends when the server closes."""
    for name, value in headers:
        lower = name.lower()
        if lower == b"content-length" or (lower == b"transfer-encoding" and b"chunked" in value.lower()):
            return False
    return True
