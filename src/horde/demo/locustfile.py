"""A locustfile for the bundled demo shop, written in plain Locust 2.x style.

It runs unmodified on Locust and on Horde. Start the shop with ``python -m horde.demo.server``
(port 8080 by default, matching ``host`` below), then for example::

    horde -f src/horde/demo/locustfile.py --headless -u 50 -r 10 -t 1m

Three kinds of users: a shopper who logs in, browses and checks out; a scripted journey through
the shop in a fixed order; and a fast searcher using FastHttpUser with ``catch_response``. Some
tasks hit ``/slow`` and ``/flaky`` so the report has latency spread and failures to show.
"""

from __future__ import annotations

import random
from typing import Any

from locust import FastHttpUser, HttpUser, SequentialTaskSet, between, events, tag, task

DEMO_HOST = "http://127.0.0.1:8080"
P95_LIMIT_MS = 2_000
FAIL_RATIO_LIMIT = 0.05


@events.test_start.add_listener
def announce(environment: Any, **kwargs: Any) -> None:
    print(f"Demo shop test against {environment.host}")


@events.test_stop.add_listener
def check_thresholds(environment: Any, **kwargs: Any) -> None:
    """Fail the run (exit code 1) when the shop is slower or flakier than the demo expects."""
    total = environment.stats.total
    p95 = total.get_response_time_percentile(0.95)
    if p95 > P95_LIMIT_MS:
        environment.process_exit_code = 1
        print(f"FAIL: p95={p95}ms exceeds {P95_LIMIT_MS}ms")
    if total.fail_ratio > FAIL_RATIO_LIMIT:
        environment.process_exit_code = 1
        print(f"FAIL: error rate {total.fail_ratio:.2%} exceeds {FAIL_RATIO_LIMIT:.0%}")


class CheckoutUser(HttpUser):
    """Logs in once, then mostly browses and sometimes buys; logs out when stopped."""

    host = DEMO_HOST
    wait_time = between(0.5, 2)
    weight = 3

    def on_start(self) -> None:
        response = self.client.post("/auth/login", json={"email": "user@example.com", "password": "demo"})
        self.token = response.json()["token"]
        self.client.headers["Authorization"] = f"Bearer {self.token}"

    def on_stop(self) -> None:
        self.client.post("/auth/logout")

    @tag("browse")
    @task(3)
    def browse_products(self) -> None:
        self.client.get("/products?q=laptop")

    @tag("browse")
    @task(2)
    def view_product(self) -> None:
        self.client.get(f"/products/{random.randint(1, 50)}", name="/products/[id]")

    @tag("buy")
    @task(1)
    def checkout(self) -> None:
        cart = self.client.post("/cart", json={"sku": "LAP-100"})
        if cart.status_code == 201:
            self.client.post("/checkout", json={"cartId": cart.json()["id"]})

    @task(1)
    def flaky_recommendations(self) -> None:
        self.client.get("/flaky")


class CheckoutSequence(SequentialTaskSet):
    """One shopper's journey, in source order, over and over: login, browse, buy, log out."""

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.user.token}"}

    @task
    def login(self) -> None:
        response = self.client.post("/auth/login", json={"email": "u@example.com", "password": "p"})
        self.user.token = response.json()["token"]

    @task
    def browse(self) -> None:
        self.client.get("/products", headers=self._auth())

    @task
    def slow_reviews(self) -> None:
        self.client.get(f"/slow?ms={random.choice((50, 150, 400))}", name="/slow", headers=self._auth())

    @task
    def checkout(self) -> None:
        cart = self.client.post("/cart", json={"sku": "X"}, headers=self._auth())
        cart_id = cart.json()["id"]
        self.client.get(f"/cart/{cart_id}", name="/cart/[id]", headers=self._auth())
        self.client.post("/checkout", json={"cartId": cart_id}, headers=self._auth())

    @task
    def logout(self) -> None:
        self.client.post("/auth/logout", headers=self._auth())


class JourneyUser(HttpUser):
    host = DEMO_HOST
    tasks = [CheckoutSequence]
    wait_time = between(1, 3)
    weight = 1
    token = ""


class FastSearchUser(FastHttpUser):
    """High-rate searcher on the FastHttpUser client, validating responses itself."""

    host = DEMO_HOST
    wait_time = between(0.2, 1)
    weight = 2

    @task(5)
    def search(self) -> None:
        with self.client.get("/products?q=phone", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"Got {response.status_code}")
            elif not response.json():
                response.failure("search returned no products")

    @task(1)
    def flaky(self) -> None:
        with self.client.get("/flaky", catch_response=True) as response:
            if response.status_code == 503:
                response.failure("flaky endpoint unavailable")
            else:
                response.success()

    @task(1)
    def slow(self) -> None:
        self.client.get("/slow?ms=250", name="/slow")
