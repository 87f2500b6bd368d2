"""End-to-end fixtures: the demo target in its own process, as ``horde demo`` starts it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_support import Target

from horde.cli.demo import start_demo_target


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    demo = start_demo_target()
    try:
        yield Target(demo.url)
    finally:
        demo.stop()
