"""URL parsing, quoting and parameter encoding (pure functions)."""

from __future__ import annotations

import pytest

from horde.http.errors import InvalidSchema, InvalidURL, MissingSchema
from horde.http.urls import (
    Origin,
    add_params,
    encode_params,
    is_absolute,
    parse_url,
    requote,
    strip_credentials,
)


def test_parse_url_parts() -> None:
    target = parse_url("http://Example.COM/a/b?x=1#frag")
    assert target.origin == Origin("http", "example.com", 80)
    assert target.url == "http://example.com/a/b?x=1"
    assert target.path_url == "/a/b?x=1"
    assert target.host_header == "example.com"
    assert target.line_tail == b" /a/b?x=1 HTTP/1.1\r\nHost: example.com\r\n"
    assert target.credentials is None


@pytest.mark.parametrize(
    ("url", "origin", "host_header", "path_url"),
    [
        ("https://h", Origin("https", "h", 443), "h", "/"),
        ("https://h:8443?q", Origin("https", "h", 8443), "h:8443", "/?q"),
        ("http://[::1]:8080/x", Origin("http", "::1", 8080), "[::1]:8080", "/x"),
        ("http://h:80/", Origin("http", "h", 80), "h", "/"),
        ("http://bücher.example/", Origin("http", "xn--bcher-kva.example", 80), "xn--bcher-kva.example", "/"),
    ],
)
def test_origins_and_host_headers(url: str, origin: Origin, host_header: str, path_url: str) -> None:
    target = parse_url(url)
    assert (target.origin, target.host_header, target.path_url) == (origin, host_header, path_url)


def test_credentials_in_url() -> None:
    target = parse_url("http://user:p%40ss@h/x")
    assert target.credentials == ("user", "p@ss")
    assert target.host_header == "h" and "user" not in target.url
    assert strip_credentials("http://user:pw@h:81/base") == ("http://h:81/base", ("user", "pw"))
    assert strip_credentials("http://h/base") == ("http://h/base", None)


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("/relative/only", MissingSchema),
        ("example.com/x", MissingSchema),
        ("ftp://example.com/x", InvalidSchema),
        ("http:///nohost", InvalidURL),
        ("http://h:notaport/", InvalidURL),
    ],
)
def test_invalid_urls_raise(url: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_url(url)


def test_requote_keeps_escapes_and_quotes_the_rest() -> None:
    assert requote("/a%20b/c?d=e&f") == "/a%20b/c?d=e&f"
    assert requote("/a b/ü") == "/a%20b/%C3%BC"
    assert requote('/"<x>"') == "/%22%3Cx%3E%22"


def test_is_absolute() -> None:
    assert is_absolute("http://h") and is_absolute("HTTPS://h") and is_absolute("ftp://h")
    assert not is_absolute("/path") and not is_absolute("path?x=http://h")


def test_encode_params_like_requests() -> None:
    assert encode_params({"q": "a b", "n": 1, "skip": None}) == "q=a+b&n=1"
    assert encode_params([("t", "x"), ("t", "y")]) == "t=x&t=y"
    assert encode_params({"t": ["x", "y"], "u": ("z",)}) == "t=x&t=y&u=z"
    assert encode_params("raw=1&x") == "raw=1&x"
    assert encode_params(b"b=2") == "b=2"
    assert encode_params({"é": "ü"}) == "%C3%A9=%C3%BC"


def test_add_params_appends_before_fragment() -> None:
    assert add_params("http://h/p", {"a": 1}) == "http://h/p?a=1"
    assert add_params("http://h/p?x=0", {"a": 1}) == "http://h/p?x=0&a=1"
    assert add_params("http://h/p#top", {"a": 1}) == "http://h/p?a=1#top"
    assert add_params("http://h/p", {}) == "http://h/p"
    assert add_params("http://h/p", {"a": None}) == "http://h/p"
