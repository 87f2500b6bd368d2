"""Imports gevent and names from it, without waiting in it."""

import gevent  # noqa: F401
from gevent.pool import Pool  # noqa: F401

from locust import User, constant, task


class Idle(User):
    wait_time = constant(0.1)

    @task
    def nothing(self):
        pass
