"""Horde: a fast, Locust-compatible load-testing framework on asyncio.

The public API is the one locustfiles know from Locust, plus Horde's extras (``sleep``). Names are
imported on first use, so that the ``horde`` command can patch the standard library with gevent
(:mod:`horde.concurrency.cooperative`) before any of Horde's modules imports ``ssl`` or ``socket``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from horde.version import __version__

if TYPE_CHECKING:
    from horde.cli.single_user import run_single_user
    from horde.runtime.environment import Environment
    from horde.runtime.events import events
    from horde.shapes.load_test_shape import LoadTestShape
    from horde.user.http_users import FastHttpUser, HttpUser
    from horde.user.markov_taskset import MarkovTaskSet, transition, transitions
    from horde.user.sequential_taskset import SequentialTaskSet
    from horde.user.task import TaskSet, tag, task
    from horde.user.users import User, sleep
    from horde.user.wait_time import between, constant, constant_pacing, constant_throughput, poisson

_HOMES = {
    "Environment": "horde.runtime.environment",
    "events": "horde.runtime.events",
    "run_single_user": "horde.cli.single_user",
    "LoadTestShape": "horde.shapes.load_test_shape",
    "FastHttpUser": "horde.user.http_users",
    "HttpUser": "horde.user.http_users",
    "MarkovTaskSet": "horde.user.markov_taskset",
    "transition": "horde.user.markov_taskset",
    "transitions": "horde.user.markov_taskset",
    "SequentialTaskSet": "horde.user.sequential_taskset",
    "TaskSet": "horde.user.task",
    "tag": "horde.user.task",
    "task": "horde.user.task",
    "User": "horde.user.users",
    "sleep": "horde.user.users",
    "between": "horde.user.wait_time",
    "constant": "horde.user.wait_time",
    "constant_pacing": "horde.user.wait_time",
    "constant_throughput": "horde.user.wait_time",
    "poisson": "horde.user.wait_time",
}

__all__ = [
    "Environment",
    "FastHttpUser",
    "HttpUser",
    "LoadTestShape",
    "MarkovTaskSet",
    "SequentialTaskSet",
    "TaskSet",
    "User",
    "__version__",
    "between",
    "constant",
    "constant_pacing",
    "constant_throughput",
    "events",
    "poisson",
    "run_single_user",
    "sleep",
    "tag",
    "task",
    "transition",
    "transitions",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'horde' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
