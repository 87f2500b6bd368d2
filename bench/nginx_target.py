"""nginx as the benchmark's target: installed from Debian if missing, configured and run by us.

nginx answers fixed bodies far faster than any Python load generator can ask, so the generator,
not the target, is what gets measured. Its ``stub_status`` request counter is the referee: every
tool is counted by the same server-side number over the same steady window.

What it serves (plain HTTP on ``port``, HTTPS on ``tls_port`` with a throwaway certificate):
``/`` a 46-byte text body; ``/json`` (any method, POST included) a fixed ~10 KB JSON document;
``/item/<anything>`` a short text body; ``/nginx_status`` the counter.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
from pathlib import Path

from loopback_http import request
from prerequisites import SetupError, ensure_binary
from processes import Supervisor, cpu_seconds, tail
from tls_cert import write_throwaway_cert

__all__ = ["BODY", "ITEM_BODY", "Nginx", "SetupError", "ensure_nginx", "free_port", "json_document"]

BODY = "Hello from nginx, the Horde benchmark target.\n"
ITEM_BODY = "item\n"
STATUS_PATH = "/nginx_status"
JSON_SIZE = 10_000
# nginx refuses a configuration token longer than 4096 bytes, so the JSON document is split over
# a few variables that ``return`` joins again.
_CHUNK = 3_000

_CONFIG = """\
# Written by bench/throughput.py; regenerated on every run.
worker_processes {workers};{affinity}
worker_rlimit_nofile {max_files};
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;

events {{
    worker_connections {max_connections};
}}

http {{
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 100000000;
    client_body_temp_path {work}/tmp/client_body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;

    server {{
        listen 127.0.0.1:{port} backlog=4096;
{extra_listens}{locations}
        location = {status_path} {{
            stub_status;
        }}
    }}

    server {{
        listen 127.0.0.1:{tls_port} ssl backlog=4096;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
{locations}
    }}
}}
"""

_LOCATIONS = """\
        location = / {{
            default_type text/plain;
            return 200 "{body}";
        }}
        location = /json {{
            default_type application/json;
{json_sets}
            return 200 '{json_join}';
        }}
        location /item/ {{
            default_type text/plain;
            return 200 "{item_body}";
        }}"""


def ensure_nginx() -> str:
    """Path of the nginx binary, installing Debian's ``nginx`` package with apt-get if needed."""
    return ensure_binary("nginx", "nginx")


def json_document(size: int = JSON_SIZE) -> str:
    """A deterministic JSON document of a little over ``size`` bytes: a page of catalogue items.

    Only characters that survive inside a single-quoted nginx string verbatim (no quote,
    backslash or ``$``).
    """
    items: list[dict[str, object]] = []
    text = ""
    while len(text) < size:
        n = len(items)
        items.append(
            {
                "id": n,
                "sku": f"SKU-{n:05d}",
                "name": f"Catalogue item number {n}",
                "price_cents": (n * 7919) % 100_000,
                "in_stock": n % 3 != 0,
                "tags": ["bench", f"group-{n % 7}"],
            }
        )
        text = json.dumps({"page": 1, "count": len(items), "items": items}, separators=(",", ":"))
    assert not set("'\\$") & set(text)
    return text


