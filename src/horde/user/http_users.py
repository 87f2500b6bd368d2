"""Users with an HTTP client: ``HttpUser`` (requests-like) and ``FastHttpUser`` (Locust's fast API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from horde.exception import StopTest
from horde.http.engine import Engine
from horde.http.fast import FastHttpSession
from horde.http.rest import RestMixin
from horde.http.session import HttpSession
from horde.user.users import User

if TYPE_CHECKING:
    from horde.runtime.environment import Environment


def _require_host(user: User) -> str:
    if not user.host:
        raise StopTest(
            f"No host for {type(user).__name__}: set `host` on the class or pass --host "
            "(e.g. --host http://127.0.0.1:8080)"
        )
    return user.host


_SHARED_ENGINES: dict[int, tuple[Any, Engine]] = {}
"""One engine per ``pool_manager`` object that users share (the object is kept, so its id stays its)."""


def _shared_engine(pool: Any, default_limit: int = 10) -> Engine:
    """The engine of the users given ``pool``: a urllib3 ``PoolManager(maxsize=N)`` (HttpUser's
    ``pool_manager``) or a geventhttpclient ``HTTPClientPool(concurrency=N)`` (FastHttpUser's
    ``client_pool``); at most N connections per origin, further requests wait for one."""
    shared = _SHARED_ENGINES.get(id(pool))
    if shared is None:
        settings = getattr(pool, "connection_pool_kw", None) or getattr(pool, "client_args", None) or {}
        limit = settings.get("maxsize", settings.get("concurrency", default_limit))
        shared = _SHARED_ENGINES[id(pool)] = (pool, Engine(limit))
    return shared[1]


class HttpUser(RestMixin, User):
    """A user whose ``client`` behaves like a ``requests.Session`` bound to ``host``."""

    abstract = True
    pool_manager: Any = None
    """Connections are the user's own; users whose classes set the same ``pool_manager`` (a
    urllib3 ``PoolManager``, as in Locust) share one pool, with its ``maxsize``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        shared = None if self.pool_manager is None else _shared_engine(self.pool_manager)
        self.client = UserSession(_require_host(self), environment.record_request, self, transport=shared)

    def _finished(self) -> None:
        if self.pool_manager is None:  # a shared pool stays open for the other users
            self.client.close()


class FastHttpUser(RestMixin, User):
    """A user with Locust's FastHttpSession API, on the same engine as HttpUser."""

    abstract = True
    network_timeout: float = 60.0
    connection_timeout: float = 60.0
    max_redirects: int = 30
    max_retries: int = 0
    insecure: bool = True
    default_headers: dict[str, str] | None = None
    concurrency: int = 10
    proxy_host: str | None = None
    proxy_port: int | None = None
    client_pool: Any = None
    ssl_context_factory: Any = None

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        shared = None if self.client_pool is None else _shared_engine(self.client_pool, self.concurrency)
        self.client = FastUserSession(
            base_url=_require_host(self),
            recorder=environment.record_request,
            user=self,
            network_timeout=self.network_timeout,
            connection_timeout=self.connection_timeout,
            max_redirects=self.max_redirects,
            insecure=self.insecure,
            default_headers=self.default_headers,
            concurrency=self.concurrency,
            ssl_context_factory=self.ssl_context_factory,
            transport=shared,
        )

    def _finished(self) -> None:
        if self.client_pool is None:  # a shared pool stays open for the other users
            self.client.close()


def _set_attribute(session: Any, name: str, value: Any) -> None:
    """The user sessions' ``__setattr__``: a locustfile that sets ``client.request`` (to wrap every
    request) has the verbs go through it, as Locust's verbs do."""
    object.__setattr__(session, name, value)
    if name == "request":
        session._own_request = False


class UserSession(HttpSession):
    """``HttpUser.client``: a Python subclass of the (compiled) session, so that it has a __dict__
    and a locustfile may set any attribute on it, as on Locust's requests-based session.

    A locustfile that sets ``client.request`` (to wrap every request) has the verbs go through it,
    as Locust's verbs do; until then they may skip it (``HttpSession._send``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._own_request = type(self).request is HttpSession.request

    __setattr__ = _set_attribute


class FastUserSession(FastHttpSession):
    """``FastHttpUser.client``: a Python subclass of the (compiled) session, for the same reasons as
    :class:`UserSession`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._own_request = type(self).request is FastHttpSession.request

    __setattr__ = _set_attribute


def needs_host(user_class: type) -> bool:
    """Whether ``user_class``'s users make HTTP requests relative to a host (``--host``)."""
    return issubclass(user_class, (HttpUser, FastHttpUser))
