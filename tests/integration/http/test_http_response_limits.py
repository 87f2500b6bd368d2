"""Responses that would eat the generator: each breach fails its request by name, closes the
connection, and neither grows memory nor stalls the loop (hostile servers written here)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import brotli
import pytest

from horde.http import HttpSession
from horde.http.errors import RequestError, ResponseTooLarge
from horde.http.limits import LIMITS, ResponseLimits, configure

Answer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def hostile(answer: Answer) -> AsyncIterator[str]:
    """A server that reads a request head and then runs ``answer``; a second request on another
    connection (the one after a breach) gets a plain 200."""
    answered = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal answered
        try:
            await reader.readuntil(b"\r\n\r\n")
            answered += 1
            if answered == 1:
                await answer(writer)
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                await reader.read()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client closed the connection on a breach, as it should
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def endless(writer: asyncio.StreamWriter, head: bytes, piece: bytes, seconds: float = 5.0) -> None:
    writer.write(head)
    ends = time.monotonic() + seconds  # bounded: a client that ignored the limits would see 5 s of it
    while time.monotonic() < ends:
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0)  # a turn per piece: the loop's longest turn is then the client's


async def long_header_line(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\nContent-Length: 0\r\n\r\n")
    await writer.drain()


async def many_headers(writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 150 + b"Content-Length: 0\r\n\r\n")
    await writer.drain()


async def header_stream(writer: asyncio.StreamWriter) -> None:
    await endless(writer, b"HTTP/1.1 200 OK\r\n", b"X-More: " + b"m" * 100 + b"\r\n")


async def body_stream(writer: asyncio.StreamWriter) -> None:
    chunk = b"x" * 65536
    await endless(
        writer, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", b"10000\r\n" + chunk + b"\r\n"
    )


def zeros_packed(mib: int, compress: Callable[[bytes], bytes], finish: Callable[[], bytes]) -> bytes:
    """``mib`` MiB of zero bytes, compressed a mebibyte at a time (never held whole)."""
    zeros = bytes(1024 * 1024)
    return b"".join(compress(zeros) for _ in range(mib)) + finish()


def bomb_answer(coding: str, body: bytes) -> Answer:
    async def answer(writer: asyncio.StreamWriter) -> None:
        head = f"HTTP/1.1 200 OK\r\nContent-Encoding: {coding}\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(head.encode() + body)
        await writer.drain()

    return answer


GZIP = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # about 1,000:1
BR = brotli.Compressor(quality=1)  # about 1,000,000:1
gzip_bomb = bomb_answer("gzip", zeros_packed(512, GZIP.compress, GZIP.flush))
br_bomb = bomb_answer("br", zeros_packed(1024, BR.process, BR.finish))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (long_header_line, "a header line over 64 KiB (100.0 KiB)"),
        (many_headers, "more than 100 header fields (151)"),
        (header_stream, "response head over 256 KiB"),
        (body_stream, "body over 64 MiB"),
        (gzip_bomb, "gzip body inflates more than 200:1"),
        (br_bomb, "br body inflates more than 200:1"),
    ],
    ids=["header-line", "header-count", "endless-headers", "endless-body", "gzip-bomb", "br-bomb"],
)
def test_a_breach_fails_the_request_by_name_and_the_next_one_works(
    run: Any, recorder: Any, answer: Answer, message: str
) -> None:
    async def scenario() -> tuple[float, float]:
        gaps = [0.0]

        async def probe() -> None:  # what the other users would feel: the longest turn of the loop
            while True:
                started = time.thread_time()  # CPU time: a busy machine's preemption is not counted
                await asyncio.sleep(0)
                gaps.append(time.thread_time() - started)

        probing = asyncio.create_task(probe())
        async with hostile(answer) as url:
            session = HttpSession(url, recorder)
            started = time.monotonic()
            response = await session.get("/")
            took = time.monotonic() - started
            after = await session.get("/")  # on a new connection: the hostile one was closed
            session.close()
        probing.cancel()
        assert isinstance(response.error, ResponseTooLarge) and response.status_code == 0
        assert str(response.error).startswith(message), response.error
        assert response.error.category == "too_large"
        assert after.status_code == 200 and after.text == "ok"
        assert recorder.samples[0]["exception"] is response.error
        return took, max(gaps)

    took, longest_gap = run(scenario())
    assert took < 3  # stopped at the limit, not at the end of the 5 s stream or by the timeout
    assert longest_gap < 0.05  # no turn of the loop took long (each takes a few ms at most here)


def test_a_large_body_cut_short_is_freed_over_several_turns(run: Any, recorder: Any) -> None:
    """64 MiB freed at once holds the loop for milliseconds (glibc gives the memory back to the
    kernel as it is freed): the pieces of a body over the limit are dropped a few per turn."""
    drops: list[int] = []

    async def scenario() -> RequestError | None:
        async def watch() -> None:  # how much memory each turn of the loop gave back
            held = tracemalloc.get_traced_memory()[0]
            while True:
                await asyncio.sleep(0)
                now = tracemalloc.get_traced_memory()[0]
                drops.append(held - now)
                held = now

        async with hostile(body_stream) as url:
            session = HttpSession(url, recorder)
            watching = asyncio.create_task(watch())
            response = await session.get("/")
            for _ in range(200):  # the rest of the body's pieces go in the turns that follow
                await asyncio.sleep(0)
            watching.cancel()
            session.close()
        return response.error

    tracemalloc.start()
    try:
        error = run(scenario())
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLarge)
    assert sum(drop for drop in drops if drop > 0) > 60 * 1024 * 1024  # all of it was given back
    assert max(drops) < 8 * 1024 * 1024  # and never much of it in one turn


def test_limits_can_be_raised(run: Any, recorder: Any) -> None:
    default = ResponseLimits()
    configure(ResponseLimits(headers=200))
    try:

        async def scenario() -> int:
            async with hostile(many_headers) as url:
                session = HttpSession(url, recorder)
                response = await session.get("/")
                session.close()
                return response.status_code

        assert run(scenario()) == 200
    finally:
        configure(default)
    assert LIMITS.headers == 100


SENDER = """
import socket, sys
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
connection, _ = listener.accept()
connection.recv(65536)
size = int(sys.argv[1])
connection.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: %d\\r\\n\\r\\n" % size)
piece = b"x" * (1024 * 1024)
for _ in range(size // len(piece)):
    connection.sendall(piece)
connection.recv(1)
"""


def test_a_large_body_is_read_one_read_per_loop_turn(run: Any, recorder: Any) -> None:
    """uvloop (libuv) reads a ready socket up to 32 times per turn of the loop: without a pause
    after each large read, a fast body (wanted or hostile) would hold every other user's responses
    for milliseconds. Here another process sends 32 MiB as fast as loopback takes it."""
    size = 32 * 1024 * 1024
    sender = subprocess.Popen([sys.executable, "-c", SENDER, str(size)], stdout=subprocess.PIPE, text=True)

    async def scenario() -> tuple[int, int]:
        turns = 0

        async def count() -> None:
            nonlocal turns
            while True:
                await asyncio.sleep(0)  # one step per turn of the loop
                turns += 1
                time.sleep(0.001)  # the other users' work, while the body piles up in the socket

        assert sender.stdout is not None
        session = HttpSession(f"http://127.0.0.1:{sender.stdout.readline().strip()}", recorder)
        counting = asyncio.create_task(count())
        response = await session.get("/")
        counting.cancel()
        session.close()
        return len(response.content), turns

    try:
        received, turns = run(scenario())
    finally:
        sender.kill()
        sender.wait()
    assert received == size
    # A read brings at most 256 KiB (asyncio's and uvloop's read size): 128 reads at least, and
    # each read of 64 KiB or more ends its turn.
    assert turns >= size // (256 * 1024), turns
