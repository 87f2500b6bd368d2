"""A loopback HTTP server that holds every response for a fixed delay: the known truth for latency.

    python bench/delay_server.py --port 8080 --delay-ms 50

Each request gets the same small response ``delay`` after its head arrived (``loop.call_later``).
The loop runs on ``select()``, whose timeout has microsecond resolution: with the default epoll
selector an idle loop wakes up to a millisecond late, because epoll waits in whole milliseconds
(20 % of a 5 ms delay). The server also measures how long it really held each response
(perf_counter from the moment the request was read to the moment the response was written):
that measured hold is the server-side truth, late timers and a descheduled CPU included. What a
client should report is the hold plus the loopback time.

Control paths, answered at once and not counted: ``/__count`` (responses sent so far),
``/__reset`` (forget the recorded holds), ``/__truth`` (JSON: count and hold percentiles since
the last reset). Plain asyncio, no third-party imports, so the target's cost and timing do not
depend on what is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import selectors
import signal
import time

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\ndelayed\n"
PERCENTILES = (0.5, 0.9, 0.99, 0.999)


class Recorder:
    """Responses sent, and the hold time of each since the last reset."""

    def __init__(self) -> None:
        self.count = 0
        self.holds: list[float] = []

    def record(self, hold_s: float) -> None:
        self.count += 1
        self.holds.append(hold_s)

    def truth(self) -> dict[str, object]:
        """Nearest-rank percentiles of the holds in milliseconds (exact: every hold is kept)."""
        holds = sorted(self.holds)
        summary: dict[str, object] = {"count": len(holds)}
        if holds:
            summary["min_ms"] = holds[0] * 1e3
            summary["max_ms"] = holds[-1] * 1e3
            summary["mean_ms"] = sum(holds) / len(holds) * 1e3
            summary["percentiles_ms"] = {
                f"{p * 100:g}": holds[max(0, math.ceil(p * len(holds)) - 1)] * 1e3 for p in PERCENTILES
            }
        return summary


class DelayProtocol(asyncio.Protocol):
    """One keep-alive connection: parse request heads (and skip bodies), answer each after the delay."""

    def __init__(self, recorder: Recorder, delay_s: float) -> None:
        self._recorder = recorder
        self._delay_s = delay_s
        self._buffer = b""
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        received = time.perf_counter()
        self._buffer += data
        while (end := self._buffer.find(b"\r\n\r\n")) >= 0:
            head = self._buffer[:end]
            needed = end + 4 + _content_length(head)
            if len(self._buffer) < needed:
                return  # the body is still on its way
            self._buffer = self._buffer[needed:]
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
            if path.startswith(b"/__"):
                self._control(path.decode("latin-1"))
            else:
                self._loop.call_later(self._delay_s, self._respond, received)

    def _respond(self, received: float) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        hold = time.perf_counter() - received
        transport.write(RESPONSE)
        self._recorder.record(hold)

    def _control(self, path: str) -> None:
        if path == "/__count":
            body = str(self._recorder.count).encode()
        elif path == "/__reset":
            self._recorder.holds = []
            body = b"reset\n"
        elif path == "/__truth":
            body = json.dumps(self._recorder.truth()).encode()
        else:
            body = b"unknown control path\n"
        assert self._transport is not None
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        self._transport.write(head + body)
        self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


async def serve(port: int, delay_s: float) -> None:
    recorder = Recorder()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: DelayProtocol(recorder, delay_s), "127.0.0.1", port, backlog=4096, reuse_address=True
    )
    stop = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    args = parser.parse_args()
    # select() handles the few dozen connections of a latency run at no measurable extra cost.
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    try:
        loop.run_until_complete(serve(args.port, args.delay_ms / 1e3))
    finally:
        loop.close()


if __name__ == "__main__":
    main()
