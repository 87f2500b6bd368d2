"""Helpers shared by the unit tests of the greenlet bridge and of the users that run on it."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from horde.concurrency import bridge


def _in_new_thread(main: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """asyncio.run(main()) in a thread of its own, whose greenlet pool starts empty; its result,
    or its exception raised here."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(main()))
        except BaseException as error:
            errors.append(error)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(5)
    if errors:
        raise errors[0]
    return result[0]


def _live_bridge_greenlets() -> int:
    """Bridge greenlets not yet finished, in every thread (no collection first: a test that
    looks for reference cycles turns the collector off)."""
    return sum(1 for o in gc.get_objects() if type(o) is bridge.BridgeGreenlet and not o.dead)


@pytest.fixture
def in_new_thread() -> Callable[[Callable[[], Coroutine[Any, Any, Any]]], Any]:
    return _in_new_thread


@pytest.fixture
def live_bridge_greenlets() -> Callable[[], int]:
    return _live_bridge_greenlets
