"""Horde's HTTP client: one asyncio engine (httptools + keep-alive pools) and its two faces.

``HttpSession`` behaves like ``requests.Session`` (for ``HttpUser``); ``FastHttpSession`` keeps
Locust's FastHttpSession API (for ``FastHttpUser``). Failures are data: a response with
``status_code == 0`` and an ``error`` whose ``category`` says what went wrong.
"""

from horde.http.catch import FastResponseContextManager, ResponseContextManager
from horde.http.cookies import CookieJar
from horde.http.engine import Engine
from horde.http.errors import (
    BadStatusCode,
    ConnectError,
    ConnectTimeout,
    HTTPError,
    InvalidSchema,
    InvalidURL,
    JSONDecodeError,
    MissingSchema,
    ProtocolError,
    ReadTimeout,
    RequestError,
    Timeout,
    TLSError,
    TooManyRedirects,
)
from horde.http.fast import FastHttpSession
from horde.http.headers import CaseInsensitiveDict
from horde.http.mock import MockResponse, MockTransport
from horde.http.prepared import PreparedRequest
from horde.http.response import FastResponse, Response
from horde.http.rest import RestMixin
from horde.http.session import HttpSession
from horde.stats.recording import Recorder

__all__ = [
    "BadStatusCode",
    "CaseInsensitiveDict",
    "ConnectError",
    "ConnectTimeout",
    "CookieJar",
    "Engine",
    "FastHttpSession",
    "FastResponse",
    "FastResponseContextManager",
    "HTTPError",
    "HttpSession",
    "InvalidSchema",
    "InvalidURL",
    "JSONDecodeError",
    "MissingSchema",
    "MockResponse",
    "MockTransport",
    "PreparedRequest",
    "ProtocolError",
    "ReadTimeout",
    "Recorder",
    "RequestError",
    "Response",
    "ResponseContextManager",
    "RestMixin",
    "TLSError",
    "Timeout",
    "TooManyRedirects",
]
