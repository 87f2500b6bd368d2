"""What both session faces share: request heads, cookies, redirects, and the transport.

A face (``HttpSession`` or ``FastHttpSession``) turns user arguments into a
:class:`PreparedRequest`, calls :meth:`HttpClient.send`, and builds its own response type from
the outcome. Keeping this layer free of response classes is what lets the two faces differ only
where Locust's two clients differ.
"""

from __future__ import annotations

from typing import Any, Final

from horde.http.cookies import CookieJar, merge_cookie_header
from horde.http.engine import Engine
from horde.http.errors import RequestError, TooManyRedirects
from horde.http.exchange import RawResponse, Transport
from horde.http.headers import CaseInsensitiveDict, merge_headers
from horde.http.prepared import PreparedRequest
from horde.http.redirects import REDIRECT_STATUSES, keeps_auth, keeps_body, location_url, next_method
from horde.http.tls import CertSetting, VerifySetting, client_context
from horde.http.urls import parse_url
from horde.http.wire import encode_headers, encode_value

_METHODS_WITH_BODY: Final = frozenset({"POST", "PUT", "PATCH"})
_BODY_HEADERS: Final = ("content-type", "content-length", "transfer-encoding")
_METHOD_BYTES: Final = {
    m: m.encode("ascii") for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
}

# Encoded shared header mappings, keyed by id(): those mappings live as long as the process.
_SHARED_ENCODINGS: Final[dict[int, tuple[int, bytes, frozenset[str]]]] = {}
_REDIRECT_STATUSES: Final = REDIRECT_STATUSES  # Final: a C static when compiled, not a dict lookup

Hops = list[tuple[PreparedRequest, RawResponse]]
Outcome = tuple[PreparedRequest, "RawResponse | None", "RequestError | None", "Hops | None"]
"""(last request sent, its response or None, the error or None, redirect hops before it or None).

A plain tuple: it is built once per request and unpacked at once.
"""


