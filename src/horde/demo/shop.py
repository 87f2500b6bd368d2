"""The demo shop's endpoints: login, catalogue, carts, checkout and a few deliberately bad ones.

Everything here is synchronous and in memory; the protocol layer owns sockets and timing, so a
whole shop session can be driven by plain function calls in tests.
"""

from __future__ import annotations

import functools
import random
import secrets
from collections.abc import Callable
from urllib.parse import parse_qs

import orjson

from horde.demo.catalogue import find_product, search_products
from horde.demo.counter import RequestCounter
from horde.demo.messages import HTML, TEXT, Reply, Request, error_reply, json_reply
from horde.demo.store import BoundedStore

Handler = Callable[[Request], Reply]

SLOW_DEFAULT_MS = 300
SLOW_MAX_MS = 5_000
FLAKY_FAILURE_RATE = 0.1
STATS_PREFIX = "/__stats"

_INDEX_PAGE = b"""<!doctype html>
<html><head><title>Horde demo shop</title></head>
<body><h1>Horde demo shop</h1>
<p>Endpoints: POST /auth/login, POST /auth/logout, GET /products?q=, GET /products/{id},
POST /cart, GET /cart/{id}, POST /checkout, GET /slow?ms=, GET /error, GET /flaky, GET /health,
GET /__stats, POST /__stats/reset.</p>
</body></html>
"""


class Shop:
    """Routes requests to endpoint handlers and keeps the shop's bounded in-memory state."""

    def __init__(self, capacity: int = 100_000, rng: random.Random | None = None) -> None:
        self.counter = RequestCounter()
        self._tokens: BoundedStore[str, str] = BoundedStore(capacity)
        self._carts: BoundedStore[str, list[dict[str, object]]] = BoundedStore(capacity)
        self._orders = 0
        self._random = rng or random.Random()
        self._exact: dict[str, dict[str, Handler]] = {
            "/": {"GET": self._index},
            "/health": {"GET": self._health},
            "/auth/login": {"POST": self._login},
            "/auth/logout": {"POST": self._logout},
            "/products": {"GET": self._search},
            "/cart": {"POST": self._create_cart},
            "/checkout": {"POST": self._checkout},
            "/slow": {"GET": self._slow},
            "/error": {"GET": self._error},
            "/flaky": {"GET": self._flaky},
            STATS_PREFIX: {"GET": self._stats},
            STATS_PREFIX + "/reset": {"POST": self._reset_stats},
        }
        self._by_prefix: dict[str, dict[str, Handler]] = {
            "/products/": {"GET": self._product},
            "/cart/": {"GET": self._get_cart},
        }

    def handle(self, request: Request) -> Reply:
        # The control endpoints are not counted, so reading the counts does not change them.
        if not request.path.startswith(STATS_PREFIX):
            self.counter.add(request.method, request.path)
        methods = self._route(request.path)
        if methods is None:
            return error_reply(404, "not found")
        handler = methods.get(request.method)
        if handler is None:
            return error_reply(405, "method not allowed")
        return handler(request)

    def _route(self, path: str) -> dict[str, Handler] | None:
        methods = self._exact.get(path)
        if methods is not None:
            return methods
        for prefix, prefixed in self._by_prefix.items():
            if path.startswith(prefix) and "/" not in path[len(prefix) :]:
                return prefixed
        return None

    # -- pages ---------------------------------------------------------------------------------

    def _index(self, request: Request) -> Reply:
        return Reply(200, _INDEX_PAGE, HTML)

    def _health(self, request: Request) -> Reply:
        return Reply(200, b"ok", TEXT)

    # -- auth ----------------------------------------------------------------------------------

    def _login(self, request: Request) -> Reply:
        body = _json_object(request.body)
        email, password = body.get("email"), body.get("password")
        if not isinstance(email, str) or not email or not isinstance(password, str) or not password:
            return error_reply(400, "email and password are required")
        token = secrets.token_hex(16)
        self._tokens.put(token, email)
        return json_reply(200, {"token": token})

    def _logout(self, request: Request) -> Reply:
        token = _bearer_token(request)
        if token is None or self._tokens.pop(token) is None:
            return error_reply(401, "a valid bearer token is required")
        return json_reply(200, {"loggedOut": True})

    # -- catalogue -----------------------------------------------------------------------------

    def _search(self, request: Request) -> Reply:
        return Reply(200, _search_body(_query_param(request, "q") or ""))

    def _product(self, request: Request) -> Reply:
        raw_id = request.path.rsplit("/", 1)[1]
        product = find_product(int(raw_id)) if raw_id.isdigit() else None
        if product is None:
            return error_reply(404, "no such product")
        return json_reply(200, product.as_json())

    # -- cart and checkout ---------------------------------------------------------------------

    def _create_cart(self, request: Request) -> Reply:
        sku = _json_object(request.body).get("sku")
        if not isinstance(sku, str) or not sku:
            return error_reply(400, "sku is required")
        cart_id = secrets.token_hex(8)
        items: list[dict[str, object]] = [{"sku": sku, "quantity": 1}]
        self._carts.put(cart_id, items)
        return json_reply(201, {"id": cart_id, "items": items})

    def _get_cart(self, request: Request) -> Reply:
        cart_id = request.path.rsplit("/", 1)[1]
        items = self._carts.get(cart_id)
        if items is None:
            return error_reply(404, "no such cart")
        return json_reply(200, {"id": cart_id, "items": items})

    def _checkout(self, request: Request) -> Reply:
        cart_id = _json_object(request.body).get("cartId")
        if not isinstance(cart_id, str) or not cart_id:
            return error_reply(400, "cartId is required")
        # A cart is consumed by its checkout, like a real shop; checking it out again is a 404.
        if self._carts.pop(cart_id) is None:
            return error_reply(404, "no such cart")
        self._orders += 1
        return json_reply(200, {"order": f"ORD-{self._orders:08d}"})

    # -- misbehaving endpoints -----------------------------------------------------------------

    def _slow(self, request: Request) -> Reply:
        raw = _query_param(request, "ms")
        if raw is None:
            delay_ms = SLOW_DEFAULT_MS
        elif raw.isdigit():
            delay_ms = min(int(raw), SLOW_MAX_MS)
        else:
            return error_reply(400, "ms must be a non-negative integer")
        return json_reply(200, {"sleptMs": delay_ms}, delay=delay_ms / 1000)

    def _error(self, request: Request) -> Reply:
        return error_reply(500, "this endpoint always fails")

    def _flaky(self, request: Request) -> Reply:
        if self._random.random() < FLAKY_FAILURE_RATE:
            return error_reply(503, "flaky endpoint failed this time")
        return json_reply(200, {"ok": True})

    # -- counts --------------------------------------------------------------------------------

    def _stats(self, request: Request) -> Reply:
        return json_reply(200, {"total": self.counter.total, "requests": self.counter.snapshot()})

    def _reset_stats(self, request: Request) -> Reply:
        self.counter.reset()
        return json_reply(200, {"reset": True})


@functools.lru_cache(maxsize=1024)
def _search_body(query: str) -> bytes:
    # The catalogue never changes, so a search's encoded answer can be reused: the seed guide's
    # hottest request (`/products?q=laptop`) then costs no more than `/health`.
    return orjson.dumps([product.as_json() for product in search_products(query)])


def _json_object(body: bytes) -> dict[str, object]:
    """The body as a JSON object, or an empty dict when it is missing or not an object."""
    try:
        value = orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _query_param(request: Request, name: str) -> str | None:
    values = parse_qs(request.query).get(name)
    return values[0] if values else None


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
