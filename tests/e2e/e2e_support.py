"""Helpers for end-to-end tests: run the ``horde`` CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOCUSTFILES = Path(__file__).with_name("locustfiles")


@dataclass
class Target:
    url: str

    def counts(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/__stats", timeout=5) as response:
            return json.loads(response.read())

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/__stats/reset", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=5).close()


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def horde(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> Result:
    """Run ``python -m horde ARGS`` in a subprocess and capture everything."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "HORDE_"))}
    full_env.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "horde", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def locustfile(name: str) -> str:
    return str(LOCUSTFILES / name)
