"""One plain-def HttpUser and one async FastHttpUser, against a target that never answers."""

from locust import FastHttpUser, HttpUser, constant, task


class Blocking(HttpUser):
    wait_time = constant(0.1)

    @task
    def wait(self):
        self.client.get("/sync")


class Awaiting(FastHttpUser):
    wait_time = constant(0.1)

    @task
    async def wait(self):
        await self.client.get("/async")
