"""Benchmark scenario: FastHttpUser, one task, no wait. Runs unmodified on Locust and on Horde."""

from locust import FastHttpUser, constant, task


class IndexUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def index(self):
        self.client.get("/")
