"""A task that computes for 300 ms at a time: gevent cannot make that cooperative."""

import time

from locust import User, constant, task


def busy_wait(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class Spinner(User):
    wait_time = constant(0.2)

    @task
    def spin(self):
        busy_wait(0.3)
