"""``environment.web_ui.app``: where a locustfile adds its own pages, in Flask's way, as in Locust.

Locust's web UI is a Flask app, and locustfiles extend it with ``@web_ui.app.route(...)``,
``web_ui.app.register_blueprint(...)`` and the like (Locust's ``events.py`` and ``extend_web_ui``
examples). Horde's UI is served by aiohttp; :class:`ExtensionApp` stands where Locust's app was. On
first use it makes a real Flask app (Flask must be installed: ``pip install flask``) and hands it
every request that Horde's own routes do not answer, through WSGI (:func:`wsgi_environ`) in a
thread of the loop's executor, since a view may block. Horde's access control runs first, as for
its own pages. What Flask cannot reach: Horde's own pages, so ``after_request`` sees only the
extension's responses.
"""

from __future__ import annotations

import asyncio
import io
import sys
from typing import TYPE_CHECKING, Any

from aiohttp import web
from multidict import CIMultiDict

if TYPE_CHECKING:
    from horde.web.server import WebUI

_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection"})


class ExtensionApp:
    def __init__(self, web_ui: WebUI) -> None:
        self._web_ui = web_ui
        self._flask: Any = None

    def flask_app(self) -> Any:
        """The Flask app, made (and mounted under the UI) on first use."""
        if self._flask is None:
            try:
                from flask import Flask
            except ImportError as error:
                raise ImportError(
                    "environment.web_ui.app (pages added Flask's way) needs Flask: pip install flask"
                ) from error
            self._flask = Flask("horde_web_ui_extensions")
            base = self._web_ui.base_path
            self._web_ui.aiohttp_app.router.add_route("*", base + "/{path:.*}", self._serve)
        return self._flask

    def __getattr__(self, name: str) -> Any:
        """Everything of Flask's app: ``route``, ``register_blueprint``, ``add_url_rule``, ..."""
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.flask_app(), name)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        environ = wsgi_environ(request, body, self._web_ui.base_path)
        status, headers, content = await asyncio.get_running_loop().run_in_executor(
            None, call_wsgi, self._flask, environ
        )
        kept = CIMultiDict((k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP)
        return web.Response(status=status, headers=kept, body=content)


def wsgi_environ(request: web.Request, body: bytes, base_path: str) -> dict[str, Any]:
    """PEP 3333's environ for one aiohttp request; the UI's base path is the SCRIPT_NAME."""
    host, _, port = (request.host or "").partition(":")
    path = request.path
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": base_path,
        "PATH_INFO": path[len(base_path) :] if base_path and path.startswith(base_path) else path,
        "QUERY_STRING": request.query_string,
        "SERVER_NAME": host or "127.0.0.1",
        "SERVER_PORT": port or ("443" if request.secure else "80"),
        "SERVER_PROTOCOL": f"HTTP/{request.version.major}.{request.version.minor}",
        "REMOTE_ADDR": request.remote or "",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": request.scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key != "CONTENT_LENGTH":
            field = f"HTTP_{key}"
            environ[field] = f"{environ[field]},{value}" if field in environ else value
    return environ


def call_wsgi(app: Any, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run a WSGI app to the end of its response: (status, headers, body)."""
    started: list[Any] = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return chunks.append

    result = app(environ, start_response)
    try:
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started
    return int(status.split(" ", 1)[0]), headers, b"".join(chunks)