def _locations() -> str:
    document = json_document()
    chunks = [document[i : i + _CHUNK] for i in range(0, len(document), _CHUNK)]
    return _LOCATIONS.format(
        body=BODY.replace("\n", "\\n"),
        item_body=ITEM_BODY.replace("\n", "\\n"),
        json_sets="\n".join(f"            set $json_{i} '{chunk}';" for i, chunk in enumerate(chunks)),
        json_join="".join(f"$json_{i}" for i in range(len(chunks))),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    """One nginx instance on a free loopback port, started by :meth:`start` under a Supervisor."""

    def __init__(
        self,
        binary: str,
        work_dir: Path,
        *,
        ports: int = 1,
        max_connections: int = 16_384,
        workers: int = 1,
        pin_workers: bool = False,
    ) -> None:
        """``ports`` plain-HTTP ports serve the same locations: one client address reaches at
        most ~28,000 connections per target port (the ephemeral port range), so 100,000 users
        need several (``urls``). ``max_connections`` sizes nginx's connection and file limits.
        ``workers``: nginx's worker processes (every benchmark but the distributed ones uses 1);
        ``pin_workers``: nginx pins them itself (``worker_cpu_affinity``: one worker on core 1,
        two one per core), for a Supervisor that does not pin."""
        self._binary = binary
        self.workers = workers
        self.pin_workers = pin_workers
        self._work = work_dir.resolve()
        self.max_connections = max_connections
        self.port = free_port()
        self.extra_ports: list[int] = []
        while len(self.extra_ports) < ports - 1:
            candidate = free_port()
            if candidate != self.port and candidate not in self.extra_ports:
                self.extra_ports.append(candidate)
        self.tls_port = free_port()
        while self.tls_port == self.port:
            self.tls_port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._polls = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def urls(self) -> list[str]:
        """The base URL of every plain-HTTP port, the main one first."""
        return [self.url, *(f"http://127.0.0.1:{port}" for port in self.extra_ports)]

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.tls_port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, supervisor: Supervisor, cpu: int) -> None:
        for sub in ("tmp", "logs"):
            (self._work / sub).mkdir(parents=True, exist_ok=True)
        certificate, key = write_throwaway_cert(self._work / "tls")
        config = self._work / "nginx.conf"
        config.write_text(
            _CONFIG.format(
                work=self._work,
                port=self.port,
                tls_port=self.tls_port,
                certificate=certificate,
                key=key,
                locations=_locations(),
                status_path=STATUS_PATH,
                extra_listens="".join(
                    f"        listen 127.0.0.1:{p} backlog=4096;\n" for p in self.extra_ports
                ),
                max_connections=self.max_connections,
                max_files=2 * self.max_connections + 1_000,
                workers=self.workers,
                affinity=f"\nworker_cpu_affinity {self.affinity_masks()};" if self.pin_workers else "",
            )
        )
        argv = [self._binary, "-p", str(self._work), "-e", str(self._work / "error.log"), "-c", str(config)]
        where = f"workers pinned {self.affinity_masks()}" if self.pin_workers else f"core {cpu}"
        print(f"starting nginx on {self.url} and {self.https_url} ({where}): {' '.join(argv)}", flush=True)
        self._process = supervisor.start(argv, cpu=cpu, log_path=self._work / "logs" / "nginx.out")
        self._wait_until_serving()

    def affinity_masks(self) -> str:
        """``worker_cpu_affinity``: one worker on core 1 (where the other benchmarks put nginx),
        two one per core."""
        if self.workers == 1:
            return "10"
        return " ".join(format(1 << core, "b").zfill(self.workers) for core in range(self.workers))

    def _wait_until_serving(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                break
            try:
                self.requests()
                return
            except OSError:
                time.sleep(0.05)
        log = tail(self._work / "error.log") + "\n" + tail(self._work / "logs" / "nginx.out")
        raise SetupError(f"nginx did not start serving on {self.url}:\n{log}")

    def requests(self) -> int:
        """Requests nginx has served, not counting this benchmark's own stub_status polls."""
        self._polls += 1  # nginx counts the status request itself, and every earlier poll
        status, body = request(self.port, STATUS_PATH)
        if status != 200:
            raise SetupError(f"nginx stub_status answered {status}; is the module built in?")
        return parse_stub_status(body.decode()) - self._polls

    def active_connections(self) -> int:
        """Client connections open right now, not counting this status request."""
        self._polls += 1
        _, body = request(self.port, STATUS_PATH)
        return parse_active_connections(body.decode()) - 1

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


def parse_stub_status(text: str) -> int:
    """The ``requests`` counter from stub_status output (third number on the third line)."""
    lines = text.splitlines()
    try:
        return int(lines[2].split()[2])
    except (IndexError, ValueError) as exc:
        raise SetupError(f"unexpected stub_status output: {text!r}") from exc


def parse_active_connections(text: str) -> int:
    """The ``Active connections: N`` figure from stub_status output."""
    try:
        return int(text.split("Active connections:", 1)[1].split()[0])
    except (IndexError, ValueError) as exc:
        raise SetupError(f"unexpected stub_status output: {text!r}") from exc
