"""``FastHttpSession``: Locust's FastHttpUser client API on the same engine as ``HttpSession``.

Where Locust's two clients differ, this one behaves like FastHttpSession: statuses outside 200-208,
226, 301-304, 307, 308 are failures; the stats name is the URL string as passed; ``response.url``
is the URL requested (not the final one after redirects); TLS is not verified by default
(``insecure=True``); timeouts are ``connection_timeout`` / ``network_timeout`` (60 s each).
"""

from __future__ import annotations

import ssl
import time
from asyncio import CancelledError
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Final

from librt.time import time as wall_clock
from mypy_extensions import mypyc_attr

from horde.http.auth import basic_auth
from horde.http.body import encode_body
from horde.http.catch import FastResponseContextManager
from horde.http.client import HttpClient
from horde.http.cookies import CookieJar
from horde.http.decoding import ACCEPT_ENCODING
from horde.http.engine import Engine
from horde.http.exchange import Transport
from horde.http.headers import CaseInsensitiveDict
from horde.http.pipeline import RequestPipeline
from horde.http.prepared import PreparedRequest, check_method
from horde.http.redirects import DEFAULT_MAX_REDIRECTS
from horde.http.reporting import report_unfinished, request_hook
from horde.http.response import FastResponse, Response
from horde.http.session import deliver, plain_call
from horde.http.tls import client_context
from horde.http.urls import strip_credentials
from horde.stats.recording import as_recorder
from horde.version import __version__

__all__ = ["FastHttpSession", "FastResponse", "FastResponseContextManager"]

# Bound Final: compiled code (hatch_build.py) reads a Final as a C static; any other module-level
# name is looked up in the module's dict at every use, and these are used at every request.
_perf_counter: Final = time.perf_counter


