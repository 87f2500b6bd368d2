"""A local aiohttp server (port 0) with the endpoints the HTTP engine tests need, plus helpers.

Tests run their coroutine with the ``run`` fixture, once on plain asyncio and once on uvloop
(their transports differ), and start the server inside it with ``serve()``.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvloop
from aiohttp import BodyPartReader, web

PEERS = web.AppKey("peers", set)


@dataclass
class Served:
    """A running test server: its base URL and the client ports it has seen (one per connection)."""

    url: str
    port: int
    peers: set[tuple[str, int]]

    @property
    def connections(self) -> int:
        return len(self.peers)


@dataclass
class Recorder:
    """A fake ``recorder``: keeps every sample as a dict, in order."""

    samples: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        request_type: str,
        name: str,
        response_time: float | None,
        response_length: int,
        response: Any,
        context: dict[str, Any],
        exception: BaseException | None,
        start_time: float,
        url: str,
    ) -> None:
        self.samples.append(
            {
                "request_type": request_type,
                "name": name,
                "response_time": response_time,
                "response_length": response_length,
                "response": response,
                "context": context,
                "exception": exception,
                "start_time": start_time,
                "url": url,
            }
        )

    @property
    def last(self) -> dict[str, Any]:
        return self.samples[-1]


@web.middleware
async def _track_peers(request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
    transport = request.transport
    if transport is not None:
        request.app[PEERS].add(transport.get_extra_info("peername")[:2])
    response: web.StreamResponse = await handler(request)
    return response


async def _echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "path_qs": request.raw_path,
            "query": list(request.query.items()),
            "headers": dict(request.headers),
            "body": body.decode("utf-8", "replace"),
            "cookies": dict(request.cookies),
        }
    )


async def _status(request: web.Request) -> web.Response:
    code = int(request.match_info["code"])
    return web.Response(status=code, text=f"status {code}")


async def _redirect(request: web.Request) -> web.Response:
    remaining = int(request.match_info["n"])
    status = int(request.query.get("status", "302"))
    location = "/echo" if remaining <= 1 else f"/redirect/{remaining - 1}?status={status}"
    return web.Response(status=status, headers={"Location": location})


async def _redirect_to(request: web.Request) -> web.Response:
    status = int(request.query.get("status", "302"))
    return web.Response(status=status, headers={"Location": request.query["url"]})


async def _set_cookies(request: web.Request) -> web.Response:
    response = web.json_response({"set": dict(request.query)})
    for name, value in request.query.items():
        response.set_cookie(name, value, path="/")
    return response


async def _login_redirect(request: web.Request) -> web.Response:
    response = web.Response(status=302, headers={"Location": "/echo"})
    response.set_cookie("session", "from-redirect", path="/")
    return response


async def _gzip(request: web.Request) -> web.Response:
    return web.Response(body=gzip.compress(b"gzipped hello" * 50), headers={"Content-Encoding": "gzip"})


async def _deflate(request: web.Request) -> web.Response:
    return web.Response(body=zlib.compress(b"deflated hello" * 50), headers={"Content-Encoding": "deflate"})


async def _raw_deflate(request: web.Request) -> web.Response:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = compressor.compress(b"raw deflate") + compressor.flush()
    return web.Response(body=body, headers={"Content-Encoding": "deflate"})


async def _chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    response.enable_chunked_encoding()
    response.content_type = "text/plain"
    await response.prepare(request)
    for part in (b"first,", b"second,", b"third"):
        await response.write(part)
    await response.write_eof()
    return response


async def _sleep(request: web.Request) -> web.Response:
    await asyncio.sleep(float(request.query.get("s", "2")))
    return web.Response(text="slept")


async def _multipart(request: web.Request) -> web.Response:
    fields: list[list[Any]] = []
    files: list[dict[str, Any]] = []
    reader = await request.multipart()
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        content = await part.read()
        if part.filename is not None:
            files.append(
                {
                    "name": part.name,
                    "filename": part.filename,
                    "content_type": part.headers.get("Content-Type"),
                    "content": content.decode("utf-8", "replace"),
                    "extra": part.headers.get("X-Extra"),
                }
            )
        else:
            fields.append([part.name, content.decode("utf-8")])
    return web.json_response({"fields": fields, "files": files})


async def _close(request: web.Request) -> web.Response:
    response = web.Response(text="bye")
    response.force_close()
    return response


async def _json_invalid(request: web.Request) -> web.Response:
    return web.Response(text="this is not json {", content_type="application/json")


async def _no_content(request: web.Request) -> web.Response:
    return web.Response(status=204)


async def _charset(request: web.Request) -> web.Response:
    return web.Response(
        body="café".encode("latin-1"), headers={"Content-Type": "text/plain; charset=latin-1"}
    )


async def _json(request: web.Request) -> web.Response:
    return web.Response(text=json.dumps({"ok": True, "n": 3}), content_type="application/json")


def build_app() -> web.Application:
    app = web.Application(middlewares=[_track_peers])
    app[PEERS] = set()
    app.router.add_route("*", "/echo", _echo)
    app.router.add_route("*", "/api/echo", _echo)
    app.router.add_route("*", "/status/{code}", _status)
    app.router.add_route("*", "/redirect/{n}", _redirect)
    app.router.add_route("*", "/redirect-to", _redirect_to)
    app.router.add_route("*", "/login-redirect", _login_redirect)
    app.router.add_get("/cookies/set", _set_cookies)
    app.router.add_get("/gzip", _gzip)
    app.router.add_get("/deflate", _deflate)
    app.router.add_get("/raw-deflate", _raw_deflate)
    app.router.add_get("/chunked", _chunked)
    app.router.add_get("/sleep", _sleep)
    app.router.add_post("/multipart", _multipart)
    app.router.add_get("/close", _close)
    app.router.add_get("/json", _json)
    app.router.add_get("/json-invalid", _json_invalid)
    app.router.add_get("/nocontent", _no_content)
    app.router.add_get("/charset", _charset)
    return app


@asynccontextmanager
async def serve_app(ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[Served]:
    app = build_app()
    runner = web.AppRunner(app, shutdown_timeout=0.2, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
    await site.start()
    port = runner.addresses[0][1]
    scheme = "https" if ssl_context is not None else "http"
    try:
        yield Served(f"{scheme}://127.0.0.1:{port}", port, app[PEERS])
    finally:
        await runner.cleanup()


@pytest.fixture
def serve() -> Callable[..., Any]:
    """``async with serve() as server:`` starts the aiohttp test server on the running loop."""
    return serve_app


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """Run a test coroutine to completion on a fresh loop, with a hard time limit."""

    def runner(coro: Coroutine[Any, Any, Any]) -> Any:
        async def bounded() -> Any:
            async with asyncio.timeout(20):
                return await coro

        if request.param == "uvloop":
            return uvloop.run(bounded())
        return asyncio.run(bounded())

    return runner


@pytest.fixture
def free_port() -> int:
    """A port with nothing listening on it (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
