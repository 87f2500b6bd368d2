"""Horde's pytest plugin (entry point ``pytest11``): a pytest-style locustfile runs as tests too.

``pytest --host http://127.0.0.1:8080 locustfile.py`` runs each ``test*`` function once with the
``session`` fixture (an HttpUser's client) or ``fastsession`` (a FastHttpUser's), as Locust's plugin
does; ``horde -f locustfile.py`` runs the same functions as users (horde.user.pytest_users). The
sessions answer synchronously, so the first use patches the standard library with gevent, as
importing Locust does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

_config: pytest.Config | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        parser.addoption(
            "--host", "-H", action="store", default=None, help="base URL for session/fastsession"
        )
    except ValueError as error:  # another plugin (Locust's) defines it already: share it
        if "already added" not in str(error):
            raise


def pytest_configure(config: pytest.Config) -> None:
    global _config
    _config = config


def _opened(session_class: Callable[..., Any]) -> Iterator[Any]:
    """A session on ``--host``, answering synchronously (so patched with gevent), closed after."""
    from horde.concurrency.cooperative import patch

    host = _config.getoption("--host") if _config is not None else None
    if not host:
        pytest.fail("no host for the session fixture: run pytest with --host http://...", pytrace=False)
    patch()
    client = session_class(base_url=str(host))
    yield client
    client.close()


@pytest.fixture
def session() -> Iterator[Any]:
    from horde.http.session import HttpSession

    yield from _opened(HttpSession)


@pytest.fixture
def fastsession() -> Iterator[Any]:
    from horde.http.fast import FastHttpSession

    yield from _opened(FastHttpSession)
