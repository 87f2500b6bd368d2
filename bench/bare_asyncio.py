"""The Python floor: bare asyncio coroutines on uvloop and httptools, and nothing else.

Horde's HTTP client is built from the same parts. This generator has none of its features: no
statistics, no response objects, no timeouts, no cookies, no users or task scheduling. Its
distance to the Horde rows of `throughput.py` is what those features cost per request.

One connection per coroutine. Each one requests ``GET /`` again as soon as the last response is
complete. It stops after ``--seconds`` or on SIGTERM/SIGINT, then prints the totals in wrk's
words (``N requests in S s``), which `throughput.py` reads as the tool's own count.

    python bench/bare_asyncio.py --url http://127.0.0.1:8080 --connections 50 --seconds 10

Needs uvloop and httptools: run it with the Python Horde is installed in.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections.abc import Sequence
from urllib.parse import urlsplit

import httptools
import uvloop


class Connection(asyncio.Protocol):
    """One keep-alive connection; ``waiter`` gets the status code of each complete response."""

    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.parser.feed_data(data)

    def on_message_complete(self) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(self.parser.get_status_code())

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("connection closed"))


async def requester(host: str, port: int, stop: asyncio.Event, counts: list[int]) -> None:
    """Request ``GET /`` back to back until ``stop`` is set; counts[0] responses, counts[1] not 200."""
    loop = asyncio.get_running_loop()
    _, conn = await loop.create_connection(Connection, host, port)
    request = b"GET / HTTP/1.1\r\nHost: %s:%d\r\nAccept: */*\r\n\r\n" % (host.encode("ascii"), port)
    assert conn.transport is not None
    try:
        while not stop.is_set():
            waiter = conn.waiter = loop.create_future()
            conn.transport.write(request)
            status = await waiter
            counts[0] += 1
            if status != 200:
                counts[1] += 1
    finally:
        conn.transport.close()


async def run(url: str, connections: int, seconds: float) -> tuple[int, int, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    loop.call_later(seconds, stop.set)
    counts = [0, 0]
    started = time.perf_counter()
    await asyncio.gather(*(requester(host, port, stop, counts) for _ in range(connections)))
    return counts[0], counts[1], time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", required=True, help="http://host:port of the target")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args(argv)
    uvloop.install()
    requests, not_ok, elapsed = asyncio.run(run(args.url, args.connections, args.seconds))
    print(f"  {requests} requests in {elapsed:.2f}s, {not_ok} not 200", flush=True)
    return 0 if requests and not not_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
