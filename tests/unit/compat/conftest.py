"""``import locust`` answered by Horde for the test using the ``alias`` fixture, as inside a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from horde.compat.hook import install, uninstall


@pytest.fixture
def alias() -> Iterator[None]:
    install()
    try:
        yield
    finally:
        uninstall()
