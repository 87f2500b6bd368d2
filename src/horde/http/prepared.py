"""``PreparedRequest``: what one hop of a request sends, and what ``response.request`` shows."""

from __future__ import annotations

import http.cookiejar
import re
from collections.abc import Mapping
from typing import Any

from horde.http.headers import CaseInsensitiveDict
from horde.http.urls import Target

_COMMON_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_method(method: str) -> str:
    """``method`` if it can start a request line (an HTTP token), else ValueError, as Locust's
    clients raise: an empty one would send `` /path HTTP/1.1``."""
    if method in _COMMON_METHODS or _TOKEN.fullmatch(method):
        return method
    raise ValueError(f"Invalid HTTP method {method!r}: expected a name such as GET or POST")


class PreparedRequest:
    """Method, target, per-request headers, body; ``head`` holds the exact bytes sent.

    ``extra_headers`` are only the per-request ones; the session's defaults are merged when the
    head is built, so the common case of no per-request headers costs no merge.
    """

    __slots__ = ("auth", "body", "content_type", "cookies", "extra_headers", "head", "method", "target")

    def __init__(
        self,
        method: str,
        target: Target,
        extra_headers: Mapping[str, Any] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        auth: str | None = None,
        cookies: Mapping[str, str] | http.cookiejar.CookieJar | None = None,
    ) -> None:
        self.method = method
        self.target = target
        self.extra_headers = extra_headers
        self.body = body
        self.content_type = content_type
        self.auth = auth
        """The ``Authorization`` value this request must carry (overrides header defaults)."""
        self.cookies = cookies
        self.head = b""

    @property
    def url(self) -> str:
        return self.target.url

    @property
    def path_url(self) -> str:
        return self.target.path_url

    @property
    def headers(self) -> CaseInsensitiveDict:
        """The headers as sent (parsed back from the head); before sending, the per-request ones,
        editable (requests-style auth callables set ``Authorization`` here)."""
        if not self.head:
            if not isinstance(self.extra_headers, CaseInsensitiveDict):
                self.extra_headers = CaseInsensitiveDict(self.extra_headers or {})
            return self.extra_headers
        headers = CaseInsensitiveDict()
        for line in self.head.split(b"\r\n")[1:]:
            if line:
                name, _, value = line.partition(b":")
                headers[name.decode("latin-1")] = value.strip().decode("latin-1")
        return headers

    def __repr__(self) -> str:
        return f"<PreparedRequest [{self.method}]>"
