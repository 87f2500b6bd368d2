"""Benchmark scenario: the same HttpUser paced to 10 tasks/s per user, far below what one core can do.

Not a throughput figure: the control for the generator-health verdict, which must say VALID here
and INVALID for the saturating no-wait scenarios.
"""

from locust import HttpUser, constant_throughput, task


class PacedUser(HttpUser):
    wait_time = constant_throughput(10)

    @task
    def index(self):
        self.client.get("/")
