"""What ``import locust`` gives a locustfile inside a Horde run (Locust 2.47's public surface)."""

from horde import (
    FastHttpUser,
    HttpUser,
    LoadTestShape,
    MarkovTaskSet,
    SequentialTaskSet,
    TaskSet,
    User,
    between,
    constant,
    constant_pacing,
    constant_throughput,
    events,
    poisson,
    tag,
    task,
    transition,
    transitions,
)
from horde.compat.deprecated import HttpLocust, Locust
from horde.compat.locust.debug import run_single_user
from horde.compat.locust.user import wait_time
from horde.runtime.events import Events
from horde.version import LOCUST_VERSION

__version__ = LOCUST_VERSION
"""The Locust version whose API this layer follows (Horde's own is ``horde.__version__``)."""

__all__ = (
    "Events",
    "FastHttpUser",
    "HttpLocust",
    "HttpUser",
    "LoadTestShape",
    "Locust",
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
    "tag",
    "task",
    "transition",
    "transitions",
    "wait_time",
)
