"""The Connection protocol fed with bytes by hand: no sockets, no event loop running."""

from __future__ import annotations

import asyncio
import gzip
import random
from collections.abc import Iterator
from math import inf
from typing import Any

import pytest

from horde.http.connection import Connection, ConnectionDropped, _scan_head, _search_names
from horde.http.deadlines import Deadlines, shared_deadlines
from horde.http.errors import ProtocolError, ReadTimeout
from horde.http.exchange import head_fields
from horde.http.urls import Origin


def pending(deadlines: Deadlines) -> int:
    """How many watched owners have a deadline."""
    return sum(1 for owner in deadlines.watched if owner.deadline != inf)


class FakeTransport:
    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.closed or self.aborted


class ManualLoop:
    """Just enough of a loop for Deadlines: a clock we move and timers we fire by hand."""

    def __init__(self) -> None:
        self.now = 100.0
        self.timers: list[tuple[float, Any]] = []

    def time(self) -> float:
        return self.now

    def call_later(self, delay: float, callback: Any) -> Any:
        entry = (self.now + delay, callback)
        self.timers.append(entry)

        class Handle:
            def cancel(_self) -> None:
                if entry in self.timers:
                    self.timers.remove(entry)

        return Handle()

    def fire_due(self) -> None:
        for when, callback in sorted(self.timers, key=lambda timer: timer[0]):
            if when <= self.now:
                self.timers.remove((when, callback))
                callback()


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def manual() -> ManualLoop:
    return ManualLoop()


def connect(loop: asyncio.AbstractEventLoop, manual: ManualLoop) -> tuple[Connection, FakeTransport]:
    conn = Connection(loop, Origin("http", "h", 80), Deadlines(manual, manual.time))  # type: ignore[arg-type]
    transport = FakeTransport()
    conn.connection_made(transport)  # type: ignore[arg-type]
    return conn, transport


def test_one_write_per_request_and_split_response(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", b"body", False, None)
    assert transport.written == [b"GET / HTTP/1.1\r\n\r\nbody"]
    for piece in (
        b"HTTP/1.1 201 Cre",
        b"ated\r\nContent-Le",
        b"ngth: 5\r\nSet-Cookie: a=1\r\n",
        b"\r\nhel",
        b"lo",
    ):
        assert not future.done()
        conn.data_received(piece)
    raw = future.result()
    assert (raw.status, raw.reason, raw.body) == (201, b"Created", b"hello")
    assert raw.headers == [(b"Content-Length", b"5"), (b"Set-Cookie", b"a=1")]
    assert raw.set_cookies == [b"a=1"]
    assert raw.timings.connect is None and raw.timings.ttfb >= 0  # connect_ms unset: not from the pool
    assert conn.keep_alive and not transport.closed and conn.uses == 1


def test_timestamps_are_those_of_the_reads(loop: Any, manual: ManualLoop) -> None:
    # The first byte, the end of the head and the end of the response each take the time of the
    # read that brought them, on the deadlines' clock.
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 30.0)
    for delay, piece in ((0.25, b"HTTP/1.1 200 OK\r\n"), (0.5, b"Content-Length: 2\r\n\r\no"), (1.0, b"k")):
        manual.now += delay
        conn.data_received(piece)
    raw = future.result()
    assert (raw.timings.ttfb, raw.headers_done, raw.completed) == (250.0, 100.75, 101.75)
    assert conn.deadline == inf


def test_interim_response_and_final_one_in_one_read(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"POST / HTTP/1.1\r\n\r\n", b"x", False, None)
    conn.data_received(
        b"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nno"
    )
    raw = future.result()
    assert (raw.status, raw.reason, raw.body) == (404, b"Not Found", b"no")
    assert raw.headers == [(b"Content-Length", b"2"), (b"X-Final", b"yes")]


