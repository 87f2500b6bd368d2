"""Benchmark scenario: HttpUser, one plain-``def`` task, no wait, against an HTTPS target.

The target's certificate is a throwaway self-signed one, so verification is switched off the
requests way. Runs unmodified on Locust and on Horde.
"""

from locust import HttpUser, constant, task


class IndexUser(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        self.client.verify = False

    @task
    def index(self):
        self.client.get("/")
