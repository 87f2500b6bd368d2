"""Paced users against a well-behaved target, and (with HOSTILE set to the hostile server's URL) one
user of each kind of hostile response beside them. bench/hostile.py compares the paced users'
numbers with and without the hostile ones (and, with HOSTILE_ONLY set, runs the hostile ones
alone, in a process of their own)."""

import os

from locust import HttpUser, constant, constant_throughput, task

HOSTILE = os.environ.get("HOSTILE")


class Normal(HttpUser):
    abstract = bool(os.environ.get("HOSTILE_ONLY"))  # bench/hostile.py --apart: the hostile users alone
    wait_time = constant_throughput(20)  # 50 users: 1,000 requests/s

    @task
    def page(self):
        self.client.get("/")


if HOSTILE:

    class Hostile(HttpUser):
        abstract = True
        wait_time = constant(1)  # one hostile response a second, beside 1,000 normal ones
        fixed_count = 1
        path = "/"

        @task
        def eat(self):
            self.client.get(HOSTILE + self.path)  # an absolute URL: --host names the normal target

    class EndlessHeaders(Hostile):
        path = "/endless-headers"

    class EndlessBody(Hostile):
        path = "/endless-body"

    class GzipBomb(Hostile):
        path = "/gzip-bomb"
