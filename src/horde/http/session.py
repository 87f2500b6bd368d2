"""``HttpSession``: the ``requests.Session``-like client of ``HttpUser``, on Horde's engine.

Every request method has two faces. In plain-``def`` user code (running inside the greenlet
bridge) it blocks and returns the response; in ``async def`` code it returns an awaitable. With
``catch_response=True`` the result works in ``with`` (sync) and ``async with`` (async).
"""

from __future__ import annotations

import logging
import time
from asyncio import CancelledError
from collections.abc import Coroutine, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from typing import Any, Final

from greenlet import getcurrent, greenlet
from librt.time import time as wall_clock
from mypy_extensions import mypyc_attr

from horde.concurrency.bridge import BridgeGreenlet
from horde.concurrency.bridge import handoff as _handoff
from horde.concurrency.bridge import outside_bridge as _outside_bridge
from horde.http.auth import auth_header
from horde.http.body import encode_body
from horde.http.catch import PendingCatch, ResponseContextManager
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
from horde.http.response import Response
from horde.http.timeouts import split_timeout
from horde.http.urls import strip_credentials
from horde.stats.recording import as_recorder
from horde.version import __version__

__all__ = ["HttpSession", "Response", "ResponseContextManager"]

# Bound Final: compiled code (hatch_build.py) reads a Final as a C static; any other module-level
# name is looked up in the module's dict at every use, and these are used at every request.
_perf_counter: Final = time.perf_counter
_logger: Final = logging.getLogger("locust.clients")
_getcurrent: Final = getcurrent
_switch: Final = greenlet.switch  # not the parent's own: gevent's hub overrides it
_BRIDGE_GREENLET: Final = BridgeGreenlet

DEFAULT_TIMEOUT = 60.0
"""requests has no default timeout, so a hung server hangs a Locust user forever; Horde does not."""


def default_headers() -> CaseInsensitiveDict:
    return CaseInsensitiveDict(
        {
            "User-Agent": f"horde/{__version__}",
            "Accept-Encoding": ACCEPT_ENCODING,
            "Accept": "*/*",
            "Connection": "keep-alive",
        }
    )


@cache
def shared_default_headers() -> CaseInsensitiveDict:
    """Every session starts from this one mapping and copies it only when its code reads ``headers``."""
    return default_headers()


