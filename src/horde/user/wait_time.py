"""Wait-time factories. Each returns a function of the User or TaskSet instance that asks for it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

WaitTime = Callable[[Any], float]


def between(min_wait: float, max_wait: float) -> WaitTime:
    """Uniformly random seconds in [min_wait, max_wait]."""
    return lambda instance: min_wait + random.random() * (max_wait - min_wait)


def constant(wait_time: float) -> WaitTime:
    """Always the same number of seconds."""
    return lambda instance: wait_time


def constant_pacing(wait_time: float) -> WaitTime:
    """Aim for one task start every ``wait_time`` seconds; no catch-up when a task runs longer.

    The timestamps live on the instance that asks, so a User and its TaskSets pace independently.
    Each next start is planned: how late it comes (a task that ran longer than the interval) is
    told to the user, whose requests are then also measured from the planned start.
    """

    def wait_time_func(instance: Any) -> float:
        now = time.monotonic()
        last_run = getattr(instance, "_cp_last_run", None)
        last_wait = getattr(instance, "_cp_last_wait_time", 0.0)
        late = 0.0
        if last_run is None:
            pause = wait_time
        else:
            run_time = now - last_run - last_wait
            pause = max(0.0, wait_time - run_time)
            late = max(0.0, run_time - wait_time)
        instance._cp_last_run = now
        instance._cp_last_wait_time = pause
        plan = getattr(getattr(instance, "_user", instance), "plan_next", None)
        if plan is not None:  # a User of Horde's (scripts may pace other objects)
            plan(late, wait_time)
        return pause

    wait_time_func.pacing = wait_time  # type: ignore[attr-defined]
    return wait_time_func


def constant_throughput(task_runs_per_second: float) -> WaitTime:
    """At most ``task_runs_per_second`` task runs per second for each user."""
    if not task_runs_per_second > 0:
        raise ValueError("constant_throughput needs a rate above 0")
    return constant_pacing(1 / task_runs_per_second)


def poisson(lambda_value: float) -> WaitTime:
    """Exponentially distributed waits with mean ``1 / lambda_value`` (per user, closed loop)."""
    if not lambda_value > 0:
        raise ValueError("poisson needs a rate above 0")
    return lambda instance: random.expovariate(lambda_value)
