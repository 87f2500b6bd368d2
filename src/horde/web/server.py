"""The web UI's HTTP server: aiohttp on the runner's own event loop.

Locust's endpoints keep their paths, methods and JSON keys (scripts poll them); Horde's own API
lives under ``/api/v1`` and pushes live data with server-sent events instead of being polled.
Everything is served under ``--web-base-path``.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from horde.reports.csv_files import exceptions_csv, failures_csv, stats_csv
from horde.runtime.environment import Environment
from horde.runtime.runner import LocalRunner
from horde.web import payloads
from horde.web.control import TestControl
from horde.web.security import Access, check_bind, middleware
from horde.web.swarm import SwarmError, parse_swarm

logger = logging.getLogger(__name__)

STREAM_INTERVAL = 1.0
"""Seconds between two pushes of the live stream (the statistics tick once a second)."""

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebUI:
    """``environment.web_ui``: the app (``self.app``, an aiohttp Application) and its server."""

    def __init__(
        self,
        environment: Environment,
        host: str = "127.0.0.1",
        port: int = 8089,
        *,
        base_path: str = "",
        access: Access | None = None,
        tls_cert: str = "",
        tls_key: str = "",
        autoquit: float | None = None,
        stats_history_csv: Path | None = None,
    ) -> None:
        self.environment = environment
        self.host = host
        self.port = port
        self.access = access or Access()
        check_bind(host, self.access)
        self.base_path = _normalise_base_path(base_path)
        self.tls = _tls_context(tls_cert, tls_key)
        self.autoquit = autoquit
        self._control: TestControl | None = None
        self.stats_history_csv = stats_history_csv
        self.app = web.Application(middlewares=[middleware(self.access, host, self.base_path)])
        self._add_routes()
        self._runner: web.AppRunner | None = None
        self._streams: set[web.StreamResponse] = set()

    def attach(self) -> None:
        """Take control of the environment's runner (call once it exists, before ``start``)."""
        self._control = TestControl(self.environment, self.autoquit)

    @property
    def control(self) -> TestControl:
        if self._control is None:
            self.attach()
        assert self._control is not None
        return self._control

    @property
    def runner(self) -> LocalRunner:
        runner = self.environment.runner
        assert isinstance(runner, LocalRunner)
        return runner

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = self.host if self.host not in ("", "*") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"{scheme}://{host}:{self.port}{self.base_path}/"

    # Serving ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port; ``self.port`` then holds it)."""
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        host = None if self.host in ("", "*") else self.host
        site = web.TCPSite(runner, host, self.port, ssl_context=self.tls)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise OSError(
                f"cannot serve the web UI on {self.host or '*'}:{self.port}: {error.strerror}"
            ) from error
        self._runner = runner
        server = site._server
        if server is not None and self.port == 0:
            sockets = getattr(server, "sockets", None) or []
            self.port = sockets[0].getsockname()[1]
        logger.info("Starting web interface at %s", self.url)

    async def stop(self) -> None:
        for stream in list(self._streams):
            task = getattr(stream, "_horde_task", None)
            if task is not None:
                task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Routes ------------------------------------------------------------------------------------
    def _add_routes(self) -> None:
        base = self.base_path
        add = self.app.router.add_route
        add("GET", base + "/", self._index)
        if base:
            add("GET", base, self._index)
        add("POST", base + "/swarm", self._swarm)
        add("GET", base + "/stop", self._stop)
        add("POST", base + "/stop", self._stop)
        add("POST", base + "/stats/reset", self._reset)
        add("GET", base + "/stats/requests", self._json(payloads.stats_requests))
        add("GET", base + "/stats/requests/csv", self._csv("requests", lambda r: stats_csv(r.stats)))
        add("GET", base + "/stats/failures/csv", self._csv("failures", lambda r: failures_csv(r.stats)))
        add("GET", base + "/exceptions/csv", self._csv("exceptions", lambda r: exceptions_csv(r.exceptions)))
        add("GET", base + "/stats/requests_full_history/csv", self._history_csv)
        add("GET", base + "/exceptions", self._json(payloads.exceptions))
        add("GET", base + "/tasks", self._json(payloads.tasks))
        add("GET", base + "/logs", self._json(lambda r: {"master": [], "workers": {}}))
        add("GET", base + "/worker-count", self._json(lambda r: {"worker_count": 0}))
        add("GET", base + "/api/v1/state", self._json(self._state))
        add("GET", base + "/api/v1/history", self._json(self._history))
        add("GET", base + "/api/v1/stream", self._stream)

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.Response(
            status=503,
            text="The web UI's pages are not part of this build of Horde yet. The HTTP API works: "
            f"POST {self.base_path}/swarm starts a test, GET {self.base_path}/stats/requests reads it.\n",
        )

    async def _swarm(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        fields = {key: str(value) for key, value in form.items()}
        classes = [str(value) for value in form.getall("user_classes", [])]
        available = list(self.environment.available_user_classes or {})
        try:
            answer = self.control.swarm(parse_swarm(fields, classes, available))
        except SwarmError as error:
            return web.json_response({"success": False, "message": str(error)}, status=400)
        return web.json_response(answer)

    async def _stop(self, request: web.Request) -> web.StreamResponse:
        await self.control.stop()
        return web.json_response({"success": True, "message": "Test stopped"})

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        self.control.reset()
        return web.Response(text="ok")

    def _json(self, build: Callable[[LocalRunner], Any]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response(build(self.runner), dumps=_dumps)

        return handler

    def _csv(self, kind: str, build: Callable[[LocalRunner], str]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.Response(
                text=build(self.runner),
                content_type="text/csv",
                headers={"Content-Disposition": f'attachment; filename="{self._file_stem(kind)}.csv"'},
            )

        return handler

    async def _history_csv(self, request: web.Request) -> web.StreamResponse:
        path = self.stats_history_csv
        if path is None or not path.exists():
            return web.Response(
                status=404, text="the full history CSV needs --csv PREFIX --csv-full-history\n"
            )
        name = self._file_stem("requests_full_history")
        return web.FileResponse(path, headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    def _file_stem(self, kind: str) -> str:
        """Locust's download names: ``Locust_<date-time>_<locustfile>_<host>_<kind>``, as Horde_."""
        stamp = datetime.now().strftime("%Y-%m-%d-%Hh%M")
        locustfile = Path(str(self.environment.locustfile or "locustfile")).stem
        host = (self.environment.host or "").split("://")[-1].replace(":", "-").replace("/", "")
        return f"Horde_{stamp}_{locustfile}_{host}_{kind}"

    # Horde's API -------------------------------------------------------------------------------
    def _state(self, runner: LocalRunner) -> dict[str, Any]:
        total = runner.stats.total
        return {
            "state": runner.state,
            "user_count": runner.user_count,
            "target_user_count": runner.target_user_count,
            "host": self.environment.host,
            "run_time": self.control.run_time,
            "total_requests": total.num_requests,
            "total_failures": total.num_failures,
            "current_rps": total.current_rps,
            "current_fail_per_sec": total.current_fail_per_sec,
            "time": time.time(),
        }

    def _history(self, runner: LocalRunner) -> dict[str, Any]:
        return {"points": runner.stats.history.to_dicts()}

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: the state and the newest history point, once a second."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-cache",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        self._streams.add(response)
        response._horde_task = asyncio.current_task()  # type: ignore[attr-defined]
        try:
            while True:
                runner = self.runner
                latest = runner.stats.history.latest()
                body = {"state": self._state(runner), "point": latest._asdict() if latest else None}
                await response.write(f"event: tick\ndata: {_dumps(body)}\n\n".encode())
                await asyncio.sleep(STREAM_INTERVAL)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._streams.discard(response)
        return response


def _dumps(value: Any) -> str:
    # orjson writes NaN and infinities as null, where json would write invalid JSON.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS, default=str).decode()


def _normalise_base_path(path: str) -> str:
    path = path.strip()
    if path and not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/")


def _tls_context(cert: str, key: str) -> ssl.SSLContext | None:
    if not cert and not key:
        return None
    from horde.exception import UsageError

    if not (cert and key):
        raise UsageError("--tls-cert and --tls-key must be given together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise UsageError(f"cannot load the web UI's TLS certificate {cert} / key {key}: {error}") from None
    return context
