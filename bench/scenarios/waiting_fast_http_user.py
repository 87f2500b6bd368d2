"""Benchmark scenario: mostly waiting FastHttpUsers, for memory per user (Locust and Horde)."""

import itertools
import os

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

TARGETS = os.environ.get("BENCH_TARGETS", "").split()
_next = itertools.count()


class WaitingFastUser(FastHttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        if TARGETS:
            self.client.base_url = TARGETS[next(_next) % len(TARGETS)]

    @task
    def index(self):
        self.client.get("/")
