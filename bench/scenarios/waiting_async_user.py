"""Benchmark scenario: mostly waiting users with an ``async def`` task (Horde only), for memory."""

import itertools
import os

from horde import HttpUser, between, task

TARGETS = os.environ.get("BENCH_TARGETS", "").split()
_next = itertools.count()


class WaitingAsyncUser(HttpUser):
    wait_time = between(1, 5)

    def on_start(self):
        if TARGETS:
            self.client.base_url = TARGETS[next(_next) % len(TARGETS)]

    @task
    async def index(self):
        await self.client.get("/")
