"""nginx as the benchmark's target: installed from Debian if missing, configured and run by us.

nginx answers a small fixed body far faster than any Python load generator can ask, so the
generator, not the target, is what gets measured. Its ``stub_status`` request counter is the
referee: both tools are counted by the same server-side number over the same steady window.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from processes import Supervisor, cpu_seconds, tail

BODY = "Hello from nginx, the Horde benchmark target.\n"
STATUS_PATH = "/nginx_status"

_CONFIG = """\
# Written by bench/throughput.py; regenerated on every run.
worker_processes 1;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;

events {{
    worker_connections 16384;
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
        location = / {{
            default_type text/plain;
            return 200 "{body}";
        }}
        location = {status_path} {{
            stub_status;
        }}
    }}
}}
"""


class SetupError(RuntimeError):
    """A prerequisite (nginx, the Locust venv, CPU pinning) could not be set up."""


def ensure_nginx() -> str:
    """Path of the nginx binary, installing Debian's ``nginx`` package with apt-get if needed."""
    found = _find_nginx()
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise SetupError("nginx is not installed and apt-get is not available to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "nginx"]):
        print(f"nginx is missing; running: {' '.join(command)}", flush=True)
        if subprocess.run(command, env=env, check=False).returncode != 0:
            raise SetupError(f"`{' '.join(command)}` failed; install nginx yourself and re-run")
    found = _find_nginx()
    if not found:
        raise SetupError("apt-get installed nginx but no nginx binary was found")
    return found


def _find_nginx() -> str | None:
    # Debian puts nginx in /usr/sbin, which is not on a normal user's PATH.
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Nginx:
    """One nginx instance on a free loopback port, started by :meth:`start` under a Supervisor."""

    def __init__(self, binary: str, work_dir: Path) -> None:
        self._binary = binary
        self._work = work_dir.resolve()
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self._polls = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, supervisor: Supervisor, cpu: int) -> None:
        for sub in ("tmp", "logs"):
            (self._work / sub).mkdir(parents=True, exist_ok=True)
        config = self._work / "nginx.conf"
        config.write_text(
            _CONFIG.format(
                work=self._work, port=self.port, body=BODY.replace("\n", "\\n"), status_path=STATUS_PATH
            )
        )
        argv = [self._binary, "-p", str(self._work), "-e", str(self._work / "error.log"), "-c", str(config)]
        print(f"starting nginx on {self.url} (core {cpu}): {' '.join(argv)}", flush=True)
        self._process = supervisor.start(argv, cpu=cpu, log_path=self._work / "logs" / "nginx.out")
        self._wait_until_serving()

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
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", STATUS_PATH)
            response = conn.getresponse()
            text = response.read().decode()
        finally:
            conn.close()
        if response.status != 200:
            raise SetupError(f"nginx stub_status answered {response.status}; is the module built in?")
        return parse_stub_status(text) - self._polls

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)


def parse_stub_status(text: str) -> int:
    """The ``requests`` counter from stub_status output (third number on the third line)."""
    lines = text.splitlines()
    try:
        return int(lines[2].split()[2])
    except (IndexError, ValueError) as exc:
        raise SetupError(f"unexpected stub_status output: {text!r}") from exc
