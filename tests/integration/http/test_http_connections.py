"""Keep-alive, pooling, and transport failures turned into data (status 0 + categorised error)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from horde.http import FastHttpSession, HttpSession

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@asynccontextmanager
async def raw_server(
    on_data: Callable[[asyncio.Transport, int, bytes], None], port: int = 0
) -> AsyncIterator[Any]:
    """A bare TCP server; ``on_data(transport, nth_request_on_connection, data)`` decides the answer."""
    opened: list[int] = []

    class Handler(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.requests = 0
            opened.append(1)

        def data_received(self, data: bytes) -> None:
            self.requests += 1
            on_data(self.transport, self.requests, data)  # type: ignore[arg-type]

    server = await asyncio.get_running_loop().create_server(Handler, "127.0.0.1", port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]

    class Info:
        url = f"http://127.0.0.1:{port}"

        @property
        def connections(self) -> int:
            return len(opened)

    try:
        yield Info()
    finally:
        server.close()
        await server.wait_closed()


def test_sequential_requests_reuse_one_connection(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            first = await session.get("/echo")
            later = [await session.get("/echo") for _ in range(5)]
            session.close()
            assert server.connections == 1
            assert first.timings.connect is not None and first.timings.connect > 0
            assert first.timings.tls is None
            assert all(r.timings.connect is None and r.timings.tls is None for r in later)

    run(scenario())


def test_concurrent_requests_open_up_to_the_pool_limit(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder, pool_size=4)
            responses = await asyncio.gather(*(session.get("/sleep?s=0.05") for _ in range(12)))
            session.close()
            assert [r.status_code for r in responses] == [200] * 12
            assert server.connections == 4
            assert all(s["exception"] is None for s in recorder.samples)

    run(scenario())


def test_every_idle_connection_is_reused_and_a_closed_pool_starts_over(
    run: Any, serve: Any, recorder: Any
) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder, pool_size=3)
            for _ in range(3):  # three at a time: all three connections are idle in between
                await asyncio.gather(*(session.get("/sleep?s=0.02") for _ in range(3)))
            await session.get("/echo")
            assert server.connections == 3
            session.close()
            after = await session.get("/echo")
            session.close()
            assert after.status_code == 200 and after.timings.connect is not None
            assert server.connections == 4

    run(scenario())


def test_connection_close_from_server_is_honoured(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            closing = await session.get("/close")
            following = await session.get("/echo")
            session.close()
            assert closing.text == "bye" and following.status_code == 200
            assert server.connections == 2
            assert following.timings.connect is not None  # a new connection was opened

    run(scenario())


def test_reused_connection_closed_by_server_is_retried_once(run: Any, recorder: Any) -> None:
    def answer_once_then_hang_up(transport: asyncio.Transport, nth: int, data: bytes) -> None:
        if nth == 1:
            transport.write(OK)
        else:
            transport.close()  # the keep-alive connection dies just as it is reused

    async def scenario() -> None:
        async with raw_server(answer_once_then_hang_up) as server:
            session = HttpSession(server.url, recorder)
            first = await session.get("/")
            second = await session.get("/")
            session.close()
            assert (first.status_code, second.status_code) == (200, 200)
            assert server.connections == 2
            assert [s["exception"] for s in recorder.samples] == [None, None]

    run(scenario())


def test_fresh_connection_closed_without_response_fails_without_retry(run: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with raw_server(lambda transport, nth, data: transport.close()) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/")
            session.close()
            assert response.status_code == 0 and response.error is not None
            assert response.error.category == "connect"
            assert server.connections == 1
            assert recorder.last["exception"] is response.error

    run(scenario())


def test_connection_refused_is_a_failed_sample(run: Any, recorder: Any, free_port: int) -> None:
    async def scenario() -> None:
        session = HttpSession(f"http://127.0.0.1:{free_port}", recorder)
        response = await session.get("/nothing-here")
        session.close()
        assert response.status_code == 0 and not response.ok
        assert response.content is None and response.text == ""
        assert response.error.category == "connect"
        assert isinstance(response.error.__cause__, OSError)
        assert response.error.original is response.error.__cause__  # geventhttpclient's name
        sample = recorder.last
        assert sample["exception"] is response.error and sample["name"] == "/nothing-here"
        assert sample["response_length"] == 0

    run(scenario())


def test_read_timeout_is_a_failed_sample_and_bounded(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            started = time.monotonic()
            response = await session.get("/sleep?s=3", timeout=0.3)
            waited = time.monotonic() - started
            after = await session.get("/echo")
            session.close()
            assert response.status_code == 0 and response.error.category == "timeout"
            assert type(response.error).__name__ == "ReadTimeout"
            assert isinstance(response.error.original, socket.timeout)  # as under Locust's FastHttpUser
            assert 0.25 <= waited < 2.0
            assert 250 <= recorder.samples[0]["response_time"] < 2000
            assert after.status_code == 200  # the timed-out connection was dropped, not reused
            assert server.connections == 2

    run(scenario())


def test_waiting_for_a_pool_slot_counts_as_connect_timeout(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = FastHttpSession(base_url=server.url, recorder=recorder, concurrency=1)
            session.connection_timeout = 0.2
            slow, starved = await asyncio.gather(session.get("/sleep?s=0.6"), session.get("/echo"))
            session.close()
            assert slow.status_code == 200
            assert starved.status_code == 0 and type(starved.error).__name__ == "ConnectTimeout"
            assert starved.error.category == "timeout"

    run(scenario())


def test_garbage_from_server_is_a_protocol_failure(run: Any, recorder: Any) -> None:
    def garbage(transport: asyncio.Transport, nth: int, data: bytes) -> None:
        transport.write(b"SMTP ready\r\n\r\n")

    async def scenario() -> None:
        async with raw_server(garbage) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/")
            session.close()
            assert response.status_code == 0 and response.error.category == "protocol"

    run(scenario())


def test_body_until_close_and_truncated_body(run: Any, recorder: Any) -> None:
    def until_close(transport: asyncio.Transport, nth: int, data: bytes) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it")
        transport.close()

    def truncated(transport: asyncio.Transport, nth: int, data: bytes) -> None:
        transport.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        transport.close()

    async def scenario() -> None:
        async with raw_server(until_close) as complete, raw_server(truncated) as cut:
            session = HttpSession(complete.url, recorder)
            whole = await session.get("/")
            partial = await session.get(f"{cut.url}/")
            session.close()
            assert whole.status_code == 200 and whole.text == "all of it"
            assert partial.status_code == 0 and partial.error.category == "protocol"

    run(scenario())


def test_interim_100_continue_is_skipped(run: Any, recorder: Any) -> None:
    def with_interim(transport: asyncio.Transport, nth: int, data: bytes) -> None:
        transport.write(b"HTTP/1.1 100 Continue\r\n\r\n" + OK)

    async def scenario() -> None:
        async with raw_server(with_interim) as server:
            session = HttpSession(server.url, recorder)
            response = await session.get("/")
            again = await session.get("/")
            session.close()
            assert (response.status_code, response.text, again.text) == (200, "ok", "ok")

    run(scenario())


def test_close_then_reuse_session(run: Any, serve: Any, recorder: Any) -> None:
    async def scenario() -> None:
        async with serve() as server:
            session = HttpSession(server.url, recorder)
            await session.get("/echo")
            session.close()
            response = await session.get("/echo")
            session.close()
            assert response.status_code == 200 and server.connections == 2

    run(scenario())


def test_session_survives_a_new_event_loop(recorder: Any, free_port: int) -> None:
    session = HttpSession(f"http://127.0.0.1:{free_port}", recorder)

    async def one_request() -> int:
        async with raw_server(lambda transport, nth, data: transport.write(OK), port=free_port):
            response = await session.get("/")
            return response.status_code

    assert asyncio.run(one_request()) == 200
    assert asyncio.run(one_request()) == 200  # the first loop's connections are not reused
    session.close()


def test_users_whose_classes_share_a_pool_manager_share_its_connections(run: Any, serve: Any) -> None:
    from urllib3 import PoolManager

    from horde import Environment, HttpUser

    async def scenario() -> None:
        async with serve() as server:
            shared = PoolManager(maxsize=1, block=True)  # Locust's way: one connection for all

            class A(HttpUser):
                host = server.url
                pool_manager = shared

            class B(A):
                pass

            class Own(HttpUser):
                host = server.url

            environment = Environment(user_classes=[A, B, Own])
            a, b = A(environment), B(environment)
            responses = await asyncio.gather(*(u.client.get("/sleep?s=0.02") for u in (a, b, a, b)))
            assert [r.status_code for r in responses] == [200] * 4
            assert server.connections == 1
            a._finished()  # a stopping user leaves the shared pool to the others
            assert (await b.client.get("/echo")).timings.connect is None
            for user in (Own(environment), Own(environment)):
                await user.client.get("/echo")
                user._finished()
            assert server.connections == 3
            assert environment.stats.total.num_requests == 7

    run(scenario())


def test_fast_users_whose_classes_share_a_client_pool_share_its_connections(run: Any, serve: Any) -> None:
    from horde import Environment, FastHttpUser

    class ClientPool:  # geventhttpclient's HTTPClientPool keeps its keywords in client_args
        def __init__(self, **kw: Any) -> None:
            self.client_args = kw

    async def scenario() -> None:
        async with serve() as server:
            shared = ClientPool(concurrency=1)

            class A(FastHttpUser):
                host = server.url
                client_pool = shared

            class B(A):
                pass

            environment = Environment(user_classes=[A, B])
            a, b = A(environment), B(environment)
            await asyncio.gather(*(u.client.get("/sleep?s=0.02") for u in (a, b, a, b)))
            assert server.connections == 1

    run(scenario())
