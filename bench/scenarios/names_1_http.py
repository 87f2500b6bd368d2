"""Benchmark scenario: HttpUser requests /item/0 .. /item/999 in turn, all under one name.

One statistics entry: the baseline for ``names_1000_http.py``, which differs only in the name.
No wait. Runs unmodified on Locust and on Horde.
"""

from itertools import count

from locust import HttpUser, constant, task

PATHS = [f"/item/{n}" for n in range(1000)]
# One sequence for all users, so every name is in use after the first 1,000 requests.
TURNS = count()


class ItemUser(HttpUser):
    wait_time = constant(0)

    @task
    def item(self):
        path = PATHS[next(TURNS) % len(PATHS)]
        self.client.get(path, name="/item/[n]")
