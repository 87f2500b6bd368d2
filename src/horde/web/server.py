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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, replace
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from aiohttp import web

from horde.concurrency.bridge import sync_or_async
from horde.distributed.master import MasterRunner
from horde.exception import UsageError
from horde.outputs.compare import comparison_json
from horde.outputs.history import History, HistoryError
from horde.outputs.prometheus import exposition, registry_for
from horde.runtime.runner import Runner
from horde.stats.histogram import Histogram
from horde.stats.thresholds import Threshold, ThresholdResult, WindowJudge, evaluate
from horde.version import __version__
from horde.web import payloads
from horde.web.control import TestControl
from horde.web.downloads import Downloads
from horde.web.extensions import ExtensionApp
from horde.web.logs import LogBuffer
from horde.web.report import AssetsMissing, asset
from horde.web.security import Access, check_bind, middleware
from horde.web.stream import LiveStream, dumps
from horde.web.swarm import CustomOption, SwarmError, parse_swarm

if TYPE_CHECKING:
    from horde.runtime.environment import Environment

logger = logging.getLogger("locust.web")  # Locust's logger name: scripts and filters match it

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServerAddress(NamedTuple):
    server_host: str
    server_port: int


class WebUI:
    """``environment.web_ui``: the aiohttp app (``aiohttp_app``) and its server; ``app`` is where a
    locustfile adds pages, Flask's way (:mod:`horde.web.extensions`)."""

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
        custom_options: Sequence[CustomOption] = (),
        thresholds: Sequence[Threshold] = (),
        windows: WindowJudge | None = None,
        history: History | None = None,
    ) -> None:
        self.environment = environment
        self.host = host
        self.port = port
        self.access = access or Access()
        check_bind(host, self.access)
        self.base_path = _normalise_base_path(base_path)
        self.tls = _tls_context(tls_cert, tls_key)
        self.autoquit = autoquit
        self.thresholds = list(thresholds)
        self.windows = windows
        """The windowed thresholds' judge, which the runner's ticks feed."""
        self.history = history
        """The run history the Runs tab lists and compares (None with --no-history)."""
        self.downloads = Downloads(environment, stats_history_csv, self.judged)
        self.custom_options = list(custom_options)
        """The locustfile's own options: the start form shows them, ``/swarm`` sets them."""
        self.stream = LiveStream(self._tick, lambda: payloads.stats_table(self.runner.stats))
        self._pushing_from: Runner | None = None  # the runner whose ticks the stream pushes
        self.aiohttp_app = web.Application(middlewares=[middleware(self.access, host)])
        self._add_routes()
        self.app = ExtensionApp(self)
        self._runner: web.AppRunner | None = None
        self.start_task: asyncio.Task[None] | None = None
        """The start scheduled by ``Environment.create_web_ui`` inside a running loop."""
        self.logs = LogBuffer()
        """This process's newest log lines (attached to the root logger while serving)."""

    @cached_property
    def control(self) -> TestControl:
        """Starts, changes and stops tests on the environment's runner (made at first use: the
        runner is created after this object)."""
        return TestControl(self.environment, self.autoquit)

    @property
    def runner(self) -> Runner:
        runner = self.environment.runner
        assert isinstance(runner, Runner)
        return runner

    @property
    def server(self) -> ServerAddress:
        """What Locust's scripts read of its server: ``server.server_port``, the port bound (the
        one picked when asked for port 0), once serving."""
        return ServerAddress(self.host, self.port)

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        host = self.host if self.host not in ("", "*") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"{scheme}://{host}:{self.port}{self.base_path}/"

    # Serving ---------------------------------------------------------------------------------
    async def start(self) -> None:
        """Bind and serve (port 0 picks a free port; ``self.port`` then holds it)."""
        runner = web.AppRunner(self.aiohttp_app, access_log=None, handle_signals=False)
        await runner.setup()
        host = None if self.host in ("", "*") else self.host
        site = web.TCPSite(runner, host, self.port, ssl_context=self.tls)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise UsageError(  # a port in use is the user's to change: one line, no traceback
                f"cannot serve the web UI on {self.host or '*'}:{self.port}: {error.strerror}"
            ) from error
        self._runner = runner
        if self.port == 0:  # the port picked: (host, port, ...) of the first socket bound
            self.port = runner.addresses[0][1]
        logging.getLogger().addHandler(self.logs)
        if self.environment.runner is not None:
            self.attach(self.environment.runner)
        logger.info("Starting web interface at %s", self.url)

    def stop(self) -> Any:
        """Stop serving: blocks in sync code (Locust's ``env.web_ui.stop()``), awaited in async."""
        return sync_or_async(self._shut_down())

    def attach(self, runner: Runner) -> None:
        """Push ``runner``'s ticks to the open streams, and keep its per-name series for the
        charts (from :meth:`start`, or as the runner is made when the UI serves first)."""
        if self._pushing_from is not None or self._runner is None:
            return
        self._pushing_from = runner
        runner.keep_series = True
        runner.ticker.add(self.stream.push)

    async def _shut_down(self) -> None:
        logging.getLogger().removeHandler(self.logs)
        if self._pushing_from is not None:
            self._pushing_from.ticker.remove(self.stream.push)
            self._pushing_from = None
        self.stream.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # Routes ------------------------------------------------------------------------------------
    def _add_routes(self) -> None:
        base = self.base_path
        router = self.aiohttp_app.router

        def add(method: str, path: str, handler: Handler) -> None:
            if method == "GET":
                router.add_get(path, handler)  # HEAD too, as health checks and proxies use it
            else:
                router.add_route(method, path, handler)

        add("GET", base + "/", self._index)
        if base:
            # "./assets" in the page only resolves under "/base/": send "/base" there.
            add("GET", base, self._to_base)
        add("POST", base + "/swarm", self._swarm)
        add("POST", base + "/user", self._user)
        add("GET", base + "/stop", self._stop_by_get)
        add("POST", base + "/stop", self._stop)
        add("POST", base + "/stats/reset", self._reset)
        add("GET", base + "/stats/requests", self._json(payloads.stats_requests))
        add("GET", base + "/exceptions", self._json(lambda r: payloads.exceptions(r.exceptions)))
        add("GET", base + "/tasks", self._json(payloads.tasks))
        add("GET", base + "/logs", self._json(lambda r: {"master": list(self.logs.lines), "workers": {}}))
        add("GET", base + "/worker-count", self._json(lambda r: {"worker_count": _worker_count(r)}))
        add("GET", base + "/api/v1/state", self._json(self._state))
        add("GET", base + "/api/v1/history", self._json(self._history))
        add("GET", base + "/api/v1/stats", self._json(lambda r: payloads.stats_table(r.stats)))
        add("GET", base + "/api/v1/failures", self._json(lambda r: payloads.failures(r.stats)))
        add("GET", base + "/api/v1/distribution", self._distribution)
        add("GET", base + "/api/v1/entry", self._entry)
        add("GET", base + "/api/v1/health", self._json(lambda r: r.health.to_json()))
        add("GET", base + "/api/v1/stream", self.stream.serve)
        add("GET", base + "/metrics", self._metrics)
        add("GET", base + "/api/v1/runs", self._runs)
        add("GET", base + "/api/v1/runs/compare", self._compare_runs)
        for path, handler in self.downloads.routes():
            add("GET", base + path, handler)
        assets = resources.files("horde.web").joinpath("static", "assets")
        if assets.is_dir():
            self.aiohttp_app.router.add_static(base + "/assets", Path(str(assets)))

    async def _index(self, request: web.Request) -> web.StreamResponse:
        try:
            page = asset("static", "index.html")
        except AssetsMissing as error:
            return web.Response(status=500, text=f"{error}\n")
        config = dumps(self._config()).replace("<", "\\u003c")
        tag = f'<script id="horde-config" type="application/json">{config}</script>'
        return web.Response(
            text=page.replace("<!--horde-config-->", tag),
            content_type="text/html",
            headers={"Cache-Control": "no-store"},
        )

    def _config(self) -> dict[str, Any]:
        environment = self.environment
        options = environment.parsed_options
        last = self.control.last_request
        return {
            "basePath": self.base_path,
            "version": __version__,
            "locustfile": Path(str(environment.locustfile or "")).name,
            "host": self._host(),
            "userCount": last.user_count if last else getattr(options, "num_users", None),
            "spawnRate": last.spawn_rate if last else getattr(options, "spawn_rate", None),
            "arrivalRate": last.arrival_rate if last else getattr(options, "arrival_rate", None),
            "runTime": getattr(options, "run_time", None),
            "classPicker": bool(getattr(options, "class_picker", False)),
            "userClasses": list(environment.available_user_classes or {}),
            "shape": environment.shape_class is not None,
            "profile": environment.profile,
            "fullHistory": self.downloads.stats_history_csv is not None,
            "customOptions": [
                {
                    "name": option.name,
                    "label": option.label,
                    "help": option.help,
                    "flag": option.flag,
                    "choices": option.choices,
                    "secret": option.secret,
                    "required": option.required and getattr(options, option.name, None) in (None, ""),
                    "multiple": option.multiple,
                    # A secret is not sent back to the page: left empty, it keeps its value.
                    "value": None if option.secret else _form_value(getattr(options, option.name, None)),
                }
                for option in self.custom_options
                if option.in_form
            ],
        }

    def _host(self) -> str | None:
        """The target: --host or the form's, else the User classes' own (when they agree)."""
        if self.environment.host:
            return self.environment.host
        hosts = {getattr(c, "host", None) for c in self.environment.user_classes} - {None, ""}
        return hosts.pop() if len(hosts) == 1 else None

    async def _to_base(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPPermanentRedirect(
            location=f"{self.base_path}/{request.query_string and '?' + request.query_string}"
        )

    async def _user(self, request: web.Request) -> web.StreamResponse:
        """Locust's class-picker edit: ``{"user_class_name": ..., attribute: value, "tasks": [names]}``."""
        try:
            settings = await request.json()
            self.control.update_user_class(settings)
        except (ValueError, TypeError, KeyError) as error:
            return web.json_response({"success": False, "message": str(error)}, status=400)
        return web.json_response({}, status=201)

    async def _swarm(self, request: web.Request) -> web.StreamResponse:
        form = await request.post()
        fields = {key: str(value) for key, value in form.items()}
        classes = [str(value) for value in form.getall("user_classes", [])]
        available = list(self.environment.available_user_classes or {})
        options = self.environment.parsed_options
        try:
            custom = {
                option.name: option.value(
                    getattr(options, option.name, None), list(map(str, form.getall(option.name)))
                )
                for option in self.custom_options
                if option.name in form
            }
            answer = self.control.swarm(replace(parse_swarm(fields, classes, available), custom=custom))
        except SwarmError as error:
            # HTTP 200 as in Locust: scripts read "success", and some treat any other status as down.
            logger.warning("Test not started: %s", error)
            return web.json_response({"success": False, "message": str(error), "host": self.environment.host})
        return web.json_response(answer)

    async def _stop(self, request: web.Request) -> web.StreamResponse:
        await self.control.stop()
        return web.json_response({"success": True, "message": "Test stopped"})

    async def _stop_by_get(self, request: web.Request) -> web.StreamResponse:
        """Locust 2.47 stops with POST only: a GET can come from any page the operator opens."""
        message = "stop the test with POST /stop, as in Locust 2.47 (a GET can come from any web page)"
        return web.json_response(
            {"success": False, "message": message}, status=405, headers={"Allow": "POST"}
        )

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        self.control.reset()
        return web.Response(text="ok")

    def _json(self, build: Callable[[Runner], Any]) -> Handler:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response(build(self.runner), dumps=dumps)

        return handler

    # Horde's API -------------------------------------------------------------------------------
    def _state(self, runner: Runner) -> dict[str, Any]:
        total = runner.stats.total
        return {
            "state": runner.state,
            "user_count": runner.user_count,
            "target_user_count": runner.target_user_count,
            "host": self._host(),
            "run_time": self.control.run_time,
            "total_requests": total.num_requests,
            "total_failures": total.num_failures,
            "current_rps": total.current_rps,
            "current_fail_per_sec": total.current_fail_per_sec,
            "failure_rows": len(runner.stats.errors),
            "exceptions": sum(row["count"] for row in runner.exceptions.values()),
            "log_lines": self.logs.emitted,
            "time": time.time(),
            "health": payloads.health(runner.health),
            "workers": payloads.workers(runner) if isinstance(runner, MasterRunner) else None,
            "thresholds": payloads.thresholds(self.judged()),
            "arrivals": payloads.arrivals(runner),
        }

    async def _runs(self, request: web.Request) -> web.Response:
        """The recorded runs, newest first (empty, with why, when there is no history)."""
        history = self.history
        if history is None:
            return web.json_response({"runs": [], "message": "the run history is off (--no-history)"})
        try:
            rows = await asyncio.get_running_loop().run_in_executor(None, history.runs)
        except HistoryError as error:
            return web.json_response({"runs": [], "message": str(error)})
        return web.json_response({"runs": [asdict(row) for row in rows], "message": None})

    async def _compare_runs(self, request: web.Request) -> web.Response:
        """``?a=ID&b=ID``: run B against baseline A, per request name."""
        history = self.history
        if history is None:
            return web.json_response({"message": "the run history is off (--no-history)"}, status=400)
        try:
            a, b = int(request.query["a"]), int(request.query["b"])
        except (KeyError, ValueError):
            return web.json_response({"message": "give two run ids: ?a=BASELINE&b=CANDIDATE"}, status=400)

        def compare() -> dict[str, Any]:
            return {**comparison_json(history.compare(a, b), a), "candidate": b}

        try:
            answer = await asyncio.get_running_loop().run_in_executor(None, compare)
        except HistoryError as error:
            return web.json_response({"message": str(error)}, status=400)
        return web.json_response(answer)

    async def _metrics(self, request: web.Request) -> web.Response:
        """Prometheus's text format of the run (:mod:`horde.outputs.prometheus`)."""
        return exposition(self._registry, request)

    @cached_property
    def _registry(self) -> Any:
        return registry_for(self.runner)

    def judged(self) -> list[ThresholdResult]:
        """The thresholds judged on the run so far (a windowed one: its worst closed window)."""
        return evaluate(self.thresholds, self.runner.stats, windows=self.windows)

    def _tick(self) -> dict[str, Any]:
        runner = self.runner
        latest = runner.stats.history.latest()
        return {"state": self._state(runner), "point": latest._asdict() if latest else None}

    def _history(self, runner: Runner) -> dict[str, Any]:
        return {"points": runner.stats.history.to_dicts()}

    async def _distribution(self, request: web.Request) -> web.StreamResponse:
        """``?scope=run`` (default), ``current`` (the last 10 s) or ``span&from=&to=`` (epoch s)."""
        total = self.runner.stats.total
        scope = request.query.get("scope", "run")
        if scope == "current":
            histogram = total._current_histogram() or Histogram()
        elif scope == "span":
            try:
                start, end = float(request.query["from"]), float(request.query["to"])
            except (KeyError, ValueError):
                return web.json_response(
                    {"success": False, "message": "span needs numeric from and to"}, status=400
                )
            histogram = self.runner.timeline.span(start, end, total.response_times)
        else:
            histogram = total.response_times
        return web.json_response(payloads.distribution(histogram), dumps=dumps)

    async def _entry(self, request: web.Request) -> web.StreamResponse:
        method, name = request.query.get("method", ""), request.query.get("name", "")
        entry = self.runner.stats.entries.get((name, method))
        if entry is None:
            return web.json_response(
                {"success": False, "message": f"no request named {method} {name}"}, status=404
            )
        body = {
            "method": method,
            "name": name,
            **self.runner.series.get(name, method),
            "distribution": payloads.distribution(entry.response_times),
            "phases": payloads.phases(entry),
        }
        return web.json_response(body, dumps=dumps)


def _worker_count(runner: Runner) -> int:
    """Locust's ``/worker-count``: the workers a master has (0 when the users run here)."""
    return runner.worker_count if isinstance(runner, MasterRunner) else 0


def _form_value(value: Any) -> Any:
    """An option's value as the form shows it: switches stay booleans, lists join with commas."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, list | tuple):
        return ",".join(str(item) for item in value)
    return str(value)


def _normalise_base_path(path: str) -> str:
    path = path.strip()
    if path and not path.startswith("/"):
        path = "/" + path
    return path.rstrip("/")


def _tls_context(cert: str, key: str) -> ssl.SSLContext | None:
    if not cert and not key:
        return None
    if not (cert and key):
        raise UsageError("--tls-cert and --tls-key must be given together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise UsageError(f"cannot load the web UI's TLS certificate {cert} / key {key}: {error}") from None
    return context
