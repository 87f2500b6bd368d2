"""Benchmark scenario: a worker's users in a large fleet (bench/master_merge.py): HttpUser paced to
5 tasks/s, requests /item/0 .. /item/19 in turn, each under its own name (20 statistics entries).

The master of bench/master_merge.py imports it too (for the class name it orders) when its workers
are simulated. Runs unmodified on Locust and on Horde.
"""

from itertools import count

from locust import HttpUser, constant_throughput, task

PATHS = [f"/item/{n}" for n in range(20)]
TURNS = count()


class FleetUser(HttpUser):
    wait_time = constant_throughput(5)

    @task
    def item(self):
        path = PATHS[next(TURNS) % len(PATHS)]
        self.client.get(path, name=path)
