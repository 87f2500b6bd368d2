"""Fixtures that run the demo server on its own event loop in a background thread.

Blocking clients (``http.client``, raw sockets) in the test thread then talk to it over loopback,
and every test runs once on plain asyncio and once on uvloop, which differ in transport classes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvloop

from horde.demo.server import DemoServer, start_demo_server

LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {
    "asyncio": asyncio.new_event_loop,
    "uvloop": uvloop.new_event_loop,
}


class ThreadedDemo:
    """A demo server running in a thread; ``call`` runs a coroutine on the server's loop."""

    def __init__(self, loop_factory: Callable[[], asyncio.AbstractEventLoop], **options: Any) -> None:
        self._loop = loop_factory()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.server: DemoServer = self.call(start_demo_server(**options))

    def call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def stop(self) -> None:
        self.call(self.server.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture(params=sorted(LOOPS))
def demo_factory(request: pytest.FixtureRequest) -> Iterator[Callable[..., ThreadedDemo]]:
    started: list[ThreadedDemo] = []

    def start(**options: Any) -> ThreadedDemo:
        demo = ThreadedDemo(LOOPS[request.param], **options)
        started.append(demo)
        return demo

    yield start
    for demo in started:
        demo.stop()


@pytest.fixture
def demo(demo_factory: Callable[..., ThreadedDemo]) -> DemoServer:
    return demo_factory(seed=7).server
