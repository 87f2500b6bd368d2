"""Per-session cookies: ``http.cookiejar`` semantics behind a requests-like dict interface.

The standard library implements the policy (domain, path, expiry, secure); this module only adapts
our request/response objects to the urllib shapes it expects. A session without cookies pays one
emptiness check per request.
"""

from __future__ import annotations

import http.cookiejar
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit


class CookieJar(http.cookiejar.CookieJar):
    """A cookie jar that can also be used like a dict of name -> value (as ``requests`` allows)."""

    def is_empty(self) -> bool:
        return not self._cookies  # type: ignore[attr-defined]

    # -- dict-like access -------------------------------------------------------------------------

    def get(
        self, name: str, default: str | None = None, domain: str | None = None, path: str | None = None
    ) -> Any:
        for cookie in self:
            if cookie.name == name and _matches(cookie, domain, path):
                return cookie.value
        return default

    def set(
        self,
        name: str,
        value: str | None,
        *,
        domain: str = "",
        path: str = "/",
        secure: bool = False,
        expires: int | None = None,
    ) -> None:
        """Add a cookie, or remove it when ``value`` is None. An empty domain matches every host."""
        if value is None:
            self.remove(name, domain=domain or None, path=path)
            return
        self.set_cookie(make_cookie(name, value, domain=domain, path=path, secure=secure, expires=expires))

    def remove(self, name: str, domain: str | None = None, path: str | None = None) -> None:
        for cookie in list(self):
            if cookie.name == name and _matches(cookie, domain, path):
                self.clear(cookie.domain, cookie.path, cookie.name)

    def __getitem__(self, name: str) -> str:
        value = self.get(name, _MISSING)
        if value is _MISSING:
            raise KeyError(name)
        return value

    def __setitem__(self, name: str, value: str) -> None:
        self.set(name, value)

    def __delitem__(self, name: str) -> None:
        self.remove(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            return any(cookie.name == name for cookie in self)
        return any(cookie is name for cookie in self)

    def keys(self) -> list[str]:
        return [cookie.name for cookie in self]

    def values(self) -> list[str | None]:
        return [cookie.value for cookie in self]

    def items(self) -> list[tuple[str, str | None]]:
        return [(cookie.name, cookie.value) for cookie in self]

    def get_dict(self, domain: str | None = None, path: str | None = None) -> dict[str, str | None]:
        return {cookie.name: cookie.value for cookie in self if _matches(cookie, domain, path)}

    def update(self, other: Mapping[str, str] | http.cookiejar.CookieJar) -> None:
        if isinstance(other, http.cookiejar.CookieJar):
            for cookie in other:
                self.set_cookie(cookie)
        else:
            for name, value in other.items():
                self.set(name, value)

    # -- the engine's side ------------------------------------------------------------------------

    def header_for(self, url: str) -> str | None:
        """The ``Cookie`` header value to send to ``url``, or None."""
        if not self._cookies:  # type: ignore[attr-defined]
            return None
        request = _UrllibRequest(url)
        self.add_cookie_header(request)  # type: ignore[arg-type]
        return request.cookie

    def extract(self, url: str, set_cookie_values: list[str]) -> None:
        """Store the cookies of one response to ``url``."""
        self.extract_cookies(_UrllibResponse(set_cookie_values), _UrllibRequest(url))  # type: ignore[arg-type]


_MISSING: Any = object()


def _matches(cookie: http.cookiejar.Cookie, domain: str | None, path: str | None) -> bool:
    return (domain is None or cookie.domain == domain) and (path is None or cookie.path == path)


def make_cookie(
    name: str,
    value: str,
    *,
    domain: str = "",
    path: str = "/",
    secure: bool = False,
    expires: int | None = None,
) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=bool(domain),
        domain_initial_dot=domain.startswith("."),
        path=path,
        path_specified=True,
        secure=secure,
        expires=expires,
        discard=expires is None,
        comment=None,
        comment_url=None,
        rest={},
    )


def merge_cookie_header(jar_header: str | None, extra: Mapping[str, str] | http.cookiejar.CookieJar) -> str:
    """Per-request ``cookies=`` on top of the session's: same names are replaced, not duplicated."""
    merged: dict[str, str] = {}
    if jar_header:
        for pair in jar_header.split("; "):
            name, _, value = pair.partition("=")
            merged[name] = value
    items: Iterator[tuple[str, Any]] | Any = (
        ((cookie.name, cookie.value) for cookie in extra)
        if isinstance(extra, http.cookiejar.CookieJar)
        else extra.items()
    )
    for name, value in items:
        merged[name] = "" if value is None else str(value)
    return "; ".join(f"{name}={value}" for name, value in merged.items())


class _UrllibRequest:
    """The parts of ``urllib.request.Request`` that ``http.cookiejar`` reads and writes."""

    def __init__(self, url: str) -> None:
        self._url = url
        parts = urlsplit(url)
        self.type = parts.scheme
        self.host = parts.netloc.rpartition("@")[2]
        self.origin_req_host = parts.hostname or ""
        self.unverifiable = False
        self.cookie: str | None = None

    def get_full_url(self) -> str:
        return self._url

    def get_type(self) -> str:
        return self.type

    def get_host(self) -> str:
        return self.host

    def get_origin_req_host(self) -> str:
        return self.origin_req_host

    def is_unverifiable(self) -> bool:
        return False

    def has_header(self, name: str) -> bool:
        return name.lower() == "cookie" and self.cookie is not None

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self.host if name.lower() == "host" else default

    def add_unredirected_header(self, name: str, value: str) -> None:
        if name.lower() == "cookie":
            self.cookie = value


class _UrllibResponse:
    """``http.cookiejar`` reads Set-Cookie lines through ``response.info().get_all()``."""

    def __init__(self, set_cookie_values: list[str]) -> None:
        self._values = set_cookie_values

    def info(self) -> _UrllibResponse:
        return self

    def get_all(self, name: str, default: Any = None) -> list[str] | Any:
        if name.lower() == "set-cookie":
            return self._values or default
        return default
