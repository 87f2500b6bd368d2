"""Benchmark scenario: users that mostly wait (``between(1, 5)``), for memory per user.

Runs on Locust and on Horde. One target port allows at most ~28,000 connections from one
address (the ephemeral port range), so users spread over the ports in ``BENCH_TARGETS``.
"""

import itertools
import os

from locust import HttpUser, between, task

TARGETS = os.environ.get("BENCH_TARGETS", "").split()
_next = itertools.count()


class WaitingUser(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        if TARGETS:
            self.client.base_url = TARGETS[next(_next) % len(TARGETS)]

    @task
    def index(self):
        self.client.get("/")
