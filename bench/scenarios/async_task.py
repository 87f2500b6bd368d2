"""Benchmark scenario: Horde's native ``async def`` task, one request, no wait (Horde only)."""

from horde import HttpUser, constant, task


class IndexUser(HttpUser):
    wait_time = constant(0)

    @task
    async def index(self):
        await self.client.get("/")