# Compiled by mypyc at install (hatch_build.py); HttpUser hands out a Python subclass, which keeps a
# __dict__ so that locustfiles may set any attribute on self.client, as on a requests.Session.
@mypyc_attr(allow_interpreted_subclasses=True)
class HttpSession(RequestPipeline):
    """A per-user HTTP session: base URL, default headers, cookies, auth, keep-alive connections.

    ``recorder`` receives one sample per call (see :mod:`horde.http.reporting`); an Environment
    or a ``request`` EventHook is accepted too. ``transport`` replaces the network (tests).
    """

    def __init__(
        self,
        base_url: str | None,
        recorder: Any = None,
        user: Any = None,
        *,
        transport: Transport | None = None,
        pool_size: int = 10,
        request_event: Any = None,
        **ignored: Any,
    ) -> None:
        base_url, credentials = strip_credentials(base_url) if base_url else ("", None)
        self.base_url = base_url
        self.auth: Any = credentials
        self.verify: Any = True
        self.cert: Any = None
        self.timeout: Any = DEFAULT_TIMEOUT
        self.max_redirects = DEFAULT_MAX_REDIRECTS
        self.request_name: str | None = None
        self.trust_env = False  # proxies from the environment are never used
        self.proxies: dict[str, str] = {}
        self.adapters: dict[str, Any] = {}
        self.user = user
        self.request_event: Any = (
            request_event if request_event is not None else request_hook(getattr(user, "environment", None))
        )
        """Locust's attribute: the ``request`` hook, which another session can report to."""
        context = getattr(user, "context", None)
        self._user_context = (
            context if callable(context) and not getattr(context, "returns_nothing", False) else None
        )
        # Locust's keyword (HttpSession(base_url=..., request_event=env.events.request, user=...)).
        self._recorder = as_recorder(recorder if recorder is not None else request_event)
        self._transport: Transport = transport if transport is not None else Engine(pool_size)
        self._client = HttpClient(self._transport, shared_default_headers(), shared_headers=True)
        # The last request's URL string, base URL and parsed target (see RequestPipeline._target).
        self._last_url = None
        self._last_base = None
        self._last_target = None
        # Whether ``request`` is this class's own, so that the verbs may skip it (see _send). A
        # subclass may override it; UserSession, whose attributes a locustfile may set, decides for
        # itself (horde.user.http_users).
        self._own_request = type(self) is HttpSession

    # -- requests.Session attributes ---------------------------------------------------------

    @property
    def headers(self) -> CaseInsensitiveDict:
        return self._client.headers

    @headers.setter
    def headers(self, value: Mapping[str, Any]) -> None:
        self._client.headers = value if isinstance(value, CaseInsensitiveDict) else CaseInsensitiveDict(value)

    @property
    def cookies(self) -> CookieJar:
        return self._client.cookies

    @cookies.setter
    def cookies(self, value: Any) -> None:
        jar = CookieJar()
        jar.update(value)
        self._client.cookies = jar

    @contextmanager
    def rename_request(self, name: str) -> Iterator[None]:
        """Report every request made inside the block under ``name``."""
        self.request_name = name
        try:
            yield
        finally:
            self.request_name = None

    def close(self) -> None:
        """Close all kept-alive connections."""
        self._transport.close()

    def mount(self, prefix: str, adapter: Any) -> None:
        """``requests.Session.mount``. Horde's client is not built on requests, so the adapter (its
        retries, its pool sizes) is kept in :attr:`adapters` and not used; a warning says so."""
        if not self.adapters:
            _logger.warning(
                "HttpSession.mount(%r, %r): Horde's HTTP client does not use requests' transport "
                "adapters; the session goes on without it",
                prefix,
                adapter,
            )
        self.adapters[prefix] = adapter

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        name: str | None = None,
        catch_response: bool = False,
        context: dict[str, Any] | None = None,
        *,
        params: Any = None,
        data: Any = None,
        json: Any = None,
        headers: Mapping[str, Any] | None = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        verify: Any = None,
        stream: bool = False,
        cert: Any = None,
        **ignored: Any,
    ) -> Any:
        """Send a request and report it. Returns the Response (sync code) or an awaitable (async)."""
        coro = HttpSession._request(  # the class's own: see _send()
            self, check_method(method.upper()), url, name, catch_response, context, params, data, json,
            headers, cookies, files, auth, timeout, allow_redirects, verify, stream, cert,
        )  # fmt: skip
        return deliver(coro, catch_response)

    # The verbs go through ``self.request``, with the keywords Locust's verbs give it, so that a
    # subclass or a locustfile that replaces it sees every request as it would under Locust. When it
    # is this class's own and their keywords are at most ``name`` and ``catch_response`` (the
    # common call), they send through _send instead.

    def get(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "GET", url, None, None, kwargs)
        return self.request("GET", url, **{"data": None, "json": None, "allow_redirects": True, **kwargs})

    def options(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "OPTIONS", url, None, None, kwargs)
        return self.request("OPTIONS", url, **{"data": None, "json": None, "allow_redirects": True, **kwargs})

    def head(self, url: str, **kwargs: Any) -> Any:
        return self.request("HEAD", url, **{"data": None, "json": None, "allow_redirects": False, **kwargs})

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "POST", url, data, json, kwargs)
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, *, json: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "PUT", url, data, json, kwargs)
        return self.request("PUT", url, data=data, json=json, **kwargs)

    def patch(self, url: str, data: Any = None, *, json: Any = None, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "PATCH", url, data, json, kwargs)
        return self.request("PATCH", url, data=data, json=json, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        if self._own_request and plain_call(kwargs):
            return HttpSession._send(self, "DELETE", url, None, None, kwargs)
        return self.request("DELETE", url, **{"data": None, "json": None, **kwargs})

    def _send(self, method: str, url: str, data: Any, json: Any, kwargs: dict[str, Any]) -> Any:
        """``request(method, url, data=data, json=json, **kwargs)`` for the verbs, where ``kwargs``
        holds no more than ``name`` and ``catch_response`` (see plain_call).

        Compiled code calls _request directly only like this: through the class, with every
        argument written out. ``self._request`` would be looked up as a Python attribute (the
        client is a Python subclass), and a call with keywords, ``*args`` or ``**kwargs`` is a
        generic Python call that parses them again (bench/README.md).
        """
        name: str | None = None
        catch_response: bool = False
        if kwargs:
            name = kwargs.get("name")
            catch_response = kwargs.get("catch_response", False)
        coro = HttpSession._request(
            self, method, url, name, catch_response, None,  # name, catch_response, context
            None, data, json, None, None, None, None, None, True, None, False, None,  # the options
        )  # fmt: skip
        return deliver(coro, catch_response)

    # -- the coroutine behind both faces -------------------------------------------------------

    async def _request(
        self,
        method: str,
        url: str,
        name: str | None,
        catch_response: bool,
        context: dict[str, Any] | None,
        params: Any,
        data: Any,
        json: Any,
        headers: Mapping[str, Any] | None,
        cookies: Any,
        files: Any,
        auth: Any,
        timeout: Any,
        allow_redirects: bool,
        verify: Any,
        stream: bool,
        cert: Any,
    ) -> Response:
        # The steps this face shares with FastHttpSession are RequestPipeline's; what is left here
        # is requests' API: its auth, cookies, headers, timeouts and TLS settings.
        start_time = wall_clock()  # librt's time.time(): a C call in compiled code
        started = _perf_counter()
        target = RequestPipeline._target(self, url, params, True)
        if data is None and json is None and not files:
            body = content_type = None
        else:
            body, content_type = encode_body(data, json, files)
        if (
            auth is None
            and headers is None
            and cookies is None
            and self.auth is None
            and not target.credentials
        ):
            request = PreparedRequest(method, target, None, body, content_type)
        else:
            request = self._prepare(method, target, headers, body, content_type, cookies, auth)
        if timeout is None:
            timeout = self.timeout
        connect_timeout: float | None
        read_timeout: float | None
        if isinstance(timeout, (int, float)):
            connect_timeout = read_timeout = timeout
        else:
            connect_timeout, read_timeout = split_timeout(timeout)
        try:
            sent, raw, error, hops = await self._client.send(
                request,
                allow_redirects,
                self.max_redirects,
                connect_timeout,
                read_timeout,
                self.verify if verify is None else verify,
                self.cert if cert is None else cert,
            )
        except CancelledError:  # the user was stopped with the request on its way
            report_unfinished(self._recorder, method, name or self.request_name or target.path_url,
                              started, start_time, target.url)  # fmt: skip
            raise
        return RequestPipeline._settle(
            self, False, method, name or self.request_name or target.path_url, context, catch_response,
            stream, started, start_time, target, sent, raw, error, hops,
        )  # fmt: skip

    def _prepare(
        self,
        method: str,
        target: Any,
        headers: Mapping[str, Any] | None,
        body: bytes | None,
        content_type: str | None,
        cookies: Any,
        auth: Any,
    ) -> PreparedRequest:
        auth = auth if auth is not None else (target.credentials or self.auth)
        if auth is None:
            return PreparedRequest(method, target, headers or None, body, content_type, None, cookies)
        if callable(auth):
            # requests' AuthBase style: the callable edits the request's headers.
            request = PreparedRequest(method, target, CaseInsensitiveDict(headers or {}), body, content_type)
            request = auth(request) or request
            request.cookies = cookies
            return request
        return PreparedRequest(
            method, target, headers or None, body, content_type, auth_header(auth), cookies
        )


def plain_call(kwargs: dict[str, Any]) -> bool:
    """Whether a verb's keyword arguments are at most ``name`` and ``catch_response``, the
    common call (see HttpSession._send)."""
    count = len(kwargs)
    if count == 0:
        return True
    if count == 1:
        return "name" in kwargs or "catch_response" in kwargs
    return count == 2 and "name" in kwargs and "catch_response" in kwargs


def deliver(coro: Coroutine[Any, Any, Any], catch_response: bool) -> Any:
    """A request's two faces: in sync user code (a bridge greenlet) its result, which blocks;
    in async code the awaitable, one that also works in ``async with`` for ``catch_response``.
    ``horde.concurrency.bridge.sync_or_async``, its sync side written out here because this module is
    compiled and that one is not (a Python call less per request)."""
    current = _getcurrent()
    if type(current) is _BRIDGE_GREENLET:
        if current.driver is None:
            return _switch(current.parent, coro)
        return _handoff(current, coro)
    return _outside_bridge(PendingCatch(coro) if catch_response else coro)
