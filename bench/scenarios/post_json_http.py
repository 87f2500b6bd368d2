"""Benchmark scenario: HttpUser POSTs a small JSON body and decodes the ~10 KB JSON answer.

No wait. Runs unmodified on Locust and on Horde.
"""

from locust import HttpUser, constant, task

ORDER = {
    "customer": 4711,
    "currency": "EUR",
    "lines": [{"sku": "SKU-00042", "quantity": 2}, {"sku": "SKU-00077", "quantity": 1}],
    "note": "benchmark order",
}


class OrderUser(HttpUser):
    wait_time = constant(0)

    @task
    def order(self):
        response = self.client.post("/json", json=ORDER)
        response.json()