def test_status_line_without_reason_and_lower_case_set_cookie(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200\r\nContent-Length: 4\r\nset-cookie: s=2\r\n\r\nbody")
    raw = future.result()
    assert (raw.status, raw.reason, raw.body) == (200, b"", b"body")
    assert raw.headers == [(b"Content-Length", b"4"), (b"set-cookie", b"s=2")]
    assert raw.set_cookies == [b"s=2"]
    assert raw.header(b"content-length") == b"4"


def test_header_fields_are_cut_from_the_head_as_llhttp_reports_them(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(
        b"HTTP/1.1 200 Very  Fine Thing\r\nA:  v  \r\nB:\t x\t\r\nC:\r\nD: a: b\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )
    raw = future.result()
    # llhttp drops the whitespace before a value and keeps the whitespace after it.
    assert raw.headers == [
        (b"A", b"v  "),
        (b"B", b"x\t"),
        (b"C", b""),
        (b"D", b"a: b"),
        (b"Content-Length", b"2"),
    ]
    assert raw.reason == b"Very  Fine Thing" and raw.header(b"d") == b"a: b"
    assert raw.set_cookies is None


def test_empty_lines_before_the_status_line_are_skipped(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"\r\n\r\nHTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 2\r\n\r\nok")
    raw = future.result()
    assert (raw.reason, raw.headers, raw.body) == (b"OK", [(b"X-A", b"1"), (b"Content-Length", b"2")], b"ok")


def test_head_split_at_its_blank_line_and_interim_response_split_over_reads(
    loop: Any, manual: ManualLoop
) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"POST / HTTP/1.1\r\n\r\n", b"x", False, None)
    for piece in (
        b"HTTP/1.1 100 Continue\r\n",
        b"\r\nHTTP/1.1 200 O",
        b"K\r\nContent-Length: 2\r\nX-B: 2\r\n",
        b"\r\n",
        b"ok",
    ):
        conn.data_received(piece)
    raw = future.result()
    assert (raw.status, raw.reason, raw.body) == (200, b"OK", b"ok")
    assert raw.headers == [(b"Content-Length", b"2"), (b"X-B", b"2")]


def test_set_cookie_and_content_encoding_in_any_case_and_repeated(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    payload = gzip.compress(gzip.compress(b"twice"))
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(
        b"HTTP/1.1 200 OK\r\nSET-COOKIE: a=1\r\nX-Note: set-cookie: no\r\ncontent-encoding: gzip\r\n"
        b"Set-Cookie: b=2\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)
    )
    raw = future.result()
    assert raw.set_cookies == [b"a=1", b"b=2"]
    assert raw.body == b"twice"


def test_no_set_cookie_when_only_a_value_mentions_one(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nX-Set-Cookie: a=1\r\nContent-Length: 0\r\n\r\n")
    assert future.result().set_cookies is None


def test_an_idle_connection_keeps_nothing_of_the_last_response(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello")
    assert future.result().body == b"hello"
    # One idle connection per sleeping user: holding its last response would cost memory per user.
    assert (conn._raw, conn._head, conn._chunks) == (b"", b"", None)  # not even empty lists


def test_bytes_after_a_complete_response_drop_the_connection(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    conn.data_received(answer + b"HTTP/1.1 200 OK\r\nX-Stray: 1\r\n\r\n")  # unasked-for extra
    assert future.result().body == b"ok"
    assert conn.closed and transport.aborted
    assert (conn._raw, conn._head, conn._chunks) == (b"", b"", None)


def test_connections_share_one_deadlines_and_abort_leaves_no_entry() -> None:
    async def scenario() -> tuple[bool, int, int]:
        loop = asyncio.get_running_loop()
        one = Connection(loop, Origin("http", "h", 80), shared_deadlines(loop))
        two = Connection(loop, Origin("http", "h", 80), shared_deadlines(loop))
        for conn in (one, two):
            conn.connection_made(FakeTransport())  # type: ignore[arg-type]
            conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 30.0)
        deadlines = shared_deadlines(loop)
        watched = len(deadlines.watched)
        one.abort()
        return one._deadlines is two._deadlines, watched, set(deadlines.watched) == {two}

    assert asyncio.run(scenario()) == (True, 2, True)


def test_large_body_is_written_separately(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    body = b"x" * 100_000
    conn.exchange(b"POST / HTTP/1.1\r\n\r\n", body, False, None)
    assert transport.written == [b"POST / HTTP/1.1\r\n\r\n", body]


def test_head_response_completes_at_end_of_headers_and_parser_restarts(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    head = conn.exchange(b"HEAD / HTTP/1.1\r\n\r\n", None, True, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
    assert head.result().body == b"" and head.result().status == 200
    get = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert get.result().body == b"ok"


def test_a_body_sent_with_a_head_response_drops_the_connection(loop: Any, manual: ManualLoop) -> None:
    # HEAD is answered at the end of the headers; body bytes after them break the framing.
    conn, transport = connect(loop, manual)
    head = conn.exchange(b"HEAD / HTTP/1.1\r\n\r\n", None, True, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    assert head.result().body == b"" and head.result().status == 200
    assert conn.closed and transport.aborted
    assert (conn._raw, conn._head, conn._chunks) == (b"", b"", None)


def test_gzip_body_is_decoded_and_connection_close_is_honoured(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    payload = gzip.compress(b"compressed!")
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s"
        % (len(payload), payload)
    )
    assert future.result().body == b"compressed!"
    assert not conn.keep_alive and transport.closed


def test_body_until_eof(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.0 200 OK\r\n\r\npart one, ")
    conn.data_received(b"part two")
    assert not future.done()
    conn.connection_lost(None)
    assert future.result().body == b"part one, part two"


def test_close_before_any_byte_is_a_dropped_connection(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.connection_lost(ConnectionResetError(104, "reset"))
    error = future.exception()
    assert isinstance(error, ConnectionDropped) and error.category == "connect"
    assert isinstance(error.__cause__, ConnectionResetError)


def test_close_mid_body_is_a_protocol_error(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
    conn.connection_lost(None)
    assert isinstance(future.exception(), ProtocolError)


def test_invalid_bytes_fail_the_request_and_abort(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"NOT HTTP AT ALL\r\n\r\n")
    assert isinstance(future.exception(), ProtocolError) and transport.aborted


def test_unsolicited_bytes_make_the_connection_unusable(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    conn.data_received(b"HTTP/1.1 200 OK\r\n\r\n")
    assert conn.closed and transport.aborted


def test_timeout_through_deadlines(loop: Any, manual: ManualLoop) -> None:
    conn, transport = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 2.0)
    manual.now += 1.0
    manual.fire_due()
    assert not future.done()
    manual.now += 1.5
    manual.fire_due()
    error = future.exception()
    assert isinstance(error, ReadTimeout) and error.category == "timeout" and "2 s" in str(error)
    assert transport.aborted


def test_completed_request_leaves_no_deadline(loop: Any, manual: ManualLoop) -> None:
    deadlines = Deadlines(manual, manual.time)  # type: ignore[arg-type]
    conn = Connection(loop, Origin("http", "h", 80), deadlines)
    conn.connection_made(FakeTransport())  # type: ignore[arg-type]
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 5.0)
    assert pending(deadlines) == 1
    conn.data_received(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert future.result().status == 204 and pending(deadlines) == 0


def test_a_response_to_a_cancelled_request_is_read_and_dropped(loop: Any, manual: ManualLoop) -> None:
    conn, _ = connect(loop, manual)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 5.0)
    future.cancel()  # its task was cancelled; the bytes were already on their way
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert future.cancelled() and conn.deadline == inf and conn._waiter is None
    assert not conn.closed and conn.keep_alive  # the stream is in step: the connection stays usable


def test_connection_lost_after_cancel_clears_the_deadline(loop: Any, manual: ManualLoop) -> None:
    deadlines = Deadlines(manual, manual.time)  # type: ignore[arg-type]
    conn = Connection(loop, Origin("http", "h", 80), deadlines)
    conn.connection_made(FakeTransport())  # type: ignore[arg-type]
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, 5.0)
    future.cancel()  # the request's task was cancelled; the engine aborts the connection
    conn.connection_lost(None)
    assert pending(deadlines) == 0 and not deadlines.watched


def test_both_ways_of_cutting_the_head_and_finding_its_fields_agree() -> None:
    # The compiled scan (line ends by a step of two) and the interpreted searches must find the
    # head's end and say what the parsed fields say, for names in any case, at any line and of any
    # length around theirs, whatever the body holds.
    rng = random.Random(7)
    names = [b"Set-Cookie", b"Content-Encoding", b"Content-Type", b"Content-Length", b"Content-Language",
             b"Set-Cookie2", b"X-Set-Cookie", b"Cookie", b"Date", b"Server", b"ETag", b"WWW-Authenticate",
             b"Transfer-Encoding", b"Sec-Cookie", b"A"]  # fmt: skip
    heads = [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK\r\nSet-Cookie:", b"HTTP/1.1 200 OK\r\nContent-Encoding:x"]
    for _ in range(3_000):
        lines = [b"HTTP/1.1 %d %s" % (rng.choice((200, 302, 404)), rng.choice((b"OK", b"", b"Found it")))]
        for _ in range(rng.randrange(0, 7)):
            name = bytes(c ^ 32 if chr(c).isalpha() and rng.random() < 0.3 else c for c in rng.choice(names))
            lines.append(name + b":" + rng.choice((b"", b" ", b" a=1", b" gzip", b"x" * rng.randrange(0, 9))))
        heads.append(b"\r\n".join(lines))
    bodies = [b"", b"\r\n", b"Set-Cookie: a=1\r\n\r\n", b"\nContent-Encoding:\r\n"]
    for head in heads:
        truth = any(name.lower() in (b"set-cookie", b"content-encoding") for name, _ in head_fields(head))
        raw = head + b"\r\n\r\n" + rng.choice(bodies)
        assert _scan_head(raw) == (len(head), truth) and _search_names(head) is truth, raw


def test_decoding_a_body_is_inside_its_response_time(loop: Any) -> None:
    readings = iter(range(1, 100))  # every reading of the clock is one tick later
    conn = Connection(loop, Origin("http", "h", 80), Deadlines(ManualLoop(), lambda: float(next(readings))))  # type: ignore[arg-type]
    conn.connection_made(FakeTransport())  # type: ignore[arg-type]
    payload = gzip.compress(b"x" * 1000)
    future = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)
    )
    raw = future.result()
    assert raw.body == b"x" * 1000
    assert raw.completed > raw.headers_done  # read at the read, ended once decoded
    plain = conn.exchange(b"GET / HTTP/1.1\r\n\r\n", None, False, None)
    conn.data_received(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    assert plain.result().completed == plain.result().headers_done  # nothing to decode: the read's time
