"""Horde: a fast, Locust-compatible load-testing framework on asyncio.

The public API is the one locustfiles know from Locust, plus Horde's extras (``sleep``).
"""

from horde.runtime.environment import Environment
from horde.runtime.events import events
from horde.runtime.single_user import run_single_user
from horde.shapes.load_test_shape import LoadTestShape
from horde.user.http_users import FastHttpUser, HttpUser
from horde.user.markov_taskset import MarkovTaskSet, transition, transitions
from horde.user.sequential_taskset import SequentialTaskSet
from horde.user.task import TaskSet, tag, task
from horde.user.users import User, sleep
from horde.user.wait_time import between, constant, constant_pacing, constant_throughput, poisson
from horde.version import __version__

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
