"""Benchmark scenario: HttpUser, one plain-``def`` task, no wait. Runs on Locust and on Horde."""

from locust import HttpUser, constant, task


class IndexUser(HttpUser):
    wait_time = constant(0)

    @task
    def index(self):
        self.client.get("/")
