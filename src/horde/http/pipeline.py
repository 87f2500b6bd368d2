"""The per-request pipeline behind both client faces: HttpSession (requests' API) and
FastHttpSession (geventhttpclient's, as Locust's FastHttpUser has it).

Each face keeps what differs between the two APIs: its arguments, how a request's headers, auth
and timeouts are given, and its response class. The rest is here, once: where a URL goes (with
the last target kept for the common case of the same literal again), and what happens to the
answer: its time, the response object with its redirects, the request's context, the
catch_response manager, and the one sample reported.

Compiled with mypyc (hatch_build.py) as part of the per-request path. The faces call these
methods through the class (``RequestPipeline._settle(self, ...)``): a locustfile may subclass a
session, so ``self._settle`` would be looked up as a Python attribute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Final

from mypy_extensions import mypyc_attr

from horde.http.catch import FastResponseContextManager, ResponseContextManager
from horde.http.client import Hops, HttpClient
from horde.http.errors import RequestError
from horde.http.exchange import RawResponse
from horde.http.prepared import PreparedRequest
from horde.http.reporting import merge_context
from horde.http.response import FastResponse, Response
from horde.http.urls import URL_CACHE, Target, add_params, is_absolute, parse_url
from horde.stats.recording import Recorder

# Bound Final: compiled code reads a Final as a C static (see horde.http.session).
_perf_counter: Final = time.perf_counter
_URL_CACHE: Final = URL_CACHE


@mypyc_attr(allow_interpreted_subclasses=True)
class RequestPipeline:
    """What both sessions hold for the pipeline, and its shared steps."""

    base_url: str
    _recorder: Recorder
    _user_context: Callable[[], dict[str, Any]] | None
    _client: HttpClient
    _last_url: str | None
    _last_base: str | None
    _last_target: Target | None

    def _target(self, url: str, params: Any, tidy_slash: bool) -> Target:
        """Where ``url`` goes: absolute, or after ``base_url``. The very string of the last request
        (a locustfile's literal, usually) on the same base is its target again, without building
        the full URL and looking it up. ``tidy_slash`` (HttpSession) joins a base ending in "/"
        and a path starting with one without doubling it; FastHttpSession joins them as they are,
        as Locust's does."""
        last_target = self._last_target
        if (
            last_target is not None
            and url is self._last_url
            and self.base_url is self._last_base
            and params is None
        ):
            return last_target
        base = self.base_url
        if url[:1] == "/":
            full_url = base[:-1] + url if tidy_slash and base[-1:] == "/" else base + url
        elif is_absolute(url):
            full_url = url
        else:
            full_url = base + url
        if params is not None:
            full_url = add_params(full_url, params)
        target = _URL_CACHE.get(full_url) or parse_url(full_url)
        if params is None:
            self._last_url, self._last_base, self._last_target = url, base, target
        return target

    def _settle(
        self,
        fast: bool,
        method: str,
        name: str,
        context: dict[str, Any] | None,
        catch_response: bool,
        stream: bool,
        started: float,
        start_time: float,
        target: Target,
        sent: PreparedRequest,
        raw: RawResponse | None,
        error: RequestError | None,
        hops: Hops | None,
    ) -> Response:
        """The answer to one request: timed, wrapped in the face's response class (``fast``:
        FastResponse, whose ``url`` is the URL requested and whose failures are a fixed status
        set), reported once; with ``catch_response``, the manager that reports when it closes."""
        if raw is not None and error is None:
            # Until the read that completed the response (or its head, for stream=True), not until
            # this coroutine ran again: a busy loop's delay is Horde's, not the server's.
            response_time = ((raw.headers_done if stream else raw.completed) - started) * 1000.0
        else:
            response_time = (_perf_counter() - started) * 1000.0
            raw = None  # e.g. too many redirects: the last redirect is not the answer
        history: list[Response] | None = None
        if hops:
            if fast:
                history = [FastResponse(hop_raw, hop) for hop, hop_raw in hops]
            else:
                history = [Response(hop_raw, hop) for hop, hop_raw in hops]
        if self._user_context is not None:
            context = merge_context(self._user_context, context)
        elif context is None:
            context = {}
        url = target.url
        if catch_response:
            manager: Any  # Python classes: Locust's verdict logic mixed into the face's response
            if fast:
                manager = FastResponseContextManager(raw, sent, error, history, url)
            else:
                manager = ResponseContextManager(raw, sent, error, history)
            manager._arm(
                self._recorder, method, name, response_time, response_length(manager, stream), context,
                start_time, url,
            )  # fmt: skip
            return manager
        if fast:
            response: Response = FastResponse(raw, sent, error, history, url)
            failure = response.error
        else:
            response = Response(raw, sent, error, history)
            ok = error is None and response.status_code < 400
            failure = None if ok else response._default_failure(name)
        content = response.content
        length = len(content) if content and not stream else response_length(response, stream)
        self._recorder(method, name, response_time, length, response, context, failure, start_time, url)
        return response


def response_length(response: Response, stream: bool) -> int:
    """Locust's response_length: the body size, or Content-Length when streaming."""
    if stream:
        return int(response.headers.get("content-length") or 0)
    content = response.content
    return len(content) if content else 0
