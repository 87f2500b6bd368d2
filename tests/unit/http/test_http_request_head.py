"""The request heads HttpClient writes: exact bytes for a plain GET and for what turns it into more."""

from __future__ import annotations

from horde.http.client import HttpClient
from horde.http.cookies import CookieJar
from horde.http.headers import CaseInsensitiveDict
from horde.http.mock import MockTransport
from horde.http.prepared import PreparedRequest
from horde.http.urls import parse_url


def client(headers: dict[str, str]) -> HttpClient:
    return HttpClient(MockTransport(lambda _: None), CaseInsensitiveDict(headers))  # type: ignore[arg-type,return-value]


def get(path: str = "/p?q=1", **kwargs: object) -> PreparedRequest:
    return PreparedRequest("GET", parse_url("http://shop.test:8080" + path), **kwargs)  # type: ignore[arg-type]


def test_a_plain_get_and_a_change_of_the_session_headers() -> None:
    http = client({"Accept": "*/*"})
    assert http.build_head(get()) == b"GET /p?q=1 HTTP/1.1\r\nHost: shop.test:8080\r\nAccept: */*\r\n\r\n"
    http.headers["X-Trace"] = "1"
    assert http.build_head(get("/")) == (
        b"GET / HTTP/1.1\r\nHost: shop.test:8080\r\nAccept: */*\r\nX-Trace: 1\r\n\r\n"
    )


def test_a_host_among_the_session_headers_replaces_the_url_host() -> None:
    http = client({"Host": "virtual.test", "Accept": "*/*"})
    assert http.build_head(get("/")) == b"GET / HTTP/1.1\r\nHost: virtual.test\r\nAccept: */*\r\n\r\n"


def test_cookies_extra_headers_and_other_methods_are_added_to_a_get_head() -> None:
    http = client({"Accept": "*/*"})
    start = b"GET / HTTP/1.1\r\nHost: shop.test:8080\r\nAccept: */*\r\n"
    assert http.build_head(get("/", cookies={"a": "1"})) == start + b"Cookie: a=1\r\n\r\n"
    assert http.build_head(get("/", extra_headers={"X-One": "1"})) == start + b"X-One: 1\r\n\r\n"
    assert http.build_head(get("/", auth="Basic eDp5")) == start + b"Authorization: Basic eDp5\r\n\r\n"
    delete = PreparedRequest("DELETE", parse_url("http://shop.test:8080/"))
    assert http.build_head(delete) == start.replace(b"GET", b"DELETE") + b"\r\n"
    http.cookies = CookieJar()
    http.cookies.extract("http://shop.test:8080/", ["sid=7"])
    assert http.build_head(get("/")) == start + b"Cookie: sid=7\r\n\r\n"
