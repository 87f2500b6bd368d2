"""Session logic above the network, driven through MockTransport (no sockets, no sleeps)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests

import horde.http
from horde.http import FastHttpSession, HttpSession, MockResponse, MockTransport, errors
from horde.http.errors import ConnectError, InvalidSchema, MissingSchema
from horde.http.mock import SentRequest
from horde.stats.recording import as_recorder


class Samples(list[tuple[Any, ...]]):
    def __call__(self, *sample: Any) -> None:
        self.append(sample)


def session_with(
    handler: Any, base_url: str = "http://shop.test"
) -> tuple[HttpSession, MockTransport, Samples]:
    transport = MockTransport(handler)
    samples = Samples()
    return HttpSession(base_url, samples, transport=transport), transport, samples


def test_public_api_is_pinned() -> None:
    assert sorted(horde.http.__all__) == sorted(
        [
            "BadStatusCode", "CaseInsensitiveDict", "ConnectError", "ConnectTimeout", "CookieJar",
            "Engine", "FastHttpSession", "FastResponse", "FastResponseContextManager", "HTTPError",
            "HttpSession", "InvalidSchema", "InvalidURL", "JSONDecodeError", "MissingSchema",
            "MockResponse", "MockTransport", "PreparedRequest", "ProtocolError", "ReadTimeout",
            "Recorder", "RequestError", "Response", "ResponseContextManager", "RestMixin", "TLSError",
            "Timeout", "TooManyRedirects",
        ]
    )  # fmt: skip


def test_request_head_and_default_headers() -> None:
    session, transport, _ = session_with(lambda request: MockResponse(body=b"ok"))
    asyncio.run(session.get("/p?q=1"))
    sent = transport.sent[0]
    assert (sent.method, sent.path, sent.url) == ("GET", "/p?q=1", "http://shop.test/p?q=1")
    assert sent.headers["Host"] == "shop.test"
    assert sent.headers["Connection"] == "keep-alive" and sent.headers["Accept"] == "*/*"
    assert "Content-Length" not in sent.headers and "Cookie" not in sent.headers


@pytest.mark.parametrize("session_class", [HttpSession, FastHttpSession])
def test_the_same_url_string_follows_the_base_url_and_params(session_class: Any) -> None:
    # A session reuses the last request's parsed target for the very same URL string; a new base
    # URL, query parameters or another string must still be honoured.
    transport = MockTransport(lambda request: MockResponse())
    session = session_class(base_url="http://shop.test", transport=transport)
    path = "/cart"

    async def requests() -> None:
        await session.get(path)
        await session.get(path)
        session.base_url = "http://other.test:8080"
        await session.get(path)
        await session.get(path, params={"page": "2"})
        await session.get(path)
        await session.get("/cart?x=1")
        await session.get(path)

    asyncio.run(requests())
    assert [sent.url for sent in transport.sent] == [
        "http://shop.test/cart",
        "http://shop.test/cart",
        "http://other.test:8080/cart",
        "http://other.test:8080/cart?page=2",
        "http://other.test:8080/cart",
        "http://other.test:8080/cart?x=1",
        "http://other.test:8080/cart",
    ]
    assert transport.sent[2].headers["Host"] == "other.test:8080"


@pytest.mark.parametrize(
    ("session_class", "joined"),
    [(HttpSession, "http://shop.test/api/cart"), (FastHttpSession, "http://shop.test/api//cart")],
)
def test_how_each_face_joins_a_path_to_a_base_ending_in_a_slash(session_class: Any, joined: str) -> None:
    # Locust's FastHttpSession joins them as they are; Horde's HttpSession does not double the slash.
    transport = MockTransport(lambda request: MockResponse())
    session = session_class(base_url="http://shop.test/api/", transport=transport)

    async def requests() -> None:
        await session.get("/cart")
        await session.get("cart")
        await session.get("https://elsewhere.test/x")

    asyncio.run(requests())
    assert [sent.url for sent in transport.sent] == [
        joined,
        "http://shop.test/api/cart",
        "https://elsewhere.test/x",
    ]


def test_invalid_urls_raise_and_are_not_reported() -> None:
    session, _, samples = session_with(lambda request: MockResponse())
    with pytest.raises(InvalidSchema):
        asyncio.run(session.get("ftp://files.test/x"))
    nobase = HttpSession(None, samples, transport=MockTransport(lambda request: MockResponse()))
    with pytest.raises(MissingSchema):
        asyncio.run(nobase.get("/relative"))
    assert samples == []


def test_locustfiles_catch_the_errors_as_requests_exceptions() -> None:
    session, _, _ = session_with(lambda request: MockResponse(status=503, reason="Service Unavailable"))
    with pytest.raises(requests.exceptions.InvalidSchema):
        asyncio.run(session.get("ftp://files.test/x"))
    nobase = HttpSession(None, None, transport=MockTransport(lambda request: MockResponse()))
    with pytest.raises(requests.exceptions.MissingSchema):
        asyncio.run(nobase.get("/relative"))
    with pytest.raises(requests.exceptions.HTTPError):
        asyncio.run(session.get("/x")).raise_for_status()
    pairs = [
        (errors.ConnectError, requests.exceptions.ConnectionError),
        (errors.ConnectTimeout, requests.exceptions.ConnectTimeout),
        (errors.ReadTimeout, requests.exceptions.ReadTimeout),
        (errors.TLSError, requests.exceptions.SSLError),
        (errors.TooManyRedirects, requests.exceptions.TooManyRedirects),
        (errors.ProtocolError, requests.exceptions.RequestException),
    ]
    for horde_error, requests_error in pairs:
        assert issubclass(horde_error, requests_error)


def test_transport_error_becomes_a_failed_response() -> None:
    def refuse(request: SentRequest) -> MockResponse:
        raise ConnectError("refused")

    session, _, samples = session_with(refuse)
    response = asyncio.run(session.get("/x"))
    assert response.status_code == 0 and isinstance(response.error, ConnectError)
    assert samples[0][6] is response.error and samples[0][3] == 0


def test_secure_and_path_scoped_cookies() -> None:
    def handler(request: SentRequest) -> MockResponse:
        if request.path == "/login":
            return MockResponse(
                headers=[
                    ("Set-Cookie", "sid=1; Path=/"),
                    ("Set-Cookie", "admin=1; Path=/admin"),
                    ("Set-Cookie", "sec=1; Path=/; Secure"),
                ]
            )
        return MockResponse()

    session, transport, _ = session_with(handler, "https://shop.test")

    async def flow() -> None:
        await session.get("/login")
        await session.get("/admin/panel")
        await session.get("/")
        await session.get("http://shop.test/")

    asyncio.run(flow())
    cookies = [sent.headers.get("Cookie", "") for sent in transport.sent[1:]]
    assert set(cookies[0].split("; ")) == {"admin=1", "sid=1", "sec=1"}
    assert set(cookies[1].split("; ")) == {"sid=1", "sec=1"}
    assert cookies[2] == "sid=1"  # the Secure cookie is not sent over plain http


def test_headers_assignment_and_cache_invalidation() -> None:
    session, transport, _ = session_with(lambda request: MockResponse())

    async def flow() -> None:
        await session.get("/1")
        session.headers["X-Run"] = "a"
        await session.get("/2")
        session.headers = {"Only": "this"}
        await session.get("/3")

    asyncio.run(flow())
    assert "X-Run" not in transport.sent[0].headers
    assert transport.sent[1].headers["X-Run"] == "a"
    assert transport.sent[2].headers["Only"] == "this" and "User-Agent" not in transport.sent[2].headers


def test_sessions_share_default_headers_until_one_changes_its_own() -> None:
    first, first_sent, _ = session_with(lambda request: MockResponse())
    second, second_sent, _ = session_with(lambda request: MockResponse())
    # Sharing is what keeps a sleeping user small: no mapping, no encoded block, no cookie jar.
    assert first._client._headers is second._client._headers
    assert first._client._cookies is None

    async def flow() -> None:
        first.headers["Authorization"] = "Bearer one"
        await first.get("/")
        await second.get("/")
        second.headers.update({"X-Second": "2"})
        await second.get("/")

    asyncio.run(flow())
    assert first_sent.sent[0].headers["Authorization"] == "Bearer one"
    assert "Authorization" not in second_sent.sent[0].headers
    assert second_sent.sent[0].headers["User-Agent"] == first_sent.sent[0].headers["User-Agent"]
    assert second_sent.sent[1].headers["X-Second"] == "2" and "X-Second" not in first.headers
    assert first._client._headers is not second._client._headers


def test_fast_sessions_share_default_headers_until_one_changes_its_own() -> None:
    transports = [MockTransport(lambda request: MockResponse()) for _ in range(3)]
    first, second = (FastHttpSession(base_url="http://shop.test", transport=t) for t in transports[:2])
    own = FastHttpSession(base_url="http://shop.test", transport=transports[2], headers={"X-Own": "1"})
    assert first._client._headers is second._client._headers
    assert own._client._headers is not first._client._headers

    async def flow() -> None:
        first.headers["Authorization"] = "Bearer one"
        for session in (first, second, own):
            await session.get("/")

    asyncio.run(flow())
    first_sent, second_sent, own_sent = (t.sent[0].headers for t in transports)
    assert first_sent["Authorization"] == "Bearer one" and "Authorization" not in second_sent
    assert own_sent["X-Own"] == "1" and "X-Own" not in second_sent
    assert first_sent["User-Agent"] == second_sent["User-Agent"] == own_sent["User-Agent"]


def test_text_encoding_fallbacks() -> None:
    bodies = {
        "/utf8-undeclared": MockResponse(headers={"Content-Type": "text/html"}, body="ünï".encode()),
        "/latin-undeclared": MockResponse(
            headers={"Content-Type": "text/html"}, body="ünï".encode("latin-1")
        ),
        "/declared": MockResponse(headers={"Content-Type": 'text/html; charset="cp1252"'}, body=b"\x80"),
    }
    session, _, _ = session_with(lambda request: bodies[request.path])

    async def flow() -> list[Any]:
        return [await session.get(path) for path in bodies]

    utf8, latin, declared = asyncio.run(flow())
    assert utf8.encoding is None and utf8.apparent_encoding == "utf-8" and utf8.text == "ünï"
    assert latin.apparent_encoding == "ISO-8859-1" and latin.text == "ünï"
    assert declared.encoding == "cp1252" and declared.text == "€"


def test_pending_catch_can_be_awaited_then_entered() -> None:
    session, _, samples = session_with(lambda request: MockResponse(status=500))

    async def flow() -> Any:
        response = await session.get("/x", catch_response=True)
        with response as r:
            r.success()
        return response

    response = asyncio.run(flow())
    assert response.status_code == 500 and samples[0][6] is None


def test_links_and_iter_lines() -> None:
    session, _, _ = session_with(
        lambda request: MockResponse(headers={"Link": '<https://x/2>; rel="next"'}, body=b"a\nb\r\nc")
    )
    response = asyncio.run(session.get("/"))
    assert response.links == {"next": {"url": "https://x/2", "rel": "next"}}
    assert list(response.iter_lines()) == [b"a", b"b", b"c"]
    assert list(response.iter_lines(decode_unicode=True)) == ["a", "b", "c"]


def test_as_recorder_accepts_environment_and_event_hooks() -> None:
    calls: list[Any] = []

    class Environment:
        def record_request(self, *sample: Any) -> None:
            calls.append(("env", sample))

    class Hook:
        def fire(self, **kwargs: Any) -> None:
            calls.append(("hook", kwargs["name"]))

    as_recorder(Environment())("GET", "n", 1.0, 0, None, {}, None, 0.0, "u")
    as_recorder(Hook())("GET", "n2", 1.0, 0, None, {}, None, 0.0, "u")
    as_recorder(None)("GET", "dropped", 1.0, 0, None, {}, None, 0.0, "u")
    assert calls[0][0] == "env" and calls[1] == ("hook", "n2") and len(calls) == 2
    with pytest.raises(TypeError):
        as_recorder(42)


def test_sync_call_outside_a_user_is_an_awaitable_not_a_block() -> None:
    session, _, _ = session_with(lambda request: MockResponse())
    pending = session.get("/")
    assert asyncio.iscoroutine(pending)
    pending.close()


class LateTransport(MockTransport):
    """Hands the response over 100 ms after it was complete, as a busy event loop would."""

    async def send(self, *args: Any) -> Any:
        raw = await super().send(*args)
        await asyncio.sleep(0.1)
        return raw


@pytest.mark.parametrize("session_class", [HttpSession, FastHttpSession])
def test_response_time_ends_when_the_response_was_complete(session_class: Any) -> None:
    # Not when the request's coroutine runs again: the delay in between is the generator's.
    samples = Samples()
    transport = LateTransport(lambda _: MockResponse())
    session = session_class(base_url="http://shop.test", recorder=samples, transport=transport)
    asyncio.run(session.get("/"))
    assert samples[0][2] < 50.0
