"""``horde demo``: start the bundled shop target and run the bundled locustfile against it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import horde.demo
from horde.exception import UsageError

DEMO_LOCUSTFILE = str(Path(horde.demo.__file__).with_name("locustfile.py"))
# The demo shop fails on purpose now and then (/flaky, /error) so the report has errors to show;
# that is no reason for the demo command itself to exit non-zero.
DEFAULTS = {
    ("-u", "--users"): "20",
    ("-r", "--spawn-rate"): "10",
    ("-t", "--run-time"): "20s",
    ("--exit-code-on-error",): "0",
}


@dataclass
class DemoTarget:
    process: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_demo_target() -> DemoTarget:
    """Start the demo shop in its own process (so it does not share the generator's CPU time)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "horde.demo.server", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("listening on "):
        process.kill()
        raise UsageError(f"the demo target did not start: {line or 'no output'}")
    return DemoTarget(process, line.removeprefix("listening on "))


def _given(argv: list[str], flags: tuple[str, ...]) -> bool:
    return any(
        arg in flags or arg.startswith(tuple(f"{f}=" for f in flags if f.startswith("--"))) for arg in argv
    )


def demo_arguments(argv: list[str], url: str) -> list[str]:
    """The demo's defaults, with anything the user passed taking precedence."""
    extra: list[str] = []
    if not _given(argv, ("-f", "--locustfile")):
        extra += ["-f", DEMO_LOCUSTFILE]
    if not _given(argv, ("-H", "--host")):
        extra += ["--host", url]
    if not _given(argv, ("--headless",)):
        extra.append("--headless")
    for flags, value in DEFAULTS.items():
        if not _given(argv, flags):
            extra += [flags[-1], value]
    return extra + argv
