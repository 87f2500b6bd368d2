"""The delay server as a benchmark target: started pinned by us, counted and asked for its truth.

It offers what :class:`nginx_target.Nginx` offers to ``measure`` (a request counter and its CPU
time), plus the hold times it measured: the truth the generators' percentiles are held against.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from loopback_http import request
from nginx_target import free_port
from prerequisites import SetupError
from processes import Supervisor, cpu_seconds, tail

SERVER_SCRIPT = Path(__file__).resolve().with_name("delay_server.py")


@dataclass(frozen=True)
class ServerTruth:
    """How long the server really held the responses of one run (milliseconds, exact)."""

    count: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class DelayServer:
    """One ``delay_server.py`` process on a free loopback port, holding each response ``delay_ms``."""

    def __init__(self, delay_ms: int, work_dir: Path) -> None:
        self.delay_ms = delay_ms
        self._work = work_dir.resolve()
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def start(self, supervisor: Supervisor, cpu: int) -> None:
        argv = [
            sys.executable,
            str(SERVER_SCRIPT),
            "--port",
            str(self.port),
            "--delay-ms",
            str(self.delay_ms),
        ]
        print(f"starting the {self.delay_ms} ms delay server on {self.url} (core {cpu})", flush=True)
        self._process = supervisor.start(argv, cpu=cpu, log_path=self._log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and self._process.poll() is None:
            try:
                self.requests()
                return
            except OSError:
                time.sleep(0.05)
        raise SetupError(f"the delay server did not start serving on {self.url}:\n{tail(self._log)}")

    @property
    def _log(self) -> Path:
        return self._work / f"delay-{self.delay_ms}ms.log"

    def requests(self) -> int:
        """Delayed responses sent so far (control requests are not counted)."""
        return int(self._control("/__count"))

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def reset(self) -> None:
        """Forget the recorded holds, so the next :meth:`truth` covers one generator run."""
        self._control("/__reset")

    def truth(self) -> ServerTruth:
        summary = json.loads(self._control("/__truth"))
        percentiles = summary.get("percentiles_ms", {})
        return ServerTruth(
            count=summary["count"],
            p50_ms=percentiles.get("50"),
            p99_ms=percentiles.get("99"),
            max_ms=summary.get("max_ms"),
        )

    def _control(self, path: str) -> str:
        status, body = request(self.port, path)
        if status != 200:
            raise SetupError(f"the delay server answered {status} on {path}")
        return body.decode()
