"""End-to-end fixtures: the demo target in its own process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from e2e_support import Target


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    process = subprocess.Popen(
        [sys.executable, "-m", "horde.demo.server", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    assert line.startswith("listening on "), line
    try:
        yield Target(line.removeprefix("listening on "))
    finally:
        process.terminate()
        process.wait(timeout=10)
