"""Start the demo shop server in-process, or run it as ``python -m horde.demo.server``.

The demo gives Horde (and its tests, examples and docs) a target with realistic endpoints that
can be started on a free loopback port in milliseconds, and that counts what it receives so a
test can check Horde's request counts against the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import signal
import sys
from collections.abc import Callable, Sequence
from types import TracebackType

from horde.demo.protocol import DemoProtocol
from horde.demo.shop import Shop

DEFAULT_HOST = "127.0.0.1"
_BACKLOG = 2048


class DemoServer:
    """A running demo server; close it with ``await server.close()`` or ``async with``."""

    def __init__(self, server: asyncio.Server, shop: Shop, connections: set[DemoProtocol]) -> None:
        self._server = server
        self._shop = shop
        self._connections = connections
        sockname = server.sockets[0].getsockname()
        self.host: str = sockname[0]
        self.port: int = sockname[1]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def counts(self) -> dict[str, int]:
        """Requests seen so far by ``"METHOD /path"`` (no query string; ``/__stats`` not counted)."""
        return self._shop.counter.snapshot()

    @property
    def total_requests(self) -> int:
        return self._shop.counter.total

    def reset_counts(self) -> None:
        self._shop.counter.reset()

    async def close(self) -> None:
        """Stop listening and drop every open connection, including ones waiting on ``/slow``."""
        self._server.close()
        for connection in list(self._connections):
            connection.abort()
        await self._server.wait_closed()

    async def __aenter__(self) -> DemoServer:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


async def start_demo_server(
    host: str = DEFAULT_HOST,
    port: int = 0,
    *,
    capacity: int = 100_000,
    seed: int | None = None,
) -> DemoServer:
    """Listen on ``host:port`` (port 0 picks a free one) and serve the demo shop on the running loop.

    ``capacity`` bounds the tokens and carts kept in memory; ``seed`` makes ``/flaky`` repeatable.
    """
    shop = Shop(capacity=capacity, rng=random.Random(seed))
    connections: set[DemoProtocol] = set()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: DemoProtocol(shop.handle, connections), host, port, backlog=_BACKLOG
    )
    return DemoServer(server, shop, connections)


async def _serve_until_signalled(host: str, port: int) -> None:
    server = await start_demo_server(host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"listening on {server.url}", flush=True)
    try:
        await stop.wait()
    finally:
        await server.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m horde.demo.server", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        with asyncio.Runner(loop_factory=_loop_factory()) as runner:
            runner.run(_serve_until_signalled(args.host, args.port))
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
