"""Why a request failed, as data.

Transport failures never escape a session: they become a response with ``status_code == 0`` whose
``error`` is one of these exceptions. Each class carries a stable ``category`` so statistics and
reports can group failures without parsing messages. Only mistakes in the URL itself
(:class:`InvalidURL` and its subclasses) are raised to the caller, as ``requests`` does.

Each is also the matching exception of ``requests`` (which Locust's HttpUser is built on), so a
locustfile's ``except requests.exceptions.ConnectionError`` or ``except RequestException`` catches
it as under Locust.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from requests import exceptions as _requests


class RequestError(_requests.RequestException):
    """Base of every failure of one HTTP request; ``category`` names the kind for reports."""

    category: ClassVar[str] = "request"

    def __init__(self, *args: object, response: Any = None, request: Any = None) -> None:
        super().__init__(*args)
        self.response = response
        self.request = request

    @property
    def original(self) -> BaseException | None:
        """The underlying exception (``__cause__``), as geventhttpclient's errors carry it under
        Locust's FastHttpUser: a locustfile may check ``response.error.original``."""
        return self.__cause__


class ConnectError(RequestError, _requests.ConnectionError):
    """The connection could not be opened, or the peer reset/closed it without answering.

    Covers refused connections, unreachable hosts, DNS failures and resets; the underlying
    ``OSError`` is kept as ``__cause__``.
    """

    category = "connect"


class ConnectionDropped(ConnectError):
    """The server closed the connection before sending a single byte of the response.

    On a reused keep-alive connection this usually means the server timed the idle connection
    out just as we used it, so the engine retries once on a fresh connection. (Defined here, not
    in the compiled connection module: mypyc cannot compile a subclass of requests' exceptions.)
    """


class Timeout(RequestError, _requests.Timeout):
    """A timeout expired; see :class:`ConnectTimeout` and :class:`ReadTimeout`."""

    category = "timeout"

    @property
    def original(self) -> BaseException | None:
        """A ``socket.timeout`` (``TimeoutError``) when Horde's own deadline expired, as Locust's."""
        return self.__cause__ or TimeoutError(str(self))


class ConnectTimeout(Timeout, _requests.ConnectTimeout):
    """Opening the connection (TCP and TLS handshake, or waiting for a pool slot) took too long."""


class ReadTimeout(Timeout, _requests.ReadTimeout):
    """The server did not deliver the complete response in time after the request was sent."""


class RequestUnfinished(Timeout):
    """Sent, and still unanswered when the test stopped its user (see
    ``horde.stats.request_stats.SampleRecorder.unfinished`` for when it counts as a failure)."""

    category = "unfinished"


class TLSError(RequestError, _requests.SSLError):
    """The TLS handshake failed: certificate not trusted, wrong host name, protocol mismatch."""

    category = "tls"


class ProtocolError(RequestError):
    """The server answered with something that is not valid HTTP/1.1, or broke off mid-response.

    Also used for undecodable compressed bodies.
    """

    category = "protocol"


class ResponseTooLarge(ProtocolError):
    """The response broke one of the limits of :mod:`horde.http.limits` (its head, its body, or its
    body once decompressed); the connection was closed."""

    category = "too_large"


class TooManyRedirects(ProtocolError, _requests.TooManyRedirects):
    """More redirects than the session allows (30 by default, as in requests and Locust)."""


class HTTPError(RequestError, _requests.HTTPError):
    """The server answered with an error status (``raise_for_status()`` and the default failure rule).

    Unlike the transport errors, the response here is a real one: ``response`` holds it.
    """

    category = "http-status"


class BadStatusCode(HTTPError):
    """FastHttpSession: the status is outside the set Locust's FastHttpUser accepts as success."""

    def __init__(self, url: str, code: int, *, response: Any = None) -> None:
        super().__init__(url, response=response)
        self.url = url
        self.code = code

    def __str__(self) -> str:
        return f"Bad status code {self.code} for url {self.url}"

    def __repr__(self) -> str:
        return f"BadStatusCode({self.url!r}, code={self.code})"


class InvalidURL(RequestError, _requests.InvalidURL):
    """The URL cannot be requested at all. Raised to the caller, never recorded as a sample."""

    category = "usage"


class MissingSchema(InvalidURL, _requests.MissingSchema):
    """The URL has no ``http://`` or ``https://`` prefix (and the session has no base URL)."""


class InvalidSchema(InvalidURL, _requests.InvalidSchema):
    """The URL's scheme is neither ``http`` nor ``https``."""


class JSONDecodeError(json.JSONDecodeError):
    """``response.json()`` on a body that is not JSON; also a ``ValueError`` like requests' own."""
