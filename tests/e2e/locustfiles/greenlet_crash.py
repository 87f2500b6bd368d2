"""A greenlet linked to Locust's exception logger dies: logged, and the run exits 2 (as Locust)."""

import logging

import gevent
from locust import User, constant, events, task
from locust.log import greenlet_exception_logger


@events.test_start.add_listener
def check_something(**kwargs):
    def boom():
        raise ValueError("Boom")

    gevent.spawn(boom).link_exception(greenlet_exception_logger(logging.getLogger("checker")))


class Idle(User):
    wait_time = constant(1)

    @task
    def rest(self):
        pass
