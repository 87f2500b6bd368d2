"""The demo shop server over real loopback sockets: endpoints, keep-alive, ordering, counts."""

from __future__ import annotations

import asyncio
import http.client
import json
import random
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest

from horde.demo.catalogue import CATALOGUE
from horde.demo.messages import Request
from horde.demo.server import DemoServer
from horde.demo.shop import SLOW_MAX_MS, Shop

# Starts a demo server in a thread (see conftest.py); returns an object with .server and .call().
DemoFactory = Callable[..., Any]


class Client:
    """One keep-alive ``http.client`` connection with JSON helpers."""

    def __init__(self, server: DemoServer) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)

    def request(
        self, method: str, path: str, payload: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        body = None if payload is None else json.dumps(payload).encode()
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        self.conn.request(method, path, body=body, headers=all_headers)
        response = self.conn.getresponse()
        return response.status, response, response.read()

    def json(self, method: str, path: str, payload: Any = None, **kwargs: Any) -> tuple[int, Any]:
        status, _, body = self.request(method, path, payload, **kwargs)
        return status, json.loads(body)

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def client(demo: DemoServer) -> Client:
    return Client(demo)


def login(client: Client) -> str:
    status, body = client.json("POST", "/auth/login", {"email": "u@example.com", "password": "p"})
    assert status == 200
    return str(body["token"])


def raw_exchange(server: DemoServer, payload: bytes) -> bytes:
    """Send raw bytes, then read until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


# -- simple pages -------------------------------------------------------------------------------


def test_health_and_index(client: Client) -> None:
    status, response, body = client.request("GET", "/health")
    assert (status, body) == (200, b"ok")
    assert response.getheader("Content-Type", "").startswith("text/plain")
    status, response, body = client.request("GET", "/")
    assert status == 200
    assert b"Horde demo shop" in body
    assert response.getheader("Content-Type", "").startswith("text/html")


def test_unknown_path_is_404_and_wrong_method_is_405(client: Client) -> None:
    assert client.json("GET", "/nope")[0] == 404
    assert client.json("GET", "/products/1/extra")[0] == 404
    assert client.json("DELETE", "/products")[0] == 405
    assert client.json("GET", "/auth/login")[0] == 405


# -- auth ---------------------------------------------------------------------------------------


def test_login_returns_hex_token(client: Client) -> None:
    token = login(client)
    assert len(token) == 32
    int(token, 16)
    assert login(client) != token


@pytest.mark.parametrize(
    "payload", [{}, {"email": "a@b.c"}, {"password": "p"}, {"email": "", "password": "p"}, ["x"]]
)
def test_login_without_fields_is_400(client: Client, payload: Any) -> None:
    assert client.json("POST", "/auth/login", payload)[0] == 400


def test_login_with_invalid_json_is_400(client: Client) -> None:
    client.conn.request(
        "POST", "/auth/login", body=b"{not json", headers={"Content-Type": "application/json"}
    )
    response = client.conn.getresponse()
    response.read()
    assert response.status == 400


def test_logout_needs_a_live_bearer_token(client: Client) -> None:
    assert client.json("POST", "/auth/logout")[0] == 401
    assert client.json("POST", "/auth/logout", headers={"Authorization": "Bearer nope"})[0] == 401
    token = login(client)
    assert client.json("POST", "/auth/logout", headers={"Authorization": f"Basic {token}"})[0] == 401
    auth = {"Authorization": f"Bearer {token}"}
    assert client.json("POST", "/auth/logout", headers=auth) == (200, {"loggedOut": True})
    assert client.json("POST", "/auth/logout", headers=auth)[0] == 401


def test_tokens_are_bounded_and_the_oldest_evicted(demo_factory: DemoFactory) -> None:
    client = Client(demo_factory(capacity=2).server)
    tokens = [login(client) for _ in range(3)]
    assert client.json("POST", "/auth/logout", headers={"Authorization": f"Bearer {tokens[0]}"})[0] == 401
    for token in tokens[1:]:
        assert client.json("POST", "/auth/logout", headers={"Authorization": f"Bearer {token}"})[0] == 200


# -- catalogue ----------------------------------------------------------------------------------


def test_product_search(client: Client) -> None:
    status, laptops = client.json("GET", "/products?q=laptop")
    assert status == 200
    assert len(laptops) == 5
    assert {product["category"] for product in laptops} == {"laptop"}
    status, everything = client.json("GET", "/products")
    assert (status, len(everything)) == (200, len(CATALOGUE))
    assert len(CATALOGUE) == 50
    assert client.json("GET", "/products?q=PRO")[1] == [p for p in everything if "Pro" in p["name"]]
    assert client.json("GET", "/products?q=zzz") == (200, [])


def test_product_by_id(client: Client) -> None:
    status, product = client.json("GET", "/products/7")
    assert status == 200
    assert product["id"] == 7
    assert set(product) == {"id", "sku", "name", "category", "price"}
    assert client.json("GET", "/products/999")[0] == 404
    assert client.json("GET", "/products/abc")[0] == 404


# -- cart and checkout --------------------------------------------------------------------------


def test_cart_create_and_fetch(client: Client) -> None:
    status, cart = client.json("POST", "/cart", {"sku": "ABC-123"})
    assert status == 201
    assert cart["items"] == [{"sku": "ABC-123", "quantity": 1}]
    assert client.json("GET", f"/cart/{cart['id']}") == (200, cart)
    assert client.json("GET", "/cart/unknown")[0] == 404
    assert client.json("POST", "/cart", {"item": "x"})[0] == 400


def test_checkout_consumes_the_cart(client: Client) -> None:
    _, cart = client.json("POST", "/cart", {"sku": "X"})
    status, order = client.json("POST", "/checkout", {"cartId": cart["id"]})
    assert status == 200
    assert order["order"].startswith("ORD-")
    assert client.json("POST", "/checkout", {"cartId": cart["id"]})[0] == 404
    assert client.json("GET", f"/cart/{cart['id']}")[0] == 404
    _, second_cart = client.json("POST", "/cart", {"sku": "X"})
    assert client.json("POST", "/checkout", {"cartId": second_cart["id"]})[1] != order
    assert client.json("POST", "/checkout", {"cartId": "never-existed"})[0] == 404
    assert client.json("POST", "/checkout", {})[0] == 400


# -- misbehaving endpoints ----------------------------------------------------------------------


def test_slow_delays_the_reply(client: Client) -> None:
    started = time.perf_counter()
    assert client.json("GET", "/slow?ms=120") == (200, {"sleptMs": 120})
    assert time.perf_counter() - started >= 0.1
    assert client.json("GET", "/slow?ms=abc")[0] == 400


def test_slow_default_and_cap() -> None:
    shop = Shop()
    default = shop.handle(Request("GET", "/slow", "", {}, b""))
    capped = shop.handle(Request("GET", "/slow", "ms=999999", {}, b""))
    assert default.delay == pytest.approx(0.3)
    assert capped.delay == pytest.approx(SLOW_MAX_MS / 1000)
    assert json.loads(capped.body) == {"sleptMs": SLOW_MAX_MS}


def test_error_always_fails(client: Client) -> None:
    assert [client.json("GET", "/error")[0] for _ in range(3)] == [500, 500, 500]


def test_flaky_fails_about_one_time_in_ten() -> None:
    shop = Shop(rng=random.Random(3))
    statuses = [shop.handle(Request("GET", "/flaky", "", {}, b"")).status for _ in range(4000)]
    assert set(statuses) == {200, 503}
    assert 0.07 < statuses.count(503) / len(statuses) < 0.13


def test_flaky_over_the_wire(client: Client) -> None:
    statuses = {client.json("GET", "/flaky")[0] for _ in range(200)}
    assert statuses == {200, 503}


def test_oversized_body_is_413_and_closes(demo: DemoServer) -> None:
    body = b"x" * ((1 << 20) + 1)
    head = b"POST /cart HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % len(body)
    reply = raw_exchange(demo, head + body)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in reply


def test_malformed_request_is_400_and_closes(demo: DemoServer) -> None:
    reply = raw_exchange(demo, b"NOT HTTP AT ALL\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ")


# -- connection handling ------------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(client: Client) -> None:
    client.request("GET", "/health")
    first_socket = client.conn.sock
    assert first_socket is not None
    for _ in range(20):
        status, response, _ = client.request("GET", "/products/1")
        assert status == 200
        assert response.getheader("Connection") is None
        assert client.conn.sock is first_socket


def test_connection_close_request_is_honoured(demo: DemoServer) -> None:
    reply = raw_exchange(demo, b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Connection: close\r\n" in reply
    assert reply.endswith(b"\r\n\r\nok")


def test_pipelined_replies_keep_request_order_behind_a_slow_one(demo: DemoServer) -> None:
    payload = (
        b"GET /slow?ms=100 HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /products/2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    reply = raw_exchange(demo, payload)
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    slow, health, product = (
        reply.index(b'{"sleptMs":100}'),
        reply.index(b"\r\n\r\nok"),
        reply.index(b'"id":2'),
    )
    assert slow < health < product


def test_close_drops_connections_waiting_on_slow(demo_factory: DemoFactory) -> None:
    demo = demo_factory()
    with socket.create_connection(("127.0.0.1", demo.server.port), timeout=10) as sock:
        sock.sendall(b"GET /slow?ms=5000 HTTP/1.1\r\nHost: t\r\n\r\n")
        time.sleep(0.05)  # let the server read the request before it is closed
        started = time.perf_counter()
        demo.call(demo.server.close())
        assert sock.recv(100) == b""
        assert time.perf_counter() - started < 2


# -- counts -------------------------------------------------------------------------------------


def test_counts_match_requests_made(client: Client, demo: DemoServer) -> None:
    token = login(client)
    for _ in range(3):
        client.request("GET", "/products?q=laptop")
    client.request("GET", "/products/3")
    client.request("GET", "/nope")
    client.request("POST", "/auth/logout", headers={"Authorization": f"Bearer {token}"})
    expected = {
        "POST /auth/login": 1,
        "GET /products": 3,
        "GET /products/3": 1,
        "GET /nope": 1,
        "POST /auth/logout": 1,
    }
    status, stats = client.json("GET", "/__stats")
    assert status == 200
    assert stats == {"total": 7, "requests": expected}
    assert demo.counts() == expected
    assert demo.total_requests == 7
    assert client.json("POST", "/__stats/reset") == (200, {"reset": True})
    assert client.json("GET", "/__stats")[1] == {"total": 0, "requests": {}}
    assert demo.counts() == {}


def test_counts_under_concurrent_keep_alive_clients(demo: DemoServer) -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def hammer() -> list[int]:
        connector = aiohttp.TCPConnector(limit=20)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(index: int) -> int:
                async with session.get(f"{demo.url}/products/{index % 50 + 1}") as response:
                    await response.read()
                    return int(response.status)

            return list(await asyncio.gather(*(one(i) for i in range(500))))

    statuses = asyncio.run(hammer())
    assert statuses == [200] * 500
    assert demo.total_requests == 500
    assert sum(demo.counts().values()) == 500
    assert demo.counts()["GET /products/1"] == 10