# Compiled by mypyc at install (hatch_build.py); FastHttpUser hands out a Python subclass, which
# keeps a __dict__ so that locustfiles may set any attribute on self.client.
@mypyc_attr(allow_interpreted_subclasses=True)
class FastHttpSession(RequestPipeline):
    """Locust's FastHttpSession, constructed from FastHttpUser's class attributes.

    ``FastHttpSession(environment=None, base_url=..., user=None, recorder=None, **settings)`` where
    settings are FastHttpUser's attributes: ``network_timeout``, ``connection_timeout``,
    ``max_redirects``, ``insecure``, ``default_headers`` (or Locust's ``headers``),
    ``concurrency`` (connections per origin), ``ssl_context_factory``. ``max_retries``,
    ``proxy_host``, ``proxy_port`` and ``client_pool`` are accepted and ignored. Samples go to
    ``recorder``, else to ``environment`` (its request event).
    """

    def __init__(
        self,
        environment: Any = None,
        base_url: str | None = None,
        user: Any = None,
        recorder: Any = None,
        *,
        insecure: bool = True,
        network_timeout: float | None = 60.0,
        connection_timeout: float | None = 60.0,
        max_redirects: int = DEFAULT_MAX_REDIRECTS,
        default_headers: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        concurrency: int = 10,
        ssl_context_factory: Callable[[], ssl.SSLContext] | None = None,
        transport: Transport | None = None,
        request_event: Any = None,
        **ignored: Any,
    ) -> None:
        self.environment = environment
        base_url, credentials = strip_credentials(base_url) if base_url else ("", None)
        self.base_url = base_url
        self.auth_header = basic_auth(*credentials) if credentials else None
        self.user = user
        self.network_timeout = network_timeout
        self.connection_timeout = connection_timeout
        self.max_redirects = max_redirects
        self.insecure = insecure
        context = getattr(user, "context", None)
        self._user_context = (
            context if callable(context) and not getattr(context, "returns_nothing", False) else None
        )
        self.request_event: Any = request_event if request_event is not None else request_hook(environment)
        """Locust's attribute: the ``request`` hook, which another session can report to."""
        self._recorder = as_recorder(
            recorder if recorder is not None else request_event if request_event is not None else environment
        )
        self._tls: Any = (
            ssl_context_factory() if ssl_context_factory is not None else client_context(not insecure)
        )
        self._transport: Transport = transport if transport is not None else Engine(concurrency)
        # The last request's URL string, base URL and parsed target (see RequestPipeline._target).
        self._last_url = None
        self._last_base = None
        self._last_target = None
        # Whether ``request`` is this class's own, so that the verbs may skip it (see _send); as in
        # HttpSession, FastUserSession decides for itself.
        self._own_request = type(self) is FastHttpSession
        custom = default_headers or headers
        if custom:
            session_headers = _fast_default_headers()
            session_headers.update(custom)
            self._client = HttpClient(self._transport, session_headers)
        else:  # one mapping for every such session, copied by a session that reads ``headers``
            self._client = HttpClient(self._transport, _shared_fast_default_headers(), shared_headers=True)

    @property
    def cookiejar(self) -> CookieJar:
        return self._client.cookies

    @property
    def cookies(self) -> CookieJar:
        """The same jar as ``cookiejar`` (a property of its own: mypyc cannot alias one)."""
        return self._client.cookies

    @property
    def headers(self) -> CaseInsensitiveDict:
        """Headers sent with every request (FastHttpUser's ``default_headers`` plus defaults)."""
        return self._client.headers

    def close(self) -> None:
        self._transport.close()

    def request(
        self,
        method: str,
        url: str,
        name: str | None = None,
        data: Any = None,
        catch_response: bool = False,
        stream: bool = False,
        headers: Mapping[str, Any] | None = None,
        auth: Any = None,
        json: Any = None,
        allow_redirects: bool = True,
        context: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Send a request and report it. Extra keyword arguments: ``params``, ``files``, ``timeout``."""
        coro = FastHttpSession._request(  # the class's own: see _send()
            self, check_method(method), url, name, data, catch_response, stream, headers, auth, json,
            allow_redirects, context, kwargs.get("params"), kwargs.get("files"), kwargs.get("timeout"),
        )  # fmt: skip
        return deliver(coro, catch_response)

    # As in HttpSession: the verbs go through ``self.request``, unless it is this class's own and
    # their keywords are at most ``name`` and ``catch_response``; then through _send.

    def get(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "GET", url, None, None, kwargs)
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "HEAD", url, None, None, kwargs)
        return self.request("HEAD", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "OPTIONS", url, None, None, kwargs)
        return self.request("OPTIONS", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "DELETE", url, None, None, kwargs)
        return self.request("DELETE", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "POST", url, data, json, kwargs)
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "PUT", url, data, None, kwargs)
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return FastHttpSession._send(self, "PATCH", url, data, None, kwargs)
        return self.request("PATCH", url, data=data, **kwargs)

    def _send(self, method: str, url: str, data: Any, json: Any, kwargs: dict[str, Any]) -> Any:
        """``request(method, url, data=data, json=json, **kwargs)`` for the verbs: _request called
        through the class with every argument written out (see HttpSession._send)."""
        name: str | None = None
        catch_response: bool = False
        if kwargs:
            name = kwargs.get("name")
            catch_response = kwargs.get("catch_response", False)
        coro = FastHttpSession._request(
            self, method, url, name, data, catch_response,
            False, None, None, json, True, None, None, None, None,  # the options
        )  # fmt: skip
        return deliver(coro, catch_response)

    async def _request(
        self,
        method: str,
        url: str,
        name: str | None,
        data: Any,
        catch_response: bool,
        stream: bool,
        headers: Mapping[str, Any] | None,
        auth: Any,
        json: Any,
        allow_redirects: bool,
        context: dict[str, Any] | None,
        params: Any,
        files: Any,
        timeout: Any,
    ) -> Response:
        start_time = wall_clock()  # librt's time.time(): a C call in compiled code
        started = _perf_counter()
        method = method.upper()
        target = RequestPipeline._target(self, url, params, False)
        if data is None and json is None and not files:
            body = content_type = None
        else:
            body, content_type = encode_body(data, json, files)
        if auth is not None:
            auth_value: str | None = basic_auth(auth[0], auth[1])
        elif target.credentials is not None:
            auth_value = basic_auth(*target.credentials)
        else:
            auth_value = self.auth_header
        request = PreparedRequest(method, target, headers or None, body, content_type, auth_value)
        read_timeout = self.network_timeout if timeout is None else float(timeout)
        try:
            sent, raw, error, hops = await self._client.send(
                request, allow_redirects, self.max_redirects, self.connection_timeout, read_timeout, self._tls
            )
        except CancelledError:  # the user was stopped with the request on its way
            report_unfinished(self._recorder, method, name or url, started, start_time, target.url)
            raise
        return RequestPipeline._settle(
            self, True, method, name or url, context, catch_response, stream, started, start_time,
            target, sent, raw, error, hops,
        )  # fmt: skip


def _fast_default_headers() -> CaseInsensitiveDict:
    return CaseInsensitiveDict({"User-Agent": f"horde/{__version__}", "Accept-Encoding": ACCEPT_ENCODING})


@cache
def _shared_fast_default_headers() -> CaseInsensitiveDict:
    return _fast_default_headers()
