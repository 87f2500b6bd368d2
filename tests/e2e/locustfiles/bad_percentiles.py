"""Locust's documented way to change the charted percentiles, with a value that is not a fraction."""

from locust import User, constant, stats, task

stats.PERCENTILES_TO_CHART = [1.2]


class Charted(User):
    wait_time = constant(1)

    @task
    def rest(self):
        pass
