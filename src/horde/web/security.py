"""Who may use the web UI: a loopback bind by default, authentication for anything wider.

Locust's UI has no authentication unless a locustfile supplies one, allows cross-origin requests
from anywhere, and changes state on GET. Anyone who can reach the port (or any web page the
operator visits) can start a test against any host. Horde's rules:

- **Bind**: 127.0.0.1 unless ``--web-host`` says otherwise; a non-loopback bind is refused unless
  a token (``--web-token``) or a user and password (``--web-user``) is configured.
- **Authentication** when configured: ``Authorization: Bearer <token>``, HTTP basic with the user
  and password, or the token once as ``?token=`` in a browser, which sets a cookie and redirects
  to the same URL without it (so the token does not stay in the address bar or history).
- **Cross-site requests**: a request that changes state (any method but GET/HEAD/OPTIONS: nothing
  changes state on GET) is refused when the browser says it came from another site (``Sec-Fetch-Site``)
  or carries an ``Origin`` that is not this server. Scripts (curl, requests) send neither and
  are unaffected.
- **DNS rebinding**: without authentication, the ``Host`` header must name this machine
  (localhost, a loopback address, or the bind address), so a page whose name was re-pointed at
  127.0.0.1 cannot drive the UI.
- **Open, as Locust's** (``--web-open``, which the container image's ``locust`` command sets): any
  bind and any ``Host`` without authentication, for a UI behind a network its operator trusts
  (a Kubernetes Service, whose probes and port-forwards name the pod's address). Said in one
  warning line; cross-site requests are still refused.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiohttp import web

from horde.exception import UsageError
from horde.http.urls import is_loopback

logger = logging.getLogger("locust.main")  # Locust's logger name: scripts and filters match it

TOKEN_COOKIE = "horde_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Access:
    """The configured credentials (both None: open, which only a loopback bind allows)."""

    token: str | None = None
    user: str | None = None
    password: str | None = None
    open: bool = False
    """``--web-open``: no authentication asked for, wherever the UI listens."""

    @classmethod
    def from_options(cls, token: str | None, user_password: str | None, web_open: bool = False) -> Access:
        if token is not None and not token.strip():
            raise UsageError("--web-token cannot be empty")
        user = password = None
        if user_password is not None:
            user, sep, password = user_password.partition(":")
            if not sep or not user or not password:
                raise UsageError("--web-user must look like USER:PASSWORD (both non-empty)")
        return cls(token, user, password, open=web_open and token is None and user is None)

    @property
    def required(self) -> bool:
        return self.token is not None or self.user is not None

    def allows(self, request: web.Request) -> bool:
        """True when the request carries a configured credential."""
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        scheme = scheme.lower()
        if self.token is not None:
            presented = value.strip() if scheme == "bearer" else request.cookies.get(TOKEN_COOKIE, "")
            if presented and hmac.compare_digest(presented.encode(), self.token.encode()):
                return True
        if self.user is not None and self.password is not None and scheme == "basic":
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            user, _, password = decoded.partition(":")
            same_user = hmac.compare_digest(user.encode(), self.user.encode())
            same_password = hmac.compare_digest(password.encode(), self.password.encode())
            return same_user and same_password
        return False


def check_bind(host: str, access: Access) -> None:
    """Refuse to serve beyond this machine without authentication."""
    if not is_loopback(host) and not access.required:
        shown = host if host not in ("", "*") else "every interface"
        if access.open:
            logger.warning(
                "The web UI on %s answers anyone who reaches it, without a login (--web-open, as "
                "Locust's does); add --web-token to protect it",
                shown,
            )
            return
        raise UsageError(
            f"refusing to serve the web UI on {shown} without authentication: "
            "add --web-token TOKEN or --web-user USER:PASSWORD, or bind --web-host 127.0.0.1"
        )


def middleware(access: Access, bind_host: str) -> Callable[..., Awaitable[web.StreamResponse]]:
    """The aiohttp middleware that applies every rule of this module."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not access.required and not access.open and not _host_is_local(request.host, bind_host):
            return _refuse(403, "this web UI only answers to localhost; use --web-token for other names")
        if request.method == "OPTIONS":  # no CORS pre-flight is granted: just what is allowed
            return web.Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        if access.required:
            token = request.query.get("token")
            if access.token is not None and token is not None and request.method == "GET":
                return _token_login(request, access.token, token)
            if not access.allows(request):
                return _challenge(access, request)
        if request.method not in SAFE_METHODS and _cross_site(request):
            return _refuse(403, "cross-site request refused")
        return await handler(request)

    return guard


def _host_is_local(host_header: str, bind_host: str) -> bool:
    host = urlsplit(f"//{host_header}").hostname or ""
    return is_loopback(host) or (bind_host not in ("", "*") and host == bind_host.strip("[]").lower())


def _cross_site(request: web.Request) -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    parts = urlsplit(origin)
    return parts.netloc.lower() != request.host.lower() or parts.scheme != request.scheme


def _token_login(request: web.Request, expected: str, presented: str) -> web.StreamResponse:
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        return _refuse(401, "wrong token")
    query = {k: v for k, v in request.query.items() if k != "token"}
    target = request.rel_url.with_query(query)
    response = web.Response(status=303, headers={"Location": str(target)})
    response.set_cookie(
        TOKEN_COOKIE, expected, httponly=True, samesite="Strict", secure=request.secure, path="/"
    )
    return response


def _challenge(access: Access, request: web.Request) -> web.StreamResponse:
    if access.user is None and "text/html" in request.headers.get("Accept", ""):
        # A person in a browser: say how to get in (a script gets JSON).
        return web.Response(
            status=401,
            content_type="text/html",
            text="<!doctype html><title>Horde</title><p>This Horde web UI needs its token: open "
            "this address with <code>?token=YOUR_TOKEN</code> added once (then a cookie keeps you in).</p>",
        )
    response = _refuse(401, "authentication required")
    if access.user is not None:
        response.headers["WWW-Authenticate"] = 'Basic realm="horde", charset="UTF-8"'
    return response


def _refuse(status: int, message: str) -> web.Response:
    return web.json_response({"success": False, "message": message}, status=status)