class HttpClient:
    """Sends prepared requests over a transport, with session headers and a cookie jar.

    With ``shared_headers=True`` the ``headers`` mapping is shared by many clients (every user's
    defaults) and copied the first time :attr:`headers` is read, so a user that never touches
    its headers costs no mapping of its own; likewise the cookie jar exists once a cookie does.
    That is a few hundred bytes each per mostly-sleeping user, at 100,000 users tens of MiB.
    """

    def __init__(
        self,
        transport: Transport,
        headers: CaseInsensitiveDict,
        cookies: CookieJar | None = None,
        *,
        shared_headers: bool = False,
    ) -> None:
        self.transport = transport
        # The real transport, typed: compiled code then creates and drives its send coroutine
        # directly, not through a method lookup, a generic call and the generic send protocol.
        self._engine = transport if isinstance(transport, Engine) else None
        self._headers = headers
        self._headers_shared = shared_headers
        self._cookies = cookies
        self._defaults_for: CaseInsensitiveDict | None = None
        self._defaults_version = -1
        self._defaults_block = b""
        self._defaults_names: frozenset[str] = frozenset()
        self._defaults_end = b""  # the block and the blank line: the end of a plain GET's head

    @property
    def headers(self) -> CaseInsensitiveDict:
        """This client's session headers (its own copy from the first read on)."""
        if self._headers_shared:
            self._headers = CaseInsensitiveDict(self._headers.items_original())
            self._headers_shared = False
        return self._headers

    @headers.setter
    def headers(self, value: CaseInsensitiveDict) -> None:
        self._headers = value
        self._headers_shared = False

    @property
    def cookies(self) -> CookieJar:
        if self._cookies is None:
            self._cookies = CookieJar()
        return self._cookies

    @cookies.setter
    def cookies(self, value: CookieJar) -> None:
        self._cookies = value

    async def send(
        self,
        request: PreparedRequest,
        allow_redirects: bool,
        max_redirects: int,
        connect_timeout: float | None,
        read_timeout: float | None,
        verify: VerifySetting | Any,
        cert: CertSetting = None,
    ) -> Outcome:
        """Send ``request`` and follow redirects; a transport failure comes back as the error.

        ``verify`` is a requests-style setting (bool or CA path) or a ready ``ssl.SSLContext``.
        """
        hops: Hops | None = None
        engine = self._engine
        while True:
            target = request.target
            tls = None
            if target.origin.scheme == "https":
                tls = verify if not isinstance(verify, (bool, str)) else client_context(verify, cert)
            request.head = self.build_head(request)
            try:
                if engine is not None:
                    raw = await engine.send(request, connect_timeout, read_timeout, tls)
                else:
                    raw = await self.transport.send(request, connect_timeout, read_timeout, tls)
            except RequestError as error:
                return request, None, error, hops
            if raw.set_cookies is not None:
                self.cookies.extract(target.url, [value.decode("latin-1") for value in raw.set_cookies])
            if not allow_redirects or raw.status not in _REDIRECT_STATUSES:
                return request, raw, None, hops
            location = raw.header(b"location")
            if location is None:
                return request, raw, None, hops
            if hops is None:
                hops = []
            hops.append((request, raw))
            if len(hops) > max_redirects:
                too_many = TooManyRedirects(f"Exceeded {max_redirects} redirects.", request=request)
                return request, raw, too_many, hops
            try:
                request = self._follow(request, raw.status, location)
            except RequestError as error:  # a Location we cannot request
                return request, raw, error, hops

    def build_head(self, request: PreparedRequest) -> bytes:
        """The complete request head: request line, Host, headers, body framing, auth, cookies."""
        target = request.target
        extra = request.extra_headers
        auth = request.auth
        headers = self._headers
        jar = self._cookies
        # Nothing to add after the headers: a GET without body, auth or cookies (the common case).
        bare = (
            request.method == "GET"
            and request.body is None
            and auth is None
            and not request.cookies
            and (jar is None or not jar._cookies)  # type: ignore[attr-defined]
        )
        if extra is None and auth is None:
            if headers is not self._defaults_for or headers.version != self._defaults_version:
                self._encode_defaults()
            if bare and self._defaults_end:
                return target.line_get + self._defaults_end  # in one piece
            block = self._defaults_block
            names = self._defaults_names
        else:
            items = merge_headers(headers, extra)
            if auth is not None:
                items = [pair for pair in items if pair[0].lower() != "authorization"]
            block = encode_headers(items)
            names = frozenset(name.lower() for name, _ in items)
        method = request.method
        method_bytes = _METHOD_BYTES.get(method) or method.encode("ascii")
        if "host" in names:
            parts = [method_bytes, f" {target.path_url} HTTP/1.1\r\n".encode("ascii"), block]
        else:
            parts = [method_bytes, target.line_tail, block]
        body = request.body
        if bare:
            parts.append(b"\r\n")
            return b"".join(parts)
        if request.content_type is not None and "content-type" not in names:
            parts.append(b"Content-Type: %s\r\n" % request.content_type.encode("latin-1"))
        if "content-length" not in names:
            if body is not None:
                parts.append(b"Content-Length: %d\r\n" % len(body))
            elif method in _METHODS_WITH_BODY:
                parts.append(b"Content-Length: 0\r\n")
        if auth is not None:
            parts.append(b"Authorization: %s\r\n" % encode_value(auth))
        if "cookie" not in names:
            cookie = self._cookie_header(target.url, request.cookies)
            if cookie:
                parts.append(b"Cookie: %s\r\n" % encode_value(cookie))
        parts.append(b"\r\n")
        return b"".join(parts)

    def _encode_defaults(self) -> None:
        """Encode the session headers; redone only when the mapping changed (its ``version``).

        Shared headers are encoded once for all the clients that share them.
        """
        headers = self._headers
        encoded = _SHARED_ENCODINGS.get(id(headers)) if self._headers_shared else None
        if encoded is None or encoded[0] != headers.version:
            items = [(name, value) for name, value in headers.items_original() if value is not None]
            encoded = (headers.version, encode_headers(items), frozenset(name.lower() for name, _ in items))
            if self._headers_shared:
                _SHARED_ENCODINGS[id(headers)] = encoded
        _, self._defaults_block, self._defaults_names = encoded
        # Empty when the session headers name a Host: the request line then goes without one.
        self._defaults_end = b"" if "host" in self._defaults_names else self._defaults_block + b"\r\n"
        self._defaults_for = headers
        self._defaults_version = headers.version

    def _cookie_header(self, url: str, extra: Any) -> str | None:
        jar_cookie = self._cookies.header_for(url) if self._cookies is not None else None
        if extra:
            return merge_cookie_header(jar_cookie, extra)
        return jar_cookie

    def _follow(self, request: PreparedRequest, status: int, location: bytes) -> PreparedRequest:
        target = parse_url(location_url(request.target.url, location))
        extra: dict[str, Any] | None = dict(request.extra_headers) if request.extra_headers else None
        body, content_type = request.body, request.content_type
        if not keeps_body(status):
            body = content_type = None
            if extra is not None:
                extra = {k: v for k, v in extra.items() if k.lower() not in _BODY_HEADERS}
        auth = request.auth
        if not keeps_auth(request.target, target):
            auth = None
            # Also drop an Authorization set as a session or per-request header (None removes it).
            extra = {k: v for k, v in (extra or {}).items() if k.lower() != "authorization"}
            extra["Authorization"] = None
        return PreparedRequest(
            next_method(status, request.method), target, extra, body, content_type, auth, request.cookies
        )
