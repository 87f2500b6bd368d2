"""time.sleep wherever Locust users put it: in __init__, on_start and a task. Each sleeps alone."""

import time

from locust import HttpUser, constant, task


class Sleeper(HttpUser):
    wait_time = constant(0)

    def __init__(self, environment):
        super().__init__(environment)
        time.sleep(0.05)

    def on_start(self):
        time.sleep(0.2)

    @task
    def work(self):
        self.client.get("/health")
        time.sleep(0.5)
