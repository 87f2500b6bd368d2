"""URL parsing for requests: where to connect, what goes on the request line, how to name it.

A load test requests the same few URLs again and again, so parsed URLs are cached (bounded) and
the hot path does one dict lookup instead of ``urlsplit`` + quoting per request.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import quote, unquote, urlencode, urlsplit

from horde.http.errors import InvalidSchema, InvalidURL, MissingSchema

DEFAULT_PORTS = {"http": 80, "https": 443}

# The characters requests leaves alone when it re-quotes a URL; anything else gets %-escaped.
_SAFE = "!#$%&'()*+,/:;=?@[]~"
_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9\-._~!#$%&'()*+,/:;=?@\[\]]")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")

_CACHE_LIMIT = 4096
_LOCAL_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class Origin(NamedTuple):
    """The pool key: one set of kept-alive connections per (scheme, host, port)."""

    scheme: str
    host: str
    port: int


class Target(NamedTuple):
    """A parsed absolute URL."""

    url: str
    """Normalised URL, as ``response.url`` reports it."""
    origin: Origin
    path_url: str
    """Path and query, quoted: the request-line target and Locust's default stats name."""
    host_header: str
    credentials: tuple[str, str] | None
    """``user:password@`` from the URL, which become basic auth (as requests and Locust do)."""
    line_tail: bytes
    """`` <path_url> HTTP/1.1\r\nHost: <host>\r\n``: the request head after the method, pre-encoded."""
    line_get: bytes
    """``GET`` and :attr:`line_tail`: a GET's head up to its headers, in one piece."""


URL_CACHE: dict[str, Target] = {}


def is_absolute(url: str) -> bool:
    """True for ``scheme://...``; anything else is a path to append to the session's base URL."""
    return url.startswith(("http://", "https://")) or _HAS_SCHEME.match(url) is not None


def parse_url(url: str) -> Target:
    """Parse and validate ``url``; raises :class:`InvalidURL` (or a subclass) for unusable URLs."""
    target = URL_CACHE.get(url)
    if target is None:
        target = _parse(url)
        if len(URL_CACHE) >= _CACHE_LIMIT:
            URL_CACHE.clear()
        URL_CACHE[url] = target
    return target


def host_problem(host: str) -> str | None:
    """Why ``host`` cannot be a base URL to request (``No host supplied``...), or None if it can."""
    try:
        parse_url(host)
    except InvalidURL as error:
        text, prefix = str(error), f"Invalid URL {host.lstrip()!r}: "
        return text[len(prefix) :] if text.startswith(prefix) else text
    return None


def requote(text: str) -> str:
    """%-escape characters that may not appear raw in a request line; keep existing escapes."""
    if _NEEDS_QUOTING.search(text) is None:
        return text
    return quote(text, safe=_SAFE)


def _parse(url: str) -> Target:
    url = url.lstrip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise InvalidURL(f"Invalid URL {url!r}: {error}") from None
    scheme = parts.scheme.lower()
    if not scheme or "://" not in url:
        raise MissingSchema(f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?")
    if scheme not in DEFAULT_PORTS:
        raise InvalidSchema(f"No connection adapters were found for {url!r}")
    host = parts.hostname
    if not host:
        raise InvalidURL(f"Invalid URL {url!r}: No host supplied")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as error:
            raise InvalidURL(f"Invalid URL {url!r}: bad host name ({error})") from None
    default_port = DEFAULT_PORTS[scheme]
    port = port or default_port
    bracketed = f"[{host}]" if ":" in host else host
    host_header = bracketed if port == default_port else f"{bracketed}:{port}"
    path_url = requote(parts.path or "/")
    if parts.query:
        path_url = f"{path_url}?{requote(parts.query)}"
    credentials = None
    if parts.username is not None:
        credentials = (unquote(parts.username), unquote(parts.password or ""))
    line_tail = f" {path_url} HTTP/1.1\r\nHost: {host_header}\r\n".encode("ascii")
    return Target(
        url=f"{scheme}://{host_header}{path_url}",
        origin=Origin(scheme, host, port),
        path_url=path_url,
        host_header=host_header,
        credentials=credentials,
        line_tail=line_tail,
        line_get=b"GET" + line_tail,
    )


def strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Remove ``user:password@`` from a base URL and return them separately."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    netloc = parts.netloc.rpartition("@")[2]
    clean = parts._replace(netloc=netloc).geturl()
    return clean, (unquote(parts.username), unquote(parts.password or ""))


def encode_params(params: Any) -> str:
    """Encode query parameters or form fields the way requests does.

    Accepts a str/bytes (used as is), a mapping, or a sequence of pairs; list values repeat the
    key and ``None`` values are dropped.
    """
    if isinstance(params, str):
        return params
    if isinstance(params, bytes):
        return params.decode("utf-8")
    if hasattr(params, "read"):
        return encode_params(params.read())
    pairs: list[tuple[Any, Any]] = []
    items: Iterable[tuple[Any, Any]] = params.items() if isinstance(params, Mapping) else params
    for key, values in items:
        if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
            values = (values,)
        for value in values:
            if value is not None:
                pairs.append((key, value))
    return urlencode(pairs)


def add_params(url: str, params: Any) -> str:
    """``url`` with ``params`` appended to its query (before any fragment)."""
    encoded = encode_params(params) if params is not None else ""
    if not encoded:
        return url
    url, _, fragment = url.partition("#")
    url = f"{url}{'&' if '?' in url else '?'}{encoded}"
    return f"{url}#{fragment}" if fragment else url


def is_loopback(host: str) -> bool:
    """True for a bind address that only this machine can reach ('' and '*' mean every interface)."""
    if host in ("", "*"):
        return False
    if host.lower() in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything
